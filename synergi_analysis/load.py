"""Loading a study: the codebook, the interviews and the quotes, validated.

A study is a folder with ``codebook.yml``, ``interviews.csv`` (or ``.xlsx``) and
``quotes.csv``, plus the ranking's tables. `load_study` also takes a single
interviews file (read against the shipped codebook) or a REFI-QDA project.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synergi_analysis.codebook import Codebook
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.validate import (
    INTERVIEW_ID,
    QUOTE_COLUMNS,
    validate_interviews,
    validate_quotes,
)

__all__ = ["Study", "load_study", "load_codebook", "read_table", "shipped_data_dir"]

CODEBOOK_FILE = "codebook.yml"
INTERVIEW_FILES = ("interviews.csv", "interviews.xlsx")
QUOTES_FILE = "quotes.csv"
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
QDA_SUFFIXES = (".qdpx", ".qde")
#: Files whose content counts towards a study's fingerprint.
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".yml", ".yaml", *QDA_SUFFIXES})


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


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook; ``None`` means the shipped one.

    Examples
    --------
    >>> load_codebook().keys("visitor_type")
    ['borgerservice', 'bibliotek']
    """
    if path is None:
        path = shipped_data_dir() / CODEBOOK_FILE
    path = Path(path)
    if path.is_dir():
        path = path / CODEBOOK_FILE
    return Codebook.from_file(path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Study:
    """A loaded study: the codebook, one row per interview, one row per quote.

    Attributes
    ----------
    codebook : Codebook
    interviews : pandas.DataFrame
        One row per interview; see `validate_interviews` for the columns.
    quotes : pandas.DataFrame
        ``quote_id``, ``interview_id``, ``text``, ``stage``, ``theme``.
    source : str
        What was loaded (a folder, a file or a QDA project), for messages and reports.
    files : dict
        Role (``codebook``, ``interviews``, ``quotes``, ...) to the file read.
    warnings : list of str
        Things a reader should know that are not errors (e.g. unmapped QDA codes).
    folder : pathlib.Path or None
        The study folder, where extra tables (`table`) are looked up first.
    anonymous : bool
        True for a copy made by `anonymised` (speaker pseudonyms, no exact ages).
    """

    codebook: Codebook
    interviews: pd.DataFrame
    quotes: pd.DataFrame
    source: str
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    folder: Path | None = None
    anonymous: bool = False

    def __repr__(self) -> str:
        return (
            f"Study({self.source!r}: {len(self.interviews)} interviews, "
            f"{len(self.quotes)} quotes)"
        )

    @property
    def codings(self) -> pd.DataFrame:
        """The long view: one row per (interview, dimension, value).

        Multi-valued dimensions give one row per value and journey stages give
        ``dimension = 'journey:<stage>'``, so generic crosstabs need no special cases.

        Returns
        -------
        pandas.DataFrame
            ``interview_id``, ``dimension``, ``value`` (all str).
        """
        frames = []
        ids = self.interviews[INTERVIEW_ID]
        for dim in self.codebook.dimensions.values():
            col = dim.column
            if not col or col not in self.interviews:
                continue
            values = self.interviews[col].astype(object)
            if dim.multi:
                values = values.fillna("").str.split(dim.separator).explode()
                values = values[values != ""]
            frame = pd.DataFrame({INTERVIEW_ID: ids.loc[values.index].to_numpy(),
                                  "dimension": dim.name, "value": values.to_numpy()})
            frames.append(frame.dropna(subset=["value"]))
        for stage in self.codebook.stages:
            if stage in self.interviews:
                values = self.interviews[stage].astype(object)
                frame = pd.DataFrame({INTERVIEW_ID: ids.to_numpy(),
                                      "dimension": f"journey:{stage}", "value": values.to_numpy()})
                frames.append(frame.dropna(subset=["value"]))
        if not frames:
            return pd.DataFrame(columns=[INTERVIEW_ID, "dimension", "value"])
        return pd.concat(frames, ignore_index=True)

    def anonymised(self, *, prefix: str = "Borger") -> Study:
        """A copy that is safe to share: speaker pseudonyms and no exact ages.

        Each interview with a speaker gets ``"<prefix> N"``, numbered in
        interview order, so the same data always gives the same pseudonyms.
        Exact ages are removed (the age band stays). A speaker's name written
        inside any quote (as a whole word) is replaced by the pseudonym too.

        Examples
        --------
        >>> study = load_study().anonymised()
        >>> study.interviews["speaker"].dropna().iloc[0]
        'Borger 1'
        >>> bool(study.interviews["age"].notna().any())
        False
        """
        interviews = self.interviews.copy()
        quotes = self.quotes.copy()
        named = interviews["speaker"].notna()
        pseudonyms = pd.Series(
            [f"{prefix} {i}" for i in range(1, int(named.sum()) + 1)],
            index=interviews.index[named],
        )
        names: dict[str, str] = {}
        for full, alias in zip(interviews.loc[named, "speaker"], pseudonyms, strict=True):
            for part in re.split(r",|\bog\b|\band\b|&", str(full)):
                part = part.strip()
                if len(part) > 1:
                    names.setdefault(part, alias)
        interviews.loc[named, "speaker"] = pseudonyms
        interviews["age"] = pd.array([pd.NA] * len(interviews), dtype="Int64")
        if names and len(quotes):
            pattern = re.compile(
                r"\b("
                + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                + r")\b"
            )
            quotes["text"] = quotes["text"].astype(str).str.replace(
                pattern, lambda m: names[m.group(1)], regex=True
            )
        return Study(
            codebook=self.codebook,
            interviews=interviews,
            quotes=quotes,
            source=self.source,
            files=dict(self.files),
            warnings=list(self.warnings),
            folder=self.folder,
            anonymous=True,
        )

    def table(self, name: str) -> pd.DataFrame | None:
        """An extra table of the study (``services``, ``sites``, ``library_offers``).

        Looked up in the study's folder, then beside its codebook; ``None`` when
        neither has it. Read as text, as the researcher wrote it.
        """
        for folder in (self.folder, self.codebook.path.parent if self.codebook.path else None):
            if folder is None:
                continue
            path = Path(folder) / f"{name}.csv"
            if path.is_file():
                return read_table(path)
        return None

    def data_files(self) -> list[Path]:
        """Every file the study's results may depend on, sorted.

        The files it was read from, and the data files beside them (in the study
        folder and beside the codebook: the ranking's and the sites' tables).
        """
        files = {Path(p).resolve() for p in self.files.values()}
        folders = {self.folder, self.codebook.path.parent if self.codebook.path else None}
        for folder in folders - {None}:
            if Path(folder).is_dir():
                files |= {p.resolve() for p in Path(folder).iterdir()
                          if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                          and not p.name.startswith((".", "~$"))}
        return sorted(files)

    @property
    def fingerprint(self) -> str:
        """A content hash of every file in `data_files` (the codebook included)."""
        h = hashlib.sha256()
        for path in self.data_files():
            h.update(path.name.encode())
            h.update(_sha256(path).encode())
        return h.hexdigest()

    def provenance(self) -> dict[str, str]:
        """Which data, codebook and package version made a result, for reports."""
        from synergi_analysis import __version__

        info = {
            "data": self.source,
            "data_sha256": self.fingerprint[:16],
            "codebook": str(self.codebook.path) if self.codebook.path else "",
            "codebook_sha256": _sha256(self.codebook.path)[:16] if self.codebook.path else "",
            "interviews": str(len(self.interviews)),
            "quotes": str(len(self.quotes)),
            "anonymised": "yes" if self.anonymous else "no",
            "synergi_analysis": __version__,
        }
        return info


# -- reading files ------------------------------------------------------------------


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


def _find_interviews(folder: Path) -> Path:
    for name in INTERVIEW_FILES:
        if (folder / name).is_file():
            return folder / name
    raise StudyError(f"{folder}: no interviews.csv or interviews.xlsx in this folder")


def load_study(path: str | Path | None = None, *, codebook: str | Path | None = None) -> Study:
    """Load and validate a study.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A study folder (``codebook.yml``, ``interviews.csv`` or ``.xlsx``,
        ``quotes.csv``), a single interviews file (CSV or ``.xlsx``, read against
        the shipped codebook), or a REFI-QDA project (``.qdpx``/``.qde``).
        ``None`` (the default) loads the study shipped with the package.
    codebook : str or pathlib.Path, optional
        A codebook to use instead of the folder's own or the shipped one.

    Returns
    -------
    Study
        The codebook, the interviews and the quotes as tidy frames.

    Raises
    ------
    StudyError
        A file is missing or cannot be read.
    ValidationError
        The data breaks the codebook; ``.problems`` lists every problem as
        ``file:row:column: message``.

    Examples
    --------
    >>> study = load_study()
    >>> len(study.interviews), study.interviews["site"].cat.categories.tolist()
    (45, ['roskilde', 'ringsted', 'næstved', 'glumsø'])
    """
    folder: Path | None
    if path is None:
        folder = shipped_data_dir()
        target = folder
    else:
        target = Path(path).expanduser()
        if not target.exists():
            raise StudyError(f"{target}: no such file or folder")
        folder = target if target.is_dir() else None

    if target.is_file() and target.suffix.lower() in QDA_SUFFIXES:
        from synergi_analysis.qdpx import load_qdpx

        return load_qdpx(target, codebook=codebook)

    if folder is not None:
        cb_path = Path(codebook) if codebook else folder / CODEBOOK_FILE
        if not cb_path.is_file() and codebook is None:
            cb_path = shipped_data_dir() / CODEBOOK_FILE
        interviews_path = _find_interviews(folder)
        quotes_path = folder / QUOTES_FILE
        if not quotes_path.is_file():
            quotes_path = None
    else:
        if target.suffix.lower() not in TABLE_SUFFIXES:
            raise StudyError(
                f"{target}: expected a study folder, a .csv or .xlsx interviews file, "
                "or a .qdpx/.qde project"
            )
        cb_path = Path(codebook) if codebook else shipped_data_dir() / CODEBOOK_FILE
        interviews_path = target
        quotes_path = None

    cb = load_codebook(cb_path)
    files = {"codebook": cb_path, "interviews": interviews_path}
    coded = [*cb.coded_columns, *cb.stages, "age", "long_interview"]
    raw = read_table(interviews_path, categorical=coded)
    interviews, problems = validate_interviews(raw, cb, file=interviews_path.name)
    if quotes_path is not None:
        files["quotes"] = quotes_path
        # A study may have no quotes yet: a quotes file with only its header is valid.
        raw_quotes = read_table(quotes_path, allow_empty=True)
        ids = interviews[INTERVIEW_ID] if INTERVIEW_ID in interviews else []
        quotes, quote_problems = validate_quotes(
            raw_quotes, cb, ids, file=quotes_path.name, interviews_file=interviews_path.name
        )
        problems += quote_problems
    else:
        quotes, _ = validate_quotes(pd.DataFrame(columns=QUOTE_COLUMNS), cb, [], file="-")
    if problems:
        raise ValidationError(problems)
    return Study(
        codebook=cb,
        interviews=interviews,
        quotes=quotes,
        source=str(target),
        files=files,
        folder=folder,
    )

