"""Organisation policy: the risk appetite that risk assessment measures a contract against.

A policy is a small TOML file (see analyser/risk_rules/default_policy.toml, also in
policies/default.toml). Every key is optional; a missing key takes the default value. The
policy used is recorded in each report as its name and the sha256 of the file.

Usage (the pipeline, the app and batch runs do this)::

    policy = load_policy(Path("policies/strict.toml"))   # or load_policy(None) for the default
    risk = analyser.risk.assess(report, policy)
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analyser.errors import ConfigError
from analyser.types import PolicyRef

DataClassification = Literal["public", "internal", "personal", "special_category"]
KeyCustodyRequirement = Literal["customer", "customer_if_exposed", "any"]
REGION_TOKENS = ("EEA", "EU", "ADEQUATE", "US", "GLOBAL")
DEFAULT_POLICY_RESOURCE = "risk_rules/default_policy.toml"


def _check_regions(values: tuple[str, ...]) -> tuple[str, ...]:
    """Upper-case region codes and reject anything that is not a token or an ISO 3166 code."""
    checked: list[str] = []
    for value in values:
        code = value.strip().upper()
        if code not in REGION_TOKENS and not _is_iso_code(code):
            raise ValueError(
                f"'{value}' is not a region: use {', '.join(REGION_TOKENS)} or an ISO 3166 code such as NL or US-CA"
            )
        checked.append(code)
    return tuple(checked)


def _is_iso_code(code: str) -> bool:
    if "-" in code:
        return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


class Policy(BaseModel):
    """An organisation's risk appetite; thresholds here change which findings fire and the levels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    data_classification: DataClassification = "personal"
    allowed_storage_regions: tuple[str, ...] = ("EEA",)
    allowed_access_regions: tuple[str, ...] = ("EEA", "ADEQUATE")
    trusted_jurisdictions: tuple[str, ...] = ("EEA",)
    us_group_acceptable_for: tuple[DataClassification, ...] = ("public", "internal")
    required_key_custody: KeyCustodyRequirement = "customer_if_exposed"
    max_deletion_days: int = Field(default=60, ge=0, le=3650)
    max_breach_notification_hours: int = Field(default=48, ge=0, le=720)
    min_subprocessor_notice_days: int = Field(default=30, ge=0, le=365)

    @field_validator("allowed_storage_regions", "allowed_access_regions", "trusted_jurisdictions")
    @classmethod
    def _regions(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _check_regions(values)

    @property
    def us_group_acceptable(self) -> bool:
        """Whether a US-seated or US-parented provider is acceptable for this policy's data."""
        return self.data_classification in self.us_group_acceptable_for


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    """A validated policy and the reference (name, sha256) recorded in reports."""

    policy: Policy
    ref: PolicyRef


def parse_policy(text: str, source: str = "policy") -> LoadedPolicy:
    """Validate policy TOML text.

    Raises:
        ConfigError: the text is not TOML or a field is invalid; the message names the field.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Policy file {source} is not valid TOML: {exc}") from exc
    defaults = _default_data() if source != _DEFAULT_SOURCE else {}
    try:
        policy = Policy.model_validate({**defaults, **data})
    except ValidationError as exc:
        raise ConfigError(f"Policy file {source} is invalid: {_describe(exc)}") from exc
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    ref = PolicyRef(name=policy.name, sha256=digest, data_classification=policy.data_classification)
    return LoadedPolicy(policy=policy, ref=ref)


def load_policy(path: Path | None = None) -> LoadedPolicy:
    """Load a policy file, or the packaged default when `path` is None.

    Raises:
        ConfigError: the file is missing, unreadable or invalid (the message names the field).
    """
    if path is None:
        return default_policy()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"Policy file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Policy file {path} cannot be read: {exc}") from exc
    return parse_policy(text, str(path))


_DEFAULT_SOURCE = "<default policy>"


def default_policy_text() -> str:
    """The packaged default policy file, with its comments (documentation for users)."""
    return resources.files("analyser").joinpath(DEFAULT_POLICY_RESOURCE).read_text(encoding="utf-8")


def default_policy() -> LoadedPolicy:
    """The default policy shipped with the analyser."""
    return parse_policy(default_policy_text(), _DEFAULT_SOURCE)


def _default_data() -> dict[str, object]:
    # A user's file names only what it changes; "name" must still be its own.
    data = tomllib.loads(default_policy_text())
    data.pop("name", None)
    data.pop("description", None)
    return data


def _describe(exc: ValidationError) -> str:
    """The first validation error as "field: problem" (the field a user must fix)."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against policies/default.toml)"
    return f"{field}: {message}"
