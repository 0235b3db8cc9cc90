"""The reports in a real browser: Debian's headless Chromium, driven by Playwright.

Every report of the default batch, in both languages (rendered once for the session,
see conftest.py), is opened, screenshotted and measured: no text may run past the
page's width, every page uses one font family, nothing is fetched from the network.
No browser can be downloaded here, so Playwright drives ``/usr/bin/chromium``
(``.ci/run`` installs it); without it the test skips and says why.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tests.conftest import CHROMIUM

# A laptop's window and a narrow one: text must fit both.
WIDTHS = (1280, 800)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (apt-get install chromium; .ci/run does)"),
]


def open_page(browser, url: str, *, width: int = WIDTHS[0]):
    """Open ``url`` and collect console errors, failed requests and uncaught exceptions."""
    page = browser.new_page(viewport={"width": width, "height": 900})
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


# Elements with text of their own whose box runs past the window, or whose text is cut.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1)
    found.push(`page is ${document.documentElement.scrollWidth}px wide`);
  for (const el of document.body.querySelectorAll("*")) {
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1))
      found.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" ends at ${box.right}`);
    const style = getComputedStyle(el);
    if (style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1)
      found.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" is cut`);
  }
  return found;
}"""

FONTS = """() => {
  const families = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if ([...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
      families.add(getComputedStyle(el).fontFamily);
  }
  return [...families];
}"""


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_report_fits_the_page_in_one_font_family(browser, rendered, lang, tmp_path):
    pages = sorted(rendered[lang].glob("*.html"))
    assert len(pages) == 24
    found = {}
    for path in pages:
        for width in WIDTHS:
            page, problems = open_page(browser, path.as_uri(), width=width)
            shot = tmp_path / f"{lang}-{path.stem}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000, shot
            problems += page.evaluate(OVERFLOW)[:3]
            fonts = page.evaluate(FONTS)
            if len(fonts) != 1:
                problems.append(f"{len(fonts)} font families: {fonts}")
            if problems:
                found[f"{path.name} at {width}px ({shot.name})"] = problems
            page.close()
    assert found == {}


def test_the_index_and_every_report_it_links_open_cleanly(browser, rendered):
    out = rendered["da"]
    index, problems = open_page(browser, (out / "index.html").as_uri())
    assert index.title().startswith("Bibliotek og borgerservice")
    links = index.eval_on_selector_all("table a", "els => [...new Set(els.map(a => a.href))]")
    assert len(links) == 23
    thumbnails = index.eval_on_selector_all(
        "td.thumb img", "els => els.map(i => [i.complete, i.naturalWidth])")
    assert len(thumbnails) == 22 and all(ok and w == 240 for ok, w in thumbnails)
    index.close()
    for link in links:
        target = Path(unquote(urlparse(link).path))
        assert target.parent == out and target.is_file(), link
        page, page_problems = open_page(browser, link)
        images = page.eval_on_selector_all(
            "img", "els => els.map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt])")
        for complete, width, height, alt in images:
            assert complete and width > 100 and height > 100 and alt, (link, alt)
        assert images or "vielse" in link
        # Code cells are hidden: nothing that looks like an input area is displayed.
        assert page.locator(".jp-InputArea-editor").count() == 0
        problems += page_problems
        page.close()
    assert problems == []


def test_a_quote_is_text_in_the_browser(browser, rendered):
    page, problems = open_page(browser, (rendered["da"] / "overview.html").as_uri())
    quotes = page.locator("blockquote")
    assert quotes.count() > 10
    assert "Lone, 61 år, nyt pas (Næstved)" in page.locator("body").inner_text()
    page.close()
    assert problems == []
