"""Where a location code stands in EU data-protection law: EEA, adequate country, or third country.

Codes are ISO 3166-1 alpha-2 ("NL"), ISO 3166-2 ("US-CA", meaning its country) or the report's
region tokens EU, EEA, US, GLOBAL (anywhere) and NON_EEA (outside the EEA, unspecified).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from analyser.normalise import EEA_MEMBERS, EU_MEMBERS

INSIDE_EEA_TOKENS = frozenset({"EU", "EEA"})
# Region tokens that say "somewhere outside the EEA" without naming a country.
UNSPECIFIED_OUTSIDE = frozenset({"GLOBAL", "NON_EEA"})
POLICY_TOKENS = frozenset({"EEA", "EU", "ADEQUATE", "GLOBAL"})


@dataclass(frozen=True, slots=True)
class Adequacy:
    """One EU adequacy decision: the country, the decision, and the mechanism a partial one requires."""

    country: str
    name: str
    decision: str
    scope: str
    requires: str = ""


@dataclass(frozen=True, slots=True)
class AdequacyList:
    """The adequacy decisions in force on `as_of` (analyser/risk_rules/adequacy.toml)."""

    as_of: str
    decisions: tuple[Adequacy, ...]

    def get(self, country: str) -> Adequacy | None:
        """The decision for this country, if any."""
        return next((d for d in self.decisions if d.country == country), None)


@lru_cache(maxsize=1)
def adequacy_list() -> AdequacyList:
    """Load the packaged list of EU adequacy decisions."""
    text = resources.files("analyser").joinpath("risk_rules/adequacy.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    decisions = tuple(Adequacy(**row) for row in data["decision"])
    return AdequacyList(as_of=str(data["as_of"]), decisions=decisions)


def country_of(code: str) -> str:
    """The country part of a code: "US-CA" -> "US", "GB-ENG" -> "GB", "NL" -> "NL"."""
    return code.split("-")[0].upper()


def in_eea(code: str) -> bool:
    """True for EEA countries and the EU/EEA tokens."""
    country = country_of(code)
    return country in EEA_MEMBERS or code.upper() in INSIDE_EEA_TOKENS


def is_adequate(code: str, mechanisms: Iterable[str] = ()) -> bool:
    """True when an EU adequacy decision covers transfers to this (non-EEA) location.

    A partial decision (the US: only DPF-certified recipients) counts only when the document
    states the mechanism it requires.
    """
    decision = adequacy_list().get(country_of(code))
    if decision is None:
        return False
    return decision.scope == "full" or decision.requires in set(mechanisms)


def third_country(code: str, mechanisms: Iterable[str] = ()) -> bool:
    """True for a location outside the EEA that no adequacy decision covers."""
    return not in_eea(code) and not is_adequate(code, mechanisms)


def matches_region(code: str, allowed: Iterable[str]) -> bool:
    """True when a location falls inside one of a policy's allowed regions.

    ADEQUATE means a full adequacy decision: the US decision covers only DPF-certified recipients,
    which a document-wide list of mechanisms cannot tie to one recipient, so a policy names US itself.
    """
    country = country_of(code)
    for region in allowed:
        if region == "GLOBAL":
            return True
        if region == "EEA" and in_eea(code):
            return True
        if region == "EU" and (country in EU_MEMBERS or code.upper() == "EU"):
            return True
        if region == "ADEQUATE" and not in_eea(code) and is_adequate(code):
            return True
        if country_of(region) == country and code.upper() not in UNSPECIFIED_OUTSIDE:
            return True
    return False
