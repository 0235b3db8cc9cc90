"""The synergy-potential ranking: the deck's four criteria as stated formulas, with uncertainty.

The deck picks the services with the largest synergy potential between library
and borgerservice "by judgement", on four criteria: offered at the most places,
the most users, relevant and well-delimited user groups, obvious links to the
library. Here each criterion is a score in [0, 1] per service with a formula a
reader can recompute by hand, the total is a weighted mean of the four, the
rank follows from the total, and a bootstrap over the interviews says how
sure each rank is. Every service with at least one interview is ranked.

reach: offered at the most places
    ``reach_low = Σ_sites d / K`` with every blank desk cell of ``services.csv``
    counted as not offered, ``reach_high`` with every blank counted as offered,
    and ``reach = (reach_low + reach_high) / 2``: a blank cell means the deck
    says nothing, so it counts as unknown (half), never as "not offered". ``d``
    is the weight of the desk (1 for ``fuld``, ``light`` and ``bibliotek``, 0
    for ``ingen``; ``desk_weights`` changes them), ``K`` the number of sites.

    *Example, flytning*: fuld, fuld, fuld and blank (Glumsø) give
    reach_low = 3/4, reach_high = 4/4, reach = 0.875.

users: the most users
    ``n_s / max_t n_t``: interviews about the service against the service with
    the most, one scale for every service. The deck's own usage figures
    (``usage_rank``, ``usage_count / usage_total``) are shown beside it, not
    mixed in: an ordinal rank and a share of visits are not on that scale.

    *Example, kørekort*: 9 interviews, pas has the most (15): users = 9/15 = 0.60.

groups: relevant and well-delimited user groups
    For each group *g* (a value of a profile dimension: age band, life
    situation, competence), counted per interview (an interview with two life
    situations is in both groups, once each):

    - ``n``: the service's interviews coded on the dimension, ``x`` those in *g*;
    - ``p``: the share of the other services' interviews (coded on the
      dimension) in *g*, the base rate;
    - ``p̃ = (x + m·p) / (n + m)``: the service's share shrunk toward the base
      rate, as if ``m`` more interviews (``shrinkage``, default 2) looked like
      the rest of the sample;
    - ``score_g = max(0, (p̃ − p) / max(1 − p, ½))``: how far the users
      concentrate in *g* beyond the base rate, as a share of the most they
      could; a group held by more than half of the rest delimits less (it is
      measured against ½), and a group everyone belongs to delimits nothing (0).

    ``groups = max_g score_g`` over the *relevant* groups: where the service's
    library offers name the groups they serve (``groups`` column of
    ``library_offers.csv``, e.g. ``life_situation:pensionist``), only those
    count; where they name none, every group does. When all *n* agree on *g*
    (``x = n``) and ``p < ½`` the score is ``n / (n + m)``: one interview scores
    at most 1/3, two at most 1/2, twelve 6/7; one interview can never score as
    high as a dozen that agree. The table reports the dominant group
    (``group``, ``group_dimension``) with ``group_n``, ``group_share`` (x/n)
    and ``group_base`` (p).

    *Example, kørekort*: its offers name two groups, pensioners and new
    residents (``ophold``). 7 of its 9 interviews are coded on life situation,
    6 of them pensioners; 8 of the other 26 coded interviews are: p = 0.31,
    p̃ = (6 + 2·0.31)/(7 + 2) = 0.735, score = (0.735 − 0.31)/(1 − 0.31) = 0.62.
    Pas: all 15 travel abroad (its offers' group), none of the other 18 coded:
    p = 0, groups = 15/17 = 0.88.

links: obvious links to the library
    ``½ · L_s / max_t L_t + ½ · k_s / 4``: ``L_s`` distinct library offers linked
    to *s* (``library_offers.csv``), ``k_s`` distinct kinds among them
    (physical, digital, event, guidance). The deck lists offers only for the
    services it picked, so this criterion is partly circular.

    *Example, pas*: 6 offers (the most) of 2 kinds: links = ½·6/6 + ½·2/4 = 0.75.

total
    ``Σ_c w_c · score_c / Σ_c w_c`` (default: equal weights). *Example, pas*:
    (1 + 1 + 0.88 + 0.75)/4 = 0.91. Ranks are competition ranks (1, 2, 2, 4) of
    the total, higher first; totals equal to 12 decimals tie. A service with
    fewer than ``min_interviews`` interviews (default 1) is not ranked
    (``too_little_data``): with no interview there is no user to weigh.

Uncertainty
    `rank_services` resamples the interviews with replacement ``n_boot`` times
    (seeded), scores and ranks again, and reports the 5th and 95th percentiles
    of each service's total (``total_low``, ``total_high``) and rank
    (``rank_low``, ``rank_high``). Services whose rank intervals overlap are
    tied within uncertainty: ``tier`` numbers the blocks whose order is clear
    (every interval of a tier ends before every interval of the next starts),
    and the chart draws only those boundaries. `rank_sensitivity` ranks again
    under random weightings (Dirichlet, seeded); `leave_one_site_out` without
    each site's interviews and desk column, and names the services that lose
    their rank.

Agreement with the deck (`deck_agreement`, `describe_agreement`)
    The deck's pick has eight entries, one a group (HJÆLP TIL SELVBETJENING =
    nemid, sundhedskort, skat; ``deck_group`` in ``services.csv``), counted in
    the top *k* when its best member is. Only entries the data can judge (a
    member has interviews) are counted, among the services that could rank; the
    others are named. The count comes with what a random order would give and
    the range other weightings give, so a count every weighting produces is
    never presented as agreement.

Illustrative codings: ``groups`` rests on the profile dimensions; where the
codebook marks them as illustrative, the table's ``attrs["illustrative"]``
names them and the chart prints the caveat.
"""

from __future__ import annotations

from synergi_analysis.ranking._criteria import (
    CRITERIA,
    DEFAULT_SEED,
    DESK_WEIGHTS,
    MIN_INTERVIEWS,
    PROFILES,
    SHRINKAGE,
    parse_weights,
)
from synergi_analysis.ranking._deck import deck_agreement, describe_agreement
from synergi_analysis.ranking._uncertainty import (
    N_BOOT,
    leave_one_site_out,
    rank_sensitivity,
    rank_services,
)
from synergi_analysis.validate import OFFER_KINDS

__all__ = [
    "CRITERIA",
    "DEFAULT_SEED",
    "DESK_WEIGHTS",
    "MIN_INTERVIEWS",
    "N_BOOT",
    "OFFER_KINDS",
    "PROFILES",
    "SHRINKAGE",
    "deck_agreement",
    "describe_agreement",
    "leave_one_site_out",
    "parse_weights",
    "rank_sensitivity",
    "rank_services",
]
