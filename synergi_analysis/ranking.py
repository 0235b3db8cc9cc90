"""The synergy-potential ranking: the deck's four criteria as stated formulas.

The deck picks the services with the largest synergy potential between library
and borgerservice "by judgement", on four criteria. Here each criterion is a
score in [0, 1] per service with a formula a reader can recompute by hand, the
total is a weighted mean of the four, and the rank follows from the total.

==========  =====================================================================
criterion   score of service *s* (every score lies in [0, 1])
==========  =====================================================================
``reach``   mean over the codebook's sites of the weight of the desk that offers
            *s* there (``services.csv``): 1 for ``fuld``, ``light`` and
            ``bibliotek``, 0 for ``ingen`` and for a blank cell (the data does
            not say it is offered). ``desk_weights`` changes the desk weights.
``users``   mean of the parts the data has for *s*: the interview part
            ``n_s / max_t n_t`` (always; ``n`` = interviews about the service);
            the rank part ``1 - (r_s - 1) / R`` where ``services.csv`` gives a
            usage rank ``r_s`` (``R`` = the largest rank given); the visit-share
            part ``min(1, (count_s / total_s) / (max_t n_t / N))`` where it gives
            a usage figure (``N`` = all interviews): the service's share of visits
            measured against the largest share of interviews any service has.
``groups``  ``max_d (1 - H_d / ln K_d)`` over the profile dimensions *d*
            (age band, life situation, competence): ``H_d`` is the entropy
            ``-Σ p ln p`` of how the service's codings in *d* spread over the
            dimension's ``K_d`` values, so 1 means every interviewee shares one
            value and 0 an even spread. A dimension counts only when at least
            ``min_interviews`` codings of it exist for the service (an interview
            with two life situations counts once in each). The dominant group is
            the most frequent value of the dimension that gives the maximum
            (ties: codebook order, dimensions in ``profiles`` order).
``links``   ``½ · L_s / max_t L_t + ½ · k_s / 4``: ``L_s`` distinct library offers
            linked to *s* (``library_offers.csv``), ``k_s`` distinct kinds among
            them (physical, digital, event, guidance).
``total``   ``Σ_c w_c · score_c / Σ_c w_c``: the weighted mean (default: equal
            weights ``reach=1, users=1, groups=1, links=1``).
==========  =====================================================================

Worked example, pas on the shipped data: offered at all 4 sites, so reach =
4/4 = 1; 15 interviews (the most) and usage rank 1 of 2, so users =
(15/15 + 1)/2 = 1; its concentrations are 0.25 over age bands (1, 1, 9, 2, 2),
0.61 over life situations and 0.65 over competence (14 strong, 1 weak
navigator: 1 - H(14/15, 1/15)/ln 2), so groups = 0.65 with the dominant group
"Navigationsstærk" (14 of 15); 6 offers (the most) of 2 kinds, so links =
½·6/6 + ½·2/4 = 0.75; total = (1 + 1 + 0.65 + 0.75)/4 = 0.85.

Ranks are competition ranks (1, 2, 2, 4) of the total, higher first; totals
equal to 12 decimals tie. A service with fewer than ``min_interviews``
interviews (default 2), or no profile dimension with enough codings, has too
little data for ``groups``: it is flagged ``too_little_data`` and left unranked
(``total`` and ``rank`` missing), never silently ranked. Its other scores are
still shown.

Agreement with the deck (`deck_agreement`): the deck's pick has eight entries,
one of them a group of services (HJÆLP TIL SELVBETJENING = nemid, sundhedskort,
skat; ``deck_group`` in ``services.csv``). A group counts as in the top *k* when
its best-ranked member is, so the count runs over the deck's eight entries.

Robustness: `rank_sensitivity` ranks again under many random weight vectors
(Dirichlet, seeded) and `leave_one_site_out` ranks again without each site's
interviews and offer column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synergi_analysis.codebook import Codebook, _check_lang
from synergi_analysis.errors import StudyError, ValidationError
from synergi_analysis.patterns import crosstab
from synergi_analysis.study import KEYS, Study
from synergi_analysis.validate import OFFER_KINDS, validate_offers, validate_services

__all__ = [
    "CRITERIA",
    "DESK_WEIGHTS",
    "OFFER_KINDS",
    "PROFILES",
    "deck_agreement",
    "describe_agreement",
    "leave_one_site_out",
    "parse_weights",
    "rank_sensitivity",
    "rank_services",
]

CRITERIA = ("reach", "users", "groups", "links")
# The reach of each desk of services.csv (`validate.DESKS`): offered or not.
DESK_WEIGHTS = {"fuld": 1.0, "light": 1.0, "bibliotek": 1.0, "ingen": 0.0}
PROFILES = ("age_band", "life_situation", "competence")
DEFAULT_SEED = 2017
MIN_INTERVIEWS = 2
_DECIMALS = 12


# -- weights ------------------------------------------------------------------------


def parse_weights(weights: Mapping[str, float] | str | None = None) -> dict[str, float]:
    """Check criterion weights and return all four, as floats.

    Parameters
    ----------
    weights : mapping, str or None
        ``{"users": 2}`` or the CLI form ``"reach=1,users=2,groups=1,links=1"``.
        Criteria left out keep the default weight 1; ``None`` gives equal weights.

    Returns
    -------
    dict
        ``{"reach": w, "users": w, "groups": w, "links": w}`` in that order.

    Raises
    ------
    ValueError
        An unknown criterion, a value that is not a finite number, a negative
        weight, a criterion named twice, or all weights zero; the message names it.

    Examples
    --------
    >>> parse_weights("users=2")
    {'reach': 1.0, 'users': 2.0, 'groups': 1.0, 'links': 1.0}
    """
    out = dict.fromkeys(CRITERIA, 1.0)
    if weights is None:
        return out
    if isinstance(weights, str):
        pairs = []
        for part in weights.split(","):
            if not part.strip():
                continue
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(
                    f"weights: {part.strip()!r} is not of the form criterion=number "
                    f"(e.g. 'reach=1,users=2,groups=1,links=1')"
                )
            pairs.append((name.strip(), value.strip()))
    elif isinstance(weights, Mapping):
        pairs = list(weights.items())
    else:
        raise ValueError(f"weights must be a mapping or a string like 'users=2', not {weights!r}")
    seen: set[str] = set()
    for name, value in pairs:
        if name not in CRITERIA:
            raise ValueError(
                f"weights: unknown criterion {name!r}; the criteria are {', '.join(CRITERIA)}"
            )
        if name in seen:
            raise ValueError(f"weights: criterion {name!r} is given twice")
        seen.add(name)
        if isinstance(value, bool):
            raise ValueError(f"weights: {name}={value!r} is not a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"weights: {name}={value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"weights: {name}={value!r} is not a finite number")
        if number < 0:
            raise ValueError(f"weights: {name}={value} is negative; weights must be 0 or more")
        out[name] = number
    if not any(out.values()):
        raise ValueError("weights: all weights are zero; at least one must be positive")
    return out


# -- inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    interviews: pd.DataFrame
    codebook: Codebook
    services: pd.DataFrame  # index: service key; one desk column per site, usage, deck
    offers: pd.DataFrame  # service, offer, kind


def _inputs(data, codebook, services, offers) -> _Inputs:
    if isinstance(data, Study):
        codebook = codebook or data.codebook
        if services is None:
            services = data.table("services")
            if services is None:
                raise StudyError(f"{data.source}: no services.csv; the ranking needs it for "
                                 "the reach criterion and the deck's pick")
        if offers is None:
            offers = data.table("library_offers")
            if offers is None:
                raise StudyError(f"{data.source}: no library_offers.csv; the ranking needs it "
                                 "for the links criterion")
        interviews = data.interviews
    elif isinstance(data, pd.DataFrame):
        interviews = data
        if codebook is None or services is None:
            raise ValueError("rank_services: with an interview frame as data, give codebook= "
                             "and services= too (or pass a Study)")
    else:
        raise ValueError(f"data must be a Study or an interview DataFrame, not "
                         f"{type(data).__name__}")
    if not isinstance(services, pd.DataFrame):
        raise ValueError(f"services must be a DataFrame, not {type(services).__name__}")
    if offers is not None and not isinstance(offers, pd.DataFrame):
        raise ValueError(f"offers must be a DataFrame or None, not {type(offers).__name__}")
    services, problems = validate_services(services, codebook)
    offers, offer_problems = validate_offers(offers, codebook)
    if problems or offer_problems:
        raise ValidationError(problems + offer_problems)
    return _Inputs(interviews, codebook, services, offers)


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of {minimum} or more, not {value!r}")
    return int(value)


# -- the criteria -------------------------------------------------------------------


def _concentration(
    counts: pd.DataFrame, min_codings: int
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """1 - H/ln K per row of a count table, its modal column and that column's share."""
    k = counts.shape[1]
    n = counts.sum(axis=1)
    p = counts.div(n.where(n > 0), axis=0).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
    conc = pd.Series(1.0 - h / math.log(k), index=counts.index)
    conc = conc.where(n >= min_codings)
    arr = counts.to_numpy()
    modal = pd.Series(np.asarray(counts.columns)[arr.argmax(axis=1)], index=counts.index)
    share = pd.Series(arr.max(axis=1) / n.where(n > 0).to_numpy(dtype=float), index=counts.index)
    return conc, modal, share


def _criteria(inp: _Inputs, *, sites: list[str], profiles, min_interviews: int,
              desk_weights: Mapping[str, float], lang: str) -> pd.DataFrame:
    """One row per codebook service: the four scores and what they were computed from."""
    cb, iv, svc, offers = inp.codebook, inp.interviews, inp.services, inp.offers
    keys = cb.keys("service")
    service_col = cb["service"].column
    n = iv[service_col].astype(object).value_counts().reindex(keys, fill_value=0).astype("int64")
    total_n = int(n.sum())
    max_n = int(n.max()) if len(n) else 0

    # reach
    if sites:
        desks = svc[sites].apply(lambda col: col.map(lambda d: desk_weights.get(d, 0.0)))
        reach = desks.astype(float).mean(axis=1)
    else:
        reach = pd.Series(0.0, index=keys)

    # users
    parts = pd.DataFrame(index=keys)
    parts["interviews"] = n / max_n if max_n else 0.0
    rank = svc["usage_rank"].astype(float)
    if rank.notna().any():
        parts["usage_rank"] = 1 - (rank - 1) / rank.max()
    share = svc["usage_count"].astype(float) / svc["usage_total"].astype(float)
    if share.notna().any() and max_n:
        parts["usage_share"] = (share / (max_n / total_n)).clip(upper=1.0)
    users = parts.mean(axis=1, skipna=True)

    # groups
    best = pd.Series(np.nan, index=keys)
    group_dim = pd.Series("", index=keys, dtype=object)
    group_val = pd.Series("", index=keys, dtype=object)
    group_share = pd.Series(np.nan, index=keys)
    for dim in profiles:
        if len(cb.keys(dim)) < 2:
            continue  # one value cannot tell groups apart
        counts = crosstab(iv, codebook=cb, rows="service", columns=dim, lang=KEYS,
                          margins=False)
        conc, modal, modal_share = _concentration(counts, min_interviews)
        better = conc.notna() & (best.isna() | (conc > best + 10 ** -_DECIMALS))
        best = best.where(~better, conc)
        group_dim = group_dim.where(~better, dim)
        group_val = group_val.where(~better, modal)
        group_share = group_share.where(~better, modal_share)
    too_little = (n < min_interviews) | best.isna()
    groups = best.where(~too_little)

    # links
    links_n = offers.groupby("service")["offer"].nunique().reindex(keys, fill_value=0)
    kinds_n = offers.groupby("service")["kind"].nunique().reindex(keys, fill_value=0)
    max_links = int(links_n.max()) if len(links_n) else 0
    links = 0.5 * (links_n / max_links if max_links else 0.0) + 0.5 * kinds_n / len(OFFER_KINDS)
    offer_text = offers.groupby("service")["offer"].agg("; ".join).reindex(keys, fill_value="")

    group_dim = group_dim.where(~too_little, "")
    label = [
        cb.label(d, v, lang=lang) if d else "" for d, v in zip(group_dim, group_val, strict=True)
    ]
    frame = pd.DataFrame({
        "service": keys,
        "label": [cb.label("service", k, lang=lang) for k in keys],
        "reach": reach.to_numpy(dtype=float),
        "users": users.to_numpy(dtype=float),
        "groups": groups.to_numpy(dtype=float),
        "links": links.to_numpy(dtype=float),
        "interviews": n.to_numpy(),
        "group": label,
        "group_dimension": group_dim.to_numpy(dtype=object),
        "group_share": group_share.where(~too_little).to_numpy(dtype=float),
        "n_offers": links_n.to_numpy(dtype="int64"),
        "n_kinds": kinds_n.to_numpy(dtype="int64"),
        "offers": offer_text.to_numpy(dtype=object),
        "deck_pick": svc["deck_pick"].to_numpy(dtype=bool),
        "deck_group": svc["deck_group"].to_numpy(dtype=object),
        "too_little_data": too_little.to_numpy(dtype=bool),
    })
    return frame


def _competition_rank(totals: np.ndarray) -> np.ndarray:
    """1 + how many totals are larger, per column; NaN totals rank NaN and beat no one.

    Works on a vector or on a (services × draws) matrix.
    """
    t = np.round(totals, _DECIMALS)
    greater = (t[np.newaxis, ...] > t[:, np.newaxis, ...]).sum(axis=1)
    return np.where(np.isnan(t), np.nan, greater + 1.0)


def _total_and_rank(
    scores: pd.DataFrame, weights: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    w = np.array([weights[c] for c in CRITERIA], dtype=float)
    s = scores[list(CRITERIA)].to_numpy(dtype=float)
    total = s @ (w / w.sum())
    return total, _competition_rank(total)


def _ranked(inp: _Inputs, *, weights, sites, profiles, min_interviews, desk_weights,
            lang) -> pd.DataFrame:
    frame = _criteria(inp, sites=sites, profiles=profiles, min_interviews=min_interviews,
                      desk_weights=desk_weights, lang=lang)
    total, rank = _total_and_rank(frame, weights)
    frame.insert(6, "total", total)
    frame.insert(0, "rank", pd.array(np.where(np.isnan(rank), None, rank), dtype="Int64"))
    order = np.lexsort((np.arange(len(frame)), np.nan_to_num(rank, nan=np.inf)))
    return frame.iloc[order].reset_index(drop=True)


def _desk_weights(desk_weights) -> dict[str, float]:
    out = dict(DESK_WEIGHTS)
    if desk_weights is None:
        return out
    if not isinstance(desk_weights, Mapping):
        raise ValueError(f"desk_weights must be a mapping such as {{'light': 0.5}}, not "
                         f"{desk_weights!r}")
    for desk, value in desk_weights.items():
        if desk not in DESK_WEIGHTS:
            raise ValueError(f"desk_weights: unknown desk {desk!r}; the desks are "
                             f"{', '.join(DESK_WEIGHTS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f"desk_weights: {desk}={value!r} is not a number from 0 to 1")
        out[desk] = float(value)
    return out


def _options(codebook: Codebook, *, profiles, min_interviews, desk_weights, lang):
    _check_lang(lang)
    min_interviews = _check_int("min_interviews", min_interviews, 1)
    profiles = tuple(profiles)
    for dim in profiles:
        d = codebook[dim]  # raises ValueError naming an unknown dimension
        if d.column is None:
            raise ValueError(f"profiles: dimension {dim!r} has no column in the data")
    return dict(profiles=profiles, min_interviews=min_interviews,
                desk_weights=_desk_weights(desk_weights), lang=lang)


# -- public functions ---------------------------------------------------------------


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
    lang: str | None = None,
) -> pd.DataFrame:
    """Score every service on the deck's four criteria and rank them by the weighted total.

    The formulas are in the table of the module's docstring (`synergi_analysis.ranking`).

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
        The ``library_offers.csv`` table: ``service``, ``offer``, ``kind``.
        ``None`` with an interview frame means no links.
    weights : mapping or str, optional
        Criterion weights (see `parse_weights`); default equal.
    min_interviews : int
        Fewer interviews about a service (or fewer codings of every profile
        dimension) than this is too little data: the service is flagged and not ranked.
    profiles : tuple of str
        The dimensions the ``groups`` criterion looks for concentration in.
    desk_weights : mapping, optional
        Override the ``reach`` weight of a desk, e.g. ``{"light": 0.5}``.
    lang : {"da", "en"}, optional
        Language of the service and group labels; default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per codebook service, ranked services first (by rank, ties in
        codebook order), then the flagged ones in codebook order. Columns:
        ``rank`` (Int64, missing when flagged), ``service`` (key), ``label``,
        ``reach``, ``users``, ``groups`` (missing when flagged), ``links``,
        ``total`` (the weighted mean, missing when flagged), ``interviews``
        (count), ``group`` (label of the dominant user group), ``group_dimension``
        (its dimension), ``group_share`` (share of the service's codings in that
        dimension that have it), ``n_offers``, ``n_kinds`` (distinct linked library
        offers and kinds), ``offers`` (the offers joined by ``"; "``), ``deck_pick``
        (bool), ``deck_group`` (the deck's entry it belongs to, ``""`` if not
        picked), ``too_little_data`` (bool).

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
    >>> cols = ["rank", "label", "reach", "users", "groups", "links", "total"]
    >>> print(ranking.loc[:4, cols].round(2).to_string(index=False))
     rank               label  reach  users  groups  links  total
        1                 Pas    1.0   1.00    0.65   0.75   0.85
        2 Biblioteksbesøgende    1.0   0.47    1.00   0.62   0.77
        3            Kørekort    1.0   0.55    0.83   0.71   0.77
        4              Nem-ID    1.0   0.13    0.57   0.75   0.61
     <NA>                Skat    1.0   0.07     NaN   0.75    NaN
    """
    inp = _inputs(data, codebook, services, offers)
    lang = lang or (data.lang if isinstance(data, Study) else "da")
    weights = parse_weights(weights)
    opts = _options(inp.codebook, profiles=profiles, min_interviews=min_interviews,
                    desk_weights=desk_weights, lang=lang)
    table = _ranked(inp, weights=weights, sites=inp.codebook.keys("site"), **opts)
    # What the chart needs travels with the table: the bars' segments are w_c · score_c / Σ w.
    table.attrs = {"kind": "ranking", "lang": lang, "weights": weights,
                   "min_interviews": opts["min_interviews"]}
    return table


def deck_agreement(ranking: pd.DataFrame, *, top: int | None = None) -> pd.DataFrame:
    """How the deck's own pick fares in a ranking: one row per entry of the deck's pick.

    The deck's pick may hold a group of services (``deck_group``); a group is
    in the top ``top`` when its best-ranked member is. Flagged services have no
    rank, so an entry whose members are all flagged is not in the top.

    Parameters
    ----------
    ranking : pandas.DataFrame
        A table from `rank_services`.
    top : int, optional
        The *k* of "top k"; default: the number of entries in the deck's pick.

    Returns
    -------
    pandas.DataFrame
        ``deck_group`` (key), ``label`` (the member's label for a one-service
        entry, else the key with spaces, capitalised), ``members`` (labels joined
        by ``", "``), ``best_rank`` (Int64, missing when no member is ranked),
        ``in_top`` (bool); entries in the order of their best member in ``ranking``
        (ranked entries by rank, then the unranked). ``result["in_top"].sum()``
        is the agreement.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = deck_agreement(rank_services(load_study()))
    >>> len(table), int(table["in_top"].sum())
    (8, 4)
    """
    picked = ranking.reset_index(drop=True)
    picked = picked[picked["deck_pick"].astype(bool)].copy()
    # Entries follow the ranking's row order: ranked by rank, then the unranked.
    picked["_order"] = picked.index
    rows = []
    for group, members in picked.groupby("deck_group", sort=False):
        ranks = members["rank"].dropna()
        if len(members) == 1 and members["service"].iloc[0] == group:
            label = members["label"].iloc[0]
        else:
            label = str(group).replace("-", " ").replace("_", " ").capitalize()
        rows.append({
            "deck_group": group,
            "label": label,
            "members": ", ".join(members["label"]),
            "best_rank": int(ranks.min()) if len(ranks) else None,
            "_order": members["_order"].min(),
        })
    k = len(rows) if top is None else _check_int("top", top, 1)
    table = pd.DataFrame(rows, columns=["deck_group", "label", "members", "best_rank", "_order"])
    table = table.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    table["best_rank"] = pd.array(table["best_rank"].tolist(), dtype="Int64")
    table["in_top"] = (table["best_rank"] <= k).fillna(False).astype(bool)
    return table


def describe_agreement(agreement: pd.DataFrame, *, lang: str = "da") -> str:
    """The agreement with the deck's pick in one sentence, for reports.

    Parameters
    ----------
    agreement : pandas.DataFrame
        The table `deck_agreement` returns.
    lang : {"da", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> agreement = deck_agreement(rank_services(load_study()))
    >>> describe_agreement(agreement, lang="en")
    "4 of the deck's 8 picks are among the top 8 here."
    """
    _check_lang(lang)
    hits, n = int(agreement["in_top"].sum()), len(agreement)
    if lang == "en":
        return f"{hits} of the deck's {n} picks are among the top {n} here."
    return f"{hits} af slidesættets {n} valg er blandt de {n} øverste her."


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
    lang: str | None = None,
) -> pd.DataFrame:
    """How much the ranking depends on the weights: rank again under random weights.

    Draws ``n_draws`` weight vectors from a Dirichlet distribution with every
    parameter ``alpha`` (1: every weighting equally likely) with a seeded numpy
    `~numpy.random.Generator`, ranks the scored services under each, and
    summarises each service's ranks. The scores themselves do not change.

    Parameters
    ----------
    data, codebook, services, offers, min_interviews, profiles, desk_weights, lang
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
        One row per ranked service (flagged services are left out), in the order
        of ``rank``: ``service``, ``label``, ``rank`` (Int64, at ``weights``),
        ``top_share`` (share of draws in which its rank is ``top`` or better),
        ``rank_min``, ``rank_median``, ``rank_max`` (over the draws; the median
        may be a half). ``attrs`` holds ``top``, ``n_draws``, ``seed`` and ``alpha``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = rank_sensitivity(load_study(), n_draws=200)
    >>> print(table[["label", "rank", "rank_min", "rank_max"]].to_string(index=False))
                  label  rank  rank_min  rank_max
                    Pas     1         1         3
    Biblioteksbesøgende     2         1         4
               Kørekort     3         1         3
                 Nem-ID     4         2         4
    """
    inp = _inputs(data, codebook, services, offers)
    lang = lang or (data.lang if isinstance(data, Study) else "da")
    weights = parse_weights(weights)
    top = _check_int("top", top, 1)
    n_draws = _check_int("n_draws", n_draws, 1)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not (
            math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a positive number, not {alpha!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"seed must be a whole number or None, not {seed!r}")
    opts = _options(inp.codebook, profiles=profiles, min_interviews=min_interviews,
                    desk_weights=desk_weights, lang=lang)
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
    # What the shares mean travels with the table, for charts' labels.
    table.attrs = {"kind": "rank_sensitivity", "lang": lang, "weights": weights,
                   "top": top, "n_draws": n_draws, "seed": seed, "alpha": float(alpha)}
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
    lang: str | None = None,
) -> pd.DataFrame:
    """How much each site drives the ranking: rank again without each site in turn.

    For every site of the codebook, its interviews and its desk column in the
    services table are removed and every score is computed afresh (``reach``
    then averages over the other sites; the normalisations of ``users`` and
    ``links`` use what is left).

    Parameters
    ----------
    data, codebook, services, offers, weights, min_interviews, profiles, desk_weights, lang
        As for `rank_services`.

    Returns
    -------
    pandas.DataFrame
        One row per service ranked on all the data, in the order of ``rank``:
        ``service``, ``label``, ``rank`` (Int64, all data), one column
        ``without_<site key>`` per site (Int64: the rank without that site;
        missing when the service then has too little data), ``max_shift``
        (Int64: the largest absolute change of rank over the sites where it
        stays ranked), ``lost_without`` (labels of the sites without which it
        has too little data, joined by ``", "``).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> table = leave_one_site_out(load_study())
    >>> table.set_index("service").loc["nemid", "lost_without"]
    'Roskilde, Glumsø'
    """
    inp = _inputs(data, codebook, services, offers)
    lang = lang or (data.lang if isinstance(data, Study) else "da")
    weights = parse_weights(weights)
    opts = _options(inp.codebook, profiles=profiles, min_interviews=min_interviews,
                    desk_weights=desk_weights, lang=lang)
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
        reduced = _Inputs(inp.interviews[keep.to_numpy()], cb, inp.services, inp.offers)
        again = _ranked(reduced, weights=weights, sites=[s for s in sites if s != site], **opts)
        rank = out["service"].map(again.set_index("service")["rank"]).astype("Int64")
        out[f"without_{site}"] = rank
        delta = (rank - out["rank"]).abs()
        shift = pd.concat([shift, delta], axis=1).max(axis=1).astype("Int64")
        for i in np.flatnonzero(rank.isna().to_numpy()):
            lost[i].append(cb.label("site", site, lang=lang))
    out["max_shift"] = shift
    out["lost_without"] = [", ".join(x) for x in lost]
    return out
