"""Repair what text extraction breaks, one page at a time (so page boundaries stay exact)."""

from __future__ import annotations

import re

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE_TABLE = str.maketrans(LIGATURES)
# Unicode spaces that PDF and Word output use for layout; all become a plain space.
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\v]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
# A soft hyphen is an invisible break opportunity: drop it, and the line break after it.
_SOFT_HYPHEN = re.compile(r"\u00ad\s*\n?\s*")
# "in-\napp", "disaster-\nrecovery", "UN-\nKaufrechts": the hyphen is real, the line break is layout.
_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])-[ ]*\n[ ]*(?=[^\W\d_])")
_RUNS_OF_SPACES = re.compile(r" {2,}")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def repair_page_text(text: str) -> str:
    """Return the page text with ligatures, line-end hyphens and stray spacing repaired."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.translate(_LIGATURE_TABLE)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _SOFT_HYPHEN.sub("", text)
    text = _HYPHEN_BREAK.sub("-", text)
    text = _RUNS_OF_SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()
