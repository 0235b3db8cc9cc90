"""Charts: one function per figure of the deck.

A plot function draws a table an analysis function made
(`synergi_analysis.patterns`, `synergi_analysis.ranking`): ``plot_x(table, *,
title=None, ax=None, **kwargs)``. It reads what it needs from the table's
``attrs`` (its kind, dimensions and their labels, margins, language, weights),
never from column positions or label strings; it returns the Axes (or the
Figure, for the multi-panel ``..._figure`` functions) and changes no global
state. The look is the house style (`synergi_analysis.style`); the deck's slides
are composed in `synergi_analysis.figures`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from synergi_analysis.style import (
    INK,
    NEUTRAL,
    PALETTE,
    SLIDE_SIZE,
    house_style,
    set_house_style,
    slide_figure,
    style_rc,
)
from synergi_analysis.words import word, words

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


__all__ = [
    "PALETTE",
    "SLIDE_SIZE",
    "house_style",
    "set_house_style",
    "style_rc",
    "slide_figure",
    "plot_service_by_age",
    "plot_attitudes",
    "plot_attitudes_figure",
    "plot_journey",
    "plot_competence",
    "plot_life_situations",
    "plot_cooccurrence",
    "plot_ranking",
    "plot_criteria_heatmap",
    "plot_rank_stability",
]


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


def _heatmap(table, *, ax, totals: bool, number_format: str = "{:.0f}", blank_zero: bool,
             cmap=None, center: float | None = None, vmin=None, vmax=None, **kwargs):
    """Draw a labelled matrix as annotated cells; totals (last row and column) in grey."""
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
    if cmap is None:
        cmap = sns.light_palette(PALETTE[0], as_cmap=True)
    style = dict(annot=labels, fmt="", cbar=False, linewidths=1.5, linecolor="white",
                 square=False, ax=ax)
    style.update(kwargs)
    sns.heatmap(table, mask=margin | empty, cmap=cmap, vmin=vmin, vmax=vmax, **style)
    if margin.any():
        sns.heatmap(table, mask=~margin, cmap=ListedColormap(["#EEEEEE"]), **style)
        for text in ax.texts[-int(margin.sum()):]:
            text.set_fontweight("bold")
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="x", rotation=0, length=0)
    ax.tick_params(axis="y", rotation=0, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def plot_service_by_age(data, *, title: str | None = None, ax: Axes | None = None,
                        **kwargs) -> Axes:
    """Heatmap of the data-basis table (services × age bands) with its totals.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.service_by_age` (with or without its totals).
    title : str, optional
        Replaces the default title (``Ydelse × Alder``).
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes
        Empty cells are zero; the totals are drawn in grey, in bold.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import service_by_age
    >>> table = service_by_age(load_study())
    >>> ax = plot_service_by_age(table, ax=slide_figure().add_subplot())
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['0-17', '18-29', '30-49', '50-69', '70+', 'Antal']
    """
    _attrs(data, "crosstab")
    ax = _ax(ax)
    _heatmap(data, ax=ax, totals=_has_totals(data), blank_zero=True, **kwargs)
    ax.set_ylabel("")
    ax.set_xlabel(_dimension_label(data, data.columns.name))
    ax.set_title(title if title is not None else _pair_title(data))
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


def plot_attitudes(data, *, visitor_type: str | None = None, title: str | None = None,
                   ax: Axes | None = None, **kwargs) -> Axes:
    """Stacked bars of attitude shares on one visitor type's scale, one bar per group.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.attitudes` (split ``by`` a dimension, e.g. site,
        or not: then a single bar).
    visitor_type : str, optional
        The scale to draw, as in the table's ``visitor_type`` column (a label,
        or a key for ``lang="keys"`` tables); default: the first one.
    title : str, optional
        Replaces the default title (the visitor type).
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One row of bars per group, first at the top, and one bar container
        per attitude of the scale in codebook order (the last one, in grey, for
        interviews without an attitude), labelled ``"A. <label>"``; segments of
        5 % or more carry their percentage, and each bar its number of interviews.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import attitudes
    >>> table = attitudes(load_study(), by="site", lang="en")
    >>> ax = plot_attitudes(table, visitor_type="Library visitor",
    ...                     ax=slide_figure().add_subplot())
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['A. The disturbed', 'B. The sociable', 'Not coded']
    """
    import numpy as np

    attrs = _attrs(data, "attitudes")
    lang = _lang(data)
    scale_col = attrs["scale"]
    ax = _ax(ax)
    scales = list(dict.fromkeys(data[scale_col]))
    if visitor_type is None:
        if not scales:
            raise ValueError("data: the attitude table has no rows")
        visitor_type = scales[0]
    if visitor_type not in scales:
        raise ValueError(f"visitor_type must be one of {scales}, not {visitor_type!r}")
    rows = data[data[scale_col] == visitor_type]
    group_col = attrs.get("by")
    if group_col is None:
        groups = [visitor_type]
        rows = rows.assign(_group=visitor_type)
        group_col = "_group"
    else:
        groups = [g for g in dict.fromkeys(rows[group_col])]
    codes = list(dict.fromkeys(zip(rows["code"].astype(object), rows["attitude"], strict=True)))
    y = np.arange(len(groups))
    left = np.zeros(len(groups))
    colour = iter(PALETTE)
    for code, label in codes:
        coded = not pd.isna(code)
        # Matched on the code: the not-coded row has none (and, in key tables, no label).
        same = (rows["code"] == code).fillna(False) if coded else rows["code"].isna()
        part = rows[same.to_numpy(dtype=bool)].set_index(group_col)["share"]
        widths = part.reindex(groups).fillna(0.0).to_numpy(dtype=float)
        ax.barh(y, widths, left=left, height=0.7,
                color=next(colour) if coded else NEUTRAL,
                label=(f"{code}. {label}" if label != code else str(code)) if coded
                else _not_coded_label(label, lang),
                **kwargs)
        for yi, (x0, w) in enumerate(zip(left, widths, strict=True)):
            if w >= 0.05:
                ax.text(x0 + w / 2, yi, f"{w:.0%}", ha="center", va="center",
                        color="white" if coded else INK, fontsize="small")
        left += widths
    n = rows.groupby(group_col, sort=False, observed=True)["count"].sum().reindex(groups)
    for yi, count in enumerate(n.fillna(0).astype(int)):
        ax.text(1.01, yi, f"n = {count}", va="center", ha="left", fontsize="small",
                transform=ax.get_yaxis_transform())
    ax.set_yticks(y, [str(g) for g in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.set_ylabel(_dimension_label(data, group_col) if group_col != "_group" else "")
    ax.set_xlabel("")
    # Right of the "n = ..." labels, whatever the Axes' width: an offset in points.
    from matplotlib import rcParams
    from matplotlib.transforms import ScaledTranslation

    gap = 4.5 * rcParams["font.size"] / 72
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title=None,
              bbox_transform=ax.transAxes + ScaledTranslation(gap, 0, ax.figure.dpi_scale_trans))
    ax.set_title(str(visitor_type) if title is None else title)
    return ax


def _not_coded_label(label, lang: str) -> str:

    return word("table.not_coded", lang) if pd.isna(label) else str(label)


def plot_attitudes_figure(data, *, title: str | None = None, fig: Figure | None = None,
                          **kwargs) -> Figure:
    """One `plot_attitudes` panel per visitor type (each its own scale), stacked.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.attitudes`.
    title : str, optional
        The figure's title (default: the attitude dimension's label).
    fig : matplotlib.figure.Figure, optional
        Draw into this figure (default: a new slide-sized one, not registered
        with pyplot).
    **kwargs
        Passed to `plot_attitudes`.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per visitor type, in the table's order.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import attitudes
    >>> table = attitudes(load_study(), by="site")
    >>> fig = plot_attitudes_figure(table)
    >>> [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes]
    ['Besøgende i borgerservice', 'Besøgende på biblioteket']
    """
    attrs = _attrs(data, "attitudes")
    scale_col, group_col = attrs["scale"], attrs.get("by")
    scales = list(dict.fromkeys(data[scale_col]))
    if fig is None:
        fig = slide_figure()
    sizes = [max(1, data.loc[data[scale_col] == s, group_col].nunique())
             if group_col else 1 for s in scales] or [1]
    axes = fig.subplots(len(sizes), 1, squeeze=False, height_ratios=sizes)[:, 0]
    for ax, scale in zip(axes, scales, strict=False):
        plot_attitudes(data, visitor_type=scale, ax=ax, **kwargs)
    if title is None:
        title = _dimension_label(data, "attitude")
    fig.suptitle(title, x=0.01, ha="left")
    return fig




def plot_journey(data, *, title: str | None = None, ax: Axes | None = None,
                 **kwargs) -> Axes:
    """The visitor journey: the share open at each stage, stages left to right.

    Read as the deck draws it: open to new input at the top, closed at the
    bottom, the visit's stages from preparation to home.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.journey`, overall or split ``by`` a dimension
        (then one line per group).
    title : str, optional
        Replaces the default title (the journey's label in the codebook).
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
        Tick labels: the stages in codebook order. One line per group (one in
        all without ``by``), labelled with the group; overall, each point is
        annotated with its percentage. A stage nobody was coded at is a gap.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import journey
    >>> table = journey(load_study(), by="site")
    >>> ax = plot_journey(table, ax=slide_figure().add_subplot())
    >>> [line.get_label() for line in ax.lines]
    ['Roskilde', 'Ringsted', 'Næstved', 'Glumsø']
    """
    import numpy as np

    attrs = _attrs(data, "journey")
    ax = _ax(ax)
    text = words("journey", _lang(data))
    group_col = attrs.get("by")
    stages = list(dict.fromkeys(data["stage"]))
    x = np.arange(len(stages))
    groups = list(dict.fromkeys(data[group_col])) if group_col else [None]
    colours = iter(PALETTE * (len(groups) // len(PALETTE) + 1))
    for g in groups:
        rows = data if g is None else data[data[group_col] == g]
        share = rows.set_index("stage")["share_open"].reindex(stages).to_numpy(dtype=float)
        style = {"marker": "o", "linewidth": 3, "markersize": 10, "color": next(colours)}
        style.update(kwargs)
        ax.plot(x, share, label=str(g) if g is not None else text["share"], **style)
        if g is None:
            coded = (rows["open"] + rows["closed"]).to_numpy()
            for xi, (s, n) in enumerate(zip(share, coded, strict=True)):
                if np.isfinite(s):
                    ax.annotate(f"{s:.0%}", (xi, s), xytext=(0, 12), textcoords="offset points",
                                ha="center", fontweight="bold")
                ax.annotate(f"n = {n}", (xi, 0), xytext=(0, -32), textcoords="offset points",
                            ha="center", va="top", fontsize="small", color="#666666",
                            annotation_clip=False)
    ax.set_xticks(x, [str(s) for s in stages])
    ax.set_xlim(-0.4, len(stages) - 0.6)
    ax.set_ylim(-0.02, 1.08)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    open_label, closed_label = attrs["states"]
    ax.set_ylabel(f"← {closed_label}    {text['share']}    {open_label} →")
    if group_col is not None:
        ax.legend(title=_dimension_label(data, group_col), loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))
    ax.set_title(_dimension_label(data, "stage") if title is None else title)
    return ax


def plot_competence(data, *, title: str | None = None, ax: Axes | None = None,
                    **kwargs) -> Axes:
    """Stacked bars of strong and weak navigators per service (or age band, ...).

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.competence` (its totals are left out).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One row per row of the table (first at the top, in its order), one bar
        container per competence profile, each labelled with the profile;
        segments carry their count.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import competence
    >>> table = competence(load_study(), by="age_band")
    >>> ax = plot_competence(table, ax=slide_figure().add_subplot())
    >>> [int(p.get_width()) for p in ax.containers[1]]
    [1, 1, 1, 4, 6]
    """
    import numpy as np

    _attrs(data, "crosstab")
    ax = _ax(ax)
    table = _totals_dropped(data)
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for i, column in enumerate(table.columns):
        widths = table[column].to_numpy(dtype=float)
        ax.barh(y, widths, left=left, height=0.7, color=PALETTE[i % len(PALETTE)],
                label=str(column), **kwargs)
        for yi, (x0, w) in enumerate(zip(left, widths, strict=True)):
            if w > 0:
                ax.text(x0 + w / 2, yi, f"{w:.0f}", ha="center", va="center", color="white",
                        fontsize="small")
        left += widths
    ax.set_yticks(y, [str(r) for r in table.index])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(word("table.interviews", _lang(data)).capitalize())
    ax.set_ylabel("")
    ax.legend(loc="lower right")
    ax.set_title(_pair_title(data) if title is None else title)
    return ax


def plot_life_situations(data, *, title: str | None = None, ax: Axes | None = None,
                         **kwargs) -> Axes:
    """Heatmap of life situations × services (or the table's columns), with its totals.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.life_situations` (with or without totals,
        either way round).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes
        One cell per row and column of the table, in its order; non-zero
        cells and every total carry their count.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import life_situations
    >>> table = life_situations(load_study(), by="age_band")
    >>> ax = plot_life_situations(table, ax=slide_figure().add_subplot())
    >>> [t.get_text() for t in ax.get_yticklabels()][:3]
    ['Ung', 'Voksen/myndig', 'Ældre/pensionist']
    """
    _attrs(data, "crosstab")
    ax = _ax(ax)
    _heatmap(data, ax=ax, totals=_has_totals(data), blank_zero=True, **kwargs)
    _tilt_long_labels(ax)
    ax.set_ylabel("")
    ax.set_xlabel("")
    ax.set_title(_pair_title(data) if title is None else title)
    return ax


def plot_cooccurrence(data, *, title: str | None = None, center: float | None = None,
                      ax: Axes | None = None, **kwargs) -> Axes:
    """Heatmap of a co-occurrence table (counts, Jaccard or lift).

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.cooccurrence`.
    title : str, optional
    center : float, optional
        Draw a diverging scale around this value: 1 suits lift (more often
        than chance above, less often below). Default: a sequential scale.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes
        One cell per pair of codes, in codebook order. Counts are annotated as
        whole numbers (blank for 0), Jaccard and lift with two decimals; cells
        without a value (no interviews) stay blank.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import cooccurrence
    >>> lift = cooccurrence(load_study(), rows="attitude", columns="competence",
    ...                     normalise="lift")
    >>> ax = plot_cooccurrence(lift, center=1.0, ax=slide_figure().add_subplot())
    >>> ax.texts[0].get_text()
    '1.12'
    """
    import seaborn as sns

    attrs = _attrs(data, "cooccurrence", "crosstab")
    ax = _ax(ax)
    whole = attrs.get("measure", "count") == "count"
    fmt = "{:.0f}" if whole else "{:.2f}"
    options = {}
    if center is not None:
        options["cmap"] = sns.diverging_palette(250, 30, l=65, center="light", as_cmap=True)
        options["center"] = center
    options.update(kwargs)
    _heatmap(data, ax=ax, totals=False, blank_zero=whole, number_format=fmt, **options)
    _tilt_long_labels(ax)
    ax.set_ylabel("")
    ax.set_xlabel("")
    ax.set_title(_pair_title(data) if title is None else title)
    return ax


# -- ranking: the synergy-potential ranking (synergi_analysis.ranking) ---------------


def plot_ranking(data, *, title: str | None = None, ax: Axes | None = None, **kwargs) -> Axes:
    """Ranked bar chart of the synergy ranking, the criteria as stacked segments.

    Each ranked service gets one horizontal bar, best at the top; its segments
    are ``w_c · score_c / Σ w`` per criterion, so the bar's length is the total.
    Services the deck picked have bold labels. Flagged services are not drawn.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `ranking.rank_services`; its ``attrs["weights"]`` are the
        weights it was ranked with.
    title : str, optional
        Replaces the default title.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        Tick labels ``"<rank>. <label>"``; one bar container per criterion, in
        the order of the table's weights, labelled with the deck's wording.

    Examples
    --------
    >>> from synergi_analysis import load_study, rank_services
    >>> ax = plot_ranking(rank_services(load_study(), weights="users=2"),
    ...                   ax=slide_figure().add_subplot())
    >>> [c.get_label() for c in ax.containers][:2]
    ['Findes flest steder', 'Flest brugere']
    """
    import numpy as np

    attrs = _attrs(data, "ranking")
    lang = _lang(data)
    ax = _ax(ax)
    ranked = data[~data["too_little_data"].astype(bool)]
    weights = attrs["weights"]
    criteria = list(weights)
    share = np.array([weights[c] for c in criteria]) / sum(weights.values())
    parts = ranked[criteria].to_numpy(dtype=float) * share
    y = np.arange(len(ranked))
    left = np.zeros(len(ranked))
    for i, c in enumerate(criteria):
        ax.barh(y, parts[:, i], left=left, color=PALETTE[i], label=word(f"criterion.{c}", lang),
                height=0.7, **kwargs)
        left += parts[:, i]
    ax.set_yticks(y, [f"{r}. {lab}" for r, lab in zip(ranked["rank"], ranked["label"],
                                                      strict=True)])
    for tick, picked in zip(ax.get_yticklabels(), ranked["deck_pick"], strict=True):
        if picked:
            tick.set_fontweight("bold")
    ax.set_ylim(len(ranked) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(words("ranking", lang)["total"])
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(words("ranking", lang)["title"] if title is None else title)
    return ax


def plot_criteria_heatmap(data, *, title: str | None = None, ax: Axes | None = None,
                          **kwargs) -> Axes:
    """Heatmap of the four criterion scores: services × criteria, each cell in [0, 1].

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `ranking.rank_services` (every service, flagged ones too:
        their blank ``groups`` cell shows what is missing).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes
        Rows labelled with the services in the table's order, columns with the
        criteria (the deck's wording), cells annotated with two decimals.
    """
    criteria = list(_attrs(data, "ranking")["weights"])
    lang = _lang(data)
    ax = _ax(ax)
    table = data.set_index("label")[criteria].astype(float)
    table.index.name = None
    table.columns = [word(f"criterion.{c}", lang) for c in criteria]
    _heatmap(table, ax=ax, totals=False, number_format="{:.2f}", blank_zero=False,
             vmin=0.0, vmax=1.0, **kwargs)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(words("ranking", lang)["criteria"] if title is None else title)
    return ax


def plot_rank_stability(data, *, title: str | None = None, ax: Axes | None = None,
                        **kwargs) -> Axes:
    """How often each service lands in the top k under random weights, with its rank range.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `ranking.rank_sensitivity` (its ``attrs`` give the k of
        the top-k share and the number of draws).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per service (``top_share``, in the table's order, first at the
        top), annotated with its rank range over the draws.
    """
    import numpy as np

    attrs = _attrs(data, "rank_sensitivity")
    ax = _ax(ax)
    text = words("ranking", _lang(data))
    y = np.arange(len(data))
    kwargs.setdefault("color", PALETTE[0])
    ax.barh(y, data["top_share"].to_numpy(dtype=float), height=0.7, **kwargs)
    for yi, (share, lo, hi) in enumerate(zip(data["top_share"], data["rank_min"],
                                             data["rank_max"], strict=True)):
        note = text["one"] if lo == hi else text["range"]
        ax.annotate(note.format(lo=int(lo), hi=int(hi)), (float(share), yi),
                    xytext=(6, 0), textcoords="offset points", va="center")
    ax.set_yticks(y, list(data["label"]))
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.set_xlabel(text["share"].format(n=f"{attrs['n_draws']} ", k=attrs["top"]))
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.set_title(text["stability"] if title is None else title)
    return ax


