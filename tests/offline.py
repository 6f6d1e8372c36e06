"""Prove the analyser never phones home: record (and refuse) every network attempt that is not loopback.

Reusable by any test, including the app's (AppTest or browser) tests:

    from tests.offline import network_guard

    def test_app_stays_offline() -> None:
        with network_guard() as attempts:
            ...  # run the app, the CLI, anything in this process
        assert attempts == []

or use the `no_network` fixture from conftest.py, which fails the test on any attempt.
The guard is a `sys.addaudithook` hook on "socket.connect", "socket.sendto", "socket.sendmsg"
and "socket.getaddrinfo", so it sees every socket any library opens in this process, on any
thread, however it was created. A refused attempt raises `ConnectionRefusedError` at once, so
nothing hangs waiting for a network that is not there. Child processes are not covered: for those
run the command inside `unshare -rn` (see `run_without_network`).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo"}
_active: list[list[str]] = []
_lock = threading.Lock()
_installed = False


def is_loopback(address: Any) -> bool:
    """True for Unix sockets, loopback IPs and localhost names; False for anything that leaves the machine."""
    if isinstance(address, tuple):
        return bool(address) and _host_is_loopback(address[0])
    if isinstance(address, bytes):
        address = address.decode(errors="replace")
    if isinstance(address, str) and (address.startswith(("/", "\0")) or "/" in address):
        return True  # a Unix domain socket path (or abstract name): local by definition
    return _host_is_loopback(address)


def _host_is_loopback(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").split("%")[0].lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in _EVENTS or not _active:
        return
    if event == "socket.getaddrinfo":
        target: Any = args[0]
    elif event == "socket.connect":
        sock, target = args[0], args[1]
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return
    else:  # sendto / sendmsg: (socket, address)
        sock, target = args[0], args[-1]
        if target is None or getattr(sock, "family", None) == socket.AF_UNIX:
            return
    if is_loopback(target):
        return
    with _lock:
        for record in _active:
            record.append(f"{event} {target!r}")
    raise ConnectionRefusedError(f"network access blocked by the offline test guard: {event} {target!r}")


def _install() -> None:
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)  # audit hooks cannot be removed; it is idle while no guard is active
            _installed = True


@contextmanager
def network_guard() -> Iterator[list[str]]:
    """Record and refuse every non-loopback connection or name lookup while the block runs."""
    _install()
    attempts: list[str] = []
    with _lock:
        _active.append(attempts)
    try:
        yield attempts
    finally:
        with _lock:
            _active.remove(attempts)


def unshare_available() -> bool:
    """True where `unshare -rn` can create a network namespace without network (Linux, user namespaces on)."""
    if shutil.which("unshare") is None:
        return False
    try:
        probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def run_without_network(command: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run `command` in a new network namespace that has no interface but loopback (down)."""
    return subprocess.run(["unshare", "-rn", *command], capture_output=True, text=True, check=False, **kwargs)
