"""The container of a REFI-QDA project, read safely: a ``.qdpx`` zip or a loose ``.qde``.

A ``.qdpx`` is read in memory, member by member, never extracted: an entry whose
name is absolute or climbs out with ``..``, or two entries with one name, make the
whole archive refused; every member is read in bounded chunks against the
project's byte budget (see `synergi_analysis.qda._read`), never trusting the
sizes its header claims, and refused past a compression ratio of `MAX_RATIO`.

A loose ``.qde`` reads its texts from the ``sources/`` folder beside it and
nowhere else; a symbolic link that leads out of that folder (the folder itself,
or a file in it) is refused. Texts kept outside a project are read only from a
folder the user names (`find_in`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from synergi_analysis.errors import StudyError

__all__ = ["MAX_RATIO", "open_container", "find_in", "read_bounded", "unsafe"]

#: Highest compression ratio a member may have once it is past `_RATIO_FLOOR` bytes.
MAX_RATIO = 100
_RATIO_FLOOR = 2**20
_CHUNK = 2**16


def open_container(path: Path, budget):
    """The project at ``path``: a loose ``.qde`` with its folder, or a ``.qdpx`` zip.

    ``budget`` counts every byte read (``budget.add(n, what)`` raises past the limit).
    """
    return _Folder(path, budget) if path.suffix.lower() == ".qde" else _Zip(path, budget)


def unsafe(name: str) -> bool:
    norm = name.replace("\\", "/")
    return (
        norm.startswith("/")
        or bool(re.match(r"^[A-Za-z]:", norm))
        or ".." in norm.split("/")
    )


class _Zip:
    """A ``.qdpx``: its members are read in memory, never extracted to disk."""

    def __init__(self, path: Path, budget):
        self.label = path.name
        self.budget = budget
        self.texts: dict[str, str | None] = {}
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise StudyError(
                f"{self.label}: not a readable .qdpx (zip) file: {exc}"
            ) from None
        for info in infos:
            if unsafe(info.filename):
                raise StudyError(
                    f"{self.label}: refused: the archive holds an entry named "
                    f"{info.filename!r}, a path outside the project; nothing was read"
                )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.is_dir():
                continue
            key = info.filename.replace("\\", "/").casefold()
            if key in self.members:
                # Which of the two a reader takes differs between tools: refuse rather
                # than read a text the author may not have seen.
                raise StudyError(
                    f"{self.label}: refused: the archive holds two entries named "
                    f"{self.members[key].filename!r} and {info.filename!r}"
                )
            self.members[key] = info
        qde = sorted(
            (name for name in self.members if name.endswith(".qde")),
            key=lambda n: (n.count("/"), PurePosixPath(n).name != "project.qde", n),
        )
        if not qde:
            raise StudyError(f"{self.label}: no project.qde inside; is this a REFI-QDA project?")
        self.qde = qde[0]
        self.base = self.qde.rsplit("/", 1)[0] + "/" if "/" in self.qde else ""

    def project_xml(self) -> tuple[str, bytes]:
        info = self.members[self.qde]
        return info.filename, self.read(info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        ratio_limit = max(_RATIO_FLOOR, info.compress_size * MAX_RATIO)
        out = bytearray()
        try:
            with self.zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    self.budget.add(len(chunk), f"entry {name!r}")
                    if len(out) > ratio_limit:
                        raise StudyError(
                            f"{self.label}: refused: entry {name!r} expands more than "
                            f"{MAX_RATIO} times its compressed size (a zip bomb?)"
                        )
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                RuntimeError, OSError) as exc:
            raise StudyError(
                f"{self.label}: entry {name!r} cannot be read (truncated or corrupt?): {exc}"
            ) from None
        return bytes(out)

    def find(self, ref: str, kind: str) -> bytes | None:
        ref = ref.replace("\\", "/").lstrip("/")
        candidates = [f"{self.base}sources/{ref}", f"{self.base}{ref}"]
        if kind == "relative":
            leaf = ref.rsplit("/", 1)[-1]
            candidates += [f"{self.base}sources/{leaf}", f"{self.base}{leaf}"]
        for candidate in candidates:
            info = self.members.get(candidate.casefold())
            if info is not None:
                return self.read(info)
        return None


class _Folder:
    """A loose ``.qde`` file; its sources sit in ``sources/`` (any case) beside it.

    Only that folder is read: not the folder of the ``.qde`` itself, which is
    wherever the user keeps it (a downloads folder), and never a folder the
    file names.
    """

    def __init__(self, path: Path, budget):
        self.label = path.name
        self.path = path
        self.budget = budget
        self.texts: dict[str, str | None] = {}
        self.folder = path.resolve().parent
        self.sources = None
        for child in sorted(self.folder.iterdir()):
            if child.name.casefold() == "sources" and (child.is_symlink() or child.is_dir()):
                if child.is_symlink():
                    raise StudyError(
                        f"{self.label}: refused: {child.name}/ beside the project is a "
                        f"symbolic link (to {_shown(child.readlink())}); its texts would "
                        "come from outside the project"
                    )
                self.sources = child
                break

    def project_xml(self) -> tuple[str, bytes]:
        return self.path.name, read_bounded(self.path, self.budget)

    def find(self, ref: str, kind: str) -> bytes | None:
        if self.sources is None:
            return None
        return find_in(self.sources, ref, kind, self.label, self.budget)


def _shown(value: object, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def find_in(root: Path, ref: str, kind: str, label: str, budget) -> bytes | None:
    """The bytes of ``ref`` inside the folder ``root`` (or its leaf name, for ``relative``)."""
    ref = ref.replace("\\", "/").lstrip("/")
    names = [ref] + ([ref.rsplit("/", 1)[-1]] if kind == "relative" else [])
    for name in names:
        found = _inside(root, name, label)
        if found is not None:
            return read_bounded(found, budget)
    return None


def _inside(root: Path, name: str, label: str) -> Path | None:
    """``root/name`` when it is a file inside ``root`` (case-insensitive on the leaf).

    A symbolic link on the way that leads out of ``root`` is refused, like a path
    with ``..``: the project would read a file its author never put in it.
    """
    if unsafe(name):
        return None
    root = root.resolve()
    candidate = root / name
    parent = candidate.parent
    if not parent.is_dir():
        return None
    leaf = candidate if candidate.exists() or candidate.is_symlink() else next(
        (c for c in parent.iterdir() if c.name.casefold() == candidate.name.casefold()), None)
    if leaf is None:
        return None
    real = leaf.resolve()
    if not real.is_relative_to(root):
        raise StudyError(
            f"{label}: refused: {leaf.relative_to(root)} is a symbolic link to "
            f"{_shown(real)}, outside {root.name}/"
        )
    return real if real.is_file() else None



def read_bounded(path: Path, budget) -> bytes:
    """A file's bytes, read in chunks against the project's byte budget."""
    out = bytearray()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                budget.add(len(chunk), f"file {path.name!r}")
    except OSError as exc:
        raise StudyError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return bytes(out)
