"""A deterministic in-memory backend for tests: canned replies, every request recorded."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from analyser.errors import BackendError
from analyser.llm.base import LLMRequest, LLMResult, Usage


class FakeBackend:
    """Replies from a queue first, then by request.prompt_id; raises BackendError when it has no reply.

    A string under a prompt id is returned every time; a list is handed out in order, once each.
    """

    model_id: str = "fake"
    model_sha256: str = ""

    def __init__(self, responses: Mapping[str, str | list[str]] | None = None) -> None:
        self._queue: deque[str] = deque()
        self._by_prompt: dict[str, str | deque[str]] = {
            key: value if isinstance(value, str) else deque(value) for key, value in (responses or {}).items()
        }
        self.requests: list[LLMRequest] = []

    def enqueue(self, text: str) -> None:
        """Add a reply that the next call returns, whatever its prompt id."""
        self._queue.append(text)

    def complete_json(self, request: LLMRequest) -> LLMResult:
        """Record the request and return the next canned reply for it."""
        self.requests.append(request)
        text = self._next_reply(request.prompt_id)
        prompt_words = sum(len(message.content.split()) for message in request.messages)
        usage = Usage(prompt_tokens=prompt_words, completion_tokens=len(text.split()))
        return LLMResult(text=text, model_id=self.model_id, usage=usage, finish_reason="stop", seconds=0.0)

    def _next_reply(self, prompt_id: str) -> str:
        if self._queue:
            return self._queue.popleft()
        canned = self._by_prompt.get(prompt_id)
        if isinstance(canned, str):
            return canned
        if canned:
            return canned.popleft()
        raise BackendError(f"FakeBackend has no reply for prompt id {prompt_id!r} and its queue is empty.")
