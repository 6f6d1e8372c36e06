"""The offline guarantee: a full analysis opens no connection beyond loopback, and works with no network at all.

Two independent proofs. In this process an audit hook records (and refuses) every socket
connection and name lookup that is not loopback (tests/offline.py). Around a child process,
`unshare -rn` removes the network altogether (skipped where user namespaces are unavailable).

Run: .venv/bin/pytest -q tests/test_offline.py              (rules backend, seconds)
     .venv/bin/pytest -q tests/test_offline.py -m model     (the real model and embedder)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyser.cli import app
from tests.offline import network_guard, run_without_network, unshare_available

REPO = Path(__file__).resolve().parent.parent
ANALYSER = Path(sys.executable).with_name("analyser")
SHORT_DPA = """Data Processing Agreement

1. Customer Data is hosted in data centres in Frankfurt, Germany.
2. The Provider notifies the Customer of a personal data breach within 48 hours.
3. This agreement is governed by the laws of Ireland.
"""


def test_guard_refuses_and_records_the_outside_world_but_not_loopback() -> None:
    with network_guard() as attempts:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("198.51.100.7", 443), timeout=1)
        with pytest.raises(ConnectionRefusedError):
            socket.getaddrinfo("huggingface.co", 443)
        server = socket.create_server(("127.0.0.1", 0))
        with server, socket.create_connection(server.getsockname(), timeout=5):
            pass
    assert attempts == ["socket.getaddrinfo '198.51.100.7'", "socket.getaddrinfo 'huggingface.co'"]


def test_the_package_sets_the_offline_flags_itself() -> None:
    """Whatever the user's environment says, importing analyser switches the hub libraries offline."""
    code = (
        "import os, analyser, huggingface_hub.constants as hub;"
        "e = os.environ;"
        "print(e['HF_HUB_OFFLINE'], e['TRANSFORMERS_OFFLINE'], e['HF_HUB_DISABLE_TELEMETRY'], hub.HF_HUB_OFFLINE)"
    )
    environment = {**os.environ, "HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "0"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120, check=True
    )
    assert result.stdout.split() == ["1", "1", "1", "True"]


def test_cli_analysis_opens_no_connection(tmp_path: Path, no_network: list[str]) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["analyse", str(REPO / "examples" / "en_dpa_cloudhost.pdf"), "--out", str(out), "--backend", "rules"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "en_dpa_cloudhost.json").read_text())["status"] == "ok"


@pytest.mark.skipif(not unshare_available(), reason="unshare -rn (user and network namespaces) is not available here")
def test_cli_works_without_any_network(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pdfs = sorted((REPO / "examples").glob("*.pdf"))
    result = run_without_network(
        [str(ANALYSER), "analyse", *map(str, pdfs), "--out", str(out), "--backend", "rules"], timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for pdf in pdfs:
        assert json.loads((out / f"{pdf.stem}.json").read_text())["status"] == "ok"


# --- The real model and embedder ---------------------------------------------------------------------


@pytest.mark.model
def test_full_analysis_with_the_real_model_opens_no_connection(tmp_path: Path) -> None:
    document = tmp_path / "dpa.txt"
    document.write_text(SHORT_DPA)
    out = tmp_path / "out"
    with network_guard() as attempts:
        result = CliRunner().invoke(
            app, ["analyse", str(document), "--out", str(out), "--backend", "llama", "--ask-model", "all"]
        )
    assert attempts == []
    assert result.exit_code == 0, result.output
    report = json.loads((out / "dpa.json").read_text())
    assert report["run"]["model_calls"] > 0  # the model and the embedder really ran
    assert report["run"]["embedder_id"]
    assert report["governing_law"] == "IE"


@pytest.mark.model
@pytest.mark.skipif(not unshare_available(), reason="unshare -rn (user and network namespaces) is not available here")
def test_real_model_works_without_any_network(tmp_path: Path) -> None:
    document = tmp_path / "dpa.txt"
    document.write_text(SHORT_DPA)
    out = tmp_path / "out"
    result = run_without_network(
        [str(ANALYSER), "analyse", str(document), "--out", str(out), "--backend", "llama", "--ask-model", "all"],
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "dpa.json").read_text())
    assert report["run"]["model_calls"] > 0
    assert report["storage_locations"] == ["DE"]
