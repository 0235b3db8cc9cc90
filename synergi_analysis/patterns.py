"""Pattern analyses: tidy tables of who came, for what, and how they were coded.

Every function takes the interview frame of a `Study` (and the codebook, which
gives order and labels), returns a new DataFrame and changes nothing else.
Codes the codebook has but the data lacks appear with zero counts, in codebook
order; a selection that matches nothing gives the same, correctly shaped frame
with zero counts (and no rows for `quotes`).

A dimension is named as in the codebook (``"service"``, ``"age_band"``,
``"life_situation"``, ...) or as a journey stage (``"ventetid"`` or
``"journey:ventetid"``, as in `Study.codings`). A dimension whose scale depends
on another (``attitude`` on ``visitor_type``) counts each scale's values apart:
its keys are ``"<scale>:<key>"`` (``"bibliotek:A"``) and its labels the scale's
own ("Den forstyrrede").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synergi_analysis.codebook import Codebook, _check_lang
from synergi_analysis.words import LANGS, word

__all__ = [
    "crosstab",
    "service_by_age",
    "attitudes",
    "journey",
    "competence",
    "life_situations",
    "cooccurrence",
]

# The margin and "not coded" labels in each language (plots and code tables look for them).
TOTAL = {lang: word("table.total", lang) for lang in LANGS}
NOT_CODED = {lang: word("table.not_coded", lang) for lang in LANGS}
_JOURNEY = "journey:"
_NORMALISE = ("count", "jaccard", "lift")


@dataclass(frozen=True)
class _Coded:
    """Where a coded dimension lives in the interview frame, its order and its labels."""

    name: str
    column: str
    keys: tuple[str, ...]
    labels_da: tuple[str, ...]
    labels_en: tuple[str, ...]
    multi: bool = False
    separator: str = ";"
    scale_by: str | None = None

    def labels(self, lang: str | None) -> dict[str, str]:
        if lang is None:
            return dict(zip(self.keys, self.keys, strict=True))
        return dict(zip(self.keys, self.labels_en if lang == "en" else self.labels_da,
                        strict=True))


def _coded(codebook: Codebook, name: str) -> _Coded:
    """Resolve a dimension name (or a journey stage) to its column, keys and labels."""
    if not isinstance(name, str):
        raise ValueError(f"a dimension name must be a string, not {name!r}")
    stage = name[len(_JOURNEY):] if name.startswith(_JOURNEY) else name
    if name not in codebook and stage in codebook.stages and "journey_state" in codebook:
        states = codebook["journey_state"].values
        return _Coded(name, stage, tuple(v.key for v in states),
                      tuple(v.da for v in states), tuple(v.en for v in states))
    dim = codebook[name]
    if dim.column is None:
        raise ValueError(f"dimension {name!r} has no column in the data")
    if dim.scale_by is None:
        return _Coded(name, dim.column, tuple(dim.keys), tuple(v.da for v in dim.values),
                      tuple(v.en for v in dim.values), dim.multi, dim.separator)
    keys, da, en = [], [], []
    for scale in codebook.keys(dim.scale_by):
        for v in dim.scale(scale):
            keys.append(f"{scale}:{v.key}")
            da.append(v.da)
            en.append(v.en)
    # Two scales may share a label; then the scale's own label tells them apart.
    for labels, lang in ((da, "da"), (en, "en")):
        if len(set(labels)) < len(labels):
            for i, key in enumerate(keys):
                scale = key.split(":", 1)[0]
                labels[i] = f"{codebook.label(dim.scale_by, scale, lang=lang)}: {labels[i]}"
    return _Coded(name, dim.column, tuple(keys), tuple(da), tuple(en), dim.multi,
                  dim.separator, dim.scale_by)


def _argument(codebook: Codebook, name, argument: str) -> _Coded:
    """`_coded`, with the argument that named the dimension in the error message."""
    try:
        return _coded(codebook, name)
    except ValueError as exc:
        raise ValueError(f"{argument}={name!r}: {exc}") from None


def _values(data: pd.DataFrame, codebook: Codebook, dimension: str) -> pd.Series:
    """One entry per (interview, value): multi-valued cells exploded, blanks dropped.

    The result keeps the interview frame's index, so two dimensions align on it.
    A value given twice in one cell counts once.
    """
    coded = _coded(codebook, dimension)
    if coded.column not in data:
        raise ValueError(f"dimension {dimension!r} has no column in the data")
    s = data[coded.column].astype(object)
    if coded.multi:
        s = s.fillna("").astype(str).str.split(coded.separator).explode().str.strip()
        s = s[s != ""]
    s = s.dropna()
    if coded.scale_by is not None:
        if coded.scale_by not in data:
            raise ValueError(f"dimension {dimension!r} needs the column {coded.scale_by!r}")
        scale = data[_coded(codebook, coded.scale_by).column].astype(object).reindex(s.index)
        s = (scale.astype(str) + ":" + s.astype(str))[scale.notna()]
    if coded.multi and len(s):
        s = s[~pd.Series(list(zip(s.index, s, strict=True)), index=s.index).duplicated()]
    return s


def _fresh(data: pd.DataFrame) -> pd.DataFrame:
    """The frame with a fresh 0..n-1 index, so values of two dimensions align by interview."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    return data.reset_index(drop=True)


def _categorical(values, order) -> pd.Categorical:
    return pd.Categorical(values, categories=list(dict.fromkeys(order)), ordered=True)


def crosstab(
    data: pd.DataFrame,
    *,
    codebook: Codebook,
    rows: str,
    columns: str,
    lang: str | None = "da",
    margins: bool = True,
) -> pd.DataFrame:
    """Count interviews by two coded dimensions, in codebook order.

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame (`Study.interviews`) or a selection of it.
    codebook : Codebook
        Gives the dimensions' values, order and labels.
    rows, columns : str
        Dimension names (``"service"``, ``"age_band"``, ``"site"``, ...).
        Multi-valued dimensions count an interview once per value.
    lang : {"da", "en"} or None
        Label rows and columns in this language; ``None`` keeps the keys.
    margins : bool
        Add a total column and a total row (named ``Antal``, or ``Total`` in English).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``rows`` and one column per value of ``columns``,
        every codebook value present (zero where no interview has it), counts as
        int64; the index is named after ``rows``, the columns after ``columns``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> table = crosstab(study.interviews, codebook=study.codebook,
    ...                  rows="service", columns="age_band")
    >>> table.loc["Pas"].tolist()
    [1, 1, 9, 2, 2, 15]
    """
    if lang is not None:
        _check_lang(lang)
    data = _fresh(data)
    r, c = _argument(codebook, rows, "rows"), _argument(codebook, columns, "columns")
    table = _pair_counts(_values(data, codebook, rows), _values(data, codebook, columns),
                         r.keys, c.keys)
    if margins:
        total = TOTAL[lang or "da"]
        table[total] = table.sum(axis=1)
        table.loc[total] = table.sum(axis=0)
    if lang is not None:
        table = table.rename(index=r.labels(lang), columns=c.labels(lang))
    table.index.name = rows
    table.columns.name = columns
    return table


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
    data: pd.DataFrame, *, codebook: Codebook, by: str = "age_band", lang: str | None = "da"
) -> pd.DataFrame:
    """The deck's data-basis table: services × age bands (or ``by``), with totals.

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame.
    codebook : Codebook
    by : str
        The column dimension: ``"age_band"`` (the deck's table), ``"site"`` or
        ``"visitor_type"``.
    lang : {"da", "en"} or None
        Label language; ``None`` keeps the keys.

    Returns
    -------
    pandas.DataFrame
        Services in codebook order as rows, values of ``by`` as columns, plus a
        total column and a total row named ``Antal`` (``Total`` in English).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> service_by_age(study.interviews, codebook=study.codebook).loc["Antal"].tolist()
    [1, 4, 16, 12, 12, 45]
    """
    _argument(codebook, by, "by")
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
    data: pd.DataFrame,
    *,
    codebook: Codebook,
    by: str | None = "visitor_type",
    lang: str | None = "da",
) -> pd.DataFrame:
    """Attitude to integration: counts and shares on each visitor type's own scale.

    The attitude scale depends on the visitor type (A-D for citizen service
    visitors, A-B for library visitors, as the codebook says), so every count is
    per visitor type; ``by`` splits them further (per site, per age band, ...).

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame (`Study.interviews`) or a selection of it.
    codebook : Codebook
    by : str or None
        A dimension to split by (``"site"``, ``"age_band"``, ...); ``None`` or
        the scale's own dimension (``"visitor_type"``) gives one split only.
        A multi-valued dimension counts an interview once per value.
    lang : {"da", "en"} or None
        Label language; ``None`` keeps the keys.

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
          add up to 1; missing where the group has no such interviews).

        The label columns are ordered categoricals in codebook order.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> table = attitudes(study.interviews, codebook=study.codebook)
    >>> table.loc[table["visitor_type"] == "Besøgende på biblioteket", ["code", "count"]]
       code  count
    5     A      4
    6     B      3
    7  <NA>      0
    """
    if lang is not None:
        _check_lang(lang)
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

    not_coded = NOT_CODED[lang] if lang is not None else pd.NA
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
    return out


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
    data: pd.DataFrame,
    *,
    codebook: Codebook,
    by: str | None = None,
    lang: str | None = "da",
) -> pd.DataFrame:
    """For each journey stage: how many interviews were open, closed or not coded there.

    The codebook's ``journey_state`` lists the open state first and the closed
    state second; its ``journey_stage`` gives the stages in the visit's order.

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame or a selection of it.
    codebook : Codebook
    by : str, optional
        Split by this dimension (``"site"``, ``"attitude"``, ``"age_band"``, ...).
        By ``"attitude"``, each scale's values are separate groups.
    lang : {"da", "en"} or None
        Label language; ``None`` keeps the keys.

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
          interviews coded at that stage (float; missing when none is).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> journey(study.interviews, codebook=study.codebook).iloc[:2]
              stage  open  closed  not_coded  share_open
    0  Forberedelse    14      24          7    0.368421
    1       Ankomst     5      33          7    0.131579
    """
    if lang is not None:
        _check_lang(lang)
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
    stage_labels = (codebook.labels("journey_stage", lang=lang) if lang is not None
                    else {s: s for s in stages})
    table["stage"] = _categorical(table["stage"].map(stage_labels), list(stage_labels.values()))
    if by is None:
        return table.drop(columns="g")
    table = table.rename(columns={"g": by})
    table[by] = _categorical(table[by].map(group_labels), [group_labels[g] for g in group_order])
    return table


# -- competence and life situations: crosstabs ---------------------------------------


def competence(
    data: pd.DataFrame,
    *,
    codebook: Codebook,
    by: str = "service",
    lang: str | None = "da",
    margins: bool = True,
) -> pd.DataFrame:
    """Strong and weak navigators (the competence profile) by service, age band, ...

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame or a selection of it.
    codebook : Codebook
    by : str
        The row dimension (``"service"``, ``"age_band"``, ``"site"``, ...).
    lang : {"da", "en"} or None
        Label language; ``None`` keeps the keys.
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
    >>> study = load_study()
    >>> competence(study.interviews, codebook=study.codebook).loc["Pas"].tolist()
    [14, 1, 15]
    """
    _argument(codebook, by, "by")
    return crosstab(data, codebook=codebook, rows=by, columns="competence", lang=lang,
                    margins=margins)


def life_situations(
    data: pd.DataFrame,
    *,
    codebook: Codebook,
    by: str = "service",
    lang: str | None = "da",
    margins: bool = True,
) -> pd.DataFrame:
    """Life situations × service (or ``by``): the multi-valued field counted per value.

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame or a selection of it.
    codebook : Codebook
    by : str
        The column dimension (``"service"``, ``"age_band"``, ``"site"``, ...).
    lang : {"da", "en"} or None
        Label language; ``None`` keeps the keys.
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
    >>> study = load_study()
    >>> table = life_situations(study.interviews, codebook=study.codebook)
    >>> int(table.loc["Udlandsrejse", "Pas"])
    15
    """
    _argument(codebook, by, "by")
    return crosstab(data, codebook=codebook, rows="life_situation", columns=by, lang=lang,
                    margins=margins)


# -- co-occurrence -------------------------------------------------------------------


def cooccurrence(
    data: pd.DataFrame,
    *,
    codebook: Codebook,
    rows: str,
    columns: str | None = None,
    normalise: str | None = None,
    lang: str | None = "da",
) -> pd.DataFrame:
    """How often two codes occur in the same interview, for any two coded dimensions.

    Parameters
    ----------
    data : pandas.DataFrame
        The interview frame or a selection of it.
    codebook : Codebook
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
        meet than if they were independent (1 = as often as chance); ``N`` is
        the number of interviews in ``data``, ``n_a`` those with code ``a``.
    lang : {"da", "en"} or None
        Label language; ``None`` keeps the keys.

    Returns
    -------
    pandas.DataFrame
        One row per code of ``rows`` and one column per code of ``columns``, in
        codebook order; counts as int64, or floats for ``"jaccard"`` and
        ``"lift"`` (missing where the denominator is 0). Index named ``rows``,
        columns named ``columns``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> table = cooccurrence(study.interviews, codebook=study.codebook,
    ...                      rows="life_situation")
    >>> int(table.loc["Forælder", "Udlandsrejse"])
    4
    """
    if lang is not None:
        _check_lang(lang)
    if normalise is not None and normalise not in _NORMALISE:
        raise ValueError(f"normalise must be one of {', '.join(_NORMALISE)} or None, "
                         f"not {normalise!r}")
    columns = rows if columns is None else columns
    data = _fresh(data)
    r_coded = _argument(codebook, rows, "rows")
    c_coded = _argument(codebook, columns, "columns")
    r, c = _values(data, codebook, rows), _values(data, codebook, columns)
    table = _pair_counts(r, c, r_coded.keys, c_coded.keys)
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
                values = np.where(expected > 0, n_ab * len(data) / expected, np.nan)
        table = pd.DataFrame(values, index=table.index, columns=table.columns)
    if lang is not None:
        table = table.rename(index=r_coded.labels(lang), columns=c_coded.labels(lang))
    table.index.name = rows
    table.columns.name = columns
    return table


# -- quotes --------------------------------------------------------------------------


