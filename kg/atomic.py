"""Atomic file output: a reader (or a crash) never sees a half-written file.

Everything is written to a temporary file in the target's directory (same filesystem, so the final
``os.replace`` is atomic) and only moved over the target once writing finished without error. On
failure the temporary file is removed and any previous target is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text"]


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
