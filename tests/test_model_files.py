"""Assembling the default model from chunk packages: verified, atomic, done once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analyser.config import ModelEntry, Registry, Settings, load_registry
from analyser.errors import ModelFileError
from analyser.model_files import assemble, read_stamp, resolve, statuses

REPO = Path(__file__).resolve().parent.parent


def _parts(tmp_path: Path) -> tuple[list[Path], str]:
    chunks = [b"GGUF" + bytes(range(256)) * 10, b"middle" * 1000, b"end"]
    paths = []
    for number, chunk in enumerate(chunks, start=1):
        path = tmp_path / f"part{number:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths, hashlib.sha256(b"".join(chunks)).hexdigest()


def _entry(sha256: str) -> ModelEntry:
    return ModelEntry(
        id="tiny",
        file="tiny.gguf",
        sha256=sha256,
        licence="MIT",
        context_length=512,
        source="test",
        parts_package="nonexistent_part",
        parts=3,
    )


def test_assemble_writes_verified_file_and_stamp(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    dest = assemble(_entry(digest), tmp_path / "models", parts)
    assert dest == tmp_path / "models" / "tiny.gguf"
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == digest
    assert read_stamp(dest) == digest


def test_second_assemble_does_no_work(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    dest = assemble(_entry(digest), tmp_path / "models", parts)
    mtime = dest.stat().st_mtime_ns
    for part in parts:
        part.unlink()  # a second call that tried to read the parts would fail
    assert assemble(_entry(digest), tmp_path / "models", parts) == dest
    assert dest.stat().st_mtime_ns == mtime


def test_hash_mismatch_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    parts, _ = _parts(tmp_path)
    with pytest.raises(ModelFileError, match="refusing to use it"):
        assemble(_entry("0" * 64), tmp_path / "models", parts)
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_part_packages_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="nonexistent_part1' is not installed"):
        assemble(_entry("0" * 64), tmp_path / "models")


def test_resolve_by_id_and_by_path_and_unknown(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    models = tmp_path / "models"
    assemble(_entry(digest), models, parts)
    registry = Registry(model=(_entry(digest),))
    settings = Settings(models_dir=models)
    by_id = resolve("tiny", registry, settings)
    assert (by_id.id, by_id.sha256) == ("tiny", digest)
    by_path = resolve(str(models / "tiny.gguf"), registry, settings)
    assert by_path.id == "tiny"
    with pytest.raises(ModelFileError, match="Unknown model 'nope'"):
        resolve("nope", registry, settings)


def test_user_gguf_is_listed_and_a_changed_file_is_a_mismatch(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    models = tmp_path / "models"
    assemble(_entry(digest), models, parts)
    (models / "my-model.gguf").write_bytes(b"GGUF user model")
    registry = Registry(model=(_entry(digest),))
    rows = {r.id: r for r in statuses(registry, Settings(models_dir=models), verify=True)}
    assert rows["tiny"].state == "verified"
    assert rows["my-model"].state == "present"
    (models / "tiny.gguf").write_bytes(b"tampered")
    rows = {r.id: r for r in statuses(registry, Settings(models_dir=models), verify=True)}
    assert rows["tiny"].state == "mismatch"


def test_shipped_registry_is_valid_and_names_the_default() -> None:
    registry = load_registry(REPO / "models" / "registry.toml")
    default = [m for m in registry.model if m.default]
    assert [m.id for m in default] == ["qwen2.5-coder-1.5b-instruct-q4_k_m"]
    assert default[0].sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert default[0].parts == 22
    assert len({m.id for m in registry.model}) == len(registry.model)
    assert all(len(m.sha256) in (0, 64) for m in registry.model)
