"""Derivation and numerical checks behind ``qc_reset.model.optimum`` (run: ``python -m tools.magic_optimum``).

1. Solves the p2 -> inf effective Bloch equation omega x r = p1 (r - z1 e_z), omega = (g, 0, -1/2),
   symbolically (sympy) and prints the steady state.
2. Writes ||r||_1 as a Rayleigh quotient v^T A v / v^T v, v = (1, 2g, 2p1), and prints the
   eigen-decomposition of A (the exact supremum and its maximizer), and of the pair-sum blocks.
3. Maximizes ||r||_1 and the H-type pair functional of the *exact* two-qubit solver over
   (g, p1, p2) at T1 = T2 = 0 (multi-start Nelder-Mead in log variables), and the bounded-coupling
   optima against the effective model.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import minimize

from qc_reset.model.magic import class_functional
from qc_reset.model.optimum import best_l1_bounded
from qc_reset.model.steady import steady_bloch


def derive() -> None:
    g, p = sp.symbols("g p", positive=True)
    rx, ry, rz = sp.symbols("r_x r_y r_z", real=True)
    w = sp.Matrix([g, 0, -sp.Rational(1, 2)])
    r = sp.Matrix([rx, ry, rz])
    sol = sp.solve(list(w.cross(r) - p * (r - sp.Matrix([0, 0, 1]))), [rx, ry, rz], dict=True)[0]
    print("steady state:", {k: sp.factor(v) for k, v in sol.items()})
    h = sp.Rational(1, 2)
    A = sp.Matrix([[1, h, 0], [h, 0, h], [0, h, 1]])
    a, b = sp.symbols("a b", positive=True)
    v = sp.Matrix([1, a, b])
    l1 = sp.simplify((-sol[rx] - sol[ry] + sol[rz]).subs({g: a / 2, p: b / 2}))
    assert sp.simplify(l1 - (v.T * A * v)[0] / (v.T * v)[0]) == 0
    for val, _mult, vecs in A.eigenvects():
        print("  ||r||_1 block eigenvalue", sp.nsimplify(val), "=", float(val), "vector", list(vecs[0].T))
    blocks = {"|rx|+|rz|": [[1, h, 0], [h, 0, 0], [0, 0, 1]],
              "|ry|+|rz|": [[1, 0, 0], [0, 0, h], [0, h, 1]],
              "|rx|+|ry|": [[0, h, 0], [h, 0, h], [0, h, 0]]}
    for name, M in blocks.items():
        top = max(sp.Matrix(M).eigenvals(), key=lambda e: float(e))
        print(f"  {name}: largest eigenvalue {sp.nsimplify(top)} = {float(top):.12f}")
    db = sp.factor(sp.diff(l1, b).as_numer_denom()[0])
    print("  d||r||_1/db numerator:", db, "-> b* =", sp.solve(db / a, b))


def _negative_functional(x: np.ndarray, target: str) -> float:
    g, p1, p2 = np.exp(np.clip(x, -300, 300))  # log variables; p2 may run to 1e30 and beyond
    return -float(class_functional(steady_bloch(g, p1, p2, 0.0, 0.0), target))


def numerical() -> None:
    rng = np.random.default_rng(0)
    for target in ("magic", "H"):
        best = None
        for _ in range(20):
            x0 = rng.uniform([-4, -4, -2], [1, 1, 10])
            res = minimize(_negative_functional, x0, args=(target,), method="Nelder-Mead",
                           options={"xatol": 1e-8, "fatol": 1e-13, "maxiter": 4000})
            best = res if best is None or res.fun < best.fun else best
        print(f"exact solver, sup of {target} functional: {-best.fun:.15f} at (g, p1, p2) = {np.exp(best.x)}")
    for gmax in (0.05, 0.1, 0.2):
        P1 = np.geomspace(1e-2, 10, 400)
        P2 = np.geomspace(1e-1, 1e8, 60)
        G = np.linspace(gmax / 40, gmax, 40)
        F = np.abs(steady_bloch(G[:, None, None], P1[None, :, None], P2[None, None, :], 0.0, 0.0)).sum(-1)
        i = np.unravel_index(np.argmax(F), F.shape)
        print(f"g <= {gmax}: effective {best_l1_bounded(gmax)}; exact-solver grid max {F.max():.6f} at "
              f"g = {G[i[0]]:.4f}, p1 = {P1[i[1]]:.4f}, p2 = {P2[i[2]]:.3g}")


if __name__ == "__main__":
    derive()
    numerical()
