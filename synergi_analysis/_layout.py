"""Text that collides in a drawn chart: find it, and fix what can be fixed by rewrapping.

`overlaps` lists every pair of texts of a figure whose boxes overlap (rotated
text as the rotated box it is), every text that touches a legend it is not
part of, and, for a figure saved at its own size, text outside the figure.
`tidy` wraps column labels that run into each other and moves a legend off
the text beside it; what it cannot fix, `overlaps` still reports.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap

import numpy as np
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.ticker import Formatter

__all__ = ["overlaps", "tidy", "localise"]

GAP = 2.0  # pixels a text must keep from a legend's box


def _renderer(fig):
    if fig.canvas is None or not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def _hidden_ticks(fig) -> set[int]:
    """Tick labels matplotlib does not draw (their tick is outside the view)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = (high - low) * 1e-9 + 1e-12
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not low - span <= tick.get_loc() <= high + span:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return hidden


def _texts(fig) -> list[Text]:
    hidden = _hidden_ticks(fig)
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden
            and (t.axes is None or t.axes.get_visible())]


def _box(text: Text, renderer) -> np.ndarray:
    """The four corners of a text's box in pixels, rotated as the text is."""
    box = text.get_window_extent(renderer)
    angle = text.get_rotation() % 180
    if angle == 0:
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    rotation = text.get_rotation()
    text.set_rotation(0)
    flat = text.get_window_extent(renderer)
    text.set_rotation(rotation)
    a = math.radians(rotation)
    u = np.array([math.cos(a), math.sin(a)]) * flat.width / 2
    v = np.array([-math.sin(a), math.cos(a)]) * flat.height / 2
    c = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    return np.array([c - u - v, c + u - v, c + u + v, c - u + v])


def _apart(p: np.ndarray, q: np.ndarray, gap: float) -> bool:
    """Separating-axis test: True when the boxes are at least ``gap`` apart on some axis."""
    for poly in (p, q):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            normal = np.array([-edge[1], edge[0]])
            length = math.hypot(*normal)
            if length == 0:
                continue
            a, b = p @ normal / length, q @ normal / length
            if a.max() + gap <= b.min() or b.max() + gap <= a.min():
                return True
    return False


def overlaps(fig, *, outside: bool = False, redraw: bool = True) -> list[tuple[str, str]]:
    """Pairs of texts that overlap, texts that touch a legend, and (``outside``) clipped text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    outside : bool
        Also report text outside the figure (for a figure saved at its own
        size; a chart saved with a tight box grows to hold its text).
    redraw : bool
        Lay the figure out first; False when it was just drawn (by `tidy`).

    Returns
    -------
    list of (str, str)
        ``(text, text)`` for two overlapping texts, ``("legend", text)`` for
        text that touches a legend, ``("outside", text)`` for clipped text.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2))
    >>> ax = fig.add_subplot()
    >>> _ = ax.text(0.5, 0.5, "overlap"), ax.text(0.52, 0.5, "here")
    >>> overlaps(fig)
    [('overlap', 'here')]
    """
    renderer = _renderer(fig) if redraw else fig.canvas.get_renderer()
    texts = _texts(fig)
    boxes = [_box(t, renderer) for t in texts]
    found: list[tuple[str, str]] = []
    if boxes:
        lo = np.array([b.min(axis=0) for b in boxes])
        hi = np.array([b.max(axis=0) for b in boxes])
        for i, j in itertools.combinations(range(len(boxes)), 2):
            if (lo[i] < hi[j]).all() and (lo[j] < hi[i]).all() and \
                    not _apart(boxes[i], boxes[j], 0.0):
                found.append((texts[i].get_text(), texts[j].get_text()))
    legends = [leg for leg in fig.findobj(Legend) if leg.get_visible()]
    for legend in legends:
        frame = legend.get_window_extent(renderer)
        corners = np.array([[frame.x0, frame.y0], [frame.x1, frame.y0],
                            [frame.x1, frame.y1], [frame.x0, frame.y1]])
        own = {id(t) for t in legend.findobj(Text)}
        for text, box in zip(texts, boxes, strict=True):
            if id(text) not in own and not _apart(corners, box, GAP):
                found.append(("legend", text.get_text()))
    if outside:
        width, height = fig.bbox.width, fig.bbox.height
        for text, box in zip(texts, boxes, strict=True):
            if box[:, 0].min() < -0.5 or box[:, 1].min() < -0.5 or \
                    box[:, 0].max() > width + 0.5 or box[:, 1].max() > height + 0.5:
                found.append(("outside", text.get_text()))
    return found


def _crowded(labels, renderer) -> bool:
    boxes = [_box(t, renderer) for t in labels]
    return any(not _apart(a, b, 6.0) for a, b in zip(boxes, boxes[1:], strict=False))


def tidy(fig) -> bool:
    """Wrap column labels that run into each other; move a legend off the text beside it.

    Returns whether anything moved; the figure is laid out either way.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2))
    >>> ax = fig.add_subplot(xlim=(-0.5, 1.5))
    >>> _ = ax.set_xticks([0, 1], ["Afgrænsede brugergrupper", "Koblinger til biblioteket"])
    >>> overlaps(fig)
    [('Afgrænsede brugergrupper', 'Koblinger til biblioteket')]
    >>> tidy(fig), overlaps(fig), ax.get_xticklabels()[0].get_text().splitlines()
    (True, [], ['Afgrænsede', 'brugergrupper'])
    """
    renderer = _renderer(fig)
    changed = False
    for ax in fig.axes:
        hidden = _hidden_ticks(fig)
        labels = [t for t in ax.get_xticklabels() if t.get_text() and id(t) not in hidden]
        if len(labels) < 2 or not _crowded(labels, renderer):
            continue
        changed = True
        # Tick labels are written anew from the formatter at every draw: give the
        # axis the wrapped texts as its labels.
        locs = list(ax.xaxis.get_majorticklocs())
        shown = {round(tick.get_loc(), 9): (tick.label2 if tick.label2.get_visible()
                                            else tick.label1).get_text()
                 for tick in ax.xaxis.get_major_ticks()}
        original = [shown.get(round(loc, 9), "").replace("\n", " ") for loc in locs]
        longest_word = max((len(w) for text in original for w in text.split()), default=0)
        for width in range(max(map(len, original), default=0) - 1, longest_word - 1, -1):
            ax.set_xticks(locs, [textwrap.fill(t, width, break_long_words=False)
                                 for t in original])
            renderer = _renderer(fig)
            labels = [t for t in ax.get_xticklabels() if t.get_text()
                      and id(t) not in _hidden_ticks(fig)]
            if not _crowded(labels, renderer):
                break
        else:
            for t in labels:
                t.set_rotation(30)
                t.set_horizontalalignment("left" if ax.xaxis.get_ticks_position() == "top"
                                          else "right")
                t.set_rotation_mode("anchor")
            renderer = _renderer(fig)
    return _move_legends(fig, renderer) or changed


def _move_legends(fig, renderer) -> bool:
    """Shift each legend right of the text it touches; the layout reflows, so look again."""
    moved = False
    for _ in range(4):
        texts = _texts(fig)
        shifted = False
        for legend in [leg for leg in fig.findobj(Legend) if leg.axes is not None]:
            ax = legend.axes
            frame = legend.get_window_extent(renderer)
            corners = np.array([[frame.x0, frame.y0], [frame.x1, frame.y0],
                                [frame.x1, frame.y1], [frame.x0, frame.y1]])
            own = {id(t) for t in legend.findobj(Text)}
            hits = [box for box in (_box(t, renderer) for t in texts if id(t) not in own)
                    if not _apart(corners, box, GAP)]
            if not hits:
                continue
            right = max(b[:, 0].max() for b in hits)
            shift = right + 2 * GAP - frame.x0
            if shift <= 0 or right > frame.x1:
                continue  # the text is not to the legend's left: nothing safe to do
            anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
            legend.set_bbox_to_anchor((anchor.x0 + shift / ax.bbox.width, anchor.y0,
                                       anchor.width, anchor.height), transform=ax.transAxes)
            shifted = moved = True
        if not shifted:
            break
        renderer = _renderer(fig)
    return moved


def _localised(text: str, lang: str) -> str:
    """Numbers in a chart's text as ``lang`` writes them (``0,85``, ``37 %``; ``37%``)."""
    if lang == "da":
        text = re.sub(r"(?<=\d)\.(?=\d)", ",", text)
        return re.sub(r"(?<=\d)%", " %", text)
    return re.sub(r"(?<=\d) %", "%", text)


class _LocalisedFormatter(Formatter):
    """A tick formatter whose numbers are written as the report's language writes them."""

    def __init__(self, inner: Formatter, lang: str):
        self.inner, self.lang = inner, lang

    def set_axis(self, axis):
        self.inner.set_axis(axis)

    def set_locs(self, locs):
        self.inner.set_locs(locs)

    def format_ticks(self, values):
        return [_localised(str(t), self.lang) for t in self.inner.format_ticks(values)]

    def __call__(self, x, pos=None):
        return _localised(str(self.inner(x, pos)), self.lang)

    def get_offset(self):
        return _localised(self.inner.get_offset(), self.lang)


def localise(fig, lang: str) -> None:
    """Write every number of a drawn chart as ``lang`` does: ``0,85`` and ``37 %`` in Danish.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> ax = fig.add_subplot()
    >>> _ = ax.text(0, 0, "37% of 0.85"), ax.set_xlim(0, 0.5)
    >>> localise(fig, "da")
    >>> ax.texts[0].get_text(), _renderer(fig) and ax.get_xticklabels()[1].get_text()
    ('37 % of 0,85', '0,1')
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if not isinstance(formatter, _LocalisedFormatter):
                axis.set_major_formatter(_LocalisedFormatter(formatter, lang))
    for text in fig.findobj(Text):
        if text.get_text():
            text.set_text(_localised(text.get_text(), lang))
