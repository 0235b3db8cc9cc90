"""Reading an ``.xlsx`` workbook as a table of text cells, refusing what would lose data.

A workbook can hold what a CSV cannot, and pandas would read some of it wrong
without a word: a merged cell keeps only its top-left value, a formula that was
never calculated (a file written by a program, not saved by Excel) reads as
blank, and only the first sheet is read. So before the cells are read:

- the sheets holding data are found; with more than one, a sheet must be named;
- merged cells in the data range and formulas without a saved value are
  problems (`ValidationError`), each naming its cell;
- a sheet whose declared or real size is absurd (a stray cell at ``XFD1048576``
  in an 8 KB file would otherwise pad the table to 17 billion cells) is refused
  early, as is a workbook that unpacks to more than `MAX_BYTES`;
- a broken archive or broken XML gives a message, never a traceback.

The cells are then read with openpyxl (read-only, saved values), as pandas would
read them: whole numbers without ``.0``, blank cells as ``""``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as safe_et
import pandas as pd
from defusedxml import DefusedXmlException

from synergi_analysis.errors import Problem, StudyError, ValidationError, shorten

__all__ = ["read_xlsx", "MAX_CELLS", "MAX_BYTES"]

#: Most cells (rows × columns up to the last value) a sheet may span.
MAX_CELLS = 10_000_000
#: A declared size beyond this is refused before anything is read.
_MAX_DECLARED = 2**31
#: Most bytes a workbook may unpack to (all its parts together).
MAX_BYTES = 512 * 2**20
_MAX_LISTED = 5

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_P = rb"(?:\w+:)?"  # an optional namespace prefix (the .NET SDK writes <x:c>)
_DIMENSION = re.compile(rb"<" + _P + rb"dimension\b[^>]*\bref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")
_MERGE = re.compile(rb"<" + _P + rb"mergeCell\b[^>]*\bref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")
_VALUE = re.compile(rb"<" + _P + rb"(?:v>[^<]|is>|f[\s>/])")
_FORMULA = re.compile(rb"<" + _P + rb"f[\s>/]")
# One cell element with content (a self-closing <c .../> has no formula).
_CELL = re.compile(rb"<" + _P + rb"c\b((?:[^>/]|/(?!>))*)>(.*?)</" + _P + rb"c>", re.S)
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_TYPE = re.compile(rb"\bt=\"(\w+)\"")
_HAS_F = re.compile(rb"<" + _P + rb"f[\s>/]")
_V_TEXT = re.compile(rb"<" + _P + rb"v>([^<]*)</" + _P + rb"v>")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _corner(ref: str) -> tuple[int, int, int, int]:
    """``"B2:D7"`` -> (first row, first column, last row, last column)."""
    parts = ref.split(":")
    cells = [re.fullmatch(r"([A-Z]+)(\d+)", p) for p in parts]
    (c1, r1), (c2, r2) = ((m.group(1), m.group(2)) for m in (cells[0], cells[-1]))
    return int(r1), _column_number(c1), int(r2), _column_number(c2)


class _Workbook:
    """The parts of the archive: which sheet is which XML member."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise StudyError(f"{path}: not a readable .xlsx workbook ({exc})") from None
        total = sum(i.file_size for i in infos)
        if total > MAX_BYTES:
            raise StudyError(f"{path}: refused: the workbook unpacks to {total:,} bytes, "
                             f"more than {MAX_BYTES // 2**20} MiB")
        self.names = {i.filename for i in infos}
        self.sheets = self._sheets()

    def read(self, member: str) -> bytes:
        try:
            return self.zip.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
            raise StudyError(f"{self.path}: the part {member} cannot be read ({exc})") from None

    def _xml(self, member: str):
        if member not in self.names:
            raise StudyError(f"{self.path}: not an .xlsx workbook (no {member} inside)")
        try:
            return safe_et.fromstring(self.read(member))
        except (safe_et.ParseError, DefusedXmlException) as exc:
            raise StudyError(f"{self.path}: broken XML in {member} ({exc})") from None

    def _sheets(self) -> list[tuple[str, str, str]]:
        """(name, member, state) of every worksheet, in the workbook's order."""
        book = self._xml("xl/workbook.xml")
        rels = self._xml("xl/_rels/workbook.xml.rels")
        targets = {}
        for rel in rels:
            if str(rel.get("Type", "")).endswith("/worksheet"):
                target = str(rel.get("Target", ""))
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[rel.get("Id")] = str(PurePosixPath(member))
        sheets = []
        for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
            member = targets.get(sheet.get(f"{{{_NS_REL}}}id"))
            if member is not None:
                sheets.append((str(sheet.get("name", "")), member,
                               str(sheet.get("state", "visible"))))
        if not sheets:
            raise StudyError(f"{self.path}: the workbook has no worksheet")
        return sheets


def _choose(book: _Workbook, sheet: str | None) -> tuple[str, bytes]:
    """The sheet to read and its XML: the named one, else the only one with data."""
    path = book.path
    names = [name for name, _, _ in book.sheets]
    if sheet is not None:
        match = [s for s in book.sheets if s[0] == sheet] or [
            s for s in book.sheets if s[0].casefold() == str(sheet).casefold()]
        if not match:
            raise StudyError(f"{path}: no sheet named {shorten(sheet)!r}; the workbook has "
                             + ", ".join(repr(n) for n in names))
        name, member, _ = match[0]
        return name, book.read(member)
    with_data = []
    first = None
    for name, member, state in book.sheets:
        xml = book.read(member)
        first = first or (name, xml)
        if _VALUE.search(xml):
            with_data.append((name, xml, state))
    if len(with_data) > 1:
        listed = ", ".join(repr(n) + ("" if s == "visible" else " (hidden)")
                           for n, _, s in with_data)
        raise StudyError(f"{path}: data on {len(with_data)} sheets ({listed}); only one is "
                         "read, so name it (--sheet NAME, or sheet= in load_study)")
    if with_data:
        return with_data[0][0], with_data[0][1]
    return first


def _formula_problems(file: str, xml: bytes) -> list[Problem]:
    """Cells with a formula and no saved value: they would read as blank."""
    if not _FORMULA.search(xml):
        return []
    problems = []
    for match in _CELL.finditer(xml):
        attrs, inner = match.group(1), match.group(2)
        if not _HAS_F.search(inner):
            continue
        value = _V_TEXT.search(inner)
        kind = _TYPE.search(attrs)
        # A text result may be an empty string; any other result needs a value.
        if value is not None and (value.group(1) or (kind and kind.group(1) == b"str")):
            continue
        ref = _REF.search(attrs)
        cell = (ref.group(1) + ref.group(2)).decode() if ref else "?"
        row = int(ref.group(2)) if ref else None
        problems.append(Problem(file, row, None, f"cell {cell} holds a formula with no saved "
                                                 "value (the file was not saved by a "
                                                 "spreadsheet program): open and save it, or "
                                                 "paste the values"))
    return problems


def _cell_text(value) -> str:
    """A cell as pandas' ``read_excel(dtype=str)`` gives it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(path: Path, name: str, file: str) -> list[tuple]:
    """The sheet's rows, trimmed of trailing blanks; refused once it spans too many cells."""
    from openpyxl import load_workbook

    rows: list[tuple] = []
    width = last = 0
    # openpyxl raises what its parser meets (KeyError, ValueError, TypeError, XML
    # errors...) on a damaged part: each is the file's fault, not the program's.
    try:
        wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            ws = wb[name]
            # The declared size counts for nothing once read (it may lie either way).
            ws.reset_dimensions()
            for row in ws.iter_rows(values_only=True):
                end = len(row)
                while end and row[end - 1] is None:
                    end -= 1
                rows.append(row[:end] if end else ())
                if end:
                    last, width = len(rows), max(width, end)
                    if last * width > MAX_CELLS:
                        _too_big(file, name, f"{_column_letters(width)}{last}")
        finally:
            wb.close()
    except (StudyError, MemoryError):
        raise
    except Exception as exc:
        raise StudyError(f"{path}: sheet {name!r} cannot be read: {type(exc).__name__}: "
                         f"{shorten(exc, 200)}") from None
    return rows[:last]


def _too_big(file: str, sheet: str, corner: str) -> None:
    raise StudyError(f"{file}: refused: sheet {sheet!r} reaches cell {corner}, more than "
                     f"{MAX_CELLS:,} cells; delete the empty rows and columns around the data "
                     "(or a stray cell far out) and save again")


def read_xlsx(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read one sheet of a workbook as text cells, with the header on its first row.

    Parameters
    ----------
    path : str or pathlib.Path
    sheet : str, optional
        The sheet to read; needed when more than one sheet holds data.

    Returns
    -------
    pandas.DataFrame
        One column per header cell (a blank header is ``Unnamed: N``, a repeated
        one ``name.1``), every cell as text (``""`` when blank), indexed by the
        row's position below the header (so ``index + 2`` is the sheet's row).

    Raises
    ------
    StudyError
        The file is not a workbook, its XML is broken, data is on several sheets
        and none is named, or a sheet is absurdly large.
    ValidationError
        Merged cells in the data, or formulas without a saved value.
    """
    path = Path(path)
    file = path.name
    book = _Workbook(path)
    name, xml = _choose(book, sheet)
    declared = _DIMENSION.search(xml[:65536])
    if declared:
        _, _, rows, cols = _corner(declared.group(1).decode())
        if rows * cols > _MAX_DECLARED:
            _too_big(file, name, _column_letters(cols) + str(rows))
    problems = _formula_problems(file, xml)
    rows = _rows(path, name, file)
    width = max((len(r) for r in rows), default=0)
    for match in _MERGE.finditer(xml):
        ref = match.group(1).decode()
        r1, c1, _, _ = _corner(ref)
        if r1 <= len(rows) and c1 <= width:
            problems.append(Problem(file, r1, None, f"cells {ref} are merged: a merged cell "
                                                    "keeps only its top-left value; unmerge "
                                                    "them and fill in every cell"))
    if problems:
        raise ValidationError(problems)
    if not rows:
        return pd.DataFrame()
    header = [_cell_text(v).strip() for v in rows[0]] + [""] * (width - len(rows[0]))
    columns: list[str] = []
    for i, h in enumerate(header):
        h = h or f"Unnamed: {i}"
        base, k = h, 0
        while h in columns:
            k += 1
            h = f"{base}.{k}"
        columns.append(h)
    body = [[_cell_text(v) for v in r] + [""] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=columns, dtype=str)
