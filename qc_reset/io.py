"""Atomic file writes: a file is either its old complete self or its new complete self.

Every file the package writes (sweep stores, CSV tables, figures, OpenQASM exports, JSON
records) goes through :func:`atomic_path`: the content is written to a temporary file in the
same folder, flushed and fsynced, then renamed over the target with :func:`os.replace` (atomic
on POSIX and Windows within one file system), and the folder entry is fsynced. A process killed
mid-write, a full disk or an exception inside the ``with`` block leaves the old file untouched
and removes the temporary file (a hard kill can leave a hidden ``.NAME.*.tmp...`` file behind,
never a truncated target).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "fsync_dir"]

_UMASK_LOCK = threading.Lock()
_UMASK: int | None = None


def _umask() -> int:
    """The process umask (read once: ``os.umask`` can only be read by setting it)."""
    global _UMASK
    with _UMASK_LOCK:
        if _UMASK is None:
            _UMASK = os.umask(0o022)
            os.umask(_UMASK)
        return _UMASK


def fsync_dir(folder: str | Path) -> None:
    """Flush a folder's entries to disk (so a rename survives a power cut); a no-op where unsupported."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The temporary name keeps the target's suffix (``.fig5.png.k3j2.tmp.png``), so writers that
    pick a format from the extension (matplotlib) work unchanged. On success the file is
    fsynced, given the permissions a plain ``open(path, "w")`` would give (an existing target's
    mode is kept), and renamed over ``path``; on any exception it is removed and the exception
    propagates, leaving ``path`` as it was.

    Example:
        >>> with atomic_path("table.csv") as tmp:  # doctest: +SKIP
        ...     tmp.write_text("a,b\\n1,2\\n")
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                                dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as fh:  # the writer may have closed its handle without fsync
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically, encoded as ``encoding`` (UTF-8 by default)."""
    atomic_write_bytes(path, text.encode(encoding))
