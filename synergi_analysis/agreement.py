"""Inter-coder agreement: do two codings of the same interviews say the same?

Two codings are two studies of the same interviews (two folders, two interview
files, two ``.qdpx``), or one REFI-QDA project coded by two users (each coding's
``creatingUser``). `agreement` compares them dimension by dimension (and journey
stage by stage) with the share of identical codes, Cohen's kappa and
Krippendorff's alpha (`synergi_analysis.stats`); `disagreements` lists every
interview where they differ, to settle in a meeting; `code_agreement` compares a
project's codes as a QDA tool does: the documents each code was applied to and
the characters both coders coded with it.

Kappa is read with the bands of Landis and Koch (1977): below 0 poor, up to 0.20
slight, 0.40 fair, 0.60 moderate, 0.80 substantial, above almost perfect.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from synergi_analysis.codebook import Codebook, _check_lang
from synergi_analysis.errors import Problem, StudyError, ValidationError
from synergi_analysis.stats import cohens_kappa, krippendorff_alpha, landis_koch
from synergi_analysis.study import Study
from synergi_analysis.validate import INTERVIEW_ID
from synergi_analysis.words import word

__all__ = ["agreement", "disagreements", "code_agreement", "codings", "list_coders",
           "only_in", "plot_agreement"]

#: Columns of the `agreement` table.
AGREEMENT_COLUMNS = ["dimension", "value", "n", "agreement", "kappa", "alpha", "band",
                     "only_a", "only_b"]
_MAX_NAMED = 10


@dataclass
class _Pair:
    """Two codings of one codebook, as one cell per (interview, dimension) each."""

    codebook: Codebook
    names: tuple[str, str]
    a: pd.DataFrame  # index interview_id, one column per dimension: a frozenset of keys
    b: pd.DataFrame
    multi: dict[str, bool]
    only_in: tuple[list[str], list[str]]


# -- the two codings ----------------------------------------------------------------


def _load(coding) -> Study:
    if isinstance(coding, Study):
        return coding
    from synergi_analysis.load import load_study

    return load_study(coding)


def _project(coding):
    """(project, codebook, source) of a QDA coding, read without validating it as one study.

    Two coders who disagree give one interview two values, which one study
    refuses; each coder's coding is validated on its own instead.
    """
    from synergi_analysis._io import QDA_SUFFIXES
    from synergi_analysis.qda import mapping

    if isinstance(coding, Study):
        project = getattr(coding, "project", None)
        return project, coding.codebook, str(coding.source)
    if coding is None:  # the shipped study: one coding
        return None, None, "the shipped study"
    path = Path(coding).expanduser()
    if path.suffix.lower() not in QDA_SUFFIXES:
        return None, None, str(coding)
    project, cb, _ = mapping._read(path, None)
    return project, cb, str(path)


def list_coders(coding) -> list[str]:
    """The users who coded a REFI-QDA project, by how many codings each made (most first).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> list_coders(load_study())
    []
    """
    project = _project(coding)[0]
    if project is None:
        return []
    counts: dict[str, int] = {}
    for sel in project.selections:
        for user in sel.users:
            if user:
                name = project.users.get(user, user)
                counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))


def _split(coding, chosen) -> tuple[Study, Study, tuple[str, str], set[str]]:
    """One project as two studies, each with the codings of one user.

    Case variables and sets are the same for both; only the dimensions the
    project codes with codes are compared (returned as the last item).
    """
    from synergi_analysis.qda import mapping

    names = _two_coders(coding, chosen)
    project, cb, source = _project(coding)
    guid_of = {name: guid for guid, name in project.users.items()}
    studies = []
    for name in names:
        guid = guid_of.get(name, name)
        sources = []
        for src in project.sources:
            sels = []
            for sel in src.selections:
                keep = [k for k, u in enumerate(sel.users) if u == guid]
                sels.append(dataclasses.replace(
                    sel, codes=[sel.codes[k] for k in keep], users=[sel.users[k] for k in keep]))
            sources.append(dataclasses.replace(src, selections=sels))
        own = dataclasses.replace(project, sources=sources, warnings=[])
        try:
            studies.append(mapping._study(own, cb, cb.path, source))
        except ValidationError as exc:
            raise ValidationError([Problem(f"{p.file} (coder {name})", p.row, p.column,
                                           p.message) for p in exc.problems]) from None
    found = mapping._map_project(project, cb).found
    coded = {col for col, hows in found.items() if any(h.startswith("code ") for h in hows)}
    return studies[0], studies[1], (names[0], names[1]), coded


def _cells(study: Study, cb: Codebook, keys: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """One row per interview, one cell per dimension: the frozenset of its keys."""
    iv = study.interviews.drop_duplicates(INTERVIEW_ID).set_index(INTERVIEW_ID)
    out = {}
    for name, column, multi in keys:
        if column not in iv:
            out[name] = [frozenset()] * len(iv)
            continue
        cells = []
        for value in iv[column].astype(object):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append(frozenset())
            elif multi:
                sep = cb[name].separator
                cells.append(frozenset(v.strip() for v in str(value).split(sep) if v.strip()))
            else:
                cells.append(frozenset([str(value)]))
        out[name] = cells
    return pd.DataFrame(out, index=iv.index.astype(str))


def _same_codebook(a: Codebook, b: Codebook) -> None:
    def shape(cb: Codebook):
        return {name: (d.column, tuple(d.keys)) for name, d in cb.dimensions.items()}

    sa, sb = shape(a), shape(b)
    for name in sorted(set(sa) | set(sb)):
        if sa.get(name) != sb.get(name):
            what = ("is only in the first" if name not in sb else "is only in the second"
                    if name not in sa else "has other values or another column")
            raise StudyError(f"the two codings use different codebooks: dimension {name!r} "
                             f"{what}; compare codings of one codebook")


def _pair(a, b=None, *, coders=None) -> _Pair:
    compared = None
    if b is None:
        sa, sb, names, compared = _split(a, coders)
    else:
        sa, sb = _load(a), _load(b)
        names = (Path(str(sa.source)).name or str(sa.source),
                 Path(str(sb.source)).name or str(sb.source))
        if names[0] == names[1]:
            names = (str(sa.source), str(sb.source))
        _same_codebook(sa.codebook, sb.codebook)
    cb = sa.codebook
    keys = [(d.name, d.column, d.multi) for d in cb.dimensions.values() if d.column]
    keys += [(stage, stage, False) for stage in cb.stages]
    if compared is not None:
        keys = [k for k in keys if k[1] in compared]
    ca, cbb = _cells(sa, cb, keys), _cells(sb, cb, keys)
    common = [i for i in ca.index if i in set(cbb.index)]
    only = ([i for i in ca.index if i not in set(cbb.index)],
            [i for i in cbb.index if i not in set(ca.index)])
    if not common:
        raise StudyError(f"{names[0]} and {names[1]} have no interview in common "
                         f"({len(ca)} and {len(cbb)} interviews); compare two codings of the "
                         "same interviews")
    return _Pair(cb, names, ca.loc[common], cbb.loc[common], {k[0]: k[2] for k in keys}, only)


# -- the tables ---------------------------------------------------------------------


def _row(dimension: str, value: str, a: list, b: list, lang: str) -> dict:
    """One row of the table from two coders' values (None where a coder gave none)."""
    both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    n = len(both)
    kappa = cohens_kappa([x for x, _ in both], [y for _, y in both]) if n else math.nan
    band = landis_koch(kappa)
    return {
        "dimension": dimension, "value": value, "n": n,
        "agreement": sum(x == y for x, y in both) / n if n else math.nan,
        "kappa": kappa, "alpha": krippendorff_alpha(a, b),
        "band": word(f"agreement.{band}", lang) if band else "",
        "only_a": sum(x is not None and y is None for x, y in zip(a, b, strict=True)),
        "only_b": sum(x is None and y is not None for x, y in zip(a, b, strict=True)),
    }


def _key(cell: frozenset) -> str | None:
    return ";".join(sorted(cell)) if cell else None


def agreement(a, b=None, *, coders=None, lang: str = "da") -> pd.DataFrame:
    """How well two codings of the same interviews agree, dimension by dimension.

    Parameters
    ----------
    a : Study or path
        The first coding: a study, or what `load_study` reads (a folder, an
        interviews file, a ``.qdpx``).
    b : Study or path, optional
        The second coding. Left out, ``a`` must be a REFI-QDA project coded by
        two users, whose codings are compared (see `coders`).
    coders : str or pair of str, optional
        With ``b`` left out: the two users to compare (``"Anne,Bent"``), when the
        project has more than two.
    lang : {"da", "en"}
        Language of the ``band`` column.

    Returns
    -------
    pandas.DataFrame
        One row per coded dimension (its name, e.g. ``competence``) and journey
        stage (its key, e.g. ``udgang``) that either coding codes; for a
        multi-valued dimension, a row for the whole set (each set one category)
        and then one row per value (coded or not, per interview). Columns:
        ``dimension``; ``value`` (the value's key on a per-value row, else
        ``""``); ``n`` (interviews both coded); ``agreement`` (share of those
        coded identically); ``kappa`` (Cohen's); ``alpha`` (Krippendorff's,
        nominal); ``band`` (Landis and Koch's reading of kappa, in ``lang``);
        ``only_a`` and ``only_b`` (interviews only one coding coded there).
        NaN where a measure is undefined (no interview coded by both; one value
        only). ``attrs``: ``coders`` (the two names), ``interviews`` (in both),
        ``only_in_a`` and ``only_in_b`` (the interviews only one coding has), ``lang``.

    Raises
    ------
    StudyError
        The codings use different codebooks, share no interview, or (one project)
        do not have two coders.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> table = agreement(study, study, lang="en")
    >>> row = table.set_index("dimension").loc["competence"]
    >>> int(row["n"]), float(row["kappa"]), row["band"]
    (45, 1.0, 'almost perfect')
    """
    _check_lang(lang)
    pair = _pair(a, b, coders=coders)
    rows = []
    for dimension in pair.a.columns:
        ca, cb = pair.a[dimension].tolist(), pair.b[dimension].tolist()
        if not any(ca) and not any(cb):
            continue
        rows.append(_row(dimension, "", [_key(c) for c in ca], [_key(c) for c in cb], lang))
        if pair.multi[dimension]:
            coded = [bool(x) and bool(y) for x, y in zip(ca, cb, strict=True)]
            values = [v for v in pair.codebook.keys(dimension)
                      if any(v in c for c in ca + cb)]
            for value in values:
                # Per value: present or not, on the interviews both coded in the dimension.
                va = [str(value in x) if c else None for x, c in zip(ca, coded, strict=True)]
                vb = [str(value in y) if c else None for y, c in zip(cb, coded, strict=True)]
                row = _row(dimension, value, va, vb, lang)
                row.update(only_a=rows[-1]["only_a"], only_b=rows[-1]["only_b"])
                rows.append(row)
    table = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    table = table.astype({"n": "int64", "only_a": "int64", "only_b": "int64",
                          "agreement": "float64", "kappa": "float64", "alpha": "float64"})
    table.attrs.update(coders=pair.names, interviews=len(pair.a), only_in_a=pair.only_in[0],
                       only_in_b=pair.only_in[1], lang=lang,
                       dimension_labels={d: _dimension_label(pair.codebook, d, lang)
                                         for d in dict.fromkeys(table["dimension"])})
    return table


def _dimension_label(codebook: Codebook, name: str, lang: str) -> str:
    """A dimension's label, or a journey stage's (the table names stages by their key)."""
    if name in codebook.dimensions:
        return codebook.dimension_label(name, lang=lang)
    if name in codebook.stages:
        return codebook.label("journey_stage", name, lang=lang)
    return name


def codings(a, b=None, *, coders=None) -> tuple[Study, Study]:
    """The two codings `agreement` compares, as studies (a project's split by user).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> first, second = codings(load_study(), load_study())
    >>> len(first.interviews), len(second.interviews)
    (45, 45)
    """
    if b is None:
        sa, sb, _, _ = _split(a, coders)
        return sa, sb
    return _load(a), _load(b)


def disagreements(a, b=None, *, coders=None) -> pd.DataFrame:
    """Every interview and dimension where two codings differ, to settle in a meeting.

    Takes the codings as `agreement` does.

    Returns
    -------
    pandas.DataFrame
        ``interview_id``, ``dimension``, ``value_a`` and ``value_b`` (each
        coding's keys, several joined by ``";"``; empty where that coding gave
        none), in interview then codebook order. ``attrs["coders"]`` names the two.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> len(disagreements(study, study))
    0
    """
    pair = _pair(a, b, coders=coders)
    rows = []
    for interview in pair.a.index:
        for dimension in pair.a.columns:
            x, y = pair.a.at[interview, dimension], pair.b.at[interview, dimension]
            if x != y:
                rows.append({INTERVIEW_ID: interview, "dimension": dimension,
                             "value_a": _key(x) or "", "value_b": _key(y) or ""})
    table = pd.DataFrame(rows, columns=[INTERVIEW_ID, "dimension", "value_a", "value_b"])
    table.attrs["coders"] = pair.names
    return table


def only_in(table: pd.DataFrame, *, lang: str | None = None) -> list[str]:
    """Sentences naming the interviews only one coding has (from `agreement`'s ``attrs``).

    Examples
    --------
    >>> table = pd.DataFrame(columns=AGREEMENT_COLUMNS)
    >>> table.attrs.update(coders=("a", "b"), only_in_a=["I07"], only_in_b=[])
    >>> only_in(table, lang="en")
    ['1 interview(s) only in a, not compared: I07']
    """
    lang = lang or table.attrs.get("lang", "da")
    lines = []
    for name, ids in zip(table.attrs.get("coders", ("a", "b")),
                         (table.attrs.get("only_in_a", []), table.attrs.get("only_in_b", [])),
                         strict=True):
        if ids:
            shown = ", ".join(ids[:_MAX_NAMED]) + (f", ... ({len(ids) - _MAX_NAMED} more)"
                                                   if len(ids) > _MAX_NAMED else "")
            lines.append(word("agreement.only_in", lang, n=len(ids), coding=name, ids=shown))
    return lines


# -- code level (REFI-QDA) ------------------------------------------------------------


def _segments(coding, user: str | None) -> pd.DataFrame:
    """Code, document, start, end of each coding (one user's, or all)."""
    project, _, source = _project(coding)
    rows = []
    if project is not None:
        names = {s.guid: s.name for s in project.sources}
        guid_of = {n: g for g, n in project.users.items()}
        for sel in project.selections:
            text = sel.kind in ("PlainTextSelection", "TranscriptSelection")
            for code, by in zip(sel.codes, sel.users, strict=True):
                if code not in project.codes or (user is not None
                                                 and by != guid_of.get(user, user)):
                    continue
                rows.append((project.codes[code].path_name, names.get(sel.source, sel.source),
                             sel.start if text else None, sel.end if text else None))
    elif {"codes", "source"} <= set((study := _load(coding)).quotes.columns):
        q = study.quotes
        for codes, source, start, end in zip(q["codes"], q["source"], q["start"], q["end"],
                                             strict=True):
            for code in str(codes or "").split(";"):
                if code.strip():
                    rows.append((code.strip(), str(source), start, end))
    else:
        raise StudyError(f"{source}: a code-level comparison needs QDA codings (a .qdpx, "
                         "or a folder written by import-qdpx)")
    return pd.DataFrame(rows, columns=["code", "document", "start", "end"])


def _chars(spans: list[tuple[int, int]]) -> set[int]:
    return {i for a, b in spans for i in range(min(a, b), max(a, b))}


def code_agreement(a, b=None, *, coders=None) -> pd.DataFrame:
    """Per code: did both coders apply it to the same documents and the same text?

    Takes the codings as `agreement` does; a study that is not a QDA project
    needs the ``codes``, ``source``, ``start`` and ``end`` columns
    ``import-qdpx`` writes.

    Returns
    -------
    pandas.DataFrame
        One row per code either coder applied, in code order: ``code``;
        ``documents_a``, ``documents_b``, ``documents_both`` (documents each, and
        both, applied it to) and ``documents_agreement`` (both / either);
        ``chars_a``, ``chars_b``, ``chars_both`` (characters of text selections
        coded with it) and ``overlap`` (characters both / either; NaN without text
        selections). ``attrs["coders"]`` names the two.
    """
    if b is None:
        names = _two_coders(a, coders)
        sa, sb = _segments(a, names[0]), _segments(a, names[1])
    else:
        names = (Path(_project(a)[2]).name, Path(_project(b)[2]).name)
        sa, sb = _segments(a, None), _segments(b, None)
    rows = []
    for code in sorted(set(sa["code"]) | set(sb["code"]),
                       key=lambda c: [p.casefold() for p in c.split("::")]):
        xa, xb = sa[sa["code"] == code], sb[sb["code"] == code]
        da, db = set(xa["document"]), set(xb["document"])
        chars = [0, 0, 0]
        either = 0
        for doc in da | db:
            spans = [[(int(s), int(e)) for s, e in zip(x.loc[x["document"] == doc, "start"],
                                                       x.loc[x["document"] == doc, "end"],
                                                       strict=True)
                      if pd.notna(s) and pd.notna(e)] for x in (xa, xb)]
            ca, cb = _chars(spans[0]), _chars(spans[1])
            chars = [chars[0] + len(ca), chars[1] + len(cb), chars[2] + len(ca & cb)]
            either += len(ca | cb)
        rows.append({"code": code, "documents_a": len(da), "documents_b": len(db),
                     "documents_both": len(da & db),
                     "documents_agreement": len(da & db) / len(da | db),
                     "chars_a": chars[0], "chars_b": chars[1], "chars_both": chars[2],
                     "overlap": chars[2] / either if either else math.nan})
    columns = ["code", "documents_a", "documents_b", "documents_both", "documents_agreement",
               "chars_a", "chars_b", "chars_both", "overlap"]
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["coders"] = tuple(names)
    return table


def _two_coders(coding, chosen) -> tuple[str, str]:
    """The two users of a project whose codings are compared."""
    project, _, source = _project(coding)
    if project is None:
        raise StudyError(f"{source}: one coding only: give a second coding to compare "
                         "with, or a QDA project coded by two users")
    names = list_coders(coding)
    if chosen is not None:
        chosen = chosen.split(",") if isinstance(chosen, str) else list(chosen)
        chosen = [c.strip() for c in chosen]
        if len(chosen) != 2 or any(c not in names for c in chosen):
            raise StudyError(f"coders must name two of the project's coders "
                             f"({', '.join(names) or 'none'}), not {', '.join(chosen)}")
        return chosen[0], chosen[1]
    if len(names) != 2:
        listed = f" ({', '.join(names)})" if names else ""
        hint = ("name two of them" if len(names) > 2
                else "agreement needs two coders, or a second coding to compare with")
        raise StudyError(f"{project.file}: {len(names)} coder(s) made codings{listed}; "
                         f"{hint}")
    return names[0], names[1]


# -- the chart ----------------------------------------------------------------------
# Drawn here, beside the table it draws, rather than in `plotting` (at its size limit);
# like every chart function it only draws the table `agreement` made.


def plot_agreement(data: pd.DataFrame, *, lang: str | None = None, title: str | None = None,
                   ax=None, **kwargs):
    """Cohen's kappa per dimension as bars over Landis and Koch's reading bands.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `agreement` (its per-value rows are left out).
    lang : {"da", "en"}, optional
        Default: the table's own (``attrs["lang"]``).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per dimension, top to bottom in the table's order, labelled
        ``dimension (n = N)``; the bands shaded and named along the top; a
        dimension without kappa has no bar and a dash.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> ax = plot_agreement(agreement(study, study, lang="en"), ax=plt.figure().add_subplot())
    >>> ax.get_yticklabels()[0].get_text()
    'Site (n = 45)'
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from synergi_analysis.stats import LANDIS_KOCH
    from synergi_analysis.style import NEUTRAL, PALETTE

    lang = lang or data.attrs.get("lang", "da")
    _check_lang(lang)
    ax = ax if ax is not None else plt.gca()
    rows = data[data["value"] == ""].reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    kappa = rows["kappa"].to_numpy(dtype=float)
    lower = -0.2
    edges = [lower, *(edge for edge, _ in LANDIS_KOCH)]
    for k, (left, right) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        ax.axvspan(left, right, color=NEUTRAL, alpha=0.08 + 0.06 * (k % 2), linewidth=0)
        ax.text((left + right) / 2, 1.01, word(f"agreement.{LANDIS_KOCH[k][1]}", lang),
                transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize="small",
                color="#555555")
    style = {"color": PALETTE[0], "height": 0.6}
    style.update(kwargs)
    ax.barh(y, np.where(np.isfinite(kappa), np.clip(kappa, lower, 1), 0), **style)
    for yi, value in zip(y, kappa, strict=True):
        shown = f"{value:.2f}" if np.isfinite(value) else "–"
        ax.annotate(shown, (max(value, 0) if np.isfinite(value) else 0, yi), xytext=(4, 0),
                    textcoords="offset points", va="center")
    names = data.attrs.get("dimension_labels") or {}
    ax.set_yticks(y, [f"{names.get(d, d)} (n = {n})" for d, n in zip(rows["dimension"],
                                                                    rows["n"], strict=True)])
    ax.set_xlim(lower, 1.05)
    ax.set_xlabel(word("agreement.kappa", lang))
    ax.set_title(title or word("agreement.title", lang), pad=24)
    return ax
