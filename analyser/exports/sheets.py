"""CSV and XLSX writers for the register, guarded against formula injection.

A contract is untrusted input: a subprocessor named "=HYPERLINK(...)" must reach the spreadsheet as
text, not as a formula. Every text cell that starts with = + - @ (or a tab or carriage return, which
some programs strip first) gets a leading apostrophe, as OWASP recommends for CSV; the XLSX writer
also stores every text cell as a plain string.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from analyser.export import atomic_path, write_atomic
from analyser.exports.rows import Cell, Register, Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids most control characters; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELL_LIMIT = 32767


def guard(value: Cell) -> Cell:
    """A cell that no spreadsheet will evaluate: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(table: Table) -> str:
    """The table as CSV (RFC 4180 quoting, CRLF line ends, every cell guarded)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if value is None else guard(value) for value in row])
    return buffer.getvalue()


def write_csv(table: Table, path: Path) -> None:
    """Write the table as UTF-8 CSV with a byte-order mark (so Excel reads the accents right), atomically."""
    write_atomic(path, "\ufeff" + csv_text(table))


def _xlsx_value(value: Cell) -> Cell:
    guarded = guard(value)
    if isinstance(guarded, str):
        return _ILLEGAL_XML.sub("", guarded)[:XLSX_CELL_LIMIT]
    return guarded


def write_xlsx(register: Register, path: Path) -> None:
    """Write one sheet per table (header bold and frozen, filters on), atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for table in register.tables:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
        for item in sheet[1]:
            item.font = Font(bold=True)
        for row_cells in sheet.iter_rows(min_row=2):
            for item in row_cells:
                if isinstance(item.value, str):
                    item.data_type = "s"  # never a formula, whatever the text
                    if "\n" in item.value:
                        item.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        _widths(sheet, table)
    with atomic_path(path) as tmp:
        book.save(tmp)


def _widths(sheet: Any, table: Table) -> None:
    """Columns as wide as their content, within 10 to 60 characters."""
    from openpyxl.utils import get_column_letter

    for index, name in enumerate(table.columns, start=1):
        longest = max([len(name), *(len(str(row[index - 1] or "").split("\n")[0]) for row in table.rows)])
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(60, longest + 2))
