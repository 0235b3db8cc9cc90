"""Loading + validating a large synthetic study, relative to a bare pandas.read_csv.

Generates a study of N interviews (default 100,000) from the shipped codebook,
with every coded column filled with valid values drawn by a seeded generator,
then times, side by side in one run, the best of R repetitions of:

- ``pandas.read_csv(path)`` (the floor: no checks at all), and
- ``synergi_analysis.load_study(path)`` (read + validate + typed frame).

Usage: ``python benchmarks/bench_load.py [--rows N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from synergi_analysis import load_codebook, load_study


def synthetic_study(rows: int, *, seed: int = 20170821) -> pd.DataFrame:
    """A valid interviews table of ``rows`` rows drawn from the shipped codebook."""
    cb = load_codebook()
    rng = np.random.default_rng(seed)
    services = cb["service"].values
    service = rng.choice([v.key for v in services], size=rows)
    visitor = pd.Series(service).map({v.key: v.extra["visitor_type"] for v in services}).to_numpy()
    age = rng.integers(0, 100, size=rows)
    attitude = np.where(visitor == "bibliotek", rng.choice(["A", "B"], size=rows),
                        rng.choice(["A", "B", "C", "D"], size=rows))
    life = cb.keys("life_situation")
    frame = pd.DataFrame({
        "interview_id": [f"S{i:06d}" for i in range(rows)],
        "site": rng.choice(cb.keys("site"), size=rows),
        "visitor_type": visitor,
        "service": service,
        "age": age,
        "age_band": "",
        "attitude": attitude,
        "competence": rng.choice(cb.keys("competence"), size=rows),
        "life_situations": [";".join(rng.choice(life, size=k, replace=False))
                            for k in rng.integers(0, 3, size=rows)],
    })
    for stage in cb.stages:
        frame[stage] = rng.choice(["åben", "lukket", ""], size=rows)
    frame["long_interview"] = rng.random(rows) < 0.1
    frame["speaker"] = ""
    return frame


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "interviews.csv"
        synthetic_study(args.rows).to_csv(path, index=False)
        size = path.stat().st_size / 1e6
        study = load_study(path)
        assert len(study.interviews) == args.rows
        bare = best_of(args.repeat, lambda: pd.read_csv(path))
        full = best_of(args.repeat, lambda: load_study(path))
    print(f"{args.rows:,} interviews, {size:.1f} MB CSV, best of {args.repeat}:")
    print(f"  pandas.read_csv             {bare:7.3f} s")
    print(f"  load_study (read+validate)  {full:7.3f} s")
    print(f"  ratio                       {full / bare:7.2f} x  (target: at most 2 x)")


if __name__ == "__main__":
    main()
