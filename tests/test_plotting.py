"""Charts: what is drawn (tick labels, bars, cells, titles), the house style, the figure writer."""

from __future__ import annotations

import subprocess
import sys

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from synergi_analysis import plotting
from synergi_analysis.errors import StudyError
from synergi_analysis.figures import FIGURES, register_figure, save_figures
from synergi_analysis.patterns import (
    attitudes,
    competence,
    cooccurrence,
    journey,
    life_situations,
    service_by_age,
)
from synergi_analysis.plotting import (
    PALETTE,
    house_style,
    plot_attitudes,
    plot_attitudes_figure,
    plot_competence,
    plot_cooccurrence,
    plot_journey,
    plot_life_situations,
    plot_service_by_age,
    set_house_style,
    slide_figure,
)


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_text()]


def _bars(ax):
    return [p for c in ax.containers for p in c]


# -- house style ---------------------------------------------------------------------


def test_importing_plotting_changes_no_global_style():
    code = ("import matplotlib as mpl; before = dict(mpl.rcParams); "
            "import synergi_analysis.plotting; "
            "print(dict(mpl.rcParams) == before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "True"


def test_house_style_applies_inside_the_block_only():
    before = mpl.rcParams["axes.titlesize"], mpl.rcParams["axes.spines.top"]
    with house_style():
        assert mpl.rcParams["font.size"] == 16
        assert mpl.rcParams["axes.spines.top"] is False
        assert [to_hex(c["color"]) for c in mpl.rcParams["axes.prop_cycle"]] == [
            c.lower() for c in PALETTE]
    with house_style(scale=1.5):
        assert mpl.rcParams["font.size"] == 24
    assert (mpl.rcParams["axes.titlesize"], mpl.rcParams["axes.spines.top"]) == before
    with pytest.raises(ValueError, match="scale"):
        with house_style(scale=0):
            pass


def test_set_house_style_is_for_notebooks():
    with mpl.rc_context():
        set_house_style()
        assert mpl.rcParams["font.size"] == 16
        assert mpl.rcParams["axes.spines.right"] is False
    assert mpl.rcParams["axes.spines.right"] is True


def test_palette_is_okabe_ito_and_distinct():
    okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
                 "#000000"}
    assert {c.lower() for c in PALETTE} == okabe_ito and len(PALETTE) == 8


def test_plot_functions_leave_the_style_alone(study):
    before = dict(mpl.rcParams)
    table = attitudes(study.interviews, codebook=study.codebook, by="site")
    plot_attitudes(table)
    plot_journey(journey(study))
    assert dict(mpl.rcParams) == before


# -- service by age ------------------------------------------------------------------


def test_service_by_age_heatmap(study):
    cb = study.codebook
    table = service_by_age(study.interviews, codebook=cb)
    ax = plot_service_by_age(table)
    assert _ticks(ax.get_yticklabels()) == [*cb.labels("service").values(), "Antal"]
    assert _ticks(ax.get_xticklabels()) == ["0-17", "18-29", "30-49", "50-69", "70+", "Antal"]
    assert ax.get_title(loc="center") + ax.get_title(loc="left") == "Ydelse × Alder"
    assert ax.get_xlabel() == "Alder"
    inner = table.iloc[:-1, :-1].to_numpy()
    texts = _texts(ax)
    # Zero cells are blank, as in the deck; every total is printed, zero or not.
    assert len(texts) == int((inner > 0).sum()) + 17 + 6
    assert texts[:5] == ["1", "1", "9", "2", "2"] and texts[-1] == "45"  # Pas, then 45
    assert len(ax.collections) == 2  # cells, and the totals in grey


def test_service_by_age_heatmap_in_english_by_site(study):
    cb = study.codebook
    table = service_by_age(study.interviews, codebook=cb, by="site", lang="en")
    fig, ax = plt.subplots()
    assert plot_service_by_age(table, ax=ax, title="Data") is ax
    assert _ticks(ax.get_xticklabels()) == ["Roskilde", "Ringsted", "Næstved", "Glumsø",
                                            "Total"]
    assert _ticks(ax.get_yticklabels())[:2] == ["Passport", "Driving licence"]
    assert ax.get_title(loc="left") + ax.get_title() == "Data"


def test_service_by_age_heatmap_of_an_empty_selection(tiny_study):
    cb = tiny_study.codebook
    table = service_by_age(tiny_study.interviews.iloc[:0], codebook=cb)
    ax = plot_service_by_age(table)
    assert len(ax.get_yticklabels()) == 18
    assert _texts(ax) == ["0"] * (17 + 6)


# -- attitudes -----------------------------------------------------------------------


def test_attitude_bars_per_site(study):
    cb = study.codebook
    table = attitudes(study.interviews, codebook=cb, by="site")
    ax = plot_attitudes(table)
    assert _ticks(ax.get_yticklabels()) == ["Roskilde", "Ringsted", "Næstved", "Glumsø"]
    assert ax.get_title(loc="left") + ax.get_title() == "Besøgende i borgerservice"
    assert ax.get_ylabel() == "Sted"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["A. Den uinteresserede negative", "B. Den travle positive",
                      "C. Den opsøgende positive", "D. Den hjælpsøgende", "Ikke kodet"]
    assert len(ax.containers) == 5 and len(_bars(ax)) == 5 * 4
    # Stacked shares: the segments of each site add up to the whole bar.
    widths = np.array([[p.get_width() for p in c] for c in ax.containers])
    assert np.allclose(widths.sum(axis=0), 1.0)
    roskilde_a = table[(table["site"] == "Roskilde") & (table["code"] == "A")
                       & (table["visitor_type"] == "Besøgende i borgerservice")]["share"]
    assert widths[0, 0] == pytest.approx(float(roskilde_a.iloc[0]))
    assert "n = 11" in _texts(ax) and "n = 5" in _texts(ax)


def test_attitude_bars_of_the_library_scale_in_english(study):
    cb = study.codebook
    table = attitudes(study.interviews, codebook=cb, by="age_band", lang="en")
    ax = plot_attitudes(table, visitor_type="Library visitor")
    assert _ticks(ax.get_yticklabels()) == ["0-17", "18-29", "30-49", "50-69", "70+"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["A. The disturbed", "B. The sociable", "Not coded"]
    assert len(_bars(ax)) == 3 * 5
    with pytest.raises(ValueError, match="visitor_type"):
        plot_attitudes(table, visitor_type="Martians")


def test_attitude_figure_has_one_panel_per_scale(tiny_study):
    cb = tiny_study.codebook
    table = attitudes(tiny_study.interviews, codebook=cb, by="site")
    fig = plot_attitudes_figure(table)
    assert [ax.get_title(loc="left") + ax.get_title() for ax in fig.axes] == [
        "Besøgende i borgerservice", "Besøgende på biblioteket"]
    assert fig.get_suptitle() == "Holdning til integration"
    # Glumsø has no interviews in the tiny study: its bar is empty, not missing.
    for ax in fig.axes:
        assert _ticks(ax.get_yticklabels())[-1] == "Glumsø"
        assert sum(c[3].get_width() for c in ax.containers) == 0
    assert "n = 0" in _texts(fig.axes[0])


def test_attitude_bars_of_a_key_table_with_an_uncoded_interview(tiny_study):
    iv = tiny_study.interviews.copy()
    iv.loc[iv["interview_id"] == "T3", "attitude"] = None
    table = attitudes(iv, codebook=tiny_study.codebook, by="site", lang="keys")
    ax = plot_attitudes(table, visitor_type="borgerservice")
    assert _ticks(ax.get_yticklabels()) == ["roskilde", "ringsted", "næstved", "glumsø"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # A table of keys speaks the study's language in its own words.
    assert legend == ["A", "B", "C", "D", "Ikke kodet"]
    ringsted = [c[1].get_width() for c in ax.containers]
    assert ringsted == pytest.approx([0, 0, 0.5, 0, 0.5])


def test_attitude_bars_without_a_split(tiny_study):
    table = attitudes(tiny_study.interviews, codebook=tiny_study.codebook)
    ax = plot_attitudes(table)
    assert _ticks(ax.get_yticklabels()) == ["Besøgende i borgerservice"]
    assert [c[0].get_width() for c in ax.containers] == pytest.approx([0.4, 0.2, 0.2, 0.2, 0])


# -- journey -------------------------------------------------------------------------


def test_journey_chart_reads_left_to_right(study):
    cb = study.codebook
    table = journey(study.interviews, codebook=cb)
    ax = plot_journey(table)
    assert _ticks(ax.get_xticklabels()) == ["Forberedelse", "Ankomst", "Ventetid", "Betjening",
                                            "Udgang", "Hjemme"]
    assert ax.get_title(loc="left") + ax.get_title() == "Brugerrejse"
    assert len(ax.lines) == 1
    assert np.allclose(ax.lines[0].get_ydata(), table["share_open"])
    assert "37%" in _texts(ax) and "n = 38" in _texts(ax)
    # Open at the top, closed at the bottom, as the deck draws the band.
    assert ax.get_ylim()[0] < 0.01 < 0.99 < ax.get_ylim()[1]
    label = ax.get_ylabel()
    assert label.index("Lukket") < label.index("Åben")


def test_journey_chart_one_line_per_site_in_english(study):
    cb = study.codebook
    table = journey(study.interviews, codebook=cb, by="site", lang="en")
    ax = plot_journey(table)
    assert [line.get_label() for line in ax.lines] == ["Roskilde", "Ringsted", "Næstved",
                                                       "Glumsø"]
    assert ax.get_legend().get_title().get_text() == "Site"
    assert _ticks(ax.get_xticklabels())[0] == "Preparation"
    glumso = table[table["site"] == "Glumsø"]["share_open"].to_numpy()
    assert np.allclose(ax.lines[3].get_ydata(), glumso, equal_nan=True)


def test_journey_chart_of_an_empty_selection(tiny_study):
    table = journey(tiny_study.interviews.iloc[:0], codebook=tiny_study.codebook)
    ax = plot_journey(table)
    assert len(ax.get_xticklabels()) == 6
    assert np.isnan(ax.lines[0].get_ydata()).all()


# -- competence, life situations, co-occurrence --------------------------------------


def test_competence_bars_by_service(study):
    cb = study.codebook
    table = competence(study.interviews, codebook=cb)
    ax = plot_competence(table)
    assert _ticks(ax.get_yticklabels()) == list(cb.labels("service").values())
    assert [c.get_label() for c in ax.containers] == ["Navigationsstærk", "Navigationssvag"]
    assert len(_bars(ax)) == 2 * 17
    assert [p.get_width() for p in ax.containers[0]][:2] == [14, 8]
    assert ax.containers[1][0].get_x() == 14  # stacked after the strong navigators
    assert ax.get_title(loc="left") + ax.get_title() == "Ydelse × Kompetenceprofil"


def test_competence_bars_by_age_band_in_english(tiny_study):
    cb = tiny_study.codebook
    table = competence(tiny_study.interviews, codebook=cb, by="age_band", lang="en",
                       margins=False)
    ax = plot_competence(table)
    assert _ticks(ax.get_yticklabels()) == ["0-17", "18-29", "30-49", "50-69", "70+"]
    assert [p.get_width() for p in ax.containers[1]] == [0, 0, 0, 1, 2]
    assert ax.get_xlabel() == "Interviews"


def test_life_situation_heatmap(study):
    cb = study.codebook
    table = life_situations(study.interviews, codebook=cb)
    ax = plot_life_situations(table)
    assert _ticks(ax.get_yticklabels()) == [*cb.labels("life_situation").values(), "Antal"]
    assert _ticks(ax.get_xticklabels()) == [*cb.labels("service").values(), "Antal"]
    assert ax.get_title(loc="left") + ax.get_title() == "Livssituation × Ydelse"
    inner = table.iloc[:-1, :-1].to_numpy()
    assert len(_texts(ax)) == int((inner > 0).sum()) + 11 + 18
    # Seventeen long service names would overlap side by side, so they are tilted.
    assert ax.get_xticklabels()[0].get_rotation() == pytest.approx(35)


def test_cooccurrence_heatmaps(tiny_study):
    cb = tiny_study.codebook
    counts = cooccurrence(tiny_study.interviews, codebook=cb, rows="life_situation")
    ax = plot_cooccurrence(counts)
    assert _ticks(ax.get_yticklabels()) == list(cb.labels("life_situation").values())
    assert ax.collections[0].get_array().size == 11 * 11
    assert sorted(_texts(ax)) == sorted(["1", "2", "2", "1", "1", "1", "1", "1", "1"])
    assert ax.get_title(loc="left") + ax.get_title() == "Livssituation × Livssituation"

    fig, ax = plt.subplots()
    lift = cooccurrence(tiny_study.interviews, codebook=cb, rows="attitude",
                        columns="competence", normalise="lift", lang="en")
    plot_cooccurrence(lift, center=1.0, ax=ax, title="Lift")
    assert _ticks(ax.get_xticklabels()) == ["Strong navigator", "Weak navigator"]
    # The help seeker (T5) is weak: 1 · 6 / (1 · 3), on one interview: marked uncertain.
    assert "2.00†" in _texts(ax)
    assert ax.get_title(loc="left") + ax.get_title() == "Lift"
    note = ax.figure.get_supxlabel()
    assert "computed on the 6 interviews coded on both dimensions" in note
    assert "† fewer than 3 interviews in the cell" in note


# -- slide figures and the writer ----------------------------------------------------


def test_figures_registry_has_the_deck_charts():
    assert list(FIGURES)[:6] == ["service-by-age", "attitudes", "journey", "competence",
                                 "life-situations", "cooccurrence"]


@pytest.mark.parametrize("name", ["service-by-age", "attitudes", "journey", "competence",
                                  "life-situations", "cooccurrence"])
def test_each_slide_figure_is_a_16_9_figure_with_a_title(tiny_study, name):
    fig = FIGURES[name](tiny_study, "en")
    width, height = fig.get_size_inches()
    assert width / height == pytest.approx(16 / 9, rel=1e-3)
    titles = [fig.get_suptitle()] + [ax.get_title(loc="left") + ax.get_title()
                                     for ax in fig.axes]
    assert any(titles)
    assert not any("Antal" in t.get_text() for ax in fig.axes for t in ax.get_yticklabels())


def test_slide_figures_are_not_kept_by_pyplot(tiny_study):
    before = plt.get_fignums()
    FIGURES["journey"](tiny_study, "da")
    assert plt.get_fignums() == before
    assert slide_figure().get_size_inches().tolist() == pytest.approx([13.333, 7.5])


def test_save_figures_checks_its_arguments(tiny_study, tmp_path):
    with pytest.raises(ValueError, match="fmt"):
        save_figures(tiny_study, tmp_path, fmt="gif")
    with pytest.raises(ValueError, match="dpi"):
        save_figures(tiny_study, tmp_path, dpi=100)
    with pytest.raises(ValueError, match="names: unknown figure 'pie'"):
        save_figures(tiny_study, tmp_path, names=["pie"])
    with pytest.raises(ValueError, match="lang"):
        save_figures(tiny_study, tmp_path, lang="de")
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(StudyError, match="not a folder"):
        save_figures(tiny_study, tmp_path / "taken", names=["journey"])
    with pytest.raises(ValueError, match="figure name"):
        register_figure("Bad Name")


def test_a_failing_figure_leaves_the_old_file(tiny_study, tmp_path, monkeypatch):
    target = tmp_path / "journey.png"
    target.write_bytes(b"the good old figure")

    def half_written(self, fh, **kwargs):
        fh.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(plotting.Figure, "savefig", half_written)
    with pytest.raises(OSError, match="disk full"):
        save_figures(tiny_study, tmp_path, names=["journey"])
    assert target.read_bytes() == b"the good old figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journey.png"]


def test_a_figure_that_cannot_be_drawn_leaves_the_old_file(tiny_study, tmp_path,
                                                           monkeypatch):
    target = tmp_path / "broken.png"
    target.write_bytes(b"old")

    def broken(study, lang):
        raise RuntimeError("cannot draw")

    monkeypatch.setitem(FIGURES, "broken", broken)
    with pytest.raises(RuntimeError):
        save_figures(tiny_study, tmp_path, names=["broken"])
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_save_figures_replaces_and_keeps_the_house_style_inside(tiny_study, tmp_path):
    before = dict(mpl.rcParams)
    (tmp_path / "journey.svg").write_text("old")
    first = save_figures(tiny_study, tmp_path, fmt="svg", names=["journey", "attitudes"])
    assert first == [tmp_path / "journey.svg", tmp_path / "attitudes.svg"]
    data = first[0].read_bytes()
    assert data.startswith(b"<?xml") and b'width="959.976pt" height="540pt"' in data
    # The same data gives the same file.
    save_figures(tiny_study, tmp_path, fmt="svg", names=["journey"])
    assert first[0].read_bytes() == data
    assert dict(mpl.rcParams) == before


def test_public_functions_take_options_by_keyword():
    import inspect

    for name in plotting.__all__:
        value = getattr(plotting, name)
        if not inspect.isfunction(value):
            continue
        params = inspect.signature(value).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert len(positional) <= 3, name


# -- plots read the table's attrs, never label strings or positions -------------------------


def test_totals_are_found_by_attrs_not_by_their_label(study):
    with_margins = service_by_age(study)
    without = service_by_age(study).iloc[:-1, :-1].copy()
    without.attrs["margins"] = False
    # A last row and column named like the totals, that are not totals:
    without = without.rename(index={without.index[-1]: "Antal"},
                             columns={without.columns[-1]: "Antal"})
    bold = [t.get_fontweight() for t in plot_service_by_age(with_margins,
                                                            ax=slide_figure().add_subplot()).texts]
    plain = [t.get_fontweight() for t in plot_service_by_age(without,
                                                             ax=slide_figure().add_subplot()).texts]
    assert "bold" in bold and "bold" not in plain


def test_a_plot_refuses_a_table_without_attrs(study):
    table = journey(study)
    table.attrs = {}
    with pytest.raises(ValueError, match="expected a journey table"):
        plot_journey(table, ax=slide_figure().add_subplot())


def test_public_functions_take_one_positional_argument():
    import inspect

    from synergi_analysis import patterns, plotting, quotations, ranking

    for module in (patterns, plotting, quotations, ranking):
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.isfunction(obj):
                continue
            positional = [p for p in inspect.signature(obj).parameters.values()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            assert len(positional) <= 1, (module.__name__, name)


# -- notes under every chart: denominator, interval, test, illustrative caveat -------


def _note(ax_or_fig) -> str:
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    return fig.get_supxlabel().replace("\n", " ")


def test_share_charts_state_their_denominator_interval_and_caveat(study):
    from synergi_analysis.patterns import attitudes, journey

    fig = plot_attitudes_figure(attitudes(study, by="site", lang="en"))
    note = _note(fig)
    assert note.startswith("Share of all the group's interviews of that visitor type, not "
                           "coded included. Whiskers: 95 % interval (Wilson).")
    assert "The differences by site could be chance: p = 0.30" in note
    assert "Illustrative codings: Site (27 of 45" in note and "Attitude to integration" in note
    assert note.count("Illustrative codings") == 1  # one footnote for both panels
    fig, ax = plt.subplots()
    plot_journey(journey(study), ax=ax)
    assert _note(ax).startswith("Andel åbne blandt de interviews, der er kodet ved fasen "
                                "(ikke kodede udeladt).")
    # One whisker per stage, spanning the Wilson interval of the share open.
    table = journey(study)
    spans = ax.collections[0].get_segments()
    assert len(spans) == 6
    assert [s[0][1] for s in spans] == pytest.approx(table["share_low"].tolist())
    assert [s[1][1] for s in spans] == pytest.approx(table["share_high"].tolist())


def test_attitude_segments_carry_their_interval(study):
    from synergi_analysis.patterns import attitudes

    table = attitudes(study)
    ax = plot_attitudes(table)
    bs = table[(table["visitor_type"] == "Besøgende i borgerservice") & table["code"].notna()]
    whiskers = [seg for c in ax.collections for seg in c.get_segments()
                if abs(seg[0][1] - seg[1][1]) < 1e-9]  # the horizontal spans
    lefts = np.cumsum([0, *bs["share"].tolist()[:-1]])
    # Each coded segment's end may lie anywhere in its own interval: left + [low, high].
    expected = [v for x, lo, hi in zip(lefts, bs["share_low"], bs["share_high"], strict=True)
                for v in (x + lo, x + hi)]
    assert [v for s in whiskers for v in (s[0][0], s[1][0])] == pytest.approx(expected)


def test_a_chart_of_an_unmarked_study_has_no_caveat(data_dir, tmp_path):
    from synergi_analysis.load import load_study
    from synergi_analysis.patterns import competence

    from .test_patterns import unmarked_copy

    unmarked = load_study(unmarked_copy(data_dir, tmp_path / "unmarked"))
    ax = plot_competence(competence(unmarked, by="site"))
    assert _note(ax) == "Forskellene efter sted kan være tilfældige: p = 0,64."
    for name, draw in FIGURES.items():
        assert "llustrative" not in _note(draw(unmarked, "da")), name


def test_a_figure_of_several_panels_names_each_illustrative_dimension_once(study):
    fig = FIGURES["competence"](study, "en")
    note = _note(fig)
    assert note.count("Illustrative codings") == 1
    assert note.count("Competence profile (chosen") == 1 and "Age (3 of 45" in note
    assert "The differences by service are unlikely to be chance" in note
