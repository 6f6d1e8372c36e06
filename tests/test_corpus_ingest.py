"""Every corpus PDF reads with the right page count and language, and every gold quote is in its text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from analyser.ingest import read_document

pytestmark = pytest.mark.corpus


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _quote_without_markdown(quote: str) -> str:
    """Gold quotes come from the Markdown source: table pipes and emphasis marks are not in a PDF."""
    return _collapse(re.sub(r"[*_|`]", " ", quote))


def test_every_corpus_pdf_ingests_and_contains_its_gold_quotes(corpus: Path) -> None:
    missing: list[str] = []
    for gold_file in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        pdf = corpus / "docs" / f"{gold_file.stem}.pdf"
        document = read_document(pdf)
        assert len(document.pages) == len(PdfReader(pdf).pages), pdf.name
        assert document.language == gold["language"], pdf.name
        text = _collapse(document.text)
        for field, quotes in gold["evidence"].items():
            for quote in quotes:
                if _quote_without_markdown(quote) not in text:
                    missing.append(f"{pdf.name} {field}: {quote!r}")
    assert missing == []
