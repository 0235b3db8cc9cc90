"""A project's memos as a table: its notes, what each refers to, and code descriptions.

Coding comments (a selection's ``Description``) stay with their quote (the
``memo`` column); this table holds the rest, one row per note and what it
refers to, and one per described code, as ``memos.csv`` stores them.
"""

from __future__ import annotations

import pandas as pd

from synergi_analysis._io import read_table
from synergi_analysis.errors import StudyError
from synergi_analysis.qda._model import QdaProject

__all__ = ["CAPTION_NOTE", "MEMO_COLUMNS", "project_memos", "study_memos"]

#: Columns of a study's memos (``memos.csv``): ``memo_id`` (the note's name in a
#: project this package wrote, else its GUID; empty for a code description),
#: ``kind`` (``note`` or ``description``), ``refers_to`` (``project``, ``code``,
#: ``interview``, ``source``, ``quote``, ``selection``, or empty for a note about
#: nothing in particular), ``target`` (the code's path, the interview's id, the
#: source's name, the quote's id), ``author``, ``date`` (as the file gives it) and
#: ``text``.
MEMO_COLUMNS = ["memo_id", "kind", "refers_to", "target", "author", "date", "text"]
#: The name of the note that carries a quote's caption in a project this package wrote.
CAPTION_NOTE = "caption"


def project_memos(project: QdaProject, *, quotes: dict[str, str], interviews: dict[str, str],
                  own: bool = False) -> pd.DataFrame:
    """The memos of a project, one row per note and target, then code descriptions.

    Parameters
    ----------
    project : QdaProject
    quotes : dict
        Selection GUID -> quote id, for notes about a quote.
    interviews : dict
        Source GUID -> interview id, for notes about a source that is one interview.
    own : bool
        The project was written by this package: a note's name is its memo id.
    """
    codes = {c.guid: c.path_name for c in project.codes.values()}
    sources = {s.guid: s.name for s in project.sources}
    rows = []
    for note in project.notes.values():
        if own and note.name == CAPTION_NOTE:
            continue  # a quote's caption (`project_captions`), not a memo
        memo_id = note.name if own and note.name else note.guid
        author = project.users.get(note.user, "")
        targets = []
        for kind, guid in note.refers or [("", "")]:
            if kind == "code":
                targets.append(("code", codes.get(guid, guid)))
            elif kind == "selection":
                targets.append(("quote", quotes[guid]) if guid in quotes
                               else ("selection", guid))
            elif kind == "source":
                targets.append(("interview", interviews[guid]) if guid in interviews
                               else ("source", sources.get(guid, guid)))
            else:
                targets.append((kind, ""))
        for refers_to, target in dict.fromkeys(targets):
            rows.append({"memo_id": memo_id, "kind": "note", "refers_to": refers_to,
                         "target": target, "author": author, "date": note.created,
                         "text": note.text})
    for code in project.codes.values():
        if code.description:
            rows.append({"memo_id": "", "kind": "description", "refers_to": "code",
                         "target": code.path_name, "author": "", "date": "",
                         "text": code.description})
    return pd.DataFrame(rows, columns=MEMO_COLUMNS, dtype=object)


def study_memos(study) -> pd.DataFrame:
    """A study's memos: its project's notes and code descriptions, or its folder's ``memos.csv``.

    Returns
    -------
    pandas.DataFrame
        The columns of `MEMO_COLUMNS` (all str); no rows for a study without memos.

    Raises
    ------
    StudyError
        The folder's ``memos.csv`` lacks one of the columns.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study_memos(load_study()).columns.tolist()
    ['memo_id', 'kind', 'refers_to', 'target', 'author', 'date', 'text']
    """
    memos = getattr(study, "memos", None)
    if memos is None and study.folder is not None:
        path = study.folder / "memos.csv"
        if path.is_file():
            memos = read_table(path, allow_empty=True)
            missing = [c for c in MEMO_COLUMNS if c not in memos]
            if missing:
                raise StudyError(f"{path}: missing column(s) {', '.join(missing)}; a memos "
                                 f"file has {', '.join(MEMO_COLUMNS)}")
    if memos is None:
        return pd.DataFrame(columns=MEMO_COLUMNS, dtype=object)
    return memos[MEMO_COLUMNS].fillna("").astype(str).reset_index(drop=True)


def project_captions(project: QdaProject) -> dict[str, str]:
    """Selection GUID -> the caption a project this package wrote keeps in a note on it."""
    captions = {}
    for note in project.notes.values():
        if note.name == CAPTION_NOTE:
            for kind, guid in note.refers:
                if kind == "selection":
                    captions[guid] = note.text
    return captions
