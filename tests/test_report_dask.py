"""Dask without shared folders: a study's files travel with the work.

A scheduler and a worker run as processes of their own (the ``dask`` command),
the worker in a folder of its own. The study and the notebooks are moved away
after the batch is planned and before the work is sent, so the worker cannot
read them where the user keeps them: the reports must still equal, byte for
byte, those a local run renders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synergi_analysis import load_study
from synergi_analysis.report import render_batch
from synergi_analysis.report._bundle import pack_study, unpack_study
from tests.test_report import (  # noqa: F401 - the fixture holds the package's hash still
    PARAMS,
    _fixed_code_hash,
    copy_study,
    write_notebook,
    write_spec,
)

# A report that reads the study's extra tables too (sites.csv), and shows its data.
STUDY_NOTEBOOK = [
    ("parameters", PARAMS),
    ("code", "import matplotlib.pyplot as plt\n"
             "from synergi_analysis import load_study\n"
             "from synergi_analysis.display import report_header"),
    ("code", "study = load_study(data)\n"
             "report_header(study, title='Sted: {site}', lang=lang, parameters=dict(\n"
             "    site=site, data=data, lang=lang, anonymise=anonymise))"),
    ("code", "sites = study.table('sites')\n"
             "sites.set_index('site').loc[[site]].T"),
    ("code", "rows = study.interviews[study.interviews['site'] == site]\n"
             "fig, ax = plt.subplots()\n"
             "rows['service'].value_counts().sort_index().plot.barh(ax=ax)\n"
             "plt.show()"),
    ("code", "print(len(rows), 'interviews,', len(study.quotes), 'quotes')"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and one worker (two threads), each a process of its own."""
    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra")
    home = tmp_path_factory.mktemp("dask")
    scheduler_file = home / "scheduler.json"
    worker_dir = home / "worker"
    worker_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(worker_dir)}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--scheduler-file", str(scheduler_file),
         "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nthreads", "2",
             "--nworkers", "1", "--no-dashboard", "--local-directory", str(worker_dir)],
            cwd=worker_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield address, worker_dir
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
        for proc in (worker, scheduler):
            if proc is not None:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _reports(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.html")) if p.name != "index.html"}


def _moving_away(monkeypatch, *folders: Path) -> list[Path]:
    """Move ``folders`` aside once the batch is planned, just before the work is sent."""
    from synergi_analysis.report import batch

    run = batch._run_dask
    moved = []

    def move_then_run(*args, **kwargs):
        for folder in folders:
            target = folder.with_name(folder.name + "-moved")
            folder.rename(target)
            moved.append(target)
        return run(*args, **kwargs)

    monkeypatch.setattr(batch, "_run_dask", move_then_run)
    return moved


@pytest.mark.slow
def test_a_worker_without_the_users_folders_renders_the_same_bytes(
        cluster, tmp_path, data_dir, monkeypatch):
    address, worker_dir = cluster
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "study.ipynb", STUDY_NOTEBOOK)
    spec = write_spec(notebooks, [{"notebook": "study.ipynb", "name": "site-{site}",
                                   "grid": {"site": ["roskilde", "glumsø"]}}])
    data = copy_study(data_dir, tmp_path / "min-undersøgelse")
    local = render_batch(spec, data=data, out=tmp_path / "local", progress=False, jobs=1)
    assert local.ok, local.results
    expected = _reports(tmp_path / "local")
    assert len(expected) == 2
    for page in expected.values():
        # The report names its data by the folder's name, never by where it lies.
        assert "min-undersøgelse" in page.decode()
        assert str(tmp_path) not in page.decode()
    index = (tmp_path / "local" / "index.html").read_text(encoding="utf-8")
    assert "data=min-undersøgelse" in index and str(tmp_path) not in index

    moved = _moving_away(monkeypatch, data, notebooks)
    summary = render_batch(spec, data=data, out=tmp_path / "remote", dask=address,
                           progress=False)
    assert len(moved) == 2 and not data.exists() and not notebooks.exists()
    assert {r.name: r.status for r in summary.results} == {"site-roskilde": "rendered",
                                                          "site-glumsø": "rendered"}
    assert _reports(tmp_path / "remote") == expected
    # The study went to the worker once, unpacked under the hash of its content.
    unpacked = list(worker_dir.rglob("synergi-study-*"))
    assert len(unpacked) == 1
    assert sorted(p.name for p in (unpacked[0] / "min-undersøgelse").iterdir()) == sorted(
        p.name for p in (tmp_path / "min-undersøgelse-moved").iterdir())


@pytest.mark.slow
def test_a_second_coding_travels_with_the_report_that_reads_it(
        cluster, tmp_path, data_dir, monkeypatch):
    address, _ = cluster
    home = tmp_path / "spec"
    home.mkdir()
    first = copy_study(data_dir, home / "koder-a")
    second = copy_study(data_dir, home / "koder-b")
    rows = (second / "interviews.csv").read_text(encoding="utf-8").splitlines()
    # One disagreement: the second coder gives the first interview another competence.
    rows[1] = rows[1].replace("navigationsstærk", "navigationssvag") if "navigationsstærk" in \
        rows[1] else rows[1].replace("navigationssvag", "navigationsstærk")
    (second / "interviews.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = write_spec(home, [], agreement={"a": "koder-a", "b": "koder-b"})
    local = render_batch(spec, out=tmp_path / "local", progress=False, jobs=1)
    assert local.ok, local.results
    _moving_away(monkeypatch, first, second)
    remote = render_batch(spec, out=tmp_path / "remote", dask=address, progress=False)
    assert remote.ok, remote.results
    assert not first.exists() and not second.exists()
    expected = _reports(tmp_path / "local")
    assert list(expected) == ["agreement.html"]
    assert _reports(tmp_path / "remote") == expected


@pytest.mark.slow
def test_the_shipped_study_renders_the_same_bytes_on_a_worker(cluster, tmp_path, monkeypatch):
    address, _ = cluster
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "study.ipynb", STUDY_NOTEBOOK)
    spec = write_spec(notebooks, [{"notebook": "study.ipynb", "name": "site-{site}",
                                   "grid": {"site": ["ringsted"]}}])
    local = render_batch(spec, out=tmp_path / "local", progress=False, jobs=1)
    assert local.ok, local.results
    _moving_away(monkeypatch, notebooks)
    remote = render_batch(spec, out=tmp_path / "remote", dask=address, progress=False)
    assert remote.ok, remote.results
    assert _reports(tmp_path / "remote") == _reports(tmp_path / "local")


def test_a_bundle_is_the_studys_files_and_unpacks_once(tmp_path, data_dir):
    data = copy_study(data_dir, tmp_path / "study")
    (data / "recording.mp3").write_bytes(b"not data")  # not a data file: stays home
    study = load_study(data)
    bundle = pack_study(study, data)
    assert bundle.name == "study" and bundle.folder
    assert sorted(bundle.files) == sorted(p.name for p in study.data_files())
    assert "recording.mp3" not in bundle.files
    assert pack_study(study, None) is None
    worker = tmp_path / "worker-tmp"
    worker.mkdir()
    first = unpack_study(bundle, worker)
    assert first.name == "study" and first.parent.name == f"synergi-study-{bundle.digest[:32]}"
    assert load_study(first).fingerprint == study.fingerprint
    # Unpacked once: a second report on the worker finds it (even when changed there).
    (first / "interviews.csv").write_text("changed")
    assert unpack_study(bundle, worker) == first
    assert (first / "interviews.csv").read_text() == "changed"
    # A different study is a different folder.
    (data / "quotes.csv").write_text((data / "quotes.csv").read_text() + "\n")
    other = pack_study(load_study(data), data)
    assert other.digest != bundle.digest
    assert unpack_study(other, worker) != first
    # Nothing half written is left beside them.
    assert sorted(p.name for p in worker.iterdir()) == sorted(
        [first.parent.name, f"synergi-study-{other.digest[:32]}"])


def test_a_one_file_study_travels_as_that_file(tmp_path, data_dir):
    target = tmp_path / "interviews.csv"
    shutil.copy(data_dir / "interviews.csv", target)
    study = load_study(target)
    bundle = pack_study(study, target)
    assert (bundle.name, bundle.folder, list(bundle.files)) == ("interviews.csv", False,
                                                                ["interviews.csv"])
    (tmp_path / "w").mkdir()
    path = unpack_study(bundle, tmp_path / "w")
    assert path.read_bytes() == target.read_bytes()
    assert len(load_study(path).interviews) == len(study.interviews)
