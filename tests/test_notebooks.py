"""The shipped notebooks: stored clean, only orchestration, and they render real reports.

Each notebook runs through papermill with its defaults (as JupyterLab would run it from
``notebooks/``), and a small batch of the shipped spec renders through `render_batch`
into a temporary folder, once as it is and once anonymised in English.
"""

from __future__ import annotations

import ast
import html
import re

import nbformat
import pandas as pd
import papermill
import pytest
from papermill.inspection import inspect_notebook

from synergi_analysis.report import load_batch, notebooks_dir, plan_batch, render_batch

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
COMMON = {"data": None, "lang": "da", "anonymise": False}
OWN = {
    "overview.ipynb": {},
    "site.ipynb": {"site": "roskilde"},
    "service.ipynb": {"service": "pas"},
    "synergy.ipynb": {"weights": None, "top_k": 3},
    "agreement.ipynb": {"b": None, "coders": None},
    "explore.ipynb": {},
}
# Charts each report embeds (one PNG each) and tables it shows.
# The agreement notebook's defaults name one coding only: a sentence says so, no chart.
CHARTS_PER_NOTEBOOK = {"overview.ipynb": 5, "site.ipynb": 5, "service.ipynb": 3,
                       "synergy.ipynb": 3, "agreement.ipynb": 0,
                       "explore.ipynb": 0}  # its one output is the explorer's widget
CHARTS = {"overview": 5, "site-næstved": 5, "service-pas": 3, "synergy": 3}


def test_the_shipped_notebooks():
    assert NAMES == sorted(OWN)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_a_committed_notebook_has_no_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_the_first_code_cell_holds_every_default(path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    defaults = {}
    exec(first.source, {}, defaults)  # the cell only assigns literals
    assert defaults == {**COMMON, **OWN[path.name]}
    # papermill reads every one of them (a comment it cannot parse would hide one).
    assert set(inspect_notebook(str(path))) == set(defaults)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_a_notebook_only_orchestrates(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree)
                   if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                                 | ast.Lambda)]
        assert not defined, cell.source[:60]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module.startswith("synergi_analysis") or node.module == "matplotlib"
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    charts = sum("plt.show()" in c.source for c in nb.cells if c.cell_type == "code")
    assert len(markdown) >= charts  # every chart has prose explaining it


def test_the_shipped_spec_covers_every_site_and_service(study):
    jobs = plan_batch(load_batch(), study=study)
    names = [j.name for j in jobs]
    assert names == (["overview"] + [f"site-{s}" for s in study.codebook.keys("site")]
                     + [f"service-{s}" for s in study.codebook.keys("service")] + ["synergy"])
    for job in jobs:
        nb = nbformat.read(job.notebook, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert set(job.parameters) <= set(inspect_notebook(job.notebook)), job.name
        assert "parameters" in first.metadata["tags"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_a_notebook_runs_top_to_bottom_with_its_defaults(path, tmp_path, monkeypatch):
    # As in JupyterLab: the notebooks' folder as working directory, charts inline.
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    out = tmp_path / path.name
    nb = papermill.execute_notebook(str(path), str(out), cwd=str(path.parent),
                                    kernel_name="python3", progress_bar=False)
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) == CHARTS_PER_NOTEBOOK[path.name]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert out.is_file()


# -- a small batch of the shipped notebooks --------------------------------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    summary = render_batch(out=out, only="overview,site-næstved,service-pas,synergy", jobs=2,
                           progress=False)
    assert summary.ok, [r.error for r in summary.results]
    return out


def page(out, name: str) -> str:
    return (out / f"{name}.html").read_text(encoding="utf-8")


def text_of(document: str) -> str:
    document = re.sub(r"<(style|script)\b.*?</\1>", " ", document, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", document)).split())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "title"), [
    ("overview", "Oversigt"), ("site-næstved", "Sted: Næstved"), ("service-pas", "Ydelse: Pas"),
    ("synergy", "Synergipotentiale")])
def test_each_report_has_its_title_charts_and_no_code_or_error(reports, name, title):
    document = page(reports, name)
    body = document[document.index("<body"):]
    assert f"<title>{title}</title>" in document and f"<h1>{title}</h1>" in document
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', body)) == CHARTS[name]
    assert 'class="dataframe"' in body
    for absent in ("hl-ipython3", "jp-InputArea-editor", "Traceback", "jp-OutputArea-error",
                   "application/vnd.jupyter.stderr", "from synergi_analysis"):
        assert absent not in body
    assert not re.search(r"<script[^>]*\ssrc=", document)


@pytest.mark.slow
def test_the_overview_shows_the_decks_data_basis_and_the_quotes(reports, study):
    document = page(reports, "overview")
    row = re.search(r"<th>Pas</th>\s*((?:<td>\d+</td>\s*){6})", document).group(1)
    assert re.findall(r"\d+", row) == ["1", "1", "9", "2", "2", "15"]
    text = text_of(document)
    assert "data = den medfølgende undersøgelse" in text
    assert "Lone, 61 år, nyt pas (Næstved)" in text
    assert text.count("“") == len(study.quotes)


@pytest.mark.slow
def test_the_site_report_shows_the_sites_profile(reports, data_dir):
    sites = pd.read_csv(data_dir / "sites.csv", dtype=str).set_index("site")
    text = text_of(page(reports, "site-næstved"))
    assert "site = Næstved" in text
    for column in ("name", "integration_year", "staff", "light_hours_week"):
        assert f"{column} {sites.loc['næstved', column]}" in text


@pytest.mark.slow
def test_the_service_report_shows_its_scores_and_library_offers(reports, study):
    from synergi_analysis.ranking import rank_services

    text = text_of(page(reports, "service-pas"))
    pas = rank_services(study).set_index("service").loc["pas"]
    shown = re.search(r"label Pas (\d+) ((?:[\d.]+ ){5})15 ", text)
    assert int(shown.group(1)) == pas["rank"] == 1
    scores = [float(x) for x in shown.group(2).split()]
    assert scores == [round(pas[c], 2) for c in ("reach", "users", "groups", "links", "total")]
    offers = study.table("library_offers")
    for offer in offers.loc[offers["service"] == "pas", "offer"]:
        assert html.unescape(offer) in text


# -- safe to share -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def anonymised(tmp_path_factory):
    out = tmp_path_factory.mktemp("anonymised")
    summary = render_batch(out=out, only="overview,site-roskilde", anonymise=True, lang="en",
                           jobs=2, progress=False)
    assert summary.ok, [r.error for r in summary.results]
    return out


def speaker_names(study) -> set[str]:
    names = set()
    for speaker in study.interviews["speaker"].dropna():
        names |= {n.strip() for n in re.split(r",| og | and |&", speaker) if n.strip()}
    return names


@pytest.mark.slow
@pytest.mark.parametrize("name", ["overview", "site-roskilde"])
def test_an_anonymised_report_names_no_speaker_and_no_exact_age(anonymised, study, name):
    document = page(anonymised, name)
    names = speaker_names(study)
    assert {"Lone", "Liv", "Grethe"} <= names
    # Whole words only: "Liv" is also the start of "Livssituation".
    found = {n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", document)}
    assert found == set()
    text = text_of(document)
    assert "anonymise = yes" in text and "anonymised" in text
    assert "Borger 1" in text or name != "overview"
    captions = [html.unescape(c) for c in re.findall(r"<footer[^>]*>– (.*?)</footer>", document)]
    assert captions or name != "overview"
    for caption in captions:  # "Borger 3, aged 50-69, Passport (Næstved)"
        assert re.match(r"Borger \d+, aged (\d+-\d+|\d+\+), ", caption), caption


@pytest.mark.slow
def test_the_same_report_without_anonymising_does_name_speakers(reports, study):
    document = page(reports, "overview")
    assert "Lone" in document and "Grethe" in document
