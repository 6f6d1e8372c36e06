"""`analyser diff OLD NEW`: what changed between two versions of a vendor's terms.

OLD and NEW are two reports (per-document or vendor JSON) or two output folders. Folders are
compared vendor by vendor when both hold vendors/*.json, else document report by document report,
matched by file name. Compared: subprocessors (added, removed, country changed), storage and
remote-access locations, governing law, courts and, where reports carry them, risk levels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from analyser.errors import ConfigError
from analyser.types import RISK_DIMENSIONS, DocumentReport, SubProcessor, VendorProfile, VendorSubProcessor
from analyser.vendors import name_key

Terms = DocumentReport | VendorProfile
SCALARS = ("governing_law", "courts", "provider.country", "key_custody")
LOCATIONS = ("storage_locations", "remote_access_locations", "transfer_mechanisms")


class Change(BaseModel):
    """One changed value: what it was and what it is now (None: not stated)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    old: str | None
    new: str | None


class SubprocessorChange(BaseModel):
    """A subprocessor added, removed, or moved to another country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country: str | None = None
    old_country: str | None = None
    purpose: str | None = None


class TermsDiff(BaseModel):
    """The changes between two versions of one vendor's (or one document's) terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    old: str | None
    new: str | None
    subprocessors_added: tuple[SubprocessorChange, ...] = ()
    subprocessors_removed: tuple[SubprocessorChange, ...] = ()
    subprocessors_moved: tuple[SubprocessorChange, ...] = ()
    locations_added: dict[str, tuple[str, ...]] = {}
    locations_removed: dict[str, tuple[str, ...]] = {}
    changed: tuple[Change, ...] = ()
    risk_changed: tuple[Change, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing compared has changed."""
        return not (
            self.old is None
            or self.new is None
            or self.subprocessors_added
            or self.subprocessors_removed
            or self.subprocessors_moved
            or self.locations_added
            or self.locations_removed
            or self.changed
            or self.risk_changed
        )


class DiffResult(BaseModel):
    """Every compared pair; `unchanged` names the pairs with no differences."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    old: str
    new: str
    changes: tuple[TermsDiff, ...] = ()
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Side:
    """The reports of one side, by the name they are matched on."""

    path: Path
    terms: dict[str, Terms] = field(default_factory=dict)


def load_terms(path: Path) -> Terms:
    """Read one report file: a vendor profile or a document report, told apart by their keys."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Cannot read the report {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is not an analyser report.")
    kind: type[DocumentReport] | type[VendorProfile] = VendorProfile if "vendor" in data else DocumentReport
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path} is not a valid {kind.__name__}: {exc.errors()[0]['msg']}") from exc


def _load_side(path: Path) -> _Side:
    if path.is_file():
        terms = load_terms(path)
        return _Side(path, {_name(terms, path): terms})
    if not path.is_dir():
        raise ConfigError(f"{path} is neither a report file nor a folder of reports.")
    vendor_files = sorted((path / "vendors").glob("*.json"))
    files = vendor_files or sorted(p for p in path.glob("*.json") if not p.name.startswith("."))
    if not files:
        raise ConfigError(f"{path} holds no reports (*.json or vendors/*.json).")
    side = _Side(path)
    for file in files:
        terms = load_terms(file)
        side.terms[_name(terms, file)] = terms
    return side


def _name(terms: Terms, path: Path) -> str:
    return terms.vendor if isinstance(terms, VendorProfile) else path.stem


def diff_paths(old: Path, new: Path) -> DiffResult:
    """Compare two reports or two folders of reports."""
    before, after = _load_side(old), _load_side(new)
    if len(before.terms) == 1 and len(after.terms) == 1:
        # Two single reports are two versions of one thing, whatever their names.
        (name_old, terms_old), (name_new, terms_new) = *before.terms.items(), *after.terms.items()
        pairs: dict[str, tuple[Terms | None, Terms | None]] = {
            name_new if name_old == name_new else f"{name_old} → {name_new}": (terms_old, terms_new)
        }
    else:
        names = sorted(set(before.terms) | set(after.terms), key=str.casefold)
        pairs = {n: (before.terms.get(n), after.terms.get(n)) for n in names}
    diffs = [diff_terms(name, old_terms, new_terms) for name, (old_terms, new_terms) in pairs.items()]
    return DiffResult(
        old=str(old),
        new=str(new),
        changes=tuple(d for d in diffs if not d.empty),
        unchanged=tuple(d.name for d in diffs if d.empty),
    )


def _label(terms: Terms | None) -> str | None:
    if terms is None:
        return None
    return terms.vendor if isinstance(terms, VendorProfile) else terms.document


def diff_terms(name: str, old: Terms | None, new: Terms | None) -> TermsDiff:
    """The changes from `old` to `new` (either may be missing: a vendor added or dropped)."""
    if old is None or new is None:
        return TermsDiff(name=name, old=_label(old), new=_label(new))
    added, removed, moved = _subprocessor_changes(old, new)
    locations_added: dict[str, tuple[str, ...]] = {}
    locations_removed: dict[str, tuple[str, ...]] = {}
    for key in LOCATIONS:
        before, after = _value(old, key) or (), _value(new, key) or ()
        if plus := tuple(v for v in after if v not in before):
            locations_added[key] = plus
        if minus := tuple(v for v in before if v not in after):
            locations_removed[key] = minus
    return TermsDiff(
        name=name,
        old=_label(old),
        new=_label(new),
        subprocessors_added=added,
        subprocessors_removed=removed,
        subprocessors_moved=moved,
        locations_added=locations_added,
        locations_removed=locations_removed,
        changed=_scalar_changes(old, new, SCALARS),
        risk_changed=_scalar_changes(old, new, _risk_fields(old, new)),
    )


def _value(terms: Terms, dotted: str) -> Any:
    value: Any = terms
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        if value is None:
            return None
    return None if value == "not_stated" else value


def _scalar_changes(old: Terms, new: Terms, fields: Sequence[str]) -> tuple[Change, ...]:
    changes = []
    for key in fields:
        before, after = _value(old, key), _value(new, key)
        if before != after:
            changes.append(Change(field=key, old=_text(before), new=_text(after)))
    return tuple(changes)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _risk_fields(old: Terms, new: Terms) -> list[str]:
    """The overall risk level, each dimension's level and the sovereignty indication, where assessed."""
    if old.risk is None and new.risk is None:
        return []
    dimensions = {d for terms in (old, new) if terms.risk for d in terms.risk.dimensions}
    ordered = [d for d in RISK_DIMENSIONS if d in dimensions]
    return ["risk.overall", *[f"risk.dimensions.{d}.level" for d in ordered], "risk.sovereignty_level"]


def _subprocessor_changes(
    old: Terms, new: Terms
) -> tuple[tuple[SubprocessorChange, ...], tuple[SubprocessorChange, ...], tuple[SubprocessorChange, ...]]:
    before = {name_key(s.name) or s.name: s for s in old.subprocessors}
    after = {name_key(s.name) or s.name: s for s in new.subprocessors}
    added = tuple(_change(s) for k, s in after.items() if k not in before)
    removed = tuple(_change(s) for k, s in before.items() if k not in after)
    moved = tuple(
        SubprocessorChange(name=s.name, country=s.country, old_country=before[k].country, purpose=s.purpose)
        for k, s in after.items()
        if k in before and s.country and before[k].country and s.country != before[k].country
    )
    return added, removed, moved


def _change(sub: SubProcessor | VendorSubProcessor) -> SubprocessorChange:
    return SubprocessorChange(name=sub.name, country=sub.country, purpose=sub.purpose)


def diff_text(result: DiffResult) -> str:
    """The diff as plain text, one block per changed vendor or document."""
    lines = [f"Comparing {result.old} (old) with {result.new} (new)"]
    for change in result.changes:
        lines += ["", *_block(change)]
    if not result.changes:
        lines += ["", "No changes in subprocessors, locations, governing law, courts or risk levels."]
    elif result.unchanged:
        lines += ["", f"Unchanged: {', '.join(result.unchanged)}"]
    return "\n".join(lines) + "\n"


def _block(change: TermsDiff) -> list[str]:
    if change.old is None:
        return [f"{change.name}: only in the new version"]
    if change.new is None:
        return [f"{change.name}: only in the old version"]
    lines = [f"{change.name}:"]
    lines += [f"  + subprocessor {_sub(s)}" for s in change.subprocessors_added]
    lines += [f"  - subprocessor {_sub(s)}" for s in change.subprocessors_removed]
    lines += [f"  ~ subprocessor {s.name}: {s.old_country} -> {s.country}" for s in change.subprocessors_moved]
    for key, values in change.locations_added.items():
        lines.append(f"  + {key}: {', '.join(values)}")
    for key, values in change.locations_removed.items():
        lines.append(f"  - {key}: {', '.join(values)}")
    for item in (*change.changed, *change.risk_changed):
        lines.append(f"  ~ {item.field}: {item.old or 'not stated'} -> {item.new or 'not stated'}")
    return lines


def _sub(sub: SubprocessorChange) -> str:
    details = ", ".join(v for v in (sub.country, sub.purpose) if v)
    return f"{sub.name} ({details})" if details else sub.name
