"""What a report notebook shows: its header, tables, charts, facts, quotes and notes.

Notebooks call these; each returns an object that displays as HTML in Jupyter
(every value from the data escaped) and as text elsewhere, or None when there
is nothing to show. Every word comes from `synergi_analysis.words` in the
report's language; what is true of one study only comes from its own files
(``study.md``, ``sites.csv``, ``services.csv``, ``library_offers.csv``).

A report about one site or service starts from its `subject`; `end_if_empty`
turns a report about a value with no interviews into one paragraph, and
`needs` says which optional file a section lacks.
"""

from __future__ import annotations

import base64
import html
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synergi_analysis._story import (
    STORY_FILE,
    fact_box,
    in_lang,
    markdown,
    row_of,
    service_facts,
    service_note,
    site_facts,
    story,
    story_key,
    surveys,
)
from synergi_analysis.words import LANGS, _check_lang, word, words

__all__ = [
    "Subject",
    "compare",
    "end_if_empty",
    "end_unless_picked",
    "needs",
    "report_header",
    "say",
    "show_chart",
    "show_offers",
    "show_profile",
    "show_quote_matrix",
    "show_quotes",
    "show_table",
    "show_text",
    "show_tiers",
    "subject",
    "LayoutWarning",
    "STORY_FILE",
]


_META_KEY = "synergi_analysis"
# Notes under a table read as notes, as a chart's caption does.
_CAVEAT = "color:#555;font-size:0.9em;margin:0.2em 0 1em 0"


class LayoutWarning(UserWarning):
    """A chart has text that overlaps other text or a legend."""


class _Shown:
    """Rich output: HTML in Jupyter, text elsewhere, with metadata for the batch runner."""

    def __init__(self, html_text: str, text: str, meta: Mapping | None = None):
        self.html_text = html_text
        self.text = text
        self.meta = dict(meta or {})

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html_text, "text/plain": self.text}
        return data, ({_META_KEY: self.meta} if self.meta else {})

    def _repr_html_(self) -> str:
        return self.html_text

    def __repr__(self) -> str:
        return self.text


def _note(text: str, **meta) -> _Shown:
    return _Shown(f'<p class="synergi-note">{html.escape(text)}</p>', text, meta)


# -- the header ------------------------------------------------------------------------


class _Header(_Shown):
    """The report's heading; its metadata carries the title to the runner."""

    def __init__(self, html_text: str, title: str):
        super().__init__(html_text, title, {"title": title})
        self.title = title


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
        key or label of a codebook dimension of the same name is shown by its label.
    parameters : mapping
        The notebook's parameters, each shown by its name and value in words
        (``data=None`` as the shipped study; ``sheet`` and ``sources`` only when
        given).
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
    from synergi_analysis._header import header_html, parameter

    lang = lang or study.lang
    _check_lang(lang)
    # How an unusual study was read (a sheet, a folder of source texts) shows only when given.
    shown = {key: parameter(key, value, study, lang) for key, value in parameters.items()
             if value is not None or key not in ("sheet", "sources")}
    template = title if isinstance(title, str) else (title.get(lang) or title.get("da") or "")
    try:
        text = template.format_map({key: value for key, (_, value) in shown.items()})
    except (KeyError, IndexError, ValueError):
        raise ValueError(f"title {template!r} names a parameter that is not given") from None
    return _Header(header_html(study, text, list(shown.values()), lang), text)


# -- what a report is about ------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """One value of a dimension a report is about (a site, a service), with its interviews.

    Attributes
    ----------
    dimension, key, label : str
        The dimension, the value's key and its label in the study's language.
    study : Study
        The interviews with this value (and their quotes).
    whole : Study
        Every interview of the study.
    """

    dimension: str
    key: str
    label: str
    study: Any
    whole: Any

    @property
    def n(self) -> int:
        """Interviews with this value."""
        return len(self.study.interviews)

    def who(self, lang: str) -> str:
        """The interviewees, in words: "ydelsens brugere", "de besøgende i Næstved"."""
        if self.dimension == "site":
            return word("report.visitors_at", lang, value=self.label)
        return word("report.users_of", lang)


def subject(study, dimension: str, value: str) -> Subject:
    """The value a report is about, given by its key or its label in either language.

    Parameters
    ----------
    study : Study
    dimension : str
        ``"site"``, ``"service"``, ... (a dimension of the codebook).
    value : str
        The value's key (``"næstved"``) or label (``"Næstved"``), any case.

    Returns
    -------
    Subject

    Raises
    ------
    ValueError
        An unknown dimension or value, with the closest the codebook has.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> here = subject(load_study(), "site", "Næstved")
    >>> here.key, here.label, here.n
    ('næstved', 'Næstved', 13)
    """
    from synergi_analysis._codings import _wanted

    keys = _wanted(study.codebook, dimension, dimension, value)
    if len(keys) != 1:
        raise ValueError(f"{dimension}: {value!r} names {len(keys)} values; name one")
    key = next(iter(keys))
    label = study.codebook.label(dimension, key, lang=study.lang)
    return Subject(dimension, key, label, study.subset({dimension: key}), study)


def _label(value) -> str | None:
    return value.label if isinstance(value, Subject) else value


def end_if_empty(here: Subject, *, lang: str | None = None) -> _Shown | None:
    """The whole report when its subject has no interviews: one paragraph saying so.

    Returns None when there are interviews. Otherwise the paragraph names the
    value (and adds the study's own note on it from ``services.csv``, if any),
    and its metadata ends the report there: the batch runner leaves out every
    later cell and marks the report in the index.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> print(end_if_empty(subject(load_study(lang="en"), "service", "vielse")))
    ... # doctest: +ELLIPSIS
    No interviews about Wedding in this study, so the report has no charts or tables. ...
    """
    lang = lang or here.whole.lang
    if here.n:
        return None
    name = "report.no_interviews_site" if here.dimension == "site" else "report.no_interviews"
    text = word(name, lang, value=here.label)
    note = service_note(here.whole, here.key, lang) if here.dimension == "service" else None
    if note:
        text += " " + note
    return _note(text, end=True, status="empty")


def needs(study, *tables: str, end: bool = False, lang: str | None = None) -> _Shown | None:
    """A line naming the optional files a section (or, with ``end``, the report) lacks.

    Returns None when the study has every table. Use it to guard what needs
    them: ``ranking = needs(study, "services") or rank_services(study)``; the
    show functions display the line in place of a table or chart.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> needs(load_study(), "services", "library_offers") is None
    True
    """
    lang = lang or study.lang
    missing = [f"{name}.csv" for name in tables if study.table(name) is None]
    if not missing:
        return None
    files = f" {word('report.and', lang)} ".join(missing)
    return _note(word("report.needs_report" if end else "report.needs", lang, files=files),
                 **({"end": True} if end else {}))


def say(text) -> _Shown | None:
    """Sentences the package wrote for the report (already in its language), as paragraphs.

    ``text`` is one sentence or a list of them (one paragraph each). A line from
    `needs` is shown as it is; None, or an empty list, shows nothing.

    Examples
    --------
    >>> say("4 af 8 valg er blandt de 8 øverste.").html_text
    '<p class="synergi-note">4 af 8 valg er blandt de 8 øverste.</p>'
    >>> say(["Én.", "To."]).text, say([]) is None
    ('Én.\\nTo.', True)
    """
    if text is None or isinstance(text, _Shown):
        return text
    if isinstance(text, list | tuple):
        if not text:
            return None
        shown = [_note(str(t)) for t in text]
        return _Shown("".join(s.html_text for s in shown), "\n".join(s.text for s in shown))
    return _note(str(text))


def end_unless_picked(ranking) -> _Shown | None:
    """Ends the report here (showing nothing) when the study made no pick of its own.

    The sections after it compare the ranking with the study's own pick
    (``deck_pick`` in ``services.csv``); a study without one has none of them.

    Examples
    --------
    >>> from synergi_analysis import load_study, rank_services
    >>> ranking = rank_services(load_study())
    >>> end_unless_picked(ranking) is None
    True
    >>> end_unless_picked(ranking.assign(deck_pick=False))._repr_mimebundle_()[1]
    {'synergi_analysis': {'end': True}}
    """
    picked = isinstance(ranking, pd.DataFrame) and "deck_pick" in ranking and bool(
        ranking["deck_pick"].astype(bool).any())
    return None if picked else _Shown("", "", {"end": True})


def show_tiers(ranking, *, lang: str | None = None) -> _Shown | None:
    """Which services the ranking can tell apart: its tiers, in one paragraph.

    Services whose rank intervals overlap are tied within uncertainty; only
    between tiers (``tier`` of `ranking.rank_services`) is the order clear. A
    tier of up to three services is named, a larger one counted. A line from
    `needs` is shown as it is.

    Examples
    --------
    >>> from synergi_analysis import load_study, rank_services
    >>> print(show_tiers(rank_services(load_study(lang="en"))))
    ... # doctest: +NORMALIZE_WHITESPACE
    The order is clear only between the tiers: tier 1: Passport (rank 1); tier 2: 15
    services (rank 2–15). Services in one tier are tied within uncertainty.
    """
    if not isinstance(ranking, pd.DataFrame):
        return ranking if isinstance(ranking, _Shown) else None
    lang = lang or ranking.attrs.get("lang") or "da"
    ranked = ranking[ranking["rank"].notna()] if "tier" in ranking else ranking.iloc[:0]
    if ranked.empty:
        return None
    tiers = list(dict.fromkeys(ranked["tier"]))
    if len(tiers) == 1:
        return _note(word("report.tiers_none", lang, n=len(ranked)))
    parts = []
    for tier in tiers:
        rows = ranked[ranked["tier"] == tier]
        names = (", ".join(rows["label"]) if len(rows) <= 3 else
                 word("report.n_services", lang, n=len(rows)))
        lo, hi = int(rows["rank"].min()), int(rows["rank"].max())
        parts.append(word("report.tier_part", lang, tier=tier, names=names,
                          ranks=str(lo) if lo == hi else f"{lo}–{hi}"))
    return _note(word("report.tiers", lang, parts="; ".join(parts)))


# -- the study's own words ---------------------------------------------------------------


def show_text(study, key: str, *, lang: str | None = None) -> _Shown | None:
    """A passage of the study's own story (``study.md``) in the report's language.

    ``study.md`` sits in the study's folder; ``# da`` and ``# en`` start each
    language, ``## <key>`` each passage (``about``, ``basis``, ``pick``,
    ``agreement``, ``site: <site>``, ``service: <service>``). Without the
    passage, ``about`` falls back to the codebook's ``study.description``
    when that is given per language (``{da: ..., en: ...}``).
    Returns None when the study has nothing to say there.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> "Datagrundlaget" in show_text(load_study(), "basis").text
    True
    """
    lang = lang or study.lang
    _check_lang(lang)
    text = story(study).get(lang, {}).get(story_key(study, key))
    if text is None and key == "about":
        # Only a description given per language: a report speaks one language.
        description = study.codebook.study.get("description")
        text = description.get(lang) if isinstance(description, Mapping) else None
    if not text:
        return None
    return _Shown(f'<div class="synergi-story">{markdown(str(text))}</div>', str(text))


# -- tables ------------------------------------------------------------------------------


def _table_notes(attrs: Mapping, lang: str) -> list[str]:
    """The caveats a table carries: the result of its test, its invented codings."""
    from synergi_analysis._codings import caveat

    notes = []
    test = attrs.get("test")
    if isinstance(test, Mapping):
        sentence = in_lang(test.get("sentence"), lang)
        if sentence:
            notes.append(sentence)
    marked = attrs.get("illustrative")
    if isinstance(marked, Mapping) and marked and not set(marked) <= set(LANGS):
        # {dimension: note}, as the analyses write it: one line naming each dimension.
        line = caveat(attrs, lang)
    else:
        line = in_lang(marked, lang)
    if line:
        notes.append(line)
    return notes


def show_table(data, *, study=None, lang: str | None = None, columns: list | None = None,
               highlight=None, verbatim: tuple = (), empty: str | None = None) -> _Shown | None:
    """A table for reading: headers in words, localised numbers, no index, "–" for missing.

    Parameters
    ----------
    data : pandas.DataFrame
        Any table of the package; its ``attrs`` give the language, the
        dimensions' labels and totals. A line from `needs` is shown as it is.
    study : Study, optional
        Its codebook names the columns no ``attrs`` name (``without_<site>``).
    lang : {"da", "en"}, optional
        Default: the table's, else the study's.
    columns : list, optional
        The columns to show, in order (default: all but keys and flags).
    highlight : Subject or str, optional
        A row or column to mark (the report's own site or service).
    verbatim : tuple of str
        Columns holding the study's own words as written (not translated).
    empty : str, optional
        The sentence shown in place of a table without rows.

    Returns
    -------
    object
        HTML (pandas `Styler`), split into several tables when too wide for a
        page, with the table's caveats (``attrs["illustrative"]``,
        ``attrs["test"]["sentence"]``) under it; None for None.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import journey
    >>> shown = show_table(journey(load_study()))
    >>> "Andel åbne" in shown.html_text and "37 %" in shown.html_text
    True
    """
    from synergi_analysis._tables import finished_tables

    if data is None or isinstance(data, _Shown):
        return data
    if empty is not None and len(data) == 0:
        return _note(empty)
    attrs = getattr(data, "attrs", {}) or {}
    lang = lang or attrs.get("lang") or (study.lang if study is not None else "da")
    if lang not in LANGS:
        lang = study.lang if study is not None else "da"
    codebook = study.codebook if study is not None else None
    stylers = finished_tables(data, lang=lang, codebook=codebook, columns=columns,
                              highlight=_label(highlight), verbatim=tuple(verbatim))
    parts = [s.to_html() for s in stylers]
    notes = _table_notes(attrs, lang)
    parts += [f'<p class="synergi-caveat" style="{_CAVEAT}">{html.escape(n)}</p>' for n in notes]
    text = "\n\n".join(s.data.to_string(index=False) for s in stylers)
    return _Shown('<div class="synergi-tables">' + "".join(parts) + "</div>",
                  "\n".join([text, *notes]))


# -- charts -------------------------------------------------------------------------------


def compare(here: Subject, analysis: Callable, **kwargs) -> pd.DataFrame | _Shown:
    """An analysis of the subject's interviews beside the same for all interviews.

    For tables of groups (`patterns.attitudes`, `patterns.journey`): the two
    results stacked, a ``group`` column telling them apart (the subject's label,
    then "Alle interviews"), so one chart shows both. A scale the subject has
    no interviews on is left out, with a line saying so in ``attrs["notes"]``.

    ``attrs["test"]`` compares the subject with the *other* interviews (a test
    against all interviews would count the subject's twice): an exact test per
    scale or stage, Holm-adjusted, whose sentence names the two groups ("Forskellen
    mellem ydelsens brugere og de øvrige interviewede kan være tilfældig: p = 0,87.").
    It is None where there is nothing to compare.

    Returns
    -------
    pandas.DataFrame, or a line saying there is nothing to show

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import journey
    >>> table = compare(subject(load_study(), "service", "pas"), journey)
    >>> list(table["group"].cat.categories)
    ['Pas', 'Alle interviews']
    >>> table.attrs["test"]["sentence"]["da"].startswith("Forskellen mellem ydelsens brugere")
    True
    """
    from synergi_analysis._compare import stacked, versus_rest

    lang = here.whole.lang
    part = analysis(here.study, **kwargs)
    whole = analysis(here.whole, **kwargs)
    attrs = dict(part.attrs)
    if attrs.get("by") is not None:
        raise ValueError("compare: the analysis must not be split (by=...); the groups are "
                         "the subject and all interviews")
    notes = []
    codebook = here.whole.codebook
    table_lang = attrs.get("lang") or lang
    if attrs.get("kind") == "attitudes":
        scale = attrs["scale"]
        counts = part.groupby(scale, observed=True, sort=False)["count"].sum()
        empty = [s for s, n in counts.items() if n == 0]
        for s in empty:
            notes.append(word("report.no_scale", lang, scale=str(s).lower(),
                              who=here.who(lang)))
        if len(empty) == len(counts):
            return _note(word("report.empty_chart", lang, who=here.who(lang)))
        part = part[~part[scale].isin(empty)]
        whole = whole[~whole[scale].isin(empty)]
        totals = whole.groupby(scale, observed=True, sort=False)["count"].sum()
        for s, n in counts.items():
            if n and n == totals.get(s):  # nobody else to set them beside
                notes.append(word("report.same_scale", lang, scale=str(s).lower(),
                                  who=here.who(lang)))
        dimension, keys = scale, codebook.keys(scale)
    elif attrs.get("kind") == "journey":
        if int((part["open"] + part["closed"]).sum()) == 0:
            return _note(word("report.no_journey", lang, who=here.who(lang)))
        dimension, keys = "journey_stage", codebook.stages
    else:
        dimension, keys = None, []
    names = {codebook.label(dimension, k, lang=table_lang):
             {lg: codebook.label(dimension, k, lang=lg) for lg in LANGS} for k in keys}
    part.attrs, whole.attrs = attrs, dict(whole.attrs)
    test = versus_rest(part, whole, labels=names, who={lg: here.who(lg) for lg in LANGS}) \
        if dimension is not None else None
    table = stacked(part, whole, [here.label, word("value.all", lang)])
    attrs.update(by="group", n=int(attrs.get("n", 0)),
                 labels={**attrs.get("labels", {}), "group": ""}, notes=notes, test=test)
    table.attrs = attrs
    return table


class _Chart(_Shown):
    """A chart as a PNG in a ``<figure>`` with its notes as the caption."""

    def __init__(self, png: bytes, size: tuple[int, int], title: str, notes: list[str]):
        data = base64.b64encode(png).decode("ascii")
        caption = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        width, height = size
        page = ('<figure class="synergi-chart" style="margin:0.5em 0 1.5em 0">'
                f'<img src="data:image/png;base64,{data}" alt="{html.escape(title)}" '
                f'width="{width}" height="{height}" style="max-width:100%;height:auto">'
                + (f'<figcaption style="color:#555;font-size:0.9em">{caption}</figcaption>'
                   if caption else "") + "</figure>")
        super().__init__(page, title, {"chart": True})
        self.png = png


def show_chart(plot: Callable, data, *, size: tuple[float, float] = (9, 5), highlight=None,
               lang: str | None = None, **kwargs) -> _Shown | None:
    """Draw ``data`` with ``plot`` at report size, or say in one line why there is no chart.

    Parameters
    ----------
    plot : callable
        A function of `synergi_analysis.plotting`; ``plot_..._figure``
        functions get the figure (``fig=``), the others an Axes (``ax=``).
    data : pandas.DataFrame
        The table the plot draws; a line from `needs` or `compare` is shown as
        it is, None shows nothing.
    size : (float, float)
        Width and height in inches; constrained layout fits every label,
        legend and footnote inside.
    highlight : Subject or str, optional
        The group to emphasise (the report's site or service); the others fade.
    lang : {"da", "en"}, optional
        Language of the notes; default the table's.
    **kwargs
        Passed to ``plot``.

    Returns
    -------
    object
        A ``<figure>`` with the chart as PNG and, as the caption, what the chart
        does not say itself: panels left out, what is highlighted, a test's
        sentence the plot did not draw (the plots draw their notes, the test and
        the illustrative caveat as a footnote). Text that still overlaps after
        column labels are rewrapped and legends moved raises a `LayoutWarning`.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import journey
    >>> from synergi_analysis.plotting import plot_journey
    >>> study = load_study()
    >>> shown = show_chart(plot_journey, journey(study, by="site"),
    ...                    highlight=subject(study, "site", "glumsø"))
    >>> shown.png[:4], "Glumsø er fremhævet." in shown.html_text
    (b'\\x89PNG', True)
    """
    from synergi_analysis._chart import empty_reason, render

    if data is None or isinstance(data, _Shown):
        return data
    lang = lang or data.attrs.get("lang") or "da"
    empty = empty_reason(data, lang)
    if empty:
        return _note(empty)
    label = _label(highlight)
    chart = render(plot, data, size=size, label=label, lang=lang, **kwargs)
    notes = list(data.attrs.get("notes") or [])
    test = data.attrs.get("test")
    sentence = in_lang(test.get("sentence"), lang) if isinstance(test, Mapping) else None
    if sentence and " ".join(sentence.split()) not in chart.drawn:
        notes.append(sentence)
    if chart.highlighted:
        notes.append(word("report.highlighted", lang, value=label))
    if chart.problems:
        texts = "; ".join(" / ".join(pair) for pair in chart.problems[:5])
        warnings.warn(word("report.layout", lang, title=chart.title, texts=texts),
                      LayoutWarning, stacklevel=2)
    return _Chart(chart.png, chart.size, chart.title, notes)


# -- facts, offers and quotes ---------------------------------------------------------------


def show_profile(here: Subject, *, lang: str | None = None) -> _Shown:
    """The subject's profile: the study's text on it and its facts, with their source.

    A site's facts come from ``sites.csv`` (its name, its numbers, and text
    columns written for the report's language, ``<column>_da`` /
    ``<column>_en``), a service's from ``services.csv`` (the desk that offers
    it at each site, usage figures, its note ``note_da`` / ``note_en``). The
    text is the passage ``site: <key>`` or ``service: <key>`` of ``study.md``.
    Without any of them, one line says which file would give it.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> shown = show_profile(subject(load_study(), "site", "næstved"))
    >>> "Næstved Bibliotek og Borgerservice" in shown.text
    True
    """
    study = here.whole
    lang = lang or study.lang
    table = "sites" if here.dimension == "site" else "services"
    parts, text = [], []
    story = show_text(study, f"{here.dimension}: {here.key}", lang=lang)
    if story is not None:
        parts.append(story.html_text)
        text.append(story.text)
    row = row_of(study, table, here.dimension, here.key)
    if row is not None:
        found = []
        if here.dimension == "site":
            facts = site_facts(row, list(row.index), lang)
            found = surveys(row, list(row.index), lang)
        else:
            note = in_lang(row.get(f"note_{lang}"), lang)
            if note:
                parts.append(f"<p>{html.escape(note)}</p>")
                text.append(note)
            facts = service_facts(row, study, lang)
        source = in_lang(row.get("source"), lang)
        parts.append(fact_box(facts, None, lang, names=(words("fact", lang)["name"],)))
        text += [f"{k}: {v}" for k, v in facts]
        parts += [page for page, _ in found]
        text += [line for _, line in found]
        parts.append(fact_box([], source, lang))  # the source under all the facts
        text += [source] if source else []
    if not parts:
        return needs(study, table, lang=lang) or _note(
            word("report.no_facts", lang, value=here.label))
    return _Shown('<div class="synergi-profile">' + "".join(parts) + "</div>", "\n".join(text))


def show_offers(here: Subject, *, lang: str | None = None) -> _Shown:
    """The library offers the study links to a service (``library_offers.csv``), by kind.

    The offers are named as the study names them; a service without offers, or
    a study without the file, gets one line saying so.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> shown = show_offers(subject(load_study(lang="en"), "service", "flytning"))
    >>> shown.text.split()[:3], "guidance" in shown.text
    (['Library', 'offer', 'Kind'], True)
    """
    from synergi_analysis.validate import validate_offers

    study = here.whole
    lang = lang or study.lang
    missing = needs(study, "library_offers", lang=lang)
    if missing is not None:
        return missing
    offers, _ = validate_offers(study.table("library_offers"), study.codebook)
    mine = offers[offers["service"] == here.key][["offer", "kind"]].reset_index(drop=True)
    if mine.empty:
        return _note(word("report.no_offers", lang, value=here.label))
    mine.attrs = {"lang": lang}
    return show_table(mine, lang=lang, verbatim=("offer",))  # named as the study names them


def show_quotes(data, *, lang: str | None = None) -> _Shown:
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
    from synergi_analysis._quotes import quotes_html

    lang = lang or data.attrs.get("lang") or "da"
    _check_lang(lang)
    if len(data) == 0:
        return _note(word("quote.none", lang))
    page, text = quotes_html(data, lang)
    return _Shown(f'<div class="synergi-quotes">{page}</div>', text)


def show_quote_matrix(data, *, lang: str | None = None) -> _Shown:
    """Quotes grouped by a second code, as MAXQDA's Interactive Quote Matrix shows them.

    Parameters
    ----------
    data : pandas.DataFrame
        A table of `quotations.quote_matrix` (a ``group`` column, ``attrs["counts"]``).
    lang : {"da", "en"}, optional
        Default: the table's.

    Returns
    -------
    object
        A heading per value with quotes (its label and the number of quotes), the
        quotes under it as `show_quotes` shows them, then one line naming the
        values without quotes and, for codes the codebook marks as illustrative,
        the caveat.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.quotations import quote_matrix
    >>> shown = show_quote_matrix(quote_matrix(load_study(), by="attitude", service="pas"))
    >>> shown.text.splitlines()[0]
    'Den uinteresserede negative (1)'
    >>> shown.text.splitlines()[-2].startswith("Ingen citater under: Den hjælpsøgende")
    True
    """
    from synergi_analysis._quotes import matrix_html

    lang = lang or data.attrs.get("lang") or "da"
    _check_lang(lang)
    if len(data) == 0:
        return _note(word("quote.none", lang))
    page, text = matrix_html(data, lang)
    notes = _table_notes(data.attrs, lang)
    page += "".join(f'<p class="synergi-caveat" style="{_CAVEAT}">{html.escape(n)}</p>'
                    for n in notes)
    return _Shown(f'<div class="synergi-quotes">{page}</div>', "\n".join([text, *notes]))
