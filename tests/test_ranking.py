"""The synergy ranking: each criterion on hand-made data, weights, robustness, the deck."""

from __future__ import annotations

import io
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synergi_analysis.cli import main
from synergi_analysis.codebook import Codebook
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.load import load_study
from synergi_analysis.ranking import (
    CRITERIA,
    _total_and_rank,
    deck_agreement,
    leave_one_site_out,
    parse_weights,
    rank_sensitivity,
    rank_services,
)

# -- a tiny study whose scores are obvious ------------------------------------------

SPEC = {
    "dimensions": {
        "site": {"column": "site", "values": [{"key": "a"}, {"key": "b"}, {"key": "c"},
                                              {"key": "d"}]},
        "service": {"column": "service", "values": [
            {"key": "x", "da": "Eks", "en": "Ex"}, {"key": "y"}, {"key": "z"}, {"key": "v"}]},
        "age_band": {"column": "age_band", "values": [
            {"key": "ung"}, {"key": "midt"}, {"key": "gammel", "en": "old"}, {"key": "ældst"}]},
        "life_situation": {"column": "life_situations", "multi": True,
                           "values": [{"key": "rejse"}, {"key": "flytning"}]},
        "competence": {"column": "competence", "values": [{"key": "stærk"}, {"key": "svag"}]},
    }
}

# x: 4 interviews, all "gammel" (age concentration 1); competence 2:2 (0);
#    life situations rejse 3, flytning 1 (4 codings).
# y: 2 interviews, age ung + midt (1 - ln 2 / ln 4 = 0.5), competence 1:1 (0),
#    one life situation only (1 coding < 2: the dimension does not count).
# z: 1 interview (too little data); v: none.
INTERVIEWS = pd.DataFrame({
    "site": ["a", "a", "b", "b", "a", "c", "d"],
    "service": ["x", "x", "x", "x", "y", "y", "z"],
    "age_band": ["gammel"] * 4 + ["ung", "midt", "ung"],
    "life_situations": ["rejse", "rejse", "rejse;flytning", "", "flytning", "", ""],
    "competence": ["stærk", "svag", "stærk", "svag", "stærk", "svag", "stærk"],
})

# reach: x fuld everywhere (1); y light, bibliotek, blank, ingen (2 of 4 = 0.5);
# z blank everywhere (0); v fuld at a only (0.25).
SERVICES = pd.DataFrame({
    "service": ["x", "y", "z", "v"],
    "a": ["fuld", "light", "", "fuld"],
    "b": ["fuld", "bibliotek", "", ""],
    "c": ["fuld", "", "", ""],
    "d": ["fuld", "ingen", "", ""],
    "usage_rank": ["", "2", "", "1"],
    "usage_count": ["", "", "1", ""],
    "usage_total": ["", "", "70", ""],
    "deck_pick": ["true", "true", "true", "false"],
    "deck_group": ["", "g", "g", ""],
})

# links: x 2 offers of one kind; y 4 offers of all four kinds; z none;
# v the same offer twice (counted once).
OFFERS = pd.DataFrame({
    "service": ["x", "x", "y", "y", "y", "y", "v", "v"],
    "offer": ["bog", "guide", "bog", "app", "café", "hjælp", "kursus", "kursus"],
    "kind": ["physical", "physical", "physical", "digital", "event", "guidance",
             "event", "event"],
})


@pytest.fixture(scope="module")
def tiny_codebook() -> Codebook:
    return Codebook(SPEC)


def rank_tiny(codebook, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("services", SERVICES)
    kwargs.setdefault("offers", OFFERS)
    return rank_services(INTERVIEWS, codebook=codebook, **kwargs).set_index("service")


def test_reach_is_the_share_of_sites_with_a_desk(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r["reach"].to_dict() == {"x": 1.0, "y": 0.5, "z": 0.0, "v": 0.25}


def test_reach_desk_weights_count_a_light_desk_as_half(tiny_codebook):
    r = rank_tiny(tiny_codebook, desk_weights={"light": 0.5})
    assert r.loc["y", "reach"] == pytest.approx((0.5 + 1) / 4)
    assert r.loc["x", "reach"] == 1.0


def test_users_averages_interviews_usage_rank_and_visit_share(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    # x: 4/4; y: (2/4 + rank 2 of 2 -> 0.5) / 2; v: (0/4 + rank 1 -> 1) / 2;
    # z: (1/4 + (1/70) / (4/7)) / 2, the visit share against the largest interview share.
    assert r.loc["x", "users"] == 1.0
    assert r.loc["y", "users"] == 0.5
    assert r.loc["v", "users"] == 0.5
    assert r.loc["z", "users"] == pytest.approx((0.25 + 1 / 40) / 2)


def test_groups_is_one_minus_normalised_entropy_of_the_most_concentrated_dimension(
        tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r.loc["x", "groups"] == 1.0
    assert (r.loc["x", "group"], r.loc["x", "group_dimension"]) == ("gammel", "age_band")
    assert r.loc["x", "group_share"] == 1.0
    # y: two age bands of four, 1 - ln 2 / ln 4; the tie goes to the first in the codebook.
    assert r.loc["y", "groups"] == pytest.approx(1 - math.log(2) / math.log(4))
    assert (r.loc["y", "group"], r.loc["y", "group_share"]) == ("ung", 0.5)
    assert rank_tiny(tiny_codebook, lang="en").loc["x", "group"] == "old"


def test_groups_multi_valued_dimension_counts_each_coding(tiny_codebook):
    r = rank_tiny(tiny_codebook, profiles=("life_situation",))
    p = np.array([3, 1]) / 4
    assert r.loc["x", "groups"] == pytest.approx(1 + (p * np.log(p)).sum() / math.log(2))
    assert r.loc["x", "group"] == "rejse" and r.loc["x", "group_share"] == 0.75
    # y has one life-situation coding only: too little to measure, so y is flagged here.
    assert bool(r.loc["y", "too_little_data"]) and pd.isna(r.loc["y", "groups"])


def test_links_combines_number_and_spread_of_offers(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r["links"].to_dict() == {"x": 0.5 * 2 / 4 + 0.5 * 1 / 4, "y": 1.0, "z": 0.0,
                                    "v": 0.5 * 1 / 4 + 0.5 * 1 / 4}
    assert r.loc["x", "offers"] == "bog; guide"
    assert r.loc["v", ["n_offers", "n_kinds"]].tolist() == [1, 1]


def test_total_is_the_weighted_mean_and_sets_the_rank(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r.loc["x", "total"] == pytest.approx((1 + 1 + 1 + 0.375) / 4)
    assert r.loc["y", "total"] == pytest.approx((0.5 + 0.5 + 0.5 + 1) / 4)
    assert r["rank"].tolist()[:2] == [1, 2]
    heavy = rank_tiny(tiny_codebook, weights="links=3")
    assert heavy.loc["y", "total"] == pytest.approx((0.5 + 0.5 + 0.5 + 3) / 6)
    assert heavy.index[:2].tolist() == ["y", "x"]


def test_too_little_data_is_flagged_and_not_ranked(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r["too_little_data"].to_dict() == {"x": False, "y": False, "z": True, "v": True}
    assert r.loc[["z", "v"], "rank"].isna().all() and r.loc[["z", "v"], "total"].isna().all()
    assert r.index.tolist() == ["x", "y", "z", "v"]  # ranked first, then codebook order
    # One interview is enough when the researcher says so; no interview never is.
    loose = rank_tiny(tiny_codebook, min_interviews=1)
    assert loose.loc["z", "groups"] == 1.0 and loose.loc["z", "rank"] == 3
    assert bool(loose.loc["v", "too_little_data"])


def test_ranking_does_not_change_its_input(tiny_codebook):
    before = SERVICES.copy(), OFFERS.copy(), INTERVIEWS.copy()
    rank_tiny(tiny_codebook)
    for frame, copy in zip((SERVICES, OFFERS, INTERVIEWS), before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)


def test_returns_every_documented_column(tiny_codebook):
    r = rank_services(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, offers=OFFERS)
    assert r.columns.tolist() == [
        "rank", "service", "label", "reach", "users", "groups", "links", "total",
        "interviews", "group", "group_dimension", "group_share", "n_offers", "n_kinds",
        "offers", "deck_pick", "deck_group", "too_little_data"]
    assert r["label"].tolist()[0] == "Eks"


# -- weights ------------------------------------------------------------------------


def test_parse_weights_forms():
    assert parse_weights(None) == dict.fromkeys(CRITERIA, 1.0)
    assert parse_weights("reach=1, users=2,groups=0.5,links=0") == {
        "reach": 1.0, "users": 2.0, "groups": 0.5, "links": 0.0}
    assert parse_weights({"groups": 3}) == {"reach": 1.0, "users": 1.0, "groups": 3.0,
                                           "links": 1.0}


@pytest.mark.parametrize(("weights", "message"), [
    ("reach=-1", "reach=-1 is negative"),
    ({"links": -0.5}, "links=-0.5 is negative"),
    ("reach=0,users=0,groups=0,links=0", "all weights are zero"),
    ("reach=1,size=2", "unknown criterion 'size'; the criteria are reach, users, groups, links"),
    ({"Reach": 1}, "unknown criterion 'Reach'"),
    ("users=two", "users='two' is not a number"),
    ({"users": None}, "users=None is not a number"),
    ({"users": True}, "users=True is not a number"),
    ("users=inf", "is not a finite number"),
    ("users", "'users' is not of the form criterion=number"),
    ("users=1,users=2", "criterion 'users' is given twice"),
    (3, "weights must be a mapping or a string"),
])
def test_invalid_weights_name_the_problem(weights, message, tiny_codebook):
    with pytest.raises(ValueError, match="weights") as info:
        rank_tiny(tiny_codebook, weights=weights)
    assert message in str(info.value)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"min_interviews": 0}, "min_interviews must be a whole number of 1 or more, not 0"),
    ({"lang": "de"}, "lang must be one of da, en, not 'de'"),
    ({"profiles": ("shoe_size",)}, "unknown dimension 'shoe_size'"),
    ({"desk_weights": {"kiosk": 1}}, "desk_weights: unknown desk 'kiosk'"),
    ({"desk_weights": {"light": 2}}, "desk_weights: light=2 is not a number from 0 to 1"),
])
def test_invalid_options_name_the_argument(kwargs, message, tiny_codebook):
    with pytest.raises(ValueError) as info:
        rank_tiny(tiny_codebook, **kwargs)
    assert message in str(info.value)


def test_interview_frame_without_services_is_an_error(tiny_codebook):
    with pytest.raises(ValueError, match="give codebook= and services="):
        rank_services(INTERVIEWS, codebook=tiny_codebook)


# -- the services and offers tables are checked ------------------------------------


def test_bad_services_table_lists_every_problem(tiny_codebook):
    bad = SERVICES.copy()
    bad.loc[0, "a"] = "full"
    bad.loc[1, "usage_rank"] = "0"
    bad.loc[2, "usage_total"] = ""
    bad.loc[3, "service"] = "xx"
    bad.loc[3, "deck_pick"] = "maybe"
    bad = pd.concat([bad, SERVICES.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationError) as info:
        rank_tiny(tiny_codebook, services=bad)
    assert [str(p) for p in info.value.problems] == [
        "services.csv:2:a: unknown desk 'full'; allowed: fuld, light, bibliotek, ingen or blank",
        "services.csv:3:usage_rank: usage_rank '0' is not a whole number of 1 or more",
        "services.csv:4:usage_count: usage_count and usage_total go together; one is blank",
        "services.csv:5:deck_pick: deck_pick 'maybe' is not true or false",
        "services.csv:5:service: unknown service 'xx'; did you mean 'x'?",
        "services.csv:6:service: service 'x' is listed twice (first on row 2)",
    ]


def test_services_table_without_a_site_column(tiny_codebook):
    with pytest.raises(ValidationError, match="missing required column: c"):
        rank_tiny(tiny_codebook, services=SERVICES.drop(columns="c"))


def test_bad_offers_table(tiny_codebook):
    bad = OFFERS.copy()
    bad.loc[1, "kind"] = "film"
    bad.loc[2, "offer"] = " "
    with pytest.raises(ValidationError) as info:
        rank_tiny(tiny_codebook, offers=bad)
    assert [str(p) for p in info.value.problems] == [
        "library_offers.csv:3:kind: unknown kind 'film'; allowed: physical, digital, event, "
        "guidance",
        "library_offers.csv:4:offer: offer is empty",
    ]


def test_study_without_services_csv_is_a_study_error(tmp_path, data_dir):
    for name in ("codebook.yml", "interviews.csv", "library_offers.csv"):
        shutil.copy(data_dir / name, tmp_path)
    with pytest.raises(StudyError, match="no services.csv; the ranking needs it"):
        rank_services(load_study(tmp_path))


# -- the property: more weight never hurts the criterion's leader -----------------

scores_st = st.integers(min_value=2, max_value=8).flatmap(
    lambda n: st.lists(st.lists(st.integers(0, 20).map(lambda v: v / 20), min_size=4,
                                max_size=4), min_size=n, max_size=n))
weights_st = st.lists(st.integers(0, 6), min_size=4, max_size=4).filter(any)


@settings(max_examples=50, deadline=None)
@given(scores=scores_st, weights=weights_st, criterion=st.sampled_from(CRITERIA),
       extra=st.integers(1, 10))
def test_raising_a_weight_never_lowers_the_rank_of_that_criterions_leader(
        scores, weights, criterion, extra):
    frame = pd.DataFrame(scores, columns=list(CRITERIA))
    w = dict(zip(CRITERIA, map(float, weights), strict=True))
    leader = int(frame[criterion].to_numpy().argmax())
    _, before = _total_and_rank(frame, w)
    _, after = _total_and_rank(frame, {**w, criterion: w[criterion] + extra})
    assert after[leader] <= before[leader]


@pytest.fixture(scope="module")
def shipped_ranking() -> pd.DataFrame:
    return rank_services(load_study())


@settings(max_examples=50, deadline=None)
@given(weights=weights_st, criterion=st.sampled_from(CRITERIA), extra=st.integers(1, 10))
def test_raising_a_weight_never_lowers_the_leader_on_the_shipped_data(
        shipped_ranking, weights, criterion, extra):
    ranked = shipped_ranking[~shipped_ranking["too_little_data"]].reset_index(drop=True)
    w = dict(zip(CRITERIA, map(float, weights), strict=True))
    leaders = np.flatnonzero(ranked[criterion] == ranked[criterion].max())
    _, before = _total_and_rank(ranked, w)
    _, after = _total_and_rank(ranked, {**w, criterion: w[criterion] + extra})
    assert (after[leaders] <= before[leaders]).all()


def test_rank_services_ranks_as_the_total_says(shipped_ranking):
    study = load_study()
    again = rank_services(study, weights="groups=4,links=2")
    ranked = again[~again["too_little_data"]]
    total, rank = _total_and_rank(ranked, parse_weights("groups=4,links=2"))
    assert ranked["rank"].tolist() == rank.astype(int).tolist()
    assert np.allclose(ranked["total"], total)


# -- sensitivity --------------------------------------------------------------------


def test_sensitivity_is_reproducible_for_a_seed(tiny_codebook):
    kwargs = dict(codebook=tiny_codebook, services=SERVICES, offers=OFFERS, n_draws=300,
                  top=1)
    first = rank_sensitivity(INTERVIEWS, seed=7, **kwargs)
    pd.testing.assert_frame_equal(first, rank_sensitivity(INTERVIEWS, seed=7, **kwargs))
    other = rank_sensitivity(INTERVIEWS, seed=8, **kwargs)
    assert not first["top_share"].equals(other["top_share"])


def test_sensitivity_counts_the_draws_a_service_wins(tiny_codebook):
    table = rank_sensitivity(INTERVIEWS, codebook=tiny_codebook, services=SERVICES,
                             offers=OFFERS, n_draws=500, seed=3, top=1).set_index("service")
    # Redo the draws by hand: x beats y exactly when the weighted score difference is > 0.
    draws = np.random.default_rng(3).dirichlet(np.ones(4), size=500)
    diff = np.array([1 - 0.5, 1 - 0.5, 1 - 0.5, 0.375 - 1])
    x_wins = (draws @ diff > 0).mean()
    assert table.loc["x", "top_share"] == pytest.approx(x_wins)
    assert table.loc["y", "top_share"] == pytest.approx(1 - x_wins)
    assert table.loc["x", ["rank_min", "rank_max"]].tolist() == [1, 2]
    assert table.index.tolist() == ["x", "y"]  # flagged services are left out
    assert table.columns.tolist() == ["label", "rank", "top_share", "rank_min",
                                      "rank_median", "rank_max"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_draws": 0}, "n_draws must be a whole number of 1 or more, not 0"),
    ({"top": 0}, "top must be a whole number of 1 or more, not 0"),
    ({"alpha": 0}, "alpha must be a positive number, not 0"),
    ({"seed": "abc"}, "seed must be a whole number or None, not 'abc'"),
])
def test_sensitivity_checks_its_arguments(kwargs, message, tiny_codebook):
    with pytest.raises(ValueError) as info:
        rank_sensitivity(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, **kwargs)
    assert message in str(info.value)


def test_leave_one_site_out_recomputes_without_the_site(tiny_codebook):
    table = leave_one_site_out(INTERVIEWS, codebook=tiny_codebook, services=SERVICES,
                               offers=OFFERS).set_index("service")
    # y's two interviews are at a and c: without either, one is left (too little data).
    assert table.loc["y", "without_a"] is pd.NA and table.loc["y", "without_c"] is pd.NA
    assert table.loc["y", ["without_b", "without_d"]].tolist() == [2, 2]
    assert table.loc["y", "lost_without"] == "a, c" and table.loc["y", "max_shift"] == 0
    assert table.loc["x", ["without_a", "without_b", "without_c", "without_d"]].tolist() == [
        1, 1, 1, 1]
    assert table.loc["x", "lost_without"] == ""
    assert table.index.tolist() == ["x", "y"]


def test_leave_one_site_out_drops_the_sites_offer_column(tiny_codebook):
    services = SERVICES.copy()
    services[["a", "b", "c", "d"]] = [["fuld", "", "", ""], ["", "fuld", "fuld", ""],
                                      ["", "", "", ""], ["", "", "", ""]]
    table = leave_one_site_out(
        INTERVIEWS, codebook=tiny_codebook, services=services, offers=OFFERS,
        weights={"reach": 1, "users": 0, "groups": 0, "links": 0}, min_interviews=1,
    ).set_index("service")
    # Reach on all sites: y 2/4, x 1/4, z 0. Without a, x loses its only desk and ties
    # with z at 0 (a kept column would leave x ahead of z); without b, x ties y at 1/3.
    assert table["rank"].to_dict() == {"y": 1, "x": 2, "z": 3}
    assert table["without_a"].to_dict() == {"y": 1, "x": 2, "z": 2}
    assert table["without_b"].to_dict() == {"y": 1, "x": 1, "z": 3}


# -- the shipped data and the deck --------------------------------------------------


def test_shipped_default_ranking(shipped_ranking):
    r = shipped_ranking.set_index("service")
    ranked = r[~r["too_little_data"]]
    assert ranked.index.tolist() == ["pas", "biblioteksbesøg", "kørekort", "nemid"]
    # pas: every site, the most interviews and usage rank 1, 14 of 15 strong navigators,
    # 6 offers of 2 kinds.
    p = np.array([14, 1]) / 15
    assert r.loc["pas", ["reach", "users", "links"]].tolist() == [1.0, 1.0, 0.75]
    assert r.loc["pas", "groups"] == pytest.approx(1 + (p * np.log(p)).sum() / math.log(2))
    assert r.loc["pas", "group"] == "Navigationsstærk"
    assert r.loc["kørekort", "users"] == pytest.approx((9 / 15 + 0.5) / 2)
    assert r.loc["kørekort", "group"] == "Ældre/pensionist"
    # vielse: no interview, but the deck's 178 of 21,061 visits and five library offers.
    assert bool(r.loc["vielse", "too_little_data"]) and r.loc["vielse", "interviews"] == 0
    assert r.loc["vielse", "users"] == pytest.approx((0 + (178 / 21061) / (15 / 45)) / 2)
    assert r.loc["vielse", "links"] == pytest.approx(0.5 * 5 / 6 + 0.5 * 3 / 4)
    assert r["too_little_data"].sum() == 13


def test_agreement_with_the_deck_on_the_shipped_data(shipped_ranking):
    table = deck_agreement(shipped_ranking)
    assert len(table) == 8
    assert int(table["in_top"].sum()) == 4
    hjælp = table.set_index("deck_group").loc["hjælp-til-selvbetjening"]
    assert hjælp["label"] == "Hjælp til selvbetjening"
    assert hjælp["members"] == "Nem-ID, Skat, Sundhedskort" and hjælp["best_rank"] == 4
    assert table.loc[~table["in_top"], "deck_group"].tolist() == [
        "flytning", "helbredstillæg", "indrejse", "vielse"]
    assert int(deck_agreement(shipped_ranking, top=2)["in_top"].sum()) == 2


def test_leave_one_site_out_on_the_shipped_data():
    table = leave_one_site_out(load_study()).set_index("service")
    assert table.loc["pas"].drop(["label", "lost_without"]).tolist() == [1, 1, 1, 1, 1, 0]
    assert table.loc["nemid", "lost_without"] == "Roskilde, Glumsø"


# -- the command line ---------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_ranking_table(capsys):
    code, out, err = run(capsys, "table", "ranking", "--format", "csv")
    assert code == 0 and err == ""
    table = pd.read_csv(io.StringIO(out))
    assert table["service"].tolist()[:4] == ["Pas", "Biblioteksbesøgende", "Kørekort", "Nem-ID"]
    assert table.loc[0, ["reach", "users", "links"]].tolist() == [1.0, 1.0, 0.75]
    assert {"groups", "total", "group", "deck_pick", "too_little_data"} <= set(table.columns)
    assert len(table) == 17


def test_cli_ranking_weights_and_top(capsys):
    code, out, _ = run(capsys, "table", "ranking", "--weights", "users=5", "--top", "2",
                       "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and table["service"].tolist() == ["Pas", "Kørekort"]


@pytest.mark.parametrize(("weights", "message"), [
    ("reach=-1", "error: weights: reach=-1 is negative"),
    ("reach=0,users=0,groups=0,links=0", "error: weights: all weights are zero"),
    ("size=1", "error: weights: unknown criterion 'size'"),
])
def test_cli_bad_weights_exit_2(capsys, weights, message):
    code, out, err = run(capsys, "table", "ranking", "--weights", weights)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_cli_ranking_sensitivity(capsys):
    code, out, _ = run(capsys, "table", "ranking-sensitivity", "--draws", "200",
                       "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0
    assert table["service"].tolist() == ["Pas", "Biblioteksbesøgende", "Kørekort", "Nem-ID"]
    assert table.columns.tolist() == [
        "service", "rank", "top_share", "rank_min", "rank_median", "rank_max",
        "without_roskilde", "without_ringsted", "without_næstved", "without_glumsø",
        "max_shift", "lost_without"]
    assert table.loc[0, ["rank_min", "without_glumsø"]].tolist() == [1, 1]


# -- charts -------------------------------------------------------------------------


def test_plot_ranking_stacks_the_weighted_criteria(tiny_codebook):
    from synergi_analysis.plotting import plot_ranking

    table = rank_services(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, offers=OFFERS,
                          weights="links=2", lang="en")
    ax = plot_ranking(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1. Ex", "2. y"]
    assert [t.get_fontweight() for t in ax.get_yticklabels()] == ["bold", "bold"]
    assert [c.get_label() for c in ax.containers] == [
        "Offered at most places", "Most users", "Delimited user groups", "Links to the library"]
    # x: reach, users, groups 1 and links 0.375, weights 1, 1, 1, 2 (of 5).
    widths = [c.patches[0].get_width() for c in ax.containers]
    assert widths == pytest.approx([0.2, 0.2, 0.2, 0.375 * 2 / 5])
    assert ax.containers[-1].patches[0].get_x() + widths[-1] == pytest.approx(
        table.loc[0, "total"])


def test_plot_ranking_refuses_a_table_that_is_not_a_ranking(tiny_codebook):
    from synergi_analysis.plotting import plot_ranking

    table = rank_services(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, offers=OFFERS)
    assert table.attrs["weights"] == {"reach": 1.0, "users": 1.0, "groups": 1.0, "links": 1.0}
    stripped = table.copy()
    stripped.attrs = {}
    with pytest.raises(ValueError, match="expected a ranking table"):
        plot_ranking(stripped)


def test_plot_criteria_heatmap_labels_and_cells(shipped_ranking):
    from synergi_analysis.plotting import plot_criteria_heatmap

    ax = plot_criteria_heatmap(shipped_ranking)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Findes flest steder", "Flest brugere", "Afgrænsede brugergrupper",
        "Koblinger til biblioteket"]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[:4] == ["Pas", "Biblioteksbesøgende", "Kørekort", "Nem-ID"]
    assert len(rows) == 17 and rows[-1] == "Vielse"
    texts = [t.get_text() for t in ax.texts]
    assert texts[:4] == ["1.00", "1.00", "0.65", "0.75"]  # Pas, row by row
    # The 13 flagged services have no groups score: their cells stay blank.
    assert len(texts) == 17 * 4 - 13
    assert texts[-3:] == ["0.75", "0.01", "0.79"]  # Vielse: reach, users, links


def test_plot_rank_stability_bars_and_ranges(tiny_codebook):
    from synergi_analysis.plotting import plot_rank_stability

    table = rank_sensitivity(INTERVIEWS, codebook=tiny_codebook, services=SERVICES,
                             offers=OFFERS, n_draws=400, top=1, seed=5, lang="en")
    ax = plot_rank_stability(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ex", "y"]
    assert [p.get_width() for p in ax.patches] == pytest.approx(table["top_share"].tolist())
    assert [t.get_text() for t in ax.texts] == ["rank 1–2", "rank 1–2"]
    assert ax.get_xlabel() == "Share of 400 random weightings that put it in the top 1"


def test_ranking_figures_are_registered_and_drawn(study):
    from synergi_analysis.figures import FIGURES

    assert {"ranking", "ranking-criteria", "ranking-stability"} <= set(FIGURES)
    fig = FIGURES["ranking"](study, "da")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "1. Pas", "2. Biblioteksbesøgende", "3. Kørekort", "4. Nem-ID"]
    assert fig.get_supxlabel().startswith("Ikke rangeret, for lidt data (under 2 interviews)")


def test_ranking_figure_without_services_csv_says_so(tmp_path, data_dir):
    from synergi_analysis.figures import FIGURES

    for name in ("codebook.yml", "interviews.csv", "library_offers.csv"):
        shutil.copy(data_dir / name, tmp_path)
    fig = FIGURES["ranking"](load_study(tmp_path), "en")
    text = fig.axes[0].texts[0].get_text().replace("\n", " ")
    assert text.endswith(": no services.csv; the ranking needs it for the reach criterion and "
                         "the deck's pick")


def test_describe_agreement_counts_the_entries_in_the_top():
    import pandas as pd

    from synergi_analysis.ranking import describe_agreement

    agreement = pd.DataFrame({"in_top": [True, False, True]})
    assert describe_agreement(agreement) == "2 af slidesættets 3 valg er blandt de 3 øverste her."
    assert describe_agreement(agreement, lang="en") == (
        "2 of the deck's 3 picks are among the top 3 here.")
