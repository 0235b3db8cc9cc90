"""The four criteria as formulas: inputs, options, and one scoring of every service.

Everything here works on a vector of interview weights, so the same code scores
the study (every interview once) and each bootstrap resample (an interview drawn
0, 1, 2, ... times). The formulas are stated in `synergi_analysis.ranking`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synergi_analysis._codings import _coded, _values, _wanted, illustrative_of
from synergi_analysis.codebook import Codebook, _check_lang
from synergi_analysis.errors import Problem, StudyError, ValidationError
from synergi_analysis.study import Study
from synergi_analysis.validate import OFFER_KINDS, validate_offers, validate_services

CRITERIA = ("reach", "users", "groups", "links")
# The reach of each desk of services.csv (`validate.DESKS`): offered or not.
DESK_WEIGHTS = {"fuld": 1.0, "light": 1.0, "bibliotek": 1.0, "ingen": 0.0}
PROFILES = ("age_band", "life_situation", "competence")
DEFAULT_SEED = 2017
#: Services with fewer interviews are not ranked: with none there is nothing to weigh.
MIN_INTERVIEWS = 1
#: How many interviews the rest of the sample counts as in a service's shrunk share.
SHRINKAGE = 2.0
#: A group held by more than this share of the rest of the sample is measured against it.
MAJORITY = 0.5
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
    offers: pd.DataFrame  # service, offer, kind (, groups)


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
    return _Inputs(interviews.reset_index(drop=True), codebook, services, offers)


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of {minimum} or more, not {value!r}")
    return int(value)


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


def _options(codebook: Codebook, *, profiles, min_interviews, desk_weights, lang,
             shrinkage=SHRINKAGE):
    _check_lang(lang)
    min_interviews = _check_int("min_interviews", min_interviews, 1)
    profiles = tuple(profiles)
    for dim in profiles:
        d = codebook[dim]  # raises ValueError naming an unknown dimension
        if d.column is None:
            raise ValueError(f"profiles: dimension {dim!r} has no column in the data")
    if isinstance(shrinkage, bool) or not isinstance(shrinkage, (int, float)) or not (
            math.isfinite(shrinkage) and shrinkage > 0):
        raise ValueError(f"shrinkage must be a positive number, not {shrinkage!r}")
    return dict(profiles=profiles, min_interviews=min_interviews,
                desk_weights=_desk_weights(desk_weights), lang=lang, shrinkage=float(shrinkage))


# -- the design: what the criteria are computed from, fixed for every resample --------


@dataclass(frozen=True)
class _Profile:
    """One profile dimension: who has which value, and which values may count per service."""

    name: str
    keys: tuple[str, ...]
    member: np.ndarray  # interviews × values, 1 where the interview has the value
    coded: np.ndarray  # interviews: coded on the dimension at all
    relevant: np.ndarray  # services × values: the value may be the service's group


@dataclass(frozen=True)
class _Design:
    services: tuple[str, ...]
    service_of: np.ndarray  # interviews × services, one-hot
    reach: np.ndarray
    reach_low: np.ndarray
    reach_high: np.ndarray
    links: np.ndarray
    profiles: tuple[_Profile, ...]
    shrinkage: float


def _relevant_groups(inp: _Inputs, profiles) -> dict[str, set[tuple[str, str]]]:
    """Per service, the (dimension, key) groups its library offers say they serve.

    ``library_offers.csv`` may have a ``groups`` column: ``dimension:value``
    entries (keys or labels) joined by ``;``. A service none of whose offers
    names a group keeps every group (the data says nothing about relevance).
    """
    offers, cb = inp.offers, inp.codebook
    out: dict[str, set[tuple[str, str]]] = {}
    if "groups" not in offers.columns:
        return out
    problems = []
    for i, (service, cell) in enumerate(zip(offers["service"], offers["groups"], strict=True)):
        text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)
        for entry in (e.strip() for e in text.split(";")):
            if not entry:
                continue
            dim, sep, value = entry.partition(":")
            if not sep or dim.strip() not in profiles:
                problems.append(Problem(
                    "library_offers.csv", None, "groups",
                    f"offer {offers['offer'].iloc[i]!r}: group {entry!r} is not "
                    f"dimension:value with a dimension of {', '.join(profiles)}"))
                continue
            try:
                keys = _wanted(cb, dim.strip(), "groups", value.strip())
            except ValueError as exc:
                problems.append(Problem("library_offers.csv", None, "groups",
                                        f"offer {offers['offer'].iloc[i]!r}: {exc}"))
                continue
            out.setdefault(service, set()).update((dim.strip(), k) for k in keys)
    if problems:
        raise ValidationError(problems)
    return out


def _design(inp: _Inputs, *, sites, profiles, desk_weights, shrinkage) -> _Design:
    cb, iv, svc, offers = inp.codebook, inp.interviews, inp.services, inp.offers
    keys = tuple(cb.keys("service"))
    column = cb["service"].column
    service_of = (iv[column].astype(object).to_numpy()[:, None]
                  == np.array(keys, dtype=object)[None, :]).astype(float)

    # reach: a blank desk is unknown, so the score is a range and its midpoint.
    if sites:
        cells = svc[list(sites)]
        known = cells.map(lambda d: d in desk_weights).to_numpy()
        weight = cells.map(lambda d: desk_weights.get(d, 0.0)).to_numpy(dtype=float)
        low = weight.sum(axis=1) / len(sites)
        high = (weight.sum(axis=1) + (~known).sum(axis=1)) / len(sites)
    else:
        low = high = np.zeros(len(keys))
    reach = (low + high) / 2

    # links: how many offers, and of how many kinds.
    n_offers = offers.groupby("service")["offer"].nunique().reindex(keys, fill_value=0)
    n_kinds = offers.groupby("service")["kind"].nunique().reindex(keys, fill_value=0)
    most = int(n_offers.max()) if len(n_offers) else 0
    links = (0.5 * (n_offers / most if most else 0.0)
             + 0.5 * n_kinds / len(OFFER_KINDS)).to_numpy(dtype=float)

    relevant = _relevant_groups(inp, profiles)
    built = []
    for dim in profiles:
        coded = _coded(cb, dim)
        if len(coded.keys) < 2:
            continue  # one value cannot tell groups apart
        values = _values(iv, cb, dim)
        member = np.zeros((len(iv), len(coded.keys)))
        position = {k: j for j, k in enumerate(coded.keys)}
        member[values.index.to_numpy(), values.map(position).to_numpy(dtype=int)] = 1.0
        allowed = np.ones((len(keys), len(coded.keys)), dtype=bool)
        for s, service in enumerate(keys):
            named = relevant.get(service)
            if named:
                allowed[s] = [(dim, k) in named for k in coded.keys]
        built.append(_Profile(dim, coded.keys, member, member.any(axis=1), allowed))
    return _Design(keys, service_of, reach, low, high, links, tuple(built), shrinkage)


# -- scoring --------------------------------------------------------------------------


def _score(design: _Design, w: np.ndarray) -> dict[str, np.ndarray]:
    """Every criterion for every service under interview weights ``w`` (draws × interviews).

    Returns arrays of shape (draws, services); ``group_*`` say which group gave
    ``groups`` (its profile's index, the value's index, n, share and base).
    """
    w = np.atleast_2d(w)
    n = w @ design.service_of  # draws × services
    most = n.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        users = np.where(most > 0, n / most, 0.0)
    m = design.shrinkage
    draws, services = n.shape
    best = np.zeros((draws, services))
    best_profile = np.full((draws, services), -1)
    best_value = np.zeros((draws, services), dtype=int)
    best_n = np.zeros((draws, services))
    best_share = np.full((draws, services), np.nan)
    best_base = np.full((draws, services), np.nan)
    for d, prof in enumerate(design.profiles):
        # x: interviews of the service in each group; k: of the service coded on d.
        x = np.einsum("bi,is,ig->bsg", w, design.service_of, prof.member)
        k = np.einsum("bi,is,i->bs", w, design.service_of, prof.coded)
        total_x = (w @ prof.member)[:, None, :]
        total_k = (w @ prof.coded)[:, None]
        rest_k = total_k - k
        with np.errstate(divide="ignore", invalid="ignore"):
            base = np.where(rest_k[..., None] > 0, (total_x - x) / rest_k[..., None], np.nan)
            shrunk = (x + m * base) / (k[..., None] + m)
            score = (shrunk - base) / np.maximum(1 - base, MAJORITY)
            share = np.where(k[..., None] > 0, x / k[..., None], np.nan)
        score = np.where(np.isfinite(score) & prof.relevant[None], np.clip(score, 0, 1), -1.0)
        top = score.argmax(axis=2)
        value = np.take_along_axis(score, top[..., None], axis=2)[..., 0]
        better = value > best + 10 ** -_DECIMALS
        best = np.where(better, value, best)
        best_profile = np.where(better, d, best_profile)
        best_value = np.where(better, top, best_value)
        best_n = np.where(better, k, best_n)
        best_share = np.where(better, np.take_along_axis(share, top[..., None], 2)[..., 0],
                              best_share)
        best_base = np.where(better, np.take_along_axis(base, top[..., None], 2)[..., 0],
                             best_base)
    return {"n": n, "users": users, "groups": best, "group_profile": best_profile,
            "group_value": best_value, "group_n": best_n, "group_share": best_share,
            "group_base": best_base}


def _totals(design: _Design, scores: dict, weights: dict[str, float]) -> np.ndarray:
    """The weighted mean of the four criteria (draws × services)."""
    w = np.array([weights[c] for c in CRITERIA], dtype=float)
    w = w / w.sum()
    return (w[0] * design.reach[None, :] + w[1] * scores["users"] + w[2] * scores["groups"]
            + w[3] * design.links[None, :])


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
    """Weighted mean and rank of a table of criterion scores (rows: services)."""
    w = np.array([weights[c] for c in CRITERIA], dtype=float)
    s = scores[list(CRITERIA)].to_numpy(dtype=float)
    total = s @ (w / w.sum())
    return total, _competition_rank(total)


def _criteria_frame(inp: _Inputs, design: _Design, *, min_interviews: int,
                    lang: str) -> pd.DataFrame:
    """One row per codebook service: the four scores and what they were computed from."""
    cb, svc, offers = inp.codebook, inp.services, inp.offers
    keys = list(design.services)
    s = _score(design, np.ones(len(inp.interviews)))
    n = s["n"][0].astype("int64")
    too_little = n < min_interviews
    group_label, group_dim = [], []
    for j in range(len(keys)):
        d = int(s["group_profile"][0, j])
        if too_little[j] or d < 0:
            group_label.append("")
            group_dim.append("")
            continue
        prof = design.profiles[d]
        group_label.append(cb.label(prof.name, prof.keys[int(s["group_value"][0, j])],
                                    lang=lang))
        group_dim.append(prof.name)
    usage_rank = pd.to_numeric(svc["usage_rank"], errors="coerce")
    usage_share = (pd.to_numeric(svc["usage_count"], errors="coerce")
                   / pd.to_numeric(svc["usage_total"], errors="coerce"))
    offer_text = offers.groupby("service")["offer"].agg("; ".join).reindex(keys, fill_value="")
    has_group = np.array([g != "" for g in group_dim])
    return pd.DataFrame({
        "service": keys,
        "label": [cb.label("service", k, lang=lang) for k in keys],
        "reach": design.reach,
        "users": s["users"][0],
        "groups": np.where(too_little, np.nan, s["groups"][0]),
        "links": design.links,
        "interviews": n,
        "reach_low": design.reach_low,
        "reach_high": design.reach_high,
        "usage_rank": pd.array(usage_rank.reindex(keys).tolist(), dtype="Int64"),
        "usage_share": usage_share.reindex(keys).to_numpy(dtype=float),
        "group": group_label,
        "group_dimension": group_dim,
        "group_n": np.where(has_group, s["group_n"][0], 0).astype("int64"),
        "group_share": np.where(has_group, s["group_share"][0], np.nan),
        "group_base": np.where(has_group, s["group_base"][0], np.nan),
        "n_offers": offers.groupby("service")["offer"].nunique().reindex(keys, fill_value=0)
        .to_numpy(dtype="int64"),
        "n_kinds": offers.groupby("service")["kind"].nunique().reindex(keys, fill_value=0)
        .to_numpy(dtype="int64"),
        "offers": offer_text.to_numpy(dtype=object),
        "deck_pick": svc["deck_pick"].reindex(keys).to_numpy(dtype=bool),
        "deck_group": svc["deck_group"].reindex(keys).to_numpy(dtype=object),
        "too_little_data": too_little,
    })


def _ranked(inp: _Inputs, *, weights, sites, profiles, min_interviews, desk_weights, lang,
            shrinkage=SHRINKAGE) -> pd.DataFrame:
    """Score and rank every service (no uncertainty): what every public function starts from."""
    design = _design(inp, sites=sites, profiles=profiles, desk_weights=desk_weights,
                     shrinkage=shrinkage)
    frame = _criteria_frame(inp, design, min_interviews=min_interviews, lang=lang)
    total, _ = _total_and_rank(frame, weights)
    total = np.where(frame["too_little_data"], np.nan, total)
    rank = _competition_rank(total)
    frame.insert(6, "total", total)
    frame.insert(0, "rank", pd.array(np.where(np.isnan(rank), None, rank), dtype="Int64"))
    order = np.lexsort((np.arange(len(frame)), np.nan_to_num(rank, nan=np.inf)))
    return frame.iloc[order].reset_index(drop=True)


def _illustrative(codebook: Codebook, profiles, lang: str, *, also=()) -> tuple[dict, dict]:
    """The ranking's caveat: the marked dimensions it rests on, and the criteria using them.

    ``groups`` rests on the profile dimensions; ``also`` names others the table
    rests on outside the criteria (the sites left out, say).
    """
    marked = illustrative_of(codebook, [*profiles, *also], lang)
    in_groups = [d for d in marked if d in profiles]
    return marked, ({"groups": in_groups} if in_groups else {})
