"""Code tables of a QDA project: how often each code was applied, and with which.

Analyses of the ``codes`` column that `synergi_analysis.qda` gives each quote.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synergi_analysis.codebook import _check_lang
from synergi_analysis.qda._read import PATH_SEP
from synergi_analysis.qda.mapping import (
    CODES_SEP,
)
from synergi_analysis.validate import INTERVIEW_ID
from synergi_analysis.words import word

__all__ = [
    "code_frequencies",
    "code_cooccurrence",
]



def _quote_codes(data: pd.DataFrame, *, aggregate: bool) -> pd.DataFrame:
    """Long view: one row per (quote, interview, code path)."""
    for col in ("codes", INTERVIEW_ID):
        if col not in data.columns:
            raise ValueError(
                f"data has no {col!r} column: code tables need quotes read from a QDA "
                "project (load_qdpx, or a folder written by import-qdpx)"
            )
    codes = data["codes"].fillna("").astype(str).str.split(CODES_SEP.strip())
    counts = codes.str.len().to_numpy()
    long = pd.DataFrame({
        "quote": np.arange(len(data)).repeat(counts),
        INTERVIEW_ID: data[INTERVIEW_ID].astype(str).to_numpy().repeat(counts),
        "code": [c.strip() for cs in codes for c in cs],
    })
    long = long[long["code"] != ""]
    if aggregate:
        parts = long["code"].str.split(PATH_SEP)
        lengths = parts.str.len()
        long = long.iloc[np.arange(len(long)).repeat(lengths.to_numpy())].copy()
        long["code"] = [PATH_SEP.join(p[:k]) for p, n in zip(parts, lengths, strict=True)
                        for k in range(1, n + 1)]
    return long.drop_duplicates(["quote", "code"]).reset_index(drop=True)


def _code_order(long: pd.DataFrame, codes: Sequence[str] | None) -> list[str]:
    """Project order where given, else tree order; every parent of a used code included."""
    used = list(dict.fromkeys(long["code"]))
    if codes is not None:
        given = list(dict.fromkeys(str(c) for c in codes))
        return given + [c for c in used if c not in set(given)]
    parents = {PATH_SEP.join(c.split(PATH_SEP)[:k]) for c in used
               for k in range(1, c.count(PATH_SEP) + 2)}
    return sorted(parents, key=lambda c: [p.casefold() for p in c.split(PATH_SEP)])


def code_frequencies(
    data: pd.DataFrame,
    *,
    interviews: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    aggregate: bool = False,
    lang: str = "da",
) -> pd.DataFrame:
    """Count the selections coded with each QDA code, interview by interview.

    Parameters
    ----------
    data : pandas.DataFrame
        Quotes with ``interview_id`` and ``codes`` (code paths joined by ``"; "``),
        as `load_qdpx` gives them.
    interviews : sequence of str, optional
        The interview columns, in order (default: those in ``data``, in order).
        Pass ``study.interviews["interview_id"]`` to show interviews without quotes.
    codes : sequence of str, optional
        The code rows, in order (default: every code in ``data`` and its parents, in
        tree order). Pass ``study.project.code_paths`` to list unused codes too.
    aggregate : bool
        Count a selection coded with a child code under each of its parents as well
        (once per selection).
    lang : {"da", "en"}
        Language of the total column's name.

    Returns
    -------
    pandas.DataFrame
        Index ``code`` (the code's path, ``Parent::Child``, so the hierarchy reads
        from it), one int64 column per interview with the number of its selections
        coded with the code, and a total column (``Antal``/``Total``).

    Examples
    --------
    >>> import pandas as pd
    >>> quotes = pd.DataFrame({"interview_id": ["A", "A", "B"],
    ...     "codes": ["Health::Diet; Wellbeing", "Health", "Health::Diet"]})
    >>> table = code_frequencies(quotes, lang="en")
    >>> table.index.tolist(), table.columns.tolist()
    (['Health', 'Health::Diet', 'Wellbeing'], ['A', 'B', 'Total'])
    >>> table.loc["Health::Diet"].tolist()
    [1, 1, 2]
    """
    _check_lang(lang)
    long = _quote_codes(data, aggregate=aggregate)
    order = _code_order(long, codes)
    ids = (list(dict.fromkeys(str(i) for i in interviews)) if interviews is not None
           else list(dict.fromkeys(data[INTERVIEW_ID].astype(str))))
    table = (pd.crosstab(long["code"], long[INTERVIEW_ID])
             .reindex(index=order, columns=ids, fill_value=0).fillna(0).astype("int64"))
    table[word("table.total", lang)] = table.sum(axis=1).astype("int64")
    table.index.name = "code"
    table.columns.name = INTERVIEW_ID
    return table


def code_cooccurrence(
    data: pd.DataFrame, *, codes: Sequence[str] | None = None, aggregate: bool = False
) -> pd.DataFrame:
    """Pairs of QDA codes that share selections or interviews.

    Parameters
    ----------
    data : pandas.DataFrame
        Quotes with ``interview_id`` and ``codes``, as `load_qdpx` gives them.
    codes : sequence of str, optional
        Code order, used to order each pair and to break ties.
    aggregate : bool
        Let a selection coded with a child code count for its parents too.

    Returns
    -------
    pandas.DataFrame
        One row per pair that shares at least one interview: ``code_a``, ``code_b``
        (``code_a`` first in code order), ``selections`` (selections coded with
        both) and ``interviews`` (interviews where both occur), int64, sorted by
        ``selections`` then ``interviews``, largest first.

    Examples
    --------
    >>> import pandas as pd
    >>> quotes = pd.DataFrame({"interview_id": ["A", "A", "B"],
    ...     "codes": ["Diet; Mood", "Sleep", "Diet; Mood; Sleep"]})
    >>> code_cooccurrence(quotes)
      code_a code_b  selections  interviews
    0   Diet   Mood           2           2
    1   Diet  Sleep           1           2
    2   Mood  Sleep           1           2
    """
    long = _quote_codes(data, aggregate=aggregate)
    columns = ["code_a", "code_b", "selections", "interviews"]
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in columns[2:] else object)
                             for c in columns})
    order = [c for c in _code_order(long, codes) if c in set(long["code"])]
    by_quote = (pd.crosstab(long["quote"], long["code"]) > 0).reindex(columns=order)
    by_interview = (pd.crosstab(long[INTERVIEW_ID], long["code"]) > 0).reindex(columns=order)
    q = by_quote.to_numpy(dtype="int64")
    v = by_interview.to_numpy(dtype="int64")
    sel, inter = q.T @ q, v.T @ v
    a, b = np.triu_indices(len(order), k=1)
    keep = inter[a, b] > 0
    a, b = a[keep], b[keep]
    table = pd.DataFrame({
        "code_a": np.array(order, dtype=object)[a],
        "code_b": np.array(order, dtype=object)[b],
        "selections": sel[a, b].astype("int64"),
        "interviews": inter[a, b].astype("int64"),
        "_a": a, "_b": b,
    })
    table = table.sort_values(["selections", "interviews", "_a", "_b"],
                              ascending=[False, False, True, True], kind="stable")
    return table[columns].reset_index(drop=True)
