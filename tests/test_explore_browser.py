"""The explorer in JupyterLab, in a real browser: Debian's headless Chromium via Playwright.

The test starts its own ``jupyter lab`` (this environment's, on a free localhost
port, with a random token, in a temporary folder holding only a copy of
``explore.ipynb``, with its settings and kernels looked up nowhere else), opens the
notebook, runs all cells, changes the rows dropdown and waits for the table to
follow. Without ``/usr/bin/chromium`` it skips and says why.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from synergi_analysis.report import notebooks_dir
from tests.conftest import CHROMIUM

START_TIMEOUT = 90  # seconds for the server to answer
RUN_TIMEOUT = 180_000  # milliseconds for the notebook to show its widget

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (apt-get install chromium; .ci/run does)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server of this environment: (base URL, token); stopped afterwards."""
    home = tmp_path_factory.mktemp("lab-home")
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copy(notebooks_dir() / "explore.ipynb", root / "explore.ipynb")
    token = secrets.token_hex(16)
    port = _free_port()
    env = {**os.environ,
           "HOME": str(home),
           "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython"),
           "MPLBACKEND": "Agg"}
    env.pop("JUPYTER_PATH", None)
    log = (home / "lab.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
         "--ServerApp.terminals_enabled=False",
         # CI runs as root; the server listens on localhost only, behind its token.
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("jupyter lab did not start:\n"
                                + (home / "lab.log").read_text(encoding="utf-8")[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the server's own group: it and its kernels
            server.wait(timeout=30)
        log.close()


def test_the_explorer_runs_in_jupyterlab_and_its_table_follows_a_dropdown(lab, browser):
    from playwright.sync_api import TimeoutError as Timeout

    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/lab/tree/explore.ipynb?token={token}", wait_until="load")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=RUN_TIMEOUT)
    # The notebook's kernel starts by itself; once it is idle, run every cell. A click
    # that lands before the notebook's commands are enabled does nothing: then again.
    page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(
        timeout=RUN_TIMEOUT)
    table = page.locator(".synergi-explore table")
    for attempt in range(3):
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
        try:
            table.wait_for(timeout=RUN_TIMEOUT // 3)
            break
        except Timeout:
            if attempt == 2:
                raise
    before = table.inner_text()
    assert "Pas" in before and "Kørekort" in before and "Ringsted" not in before

    rows = page.locator(".widget-dropdown", has_text="Rækker").locator("select")
    rows.select_option(label="Sted")
    page.wait_for_function(
        "() => document.querySelector('.synergi-explore table').innerText.includes('Ringsted')",
        timeout=60_000)
    after = table.inner_text()
    assert "Roskilde" in after and "Glumsø" in after and "Kørekort" not in after
    # The chart followed too, and nothing in the page is a traceback.
    assert page.locator(".widget-image").count() == 1
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
    assert errors == []
    page.close()
