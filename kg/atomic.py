"""Atomic file output: a reader (or a crash) never sees a half-written file, nor a folder of mixed outputs.

Everything is written to a temporary file in the target's directory (same filesystem, so the final
``os.replace`` is atomic) and only moved over the target once writing finished without error. On
failure the temporary file is removed and any previous target is left untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = [
    "OutputBusyError",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "clean_stale",
    "output_lock",
    "replace_folder",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, on error it is deleted.

    The temporary name keeps the target's suffix because some writers (matplotlib, pandas) pick the
    format from the extension. The file already exists (empty) when yielded.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")
    # os.open with mode 0o666 lets the umask decide permissions, unlike mkstemp's fixed 0o600.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; bytes are written as-is so newlines are never translated."""
    return atomic_write_bytes(path, text.encode(encoding))


def _fsync_file(path: Path) -> None:
    # Flush the data to disk before the rename so a power loss cannot leave an empty "new" file.
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    # Persist the rename itself. Best effort: Windows cannot open directories and some network
    # filesystems reject fsync on them, and the data is already safely in place by now.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- a folder of outputs as one unit -----------------------------------------------------------------

# Old kg versions wrote each output file through a hidden temporary beside it (.graph.<hex>.tmp.graphml).
_FILE_LITTER = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp(\.[^.]*)?$")
_RENAME_EXCHANGE = 2  # linux/fs.h


class OutputBusyError(RuntimeError):
    """Another process holds the output folder's lock."""


def sibling(target: Path, kind: str) -> Path:
    """kg's hidden working path beside ``target``: its lock, a staging folder, a previous output."""
    return target.with_name(f".{target.name}.kg-{kind}")


@contextlib.contextmanager
def output_lock(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock of output folder ``target`` (a file beside it) or raise ``OutputBusyError`` at once.

    Under the lock, what a killed run left behind is cleaned up first (see :func:`clean_stale`). The lock
    file is removed on release; an inode check makes a process that opened it just before its removal retry.
    """
    target = Path(os.path.realpath(target))
    lock = sibling(target, "lock")
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = lock.read_text(encoding="utf-8", errors="replace").strip() or "?"
            raise OutputBusyError(
                f"{target} is being written by another kg build (process {holder}, lock {lock}); "
                "wait for it to finish or choose another output folder"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        clean_stale(target)
        yield lock
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)


def clean_stale(target: Path) -> None:
    """Remove the staging folders of killed runs; put a previous output back if a run died mid-swap."""
    for path in target.parent.glob(f".{glob.escape(target.name)}.kg-*"):
        if path.name.endswith(".old") and not target.exists():
            os.rename(path, target)
        elif path.name.endswith((".tmp", ".old")):
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def replace_folder(target: str | os.PathLike[str], owned: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; on success it becomes ``target`` in one step.

    On Linux the two folders are swapped by one ``renameat2(RENAME_EXCHANGE)``, so ``target`` always holds
    one complete set of files, the old or the new; elsewhere two renames leave a moment without ``target``,
    which :func:`clean_stale` repairs. Files in ``target`` that the new output does not contain (a
    ``.gitkeep``, a user's notes) are carried over as hard links, but for the ``owned`` names (what the previous
    run wrote: an old database must not outlive its graph). The staging folder, and after the swap the
    old output, is removed on every exit path; hold :func:`output_lock` around this.
    """
    target = Path(os.path.realpath(target))
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target}: output path is a file, not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = sibling(target, f"{secrets.token_hex(6)}.tmp")
    os.mkdir(stage, 0o777)  # the umask decides, as for any new folder
    try:
        yield stage
        if target.exists():
            _carry_over(target, stage, frozenset(owned))
            _fsync_dir(stage)
            _exchange(stage, target)
        else:
            _fsync_dir(stage)
            os.rename(stage, target)
        _fsync_dir(target.parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _carry_over(old: Path, new: Path, owned: frozenset[str]) -> None:
    for entry in os.scandir(old):
        if entry.name in owned or (new / entry.name).exists() or _FILE_LITTER.match(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, new / entry.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry.path, new / entry.name)


def _link_or_copy(source: str, destination: str | os.PathLike[str]) -> None:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically where the kernel can, else by two renames."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        at_fdcwd = -100
        if renameat2 is not None and renameat2(at_fdcwd, bytes(a), at_fdcwd, bytes(b), _RENAME_EXCHANGE) == 0:
            return
        if renameat2 is not None and ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS):
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(b))
    previous = b.with_name(a.name.removesuffix(".tmp") + ".old")
    os.rename(b, previous)
    os.rename(a, b)
    os.rename(previous, a)
