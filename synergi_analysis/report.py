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
``.<name>.json``; a render that fails or is interrupted never replaces the last
good HTML (each file is written to a temporary file and renamed).

The module imports nothing heavy at import time: notebooks import
`report_header` from it, and papermill, nbconvert and jupyter_client are
imported only when a batch renders.
"""

from __future__ import annotations

import contextvars
import fnmatch
import functools
import hashlib
import html
import itertools
import json
import math
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from synergi_analysis.errors import StudyError

__all__ = [
    "BatchSpec",
    "BatchSummary",
    "ReportJob",
    "ReportResult",
    "load_batch",
    "notebooks_dir",
    "plan_batch",
    "render_batch",
    "report_header",
    "safe_name",
    "show_quotes",
]

BATCH_FILE = "batch.yml"
KERNEL_NAME = "python3"
#: Seconds one cell may run before its report fails.
CELL_TIMEOUT = 600
# Bump when the HTML a report becomes changes for reasons the hash cannot see
# (the template, the exporter's settings), so every report renders again.
_FORMAT = 4
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10)), "index"}
_META_KEY = "synergi_analysis"


# -- the batch spec ------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    notebook: Path
    name: str | None
    title: dict[str, str]
    parameters: dict[str, Any]
    grid: dict[str, Any]


@dataclass(frozen=True)
class BatchSpec:
    """A parsed batch spec: where it was read from, its defaults and its entries."""

    path: Path
    parameters: dict[str, Any]
    entries: tuple[_Entry, ...]
    timeout: int = CELL_TIMEOUT


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder shipped beside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "notebooks", here / "notebooks"):
        if (candidate / BATCH_FILE).is_file():
            return candidate
    raise StudyError(f"the shipped notebooks were not found next to {here}")


def _titles(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        return {"da": raw, "en": raw}
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        return {str(k): v for k, v in raw.items()}
    raise StudyError(f"{where}: title must be a text or a mapping of language to text")


def load_batch(path: str | Path | None = None) -> BatchSpec:
    """Read a batch spec (YAML); ``None`` reads the shipped ``notebooks/batch.yml``.

    The spec has ``reports:``, a list of entries, each with ``notebook`` (a path
    relative to the spec), and optionally ``parameters`` (fixed values),
    ``grid`` (parameter -> a list of values, or ``{codebook: DIMENSION}`` for every
    value of that dimension in the study's codebook), ``name`` (a file-name
    template such as ``"site-{site}"``) and ``title`` (a template, or one per
    language). Top-level ``parameters`` apply to every entry.

    Raises
    ------
    StudyError
        The file is missing or malformed, or names a notebook that does not exist.

    Examples
    --------
    >>> spec = load_batch()
    >>> [e.notebook.name for e in spec.entries][:2]
    ['overview.ipynb', 'site.ipynb']
    """
    path = Path(path) if path is not None else notebooks_dir() / BATCH_FILE
    if path.is_dir():
        path = path / BATCH_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyError(f"{path}: batch spec not found") from None
    except yaml.YAMLError:
        raise StudyError(f"{path}: batch spec is not valid YAML") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("reports"), list):
        raise StudyError(f"{path}: a batch spec needs a 'reports' list")
    defaults = raw.get("parameters") or {}
    if not isinstance(defaults, dict):
        raise StudyError(f"{path}: 'parameters' must be a mapping")
    entries = []
    for i, item in enumerate(raw["reports"], start=1):
        where = f"{path}: reports[{i}]"
        if isinstance(item, str):
            item = {"notebook": item}
        if not isinstance(item, dict) or not isinstance(item.get("notebook"), str):
            raise StudyError(f"{where}: each report needs a 'notebook'")
        notebook = (path.parent / item["notebook"]).resolve()
        if notebook.suffix != ".ipynb" or not notebook.is_file():
            raise StudyError(f"{where}: notebook {item['notebook']!r} not found")
        unknown = set(item) - {"notebook", "name", "title", "parameters", "grid"}
        if unknown:
            raise StudyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        parameters = item.get("parameters") or {}
        grid = item.get("grid") or {}
        if not isinstance(parameters, dict) or not isinstance(grid, dict):
            raise StudyError(f"{where}: 'parameters' and 'grid' must be mappings")
        for key, values in grid.items():
            ok = (isinstance(values, list) and values) or (
                isinstance(values, dict) and set(values) == {"codebook"})
            if not ok:
                raise StudyError(
                    f"{where}: grid {key!r} must be a non-empty list or {{codebook: DIMENSION}}")
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise StudyError(f"{where}: 'name' must be a text")
        entries.append(_Entry(notebook, name, _titles(item.get("title"), where),
                              dict(parameters), dict(grid)))
    timeout = raw.get("timeout", CELL_TIMEOUT)
    if not isinstance(timeout, int) or timeout <= 0:
        raise StudyError(f"{path}: 'timeout' must be a positive number of seconds")
    return BatchSpec(path=path, parameters=dict(defaults), entries=tuple(entries),
                     timeout=timeout)


# -- planning: grids, names and content hashes ---------------------------------------


def safe_name(text: str, *, max_length: int = 80) -> str:
    """A file name (without suffix) made from ``text``, safe in any output folder.

    Letters of any alphabet (æ, ø, å included) and digits are kept, lower-cased;
    every other run of characters (``/``, ``\\``, ``.``, spaces, control
    characters) becomes one ``-``. The result never starts with ``.`` or ``-``,
    is never empty or a reserved device name, and a long name is cut and given
    a short hash so that two long names stay distinct.

    Examples
    --------
    >>> safe_name("site-Næstved")
    'site-næstved'
    >>> safe_name("../../etc/passwd")
    'etc-passwd'
    >>> safe_name("")
    'report'
    """
    text = unicodedata.normalize("NFC", str(text)).casefold()
    slug = re.sub(r"[^\w]+|_", "-", text, flags=re.UNICODE).strip("-")
    if not slug:
        slug = "report"
    if len(slug) > max_length:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        slug = slug[: max_length - 9].rstrip("-") + "-" + digest
    if slug in _RESERVED:
        slug += "-report"
    return slug


@dataclass(frozen=True)
class ReportJob:
    """One report to render: a notebook with its parameters and where it goes.

    ``key`` is the content hash of everything that makes the report; a stored
    render with the same key is up to date.
    """

    name: str
    notebook: str
    parameters: dict[str, Any]
    title: str
    key: str = ""
    source: str = field(default="", repr=False)  # the notebook's JSON, so workers need no file
    timeout: int = CELL_TIMEOUT
    provenance: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def filename(self) -> str:
        return f"{self.name}.html"


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_files(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted({Path(p).resolve() for p in paths}):
        h.update(path.name.encode())
        h.update(_sha256_bytes(path.read_bytes()).encode())
    return h.hexdigest()


def _code_hash() -> str:
    """The package's version and source: a changed chart function renders again."""
    from synergi_analysis import __version__

    here = Path(__file__).resolve().parent
    return __version__ + ":" + _hash_files(here.glob("*.py"))


def _grid_values(values: Any, codebook, where: str) -> tuple[list[Any], str | None]:
    if isinstance(values, dict):
        dimension = values["codebook"]
        try:
            return codebook.keys(dimension), dimension
        except ValueError as exc:
            raise StudyError(f"{where}: {exc}") from None
    return list(values), None


def _format(template: str, values: Mapping[str, Any], where: str) -> str:
    try:
        return template.format_map(dict(values))
    except (KeyError, IndexError, ValueError) as exc:
        raise StudyError(f"{where}: cannot fill in {template!r} ({exc})") from None


def _notebook_parameters(source: str, path: Path) -> set[str] | None:
    """The names the cell tagged ``parameters`` assigns; None when there is no such cell."""
    import ast

    try:
        cells = json.loads(source)["cells"]
    except (ValueError, KeyError, TypeError):
        raise StudyError(f"{path}: not a notebook (no JSON with cells)") from None
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
                "tags", []):
            code = "".join(cell.get("source", ""))
            try:
                tree = ast.parse(code)
            except SyntaxError:
                raise StudyError(f"{path}: its parameters cell is not valid Python") from None
            names = set()
            for node in ast.walk(tree):
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [node.target] if isinstance(node, ast.AnnAssign) else [])
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
            return names
    return None


def plan_batch(
    spec: BatchSpec,
    *,
    study,
    data: str | Path | None = None,
    lang: str | None = None,
    anonymise: bool = False,
) -> list[ReportJob]:
    """Expand a batch spec into the reports it describes, each with its content hash.

    Parameters
    ----------
    spec : BatchSpec
        From `load_batch`.
    study : Study
        The loaded study: its codebook expands ``{codebook: ...}`` grids and its
        files are hashed.
    data : str or pathlib.Path, optional
        Passed to every notebook as ``data`` (made absolute); ``None`` leaves
        the notebooks' default (the shipped study).
    lang : {"da", "en"}, optional
        Passed as ``lang``; ``None`` takes the spec's default, else ``"da"``.
    anonymise : bool
        Passed as ``anonymise``.

    Returns
    -------
    list of ReportJob
        In spec order, grids expanded in the order their values are listed.

    Raises
    ------
    StudyError
        Two reports would get the same file name, or a template names an
        unknown parameter.
    """
    from synergi_analysis.codebook import _check_lang

    lang = lang or spec.parameters.get("lang") or "da"
    _check_lang(lang)
    common = {**spec.parameters, "lang": lang, "anonymise": bool(anonymise)}
    if data is not None:
        common["data"] = str(Path(data).expanduser().resolve())
    data_hash = _hash_files(study.data_files())
    provenance = study.provenance()
    code_hash = _code_hash()
    codebook = study.codebook
    jobs: list[ReportJob] = []
    seen: dict[str, str] = {}
    for i, entry in enumerate(spec.entries, start=1):
        where = f"{spec.path}: reports[{i}]"
        source = entry.notebook.read_text(encoding="utf-8")
        nb_hash = _sha256_bytes(source.encode())
        takes = _notebook_parameters(source, entry.notebook)
        axes = [(key, *_grid_values(values, codebook, where)) for key, values in entry.grid.items()]
        for combo in itertools.product(*(values for _, values, _ in axes)):
            grid = {key: value for (key, _, _), value in zip(axes, combo, strict=True)}
            parameters = {**common, **entry.parameters, **grid}
            if takes is not None and set(parameters) - takes:
                # papermill would inject it anyway and the notebook would never read it:
                # a misspelt grid, or an "anonymise" a notebook silently ignores.
                unknown = ", ".join(sorted(set(parameters) - takes))
                raise StudyError(f"{where}: {entry.notebook.name} has no parameter {unknown} "
                                 f"(its parameters cell sets {', '.join(sorted(takes))})")
            labels = {key: (codebook.label(dim, value, lang=lang) if dim else value)
                      for (key, _, dim), value in zip(axes, combo, strict=True)}
            labels = {**{k: v for k, v in parameters.items() if k not in labels}, **labels}
            if entry.name:
                raw_name = _format(entry.name, parameters, where)
            else:
                raw_name = "-".join([entry.notebook.stem, *(str(v) for v in combo)])
            name = safe_name(raw_name)
            if name in seen:
                raise StudyError(f"{where}: reports {seen[name]!r} and {raw_name!r} would "
                                 f"both be written to {name}.html; give the entry a 'name'")
            seen[name] = raw_name
            template = entry.title.get(lang) or entry.title.get("da") or entry.notebook.stem
            title = _format(template, labels, where)
            key = _sha256_bytes(json.dumps(
                {"notebook": nb_hash, "parameters": parameters, "data": data_hash,
                 "code": code_hash, "format": _FORMAT},
                sort_keys=True, ensure_ascii=False, default=str).encode())
            jobs.append(ReportJob(name=name, notebook=str(entry.notebook),
                                  parameters=parameters, title=title, key=key,
                                  source=source, timeout=spec.timeout,
                                  provenance=provenance))
    return jobs


# -- results ---------------------------------------------------------------------------


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


@dataclass
class BatchSummary:
    """The outcome of `render_batch`: one result per report, the index and the time."""

    results: list[ReportResult]
    jobs: list[ReportJob]
    index: Path
    seconds: float

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0

    def line(self) -> str:
        return (f"rendered {self.count('rendered')}, skipped {self.count('skipped')}, "
                f"failed {self.count('failed')} in {self.seconds:.1f} s -> {self.index}")


# -- the kernel side: what runs inside a warm kernel ------------------------------------

_KERNEL_STATE: dict[str, Any] = {}

# Imported once per kernel, so each report starts with them loaded.
_WARM_IMPORTS = ("pandas", "matplotlib.pyplot", "seaborn", "synergi_analysis.load",
                 "synergi_analysis.patterns", "synergi_analysis.plotting",
                 "synergi_analysis.ranking")


def _inline_backend():
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # pragma: no cover - ipykernel always brings it
        return None
    return InlineBackend.instance()


_INLINE_TRAITS = ("figure_formats", "print_figure_kwargs", "close_figures", "rc")


def _kernel_snapshot() -> None:
    """Record the state a fresh kernel has, after the warm imports (runs in the kernel)."""
    import copy
    import importlib
    import warnings

    import matplotlib

    for module in _WARM_IMPORTS:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    inline = _inline_backend()
    _KERNEL_STATE.update(
        rc=matplotlib.rcParams.copy(),
        backend=matplotlib.get_backend(),
        path=list(sys.path),
        environ=dict(os.environ),
        warnings=list(warnings.filters),
        inline={t: copy.copy(getattr(inline, t)) for t in _INLINE_TRAITS} if inline else {},
    )


def _kernel_reset(cwd: str) -> None:
    """Give the next report the kernel as it was fresh (runs in the kernel).

    Clears the user namespace, closes figures and restores matplotlib's
    rcParams (and with them any seaborn theme), the backend and the inline
    backend's settings, pandas options, warning filters, ``sys.path``, the
    environment and the working directory; seeds ``random`` and NumPy.
    """
    import copy
    import random
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    state = _KERNEL_STATE
    plt.close("all")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=False)
    if matplotlib.get_backend() != state["backend"]:
        plt.switch_backend(state["backend"])
    inline = _inline_backend()
    for trait, value in state["inline"].items():
        setattr(inline, trait, copy.copy(value))  # a copy: a report may change it in place
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(state["rc"])
        pd.reset_option("all")
    warnings.filters[:] = state["warnings"]
    getattr(warnings, "_filters_mutated", lambda: None)()
    sys.path[:] = state["path"]
    os.environ.clear()
    os.environ.update(state["environ"])
    os.chdir(cwd)
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 - the global state is what a notebook's np.random uses


# -- the parent side: one warm kernel and one exporter per worker ------------------------

_HTML_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block body_footer %}
{{ resources.get("synergi_footer", "") }}
</main>
</body>
{% endblock body_footer %}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ output.metadata.get('synergi_alt', '') | escape_html }}"
{%- set width=output | get_metadata('width', 'image/png') -%}
{%- if width is not none %} width={{ width | escape_html }}{%- endif %}
{%- set height=output | get_metadata('height', 'image/png') -%}
{%- if height is not none %} height={{ height | escape_html }}{%- endif %}>
</div>
{% endblock data_png %}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.synergi-header h1 { margin-bottom: 0.2rem; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
</style>
{%- endblock extra_css -%}
"""


def _exporter():
    """An HTML exporter with code cells hidden and nothing fetched from the network."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="synergi_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"synergi_report.html.j2": _HTML_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


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


def _warm_engine():
    """A papermill engine that executes on a kernel the worker keeps warm."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, kernel=None, **kwargs):
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, timeout=execution_timeout,
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            # A client given both km and kc neither starts nor shuts down the kernel.
            client.kc = kernel.kc
            return client.execute()

    papermill_engines.register("synergi-warm", WarmKernelEngine)
    return "synergi-warm"


class _Kernel:
    """One IPython kernel started from this environment, kept warm across reports."""

    def __init__(self, cwd: str):
        from ipykernel.kernelspec import RESOURCES, get_kernel_dict
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_core.utils import run_sync

        class ThisPython(KernelSpecManager):
            """Always this interpreter's ipykernel, whatever kernels a user registered."""

            def get_kernel_spec(self, kernel_name):
                return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

        env = dict(os.environ)
        # The inline backend puts every chart into the notebook as a PNG, whatever
        # backend the calling process chose (tests run with Agg).
        env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        # Unix sockets in a private folder: no TCP port, nothing others on the machine reach.
        self.sockets = tempfile.mkdtemp(prefix="synergi-kernel-")
        self.km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ThisPython(),
                                transport="ipc",
                                ip=os.path.join(self.sockets, "k"),
                                client_class="jupyter_client.asynchronous.AsyncKernelClient")
        self.kc = None
        self._run_sync = run_sync
        try:
            # No history database: parallel kernels would contend for one SQLite file.
            self.km.start_kernel(cwd=cwd, env=env,
                                 extra_arguments=["--HistoryManager.enabled=False"])
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=60)
            self.run("__import__('synergi_analysis.report', fromlist=['_'])._kernel_snapshot()")
        except BaseException:
            self.shutdown()
            raise

    def run(self, code: str, timeout: float = 120) -> None:
        """Run setup code; raise RuntimeError with the kernel's error if it fails."""
        reply = self._run_sync(self.kc.execute_interactive)(
            code, store_history=False, timeout=timeout, output_hook=lambda msg: None)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel setup failed: {content.get('ename')}: "
                               f"{content.get('evalue')}")

    def reset(self, cwd: str) -> None:
        # No name is left behind: the reset clears the namespace it runs in.
        self.run(f"__import__('synergi_analysis.report', fromlist=['_'])._kernel_reset({cwd!r})")

    def shutdown(self) -> None:
        """Stop the kernel; safe to call from any thread and more than once."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:  # noqa: BLE001 - best effort while tearing down
            pass
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)


_LIVE: set[_Renderer] = set()
_LIVE_LOCK = threading.Lock()


class _Renderer:
    """Renders reports one after another on one warm kernel with one exporter."""

    def __init__(self):
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
            self.kernel = _Kernel(cwd)
        return self.kernel

    def render(self, job: ReportJob) -> ReportResult:
        """Execute and export one report; every failure becomes a failed result."""
        return self.context.run(self._render, job)

    def _render(self, job: ReportJob) -> ReportResult:
        import nbformat
        import papermill

        start = time.perf_counter()
        cwd = str(Path(job.notebook).parent)
        try:
            if self.engine is None:
                self.engine = _warm_engine()
                self.exporter = _exporter()
            try:
                self._kernel(cwd).reset(cwd)
            except Exception:  # noqa: BLE001 - a dead kernel gets one fresh start
                self.close()
                self._kernel(cwd).reset(cwd)
            nb = nbformat.reads(job.source, as_version=4)
            nb = papermill.execute_notebook(
                nb, None, parameters=job.parameters, engine_name=self.engine,
                kernel_name=KERNEL_NAME, progress_bar=False, cwd=None,
                request_save_on_cell_execute=False, execution_timeout=job.timeout,
                kernel=self.kernel)
            title, warnings = _prepare_for_export(nb, job)
            # <html lang="..."> for screen readers and spell checkers.
            self.exporter.language_code = str(job.parameters.get("lang") or "en")
            body, _ = self.exporter.from_notebook_node(
                nb, resources={"metadata": {"name": title}, "synergi_footer": _footer(job)})
        except Exception as exc:  # noqa: BLE001 - failure isolation is the point
            from papermill.exceptions import PapermillExecutionError

            if not isinstance(exc, PapermillExecutionError):
                self.close()  # a timed-out or dead kernel is not reused
            return ReportResult(name=job.name, status="failed", title=job.title,
                                seconds=time.perf_counter() - start, error=_describe_error(exc))
        return ReportResult(name=job.name, status="rendered", title=title, html=body,
                            seconds=time.perf_counter() - start, warnings=warnings)

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


def _footer(job: ReportJob) -> str:
    """What made the report, stated by the runner whatever the notebook shows."""
    esc = html.escape
    prov = job.provenance
    params = ", ".join(f"{k}={v}" for k, v in job.parameters.items())
    parts = [f"{esc(Path(job.notebook).name)} ({esc(params)})"]
    if prov:
        parts += [f"data sha256 {esc(prov.get('data_sha256', ''))}",
                  f"codebook sha256 {esc(prov.get('codebook_sha256', ''))}",
                  f"synergi-analysis {esc(prov.get('synergi_analysis', ''))}"]
    parts.append(f"report key {esc(job.key[:16])}")
    return ('<footer class="synergi-footer" style="margin-top:3em;padding-top:0.5em;'
            'border-top:1px solid #ddd;color:#666;font-size:0.8em">'
            + " · ".join(parts) + "</footer>")


def _prepare_for_export(nb, job: ReportJob) -> tuple[str, int]:
    """Drop stderr and error outputs, and take the report's title from its header.

    Returns the title and how many stderr outputs (warnings) were dropped.
    """
    title = job.title
    dropped = 0
    heading = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # A chart's alternative text: the heading of the section it is in.
            found = re.findall(r"^#+\s+(.+?)\s*$", cell.source, flags=re.M)
            heading = found[-1] if found else heading
            continue
        if cell.cell_type != "code":
            continue
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random id: same batch, same HTML
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type == "error" or (
                    output.output_type == "stream" and output.get("name") == "stderr"):
                dropped += output.output_type == "stream"
                continue
            meta = output.get("metadata", {}).get(_META_KEY)
            if isinstance(meta, dict) and meta.get("title"):
                title = str(meta["title"])
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {})["synergi_alt"] = heading or title
            kept.append(output)
        cell.outputs = kept
    nb.metadata["title"] = title
    return title, dropped


def _render_chunk(jobs: list[ReportJob]) -> list[ReportResult]:
    """Render several reports on one warm kernel (the unit of work sent to Dask)."""
    renderer = _Renderer()
    try:
        return [renderer.render(job) for job in jobs]
    finally:
        renderer.retire()


def _kill_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for renderer in live:
        renderer.close()


# -- writing: atomic files, the sidecar, the index ----------------------------------------


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    _write_atomic(out / job.filename, data)
    record = {
        "key": job.key, "html_sha256": _sha256_bytes(data), "title": result.title,
        "notebook": Path(job.notebook).name, "parameters": job.parameters,
        "rendered_at": result.rendered_at, "seconds": round(result.seconds, 2),
        "warnings": result.warnings,
    }
    _write_atomic(_sidecar(out, job), json.dumps(record, ensure_ascii=False, indent=1,
                                                 default=str).encode("utf-8"))
    return record


_INDEX_TEXT = {
    "da": {"reports": "Rapporter", "report": "Rapport", "notebook": "Notebook",
           "parameters": "Parametre", "status": "Status", "rendered": "Dannet",
           "seconds": "Tid", "ok": "ok", "failed": "fejlede", "missing": "ikke dannet",
           "stale": "ældre version vist", "data": "Data", "codebook": "Kodebog",
           "version": "synergi-analysis", "count": "rapporter", "interviews": "interview",
           "warnings": "advarsler udeladt",
           "quotes": "citater"},
    "en": {"reports": "Reports", "report": "Report", "notebook": "Notebook",
           "parameters": "Parameters", "status": "Status", "rendered": "Rendered",
           "seconds": "Time", "ok": "ok", "failed": "failed", "missing": "not rendered",
           "stale": "older version shown", "data": "Data", "codebook": "Codebook",
           "version": "synergi-analysis", "count": "reports", "interviews": "interviews",
           "warnings": "warnings left out",
           "quotes": "quotes"},
}

_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin-bottom: 0.2rem; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #ddd;
  vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; white-space: nowrap; }
.status-ok { color: #1a7f37; } .status-failed { color: #b42318; font-weight: bold; }
.status-missing { color: #777; } .error { color: #b42318; font-family: monospace;
  font-size: 0.8rem; white-space: pre-wrap; }
.params { font-family: monospace; font-size: 0.8rem; } .warn { color: #8a6d00; }
.prov { font-size: 0.85rem; color: #444; }
"""


def _param_text(parameters: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in parameters.items()
                     if k not in {"data", "lang", "anonymise"} or v)


def _index_html(jobs: list[ReportJob], records: dict[str, dict | None],
                current: dict[str, bool], failures: dict[str, str], *, study,
                lang: str) -> str:
    t = _INDEX_TEXT[lang]
    prov = study.provenance()
    esc = html.escape
    rows = []
    for job in jobs:
        record = records.get(job.name)
        error = failures.get(job.name)
        title = esc((record or {}).get("title") or job.title)
        link = f'<a href="{esc(quote(job.filename))}">{title}</a>' if record else title
        if error:
            status = f'<span class="status-failed">{t["failed"]}</span>'
            if record:
                status += f' ({t["stale"]})'
            status += f'<div class="error">{esc(error)}</div>'
        elif record and current.get(job.name):
            status = f'<span class="status-ok">{t["ok"]}</span>'
            if record.get("warnings"):
                status += f' <span class="warn">({record["warnings"]} {t["warnings"]})</span>'
        elif record:
            status = f'<span class="status-missing">{t["stale"]}</span>'
        else:
            status = f'<span class="status-missing">{t["missing"]}</span>'
        when = esc((record or {}).get("rendered_at") or "")
        secs = f'{record["seconds"]:.1f} s' if record and "seconds" in record else ""
        rows.append(
            f"<tr><td>{link}</td><td>{esc(Path(job.notebook).name)}</td>"
            f'<td class="params">{esc(_param_text(job.parameters))}</td>'
            f"<td>{status}</td><td>{when}</td><td class=\"num\">{secs}</td></tr>")
    title = study.codebook.title(lang=lang) or t["reports"]
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}: {t['reports'].lower()}</title>",
        f"<style>{_INDEX_CSS}</style>", "</head>", "<body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{len(jobs)} {t["count"]}</p>',
        f'<p class="prov">{t["data"]}: {esc(Path(prov["data"]).name)} '
        f'(sha256 <code>{esc(prov["data_sha256"])}</code>, {esc(prov["interviews"])} '
        f'{t["interviews"]}, {esc(prov["quotes"])} {t["quotes"]}) · {t["codebook"]}: '
        f'{esc(Path(prov["codebook"]).name)} (sha256 <code>{esc(prov["codebook_sha256"])}'
        f'</code>) · {t["version"]} {esc(prov["synergi_analysis"])}</p>',
        "<table>",
        f"<thead><tr><th>{t['report']}</th><th>{t['notebook']}</th><th>{t['parameters']}</th>"
        f"<th>{t['status']}</th><th>{t['rendered']}</th><th>{t['seconds']}</th></tr></thead>",
        "<tbody>", *rows, "</tbody>", "</table>", "</body>", "</html>", ""])


# -- running a batch ---------------------------------------------------------------------


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

    def work() -> None:
        renderer = _Renderer()
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


def _run_dask(todo: list[ReportJob], address, handle) -> None:
    """Send chunks of reports to a Dask scheduler through its concurrent.futures executor."""
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
        futures = {executor.submit(_render_chunk, chunk): chunk for chunk in chunks}
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
        A Dask scheduler address (or client): the work goes there instead.
    progress : bool
        Show a progress bar on a terminal.

    Returns
    -------
    BatchSummary
        One result per selected report; ``index.html`` lists every report of the batch.

    Raises
    ------
    StudyError
        The spec or the data cannot be read (nothing is rendered then).
    ValueError
        ``jobs`` is not positive or ``only`` matches no report.
    """
    from synergi_analysis.load import load_study

    start = time.perf_counter()
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs!r}")
    spec = spec if isinstance(spec, BatchSpec) else load_batch(spec)
    study = load_study(data)
    planned = plan_batch(spec, study=study, data=data, lang=lang, anonymise=anonymise)
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
    by_name = {job.name: job for job in todo}
    failures: dict[str, str] = {}

    bar = _progress(len(selected), progress)
    bar.update(len(selected) - len(todo))

    def handle(result: ReportResult) -> None:
        job = by_name[result.name]
        if result.status == "rendered":
            result.rendered_at = datetime.now(timezone.utc).astimezone().strftime(
                "%Y-%m-%d %H:%M")
            records[job.name] = _store(out, job, result)
            current[job.name] = True
            result.html = None
        else:
            failures[job.name] = result.error or "failed"
        results.append(result)
        bar.set_postfix_str(job.name, refresh=False)
        bar.update(1)

    try:
        if todo and dask is not None:
            _run_dask(todo, dask, handle)
        elif todo:
            _run_local(todo, jobs or os.cpu_count() or 1, handle)
    finally:
        bar.close()
    index = out / "index.html"
    page = _index_html(planned, records, current, failures, study=study, lang=lang).encode("utf-8")
    if not index.is_file() or index.read_bytes() != page:
        _write_atomic(index, page)
    order = {job.name: i for i, job in enumerate(planned)}
    results.sort(key=lambda r: order[r.name])
    return BatchSummary(results=results, jobs=selected, index=index,
                        seconds=time.perf_counter() - start)


# -- what a notebook shows at its top ------------------------------------------------------

_HEADER_TEXT = {
    "da": {"parameters": "Parametre", "data": "Data", "codebook": "Kodebog",
           "version": "synergi-analysis", "shipped": "den medfølgende undersøgelse",
           "interviews": "interview", "quotes": "citater", "anonymised": "anonymiseret",
           "yes": "ja", "no": "nej"},
    "en": {"parameters": "Parameters", "data": "Data", "codebook": "Codebook",
           "version": "synergi-analysis", "shipped": "the shipped study",
           "interviews": "interviews", "quotes": "quotes", "anonymised": "anonymised",
           "yes": "yes", "no": "no"},
}


class _Header:
    """The report's heading as rich output; its metadata carries the title to the runner."""

    def __init__(self, html_text: str, title: str):
        self.html_text = html_text
        self.title = title

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html_text, "text/plain": self.title}
        return data, {_META_KEY: {"title": self.title}}


def _value_text(value: Any, t: dict[str, str]) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def report_header(
    study,
    *,
    title: str | Mapping[str, str],
    parameters: Mapping[str, Any],
    lang: str = "da",
) -> _Header:
    """The top of a report: its title, parameters and provenance, as HTML.

    Parameters
    ----------
    study : Study
        The study the report shows; its provenance (data hash, codebook, package
        version) is printed.
    title : str or mapping of language to str
        May name parameters in braces (``"Sted: {site}"``); a parameter that is a
        key of a codebook dimension of the same name is shown by its label.
    parameters : mapping
        The notebook's parameters, shown as given (``data=None`` as the shipped study).
    lang : {"da", "en"}

    Returns
    -------
    object
        Displays as HTML in Jupyter (every value escaped) and carries the title
        in its output metadata, where the batch runner reads it.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> header = report_header(load_study(), title="Sted: {site}",
    ...                        parameters={"site": "næstved", "lang": "da"})
    >>> header.title
    'Sted: Næstved'
    """
    from synergi_analysis.codebook import _check_lang

    _check_lang(lang)
    t = _HEADER_TEXT[lang]
    codebook = study.codebook
    labels = {}
    for key, value in parameters.items():
        if key in codebook.dimensions and isinstance(value, str):
            labels[key] = codebook.label(key, value, lang=lang)
        else:
            labels[key] = _value_text(value, t)
    template = title if isinstance(title, str) else (title.get(lang) or title.get("da") or "")
    try:
        text = template.format_map(labels)
    except (KeyError, IndexError, ValueError):
        raise ValueError(f"title {template!r} names a parameter that is not given") from None
    prov = study.provenance()
    esc = html.escape
    shown = []
    for key, value in parameters.items():
        shown_value = t["shipped"] if key == "data" and value is None else labels[key]
        shown.append(f"<code>{esc(str(key))}</code> = {esc(shown_value)}")
    data_name = Path(prov["data"]).name or prov["data"]
    anonymised = f" · {t['anonymised']}" if study.anonymous else ""
    rows = [
        (t["parameters"], ", ".join(shown)),
        (t["data"], f"{esc(data_name)} · sha256 <code>{esc(prov['data_sha256'])}</code> · "
                    f"{esc(prov['interviews'])} {t['interviews']}, {esc(prov['quotes'])} "
                    f"{t['quotes']}{anonymised}"),
        (t["codebook"], f"{esc(Path(prov['codebook']).name)} · sha256 "
                        f"<code>{esc(prov['codebook_sha256'])}</code>"),
        (t["version"], esc(prov["synergi_analysis"])),
    ]
    # Inline styles: the header looks the same in JupyterLab as in the exported HTML.
    cell_style = "text-align:left;vertical-align:top;padding:0.15em 1em 0.15em 0;"
    body = "".join(
        f'<tr><th style="{cell_style}font-weight:normal;color:#555">{head}</th>'
        f'<td style="{cell_style}">{cell}</td></tr>' for head, cell in rows)
    study_title = codebook.title(lang=lang)
    page = (f'<header class="synergi-header"><h1>{esc(text)}</h1>'
            + (f'<p class="study" style="color:#555;margin-top:0">{esc(study_title)}</p>'
               if study_title else "")
            + '<table class="synergi-provenance" style="border-collapse:collapse;'
              f'font-size:0.85em;margin:0.5em 0 1em 0">{body}</table></header>')
    return _Header(page, text)


class _Html:
    """Rich output that is HTML in Jupyter and plain text elsewhere."""

    def __init__(self, html_text: str, text: str):
        self.html_text = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.html_text

    def __repr__(self) -> str:
        return self.text


_NO_QUOTES = {"da": "Ingen citater.", "en": "No quotes."}


def show_quotes(data, *, lang: str = "da") -> _Html:
    """Quotes as block quotes with their captions, every character of them escaped.

    Parameters
    ----------
    data : pandas.DataFrame
        A table of `patterns.quotes` (``text`` and ``caption`` columns).
    lang : {"da", "en"}
        Language of the line shown when there are no quotes.

    Returns
    -------
    object
        Displays as HTML in Jupyter: one ``<blockquote>`` per quote, its caption
        below it. Quote text is data, never markup: ``<script>`` shows as text.

    Examples
    --------
    >>> import pandas as pd
    >>> shown = show_quotes(pd.DataFrame({"text": ["Det er <b>trygt</b>."],
    ...                                   "caption": ["Grethe, 73 år"]}))
    >>> "&lt;b&gt;trygt&lt;/b&gt;" in shown._repr_html_()
    True
    """
    from synergi_analysis.codebook import _check_lang

    _check_lang(lang)
    if len(data) == 0:
        return _Html(f"<p><em>{_NO_QUOTES[lang]}</em></p>", _NO_QUOTES[lang])
    quote_style = ("margin:0.8em 0;padding:0.2em 0 0.2em 1em;border-left:4px solid #0072B2;"
                   "font-style:italic")
    parts, lines = [], []
    for text, cap in zip(data["text"], data["caption"], strict=True):
        text = "" if text is None else str(text)
        cap = "" if cap is None else str(cap)
        parts.append(f'<blockquote style="{quote_style}"><p>“{html.escape(text)}”</p>'
                     f'<footer style="font-style:normal;color:#555">– {html.escape(cap)}'
                     "</footer></blockquote>")
        lines.append(f"“{text}” – {cap}")
    return _Html('<div class="synergi-quotes">' + "".join(parts) + "</div>", "\n".join(lines))
