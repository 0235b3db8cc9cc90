"""Where each coded dimension lives in the interview frame, and the values it holds.

The one set of rules every analysis reads codes by: a dimension is named as in
the codebook (``"service"``, ``"life_situation"``) or as a journey stage
(``"ventetid"`` or ``"journey:ventetid"``); multi-valued cells count each value
once; a dimension whose scale depends on another (``attitude`` on
``visitor_type``) gives ``"<scale>:<key>"`` (``"bibliotek:A"``), so equal keys
on different scales stay apart. `long_view` is the same rules as one table,
`Study.codings`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synergi_analysis.codebook import Codebook

_JOURNEY = "journey:"


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
        s = _exploded(s, coded.separator)
    s = s.dropna()
    if coded.scale_by is not None:
        if coded.scale_by not in data:
            raise ValueError(f"dimension {dimension!r} needs the column {coded.scale_by!r}")
        scale = data[_coded(codebook, coded.scale_by).column].astype(object).reindex(s.index)
        s = (scale.astype(str) + ":" + s.astype(str))[scale.notna()]
    return s


def _exploded(s: pd.Series, separator: str) -> pd.Series:
    """A multi-valued column as one entry per (row, value), in the cells' order.

    Each cell is split at ``separator``, its parts stripped, blanks dropped and
    a value given twice kept once. A column of many interviews holds few
    distinct cells, so each distinct cell is split once (in Python) and the
    rows take their parts by position (in numpy): 100,000 interviews in
    milliseconds rather than a Python loop over every value.
    """
    codes, uniques = pd.factorize(s)  # a missing cell has code -1
    parts = [list(dict.fromkeys(p.strip() for p in str(u).split(separator) if p.strip()))
             for u in uniques]
    sizes = np.array([len(p) for p in parts] + [0], dtype=np.int64)  # [-1]: no parts
    per_row = sizes[codes]
    flat = np.array([v for p in parts for v in p], dtype=object)
    starts = np.concatenate([[0], np.cumsum(sizes)])[:-1]
    rows = np.repeat(np.arange(len(s)), per_row)
    within = np.arange(int(per_row.sum())) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return pd.Series(flat[starts[codes][rows] + within], index=s.index[rows], dtype=object)


def _fresh(data: pd.DataFrame) -> pd.DataFrame:
    """The frame with a fresh 0..n-1 index, so values of two dimensions align by interview."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    return data.reset_index(drop=True)


def _categorical(values, order) -> pd.Categorical:
    return pd.Categorical(values, categories=list(dict.fromkeys(order)), ordered=True)


def long_view(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per (interview, dimension, value), by the rules of `_values`.

    Returns
    -------
    pandas.DataFrame
        ``interview_id``, ``dimension`` (a dimension's name, or ``journey:<stage>``
        for a journey stage), ``value`` (the key, ``"<scale>:<key>"`` for a scaled
        dimension); all str, in codebook order of the dimensions, then interview order.
    """
    data = _fresh(data)
    names = [d.name for d in codebook.dimensions.values() if d.column and d.column in data]
    names += [f"{_JOURNEY}{s}" for s in codebook.stages if s in data]
    frames = []
    for name in names:
        values = _values(data, codebook, name)
        frames.append(pd.DataFrame({
            "interview_id": data.loc[values.index, "interview_id"].to_numpy(dtype=object),
            "dimension": name,
            "value": values.astype(str).to_numpy(dtype=object),
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object)
                             for c in ("interview_id", "dimension", "value")})
    return pd.concat(frames, ignore_index=True)


def coded_names(codebook: Codebook) -> list[str]:
    """Every name a filter or a table may use: coded dimensions, then journey stages."""
    names = [d.name for d in codebook.dimensions.values() if d.column]
    return names + [s for s in codebook.stages if s not in names]


def _closest(raw: str, candidates) -> str:
    """`` did you mean 'x'?`` for the closest candidate, or ``""``."""
    import difflib

    # A long value is cut first: comparing a huge cell would cost more than it tells.
    raw = str(raw).strip().casefold()[:200]
    table = {str(c).casefold(): c for c in candidates}
    match = difflib.get_close_matches(raw, list(table), n=1, cutoff=0.6)
    return f"; did you mean {table[match[0]]!r}?" if match else ""


def dimension_name(codebook: Codebook, name) -> str:
    """A dimension or journey stage named by its name or its Danish or English label.

    ``"Sted"`` and ``"site"`` give ``"site"``, ``"Ventetid"`` gives ``"ventetid"``;
    an unknown name raises ValueError with the closest one the codebook has.
    """
    if isinstance(name, str) and (name in codebook or name.removeprefix(_JOURNEY)
                                  in codebook.stages):
        return name
    spellings = {}
    for n in coded_names(codebook):
        if n in codebook:
            labels = (codebook[n].label_da, codebook[n].label_en)
        else:
            labels = tuple(codebook.label("journey_stage", n, lang=lang) for lang in ("da", "en"))
        for spelling in (n, *labels):
            spellings.setdefault(str(spelling).strip().casefold(), n)
    found = spellings.get(str(name).strip().casefold()) if isinstance(name, str) else None
    if found is not None:
        return found
    names = coded_names(codebook)
    raise ValueError(f"unknown dimension {name!r}{_closest(str(name), names)} "
                     f"(dimensions: {', '.join(names)})")


def _resolve_name(codebook: Codebook, name) -> _Coded:
    """`_coded`, or ValueError naming the dimension with the closest one the codebook has."""
    if isinstance(name, str) and (name in codebook or name.removeprefix(_JOURNEY)
                                  in codebook.stages):
        return _coded(codebook, name)
    names = coded_names(codebook)
    raise ValueError(f"unknown dimension {name!r}{_closest(str(name), names)} "
                     f"(dimensions: {', '.join(names)})")


def _wanted(codebook: Codebook, name: str, argument: str, wanted) -> set[str]:
    """The keys (``"<scale>:<key>"`` for scaled dimensions) a filter value stands for.

    A filter value is a key or a Danish or English label, in any case, or a list
    of them; a value the codebook does not know raises ValueError naming it and
    the closest value there is.
    """
    values = [wanted] if isinstance(wanted, str) else list(wanted)
    if name in codebook and codebook[name].column is None:
        # e.g. journey_stage: a quote's own code, no column of the interviews
        dim = codebook[name]
        coded = _Coded(name, name, tuple(dim.keys), tuple(v.da for v in dim.values),
                       tuple(v.en for v in dim.values))
    else:
        coded = _resolve_name(codebook, name)
    spellings: dict[str, set[str]] = {}
    for key, da, en in zip(coded.keys, coded.labels_da, coded.labels_en, strict=True):
        short = key.split(":", 1)[1] if coded.scale_by else key
        for spelling in {key, short, da, en}:
            spellings.setdefault(str(spelling).strip().casefold(), set()).add(key)
    keys: set[str] = set()
    for value in values:
        found = spellings.get(str(value).strip().casefold())
        if found is None:
            hint = _closest(str(value), [*coded.keys, *coded.labels_da, *coded.labels_en])
            shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
            raise ValueError(f"{argument}: unknown value {shown!r}{hint} "
                             f"(values: {', '.join(coded.keys)})")
        keys |= found
    return keys


def matching(data: pd.DataFrame, codebook: Codebook, where) -> np.ndarray:
    """Which rows of an interview frame have the codes of every filter in ``where``.

    Parameters
    ----------
    data : pandas.DataFrame
        An interview frame (or quotes merged with their interviews).
    codebook : Codebook
    where : mapping of str to str or list of str, or list of pairs
        Dimension (or journey stage, by name or label) -> the values wanted:
        keys or Danish or English labels, in any case. Values of one dimension
        combine with OR, dimensions with AND; ``{}`` keeps every row. A list of
        ``(dimension, values)`` pairs may name one dimension twice (both must hold).

    Returns
    -------
    numpy.ndarray of bool
        One entry per row of ``data``.

    Raises
    ------
    ValueError
        An unknown dimension or value, named with the closest the codebook has.
    """
    data = _fresh(data)
    keep = np.ones(len(data), dtype=bool)
    for name, wanted in where_pairs(where):
        try:
            name = dimension_name(codebook, name)
        except ValueError as exc:
            raise ValueError(f"where: {exc}") from None
        keys = _wanted(codebook, name, f"where {name}", wanted)
        values = _values(data, codebook, name)
        hit = values[values.isin(keys)].index.unique()
        keep &= data.index.isin(hit)
    return keep


def where_pairs(where) -> list[tuple[str, object]]:
    """``where`` as a list of (dimension, values) pairs: a mapping, pairs, or None."""
    if where is None:
        return []
    if hasattr(where, "items"):
        return list(where.items())
    pairs = list(where)
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ValueError(f"where: expected a mapping or (dimension, values) pairs, "
                             f"not {pair!r}")
    return [tuple(p) for p in pairs]


# -- illustrative codings: which dimensions a table rests on, and the caveat ---------


def base_dimension(codebook: Codebook, name) -> str | None:
    """The codebook dimension a coded name stands for: a journey stage is ``journey_stage``."""
    if not isinstance(name, str):
        return None
    if name in codebook:
        return name
    if name.removeprefix(_JOURNEY) in codebook.stages:
        return "journey_stage"
    return None


def illustrative_of(codebook: Codebook, names, lang: str | None) -> dict[str, str]:
    """``{dimension: note}`` for the marked dimensions among ``names``, in codebook order.

    ``names`` may hold journey stages (they stand for ``journey_stage``) and
    None (ignored); the notes are in ``lang`` (Danish for ``None``).
    """
    marked = codebook.illustrative(lang=lang or "da")
    wanted = {base_dimension(codebook, n) for n in names}
    return {d: note for d, note in marked.items() if d in wanted}


def caveat(attrs, lang: str | None = None) -> str:
    """The caveat line a table's ``attrs["illustrative"]`` calls for, or ``""``.

    ``"Illustrative kodninger: Sted (27 af 45 ...); Holdning til integration (...)"``,
    each dimension by its label (``attrs["labels"]``, else the codebook name).
    """
    from synergi_analysis.words import word

    attrs = getattr(attrs, "attrs", attrs) or {}
    marked = attrs.get("illustrative") or {}
    if not marked:
        return ""
    lang = lang or attrs.get("lang") or "da"
    labels = attrs.get("labels") or {}
    parts = "; ".join(f"{labels.get(d, d)} ({note})" for d, note in marked.items())
    line = f"{word('illustrative.caveat', lang)}: {parts}"
    criteria = attrs.get("illustrative_criteria") or {}
    if criteria:  # a ranking: name the criteria that rest on the marked codes
        names = ", ".join(word(f"criterion.{c}", lang) for c in criteria)
        line = word("ranking_uncertainty.criterion_caveat", lang, caveat=line, criterion=names)
    return line
