"""Loading: the shipped study, and the same data in every form a researcher has it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synergi_analysis.load import load_study, read_table
from synergi_analysis.patterns import service_by_age

# The deck's "Datagrundlaget" table: the cells it fixes and every total.
DECK_COLUMN_TOTALS = [1, 4, 16, 12, 12, 45]
DECK_FIXED_ROWS = {
    "Pas": [1, 1, 9, 2, 2, 15],
    "Kørekort": [0, 1, 1, 2, 5, 9],
    "Biblioteksbesøgende": [0, 1, 2, 4, 0, 7],
}
DECK_ROW_TOTALS = {"Nem-ID": 2, "Vielse": 0}


def test_shipped_study_reproduces_the_decks_data_basis(study):
    table = service_by_age(study.interviews, codebook=study.codebook)
    assert table.columns.tolist() == ["0-17", "18-29", "30-49", "50-69", "70+", "Antal"]
    assert table.loc["Antal"].tolist() == DECK_COLUMN_TOTALS
    for service, cells in DECK_FIXED_ROWS.items():
        assert table.loc[service].tolist() == cells, service
    for service, total in DECK_ROW_TOTALS.items():
        assert table.loc[service, "Antal"] == total
    others = table.drop(index=[*DECK_FIXED_ROWS, *DECK_ROW_TOTALS, "Antal"])
    assert len(others) == 12 and (others["Antal"] == 1).all()


def test_named_speakers_of_the_deck(study):
    iv = study.interviews.set_index("speaker")
    lone = iv.loc["Lone"]
    assert (lone["age"], lone["service"], lone["site"]) == (61, "pas", "næstved")
    karina = iv.loc["Karina"]
    assert (karina["age"], karina["site"], karina["attitude"]) == (44, "ringsted", "A")
    mads = iv.loc["Mads"]
    assert (mads["service"], mads["site"], mads["attitude"]) == ("kørekort", "roskilde", "B")
    assert iv.loc["Kaj og Gerda", "service"] == "lægeskift"
    assert iv.loc["Harly", "site"] == "glumsø"


def test_lone_is_quoted_verbatim(study):
    quotes = study.quotes.merge(study.interviews[["interview_id", "speaker"]], on="interview_id")
    lone = quotes.loc[quotes["speaker"] == "Lone", "text"].tolist()
    assert any(t.startswith("Jeg har taget chancenummer for at få lavet nyt pas") for t in lone)


def test_every_quote_belongs_to_an_interview(study):
    assert set(study.quotes["interview_id"]) <= set(study.interviews["interview_id"])
    assert len(study.quotes) >= 20


def test_five_long_interviews(study):
    assert int(study.interviews["long_interview"].sum()) == 5


def _assert_same_study(a, b):
    pd.testing.assert_frame_equal(a.interviews, b.interviews)


def test_danish_excel_csv_loads_to_the_same_frame(tmp_path, data_dir, study):
    """Semicolon-separated, cp1252, CRLF: what Excel in a Danish locale saves."""
    raw = read_table(data_dir / "interviews.csv")
    path = tmp_path / "interviews.csv"
    path.write_bytes(raw.to_csv(index=False, sep=";", lineterminator="\r\n").encode("cp1252"))
    assert b";" in path.read_bytes()[:200]
    _assert_same_study(load_study(path), study)


def test_utf8_bom_semicolon_csv_loads_to_the_same_frame(tmp_path, data_dir, study):
    raw = read_table(data_dir / "interviews.csv")
    path = tmp_path / "interviews.csv"
    path.write_bytes(raw.to_csv(index=False, sep=";").encode("utf-8-sig"))
    _assert_same_study(load_study(path), study)


def test_xlsx_loads_to_the_same_frame(tmp_path, data_dir, study):
    raw = read_table(data_dir / "interviews.csv")
    typed = raw.copy()
    # Excel stores numbers and booleans as such, not as text.
    typed["age"] = pd.to_numeric(typed["age"]).astype("Int64")
    typed["long_interview"] = typed["long_interview"].str.lower() == "true"
    path = tmp_path / "interviews.xlsx"
    typed.to_excel(path, index=False)
    _assert_same_study(load_study(path), study)


def test_study_folder_with_xlsx_and_quotes(tmp_path, data_dir, study):
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("codebook.yml", "quotes.csv"):
        (folder / name).write_bytes((data_dir / name).read_bytes())
    read_table(data_dir / "interviews.csv").to_excel(folder / "interviews.xlsx", index=False)
    loaded = load_study(folder)
    _assert_same_study(loaded, study)
    pd.testing.assert_frame_equal(loaded.quotes, study.quotes)


def test_fingerprint_changes_with_the_data(tmp_path, data_dir, study):
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("codebook.yml", "interviews.csv", "quotes.csv"):
        (folder / name).write_bytes((data_dir / name).read_bytes())
    first = load_study(folder).fingerprint
    assert load_study(folder).fingerprint == first
    with open(folder / "quotes.csv", "a", encoding="utf-8") as fh:
        fh.write("Q999,I01,Et nyt citat.,,\n")
    assert load_study(folder).fingerprint != first


def test_provenance_names_data_codebook_and_version(study):
    info = study.provenance()
    assert info["interviews"] == "45"
    assert info["codebook"].endswith("codebook.yml")
    assert re.fullmatch(r"[0-9a-f]{16}", info["data_sha256"])
    assert info["synergi_analysis"] == __import__("synergi_analysis").__version__


def test_anonymised_study_hides_names_and_ages(study):
    anon = study.anonymised()
    names = set(study.interviews["speaker"].dropna())
    assert not names & set(anon.interviews["speaker"].dropna())
    assert anon.interviews["age"].isna().all()
    assert anon.interviews["age_band"].equals(study.interviews["age_band"])
    assert anon.anonymous and not study.anonymous
    # The original is untouched.
    assert "Lone" in set(study.interviews["speaker"])


def test_shipped_data_is_found_from_the_notebooks_folder():
    repo = Path(__file__).resolve().parent.parent
    code = "from synergi_analysis import load_study; print(len(load_study().interviews))"
    out = subprocess.run([sys.executable, "-c", code], cwd=repo / "notebooks",
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": ""})
    assert out.stdout.strip() == "45"


def test_import_does_not_load_plotting_libraries():
    code = ("import sys, synergi_analysis; synergi_analysis.load_study; "
            "print(any(m.startswith(('matplotlib', 'seaborn', 'papermill')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", ["missing-folder", "interviews.txt.gz"])
def test_paths_that_are_not_studies(tmp_path, name):
    from synergi_analysis.errors import StudyError

    target = tmp_path / name
    if name.endswith(".gz"):
        target.write_bytes(b"x")
    with pytest.raises(StudyError):
        load_study(target)


def test_fingerprint_covers_the_tables_beside_the_data_whatever_was_read_first(
        tmp_path, data_dir):
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("codebook.yml", "interviews.csv", "quotes.csv", "services.csv"):
        (folder / name).write_bytes((data_dir / name).read_bytes())
    fresh = load_study(folder)
    read_first = load_study(folder)
    assert read_first.table("services") is not None
    before = fresh.fingerprint
    assert read_first.fingerprint == before
    with open(folder / "services.csv", "a", encoding="utf-8") as fh:
        fh.write("\n")
    assert load_study(folder).fingerprint != before


def test_quotes_file_with_only_a_header(tmp_path, data_dir):
    from synergi_analysis.errors import ValidationError

    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("codebook.yml", "interviews.csv"):
        (folder / name).write_bytes((data_dir / name).read_bytes())
    (folder / "quotes.csv").write_text("quote_id,interview_id,text,stage,theme\n",
                                       encoding="utf-8")
    assert load_study(folder).quotes.empty
    # A header that lacks required columns is still reported, rows or not.
    (folder / "quotes.csv").write_text("quote_id,text\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="quotes.csv:1: missing required column: "
                                              "interview_id"):
        load_study(folder)
