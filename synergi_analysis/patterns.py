"""Pattern analyses: tidy tables of who came, for what, and how they were coded.

Every function takes the interview frame of a `Study` (and the codebook, which
gives order and labels), returns a new DataFrame and changes nothing else.
Codes the codebook has but the data lacks appear with zero counts, in codebook
order; a selection that matches nothing gives an empty, correctly shaped frame.
"""

from __future__ import annotations

import pandas as pd

from synergi_analysis.codebook import Codebook, _check_lang

__all__ = ["crosstab", "service_by_age"]

TOTAL = {"da": "Antal", "en": "Total"}


def _values(data: pd.DataFrame, codebook: Codebook, dimension: str) -> pd.Series:
    """One entry per (interview, value): multi-valued cells exploded, blanks dropped.

    The result keeps the interview frame's index, so two dimensions align on it.
    """
    dim = codebook[dimension]
    if dim.column is None or dim.column not in data:
        raise ValueError(f"dimension {dimension!r} has no column in the data")
    s = data[dim.column].astype(object)
    if dim.multi:
        s = s.fillna("").str.split(dim.separator).explode()
        s = s[s != ""]
    return s.dropna()


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
    r = _values(data, codebook, rows).rename("r")
    c = _values(data, codebook, columns).rename("c")
    pairs = pd.merge(r, c, left_index=True, right_index=True, how="inner")
    table = (
        pd.crosstab(pairs["r"], pairs["c"])
        .reindex(index=codebook.keys(rows), columns=codebook.keys(columns), fill_value=0)
        .astype("int64")
    )
    if margins:
        total = TOTAL[lang or "da"]
        table[total] = table.sum(axis=1)
        table.loc[total] = table.sum(axis=0)
    if lang is not None:
        table = table.rename(index=codebook.labels(rows, lang=lang),
                             columns=codebook.labels(columns, lang=lang))
    table.index.name = rows
    table.columns.name = columns
    return table


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
    return crosstab(data, codebook=codebook, rows="service", columns=by, lang=lang)
