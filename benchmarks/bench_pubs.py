"""Benchmark: a T1 sweep as three sampler PUBs in one job vs 150 circuits run one at a time.

The sweep: ``--points`` values of T1 in [0, 2] at g = 0.06, p1 = p2 = 0.3, T2 = 0, the dilated Strang
circuit with step ``--dt`` and one step count converging every point (``steps="auto"`` at the default
tolerance of ``--shots``), X, Y, Z measured on qubit 1 with ``--shots`` shots each. All rows are measured
in the same run (best of ``--repeats``, ``time.perf_counter``):

* ``run_sweep`` (``qc_reset.run.primitives``): build the three parametric circuits and their
  ``BindingsArray``, one Aer ``SamplerV2`` job, counts through ``counts_from_pubs``; the job alone too.
* Baseline "bound circuits": the same three circuits bound per point (``assign_parameters``), each of
  the 3 x points circuits run by itself on ``AerSimulator(method="density_matrix")``.
* Baseline "one PUB per call": ``SamplerV2.run`` with one single-point PUB per call (3 x points calls).

Before reporting, the script checks that every route's Bloch vectors agree with the PUB sweep within
shot noise (all |z| < 4.5).

    python benchmarks/bench_pubs.py [--points 50] [--shots 10000] [--dt 0.5] [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
import qiskit
import qiskit_aer
from _timing import best_of
from qiskit.primitives.containers import BindingsArray
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import SamplerV2

from qc_reset.circuits.parameters import CircuitParameters
from qc_reset.model.params import Params
from qc_reset.run import primitives as pr
from qc_reset.run.tomography import convergence_tol
from qc_reset.stats.estimators import linear_inversion, standard_errors

Z_BOUND = 4.5  # |z| bound of the agreement check (3 x points components)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--shots", type=int, default=10_000)
    ap.add_argument("--dt", type=float, default=0.5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    pts = [Params(0.06, 0.3, 0.3, float(T), 0.0) for T in np.linspace(0.0, 2.0, args.points)]
    steps = pr.sweep_steps(pts, args.dt, steps="auto", tol=convergence_tol(args.shots))
    opts = {"backend_options": dict(pr.AER_OPTIONS)}

    def pub_route() -> np.ndarray:
        return pr.run_sweep(pts, shots=args.shots, seed=1, dt=args.dt, steps=steps, analysis=False).counts

    pubs = pr.sweep_pubs(pts, args.dt, steps=steps, shots=args.shots)

    def job_only() -> np.ndarray:
        return pr.counts_from_pubs(list(SamplerV2(seed=2, options=opts).run(pubs).result()))

    cp = CircuitParameters.create()
    circs = pr.sweep_circuits(steps, cparams=cp)
    values = pr.sweep_values(cp, pts, args.dt)
    backend = AerSimulator(method="density_matrix", max_parallel_threads=1)

    def bound_circuits() -> np.ndarray:
        out = np.zeros((len(pts), 3, 2), dtype=np.int64)
        for k in range(len(pts)):
            for j, qc in enumerate(circs):
                bound = qc.assign_parameters(dict(zip(cp.parameters(), values[k], strict=True)))
                c = backend.run(bound, shots=args.shots, seed_simulator=3 + 3 * k + j).result().get_counts()
                out[k, j] = [c.get("0", 0), c.get("1", 0)]
        return out

    def one_pub_per_call() -> np.ndarray:
        sampler = SamplerV2(seed=4, options=opts)
        out = np.zeros((len(pts), 3, 2), dtype=np.int64)
        for k in range(len(pts)):
            for j, qc in enumerate(circs):
                bind = BindingsArray({tuple(cp.parameters()): values[k : k + 1]})
                res = sampler.run([(qc, bind, args.shots)]).result()[0]
                ones = int(res.data.meas.bitcount().sum())
                out[k, j] = [args.shots - ones, ones]
        return out

    rows = [("run_sweep: 3 PUBs, one SamplerV2 job (total)", pub_route),
            ("  the SamplerV2 job + counts adapter alone", job_only),
            (f"baseline: {3 * len(pts)} bound circuits, AerSimulator one by one", bound_circuits),
            ("baseline: SamplerV2.run, one single-point PUB per call", one_pub_per_call)]
    times, counts = {}, {}
    for name, fn in rows:
        times[name], counts[name] = best_of(fn, args.repeats)

    ref = counts[rows[0][0]]
    for name, c in counts.items():
        z = (linear_inversion(c) - linear_inversion(ref)) / np.hypot(standard_errors(c), standard_errors(ref))
        assert name == rows[0][0] or np.all(np.abs(z) < Z_BOUND), (name, float(np.abs(z).max()))

    n_circ = 3 * len(pts)
    print(f"T1 sweep: {len(pts)} points x 3 bases x {args.shots} shots, dt = {args.dt}, steps = {steps} "
          f"(dilated Strang, {circs[0].size()} instructions per circuit); best of {args.repeats}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, qiskit {qiskit.__version__}, "
          f"qiskit-aer {qiskit_aer.__version__}")
    base = times[rows[2][0]]
    print(f"{'route':58s} {'total s':>8s} {'ms/point':>9s} {'vs bound circuits':>18s}")
    for name, _ in rows:
        t = times[name]
        print(f"{name:58s} {t:8.3f} {1e3 * t / len(pts):9.2f} {base / t:17.1f}x")
    ok = "OK" if times[rows[0][0]] <= 1.0 else "over"
    print(f"PUB route total {times[rows[0][0]]:.3f} s for {n_circ} circuit executions: {ok} (goal <= 1 s)")


if __name__ == "__main__":
    main()
