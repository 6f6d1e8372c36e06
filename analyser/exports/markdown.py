"""DIR/report.md: the register as readable Markdown, a table of vendors, then a section per vendor."""

from __future__ import annotations

import html
from collections.abc import Sequence

from analyser.exports.rows import VENDOR_FACTS, Cell, Register, cell, evidence_lines, evidence_text, profile_value
from analyser.types import VendorProfile

FACT_LABELS = {
    "provider.name": "Provider",
    "provider.country": "Provider seat",
    "storage_locations": "Storage locations",
    "remote_access_locations": "Remote access from",
    "governing_law": "Governing law",
    "courts": "Courts",
    "subprocessor_change_notice_days": "Subprocessor change notice (days)",
    "subprocessor_objection_right": "Right to object to subprocessors",
    "transfer_mechanisms": "Transfer mechanisms",
    "key_custody": "Key custody",
    "encryption_at_rest": "Encryption at rest",
    "breach_notification_hours": "Breach notification (hours)",
    "exit.data_return": "Data returned at exit",
    "exit.deletion_days": "Deletion after exit (days)",
    "exit.export_format": "Export format",
    "exit.termination_assistance": "Termination assistance",
}


def text(value: Cell) -> str:
    """A cell as Markdown table text: HTML escaped (contract text is untrusted), pipes and newlines safe."""
    if value is None or value == "":
        return "–"
    escaped = html.escape(str(value), quote=False).replace("|", "\\|")
    return " ".join(escaped.split("\n")).replace("`", "\\`")


def _table(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(text(v) for v in row) + " |" for row in rows]
    return lines


def register_markdown(register: Register, profiles: Sequence[VendorProfile]) -> str:
    """The whole report.md."""
    documents = sum(len(p.documents) for p in profiles)
    lines = [
        "# Vendor register",
        "",
        f"{len(profiles)} vendors, {documents} documents. Every value comes with the page and quote it rests on;",
        "the JSON files in `vendors/` hold every document's value for every field.",
        "",
        "## Register",
        "",
    ]
    overview = [
        (
            p.vendor,
            len(p.documents),
            cell(p.governing_law),
            cell(p.storage_locations),
            len(p.subprocessors),
            cell(profile_value(p, "key_custody")),
            p.risk.overall if p.risk else None,
        )
        for p in profiles
    ]
    lines += _table(
        ("Vendor", "Documents", "Governing law", "Storage", "Subprocessors", "Key custody", "Risk"), overview
    )
    for profile in profiles:
        lines += ["", *_vendor_section(profile)]
    return "\n".join(lines) + "\n"


def _risk_section(profile: VendorProfile) -> list[str]:
    """The risk of the vendor's merged terms: overall level, then each dimension with its reason."""
    risk = profile.risk
    if risk is None:
        return []
    lines = ["### Risk", "", f"**Overall: {risk.overall}.** {text(risk.overall_explanation)}", ""]
    rows = [(name, level.level, level.explanation) for name, level in risk.dimensions.items()]
    lines += [*_table(("Dimension", "Level", "Why"), rows), ""]
    lines += [f"Indicative sovereignty level: {risk.sovereignty_level} ({text(risk.sovereignty.label)})", ""]
    return lines


def _vendor_section(profile: VendorProfile) -> list[str]:
    lines = [f"## {text(profile.vendor)}", ""]
    docs = ", ".join(f"`{d.document}` ({d.status})".replace("|", "\\|") for d in profile.documents)
    lines += [f"Documents ({profile.grouped_by}): {docs}", "", *_risk_section(profile), "### Facts", ""]
    facts = []
    for field in VENDOR_FACTS:
        value = cell(profile_value(profile, field))
        where = "; ".join(evidence_lines(profile.sources.get(field, ())))
        facts.append((FACT_LABELS[field], value, where))
    lines += _table(("Field", "Value", "Evidence"), facts)
    if profile.conflicts:
        named = ", ".join(FACT_LABELS.get(c, c) for c in profile.conflicts)
        lines += ["", f"**Documents disagree on:** {text(named)} (see the vendor's JSON for every value)."]
    if profile.subprocessors:
        rows = [(s.name, s.country, s.purpose, s.document, s.page) for s in profile.subprocessors]
        lines += ["", "### Subprocessors", "", *_table(("Name", "Country", "Purpose", "Document", "Page"), rows)]
    findings = profile.risk.findings if profile.risk else ()
    if findings:
        lines += ["", "### Findings", ""]
        for finding in findings:
            where = ", ".join(f"`{d}`" for d in profile.finding_documents.get(finding.rule_id, ()))
            lines.append(f"- **{finding.severity}** ({finding.dimension}, {finding.kind}) {text(finding.title)}")
            if finding.action:
                lines.append(f"  - Action: {text(finding.action)}")
            lines += [f"  - {text(evidence_text(e.page, e.quote))}" for e in finding.evidence]
            if where:
                lines.append(f"  - Documents: {where}")
    failed = [d for d in profile.documents if d.status == "failed"]
    if failed:
        lines += ["", "### Documents that could not be analysed", ""]
        lines += [f"- `{d.document}`: {text('; '.join(d.errors))}" for d in failed]
    return lines
