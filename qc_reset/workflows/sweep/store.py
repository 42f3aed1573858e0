"""The on-disk sweep store: folder lock, write-once ``sweep.json``, validated JSONL records.

The format and its guarantees are stated in :mod:`qc_reset.workflows.sweep`. The store knows
nothing of physics: a record is checked by a callable the sweep supplies
(:meth:`qc_reset.workflows.sweep.config.SweepConfig.record_check`).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io as _stdio
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..._checks import InputError, quote
from ...io import RESULTS, atomic_path, atomic_write_bytes, atomic_write_text, fsync_dir, json_safe, read_jsonl

__all__ = ["folder_lock", "read_meta", "write_meta", "scan", "Scan", "repair", "append_records",
           "open_results", "write_csv", "META", "RESULTS", "QUARANTINE", "LOCK", "CSV", "MAX_META_BYTES"]

META, QUARANTINE, LOCK, CSV = "sweep.json", "results.quarantine.jsonl", ".lock", "results.csv"
#: sweep.json is a few hundred bytes; anything far larger is not ours.
MAX_META_BYTES = 1 << 20


@contextlib.contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``out/.lock`` for the block; refuse at once if it is held.

    The lock file stays (removing it would let a third writer lock a fresh inode while the
    second still holds the old one); it records the holder's pid for the refusal message.
    The lock dies with its process, so a killed sweep never leaves the folder locked.
    """
    import fcntl  # POSIX only; imported here so the rest of the package imports everywhere

    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f" (pid {pid})" if pid.isdigit() else ""
            raise InputError(f"{out} is in use by another sweep{who}; wait for it to finish or use "
                             "another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


def write_meta(out: Path, meta: dict[str, Any]) -> None:
    """Create ``sweep.json`` (atomically); it is never rewritten afterwards."""
    atomic_write_text(out / META, json.dumps(meta, indent=2, sort_keys=True) + "\n")


def read_meta(out: Path) -> dict[str, Any]:
    """The parsed ``sweep.json``; :class:`InputError` naming the file if missing or damaged."""
    path = out / META
    if not path.is_file():
        raise InputError(f"{path} is missing, so {out} cannot be resumed safely (its records cannot "
                         "be matched to this config); start a new --out")
    with open(path, "rb") as fh:
        data = fh.read(MAX_META_BYTES + 1)
    try:
        if len(data) > MAX_META_BYTES:
            raise ValueError(f"larger than {MAX_META_BYTES} bytes")
        meta = json.loads(data.decode("utf-8"))
        if not isinstance(meta, dict) or not isinstance(meta.get("fingerprint"), str):
            raise ValueError("not a JSON object with a 'fingerprint' string")
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"{path} is damaged ({str(exc)[:80]}); {out} cannot be resumed safely; "
                         "start a new --out") from None
    return meta


@dataclasses.dataclass
class Scan:
    """The result of reading ``results.jsonl``: good records and the damaged lines."""

    records: dict[int, dict[str, Any]]
    good_lines: list[bytes]
    bad: list[tuple[int, bytes, str]]  # (line number, raw bytes, reason)
    unterminated: bool  # the last line is a good record without its newline


def scan(path: Path, check: Callable[[Any], str | None]) -> Scan:
    """Read and validate every line; ``check(obj)`` returns a reason for rejecting ``obj`` or None.

    A line is damaged if it is not UTF-8, not JSON, rejected by ``check`` or repeats an index
    already seen (the first copy is kept).
    """
    return Scan(*read_jsonl(path, check))


def repair(path: Path, found: Scan, log: Callable[[str], None]) -> None:
    """Quarantine damaged lines and end the file on a newline, so appends start clean.

    Damaged lines are appended (fsynced) to ``results.quarantine.jsonl`` before ``results.jsonl``
    is atomically rewritten with the good lines only: a crash in between duplicates a line in
    the quarantine, never loses one.
    """
    if found.bad:
        qpath = path.with_name(QUARANTINE)
        with open(qpath, "ab") as fh:
            fh.write(b"".join(raw + b"\n" for _, raw, _ in found.bad))
            fh.flush()
            os.fsync(fh.fileno())
        atomic_write_bytes(path, b"".join(line + b"\n" for line in found.good_lines))
        for n, raw, reason in found.bad:
            log(f"warning: {path} line {n}: {reason} ({quote(raw[:60])}); moved to {qpath}, "
                "the point will be recomputed")
    elif found.unterminated:  # a complete record whose newline was lost: keep it, add the newline
        with open(path, "ab") as fh:
            fh.write(b"\n")
            fh.flush()
            os.fsync(fh.fileno())


def append_records(fh: IO[bytes], records: Sequence[dict[str, Any]]) -> None:
    """Append records as JSON lines in one write, then flush and fsync (a crash tears one tail)."""
    fh.write(b"".join(json.dumps(json_safe(r)).encode() + b"\n" for r in records))
    fh.flush()
    os.fsync(fh.fileno())


def open_results(path: Path) -> IO[bytes]:
    """Open ``results.jsonl`` for appending (created if absent, its folder entry fsynced)."""
    new = not path.exists()
    fh = open(path, "ab")
    if new:
        fsync_dir(path.parent)
    return fh


def _flatten(rec: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for k, v in rec.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            flat.update(_flatten(v, key + "."))
        elif isinstance(v, list) and all(not isinstance(x, list | dict) for x in v):
            for j, x in enumerate(v):
                flat[f"{key}.{j}"] = x
        else:
            flat[key] = v if not isinstance(v, list) else json.dumps(v)
    return flat


def write_csv(records: list[dict[str, Any]], path: Path) -> None:
    """Write the flattened records as CSV, atomically (a full disk keeps the old table)."""
    rows = [_flatten(r) for r in records]
    fields: list[str] = []
    seen: set[str] = set()
    for r in rows:
        for k in r:
            if k not in seen:
                seen.add(k)
                fields.append(k)
    buf = _stdio.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        fh.write(buf.getvalue())
