"""What a report shows: finished tables, charts about their subject, the study's own story.

Covers `synergi_analysis.display` and the private modules it is built on
(`_format`, `_tables`, `_emphasis`, `_layout`, `_story`).
"""

from __future__ import annotations

import html
import math
import re
import shutil
import warnings

import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from synergi_analysis import load_study
from synergi_analysis._emphasis import FADE, highlight
from synergi_analysis._format import cell, number, p_value, percent
from synergi_analysis._layout import localise, overlaps, tidy
from synergi_analysis.display import (
    LayoutWarning,
    compare,
    end_if_empty,
    end_unless_picked,
    needs,
    report_header,
    say,
    show_chart,
    show_offers,
    show_profile,
    show_quote_matrix,
    show_quotes,
    show_table,
    show_text,
    show_tiers,
    subject,
)
from synergi_analysis.patterns import (
    attitudes,
    competence,
    journey,
    life_situations,
    service_by_age,
)
from synergi_analysis.plotting import (
    plot_attitudes_figure,
    plot_competence,
    plot_criteria_heatmap,
    plot_journey,
    plot_life_situations,
    plot_service_by_age,
)
from synergi_analysis.ranking import leave_one_site_out, rank_services


def tables_of(shown) -> list[list[list[str]]]:
    """Every table of an HTML output as rows of cell texts."""
    found = []
    for table in re.findall(r"<table\b.*?</table>", shown.html_text, flags=re.S):
        rows = re.findall(r"<tr\b.*?</tr>", table, flags=re.S)
        # A header keeps "95 %" together with a no-break space; read it as a space.
        found.append([[html.unescape(re.sub(r"<[^>]+>", "", c)).replace("\xa0", " ").strip()
                       for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", r, flags=re.S)]
                      for r in rows])
    return found


@pytest.fixture()
def own_study(tmp_path, data_dir):
    """A study folder of its own: the shipped codebook and interviews, nothing else."""
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("codebook.yml", "interviews.csv"):
        shutil.copy(data_dir / name, folder / name)
    return folder


# -- numbers --------------------------------------------------------------------------------


def test_numbers_are_written_as_each_language_writes_them():
    assert (number(2000, "da"), number(2000, "en")) == ("2.000", "2,000")
    assert (number(0.854, "da", decimals=2), number(0.854, "en", decimals=2)) == ("0,85", "0.85")
    assert (percent(0.368, "da"), percent(0.368, "en")) == ("37 %", "37%")
    assert (p_value(0.41, "da"), p_value(0.0004, "en")) == ("0,41", "< 0.001")
    values = (True, False, None, float("nan"), pd.NA, "", 3.0)
    assert [cell(v, "en") for v in values] == ["yes", "no", "–", "–", "–", "–", "3"]


# -- tables ----------------------------------------------------------------------------------


def wilson(count: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval, written out (the package takes it from statsmodels)."""
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_a_journey_table_reads_in_words_and_percentages(study):
    shown = show_table(journey(study))
    [rows] = tables_of(shown)
    assert rows[0] == ["Brugerrejse", "Åben", "Lukket", "Ikke kodet", "Andel åbne",
                       "95 %-interval"]
    # 14 of the 38 coded at preparation were open: 37 %, Wilson's interval 23-53 %.
    low, high = wilson(14, 38)
    assert (round(low * 100), round(high * 100)) == (23, 53)
    assert rows[1] == ["Forberedelse", "14", "24", "7", "37 %", "23–53 %"]
    assert "Illustrative kodninger: Brugerrejse (" in shown.text  # the stages are invented
    [rows] = tables_of(show_table(journey(study.with_lang("en"))))
    assert rows[0] == ["Visitor journey", "Open", "Closed", "Not coded", "Share open",
                       "95% interval"]
    assert rows[1] == ["Preparation", "14", "24", "7", "37%", "23–53%"]


def test_a_crosstab_keeps_its_labelled_rows_and_marks_its_totals(study):
    shown = show_table(service_by_age(study))
    [rows] = tables_of(shown)
    assert rows[0] == ["", "Alder"]  # the column dimension spans its values
    assert rows[1] == ["Ydelse", "0-17", "18-29", "30-49", "50-69", "70+", "Antal"]
    assert rows[2] == ["Pas", "1", "1", "9", "2", "2", "15"]
    assert rows[-1] == ["Antal", "1", "4", "16", "12", "12", "45"]
    last = re.findall(r"<tr\b.*?</tr>", shown.html_text, flags=re.S)[-1]
    assert last.count("synergi-total") == 7


def test_no_raw_token_or_key_reaches_a_table(study):
    ranking = rank_services(study)
    for lang in ("da", "en"):
        parts = tables_of(show_table(ranking, study=study.with_lang(lang), lang=lang))
        cells = [c for rows in parts for row in rows for c in row]
        assert not {"NaN", "nan", "<NA>", "None", "True", "False"} & set(cells)
        assert not [c for c in cells if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", c)]
        assert "–" in cells
        assert {"ja", "nej"} <= set(cells) if lang == "da" else {"yes", "no"} <= set(cells)
        assert "pas" not in cells  # a key column is left out: its label names the service
    rows = tables_of(show_table(ranking, study=study))[0]
    # The rank's interval (the bootstrap's 5th to 95th percentile) follows the names.
    assert rows[0][:9] == ["Plads", "Ydelse", "Plads, 90 %-interval", "Steder",
                           "Steder, muligt spænd", "Brugere", "Brugergrupper", "Koblinger",
                           "Samlet score"]
    # Pas by the ranking's formulas, from the data: a desk at every site (reach 1), the
    # most interviews (users 1), all 15 travel abroad and none of the others coded on life
    # situations (groups 15 / (15 + 2), shrunk by two interviews), its offers' share of the
    # most any service has and of the four kinds (links).
    interviews = study.interviews
    situations = interviews["life_situations"].fillna("").str.split(";")
    pas = interviews["service"] == "pas"
    assert situations[pas].map(lambda s: "udlandsrejse" in s).all() and pas.sum() == 15
    assert not situations[~pas].map(lambda s: "udlandsrejse" in s).any()
    groups = 15 / (15 + 2)
    offers = study.table("library_offers")
    most = offers.groupby("service")["offer"].nunique().max()
    mine = offers[offers["service"] == "pas"]
    links = mine["offer"].nunique() / most / 2 + mine["kind"].nunique() / 4 / 2
    total = (1 + 1 + groups + links) / 4
    shown = [f"{v:.2f}".replace(".", ",") for v in (1, 1, groups, links, total)]
    assert rows[1][:3] == ["1", "Pas", "1"]  # first in every resample
    assert rows[1][3:9] == [shown[0], "1,00", *shown[1:]]


def test_the_sites_of_a_leave_one_out_table_are_named(study):
    english = study.with_lang("en")
    [rows] = tables_of(show_table(leave_one_site_out(english), study=english, lang="en"))
    assert rows[0] == ["Service", "Rank", "Without Roskilde", "Without Ringsted",
                       "Without Næstved", "Without Glumsø", "Largest shift", "Unranked without"]
    # Every service someone came for is ranked (one interview is enough), so a service
    # loses its rank without a site exactly when all its interviews are from that site.
    sites = english.interviews.groupby("service", observed=True)["site"]
    only = {s: study.codebook.label("site", v.iloc[0], lang="en")
            for s, v in sites if v.nunique() == 1}
    labels = {study.codebook.label("service", s, lang="en"): s for s in only}
    for row in rows[1:]:
        assert row[-1] == only.get(labels.get(row[0]), "–"), row
    assert rows[4][-1] == "Ringsted" and rows[1][-1] == "–"  # Tax; Passport


def test_intervals_p_values_and_the_caveats_a_table_carries_are_shown(study):
    table = pd.DataFrame({"site": ["Roskilde", "Glumsø"], "share": [0.368, 0.05],
                          "share_low": [0.2, 0.01], "share_high": [0.55, 0.2],
                          "p": [0.41, 0.0004], "n": [13, 6]})
    table.attrs = {"lang": "da",
                   "illustrative": {"da": "Illustrative kodninger: sted.",
                                    "en": "Illustrative codings: site."},
                   "test": {"sentence": {"da": "Forskellen kan være tilfældig: p = 0,41.",
                                         "en": "The difference could be chance: p = 0.41."}}}
    shown = show_table(table, study=study)
    [rows] = tables_of(shown)
    assert rows == [["Sted", "Andel", "95 %-interval", "p", "n"],
                    ["Roskilde", "37 %", "20–55 %", "0,41", "13"],
                    ["Glumsø", "5 %", "1–20 %", "< 0,001", "6"]]
    assert "Illustrative kodninger: sted." in shown.html_text
    assert "Forskellen kan være tilfældig: p = 0,41." in shown.text
    english = show_table(table, study=study, lang="en")
    assert tables_of(english)[0][1] == ["Roskilde", "37%", "20–55%", "0.41", "13"]
    assert "Illustrative codings: site." in english.text


def test_two_intervals_in_one_table_are_told_apart(study):
    table = pd.DataFrame({"label": ["Pas"], "rank": [1], "rank_low": [1], "rank_high": [3],
                          "total": [0.85], "total_low": [0.7], "total_high": [0.9]})
    table.attrs = {"lang": "en"}
    [rows] = tables_of(show_table(table, study=study))
    assert rows == [["Service", "Rank", "Rank, 95% interval", "Total score",
                     "Total score, 95% interval"], ["Pas", "1", "1–3", "0.85", "0.70–0.90"]]


def test_a_table_too_wide_for_a_page_is_split_and_each_part_repeats_its_labels(study):
    table = life_situations(study)  # 17 services and a total as columns
    parts = tables_of(show_table(table))
    assert len(parts) >= 2
    labels = [[row[0] for row in rows[2:]] for rows in parts]
    assert all(column == list(table.index) for column in labels)
    headers = [h for rows in parts for h in rows[1][1:]]
    assert headers == list(table.columns)


def test_a_highlighted_row_is_marked(study):
    shown = show_table(competence(study, by="site"), highlight=subject(study, "site", "glumsø"))
    row = next(r for r in re.findall(r"<tr\b.*?</tr>", shown.html_text, flags=re.S)
               if ">Glumsø<" in r)
    assert row.count("synergi-highlight") == 4


# -- charts -----------------------------------------------------------------------------------


def test_a_chart_is_a_png_with_its_title_as_alternative_text(study):
    shown = show_chart(plot_journey, journey(study))
    assert shown.png.startswith(b"\x89PNG") and 'alt="Brugerrejse"' in shown.html_text
    bundle, meta = shown._repr_mimebundle_()
    assert meta == {"synergi_analysis": {"chart": True}} and "image/png" not in bundle


def test_a_highlighted_site_makes_a_chart_of_its_own_and_is_named_under_it(study):
    stages = journey(study, by="site")
    plain = show_chart(plot_journey, stages)
    here = show_chart(plot_journey, stages, highlight=subject(study, "site", "næstved"))
    there = show_chart(plot_journey, stages, highlight=subject(study, "site", "glumsø"))
    assert len({plain.png, here.png, there.png}) == 3
    assert "Næstved er fremhævet." in here.text + here.html_text
    assert "fremhævet" not in plain.html_text


def test_highlight_fades_every_other_group_in_lines_bars_and_heatmaps(study):
    fig = Figure()
    ax = fig.add_subplot()
    plot_journey(journey(study, by="site"), ax=ax)
    assert highlight(fig, "Ringsted")
    assert [line.get_alpha() for line in ax.lines] == [FADE, None, FADE, FADE]
    fig = Figure()
    plot_attitudes_figure(attitudes(study, by="site"), fig=fig)
    assert highlight(fig, "Glumsø")
    for axes in fig.axes:
        for patch in axes.patches:
            centre = patch.get_y() + patch.get_height() / 2
            assert (patch.get_alpha() is None) == (abs(centre - 3) < 0.5)
        ticks = {t.get_text(): t.get_fontweight() for t in axes.get_yticklabels()}
        assert ticks["Glumsø"] == "bold" and ticks["Roskilde"] == "normal"
    fig = Figure()
    ax = fig.add_subplot()
    plot_service_by_age(service_by_age(study, by="site"), ax=ax)
    before = len(ax.patches)
    assert highlight(fig, "Næstved") and len(ax.patches) == before + 3  # two fades, a frame
    # Pas at Roskilde (3) was written white on a dark cell; faded, it is dark ink now.
    column = {t.get_text(): t.get_position()[0] for t in ax.get_xticklabels()}
    for t in ax.texts:
        if abs(t.get_position()[0] - column["Næstved"]) > 0.5:
            assert sum(to_rgba(t.get_color())[:3]) <= 2.4, t.get_text()
    assert not highlight(fig, "Atlantis")


def test_a_chart_with_nothing_to_draw_is_one_line_saying_why(study):
    library = study.subset({"service": "biblioteksbesøg"})
    shown = show_chart(plot_journey, journey(library))
    assert shown.text == ("Ingen af alle interviews er kodet på brugerrejsen, så diagrammet er "
                          "udeladt.")
    assert show_chart(plot_journey, None) is None
    missing = say("Dette afsnit kræver x.csv.")
    assert show_chart(plot_journey, missing) is missing and show_table(missing) is missing


def test_compare_sets_a_services_users_beside_everyone_and_leaves_out_an_empty_scale(study):
    table = compare(subject(study, "service", "pas"), attitudes)
    assert set(table["visitor_type"]) == {"Besøgende i borgerservice"}
    assert table.groupby("group", observed=True)["count"].sum().to_dict() == {
        "Pas": 15, "Alle interviews": 38}
    assert table.attrs["by"] == "group"
    assert table.attrs["notes"] == [
        "Ingen besøgende på biblioteket blandt ydelsens brugere; panelet er udeladt."]
    fig = Figure()
    plot_attitudes_figure(table, fig=fig)
    assert len(fig.axes) == 1
    library = compare(subject(study.with_lang("en"), "service", "biblioteksbesøg"), journey)
    assert library.text == ("None of the service's users were coded on the visitor journey, so "
                            "the chart is left out.")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_charts_that_ran_into_each_other_no_longer_do(study, lang):
    study = study.with_lang(lang)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        show_chart(plot_criteria_heatmap, rank_services(study), size=(11, 7))
        show_chart(plot_attitudes_figure, attitudes(study, by="site"), size=(10, 6.5))
        show_chart(plot_life_situations, life_situations(study).T, size=(9, 7))
        show_chart(plot_competence, competence(study, by="site"), size=(9, 3.5))


def test_overlaps_finds_text_on_text_on_a_legend_and_outside_the_figure():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot([0, 1], label="a line")
    ax.legend(loc="upper left")
    ax.text(0.02, 0.97, "under the legend", transform=ax.transAxes, va="top")
    ax.text(0.5, 0.5, "one"), ax.text(0.51, 0.5, "two")
    ax.text(1.5, 0.5, "far out", transform=ax.transAxes)
    found = overlaps(fig, outside=True)
    assert ("one", "two") in found and ("legend", "under the legend") in found
    assert ("outside", "far out") in found and ("outside", "one") not in found


def test_tidy_moves_a_legend_off_the_text_beside_it():
    fig = Figure(figsize=(5, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.barh([0], [1], label="A bar")
    ax.text(1.01, 0.95, "n = 15", transform=ax.transAxes, va="top")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    assert ("legend", "n = 15") in overlaps(fig)
    assert tidy(fig) and overlaps(fig) == []


def test_localise_writes_the_numbers_of_a_chart_in_danish():
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.text(0, 0, "0.65 and 37%")
    localise(fig, "da")
    fig.draw_without_rendering()
    assert ax.texts[0].get_text() == "0,65 and 37 %"
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["0,0", "0,2"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_slide_figure_has_overlapping_or_clipped_text(study, lang):
    from synergi_analysis.figures import FIGURES
    from synergi_analysis.style import house_style

    for name, draw in FIGURES.items():
        with house_style():
            fig = draw(study.with_lang(lang), lang)
            assert overlaps(fig, outside=True) == [], name


# -- what a report is about --------------------------------------------------------------------


def test_a_subject_is_found_by_its_key_or_its_label_in_either_language(study):
    for value in ("næstved", "Næstved", "NÆSTVED"):
        here = subject(study, "site", value)
        assert (here.key, here.label, here.n) == ("næstved", "Næstved", 13)
        assert set(here.study.interviews["site"].astype(str)) == {"næstved"}
    passport = subject(study.with_lang("en"), "service", "Passport")
    assert (passport.key, passport.label) == ("pas", "Passport")
    with pytest.raises(ValueError, match="Næstved"):
        subject(study, "site", "Næstvd")


def test_a_value_without_interviews_ends_the_report_in_one_paragraph(study):
    shown = end_if_empty(subject(study, "service", "vielse"))
    _, meta = shown._repr_mimebundle_()
    assert meta == {"synergi_analysis": {"end": True, "status": "empty"}}
    assert shown.html_text.count("<p") == 1
    assert shown.text.startswith("Ingen interviews om Vielse i denne undersøgelse")
    assert "178 af 21.061 besøg" in shown.text
    assert end_if_empty(subject(study, "service", "pas")) is None


def test_needs_names_the_files_a_study_lacks(own_study, study):
    own = load_study(own_study)
    line = needs(own, "services", "library_offers")
    assert line.text == ("Dette afsnit kræver services.csv og library_offers.csv, som "
                         "undersøgelsen ikke har.")
    assert line._repr_mimebundle_()[1] == {}
    ends = needs(own.with_lang("en"), "sites", end=True)
    assert ends.text == "The report needs sites.csv, which the study does not have."
    assert ends._repr_mimebundle_()[1] == {"synergi_analysis": {"end": True}}
    assert needs(study, "services", "library_offers", "sites") is None


def test_a_study_of_its_own_borrows_nothing_of_the_shipped_study(own_study, tmp_path, study):
    single = tmp_path / "mine.csv"
    shutil.copy(own_study / "interviews.csv", single)
    (own_study / "codebook.yml").unlink()  # a folder read against the shipped codebook
    for data in (single, own_study):
        own = load_study(data)
        assert [own.table(t) for t in ("services", "library_offers", "sites")] == [None] * 3
        assert show_text(own, "about") is None and show_text(own, "basis") is None
    assert study.table("services") is not None and show_text(study, "basis") is not None


STORY = """<!-- a note for whoever edits this file -->
# da
## about
Om <script>alert(1)</script> *os*.

## site: Næstved
Her.

# en
## about
About us.
"""


def test_the_studys_story_is_read_by_language_and_key_and_shown_as_text(own_study):
    (own_study / "study.md").write_text(STORY, encoding="utf-8")
    own = load_study(own_study)
    about = show_text(own, "about")
    assert "&lt;script&gt;" in about.html_text and "<script>" not in about.html_text
    assert "<em>os</em>" in about.html_text and "note" not in about.html_text
    assert show_text(own.with_lang("en"), "about").text == "About us."
    assert show_text(own, "site: næstved").text == "Her."
    assert show_text(own.with_lang("en"), "site: næstved") is None
    assert show_text(own, "pick") is None


def test_a_site_profile_shows_the_facts_of_its_language_and_their_source(own_study):
    pd.DataFrame({
        "site": ["Næstved"], "name": ["Næstved Bibliotek"], "staff": ["28"],
        "integration": ["moved in"], "integration_da": ["flyttede ind"],
        "integration_en": ["moved in"], "source": ["Slide 3"]}).to_csv(
        own_study / "sites.csv", index=False)
    own = load_study(own_study)
    danish = show_profile(subject(own, "site", "næstved"))
    [rows] = tables_of(danish)
    assert rows == [["Navn", "Næstved Bibliotek"], ["Medarbejdere", "28"],
                    ["Integration", "flyttede ind"]]
    assert "moved in" not in danish.html_text and "Kilde: " in html.unescape(danish.html_text)
    english = show_profile(subject(own.with_lang("en"), "site", "næstved"))
    assert ["Integration", "moved in"] in tables_of(english)[0]
    assert show_profile(subject(own, "site", "roskilde")).text == (
        "Undersøgelsen har ingen fakta om Roskilde.")


def test_a_service_profile_shows_its_desks_usage_and_note(study):
    pas = show_profile(subject(study, "service", "pas"))
    [rows] = tables_of(pas)
    assert ["Skranke i Glumsø", "let borgerservice"] in rows
    assert ["Kræver personligt fremmøde", "ja"] in rows
    assert "Den mest brugte enkeltydelse" in pas.text
    wedding = show_profile(subject(study.with_lang("en"), "service", "vielse"))
    assert ["Use", "178 of 21,061 visits"] in tables_of(wedding)[0]


def test_the_library_offers_of_a_service_are_listed_by_kind(study, own_study):
    [rows] = tables_of(show_offers(subject(study, "service", "pas")))
    assert rows[0] == ["Bibliotekstilbud", "Slags"] and ["Rejseguides", "materialer"] in rows
    assert show_offers(subject(study, "service", "lægeskift")).text == (
        "Undersøgelsen knytter ingen bibliotekstilbud til Lægeskift.")
    own = show_offers(subject(load_study(own_study), "service", "pas"))
    assert own.text == "Dette afsnit kræver library_offers.csv, som undersøgelsen ikke har."


def test_the_header_names_its_parameters_in_words(study):
    header = report_header(study, title={"da": "Sted: {site}"},
                           parameters={"site": "Næstved", "lang": "da", "weights": None,
                                       "anonymise": False})
    text = html.unescape(re.sub(r"<[^>]+>", " ", header.html_text))
    assert header.title == "Sted: Næstved"
    assert "Sted: Næstved, Sprog: dansk, Vægte: lige vægte, Anonymiseret: nej" in text
    assert "<code>" not in header.html_text  # one font family on the page


def test_the_agreement_sections_need_the_studys_own_pick(study):
    ranking = rank_services(study)
    assert end_unless_picked(ranking) is None
    unpicked = ranking.assign(deck_pick=False)
    assert end_unless_picked(unpicked)._repr_mimebundle_()[1] == {
        "synergi_analysis": {"end": True}}
    assert end_unless_picked(needs(study, "no-such-table")) is not None


def test_quotes_are_text_and_no_quotes_is_a_line(study):
    shown = show_quotes(pd.DataFrame({"text": ["Det er <b>trygt</b>."], "caption": ["Grethe"]}))
    assert "&lt;b&gt;trygt&lt;/b&gt;" in shown.html_text
    none = show_quotes(pd.DataFrame({"text": [], "caption": []}), lang="en")
    assert none.text == "No quotes."


# -- the analysis in the reports: tests, tiers, quote matrix, surveys ------------------------


def test_compare_tests_the_subject_against_the_other_interviews(study):
    from scipy.stats import fisher_exact
    from statsmodels.stats.multitest import multipletests

    table = compare(subject(study, "service", "pas"), journey)
    test = table.attrs["test"]
    # By hand: per stage, pas's open/closed against the other interviews' (Fisher's exact
    # test of each 2 × 2 table), Holm-adjusted over the stages; the smallest is reported.
    interviews = study.interviews
    pas = interviews["service"] == "pas"
    pvalues = []
    for stage in study.codebook.stages:
        states = interviews[stage].astype(object)
        rows = [[int(((states == state) & group).sum()) for state in ("åben", "lukket")]
                for group in (pas, ~pas)]
        pvalues.append(fisher_exact(rows).pvalue)
    p = min(multipletests(pvalues, method="holm")[1])
    assert test["p"] == pytest.approx(p) and test["compared"] == "rest"
    shown_p = f"{p:.2f}".replace(".", ",")
    assert test["sentence"]["da"] == ("Forskellen mellem ydelsens brugere og de øvrige "
                                      f"interviewede kan være tilfældig: p = {shown_p} "
                                      "(Holm-justeret for flere test).")
    # The chart draws the sentence in its footnote, so the caption does not repeat it.
    shown = show_chart(plot_journey, table, highlight=subject(study, "service", "pas"))
    assert "Forskellen mellem" not in shown.html_text and "Pas er fremhævet." in shown.html_text
    # Every library visitor is a user of "library visit": nothing to compare, no claim.
    library = compare(subject(study, "service", "biblioteksbesøg"), attitudes)
    assert library.attrs["test"] is None
    assert library.attrs["notes"][-1] == ("Alle undersøgelsens besøgende på biblioteket er blandt "
                                          "ydelsens brugere, så de to søjler er ens.")


def test_the_tiers_of_the_ranking_are_said_in_words(study):
    ranking = rank_services(study)
    ranked = ranking[ranking["rank"].notna()]
    first = ranked[ranked["tier"] == 1]
    assert list(first["label"]) == ["Pas"] and set(ranked["tier"]) == {1, 2}
    last = int(ranked["rank"].max())
    assert show_tiers(ranking).text == (
        "Rækkefølgen er kun sikker mellem niveauerne: niveau 1: Pas (plads 1); niveau 2: "
        f"{len(ranked) - 1} ydelser (plads 2–{last}). Ydelser på samme niveau er lige gode "
        "inden for usikkerheden.")
    one = ranking.assign(tier=ranking["tier"].where(ranking["tier"].isna(), 1))
    assert show_tiers(one, lang="en").text == (
        f"No service stands clearly ahead of the others: all {len(ranked)} are tied within "
        "uncertainty.")
    assert show_tiers(None) is None


def test_the_quote_matrix_groups_quotes_and_names_the_silent_values(study):
    from synergi_analysis.quotations import quote_matrix

    matrix = quote_matrix(study, by="attitude", service="pas")
    shown = show_quote_matrix(matrix)
    heads = re.findall(r"<h3[^>]*>(.*?)</h3>", shown.html_text)
    counts = {k: v for k, v in matrix.attrs["counts"].items() if v}
    assert heads == [html.escape(f"{k} ({v})") for k, v in counts.items()]
    assert shown.html_text.count("<blockquote") == len(matrix) == sum(counts.values())
    silent = [k for k, v in matrix.attrs["counts"].items() if not v]
    assert f"Ingen citater under: {', '.join(silent)}." in shown.text
    assert "Illustrative kodninger: " in shown.text and "Holdning til integration (" in shown.text


def test_a_sites_own_survey_is_in_its_profile_with_what_it_is_out_of(study, data_dir):
    sites = pd.read_csv(data_dir / "sites.csv", dtype=str, keep_default_na=False)
    roskilde = sites.set_index("site").loc["roskilde"]
    shown = show_profile(subject(study, "site", "roskilde"))
    assert (f"Stedets egen rundspørge: “{roskilde['inspiration_question']}” "
            f"{roskilde['inspiration_yes_pct']} % svarede ja, {roskilde['inspiration_no_pct']} % "
            "nej (antallet af svar er ikke oplyst).") in shown.text
    english = show_profile(subject(study.with_lang("en"), "site", "roskilde"))
    assert "26% said yes, 74% no (the number of answers is not given)." in english.text
    assert "Inspiration" not in " ".join(r[0] for r in tables_of(shown)[0])  # not a raw fact
    for site in ("ringsted", "næstved", "glumsø"):
        assert "rundspørge" not in show_profile(subject(study, "site", site)).text


def test_an_anonymised_study_names_nobody_in_its_caveats(study):
    anonymous = study.anonymised()
    plain = show_table(attitudes(study, by="site")).text
    shown = show_table(attitudes(anonymous, by="site")).text
    assert "Karina (A), Mads (B) og Sonja (C)" in plain
    assert not {"Karina", "Mads", "Sonja"} & set(re.findall(r"\w+", shown))
    assert re.search(r"viser kun Borger \d+ \(A\), Borger \d+ \(B\) og Borger \d+ \(C\)", shown)


def test_one_draw_gives_the_bytes_savefig_gives(study):
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from synergi_analysis._chart import REPORT_DPI, _png
    from synergi_analysis.style import house_style

    def drawn(save):
        with house_style(scale=0.7):
            fig = Figure(figsize=(9, 6), dpi=REPORT_DPI, layout="constrained")
            plot_attitudes_figure(attitudes(study, by="site"), fig=fig)
            FigureCanvasAgg(fig)
            return save(fig)

    def savefig(fig):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=REPORT_DPI, metadata={"Software": None})
        return buffer.getvalue()

    assert drawn(_png) == drawn(savefig)


def test_a_clear_chart_is_laid_out_and_drawn_once(study, monkeypatch):
    """The save lays the chart out and renders it; the overlap check reads that layout."""
    drawn = []
    original = Figure.draw

    def counting(self, renderer):
        drawn.append(type(renderer).__name__)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    show_chart(plot_service_by_age, service_by_age(study), size=(9, 7))
    # One draw lays it out and paints it (savefig would add a pass with drawing disabled).
    assert drawn == ["RendererAgg"]
