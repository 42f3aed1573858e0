"""Benchmark: the figures job and a 10^6-point exact magic map, side by side with baselines.

    python benchmarks/bench_figures.py [--skip-figures]

(1) A 1000 x 1000 exact map of the magic region in the (g, T1) plane (p1 = p2 = 0.3, T2 = 0.02):
    ``qc_reset.critical.magic_map`` (exact factorization ||r||_1 = tanh(1/2T1) F(g): 1000 solves)
    against solving the steady state at every one of the 10^6 points (batched ``steady_bloch``, in
    chunks), and against the batched 16x16 Liouvillian solve on a 10^5-point subset (scaled).
(2) ``qc-reset figures`` for all figures, with circuit points and without.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

import numpy as np
from _timing import best_of

from qc_reset import measures
from qc_reset.critical import magic_map
from qc_reset.exact import generator, steady_bloch

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
    rows = []
    for label, extra in (("qc-reset figures (all, with circuit points)", []),
                         ("qc-reset figures --no-circuit", ["--no-circuit"])):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "qc_reset.cli", "figures", "--out", out, *extra], check=True,
                           capture_output=True)
            rows.append((label, time.perf_counter() - t0))
    base = rows[1][1]
    print(f"\n{'figures job (one run each, process start included)':<52}{'time [s]':>10}{'ratio':>9}")
    for label, t in rows:
        print(f"{label:<52}{t:>10.2f}{t / base:>9.2f}")


if __name__ == "__main__":
    main()
