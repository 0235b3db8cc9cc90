"""Pattern analyses: numbers on the tiny hand-made study, on the shipped data, and the CLI.

The tiny study (tests/conftest.py) in full, so the expected numbers can be checked by eye:

    id  site      visitor  service   band   att  competence  life situations        journey
    T1  roskilde  bs       pas       30-49  A    strong      udlandsrejse;forælder  å l å l l -
    T2  roskilde  bs       pas       70+    B    weak        pensionist             - l l l å å
    T3  ringsted  bs       kørekort  70+    A    weak        pensionist             l l l l l -
    T4  ringsted  bs       pas       18-29  C    strong      myndig;flytning        å - å l - å
    T5  næstved   bs       nemid     50-69  D    weak        (none)                 - - l l - -
    T6  roskilde  library  bibl.     30-49  B    strong      forælder               - - - - - -

(journey: forberedelse, ankomst, ventetid, betjening, udgang, hjemme; å open, l closed)
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synergi_analysis.cli import main
from synergi_analysis.patterns import (
    attitudes,
    competence,
    cooccurrence,
    crosstab,
    journey,
    life_situations,
    service_by_age,
)
from synergi_analysis.quotations import caption, quotes

NAN = np.nan

REPO = Path(__file__).resolve().parent.parent


def _cat(values, categories=None):
    return pd.Categorical(values, categories=list(dict.fromkeys(categories or values)),
                          ordered=True)


# -- attitudes -----------------------------------------------------------------------


def test_attitudes_per_visitor_type_on_each_scale(tiny_study):
    table = attitudes(tiny_study.interviews, codebook=tiny_study.codebook)
    bs, lib = "Besøgende i borgerservice", "Besøgende på biblioteket"
    expected = pd.DataFrame({
        "visitor_type": _cat([bs] * 5 + [lib] * 3),
        "code": pd.array(["A", "B", "C", "D", pd.NA, "A", "B", pd.NA], dtype="string"),
        "attitude": _cat(
            ["Den uinteresserede negative", "Den travle positive", "Den opsøgende positive",
             "Den hjælpsøgende", "Ikke kodet", "Den forstyrrede", "Den sociale", "Ikke kodet"]),
        "count": np.array([2, 1, 1, 1, 0, 0, 1, 0], dtype="int64"),
        "share": [0.4, 0.2, 0.2, 0.2, 0.0, 0.0, 1.0, 0.0],
    })
    pd.testing.assert_frame_equal(table.drop(columns=["share_low", "share_high"]), expected)
    # Wilson 95 %: 2 of 5 is 0.118 to 0.769; 0 of 1 reaches up to 0.79.
    assert table["share_low"].round(3).tolist()[:2] == [0.118, 0.036]
    assert table["share_high"].round(3).tolist()[0] == 0.769
    assert table.loc[5, ["share_low", "share_high"]].round(3).tolist() == [0.0, 0.793]


def test_attitudes_by_site_keeps_empty_sites_with_missing_shares(tiny_study):
    table = attitudes(tiny_study.interviews, codebook=tiny_study.codebook, by="site",
                      lang="keys")
    assert list(table.columns) == ["site", "visitor_type", "code", "attitude", "count", "share",
                                   "share_low", "share_high"]
    assert table["site"].cat.categories.tolist() == ["roskilde", "ringsted", "næstved", "glumsø"]
    assert len(table) == 4 * (5 + 3)
    counts = table.groupby("site", observed=True)["count"].sum()
    assert counts.tolist() == [3, 2, 1, 0]
    rosk = table[(table["site"] == "roskilde") & (table["visitor_type"] == "borgerservice")]
    assert rosk["count"].tolist() == [1, 1, 0, 0, 0]
    assert rosk["share"].tolist() == [0.5, 0.5, 0.0, 0.0, 0.0]
    glumso = table[table["site"] == "glumsø"]
    assert glumso["count"].eq(0).all() and glumso["share"].isna().all()


def test_attitudes_in_english_and_not_coded(tiny_study):
    iv = tiny_study.interviews.copy()
    iv.loc[iv["interview_id"] == "T3", "attitude"] = pd.NA
    table = attitudes(iv, codebook=tiny_study.codebook, lang="en")
    assert table["attitude"].tolist()[:5] == [
        "The uninterested negative", "The busy positive", "The seeking positive",
        "The help seeker", "Not coded"]
    assert table["count"].tolist() == [1, 1, 1, 1, 1, 0, 1, 0]
    assert table["share"].tolist()[:5] == [0.2] * 5


def test_attitudes_of_an_empty_selection(tiny_study):
    full = attitudes(tiny_study.interviews, codebook=tiny_study.codebook, by="site")
    empty = attitudes(tiny_study.interviews.iloc[:0], codebook=tiny_study.codebook, by="site")
    shares = ["count", "share", "share_low", "share_high"]
    pd.testing.assert_frame_equal(empty.drop(columns=shares), full.drop(columns=shares))
    assert empty["count"].eq(0).all() and empty[shares[1:]].isna().all().all()
    assert empty["count"].dtype == "int64" and empty["share"].dtype == "float64"


def test_attitudes_add_up_per_site_on_the_shipped_data(study):
    table = attitudes(study.interviews, codebook=study.codebook, by="site", lang="keys")
    per_site = table.groupby("site", observed=True)["count"].sum()
    assert per_site.to_dict() == {"roskilde": 13, "ringsted": 13, "næstved": 13, "glumsø": 6}
    assert per_site.to_dict() == study.interviews["site"].value_counts().to_dict()
    shares = table.groupby(["site", "visitor_type"], observed=True)["share"].sum()
    assert np.allclose(shares, 1.0)
    # data/README.md: in Roskilde 3 of 11 citizen service visitors are B or C (27 %).
    rosk = table[(table["site"] == "roskilde") & (table["visitor_type"] == "borgerservice")]
    assert rosk.set_index("code")["count"].to_dict() == {"A": 4, "B": 2, "C": 1, "D": 4, pd.NA: 0}
    assert rosk["share"][rosk["code"].isin(["B", "C"])].sum() == pytest.approx(3 / 11)


def test_attitudes_rejects_bad_arguments(tiny_study):
    with pytest.raises(ValueError, match="by='nowhere'"):
        attitudes(tiny_study.interviews, codebook=tiny_study.codebook, by="nowhere")
    with pytest.raises(ValueError, match="lang"):
        attitudes(tiny_study.interviews, codebook=tiny_study.codebook, lang="fr")


# -- journey -------------------------------------------------------------------------


def test_journey_overall(tiny_study):
    table = journey(tiny_study.interviews, codebook=tiny_study.codebook)
    expected = pd.DataFrame({
        "stage": _cat(["Forberedelse", "Ankomst", "Ventetid", "Betjening", "Udgang", "Hjemme"]),
        "open": np.array([2, 0, 2, 0, 1, 2], dtype="int64"),
        "closed": np.array([1, 3, 3, 5, 2, 0], dtype="int64"),
        "not_coded": np.array([3, 3, 1, 1, 3, 4], dtype="int64"),
        "share_open": [2 / 3, 0.0, 0.4, 0.0, 1 / 3, 1.0],
    })
    pd.testing.assert_frame_equal(table.drop(columns=["share_low", "share_high"]), expected)
    # The interval of 2 open of 3 coded; of 0 of 3 it starts at 0.
    assert table.loc[0, ["share_low", "share_high"]].round(3).tolist() == [0.208, 0.939]
    assert table.loc[1, "share_low"] == 0.0


def test_journey_by_site_in_english(tiny_study):
    table = journey(tiny_study.interviews, codebook=tiny_study.codebook, by="site", lang="en")
    assert list(table.columns) == ["site", "stage", "open", "closed", "not_coded", "share_open",
                                   "share_low", "share_high"]
    assert table["site"].cat.categories.tolist() == ["Roskilde", "Ringsted", "Næstved", "Glumsø"]
    assert table["stage"].tolist()[:6] == ["Preparation", "Arrival", "Waiting", "Being served",
                                           "Exit", "At home"]
    ringsted = table[table["site"] == "Ringsted"].set_index("stage", drop=True)
    assert ringsted.loc["Waiting", ["open", "closed", "not_coded"]].tolist() == [1, 1, 0]
    assert ringsted.loc["At home", "share_open"] == 1.0
    glumso = table[table["site"] == "Glumsø"]
    assert len(glumso) == 6 and glumso[["open", "closed", "not_coded"]].eq(0).all().all()
    assert glumso["share_open"].isna().all()


def test_journey_by_attitude_keeps_the_scales_apart(tiny_study):
    table = journey(tiny_study.interviews, codebook=tiny_study.codebook, by="attitude",
                    lang="keys")
    groups = table["attitude"].cat.categories.tolist()
    assert groups == ["borgerservice:A", "borgerservice:B", "borgerservice:C", "borgerservice:D",
                      "bibliotek:A", "bibliotek:B"]
    waiting = table[table["stage"] == "ventetid"].set_index("attitude")
    assert waiting.loc["borgerservice:A", ["open", "closed"]].tolist() == [1, 1]
    # T6 (library, B) has no journey codes; it must not be mixed into borgerservice B.
    assert waiting.loc["bibliotek:B", ["open", "closed", "not_coded"]].tolist() == [0, 0, 1]
    assert waiting.loc["borgerservice:B", ["open", "closed", "not_coded"]].tolist() == [0, 1, 0]


def test_journey_empty_selection(tiny_study):
    table = journey(tiny_study.interviews.iloc[:0], codebook=tiny_study.codebook)
    assert len(table) == 6
    assert table[["open", "closed", "not_coded"]].eq(0).all().all()
    assert table["share_open"].isna().all()


def test_journey_adds_up_per_stage_on_the_shipped_data(study):
    table = journey(study.interviews, codebook=study.codebook)
    assert (table["open"] + table["closed"] + table["not_coded"]).eq(45).all()
    assert table.set_index("stage")["open"].to_dict() == {
        "Forberedelse": 14, "Ankomst": 5, "Ventetid": 11, "Betjening": 2, "Udgang": 9,
        "Hjemme": 15}
    by_site = journey(study.interviews, codebook=study.codebook, by="site", lang="keys")
    sizes = (by_site["open"] + by_site["closed"] + by_site["not_coded"]).groupby(
        [by_site["site"], by_site["stage"]], observed=True).sum()
    assert sizes.unstack().eq(study.interviews["site"].value_counts(), axis=0).all().all()


# -- competence and life situations --------------------------------------------------


def test_competence_by_service(tiny_study):
    table = competence(tiny_study.interviews, codebook=tiny_study.codebook, lang="keys")
    assert table.columns.tolist() == ["navigationsstærk", "navigationssvag", "Antal"]
    assert table.index.tolist()[:3] == ["pas", "kørekort", "skat"]
    assert table.loc["pas"].tolist() == [2, 1, 3]
    assert table.loc["vielse"].tolist() == [0, 0, 0]
    assert table.loc["Antal"].tolist() == [3, 3, 6]


def test_competence_by_age_band_in_english(tiny_study):
    table = competence(tiny_study.interviews, codebook=tiny_study.codebook, by="age_band",
                       lang="en", margins=False)
    expected = pd.DataFrame(
        [[0, 0], [1, 0], [2, 0], [0, 1], [0, 2]],
        index=pd.Index(["0-17", "18-29", "30-49", "50-69", "70+"], name="age_band"),
        columns=pd.Index(["Strong navigator", "Weak navigator"], name="competence"),
        dtype="int64")
    pd.testing.assert_frame_equal(table, expected)


def test_competence_on_the_shipped_data(study):
    table = competence(study.interviews, codebook=study.codebook)
    assert table.loc["Antal", "Antal"] == 45
    assert table.loc["Pas"].tolist() == [14, 1, 15]
    assert table["Antal"].drop("Antal").tolist() == [15, 9, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1,
                                                     1, 0, 7]


def test_life_situations_counts_each_of_several(tiny_study):
    table = life_situations(tiny_study.interviews, codebook=tiny_study.codebook, lang="keys")
    assert table.index.name == "life_situation" and table.columns.name == "service"
    assert table.loc["forælder", ["pas", "biblioteksbesøg", "Antal"]].tolist() == [1, 1, 2]
    assert table.loc["pensionist", ["pas", "kørekort", "Antal"]].tolist() == [1, 1, 2]
    assert table.loc["myndig", "pas"] == 1 and table.loc["flytning", "pas"] == 1
    assert table.loc["skilsmisse"].eq(0).all()
    # Mentions, not interviews: T1 and T4 have two life situations each, T5 none.
    assert table.loc["Antal", "pas"] == 5 and table.loc["Antal", "Antal"] == 7


def test_life_situations_on_the_shipped_data(study):
    table = life_situations(study.interviews, codebook=study.codebook, by="age_band",
                            margins=False)
    raw = pd.read_csv(study.files["interviews"], dtype=str, keep_default_na=False)
    mentions = raw["life_situations"].str.split(";").explode()
    mentions = mentions[mentions != ""]
    assert int(table.to_numpy().sum()) == len(mentions)
    pensioners = raw.loc[raw["life_situations"].str.contains("pensionist"), "age_band"]
    assert table.loc["Ældre/pensionist"].to_dict() == {
        band: int((pensioners == band).sum()) for band in ["0-17", "18-29", "30-49", "50-69",
                                                           "70+"]}


def test_empty_selection_of_the_crosstabs(tiny_study):
    empty = tiny_study.interviews.iloc[:0]
    cb = tiny_study.codebook
    for table in (competence(empty, codebook=cb), life_situations(empty, codebook=cb),
                  service_by_age(empty, codebook=cb, by="site")):
        assert table.to_numpy().sum() == 0
        assert table.index[-1] == "Antal" and len(table) > 1


# -- co-occurrence -------------------------------------------------------------------


def test_cooccurrence_counts_of_a_multi_valued_dimension(tiny_study):
    table = cooccurrence(tiny_study.interviews, codebook=tiny_study.codebook,
                         rows="life_situation", lang="keys")
    keys = tiny_study.codebook.keys("life_situation")
    assert table.index.tolist() == keys and table.columns.tolist() == keys
    assert np.diag(table).tolist() == [0, 1, 2, 0, 0, 2, 0, 1, 1, 0, 0]
    assert table.loc["forælder", "udlandsrejse"] == table.loc["udlandsrejse", "forælder"] == 1
    assert table.loc["myndig", "flytning"] == 1
    assert table.loc["pensionist", "forælder"] == 0
    assert int(table.to_numpy().sum()) == 7 + 2 * 2


def test_cooccurrence_jaccard_and_lift(tiny_study):
    iv, cb = tiny_study.interviews, tiny_study.codebook
    jac = cooccurrence(iv, codebook=cb, rows="life_situation", normalise="jaccard", lang="keys")
    lift = cooccurrence(iv, codebook=cb, rows="life_situation", normalise="lift", lang="keys")
    # forælder: T1, T6; udlandsrejse: T1; N = 5, the interviews with a life situation
    # (T5 has none, so it can neither meet nor miss one).
    assert jac.loc["forælder", "udlandsrejse"] == pytest.approx(1 / (2 + 1 - 1))
    assert lift.loc["forælder", "udlandsrejse"] == pytest.approx(1 * 5 / (2 * 1))
    assert jac.loc["forælder", "forælder"] == 1.0
    assert lift.loc["forælder", "forælder"] == pytest.approx(5 / 2)
    assert lift.attrs["n_both"] == 5 and lift.attrs["min_n"] == 3
    assert lift.attrs["counts"]["forælder"]["udlandsrejse"] == 1
    assert jac.loc["forælder", "pensionist"] == 0.0
    # Codes nobody has: no denominator, so missing rather than a made-up 0.
    assert np.isnan(jac.loc["skilsmisse", "skilsmisse"])
    assert lift.loc["skilsmisse"].isna().all()
    assert jac.loc["skilsmisse", "forælder"] == 0.0


def test_cooccurrence_of_two_dimensions_and_a_journey_stage(tiny_study):
    iv, cb = tiny_study.interviews, tiny_study.codebook
    table = cooccurrence(iv, codebook=cb, rows="attitude", columns="competence")
    assert table.index.tolist() == ["Den uinteresserede negative", "Den travle positive",
                                    "Den opsøgende positive", "Den hjælpsøgende",
                                    "Den forstyrrede", "Den sociale"]
    assert table.to_numpy().tolist() == [[1, 1], [0, 1], [1, 0], [0, 1], [0, 0], [1, 0]]
    stage = cooccurrence(iv, codebook=cb, rows="ventetid", columns="journey:hjemme", lang="en")
    assert stage.index.tolist() == ["Open", "Closed"]
    assert stage.to_numpy().tolist() == [[1, 0], [1, 0]]


def test_cooccurrence_agrees_with_study_codings(study):
    codings = study.codings
    life = codings[codings["dimension"] == "life_situation"]
    pairs = life.merge(life, on="interview_id")
    counts = pairs.groupby(["value_x", "value_y"]).size()
    table = cooccurrence(study.interviews, codebook=study.codebook, rows="life_situation",
                         lang="keys")
    for (a, b), n in counts.items():
        assert table.loc[a, b] == n
    assert int(table.to_numpy().sum()) == int(counts.sum())


def test_cooccurrence_empty_selection_and_bad_arguments(tiny_study):
    iv, cb = tiny_study.interviews, tiny_study.codebook
    empty = cooccurrence(iv.iloc[:0], codebook=cb, rows="site", columns="service")
    assert empty.shape == (4, 17) and empty.to_numpy().sum() == 0
    lift = cooccurrence(iv.iloc[:0], codebook=cb, rows="site", normalise="lift")
    assert lift.shape == (4, 4) and lift.isna().all().all()
    with pytest.raises(ValueError, match="normalise"):
        cooccurrence(iv, codebook=cb, rows="site", normalise="pmi")
    with pytest.raises(ValueError, match="columns='nowhere': unknown dimension"):
        cooccurrence(iv, codebook=cb, rows="site", columns="nowhere")
    with pytest.raises(ValueError, match="by='journey_stage': dimension 'journey_stage' has no"):
        competence(iv, codebook=cb, by="journey_stage")
    with pytest.raises(ValueError, match="by='age'"):
        life_situations(iv, codebook=cb, by="age")
    with pytest.raises(ValueError, match="rows='nowhere'"):
        crosstab(iv, codebook=cb, rows="nowhere", columns="site")


# -- crosstab and service by age (from the foundation, kept) -------------------------


def test_service_by_age_equals_the_deck(study):
    table = service_by_age(study.interviews, codebook=study.codebook)
    assert table.loc["Pas"].tolist() == [1, 1, 9, 2, 2, 15]
    assert table.loc["Kørekort"].tolist() == [0, 1, 1, 2, 5, 9]
    assert table.loc["Biblioteksbesøgende"].tolist() == [0, 1, 2, 4, 0, 7]
    assert table.loc["Antal"].tolist() == [1, 4, 16, 12, 12, 45]


def test_service_by_site_and_visitor_type(study):
    by_site = service_by_age(study.interviews, codebook=study.codebook, by="site")
    assert by_site.loc["Antal"].tolist() == [13, 13, 13, 6, 45]
    by_type = service_by_age(study.interviews, codebook=study.codebook, by="visitor_type")
    assert by_type.loc["Biblioteksbesøgende"].tolist() == [0, 7, 7]
    assert by_type.loc["Pas"].tolist() == [15, 0, 15]


def test_crosstab_of_a_scaled_dimension_keeps_the_scales_apart(tiny_study):
    table = crosstab(tiny_study.interviews, codebook=tiny_study.codebook, rows="attitude",
                     columns="site", lang="keys", margins=False)
    assert table.index.tolist()[-2:] == ["bibliotek:A", "bibliotek:B"]
    assert table.loc["bibliotek:B", "roskilde"] == 1
    assert table.loc["borgerservice:B", "roskilde"] == 1


def test_functions_leave_their_input_alone_and_ignore_its_index(tiny_study):
    iv = tiny_study.interviews.copy()
    iv.index = [7, 7, 7, 3, 3, 3]  # a selection's index need not be unique
    before = iv.copy()
    cb = tiny_study.codebook
    assert attitudes(iv, codebook=cb)["count"].tolist() == [2, 1, 1, 1, 0, 0, 1, 0]
    assert journey(iv, codebook=cb)["open"].tolist() == [2, 0, 2, 0, 1, 2]
    assert cooccurrence(iv, codebook=cb, rows="life_situation", lang="keys").loc[
        "forælder", "forælder"] == 2
    pd.testing.assert_frame_equal(iv, before)


# -- quotes --------------------------------------------------------------------------


def _quotes(study, **filters):
    return quotes(study.quotes, interviews=study.interviews, codebook=study.codebook, **filters)


def test_quotes_with_captions_as_the_deck_prints_them(tiny_study):
    found = _quotes(tiny_study)
    assert found.columns.tolist() == [
        "quote_id", "interview_id", "text", "caption", "speaker", "age", "age_band", "service",
        "site", "visitor_type", "attitude", "stage", "theme"]
    assert found["caption"].tolist() == [
        "Anna, 34 år, Pas (Roskilde)", "Bo, 72 år, Pas (Roskilde)",
        "Dorte, 45 år, Biblioteksbesøgende (Roskilde)"]
    assert found["attitude"].tolist() == ["Den uinteresserede negative", "Den travle positive",
                                          "Den sociale"]
    assert found["stage"].tolist()[0] == "Ventetid" and pd.isna(found["stage"].iloc[1])
    assert found["age"].dtype == "Int64" and found["age"].tolist() == [34, 72, 45]


def test_quote_text_is_returned_as_is(tiny_study):
    found = _quotes(tiny_study, contains="<b>")
    assert found["text"].tolist() == ["Det er <b>trygt</b> her."]


@pytest.mark.parametrize(("filters", "ids"), [
    ({"service": "pas"}, ["q1", "q2"]),
    ({"service": ["Passport", "Biblioteksbesøgende"]}, ["q1", "q2", "q3"]),
    ({"attitude": "B"}, ["q2", "q3"]),
    ({"attitude": "den sociale"}, ["q3"]),
    ({"attitude": "borgerservice:B"}, ["q2"]),
    ({"visitor_type": "Library visitor"}, ["q3"]),
    ({"age_band": "70+"}, ["q2"]),
    ({"site": "roskilde", "age_band": "30-49"}, ["q1", "q3"]),
    ({"stage": "Ventetid"}, ["q1"]),
    ({"theme": "PAS"}, ["q1"]),
    ({"contains": "LARM"}, ["q3"]),
    ({"contains": "."}, ["q1", "q2", "q3"]),
    ({"contains": ".*"}, []),
    ({"site": "glumsø"}, []),
    ({"service": "pas", "attitude": "C"}, []),
])
def test_quote_filters(tiny_study, filters, ids):
    assert _quotes(tiny_study, **filters)["quote_id"].tolist() == ids


def test_quotes_empty_selection_keeps_the_shape(tiny_study):
    full, empty = _quotes(tiny_study), _quotes(tiny_study, site="glumsø")
    assert empty.empty and empty.columns.tolist() == full.columns.tolist()
    assert empty["age"].dtype == "Int64"
    none = quotes(tiny_study.quotes.iloc[:0], interviews=tiny_study.interviews,
                  codebook=tiny_study.codebook)
    assert none.empty and none.columns.tolist() == full.columns.tolist()


def test_quote_filters_reject_unknown_values(tiny_study):
    with pytest.raises(ValueError, match="service: unknown value 'Pass'"):
        _quotes(tiny_study, service="Pass")
    with pytest.raises(ValueError, match="stage"):
        _quotes(tiny_study, stage="queue")


def test_quotes_of_an_anonymised_study_show_pseudonym_and_age_band(tiny_study):
    found = _quotes(tiny_study.anonymised(), lang="en")
    assert found["caption"].tolist() == [
        "Borger 1, aged 30-49, Passport (Roskilde)", "Borger 2, aged 70+, Passport (Roskilde)",
        "Borger 3, aged 30-49, Library visitors (Roskilde)"]
    assert found["age"].isna().all()


def test_quotes_on_the_shipped_data_keep_the_decks_caption(study):
    found = _quotes(study, contains="chancenummer")
    assert found["caption"].tolist() == ["Lone, 61 år, nyt pas (Næstved)"]
    grethe = _quotes(study, contains="varmehjælp")
    assert grethe["caption"].tolist() == ["Grethe, 73 år, (Roskilde)"]
    # Sonja speaks for herself in one quote, with Preben in the other; both ages kept.
    sonja = _quotes(study, service="skat").set_index("quote_id")["caption"]
    assert sonja.to_dict() == {"Q05": "Sonja, 73 år, Skat (Ringsted)",
                               "Q13": "Preben og Sonja, 72 og 73 år, (Ringsted)"}
    assert len(_quotes(study)) == len(study.quotes)
    # Every caption is the deck's, word for word.
    deck = " ".join((REPO.parent / "shared" / "seeds" / "000_2dbc95ada916c87e.txt")
                    .read_text(encoding="utf-8").split())
    assert all(c in deck for c in _quotes(study)["caption"])


def test_an_anonymised_caption_names_neither_the_speaker_nor_the_age(study):
    import re

    anonymous = _quotes(study.anonymised(), contains="chancenummer")
    assert anonymous["caption"].str.fullmatch(r"Borger \d+, 50-69 år, Pas \(Næstved\)").all()
    found = quotes(study.anonymised(), lang="en")
    names = {n for s in study.interviews["speaker"].dropna()
             for n in re.split(r" og |, ", s)}
    ages = {str(int(a)) for a in study.interviews["age"].dropna()} | {"77", "72", "18"}
    for caption_ in found["caption"]:
        assert re.match(r"Borger \d+, aged (\d+-\d+|\d+\+), ", caption_), caption_
        assert not any(re.search(rf"\b{re.escape(n)}\b", caption_) for n in names)
        rest = re.sub(r"^Borger \d+, aged (\d+-\d+|\d+\+)", "", caption_)  # the band may
        # hold an age ("50-69"); what follows it must not
        assert not any(re.search(rf"\b{a}\b", rest) for a in ages)
    assert "caption" not in study.anonymised().quotes.columns


def test_a_blank_stored_caption_is_built_from_the_codes(tiny_study):
    q = tiny_study.quotes.assign(caption=["Anna i køen", "", None])
    found = quotes(q, interviews=tiny_study.interviews, codebook=tiny_study.codebook)
    assert found["caption"].tolist() == ["Anna i køen", "Bo, 72 år, Pas (Roskilde)",
                                         "Dorte, 45 år, Biblioteksbesøgende (Roskilde)"]


def test_caption_leaves_out_what_is_missing():
    assert caption(age_band="70+", service="Pas", site="Glumsø") == "70+ år, Pas (Glumsø)"
    assert caption(speaker="Grethe", age=73, site="Roskilde") == "Grethe, 73 år, (Roskilde)"
    assert caption(speaker="Lone", age=pd.NA, service="Pas") == "Lone, Pas"
    assert caption() == ""


# -- synergi table NAME --------------------------------------------------------------


def _csv(capsys, *argv):
    code = main(["table", *argv, "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])


def test_cli_attitudes_by_site(capsys):
    table = _csv(capsys, "attitudes", "--by", "site")
    assert table.groupby("site", sort=False)["count"].sum().to_dict() == {
        "Roskilde": 13, "Ringsted": 13, "Næstved": 13, "Glumsø": 6}


def test_cli_journey_by_age_band_in_english(capsys):
    table = _csv(capsys, "journey", "--by", "age_band", "--lang", "en")
    assert table.columns.tolist() == ["age_band", "stage", "open", "closed", "not_coded",
                                      "share_open", "share_low", "share_high"]
    assert (table["open"] + table["closed"] + table["not_coded"]).groupby(
        table["stage"]).sum().eq(45).all()


def test_cli_competence_and_life_situations(capsys):
    comp = _csv(capsys, "competence", "--by", "age_band")
    assert comp.iloc[-1].tolist() == ["Antal", 32, 13, 45]
    life = _csv(capsys, "life-situations")
    assert life.columns[0] == "life_situation"
    assert life.set_index("life_situation").loc["Udlandsrejse", "Pas"] == 15


def test_cli_cooccurrence_lift(capsys):
    table = _csv(capsys, "cooccurrence", "--rows", "attitude", "--columns", "competence",
                 "--normalise", "lift")
    assert table.columns.tolist() == ["attitude", "competence", "n", "lift", "small"]
    cell = table.set_index(["attitude", "competence"]).loc[
        ("Den hjælpsøgende", "Navigationssvag")]
    assert cell["lift"] == pytest.approx(45 / 13, abs=1e-3) and cell["n"] == 6
    assert not cell["small"]
    assert table.loc[table["n"] < 3, "small"].all()


def test_cli_quotes_where_any_code(capsys):
    table = _csv(capsys, "quotes", "--where", "forberedelse=åben", "--where",
                 "Sted=Roskilde,ringsted")
    assert table["caption"].tolist() == [
        "Mads, 41 år, Nyt kørekort (Roskilde)", "Trine, 39 år, Pas (Roskilde)",
        "Sonja, 73 år, Skat (Ringsted)", "Preben og Sonja, 72 og 73 år, (Ringsted)",
        "Søs, 69 år (Ringsted)"]
    # Two --where on one dimension: both must hold.
    assert _csv(capsys, "quotes", "--where", "site=roskilde", "--where", "site=ringsted").empty


@pytest.mark.parametrize(("where", "message"), [
    ("servce=pas", "where: unknown dimension 'servce'; did you mean 'service'?"),
    ("service=Kørekrot", "where service: unknown value 'Kørekrot'; did you mean 'Kørekort'?"),
    ("forberedelse=aaben", "unknown value 'aaben'"),
    ("service", "--where 'service': expected DIMENSION=VALUE[,VALUE...]"),
    ("site=", "--where 'site=': expected DIMENSION=VALUE[,VALUE...]"),
])
def test_cli_bad_where_exits_2_naming_it(capsys, where, message):
    assert main(["table", "quotes", "--where", where]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and "Traceback" not in err


def test_quote_matrix_groups_the_quotes_by_a_second_dimension(study):
    from synergi_analysis.quotations import quote_matrix

    matrix = quote_matrix(study, by="attitude", service="pas")
    assert matrix["group"].tolist() == ["Den uinteresserede negative", "Den travle positive",
                                        "Den travle positive", "Den opsøgende positive"]
    assert matrix["quote_id"].tolist() == ["Q03", "Q06", "Q17", "Q01"]
    assert matrix.attrs["counts"]["Den hjælpsøgende"] == 0  # every value, quoted or not
    assert matrix.attrs["by"] == "attitude" and "attitude" in matrix.attrs["illustrative"]
    # A multi-valued dimension: a quote under each of its interview's values.
    life = quote_matrix(study, by="life_situation", site="ringsted")
    assert life.attrs["counts"]["Flytning"] == 3 and life.attrs["counts"]["Voksen/myndig"] == 2
    assert life[life["quote_id"] == "Q10"]["group"].tolist() == ["Voksen/myndig", "Flytning"]
    # Interviews without a code on it are grouped last.
    uncoded = quote_matrix(study, by="ventetid", lang="en")
    assert uncoded["group"].cat.categories.tolist() == ["Open", "Closed", "Not coded"]
    assert uncoded.attrs["counts"]["Not coded"] == 2  # the library visitors' quotes


def test_cli_quote_matrix(capsys):
    table = _csv(capsys, "quote-matrix", "--by", "site", "--where", "competence=navigationssvag")
    assert table.columns.tolist() == ["group", "quote_id", "caption", "text"]
    assert table["group"].drop_duplicates().tolist() == ["Roskilde", "Ringsted", "Næstved",
                                                         "Glumsø"]


def test_cli_quotes_filters_and_anonymises(capsys):
    table = _csv(capsys, "quotes", "--service", "pas", "--site", "Næstved", "--anonymise")
    assert table.columns.tolist() == ["quote_id", "caption", "text"]
    assert table["caption"].str.endswith("50-69 år, Pas (Næstved)").any()
    assert not table["caption"].str.contains("Lone").any()
    empty = _csv(capsys, "quotes", "--contains", "no such words here")
    assert empty.empty and empty.columns.tolist() == ["quote_id", "caption", "text"]


def test_cli_bad_option_value_exit_2(capsys):
    assert main(["table", "journey", "--by", "nowhere"]) == 2
    _, err = capsys.readouterr()
    assert "by='nowhere'" in err and "Traceback" not in err
    assert main(["table", "quotes", "--site", "Atlantis"]) == 2
    _, err = capsys.readouterr()
    assert "site: unknown value 'Atlantis'" in err


def test_public_functions_take_options_by_keyword():
    import inspect

    from synergi_analysis import patterns

    for name in patterns.__all__:
        params = inspect.signature(getattr(patterns, name)).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert len(positional) <= 1, name


# -- one calling convention: the study first ----------------------------------------------

STUDY_FIRST = [
    (service_by_age, {}),
    (attitudes, {"by": "site"}),
    (journey, {"by": "site"}),
    (competence, {"by": "age_band"}),
    (life_situations, {}),
    (cooccurrence, {"rows": "attitude", "columns": "competence", "normalise": "lift"}),
    (crosstab, {"rows": "site", "columns": "competence"}),
]


@pytest.mark.parametrize(("function", "options"), STUDY_FIRST,
                         ids=[f.__name__ for f, _ in STUDY_FIRST])
def test_a_study_and_its_frame_with_codebook_give_the_same_table(study, function, options):
    from_study = function(study, **options)
    from_frame = function(study.interviews, codebook=study.codebook, **options)
    pd.testing.assert_frame_equal(from_study, from_frame)
    assert from_study.attrs == from_frame.attrs
    assert from_study.attrs["n"] == 45 and from_study.attrs["lang"] == "da"


@pytest.mark.parametrize(("function", "options"), STUDY_FIRST,
                         ids=[f.__name__ for f, _ in STUDY_FIRST])
def test_a_frame_without_its_codebook_is_refused(study, function, options):
    with pytest.raises(ValueError, match="codebook="):
        function(study.interviews, **options)


def test_tables_speak_the_study_language_unless_told(study):
    english = study.with_lang("en")
    assert service_by_age(english).index[0] == "Passport"
    assert service_by_age(english, lang="da").index[0] == "Pas"
    assert service_by_age(english, lang="keys").index[0] == "pas"
    assert study.lang == "da"  # with_lang made a copy


def test_tables_state_what_their_plot_needs(study):
    table = service_by_age(study, by="site", lang="en")
    assert table.attrs["kind"] == "crosstab" and table.attrs["margins"] is True
    assert table.attrs["labels"] == {"service": "Service", "site": "Site"}
    assert (table.attrs["rows"], table.attrs["columns"]) == ("service", "site")
    stages = journey(study, by="competence")
    assert stages.attrs["by"] == "competence" and stages.attrs["states"] == ["Åben", "Lukket"]
    assert stages.attrs["labels"] == {"competence": "Kompetenceprofil", "stage": "Brugerrejse",
                                      "journey_stage": "Brugerrejse"}
    lift = cooccurrence(study, rows="attitude", columns="site", normalise="lift")
    assert lift.attrs["measure"] == "lift" and lift.attrs["margins"] is False
    assert attitudes(study).attrs["by"] is None


# -- illustrative codings: named by every table that rests on them ------------------


def unmarked_copy(data_dir, folder):
    """The shipped study with every ``illustrative:`` mark taken out of its codebook."""
    import shutil

    import yaml

    shutil.copytree(data_dir, folder)
    spec = yaml.safe_load((folder / "codebook.yml").read_text(encoding="utf-8"))
    for dim in spec["dimensions"].values():
        dim.pop("illustrative", None)
    (folder / "codebook.yml").write_text(yaml.safe_dump(spec, allow_unicode=True),
                                         encoding="utf-8")
    return folder


@pytest.fixture()
def unmarked_study(data_dir, tmp_path):
    from synergi_analysis.load import load_study

    return load_study(unmarked_copy(data_dir, tmp_path / "unmarked"))


def test_tables_name_the_illustrative_dimensions_they_rest_on(study):
    en = study.with_lang("en")
    assert list(service_by_age(study).attrs["illustrative"]) == ["age_band"]
    assert list(attitudes(study, by="site").attrs["illustrative"]) == ["site", "attitude"]
    stages = journey(en)
    assert list(stages.attrs["illustrative"]) == ["journey_stage"]
    assert stages.attrs["illustrative"]["journey_stage"].startswith("the states were drawn")
    assert list(competence(study).attrs["illustrative"]) == ["competence"]
    assert list(cooccurrence(study, rows="visitor_type", columns="service")
                .attrs["illustrative"]) == []
    # A subset chosen by an illustrative dimension says so too.
    here = study.subset({"site": "roskilde"})
    assert list(service_by_age(here).attrs["illustrative"]) == ["site", "age_band"]
    assert here.selection == ("site",)


def test_a_study_that_marks_nothing_shows_no_caveat(unmarked_study, capsys, tmp_path):
    for table in (service_by_age(unmarked_study), attitudes(unmarked_study, by="site"),
                  journey(unmarked_study, by="site"), competence(unmarked_study),
                  quotes(unmarked_study, site="roskilde")):
        assert table.attrs["illustrative"] == {}
    folder = str(tmp_path / "unmarked")
    for argv in (["table", "competence", "--by", "site"], ["table", "journey"],
                 ["table", "quotes", "--site", "roskilde"], ["validate", folder]):
        code = main([*argv, "--data", folder] if argv[0] == "table" else argv)
        out, err = capsys.readouterr()
        assert code == 0 and "llustrative" not in out + err, argv


def test_cli_prints_the_caveat_after_the_table_and_csv_sends_it_to_stderr(capsys):
    assert main(["table", "competence", "--by", "site"]) == 0
    out, err = capsys.readouterr()
    lines = out.rstrip().splitlines()
    assert lines[-2] == "Forskellene efter sted kan være tilfældige: p = 0,64."
    assert lines[-1].startswith("Illustrative kodninger: Sted (27 af 45 interviews")
    assert err == ""
    assert main(["table", "competence", "--by", "site", "--format", "csv", "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    table = pd.read_csv(io.StringIO(out))  # still a plain CSV
    assert table.columns.tolist() == ["site", "Strong navigator", "Weak navigator", "Total"]
    assert err.splitlines()[-1].startswith("Illustrative codings: Site (27 of 45 interviews")
    assert main(["table", "service-by-age", "--format", "markdown"]) == 0
    out, _ = capsys.readouterr()
    assert out.rstrip().splitlines()[-1].startswith("Illustrative kodninger: Alder (3 af 45")


def test_validate_lists_the_illustrative_dimensions(capsys):
    assert main(["validate"]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[1] == ("illustrative codings (chosen, not measured; codebook.yml marks them): "
                        "site, age_band, attitude, competence, life_situation, journey_stage")
    assert lines[2].startswith("  site: 27 of 45 interviews")


# -- tests across groups -------------------------------------------------------------


def test_comparisons_across_groups_carry_an_exact_test(study):
    by_site = attitudes(study, by="site")
    test = by_site.attrs["test"]
    assert [p["part"]["en"] for p in test["parts"]] == ["Citizen service visitor",
                                                      "Library visitor"]
    assert test["p"] == pytest.approx(min(p["p_holm"] for p in test["parts"]))
    assert test["p"] >= 0.05 and "could be chance" in test["sentence"]["en"]
    assert attitudes(study).attrs["test"] is None  # nothing is compared
    per_service = competence(study, by="service").attrs["test"]
    assert per_service["p"] < 0.05
    assert per_service["sentence"]["da"].startswith("Forskellene efter ydelse er næppe")
    assert per_service["shape"] == [16, 2]  # vielse has no interview: left out
    # A multi-valued dimension counts an interview in several cells: no valid test.
    assert life_situations(study).attrs["test"] is None
    stages = journey(study, by="site").attrs["test"]
    assert len(stages["parts"]) == 6 and "Holm" in stages["name"]


def test_the_residuals_show_which_cells_the_verdict_rests_on(study):
    table = competence(study, by="service")
    res = pd.DataFrame(table.attrs["residuals"]).T
    # Pas: 14 of 15 strong navigators against 32 of 45 in all.
    assert res.loc["Pas", "Navigationsstærk"] > 2
    assert res.loc["Pas", "Navigationsstærk"] == pytest.approx(-res.loc["Pas", "Navigationssvag"])
    assert res.loc["Vielse"].isna().all()
