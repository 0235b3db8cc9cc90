"""REFI-QDA fidelity: transcripts, source variables, regions, QualCoder's cases, memos."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synergi_analysis.qda import code_cooccurrence, code_frequencies, import_qdpx, load_qdpx

from .test_qdpx import code, g, project_xml, run, selection, span, write_qdpx

# -- audio and video: transcripts are quotes, a transcribed recording an interview ------

TRANSCRIPT = "I: Hvorfor kom du? B: For at få nyt pas. I: Og biblioteket? B: Jeg låner lydbøger."


def media_project(tmp_path: Path) -> Path:
    a, b = span(TRANSCRIPT, "For at få nyt pas.")
    c, d = span(TRANSCRIPT, "Jeg låner lydbøger.")
    codes = code(g(1), "Ydelse", code(g(2), "Pas")) + code(g(3), "Lydbøger")
    sync = "".join(f'<SyncPoint guid="{g(70 + k)}" position="{p}" timeStamp="{1000 * k}"/>'
                   for k, p in enumerate([a, b, c, d]))

    def tsel(guid, start, end, *codes_):
        codings = "".join(f'<Coding guid="{guid}-{k}"><CodeRef targetGUID="{x}"/></Coding>'
                          for k, x in enumerate(codes_))
        return (f'<TranscriptSelection guid="{guid}" fromSyncPoint="{start}" '
                f'toSyncPoint="{end}">{codings}</TranscriptSelection>')

    def region(kind, guid, attrs, *codes_):
        codings = "".join(f'<Coding guid="{guid}-{k}"><CodeRef targetGUID="{x}"/></Coding>'
                          for k, x in enumerate(codes_))
        return f'<{kind} guid="{guid}" {attrs}>{codings}</{kind}>'

    sources = (
        f'<AudioSource guid="{g(21)}" name="Lone.m4a" path="relative:///Lone.m4a">'
        f'<Transcript guid="{g(22)}" plainTextPath="internal://{g(22)}.txt">{sync}'
        + tsel(g(41), g(70), g(71), g(2)) + tsel(g(42), g(72), g(73), g(3))
        + "</Transcript>"
        + region("AudioSelection", g(43), 'begin="0" end="900"', g(3)) + "</AudioSource>"
        f'<VideoSource guid="{g(23)}" name="Skranken.mp4" path="relative:///s.mp4">'
        + region("VideoSelection", g(44), 'begin="10" end="20"', g(3), g(2))
        + "</VideoSource>"
        f'<PictureSource guid="{g(24)}" name="Foto.jpg" path="relative:///f.jpg">'
        + region("PictureSelection", g(45), 'firstX="1" firstY="1" secondX="9" secondY="9"',
                 g(3)) + "</PictureSource>"
        f'<PDFSource guid="{g(25)}" name="Folder.pdf" path="relative:///f.pdf">'
        + region("PDFSelection", g(46), 'page="1" firstX="1" firstY="1" secondX="9" secondY="9"',
                 g(2)) + "</PDFSource>"
    )
    return write_qdpx(tmp_path / "media.qdpx", project_xml(codes=codes, sources=sources),
                      {f"sources/{g(22)}.txt": TRANSCRIPT})


def test_a_transcript_gives_quotes_and_its_recording_is_an_interview(tmp_path):
    study = load_qdpx(media_project(tmp_path))
    assert study.interviews["interview_id"].tolist() == ["Lone"]
    assert study.interviews.loc[0, "service"] == "pas"  # from the transcript's coding
    assert study.quotes["text"].tolist() == ["For at få nyt pas.", "Jeg låner lydbøger."]
    assert study.quotes["codes"].tolist() == ["Ydelse::Pas", "Lydbøger"]


def test_codings_on_pictures_pdf_audio_and_video_count_with_their_kind(capsys, tmp_path):
    path = media_project(tmp_path)
    study = load_qdpx(path)
    table = code_frequencies(study, lang="en")
    assert table.loc["Lydbøger", "kind"] == "transcript, picture, audio, video"
    assert table.loc["Lydbøger", "Total"] == 4
    assert table.loc["Ydelse::Pas", "kind"] == "transcript, pdf, video"
    # Regions outside every interview are counted under their source, never left out.
    assert table.loc["Lydbøger", ["Lone", "Skranken", "Foto"]].tolist() == [2, 1, 1]
    pairs = code_cooccurrence(study).set_index(["code_a", "code_b"])
    assert pairs.loc[("Ydelse::Pas", "Lydbøger"), ["selections", "kind"]].tolist() == [1, "video"]
    assert any("4 selection(s) without text (audio, pdf, picture, video) are not quotes; their "
               "codes count in the code tables" in w for w in study.warnings)
    code_, out, _ = run(capsys, "table", "code-frequencies", "--data", str(path), "--format",
                        "csv")
    assert code_ == 0 and out.splitlines()[0] == "code,kind,Lone,Skranken,Foto,Folder,Antal"


def test_aggregate_on_a_project_without_codings_prints_an_empty_table(capsys, tmp_path):
    sources = (f'<TextSource guid="{g(21)}" name="a.txt">'
               "<PlainTextContent>tekst</PlainTextContent></TextSource>")
    path = write_qdpx(tmp_path / "p.qdpx", project_xml(codes=code(g(1), "Tema"),
                                                       sources=sources))
    for table in ("code-frequencies", "code-cooccurrence"):
        code_, out, err = run(capsys, "table", table, "--aggregate", "--data", str(path))
        assert (code_, err) == (0, ""), table
    code_, out, _ = run(capsys, "table", "code-frequencies", "--aggregate", "--data", str(path),
                        "--format", "csv")
    assert out.splitlines() == ["code,kind,a,Antal", "Tema,,0,0"]


# -- MAXQDA's document variables --------------------------------------------------------


def test_variables_of_a_text_source_are_read_like_case_variables(capsys, tmp_path):
    variables = "".join(f'<Variable guid="{g(60 + k)}" name="{n}" typeOfVariable="Text"/>'
                        for k, n in enumerate(["Sted", "Interviewer"]))

    def value(k, v):
        return (f'<VariableValue><VariableRef targetGUID="{g(60 + k)}"/>'
                f"<TextValue>{v}</TextValue></VariableValue>")

    sources = "".join(
        f'<TextSource guid="{g(21 + i)}" name="{name}.docx">'
        f"<PlainTextContent>Her er trygt.</PlainTextContent>{value(0, site)}{value(1, who)}"
        "</TextSource>"
        for i, (name, site, who) in enumerate([("Anna", "Roskilde", "KH"),
                                               ("Bo", "Næstved", "LM")]))
    path = write_qdpx(tmp_path / "maxqda.qdpx", project_xml(variables=variables, sources=sources))
    study = load_qdpx(path)
    assert study.interviews["site"].tolist() == ["roskilde", "næstved"]
    assert study.interviews["Interviewer"].tolist() == ["KH", "LM"]
    _, out, _ = run(capsys, "validate", str(path))
    assert next(line for line in out.splitlines() if line.startswith("site")).split()[-2:] == [
        "2", "0"]


# -- QualCoder: cases without SourceRef, one selection per coding -----------------------


def test_a_case_without_source_ref_is_its_source_and_one_passage_is_one_quote(tmp_path):
    text = "Jeg kom for pas og blev inspireret af biblioteket."
    part = "Jeg kom for pas"
    codes = code(g(1), "Ydelse", code(g(2), "Pas")) + code(g(3), "Inspiration")
    sources = (f'<TextSource guid="{g(21)}" name="I01.txt" plainTextPath="internal://{g(21)}.txt">'
               + selection(g(41), *span(text, part), g(2))
               + selection(g(42), *span(text, part), g(3))
               + "</TextSource>"
               f'<TextSource guid="{g(22)}" name="I02.txt">'
               "<PlainTextContent>Kun biblioteket.</PlainTextContent></TextSource>")
    cases = (f'<Case guid="{g(31)}" name="I01"/>'
             f'<Case guid="{g(32)}"><SourceRef targetGUID="{g(22)}"/></Case>')
    path = write_qdpx(tmp_path / "qualcoder.qdpx",
                      project_xml(codes=codes, cases=cases, sources=sources,
                                  origin="QualCoder 3.6"),
                      {f"sources/{g(21)}.txt": text})
    study = load_qdpx(path)
    # Not "I01" and "I01 (2)"; the unnamed case is named after its source, not its GUID.
    assert study.interviews["interview_id"].tolist() == ["I01", "I02"]
    assert study.interviews.loc[0, "service"] == "pas"
    assert study.quotes[["text", "codes"]].values.tolist() == [[part, "Ydelse::Pas; Inspiration"]]
    assert code_frequencies(study).loc["Inspiration", "I01"] == 1


# -- memos: coding comments, notes, code descriptions -----------------------------------


def test_memos_are_read_written_by_import_and_shown_with_their_quote(tmp_path):
    text = "Det er trygt at spørge her."
    codes = (f'<Code guid="{g(1)}" name="Tryghed" isCodable="true">'
             f"<Description>Når nogen føler sig tryg.</Description></Code>")
    sources = (f'<TextSource guid="{g(21)}" name="Grethe.txt">'
               f"<PlainTextContent>{text}</PlainTextContent>"
               f'<PlainTextSelection guid="{g(41)}" startPosition="0" endPosition="12">'
               "<Description>Siger det med eftertryk.</Description>"
               f'<Coding guid="{g(51)}"><CodeRef targetGUID="{g(1)}"/>'
               f'<NoteRef targetGUID="{g(81)}"/></Coding></PlainTextSelection></TextSource>')
    notes = (f'<Notes><Note guid="{g(81)}" name="Tryghed" '
             'creationDateTime="2024-05-02T09:30:00">'
             "<PlainTextContent>Tryghed går igen hos de ældre.</PlainTextContent></Note></Notes>")
    xml = project_xml(codes=codes, sources=sources).replace("<Sets>", notes + "<Sets>")
    path = write_qdpx(tmp_path / "memos.qdpx", xml)
    study = import_qdpx(path, tmp_path / "s")
    assert study.quotes.loc[0, "memo"] == "Siger det med eftertryk."
    assert study.memos.values.tolist() == [
        [g(81), "note", "quote", g(41), "", "2024-05-02T09:30:00",
         "Tryghed går igen hos de ældre."],
        ["", "description", "code", "Tryghed", "", "", "Når nogen føler sig tryg."]]
    written = pd.read_csv(tmp_path / "s" / "memos.csv", dtype=str, keep_default_na=False)
    assert written.values.tolist() == study.memos.values.tolist()
    quotes = pd.read_csv(tmp_path / "s" / "quotes.csv", dtype=str, keep_default_na=False)
    assert quotes["memo"].tolist() == ["Siger det med eftertryk."]
    # Shown under their quote: the coding comment, then the notes about the quote.
    from synergi_analysis.display import show_quotes
    from synergi_analysis.quotations import quotes

    found = quotes(study, lang="en")  # a study's own memos
    assert found.loc[0, "memo"] == "Siger det med eftertryk.\nTryghed går igen hos de ældre."
    frame = quotes(study.quotes, interviews=study.interviews, codebook=study.codebook,
                   memos=study.memos, lang="en")
    assert frame["memo"].tolist() == found["memo"].tolist()
    shown = show_quotes(found, lang="en")._repr_html_()
    assert ("Memo: Siger det med eftertryk.<br>Tryghed går igen hos de ældre.</p>"
            "</blockquote>") in shown
    found.loc[0, "memo"] = "<b>fed</b>"
    assert "Memo: &lt;b&gt;fed&lt;/b&gt;" in show_quotes(found)._repr_html_()


def test_quotes_without_memos_have_no_memo_column_and_show_none(study):
    from synergi_analysis.display import show_quotes
    from synergi_analysis.quotations import quotes

    found = quotes(study)
    assert "memo" not in found
    assert "Memo" not in show_quotes(found)._repr_html_()
