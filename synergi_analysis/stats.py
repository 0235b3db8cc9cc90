"""Statistics from the field's libraries, each method named: small counts and coder agreement.

Every number here comes from statsmodels or scipy; this module only chooses the
method, names it, and words the result for a reader:

- `wilson_interval`: the Wilson score interval of a share (statsmodels
  ``proportion_confint(method="wilson")``), which stays inside [0, 1] and keeps
  its coverage for small n, where the textbook ``p ± 1.96·√(p(1-p)/n)`` fails;
- `independence_test`: are two coded dimensions independent? Fisher's exact
  test for a 2×2 table (scipy ``fisher_exact``), and for a larger table the
  Fisher–Freeman–Halton test (the same conditional test on an r×c table: the
  p-value is the probability, under independence with the margins fixed, of a
  table as improbable as the observed one), its p-value estimated from seeded
  Monte Carlo draws of tables with the observed margins (scipy
  ``fisher_exact(method=MonteCarloMethod(...))``, which draws from
  ``scipy.stats.random_table``);
- `adjusted_residuals`: Haberman's adjusted residuals of a table,
  ``(O - E) / √(E·(1 - r/N)·(1 - c/N))`` (statsmodels
  ``Table.standardized_resids``): about normal under independence, so a cell
  beyond ±2 is one the test's verdict rests on;
- `holm`: Holm's step-down adjustment of several p-values (statsmodels
  ``multipletests(method="holm")``), for a comparison made stage by stage.

A test's result is a plain dict (``name``, ``statistic``, ``p``, ``n``,
``sentence`` in Danish and English), so it travels in a table's ``attrs["test"]``
to the reports. The sentence never claims more than the p-value allows: at
p ≥ 0.05 it says the difference could be chance.

Agreement between two coders: `cohens_kappa` (statsmodels ``cohens_kappa`` on
the coders' confusion table), `krippendorff_alpha` (the ``krippendorff``
package, nominal) and `landis_koch`, the usual reading of kappa.
"""


from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from synergi_analysis.words import word

__all__ = [
    "ALPHA",
    "adjusted_residuals",
    "cohens_kappa",
    "holm",
    "independence_test",
    "krippendorff_alpha",
    "landis_koch",
    "wilson_interval",
]

#: The level every interval and test of the package uses: 95 % intervals, p < 0.05.
ALPHA = 0.05
#: Monte Carlo tables drawn for an r×c test, and their seed: the same data gives the same p.
N_RESAMPLES = 9999
SEED = 2017


def wilson_interval(count, n, *, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``count`` successes in ``n`` trials, element-wise.

    Parameters
    ----------
    count, n : array_like of int
        Successes and trials; where ``n`` is 0 the interval is missing (NaN).
    alpha : float
        1 minus the coverage (0.05: a 95 % interval).

    Returns
    -------
    tuple of numpy.ndarray
        The lower and upper bounds, floats in [0, 1].

    Examples
    --------
    >>> low, high = wilson_interval([3, 0], [10, 0])
    >>> [round(float(low[0]), 3), round(float(high[0]), 3)], bool(np.isnan(low[1]))
    ([0.108, 0.603], True)
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.atleast_1d(np.asarray(count, dtype=float))
    n = np.atleast_1d(np.asarray(n, dtype=float))
    low = np.full(np.broadcast(count, n).shape, np.nan)
    high = low.copy()
    ok = np.broadcast_to(n > 0, low.shape)
    if ok.any():
        c, t = np.broadcast_to(count, low.shape)[ok], np.broadcast_to(n, low.shape)[ok]
        lo, hi = proportion_confint(c, t, alpha=alpha, method="wilson")
        low[ok], high[ok] = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
    return low, high


def _format_p(p: float, lang: str) -> str:
    if p < 0.001:
        text = "p < 0.001"
    else:
        text = f"p = {p:.2f}" if p >= 0.01 else f"p = {p:.3f}"
    return text.replace(".", ",") if lang == "da" else text


def sentence(p: float | None, *, label: dict[str, str], where: dict[str, str] | None = None,
             adjusted: bool = False) -> dict[str, str]:
    """The plain sentence of a test's result in each language.

    ``label`` is the compared dimension's label per language (``{"da": "sted",
    "en": "site"}``); ``where`` optionally names the part (a stage) the verdict
    rests on. Below `ALPHA` it says the difference is unlikely to be chance,
    otherwise that it could be chance; ``adjusted`` adds that the p-value is
    Holm-adjusted.

    Examples
    --------
    >>> sentence(0.41, label={"da": "Sted", "en": "Site"})["en"]
    'The differences by site could be chance: p = 0.41.'
    >>> sentence(0.004, label={"da": "Sted", "en": "Site"})["da"]
    'Forskellene efter sted er næppe tilfældige: p = 0,004.'
    """
    out = {}
    for lang in ("da", "en"):
        if p is None or not np.isfinite(p):
            out[lang] = word("stats.no_test", lang)
            continue
        key = "stats.chance" if p >= ALPHA else "stats.not_chance"
        text = word(key, lang, dim=label[lang].lower(), p=_format_p(p, lang))
        if where is not None and p < ALPHA:
            text = text[:-1] + word("stats.at", lang, part=where[lang]) + "."
        if adjusted:
            text = text[:-1] + " " + word("stats.holm", lang) + "."
        out[lang] = text
    return out


def independence_test(table, *, label: dict[str, str] | None = None, seed: int = SEED,
                      n_resamples: int = N_RESAMPLES) -> dict | None:
    """Test whether the rows and the columns of a count table are independent.

    Rows and columns without any count are left out first (a code nobody has
    tells nothing about the others). A 2×2 table gets Fisher's exact test, a
    larger one the Fisher–Freeman–Halton test with a Monte Carlo p-value from
    ``n_resamples`` tables drawn with ``seed``.

    Parameters
    ----------
    table : pandas.DataFrame or array_like
        Counts of interviews, without totals; each interview in one cell (both
        dimensions single-valued), as the test assumes independent observations.
    label : dict, optional
        The rows' dimension label per language, for the sentence (default "groups").
    seed, n_resamples : int
        Of the Monte Carlo draws.

    Returns
    -------
    dict or None
        ``name`` (the test), ``statistic`` (the odds ratio for 2×2, else the
        probability of the observed table under independence), ``p``, ``n``
        (interviews), ``shape`` (rows × columns tested), ``sentence`` ({"da", "en"});
        None when fewer than two rows or columns hold counts (nothing to compare).

    Examples
    --------
    >>> result = independence_test([[8, 2], [1, 9]])
    >>> result["name"], round(result["p"], 4)
    ("Fisher's exact test", 0.0055)
    """
    from scipy.stats import MonteCarloMethod, fisher_exact

    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or (counts < 0).any() or not np.isfinite(counts).all():
        raise ValueError("table must be a two-dimensional table of counts")
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0].astype("int64")
    if min(counts.shape) < 2:
        return None
    label = label or {"da": word("stats.groups", "da"), "en": word("stats.groups", "en")}
    if counts.shape == (2, 2):
        result = fisher_exact(counts)
        name = "Fisher's exact test"
    else:
        # scipy (1.17) reads a batch of drawn tables as one table when their cells do not
        # outnumber the interviews (n >= draws × cells) and fails to reshape it: a large
        # study draws enough tables that they do.
        draws = max(n_resamples, int(counts.sum()) // counts.size + 1)
        method = MonteCarloMethod(n_resamples=draws, rng=np.random.default_rng(seed))
        result = fisher_exact(counts, method=method)
        name = (f"Fisher–Freeman–Halton exact test (Monte Carlo, {draws} tables, "
                f"seed {seed})")
    # scipy returns one-element arrays for some table shapes
    p = float(min(1.0, np.ravel(result.pvalue)[0]))
    return {"name": name, "statistic": float(np.ravel(result.statistic)[0]), "p": p,
            "n": int(counts.sum()), "shape": [int(s) for s in counts.shape],
            "sentence": sentence(p, label=label)}


def holm(pvalues) -> np.ndarray:
    """Holm-adjusted p-values, as statsmodels ``multipletests(method="holm")`` gives them.

    Holm's step-down rule in four lines rather than a call to statsmodels: its Holm
    branch runs a full garbage collection on every call (``gc.collect()``), up to
    80 ms in a report's kernel, where a pass over a few numbers is enough. The tests
    check this against statsmodels.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.30]).round(2).tolist()
    [0.03, 0.08, 0.3]
    """
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        return p
    order = np.argsort(p, kind="stable")
    # The k-th smallest of m p-values times (m - k), never below the one before it.
    stepped = np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def combined_tests(parts: list[tuple[dict[str, str], dict]], *,
                   label: dict[str, str]) -> dict | None:
    """One result for a comparison tested part by part (per stage, per scale).

    ``parts`` pairs each part's label ({"da", "en"}) with its `independence_test`
    result (None where there was nothing to compare). The p-values are
    Holm-adjusted; the result's ``p`` is the smallest adjusted one, and its
    sentence names the part it comes from when that is below `ALPHA`.
    """
    tested = [(where, r) for where, r in parts if r is not None]
    if not tested:
        return None
    adjusted = holm([r["p"] for _, r in tested])
    best = int(np.argmin(adjusted))
    p = float(adjusted[best])
    detail = [{**r, "part": where, "p_holm": float(a)}
              for (where, r), a in zip(tested, adjusted, strict=True)]
    if len(tested) == 1:
        return {**tested[0][1], "parts": detail}
    return {
        "name": f"{tested[0][1]['name'].split(' (')[0]}, one per part, Holm-adjusted",
        "statistic": float(tested[best][1]["statistic"]), "p": p,
        "n": max(r["n"] for _, r in tested), "parts": detail,
        "sentence": sentence(p, label=label, where=tested[best][0], adjusted=True),
    }


def adjusted_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Haberman's adjusted residual of every cell (statsmodels ``Table.standardized_resids``).

    Rows and columns without counts get missing residuals (there is nothing to
    expect there).

    Examples
    --------
    >>> t = pd.DataFrame([[8, 2], [1, 9]], index=["a", "b"], columns=["x", "y"])
    >>> adjusted_residuals(t).round(2).loc["a", "x"]
    np.float64(3.15)
    """
    from statsmodels.stats.contingency_tables import Table

    values = table.to_numpy(dtype=float)
    rows, cols = values.sum(axis=1) > 0, values.sum(axis=0) > 0
    out = pd.DataFrame(np.nan, index=table.index, columns=table.columns)
    if rows.sum() >= 2 and cols.sum() >= 2:
        inner = values[rows][:, cols]
        out.iloc[np.flatnonzero(rows), np.flatnonzero(cols)] = np.asarray(
            Table(inner, shift_zeros=False).standardized_resids)
    return out


# -- agreement between coders ---------------------------------------------------------

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
