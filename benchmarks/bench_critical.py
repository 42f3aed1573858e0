"""Benchmark: exact T_crit for 50 values of p (p1 = p2 = p, T2 = 0.02), side by side.

Compares ``qc_reset.critical.critical_temperature`` (grid + golden-section refinement on the
6x6 resolvent solver) with a brute-force baseline that maximizes ||r||_1 over a dense g grid
using batched 16x16 Liouvillian solves (``np.linalg.solve``), both measured in this run.

    python benchmarks/bench_critical.py [--repeats 3] [--grid 4000]
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_of

from qc_reset import model
from qc_reset.critical import critical_temperature
from qc_reset.exact import generator


def brute_force_tcrit(p: np.ndarray, T2: float, n_grid: int) -> np.ndarray:
    """T_crit from the max of ||r||_1 over a dense g grid, 16x16 (Pauli-basis) solves."""
    g = np.concatenate([np.geomspace(1e-6, 0.05, n_grid // 4), np.linspace(0.05, 3.0, n_grid - n_grid // 4)])
    out = np.empty(p.size)
    for i, pi in enumerate(p):
        G = generator(g, pi, pi, 0.0, T2)  # (n_grid, 16, 16), T1 = 0: r = f
        c = np.linalg.solve(G[:, 1:, 1:], -G[:, 1:, 0:1])[:, :, 0]
        F = np.abs(c[:, [3, 7, 11]]).sum(axis=-1)  # XI, YI, ZI are components 4, 8, 12 of c
        Fmax = F.max()
        out[i] = 1.0 / (2.0 * np.arctanh(1.0 / Fmax)) if Fmax > 1 else np.nan
    return out




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--grid", type=int, default=4000, help="g grid size of the brute-force baseline")
    args = ap.parse_args()
    p = np.linspace(0.02, 2.0, 50)
    T2 = 0.02
    model.validate_params(0.1, p, p, 0.1, T2)
    critical_temperature(p[:2], p[:2], T2)  # warm-up
    t_fast, (T_fast, _) = best_of(lambda: critical_temperature(p, p, T2), args.repeats)
    t_base, T_base = best_of(lambda: brute_force_tcrit(p, T2, args.grid), args.repeats)
    dev = np.nanmax(T_base - T_fast)
    print(f"exact T_crit for {p.size} values of p (p1 = p2 = p in [0.02, 2], T2 = {T2}); best of {args.repeats}")
    print(f"{'method':<44}{'total [s]':>11}{'ratio':>9}")
    print(f"{'brute force, ' + str(args.grid) + '-point g grid, 16x16 solves':<44}{t_base:>11.4f}{1.0:>9.2f}")
    print(f"{'qc_reset.critical.critical_temperature':<44}{t_fast:>11.4f}{t_fast / t_base:>9.3f}")
    print(f"max(T_brute - T_exact) = {dev:.2e}  (the grid can only underestimate the maximum: <= 0 expected)")


if __name__ == "__main__":
    main()
