"""Noisy fixed point of one collision (16-input channel + fixed point) vs simulating the many collisions.

For each design at the optimum start (g = (sqrt 3 - 1)/2, p1 = 1/2, dt = 0.5, T1 = T2 = 0) with the
parametric spec ``depol=5e-4,depol2=5e-3``, side by side in one run:

* ``fixed point``: :func:`qc_reset.run.noisy_fixed_point.noisy_fixed_point` on an already transpiled collision
  (one Aer density-matrix job of 16 product inputs, a 16x16 solve, one SVD);
* ``direct``: Aer's density-matrix simulation of N repeated noisy collisions (its NoiseModel), with N the
  collisions that reach the fixed point to 1e-6 (``collisions_to``), the baseline. The dynamic designs are
  a shot average there (Aer samples mid-circuit measurements), so they have no deterministic direct run and
  only the fixed point is timed;
* a whole survival map (16 two-qubit errors x 13 idle times) per design.

    python benchmarks/bench_hardware.py --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of  # noqa: E402

from qc_reset.model import optimum  # noqa: E402
from qc_reset.model.params import Params  # noqa: E402
from qc_reset.run import noise as noise_mod  # noqa: E402
from qc_reset.run.designs import DESIGNS, DYNAMIC_DESIGNS, collision_circuit  # noqa: E402
from qc_reset.run.noisy_fixed_point import noisy_fixed_point, transpile_collision  # noqa: E402
from qc_reset.run.survival import survival_map  # noqa: E402

SPEC = "depol=5e-4,depol2=5e-3"
OPT = Params(optimum.G_OPT, optimum.P1_OPT, 0.3, 0.0, 0.0)
DT = 0.5


def _direct(tqc, n: int) -> np.ndarray:
    from qiskit_aer import AerSimulator

    qc = tqc.copy_empty_like()
    for _ in range(n):
        qc.compose(tqc, inplace=True)
    qc.save_density_matrix([0, 1], label="rho")
    sim = AerSimulator(method="density_matrix", noise_model=noise_mod.noise_model(SPEC), max_parallel_threads=1)
    return np.asarray(sim.run(qc).result().data(0)["rho"], dtype=complex)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import qiskit
    import qiskit_aer

    print(f"# python {platform.python_version()}, qiskit {qiskit.__version__}, qiskit-aer {qiskit_aer.__version__}, "
          f"{platform.machine()}; spec {SPEC}; best of {args.repeats}")
    print(f"{'design':14s} {'N':>4s} {'fixed point ms':>15s} {'direct ms':>10s} {'direct/fixed':>12s} "
          f"{'D(direct, fixed)':>17s} {'map s (208 pts)':>16s}")
    for design in DESIGNS:
        tqc = transpile_collision(collision_circuit(design, OPT, DT), SPEC)
        noisy_fixed_point(design, OPT, DT, SPEC, transpiled=tqc)  # warm the simulator
        t_fp, fp = best_of(lambda d=design, t=tqc: noisy_fixed_point(d, OPT, DT, SPEC, transpiled=t), args.repeats)
        n = fp.collisions_to(1e-6)
        if design in DYNAMIC_DESIGNS:
            t_direct, dist = float("nan"), float("nan")
        else:
            t_direct, rho = best_of(lambda t=tqc, k=n: _direct(t, k), args.repeats)
            from qc_reset.model.channels import trace_distance

            dist = trace_distance(rho / np.trace(rho), fp.rho)
        t_map, _ = best_of(lambda d=design: survival_map(d, OPT, DT, depol2=np.logspace(-4, -1, 16),
                                                         idle_ns=np.logspace(1, 5, 13), t1_ns=185e3,
                                                         t2_ns=141e3, depol1=5e-4), 1)
        ratio = t_direct / t_fp
        print(f"{design:14s} {n:4d} {1e3 * t_fp:15.1f} {1e3 * t_direct:10.1f} {ratio:12.1f} {dist:17.1e} "
              f"{t_map:16.2f}")


if __name__ == "__main__":
    main()
