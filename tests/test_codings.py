"""The one set of rules for reading codes: the long view, filters by any code."""

from __future__ import annotations

import pytest

from synergi_analysis._codings import long_view, matching
from synergi_analysis.quotations import quotes


def test_filters_combine_with_or_inside_a_dimension_and_with_and_across(study):
    iv = study.interviews
    either = matching(iv, study.codebook, {"site": ["næstved", "Glumsø"]})
    assert either.sum() == iv["site"].isin(["næstved", "glumsø"]).sum()
    both = matching(iv, study.codebook, {"site": ["næstved", "Glumsø"], "service": "Pas"})
    expected = iv["site"].isin(["næstved", "glumsø"]) & (iv["service"] == "pas")
    assert both.tolist() == expected.tolist()
    assert matching(iv, study.codebook, {}).all()


def test_a_filter_reads_multi_valued_codes_and_journey_stages(study):
    iv = study.interviews
    parents = matching(iv, study.codebook, {"life_situation": "Forælder"})
    assert parents.tolist() == iv["life_situations"].str.contains("forælder").tolist()
    open_early = matching(iv, study.codebook, {"forberedelse": "åben"})
    assert open_early.sum() == (iv["forberedelse"] == "åben").sum() == 14


def test_an_unknown_dimension_or_value_names_the_closest(study):
    with pytest.raises(ValueError, match=r"unknown dimension 'servce'; did you mean 'service'"):
        matching(study.interviews, study.codebook, {"servce": "pas"})
    with pytest.raises(ValueError, match=r"unknown value 'Kørekrot'; did you mean 'Kørekort'"):
        matching(study.interviews, study.codebook, {"service": "Kørekrot"})


def test_quotes_by_any_code_are_the_quotes_of_the_matching_interviews(study):
    found = quotes(study, where={"competence": "navigationssvag"})
    weak = set(study.interviews.loc[study.interviews["competence"] == "navigationssvag",
                                    "interview_id"])
    expected = study.quotes[study.quotes["interview_id"].isin(weak)]
    assert sorted(found["quote_id"]) == sorted(expected["quote_id"])
    assert len(found) > 0


def test_a_subset_keeps_the_quotes_of_its_interviews_only(study):
    sub = study.subset({"site": "roskilde"})
    assert set(sub.interviews["site"].astype(str)) == {"roskilde"}
    assert set(sub.quotes["interview_id"]) <= set(sub.interviews["interview_id"])
    assert len(sub.quotes) == len(quotes(study, site="roskilde"))


def test_the_long_view_gives_scaled_values_with_their_scale(study):
    view = long_view(study.interviews, study.codebook)
    attitudes = view.loc[view["dimension"] == "attitude", "value"]
    assert set(attitudes) <= {"borgerservice:A", "borgerservice:B", "borgerservice:C",
                              "borgerservice:D", "bibliotek:A", "bibliotek:B"}
    assert (view["dimension"] == "journey:forberedelse").sum() == 38
