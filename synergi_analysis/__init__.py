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

# Public name -> module that defines it.
_EXPORTS = {
    "Study": "load",
    "load_study": "load",
    "load_codebook": "load",
    "Codebook": "codebook",
    "StudyError": "errors",
    "ValidationError": "errors",
    "Problem": "errors",
    "validate_interviews": "validate",
    "load_qdpx": "qdpx",
    "export_qdpx": "qdpx",
    "code_frequencies": "qdpx",
    "code_cooccurrence": "qdpx",
    "rank_services": "ranking",
    "rank_sensitivity": "ranking",
    "leave_one_site_out": "ranking",
    "deck_agreement": "ranking",
    "service_by_age": "patterns",
    "attitudes": "patterns",
    "journey": "patterns",
    "competence": "patterns",
    "life_situations": "patterns",
    "cooccurrence": "patterns",
    "quotes": "patterns",
    "house_style": "plotting",
    "set_house_style": "plotting",
    "save_figures": "plotting",
    "plot_service_by_age": "plotting",
    "render_batch": "report",
    "report_header": "report",
    "show_quotes": "report",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from synergi_analysis.codebook import Codebook
    from synergi_analysis.errors import Problem, StudyError, ValidationError
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
    from synergi_analysis.plotting import (
        house_style,
        plot_service_by_age,
        save_figures,
        set_house_style,
    )
    from synergi_analysis.qdpx import code_cooccurrence, code_frequencies, export_qdpx, load_qdpx
    from synergi_analysis.ranking import (
        deck_agreement,
        leave_one_site_out,
        rank_sensitivity,
        rank_services,
    )
    from synergi_analysis.report import render_batch, report_header, show_quotes
    from synergi_analysis.validate import validate_interviews


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'synergi_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"synergi_analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
