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
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from synergi_analysis.errors import StudyError

__all__ = [
    "read_table",
    "write_atomic",
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


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_table(
    path: str | Path, *, categorical: Iterable[str] = (), allow_empty: bool = False
) -> pd.DataFrame:
    """Read a CSV or ``.xlsx`` table as text cells, whatever the locale that saved it.

    UTF-8 CSV, CSV saved by a Danish Excel (semicolon-separated, cp1252 or UTF-8
    with a BOM) and ``.xlsx`` all give the same frame. Blank cells are empty strings.
    The index is the record's position in the file (0 = the first row after the
    header), kept when blank rows are dropped, so ``index + 2`` is the row number
    a spreadsheet shows. Columns named in ``categorical`` may come back as
    categoricals of their text (the CSV parser then encodes each distinct spelling
    once, which is what keeps validating coded columns cheap). With
    ``allow_empty``, a file with a header and no rows gives an empty frame with
    those columns instead of an error.

    Raises
    ------
    StudyError
        The file is missing, empty, only a header, or cannot be parsed; the
        message names the file (and the row, where the parser says it).
    """
    path = Path(path)
    if not path.is_file():
        raise StudyError(f"{path}: file not found")
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise StudyError(f"{path}: not a readable .xlsx workbook ({exc})") from None
        frame = frame.fillna("")
    else:
        data = path.read_bytes()
        if not data.strip():
            raise StudyError(f"{path}: the file is empty")
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise StudyError(f"{path}: not a text table (binary content)")
        encoding = _encoding(data)
        header = data[: data.find(b"\n") if b"\n" in data else len(data)]
        sep = _delimiter(header.decode(encoding, errors="replace"))
        try:
            dtype = dict.fromkeys(categorical, "category")
            frame = pd.read_csv(
                io.BytesIO(data), sep=sep, dtype=defaultdict(lambda: str, dtype),
                keep_default_na=False, encoding=encoding, quoting=csv.QUOTE_MINIMAL,
                # Blank lines stay as rows (then dropped below, index kept), so the
                # row numbers in messages stay those a spreadsheet shows.
                skip_blank_lines=False,
            )
        except UnicodeDecodeError as exc:
            raise StudyError(f"{path}: not UTF-8 or cp1252 text ({exc.reason})") from None
        except pd.errors.ParserError as exc:
            raise StudyError(f"{path}: cannot be read as a table: {exc}") from None
        except pd.errors.EmptyDataError:
            raise StudyError(f"{path}: the file is empty") from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:")]
    if unnamed and all((frame[c] == "").all() for c in unnamed):
        # Excel leaves trailing empty columns behind; they carry nothing.
        frame = frame.drop(columns=unnamed)
    # Fully blank lines (Excel's trailing rows) carry nothing either.
    maybe_blank = frame.iloc[:, 0].astype(object) == ""
    if maybe_blank.any():
        blank = (frame.loc[maybe_blank].astype(object) == "").all(axis=1)
        frame = frame.drop(index=blank.index[blank])
    if frame.empty and not allow_empty:
        raise StudyError(f"{path}: the file has a header but no rows")
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
    which then replaces ``path`` in one step. If writing fails, the old file
    stays as it was and the temporary file is removed.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write; its folder must exist.
    data : bytes or callable
        The content, or a function that writes it to the binary file it is given
        (``lambda fh: fig.savefig(fh, format="png")``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "a.txt"
    ...     write_atomic(target, b"hello")
    ...     target.read_bytes()
    b'hello'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder shipped beside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "notebooks", here / "notebooks"):
        if (candidate / "batch.yml").is_file():
            return candidate
    raise StudyError(f"the shipped notebooks were not found next to {here}")
