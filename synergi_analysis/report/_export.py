"""Exporting one executed report: outputs prepared, then one offline HTML page.

The page is nbconvert's ``lab`` template with code hidden, nothing fetched from
the network, every chart with an alternative text, and a footer the runner
writes whatever the notebook shows.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from synergi_analysis.display import _META_KEY
from synergi_analysis.report.plan import ReportJob

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


# The template's cell inputs (a markdown cell's text) and outputs, which nbconvert
# makes focusable (tabindex) in a pass over the finished page; here they get it by
# a substitution on the page as written.
_FOCUSABLE = re.compile(
    r'<div (?:id="[^"]*" )?class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"')
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")


def _exporter():
    """An HTML exporter with code cells hidden and nothing fetched from the network."""
    import jinja2
    from nbconvert import HTMLExporter
    from nbconvert.exporters import TemplateExporter
    from nbconvert.filters import Highlight2HTML

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step.

        `HTMLExporter.from_notebook_node` parses the finished page with
        BeautifulSoup and writes it out again, to give images an alternative
        text and cells a tab stop: two thirds of the export's time, for
        what a regular expression does here on the page as written.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            page = _FOCUSABLE.sub(lambda m: m.group(0) + ' tabindex="0"', page)
            page = _IMG_WITHOUT_ALT.sub(
                '<img alt="No description has been provided for this image"', page)
            return page, resources

    exporter = ReportExporter(
        template_name="lab",
        template_file="synergi_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"synergi_report.html.j2": _HTML_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    if "optimistic_validation" in exporter.traits():
        # Validate the notebook once, after the preprocessors, not after each of twelve.
        exporter.optimistic_validation = True
    # What HTMLExporter registers on every call: code is hidden, so one highlighter will do.
    exporter.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3",
                                                              parent=exporter))
    return exporter


def _shown_parameter(key: str, value, parameters) -> object:
    """A parameter as a report shows it: a file or folder (the data, a second coding)
    by its name, as the header names it.

    The same on every machine (a Dask worker unpacks the study elsewhere), and no
    folder of the user's in a page that may be shared.
    """
    if isinstance(value, str) and value and (key == "data" or Path(value).is_absolute()):
        return Path(value).name
    return value


def _footer(job: ReportJob) -> str:
    """What made the report, stated by the runner whatever the notebook shows."""
    from synergi_analysis._format import cell
    from synergi_analysis.words import LANGS, words

    esc = html.escape
    lang = job.parameters.get("lang") if job.parameters.get("lang") in LANGS else "en"
    t = words("footer", lang)
    prov = job.provenance

    def shown(key, value):
        # Parameters by the names a run gives them (-p site næstved), values in the
        # report's words: a Danish report says "nej", not "False".
        if isinstance(value, bool) or value is None:
            return cell(value, lang)
        return _shown_parameter(key, value, job.parameters)

    params = ", ".join(f"{k}={shown(k, v)}" for k, v in job.parameters.items())
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
                # Not optimize=True: half the thumbnail's time, for 1% of its bytes.
                image.save(small, format="png")
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
