"""Batch analysis of folders: plan the files, reuse cached reports, analyse the rest, write every export.

The batch sits between the CLI and the pipeline. It owns what a single analysis does not: which
files belong to which vendor, the result cache, parallel preparation (`jobs`), and writing the
per-document reports, the vendor profiles and the register exports from one set of results.
"""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

from analyser import __version__, export, exports, model_files, pipeline, prompts, risk, vendors
from analyser.cache import CACHE_FILE, CacheKey, ResultCache, file_sha256
from analyser.config import DEFAULT_MODEL_ID, load_registry
from analyser.errors import ConfigError
from analyser.types import DocumentReport, VendorProfile

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt")
GroupedBy = Literal["folder", "map", "provider", "document"]
Assess = Callable[[DocumentReport], DocumentReport]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One file of the batch: where it is, how it is named in reports, and its vendor if known yet."""

    path: Path
    display: str  # the path relative to the folder given (or the file name), as reports show it
    stem: str  # DIR/<stem>.json
    vendor: str | None = None
    grouped_by: GroupedBy = "document"


@dataclass(frozen=True, slots=True)
class Plan:
    """The files to analyse, and what the folders held that the analyser cannot read."""

    items: tuple[BatchItem, ...]
    ignored: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class VendorRule:
    """One line of a --vendor-map file: a glob over relative paths or names, and its vendor."""

    pattern: str
    vendor: str

    def matches(self, item_path: str) -> bool:
        """True when the glob matches the relative path or the bare file name (case-insensitive)."""
        name = item_path.rsplit("/", 1)[-1]
        pattern = self.pattern.casefold()
        return fnmatch.fnmatch(item_path.casefold(), pattern) or fnmatch.fnmatch(name.casefold(), pattern)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The report of one batch item, and whether it came from the cache."""

    item: BatchItem
    report: DocumentReport
    cached: bool = False
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How to run a batch: where outputs go, and what to reuse."""

    out: Path
    force: bool = False
    jobs: int = 1
    policy_hash: str = ""
    assess: Assess | None = None


@dataclass
class BatchResult:
    """Everything the batch produced, for the summary and the exit code."""

    results: list[ItemResult] = field(default_factory=list)
    profiles: list[VendorProfile] = field(default_factory=list)
    seconds: float = 0.0
    ignored: tuple[Path, ...] = ()

    def count(self, status: str) -> int:
        """How many documents ended with this status ("ok", "partial", "failed")."""
        return sum(1 for r in self.results if r.report.status == status)

    @property
    def skipped(self) -> int:
        """Documents taken from the cache instead of being analysed again."""
        return sum(1 for r in self.results if r.cached)


class BatchListener(Protocol):
    """What the batch tells its user interface (the CLI draws a rich progress bar from it)."""

    def started(self, total: int, cached: int) -> None:
        """The batch knows how many files it has and how many the cache already holds."""

    def loading_model(self) -> None:
        """The model is being loaded (once, before the first document that needs it)."""

    def stage(self, item: BatchItem, stage: str) -> None:
        """An item entered a pipeline stage ("rules", "retrieve", "extract" ...)."""

    def finished(self, result: ItemResult) -> None:
        """An item is done and its report written."""

    def writing_register(self) -> None:
        """Every document is done; the vendor profiles and register exports are being written."""


# --- Planning ---------------------------------------------------------------------------


def plan(paths: Sequence[Path], *, out: Path | None = None, vendor_map: Sequence[VendorRule] = ()) -> Plan:
    """The files to analyse in `paths` (folders recursively), each with a stable report name and vendor.

    A file in a sub-folder of a folder given belongs to the vendor named by that sub-folder; a
    --vendor-map rule overrides that. Files in the output folder and hidden files are left out.
    """
    found: list[tuple[Path, Path | None]] = []
    ignored: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append((path, None))
            continue
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = file.relative_to(path)
            if any(part.startswith(".") for part in relative.parts) or (out and _inside(file, out)):
                continue
            if file.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append((file, path))
            else:
                ignored.append(file)
    stems = _stems(found)
    relatives = [file.relative_to(root).as_posix() if root else file.name for file, root in found]
    # Reports name a document by its path below the folder given; two that would read the same
    # (the same name in two folders given) keep the path as given instead.
    seen = Counter(r.casefold() for r in relatives)
    displays = [
        r if seen[r.casefold()] == 1 else file.as_posix() for r, (file, _) in zip(relatives, found, strict=True)
    ]
    items = [
        _item(file, relative, display, stem, root is not None, vendor_map)
        for (file, root), relative, display, stem in zip(found, relatives, displays, stems, strict=True)
    ]
    return Plan(items=tuple(items), ignored=tuple(ignored))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _item(
    file: Path, relative: str, display: str, stem: str, in_folder: bool, vendor_map: Sequence[VendorRule]
) -> BatchItem:
    rule = next((r for r in vendor_map if r.matches(relative)), None)
    if rule:
        return BatchItem(file, display, stem, rule.vendor, "map")
    parts = relative.split("/")
    if in_folder and len(parts) > 1:
        return BatchItem(file, display, stem, parts[0], "folder")
    return BatchItem(file, display, stem)


def _stems(found: Sequence[tuple[Path, Path | None]]) -> list[str]:
    """Report names that depend only on a file's own place: folder parts joined by "__", then the stem.

    Two files of one folder that differ only in suffix (dpa.pdf, dpa.docx) keep their suffix in the
    name, so adding a file elsewhere never renames an existing report.
    """
    bases: list[tuple[str, ...]] = []
    for file, root in found:
        relative = file.relative_to(root) if root else Path(file.name)
        bases.append((*relative.parent.parts, relative.stem))
    clashes: dict[tuple[str, ...], int] = {}
    for (_, root), base in zip(found, bases, strict=True):
        key = (str(root), *[p.casefold() for p in base])
        clashes[key] = clashes.get(key, 0) + 1
    stems: list[str] = []
    used: set[str] = set()
    for (file, root), base in zip(found, bases, strict=True):
        key = (str(root), *[p.casefold() for p in base])
        name = file.name if clashes[key] > 1 else base[-1]
        stem = export.safe_name("__".join([*base[:-1], name]))
        stems.append(_unique(stem, used))
    return stems


def _unique(stem: str, used: set[str]) -> str:
    candidate, number = stem, 2
    while candidate.casefold() in used:
        candidate, number = f"{stem}-{number}", number + 1
    used.add(candidate.casefold())
    return candidate


def load_vendor_map(path: Path) -> tuple[VendorRule, ...]:
    """Read a --vendor-map CSV: `pattern,vendor` per line (a header line and # comments allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"Cannot read the vendor map {path}: {exc.strerror or exc}.") from exc
    rules: list[VendorRule] = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise ConfigError(f"Vendor map {path}, line {number}: expected `pattern,vendor`.")
        if number == 1 and [c.strip().casefold() for c in row] == ["pattern", "vendor"]:
            continue
        rules.append(VendorRule(row[0].strip(), row[1].strip()))
    return tuple(rules)


# --- Cache keys -------------------------------------------------------------------------


def fingerprint(analyser: pipeline.Analyser, policy_hash: str) -> CacheKey:
    """The cache key parts shared by every file of the batch (the file's own sha256 left empty)."""
    options = analyser.options
    model_sha = _model_sha256(analyser)
    versions = _prompt_versions() if analyser.uses_model else {}
    settings = analyser.settings
    shaping = {
        "backend": options.backend,
        "model": options.model,
        "base_url": options.base_url,
        "strategy": options.strategy,
        "ask_model": options.ask_model,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "limits": settings.limits.model_dump(),
    }
    return CacheKey(
        file_sha256="",
        model_sha256=model_sha,
        prompt_versions=json.dumps(versions, sort_keys=True),
        policy_hash=policy_fingerprint(analyser, policy_hash),
        analyser_version=__version__,
        options=json.dumps(shaping, sort_keys=True),
    )


def policy_fingerprint(analyser: pipeline.Analyser, given: str = "") -> str:
    """A hash of what the risk assessment depends on: the policy as applied (defaults filled in) and the rules.

    The policy file's own sha256 misses a change in the defaults a short policy file inherits, and in
    the packaged rule files; either changes every report's risk.
    """
    digest = hashlib.sha256(given.encode())
    digest.update(analyser.policy.policy.model_dump_json().encode())
    rules = resources.files("analyser").joinpath("risk_rules")
    for entry in sorted(rules.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def _model_sha256(analyser: pipeline.Analyser) -> str:
    """The model file's sha256 without loading the model (a server is known only by URL and name)."""
    options = analyser.options
    if options.backend == "rules":
        return ""
    if options.backend == "openai":
        return f"server:{options.base_url or ''}:{options.model or ''}"
    if options.backend == "llama":
        registry = load_registry(analyser.settings.models_dir / "registry.toml")
        return model_files.resolve(options.model or DEFAULT_MODEL_ID, registry, analyser.settings).sha256
    backend = analyser.backend()  # an injected backend (tests): it names itself
    return str(getattr(backend, "model_sha256", "") or getattr(backend, "model_id", ""))


def _prompt_versions() -> dict[str, str]:
    """The newest version of every prompt task, as "task@vN#sha8" references."""
    tasks = sorted(p.name for p in prompts.PROMPTS_DIR.iterdir() if p.is_dir() and prompts.available(p.name))
    return {task: prompts.load(task).ref for task in tasks}


# --- Running ----------------------------------------------------------------------------


class _Serialised:
    """A proxy that lets one thread at a time call into a shared resource (the model, the embedder)."""

    def __init__(self, target: object, lock: threading.Lock) -> None:
        self._target = target
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)

        return call


def run_batch(analyser: pipeline.Analyser, batch: Plan, options: BatchOptions, listener: BatchListener) -> BatchResult:
    """Analyse every planned file (reusing the cache), then write vendor profiles and the register.

    A KeyboardInterrupt propagates after the finished documents are safely stored; the register
    exports are written only when the whole batch has run.
    """
    started = time.perf_counter()
    result = BatchResult(ignored=batch.ignored)
    base_key = fingerprint(analyser, options.policy_hash)
    _remove_temporaries(options.out)
    with ResultCache(options.out / CACHE_FILE) as cache:
        keys = {item: _key(item, base_key) for item in batch.items}
        hits = {} if options.force else _lookup(cache, keys)
        listener.started(len(batch.items), len(hits))
        todo = [item for item in batch.items if item not in hits]
        for item, report in hits.items():
            _store(ItemResult(item, report, cached=True), options.out, listener, result)
        if todo:
            worker = _prepare(analyser, options.jobs, listener)
            for item_result in _analyse(worker, todo, options, listener):
                key = keys[item_result.item]
                if key is not None and item_result.report.status != "failed":
                    # Committed before the report file is written: a crash in between costs a rewrite, not a rerun.
                    cache.put(key, item_result.item.display, item_result.report)
                _store(item_result, options.out, listener, result)
    order = {item: index for index, item in enumerate(batch.items)}
    result.results.sort(key=lambda r: order[r.item])
    listener.writing_register()
    policy = analyser.policy
    result.profiles = write_register(result.results, options.out, lambda terms: risk.assess(terms, policy))
    result.seconds = time.perf_counter() - started
    return result


def _remove_temporaries(out: Path) -> None:
    """Delete the temporary files of atomic writes a killed run left behind (never a finished output)."""
    for folder in (out, out / "vendors"):
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def _key(item: BatchItem, base: CacheKey) -> CacheKey | None:
    if not item.path.is_file():
        return None  # a FIFO would block and /dev/zero never ends: the pipeline reports what it is instead
    try:
        digest = file_sha256(item.path)
    except OSError:
        return None  # unreadable: the pipeline reports why, and nothing is cached
    return dataclasses.replace(base, file_sha256=digest)


def _lookup(cache: ResultCache, keys: dict[BatchItem, CacheKey | None]) -> dict[BatchItem, DocumentReport]:
    hits: dict[BatchItem, DocumentReport] = {}
    for item, key in keys.items():
        report = cache.get(key) if key is not None else None
        if report is not None:
            hits[item] = report.model_copy(update={"document": item.display})
    return hits


def _prepare(analyser: pipeline.Analyser, jobs: int, listener: BatchListener) -> pipeline.Analyser:
    """Load the model before the first document; with jobs > 1, share it (and the embedder) behind locks."""
    if analyser.uses_model:
        listener.loading_model()
        backend = analyser.backend()
        if jobs > 1:
            embedder = analyser.embedder() if analyser.options.strategy == "retrieve" else None
            return pipeline.Analyser(
                analyser.options,
                analyser.settings,
                backend=_Serialised(backend, threading.Lock()),
                embedder=_Serialised(embedder, threading.Lock()) if embedder is not None else None,
            )
    return analyser


def _analyse(
    analyser: pipeline.Analyser, items: Sequence[BatchItem], options: BatchOptions, listener: BatchListener
) -> Iterator[ItemResult]:
    """Yield each item's result as it finishes: in order with one job, as they complete with more."""
    if options.jobs <= 1:
        for item in items:
            yield _analyse_one(analyser, item, options.assess, listener)
        return
    pool = ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="analyse")
    try:
        futures: list[Future[ItemResult]] = [
            pool.submit(_analyse_one, analyser, item, options.assess, listener) for item in items
        ]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _analyse_one(
    analyser: pipeline.Analyser, item: BatchItem, assess: Assess | None, listener: BatchListener
) -> ItemResult:
    started = time.perf_counter()
    report = analyser.analyse_path(item.path, lambda stage: listener.stage(item, stage))
    report = report.model_copy(update={"document": item.display})
    if assess is not None:
        report = assess(report)
    return ItemResult(item, report, cached=False, seconds=time.perf_counter() - started)


def _store(item_result: ItemResult, out: Path, listener: BatchListener, result: BatchResult) -> None:
    export.write_report_if_changed(item_result.report, out, item_result.item.stem)
    result.results.append(item_result)
    listener.finished(item_result)


# --- Register ---------------------------------------------------------------------------


def write_register(
    results: Iterable[ItemResult], out: Path, assess: vendors.AssessTerms | None = None
) -> list[VendorProfile]:
    """Group the reports by vendor, write DIR/vendors/<vendor>.json and the register exports.

    With `assess`, each vendor's merged terms get a risk assessment of their own.
    """
    filed = [vendors.Filed(r.report, f"{r.item.stem}.json", r.item.vendor, r.item.grouped_by) for r in results]
    profiles = vendors.build_profiles(filed, assess)
    export.write_vendor_profiles(profiles, out / "vendors")
    exports.write_register(profiles, out)
    return profiles
