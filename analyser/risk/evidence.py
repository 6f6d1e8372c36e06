"""Pick the quotes a finding rests on from the report's per-field evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from analyser.normalise import countries_in
from analyser.types import DocumentReport, Evidence, FindingEvidence

# Enough quotes to show the point; the report's `facts` keeps the rest.
MAX_QUOTES = 8


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def field_evidence(report: DocumentReport, field: str) -> tuple[Evidence, ...]:
    """Evidence for one dotted report field: the field's review, else (no review) the report's evidence map."""
    review = report.facts.get(field)
    if review is not None:
        return review.evidence
    key = field.split(".")[0] if field.startswith(("exit.", "provider.")) else field
    return report.evidence.get(key, ())


def _mentions(items: Sequence[Evidence], terms: Iterable[str], codes: Iterable[str]) -> list[Evidence]:
    folded = [_fold(t) for t in terms if t.strip()]
    places = set(codes)
    return [
        e for e in items if any(t in _fold(e.quote) for t in folded) or (places and places & set(countries_in(e.quote)))
    ]


def finding_evidence(
    report: DocumentReport, fields: Sequence[str], terms: Sequence[str] = (), codes: Sequence[str] = ()
) -> tuple[FindingEvidence, ...]:
    """Quotes for a finding: per field, those naming one of `terms` or `codes` if any do, else all of them."""
    chosen: dict[tuple[str, int], FindingEvidence] = {}
    for field in fields:
        items = field_evidence(report, field)
        if terms or codes:
            items = tuple(_mentions(items, terms, codes)) or items
        for item in items:
            key = (_fold(item.quote), item.page)
            if key not in chosen:
                chosen[key] = FindingEvidence(quote=item.quote, page=item.page, field=field)
    return tuple(chosen.values())[:MAX_QUOTES]
