"""Benchmark: the figures job and a 10^6-point exact magic map, side by side with baselines.

    python benchmarks/bench_figures.py [--skip-figures] [--runs 3] [--before DIR]

(1) A 1000 x 1000 exact map of the magic region in the (g, T1) plane (p1 = p2 = 0.3, T2 = 0.02):
    ``qc_reset.critical.magic_map`` (exact factorization ||r||_1 = tanh(1/2T1) F(g): 1000 solves)
    against solving the steady state at every one of the 10^6 points (batched ``steady_bloch``, in
    chunks), and against the batched 16x16 Liouvillian solve on a 10^5-point subset (scaled).
(2) ``qc-reset figures`` for all figures, with circuit points and without, and in one process
    (``make_figures(jobs=1)``); with ``--before DIR`` also from another checkout of the package
    (e.g. ``git worktree add /tmp/before <rev>``), the variants taking turns in each round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import best_of

from qc_reset import measures
from qc_reset.critical import magic_map
from qc_reset.exact import generator, steady_bloch

ROOT = Path(__file__).resolve().parent.parent  # this checkout
P1 = P2 = 0.3
T2 = 0.02


def direct_map(g: np.ndarray, T1: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """||r||_1 at every grid point from a steady-state solve per point (resolvent solver)."""
    G, TT = np.meshgrid(g, T1)
    flat_g, flat_T = G.ravel(), TT.ravel()
    out = np.empty(flat_g.size)
    for i in range(0, flat_g.size, chunk):
        out[i : i + chunk] = measures.l1_norm(steady_bloch(flat_g[i : i + chunk], P1, P2, flat_T[i : i + chunk], T2))
    return out.reshape(G.shape)


def liouvillian_map_subset(g: np.ndarray, T1: np.ndarray) -> np.ndarray:
    """||r||_1 from batched 16x16 (Pauli-basis) solves at the given points."""
    G = generator(g, P1, P2, T1, T2)
    c = np.linalg.solve(G[:, 1:, 1:], -G[:, 1:, 0:1])[:, :, 0]
    return np.abs(c[:, [3, 7, 11]]).sum(axis=-1)




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-figures", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="alternating rounds of the figures job")
    ap.add_argument("--before", help="source folder of another checkout, timed side by side as 'before'")
    args = ap.parse_args()
    g = np.linspace(1e-4, 0.3, 1000)
    T1 = np.linspace(0.01, 0.4, 1000)
    t_fast, (l1_fast, _) = best_of(lambda: magic_map(g, T1, P1, P2, T2), 3)
    t_direct, l1_direct = best_of(lambda: direct_map(g, T1), repeats=1)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 1000, size=(2, 100_000))
    t_sub, l1_sub = best_of(lambda: liouvillian_map_subset(g[idx[0]], T1[idx[1]]), repeats=1)
    t_liou = t_sub * 10  # scaled to 10^6 points
    dev = max(np.abs(l1_fast - l1_direct).max(), np.abs(l1_sub - l1_fast[idx[1], idx[0]]).max())
    print("10^6-point exact magic map, (g, T1) in [1e-4, 0.3] x [0.01, 0.4], p1 = p2 = 0.3, T2 = 0.02")
    print(f"{'method':<52}{'time [s]':>10}{'ratio':>9}")
    print(f"{'16x16 Liouvillian solve per point (10^5 subset x 10)':<52}{t_liou:>10.3f}{1.0:>9.2f}")
    print(f"{'resolvent steady_bloch per point':<52}{t_direct:>10.3f}{t_direct / t_liou:>9.3f}")
    print(f"{'magic_map (factorized, 1000 solves)':<52}{t_fast:>10.4f}{t_fast / t_liou:>9.4f}")
    print(f"max |difference| between the three: {dev:.1e}")
    if args.skip_figures:
        return
    figures_job(args.runs, args.before)


def figures_job(runs: int, before: str | None) -> None:
    """Whole ``qc-reset figures`` runs (process start included), the variants taking turns."""
    env_now = dict(os.environ, PYTHONPATH=str(ROOT))
    one_process = ("import sys; from qc_reset.figures import make_figures; "
                   "make_figures(sys.argv[1], jobs=1, verbose=False)")
    cases: list[tuple[str, list[str], dict[str, str]]] = [
        ("qc-reset figures (all, circuit points)", ["-m", "qc_reset.cli", "figures", "--out"], env_now),
        ("  same, one process (make_figures jobs=1)", ["-c", one_process], env_now),
        ("qc-reset figures --no-circuit", ["-m", "qc_reset.cli", "figures", "--no-circuit", "--out"], env_now),
    ]
    if before:
        env_before = dict(os.environ, PYTHONPATH=str(Path(before).resolve()))
        cases.insert(0, ("before: qc-reset figures (all, circuit points)",
                         ["-m", "qc_reset.cli", "figures", "--out"], env_before))
    times: list[list[float]] = [[] for _ in cases]
    for _ in range(runs):
        for k, (_, argv, env) in enumerate(cases):
            with tempfile.TemporaryDirectory() as out:
                t0 = time.perf_counter()
                # A neutral working folder: with -c/-m the current folder comes first on sys.path.
                subprocess.run([sys.executable, *argv, out], check=True, capture_output=True, env=env,
                               cwd=tempfile.gettempdir())
                times[k].append(time.perf_counter() - t0)
    base = times[0]
    print(f"\nfigures job, whole process, {runs} alternating rounds; ratio: median over rounds of t / t(first row)")
    print(f"{'command':<52}{'median [s]':>11}{'min [s]':>9}{'ratio':>8}")
    for (label, _, _), t in zip(cases, times, strict=True):
        ratio = statistics.median(a / b for a, b in zip(t, base, strict=True))
        print(f"{label:<52}{statistics.median(t):>11.2f}{min(t):>9.2f}{ratio:>8.2f}")

if __name__ == "__main__":
    main()
