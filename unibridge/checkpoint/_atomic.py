"""Writing a file so that its name only ever holds a complete version.

The bytes go to a file in the target's directory that has no name yet
(Linux ``O_TMPFILE``), are flushed to the disk (``fsync``), get a temporary
name, and ``os.replace`` puts them under the real name in one step; the
directory is synced so the rename survives a power cut. A crash or a
``kill -9`` at any point before the rename leaves the old file as it was and
no temporary file behind (an unnamed file vanishes with its process; only the
microseconds between naming and renaming could leave one). Where
``O_TMPFILE`` is missing (other systems, some file systems) a named
temporary file is used, removed again when the write fails; so it is where
the system makes unnamed files but refuses to name one (no linking through /proc).

Readers that memory-mapped the old file keep reading the old bytes: the
rename gives the name to a new file and never touches the old one.

Example:
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_atomically(os.path.join(d, "f"), [b"abc", b"def"])
    >>> open(os.path.join(d, "f"), "rb").read(), os.listdir(d)
    (b'abcdef', ['f'])
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = ["write_atomically"]

# Linux caps one write() at 2 GiB - 4 KiB; smaller pieces also keep memoryview slices cheap.
_PIECE = 1 << 30


def _write_all(fd: int, data: Any) -> None:
    """Write every byte of the buffer ``data`` (``os.write`` may write fewer)."""
    view = memoryview(data).cast("B")
    while view:
        done = os.write(fd, view[:_PIECE])
        view = view[done:]


def _temp_name(directory: str, target: str) -> str:
    return os.path.join(directory, f".{os.path.basename(target)}.{os.urandom(6).hex()}.tmp")


def _open_unnamed(directory: str) -> int | None:
    """An unnamed writable file in ``directory``, or None where the system cannot make one."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY, 0o666)
    except OSError:  # EOPNOTSUPP, EISDIR (no unnamed files here), or a missing directory,
        return None  # which the named file's open then reports


def _name_unnamed(fd: int, name: str) -> None:
    """Give the unnamed file ``fd`` the name ``name`` (``linkat`` following /proc's link).

    A directory fd is passed so that Python calls ``linkat(..., AT_SYMLINK_FOLLOW)``:
    with none, ``os.link`` calls ``link()``, which does not follow the /proc link (EXDEV).
    """
    dfd = os.open(os.path.dirname(name), os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{fd}", os.path.basename(name), dst_dir_fd=dfd, follow_symlinks=True)
    finally:
        os.close(dfd)


def write_atomically(path: str, pieces: Sequence[Any], *, unnamed: bool = True) -> None:
    """Write ``pieces`` (buffers, in order) to ``path``, replacing it in one step.

    ``unnamed=False`` uses a named temporary file even where an unnamed one is possible.
    """
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    fd = _open_unnamed(directory) if unnamed else None
    if fd is None or not _write_unnamed(fd, pieces, directory, target):
        _write_named(pieces, directory, target)
    _sync_directory(directory)


def _write_unnamed(fd: int, pieces: Sequence[Any], directory: str, target: str) -> bool:
    """Write, sync, name and rename the unnamed file ``fd``; False when it cannot be named
    (a system that makes unnamed files but refuses the /proc link), having changed nothing."""
    temp: str | None = None
    try:
        for piece in pieces:
            _write_all(fd, piece)
        os.fsync(fd)
        name = _temp_name(directory, target)
        try:
            _name_unnamed(fd, name)
        except OSError:
            return False
        temp = name
        os.replace(temp, target)
        temp = None
        return True
    finally:
        os.close(fd)
        if temp is not None:
            _remove(temp)


def _write_named(pieces: Sequence[Any], directory: str, target: str) -> None:
    """The same through a named temporary file, removed again if anything fails."""
    temp = _temp_name(directory, target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    renamed = False
    try:
        for piece in pieces:
            _write_all(fd, piece)
        os.fsync(fd)
        os.replace(temp, target)
        renamed = True
    finally:
        os.close(fd)
        if not renamed:
            _remove(temp)


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _sync_directory(directory: str) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # a directory that cannot be opened (Windows): the rename is still atomic
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
