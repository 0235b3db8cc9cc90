"""Quotes as a report shows them: block quotes with captions and memos, grouped or not.

Every character of the data is escaped: a quote is text, never markup.
`synergi_analysis.display.show_quotes` and `show_quote_matrix` wrap these.
"""

from __future__ import annotations

import html

from synergi_analysis._format import is_missing
from synergi_analysis.words import word

__all__ = ["quotes_html", "matrix_html"]

_QUOTE = ("margin:0.8em 0;padding:0.2em 0 0.2em 1em;border-left:4px solid #0072B2;"
          "font-style:italic")
_GROUP = "font-size:1.05em;font-weight:bold;margin:1.2em 0 0.2em 0"


def quotes_html(data, lang: str) -> tuple[str, str]:
    """``(html, text)`` of the quotes in ``data``: one block quote each, memo under it."""
    parts, lines = [], []
    memos = data["memo"] if "memo" in data else [None] * len(data)
    label = word("quote.memo", lang)
    for text, cap, memo in zip(data["text"], data["caption"], memos, strict=True):
        text = "" if is_missing(text) else str(text)
        cap = "" if is_missing(cap) else str(cap)
        memo = "" if is_missing(memo) else str(memo).strip()
        note = ""
        if memo:
            shown = "<br>".join(html.escape(line) for line in memo.splitlines())
            note = (f'<p class="synergi-memo" style="font-style:normal;font-size:0.9em;'
                    f'color:#555;margin:0.3em 0 0 0">{label}: {shown}</p>')
            lines.append(f"“{text}” – {cap}\n  {label}: {memo}")
        else:
            lines.append(f"“{text}” – {cap}")
        parts.append(f'<blockquote style="{_QUOTE}"><p>“{html.escape(text)}”</p>'
                     f'<footer style="font-style:normal;color:#555">– {html.escape(cap)}'
                     f"</footer>{note}</blockquote>")
    return "".join(parts), "\n".join(lines)


def matrix_html(matrix, lang: str) -> tuple[str, str]:
    """``(html, text)`` of a quote matrix: a heading per value with quotes, then one line
    naming the values without any."""
    counts = matrix.attrs.get("counts") or {}
    parts, lines = [], []
    for group, n in counts.items():
        if not n:
            continue
        rows = matrix[matrix["group"].astype(str) == group]
        quoted, text = quotes_html(rows, lang)
        heading = f"{group} ({n})"
        parts.append(f'<h3 class="synergi-group" style="{_GROUP}">{html.escape(heading)}</h3>'
                     + quoted)
        lines += [heading, text]
    silent = [g for g, n in counts.items() if not n]
    if silent:
        line = word("quote.none_under", lang, values=", ".join(silent))
        parts.append(f'<p class="synergi-note">{html.escape(line)}</p>')
        lines.append(line)
    return "".join(parts), "\n".join(lines)
