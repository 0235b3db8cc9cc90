"""Helpers every chart of `synergi_analysis.plotting` draws with: attrs, heatmaps, footnotes.

Private: the charts are the API. A table's notes (its denominator rule, its
test's sentence, its illustrative caveat) become one footnote per figure here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from synergi_analysis._codings import caveat
from synergi_analysis.style import PALETTE
from synergi_analysis.words import word

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

# -- helpers for drawing -------------------------------------------------------------


def _ax(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _attrs(data, *kinds: str) -> dict:
    """The table's ``attrs``, checked to come from one of the analyses ``kinds``."""
    attrs = getattr(data, "attrs", None) or {}
    if attrs.get("kind") not in kinds:
        made_by = " or ".join(kinds)
        raise ValueError(f"data: expected a {made_by} table from synergi_analysis (its attrs "
                         f"say {attrs.get('kind')!r}); plot the table the analysis returned")
    return attrs


def _dimension_label(data, name) -> str:
    """The label of a dimension the table names (its index, columns or group column)."""
    if name is None:
        return ""
    return str(data.attrs.get("labels", {}).get(name, name))


def _lang(data) -> str:
    return data.attrs.get("lang") or "da"


_NOTES = "_synergi_notes"


def _footnote(ax, *lines: str, attrs: dict | None = None) -> None:
    """Add lines, and a table's illustrative caveat, to the figure's footnote.

    One footnote per figure: its lines in the order added (each once), then one
    caveat line naming every illustrative dimension any panel rests on (from
    the tables' ``attrs``). The footnote is the figure's ``supxlabel``, which
    constrained layout (the house style) makes room for; each line is wrapped to
    the figure's width.
    """
    import textwrap

    import matplotlib as mpl

    fig = ax.figure
    state = getattr(fig, _NOTES, None)
    if state is None:
        state = {"lines": {}, "illustrative": {}, "labels": {}, "criteria": {}, "lang": None}
        setattr(fig, _NOTES, state)
    for line in lines:
        if line:
            state["lines"].setdefault(line, None)
    if attrs:
        state["illustrative"].update(attrs.get("illustrative") or {})
        state["labels"].update(attrs.get("labels") or {})
        for criterion, dims in (attrs.get("illustrative_criteria") or {}).items():
            state["criteria"].setdefault(criterion, []).extend(dims)
        state["lang"] = state["lang"] or attrs.get("lang")
    shown = list(state["lines"])
    line = caveat({"illustrative": state["illustrative"], "labels": state["labels"],
                   "illustrative_criteria": state["criteria"], "lang": state["lang"]})
    if line:
        shown.append(line)
    if not shown:
        return
    size = 0.8 * float(mpl.rcParams["font.size"])
    width = max(40, int(fig.get_figwidth() * 72 / (size * 0.55)))
    text = "\n".join(textwrap.fill(line, width) for line in shown)
    fig.supxlabel(text, x=0.01, ha="left", fontsize=size, color="#444444")


def _table_notes(ax, data, *rule: str) -> None:
    """The table's own notes: ``rule`` lines, its test's sentence, its illustrative caveat."""
    test = data.attrs.get("test")
    sentence = test["sentence"][_lang(data)] if test else ""
    _footnote(ax, *rule, sentence, attrs=data.attrs)


def _heatmap(table, *, ax, totals: bool, number_format: str = "{:.0f}", blank_zero: bool,
             cmap=None, center: float | None = None, vmin=None, vmax=None, marks=None,
             **kwargs):
    """Draw a labelled matrix as annotated cells; totals (last row and column) in grey.

    ``marks`` (a boolean array like the table) appends a dagger to those cells' numbers.
    """
    import numpy as np
    import seaborn as sns
    from matplotlib.colors import ListedColormap

    values = table.to_numpy(dtype=float)
    margin = np.zeros(values.shape, dtype=bool)
    if totals and values.size:
        margin[-1, :] = True
        margin[:, -1] = True
    # Empty cells stay white, as in the deck's table, instead of the palette's palest tint.
    empty = ~margin & (values == 0) if blank_zero else np.zeros(values.shape, dtype=bool)
    inner = values[~margin]
    finite = inner[np.isfinite(inner)]
    if center is not None:
        # A scale symmetric around the centre. (seaborn's own ``center`` recolours the
        # colormap through an API matplotlib is deprecating.)
        spread = float(np.abs(finite - center).max()) if finite.size else 1.0
        spread = spread or 1.0
        vmin = center - spread if vmin is None else vmin
        vmax = center + spread if vmax is None else vmax
    if vmin is None:
        vmin = 0.0
    if vmax is None:
        vmax = max(float(finite.max()) if finite.size else 0.0, 1.0)
    labels = np.empty(values.shape, dtype=object)
    for (i, j), v in np.ndenumerate(values):
        if not np.isfinite(v) or (blank_zero and v == 0 and not margin[i, j]):
            labels[i, j] = ""
        else:
            labels[i, j] = number_format.format(v)
            if marks is not None and marks[i, j]:
                labels[i, j] += "†"
    if cmap is None:
        cmap = sns.light_palette(PALETTE[0], as_cmap=True)
    # Tick labels are set below, every one of them: given to seaborn, each of its calls
    # measures them to rotate crowded ones (the rotation is set below anyway), and on a
    # figure without a drawing canvas each measurement builds a renderer of its own.
    style = dict(annot=labels, fmt="", cbar=False, linewidths=1.5, linecolor="white",
                 square=False, ax=ax, xticklabels=False, yticklabels=False)
    style.update(kwargs)
    sns.heatmap(table, mask=margin | empty, cmap=cmap, vmin=vmin, vmax=vmax, **style)
    if margin.any():
        sns.heatmap(table, mask=~margin, cmap=ListedColormap(["#EEEEEE"]), **style)
        for text in ax.texts[-int(margin.sum()):]:
            text.set_fontweight("bold")
    rows, columns = values.shape
    ax.set_xticks(np.arange(columns) + 0.5, labels=[str(c) for c in table.columns])
    ax.set_yticks(np.arange(rows) + 0.5, labels=[str(i) for i in table.index], va="center")
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="x", rotation=0, length=0)
    ax.tick_params(axis="y", rotation=0, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def _pair_title(table) -> str:
    rows = _dimension_label(table, table.index.name)
    cols = _dimension_label(table, table.columns.name)
    return f"{rows} × {cols}".strip(" ×")


def _has_totals(table) -> bool:
    """Whether the last row and column are totals, as the table's ``attrs`` say."""
    return bool(table.attrs.get("margins")) and len(table.index) > 0 and len(table.columns) > 0


def _totals_dropped(table):
    """The table without its total row and column, if it has them."""
    return table.iloc[:-1, :-1] if _has_totals(table) else table


def _tilt_long_labels(ax, *, limit: int = 60) -> None:
    """Tilt the column labels of a matrix when they would not fit side by side."""
    labels = [t.get_text() for t in ax.get_xticklabels()]
    if sum(len(t) for t in labels) > limit:
        ax.tick_params(axis="x", rotation=35)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("left")
            t.set_rotation_mode("anchor")


def _not_coded_label(label, lang: str) -> str:

    return word("table.not_coded", lang) if pd.isna(label) else str(label)
