"""LLM backends: the fake, the registry, the HTTP client's fallbacks, and the real model in and out of process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from analyser.config import DEFAULT_MODEL_ID, REPO_ROOT, Settings, load_registry
from analyser.errors import BackendError, ConfigError
from analyser.llm import BACKENDS, LLMBackend, LLMRequest, Message, Usage, make_backend
from analyser.llm.fake import FakeBackend
from analyser.llm.llamacpp import LlamaCppBackend, _build_grammar
from analyser.llm.openai_compat import OpenAICompatBackend
from analyser.model_files import ResolvedModel, resolve

GOVERNING_LAW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"governing_law": {"type": "string"}},
    "required": ["governing_law"],
    "additionalProperties": False,
}
GOVERNING_LAW_REQUEST = LLMRequest(
    messages=(
        Message("system", "Extract the country whose law governs the contract. Answer in JSON."),
        Message("user", "This Agreement is governed by the laws of Ireland."),
    ),
    json_schema=GOVERNING_LAW_SCHEMA,
    max_tokens=32,
    prompt_id="governing_law@test",
)
SERVER_START_SECONDS = 60


def _request(text: str, prompt_id: str = "") -> LLMRequest:
    return LLMRequest(messages=(Message("user", text),), prompt_id=prompt_id)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- FakeBackend -------------------------------------------------------------------------------


def test_fake_returns_queued_replies_first_then_by_prompt_id() -> None:
    fake = FakeBackend({"law": '{"governing_law": "Ireland"}'})
    fake.enqueue('{"first": 1}')
    fake.enqueue('{"second": 2}')

    texts = [fake.complete_json(_request("q", "law")).text for _ in range(4)]

    assert texts == ['{"first": 1}', '{"second": 2}', '{"governing_law": "Ireland"}', '{"governing_law": "Ireland"}']


def test_fake_hands_out_a_list_once_each_then_fails() -> None:
    fake = FakeBackend({"law": ["a", "b"]})

    assert [fake.complete_json(_request("q", "law")).text for _ in range(2)] == ["a", "b"]
    with pytest.raises(BackendError, match="no reply for prompt id 'law'"):
        fake.complete_json(_request("q", "law"))


def test_fake_without_reply_raises_backend_error() -> None:
    with pytest.raises(BackendError, match="no reply for prompt id 'other'"):
        FakeBackend({"law": "x"}).complete_json(_request("q", "other"))


def test_fake_records_requests_and_counts_words() -> None:
    fake = FakeBackend({"law": '{"governing_law": "the laws of Ireland"}'})
    first = LLMRequest(messages=(Message("system", "Extract terms."), Message("user", "Governed by Irish law.")))
    second = LLMRequest(messages=(Message("user", "Which law?"),), prompt_id="law", seed=7)
    fake.enqueue("{}")

    queued = fake.complete_json(first)
    keyed = fake.complete_json(second)

    assert fake.requests == [first, second]
    assert fake.requests[1].messages[0].content == "Which law?"
    assert (queued.usage, keyed.usage) == (Usage(6, 1), Usage(2, 5))
    assert (keyed.model_id, keyed.finish_reason, keyed.seconds) == ("fake", "stop", 0.0)
    assert fake.model_sha256 == ""
    assert isinstance(fake, LLMBackend)


# --- registry ----------------------------------------------------------------------------------


def test_registry_makes_the_fake_backend() -> None:
    backend = make_backend("fake", responses={"p": "{}"})

    assert isinstance(backend, FakeBackend)
    assert backend.complete_json(_request("q", "p")).text == "{}"
    assert BACKENDS == ("llama", "openai", "fake")


def test_registry_rejects_unknown_backend_listing_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        make_backend("gpt")

    assert str(caught.value) == "Unknown LLM backend 'gpt'. Choose one of: llama, openai, fake."


def test_importing_the_package_loads_no_backend_library() -> None:
    code = "import sys, analyser.llm; print(sorted(m for m in ('llama_cpp', 'httpx') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    assert done.stdout.strip() == "[]"


# --- LlamaCppBackend without a model -----------------------------------------------------------


def test_llama_backend_missing_file_is_backend_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.gguf"
    with pytest.raises(BackendError) as caught:
        LlamaCppBackend(missing, model_id="absent", model_sha256="")

    assert caught.value.message == f"Model file not found: {missing}"


def test_llama_grammar_rejects_unusable_schema_and_forbids_control_characters() -> None:
    with pytest.raises(BackendError, match="cannot be turned into a grammar"):
        _build_grammar({"type": "object", "properties": {"x": {"$ref": "#/nowhere"}}})
    assert 'char ::= [^"\\\\\\x7F\\x00-\\x1F] |' in _build_grammar(GOVERNING_LAW_SCHEMA)._grammar


# --- OpenAICompatBackend without a server ------------------------------------------------------


def test_openai_backend_closed_port_names_the_url() -> None:
    port = _free_port()  # bound and released: nothing listens there now
    backend = OpenAICompatBackend(base_url=f"http://127.0.0.1:{port}/v1", model="any", timeout=5)

    with pytest.raises(BackendError) as caught:
        backend.complete_json(GOVERNING_LAW_REQUEST)

    assert caught.value.message == f"Cannot connect to the model server at http://127.0.0.1:{port}/v1/chat/completions."


def test_openai_backend_closed_port_fails_model_discovery() -> None:
    port = _free_port()

    with pytest.raises(BackendError, match=f"at http://127.0.0.1:{port}/v1/models"):
        OpenAICompatBackend(base_url=f"http://127.0.0.1:{port}/v1", timeout=5)


class _ScriptedServer:
    """An httpx transport that answers like a server that knows only response_format json_object."""

    def __init__(self, rejection_status: int) -> None:
        self.rejection_status = rejection_status
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, str(request.url), body))
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"object": "list", "data": [{"id": "served-model"}]})
        assert body is not None
        if body["response_format"]["type"] == "json_schema":
            return httpx.Response(self.rejection_status, json={"detail": "response_format.type: unsupported"})
        return httpx.Response(
            200,
            json={
                "model": "served-model",
                "choices": [{"message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 2},
            },
        )


@pytest.mark.parametrize("rejection_status", [400, 422, 500])  # 500: llama-cpp-python's server
def test_openai_backend_falls_back_to_json_object_once_and_remembers(rejection_status: int) -> None:
    server = _ScriptedServer(rejection_status)
    backend = OpenAICompatBackend(transport=httpx.MockTransport(server))

    first = backend.complete_json(GOVERNING_LAW_REQUEST)
    backend.complete_json(GOVERNING_LAW_REQUEST)

    assert backend.model_id == "served-model"
    assert [(method, url) for method, url, _ in server.calls] == [
        ("GET", "http://127.0.0.1:8080/v1/models"),
        ("POST", "http://127.0.0.1:8080/v1/chat/completions"),
        ("POST", "http://127.0.0.1:8080/v1/chat/completions"),
        ("POST", "http://127.0.0.1:8080/v1/chat/completions"),
    ]
    formats = [body["response_format"] for _, _, body in server.calls[1:] if body]
    assert formats == [
        {"type": "json_schema", "json_schema": {"name": "extraction", "schema": GOVERNING_LAW_SCHEMA, "strict": True}},
        {"type": "json_object", "schema": GOVERNING_LAW_SCHEMA},
        {"type": "json_object", "schema": GOVERNING_LAW_SCHEMA},
    ]
    sent = server.calls[1][2]
    assert sent is not None
    assert (sent["model"], sent["temperature"], sent["seed"], sent["max_tokens"]) == ("served-model", 0.0, 42, 32)
    assert (first.text, first.usage, first.finish_reason) == ("{}", Usage(11, 2), "stop")


def test_openai_backend_server_error_names_the_url() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(500, text="model crashed"))
    backend = OpenAICompatBackend(base_url="http://127.0.0.1:9/v1", model="m", transport=transport)

    with pytest.raises(BackendError) as caught:
        backend.complete_json(GOVERNING_LAW_REQUEST)

    assert (
        caught.value.message
        == "The model server at http://127.0.0.1:9/v1/chat/completions answered HTTP 500: model crashed"
    )


# --- the real default model --------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_model() -> ResolvedModel:
    """The verified default GGUF (assembled by `make install`)."""
    settings = Settings()
    return resolve(DEFAULT_MODEL_ID, load_registry(settings.models_dir / "registry.toml"), settings)


@pytest.fixture(scope="module")
def llama_backend(default_model: ResolvedModel) -> LLMBackend:
    """The default model loaded once in this process, with a small window for speed."""
    return make_backend("llama", resolved=default_model, n_ctx=2048)


def _assert_governing_law_reply(text: str) -> None:
    assert json.loads(text) == {"governing_law": "Ireland"}


@pytest.mark.model
def test_llama_backend_extracts_schema_json_deterministically(llama_backend: LLMBackend) -> None:
    first = llama_backend.complete_json(GOVERNING_LAW_REQUEST)
    llama_backend.complete_json(_request("Name one EU member state in JSON."))  # different prompt in between
    second = llama_backend.complete_json(GOVERNING_LAW_REQUEST)
    assert isinstance(llama_backend, LlamaCppBackend)
    llama_backend.reuse_prefix = False  # the prompt is evaluated afresh, as on the first call
    try:
        fresh = llama_backend.complete_json(GOVERNING_LAW_REQUEST)
    finally:
        llama_backend.reuse_prefix = True

    _assert_governing_law_reply(first.text)
    assert second.text == first.text
    assert fresh.text == first.text
    assert first.usage.prompt_tokens > 0 and first.usage.completion_tokens > 0
    assert (first.finish_reason, first.model_id) == ("stop", DEFAULT_MODEL_ID)
    assert llama_backend.model_sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


@pytest.mark.model
def test_llama_backend_reports_length_when_cut_off(llama_backend: LLMBackend) -> None:
    result = llama_backend.complete_json(
        LLMRequest(messages=GOVERNING_LAW_REQUEST.messages, json_schema=GOVERNING_LAW_SCHEMA, max_tokens=3)
    )

    assert (result.finish_reason, result.usage.completion_tokens) == ("length", 3)


@pytest.fixture(scope="module")
def llama_server(default_model: ResolvedModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real llama_cpp.server on a free loopback port; yields its /v1 URL and always stops it."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(default_model.path), "--model_alias", default_model.id,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
        "--n_threads", str(os.cpu_count() or 1), "--chat_format", "chatml",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(base_url, server, log_path)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def _wait_until_serving(base_url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {server.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                if client.get(f"{base_url}/models").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text()[-2000:]}")


@pytest.mark.model
def test_openai_backend_against_real_llama_server(llama_server: str) -> None:
    backend = make_backend("openai", base_url=llama_server)

    result = backend.complete_json(GOVERNING_LAW_REQUEST)

    _assert_governing_law_reply(result.text)
    assert backend.model_id == DEFAULT_MODEL_ID
    assert result.model_id == DEFAULT_MODEL_ID
    assert isinstance(backend, OpenAICompatBackend) and backend.schema_mode == "json_object"
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.finish_reason == "stop"
