"""Charts: one function per figure of the deck.

A plot function draws a table an analysis function made
(`synergi_analysis.patterns`, `synergi_analysis.ranking`): ``plot_x(table, *,
title=None, ax=None, **kwargs)``. It reads what it needs from the table's
``attrs`` (its kind, dimensions and their labels, margins, language, weights),
never from column positions or label strings; it returns the Axes (or the
Figure, for the multi-panel ``..._figure`` functions) and changes no global
state.

Every chart carries its table's notes as a footnote under the figure (one
footnote per figure, however many panels add to it): the rule a share was
computed by and its interval, the result of the table's test
(``attrs["test"]``), and, where the table rests on dimensions the codebook
marks as illustrative (``attrs["illustrative"]``), the caveat "Illustrative
kodninger: ..." / "Illustrative codings: ...". A study that marks nothing gets
no caveat. The look is the house style (`synergi_analysis.style`); the deck's slides
are composed in `synergi_analysis.figures`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from synergi_analysis._draw import (
    _attrs,
    _ax,
    _dimension_label,
    _footnote,
    _has_totals,
    _heatmap,
    _lang,
    _not_coded_label,
    _pair_title,
    _table_notes,
    _tilt_long_labels,
    _totals_dropped,
)
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


def _whiskers(ax, low, high, at, *, horizontal: bool, color, cap: float = 0.05) -> None:
    """Interval whiskers with caps, as line collections (not lines or bar containers)."""
    import numpy as np

    low, high, at = (np.asarray(v, dtype=float) for v in (low, high, at))
    style = {"colors": color, "linewidth": 1.2, "alpha": 0.7, "zorder": 3}
    if horizontal:
        ax.hlines(at, low, high, **style)
        ax.vlines(np.r_[low, high], np.r_[at, at] - cap, np.r_[at, at] + cap, **style)
    else:
        ax.vlines(at, low, high, **style)
        ax.hlines(np.r_[low, high], np.r_[at, at] - cap, np.r_[at, at] + cap, **style)


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
    # Apart from the column labels under it, so it reads as their heading.
    ax.set_xlabel(_dimension_label(data, data.columns.name), labelpad=10)
    ax.set_title(title if title is not None else _pair_title(data))
    _footnote(ax, attrs=data.attrs)
    return ax


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
        5 % or more carry their percentage, and each bar its number of interviews;
        each coded segment's Wilson 95 % interval is a whisker where it ends. The
        figure's footnote states the denominator, the test and the caveat.

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
        part = rows[same.to_numpy(dtype=bool)].set_index(group_col)
        widths = part["share"].reindex(groups).fillna(0.0).to_numpy(dtype=float)
        ax.barh(y, widths, left=left, height=0.7,
                color=next(colour) if coded else NEUTRAL,
                label=(f"{code}. {label}" if label != code else str(code)) if coded
                else _not_coded_label(label, lang),
                **kwargs)
        if coded and {"share_low", "share_high"} <= set(part.columns):
            # The segment's own 95 % interval, drawn where the segment ends.
            low = part["share_low"].reindex(groups).to_numpy(dtype=float)
            high = part["share_high"].reindex(groups).to_numpy(dtype=float)
            shown = (widths > 0) & np.isfinite(low)
            _whiskers(ax, (left + low)[shown], (left + high)[shown], y[shown] + 0.22,
                      horizontal=True, color=INK)
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
    _table_notes(ax, data, word("stats.share_all", lang) + " " + word("stats.interval", lang))
    return ax


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
        Each point has its Wilson 95 % interval as a whisker; the footnote states
        the denominator, the test and the caveat.

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
        if {"share_low", "share_high"} <= set(rows.columns):
            low = rows.set_index("stage")["share_low"].reindex(stages).to_numpy(dtype=float)
            high = rows.set_index("stage")["share_high"].reindex(stages).to_numpy(dtype=float)
            shown = np.isfinite(share)
            # Groups side by side at a stage: their whiskers are moved apart a little.
            dodge = (groups.index(g) - (len(groups) - 1) / 2) * 0.06
            _whiskers(ax, low[shown], high[shown], x[shown] + dodge, horizontal=False,
                      color=style["color"])
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
    # Two lines: on one the label runs past a short axis into the footnote below it.
    ax.set_ylabel(f"{text['share']}\n← {closed_label}    {open_label} →")
    if group_col is not None:
        ax.legend(title=_dimension_label(data, group_col), loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))
    ax.set_title(_dimension_label(data, "stage") if title is None else title)
    lang = _lang(data)
    _table_notes(ax, data, word("stats.share_coded", lang) + " " + word("stats.interval", lang))
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
    # Beside the bars, not on them: the longest bar reaches the right edge.
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(_pair_title(data) if title is None else title)
    _table_notes(ax, data)
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
    _table_notes(ax, data)
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
        without a value (no interviews) stay blank, and a Jaccard or lift cell
        with fewer than ``attrs["min_n"]`` interviews carries a dagger (†),
        explained in the footnote with the number of interviews it rests on.

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
    import numpy as np
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
    counts = attrs.get("counts")
    marks = None
    rule = []
    lang = _lang(data)
    if not whole and counts is not None:
        n_ab = pd.DataFrame(counts).T.reindex(index=data.index, columns=data.columns)
        marks = n_ab.to_numpy(dtype=float) < attrs.get("min_n", 3)
        rule.append(word("stats.lift_n", lang, n=attrs.get("n_both", attrs.get("n"))))
        if (marks & np.isfinite(data.to_numpy(dtype=float))).any():
            rule.append(word("stats.small", lang, m=attrs.get("min_n", 3)))
    _heatmap(data, ax=ax, totals=False, blank_zero=whole, number_format=fmt, marks=marks,
             **options)
    _tilt_long_labels(ax)
    ax.set_ylabel("")
    ax.set_xlabel("")
    ax.set_title(_pair_title(data) if title is None else title)
    _table_notes(ax, data, *rule)
    return ax


# -- ranking: the synergy-potential ranking (synergi_analysis.ranking) ---------------


def plot_ranking(data, *, title: str | None = None, ax: Axes | None = None, **kwargs) -> Axes:
    """Ranked bar chart of the synergy ranking with its uncertainty.

    Each ranked service gets one horizontal bar, best at the top; its segments
    are ``w_c · score_c / Σ w`` per criterion, so the bar's length is the total.
    A whisker spans ``total_low`` to ``total_high`` (the bootstrap's 5th to 95th
    percentile), the tick label starts with the rank interval (``"2–9. Skat"``,
    or ``"1. Pas"`` when it is one rank), and a dashed line separates the tiers:
    services between two lines are tied within uncertainty and are not
    presented as ordered. Services the deck picked have bold labels; unranked
    services are not drawn. The footnote explains the whiskers and carries the
    illustrative caveat of the ``groups`` criterion.

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
        Tick labels ``"<rank_low>–<rank_high>. <label>"``; one bar container per
        criterion, in the order of the table's weights, labelled with the deck's
        wording; the whiskers and tier lines are line collections.

    Examples
    --------
    >>> from synergi_analysis import load_study, rank_services
    >>> ax = plot_ranking(rank_services(load_study(), weights="users=2"),
    ...                   ax=slide_figure().add_subplot())
    >>> [c.get_label() for c in ax.containers][:2]
    ['Findes flest steder', 'Flest brugere']
    >>> ax.get_yticklabels()[0].get_text()  # its rank is 1 or 2 within uncertainty
    '1–2. Pas'
    """
    import numpy as np

    attrs = _attrs(data, "ranking")
    lang = _lang(data)
    ax = _ax(ax)
    ranked = data[~data["too_little_data"].astype(bool)].reset_index(drop=True)
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
    has_spread = {"total_low", "total_high", "rank_low", "rank_high"} <= set(ranked.columns)
    if has_spread and len(ranked):
        _whiskers(ax, ranked["total_low"].to_numpy(dtype=float),
                  ranked["total_high"].to_numpy(dtype=float), y, horizontal=True, color=INK,
                  cap=0.15)
        labels = [f"{lo}. {lab}" if lo == hi else f"{lo}–{hi}. {lab}" for lo, hi, lab
                  in zip(ranked["rank_low"], ranked["rank_high"], ranked["label"], strict=True)]
        tiers = ranked["tier"].to_numpy() if "tier" in ranked else np.ones(len(ranked))
        bounds = [i + 0.5 for i in range(len(ranked) - 1) if tiers[i] != tiers[i + 1]]
        if bounds:
            ax.hlines(bounds, 0, 1, colors=INK, linestyles="dashed", linewidth=1)
        _footnote(ax, word("ranking_uncertainty.tied", lang, b=attrs.get("n_boot", "")))
    else:
        labels = [f"{r}. {lab}" for r, lab in zip(ranked["rank"], ranked["label"], strict=True)]
    ax.set_yticks(y, labels)
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
    _footnote(ax, attrs=data.attrs)
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
    _footnote(ax, attrs=data.attrs)
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
    _footnote(ax, attrs=data.attrs)
    return ax


