"""Emphasis on one group in a drawn chart: the report's own site or service.

`highlight` works on the artists a plot function drew, whatever the chart:
a line whose label is the group stays strong and the others fade; in bars and
heatmaps the group's row or column (found by its tick label) stays and the
rest fades, a heatmap's band is framed, and the tick label is set in bold.
Plot functions stay free of report concerns (`synergi_analysis.plotting`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, QuadMesh
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from synergi_analysis.style import INK

__all__ = ["highlight", "FADE"]

FADE = 0.3  # opacity of what is not the group


def _same(text: str, label: str) -> bool:
    # Ranked charts prefix their labels: "1. Pas".
    return text == label or text.endswith(f". {label}")


def highlight(fig, label: str) -> bool:
    """Emphasise the group ``label`` in every Axes of ``fig``; True when it was found.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> ax = fig.add_subplot()
    >>> _ = ax.plot([0, 1], label="Næstved"), ax.plot([1, 0], label="Glumsø")
    >>> highlight(fig, "Næstved"), ax.lines[1].get_alpha()
    (True, 0.3)
    """
    found = False
    for ax in fig.axes:
        found |= _lines(ax, label) or _band(ax, label)
    return found


def _lines(ax, label: str) -> bool:
    targets = [line for line in ax.get_lines() if line.get_label() == label]
    if not targets:
        return False
    keep = {to_hex(line.get_color()) for line in targets}
    for line in ax.get_lines():
        if to_hex(line.get_color()) in keep:
            line.set_zorder(line.get_zorder() + 2)
            if line in targets:
                line.set_linewidth(line.get_linewidth() * 1.3)
        else:
            line.set_alpha(FADE)
            line.set_linewidth(line.get_linewidth() * 0.7)
    for collection in ax.collections:  # error bars, bands
        colours = collection.get_edgecolor()
        if len(colours) and to_hex(colours[0]) not in keep:
            collection.set_alpha(FADE)
    legend = ax.get_legend()
    if legend is not None:
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
            if text.get_text() == label:
                text.set_fontweight("bold")
            elif handle is not None:
                handle.set_alpha(FADE)
    return True


def _visible_ticks(axis):
    low, high = sorted(axis.get_view_interval())
    for tick in axis.get_major_ticks():
        loc = tick.get_loc()
        if not low - 1e-9 <= loc <= high + 1e-9:
            continue
        for label in (tick.label1, tick.label2):  # label2: ticks on top or right
            if label.get_visible():
                yield loc, label


def _light(text) -> bool:
    """Is the text light (white on a dark bar or cell)?"""
    return sum(to_rgba(text.get_color())[:3]) > 2.4


def _band(ax, label: str) -> bool:
    for name in ("y", "x"):
        axis = getattr(ax, f"{name}axis")
        ticks = list(_visible_ticks(axis))
        hit = [(loc, text) for loc, text in ticks if _same(text.get_text(), label)]
        if hit:
            break
    else:
        return False
    loc, text = hit[0]
    locs = sorted(t for t, _ in ticks)
    half = float(np.min(np.diff(locs))) / 2 if len(locs) > 1 else 0.5
    low, high = loc - half, loc + half
    text.set_fontweight("bold")
    text.set_color(INK)

    def inside(value: float) -> bool:
        return low <= value <= high

    vertical = name == "y"
    if any(isinstance(c, QuadMesh) for c in ax.collections):
        _frame(ax, low, high, vertical=vertical)
        for t in ax.texts:
            x, y = t.get_position()
            # A number seaborn wrote light on a dark cell now sits on a faded one.
            if t.get_transform() == ax.transData and not inside(y if vertical else x) \
                    and _light(t):
                t.set_color(INK)
        return True
    for patch in ax.patches:
        if not isinstance(patch, Rectangle):
            continue
        centre = patch.get_y() + patch.get_height() / 2 if vertical else \
            patch.get_x() + patch.get_width() / 2
        if not inside(centre):
            patch.set_alpha(FADE)
    for t in ax.texts:
        x, y = t.get_position()
        transform = t.get_transform()
        data_axis = transform in (ax.transData, ax.get_yaxis_transform() if vertical
                                  else ax.get_xaxis_transform())
        if data_axis and not inside(y if vertical else x):
            # Light text on a faded bar would vanish: dark text, a little faded.
            if _light(t):
                t.set_color(INK)
            t.set_alpha(0.7)
    for collection in ax.collections:
        if isinstance(collection, LineCollection):
            segments = collection.get_segments()
            colours = np.array([to_rgba(c) for c in collection.get_colors()] or
                               [to_rgba(INK)])
            colours = np.resize(colours, (len(segments), 4))
            for i, seg in enumerate(segments):
                centre = float(np.mean(seg[:, 1 if vertical else 0]))
                if not inside(centre):
                    colours[i, 3] *= FADE
            collection.set_colors(colours)
    for line in ax.get_lines():
        data = line.get_ydata() if vertical else line.get_xdata()
        if isinstance(line, Line2D) and len(data) and not any(
                inside(float(v)) for v in np.atleast_1d(data)):
            line.set_alpha(FADE)
    return True


def _frame(ax, low: float, high: float, *, vertical: bool) -> None:
    """Fade a heatmap outside the band [low, high] and frame the band."""
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    if vertical:
        spans = [((x0, y0), x1 - x0, low - y0), ((x0, high), x1 - x0, y1 - high)]
        band = ((x0, low), x1 - x0, high - low)
    else:
        spans = [((x0, y0), low - x0, y1 - y0), ((high, y0), x1 - high, y1 - y0)]
        band = ((low, y0), high - low, y1 - y0)
    for corner, width, height in spans:
        if width > 0 and height > 0:
            # Above the cells, below their numbers: the numbers stay readable.
            ax.add_patch(Rectangle(corner, width, height, facecolor="white", alpha=0.55,
                                   edgecolor="none", zorder=2))
    ax.add_patch(Rectangle(band[0], band[1], band[2], fill=False, edgecolor=INK,
                           linewidth=2.0, zorder=4, clip_on=False))
