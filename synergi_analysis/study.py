"""The `Study`: a codebook, one row per interview, one row per quote.

What the loaders (`synergi_analysis.load`, `synergi_analysis.qda`) return and
what every analysis takes first.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synergi_analysis._codings import long_view, matching
from synergi_analysis._io import (
    QDA_SUFFIXES,
    read_table,
    sha256_file,
    shipped_data_dir,
)
from synergi_analysis._version import __version__
from synergi_analysis.codebook import Codebook
from synergi_analysis.validate import INTERVIEW_ID
from synergi_analysis.words import _check_lang

__all__ = [
    "Study",
    "KEYS",
    "study_parts",
    "DATA_SUFFIXES",
]


#: Quote columns a report shows (`synergi_analysis.quotations`) or a code table counts.
_SHOWN_QUOTE_COLUMNS = ("quote_id", INTERVIEW_ID, "text", "stage", "theme", "codes", "coders",
                        "memo")
#: What an anonymised study calls a QDA project's users (coders): "Koder 1", ...
CODER = "Koder"


def _coders(project, quotes: pd.DataFrame, memos: pd.DataFrame) -> list[str]:
    """Everyone who coded or wrote a memo, in first-seen order: the project's users,
    the quotes' ``coders`` (``"Anne, Bent"``), the memos' authors."""
    users = getattr(project, "users", None) or {}
    found = [str(u) for u in (users.values() if isinstance(users, dict) else users)]
    if "coders" in quotes:
        found += [c.strip() for cell in quotes["coders"].dropna().astype(str)
                  for c in cell.split(",")]
    if "author" in memos:
        found += list(memos["author"].astype(str))
    return list(dict.fromkeys(c for c in found if c.strip()))


#: Files whose content counts towards a study's fingerprint.
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".yml", ".yaml", ".md",
                           *QDA_SUFFIXES})


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
    lang : {"da", "en"}
        The language tables and charts made from the study are labelled in,
        unless a call names another (`load_study` sets it, `with_lang` changes it).
    memos : pandas.DataFrame or None
        The study's memos when they were read with it (a QDA project's, or
        `anonymised` ones); None: `synergi_analysis.qda.study_memos` reads the
        folder's ``memos.csv``.
    selection : tuple of str
        The dimensions `subset` cut the study by, so a table of the subset can
        say which codes chose its interviews (its illustrative caveat names them).
    """

    codebook: Codebook
    interviews: pd.DataFrame
    quotes: pd.DataFrame
    source: str
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    folder: Path | None = None
    anonymous: bool = False
    lang: str = "da"
    memos: pd.DataFrame | None = None
    selection: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Study({self.source!r}: {len(self.interviews)} interviews, "
            f"{len(self.quotes)} quotes)"
        )

    def with_lang(self, lang: str) -> Study:
        """A copy whose tables and charts are labelled in ``lang`` (the frames are shared).

        Examples
        --------
        >>> from synergi_analysis import load_study
        >>> load_study().with_lang("en").lang
        'en'
        """
        _check_lang(lang)
        return dataclasses.replace(self, lang=lang)

    def subset(self, where) -> Study:
        """The interviews that have the codes ``where`` asks for, with their quotes.

        Parameters
        ----------
        where : mapping of str to str or list of str
            Dimension (or journey stage) -> values (keys or labels, any case);
            values of one dimension combine with OR, dimensions with AND.

        Returns
        -------
        Study
            The same codebook, language and files; ``interviews`` and ``quotes``
            cut to the selection (row order kept).

        Raises
        ------
        ValueError
            An unknown dimension or value, named with the closest the codebook has.

        Examples
        --------
        >>> from synergi_analysis import load_study
        >>> pas = load_study().subset({"service": "Pas", "site": ["næstved", "Glumsø"]})
        >>> len(pas.interviews), sorted(pas.interviews["site"].astype(str).unique())
        (7, ['glumsø', 'næstved'])
        """
        keep = matching(self.interviews, self.codebook, where)
        interviews = self.interviews[keep].reset_index(drop=True)
        ids = set(interviews[INTERVIEW_ID])
        quotes = self.quotes[self.quotes[INTERVIEW_ID].isin(ids)].reset_index(drop=True)
        names = [n for n, _ in (where.items() if hasattr(where, "items") else where or [])]
        selection = tuple(dict.fromkeys([*self.selection, *map(str, names)]))
        return dataclasses.replace(self, interviews=interviews, quotes=quotes,
                                   selection=selection)

    @property
    def codings(self) -> pd.DataFrame:
        """The long view: one row per (interview, dimension, value).

        Multi-valued dimensions give one row per value, journey stages give
        ``dimension = 'journey:<stage>'`` and a scaled dimension's value names its
        scale (``'bibliotek:A'``), by the same rules the pattern analyses count by.

        Returns
        -------
        pandas.DataFrame
            ``interview_id``, ``dimension``, ``value`` (all str).

        Examples
        --------
        >>> from synergi_analysis import load_study
        >>> codings = load_study().codings
        >>> codings[codings["interview_id"] == "I01"].head(3).to_numpy().tolist()
        [['I01', 'site', 'roskilde'], ['I01', 'visitor_type', 'borgerservice'], \
['I01', 'service', 'licens-varmetillæg']]
        """
        return long_view(self.interviews, self.codebook)

    def anonymised(self, *, prefix: str = "Borger") -> Study:
        """A copy that is safe to share: pseudonyms, no exact ages, nothing not shown.

        - Each interview with a speaker gets ``"<prefix> N"``, numbered in
          interview order, so the same data always gives the same pseudonyms.
          In a study read from a QDA project the interviews are named after
          cases (people, often), so every interview's id becomes its pseudonym.
        - Every name of a person (speakers; a QDA project's case names and
          users) is replaced by the pseudonym wherever text is shown (quotes,
          their themes and codes, the warnings): in any case, in the possessive
          (``Lones`` becomes ``Borger 1's``), part by part (``fru Hansen``), in
          composed or decomposed Unicode.
        - Exact ages are removed (the age band stays), and an age written in a
          quote (``61 år``, ``54 år gammel``, ``61 years old``, ``aged 61``)
          becomes ``NN``.
        - Columns no report shows (free-text notes, a QDA source's file name)
          are left out, and `provenance` names files without their folders.

        Examples
        --------
        >>> from synergi_analysis import load_study
        >>> study = load_study().anonymised()
        >>> study.interviews["speaker"].dropna().iloc[0]
        'Borger 1'
        >>> bool(study.interviews["age"].isna().all())
        True
        """
        from synergi_analysis._anonymise import NameScrubber, mask_ages
        from synergi_analysis.qda._memos import study_memos

        interviews = self.interviews.copy()
        # A stored caption ("Lone, 61 år, ...") names the speaker and the exact age:
        # it goes, and quotes() builds one from the pseudonym and the age band.
        quotes = self.quotes.drop(columns=["caption"], errors="ignore")
        memos = study_memos(self).copy()
        # Read from a QDA project (or a folder import-qdpx wrote): interviews are
        # named after cases, and coders have names.
        qda = "project" in self.files or "codes" in quotes or "coders" in quotes
        speaker = interviews["speaker"] if "speaker" in interviews else pd.Series(
            None, index=interviews.index, dtype=object)
        named = speaker.notna() & (speaker.astype(str).str.strip() != "")
        counted = interviews.index if qda else interviews.index[named]
        pseudonym = pd.Series([f"{prefix} {i}" for i in range(1, len(counted) + 1)],
                              index=counted, dtype=object)
        names: dict[str, str] = {}
        for i in interviews.index[named]:
            names.setdefault(str(speaker[i]), pseudonym[i])
        if qda:
            ids = dict(zip(interviews[INTERVIEW_ID].astype(str), pseudonym, strict=True))
            names.update({k: v for k, v in ids.items() if k not in names})
            interviews[INTERVIEW_ID] = pseudonym.to_numpy()
            quotes[INTERVIEW_ID] = quotes[INTERVIEW_ID].astype(str).map(ids)
        coders = _coders(getattr(self, "project", None), quotes, memos)
        for k, coder in enumerate(coders, start=1):
            names.setdefault(coder, f"{CODER} {k}")
        interviews["speaker"] = pseudonym.reindex(interviews.index).where(named, None)
        interviews["age"] = pd.array([pd.NA] * len(interviews), dtype="Int64")
        shown = {INTERVIEW_ID, "age", "long_interview", "speaker", *self.codebook.stages,
                 *self.codebook.coded_columns}
        interviews = interviews[[c for c in interviews.columns if c in shown]]
        quotes = quotes[[c for c in quotes.columns if c in {*_SHOWN_QUOTE_COLUMNS}]]
        scrub = NameScrubber(names)

        def clean(frame: pd.DataFrame, columns, texts) -> None:
            for col in columns:
                if col in frame:
                    frame[col] = [scrub(t) for t in frame[col].astype(object)]
            for col in texts:
                if col in frame:
                    frame[col] = [mask_ages(t) for t in frame[col]]

        clean(quotes, ("text", "theme", "codes", "coders", "quote_id", "memo"), ("text", "memo"))
        clean(memos, ("memo_id", "target", "author", "text"), ("text",))
        return Study(
            codebook=_scrubbed(self.codebook, lambda t: mask_ages(scrub(t))),
            interviews=interviews.reset_index(drop=True),
            quotes=quotes.reset_index(drop=True),
            source=self.source,
            files=dict(self.files),
            warnings=[mask_ages(scrub(w)) for w in self.warnings],
            folder=self.folder,
            anonymous=True,
            lang=self.lang,
            memos=memos,
            selection=self.selection,
        )

    def table(self, name: str) -> pd.DataFrame | None:
        """An extra table of the study (``services``, ``sites``, ``library_offers``).

        Looked up in the study's folder, then beside its codebook; ``None`` when
        neither has it. A folder or a single interviews file read against the
        shipped codebook borrows none of the shipped study's tables (a QDA
        project mapped onto the shipped codebook does). Read as text, as the
        researcher wrote it.
        """
        shipped = shipped_data_dir().resolve()
        own = "interviews" in self.files
        for folder in (self.folder, self.codebook.path.parent if self.codebook.path else None):
            if folder is None or (own and folder != self.folder
                                  and Path(folder).resolve() == shipped):
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
        """Which data, codebook and package version made a result, for reports.

        For an anonymised study the data and the codebook are named without
        their folders: a path names the machine's user and the project.
        """
        def shown(path) -> str:
            return Path(str(path)).name if self.anonymous else str(path)

        info = {
            "data": shown(self.source),
            "data_sha256": self.fingerprint[:16],
            "codebook": shown(self.codebook.path) if self.codebook.path else "",
            "codebook_sha256": sha256_file(self.codebook.path)[:16] if self.codebook.path else "",
            "interviews": str(len(self.interviews)),
            "quotes": str(len(self.quotes)),
            "anonymised": "yes" if self.anonymous else "no",
            "synergi_analysis": __version__,
        }
        return info


#: The ``lang`` of a table that keeps the codebook's keys instead of labels.
KEYS = "keys"


def study_parts(
    data, codebook: Codebook | None = None, lang: str | None = None
) -> tuple[pd.DataFrame, Codebook, str | None]:
    """The interview frame, the codebook and the label language a call works with.

    Every analysis takes a `Study` first, or an interview frame with its
    ``codebook=`` (a selection of a study, say). ``lang=None`` is the study's
    own language (Danish for a frame); ``lang="keys"`` keeps the codebook's
    keys, returned here as ``None``.

    Raises
    ------
    ValueError
        ``data`` is neither, a frame comes without its codebook, or ``lang`` is unknown.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> frame, codebook, lang = study_parts(load_study(), lang="en")
    >>> len(frame), lang
    (45, 'en')
    """
    if isinstance(data, Study):
        frame, codebook, default = data.interviews, codebook or data.codebook, data.lang
    elif isinstance(data, pd.DataFrame):
        if codebook is None:
            raise ValueError("data: an interview frame needs its codebook= (or pass the Study)")
        frame, default = data, "da"
    else:
        raise ValueError(f"data must be a Study or an interview DataFrame, not "
                         f"{type(data).__name__}")
    if lang == KEYS:
        return frame, codebook, None
    lang = default if lang is None else lang
    _check_lang(lang)
    return frame, codebook, lang


def _scrubbed(codebook, clean) -> Codebook:
    """The codebook with its illustrative notes cleaned: every table and chart prints them,
    and a note may name the speakers whose codings are the study's own ("Karina (A)")."""
    import copy

    if not any(d.illustrative for d in codebook.dimensions.values()):
        return codebook
    out = copy.copy(codebook)
    out.dimensions = {
        name: dataclasses.replace(d, illustrative={lang: clean(text) for lang, text
                                                   in d.illustrative.items()})
        if d.illustrative else d for name, d in codebook.dimensions.items()}
    return out
