"""Reading a REFI-QDA project safely: the XML and the source texts.

The container (the zip, or a loose ``.qde`` with its ``sources/``) is opened by
`synergi_analysis.qda._archive`; this module parses what it holds.

A ``.qdpx`` comes from outside (an e-mail attachment, a shared drive), so reading
one is defensive throughout:

- the zip is read in memory, member by member, never extracted; an entry whose
  name is absolute or climbs out with ``..`` makes the whole archive refused;
- every member is read in bounded chunks, never trusting the sizes its header
  claims, and refused past `MAX_TOTAL_BYTES` in all or a compression ratio above
  `MAX_RATIO` (a zip bomb);
- the XML is parsed with defusedxml: a DOCTYPE that declares entities (external
  or expanding ones) is refused, naming the entity;
- a source path that points outside the project is refused, and so is a symbolic
  link (a ``sources/`` folder, or a file in it) that leads out of its folder;
- the project's ``basePath`` is never followed: text kept outside the project
  (``relative://``) is read only from a folder the user names (``sources=``),
  else it is reported as missing;
- a GUID used twice, a negative or reversed position, or one past any text is a
  problem (`ValidationError`), never silently resolved.

Every refusal is a `StudyError` saying what was wrong. The result is a
`QdaProject`: the project's users, codes (with their descriptions), sources
with their texts and variables, selections of every kind with their codings
(who made each) and selected text (a transcript's between its sync points),
cases with their variables, sets, and notes with what they refer to, with
GUIDs normalised (no braces, lower case) and names in Unicode NFC.

What real exports do differently from the standard is tolerated: the project
file named ``project.qde``, ``Project.qde`` or after the project; ``sources/``
or ``Sources/``; ``plainTextPath`` as ``internal://``, ``relative:///`` (looked
up inside the project, then in the folder given as ``sources=``) or a bare file
name; text embedded as ``PlainTextContent``; source files in UTF-8 with or without
a BOM (or UTF-16 with one; cp1252 as a last resort).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from pathlib import Path

import defusedxml.ElementTree as safe_et
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from synergi_analysis._io import _encoding
from synergi_analysis.errors import Problem, StudyError, ValidationError
from synergi_analysis.qda._archive import MAX_RATIO, find_in, open_container, unsafe
from synergi_analysis.qda._model import (
    CODE_POINTS,
    PATH_SEP,
    SELECTION_KINDS,
    SOURCE_KINDS,
    UTF16_UNITS,
    Case,
    Code,
    CodeSet,
    Note,
    QdaProject,
    Selection,
    Source,
)

__all__ = ["QdaProject", "Note", "read_project", "MAX_TOTAL_BYTES", "MAX_RATIO", "CODE_POINTS",
           "UTF16_UNITS"]

NS = "urn:QDA-XML:project:1.0"
#: Most uncompressed bytes read from one project (all members and files together).
MAX_TOTAL_BYTES = 256 * 2**20
#: No text of a project can be longer than its byte budget: a position past it is no position.
MAX_POSITION = MAX_TOTAL_BYTES


# -- the byte budget ----------------------------------------------------------------


class _Budget:
    """Counts the bytes read from one project against `MAX_TOTAL_BYTES`."""

    def __init__(self, label: str):
        self.label = label
        self.total = 0

    def add(self, n: int, what: str) -> None:
        self.total += n
        if self.total > MAX_TOTAL_BYTES:
            raise StudyError(
                f"{self.label}: refused: {what} takes the project past "
                f"{MAX_TOTAL_BYTES // 2**20} MiB uncompressed (a zip bomb?)"
            )


# -- XML ----------------------------------------------------------------------------


def _parse_xml(data: bytes, label: str):
    try:
        return safe_et.fromstring(data, forbid_dtd=False, forbid_entities=True,
                                  forbid_external=True)
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            raise StudyError(
                f"{label}: refused: the XML declares an external entity {exc.name!r} "
                f"({exc.sysid or exc.pubid}); entities are not expanded"
            ) from None
        raise StudyError(
            f"{label}: refused: the XML declares an entity {exc.name!r} (entities can "
            "expand without bound or read other files); entities are not expanded"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise StudyError(
            f"{label}: refused: the XML refers to an external resource "
            f"{exc.sysid or exc.pubid!r}; it is not fetched"
        ) from None
    except DTDForbidden:  # pragma: no cover - DTDs without entities are allowed
        raise StudyError(f"{label}: refused: the XML has a DOCTYPE declaration") from None
    except DefusedXmlException as exc:
        raise StudyError(f"{label}: refused: unsafe XML ({exc})") from None
    except safe_et.ParseError as exc:
        raise StudyError(f"{label}: not a REFI-QDA project: not well-formed XML ({exc})") from None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(elem, name: str) -> list:
    return [c for c in elem if _local(c.tag) == name]


def _child(elem, name: str):
    for c in elem:
        if _local(c.tag) == name:
            return c
    return None


def _guid(raw: str | None) -> str:
    return (raw or "").strip().strip("{}").strip().lower()


def _name(raw: str | None) -> str:
    """A name as the tools show it; NFC, so a macOS export (NFD) names what Windows does."""
    return unicodedata.normalize("NFC", (raw or "").strip())


def _int(raw: str | None) -> int | None:
    try:
        return int(str(raw).strip()[:40])
    except (TypeError, ValueError):
        return None


def _check_positions(project: QdaProject, problems: list[Problem]) -> None:
    """Report text positions no text has: negative, reversed, or past any text's length.

    Such a selection is not resolved silently (a negative position would cut from
    the end of the text, a reversed pair would be swapped): its positions are set
    to None so that nothing is cut, and the problem stops the load.
    """
    for sel in project.selections:
        if sel.kind not in ("PlainTextSelection", "TranscriptSelection"):
            continue
        found = []
        for attr, value in (("startPosition", sel.start), ("endPosition", sel.end)):
            if value is None:
                continue
            if value < 0:
                found.append((attr, f"{attr} {value} is negative"))
            elif value > MAX_POSITION:
                found.append((attr, f"{attr} {value} is past any text"))
        if not found and sel.start is not None and sel.end is not None and sel.start > sel.end:
            found.append(("startPosition",
                          f"startPosition {sel.start} is after endPosition {sel.end}"))
        for attr, message in found:
            problems.append(Problem(project.file, f"selection {sel.guid}", attr, message))
        if found:
            sel.start = sel.end = None


def _reused(seen: dict[str, int], kind: str, file: str) -> list[Problem]:
    """A problem for every GUID used by more than one element of a kind."""
    return [Problem(file, f"{kind} {guid}", None,
                    f"the GUID is used by {n} {kind}s; each {kind} needs its own")
            for guid, n in seen.items() if n > 1]


def _text_of(elem) -> str:
    return "".join(elem.itertext()) if elem is not None else ""


def _split_ref(raw: str) -> tuple[str, str]:
    """``internal://x.txt`` -> ("internal", "x.txt"); a bare name -> ("bare", name)."""
    m = re.match(r"^([A-Za-z]+):/*(.*)$", raw.strip())
    if m and m.group(1).lower() in {"internal", "relative", "absolute", "file"}:
        return m.group(1).lower(), m.group(2)
    return "bare", raw.strip()


# -- text ---------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    return data.decode(_encoding(data), errors="replace").lstrip("\ufeff")


def _has_astral(text: str) -> bool:
    return any(ord(ch) > 0xFFFF for ch in text) if not text.isascii() else False


class _Utf16Index:
    """Converts UTF-16 code-unit offsets of a text into Python (code point) indices."""

    def __init__(self, text: str):
        # UTF-16 offset at which each astral character starts.
        self.starts = []
        shift = 0
        for i, ch in enumerate(text):
            if ord(ch) > 0xFFFF:
                self.starts.append(i + shift)
                shift += 1
        self.length = len(text) + shift

    def to_index(self, unit: int) -> int | None:
        """The code point index, or None when the unit splits a surrogate pair."""
        k = bisect.bisect_left(self.starts, unit)
        if k and self.starts[k - 1] + 1 == unit:
            return None
        return unit - k


def _on_boundary(text: str, i: int) -> bool:
    if i <= 0 or i >= len(text):
        return True
    return not (text[i - 1].isalnum() and text[i].isalnum())


def _choose_offsets(project: QdaProject) -> str:
    """Decide whether positions count code points or UTF-16 code units.

    They differ only in texts with characters outside the Basic Multilingual Plane
    (emoji). For selections in such texts both readings are tried; the one that
    puts more selection edges on word boundaries (and inside the text) wins. A tie
    goes to UTF-16 when the project was written by NVivo, else to code points (what
    the standard's "characters" means in most tools).
    """
    score = {CODE_POINTS: 0, UTF16_UNITS: 0}
    indexes: dict[str, _Utf16Index] = {}
    for sel in project.selections:
        text = project.texts.get(sel.host or "")
        if (sel.kind not in ("PlainTextSelection", "TranscriptSelection") or not text
                or sel.start is None or sel.end is None):
            continue
        if sel.host not in indexes:
            indexes[sel.host] = _Utf16Index(text) if _has_astral(text) else None
        index = indexes[sel.host]
        if index is None:
            continue
        for unit, reading in ((CODE_POINTS, (sel.start, sel.end)),
                              (UTF16_UNITS, (index.to_index(sel.start), index.to_index(sel.end)))):
            a, b = reading
            if a is None or b is None or not 0 <= a <= b <= len(text):
                continue
            score[unit] += _on_boundary(text, a) + _on_boundary(text, b)
    if score[UTF16_UNITS] != score[CODE_POINTS]:
        return max(score, key=score.get)
    return UTF16_UNITS if project.origin.casefold().startswith("nvivo") else CODE_POINTS


def _cut(project: QdaProject, sel: Selection, index_cache: dict) -> tuple[str | None, str]:
    """The selection's text and a note ('' when all went well)."""
    text = project.texts.get(sel.host or "")
    if text is None:
        return None, "no text"
    a, b = sel.start, sel.end
    if a is None or b is None:
        return None, "no positions"
    if project.offsets == UTF16_UNITS and _has_astral(text):
        index = index_cache.get(sel.host)
        if index is None:
            index = index_cache[sel.host] = _Utf16Index(text)
        a, b = index.to_index(a), index.to_index(b)
        if a is None or b is None:
            return None, "positions split a character"
    note = ""
    if b > len(text):
        note = "outside the text"
        a, b = min(a, len(text)), len(text)
    return text[a:b].replace("\r\n", "\n"), note


# -- the project --------------------------------------------------------------------


def _read_codes(codes_elem, project: QdaProject, problems: list[Problem]) -> None:
    # Depth first, parents before children, with a stack of its own: a code tree is
    # as deep as the file says, and recursion would end at Python's limit.
    if codes_elem is None:
        return
    stack = [(code, ()) for code in reversed(_children(codes_elem, "Code"))]
    seen: dict[str, int] = {}
    while stack:
        code, parent = stack.pop()
        name = _name(code.get("name"))
        parts = tuple(p.strip() for p in name.split(PATH_SEP)) if name else ("",)
        path = parent + parts
        guid = _guid(code.get("guid"))
        codable = (code.get("isCodable") or "true").strip().lower() != "false"
        if guid:
            seen[guid] = seen.get(guid, 0) + 1
            description = _text_of(_child(code, "Description")).strip()
            project.codes.setdefault(guid, Code(guid, name, path, codable, description))
            _note_refs(code, project, "code", guid)
        stack.extend((child, path) for child in reversed(_children(code, "Code")))
    problems += _reused(seen, "code", project.file)


def _source_name(elem, text_ref: str) -> str:
    name = _name(elem.get("name"))
    if name:
        return name
    if text_ref:
        return _split_ref(text_ref)[1].replace("\\", "/").rsplit("/", 1)[-1]
    return _guid(elem.get("guid"))


def _load_text(container, project: QdaProject, external: Path | None, ref: str,
               owner: str) -> str | None:
    kind, rest = _split_ref(ref)
    if unsafe(rest) and kind != "absolute":
        raise StudyError(
            f"{project.file}: refused: source {owner!r} points outside the project ({ref})"
        )
    if kind == "absolute":
        project.warnings.append(
            f"source {owner!r}: its text is an external file ({ref}), which is not read"
        )
        return None
    # A transcript and its text source often share one file: read it once.
    if ref in container.texts:
        return container.texts[ref]
    data = container.find(rest, kind)
    if data is None and kind == "relative" and external is not None:
        # The project's own basePath is never followed (it could name any folder on
        # this machine); only the folder the user named is.
        data = find_in(external, rest, kind, project.file, container.budget)
    if data is None:
        project.missing_texts.setdefault(owner, ref)
    container.texts[ref] = None if data is None else _decode(data)
    return container.texts[ref]


def _note_refs(elem, project: QdaProject, kind: str, guid: str) -> list[str]:
    """Record the ``NoteRef`` children of ``elem`` as referring to (kind, guid)."""
    found = []
    for ref in _children(elem, "NoteRef"):
        note = _guid(ref.get("targetGUID"))
        if note:
            project.note_refs.append((note, kind, guid))
            found.append(note)
    return found


def _read_selection(elem, kind: str, source: str, host: str | None, project: QdaProject,
                    sync: dict[str, int] | None = None) -> Selection:
    guid = _guid(elem.get("guid"))
    user = _guid(elem.get("creatingUser"))
    codes, users = [], []
    notes = _note_refs(elem, project, "selection", guid)
    for coding in _children(elem, "Coding"):
        notes += _note_refs(coding, project, "selection", guid)
        for ref in _children(coding, "CodeRef"):
            code = _guid(ref.get("targetGUID"))
            if code:
                codes.append(code)
                users.append(_guid(coding.get("creatingUser")) or user)
    text = None
    rep = _child(elem, "Representation")
    if rep is not None and _child(rep, "PlainTextContent") is not None:
        text = _text_of(_child(rep, "PlainTextContent"))
    if kind == "TranscriptSelection":
        # A transcript selection runs between two sync points of its transcript.
        sync = sync or {}
        start = sync.get(_guid(elem.get("fromSyncPoint")))
        end = sync.get(_guid(elem.get("toSyncPoint")))
    elif kind in ("AudioSelection", "VideoSelection"):
        start, end = _int(elem.get("begin")), _int(elem.get("end"))
    else:
        start, end = _int(elem.get("startPosition")), _int(elem.get("endPosition"))
    return Selection(
        guid=guid,
        kind=kind,
        name=_name(elem.get("name")),
        source=source,
        start=start,
        end=end,
        codes=codes,
        host=host,
        text=text,
        description=_text_of(_child(elem, "Description")).strip(),
        user=user,
        created=(elem.get("creationDateTime") or "").strip(),
        users=users,
        notes=notes,
    )


def _source_variables(elem, project: QdaProject, source: Source) -> None:
    """Variables attached to a source (MAXQDA's document variables)."""
    for vv in _children(elem, "VariableValue"):
        ref = _child(vv, "VariableRef")
        var = project.variables.get(_guid(ref.get("targetGUID")) if ref is not None else "")
        if var is None:
            project.warnings.append(f"source {source.name!r}: a value of an unknown variable")
            continue
        value = _variable_value(vv)
        if value != "":
            source.variables[var[0]] = value


def _read_sources(sources_elem, container, project: QdaProject, external: Path | None) -> None:
    for elem in list(sources_elem) if sources_elem is not None else []:
        kind = _local(elem.tag)
        if kind not in SOURCE_KINDS:
            continue
        guid = _guid(elem.get("guid"))
        text_ref = (elem.get("plainTextPath") or "").strip()
        source = Source(guid=guid, kind=kind, name=_source_name(elem, text_ref),
                        text_ref=text_ref)
        project.sources.append(source)
        _source_variables(elem, project, source)
        _note_refs(elem, project, "source", guid)
        source.transcripts = len(_children(elem, "Transcript"))
        # Text hosts: a TextSource's own text; representations of PDFs; transcripts.
        hosts: list[tuple[object, str]] = []
        if kind == "TextSource":
            hosts.append((elem, guid))
        for sub in _children(elem, "Representation") + _children(elem, "Transcript"):
            hosts.append((sub, _guid(sub.get("guid")) or f"{guid}/{len(hosts)}"))
        for host_elem, key in hosts:
            content = _child(host_elem, "PlainTextContent")
            ref = (host_elem.get("plainTextPath") or "").strip()
            if content is not None:
                project.texts[key] = _text_of(content)
            elif ref:
                project.texts[key] = _load_text(container, project, external, ref,
                                                source.name)
            else:
                project.texts[key] = None
            project.text_names[key] = source.name
            sync = {_guid(p.get("guid")): _int(p.get("position"))
                    for p in _children(host_elem, "SyncPoint")}
            for sel in host_elem:
                sel_kind = _local(sel.tag)
                if sel_kind in SELECTION_KINDS:
                    source.selections.append(
                        _read_selection(sel, sel_kind, guid, key, project, sync))
        if kind != "TextSource":
            # PDF, picture, audio and video selections: regions without text positions.
            for sel in elem:
                sel_kind = _local(sel.tag)
                if sel_kind in SELECTION_KINDS:
                    source.selections.append(
                        _read_selection(sel, sel_kind, guid, None, project))


def _variable_value(vv) -> str:
    for c in vv:
        name = _local(c.tag)
        if name.endswith("Value") and name != "VariableValue":
            return _text_of(c).strip()
    return ""


def _read_variables(project: QdaProject, root) -> None:
    variables = _child(root, "Variables")
    for var in _children(variables, "Variable") if variables is not None else []:
        project.variables[_guid(var.get("guid"))] = (
            _name(var.get("name")), (var.get("typeOfVariable") or "Text").strip())


def _read_cases(project: QdaProject, root) -> None:
    cases = _child(root, "Cases")
    for elem in _children(cases, "Case") if cases is not None else []:
        case = Case(guid=_guid(elem.get("guid")), name=_name(elem.get("name")))
        if not case.name:
            case.name = case.guid
        for vv in _children(elem, "VariableValue"):
            ref = _child(vv, "VariableRef")
            var = project.variables.get(_guid(ref.get("targetGUID")) if ref is not None else "")
            if var is None:
                project.warnings.append(f"case {case.name!r}: a value of an unknown variable")
                continue
            value = _variable_value(vv)
            if value != "":
                case.variables[var[0]] = value
        case.codes = [_guid(r.get("targetGUID")) for r in _children(elem, "CodeRef")]
        case.sources = [_guid(r.get("targetGUID")) for r in _children(elem, "SourceRef")]
        case.selections = [_guid(r.get("targetGUID")) for r in _children(elem, "SelectionRef")]
        project.cases.append(case)


def _read_sets(project: QdaProject, root) -> None:
    sets = _child(root, "Sets")
    for elem in _children(sets, "Set") if sets is not None else []:
        project.sets.append(CodeSet(
            guid=_guid(elem.get("guid")),
            name=_name(elem.get("name")),
            sources=[_guid(r.get("targetGUID")) for r in _children(elem, "MemberSource")],
            codes=[_guid(r.get("targetGUID")) for r in _children(elem, "MemberCode")],
        ))


def _read_users(project: QdaProject, root) -> None:
    users = _child(root, "Users")
    for elem in _children(users, "User") if users is not None else []:
        guid = _guid(elem.get("guid"))
        if guid:
            project.users[guid] = _name(elem.get("name")) or _name(elem.get("id")) or guid


def _read_notes(project: QdaProject, root, container, external: Path | None) -> None:
    """The project's notes, their texts and what each refers to."""
    _note_refs(root, project, "project", "")
    notes = _child(root, "Notes")
    for elem in _children(notes, "Note") if notes is not None else []:
        guid = _guid(elem.get("guid"))
        name = _name(elem.get("name"))
        content = _child(elem, "PlainTextContent")
        ref = (elem.get("plainTextPath") or "").strip()
        if content is not None:
            text = _text_of(content)
        elif ref:
            text = _load_text(container, project, external, ref, name or guid) or ""
        else:
            text = _text_of(_child(elem, "Description"))
        project.notes[guid] = Note(
            guid=guid, name=name, text=text.replace("\r\n", "\n").strip(),
            user=_guid(elem.get("creatingUser")),
            created=(elem.get("creationDateTime") or "").strip())
    for note, kind, target in project.note_refs:
        if note in project.notes:
            project.notes[note].refers.append((kind, target))


def read_project(path: str | Path, *, sources: str | Path | None = None) -> QdaProject:
    """Read a ``.qdpx`` (or a loose ``.qde`` with its ``sources/`` folder) safely.

    Parameters
    ----------
    path : str or pathlib.Path
        The project file.
    sources : str or pathlib.Path, optional
        The folder holding the texts the project keeps outside itself
        (``relative://`` paths, looked up by their path and then by their file
        name). The project's own ``basePath`` is never read; without this folder
        such texts are reported as missing.

    Returns
    -------
    QdaProject
        Users, codes, sources (with texts), selections, cases, variables, sets and
        notes; each text or transcript selection's ``text`` holds the selected
        text where the file has it.

    Raises
    ------
    StudyError
        The file is not a readable project, or is refused as unsafe (unsafe
        entry names, entities, a zip bomb, paths outside it).
    ValidationError
        A GUID is used twice, or a selection's positions are negative, reversed
        or past any text; ``problems`` lists each.
    """
    path = Path(path)
    if not path.is_file():
        raise StudyError(f"{path}: no such file")
    external = None
    if sources is not None:
        external = Path(sources).expanduser()
        if not external.is_dir():
            raise StudyError(f"{external}: the sources folder does not exist")
    container = open_container(path, _Budget(path.name))
    member, data = container.project_xml()
    label = path.name if member == path.name else f"{path.name}:{member}"
    if not data.strip():
        raise StudyError(f"{label}: the project file is empty")
    root = _parse_xml(data, label)
    if _local(root.tag) != "Project":
        raise StudyError(
            f"{label}: not a REFI-QDA project: the root element is {_local(root.tag)!r}, "
            "not 'Project'"
        )
    if root.tag.startswith("{") and not root.tag.startswith("{" + NS):
        namespace = root.tag[1:].split("}")[0]
        raise StudyError(f"{label}: not a REFI-QDA project: namespace {namespace!r}")
    project = QdaProject(file=path.name, name=_name(root.get("name")),
                         origin=(root.get("origin") or "").strip())
    problems: list[Problem] = []
    _read_users(project, root)
    codebook = _child(root, "CodeBook")
    _read_codes(_child(codebook, "Codes") if codebook is not None else None, project, problems)
    # Variables first: sources may carry values of them (MAXQDA's document variables).
    _read_variables(project, root)
    _read_sources(_child(root, "Sources"), container, project, external)
    _read_cases(project, root)
    _read_notes(project, root, container, external)
    _read_sets(project, root)
    for kind, items in (("source", project.sources), ("selection", project.selections),
                        ("case", project.cases)):
        seen: dict[str, int] = {}
        # A PDF selection and the text selection of its representation share their
        # GUID by design (ATLAS.ti): one selection in two views, counted per kind.
        for (guid, _), n in Counter((i.guid, getattr(i, "kind", "")) for i in items
                                    if i.guid).items():
            seen[guid] = max(seen.get(guid, 0), n)
        problems += _reused(seen, kind, project.file)
    _check_positions(project, problems)
    if problems:
        raise ValidationError(problems)
    project.offsets = _choose_offsets(project)
    cache: dict = {}
    outside = 0
    for sel in project.selections:
        if sel.kind in ("PlainTextSelection", "TranscriptSelection"):
            sel.text, note = _cut(project, sel, cache)
            outside += note == "outside the text"
    if outside:
        project.warnings.append(
            f"{outside} selection(s) reach past the end of their text; cut at the text's end"
        )
    return project
