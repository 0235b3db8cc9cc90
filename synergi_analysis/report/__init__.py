"""Batch reports: parameterised notebooks rendered to self-contained HTML.

The pipeline of a batch, one module a step: `spec` reads ``notebooks/batch.yml``;
`plan` expands its grids into reports, each with a content hash of everything
that made it; `batch` skips those whose last good render has the same hash and
renders the rest (`_runners`: threads or Dask; `_render`: papermill on a warm
kernel from `_kernel`, then nbconvert to one offline HTML file); `_store` writes
each report and its sidecar atomically; `_index` writes ``index.html``.

Nothing heavy is imported with this package: papermill, nbconvert and
jupyter_client are imported only when a batch renders.
"""

from synergi_analysis.report.batch import BatchSummary, render_batch
from synergi_analysis.report.plan import ReportJob, plan_batch, safe_name
from synergi_analysis.report.spec import BatchSpec, load_batch, notebooks_dir

__all__ = [
    "BatchSpec",
    "BatchSummary",
    "ReportJob",
    "load_batch",
    "notebooks_dir",
    "plan_batch",
    "render_batch",
    "safe_name",
]
