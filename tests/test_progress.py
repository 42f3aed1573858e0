"""Progress callbacks of the long calls and the progress bars of the command line.

Every callback must see ``done`` never decrease and end at ``done == total``; adding a callback must
not change a result (compared with the same call without one).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qc_reset import InputError
from qc_reset.model import Params
from qc_reset.model.progress import Progress, Tracker
from qc_reset.run.threshold import max_gate_error
from qc_reset.run.tomography import tomography_points
from qc_reset.workflows.figures import make_figures
from qc_reset.workflows.sweep import ProgressBar, parse_config, run_sweep, terminal_bar

SWEEP = """
[grid]
g = {start = 0.02, stop = 0.2, num = 5}
p1 = [0.1, 0.3]
p2 = 0.3
T1 = 0.1
T2 = 0.02
[outputs]
compute = ["exact"]
[run]
seed = 5
chunk = 3
"""


def _check(seen: list[Progress], total: int, unit: str) -> None:
    """Monotone ``done`` counts, one unit name, the last report ``done == total``."""
    assert seen, "the callback was never called"
    done = [p.done for p in seen]
    assert done == sorted(done)
    assert seen[-1].done == seen[-1].total == total
    assert {p.unit for p in seen} == {unit}
    elapsed = [p.elapsed_s for p in seen]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0


def test_tracker_and_record() -> None:
    seen: list[Progress] = []
    t = Tracker(seen.append, 10, "evaluations")
    t.step()
    t.step(2)
    t.finish()  # stopped early: the total shrinks to what was done
    t.finish()  # at most once
    assert [(p.done, p.total) for p in seen] == [(0, 10), (1, 10), (3, 10), (3, 3)]
    assert Progress.from_dict(seen[1].to_dict()) == seen[1]
    assert seen[1].fraction == pytest.approx(0.1)
    with pytest.raises(InputError, match="progress_callback must be a callable"):
        Tracker(42, 1, "points")  # type: ignore[arg-type]


def test_run_sweep_progress_and_resume(tmp_path: Path) -> None:
    cfg = parse_config(tomllib.loads(SWEEP))
    seen: list[Progress] = []
    first = run_sweep(cfg, tmp_path / "a", progress=False, progress_callback=seen.append)
    _check(seen, len(cfg), "points")
    # chunks of 3 over 10 points: 0, then 3, 6, 9, 10
    assert [p.done for p in seen] == [0, 3, 6, 9, 10]
    seen.clear()
    again = run_sweep(cfg, tmp_path / "a", resume=True, progress=False, progress_callback=seen.append)
    assert [(p.done, p.total) for p in seen] == [(10, 10)]  # nothing left: one report, already complete
    assert again == first == run_sweep(cfg, tmp_path / "b", progress=False)
    with pytest.raises(InputError, match="progress_callback"):
        run_sweep(cfg, tmp_path / "c", progress=False, progress_callback="bar")  # type: ignore[arg-type]
    assert not (tmp_path / "c").exists()  # refused before anything is created


def test_tomography_points_progress_keeps_counts() -> None:
    pts = [Params(g=g, p1=0.3, p2=0.3, T1=0.1, T2=0.02) for g in (0.03, 0.06, 0.1)]
    seen: list[Progress] = []
    kw: dict[str, Any] = {"dt": 0.5, "order": 2, "shots": 2000, "seed": 11}
    bloch, err = tomography_points(pts, **kw, progress_callback=seen.append)
    ref_bloch, ref_err = tomography_points(pts, **kw)  # one Aer run: the same seeds, so the same counts
    np.testing.assert_array_equal(bloch, ref_bloch)
    np.testing.assert_array_equal(err, ref_err)
    assert [p.done for p in seen] == [0, 1, 2, 3]
    _check(seen, 3, "points")


def test_max_gate_error_progress() -> None:
    seen: list[Progress] = []
    p = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02)
    res = max_gate_error(p, shots=0, seed=None, dt=0.5, steps=10, rtol=0.5, bracket=(1e-3, 1e-1),
                         progress_callback=seen.append)
    _check(seen, len(res.evaluations), "evaluations")
    n = len(res.evaluations)
    assert [q.done for q in seen][: n + 1] == list(range(n + 1))  # one report per circuit run
    assert len(seen) <= n + 2  # and at most one more: the bound shrunk to the runs done
    # below the bracket: one run, then the bound shrinks to it
    seen.clear()
    stab = Params(g=0.06, p1=0.3, p2=0.3, T1=1.0, T2=0.02)
    assert max_gate_error(stab, shots=0, seed=None, dt=0.5, steps=10, progress_callback=seen.append).status == \
        "below_bracket"
    _check(seen, 1, "evaluations")


def test_make_figures_progress(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    seen: list[Progress] = []
    files = make_figures(tmp_path, ["transient"], circuit=False, verbose=False, jobs=1, progress_callback=seen.append)
    assert [p.done for p in seen] == [0, 1]
    _check(seen, 1, "figures")
    assert all(f.exists() for f in files)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_bar_only_on_a_terminal() -> None:
    assert terminal_bar(io.StringIO()) is None
    bar = terminal_bar(_Tty())
    assert bar is not None
    stream = _Tty()
    own = ProgressBar(stream)
    own(Progress(3, 10, 1.0))
    own.close()
    assert stream.getvalue() == "\r[#########---------------------] 3/10 points     1.0 s\n"


def test_cli_sweep_prints_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(SWEEP)
    proc = subprocess.run([sys.executable, "-m", "qc_reset.cli", "sweep", str(cfg), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no bar, no carriage returns in a pipe
    assert "10 points" in proc.stdout


def test_cli_sweep_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    import os

    cfg = tmp_path / "cfg.toml"
    cfg.write_text(SWEEP)
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "qc_reset.cli", "sweep", str(cfg), "--out", str(tmp_path / "o")],
                              stdout=subprocess.PIPE, stderr=follower, text=True, timeout=120)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(leader)
    assert proc.returncode == 0
    text = b"".join(chunks).decode()
    assert "10/10" in text  # the last state of the bar (tqdm's or the package's own)


def test_cli_figures_prints_lines_not_a_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    proc = subprocess.run([sys.executable, "-m", "qc_reset.cli", "figures", "--out", str(tmp_path), "--only",
                           "transient", "--no-circuit"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "[#" not in proc.stderr and "[-" not in proc.stderr
    assert proc.stderr.startswith("transient: ")  # the one line per figure instead
