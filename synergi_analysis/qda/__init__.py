"""REFI-QDA projects (``.qdpx``/``.qde``) from NVivo, ATLAS.ti, MAXQDA, QualCoder and qc.

One module a job: `_read` reads a project's XML safely (never extracted to disk,
no XML entities, no zip bombs, no paths outside the project) into the `_model`;
`mapping` maps it onto the codebook as a `Study` (`check` says what maps, for
``synergi validate``); `_memos` tables its notes;
`folder` writes it as a study folder to check by hand; `codes` tabulates its
codes; `export` writes a study as a project.
"""

from synergi_analysis.qda._memos import MEMO_COLUMNS, study_memos
from synergi_analysis.qda.check import MappingReport, mapping_report
from synergi_analysis.qda.codes import code_cooccurrence, code_frequencies
from synergi_analysis.qda.export import export_qdpx
from synergi_analysis.qda.folder import import_qdpx
from synergi_analysis.qda.mapping import CODES_SEP, QdaStudy, load_qdpx

__all__ = [
    "CODES_SEP",
    "MEMO_COLUMNS",
    "MappingReport",
    "QdaStudy",
    "code_cooccurrence",
    "code_frequencies",
    "export_qdpx",
    "import_qdpx",
    "load_qdpx",
    "mapping_report",
    "study_memos",
]
