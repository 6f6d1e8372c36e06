"""Render a PDF page as an image with a quoted passage highlighted (pypdfium2 + Pillow, no viewer).

The quote in a report comes from the repaired page text (ligatures expanded, line-end hyphens
joined, whitespace collapsed), so it is located in the PDF's own text layer after the same
folding, and the matching characters' boxes are painted on the page image.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2
from PIL import Image, ImageDraw

log = logging.getLogger(__name__)

HIGHLIGHT_FILL = (255, 221, 0, 110)
HIGHLIGHT_OUTLINE = (214, 120, 0, 255)
# A long quote that is not found whole is located by its first and last characters.
ANCHOR_CHARS = 48
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'})
# Hyphens and dashes, pdfium's line-end hyphen marks (\x02, \ufffe) and the soft hyphen.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u00ad\x02\ufffe")


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in PDF points, origin at the bottom left of the page (PDF convention)."""

    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True, slots=True)
class PageView:
    """A rendered page: PNG bytes, the highlighted rectangles and whether the quote was found."""

    png: bytes
    page: int
    page_count: int
    rects: tuple[Rect, ...]
    found: bool


def page_count(pdf: bytes) -> int:
    """The number of pages in a PDF."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def fold_with_index(text: str) -> tuple[str, list[int]]:
    """Fold text for matching and keep, for every folded character, its index in `text`.

    Folding: NFKC (ligatures), case and curly quotes; whitespace and hyphens of every kind are
    dropped, so "disaster-\\r\\nrecovery", "disaster\\ufffe" + "recovery" (pdfium's mark for a
    hyphen at a line end) and "disaster recovery" fold alike.
    """
    folded: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if char.isspace() or char in _HYPHENS:
            continue
        for piece in unicodedata.normalize("NFKC", char).translate(_FOLD).casefold():
            if not piece.isspace() and piece not in _HYPHENS:
                folded.append(piece)
                index.append(position)
    return "".join(folded), index


def locate(page_text: str, quote: str) -> tuple[int, int] | None:
    """The span [start, end) of `quote` in `page_text` after folding, or None when it is not there."""
    haystack, index = fold_with_index(page_text)
    needle, _ = fold_with_index(quote)
    if not needle or not haystack:
        return None
    start = haystack.find(needle)
    if start >= 0:
        return index[start], index[start + len(needle) - 1] + 1
    # The quote may run onto the next page or differ in the middle: anchor on its two ends.
    head, tail = needle[:ANCHOR_CHARS], needle[-ANCHOR_CHARS:]
    start = haystack.find(head)
    if start < 0:
        return None
    end = haystack.find(tail, start + len(head))
    last = end + len(tail) - 1 if end >= 0 else min(start + len(needle), len(haystack)) - 1
    return index[start], index[last] + 1


def quote_rects(pdf: bytes, page: int, quote: str) -> tuple[Rect, ...]:
    """The rectangles (PDF points) covering `quote` on 1-based `page`; empty when not found."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        textpage = document[page - 1].get_textpage()
        span = locate(textpage.get_text_range(), quote)
        if span is None:
            return ()
        start, end = span
        count = textpage.count_rects(start, end - start)
        return tuple(Rect(*textpage.get_rect(i)) for i in range(count))
    finally:
        document.close()


def to_pixels(rect: Rect, page_height: float, scale: float) -> tuple[float, float, float, float]:
    """A PDF rectangle as image pixels (left, top, right, bottom), origin at the top left."""
    return (
        rect.left * scale,
        (page_height - rect.top) * scale,
        rect.right * scale,
        (page_height - rect.bottom) * scale,
    )


def render_page(pdf: bytes, page: int, quote: str = "", *, scale: float = 1.5) -> PageView:
    """Render 1-based `page` as PNG with `quote` highlighted; ValueError for a page out of range."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        total = len(document)
        if not 1 <= page <= total:
            raise ValueError(f"page {page} is outside 1..{total}")
        pdf_page = document[page - 1]
        height = pdf_page.get_height()
        image = pdf_page.render(scale=scale).to_pil().convert("RGBA")
    finally:
        document.close()
    rects = quote_rects(pdf, page, quote) if quote else ()
    return PageView(
        png=_png(_highlight(image, rects, height, scale)),
        page=page,
        page_count=total,
        rects=rects,
        found=bool(rects),
    )


def _highlight(image: Image.Image, rects: Sequence[Rect], page_height: float, scale: float) -> Image.Image:
    if not rects:
        return image
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 2 * scale
    for rect in rects:
        left, top, right, bottom = to_pixels(rect, page_height, scale)
        draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=HIGHLIGHT_FILL)
        draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), outline=HIGHLIGHT_OUTLINE, width=2)
    return Image.alpha_composite(image, overlay)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
