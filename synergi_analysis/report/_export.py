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
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
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


def _footer(job: ReportJob) -> str:
    """What made the report, stated by the runner whatever the notebook shows."""
    esc = html.escape
    prov = job.provenance
    # The data by its name: the same on every machine, and no folder of the user's.
    params = ", ".join(f"{k}={Path(str(v)).name if k == 'data' and v else v}"
                       for k, v in job.parameters.items())
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
