"""The CLI contract: inspect --json, models list, --version, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from analyser import __version__
from analyser.cli import app

runner = CliRunner()


def test_inspect_json_shape(tiny_pdf: Path) -> None:
    result = runner.invoke(app, ["inspect", str(tiny_pdf), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["file"] == str(tiny_pdf)
    assert payload["language"] == "en"
    assert [p["number"] for p in payload["pages"]] == [1, 2, 3]
    text = "\n\n".join(p["text"] for p in payload["pages"])
    for chunk in payload["chunks"]:
        assert text[chunk["char_start"] : chunk["char_end"]] == chunk["text"]
        assert 1 <= chunk["page_start"] <= chunk["page_end"] <= 3
    assert payload["warnings"] == []


def test_inspect_bad_file_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["inspect", str(empty)])
    assert result.exit_code == 1
    assert "empty.pdf: is empty (0 bytes)." in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_usage_error_exits_2() -> None:
    result = runner.invoke(app, ["inspect"])
    assert result.exit_code == 2


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"analyser {__version__}"


def test_help_lists_commands_with_examples() -> None:
    result = runner.invoke(app, ["inspect", "--help"])
    assert result.exit_code == 0
    assert "Example: analyser inspect" in result.stdout


def test_models_list_shows_default(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    registry = (Path(__file__).resolve().parent.parent / "models" / "registry.toml").read_text()
    (tmp_path / "registry.toml").write_text(registry)
    monkeypatch.setenv("ANALYSER_MODELS_DIR", str(tmp_path))
    result = runner.invoke(app, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["qwen2.5-coder-1.5b-instruct-q4_k_m"]["default"] is True
    assert rows["eurollm-9b-instruct-q4_k_m"]["state"] == "missing"


def test_invalid_registry_is_a_config_error_exit_2(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "registry.toml").write_text('[[model]]\nid = "x"\n')
    monkeypatch.setenv("ANALYSER_MODELS_DIR", str(tmp_path))
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 2
    assert "model.0.file" in result.stderr
