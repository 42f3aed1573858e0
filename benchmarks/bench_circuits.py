"""Benchmark of the Aer routes for a converged sweep, side by side in one run (not a test).

The sweep of the issue: 50 values of T1 (geomspace 0.05..5), g = 0.05, p1 = p2 = 0.3, T2 = 0.1, each run
on ``AerSimulator(method="density_matrix")`` to convergence (``steps="auto"``, tol 1e-10) at dt = 0.1
with Strang ordering. Every route runs the same N steps per point (N from the same ``auto_steps``),
end to end: step channels, N, circuits, Aer, results. Routes:

* ``naive``: gate-by-gate circuits with ``XXPlusYYGate`` + ``Kraus`` resets, ``transpile``d, one
  ``run`` per point (the baseline).
* ``gates/kraus``: the same gate-level circuits built Aer-native (``rxx``/``ryy``), all in one ``run``.
* ``gates/dilated``: one parametric hardware-native circuit, swept with ``parameter_binds`` in one ``run``
  (all points then share the largest N).
* ``superop``: one 16x16 ``superop`` instruction per step, all circuits in one ``run``.
* ``power``: S^N by repeated squaring in numpy, one ``superop`` instruction per point, one ``run``.

Columns: wall time (best of ``--repeats``; naive once), time per point, time per step (total / sum N),
speed-up against ``naive`` measured in the same process, and the largest deviation of the final states
from ``naive``. ``--skip-naive`` drops the baseline (ratios then missing).

    python benchmarks/bench_circuits.py [--points 50] [--repeats 3] [--skip-naive]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import qiskit
import qiskit_aer
from qiskit import transpile

from qc_reset import circuits as C
from qc_reset import simulate as sm
from qc_reset.model import Params

DT, ORDER, TOL = 0.1, 2, 1e-10


def naive(points: list[Params]) -> tuple[np.ndarray, list[int]]:
    """The baseline: XXPlusYYGate + Kraus circuits, transpiled, one run per point."""
    backend = sm.default_backend()
    rhos, ns = [], []
    for P in points:
        rho0 = np.kron(P.tau1(), P.tau2())
        n = sm.auto_steps(C.trotter_step_superop(P, DT, ORDER), rho0, TOL)
        qc = C.trotter_circuit(P, DT, n, order=ORDER, realization="kraus", exchange_gate="xx_plus_yy")
        rho = backend.run(transpile(qc, backend)).result().data()["rho"]
        rhos.append(np.asarray(rho))
        ns.append(n)
    return np.array(rhos), ns


def route(name: str, realization: str = "kraus") -> Callable[[list[Params]], tuple[np.ndarray, list[int]]]:
    """One batched route of :func:`qc_reset.simulate.simulate_many`."""

    def run(points: list[Params]) -> tuple[np.ndarray, list[int]]:
        res = sm.simulate_many(points, DT, steps="auto", order=ORDER, realization=realization, route=name,
                               tol=TOL)
        return np.array([r.rho for r in res]), [r.steps for r in res]

    return run


def best_of(fn: Callable[[list[Params]], Any], points: list[Params], repeats: int) -> tuple[float, Any]:
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(points)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()

    points = [Params(g=0.05, p1=0.3, p2=0.3, T1=float(T1), T2=0.1) for T1 in np.geomspace(0.05, 5.0, args.points)]
    route("power")(points[:2])  # warm-up: Aer's first run loads its controller
    routes: list[tuple[str, Callable[[list[Params]], Any], int]] = []
    if not args.skip_naive:
        routes.append(("naive (XXPlusYY+Kraus, transpile, 1 run/point)", naive, 1))
    routes += [
        ("gates/kraus (rxx+ryy+Kraus, 1 run)", route("gates"), args.repeats),
        ("gates/dilated (parameter_binds, 1 run)", route("gates", "dilated"), 1),
        ("superop per step (1 run)", route("superop"), args.repeats),
        ("power: superop(S^N) (1 run)  [fast path]", route("power"), args.repeats),
    ]
    rows = []
    for label, fn, reps in routes:
        t, (rhos, ns) = best_of(fn, points, reps)
        rows.append((label, t, rhos, ns))

    ref = rows[0][2] if not args.skip_naive else rows[-1][2]
    t_ref = rows[0][1] if not args.skip_naive else np.nan
    print(f"qiskit {qiskit.__version__}, qiskit-aer {qiskit_aer.__version__}, numpy {np.__version__}, "
          f"Python {platform.python_version()}; {len(points)} points (T1 geomspace 0.05..5, g=0.05, p1=p2=0.3, "
          f"T2=0.1), dt={DT}, Strang, steps=auto (tol {TOL:g}), N per point {min(rows[-1][3])}..{max(rows[-1][3])}")
    print(f"{'route':<46} {'total s':>8} {'ms/point':>9} {'us/step':>8} {'speed-up':>9} {'max|drho|':>10}")
    for label, t, rhos, ns in rows:
        dev = float(np.abs(rhos - ref).max())
        print(f"{label:<46} {t:8.3f} {1e3 * t / len(points):9.2f} {1e6 * t / sum(ns):8.2f} "
              f"{t_ref / t:8.1f}x {dev:10.1e}")


if __name__ == "__main__":
    main()
