"""A table made for reading: headers in words, cells localised, wide tables split.

`finished_tables` turns any table the analyses return into one or more
pandas `Styler` objects (more than one when the table is too wide for a page);
`synergi_analysis.display.show_table` shows them. The rules, by column name:

- a codebook dimension is headed by its label (``site`` -> "Sted"), a known
  column by its word in `synergi_analysis.words` (``share_open`` -> "Andel
  åbne"), ``without_<site>`` by "Uden <site>", anything else by its name in
  words (``"max_shift"`` -> "Max shift");
- ``share``, ``share_*`` and ``*_share`` are percentages, ``p`` and ``p_*``
  p values, ``<c>_low`` with ``<c>_high`` one interval column after ``<c>``;
- whole numbers have no decimals, other numbers two; booleans are words and
  missing values "–";
- an index is kept (as the first column) only when it carries labels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from synergi_analysis._format import MISSING, cell, is_missing, number, p_value, percent
from synergi_analysis.words import words

__all__ = ["finished_tables", "header_word", "TOTAL_CLASS", "HIGHLIGHT_CLASS"]

TOTAL_CLASS = "synergi-total"
HIGHLIGHT_CLASS = "synergi-highlight"
# Columns that hold keys or internal flags: left out unless asked for by name.
_HIDDEN = frozenset({"deck_group", "group_dimension", "too_little_data", "quote_id",
                     "interview_id", "code"})
# How many characters of cells fit side by side on a report page (headers wrap).
PAGE_CHARS = 120
_TEXT_WRAP = 20  # text cells wrap at about this many characters (14em)
# Tables whose total and rank intervals are a bootstrap's percentiles, not 95 % intervals.
_BOOTSTRAPPED = frozenset({"ranking", "deck_agreement"})


def _is_share(name: str) -> bool:
    return (name == "share" or name.startswith("share_") or name.endswith("_share")
            or name == "group_base")


def _is_p(name: str) -> bool:
    return name in ("p", "pvalue") or name.startswith("p_")


def header_word(name, *, attrs: Mapping, lang: str, codebook=None) -> str:
    """The header a reader sees for column ``name`` (see the module's rules).

    Examples
    --------
    >>> header_word("share_open", attrs={}, lang="da")
    'Andel åbne'
    >>> header_word("age_band", attrs={"labels": {"age_band": "Alder"}}, lang="da")
    'Alder'
    >>> header_word("lost_count", attrs={}, lang="en")
    'Lost count'
    """
    name = "" if name is None else str(name)
    labels = attrs.get("labels") or {}
    if name in labels:
        return str(labels[name])
    if codebook is not None and name in getattr(codebook, "dimensions", {}):
        return codebook.dimension_label(name, lang=lang)
    if attrs.get("kind") == "journey" and name in ("open", "closed") and attrs.get("states"):
        return str(attrs["states"][0 if name == "open" else 1])
    column = words("column", lang)
    if name == "label" and codebook is not None and "service" in codebook:
        return codebook.dimension_label("service", lang=lang)
    if name.startswith("without_") and codebook is not None and "site" in codebook:
        site = name[len("without_"):]
        if site in codebook.keys("site"):
            return column["without"].format(codebook.label("site", site, lang=lang))
    if name in column:
        return column[name].format(k=attrs.get("top", "k"))
    if not name:
        return ""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _yes_no(values: pd.Series) -> bool:
    """A column of booleans with gaps (stored as objects): aligned as the booleans are."""
    present = [v for v in values if not is_missing(v)]
    return bool(present) and all(isinstance(v, bool | np.bool_) for v in present)


def _format_column(name: str, values: pd.Series, lang: str, codebook) -> list[str]:
    value_words = words("value", lang)
    if _is_share(name):
        return [percent(v, lang) for v in values]
    if _is_p(name):
        return [p_value(v, lang) for v in values]
    if name == "kind":
        return [MISSING if is_missing(v) else value_words.get(str(v), str(v)) for v in values]
    if name == "group_dimension" and codebook is not None:
        return [codebook.dimension_label(v, lang=lang) if v in codebook else cell(v, lang)
                for v in values]
    if pd.api.types.is_float_dtype(values.dtype):
        # One number of decimals down a column: 1,00 above 0,75, not 1.
        finite = values.dropna().to_numpy(dtype=float)
        finite = finite[np.isfinite(finite)]
        decimals = 0 if finite.size and np.all(finite == np.round(finite)) else 2
        return [number(v, lang, decimals=decimals) for v in values]
    return [cell(v.item() if hasattr(v, "item") else v, lang) for v in values]


def _intervals(table: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """``{c: (c_low, c_high)}`` for every column with both bounds present.

    Bounds named after no column (``share_low`` beside ``share_open``) belong to
    the table's one share column, or stand alone as an interval of their own.
    """
    found = {}
    columns = [str(c) for c in table.columns]
    for c in columns:
        if f"{c}_low" in columns and f"{c}_high" in columns:
            found[c] = (f"{c}_low", f"{c}_high")
    shares = [c for c in columns if _is_share(c) and c not in ("share_low", "share_high")]
    if "share" not in found and "share_low" in columns and "share_high" in columns \
            and len(shares) == 1:
        found[shares[0]] = ("share_low", "share_high")
    if "best_rank" in columns and "rank" not in columns and {"rank_low", "rank_high"} <= \
            set(columns):  # the deck's pick: the interval of its best member's rank
        found["best_rank"] = ("rank_low", "rank_high")
    used = {bound for pair in found.values() for bound in pair}
    for c in ("share", "total", "rank"):  # bounds may come without their centre column
        if c not in found and f"{c}_low" in columns and f"{c}_high" in columns \
                and f"{c}_low" not in used:
            found[c] = (f"{c}_low", f"{c}_high")
    return found


def _interval_head(c: str, attrs: Mapping, lang: str) -> str:
    """What an interval column is: a 95 % interval, a bootstrap's, or a range of values."""
    column = words("column", lang)
    if c == "reach":  # what reach could be if the unknown desks were known
        return column["reach_range"]
    if attrs.get("kind") in _BOOTSTRAPPED and c in ("total", "rank", "best_rank"):
        from synergi_analysis.ranking._uncertainty import INTERVAL

        return column["interval_level"].format(level=round(INTERVAL[1] - INTERVAL[0]))
    return column["interval"]


def _interval_text(low, high, name: str, lang: str) -> str:
    if is_missing(low) or is_missing(high):
        return MISSING
    if _is_share(name):
        a, b = percent(low, lang), percent(high, lang)
        unit = " %" if lang == "da" else "%"
        return f"{a.removesuffix(unit)}–{b}"
    if name in ("total", "reach"):  # scores: two decimals at both ends
        a, b = number(low, lang, decimals=2), number(high, lang, decimals=2)
    else:
        a, b = cell(low, lang), cell(high, lang)
    return a if a == b else f"{a}–{b}"  # rank 1 within uncertainty: "1"


def _width(header: str, cells: Iterable[str]) -> int:
    """Characters a column needs: its longest header word, or its cells (text wraps)."""
    # "90 %-interval" is shown as one word (a no-break space keeps the number with its unit).
    head = max((len(w) for w in header.replace(" %", "\u00a0%").split(" ")), default=0)
    body = max((len(c) for c in cells), default=0)
    return max(head, min(body, _TEXT_WRAP)) + 3  # + padding


def _uuid(frame: pd.DataFrame) -> str:
    text = frame.to_csv(index=False) + "|".join(map(str, frame.columns))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _coded_cells(frame: pd.DataFrame, codebook, lang: str) -> pd.DataFrame:
    """A table of codes by dimension (agreement, disagreements) in words, not keys.

    ``dimension`` holds a dimension's or a journey stage's key, ``value``,
    ``value_a`` and ``value_b`` keys of that dimension (several joined by ``;``).
    """
    frame = frame.copy()
    stages = set(getattr(codebook, "stages", []) or [])

    def named(dimension: str) -> str:
        if dimension in codebook.dimensions:
            return codebook.dimension_label(dimension, lang=lang)
        if dimension in stages:
            return codebook.label("journey_stage", dimension, lang=lang)
        return dimension

    def value(dimension: str, keys) -> str:
        if is_missing(keys):
            return keys
        scale = "journey_state" if dimension in stages else dimension
        if scale not in codebook.dimensions or codebook[scale].scale_by:
            return keys  # a code of several scales ("A"): its label depends on the scale
        labels = codebook.labels(scale, lang=lang)
        return "; ".join(labels.get(k, k) for k in str(keys).split(";"))

    dims = frame["dimension"].astype(str)
    for column in ("value", "value_a", "value_b"):
        if column in frame.columns:
            frame[column] = [value(d, v) for d, v in zip(dims, frame[column], strict=True)]
    frame["dimension"] = [named(d) for d in dims]
    return frame


def finished_tables(table: pd.DataFrame, *, lang: str, codebook=None,
                    columns: list | None = None, highlight: str | None = None,
                    verbatim: tuple = (), page_chars: int = PAGE_CHARS) -> list:
    """The table as one or more `pandas.io.formats.style.Styler`, ready to show.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table of the package (its ``attrs`` are read).
    lang : {"da", "en"}
    codebook : Codebook, optional
        Translates dimension names and ``without_<site>`` headers.
    columns : list, optional
        Show only these columns (by their name in ``table``), in this order.
    highlight : str, optional
        A row (by its first cell) or column (by its header) to mark.
    verbatim : tuple of str
        Columns whose cells are the study's words as written (names of offers,
        say), marked ``synergi-verbatim``: they are in the study's language.
    page_chars : int
        Character widths that fit a page; a wider table is split into several,
        each repeating its label columns.

    Returns
    -------
    list of Styler
        Every cell is text; no index is shown.
    """
    attrs = dict(getattr(table, "attrs", {}) or {})
    frame = table.copy()
    frame.attrs = {}
    if codebook is not None and "dimension" in frame.columns:
        frame = _coded_cells(frame, codebook, lang)
    if "judged" in frame.columns and "in_top" in frame.columns:
        # A pick the data cannot judge is neither among the top nor out of it.
        frame["in_top"] = frame["in_top"].astype(object).where(frame["judged"].astype(bool))
    margins = bool(attrs.get("margins"))
    column_title = frame.columns.name
    # An index shows only when it carries labels (a crosstab's rows, a label column).
    index = frame.index
    labelled = not (isinstance(index, pd.RangeIndex) or (
        index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index)))
    frame.columns = [str(c) for c in frame.columns]
    label_columns: list[str] = []
    if labelled:
        names = [n if n is not None else "" for n in index.names]
        frame.index = index.set_names(names)
        frame = frame.reset_index()
        label_columns = [str(n) for n in names]
    frame = frame.reset_index(drop=True)
    if columns is not None:
        keep = [c for c in label_columns if c not in columns] + [str(c) for c in columns]
        frame = frame[keep]
    else:
        hidden = set(_HIDDEN)
        if "label" in frame.columns:
            hidden.add("service")  # its keys; the label column names it
        frame = frame[[c for c in frame.columns if c not in hidden or c in label_columns]]
    if not label_columns:
        # The columns that name a row ("Plads", "Ydelse"): up to the first text column.
        for i, c in enumerate(list(frame.columns)[:3]):
            if not pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool:
                label_columns = list(frame.columns[:i + 1])
                break

    bounds = _intervals(frame)
    shown: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    # The interval of a column that names the rows (a rank) follows the name columns.
    after_labels: dict[str, list[str]] = {}
    n_labels = len(label_columns)

    def add_interval(c: str, header: str | None) -> None:
        low, high = bounds[c]
        if header is None:  # bounds without their centre column: named after it
            head = header_word(c, attrs=attrs, lang=lang, codebook=codebook)
        else:
            head = _interval_head(c, attrs, lang)
            if len(bounds) > 1 or c in label_columns or c == "reach":
                head = f"{header.strip()}, {head}"  # "Samlet score, 95 %-interval"
        while head in shown or head in after_labels:
            head += " "
        cells = [_interval_text(a, b, c, lang) for a, b in zip(frame[low], frame[high],
                                                                 strict=True)]
        kinds[head] = "number"
        if c in label_columns:
            after_labels[head] = cells
        else:
            shown[head] = cells

    for c in frame.columns:
        if any(c in pair for pair in bounds.values()):
            continue
        header = header_word(c, attrs=attrs, lang=lang, codebook=codebook)
        while header in shown:
            header += " "
        shown[header] = _format_column(c, frame[c], lang, codebook)
        kinds[header] = ("number" if pd.api.types.is_numeric_dtype(frame[c])
                         or frame[c].dtype == bool or _yes_no(frame[c]) else
                         "verbatim" if c in verbatim else "text")
        if c in bounds:
            add_interval(c, header)
    for c in bounds:
        if c not in frame.columns:  # bounds without their centre: one interval column
            add_interval(c, None)
    if after_labels:
        heads = list(shown)
        shown = {h: shown[h] for h in heads[:n_labels]} | after_labels | \
            {h: shown[h] for h in heads[n_labels:]}
    text = pd.DataFrame(shown, index=range(len(frame)), dtype=object)
    heads = list(text.columns)
    fixed, rest = heads[:n_labels], heads[n_labels:]
    title = header_word(column_title, attrs=attrs, lang=lang, codebook=codebook) \
        if column_title is not None else ""

    # Split a table too wide for the page into parts that repeat the label columns.
    widths = {h: _width(h, text[h]) for h in heads}
    budget = max(page_chars - sum(widths[h] for h in fixed), 20)
    parts = _split(rest, widths, budget)
    total_head = heads[-1] if margins and rest else None
    total_row = len(text) - 1 if margins and len(text) else None
    stylers = []
    for part in parts:
        stylers.append(_styler(text[fixed + part], kinds=kinds, n_fixed=len(fixed),
                               title=title, total_head=total_head, total_row=total_row,
                               highlight=highlight))
    return stylers


def _split(heads: list[str], widths: dict[str, int], budget: int) -> list[list[str]]:
    """Columns in as few parts as fit ``budget`` each, the widest part as narrow as can be.

    Filling each part greedily would leave a last part of one column; the same
    number of parts, each near the average width, reads as one table cut in two.
    """
    def fill(limit: int) -> list[list[str]]:
        parts: list[list[str]] = [[]]
        used = 0
        for h in heads:
            if parts[-1] and used + widths[h] > limit:
                parts.append([])
                used = 0
            parts[-1].append(h)
            used += widths[h]
        return parts

    parts = fill(budget)
    if len(parts) > 1:
        # The smallest width at which the columns still fit in as many parts.
        limit = next(w for w in range(max(widths[h] for h in heads), budget + 1)
                     if len(fill(w)) <= len(parts))
        parts = fill(limit)
    return parts


def _styler(text: pd.DataFrame, *, kinds, n_fixed: int, title: str, total_head, total_row,
            highlight):
    classes = pd.DataFrame("", index=text.index, columns=text.columns)
    for head in text.columns:
        classes[head] = {"text": "synergi-text", "number": "synergi-number",
                         "verbatim": "synergi-text synergi-verbatim"}[kinds[head]]
    styles = []
    for j, head in enumerate(text.columns):
        side = "right" if kinds[head] == "number" else "left"
        styles.append({"selector": f"th.col{j}", "props": f"text-align: {side};"})
        if head == total_head or (highlight is not None and head == highlight):
            cls = TOTAL_CLASS if head == total_head else HIGHLIGHT_CLASS
            classes[head] = classes[head] + " " + cls
            styles.append({"selector": f"th.col{j}", "props": "font-weight: bold;"})
    for i in text.index:
        names = list(text.iloc[i, :n_fixed])
        mark = TOTAL_CLASS if i == total_row else (
            HIGHLIGHT_CLASS if highlight is not None and highlight in names else None)
        if mark:
            classes.loc[i] = [c if mark in c.split() else f"{c} {mark}" for c in classes.loc[i]]
    # A header never breaks between a number and its unit ("90 %-interval").
    text = text.rename(columns=lambda h: h.replace(" %", "\u00a0%"))
    classes.columns = text.columns
    if title and n_fixed:
        top = [""] * n_fixed + [title] * (len(text.columns) - n_fixed)
        frame = text.copy()
        frame.columns = pd.MultiIndex.from_arrays([top, list(text.columns)])
        classes.columns = frame.columns
    else:
        frame = text
    from pandas.io.formats.style import Styler

    styler = Styler(frame, uuid=_uuid(text), cell_ids=False)
    styler.hide(axis="index")
    styler.set_td_classes(classes)
    styler.set_table_attributes('class="synergi-table"')
    styler.set_table_styles(styles + [
        {"selector": "", "props": "table-layout: auto; margin: 0.5em 0 1em 0;"},
        # Narrow padding: a table of ten columns fits a narrow window (800 px).
        {"selector": "th", "props": "vertical-align: bottom; max-width: 10em; "
                                    "padding: 0.3em 0.45em; font-size: 0.92em;"},
        {"selector": "td", "props": "padding: 0.3em 0.45em;"},
        {"selector": "th.level0", "props": "text-align: center;"} if title and n_fixed else
        {"selector": "th.level0", "props": ""},
        {"selector": "td.synergi-text", "props": "text-align: left; max-width: 14em;"},
        {"selector": "td.synergi-number", "props": "text-align: right; white-space: nowrap;"},
        {"selector": f"td.{TOTAL_CLASS}", "props": "font-weight: bold;"},
        {"selector": f"td.{HIGHLIGHT_CLASS}",
         "props": "font-weight: bold; background: #DCEBF7;"},
    ], overwrite=True)
    return styler

