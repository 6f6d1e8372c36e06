"""Reproducibility: the same input, model and prompt versions give byte-identical JSON, timestamps and timings aside.

Run: .venv/bin/pytest -q tests/test_repro.py              (rules backend, seconds)
     .venv/bin/pytest -q tests/test_repro.py -m model     (the real model on two short documents)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyser import export
from analyser.cli import app
from analyser.config import Settings
from analyser.ingest import parse_bytes
from analyser.pipeline import Analyser, AnalysisOptions

REPO = Path(__file__).resolve().parent.parent
# Wall-clock values: the only fields allowed to differ between two runs.
CLOCK_FIELDS = {"seconds", "started_at", "finished_at"}
_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def without_clock(value: Any) -> Any:
    """The report with its timestamps and timings blanked, everything else untouched."""
    if isinstance(value, dict):
        return {k: None if k in CLOCK_FIELDS else without_clock(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_clock(v) for v in value]
    return value


def _canonical(text: str) -> str:
    """The report JSON re-serialised the way export writes it, with clock fields blanked."""
    return json.dumps(without_clock(json.loads(text)), ensure_ascii=False, indent=2) + "\n"


def test_clock_fields_are_the_only_wall_clock_values(tmp_path: Path) -> None:
    """Guard the allowance: no other field of a report may hold a time."""
    report = Analyser(AnalysisOptions(backend="rules"), Settings()).analyse_path(
        REPO / "examples" / "en_dpa_cloudhost.pdf"
    )
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in CLOCK_FIELDS:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            strings.append(value)

    walk(json.loads(export.report_json(report)))
    assert not [s for s in strings if _ISO_TIME.match(s)]


def test_two_cli_runs_give_byte_identical_reports(tmp_path: Path) -> None:
    pdfs = [str(p) for p in sorted((REPO / "examples").glob("*.pdf"))]
    runs = []
    for name in ("first", "second"):
        out = tmp_path / name
        result = CliRunner().invoke(app, ["analyse", *pdfs, "--out", str(out), "--backend", "rules"])
        assert result.exit_code == 0, result.output
        runs.append({p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.json"))})
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) == len(pdfs)
    for name, text in runs[0].items():
        assert _canonical(text) == _canonical(runs[1][name]), name
        assert json.loads(text)["run"]["started_at"]  # there was a timestamp to set aside


SHORT_EN = b"""Data Processing Agreement

1. Nimbus Hosting Limited, registered in Ireland, processes data for the Customer.
2. Customer Data is hosted in data centres in Frankfurt, Germany; support staff in India may access it.
3. The Provider notifies the Customer of a personal data breach within 48 hours.
4. This agreement is governed by the laws of Ireland and the courts of Dublin decide disputes.
"""

SHORT_NL = b"""Verwerkersovereenkomst

Artikel 1. Verwerker slaat de persoonsgegevens op in datacenters in Nederland.
Artikel 2. Verwerker meldt een datalek binnen 24 uur.
Artikel 3. Op deze overeenkomst is Nederlands recht van toepassing; geschillen gaan naar de rechtbank Utrecht.
"""


@pytest.mark.model
def test_real_model_gives_the_same_report_whatever_ran_before() -> None:
    """One model instance: document A, then B, then A again. The prompt cache must not leak B into A."""
    analyser = Analyser(AnalysisOptions(backend="llama"), Settings())
    first = analyser.analyse_document(parse_bytes(SHORT_EN, "a.txt"))
    analyser.analyse_document(parse_bytes(SHORT_NL, "b.txt"))
    again = analyser.analyse_document(parse_bytes(SHORT_EN, "a.txt"))
    assert first.run is not None and first.run.model_calls > 0
    assert again.run is not None and (again.run.tokens_read, again.run.tokens_cached) == (
        first.run.tokens_read,
        first.run.tokens_cached,
    )
    assert _canonical(export.report_json(first)) == _canonical(export.report_json(again))
