"""Calibration of the magic verdict: false-"magic" rates at stabilizer boundary states, seeded.

For each state on the octahedron's boundary (W = 0: a facet interior, an edge, a vertex) and each
number of shots per basis N, the script draws ``--reps`` independent tomography runs with
``qc_reset.tomography.sample_counts`` and reports the rate at which each method's lower bound of
W is > 0 (a false "magic" call; nominal at most 1 - level = 0.05), with its binomial standard
error sqrt(p (1 - p) / reps). Methods:

* ``union`` and ``bootstrap``: ``qc_reset.tomography.witness_interval``;
* ``quantile (former)``: q = level-quantile of ||r* - r_hat||_1 over the same resamples, the
  bootstrap construction the package used before (reference only);
* ``plug-in``: the naive rule ||r_hat||_1 > 1.

Runs are processed in chunks of ``--chunk`` so memory stays bounded.

    python benchmarks/calibrate_verdict.py [--reps 20000] [--resamples 1000] [--seed 2024] \
        [--shots 10,30,100,1000,10000]
"""

from __future__ import annotations

import argparse
import platform

import numpy as np

from qc_reset import tomography as tomo
from qc_reset.measures import l1_norm

LEVEL = 0.95
#: Boundary states of the stabilizer octahedron (W = ||r||_1 - 1 = 0).
STATES = {
    "facet (1/3,1/3,1/3)": np.full(3, 1.0 / 3.0),
    "edge (1/2,1/2,0)": np.array([0.5, 0.5, 0.0]),
    "vertex (0,0,1)": np.array([0.0, 0.0, 1.0]),
}
METHODS = ("union", "bootstrap", "quantile (former)", "plug-in")


def magic_calls(c: np.ndarray, n_resamples: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Boolean "magic" calls (reps,) of every method on counts (reps, 3, 2)."""
    rbar = tomo.linear_inversion(c)
    w = l1_norm(rbar) - 1.0
    _, lo_u, _ = tomo.witness_interval(c, LEVEL, method="union")
    boot_seed = int(rng.integers(2**62))
    _, lo_b, _ = tomo.witness_interval(c, LEVEL, method="bootstrap", n_resamples=n_resamples, seed=boot_seed)
    rstar = tomo.bootstrap(c, n_resamples, seed=boot_seed)  # the same resamples as the bootstrap method
    q_former = np.quantile(np.abs(rstar - rbar).sum(axis=-1), LEVEL, axis=0)
    return {"union": lo_u > 0, "bootstrap": lo_b > 0, "quantile (former)": w - q_former > 0, "plug-in": w > 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--reps", type=int, default=20_000)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--shots", default="10,30,100,1000,10000")
    args = ap.parse_args()
    shots = [int(s) for s in args.shots.split(",")]
    rng = np.random.default_rng(args.seed)
    print(f"numpy {np.__version__}, Python {platform.python_version()}; level {LEVEL}, {args.reps} repetitions, "
          f"{args.resamples} resamples, seed {args.seed}")
    print("false-'magic' rate (binomial standard error); nominal <= 0.05")
    print(f"| state | N | {' | '.join(METHODS)} |")
    print("|---|---|" + "---|" * len(METHODS))
    for label, r in STATES.items():
        for n in shots:
            hits = dict.fromkeys(METHODS, 0)
            done = 0
            while done < args.reps:
                m = min(args.chunk, args.reps - done)
                c = tomo.sample_counts(np.broadcast_to(r, (m, 3)), n, rng)
                for k, v in magic_calls(c, args.resamples, rng).items():
                    hits[k] += int(v.sum())
                done += m
            cells = []
            for k in METHODS:
                p = hits[k] / args.reps
                cells.append(f"{p:.4f} ({np.sqrt(p * (1 - p) / args.reps):.4f})")
            print(f"| {label} | {n} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
