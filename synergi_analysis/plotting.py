"""Charts: one function per figure of the deck, a house style, and slide figures.

Plot functions draw a table that an analysis function of `synergi_analysis.patterns`
made; they take an optional ``ax``, return the Axes (or the Figure, for the
multi-panel ``..._figure`` functions) and change no global state. The look of
the charts is the house style: apply it around your own code with
``with house_style(): ...`` or, in a notebook, once with `set_house_style`.

`FIGURES` maps a chart name to a function ``(study, lang) -> Figure`` that draws
a whole 16:9 slide; `save_figures` (and ``synergi figures``) writes them all.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
from matplotlib.figure import Figure

from synergi_analysis.codebook import _check_lang
from synergi_analysis.errors import StudyError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from synergi_analysis.load import Study

__all__ = [
    "PALETTE",
    "SLIDE_SIZE",
    "FIGURES",
    "house_style",
    "set_house_style",
    "style_rc",
    "slide_figure",
    "register_figure",
    "save_figures",
    "plot_service_by_age",
]

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
FORMATS = ("png", "svg", "pdf")


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


# -- slide figures -----------------------------------------------------------------

FigureFunction = Callable[["Study", str], Figure]

#: Chart name (the file name without suffix) -> function (study, lang) drawing a 16:9 figure.
FIGURES: dict[str, FigureFunction] = {}


def register_figure(name: str) -> Callable[[FigureFunction], FigureFunction]:
    """Register ``draw(study, lang) -> Figure`` as the slide figure ``name``.

    ``name`` becomes the file name (``name.png``): lowercase words joined by ``-``.
    """
    if not name or name != name.strip().lower() or any(c in name for c in "/\\. "):
        raise ValueError(f"figure name must be lowercase words joined by '-', not {name!r}")

    def register(draw: FigureFunction) -> FigureFunction:
        FIGURES[name] = draw
        return draw

    return register


def _write_atomically(fig: Figure, target: Path, *, fmt: str, dpi: int) -> None:
    """Save ``fig`` to ``target`` so a reader never sees a half-written file.

    The figure goes to a temporary file in the same folder, which then replaces
    the target in one step; if drawing or writing fails, the old file stays.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    # No creation dates in the files: the same data gives the same bytes (SVG, PDF).
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    try:
        with open(tmp, "wb") as fh:
            fig.savefig(fh, format=fmt, dpi=dpi, metadata=metadata)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save_figures(
    study: Study,
    out: str | Path,
    *,
    fmt: str = "png",
    lang: str = "da",
    dpi: int = MIN_DPI,
    names: list[str] | None = None,
) -> list[Path]:
    """Write every slide figure of `FIGURES` as its own file, sized for a 16:9 slide.

    Parameters
    ----------
    study : Study
        The study to draw.
    out : str or pathlib.Path
        The folder to write to; created when missing. Files are named after
        the chart (``service-by-age.png``, ...) and replaced when present.
    fmt : {"png", "svg", "pdf"}
        File format.
    lang : {"da", "en"}
        Label language.
    dpi : int
        Resolution of PNG files (at least 200); also used for any raster part
        of SVG and PDF files.
    names : list of str, optional
        Only these charts (default: all, in registration order).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``names``.

    Raises
    ------
    StudyError
        ``out`` exists and is not a folder, or cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    _check_lang(lang)
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi < MIN_DPI:
        raise ValueError(f"dpi must be a whole number of at least {MIN_DPI}, not {dpi!r}")
    if names is None:
        names = list(FIGURES)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"names: unknown figure {unknown[0]!r}; known: {', '.join(FIGURES)}")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StudyError(f"{out}: exists and is not a folder") from None
    except OSError as exc:
        raise StudyError(f"{out}: cannot create the folder ({exc.strerror})") from None
    written = []
    for name in names:
        target = out / f"{name}.{fmt}"
        with house_style():
            fig = FIGURES[name](study, lang)
            try:
                _write_atomically(fig, target, fmt=fmt, dpi=dpi)
            except PermissionError as exc:
                raise StudyError(f"{target}: cannot write ({exc.strerror})") from None
        written.append(target)
    return written


# -- helpers for drawing -------------------------------------------------------------


def _ax(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _dimension_label(codebook, name, lang: str) -> str | None:
    if codebook is None or name is None or name not in codebook:
        return None
    return codebook.dimension_label(name, lang=lang)


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
    if vmin is None:
        vmin = 0.0 if center is None else None
    if vmax is None and center is None:
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
    sns.heatmap(table, mask=margin | empty, cmap=cmap, vmin=vmin, vmax=vmax, center=center, **style)
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


def plot_service_by_age(data, *, codebook=None, lang: str = "da", title: str | None = None,
                        ax: Axes | None = None, **kwargs) -> Axes:
    """Heatmap of the data-basis table (services × age bands) with its totals.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `patterns.service_by_age` (with its total row and column).
    codebook : Codebook, optional
        Names the axes and the title in ``lang``; without it the table's own
        index and column names are used.
    lang : {"da", "en"}
    title : str, optional
        Replaces the default title (``Ydelse × Alder``).
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes
        Empty cells are zero; the totals are drawn in grey, in bold.
    """
    _check_lang(lang)
    ax = _ax(ax)
    _heatmap(data, ax=ax, totals=True, blank_zero=True, **kwargs)
    ax.set_ylabel("")
    ax.set_xlabel(_dimension_label(codebook, data.columns.name, lang) or data.columns.name or "")
    ax.set_title(title if title is not None else _pair_title(data, codebook, lang))
    return ax


def _pair_title(table, codebook, lang: str) -> str:
    rows = _dimension_label(codebook, table.index.name, lang) or table.index.name or ""
    cols = _dimension_label(codebook, table.columns.name, lang) or table.columns.name or ""
    return f"{rows} × {cols}".strip(" ×")


# -- the deck's figures as slides ----------------------------------------------------

_INTERVIEWS = {"da": "interviews", "en": "interviews"}


@register_figure("service-by-age")
def _service_by_age_slide(study: Study, lang: str) -> Figure:
    from synergi_analysis.patterns import service_by_age

    table = service_by_age(study.interviews, codebook=study.codebook, lang=lang)
    fig = slide_figure()
    ax = fig.add_subplot()
    n = len(study.interviews)
    title = f"{_pair_title(table, study.codebook, lang)} ({n} {_INTERVIEWS[lang]})"
    plot_service_by_age(table, codebook=study.codebook, lang=lang, title=title, ax=ax,
                        annot_kws={"fontsize": 13})
    ax.tick_params(labelsize=13)
    return fig
