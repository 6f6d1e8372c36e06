"""Find each quote in the document text and build its `Evidence` (page, span, match kind).

A quote counts only if it is in the document: exactly, after normalisation (case, whitespace,
ligatures, quote marks and dashes, line-break hyphens, Markdown marks), or, marked as such,
by a close fuzzy match. The evidence always carries the document's own text for the span,
so what a reviewer reads is verbatim even when the model's copy was not.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from analyser.types import Document, Evidence

log = logging.getLogger(__name__)

FUZZY_THRESHOLD = 92.0
MIN_QUOTE_CHARS = 4
_PUNCTUATION_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
}
_SENTENCE_END = re.compile(r"[.;:](?=\s)|\n\n|\n(?=\s*(?:\d+(?:\.\d+)*\.?|[a-z]\)|\([a-z0-9]+\))\s)")
# Characters that stand for layout, not words: compared as a single space.
_LAYOUT = set(" \t\n\r\f\v\u00a0*_|#`>-")


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Text folded for comparison, with the original offset of every folded character."""

    text: str
    offsets: tuple[int, ...]


def normalise(text: str) -> NormalisedText:
    """Fold case, ligatures, quote marks, dashes and layout, keeping a map back to `text`."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        char = _PUNCTUATION_MAP.get(char, char)
        folded = unicodedata.normalize("NFKC", char).casefold()
        if char in _LAYOUT or folded.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                offsets.append(index)
            continue
        for piece in folded:
            chars.append(piece)
            offsets.append(index)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return NormalisedText("".join(chars), tuple(offsets))


class Grounder:
    """Locates quotes in one document; the normalised text is built once and reused."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._folded = normalise(document.text)

    def locate(self, quote: str, *, near: tuple[int, int] | None = None) -> Evidence | None:
        """Return the Evidence for `quote`, or None when the document does not contain it.

        `near` (a character span, e.g. the chunk the model read) is searched first, so a
        phrase that occurs twice is tied to the passage it was taken from.
        """
        quote = quote.strip()
        if len(quote) < MIN_QUOTE_CHARS:
            return None
        return self._exact(quote, near) or self._normalised(quote, near) or self._fuzzy(quote, near)

    def _exact(self, quote: str, near: tuple[int, int] | None) -> Evidence | None:
        text = self.document.text
        start = text.find(quote, near[0], near[1]) if near else -1
        if start < 0:
            start = text.find(quote)
        if start < 0:
            return None
        return self._evidence(start, start + len(quote), "exact")

    def _normalised(self, quote: str, near: tuple[int, int] | None) -> Evidence | None:
        needle = normalise(quote).text
        if len(needle) < MIN_QUOTE_CHARS:
            return None
        haystack = self._folded.text
        begin = self._folded_index(near[0]) if near else 0
        position = haystack.find(needle, begin) if near else -1
        if position < 0:
            position = haystack.find(needle)
        if position < 0:
            return None
        return self._from_folded(position, position + len(needle), "normalized")

    def _fuzzy(self, quote: str, near: tuple[int, int] | None) -> Evidence | None:
        needle = normalise(quote).text
        if len(needle) < 12:  # short phrases match too much by chance
            return None
        windows = []
        if near:
            windows.append((self._folded_index(near[0]), self._folded_index(near[1])))
        windows.append((0, len(self._folded.text)))
        for begin, end in windows:
            alignment = fuzz.partial_ratio_alignment(needle, self._folded.text[begin:end])
            if alignment is not None and alignment.score >= FUZZY_THRESHOLD:
                return self._from_folded(begin + alignment.dest_start, begin + alignment.dest_end, "fuzzy")
        return None

    def _folded_index(self, original: int) -> int:
        return bisect.bisect_left(self._folded.offsets, original)

    def _from_folded(self, start: int, end: int, match: str) -> Evidence:
        original_start = self._folded.offsets[start]
        original_end = self._folded.offsets[end - 1] + 1
        return self._evidence(original_start, original_end, match)

    def _evidence(self, start: int, end: int, match: str) -> Evidence:
        text = self.document.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Evidence(
            quote=text[start:end],
            page=self.document.page_at(start),
            char_start=start,
            char_end=end,
            match=match,  # type: ignore[arg-type]
        )

    def sentence_around(self, evidence: Evidence, limit: int = 300) -> str:
        """The sentence that holds the evidence."""
        return sentence_around(self.document.text, evidence.char_start, evidence.char_end, limit)


def sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence holding text[start:end]; PDF lines wrap mid-sentence, so a newline alone does not end it."""
    window_start = max(0, start - limit)
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, window_start, start)]
    begin = cuts[-1] if cuts else window_start
    stop = _SENTENCE_END.search(text, end, end + limit)
    finish = stop.start() + 1 if stop else min(len(text), end + limit)
    return text[begin:finish].strip()
