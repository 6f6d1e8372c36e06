"""Grounding: a quote stands only if it is in the document; page and span are exact."""

from __future__ import annotations

import pytest

from analyser.grounding import Grounder, normalise
from analyser.ingest import parse_bytes
from analyser.types import Document, build_pages

PAGES = [
    "1. Parties\nExample Cloud B.V. (the \u201cProcessor\u201d).\n2. Location\nCustomer Data is hosted in the\n"
    "Amazon Web Services region eu-west-1 (Ireland).",
    "3. Law\nThis Agreement shall be governed by and construed in accordance with the laws of Ireland.\n"
    "4. Exit\nA disaster-recovery copy is deleted within ninety (90) days.",
]


def _document() -> Document:
    return Document(sha256="x", source="t.pdf", media_type="pdf", language="en", pages=build_pages(PAGES), size_bytes=1)


def test_exact_quote_has_exact_page_and_span() -> None:
    doc = _document()
    evidence = Grounder(doc).locate("governed by and construed in accordance with the laws of Ireland")
    assert evidence is not None
    assert evidence.match == "exact"
    assert evidence.page == 2
    assert doc.text[evidence.char_start : evidence.char_end] == evidence.quote
    assert evidence.char_start == doc.text.index("governed by")


def test_line_break_case_and_quote_marks_are_tolerated() -> None:
    doc = _document()
    evidence = Grounder(doc).locate("hosted in the amazon web services region eu-west-1 (Ireland)")
    assert evidence is not None and evidence.match == "normalized"
    assert evidence.quote == "hosted in the\nAmazon Web Services region eu-west-1 (Ireland)"
    assert evidence.page == 1
    assert Grounder(doc).locate('Example Cloud B.V. (the "Processor")') is not None


def test_hyphen_and_space_variants_match() -> None:
    evidence = Grounder(_document()).locate("A disaster recovery copy is deleted")
    assert evidence is not None and evidence.match == "normalized"
    assert evidence.quote == "A disaster-recovery copy is deleted"


def test_small_copy_error_is_a_marked_fuzzy_match() -> None:
    doc = _document()
    evidence = Grounder(doc).locate("shall be governed by and construed in acordance with the laws of Ireland")
    assert evidence is not None
    assert evidence.match == "fuzzy"
    assert "accordance" in evidence.quote  # the evidence shows the document's words, not the model's
    assert doc.text[evidence.char_start : evidence.char_end] == evidence.quote


@pytest.mark.parametrize(
    "hallucination",
    [
        "This Agreement is governed by the laws of the State of Mars.",
        "Customer Data is hosted in Frankfurt, Germany.",
        "",
        "Ire",
    ],
)
def test_hallucinated_quote_is_rejected(hallucination: str) -> None:
    assert Grounder(_document()).locate(hallucination) is None


def test_near_prefers_the_passage_the_model_read() -> None:
    text = "Body: notice of thirty (30) days.\n\nAnnex A: notice of thirty (30) days."
    doc = parse_bytes(text.encode(), "x.txt")
    annex_start = doc.text.index("Annex A")
    evidence = Grounder(doc).locate("notice of thirty (30) days", near=(annex_start, len(doc.text)))
    assert evidence is not None and evidence.char_start > annex_start


def test_normalise_keeps_offsets() -> None:
    folded = normalise("A  \ufb01ne\nDay")
    assert folded.text == "a fine day"
    assert folded.offsets[2] == 3 and folded.offsets[3] == 3  # both letters of the ligature map to it
