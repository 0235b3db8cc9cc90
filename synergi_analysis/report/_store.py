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


def _store(out: Path, job: ReportJob, result: ReportResult) -> dict:
    data = result.html.encode("utf-8")
    write_atomic(out / job.filename, data)
    record = {
        "key": job.key, "html_sha256": _sha256_bytes(data), "title": result.title,
        "notebook": Path(job.notebook).name, "parameters": job.parameters,
        "rendered_at": result.rendered_at, "seconds": round(result.seconds, 2),
        "warnings": result.warnings, "status_note": result.status_note,
        "thumbnail": result.thumbnail,
    }
    write_atomic(_sidecar(out, job), json.dumps(record, ensure_ascii=False, indent=1,
                                                 default=str).encode("utf-8"))
    return record
