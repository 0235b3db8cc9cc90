"""Validation of coded interview data against the codebook, vectorised.

Each check works on whole columns: a column's distinct values are mapped onto
codebook keys once (``pd.factorize``), so a study of 100,000 interviews costs
little more than reading it. Every problem is collected in one pass; the caller
raises one `ValidationError` listing them all. No row is ever dropped: a bad
cell is reported, never skipped.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from synergi_analysis.codebook import Codebook, Dimension
from synergi_analysis.errors import Problem, shorten

__all__ = [
    "validate_interviews",
    "validate_quotes",
    "validate_services",
    "validate_offers",
    "validate_sites",
    "DESKS",
    "OFFER_KINDS",
    "INTERVIEW_ID",
    "QUOTE_COLUMNS",
]

INTERVIEW_ID = "interview_id"
QUOTE_COLUMNS = ["quote_id", "interview_id", "text", "stage", "theme"]
_TRUE = {"true", "1", "yes", "ja", "sand", "x", "y", "j"}
_FALSE = {"false", "0", "no", "nej", "falsk", "", "n"}
_MAX_LISTED = 12


def _q(value) -> str:
    """A value from the data as a message quotes it: in quotes, cut when long."""
    return repr(shorten(value))


def _row_labels(raw: pd.DataFrame, rows: Sequence | None) -> np.ndarray:
    if rows is None:
        # Spreadsheet numbering: the header is row 1, the first record row 2. A frame
        # from read_table keeps each record's position as its index.
        # Python ints in an object array: messages and their sort see plain numbers.
        if pd.api.types.is_integer_dtype(raw.index):
            return np.array((raw.index.to_numpy() + 2).tolist(), dtype=object)
        return np.array(list(range(2, len(raw) + 2)), dtype=object)
    return np.asarray(list(rows), dtype=object)


def _factorize(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes per row and the stripped distinct cells; blank and missing cells give ''.

    Working on the distinct cells only keeps validation cheap on large files:
    a coded column has a handful of distinct spellings, whatever its length.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    # Missing cells are code -1, never among the uniques: they index the trailing ''.
    # NFC: a value typed on a Mac (decomposed) is the codebook's composed label.
    cells = [_nfc(str(u).strip()) for u in uniques]
    return codes, cells + [""]


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _blank_mask(codes: np.ndarray, cells: list[str]) -> np.ndarray:
    """Per row of a factorized column: is the cell blank (or missing)?"""
    return np.array([c == "" for c in cells], dtype=bool)[codes]


def _each(file: str, rows: np.ndarray, mask: np.ndarray, column: str | None,
          message: str) -> list[Problem]:
    """The same problem for every row the mask selects."""
    return [Problem(file, r, column, message) for r in rows[mask].tolist()]


def _missing_columns(file: str, missing: list[str]) -> Problem:
    plural = "s" if len(missing) > 1 else ""
    return Problem(file, 1, None, f"missing required column{plural}: " + ", ".join(missing))


def _clean(s: pd.Series) -> pd.Series:
    """Cells stripped of surrounding white space; missing cells as ''."""
    codes, cells = _factorize(s)
    return pd.Series(np.array(cells, dtype=object)[codes], index=s.index, dtype=object)


def _blank(s: pd.Series) -> pd.Series:
    return pd.Series(_blank_mask(*_factorize(s)), index=s.index)


def _unknown_message(dim: Dimension, raw: str) -> str:
    hint = dim.suggest(raw)
    if hint:
        return f"unknown {dim.name} {_q(raw)}; did you mean {hint!r}?"
    allowed = dim.keys[:_MAX_LISTED]
    more = ", ..." if len(dim.keys) > _MAX_LISTED else ""
    return f"unknown {dim.name} {_q(raw)}; allowed: {', '.join(allowed)}{more}"


def _map_codes(
    s: pd.Series, dim: Dimension, *, file: str, rows: np.ndarray, column: str
) -> tuple[pd.Series, list[Problem], np.ndarray]:
    """Map a column's spellings onto keys; report each unknown one with a suggestion.

    Returns the keys as a categorical in codebook order, the problems, and a mask
    of the blank cells (unknown spellings are reported, so they are not blank).
    """
    lookup = dim.lookup()
    position = {k: i for i, k in enumerate(dim.keys)}
    codes, cells = _factorize(s)
    category = np.array(
        [position[lookup[c.casefold()]] if c and c.casefold() in lookup else -1 for c in cells]
    )
    problems: list[Problem] = []
    for i, cell in enumerate(cells):
        if cell and category[i] == -1:
            problems += _each(file, rows, codes == i, column, _unknown_message(dim, cell))
    blank = _blank_mask(codes, cells)
    keys = pd.Categorical.from_codes(category[codes], categories=dim.keys)
    return pd.Series(keys, index=s.index), problems, blank


def _check_required(
    raw: pd.DataFrame, required: list[str], *, file: str, rows: np.ndarray
) -> list[Problem]:
    problems = []
    for col in required:
        if col in raw.columns:
            problems += _each(file, rows, _blank(raw[col]).to_numpy(), col, f"{col} is empty")
    return problems


def validate_interviews(
    raw: pd.DataFrame,
    codebook: Codebook,
    *,
    file: str,
    rows: Sequence | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check raw interview rows against the codebook and build the tidy frame.

    Parameters
    ----------
    raw : pandas.DataFrame
        One row per interview, cells as text (as read from CSV or Excel).
    codebook : Codebook
        Names the coded columns, their allowed values and order.
    file : str
        The file name used in problem messages.
    rows : sequence, optional
        A label per row for messages (default: the spreadsheet row number,
        index + 2, as `read_table` keeps it).

    Returns
    -------
    interviews : pandas.DataFrame
        ``interview_id`` (str); one categorical column per coded dimension, with
        the codebook's keys as categories in codebook order (multi-valued
        dimensions as keys joined by their separator); ``age`` (Int64);
        ``age_band`` derived from ``age`` where only the age is given; one
        categorical column per journey stage; ``long_interview`` (bool);
        ``speaker`` (str or missing); any other column as given.
    problems : list of Problem
        Everything wrong, in one pass; empty when the data is valid.

    Examples
    --------
    >>> import pandas as pd
    >>> from synergi_analysis import load_codebook
    >>> raw = pd.DataFrame({"interview_id": ["X1"], "site": ["Næstved"],
    ...     "visitor_type": ["borgerservice"], "service": ["pas"], "age": ["61"]})
    >>> frame, problems = validate_interviews(raw, load_codebook(), file="x.csv")
    >>> frame.loc[0, "site"], frame.loc[0, "age_band"], problems
    ('næstved', '50-69', [])
    """
    rows_arr = _row_labels(raw, rows)
    problems: list[Problem] = []
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]

    band_dim = codebook.dimensions.get("age_band")
    band_col = band_dim.column if band_dim else None
    required = [INTERVIEW_ID] + [
        d.column for d in codebook.dimensions.values() if d.column and d.required
    ]
    missing = [c for c in required if c not in raw.columns]
    if band_col in missing and "age" in raw.columns:
        missing.remove(band_col)
    if missing:
        return raw, [_missing_columns(file, missing)]

    out = pd.DataFrame(index=raw.index)
    n = len(raw)

    # interview_id: present and unique
    ids = _clean(raw[INTERVIEW_ID])
    problems += _each(file, rows_arr, (ids == "").to_numpy(), INTERVIEW_ID,
                      f"{INTERVIEW_ID} is empty")
    dup = ids.duplicated(keep="first") & (ids != "")
    if dup.any():
        first_row = dict(zip(ids[~dup].to_numpy(), rows_arr[(~dup).to_numpy()], strict=True))
        for r, v in zip(rows_arr[dup.to_numpy()], ids[dup], strict=True):
            problems.append(Problem(file, r, INTERVIEW_ID, f"duplicate interview_id {_q(v)} "
                                                           f"(first on row {first_row[v]})"))
    out[INTERVIEW_ID] = ids

    # Exact age, then the band (derived from the age where it is blank).
    age_given = np.zeros(n, dtype=bool)
    age = np.full(n, np.nan)
    if "age" in raw.columns:
        codes, cells = _factorize(raw["age"])
        nums = np.array(pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce"),
                        dtype=float)
        for i, cell in enumerate(cells):
            if not cell:
                continue
            if np.isnan(nums[i]) or nums[i] % 1:
                msg = f"age {_q(cell)} is not a whole number"
            elif not 0 <= nums[i] <= 120:
                msg = f"age {int(nums[i])} is outside 0-120"
            else:
                continue
            problems += _each(file, rows_arr, codes == i, "age", msg)
            nums[i] = np.nan
        age_given = ~_blank_mask(codes, cells)
        age = nums[codes]
    out["age"] = pd.array(age, dtype="Int64")

    blanks: dict[str, np.ndarray] = {}
    for dim in codebook.dimensions.values():
        col = dim.column
        if not col:
            continue
        if col not in raw.columns:
            out[col] = "" if dim.multi else pd.Series(
                pd.Categorical([None] * n, categories=dim.keys), index=raw.index)
            blanks[col] = np.ones(n, dtype=bool)
        elif dim.multi:
            out[col], probs = _map_multi(raw[col], dim, file=file, rows=rows_arr, column=col)
            problems += probs
        else:
            out[col], probs, blanks[col] = _map_codes(
                raw[col], dim, file=file, rows=rows_arr, column=col)
            problems += probs

    if band_dim is not None:
        out[band_col], probs = _resolve_age_band(
            out, band_dim, file=file, rows=rows_arr, age_given=age_given
        )
        problems += probs

    # Required codes must not be blank (age_band was checked with the age).
    for col in required:
        if col not in (INTERVIEW_ID, band_col):
            problems += _each(file, rows_arr, blanks[col], col, f"{col} is empty")

    problems += _check_scales(out, codebook, file=file, rows=rows_arr)
    problems += _check_value_links(out, codebook, file=file, rows=rows_arr)

    # Journey stages: one column per stage, holding a journey_state.
    if "journey_stage" in codebook and "journey_state" in codebook:
        state = codebook["journey_state"]
        for stage in codebook.stages:
            if stage in raw.columns:
                out[stage], probs, _ = _map_codes(
                    raw[stage], state, file=file, rows=rows_arr, column=stage)
                problems += probs
            else:
                out[stage] = pd.Categorical([None] * n, categories=state.keys)

    if "long_interview" in raw.columns:
        codes, cells = _factorize(raw["long_interview"])
        truth = np.array([c.casefold() in _TRUE for c in cells], dtype=bool)
        for i, cell in enumerate(cells):
            if cell.casefold() not in _TRUE | _FALSE:
                problems += _each(file, rows_arr, codes == i, "long_interview",
                                  f"long_interview {_q(cell)} is not true or false")
        out["long_interview"] = truth[codes]
    else:
        out["long_interview"] = False

    speaker = _clean(raw["speaker"]) if "speaker" in raw.columns else pd.Series("", index=raw.index)
    out["speaker"] = speaker.where(speaker != "", None).astype(object)

    known = set(out.columns)
    for col in raw.columns:
        if col not in known:
            out[col] = raw[col]
    return out.reset_index(drop=True), problems


def _map_multi(
    s: pd.Series, dim: Dimension, *, file: str, rows: np.ndarray, column: str
) -> tuple[pd.Series, list[Problem]]:
    """Map each item of a separator-joined cell; return the keys joined in codebook order."""
    lookup = dim.lookup()
    order = {k: i for i, k in enumerate(dim.keys)}
    codes, cells = _factorize(s)
    joined = []
    problems: list[Problem] = []
    for i, cell in enumerate(cells):
        keys = set()
        for part in cell.split(dim.separator):
            part = part.strip()
            if not part:
                continue
            key = lookup.get(part.casefold())
            if key is None:
                problems += _each(file, rows, codes == i, column, _unknown_message(dim, part))
            else:
                keys.add(key)
        joined.append(dim.separator.join(sorted(keys, key=order.__getitem__)))
    return pd.Series(np.array(joined, dtype=object)[codes], index=s.index, dtype=object), problems


def _resolve_age_band(
    out: pd.DataFrame, dim: Dimension, *, file: str, rows: np.ndarray, age_given: np.ndarray
) -> tuple[pd.Series, list[Problem]]:
    """Derive the band from the age where it is blank; report a band that disagrees.

    The bands may be listed in any order (the codebook checks they do not overlap);
    an age inside no band is a problem, whether or not a band is given.
    """
    col = dim.column
    bands = sorted(((v.extra.get("min"), v.extra.get("max"), v.key) for v in dim.values
                    if v.extra.get("min") is not None and v.extra.get("max") is not None),
                   key=lambda band: band[0])
    if not bands or len(bands) != len(dim.values):
        return out[col], []
    lows = np.array([lo for lo, _, _ in bands], dtype=float)
    highs = np.array([hi for _, hi, _ in bands], dtype=float)
    keys = np.array([k for _, _, k in bands], dtype=object)
    age = out["age"].astype("float64").to_numpy()
    idx = np.searchsorted(highs, age, side="left")
    has_age = ~np.isnan(age)
    derived = np.full(len(age), None, dtype=object)
    inside = has_age & (idx < len(keys))
    inside[inside] &= age[inside] >= lows[idx[inside]]
    derived[inside] = keys[idx[inside]]

    given = out[col].to_numpy(dtype=object)
    problems = []
    disagree = inside & pd.notna(given) & (given != derived)
    for r, a, g, d in zip(
        rows[disagree], age[disagree], given[disagree], derived[disagree], strict=True
    ):
        problems.append(
            Problem(file, r, col, f"age_band {g!r} disagrees with age {int(a)} (band {d!r})")
        )
    outside = has_age & ~inside
    if outside.any():
        listed = ", ".join(f"{k} {lo:g}-{hi:g}" for k, lo, hi in
                           ((v.key, v.extra["min"], v.extra["max"]) for v in dim.values))
        for r, a in zip(rows[outside], age[outside], strict=True):
            problems.append(Problem(file, r, col, f"age {int(a)} fits no {dim.name} ({listed})"))
    missing = pd.isna(given) & ~has_age
    # An age that was given but invalid has been reported already.
    problems += _each(file, rows, missing & ~age_given, col,
                      "age_band is empty and no age is given")
    result = np.where(pd.isna(given), derived, given)
    return pd.Series(pd.Categorical(result, categories=dim.keys), index=out.index), problems


def _check_scales(
    out: pd.DataFrame, codebook: Codebook, *, file: str, rows: np.ndarray
) -> list[Problem]:
    """A value of a scaled dimension must belong to the scale of its row's group."""
    problems = []
    for dim in codebook.dimensions.values():
        if not dim.scale_by or not dim.column:
            continue
        by_col = codebook[dim.scale_by].column
        # Both columns are categoricals: check the pair of codes against a lookup grid.
        groups, values = out[by_col].cat, out[dim.column].cat
        grid = np.zeros((len(groups.categories), len(values.categories)), dtype=bool)
        for g, vals in dim.scales.items():
            if g in groups.categories:
                for v in vals:
                    grid[groups.categories.get_loc(g), values.categories.get_loc(v.key)] = True
        gc, vc = groups.codes.to_numpy(), values.codes.to_numpy()
        checkable = (gc >= 0) & (vc >= 0)
        bad = pd.Series(checkable, index=out.index)
        bad[checkable] = ~grid[gc[checkable], vc[checkable]]
        mask = bad.to_numpy()
        for r, g, v in zip(rows[mask], out[by_col][mask], out[dim.column][mask], strict=True):
            scale = ", ".join(codebook.keys(dim.name, scale=g))
            problems.append(
                Problem(file, r, dim.column, f"{dim.name} {v!r} is not on the {g} scale ({scale})")
            )
    return problems


def _check_value_links(
    out: pd.DataFrame, codebook: Codebook, *, file: str, rows: np.ndarray
) -> list[Problem]:
    """A value may name the value another dimension must have (service -> visitor_type)."""
    problems = []
    for dim in codebook.dimensions.values():
        if not dim.column or dim.multi:
            continue
        for other in codebook.dimensions.values():
            if other is dim or not other.column:
                continue
            expected = {v.key: v.extra[other.name] for v in dim.values if other.name in v.extra}
            if not expected:
                continue
            want = out[dim.column].astype(object).map(expected)
            got = out[other.column].astype(object)
            bad = want.notna() & got.notna() & (want != got)
            for r, v, w, got in zip(
                rows[bad.to_numpy()], out[dim.column][bad], want[bad], out[other.column][bad],
                strict=True,
            ):
                problems.append(
                    Problem(file, r, other.column,
                            f"{dim.name} {v!r} is for {other.name} {w!r}, not {got!r}")
                )
    return problems


def validate_quotes(
    raw: pd.DataFrame,
    codebook: Codebook,
    interview_ids: Sequence[str],
    *,
    file: str,
    rows: Sequence | None = None,
    interviews_file: str = "interviews",
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check raw quote rows: unique ids, known interviews, known journey stages.

    Returns
    -------
    quotes : pandas.DataFrame
        ``quote_id``, ``interview_id``, ``text`` (verbatim, str), ``stage``
        (categorical over the journey stages, or missing), ``theme`` (str or
        missing), plus any other column as given.
    problems : list of Problem
    """
    rows_arr = _row_labels(raw, rows)
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    needed = ["quote_id", "interview_id", "text"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        return raw, [_missing_columns(file, missing)]
    problems = _check_required(raw, needed, file=file, rows=rows_arr)
    out = pd.DataFrame(index=raw.index)
    qid = _clean(raw["quote_id"])
    dup = qid.duplicated(keep="first") & (qid != "")
    for r, v in zip(rows_arr[dup.to_numpy()], qid[dup], strict=True):
        problems.append(Problem(file, r, "quote_id", f"duplicate quote_id {_q(v)}"))
    out["quote_id"] = qid.astype(object)
    iid = _clean(raw["interview_id"])
    unknown = (iid != "") & ~iid.isin(set(interview_ids))
    for r, v in zip(rows_arr[unknown.to_numpy()], iid[unknown], strict=True):
        problems.append(
            Problem(file, r, "interview_id", f"interview {_q(v)} is not in {interviews_file}")
        )
    out["interview_id"] = iid.astype(object)
    # Verbatim: keep inner white space, drop only a trailing newline left by editors.
    out["text"] = raw["text"].fillna("").astype(str).str.rstrip("\r\n").map(_nfc).astype(object)
    stages = codebook.stages
    if "stage" in raw.columns and stages:
        out["stage"], probs, _ = _map_codes(
            raw["stage"], codebook["journey_stage"], file=file, rows=rows_arr, column="stage"
        )
        problems += probs
    else:
        out["stage"] = pd.Categorical([None] * len(raw), categories=stages)
    theme = _clean(raw["theme"]) if "theme" in raw.columns else pd.Series("", index=raw.index)
    out["theme"] = theme.where(theme != "", None).astype(object)
    for col in raw.columns:
        if col not in out.columns:
            out[col] = raw[col]
    return out.reset_index(drop=True), problems


# -- the ranking's tables: services.csv and library_offers.csv ---------------------------

#: Desks of services.csv (its file format, not the study): full borgerservice, a light or
#: quick desk, the library counter, not offered. A blank cell: the data says nothing.
DESKS = ("fuld", "light", "bibliotek", "ingen")
#: Kinds of library offers in library_offers.csv.
OFFER_KINDS = ("physical", "digital", "event", "guidance")
SERVICE_COLUMNS = ["usage_rank", "usage_count", "usage_total", "deck_pick", "deck_group"]


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _service_key(raw: str, codebook: Codebook, problems: list, file: str, row, column: str):
    dim = codebook["service"]
    key = dim.lookup().get(raw.casefold())
    if key is None:
        message = _unknown_message(dim, raw) if raw else "service is empty"
        problems.append(Problem(file, row, column, message))
    return key


def _number(raw: str, problems: list, file: str, row, column: str, *, whole: bool = False):
    if not raw:
        return np.nan
    try:
        value = float(raw.replace(" ", ""))
    except ValueError:
        value = np.nan
    if not math.isfinite(value) or value < 0 or (whole and (value % 1 or value < 1)):
        kind = "a whole number of 1 or more" if whole else "a number of 0 or more"
        problems.append(Problem(file, row, column, f"{column} {_q(raw)} is not {kind}"))
        return np.nan
    return value


def _truth(raw: str, problems: list, file: str, row, column: str) -> bool:
    """A true/false cell in the one vocabulary of every table (``ja``, ``j``, ``x``, ...)."""
    value = raw.casefold()
    if value not in _TRUE | _FALSE:
        problems.append(Problem(file, row, column, f"{column} {_q(raw)} is not true or false"))
    return value in _TRUE


def _stripped_columns(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.set_axis([str(c).strip() for c in raw.columns], axis=1)


def validate_services(
    raw: pd.DataFrame, codebook: Codebook, *, file: str = "services.csv"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the services table (``services.csv``) and type its columns.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read (text cells): ``service``, one desk column per site of
        the codebook (``fuld``, ``light``, ``bibliotek``, ``ingen`` or blank), and
        optionally ``usage_rank``, ``usage_count``, ``usage_total``, ``deck_pick``,
        ``deck_group``.
    codebook : Codebook
    file : str
        The file name used in problem messages.

    Returns
    -------
    services : pandas.DataFrame
        One row per codebook service, in its order (index ``service``): one
        column per site (the desk, ``""`` when blank), ``usage_rank``,
        ``usage_count``, ``usage_total`` (float, NaN when blank), ``deck_pick``
        (bool), ``deck_group`` (``""`` when not picked). A service without a
        row gets blank cells.
    problems : list of Problem

    Examples
    --------
    >>> import pandas as pd
    >>> from synergi_analysis import load_codebook
    >>> raw = pd.DataFrame({"service": ["Pas"], "roskilde": ["fuld"], "ringsted": [""],
    ...                     "næstved": [""], "glumsø": [""], "deck_pick": ["ja"]})
    >>> services, problems = validate_services(raw, load_codebook())
    >>> pas = services.loc["pas"]
    >>> pas["roskilde"], pas["deck_group"], bool(pas["deck_pick"]), problems
    ('fuld', 'pas', True, [])
    """
    sites = codebook.keys("site")
    services = codebook.keys("service")
    raw = _stripped_columns(raw)
    rows = _row_labels(raw, None)
    missing = [c for c in ["service", *sites] if c not in raw.columns]
    if missing:
        return raw, [_missing_columns(file, missing)]
    problems: list[Problem] = []
    records: dict[str, dict] = {}
    first_row: dict[str, object] = {}
    for row, (_, rec) in zip(rows, raw.iterrows(), strict=True):
        key = _service_key(_cell(rec["service"]), codebook, problems, file, row, "service")
        if key in records:
            problems.append(Problem(file, row, "service",
                                    f"service {key!r} is listed twice (first on row "
                                    f"{first_row[key]})"))
            continue
        out: dict = {}
        for site in sites:
            desk = _cell(rec[site]).casefold()
            if desk and desk not in DESKS:
                problems.append(Problem(file, row, site,
                                        f"unknown desk {_q(desk)}; allowed: {', '.join(DESKS)} "
                                        "or blank"))
                desk = ""
            out[site] = desk
        out["usage_rank"] = _number(_cell(rec.get("usage_rank", "")), problems, file, row,
                                    "usage_rank", whole=True)
        count = _number(_cell(rec.get("usage_count", "")), problems, file, row, "usage_count")
        total = _number(_cell(rec.get("usage_total", "")), problems, file, row, "usage_total")
        if np.isnan(count) != np.isnan(total):
            problems.append(Problem(file, row, "usage_count",
                                    "usage_count and usage_total go together; one is blank"))
            count = total = np.nan
        elif not np.isnan(count) and (total == 0 or count > total):
            problems.append(Problem(file, row, "usage_count",
                                    f"usage_count {count:g} of usage_total {total:g} is not a "
                                    "share (needs 0 <= count <= total, total > 0)"))
            count = total = np.nan
        out["usage_count"], out["usage_total"] = count, total
        out["deck_pick"] = _truth(_cell(rec.get("deck_pick", "")), problems, file, row,
                                  "deck_pick")
        group = _cell(rec.get("deck_group", ""))
        out["deck_group"] = (group or key) if out["deck_pick"] else ""
        if key is not None:
            records[key] = out
            first_row[key] = row
    blank = {**dict.fromkeys(sites, ""), "usage_rank": np.nan, "usage_count": np.nan,
             "usage_total": np.nan, "deck_pick": False, "deck_group": ""}
    frame = pd.DataFrame([records.get(s, blank) for s in services],
                         index=pd.Index(services, name="service"))
    return frame, problems


def validate_offers(
    raw: pd.DataFrame | None, codebook: Codebook, *, file: str = "library_offers.csv"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the library offers (``library_offers.csv``): service, offer, kind.

    Returns
    -------
    offers : pandas.DataFrame
        ``service`` (key), ``offer``, ``kind`` (one of `OFFER_KINDS`), plus any
        other column as given; an offer listed twice for one service is kept once.
    problems : list of Problem

    Examples
    --------
    >>> import pandas as pd
    >>> from synergi_analysis import load_codebook
    >>> raw = pd.DataFrame({"service": ["pas"], "offer": ["Rejseguides"], "kind": ["bog"]})
    >>> [str(p) for p in validate_offers(raw, load_codebook())[1]]
    ["library_offers.csv:2:kind: unknown kind 'bog'; allowed: physical, digital, event, guidance"]
    """
    columns = ["service", "offer", "kind"]
    if raw is None or raw.empty:
        return pd.DataFrame({c: [] for c in columns}, dtype=object), []
    raw = _stripped_columns(raw)
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        return raw, [_missing_columns(file, missing)]
    problems: list[Problem] = []
    keep = []
    keys = []
    for row, (_, rec) in zip(_row_labels(raw, None), raw.iterrows(), strict=True):
        key = _service_key(_cell(rec["service"]), codebook, problems, file, row, "service")
        offer = _cell(rec["offer"])
        kind = _cell(rec["kind"]).casefold()
        if not offer:
            problems.append(Problem(file, row, "offer", "offer is empty"))
        if kind not in OFFER_KINDS:
            problems.append(Problem(file, row, "kind", f"unknown kind {_q(kind)}; allowed: "
                                                       + ", ".join(OFFER_KINDS)))
        keep.append(key is not None and bool(offer) and kind in OFFER_KINDS)
        keys.append(key)
    frame = raw.assign(service=keys)[keep].copy()
    frame["offer"] = frame["offer"].map(_cell)
    frame["kind"] = frame["kind"].map(lambda k: _cell(k).casefold())
    frame = frame.drop_duplicates(subset=["service", "offer"]).reset_index(drop=True)
    return frame, problems


def validate_sites(
    raw: pd.DataFrame, codebook: Codebook, *, file: str = "sites.csv"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the sites table (``sites.csv``): one row per site of the codebook.

    Returns
    -------
    sites : pandas.DataFrame
        ``site`` (key) and every other column as given (text, stripped), one
        row per listed site in the file's order.
    problems : list of Problem
        A missing ``site`` column, an unknown or empty site, a site listed twice.

    Examples
    --------
    >>> import pandas as pd
    >>> from synergi_analysis import load_codebook
    >>> raw = pd.DataFrame({"site": ["Næstved", "Naestved"], "staff": ["28", "3"]})
    >>> [str(p) for p in validate_sites(raw, load_codebook())[1]]
    ["sites.csv:3:site: unknown site 'Naestved'; did you mean 'næstved'?"]
    """
    raw = _stripped_columns(raw)
    if "site" not in raw.columns:
        return raw, [_missing_columns(file, ["site"])]
    rows = _row_labels(raw, None)
    dim = codebook["site"]
    lookup = dim.lookup()
    problems: list[Problem] = []
    keys: list[str | None] = []
    first: dict[str, object] = {}
    for row, cell in zip(rows, raw["site"].map(_cell), strict=True):
        key = lookup.get(cell.casefold()) if cell else None
        if not cell:
            problems.append(Problem(file, row, "site", "site is empty"))
        elif key is None:
            problems.append(Problem(file, row, "site", _unknown_message(dim, cell)))
        elif key in first:
            problems.append(Problem(file, row, "site",
                                    f"site {key!r} is listed twice (first on row {first[key]})"))
        else:
            first[key] = row
        keys.append(key)
    frame = raw.map(_cell).assign(site=keys)
    return frame[frame["site"].notna()].reset_index(drop=True), problems
