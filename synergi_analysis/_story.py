"""The study's own words and facts: ``study.md``, ``sites.csv``, ``services.csv``.

What a report says that is true of one study only comes from these files, read
here for `synergi_analysis.display`: the passages of ``study.md`` by language
and key, and a site's or service's row of facts in the report's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from synergi_analysis._format import is_missing, number, percent
from synergi_analysis.words import LANGS, word, words

STORY_FILE = "study.md"

__all__ = ["STORY_FILE", "story", "story_key", "markdown", "in_lang", "row_of",
           "service_note", "site_facts", "service_facts", "surveys", "fact_box"]


def in_lang(value, lang: str) -> str | None:
    if isinstance(value, Mapping):
        value = value.get(lang)
    if isinstance(value, list | tuple):
        value = ", ".join(map(str, value))
    return None if is_missing(value) else str(value)


def own_file(study, name: str) -> Path | None:
    """A file of the study's own: in its folder, or beside a codebook it brought."""
    from synergi_analysis._io import shipped_data_dir

    folders = [study.folder]
    codebook_dir = study.codebook.path.parent if study.codebook.path else None
    if codebook_dir is not None and Path(codebook_dir).resolve() != shipped_data_dir().resolve():
        folders.append(codebook_dir)
    for folder in folders:
        if folder is not None and (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


def story(study) -> dict[str, dict[str, str]]:
    """``study.md`` as ``{lang: {key: markdown}}``: ``# da`` / ``## key`` sections."""
    path = own_file(study, STORY_FILE)
    if path is None:
        return {}
    text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8-sig"), flags=re.S)
    blocks: dict[str, dict[str, list[str]]] = {}
    lang = key = None
    for line in text.splitlines():
        top = re.match(r"^#\s+(\S+)\s*$", line)
        sub = re.match(r"^##\s+(.+?)\s*$", line)
        if top:
            lang, key = top.group(1).casefold(), None
        elif sub and lang:
            key = story_key(study, sub.group(1))
            blocks.setdefault(lang, {})[key] = []
        elif lang and key:
            blocks[lang][key].append(line)
    return {lg: {k: "\n".join(v).strip() for k, v in keyed.items() if "\n".join(v).strip()}
            for lg, keyed in blocks.items()}


def story_key(study, heading: str) -> str:
    """``"site: Næstved"`` -> ``"site:næstved"``: a value by key or label."""
    name, sep, value = heading.partition(":")
    name = name.strip().casefold()
    if not sep:
        return name
    value = value.strip()
    if name in study.codebook.dimensions:
        value = study.codebook[name].lookup().get(value.casefold(), value)
    return f"{name}:{value}"


def markdown(text: str) -> str:
    import mistune

    # The study's text is data: markup in it is shown, never run.
    return mistune.create_markdown(escape=True)(text)


def row_of(study, name: str, column: str, key: str) -> pd.Series | None:
    """The row of an extra table (``sites``, ``services``) for one value, by key or label."""
    table = study.table(name)
    if table is None or column not in table.columns:
        return None
    lookup = study.codebook[column].lookup()
    for _, row in table.iterrows():
        if lookup.get(str(row[column]).strip().casefold()) == key:
            return row
    return None


def service_note(study, key: str, lang: str) -> str | None:
    """A service's note in ``lang`` (``note_da``/``note_en`` of ``services.csv``)."""
    row = row_of(study, "services", "service", key)
    if row is None:
        return None
    return in_lang(row.get(f"note_{lang}"), lang)


def is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+([.,]\d+)?", text.strip()))


def truth(text: str, lang: str) -> str | None:
    value = text.strip().casefold()
    if value in ("true", "ja", "yes", "j", "y", "1"):
        return words("value", lang)["yes"]
    if value in ("false", "nej", "no", "n", "0"):
        return words("value", lang)["no"]
    return None


_SURVEY = ("_question", "_yes_pct", "_no_pct", "_n")


def _survey_names(table_columns) -> list[str]:
    """Surveys a table gives as ``<name>_question``, ``<name>_yes_pct``, ``<name>_no_pct``."""
    columns = set(table_columns)
    return [c[:-len("_question")] for c in table_columns if c.endswith("_question")
            and {c[:-len("_question")] + end for end in _SURVEY[1:3]} <= columns]


def surveys(row: pd.Series, table_columns, lang: str) -> list[tuple[str, str]]:
    """A site's own surveys as ``(html, text)`` paragraphs: the question as asked, the answers.

    The question is the study's words as written (marked ``synergi-verbatim``);
    the number of answers is given when the table has ``<name>_n``, else said to be
    unknown, so no share stands without what it is out of.
    """
    found = []
    for name in _survey_names(table_columns):
        question = "" if is_missing(row[f"{name}_question"]) else str(row[f"{name}_question"])
        yes, no = row[f"{name}_yes_pct"], row[f"{name}_no_pct"]
        if not question.strip() or is_missing(yes) or is_missing(no):
            continue
        n = row.get(f"{name}_n")
        size = (word("fact.survey_n", lang, n=number(float(n), lang))
                if not is_missing(n) and is_number(str(n)) else word("fact.survey_no_n", lang))
        answer = word("fact.survey_answer", lang, yes=percent(float(yes) / 100, lang),
                      no=percent(float(no) / 100, lang), size=size)
        lead = word("fact.survey", lang)
        found.append((f'<p class="synergi-survey">{html.escape(lead)}: “<span '
                      f'class="synergi-verbatim">{html.escape(question.strip())}</span>” '
                      f"{html.escape(answer)}</p>", f"{lead}: “{question.strip()}” {answer}"))
    return found


def site_facts(row: pd.Series, table_columns, lang: str) -> list[tuple[str, str]]:
    """A site's facts: its name, numbers, and text columns written in ``lang``.

    A survey's columns are left out (`surveys` words them).
    """
    fact = words("fact", lang)
    facts = []
    survey = {f"{name}{end}" for name in _survey_names(table_columns) for end in _SURVEY}
    for column in table_columns:
        if column in ("site", "source") or column in survey:
            continue
        value = "" if is_missing(row[column]) else str(row[column]).strip()
        base, _, suffix = column.rpartition("_")
        if suffix in LANGS and base:
            if suffix != lang:
                continue
            column = base
        elif column != "name" and not is_number(value):
            continue  # free text whose language the file does not say
        if value:
            facts.append((fact.get(column, header_of(column, lang)), value))
    return facts


def header_of(column: str, lang: str) -> str:
    from synergi_analysis._tables import header_word

    return header_word(column, attrs={}, lang=lang)


def service_facts(row: pd.Series, study, lang: str) -> list[tuple[str, str]]:
    fact = words("fact", lang)
    facts = []
    for site in study.codebook.keys("site"):
        desk = "" if is_missing(row.get(site)) else str(row[site]).strip().casefold()
        if desk:
            facts.append((fact["desk"].format(site=study.codebook.label("site", site, lang=lang)),
                          fact.get(desk, desk)))
    for column in ("in_person", "digital_self_service"):
        shown = truth(str(row.get(column, "") or ""), lang)
        if shown:
            facts.append((fact[column], shown))
    rank = str(row.get("usage_rank", "") or "").strip()
    if is_number(rank):
        facts.append((fact["usage_rank"], rank))
    count, total = (str(row.get(c, "") or "").strip() for c in ("usage_count", "usage_total"))
    if is_number(count) and is_number(total):
        facts.append((fact["usage"], fact["usage_figure"].format(
            count=number(float(count), lang), total=number(float(total), lang))))
    picked = truth(str(row.get("deck_pick", "") or ""), lang)
    if picked:
        facts.append((words("column", lang)["deck_pick"], picked))
    return facts


def fact_box(facts, source: str | None, lang: str, *, names: tuple[str, ...] = ()) -> str:
    """Facts as a two-column box (label, value) with their source under it.

    Values whose label is in ``names`` are proper names, marked as written
    (``synergi-verbatim``), as is the source.
    """
    esc = html.escape
    cell = "text-align:left;vertical-align:top;padding:0.25em 1.2em 0.25em 0.6em;"

    def value(k, v):
        return f'<span class="synergi-verbatim">{esc(v)}</span>' if k in names else esc(v)

    rows = "".join(f'<tr style="background:none"><th scope="row" style="{cell}font-weight:'
                   f'normal;color:#555;max-width:16em">{esc(k)}</th>'
                   f'<td style="{cell}">{value(k, v)}</td></tr>' for k, v in facts)
    box = ('<table class="synergi-facts" style="margin:0.5em 0;border-left:4px solid #DDD;'
           f'table-layout:auto"><tbody>{rows}</tbody></table>') if facts else ""
    if source:
        box += (f'<p class="synergi-source" style="font-size:0.85em;color:#555">'
                f'{esc(word("report.source", lang))}: '
                f'<span class="synergi-verbatim">{esc(source)}</span></p>')
    return box
