"""The risk summary as Markdown, in English or Dutch (for Markdown exports and the app)."""

from __future__ import annotations

from typing import Literal

from analyser.risk.rulebook import load_dimensions
from analyser.types import Finding, Risk, RiskLevel

Language = Literal["en", "nl"]

_HEADINGS: dict[Language, dict[str, str]] = {
    "en": {
        "risk": "Risk assessment",
        "overall": "Overall",
        "dimension": "Dimension",
        "level": "Level",
        "why": "Why",
        "sovereignty": "Indicative sovereignty level",
        "findings": "Findings",
        "basis": "Legal basis",
        "action": "Action",
        "evidence": "Evidence",
        "page": "p.",
        "policy": "Policy",
        "none": "No findings.",
    },
    "nl": {
        "risk": "Risicobeoordeling",
        "overall": "Totaal",
        "dimension": "Dimensie",
        "level": "Niveau",
        "why": "Waarom",
        "sovereignty": "Indicatief soevereiniteitsniveau",
        "findings": "Bevindingen",
        "basis": "Juridische grondslag",
        "action": "Actie",
        "evidence": "Bewijs",
        "page": "p.",
        "policy": "Beleid",
        "none": "Geen bevindingen.",
    },
}


_LEVELS: dict[Language, dict[RiskLevel, str]] = {
    "en": {"low": "low", "medium": "medium", "high": "high", "unknown": "unknown"},
    "nl": {"low": "laag", "medium": "middel", "high": "hoog", "unknown": "onbekend"},
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _finding(finding: Finding, language: Language) -> list[str]:
    words = _HEADINGS[language]
    dutch = language == "nl"
    title = finding.title_nl if dutch and finding.title_nl else finding.title
    explanation = finding.explanation_nl if dutch and finding.explanation_nl else finding.explanation
    action = finding.action_nl if dutch and finding.action_nl else finding.action
    lines = [
        f"#### {finding.rule_id} · {title} ({_LEVELS[language][finding.severity]})",
        "",
        explanation,
        "",
        f"- **{words['basis']}:** {'; '.join(b.cite() for b in finding.legal_basis)}",
        f"- **{words['action']}:** {action}",
    ]
    for item in finding.evidence:
        lines.append(f"- **{words['evidence']}** ({words['page']} {item.page}): “{_cell(item.quote)}”")
    return [*lines, ""]


def risk_markdown(risk: Risk, language: Language = "en") -> str:
    """A Markdown section: overall level, a table of dimensions, the SEAL indication and each finding."""
    words = _HEADINGS[language]
    dutch = language == "nl"
    names = load_dimensions()
    overall = risk.overall_explanation_nl if dutch and risk.overall_explanation_nl else risk.overall_explanation
    lines = [
        f"## {words['risk']}",
        "",
        f"**{words['overall']}: {_LEVELS[language][risk.overall]}.** {overall}",
        "",
        f"| {words['dimension']} | {words['level']} | {words['why']} |",
        "| --- | --- | --- |",
    ]
    for name, dimension in risk.dimensions.items():
        text = dimension.explanation_nl if dutch and dimension.explanation_nl else dimension.explanation
        label = names[name].name.nl if dutch else names[name].name.en
        lines.append(f"| {label} | {_LEVELS[language][dimension.level]} | {_cell(text)} |")
    sovereignty = risk.sovereignty
    label = sovereignty.label_nl if dutch and sovereignty.label_nl else sovereignty.label
    lines += ["", f"**{words['sovereignty']}: {risk.sovereignty_level}.** {label}", ""]
    for objective in sovereignty.objectives:
        reason = objective.reason_nl if dutch and objective.reason_nl else objective.reason
        lines.append(f"- {objective.objective} {objective.name}: {objective.level}. {reason}")
    lines += ["", f"{words['policy']}: {risk.policy.name} (sha256 {risk.policy.sha256[:12]})", ""]
    lines += [f"### {words['findings']}", ""]
    lines += [] if risk.findings else [words["none"], ""]
    for finding in risk.findings:
        lines += _finding(finding, language)
    return "\n".join(lines).rstrip() + "\n"
