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


# -- mistakes in a codebook: one line naming the file, line and key; never a traceback ----

SITE = "  site:\n    column: site\n    label: {da: Sted, en: Site}\n    values:\n" \
       "      - {key: a, da: A}\n"


def _codebook_error(tmp_path, text: str) -> str:
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyError) as info:
        load_codebook(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message[len(str(path)):]


@pytest.mark.parametrize(("text", "message"), [
    ("dimensions:\n  site:\n    column: site\n    label: Sted\n    values:\n      - {key: a}\n",
     ":4: site: label must be a mapping of language to text, like {da: Sted, en: Site}, "
     "not 'Sted'"),
    ("dimensions:\n  site: hello\n",
     ":2: site: a dimension must be a mapping (column, label, values), not 'hello'"),
    ("dimensions:\n  site:\n    column: [a, b]\n    values:\n      - {key: a}\n",
     ":3: site: column must be a column name, not ['a', 'b']"),
    ("x: &l {da: Sted}\ndimensions:\n  site:\n    column: site\n    values:\n"
     "      - {key: a, da: *l}\n",
     ":6: site: value 'a': da must be a text, not {'da': 'Sted'}"),
    ("dimensions:\n  site:\n    column: site\n    values: hello\n",
     ":4: site: values must be a list of values, not 'hello'"),
    ("dimensions:\n  age_band:\n    column: age_band\n    values:\n"
     "      - {key: young, min: abc, max: 29}\n      - {key: old, min: 30, max: 120}\n",
     ":5: age_band: value 'young': min must be a number, not 'abc'"),
    ("dimensions:\n  life:\n    column: life\n    multi: true\n    separator: ''\n"
     "    values:\n      - {key: a}\n",
     ":5: life: separator must be one or more characters, not ''"),
    ("dimensions:\n  site:\n    column: site\n    required: maybe\n    values:\n"
     "      - {key: a}\n",
     ":4: site: required must be true or false, not 'maybe'"),
])
def test_codebook_shape_mistakes_name_the_file_line_and_key(tmp_path, text, message):
    assert _codebook_error(tmp_path, text) == message


def test_a_label_that_is_another_values_key_is_refused(tmp_path):
    text = ("dimensions:\n  competence:\n    column: competence\n    values:\n"
            "      - {key: navigationsstærk, da: Navigationsstærk}\n"
            "      - {key: navigationssvag, da: navigationsstærk}\n")
    assert _codebook_error(tmp_path, text) == (
        ":6: competence: value 'navigationssvag': da 'navigationsstærk' is already the key "
        "of value 'navigationsstærk' (line 5); data written so could not be told apart")


def test_a_label_shared_by_two_values_is_refused(tmp_path):
    text = ("dimensions:\n  service:\n    column: service\n    values:\n"
            "      - {key: pas, da: Pas, en: Passport}\n"
            "      - {key: kort, da: Kort, en: PASSPORT}\n")
    assert _codebook_error(tmp_path, text) == (
        ":6: service: value 'kort': en 'PASSPORT' is already the en label "
        "of value 'pas' (line 5); data written so could not be told apart")


def test_scales_may_share_keys_but_not_spellings_of_other_keys(tmp_path, codebook):
    assert codebook["attitude"].lookup()["den forstyrrede"] == "A"
    text = ("dimensions:\n  kind:\n    column: kind\n    values:\n      - {key: x}\n"
            "      - {key: y}\n  mood:\n    column: mood\n    scale_by: kind\n    scales:\n"
            "      x:\n        - {key: A, da: Glad}\n      y:\n        - {key: A, da: Sur}\n"
            "        - {key: B, da: glad}\n")
    assert _codebook_error(tmp_path, text) == (
        ":15: mood: value 'B': da 'glad' is already the da label of value 'A' (line 12); "
        "data written so could not be told apart")


@pytest.mark.parametrize(("text", "message"), [
    ("dimensions:\n" + SITE + "  site:\n    column: place\n    values:\n      - {key: b}\n",
     ":7: the key 'site' is given twice (first on line 2); YAML keeps only the last"),
    ("dimensions:\n  site:\n    column: site\n    values:\n      - {key: a, da: A, da: B}\n",
     ":5: the key 'da' is given twice (first on line 5); YAML keeps only the last"),
])
def test_duplicate_yaml_keys_are_refused(tmp_path, text, message):
    assert _codebook_error(tmp_path, text) == message


def test_every_codebook_mistake_is_one_line_and_exit_2_at_the_command(tmp_path, capsys):
    from synergi_analysis.cli import main

    (tmp_path / "codebook.yml").write_text("dimensions:\n  site: hello\n", encoding="utf-8")
    (tmp_path / "interviews.csv").write_text("interview_id,site\na,b\n", encoding="utf-8")
    code = main(["validate", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "codebook.yml:2: site: a dimension must be a mapping" in err


# -- age bands -----------------------------------------------------------------------------

BANDS = ("dimensions:\n  age_band:\n    column: age_band\n    required: true\n    values:\n"
         "{values}")


def _band_study(tmp_path, values: str, rows: str):
    (tmp_path / "codebook.yml").write_text(BANDS.format(values=values), encoding="utf-8")
    (tmp_path / "interviews.csv").write_text("interview_id,age,age_band\n" + rows,
                                             encoding="utf-8")
    return tmp_path


def test_age_bands_in_any_order_derive_the_same_band(tmp_path):
    oldest_first = ("      - {key: old, min: 50, max: 120}\n      - {key: mid, min: 18, max: 49}\n"
                    "      - {key: young, min: 0, max: 17}\n")
    study = load_study(_band_study(tmp_path, oldest_first, "a,5,\nb,30,\nc,70,\nd,49,\n"))
    assert study.interviews["age_band"].tolist() == ["young", "mid", "old", "mid"]
    # The codebook's order stays the order of the categories.
    assert study.interviews["age_band"].cat.categories.tolist() == ["old", "mid", "young"]


def test_an_age_that_fits_no_band_is_a_problem(tmp_path):
    gap = "      - {key: young, min: 0, max: 17}\n      - {key: old, min: 30, max: 120}\n"
    with pytest.raises(ValidationError) as info:
        load_study(_band_study(tmp_path, gap, "a,5,\nb,20,\nc,25,old\n"))
    assert [str(p) for p in info.value.problems] == [
        "interviews.csv:3:age_band: age 20 fits no age_band (young 0-17, old 30-120)",
        "interviews.csv:4:age_band: age 25 fits no age_band (young 0-17, old 30-120)",
    ]


@pytest.mark.parametrize(("values", "message"), [
    ("      - {key: a, min: 0, max: 30}\n      - {key: b, min: 30, max: 120}\n",
     ":7: age_band: value 'b': 30-120 overlaps value 'a' (0-30, line 6)"),
    ("      - {key: a, min: 40, max: 30}\n",
     ":6: age_band: value 'a': min 40 is above max 30"),
    ("      - {key: a, min: 0, max: 30}\n      - {key: b}\n",
     ":7: age_band: value 'b': give min and max for every value or for none"),
])
def test_bands_that_cannot_derive_an_age_are_refused(tmp_path, values, message):
    assert _codebook_error(tmp_path, BANDS.format(values=values)) == message
