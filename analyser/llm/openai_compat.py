"""A backend for OpenAI-compatible chat servers (llama.cpp server, vLLM, Ollama) at a URL the user gives.

Only that URL is ever contacted; it defaults to loopback. Proxy settings from the environment are
ignored so that a request cannot be routed anywhere else.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

import httpx

from analyser.errors import BackendError
from analyser.llm.base import LLMRequest, LLMResult, Usage

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"
# How a server that does not know response_format "json_schema" answers: 400/422, or (llama-cpp-python's
# server, which wraps request validation errors) HTTP 500 with the validation error naming response_format.
_SCHEMA_REJECTED = (400, 422)

SchemaMode = Literal["json_schema", "json_object"]


class OpenAICompatBackend:
    """Chat completions over HTTP with the reply constrained to a JSON schema."""

    model_sha256: str = ""  # a server does not tell which exact file it runs

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        model: str = "",
        api_key: str | None = None,
        timeout: float = 300,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, trust_env=False, transport=transport)
        # Set to "json_object" after the server rejects "json_schema" once, so later calls skip the failing try.
        self.schema_mode: SchemaMode = "json_schema"
        self.model_id = model or self._served_model()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def complete_json(self, request: LLMRequest) -> LLMResult:
        """POST one chat completion; fall back once from json_schema to json_object if the server refuses it."""
        started = time.perf_counter()
        response = self._post_chat(request)
        if self._schema_rejected(response, request):
            log.info(
                "%s rejected response_format json_schema (HTTP %d); using json_object",
                self.base_url,
                response.status_code,
            )
            self.schema_mode = "json_object"
            response = self._post_chat(request)
        self._raise_for_status(response, "/chat/completions")
        return self._result(_json_body(response, self._url("/chat/completions")), time.perf_counter() - started)

    def _schema_rejected(self, response: httpx.Response, request: LLMRequest) -> bool:
        """Whether this failure means the server does not understand response_format json_schema."""
        if request.json_schema is None or self.schema_mode != "json_schema" or response.is_success:
            return False
        return response.status_code in _SCHEMA_REJECTED or "response_format" in response.text

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _served_model(self) -> str:
        """Ask GET /models which model the server runs (the first one listed)."""
        url = self._url("/models")
        response = self._send("GET", url)
        self._raise_for_status(response, "/models")
        try:
            return str(_json_body(response, url)["data"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            hint = "Pass the model name explicitly."
            raise BackendError(f"The model server at {url} lists no model.", hint=hint) from exc

    def _post_chat(self, request: LLMRequest) -> httpx.Response:
        payload: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
            "seed": request.seed,
            "max_tokens": request.max_tokens,
            "response_format": _response_format(request.json_schema, self.schema_mode),
        }
        return self._send("POST", self._url("/chat/completions"), json=payload)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request, turning transport failures into a BackendError that names the URL."""
        try:
            return self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise BackendError(f"The model server at {url} did not answer within {self.timeout:g} s.") from exc
        except httpx.ConnectError as exc:
            raise BackendError(
                f"Cannot connect to the model server at {url}.", hint="Is the server running on that address and port?"
            ) from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"Request to the model server at {url} failed: {exc}") from exc

    def _raise_for_status(self, response: httpx.Response, path: str) -> None:
        if response.is_success:
            return
        detail = " ".join(response.text.split())[:300]
        raise BackendError(f"The model server at {self._url(path)} answered HTTP {response.status_code}: {detail}")

    def _result(self, body: dict[str, Any], seconds: float) -> LLMResult:
        try:
            choice = body["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"The model server at {self.base_url} sent a reply without a message: {exc!r}") from exc
        usage = body.get("usage") or {}
        return LLMResult(
            text=text,
            model_id=str(body.get("model") or self.model_id),
            usage=Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
            finish_reason=str(choice.get("finish_reason") or "stop"),
            seconds=seconds,
        )


def _response_format(schema: dict[str, Any] | None, mode: SchemaMode) -> dict[str, Any]:
    """The response_format field: OpenAI's json_schema, or the json_object + schema form llama.cpp servers accept."""
    if schema is None:
        return {"type": "json_object"}
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "extraction", "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


def _json_body(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise BackendError(f"The model server at {url} sent a reply that is not JSON.") from exc
    if not isinstance(body, dict):
        raise BackendError(f"The model server at {url} sent JSON that is not an object.")
    return body
