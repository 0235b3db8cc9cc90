"""Planning a batch: grids expanded into reports, safe file names and content hashes.

A report's key is a hash of everything that made it: the notebook, its
parameters, every data file, the codebook, the package (its version and the
source of every module, subpackages included) and the versions of the libraries
that compute, draw and export it. A stored render with the same key is up to date.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synergi_analysis._version import __version__
from synergi_analysis.errors import StudyError
from synergi_analysis.report.spec import CELL_TIMEOUT, BatchSpec

__all__ = [
    "ReportJob",
    "plan_batch",
    "safe_name",
]


# Bump when the HTML a report becomes changes for reasons the hash cannot see
# (the template, the exporter's settings), so every report renders again.
_FORMAT = 5


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10)), "index"}


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
    #: Files it reads beyond the batch's study (a second coding), which its key covers.
    files: tuple[str, ...] = field(default=(), repr=False)

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


def package_files() -> list[Path]:
    """Every source file of the package, subpackages included, sorted.

    What a report's key covers besides the notebook and the data: a change to
    any module (a chart, an analysis, the exporter) renders the reports again.
    """
    root = Path(__file__).resolve().parent.parent
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


# The libraries whose upgrade may change a report's bytes: numbers, charts, the page.
_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "krippendorff", "matplotlib",
              "seaborn", "pillow", "ipykernel", "papermill", "nbconvert")


def _library_versions() -> dict[str, str]:
    """The installed version of each of `_LIBRARIES` ("" where one is missing)."""
    from importlib import metadata

    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def _code_hash() -> str:
    """The package's version, the source of every module (by path inside the package)
    and the versions of the libraries a report is made with."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for path in package_files():
        h.update(path.relative_to(root).as_posix().encode())
        h.update(_sha256_bytes(path.read_bytes()).encode())
    h.update(json.dumps(_library_versions(), sort_keys=True).encode())
    return __version__ + ":" + h.hexdigest()


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
    sheet: str | None = None,
    sources: str | Path | None = None,
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
    sheet : str, optional
        Passed as ``sheet`` when given: the sheet of an ``.xlsx`` to read.
    sources : str or pathlib.Path, optional
        Passed as ``sources`` (made absolute) when given: the folder of a QDA
        project's external texts. Its files count in every report's hash.

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
    # Only when given: a notebook reads them only to load such a study.
    if sheet is not None:
        common["sheet"] = str(sheet)
    source_files: tuple[Path, ...] = ()
    if sources is not None:
        common["sources"] = str(Path(sources).expanduser().resolve())
        # Links are left out, never followed: one that stays inside points at a file
        # hashed already, one that leads out is refused by the reader.
        source_files = tuple(sorted(p for p in Path(common["sources"]).rglob("*")
                                    if p.is_file() and not p.is_symlink()))
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
            # A report that reads files beyond the study (a second coding) hashes them too.
            files = (*entry.files, *source_files)
            files_hash = _hash_files(files) if files else ""
            key = _sha256_bytes(json.dumps(
                {"notebook": nb_hash, "parameters": parameters, "data": data_hash + files_hash,
                 "code": code_hash, "format": _FORMAT},
                sort_keys=True, ensure_ascii=False, default=str).encode())
            jobs.append(ReportJob(name=name, notebook=str(entry.notebook),
                                  parameters=parameters, title=title, key=key,
                                  source=source, timeout=spec.timeout,
                                  provenance=provenance,
                                  files=tuple(str(p) for p in files)))
    return jobs
