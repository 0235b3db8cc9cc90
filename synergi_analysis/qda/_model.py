"""What a REFI-QDA project holds, as read by `synergi_analysis.qda._read`.

Plain dataclasses, no reading: codes, sources, selections (with who coded
them), cases, sets, users and notes, gathered in a `QdaProject`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["QdaProject", "Code", "Selection", "Source", "Case", "CodeSet", "Note",
           "SELECTION_KINDS", "SOURCE_KINDS", "PATH_SEP", "CODE_POINTS", "UTF16_UNITS"]

SELECTION_KINDS = (
    "PlainTextSelection", "PDFSelection", "PictureSelection", "AudioSelection",
    "VideoSelection", "TranscriptSelection",
)
SOURCE_KINDS = ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource")
#: Path separator of code paths: ATLAS.ti writes a hierarchy into a code's name with it,
#: and nested codes are written with it too, so both forms read the same.
PATH_SEP = "::"
#: How positions were counted: Python string indices, or UTF-16 code units (NVivo).
CODE_POINTS, UTF16_UNITS = "code points", "UTF-16 code units"


# -- the model ----------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    guid: str
    name: str
    path: tuple[str, ...]
    codable: bool = True
    description: str = ""

    @property
    def path_name(self) -> str:
        return PATH_SEP.join(self.path)


@dataclass
class Selection:
    """One selection of a source, with the GUIDs of the codes it is coded with.

    ``start``/``end`` are the positions as the file gives them (a transcript
    selection's are its sync points' positions; an audio or video selection's
    its ``begin``/``end``); ``text`` is the selected text once resolved (or the
    PDF selection's own text), else None. ``users`` holds, for each code in
    ``codes``, the GUID of the user who applied it (the coding's
    ``creatingUser``, else the selection's, else ""); ``notes`` the GUIDs of the
    notes referring to the selection or to one of its codings.
    """

    guid: str
    kind: str
    name: str
    source: str
    start: int | None = None
    end: int | None = None
    codes: list[str] = field(default_factory=list)
    host: str | None = None
    text: str | None = None
    description: str = ""
    user: str = ""
    created: str = ""
    users: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    kind: str
    name: str
    text_ref: str = ""
    selections: list[Selection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    transcripts: int = 0


@dataclass
class Note:
    """A note (memo) of the project and what it refers to.

    ``refers`` lists ``(kind, guid)`` pairs: ``("project", "")``, ``("code", g)``,
    ``("source", g)`` or ``("selection", g)``, from the ``NoteRef`` elements.
    """

    guid: str
    name: str
    text: str
    user: str = ""
    created: str = ""
    refers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Case:
    guid: str
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    selections: list[str] = field(default_factory=list)


@dataclass
class CodeSet:
    guid: str
    name: str
    sources: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass(repr=False)
class QdaProject:
    """A REFI-QDA project as read: what the file holds, before any mapping.

    ``texts`` maps a text host (a TextSource's GUID, or a representation's) to its
    plain text, or None where the file does not hold it (``missing_texts`` then
    names the source and the path it gave). ``offsets`` says how the positions
    were counted: `CODE_POINTS` or `UTF16_UNITS`.
    """

    file: str
    name: str = ""
    origin: str = ""
    codes: dict[str, Code] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    text_names: dict[str, str] = field(default_factory=dict)
    offsets: str = CODE_POINTS
    missing_texts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    note_refs: list[tuple[str, str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        counts = self.summary()
        return (f"QdaProject({self.file!r}, origin={self.origin!r}: {counts['sources']} sources, "
                f"{counts['selections']} selections, {counts['codes']} codes)")

    @property
    def selections(self) -> list[Selection]:
        return [s for src in self.sources for s in src.selections]

    @property
    def code_paths(self) -> list[str]:
        """Every code's path, in the project's order (parents before children)."""
        return [c.path_name for c in self.codes.values()]

    def summary(self) -> dict[str, int]:
        """Counts of what the file holds, element by element."""
        selections = self.selections
        used = {g for s in selections for g in s.codes if g in self.codes}
        return {
            "sources": len(self.sources),
            "text_sources": sum(s.kind == "TextSource" for s in self.sources),
            "selections": len(selections),
            "text_selections": sum(s.kind == "PlainTextSelection" for s in selections),
            "codings": sum(len(s.codes) for s in selections),
            "codes": len(self.codes),
            "codes_used": len(used),
            "cases": len(self.cases),
            "variables": len(self.variables),
            "sets": len(self.sets),
            "users": len(self.users),
            "notes": len(self.notes),
        }
