"""The explorer without a screen: its tables, filters, cells, files and widget controls."""

from __future__ import annotations

import ast
import struct

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from synergi_analysis import load_study
from synergi_analysis.errors import StudyError
from synergi_analysis.explore import Explorer, format_table
from synergi_analysis.patterns import cooccurrence, crosstab
from synergi_analysis.quotations import quotes
from synergi_analysis.report import notebooks_dir

VIEWS = [
    ("service", "age_band", {}),
    ("competence", "site", {"visitor_type": "borgerservice"}),
    ("life_situation", "service", {"site": ["Næstved", "glumsø"]}),
    ("ventetid", "attitude", {"competence": "navigationssvag", "forberedelse": "åben"}),
    ("life_situation", "life_situation", {}),
]


def _ids(frame: pd.DataFrame) -> list[str]:
    return frame["quote_id"].tolist()


# -- tables: the pattern functions' results for the same choices ------------------------


@pytest.mark.parametrize(("rows", "columns", "where"), VIEWS)
def test_the_count_table_is_the_crosstab_of_the_filtered_study(study, rows, columns, where):
    explorer = Explorer(study, rows=rows, columns=columns, filters=where)
    expected = crosstab(study.subset(where), rows=rows, columns=columns, lang="da")
    pd.testing.assert_frame_equal(explorer.table, expected)
    assert explorer.table.attrs["filters"] == explorer.filters


@pytest.mark.parametrize(("rows", "columns", "where"), VIEWS)
def test_lift_is_the_cooccurrence_lift_with_the_count_of_each_cell(study, rows, columns, where):
    explorer = Explorer(study, rows=rows, columns=columns, filters=where, measure="lift",
                        lang="en")
    subset = study.subset(where)
    expected = cooccurrence(subset, rows=rows, columns=columns, normalise="lift", lang="en")
    pd.testing.assert_frame_equal(explorer.table, expected)
    counts = cooccurrence(subset, rows=rows, columns=columns, lang="en")
    assert pd.DataFrame(explorer.table.attrs["counts"]).T.equals(
        counts.rename_axis(index=None, columns=None))


def test_shares_of_single_valued_dimensions_are_the_crosstab_over_its_totals(study):
    counts = crosstab(study, rows="competence", columns="site")
    inner = counts.iloc[:-1, :-1].astype(float)
    explorer = Explorer(study, rows="competence", columns="site", measure="share_row")
    pd.testing.assert_frame_equal(explorer.table, inner.div(counts.iloc[:-1, -1], axis=0),
                                  check_names=False)
    assert np.allclose(explorer.table.sum(axis=1), 1.0)
    explorer.measure = "share_column"
    pd.testing.assert_frame_equal(explorer.table, inner / counts.iloc[-1, :-1],
                                  check_names=False)
    assert explorer.table.attrs["bases"] == {"Roskilde": 13, "Ringsted": 13, "Næstved": 13,
                                             "Glumsø": 6}
    assert explorer.table.attrs["bases"] == counts.iloc[-1, :-1].to_dict()


def test_a_share_of_a_multi_valued_dimension_counts_each_interview_once(tiny_study):
    # Roskilde: T1 (udlandsrejse, forælder), T2 (pensionist), T6 (forælder);
    # Ringsted: T3 (pensionist), T4 (myndig, flytning); Næstved: T5, no life situation.
    explorer = Explorer(tiny_study, rows="site", columns="life_situation", measure="share_row")
    table = explorer.table
    assert table.loc["Roskilde", "Forælder"] == pytest.approx(2 / 3)
    assert table.loc["Roskilde", "Udlandsrejse"] == pytest.approx(1 / 3)
    assert table.loc["Ringsted", ["Ældre/pensionist", "Voksen/myndig", "Flytning"]].tolist() \
        == [0.5, 0.5, 0.5]
    assert table.loc["Næstved"].isna().all()  # no interview there is coded on both
    assert table.attrs["bases"] == {"Roskilde": 3, "Ringsted": 2, "Næstved": 0, "Glumsø": 0}
    assert table.attrs["n_both"] == 5
    shown = explorer.formatted()
    assert shown.loc["Roskilde", "Forælder"] == "67 %"
    assert shown.loc["Næstved", "Forælder"] == "–"
    assert shown["n"].tolist() == ["3", "2", "0", "0"]


# -- filters: as quotes(where=...) -----------------------------------------------------


def test_filters_combine_as_quotes_where_does(study):
    where = {"site": ["Næstved", "glumsø"], "competence": "navigationssvag"}
    explorer = Explorer(study, filters=where)
    pd.testing.assert_frame_equal(quotes(explorer.filtered), quotes(study, where=where))
    ids = set(explorer.filtered.interviews["interview_id"])
    frame = study.interviews
    by_hand = frame[frame["site"].isin(["næstved", "glumsø"])
                    & (frame["competence"] == "navigationssvag")]
    assert ids == set(by_hand["interview_id"]) and len(ids) == 4
    assert explorer.table.loc["Antal", "Antal"] == 4


def test_values_of_one_dimension_are_or_dimensions_are_and(tiny_study):
    explorer = Explorer(tiny_study, filters={"site": ["roskilde", "RINGSTED"],
                                              "service": "Pas"})
    assert explorer.filtered.interviews["interview_id"].tolist() == ["T1", "T2", "T4"]


def test_filters_read_back_as_keys_in_codebook_order(study):
    explorer = Explorer(study)
    explorer.filters = {"site": ["Glumsø", "NÆSTVED"], "service": [], "attitude": "A"}
    assert explorer.filters == {"site": ["næstved", "glumsø"],
                                "attitude": ["borgerservice:A", "bibliotek:A"]}
    assert explorer.file_stem() == ("service-x-age-band-count-site-næstved-glumsø-attitude-"
                                    "borgerservice-a-bibliotek-a")
    explorer.filters = {}
    assert explorer.filters == {} and len(explorer.filtered.interviews) == 45


# -- select: the quotes of a cell --------------------------------------------------------


def test_select_returns_exactly_the_quotes_of_each_cell(study):
    explorer = Explorer(study, rows="site", columns="competence",
                        filters={"visitor_type": "borgerservice"})
    frame = study.interviews
    quoted = study.quotes.merge(frame, on="interview_id")
    seen = []
    for site, site_label in explorer.values("site").items():
        for profile, profile_label in explorer.values("competence").items():
            found = explorer.select(site_label, profile)
            cell = quoted[(quoted["site"] == site) & (quoted["competence"] == profile)
                          & (quoted["visitor_type"] == "borgerservice")]
            assert set(_ids(found)) == set(cell["quote_id"]), (site, profile)
            assert explorer.cell_count(site, profile) == explorer.table.loc[site_label,
                                                                            profile_label]
            seen += _ids(found)
    assert len(seen) == len(set(seen)) > 0  # every quote of the view once
    for site in explorer.values("site"):
        for profile in explorer.values("competence"):
            full = explorer.select(site, profile)
            assert explorer.quote_count(site, profile) == len(full)
            for limit in (1, 2, 50):
                pd.testing.assert_frame_equal(explorer.select(site, profile, limit=limit),
                                              full.head(limit))
            assert len(explorer.select(site, profile, limit=0)) == 0
    total = explorer.select("Antal", "navigationssvag")
    assert set(_ids(total)) == set(quoted.loc[(quoted["competence"] == "navigationssvag")
                                              & (quoted["visitor_type"] == "borgerservice"),
                                              "quote_id"])


def test_select_on_one_multi_valued_dimension_needs_both_values(tiny_study):
    explorer = Explorer(tiny_study, rows="life_situation", columns="life_situation")
    assert _ids(explorer.select("Forælder", "udlandsrejse")) == ["q1"]
    assert _ids(explorer.select("Forælder", "Forælder")) == ["q1", "q3"]
    empty = explorer.select("Pensionist", "Udlandsrejse")
    assert len(empty) == 0 and "caption" in empty.columns


def test_select_shows_captions_and_memos_as_quotes_does(study):
    explorer = Explorer(study, rows="service", columns="site")
    found = explorer.select("Pas", "Næstved")
    assert "Lone, 61 år, nyt pas (Næstved)" in found["caption"].tolist()
    pd.testing.assert_frame_equal(found, quotes(study, where={"service": "pas",
                                                              "site": "næstved"}))


def test_an_anonymised_study_shows_what_its_reports_show():
    anonymous = load_study(anonymise=True)
    explorer = Explorer(anonymous, rows="service", columns="site")
    found = explorer.select("Pas", "Næstved")
    pd.testing.assert_frame_equal(found, quotes(anonymous, where={"service": "pas",
                                                                  "site": "næstved"}))
    names = set(load_study().interviews["speaker"].dropna()) - {""}
    shown = " ".join(found["caption"].tolist() + found["text"].tolist())
    assert "Borger" in shown and not any(name in shown for name in names)
    assert "61 år" not in shown


# -- bad choices -------------------------------------------------------------------------


@pytest.mark.parametrize(("attribute", "value", "hint"), [
    ("rows", "servce", "did you mean 'service'"),
    ("columns", "age_bnd", "did you mean 'age_band'"),
    ("measure", "share_rows", "did you mean 'share_row'"),
    ("filters", {"site": "Næstvd"}, "did you mean 'Næstved'"),
    ("filters", {"sitte": "Næstved"}, "did you mean 'site'"),
])
def test_a_bad_choice_raises_with_a_suggestion_and_changes_nothing(study, attribute, value,
                                                                   hint):
    explorer = Explorer(study, filters={"site": "roskilde"})
    before = (explorer.rows, explorer.columns, explorer.measure, explorer.filters)
    with pytest.raises(ValueError, match=hint):
        setattr(explorer, attribute, value)
    assert (explorer.rows, explorer.columns, explorer.measure, explorer.filters) == before
    with pytest.raises(ValueError, match="did you mean 'Pas'"):
        explorer.select("Pass", "Roskilde")


def test_dimensions_by_label_and_journey_stages(study):
    explorer = Explorer(study, rows="Kompetenceprofil", columns="journey:ventetid")
    assert (explorer.rows, explorer.columns) == ("competence", "ventetid")
    explorer.columns = "Waiting"
    assert explorer.columns == "ventetid"
    assert explorer.dimensions["ventetid"] == "Brugerrejse: Ventetid"
    explorer.set(rows="site", measure="Andel af kolonnen")
    assert (explorer.rows, explorer.measure) == ("site", "share_column")


def test_an_explorer_needs_a_study(study):
    with pytest.raises(ValueError, match="must be a Study"):
        Explorer(study.interviews)
    with pytest.raises(ValueError, match="lang"):
        Explorer(study, lang="de")


# -- words, caveats, files ----------------------------------------------------------------


def test_numbers_are_formatted_in_the_view_language():
    table = pd.DataFrame({"a": [1234, 0]}, index=["x", "y"])
    table.attrs = {"measure": "count"}
    assert format_table(table, lang="da")["a"].tolist() == ["1.234", "0"]
    assert format_table(table, lang="en")["a"].tolist() == ["1,234", "0"]
    lift = pd.DataFrame({"a": [1.254, float("nan")]}, index=["x", "y"])
    lift.attrs = {"measure": "lift", "counts": {"x": {"a": 4}, "y": {"a": 0}}}
    assert format_table(lift, lang="da")["a"].tolist() == ["1,25 (n=4)", "–"]
    assert format_table(lift, lang="en")["a"].tolist() == ["1.25 (n=4)", "–"]


def test_the_caption_states_the_view_its_filters_n_and_test(study):
    explorer = Explorer(study, rows="service", columns="visitor_type", measure="share_row",
                        filters={"visitor_type": "borgerservice"}, lang="en")
    caption = explorer.caption()
    assert caption.startswith("Service × Visitor type: share of row. Filters: Visitor type: "
                              "Citizen service visitor. 38 of 45 interviews. Share of the "
                              "row's interviews coded on both dimensions")
    assert "Illustrative" not in caption  # neither dimension is marked in the codebook
    explorer.set(rows="competence", columns="site", measure="count", filters={})
    assert explorer.table.attrs["test"]["sentence"]["en"] in explorer.caption()


def test_illustrative_codings_carry_their_caveat(study):
    explorer = Explorer(study, rows="service", columns="visitor_type")
    assert explorer.caveat() == ""
    explorer.filters = {"site": "roskilde"}  # a filter rests on the marked codes too
    note = study.codebook.illustrative(lang="da")["site"]
    assert explorer.caveat() == f"Illustrative kodninger: Sted ({note})"
    explorer.set(rows="ventetid", filters={})
    assert explorer.caption().endswith("Illustrative kodninger: Brugerrejse ("
                                       + study.codebook.illustrative(lang="da")["journey_stage"]
                                       + ")")
    fig = explorer.figure()
    footnote = fig._supxlabel.get_text().replace("\n", " ")
    assert "Illustrative kodninger: Brugerrejse" in footnote
    assert footnote.count("Illustrative kodninger") == 1


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_save_writes_the_table_and_a_slide_named_by_the_filters(study, tmp_path):
    explorer = Explorer(study, rows="competence", columns="site", measure="share_row",
                        filters={"visitor_type": "borgerservice"})
    csv, png = explorer.save(tmp_path / "views")
    assert csv.name == "competence-x-site-share-row-visitor-type-borgerservice.csv"
    assert png.name == csv.name.replace(".csv", ".png")
    back = pd.read_csv(csv, index_col=0)
    assert back.index.name == "Kompetenceprofil"
    assert back.loc["Navigationssvag", "Roskilde"] == pytest.approx(
        explorer.table.loc["Navigationssvag", "Roskilde"])
    assert back["n"].tolist() == [25, 13]
    width, height = _png_size(png)
    assert abs(width / height - 16 / 9) < 0.01 and width >= 2600
    explorer.measure = "lift"
    csv, _ = explorer.save(tmp_path / "views")
    back = pd.read_csv(csv, index_col=0)
    assert back.loc["Navigationssvag", "n: Roskilde"] == 4


def test_the_slide_carries_title_cells_and_caption(study):
    explorer = Explorer(study, rows="competence", columns="site", measure="lift", lang="en",
                        filters={"visitor_type": "borgerservice"})
    fig = explorer.figure()
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Competence profile × Site: lift with n"
    cells = [t.get_text() for t in ax.texts]
    assert "1.33\nn=5" in cells and "0.53†\nn=2" in cells
    caption = fig._supxlabel.get_text().replace("\n", " ")
    assert "Filters: Visitor type: Citizen service visitor" in caption
    assert caption.count("fewer than 3 interviews") == 1  # the plot's own line, once
    assert caption.count("computed on the 38 interviews coded on both") == 1
    assert tuple(round(x, 2) for x in fig.get_size_inches()) == (13.33, 7.5)


def test_save_refuses_a_file_as_its_folder(study, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep", encoding="utf-8")
    with pytest.raises(StudyError, match="not a folder"):
        Explorer(study).save(target)
    assert target.read_text(encoding="utf-8") == "keep"


def test_a_label_that_looks_like_a_formula_is_text_in_the_csv(tiny_study, tmp_path):
    explorer = Explorer(tiny_study, rows="site", columns="competence")
    table = explorer.table
    table.index = ["=HYPERLINK(1)", *table.index[1:]]
    csv, _ = explorer.save(tmp_path)
    assert "'=HYPERLINK(1)" in csv.read_text(encoding="utf-8")


# -- the widget's controls -----------------------------------------------------------------


def test_setting_a_control_changes_the_explorer(study):
    explorer = Explorer(study)
    view = explorer.widget()
    c = view.controls
    c.rows.value = "site"
    assert explorer.rows == "site"
    assert "Ringsted" in c.table.value and "Ringsted" in c.cell_row.options
    c.columns.value = "competence"
    c.measure.value = "share_column"
    assert (explorer.columns, explorer.measure) == ("competence", "share_column")
    assert "%" in c.table.value
    c.filters["visitor_type"].value = ("borgerservice",)
    c.filters["site"].value = ("næstved", "glumsø")
    assert explorer.filters == {"site": ["næstved", "glumsø"],
                                "visitor_type": ["borgerservice"]}
    assert "16 af 45 interviews" in c.caption.value
    c.clear.click()
    assert explorer.filters == {} and c.filters["site"].value == ()


def test_setting_the_explorer_changes_the_controls(study):
    explorer = Explorer(study)
    c = explorer.widget().controls
    explorer.set(rows="competence", measure="lift", filters={"site": "Næstved"})
    assert (c.rows.value, c.measure.value) == ("competence", "lift")
    assert c.filters["site"].value == ("næstved",)
    assert "(n=" in c.table.value and "Navigationssvag" in c.table.value
    assert c.chart.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_choosing_a_cell_lists_its_quotes_or_says_it_is_empty(study):
    explorer = Explorer(study, rows="service", columns="site")
    c = explorer.widget().controls
    c.cell_row.value, c.cell_column.value = "Pas", "Næstved"
    assert "Lone, 61 år, nyt pas (Næstved)" in c.quotes.value
    c.cell_row.value = "Vielse"
    assert "Ingen interviews i denne celle." in c.quotes.value
    c.cell_row.value, c.cell_column.value = "Sundhedskort", "Roskilde"
    assert "1 interviews, 0 citater" in c.quotes.value
    assert "har ingen citater" in c.quotes.value


def test_a_cell_shows_the_memos_of_its_quotes(tiny_study):
    import dataclasses

    memo = tiny_study.quotes.assign(memo=["", "Sagt <i>to</i> gange.", ""])
    explorer = Explorer(dataclasses.replace(tiny_study, quotes=memo), rows="site",
                        columns="competence")
    assert explorer.select("Roskilde", "Navigationssvag")["memo"].tolist() \
        == ["Sagt <i>to</i> gange."]
    c = explorer.widget().controls
    c.cell_row.value, c.cell_column.value = "Roskilde", "Navigationssvag"
    assert "Memo: Sagt &lt;i&gt;to&lt;/i&gt; gange." in c.quotes.value
    assert "Bo" in c.quotes.value and "Det er &lt;b&gt;trygt&lt;/b&gt; her." in c.quotes.value


def test_the_same_view_saves_the_same_bytes(study, tmp_path):
    explorer = Explorer(study, rows="attitude", columns="site", measure="share_column",
                        filters={"competence": "navigationssvag"})
    first = explorer.save(tmp_path / "a")
    second = Explorer(study, rows="attitude", columns="site", measure="share_column",
                      filters={"competence": "navigationssvag"}).save(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_the_widget_shows_a_failed_save_as_a_message(study, tmp_path):
    explorer = Explorer(study, lang="en")
    c = explorer.widget().controls
    blocked = tmp_path / "a-file"
    blocked.write_text("x", encoding="utf-8")
    c.folder.value = str(blocked)
    c.save.click()  # no exception reaches the caller
    assert "That did not work" in c.message.value and "not a folder" in c.message.value
    c.folder.value = str(tmp_path / "views")
    c.save.click()
    assert "Saved:" in c.message.value
    assert sorted(p.suffix for p in (tmp_path / "views").iterdir()) == [".csv", ".png"]


def test_a_view_without_interviews_says_so(study):
    explorer = Explorer(study, lang="en")
    c = explorer.widget().controls
    c.filters["service"].value = ("vielse",)
    assert explorer.table.loc["Total", "Total"] == 0
    assert "No interview matches the filters." in c.message.value


# -- the notebook ----------------------------------------------------------------------------


def test_the_explore_notebook_orchestrates_and_is_not_in_the_batch():
    path = notebooks_dir() / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata["tags"]
    defaults: dict = {}
    exec(code[0].source, {}, defaults)
    assert defaults == {"data": None, "lang": "da", "anonymise": False}
    # The one visible output: the widget, the last cell's last expression.
    for cell in code[:-1]:
        body = ast.parse(cell.source).body
        assert not body or not isinstance(body[-1], ast.Expr), cell.source
    assert code[-1].source.splitlines()[-1] == "explorer.widget()"
    batch = yaml.safe_load((notebooks_dir() / "batch.yml").read_text(encoding="utf-8"))
    assert "explore.ipynb" not in {r["notebook"] for r in batch["reports"]}


@pytest.mark.slow
def test_the_explore_notebook_runs_to_one_widget(tmp_path):
    import papermill

    path = notebooks_dir() / "explore.ipynb"
    nb = papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(tmp_path),
                                    kernel_name="python3", progress_bar=False,
                                    parameters={"anonymise": True, "lang": "en"})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert len(outputs) == 1
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]["data"]
