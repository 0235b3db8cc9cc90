"""Where reports render: threads on this machine, or a Dask cluster."""

from __future__ import annotations

import math
import queue
import sys
import threading

from synergi_analysis.errors import StudyError
from synergi_analysis.report._bundle import StudyBundle
from synergi_analysis.report._kernel import warm_modules
from synergi_analysis.report._render import ReportResult, _kill_all, _render_chunk, _Renderer
from synergi_analysis.report.plan import ReportJob


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="reports", unit="report", file=sys.stderr,
                disable=None if enabled else True, dynamic_ncols=True)


def _run_local(todo: list[ReportJob], jobs: int, handle) -> None:
    """Render on ``jobs`` threads, each with its own warm kernel; results to ``handle``."""
    pending: queue.Queue[ReportJob] = queue.Queue()
    for job in todo:
        pending.put(job)
    results: queue.Queue[ReportResult | None] = queue.Queue()

    modules = warm_modules({job.source for job in todo})

    def work() -> None:
        renderer = _Renderer(modules=modules)
        try:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                results.put(renderer.render(job))
        finally:
            renderer.retire()
            results.put(None)

    threads = [threading.Thread(target=work, name=f"synergi-report-{i}", daemon=True)
               for i in range(max(1, min(jobs, len(todo))))]
    for thread in threads:
        thread.start()
    running = len(threads)
    try:
        while running:
            result = results.get()
            if result is None:
                running -= 1
            else:
                handle(result)
    except BaseException:
        while True:  # stop the workers from starting anything new
            try:
                pending.get_nowait()
            except queue.Empty:
                break
        _kill_all()
        raise
    for thread in threads:
        thread.join()


def _run_dask(todo: list[ReportJob], address, handle,
              bundles: dict[str, StudyBundle] | None = None) -> None:
    """Send chunks of reports to a Dask scheduler through its concurrent.futures executor.

    The study's files (``bundles``, by the path the reports' parameters name) go to
    the cluster once each, under the hash of their content, and from there to each
    worker that renders a chunk needing them, once.
    """
    from concurrent.futures import as_completed

    try:
        from distributed import Client
    except ImportError:
        raise StudyError("--dask needs Dask: pip install 'synergi-analysis[dask]'") from None
    client = address if isinstance(address, Client) else Client(address, set_as_default=False)
    try:
        threads = max(1, sum(client.nthreads().values()))
        size = max(1, min(25, math.ceil(len(todo) / threads)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        executor = client.get_executor(pure=False)
        sent = {path: client.scatter(bundle, hash=True) for path, bundle in (bundles or {}).items()}
        futures = {executor.submit(_render_chunk, chunk, _named(chunk, sent)): chunk
                   for chunk in chunks}
        for future in as_completed(futures):
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker fails its chunk only
                results = [ReportResult(name=j.name, status="failed", title=j.title,
                                        error=f"dask: {type(exc).__name__}: {exc}")
                           for j in futures[future]]
            for result in results:
                handle(result)
    finally:
        if client is not address:
            client.close()


def _named(chunk: list[ReportJob], sent: dict) -> dict:
    """The bundles a chunk's reports name in their parameters."""
    named = {value for job in chunk for value in job.parameters.values()
             if isinstance(value, str)}
    return {path: bundle for path, bundle in sent.items() if path in named}
