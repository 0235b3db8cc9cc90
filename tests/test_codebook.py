"""The codebook drives everything: another study with other codes needs no code change."""

from __future__ import annotations

import textwrap

import pytest

from synergi_analysis.codebook import load_codebook
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.load import load_study
from synergi_analysis.patterns import service_by_age

OTHER_CODEBOOK = textwrap.dedent("""\
    study:
      title: {da: Anden undersøgelse, en: Another study}
    dimensions:
      site:
        column: site
        required: true
        label: {da: Sted, en: Site}
        values:
          - {key: aarhus, da: Aarhus, en: Aarhus, description: x}
          - {key: odense, da: Odense, en: Odense, description: x}
      service:
        column: service
        required: true
        label: {da: Ydelse, en: Service}
        values:
          - {key: lån, da: Udlån, en: Lending, description: x}
          - {key: kursus, da: Kursus, en: Course, description: x}
          - {key: print, da: Print, en: Printing, description: x}
      age_band:
        column: age_band
        required: true
        label: {da: Alder, en: Age}
        values:
          - {key: ung, da: Under 40, en: Under 40, min: 0, max: 39, description: x}
          - {key: ældre, da: 40+, en: 40 and over, min: 40, max: 120, description: x}
    """)


@pytest.fixture()
def other_study(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "codebook.yml").write_text(OTHER_CODEBOOK, encoding="utf-8")
    (folder / "interviews.csv").write_text(
        "interview_id,site,service,age\n"
        "a1,Aarhus,Udlån,25\n"
        "a2,aarhus,kursus,67\n"
        "o1,Odense,lån,41\n",
        encoding="utf-8",
    )
    return folder


def test_another_study_loads_with_its_own_codes(other_study):
    study = load_study(other_study)
    assert study.interviews["site"].cat.categories.tolist() == ["aarhus", "odense"]
    assert study.interviews["age_band"].tolist() == ["ung", "ældre", "ældre"]
    assert study.quotes.empty


def test_another_study_tabulates_in_its_codebook_order(other_study):
    study = load_study(other_study)
    table = service_by_age(study.interviews, codebook=study.codebook, lang="en")
    assert table.index.tolist() == ["Lending", "Course", "Printing", "Total"]
    assert table.columns.tolist() == ["Under 40", "40 and over", "Total"]
    assert table.loc["Lending"].tolist() == [1, 1, 2]
    assert table.loc["Printing"].tolist() == [0, 0, 0]


def test_another_study_rejects_the_shipped_codes(other_study):
    with open(other_study / "interviews.csv", "a", encoding="utf-8") as fh:
        fh.write("r1,roskilde,pas,30\n")
    with pytest.raises(ValidationError) as info:
        load_study(other_study)
    assert sorted(p.column for p in info.value.problems) == ["service", "site"]


def test_shipped_codebook_order_and_labels():
    cb = load_codebook()
    assert cb.keys("journey_stage") == cb.stages == [
        "forberedelse", "ankomst", "ventetid", "betjening", "udgang", "hjemme"]
    assert cb.keys("attitude", scale="bibliotek") == ["A", "B"]
    assert cb.label("attitude", "A", scale="borgerservice") == "Den uinteresserede negative"
    assert cb.label("attitude", "A", scale="bibliotek", lang="en") == "The disturbed"
    assert cb.value("service", "biblioteksbesøg").extra["visitor_type"] == "bibliotek"


def test_unknown_dimension_and_language_are_value_errors():
    cb = load_codebook()
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        cb.keys("colour")
    with pytest.raises(ValueError, match="lang must be one of da, en, not 'fr'"):
        cb.labels("site", lang="fr")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just a string\n", "a codebook needs a 'dimensions' mapping"),
        ("dimensions:\n  site:\n    column: site\n    values: []\n",
         "dimension 'site' has no values"),
        ("dimensions:\n  site:\n    values:\n      - {da: Uden nøgle}\n",
         "each value needs at least a 'key'"),
    ],
)
def test_broken_codebooks(tmp_path, text, message):
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyError, match=message):
        load_codebook(path)
