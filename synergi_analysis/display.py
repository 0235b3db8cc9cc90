"""What a report notebook shows besides charts: its header, quotes and tables.

Notebooks call these; each returns an object that displays as HTML in Jupyter
(every value escaped) and as text elsewhere.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from synergi_analysis.words import _check_lang, word, words

__all__ = [
    "report_header",
    "show_quotes",
    "show_text",
]


_META_KEY = "synergi_analysis"




class _Header:
    """The report's heading as rich output; its metadata carries the title to the runner."""

    def __init__(self, html_text: str, title: str):
        self.html_text = html_text
        self.title = title

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html_text, "text/plain": self.title}
        return data, {_META_KEY: {"title": self.title}}


def _value_text(value: Any, t: dict[str, str]) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def report_header(
    study,
    *,
    title: str | Mapping[str, str],
    parameters: Mapping[str, Any],
    lang: str | None = None,
) -> _Header:
    """The top of a report: its title, parameters and provenance, as HTML.

    Parameters
    ----------
    study : Study
        The study the report shows; its provenance (data hash, codebook, package
        version) is printed.
    title : str or mapping of language to str
        May name parameters in braces (``"Sted: {site}"``); a parameter that is a
        key of a codebook dimension of the same name is shown by its label.
    parameters : mapping
        The notebook's parameters, shown as given (``data=None`` as the shipped study).
    lang : {"da", "en"}, optional
        Default: the study's language.

    Returns
    -------
    object
        Displays as HTML in Jupyter (every value escaped) and carries the title
        in its output metadata, where the batch runner reads it.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> header = report_header(load_study(), title="Sted: {site}",
    ...                        parameters={"site": "næstved", "lang": "da"})
    >>> header.title
    'Sted: Næstved'
    """
    lang = lang or study.lang
    _check_lang(lang)
    t = words("header", lang)
    codebook = study.codebook
    labels = {}
    for key, value in parameters.items():
        if key in codebook.dimensions and isinstance(value, str):
            labels[key] = codebook.label(key, value, lang=lang)
        else:
            labels[key] = _value_text(value, t)
    template = title if isinstance(title, str) else (title.get(lang) or title.get("da") or "")
    try:
        text = template.format_map(labels)
    except (KeyError, IndexError, ValueError):
        raise ValueError(f"title {template!r} names a parameter that is not given") from None
    prov = study.provenance()
    esc = html.escape
    shown = []
    for key, value in parameters.items():
        shown_value = t["shipped"] if key == "data" and value is None else labels[key]
        if key == "data" and value is not None and study.anonymous:
            # A path names the machine's user and the project: not in a shared report.
            shown_value = Path(str(value)).name
        shown.append(f"<code>{esc(str(key))}</code> = {esc(shown_value)}")
    data_name = Path(prov["data"]).name or prov["data"]
    anonymised = f" · {t['anonymised']}" if study.anonymous else ""
    rows = [
        (t["parameters"], ", ".join(shown)),
        (t["data"], f"{esc(data_name)} · sha256 <code>{esc(prov['data_sha256'])}</code> · "
                    f"{esc(prov['interviews'])} {t['interviews']}, {esc(prov['quotes'])} "
                    f"{t['quotes']}{anonymised}"),
        (t["codebook"], f"{esc(Path(prov['codebook']).name)} · sha256 "
                        f"<code>{esc(prov['codebook_sha256'])}</code>"),
        (t["version"], esc(prov["synergi_analysis"])),
    ]
    # Inline styles: the header looks the same in JupyterLab as in the exported HTML.
    cell_style = "text-align:left;vertical-align:top;padding:0.15em 1em 0.15em 0;"
    body = "".join(
        f'<tr><th style="{cell_style}font-weight:normal;color:#555">{head}</th>'
        f'<td style="{cell_style}">{cell}</td></tr>' for head, cell in rows)
    study_title = codebook.title(lang=lang)
    page = (f'<header class="synergi-header"><h1>{esc(text)}</h1>'
            + (f'<p class="study" style="color:#555;margin-top:0">{esc(study_title)}</p>'
               if study_title else "")
            + '<table class="synergi-provenance" style="border-collapse:collapse;'
              f'font-size:0.85em;margin:0.5em 0 1em 0">{body}</table></header>')
    return _Header(page, text)


class _Html:
    """Rich output that is HTML in Jupyter and plain text elsewhere."""

    def __init__(self, html_text: str, text: str):
        self.html_text = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.html_text

    def __repr__(self) -> str:
        return self.text




def show_text(text: str) -> _Html:
    """A sentence for the reader (one paragraph per line), every character escaped.

    Examples
    --------
    >>> show_text("2 < 3")._repr_html_()
    '<p>2 &lt; 3</p>'
    """
    paragraphs = [line for line in str(text).splitlines() if line.strip()]
    return _Html("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs), str(text))


def show_quotes(data, *, lang: str | None = None) -> _Html:
    """Quotes as block quotes with their captions, every character of them escaped.

    Parameters
    ----------
    data : pandas.DataFrame
        A table of `quotations.quotes` (``text`` and ``caption`` columns; with a
        ``memo`` column, each quote's memo is shown under it).
    lang : {"da", "en"}, optional
        Language of the line shown when there are no quotes and of the memo's
        label; default the table's (``attrs["lang"]``), else Danish.

    Returns
    -------
    object
        Displays as HTML in Jupyter: one ``<blockquote>`` per quote, its caption
        below it, then its memo, if any. Quote text is data, never markup:
        ``<script>`` shows as text.

    Examples
    --------
    >>> import pandas as pd
    >>> shown = show_quotes(pd.DataFrame({"text": ["Det er <b>trygt</b>."],
    ...                                   "caption": ["Grethe, 73 år"]}))
    >>> "&lt;b&gt;trygt&lt;/b&gt;" in shown._repr_html_()
    True
    """
    lang = lang or data.attrs.get("lang") or "da"
    _check_lang(lang)
    if len(data) == 0:
        none = word("quote.none", lang)
        return _Html(f"<p><em>{none}</em></p>", none)
    quote_style = ("margin:0.8em 0;padding:0.2em 0 0.2em 1em;border-left:4px solid #0072B2;"
                   "font-style:italic")
    parts, lines = [], []
    memos = data["memo"] if "memo" in data else [None] * len(data)
    label = word("quote.memo", lang)
    for text, cap, memo in zip(data["text"], data["caption"], memos, strict=True):
        text = "" if text is None else str(text)
        cap = "" if cap is None else str(cap)
        memo = "" if memo is None or (not isinstance(memo, str) and pd.isna(memo)) else str(memo)
        note = ""
        if memo.strip():
            shown = "<br>".join(html.escape(line) for line in memo.strip().splitlines())
            note = (f'<p class="synergi-memo" style="font-style:normal;font-size:0.9em;'
                    f'color:#555;margin:0.3em 0 0 0">{label}: {shown}</p>')
            lines.append(f"“{text}” – {cap}\n  {label}: {memo.strip()}")
        else:
            lines.append(f"“{text}” – {cap}")
        parts.append(f'<blockquote style="{quote_style}"><p>“{html.escape(text)}”</p>'
                     f'<footer style="font-style:normal;color:#555">– {html.escape(cap)}'
                     f"</footer>{note}</blockquote>")
    return _Html('<div class="synergi-quotes">' + "".join(parts) + "</div>", "\n".join(lines))
