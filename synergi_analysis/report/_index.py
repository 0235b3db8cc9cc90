"""The index page of a batch: every report with its parameters, status and time."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from synergi_analysis.report._export import _shown_parameter
from synergi_analysis.report.plan import ReportJob
from synergi_analysis.words import words

_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin-bottom: 0.2rem; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #ddd;
  vertical-align: top; overflow-wrap: anywhere; }
th { background: #f4f4f4; } td.nb { overflow-wrap: normal; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
.status-ok { color: #1a7f37; } .status-failed { color: #b42318; font-weight: bold; }
.status-missing { color: #777; } .error { color: #b42318;
  font-size: 0.8rem; white-space: pre-wrap; }
.params { font-size: 0.8rem; } .warn { color: #8a6d00; } .empty { color: #8a6d00; }
.prov { font-size: 0.85rem; color: #444; } code { font-family: inherit; }
td.thumb { width: 124px; } td.thumb img { width: 120px; height: auto; border: 1px solid #ddd; }
ul.figures { columns: 3; padding-left: 1.2rem; }
"""


def _param_text(parameters: Mapping[str, Any]) -> str:
    # The data by its name, as the reports' headers name it: the page may be shared,
    # the user's folders are not (and a path names the user).
    return ", ".join(f"{k}={_shown_parameter(k, v, parameters)}"
                     for k, v in parameters.items()
                     if k not in {"data", "lang", "anonymise"} or v)


def _index_html(jobs: list[ReportJob], records: dict[str, dict | None],
                current: dict[str, bool], failures: dict[str, str], *, study,
                provenance: Mapping[str, str], lang: str, figures: list[str] = ()) -> str:
    """The page; ``provenance`` is the study's as planned (its files may be gone since)."""
    t = words("index", lang)
    said = words("report", lang)
    prov = provenance
    esc = html.escape
    rows = []
    for job in jobs:
        record = records.get(job.name)
        error = failures.get(job.name)
        title = esc((record or {}).get("title") or job.title)
        link = f'<a href="{esc(quote(job.filename))}">{title}</a>' if record else title
        if error:
            status = f'<span class="status-failed">{t["failed"]}</span>'
            if record:
                status += f' ({t["stale"]})'
            status += f'<div class="error">{esc(error)}</div>'
        elif record and current.get(job.name):
            status = f'<span class="status-ok">{t["ok"]}</span>'
            if record.get("status_note") == "empty":
                status += f' <span class="empty">({said["index_empty"]})</span>'
            if record.get("warnings"):
                status += f' <span class="warn">({record["warnings"]} {t["warnings"]})</span>'
        elif record:
            status = f'<span class="status-missing">{t["stale"]}</span>'
        else:
            status = f'<span class="status-missing">{t["missing"]}</span>'
        when = esc((record or {}).get("rendered_at") or "")
        secs = f'{record["seconds"]:.1f} s' if record and "seconds" in record else ""
        thumb = (record or {}).get("thumbnail")
        thumb = (f'<a href="{esc(quote(job.filename))}"><img alt="{said["thumbnail"]}" '
                 f'src="data:image/png;base64,{esc(thumb)}"></a>' if thumb else "")
        rows.append(
            f'<tr><td class="thumb">{thumb}</td><td>{link}</td>'
            f'<td class="nb">{esc(Path(job.notebook).name)}</td>'
            f'<td class="params">{esc(_param_text(job.parameters))}</td>'
            f"<td>{status}</td><td>{when}</td><td class=\"num\">{secs}</td></tr>")
    title = study.codebook.title(lang=lang) or t["reports"]
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}: {t['reports'].lower()}</title>",
        f"<style>{_INDEX_CSS}</style>", "</head>", "<body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{len(jobs)} {t["count"]}</p>',
        f'<p class="prov">{t["data"]}: {esc(Path(prov["data"]).name)} '
        f'(sha256 <code>{esc(prov["data_sha256"])}</code>, {esc(prov["interviews"])} '
        f'{t["interviews"]}, {esc(prov["quotes"])} {t["quotes"]}) · {t["codebook"]}: '
        f'{esc(Path(prov["codebook"]).name)} (sha256 <code>{esc(prov["codebook_sha256"])}'
        f'</code>) · {t["version"]} {esc(prov["synergi_analysis"])}</p>',
        "<table>",
        f"<thead><tr><th></th><th>{t['report']}</th><th>{t['notebook']}</th><th>{t['parameters']}</th>"
        f"<th>{t['status']}</th><th>{t['rendered']}</th><th>{t['seconds']}</th></tr></thead>",
        "<tbody>", *rows, "</tbody>", "</table>", *_figure_links(figures, said["figures"]),
        "</body>", "</html>", ""])


def _figure_links(figures, heading: str) -> list[str]:
    """Links to the slide figures written beside the reports (``figures/``)."""
    if not figures:
        return []
    items = "".join(f'<li><a href="{html.escape(quote(f))}">{html.escape(Path(f).name)}</a></li>'
                    for f in figures)
    return [f"<h2>{html.escape(heading)}</h2>", f'<ul class="figures">{items}</ul>']
