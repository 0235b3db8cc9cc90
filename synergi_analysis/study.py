"""The `Study`: a codebook, one row per interview, one row per quote.

What the loaders (`synergi_analysis.load`, `synergi_analysis.qda`) return and
what every analysis takes first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synergi_analysis._io import (
    QDA_SUFFIXES,
    read_table,
    sha256_file,
)
from synergi_analysis._version import __version__
from synergi_analysis.codebook import Codebook
from synergi_analysis.validate import (
    INTERVIEW_ID,
)

__all__ = [
    "Study",
    "DATA_SUFFIXES",
]


#: Files whose content counts towards a study's fingerprint.
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".yml", ".yaml", *QDA_SUFFIXES})


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
        >>> from synergi_analysis import load_study
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
            h.update(sha256_file(path).encode())
        return h.hexdigest()

    def provenance(self) -> dict[str, str]:
        """Which data, codebook and package version made a result, for reports."""
        info = {
            "data": self.source,
            "data_sha256": self.fingerprint[:16],
            "codebook": str(self.codebook.path) if self.codebook.path else "",
            "codebook_sha256": sha256_file(self.codebook.path)[:16] if self.codebook.path else "",
            "interviews": str(len(self.interviews)),
            "quotes": str(len(self.quotes)),
            "anonymised": "yes" if self.anonymous else "no",
            "synergi_analysis": __version__,
        }
        return info
