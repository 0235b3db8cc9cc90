"""The codebook: every coded dimension, its allowed values, their order and labels.

The codebook is the only place that names a study's sites, services and codes.
Validation, the order of categories and every label in tables and charts come
from it, so a new study edits ``codebook.yml``, not the code.
"""

from __future__ import annotations

import difflib
import functools
import math
import reprlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from synergi_analysis._io import (
    CODEBOOK_FILE,
    shipped_data_dir,
)
from synergi_analysis.errors import StudyError, shorten
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
        # difflib's ratio is at most 2·shorter/(sum of lengths): a value over 2⅓ times
        # the longest spelling can never reach the 0.6 cutoff, and comparing a huge
        # cell would take its time and memory for nothing.
        longest = max((len(c) for c in candidates), default=0)
        if len(str(raw)) > 3 * longest:
            return None
        match = difflib.get_close_matches(str(raw).casefold(), list(candidates), n=1, cutoff=0.6)
        return candidates[match[0]] if match else None


# -- reading the YAML: every shape mistake is one message naming the file and line -----


class _Map(dict):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int = 0
    lines: dict


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, line: int, first: int):
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


# The C loader, where PyYAML has it, reads a codebook several times faster; the
# constructor below (Python) still builds every mapping.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_map(loader, node):
    data = _Map()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode):
            continue
        line = key_node.start_mark.line + 1
        if key_node.value in data.lines:
            # YAML keeps the last of two equal keys: a second `site:` dimension or a
            # second `da:` would silently replace the first.
            raise _DuplicateKey(key_node.value, line, data.lines[key_node.value])
        data.lines[key_node.value] = line
    data.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _shown(value: Any) -> str:
    """A value from the codebook as a message shows it: short, whatever its shape."""
    if isinstance(value, str):
        return repr(shorten(value))
    # reprlib bounds depth and length: an aliased structure may be huge when printed.
    r = reprlib.Repr()
    r.maxlevel, r.maxstring, r.maxother = 3, 60, 60
    return r.repr(dict(value) if isinstance(value, dict) else value)


class _Where:
    """Where in the codebook a mistake is: the file, the line, the dimension."""

    def __init__(self, path: str, line: int | None = None, prefix: str = ""):
        self.path, self.line, self.prefix = path, line, prefix

    def at(self, raw: Any = None, key: str | None = None, prefix: str | None = None) -> _Where:
        """The place of ``raw`` (a mapping read from the file), or of its ``key``."""
        line = self.line
        if isinstance(raw, _Map):
            line = raw.lines.get(key, raw.line) if key is not None else raw.line
        return _Where(self.path, line, self.prefix if prefix is None else prefix)

    def error(self, message: str) -> StudyError:
        line = f":{self.line}" if self.line else ""
        return StudyError(f"{self.path}{line}: {self.prefix}{message}")


_TEXT = (str, int, float)


def _text(raw: dict, key: str, where: _Where, default: str) -> str:
    value = raw.get(key)
    if value is None:
        return default
    if not isinstance(value, _TEXT) or isinstance(value, bool):
        raise where.at(raw, key).error(f"{key} must be a text, not {_shown(value)}")
    return str(value)


def _flag(raw: dict, key: str, where: _Where) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise where.at(raw, key).error(f"{key} must be true or false, not {_shown(value)}")
    return value


def _read_value(raw: Any, where: _Where) -> tuple[Value, int | None]:
    """One value of a dimension, and the line it is on."""
    where = where.at(raw)
    if not isinstance(raw, dict) or "key" not in raw:
        raise where.error("each value needs at least a 'key'")
    if not isinstance(raw["key"], _TEXT) or isinstance(raw["key"], bool):
        raise where.at(raw, "key").error(f"key must be a text, not {_shown(raw['key'])}")
    key = str(raw["key"]).strip()
    inner = where.at(raw, prefix=f"{where.prefix}value {key!r}: ")
    da = _text(raw, "da", inner, key)
    extra = {k: v for k, v in raw.items() if k not in {"key", "da", "en", "description"}}
    for bound in ("min", "max"):
        if bound in extra:
            extra[bound] = _number(raw, bound, inner)
    value = Value(key=key, da=da, en=_text(raw, "en", inner, da),
                  description=_text(raw, "description", inner, ""), extra=extra)
    return value, where.line


def _number(raw: dict, key: str, where: _Where) -> float | int:
    value = raw[key]
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(
            value):
        raise where.at(raw, key).error(f"{key} must be a number, not {_shown(value)}")
    return value


def _read_values(raw: Any, where: _Where, *, key: str) -> list[tuple[Value, int | None]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise where.error(f"{key} must be a list of values, not {_shown(raw)}")
    return [_read_value(v, where) for v in raw]


def _check_spellings(groups: list[list[tuple[Value, int | None]]], where: _Where) -> None:
    """No spelling (key or label, any case) may stand for two values of a dimension.

    Data is read by spelling: were one label also another value's key, every row
    written so would silently become that other value.
    """
    owner: dict[str, tuple[str, str, int | None]] = {}
    kinds = (("key", "the key"), ("da", "the da label"), ("en", "the en label"))
    for group in groups:
        for value, line in group:
            for field_name, kind in kinds:
                spelling = getattr(value, field_name)
                folded = spelling.strip().casefold()
                first = owner.get(folded)
                if first is None:
                    owner[folded] = (value.key, kind, line)
                elif first[0] != value.key:
                    at = f" (line {first[2]})" if first[2] else ""
                    raise _Where(where.path, line, where.prefix).error(
                        f"value {value.key!r}: {field_name} {spelling!r} is already {first[1]} "
                        f"of value {first[0]!r}{at}; data written so could not be told apart")


def _check_bands(values: list[tuple[Value, int | None]], where: _Where) -> None:
    """Bands with ``min`` and ``max`` (age_band): all or none, each in order, no overlaps."""
    has = [("min" in v.extra and "max" in v.extra) for v, _ in values]
    if not any("min" in v.extra or "max" in v.extra for v, _ in values):
        return
    for (value, line), ok in zip(values, has, strict=True):
        here = _Where(where.path, line, f"{where.prefix}value {value.key!r}: ")
        if not ok:
            raise here.error("give min and max for every value or for none")
        if value.extra["min"] > value.extra["max"]:
            raise here.error(f"min {value.extra['min']:g} is above max {value.extra['max']:g}")
    ordered = sorted(values, key=lambda vl: vl[0].extra["min"])
    for (prev, prev_line), (value, line) in zip(ordered, ordered[1:], strict=False):
        if value.extra["min"] <= prev.extra["max"]:
            lo, hi = value.extra["min"], value.extra["max"]
            raise _Where(where.path, line, f"{where.prefix}value {value.key!r}: ").error(
                f"{lo:g}-{hi:g} overlaps value {prev.key!r} ({prev.extra['min']:g}-"
                f"{prev.extra['max']:g}, line {prev_line})")


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
        where = _Where(str(path or "codebook"))
        if not isinstance(spec, dict) or not isinstance(spec.get("dimensions"), dict):
            raise where.error("a codebook needs a 'dimensions' mapping")
        study = spec.get("study") or {}
        if not isinstance(study, dict):
            raise where.at(spec, "study").error(
                f"study must be a mapping (title, description), not {_shown(study)}")
        self.study = study
        dims: dict[str, Dimension] = {}
        for name, raw in spec["dimensions"].items():
            name = str(name)
            here = where.at(spec["dimensions"], name, prefix=f"{name}: ")
            if raw is None:
                raw = {}
            if not isinstance(raw, dict):
                raise here.error("a dimension must be a mapping (column, label, values), "
                                 f"not {_shown(raw)}")
            dims[name] = self._read_dimension(name, raw, here)
        self.dimensions = dims
        for name, d in dims.items():
            if d.scale_by and d.scale_by not in dims:
                raw = spec["dimensions"][name]
                raise where.at(raw, "scale_by", prefix=f"{name}: ").error(
                    f"scale_by names unknown dimension {d.scale_by!r}")

    @staticmethod
    def _read_dimension(name: str, raw: dict[str, Any], where: _Where) -> Dimension:
        label = raw.get("label") or {}
        if not isinstance(label, dict):
            raise where.at(raw, "label").error(
                "label must be a mapping of language to text, like {da: Sted, en: Site}, "
                f"not {_shown(label)}")
        column = raw.get("column")
        if column is not None and (not isinstance(column, _TEXT) or isinstance(column, bool)):
            raise where.at(raw, "column").error(
                f"column must be a column name, not {_shown(column)}")
        separator = raw.get("separator", ";")
        if not isinstance(separator, str) or not separator:
            raise where.at(raw, "separator").error(
                f"separator must be one or more characters, not {_shown(separator)}")
        scale_by = raw.get("scale_by")
        if scale_by is not None and not isinstance(scale_by, str):
            raise where.at(raw, "scale_by").error(
                f"scale_by must name a dimension, not {_shown(scale_by)}")
        scales: dict[str, tuple[Value, ...]] = {}
        groups: list[list[tuple[Value, int | None]]] = []
        if "scales" in raw:
            if not isinstance(raw["scales"], dict):
                raise where.at(raw, "scales").error(
                    f"scales must map each {scale_by or 'group'} to its values, "
                    f"not {_shown(raw['scales'])}")
            for by_value, vals in raw["scales"].items():
                here = where.at(raw["scales"], by_value, prefix=f"{name}.{by_value}: ")
                groups.append(_read_values(vals, here, key=str(by_value)))
                scales[str(by_value)] = tuple(v for v, _ in groups[-1])
            seen: dict[str, Value] = {}
            for vals in scales.values():
                for v in vals:
                    seen.setdefault(v.key, v)
            values = tuple(seen.values())
        else:
            groups.append(_read_values(raw.get("values"), where.at(raw, "values"),
                                       key="values"))
            values = tuple(v for v, _ in groups[0])
        if not values:
            raise where.at(raw).error(f"dimension {name!r} has no values")
        for group in groups:
            group_keys = [v.key for v, _ in group]
            if len(set(group_keys)) != len(group_keys):
                twice = next(k for k in group_keys if group_keys.count(k) > 1)
                line = [ln for v, ln in group if v.key == twice][-1]
                raise _Where(where.path, line, where.prefix).error(
                    f"dimension {name!r} lists the value {twice!r} twice")
        _check_spellings(groups, where)
        multi = _flag(raw, "multi", where)
        if multi:
            for group in groups:
                for v, line in group:
                    for field_name in ("key", "da", "en"):
                        if separator in getattr(v, field_name):
                            raise _Where(where.path, line, where.prefix).error(
                                f"value {v.key!r}: {field_name} {getattr(v, field_name)!r} "
                                f"holds the separator {separator!r}")
        if name == "age_band":
            _check_bands(groups[0], where)
        return Dimension(
            name=name,
            column=None if column is None else str(column),
            label_da=_text(label, "da", where, name),
            label_en=_text(label, "en", where, _text(label, "da", where, name)),
            values=values,
            multi=multi,
            required=_flag(raw, "required", where),
            separator=separator,
            scale_by=scale_by,
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
        except OSError as exc:
            raise StudyError(f"{path}: codebook cannot be read ({exc.strerror})") from None
        # Labels typed on a Mac may come decomposed (NFD); data is compared in NFC.
        text = unicodedata.normalize("NFC", text)
        try:
            spec = yaml.load(text, Loader=_Loader)
        except _DuplicateKey as exc:
            raise StudyError(f"{path}:{exc.line}: the key {exc.key!r} is given twice (first on "
                             f"line {exc.first}); YAML keeps only the last") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise StudyError(f"{path}{line}: codebook is not valid YAML") from None
        return cls(spec, path=path)

    # -- questions the rest of the package asks -------------------------------------

    @functools.cached_property
    def characters(self) -> frozenset[str]:
        """Every character of the codebook's keys, labels and descriptions.

        A table that is not UTF-8 is decoded in the 8-bit encoding whose reading
        uses these (see `synergi_analysis._io.read_table`).
        """
        parts = [str(self.study)]
        for d in self.dimensions.values():
            parts += [d.name, d.label_da, d.label_en]
            for group in (d.values, *d.scales.values()):
                parts += [f"{v.key} {v.da} {v.en} {v.description}" for v in group]
        return frozenset("".join(parts))

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
