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
    "plot_ranking",
    "plot_criteria_heatmap",
    "plot_rank_stability",
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


# -- ranking: the synergy-potential ranking (synergi_analysis.ranking) ---------------

_RANKING_TEXT = {
    "da": {"title": "Synergipotentiale", "total": "Samlet score (vægtet gennemsnit af kriterierne)",
           "criteria": "Kriterier pr. ydelse", "stability": "Hvor stabil er rangeringen?",
           "share": "Andel af {n}tilfældige vægtninger med plads i top {k}",
           "range": "plads {lo}–{hi}", "one": "plads {lo}",
           "flagged": "Ikke rangeret, for lidt data (under {m} interviews): {names}"},
    "en": {"title": "Synergy potential", "total": "Total score (weighted mean of the criteria)",
           "criteria": "Criteria per service", "stability": "How stable is the ranking?",
           "share": "Share of {n}random weightings that put it in the top {k}",
           "range": "rank {lo}–{hi}", "one": "rank {lo}",
           "flagged": "Not ranked, too little data (under {m} interviews): {names}"},
}


def plot_ranking(data, *, weights=None, lang: str = "da", title: str | None = None,
                 ax: Axes | None = None, **kwargs) -> Axes:
    """Ranked bar chart of the synergy ranking, the criteria as stacked segments.

    Each ranked service gets one horizontal bar, best at the top; its segments
    are ``w_c · score_c / Σ w`` per criterion, so the bar's length is the total.
    Services the deck picked have bold labels. Flagged services are not drawn.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `ranking.rank_services`.
    weights : mapping or str, optional
        The weights the table was ranked with (default equal); checked against
        the table's ``total``.
    lang : {"da", "en"}
        Language of the legend and axis labels (the service labels come from the table).
    title : str, optional
        Replaces the default title.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to `matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        Tick labels ``"<rank>. <label>"``; one bar container per criterion, in
        the order of `ranking.CRITERIA`, labelled with the deck's wording.

    Raises
    ------
    ValueError
        The segments would not add up to the table's totals (other weights).
    """
    import numpy as np

    from synergi_analysis.ranking import CRITERIA, CRITERION_LABELS, parse_weights

    _check_lang(lang)
    ax = _ax(ax)
    ranked = data[~data["too_little_data"].astype(bool)]
    w = parse_weights(weights)
    share = np.array([w[c] for c in CRITERIA]) / sum(w.values())
    parts = ranked[list(CRITERIA)].to_numpy(dtype=float) * share
    if len(ranked) and not np.allclose(parts.sum(axis=1), ranked["total"].to_numpy(float)):
        raise ValueError("weights: the bars would not add up to the table's totals; give the "
                         "weights the table was ranked with")
    y = np.arange(len(ranked))
    left = np.zeros(len(ranked))
    for i, c in enumerate(CRITERIA):
        ax.barh(y, parts[:, i], left=left, color=PALETTE[i], label=CRITERION_LABELS[c][lang],
                height=0.7, **kwargs)
        left += parts[:, i]
    ax.set_yticks(y, [f"{r}. {lab}" for r, lab in zip(ranked["rank"], ranked["label"],
                                                      strict=True)])
    for tick, picked in zip(ax.get_yticklabels(), ranked["deck_pick"], strict=True):
        if picked:
            tick.set_fontweight("bold")
    ax.set_ylim(len(ranked) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(_RANKING_TEXT[lang]["total"])
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(_RANKING_TEXT[lang]["title"] if title is None else title)
    return ax


def plot_criteria_heatmap(data, *, lang: str = "da", title: str | None = None,
                          ax: Axes | None = None, **kwargs) -> Axes:
    """Heatmap of the four criterion scores: services × criteria, each cell in [0, 1].

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `ranking.rank_services` (every service, flagged ones too:
        their blank ``groups`` cell shows what is missing).
    lang : {"da", "en"}
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
    from synergi_analysis.ranking import CRITERIA, CRITERION_LABELS

    _check_lang(lang)
    ax = _ax(ax)
    table = data.set_index("label")[list(CRITERIA)].astype(float)
    table.index.name = None
    table.columns = [CRITERION_LABELS[c][lang] for c in CRITERIA]
    _heatmap(table, ax=ax, totals=False, number_format="{:.2f}", blank_zero=False,
             vmin=0.0, vmax=1.0, **kwargs)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(_RANKING_TEXT[lang]["criteria"] if title is None else title)
    return ax


def plot_rank_stability(data, *, top: int | None = None, lang: str = "da",
                        title: str | None = None, ax: Axes | None = None, **kwargs) -> Axes:
    """How often each service lands in the top k under random weights, with its rank range.

    Parameters
    ----------
    data : pandas.DataFrame
        The table of `ranking.rank_sensitivity`.
    top : int, optional
        The k of the axis label; default: the table's ``attrs["top"]``.
    lang : {"da", "en"}
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

    _check_lang(lang)
    ax = _ax(ax)
    text = _RANKING_TEXT[lang]
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
    k = top if top is not None else data.attrs.get("top", "k")
    n = data.attrs.get("n_draws")
    ax.set_xlabel(text["share"].format(n=f"{n} " if n else "", k=k))
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.set_title(text["stability"] if title is None else title)
    return ax


def _ranking_or_note(study: Study, lang: str, ax: Axes, build):
    """``build(study)``, or None after writing on ``ax`` which table the study lacks.

    A study without the ranking's tables still gets its other figures; a broken
    table is bad input and raises.
    """
    import textwrap

    from synergi_analysis.errors import ValidationError

    try:
        return build(study)
    except ValidationError:
        raise
    except StudyError as exc:
        ax.set_axis_off()
        ax.text(0.5, 0.5, textwrap.fill(str(exc), 70), ha="center", va="center",
                transform=ax.transAxes)
        return None


def _flagged_note(fig: Figure, table, lang: str) -> None:
    import textwrap

    from synergi_analysis.ranking import MIN_INTERVIEWS

    flagged = table.loc[table["too_little_data"].astype(bool), "label"].tolist()
    if flagged:
        note = _RANKING_TEXT[lang]["flagged"].format(m=MIN_INTERVIEWS, names=", ".join(flagged))
        fig.supxlabel(textwrap.fill(note, 160), fontsize=11, ha="left", x=0.01)


@register_figure("ranking")
def _ranking_figure(study: Study, lang: str) -> Figure:
    from synergi_analysis.ranking import rank_services

    fig = slide_figure()
    ax = fig.add_subplot()
    table = _ranking_or_note(study, lang, ax, lambda s: rank_services(s, lang=lang))
    if table is not None:
        plot_ranking(table, lang=lang, ax=ax)
        _flagged_note(fig, table, lang)
    return fig


@register_figure("ranking-criteria")
def _ranking_criteria_figure(study: Study, lang: str) -> Figure:
    from synergi_analysis.ranking import rank_services

    fig = slide_figure()
    ax = fig.add_subplot()
    table = _ranking_or_note(study, lang, ax, lambda s: rank_services(s, lang=lang))
    if table is not None:
        plot_criteria_heatmap(table, lang=lang, ax=ax, annot_kws={"fontsize": 12})
        ax.tick_params(labelsize=12)
    return fig


@register_figure("ranking-stability")
def _ranking_stability_figure(study: Study, lang: str) -> Figure:
    from synergi_analysis.ranking import rank_sensitivity, rank_services

    fig = slide_figure()
    ax = fig.add_subplot()
    table = _ranking_or_note(study, lang, ax, lambda s: rank_sensitivity(s, lang=lang))
    if table is not None:
        plot_rank_stability(table, lang=lang, ax=ax)
        _flagged_note(fig, rank_services(study, lang=lang), lang)
    return fig
