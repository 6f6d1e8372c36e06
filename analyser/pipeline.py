"""Runs the stages in order; the only module that imports them all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from analyser.chunking import split_document
from analyser.config import Settings
from analyser.ingest import read_document
from analyser.types import Chunk, Document

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Inspection:
    """A document as the analyser reads it: pages, language and chunks."""

    document: Document
    chunks: tuple[Chunk, ...]


def inspect_file(path: Path, settings: Settings) -> Inspection:
    """Read and chunk one file without running any model."""
    document = read_document(path, settings.limits)
    chunks = split_document(document, settings.chunk_size, settings.chunk_overlap)
    return Inspection(document=document, chunks=chunks)


def inspection_json(inspection: Inspection, file: str) -> dict[str, object]:
    """The `analyser inspect --json` payload."""
    document = inspection.document
    return {
        "file": file,
        "sha256": document.sha256,
        "media_type": document.media_type,
        "language": document.language,
        "pages": [{"number": p.number, "char_start": p.char_start, "text": p.text} for p in document.pages],
        "chunks": [
            {
                "id": c.id,
                "page_start": c.page_start,
                "page_end": c.page_end,
                "char_start": c.char_start,
                "char_end": c.char_end,
                "heading": c.heading,
                "text": c.text,
            }
            for c in inspection.chunks
        ],
        "warnings": list(document.warnings),
    }
