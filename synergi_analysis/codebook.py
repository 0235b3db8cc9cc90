"""The codebook: every coded dimension, its allowed values, their order and labels.

The codebook is the only place that names a study's sites, services and codes.
Validation, the order of categories and every label in tables and charts come
from it, so a new study edits ``codebook.yml``, not the code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from synergi_analysis._io import (
    CODEBOOK_FILE,
    shipped_data_dir,
)
from synergi_analysis.errors import StudyError
from synergi_analysis.words import LANGS, _check_lang

__all__ = ["Codebook", "Dimension", "Value", "LANGS"]



@dataclass(frozen=True)
class Value:
    """One allowed value of a dimension: its key, labels, description and extras."""

    key: str
    da: str
    en: str
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def label(self, lang: str = "da") -> str:
        return self.en if lang == "en" else self.da


@dataclass(frozen=True)
class Dimension:
    """A coded dimension: its column in the data and its values in order.

    A dimension with ``scale_by`` has one list of values per value of another
    dimension (the attitude scale depends on the visitor type); its ``values``
    then hold the union of keys in first-seen order.
    """

    name: str
    column: str | None
    label_da: str
    label_en: str
    values: tuple[Value, ...]
    multi: bool = False
    required: bool = False
    separator: str = ";"
    scale_by: str | None = None
    scales: dict[str, tuple[Value, ...]] = field(default_factory=dict)
    #: What is invented in this dimension's codings, per language (empty: nothing).
    illustrative: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str = "da") -> str:
        return self.label_en if lang == "en" else self.label_da

    @property
    def keys(self) -> list[str]:
        return [v.key for v in self.values]

    def scale(self, by_value: str | None) -> tuple[Value, ...]:
        """The values allowed where the ``scale_by`` dimension has ``by_value``."""
        if self.scale_by is None or by_value is None:
            return self.values
        return self.scales.get(by_value, ())

    def lookup(self) -> dict[str, str]:
        """Map every accepted spelling (key, Danish or English label, any case) to its key."""
        table: dict[str, str] = {}
        groups = [self.values, *self.scales.values()]
        for group in groups:
            for v in group:
                for spelling in (v.key, v.da, v.en):
                    table.setdefault(str(spelling).strip().casefold(), v.key)
        return table

    def suggest(self, raw: str) -> str | None:
        """The allowed key closest to a misspelt value, or None when nothing is close."""
        candidates = {}
        for v in self.values:
            for spelling in (v.key, v.da, v.en):
                candidates[str(spelling).casefold()] = v.key
        match = difflib.get_close_matches(str(raw).casefold(), list(candidates), n=1, cutoff=0.6)
        return candidates[match[0]] if match else None


def _read_value(raw: Any, where: str) -> Value:
    if not isinstance(raw, dict) or "key" not in raw:
        raise StudyError(f"{where}: each value needs at least a 'key'")
    key = str(raw["key"])
    extra = {k: v for k, v in raw.items() if k not in {"key", "da", "en", "description"}}
    return Value(
        key=key,
        da=str(raw.get("da", key)),
        en=str(raw.get("en", raw.get("da", key))),
        description=str(raw.get("description", "")),
        extra=extra,
    )


class Codebook:
    """The study's codebook, read from a YAML file.

    Parameters
    ----------
    spec : dict
        The parsed YAML: ``study`` (title, description) and ``dimensions``.
    path : pathlib.Path, optional
        Where the codebook was read from, for messages and provenance.

    Examples
    --------
    >>> from synergi_analysis import load_codebook
    >>> cb = load_codebook()
    >>> cb.keys("age_band")
    ['0-17', '18-29', '30-49', '50-69', '70+']
    >>> cb.label("service", "pas", lang="en")
    'Passport'
    """

    def __init__(self, spec: dict[str, Any], path: Path | None = None):
        self.path = path
        where = str(path or "codebook")
        if not isinstance(spec, dict) or not isinstance(spec.get("dimensions"), dict):
            raise StudyError(f"{where}: a codebook needs a 'dimensions' mapping")
        self.study = spec.get("study") or {}
        dims: dict[str, Dimension] = {}
        for name, raw in spec["dimensions"].items():
            dims[name] = self._read_dimension(name, raw or {}, where)
        self.dimensions = dims
        for d in dims.values():
            if d.scale_by and d.scale_by not in dims:
                raise StudyError(
                    f"{where}: {d.name}: scale_by names unknown dimension {d.scale_by!r}"
                )

    @staticmethod
    def _read_dimension(name: str, raw: dict[str, Any], where: str) -> Dimension:
        label = raw.get("label") or {}
        scales: dict[str, tuple[Value, ...]] = {}
        if "scales" in raw:
            for by_value, vals in raw["scales"].items():
                scales[str(by_value)] = tuple(
                    _read_value(v, f"{where}: {name}.{by_value}") for v in vals
                )
            seen: dict[str, Value] = {}
            for vals in scales.values():
                for v in vals:
                    seen.setdefault(v.key, v)
            values = tuple(seen.values())
        else:
            values = tuple(_read_value(v, f"{where}: {name}") for v in raw.get("values") or [])
        if not values:
            raise StudyError(f"{where}: dimension {name!r} has no values")
        keys = [v.key for v in values]
        if len(set(keys)) != len(keys) and not scales:
            raise StudyError(f"{where}: dimension {name!r} lists a value twice")
        return Dimension(
            name=name,
            column=raw.get("column"),
            label_da=str(label.get("da", name)),
            label_en=str(label.get("en", label.get("da", name))),
            values=values,
            multi=bool(raw.get("multi", False)),
            required=bool(raw.get("required", False)),
            separator=str(raw.get("separator", ";")),
            scale_by=raw.get("scale_by"),
            scales=scales,
            illustrative=_read_illustrative(raw.get("illustrative"), f"{where}: {name}"),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Codebook:
        """Read a codebook from a YAML file; a broken file raises `StudyError`."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise StudyError(f"{path}: codebook not found") from None
        except UnicodeDecodeError as exc:
            raise StudyError(f"{path}: codebook is not UTF-8 text ({exc.reason})") from None
        try:
            # The C loader, where PyYAML has it, reads a codebook several times faster.
            spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise StudyError(f"{path}{line}: codebook is not valid YAML") from None
        return cls(spec, path=path)

    # -- questions the rest of the package asks -------------------------------------

    def __contains__(self, name: str) -> bool:
        return name in self.dimensions

    def __getitem__(self, name: str) -> Dimension:
        try:
            return self.dimensions[name]
        except KeyError:
            raise ValueError(
                f"unknown dimension {name!r}; the codebook has {', '.join(self.dimensions)}"
            ) from None

    def keys(self, name: str, *, scale: str | None = None) -> list[str]:
        """Value keys of a dimension in codebook order (of one scale, if given)."""
        return [v.key for v in self[name].scale(scale)]

    def label(self, name: str, key: str, *, lang: str = "da", scale: str | None = None) -> str:
        """The label of one value; an unknown key is returned unchanged."""
        return self.labels(name, lang=lang, scale=scale).get(key, key)

    def labels(self, name: str, *, lang: str = "da", scale: str | None = None) -> dict[str, str]:
        """Map each key of a dimension (of one scale, if given) to its label."""
        _check_lang(lang)
        return {v.key: v.label(lang) for v in self[name].scale(scale)}

    def value(self, name: str, key: str, *, scale: str | None = None) -> Value:
        """The `Value` with this key."""
        for v in self[name].scale(scale):
            if v.key == key:
                return v
        raise ValueError(f"{name}: unknown value {key!r}")

    def dimension_label(self, name: str, *, lang: str = "da") -> str:
        _check_lang(lang)
        return self[name].label(lang)

    @property
    def coded_columns(self) -> dict[str, str]:
        """Map data column -> dimension name for every dimension stored in one column."""
        return {d.column: d.name for d in self.dimensions.values() if d.column}

    @property
    def stages(self) -> list[str]:
        """Journey stages in order; each is a column of the interview table."""
        return self.keys("journey_stage") if "journey_stage" in self else []

    def illustrative(self, *, lang: str = "da") -> dict[str, str]:
        """The dimensions whose codings are (partly) invented, each with its one-line note.

        A dimension is marked in ``codebook.yml`` with ``illustrative:`` (a text,
        or ``{da: ..., en: ...}``); an unmarked codebook gives ``{}``.

        Examples
        --------
        >>> from synergi_analysis import load_codebook
        >>> list(load_codebook().illustrative(lang="en"))[:2]
        ['site', 'age_band']
        """
        _check_lang(lang)
        return {d.name: d.illustrative[lang] for d in self.dimensions.values()
                if d.illustrative}

    def title(self, *, lang: str = "da") -> str:
        title = self.study.get("title", "")
        if isinstance(title, dict):
            return str(title.get(lang) or title.get("da") or "")
        return str(title)

    def __repr__(self) -> str:
        return f"Codebook({self.path!s}, dimensions={list(self.dimensions)})"



def _read_illustrative(raw: Any, where: str) -> dict[str, str]:
    """``illustrative:`` of a dimension: a text, or a text per language; ``{}`` when absent."""
    if raw is None or raw is False:
        return {}
    if isinstance(raw, str) and raw.strip():
        return dict.fromkeys(LANGS, raw.strip())
    if isinstance(raw, dict) and raw and set(raw) <= set(LANGS) and all(
            isinstance(v, str) and v.strip() for v in raw.values()):
        notes = {k: v.strip() for k, v in raw.items()}
        return {lang: notes.get(lang) or notes.get("da") or notes["en"] for lang in LANGS}
    raise StudyError(f"{where}: illustrative must be a line of text or {{da: ..., en: ...}} "
                     f"saying what is invented, not {raw!r}")


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook; ``None`` means the shipped one.

    Examples
    --------
    >>> load_codebook().keys("visitor_type")
    ['borgerservice', 'bibliotek']
    """
    if path is None:
        path = shipped_data_dir() / CODEBOOK_FILE
    path = Path(path)
    if path.is_dir():
        path = path / CODEBOOK_FILE
    return Codebook.from_file(path)
