"""Regenerate tests/data/tiny.pdf: a 3-page PDF whose text layer holds a ligature and line-end hyphens.

Run: .venv/bin/python tests/data/make_test_data.py  (needs fpdf2 and the DejaVu fonts)
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PAGES = [
    "Data Processing Agreement\n"
    "1. Parties\nThis agreement is made between Gemeente Voorbeeld (Controller) and Example Cloud B.V., "
    "Amsterdam, the Netherlands (Processor).\n"
    "2. Notifications\nProcessor sends noti\ufb01cations of new subprocessors at least thirty (30) days in advance.",
    "3. Location\nCustomer Data is stored in data centres in the Netherlands. A disaster-\nrecovery copy is kept "
    "in Germany.\n"
    "4. Security\nAll data is encrypted at rest. The encryption keys are managed by the Processor.",
    "5. Governing law\nThis agreement is governed by the laws of the Netherlands. The courts of Amsterdam have "
    "exclusive jurisdiction.",
]


def main() -> None:
    """Write tiny.pdf next to this script."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    for text in PAGES:
        pdf.add_page()
        for line in text.split("\n"):
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(Path(__file__).with_name("tiny.pdf")))


if __name__ == "__main__":
    main()
