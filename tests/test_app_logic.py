"""The app's logic outside Streamlit: review decisions, page rendering with highlights, tables, labels."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from analyser import pipeline, render, review, tables
from analyser.config import Settings
from analyser.i18n import FIELD_LABELS, LABELS, field_label, t
from analyser.types import DocumentReport

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def tiny_report() -> DocumentReport:
    """tests/data/tiny.pdf analysed with the rules backend (no model)."""
    analyser = pipeline.Analyser(pipeline.AnalysisOptions(backend="rules"), Settings())
    return analyser.analyse_path(Path(__file__).parent / "data" / "tiny.pdf")


# --- review ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("storage_locations", "nl; Germany, BE", ["NL", "DE", "BE"]),
        ("storage_locations", "", []),
        ("remote_access_locations", "US-DE", ["US-DE"]),
        ("governing_law", "Duitsland", "DE"),
        ("courts", "nl", "NL"),
        ("provider.country", "EEA", "EEA"),
        ("breach_notification_hours", " 72 ", 72),
        ("exit.deletion_days", "", None),
        ("encryption_at_rest", "ja", True),
        ("exit.termination_assistance", "No", False),
        ("transfer_mechanisms", "scc; Data Privacy Framework", ["SCC", "DPF"]),
        ("key_custody", "Third party", "third_party"),
        ("key_custody", "", "not_stated"),
        ("provider.name", " Acme B.V. ", "Acme B.V."),
        (
            "subprocessors",
            "Amstel Colocatie B.V. (NL); SendNow Inc. (United States); Mailwerk",
            [
                {"name": "Amstel Colocatie B.V.", "country": "NL", "purpose": None, "page": None},
                {"name": "SendNow Inc.", "country": "US", "purpose": None, "page": None},
                {"name": "Mailwerk", "country": None, "purpose": None, "page": None},
            ],
        ),
    ],
)
def test_parse_value_reads_what_a_reviewer_types(field: str, text: str, value: object) -> None:
    assert review.parse_value(field, text) == value


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("breach_notification_hours", "soon", "'soon' is not a whole number"),
        ("exit.deletion_days", "-5", "-5 is negative"),
        ("encryption_at_rest", "maybe", "'maybe' is not yes or no"),
        ("governing_law", "Atlantis", "'Atlantis' is not a country"),
        ("transfer_mechanisms", "handshake", "'handshake' is not a transfer mechanism"),
        ("key_custody", "nobody", "'nobody' is not one of customer, provider, third_party, not_stated"),
        ("no_such_field", "x", "unknown field 'no_such_field'"),
    ],
)
def test_parse_value_rejects_what_it_cannot_read(field: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        review.parse_value(field, text)


def test_field_value_and_format_follow_the_report(tiny_report: DocumentReport) -> None:
    assert review.field_value(tiny_report, "provider.name") == "Example Cloud B.V."
    assert review.field_value(tiny_report, "storage_locations") == ["NL", "DE"]
    assert review.field_value(tiny_report, "key_custody") == "provider"
    assert review.format_value(["NL", "DE"], "en") == "NL; DE"
    assert review.format_value(True, "nl") == "ja"
    assert review.format_value(None, "nl") == "niet vermeld"
    assert review.format_value("not_stated", "en") == "not stated"
    assert review.editable_text(["NL", "DE"]) == "NL; DE"
    assert review.editable_text(False) == "no"


def test_a_correction_changes_the_value_and_keeps_the_original_in_the_trail(tiny_report: DocumentReport) -> None:
    decision = review.decide(
        tiny_report, "governing_law", "correct", reviewer=" Anna ", correction="DE", note="Art. 12 wins", now=NOW
    )
    assert decision.model_dump() == {
        "field": "governing_law",
        "action": "correct",
        "original": "NL",
        "value": "DE",
        "note": "Art. 12 wins",
        "reviewer": "Anna",
        "decided_at": "2025-03-01T09:30:00+00:00",
    }
    reviewed = review.apply_decisions(tiny_report, [decision])
    assert reviewed.governing_law == "DE"
    assert reviewed.facts["governing_law"].status == "found"
    assert reviewed.facts["governing_law"].reason == "Corrected by Anna: Art. 12 wins"
    assert reviewed.facts["governing_law"].evidence == tiny_report.facts["governing_law"].evidence
    assert reviewed.review == (decision,)
    assert tiny_report.governing_law == "NL"  # the analyser's report is never changed


def test_reject_empties_the_field_and_accept_changes_nothing(tiny_report: DocumentReport) -> None:
    reject = review.decide(tiny_report, "storage_locations", "reject", reviewer="Bo", now=NOW)
    accept = review.decide(tiny_report, "key_custody", "accept", reviewer="Bo", correction="customer", now=NOW)
    assert (reject.original, reject.value) == (["NL", "DE"], [])
    assert (accept.original, accept.value) == ("provider", "provider")
    reviewed = review.apply_decisions(tiny_report, [reject, accept])
    assert reviewed.storage_locations == ()
    assert reviewed.facts["storage_locations"].status == "not_stated"
    assert reviewed.key_custody == "provider"
    assert review.latest_actions(reviewed.review) == {"storage_locations": "reject", "key_custody": "accept"}


def test_later_decisions_override_earlier_ones_and_exit_fields_nest(tiny_report: DocumentReport) -> None:
    first = review.decide(tiny_report, "exit.deletion_days", "correct", reviewer="A", correction="30", now=NOW)
    second = review.decide(
        review.apply_decisions(tiny_report, [first]), "exit.deletion_days", "correct", reviewer="B", correction="90"
    )
    assert (second.original, second.value) == (30, 90)
    reviewed = review.apply_decisions(tiny_report, [first, second])
    assert reviewed.exit.deletion_days == 90
    assert [d.reviewer for d in reviewed.review] == ["A", "B"]


def test_a_decision_needs_a_reviewer(tiny_report: DocumentReport) -> None:
    with pytest.raises(ValueError, match="reviewer's name"):
        review.decide(tiny_report, "courts", "accept", reviewer="  ")


def test_reviewed_report_round_trips_through_json(tiny_report: DocumentReport) -> None:
    decision = review.decide(
        tiny_report, "subprocessors", "correct", reviewer="A", correction="Polder DC (NL)", now=NOW
    )
    reviewed = review.apply_decisions(tiny_report, [decision])
    again = DocumentReport.model_validate_json(reviewed.model_dump_json())
    assert again == reviewed
    assert again.subprocessors[0].name == "Polder DC"
    assert again.review[0].value == [{"name": "Polder DC", "country": "NL", "purpose": None, "page": None}]


def test_fact_rows_show_value_quote_page_and_review_status(tiny_report: DocumentReport) -> None:
    decision = review.decide(tiny_report, "governing_law", "accept", reviewer="A", now=NOW)
    rows = review.fact_rows(review.apply_decisions(tiny_report, [decision]), "en")
    assert len(rows) == len(review.REVIEW_FIELDS)
    law = next(r for r in rows if r["Fact"] == "Governing law")
    assert law == {
        "Fact": "Governing law",
        "Value": "NL",
        "Confidence": law["Confidence"],
        "Quote": "This agreement is governed by the laws of the Netherlands.",
        "Page": 3,
        "Review": "accepted",
    }
    breach = next(r for r in rows if r["Fact"] == "Breach notification (hours)")
    assert [breach[k] for k in ("Value", "Quote", "Page", "Review")] == ["not stated", "", None, "not reviewed"]


def test_audit_rows_in_dutch(tiny_report: DocumentReport) -> None:
    decision = review.decide(tiny_report, "encryption_at_rest", "reject", reviewer="Eva", note="geen bewijs", now=NOW)
    assert review.audit_rows([decision], "nl") == [
        {
            "Tijdstip": "2025-03-01T09:30:00+00:00",
            "Naam beoordelaar": "Eva",
            "Feit": "Versleuteling in rust",
            "Besluit": "Afwijzen",
            "Oorspronkelijke waarde": "ja",
            "Gecorrigeerde waarde": "niet vermeld",
            "Toelichting": "geen bewijs",
        }
    ]


# --- render ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page_text", "quote", "span"),
    [
        ("Data is stored in the\r\nNetherlands.", "stored in the Netherlands", (8, 34)),
        ("A disaster\ufffe" + "recovery copy", "disaster-recovery copy", (2, 24)),
        ("Processor sends notiﬁcations", "sends notifications", (10, 28)),
        ("It is “agreed” here", 'is "agreed"', (3, 14)),
        ("nothing relevant", "Frankfurt", None),
        ("", "anything", None),
    ],
)
def test_locate_folds_the_pdf_text_like_the_repaired_quote(
    page_text: str, quote: str, span: tuple[int, int] | None
) -> None:
    assert render.locate(page_text, quote) == span


def test_locate_anchors_a_quote_that_runs_past_the_page() -> None:
    page_text = "Intro. " + "x" * 10 + " The processor shall delete all personal data within ninety days"
    quote = "The processor shall delete all personal data within ninety days after the end of the agreement"
    start, end = render.locate(page_text, quote) or (0, 0)
    assert page_text[start:end] == "The processor shall delete all personal data within ninety days"


def test_to_pixels_flips_the_y_axis_and_scales() -> None:
    rect = render.Rect(left=10, bottom=700, right=110, top=712)
    assert render.to_pixels(rect, page_height=842, scale=2.0) == (20.0, 260.0, 220.0, 284.0)


def test_render_page_highlights_the_quote(tiny_pdf: Path) -> None:
    pdf = tiny_pdf.read_bytes()
    view = render.render_page(pdf, 3, "This agreement is governed by the laws of the Netherlands.", scale=1.0)
    assert (view.page, view.page_count, view.found, len(view.rects)) == (3, 3, True, 1)
    image = Image.open(io.BytesIO(view.png)).convert("RGB")
    left, top, right, bottom = render.to_pixels(view.rects[0], page_height=image.height, scale=1.0)
    # Inside the box most of the white paper is tinted yellow: red and green high, blue low.
    box = image.crop((int(left), int(top), int(right), int(bottom)))
    raw = box.tobytes()
    yellow = sum(1 for r, g, b in zip(raw[0::3], raw[1::3], raw[2::3], strict=True) if r > 200 and g > 180 and b < 170)
    assert yellow > 0.5 * box.width * box.height
    outside = image.getpixel((int(right) + 40, int(bottom) + 40))
    assert outside == (255, 255, 255)


def test_render_page_without_a_match_shows_the_plain_page(tiny_pdf: Path) -> None:
    view = render.render_page(tiny_pdf.read_bytes(), 1, "Frankfurt on the Moon", scale=0.5)
    assert (view.found, view.rects) == (False, ())
    assert view.png.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match=r"page 4 is outside 1\.\.3"):
        render.render_page(tiny_pdf.read_bytes(), 4)


@pytest.mark.parametrize(
    "example",
    ["en_dpa_cloudhost.pdf", "nl_verwerkersovereenkomst_schoolcloud.pdf", "de_avv_praxissoft.pdf"],
)
def test_every_quote_of_the_examples_is_found_on_its_page(example: str) -> None:
    path = Path(__file__).parent.parent / "examples" / example
    report = pipeline.Analyser(pipeline.AnalysisOptions(backend="rules"), Settings()).analyse_path(path)
    pdf = path.read_bytes()
    quotes = [(e.page, e.quote) for r in report.facts.values() for e in r.evidence]
    assert len(quotes) >= 20
    assert [q for q in quotes if not render.quote_rects(pdf, *q)] == []


# --- tables ---------------------------------------------------------------------------------


def test_comparison_rows_and_sorting(tiny_report: DocumentReport) -> None:
    other = tiny_report.model_copy(
        update={"document": "b.pdf", "provider": tiny_report.provider.model_copy(update={"name": None})}
    )
    rows = tables.comparison_rows([tiny_report, other], "en")
    assert [r["Vendor"] for r in rows] == ["Example Cloud B.V.", "b.pdf"]
    assert rows[0]["Storage locations"] == "NL; DE"
    assert rows[0]["Subprocessors"] == 0
    assert [r["Vendor"] for r in tables.sort_rows(rows, "Vendor")] == ["b.pdf", "Example Cloud B.V."]
    numbered = [{"n": 3}, {"n": None}, {"n": 10}, {"n": 1}]
    assert [r["n"] for r in tables.sort_rows(numbered, "n")] == [1, 3, 10, None]
    assert [r["n"] for r in tables.sort_rows(numbered, "n", descending=True)] == [10, 3, 1, None]


def test_csv_is_excel_friendly_and_defuses_formulas() -> None:
    data = tables.rows_csv([{"Fact": "Provider", "Quote": '=HYPERLINK("x")', "Page": 2}, {"Fact": "Ö"}])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Fact", "Quote", "Page"], ["Provider", '\'=HYPERLINK("x")', "2"], ["Ö", "", ""]]


def test_xlsx_has_one_sheet_per_table(tmp_path: Path) -> None:
    data = tables.rows_xlsx({"Facts": [{"Fact": "Provider", "Page": 1}], "Audit/trail: [x]": []})
    path = tmp_path / "out.xlsx"
    path.write_bytes(data)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Facts", "Audit_trail_ _x_"]
    assert [[c.value for c in row] for row in workbook["Facts"].iter_rows()] == [["Fact", "Page"], ["Provider", 1]]


def test_markdown_report_lists_facts_and_decisions(tiny_report: DocumentReport) -> None:
    decision = review.decide(tiny_report, "courts", "correct", reviewer="A", correction="DE", note="a|b", now=NOW)
    text = tables.report_markdown(review.apply_decisions(tiny_report, [decision]), "en")
    assert text.startswith("# Example Cloud B.V.\n\nDocument: tiny.pdf\n\n## Risk assessment\n")
    assert "\n## Facts\n\n| Fact | Value |" in text
    assert "| Competent courts | DE |" in text
    assert "## Audit trail" in text and "a\\|b" in text


# --- labels ---------------------------------------------------------------------------------


def test_every_label_and_field_exists_in_english_and_dutch() -> None:
    for entry in [*LABELS.values(), *FIELD_LABELS.values()]:
        assert set(entry) == {"en", "nl"} and all(entry.values())
    assert set(FIELD_LABELS) == set(review.REVIEW_FIELDS)
    assert t("no_such_label", "nl") == "no_such_label"
    assert field_label("governing_law", "nl") == "Toepasselijk recht"


def test_finding_rows_in_both_languages(tiny_report: DocumentReport) -> None:
    rows = tables.finding_rows(tiny_report, "en")
    assert [r["Rule"] for r in rows] == [f.rule_id for f in tiny_report.risk.findings]  # type: ignore[union-attr]
    incident = next(r for r in rows if r["Rule"] == "INC-04")
    assert (incident["Dimension"], incident["Severity"]) == ("Incidents", "high")
    dutch = next(r for r in tables.finding_rows(tiny_report, "nl") if r["Regel"] == "INC-04")
    assert (dutch["Dimensie"], dutch["Ernst"]) == ("Incidenten", "hoog")
    assert dutch["Bevinding"] != incident["Finding"]  # the Dutch title, not the English one
    assert tables.finding_rows(tiny_report.model_copy(update={"risk": None}), "en") == []


def test_comparison_rows_carry_the_risk_levels(tiny_report: DocumentReport) -> None:
    assessed = tiny_report.risk
    assert assessed is not None
    row = tables.comparison_rows([tiny_report], "nl")[0]
    assert (row["Totaal"], row["Indicatief soevereiniteitsniveau"]) == ("middel", assessed.sovereignty_level)
    dutch = {"low": "laag", "medium": "middel", "high": "hoog", "unknown": "onbekend"}
    assert row["Risico · Incidenten"] == dutch[assessed.dimensions["incident"].level]
    assert row["Subverwerkers"] == 0


def test_register_files_are_the_batch_register_of_the_reviewed_reports(tiny_report: DocumentReport) -> None:
    decision = review.decide(tiny_report, "governing_law", "correct", reviewer="A", correction="BE", now=NOW)
    files = tables.register_files([review.apply_decisions(tiny_report, [decision])])
    assert list(files) == ["summary.csv", "summary.xlsx", "report.md"]
    rows = list(csv.DictReader(io.StringIO(files["summary.csv"].decode("utf-8-sig"))))
    assert [(r["vendor"], r["governing_law"]) for r in rows] == [("Example Cloud B.V.", "BE")]
    assert files["summary.xlsx"].startswith(b"PK")


def test_restore_reads_a_saved_report_with_its_trail(tiny_report: DocumentReport) -> None:
    decision = review.decide(tiny_report, "courts", "reject", reviewer="A", now=NOW)
    saved = review.apply_decisions(tiny_report, [decision]).model_dump_json()
    restored = review.restore(saved)
    assert (restored.courts, restored.review) == (None, (decision,))
    assert review.apply_decisions(restored, list(restored.review)) == restored  # replaying is idempotent
    with pytest.raises(ValueError, match=r"^not a report saved by the analyser \(document: Field required\)"):
        review.restore(b"{}")
