"""Rendering one report: execute the notebook on a warm kernel, export it to HTML."""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from synergi_analysis.report._bundle import StudyBundle, unpack_study, worker_folder
from synergi_analysis.report._export import (
    _exporter,
    _footer,
    _keep_language,
    _prepare_for_export,
    _thumbnail,
)
from synergi_analysis.report._kernel import (
    _WARM_IMPORTS,
    KERNEL_NAME,
    _Kernel,
    _warm_engine,
    warm_modules,
)
from synergi_analysis.report.plan import ReportJob


@dataclass
class ReportResult:
    """What became of one report: ``rendered``, ``skipped`` (up to date) or ``failed``."""

    name: str
    status: str
    seconds: float = 0.0
    title: str = ""
    error: str | None = None
    html: str | None = field(default=None, repr=False)
    warnings: int = 0
    rendered_at: str | None = None
    unwritten: str | None = None  # why its file could not be written, when that failed
    status_note: str | None = None  # "empty": a value with no interviews
    thumbnail: str | None = None  # the first chart, small, as base64 PNG


def _describe_error(exc: BaseException) -> str:
    """The failing cell and the exception, on one line."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        lines = [ln for ln in (exc.source or "").splitlines()
                 if ln.strip() and not ln.lstrip().startswith("#")]
        first = lines[0].strip() if lines else ""
        if len(first) > 70:
            first = first[:67] + "..."
        return f"cell {exc.cell_index} ({first}): {exc.ename}: {exc.evalue}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


_IMPORT_LOCK = threading.Lock()


def _import_notebook_tools() -> None:
    """Import papermill and nbconvert, leaving out jsonschema's IRI format checker.

    nbformat validates notebooks with jsonschema, whose format checkers import
    ``rfc3987_syntax`` where it is installed (JupyterLab brings it); that import
    builds some thirty parsers, a second of CPU before the first report can start
    (python-jsonschema/jsonschema#1428). No notebook schema uses an IRI format.
    Only done when jsonschema is not loaded yet; the module stays importable.
    """
    with _IMPORT_LOCK:
        blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
        if blocked:
            sys.modules["rfc3987_syntax"] = None  # an import of it raises ImportError
        try:
            import nbconvert  # noqa: F401
            import papermill  # noqa: F401
        finally:
            if blocked and sys.modules.get("rfc3987_syntax", False) is None:
                del sys.modules["rfc3987_syntax"]


_LIVE: set[_Renderer] = set()


_LIVE_LOCK = threading.Lock()


class _Renderer:
    """Renders reports one after another on one warm kernel with one exporter."""

    def __init__(self, cwd: str | None = None, modules: Iterable[str] = _WARM_IMPORTS):
        self.cwd = cwd  # where the notebooks run; default: each notebook's folder
        self.modules = list(modules)  # imported once, before the first report
        self.kernel: _Kernel | None = None
        self.exporter = None
        self.engine: str | None = None
        # jupyter_client runs its coroutines on the event loop a context variable names.
        # A context of our own keeps this worker's kernel on one loop of its own, whatever
        # context the thread inherits (Dask runs tasks in a copy of its event loop's).
        self.context = contextvars.Context()
        with _LIVE_LOCK:
            _LIVE.add(self)

    def _kernel(self, cwd: str) -> _Kernel:
        if self.kernel is None:
            self.kernel = _Kernel(cwd, self.modules)
        return self.kernel

    def render(self, job: ReportJob) -> ReportResult:
        """Execute and export one report; every failure becomes a failed result."""
        return self.context.run(self._render, job)

    def _render(self, job: ReportJob) -> ReportResult:
        start = time.perf_counter()
        cwd = self.cwd or str(Path(job.notebook).parent)
        try:
            # The kernel starts first: it boots while this thread imports the engine
            # and compiles the exporter's templates.
            self._kernel(cwd)
            if self.engine is None:
                _import_notebook_tools()
                self.engine = _warm_engine()
                self.exporter = _exporter()
            try:
                self._kernel(cwd).reset(cwd)
            except Exception:  # noqa: BLE001 - a dead kernel gets one fresh start
                self.close()
                self._kernel(cwd).reset(cwd)
            import nbformat
            import papermill
            from papermill.engines import papermill_engines
            from papermill.execute import raise_for_execution_errors

            nb = nbformat.reads(job.source, as_version=4)
            # papermill's two steps, taken one by one: execute_notebook would also
            # write the executed notebook out (to nowhere here), and serialising and
            # validating a notebook full of charts is a good part of the parent's work.
            nb = papermill.execute_notebook(
                nb, None, parameters=job.parameters, engine_name=self.engine,
                kernel_name=KERNEL_NAME, prepare_only=True)
            nb = papermill_engines.execute_notebook_with_engine(
                self.engine, nb, kernel_name=KERNEL_NAME, progress_bar=False,
                execution_timeout=job.timeout, kernel=self.kernel)
            raise_for_execution_errors(nb, None)
            _keep_language(nb, str(job.parameters.get("lang") or "da"))
            title, warnings = _prepare_for_export(nb, job)
            # <html lang="..."> for screen readers and spell checkers.
            self.exporter.language_code = str(job.parameters.get("lang") or "en")
            body, _ = self.exporter.from_notebook_node(
                nb, resources={"metadata": {"name": title}, "synergi_footer": _footer(job)})
            thumb = _thumbnail(nb)
        except Exception as exc:  # noqa: BLE001 - failure isolation is the point
            from papermill.exceptions import PapermillExecutionError

            if not isinstance(exc, PapermillExecutionError):
                self.close()  # a timed-out or dead kernel is not reused
            return ReportResult(name=job.name, status="failed", title=job.title,
                                seconds=time.perf_counter() - start, error=_describe_error(exc))
        return ReportResult(name=job.name, status="rendered", title=title, html=body,
                            seconds=time.perf_counter() - start, warnings=warnings,
                            status_note=nb.metadata.get("synergi_status"),
                            thumbnail=thumb)

    def close(self) -> None:
        if self.kernel is not None:
            kernel, self.kernel = self.kernel, None
            kernel.shutdown()

    def retire(self) -> None:
        """Stop the kernel and close the worker's event loop (call in the worker's thread)."""
        self.context.run(self._retire)

    def _retire(self) -> None:
        self.close()
        with _LIVE_LOCK:
            _LIVE.discard(self)
        if self.engine is not None:
            from jupyter_core.utils import ensure_event_loop

            loop = ensure_event_loop()
            if not loop.is_running():
                loop.close()


def _render_chunk(jobs: list[ReportJob],
                  bundles: dict[str, StudyBundle] | None = None) -> list[ReportResult]:
    """Render several reports on one warm kernel: the unit of work sent to a Dask worker.

    The worker may not see the user's folders: the notebooks run in the worker's
    own temporary folder, and the study (and any second coding) comes as a
    bundle, unpacked there once; a parameter that named it on the user's machine
    names the unpacked copy.
    """
    folder = worker_folder()
    here = {path: str(unpack_study(bundle, folder)) for path, bundle in (bundles or {}).items()}
    jobs = [replace(job, parameters={key: here.get(value, value) if isinstance(value, str)
                                     else value for key, value in job.parameters.items()})
            for job in jobs]
    renderer = _Renderer(cwd=str(folder), modules=warm_modules({job.source for job in jobs}))
    try:
        return [renderer.render(job) for job in jobs]
    finally:
        renderer.retire()


def _kill_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for renderer in live:
        renderer.close()
