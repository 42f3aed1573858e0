"""File input and output: atomic writes, strict JSON, and reading a sweep's stored records.

A file is either its old complete self or its new complete self.

Every file the package writes (sweep stores, CSV tables, figures, OpenQASM exports, JSON
records) goes through :func:`atomic_path`: the content is written to a temporary file in the
same folder, flushed and fsynced, then renamed over the target with :func:`os.replace` (atomic
on POSIX and Windows within one file system), and the folder entry is fsynced. A process killed
mid-write, a full disk or an exception inside the ``with`` block leaves the old file untouched
and removes the temporary file (a hard kill can leave a hidden ``.NAME.*.tmp...`` file behind,
never a truncated target).

JSON is strict (:func:`json_safe`): NaN is written as ``null`` and infinities as the strings
``"inf"`` / ``"-inf"``, so every file parses in any JSON reader. :func:`read_results` reads the
``results.jsonl`` records of a sweep folder without repairing anything, as dicts or (``as_frame=True``,
needs the ``frames`` extra: ``pip install -e ".[frames]"``) as a pandas DataFrame of
:func:`flatten_record` columns.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from ._checks import InputError, quote

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "fsync_dir", "json_safe", "to_json",
           "save_json", "load_json", "read_results", "read_jsonl", "flatten_record", "AXIS_SUFFIXES", "RESULTS"]

#: Name of a sweep folder's record file (one JSON object per line).
RESULTS = "results.jsonl"

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


def json_safe(obj: Any) -> Any:
    """Plain, strict-JSON data: numpy scalars and arrays to Python, NaN -> None, +-inf -> "inf"/"-inf"."""
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    elif isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        if np.isnan(obj):
            return None
        return obj if np.isfinite(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


def to_json(record: Any) -> str:
    """Strict-JSON text of ``record.to_dict()`` (or a plain dict), as :func:`save_json` writes."""
    data = record.to_dict() if hasattr(record, "to_dict") else record
    return json.dumps(json_safe(data), indent=2)


def save_json(record: Any, path: str | Path) -> None:
    """Write ``record.to_dict()`` (or a plain dict) to ``path`` as strict JSON.

    NaN is written as null and infinities as the strings "inf" / "-inf" (which ``float()``
    and the package's validators read back). The file is replaced atomically: an interrupted
    write leaves the previous file complete (:func:`atomic_write_text`).
    """
    atomic_write_text(path, to_json(record) + "\n")


def load_json(path: str | Path) -> dict[str, Any]:
    """Read a JSON file written by :func:`save_json`."""
    data: dict[str, Any] = json.loads(Path(path).read_text())
    return data


def read_jsonl(path: Path, check: Callable[[Any], str | None]) -> tuple[dict[int, dict[str, Any]], list[bytes],
                                                                         list[tuple[int, bytes, str]], bool]:
    """Read and validate every line of a JSONL record file (absent: nothing).

    ``check(obj)`` returns a reason for rejecting ``obj`` or None; an accepted object has an
    integer ``index``. A line is damaged if it is not UTF-8, not JSON, rejected by ``check`` or
    repeats an index already seen (the first copy is kept).

    Returns:
        ``(records by index, good raw lines, damaged (line number, raw bytes, reason), whether the
        last line is a good record without its newline)``.
    """
    records: dict[int, dict[str, Any]] = {}
    good: list[bytes] = []
    bad: list[tuple[int, bytes, str]] = []
    unterminated = False
    if not path.exists():
        return records, good, bad, unterminated
    lines = path.read_bytes().split(b"\n")
    tail_missing = lines[-1] != b""
    if not tail_missing:
        lines.pop()
    for n, raw in enumerate(lines, start=1):
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            reason: str | None = "not UTF-8"
        except (ValueError, RecursionError):
            reason = "torn or not JSON" if n == len(lines) and tail_missing else "not JSON"
        else:
            reason = check(obj)
            if reason is None and obj["index"] in records:
                reason = f"repeats index {obj['index']}"
        if reason is not None:
            bad.append((n, raw, reason))
            continue
        records[obj["index"]] = obj
        good.append(raw)
        if n == len(lines) and tail_missing:
            unterminated = True
    return records, good, bad, unterminated


def _loose_check(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return "not a JSON object"
    index = obj.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        return "no integer 'index' >= 0"
    return None


#: Column suffixes of the three entries of a length-3 list (Bloch vectors and their errors: X, Y, Z).
AXIS_SUFFIXES = ("x", "y", "z")
_NON_FINITE = {"inf": float("inf"), "-inf": float("-inf")}


def flatten_record(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """One scalar per column name: how :func:`read_results` (``as_frame=True``) names a record's fields.

    Nested objects give dotted names (``exact.l1_norm``, ``perturbative.facets.+rx+ry+rz``); a list of
    length 3 gives ``NAME.x``, ``NAME.y``, ``NAME.z`` (every length-3 list of the records is indexed by
    the Bloch axes: ``exact.bloch.x``); any other list gives ``NAME.0``, ``NAME.1``, ... (applied
    recursively, e.g. tomography counts ``...counts.x.0``). The strict-JSON encodings are undone: the
    strings ``"inf"`` / ``"-inf"`` become floats and ``null`` stays ``None`` (pandas shows it as missing).
    The CSV table of a sweep indexes every list by number (``exact.bloch.0``).
    """
    flat: dict[str, Any] = {}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(value, list | tuple):
            names = AXIS_SUFFIXES if len(value) == 3 else [str(j) for j in range(len(value))]
            for name, v in zip(names, value, strict=True):
                walk(v, f"{key}.{name}" if key else name)
        else:
            flat[key] = _NON_FINITE.get(value, value) if isinstance(value, str) else value

    walk(record, prefix.rstrip("."))
    return flat


def _frame(records: list[dict[str, Any]]) -> Any:
    """The records as a pandas DataFrame indexed by ``index`` (pandas is the optional frames extra)."""
    try:
        import pandas as pd  # lazy: optional (the frames extra), needed only for as_frame=True
    except ImportError:
        raise ImportError('read_results(..., as_frame=True) needs pandas: pip install -e ".[frames]"') from None
    rows = [flatten_record(r) for r in records]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    if "index" in frame.columns:
        frame = frame.set_index("index").sort_index()
    return frame


@overload
def read_results(out_dir: str | Path, config: Any = None, *,
                 as_frame: Literal[False] = False) -> list[dict[str, Any]]: ...
@overload
def read_results(out_dir: str | Path, config: Any = None, *, as_frame: Literal[True]) -> Any: ...


def read_results(out_dir: str | Path, config: Any = None, *, as_frame: bool = False) -> Any:
    """The valid records of a sweep folder, sorted by index (read only; nothing is repaired).

    Damaged lines (torn, not JSON, not an object with an integer ``index``, a repeated index;
    with ``config`` also every check of the resume path) are skipped with a warning naming the
    file and line.

    Args:
        out_dir: the sweep's output folder.
        config: if given, a :class:`qc_reset.workflows.sweep.SweepConfig` (anything with a
            ``record_check()`` method): records are checked against its grid, seed and outputs.
        as_frame: return a pandas DataFrame instead of the list of dicts: one row per record,
            indexed by ``index`` (sorted), one column per scalar field named by :func:`flatten_record`
            (a field absent from a record is missing in its row). Needs pandas, the ``frames`` extra
            (``pip install -e ".[frames]"``); without it an ImportError says so.

    Returns:
        A list of dicts, or with ``as_frame=True`` a ``pandas.DataFrame``.
    """
    if not isinstance(as_frame, bool):
        raise InputError(f"as_frame must be True or False; got {quote(as_frame)}")
    path = Path(out_dir) / RESULTS
    records, _, bad, _ = read_jsonl(path, _loose_check if config is None else config.record_check())
    for line, _, reason in bad:
        warnings.warn(f"{path} line {line}: {reason}; skipped", stacklevel=2)
    ordered = [records[i] for i in sorted(records)]
    return _frame(ordered) if as_frame else ordered
