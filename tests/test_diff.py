"""`analyser diff`: two versions of a subprocessor list and a DPA, as folders and as single reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyser import cli
from analyser.diff import diff_paths
from tests.batch_data import ACME_SUBPROCESSORS, DPA, subprocessor_list

runner = CliRunner()
VERSION_2 = [
    ("Hetzner Online GmbH", "Hosting", "Germany"),
    ("Brevo SAS", "Transactional email", "France"),  # replaces Mailgun
    ("Zendesk Inc.", "Customer support", "United States"),  # moved from Ireland
]


def _version(root: Path, name: str, rows: list[tuple[str, str, str]], law: str, storage: str) -> Path:
    """Analyse one version of acme's documents into root/<name>-out and return that folder."""
    folder = root / name / "acme"
    folder.mkdir(parents=True)
    (folder / "subprocessors.md").write_text(subprocessor_list("Acme Cloud B.V.", rows, marker=name))
    (folder / "dpa.md").write_text(DPA.format(provider="Acme Cloud B.V.", storage=storage, law=law, marker=name))
    out = root / f"{name}-out"
    result = runner.invoke(cli.app, ["analyse", str(root / name), "--out", str(out), "--backend", "rules"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("diff")
    old = _version(root, "v1", ACME_SUBPROCESSORS, law="the Netherlands", storage="the Netherlands")
    new = _version(root, "v2", VERSION_2, law="Germany", storage="the United States")
    return old, new


def test_diff_of_two_folders_as_json(versions: tuple[Path, Path]) -> None:
    old, new = versions
    result = runner.invoke(cli.app, ["diff", str(old), str(new), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [acme] = payload["changes"]
    assert acme["name"] == "acme"
    assert acme["subprocessors_added"] == [
        {"name": "Brevo SAS", "country": "FR", "old_country": None, "purpose": "Transactional email"}
    ]
    assert acme["subprocessors_removed"] == [
        {"name": "Mailgun Technologies Inc.", "country": "US", "old_country": None, "purpose": "Transactional email"}
    ]
    assert acme["subprocessors_moved"] == [
        {"name": "Zendesk Inc.", "country": "US", "old_country": "IE", "purpose": "Customer support"}
    ]
    assert {"field": "governing_law", "old": "NL", "new": "DE"} in acme["changed"]
    assert acme["locations_added"]["storage_locations"] == ["US"]
    assert acme["locations_removed"]["storage_locations"] == ["NL"]
    assert payload["unchanged"] == []


def test_diff_reports_risk_level_changes(tmp_path: Path) -> None:
    europe = [("Hetzner Online GmbH", "Hosting", "Germany"), ("Zendesk Inc.", "Customer support", "Ireland")]
    old = _version(tmp_path, "eu", europe, law="the Netherlands", storage="the Netherlands")
    new = _version(
        tmp_path, "us", [*europe, ("Mailgun Inc.", "Email", "United States")], "the Netherlands", "the Netherlands"
    )
    before = json.loads((old / "vendors" / "acme.json").read_text())["risk"]
    after = json.loads((new / "vendors" / "acme.json").read_text())["risk"]
    expected = [
        {"field": f"risk.dimensions.{d}.level", "old": before["dimensions"][d]["level"], "new": level["level"]}
        for d, level in after["dimensions"].items()
        if before["dimensions"][d]["level"] != level["level"]
    ]
    assert {"field": "risk.dimensions.geographic.level", "old": "low", "new": "high"} in expected
    [acme] = diff_paths(old, new).changes
    changed = [c.model_dump() for c in acme.risk_changed]
    assert [c for c in changed if c["field"].startswith("risk.dimensions.")] == expected
    assert ({"field": "risk.overall", "old": before["overall"], "new": after["overall"]} in changed) == (
        before["overall"] != after["overall"]
    )
    text = runner.invoke(cli.app, ["diff", str(old), str(new)]).stdout
    assert "  ~ risk.dimensions.geographic.level: low -> high" in text.splitlines()


def test_diff_as_text(versions: tuple[Path, Path]) -> None:
    old, new = versions
    result = runner.invoke(cli.app, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"Comparing {old} (old) with {new} (new)"
    assert lines[2] == "acme:"
    for line in (
        "  + subprocessor Brevo SAS (FR, Transactional email)",
        "  - subprocessor Mailgun Technologies Inc. (US, Transactional email)",
        "  ~ subprocessor Zendesk Inc.: IE -> US",
        "  + storage_locations: US",
        "  - storage_locations: NL",
        "  ~ governing_law: NL -> DE",
    ):
        assert line in lines


def test_diff_of_two_single_reports(versions: tuple[Path, Path]) -> None:
    old, new = versions
    result = diff_paths(old / "acme__subprocessors.json", new / "acme__subprocessors.json")
    [change] = result.changes
    assert change.name == "acme__subprocessors"
    assert [s.name for s in change.subprocessors_added] == ["Brevo SAS"]
    assert [s.name for s in change.subprocessors_removed] == ["Mailgun Technologies Inc."]


def test_same_version_has_no_changes(versions: tuple[Path, Path]) -> None:
    old, _ = versions
    result = runner.invoke(cli.app, ["diff", str(old), str(old)])
    assert result.exit_code == 0
    assert "No changes in subprocessors, locations, governing law, courts or risk levels." in result.stdout


def test_vendor_only_on_one_side(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    other = tmp_path / "globex"
    other.mkdir()
    (other / "dpa.md").write_text(DPA.format(provider="Globex GmbH", storage="Germany", law="Germany", marker="g"))
    runner.invoke(cli.app, ["analyse", str(tmp_path), "--out", str(tmp_path / "out"), "--backend", "rules"])
    both = tmp_path / "both"
    (both / "vendors").mkdir(parents=True)
    for source in (new / "vendors" / "acme.json", tmp_path / "out" / "vendors" / "globex.json"):
        (both / "vendors" / source.name).write_bytes(source.read_bytes())
    text = runner.invoke(cli.app, ["diff", str(old), str(both)]).stdout
    assert "globex: only in the new version" in text


def test_diff_of_something_that_is_not_a_report_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text('["not", "a", "report"]')
    result = runner.invoke(cli.app, ["diff", str(tmp_path / "notes.json"), str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "is not an analyser report" in result.stderr
