"""Statistics on small counts: Wilson intervals, exact tests, residuals, the sentences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from synergi_analysis import stats


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(3, 10), (0, 4), (5, 5), (14, 38), (1, 1)])
def test_wilson_interval_is_the_wilson_score_interval(k, n):
    low, high = stats.wilson_interval(k, n)
    assert (low[0], high[0]) == pytest.approx(_wilson_by_hand(k, n), abs=1e-9)


def test_wilson_interval_stays_in_range_and_is_missing_without_trials():
    low, high = stats.wilson_interval([0, 2, 0], [5, 2, 0])
    assert low[0] == 0.0 and high[1] == 1.0
    assert np.isnan(low[2]) and np.isnan(high[2])
    # Small n, wide interval: 1 of 2 is compatible with almost anything.
    low, high = stats.wilson_interval(1, 2)
    assert low[0] < 0.1 and high[0] > 0.9


def test_fisher_exact_for_a_2x2_table():
    # Fisher's tea-tasting table: 3 of 4 right either way, two-sided p = 34/70.
    result = stats.independence_test([[3, 1], [1, 3]])
    assert result["name"] == "Fisher's exact test"
    assert result["p"] == pytest.approx(34 / 70)
    assert result["statistic"] == pytest.approx(9.0)  # the sample odds ratio
    assert result["n"] == 8 and result["shape"] == [2, 2]


def test_larger_tables_get_a_seeded_monte_carlo_fisher_freeman_halton_test():
    from scipy.stats import fisher_exact

    table = [[4, 0, 1], [0, 4, 1], [1, 1, 3]]
    first = stats.independence_test(table)
    again = stats.independence_test(table)
    assert first == again  # seeded: the same data gives the same p
    assert first["name"].startswith("Fisher–Freeman–Halton exact test (Monte Carlo, 9999")
    exact = fisher_exact(np.array(table)).pvalue  # the exact network algorithm
    assert first["p"] == pytest.approx(exact, abs=0.01)
    other = stats.independence_test(table, seed=1)
    assert other["p"] != first["p"]


def test_a_large_study_gets_its_monte_carlo_test_too():
    # 2 × 3 cells, 60,001 interviews: more interviews than 9,999 drawn tables have cells.
    uniform = stats.independence_test([[10000, 10000, 10000], [10000, 10000, 10001]])
    assert uniform["p"] > 0.5 and uniform["n"] == 60001
    assert "10001 tables" in uniform["name"]
    skewed = stats.independence_test([[12000, 10000, 8000], [8000, 10000, 12001]])
    assert skewed["p"] < 0.001


def test_rows_and_columns_without_counts_are_left_out_and_one_group_is_no_test():
    assert stats.independence_test([[3, 1, 0], [1, 3, 0], [0, 0, 0]])["shape"] == [2, 2]
    assert stats.independence_test([[3, 1], [0, 0]]) is None
    with pytest.raises(ValueError, match="table of counts"):
        stats.independence_test([[1, -1], [2, 2]])


def test_the_sentence_never_claims_a_difference_the_test_does_not_support():
    label = {"da": "Sted", "en": "Site"}
    chance = stats.sentence(0.41, label=label)
    assert chance == {"da": "Forskellene efter sted kan være tilfældige: p = 0,41.",
                      "en": "The differences by site could be chance: p = 0.41."}
    assert stats.sentence(0.05, label=label)["en"].startswith("The differences by site could")
    real = stats.sentence(0.0004, label=label, where={"da": "Ventetid", "en": "Waiting"},
                          adjusted=True)
    assert real["en"] == ("The differences by site are unlikely to be chance: p < 0.001 "
                          "(at Waiting) (Holm-adjusted for several tests).")
    assert real["da"].startswith("Forskellene efter sted er næppe tilfældige: p < 0,001")
    assert "Ingen test" in stats.sentence(None, label=label)["da"]


def test_holm_adjusts_several_p_values():
    # Holm: sorted p times (m, m-1, ...), kept monotone, capped at 1.
    assert stats.holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm([]).size == 0


@pytest.mark.parametrize("seed", range(5))
def test_holm_agrees_with_statsmodels_on_random_p_values(seed):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(seed)
    p = np.round(rng.uniform(0, 0.6, size=int(rng.integers(1, 12))), 2)  # rounding makes ties
    assert stats.holm(p) == pytest.approx(multipletests(p, method="holm")[1])
    assert stats.holm([0.5, 0.6]).tolist() == [1.0, 1.0]  # capped at 1


def test_combined_tests_report_the_smallest_adjusted_p_and_where_it_is():
    label = {"da": "Sted", "en": "Site"}
    parts = [({"da": "A", "en": "A"}, stats.independence_test([[9, 1], [1, 9]])),
             ({"da": "B", "en": "B"}, stats.independence_test([[5, 5], [5, 5]])),
             ({"da": "C", "en": "C"}, None)]
    result = stats.combined_tests(parts, label=label)
    assert [p["part"]["en"] for p in result["parts"]] == ["A", "B"]
    assert result["p"] == pytest.approx(min(1.0, 2 * parts[0][1]["p"]))
    assert "(at A)" in result["sentence"]["en"] and "Holm-adjusted" in result["sentence"]["en"]
    assert stats.combined_tests([({"da": "A", "en": "A"}, None)], label=label) is None


def test_adjusted_residuals_are_habermans():
    table = pd.DataFrame([[8, 2], [1, 9]], index=["a", "b"], columns=["x", "y"])
    res = stats.adjusted_residuals(table)
    # (O - E) / sqrt(E (1 - r/N) (1 - c/N)) for the cell a, x: E = 10 * 9 / 20.
    e = 10 * 9 / 20
    expected = (8 - e) / math.sqrt(e * (1 - 10 / 20) * (1 - 9 / 20))
    assert res.loc["a", "x"] == pytest.approx(expected)
    assert res.loc["b", "x"] == pytest.approx(-expected)
    empty = stats.adjusted_residuals(pd.DataFrame([[3, 0], [2, 0]]))
    assert empty.isna().all().all()
