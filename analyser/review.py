"""Reviewer decisions on a report: read a field, parse a correction, replay the audit trail.

The analyser's own report is never changed in place: the app keeps it with the list of
decisions, and `apply_decisions` replays them on it, so a rerun or a reload gives the same
reviewed report and the trail always shows the original value next to the new one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError

from analyser import normalise
from analyser.i18n import Lang, field_label, t
from analyser.types import DocumentReport, FieldReview, ReviewAction, ReviewDecision, ReviewValue

# The report's fields in reading order (the gold schema's order).
REVIEW_FIELDS = (
    "provider.name",
    "provider.country",
    "storage_locations",
    "remote_access_locations",
    "governing_law",
    "courts",
    "subprocessors",
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
COUNTRY_LIST_FIELDS = ("storage_locations", "remote_access_locations")
JURISDICTION_FIELDS = ("provider.country", "governing_law", "courts")
INT_FIELDS = ("subprocessor_change_notice_days", "breach_notification_hours", "exit.deletion_days")
BOOL_FIELDS = (
    "subprocessor_objection_right",
    "encryption_at_rest",
    "exit.data_return",
    "exit.termination_assistance",
)
TEXT_FIELDS = ("provider.name", "exit.export_format")
TRANSFER_MECHANISMS = ("SCC", "UK_ADDENDUM", "DPF", "BCR", "ADEQUACY")
KEY_CUSTODY_VALUES = ("customer", "provider", "third_party", "not_stated")
_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$|^(EU|EEA|GLOBAL|NON_EEA)$")
_YES = {"yes", "y", "true", "ja", "j", "1"}
_NO = {"no", "n", "false", "nee", "nein", "0"}
_SUBPROCESSOR = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<country>[^)]*)\))?$")


@dataclass(slots=True)
class ReviewedDocument:
    """One analysed upload in the app's session: the analyser's report and the decisions on it."""

    key: str
    name: str
    original: DocumentReport
    pdf: bytes | None = None
    decisions: list[ReviewDecision] = dataclass_field(default_factory=list)

    def current(self) -> DocumentReport:
        """The report with every decision so far applied."""
        return apply_decisions(self.original, self.decisions)


def field_value(report: DocumentReport, field: str) -> ReviewValue:
    """The report's current value of a field, as plain JSON (lists for tuples)."""
    _check_field(field)
    if field == "subprocessors":
        return [cast(dict[str, str | int | None], s.model_dump()) for s in report.subprocessors]
    head, _, tail = field.partition(".")
    value: Any = getattr(getattr(report, head), tail) if tail else getattr(report, head)
    return list(value) if isinstance(value, tuple) else value


def empty_value(field: str) -> ReviewValue:
    """The value a field has when the document does not state it."""
    _check_field(field)
    if field in (*COUNTRY_LIST_FIELDS, "transfer_mechanisms", "subprocessors"):
        return []
    return "not_stated" if field == "key_custody" else None


def parse_value(field: str, text: str) -> ReviewValue:
    """Turn a reviewer's typed correction into the field's value; ValueError says what is wrong."""
    _check_field(field)
    text = text.strip()
    if not text:
        return empty_value(field)
    if field in COUNTRY_LIST_FIELDS:
        return _unique([_country(part) for part in _split(text)])
    if field in JURISDICTION_FIELDS:
        return _country(text)
    if field in INT_FIELDS:
        return _whole_number(text)
    if field in BOOL_FIELDS:
        return _yes_no(text)
    if field == "transfer_mechanisms":
        return _unique([_mechanism(part) for part in _split(text)])
    if field == "key_custody":
        return _choice(text, KEY_CUSTODY_VALUES)
    if field == "subprocessors":
        return [_subprocessor(part) for part in _split(text, separators=";\n")]
    return text


def format_value(value: ReviewValue, lang: Lang) -> str:
    """A value as a reviewer reads it: lists joined, yes/no, "not stated" for nothing."""
    if value is None or value == [] or value == "not_stated":
        return t("not_stated", lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, list):
        return "; ".join(_format_item(item) for item in value)
    return str(value)


def editable_text(value: ReviewValue) -> str:
    """A value in the form `parse_value` reads back (the correction box starts from it)."""
    if value is None or value == [] or value == "not_stated":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_format_item(item) for item in value)
    return str(value)


def decide(
    report: DocumentReport,
    field: str,
    action: ReviewAction,
    *,
    reviewer: str,
    correction: str = "",
    note: str = "",
    now: datetime | None = None,
) -> ReviewDecision:
    """Record one decision on the current (possibly already reviewed) report; ValueError for a bad value."""
    if not reviewer.strip():
        raise ValueError("a review decision needs the reviewer's name")
    original = field_value(report, field)
    value = original
    if action == "correct":
        value = parse_value(field, correction)
    elif action == "reject":
        value = empty_value(field)
    moment = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return ReviewDecision(
        field=field,
        action=action,
        original=original,
        value=value,
        note=note.strip(),
        reviewer=reviewer.strip(),
        decided_at=moment,
    )


def apply_decisions(original: DocumentReport, decisions: Sequence[ReviewDecision]) -> DocumentReport:
    """The original report with every decision applied in order and recorded in `review`."""
    payload = original.model_dump(mode="json")
    facts: dict[str, Any] = payload["facts"]
    for decision in decisions:
        if decision.action == "accept":
            continue
        _set(payload, decision.field, decision.value)
        facts[decision.field] = _reviewed_fact(original.facts.get(decision.field), decision)
    payload["review"] = [d.model_dump(mode="json") for d in decisions]
    return DocumentReport.model_validate(payload)


def restore(saved: bytes | str) -> DocumentReport:
    """A report saved by the app (its `review` holds the trail) to continue reviewing; ValueError if not one."""
    try:
        return DocumentReport.model_validate_json(saved)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise ValueError(f"not a report saved by the analyser ({where}: {first['msg']})") from None


def latest_actions(decisions: Sequence[ReviewDecision]) -> dict[str, ReviewAction]:
    """The last decision per field: what the facts table shows as its review status."""
    return {d.field: d.action for d in decisions}


def fact_rows(report: DocumentReport, lang: Lang) -> list[dict[str, object]]:
    """One row per field for the facts table: value, confidence, first quote, page, review status."""
    actions = latest_actions(report.review)
    rows: list[dict[str, object]] = []
    for field in REVIEW_FIELDS:
        review = report.facts.get(field)
        evidence = review.evidence[0] if review and review.evidence else None
        rows.append(
            {
                t("field", lang): field_label(field, lang),
                t("value", lang): format_value(field_value(report, field), lang),
                t("confidence", lang): round(review.confidence, 2) if review else None,
                t("quote", lang): evidence.quote if evidence else "",
                t("page", lang): evidence.page if evidence else None,
                t("review_status", lang): t(f"status.{actions.get(field, 'unreviewed')}", lang),
            }
        )
    return rows


def audit_rows(decisions: Sequence[ReviewDecision], lang: Lang) -> list[dict[str, str]]:
    """The audit trail as table rows, oldest first."""
    return [
        {
            t("time", lang): d.decided_at,
            t("reviewer", lang): d.reviewer,
            t("field", lang): field_label(d.field, lang),
            t("decision", lang): t(f"decision.{d.action}", lang),
            t("original", lang): format_value(d.original, lang),
            t("new_value", lang): format_value(d.value, lang),
            t("note", lang): d.note,
        }
        for d in decisions
    ]


def _check_field(field: str) -> None:
    if field not in REVIEW_FIELDS:
        raise ValueError(f"unknown field {field!r}")


def _set(payload: dict[str, Any], field: str, value: ReviewValue) -> None:
    head, _, tail = field.partition(".")
    if tail:
        payload[head][tail] = value
    else:
        payload[head] = value


def _reviewed_fact(before: FieldReview | None, decision: ReviewDecision) -> dict[str, Any]:
    """The field's review after a correction or rejection: its status follows the new value."""
    stated = decision.value not in (None, [], "not_stated")
    reason = f"{'Corrected' if decision.action == 'correct' else 'Rejected'} by {decision.reviewer}"
    if decision.note:
        reason += f": {decision.note}"
    base = before.model_dump(mode="json") if before else FieldReview(status="not_stated").model_dump(mode="json")
    return {**base, "status": "found" if stated else "not_stated", "confidence": 1.0, "reason": reason}


def _split(text: str, separators: str = ";,\n") -> list[str]:
    parts = re.split(f"[{re.escape(separators)}]", text)
    return [p.strip() for p in parts if p.strip()]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _country(text: str) -> str:
    code = text.strip().upper()
    if _CODE.match(code):
        return code
    found = normalise.jurisdiction(text) or normalise.to_country(text)
    if not found:
        raise ValueError(f"'{text}' is not a country: use an ISO code such as NL, DE, US-DE, or EU/EEA")
    return found


def _whole_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number") from None
    if number < 0:
        raise ValueError(f"{number} is negative")
    return number


def _yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"'{text}' is not yes or no")


def _mechanism(text: str) -> str:
    code = text.strip().upper().replace(" ", "_")
    if code in TRANSFER_MECHANISMS:
        return code
    found = normalise.transfer_mechanisms(text)
    if not found:
        raise ValueError(f"'{text}' is not a transfer mechanism: use {', '.join(TRANSFER_MECHANISMS)}")
    return found[0]


def _choice(text: str, choices: Sequence[str]) -> str:
    word = text.strip().lower().replace(" ", "_")
    if word not in choices:
        raise ValueError(f"'{text}' is not one of {', '.join(choices)}")
    return word


def _subprocessor(text: str) -> dict[str, str | int | None]:
    match = _SUBPROCESSOR.match(text)
    if not match:  # pragma: no cover - the pattern matches any non-empty text
        raise ValueError(f"'{text}' is not a subprocessor")
    country = match.group("country")
    return {
        "name": match.group("name").strip(),
        "country": _country(country) if country else None,
        "purpose": None,
        "page": None,
    }


def _format_item(item: object) -> str:
    if isinstance(item, dict):
        name = str(item.get("name", ""))
        return f"{name} ({item['country']})" if item.get("country") else name
    return str(item)
