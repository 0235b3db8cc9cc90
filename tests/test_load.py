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


# -- tables that would lose or change data without a word ----------------------------------

def _study_folder(tmp_path, data_dir, *names: str) -> Path:
    folder = tmp_path / "study"
    folder.mkdir(exist_ok=True)
    for name in ("codebook.yml", "interviews.csv", *names):
        (folder / name).write_bytes((data_dir / name).read_bytes())
    return folder


def test_decomposed_text_from_a_mac_matches_the_codebook(tmp_path, data_dir, study):
    import unicodedata

    text = (data_dir / "interviews.csv").read_text(encoding="utf-8")
    # "åben" decomposes (a + ring above); æ and ø have no decomposition.
    nfd = unicodedata.normalize("NFD", text).replace(",næstved,", ",Næstved,")
    assert "åben" in text and "åben" not in nfd and "a\u030aben" in nfd
    path = tmp_path / "interviews.csv"
    path.write_text(nfd, encoding="utf-8")
    loaded = load_study(path)
    _assert_same_study(loaded, study)
    assert (loaded.interviews["ventetid"] == "åben").sum() > 0


def test_mac_roman_quotes_are_read_as_mac_roman_and_said(tmp_path, data_dir, study):
    folder = _study_folder(tmp_path, data_dir)
    quotes = (data_dir / "quotes.csv").read_text(encoding="utf-8")
    assert "ø" in quotes and "æ" in quotes
    (folder / "quotes.csv").write_bytes(quotes.encode("mac_roman"))
    loaded = load_study(folder)
    pd.testing.assert_frame_equal(loaded.quotes, study.quotes)
    assert loaded.warnings == ["quotes.csv: not UTF-8; read as Mac Roman"]
    # Windows Excel's encoding is told apart from it the same way.
    (folder / "quotes.csv").write_bytes(quotes.encode("cp1252"))
    assert load_study(folder).warnings == ["quotes.csv: not UTF-8; read as Windows (cp1252)"]


def test_bytes_that_read_as_mojibake_either_way_are_refused(tmp_path, data_dir):
    from synergi_analysis.errors import StudyError

    folder = _study_folder(tmp_path, data_dir)
    # Box-drawing bytes: symbols, not letters, in both cp1252 and Mac Roman.
    (folder / "quotes.csv").write_bytes(b"quote_id,interview_id,text\nQ1,I01,\xb1\xa5\xb6\n")
    with pytest.raises(StudyError, match="quotes.csv: not UTF-8, and read as cp1252 or Mac "
                                         "Roman it holds characters no other file"):
        load_study(folder)


def test_a_separator_at_the_end_of_every_row_shifts_nothing(tmp_path, data_dir, study):
    lines = (data_dir / "interviews.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "interviews.csv"
    path.write_text("\n".join([lines[0], *(ln + "," for ln in lines[1:])]) + "\n",
                    encoding="utf-8")
    _assert_same_study(load_study(path), study)


def test_a_value_after_the_last_column_is_a_problem(tmp_path, data_dir):
    from synergi_analysis.errors import ValidationError

    lines = (data_dir / "interviews.csv").read_text(encoding="utf-8").splitlines()
    rows = [ln + "," for ln in lines[1:]]
    rows[3] += "Lone"
    path = tmp_path / "interviews.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_study(path)
    assert [str(p) for p in info.value.problems] == [
        "interviews.csv:5: a value after the last column ('Lone'); the header has 17 columns"]


def test_a_stray_quote_mark_that_merges_rows_is_reported(tmp_path, data_dir):
    from synergi_analysis.errors import ValidationError

    folder = _study_folder(tmp_path, data_dir)
    (folder / "quotes.csv").write_text(
        "quote_id,interview_id,text,stage,theme\n"
        'Q1,I01,"Hun sagde ja,ventetid,\n'
        "Q2,I02,Det er godt,,\n"
        "Q3,I03,Det er fint,,\n"
        'Q4,I04,Fint" sagde hun,,\n'
        "Q5,I05,Sidste,,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_study(folder)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("quotes.csv", 2, "text")
    assert problem.message == (
        "the cell runs over 4 lines and holds 2 that look like rows of their own (from "
        "'Q2,I02,Det er godt,,'): a stray quote mark (\") merges rows; the file has 6 lines "
        "but 3 rows")


def test_a_quote_over_several_lines_is_no_problem(tmp_path, data_dir):
    folder = _study_folder(tmp_path, data_dir)
    (folder / "quotes.csv").write_text(
        "quote_id,interview_id,text,stage,theme\n"
        'Q1,I01,"Først det ene, så det andre, og så, til sidst,\ndet tredje.",,\n'
        "Q2,I02,Det er godt,,\n", encoding="utf-8")
    assert load_study(folder).quotes["text"].tolist() == [
        "Først det ene, så det andre, og så, til sidst,\ndet tredje.", "Det er godt"]


def test_a_csv_the_tool_wrote_reads_back_to_the_same_values(tmp_path):
    from synergi_analysis._io import to_csv_bytes

    frame = pd.DataFrame({"quote_id": ["Q1", "Q2", "Q3", "Q4"],
                          "text": ["- Nej, sagde hun.", "=1+1", "@home", "'quoted' text"],
                          "n": ["-3", "+4", "5", "6"]})
    path = tmp_path / "quotes.csv"
    path.write_bytes(to_csv_bytes(frame, index=False))
    written = path.read_text(encoding="utf-8")
    assert "'- Nej, sagde hun." in written and "'=1+1" in written and "'-3" in written
    back = read_table(path)
    pd.testing.assert_frame_equal(back, frame, check_index_type=False)


# -- Excel ---------------------------------------------------------------------------------


def _workbook(path: Path, fill) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    fill(wb)
    wb.save(path)
    return path


def _interviews_sheet(ws, data_dir) -> None:
    raw = read_table(data_dir / "interviews.csv")
    ws.append(list(raw.columns))
    for row in raw.itertuples(index=False):
        ws.append(list(row))


def test_merged_cells_in_the_data_are_refused(tmp_path, data_dir):
    from synergi_analysis.errors import ValidationError

    def fill(wb):
        _interviews_sheet(wb.active, data_dir)
        wb.active.merge_cells("B3:B5")

    with pytest.raises(ValidationError) as info:
        load_study(_workbook(tmp_path / "interviews.xlsx", fill))
    assert [str(p) for p in info.value.problems] == [
        "interviews.xlsx:3: cells B3:B5 are merged: a merged cell keeps only its top-left "
        "value; unmerge them and fill in every cell"]


def test_formulas_without_a_saved_value_are_refused(tmp_path, data_dir):
    from synergi_analysis.errors import ValidationError

    def fill(wb):
        _interviews_sheet(wb.active, data_dir)
        wb.active["E4"] = "=40+21"

    with pytest.raises(ValidationError, match="interviews.xlsx:4: cell E4 holds a formula "
                                              "with no saved value"):
        load_study(_workbook(tmp_path / "interviews.xlsx", fill))


def test_data_on_two_sheets_needs_a_sheet_named(tmp_path, data_dir, study, capsys):
    from synergi_analysis.cli import main
    from synergi_analysis.errors import StudyError

    def fill(wb):
        wb.active.title = "Noter"
        wb.active["A1"] = "Interviews fra efteråret"
        _interviews_sheet(wb.create_sheet("Interviews"), data_dir)

    path = _workbook(tmp_path / "interviews.xlsx", fill)
    with pytest.raises(StudyError, match=r"data on 2 sheets \('Noter', 'Interviews'\); only one "
                                         r"is read, so name it \(--sheet NAME"):
        load_study(path)
    _assert_same_study(load_study(path, sheet="Interviews"), study)
    with pytest.raises(StudyError, match="no sheet named 'Ark9'; the workbook has 'Noter', "
                                         "'Interviews'"):
        load_study(path, sheet="Ark9")
    code = main(["validate", str(path), "--sheet", "Interviews"])
    out, err = capsys.readouterr()
    assert code == 0 and "valid: 45 interviews" in out
    with pytest.raises(StudyError, match="a sheet is named, but this is not an .xlsx"):
        load_study(data_dir / "interviews.csv", sheet="Interviews")


@pytest.mark.parametrize("dimension", [True, False])
def test_a_cell_at_the_far_corner_of_a_small_file_is_refused_fast(tmp_path, dimension):
    """8 KB, one cell at XFD1048576: refused before the table is padded to 17e9 cells."""
    import zipfile

    from synergi_analysis.errors import StudyError

    def fill(wb):
        wb.active.append(["interview_id", "site"])
        wb.active.append(["I01", "roskilde"])
        wb.active["XFD1048576"] = "x"

    path = _workbook(tmp_path / "big.xlsx", fill)
    if not dimension:
        # A file that declares no size is caught while its rows are read.
        with zipfile.ZipFile(path) as zin:
            parts = {n: zin.read(n) for n in zin.namelist()}
        parts["xl/worksheets/sheet1.xml"] = re.sub(
            rb"<dimension [^>]*/>", b"", parts["xl/worksheets/sheet1.xml"])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in parts.items():
                zout.writestr(name, data)
    assert path.stat().st_size < 8192
    with pytest.raises(StudyError, match=r"big.xlsx: refused: sheet 'Sheet' reaches cell "
                                         r"XFD1048576, more than 10,000,000 cells"):
        load_study(path)


def test_broken_xml_in_a_valid_zip_is_a_message(tmp_path, capsys):
    import zipfile

    from synergi_analysis.cli import main

    path = _workbook(tmp_path / "interviews.xlsx", lambda wb: wb.active.append(["a", "b"]))
    with zipfile.ZipFile(path) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    for member in ("xl/worksheets/sheet1.xml", "xl/workbook.xml"):
        broken = dict(parts)
        broken[member] = parts[member][: len(parts[member]) // 2]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in broken.items():
                zout.writestr(name, data)
        code = main(["validate", str(path)])
        _, err = capsys.readouterr()
        assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert err.startswith(f"error: {path}: ")
        assert ("broken XML in xl/workbook.xml" in err if member == "xl/workbook.xml"
                else "sheet 'Sheet' cannot be read" in err)
