"""Backend names mapped to factories that import their backend only when it is chosen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analyser.errors import ConfigError
from analyser.llm.base import LLMBackend

BACKENDS = ("llama", "openai", "fake")
_ALIASES = {"llamacpp": "llama"}  # the spelling the style guide's CLI example uses


def _make_llama(**options: Any) -> LLMBackend:
    """LlamaCppBackend; `resolved=ResolvedModel` builds it from a model found by model_files.resolve."""
    from analyser.llm.llamacpp import LlamaCppBackend

    resolved = options.pop("resolved", None)
    if resolved is not None:
        return LlamaCppBackend.from_resolved(resolved, **options)
    return LlamaCppBackend(**options)


def _make_openai(**options: Any) -> LLMBackend:
    """OpenAICompatBackend for a server at options['base_url'] (loopback by default)."""
    from analyser.llm.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend(**options)


def _make_fake(**options: Any) -> LLMBackend:
    """FakeBackend with canned responses."""
    from analyser.llm.fake import FakeBackend

    return FakeBackend(**options)


_FACTORIES: dict[str, Callable[..., LLMBackend]] = {"llama": _make_llama, "openai": _make_openai, "fake": _make_fake}


def make_backend(name: str, **options: Any) -> LLMBackend:
    """Create the backend called `name`, passing `options` to its constructor."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    factory = _FACTORIES.get(key)
    if factory is None:
        raise ConfigError(f"Unknown LLM backend {name!r}.", hint=f"Choose one of: {', '.join(BACKENDS)}.")
    return factory(**options)
