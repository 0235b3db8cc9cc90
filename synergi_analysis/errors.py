"""Errors for bad input (exit code 2) and for a write that failed (exit code 1)."""

from __future__ import annotations

import numbers
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Problem", "StudyError", "ValidationError", "OutputError", "shorten", "MAX_SHOWN"]

#: Most problems a `ValidationError` message lists; the rest are counted.
MAX_SHOWN = 50
#: Most characters of a value quoted in a message.
MAX_VALUE_CHARS = 60


def shorten(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A value as text fit for a one-line message: at most ``limit`` characters and a count.

    Examples
    --------
    >>> shorten("x" * 100, 5)
    'xxxxx... (100 characters)'
    """
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    ``row`` is the row number a spreadsheet shows (the header is row 1, the first
    interview row 2), or a text such as ``"case Anna"`` for QDA projects.
    """

    file: str
    row: int | str | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            # A row may be a name from the file ("case <name>"): cut when long.
            parts.append(str(self.row) if isinstance(self.row, int) else shorten(self.row, 80))
        if self.column:
            parts.append(self.column)
        return ":".join(parts) + ": " + self.message


class StudyError(Exception):
    """Input that cannot be read as a study: a missing or broken file, a bad codebook."""


class OutputError(OSError):
    """A file could not be written (a read-only or full disk, a folder in the way).

    Not bad input: the command says which file and exits with code 1.
    """


class ValidationError(StudyError):
    """The data was read but breaks the codebook's rules; ``problems`` lists each one.

    The problems are sorted by file, then row (as numbers: row 3 before row 10),
    then column (in the file's order where ``columns`` gives it). The message
    lists the first `MAX_SHOWN` and counts the rest, so a file with a million bad
    rows still gives a message one can read.

    Parameters
    ----------
    problems : list of Problem
    columns : mapping of file name to its column names, optional
        The order of the columns in each file, for sorting.
    """

    def __init__(self, problems: Iterable[Problem],
                 columns: Mapping[str, Iterable[str]] | None = None):
        order = {file: {c: i for i, c in enumerate(cols)} for file, cols in (columns or {}).items()}
        self.problems = sorted(problems, key=lambda p: _sort_key(p, order))
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n:,} problem{'s' if n != 1 else ''} in the data:"
        lines = [head, *(f"  {p}" for p in self.problems[:MAX_SHOWN])]
        rest = self.problems[MAX_SHOWN:]
        if rest:
            groups = Counter(f"{p.file}:{p.column}" if p.column else p.file for p in rest)
            shown = "; ".join(f"{where} {k:,}" for where, k in groups.most_common(5))
            more = "; ..." if len(groups) > 5 else ""
            lines.append(f"  ... and {len(rest):,} more ({shown}{more})")
        return "\n".join(lines)


def _natural(text: str) -> tuple:
    """``"case I10"`` after ``"case I2"``: digits compare as numbers."""
    return tuple((0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", text) if t)


def _sort_key(p: Problem, order: dict[str, dict[str, int]]) -> tuple:
    if p.row is None:
        row: tuple = (0,)
    elif isinstance(p.row, numbers.Integral):
        row = (1, int(p.row))
    else:
        row = (2, _natural(str(p.row)))
    columns = order.get(p.file, {})
    column = (columns.get(p.column, len(columns)), p.column or "")
    return (p.file, row, column, p.message)
