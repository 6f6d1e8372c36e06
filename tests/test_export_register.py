"""Batch exports: JSON valid against the published schemas, vendor profiles with sources, CSV, XLSX, Markdown."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from typer.testing import CliRunner

from analyser import cli, exports, vendors
from analyser.export import report_schema, vendor_files, vendor_schema
from analyser.exports.sheets import csv_text, guard
from analyser.types import DocumentReport, Evidence, FieldReview, SubProcessor, VendorProfile
from tests.batch_data import vendor_tree

runner = CliRunner()
SHEETS = ["vendors", "subprocessors", "findings", "documents"]


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One batch over a small vendor tree (rules backend); the tests read its outputs."""
    root = tmp_path_factory.mktemp("register")
    suppliers = vendor_tree(root)
    result = runner.invoke(cli.app, ["analyse", str(suppliers), "--out", str(root / "out"), "--backend", "rules"])
    assert result.exit_code == 1, result.output  # broken.pdf failed; the rest went on
    return root / "out"


def test_every_json_export_is_valid_against_its_published_schema(register: Path) -> None:
    validator = jsonschema.Draft202012Validator
    document_reports = sorted(register.glob("*.json"))
    vendor_profiles = sorted((register / "vendors").glob("*.json"))
    assert [p.name for p in document_reports] == [
        "acme__dpa.json",
        "acme__subprocessors.json",
        "broken.json",
        "globex__dpa.json",
    ]
    assert [p.name for p in vendor_profiles] == ["acme.json", "broken.json", "globex.json"]
    for path in document_reports:
        validator(report_schema()).validate(json.loads(path.read_text()))
    for path in vendor_profiles:
        validator(vendor_schema()).validate(json.loads(path.read_text()))


def test_schema_command_prints_the_vendor_schema() -> None:
    result = runner.invoke(cli.app, ["schema", "--vendor"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$id"].endswith("vendor-profile-1.0.json")


def test_vendor_profile_merges_documents_and_keeps_sources(register: Path) -> None:
    acme = VendorProfile.model_validate_json((register / "vendors" / "acme.json").read_text())
    assert acme.grouped_by == "folder"
    assert [(d.document, d.report, d.status) for d in acme.documents] == [
        ("acme/dpa.md", "acme__dpa.json", "ok"),
        ("acme/subprocessors.md", "acme__subprocessors.json", "ok"),
    ]
    assert acme.governing_law == "NL"
    [law] = acme.sources["governing_law"]
    assert (law.document, law.page, law.quote, law.chosen) == (
        "acme/dpa.md",
        1,
        "This Agreement is governed by the laws of the Netherlands.",
        True,
    )
    assert [(s.name, s.country, s.document, s.page) for s in acme.subprocessors] == [
        ("Hetzner Online GmbH", "DE", "acme/subprocessors.md", 1),
        ("Mailgun Technologies Inc.", "US", "acme/subprocessors.md", 1),
        ("Zendesk Inc.", "IE", "acme/subprocessors.md", 1),
    ]
    assert acme.storage_locations == ("NL", "DE")
    # The merged terms are assessed as one contract; each finding names the documents it quotes.
    assert acme.risk is not None and acme.risk.overall in ("low", "medium", "high", "unknown")
    assert all(d.risk_level is not None for d in acme.documents)
    quoted = {rule for rule, documents in acme.finding_documents.items() if documents}
    assert quoted and all(set(acme.finding_documents[r]) <= {"acme/dpa.md", "acme/subprocessors.md"} for r in quoted)
    broken = VendorProfile.model_validate_json((register / "vendors" / "broken.json").read_text())
    assert broken.documents[0].status == "failed" and broken.risk is None and broken.sources == {}


def test_xlsx_has_the_register_sheets_and_rows(register: Path) -> None:
    book = openpyxl.load_workbook(register / "summary.xlsx")
    assert book.sheetnames == SHEETS
    rows = {name: list(book[name].iter_rows(values_only=True)) for name in SHEETS}
    header = rows["vendors"][0]
    vendors_by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows["vendors"][1:]}
    assert sorted(vendors_by_name) == ["acme", "broken", "globex"]
    acme = vendors_by_name["acme"]
    assert acme["documents"] == 2 and acme["failed_documents"] == 0 and acme["subprocessors"] == 3
    assert acme["governing_law"] == "NL"
    assert (
        acme["governing_law_evidence"]
        == "p. 1: This Agreement is governed by the laws of the Netherlands. (acme/dpa.md)"
    )
    assert acme["storage_locations"] == "NL; DE"
    assert acme["risk_overall"] in ("low", "medium", "high") and acme["top_findings"]
    assert {"risk_geographic", "risk_jurisdiction", "risk_key_custody", "risk_exit", "sovereignty_level"} <= set(header)
    assert vendors_by_name["broken"]["failed_documents"] == 1
    assert rows["subprocessors"][0] == ("vendor", "name", "country", "purpose", "document", "page", "evidence")
    assert rows["subprocessors"][1:] == [
        (
            "acme",
            "Hetzner Online GmbH",
            "DE",
            "Hosting",
            "acme/subprocessors.md",
            1,
            "p. 1: Hetzner Online GmbH | Hosting | Germany",
        ),
        (
            "acme",
            "Mailgun Technologies Inc.",
            "US",
            "Transactional email",
            "acme/subprocessors.md",
            1,
            "p. 1: Mailgun Technologies Inc. | Transactional email | United States",
        ),
        (
            "acme",
            "Zendesk Inc.",
            "IE",
            "Customer support",
            "acme/subprocessors.md",
            1,
            "p. 1: Zendesk Inc. | Customer support | Ireland",
        ),
    ]
    findings = rows["findings"]
    assert findings[0][:5] == ("vendor", "dimension", "severity", "kind", "rule_id")
    assert {row[0] for row in findings[1:]} == {"acme", "globex"}
    assert [row[:4] for row in rows["documents"][1:]] == [
        ("acme", "acme/dpa.md", "acme__dpa.json", "ok"),
        ("acme", "acme/subprocessors.md", "acme__subprocessors.json", "ok"),
        ("broken", "broken.pdf", "broken.json", "failed"),
        ("globex", "globex/dpa.md", "globex__dpa.json", "ok"),
    ]


def test_csv_matches_the_vendor_sheet(register: Path) -> None:
    raw = (register / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 accents only with the BOM
    records = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    sheet = list(openpyxl.load_workbook(register / "summary.xlsx")["vendors"].iter_rows(values_only=True))
    assert list(records[0]) == list(sheet[0])
    assert [r["vendor"] for r in records] == ["acme", "broken", "globex"]
    assert records[2]["governing_law"] == "DE" and records[2]["documents"] == "1"


def test_report_md_has_the_register_and_a_section_per_vendor(register: Path) -> None:
    text = (register / "report.md").read_text()
    assert text.startswith("# Vendor register\n")
    assert "| Vendor | Documents | Governing law | Storage | Subprocessors | Key custody | Risk |" in text
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Register",
        "## acme",
        "## broken",
        "## globex",
    ]
    assert (
        "| Governing law | NL | p. 1: This Agreement is governed by the laws of the Netherlands. (acme/dpa.md) |"
        in text
    )
    assert "### Documents that could not be analysed" in text


def _hostile_profile() -> VendorProfile:
    quote = '=HYPERLINK("http://attacker.example","x") | Hosting | Germany'
    report = DocumentReport(
        document="evil.md",
        provider={"name": "@SUM(1+1)*cmd|' /C calc'!A0"},
        governing_law="NL",
        subprocessors=(
            SubProcessor(name='=HYPERLINK("http://attacker.example","x")', country="DE", purpose="+31 20 555", page=1),
            SubProcessor(name="-2+3", country=None, purpose="<script>alert(1)</script>", page=1),
        ),
        evidence={"subprocessors": (Evidence(quote=quote, page=1, char_start=0, char_end=len(quote), match="exact"),)},
        facts={"governing_law": FieldReview(status="found", confidence=0.9)},
    )
    return vendors.build_profile("=evil", [vendors.Filed(report, "evil.json", "=evil", "folder")])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+2", "'=1+2"), ("+31", "'+31"), ("-2", "'-2"), ("@A1", "'@A1"), ("\t=x", "'\t=x"), ("a=b", "a=b"), (-2, -2)],
)
def test_guard_defuses_formula_starts(value: str | int, expected: str | int) -> None:
    assert guard(value) == expected


def test_exports_never_carry_a_formula(tmp_path: Path) -> None:
    profile = _hostile_profile()
    exports.write_register([profile], tmp_path)
    text = csv_text(exports.build_register([profile], vendor_files([profile])).vendors)
    assert "'=evil" in text and "'@SUM(1+1)" in text
    book = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for item in row:
                assert item.data_type != "f", (sheet.title, item.coordinate, item.value)
                if isinstance(item.value, str):
                    assert not item.value.startswith(("=", "+", "-", "@")), item.value
    names = [row[1] for row in book["subprocessors"].iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("http://attacker.example","x")', "'-2+3"]
    markdown = (tmp_path / "report.md").read_text()
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
