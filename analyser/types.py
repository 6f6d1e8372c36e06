"""Domain types shared by the pipeline stages.

Offsets: a `Document` has one text, the pages joined by `PAGE_SEPARATOR`. Every
character offset in the analyser (chunks, evidence) is an offset into that text, and
`Document.page_at` maps any offset back to its 1-based page number.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

PAGE_SEPARATOR = "\n\n"

MediaType = Literal["pdf", "docx", "html", "markdown", "text"]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document: its 1-based number, repaired text and span in the document text."""

    number: int
    text: str
    char_start: int

    @property
    def char_end(self) -> int:
        """Offset just past the last character of this page in the document text."""
        return self.char_start + len(self.text)


@dataclass(frozen=True, slots=True)
class Document:
    """A document read from a file, with per-page text and provenance."""

    sha256: str
    source: str
    media_type: MediaType
    language: str
    pages: tuple[Page, ...]
    size_bytes: int
    warnings: tuple[str, ...] = ()
    text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.text and self.pages:
            object.__setattr__(self, "text", PAGE_SEPARATOR.join(p.text for p in self.pages))

    def page_at(self, offset: int) -> int:
        """Return the 1-based page number holding the character at `offset`."""
        if not self.pages:
            raise ValueError("document has no pages")
        starts = [p.char_start for p in self.pages]
        index = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(index, 0)].number

    def page(self, number: int) -> Page:
        """Return the page with this 1-based number."""
        return self.pages[number - 1]


def build_pages(texts: list[str]) -> tuple[Page, ...]:
    """Number page texts from 1 and compute their offsets in the joined document text."""
    pages: list[Page] = []
    offset = 0
    for number, text in enumerate(texts, start=1):
        pages.append(Page(number=number, text=text, char_start=offset))
        offset += len(text) + len(PAGE_SEPARATOR)
    return tuple(pages)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A contiguous span of the document text sent to retrieval and the model."""

    id: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str
    heading: str = ""


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A chunk with its retrieval score for one query group."""

    chunk: Chunk
    score: float
