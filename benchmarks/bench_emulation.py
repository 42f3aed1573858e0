"""Benchmark: tomography of qubit 1 at one parameter point, 10^5 shots per basis, circuits included.

All rows are measured in one run (best of ``--repeats``, ``time.perf_counter``, warm caches) at the
reference point g=0.06, p1=p2=0.3, T1=0.1, T2=0.02 with dt=0.1, Strang order, ``steps="auto"``:

* ``run_tomography`` on the ideal path (route ``power``): circuit construction (auto steps, S^N,
  3 basis circuits), one Aer run with shots, analysis with a 1000-resample bootstrap. Target <= 0.3 s.
  Its three parts are also timed separately.
* The same on the ideal gate-level circuits (``kraus`` and ``dilated`` realizations).
* Noisy gate-level runs: a parametric model and ``fake:FakeManilaV2`` (transpile included).
* Baseline: qiskit-experiments ``StateTomography`` of the gate-level ``kraus`` circuit (same shots).
* ``tomography_points``: 10 points x 20000 shots per basis, one Aer run (the figures' path).

    python benchmarks/bench_emulation.py [--repeats 3] [--shots 100000]
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable
from typing import Any

import numpy as np
import qiskit
import qiskit_aer
from _timing import best_of

from qc_reset import emulation as em
from qc_reset import tomography
from qc_reset.model import Params

P = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02)
DT, ORDER, SEED = 0.1, 2, 1234
TARGET = 0.3




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shots", type=int, default=100_000)
    args = ap.parse_args()
    shots, rep = args.shots, args.repeats
    n = em.resolve_steps(P, DT, ORDER, "auto", em.convergence_tol(shots))

    circs = em.tomography_circuits(P, DT, steps=n, order=ORDER, route="power")
    counts = np.array([[1, 1]] * 3)

    def aer_only() -> Any:
        nonlocal counts
        res = em._ideal_backend().run(circs, shots=shots, seed_simulator=SEED).result()
        counts = np.array([[res.get_counts(i).get("0", 0), res.get_counts(i).get("1", 0)] for i in range(3)])
        return counts

    def qe_baseline() -> Any:
        return em.qiskit_experiments_tomography(P, shots=shots, seed=SEED, dt=DT, realization="kraus", steps=n)

    rows: list[tuple[str, Callable[[], Any]]] = [
        ("ideal power: run_tomography (total)", lambda: em.run_tomography(P, shots=shots, seed=SEED, dt=DT)),
        ("  part: build 3 circuits (auto steps, S^N)",
         lambda: em.tomography_circuits(P, DT, order=ORDER, route="power", tol=em.convergence_tol(shots))),
        ("  part: Aer run with shots", aer_only),
        ("  part: analyze (1000 bootstrap resamples)", lambda: tomography.analyze(counts, seed=SEED)),
        ("ideal gates kraus: run_tomography",
         lambda: em.run_tomography(P, shots=shots, seed=SEED, dt=DT, route="gates", realization="kraus")),
        ("ideal gates dilated: run_tomography",
         lambda: em.run_tomography(P, shots=shots, seed=SEED, dt=DT, route="gates")),
        ("noisy depol=1e-4,t1=100us,t2=80us,readout=0.02",
         lambda: em.run_tomography(P, shots=shots, seed=SEED, dt=DT, noise="depol=1e-4,t1=100us,t2=80us,readout=0.02")),
        ("noisy fake:FakeManilaV2 (+ mitigation)",
         lambda: em.run_tomography(P, shots=shots, seed=SEED, dt=DT, noise="fake:FakeManilaV2", mitigate=True)),
        ("baseline: qiskit-experiments StateTomography (kraus)", qe_baseline),
        ("tomography_points: 10 points x 20000 shots",
         lambda: em.tomography_points([Params(g, 0.3, 0.3, 0.1, 0.02) for g in np.linspace(0.01, 0.2, 10)],
                                      dt=DT, order=ORDER, shots=20000, seed=SEED)),
    ]
    aer_only()  # warm-up: Aer's first run and lazy imports
    print(f"# python {platform.python_version()}, qiskit {qiskit.__version__}, qiskit-aer {qiskit_aer.__version__}, "
          f"{platform.machine()}; shots/basis {shots}, steps {n}, best of {rep}")
    times = []
    for name, fn in rows:
        fn()  # warm caches (imports, transpiler, fake backend)
        times.append((name, best_of(fn, rep)[0]))
    base = dict(times)["baseline: qiskit-experiments StateTomography (kraus)"]
    print(f"{'case':<55} {'time [ms]':>10} {'vs qiskit-experiments':>22}")
    for name, t in times:
        flag = ""
        if name.startswith("ideal power"):
            flag = "  OK (<= 0.3 s)" if t <= TARGET else "  SLOW (> 0.3 s)"
        print(f"{name:<55} {1e3 * t:10.1f} {t / base:22.2f}{flag}")


if __name__ == "__main__":
    main()
