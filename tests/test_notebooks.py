"""The shipped notebooks: stored clean, only orchestration and prose, and the reports they make.

The structure tests read the notebooks. The report tests read the default batch,
rendered once in each language for the whole session (the ``rendered`` fixture of
conftest.py, shared with the browser test); a few render small batches of their own
(another study, an anonymised batch) or run a notebook through papermill as
JupyterLab would.
"""

from __future__ import annotations

import ast
import html
import json
import re
import shutil

import nbformat
import pandas as pd
import papermill
import pytest
from papermill.inspection import inspect_notebook

from synergi_analysis import cli
from synergi_analysis.report import load_batch, notebooks_dir, plan_batch, render_batch

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
COMMON = {"data": None, "lang": "da", "anonymise": False}
READ = {"sheet": None, "sources": None}  # how a study that needs them is read
OWN = {
    "overview.ipynb": READ,
    "site.ipynb": {**READ, "site": "roskilde"},
    "service.ipynb": {**READ, "service": "pas"},
    "synergy.ipynb": {**READ, "weights": None, "top_k": 3},
    "agreement.ipynb": {"b": None, "coders": None},
    "explore.ipynb": {},
}
# Interactive, not rendered: its one output is the explorer's widget, no chart of its own.
INTERACTIVE = {"explore.ipynb"}
# Charts each notebook draws with its defaults. The agreement notebook's defaults
# name one coding only: a sentence says so, no chart.
CHARTS = {"overview.ipynb": 5, "site.ipynb": 5, "service.ipynb": 5, "synergy.ipynb": 3,
          "agreement.ipynb": 0, "explore.ipynb": 0}
LANGS = ("da", "en")
PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


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
    calls = 0
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
                assert node.module.startswith("synergi_analysis")
            assert not isinstance(node, ast.Import), cell.source[:60]
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print":
                pytest.fail(f"print in a notebook (a sentence belongs in display.say): "
                            f"{cell.source[:60]}")
            calls += isinstance(node, ast.Call) and getattr(node.func, "id", "") == "show_chart"
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= 2 * calls  # every chart has prose, in both languages
    assert calls > 0 or path.name in INTERACTIVE


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_the_prose_comes_in_pairs_danish_then_english(path):
    nb = nbformat.read(path, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "markdown"]
    assert tags and all(t in (["da"], ["en"]) for t in tags), tags
    assert tags == [["da"], ["en"]] * (len(tags) // 2)
    cells = [c for c in nb.cells if c.cell_type == "markdown"]
    for da, en in zip(cells[::2], cells[1::2], strict=True):
        # The same headings in both: a reader of either language gets the same report.
        heads = [len(re.findall(r"^#+ ", c.source, flags=re.M)) for c in (da, en)]
        assert heads[0] == heads[1], (da.source[:40], en.source[:40])
        assert "synergi_analysis" not in da.source + en.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_the_prose_says_nothing_true_only_of_the_shipped_study(path, study):
    """Sites, services, the deck and its numbers come from the study's files, not from here."""
    nb = nbformat.read(path, as_version=4)
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    names = set()
    for dimension in ("site", "service"):
        for value in study.codebook[dimension].values:
            names |= {value.da, value.en}
    found = sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", prose))
    assert found == []
    for shipped in ("deck", "slidesæt", "178", "21,061", "21.061", "45 interviews"):
        assert shipped not in prose.lower()


def test_the_shipped_spec_covers_every_site_and_service(study):
    jobs = plan_batch(load_batch(), study=study)
    names = [j.name for j in jobs]
    assert names == (["overview"] + [f"site-{s}" for s in study.codebook.keys("site")]
                     + [f"service-{s}" for s in study.codebook.keys("service")] + ["synergy"])
    for job in jobs:
        assert set(job.parameters) <= set(inspect_notebook(job.notebook)), job.name


# -- as JupyterLab runs them ---------------------------------------------------------------


def run_notebook(path, tmp_path, **parameters):
    return papermill.execute_notebook(str(path), str(tmp_path / path.name),
                                      parameters=parameters, cwd=str(path.parent),
                                      kernel_name="python3", progress_bar=False)


def charts_of(nb) -> list[str]:
    return [png for c in nb.cells if c.cell_type == "code" for o in c.outputs
            for png in PNG.findall(str(o.get("data", {}).get("text/html", "")))]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_a_notebook_runs_top_to_bottom_with_its_defaults(path, tmp_path):
    nb = run_notebook(path, tmp_path)
    assert len(charts_of(nb)) == CHARTS[path.name]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # Nothing on stderr: no warning, and no chart with text running into other text.
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]


@pytest.mark.slow
def test_a_site_given_by_its_label_is_the_site_given_by_its_key(tmp_path, rendered):
    """``papermill site.ipynb -p site Næstved`` makes the report the batch makes for næstved."""
    path = notebooks_dir() / "site.ipynb"
    nb = run_notebook(path, tmp_path, site="Næstved", lang="en")
    batch = page(rendered["en"], "site-næstved")
    assert charts_of(nb) == PNG.findall(batch)
    shown = " ".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                     if c.cell_type == "code" for o in c.outputs)
    assert "<h1>Site: Næstved</h1>" in shown and "Næstved is highlighted." in text_of(shown)


# -- the default batch, in both languages ---------------------------------------------------


def page(out, name: str) -> str:
    return (out / f"{name}.html").read_text(encoding="utf-8")


def text_of(document: str) -> str:
    document = re.sub(r"<(style|script)\b.*?</\1>", " ", document, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", document)).split())


def prose_of(document: str) -> str:
    """What a reader reads as the report's own words: no quotes, no names, sources or offers
    as the study wrote them, no machine provenance, no file names and no package name."""
    body = document[document.index("<body"):]
    body = re.sub(r"<(style|script|blockquote)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<footer class="synergi-footer".*?</footer>', " ", body, flags=re.S)
    body = re.sub(r'<td class="params">.*?</td>', " ", body, flags=re.S)  # the index's
    body = re.sub(r'<span class="synergi-verbatim">.*?</span>', " ", body, flags=re.S)
    body = re.sub(r'<td [^>]*synergi-verbatim[^>]*>.*?</td>', " ", body, flags=re.S)
    text = text_of(body)
    text = re.sub(r"synergi[-_]analysis", " ", text)
    return re.sub(r"\S+\.(yml|csv|md|ipynb)\b", " ", text)


# Words of one language that the other does not use.
ENGLISH = {"the", "and", "of", "with", "which", "who", "what", "their", "they", "this", "that",
           "were", "was", "each", "from", "share", "visitors", "services", "open", "closed",
           "total", "rank", "none", "yes", "library", "citizen", "among", "site", "service",
           "not", "coded", "shipped", "highlighted", "report"}
DANISH = {"og", "af", "er", "ikke", "med", "der", "som", "det", "den", "til", "på", "fra",
          "har", "ydelse", "ydelser", "sted", "besøgende", "andel", "ingen", "alle", "plads",
          "ja", "nej", "antal", "kodet", "åbne", "lukkede", "biblioteket", "hvor", "hver",
          "fremhævet", "undersøgelsen", "rapporten"}


def report_names(out) -> list[str]:
    return sorted(p.stem for p in out.glob("*.html"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_every_report_speaks_its_language_only(rendered, lang):
    other = ENGLISH if lang == "da" else DANISH
    names = report_names(rendered[lang])
    assert len(names) == 24  # 23 reports and the index
    for name in names:
        words = set(re.findall(r"\w+", prose_of(page(rendered[lang], name)).casefold()))
        assert words & other == set(), (lang, name, sorted(words & other))
        assert f'<html lang="{lang}">' in page(rendered[lang], name)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_no_report_printed_a_warning(rendered, lang):
    """A chart whose text still collides after rewrapping warns (display.LayoutWarning)."""
    records = [json.loads(p.read_text(encoding="utf-8"))
               for p in rendered[lang].glob(".*.json")]
    assert len(records) == 23
    assert {r["title"]: r["warnings"] for r in records if r["warnings"]} == {}


def table_cells(document: str):
    for table in re.findall(r"<table\b.*?</table>", document, flags=re.S):
        rows = re.findall(r"<tr\b.*?</tr>", table, flags=re.S)
        yield [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)]
               for row in rows]


RAW = {"nan", "<na>", "none", "true", "false", "nat", "inf"}


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_no_table_shows_a_raw_token_a_snake_case_header_or_a_bare_index(rendered, lang):
    tables = 0
    for name in report_names(rendered[lang]):
        for rows in table_cells(page(rendered[lang], name)):
            tables += 1
            cells = [c for row in rows for c in row]
            assert not [c for c in cells if c.casefold() in RAW], (name, rows[:2])
            assert not [c for c in cells if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", c)], name
            first = [row[0] for row in rows[1:] if row]
            assert first[:3] != ["0", "1", "2"], (name, rows[:3])
    assert tables > 40


@pytest.mark.slow
def test_the_charts_of_two_site_reports_differ_from_each_other_and_the_overviews(rendered):
    for lang in LANGS:
        charts = {name: PNG.findall(page(rendered[lang], name))
                  for name in ("overview", "site-næstved", "site-glumsø")}
        assert len(charts["site-næstved"]) == len(charts["site-glumsø"]) == 5
        assert set(charts["site-næstved"]) & set(charts["site-glumsø"]) == set()
        assert set(charts["site-næstved"]) & set(charts["overview"]) == set()
        assert "Næstved er fremhævet." in text_of(page(rendered["da"], "site-næstved"))


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "name", "title", "charts"), [
    ("da", "overview", "Oversigt", 5), ("en", "overview", "Overview", 5),
    ("da", "site-næstved", "Sted: Næstved", 5), ("en", "site-glumsø", "Site: Glumsø", 5),
    ("da", "service-pas", "Ydelse: Pas", 5), ("en", "service-biblioteksbesøg",
                                              "Service: Library visitors", 4),
    ("da", "synergy", "Synergipotentiale", 3), ("en", "synergy", "Synergy potential", 3)])
def test_each_report_has_its_title_charts_and_no_code_or_error(rendered, lang, name, title,
                                                               charts):
    document = page(rendered[lang], name)
    body = document[document.index("<body"):]
    assert f"<title>{title}</title>" in document and f"<h1>{title}</h1>" in document
    assert len(PNG.findall(body)) == charts
    for absent in ("hl-ipython3", "jp-InputArea-editor", "Traceback", "jp-OutputArea-error",
                   "application/vnd.jupyter.stderr", "from synergi_analysis"):
        assert absent not in body
    assert not re.search(r"<script[^>]*\ssrc=", document)


@pytest.mark.slow
def test_the_overview_shows_the_data_basis_the_studys_story_and_the_quotes(rendered, study):
    text = text_of(page(rendered["da"], "overview"))
    assert "Data: den medfølgende undersøgelse" in text
    assert "slidesættets side Datagrundlaget" in text  # from the study's study.md
    assert "Lone, 61 år, nyt pas (Næstved)" in text
    assert text.count("“") == len(study.quotes)
    english = text_of(page(rendered["en"], "overview"))
    # The deck's caption word for word, in either language: it is the study's attribution of
    # the quote, as spoken words are (a caption built from the codes would misname speakers).
    assert "Lone, 61 år, nyt pas (Næstved)" in english and "Biblioteksbesøgende" not in english


@pytest.mark.slow
def test_the_site_report_shows_its_profile_as_facts_with_their_source(rendered, data_dir):
    sites = pd.read_csv(data_dir / "sites.csv", dtype=str).set_index("site")
    text = text_of(page(rendered["da"], "site-næstved"))
    assert "Sted: Næstved" in text
    for label, column in (("Navn", "name"), ("Integreret siden", "integration_year"),
                          ("Medarbejdere", "staff"), ("Let borgerservice, timer pr. uge",
                                                      "light_hours_week")):
        assert f"{label} {sites.loc['næstved', column]}" in text
    assert f"Kilde: {sites.loc['næstved', 'source']}" in text
    assert "kvikskranke" in text  # the study's own words on the site (study.md)
    english = text_of(page(rendered["en"], "site-næstved"))
    assert "Staff 28" in english and "Source: " in english


@pytest.mark.slow
def test_the_service_report_compares_its_users_with_everyone_and_shows_its_offers(rendered,
                                                                                  study):
    from synergi_analysis.ranking import rank_services

    document = page(rendered["da"], "service-pas")
    text = text_of(document)
    assert "Den mest brugte enkeltydelse" in text  # its note in services.csv
    assert "Pas er fremhævet." in text
    pas = rank_services(study).set_index("service").loc["pas"]
    row = re.search(r'<td [^>]*synergi-highlight[^>]*>1</td>.*?</tr>', document,
                    flags=re.S).group(0)
    cells = [html.unescape(c) for c in re.findall(r">([^<>]+)</td>", row)]
    # Its rank, name, the rank's interval (first in every resample: one place), its scores.
    assert cells == ["1", "Pas", "1"] + [f"{pas[c]:.2f}".replace(".", ",")
                                         for c in ("reach", "users", "groups", "links",
                                                   "total")] + ["15"]
    offers = study.table("library_offers")
    for offer in offers.loc[offers["service"] == "pas", "offer"]:
        assert offer in text
    # A borgerservice service has no library visitors: that panel is left out, with a line.
    assert "Ingen besøgende på biblioteket blandt ydelsens brugere" in text
    library = text_of(page(rendered["en"], "service-biblioteksbesøg"))
    assert "None of the service's users were coded on the visitor journey" in library


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "sentence"), [("da", "Ingen interviews om Vielse"),
                                                ("en", "No interviews about Wedding")])
def test_a_value_without_interviews_gives_a_one_paragraph_report(rendered, lang, sentence):
    document = page(rendered[lang], "service-vielse")
    body = document[document.index("</header>"):]
    assert sentence in text_of(body)
    assert "178" in text_of(body)  # the study's own note on it
    assert not PNG.findall(body) and "<h2" not in body and "<table" not in body
    assert len(re.findall(r"<p\b", body)) == 1
    index = (rendered[lang] / "index.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td[^>]*>[^\n]*service-vielse.html.*?</tr>", index, flags=re.S)
    assert ("ingen interviews" if lang == "da" else "no interviews") in row.group(0)


@pytest.mark.slow
def test_the_index_shows_a_thumbnail_of_each_reports_first_chart(rendered):
    index = (rendered["da"] / "index.html").read_text(encoding="utf-8")
    thumbnails = re.findall(r'<td class="thumb"><a href="([^"]+)"><img', index)
    assert len(thumbnails) == 22  # every report but the one without interviews


# -- another study: only codebook.yml and interviews.csv, no pick of its own ------------------


@pytest.mark.slow
def test_a_study_of_only_a_codebook_and_interviews_renders_the_whole_batch(tmp_path, data_dir,
                                                                           capsys):
    study = tmp_path / "study"
    study.mkdir()
    for name in ("codebook.yml", "interviews.csv"):
        shutil.copy(data_dir / name, study / name)
    out = tmp_path / "reports"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "journey.png").write_bytes(b"\x89PNG")  # as `make reports` writes them
    assert cli.main(["report", "--data", str(study), "--out", str(out), "--jobs", "2"]) == 0
    assert len(list(out.glob("*.html"))) == 24
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="figures/journey.png">journey.png</a>' in index
    synergy = text_of(page(out, "synergy"))
    assert "Rapporten kræver services.csv og library_offers.csv" in synergy
    site = text_of(page(out, "site-roskilde"))
    assert "Dette afsnit kræver sites.csv" in site and "Roskilde er fremhævet." in site
    service = text_of(page(out, "service-pas"))
    assert "Dette afsnit kræver services.csv og library_offers.csv" in service
    for name in ("overview", "site-roskilde", "service-pas"):
        # Nothing of the shipped study's own story: no study.md, notes or facts borrowed.
        # (The illustrative caveats under tables are the notes of this study's codebook,
        # a copy of the shipped one: its own words.)
        document = re.sub(r'<p class="synergi-caveat".*?</p>', " ", page(out, name), flags=re.S)
        assert "slidesæt" not in text_of(document)
    assert "Illustrative kodninger" in text_of(page(out, "overview"))


@pytest.mark.slow
def test_a_study_without_a_pick_of_its_own_has_no_agreement_section(tmp_path, data_dir):
    study = tmp_path / "study"
    shutil.copytree(data_dir, study)
    services = pd.read_csv(study / "services.csv", dtype=str, keep_default_na=False)
    services["deck_pick"] = "false"
    services["deck_group"] = ""
    services.to_csv(study / "services.csv", index=False)
    summary = render_batch(data=study, out=tmp_path / "out", only="synergy", progress=False)
    assert summary.ok
    text = text_of(page(tmp_path / "out", "synergy"))
    assert "Uden ét sted" in text and "Sammenligning med undersøgelsens eget valg" not in text
    assert "valg er blandt" not in text


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
    assert "Anonymised: yes" in text and "anonymised" in text
    assert "Borger 1" in text or name != "overview"
    captions = [html.unescape(c) for c in re.findall(r"<footer[^>]*>– (.*?)</footer>", document)]
    assert captions or name != "overview"
    for caption in captions:  # "Borger 3, aged 50-69, Passport (Næstved)"
        assert re.match(r"Borger \d+, aged (\d+-\d+|\d+\+), ", caption), caption


@pytest.mark.slow
def test_the_same_report_without_anonymising_does_name_speakers(rendered):
    document = page(rendered["da"], "overview")
    assert "Lone" in document and "Grethe" in document
