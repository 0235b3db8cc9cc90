"""The batch runner: specs, safe names, rendering, the incremental skip, isolation, Dask.

Batches here are tiny hand-made notebooks written into ``tmp_path`` (the shipped
notebooks are tested in test_notebooks.py). Each render starts real kernels, so the
rendered batches are module-scoped fixtures shared by several tests.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from synergi_analysis import cli, load_study
from synergi_analysis._io import write_atomic
from synergi_analysis.display import report_header
from synergi_analysis.errors import StudyError
from synergi_analysis.report import (
    load_batch,
    plan_batch,
    render_batch,
    safe_name,
)

pytestmark = pytest.mark.slow

PARAMS = 'site = "roskilde"\ndata = None\nlang = "da"\nanonymise = False'

SITE_NOTEBOOK = [
    ("markdown", "# A site\n\nThe site's interviews by service."),
    ("parameters", PARAMS),
    ("code", "import matplotlib.pyplot as plt\n"
             "from synergi_analysis import load_study\n"
             "from synergi_analysis.patterns import crosstab\n"
             "from synergi_analysis.display import report_header"),
    ("code", "study = load_study(data)\n"
             "if anonymise:\n"
             "    study = study.anonymised()\n"
             "report_header(study, title='Sted: {site}', lang=lang, parameters=dict(\n"
             "    site=site, data=data, lang=lang, anonymise=anonymise))"),
    ("markdown", "## Services at the site"),
    ("code", "rows = study.interviews[study.interviews['site'] == site]\n"
             "table = crosstab(rows, codebook=study.codebook, rows='service', columns='age_band',"
             " lang=lang)\n"
             "table"),
    ("code", "fig, ax = plt.subplots()\n"
             "ax.barh(table.index[:-1], table.iloc[:-1, -1])\n"
             "ax.set_title('services')\n"
             "plt.show()"),
    ("code", "import warnings\nwarnings.warn('a warning on stderr')\n"
             "print('VISIBLE-STDOUT')"),
]

FAILING_NOTEBOOK = [
    ("parameters", PARAMS),
    ("code", "x = 1"),
    ("code", "# the broken step\nraise KeyError('no such column: ' + site)"),
    ("code", "print('never reached')"),
]


@pytest.fixture(scope="module", autouse=True)
def _fixed_code_hash():
    """Others edit the package while these tests run: hold its hash still."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("synergi_analysis.report.plan._code_hash", lambda: "test-code")
        yield mp


def write_notebook(path: Path, cells) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for kind, source in cells:
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        elif kind == "parameters":
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)
    return path


def write_spec(folder: Path, reports: list[dict], **top) -> Path:
    path = folder / "batch.yml"
    path.write_text(yaml.safe_dump({**top, "reports": reports}, allow_unicode=True),
                    encoding="utf-8")
    return path


def copy_study(data_dir: Path, target: Path) -> Path:
    shutil.copytree(data_dir, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def body_text(page: str) -> str:
    """The visible text of a report: tags stripped, entities decoded (styles dropped)."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# -- names and specs -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("site-Næstved", "site-næstved"),
    ("service-Kørekort", "service-kørekort"),
    ("Glumsø bibliotek/2017", "glumsø-bibliotek-2017"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", "report"),
    ("a\\b:c*d?e", "a-b-c-d-e"),
    ("nul\x00byte", "nul-byte"),
    (".hidden", "hidden"),
    ("CON", "con-report"),
    ("index", "index-report"),
])
def test_safe_name_keeps_danish_letters_and_never_leaves_the_folder(raw, expected):
    assert safe_name(raw) == expected


def test_safe_name_cuts_long_names_but_keeps_them_distinct():
    a, b = safe_name("x" * 200 + "a"), safe_name("x" * 200 + "b")
    assert len(a) == len(b) == 80 and a != b


def test_plan_expands_codebook_grids_with_labels_and_safe_names(tmp_path, study):
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    spec = load_batch(write_spec(tmp_path, [
        {"notebook": "site.ipynb", "name": "site-{site}",
         "title": {"da": "Sted: {site}", "en": "Site: {site}"},
         "grid": {"site": {"codebook": "site"}}},
    ]))
    jobs = plan_batch(spec, study=study, lang="en", data=tmp_path)
    assert [j.name for j in jobs] == ["site-roskilde", "site-ringsted", "site-næstved",
                                      "site-glumsø"]
    assert jobs[2].title == "Site: Næstved"
    assert jobs[2].parameters == {"lang": "en", "anonymise": False,
                                  "data": str(tmp_path.resolve()), "site": "næstved"}
    assert len({j.key for j in jobs}) == 4


def test_a_sheet_and_a_sources_folder_reach_every_report_and_its_key(tmp_path, study):
    params = PARAMS + "\nsheet = None\nsources = None"
    write_notebook(tmp_path / "site.ipynb", [("parameters", params), ("code", "x = 1")])
    spec = load_batch(write_spec(tmp_path, [{"notebook": "site.ipynb"}]))
    texts = tmp_path / "texts"
    (texts / "deeper").mkdir(parents=True)
    (texts / "deeper" / "I01.txt").write_text("first words", encoding="utf-8")
    (tmp_path / "private.txt").write_text("not the project's", encoding="utf-8")
    (texts / "link.txt").symlink_to(tmp_path / "private.txt")  # never read, not even hashed
    plain = plan_batch(spec, study=study)[0]
    assert "sheet" not in plain.parameters and "sources" not in plain.parameters
    job = plan_batch(spec, study=study, sheet="Interviews", sources=texts)[0]
    assert job.parameters["sheet"] == "Interviews"
    assert job.parameters["sources"] == str(texts.resolve())
    # The texts count in the key (and travel to Dask workers with the report).
    assert job.files == (str((texts / "deeper" / "I01.txt").resolve()),)
    (texts / "deeper" / "I01.txt").write_text("other words", encoding="utf-8")
    again = plan_batch(spec, study=study, sheet="Interviews", sources=texts)[0]
    assert again.key != job.key


def test_synergi_report_reads_the_named_sheet_of_a_workbook(tmp_path, data_dir, capsys):
    import pandas as pd

    book = tmp_path / "interviews.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"note": ["exported from the survey tool"]}).to_excel(
            writer, sheet_name="Noter", index=False)
        pd.read_csv(data_dir / "interviews.csv").to_excel(
            writer, sheet_name="Interviews", index=False)
    out = tmp_path / "out"
    argv = ["report", "--data", str(book), "--out", str(out), "--only", "overview"]
    assert cli.main(argv) == 2  # data on two sheets: which one is the user's to say
    assert "--sheet" in capsys.readouterr().err
    assert cli.main([*argv, "--sheet", "Interviews"]) == 0
    text = " ".join(body_text((out / "overview.html").read_text(encoding="utf-8")).split())
    assert "Ark: Interviews" in text and "45 interviews" in text


def test_plan_refuses_two_reports_with_one_file_name(tmp_path, study):
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    spec = load_batch(write_spec(tmp_path, [
        {"notebook": "site.ipynb", "name": "same", "grid": {"site": ["a/b", "a-b"]}}]))
    with pytest.raises(StudyError, match="same.html"):
        plan_batch(spec, study=study)


def test_a_parameter_cannot_write_outside_the_output_folder(tmp_path, study):
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    spec = load_batch(write_spec(tmp_path, [
        {"notebook": "site.ipynb", "name": "{site}", "grid": {"site": ["../../evil", "/abs"]}}]))
    assert [j.filename for j in plan_batch(spec, study=study)] == ["evil.html", "abs.html"]


def test_a_parameter_the_notebook_does_not_take_is_refused(tmp_path, study):
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    spec = load_batch(write_spec(tmp_path, [
        {"notebook": "site.ipynb", "grid": {"sites": ["roskilde"]}}]))
    with pytest.raises(StudyError, match="site.ipynb has no parameter sites"):
        plan_batch(spec, study=study)
    # A notebook that cannot anonymise must not be rendered as if it had.
    write_notebook(tmp_path / "old.ipynb", [("parameters", 'data = None\nlang = "da"')])
    spec = load_batch(write_spec(tmp_path, [{"notebook": "old.ipynb"}]))
    with pytest.raises(StudyError, match="has no parameter anonymise"):
        plan_batch(spec, study=study, anonymise=True)


@pytest.mark.parametrize(("reports", "message"), [
    ([{"notebook": "missing.ipynb"}], "not found"),
    ([{"notebook": "site.ipynb", "grid": {"site": []}}], "non-empty list"),
    ([{"notebook": "site.ipynb", "colour": "red"}], "unknown key"),
])
def test_bad_specs_are_refused_with_the_entry_named(tmp_path, reports, message):
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    with pytest.raises(StudyError, match=message):
        load_batch(write_spec(tmp_path, reports))


# -- the header a notebook shows -----------------------------------------------------


def test_report_header_shows_title_parameters_and_provenance_escaped(study):
    header = report_header(study, title={"da": "Sted: {site}", "en": "Site: {site}"},
                           parameters={"site": "glumsø", "data": None, "note": "<b>x</b>"},
                           lang="en")
    bundle, meta = header._repr_mimebundle_()
    page = bundle["text/html"]
    assert header.title == "Site: Glumsø"
    assert "<h1>Site: Glumsø</h1>" in page
    assert study.provenance()["data_sha256"] in page
    assert "codebook.yml" in page and "the shipped study" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert meta == {"synergi_analysis": {"title": "Site: Glumsø"}}


def test_report_header_refuses_a_title_naming_a_missing_parameter(study):
    with pytest.raises(ValueError, match="title"):
        report_header(study, title="Sted: {site}", parameters={})


# -- one rendered batch: two good reports and one that fails ---------------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    write_notebook(folder / "site.ipynb", SITE_NOTEBOOK)
    write_notebook(folder / "broken.ipynb", FAILING_NOTEBOOK)
    spec = write_spec(folder, [
        {"notebook": "site.ipynb", "name": "site-{site}", "title": "Sted: {site}",
         "grid": {"site": ["næstved", "glumsø"]}},
        {"notebook": "broken.ipynb", "name": "broken"},
    ])
    out = folder / "out"
    summary = render_batch(spec, out=out, jobs=2, progress=False)
    return folder, spec, out, summary


def test_a_failing_report_does_not_stop_the_others(batch):
    _, _, out, summary = batch
    status = {r.name: r.status for r in summary.results}
    assert status == {"site-næstved": "rendered", "site-glumsø": "rendered", "broken": "failed"}
    assert not summary.ok
    assert summary.line().startswith("rendered 2, skipped 0, failed 1 in ")
    assert sorted(p.name for p in out.iterdir()) == [
        ".site-glumsø.json", ".site-næstved.json", "index.html", "site-glumsø.html",
        "site-næstved.html"]


def test_the_failure_names_the_cell_and_the_exception(batch):
    _, _, out, summary = batch
    error = next(r.error for r in summary.results if r.name == "broken")
    assert error == "cell 3 (raise KeyError('no such column: ' + site)): KeyError: " \
                    "'no such column: roskilde'"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert html.escape(error) in index


def test_a_report_states_title_parameters_and_provenance(batch):
    _, _, out, _ = batch
    page = (out / "site-næstved.html").read_text(encoding="utf-8")
    text = body_text(page)
    assert "<title>Sted: Næstved</title>" in page and '<html lang="da">' in page
    assert "<h1>Sted: Næstved</h1>" in page
    assert re.search(r"Sted:\s+Næstved", text)
    assert re.search(r"Anonymiseret:\s+nej", text)
    # A fresh load: the session's study may have read extra tables, which its hash covers.
    prov = load_study().provenance()
    assert prov["data_sha256"] in text and prov["codebook_sha256"] in text
    assert f"synergi-analysis {prov['synergi_analysis']}" in " ".join(text.split())
    # The runner states it too, below the report, whatever the notebook shows.
    footer = re.search(r'<footer class="synergi-footer".*?</footer>', page, flags=re.S).group(0)
    for part in ("site.ipynb (lang=da, anonymise=nej, site=næstved)",
                 f"data sha256 {prov['data_sha256']}", f"kodebog sha256 "
                 f"{prov['codebook_sha256']}", f"synergi-analysis {prov['synergi_analysis']}"):
        assert part in html.unescape(footer)


def test_a_report_has_its_table_and_chart_and_no_code_or_error(batch, study):
    _, _, out, _ = batch
    page = (out / "site-næstved.html").read_text(encoding="utf-8")
    # The table: Næstved's interviews by service, with the deck's total column.
    rows = study.interviews[study.interviews["site"] == "næstved"]
    assert 'class="dataframe"' in page
    assert re.search(rf"<th>Antal</th>\s*(<td>\d+</td>\s*){{5}}<td>{len(rows)}</td>", page)
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) == 1
    assert "VISIBLE-STDOUT" in page
    # Code cells are hidden, stderr and errors are left out (the CSS names them all).
    body = page[page.index("<body"):]
    for code in ("report_header(", "import matplotlib", "crosstab(rows", "jp-InputArea-editor",
                 "hl-ipython3", "jp-CodeCell jp-Cell-inputWrapper"):
        assert code not in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    for error in ("Traceback", "a warning on stderr", "application/vnd.jupyter.stderr",
                  "jp-OutputArea-error"):
        assert error not in body


def test_a_report_is_self_contained_and_offline(batch):
    _, _, out, _ = batch
    for name in ("site-glumsø.html", "index.html"):
        page = (out / name).read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\ssrc=", page)
        assert not re.search(r"<link[^>]+href=\"https?:", page)
        assert "require.min.js" not in page and "MathJax" not in page
        assert "@import" not in page
        assert not re.search(r"url\(\s*['\"]?https?:", page)


def test_the_index_links_every_report_with_parameters_status_and_time(batch):
    _, _, out, _ = batch
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="site-n%C3%A6stved.html">Sted: Næstved</a>' in index
    assert '<a href="site-glums%C3%B8.html">Sted: Glumsø</a>' in index
    assert "site=glumsø" in index
    assert index.count('class="status-ok"') == 2
    # The warning each site report printed is left out of it, and counted here.
    assert index.count('<span class="warn">(1 advarsler udeladt)</span>') == 2
    assert index.count('class="status-failed"') == 1
    assert len(re.findall(r'<td class="num">\d+\.\d s</td>', index)) == 2


def test_an_unchanged_batch_renders_nothing_and_keeps_every_file(batch):
    _, spec, out, _ = batch
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "index.html"}
    summary = render_batch(spec, out=out, only="site-*", progress=False)
    assert [r.status for r in summary.results] == ["skipped", "skipped"]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "index.html"} == before


# -- incremental: what invalidates a report --------------------------------------------


@pytest.fixture(scope="module")
def own_study(tmp_path_factory, data_dir):
    """A copy of the shipped study and a one-report batch on it, rendered once."""
    folder = tmp_path_factory.mktemp("incremental")
    data = copy_study(data_dir, folder / "data")
    write_notebook(folder / "site.ipynb", SITE_NOTEBOOK)
    spec = write_spec(folder, [{"notebook": "site.ipynb", "name": "site-{site}",
                                "grid": {"site": ["ringsted"]}}])
    out = folder / "out"
    summary = render_batch(spec, data=data, out=out, progress=False)
    assert [r.status for r in summary.results] == ["rendered"]
    return folder, data, spec, out


def test_changed_data_renders_again_and_force_renders_anyway(own_study):
    _, data, spec, out = own_study
    assert render_batch(spec, data=data, out=out, progress=False).count("skipped") == 1
    assert render_batch(spec, data=data, out=out, force=True,
                        progress=False).count("rendered") == 1
    # A table beside the interviews counts as data too (the site profile reads it).
    with open(data / "sites.csv", "a", encoding="utf-8") as fh:
        fh.write("\n")
    assert render_batch(spec, data=data, out=out, progress=False).count("rendered") == 1
    assert render_batch(spec, data=data, out=out, progress=False).count("skipped") == 1


def test_a_new_package_version_renders_again(own_study, _fixed_code_hash):
    _, data, spec, out = own_study
    _fixed_code_hash.setattr("synergi_analysis.report.plan._code_hash", lambda: "test-code-2")
    try:
        assert render_batch(spec, data=data, out=out, progress=False).count("rendered") == 1
    finally:
        _fixed_code_hash.setattr("synergi_analysis.report.plan._code_hash", lambda: "test-code")
    assert render_batch(spec, data=data, out=out, progress=False).count("rendered") == 1


def test_a_deleted_or_edited_report_is_rendered_again(own_study):
    _, data, spec, out = own_study
    page = out / "site-ringsted.html"
    page.write_text("edited by hand", encoding="utf-8")
    assert render_batch(spec, data=data, out=out, progress=False).count("rendered") == 1
    page.unlink()
    assert render_batch(spec, data=data, out=out, progress=False).count("rendered") == 1
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_failed_render_keeps_the_last_good_html(own_study):
    folder, data, spec, out = own_study
    render_batch(spec, data=data, out=out, progress=False)
    good = (out / "site-ringsted.html").read_bytes()
    notebook = folder / "site.ipynb"
    original = notebook.read_bytes()
    try:
        write_notebook(notebook, FAILING_NOTEBOOK)
        summary = render_batch(spec, data=data, out=out, progress=False)
    finally:
        notebook.write_bytes(original)
    assert [r.status for r in summary.results] == ["failed"]
    assert (out / "site-ringsted.html").read_bytes() == good
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "older version shown" in index or "ældre version vist" in index
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("last good", encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr("synergi_analysis._io.os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"half" * 1000)
    assert target.read_text(encoding="utf-8") == "last good"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# -- safe to share ------------------------------------------------------------------------


QUOTES_NOTEBOOK = [
    ("parameters", 'data = None\nlang = "da"\nanonymise = False'),
    ("code", "from synergi_analysis import load_study\n"
             "study = load_study(data)\n"
             "if anonymise:\n"
             "    study = study.anonymised()\n"
             "study.quotes.merge(study.interviews[['interview_id', 'speaker', 'age']])"),
]


def test_quote_text_is_escaped_never_run(tmp_path, data_dir):
    data = copy_study(data_dir, tmp_path / "data")
    quotes = (data / "quotes.csv").read_text(encoding="utf-8").rstrip("\n")
    first_interview = quotes.splitlines()[1].split(",")[1]
    quotes += f'\nQ99,{first_interview},"Hej <script>alert(1)</script> & <b>fed</b>",,\n'
    (data / "quotes.csv").write_text(quotes, encoding="utf-8")
    write_notebook(tmp_path / "quotes.ipynb", QUOTES_NOTEBOOK)
    spec = write_spec(tmp_path, [{"notebook": "quotes.ipynb"}])
    summary = render_batch(spec, data=data, out=tmp_path / "out", progress=False)
    assert summary.ok, summary.results
    page = (tmp_path / "out" / "quotes.html").read_text(encoding="utf-8")
    assert "Hej &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;fed&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page and "<b>fed</b>" not in page


# -- warm kernels stay isolated ----------------------------------------------------------

POLLUTER = [
    ("code", "import matplotlib.pyplot as plt\nimport pandas as pd\nimport seaborn as sns\n"
             "import os, sys, warnings\n"
             "leak = 'from the previous report'\n"
             "sns.set_theme(style='darkgrid', palette='husl', font_scale=2)\n"
             "plt.rcParams['lines.linewidth'] = 9\n"
             "pd.set_option('display.max_rows', 3)\n"
             "pd.set_option('display.precision', 1)\n"
             "warnings.simplefilter('ignore')\n"
             "sys.path.insert(0, '/nowhere')\n"
             "os.environ['SYNERGI_LEAK'] = '1'\n"
             "os.chdir('/')\n"
             "get_ipython().run_line_magic('config', 'InlineBackend.close_figures = False')\n"
             "get_ipython().run_line_magic('config', \"InlineBackend.figure_formats = ['svg']\")\n"
             "from matplotlib_inline.config import InlineBackend\n"
             "InlineBackend.instance().print_figure_kwargs['dpi'] = 10\n"
             "fig = plt.figure()"),
    ("code", "plt.figure(); plt.figure()\nprint('polluted')"),
]

PROBE = [
    ("code", "import hashlib, json, os, random, sys, warnings\n"
             "import matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd\n"
             "state = {\n"
             "    'leak': 'leak' in globals(),\n"
             "    'rc': hashlib.sha256(repr(sorted(matplotlib.rcParams.items())).encode())"
             ".hexdigest(),\n"
             "    'linewidth': matplotlib.rcParams['lines.linewidth'],\n"
             "    'facecolor': matplotlib.rcParams['axes.facecolor'],\n"
             "    'max_rows': pd.get_option('display.max_rows'),\n"
             "    'precision': pd.get_option('display.precision'),\n"
             "    'figures': len(plt.get_fignums()),\n"
             "    'warnings': len(warnings.filters),\n"
             "    'path': sys.path[0],\n"
             "    'env': os.environ.get('SYNERGI_LEAK'),\n"
             "    'cwd': os.path.basename(os.getcwd()),\n"
             "    'random': random.random(),\n"
             "    'numpy': float(np.random.random()),\n"
             "    'inline': [repr(getattr(__import__('matplotlib_inline.config', fromlist=['_'])"
             ".InlineBackend.instance(), t)) for t in ('figure_formats', 'print_figure_kwargs',"
             " 'close_figures', 'rc')],\n"
             "}\n"
             "print('STATE' + json.dumps(state, sort_keys=True) + 'STATE')"),
    ("code", "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nplt.show()"),
]


def _probe_state(page: str) -> dict:
    return json.loads(html.unescape(re.search(r"STATE(\{.*?\})STATE", page).group(1)))


def test_a_warm_kernel_forgets_everything_a_report_changed(tmp_path):
    folder = tmp_path / "probe-dir"
    folder.mkdir()
    write_notebook(folder / "polluter.ipynb", POLLUTER)
    write_notebook(folder / "probe.ipynb", PROBE)
    # Alone: the probe in a fresh kernel. After: the same kernel ran the polluter first.
    alone = write_spec(folder, [{"notebook": "probe.ipynb", "name": "alone"}])
    render_batch(alone, out=tmp_path / "out", jobs=1, progress=False)
    after = write_spec(folder, [{"notebook": "polluter.ipynb"},
                                {"notebook": "probe.ipynb", "name": "after"}])
    summary = render_batch(after, out=tmp_path / "out", jobs=1, progress=False)
    assert [r.status for r in summary.results] == ["rendered", "rendered"]
    fresh = _probe_state((tmp_path / "out" / "alone.html").read_text(encoding="utf-8"))
    reused = _probe_state((tmp_path / "out" / "after.html").read_text(encoding="utf-8"))
    assert fresh["leak"] is False and fresh["figures"] == 0
    assert fresh["max_rows"] == 60 and fresh["cwd"] == "probe-dir"
    assert reused == fresh
    # The probe's chart is still a PNG: the inline backend's formats came back too.
    page = (tmp_path / "out" / "after.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page and "<svg" not in page


def test_the_same_batch_renders_the_same_html_twice(batch):
    _, spec, out, _ = batch
    first = (out / "site-glumsø.html").read_text(encoding="utf-8")
    assert render_batch(spec, out=out, only="site-glumsø", force=True,
                        progress=False).count("rendered") == 1
    second = (out / "site-glumsø.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in first
    assert first == second


# -- the command ---------------------------------------------------------------------------


def test_synergi_report_prints_a_summary_and_fails_when_a_report_fails(batch, capsys):
    folder, spec, out, _ = batch
    code = cli.main(["report", "--spec", str(spec), "--out", str(out), "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert "failed: broken: cell 3" in captured.err
    assert captured.out.startswith("rendered 0, skipped 2, failed 1 in ")
    assert cli.main(["report", "--spec", str(spec), "--out", str(out), "--only", "site-*"]) == 0
    assert capsys.readouterr().out.startswith("rendered 0, skipped 2, failed 0 in ")


@pytest.mark.parametrize(("argv", "message"), [
    (["--only", "nothing-*"], "matches no report"),
    (["--jobs", "0"], "jobs must be at least 1"),
    (["--data", "/no/such/study"], "no such file or folder"),
    (["--out", "/dev/null/reports"], "cannot write reports there"),
])
def test_synergi_report_bad_arguments_exit_2_without_traceback(batch, capsys, argv, message):
    _, spec, out, _ = batch
    assert cli.main(["report", "--spec", str(spec), "--out", str(out), *argv]) == 2
    # (a later --out wins over the first)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# -- Dask -------------------------------------------------------------------------------------


def test_dask_renders_the_same_batch_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra")
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    write_notebook(tmp_path / "broken.ipynb", FAILING_NOTEBOOK)
    spec = write_spec(tmp_path, [
        {"notebook": "site.ipynb", "name": "site-{site}", "grid": {"site": ["roskilde"]}},
        {"notebook": "broken.ipynb", "name": "broken"}])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        summary = render_batch(spec, out=tmp_path / "out", dask=cluster.scheduler_address,
                               progress=False)
    assert {r.name: r.status for r in summary.results} == {"site-roskilde": "rendered",
                                                          "broken": "failed"}
    page = (tmp_path / "out" / "site-roskilde.html").read_text(encoding="utf-8")
    assert "<h1>Sted: Roskilde</h1>" in page
