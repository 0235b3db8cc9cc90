"""A chart drawn for a report: laid out and rendered once, its text checked, saved as PNG.

`synergi_analysis.display.show_chart` calls `render`. The figure is drawn at
its own size with constrained layout, which makes room for every label, legend
and footnote; the one draw that writes the PNG also lays the figure out, and the
overlap check (`synergi_analysis._layout.overlaps`) reads the positions that
draw left, so a chart whose text is clear costs one draw. Only a chart whose
text collides is rewrapped (`_layout.tidy`) and drawn again, and only text
still outside the figure makes it saved with a tight box around everything.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from synergi_analysis.words import word

__all__ = ["REPORT_SCALE", "REPORT_DPI", "Rendered", "render", "empty_reason"]

REPORT_SCALE = 0.7  # font scale of charts in a report (1 is a slide's)
REPORT_DPI = 100


@dataclass
class Rendered:
    """A drawn chart: its PNG and pixel size, title, the notes it drew, what collides."""

    png: bytes
    size: tuple[int, int]
    title: str
    drawn: str  # the figure's footnote, in one line
    highlighted: bool
    problems: list[tuple[str, str]] = field(default_factory=list)


def _png(fig, *, tight: bool = False) -> bytes:
    buffer = io.BytesIO()
    if tight:
        fig.savefig(buffer, format="png", dpi=REPORT_DPI, bbox_inches="tight",
                    pad_inches=0.1, metadata={"Software": None})
        return buffer.getvalue()
    import matplotlib.image

    # savefig lays a constrained figure out in a draw of its own before the draw that
    # paints it; one draw does both (the same bytes, a fifth less time a chart).
    fig.canvas.draw()
    matplotlib.image.imsave(buffer, fig.canvas.buffer_rgba(), format="png", origin="upper",
                            dpi=fig.dpi, metadata={"Software": None})
    return buffer.getvalue()


def _title_of(fig) -> str:
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            if ax.get_title(loc=loc):
                return ax.get_title(loc=loc)
    return ""


def render(plot, data, *, size: tuple[float, float], label: str | None, lang: str,
           **kwargs) -> Rendered:
    """Draw ``data`` with ``plot`` at report size, emphasise ``label``, localise, save.

    ``plot_..._figure`` functions get the figure (``fig=``), the others an Axes
    (``ax=``). Returns the PNG and the text problems left after tidying
    (overlaps only: text outside the figure is kept by a tight box).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from synergi_analysis._emphasis import highlight
    from synergi_analysis._layout import localise, overlaps, tidy
    from synergi_analysis.style import house_style

    with house_style(scale=REPORT_SCALE):
        fig = Figure(figsize=size, dpi=REPORT_DPI, layout="constrained")
        if plot.__name__.endswith("_figure"):
            plot(data, fig=fig, **kwargs)
        else:
            plot(data, ax=fig.add_subplot(), **kwargs)
        # A drawing canvas only now: a plot that draws the figure to look at it (seaborn's
        # heatmap does) would otherwise lay it out and render it once more.
        FigureCanvasAgg(fig)
        found = label is not None and highlight(fig, label)
        localise(fig, lang)
        png = _png(fig)  # the one draw: the layout, and the pixels
        problems = overlaps(fig, outside=True, redraw=False)
        if problems:  # rewrap and move what collides, then look again
            tidy(fig)
            problems = overlaps(fig, outside=True, redraw=False)
            png = _png(fig, tight=any(kind == "outside" for kind, _ in problems))
            problems = [pair for pair in problems if pair[0] != "outside"]
        footnote = fig._supxlabel.get_text() if getattr(fig, "_supxlabel", None) else ""
        title = _title_of(fig)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return Rendered(png, (width, height), title, " ".join(footnote.split()), bool(found),
                    problems)


def empty_reason(data, lang: str) -> str | None:
    """Why a table would draw an empty chart, or None when it would not."""
    import pandas as pd

    attrs = data.attrs
    kind = attrs.get("kind")
    everyone = word("value.all", lang).lower()
    if len(data) == 0:
        return word("report.empty_chart", lang, who=everyone)
    if kind in ("crosstab", "cooccurrence"):
        inner = data.iloc[:-1, :-1] if attrs.get("margins") else data
        values = inner.to_numpy(dtype=float)
        if not (values[~pd.isna(values)] != 0).any():
            return word("report.empty_chart", lang, who=everyone)
    if kind == "attitudes" and int(data["count"].sum()) == 0:
        return word("report.empty_chart", lang, who=everyone)
    if kind == "journey" and int((data["open"] + data["closed"]).sum()) == 0:
        return word("report.no_journey", lang, who=everyone)
    return None
