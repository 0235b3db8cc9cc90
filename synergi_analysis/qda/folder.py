"""A REFI-QDA project written out as a study folder to inspect and correct."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synergi_analysis._io import make_folder, to_csv_bytes, write_atomic_many
from synergi_analysis.errors import StudyError
from synergi_analysis.qda.mapping import (
    QdaStudy,
    load_qdpx,
)

__all__ = [
    "import_qdpx",
]



def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "true", False: "false"})
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return out


def import_qdpx(
    path: str | Path, out: str | Path, *, codebook: str | Path | None = None,
    overwrite: bool = False, sources: str | Path | None = None,
) -> QdaStudy:
    """Write a project as a study folder: interviews, quotes, memos and the codebook.

    ``interviews.csv``, ``quotes.csv`` (with each quote's codes, coders and coding
    comment), ``memos.csv`` (the project's notes and code descriptions, see
    `MEMO_COLUMNS`) and ``codebook.yml``. The folder loads with `load_study` once
    it validates (a project coded with its own themes leaves the codebook's
    columns blank, to be filled in by hand), and `export_qdpx` writes its memos
    back.

    The CSV files are formula-safe: a cell starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return is written with a leading ``'`` (see
    `synergi_analysis._io.csv_safe`), which `load_study` removes again.

    Raises
    ------
    StudyError
        The project cannot be read, ``out`` is a file, or the folder already
        holds a study and ``overwrite`` is False.
    OutputError
        The folder or its files cannot be written; the study that was there
        before is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> from synergi_analysis import export_qdpx, load_study
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = export_qdpx(load_study(), Path(tmp) / "study.qdpx")
    ...     _ = import_qdpx(path, Path(tmp) / "study")
    ...     sorted(p.name for p in (Path(tmp) / "study").iterdir())
    ['codebook.yml', 'interviews.csv', 'memos.csv', 'quotes.csv']
    """
    study = load_qdpx(path, codebook=codebook, sources=sources)
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise StudyError(f"{out}: exists and is not a folder; give a folder to write the "
                         "study to")
    targets = [out / "interviews.csv", out / "quotes.csv", out / "codebook.yml",
               out / "memos.csv"]
    existing = [p.name for p in targets if p.exists() or p.is_symlink()]
    if existing and not overwrite:
        raise StudyError(f"{out}: already holds {', '.join(existing)}; choose another folder "
                         "or overwrite")
    make_folder(out)
    # Everything is read before anything is written (the codebook may be the one in
    # this folder), and the files replace the old ones together: a failed write
    # leaves the folder's earlier study as it was, never a 0-byte or mixed one.
    files: dict[Path, bytes] = {
        target: to_csv_bytes(_as_text(frame), index=False)
        for target, frame in ((targets[0], study.interviews), (targets[1], study.quotes),
                              (targets[3], study.memos))
    }
    if study.codebook.path:
        try:
            files[targets[2]] = study.codebook.path.read_bytes()
        except OSError as exc:
            raise StudyError(f"{study.codebook.path}: cannot be read ({exc.strerror})") from None
    write_atomic_many(files)
    return study
