"""Golden-file helper: compare with a stored file; ANALYSER_REGEN_GOLDEN=1 rewrites it and fails the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str) -> None:
    """Assert `actual` equals tests/golden/<name>; regenerate (and fail, so it is never left on) when asked."""
    path = GOLDEN / name
    if os.environ.get("ANALYSER_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        pytest.fail(f"regenerated {path}; unset ANALYSER_REGEN_GOLDEN and run again")
    assert path.exists(), f"missing golden file {path}: run with ANALYSER_REGEN_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")
