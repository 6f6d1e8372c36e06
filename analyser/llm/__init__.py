"""Swappable LLM backends behind one protocol; concrete backends are imported only when made."""

from __future__ import annotations

from analyser.llm.base import LLMBackend, LLMRequest, LLMResult, Message, Role, Usage
from analyser.llm.registry import BACKENDS, make_backend

__all__ = ["BACKENDS", "LLMBackend", "LLMRequest", "LLMResult", "Message", "Role", "Usage", "make_backend"]
