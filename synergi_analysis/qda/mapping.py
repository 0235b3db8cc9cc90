"""REFI-QDA projects (``.qdpx``/``.qde``) mapped onto the codebook as studies.

`load_qdpx` reads a project exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or qc
(safely: see `synergi_analysis.qda._read`) and maps it onto the codebook:

- an interview is a ``Case`` (its name is the ``interview_id``; an unnamed case
  takes its source's name; a case without ``SourceRef`` gets the source of its
  name); a project without cases gives one interview per ``TextSource`` (its
  name without the extension) or audio or video source with a transcript; a
  source that belongs to no case becomes an interview of its own;
- a coded dimension (or a journey stage, ``age``, ``long_interview``, ``speaker``)
  is found, case-insensitively, by its key, column or Danish or English label as
  a case ``Variable`` or a variable of the interview's source (MAXQDA's document
  variables); a parent code whose child codes are the values (a coding anywhere
  in the interview gives it the value); an ATLAS.ti code ``Dimension::Value``;
  or an ATLAS.ti set ``dimension: value`` whose member sources are the interview's;
- each text selection (and each transcript selection, the transcript's text
  between its sync points) becomes a quote: its text, its interview, ``codes``,
  the paths of its codes (``Parent::Child``) joined by ``"; "``, and ``memo``, the
  coding comment; selections of one passage (QualCoder writes one per coding)
  are one quote; a code under ``Brugerrejse`` (the journey stage dimension) or
  ``theme`` fills the quote's ``stage`` or ``theme``;
- notes and code descriptions become the study's ``memos`` (`MEMO_COLUMNS`);
  coded pictures, PDF regions, audio and video are no quotes but count in the
  code tables (``selections``).

Values then go through the same validation as CSV data, so an unknown value or an
interview with two values of a one-valued dimension is reported as
``project.qdpx:case NAME:service: ...``. What does not map onto the codebook at
all (the project's own themes, variables the codebook lacks) is kept (as quote
codes and extra interview columns) and listed in `Study.warnings`; `mapping_report`
lists it as kept, and as problems only when asked to be strict.

Positions are read as code points unless the text holds characters outside the
Basic Multilingual Plane; then both code points and UTF-16 code units are tried
and the reading that puts more selection edges on word boundaries wins, a tie
going to UTF-16 for projects written by NVivo (which counts UTF-16 units).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synergi_analysis._io import shipped_data_dir
from synergi_analysis.codebook import Codebook, Dimension, load_codebook
from synergi_analysis.errors import Problem, StudyError, ValidationError
from synergi_analysis.qda._memos import MEMO_COLUMNS, project_captions, project_memos
from synergi_analysis.qda._read import PATH_SEP, QdaProject, Selection, read_project
from synergi_analysis.study import Study
from synergi_analysis.validate import INTERVIEW_ID, validate_interviews, validate_quotes

__all__ = [
    "QdaStudy",
    "load_qdpx",
    "CODES_SEP",
    "QDA_QUOTE_COLUMNS",
    "MEMO_COLUMNS",
]

#: Separator of the code paths in a quote's ``codes`` cell.
CODES_SEP = "; "
#: Quote extras read from a project: the paths of its codes, who applied each (user names
#: joined by ", ", one entry per code), its source and positions, and the coding comment
#: (the selection's description).
QDA_QUOTE_COLUMNS = ["codes", "coders", "source", "start", "end", "memo"]
#: What each kind of selection is called in the code tables' ``kind`` column.
SELECTION_KIND = {"PlainTextSelection": "text", "TranscriptSelection": "transcript",
                  "PDFSelection": "pdf", "PictureSelection": "picture",
                  "AudioSelection": "audio", "VideoSelection": "video"}
_DOC_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|pdf|md|html?|mp3|m4a|wav|ogg|mp4|mov|avi|"
                         r"mkv|webm|jpe?g|png|tiff?)$", re.IGNORECASE)
_MAX_NAMED = 10
_OWN_ORIGIN = "synergi-analysis"


@dataclass(repr=False)
class QdaStudy(Study):
    """A `Study` read from a REFI-QDA project; ``project`` is what the file holds.

    ``memos`` holds the project's notes and code descriptions (`MEMO_COLUMNS`);
    ``selections`` every coded selection of any kind: ``selection``,
    ``interview_id``, ``kind`` (``text``, ``transcript``, ``pdf``, ``picture``,
    ``audio``, ``video``) and ``codes`` (paths joined by ``"; "``), for the
    code tables.
    """

    project: QdaProject | None = None
    memos: pd.DataFrame | None = None
    selections: pd.DataFrame | None = None


# -- mapping targets ----------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A column a project element can fill, and how its values are checked."""

    column: str
    label: str
    dimension: Dimension | None = None
    multi: bool = False


def _norm(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", str(name).strip().casefold())


def _interview_targets(cb: Codebook) -> dict[str, _Target]:
    """Normalised name -> target; columns win over labels when two share a name."""
    targets: dict[str, _Target] = {}
    dims = [d for d in cb.dimensions.values() if d.column]
    state = cb.dimensions.get("journey_state")
    by_column = {d.column: _Target(d.column, d.name, d, d.multi) for d in dims}
    for stage in cb.stages:
        by_column[stage] = _Target(stage, stage, state)
    for col in ("age", "long_interview", "speaker"):
        by_column[col] = _Target(col, col)
    for col, target in by_column.items():
        targets.setdefault(_norm(col), target)
    for d in dims:
        for name in (d.name, d.label_da, d.label_en):
            targets.setdefault(_norm(name), by_column[d.column])
    if "journey_stage" in cb:
        for v in cb["journey_stage"].values:
            if v.key in by_column:
                for name in (v.da, v.en):
                    targets.setdefault(_norm(name), by_column[v.key])
    return targets


def _quote_targets(cb: Codebook) -> dict[str, _Target]:
    targets = {_norm("theme"): _Target("theme", "theme")}
    if "journey_stage" in cb:
        dim = cb["journey_stage"]
        for name in ("stage", dim.name, dim.label_da, dim.label_en):
            targets.setdefault(_norm(name), _Target("stage", "stage", dim))
    return targets


def _code_value(
    path: tuple[str, ...], targets: dict[str, _Target], folders: frozenset[str] = frozenset()
) -> tuple[_Target, str, str] | None:
    """(target, value, parent) for a code path below a parent named after a target.

    The parent must be a top-level code, or sit in a top-level folder (a code that
    cannot itself be coded, as NVivo exports its roots): a theme deep in a
    project's own codebook that happens to be called "age" is not the dimension.
    The value is the child right below that parent, so deeper codes
    (``Ydelse::Pas::Fornyelse``) count for it too.
    """
    depth = 2 if path and path[0] in folders else 1
    for i, part in enumerate(path[: min(depth, len(path) - 1)]):
        target = targets.get(_norm(part))
        if target is not None:
            return target, path[i + 1], PATH_SEP.join(path[: i + 1])
    return None


# -- the mapping --------------------------------------------------------------------


@dataclass
class _Interview:
    id: str
    label: str
    sources: set[str] = field(default_factory=set)
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def add(self, column: str, value: str, how: str) -> None:
        if str(value).strip() != "":
            self.values.setdefault(column, []).append((str(value).strip(), how))


@dataclass
class _Mapping:
    raw_interviews: pd.DataFrame
    interview_rows: list[str]
    raw_quotes: pd.DataFrame
    quote_rows: list[str]
    problems: list[Problem]
    found: dict[str, list[str]]
    unmapped_codes: list[str]
    unmapped_variables: list[str]
    unmapped_sets: list[str]
    notes: list[str]
    memos: pd.DataFrame
    selections: pd.DataFrame


def _doc_stem(name: str) -> str:
    return _DOC_SUFFIX.sub("", name).strip() or name


def _is_text(sel: Selection) -> bool:
    return sel.kind in ("PlainTextSelection", "TranscriptSelection") or (
        sel.kind == "PDFSelection" and bool(sel.text))


def _quote_selections(project: QdaProject) -> tuple[list[Selection], dict[str, str]]:
    """Text selections, one per passage, and the GUID each merged selection went to.

    A PDF selection's text twin counts once (same GUID); selections of one
    passage (same text, same positions) are one quote with the codes of all, as
    tools that write one selection per coding (QualCoder) mean them.
    """
    chosen: dict[str, Selection] = {}
    for sel in project.selections:
        if not _is_text(sel):
            continue
        key = sel.guid or f"#{id(sel)}"
        if key not in chosen or (chosen[key].text is None and sel.text is not None):
            chosen[key] = sel
    merged: dict[tuple, Selection] = {}
    into: dict[str, str] = {}
    for key, sel in chosen.items():
        if sel.start is None or sel.end is None or sel.kind == "PDFSelection":
            merged[(key,)] = sel
            continue
        passage = (sel.source, sel.host, sel.start, sel.end)
        first = merged.get(passage)
        if first is None:
            merged[passage] = dataclasses.replace(sel, codes=list(sel.codes),
                                                  users=list(sel.users), notes=list(sel.notes))
            continue
        into[sel.guid] = first.guid
        for code, user in zip(sel.codes, sel.users or [""] * len(sel.codes), strict=True):
            first.codes.append(code)
            first.users.append(user)
        first.notes += sel.notes
        if sel.description and sel.description not in first.description:
            first.description = "\n\n".join(d for d in (first.description, sel.description) if d)
    return list(merged.values()), into


def _case_sources(project: QdaProject) -> list[list[str]]:
    """The sources of each case; a case without ``SourceRef`` (QualCoder writes none)
    gets the source of its own name that no other case claims."""
    claimed = {g for case in project.cases for g in case.sources}
    by_name: dict[str, list[str]] = {}
    for src in project.sources:
        if src.guid not in claimed:
            by_name.setdefault(_doc_stem(src.name).casefold(), []).append(src.guid)
    out = []
    for case in project.cases:
        if case.sources or case.selections:
            out.append(list(case.sources))
        else:
            out.append(by_name.pop(case.name.casefold(), []))
    return out


def _case_name(case, sources: list[str], names: dict[str, str]) -> str:
    """A case's name; an unnamed case (the reader names it by its GUID) takes its source's."""
    if case.name and case.name != case.guid:
        return case.name
    return _doc_stem(names[sources[0]]) if sources and sources[0] in names else case.name


def _build_interviews(project: QdaProject, quotes: list[Selection], notes: list[str]):
    """The interviews and, for every selection GUID, the interview it belongs to."""
    interviews: list[_Interview] = []
    of_selection: dict[str, int] = {}
    of_source: dict[str, list[int]] = {}
    # Interviews: text sources, and audio or video with a transcript.
    text_sources = {s.guid for s in project.sources
                    if s.kind == "TextSource" or s.transcripts}
    text_sources |= {q.source for q in quotes}
    if project.cases:
        names = {s.guid: s.name for s in project.sources}
        for case, sources in zip(project.cases, _case_sources(project), strict=True):
            i = len(interviews)
            name = _case_name(case, sources, names)
            interviews.append(_Interview(name, f"case {name}", set(sources)))
            for src in sources:
                of_source.setdefault(src, []).append(i)
        # The most specific membership wins: a selection reference, then a case
        # code, then the whole source.
        by_code: dict[str, list[int]] = {}
        for i, case in enumerate(project.cases):
            for code in case.codes:
                by_code.setdefault(code, []).append(i)
        ambiguous = 0
        for sel in project.selections:
            candidates = [
                [i for i, c in enumerate(project.cases) if sel.guid in c.selections],
                sorted({i for g in sel.codes for i in by_code.get(g, [])}),
                of_source.get(sel.source, []),
            ]
            cases = next((c for c in candidates if c), None)
            if cases:
                of_selection[sel.guid] = cases[0]
                ambiguous += len(set(cases)) > 1
        if ambiguous:
            notes.append(f"{ambiguous} selection(s) belong to several cases; each is given to "
                         "the first case that claims it")
        # Documents outside every case are not interviews, unless they hold quotes.
        quote_guids = {q.guid for q in quotes}
        loose = [s for s in project.sources
                 if any(sel.guid in quote_guids and sel.guid not in of_selection
                        for sel in s.selections)]
        if loose:
            names = ", ".join(repr(s.name) for s in loose[:_MAX_NAMED])
            notes.append(f"{len(loose)} source(s) hold quotes of no case and are interviews of "
                         f"their own: {names}")
    else:
        loose = [s for s in project.sources if s.guid in text_sources]
    taken = Counter(iv.id for iv in interviews)
    renamed = []
    for src in loose:
        i = len(interviews)
        name = _doc_stem(src.name)
        # Two documents with one name ("a.txt", "a.docx") must not merge into one interview.
        taken[name] += 1
        if taken[name] > 1:
            renamed.append(f"{src.name!r} -> '{name} ({taken[name]})'")
            name = f"{name} ({taken[name]})"
        interviews.append(_Interview(name, f"source {src.name}", {src.guid}))
        of_source.setdefault(src.guid, []).append(i)
        for sel in src.selections:
            of_selection.setdefault(sel.guid, i)
    if renamed:
        notes.append("interviews named after sources that share a name: " + ", ".join(renamed))
    return interviews, of_selection, of_source


def _resolve(values: list[tuple[str, str]], target: _Target) -> tuple[str, str | None]:
    """The cell for a column given every value found for it, and a conflict message.

    Spellings of one codebook value (``Pas``, ``pas``) agree; a multi-valued
    dimension joins its values; anything else with two values is a conflict,
    reported with where each value came from (never picked silently).
    """
    lookup = target.dimension.lookup() if target.dimension is not None else {}
    distinct: dict[str, tuple[str, list[str]]] = {}
    for value, how in values:
        if target.column == "age":
            key = value.lstrip("0") or "0"
        else:
            key = lookup.get(value.casefold(), value.casefold())
        distinct.setdefault(key, (value, []))[1].append(how)
    spellings = [v for v, _ in distinct.values()]
    if target.multi:
        return target.dimension.separator.join(spellings), None
    if len(distinct) > 1:
        listed = ", ".join(f"{v!r} ({hows[0]})" for v, hows in distinct.values())
        return spellings[0], f"{len(distinct)} different values: {listed}; it takes one"
    return spellings[0], None


def _map_project(project: QdaProject, cb: Codebook) -> _Mapping:
    notes: list[str] = []
    problems: list[Problem] = []
    targets = _interview_targets(cb)
    qtargets = _quote_targets(cb)
    qcolumns = {t.column: t for t in qtargets.values()}
    quotes, into = _quote_selections(project)
    interviews, of_selection, of_source = _build_interviews(project, quotes, notes)
    found: dict[str, list[str]] = {}

    def note_found(column: str, how: str) -> None:
        found.setdefault(column, [])
        if how not in found[column]:
            found[column].append(how)

    band = cb["age_band"].column if "age_band" in cb else None

    def target_for(t: _Target, value: str) -> _Target:
        # An exact age given where the age band is expected: the band is derived from it.
        if t.column == band and value.strip().isdigit() and "age" in targets:
            return targets["age"]
        return t

    # Case variables, then the variables of each interview's sources (MAXQDA's
    # document variables).
    unmapped_variables: list[str] = []
    source_vars = {s.guid: s.variables for s in project.sources if s.variables}
    for k, iv in enumerate(interviews):
        own = dict(project.cases[k].variables) if k < len(project.cases) else {}
        found_in = [own] + [source_vars[g] for g in sorted(iv.sources) if g in source_vars]
        for name, value in ((n, v) for vs in found_in for n, v in vs.items()):
            t = targets.get(_norm(name))
            if t is None:
                iv.extra[name] = value
                if name not in unmapped_variables:
                    unmapped_variables.append(name)
                continue
            t = target_for(t, value)
            note_found(t.column, f"variable {name!r}")
            iv.add(t.column, value, f"variable {name!r}")
    for name, _type in project.variables.values():
        t = targets.get(_norm(name))
        if t is not None:
            note_found(t.column, f"variable {name!r}")
        elif name not in unmapped_variables:
            unmapped_variables.append(name)

    # Codes: parents named after a target, ATLAS.ti "Dimension::Value" names.
    folders = frozenset(c.path[0] for c in project.codes.values()
                        if len(c.path) == 1 and not c.codable)
    mapped: set[str] = set()
    for code in project.codes.values():
        for group in (targets, qtargets):
            hit = _code_value(code.path, group, folders)
            if hit is not None:
                mapped |= {code.path_name, hit[2]}
                if group is targets:
                    note_found(target_for(hit[0], hit[1]).column, f"code {hit[2]!r}")
    unmapped_codes = [c.path_name for c in project.codes.values() if c.path_name not in mapped
                      and not (len(c.path) == 1 and c.path[0] in folders)]
    for sel in project.selections:
        i = of_selection.get(sel.guid)
        if i is None:
            continue
        for guid in sel.codes:
            code = project.codes.get(guid)
            hit = _code_value(code.path, targets, folders) if code is not None else None
            if hit is not None:
                t = target_for(hit[0], hit[1])
                interviews[i].add(t.column, hit[1], f"code {code.path_name!r}")

    # Sets named "dimension: value" (how ATLAS.ti exports document attributes).
    unmapped_sets = []
    for s in project.sets:
        if ":" not in s.name or PATH_SEP in s.name:
            continue
        name, value = (p.strip() for p in s.name.split(":", 1))
        t = targets.get(_norm(name))
        if t is None:
            unmapped_sets.append(s.name)
            continue
        t = target_for(t, value)
        note_found(t.column, f"sets {name + ': …'!r}")
        for src in s.sources:
            for i in of_source.get(src, []):
                interviews[i].add(t.column, value, f"set {s.name!r}")

    # The raw interview frame, one row per interview, cells as text.
    by_column = {t.column: t for t in targets.values()}
    columns = [INTERVIEW_ID] + list(dict.fromkeys(t.column for t in targets.values()))
    extras = list(dict.fromkeys(k for iv in interviews for k in iv.extra))
    rows = []
    for iv in interviews:
        row = dict.fromkeys(columns, "")
        row[INTERVIEW_ID] = iv.id
        for column, values in iv.values.items():
            row[column], conflict = _resolve(values, by_column[column])
            if conflict:
                problems.append(Problem(project.file, iv.label, column, conflict))
        for name in extras:
            row[name] = iv.extra.get(name, "")
        rows.append(row)
    raw_interviews = pd.DataFrame(rows, columns=columns + extras, dtype=object)

    # Quotes, in reading order: interview, source, position.
    source_order = {s.guid: k for k, s in enumerate(project.sources)}
    source_name = {s.guid: s.name for s in project.sources}
    own = project.origin.casefold().startswith(_OWN_ORIGIN)
    captions = project_captions(project) if own else {}
    qrows, qlabels, order = [], [], []
    quote_of: dict[str, str] = {}
    selections: list[dict] = []
    no_text = unknown_codes = 0
    for n, sel in enumerate(quotes):
        i = of_selection.get(sel.guid)
        if i is None:
            continue
        text = sel.text
        if text is None or not text.strip():
            no_text += 1
            text = sel.name or sel.description or "(the text is not in the project)"
        paths, stage, theme = [], [], []
        coders: dict[str, list[str]] = {}
        users = sel.users if len(sel.users) == len(sel.codes) else [""] * len(sel.codes)
        for guid, user in zip(sel.codes, users, strict=True):
            code = project.codes.get(guid)
            if code is None:
                unknown_codes += 1
                continue
            if code.path_name not in paths:
                paths.append(code.path_name)
            name = project.users.get(user, user)
            if name and name not in coders.setdefault(code.path_name, []):
                coders[code.path_name].append(name)
            hit = _code_value(code.path, qtargets, folders)
            if hit is not None:
                (stage if hit[0].column == "stage" else theme).append(
                    (hit[1], f"code {code.path_name!r}"))
        quote_id = sel.name if own and sel.name else sel.guid
        quote_of[sel.guid] = quote_id
        selections.append({"selection": quote_id, INTERVIEW_ID: interviews[i].id,
                           "kind": SELECTION_KIND.get(sel.kind, "text"),
                           "codes": CODES_SEP.join(paths)})
        row = {"quote_id": quote_id, INTERVIEW_ID: interviews[i].id, "text": text,
               "stage": "", "theme": ""}
        if sel.guid in captions:  # our export keeps a quote's caption in a note on it
            row["caption"] = captions[sel.guid]
        for column, values in (("stage", stage), ("theme", theme)):
            if values:
                row[column], conflict = _resolve(values, qcolumns[column])
                if conflict:
                    problems.append(Problem(project.file, f"selection {quote_id}", column,
                                            conflict))
        row.update(codes=CODES_SEP.join(paths),
                   coders=CODES_SEP.join(", ".join(coders.get(p, [])) for p in paths)
                   if coders else "",
                   source=source_name.get(sel.source, ""),
                   start=sel.start, end=sel.end, memo=sel.description)
        qrows.append(row)
        qlabels.append(f"selection {quote_id}")
        order.append((i, source_order.get(sel.source, 0), sel.start or 0, sel.end or 0, n))
    ranked = sorted(range(len(qrows)), key=order.__getitem__)
    captions = any("caption" in r for r in qrows)
    raw_quotes = pd.DataFrame([qrows[k] for k in ranked],
                              columns=["quote_id", INTERVIEW_ID, "text",
                                       *(["caption"] if captions else []), "stage", "theme",
                                       *QDA_QUOTE_COLUMNS])
    raw_quotes["start"] = raw_quotes["start"].astype("Int64")
    raw_quotes["end"] = raw_quotes["end"].astype("Int64")
    quote_rows = [qlabels[k] for k in ranked]

    if project.missing_texts:
        names = ", ".join(repr(n) for n in list(project.missing_texts)[:_MAX_NAMED])
        notes.append(f"the text of {len(project.missing_texts)} source(s) is not in the "
                     f"project ({names})")
    if no_text:
        notes.append(f"{no_text} selection(s) have no text in the project; their quote text is "
                     "the selection's name")
    regions = [s for s in project.selections if not _is_text(s)]
    for sel in regions:
        # Coded regions count in the code tables, under their interview (else their source).
        i = of_selection.get(sel.guid)
        paths = list(dict.fromkeys(project.codes[g].path_name for g in sel.codes
                                   if g in project.codes))
        if paths:
            selections.append({
                "selection": sel.guid, "kind": SELECTION_KIND.get(sel.kind, sel.kind),
                INTERVIEW_ID: interviews[i].id if i is not None
                else _doc_stem(source_name.get(sel.source, sel.source)),
                "codes": CODES_SEP.join(paths)})
    if regions:
        kinds = ", ".join(sorted({SELECTION_KIND.get(s.kind, s.kind) for s in regions}))
        notes.append(f"{len(regions)} selection(s) without text ({kinds}) are not quotes; their "
                     "codes count in the code tables (kind column) and give interviews their "
                     "values")
    if unknown_codes:
        notes.append(f"{unknown_codes} coding(s) refer to codes that are not in the project's "
                     "codebook; left out")
    quote_of.update({g: quote_of[first] for g, first in into.items() if first in quote_of})
    interview_of = {g: interviews[i[0]].id for g, i in of_source.items() if len(i) == 1}
    memos = project_memos(project, quotes=quote_of, interviews=interview_of,
                          own=own)
    frame = pd.DataFrame(selections, columns=["selection", INTERVIEW_ID, "kind", "codes"])
    return _Mapping(raw_interviews, [iv.label for iv in interviews], raw_quotes, quote_rows,
                    problems, found, unmapped_codes, unmapped_variables, unmapped_sets,
                    notes + project.warnings, memos, frame)


def _blank_required(mapping: _Mapping, cb: Codebook) -> dict[str, list[str]]:
    """Required column -> labels of the interviews the project gives no value for it."""
    raw = mapping.raw_interviews
    band = cb["age_band"].column if "age_band" in cb else None
    blank: dict[str, list[str]] = {}
    for d in cb.dimensions.values():
        if not (d.column and d.required and d.column in raw):
            continue
        empty = raw[d.column].astype(str).str.strip() == ""
        if d.column == band and "age" in raw:
            empty &= raw["age"].astype(str).str.strip() == ""
        if empty.any():
            blank[d.column] = [r for r, e in zip(mapping.interview_rows, empty, strict=True) if e]
    return blank


def _validate(mapping: _Mapping, cb: Codebook, file: str):
    """Validate the raw frames like CSV data.

    Returns the frames, the problems (unknown values, conflicts) and the blank
    required cells, which a project often has (documents that are not interviews,
    dimensions coded elsewhere): `load_qdpx` warns about those, `mapping_report`
    lists them as problems.
    """
    interviews, problems = validate_interviews(mapping.raw_interviews, cb, file=file,
                                               rows=mapping.interview_rows)
    blank = _blank_required(mapping, cb)
    cells = {(row, col) for col, rows in blank.items() for row in rows}
    problems = [p for p in problems if (p.row, p.column) not in cells]
    ids = interviews[INTERVIEW_ID] if INTERVIEW_ID in interviews else []
    quotes, quote_problems = validate_quotes(mapping.raw_quotes, cb, ids, file=file,
                                             rows=mapping.quote_rows, interviews_file=file)
    for col in ("start", "end"):
        quotes[col] = mapping.raw_quotes[col].reset_index(drop=True)
    return interviews, quotes, mapping.problems + problems + quote_problems, blank


def _listed(names: list[str]) -> str:
    """The first names of a list, and how many more: a summary, never hundreds of lines."""
    shown = ", ".join(names[:_MAX_NAMED])
    more = len(names) - _MAX_NAMED
    return shown + (f", ... ({more} more)" if more > 0 else "")


def _unmapped_warnings(mapping: _Mapping, cb: Codebook,
                       blank: dict[str, list[str]]) -> list[str]:
    warnings = []
    for col, rows in blank.items():
        if col in mapping.found or (col == "age_band" and "age" in mapping.found):
            warnings.append(f"{col}: no value for {len(rows)} interview(s): {_listed(rows)}")
    missing = [d.name for d in cb.dimensions.values() if d.column and d.column not in mapping.found]
    if "age_band" in missing and "age" in mapping.found:
        missing.remove("age_band")
    stages = [s for s in cb.stages if s in mapping.found]
    if cb.stages and not stages:
        missing.append("journey states")
    if missing:
        warnings.append("not in the project (interviews have no value for them): "
                        + ", ".join(missing))
    if mapping.unmapped_codes:
        warnings.append(f"{len(mapping.unmapped_codes)} code(s) map onto no dimension of the "
                        f"codebook (kept as quote codes): {_listed(mapping.unmapped_codes)}")
    if mapping.unmapped_variables:
        warnings.append("variables the codebook does not have (kept as interview columns): "
                        + _listed(mapping.unmapped_variables))
    if mapping.unmapped_sets:
        warnings.append("sets that name no dimension of the codebook: "
                        + _listed(mapping.unmapped_sets))
    return warnings


def _read(path, codebook, *, need_sources: bool = True,
          sources=None) -> tuple[QdaProject, Codebook, Path]:
    path = Path(path).expanduser()
    if not path.exists():
        raise StudyError(f"{path}: no such file or folder")
    cb_path = Path(codebook) if codebook else shipped_data_dir() / "codebook.yml"
    project = read_project(path, sources=sources)
    if need_sources and not project.sources and not project.cases:
        raise StudyError(f"{project.file}: the project has no sources; there is nothing to "
                         "import")
    return project, load_codebook(cb_path), cb_path


def load_qdpx(path: str | Path, codebook: str | Path | None = None, *,
              sources: str | Path | None = None) -> QdaStudy:
    """Load a REFI-QDA project (``.qdpx``, or a ``.qde`` beside its ``sources/``) as a study.

    Parameters
    ----------
    path : str or pathlib.Path
        The project, as exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or qc.
    codebook : str or pathlib.Path, optional
        The codebook to map onto; default: the shipped one.
    sources : str or pathlib.Path, optional
        The folder of the texts the project keeps outside itself (see `read_project`).

    Returns
    -------
    QdaStudy
        A `Study` whose ``interviews`` come from the cases (or text sources) and
        whose ``quotes`` are the text selections, with the columns of
        `validate_quotes` plus ``codes`` (code paths joined by ``"; "``),
        ``source``, ``start`` and ``end`` (positions as the file gives them);
        ``warnings`` lists what does not map onto the codebook; ``project`` is
        the project as read.

    Raises
    ------
    StudyError
        The file cannot be read, or is refused as unsafe.
    ValidationError
        A value breaks the codebook, e.g.
        ``project.qdpx:case Anna:service: unknown service 'Passs'; did you mean 'pas'?``

    Examples
    --------
    >>> import tempfile
    >>> from synergi_analysis import export_qdpx, load_study
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     study = load_qdpx(export_qdpx(load_study(), Path(tmp) / "study.qdpx"))
    >>> len(study.interviews), len(study.quotes), study.warnings
    (45, 20, [])
    >>> study.quotes.loc[0, ["quote_id", "interview_id", "codes"]].tolist()
    ['Q02', 'I01', 'theme::oplagt-synergi']
    """
    project, cb, cb_path = _read(path, codebook, sources=sources)
    return _study(project, cb, cb_path, path)


def _study(project: QdaProject, cb: Codebook, cb_path: Path, path) -> QdaStudy:
    """A read project mapped onto the codebook and validated, as a study."""
    mapping = _map_project(project, cb)
    interviews, quotes, problems, blank = _validate(mapping, cb, project.file)
    if problems:
        raise ValidationError(problems)
    return QdaStudy(
        codebook=cb,
        interviews=interviews,
        quotes=quotes,
        source=str(path),
        files={"codebook": cb_path, "project": Path(path)},
        warnings=mapping.notes + _unmapped_warnings(mapping, cb, blank),
        folder=None,
        project=project,
        memos=mapping.memos,
        selections=mapping.selections,
    )


def _all_columns(cb: Codebook) -> list[str]:
    return [*(d.column for d in cb.dimensions.values() if d.column), *cb.stages,
            "age", "long_interview", "speaker"]
