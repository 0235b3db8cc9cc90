"""Statistics from the field's libraries, each formula named: agreement between coders.

Nothing here is computed by hand: Cohen's kappa comes from statsmodels, Krippendorff's
alpha from the ``krippendorff`` package. Both are imported when first used, so
importing the package stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["cohens_kappa", "krippendorff_alpha", "landis_koch"]

#: Landis and Koch (1977), "The measurement of observer agreement for categorical
#: data": the upper edge of each band of kappa and its name (keys of ``words``).
LANDIS_KOCH = ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
               (0.80, "substantial"), (1.0, "almost_perfect"))


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def cohens_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two coders who coded the same units with nominal values.

    κ = (p_o − p_e) / (1 − p_e), with p_o the share of units both coders gave the
    same value and p_e the share expected by chance from each coder's own
    distribution of values; computed by ``statsmodels.stats.inter_rater.cohens_kappa``
    on the two coders' confusion table.

    Parameters
    ----------
    a, b : sequence
        The values each coder gave, unit by unit (same length, none missing).

    Returns
    -------
    float
        Kappa in [-1, 1]; NaN with no units, or when chance alone agrees fully
        (both coders gave every unit one and the same value: p_e = 1).

    Examples
    --------
    >>> round(cohens_kappa(["x", "x", "y", "y"], ["x", "x", "y", "x"]), 3)
    0.5
    """
    if len(a) != len(b):
        raise ValueError(f"a and b must code the same units: {len(a)} and {len(b)} values")
    if not len(a):
        return math.nan
    categories = sorted({str(v) for v in a} | {str(v) for v in b})
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype="int64")
    for x, y in zip(a, b, strict=True):
        table[index[str(x)], index[str(y)]] += 1
    n = table.sum()
    expected = float((table.sum(axis=1) @ table.sum(axis=0)) / n**2)
    if math.isclose(expected, 1.0):
        return math.nan
    from statsmodels.stats.inter_rater import cohens_kappa as _kappa

    return float(_kappa(table, return_results=False))


def krippendorff_alpha(a: Sequence, b: Sequence) -> float:
    """Krippendorff's alpha of two coders for nominal values; a missing value is allowed.

    α = 1 − D_o / D_e, the observed disagreement over the disagreement expected from
    all values given, on the units both coders coded; computed by
    ``krippendorff.alpha(level_of_measurement="nominal")``. Units coded by one
    coder only are not pairable and do not count.

    Parameters
    ----------
    a, b : sequence
        Each coder's value per unit (same length); None or NaN where a coder gave none.

    Returns
    -------
    float
        Alpha (1 is perfect agreement, 0 what chance gives); NaN when no unit has
        two values or only one value occurs at all.

    Examples
    --------
    >>> round(krippendorff_alpha(["x", "x", "y", "y"], ["x", "x", "y", None]), 3)
    1.0
    """
    if len(a) != len(b):
        raise ValueError(f"a and b must code the same units: {len(a)} and {len(b)} values")
    both = [_present(x) and _present(y) for x, y in zip(a, b, strict=True)]
    values = sorted({str(v) for pair in zip(a, b, strict=True) for v in pair if _present(v)})
    if not any(both) or len(values) < 2:
        return math.nan
    index = {v: float(i) for i, v in enumerate(values)}
    data = np.array([[index[str(v)] if _present(v) else np.nan for v in coder]
                     for coder in (a, b)], dtype=float)
    import krippendorff

    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def landis_koch(kappa: float) -> str:
    """The Landis and Koch band of a kappa: its key in ``words`` (``"agreement.<key>"``).

    Below 0 ``poor``; up to 0.20 ``slight``; 0.40 ``fair``; 0.60 ``moderate``;
    0.80 ``substantial``; above ``almost_perfect``. NaN gives ``""``.

    Examples
    --------
    >>> landis_koch(0.55), landis_koch(-0.1), landis_koch(float("nan"))
    ('moderate', 'poor', '')
    """
    if not _present(kappa):
        return ""
    if kappa < 0:
        return "poor"
    for edge, name in LANDIS_KOCH[1:]:
        if kappa <= edge + 1e-12:
            return name
    return "almost_perfect"
