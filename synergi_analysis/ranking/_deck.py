"""How the deck's own pick fares in a ranking, stated so that the count means something."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synergi_analysis.codebook import _check_lang
from synergi_analysis.ranking._criteria import (
    CRITERIA,
    DEFAULT_SEED,
    _check_int,
    _competition_rank,
)

#: Random weightings the agreement is recounted under, to see whether the weights matter.
N_WEIGHTINGS = 2000


def _entries(ranking: pd.DataFrame) -> list[dict]:
    picked = ranking.reset_index(drop=True)
    picked = picked[picked["deck_pick"].astype(bool)].copy()
    # Entries follow the ranking's row order: ranked by rank, then the unranked.
    picked["_order"] = picked.index
    rows = []
    for group, members in picked.groupby("deck_group", sort=False):
        ranked = members[members["rank"].notna()]
        if len(members) == 1 and members["service"].iloc[0] == group:
            label = members["label"].iloc[0]
        else:
            label = str(group).replace("-", " ").replace("_", " ").capitalize()
        best = ranked.loc[ranked["rank"].idxmin()] if len(ranked) else None
        rows.append({
            "deck_group": group,
            "label": label,
            "members": ", ".join(members["label"]),
            "services": list(members["service"]),
            "judged": len(ranked) > 0,
            "best_rank": None if best is None else int(best["rank"]),
            "rank_low": None if best is None or "rank_low" not in best
            or pd.isna(best["rank_low"]) else int(best["rank_low"]),
            "rank_high": None if best is None or "rank_high" not in best
            or pd.isna(best["rank_high"]) else int(best["rank_high"]),
            "_order": members["_order"].min(),
        })
    return rows


def _chance(entries: list[dict], ranked: list[str], k: int) -> float:
    """Expected entries in the top k if the ranked services were in a random order.

    An entry with m ranked members is in the top k unless all m fall below it:
    ``1 - C(n - m, k) / C(n, k)``.
    """
    n = len(ranked)
    if n == 0:
        return 0.0
    k = min(k, n)
    total = 0.0
    for e in entries:
        m = sum(s in ranked for s in e["services"])
        if m:
            total += 1 - math.comb(n - m, k) / math.comb(n, k)
    return total


def _hits_under_weightings(ranking: pd.DataFrame, entries: list[dict], k: int, *,
                           n_draws: int, seed) -> tuple[int, int]:
    """The fewest and most entries in the top k over random (Dirichlet) weightings."""
    ranked = ranking[ranking["rank"].notna()].reset_index(drop=True)
    if ranked.empty:
        return 0, 0
    draws = np.random.default_rng(seed).dirichlet(np.ones(len(CRITERIA)), size=n_draws)
    ranks = _competition_rank(ranked[list(CRITERIA)].to_numpy(dtype=float) @ draws.T)
    position = {s: i for i, s in enumerate(ranked["service"])}
    hits = np.zeros(n_draws, dtype=int)
    for e in entries:
        rows = [position[s] for s in e["services"] if s in position]
        if rows:
            hits += (ranks[rows].min(axis=0) <= k).astype(int)
    return int(hits.min()), int(hits.max())


def deck_agreement(ranking: pd.DataFrame, *, top: int | None = None,
                   seed: int | None = DEFAULT_SEED) -> pd.DataFrame:
    """How the deck's own pick fares in a ranking: one row per entry of the deck's pick.

    The deck's pick may hold a group of services (``deck_group``); a group is
    in the top *k* when its best-ranked member is. An entry none of whose
    services has an interview cannot be judged by the data: it is listed, and
    left out of the count. The count is put beside what it means: how many
    entries a random order of the ranked services would put in the top *k*,
    and the fewest and most that other weightings of the criteria give (when
    every weighting gives the same count, the count says nothing about the
    criteria's weights).

    Parameters
    ----------
    ranking : pandas.DataFrame
        A table from `rank_services`.
    top : int, optional
        The *k* of "top k"; default: the number of entries the data can judge.
    seed : int or None
        Seed of the random weightings.

    Returns
    -------
    pandas.DataFrame
        ``deck_group`` (key), ``label`` (the member's label for a one-service
        entry, else the key with spaces, capitalised), ``members`` (labels joined
        by ``", "``), ``judged`` (bool: a member has interviews and a rank),
        ``best_rank`` (Int64), ``rank_low``, ``rank_high`` (Int64: the best
        member's rank interval), ``in_top`` (bool); entries in the order of their
        best member in ``ranking``. ``attrs``: ``top`` (k), ``hits`` (judged
        entries in the top k), ``judged``, ``entries``, ``ranked`` (services that
        could rank), ``not_judged`` (labels), ``chance`` (expected hits in a
        random order), ``weightings`` ([fewest, most] hits over random weightings),
        ``lang``, and the ranking's ``illustrative`` caveat.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.ranking import rank_services
    >>> table = deck_agreement(rank_services(load_study(), n_boot=100))
    >>> table.attrs["hits"], table.attrs["judged"], table.attrs["not_judged"]
    (7, 7, ['Vielse'])
    >>> table.attrs["chance"], table.attrs["weightings"]
    (3.48, [4, 7])
    """
    entries = _entries(ranking)
    judged = [e for e in entries if e["judged"]]
    k = len(judged) if top is None else _check_int("top", top, 1)
    ranked = list(ranking.loc[ranking["rank"].notna(), "service"])
    table = pd.DataFrame(entries, columns=["deck_group", "label", "members", "services",
                                           "judged", "best_rank", "rank_low", "rank_high",
                                           "_order"])
    table = table.sort_values("_order", kind="stable").reset_index(drop=True)
    for column in ("best_rank", "rank_low", "rank_high"):
        table[column] = pd.array(table[column].tolist(), dtype="Int64")
    table["in_top"] = (table["best_rank"] <= k).fillna(False).astype(bool)
    table["judged"] = table["judged"].astype(bool)
    weightings = (_hits_under_weightings(ranking, entries, k, n_draws=N_WEIGHTINGS, seed=seed)
                  if k else (0, 0))
    table.attrs = {
        "kind": "deck_agreement", "lang": ranking.attrs.get("lang", "da"), "top": k,
        "hits": int(table["in_top"].sum()), "judged": len(judged), "entries": len(entries),
        "ranked": len(ranked), "not_judged": [e["label"] for e in entries if not e["judged"]],
        "chance": round(_chance(judged, ranked, k), 2), "weightings": list(weightings),
        # The ranking's caveat holds for the comparison too.
        **{key: ranking.attrs[key] for key in ("illustrative", "illustrative_criteria",
                                                "labels") if key in ranking.attrs},
    }
    return table.drop(columns=["_order", "services"])


def describe_agreement(agreement: pd.DataFrame, *, lang: str = "da") -> str:
    """The agreement with the study's own pick in plain words, for reports.

    The sentence speaks of "the study's own picks" (``services.csv``'s
    ``deck_pick``), true of any study that made one; how the study picked is its
    own story (``study.md``).

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
    >>> from synergi_analysis.ranking import rank_services
    >>> agreement = deck_agreement(rank_services(load_study(), n_boot=100))
    >>> print(describe_agreement(agreement, lang="en"))
    7 of the study's own 7 picks that the data can judge are among the top 7 of the 16 \
services that could rank; a random order would put 3.5 there, and other weightings of \
the criteria put 4 to 7. The data cannot judge: Vielse (no interviews).
    """
    _check_lang(lang)
    a = agreement.attrs
    if not a:  # a table made by hand: only the count can be said
        hits, n = int(agreement["in_top"].sum()), len(agreement)
        return (f"{hits} of the study's own {n} picks are among the top {n} here."
                if lang == "en" else
                f"{hits} af undersøgelsens egne {n} valg er blandt de {n} øverste her.")
    lo, hi = a["weightings"]
    chance = f"{a['chance']:.1f}"
    if lang == "en":
        text = (f"{a['hits']} of the study's own {a['judged']} picks that the data can judge "
                f"are among the top {a['top']} of the {a['ranked']} services that could rank; "
                f"a random order would put {chance} there, and ")
        text += (f"other weightings of the criteria put {lo} to {hi}." if lo != hi else
                 f"every weighting of the criteria gives {lo}, so the count says nothing "
                 "about the weights.")
        if a["not_judged"]:
            text += f" The data cannot judge: {', '.join(a['not_judged'])} (no interviews)."
        return text
    chance = chance.replace(".", ",")
    text = (f"{a['hits']} af undersøgelsens egne {a['judged']} valg, som data kan bedømme, er "
            f"blandt de {a['top']} øverste af de {a['ranked']} ydelser, der kunne rangeres; "
            f"en tilfældig rækkefølge ville give {chance}, og ")
    text += (f"andre vægtninger af kriterierne giver {lo} til {hi}." if lo != hi else
             f"alle vægtninger af kriterierne giver {lo}, så tallet siger intet om vægtene.")
    if a["not_judged"]:
        text += f" Data kan ikke bedømme: {', '.join(a['not_judged'])} (ingen interviews)."
    return text
