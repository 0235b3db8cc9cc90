"""A study as a REFI-QDA project (``.qdpx``) that QDA tools open.

Written to the REFI-QDA schema (``Project.xsd``, 2019; the tests validate every
export against it) and to what the readers people use expect: each text file
named by its source's GUID (as NVivo, MAXQDA and qc write them), no empty text
file (qc fails on one), a ``creatingUser`` on every selection and coding, each
coding once.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from synergi_analysis._io import write_atomic
from synergi_analysis._version import __version__
from synergi_analysis.errors import StudyError
from synergi_analysis.qda._memos import CAPTION_NOTE, study_memos
from synergi_analysis.qda._read import NS, PATH_SEP
from synergi_analysis.qda.mapping import _OWN_ORIGIN, CODES_SEP, _code_value, _quote_targets
from synergi_analysis.study import Study
from synergi_analysis.validate import INTERVIEW_ID

__all__ = [
    "export_qdpx",
]


_GUID_NS = uuid.UUID("6f1d3c1e-8a57-4f0e-9a43-2b8e5c0d7a11")
# xsd:dateTime, as the schema wants creationDateTime.
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(str(p) for p in parts)))


def _variable_type(column: str, s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "Boolean"
    if pd.api.types.is_integer_dtype(s):
        return "Integer"
    if pd.api.types.is_float_dtype(s):
        return "Float"
    return "Text"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str, where: str) -> str:
    """``text`` when XML 1.0 can hold it; a control character is refused, never dropped."""
    bad = _NOT_XML.search(text)
    if bad:
        raise StudyError(f"{where}: holds the control character {bad.group()!r}, which a "
                         "QDA project cannot store; remove it first")
    return text


def _cell(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    text = str(value)
    return text if text != "" else None


def _split(cell, sep: str = CODES_SEP) -> list[str]:
    text = _cell(cell)
    return [p.strip() for p in text.split(sep.strip())] if text is not None else []


def _date(value: str, where: str) -> str | None:
    if not value:
        return None
    if _DATETIME.match(value):
        return value
    if _DATE.match(value):
        return value + "T00:00:00"
    raise StudyError(f"{where}: date {value!r} is neither YYYY-MM-DD nor "
                     "YYYY-MM-DDThh:mm:ss")


class _Writer:
    """Builds the project's XML; the elements of each parent in the schema's order."""

    def __init__(self, study: Study):
        self.study = study
        self.cb = study.codebook
        ET.register_namespace("", NS)
        self.root = ET.Element(self.q("Project"), {
            "name": self.cb.title() or "synergi-analysis study",
            "origin": f"{_OWN_ORIGIN} {__version__}",
        })
        self.users: dict[str, str] = {_OWN_ORIGIN: _guid("user", _OWN_ORIGIN)}
        self.texts: dict[str, str] = {}

    @staticmethod
    def q(tag: str) -> str:
        return f"{{{NS}}}{tag}"

    def sub(self, parent, tag: str, attrs: dict | None = None) -> ET.Element:
        return ET.SubElement(parent, self.q(tag), attrs or {})

    def user(self, name: str) -> str:
        name = name.strip() or _OWN_ORIGIN
        return self.users.setdefault(name, _guid("user", name))

    # -- codes ----------------------------------------------------------------------

    def quote_paths(self, quotes: pd.DataFrame) -> list[list[tuple[tuple[str, ...], list[str]]]]:
        """For each quote, its code paths and who applied each (every coding once).

        The journey stage and the theme are added as codes unless one of the
        quote's codes already gives them (an imported project's stage code in
        any spelling), so a project exported again holds each coding once.
        """
        cb = self.cb
        stage_dim = cb["journey_stage"] if "journey_stage" in cb else None
        qtargets = _quote_targets(cb)
        out = []
        for _, row in quotes.iterrows():
            codes = _split(row.get("codes"))
            coders = _split(row.get("coders"))
            coders = coders if len(coders) == len(codes) else [""] * len(codes)
            paths: dict[tuple[str, ...], list[str]] = {}
            given: set[str] = set()
            for code, who in zip(codes, coders, strict=True):
                if not code:
                    continue
                path = tuple(p.strip() for p in code.split(PATH_SEP))
                hit = _code_value(path, qtargets)
                if hit is not None:
                    given.add(hit[0].column)
                users = paths.setdefault(path, [])
                users += [u.strip() for u in who.split(",") if u.strip() not in users]
            stage = _cell(row.get("stage"))
            if stage is not None and stage_dim is not None and "stage" not in given:
                paths.setdefault((stage_dim.label_da, cb.label("journey_stage", stage)), [])
            theme = _cell(row.get("theme"))
            if theme is not None and "theme" not in given:
                paths.setdefault(("theme", theme), [])
            out.append([(p, [u for u in us if u] or [""]) for p, us in paths.items()])
        return out

    def codebook(self, quote_paths, memos: pd.DataFrame) -> None:
        """Every code: the project's own (unused ones too), the stages, the quotes'."""
        cb = self.cb
        tree: dict[tuple[str, ...], bool] = {}
        descriptions: dict[tuple[str, ...], str] = {}
        project = getattr(self.study, "project", None)
        for code in (project.codes.values() if project is not None else []):
            tree.setdefault(code.path, code.codable)
            if code.description:
                descriptions[code.path] = code.description
        for _, row in memos[memos["kind"] == "description"].iterrows():
            path = tuple(p.strip() for p in row["target"].split(PATH_SEP))
            tree.setdefault(path, True)
            descriptions[path] = row["text"]
        # The codebook's stages, to code with in the QDA tool, unless the project has
        # its own stage codes (in whatever spelling).
        qtargets = _quote_targets(cb)
        own_stages = any((hit := _code_value(p, qtargets)) is not None
                         and hit[0].column == "stage" for p in tree)
        if "journey_stage" in cb and "stage" in self.study.quotes and not own_stages:
            dim = cb["journey_stage"]
            for v in dim.values:
                tree.setdefault((dim.label_da, v.da), True)
        for paths in quote_paths:
            for p, _ in paths:
                tree.setdefault(p, True)
        # Parents before children, each where its parent is.
        full: dict[tuple[str, ...], bool] = {}
        for p, codable in tree.items():
            for k in range(1, len(p)):
                full.setdefault(p[:k], tree.get(p[:k], True))
            full[p] = codable
        codes_elem = self.sub(self.sub(self.root, "CodeBook"), "Codes")
        self.codes: dict[tuple[str, ...], ET.Element] = {}
        for p in sorted(full, key=len):
            parent = self.codes.get(p[:-1], codes_elem)
            elem = self.sub(parent, "Code", {
                "guid": _guid("code", *p),
                "name": _xml_text(p[-1], f"code {PATH_SEP.join(p)!r}"),
                "isCodable": "true" if full[p] else "false"})
            if p in descriptions:
                self.sub(elem, "Description").text = _xml_text(
                    descriptions[p], f"description of code {PATH_SEP.join(p)!r}")
            self.codes[p] = elem

    # -- cases, sources, selections ---------------------------------------------------

    def cases_and_sources(self, quote_paths, note_targets: dict) -> None:
        study = self.study
        interviews, quotes = study.interviews, study.quotes
        columns = [c for c in interviews.columns if c != INTERVIEW_ID]
        variables = self.sub(self.root, "Variables")
        for col in columns:
            self.sub(variables, "Variable", {
                "guid": _guid("variable", col), "name": col,
                "typeOfVariable": _variable_type(col, interviews[col])})
        cases = self.sub(self.root, "Cases")
        self.sources = self.sub(self.root, "Sources")
        by_interview = {k: g for k, g in quotes.groupby(INTERVIEW_ID, sort=False)} if len(
            quotes) else {}
        paths_of = dict(zip(quotes.index, quote_paths, strict=True))
        self.selections: dict[str, ET.Element] = {}
        self.source_of: dict[str, ET.Element] = {}
        for _, iv in interviews.iterrows():
            iid = str(iv[INTERVIEW_ID])
            case = self.sub(cases, "Case", {"guid": _guid("case", iid),
                                            "name": _xml_text(iid, f"interview {iid!r}")})
            for col in columns:
                value = _cell(iv[col])
                if value is None:
                    continue
                kind = _variable_type(col, interviews[col])
                vv = self.sub(case, "VariableValue")
                self.sub(vv, "VariableRef", {"targetGUID": _guid("variable", col)})
                self.sub(vv, f"{kind}Value").text = _xml_text(
                    value, f"interview {iid!r}, column {col!r}")
            group = by_interview.get(iv[INTERVIEW_ID])
            noted = {("interview", iid), ("source", iid)} & note_targets
            if group is None and not noted:
                continue  # no quotes, no notes: no source (an empty text file breaks qc)
            source_guid = _guid("source", iid)
            self.sub(case, "SourceRef", {"targetGUID": source_guid})
            self.source(iid, source_guid, group, paths_of)

    def source(self, iid: str, guid: str, group, paths_of) -> None:
        attrs = {"guid": guid, "name": iid, "creatingUser": self.user("")}
        if group is None:
            source = self.sub(self.sources, "TextSource", attrs)
            self.sub(source, "PlainTextContent").text = ""
            self.source_of[iid] = source
            return
        attrs["plainTextPath"] = f"internal://{guid}.txt"
        source = self.sub(self.sources, "TextSource", attrs)
        self.source_of[iid] = source
        parts: list[str] = []
        pos = 0
        for idx, quote in group.iterrows():
            text = str(quote["text"])
            if parts:
                pos += 2
            start, end = pos, pos + len(text)
            parts.append(text)
            pos = end
            qid = str(quote["quote_id"])
            paths = paths_of[idx]
            first = next((us[0] for _, us in paths if us[0]), "")
            sel = self.sub(source, "PlainTextSelection", {
                "guid": _guid("selection", qid), "name": _xml_text(qid, f"quote {qid!r}"),
                "startPosition": str(start), "endPosition": str(end),
                "creatingUser": self.user(first)})
            memo = _cell(quote.get("memo"))
            if memo is not None:
                self.sub(sel, "Description").text = _xml_text(memo, f"memo of quote {qid!r}")
            for p, users in paths:
                for who in users:
                    who = who or _OWN_ORIGIN
                    coding = self.sub(sel, "Coding", {
                        "guid": _guid("coding", qid, who, *p), "creatingUser": self.user(who)})
                    self.sub(coding, "CodeRef", {"targetGUID": _guid("code", *p)})
            self.selections[qid] = sel
        self.texts[f"sources/{guid}.txt"] = "\n\n".join(parts)

    # -- notes ------------------------------------------------------------------------

    def notes(self, memos: pd.DataFrame) -> None:
        """Notes with a ``NoteRef`` on what each refers to (a note's name is its memo id)."""
        notes = memos[memos["kind"] == "note"]
        if notes.empty:
            return
        container = self.sub(self.root, "Notes")
        refs: list[tuple[ET.Element | None, str]] = []
        for k, (memo_id, rows) in enumerate(notes.groupby("memo_id", sort=False)):
            first = rows.iloc[0]
            name = memo_id or f"memo {k + 1}"
            guid = _guid("note", name)
            attrs = {"guid": guid, "name": _xml_text(name, f"memo {name!r}")}
            if first["author"]:
                attrs["creatingUser"] = self.user(first["author"])
            date = _date(first["date"], f"memos.csv: memo {name!r}")
            if date:
                attrs["creationDateTime"] = date
            note = self.sub(container, "Note", attrs)
            self.sub(note, "PlainTextContent").text = _xml_text(first["text"],
                                                                f"memo {name!r}")
            for _, row in rows.iterrows():
                refs.append((self._target(row["refers_to"], row["target"]), guid))
        # Where the schema wants a NoteRef: after a code's description and before its
        # child codes; after everything else in a selection or a source.
        for target, guid in refs:
            if target is None:
                continue
            ref = ET.Element(self.q("NoteRef"), {"targetGUID": guid})
            children = list(target)
            at = next((k for k, c in enumerate(children) if c.tag == self.q("Code")),
                      len(children))
            target.insert(at, ref)

    def captions(self, quotes: pd.DataFrame) -> None:
        """A quote's stored caption as a note on its selection, named `CAPTION_NOTE`.

        The caption ("Lone, 61 år, nyt pas (Næstved)") is the quote's, not a memo:
        other tools show it as a note on the passage, and `load_qdpx` reads a
        project this package wrote back into the ``caption`` column.
        """
        if "caption" not in quotes:
            return
        container = next((c for c in self.root if c.tag == self.q("Notes")), None)
        caption_of = dict(zip(quotes["quote_id"].astype(str), quotes["caption"], strict=True))
        for qid, sel in self.selections.items():  # in the order the passages were written
            caption = _cell(caption_of.get(qid))
            if caption is None:
                continue
            if container is None:
                container = self.sub(self.root, "Notes")
            guid = _guid("caption", qid)
            note = self.sub(container, "Note", {"guid": guid, "name": CAPTION_NOTE})
            self.sub(note, "PlainTextContent").text = _xml_text(caption,
                                                                f"caption of quote {qid!r}")
            self.sub(sel, "NoteRef", {"targetGUID": guid})

    def _target(self, refers_to: str, target: str) -> ET.Element | None:
        if refers_to == "project":
            return self.root
        if refers_to == "code":
            return self.codes.get(tuple(p.strip() for p in target.split(PATH_SEP)))
        if refers_to == "quote":
            return self.selections.get(target)
        if refers_to in ("interview", "source"):
            return self.source_of.get(target)
        return None


def export_qdpx(study: Study, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a study as a REFI-QDA project (``.qdpx``) that QDA tools can open.

    Each interview is a ``Case`` (named by its ``interview_id``) with one
    ``Variable`` per column of the interview table and, when it has quotes, a
    ``TextSource`` holding them, separated by blank lines; each quote is a
    ``PlainTextSelection`` (named by its ``quote_id``, its ``memo`` as the
    selection's description) coded with its journey stage (under the journey
    stage dimension's label), its theme (under ``theme``) and, for a study read
    from a project, the codes of its ``codes`` column by the users of its
    ``coders`` column. A study read from a project keeps every code of the
    project (unused ones too) with its description; its memos (a project's
    notes, or a folder's ``memos.csv``) become notes referring to their quote,
    interview, code or the project. `load_qdpx` reads the file back to the same
    interviews, quotes and memos.

    Parameters
    ----------
    study : Study
    path : str or pathlib.Path
        The ``.qdpx`` to write.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from synergi_analysis import load_study
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = export_qdpx(load_study(), Path(tmp) / "study.qdpx")
    ...     names = zipfile.ZipFile(path).namelist()
    >>> names[0], len(names)
    ('project.qde', 19)
    """
    path = Path(path).expanduser()
    if path.exists() and not overwrite:
        raise StudyError(f"{path}: already exists; choose another name or overwrite")
    writer = _Writer(study)
    users = writer.sub(writer.root, "Users")
    memos = study_memos(study).fillna("").astype(str)
    quote_paths = writer.quote_paths(study.quotes)
    writer.codebook(quote_paths, memos)
    note_targets = {(r, t) for r, t in zip(memos["refers_to"], memos["target"], strict=True)}
    writer.cases_and_sources(quote_paths, note_targets)
    writer.notes(memos)
    writer.captions(study.quotes)
    for name, guid in writer.users.items():
        writer.sub(users, "User", {"guid": guid, "name": _xml_text(name, f"user {name!r}")})
    root = writer.root
    for child in list(root):
        # The schema wants at least one element in each container: leave out empty ones.
        if child.tag != writer.q("NoteRef") and len(child) == 0:
            root.remove(child)
        elif child.tag == writer.q("CodeBook") and len(child[0]) == 0:
            root.remove(child)
    # Project-level NoteRefs come last of the project's children, as the schema has them.
    for ref in [c for c in root if c.tag == writer.q("NoteRef")]:
        root.remove(ref)
        root.append(ref)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.qde", xml)
            for name, text in writer.texts.items():
                zf.writestr(name, text.encode("utf-8"))

    write_atomic(path, write)
    return path
