"""The synergy ranking: each criterion on hand-made data, weights, robustness, the deck."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from synergi_analysis.cli import main
from synergi_analysis.codebook import Codebook
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.load import load_study
from synergi_analysis.ranking import (
    CRITERIA,
    deck_agreement,
    leave_one_site_out,
    parse_weights,
    rank_sensitivity,
    rank_services,
)
from synergi_analysis.ranking._criteria import _total_and_rank

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


def test_reach_counts_a_blank_desk_as_unknown_and_shows_the_range(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    # x fuld everywhere; y light, bibliotek, blank, ingen; z blank everywhere; v fuld, 3 blank.
    assert r["reach_low"].to_dict() == {"x": 1.0, "y": 0.5, "z": 0.0, "v": 0.25}
    assert r["reach_high"].to_dict() == {"x": 1.0, "y": 0.75, "z": 1.0, "v": 1.0}
    assert r["reach"].to_dict() == {"x": 1.0, "y": 0.625, "z": 0.5, "v": 0.625}


def test_reach_desk_weights_count_a_light_desk_as_half(tiny_codebook):
    r = rank_tiny(tiny_codebook, desk_weights={"light": 0.5})
    assert r.loc["y", "reach_low"] == pytest.approx((0.5 + 1) / 4)
    assert r.loc["x", "reach"] == 1.0


def test_users_is_one_scale_and_the_decks_usage_figures_are_shown_apart(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r["users"].to_dict() == {"x": 1.0, "y": 0.5, "z": 0.25, "v": 0.0}
    # The deck's ordinal rank and visit share are shown, not averaged into users.
    assert r.loc["y", "usage_rank"] == 2 and r.loc["v", "usage_rank"] == 1
    assert pd.isna(r.loc["x", "usage_rank"])
    assert r.loc["z", "usage_share"] == pytest.approx(1 / 70)
    assert np.isnan(r.loc["x", "usage_share"])


def test_groups_is_the_shrunk_concentration_beyond_the_rest_of_the_sample(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    # x: all 4 "gammel"; none of the other 3 interviews is: p = 0, p~ = 4 / (4 + 2).
    assert r.loc["x", "groups"] == pytest.approx(4 / 6)
    assert r.loc["x", ["group", "group_dimension", "group_n"]].tolist() == [
        "gammel", "age_band", 4]
    assert (r.loc["x", "group_share"], r.loc["x", "group_base"]) == (1.0, 0.0)
    # y: flytning on its one coded life situation; 1 of x's 3 coded ones has it:
    # p = 1/3, p~ = (1 + 2/3) / 3, score = (p~ - p) / (1 - p) = 1/3.
    assert r.loc["y", "groups"] == pytest.approx(1 / 3)
    assert r.loc["y", ["group", "group_dimension"]].tolist() == ["flytning", "life_situation"]
    # z: one interview scores at most 1 / (1 + 2), whatever group.
    assert r.loc["z", "groups"] == pytest.approx(1 / 3)
    assert rank_tiny(tiny_codebook, lang="en").loc["x", "group"] == "old"


def test_groups_shrinkage_and_a_majority_group(tiny_codebook):
    loose = rank_tiny(tiny_codebook, shrinkage=0.5)
    assert loose.loc["x", "groups"] == pytest.approx(4 / 4.5)
    # competence alone: x is 2 strong, 2 weak; of the other 3 two are strong (p = 2/3,
    # a majority: measured against 1/2), so only "svag" (p = 1/3) can score.
    comp = rank_tiny(tiny_codebook, profiles=("competence",))
    shrunk = (2 + 2 / 3) / 6
    assert comp.loc["x", "groups"] == pytest.approx((shrunk - 1 / 3) / (2 / 3))
    assert comp.loc["x", "group"] == "svag"


def test_groups_counts_only_the_groups_the_offers_serve(tiny_codebook):
    offers = OFFERS.assign(groups=["life_situation:rejse", "", "", "", "", "", "", ""])
    r = rank_tiny(tiny_codebook, offers=offers)
    # x's offers name travel only: its age group no longer counts. 3 of its 3 coded life
    # situations are rejse, none of y's one: p = 0, p~ = 3 / 5.
    assert r.loc["x", "groups"] == pytest.approx(3 / 5)
    assert r.loc["x", "group"] == "rejse"
    # y's offers name no group: every group counts.
    assert r.loc["y", "groups"] == pytest.approx(1 / 3)


def test_an_offer_naming_an_unknown_group_is_reported(tiny_codebook):
    offers = OFFERS.assign(groups=["life_situation:reise", "site:a"] + [""] * 6)
    with pytest.raises(ValidationError) as info:
        rank_tiny(tiny_codebook, offers=offers)
    messages = [str(p) for p in info.value.problems]
    assert any("unknown value 'reise'; did you mean 'rejse'" in m for m in messages)
    assert any("group 'site:a' is not dimension:value" in m for m in messages)


def test_links_combines_number_and_spread_of_offers(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r["links"].to_dict() == {"x": 0.5 * 2 / 4 + 0.5 * 1 / 4, "y": 1.0, "z": 0.0,
                                    "v": 0.5 * 1 / 4 + 0.5 * 1 / 4}
    assert r.loc["x", "offers"] == "bog; guide"
    assert r.loc["v", ["n_offers", "n_kinds"]].tolist() == [1, 1]


def test_total_is_the_weighted_mean_and_sets_the_rank(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r.loc["x", "total"] == pytest.approx((1 + 1 + 4 / 6 + 0.375) / 4)
    assert r.loc["y", "total"] == pytest.approx((0.625 + 0.5 + 1 / 3 + 1) / 4)
    assert r["rank"].tolist()[:3] == [1, 2, 3]
    heavy = rank_tiny(tiny_codebook, weights="links=3")
    assert heavy.loc["y", "total"] == pytest.approx((0.625 + 0.5 + 1 / 3 + 3) / 6)
    assert heavy.index[:2].tolist() == ["y", "x"]


def test_every_service_with_an_interview_is_ranked(tiny_codebook):
    r = rank_tiny(tiny_codebook)
    assert r["too_little_data"].to_dict() == {"x": False, "y": False, "z": False, "v": True}
    assert pd.isna(r.loc["v", "rank"]) and np.isnan(r.loc["v", "total"])
    assert r.index.tolist() == ["x", "y", "z", "v"]  # ranked first, then codebook order
    strict = rank_tiny(tiny_codebook, min_interviews=2)
    assert bool(strict.loc["z", "too_little_data"]) and pd.isna(strict.loc["z", "rank"])


def test_ranking_does_not_change_its_input(tiny_codebook):
    before = SERVICES.copy(), OFFERS.copy(), INTERVIEWS.copy()
    rank_tiny(tiny_codebook)
    for frame, copy in zip((SERVICES, OFFERS, INTERVIEWS), before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)


def test_returns_every_documented_column(tiny_codebook):
    r = rank_services(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, offers=OFFERS)
    assert r.columns.tolist() == [
        "rank", "service", "label", "reach", "users", "groups", "links", "total",
        "total_low", "total_high", "rank_low", "rank_high", "tier", "interviews",
        "reach_low", "reach_high", "usage_rank", "usage_share", "group", "group_dimension",
        "group_n", "group_share", "group_base", "n_offers", "n_kinds", "offers", "deck_pick",
        "deck_group", "too_little_data"]
    assert r["label"].tolist()[0] == "Eks"
    assert r.attrs["n_boot"] == 1000 and r.attrs["shrinkage"] == 2.0


# -- the bootstrap ------------------------------------------------------------------


def test_bootstrap_intervals_hold_the_point_and_repeat_for_a_seed(tiny_codebook):
    r = rank_tiny(tiny_codebook, n_boot=300, seed=11)
    ranked = r[r["rank"].notna()]
    assert (ranked["total_low"] <= ranked["total_high"]).all()
    assert (ranked["rank_low"] <= ranked["rank_high"]).all()
    assert ranked["rank_low"].min() == 1 and ranked["rank_high"].max() <= 3
    again = rank_tiny(tiny_codebook, n_boot=300, seed=11)
    pd.testing.assert_frame_equal(r, again)
    other = rank_tiny(tiny_codebook, n_boot=300, seed=12)
    assert not np.allclose(other["total_low"].dropna(), r["total_low"].dropna())
    assert r.loc["v", ["total_low", "rank_low", "tier"]].isna().all()


def test_tiers_split_only_where_every_interval_above_ends_before_those_below():
    from synergi_analysis.ranking._uncertainty import _tiers

    low = pd.Series([1, 1, 3, 3, 5, None], dtype="Int64")
    high = pd.Series([2, 2, 4, 5, 6, None], dtype="Int64")
    assert _tiers(low, high).tolist() == [1, 1, 2, 2, 2, pd.NA]
    assert _tiers(pd.Series([1, 2], dtype="Int64"),
                  pd.Series([1, 2], dtype="Int64")).tolist() == [1, 2]


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
    scores = rank_tiny(tiny_codebook)[list(CRITERIA)]
    # Redo the draws by hand: x beats y exactly when the weighted score difference is > 0;
    # z is below x on every criterion, so it never wins.
    draws = np.random.default_rng(3).dirichlet(np.ones(4), size=500)
    diff = (scores.loc["x"] - scores.loc["y"]).to_numpy(dtype=float)
    x_wins = (draws @ diff > 0).mean()
    assert table.loc["x", "top_share"] == pytest.approx(x_wins)
    assert table.loc["y", "top_share"] == pytest.approx(1 - x_wins)
    assert table.loc["z", "top_share"] == 0.0
    assert table.loc["x", ["rank_min", "rank_max"]].tolist() == [1, 2]
    assert table.index.tolist() == ["x", "y", "z"]  # the unranked v is left out
    assert table.columns.tolist() == ["label", "rank", "top_share", "rank_min",
                                      "rank_median", "rank_max"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_draws": 0}, "n_draws must be a whole number of 1 or more, not 0"),
    ({"top": 0}, "top must be a whole number of 1 or more, not 0"),
    ({"alpha": 0}, "alpha must be a positive number, not 0"),
    ({"seed": "abc"}, "seed must be a whole number or None, not 'abc'"),
    ({"shrinkage": 0}, "shrinkage must be a positive number, not 0"),
])
def test_sensitivity_checks_its_arguments(kwargs, message, tiny_codebook):
    with pytest.raises(ValueError) as info:
        rank_sensitivity(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, **kwargs)
    assert message in str(info.value)


def test_leave_one_site_out_names_the_services_that_lose_their_rank(tiny_codebook):
    table = leave_one_site_out(INTERVIEWS, codebook=tiny_codebook, services=SERVICES,
                               offers=OFFERS).set_index("service")
    # z's one interview is at d: without d it has none and loses its rank.
    assert table.loc["z", "without_d"] is pd.NA and table.loc["z", "lost_without"] == "d"
    # y keeps one interview without a or without c: it stays ranked.
    assert table.loc["y", "lost_without"] == ""
    assert table.loc["y", ["without_a", "without_b", "without_c", "without_d"]].notna().all()
    assert table.loc["x", "lost_without"] == ""
    assert table.index.tolist() == ["x", "y", "z"]
    assert table.attrs["illustrative"] == {}  # the hand-made codebook marks nothing


def test_leave_one_site_out_drops_the_sites_offer_column(tiny_codebook):
    services = SERVICES.copy()
    services[["a", "b", "c", "d"]] = [["fuld", "ingen", "ingen", "ingen"],
                                      ["ingen", "fuld", "fuld", "ingen"],
                                      ["ingen", "ingen", "ingen", "ingen"],
                                      ["ingen", "ingen", "ingen", "ingen"]]
    table = leave_one_site_out(
        INTERVIEWS, codebook=tiny_codebook, services=services, offers=OFFERS,
        weights={"reach": 1, "users": 0, "groups": 0, "links": 0},
    ).set_index("service")
    # Reach on all sites: y 2/4, x 1/4, z 0. Without a, x loses its only desk and ties
    # with z at 0 (a kept column would leave x ahead of z); without b, x ties y at 1/3.
    assert table["rank"].to_dict() == {"y": 1, "x": 2, "z": 3}
    assert table["without_a"].to_dict() == {"y": 1, "x": 2, "z": 2}
    assert table["without_b"].to_dict() == {"y": 1, "x": 1, "z": 3}


# -- the properties of groups and of the uncertainty, on generated studies ----------

GEN_SPEC = {
    "dimensions": {
        "site": {"column": "site", "values": [{"key": "a"}, {"key": "b"}]},
        "service": {"column": "service", "values": [{"key": k} for k in
                                                    ("t", "one", "o1", "o2", "o3", "o4")]},
        "age_band": {"column": "age_band", "values": [
            {"key": k} for k in ("0-17", "18-29", "30-49", "50-69", "70+")]},
        "life_situation": {"column": "life_situations", "multi": True, "values": [
            {"key": k} for k in ("ung", "forælder", "udlandsrejse", "flytning", "ledighed",
                                 "pensionist")]},
        "competence": {"column": "competence", "values": [{"key": "stærk"}, {"key": "svag"}]},
    }
}
GEN_SERVICES = pd.DataFrame({
    "service": ["t", "one", "o1", "o2", "o3", "o4"], "a": ["fuld"] * 6, "b": ["fuld"] * 6,
    "deck_pick": ["false"] * 6})
AGES, LIVES = GEN_SPEC["dimensions"]["age_band"]["values"], ("ung", "forælder", "udlandsrejse",
                                                            "flytning", "ledighed", "pensionist")

other_st = st.tuples(st.sampled_from(["o1", "o2", "o3", "o4"]), st.integers(0, 4),
                     st.sets(st.sampled_from(LIVES), max_size=2), st.sampled_from(["stærk",
                                                                                   "svag"]))


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [{"site": "ab"[i % 2], "service": s, "age_band": AGES[a]["key"],
          "life_situations": ";".join(sorted(life)), "competence": c}
         for i, (s, a, life, c) in enumerate(rows)],
        columns=["site", "service", "age_band", "life_situations", "competence"])


def _rank_generated(rows, **kwargs) -> pd.DataFrame:
    return rank_services(_frame(rows), codebook=Codebook(GEN_SPEC), services=GEN_SERVICES,
                         offers=None, n_boot=kwargs.pop("n_boot", 200), **kwargs
                         ).set_index("service")


@settings(max_examples=40, deadline=None)
@given(others=st.lists(other_st, min_size=5, max_size=30), shift=st.integers(0, 4))
def test_users_spread_evenly_over_shared_codes_delimit_little(others, shift):
    # Everyone is a strong navigator; t's 12 users spread evenly over the age bands
    # (3, 3, 2, 2, 2) and the life situations (2 each).
    everyone_strong = [(s, a, life, "stærk") for s, a, life, _ in others]
    t = [("t", (i + shift) % 5, {LIVES[i % 6]}, "stærk") for i in range(12)]
    r = _rank_generated(everyone_strong + t, n_boot=1)
    assert r.loc["t", "groups"] <= 0.25


@settings(max_examples=40, deadline=None)
@given(others=st.lists(other_st, min_size=12, max_size=40))
def test_a_dozen_pensioners_of_70_and_over_form_a_delimited_group(others):
    t = [("t", 4, {"pensionist"}, "stærk" if i % 2 else "svag") for i in range(12)]
    rows = others + t
    old = sum(a == 4 for _, a, _, _ in rows)
    pensioners = sum("pensionist" in life for _, _, life, _ in rows)
    assume(old < len(rows) / 2 and pensioners < len(rows) / 2)  # a minority of the sample
    r = _rank_generated(rows, n_boot=1)
    assert r.loc["t", "groups"] >= 0.5
    assert r.loc["t", "group"] in {"70+", "pensionist"}


def _users_of(service: str, *, ages=(0, 3), size=(4, 8)):
    """4 to 8 interviews of one service, below 70 (so 70+ stays a minority)."""
    row = st.tuples(st.just(service), st.integers(*ages), st.sets(st.sampled_from(LIVES[:5]),
                                                                  max_size=2),
                    st.sampled_from(["stærk", "svag"]))
    return st.lists(row, min_size=size[0], max_size=size[1])


@settings(max_examples=30, deadline=None)
@given(o1=_users_of("o1"), o2=_users_of("o2"), o3=_users_of("o3"), o4=_users_of("o4"),
       seed=st.integers(0, 2**16))
def test_one_interview_never_outscores_a_dozen_that_agree_and_is_less_certain(
        o1, o2, o3, o4, seed):
    # The dozen (t) are 70+ pensioners, weak navigators, a minority of the sample and the
    # largest group of users (every other service has at most 8); "one" is the same
    # visitor once.
    t = [("t", 4, {"pensionist"}, "svag") for _ in range(12)]
    rows = o1 + o2 + o3 + o4 + t + [("one", 4, {"pensionist"}, "svag")]
    r = _rank_generated(rows, seed=seed)
    assert r.loc["one", "groups"] <= r.loc["t", "groups"]
    assert r.loc["one", "groups"] <= 1 / 3 + 1e-12 < 0.5 <= r.loc["t", "groups"]
    # Its standing is less certain: the bootstrap interval of its total is at least as
    # wide. (Its rank interval can be narrower when it is last in every resample: a
    # certain last place. On the shipped data it is wider: see below.)
    spread = r["total_high"] - r["total_low"]
    assert spread["one"] >= spread["t"]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(other_st, min_size=4, max_size=30), extra=other_st)
def test_one_more_interview_in_the_dominant_group_never_lowers_groups(rows, extra):
    before = _rank_generated(rows, n_boot=1)
    ranked = before[before["rank"].notna() & (before["groups"] > 0)]
    assume(len(ranked))
    service = ranked.index[0]
    dimension, group = ranked.loc[service, ["group_dimension", "group"]]
    _, age, life, competence = extra
    if dimension == "age_band":
        age = [v["key"] for v in AGES].index(group)
    elif dimension == "life_situation":
        life = set(life) | {group}
    else:
        competence = group
    after = _rank_generated(rows + [(service, age, life, competence)], n_boot=1)
    assert after.loc[service, "groups"] >= before.loc[service, "groups"] - 1e-12


# -- the shipped data and the deck --------------------------------------------------


def test_shipped_default_ranking(shipped_ranking):
    r = shipped_ranking.set_index("service")
    # Every service someone came for is ranked; vielse (no interview) is not.
    assert r["too_little_data"].sum() == 1 and bool(r.loc["vielse", "too_little_data"])
    assert r.index[:2].tolist() == ["pas", "kørekort"]
    # pas: every site; the most interviews; all 15 travel abroad (the group its offers
    # serve) and none of the 18 others coded on life situation: 15 / (15 + 2).
    assert r.loc["pas", ["reach", "users", "links"]].tolist() == [1.0, 1.0, 0.75]
    assert r.loc["pas", "groups"] == pytest.approx(15 / 17)
    assert r.loc["pas", ["group", "group_n", "group_share", "group_base"]].tolist() == [
        "Udlandsrejse", 15, 1.0, 0.0]
    # kørekort: 6 of its 7 coded are pensioners, 8 of the other 26.
    p = 8 / 26
    shrunk = (6 + 2 * p) / 9
    assert r.loc["kørekort", "groups"] == pytest.approx((shrunk - p) / (1 - p))
    assert r.loc["kørekort", "users"] == pytest.approx(9 / 15)
    # flytning: blank in Glumsø is unknown, not "not offered".
    assert r.loc["flytning", ["reach_low", "reach_high", "reach"]].tolist() == [
        0.75, 1.0, 0.875]
    # The deck's usage figures are shown, never scored.
    assert r.loc["vielse", "usage_share"] == pytest.approx(178 / 21061)
    assert r.loc["pas", "usage_rank"] == 1
    # pas is alone in the first tier; the rest are tied within uncertainty.
    assert r.loc["pas", ["rank_low", "rank_high", "tier"]].tolist() == [1, 1, 1]
    assert r["tier"].dropna().max() == 2
    assert r.attrs["illustrative_criteria"] == {
        "groups": ["age_band", "competence", "life_situation"]}


def test_one_interview_scores_at_most_a_third_on_the_shipped_data(shipped_ranking):
    r = shipped_ranking
    single = r[r["interviews"] == 1]
    assert len(single) == 12
    assert (single["groups"] <= 1 / 3 + 1e-12).all()
    # ... and its rank interval is at least as wide as those of the services with many.
    width = (r["rank_high"] - r["rank_low"]).astype(float)
    many = width[r["interviews"] >= 9]
    assert width[single.index].min() >= many.max()


def test_agreement_with_the_deck_on_the_shipped_data(shipped_ranking):
    table = deck_agreement(shipped_ranking)
    a = table.attrs
    assert len(table) == 8 and a["entries"] == 8
    # Vielse has no interview: the data cannot judge it, so it is named, not counted.
    assert a["not_judged"] == ["Vielse"] and a["judged"] == 7 and a["ranked"] == 16
    assert a["top"] == 7 and a["hits"] == int(table["in_top"].sum())
    hjælp = table.set_index("deck_group").loc["hjælp-til-selvbetjening"]
    assert hjælp["label"] == "Hjælp til selvbetjening" and bool(hjælp["judged"])
    # Beside the count: a random order, and the range over other weightings.
    assert 0 < a["chance"] < a["judged"]
    lo, hi = a["weightings"]
    assert lo <= a["hits"] <= hi and lo < hi


def test_chance_is_the_expected_count_of_a_random_order():
    from synergi_analysis.ranking._deck import _chance

    entries = [{"services": ["a"]}, {"services": ["b", "c"]}]
    # a in the top 2 of 4: 2/4; b or c: 1 - C(2, 2) / C(4, 2) = 5/6.
    assert _chance(entries, ["a", "b", "c", "d"], 2) == pytest.approx(0.5 + 5 / 6)


def test_describe_agreement_says_what_the_count_means(shipped_ranking):
    from synergi_analysis.ranking import describe_agreement

    agreement = deck_agreement(shipped_ranking)
    en = describe_agreement(agreement, lang="en")
    assert en.startswith(f"{agreement.attrs['hits']} of the study's own 7 picks that the data "
                         "can judge are among the top 7 of the 16 services that could rank")
    assert "a random order would put" in en and en.endswith(
        "The data cannot judge: Vielse (no interviews).")
    da = describe_agreement(agreement, lang="da")
    assert "ingen interviews" in da and "tilfældig rækkefølge" in da
    forced = agreement.copy()
    forced.attrs = {**agreement.attrs, "weightings": [3, 3]}
    assert "every weighting of the criteria gives 3, so the count says nothing" in (
        describe_agreement(forced, lang="en"))
    plain = pd.DataFrame({"in_top": [True, False, True]})
    # Any study's own pick: the sentence names no deck (issue 11: the study's own story).
    assert describe_agreement(plain) == "2 af undersøgelsens egne 3 valg er blandt de 3 " \
        "øverste her."
    assert "slidesæt" not in da


def test_leave_one_site_out_on_the_shipped_data():
    table = leave_one_site_out(load_study()).set_index("service")
    assert table.loc["pas"].drop(["label", "lost_without"]).tolist() == [1, 1, 1, 1, 1, 0]
    assert table.loc["indrejse", "lost_without"] == "Næstved"
    assert "site" in table.attrs["illustrative"]


# -- the command line ---------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_ranking_table_with_its_uncertainty(capsys):
    code, out, err = run(capsys, "table", "ranking", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert table["service"].tolist()[:2] == ["Pas", "Kørekort"]
    assert {"rank", "total", "total_low", "total_high", "rank_low", "rank_high", "tier",
            "interviews", *CRITERIA} <= set(table.columns)
    assert table.loc[0, ["reach", "users", "links"]].tolist() == [1.0, 1.0, 0.75]
    assert len(table) == 17 and table["rank"].notna().sum() == 16
    # The caveat goes to stderr, so the CSV stays a CSV.
    assert err.startswith("Illustrative kodninger: Alder") and "Afgrænsede brugergrupper" in err


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
    assert table["service"].tolist()[:2] == ["Pas", "Kørekort"]
    assert table.columns.tolist() == [
        "service", "rank", "top_share", "rank_min", "rank_median", "rank_max",
        "without_roskilde", "without_ringsted", "without_næstved", "without_glumsø",
        "max_shift", "lost_without"]
    assert table.loc[0, ["rank_min", "without_glumsø"]].tolist() == [1, 1]


def test_cli_deck_agreement_prints_the_sentence(capsys):
    code, out, _ = run(capsys, "table", "deck-agreement", "--lang", "en")
    assert code == 0
    assert "of the study's own 7 picks that the data can judge" in out
    assert "The data cannot judge: Wedding (no interviews)." in out


# -- charts -------------------------------------------------------------------------


def test_plot_ranking_stacks_the_weighted_criteria_and_shows_the_intervals(tiny_codebook):
    from synergi_analysis.plotting import plot_ranking

    table = rank_services(INTERVIEWS, codebook=tiny_codebook, services=SERVICES, offers=OFFERS,
                          weights="links=2", lang="en")
    ax = plot_ranking(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    expected = [f"{lo}. {lab}" if lo == hi else f"{lo}–{hi}. {lab}" for lo, hi, lab in zip(
        table["rank_low"][:3], table["rank_high"][:3], table["label"][:3], strict=True)]
    assert labels == expected and table["label"].tolist()[:3] == ["y", "Ex", "z"]
    assert [t.get_fontweight() for t in ax.get_yticklabels()] == ["bold", "bold", "bold"]
    assert [c.get_label() for c in ax.containers] == [
        "Offered at most places", "Most users", "Delimited user groups", "Links to the library"]
    # y (first at links=2): reach 0.625, users 0.5, groups 1/3, links 1; weights 1, 1, 1, 2.
    widths = [c.patches[0].get_width() for c in ax.containers]
    assert widths == pytest.approx([0.625 / 5, 0.5 / 5, 1 / 15, 2 / 5])
    assert ax.containers[-1].patches[0].get_x() + widths[-1] == pytest.approx(
        table.loc[0, "total"])
    # The whiskers span each service's bootstrap interval of the total.
    spans = ax.collections[0].get_segments()
    assert [s[0][0] for s in spans] == pytest.approx(table["total_low"][:3].tolist())
    assert [s[1][0] for s in spans] == pytest.approx(table["total_high"][:3].tolist())
    assert "tied within uncertainty" in ax.figure.get_supxlabel().replace("\n", " ")
    assert "Illustrative" not in ax.figure.get_supxlabel()  # nothing is marked here


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
    assert rows[:2] == ["Pas", "Kørekort"]
    assert len(rows) == 17 and rows[-1] == "Vielse"
    texts = [t.get_text() for t in ax.texts]
    assert texts[:4] == ["1.00", "1.00", "0.88", "0.75"]  # Pas, row by row
    # Vielse has no interview, so no groups score: its cell stays blank.
    assert len(texts) == 17 * 4 - 1
    assert texts[-3:] == ["0.88", "0.00", "0.79"]  # Vielse: reach, users, links
    assert ax.figure.get_supxlabel().startswith("Illustrative kodninger: Alder")


def test_plot_rank_stability_bars_and_ranges(tiny_codebook):
    from synergi_analysis.plotting import plot_rank_stability

    table = rank_sensitivity(INTERVIEWS, codebook=tiny_codebook, services=SERVICES,
                             offers=OFFERS, n_draws=400, top=1, seed=5, lang="en")
    ax = plot_rank_stability(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ex", "y", "z"]
    assert [p.get_width() for p in ax.patches] == pytest.approx(table["top_share"].tolist())
    assert [t.get_text() for t in ax.texts][:2] == ["rank 1–2", "rank 1–2"]
    assert ax.get_xlabel() == "Share of 400 random weightings that put it in the top 1"


def test_ranking_figures_are_registered_and_drawn(study):
    from synergi_analysis.figures import FIGURES

    assert {"ranking", "ranking-criteria", "ranking-stability"} <= set(FIGURES)
    fig = FIGURES["ranking"](study, "da")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "1. Pas" and len(labels) == 16
    note = fig.get_supxlabel().replace("\n", " ")
    assert "Ikke rangeret (ingen interviews): Vielse" in note
    assert "lige gode inden for usikkerheden" in note
    assert "Illustrative kodninger:" in note and "(kriteriet Afgrænsede brugergrupper)" in note


def test_ranking_figure_without_services_csv_says_so(tmp_path, data_dir):
    from synergi_analysis.figures import FIGURES

    for name in ("codebook.yml", "interviews.csv", "library_offers.csv"):
        shutil.copy(data_dir / name, tmp_path)
    fig = FIGURES["ranking"](load_study(tmp_path), "en")
    text = fig.axes[0].texts[0].get_text().replace("\n", " ")
    assert text.endswith(": no services.csv; the ranking needs it for the reach criterion and "
                         "the deck's pick")


def test_cli_ranking_sensitivity_names_its_illustrative_codings(capsys):
    code, out, _ = run(capsys, "table", "ranking-sensitivity", "--draws", "50", "--lang", "en")
    assert code == 0
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("Illustrative codings: Site (27 of 45")
    assert last.endswith("(criterion Delimited user groups)")
