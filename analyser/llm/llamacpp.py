"""In-process GGUF inference with llama-cpp-python; the default backend.

The model is loaded once. Replies are constrained by a GBNF grammar built from the request's
JSON schema. llama-cpp-python keeps the last prompt's tokens in the KV cache and evaluates only
the part after the longest shared prefix, so calls that share a system prompt and context
are cheap when made one after another.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import llama_cpp
from llama_cpp import llama_grammar

from analyser.errors import BackendError
from analyser.llm.base import LLMRequest, LLMResult, Usage

if TYPE_CHECKING:
    from analyser.model_files import ResolvedModel

log = logging.getLogger(__name__)

DEFAULT_N_CTX = 8192
# The schema converter in llama-cpp-python 0.3.36 lets raw control characters (a newline) into
# strings, which is invalid JSON that json.loads and pydantic reject. This is llama.cpp's own rule.
_LOOSE_CHAR = r'char ::= [^"\\] |'
_STRICT_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] |'


class LlamaCppBackend:
    """A GGUF model loaded in this process through llama_cpp.Llama."""

    def __init__(
        self,
        model_path: Path,
        *,
        model_id: str,
        model_sha256: str,
        chat_format: str | None = "chatml",
        n_ctx: int = DEFAULT_N_CTX,
        threads: int | None = None,
        seed: int = 42,
        reuse_prefix: bool = True,
    ) -> None:
        self.model_id = model_id
        self.model_sha256 = model_sha256
        self.n_ctx = n_ctx
        # Reusing the KV cache of a shared prompt prefix is much faster, but the logits then depend slightly on how
        # earlier prompts were batched; False re-evaluates every prompt so a reply never depends on call history.
        self.reuse_prefix = reuse_prefix
        self._grammars: dict[str, llama_grammar.LlamaGrammar] = {}
        self._lock = threading.Lock()  # one Llama context cannot serve two calls at once
        self._llama = _load(model_path, model_id, chat_format, n_ctx, threads or os.cpu_count() or 1, seed)
        # Free the model while the interpreter is still whole: left to Llama.__del__ at shutdown, llama.cpp's
        # finaliser runs after its module globals are gone and prints a TypeError traceback.
        weakref.finalize(self, self._llama.close)

    @classmethod
    def from_resolved(
        cls, model: ResolvedModel, *, n_ctx: int | None = None, threads: int | None = None
    ) -> LlamaCppBackend:
        """Build the backend for a model found by `model_files.resolve`."""
        entry = model.entry
        chat_format = entry.chat_format if entry else "gguf"  # an unknown file: trust its own template
        window = n_ctx or min(DEFAULT_N_CTX, entry.context_length if entry else DEFAULT_N_CTX)
        return cls(
            model.path,
            model_id=model.id,
            model_sha256=model.sha256,
            chat_format=chat_format,
            n_ctx=window,
            threads=threads,
        )

    def reset_cache(self) -> None:
        """Forget the cached prompt, so that the next replies cannot depend on calls made before (a new document)."""
        with self._lock:
            self._llama.reset()  # type: ignore[no-untyped-call]  # untyped upstream

    def complete_json(self, request: LLMRequest) -> LLMResult:
        """Run one grammar-constrained chat completion and return its text, usage and timing."""
        grammar = self._grammar(request.json_schema)
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        started = time.perf_counter()
        try:
            with self._lock:
                if not self.reuse_prefix:
                    self._llama.reset()  # type: ignore[no-untyped-call]  # untyped upstream
                previous = self._llama.input_ids[: self._llama.n_tokens].copy()
                response = self._llama.create_chat_completion(
                    messages=cast(Any, messages),
                    temperature=request.temperature,
                    seed=request.seed,
                    max_tokens=request.max_tokens,
                    grammar=grammar,
                    repeat_penalty=1.0,  # the chat default (1.1) discourages quoting the contract verbatim
                    stream=False,
                )
                cached = _common_prefix(previous, self._llama.input_ids[: self._llama.n_tokens])
        except Exception as exc:
            where = f"{self.model_id} (prompt {request.prompt_id!r})"
            raise BackendError(f"The local model {where} failed: {exc}") from exc
        result = self._result(cast(dict[str, Any], response), time.perf_counter() - started, request.prompt_id)
        usage = result.usage
        # llama.cpp re-reads only the part of the prompt after the prefix it still holds.
        reused = Usage(usage.prompt_tokens, usage.completion_tokens, min(cached, usage.prompt_tokens))
        return LLMResult(result.text, result.model_id, reused, result.finish_reason, result.seconds)

    def _grammar(self, schema: dict[str, Any] | None) -> llama_grammar.LlamaGrammar:
        """Return the (cached) grammar for a JSON schema, or the generic JSON grammar for None."""
        key = json.dumps(schema, sort_keys=True) if schema is not None else ""
        if key not in self._grammars:
            self._grammars[key] = _build_grammar(schema)
        return self._grammars[key]

    def _result(self, response: dict[str, Any], seconds: float, prompt_id: str) -> LLMResult:
        try:
            choice = response["choices"][0]
            text = choice["message"]["content"] or ""
            usage = Usage(response["usage"]["prompt_tokens"], response["usage"]["completion_tokens"])
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"The local model {self.model_id} returned an unexpected reply: {exc!r}") from exc
        finish_reason = str(choice.get("finish_reason") or "stop")
        log.debug(
            "llama %s prompt=%s tokens=%d+%d %.2fs %s",
            self.model_id,
            prompt_id,
            usage.prompt_tokens,
            usage.completion_tokens,
            seconds,
            finish_reason,
        )
        return LLMResult(text=text, model_id=self.model_id, usage=usage, finish_reason=finish_reason, seconds=seconds)


def _common_prefix(before: Any, after: Any) -> int:
    """Length of the shared start of two token arrays."""
    length = min(len(before), len(after))
    if length == 0:
        return 0
    differs = (before[:length] != after[:length]).nonzero()[0]
    return int(differs[0]) if len(differs) else length


def _load(
    model_path: Path, model_id: str, chat_format: str | None, n_ctx: int, threads: int, seed: int
) -> llama_cpp.Llama:
    """Load the GGUF file once; "gguf" (or None) as chat format means the template stored in the file."""
    if not model_path.is_file():
        raise BackendError(f"Model file not found: {model_path}")
    try:
        return llama_cpp.Llama(
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads,
            seed=seed,
            chat_format=None if chat_format in (None, "gguf") else chat_format,
            verbose=False,
        )
    except Exception as exc:
        raise BackendError(f"Could not load model {model_id} from {model_path}: {exc}") from exc


def _build_grammar(schema: dict[str, Any] | None) -> llama_grammar.LlamaGrammar:
    """Convert a JSON schema to GBNF; fail loudly where llama-cpp-python would silently drop the schema."""
    if schema is None:
        return llama_grammar.LlamaGrammar.from_string(llama_grammar.JSON_GBNF, verbose=False)
    try:
        gbnf = llama_grammar.json_schema_to_gbnf(json.dumps(schema))
    except Exception as exc:
        raise BackendError(f"The JSON schema cannot be turned into a grammar for the local model: {exc!r}") from exc
    return llama_grammar.LlamaGrammar.from_string(gbnf.replace(_LOOSE_CHAR, _STRICT_CHAR, 1), verbose=False)
