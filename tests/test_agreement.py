"""Inter-coder agreement: kappa by hand and alpha from `krippendorff` on small generated codings."""

from __future__ import annotations

import io
import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from synergi_analysis.agreement import (
    agreement,
    code_agreement,
    disagreements,
    list_coders,
    only_in,
)
from synergi_analysis.errors import StudyError
from synergi_analysis.stats import cohens_kappa, krippendorff_alpha, landis_koch
from synergi_analysis.study import Study
from synergi_analysis.validate import validate_interviews
from synergi_analysis.words import word

from .test_qdpx import code, g, project_xml, run, span, write_qdpx

S, V = "navigationsstærk", "navigationssvag"


def interviews(ids, **columns) -> pd.DataFrame:
    """An interviews table: every required column filled, the given ones as given."""
    n = len(ids)
    frame = pd.DataFrame({"interview_id": ids, "site": ["roskilde"] * n,
                          "visitor_type": ["borgerservice"] * n, "service": ["pas"] * n,
                          "age_band": ["30-49"] * n})
    for column, values in columns.items():
        frame[column] = values
    return frame


def coding(codebook, ids, name="a", **columns) -> Study:
    frame, problems = validate_interviews(interviews(ids, **columns), codebook, file=name)
    assert not problems, problems
    quotes = pd.DataFrame(columns=["quote_id", "interview_id", "text", "stage", "theme"])
    return Study(codebook=codebook, interviews=frame, quotes=quotes, source=name)


def row(table: pd.DataFrame, dimension: str, value: str = "") -> pd.Series:
    found = table[(table["dimension"] == dimension) & (table["value"] == value)]
    assert len(found) == 1, (dimension, value)
    return found.iloc[0]


def package_alpha(a, b) -> float:
    """Krippendorff's alpha straight from the package, values numbered by hand."""
    values = {v: i for i, v in enumerate(sorted({x for x in a + b if x is not None}))}
    data = [[values[x] if x is not None else np.nan for x in coder] for coder in (a, b)]
    return krippendorff.alpha(reliability_data=np.array(data, dtype=float),
                              level_of_measurement="nominal")


IDS = ["T1", "T2", "T3", "T4", "T5", "T6"]


def test_kappa_and_alpha_as_computed_by_hand(codebook):
    a = [S, V, V, S, V, S]
    b = [S, S, V, S, V, V]
    table = agreement(coding(codebook, IDS, competence=a), coding(codebook, IDS, "b",
                                                                  competence=b), lang="en")
    r = row(table, "competence")
    # 4 of 6 agree; each coder says S three times and V three times: p_e = 1/2.
    # kappa = (4/6 - 1/2) / (1 - 1/2) = 1/3.
    assert (r["n"], r["agreement"]) == (6, pytest.approx(4 / 6))
    assert r["kappa"] == pytest.approx(1 / 3)
    # alpha = 1 - (n - 1) * D_o / D_e over the 12 values: 1 - 11 * 4 / (2 * 6 * 6) = 7/18.
    assert r["alpha"] == pytest.approx(7 / 18)
    assert r["alpha"] == pytest.approx(package_alpha(a, b))
    assert r["band"] == "fair"


def test_perfect_agreement(codebook):
    values = [S, V, V, S, V, S]
    table = agreement(coding(codebook, IDS, competence=values),
                      coding(codebook, IDS, "b", competence=values), lang="da")
    r = row(table, "competence")
    assert (r["n"], r["agreement"], r["kappa"], r["alpha"]) == (6, 1.0, 1.0, 1.0)
    assert r["band"] == "næsten perfekt" and (r["only_a"], r["only_b"]) == (0, 0)
    # Both coders gave every interview the same site: agreement, but no kappa to speak of.
    site = row(table, "site")
    assert site["agreement"] == 1.0 and math.isnan(site["kappa"]) and math.isnan(site["alpha"])
    assert site["band"] == ""


def test_chance_agreement(codebook):
    ids = IDS[:4]
    a, b = [S, S, V, V], [S, V, S, V]
    r = row(agreement(coding(codebook, ids, competence=a),
                      coding(codebook, ids, "b", competence=b), lang="en"), "competence")
    # p_o = p_e = 1/2: kappa 0. alpha = 1 - 7 * 4 / (2 * 4 * 4) = 1/8.
    assert r["agreement"] == 0.5 and r["kappa"] == pytest.approx(0.0)
    assert r["alpha"] == pytest.approx(0.125) == pytest.approx(package_alpha(a, b))
    assert r["band"] == "slight"


def test_a_coder_who_never_codes_a_dimension(codebook):
    ids = IDS[:4]
    a = coding(codebook, ids, competence=[S, S, V, V], attitude=["A", "B", "A", "C"])
    b = coding(codebook, ids, "b", competence=[S, S, V, V], attitude=["", "", "", ""])
    table = agreement(a, b, lang="en")
    r = row(table, "attitude")
    assert (r["n"], r["only_a"], r["only_b"], r["band"]) == (0, 4, 0, "")
    assert all(math.isnan(r[c]) for c in ("agreement", "kappa", "alpha"))
    found = disagreements(a, b)
    assert found[found["dimension"] == "attitude"].values.tolist() == [
        [i, "attitude", v, ""] for i, v in zip(ids, ["A", "B", "A", "C"], strict=True)]
    # A dimension neither coding codes has no row.
    assert "forberedelse" not in set(table["dimension"])


def test_partly_coded_dimension_counts_who_coded_what(codebook):
    a = [S, S, V, V, "", S]
    b = [S, "", V, S, V, ""]
    r = row(agreement(coding(codebook, IDS, competence=a),
                      coding(codebook, IDS, "b", competence=b), lang="en"), "competence")
    assert (r["n"], r["only_a"], r["only_b"]) == (3, 2, 1)
    assert r["kappa"] == pytest.approx(cohens_kappa([S, V, V], [S, V, S]))
    assert r["alpha"] == pytest.approx(package_alpha(
        [x or None for x in a], [x or None for x in b]))


def test_multi_valued_dimension_per_value(codebook):
    ids = IDS[:4]
    a = coding(codebook, ids, life_situations=["pensionist", "pensionist;forælder", "",
                                               "myndig"])
    b = coding(codebook, ids, "b", life_situations=["pensionist", "pensionist", "forælder",
                                                    "myndig"])
    table = agreement(a, b, lang="en")
    whole = row(table, "life_situation")
    assert (whole["n"], whole["agreement"], whole["only_b"]) == (3, pytest.approx(2 / 3), 1)
    assert table.loc[table["dimension"] == "life_situation", "value"].tolist() == [
        "", "myndig", "pensionist", "forælder"]
    assert row(table, "life_situation", "pensionist")["kappa"] == 1.0
    # forælder: one coder says yes once in three, the other never: p_o = p_e = 2/3.
    parent = row(table, "life_situation", "forælder")
    assert parent["agreement"] == pytest.approx(2 / 3) and parent["kappa"] == pytest.approx(0)


def test_journey_stages_are_rows_named_by_their_key(codebook):
    ids = IDS[:4]
    a = coding(codebook, ids, udgang=["åben", "lukket", "åben", "lukket"])
    b = coding(codebook, ids, "b", udgang=["åben", "lukket", "lukket", "lukket"])
    r = row(agreement(a, b, lang="en"), "udgang")
    assert (r["n"], r["agreement"]) == (4, 0.75)
    assert r["kappa"] == pytest.approx(cohens_kappa(["å", "l", "å", "l"], ["å", "l", "l", "l"]))


def test_interviews_in_one_coding_only_are_counted_and_named(codebook):
    a = coding(codebook, ["T1", "T2", "T3"], competence=[S, V, S])
    b = coding(codebook, ["T2", "T3", "T4"], "b", competence=[V, S, S])
    table = agreement(a, b, lang="en")
    assert table.attrs["interviews"] == 2
    assert (table.attrs["only_in_a"], table.attrs["only_in_b"]) == (["T1"], ["T4"])
    assert only_in(table, lang="en") == ["1 interview(s) only in a, not compared: T1",
                              "1 interview(s) only in b, not compared: T4"]


def test_bad_input_is_a_study_error(codebook, tmp_path):
    a = coding(codebook, ["T1", "T2"], competence=[S, V])
    b = coding(codebook, ["T8", "T9"], "b", competence=[S, V])
    with pytest.raises(StudyError, match="a and b have no interview in common"):
        agreement(a, b)
    text = codebook.path.read_text(encoding="utf-8").replace("{key: gift,", "{key: wed,", 1)
    assert "key: wed" in text
    (tmp_path / "codebook.yml").write_text(text, encoding="utf-8")
    from synergi_analysis.codebook import load_codebook

    other = coding(load_codebook(tmp_path / "codebook.yml"), ["T1", "T2"], "c",
                   competence=[S, V])
    with pytest.raises(StudyError, match="different codebooks: dimension 'life_situation' "
                                         "has other values"):
        agreement(a, other)
    with pytest.raises(StudyError, match="one coding only"):
        agreement(a)


def test_stats_edges():
    assert math.isnan(cohens_kappa([], []))
    assert math.isnan(cohens_kappa(["x", "x"], ["x", "x"]))  # p_e = 1
    assert cohens_kappa(["x", "y"], ["y", "x"]) == pytest.approx(-1.0)
    assert math.isnan(krippendorff_alpha(["x", None], [None, "y"]))
    with pytest.raises(ValueError, match="same units"):
        cohens_kappa(["x"], [])
    assert [landis_koch(k) for k in (-0.01, 0, 0.2, 0.21, 0.4, 0.6, 0.8, 0.81, 1)] == [
        "poor", "slight", "slight", "fair", "fair", "moderate", "substantial",
        "almost_perfect", "almost_perfect"]
    assert word("agreement.substantial", "da") == "betydelig"


# -- the command ----------------------------------------------------------------------


def folder(tmp_path: Path, name: str, ids, **columns) -> Path:
    path = tmp_path / name
    path.mkdir()
    interviews(ids, **columns).to_csv(path / "interviews.csv", index=False)
    return path


def test_cli_agreement_table_and_details(capsys, tmp_path):
    a = folder(tmp_path, "anne", IDS, competence=[S, V, V, S, V, S])
    b = folder(tmp_path, "bent", IDS[1:], competence=[S, V, S, V, V])
    code_, out, err = run(capsys, "agreement", str(a), str(b), "--format", "csv",
                          "--lang", "en")
    assert code_ == 0
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    competence = table[table["dimension"] == "competence"].iloc[0]
    assert (competence["n"], competence["agreement"]) == (5, 0.6)
    assert err.splitlines() == ["coding A: anne; coding B: bent",
                                "note: 1 interview(s) only in anne, not compared: T1"]
    code_, out, _ = run(capsys, "agreement", str(a), str(b), "--details", "--format", "csv")
    assert pd.read_csv(io.StringIO(out)).values.tolist() == [
        ["T2", "competence", V, S], ["T6", "competence", S, V]]


def test_cli_agreement_bad_input_exits_2(capsys, tmp_path):
    a = folder(tmp_path, "a", ["T1"], competence=[S])
    b = folder(tmp_path, "b", ["T9"], competence=[S])
    code_, out, err = run(capsys, "agreement", str(a), str(b))
    assert (code_, out) == (2, "") and "no interview in common" in err
    code_, _, err = run(capsys, "agreement", str(a))
    assert code_ == 2 and "one coding only" in err and "Traceback" not in err


# -- two coders in one REFI-QDA project -------------------------------------------------

TEXTS = {"Anna": "Jeg kom for mit pas og lånte en bog.",
         "Bo": "Mit kørekort skulle fornyes i dag.",
         "Cara": "Jeg skulle have nyt pas til ferien."}
ANNE, BENT = g(91), g(92)


def two_coders(tmp_path: Path) -> Path:
    codes = (code(g(1), "Ydelse", code(g(2), "Pas") + code(g(3), "Kørekort"))
             + code(g(4), "Bøger"))
    sources, cases = "", ""

    def sel(guid, text, part, *codings):
        a, b = span(text, part)
        inner = "".join(f'<Coding guid="{guid}-{k}" creatingUser="{u}">'
                        f'<CodeRef targetGUID="{c}"/></Coding>' for k, (c, u) in enumerate(codings))
        return (f'<PlainTextSelection guid="{guid}" startPosition="{a}" endPosition="{b}">'
                f"{inner}</PlainTextSelection>")

    selections = {
        # Both say Pas, on overlapping text; only Anne codes Bøger.
        "Anna": sel(g(41), TEXTS["Anna"], "mit pas", (g(2), ANNE))
        + sel(g(42), TEXTS["Anna"], "kom for mit pas", (g(2), BENT))
        + sel(g(43), TEXTS["Anna"], "lånte en bog", (g(4), ANNE)),
        # Both say Kørekort on the same words.
        "Bo": sel(g(44), TEXTS["Bo"], "Mit kørekort", (g(3), ANNE), (g(3), BENT)),
        # They disagree: Pas or Kørekort.
        "Cara": sel(g(45), TEXTS["Cara"], "nyt pas", (g(2), ANNE), (g(3), BENT)),
    }
    for k, (name, text) in enumerate(TEXTS.items()):
        sources += (f'<TextSource guid="{g(21 + k)}" name="{name}.txt">'
                    f"<PlainTextContent>{text}</PlainTextContent>{selections[name]}"
                    "</TextSource>")
        cases += (f'<Case guid="{g(31 + k)}" name="{name}"><VariableValue>'
                  f'<VariableRef targetGUID="{g(60)}"/><TextValue>Ringsted</TextValue>'
                  f'</VariableValue><SourceRef targetGUID="{g(21 + k)}"/></Case>')
    variables = f'<Variable guid="{g(60)}" name="Sted" typeOfVariable="Text"/>'
    users = f'<Users><User guid="{ANNE}" name="Anne"/><User guid="{BENT}" name="Bent"/></Users>'
    xml = project_xml(codes=codes, variables=variables, cases=cases, sources=sources)
    xml = xml.replace('origin="test tool" >', 'origin="test tool" >' + users)
    return write_qdpx(tmp_path / "coders.qdpx", xml)


def test_the_codings_of_two_users_in_one_project(tmp_path):
    path = two_coders(tmp_path)
    assert list_coders(path) == ["Anne", "Bent"]
    table = agreement(path, lang="en")
    # Only what is coded with codes is compared: the site (a variable) is the same for both.
    assert table["dimension"].tolist() == ["service"]
    service = row(table, "service")
    assert (service["n"], service["agreement"]) == (3, pytest.approx(2 / 3))
    assert service["kappa"] == pytest.approx(cohens_kappa(
        ["pas", "kørekort", "pas"], ["pas", "kørekort", "kørekort"]))
    assert table.attrs["coders"] == ("Anne", "Bent")
    assert disagreements(path).values.tolist() == [["Cara", "service", "pas", "kørekort"]]


def test_code_level_comparison_of_two_users(capsys, tmp_path):
    path = two_coders(tmp_path)
    table = code_agreement(path).set_index("code")
    assert table.index.tolist() == ["Bøger", "Ydelse::Kørekort", "Ydelse::Pas"]
    pas = table.loc["Ydelse::Pas"]
    # Anne: Anna and Cara; Bent: Anna only. In Anna's text Anne coded "mit pas" (7 characters),
    # Bent "kom for mit pas" (15): 7 in common of 15; in Cara's only Anne's 7.
    assert pas[["documents_a", "documents_b", "documents_both"]].tolist() == [2, 1, 1]
    assert pas["documents_agreement"] == 0.5
    assert pas[["chars_a", "chars_b", "chars_both"]].tolist() == [14, 15, 7]
    assert pas["overlap"] == pytest.approx(7 / 22)
    assert table.loc["Ydelse::Kørekort", "chars_both"] == len("Mit kørekort")
    assert table.loc["Bøger", ["documents_b", "overlap"]].tolist() == [0, 0.0]
    code_, out, err = run(capsys, "agreement", str(path), "--codes", "--format", "csv")
    assert code_ == 0 and err.startswith("coding A: Anne; coding B: Bent")
    assert out.splitlines()[0] == ("code,documents_a,documents_b,documents_both,"
                                   "documents_agreement,chars_a,chars_b,chars_both,overlap")


def test_a_project_with_one_coder_is_refused_with_its_name(tmp_path):
    text = "Jeg kom for pas."
    sources = (f'<TextSource guid="{g(21)}" name="a.txt"><PlainTextContent>{text}'
               f'</PlainTextContent><PlainTextSelection guid="{g(41)}" startPosition="0" '
               f'endPosition="3"><Coding guid="{g(51)}" creatingUser="{ANNE}">'
               f'<CodeRef targetGUID="{g(1)}"/></Coding></PlainTextSelection></TextSource>')
    xml = project_xml(codes=code(g(1), "Tema"), sources=sources).replace(
        'origin="test tool" >', f'origin="test tool" ><Users><User guid="{ANNE}" name="Anne"/>'
                                "</Users>")
    with pytest.raises(StudyError, match=r"1 coder\(s\) made codings \(Anne\); agreement needs "
                                         "two coders"):
        agreement(write_qdpx(tmp_path / "one.qdpx", xml))


# -- the chart, the notebook and the batch ----------------------------------------------


def test_plot_agreement_draws_one_bar_per_dimension_over_the_bands(codebook):
    import matplotlib.pyplot as plt

    from synergi_analysis.agreement import plot_agreement

    ids = IDS[:4]
    table = agreement(coding(codebook, ids, competence=[S, S, V, V],
                             life_situations=["pensionist", "", "myndig", "myndig"]),
                      coding(codebook, ids, "b", competence=[S, V, V, V],
                             life_situations=["pensionist", "", "myndig", "pensionist"]),
                      lang="en")
    ax = plot_agreement(table, ax=plt.figure().add_subplot())
    dims = table[table["value"] == ""]
    # Dimensions by their labels, stages by theirs: a reader sees no keys.
    names = [codebook.dimension_label(d, lang="en") if d in codebook.dimensions
             else codebook.label("journey_stage", d, lang="en") for d in dims["dimension"]]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"{d} (n = {n})" for d, n in zip(names, dims["n"], strict=True)]
    assert "Competence profile (n = 4)" in [t.get_text() for t in ax.get_yticklabels()]
    assert len(ax.containers) == 1 and len(ax.containers[0]) == len(dims)
    assert ax.get_title() == "Agreement between coders by dimension"
    texts = {t.get_text() for t in ax.texts}
    assert {"slight", "moderate", "almost perfect", "–"} <= texts  # site: no kappa


def second_coding(tmp_path: Path, study) -> Path:
    """The shipped study coded again, with four competence codes changed."""
    folder = tmp_path / "second"
    folder.mkdir()
    for name in ("interviews.csv", "quotes.csv", "codebook.yml"):
        (folder / name).write_bytes((study.folder / name).read_bytes())
    frame = pd.read_csv(folder / "interviews.csv", dtype=str, keep_default_na=False)
    flip = {S: V, V: S}
    frame.loc[:3, "competence"] = frame.loc[:3, "competence"].map(lambda v: flip.get(v, v))
    frame.to_csv(folder / "interviews.csv", index=False)
    return folder


def test_a_batch_spec_naming_two_codings_adds_the_agreement_report(tmp_path, study):
    from synergi_analysis.report import load_batch, notebooks_dir, plan_batch

    b = second_coding(tmp_path, study)
    spec = tmp_path / "batch.yml"
    spec.write_text(f"reports:\n  - notebook: {notebooks_dir() / 'overview.ipynb'}\n"
                    "agreement:\n  b: second\n", encoding="utf-8")
    jobs = plan_batch(load_batch(spec), study=study)
    job = jobs[-1]
    assert (job.name, Path(job.notebook).name) == ("agreement", "agreement.ipynb")
    assert job.parameters["b"] == str(b) and job.title == "Enighed mellem kodere"
    # The second coding's files are part of the report's key.
    frame = pd.read_csv(b / "interviews.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "competence"] = S if frame.loc[5, "competence"] == V else V
    frame.to_csv(b / "interviews.csv", index=False)
    assert plan_batch(load_batch(spec), study=study)[-1].key != job.key
    # Without an agreement, the shipped batch has no such report.
    assert "agreement" not in [j.name for j in plan_batch(load_batch(), study=study)]
    spec.write_text("reports: []\nagreement:\n  b: nowhere\n", encoding="utf-8")
    with pytest.raises(StudyError, match=r"agreement: b: 'nowhere' not found"):
        load_batch(spec)


@pytest.mark.slow
def test_the_agreement_report_renders_in_the_batch(tmp_path, study):
    from synergi_analysis.report import notebooks_dir, render_batch

    second_coding(tmp_path, study)
    spec = tmp_path / "batch.yml"
    spec.write_text(f"parameters:\n  lang: en\nreports:\n"
                    f"  - notebook: {notebooks_dir() / 'overview.ipynb'}\n"
                    "agreement:\n  b: second\n", encoding="utf-8")
    summary = render_batch(spec, out=tmp_path / "out", only="agreement", jobs=1, progress=False)
    assert summary.ok, [r.error for r in summary.results]
    page = (tmp_path / "out" / "agreement.html").read_text(encoding="utf-8")
    assert "<h1>Agreement between coders</h1>" in page
    assert page.count('src="data:image/png;base64,') == 1
    expected = agreement(study, tmp_path / "second", lang="en")
    competence = row(expected, "competence")
    assert competence["agreement"] == pytest.approx(41 / 45)
    assert f"{competence['kappa']:.2f}" in page
    for interview in study.interviews["interview_id"][:4]:
        assert f"<td>{interview}</td>" in page or f">{interview}<" in page
