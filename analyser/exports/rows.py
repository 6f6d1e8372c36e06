"""The register as tables: one row per vendor, per subprocessor, per finding and per document.

CSV, XLSX and Markdown are all written from these rows, so they always agree. Evidence cells read
"p. N: quote (document)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyser.types import RISK_DIMENSIONS, Finding, SourcedValue, VendorProfile

Cell = str | int | float | None
# Facts in the vendor row, in column order; each is followed by its evidence column.
VENDOR_FACTS = (
    "provider.name",
    "provider.country",
    "storage_locations",
    "remote_access_locations",
    "governing_law",
    "courts",
    "subprocessor_change_notice_days",
    "subprocessor_objection_right",
    "transfer_mechanisms",
    "key_custody",
    "encryption_at_rest",
    "breach_notification_hours",
    "exit.data_return",
    "exit.deletion_days",
    "exit.export_format",
    "exit.termination_assistance",
)
QUOTE_CHARS = 300
TOP_FINDINGS = 3
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True, slots=True)
class Table:
    """A named table: column names and rows of plain cells."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def records(self) -> list[dict[str, Cell]]:
        """The rows as dicts by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Register:
    """Every table of the register, in sheet order."""

    vendors: Table
    subprocessors: Table
    findings: Table
    documents: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        """The tables in the order the workbook shows them."""
        return (self.vendors, self.subprocessors, self.findings, self.documents)


def column_name(field: str) -> str:
    """A flat column name for a dotted field ("exit.deletion_days" -> "exit_deletion_days")."""
    return field.replace(".", "_")


def cell(value: Any) -> Cell:
    """A value as a spreadsheet cell: lists joined with "; ", booleans as yes/no, None empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def evidence_text(page: int | None, quote: str, document: str = "") -> str:
    """ "p. N: quote (document)", the quote shortened to QUOTE_CHARS on a word boundary."""
    quote = " ".join(quote.split())
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    text = f"p. {page}: {quote}" if page is not None else quote
    return f"{text} ({document})" if document else text


def _evidence_cell(sources: Sequence[SourcedValue]) -> Cell:
    return "\n".join(evidence_lines(sources)) or None


def evidence_lines(sources: Sequence[SourcedValue]) -> list[str]:
    """The evidence of the values a profile uses, one line each; a quote repeated by copies of a document once."""
    lines: dict[str, str] = {}
    for source in sources:
        if source.chosen and (source.quote or source.page is not None):
            lines.setdefault(
                " ".join(source.quote.casefold().split()), evidence_text(source.page, source.quote, source.document)
            )
    return list(lines.values())


def profile_value(profile: VendorProfile, field: str) -> Any:
    """The profile's value for a dotted field name."""
    value: Any = profile
    for part in field.split("."):
        value = getattr(value, part)
    return None if value == "not_stated" else value


def build_register(profiles: Sequence[VendorProfile], vendor_files: Mapping[str, str]) -> Register:
    """All tables of the register from the vendor profiles."""
    return Register(
        vendors=_vendors(profiles, vendor_files),
        subprocessors=_subprocessors(profiles),
        findings=_findings(profiles),
        documents=_documents(profiles),
    )


def top_findings(profile: VendorProfile, count: int = TOP_FINDINGS) -> list[Finding]:
    """The most severe findings that name a problem or a gap (mitigations left out)."""
    if profile.risk is None:
        return []
    findings = [f for f in profile.risk.findings if f.kind != "mitigation"]
    findings.sort(key=lambda f: (_SEVERITY_RANK[f.severity], RISK_DIMENSIONS.index(f.dimension)))
    return findings[:count]


def _risk_cells(profile: VendorProfile) -> list[Cell]:
    risk = profile.risk
    if risk is None:
        return [None] * (len(RISK_DIMENSIONS) + 3)
    levels: list[Cell] = [risk.dimensions[d].level if d in risk.dimensions else None for d in RISK_DIMENSIONS]
    top = "\n".join(f"{f.severity}: {f.title}" for f in top_findings(profile)) or None
    return [risk.overall, *levels, risk.sovereignty_level, top]


def _vendors(profiles: Sequence[VendorProfile], vendor_files: Mapping[str, str]) -> Table:
    columns = ["vendor", "grouped_by", "documents", "failed_documents", "risk_overall"]
    columns += [f"risk_{d}" for d in RISK_DIMENSIONS] + ["sovereignty_level", "top_findings"]
    for field in VENDOR_FACTS:
        columns += [column_name(field), f"{column_name(field)}_evidence"]
    columns += ["subprocessors", "conflicts", "profile"]
    rows = []
    for profile in profiles:
        row: list[Cell] = [
            profile.vendor,
            profile.grouped_by,
            len(profile.documents),
            sum(1 for d in profile.documents if d.status == "failed"),
            *_risk_cells(profile),
        ]
        for field in VENDOR_FACTS:
            row += [cell(profile_value(profile, field)), _evidence_cell(profile.sources.get(field, ()))]
        row += [len(profile.subprocessors), cell(profile.conflicts), f"vendors/{vendor_files.get(profile.vendor, '')}"]
        rows.append(tuple(row))
    return Table("vendors", tuple(columns), tuple(rows))


def _subprocessors(profiles: Sequence[VendorProfile]) -> Table:
    columns = ("vendor", "name", "country", "purpose", "document", "page", "evidence")
    rows = tuple(
        (
            profile.vendor,
            sub.name,
            sub.country,
            sub.purpose,
            sub.document,
            sub.page,
            evidence_text(sub.page, sub.quote) if sub.quote else None,
        )
        for profile in profiles
        for sub in profile.subprocessors
    )
    return Table("subprocessors", columns, rows)


def _findings(profiles: Sequence[VendorProfile]) -> Table:
    columns = (
        "vendor",
        "dimension",
        "severity",
        "kind",
        "rule_id",
        "finding",
        "legal_basis",
        "action",
        "documents",
        "evidence",
    )
    rows = []
    for profile in profiles:
        for finding in profile.risk.findings if profile.risk else ():
            rows.append(
                (
                    profile.vendor,
                    finding.dimension,
                    finding.severity,
                    finding.kind,
                    finding.rule_id,
                    finding.title,
                    "; ".join(b.cite() for b in finding.legal_basis) or None,
                    finding.action or None,
                    cell(profile.finding_documents.get(finding.rule_id, ())) or None,
                    "\n".join(evidence_text(e.page, e.quote) for e in finding.evidence) or None,
                )
            )
    return Table("findings", columns, tuple(rows))


def _documents(profiles: Sequence[VendorProfile]) -> Table:
    columns = ("vendor", "document", "report", "status", "risk_level", "pages", "errors")
    rows = tuple(
        (profile.vendor, doc.document, doc.report, doc.status, doc.risk_level, doc.pages, cell(doc.errors) or None)
        for profile in profiles
        for doc in profile.documents
    )
    return Table("documents", columns, rows)
