"""How live the explorer feels: one update on the shipped study and on 100,000 interviews.

An update is one change of the view (rows, columns, a filter or the measure) and
reading the new ``Explorer.table``; beside it, in the same run, the floor: one bare
`patterns.crosstab` of the same data. On the shipped study the widget's whole
refresh is timed too (a control's value set: table, its HTML, the heatmap as PNG).
The large study is `bench_load.synthetic_study` (every coded column filled by a
seeded generator, life situations multi-valued) with one quote for every fifth
interview, loaded through `load_study`; its widget refresh is timed as well.

Usage: ``python benchmarks/bench_explore.py [--rows N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_load import synthetic_study

from synergi_analysis import load_study
from synergi_analysis.explore import Explorer
from synergi_analysis.patterns import crosstab

#: The changes timed, one after the other, each from the view the one before left.
CHANGES = [
    ("rows = site", {"rows": "site"}),
    ("columns = life_situation", {"columns": "life_situation"}),
    ("filter site: 2 values", {"filters": {"site": ["næstved", "glumsø"]}}),
    ("filter + competence", {"filters": {"site": ["næstved", "glumsø"],
                                         "competence": "navigationssvag"}}),
    ("measure = share_row", {"measure": "share_row"}),
    ("measure = lift", {"measure": "lift"}),
    ("rows = ventetid", {"rows": "ventetid"}),
    ("no filters, count", {"filters": {}, "measure": "count"}),
]


def synthetic_quotes(interviews, *, every: int = 5, seed: int = 20170822):
    """One quote for every ``every``-th interview, on a seeded journey stage or none."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = interviews["interview_id"].iloc[::every].to_numpy()
    stages = ["forberedelse", "ventetid", "betjening", ""]
    return pd.DataFrame({
        "quote_id": [f"Q{i:06d}" for i in range(len(ids))],
        "interview_id": ids,
        "text": [f"Citat {i} om besøget." for i in range(len(ids))],
        "stage": rng.choice(stages, size=len(ids)),
        "theme": "",
    })


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def updates(study, repeat: int) -> list[tuple[str, float]]:
    """The best of ``repeat`` runs of each change in `CHANGES` (seconds)."""
    best = {name: float("inf") for name, _ in CHANGES}
    for _ in range(repeat):
        explorer = Explorer(study)
        _ = explorer.table  # the first view, as the notebook shows it before any change
        for name, change in CHANGES:
            best[name] = min(best[name],
                             timed(lambda e=explorer, c=change: e.set(**c).table))
    return list(best.items())


def widget_refresh(study, repeat: int) -> float:
    """The best of ``repeat`` whole refreshes of the widget after a control changed."""
    explorer = Explorer(study)
    controls = explorer.widget().controls
    choices = ["site", "competence", "service"]
    times = []
    for i in range(repeat * len(choices)):
        times.append(timed(lambda i=i: setattr(controls.rows, "value",
                                               choices[i % len(choices)])))
    return min(times)


def report(label: str, study, repeat: int, *, widget: bool) -> None:
    floor = min(timed(lambda: crosstab(study, rows="service", columns="age_band"))
                for _ in range(repeat))
    rows = updates(study, repeat)
    print(f"{label}: {len(study.interviews):,} interviews, best of {repeat}")
    print(f"  {'crosstab (the floor)':28} {floor * 1000:8.1f} ms   1.0")
    for name, seconds in rows:
        print(f"  {name:28} {seconds * 1000:8.1f} ms {seconds / floor:5.1f}")
    worst = max(seconds for _, seconds in rows)
    print(f"  {'slowest update':28} {worst * 1000:8.1f} ms")
    if widget:
        refresh = widget_refresh(study, repeat)
        print(f"  {'widget refresh (with chart)':28} {refresh * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report("shipped study", load_study(), args.repeat, widget=True)
    with tempfile.TemporaryDirectory() as tmp:
        interviews = synthetic_study(args.rows)
        interviews.to_csv(Path(tmp) / "interviews.csv", index=False)
        synthetic_quotes(interviews).to_csv(Path(tmp) / "quotes.csv", index=False)
        large = load_study(tmp)
    report("generated study", large, args.repeat, widget=True)


if __name__ == "__main__":
    main()
