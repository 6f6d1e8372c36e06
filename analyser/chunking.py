"""Split a Document into clause-aware chunks that keep their page span and character offsets."""

from __future__ import annotations

import bisect
import re

from langchain_text_splitters import RecursiveCharacterTextSplitter

from analyser.types import Chunk, Document

# Words that open a clause or an annex in English, Dutch and German contracts.
_CLAUSE_WORDS = (
    r"Article|Artikel|Art\.|Section|Sectie|Clause|Klausel|Ziffer|§|Annex|Appendix|Schedule|Exhibit|Attachment|"
    r"Addendum|Amendment|Bijlage|Aanhangsel|Anlage|Anhang|Part|Deel|Teil"
)
_HEADING_LINE = re.compile(rf"^(?:(?:{_CLAUSE_WORDS})\s*[\dIVXA-Z]|\d{{1,2}}(?:\.\d{{1,2}})*\.?\s+[A-ZÄÖÜ]).{{0,120}}$")
# Split first at clause and annex headings, then at numbered paragraphs, then blank lines,
# lines, sentences and words. Lookaheads keep the heading with the text that follows it.
SEPARATORS = [
    rf"\n(?=(?:{_CLAUSE_WORDS})\s*[\dIVXA-Z])",
    r"\n(?=\d{1,2}(?:\.\d{1,2})*\.?\s+\S)",
    r"\n\n",
    r"\n",
    r"(?<=[.;:])\s+",
    r" ",
    r"",
]


def split_document(document: Document, chunk_size: int = 1200, overlap: int = 150) -> tuple[Chunk, ...]:
    """Split the document text into chunks of about `chunk_size` characters."""
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator="start",
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        strip_whitespace=True,
    )
    text = document.text
    headings = _heading_positions(text)
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(text):
        start = text.find(piece, cursor)
        if start < 0:  # the splitter only strips whitespace, so this should not happen
            raise AssertionError(f"chunk not found in document text at or after {cursor}")
        end = start + len(piece)
        chunks.append(
            Chunk(
                id=f"c{len(chunks):03d}",
                page_start=document.page_at(start),
                page_end=document.page_at(end - 1),
                char_start=start,
                char_end=end,
                text=piece,
                heading=_heading_before(text, headings, start),
            )
        )
        cursor = start + 1
    return tuple(chunks)


def _heading_positions(text: str) -> list[int]:
    positions = []
    offset = 0
    for line in text.split("\n"):
        if _HEADING_LINE.match(line.strip()):
            positions.append(offset)
        offset += len(line) + 1
    return positions


def _heading_before(text: str, positions: list[int], start: int) -> str:
    """The heading line that governs a chunk starting at `start` (its own first line if a heading)."""
    index = bisect.bisect_right(positions, start) - 1
    if index < 0:
        return ""
    begin = positions[index]
    end = text.find("\n", begin)
    return text[begin : end if end >= 0 else len(text)].strip()


_PART_HEADING = re.compile(
    r"^(?:#+\s*)?(?:Annex|Schedule|Exhibit|Appendix|Attachment|Addendum|Amendment|Bijlage|Aanhangsel|Wijziging|"
    r"Anlage|Anhang|Änderung|Nachtrag)\b.{0,120}$",
    re.I,
)


def section_at(text: str, offset: int) -> str:
    """The heading a position falls under: the last annex/amendment heading before it, else the nearest heading.

    Precedence depends on the part of the contract (body, annex, amendment), so a part
    heading such as "Annex A – Data Processing Agreement" wins over a clause heading
    below it ("A.2 Location of Processing").
    """
    part = ""
    nearest = ""
    for line in text[:offset].split("\n"):
        stripped = line.strip()
        if _PART_HEADING.match(stripped) and len(stripped) < 130 and not stripped.endswith((".", ",", ";")):
            part = stripped
        elif _HEADING_LINE.match(stripped):
            nearest = stripped
    return part or nearest
