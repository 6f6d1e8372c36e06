"""The fixed table of conditions a rule file can name in `when`.

Each predicate reads a report's facts (and the organisation policy) and returns a `Hit` when
its condition holds: which report fields the finding rests on (their quotes become its
evidence), words that pick the relevant quotes, and values for the explanation template.
Rules choose a predicate by name and may pass fixed `params`; nothing is evaluated from text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from analyser.policy import Policy
from analyser.risk.regions import UNSPECIFIED_OUTSIDE, country_of, in_eea, matches_region, third_country
from analyser.risk.situation import Situation, is_group_company
from analyser.types import DocumentReport

Params = Mapping[str, int | str | bool]


@dataclass(frozen=True, slots=True)
class Hit:
    """A condition that holds: the fields it rests on, quote filters, and template values."""

    fields: tuple[str, ...]
    terms: tuple[str, ...] = ()  # names: keep the quotes that mention one
    codes: tuple[str, ...] = ()  # location codes: keep the quotes that name one of these places
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a predicate may read."""

    report: DocumentReport
    policy: Policy
    situation: Situation
    params: Params


Predicate = Callable[[Context], Hit | None]
PREDICATES: dict[str, Predicate] = {}


def predicate(function: Predicate) -> Predicate:
    """Register a predicate under its function name."""
    PREDICATES[function.__name__] = function
    return function


def _codes(codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(dict.fromkeys(codes))


# --- geographic ----------------------------------------------------------------------------


@predicate
def storage_not_stated(ctx: Context) -> Hit | None:
    """The document names no storage or hosting location."""
    return None if ctx.report.storage_locations else Hit(fields=("storage_locations",))


@predicate
def storage_anywhere(ctx: Context) -> Hit | None:
    """Data may be stored anywhere, or somewhere outside the EEA that is not named."""
    found = [c for c in ctx.report.storage_locations if c in UNSPECIFIED_OUTSIDE]
    if not found or matches_region("GLOBAL", ctx.policy.allowed_storage_regions):
        return None
    return Hit(fields=("storage_locations",), codes=tuple(found), values={"locations": _codes(found)})


@predicate
def storage_outside_eea(ctx: Context) -> Hit | None:
    """A named storage location lies outside the EEA and outside the policy's allowed regions."""
    found = [
        c
        for c in ctx.report.storage_locations
        if c not in UNSPECIFIED_OUTSIDE and not in_eea(c) and not matches_region(c, ctx.policy.allowed_storage_regions)
    ]
    if not found:
        return None
    return Hit(fields=("storage_locations",), codes=tuple(found), values={"locations": _codes(found)})


@predicate
def storage_outside_policy(ctx: Context) -> Hit | None:
    """A storage location inside the EEA that the organisation policy still does not allow."""
    allowed = ctx.policy.allowed_storage_regions
    found = [c for c in ctx.report.storage_locations if in_eea(c) and not matches_region(c, allowed)]
    if not found:
        return None
    values = {"locations": _codes(found), "allowed": _codes(list(allowed))}
    return Hit(fields=("storage_locations",), codes=tuple(found), values=values)


@predicate
def remote_access_outside_eea(ctx: Context) -> Hit | None:
    """Data can be accessed remotely from outside the EEA, from places the policy does not allow."""
    found = [
        c
        for c in ctx.report.remote_access_locations
        if not in_eea(c) and not matches_region(c, ctx.policy.allowed_access_regions)
    ]
    if not found:
        return None
    return Hit(fields=("remote_access_locations",), codes=tuple(found), values={"locations": _codes(found)})


def _uncovered(ctx: Context) -> list[str]:
    """Third-country locations that no transfer mechanism stated in the document covers."""
    mechanisms = ctx.situation.mechanisms
    if mechanisms & {"SCC", "BCR"}:
        return []  # SCCs and BCRs can cover any third country (Art. 46(2)(b)-(c))
    locations = [*ctx.report.storage_locations, *ctx.report.remote_access_locations]
    locations += [s.country for s in ctx.report.subprocessors if s.country]
    return [c for c in dict.fromkeys(locations) if third_country(c, mechanisms)]


@predicate
def transfer_without_mechanism(ctx: Context) -> Hit | None:
    """Data goes to a third country, but the document states no transfer mechanism that covers it."""
    found = _uncovered(ctx)
    if not found:
        return None
    fields = ("transfer_mechanisms", "storage_locations", "remote_access_locations", "subprocessors")
    return Hit(fields=fields, codes=tuple(found), values={"locations": _codes(found)})


@predicate
def transfer_dpf_only(ctx: Context) -> Hit | None:
    """US transfers rest on the EU-US Data Privacy Framework alone, without SCCs as a fallback."""
    mechanisms = ctx.situation.mechanisms
    us = [c for c in (*ctx.report.storage_locations, *ctx.report.remote_access_locations) if country_of(c) == "US"]
    us += [s.country for s in ctx.report.subprocessors if s.country and country_of(s.country) == "US"]
    if "DPF" not in mechanisms or mechanisms & {"SCC", "BCR"} or not us:
        return None
    return Hit(fields=("transfer_mechanisms",), terms=("privacy framework", "DPF"))


# --- jurisdiction --------------------------------------------------------------------------


def _us_group_hit(ctx: Context) -> Hit | None:
    group = ctx.situation.us_group
    if not group:
        return None
    fields = ("provider.name", *ctx.situation.us_group_fields)
    names = tuple(n for n in group if n != "the provider")
    return Hit(fields=fields, terms=names, values={"entities": ", ".join(group)})


@predicate
def us_group_not_accepted(ctx: Context) -> Hit | None:
    """The provider or a group company is seated in the US and the policy does not accept that for this data."""
    return None if ctx.policy.us_group_acceptable else _us_group_hit(ctx)


@predicate
def us_group_accepted(ctx: Context) -> Hit | None:
    """The provider or a group company is seated in the US, which the policy accepts for this data."""
    return _us_group_hit(ctx) if ctx.policy.us_group_acceptable else None


@predicate
def us_subprocessors(ctx: Context) -> Hit | None:
    """Subprocessors outside the provider's group are seated or process data in the US."""
    report = ctx.report
    names = [
        s.name
        for s in report.subprocessors
        if s.country and country_of(s.country) == "US" and not is_group_company(report, s)
    ]
    if not names or ctx.policy.us_group_acceptable:
        return None
    return Hit(fields=("subprocessors",), terms=tuple(names), values={"names": ", ".join(names)})


def _untrusted(code: str | None, ctx: Context) -> bool:
    return code is not None and not matches_region(code, ctx.policy.trusted_jurisdictions)


@predicate
def law_untrusted(ctx: Context) -> Hit | None:
    """The contract is governed by a law outside the policy's trusted jurisdictions."""
    law = ctx.report.governing_law
    return Hit(fields=("governing_law",), values={"law": law or ""}) if _untrusted(law, ctx) else None


@predicate
def courts_untrusted(ctx: Context) -> Hit | None:
    """Disputes go to courts outside the policy's trusted jurisdictions."""
    courts = ctx.report.courts
    return Hit(fields=("courts",), values={"courts": courts or ""}) if _untrusted(courts, ctx) else None


@predicate
def law_not_stated(ctx: Context) -> Hit | None:
    """The document names no governing law."""
    return None if ctx.report.governing_law else Hit(fields=("governing_law",))


@predicate
def provider_seat_not_stated(ctx: Context) -> Hit | None:
    """The document does not say where the provider is seated."""
    return None if ctx.report.provider.country else Hit(fields=("provider.country",))


# --- key custody ---------------------------------------------------------------------------


_HOLDER_NL = {
    "customer": "klant",
    "provider": "leverancier",
    "third_party": "derde partij",
    "not_stated": "niet vermeld",
}


def _exposure_values(ctx: Context) -> dict[str, str]:
    parts = [*ctx.situation.us_group, *ctx.situation.exposed_locations]
    return {"exposure": ", ".join(dict.fromkeys(parts))}


@predicate
def keys_not_customer_exposed(ctx: Context) -> Hit | None:
    """The provider or a third party holds the keys while the data is exposed to a third country."""
    if ctx.report.key_custody not in ("provider", "third_party") or not ctx.situation.exposed:
        return None
    custody = ctx.report.key_custody
    values = {**_exposure_values(ctx), "holder": custody.replace("_", " "), "holder_nl": _HOLDER_NL[custody]}
    return Hit(fields=("key_custody",), values=values)


@predicate
def keys_not_stated_exposed(ctx: Context) -> Hit | None:
    """Nobody is named as key holder while the data is exposed to a third country."""
    if ctx.report.key_custody != "not_stated" or not ctx.situation.exposed:
        return None
    return Hit(fields=("key_custody", "encryption_at_rest"), values=_exposure_values(ctx))


@predicate
def keys_below_policy(ctx: Context) -> Hit | None:
    """The policy requires customer-held keys always, and the customer does not hold them (no exposure)."""
    custody = ctx.report.key_custody
    if ctx.policy.required_key_custody != "customer" or custody == "customer" or ctx.situation.exposed:
        return None
    return Hit(fields=("key_custody",), values={"holder": custody.replace("_", " "), "holder_nl": _HOLDER_NL[custody]})


@predicate
def keys_customer(ctx: Context) -> Hit | None:
    """The customer holds the keys (BYOK, HYOK or its own HSM)."""
    return Hit(fields=("key_custody",)) if ctx.report.key_custody == "customer" else None


@predicate
def encryption_not_stated(ctx: Context) -> Hit | None:
    """The document does not say whether data is encrypted at rest."""
    return Hit(fields=("encryption_at_rest",)) if ctx.report.encryption_at_rest is None else None


@predicate
def encryption_absent(ctx: Context) -> Hit | None:
    """The document says data is not encrypted at rest."""
    return Hit(fields=("encryption_at_rest",)) if ctx.report.encryption_at_rest is False else None


# --- subprocessors -------------------------------------------------------------------------


@predicate
def objection_denied(ctx: Context) -> Hit | None:
    """The controller may not object to new subprocessors."""
    return Hit(fields=("subprocessor_objection_right",)) if ctx.report.subprocessor_objection_right is False else None


@predicate
def objection_not_stated(ctx: Context) -> Hit | None:
    """The document does not say whether the controller may object to new subprocessors."""
    right = ctx.report.subprocessor_objection_right
    return Hit(fields=("subprocessor_objection_right",)) if right is None else None


@predicate
def notice_not_stated(ctx: Context) -> Hit | None:
    """The document gives no advance notice period for new subprocessors."""
    days = ctx.report.subprocessor_change_notice_days
    return Hit(fields=("subprocessor_change_notice_days",)) if days is None else None


@predicate
def notice_short(ctx: Context) -> Hit | None:
    """The notice period for new subprocessors is shorter than the policy minimum."""
    days = ctx.report.subprocessor_change_notice_days
    minimum = ctx.policy.min_subprocessor_notice_days
    if days is None or days >= minimum:
        return None
    return Hit(fields=("subprocessor_change_notice_days",), values={"days": str(days), "minimum": str(minimum)})


@predicate
def subprocessors_third_country(ctx: Context) -> Hit | None:
    """Subprocessors are located outside the EEA (adequate countries included: it is still a transfer)."""
    outside = [s for s in ctx.report.subprocessors if s.country and not in_eea(s.country)]
    if not outside:
        return None
    names = tuple(s.name for s in outside)
    listed = ", ".join(f"{s.name} ({s.country})" for s in outside)
    return Hit(fields=("subprocessors",), terms=names, values={"subprocessors": listed})


@predicate
def subprocessors_not_listed(ctx: Context) -> Hit | None:
    """The document names no subprocessors."""
    return None if ctx.report.subprocessors else Hit(fields=("subprocessors",))


# --- exit ----------------------------------------------------------------------------------


@predicate
def return_denied(ctx: Context) -> Hit | None:
    """The document says data is not returned at the end of the contract."""
    return Hit(fields=("exit.data_return",)) if ctx.report.exit.data_return is False else None


@predicate
def return_not_stated(ctx: Context) -> Hit | None:
    """The document does not say whether data is returned at the end of the contract."""
    return Hit(fields=("exit.data_return",)) if ctx.report.exit.data_return is None else None


@predicate
def export_format_not_stated(ctx: Context) -> Hit | None:
    """The document names no format in which data is returned or exported."""
    return Hit(fields=("exit.export_format",)) if not ctx.report.exit.export_format else None


@predicate
def deletion_not_stated(ctx: Context) -> Hit | None:
    """The document gives no period within which data is deleted after the contract."""
    return Hit(fields=("exit.deletion_days",)) if ctx.report.exit.deletion_days is None else None


@predicate
def deletion_too_long(ctx: Context) -> Hit | None:
    """Data is deleted later than the policy's maximum."""
    days = ctx.report.exit.deletion_days
    limit = ctx.policy.max_deletion_days
    if days is None or days <= limit:
        return None
    return Hit(fields=("exit.deletion_days",), values={"days": str(days), "maximum": str(limit)})


@predicate
def assistance_denied(ctx: Context) -> Hit | None:
    """The document excludes assistance with the switch to another provider."""
    return Hit(fields=("exit.termination_assistance",)) if ctx.report.exit.termination_assistance is False else None


@predicate
def assistance_not_stated(ctx: Context) -> Hit | None:
    """The document does not mention assistance with the switch to another provider."""
    assistance = ctx.report.exit.termination_assistance
    return Hit(fields=("exit.termination_assistance",)) if assistance is None else None


# --- incident ------------------------------------------------------------------------------


@predicate
def breach_hours_at_least(ctx: Context) -> Hit | None:
    """The supplier may take at least `params.hours` to report a breach (72: the controller's own deadline)."""
    hours = ctx.report.breach_notification_hours
    limit = int(ctx.params.get("hours", 72))
    if hours is None or hours < limit:
        return None
    return Hit(fields=("breach_notification_hours",), values={"hours": str(hours)})


@predicate
def breach_hours_above_policy(ctx: Context) -> Hit | None:
    """The supplier reports a breach later than the policy's maximum (but sooner than 72 hours)."""
    hours = ctx.report.breach_notification_hours
    limit = ctx.policy.max_breach_notification_hours
    if hours is None or hours <= limit or hours >= 72:
        return None
    return Hit(fields=("breach_notification_hours",), values={"hours": str(hours), "maximum": str(limit)})


def _breach_stated(report: DocumentReport) -> bool:
    review = report.facts.get("breach_notification_hours")
    return report.breach_notification_hours is not None or (review is not None and review.status == "found")


@predicate
def breach_no_deadline(ctx: Context) -> Hit | None:
    """Breaches are reported "without undue delay" but with no deadline in hours."""
    report = ctx.report
    if report.breach_notification_hours is not None or not _breach_stated(report):
        return None
    return Hit(fields=("breach_notification_hours",))


@predicate
def breach_not_stated(ctx: Context) -> Hit | None:
    """The document does not say that or when the supplier reports a personal data breach."""
    return None if _breach_stated(ctx.report) else Hit(fields=("breach_notification_hours",))
