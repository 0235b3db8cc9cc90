"""Errors for bad input: what the CLI turns into a message and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "StudyError", "ValidationError"]


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
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return ":".join(parts) + ": " + self.message


class StudyError(Exception):
    """Input that cannot be read as a study: a missing or broken file, a bad codebook."""


class ValidationError(StudyError):
    """The data was read but breaks the codebook's rules; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_sort_key)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the data:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def _sort_key(p: Problem) -> tuple:
    row = p.row if isinstance(p.row, int) else -1
    return (p.file, row, str(p.row), p.column or "", p.message)
