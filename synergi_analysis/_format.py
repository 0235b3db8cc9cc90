"""Numbers and cells as a reader of each language writes them.

Danish: ``37 %``, ``0,85``, ``2.000``; English: ``37%``, ``0.85``, ``2,000``.
A missing value is ``–`` in both; ``True``/``False`` are ``ja``/``nej`` or
``yes``/``no``. Used by `synergi_analysis.display` for every table a report shows.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import pandas as pd

from synergi_analysis.words import _check_lang, words

__all__ = ["number", "percent", "p_value", "cell", "is_missing"]

MISSING = "–"


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas' NA and NaT, and blank text.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), "", " x ", 0)]
    [True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is a value
        return False


def number(value: float, lang: str, *, decimals: int = 0) -> str:
    """A number with the language's decimal mark and thousands separator.

    Examples
    --------
    >>> number(2000, "da"), number(0.8512, "da", decimals=2), number(21061, "en")
    ('2.000', '0,85', '21,061')
    >>> number(-0.004, "en", decimals=2)
    '0.00'
    """
    _check_lang(lang)
    if is_missing(value):
        return MISSING
    value = float(value)
    if not math.isfinite(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.00"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(value: float, lang: str, *, decimals: int = 0) -> str:
    """A share (0 to 1) as a percentage: ``37 %`` in Danish, ``37%`` in English.

    Examples
    --------
    >>> percent(0.368421, "da"), percent(0.368421, "en"), percent(0.05, "da", decimals=1)
    ('37 %', '37%', '5,0 %')
    """
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    text = number(float(value) * 100, lang, decimals=decimals)
    return f"{text} %" if lang == "da" else f"{text}%"


def p_value(value: float, lang: str) -> str:
    """A p value: two significant digits, at most three decimals (``< 0,001`` below).

    Examples
    --------
    >>> p_value(0.4123, "da"), p_value(0.0412, "en"), p_value(0.00002, "da")
    ('0,41', '0.041', '< 0,001')
    """
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    value = float(value)
    if value < 0.001:
        return "< " + number(0.001, lang, decimals=3)
    decimals = 2 if value >= 0.1 else 3
    return number(value, lang, decimals=decimals)


def cell(value: Any, lang: str, *, decimals: int = 2) -> str:
    """Any cell of a table as text: missing as ``–``, booleans as words, numbers localised.

    Whole numbers (also when stored as floats) get no decimals, other floats
    ``decimals``; text is returned as it is.

    Examples
    --------
    >>> [cell(v, "da") for v in (True, None, 3.0, 0.854, 12000, "Pas")]
    ['ja', '–', '3', '0,85', '12.000', 'Pas']
    """
    if isinstance(value, bool) or (hasattr(value, "dtype") and value.dtype == bool):
        return words("value", lang)["yes" if value else "no"]
    if is_missing(value):
        return MISSING
    if isinstance(value, numbers.Integral):
        return number(value, lang)
    if isinstance(value, numbers.Real):
        whole = float(value).is_integer()
        return number(value, lang, decimals=0 if whole else decimals)
    return str(value)
