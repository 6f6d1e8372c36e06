"""Vendor profiles: one vendor's documents merged into one set of facts, each keeping its source.

A vendor's subprocessor list names the subprocessors, its MSA the governing law, its DPA the exit
terms: the profile takes each field from the documents that state it. Where documents disagree,
the value with the highest confidence wins (the first document on a tie), every value stays
listed in `sources`, and the field is named in `conflicts`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from analyser.types import (
    DocumentReport,
    Evidence,
    FieldReview,
    JsonScalar,
    Risk,
    SourcedValue,
    VendorDocument,
    VendorGrouping,
    VendorProfile,
    VendorSubProcessor,
)

# Single-valued fields, by their dotted report names.
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
# Assesses a vendor's merged terms (analyser.risk.assess with the batch's policy).
AssessTerms = Callable[[DocumentReport], Risk | None]
# Legal-form words that do not tell two providers apart ("GitHub" and "GitHub, Inc." are one vendor).
_LEGAL_FORMS = frozenset(
    "inc incorporated llc ltd limited plc corp corporation co company bv nv gmbh ag se sa sas sarl srl spa "
    "as asa ab oy aps kg ug sro doo".split()
)


@dataclass(frozen=True, slots=True)
class Filed:
    """A document report as the batch filed it: its report file and, if known, its vendor."""

    report: DocumentReport
    report_file: str
    vendor: str | None = None
    grouped_by: VendorGrouping = "document"


def name_key(name: str) -> str:
    """A comparison key for company names: case, accents, punctuation and legal form ignored."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    plain = re.sub(r"\([^)]*\)", " ", plain)  # "Amazon Web Services Inc (AWS)"
    words = re.sub(r"[^a-z0-9]+", " ", plain.replace(".", "")).split()
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def assign_vendors(filed: Sequence[Filed]) -> list[Filed]:
    """Give every document a vendor: folder or map if known, else the provider it names, else itself."""
    names: dict[str, Counter[str]] = {}
    for item in filed:
        provider = item.report.provider.name
        if item.vendor is None and provider and name_key(provider):
            names.setdefault(name_key(provider), Counter())[provider] += 1
    # The name most documents use; on a tie, the longer (fuller) one.
    display = {key: max(counts, key=lambda n: (counts[n], len(n), n)) for key, counts in names.items()}
    assigned: list[Filed] = []
    for item in filed:
        if item.vendor is not None:
            assigned.append(item)
            continue
        provider = item.report.provider.name
        if provider and name_key(provider) in display:
            assigned.append(Filed(item.report, item.report_file, display[name_key(provider)], "provider"))
        else:
            stem = item.report_file.removesuffix(".json")
            assigned.append(Filed(item.report, item.report_file, stem, "document"))
    return assigned


def build_profiles(filed: Sequence[Filed], assess: AssessTerms | None = None) -> list[VendorProfile]:
    """One profile per vendor, sorted by vendor name; with `assess`, each with the risk of its merged terms."""
    groups: dict[str, list[Filed]] = {}
    for item in assign_vendors(filed):
        groups.setdefault(item.vendor or "", []).append(item)
    return [build_profile(vendor, groups[vendor], assess) for vendor in sorted(groups, key=str.casefold)]


def build_profile(vendor: str, filed: Sequence[Filed], assess: AssessTerms | None = None) -> VendorProfile:
    """Merge one vendor's documents (failed documents are listed but contribute no facts)."""
    usable = [f for f in filed if f.report.status != "failed"]
    sources: dict[str, tuple[SourcedValue, ...]] = {}
    values: dict[str, Any] = {}
    conflicts: list[str] = []
    for name in SCALAR_FIELDS:
        found = _scalar_sources(name, usable)
        if found:
            sources[name] = found
            values[name] = next(s.value for s in found if s.chosen)
            if len({_comparable(name, s.value) for s in found}) > 1:
                conflicts.append(name)
    for name in LIST_FIELDS:
        found = _list_sources(name, usable)
        if found:
            sources[name] = found
            values[name] = tuple(dict.fromkeys(v for s in found if isinstance(s.value, tuple) for v in s.value))
    profile: dict[str, Any] = {
        "vendor": vendor,
        "grouped_by": filed[0].grouped_by,
        "documents": [_document(f) for f in filed],
        "provider": {"name": values.get("provider.name"), "country": values.get("provider.country")},
        "exit": {n.split(".")[1]: values.get(n) for n in SCALAR_FIELDS if n.startswith("exit.")},
        "subprocessors": _subprocessors(usable),
        "sources": sources,
        "conflicts": conflicts,
    }
    for name in (*SCALAR_FIELDS, *LIST_FIELDS):
        if "." not in name and name in values:
            profile[name] = values[name]
    merged = VendorProfile.model_validate(profile)
    if assess is None or not usable:
        return merged
    risk = assess(merged_terms(merged, usable))
    if risk is None:
        return merged
    return merged.model_copy(update={"risk": risk, "finding_documents": _finding_documents(risk, usable)})


def merged_terms(profile: VendorProfile, filed: Sequence[Filed]) -> DocumentReport:
    """The vendor's merged terms as one report, so the risk rules can assess them as one contract.

    Each field carries the reviews and evidence of the documents its value comes from (pages are
    those documents' pages; `_finding_documents` maps quotes back to their documents).
    """
    by_document = {f.report.document: f.report for f in filed}
    facts: dict[str, FieldReview] = {}
    evidence: dict[str, list[Evidence]] = {}
    for name, found in profile.sources.items():
        reviews = [r for s in found if s.chosen and (r := by_document[s.document].facts.get(name))]
        if reviews:
            quotes = tuple(e for r in reviews for e in r.evidence)
            facts[name] = reviews[0].model_copy(update={"evidence": quotes})
            evidence.setdefault(name.split(".")[0], []).extend(quotes)
    for document in sorted({s.document for s in profile.subprocessors}):
        evidence.setdefault("subprocessors", []).extend(by_document[document].evidence.get("subprocessors", ()))
        if review := by_document[document].facts.get("subprocessors"):
            facts.setdefault("subprocessors", review)
    shared = set(DocumentReport.model_fields) & set(VendorProfile.model_fields)
    values = profile.model_dump(include=shared - {"subprocessors", "risk", "schema_version"})
    subprocessors = [
        {"name": s.name, "country": s.country, "purpose": s.purpose, "page": s.page} for s in profile.subprocessors
    ]
    return DocumentReport.model_validate(
        {**values, "document": profile.vendor, "subprocessors": subprocessors, "facts": facts, "evidence": evidence}
    )


def _finding_documents(risk: Risk, filed: Sequence[Filed]) -> dict[str, tuple[str, ...]]:
    """For each finding, the documents whose evidence holds one of its quotes."""
    where: dict[str, set[str]] = {}
    for item in filed:
        quotes = [e for found in item.report.evidence.values() for e in found]
        quotes += [e for review in item.report.facts.values() for e in review.evidence]
        for quote in quotes:
            where.setdefault(_fold(quote.quote), set()).add(item.report.document)
    return {
        finding.rule_id: tuple(sorted({d for e in finding.evidence for d in where.get(_fold(e.quote), ())}))
        for finding in risk.findings
    }


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _comparable(name: str, value: object) -> str:
    """What counts as the same value: provider names compare by name key ("GitHub" = "GitHub, Inc.")."""
    return name_key(value) if name == "provider.name" and isinstance(value, str) else repr(value)


def _document(item: Filed) -> VendorDocument:
    report = item.report
    return VendorDocument(
        document=report.document,
        report=item.report_file,
        sha256=report.sha256,
        status=report.status,
        pages=report.pages,
        errors=report.errors,
        risk_level=report.risk.overall if report.risk else None,
    )


def field_value(report: DocumentReport, name: str) -> Any:
    """A report's value for a dotted field name ("exit.deletion_days"); "not_stated" custody is None."""
    value: Any = report
    for part in name.split("."):
        value = getattr(value, part)
    return None if value == "not_stated" else value


def field_evidence(report: DocumentReport, name: str) -> Evidence | None:
    """The first evidence for a field: its review's own, else the report's evidence for the top-level name."""
    review = report.facts.get(name)
    if review and review.evidence:
        return review.evidence[0]
    found = report.evidence.get(name.split(".")[0], ())
    return found[0] if found else None


def _sourced(item: Filed, name: str, value: JsonScalar | tuple[str, ...]) -> SourcedValue:
    evidence = field_evidence(item.report, name)
    review = item.report.facts.get(name)
    return SourcedValue(
        value=value,
        document=item.report.document,
        report=item.report_file,
        page=evidence.page if evidence else None,
        quote=evidence.quote if evidence else "",
        confidence=review.confidence if review else 0.0,
    )


def _scalar_sources(name: str, filed: Sequence[Filed]) -> tuple[SourcedValue, ...]:
    found = [_sourced(f, name, v) for f in filed if (v := field_value(f.report, name)) is not None]
    if not found:
        return ()
    best = max(range(len(found)), key=lambda i: (found[i].confidence, -i))
    return tuple(s.model_copy(update={"chosen": i == best}) for i, s in enumerate(found))


def _list_sources(name: str, filed: Sequence[Filed]) -> tuple[SourcedValue, ...]:
    found = [_sourced(f, name, tuple(v)) for f in filed if (v := field_value(f.report, name))]
    return tuple(s.model_copy(update={"chosen": True}) for s in found)


def _subprocessors(filed: Sequence[Filed]) -> list[VendorSubProcessor]:
    """Every subprocessor once (by name key), from the first document naming it, gaps filled from later ones."""
    merged: dict[str, VendorSubProcessor] = {}
    for item in filed:
        quotes = item.report.evidence.get("subprocessors", ())
        for sub in item.report.subprocessors:
            key = name_key(sub.name) or sub.name
            current = merged.get(key)
            if current is None:
                merged[key] = VendorSubProcessor(
                    name=sub.name,
                    country=sub.country,
                    purpose=sub.purpose,
                    document=item.report.document,
                    report=item.report_file,
                    page=sub.page,
                    quote=_quote_for(sub.name, sub.page, quotes),
                )
            else:
                merged[key] = current.model_copy(
                    update={"country": current.country or sub.country, "purpose": current.purpose or sub.purpose}
                )
    return list(merged.values())


def _quote_for(name: str, page: int | None, quotes: Sequence[Evidence]) -> str:
    """The evidence quote on the subprocessor's page that names it, if any."""
    wanted = name.casefold()
    return next((e.quote for e in quotes if (page is None or e.page == page) and wanted in e.quote.casefold()), "")


def vendor_file_stem(vendor: str) -> str:
    """A portable file name for a vendor ("GitHub, Inc." -> "GitHub-Inc")."""
    plain = unicodedata.normalize("NFKC", vendor)
    stem = re.sub(r"[^\w.-]+", "-", plain).strip("-.")[:120]
    return stem or "vendor"
