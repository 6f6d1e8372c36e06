"""Run a parser on untrusted input in a child process with a time limit and a memory limit.

A hostile file can make a parser loop, recurse, allocate without bound or crash in C code.
Ingestion therefore runs in a short-lived child forked from a small server process that has
the parsers imported already (multiprocessing "forkserver"): it costs milliseconds per file,
never forks the caller (which may hold a loaded model and its threads), and a child that runs
too long or dies takes nothing else with it. The caller receives the result, or an
`IngestError` that says what went wrong in plain language.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from analyser.errors import IngestError

log = logging.getLogger(__name__)

T = TypeVar("T")
# Modules the forkserver imports once, so that each child starts with the parsers loaded
# (ingest imports them lazily; without this every child would import them again: 70 ms a file).
_PRELOAD = ["analyser.ingest", "pypdf", "pypdf.filters", "docx", "bs4", "markdown_it"]
_START_LOCK = threading.Lock()


def run_bounded(func: Callable[..., T], *args: Any, name: str, timeout_s: float, memory_mb: int) -> T:
    """Call `func(*args)` in a child process; give up after `timeout_s` or `memory_mb` of extra memory.

    `func` and its arguments must be picklable (a module-level function). An `IngestError`
    raised in the child is raised here unchanged. Where forkserver is unavailable (Windows)
    the call runs in this process, unbounded.
    """
    context = _context()
    if context is None:
        return func(*args)
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(writer, func, args, memory_mb), daemon=True)
    with _without_main_module():
        process.start()
    writer.close()  # the child holds the only write end now, so its death reads as EOF here
    try:
        if not reader.poll(timeout_s):
            log.warning("%s: reader stopped after %.1f s", name, timeout_s)
            raise IngestError(
                name,
                f"took longer than {timeout_s:g} s to read, so reading was stopped "
                "(the file may be malformed or built to stall a reader).",
                code="timeout",
                hint="If it is a genuine, very large document, raise --timeout (or ANALYSER_TIMEOUT_S).",
            )
        try:
            kind, payload = reader.recv()
        except EOFError:
            kind, payload = "died", None
    finally:
        reader.close()
        if process.is_alive():
            process.kill()
        process.join()
    return _outcome(kind, payload, name, memory_mb, process.exitcode)  # type: ignore[no-any-return]


def _outcome(kind: str, payload: Any, name: str, memory_mb: int, exitcode: int | None) -> Any:
    """Turn the child's message (or its silent death) into the result or an IngestError."""
    if kind == "ok":
        return payload
    if kind == "ingest":
        source, reason, code, hint = payload
        raise IngestError(source, reason, code=code, hint=hint)
    if kind == "memory":
        raise IngestError(
            name,
            f"needed more than {memory_mb:,} MB of memory to read, so reading was stopped "
            "(the file may be built to exhaust memory).",
            code="memory",
            hint="If it is a genuine, very large document, raise ANALYSER_MAX_MEMORY_MB.",
        )
    if kind == "error":
        raise IngestError(
            name,
            f"could not be read: the reader failed on it ({payload}); it is damaged or malformed.",
            code="corrupt",
            hint="Export the document again from its source.",
        )
    signal_name = _signal_name(exitcode)
    raise IngestError(
        name,
        f"made the reader crash ({signal_name}); it is malformed, or needed more than {memory_mb:,} MB of memory.",
        code="crashed",
        hint="Export the document again from its source.",
    )


def _signal_name(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


@contextmanager
def _without_main_module() -> Iterator[None]:
    """Hide the caller's main module while a child starts, so the child does not run it again.

    multiprocessing re-imports `__main__` from its file in every forkserver child. An unguarded
    user script, or the Streamlit app (which runs as `__main__`), would then run again, models
    and all, inside the reader.
    """
    with _START_LOCK:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _context() -> Any:
    """The forkserver context with the parsers preloaded, or None where the platform has none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _child(conn: Connection, func: Callable[..., Any], args: tuple[Any, ...], memory_mb: int) -> None:
    """Child-process body: limit memory, run, send back ("ok", result) or what went wrong."""
    # Parser warnings about a broken file would go to the terminal; what matters reaches the
    # caller as a document warning or an error instead.
    logging.getLogger().addHandler(logging.NullHandler())
    _limit_memory(memory_mb)
    try:
        message: tuple[str, Any] = ("ok", func(*args))
    except IngestError as exc:
        message = ("ingest", (exc.source, exc.reason, exc.code, exc.hint))
    except MemoryError:
        message = ("memory", None)
    except RecursionError:
        message = ("error", "objects nested too deeply")
    except BaseException as exc:  # noqa: BLE001 - anything a parser throws must reach the caller as a message
        message = ("error", type(exc).__name__)
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at what it uses now plus `memory_mb`."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    limit = _current_address_space() + memory_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):  # e.g. macOS, which does not enforce RLIMIT_AS
        log.debug("could not limit the reader's memory", exc_info=True)


def _current_address_space() -> int:
    """Virtual memory size of this process in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
