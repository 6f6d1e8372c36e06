"""What a report's facts say about exposure to third countries, computed once per assessment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyser.risk.regions import UNSPECIFIED_OUTSIDE, country_of, in_eea, is_adequate
from analyser.types import DocumentReport, SubProcessor

# Words that say nothing about which corporate group an entity belongs to.
_LEGAL_FORMS = frozenset(
    "inc incorporated corp corporation co company llc ltd limited plc lp llp gmbh ag kg se sa sas sarl srl spa "
    "bv nv b v n v ab as asa oy oyj aps a s eood doo d o o sro s r o lda kft sp zoo pte pvt private".split()
)
_GENERIC_WORDS = frozenset(
    "the data cloud digital global services service systems solutions technologies technology tech group holding "
    "holdings international europe european emea eu ireland nederland netherlands deutschland germany france uk "
    "america americas usa us india asia pacific operations support".split()
)


def _name_words(name: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", name.casefold())
    return [w for w in words if w not in _LEGAL_FORMS]


def group_key(name: str | None) -> str | None:
    """The distinctive first word of a company name ("Northwind Analytics Europe Limited" -> "northwind")."""
    if not name:
        return None
    words = _name_words(name)
    if not words or words[0] in _GENERIC_WORDS or len(words[0]) < 4:
        return None
    return words[0]


def _is_us(code: str | None) -> bool:
    return bool(code) and country_of(code or "") == "US"


@dataclass(frozen=True, slots=True)
class Situation:
    """Derived facts the rules share: transfer mechanisms, US group entities, third-country locations."""

    mechanisms: frozenset[str]
    us_group: tuple[str, ...]  # names of the provider and its group companies seated in the US
    us_group_fields: tuple[str, ...]
    exposed_locations: tuple[str, ...]  # non-EEA codes without a full adequacy decision, in order

    @property
    def exposed(self) -> bool:
        """True when the data is exposed to a third-country jurisdiction (US group or third-country location)."""
        return bool(self.us_group or self.exposed_locations)


def us_group_entities(report: DocumentReport) -> tuple[str, ...]:
    """The provider (if seated in the US) and subprocessors in the US that share the provider's name.

    A listed US subprocessor called "Northwind Analytics, Inc." next to the provider "Northwind
    Analytics Europe Limited" is read as a group company (a parent or affiliate).
    """
    names: list[str] = []
    provider = report.provider
    if _is_us(provider.country):
        names.append(provider.name or "the provider")
    key = group_key(provider.name)
    if key:
        names += [s.name for s in report.subprocessors if _is_us(s.country) and group_key(s.name) == key]
    return tuple(dict.fromkeys(names))


def is_group_company(report: DocumentReport, subprocessor: SubProcessor) -> bool:
    """True when a subprocessor carries the provider's distinctive name (same corporate group)."""
    key = group_key(report.provider.name)
    return key is not None and group_key(subprocessor.name) == key


def all_locations(report: DocumentReport) -> tuple[str, ...]:
    """Storage, remote-access and subprocessor locations, de-duplicated in order."""
    codes = [*report.storage_locations, *report.remote_access_locations]
    codes += [s.country for s in report.subprocessors if s.country]
    return tuple(dict.fromkeys(c.upper() for c in codes))


def exposed(code: str) -> bool:
    """True for a location outside the EEA that no full adequacy decision covers (the US counts as exposed)."""
    return code in UNSPECIFIED_OUTSIDE or (not in_eea(code) and not is_adequate(code))


def situation(report: DocumentReport) -> Situation:
    """Compute the shared derived facts of one report."""
    group = us_group_entities(report)
    fields = ["provider.country"] if _is_us(report.provider.country) else []
    if len(group) > len(fields):
        fields += ["subprocessors", "remote_access_locations"]
    return Situation(
        mechanisms=frozenset(report.transfer_mechanisms),
        us_group=group,
        us_group_fields=tuple(fields),
        exposed_locations=tuple(c for c in all_locations(report) if exposed(c)),
    )
