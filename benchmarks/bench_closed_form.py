"""Per-point time of the closed-form steady state against the scaled resolvent solver, side by side.

``qc_reset.steady_bloch`` uses the closed form wherever it is certified and the resolvent solve
(with its high-precision fallback) elsewhere; the baseline here is that solve on every point.

Run as ``python benchmarks/bench_closed_form.py [--points N] [--repeats R]``. The cases are
timed alternately (round-robin, best of R rounds) on the same 10^6 log-uniform points, so both
see the same machine load; the table gives microseconds per point and the ratio to the solver.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qc_reset import steady_bloch  # noqa: E402
from qc_reset.model.closed_form import steady_bloch_closed, steady_local_closed  # noqa: E402
from qc_reset.model.operators import bath_polarization  # noqa: E402
from qc_reset.model.resolvent import steady_local  # noqa: E402

__all__ = ["main"]


def _points(n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    g = rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(-4, 2, n)
    p1, p2 = 10 ** rng.uniform(-4, 2, n), 10 ** rng.uniform(-4, 2, n)
    return g, p1, p2, rng.uniform(0.01, 2.0, n), rng.uniform(0.01, 2.0, n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n = args.points
    g, p1, p2, T1, T2 = _points(n)
    z1, x2 = bath_polarization(T1), bath_polarization(T2)
    out = np.empty((n, 6))
    cases: dict[str, Callable[[], object]] = {
        "resolvent solve (every point)": lambda: steady_local(g, p1, p2, z1, x2),
        "steady_bloch (closed form where certified)": lambda: steady_bloch(g, p1, p2, T1, T2),
        "steady_bloch_closed": lambda: steady_bloch_closed(g, p1, p2, T1, T2),
        "steady_local_closed (kernel, r and s)": lambda: steady_local_closed(g, p1, p2, z1, x2, out),
    }
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.repeats):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    diff = np.abs(steady_bloch_closed(g, p1, p2, T1, T2) - steady_local(g, p1, p2, z1, x2)[:, :3]).max()
    base = best["resolvent solve (every point)"]
    print(f"{n} points, best of {args.repeats} alternating rounds")
    print(f"{'case':<44} {'us/point':>10} {'vs solver':>10}")
    for name, t in best.items():
        print(f"{name:<44} {1e6 * t / n:>10.4f} {base / t:>9.1f}x")
    print(f"largest |closed form - solver| on these points: {diff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
