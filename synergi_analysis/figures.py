"""The deck's charts as 16:9 slide files: one recipe per figure, and the writer.

`FIGURES` maps a chart name to a function ``(study, lang) -> Figure`` that
computes its table (`synergi_analysis.patterns`, `synergi_analysis.ranking`) and
draws it (`synergi_analysis.plotting`) on a whole slide; `save_figures` (and
``synergi figures``) writes them all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from synergi_analysis._draw import _footnote
from synergi_analysis._io import make_folder, write_atomic
from synergi_analysis._layout import localise
from synergi_analysis.codebook import _check_lang
from synergi_analysis.errors import OutputError, StudyError, ValidationError
from synergi_analysis.patterns import (
    attitudes,
    competence,
    cooccurrence,
    journey,
    life_situations,
    service_by_age,
)
from synergi_analysis.plotting import (
    _pair_title,
    plot_attitudes_figure,
    plot_competence,
    plot_cooccurrence,
    plot_criteria_heatmap,
    plot_journey,
    plot_life_situations,
    plot_rank_stability,
    plot_ranking,
    plot_service_by_age,
)
from synergi_analysis.ranking import MIN_INTERVIEWS, rank_sensitivity, rank_services
from synergi_analysis.study import Study
from synergi_analysis.style import MIN_DPI, house_style, slide_figure
from synergi_analysis.words import word

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "FIGURES",
    "FORMATS",
    "register_figure",
    "save_figures",
]




FORMATS = ("png", "svg", "pdf")


FigureFunction = Callable[["Study", str], Figure]


#: Chart name (the file name without suffix) -> function (study, lang) drawing a 16:9 figure.
FIGURES: dict[str, FigureFunction] = {}


def register_figure(name: str) -> Callable[[FigureFunction], FigureFunction]:
    """Register ``draw(study, lang) -> Figure`` as the slide figure ``name``.

    ``name`` becomes the file name (``name.png``): lowercase words joined by ``-``.
    `FIGURES` holds the drawing with every number written as ``lang`` writes it
    (``0,2`` and ``37 %`` in Danish).
    """
    if not name or name != name.strip().lower() or any(c in name for c in "/\\. "):
        raise ValueError(f"figure name must be lowercase words joined by '-', not {name!r}")

    def register(draw: FigureFunction) -> FigureFunction:
        @functools.wraps(draw)
        def localised(study: Study, lang: str) -> Figure:
            fig = draw(study, lang)
            localise(fig, lang)  # "0,2" and "37 %" on a Danish slide
            return fig

        FIGURES[name] = localised
        return draw

    return register


def _write_figure(fig: Figure, target: Path, *, fmt: str, dpi: int) -> None:
    """Save ``fig`` to ``target`` atomically: if drawing or writing fails, the old file stays."""
    # No creation dates in the files: with the house style's fixed SVG ids, the same
    # data gives the same bytes in every format.
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    write_atomic(target, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi, metadata=metadata))


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
        ``out`` exists and is not a folder.
    OutputError
        A file or the folder cannot be written (read-only, full, a folder in a
        file's place). Every other figure is still written first; a file that
        failed keeps its last good version.
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
    out = make_folder(out)
    written = []
    failed: list[tuple[Path, OutputError]] = []
    for name in names:
        target = out / f"{name}.{fmt}"
        with house_style():
            fig = FIGURES[name](study, lang)
            try:
                _write_figure(fig, target, fmt=fmt, dpi=dpi)
            except OutputError as exc:
                # The others may still fit (a folder in one file's place): write them.
                failed.append((target, exc))
                continue
        written.append(target)
    if failed:
        first = failed[0][1]
        more = f" (and {len(failed) - 1} more of {len(names)} figures)" if len(failed) > 1 else ""
        raise OutputError(f"{first}{more}; {len(written)} written")
    return written




@register_figure("service-by-age")
def _service_by_age_slide(study: Study, lang: str) -> Figure:
    table = service_by_age(study, lang=lang)
    fig = slide_figure()
    ax = fig.add_subplot()
    n = len(study.interviews)
    title = f"{_pair_title(table)} ({n} {word('table.interviews', lang)})"
    plot_service_by_age(table, title=title, ax=ax, annot_kws={"fontsize": 13})
    ax.tick_params(labelsize=13)
    return fig


@register_figure("attitudes")
def _attitudes_slide(study: Study, lang: str) -> Figure:
    table = attitudes(study, by="site", lang=lang)
    title = _pair_title_of(study.codebook, "attitude", "site", lang)
    return plot_attitudes_figure(table, title=title)


@register_figure("journey")
def _journey_slide(study: Study, lang: str) -> Figure:
    table = journey(study, lang=lang)
    fig = slide_figure()
    ax = fig.add_subplot()
    plot_journey(table, ax=ax)
    return fig


@register_figure("competence")
def _competence_slide(study: Study, lang: str) -> Figure:
    fig = slide_figure()
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    for ax, by in ((left, "service"), (right, "age_band")):
        table = competence(study, by=by, lang=lang)
        plot_competence(table, ax=ax, title=study.codebook.dimension_label(by, lang=lang))
        ax.tick_params(axis="y", labelsize=13)
    right.get_legend().remove()
    fig.suptitle(study.codebook.dimension_label("competence", lang=lang), x=0.01, ha="left")
    return fig


@register_figure("life-situations")
def _life_situations_slide(study: Study, lang: str) -> Figure:
    table = life_situations(study, lang=lang)
    fig = slide_figure()
    ax = fig.add_subplot()
    # Services as rows: their labels are long, the life situations' short enough to stand.
    plot_life_situations(table.T, ax=ax, annot_kws={"fontsize": 12})
    ax.tick_params(labelsize=12)
    return fig


@register_figure("cooccurrence")
def _cooccurrence_slide(study: Study, lang: str) -> Figure:
    table = cooccurrence(study, rows="attitude", columns="life_situation", lang=lang)
    fig = slide_figure()
    ax = fig.add_subplot()
    plot_cooccurrence(table, ax=ax)
    return fig


def _pair_title_of(codebook, rows: str, columns: str, lang: str) -> str:
    return (f"{codebook.dimension_label(rows, lang=lang)} × "
            f"{codebook.dimension_label(columns, lang=lang)}")


def _ranking_or_note(study: Study, lang: str, ax: Axes, build):
    """``build(study)``, or None after writing on ``ax`` which table the study lacks.

    A study without the ranking's tables still gets its other figures; a broken
    table is bad input and raises.
    """
    import textwrap

    try:
        return build(study)
    except ValidationError:
        raise
    except StudyError as exc:
        ax.set_axis_off()
        ax.text(0.5, 0.5, textwrap.fill(str(exc), 70), ha="center", va="center",
                transform=ax.transAxes)
        return None


def _flagged_note(ax: Axes, table, lang: str) -> None:
    """Name the services the ranking could not rank, in the figure's footnote."""
    flagged = table.loc[table["too_little_data"].astype(bool), "label"].tolist()
    if flagged:
        m = table.attrs.get("min_interviews", MIN_INTERVIEWS)
        key = "unranked" if m <= 1 else "flagged"
        _footnote(ax, word(f"ranking_uncertainty.{key}", lang, m=m, names=", ".join(flagged)))


@register_figure("ranking")
def _ranking_figure(study: Study, lang: str) -> Figure:
    fig = slide_figure()
    ax = fig.add_subplot()
    table = _ranking_or_note(study, lang, ax, lambda s: rank_services(s, lang=lang))
    if table is not None:
        plot_ranking(table, ax=ax)
        _flagged_note(ax, table, lang)
    return fig


@register_figure("ranking-criteria")
def _ranking_criteria_figure(study: Study, lang: str) -> Figure:
    fig = slide_figure()
    ax = fig.add_subplot()
    table = _ranking_or_note(study, lang, ax, lambda s: rank_services(s, lang=lang))
    if table is not None:
        plot_criteria_heatmap(table, ax=ax, annot_kws={"fontsize": 12})
        ax.tick_params(labelsize=12)
    return fig


@register_figure("ranking-stability")
def _ranking_stability_figure(study: Study, lang: str) -> Figure:
    fig = slide_figure()
    ax = fig.add_subplot()
    table = _ranking_or_note(study, lang, ax, lambda s: rank_sensitivity(s, lang=lang))
    if table is not None:
        plot_rank_stability(table, ax=ax)
        _flagged_note(ax, rank_services(study, lang=lang, n_boot=1), lang)
    return fig
