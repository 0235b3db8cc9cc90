"""Export to REFI-QDA: valid against the schema, readable by other tools, a lossless round trip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from synergi_analysis.load import load_study
from synergi_analysis.qda import export_qdpx, load_qdpx, study_memos
from synergi_analysis.qda._read import read_project

from .test_qdpx import code, g, project_xml, span, write_qdpx

SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def project_of(path: Path):
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde")), zf.namelist(), zf


def assert_valid(schema, path: Path) -> None:
    root, _, _ = project_of(path)
    assert schema.validate(root), [str(e) for e in schema.error_log][:5]


# -- a project with two coders, memos, an unused code and a stage in lower case -------

TEXT = "Jeg venter på mit pas. Det tager lang tid. Bøgerne her er gode."
USERS = (g(91), g(92))


def rich_project(tmp_path: Path) -> Path:
    codes = (code(g(1), "brugerrejse", code(g(2), "ventetid"))
             + code(g(3), "Temaer",
                    '<Description>Det, folk taler om.</Description>'
                    + code(g(4), "Ventetid er spildtid") + code(g(5), "Ubrugt kode"),
                    codable="false"))
    users = (f'<Users><User guid="{USERS[0]}" name="Anne"/>'
             f'<User guid="{USERS[1]}" name="Bent"/></Users>')

    def sel(guid, part, *codings, description="", note=""):
        a, b = span(TEXT, part)
        inner = f"<Description>{description}</Description>" if description else ""
        inner += "".join(f'<Coding guid="{guid}-{k}" creatingUser="{user}">'
                         f'<CodeRef targetGUID="{c}"/></Coding>'
                         for k, (c, user) in enumerate(codings))
        inner += f'<NoteRef targetGUID="{note}"/>' if note else ""
        return (f'<PlainTextSelection guid="{guid}" startPosition="{a}" endPosition="{b}" '
                f'creatingUser="{USERS[0]}">{inner}</PlainTextSelection>')

    sources = (f'<TextSource guid="{g(21)}" name="Anna.txt" '
               f'plainTextPath="internal://{g(21)}.txt">'
               + sel(g(41), "Jeg venter på mit pas.", (g(2), USERS[0]), (g(2), USERS[1]),
                     (g(4), USERS[1]), description="Tydeligt utålmodig.", note=g(81))
               + sel(g(42), "Bøgerne her er gode.", (g(4), USERS[0]))
               + f'<NoteRef targetGUID="{g(82)}"/></TextSource>')
    variables = "".join(f'<Variable guid="{g(60 + k)}" name="{name}" typeOfVariable="Text"/>'
                        for k, name in enumerate(["Sted", "Ydelse", "Visitor type", "Alder"]))

    def values(*cells):
        return "".join(f'<VariableValue><VariableRef targetGUID="{g(60 + k)}"/>'
                       f"<TextValue>{v}</TextValue></VariableValue>" for k, v in enumerate(cells))

    cases = (f'<Case guid="{g(31)}" name="Anna">{values("Ringsted", "Pas", "borgerservice", "34")}'
             f'<SourceRef targetGUID="{g(21)}"/></Case>'
             f'<Case guid="{g(32)}" name="Bo">{values("Glumsø", "Skat", "borgerservice", "71")}'
             "</Case>")
    notes = (f'<Notes><Note guid="{g(81)}" name="Om ventetid" creatingUser="{USERS[1]}" '
             'creationDateTime="2024-03-01T10:00:00Z">'
             "<PlainTextContent>Spørg ind til ventetiden.</PlainTextContent></Note>"
             f'<Note guid="{g(82)}" name="Interviewet" creatingUser="{USERS[0]}">'
             "<PlainTextContent>Optaget i biblioteket.</PlainTextContent></Note>"
             f'<Note guid="{g(83)}" name="Projektet"><PlainTextContent>Første runde.'
             "</PlainTextContent></Note></Notes>")
    xml = project_xml(codes=codes, variables=variables, cases=cases, sources=sources)
    xml = xml.replace('origin="test tool" >', 'origin="test tool" >' + users)
    xml = xml.replace("<Sets></Sets>", notes + "<Sets></Sets>")
    xml = xml.replace("</Project>", f'<NoteRef targetGUID="{g(83)}"/></Project>')
    return write_qdpx(tmp_path / "rich.qdpx", xml, {f"sources/{g(21)}.txt": TEXT})


def test_the_rich_project_reads_its_coders_and_memos(tmp_path):
    study = load_qdpx(rich_project(tmp_path))
    first = study.quotes.iloc[0]
    assert first["codes"] == "brugerrejse::ventetid; Temaer::Ventetid er spildtid"
    assert first["coders"] == "Anne, Bent; Bent"
    assert first["stage"] == "ventetid" and first["memo"] == "Tydeligt utålmodig."
    memos = study.memos.set_index("memo_id")
    assert memos.loc[g(81)].tolist() == ["note", "quote", g(41), "Bent", "2024-03-01T10:00:00Z",
                                         "Spørg ind til ventetiden."]
    assert memos.loc[g(82), ["refers_to", "target", "author"]].tolist() == [
        "interview", "Anna", "Anne"]
    assert memos.loc[g(83), ["refers_to", "target"]].tolist() == ["project", ""]
    described = study.memos[study.memos["kind"] == "description"]
    assert described[["target", "text"]].values.tolist() == [["Temaer", "Det, folk taler om."]]


def test_every_export_is_valid_against_the_refi_qda_schema(tmp_path, schema, study):
    assert_valid(schema, export_qdpx(study, tmp_path / "shipped.qdpx"))
    rich = load_qdpx(rich_project(tmp_path))
    assert_valid(schema, export_qdpx(rich, tmp_path / "rich-again.qdpx"))


def test_the_schema_catches_what_it_should(schema, tmp_path, study):
    # The validation is real: the same export with a selection out of the schema's order fails.
    root, _, _ = project_of(export_qdpx(study, tmp_path / "s.qdpx"))
    cases = root.find("q:Cases", NS)
    root.remove(cases)
    root.append(cases)
    assert not schema.validate(root)


def test_text_files_are_named_by_their_source_and_none_is_empty(tmp_path, study):
    path = export_qdpx(study, tmp_path / "study.qdpx")
    root, names, _ = project_of(path)
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert len(sources) == study.quotes["interview_id"].nunique() == 18
    for source in sources:
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
    with zipfile.ZipFile(path) as zf:
        texts = [n for n in zf.namelist() if n != "project.qde"]
        assert sorted(texts) == sorted(f"sources/{s.get('guid')}.txt" for s in sources)
        assert all(zf.getinfo(n).file_size > 0 for n in texts)
    # The 27 interviews without quotes are cases with their variables and no source.
    cases = root.findall("q:Cases/q:Case", NS)
    assert sum(c.find("q:SourceRef", NS) is None for c in cases) == 45 - 18


def test_every_selection_and_coding_names_its_user(tmp_path):
    study = load_qdpx(rich_project(tmp_path))
    root, _, _ = project_of(export_qdpx(study, tmp_path / "again.qdpx"))
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
    selections = root.findall(".//q:PlainTextSelection", NS)
    codings = root.findall(".//q:Coding", NS)
    assert selections and codings
    assert all(e.get("creatingUser") in users for e in selections + codings)
    by = [users[c.get("creatingUser")] for c in selections[0].findall("q:Coding", NS)]
    assert sorted(by) == ["Anne", "Bent", "Bent"]


def test_an_imported_project_exported_again_reads_back_identical(tmp_path):
    first = load_qdpx(rich_project(tmp_path))
    again = load_qdpx(export_qdpx(first, tmp_path / "again.qdpx"))
    pd.testing.assert_frame_equal(again.interviews, first.interviews)
    columns = [c for c in first.quotes.columns if c not in ("quote_id", "source", "start", "end")]
    pd.testing.assert_frame_equal(again.quotes[columns], first.quotes[columns])
    memo_columns = ["kind", "refers_to", "author", "date", "text"]
    pd.testing.assert_frame_equal(again.memos[memo_columns], first.memos[memo_columns])
    # Quote targets follow the quotes' new ids; every other target is the same.
    ids = dict(zip(first.quotes["quote_id"], again.quotes["quote_id"], strict=True))
    assert again.memos["target"].tolist() == [ids.get(t, t) for t in first.memos["target"]]
    # Every code is kept, the unused one too, with its description.
    assert again.project.code_paths == first.project.code_paths
    assert "Temaer::Ubrugt kode" in again.project.code_paths
    assert {c.path_name: c.description for c in again.project.codes.values()}["Temaer"] == \
        "Det, folk taler om."
    # Each coding once: the lower-case stage code is not written a second time.
    assert again.project.summary()["codings"] == first.project.summary()["codings"] == 4
    # And a third time changes nothing at all.
    third = load_qdpx(export_qdpx(again, tmp_path / "third.qdpx"))
    pd.testing.assert_frame_equal(third.quotes, again.quotes)
    pd.testing.assert_frame_equal(third.memos, again.memos)


def test_a_study_folder_keeps_its_memos_through_import_and_export(capsys, tmp_path):
    from synergi_analysis.cli import main

    project = rich_project(tmp_path)
    assert main(["import-qdpx", str(project), "--out", str(tmp_path / "s")]) == 0
    assert "memos.csv (4 memos)" in capsys.readouterr().out
    memos = pd.read_csv(tmp_path / "s" / "memos.csv", dtype=str, keep_default_na=False)
    assert memos["memo_id"].tolist()[:3] == [g(81), g(82), g(83)]
    folder = load_study(tmp_path / "s")
    pd.testing.assert_frame_equal(study_memos(folder), memos)
    back = load_qdpx(export_qdpx(folder, tmp_path / "back.qdpx"))
    assert back.memos["text"].tolist() == memos["text"].tolist()
    assert back.quotes["memo"].tolist() == folder.quotes["memo"].tolist()


def test_a_memo_date_that_is_no_date_is_refused(tmp_path, study):
    (tmp_path / "s").mkdir()
    for name in ("interviews.csv", "quotes.csv", "codebook.yml"):
        (tmp_path / "s" / name).write_bytes((study.folder / name).read_bytes())
    (tmp_path / "s" / "memos.csv").write_text(
        "memo_id,kind,refers_to,target,author,date,text\n"
        "m1,note,interview,I01,Anne,i går,Husk at ringe.\n", encoding="utf-8")
    from synergi_analysis.errors import StudyError

    with pytest.raises(StudyError, match=r"memo 'm1': date 'i går' is neither YYYY-MM-DD"):
        export_qdpx(load_study(tmp_path / "s"), tmp_path / "s.qdpx")
    assert not (tmp_path / "s.qdpx").exists()


def test_the_export_of_an_export_is_byte_identical(tmp_path, study):
    a = export_qdpx(study, tmp_path / "a.qdpx")
    b = export_qdpx(load_qdpx(a), tmp_path / "b.qdpx")
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            assert za.read(name) == zb.read(name), name
    assert read_project(b).summary() == read_project(a).summary()
