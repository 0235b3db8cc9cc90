"""The reports in a real browser: Debian's headless Chromium, driven by Playwright.

No browser can be downloaded here, so Playwright drives ``/usr/bin/chromium``
(``.ci/run`` installs it); without it the test skips and says why.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from synergi_analysis.report import render_batch

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (apt-get install chromium; .ci/run does)"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser")
    summary = render_batch(out=out, only="overview,synergy", jobs=2, progress=False)
    assert summary.ok, [r.error for r in summary.results]
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    """Open ``url`` and collect console errors, failed requests and uncaught exceptions."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    # Anything but a local file would be a fetch from the network.
    page.on("request", lambda r: problems.append(f"network request: {r.url}")
            if not r.url.startswith(("file:", "data:")) else None)
    page.goto(url, wait_until="load")
    return page, problems


def test_the_index_and_every_report_it_links_open_cleanly(browser, reports):
    index, problems = open_page(browser, (reports / "index.html").as_uri())
    assert index.title().startswith("Bibliotek og borgerservice")
    links = index.eval_on_selector_all("table a", "els => els.map(a => a.href)")
    assert len(links) == 2
    index.close()
    for link in links:
        target = Path(unquote(urlparse(link).path))
        assert target.parent == reports and target.is_file(), link
        page, page_problems = open_page(browser, link)
        images = page.eval_on_selector_all(
            "img", "els => els.map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt])")
        assert images, link
        for complete, width, height, alt in images:
            assert complete and width > 100 and height > 100 and alt, (link, alt)
        assert page.locator("h1").first.inner_text() in {"Oversigt", "Synergipotentiale"}
        # Code cells are hidden: nothing that looks like an input area is displayed.
        assert page.locator(".jp-InputArea-editor").count() == 0
        problems += page_problems
        page.close()
    assert problems == []


def test_a_quote_is_text_in_the_browser(browser, reports):
    page, problems = open_page(browser, (reports / "overview.html").as_uri())
    quotes = page.locator("blockquote")
    assert quotes.count() > 10
    assert "Lone, 61 år, nyt pas (Næstved)" in page.locator("body").inner_text()
    page.close()
    assert problems == []
