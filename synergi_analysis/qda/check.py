"""What of a project maps onto the codebook, dimension by dimension: ``synergi validate``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from synergi_analysis.errors import Problem
from synergi_analysis.qda._read import QdaProject
from synergi_analysis.qda.mapping import (
    _all_columns,
    _listed,
    _map_project,
    _read,
    _unmapped_warnings,
    _validate,
)
from synergi_analysis.validate import INTERVIEW_ID


class MappingReport(NamedTuple):
    """What `mapping_report` finds: the table, the errors, what is kept, the project."""

    table: pd.DataFrame
    problems: list[Problem]
    kept: list[str]
    project: QdaProject


def mapping_report(
    path: str | Path, *, codebook: str | Path | None = None, strict: bool = False,
    sources: str | Path | None = None,
) -> MappingReport:
    """What of a project maps onto the codebook, dimension by dimension, and what does not.

    Every real project has codes beyond the codebook (its own themes): they are
    kept (as quote codes, variables as interview columns) and listed in
    ``kept``, not counted as errors. Only unknown or conflicting values of the
    dimensions that do map are problems; with ``strict``, so is anything that
    maps onto nothing, a required dimension the project lacks and an interview
    without a value for one, each summarised in one problem.

    Returns
    -------
    MappingReport
        ``table``: one row per column of the interview table the codebook
        defines: ``dimension``, ``column``, ``found_as`` (the variables, codes
        or sets that fill it, ``-`` when none does), ``interviews`` (how many
        have a value), ``unknown`` (how many of those values the codebook does
        not know). ``problems``: list of `Problem`. ``kept``: one line per kind
        of thing kept without a mapping (a summary naming the first ten).
        ``project``: the `QdaProject` as read.

    Examples
    --------
    >>> import tempfile
    >>> from synergi_analysis import export_qdpx, load_study
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = export_qdpx(load_study(), Path(tmp) / "study.qdpx")
    ...     report = mapping_report(path)
    >>> report.table.loc[0, ["dimension", "found_as"]].tolist()
    ['site', "variable 'site'"]
    >>> int(report.table.loc[0, "interviews"]), report.problems, report.kept
    (45, [], [])
    """
    project, cb, _ = _read(path, codebook, need_sources=False, sources=sources)
    mapping = _map_project(project, cb)
    _, _, problems, blank = _validate(mapping, cb, project.file)
    file = project.file
    unknown = Counter(p.column for p in problems if str(p.message).startswith("unknown "))
    rows = []
    raw = mapping.raw_interviews
    names = {d.column: d.name for d in cb.dimensions.values() if d.column}
    for column in [c for c in raw.columns if c != INTERVIEW_ID and c in _all_columns(cb)]:
        rows.append({
            "dimension": names.get(column, column),
            "column": column,
            "found_as": "; ".join(mapping.found.get(column, [])) or "-",
            "interviews": int((raw[column].astype(str).str.strip() != "").sum()),
            "unknown": int(unknown.get(column, 0)),
        })
    table = pd.DataFrame(rows, columns=["dimension", "column", "found_as", "interviews",
                                        "unknown"])
    kept = _unmapped_warnings(mapping, cb, blank)
    if strict:
        for d in cb.dimensions.values():
            if d.column and d.required and d.column not in mapping.found and not (
                    d.name == "age_band" and "age" in mapping.found):
                problems.append(Problem(file, None, d.column,
                                        f"required dimension {d.name!r} is not in the project"))
        for col, labels in blank.items():
            if col in mapping.found or (col == "age_band" and "age" in mapping.found):
                problems.append(Problem(file, None, col, f"no value for {len(labels)} "
                                        f"interview(s): {_listed(labels)}"))
        for what, found, message in (
                ("code(s)", mapping.unmapped_codes, "map onto no dimension of the codebook"),
                ("variable(s)", mapping.unmapped_variables, "map onto no column of the codebook"),
                ("set(s)", mapping.unmapped_sets, "name no dimension of the codebook")):
            if found:
                problems.append(Problem(file, None, None, f"{len(found)} {what} {message} "
                                        f"(--strict): {_listed(found)}"))
    return MappingReport(table, problems, kept, project)
