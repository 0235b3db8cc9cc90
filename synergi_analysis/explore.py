"""Exploring codings: any two dimensions, filters and a measure, the quotes behind a cell.

What MAXQDA's Code Matrix Browser, NVivo's Matrix Coding query and ATLAS.ti's
Code-Document table offer, on the analyses the reports use. `Explorer` holds
the state of one view as a plain object that works without a screen (tests
and scripts set its ``rows``, ``columns``, ``measure`` and ``filters`` and read
its ``table``); `Explorer.widget` binds ipywidgets controls to it for
JupyterLab (``notebooks/explore.ipynb``).

The tables come from the public analyses (`patterns.crosstab`,
`patterns.cooccurrence`) of the filtered study (`Study.subset`, the rules of
``quotes(where=...)``); the quotes from `quotations.quotes`, so an anonymised
study shows exactly what its reports show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from synergi_analysis._codings import (
    _closest,
    _coded,
    _fresh,
    _values,
    _wanted,
    caveat,
    coded_names,
    dimension_name,
    matching,
)
from synergi_analysis._io import make_folder, to_csv_bytes, write_atomic_many
from synergi_analysis.patterns import MIN_CELL, cooccurrence, crosstab
from synergi_analysis.quotations import quotes
from synergi_analysis.study import Study
from synergi_analysis.words import LANGS, _check_lang, word, words

__all__ = ["Explorer", "MEASURES", "format_table"]

#: What a cell of the table holds: interviews; their share of the row's or of the
#: column's interviews; lift (how much more often the two codes meet than by chance).
MEASURES = ("count", "share_row", "share_column", "lift")

_JOURNEY = "journey:"


class Explorer:
    """One view of a study's codings: two dimensions, filters, a measure.

    Parameters
    ----------
    study : Study
        The study to explore; pass ``load_study(..., anonymise=True)`` (or
        `Study.anonymised`) to see only what an anonymised report shows.
    lang : {"da", "en"}
        The language of labels, captions and the widget.
    rows, columns : str, optional
        The first view's dimensions (default: service × age band, where the
        codebook has them, else its first two dimensions).
    measure : {"count", "share_row", "share_column", "lift"}
    filters : mapping, optional
        As the `filters` attribute.

    Attributes
    ----------
    rows, columns : str
        Dimension names (``"service"``, ``"life_situation"``) or journey stages
        (``"ventetid"``); a dimension's label (Danish or English) is accepted too.
    measure : str
        ``"count"``: interviews with both codes, with the totals;
        ``"share_row"``/``"share_column"``: that count over the interviews of
        the row (column) that are coded on both dimensions, so a row of a
        single-valued column dimension adds up to 1;
        ``"lift"``: `patterns.cooccurrence`'s lift, with the number of
        interviews behind each cell in ``table.attrs["counts"]``.
    filters : dict of str to list of str
        Dimension -> values (keys or labels, in any case): only interviews with
        one of a dimension's values, on every dimension named (the rules of
        ``quotes(where=...)``). Read back as codebook keys in codebook order;
        a dimension with no values is no filter.

    Raises
    ------
    ValueError
        A dimension, value or measure the study does not have, with the
        closest it has.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> explorer = Explorer(load_study())
    >>> explorer.rows, explorer.columns = "competence", "site"
    >>> explorer.filters = {"visitor_type": "borgerservice"}
    >>> explorer.table.loc["Navigationssvag"].tolist()
    [4, 5, 2, 2, 13]
    >>> explorer.measure = "share_row"
    >>> explorer.table.loc["Navigationssvag"].round(2).tolist()
    [0.31, 0.38, 0.15, 0.15]
    >>> explorer.select("Navigationssvag", "Roskilde")["quote_id"].tolist()
    ['Q02', 'Q09', 'Q14', 'Q18']
    """

    #: The measures a view may show (`MEASURES`).
    measures = MEASURES

    def __init__(self, study: Study, *, lang: str = "da", rows: str | None = None,
                 columns: str | None = None, measure: str = "count", filters=None):
        if not isinstance(study, Study):
            raise ValueError(f"study must be a Study (load_study()), not {type(study).__name__}")
        _check_lang(lang)
        self._study = study
        self._lang = lang
        self._names = [n for n in coded_names(study.codebook)
                       if _coded(study.codebook, n).column in study.interviews]
        if len(self._names) < 1:
            raise ValueError("the study has no coded dimension to explore")
        # The deck's first table where the codebook has it, else its first two dimensions.
        first = "service" if "service" in self._names else self._names[0]
        second = ("age_band" if "age_band" in self._names
                  else self._names[min(1, len(self._names) - 1)])
        self._rows = self._dimension(rows if rows is not None else first, "rows")
        self._columns = self._dimension(columns if columns is not None else second, "columns")
        self._measure = self._checked_measure(measure)
        self._filters: dict[str, list[str]] = {}
        self._filtered: Study | None = study
        self._table: pd.DataFrame | None = None
        self._listeners: list[Callable[[], None]] = []
        if filters:
            self.filters = filters

    # -- the state --------------------------------------------------------------------

    @property
    def study(self) -> Study:
        """The study explored (never changed)."""
        return self._study

    @property
    def lang(self) -> str:
        return self._lang

    @property
    def rows(self) -> str:
        return self._rows

    @rows.setter
    def rows(self, name: str) -> None:
        self._rows = self._dimension(name, "rows")
        self._changed()

    @property
    def columns(self) -> str:
        return self._columns

    @columns.setter
    def columns(self, name: str) -> None:
        self._columns = self._dimension(name, "columns")
        self._changed()

    @property
    def measure(self) -> str:
        return self._measure

    @measure.setter
    def measure(self, measure: str) -> None:
        self._measure = self._checked_measure(measure)
        self._changed()

    @property
    def filters(self) -> dict[str, list[str]]:
        return {name: list(keys) for name, keys in self._filters.items()}

    @filters.setter
    def filters(self, filters: Mapping | None) -> None:
        self._filters = self._clean_filters(filters)
        self._filtered = None
        self._changed()

    def _clean_filters(self, filters) -> dict[str, list[str]]:
        if filters is not None and not isinstance(filters, Mapping):
            raise ValueError(f"filters must be a mapping of dimension to values, not "
                             f"{type(filters).__name__}")
        cleaned: dict[str, list[str]] = {}
        for name, wanted in dict(filters or {}).items():
            name = self._dimension(name, "filters")
            wanted = [wanted] if isinstance(wanted, str) else list(wanted or [])
            if not wanted:
                continue
            keys = _wanted(self._study.codebook, name, f"filters {name}", wanted)
            order = _coded(self._study.codebook, name).keys
            cleaned[name] = sorted({*cleaned.get(name, []), *keys}, key=order.index)
        return cleaned

    def set(self, *, rows: str | None = None, columns: str | None = None,
            measure: str | None = None, filters=None) -> Explorer:
        """Change several choices at once (one update); returns the explorer.

        Nothing changes when one of them is bad.
        """
        rows = self._rows if rows is None else self._dimension(rows, "rows")
        columns = self._columns if columns is None else self._dimension(columns, "columns")
        measure = self._measure if measure is None else self._checked_measure(measure)
        if filters is not None:
            cleaned = self._clean_filters(filters)
            if cleaned != self._filters:  # the widget passes them with every change
                self._filters, self._filtered = cleaned, None
        self._rows, self._columns, self._measure = rows, columns, measure
        self._changed()
        return self

    def _changed(self) -> None:
        self._table = None
        for listener in list(self._listeners):
            listener()

    def _checked_measure(self, measure) -> str:
        if measure in MEASURES:
            return measure
        spelled = {m: m for m in MEASURES}
        for lang in LANGS:
            spelled.update({word(f"explore.{m}", lang).casefold(): m for m in MEASURES})
        hit = spelled.get(str(measure).strip().casefold())
        if hit:
            return hit
        raise ValueError(f"measure: unknown measure {measure!r}{_closest(str(measure), MEASURES)} "
                         f"(measures: {', '.join(MEASURES)})")

    def _dimension(self, name, argument: str) -> str:
        """A dimension's name, from its name, a journey stage or a label in either language."""
        cb = self._study.codebook
        if isinstance(name, str):
            mine = {dimension_label(self._study, n, lang).casefold(): n
                    for n in self._names for lang in LANGS}
            if name.strip().casefold() in mine:  # "Brugerrejse: Ventetid", as the widget says
                return mine[name.strip().casefold()]
        try:
            found = dimension_name(cb, name.strip() if isinstance(name, str) else name)
        except ValueError as exc:
            raise ValueError(f"{argument}: {exc}") from None
        if found.removeprefix(_JOURNEY) in cb.stages:
            found = found.removeprefix(_JOURNEY)
        if found not in self._names:
            raise ValueError(f"{argument}: {found!r} is not coded in the interviews "
                             f"(dimensions: {', '.join(self._names)})")
        return found

    # -- what the view shows ----------------------------------------------------------

    @property
    def dimensions(self) -> dict[str, str]:
        """Every dimension a view may use -> its label, in codebook order (stages last)."""
        return {n: dimension_label(self._study, n, self._lang) for n in self._names}

    def values(self, name: str) -> dict[str, str]:
        """A dimension's values (keys) -> their labels, in codebook order."""
        name = self._dimension(name, "name")
        return _coded(self._study.codebook, name).labels(self._lang)

    @property
    def filtered(self) -> Study:
        """The study cut to the filters (`Study.subset`), interviews and quotes."""
        if self._filtered is None:
            self._filtered = self._study.subset(self._filters)
        return self._filtered

    @property
    def table(self) -> pd.DataFrame:
        """The current view: rows × columns, labelled, as `patterns` computes it.

        ``count`` is `patterns.crosstab` of the filtered study (with its
        totals); ``lift`` is `patterns.cooccurrence` (``normalise="lift"``);
        the shares are the crosstab's counts over the interviews of the row
        (column) coded on both dimensions (missing where there are none).

        ``attrs``: those of the table it came from, ``measure``, ``counts``
        (interviews in each cell, ``{row: {column: n}}``, without totals),
        ``bases`` (for shares: the denominator of each row or column),
        ``n_both`` (interviews coded on both dimensions) and ``filters``.
        """
        if self._table is None:
            self._table = _view_table(self.filtered, self._rows, self._columns, self._measure,
                                      self._lang)
            self._table.attrs["filters"] = self.filters
        return self._table

    def formatted(self) -> pd.DataFrame:
        """The table as the explorer shows it: labels, localised numbers, ``n``."""
        return format_table(self.table, lang=self._lang)

    def select(self, row, column, *, limit: int | None = None) -> pd.DataFrame:
        """The quotes behind one cell: from the interviews counted in it.

        Parameters
        ----------
        row, column : str
            A value of the rows (columns) dimension: its key or label, in any
            case; the total's label (``"Antal"``/``"Total"``) stands for every
            value of the dimension.
        limit : int, optional
            Only the first ``limit`` quotes (a large cell's captions are not
            all made for a screen that shows a few).

        Returns
        -------
        pandas.DataFrame
            The table of `quotations.quotes` (quote, caption, codes, memo) for
            the filtered interviews with both codes, in interview order; no
            rows for an empty cell.
        """
        cell, study = self._cell(row, column), self.filtered
        if limit is not None:
            first = self._cell_quotes(cell).sort_values(kind="stable").index[:max(0, limit)]
            study = dataclasses.replace(study, quotes=study.quotes.loc[sorted(first)])
        return quotes(study, where=cell, lang=self._lang)

    def cell_count(self, row, column) -> int:
        """How many interviews the cell counts (with quotes or without)."""
        interviews = self.filtered.interviews
        return int(matching(interviews, self._study.codebook, self._cell(row, column)).sum())

    def quote_count(self, row, column) -> int:
        """How many quotes `select` gives for the cell."""
        return len(self._cell_quotes(self._cell(row, column)))

    def _cell_quotes(self, cell) -> pd.Series:
        """The cell's quotes (index of the quote frame) -> their interview's position."""
        study = self.filtered
        keep = matching(study.interviews, self._study.codebook, cell)
        ids = study.interviews["interview_id"].to_numpy()[keep]
        position = pd.Series(np.arange(len(ids)), index=pd.Index(ids).drop_duplicates())
        return study.quotes["interview_id"].map(position).dropna()

    def _cell(self, row, column) -> list[tuple[str, list[str]]]:
        """The cell as ``where`` pairs (one dimension may be both rows and columns)."""
        return [(self._rows, self._cell_keys(self._rows, row, "row")),
                (self._columns, self._cell_keys(self._columns, column, "column"))]

    def _cell_keys(self, name: str, value, argument: str) -> list[str]:
        totals = {word("table.total", lang).casefold() for lang in LANGS}
        coded = _coded(self._study.codebook, name)
        if isinstance(value, str) and value.strip().casefold() in totals:
            return list(coded.keys)
        return sorted(_wanted(self._study.codebook, name, argument, value),
                      key=coded.keys.index)

    # -- words about the view -----------------------------------------------------------

    def title(self) -> str:
        """``"Ydelse × Alder: andel af rækken"``."""
        return (f"{dimension_label(self._study, self._rows, self._lang)} × "
                f"{dimension_label(self._study, self._columns, self._lang)}: "
                f"{word(f'explore.{self._measure}', self._lang).lower()}")

    def filter_text(self) -> str:
        """The filters in words: ``"Sted: Næstved, Glumsø; Besøgende: Borgerservice"``."""
        if not self._filters:
            return word("explore.no_filters", self._lang)
        parts = []
        for name, keys in self._filters.items():
            labels = _coded(self._study.codebook, name).labels(self._lang)
            parts.append(f"{dimension_label(self._study, name, self._lang)}: "
                         f"{', '.join(labels[k] for k in keys)}")
        return "; ".join(parts)

    def caveat(self) -> str:
        """The illustrative caveat of every dimension the view rests on (its filters too).

        ``""`` when the codebook marks none of them.
        """
        return caveat(self.table.attrs, self._lang)

    def notes(self) -> list[str]:
        """What a reader needs besides the numbers: the measure, small cells, the test."""
        attrs = self.table.attrs
        lines = [word(f"explore.{self._measure}_note", self._lang)]
        if self._measure == "lift":
            lines.append(word("stats.lift_n", self._lang, n=attrs.get("n_both", attrs["n"])))
            small = _small(self.table)
            if (small & np.isfinite(self.table.to_numpy(dtype=float))).any():
                lines.append(word("stats.small", self._lang, m=attrs.get("min_n", MIN_CELL)))
        test = attrs.get("test")
        if test and self._measure != "lift":
            lines.append(test["sentence"][self._lang])
        return lines

    def description(self) -> str:
        """``"Ydelse × Alder: antal interviews. Filtre: ingen. 45 af 45 interviews."``"""
        t = words("explore", self._lang)
        n, total = len(self.filtered.interviews), len(self._study.interviews)
        return (f"{self.title()}. {t['filters']}: {self.filter_text()}. "
                + t["n_view"].format(n=n, total=total) + ".")

    def caption(self) -> str:
        """What the view shows, in one paragraph: measure, filters, n, notes, caveats.

        The note under the widget's table; a saved slide carries the same lines.
        """
        return " ".join(line for line in [self.description(), *self.notes(), self.caveat()]
                        if line)

    def file_stem(self) -> str:
        """The saved view's file name (without suffix): dimensions, measure, filters."""
        from synergi_analysis.report.plan import safe_name

        parts = [self._rows, "x", self._columns, self._measure]
        for name, keys in self._filters.items():
            parts += [name, *keys]
        return safe_name("-".join(parts), max_length=120)

    def __repr__(self) -> str:
        filters = f", filters={self.filters}" if self._filters else ""
        return (f"Explorer({self._rows} × {self._columns}, {self._measure}{filters}: "
                f"{len(self.filtered.interviews)} of {len(self._study.interviews)} interviews)")

    # -- the chart and saving -----------------------------------------------------------

    def draw(self, ax=None):
        """Draw the view as a heatmap on ``ax`` (`plotting.plot_cooccurrence`); returns it.

        The figure's footnote (one per figure) gets the view's description and
        notes, and the plot adds the caveat.
        """
        from synergi_analysis._draw import _footnote
        from synergi_analysis.plotting import plot_cooccurrence

        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.gca()
        table = self.table
        inner = _without_totals(table)
        shown = inner.copy()
        shown.attrs = {**table.attrs, "margins": False, "test": None}
        options: dict = {"annot": format_table(inner, lang=self._lang, with_n=False,
                                               chart=True).to_numpy()}
        if self._measure == "lift":
            options["center"] = 1.0
        else:
            # Shares and counts: no lift rule or daggers from the plot, the notes say it.
            shown.attrs.pop("counts", None)
            if self._measure != "count":
                options.update(vmin=0.0, vmax=1.0)
        _footnote(ax, self.description(), *self.notes())
        plot_cooccurrence(shown, ax=ax, title=self.title(), **options)
        return ax

    def figure(self, *, size=None):
        """The view as a 16:9 slide: title, heatmap, the caption under it.

        Parameters
        ----------
        size : (float, float), optional
            Inches; default a whole slide (`style.SLIDE_SIZE`), drawn in the
            house style (smaller sizes at 0.7 of its font sizes).

        Returns
        -------
        matplotlib.figure.Figure
            Not registered with pyplot.
        """
        from synergi_analysis.style import house_style, slide_figure

        with house_style(scale=1.0 if size is None else 0.7):
            fig = slide_figure(**({} if size is None else {"figsize": size}))
            self.draw(ax=fig.add_subplot())
        return fig

    def save(self, folder, *, fmt: str = "png") -> list[Path]:
        """Save this view: the table as CSV and the chart as a 16:9 slide figure.

        Parameters
        ----------
        folder : str or pathlib.Path
            Created when missing. Both files are named by `file_stem` (the
            dimensions, the measure and every filter) and replaced when present.
        fmt : {"png", "svg", "pdf"}
            The figure's format.

        Returns
        -------
        list of pathlib.Path
            The CSV file, then the figure. The CSV holds the table (labels as
            in the view, formula-safe) and, for shares, the ``n`` each row or
            column rests on, for lift the ``n`` of each cell beside it; the
            figure carries the caption (filters, n, caveats).

        Raises
        ------
        StudyError
            ``folder`` exists and is not a folder.
        OutputError
            The folder or a file cannot be written; then neither file is replaced.
        """
        from synergi_analysis.figures import FORMATS
        from synergi_analysis.style import MIN_DPI, house_style

        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
        out = make_folder(folder)
        stem = self.file_stem()
        csv, picture = out / f"{stem}.csv", out / f"{stem}.{fmt}"
        fig = self.figure()
        metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
        with house_style():
            write_atomic_many({
                csv: to_csv_bytes(_csv_frame(self.table, self._lang), index=False),
                picture: lambda fh: fig.savefig(fh, format=fmt, dpi=MIN_DPI, metadata=metadata),
            })
        return [csv, picture]

    # -- the widget ---------------------------------------------------------------------

    def widget(self):
        """The explorer as ipywidgets controls bound to this object.

        Dropdowns choose the rows, columns and measure, a list per dimension
        the filters (an empty list: no filter); the table, the heatmap and the
        caption follow every change. Two dropdowns choose a cell, whose quotes
        (captions and memos) are listed under it. "Save this view" writes
        `save` into the folder typed beside it. A bad choice or a failed write
        is a message in the widget, never a traceback.

        Returns
        -------
        ipywidgets.VBox
            Its ``controls`` attribute names the parts (``rows``, ``columns``,
            ``measure``, ``filters`` (dimension -> list), ``cell_row``,
            ``cell_column``, ``folder``, ``save``, ``table``, ``chart``,
            ``quotes``, ``message``, ``caption``) for scripts and tests:
            setting a control's ``value`` changes the explorer, and setting the
            explorer's attributes changes the controls.
        """
        from synergi_analysis._explore_widget import build_widget

        return build_widget(self)


def dimension_label(study: Study, name: str, lang: str) -> str:
    """A dimension's label; a journey stage's is ``"Brugerrejse: Ventetid"``."""
    cb = study.codebook
    if name in cb:
        return cb.dimension_label(name, lang=lang)
    stage = name.removeprefix(_JOURNEY)
    journey = (cb.dimension_label("journey_stage", lang=lang) if "journey_stage" in cb
               else "")
    label = cb.label("journey_stage", stage, lang=lang) if "journey_stage" in cb else stage
    return f"{journey}: {label}" if journey else label


# -- computing a view ------------------------------------------------------------------


def _view_table(study: Study, rows: str, columns: str, measure: str, lang: str) -> pd.DataFrame:
    """The table of one view (see `Explorer.table`), from `crosstab` and `cooccurrence`."""
    if measure == "lift":
        table = cooccurrence(study, rows=rows, columns=columns, normalise="lift", lang=lang)
        table.attrs = {**table.attrs, "measure": "lift", "margins": False}
        return table
    counted = crosstab(study, rows=rows, columns=columns, lang=lang, margins=measure == "count")
    counts = _without_totals(counted)
    attrs = {**counted.attrs, "counts": _nested(counts), "measure": measure}
    if measure == "count":
        table = counted.copy()
        table.attrs = attrs
        return table
    row_base, column_base, n_both = _bases(study, rows, columns)
    values = counts.to_numpy(dtype="float64")
    if measure == "share_row":
        base = row_base.to_numpy(dtype="float64")[:, None]
        attrs["bases"] = dict(zip(counts.index, row_base.tolist(), strict=True))
    else:
        base = column_base.to_numpy(dtype="float64")[None, :]
        attrs["bases"] = dict(zip(counts.columns, column_base.tolist(), strict=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(base > 0, values / base, np.nan)
    table = pd.DataFrame(shares, index=counts.index.copy(), columns=counts.columns.copy())
    table.attrs = {**attrs, "n_both": n_both, "margins": False}
    return table


def _bases(study: Study, rows: str, columns: str) -> tuple[pd.Series, pd.Series, int]:
    """Interviews coded on both dimensions: per row value, per column value, in all.

    The share of a row is its count over the row's interviews that are coded
    on the columns' dimension at all (an interview with several values of a
    multi-valued dimension counts once), as `patterns.cooccurrence` counts
    lift. Written here, not in `patterns`, whose tables the explorer only
    reads; vectorised (a mask over the interviews, value counts of the codes).
    """
    cb = study.codebook
    data = _fresh(study.interviews)
    r, c = _values(data, cb, rows), _values(data, cb, columns)
    both = np.zeros(len(data), dtype=bool)
    both[r.index.to_numpy()] = True
    coded_c = np.zeros(len(data), dtype=bool)
    coded_c[c.index.to_numpy()] = True
    both &= coded_c
    row_base = r[both[r.index.to_numpy()]].value_counts().reindex(
        list(_coded(cb, rows).keys), fill_value=0)
    column_base = c[both[c.index.to_numpy()]].value_counts().reindex(
        list(_coded(cb, columns).keys), fill_value=0)
    return row_base.astype("int64"), column_base.astype("int64"), int(both.sum())


def _without_totals(table: pd.DataFrame) -> pd.DataFrame:
    if table.attrs.get("margins") and len(table.index) and len(table.columns):
        inner = table.iloc[:-1, :-1].copy()
        inner.attrs = {**table.attrs, "margins": False}
        return inner
    return table


def _nested(frame: pd.DataFrame) -> dict:
    """A labelled matrix as plain ``{row: {column: int}}`` (pandas compares attrs)."""
    return {r: {c: int(v) for c, v in row.items()}
            for r, row in frame.to_dict(orient="index").items()}


def _small(table: pd.DataFrame) -> np.ndarray:
    """Which cells of a lift table rest on fewer than ``attrs["min_n"]`` interviews."""
    counts = pd.DataFrame(table.attrs.get("counts") or {}).T.reindex(index=table.index,
                                                                    columns=table.columns)
    return counts.to_numpy(dtype=float) < table.attrs.get("min_n", MIN_CELL)


# -- formatting --------------------------------------------------------------------------


def _number(value: float, digits: int, lang: str) -> str:
    """``1234.5`` as ``"1.234,5"`` (Danish) or ``"1,234.5"`` (English)."""
    text = f"{value:,.{digits}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_table(table: pd.DataFrame, *, lang: str | None = None, with_n: bool = True,
                 chart: bool = False) -> pd.DataFrame:
    """An explorer table as text: labels, localised numbers, ``–`` for missing.

    Counts as whole numbers (``1.234`` in Danish), shares as percentages
    (``35 %``), lift with two decimals and the interviews behind it
    (``1,25 (n=4)``). With ``with_n``, a share table gains the ``n`` its
    shares rest on (a column for shares of rows, a row for shares of columns).
    ``chart`` gives the heatmap's cell labels (lift over its n, empty cells
    blank). A lift on fewer than ``attrs["min_n"]`` interviews carries a dagger (†).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"a": [0.25, float("nan")]}, index=["x", "y"])
    >>> table.attrs = {"measure": "share_row", "bases": {"x": 4, "y": 0}}
    >>> format_table(table, lang="da").to_numpy().tolist()
    [['25 %', '4'], ['–', '0']]
    """
    attrs = table.attrs
    lang = lang or attrs.get("lang") or "da"
    _check_lang(lang)
    measure = attrs.get("measure", "count")
    counts = attrs.get("counts") or {}
    values = table.to_numpy(dtype="float64")
    out = np.empty(values.shape, dtype=object)
    for (i, j), v in np.ndenumerate(values):
        if not np.isfinite(v):
            text = "–" if not chart else ""
        elif measure == "count":
            text = "" if chart and v == 0 else _number(v, 0, lang)
        elif measure == "lift":
            n = counts.get(table.index[i], {}).get(table.columns[j])
            text = _number(v, 2, lang)
            if n is not None and n < attrs.get("min_n", MIN_CELL):
                text += "†"
            if n is not None:
                text += f"\nn={n}" if chart else f" (n={n})"
        else:
            text = f"{_number(100 * v, 0, lang)} %"
        if chart and measure != "count" and measure != "lift" and np.isfinite(v) and v == 0:
            text = ""
        out[i, j] = text
    shown = pd.DataFrame(out, index=table.index.copy(), columns=table.columns.copy())
    bases = attrs.get("bases")
    if with_n and bases is not None and measure in ("share_row", "share_column"):
        if measure == "share_row":
            shown["n"] = [_number(bases.get(r, 0), 0, lang) for r in table.index]
        else:
            shown.loc["n"] = [_number(bases.get(c, 0), 0, lang) for c in table.columns]
    labels = attrs.get("labels") or {}
    shown.index.name = labels.get(table.index.name, table.index.name)
    shown.columns.name = labels.get(table.columns.name, table.columns.name)
    return shown


def _csv_frame(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table for a CSV file: numbers, labels as the first column, and its n."""
    measure = table.attrs.get("measure", "count")
    frame = table.copy()
    if measure == "share_row":
        frame["n"] = [table.attrs["bases"].get(r, 0) for r in table.index]
    elif measure == "share_column":
        frame.loc["n"] = [table.attrs["bases"].get(c, 0) for c in table.columns]
    elif measure == "lift":
        counts = pd.DataFrame(table.attrs["counts"]).T.reindex(index=table.index,
                                                              columns=table.columns)
        counts.columns = [f"n: {c}" for c in counts.columns]
        frame = pd.concat([frame, counts], axis=1)
    labels = table.attrs.get("labels") or {}
    head = labels.get(table.index.name, table.index.name)
    frame.index.name = str(head)
    frame.columns = [str(c) for c in frame.columns]
    return frame.reset_index()

