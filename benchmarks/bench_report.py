"""Benchmark: the default batch of reports, the naive way against `synergi report`.

The naive way is what a researcher would script: a shell loop that calls the
``papermill`` command and then ``jupyter nbconvert --to html --no-input`` per
report. `synergi report` renders the same batch with one interpreter, warm
kernels (one per core, reset between reports) and one reused HTML exporter.
Both run here, one after the other on the same machine, into temporary folders;
then `synergi report` runs again with nothing changed.

Usage: ``python benchmarks/bench_report.py [--limit N] [--jobs N]``
(``--limit`` renders only the first N reports of the batch, for a quick look).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from synergi_analysis.load import load_study
from synergi_analysis.report import load_batch, plan_batch

BIN = Path(sys.executable).parent


def naive(jobs, out: Path) -> float:
    """papermill, then nbconvert, as two commands per report."""
    start = time.perf_counter()
    for job in jobs:
        executed = out / f"{job.name}.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), job.notebook, str(executed), "--no-progress-bar",
             "--cwd", str(Path(job.notebook).parent),
             "-y", yaml.safe_dump(job.parameters, allow_unicode=True)],
            check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
             "--output-dir", str(out), str(executed)],
            check=True, capture_output=True)
    return time.perf_counter() - start


def synergi(out: Path, *extra: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "synergi"), "report", "--out", str(out), *extra],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"synergi report failed:\n{done.stdout}{done.stderr}")
    print(f"    {done.stdout.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N reports")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: cores)")
    args = parser.parse_args()

    jobs = plan_batch(load_batch(), study=load_study())
    if args.limit:
        jobs = jobs[: args.limit]
    extra = ["--only", ",".join(j.name for j in jobs)] if args.limit else []
    if args.jobs:
        extra += ["--jobs", str(args.jobs)]
    print(f"{len(jobs)} reports, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "naive").mkdir()
        print("naive loop (papermill + nbconvert commands per report) ...")
        t_naive = naive(jobs, tmp / "naive")
        print("synergi report, cold ...")
        t_cold = synergi(tmp / "ours", *extra)
        print("synergi report, nothing changed ...")
        t_warm = synergi(tmp / "ours", *extra)

    n = len(jobs)
    print()
    print("| what | time | per report | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| naive loop: `papermill` + `jupyter nbconvert` per report | {t_naive:.1f} s "
          f"| {t_naive / n:.2f} s | 1.0 |")
    print(f"| `synergi report`, cold | {t_cold:.1f} s | {t_cold / n:.2f} s "
          f"| {t_naive / t_cold:.1f}× faster |")
    print(f"| `synergi report`, nothing changed | {t_warm:.2f} s | | "
          f"{t_naive / t_warm:.0f}× faster |")


if __name__ == "__main__":
    main()
