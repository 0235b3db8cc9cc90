"""The explorer's ipywidgets view (`Explorer.widget`): standard controls, no front-end code.

Kept apart from `synergi_analysis.explore` so the object, its tables and its
files work (and are tested) without ipywidgets being imported.
"""

from __future__ import annotations

import html
import io
from types import SimpleNamespace

from synergi_analysis.errors import OutputError, StudyError
from synergi_analysis.words import word, words

# The explorer is passed in, never imported: `synergi_analysis.explore` imports this module.

#: The chart in the widget: smaller than a slide, sharp enough on a laptop screen.
CHART_SIZE = (10.0, 5.6)
CHART_DPI = 80
#: Quotes listed under a cell; a larger cell says how many more it has (`Explorer.select`
#: gives them all).
SHOWN_QUOTES = 50
_TABLE_STYLE = ("<style>.synergi-explore table{border-collapse:collapse;font-size:0.9em}"
                ".synergi-explore th,.synergi-explore td{padding:0.2em 0.6em;"
                "border-bottom:1px solid #ddd;white-space:pre-line}"
                ".synergi-explore td{text-align:right}"
                ".synergi-explore th{text-align:left}</style>")


def table_html(explorer) -> str:
    """The explorer's table as HTML (every label escaped), the way the widget shows it."""
    shown = explorer.formatted()
    body = shown.to_html(escape=True, na_rep="–", border=0)
    return f'{_TABLE_STYLE}<div class="synergi-explore">{body}</div>'


def chart_png(explorer) -> bytes:
    """The explorer's heatmap as PNG bytes, for the widget's image."""
    fig = explorer.figure(size=CHART_SIZE)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=CHART_DPI)
    return buffer.getvalue()


def _message(text: str, *, problem: bool = False) -> str:
    if not text:
        return ""
    colour = "#B00020" if problem else "#444444"
    return f'<p style="color:{colour};margin:0.3em 0">{html.escape(text)}</p>'


def build_widget(explorer):
    """Build the controls, bind them to ``explorer`` both ways, and return the box."""
    import ipywidgets as w

    from synergi_analysis.display import show_quotes

    lang = explorer.lang
    t = words("explore", lang)
    wide = {"description_width": "initial"}
    dims = [(label, name) for name, label in explorer.dimensions.items()]
    rows = w.Dropdown(options=dims, value=explorer.rows, description=t["rows"], style=wide)
    columns = w.Dropdown(options=dims, value=explorer.columns, description=t["columns"],
                         style=wide)
    measure = w.Dropdown(options=[(word(f"explore.{m}", lang), m) for m in explorer.measures],
                         value=explorer.measure, description=t["measure"], style=wide)
    filters = {}
    boxes = []
    for name, label in explorer.dimensions.items():
        options = [(lab, key) for key, lab in explorer.values(name).items()]
        select = w.SelectMultiple(options=options, value=tuple(explorer.filters.get(name, ())),
                                  rows=min(len(options), 5),
                                  layout=w.Layout(width="auto"))
        filters[name] = select
        boxes.append(w.VBox([w.HTML(f"<b>{html.escape(label)}</b>"), select]))
    clear = w.Button(description=t["clear"], icon="times")
    grid = w.GridBox(boxes, layout=w.Layout(grid_template_columns="repeat(4, minmax(0, 1fr))",
                                            grid_gap="0.5em 1em"))
    accordion = w.Accordion(children=[w.VBox([grid, clear])], titles=(t["filters"],))
    table = w.HTML()
    chart = w.Image(format="png", layout=w.Layout(max_width="100%"))
    caption = w.HTML()
    message = w.HTML()
    cell_row = w.Dropdown(description=t["row"], style=wide)
    cell_column = w.Dropdown(description=t["column"], style=wide)
    found = w.HTML()
    folder = w.Text(value="views", description=t["folder"], style=wide)
    save = w.Button(description=t["save"], icon="save")
    controls = SimpleNamespace(rows=rows, columns=columns, measure=measure, filters=filters,
                               clear=clear, table=table, chart=chart, caption=caption,
                               message=message, cell_row=cell_row, cell_column=cell_column,
                               quotes=found, folder=folder, save=save)
    busy = False

    def show_cell(_change=None) -> None:
        if busy or cell_row.value is None or cell_column.value is None:
            return
        try:
            n = explorer.cell_count(cell_row.value, cell_column.value)
            k = explorer.quote_count(cell_row.value, cell_column.value)
            quoted = explorer.select(cell_row.value, cell_column.value, limit=SHOWN_QUOTES)
        except (ValueError, StudyError) as exc:
            found.value = _message(f"{t['problem']}: {exc}", problem=True)
            return
        head = t["quotes_in"].format(row=cell_row.value, column=cell_column.value, n=n, k=k)
        if n == 0:
            body = _message(t["empty_cell"])
        elif k == 0:
            body = _message(t["no_quotes"])
        else:
            body = show_quotes(quoted, lang=lang)._repr_html_()
            if k > len(quoted):
                body += _message(t["more_quotes"].format(shown=len(quoted), n=k))
        found.value = f"<h4>{html.escape(head)}</h4>{body}"

    def refresh() -> None:
        """Show the explorer's state: controls, table, chart, caption, cell, quotes."""
        nonlocal busy
        busy = True
        try:
            rows.value, columns.value, measure.value = (explorer.rows, explorer.columns,
                                                        explorer.measure)
            chosen = explorer.filters
            for name, select in filters.items():
                select.value = tuple(chosen.get(name, ()))
            shown = explorer.table
            table.value = table_html(explorer)
            chart.value = chart_png(explorer)
            caption.value = _message(explorer.caption())
            message.value = (_message(t["empty_view"]) if len(explorer.filtered.interviews) == 0
                             else "")
            row_labels, column_labels = [str(r) for r in shown.index], [
                str(c) for c in shown.columns]
            keep_row, keep_column = cell_row.value, cell_column.value
            cell_row.options, cell_column.options = row_labels, column_labels
            cell_row.value = keep_row if keep_row in row_labels else row_labels[0]
            cell_column.value = (keep_column if keep_column in column_labels
                                 else column_labels[0])
        finally:
            busy = False
        show_cell()

    def apply(_change=None) -> None:
        """A control changed: set the explorer (one update), or say what is wrong."""
        if busy:
            return
        try:
            explorer.set(rows=rows.value, columns=columns.value, measure=measure.value,
                         filters={name: list(s.value) for name, s in filters.items()})
        except (ValueError, StudyError) as exc:
            refresh()
            message.value = _message(f"{t['problem']}: {exc}", problem=True)

    def clear_filters(_button=None) -> None:
        try:
            explorer.filters = {}
        except (ValueError, StudyError) as exc:  # pragma: no cover - {} is always valid
            message.value = _message(f"{t['problem']}: {exc}", problem=True)

    def save_view(_button=None) -> None:
        try:
            paths = explorer.save(folder.value.strip() or ".")
        except (ValueError, StudyError, OutputError) as exc:
            message.value = _message(f"{t['problem']}: {exc}", problem=True)
            return
        message.value = _message(t["saved"].format(files=", ".join(str(p) for p in paths)))

    for control in (rows, columns, measure, *filters.values()):
        control.observe(apply, names="value")
    cell_row.observe(show_cell, names="value")
    cell_column.observe(show_cell, names="value")
    clear.on_click(clear_filters)
    save.on_click(save_view)
    explorer._listeners.append(refresh)
    refresh()

    choose = w.HBox([rows, columns, measure])
    cell = w.HBox([cell_row, cell_column])
    saving = w.HBox([folder, save])
    box = w.VBox([choose, accordion, message, table, caption, chart,
                  w.HTML(f"<h3>{html.escape(t['cell'])}</h3>"), cell, found, saving])
    box.controls = controls
    return box
