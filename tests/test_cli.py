"""The synergi command: exit codes, messages on stderr, tables on stdout."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synergi_analysis.cli import main

from .conftest import TINY_INTERVIEWS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def bad_study(tmp_path, data_dir) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    shutil.copy(data_dir / "codebook.yml", folder)
    raw = TINY_INTERVIEWS.copy()
    raw.loc[0, "service"] = "Pass"
    raw.loc[2, "interview_id"] = "T2"
    raw.to_csv(folder / "interviews.csv", index=False)
    return folder


def test_validate_shipped_data(capsys):
    code, out, err = run(capsys, "validate")
    assert code == 0 and err == ""
    n_quotes = len(pd.read_csv(Path(__file__).parents[1] / "data" / "quotes.csv"))
    assert out.splitlines()[0].endswith(
        f"valid: 45 interviews, 4 sites, 16 services, {n_quotes} quotes")


def test_validate_reports_every_problem_with_exit_2(capsys, bad_study):
    code, out, err = run(capsys, "validate", str(bad_study))
    assert code == 2 and out == ""
    assert "interviews.csv:2:service: unknown service 'Pass'; did you mean 'pas'?" in err
    assert "interviews.csv:4:interview_id: duplicate interview_id 'T2' (first on row 3)" in err
    assert "Traceback" not in err


def test_validate_missing_path_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nowhere"))
    assert code == 2 and "no such file or folder" in err


def test_service_by_age_csv_matches_the_deck(capsys):
    code, out, _ = run(capsys, "table", "service-by-age", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert table.columns.tolist() == ["service", "0-17", "18-29", "30-49", "50-69", "70+", "Antal"]
    assert table.iloc[0].tolist() == ["Pas", 1, 1, 9, 2, 2, 15]
    assert table.iloc[-1].tolist() == ["Antal", 1, 4, 16, 12, 12, 45]


def test_service_by_age_in_english_by_site(capsys):
    code, out, _ = run(capsys, "table", "service-by-age", "--lang", "en", "--by", "site",
                       "--format", "csv")
    table = pd.read_csv(io.StringIO(out)).set_index("service")
    assert code == 0
    assert table.columns.tolist() == ["Roskilde", "Ringsted", "Næstved", "Glumsø", "Total"]
    assert table.loc["Passport", "Total"] == 15 and table.loc["Total", "Total"] == 45


def test_service_by_age_markdown_and_text(capsys):
    _, md, _ = run(capsys, "table", "service-by-age", "--format", "markdown")
    assert md.splitlines()[0] == "| service | 0-17 | 18-29 | 30-49 | 50-69 | 70+ | Antal |"
    assert "| Pas | 1 | 1 | 9 | 2 | 2 | 15 |" in md
    _, text, _ = run(capsys, "table", "service-by-age")
    assert ["Antal", "1", "4", "16", "12", "12", "45"] in [line.split()
                                                         for line in text.splitlines()]


def test_table_on_a_single_bad_file_exit_2(capsys, tmp_path):
    path = tmp_path / "interviews.csv"
    path.write_text("interview_id,site\n", encoding="utf-8")
    code, out, err = run(capsys, "table", "service-by-age", "--data", str(path))
    assert code == 2 and out == ""
    assert err.strip() == f"error: {path}: the file has a header but no rows"


def test_console_script_runs_without_traceback(bad_study):
    exe = Path(sys.executable).with_name("synergi")
    proc = subprocess.run([str(exe), "validate", str(bad_study)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "unknown service 'Pass'" in proc.stderr
