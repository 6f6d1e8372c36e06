"""Runs the stages in order; the only module that imports them all."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from analyser import __version__
from analyser.chunking import split_document
from analyser.config import DEFAULT_MODEL_ID, Settings, load_registry
from analyser.errors import AnalyserError, IngestError
from analyser.extraction import GROUP_FIELDS, ExtractionRun, ModelExtractor, askable_fields, open_fields
from analyser.ingest import read_document
from analyser.injection import find_injections, injection_warnings, without_injected
from analyser.merge import Merged, merge
from analyser.policy import LoadedPolicy, load_policy
from analyser.risk import with_risk
from analyser.types import Chunk, Document, DocumentReport, Evidence, RunInfo

log = logging.getLogger(__name__)

Strategy = Literal["retrieve", "full"]
AskModel = Literal["gaps", "all"]
BACKEND_CHOICES = ("llama", "openai", "rules", "fake")
# --strategy full reads the whole document in windows of about this many characters.
FULL_WINDOW_CHARS = 9000
# Above this share of the document, retrieval sends the whole (short) document instead.
WHOLE_DOCUMENT_SHARE = 0.85
Progress = Callable[[str], None]
EXIT_FIELDS = ("data_return", "deletion_days", "export_format", "termination_assistance")
TOP_LEVEL_FIELDS = (
    "storage_locations",
    "remote_access_locations",
    "governing_law",
    "courts",
    "subprocessors",
    "subprocessor_change_notice_days",
    "subprocessor_objection_right",
    "transfer_mechanisms",
    "encryption_at_rest",
    "breach_notification_hours",
)


@dataclass(frozen=True, slots=True)
class Inspection:
    """A document as the analyser reads it: pages, language and chunks."""

    document: Document
    chunks: tuple[Chunk, ...]


def inspect_file(path: Path, settings: Settings) -> Inspection:
    """Read and chunk one file without running any model."""
    document = read_document(path, settings.limits)
    chunks = split_document(document, settings.chunk_size, settings.chunk_overlap)
    return Inspection(document=document, chunks=chunks)


def inspection_json(inspection: Inspection, file: str) -> dict[str, object]:
    """The `analyser inspect --json` payload."""
    document = inspection.document
    return {
        "file": file,
        "sha256": document.sha256,
        "media_type": document.media_type,
        "language": document.language,
        "pages": [{"number": p.number, "char_start": p.char_start, "text": p.text} for p in document.pages],
        "chunks": [
            {
                "id": c.id,
                "page_start": c.page_start,
                "page_end": c.page_end,
                "char_start": c.char_start,
                "char_end": c.char_end,
                "heading": c.heading,
                "text": c.text,
            }
            for c in inspection.chunks
        ],
        "warnings": list(document.warnings),
    }


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """How to analyse: which backend and model, which strategy."""

    backend: str = "llama"
    strategy: Strategy = "retrieve"
    model: str | None = None
    base_url: str | None = None
    ask_model: AskModel = "gaps"  # gaps: only the fields the patterns left open
    policy: Path | None = None  # organisation policy TOML for the risk assessment; None: the packaged default


@dataclass
class _Timer:
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, started: float) -> None:
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + time.perf_counter() - started, 3)


class Analyser:
    """Analyses documents with resources (model, embedder) loaded once and reused."""

    def __init__(
        self,
        options: AnalysisOptions,
        settings: Settings,
        *,
        backend: object | None = None,
        embedder: object | None = None,
    ) -> None:
        if options.backend not in BACKEND_CHOICES:
            raise AnalyserError(f"Unknown backend '{options.backend}'; choose one of {', '.join(BACKEND_CHOICES)}.")
        self.options = options
        self.settings = settings
        self._backend = backend
        self._embedder = embedder
        self._model_sha256: str | None = None
        # Loaded up front: a bad policy file is a usage error before any document is read.
        self.policy: LoadedPolicy = load_policy(options.policy)

    @property
    def uses_model(self) -> bool:
        """False for the rules-only backend."""
        return self.options.backend != "rules"

    def backend(self) -> object:
        """The LLM backend, loaded on first use."""
        if self._backend is None:
            self._backend = self._load_backend()
        return self._backend

    def _load_backend(self) -> object:
        from analyser import model_files
        from analyser.llm.registry import make_backend

        if self.options.backend == "openai":
            return make_backend(
                "openai", base_url=self.options.base_url or "http://127.0.0.1:8080/v1", model=self.options.model or ""
            )
        registry = load_registry(self.settings.models_dir / "registry.toml")
        resolved = model_files.resolve(self.options.model or DEFAULT_MODEL_ID, registry, self.settings)
        context = min(resolved.entry.context_length if resolved.entry else 8192, 8192)
        return make_backend("llama", resolved=resolved, n_ctx=context, threads=self.settings.threads)

    def embedder(self) -> object:
        """The sentence embedder, loaded on first use."""
        if self._embedder is None:
            from analyser.embeddings import local_embedder

            self._embedder = local_embedder()
        return self._embedder

    def analyse_path(self, path: Path, progress: Progress | None = None) -> DocumentReport:
        """Analyse one file; a file that cannot be read gives a failed report, never an exception."""
        timer = _Timer()
        started = time.perf_counter()
        try:
            document = read_document(path, self.settings.limits)
        except IngestError as exc:
            return DocumentReport(
                document=path.name, status="failed", errors=(str(exc),), run=self._run_info(timer, ExtractionRun())
            )
        timer.add("ingest", started)
        return self.analyse_document(document, progress, timer)

    def analyse_document(
        self, document: Document, progress: Progress | None = None, timer: _Timer | None = None
    ) -> DocumentReport:
        """Run chunking, retrieval, extraction, grounding and merging on one document."""
        timer = timer or _Timer()
        say = progress or (lambda stage: None)
        started = time.perf_counter()
        chunks = split_document(document, self.settings.chunk_size, self.settings.chunk_overlap)
        timer.add("chunk", started)
        from analyser import rules

        say("rules")
        started = time.perf_counter()
        rule_facts = rules.extract(document)
        # Text addressed to an AI system is contract text, never an instruction: no fact may quote it.
        injections = find_injections(document)
        rule_facts, dropped = without_injected(rule_facts, injections)
        timer.add("rules", started)
        run = ExtractionRun()
        if self.uses_model:
            # The model reads only what the patterns could not settle: every token costs time on a
            # small machine, and a pattern that matched is more reliable than a 1.5B model.
            fields = open_fields(rule_facts) if self.options.ask_model == "gaps" else dict(GROUP_FIELDS)
            run = self._extract_with_model(document, chunks, fields, timer, say)
        model_facts, dropped_from_model = without_injected(run.facts, injections)
        run.facts = [*rule_facts, *model_facts]
        run.warnings += injection_warnings(injections, dropped + dropped_from_model)
        started = time.perf_counter()
        merged = merge(run.facts, document)
        timer.add("merge", started)
        report = build_report(document, merged, run, self._run_info(timer, run))
        return with_risk(report, self.policy)

    def _extract_with_model(
        self,
        document: Document,
        chunks: Sequence[Chunk],
        fields: Mapping[str, Sequence[str]],
        timer: _Timer,
        say: Progress,
    ) -> ExtractionRun:
        from analyser.retrieval import DocumentIndex

        extractor = ModelExtractor(self.backend())  # type: ignore[arg-type]
        # Each document starts from an empty prompt cache, so its report (values and token counts) never
        # depends on the documents analysed before it; the cost is reading the system prompt once per document.
        reset_cache = getattr(self.backend(), "reset_cache", None)
        if callable(reset_cache):
            reset_cache()
        if self.options.strategy == "full":
            return self._extract_full(document, chunks, fields, extractor, timer, say)
        say("retrieve")
        started = time.perf_counter()
        index = DocumentIndex.build(chunks, self.embedder())  # type: ignore[arg-type]
        selections = {group: [s.chunk for s in index.select(group)] for group in fields}
        fields = askable_fields(fields, selections)
        context = shared_context({group: selections[group] for group in fields}, chunks)
        passages = {group: context for group in fields if context}
        timer.add("retrieve", started)
        say("extract")
        started = time.perf_counter()
        run = extractor.extract(document, passages, fields)
        timer.add("extract", started)
        return run

    def _extract_full(
        self,
        document: Document,
        chunks: Sequence[Chunk],
        fields: Mapping[str, Sequence[str]],
        extractor: ModelExtractor,
        timer: _Timer,
        say: Progress,
    ) -> ExtractionRun:
        total = ExtractionRun()
        windows = _windows(chunks, FULL_WINDOW_CHARS)
        for number, window in enumerate(windows, start=1):
            say(f"extract {number}/{len(windows)}")
            started = time.perf_counter()
            run = extractor.extract(document, {group: window for group in fields}, fields)
            timer.add("extract", started)
            total.facts += run.facts
            total.errors += run.errors
            total.warnings += run.warnings
            total.calls += run.calls
            total.tokens_read += run.tokens_read
            total.tokens_cached += run.tokens_cached
            total.tokens_generated += run.tokens_generated
            total.prompt_refs = run.prompt_refs
            total.ungrounded += run.ungrounded
        return total

    def _run_info(self, timer: _Timer, run: ExtractionRun) -> RunInfo:
        backend = self._backend
        return RunInfo(
            analyser_version=__version__,
            backend=self.options.backend,
            strategy=self.options.strategy if self.uses_model else "rules",
            model_id=getattr(backend, "model_id", None),
            model_sha256=getattr(backend, "model_sha256", None) or None,
            embedder_id=getattr(self._embedder, "model_id", None) if self.uses_model else None,
            prompt_versions=dict(run.prompt_refs),
            model_calls=run.calls,
            tokens_read=run.tokens_read,
            tokens_cached=run.tokens_cached,
            tokens_generated=run.tokens_generated,
            seconds=dict(timer.seconds),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )


def shared_context(selections: Mapping[str, Sequence[Chunk]], chunks: Sequence[Chunk]) -> list[Chunk]:
    """One context for every group of a document: the union of their passages, in document order.

    The groups then share a prompt prefix, which the backend reads once. When the union is
    most of the document anyway, the whole (short) document is sent instead.
    """
    chosen = {chunk.id: chunk for selected in selections.values() for chunk in selected}
    union = sorted(chosen.values(), key=lambda c: c.char_start)
    total = sum(len(c.text) for c in chunks)
    if union and sum(len(c.text) for c in union) >= WHOLE_DOCUMENT_SHARE * total and total <= FULL_WINDOW_CHARS:
        return list(chunks)
    return union


def _windows(chunks: Sequence[Chunk], limit: int) -> list[list[Chunk]]:
    """Consecutive, non-overlapping groups of chunks of at most `limit` characters."""
    windows: list[list[Chunk]] = [[]]
    size = 0
    for chunk in chunks:
        if windows[-1] and size + len(chunk.text) > limit:
            windows.append([])
            size = 0
        windows[-1].append(chunk)
        size += len(chunk.text)
    return [w for w in windows if w]


def build_report(document: Document, merged: Merged, run: ExtractionRun, info: RunInfo) -> DocumentReport:
    """Assemble the per-document report from merged values (pydantic validates every value's type)."""
    values = merged.values
    evidence: dict[str, list[Evidence]] = {}
    for name, items in merged.evidence.items():
        key = name.split(".")[0] if name.startswith(("exit.", "provider.")) else name
        evidence.setdefault(key, []).extend(items)
    report: dict[str, object] = {
        "document": document.source,
        "sha256": document.sha256,
        "language": document.language,
        "media_type": document.media_type,
        "pages": len(document.pages),
        "status": "partial" if run.errors else "ok",
        "errors": run.errors,
        "provider": {"name": values.get("provider.name"), "country": values.get("provider.country")},
        "exit": {name: values.get(f"exit.{name}") for name in EXIT_FIELDS},
        "evidence": evidence,
        "facts": merged.reviews,
        "warnings": [*document.warnings, *run.warnings, *merged.warnings],
        "run": info,
    }
    for name in TOP_LEVEL_FIELDS:
        report[name] = values.get(name)
    report["key_custody"] = values.get("key_custody") or "not_stated"
    return DocumentReport.model_validate(report)


def reassess(report: DocumentReport, policy: LoadedPolicy | None = None) -> DocumentReport:
    """Recompute a report's risk from its (possibly reviewer-corrected) facts; `policy` from `load_policy`."""
    return with_risk(report, policy)
