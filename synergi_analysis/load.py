"""Loading a study: the codebook, the interviews and the quotes, validated.

A study is a folder with ``codebook.yml``, ``interviews.csv`` (or ``.xlsx``) and
``quotes.csv``, plus the ranking's tables. `load_study` also takes a single
interviews file (read against the shipped codebook) or a REFI-QDA project.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synergi_analysis._io import (
    CODEBOOK_FILE,
    ENCODING_NAMES,
    QDA_SUFFIXES,
    TABLE_SUFFIXES,
    read_table,
    shipped_data_dir,
)
from synergi_analysis.codebook import load_codebook
from synergi_analysis.errors import Problem, StudyError, ValidationError
from synergi_analysis.qda.mapping import load_qdpx
from synergi_analysis.study import Study
from synergi_analysis.validate import (
    INTERVIEW_ID,
    QUOTE_COLUMNS,
    validate_interviews,
    validate_offers,
    validate_quotes,
    validate_services,
    validate_sites,
)
from synergi_analysis.words import _check_lang

__all__ = ["Study", "load_study", "load_codebook", "read_table", "shipped_data_dir"]

INTERVIEW_FILES = ("interviews.csv", "interviews.xlsx")
QUOTES_FILE = "quotes.csv"


# -- reading files ------------------------------------------------------------------


def _find_interviews(folder: Path) -> Path:
    for name in INTERVIEW_FILES:
        if (folder / name).is_file():
            return folder / name
    raise StudyError(f"{folder}: no interviews.csv or interviews.xlsx in this folder")


def load_study(
    path: str | Path | None = None,
    *,
    codebook: str | Path | None = None,
    sources: str | Path | None = None,
    sheet: str | None = None,
    lang: str = "da",
    anonymise: bool = False,
) -> Study:
    """Load and validate a study.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A study folder (``codebook.yml``, ``interviews.csv`` or ``.xlsx``,
        ``quotes.csv``, and optionally ``services.csv``, ``library_offers.csv``,
        ``sites.csv``), a single interviews file (CSV or ``.xlsx``, read against
        the shipped codebook), or a REFI-QDA project (``.qdpx``/``.qde``).
        ``None`` (the default) loads the study shipped with the package.
    codebook : str or pathlib.Path, optional
        A codebook to use instead of the folder's own or the shipped one.
    sources : str or pathlib.Path, optional
        For a REFI-QDA project: the folder of the texts it keeps outside itself
        (``relative://`` paths). The project's own ``basePath`` is never read.
    sheet : str, optional
        For interviews in an ``.xlsx``: the sheet to read. Needed when more than
        one sheet holds data (reading only the first would lose the others).
    lang : {"da", "en"}
        The language the study's tables and charts are labelled in (`Study.lang`).
    anonymise : bool
        Return `Study.anonymised`: pseudonyms, no exact ages, nothing not shown.

    Returns
    -------
    Study
        The codebook, the interviews and the quotes as tidy frames.
        ``warnings`` says which encoding a table that is not UTF-8 was read in,
        and when a folder without ``codebook.yml`` was read against the shipped one.

    Raises
    ------
    StudyError
        A file is missing or cannot be read.
    ValidationError
        The data breaks the codebook; ``.problems`` lists every problem as
        ``file:row:column: message``, the ranking's and the sites' tables of the
        folder included.

    Examples
    --------
    >>> study = load_study()
    >>> len(study.interviews), study.interviews["site"].cat.categories.tolist()
    (45, ['roskilde', 'ringsted', 'næstved', 'glumsø'])
    """
    _check_lang(lang)
    study = _read_study(path, codebook=codebook, sources=sources, sheet=sheet).with_lang(lang)
    return study.anonymised() if anonymise else study


def _read_study(path: str | Path | None, *, codebook: str | Path | None,
                sources: str | Path | None, sheet: str | None) -> Study:
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
        if sheet is not None:
            raise StudyError(f"{target}: a sheet is named, but this is a QDA project")
        return load_qdpx(target, codebook=codebook, sources=sources)

    warnings: list[str] = []
    if folder is not None:
        cb_path = Path(codebook) if codebook else folder / CODEBOOK_FILE
        if not cb_path.is_file() and codebook is None:
            cb_path = shipped_data_dir() / CODEBOOK_FILE
            warnings.append(shipped_codebook_note(folder))
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
    known = cb.characters
    files = {"codebook": cb_path, "interviews": interviews_path}
    coded = [*cb.coded_columns, *cb.stages, "age", "long_interview"]
    raw = read_table(interviews_path, categorical=coded, sheet=sheet, known=known)
    warnings += _encoding_note(interviews_path, raw)
    interviews, problems = validate_interviews(raw, cb, file=interviews_path.name)
    columns = {interviews_path.name: list(raw.columns)}
    if quotes_path is not None:
        files["quotes"] = quotes_path
        # A study may have no quotes yet: a quotes file with only its header is valid.
        raw_quotes = read_table(quotes_path, allow_empty=True, known=known)
        warnings += _encoding_note(quotes_path, raw_quotes)
        columns[quotes_path.name] = list(raw_quotes.columns)
        ids = interviews[INTERVIEW_ID] if INTERVIEW_ID in interviews else []
        quotes, quote_problems = validate_quotes(
            raw_quotes, cb, ids, file=quotes_path.name, interviews_file=interviews_path.name
        )
        problems += quote_problems
    else:
        quotes, _ = validate_quotes(pd.DataFrame(columns=QUOTE_COLUMNS), cb, [], file="-")
    if folder is not None:
        problems += _check_tables(folder, cb, known, columns, warnings)
    if problems:
        raise ValidationError(problems, columns=columns)
    return Study(
        codebook=cb,
        interviews=interviews,
        quotes=quotes,
        source=str(target),
        files=files,
        warnings=warnings,
        folder=folder,
    )


def shipped_codebook_note(folder: Path) -> str:
    """What `load_study` warns when a study folder has no codebook of its own."""
    return (f"{folder}: no {CODEBOOK_FILE} in this folder; read against the shipped "
            f"codebook ({shipped_data_dir() / CODEBOOK_FILE})")


def _encoding_note(path: Path, frame: pd.DataFrame) -> list[str]:
    encoding = frame.attrs.get("encoding")
    if encoding in (None, "utf-8", "utf-8-sig"):
        return []
    return [f"{path.name}: not UTF-8; read as {ENCODING_NAMES.get(encoding, encoding)}"]


#: The folder's other tables, the dimensions each needs, and its check.
_TABLES = (
    ("services.csv", ("service", "site"), validate_services),
    ("library_offers.csv", ("service",), validate_offers),
    ("sites.csv", ("site",), validate_sites),
)


def _check_tables(folder: Path, cb, known, columns: dict, warnings: list[str]) -> list[Problem]:
    """Problems of the ranking's and the sites' tables in the study folder.

    Checked at load, not first when a ranking is drawn, so ``synergi validate``
    reports them with every other problem, located by file, row and column.
    """
    problems: list[Problem] = []
    for name, needs, check in _TABLES:
        path = folder / name
        if not path.is_file():
            continue
        lacking = [d for d in needs if d not in cb]
        if lacking:
            problems.append(Problem(name, None, None, f"the codebook has no {lacking[0]!r} "
                                                      "dimension, which this table needs"))
            continue
        raw = read_table(path, allow_empty=True, known=known)
        warnings += _encoding_note(path, raw)
        columns[name] = list(raw.columns)
        problems += check(raw, cb, file=name)[1]
    return problems
