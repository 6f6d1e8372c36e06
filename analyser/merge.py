"""Merge facts from all chunks into one value per field, applying the document's precedence.

A contract often says two things: the body says 72 hours, the DPA annex 24; an amendment moves
the data to Frankfurt. Every candidate is kept for the reviewer; the chosen one follows the
order of precedence: a later amendment over an earlier one, then (by default, or when the
document says so) the annex or DPA over the body, unless the document puts the body first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from analyser.grounding import sentence_around
from analyser.types import Candidate, Document, Evidence, Fact, FieldReview, JsonScalar

SCALAR_FIELDS = (
    "provider.name",
    "provider.country",
    "governing_law",
    "courts",
    "subprocessor_change_notice_days",
    "subprocessor_objection_right",
    "key_custody",
    "encryption_at_rest",
    "breach_notification_hours",
    "exit.data_return",
    "exit.deletion_days",
    "exit.export_format",
    "exit.termination_assistance",
)
LIST_FIELDS = ("storage_locations", "remote_access_locations", "transfer_mechanisms")
ALL_FIELDS = (
    *SCALAR_FIELDS[:2],
    "storage_locations",
    "remote_access_locations",
    *SCALAR_FIELDS[2:4],
    "subprocessors",
    *SCALAR_FIELDS[4:6],
    "transfer_mechanisms",
    *SCALAR_FIELDS[6:],
)

_AMENDMENT = re.compile(r"\b(amendment|addendum no|wijziging|wijzigingsovereenkomst|änderung|nachtrag)\b", re.I)
_ANNEX = re.compile(
    r"\b(annex|schedule|exhibit|appendix|attachment|addendum|bijlage|aanhangsel|anlage|anhang|"
    r"data processing agreement|verwerkersovereenkomst|auftragsverarbeitungsvertrag)\b",
    re.I,
)
_OVERRIDE = re.compile(
    r"\b(notwithstanding|replaces?|supersedes?|instead of|in lieu of|in afwijking van|in plaats van|vervangt|"
    r"abweichend von|ersetzt|anstelle)\b",
    re.I,
)
_BODY_PREVAILS = re.compile(
    r"\b(these terms|this agreement|the agreement|the main agreement|de hoofdovereenkomst|deze overeenkomst|"
    r"dieser vertrag|der hauptvertrag)\b[^.]{0,40}\b(prevail|shall prevail|take precedence|gaat voor|prevaleert|"
    r"hat vorrang|geht vor)",
    re.I,
)
_EU_EEA = {
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
}


@dataclass(frozen=True, slots=True)
class Precedence:
    """Which part of the document wins a conflict, and the text to read override wording in."""

    annex_over_body: bool = True
    text: str = ""

    def overrides(self, fact: Fact) -> bool:
        """Whether the sentence a fact comes from says it replaces another clause ("Notwithstanding ...")."""
        evidence = fact.evidence[0]
        return bool(_OVERRIDE.search(sentence_around(self.text, evidence.char_start, evidence.char_end)))


@dataclass
class Merged:
    """The merged values per field, their reviews, evidence and warnings."""

    values: dict[str, object] = field(default_factory=dict)
    reviews: dict[str, FieldReview] = field(default_factory=dict)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def detect_precedence(document: Document) -> Precedence:
    """Read an order-of-precedence clause; by default an annex or DPA prevails over the body."""
    return Precedence(annex_over_body=not _BODY_PREVAILS.search(document.text), text=document.text)


def section_kind(fact: Fact) -> str:
    """ "amendment", "annex" or "body", from the heading the fact sits under."""
    if _AMENDMENT.search(fact.section):
        return "amendment"
    if _ANNEX.search(fact.section):
        return "annex"
    return "body"


def _rank(fact: Fact, precedence: Precedence) -> tuple[int, int]:
    kind = section_kind(fact)
    position = fact.evidence[0].char_start if fact.evidence else 0
    if kind == "amendment":
        return (3, position)  # a later amendment prevails over an earlier one
    if kind == "annex":
        return (2 if precedence.annex_over_body else 1, 0)
    return (1 if precedence.annex_over_body else 2, 0)


def merge(facts: Sequence[Fact], document: Document) -> Merged:
    """Choose one value per field from all candidate facts."""
    precedence = detect_precedence(document)
    merged = Merged()
    by_field: dict[str, list[Fact]] = {}
    for fact in facts:
        by_field.setdefault(fact.field, []).append(fact)
    for name in SCALAR_FIELDS:
        _merge_scalar(name, by_field.get(name, []), precedence, merged)
    for name in LIST_FIELDS:
        _merge_list(name, by_field.get(name, []), precedence, merged)
    _merge_subprocessors(by_field.get("subprocessors", []), merged)
    return merged


def _candidate(fact: Fact, chosen: bool) -> Candidate:
    first = fact.evidence[0]
    value = fact.value if not isinstance(fact.value, dict) else dict(fact.value)
    return Candidate(
        value=value,
        raw=fact.raw,
        quote=first.quote,
        page=first.page,
        section=fact.section,
        source=fact.source,
        chosen=chosen,
    )


def _not_stated(name: str, merged: Merged) -> None:
    merged.values[name] = "not_stated" if name == "key_custody" else None
    merged.reviews[name] = FieldReview(status="not_stated", reason="The document does not state this.")


def _merge_scalar(name: str, facts: list[Fact], precedence: Precedence, merged: Merged) -> None:
    facts = [f for f in facts if f.evidence]
    if not facts:
        _not_stated(name, merged)
        return
    # A pattern that matched outranks the model; the model's answers stay visible as candidates.
    pool = [f for f in facts if f.source == "rules"] or facts
    best = max(pool, key=lambda f: (_rank(f, precedence), f.confidence, -f.evidence[0].char_start))
    agreeing = [f for f in facts if f.value == best.value]
    rivals = [f for f in facts if f.value != best.value]
    confidence = min(0.95, best.confidence + 0.05 * (len(agreeing) - 1)) - (0.1 if rivals else 0.0)
    reason = _reason(best, rivals, precedence)
    merged.values[name] = best.value
    merged.evidence[name] = list(best.evidence)
    merged.reviews[name] = FieldReview(
        status="found",
        confidence=round(max(confidence, 0.05), 2),
        raw=best.raw,
        evidence=best.evidence,
        candidates=tuple(_candidate(f, f is best) for f in _unique_by_value(facts)) if rivals else (),
        reason=reason,
    )
    if rivals:
        merged.warnings.append(f"{name}: the document gives conflicting values; chose {best.value!r}. {reason}")


def _unique_by_value(facts: list[Fact]) -> list[Fact]:
    seen: set[str] = set()
    unique = []
    for fact in facts:
        key = repr(fact.value) + fact.section
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    return unique


def _reason(best: Fact, rivals: list[Fact], precedence: Precedence) -> str:
    if not rivals:
        return "All passages that state this agree."
    kind = section_kind(best)
    others = {section_kind(r) for r in rivals}
    where = best.section or "the body"
    if kind == "amendment":
        return f"Taken from {where}: an amendment prevails over earlier terms."
    if kind == "annex" and "body" in others and precedence.annex_over_body:
        return f"Taken from {where}: the annex/DPA prevails over the body of the agreement."
    if kind == "body" and "annex" in others and not precedence.annex_over_body:
        return "Taken from the body: the document says its main terms prevail over annexes."
    return f"Taken from {where}; other passages state different values: check them."


def _merge_list(name: str, facts: list[Fact], precedence: Precedence, merged: Merged) -> None:
    facts = [f for f in facts if f.evidence and f.value is not None]
    if not facts:
        merged.values[name] = []
        merged.reviews[name] = FieldReview(status="not_stated", reason="The document does not state this.")
        return
    ruled = [f for f in facts if f.source == "rules"]
    kept, reason = _effective(ruled or facts, precedence)
    values: list[str] = []
    for fact in kept:
        if str(fact.value) not in values:
            values.append(str(fact.value))
    values = _most_specific(values)
    dropped = [f for f in facts if f not in kept]
    merged.values[name] = values
    merged.evidence[name] = _distinct_evidence(kept)
    merged.reviews[name] = FieldReview(
        status="found",
        confidence=round(sum(f.confidence for f in kept) / len(kept), 2),
        evidence=tuple(_distinct_evidence(kept)),
        candidates=tuple(_candidate(f, f in kept) for f in _unique_by_value(facts)) if dropped else (),
        reason=reason,
    )


def _effective(facts: list[Fact], precedence: Precedence) -> tuple[list[Fact], str]:
    """The facts that stand after amendments and overriding annex clauses replace earlier ones."""
    amendments = [f for f in facts if section_kind(f) == "amendment"]
    if amendments:
        latest = max(_rank(f, precedence) for f in amendments)
        latest_section = next(f.section for f in amendments if _rank(f, precedence) == latest)
        kept = [f for f in amendments if f.section == latest_section]
        return kept, f"{latest_section} replaces what earlier clauses said."
    overriding = [f for f in facts if section_kind(f) == "annex" and precedence.overrides(f)]
    if overriding and precedence.annex_over_body:
        return overriding, f"{overriding[0].section or 'The annex'} expressly overrides the body."
    return facts, "Union of every passage that states this."


def _most_specific(values: list[str]) -> list[str]:
    """Drop a region (EU, EEA) when a country inside it is also named."""
    has_european_country = any(v in _EU_EEA for v in values)
    return [v for v in values if not (v in ("EU", "EEA") and has_european_country)]


def _distinct_evidence(facts: list[Fact]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    result = []
    for fact in facts:
        for evidence in fact.evidence:
            if (evidence.char_start, evidence.char_end) not in seen:
                seen.add((evidence.char_start, evidence.char_end))
                result.append(evidence)
    return result


_LEGAL_SUFFIX = re.compile(
    r"\b(inc|llc|ltd|limited|gmbh|b\.?v|n\.?v|s\.?a\.?r\.?l|s\.?a\.?s?|ag|plc|corp|corporation|co|company|"
    r"eood|lda|s\.?r\.?o|pty|ulc|spa|srl|se|kg|ab|oy|aps|as|d\.?o\.?o|pbc)\.?(?=\W|$)",
    re.I,
)


def _name_key(name: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", name)
    name = _LEGAL_SUFFIX.sub(" ", name)
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def _merge_subprocessors(facts: list[Fact], merged: Merged) -> None:
    entries: list[dict[str, JsonScalar]] = []
    keys: list[str] = []
    evidence: list[Evidence] = []
    for fact in facts:
        if not fact.evidence or not isinstance(fact.value, dict) or not fact.value.get("name"):
            continue
        entry: dict[str, JsonScalar] = {**fact.value, "page": fact.evidence[0].page}
        key = _name_key(str(entry["name"]))
        # Whole-name similarity: "GitHub BV" and "GitHub Canada ULC" are different entities.
        match = next((i for i, k in enumerate(keys) if k and fuzz.ratio(k, key) >= 92), None)
        if match is None:
            entries.append(entry)
            keys.append(key)
            evidence.append(fact.evidence[0])
            continue
        for attribute in ("country", "purpose"):
            if not entries[match].get(attribute) and entry.get(attribute):
                entries[match][attribute] = entry[attribute]
    merged.values["subprocessors"] = entries
    merged.evidence["subprocessors"] = evidence
    if entries:
        merged.reviews["subprocessors"] = FieldReview(
            status="found",
            confidence=round(sum(f.confidence for f in facts) / len(facts), 2),
            evidence=tuple(evidence),
            reason=f"{len(entries)} subprocessors named (duplicates merged).",
        )
    else:
        merged.reviews["subprocessors"] = FieldReview(status="not_stated", reason="No subprocessor is named.")
