"""A REFI-QDA project written out as a study folder to inspect and correct."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synergi_analysis._io import (
    write_atomic,
)
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
    overwrite: bool = False,
) -> QdaStudy:
    """Write a project as a study folder: interviews, quotes, memos and the codebook.

    ``interviews.csv``, ``quotes.csv`` (with each quote's codes, coders and coding
    comment), ``memos.csv`` (the project's notes and code descriptions, see
    `MEMO_COLUMNS`) and ``codebook.yml``. The folder loads with `load_study` once
    it validates (a project coded with its own themes leaves the codebook's
    columns blank, to be filled in by hand), and `export_qdpx` writes its memos
    back.

    Raises
    ------
    StudyError
        The project cannot be read, or the folder already holds a study and
        ``overwrite`` is False.

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
    study = load_qdpx(path, codebook=codebook)
    out = Path(out).expanduser()
    targets = [out / "interviews.csv", out / "quotes.csv", out / "codebook.yml",
               out / "memos.csv"]
    existing = [p.name for p in targets if p.exists()]
    if existing and not overwrite:
        raise StudyError(f"{out}: already holds {', '.join(existing)}; choose another folder "
                         "or overwrite")
    out.mkdir(parents=True, exist_ok=True)
    # Each file is read fully before any is written, and written atomically: a failed
    # write leaves the folder's earlier files as they were.
    codebook_bytes = study.codebook.path.read_bytes() if study.codebook.path else None
    frames = ((targets[0], study.interviews), (targets[1], study.quotes),
              (targets[3], study.memos))
    for target, frame in frames:
        write_atomic(target, _as_text(frame).to_csv(index=False, lineterminator="\n").encode())
    if codebook_bytes is not None:
        write_atomic(targets[2], codebook_bytes)
    return study
