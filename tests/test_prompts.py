"""Prompt files: every one loads and is versioned, a missing value fails, rendering matches golden files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyser import prompts
from analyser.errors import ConfigError
from analyser.extraction import FIELD_GROUPS, render_passages
from analyser.types import ANSWER_TYPES, Chunk
from tests.golden import check_golden

CHUNKS = (
    Chunk(
        id="c000",
        page_start=1,
        page_end=1,
        char_start=0,
        char_end=60,
        heading="8. Governing law",
        text="8.1 This Agreement is governed by the laws of Ireland.",
    ),
    Chunk(
        id="c001",
        page_start=2,
        page_end=3,
        char_start=70,
        char_end=140,
        heading="Annex 2",
        text="Customer Data is hosted in eu-west-1 (Ireland).",
    ),
)


@pytest.mark.parametrize("task", [*FIELD_GROUPS, "system"])
def test_every_prompt_file_loads_with_id_and_version(task: str) -> None:
    template = prompts.load(task)
    assert template.id == task
    assert template.version == prompts.available(task)[-1]
    assert template.ref.startswith(f"{task}@v{template.version}#")
    for path in (prompts.PROMPTS_DIR / task).glob("v*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data) <= {"id", "version", "description", "system", "user", "examples"}


def test_groups_have_answer_types_and_passages_come_first() -> None:
    assert set(ANSWER_TYPES) == set(FIELD_GROUPS)
    for group in FIELD_GROUPS:
        # the passages open every group prompt, so a shared context is a shared (cached) prefix
        assert prompts.load(group).user.lstrip().startswith("$passages")


def test_missing_value_is_an_error() -> None:
    with pytest.raises(ConfigError, match="needs the value 'passages'"):
        prompts.load("law").render(fields="courts")


def test_unknown_task_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No prompt files"):
        prompts.load("nonexistent", prompts_dir=tmp_path)


@pytest.mark.parametrize("group", FIELD_GROUPS)
def test_rendered_prompt_matches_golden(group: str) -> None:
    rendered = (
        prompts.load("system").system
        + "\n---\n"
        + prompts.load(group).render(passages=render_passages(CHUNKS), fields="governing_law, courts")
    )
    check_golden(f"prompts/{group}.txt", rendered)
