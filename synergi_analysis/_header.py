"""A report's header: its parameters in words and the data's provenance, as HTML.

`synergi_analysis.display.report_header` builds on these. Every value is escaped;
a file or folder is named without its path, so no path of this machine is shown.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synergi_analysis._format import cell
from synergi_analysis.words import LANGS, words

__all__ = ["parameter", "header_html"]

# Parameters that name a study (a folder, a file, a .qdpx): shown by name, never by path.
_CODINGS = ("data", "b", "sources")


def _value_label(study, dimension: str, value: str) -> str:
    """A dimension's value (key or label) by its label, or as given when unknown."""
    from synergi_analysis._codings import _wanted

    try:
        keys = _wanted(study.codebook, dimension, dimension, value)
    except ValueError:
        return value
    if len(keys) != 1:
        return value
    return study.codebook.label(dimension, next(iter(keys)), lang=study.lang)


def parameter(key: str, value: Any, study, lang: str) -> tuple[str, str]:
    """A parameter's name and value as a reader of ``lang`` says them.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> parameter("site", "Næstved", study, "da"), parameter("data", "/a/b/mine", study, "en")
    (('Sted', 'Næstved'), ('Data', 'mine'))
    """
    t = words("header", lang)
    codebook = study.codebook
    if key in codebook.dimensions:
        name = codebook.dimension_label(key, lang=lang)
        if isinstance(value, str):
            return name, _value_label(study.with_lang(lang), key, value)
        return name, cell(value, lang)
    name = t.get(f"p_{key}", key)
    if key == "data" and value is None:
        return name, t["shipped"]
    if key == "lang" and value in LANGS:
        return name, t[f"lang_{value}"]
    if key == "weights" and value is None:
        return name, t["equal_weights"]
    if isinstance(value, Mapping):
        return name, ", ".join(f"{k}: {cell(v, lang)}" for k, v in value.items())
    if isinstance(value, Path) or (isinstance(value, str) and key in _CODINGS):
        return name, Path(value).name  # a file or folder by its name: no path of this machine
    if isinstance(value, str):
        return name, value
    return name, cell(value, lang)


def header_html(study, title: str, shown: list[tuple[str, str]], lang: str) -> str:
    """The ``<header>``: the title, the study's title, the parameters and the provenance."""
    t = words("header", lang)
    prov = study.provenance()
    esc = html.escape
    data_name = Path(prov["data"]).name or prov["data"]
    anonymised = f" · {t['anonymised']}" if study.anonymous else ""
    rows = [
        (t["parameters"], ", ".join(f"{esc(name)}: {esc(value)}" for name, value in shown)),
        (t["data"], f"{esc(data_name)} · sha256 {esc(prov['data_sha256'])} · "
                    f"{esc(prov['interviews'])} {t['interviews']}, {esc(prov['quotes'])} "
                    f"{t['quotes']}{anonymised}"),
        (t["codebook"], f"{esc(Path(prov['codebook']).name)} · sha256 "
                        f"{esc(prov['codebook_sha256'])}"),
        (t["version"], esc(prov["synergi_analysis"])),
    ]
    # Inline styles: the header looks the same in JupyterLab as in the exported HTML.
    cell_style = "text-align:left;vertical-align:top;padding:0.15em 1em 0.15em 0;"
    body = "".join(
        f'<tr><th style="{cell_style}font-weight:normal;color:#555">{head}</th>'
        f'<td style="{cell_style}overflow-wrap:anywhere">{value}</td></tr>'
        for head, value in rows)
    study_title = study.codebook.title(lang=lang)
    return (f'<header class="synergi-header"><h1>{esc(title)}</h1>'
            + (f'<p class="study" style="color:#555;margin-top:0">{esc(study_title)}</p>'
               if study_title else "")
            + '<table class="synergi-provenance" style="border-collapse:collapse;'
              f'font-size:0.85em;margin:0.5em 0 1em 0">{body}</table></header>')
