"""End to end in a real browser: the app served on loopback, driven by headless Debian Chromium.

Backend: the rules engine (ANALYSER_APP_BACKEND=rules), i.e. the real pipeline without a language
model, so the test takes seconds; the model itself is covered by the `model` tests. Chromium and
chromedriver come from apt (scripts/install.sh installs them); Selenium is told where they are, so
Selenium Manager never downloads anything. The screenshot lands in the test's tmp folder and is
copied to /tmp/app_screenshot.png.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
NL_PDF = REPO / "examples" / "nl_verwerkersovereenkomst_schoolcloud.pdf"
SCREENSHOT_COPY = Path("/tmp/app_screenshot.png")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--window-size=1500,2600",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the app did not answer on {url} within {seconds} s:\n{log.read_text()}")


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on 127.0.0.1 and a free port, with the rules engine preselected."""
    port = _free_port()
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "ANALYSER_APP_BACKEND": "rules"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Headless Debian Chromium through its chromedriver, recording the requests it makes."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.fail("chromium and chromium-driver are missing: run scripts/install.sh (apt installs them)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=chromedriver, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _requested_hosts(driver: object) -> set[str]:
    """Hosts of every request the page made, from Chromium's performance log."""
    hosts: set[str] = set()
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = urlparse(message["params"]["request"]["url"])
            if url.scheme in ("http", "https", "ws", "wss"):
                hosts.add(url.hostname or "")
    return hosts


def test_upload_a_dutch_dpa_and_see_the_risk_summary(app_url: str, browser: object, tmp_path: Path) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 60)  # type: ignore[arg-type]
    driver.get(app_url)  # type: ignore[attr-defined]
    wait.until(ready.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Contract and DPA review"))
    # The contract picker in the main area (the sidebar has a second one, for policy files).
    contracts = (By.CSS_SELECTOR, "[data-testid='stMain'] input[type='file']")
    picker = wait.until(ready.presence_of_element_located(contracts))
    picker.send_keys(str(NL_PDF))
    try:
        wait.until(ready.text_to_be_present_in_element((By.TAG_NAME, "body"), "Risk summary"))
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "[data-testid='stImage'] img")))
    except TimeoutException:
        driver.save_screenshot(str(tmp_path / "timeout.png"))  # type: ignore[attr-defined]
        body = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
        pytest.fail(f"no risk summary after the upload; the page shows:\n{body[:3000]}")
    time.sleep(1.5)  # let the page image and table finish painting before the screenshot
    body = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    assert "SchoolCloud Nederland B.V." in body
    assert "Facts" in body and "Evidence and review" in body
    assert "Findings (2)" in body and "Indicative sovereignty level" in body
    screenshot = tmp_path / "app_after_upload.png"
    assert driver.save_screenshot(str(screenshot))  # type: ignore[attr-defined]
    assert screenshot.stat().st_size > 20_000
    shutil.copyfile(screenshot, SCREENSHOT_COPY)
    # Everything the page loaded came from the app itself: no CDN, no fonts, no telemetry.
    assert _requested_hosts(driver) == {"127.0.0.1"}
