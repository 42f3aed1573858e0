"""MPS trajectories of a chain's collision circuit against its density-matrix run (same steps), and long chains.

The chain family is :func:`qc_reset.workflows.chain_figures.tcrit_chain` (heat bath p = 0.5, T = 0.1 on
site 0, spin bath p = 2, T = 0 on site N - 1, g = 0.2), dt = 0.1, Strang. For ``--n`` the trajectory means
are compared with the density-matrix run component by component in standard errors; ``--long`` runs the
trajectories alone on longer chains (no density matrix fits there) and reports the time and that data came
back (the run is refused otherwise).

    python tools/chain_trajectories_check.py [--n 8] [--steps 200] [--shots 400] [--long 24 48 100]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qc_reset.run.chain import chain_circuit_steady
from qc_reset.run.chain_trajectories import chain_trajectories
from qc_reset.workflows.chain_figures import tcrit_chain

FAMILY = {"g": 0.2, "p_heat": 0.5, "p_spin": 2.0, "T_spin": 0.0, "T_heat": 0.1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--shots", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--long", type=int, nargs="*", default=[24, 48, 100])
    args = ap.parse_args()
    chain = tcrit_chain(args.n, **FAMILY)
    t0 = time.perf_counter()
    traj = chain_trajectories(chain, dt=0.1, steps=args.steps, shots=args.shots, seed=args.seed)
    t1 = time.perf_counter()
    dm = chain_circuit_steady(chain, dt=0.1, steps=args.steps)
    t2 = time.perf_counter()
    z = np.abs(traj.blochs - dm.blochs) / np.asarray(traj.details["stderr"])
    print(f"N={args.n} steps={args.steps} shots={args.shots}: trajectories {t1 - t0:.1f} s, density matrix "
          f"{t2 - t1:.1f} s, max |z| over {z.size} components = {z.max():.2f}, largest stderr {traj.error:.3g}")
    for n in args.long:
        t0 = time.perf_counter()
        res = chain_trajectories(tcrit_chain(n, **FAMILY), dt=0.1, steps=20, shots=50, seed=args.seed)
        print(f"N={n}: 20 steps x 50 shots in {time.perf_counter() - t0:.1f} s, data for all {len(res.sites)} sites")


if __name__ == "__main__":
    main()
