"""A study as a REFI-QDA project (``.qdpx``) that QDA tools open."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from synergi_analysis._io import (
    write_atomic,
)
from synergi_analysis._version import __version__
from synergi_analysis.errors import StudyError
from synergi_analysis.qda._read import NS, PATH_SEP
from synergi_analysis.qda.mapping import (
    _OWN_ORIGIN,
    CODES_SEP,
)
from synergi_analysis.study import Study
from synergi_analysis.validate import (
    INTERVIEW_ID,
)

__all__ = [
    "export_qdpx",
]


_GUID_NS = uuid.UUID("6f1d3c1e-8a57-4f0e-9a43-2b8e5c0d7a11")


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


def export_qdpx(study: Study, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a study as a REFI-QDA project (``.qdpx``) that QDA tools can open.

    Each interview is a ``Case`` (named by its ``interview_id``) with one
    ``Variable`` per column of the interview table, and a ``TextSource`` holding
    its quotes, separated by blank lines; each quote is a ``PlainTextSelection``
    (named by its ``quote_id``) coded with its journey stage (under the journey
    stage dimension's label), its theme (under ``theme``) and, for a study read
    from a project, the codes of its ``codes`` column. `load_qdpx` reads the file
    back to the same interviews and quotes.

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
    ('project.qde', 46)
    """
    path = Path(path).expanduser()
    if path.exists() and not overwrite:
        raise StudyError(f"{path}: already exists; choose another name or overwrite")
    cb = study.codebook
    interviews, quotes = study.interviews, study.quotes
    ET.register_namespace("", NS)

    def q(tag: str) -> str:
        return f"{{{NS}}}{tag}"

    root = ET.Element(q("Project"), {
        "name": cb.title() or "synergi-analysis study",
        "origin": f"{_OWN_ORIGIN} {__version__}",
    })
    user = _guid("user")
    ET.SubElement(ET.SubElement(root, q("Users")), q("User"), {"guid": user,
                                                              "name": _OWN_ORIGIN})

    # Code paths per quote: stage, theme and any codes the study was read with.
    quote_paths: list[list[tuple[str, ...]]] = []
    stage_dim = cb["journey_stage"] if "journey_stage" in cb else None
    tree: dict[tuple[str, ...], None] = {}
    if stage_dim is not None and "stage" in quotes:
        tree[(stage_dim.label_da,)] = None
        for v in stage_dim.values:
            tree[(stage_dim.label_da, v.da)] = None
    for _, row in quotes.iterrows():
        paths: list[tuple[str, ...]] = []
        for code in str(row.get("codes") or "").split(CODES_SEP.strip()):
            if code.strip():
                paths.append(tuple(p.strip() for p in code.strip().split(PATH_SEP)))
        stage = _cell(row.get("stage"))
        if stage is not None and stage_dim is not None:
            paths.append((stage_dim.label_da, cb.label("journey_stage", stage)))
        theme = _cell(row.get("theme"))
        if theme is not None:
            paths.append(("theme", theme))
        paths = list(dict.fromkeys(paths))
        for p in paths:
            for k in range(1, len(p) + 1):
                tree.setdefault(p[:k], None)
        quote_paths.append(paths)
    codes_elem = ET.SubElement(ET.SubElement(root, q("CodeBook")), q("Codes"))
    code_elems: dict[tuple[str, ...], ET.Element] = {}
    for p in tree:
        parent = code_elems.get(p[:-1], codes_elem)
        code_elems[p] = ET.SubElement(parent, q("Code"), {
            "guid": _guid("code", *p), "name": _xml_text(p[-1], f"code {PATH_SEP.join(p)!r}"),
            "isCodable": "true"})

    columns = [c for c in interviews.columns if c != INTERVIEW_ID]
    variables = ET.SubElement(root, q("Variables"))
    for col in columns:
        ET.SubElement(variables, q("Variable"), {
            "guid": _guid("variable", col), "name": col,
            "typeOfVariable": _variable_type(col, interviews[col])})
    cases = ET.SubElement(root, q("Cases"))
    sources = ET.SubElement(root, q("Sources"))
    texts: dict[str, str] = {}
    by_interview = {k: g for k, g in quotes.groupby(INTERVIEW_ID, sort=False)} if len(
        quotes) else {}
    paths_of = dict(zip(quotes.index, quote_paths, strict=True))
    for _, iv in interviews.iterrows():
        iid = str(iv[INTERVIEW_ID])
        case = ET.SubElement(cases, q("Case"), {"guid": _guid("case", iid),
                                                "name": _xml_text(iid, f"interview {iid!r}")})
        for col in columns:
            value = _cell(iv[col])
            if value is None:
                continue
            kind = _variable_type(col, interviews[col])
            vv = ET.SubElement(case, q("VariableValue"))
            ET.SubElement(vv, q("VariableRef"), {"targetGUID": _guid("variable", col)})
            ET.SubElement(vv, q(f"{kind}Value")).text = _xml_text(
                value, f"interview {iid!r}, column {col!r}")
        source_guid = _guid("source", iid)
        ET.SubElement(case, q("SourceRef"), {"targetGUID": source_guid})
        text_guid = _guid("text", iid)
        source = ET.SubElement(sources, q("TextSource"), {
            "guid": source_guid, "name": iid,
            "plainTextPath": f"internal://{text_guid}.txt"})
        parts: list[str] = []
        pos = 0
        group = by_interview.get(iv[INTERVIEW_ID])
        for idx, quote in (group.iterrows() if group is not None else []):
            text = str(quote["text"])
            if parts:
                pos += 2
            start, end = pos, pos + len(text)
            parts.append(text)
            pos = end
            qid = str(quote["quote_id"])
            sel = ET.SubElement(source, q("PlainTextSelection"), {
                "guid": _guid("selection", qid), "name": _xml_text(qid, f"quote {qid!r}"),
                "startPosition": str(start), "endPosition": str(end)})
            caption = _cell(quote.get("caption"))
            if caption is not None:  # the quote's stored caption, read back by load_qdpx
                ET.SubElement(sel, q("Description")).text = _xml_text(
                    caption, f"quote {qid!r}, caption")
            for p in paths_of[idx]:
                coding = ET.SubElement(sel, q("Coding"), {
                    "guid": _guid("coding", qid, *p), "creatingUser": user})
                ET.SubElement(coding, q("CodeRef"), {"targetGUID": _guid("code", *p)})
        texts[f"sources/{text_guid}.txt"] = "\n\n".join(parts)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.qde", xml)
            for name, text in texts.items():
                zf.writestr(name, text.encode("utf-8"))

    write_atomic(path, write)
    return path
