"""The batch runner under attack: killed runs and kernels, unwritable and full output folders.

What is checked: nothing is left in the temporary folder (kernel connection files,
socket folders) however a run ends; every output problem ends in one line naming
the file or folder and exit code 1 (a failing write) or 2, never a traceback; a
batch whose disk fills keeps going for what it can, and no good report is lost.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synergi_analysis import cli
from synergi_analysis.report import render_batch
from synergi_analysis.report._kernel import _FOLDER_PREFIX, _LOCK, _remove_stale_folders
from tests.test_report import (  # noqa: F401 - the fixture holds the package's hash still
    FAILING_NOTEBOOK,
    PARAMS,
    SITE_NOTEBOOK,
    _fixed_code_hash,
    write_notebook,
    write_spec,
)

SYNERGI = str(Path(sys.executable).parent / "synergi")

# A report that says it has started (its kernel's process id, in a file beside the
# notebook) and then takes long enough to be killed in the middle.
SLOW_NOTEBOOK = [
    ("parameters", PARAMS),
    ("code", "import os, time\n"
             "with open(f'started-{site}.pid', 'w') as fh:\n"
             "    fh.write(str(os.getpid()))\n"
             "time.sleep(60)"),
]


def _leftovers(tmp: Path) -> list[str]:
    """Kernel files anywhere under ``tmp``: private folders, connection files, sockets."""
    found = []
    for path in tmp.rglob("*"):
        name = path.name
        if name.startswith(_FOLDER_PREFIX) or re.match(r"kernel-.*\.json$", name) or (
                path.is_socket()):
            found.append(str(path.relative_to(tmp)))
    return found


def _kernels_of(tmp: Path) -> list[int]:
    """Processes whose command line names a connection file under ``tmp`` (Linux)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(tmp) in cmdline and "ipykernel" in cmdline:
            pids.append(int(proc.name))
    return pids


def _wait_for(predicate, timeout: float = 60.0, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def _batch_command(folder: Path, tmp: Path, *args: str) -> tuple[list[str], dict]:
    env = {**os.environ, "TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    argv = [SYNERGI, "report", "--spec", str(folder / "batch.yml"), "--out",
            str(folder / "out"), *args]
    return argv, env


# -- stale kernel folders (no kernel needed) -----------------------------------------


def test_stale_kernel_folders_are_removed_and_live_ones_kept(tmp_path):
    import fcntl

    hour_ago = (time.time() - 3600, time.time() - 3600)
    stale = tmp_path / f"{_FOLDER_PREFIX}stale"  # its run was killed an hour ago
    stale.mkdir()
    (stale / _LOCK).write_text("")
    (stale / "kernel.json").write_text("{}")
    live = tmp_path / f"{_FOLDER_PREFIX}live"  # a long batch, still running
    live.mkdir()
    held = open(live / _LOCK, "w")  # noqa: SIM115 - a live run holds its lock
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    young = tmp_path / f"{_FOLDER_PREFIX}young"  # a run about to take its lock
    young.mkdir()
    (young / _LOCK).write_text("")
    foreign = tmp_path / f"{_FOLDER_PREFIX}foreign"  # no lock file: not made by this code
    foreign.mkdir()
    other = tmp_path / "someone-else"
    other.mkdir()
    for folder in (stale, live, foreign, other):
        os.utime(folder, hour_ago)
    try:
        removed = _remove_stale_folders(str(tmp_path))
    finally:
        held.close()
    assert [Path(p).name for p in removed] == [f"{_FOLDER_PREFIX}stale"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "someone-else", f"{_FOLDER_PREFIX}foreign", f"{_FOLDER_PREFIX}live",
        f"{_FOLDER_PREFIX}young"]


# -- killed runs and kernels ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self").exists(), reason="finds kernels through /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_batch_leaves_no_kernel_files_or_processes(tmp_path, sig):
    folder, tmp = tmp_path / "batch", tmp_path / "tmp"
    folder.mkdir()
    tmp.mkdir()
    write_notebook(folder / "slow.ipynb", SLOW_NOTEBOOK)
    write_spec(folder, [{"notebook": "slow.ipynb", "name": "slow-{site}",
                         "grid": {"site": ["roskilde", "ringsted"]}}])
    argv, env = _batch_command(folder, tmp, "--jobs", "2")
    batch = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        started = _wait_for(lambda: len(list(folder.glob("started-*.pid"))) == 2)
        assert started, "the reports did not start"
        # Mid-run: two kernels, each with its folder; its connection file and sockets
        # served only to connect and are gone already.
        assert len(_kernels_of(tmp)) == 2
        folders = list(tmp.glob(f"{_FOLDER_PREFIX}*"))
        assert len(folders) == 2
        assert [sorted(p.name for p in f.iterdir()) for f in folders] == [[_LOCK], [_LOCK]]
        batch.send_signal(sig)
        _, err = batch.communicate(timeout=60)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert batch.returncode == (-sig if sig == signal.SIGKILL else 128 + sig)
    if sig == signal.SIGTERM:
        assert b"Traceback" not in err
    # The kernels notice their parent is gone, remove their folder and exit. (ipykernel
    # may exit first on its own; a folder, empty but for its lock, is then left for the
    # next run, which removes it.)
    assert _wait_for(lambda: not _kernels_of(tmp), timeout=30)
    left = _leftovers(tmp)
    assert all(Path(p).parent == Path(".") for p in left), left
    assert all(sorted(q.name for q in (tmp / p).iterdir()) == [_LOCK] for p in left)
    _remove_stale_folders(str(tmp), grace=0)
    assert not _leftovers(tmp)
    assert not list((folder / "out").glob("*.html"))  # no half report either


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self").exists(), reason="finds kernels through /proc")
def test_the_next_run_removes_what_a_run_killed_with_its_kernels_left(tmp_path):
    folder, tmp = tmp_path / "batch", tmp_path / "tmp"
    folder.mkdir()
    tmp.mkdir()
    write_notebook(folder / "slow.ipynb", SLOW_NOTEBOOK)
    write_spec(folder, [{"notebook": "slow.ipynb", "name": "slow"}])
    argv, env = _batch_command(folder, tmp, "--jobs", "1")
    batch = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: list(folder.glob("started-*.pid")))
        # Everything killed at once (a lost session, the OOM killer): no one cleans up.
        kernels = _kernels_of(tmp)
        assert len(kernels) == 1
        batch.kill()
        for pid in kernels:
            os.kill(pid, signal.SIGKILL)
        batch.wait(timeout=60)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert _wait_for(lambda: not _kernels_of(tmp), timeout=30)
    left = list(tmp.glob(f"{_FOLDER_PREFIX}*"))
    assert len(left) == 1 and [p.name for p in left[0].iterdir()] == [_LOCK]
    hour_ago = time.time() - 3600
    os.utime(left[0], (hour_ago, hour_ago))  # runs are not meant to start within a minute
    write_notebook(folder / "quick.ipynb", [("parameters", PARAMS), ("code", "1 + 1")])
    write_spec(folder, [{"notebook": "quick.ipynb", "name": "quick"}])
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not _leftovers(tmp)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self").exists(), reason="finds kernels through /proc")
def test_a_killed_kernel_fails_its_report_and_the_batch_goes_on(tmp_path):
    folder, tmp = tmp_path / "batch", tmp_path / "tmp"
    folder.mkdir()
    tmp.mkdir()
    write_notebook(folder / "slow.ipynb", SLOW_NOTEBOOK)
    write_notebook(folder / "site.ipynb", SITE_NOTEBOOK)
    write_spec(folder, [{"notebook": "slow.ipynb", "name": "victim"},
                        {"notebook": "site.ipynb", "name": "after"}])
    argv, env = _batch_command(folder, tmp, "--jobs", "1")
    batch = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        pid_file = _wait_for(lambda: next(iter(folder.glob("started-*.pid")), None))
        assert pid_file is not None
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        out, err = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert batch.returncode == 1
    assert "Traceback" not in err
    assert re.search(r"^failed: victim: .*(Dead|died|kernel)", err, flags=re.M | re.I), err
    assert out.startswith("rendered 1, skipped 0, failed 1 in ")
    assert (folder / "out" / "after.html").is_file()
    assert not _kernels_of(tmp) and not _leftovers(tmp)


# -- output folders that cannot take the reports ---------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Three good reports, rendered once; tests copy the folder and render again."""
    folder = tmp_path_factory.mktemp("out-batch")
    write_notebook(folder / "site.ipynb", SITE_NOTEBOOK)
    spec = write_spec(folder, [{"notebook": "site.ipynb", "name": "site-{site}",
                                "grid": {"site": ["roskilde", "ringsted", "glumsø"]}}])
    summary = render_batch(spec, out=folder / "out", jobs=1, progress=False)
    assert summary.ok
    return folder, spec


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def _run(argv: list[str], capsys) -> tuple[int, list[str], str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    return code, lines, captured.out


@pytest.mark.slow
def test_a_full_disk_keeps_the_batch_going_and_every_good_report(rendered, tmp_path,
                                                                 monkeypatch, capsys):
    import shutil

    folder, spec = rendered
    out = tmp_path / "out"
    shutil.copytree(folder / "out", out)
    before = _files(out)
    from synergi_analysis import _io

    real = _io.write_atomic

    def full_disk(path, data):
        # The disk fills after the first report: the others and their sidecars fail.
        if Path(path).name not in {"site-roskilde.html", ".site-roskilde.json"}:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr("synergi_analysis.report._store.write_atomic", full_disk)
    code, lines, stdout = _run(["report", "--spec", str(spec), "--out", str(out), "--force",
                                "--jobs", "1"], capsys)
    assert code == 1
    assert lines == [f"{out}: cannot write site-ringsted.html, site-glumsø.html (no space left "
                     "on device); 2 report(s) not saved, the last good ones are kept"]
    assert stdout.startswith("rendered 1, skipped 0, failed 2 in ")
    after = _files(out)
    # The reports that could not be written keep their last good version, sidecar too.
    for name in ("site-ringsted.html", ".site-ringsted.json", "site-glumsø.html",
                 ".site-glumsø.json"):
        assert after[name] == before[name]
    assert json.loads(after[".site-roskilde.json"])["rendered_at"] is not None
    # The index was written, and says which reports are stale and why.
    index = after["index.html"].decode()
    assert index.count("no space left on device") == 2
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_a_disk_too_full_for_the_index_too_is_one_message(rendered, tmp_path, monkeypatch,
                                                           capsys):
    import shutil

    folder, spec = rendered
    out = tmp_path / "out"
    shutil.copytree(folder / "out", out)
    before = _files(out)

    def full_disk(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("synergi_analysis.report._store.write_atomic", full_disk)
    monkeypatch.setattr("synergi_analysis.report.batch.write_atomic", full_disk)
    code, lines, _ = _run(["report", "--spec", str(spec), "--out", str(out), "--force"], capsys)
    assert code == 1
    assert len(lines) == 1 and "Traceback" not in lines[0]
    assert lines[0].startswith(f"{out}: cannot write ")
    assert "index.html" in lines[0] and "no space left on device" in lines[0]
    assert _files(out) == before


@pytest.mark.slow
def test_a_folder_where_a_report_goes_fails_that_report_only(rendered, tmp_path, capsys):
    folder, spec = rendered
    out = tmp_path / "out"
    (out / "site-ringsted.html").mkdir(parents=True)
    code, lines, stdout = _run(["report", "--spec", str(spec), "--out", str(out)], capsys)
    assert code == 1
    assert lines == [f"{out}: cannot write site-ringsted.html (a folder is in the way); "
                     "1 report(s) not saved, the last good ones are kept"]
    assert stdout.startswith("rendered 2, skipped 0, failed 1 in ")
    assert (out / "site-roskilde.html").is_file() and (out / "index.html").is_file()
    assert (out / "site-ringsted.html").is_dir()


@pytest.mark.slow
def test_a_folder_where_the_index_goes_is_one_line(rendered, tmp_path, capsys):
    import shutil

    folder, spec = rendered
    out = tmp_path / "out"
    shutil.copytree(folder / "out", out)
    (out / "index.html").unlink()
    (out / "index.html").mkdir()
    # Nothing to render (every report is current), but the index cannot be written.
    code, lines, stdout = _run(["report", "--spec", str(spec), "--out", str(out)], capsys)
    assert code == 1
    assert lines == [f"{out}: cannot write index.html (a folder is in the way)"]
    assert stdout.startswith("rendered 0, skipped 3, failed 0 in ")


@pytest.mark.parametrize("kind", ["file", "read-only"])
def test_an_output_folder_that_cannot_be_written_is_refused_before_rendering(
        tmp_path, capsys, monkeypatch, kind):
    write_notebook(tmp_path / "site.ipynb", SITE_NOTEBOOK)
    spec = write_spec(tmp_path, [{"notebook": "site.ipynb"}])
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("not a folder")
    else:
        out.mkdir()
        out.chmod(0o555)
        if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as it would
            def refuse(*args, **kwargs):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

            monkeypatch.setattr("synergi_analysis.report.batch.tempfile.mkstemp", refuse)
    try:
        code, lines, stdout = _run(["report", "--spec", str(spec), "--out", str(out)], capsys)
    finally:
        if out.is_dir():
            out.chmod(0o755)
    assert code == 2
    reason = "File exists" if kind == "file" else "Permission denied"
    assert lines == [f"error: {out}: cannot write reports there ({reason})"]
    assert stdout == ""
