"""Rendering one report: execute the notebook on a warm kernel, export it to HTML."""

from __future__ import annotations

import contextvars
import html
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from synergi_analysis.display import _META_KEY
from synergi_analysis.report._kernel import KERNEL_NAME, _Kernel, _warm_engine
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
    status_note: str | None = None  # "empty": a value with no interviews
    thumbnail: str | None = None  # the first chart, small, as base64 PNG


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
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 3rem;
  font-family: var(--jp-content-font-family); }
.jp-RenderedHTMLCommon code { font-family: inherit; }
.jp-OutputArea-output.jp-RenderedHTMLCommon { padding-left: var(--jp-code-padding); }
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


def _shown_parameter(key: str, value, parameters) -> object:
    """A parameter as a report shows it: an anonymised report names its data file only."""
    if key == "data" and value and parameters.get("anonymise"):
        return Path(str(value)).name
    return value


def _footer(job: ReportJob) -> str:
    """What made the report, stated by the runner whatever the notebook shows."""
    from synergi_analysis.words import LANGS, words

    esc = html.escape
    t = words("footer", job.parameters.get("lang") if job.parameters.get("lang") in LANGS
              else "en")
    prov = job.provenance
    params = ", ".join(f"{k}={_shown_parameter(k, v, job.parameters)}"
                       for k, v in job.parameters.items())
    parts = [f"{esc(Path(job.notebook).name)} ({esc(params)})"]
    if prov:
        parts += [f"{t['data']} sha256 {esc(prov.get('data_sha256', ''))}",
                  f"{t['codebook']} sha256 {esc(prov.get('codebook_sha256', ''))}",
                  f"synergi-analysis {esc(prov.get('synergi_analysis', ''))}"]
    parts.append(f"{t['key']} {esc(job.key[:16])}")
    return ('<footer class="synergi-footer" style="margin-top:3em;padding-top:0.5em;'
            'border-top:1px solid #ddd;color:#666;font-size:0.8em">'
            + " · ".join(parts) + "</footer>")


def _keep_language(nb, lang: str) -> None:
    """Leave out the markdown of the other languages (cells tagged ``da``, ``en``)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    from synergi_analysis.words import LANGS

    others = set(LANGS) - {lang}
    TagRemovePreprocessor(remove_cell_tags=others, enabled=True).preprocess(nb, {})


def _thumbnail(nb, width: int = 240) -> str | None:
    """The report's first chart, ``width`` pixels wide, as base64 PNG (None without one)."""
    import base64
    import io

    from PIL import Image

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            found = data.get("image/png") or next(iter(re.findall(
                r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', str(data.get("text/html", "")))),
                None)
            if found:
                image = Image.open(io.BytesIO(base64.b64decode(found)))
                image.thumbnail((width, 4 * width))
                small = io.BytesIO()
                image.save(small, format="png", optimize=True)
                return base64.b64encode(small.getvalue()).decode("ascii")
    return None


def _prepare_for_export(nb, job: ReportJob) -> tuple[str, int]:
    """Drop stderr and error outputs, and take the report's title from its header.

    An output whose metadata says ``end`` ends the report: the cells after it are
    left out (a report about a value with no interviews is one paragraph).
    Returns the title and how many stderr outputs (warnings) were dropped.
    """
    title = job.title
    dropped = 0
    heading = ""
    for position, cell in enumerate(nb.cells):
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
            if isinstance(meta, dict) and meta.get("end"):
                del nb.cells[position + 1:]
                if meta.get("status"):
                    nb.metadata["synergi_status"] = str(meta["status"])
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
