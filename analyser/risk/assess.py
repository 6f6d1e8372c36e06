"""Assess a report's facts against the risk rules and an organisation policy."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from string import Template

from analyser.policy import LoadedPolicy, default_policy
from analyser.risk.evidence import finding_evidence
from analyser.risk.predicates import PREDICATES, Context
from analyser.risk.rulebook import RuleSpec, load_dimensions, load_rules
from analyser.risk.situation import Situation, situation
from analyser.risk.sovereignty import indicate
from analyser.types import (
    RISK_DIMENSIONS,
    DimensionRisk,
    DocumentReport,
    Finding,
    Risk,
    RiskDimension,
    RiskLevel,
    Severity,
)

log = logging.getLogger(__name__)

SEVERITY_RANK: dict[Severity, int] = {"low": 0, "medium": 1, "high": 2}
LEVEL_NAMES: dict[RiskLevel, tuple[str, str]] = {
    "low": ("Low", "Laag"),
    "medium": ("Medium", "Middel"),
    "high": ("High", "Hoog"),
    "unknown": ("Unknown", "Onbekend"),
}


def assess(report: DocumentReport, policy: LoadedPolicy | None = None, rules: Sequence[RuleSpec] | None = None) -> Risk:
    """Assess one report: findings with legal basis and evidence, levels per dimension, SEAL indication.

    Uses only the report's facts (values, `facts` reviews and `evidence`), so it can be re-run after a
    reviewer corrects values, or over stored reports. `policy` defaults to the packaged default policy
    (analyser.policy.load_policy); `rules` to the packaged rules (for tests).
    """
    loaded = policy or default_policy()
    situation_ = situation(report)
    findings = [f for rule in (rules or load_rules()) if (f := _fire(rule, report, loaded, situation_))]
    findings.sort(key=lambda f: (RISK_DIMENSIONS.index(f.dimension), -SEVERITY_RANK[f.severity], f.rule_id))
    dimensions = {
        name: dimension_risk(name, [f for f in findings if f.dimension == name], report) for name in RISK_DIMENSIONS
    }
    overall, explanation, explanation_nl = overall_level(dimensions)
    sovereignty = indicate(report, situation_)
    log.info("risk %s: %s, %d findings, %s", report.document, overall, len(findings), sovereignty.level)
    return Risk(
        overall=overall,
        overall_explanation=explanation,
        overall_explanation_nl=explanation_nl,
        dimensions=dimensions,
        sovereignty_level=sovereignty.level,
        sovereignty=sovereignty,
        findings=tuple(findings),
        policy=loaded.ref,
    )


def with_risk(report: DocumentReport, policy: LoadedPolicy | None = None) -> DocumentReport:
    """The report with its `risk` (re)computed; a failed report (no facts read) gets none."""
    if report.status == "failed":
        return report.model_copy(update={"risk": None})
    return report.model_copy(update={"risk": assess(report, policy)})


def _fire(rule: RuleSpec, report: DocumentReport, policy: LoadedPolicy, situation_: Situation) -> Finding | None:
    """Run one rule's predicate; on a hit, build the finding with filled-in texts and its evidence."""
    hit = PREDICATES[rule.when](Context(report=report, policy=policy.policy, situation=situation_, params=rule.params))
    if hit is None:
        return None

    def fill(text: str) -> str:
        return Template(text).safe_substitute(hit.values)

    return Finding(
        rule_id=rule.id,
        dimension=rule.dimension,
        severity=rule.severity,
        kind=rule.kind,
        title=rule.title.en,
        title_nl=rule.title.nl,
        legal_basis=rule.legal_basis,
        explanation=fill(rule.explanation.en),
        explanation_nl=fill(rule.explanation.nl),
        action=fill(rule.action.en),
        action_nl=fill(rule.action.nl),
        # A not-stated finding rests on the absence of a quote: it has none to show.
        evidence=() if rule.kind == "not_stated" else finding_evidence(report, hit.fields, hit.terms, hit.codes),
        fields=hit.fields,
    )


def _stated(report: DocumentReport, field: str) -> bool:
    """True when the report gives a value for a dotted field."""
    review = report.facts.get(field)
    if review is not None and review.status == "found":
        return True
    value: object = report
    for part in field.split("."):
        value = getattr(value, part, None)
    return value not in (None, "", (), "not_stated")


def dimension_risk(name: RiskDimension, findings: Sequence[Finding], report: DocumentReport) -> DimensionRisk:
    """A dimension's level and sentence.

    The level is the highest severity among its risk and not-stated findings; "unknown" when the
    document states none of the dimension's facts and only not-stated findings fired; "low" otherwise.
    """
    spec = load_dimensions()[name]
    relevant = [f for f in findings if f.kind != "mitigation"]
    stated = any(_stated(report, field) for field in spec.fields)
    if relevant and not stated and all(f.kind == "not_stated" for f in relevant):
        first = relevant[0]
        return _sentence("unknown", _lower_first(first.explanation), _lower_first(first.explanation_nl))
    if relevant:
        worst = max(relevant, key=lambda f: SEVERITY_RANK[f.severity])
        more = len(relevant) - 1
        tail = f"; {more} more finding{'s' if more > 1 else ''}" if more else ""
        tail_nl = f"; nog {more} bevinding{'en' if more > 1 else ''}" if more else ""
        return _sentence(worst.severity, f"{worst.title}{tail}.", f"{worst.title_nl}{tail_nl}.")
    mitigation = next((f for f in findings if f.kind == "mitigation"), None)
    if mitigation:
        return _sentence("low", f"{mitigation.title}.", f"{mitigation.title_nl}.")
    if not stated:
        return _sentence("unknown", "the document says nothing on this.", "het document zegt hier niets over.")
    return _sentence("low", _lower_first(spec.low.en), _lower_first(spec.low.nl))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _sentence(level: RiskLevel, text: str, text_nl: str) -> DimensionRisk:
    name, name_nl = LEVEL_NAMES[level]
    return DimensionRisk(level=level, explanation=f"{name}: {text}", explanation_nl=f"{name_nl}: {text_nl}")


def overall_level(dimensions: dict[RiskDimension, DimensionRisk]) -> tuple[RiskLevel, str, str]:
    """The overall level (the highest dimension level; "unknown" when nothing is above low but some are unknown)."""
    names = load_dimensions()
    for level in ("high", "medium", "unknown"):
        hits = [d for d, risk in dimensions.items() if risk.level == level]
        if not hits:
            continue
        listed = _join([names[d].name.en.lower() for d in hits], "and")
        listed_nl = _join([names[d].name.nl.lower() for d in hits], "en")
        if level == "unknown":
            return (
                "unknown",
                f"Unknown: nothing is medium or high, but the document states too little to assess {listed}.",
                f"Onbekend: niets is middel of hoog, maar het document zegt te weinig om {listed_nl} te beoordelen.",
            )
        name, name_nl = LEVEL_NAMES[level]
        return level, f"{name} overall, driven by {listed}.", f"{name_nl} in totaal, door {listed_nl}."
    return "low", "Low overall: no dimension is above low.", "Laag in totaal: geen enkele dimensie is hoger dan laag."


def _join(words: Sequence[str], conjunction: str) -> str:
    """ "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
