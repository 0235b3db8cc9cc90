"""The ranking with its uncertainty: bootstrap over interviews, weightings, sites left out."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from synergi_analysis.codebook import Codebook
from synergi_analysis.ranking._criteria import (
    CRITERIA,
    DEFAULT_SEED,
    MIN_INTERVIEWS,
    PROFILES,
    SHRINKAGE,
    _check_int,
    _competition_rank,
    _design,
    _illustrative,
    _Inputs,
    _inputs,
    _options,
    _ranked,
    _score,
    _totals,
    parse_weights,
)
from synergi_analysis.study import Study

#: Bootstrap resamples of the interviews behind each interval.
N_BOOT = 1000
#: The percentiles of the intervals: 5th and 95th.
INTERVAL = (5.0, 95.0)


def _check_seed(seed) -> None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"seed must be a whole number or None, not {seed!r}")


def _bootstrap(inp: _Inputs, ranked: pd.DataFrame, *, weights, sites, profiles, desk_weights,
               shrinkage, n_boot: int, seed) -> pd.DataFrame:
    """``total_low/high``, ``rank_low/high`` and ``tier`` of the ranked services.

    Each resample draws the study's interviews with replacement (a multinomial
    count per interview, seeded), scores every service again and ranks the
    services ranked on the whole data. A service a resample leaves without
    interviews scores 0 on ``users`` and ``groups`` there: that is its luck.
    """
    design = _design(inp, sites=sites, profiles=profiles, desk_weights=desk_weights,
                     shrinkage=shrinkage)
    n_iv = len(inp.interviews)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n_iv, np.full(n_iv, 1 / n_iv), size=n_boot).astype(float) \
        if n_iv else np.zeros((n_boot, 0))
    totals = _totals(design, _score(design, draws), weights)  # draws × services
    keys = list(design.services)
    mask = ranked["rank"].notna().to_numpy()
    columns = [keys.index(s) for s in ranked.loc[mask, "service"]]
    sub = totals[:, columns]
    ranks = _competition_rank(sub.T).T  # draws × ranked services
    out = pd.DataFrame(index=ranked.index, columns=["total_low", "total_high", "rank_low",
                                                    "rank_high"], dtype=float)
    if len(columns):
        out.loc[mask, "total_low"] = np.percentile(sub, INTERVAL[0], axis=0)
        out.loc[mask, "total_high"] = np.percentile(sub, INTERVAL[1], axis=0)
        # Observed ranks, not interpolated ones: a rank interval holds whole ranks.
        out.loc[mask, "rank_low"] = np.percentile(ranks, INTERVAL[0], axis=0,
                                                  method="inverted_cdf")
        out.loc[mask, "rank_high"] = np.percentile(ranks, INTERVAL[1], axis=0,
                                                   method="inverted_cdf")
    result = pd.DataFrame({
        "total_low": out["total_low"].astype(float),
        "total_high": out["total_high"].astype(float),
        "rank_low": pd.array([None if pd.isna(v) else int(v) for v in out["rank_low"]],
                             dtype="Int64"),
        "rank_high": pd.array([None if pd.isna(v) else int(v) for v in out["rank_high"]],
                              dtype="Int64"),
    }, index=ranked.index)
    result["tier"] = _tiers(result["rank_low"], result["rank_high"])
    return result


def _tiers(low: pd.Series, high: pd.Series) -> pd.Series:
    """Tiers of services tied within uncertainty (rows in rank order, unranked last).

    A tier ends after a service when every rank interval above it ends before
    every rank interval below it starts: only between tiers is the order clear.
    """
    ranked = low.notna().to_numpy()
    lo = low[ranked].to_numpy(dtype=float)
    hi = high[ranked].to_numpy(dtype=float)
    tier, current = [], 1
    for i in range(len(lo)):
        tier.append(current)
        if i + 1 < len(lo) and hi[: i + 1].max() < lo[i + 1:].min():
            current += 1
    out = pd.Series(pd.NA, index=low.index, dtype="Int64")
    out[ranked] = tier
    return out


def rank_services(
    data,
    *,
    codebook: Codebook | None = None,
    services: pd.DataFrame | None = None,
    offers: pd.DataFrame | None = None,
    weights: Mapping[str, float] | str | None = None,
    min_interviews: int = MIN_INTERVIEWS,
    profiles: tuple[str, ...] = PROFILES,
    desk_weights: Mapping[str, float] | None = None,
    shrinkage: float = SHRINKAGE,
    n_boot: int = N_BOOT,
    seed: int | None = DEFAULT_SEED,
    lang: str | None = None,
) -> pd.DataFrame:
    """Score every service on the deck's four criteria, rank them, and say how sure that is.

    The formulas, with a worked example each, are in the module's docstring
    (``help(synergi_analysis.ranking)``).

    Parameters
    ----------
    data : Study or pandas.DataFrame
        A `Study` (its interviews, codebook, ``services`` and ``library_offers``
        tables are used), or an interview frame; then give ``codebook`` and
        ``services`` (and ``offers``) too.
    codebook : Codebook, optional
        Names the sites, services and profile dimensions.
    services : pandas.DataFrame, optional
        The ``services.csv`` table as read (text cells): ``service``, one desk
        column per codebook site, optional ``usage_rank``, ``usage_count``,
        ``usage_total``, ``deck_pick``, ``deck_group``.
    offers : pandas.DataFrame, optional
        The ``library_offers.csv`` table: ``service``, ``offer``, ``kind`` and
        optionally ``groups`` (the groups an offer serves, ``dimension:value``
        joined by ``;``). ``None`` with an interview frame means no links.
    weights : mapping or str, optional
        Criterion weights (see `parse_weights`); default equal.
    min_interviews : int
        A service with fewer interviews is not ranked (default 1: every service
        anyone came for is ranked, with its uncertainty).
    profiles : tuple of str
        The dimensions whose values are the user groups of ``groups``.
    desk_weights : mapping, optional
        Override the ``reach`` weight of a desk, e.g. ``{"light": 0.5}``.
    shrinkage : float
        How many interviews the rest of the sample counts as when a service's
        share in a group is shrunk toward it (``m`` in the formula; default 2).
    n_boot : int
        Bootstrap resamples of the interviews behind the intervals.
    seed : int or None
        Seed of the resamples: the same seed gives the same table.
    lang : {"da", "en"}, optional
        Language of the service and group labels; default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per codebook service, ranked services first (by rank, ties in
        codebook order), then the unranked ones in codebook order. Columns:

        - ``rank`` (Int64, missing when unranked), ``service`` (key), ``label``;
        - ``reach``, ``users``, ``groups`` (missing when unranked), ``links``:
          the criteria, each in [0, 1]; ``total``: their weighted mean;
        - ``total_low``, ``total_high``, ``rank_low``, ``rank_high``: the 5th and
          95th percentiles over the bootstrap resamples; ``tier`` (Int64): services
          in one tier are tied within uncertainty (only the tiers are ordered);
        - ``interviews``: interviews about the service;
        - ``reach_low``, ``reach_high``: the range ``reach`` could take if every
          blank desk cell were "not offered" or "offered";
        - ``usage_rank`` (Int64), ``usage_share``: the deck's usage figures, shown
          as they are (not part of any score);
        - ``group``, ``group_dimension``: the user group that gave ``groups``
          (its label and dimension), ``group_n`` (the service's interviews coded
          on that dimension), ``group_share`` (share of them in the group),
          ``group_base`` (share of the other services' interviews in it);
        - ``n_offers``, ``n_kinds``, ``offers``: the linked library offers;
        - ``deck_pick`` (bool), ``deck_group`` (the deck's entry it belongs to,
          ``""`` if not picked), ``too_little_data`` (bool: not ranked).

        ``attrs``: ``kind="ranking"``, ``lang``, ``weights``, ``min_interviews``,
        ``shrinkage``, ``n_boot``, ``seed``, ``illustrative`` (the marked profile
        dimensions ``groups`` rests on, with their notes), ``illustrative_criteria``
        (``{"groups": [...]}``) and ``labels``.

    Raises
    ------
    ValueError
        Invalid weights or options.
    StudyError
        The study has no ``services.csv`` or ``library_offers.csv``, or they break
        their format (`ValidationError`, listing every problem).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> ranking = rank_services(load_study())
    >>> cols = ["rank", "label", "total", "total_low", "total_high", "rank_low", "rank_high",
    ...         "tier"]
    >>> print(ranking.loc[:2, cols].round(2).to_string(index=False))
     rank               label  total  total_low  total_high  rank_low  rank_high  tier
        1                 Pas   0.91       0.85        0.91         1          1     1
        2            Kørekort   0.73       0.60        0.86         2          3     2
        3 Indrejse fra Udland   0.55       0.45        0.65         3          9     2
    """
    inp = _inputs(data, codebook, services, offers)
    lang = lang or (data.lang if isinstance(data, Study) else "da")
    weights = parse_weights(weights)
    n_boot = _check_int("n_boot", n_boot, 1)
    _check_seed(seed)
    opts = _options(inp.codebook, profiles=profiles, min_interviews=min_interviews,
                    desk_weights=desk_weights, lang=lang, shrinkage=shrinkage)
    sites = inp.codebook.keys("site")
    table = _ranked(inp, weights=weights, sites=sites, **opts)
    spread = _bootstrap(inp, table, weights=weights, sites=sites, profiles=opts["profiles"],
                        desk_weights=opts["desk_weights"], shrinkage=opts["shrinkage"],
                        n_boot=n_boot, seed=seed)
    at = table.columns.get_loc("total") + 1
    for i, column in enumerate(spread.columns):
        table.insert(at + i, column, spread[column])
    marked, criteria = _illustrative(inp.codebook, opts["profiles"], lang)
    # What the chart needs travels with the table: the bars' segments are w_c · score_c / Σ w.
    table.attrs = {"kind": "ranking", "lang": lang, "weights": weights,
                   "min_interviews": opts["min_interviews"], "shrinkage": opts["shrinkage"],
                   "n_boot": n_boot, "seed": seed, "illustrative": marked,
                   "illustrative_criteria": criteria,
                   "labels": {d: inp.codebook.dimension_label(d, lang=lang) for d in marked}}
    return table


def rank_sensitivity(
    data,
    *,
    codebook: Codebook | None = None,
    services: pd.DataFrame | None = None,
    offers: pd.DataFrame | None = None,
    weights: Mapping[str, float] | str | None = None,
    top: int = 3,
    n_draws: int = 2000,
    seed: int | None = DEFAULT_SEED,
    alpha: float = 1.0,
    min_interviews: int = MIN_INTERVIEWS,
    profiles: tuple[str, ...] = PROFILES,
    desk_weights: Mapping[str, float] | None = None,
    shrinkage: float = SHRINKAGE,
    lang: str | None = None,
) -> pd.DataFrame:
    """How much the ranking depends on the weights: rank again under random weights.

    Draws ``n_draws`` weight vectors from a Dirichlet distribution with every
    parameter ``alpha`` (1: every weighting equally likely) with a seeded numpy
    `~numpy.random.Generator`, ranks the ranked services under each, and
    summarises each service's ranks. The scores themselves do not change.

    Parameters
    ----------
    data, codebook, services, offers, min_interviews, profiles, desk_weights, shrinkage, lang
        As for `rank_services`.
    weights : mapping or str, optional
        The weights of the reference ``rank`` column (default equal).
    top : int
        The *k* of ``top_share``.
    n_draws : int
        Number of weight vectors drawn.
    seed : int or None
        Seed of the generator; the same seed gives the same table. ``None``
        draws fresh randomness.
    alpha : float
        The Dirichlet parameter (> 0), the same for every criterion.

    Returns
    -------
    pandas.DataFrame
        One row per ranked service (unranked services are left out), in the order
        of ``rank``: ``service``, ``label``, ``rank`` (Int64, at ``weights``),
        ``top_share`` (share of draws in which its rank is ``top`` or better),
        ``rank_min``, ``rank_median``, ``rank_max`` (over the draws; the median
        may be a half). ``attrs`` holds ``top``, ``n_draws``, ``seed``, ``alpha``
        and the ranking's ``illustrative`` caveat.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = rank_sensitivity(load_study(), n_draws=200)
    >>> print(table[["label", "rank", "rank_min", "rank_max"]].head(3).to_string(index=False))
                  label  rank  rank_min  rank_max
                    Pas     1         1         2
               Kørekort     2         2         6
    Indrejse fra Udland     3         1         8
    """
    inp = _inputs(data, codebook, services, offers)
    lang = lang or (data.lang if isinstance(data, Study) else "da")
    weights = parse_weights(weights)
    top = _check_int("top", top, 1)
    n_draws = _check_int("n_draws", n_draws, 1)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not (
            math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a positive number, not {alpha!r}")
    _check_seed(seed)
    opts = _options(inp.codebook, profiles=profiles, min_interviews=min_interviews,
                    desk_weights=desk_weights, lang=lang, shrinkage=shrinkage)
    ranking = _ranked(inp, weights=weights, sites=inp.codebook.keys("site"), **opts)
    ranking = ranking[~ranking["too_little_data"]].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    draws = rng.dirichlet(np.full(len(CRITERIA), float(alpha)), size=n_draws)
    scores = ranking[list(CRITERIA)].to_numpy(dtype=float)
    ranks = _competition_rank(scores @ draws.T)  # services × draws
    table = pd.DataFrame({
        "service": ranking["service"],
        "label": ranking["label"],
        "rank": ranking["rank"],
        "top_share": (ranks <= top).mean(axis=1) if len(ranking) else [],
        "rank_min": ranks.min(axis=1).astype("int64") if len(ranking) else [],
        "rank_median": np.median(ranks, axis=1) if len(ranking) else [],
        "rank_max": ranks.max(axis=1).astype("int64") if len(ranking) else [],
    })
    marked, criteria = _illustrative(inp.codebook, opts["profiles"], lang)
    # What the shares mean travels with the table, for charts' labels.
    table.attrs = {"kind": "rank_sensitivity", "lang": lang, "weights": weights,
                   "top": top, "n_draws": n_draws, "seed": seed, "alpha": float(alpha),
                   "illustrative": marked, "illustrative_criteria": criteria,
                   "labels": {d: inp.codebook.dimension_label(d, lang=lang) for d in marked}}
    return table


def leave_one_site_out(
    data,
    *,
    codebook: Codebook | None = None,
    services: pd.DataFrame | None = None,
    offers: pd.DataFrame | None = None,
    weights: Mapping[str, float] | str | None = None,
    min_interviews: int = MIN_INTERVIEWS,
    profiles: tuple[str, ...] = PROFILES,
    desk_weights: Mapping[str, float] | None = None,
    shrinkage: float = SHRINKAGE,
    lang: str | None = None,
) -> pd.DataFrame:
    """How much each site drives the ranking: rank again without each site in turn.

    For every site of the codebook, its interviews and its desk column in the
    services table are removed and every score is computed afresh (``reach``
    then averages over the other sites; the normalisations of ``users`` and
    ``links`` use what is left).

    Parameters
    ----------
    data, codebook, services, offers, weights, min_interviews, profiles, desk_weights
        As for `rank_services`.
    shrinkage, lang
        As for `rank_services`.

    Returns
    -------
    pandas.DataFrame
        One row per service ranked on all the data, in the order of ``rank``:
        ``service``, ``label``, ``rank`` (Int64, all data), one column
        ``without_<site key>`` per site (Int64: the rank without that site;
        missing when the service then has too few interviews), ``max_shift``
        (Int64: the largest absolute change of rank over the sites where it
        stays ranked), ``lost_without`` (labels of the sites without which it
        loses its rank, joined by ``", "``). ``attrs`` carries the caveat: the
        site of most interviews is illustrative in the shipped study.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = leave_one_site_out(load_study())
    >>> table.set_index("service").loc["indrejse", "lost_without"]
    'Næstved'
    """
    inp = _inputs(data, codebook, services, offers)
    lang = lang or (data.lang if isinstance(data, Study) else "da")
    weights = parse_weights(weights)
    opts = _options(inp.codebook, profiles=profiles, min_interviews=min_interviews,
                    desk_weights=desk_weights, lang=lang, shrinkage=shrinkage)
    cb = inp.codebook
    sites = cb.keys("site")
    full = _ranked(inp, weights=weights, sites=sites, **opts)
    full = full[~full["too_little_data"]].reset_index(drop=True)
    out = full[["service", "label", "rank"]].copy()
    site_col = cb["site"].column
    shift = pd.Series(pd.NA, index=out.index, dtype="Int64")
    lost = [[] for _ in range(len(out))]
    for site in sites:
        keep = inp.interviews[site_col].astype(object) != site
        reduced = _Inputs(inp.interviews[keep.to_numpy()].reset_index(drop=True), cb,
                          inp.services, inp.offers)
        again = _ranked(reduced, weights=weights, sites=[s for s in sites if s != site], **opts)
        rank = out["service"].map(again.set_index("service")["rank"]).astype("Int64")
        out[f"without_{site}"] = rank
        delta = (rank - out["rank"]).abs()
        shift = pd.concat([shift, delta], axis=1).max(axis=1).astype("Int64")
        for i in np.flatnonzero(rank.isna().to_numpy()):
            lost[i].append(cb.label("site", site, lang=lang))
    out["max_shift"] = shift
    out["lost_without"] = [", ".join(x) for x in lost]
    marked, criteria = _illustrative(cb, opts["profiles"], lang, also=["site"])
    out.attrs = {"kind": "leave_one_site_out", "lang": lang, "weights": weights,
                 "illustrative": marked, "illustrative_criteria": criteria,
                 "labels": {d: cb.dimension_label(d, lang=lang) for d in marked}}
    return out
