"""Benchmark: exact transients by eigendecomposition against SciPy's batched expm, side by side.

    python benchmarks/bench_evolve.py [--repeats 3]

The workload of the transient figure: 62 trajectories (T1 in [0.02, 0.6] and 0.1, 0.3; g = 0.06,
p1 = p2 = 0.3, T2 = 0.02) on 801 times in [0, 40], from tau1 (x) tau2. ``qc_reset.exact.evolve``
diagonalizes the real 16x16 generator once per trajectory; the baseline is what it replaced,
``scipy.linalg.expm`` of the 801 matrices G t applied to c0 (the generator built by the package,
so only the propagation differs). Also reported: the largest difference of the two, and the
condition numbers of the eigenvector matrices (the eigenbasis is used up to
``exact.EIG_COND_MAX``).
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.linalg
from _timing import best_of

from qc_reset import exact
from qc_reset.model import Params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    t = np.linspace(0.0, 40.0, 801)
    points = [Params(g=0.06, p1=0.3, p2=0.3, T1=T1, T2=0.02) for T1 in (0.1, 0.3, *np.linspace(0.02, 0.6, 60))]
    starts = [np.kron(p.tau1(), p.tau2()) for p in points]

    def eig_path() -> list[np.ndarray]:
        return [exact.evolve(p, r, t) for p, r in zip(points, starts, strict=True)]

    def expm_path() -> list[np.ndarray]:
        out = []
        for p, r in zip(points, starts, strict=True):
            G = exact.generator(p.g, p.p1, p.p2, p.T1, p.T2)
            c0 = exact.pauli_coefficients(r)
            c = scipy.linalg.expm(G[None] * t[:, None, None]) @ c0
            out.append(exact.coefficients_to_rho(c))
        return out

    t_expm, ref = best_of(expm_path, args.repeats)
    t_eig, got = best_of(eig_path, args.repeats)
    dev = max(float(np.abs(a - b).max()) for a, b in zip(got, ref, strict=True))
    conds = [np.linalg.cond(np.linalg.eig(exact.generator(p.g, p.p1, p.p2, p.T1, p.T2))[1]) for p in points]
    print(f"62 trajectories x 801 times (the transient figure), best of {args.repeats}")
    print(f"{'method':<44}{'total [s]':>10}{'ratio':>8}")
    print(f"{'scipy.linalg.expm, batched over the times':<44}{t_expm:>10.3f}{1.0:>8.2f}")
    print(f"{'exact.evolve (eigendecomposition)':<44}{t_eig:>10.4f}{t_eig / t_expm:>8.4f}")
    print(f"max |rho_eig - rho_expm| = {dev:.1e}; cond(V) in [{min(conds):.3g}, {max(conds):.3g}]")


if __name__ == "__main__":
    main()
