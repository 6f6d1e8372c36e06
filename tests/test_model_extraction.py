"""The real embedded model (Qwen2.5-Coder-1.5B, llama.cpp) extracts grounded facts from short EN and NL texts.

These tests prove the model path works end to end on this machine: retrieval with the
packaged MiniLM, the prompts, constrained decoding, grounding and normalisation. Facts are
checked as the model alone produced them (no pattern facts mixed in).
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from analyser.chunking import split_document
from analyser.config import Settings, load_registry
from analyser.embeddings import local_embedder
from analyser.extraction import FIELD_GROUPS, ModelExtractor
from analyser.ingest import parse_bytes
from analyser.llm.llamacpp import LlamaCppBackend
from analyser.model_files import resolve
from analyser.retrieval import DocumentIndex
from analyser.types import Fact

pytestmark = pytest.mark.model

ENGLISH = """Data Processing Agreement

1. Parties
This agreement is made between the City of Example (the Customer) and Nimbus Hosting Limited, a company
registered in Ireland (the Provider).

2. Location of data
2.1 Customer Data is hosted in data centres in Frankfurt, Germany.

3. Personal data breaches
3.1 The Provider shall notify the Customer of a personal data breach within 48 hours after becoming aware of it.

4. Governing law
4.1 This agreement is governed by the laws of Ireland.
"""

DUTCH = """Verwerkersovereenkomst

Artikel 1 – Locatie
1.1 Verwerker slaat de persoonsgegevens uitsluitend op in datacenters in Nederland.

Artikel 2 – Datalekken
2.1 Verwerker informeert Verwerkingsverantwoordelijke binnen 24 uur na ontdekking van een datalek.

Artikel 3 – Toepasselijk recht
3.1 Op deze overeenkomst is Nederlands recht van toepassing.
"""


@lru_cache(maxsize=1)
def _backend() -> LlamaCppBackend:
    settings = Settings()
    resolved = resolve(
        "qwen2.5-coder-1.5b-instruct-q4_k_m", load_registry(settings.models_dir / "registry.toml"), settings
    )
    return LlamaCppBackend.from_resolved(resolved, n_ctx=4096, threads=settings.threads)


def _model_facts(text: str, name: str, groups: tuple[str, ...]) -> dict[str, list[Fact]]:
    document = parse_bytes(text.encode(), name)
    index = DocumentIndex.build(split_document(document), local_embedder())
    passages = {group: [s.chunk for s in index.select(group)] for group in groups}
    run = ModelExtractor(_backend()).extract(document, passages)
    assert run.errors == []
    facts: dict[str, list[Fact]] = {}
    for fact in run.facts:
        assert fact.source == "model"
        assert document.text[fact.evidence[0].char_start : fact.evidence[0].char_end] == fact.evidence[0].quote
        facts.setdefault(fact.field, []).append(fact)
    return facts


def test_english_contract_with_the_real_model() -> None:
    facts = _model_facts(ENGLISH, "dpa.txt", ("locations", "law", "security"))
    assert [f.value for f in facts["governing_law"]] == ["IE"]
    assert [f.value for f in facts["storage_locations"]] == ["DE"]
    assert [f.value for f in facts["breach_notification_hours"]] == [48]
    assert facts["governing_law"][0].evidence[0].page == 1


def test_dutch_contract_with_the_real_model() -> None:
    facts = _model_facts(DUTCH, "verwerkersovereenkomst.txt", ("locations", "law", "security"))
    assert [f.value for f in facts["governing_law"]] == ["NL"]
    assert [f.value for f in facts["storage_locations"]] == ["NL"]
    # The text says nothing about encryption or keys: whatever the model answers, no such fact may stand.
    assert "encryption_at_rest" not in facts
    assert "key_custody" not in facts


def test_every_group_prompt_gets_a_valid_answer() -> None:
    document = parse_bytes(ENGLISH.encode(), "dpa.txt")
    chunks = split_document(document)
    run = ModelExtractor(_backend()).extract(document, {group: list(chunks) for group in FIELD_GROUPS})
    assert run.errors == []
    assert run.calls >= len(FIELD_GROUPS)
    assert run.tokens_read > 0 and run.tokens_generated > 0
