"""Shared fixtures: test documents and paths to the shared corpus."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("ANALYSER_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture
def tiny_pdf() -> Path:
    """A 3-page English PDF with a ligature (notiﬁcations) and a line-end hyphen (disaster-\\nrecovery)."""
    return DATA / "tiny.pdf"


@pytest.fixture
def corpus() -> Path:
    """The shared evaluation corpus; tests that need it are skipped where it is absent."""
    if not (CORPUS / "docs").is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def no_network() -> Iterator[list[str]]:
    """Fail the test if anything in this process tries to reach a non-loopback address (tests/offline.py)."""
    from tests.offline import network_guard

    with network_guard() as attempts:
        yield attempts
    assert attempts == [], f"network access attempted: {attempts}"
