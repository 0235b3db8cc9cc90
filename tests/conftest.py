"""Shared fixtures: the shipped study, a tiny hand-made study, a quiet matplotlib."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

from synergi_analysis._io import shipped_data_dir  # noqa: E402
from synergi_analysis.codebook import load_codebook  # noqa: E402
from synergi_analysis.load import load_study  # noqa: E402
from synergi_analysis.study import Study  # noqa: E402
from synergi_analysis.validate import validate_interviews, validate_quotes  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
# The browser tests drive Debian's chromium (.ci/run installs it); without it they skip.
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return shipped_data_dir()


@pytest.fixture(scope="session")
def study() -> Study:
    """The shipped study (45 interviews). Tests must not modify its frames."""
    return load_study()


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


TINY_INTERVIEWS = pd.DataFrame(
    {
        "interview_id": ["T1", "T2", "T3", "T4", "T5", "T6"],
        "site": ["roskilde", "roskilde", "ringsted", "ringsted", "næstved", "roskilde"],
        "visitor_type": ["borgerservice"] * 5 + ["bibliotek"],
        "service": ["pas", "pas", "kørekort", "pas", "nemid", "biblioteksbesøg"],
        "age": ["34", "72", "75", "19", "", "45"],
        "age_band": ["", "", "", "", "50-69", ""],
        "attitude": ["A", "B", "A", "C", "D", "B"],
        "competence": ["navigationsstærk", "navigationssvag", "navigationssvag",
                       "navigationsstærk", "navigationssvag", "navigationsstærk"],
        "life_situations": ["udlandsrejse;forælder", "pensionist", "pensionist", "myndig;flytning",
                            "", "forælder"],
        "forberedelse": ["åben", "", "lukket", "åben", "", ""],
        "ankomst": ["lukket", "lukket", "lukket", "", "", ""],
        "ventetid": ["åben", "lukket", "lukket", "åben", "lukket", ""],
        "betjening": ["lukket", "lukket", "lukket", "lukket", "lukket", ""],
        "udgang": ["lukket", "åben", "lukket", "", "", ""],
        "hjemme": ["", "åben", "", "åben", "", ""],
        "long_interview": ["false", "true", "false", "false", "false", "false"],
        "speaker": ["Anna", "Bo", "", "", "", "Dorte"],
    }
)

TINY_QUOTES = pd.DataFrame(
    {
        "quote_id": ["q1", "q2", "q3"],
        "interview_id": ["T1", "T2", "T6"],
        "text": ["Jeg skal til Berlin.", "Det er <b>trygt</b> her.", "Her er for meget larm."],
        "stage": ["ventetid", "", ""],
        "theme": ["pas", "", "biblioteksbesøgende"],
    }
)


@pytest.fixture()
def tiny_study(codebook) -> Study:
    """Six hand-made interviews whose counts are easy to check by eye.

    Sites: roskilde 3 (T1, T2, T6), ringsted 2, næstved 1, glumsø 0.
    Services: pas 3, kørekort 1, nemid 1, biblioteksbesøg 1; the rest 0.
    Age bands: 30-49 2 (T1, T6), 70+ 2, 18-29 1, 50-69 1, 0-17 0.
    """
    interviews, problems = validate_interviews(TINY_INTERVIEWS, codebook, file="tiny.csv")
    assert not problems, problems
    quotes, problems = validate_quotes(TINY_QUOTES, codebook, interviews["interview_id"],
                                       file="tiny-quotes.csv")
    assert not problems, problems
    return Study(codebook=codebook, interviews=interviews, quotes=quotes, source="tiny",
                 files={"codebook": codebook.path})


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """The default batch rendered once in each language: ``{"da": folder, "en": folder}``.

    Shared by the notebook and browser tests, so the suite renders it only twice.
    """
    from synergi_analysis.report import render_batch

    folders = {}
    for lang in ("da", "en"):
        folder = tmp_path_factory.mktemp(f"batch-{lang}")
        summary = render_batch(out=folder, lang=lang, jobs=2, progress=False)
        assert summary.ok, [r.error for r in summary.results if r.error]
        folders[lang] = folder
    return folders


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the browser tests."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()
