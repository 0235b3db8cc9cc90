"""Bad input: each kind of mistake gives its message, located by file, row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from synergi_analysis.errors import Problem, StudyError, ValidationError
from synergi_analysis.load import load_study
from synergi_analysis.validate import validate_interviews, validate_quotes

from .conftest import TINY_INTERVIEWS, TINY_QUOTES


def _messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def _one_change(codebook, row: int, column: str, value: str) -> list[str]:
    raw = TINY_INTERVIEWS.copy()
    raw.loc[row, column] = value
    _, problems = validate_interviews(raw, codebook, file="x.csv")
    return _messages(problems)


def test_tiny_study_is_valid_and_typed(tiny_study):
    iv = tiny_study.interviews
    assert iv["site"].cat.categories.tolist() == ["roskilde", "ringsted", "næstved", "glumsø"]
    assert iv["age"].dtype == "Int64"
    # T1 is 34: band derived from the age; T5 has only a band.
    assert iv.loc[0, "age_band"] == "30-49"
    assert iv.loc[4, "age_band"] == "50-69" and pd.isna(iv.loc[4, "age"])
    assert iv["long_interview"].tolist() == [False, True, False, False, False, False]
    assert iv.loc[3, "life_situations"] == "myndig;flytning"


def test_labels_in_any_case_are_read_as_keys(codebook):
    raw = TINY_INTERVIEWS.copy()
    raw.loc[0, "site"] = "NÆSTVED"
    raw.loc[1, "service"] = "Driving licence"
    raw.loc[2, "ventetid"] = "Åben"
    frame, problems = validate_interviews(raw, codebook, file="x.csv")
    assert problems == []
    assert (frame.loc[0, "site"], frame.loc[1, "service"], frame.loc[2, "ventetid"]) == (
        "næstved", "kørekort", "åben")


def test_misspelt_code_suggests_the_closest_value(codebook):
    assert _one_change(codebook, 1, "service", "Kørekrot") == [
        "x.csv:3:service: unknown service 'Kørekrot'; did you mean 'kørekort'?"
    ]


def test_code_with_nothing_close_lists_the_allowed_values(codebook):
    (msg,) = _one_change(codebook, 0, "competence", "zzz")
    assert msg == ("x.csv:2:competence: unknown competence 'zzz'; "
                   "allowed: navigationsstærk, navigationssvag")


def test_unknown_item_in_a_multi_valued_cell(codebook):
    (msg,) = _one_change(codebook, 0, "life_situations", "udlandsrejse;pensionsit")
    assert msg == ("x.csv:2:life_situations: unknown life_situation 'pensionsit'; "
                   "did you mean 'pensionist'?")


def test_duplicate_interview_id_names_both_rows(codebook):
    assert _one_change(codebook, 4, "interview_id", "T2") == [
        "x.csv:6:interview_id: duplicate interview_id 'T2' (first on row 3)"
    ]


def test_missing_required_columns(codebook):
    raw = TINY_INTERVIEWS.drop(columns=["service", "site"])
    _, problems = validate_interviews(raw, codebook, file="x.csv")
    assert _messages(problems) == ["x.csv:1: missing required columns: site, service"]


def test_age_band_may_be_missing_when_age_is_given(codebook):
    raw = TINY_INTERVIEWS.drop(columns=["age_band"])
    raw.loc[4, "age"] = "55"
    frame, problems = validate_interviews(raw, codebook, file="x.csv")
    assert problems == []
    assert frame["age_band"].tolist() == ["30-49", "70+", "70+", "18-29", "50-69", "30-49"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("121", "x.csv:2:age: age 121 is outside 0-120"),
        ("-1", "x.csv:2:age: age -1 is outside 0-120"),
        ("34.5", "x.csv:2:age: age '34.5' is not a whole number"),
        ("tres", "x.csv:2:age: age 'tres' is not a whole number"),
    ],
)
def test_bad_ages(codebook, value, message):
    assert _one_change(codebook, 0, "age", value) == [message]


def test_age_that_disagrees_with_its_band(codebook):
    assert _one_change(codebook, 0, "age_band", "70+") == [
        "x.csv:2:age_band: age_band '70+' disagrees with age 34 (band '30-49')"
    ]


def test_attitude_from_the_wrong_scale(codebook):
    # T6 is a library visitor: only A and B exist on that scale.
    assert _one_change(codebook, 5, "attitude", "D") == [
        "x.csv:7:attitude: attitude 'D' is not on the bibliotek scale (A, B)"
    ]


def test_service_for_the_other_visitor_type(codebook):
    assert _one_change(codebook, 0, "visitor_type", "bibliotek") == [
        "x.csv:2:visitor_type: service 'pas' is for visitor_type 'borgerservice', not 'bibliotek'"
    ]


def test_empty_required_code(codebook):
    assert _one_change(codebook, 2, "site", "  ") == ["x.csv:4:site: site is empty"]


def test_all_problems_are_reported_in_one_pass(codebook):
    raw = TINY_INTERVIEWS.copy()
    raw.loc[0, "site"] = "Roskidle"
    raw.loc[3, "age"] = "200"
    raw.loc[5, "interview_id"] = "T1"
    raw.loc[2, "long_interview"] = "måske"
    _, problems = validate_interviews(raw, codebook, file="x.csv")
    assert sorted((p.row, p.column) for p in problems) == [
        (2, "site"), (4, "long_interview"), (5, "age"), (7, "interview_id")]


def test_no_row_is_dropped_even_when_invalid(codebook):
    raw = TINY_INTERVIEWS.copy()
    raw.loc[1, "service"] = "???"
    frame, problems = validate_interviews(raw, codebook, file="x.csv")
    assert len(frame) == len(raw) and len(problems) == 1


def test_quote_of_an_unknown_interview(codebook):
    raw = TINY_QUOTES.copy()
    raw.loc[2, "interview_id"] = "T99"
    _, problems = validate_quotes(raw, codebook, TINY_INTERVIEWS["interview_id"],
                                  file="q.csv", interviews_file="interviews.csv")
    assert _messages(problems) == ["q.csv:4:interview_id: interview 'T99' is not in interviews.csv"]


def test_quote_markup_is_kept_verbatim(codebook):
    quotes, problems = validate_quotes(TINY_QUOTES, codebook, TINY_INTERVIEWS["interview_id"],
                                       file="q.csv")
    assert problems == []
    assert quotes.loc[1, "text"] == "Det er <b>trygt</b> her."


def test_duplicate_quote_id_and_unknown_stage(codebook):
    raw = TINY_QUOTES.copy()
    raw.loc[1, "quote_id"] = "q1"
    raw.loc[2, "stage"] = "ventetd"
    _, problems = validate_quotes(raw, codebook, TINY_INTERVIEWS["interview_id"], file="q.csv")
    assert _messages(problems) == [
        "q.csv:3:quote_id: duplicate quote_id 'q1'",
        "q.csv:4:stage: unknown journey_stage 'ventetd'; did you mean 'ventetid'?",
    ]


def test_validation_error_lists_every_problem(tmp_path, data_dir):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "codebook.yml").write_bytes((data_dir / "codebook.yml").read_bytes())
    raw = TINY_INTERVIEWS.copy()
    raw.loc[0, "service"] = "paas"
    raw.to_csv(folder / "interviews.csv", index=False)
    q = TINY_QUOTES.copy()
    q.loc[0, "interview_id"] = "nope"
    q.to_csv(folder / "quotes.csv", index=False)
    with pytest.raises(ValidationError) as info:
        load_study(folder)
    assert [str(p) for p in info.value.problems] == [
        "interviews.csv:2:service: unknown service 'paas'; did you mean 'pas'?",
        "quotes.csv:2:interview_id: interview 'nope' is not in interviews.csv",
    ]
    assert str(info.value).startswith("2 problems in the data:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (",".join(TINY_INTERVIEWS.columns).encode() + b"\n", "the file has a header but no rows"),
        (b"\x00\x01\x02PK\x03\x04garbage", "not a text table (binary content)"),
        (b'interview_id,site\n"T1,roskilde\n', "cannot be read as a table"),
    ],
)
def test_broken_files(tmp_path, content, message):
    path = tmp_path / "interviews.csv"
    path.write_bytes(content)
    with pytest.raises(StudyError) as info:
        load_study(path)
    assert str(info.value).startswith(f"{path}: {message}")


def test_broken_xlsx(tmp_path):
    path = tmp_path / "interviews.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(StudyError, match="not a readable .xlsx workbook"):
        load_study(path)


def test_broken_codebook(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "codebook.yml").write_text("dimensions:\n  site: [unclosed\n", encoding="utf-8")
    TINY_INTERVIEWS.to_csv(folder / "interviews.csv", index=False)
    with pytest.raises(StudyError, match=r"codebook.yml:\d+: codebook is not valid YAML"):
        load_study(folder)


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(tmp_path):
    lines = TINY_INTERVIEWS.to_csv(index=False).splitlines()
    lines[3] = lines[3].replace("kørekort", "kørekrot")  # row 4 of the sheet
    lines.insert(2, "")  # a blank row 3
    lines.insert(3, "," * (len(TINY_INTERVIEWS.columns) - 1))  # a row of empty cells: row 4
    # The typo now stands on row 6 of the sheet; neither blank row is a problem.
    path = tmp_path / "interviews.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_study(path)
    assert [str(p) for p in info.value.problems] == [
        "interviews.csv:6:service: unknown service 'kørekrot'; did you mean 'kørekort'?"]


# -- the order and length of what is reported ---------------------------------------------


def test_problems_come_in_file_row_column_order_with_rows_as_numbers(codebook, tmp_path):
    raw = pd.concat([TINY_INTERVIEWS] * 4, ignore_index=True)
    raw["interview_id"] = [f"X{i}" for i in range(len(raw))]
    for row in (19, 9, 2, 1, 8):
        raw.loc[row, "service"] = "paas"
    raw.loc[1, "site"] = "Rosklide"
    raw.to_csv(tmp_path / "interviews.csv", index=False)
    with pytest.raises(ValidationError) as info:
        load_study(tmp_path / "interviews.csv")
    located = [(p.row, p.column) for p in info.value.problems]
    # Rows 3, 4, 10, 11, 21 as numbers (not 10, 11, 21, 3, 4); site before service on
    # row 3, as the columns stand in the file.
    assert located == [(3, "site"), (3, "service"), (4, "service"), (10, "service"),
                       (11, "service"), (21, "service")]
    assert all(type(p.row) is int for p in info.value.problems)


def test_rows_that_are_names_sort_naturally():
    problems = [Problem("p.qdpx", f"case {n}", "site", "x") for n in ("I10", "I2", "I1")]
    problems.append(Problem("a.csv", None, None, "file-level"))
    assert [str(p.row) for p in ValidationError(problems).problems] == [
        "None", "case I1", "case I2", "case I10"]


def test_a_million_problems_print_a_bounded_message_and_a_count():
    problems = [Problem("interviews.csv", r, "service", "unknown service 'x'")
                for r in range(2, 1_000_002)]
    problems.append(Problem("quotes.csv", 5, "text", "text is empty"))
    error = ValidationError(problems)
    lines = str(error).splitlines()
    assert len(error.problems) == 1_000_001
    assert lines[0] == "1,000,001 problems in the data:"
    assert len(lines) <= 60
    assert lines[1] == "  interviews.csv:2:service: unknown service 'x'"
    assert lines[-1] == ("  ... and 999,951 more (interviews.csv:service 999,950; "
                         "quotes.csv:text 1)")


def test_long_values_are_cut_in_messages_and_suggestions_stay_cheap(codebook):
    raw = TINY_INTERVIEWS.copy()
    huge = "pas" + "x" * 5_000_000
    raw.loc[0, "service"] = huge
    _, problems = validate_interviews(raw, codebook, file="x.csv")
    (message,) = _messages(problems)
    assert len(message) < 300
    assert message.startswith("x.csv:2:service: unknown service 'pasxxxxx")
    assert "(5,000,003 characters)" in message
    assert codebook["service"].suggest(huge) is None


# -- synergi validate: every table of the folder, and which codebook -----------------------


def test_validate_checks_the_ranking_and_site_tables(tmp_path, data_dir, capsys):
    import shutil

    from synergi_analysis.cli import main

    folder = tmp_path / "study"
    shutil.copytree(data_dir, folder)
    services = (folder / "services.csv").read_text(encoding="utf-8").splitlines()
    services[2] = services[2].replace(",fuld,", ",hel,", 1)
    (folder / "services.csv").write_text("\n".join(services) + "\n", encoding="utf-8")
    with open(folder / "library_offers.csv", "a", encoding="utf-8") as fh:
        fh.write("pas,Rejsebøger,bog,\n")
    with open(folder / "sites.csv", "a", encoding="utf-8") as fh:
        fh.write("Naestved,x,,,,,,,,\n")
    n_offers = len((folder / "library_offers.csv").read_text(encoding="utf-8").splitlines())
    n_sites = len((folder / "sites.csv").read_text(encoding="utf-8").splitlines())
    code = main(["validate", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.splitlines()[1:] == [
        f"  library_offers.csv:{n_offers}:kind: unknown kind 'bog'; allowed: physical, "
        "digital, event, guidance",
        "  services.csv:3:roskilde: unknown desk 'hel'; allowed: fuld, light, bibliotek, ingen "
        "or blank",
        f"  sites.csv:{n_sites}:site: unknown site 'Naestved'; did you mean 'næstved'?",
    ]


def test_validate_says_when_the_shipped_codebook_is_used(tmp_path, data_dir, capsys):
    from synergi_analysis.cli import main

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "interviews.csv").write_bytes((data_dir / "interviews.csv").read_bytes())
    note = (f"warning: {folder}: no codebook.yml in this folder; read against the shipped "
            f"codebook ({data_dir / 'codebook.yml'})")
    assert main(["validate", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "valid: 45 interviews" in out and err.strip() == note
    # Said too when the data does not fit: the wrong codebook may be why.
    with open(folder / "interviews.csv", "a", encoding="utf-8") as fh:
        fh.write("X1,aarhus,borgerservice,pas,40,,,,,,,,,,,false,\n")
    assert main(["validate", str(folder)]) == 2
    _, err = capsys.readouterr()
    assert err.splitlines()[0] == note and "unknown site 'aarhus'" in err


def test_a_huge_cell_is_one_short_message(tmp_path, capsys):
    from synergi_analysis.cli import main

    lines = TINY_INTERVIEWS.to_csv(index=False).splitlines()
    cells = lines[1].split(",")
    cells[3] = "pas" + "x" * 20_000_000
    lines[1] = ",".join(cells)
    path = tmp_path / "interviews.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    _, err = capsys.readouterr()
    assert len(err) < 400 and "(20,000,003 characters)" in err and "Traceback" not in err


def test_decomposed_values_from_any_loader_match_the_codebook(codebook):
    import unicodedata

    raw = TINY_INTERVIEWS.copy()
    raw.loc[0, "ventetid"] = unicodedata.normalize("NFD", "Åben")
    raw.loc[1, "speaker"] = unicodedata.normalize("NFD", "Åse")
    frame, problems = validate_interviews(raw, codebook, file="x.csv")
    assert problems == []
    assert frame.loc[0, "ventetid"] == "åben" and frame.loc[1, "speaker"] == "Åse"
    quotes = TINY_QUOTES.copy()
    quotes.loc[0, "text"] = unicodedata.normalize("NFD", "Så går vi på biblioteket.")
    out, _ = validate_quotes(quotes, codebook, frame["interview_id"], file="q.csv")
    assert out.loc[0, "text"] == "Så går vi på biblioteket."
    assert unicodedata.is_normalized("NFC", out.loc[0, "text"])


def test_a_long_name_as_a_row_is_cut_in_the_message():
    problem = Problem("p.qdpx", "case " + "A" * 10_000, "site", "unknown site 'x'")
    assert str(problem) == ("p.qdpx:case " + "A" * 75 + "... (10,005 characters):site: "
                            "unknown site 'x'")
