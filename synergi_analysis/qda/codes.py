"""Code tables of a QDA project: how often each code was applied, and with which.

Analyses of the ``codes`` column that `synergi_analysis.qda` gives each quote,
and, for a study read from a project, of every coded selection: pictures, PDF
regions, audio and video count too, their ``kind`` named in the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synergi_analysis.codebook import _check_lang
from synergi_analysis.qda._read import PATH_SEP
from synergi_analysis.qda.mapping import CODES_SEP, SELECTION_KIND
from synergi_analysis.validate import INTERVIEW_ID
from synergi_analysis.words import word

__all__ = [
    "code_frequencies",
    "code_cooccurrence",
]

_KINDS = list(dict.fromkeys(SELECTION_KIND.values()))


def _coded(data) -> tuple[pd.DataFrame, list[str] | None, list[str] | None]:
    """The coded selections of ``data``, and its interviews and code order when it is a study.

    A study read from a project gives every coded selection (``selections``);
    another study its quotes; a frame is taken as it is.
    """
    if isinstance(data, pd.DataFrame):
        return data, None, None
    frame = getattr(data, "selections", None)
    if frame is None:
        frame = data.quotes
    project = getattr(data, "project", None)
    return (frame, list(data.interviews[INTERVIEW_ID].astype(str)),
            project.code_paths if project is not None else None)


def _kinds(long: pd.DataFrame) -> pd.Series:
    """Code -> the kinds of selection it was applied to, in a fixed order."""
    order = {k: i for i, k in enumerate(_KINDS)}
    return long.groupby("code", sort=False)["kind"].agg(
        lambda ks: ", ".join(sorted(set(ks), key=lambda k: (order.get(k, len(order)), k))))


def _quote_codes(data: pd.DataFrame, *, aggregate: bool) -> pd.DataFrame:
    """Long view: one row per (selection, interview, code path), with its ``kind``."""
    for col in ("codes", INTERVIEW_ID):
        if col not in data.columns:
            raise ValueError(
                f"data has no {col!r} column: code tables need quotes read from a QDA "
                "project (load_qdpx, or a folder written by import-qdpx)"
            )
    codes = [str(c).split(CODES_SEP.strip()) if isinstance(c, str) else []
             for c in data["codes"]]
    counts = np.array([len(cs) for cs in codes], dtype="int64")
    kinds = (data["kind"].astype(str).to_numpy() if "kind" in data
             else np.full(len(data), "text", dtype=object))
    long = pd.DataFrame({
        "quote": np.arange(len(data)).repeat(counts),
        INTERVIEW_ID: data[INTERVIEW_ID].astype(str).to_numpy().repeat(counts),
        "code": [c.strip() for cs in codes for c in cs],
        "kind": kinds.repeat(counts),
    }, columns=["quote", INTERVIEW_ID, "code", "kind"])
    long = long[long["code"] != ""]
    if aggregate and len(long):
        parts = [c.split(PATH_SEP) for c in long["code"]]
        lengths = np.array([len(p) for p in parts], dtype="int64")
        long = long.iloc[np.arange(len(long)).repeat(lengths)].copy()
        long["code"] = [PATH_SEP.join(p[:k]) for p in parts for k in range(1, len(p) + 1)]
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
    data,
    *,
    interviews: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    aggregate: bool = False,
    lang: str = "da",
) -> pd.DataFrame:
    """Count the selections coded with each QDA code, interview by interview.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        A study read from a QDA project (every coded selection counts: text,
        transcripts, PDF regions, pictures, audio, video), or quotes with
        ``interview_id`` and ``codes`` (code paths joined by ``"; "``) and
        optionally ``kind``.
    interviews : sequence of str, optional
        The interview columns, in order (default: a study's interviews, else those
        in ``data``, in order); interviews of ``data`` not named follow them.
    codes : sequence of str, optional
        The code rows, in order (default: a study's project's codes, unused ones
        included, else every code in ``data`` and its parents, in tree order).
    aggregate : bool
        Count a selection coded with a child code under each of its parents as well
        (once per selection).
    lang : {"da", "en"}
        Language of the total column's name.

    Returns
    -------
    pandas.DataFrame
        Index ``code`` (the code's path, ``Parent::Child``, so the hierarchy reads
        from it); ``kind``, the kinds of selection the code was applied to
        (``text``, ``transcript``, ``pdf``, ``picture``, ``audio``, ``video``,
        joined by ``", "``; empty for an unused code); one int64 column per
        interview with the number of its selections coded with the code; and a
        total column (``Antal``/``Total``).

    Examples
    --------
    >>> import pandas as pd
    >>> quotes = pd.DataFrame({"interview_id": ["A", "A", "B"],
    ...     "codes": ["Health::Diet; Wellbeing", "Health", "Health::Diet"]})
    >>> table = code_frequencies(quotes, lang="en")
    >>> table.index.tolist(), table.columns.tolist()
    (['Health', 'Health::Diet', 'Wellbeing'], ['kind', 'A', 'B', 'Total'])
    >>> table.loc["Health::Diet", "kind"], table.loc["Health::Diet", ["A", "B", "Total"]].tolist()
    ('text', [1, 1, 2])
    """
    _check_lang(lang)
    frame, study_ids, study_codes = _coded(data)
    long = _quote_codes(frame, aggregate=aggregate)
    order = _code_order(long, codes if codes is not None else study_codes)
    given = interviews if interviews is not None else study_ids
    ids = list(dict.fromkeys(str(i) for i in given)) if given is not None else []
    ids += [i for i in dict.fromkeys(frame[INTERVIEW_ID].astype(str)) if i not in set(ids)]
    table = (pd.crosstab(long["code"], long[INTERVIEW_ID])
             .reindex(index=order, columns=ids, fill_value=0).fillna(0).astype("int64"))
    table[word("table.total", lang)] = table.sum(axis=1).astype("int64")
    table.insert(0, "kind", _kinds(long).reindex(order).fillna("").astype(object).to_numpy())
    table.index.name = "code"
    table.columns.name = INTERVIEW_ID
    return table


def code_cooccurrence(
    data, *, codes: Sequence[str] | None = None, aggregate: bool = False
) -> pd.DataFrame:
    """Pairs of QDA codes that share selections or interviews.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        A study read from a QDA project (every coded selection counts), or quotes
        with ``interview_id`` and ``codes`` (and optionally ``kind``).
    codes : sequence of str, optional
        Code order, used to order each pair and to break ties.
    aggregate : bool
        Let a selection coded with a child code count for its parents too.

    Returns
    -------
    pandas.DataFrame
        One row per pair that shares at least one interview: ``code_a``, ``code_b``
        (``code_a`` first in code order), ``selections`` (selections coded with
        both) and ``interviews`` (interviews where both occur), int64, and
        ``kind``, the kinds of the selections coded with both (empty when they
        share only interviews); sorted by ``selections`` then ``interviews``,
        largest first.

    Examples
    --------
    >>> import pandas as pd
    >>> quotes = pd.DataFrame({"interview_id": ["A", "A", "B"],
    ...     "codes": ["Diet; Mood", "Sleep", "Diet; Mood; Sleep"]})
    >>> code_cooccurrence(quotes)
      code_a code_b  selections  interviews  kind
    0   Diet   Mood           2           2  text
    1   Diet  Sleep           1           2  text
    2   Mood  Sleep           1           2  text
    """
    frame, _, study_codes = _coded(data)
    long = _quote_codes(frame, aggregate=aggregate)
    columns = ["code_a", "code_b", "selections", "interviews", "kind"]
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in columns[2:4] else object)
                             for c in columns})
    order = [c for c in _code_order(long, codes if codes is not None else study_codes)
             if c in set(long["code"])]
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
    # The kinds of the selections each pair shares.
    kind_of = long.drop_duplicates("quote").set_index("quote")["kind"]
    shared = [np.flatnonzero(q[:, i] & q[:, j]) for i, j in zip(a, b, strict=True)]
    quotes = by_quote.index.to_numpy()
    table["kind"] = [", ".join(sorted(set(kind_of.loc[quotes[k]]),
                                      key=lambda x: (_KINDS.index(x) if x in _KINDS else 99, x)))
                     for k in shared]
    table = table.sort_values(["selections", "interviews", "_a", "_b"],
                              ascending=[False, False, True, True], kind="stable")
    return table[columns].reset_index(drop=True)
