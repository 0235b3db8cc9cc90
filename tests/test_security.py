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
