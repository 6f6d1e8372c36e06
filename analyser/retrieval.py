"""Find the chunks that hold each field group's facts: BM25 over EN/NL/DE lexicons fused with MiniLM similarity.

The model reads ~80 tokens/s, so every chunk sent costs seconds. Per document, `DocumentIndex.build`
tokenises and embeds the chunks once; `select(group)` then returns the few chunks worth sending
for one field group (nothing at all when the document clearly does not cover it), and
`union_of` merges the groups' selections into one context the groups can share.

MiniLM only understands English, so Dutch and German clauses are found by the lexical side:
lowercased, accent-folded, lightly stemmed words and word pairs matched against the lexicons in
`analyser.lexicons`, with `stem*` patterns expanded over each document's own vocabulary to reach
compounds such as "Unterauftragsverarbeiter".

Measured on the development corpus (benchmarks/retrieval_recall.py, 400-character chunks): ranking
by BM25 alone beat every mix with the MiniLM cosine and reciprocal-rank fusion, so the default
`lexical_weight` is 1.0 and the embedder serves as a relevance gate: it lets an English chunk
without lexicon terms through when it is close in meaning, and decides whether a document without
any core term covers a group at all.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

from analyser.embeddings import Embedder, Vectors
from analyser.lexicons import LEXICONS, Facet, FieldLexicon
from analyser.types import Chunk, ScoredChunk

log = logging.getLogger(__name__)

FIELD_GROUPS: tuple[str, ...] = tuple(LEXICONS)

Fusion = Literal["sum", "rrf"]
Scores = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# One light stemming pass: strip the longest of these endings, keeping at least 3 letters. Crude but
# applied identically to chunks and lexicon terms, which is all BM25 needs.
_SUFFIXES = ("ions", "ings", "ion", "ing", "ies", "ied", "ers", "es", "ed", "en", "er", "e", "s", "y")
_MIN_STEM = 3
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"})
# `"Subprocessor" means ...`: definitions name every topic of a contract but settle none.
_DEFINITION = re.compile(r"[\"”“'’]\s*(?:means|shall mean|has the meaning|betekent|bezeichnet|bedeutet)\b", re.I)
# Table rows and list items extracted from PDFs: several lines, mostly shorter than wrapped prose.
_MIN_TABLE_LINES = 3
_SHORT_LINE = 50
# With a handful of chunks, Okapi IDF turns negative for words in most chunks, which would rank a
# chunk that matches below one that does not. Keep every IDF at least this positive.
_MIN_IDF = 0.05


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """Knobs of the ranking and selection, measured with benchmarks/retrieval_recall.py."""

    fusion: Fusion = "sum"
    lexical_weight: float = 1.0  # "sum": weight of max-scaled BM25 against min-max-scaled similarity
    context_weight: float = 0.5  # BM25 weight of context terms relative to core terms
    rrf_k: int = 10  # "rrf": documents have 1-100 chunks, so a small k keeps the top ranks decisive
    facet_budget_chars: int = 800  # a group's budget is this times its number of facets
    relative_cutoff: float = 0.2  # a facet drops chunks scoring below this share of its best chunk
    min_similarity: float = 0.45  # a group without core terms needs a chunk at least this similar
    chunk_similarity: float = 0.55  # a chunk without core terms needs this similarity to be selected
    definitions_damping: float = 0.5  # BM25 factor for chunks that define terms
    list_budget_chars: int = 3200  # extra characters for the rest of a subprocessor table


DEFAULT_SETTINGS = RetrievalSettings()


@dataclass(frozen=True, slots=True)
class FacetSignals:
    """Per-chunk evidence for one facet: BM25 score, distinct core terms present, best cosine, fused score."""

    name: str
    lexical: Scores
    core_hits: Counts
    similarity: Scores
    fused: Scores

    def relevant(self, i: int, chunk_similarity: float) -> bool:
        """Whether chunk `i` mentions the facet: a core term, or a cosine of at least `chunk_similarity`."""
        return bool(self.core_hits[i] > 0) or float(self.similarity[i]) >= chunk_similarity


@dataclass(frozen=True, slots=True)
class GroupSignals:
    """The facets' signals for one field group; a chunk's group score is its best facet score."""

    facets: tuple[FacetSignals, ...]

    @property
    def fused(self) -> Scores:
        """Best fused score over the facets, per chunk."""
        return np.asarray(np.max([facet.fused for facet in self.facets], axis=0), dtype=np.float64)

    @property
    def core_hits(self) -> Counts:
        """Distinct core terms of any facet present, per chunk."""
        return np.asarray(np.sum([facet.core_hits for facet in self.facets], axis=0), dtype=np.int64)

    @property
    def similarity(self) -> Scores:
        """Best cosine to any query of the group, per chunk."""
        return np.asarray(np.max([facet.similarity for facet in self.facets], axis=0), dtype=np.float64)


def fold(text: str) -> str:
    """Lowercase and strip accents (ü→u, ß→ss, ligatures split) so spelling variants match."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """Strip one common English/Dutch/German inflection ending."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    """Index tokens of a text: stemmed words, hyphenated words also joined, and adjacent word pairs."""
    words: list[str] = []
    joined: list[str] = []
    for match in _WORD.findall(fold(text)):
        parts = match.split("-")
        words.extend(stem(part) for part in parts)
        if len(parts) > 1:
            joined.append(stem("".join(parts)))
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return words + joined + pairs


def surface_words(text: str) -> set[str]:
    """Folded, unstemmed words of a text (hyphenated words also joined), for `stem*` patterns."""
    found: set[str] = set()
    for match in _WORD.findall(fold(text)):
        parts = match.split("-")
        found.update(parts)
        if len(parts) > 1:
            found.add("".join(parts))
    return found


def term_tokens(term: str) -> list[str]:
    """Index tokens a plain lexicon term stands for: one stemmed word, or the word pairs of a phrase."""
    matches = _WORD.findall(fold(term))
    if len(matches) == 1:
        return [stem(matches[0].replace("-", ""))]
    words = [stem(part) for match in matches for part in match.split("-")]
    return [f"{a} {b}" for a, b in itertools.pairwise(words)]


def looks_tabular(text: str) -> bool:
    """Whether a text reads like table rows or a list: cell separators, or mostly short lines."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < _MIN_TABLE_LINES:
        return False
    if sum(line.count("|") for line in lines) >= len(lines):
        return True
    return sorted(len(line) for line in lines)[len(lines) // 2] < _SHORT_LINE


def expand_terms(terms: Iterable[str], vocabulary: Mapping[str, str]) -> list[str]:
    """Turn lexicon terms into distinct index tokens; `*` patterns match the document's surface words."""
    tokens: dict[str, None] = {}
    for term in terms:
        if "*" not in term:
            tokens.update(dict.fromkeys(term_tokens(term)))
            continue
        pattern = fold(term)
        core = pattern.strip("*")
        if pattern.startswith("*") and pattern.endswith("*"):
            hits = [word for word in vocabulary if core in word]
        elif pattern.endswith("*"):
            hits = [word for word in vocabulary if word.startswith(core)]
        else:
            hits = [word for word in vocabulary if word.endswith(core)]
        tokens.update(dict.fromkeys(vocabulary[word] for word in hits))
    return list(tokens)


@dataclass(slots=True)
class DocumentIndex:
    """One document's chunks, tokenised and embedded once, ranked per field group on demand."""

    chunks: tuple[Chunk, ...]
    settings: RetrievalSettings
    _bm25: BM25Okapi | None
    _token_sets: list[set[str]]
    _vocabulary: dict[str, str]
    _vectors: Vectors | None
    _embedder: Embedder | None
    _definitions: npt.NDArray[np.bool_]
    _tabular: npt.NDArray[np.bool_]
    _signals: dict[str, GroupSignals] = field(default_factory=dict)

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], embedder: Embedder | None, settings: RetrievalSettings = DEFAULT_SETTINGS
    ) -> DocumentIndex:
        """Tokenise and (with an embedder) embed the chunks; `embedder=None` ranks lexically only."""
        texts = [_indexed_text(chunk) for chunk in chunks]
        corpus = [tokenize(text) for text in texts]
        bm25 = _build_bm25(corpus)
        vocabulary = {word: stem(word) for text in texts for word in surface_words(text)}
        vectors = embedder.embed(texts) if embedder is not None and texts else None
        definitions = np.array([bool(_DEFINITION.search(text)) for text in texts], dtype=bool)
        tabular = np.array([looks_tabular(chunk.text) for chunk in chunks], dtype=bool)
        log.debug("indexed %d chunks, %d words", len(chunks), len(vocabulary))
        token_sets = [set(tokens) for tokens in corpus]
        return cls(tuple(chunks), settings, bm25, token_sets, vocabulary, vectors, embedder, definitions, tabular)

    def with_settings(self, settings: RetrievalSettings) -> DocumentIndex:
        """The same index (no re-embedding) with other settings; scores are kept when only selection changed."""
        same_scores = _scoring_knobs(settings) == _scoring_knobs(self.settings)
        return replace(self, settings=settings, _signals=self._signals if same_scores else {})

    def signals(self, group: str) -> GroupSignals:
        """Lexical, similarity and fused scores of every chunk for `group` (computed once)."""
        if group not in self._signals:
            self._signals[group] = self._compute_signals(_lexicon(group))
        return self._signals[group]

    def rank(self, group: str) -> list[ScoredChunk]:
        """All chunks, best first, scored by the fused lexical and semantic relevance to `group`."""
        fused = self.signals(group).fused
        order = sorted(range(len(self.chunks)), key=lambda i: (-fused[i], i))
        return [ScoredChunk(self.chunks[i], float(fused[i])) for i in order]

    def matches(self, group: str) -> bool:
        """Whether the document mentions the group at all: a core term, or a chunk close enough in meaning."""
        signals = self.signals(group)
        if signals.core_hits.any():
            return True
        return bool(signals.similarity.size) and float(signals.similarity.max()) >= self.settings.min_similarity

    def select(self, group: str, budget_chars: int | None = None) -> list[ScoredChunk]:
        """The best chunks for `group`, in document order; empty when the document does not cover the group.

        Facets take turns (each one's best chunk first, then each one's second best ...) until the
        budget is spent, so a group whose facts sit in several clauses gets each clause before any
        facet gets a second chunk, and facets that one clause already answers leave their share to
        the others. The default budget is `facet_budget_chars` per facet, plus `list_budget_chars` for
        the rest of a subprocessor table; an explicit `budget_chars` caps everything.
        """
        if not self.chunks or not self.matches(group):
            return []
        lexicon = _lexicon(group)
        signals = self.signals(group)
        queues = [self._candidates(scores) for scores in signals.facets]
        pinned = [0] if lexicon.opening_chunk else []
        budget = self.budget(group) if budget_chars is None else budget_chars
        chosen = _fill(self.chunks, _round_robin([pinned, *queues]), budget)
        if budget_chars is None:
            runs = [
                i
                for scores, facet, queue in zip(signals.facets, lexicon.facets, queues, strict=True)
                if facet.contiguous and queue
                for i in self._list_run(scores, queue[0])
                if i not in chosen
            ]
            chosen += _fill(self.chunks, runs, self.settings.list_budget_chars)
        fused = signals.fused
        return [ScoredChunk(self.chunks[i], float(fused[i])) for i in sorted(set(chosen))]

    def budget(self, group: str) -> int:
        """Default character budget of a group's ranked picks: the facet budget times its facets."""
        return self.settings.facet_budget_chars * len(_lexicon(group).facets)

    def select_all(self, budget_chars: int | None = None) -> dict[str, list[ScoredChunk]]:
        """`select` for every field group."""
        return {group: self.select(group, budget_chars) for group in FIELD_GROUPS}

    def _candidates(self, facet: FacetSignals) -> list[int]:
        """Chunks relevant to a facet, best first, down to `relative_cutoff` of its best score."""
        relevant = [i for i in range(len(self.chunks)) if facet.relevant(i, self.settings.chunk_similarity)]
        if not relevant:
            return []
        floor = self.settings.relative_cutoff * max(float(facet.fused[i]) for i in relevant)
        return sorted((i for i in relevant if facet.fused[i] >= floor), key=lambda i: (-facet.fused[i], i))

    def _list_run(self, facet: FacetSignals, start: int) -> list[int]:
        """The chunks after `start` that continue its list: a table's later rows rarely repeat its heading.

        A chunk continues the list while it matches a term of the facet and stays in the same section
        or looks like table rows.
        """
        run = []
        for i in range(start + 1, len(self.chunks)):
            same_section = self.chunks[i].heading == self.chunks[start].heading
            if facet.lexical[i] <= 0 or not (same_section or self._tabular[i]):
                break
            run.append(i)
        return run

    def _compute_signals(self, lexicon: FieldLexicon) -> GroupSignals:
        return GroupSignals(tuple(self._facet_signals(lexicon, facet) for facet in lexicon.facets))

    def _facet_signals(self, lexicon: FieldLexicon, facet: Facet) -> FacetSignals:
        n = len(self.chunks)
        core = expand_terms(facet.core, self._vocabulary)
        context = expand_terms((*facet.context, *lexicon.context), self._vocabulary)
        lexical = np.zeros(n)
        if self._bm25 is not None:
            lexical = np.asarray(self._bm25.get_scores(core), dtype=np.float64)
            lexical += self.settings.context_weight * np.asarray(self._bm25.get_scores(context), dtype=np.float64)
            lexical = np.where(self._definitions, self.settings.definitions_damping * lexical, lexical)
        core_set = set(core)
        core_hits = np.array([len(core_set & tokens) for tokens in self._token_sets], dtype=np.int64)
        similarity = self._similarity(lexicon.group, facet)
        return FacetSignals(facet.name, lexical, core_hits, similarity, self._fuse(lexical, similarity))

    def _similarity(self, group: str, facet: Facet) -> Scores:
        if self._vectors is None or self._embedder is None:
            return np.zeros(len(self.chunks))
        queries = _query_bank(cast(Hashable, self._embedder))[(group, facet.name)]
        return np.asarray((self._vectors @ queries.T).max(axis=1), dtype=np.float64)

    def _fuse(self, lexical: Scores, similarity: Scores) -> Scores:
        if self._vectors is None:
            return lexical
        if self.settings.fusion == "rrf":
            return _rrf(lexical, self.settings.rrf_k) + _rrf(similarity, self.settings.rrf_k)
        weight = self.settings.lexical_weight
        return weight * _max_scaled(lexical) + (1.0 - weight) * _min_max(similarity)


def rank(chunks: Sequence[Chunk], group: str, embedder: Embedder | None) -> list[ScoredChunk]:
    """Rank `chunks` for a field group, best first (the index is cached, so groups share embeddings)."""
    return _cached_index(tuple(chunks), cast(Hashable, embedder)).rank(group)


def select(
    chunks: Sequence[Chunk], group: str, embedder: Embedder | None, budget_chars: int | None = None
) -> list[ScoredChunk]:
    """The chunks to send for a field group, in document order; empty when the document lacks the topic."""
    return _cached_index(tuple(chunks), cast(Hashable, embedder)).select(group, budget_chars)


def union_of(selections: Mapping[str, Sequence[ScoredChunk]]) -> list[Chunk]:
    """Every chunk selected for any group, once, in document order: one context all groups can share."""
    unique = {scored.chunk.id: scored.chunk for chosen in selections.values() for scored in chosen}
    return sorted(unique.values(), key=lambda chunk: (chunk.char_start, chunk.id))


# Embedders are keyed by identity (the Protocol cannot promise hashability, every class here has it).
@functools.lru_cache(maxsize=4)
def _cached_index(chunks: tuple[Chunk, ...], embedder: Hashable) -> DocumentIndex:
    return DocumentIndex.build(chunks, cast("Embedder | None", embedder))


@functools.lru_cache(maxsize=4)
def _query_bank(embedder: Hashable) -> dict[tuple[str, str], Vectors]:
    """Every facet's query embeddings, in one call per embedder and process (each call has a fixed cost)."""
    keys = [(lexicon.group, facet.name) for lexicon in LEXICONS.values() for facet in lexicon.facets]
    queries = [facet.queries for lexicon in LEXICONS.values() for facet in lexicon.facets]
    vectors = cast(Embedder, embedder).embed([query for facet_queries in queries for query in facet_queries])
    bank: dict[tuple[str, str], Vectors] = {}
    start = 0
    for key, facet_queries in zip(keys, queries, strict=True):
        bank[key] = vectors[start : start + len(facet_queries)]
        start += len(facet_queries)
    return bank


def _fill(chunks: Sequence[Chunk], order: Iterable[int], budget: int) -> list[int]:
    """Take chunks in `order` while they fit in `budget` characters (a chunk too big is skipped)."""
    chosen: list[int] = []
    used = 0
    for i in order:
        size = len(chunks[i].text)
        if used + size <= budget:
            chosen.append(i)
            used += size
    return chosen


def _round_robin(queues: Sequence[Sequence[int]]) -> list[int]:
    """Interleave ranked queues (first of each, then second of each ...), each index once."""
    order: dict[int, None] = {}
    for depth in range(max((len(queue) for queue in queues), default=0)):
        for queue in queues:
            if depth < len(queue):
                order.setdefault(queue[depth], None)
    return list(order)


def _scoring_knobs(settings: RetrievalSettings) -> tuple[object, ...]:
    return (settings.fusion, settings.lexical_weight, settings.context_weight, settings.rrf_k)


def _lexicon(group: str) -> FieldLexicon:
    try:
        return LEXICONS[group]
    except KeyError:
        raise ValueError(f"unknown field group {group!r}; expected one of {', '.join(FIELD_GROUPS)}") from None


def _indexed_text(chunk: Chunk) -> str:
    """The chunk text with its clause heading in front, so a clause's later chunks keep its topic."""
    if chunk.heading and not chunk.text.startswith(chunk.heading):
        return f"{chunk.heading}\n{chunk.text}"
    return chunk.text


def _build_bm25(corpus: list[list[str]]) -> BM25Okapi | None:
    if not corpus or not any(corpus):
        return None  # BM25Okapi divides by the average chunk length
    bm25 = BM25Okapi(corpus)
    for token, idf in bm25.idf.items():
        bm25.idf[token] = max(idf, _MIN_IDF)
    return bm25


def _max_scaled(scores: Scores) -> Scores:
    peak = float(scores.max()) if scores.size else 0.0
    return scores / peak if peak > 0 else np.zeros_like(scores)


def _min_max(scores: Scores) -> Scores:
    if not scores.size:
        return scores
    low, high = float(scores.min()), float(scores.max())
    return (scores - low) / (high - low) if high - low > 1e-9 else np.zeros_like(scores)


def _rrf(scores: Scores, k: int) -> Scores:
    """Reciprocal-rank fusion term 1/(k + rank); chunks scoring zero get nothing."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return np.where(scores > 0, 1.0 / (k + ranks), 0.0)


__all__ = [
    "DEFAULT_SETTINGS",
    "FIELD_GROUPS",
    "DocumentIndex",
    "FacetSignals",
    "Fusion",
    "GroupSignals",
    "RetrievalSettings",
    "fold",
    "rank",
    "select",
    "stem",
    "tokenize",
    "union_of",
]
