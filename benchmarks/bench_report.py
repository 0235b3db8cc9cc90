"""Benchmark: the default batch of reports, three ways, side by side in one run.

1. The naive way a researcher would script it: a loop that calls the
   ``papermill`` command and then ``jupyter nbconvert --to html --no-input``
   per report.
2. ``synergi report`` into an empty folder (cold), then again with nothing
   changed.
3. The no-kernel floor: the same reports' code cells run as plain Python, one
   process per core, each chart rendered to PNG as the report's inline backend
   renders it; no kernel, no notebook, no HTML. What the notebooks' own code
   costs; the batch can only approach it.

Everything runs as a command of its own (interpreter start-up, imports and
planning included), one after the other on the same machine, into temporary
folders.

Usage: ``python benchmarks/bench_report.py [--limit N] [--jobs N] [--repeat N] [--skip-naive]``
(``--limit`` renders only the first N reports, for a quick look; ``--skip-naive``
leaves out the slow naive loop while tuning).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent


# -- the floor: plain Python, one process per core ----------------------------------


def _floor_init(modules: list[str]) -> None:
    """What each floor process imports once, as a warm kernel does."""
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - as in the kernel: the notebook will say
            pass


def _cells(source: str, parameters: dict) -> list[str]:
    """A notebook's code cells, with its parameters assigned after the ``parameters`` cell."""
    cells = []
    for cell in json.loads(source)["cells"]:
        if cell["cell_type"] != "code":
            continue
        cells.append("".join(cell["source"]))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cells.append("\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
    return cells


def _floor_report(item: tuple[str, str, dict]) -> tuple[str, int, float]:
    """Run one report's code cells in a fresh namespace; every open figure to PNG after each.

    The last expression of a cell is evaluated (a notebook computes it to show it)
    but not rendered. Charts are drawn as the report's inline backend draws them:
    PNG at the figure's dpi, tight bounding box, then closed.
    """
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    from synergi_analysis.report._kernel import INLINE_FIGURE_KWARGS

    name, source, parameters = item
    start = time.perf_counter()
    matplotlib.rcdefaults()
    namespace: dict = {"__name__": "__main__"}
    pngs = 0
    # What a cell prints is kept, as a kernel keeps it for the report (not shown here).
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        for code in _cells(source, parameters):
            tree = ast.parse(code)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, name, "exec"), namespace)  # noqa: S102 - the batch's own code
            if last is not None:
                eval(compile(last, name, "eval"), namespace)  # noqa: S307
            for number in plt.get_fignums():
                fig = plt.figure(number)
                if not fig.axes and not fig.lines:  # the inline backend skips empty figures
                    continue
                fig.canvas.print_figure(io.BytesIO(), format="png", dpi=fig.dpi,
                                        facecolor=fig.get_facecolor(),
                                        edgecolor=fig.get_edgecolor(),
                                        **INLINE_FIGURE_KWARGS)
                pngs += 1
            plt.close("all")
    return name, pngs, time.perf_counter() - start


def floor_main(limit: int | None, processes: int) -> None:
    """The floor as a command: plan the batch, run every report's code on a process pool."""
    from synergi_analysis.load import load_study
    from synergi_analysis.report import load_batch, plan_batch
    from synergi_analysis.report._kernel import warm_modules

    jobs = plan_batch(load_batch(), study=load_study())[:limit]
    items = [(job.name, job.source, job.parameters) for job in jobs]
    pngs = 0
    # In the batch's order, one report at a time to whichever process is free, as the
    # batch hands them to its workers.
    ctx = multiprocessing.get_context("spawn")
    modules = warm_modules(item[1] for item in items)
    with ctx.Pool(processes, initializer=_floor_init, initargs=(modules,)) as pool:
        for _name, count, _seconds in pool.imap_unordered(_floor_report, items):
            pngs += count
    print(f"{len(items)} reports, {pngs} figures left open by a cell drawn to PNG")


# -- the three ways, each as a command -----------------------------------------------


def naive(jobs, out: Path) -> float:
    """papermill, then nbconvert, as two commands per report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _busy()
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
    seconds = time.perf_counter() - start
    busy = _busy() - busy
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"    {len(jobs)} reports  [{seconds:.2f} s, CPU {cpu:.1f} s, "
          f"others {max(0.0, busy - cpu):.1f} s]")
    return seconds


def _busy() -> float:
    """CPU seconds the whole machine has been busy (Linux), for the load of others."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def timed(argv: list[str], what: str) -> float:
    """Run a command; its wall time. Printed: that, its CPU time (with its children's)
    and the CPU others on the machine used meanwhile (a quiet machine shows ~0)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _busy()
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    busy = _busy() - busy
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{what} failed:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"    {done.stdout.strip().splitlines()[-1]}  "
          f"[{seconds:.2f} s, CPU {cpu:.1f} s, others {max(0.0, busy - cpu):.1f} s]")
    return seconds


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N reports")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: the batch's)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive loop")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of cold batch and floor; the best of each counts")
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    if args.floor:
        floor_main(args.limit, cores)
        return

    from synergi_analysis.load import load_study
    from synergi_analysis.report import load_batch, plan_batch

    jobs = plan_batch(load_batch(), study=load_study())
    if args.limit:
        jobs = jobs[: args.limit]
    extra = ["--only", ",".join(j.name for j in jobs)] if args.limit else []
    if args.jobs:
        extra += ["--jobs", str(args.jobs)]
    floor_argv = [sys.executable, __file__, "--floor"]
    if args.limit:
        floor_argv += ["--limit", str(args.limit)]
    print(f"{len(jobs)} reports; {machine()}")
    t_naive = None
    colds, floors = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_naive:
            (tmp / "naive").mkdir()
            print("naive loop (papermill + nbconvert commands per report) ...")
            t_naive = naive(jobs, tmp / "naive")
        # Cold batch and floor take turns, so a burst of other load on the machine hits
        # both; the best of each is kept.
        for round_ in range(1, args.repeat + 1):
            out = tmp / f"ours-{round_}"
            print(f"synergi report, cold (round {round_}) ...")
            colds.append(timed([str(BIN / "synergi"), "report", "--out", str(out), *extra],
                               "synergi report"))
            print(f"no-kernel floor, {cores} processes (round {round_}) ...")
            floors.append(timed(floor_argv, "the floor"))
        charts = sum(page.read_text(encoding="utf-8").count('src="data:image/png;base64,')
                     for page in out.glob("*.html") if page.name != "index.html")
        print(f"    ({charts} charts in the {len(jobs)} reports)")
        print("synergi report, nothing changed ...")
        t_warm = timed([str(BIN / "synergi"), "report", "--out", str(out), *extra],
                       "synergi report")
    t_cold, t_floor = min(colds), min(floors)

    n = len(jobs)
    print()
    print("| what | time | per report | vs naive | vs floor |")
    print("|---|---:|---:|---:|---:|")
    if t_naive is not None:
        print(f"| naive loop: `papermill` + `jupyter nbconvert` per report | {t_naive:.1f} s "
              f"| {t_naive / n:.2f} s | 1.0 | {t_naive / t_floor:.1f}× |")

    def vs_naive(t: float) -> str:
        if t_naive is None:
            return ""
        ratio = t_naive / t
        return f"{ratio:.0f}× faster" if ratio >= 100 else f"{ratio:.1f}× faster"

    print(f"| `synergi report`, cold | {t_cold:.1f} s | {t_cold / n:.2f} s "
          f"| {vs_naive(t_cold)} | {t_cold / t_floor:.2f}× |")
    print(f"| `synergi report`, nothing changed | {t_warm:.2f} s | | {vs_naive(t_warm)} | |")
    print(f"| no-kernel floor: the code cells as plain Python, {cores} processes "
          f"| {t_floor:.1f} s | {t_floor / n:.2f} s | {vs_naive(t_floor)} | 1.00× |")


if __name__ == "__main__":
    main()
