"""The house style: colours, font sizes and slide size of every chart.

Apply it around your own code with ``with house_style(): ...`` or, in a
notebook, once with `set_house_style`; no chart function changes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import matplotlib as mpl
from matplotlib.figure import Figure

if TYPE_CHECKING:  # pragma: no cover
    pass


# Okabe & Ito's palette, which stays distinct under the common colour-vision
# deficiencies; ordered so that the first two (blue, orange) also read in greyscale.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)


NEUTRAL = "#BBBBBB"  # "not coded", totals, the closed half of a share


INK = "#222222"


SLIDE_SIZE = (13.333, 7.5)  # inches: a 16:9 slide (PowerPoint's and Keynote's widescreen)


MIN_DPI = 200


def style_rc(*, scale: float = 1.0) -> dict:
    """The house style as matplotlib rc parameters.

    Font sizes are chosen to stay readable on a projector when a figure fills a
    slide (``SLIDE_SIZE``); ``scale`` multiplies every size.

    Returns
    -------
    dict
        rc parameters, for `matplotlib.rc_context` or ``rcParams.update``.

    Examples
    --------
    >>> style_rc()["axes.spines.top"]
    False
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale!r}")
    size = 16 * scale
    return {
        "font.size": size,
        "axes.titlesize": size * 1.35,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 14 * scale,
        "axes.labelsize": size * 1.1,
        "axes.labelcolor": INK,
        "xtick.labelsize": size,
        "ytick.labelsize": size,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.fontsize": size,
        "legend.title_fontsize": size,
        "legend.frameon": False,
        "figure.titlesize": size * 1.5,
        "figure.titleweight": "bold",
        "text.color": INK,
        # No chart junk: no top/right spines, no background, light grid only where set.
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#666666",
        "axes.linewidth": 1.0,
        "axes.grid": False,
        "grid.color": "#DDDDDD",
        "grid.linewidth": 0.8,
        "axes.facecolor": "white",
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
        "image.cmap": "cividis",
        "xtick.major.size": 0,
        "ytick.major.size": 0,
        "xtick.major.pad": 6 * scale,
        "ytick.major.pad": 6 * scale,
        "figure.constrained_layout.use": True,
        # Text stays text in PDF and is embedded as TrueType, so slides can be edited.
        "pdf.fonttype": 42,
        "savefig.dpi": MIN_DPI,
        # Fixed ids in SVG files, so the same data gives the same bytes (and clean diffs).
        "svg.hashsalt": "synergi-analysis",
    }


@contextlib.contextmanager
def house_style(*, scale: float = 1.0) -> Iterator[None]:
    """Draw in the house style inside a ``with`` block; the previous style returns after.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with house_style():
    ...     mpl.rcParams["font.size"]
    16.0
    >>> mpl.rcParams["font.size"] == before
    True
    """
    with mpl.rc_context(style_rc(scale=scale)):
        yield


def set_house_style(*, scale: float = 1.0) -> None:
    """Apply the house style for the rest of the session (for notebooks).

    This is the one function that changes matplotlib's global state, and only
    when called; ``matplotlib.rcdefaults()`` undoes it.
    """
    mpl.rcParams.update(style_rc(scale=scale))


def slide_figure(**kwargs) -> Figure:
    """A new, empty figure the size of a 16:9 slide.

    The figure is not registered with pyplot, so writing many of them keeps no
    memory and opens no window. ``kwargs`` go to `matplotlib.figure.Figure`.
    """
    kwargs.setdefault("figsize", SLIDE_SIZE)
    kwargs.setdefault("layout", "constrained")
    return Figure(**kwargs)
