"""Batch analysis: planning, vendors, the resumable cache, bad files, --force, --jobs and interruption."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyser import batch, cli, pipeline
from analyser.cache import CACHE_FILE, CacheKey, ResultCache
from analyser.config import Settings
from analyser.embeddings import FakeEmbedder
from analyser.errors import ConfigError
from analyser.llm.fake import FakeBackend
from analyser.types import DocumentReport
from tests.batch_data import many_documents, vendor_tree

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent


def _analyse(*args: str) -> object:
    return runner.invoke(cli.app, ["analyse", *args, "--backend", "rules"])


def _cache_rows(out: Path) -> dict[str, float]:
    with sqlite3.connect(out / CACHE_FILE) as db:
        return dict(db.execute("SELECT source, created_at FROM results").fetchall())


# --- Planning ---------------------------------------------------------------------------


def test_plan_names_reports_and_vendors_from_folders(tmp_path: Path) -> None:
    suppliers = vendor_tree(tmp_path)
    planned = batch.plan([suppliers], out=tmp_path / "out")
    assert [(i.display, i.stem, i.vendor, i.grouped_by) for i in planned.items] == [
        ("acme/dpa.md", "acme__dpa", "acme", "folder"),
        ("acme/subprocessors.md", "acme__subprocessors", "acme", "folder"),
        ("broken.pdf", "broken", None, "document"),
        ("globex/dpa.md", "globex__dpa", "globex", "folder"),
    ]
    assert [p.name for p in planned.ignored] == ["notes.xyz"]


def test_plan_keeps_the_suffix_only_when_two_files_share_a_stem(tmp_path: Path) -> None:
    for name in ("dpa.pdf", "dpa.md", "msa.md"):
        (tmp_path / name).write_text("x")
    planned = batch.plan([tmp_path])
    assert [i.stem for i in planned.items] == ["dpa.md", "dpa.pdf", "msa"]


def test_plan_keeps_documents_apart_when_two_folders_hold_the_same_path(tmp_path: Path) -> None:
    for batch_name in ("2024", "2025"):
        (tmp_path / batch_name / "acme").mkdir(parents=True)
        (tmp_path / batch_name / "acme" / "dpa.md").write_text(batch_name)
    planned = batch.plan([tmp_path / "2024", tmp_path / "2025"])
    assert [(i.display, i.stem, i.vendor) for i in planned.items] == [
        ((tmp_path / "2024" / "acme" / "dpa.md").as_posix(), "acme__dpa", "acme"),
        ((tmp_path / "2025" / "acme" / "dpa.md").as_posix(), "acme__dpa-2", "acme"),
    ]


def test_plan_skips_the_output_folder_and_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "dpa.md").write_text("x")
    (tmp_path / ".hidden.md").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.md").write_text("x")
    planned = batch.plan([tmp_path], out=tmp_path / "out")
    assert [i.display for i in planned.items] == ["dpa.md"]


def test_vendor_map_overrides_folders(tmp_path: Path) -> None:
    suppliers = vendor_tree(tmp_path)
    mapping = tmp_path / "vendors.csv"
    mapping.write_text("pattern,vendor\n# comment\nacme/subprocessors.md,Acme Group\nbroken.*,Broken Ltd\n")
    rules = batch.load_vendor_map(mapping)
    planned = batch.plan([suppliers], vendor_map=rules)
    assert [(i.display, i.vendor, i.grouped_by) for i in planned.items] == [
        ("acme/dpa.md", "acme", "folder"),
        ("acme/subprocessors.md", "Acme Group", "map"),
        ("broken.pdf", "Broken Ltd", "map"),
        ("globex/dpa.md", "globex", "folder"),
    ]


def test_bad_vendor_map_is_a_config_error(tmp_path: Path) -> None:
    mapping = tmp_path / "vendors.csv"
    mapping.write_text("acme/*,Acme\nonly-one-column\n")
    with pytest.raises(ConfigError, match="line 2"):
        batch.load_vendor_map(mapping)
    result = runner.invoke(
        cli.app, ["analyse", str(tmp_path), "--out", str(tmp_path / "o"), "--vendor-map", str(mapping)]
    )
    assert result.exit_code == 2


# --- Running ----------------------------------------------------------------------------


def test_batch_reports_bad_files_and_goes_on(tmp_path: Path) -> None:
    suppliers, out = vendor_tree(tmp_path), tmp_path / "out"
    result = _analyse(str(suppliers), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "failed  broken.pdf: " in result.stderr
    assert "4 documents (4 analysed, 0 skipped as already analysed): 3 ok, 0 partial, 1 failed; 3 vendors" in (
        " ".join(result.stderr.split())
    )
    assert "Ignored 1 files" in result.stderr
    assert result.stdout == ""
    failed = json.loads((out / "broken.json").read_text())
    assert failed["status"] == "failed" and failed["document"] == "broken.pdf" and "PDF" in failed["errors"][0]
    acme = json.loads((out / "acme__dpa.json").read_text())
    assert acme["document"] == "acme/dpa.md" and acme["governing_law"] == "NL"
    # Failed documents are not cached: the next run tries them again.
    assert sorted(_cache_rows(out)) == ["acme/dpa.md", "acme/subprocessors.md", "globex/dpa.md"]


def test_rerun_takes_everything_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suppliers, out = vendor_tree(tmp_path), tmp_path / "out"
    (suppliers / "broken.pdf").unlink()
    assert _analyse(str(suppliers), "--out", str(out)).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    rows = _cache_rows(out)

    def refuse(*args: object, **kwargs: object) -> DocumentReport:
        raise AssertionError("a cached document was analysed again")

    monkeypatch.setattr(pipeline.Analyser, "analyse_path", refuse)
    result = _analyse(str(suppliers), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 of 3 documents already analysed (cache)" in result.stderr
    assert "(0 analysed, 3 skipped as already analysed)" in " ".join(result.stderr.split())
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == before  # reports untouched
    assert _cache_rows(out) == rows


def test_force_and_changed_files_are_analysed_again(tmp_path: Path) -> None:
    suppliers, out = vendor_tree(tmp_path), tmp_path / "out"
    (suppliers / "broken.pdf").unlink()
    _analyse(str(suppliers), "--out", str(out))
    dpa = suppliers / "globex" / "dpa.md"
    dpa.write_text(dpa.read_text().replace("laws of Germany", "laws of Austria"))
    result = _analyse(str(suppliers), "--out", str(out))
    assert "2 of 3 documents already analysed" in result.stderr
    assert json.loads((out / "globex__dpa.json").read_text())["governing_law"] == "AT"
    forced = _analyse(str(suppliers), "--out", str(out), "--force")
    assert "(3 analysed, 0 skipped" in " ".join(forced.stderr.split())


def test_cache_key_covers_model_prompts_policy_version_and_options(tmp_path: Path) -> None:
    base = CacheKey("f" * 64, "m" * 64, '{"law": "law@v1#1234abcd"}', "policy-a", "0.1.0", '{"backend": "llama"}')
    report = DocumentReport(document="a.pdf")
    with ResultCache(tmp_path / CACHE_FILE) as cache:
        cache.put(base, "a.pdf", report)
        assert cache.get(base) == report
        for change in (
            {"file_sha256": "e" * 64},
            {"model_sha256": "n" * 64},
            {"prompt_versions": '{"law": "law@v2#99999999"}'},
            {"policy_hash": "policy-b"},
            {"analyser_version": "0.2.0"},
            {"options": '{"backend": "rules"}'},
        ):
            assert cache.get(_replace(base, change)) is None


def _replace(key: CacheKey, change: dict[str, str]) -> CacheKey:
    import dataclasses

    return dataclasses.replace(key, **change)


def test_a_damaged_cache_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE).write_bytes(b"not a database" * 100)
    with ResultCache(tmp_path / CACHE_FILE) as cache:
        assert cache.count() == 0
    assert len(list(tmp_path.glob(f"{CACHE_FILE}.damaged-*"))) == 1


def test_fingerprint_of_a_model_run_names_prompts(tmp_path: Path) -> None:
    options = pipeline.AnalysisOptions(backend="fake")
    analyser = pipeline.Analyser(options, Settings(), backend=FakeBackend(), embedder=FakeEmbedder())
    key = batch.fingerprint(analyser, "p")
    versions = json.loads(key.prompt_versions)
    assert set(versions) >= {"system", "parties", "locations", "law", "subprocessors", "security", "exit"}
    assert all("@v" in ref and "#" in ref for ref in versions.values())
    rules = pipeline.Analyser(pipeline.AnalysisOptions(backend="rules"), Settings())
    assert batch.fingerprint(rules, "p").prompt_versions == "{}"


class _Quiet:
    """A batch listener that records what it is told."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def started(self, total: int, cached: int) -> None:
        self.events.append(f"started {total} {cached}")

    def loading_model(self) -> None:
        self.events.append("loading")

    def stage(self, item: batch.BatchItem, stage: str) -> None:
        pass

    def finished(self, result: batch.ItemResult) -> None:
        self.events.append(f"finished {result.item.display} {result.cached}")

    def writing_register(self) -> None:
        self.events.append("register")


def _comparable(report: DocumentReport) -> dict[str, object]:
    data = report.model_dump(mode="json")
    data.pop("run")
    return data


def test_jobs_give_the_same_reports_as_one_job(tmp_path: Path) -> None:
    folder = many_documents(tmp_path / "in", 6)
    settings = Settings()
    results = {}
    for jobs in (1, 3):
        analyser = pipeline.Analyser(
            pipeline.AnalysisOptions(backend="fake"), settings, backend=FakeBackend(), embedder=FakeEmbedder()
        )
        options = batch.BatchOptions(out=tmp_path / f"out{jobs}", jobs=jobs)
        listener = _Quiet()
        result = batch.run_batch(analyser, batch.plan([folder]), options, listener)
        assert listener.events[:2] == ["started 6 0", "loading"] and listener.events[-1] == "register"
        results[jobs] = [(r.item.display, _comparable(r.report)) for r in result.results]
    assert results[1] == results[3]
    assert [name for name, _ in results[3]] == [f"{v}/dpa_{n:03d}.md" for v, n in _order(6)]


def _order(count: int) -> list[tuple[str, int]]:
    return sorted((("north" if n % 2 else "south"), n) for n in range(count))


def test_assess_hook_runs_before_caching(tmp_path: Path) -> None:
    folder = many_documents(tmp_path / "in", 2)
    analyser = pipeline.Analyser(pipeline.AnalysisOptions(backend="rules"), Settings())
    seen: list[str] = []

    def assess(report: DocumentReport) -> DocumentReport:
        seen.append(report.document)
        return report.model_copy(update={"warnings": (*report.warnings, "assessed")})

    options = batch.BatchOptions(out=tmp_path / "out", assess=assess, policy_hash="p1")
    batch.run_batch(analyser, batch.plan([folder]), options, _Quiet())
    again = batch.run_batch(analyser, batch.plan([folder]), options, _Quiet())
    assert seen == ["north/dpa_001.md", "south/dpa_000.md"]  # the second run came from the cache
    assert all("assessed" in r.report.warnings and r.cached for r in again.results)
    other_policy = batch.BatchOptions(out=tmp_path / "out", assess=assess, policy_hash="p2")
    assert batch.run_batch(analyser, batch.plan([folder]), other_policy, _Quiet()).skipped == 0


# --- Interruption -----------------------------------------------------------------------


def _start(folder: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "analyser.cli", "analyse", str(folder), "--out", str(out), "--backend", "rules"]
    env = {**os.environ, "COLUMNS": "250"}  # rich wraps stderr at the terminal width
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _kill_after(process: subprocess.Popen[bytes], out: Path, finished: int, how: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (out / CACHE_FILE).exists():
            try:
                if len(_cache_rows(out)) >= finished:
                    break
            except sqlite3.Error:
                pass  # the writer holds the lock for a moment
        time.sleep(0.02)
    assert process.poll() is None, "the batch finished before it could be interrupted"
    process.send_signal(how)
    process.communicate(timeout=60)


def _interrupted_run_resumes(folder: Path, out: Path, how: int) -> tuple[int, int]:
    """Interrupt a batch after a few documents, rerun it, and check nothing finished was redone."""
    process = _start(folder, out)
    _kill_after(process, out, 3, how)
    done = _cache_rows(out)
    reports = {p.name for p in out.glob("*.json")}
    assert len(done) >= 3
    for path in out.glob("*.json"):
        DocumentReport.model_validate_json(path.read_text())  # no half-written report
    assert not (out / "summary.csv").exists()  # the register waits for a complete batch
    rerun = runner.invoke(cli.app, ["analyse", str(folder), "--out", str(out), "--backend", "rules"])
    total = len(batch.plan([folder]).items)
    assert f"{len(done)} of {total} documents already analysed (cache)" in rerun.stderr, rerun.stderr
    after = _cache_rows(out)
    assert {k: after[k] for k in done} == done  # finished documents were not analysed again
    assert len(after) == total and reports <= {p.name for p in out.glob("*.json")}
    assert not list(out.glob(".*.tmp"))
    return len(done), total


def test_killed_run_resumes_without_redoing_finished_files(tmp_path: Path) -> None:
    folder = many_documents(tmp_path / "in", 60)
    done, total = _interrupted_run_resumes(folder, tmp_path / "out", signal.SIGKILL)
    assert 3 <= done < total


def test_ctrl_c_stops_cleanly_with_exit_130(tmp_path: Path) -> None:
    folder, out = many_documents(tmp_path / "in", 60), tmp_path / "out"
    process = _start(folder, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / CACHE_FILE).exists():
        time.sleep(0.02)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()
    assert b"run the same command again" in stderr
    assert b"KeyboardInterrupt" not in stderr  # one clear message, no traceback of the batch


@pytest.mark.corpus
def test_corpus_batch_first_run_then_cached_run(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = time.perf_counter()
    first = subprocess.run(
        [
            sys.executable,
            "-m",
            "analyser.cli",
            "analyse",
            str(corpus / "docs"),
            "--out",
            str(out),
            "--backend",
            "rules",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    first_seconds = time.perf_counter() - started
    total = len(batch.plan([corpus / "docs"]).items)
    assert first.returncode in (0, 1), first.stderr
    assert f"{total} documents ({total} analysed, 0 skipped" in first.stderr
    started = time.perf_counter()
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "analyser.cli",
            "analyse",
            str(corpus / "docs"),
            "--out",
            str(out),
            "--backend",
            "rules",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    cached_seconds = time.perf_counter() - started
    assert second.returncode == first.returncode
    assert f"{total} documents (0 analysed, {total} skipped as already analysed)" in second.stderr
    assert cached_seconds <= 5.0, f"cached run took {cached_seconds:.1f} s (first run {first_seconds:.1f} s)"
    print(f"corpus, rules backend: first run {first_seconds:.1f} s, cached run {cached_seconds:.1f} s")


@pytest.mark.corpus
def test_corpus_batch_killed_midway_resumes(corpus: Path, tmp_path: Path) -> None:
    done, total = _interrupted_run_resumes(corpus / "docs", tmp_path / "out", signal.SIGKILL)
    assert 3 <= done < total


def test_a_fully_cached_model_run_never_loads_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out = many_documents(tmp_path / "in", 3), tmp_path / "out"
    monkeypatch.setattr(batch, "_model_sha256", lambda analyser: "a" * 64)  # as if the GGUF file were verified
    llama = pipeline.Analyser(pipeline.AnalysisOptions(backend="llama"), Settings())
    rules = pipeline.Analyser(pipeline.AnalysisOptions(backend="rules"), Settings())
    planned = batch.plan([folder])
    base = batch.fingerprint(llama, "")
    with ResultCache(out / CACHE_FILE) as cache:
        for item in planned.items:
            cache.put(_replace(base, {"file_sha256": _sha(item.path)}), item.display, rules.analyse_path(item.path))

    def no_model(self: pipeline.Analyser) -> object:
        raise AssertionError("the model was loaded for a run the cache covers")

    monkeypatch.setattr(pipeline.Analyser, "backend", no_model)
    listener = _Quiet()
    result = batch.run_batch(llama, planned, batch.BatchOptions(out=out), listener)
    assert result.skipped == 3 and "loading" not in listener.events


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
