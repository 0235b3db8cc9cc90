"""Files in and out: tables in any locale, content hashes, and the one atomic write.

Every module that reads a table calls `read_table`; every file the package writes
(reports, figures, study folders, projects) goes through `write_atomic`, so a
failed write never leaves a half-written file or destroys the last good one.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from synergi_analysis.errors import OutputError, Problem, StudyError, ValidationError, shorten

__all__ = [
    "read_table",
    "write_atomic",
    "write_atomic_many",
    "csv_safe",
    "to_csv_bytes",
    "sha256_file",
    "shipped_data_dir",
    "notebooks_dir",
    "CODEBOOK_FILE",
    "TABLE_SUFFIXES",
    "QDA_SUFFIXES",
]


CODEBOOK_FILE = "codebook.yml"


TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


QDA_SUFFIXES = (".qdpx", ".qde")


def shipped_data_dir() -> Path:
    """The folder of the study shipped with the package (``data/`` of the repository).

    Found from the package's own location, so it works from an installed package
    and from a notebook whose working directory is ``notebooks/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "data", here / "data"):
        if (candidate / CODEBOOK_FILE).is_file():
            return candidate
    raise StudyError(f"the shipped study was not found next to {here}")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _encoding(data: bytes) -> str:
    """The encoding of a CSV as Excel or an editor saved it: UTF-8 (BOM or not) or cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # A Danish Windows Excel saves "CSV (semikolonsepareret)" as cp1252.
        return "cp1252"
    return "utf-8"


#: 8-bit encodings a table that is not UTF-8 may be in: Windows Excel, then an old Mac.
_EIGHT_BIT = {"cp1252": "Windows (cp1252)", "mac_roman": "Mac Roman"}
#: Characters a text may hold besides letters, whatever its language.
_PUNCTUATION = set("\u00a0–—‘’‚“”„«»…•€£§°±×÷©®™µ·½¼²³¹ªº¡")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", **_EIGHT_BIT}


def _odd(text: str, known: frozenset[str]) -> set[str]:
    """Characters of ``text`` no table of the study would hold: not ASCII, a letter,
    common punctuation, or a character of the codebook."""
    if text.isascii():
        return set()
    return {ch for ch in set(text) if ord(ch) > 127 and not ch.isalpha()
            and ch not in _PUNCTUATION and ch not in known}


def _eight_bit(data: bytes, path: Path, known: frozenset[str]) -> tuple[str, str]:
    """Bytes that are not UTF-8: the 8-bit reading whose characters make sense.

    Tried as cp1252 (Windows Excel) and Mac Roman; the reading whose characters
    are letters, common punctuation or characters of the codebook (``known``)
    wins: Mac Roman read as cp1252 turns ``æ``, ``ø`` into ``¾``, ``¿``. When
    neither reading is clean the file is refused, naming the characters, rather
    than loaded as mojibake.
    """
    readings = []
    for candidate in _EIGHT_BIT:
        text = data.decode(candidate, errors="replace")
        odd = _odd(text, known)
        hits = sum(ch in known for ch in set(text))
        readings.append((len(odd), -hits, candidate, text, odd))
    readings.sort(key=lambda r: r[:2])
    n_odd, _, encoding, text, odd = readings[0]
    if n_odd:
        shown = ", ".join(repr(ch) for ch in sorted(odd)[:8])
        raise StudyError(
            f"{path}: not UTF-8, and read as cp1252 or Mac Roman it holds characters "
            f"no other file of the study uses ({shown}); save it as UTF-8")
    return text, encoding


#: Every byte below the UTF-8 lead byte of U+0300: text made of these alone is NFC
#: (the first character Unicode normalisation can change is U+0300).
_BELOW_U0300 = bytes(range(0xCC))


def _utf8_nfc(text: str) -> bytes:
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.lstrip("\ufeff").encode("utf-8")


def _prepare(data: bytes, path: Path, known: frozenset[str]) -> tuple[bytes, str]:
    """The table as UTF-8 bytes in Unicode NFC, and the encoding it was in.

    Normalising to NFC makes a label typed on a Mac (decomposed, NFD) match the
    codebook's. The common case, UTF-8 without characters from U+0300 on, is
    passed through untouched (the parser checks it is UTF-8).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _utf8_nfc(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise StudyError(f"{path}: not UTF-16 text ({exc.reason})") from None
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    if data.translate(None, _BELOW_U0300):
        try:
            return _utf8_nfc(data.decode("utf-8")), encoding
        except UnicodeDecodeError:
            if encoding == "utf-8-sig":
                raise StudyError(f"{path}: not UTF-8 text, though it starts as UTF-8") from None
            text, encoding = _eight_bit(data, path, known)
            return _utf8_nfc(text), encoding
    return data, encoding


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# -- formula injection: what a spreadsheet would run ----------------------------------

#: A cell a spreadsheet reads as a formula starts with one of these (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'[=+\-@\t\r]")
_ESCAPED_BYTES = re.compile(rb"'[=+\-@\t\r]")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells a spreadsheet will not run as formulas.

    OWASP's rule for CSV injection: a text cell that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading single quote
    (``'=1+1``), which Excel and LibreOffice show as text and do not display.
    Numbers stay numbers (``-3`` in a numeric column is not touched).
    `read_table` removes that one quote again, so a file the tool wrote reads
    back to the same values.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"text": ["=HYPERLINK(1)", "-ja", "ok"], "n": [-1, 2, 3]}))
                 text  n
    0  '=HYPERLINK(1) -1
    1            '-ja  2
    2              ok  3
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        text = s.astype(object)
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        if risky.any():
            out[col] = text.where(~risky, "'" + text.astype(str))
    return out


def to_csv_bytes(frame: pd.DataFrame, **kwargs) -> bytes:
    """A frame as UTF-8 CSV bytes, formula-safe (`csv_safe`); every CSV the tool writes."""
    return csv_safe(frame).to_csv(lineterminator="\n", **kwargs).encode("utf-8")


def _unescape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo `csv_safe`: a cell ``'=...`` (``'+``, ``'-``, ``'@``, tab, CR) loses its quote."""
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        hit = s.map(lambda v: isinstance(v, str) and _ESCAPED.match(v) is not None)
        if hit.any():
            frame[col] = s.where(~hit, s.str[1:])
    return frame


# -- reading tables -----------------------------------------------------------------


def _row_shape(value: str) -> str:
    """``Q12`` -> ``A9``: the shape of an id, to tell a row from a line of prose."""
    return re.sub(r"[0-9]+", "9", re.sub(r"[^\W\d_]+", "A", value))


def _merged_rows(frame: pd.DataFrame, data: bytes, sep: str, path: Path) -> list[Problem]:
    """Cells that run over several lines and hold what looks like rows of their own.

    A quote mark at the start of a cell that is never closed where it should be
    makes the parser read on, across line breaks, into the rows below: they are
    merged into one cell and lost as rows. A cell may hold line breaks of its own
    (a quote's paragraphs): only lines that look like rows (as many fields as the
    header, starting with an id shaped like the file's first column) count.
    """
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines <= len(frame) + 1:
        return []
    ncols = len(frame.columns)
    shapes = {_row_shape(str(v)) for v in frame.iloc[:, 0].astype(object)
              if isinstance(v, str) and v and "\n" not in v}
    problems = []
    for col in frame.columns:
        s = frame[col].astype(object)
        multi = s.map(lambda v: isinstance(v, str) and ("\n" in v or "\r" in v))
        for idx, cell in s[multi].items():
            inner = cell.replace("\r\n", "\n").split("\n")
            rowlike = [ln for ln in inner[1:] if len(ln.split(sep)) >= ncols - 1
                       and _row_shape(ln.split(sep)[0]) in shapes]
            if rowlike:
                problems.append(Problem(
                    path.name, int(idx) + 2, str(col),
                    f"the cell runs over {len(inner)} lines and holds {len(rowlike)} that look "
                    f"like rows of their own (from {shorten(rowlike[0], 40)!r}): a stray "
                    f"quote mark (\") merges rows; the file has {lines} lines but "
                    f"{len(frame) + 1} rows"))
    return problems


def _parse_csv(data: bytes, path: Path, categorical: Iterable[str]) -> tuple[pd.DataFrame, str]:
    """The table and its separator (comma, semicolon or tab, from the header)."""
    sep = _delimiter(data[: data.find(b"\n") if b"\n" in data else len(data)].decode(
        "utf-8", errors="replace"))
    dtype = defaultdict(lambda: str, dict.fromkeys(categorical, "category"))
    options = dict(sep=sep, keep_default_na=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL,
                   # Blank lines stay as rows (then dropped, index kept), so the row
                   # numbers in messages stay those a spreadsheet shows.
                   skip_blank_lines=False)
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=dtype, **options)
        if not isinstance(frame.index, pd.RangeIndex):
            # Every row has one field more than the header (a separator at the end of
            # each line): pandas would take the first column as the index and shift
            # every column by one. Read the extra field into a column of its own.
            header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8")], delimiter=sep))
            names = [h.strip() for h in header] + [_EXTRA]
            frame = pd.read_csv(io.BytesIO(data), dtype=dtype, header=None, skiprows=1,
                                names=names, **options)
    except pd.errors.ParserError as exc:
        raise StudyError(f"{path}: cannot be read as a table: {shorten(exc, 200)}") from None
    except pd.errors.EmptyDataError:
        raise StudyError(f"{path}: the file is empty") from None
    if _EXTRA in frame.columns:
        extra = frame[_EXTRA].astype(object).fillna("").astype(str).str.strip()
        if (extra != "").any():
            raise ValidationError([
                Problem(path.name, int(i) + 2, None,
                        f"a value after the last column ({shorten(v)!r}); the header has "
                        f"{len(frame.columns) - 1} columns")
                for i, v in extra[extra != ""].items()])
        frame = frame.drop(columns=[_EXTRA])
    return frame, sep


_EXTRA = "\x00after the last column"


def read_table(
    path: str | Path,
    *,
    categorical: Iterable[str] = (),
    allow_empty: bool = False,
    sheet: str | None = None,
    known: Iterable[str] = (),
) -> pd.DataFrame:
    """Read a CSV or ``.xlsx`` table as text cells, whatever the locale that saved it.

    UTF-8 CSV, CSV saved by a Danish Excel (semicolon-separated, cp1252 or UTF-8
    with a BOM), CSV from an old Mac (Mac Roman) and ``.xlsx`` all give the same
    frame, every cell in Unicode NFC. Blank cells are empty strings. The index
    is the record's position in the file (0 = the first row after the header),
    kept when blank rows are dropped, so ``index + 2`` is the row number a
    spreadsheet shows. Columns named in ``categorical`` may come back as
    categoricals of their text (the CSV parser then encodes each distinct
    spelling once, which is what keeps validating coded columns cheap). With
    ``allow_empty``, a file with a header and no rows gives an empty frame with
    those columns instead of an error. A cell the tool escaped against formula
    injection (``'=...``, see `csv_safe`) is read without its quote.
    ``frame.attrs["encoding"]`` says how a CSV was decoded.

    Parameters
    ----------
    sheet : str, optional
        The sheet of an ``.xlsx`` to read (needed when several hold data).
    known : iterable of str
        Characters the study's other files use (the codebook's), which tell the
        right 8-bit encoding of a CSV that is not UTF-8.

    Raises
    ------
    StudyError
        The file is missing, empty, only a header, or cannot be parsed; the
        message names the file (and the row, where the parser says it).
    ValidationError
        Rows merged by a stray quote mark, values after the last column, merged
        cells or formulas without values in a workbook: each located.
    """
    path = Path(path)
    if not path.is_file():
        raise StudyError(f"{path}: file not found")
    if path.suffix.lower() == ".xlsx":
        from synergi_analysis._xlsx import read_xlsx

        frame = read_xlsx(path, sheet=sheet)
        if frame.columns.empty:
            raise StudyError(f"{path}: the sheet is empty")
        frame = _nfc(frame)
        encoding = None
    else:
        if sheet is not None:
            raise StudyError(f"{path}: a sheet is named, but this is not an .xlsx workbook")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StudyError(f"{path}: cannot be read ({exc.strerror})") from None
        if not data.strip():
            raise StudyError(f"{path}: the file is empty")
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise StudyError(f"{path}: not a text table (binary content)")
        known = frozenset(known)
        payload, encoding = _prepare(data, path, known)
        try:
            frame, sep = _parse_csv(payload, path, categorical)
        except UnicodeDecodeError:
            # Bytes the quick check let through (below U+0300) that are not UTF-8.
            text, encoding = _eight_bit(data, path, known)
            payload = _utf8_nfc(text)
            frame, sep = _parse_csv(payload, path, categorical)
        data = payload
        if not frame.empty:
            merged = _merged_rows(frame, data, sep, path)
            if merged:
                raise ValidationError(merged)
        if _ESCAPED_BYTES.search(data):
            frame = _unescape_formulas(frame)
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:")]
    if unnamed and all((frame[c] == "").all() for c in unnamed):
        # Excel leaves trailing empty columns behind; they carry nothing.
        frame = frame.drop(columns=unnamed)
    # Fully blank lines (Excel's trailing rows) carry nothing either.
    if len(frame.columns):
        maybe_blank = frame.iloc[:, 0].astype(object) == ""
        if maybe_blank.any():
            blank = (frame.loc[maybe_blank].astype(object) == "").all(axis=1)
            frame = frame.drop(index=blank.index[blank])
    if frame.empty and not allow_empty:
        raise StudyError(f"{path}: the file has a header but no rows")
    frame.attrs["encoding"] = encoding
    return frame


def _nfc(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and column name in Unicode NFC."""
    def norm(v):
        return unicodedata.normalize("NFC", v) if isinstance(v, str) and not v.isascii() else v

    frame.columns = [norm(str(c)) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(norm)
    return frame


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write a file so that no reader ever sees it half-written.

    The content goes to a new temporary file in the same folder (created with
    ``O_EXCL`` by `tempfile.mkstemp`, so no link planted there is followed),
    which then replaces ``path`` in one step (a link at ``path`` is replaced,
    never written through). If writing fails, the old file stays as it was and
    the temporary file is removed.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write; its folder must exist.
    data : bytes or callable
        The content, or a function that writes it to the binary file it is given
        (``lambda fh: fig.savefig(fh, format="png")``).

    Raises
    ------
    OutputError
        The file cannot be written (no such folder, no permission, a full disk, a
        folder in its place); the message names it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "a.txt"
    ...     write_atomic(target, b"hello")
    ...     target.read_bytes()
    b'hello'
    """
    write_atomic_many({path: data})


def write_atomic_many(files: Mapping[str | Path, bytes | Callable[[BinaryIO], None]]) -> None:
    """Write several files so that either all are replaced or none is.

    Every file is first written in full to its temporary file (as `write_atomic`
    does); only when all are complete do they replace their targets, one rename
    each. A failure while writing (a full disk) leaves every target as it was.
    """
    ready: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            ready.append((_write_temp(Path(path), data), Path(path)))
        for tmp, path in ready:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise _output_error(path, exc) from None
    finally:
        for tmp, _ in ready:
            Path(tmp).unlink(missing_ok=True)


def make_folder(path: str | Path) -> Path:
    """The folder ``path``, created with its parents where missing.

    Raises `StudyError` when a file stands where the folder should be (the user
    named the wrong path) and `OutputError` when it cannot be created.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     make_folder(Path(tmp) / "a" / "b").is_dir()
    True
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise StudyError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StudyError(f"{out}: exists and is not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot create the folder {out}: {exc.strerror or exc}") from None
    return out


def _output_error(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _write_temp(path: Path, data: bytes | Callable[[BinaryIO], None]) -> str:
    """The content written to a new temporary file beside ``path``; its name."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _output_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder shipped beside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "notebooks", here / "notebooks"):
        if (candidate / "batch.yml").is_file():
            return candidate
    raise StudyError(f"the shipped notebooks were not found next to {here}")
