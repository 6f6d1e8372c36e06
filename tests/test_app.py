"""The Streamlit app through streamlit.testing (AppTest), with the rules backend: no model is loaded.

The rules backend is the real pipeline without a language model (patterns and lexicons), so these
tests exercise upload, per-file errors, review and downloads end to end in about a second a file.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from analyser import cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
NL_PDF = EXAMPLES / "nl_verwerkersovereenkomst_schoolcloud.pdf"
EN_PDF = EXAMPLES / "en_dpa_cloudhost.pdf"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app with the rules engine preselected, run once."""
    monkeypatch.setenv("ANALYSER_APP_BACKEND", "rules")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """Every file the app hands to a download button, by its download file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self: Any, path_or_data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    yield files


def upload(at: AppTest, *files: tuple[str, bytes]) -> None:
    """Upload files (name, content) and rerun the app."""
    for name, data in files:
        at.file_uploader(key="uploads").upload(name, data, "application/octet-stream")
    at.run()
    assert not at.exception, at.exception


def document_key(at: AppTest, name: str) -> str:
    """The session key of an analysed upload."""
    keys = [key for key, document in at.session_state["documents"].items() if document.name == name]
    assert len(keys) == 1
    return keys[0]


def record_decision(at: AppTest, key: str, field: str, action: str, value: str | None = None, note: str = "") -> None:
    """Select a fact, fill in the review form and submit it."""
    at.selectbox(key=f"field-{key}").set_value(field)
    at.run()
    at.radio(key=f"action-{key}-{field}").set_value(action)
    if value is not None:
        at.text_input(key=f"value-{key}-{field}").input(value)
    at.text_area(key=f"note-{key}-{field}").input(note)
    at.button(key=f"FormSubmitter:review-{key}-{field}-Record decision").click()
    at.run()
    assert not at.exception, at.exception


def table_value(at: AppTest, fact: str) -> str:
    """The value column of one fact in the (first) facts table."""
    frame = at.dataframe[0].value
    return str(frame.loc[frame["Fact"] == fact, "Value"].iloc[0])


def test_the_app_opens_with_the_upload_box_and_sidebar(app: AppTest) -> None:
    assert app.title[0].value == "Contract and DPA review"
    assert app.selectbox(key="backend").value == "rules"
    assert app.file_uploader(key="uploads").accept_multiple_files
    assert app.text_input(key="reviewer").value == ""


def test_several_uploads_with_a_bad_file_among_them(app: AppTest) -> None:
    upload(
        app,
        (NL_PDF.name, NL_PDF.read_bytes()),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj garbage"),
        (EN_PDF.name, EN_PDF.read_bytes()),
    )
    errors = [e.value for e in app.error]
    assert len(errors) == 1
    assert errors[0].startswith("Could not analyse broken.pdf: broken.pdf: is a damaged")
    assert errors[0].endswith("Export or download the PDF again.")
    assert [tab.label for tab in app.tabs] == [NL_PDF.name, EN_PDF.name]
    assert table_value(app, "Governing law") == "NL"
    assert table_value(app, "Provider") == "SchoolCloud Nederland B.V."
    assert "Comparison of vendors" in [h.value for h in app.header]
    matrix = app.dataframe[-1].value
    assert sorted(matrix["Vendor"]) == ["CloudHost Europe B.V.", "SchoolCloud Nederland B.V."]
    # The same files again on a rerun are not analysed twice.
    app.run()
    assert len(app.session_state["documents"]) == 3


def test_the_risk_summary_comes_first_with_badges_and_findings(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    assert next(s.value for s in app.subheader) == "Risk summary"
    markdown = [m.value for m in app.markdown]
    assert any(m.startswith("**Overall:** :orange-badge[medium] Medium") for m in markdown)
    assert "**Exit**  \n:orange-badge[medium]" in markdown
    assert "**Geography**  \n:green-badge[low]" in markdown
    assert any(m.startswith("**Indicative sovereignty level:** :blue-badge[SEAL-3]") for m in markdown)
    assert "**Findings** (2)" in markdown
    assert [e.label for e in app.expander if "EXIT-05" in e.label or "INC-03" in e.label] == [
        "medium · Deletion period longer than your policy (EXIT-05)",
        "medium · Breach notification without a deadline in hours (INC-03)",
    ]
    assert "**Legal basis:** GDPR Art. 28(3)(g); GDPR Art. 5(1)(e); Organisation policy max_deletion_days" in markdown


def test_a_correction_recomputes_the_risk(app: AppTest, downloads: dict[str, bytes]) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    key = document_key(app, NL_PDF.name)
    app.text_input(key="reviewer").input("Anna")
    record_decision(app, key, "exit.deletion_days", "correct", "30", note="Addendum 2 zegt 30 dagen")
    markdown = [m.value for m in app.markdown]
    assert "**Exit**  \n:green-badge[low]" in markdown
    assert "**Findings** (1)" in markdown
    assert not [e.label for e in app.expander if "EXIT-05" in e.label]
    report = json.loads(downloads["nl_verwerkersovereenkomst_schoolcloud.json"])
    assert report["exit"]["deletion_days"] == 30
    assert [f["rule_id"] for f in report["risk"]["findings"]] == ["INC-03"]
    assert report["risk"]["dimensions"]["exit"]["level"] == "low"


def test_a_policy_from_the_policies_folder_is_used(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    assert app.selectbox(key="policy").options == ["Built-in default policy", "default", "permissive", "strict"]
    app.selectbox(key="policy").set_value("strict")
    app.run()
    report = app.session_state["documents"][document_key(app, NL_PDF.name)].original
    assert report.risk is not None  # the pipeline's own assessment stays; the app shows the recomputed one
    import tomllib

    name = tomllib.loads((REPO / "policies" / "strict.toml").read_text())["name"]
    used = [c.value for c in app.caption if c.value.startswith("Assessed against policy: ")]
    assert len(used) == 1 and used[0].startswith(f"Assessed against policy: {name} (sha256 ")


def test_an_uploaded_policy_changes_the_assessment(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    policy = b'name = "lenient"\nmax_deletion_days = 120\n'
    app.file_uploader(key="policy_upload").upload("lenient.toml", policy, "application/toml")
    app.run()
    assert not app.exception
    assert any(c.value.startswith("Assessed against policy: lenient (sha256 ") for c in app.caption)
    assert "**Findings** (1)" in [m.value for m in app.markdown]
    app.file_uploader(key="policy_upload").upload("broken.toml", b"max_deletion_days = 'lots'", "application/toml")
    app.run()
    assert any(e.value.startswith("Policy file broken.toml is invalid") for e in app.error)


def test_the_selected_fact_shows_its_quote_and_the_highlighted_page(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    key = document_key(app, NL_PDF.name)
    app.selectbox(key=f"field-{key}").set_value("governing_law")
    app.run()
    markdown = [m.value for m in app.markdown]
    assert "**Page 4** · “11.1 Op deze verwerkersovereenkomst is Nederlands recht van toepassing.”" in markdown
    images = app.get("image")
    assert len(images) == 1
    assert images[0].captions == [f"{NL_PDF.name} · Page 4/5"]  # type: ignore[attr-defined]


def test_a_correction_is_applied_audited_and_survives_reruns(app: AppTest, downloads: dict[str, bytes]) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    key = document_key(app, NL_PDF.name)
    app.text_input(key="reviewer").input("Anna de Vries")
    record_decision(app, key, "governing_law", "correct", "Germany", note="Artikel 11 is vervangen")
    assert [s.value for s in app.success] == ["Decision recorded."]
    assert table_value(app, "Governing law") == "DE"
    app.run()  # a plain rerun keeps every decision
    app.run()
    assert table_value(app, "Governing law") == "DE"
    trail = app.dataframe[1].value
    assert trail.iloc[0].to_dict() | {"Time": ""} == {
        "Time": "",
        "Reviewer name": "Anna de Vries",
        "Fact": "Governing law",
        "Decision": "Correct",
        "Original value": "NL",
        "Corrected value": "DE",
        "Note": "Artikel 11 is vervangen",
    }
    report = json.loads(downloads["nl_verwerkersovereenkomst_schoolcloud.json"])
    assert report["governing_law"] == "DE"
    assert report["facts"]["governing_law"]["reason"] == "Corrected by Anna de Vries: Artikel 11 is vervangen"
    assert [(d["field"], d["original"], d["value"], d["reviewer"]) for d in report["review"]] == [
        ("governing_law", "NL", "DE", "Anna de Vries")
    ]


def test_reject_and_accept_are_recorded(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    key = document_key(app, NL_PDF.name)
    app.text_input(key="reviewer").input("Bo")
    record_decision(app, key, "exit.export_format", "reject")
    record_decision(app, key, "courts", "accept")
    assert table_value(app, "Export format") == "not stated"
    frame = app.dataframe[0].value
    review = dict(zip(frame["Fact"], frame["Review"], strict=True))
    assert (review["Export format"], review["Competent courts"], review["Provider"]) == (
        "rejected",
        "accepted",
        "not reviewed",
    )
    decisions = app.session_state["documents"][key].decisions
    assert [(d.field, d.action, d.reviewer) for d in decisions] == [
        ("exit.export_format", "reject", "Bo"),
        ("courts", "accept", "Bo"),
    ]


def test_a_decision_needs_a_reviewer_name_and_a_valid_value(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    key = document_key(app, NL_PDF.name)
    record_decision(app, key, "breach_notification_hours", "correct", "72")
    assert [w.value for w in app.warning] == ["Enter your name in the sidebar to record review decisions."]
    app.text_input(key="reviewer").input("Anna")
    record_decision(app, key, "breach_notification_hours", "correct", "soon")
    assert [e.value for e in app.error] == ["Invalid value: 'soon' is not a whole number"]
    assert app.session_state["documents"][key].decisions == []


def test_downloads_carry_the_reviewed_report(app: AppTest, downloads: dict[str, bytes]) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()), (EN_PDF.name, EN_PDF.read_bytes()))
    labels = [b.label for b in app.download_button]
    assert labels[:4] == ["JSON report (with review)", "CSV", "Excel (XLSX)", "Readable report (Markdown)"]
    assert labels[-5:] == [
        "Comparison of vendors · CSV",
        "Comparison of vendors · XLSX",
        "summary.csv",
        "summary.xlsx",
        "report.md",
    ]
    stem = "nl_verwerkersovereenkomst_schoolcloud"
    assert json.loads(downloads[f"{stem}.json"])["provider"]["name"] == "SchoolCloud Nederland B.V."
    assert downloads[f"{stem}.csv"].decode("utf-8-sig").startswith("Fact,Value,Confidence,Quote,Page,Review\n")
    with zipfile.ZipFile(io.BytesIO(downloads[f"{stem}.xlsx"])) as workbook:
        assert "xl/workbook.xml" in workbook.namelist()
    assert downloads[f"{stem}.md"].decode().startswith("# SchoolCloud Nederland B.V.\n")
    matrix = downloads["comparison.csv"].decode("utf-8-sig").splitlines()
    assert matrix[0].startswith("Vendor,Document,")
    assert len(matrix) == 3
    # The register of all documents, written by the batch's own writers.
    register = list(csv.DictReader(io.StringIO(downloads["summary.csv"].decode("utf-8-sig"))))
    assert sorted(row["vendor"] for row in register) == ["CloudHost Europe B.V.", "SchoolCloud Nederland B.V."]
    assert downloads["report.md"].decode().startswith("# Vendor register\n")


def test_a_saved_analysis_continues_with_its_audit_trail(app: AppTest, downloads: dict[str, bytes]) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    app.text_input(key="reviewer").input("Anna")
    record_decision(app, document_key(app, NL_PDF.name), "governing_law", "correct", "DE", note="zie addendum")
    saved = downloads["nl_verwerkersovereenkomst_schoolcloud.json"]
    # A new session (a reload, another day): the saved JSON brings the review back, without the model.
    fresh = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    fresh.run()
    upload(fresh, ("nl_verwerkersovereenkomst_schoolcloud.json", saved))
    key = document_key(fresh, NL_PDF.name)
    assert table_value(fresh, "Governing law") == "DE"
    assert [(d.field, d.reviewer, d.note) for d in fresh.session_state["documents"][key].decisions] == [
        ("governing_law", "Anna", "zie addendum")
    ]
    fresh.selectbox(key=f"field-{key}").set_value("courts")
    fresh.run()
    assert [c.value for c in fresh.caption if "PDF files only" in c.value] == [
        "Page images are shown for PDF files only."
    ]
    upload(fresh, (NL_PDF.name, NL_PDF.read_bytes()))  # the PDF itself: pages again, no new analysis
    assert len(fresh.session_state["documents"]) == 1
    assert len(fresh.get("image")) == 1
    assert table_value(fresh, "Governing law") == "DE"
    upload(fresh, ("notes.json", b'{"hello": "world"}'))
    assert [e.value for e in fresh.error] == [
        "Could not analyse notes.json: not a report saved by the analyser (document: Field required)"
    ]


def test_the_interface_speaks_dutch(app: AppTest) -> None:
    app.radio(key="lang").set_value("nl")
    app.run()
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    assert app.title[0].value == "Beoordeling contracten en verwerkersovereenkomsten"
    assert [s.value for s in app.subheader][:3] == ["Risicosamenvatting", "Feiten", "Bewijs en beoordeling"]
    assert any(m.value.startswith("**Totaal:** :orange-badge[middel] Middel") for m in app.markdown)
    frame = app.dataframe[0].value
    assert list(frame.columns) == ["Feit", "Waarde", "Betrouwbaarheid", "Citaat", "Pagina", "Beoordeling"]


def test_clear_removes_all_results(app: AppTest) -> None:
    upload(app, (NL_PDF.name, NL_PDF.read_bytes()))
    app.file_uploader(key="uploads").clear()
    app.button(key="clear").click()
    app.run()
    assert app.session_state["documents"] == {}
    assert len(app.tabs) == 0


def test_the_app_command_starts_streamlit_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], Path, dict[str, str]]] = []

    def fake_call(command: list[str], cwd: Path, env: dict[str, str]) -> int:
        calls.append((command, cwd, env))
        return 0

    monkeypatch.setattr("subprocess.call", fake_call)
    result = CliRunner().invoke(cli.app, ["app", "--port", "8600", "--backend", "rules"])
    assert result.exit_code == 0, result.output
    command, cwd, env = calls[0]
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4] == str(REPO / "app.py")
    assert command[5:] == [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        "8600",
        "--browser.gatherUsageStats",
        "false",
    ]
    assert cwd == REPO
    assert env["ANALYSER_APP_BACKEND"] == "rules"
    bad = CliRunner().invoke(cli.app, ["app", "--backend", "fake"])
    assert bad.exit_code == 2


def test_the_repository_config_keeps_the_app_private() -> None:
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["maxUploadSize"] == 100
    assert config["client"]["toolbarMode"] == "minimal"


# app.py lies outside the analyser package, where import-linter cannot follow it; this is its contract.
APP_MAY_IMPORT = {
    "analyser",
    "analyser.pipeline",
    "analyser.export",
    "analyser.config",
    "analyser.errors",
    "analyser.types",
    "analyser.i18n",
    "analyser.review",
    "analyser.render",
    "analyser.tables",
    "analyser.policy",
    "analyser.risk",
}


def test_app_imports_only_the_pipeline_export_and_presentation_layers() -> None:
    import ast

    tree = ast.parse((REPO / "app.py").read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analyser"):
            imported.add(node.module)
            if node.module == "analyser":
                imported.update(f"analyser.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names if a.name.startswith("analyser"))
    assert imported, "app.py should use the analyser package"
    assert imported <= APP_MAY_IMPORT, sorted(imported - APP_MAY_IMPORT)


def test_the_app_opens_no_connection_beyond_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.offline import network_guard

    monkeypatch.setenv("ANALYSER_APP_BACKEND", "rules")
    with network_guard() as attempts:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.run()
        upload(at, (NL_PDF.name, NL_PDF.read_bytes()), (EN_PDF.name, EN_PDF.read_bytes()))
        at.text_input(key="reviewer").input("Anna")
        record_decision(at, document_key(at, NL_PDF.name), "governing_law", "correct", "DE")
    assert attempts == []
    assert not at.exception
