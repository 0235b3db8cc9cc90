"""Batch reports: parameterised notebooks rendered to self-contained HTML.

A batch spec (``notebooks/batch.yml``) names notebooks and parameter grids
(``site.ipynb`` × every site of the codebook, ...). `render_batch` expands it
into reports, skips those whose inputs are unchanged since their last good
render, executes the rest with papermill on warm kernels (one per worker,
reset between reports) and writes each as one offline HTML file, then
``index.html`` linking them all.

What makes a report up to date is a content hash of everything that made it:
the notebook, its parameters, every data file, the codebook and the package
(version and source). The hash is stored beside the HTML in a hidden
``.<name>.json``; a render that fails or is interrupted, or a write that fails
(a full disk), never replaces the last good HTML (each file is written to a
temporary file and renamed), and costs that report only.

Nothing heavy is imported with the module: papermill, nbconvert and
jupyter_client are imported only when a batch renders.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from synergi_analysis._io import write_atomic
from synergi_analysis.errors import StudyError
from synergi_analysis.load import load_study
from synergi_analysis.report._bundle import pack_batch
from synergi_analysis.report._index import _index_html
from synergi_analysis.report._render import ReportResult
from synergi_analysis.report._runners import _progress, _run_dask, _run_local
from synergi_analysis.report._store import _reason, _store, _stored, _up_to_date, _WriteError
from synergi_analysis.report.plan import ReportJob, plan_batch
from synergi_analysis.report.spec import BatchSpec, load_batch

__all__ = [
    "BatchSummary",
    "render_batch",
]


# -- results ---------------------------------------------------------------------------


@dataclass
class BatchSummary:
    """The outcome of `render_batch`: one result per report, the index and the time.

    ``unwritten`` lists the files that could not be written (a full disk, a
    folder where a file should be), as (path, reason); their reports count as
    failed, and `problems` states them in one line per reason.
    """

    results: list[ReportResult]
    jobs: list[ReportJob]
    index: Path
    seconds: float
    unwritten: list[tuple[Path, str]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0 and not self.unwritten

    def line(self) -> str:
        return (f"rendered {self.count('rendered')}, skipped {self.count('skipped')}, "
                f"failed {self.count('failed')} in {self.seconds:.1f} s -> {self.index}")

    def problems(self) -> list[str]:
        """What went wrong, one line each.

        Every report that failed to render, then the files that could not be
        written, one line per reason (a full disk is one line, not one per file).
        """
        lines = [f"failed: {r.name}: {r.error}" for r in self.results
                 if r.status == "failed" and not r.unwritten]
        reasons: dict[str, list[Path]] = {}
        for path, reason in self.unwritten:
            reasons.setdefault(reason, []).append(path)
        for reason, paths in reasons.items():
            folders = {p.parent for p in paths}
            where = str(next(iter(folders))) if len(folders) == 1 else "the output folder"
            names = [p.name for p in paths]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5
                                            else "")
            reports = sum(1 for r in self.results if r.unwritten == reason)
            kept = (f"; {reports} report(s) not saved, the last good ones are kept"
                    if reports else "")
            lines.append(f"{where}: cannot write {shown} ({reason}){kept}")
        return lines


# -- running a batch ---------------------------------------------------------------------


def render_batch(
    spec: str | Path | BatchSpec | None = None,
    *,
    data: str | Path | None = None,
    out: str | Path = "reports",
    jobs: int | None = None,
    only: str | None = None,
    force: bool = False,
    anonymise: bool = False,
    lang: str | None = None,
    dask: Any = None,
    progress: bool = True,
    sheet: str | None = None,
    sources: str | Path | None = None,
) -> BatchSummary:
    """Render a batch of reports to ``out``: only what changed, in parallel, failures isolated.

    Parameters
    ----------
    spec : str, pathlib.Path or BatchSpec, optional
        The batch spec; ``None`` is the shipped ``notebooks/batch.yml``.
    data : str or pathlib.Path, optional
        The study to report on; ``None`` is the shipped study.
    out : str or pathlib.Path
        The output folder (created if missing).
    jobs : int, optional
        Reports rendered side by side, each worker with one warm kernel;
        default: the number of cores.
    only : str, optional
        Globs on report names, comma-separated (``"site-*,overview"``): render
        only those; the index still lists every report.
    force : bool
        Render even reports that are up to date.
    anonymise : bool
        Pseudonyms for speakers and no exact ages in every report.
    lang : {"da", "en"}, optional
        Label language; default: the spec's, else Danish.
    dask : str or distributed.Client, optional
        A Dask scheduler address (or client): the work goes there instead. The
        workers need not see the study: its files travel with the work.
    progress : bool
        Show a progress bar on a terminal.
    sheet : str, optional
        For interviews in an ``.xlsx``: the sheet to read (needed when several
        hold data).
    sources : str or pathlib.Path, optional
        For a QDA project: the folder of the texts it keeps outside itself (its
        own ``basePath`` is never read).

    Returns
    -------
    BatchSummary
        One result per selected report; ``index.html`` lists every report of the
        batch. A report whose file cannot be written (a full disk, a folder in its
        place) counts as failed and keeps its last good version; `BatchSummary.problems`
        states such failures in one line per reason.

    Raises
    ------
    StudyError
        The spec or the data cannot be read, or ``out`` cannot be written to
        (nothing is rendered then).
    ValueError
        ``jobs`` is not positive or ``only`` matches no report.
    """
    start = time.perf_counter()
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs!r}")
    spec = spec if isinstance(spec, BatchSpec) else load_batch(spec)
    study = load_study(data, sheet=sheet, sources=sources)
    planned = plan_batch(spec, study=study, data=data, lang=lang, anonymise=anonymise,
                         sheet=sheet, sources=sources)
    provenance = study.provenance()
    lang = planned[0].parameters["lang"] if planned else (lang or "da")
    patterns = [g.strip() for g in only.split(",") if g.strip()] if only is not None else []
    selected = [j for j in planned
                if only is None or any(fnmatch.fnmatchcase(j.name, g) for g in patterns)]
    if only is not None and not selected:
        names = ", ".join(j.name for j in planned[:8])
        raise ValueError(f"only {only!r} matches no report (reports: {names}, ...)")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudyError(f"{out}: cannot write reports there ({exc.strerror})") from None
    # The last good render of every report of the batch, and whether it is current.
    records = {job.name: _stored(out, job) for job in planned}
    current = {job.name: _up_to_date(out, job, records[job.name]) for job in planned}
    for name, record in records.items():
        if record is not None and not (out / f"{name}.html").is_file():
            records[name] = None
    results: list[ReportResult] = []
    todo = []
    for job in selected:
        record = records[job.name]
        if current[job.name] and not force:
            results.append(ReportResult(name=job.name, status="skipped", title=record["title"],
                                        rendered_at=record.get("rendered_at")))
        else:
            todo.append(job)
    if todo:
        _check_writable(out)
    # Longest first (by the last render's time, where there was one): the batch then
    # ends with short reports on every worker instead of one long report on one.
    todo.sort(key=lambda job: -float((records[job.name] or {}).get("seconds") or 0))
    by_name = {job.name: job for job in todo}
    failures: dict[str, str] = {}
    unwritten: list[tuple[str, Path, str]] = []  # report name, file, reason

    bar = _progress(len(selected), progress)
    bar.update(len(selected) - len(todo))

    def handle(result: ReportResult) -> None:
        job = by_name[result.name]
        if result.status == "rendered":
            result.rendered_at = datetime.now(timezone.utc).astimezone().strftime(
                "%Y-%m-%d %H:%M")
            try:
                records[job.name] = _store(out, job, result)
                current[job.name] = True
            except _WriteError as exc:
                # A full disk or a folder in the way: this report is not saved, the last
                # good one stays, and the batch goes on with the others.
                unwritten.append((job.name, exc.path, exc.reason))
                result.status, result.unwritten = "failed", exc.reason
                result.error = f"not saved: {exc.path.name}: {exc.reason}"
                failures[job.name] = result.error
                if exc.written:  # the HTML is new but its sidecar is not: render it again
                    current[job.name] = False
            result.html = None
        else:
            failures[job.name] = result.error or "failed"
        results.append(result)
        bar.set_postfix_str(job.name, refresh=False)
        bar.update(1)

    try:
        with _terminate_cleanly():
            if todo and dask is not None:
                _run_dask(todo, dask, handle, bundles=pack_batch(todo, study, data))
            elif todo:
                _run_local(todo, jobs or _default_workers(), handle)
    finally:
        bar.close()
    index = out / "index.html"
    try:
        figures = sorted(p.relative_to(out).as_posix() for p in (out / "figures").glob("*.*")
                         if p.suffix in (".png", ".svg", ".pdf"))
    except OSError:
        figures = []
    page = _index_html(planned, records, current, failures, study=study, provenance=provenance,
                       lang=lang, figures=figures).encode("utf-8")
    try:
        if not index.is_file() or index.read_bytes() != page:
            write_atomic(index, page)
    except OSError as exc:
        unwritten.append(("", index, _reason(exc)))
    order = {job.name: i for i, job in enumerate(planned)}
    results.sort(key=lambda r: order[r.name])
    unwritten.sort(key=lambda u: order.get(u[0], len(order)))
    return BatchSummary(results=results, jobs=selected, index=index,
                        seconds=time.perf_counter() - start,
                        unwritten=[(path, reason) for _, path, reason in unwritten])


def _default_workers() -> int:
    return os.cpu_count() or 1


def _check_writable(out: Path) -> None:
    """Refuse an output folder where no file can be created, before anything renders."""
    try:
        fd, probe = tempfile.mkstemp(dir=out, prefix=".synergi-probe-")
    except OSError as exc:
        raise StudyError(f"{out}: cannot write reports there ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def _terminate_cleanly():
    """A SIGTERM ends the batch as Ctrl-C does: kernels stopped, their files removed.

    (A SIGKILL cannot be caught: the kernels then remove their own files, see
    `_kernel._watch_parent`, and the next run removes what is left.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
