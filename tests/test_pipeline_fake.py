"""The whole pipeline with the fake backend and fake embedder: prompts, grounding, merging, report, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from analyser import cli, pipeline
from analyser.config import Settings
from analyser.embeddings import FakeEmbedder
from analyser.export import report_schema, write_report
from analyser.llm.fake import FakeBackend

EMPTY = {
    "parties": {"provider_name": {"quote": "", "value": None}, "provider_country": {"quote": "", "value": None}},
    "locations": {"storage": [], "remote_access": []},
    "law": {"governing_law": {"quote": "", "value": None}, "courts": {"quote": "", "value": None}},
    "subprocessors": {
        "subprocessors": [],
        "notice_period": {"quote": "", "value": None},
        "objection_right": {"quote": "", "value": None},
    },
    "security": {
        "transfer_mechanisms": [],
        "encryption_at_rest": {"quote": "", "value": None},
        "key_custody": {"quote": "", "value": "not_stated"},
        "breach_notification": {"quote": "", "value": None},
    },
    "exit": {
        "data_return": {"quote": "", "value": None},
        "deletion_period": {"quote": "", "value": None},
        "export_format": {"quote": "", "value": None},
        "termination_assistance": {"quote": "", "value": None},
    },
}


def _answers(**groups: dict[str, object]) -> dict[str, str]:
    return {group: json.dumps({**EMPTY[group], **groups.get(group, {})}) for group in EMPTY}


def _analyser(backend: FakeBackend, ask_model: str = "all") -> pipeline.Analyser:
    options = pipeline.AnalysisOptions(backend="llama", ask_model=ask_model)  # type: ignore[arg-type]
    return pipeline.Analyser(options, Settings(), backend=backend, embedder=FakeEmbedder())


def test_grounded_facts_reach_the_report_and_hallucinations_are_dropped(tiny_pdf: Path) -> None:
    backend = FakeBackend(
        _answers(
            law={
                "governing_law": {"quote": "governed by the laws of the Netherlands", "value": "the Netherlands"},
                "courts": {"quote": "The courts of Amsterdam have exclusive jurisdiction", "value": "Amsterdam"},
            },
            locations={
                "storage": [
                    {"quote": "Customer Data is stored in data centres in the Netherlands", "value": "Netherlands"},
                    {"quote": "Customer Data is stored in Frankfurt on the Moon", "value": "Germany"},
                ]
            },
            security={
                "key_custody": {"quote": "The encryption keys are managed by the Processor", "value": "provider"},
                "encryption_at_rest": {"quote": "All data is encrypted at rest", "value": "yes"},
            },
        )
    )
    report = _analyser(backend).analyse_path(tiny_pdf)
    assert report.status == "ok"
    assert report.governing_law == "NL"
    assert report.courts == "NL"
    assert report.storage_locations == ("NL", "DE")  # the patterns also find the disaster-recovery copy
    assert report.key_custody == "provider"
    assert report.encryption_at_rest is True
    law = report.evidence["governing_law"][0]
    assert (law.page, law.match) == (3, "exact")
    assert "1 model answers were dropped" in " ".join(report.warnings)
    assert report.facts["breach_notification_hours"].status == "not_stated"
    assert report.run is not None and report.run.model_id == "fake"
    assert report.run.prompt_versions["law"].startswith("law@v1#")
    sent = [r.prompt_id for r in backend.requests]
    assert "law" in sent and "security" in sent
    law_prompt = next(r for r in backend.requests if r.prompt_id == "law").messages[-1].content
    assert "governed by the laws of the Netherlands" in law_prompt  # retrieval put the clause in the prompt


def test_model_fills_a_gap_the_patterns_leave(tmp_path: Path) -> None:
    text = (
        "Service terms of Example Cloud B.V.\n\n7. Premises\nThe Supplier's data hall is in Lisbon, Portugal, "
        "next to the harbour.\n"
    )
    path = tmp_path / "terms.txt"
    path.write_text(text)
    backend = FakeBackend(
        _answers(
            locations={"storage": [{"quote": "The Supplier's data hall is in Lisbon, Portugal", "value": "Portugal"}]}
        )
    )
    report = _analyser(backend, ask_model="gaps").analyse_path(path)
    assert report.storage_locations == ("PT",)
    assert report.run is not None and report.run.model_calls >= 1
    evidence = report.evidence["storage_locations"][0]
    assert evidence.quote == "The Supplier's data hall is in Lisbon, Portugal"
    assert "locations" in [r.prompt_id for r in backend.requests]


def test_invalid_reply_is_asked_again_once_then_the_document_goes_on(tiny_pdf: Path) -> None:
    answers = _answers()
    answers["law"] = ["{not json", "{still not json"]
    report = _analyser(FakeBackend(answers)).analyse_path(tiny_pdf)
    assert report.status == "partial"
    assert any("law: no valid answer after a second try" in e for e in report.errors)
    assert report.governing_law == "NL"  # the patterns still stand when the model fails


def test_report_validates_against_published_schema(tiny_pdf: Path, tmp_path: Path) -> None:
    report = _analyser(FakeBackend(_answers())).analyse_path(tiny_pdf)
    path = write_report(report, tmp_path)
    jsonschema.validate(json.loads(path.read_text()), report_schema())


def test_cli_rules_backend_writes_reports_and_fails_bad_files(tiny_pdf: Path, tmp_path: Path) -> None:
    bad = tmp_path / "in" / "broken.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"%PDF-1.7 truncated")
    result = CliRunner().invoke(
        cli.app, ["analyse", str(tiny_pdf), str(bad), "--backend", "rules", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1, result.output
    good = json.loads((tmp_path / "out" / "tiny.json").read_text())
    assert good["status"] == "ok" and good["governing_law"] == "NL"
    failed = json.loads((tmp_path / "out" / "broken.json").read_text())
    assert failed["status"] == "failed"
    assert "damaged or truncated PDF" in failed["errors"][0]


@pytest.mark.parametrize("option", [["--strategy", "sideways"], ["--backend", "gpt"]])
def test_cli_rejects_bad_options(tiny_pdf: Path, tmp_path: Path, option: list[str]) -> None:
    result = CliRunner().invoke(cli.app, ["analyse", str(tiny_pdf), "--out", str(tmp_path), *option])
    assert result.exit_code == 2
