"""Load the risk rules and dimension texts from the TOML files in analyser/risk_rules/."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analyser.errors import ConfigError
from analyser.risk.predicates import PREDICATES
from analyser.types import RISK_DIMENSIONS, FindingKind, LegalBasis, RiskDimension, Severity

RULE_FILES = tuple(f"risk_rules/rules_{dimension}.toml" for dimension in RISK_DIMENSIONS)


class Text(BaseModel):
    """A text in English and Dutch."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    en: Annotated[str, Field(min_length=1)]
    nl: Annotated[str, Field(min_length=1)]


class RuleSpec(BaseModel):
    """One risk rule as written in a rules file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[A-Z]{3,4}-\d{2}$")]
    dimension: RiskDimension
    severity: Severity
    kind: FindingKind = "risk"
    when: str
    params: dict[str, int | str | bool] = Field(default_factory=dict)
    title: Text
    legal_basis: Annotated[tuple[LegalBasis, ...], Field(min_length=1)]
    explanation: Text
    action: Text

    @field_validator("when")
    @classmethod
    def _known_predicate(cls, name: str) -> str:
        if name not in PREDICATES:
            raise ValueError(f"unknown predicate '{name}'; known: {', '.join(sorted(PREDICATES))}")
        return name


class DimensionSpec(BaseModel):
    """A risk dimension: its name, the report fields it rests on, and its sentence for a low level."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    fields: tuple[str, ...]
    low: Text


def _read(resource: str) -> dict[str, Any]:
    text = resources.files("analyser").joinpath(resource).read_text(encoding="utf-8")
    return tomllib.loads(text)


def parse_rules(data: dict[str, Any], source: str) -> tuple[RuleSpec, ...]:
    """Validate the `[[rule]]` tables of one rules file.

    Raises:
        ConfigError: a rule is invalid; the message names the rule and the field.
    """
    rules: list[RuleSpec] = []
    for index, raw in enumerate(data.get("rule", [])):
        try:
            rules.append(RuleSpec.model_validate(raw))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise ConfigError(f"Risk rule {index} in {source} is invalid: {where}: {error['msg']}") from exc
    return tuple(rules)


@lru_cache(maxsize=1)
def load_rules() -> tuple[RuleSpec, ...]:
    """All packaged rules, in file (dimension) order; ids are unique and match their file's dimension."""
    rules: list[RuleSpec] = []
    for resource, dimension in zip(RULE_FILES, RISK_DIMENSIONS, strict=True):
        for rule in parse_rules(_read(resource), resource):
            if rule.dimension != dimension:
                raise ConfigError(f"Risk rule {rule.id} in {resource} has dimension {rule.dimension}")
            rules.append(rule)
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"Duplicate risk rule ids: {', '.join(duplicates)}")
    return tuple(rules)


@lru_cache(maxsize=1)
def load_dimensions() -> dict[RiskDimension, DimensionSpec]:
    """The six dimensions with their texts, in report order."""
    data = _read("risk_rules/dimensions.toml")
    return {name: DimensionSpec.model_validate(data[name]) for name in RISK_DIMENSIONS}
