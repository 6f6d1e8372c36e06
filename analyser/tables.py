"""Tables the app shows and exports: the vendor comparison matrix, and rows as CSV or XLSX bytes."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from analyser.i18n import Lang, field_label, localised, t
from analyser.policy import LoadedPolicy
from analyser.review import field_value, format_value
from analyser.types import DocumentReport

Row = Mapping[str, object]
# A contract's text is untrusted: a quote starting like a formula must not run in Excel.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The facts a buyer compares vendors on, in the matrix's column order.
KEY_FACTS = (
    "provider.country",
    "storage_locations",
    "remote_access_locations",
    "governing_law",
    "courts",
    "transfer_mechanisms",
    "key_custody",
    "encryption_at_rest",
    "breach_notification_hours",
    "subprocessor_objection_right",
    "exit.deletion_days",
    "exit.export_format",
)


def vendor_name(report: DocumentReport) -> str:
    """The vendor as the matrix names it: the provider stated in the document, else the file name."""
    return report.provider.name or report.document


def comparison_rows(reports: Sequence[DocumentReport], lang: Lang) -> list[dict[str, object]]:
    """One row per vendor: key facts, subprocessor count and, when assessed, the risk levels."""
    rows: list[dict[str, object]] = []
    for report in reports:
        row: dict[str, object] = {t("vendor", lang): vendor_name(report), t("document", lang): report.document}
        row.update(_risk_columns(report, lang))
        for field in KEY_FACTS:
            row[field_label(field, lang)] = format_value(field_value(report, field), lang)
        row[field_label("subprocessors", lang)] = len(report.subprocessors)
        rows.append(row)
    return rows


def sort_rows(rows: Sequence[Row], column: str, *, descending: bool = False) -> list[Row]:
    """Rows ordered by one column; empty cells last, numbers as numbers, text case-insensitively."""

    def key(row: Row) -> tuple[int, int, float, str]:
        value = row.get(column)
        if value is None or value == "":
            return (1, 0, 0.0, "")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (0, 0, float(value), "")
        return (0, 1, 0.0, str(value).casefold())

    filled = [r for r in rows if r.get(column) not in (None, "")]
    empty = [r for r in rows if r.get(column) in (None, "")]
    return sorted(filled, key=key, reverse=descending) + empty


def rows_csv(rows: Sequence[Row]) -> bytes:
    """Rows as UTF-8 CSV with a byte-order mark, so spreadsheet programs read accents correctly."""
    buffer = io.StringIO()
    columns = _columns(rows)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_xlsx(sheets: Mapping[str, Sequence[Row]]) -> bytes:
    """One worksheet per name (Excel's 31-character limit applied), header row in bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(title=_sheet_title(name))
        columns = _columns(rows)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _risk_columns(report: DocumentReport, lang: Lang) -> dict[str, object]:
    risk = report.risk
    if risk is None:
        return {}
    columns: dict[str, object] = {
        t("overall", lang): t(f"level.{risk.overall}", lang),
        t("sovereignty", lang): risk.sovereignty_level,
    }
    for name, dimension in risk.dimensions.items():
        columns[f"{t('risk_of', lang)} · {t(f'dim.{name}', lang)}"] = t(f"level.{dimension.level}", lang)
    return columns


def finding_rows(report: DocumentReport, lang: Lang) -> list[dict[str, object]]:
    """The risk findings as table rows, in the report's language choice (Dutch texts where given)."""
    if report.risk is None:
        return []
    return [
        {
            t("rule", lang): f.rule_id,
            t("dimension", lang): t(f"dim.{f.dimension}", lang),
            t("severity", lang): t(f"level.{f.severity}", lang),
            t("title_col", lang): localised(f.title, f.title_nl, lang),
            t("explanation", lang): localised(f.explanation, f.explanation_nl, lang),
            t("legal_basis", lang): "; ".join(basis.cite() for basis in f.legal_basis),
            t("action", lang): localised(f.action, f.action_nl, lang),
            t("quote", lang): " | ".join(f"p. {e.page}: {e.quote}" for e in f.evidence),
        }
        for f in report.risk.findings
    ]


def _columns(rows: Sequence[Row]) -> list[str]:
    return list(dict.fromkeys(column for row in rows for column in row))


def _cell(value: object) -> str | int | float | None:
    """A cell value; text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _sheet_title(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "Sheet"
    return cleaned[:31]


def report_markdown(report: DocumentReport, lang: Lang) -> str:
    """A readable report: the risk summary, every fact with its value, quote and page, the review decisions."""
    from analyser.review import audit_rows, fact_rows
    from analyser.risk import risk_markdown

    lines = [f"# {vendor_name(report)}", "", f"{t('document', lang)}: {report.document}", ""]
    if report.risk is not None:
        lines += [risk_markdown(report.risk, lang).rstrip(), ""]
    lines += [f"## {t('facts', lang)}", ""]
    lines += _markdown_table(fact_rows(report, lang))
    if report.review:
        lines += ["", f"## {t('audit_trail', lang)}", ""]
        lines += _markdown_table(audit_rows(report.review, lang))
    return "\n".join(lines) + "\n"


def _markdown_table(rows: Sequence[Row]) -> list[str]:
    columns = _columns(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [_markdown_cell(row.get(c)) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _markdown_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


REGISTER_FILES = ("summary.csv", "summary.xlsx", "report.md")


def register_files(reports: Sequence[DocumentReport], policy: LoadedPolicy | None = None) -> dict[str, bytes]:
    """The batch register of these reports (vendor profiles merged, assessed under `policy`) as file bytes.

    Written by the batch's own writers (analyser.exports) into a temporary folder that is removed,
    so a download from the app matches `analyser batch` output exactly.
    """
    from analyser import exports, risk, vendors
    from analyser.export import safe_stem

    filed = [vendors.Filed(report=r, report_file=f"{safe_stem(r.document)}.json") for r in reports]
    profiles = vendors.build_profiles(filed, lambda terms: risk.assess(terms, policy))
    with tempfile.TemporaryDirectory(prefix="analyser-register-") as folder:
        exports.write_register(profiles, Path(folder))
        return {name: (Path(folder) / name).read_bytes() for name in REGISTER_FILES}
