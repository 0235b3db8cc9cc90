"""Hostile input: files that try to read from outside, hide data, or crash the reader.

Every hostile file is generated here, in ``tmp_path``; none is shipped.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from synergi_analysis.cli import main
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.load import load_study
from synergi_analysis.qda import load_qdpx
from synergi_analysis.qda._read import read_project


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- REFI-QDA projects built in code ---------------------------------------------------


def g(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def project_xml(*, codes: str = "", sources: str = "", cases: str = "", attrs: str = "") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="test" {attrs}>'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook><Cases>{cases}</Cases>"
            f"<Sources>{sources}</Sources></Project>")


def write_qdpx(path: Path, xml: str, files: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        for name, text in (files or {}).items():
            zf.writestr(name, text)
    return path


def sel(guid: str, start: int | str, end: int | str, name: str = "") -> str:
    return (f'<PlainTextSelection guid="{guid}" name="{name}" startPosition="{start}" '
            f'endPosition="{end}"/>')


def text_source(guid: str, name: str, ref: str, selections: str = "") -> str:
    return (f'<TextSource guid="{guid}" name="{name}" plainTextPath="{ref}">{selections}'
            "</TextSource>")


SECRET = "the contents of a private file"


@pytest.mark.parametrize("base", [".", "/", "/proc/self/cwd", "{home}"])
def test_base_path_from_the_file_is_never_read(tmp_path, monkeypatch, base):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text(SECRET, encoding="utf-8")
    monkeypatch.chdir(home)
    base = base.format(home=home)
    inner = home.relative_to("/") / "notes.txt" if base == "/" else "notes.txt"
    ref = f"relative:///{inner}"
    xml = project_xml(sources=text_source(g(21), "notes", ref, sel(g(41), 0, 10)),
                      attrs=f'basePath="{base}"')
    study = load_qdpx(write_qdpx(tmp_path / "p.qdpx", xml))
    assert SECRET[:10] not in study.quotes["text"].tolist()
    assert study.project.missing_texts == {"notes": ref}
    assert any("not in the project" in w for w in study.warnings)


def test_external_sources_are_read_only_from_the_folder_the_user_names(tmp_path, capsys):
    named = tmp_path / "media"
    named.mkdir()
    (named / "notes.txt").write_text("Jeg skal have nyt pas.", encoding="utf-8")
    xml = project_xml(sources=text_source(g(21), "notes", "relative:///notes.txt",
                                          sel(g(41), 0, 10)),
                      attrs=f'basePath="{tmp_path}"')
    path = write_qdpx(tmp_path / "p.qdpx", xml)
    assert read_project(path).texts[g(21)] is None
    project = read_project(path, sources=named)
    assert project.texts[g(21)] == "Jeg skal have nyt pas."
    assert load_study(path, sources=named).quotes["text"].tolist() == ["Jeg skal h"]
    code, out, err = run(capsys, "import-qdpx", str(path), "--out", str(tmp_path / "s"),
                         "--sources", str(named))
    assert code == 0, err
    assert "Jeg skal h" in (tmp_path / "s" / "quotes.csv").read_text(encoding="utf-8")
    code, out, err = run(capsys, "table", "quotes", "--data", str(path), "--sources", str(named))
    assert code == 0 and "Jeg skal h" in out


def test_a_file_in_the_named_folder_that_links_outside_it_is_refused(tmp_path):
    named = tmp_path / "media"
    named.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (named / "notes.txt").symlink_to(tmp_path / "secret.txt")
    xml = project_xml(sources=text_source(g(21), "notes", "relative:///notes.txt"))
    path = write_qdpx(tmp_path / "p.qdpx", xml)
    with pytest.raises(StudyError, match="refused: .*notes.txt.* symbolic link"):
        read_project(path, sources=named)


def _loose_project(folder: Path, ref: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    xml = project_xml(sources=text_source(g(21), "notes", ref, sel(g(41), 0, 10)))
    (folder / "project.qde").write_text(xml, encoding="utf-8")
    return folder / "project.qde"


def test_a_symlinked_sources_folder_beside_a_loose_qde_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / f"{g(21)}.txt").write_text(SECRET, encoding="utf-8")
    qde = _loose_project(tmp_path / "export", f"internal://{g(21)}.txt")
    (tmp_path / "export" / "sources").symlink_to(outside, target_is_directory=True)
    with pytest.raises(StudyError, match="refused: sources.* symbolic link"):
        read_project(qde)


def test_a_symlinked_file_in_sources_is_refused(tmp_path):
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    qde = _loose_project(tmp_path / "export", f"internal://{g(21)}.txt")
    (tmp_path / "export" / "sources").mkdir()
    (tmp_path / "export" / "sources" / f"{g(21)}.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(StudyError, match="symbolic link"):
        read_project(qde)


def test_a_loose_qde_reads_no_text_beside_itself_outside_sources(tmp_path):
    qde = _loose_project(tmp_path / "export", "relative:///notes.txt")
    (tmp_path / "export" / "notes.txt").write_text(SECRET, encoding="utf-8")
    project = read_project(qde)
    assert project.texts[g(21)] is None and project.missing_texts == {
        "notes": "relative:///notes.txt"}


TEXT = "Jeg skal have nyt pas, for vi skal til Berlin."


def _positions_project(tmp_path: Path, *selections: str) -> Path:
    xml = project_xml(sources=text_source(g(21), "Anna", f"internal://{g(21)}.txt",
                                          "".join(selections)))
    return write_qdpx(tmp_path / "p.qdpx", xml, {f"sources/{g(21)}.txt": TEXT})


@pytest.mark.parametrize(("start", "end", "message"), [
    (-5, 10, "startPosition -5 is negative"),
    (0, -1, "endPosition -1 is negative"),
    (20, 4, "startPosition 20 is after endPosition 4"),
    (0, 10**30, f"endPosition {10**30} is past any text"),
    (10**30, 5, f"startPosition {10**30} is past any text"),
])
def test_impossible_positions_are_problems(tmp_path, capsys, start, end, message):
    path = _positions_project(tmp_path, sel(g(41), 0, 3), sel(g(42), start, end))
    with pytest.raises(ValidationError) as info:
        load_qdpx(path)
    assert [str(p) for p in info.value.problems] == [f"p.qdpx:selection {g(42)}:"
                                                     f"{message.split()[0]}: {message}"]
    code, _, err = run(capsys, "import-qdpx", str(path), "--out", str(tmp_path / "s"))
    assert code == 2 and "Traceback" not in err and message in err
    assert not (tmp_path / "s").exists()


def test_a_selection_guid_used_twice_is_a_problem(tmp_path):
    path = _positions_project(tmp_path, sel(g(41), 0, 3, "a"), sel(g(41), 4, 8, "b"))
    with pytest.raises(ValidationError, match=f"selection {g(41)}: the GUID is used by 2 "
                                              "selections"):
        load_qdpx(path)


def test_a_code_guid_used_twice_is_a_problem(tmp_path):
    codes = f'<Code guid="{g(1)}" name="Pas"/><Code guid="{g(1)}" name="Kørekort"/>'
    xml = project_xml(codes=codes, sources=text_source(g(21), "Anna", f"internal://{g(21)}.txt"))
    path = write_qdpx(tmp_path / "p.qdpx", xml, {f"sources/{g(21)}.txt": TEXT})
    with pytest.raises(ValidationError, match=f"code {g(1)}: the GUID is used by 2 codes"):
        read_project(path)


def test_a_thousand_nested_codes_are_read_without_recursion(tmp_path):
    depth = 1000
    codes = "".join(f'<Code guid="{g(1000 + k)}" name="c{k}">' for k in range(depth))
    codes += "</Code>" * depth
    xml = project_xml(codes=codes, sources=text_source(g(21), "Anna", f"internal://{g(21)}.txt"))
    project = read_project(write_qdpx(tmp_path / "p.qdpx", xml, {f"sources/{g(21)}.txt": TEXT}))
    assert len(project.codes) == depth
    deepest = project.codes[g(1000 + depth - 1)]
    assert len(deepest.path) == depth and deepest.path[:2] == ("c0", "c1")
    assert list(project.codes)[:3] == [g(1000), g(1001), g(1002)]


def test_a_deep_code_tree_goes_through_every_command(tmp_path, capsys):
    depth = 1000
    codes = "".join(f'<Code guid="{g(1000 + k)}" name="c{k}">' for k in range(depth))
    codes += "</Code>" * depth
    selection = (f'<PlainTextSelection guid="{g(41)}" startPosition="0" endPosition="5">'
                 f'<Coding guid="{g(42)}"><CodeRef targetGUID="{g(1000 + depth - 1)}"/></Coding>'
                 "</PlainTextSelection>")
    xml = project_xml(codes=codes, sources=text_source(g(21), "Anna", f"internal://{g(21)}.txt",
                                                      selection))
    path = write_qdpx(tmp_path / "deep.qdpx", xml, {f"sources/{g(21)}.txt": TEXT})
    code, out, err = run(capsys, "import-qdpx", str(path), "--out", str(tmp_path / "s"))
    assert code == 0, err
    code, out, err = run(capsys, "table", "code-frequencies", "--data", str(path))
    assert code == 0 and "Traceback" not in err
    assert "::".join(f"c{k}" for k in range(depth)) in out


def test_two_entries_with_one_name_are_refused(tmp_path):
    path = tmp_path / "p.qdpx"
    xml = project_xml(sources=text_source(g(21), "Anna", f"internal://{g(21)}.txt"))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr(f"sources/{g(21)}.txt", TEXT)
        zf.writestr(f"Sources/{g(21)}.TXT", SECRET)
    with pytest.raises(StudyError, match="refused: the archive holds two entries named"):
        read_project(path)


def test_no_file_is_read_through_a_relative_path_from_the_working_folder(tmp_path, monkeypatch):
    # A bare name is looked up inside the archive only, never in the working folder.
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text(SECRET, encoding="utf-8")
    xml = project_xml(sources=text_source(g(21), "notes", "notes.txt", sel(g(41), 0, 5)))
    project = read_project(write_qdpx(tmp_path / "p.qdpx", xml))
    assert project.texts[g(21)] is None
    assert os.path.exists("notes.txt")


# -- formula injection: every CSV the tool writes -----------------------------------------


def _study_with_quote(tmp_path: Path, data_dir: Path, text: str) -> Path:
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(data_dir, folder)
    lines = (folder / "quotes.csv").read_text(encoding="utf-8").splitlines()
    qid, iid = lines[1].split(",")[:2]
    lines[1] = f'{qid},{iid},"{text}",,'
    (folder / "quotes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_table_csv_neutralises_formulas(tmp_path, data_dir, capsys):
    import pandas as pd

    folder = _study_with_quote(tmp_path, data_dir, '=HYPERLINK(""http://x.example"",""klik"")')
    code, out, err = run(capsys, "table", "quotes", "--data", str(folder), "--format", "csv")
    assert code == 0, err
    texts = pd.read_csv(__import__("io").StringIO(out), dtype=str)["text"].tolist()
    assert "'=HYPERLINK(\"http://x.example\",\"klik\")" in texts
    assert not any(str(t).startswith(("=", "+", "-", "@")) for t in texts)


def _formula_project(tmp_path: Path) -> Path:
    text = "=cmd|' /C calc'!A0 sagde hun. -Nej."
    cases = (f'<Case guid="{g(31)}" name="@SUM(1+1)"><SourceRef targetGUID="{g(21)}"/>'
             "</Case>")
    xml = project_xml(cases=cases, sources=text_source(
        g(21), "Anna", f"internal://{g(21)}.txt", sel(g(41), 0, 22) + sel(g(42), 30, 34)))
    return write_qdpx(tmp_path / "p.qdpx", xml, {f"sources/{g(21)}.txt": text})


def test_import_writes_formula_safe_csv_that_reads_back_unchanged(tmp_path, capsys):
    code, _, err = run(capsys, "import-qdpx", str(_formula_project(tmp_path)), "--out",
                       str(tmp_path / "s"))
    assert code == 0, err
    quotes = (tmp_path / "s" / "quotes.csv").read_text(encoding="utf-8")
    interviews = (tmp_path / "s" / "interviews.csv").read_text(encoding="utf-8")
    assert ",'=cmd|' /C calc'!A0 sag," in quotes and ",'-Nej," in quotes
    assert interviews.splitlines()[1].startswith("'@SUM(1+1)")
    # Read back, the quote marks the writer added are gone again.
    from synergi_analysis._io import read_table

    assert read_table(tmp_path / "s" / "quotes.csv")["text"].tolist() == [
        "=cmd|' /C calc'!A0 sag", "-Nej"]
    assert read_table(tmp_path / "s" / "interviews.csv")["interview_id"].tolist() == [
        "@SUM(1+1)"]


# -- outputs: never through a link, never half-written, one line when a write fails ---------


def test_import_into_a_file_is_bad_input(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "import-qdpx", str(_formula_project(tmp_path)), "--out",
                       str(taken))
    assert code == 2 and err.strip() == f"error: {taken}: exists and is not a folder; give a " \
                                        "folder to write the study to"
    assert taken.read_text(encoding="utf-8") == "keep me"


def test_import_into_the_codebooks_own_folder(tmp_path, data_dir, capsys):
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(data_dir, folder)
    before = (folder / "codebook.yml").read_bytes()
    code, _, err = run(capsys, "import-qdpx", str(_formula_project(tmp_path)), "--out",
                       str(folder), "--codebook", str(folder / "codebook.yml"), "--force")
    assert code == 0, err
    assert (folder / "codebook.yml").read_bytes() == before
    assert "@SUM(1+1)" in (folder / "interviews.csv").read_text(encoding="utf-8")


def _full_disk_at(monkeypatch, n: int) -> None:
    """The n-th file written from now on meets a full disk halfway."""
    import errno

    from synergi_analysis import _io

    real = _io.os.fdopen
    calls = {"n": 0}

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, *args, **kwargs):
        calls["n"] += 1
        fh = real(fd, *args, **kwargs)
        return Full(fh) if calls["n"] == n else fh

    monkeypatch.setattr(_io.os, "fdopen", fdopen)


def test_a_full_disk_during_import_leaves_the_old_study_whole(tmp_path, data_dir, capsys,
                                                              monkeypatch):
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(data_dir, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    project = _formula_project(tmp_path)
    _full_disk_at(monkeypatch, 2)  # interviews.csv is written, quotes.csv is not
    code, _, err = run(capsys, "import-qdpx", str(project), "--out", str(folder), "--force")
    assert code == 1 and "Traceback" not in err
    assert err.strip() == f"error: cannot write {folder / 'quotes.csv'}: No space left on device"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_export_never_writes_through_a_planted_link(tmp_path, tiny_study):
    from synergi_analysis.qda import export_qdpx

    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out.qdpx"
    for name in (f"{out.name}.part", f".{out.name}.tmp", f"{out.name}.{os.getpid()}.tmp"):
        (tmp_path / name).symlink_to(victim)
    export_qdpx(tiny_study, out)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert zipfile.is_zipfile(out) and not out.is_symlink()
    # An existing link at the target itself is replaced, not written through.
    out.unlink()
    out.symlink_to(victim)
    export_qdpx(tiny_study, out, overwrite=True)
    assert victim.read_text(encoding="utf-8") == "precious" and zipfile.is_zipfile(out)


def test_export_to_a_folder_or_a_full_disk(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "taken.qdpx"
    folder.mkdir()
    code, _, err = run(capsys, "export-qdpx", "--out", str(folder))
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "export-qdpx", "--out", str(folder), "--force")
    assert code == 1 and err.strip() == f"error: cannot write {folder}: Is a directory"
    _full_disk_at(monkeypatch, 1)
    code, _, err = run(capsys, "export-qdpx", "--out", str(tmp_path / "new.qdpx"))
    assert code == 1 and "No space left on device" in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.qdpx"]


def test_figures_write_what_they_can_and_say_what_failed(tmp_path, capsys):
    from synergi_analysis.figures import FIGURES

    out = tmp_path / "figures"
    out.mkdir()
    (out / "journey.png").mkdir()  # a folder where a figure goes
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    for name in FIGURES:  # links where a predictable temporary file would go
        (out / f".{name}.png.tmp").symlink_to(victim)
        (out / f"{name}.png.{os.getpid()}.tmp").symlink_to(victim)
    code, _, err = run(capsys, "figures", "--out", str(out))
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.strip() == (f"error: cannot write {out / 'journey.png'}: Is a directory; "
                           f"{len(FIGURES) - 1} written")
    written = {p.name for p in out.iterdir() if p.is_file() and not p.is_symlink()}
    assert written == {f"{n}.png" for n in FIGURES if n != "journey"}
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()]


def test_a_read_only_output_folder_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    import errno
    import tempfile

    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    if os.geteuid() == 0:
        # Permissions do not stop the superuser: the system's refusal is played instead.
        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        for argv in (["figures", "--out", str(out)],
                     ["import-qdpx", str(_formula_project(tmp_path)), "--out", str(out)],
                     ["export-qdpx", "--out", str(out / "s.qdpx")]):
            code, _, err = run(capsys, *argv)
            assert code == 1 and err.startswith("error: cannot ") and "Permission denied" in err
            assert len(err.strip().splitlines()) == 1
    finally:
        out.chmod(0o755)


def test_too_many_draws_are_refused_before_anything_runs(capsys):
    with pytest.raises(SystemExit) as info:
        main(["table", "ranking-sensitivity", "--draws", "500000000"])
    _, err = capsys.readouterr()
    assert info.value.code == 2
    assert "--draws: must be between 1 and 1,000,000, not 500,000,000" in err


# -- anonymisation: no name, exact age or path left in what is shared ------------------------


def _named_study(tmp_path: Path, data_dir: Path):
    import shutil
    import unicodedata

    folder = tmp_path / "named"
    folder.mkdir()
    shutil.copy(data_dir / "codebook.yml", folder)
    base = "site,visitor_type,service,age,age_band"
    (folder / "interviews.csv").write_text(
        f"interview_id,{base},speaker,notes\n"
        "I1,roskilde,borgerservice,pas,61,,Lone Hansen,ringede til Lone bagefter\n"
        "I2,næstved,borgerservice,pas,54,,Kaj,\n"
        f"I3,glumsø,borgerservice,pas,70,,{unicodedata.normalize('NFD', 'Åse')},\n"
        "I4,ringsted,borgerservice,pas,33,,,\n", encoding="utf-8")
    quotes = [
        "LONE sagde at lone og Lones mand kom.",
        "Fru Hansen er 61 år og hendes søster er 54 år gammel.",
        "Kajs kone: Kaj kommer altid. I am 61 years old, a 61-year-old, aged 54.",
        unicodedata.normalize("NFD", "Åses datter, åse, ÅSE.") + " Hun er 70-årig.",
        "Lonesome og Kajak og Hansenne er ikke navne her.",
    ]
    rows = [f'Q{i},I{min(i, 4)},"{q}",,' for i, q in enumerate(quotes, start=1)]
    (folder / "quotes.csv").write_text("quote_id,interview_id,text,stage,theme,comment\n"
                                       + "\n".join(r + "," for r in rows) + "\n",
                                       encoding="utf-8")
    return load_study(folder)


def test_names_are_replaced_in_any_case_possessive_and_part(tmp_path, data_dir):
    anon = _named_study(tmp_path, data_dir).anonymised()
    assert anon.interviews["speaker"].tolist() == ["Borger 1", "Borger 2", "Borger 3", None]
    assert anon.quotes["text"].tolist() == [
        "Borger 1 sagde at Borger 1 og Borger 1's mand kom.",
        "Fru Borger 1 er NN år og hendes søster er NN år gammel.",
        "Borger 2's kone: Borger 2 kommer altid. I am NN years old, a NN-year-old, aged NN.",
        "Borger 3's datter, Borger 3, Borger 3. Hun er NN-årig.",
        "Lonesome og Kajak og Hansenne er ikke navne her.",
    ]


def test_columns_not_shown_are_dropped(tmp_path, data_dir):
    study = _named_study(tmp_path, data_dir)
    assert "notes" in study.interviews and "comment" in study.quotes
    anon = study.anonymised()
    assert "notes" not in anon.interviews and "comment" not in anon.quotes
    assert anon.interviews["age"].isna().all()
    assert anon.interviews["age_band"].tolist() == ["50-69", "50-69", "70+", "30-49"]


def _qda_named_project(tmp_path: Path) -> Path:
    text = "Anna Jensen fortalte om Jensens have. Hun er 47 år."
    var = '<Variables><Variable guid="{v}" name="Interviewer" typeOfVariable="Text"/></Variables>'
    cases = (f'<Case guid="{g(31)}" name="Anna Jensen"><VariableValue><VariableRef '
             f'targetGUID="{g(11)}"/><TextValue>Mette Holm</TextValue></VariableValue>'
             f'<SourceRef targetGUID="{g(21)}"/></Case>')
    xml = project_xml(cases=cases, sources=text_source(
        g(21), "Anna Jensen.docx", f"internal://{g(21)}.txt", sel(g(41), 0, len(text))))
    xml = xml.replace("<Cases>", var.format(v=g(11)) + "<Cases>")
    return write_qdpx(tmp_path / "named.qdpx", xml, {f"sources/{g(21)}.txt": text})


def test_qda_case_names_are_pseudonyms_too(tmp_path):
    study = load_qdpx(_qda_named_project(tmp_path))
    assert study.interviews["interview_id"].tolist() == ["Anna Jensen"]
    anon = study.anonymised()
    assert anon.interviews["interview_id"].tolist() == ["Borger 1"]
    assert anon.quotes["interview_id"].tolist() == ["Borger 1"]
    assert anon.quotes["text"].tolist() == ["Borger 1 fortalte om Borger 1's have. Hun er NN år."]
    assert "source" not in anon.quotes and "Interviewer" not in anon.interviews
    shared = " ".join([*anon.warnings, *map(str, anon.quotes.to_numpy().ravel()),
                       *map(str, anon.interviews.to_numpy().ravel())])
    assert "Anna" not in shared and "Jensen" not in shared and "Mette" not in shared


def test_anonymised_reports_name_no_path(tmp_path, data_dir):
    from synergi_analysis.display import report_header

    study = _named_study(tmp_path, data_dir)
    anon = study.anonymised()
    assert str(tmp_path) in study.provenance()["data"]
    assert anon.provenance()["data"] == "named" and anon.provenance()["codebook"] == "codebook.yml"
    header = report_header(anon, title="x", parameters={"data": str(tmp_path / "named"),
                                                        "anonymise": True})
    # The data parameter by its folder's name only, in the header's words ("Data: named").
    assert str(tmp_path) not in header.html_text and "Data: named," in header.html_text


@pytest.mark.slow
def test_an_anonymised_report_names_no_speaker_and_no_folder(tmp_path, data_dir):
    import html
    import re
    import shutil

    from synergi_analysis._anonymise import name_parts
    from synergi_analysis.report import render_batch

    data = tmp_path / "private-folder" / "study"
    shutil.copytree(data_dir, data, ignore=shutil.ignore_patterns("README.md"))
    out = tmp_path / "shareable"
    summary = render_batch(data=data, out=out, only="overview", anonymise=True, jobs=1,
                           progress=False)
    assert summary.ok, [r.error for r in summary.results]
    speakers = load_study(data).interviews["speaker"].dropna()
    names = {part for s in speakers for part in name_parts(s)}
    assert {"Lone", "Grethe", "Gerda"} <= names
    for page in (out / "overview.html", out / "index.html"):
        raw = page.read_text(encoding="utf-8")
        assert "private-folder" not in raw
        visible = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(
            r"<(style|script)\b.*?</\1>", " ", raw, flags=re.S)))
        found = sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", visible))
        assert found == [], page.name
    assert re.search(r"Borger \d+", (out / "overview.html").read_text(encoding="utf-8"))


def _qda_memo_project(tmp_path: Path) -> Path:
    text = "Jeg kom for at få nyt pas, sagde hun."
    users = (f'<Users><User guid="{g(91)}" name="Mette Holm"/>'
             f'<User guid="{g(92)}" name="Bent Brun"/></Users>')
    selection = (f'<PlainTextSelection guid="{g(41)}" startPosition="0" endPosition="25" '
                 f'creatingUser="{g(91)}"><Description>Anna Jensen var 47 år og travl.'
                 f'</Description><Coding guid="{g(42)}" creatingUser="{g(92)}"><CodeRef '
                 f'targetGUID="{g(1)}"/></Coding><NoteRef targetGUID="{g(81)}"/>'
                 "</PlainTextSelection>")
    notes = (f'<Notes><Note guid="{g(81)}" name="Om Anna" creatingUser="{g(91)}">'
             "<PlainTextContent>Anna Jensens datter var med; hun er 12 år.</PlainTextContent>"
             "</Note></Notes>")
    xml = project_xml(codes=f'<Code guid="{g(1)}" name="Tema"/>',
                      cases=f'<Case guid="{g(31)}" name="Anna Jensen"><SourceRef '
                            f'targetGUID="{g(21)}"/></Case>',
                      sources=text_source(g(21), "Anna Jensen.docx",
                                          f"internal://{g(21)}.txt", selection))
    xml = xml.replace("<CodeBook>", users + "<CodeBook>").replace("</Project>",
                                                                     notes + "</Project>")
    return write_qdpx(tmp_path / "memo.qdpx", xml, {f"sources/{g(21)}.txt": text})


@pytest.mark.parametrize("via_folder", [False, True])
def test_memos_and_coders_are_anonymised_too(tmp_path, via_folder):
    from synergi_analysis.qda import import_qdpx, study_memos
    from synergi_analysis.quotations import quotes

    path = _qda_memo_project(tmp_path)
    if via_folder:
        import pandas as pd

        import_qdpx(path, tmp_path / "folder")
        table = pd.read_csv(tmp_path / "folder" / "interviews.csv", dtype=str)
        table = table.assign(site="roskilde", visitor_type="borgerservice", service="pas",
                             age="47")
        table.to_csv(tmp_path / "folder" / "interviews.csv", index=False)
        study = load_study(tmp_path / "folder")
    else:
        study = load_qdpx(path)
    before = quotes(study)
    assert "Anna Jensen var 47 år" in before["memo"].iloc[0]
    assert set(study_memos(study)["author"]) == {"Mette Holm"}
    anon = study.anonymised()
    shown = quotes(anon)
    assert shown["memo"].tolist() == [
        "Borger 1 var NN år og travl.\nBorger 1's datter var med; hun er NN år."]
    assert shown["interview_id"].tolist() == ["Borger 1"]
    memos = study_memos(anon)
    everything = " ".join([*map(str, memos.to_numpy().ravel()),
                           *map(str, anon.quotes.to_numpy().ravel()),
                           *map(str, anon.interviews.to_numpy().ravel()), *anon.warnings])
    for name in ("Anna", "Jensen", "Mette", "Holm", "Bent", "Brun"):
        assert name not in everything, name
    # Two people, two pseudonyms (numbered in the order they are met).
    (author,), (coder,) = set(memos["author"]), set(anon.quotes["coders"])
    assert {author, coder} == {"Koder 1", "Koder 2"}
