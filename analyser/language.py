"""Detect the document language with lingua (offline; its models ship inside the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Languages a European supplier contract is likely to be written in; a small set keeps
# detection fast and memory low, and lets a French or Spanish contract be recognised (and
# warned about) instead of being forced into en/nl/de.
_CANDIDATES = (
    "ENGLISH",
    "DUTCH",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
    "POLISH",
    "SWEDISH",
    "DANISH",
    "BOKMAL",
)
_SAMPLE_CHARS = 20_000


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _CANDIDATES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the text's main language, or "unknown"."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < 20:
        return "unknown"
    language = _detector().detect_language_of(sample)
    if language is None:
        return "unknown"
    return str(language.iso_code_639_1.name).lower()
