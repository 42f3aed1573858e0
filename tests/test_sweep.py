"""Sweep engine: config validation, streaming to disk, resume after SIGINT/SIGKILL, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qc_reset.cli import main
from qc_reset.model import measures
from qc_reset.model.steady import steady_bloch
from qc_reset.workflows.sweep import load_config, parse_config, read_results, run_sweep

SMALL = """
[grid]
g = {start = 0.01, stop = 0.2, num = 4}
p1 = [0.1, 0.3]
p2 = "p1"
T1 = 0.1
T2 = [0.0, 0.05]
[outputs]
compute = ["exact"]
[run]
seed = 7
chunk = 3
"""


def _write(tmp_path: Path, text: str, name: str = "cfg.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_small_sweep_matches_exact_solver(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    assert len(cfg) == 4 * 2 * 2
    recs = run_sweep(cfg, tmp_path / "out", progress=False)
    assert [r["index"] for r in recs] == list(range(16))
    for r in recs:
        assert r["p2"] == r["p1"]  # the tie
        expect = steady_bloch(r["g"], r["p1"], r["p2"], r["T1"], r["T2"])
        np.testing.assert_allclose(r["exact"]["bloch"], expect, atol=1e-15)
        assert r["exact"]["l1_norm"] == pytest.approx(float(measures.l1_norm(expect)), abs=1e-15)
    assert (tmp_path / "out" / "results.csv").read_text().count("\n") == 17


def test_existing_results_need_resume(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    run_sweep(cfg, tmp_path / "out", progress=False)
    with pytest.raises(ValueError, match="--resume"):
        run_sweep(cfg, tmp_path / "out", progress=False)
    # Resuming a finished sweep computes nothing new and returns the same records.
    again = run_sweep(cfg, tmp_path / "out", resume=True, progress=False)
    assert len(again) == 16
    changed = load_config(_write(tmp_path, SMALL.replace("seed = 7", "seed = 8"), "c2.toml"))
    with pytest.raises(ValueError, match="different sweep"):
        run_sweep(changed, tmp_path / "out", resume=True, progress=False)


def test_torn_last_line_is_recomputed(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    full = run_sweep(cfg, tmp_path / "full", progress=False)
    out = tmp_path / "torn"
    run_sweep(cfg, out, progress=False)
    lines = (out / "results.jsonl").read_text().splitlines(keepends=True)
    (out / "results.jsonl").write_text("".join(lines[:5]) + lines[5][:20])  # killed mid-write
    with pytest.warns(UserWarning, match="results.jsonl line 6: torn"):
        assert len(read_results(out)) == 5
    resumed = run_sweep(cfg, out, resume=True, progress=False)
    assert resumed == full


BAD_CONFIGS = [
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\n", "grid.T2"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\nq = 1\n", "grid.['q']"),
    ("[grid]\ng = 0.1\np1 = -0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n", "p1 must be"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 'p9'\nT1 = 0.1\nT2 = 0\n", "grid.p2"),
    ("[grid]\ng = {start = 0, stop = 1}\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n", "range table"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n[outputs]\ncompute = ['magic']\n", "outputs.compute"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n[run]\nseed = -1\n", "run.seed"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n[run]\nspeed = 1\n", "run.['speed']"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\ndt = 0\n", "grid.dt"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\nshots = 1.5\n", "grid.shots"),
    ("[grids]\n", "unknown section"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\nnoise = 'garbage'\n", "grid.noise"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\nshots = [100, 0]\n[outputs]\ncompute = ['tomography']\n",
     "grid.shots >= 1"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\nnoise = 'depol=1e-3'\n[run]\nrealization = 'kraus'\n",
     "run.realization"),
    ("[grid]\ng = 0\np1 = 0.1\np2 = 0\nT1 = 0.1\nT2 = 0\n", "no unique steady state"),
    ("[grid]\ng = 0.1\np1 = 0\np2 = 0.1\nT1 = 0.1\nT2 = 0\n[outputs]\ncompute = ['perturbative']\n", "grid.p1 > 0"),
    ("[grid]\ng = {start = 0, stop = 1, num = -3}\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n", "grid.g: the number"),
    ("[grid]\ng = {geomspace = [0, 1, 3]}\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n", "geomspace ends"),
    ("[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n[run]\norder = 7\n", "run.order"),
]


@pytest.mark.parametrize(("text", "match"), BAD_CONFIGS, ids=[m for _, m in BAD_CONFIGS])
def test_config_errors_name_the_key(tmp_path: Path, text: str, match: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=None) as info:
        load_config(path)
    assert match in str(info.value)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid TOML"):
        load_config(_write(tmp_path, "[grid\n"))
    with pytest.raises(ValueError, match="not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ValueError, match="missing \\[grid\\]"):
        parse_config({})


LONG = """
[grid]
g = {geomspace = [0.001, 0.5, 60]}
p1 = {start = 0.05, stop = 1.0, num = 40}
p2 = "p1"
T1 = 0.1
T2 = 0.02
[outputs]
compute = ["exact"]
[run]
seed = 3
chunk = 1
"""


def _start(cfg: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    # A process started in the background by a non-interactive shell inherits SIGINT ignored, and Python
    # then never raises KeyboardInterrupt: restore the default so the interrupt test means the same everywhere.
    return subprocess.Popen([sys.executable, "-m", "qc_reset.cli", "sweep", str(cfg), "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen[str], timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if path.exists() and path.read_text().count("\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"sweep finished before it could be interrupted: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.01)
    pytest.fail("sweep did not start writing")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_then_resumed_equals_uninterrupted(tmp_path: Path, sig: signal.Signals) -> None:
    cfg_path = _write(tmp_path, LONG)
    cfg = load_config(cfg_path)
    reference = run_sweep(cfg, tmp_path / "ref", progress=False)
    out = tmp_path / "run"
    proc = _start(cfg_path, out)
    _wait_for_lines(out / "results.jsonl", 50, proc)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL
    partial = read_results(out)
    assert 50 <= len(partial) < len(cfg)
    proc = _start(cfg_path, out, "--resume")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    resumed = sorted(read_results(out), key=lambda r: r["index"])
    assert resumed == reference
    assert (out / "results.csv").read_text() == (tmp_path / "ref" / "results.csv").read_text()


def test_dask_local_cluster_matches_local(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    local = run_sweep(cfg, tmp_path / "local", progress=False)
    dask = run_sweep(cfg, tmp_path / "dask", executor="dask", n_workers=2, progress=False)
    assert dask == local
    on_disk = [json.loads(x) for x in (tmp_path / "dask" / "results.jsonl").read_text().splitlines()]
    assert sorted(r["index"] for r in on_disk) == list(range(len(cfg)))


TOMO = """
[grid]
g = [0.06, 0.2]
p1 = 0.3
p2 = "p1"
T1 = [0.1, 0.3]
T2 = 0.02
dt = 0.5
shots = 2000
[outputs]
compute = ["exact", "circuit", "tomography"]
[run]
seed = 11
chunk = 1
"""


def test_seeded_tomography_sweep_resumes_identically(tmp_path: Path) -> None:
    """Shot noise is drawn from each point's own seed, so a resumed sweep equals a full one."""
    cfg = load_config(_write(tmp_path, TOMO))
    full = run_sweep(cfg, tmp_path / "full", progress=False)
    assert all("tomography" in r and "circuit" in r for r in full)
    out = tmp_path / "part"
    run_sweep(cfg, out, progress=False)
    lines = (out / "results.jsonl").read_text().splitlines(keepends=True)
    (out / "results.jsonl").write_text(lines[0] + lines[2])  # points 1 and 3 lost
    resumed = run_sweep(cfg, out, resume=True, progress=False)
    assert resumed == full
    # Different points got different shot noise (independent per-point streams).
    counts = {json.dumps(r["tomography"]["counts"]) for r in full}
    assert len(counts) == len(full)


def test_example_config_is_valid() -> None:
    cfg = load_config(Path(__file__).resolve().parents[1] / "examples" / "sweep.toml")
    assert len(cfg) == 36 and cfg.outputs == ("exact", "perturbative", "tomography")


def test_dask_existing_scheduler_via_cli(tmp_path: Path) -> None:
    """--scheduler ADDRESS runs the points on an already running cluster."""
    from dask.distributed import LocalCluster

    cfg_path = _write(tmp_path, SMALL)
    local = run_sweep(load_config(cfg_path), tmp_path / "local", progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert main(["sweep", str(cfg_path), "--out", str(tmp_path / "remote"), "--executor", "dask",
                     "--scheduler", cluster.scheduler_address, "--no-progress"]) == 0
    assert sorted(read_results(tmp_path / "remote"), key=lambda r: r["index"]) == local
