"""Pattern analyses: tidy tables of who came, for what, and how they were coded.

Every function takes a `Study` first (``journey(study, by="site")``), or an
interview frame with its ``codebook=`` (a selection of a study), returns a new
DataFrame and changes nothing else. Labels are in the study's language
(`Study.lang`) unless ``lang`` names another; ``lang="keys"`` keeps the
codebook's keys.
Codes the codebook has but the data lacks appear with zero counts, in codebook
order; a selection that matches nothing gives the same, correctly shaped frame
with zero counts (and no rows for `quotes`).

A dimension is named as in the codebook (``"service"``, ``"age_band"``,
``"life_situation"``, ...) or as a journey stage (``"ventetid"`` or
``"journey:ventetid"``, as in `Study.codings`). A dimension whose scale depends
on another (``attitude`` on ``visitor_type``) counts each scale's values apart:
its keys are ``"<scale>:<key>"`` (``"bibliotek:A"``) and its labels the scale's
own ("Den forstyrrede").

Each table states what its chart needs in ``DataFrame.attrs``, so a plot never
guesses from column positions or label strings:

- ``kind``: ``"crosstab"``, ``"attitudes"``, ``"journey"`` or ``"cooccurrence"``;
- ``lang``: the language of the table's words (``"da"``/``"en"``);
- ``labels``: every dimension the table names (its index, columns or group
  column) mapped to the dimension's label;
- ``rows``/``columns`` (crosstabs), ``by`` (the group column or None),
  ``margins`` (the last row and column are totals), ``measure``
  (``count``, ``jaccard``, ``lift``), ``n`` (interviews in the data), and for
  the journey ``states``, the labels of the open and the closed state;
- ``illustrative``: ``{dimension: note}`` for every dimension the table rests
  on (its own, and those a `Study.subset` chose its interviews by) that the
  codebook marks as partly invented, the note in the table's language; ``{}``
  when none is. Charts print it as a footnote, ``synergi table`` after the table;
- ``test``: where the table compares groups, the result of an exact test of
  independence (`synergi_analysis.stats`): ``name``, ``statistic``, ``p``,
  ``n`` and a plain ``sentence`` per language; None where no valid test exists
  (a multi-valued dimension counts one interview in several cells).

Shares come with their Wilson 95 % interval (``share_low``, ``share_high``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergi_analysis import stats
from synergi_analysis._codings import (
    _argument,
    _categorical,
    _coded,
    _fresh,
    _values,
    illustrative_of,
)
from synergi_analysis.codebook import Codebook
from synergi_analysis.study import Study, study_parts
from synergi_analysis.words import word

__all__ = [
    "crosstab",
    "service_by_age",
    "attitudes",
    "journey",
    "competence",
    "life_situations",
    "cooccurrence",
]

_NORMALISE = ("count", "jaccard", "lift")
#: A cell of a co-occurrence table with fewer interviews than this is marked as uncertain.
MIN_CELL = 3


def _label(codebook: Codebook, name: str, lang: str) -> str:
    """A dimension's label, or a journey stage's."""
    if name in codebook:
        return codebook.dimension_label(name, lang=lang)
    return codebook.label("journey_stage", _coded(codebook, name).column, lang=lang)


def _both(codebook: Codebook, name: str) -> dict[str, str]:
    return {lang: _label(codebook, name, lang) for lang in ("da", "en")}


def _selection(data) -> tuple[str, ...]:
    """The dimensions a `Study.subset` chose the interviews by (none for a frame)."""
    return tuple(data.selection) if isinstance(data, Study) else ()


def _stamp(table: pd.DataFrame, codebook: Codebook, lang: str | None, *, kind: str,
           dims: list, n: int, selection=(), uses=(), **attrs) -> pd.DataFrame:
    """Record in ``table.attrs`` what its plot needs (see the module's docstring).

    ``uses`` names dimensions the table rests on besides ``dims`` (the journey's
    stages); ``selection`` those the interviews were chosen by.
    """
    words_lang = lang or "da"
    labels = {}
    for name in dims:
        if name is not None:
            labels[name] = _label(codebook, name, words_lang)
    marked = illustrative_of(codebook, [*dims, *uses, *selection], lang)
    for name in marked:
        labels.setdefault(name, codebook.dimension_label(name, lang=words_lang))
    attrs.setdefault("test", None)
    table.attrs = {"kind": kind, "lang": words_lang, "labels": labels, "n": int(n),
                   "illustrative": marked, **attrs}
    return table


def _nested(frame: pd.DataFrame) -> dict:
    """A labelled matrix as ``{row: {column: value}}`` for ``attrs``.

    Plain dicts, not a DataFrame: pandas compares ``attrs`` when it concatenates
    tables, and a DataFrame there cannot be compared. ``pandas.DataFrame(d).T``
    gives the frame back.
    """
    return {r: {c: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
                for c, v in row.items()} for r, row in frame.to_dict(orient="index").items()}


def _multi(codebook: Codebook, name) -> bool:
    return name is not None and _coded(codebook, name).multi


def _crosstab_test(codebook: Codebook, table: pd.DataFrame, rows: str, columns: str):
    """An exact test of the table's independence, or None for a multi-valued dimension."""
    if _multi(codebook, rows) or _multi(codebook, columns):
        return None
    return stats.independence_test(table, label=_both(codebook, rows))


def crosstab(
    data,
    *,
    rows: str,
    columns: str,
    codebook: Codebook | None = None,
    lang: str | None = None,
    margins: bool = True,
) -> pd.DataFrame:
    """Count interviews by two coded dimensions, in codebook order.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame (a selection of `Study.interviews`).
    rows, columns : str
        Dimension names (``"service"``, ``"age_band"``, ``"site"``, ...).
        Multi-valued dimensions count an interview once per value.
    codebook : Codebook, optional
        Gives the dimensions' values, order and labels; needed with a frame.
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's. ``"keys"`` keeps the keys.
    margins : bool
        Add a total column and a total row (named ``Antal``, or ``Total`` in English).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``rows`` and one column per value of ``columns``,
        every codebook value present (zero where no interview has it), counts as
        int64; the index is named after ``rows``, the columns after ``columns``.
        ``attrs``: ``kind="crosstab"``, ``rows``, ``columns``, ``margins``,
        ``lang``, ``labels``, ``n``, ``illustrative``, ``test`` (an exact test of
        independence of rows and columns; None when either is multi-valued) and
        ``residuals`` (Haberman's adjusted residual per cell, without totals, as
        ``{row: {column: value}}``; a cell beyond ±2 is one the test's verdict
        rests on).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = crosstab(load_study(), rows="service", columns="age_band")
    >>> table.loc["Pas"].tolist()
    [1, 1, 9, 2, 2, 15]
    """
    selection = _selection(data)
    data, codebook, lang = study_parts(data, codebook, lang)
    data = _fresh(data)
    r, c = _argument(codebook, rows, "rows"), _argument(codebook, columns, "columns")
    table = _pair_counts(_values(data, codebook, rows), _values(data, codebook, columns),
                         r.keys, c.keys)
    test = _crosstab_test(codebook, table, rows, columns)
    residuals = stats.adjusted_residuals(table)
    if lang is not None:
        residuals = residuals.rename(index=r.labels(lang), columns=c.labels(lang))
    residuals.index.name, residuals.columns.name = rows, columns
    if margins:
        total = word("table.total", lang or "da")
        table[total] = table.sum(axis=1)
        table.loc[total] = table.sum(axis=0)
    if lang is not None:
        table = table.rename(index=r.labels(lang), columns=c.labels(lang))
    table.index.name = rows
    table.columns.name = columns
    return _stamp(table, codebook, lang, kind="crosstab", dims=[rows, columns], n=len(data),
                  selection=selection, rows=rows, columns=columns, margins=bool(margins),
                  measure="count", test=test, residuals=_nested(residuals))


def _pair_counts(r: pd.Series, c: pd.Series, rows, columns) -> pd.DataFrame:
    """Interviews per (row value, column value), every value of the orders present."""
    pairs = pd.merge(r.rename("r"), c.rename("c"), left_index=True, right_index=True,
                     how="inner")
    counts = pairs.groupby(["r", "c"]).size() if len(pairs) else pd.Series(dtype="int64")
    table = (
        counts.unstack(fill_value=0) if len(counts) else pd.DataFrame(dtype="int64")
    )
    return table.reindex(index=list(rows), columns=list(columns), fill_value=0).astype("int64")


def service_by_age(
    data, *, by: str = "age_band", codebook: Codebook | None = None, lang: str | None = None
) -> pd.DataFrame:
    """The deck's data-basis table: services × age bands (or ``by``), with totals.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame with ``codebook=``.
    by : str
        The column dimension: ``"age_band"`` (the deck's table), ``"site"`` or
        ``"visitor_type"``.
    codebook : Codebook, optional
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's.

    Returns
    -------
    pandas.DataFrame
        Services in codebook order as rows, values of ``by`` as columns, plus a
        total column and a total row named ``Antal`` (``Total`` in English).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> service_by_age(load_study()).loc["Antal"].tolist()
    [1, 4, 16, 12, 12, 45]
    """
    _, cb, _ = study_parts(data, codebook, lang)
    _argument(cb, by, "by")
    return crosstab(data, codebook=codebook, rows="service", columns=by, lang=lang)


# -- attitudes -----------------------------------------------------------------------


def _groups(data: pd.DataFrame, codebook: Codebook, by: str | None, lang: str | None,
            *, argument: str = "by"):
    """Group keys per interview (exploded for multi-valued ``by``), their order and labels.

    ``by=None`` puts every interview in one group, named ``""``.
    """
    if by is None:
        return pd.Series("", index=data.index, dtype=object), [""], {"": ""}
    try:
        coded = _coded(codebook, by)
        values = _values(data, codebook, by)
    except ValueError as exc:
        raise ValueError(f"{argument}={by!r}: {exc}") from None
    return values, list(coded.keys), coded.labels(lang)


def attitudes(
    data,
    *,
    by: str | None = "visitor_type",
    codebook: Codebook | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Attitude to integration: counts and shares on each visitor type's own scale.

    The attitude scale depends on the visitor type (A-D for citizen service
    visitors, A-B for library visitors, as the codebook says), so every count is
    per visitor type; ``by`` splits them further (per site, per age band, ...).

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame with ``codebook=``.
    by : str or None
        A dimension to split by (``"site"``, ``"age_band"``, ...); ``None`` or
        the scale's own dimension (``"visitor_type"``) gives one split only.
        A multi-valued dimension counts an interview once per value.
    codebook : Codebook, optional
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per group × visitor type × attitude, in codebook order, each
        scale followed by a row for interviews without an attitude (``code``
        missing, ``attitude`` "Ikke kodet"/"Not coded"). Columns:

        - ``<by>``: the group (only when ``by`` is another dimension);
        - ``visitor_type``: the scale's dimension value;
        - ``code``: the attitude's key (``"A"``, ...);
        - ``attitude``: its label on that scale (its key for ``lang=None``);
        - ``count``: interviews (int64);
        - ``share``: ``count`` over the interviews of the group and visitor
          type (float; the shares of a group's scale, not-coded row included,
          add up to 1; missing where the group has no such interviews);
        - ``share_low``, ``share_high``: its Wilson 95 % interval (float).

        The label columns are ordered categoricals in codebook order.
        ``attrs``: ``kind="attitudes"``, ``by`` (None when not split),
        ``scale`` (``"visitor_type"``), ``lang``, ``labels``, ``n``,
        ``illustrative``, ``test`` (split ``by`` a single-valued dimension: an
        exact test per visitor type of whether the attitudes differ between the
        groups, coded interviews only, Holm-adjusted; else None).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = attitudes(load_study())
    >>> table.loc[table["visitor_type"] == "Besøgende på biblioteket", ["code", "count"]]
       code  count
    5     A      4
    6     B      3
    7  <NA>      0
    """
    selection = _selection(data)
    data, codebook, lang = study_parts(data, codebook, lang)
    data = _fresh(data)
    dim = codebook["attitude"]
    scale_dim = dim.scale_by
    if by == "attitude":
        raise ValueError("by='attitude': attitudes are always split by their own scale")
    if by == scale_dim:
        by = None
    if scale_dim is None:
        raise ValueError("the codebook's attitude dimension has no scale_by")
    coded = _coded(codebook, "attitude")
    scale = _coded(codebook, scale_dim)
    if scale.column not in data or coded.column not in data:
        raise ValueError("data needs the columns attitude and "
                         f"{scale.column!r} to tabulate attitudes")
    # Each interview's attitude as "<scale>:<key>", or "<scale>:" when not coded.
    vt = data[scale.column].astype(object)
    att = _values(data, codebook, "attitude").reindex(data.index)
    att = att.where(att.notna(), vt.astype(str) + ":")[vt.notna()]
    levels = []
    for s in scale.keys:
        levels += [k for k in coded.keys if k.startswith(f"{s}:")] + [f"{s}:"]
    groups, group_order, group_labels = _groups(data, codebook, by, lang)
    joined = pd.merge(groups.rename("g"), att.rename("a"), left_index=True, right_index=True)
    counts = joined.groupby(["g", "a"]).size() if len(joined) else pd.Series(dtype="int64")
    index = pd.MultiIndex.from_product([group_order, levels], names=["g", "a"])
    table = counts.reindex(index, fill_value=0).astype("int64").rename("count").reset_index()
    table["s"] = table["a"].str.split(":", n=1).str[0]
    table["code"] = table["a"].str.split(":", n=1).str[1].replace("", pd.NA)
    totals = table.groupby(["g", "s"], sort=False)["count"].transform("sum")
    table["share"] = (table["count"] / totals.where(totals > 0)).astype("float64")

    not_coded = word("table.not_coded", lang) if lang is not None else pd.NA
    att_labels = coded.labels(lang)
    if lang is None:  # the scale is in its own column, so the plain key is unambiguous
        att_labels = {k: k.split(":", 1)[1] for k in att_labels}
    label = [att_labels.get(a, not_coded) for a in table["a"]]
    scale_labels = scale.labels(lang)
    out = pd.DataFrame(index=table.index)
    if by is not None:
        out[by] = _categorical(table["g"].map(group_labels), [group_labels[g] for g in group_order])
    out[scale_dim] = _categorical(table["s"].map(scale_labels), list(scale_labels.values()))
    out["code"] = table["code"].astype("string")
    out["attitude"] = _categorical(label, [att_labels.get(a, not_coded) for a in levels
                                           if not pd.isna(att_labels.get(a, not_coded))])
    out["count"] = table["count"]
    out["share"] = table["share"]
    out["share_low"], out["share_high"] = stats.wilson_interval(table["count"], totals)
    test = None
    if by is not None and not _multi(codebook, by):
        parts = []
        for s in scale.keys:
            coded_rows = table[(table["s"] == s) & table["code"].notna()]
            counts = coded_rows.pivot_table(index="g", columns="a", values="count",
                                            aggfunc="sum", sort=False)
            parts.append(({lang_: codebook.label(scale_dim, s, lang=lang_)
                           for lang_ in ("da", "en")},
                          stats.independence_test(counts.fillna(0), label=_both(codebook, by))))
        test = stats.combined_tests(parts, label=_both(codebook, by))
    return _stamp(out, codebook, lang, kind="attitudes", dims=[by, scale_dim, "attitude"],
                  n=len(data), selection=selection, by=by, scale=scale_dim, test=test)


# -- the visitor journey -------------------------------------------------------------


def _journey_states(codebook: Codebook) -> tuple[str, str]:
    if not codebook.stages or "journey_state" not in codebook:
        raise ValueError("the codebook has no journey_stage and journey_state dimensions")
    states = codebook.keys("journey_state")
    if len(states) != 2:
        raise ValueError("journey_state must list two values, the open state first and the "
                         f"closed state second, not {states}")
    return states[0], states[1]


def journey(
    data,
    *,
    by: str | None = None,
    codebook: Codebook | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """For each journey stage: how many interviews were open, closed or not coded there.

    The codebook's ``journey_state`` lists the open state first and the closed
    state second; its ``journey_stage`` gives the stages in the visit's order.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame with ``codebook=``.
    by : str, optional
        Split by this dimension (``"site"``, ``"attitude"``, ``"age_band"``, ...).
        By ``"attitude"``, each scale's values are separate groups.
    codebook : Codebook, optional
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per stage (per group, group by group), in codebook order:

        - ``<by>``: the group (only with ``by``; ordered categorical);
        - ``stage``: the stage's label (ordered categorical);
        - ``open``, ``closed``: interviews coded in that state there (int64);
        - ``not_coded``: interviews without a state there (int64); the three
          add up to the group's interviews;
        - ``share_open``: ``open / (open + closed)``, the share open among the
          interviews coded at that stage (float; missing when none is);
        - ``share_low``, ``share_high``: its Wilson 95 % interval (float).

        ``attrs``: ``kind="journey"``, ``by``, ``states`` (the open and the
        closed state's labels), ``lang``, ``labels``, ``n``, ``illustrative``,
        ``test`` (split ``by`` a single-valued dimension: an exact test per stage
        of whether the share open differs between the groups, Holm-adjusted over
        the stages; else None).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> journey(load_study()).iloc[:2].round(2)
              stage  open  closed  not_coded  share_open  share_low  share_high
    0  Forberedelse    14      24          7        0.37       0.23        0.53
    1       Ankomst     5      33          7        0.13       0.06        0.27
    """
    selection = _selection(data)
    data, codebook, lang = study_parts(data, codebook, lang)
    data = _fresh(data)
    open_key, closed_key = _journey_states(codebook)
    stages = codebook.stages
    groups, group_order, group_labels = _groups(data, codebook, by, lang)
    sizes = groups.value_counts().reindex(group_order, fill_value=0)
    rows = []
    for g in group_order:
        members = groups.index[groups == g]
        for stage in stages:
            if stage in data:
                states = data.loc[members, stage].astype(object)
                n_open = int((states == open_key).sum())
                n_closed = int((states == closed_key).sum())
            else:
                n_open = n_closed = 0
            rows.append((g, stage, n_open, n_closed, int(sizes[g]) - n_open - n_closed))
    table = pd.DataFrame(rows, columns=["g", "stage", "open", "closed", "not_coded"])
    for col in ("open", "closed", "not_coded"):
        table[col] = table[col].astype("int64")
    coded = table["open"] + table["closed"]
    table["share_open"] = (table["open"] / coded.where(coded > 0)).astype("float64")
    table["share_low"], table["share_high"] = stats.wilson_interval(table["open"], coded)
    test = None
    if by is not None and not _multi(codebook, by):
        parts = []
        for stage in stages:
            rows_ = table[table["stage"] == stage].set_index("g")[["open", "closed"]]
            parts.append(({lang_: codebook.label("journey_stage", stage, lang=lang_)
                           for lang_ in ("da", "en")},
                          stats.independence_test(rows_, label=_both(codebook, by))))
        test = stats.combined_tests(parts, label=_both(codebook, by))
    stage_labels = (codebook.labels("journey_stage", lang=lang) if lang is not None
                    else {s: s for s in stages})
    table["stage"] = _categorical(table["stage"].map(stage_labels), list(stage_labels.values()))
    if by is None:
        table = table.drop(columns="g")
    else:
        table = table.rename(columns={"g": by})
        table[by] = _categorical(table[by].map(group_labels),
                                 [group_labels[g] for g in group_order])
    states = [codebook.label("journey_state", k, lang=lang or "da") for k in (open_key, closed_key)]
    table = _stamp(table, codebook, lang, kind="journey", dims=[by], n=len(data), by=by,
                   states=states, selection=selection, uses=["journey_stage"], test=test)
    table.attrs["labels"]["stage"] = codebook.dimension_label("journey_stage", lang=lang or "da")
    return table


# -- competence and life situations: crosstabs ---------------------------------------


def competence(
    data,
    *,
    by: str = "service",
    codebook: Codebook | None = None,
    lang: str | None = None,
    margins: bool = True,
) -> pd.DataFrame:
    """Strong and weak navigators (the competence profile) by service, age band, ...

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame with ``codebook=``.
    by : str
        The row dimension (``"service"``, ``"age_band"``, ``"site"``, ...).
    codebook : Codebook, optional
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's.
    margins : bool
        Add a total column and row (``Antal``/``Total``).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``by`` and one column per competence profile, in
        codebook order, counts of interviews (int64); interviews without a
        competence code are not counted. Index named ``by``, columns
        ``"competence"``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> competence(load_study()).loc["Pas"].tolist()
    [14, 1, 15]
    """
    _, cb, _ = study_parts(data, codebook, lang)
    _argument(cb, by, "by")
    return crosstab(data, codebook=codebook, rows=by, columns="competence", lang=lang,
                    margins=margins)


def life_situations(
    data,
    *,
    by: str = "service",
    codebook: Codebook | None = None,
    lang: str | None = None,
    margins: bool = True,
) -> pd.DataFrame:
    """Life situations × service (or ``by``): the multi-valued field counted per value.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame with ``codebook=``.
    by : str
        The column dimension (``"service"``, ``"age_band"``, ``"site"``, ...).
    codebook : Codebook, optional
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's.
    margins : bool
        Add a total column and row (``Antal``/``Total``). An interview with two
        life situations counts in both rows, so the total row counts mentions,
        not interviews; the total column counts interviews per life situation.

    Returns
    -------
    pandas.DataFrame
        One row per life situation and one column per value of ``by``, in
        codebook order, counts of interviews (int64). Index named
        ``"life_situation"``, columns named ``by``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> int(life_situations(load_study()).loc["Udlandsrejse", "Pas"])
    15
    """
    _, cb, _ = study_parts(data, codebook, lang)
    _argument(cb, by, "by")
    return crosstab(data, codebook=codebook, rows="life_situation", columns=by, lang=lang,
                    margins=margins)


# -- co-occurrence -------------------------------------------------------------------


def cooccurrence(
    data,
    *,
    rows: str,
    columns: str | None = None,
    normalise: str | None = None,
    codebook: Codebook | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """How often two codes occur in the same interview, for any two coded dimensions.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or an interview frame with ``codebook=``.
    rows : str
        A dimension (multi-valued ones included) or a journey stage.
    columns : str, optional
        A second dimension; default ``rows`` (the codes of one dimension with
        each other: the diagonal holds how many interviews have each code).
    normalise : {None, "count", "jaccard", "lift"}
        ``None``/``"count"``: interviews with both codes, ``n_ab``.
        ``"jaccard"``: ``n_ab / (n_a + n_b - n_ab)``, the share of the
        interviews with either code that have both (0 to 1).
        ``"lift"``: ``n_ab · N / (n_a · n_b)``, how much more often the codes
        meet than if they were independent (1 = as often as chance).
        For both measures ``N``, ``n_a`` and ``n_b`` count only the interviews
        coded on both dimensions: an interview never coded on one of them (a
        library visitor has no journey) can neither meet nor miss its codes.
    codebook : Codebook, optional
    lang : {"da", "en", "keys"}, optional
        Label language; default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per code of ``rows`` and one column per code of ``columns``, in
        codebook order; counts as int64, or floats for ``"jaccard"`` and
        ``"lift"`` (missing where the denominator is 0). Index named ``rows``,
        columns named ``columns``. ``attrs``: ``kind="cooccurrence"``,
        ``measure``, ``counts`` (``n_ab`` of every cell as ``{row: {column: n}}``,
        labelled like the table), ``n_both`` (the interviews coded on both dimensions),
        ``min_n`` (3: a cell with fewer interviews is marked as uncertain),
        ``lang``, ``labels``, ``n``, ``illustrative``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = cooccurrence(load_study(), rows="life_situation")
    >>> int(table.loc["Forælder", "Udlandsrejse"])
    4
    """
    selection = _selection(data)
    data, codebook, lang = study_parts(data, codebook, lang)
    if normalise is not None and normalise not in _NORMALISE:
        raise ValueError(f"normalise must be one of {', '.join(_NORMALISE)} or None, "
                         f"not {normalise!r}")
    columns = rows if columns is None else columns
    data = _fresh(data)
    r_coded = _argument(codebook, rows, "rows")
    c_coded = _argument(codebook, columns, "columns")
    r, c = _values(data, codebook, rows), _values(data, codebook, columns)
    both = r.index.unique().intersection(c.index.unique())
    r, c = r[r.index.isin(both)], c[c.index.isin(both)]
    table = _pair_counts(r, c, r_coded.keys, c_coded.keys)
    counts = table.copy()
    if normalise in ("jaccard", "lift"):
        n_ab = table.to_numpy(dtype="float64")
        n_a = r.value_counts().reindex(list(r_coded.keys), fill_value=0).to_numpy(float)[:, None]
        n_b = c.value_counts().reindex(list(c_coded.keys), fill_value=0).to_numpy(float)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            if normalise == "jaccard":
                union = n_a + n_b - n_ab
                values = np.where(union > 0, n_ab / union, np.nan)
            else:
                expected = n_a * n_b
                values = np.where(expected > 0, n_ab * len(both) / expected, np.nan)
        table = pd.DataFrame(values, index=table.index, columns=table.columns)
    if lang is not None:
        table = table.rename(index=r_coded.labels(lang), columns=c_coded.labels(lang))
        counts = counts.rename(index=r_coded.labels(lang), columns=c_coded.labels(lang))
    table.index.name = rows
    table.columns.name = columns
    return _stamp(table, codebook, lang, kind="cooccurrence", dims=[rows, columns], n=len(data),
                  selection=selection, rows=rows, columns=columns, margins=False,
                  measure=normalise or "count", counts=_nested(counts), n_both=len(both),
                  min_n=MIN_CELL)


# -- quotes --------------------------------------------------------------------------


