"""A study's files packed to travel with the work, for workers that cannot see them.

A Dask worker may run on another machine, without the user's folders. The batch
packs every file the study's reports depend on (`Study.data_files`, the files its
content hash covers) into a `StudyBundle` named by the hash of that content; Dask
sends it once to each worker, which unpacks it once into its own temporary
folder, under the study's own name, and points the notebooks' ``data`` there. The
shipped study needs no bundle: every worker has the package.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from synergi_analysis._io import shipped_data_dir
from synergi_analysis.errors import StudyError


@dataclass(frozen=True)
class StudyBundle:
    """A study's files: ``name`` (its folder or file name), and each file's content.

    ``files`` maps a path relative to the study folder (or, for a study that is
    one file, the file's name) to its bytes; ``digest`` is a hash of them all.
    """

    name: str
    folder: bool
    files: dict[str, bytes] = field(repr=False)
    digest: str = ""


def _digest(name: str, folder: bool, files: dict[str, bytes]) -> str:
    # The name too: reports show it, and one worker may hold two copies of one content.
    h = hashlib.sha256(name.encode())
    h.update(b"/\0" if folder else b"\0")
    for rel in sorted(files):
        h.update(rel.encode())
        h.update(b"\0")
        h.update(hashlib.sha256(files[rel]).hexdigest().encode())
    return h.hexdigest()


def pack_files(root: str | Path, files: Iterable[str | Path]) -> StudyBundle:
    """``files`` (inside the folder ``root``, or ``root`` itself when it is a file) packed.

    Raises
    ------
    StudyError
        A file lies outside ``root`` or cannot be read.
    """
    root = Path(root).expanduser().resolve()
    packed: dict[str, bytes] = {}
    for path in files:
        path = Path(path).resolve()
        if root.is_dir() and path.is_relative_to(root):
            rel = path.relative_to(root).as_posix()
        elif path == root:
            rel = root.name
        else:
            raise StudyError(f"{path}: a report depends on this file outside {root}; "
                             "a Dask worker could not read it (move it into that folder)")
        try:
            packed[rel] = path.read_bytes()
        except OSError as exc:
            raise StudyError(f"{path}: cannot read ({exc.strerror})") from None
    folder = root.is_dir()
    return StudyBundle(name=root.name, folder=folder, files=packed,
                       digest=_digest(root.name, folder, packed))


def pack_study(study, data: str | Path | None) -> StudyBundle | None:
    """The files a worker needs to load ``data`` as this machine does; None for the shipped study.

    Files inside the study folder (or the study's one file) are packed; files of the
    shipped study (the shipped codebook a folder without its own falls back on) are
    on every worker already.

    Raises
    ------
    StudyError
        A file the study depends on lies outside its folder and outside the
        package, so a worker could not load the study as this machine does.
    """
    if data is None:
        return None
    shipped = shipped_data_dir().resolve()
    needed = [p for p in map(Path, study.data_files())
              if not Path(p).resolve().is_relative_to(shipped)
              or Path(p).resolve().is_relative_to(Path(data).expanduser().resolve())]
    return pack_files(data, needed)


def pack_batch(jobs, study, data: str | Path | None) -> dict[str, StudyBundle]:
    """Every bundle the reports need, by the path their parameters name it with.

    The batch's study (``data``), and any folder or file a report's parameters name
    that holds files the report reads beyond the study (``ReportJob.files``: a
    second coding), each packed once however many reports name it.
    """
    bundles: dict[str, StudyBundle] = {}
    if data is not None:
        bundles[str(Path(data).expanduser().resolve())] = pack_study(study, data)
    for job in jobs:
        if not job.files:
            continue
        for value in job.parameters.values():
            if not isinstance(value, str) or value in bundles or not Path(value).is_absolute():
                continue
            root = Path(value)
            inside = [f for f in job.files
                      if Path(f) == root or Path(f).is_relative_to(root)]
            if inside:
                bundles[value] = pack_files(root, inside)
    return bundles


def unpack_study(bundle: StudyBundle, base: str | Path) -> Path:
    """The study on this machine: unpacked once into ``base``, reused by later reports.

    The files go to ``base/synergi-study-<digest>/<name>``; unpacking writes into a
    temporary folder that is renamed into place, so reports running side by side
    never see a study half written, and a study already there is used as it is.
    """
    base = Path(base)
    home = base / f"synergi-study-{bundle.digest[:32]}"
    target = home / bundle.name
    if target.exists():
        return target
    staging = Path(tempfile.mkdtemp(dir=base, prefix=".synergi-study-"))
    try:
        top = staging / bundle.name
        if bundle.folder:
            top.mkdir()
        for rel, content in bundle.files.items():
            parts = PurePosixPath(rel).parts
            if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
                raise StudyError(f"{rel!r}: not a path inside the study")
            path = top.joinpath(*parts) if bundle.folder else top
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        try:
            os.rename(staging, home)
        except OSError:
            if not target.exists():  # not another report's unpacking that won the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def worker_folder() -> Path:
    """This worker's own temporary folder (Dask's, removed with the worker), else the system's."""
    try:
        from distributed import get_worker

        return Path(get_worker().local_directory)
    except (ImportError, ValueError):
        return Path(tempfile.gettempdir())
