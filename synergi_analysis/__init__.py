"""synergi-analysis: coded qualitative interviews to patterns, rankings and reports.

The package reads as its pipeline: ``codebook`` and ``validate`` -> ``study``
and ``load`` (with the ``qda`` package beside the loader) -> ``patterns`` and
``ranking`` (tidy tables) -> ``plotting`` (charts) and ``figures`` (slides) ->
``display`` and the ``report`` package (notebooks to HTML), with ``cli`` on top.

Public names are imported lazily, so ``import synergi_analysis`` stays fast and
does not load matplotlib until a chart is drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from synergi_analysis._version import __version__

# Public name -> module that defines it. The rest of each module's API is
# imported from the module itself (``synergi_analysis.plotting.plot_journey``).
_EXPORTS = {
    "Study": "study",
    "load_study": "load",
    "load_codebook": "codebook",
    "Codebook": "codebook",
    "StudyError": "errors",
    "ValidationError": "errors",
    "service_by_age": "patterns",
    "attitudes": "patterns",
    "journey": "patterns",
    "competence": "patterns",
    "life_situations": "patterns",
    "cooccurrence": "patterns",
    "quotes": "quotations",
    "rank_services": "ranking",
    "rank_sensitivity": "ranking",
    "leave_one_site_out": "ranking",
    "deck_agreement": "ranking",
    "house_style": "style",
    "save_figures": "figures",
    "render_batch": "report",
    "export_qdpx": "qda",
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
    from synergi_analysis.codebook import Codebook, load_codebook
    from synergi_analysis.errors import StudyError, ValidationError
    from synergi_analysis.figures import save_figures
    from synergi_analysis.load import load_study
    from synergi_analysis.patterns import (
        attitudes,
        competence,
        cooccurrence,
        journey,
        life_situations,
        service_by_age,
    )
    from synergi_analysis.qda import export_qdpx
    from synergi_analysis.quotations import quotes
    from synergi_analysis.ranking import (
        deck_agreement,
        leave_one_site_out,
        rank_sensitivity,
        rank_services,
    )
    from synergi_analysis.report import render_batch
    from synergi_analysis.study import Study
    from synergi_analysis.style import house_style


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'synergi_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"synergi_analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
