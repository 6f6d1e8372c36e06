"""Which fields the model is asked for: only those its group's passages mention at all."""

from __future__ import annotations

import pytest

from analyser.extraction import askable_fields
from analyser.types import Chunk


def _chunk(text: str) -> Chunk:
    return Chunk("c001", 1, 1, 0, len(text), text)


@pytest.mark.parametrize(
    ("group", "field", "text", "asked"),
    [
        ("law", "governing_law", "This Agreement is governed by the laws of Ireland.", True),
        ("law", "governing_law", "Op deze overeenkomst is Nederlands recht van toepassing.", True),
        ("law", "courts", "Gerichtsstand ist München.", True),
        ("law", "courts", "This Agreement is governed by the laws of Ireland.", False),
        ("locations", "storage_locations", "Data is hosted in Frankfurt, Germany.", True),
        ("locations", "storage_locations", "Data is hosted in secure data centres.", False),
        ("security", "key_custody", "The Customer manages its own encryption keys.", True),
        ("security", "key_custody", "Personal data is encrypted at rest with AES-256.", False),
        ("exit", "exit.export_format", "Data is returned in CSV format.", True),
        ("exit", "exit.export_format", "Data is returned at the end of the agreement.", False),
        ("subprocessors", "subprocessors", "De verwerker schakelt subverwerkers in.", True),
        ("subprocessors", "subprocessors", "The processor keeps records of processing.", False),
        ("parties", "provider.name", "Anything at all.", True),  # no cue: always asked
    ],
)
def test_a_field_is_asked_only_when_its_passages_mention_it(group: str, field: str, text: str, asked: bool) -> None:
    result = askable_fields({group: (field,)}, {group: [_chunk(text)]})
    assert (field in result.get(group, ())) is asked


def test_a_group_without_passages_is_not_asked() -> None:
    assert askable_fields({"law": ("governing_law", "courts")}, {"law": []}) == {}


def test_only_mentioned_fields_of_a_group_are_kept_in_order() -> None:
    text = "Breaches are notified within 48 hours. Data is encrypted at rest."
    fields = {"security": ("transfer_mechanisms", "encryption_at_rest", "key_custody", "breach_notification_hours")}
    assert askable_fields(fields, {"security": [_chunk(text)]}) == {
        "security": ("encryption_at_rest", "breach_notification_hours")
    }
