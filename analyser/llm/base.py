"""The backend protocol and the request/result types every LLM backend shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat turn sent to the model."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class LLMRequest:
    """One JSON-producing model call: the chat, the schema that constrains the reply and sampling settings."""

    messages: tuple[Message, ...]
    json_schema: dict[str, Any] | None = None
    max_tokens: int = 256
    temperature: float = 0.0
    seed: int = 42
    prompt_id: str = ""


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one call, as the backend reports them."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0  # prompt tokens reused from the backend's prompt cache, not read again

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class LLMResult:
    """The model's reply text (JSON when the backend honoured the schema) and how it was produced."""

    text: str
    model_id: str
    usage: Usage
    finish_reason: str  # "stop" | "length" | whatever the server reports
    seconds: float


@runtime_checkable
class LLMBackend(Protocol):
    """Anything that turns an LLMRequest into an LLMResult; swappable by configuration."""

    model_id: str
    model_sha256: str  # "" when unknown, e.g. behind a server

    def complete_json(self, request: LLMRequest) -> LLMResult:
        """Run one chat completion constrained to JSON (to request.json_schema when given)."""
        ...
