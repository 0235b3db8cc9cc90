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


# -- where as pairs, dimensions by label ---------------------------------------------


def test_a_dimension_may_be_named_twice_and_by_its_label(study):
    iv, cb = study.interviews, study.codebook
    # Two conditions on one dimension must both hold: no interview is at two sites.
    both = matching(iv, cb, [("site", "roskilde"), ("site", "ringsted")])
    assert not both.any()
    by_label = matching(iv, cb, [("Sted", "Roskilde"), ("Ventetid", "Åben")])
    expected = (iv["site"] == "roskilde") & (iv["ventetid"] == "åben")
    assert by_label.tolist() == expected.tolist() and by_label.sum() > 0
    with pytest.raises(ValueError, match=r"where: unknown dimension 'Stedd'; did you mean"):
        matching(iv, cb, [("Stedd", "Roskilde")])
    with pytest.raises(ValueError, match="where: expected a mapping or"):
        matching(iv, cb, ["site=roskilde"])


# -- illustrative codings ------------------------------------------------------------


def test_the_codebook_reads_illustrative_as_text_or_per_language(tmp_path):
    from synergi_analysis.codebook import Codebook

    spec = {"dimensions": {
        "site": {"column": "site", "values": [{"key": "a"}], "illustrative": "invented"},
        "age": {"column": "age", "values": [{"key": "x"}],
                "illustrative": {"da": "opfundet", "en": "made up"}},
        "kind": {"column": "kind", "values": [{"key": "y"}], "illustrative": {"da": "kun"}},
        "plain": {"column": "plain", "values": [{"key": "z"}]},
    }}
    cb = Codebook(spec)
    assert cb.illustrative(lang="da") == {"site": "invented", "age": "opfundet", "kind": "kun"}
    assert cb.illustrative(lang="en") == {"site": "invented", "age": "made up", "kind": "kun"}
    assert cb["plain"].illustrative == {}
    from synergi_analysis.errors import StudyError

    for bad in (3, "", {"de": "x"}, {"da": ""}, ["x"]):
        spec["dimensions"]["plain"]["illustrative"] = bad
        with pytest.raises(StudyError, match="plain: illustrative must be a line of text"):
            Codebook(spec)


def test_the_shipped_codebook_marks_every_dimension_with_invented_codings(codebook):
    marked = codebook.illustrative(lang="en")
    assert list(marked) == ["site", "age_band", "attitude", "competence", "life_situation",
                            "journey_stage"]
    assert marked["site"].startswith("27 of 45 interviews")
    # What the deck gives is not marked: the service, the visitor type.
    assert "service" not in marked and "visitor_type" not in marked


def test_illustrative_of_reads_journey_stages_and_caveat_names_labels(codebook):
    from synergi_analysis._codings import caveat, illustrative_of

    marked = illustrative_of(codebook, ["ventetid", "service", None], "en")
    assert list(marked) == ["journey_stage"]
    attrs = {"illustrative": marked, "labels": {"journey_stage": "Visitor journey"},
             "lang": "en"}
    assert caveat(attrs) == f"Illustrative codings: Visitor journey ({marked['journey_stage']})"
    assert caveat({"illustrative": {}, "lang": "da"}) == ""
    ranking = {**attrs, "illustrative_criteria": {"groups": ["journey_stage"]}}
    assert caveat(ranking).endswith("(criterion Delimited user groups)")


def test_multi_valued_cells_split_once_each_value_once_in_the_cells_order():
    import pandas as pd

    from synergi_analysis._codings import _exploded

    cells = pd.Series([" b ; a;;b ;", None, "", "a", " b ; a;;b ;", ";;"],
                      index=[5, 6, 7, 8, 9, 10], dtype=object)
    found = _exploded(cells, ";")
    assert found.tolist() == ["b", "a", "a", "b", "a"]
    assert found.index.tolist() == [5, 5, 8, 9, 9]
    assert _exploded(pd.Series([], dtype=object), ";").tolist() == []
