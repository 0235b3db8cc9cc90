"""Rendered reports on disk: the HTML and its sidecar with the key it was made from."""

from __future__ import annotations

import json
from pathlib import Path

from synergi_analysis._io import write_atomic
from synergi_analysis.report._render import ReportResult
from synergi_analysis.report.plan import ReportJob, _sha256_bytes


def _sidecar(out: Path, job: ReportJob) -> Path:
    return out / f".{job.name}.json"


def _stored(out: Path, job: ReportJob) -> dict | None:
    """The sidecar of the last good render, or None when it is missing or unreadable."""
    try:
        return json.loads(_sidecar(out, job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _up_to_date(out: Path, job: ReportJob, stored: dict | None) -> bool:
    if not stored or stored.get("key") != job.key:
        return False
    try:
        return _sha256_bytes((out / job.filename).read_bytes()) == stored.get("html_sha256")
    except OSError:
        return False


class _WriteError(Exception):
    """A report's file could not be written; ``written`` is whether its HTML was."""

    def __init__(self, path: Path, reason: str, written: bool):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.written = path, reason, written


def _reason(exc: OSError) -> str:
    """Why a write failed, in words (no path: the message names the file).

    `write_atomic` raises an `OutputError` whose message names the file; the
    system's own error, which says why, is the one it was raised from.
    """
    seen = exc
    while seen.errno is None and isinstance(seen.__context__, OSError):
        seen = seen.__context__
    if isinstance(seen, IsADirectoryError):
        return "a folder is in the way"
    return (seen.strerror or str(seen) or type(seen).__name__).rstrip(".").lower()


def _store(out: Path, job: ReportJob, result: ReportResult) -> dict:
    """Write the report and then its sidecar, each atomically.

    Raises `_WriteError` when either cannot be written; the last good HTML and
    sidecar are then left as they were (or, when only the sidecar failed, the new
    HTML stands beside the old sidecar, which no longer matches it).
    """
    data = result.html.encode("utf-8")
    target = out / job.filename
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise _WriteError(target, _reason(exc), written=False) from None
    record = {
        "key": job.key, "html_sha256": _sha256_bytes(data), "title": result.title,
        "notebook": Path(job.notebook).name, "parameters": job.parameters,
        "rendered_at": result.rendered_at, "seconds": round(result.seconds, 2),
        "warnings": result.warnings, "status_note": result.status_note,
        "thumbnail": result.thumbnail,
    }
    sidecar = _sidecar(out, job)
    try:
        write_atomic(sidecar, json.dumps(record, ensure_ascii=False, indent=1,
                                         default=str).encode("utf-8"))
    except OSError as exc:
        raise _WriteError(sidecar, _reason(exc), written=True) from None
    return record
