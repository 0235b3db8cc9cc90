"""Reading a REFI-QDA project safely: the container, the XML and the source texts.

A ``.qdpx`` comes from outside (an e-mail attachment, a shared drive), so reading
one is defensive throughout:

- the zip is read in memory, member by member, never extracted; an entry whose
  name is absolute or climbs out with ``..`` makes the whole archive refused;
- every member is read in bounded chunks, never trusting the sizes its header
  claims, and refused past `MAX_TOTAL_BYTES` in all or a compression ratio above
  `MAX_RATIO` (a zip bomb);
- the XML is parsed with defusedxml: a DOCTYPE that declares entities (external
  or expanding ones) is refused, naming the entity;
- a source path that points outside the project is refused.

Every refusal is a `StudyError` saying what was wrong. The result is a
`QdaProject`: the project's users, codes (with their descriptions), sources
with their texts and variables, selections of every kind with their codings
(who made each) and selected text (a transcript's between its sync points),
cases with their variables, sets, and notes with what they refer to, with
GUIDs normalised (no braces, lower case) and names in Unicode NFC.

What real exports do differently from the standard is tolerated: the project
file named ``project.qde``, ``Project.qde`` or after the project; ``sources/``
or ``Sources/``; ``plainTextPath`` as ``internal://``, ``relative:///`` (looked
up inside the project, then as a ``.txt`` file inside the project's
``basePath``) or a bare file name; text embedded as ``PlainTextContent``; source
files in UTF-8 with or without a BOM (or UTF-16 with one; cp1252 as a last resort).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as safe_et
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from synergi_analysis._io import _encoding
from synergi_analysis.errors import StudyError
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
#: Highest compression ratio a member may have once it is past `_RATIO_FLOOR` bytes.
MAX_RATIO = 100
_RATIO_FLOOR = 2**20
_CHUNK = 2**16


# -- containers ---------------------------------------------------------------------


def _unsafe(name: str) -> bool:
    norm = name.replace("\\", "/")
    return (
        norm.startswith("/")
        or bool(re.match(r"^[A-Za-z]:", norm))
        or ".." in norm.split("/")
    )


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


class _Zip:
    """A ``.qdpx``: its members are read in memory, never extracted to disk."""

    def __init__(self, path: Path):
        self.label = path.name
        self.budget = _Budget(self.label)
        self.texts: dict[str, str | None] = {}
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise StudyError(
                f"{self.label}: not a readable .qdpx (zip) file: {exc}"
            ) from None
        for info in infos:
            if _unsafe(info.filename):
                raise StudyError(
                    f"{self.label}: refused: the archive holds an entry named "
                    f"{info.filename!r}, a path outside the project; nothing was read"
                )
        self.members = {
            info.filename.replace("\\", "/").casefold(): info
            for info in infos if not info.is_dir()
        }
        qde = sorted(
            (name for name in self.members if name.endswith(".qde")),
            key=lambda n: (n.count("/"), PurePosixPath(n).name != "project.qde", n),
        )
        if not qde:
            raise StudyError(f"{self.label}: no project.qde inside; is this a REFI-QDA project?")
        self.qde = qde[0]
        self.base = self.qde.rsplit("/", 1)[0] + "/" if "/" in self.qde else ""

    def project_xml(self) -> tuple[str, bytes]:
        info = self.members[self.qde]
        return info.filename, self.read(info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        ratio_limit = max(_RATIO_FLOOR, info.compress_size * MAX_RATIO)
        out = bytearray()
        try:
            with self.zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    self.budget.add(len(chunk), f"entry {name!r}")
                    if len(out) > ratio_limit:
                        raise StudyError(
                            f"{self.label}: refused: entry {name!r} expands more than "
                            f"{MAX_RATIO} times its compressed size (a zip bomb?)"
                        )
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                RuntimeError, OSError) as exc:
            raise StudyError(
                f"{self.label}: entry {name!r} cannot be read (truncated or corrupt?): {exc}"
            ) from None
        return bytes(out)

    def find(self, ref: str, kind: str) -> bytes | None:
        ref = ref.replace("\\", "/").lstrip("/")
        candidates = [f"{self.base}sources/{ref}", f"{self.base}{ref}"]
        if kind == "relative":
            leaf = ref.rsplit("/", 1)[-1]
            candidates += [f"{self.base}sources/{leaf}", f"{self.base}{leaf}"]
        for candidate in candidates:
            info = self.members.get(candidate.casefold())
            if info is not None:
                return self.read(info)
        return None


class _Folder:
    """A loose ``.qde`` file; its sources sit in ``sources/`` (any case) beside it."""

    def __init__(self, path: Path):
        self.label = path.name
        self.path = path
        self.budget = _Budget(self.label)
        self.texts: dict[str, str | None] = {}
        self.folder = path.resolve().parent
        self.sources = None
        for child in sorted(self.folder.iterdir()):
            if child.is_dir() and child.name.casefold() == "sources":
                self.sources = child
                break

    def project_xml(self) -> tuple[str, bytes]:
        return self.path.name, self._read_file(self.path)

    def _read_file(self, path: Path) -> bytes:
        return _read_bounded(path, self.budget)

    def find(self, ref: str, kind: str) -> bytes | None:
        ref = ref.replace("\\", "/").lstrip("/")
        roots = [r for r in (self.sources, self.folder) if r is not None]
        names = [ref] + ([ref.rsplit("/", 1)[-1]] if kind == "relative" else [])
        for root in roots:
            for name in names:
                found = _inside(root, name)
                if found is not None:
                    return self._read_file(found)
        return None


def _inside(root: Path, name: str) -> Path | None:
    """``root/name`` when it is a file inside ``root`` (case-insensitive on the leaf)."""
    candidate = (root / name).resolve()
    if not candidate.is_relative_to(root.resolve()):
        return None
    if candidate.is_file():
        return candidate
    parent = candidate.parent
    if parent.is_dir():
        for child in parent.iterdir():
            if child.name.casefold() == candidate.name.casefold() and child.is_file():
                return child
    return None


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
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


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
    if a > b:
        a, b = b, a
    if a < 0 or b > len(text):
        note = "outside the text"
        a, b = max(a, 0), min(b, len(text))
    return text[a:b].replace("\r\n", "\n"), note


# -- the project --------------------------------------------------------------------


def _read_codes(codes_elem, project: QdaProject) -> None:
    def walk(elem, parent: tuple[str, ...]) -> None:
        for code in _children(elem, "Code"):
            name = _name(code.get("name"))
            parts = tuple(p.strip() for p in name.split(PATH_SEP)) if name else ("",)
            path = parent + parts
            guid = _guid(code.get("guid"))
            codable = (code.get("isCodable") or "true").strip().lower() != "false"
            if guid:
                description = _text_of(_child(code, "Description")).strip()
                project.codes[guid] = Code(guid, name, path, codable, description)
                _note_refs(code, project, "code", guid)
            walk(code, path)

    if codes_elem is not None:
        walk(codes_elem, ())


def _source_name(elem, text_ref: str) -> str:
    name = _name(elem.get("name"))
    if name:
        return name
    if text_ref:
        return _split_ref(text_ref)[1].replace("\\", "/").rsplit("/", 1)[-1]
    return _guid(elem.get("guid"))


def _load_text(container, project: QdaProject, base_path: str, ref: str,
               owner: str) -> str | None:
    kind, rest = _split_ref(ref)
    if _unsafe(rest) and kind != "absolute":
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
    if data is None and kind == "relative" and base_path and rest.lower().endswith(".txt"):
        root = Path(base_path)
        if root.is_dir():
            found = _inside(root, rest)
            if found is not None:
                data = _read_bounded(found, container.budget)
    if data is None:
        project.missing_texts.setdefault(owner, ref)
    container.texts[ref] = None if data is None else _decode(data)
    return container.texts[ref]


def _read_bounded(path: Path, budget: _Budget) -> bytes:
    """A file's bytes, read in chunks against the project's byte budget."""
    out = bytearray()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                budget.add(len(chunk), f"file {path.name!r}")
    except OSError as exc:
        raise StudyError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return bytes(out)


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


def _read_sources(sources_elem, container, project: QdaProject, base_path: str) -> None:
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
                project.texts[key] = _load_text(container, project, base_path, ref,
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


def _read_notes(project: QdaProject, root, container, base_path: str) -> None:
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
            text = _load_text(container, project, base_path, ref, name or guid) or ""
        else:
            text = _text_of(_child(elem, "Description"))
        project.notes[guid] = Note(
            guid=guid, name=name, text=text.replace("\r\n", "\n").strip(),
            user=_guid(elem.get("creatingUser")),
            created=(elem.get("creationDateTime") or "").strip())
    for note, kind, target in project.note_refs:
        if note in project.notes:
            project.notes[note].refers.append((kind, target))


def read_project(path: str | Path) -> QdaProject:
    """Read a ``.qdpx`` (or a loose ``.qde`` with its ``sources/`` folder) safely.

    Parameters
    ----------
    path : str or pathlib.Path
        The project file.

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
    """
    path = Path(path)
    if not path.is_file():
        raise StudyError(f"{path}: no such file")
    container = _Folder(path) if path.suffix.lower() == ".qde" else _Zip(path)
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
    _read_users(project, root)
    codebook = _child(root, "CodeBook")
    _read_codes(_child(codebook, "Codes") if codebook is not None else None, project)
    # Variables first: sources may carry values of them (MAXQDA's document variables).
    _read_variables(project, root)
    sources = _child(root, "Sources")
    base_path = (root.get("basePath") or "").strip()
    _read_sources(sources, container, project, base_path)
    _read_cases(project, root)
    _read_notes(project, root, container, base_path)
    _read_sets(project, root)
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
