"""Atomic writes: an interrupted or failed write leaves the old file complete, no temporaries."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from qc_reset.io import atomic_path, atomic_write_bytes, atomic_write_text


class Killed(BaseException):
    """Stands in for a kill mid-write (BaseException, like KeyboardInterrupt/SystemExit)."""


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "one\n")
    atomic_write_text(target, "two ü\n")
    assert target.read_bytes() == "two ü\n".encode()
    atomic_write_bytes(target, b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    assert _entries(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("exc", [Killed, OSError(errno.ENOSPC, "No space left on device")],
                         ids=["kill", "disk-full"])
def test_interrupted_write_keeps_old_file(tmp_path: Path, exc: BaseException | type) -> None:
    target = tmp_path / "fig5.csv"
    target.write_text("good\n")
    with pytest.raises((Killed, OSError)), atomic_path(target) as tmp:
        with open(tmp, "w") as fh:
            fh.write("half a tab")
        raise exc  # type: ignore[misc]
    assert target.read_text() == "good\n"
    assert _entries(tmp_path) == ["fig5.csv"]  # the temporary file is gone


def test_temporary_keeps_suffix_and_folder(tmp_path: Path) -> None:
    target = tmp_path / "fig5.png"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp.name.startswith(".fig5.png.")
        tmp.write_bytes(b"png")
    assert target.read_bytes() == b"png"


def test_permissions_follow_umask_or_existing_file(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        import qc_reset.io as io_mod

        io_mod._UMASK = None  # re-read the umask set above
        new = tmp_path / "new.txt"
        atomic_write_text(new, "x")
        assert stat.S_IMODE(new.stat().st_mode) == 0o640  # 0o666 & ~0o027, as open() would give
        kept = tmp_path / "kept.txt"
        kept.write_text("x")
        os.chmod(kept, 0o600)
        atomic_write_text(kept, "y")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    finally:
        os.umask(old)
        io_mod._UMASK = None


def test_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nope" / "a.txt", "x")


def _disk_full(fd: int) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_package_writers_keep_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """save_json, the figure CSVs and the OpenQASM export go through the atomic path."""
    from qc_reset.circuits import qasm as circuits
    from qc_reset.io import save_json
    from qc_reset.workflows.figures import SeriesLog

    json_path, csv_path = tmp_path / "r.json", tmp_path / "fig5.csv"
    qasm_dir = tmp_path / "circuits"
    qasm_dir.mkdir()
    old = {json_path: "old json", csv_path: "old csv"}
    for name in ("dilated_step.qasm", "dilated_run.qasm", "reference.json"):
        old[qasm_dir / name] = f"old {name}"
    for p, text in old.items():
        p.write_text(text)
    monkeypatch.setattr(circuits, "reference_circuits", _tiny_reference)
    monkeypatch.setattr("qc_reset.io.os.fsync", _disk_full)
    with pytest.raises(OSError, match="No space"):
        save_json({"a": 1.0}, json_path)
    log = SeriesLog(title="t", params={"g": 0.1})
    log.add("s", [0.0, 1.0], [1.0, 2.0])
    with pytest.raises(OSError, match="No space"):
        log.write_csv(csv_path)
    with pytest.raises(OSError, match="No space"):
        circuits.export_qasm(qasm_dir)
    assert {p: p.read_text() for p in old} == old
    assert sorted(p.name for p in tmp_path.rglob(".*")) == []  # no temporaries left


def _tiny_reference() -> tuple[dict[str, object], dict[str, object]]:
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(1)
    qc.reset(0)
    params = {"g": 0.1, "p1": 0.3, "p2": 0.3, "T1": 0.1, "T2": 0.02}
    return {"dilated_step": qc, "dilated_run": qc}, {"params": params, "dt": 0.1, "order": 2, "steps": 1,
                                                    "tol": 1e-6}
