"""synergi-analysis: coded qualitative interviews to patterns, rankings and reports.

The package reads as its pipeline: ``load`` (with ``validate`` and ``codebook``)
-> ``patterns`` and ``ranking`` (tidy tables) -> ``plotting`` (charts) ->
``report`` (notebooks to HTML), with ``qdpx`` beside the loader and ``cli`` on top.

Public names are imported lazily, so ``import synergi_analysis`` stays fast and
does not load matplotlib until a chart is drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Public name -> module that defines it. The rest of each module's API is
# imported from the module itself (``synergi_analysis.plotting.plot_journey``).
_EXPORTS = {
    "Study": "load",
    "load_study": "load",
    "load_codebook": "load",
    "Codebook": "codebook",
    "StudyError": "errors",
    "ValidationError": "errors",
    "service_by_age": "patterns",
    "attitudes": "patterns",
    "journey": "patterns",
    "competence": "patterns",
    "life_situations": "patterns",
    "cooccurrence": "patterns",
    "quotes": "patterns",
    "rank_services": "ranking",
    "rank_sensitivity": "ranking",
    "leave_one_site_out": "ranking",
    "deck_agreement": "ranking",
    "house_style": "plotting",
    "save_figures": "plotting",
    "render_batch": "report",
    "export_qdpx": "qdpx",
}

__all__ = [
    "Codebook",
    "Study",
    "StudyError",
    "ValidationError",
    "attitudes",
    "competence",
    "cooccurrence",
    "deck_agreement",
    "export_qdpx",
    "house_style",
    "journey",
    "leave_one_site_out",
    "life_situations",
    "load_codebook",
    "load_study",
    "quotes",
    "rank_sensitivity",
    "rank_services",
    "render_batch",
    "save_figures",
    "service_by_age",
    "__version__",
]

if TYPE_CHECKING:  # pragma: no cover
    from synergi_analysis.codebook import Codebook
    from synergi_analysis.errors import StudyError, ValidationError
    from synergi_analysis.load import Study, load_codebook, load_study
    from synergi_analysis.patterns import (
        attitudes,
        competence,
        cooccurrence,
        journey,
        life_situations,
        quotes,
        service_by_age,
    )
    from synergi_analysis.plotting import house_style, save_figures
    from synergi_analysis.qdpx import export_qdpx
    from synergi_analysis.ranking import (
        deck_agreement,
        leave_one_site_out,
        rank_sensitivity,
        rank_services,
    )
    from synergi_analysis.report import render_batch


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'synergi_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"synergi_analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
