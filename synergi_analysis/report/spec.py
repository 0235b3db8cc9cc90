"""The batch spec (``notebooks/batch.yml``): which notebooks, with which parameter grids."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from synergi_analysis._io import notebooks_dir
from synergi_analysis.errors import StudyError

__all__ = [
    "BatchSpec",
    "load_batch",
    "notebooks_dir",
    "BATCH_FILE",
    "CELL_TIMEOUT",
]


BATCH_FILE = "batch.yml"


#: Seconds one cell may run before its report fails.
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class _Entry:
    notebook: Path
    name: str | None
    title: dict[str, str]
    parameters: dict[str, Any]
    grid: dict[str, Any]
    #: Files the report reads beyond the batch's study (a second coding): hashed too.
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class BatchSpec:
    """A parsed batch spec: where it was read from, its defaults and its entries."""

    path: Path
    parameters: dict[str, Any]
    entries: tuple[_Entry, ...]
    timeout: int = CELL_TIMEOUT


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
    language). Top-level ``parameters`` apply to every entry. A top-level
    ``agreement`` names two codings of the same interviews (``a`` and ``b``,
    paths relative to the spec; ``a`` left out is the batch's study, ``b`` left
    out the users of ``a``, a QDA project; ``coders`` picks two of them) and adds
    ``agreement.ipynb`` (named ``agreement``) comparing them.

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
    if raw.get("agreement") is not None:
        entries.append(_agreement_entry(raw["agreement"], path))
    timeout = raw.get("timeout", CELL_TIMEOUT)
    if not isinstance(timeout, int) or timeout <= 0:
        raise StudyError(f"{path}: 'timeout' must be a positive number of seconds")
    return BatchSpec(path=path, parameters=dict(defaults), entries=tuple(entries),
                     timeout=timeout)


AGREEMENT_NOTEBOOK = "agreement.ipynb"


def _coding_files(path: Path) -> tuple[Path, ...]:
    if path.is_file():
        return (path,)
    return tuple(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))


def _agreement_entry(raw: Any, path: Path) -> _Entry:
    """The report comparing two codings named by the spec's top-level ``agreement``."""
    where = f"{path}: agreement"
    if not isinstance(raw, dict) or not raw or set(raw) - {"a", "b", "coders", "title"}:
        raise StudyError(f"{where}: must be a mapping with a (optional), b and coders "
                         "(optional), e.g. {a: ../data, b: second-coding}")
    parameters: dict[str, Any] = {"b": None, "coders": raw.get("coders")}
    files: list[Path] = []
    for key, parameter in (("a", "data"), ("b", "b")):
        if raw.get(key) is None:
            continue
        coding = (path.parent / str(raw[key])).resolve()
        if not coding.exists():
            raise StudyError(f"{where}: {key}: {raw[key]!r} not found (relative to the spec)")
        parameters[parameter] = str(coding)
        files += _coding_files(coding)
    notebook = path.parent / AGREEMENT_NOTEBOOK
    if not notebook.is_file():
        notebook = notebooks_dir() / AGREEMENT_NOTEBOOK
    title = _titles(raw.get("title") or {"da": "Enighed mellem kodere",
                                         "en": "Agreement between coders"}, where)
    return _Entry(notebook.resolve(), "agreement", title, parameters, {}, tuple(files))
