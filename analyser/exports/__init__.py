"""The register exports of a batch: DIR/summary.csv, DIR/summary.xlsx and DIR/report.md.

All three are generated from the same vendor profiles and document reports (`rows.py` builds the
rows once); the per-document and per-vendor JSON files are written by `analyser.export`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analyser.export import vendor_files, write_atomic
from analyser.exports.markdown import register_markdown
from analyser.exports.rows import Register, build_register
from analyser.exports.sheets import write_csv, write_xlsx
from analyser.types import VendorProfile

__all__ = ["Register", "build_register", "register_markdown", "write_csv", "write_register", "write_xlsx"]


def write_register(profiles: Sequence[VendorProfile], out: Path) -> None:
    """Write summary.csv (vendors), summary.xlsx (vendors, subprocessors, findings, documents) and report.md."""
    register = build_register(profiles, vendor_files(list(profiles)))
    write_csv(register.vendors, out / "summary.csv")
    write_xlsx(register, out / "summary.xlsx")
    write_atomic(out / "report.md", register_markdown(register, profiles))
