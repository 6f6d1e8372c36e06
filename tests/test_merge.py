"""Conflict handling: amendment > annex > body by default, a body-first clause inverts it, every rival kept."""

from __future__ import annotations

from analyser.ingest import parse_bytes
from analyser.merge import merge, section_kind
from analyser.types import Document, Evidence, Fact

TEXT = (
    "Agreement\n\n3. Incidents\nNotify within seventy-two (72) hours.\n\n"
    "Annex A - Data Processing Agreement\n\nA.4 Notify within twenty-four (24) hours. Notwithstanding clause 2, "
    "data is hosted in Ireland.\n\nAmendment No. 1\n\n1. Data is hosted in Germany.\n\nAmendment No. 2\n\n"
    "1. Data is hosted in Austria."
)


def _doc(text: str = TEXT) -> Document:
    return parse_bytes(text.encode(), "contract.txt")


def _fact(doc: Document, field: str, value: object, quote: str, section: str, confidence: float = 0.7) -> Fact:
    start = doc.text.index(quote)
    evidence = Evidence(quote=quote, page=1, char_start=start, char_end=start + len(quote), match="exact")
    return Fact(
        field=field,
        value=value,
        raw=quote,
        evidence=(evidence,),
        section=section,  # type: ignore[arg-type]
        confidence=confidence,
    )


def test_section_kinds() -> None:
    doc = _doc()
    assert section_kind(_fact(doc, "x", 1, "Notify within seventy-two", "3. Incidents")) == "body"
    assert section_kind(_fact(doc, "x", 1, "A.4 Notify", "Annex A - Data Processing Agreement")) == "annex"
    assert section_kind(_fact(doc, "x", 1, "Data is hosted in Germany", "Amendment No. 1")) == "amendment"


def test_annex_overrides_body_and_keeps_both_candidates() -> None:
    doc = _doc()
    facts = [
        _fact(doc, "breach_notification_hours", 72, "seventy-two (72) hours", "3. Incidents", 0.9),
        _fact(doc, "breach_notification_hours", 24, "twenty-four (24) hours", "Annex A - Data Processing Agreement"),
    ]
    merged = merge(facts, doc)
    assert merged.values["breach_notification_hours"] == 24
    review = merged.reviews["breach_notification_hours"]
    assert [c.value for c in review.candidates] == [72, 24]
    assert [c.chosen for c in review.candidates] == [False, True]
    assert "annex/DPA prevails" in review.reason
    assert any("conflicting values" in w for w in merged.warnings)


def test_body_first_clause_inverts_precedence() -> None:
    doc = _doc(TEXT + "\n\nIn case of conflict, these terms shall prevail over the annexes.")
    facts = [
        _fact(doc, "breach_notification_hours", 72, "seventy-two (72) hours", "3. Incidents"),
        _fact(doc, "breach_notification_hours", 24, "twenty-four (24) hours", "Annex A - Data Processing Agreement"),
    ]
    assert merge(facts, doc).values["breach_notification_hours"] == 72


def test_latest_amendment_replaces_locations() -> None:
    doc = _doc()
    facts = [
        _fact(doc, "storage_locations", "IE", "data is hosted in Ireland", "Annex A - Data Processing Agreement"),
        _fact(doc, "storage_locations", "DE", "Data is hosted in Germany", "Amendment No. 1"),
        _fact(doc, "storage_locations", "AT", "Data is hosted in Austria", "Amendment No. 2"),
    ]
    merged = merge(facts, doc)
    assert merged.values["storage_locations"] == ["AT"]
    assert "Amendment No. 2 replaces" in merged.reviews["storage_locations"].reason


def test_overriding_annex_clause_replaces_body_locations_but_plain_lists_are_united() -> None:
    doc = _doc()
    body = _fact(doc, "storage_locations", "NL", "Notify within seventy-two", "3. Incidents")
    annex = _fact(doc, "storage_locations", "IE", "data is hosted in Ireland", "Annex A - Data Processing Agreement")
    assert merge([body, annex], doc).values["storage_locations"] == ["IE"]  # "Notwithstanding" in the annex quote
    plain = _fact(doc, "remote_access_locations", "US", "Notify within seventy-two", "3. Incidents")
    other = _fact(doc, "remote_access_locations", "IN", "A.4 Notify", "Annex A - Data Processing Agreement")
    assert merge([plain, other], doc).values["remote_access_locations"] == ["US", "IN"]


def test_not_stated_and_region_specificity() -> None:
    doc = _doc()
    merged = merge(
        [
            _fact(doc, "storage_locations", "EU", "Data is hosted in Germany", "Amendment No. 1"),
            _fact(doc, "storage_locations", "DE", "Data is hosted in Germany", "Amendment No. 1"),
        ],
        doc,
    )
    assert merged.values["storage_locations"] == ["DE"]
    assert merged.values["key_custody"] == "not_stated"
    assert merged.values["governing_law"] is None
    assert merged.reviews["governing_law"].status == "not_stated"


def test_subprocessors_are_deduplicated_by_name() -> None:
    doc = _doc("Subprocessors\nAmazon Web Services EMEA SARL | Luxembourg | hosting\nAmazon Web Services EMEA S.a.r.l.")
    facts = [
        _fact(
            doc,
            "subprocessors",
            {"name": "Amazon Web Services EMEA SARL", "country": "LU", "purpose": "hosting"},
            "Amazon Web Services EMEA SARL",
            "Subprocessors",
        ),
        _fact(
            doc,
            "subprocessors",
            {"name": "Amazon Web Services EMEA S.a.r.l.", "country": None, "purpose": None},
            "Amazon Web Services EMEA S.a.r.l.",
            "Subprocessors",
        ),
    ]
    merged = merge(facts, doc)
    assert merged.values["subprocessors"] == [
        {"name": "Amazon Web Services EMEA SARL", "country": "LU", "purpose": "hosting", "page": 1}
    ]
