#!/usr/bin/env python3
"""Render the bundled example contracts in examples/*.md to A4 PDFs.

Each examples/<stem>.md becomes examples/<stem>.pdf with a real text layer,
so the analyser can be tried on PDF input as well as on Markdown.

Requirements (development dependencies of the analyser, installed by `make install`):

* fpdf2          -- PDF writer (pip package ``fpdf2``)
* markdown-it-py -- Markdown parser (pip package ``markdown-it-py``)
* pypdf          -- only for ``--check``
* DejaVu Sans TTF fonts in /usr/share/fonts/truetype/dejavu/
  (Debian package ``fonts-dejavu-core``; override with DEJAVU_DIR)

Typical use, from the repository root::

    .venv/bin/python scripts/make_examples.py          # all examples
    .venv/bin/python scripts/make_examples.py --check  # and verify them

Only the Markdown that the examples use is supported: headings, paragraphs
with bold/italic text, bullet and numbered lists, and pipe tables. The output
is deterministic (fixed creation date), so regenerating an unchanged example
gives an identical PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    from fpdf import FPDF
    from fpdf.fonts import FontFace
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
except ImportError as exc:  # pragma: no cover - only hit without the doc tools
    sys.exit(f"{exc}: this script needs fpdf2 and markdown-it-py, see its docstring")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
FONT_DIR = Path(os.environ.get("DEJAVU_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
FAMILY = "DejaVu"
BODY_PT = 11
TABLE_PT = 10
LINE_MM = 5.5  # line height for 11 pt body text
HEADING_PT = {1: 16, 2: 13, 3: 11.5}
LIST_INDENT_MM = 7
FIXED_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

Segment = tuple[str, str]  # (text, fpdf style: "", "B", "I" or "BI")


@dataclass
class ListState:
    """One open (possibly nested) Markdown list."""

    ordered: bool
    counter: int = 1


@dataclass
class RenderState:
    """What the renderer needs to remember between tokens."""

    lists: list[ListState] = field(default_factory=list)
    pending_marker: str | None = None


def new_pdf(title: str) -> FPDF:
    """Create an A4 portrait document with the DejaVu fonts registered."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(left=22, top=20, right=22)
    pdf.set_auto_page_break(auto=True, margin=20)
    for style, filename in FONT_FILES.items():
        pdf.add_font(FAMILY, style=style, fname=str(FONT_DIR / filename))
    pdf.set_title(title)
    pdf.set_author("Contract analyser project (fictional example, CC BY 4.0)")
    pdf.set_creator("scripts/make_examples.py")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    pdf.set_font(FAMILY, size=BODY_PT)
    return pdf


def inline_segments(inline: Token) -> list[Segment]:
    """Turn an inline token into text segments with bold/italic styles."""
    segments: list[Segment] = []
    bold = italic = False
    for child in inline.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("softbreak", "hardbreak"):
            segments.append((" " if child.type == "softbreak" else "\n", ""))
        elif child.type in ("text", "code_inline"):
            style = ("B" if bold else "") + ("I" if italic else "")
            segments.append((child.content, style))
    return segments


def plain_text(inline: Token) -> str:
    """Inline token as plain text, without any styling."""
    return "".join(text for text, _ in inline_segments(inline))


def write_segments(pdf: FPDF, segments: list[Segment]) -> None:
    """Write styled segments as one flowing, left-aligned paragraph."""
    for text, style in segments:
        pdf.set_font(FAMILY, style=style, size=BODY_PT)
        pdf.write(LINE_MM, text)
    pdf.set_font(FAMILY, size=BODY_PT)
    pdf.ln(LINE_MM)


def render_heading(pdf: FPDF, level: int, text: str) -> None:
    """Bold heading; starts a new page rather than sit alone at the bottom."""
    if pdf.get_y() > pdf.page_break_trigger - 25:
        pdf.add_page()
    size = HEADING_PT.get(level, BODY_PT)
    pdf.ln(4 if level > 1 else 0)
    pdf.set_font(FAMILY, style="B", size=size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=BODY_PT)
    pdf.ln(2 if level > 1 else 4)


def render_paragraph(pdf: FPDF, segments: list[Segment], state: RenderState) -> None:
    """Body paragraph, or the text of a list item when a marker is pending."""
    if state.pending_marker is None:
        write_segments(pdf, segments)
        pdf.ln(2)
        return
    left = pdf.l_margin
    indent = LIST_INDENT_MM * len(state.lists)
    pdf.set_x(left + indent - LIST_INDENT_MM)
    pdf.cell(LIST_INDENT_MM, LINE_MM, state.pending_marker)
    pdf.set_left_margin(left + indent)
    write_segments(pdf, segments)
    pdf.set_left_margin(left)
    pdf.ln(1.5)
    state.pending_marker = None


def column_widths(pdf: FPDF, rows: list[list[str]], padding: float) -> list[float]:
    """Column widths in mm: no word is split, and longer columns get more room."""

    def width(text: str, style: str = "") -> float:
        pdf.set_font(FAMILY, style=style, size=TABLE_PT)
        return pdf.get_string_width(text) + 2 * padding + 1

    styles = ["B"] + [""] * (len(rows) - 1)  # first row holds the headings
    minimum = [0.0] * len(rows[0])
    desired = [0.0] * len(rows[0])
    for cells, style in zip(rows, styles, strict=True):
        for c, text in enumerate(cells):
            minimum[c] = max(minimum[c], *(width(w, style) for w in text.split() or [""]))
            desired[c] = max(desired[c], width(text, style))
    available = pdf.epw
    if sum(desired) <= available or sum(minimum) >= available:
        base = desired if sum(desired) <= available else minimum
        return [w * available / sum(base) for w in base]
    extra = [d - m for d, m in zip(desired, minimum, strict=True)]
    spare = available - sum(minimum)
    return [m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]


def render_table(pdf: FPDF, rows: list[list[str]]) -> None:
    """Render a pipe table with fpdf2's table() API (first row = headings)."""
    padding = 1.5
    widths = column_widths(pdf, rows, padding)
    pdf.set_font(FAMILY, size=TABLE_PT)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        text_align="LEFT",
        line_height=TABLE_PT * 0.48,
        padding=padding,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
    ) as table:
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)
    pdf.set_font(FAMILY, size=BODY_PT)
    pdf.ln(4)


def collect_table(tokens: list[Token], start: int) -> tuple[list[list[str]], int]:
    """Read table rows from tokens[start] (table_open); return rows and end index."""
    rows: list[list[str]] = []
    current: list[str] = []
    i = start
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            current = []
        elif tok.type == "inline":
            current.append(plain_text(tok))
        elif tok.type == "tr_close":
            rows.append(current)
        i += 1
    return rows, i


def render_markdown(pdf: FPDF, text: str) -> None:
    """Render the supported subset of Markdown onto the PDF."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    state = RenderState()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            render_heading(pdf, int(tok.tag[1]), plain_text(tokens[i + 1]))
            i += 2
        elif tok.type == "paragraph_open":
            render_paragraph(pdf, inline_segments(tokens[i + 1]), state)
            i += 2
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrs.get("start", 1) or 1)
            state.lists.append(ListState(tok.type == "ordered_list_open", start))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            state.lists.pop()
            pdf.ln(1.5)
        elif tok.type == "list_item_open":
            current = state.lists[-1]
            state.pending_marker = f"{current.counter}." if current.ordered else "•"
            current.counter += 1
        elif tok.type == "table_open":
            rows, i = collect_table(tokens, i)
            render_table(pdf, rows)
        elif tok.type == "hr":
            y = pdf.get_y() + 2
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.ln(6)
        i += 1


def build(md_path: Path) -> Path:
    """Render one Markdown file to a PDF next to it and return the PDF path."""
    text = md_path.read_text(encoding="utf-8")
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("# ")), md_path.stem)
    pdf = new_pdf(title)
    render_markdown(pdf, text)
    out = md_path.with_suffix(".pdf")
    pdf.output(str(out))
    return out


def collapse(text: str) -> str:
    """Collapse all runs of whitespace to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def expected_texts(md_text: str) -> list[str]:
    """Headings, paragraphs, list items and table cells of a Markdown text."""
    tokens = MarkdownIt("commonmark").enable("table").parse(md_text)
    return [collapse(plain_text(t)) for t in tokens if t.type == "inline" and t.content.strip()]


def check(md_path: Path, pdf_path: Path) -> tuple[int, list[str]]:
    """Page count and problems of a PDF: too few pages, Markdown text not extractable."""
    from pypdf import PdfReader  # only needed for --check

    reader = PdfReader(str(pdf_path))
    problems = []
    if len(reader.pages) < 2:
        problems.append(f"only {len(reader.pages)} page(s)")
    extracted = collapse(" ".join(page.extract_text() or "" for page in reader.pages))
    for snippet in expected_texts(md_path.read_text(encoding="utf-8")):
        if snippet not in extracted:
            problems.append(f"text not found in PDF: {snippet[:70]!r}")
    return len(reader.pages), problems


def main(argv: list[str] | None = None) -> int:
    """Build the given (default: all) example PDFs; optionally verify them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: examples/*.md)")
    parser.add_argument("--check", action="store_true", help="verify the PDFs with pypdf")
    args = parser.parse_args(argv)
    files = args.files or sorted(p for p in EXAMPLES.glob("*.md") if p.name != "README.md")
    failed = False
    for md_path in files:
        pdf_path = build(md_path.resolve())
        line = f"wrote {pdf_path}"
        if args.check:
            pages, problems = check(md_path, pdf_path)
            line += f" ({pages} pages): " + ("ok" if not problems else "; ".join(problems))
            failed = failed or bool(problems)
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
