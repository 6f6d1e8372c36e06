"""Retrieval recall on the evaluation corpus: do the chunks selected per field group hold the gold evidence?

    /work/main/.venv/bin/python benchmarks/retrieval_recall.py [--corpus ../shared/corpus] [--sweep] [-v]

For every docs/*.pdf with a gold/*.json: ingest, chunk with the Settings defaults, select chunks per
field group, and count a gold evidence quote as found when it lies inside the chunks selected for
its field's group (adjacent selected chunks count as one passage, since they are sent together).
Characters sent are the union over the groups (each chunk once per document: the groups share one
prompt prefix), compared with sending the whole document ("full"). Tokens are estimated as chars/4.
`--sweep` tries chunk sizes, overlaps, fusions and budgets and prints one line per combination.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyser.chunking import split_document  # noqa: E402
from analyser.config import Settings  # noqa: E402
from analyser.embeddings import Embedder, local_embedder  # noqa: E402
from analyser.ingest import read_document  # noqa: E402
from analyser.retrieval import DEFAULT_SETTINGS, DocumentIndex, Fusion, union_of  # noqa: E402
from analyser.types import Chunk, Document, ScoredChunk  # noqa: E402

FIELD_TO_GROUP = {
    "provider": "parties",
    "storage_locations": "locations",
    "remote_access_locations": "locations",
    "governing_law": "law",
    "courts": "law",
    "subprocessors": "subprocessors",
    "subprocessor_change_notice_days": "subprocessors",
    "subprocessor_objection_right": "subprocessors",
    "transfer_mechanisms": "security",
    "key_custody": "security",
    "encryption_at_rest": "security",
    "breach_notification_hours": "security",
    "exit": "exit",
}
TARGET_RECALL = 0.95
_MARKDOWN = re.compile(r"[*_|`]")  # markdown emphasis, table bars and code spans the PDF does not show
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One gold evidence quote and the field group whose selection must contain it."""

    field: str
    group: str
    quote: str


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    """An ingested corpus document with its gold quotes."""

    name: str
    document: Document
    quotes: tuple[GoldQuote, ...]


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Recall and cost of one document under one configuration."""

    name: str
    language: str
    chunks: int
    found: int
    quotes: int
    full_chars: int
    sent_chars: int
    per_group_chars: int  # summed over the groups, as if each group's prompt were read separately
    missed: tuple[GoldQuote, ...]

    @property
    def recall(self) -> float:
        """Share of gold quotes found (1.0 for a document without quotes)."""
        return self.found / self.quotes if self.quotes else 1.0

    @property
    def sent_share(self) -> float:
        """Characters sent as a share of the whole document."""
        return self.sent_chars / self.full_chars if self.full_chars else 0.0


def normalise(text: str) -> str:
    """Collapse whitespace, drop markdown markup, fold case and ligatures for quote matching."""
    return _SPACE.sub(" ", _MARKDOWN.sub("", unicodedata.normalize("NFKC", text))).strip().lower()


def load_corpus(corpus: Path) -> list[CorpusDocument]:
    """Ingest every corpus PDF that has a gold file."""
    loaded = []
    for pdf in sorted((corpus / "docs").glob("*.pdf")):
        gold_path = corpus / "gold" / f"{pdf.stem}.json"
        if not gold_path.is_file():
            continue
        evidence = json.loads(gold_path.read_text(encoding="utf-8")).get("evidence", {})
        quotes = tuple(
            GoldQuote(field, FIELD_TO_GROUP[field], quote) for field, items in evidence.items() for quote in items
        )
        loaded.append(CorpusDocument(pdf.stem, read_document(pdf), quotes))
    return loaded


def passages(document: Document, chosen: Sequence[ScoredChunk]) -> list[str]:
    """Normalised text of the selected chunks, adjacent or overlapping chunks merged into one passage."""
    spans = sorted((s.chunk.char_start, s.chunk.char_end) for s in chosen)
    merged: list[list[int]] = []
    for start, end in spans:
        # chunks of one document are separated by at most whitespace the splitter stripped
        if merged and start <= merged[-1][1] + 2:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [normalise(document.text[start:end]) for start, end in merged]


def evaluate(item: CorpusDocument, index: DocumentIndex) -> DocumentResult:
    """Select per group and check every gold quote against its group's selection."""
    selections = index.select_all()
    by_group = {group: passages(item.document, chosen) for group, chosen in selections.items()}
    missed = tuple(q for q in item.quotes if not any(normalise(q.quote) in p for p in by_group[q.group]))
    sent = sum(len(chunk.text) for chunk in union_of(selections))
    per_group = sum(len(s.chunk.text) for chosen in selections.values() for s in chosen)
    return DocumentResult(
        name=item.name,
        language=item.document.language,
        chunks=len(index.chunks),
        found=len(item.quotes) - len(missed),
        quotes=len(item.quotes),
        full_chars=len(item.document.text),
        sent_chars=sent,
        per_group_chars=per_group,
        missed=missed,
    )


def build_indexes(
    corpus: list[CorpusDocument], embedder: Embedder | None, chunk_size: int, overlap: int
) -> list[DocumentIndex]:
    """Chunk and index every document once for a chunking configuration."""
    indexes = []
    for item in corpus:
        chunks: tuple[Chunk, ...] = split_document(item.document, chunk_size, overlap)
        indexes.append(DocumentIndex.build(chunks, embedder))
    return indexes


def totals(results: Sequence[DocumentResult]) -> tuple[float, float, int, int]:
    """Overall recall, share of characters sent, characters sent and full characters."""
    found = sum(r.found for r in results)
    quotes = sum(r.quotes for r in results)
    sent = sum(r.sent_chars for r in results)
    full = sum(r.full_chars for r in results)
    return found / quotes, sent / full, sent, full


def print_report(results: Sequence[DocumentResult], verbose: bool) -> None:
    """Per-document table, totals and (with -v) the missed quotes."""
    print(
        f"{'document':34} {'lang':4} {'chunks':>6} {'found':>7} {'recall':>6} {'full ch':>8} {'sent ch':>8} "
        f"{'sent%':>6} {'~tok full':>9} {'~tok sent':>9} {'by group%':>9}"
    )
    for r in results:
        print(
            f"{r.name:34} {r.language:4} {r.chunks:6d} {r.found:3d}/{r.quotes:<3d} {r.recall:6.2f} {r.full_chars:8d} "
            f"{r.sent_chars:8d} {r.sent_share:6.1%} {r.full_chars // 4:9d} {r.sent_chars // 4:9d} "
            f"{r.per_group_chars / r.full_chars:9.1%}"
        )
    recall, share, sent, full = totals(results)
    found, quotes = sum(r.found for r in results), sum(r.quotes for r in results)
    per_group = sum(r.per_group_chars for r in results)
    print(
        f"{'TOTAL':34} {'':4} {sum(r.chunks for r in results):6d} {found:3d}/{quotes:<3d} {recall:6.3f} {full:8d} "
        f"{sent:8d} {share:6.1%} {full // 4:9d} {sent // 4:9d} {per_group / full:9.1%}"
    )
    worst_recall = min(results, key=lambda r: r.recall)
    worst_share = max(results, key=lambda r: r.sent_share)
    print(
        f"worst recall: {worst_recall.name} {worst_recall.recall:.2f}; "
        f"largest share sent: {worst_share.name} {worst_share.sent_share:.1%}; "
        "sent = union over the groups, by group = summed over the groups' own selections"
    )
    if verbose:
        for r in results:
            for q in r.missed:
                print(f"  MISSED {r.name} [{q.group}/{q.field}] {q.quote[:100]}")


# (fusion, lexical weight, rrf k) combinations tried by --sweep; weight 1.0 ranks by BM25 alone.
# A sweep row: recall, share sent, worst document recall, chunk size, overlap, scoring, budget, cutoff, oracle.
SweepRow = tuple[float, float, float, int, int, str, int, float, float]
SWEEP_SCORING: tuple[tuple[Fusion, float, int], ...] = (
    ("sum", 0.6, 10),
    ("sum", 0.8, 10),
    ("sum", 1.0, 10),
    ("rrf", 0.6, 10),
    ("rrf", 0.6, 60),
)
SWEEP_CHUNKING = ((300, 0), (400, 0), (400, 50), (500, 0), (600, 0), (800, 0), (1200, 150))
SWEEP_BUDGETS = (400, 500, 600, 700, 800, 1000, 1200)  # per facet
SWEEP_CUTOFFS = (0.0, 0.2, 0.35)


def oracle_share(corpus: Sequence[CorpusDocument], indexes: Sequence[DocumentIndex]) -> float:
    """Share of characters a perfect retriever would send: only the chunks holding a gold quote."""
    sent = 0
    for item, index in zip(corpus, indexes, strict=True):
        needed: dict[str, Chunk] = {}
        for quote in item.quotes:
            text = normalise(quote.quote)
            holder = next((chunk for chunk in index.chunks if text in normalise(chunk.text)), None)
            if holder is not None:
                needed[holder.id] = holder
                continue
            for first, second in itertools.pairwise(index.chunks):  # a quote across a chunk boundary
                if text in normalise(item.document.text[first.char_start : second.char_end]):
                    needed.update({first.id: first, second.id: second})
                    break
        sent += sum(len(chunk.text) for chunk in needed.values())
    return sent / sum(len(item.document.text) for item in corpus)


def sweep(corpus: list[CorpusDocument], embedder: Embedder | None) -> None:
    """Try chunkings x fusions x budgets x cutoffs; print the cheapest combinations that reach the target."""
    rows: list[SweepRow] = []
    for chunk_size, overlap in SWEEP_CHUNKING:
        started = time.perf_counter()
        indexes = build_indexes(corpus, embedder, chunk_size, overlap)
        seconds = time.perf_counter() - started
        oracle = oracle_share(corpus, indexes)
        print(
            f"indexed size={chunk_size} overlap={overlap} in {seconds:.1f} s; oracle share {oracle:.1%}",
            file=sys.stderr,
        )
        for fusion, weight, rrf_k in SWEEP_SCORING:
            scored = [
                index.with_settings(replace(DEFAULT_SETTINGS, fusion=fusion, lexical_weight=weight, rrf_k=rrf_k))
                for index in indexes
            ]
            for budget, cutoff in itertools.product(SWEEP_BUDGETS, SWEEP_CUTOFFS):
                results = [
                    evaluate(
                        item,
                        index.with_settings(replace(index.settings, facet_budget_chars=budget, relative_cutoff=cutoff)),
                    )
                    for item, index in zip(corpus, scored, strict=True)
                ]
                recall, share, _, _ = totals(results)
                worst = min(r.recall for r in results)
                label = f"{fusion}/{weight:.1f}" if fusion == "sum" else f"rrf/k{rrf_k}"
                rows.append((recall, share, worst, chunk_size, overlap, label, budget, cutoff, oracle))
    print(
        f"{'recall':>6} {'sent%':>6} {'worst':>5} {'size':>5} {'ovl':>4} {'scoring':>8} {'budget':>6} {'cut':>4} "
        f"{'oracle%':>7}"
    )
    for target in (0.95, 0.93, 0.90):
        print(f"-- cheapest with recall >= {target}")
        fitting = sorted((row for row in rows if row[0] >= target), key=lambda row: (row[1], -row[0]))
        for row in fitting[:10]:
            print_row(row)
    for title, column, values in (
        ("chunking", 3, [size for size, _ in SWEEP_CHUNKING]),
        ("scoring", 5, sorted({row[5] for row in rows})),
    ):
        print(f"-- cheapest with recall >= 0.95 per {title} (or the best recall when none reaches it)")
        for value in dict.fromkeys(values):
            same = [row for row in rows if row[column] == value]
            fitting = [row for row in same if row[0] >= TARGET_RECALL]
            best = min(fitting, key=lambda row: row[1]) if fitting else max(same, key=lambda row: (row[0], -row[1]))
            print_row(best)


def print_row(row: SweepRow) -> None:
    """One sweep result line."""
    recall, share, worst, size, overlap, label, budget, cutoff, oracle = row
    print(
        f"{recall:6.3f} {share:6.1%} {worst:5.2f} {size:5d} {overlap:4d} {label:>8} {budget:6d} "
        f"{cutoff:4.2f} {oracle:7.1%}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 when recall is below the target."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus", help="corpus directory")
    parser.add_argument("--lexical-only", action="store_true", help="rank with BM25 only (no embedding model)")
    parser.add_argument("--sweep", action="store_true", help="try chunk sizes, overlaps, fusions and budgets")
    parser.add_argument("--chunk-size", type=int, help="override Settings().chunk_size")
    parser.add_argument("--overlap", type=int, help="override Settings().chunk_overlap")
    parser.add_argument("--budget", type=int, help="override the character budget per facet")
    parser.add_argument("--fusion", choices=("sum", "rrf"), help="override the fusion method")
    parser.add_argument("--lexical-weight", type=float, help="override the BM25 weight of the 'sum' fusion")
    parser.add_argument("--cutoff", type=float, help="override the relative score cutoff")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the missed quotes")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    embedder = None if args.lexical_only else local_embedder()
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    corpus = load_corpus(args.corpus)
    ingest_seconds = time.perf_counter() - started
    if args.sweep:
        sweep(corpus, embedder)
        return 0

    defaults = Settings()
    chunk_size = args.chunk_size or defaults.chunk_size
    overlap = defaults.chunk_overlap if args.overlap is None else args.overlap
    settings = replace(
        DEFAULT_SETTINGS,
        facet_budget_chars=args.budget or DEFAULT_SETTINGS.facet_budget_chars,
        fusion=args.fusion or DEFAULT_SETTINGS.fusion,
        lexical_weight=DEFAULT_SETTINGS.lexical_weight if args.lexical_weight is None else args.lexical_weight,
        relative_cutoff=DEFAULT_SETTINGS.relative_cutoff if args.cutoff is None else args.cutoff,
    )
    started = time.perf_counter()
    indexes = [index.with_settings(settings) for index in build_indexes(corpus, embedder, chunk_size, overlap)]
    index_seconds = time.perf_counter() - started
    started = time.perf_counter()
    results = [evaluate(item, index) for item, index in zip(corpus, indexes, strict=True)]
    select_seconds = time.perf_counter() - started

    embedder_id = "none" if embedder is None else embedder.model_id
    print(
        f"chunk_size={chunk_size} overlap={overlap} fusion={settings.fusion} lexical_weight={settings.lexical_weight} "
        f"budget/facet={settings.facet_budget_chars} cutoff={settings.relative_cutoff} embedder={embedder_id}"
    )
    print_report(results, args.verbose)
    print(f"a perfect retriever (only the chunks holding a gold quote) would send {oracle_share(corpus, indexes):.1%}")
    print(
        f"time: model load {load_seconds:.1f} s, ingest {ingest_seconds:.1f} s, chunk+index {index_seconds:.1f} s, "
        f"select {select_seconds:.2f} s ({len(corpus)} documents)"
    )
    return 0 if totals(results)[0] >= TARGET_RECALL else 1


if __name__ == "__main__":
    raise SystemExit(main())
