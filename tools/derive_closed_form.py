r"""Derive and check the closed-form steady state of :mod:`qc_reset.model.closed_form` (sympy).

A development-time script (sympy is not a runtime dependency of the package)::

    python tools/derive_closed_form.py          # derive, verify symbolically, check the kernel
    python tools/derive_closed_form.py --emit   # also print the formulas as plain numpy code

Steps, all from scratch (nothing is imported from the package until the final check):

1. The resolvent reduction: with :math:`\gamma = p_1 + p_2`, the steady state solves
   :math:`\rho = (\gamma + i[H,\cdot])^{-1}(p_1\tau_1\otimes\rho_2 + p_2\rho_1\otimes\tau_2)`;
   H is diagonal in the g-independent basis |00>, (|01> -+ |10>)/sqrt2, |11>, so the partial
   traces give six linear equations for the Bloch vectors r, s with coefficients rational in
   (g, gamma, p1, z1, x2).
2. The structure found from that system: (s_x, s_y) decouple (one complex equation); r_x + i r_y
   follows from s_x + i s_y and r_z (another); the sum of the r_z and s_z equations is the
   excitation balance p1 r_z + p2 s_z = p1 z1; eliminating s_z leaves one equation for r_z.
   The closed form below is substituted back into all six equations, which must vanish
   identically.
3. An independent exact check: the null space of the 16x16 Pauli-basis generator (built here
   from the master equation) at rational points.
4. The package's numpy kernel against these formulas evaluated with 50-digit mpmath numbers.
"""

from __future__ import annotations

import argparse
import random
import sys

import sympy as sp

__all__ = ["closed_form", "resolvent_system", "pauli_generator", "main"]

g, p1, p2, z1, x2 = sp.symbols("g p1 p2 z1 x2", real=True)
I = sp.I  # noqa: E741 - the imaginary unit, as sympy names it
_PAULI = [sp.eye(2), sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[0, -I], [I, 0]]), sp.Matrix([[1, 0], [0, -1]])]
_kron = sp.kronecker_product


def _hamiltonian() -> sp.Matrix:
    n1 = sp.diag(0, 1)
    H = sp.Matrix(_kron(n1, sp.eye(2)) + _kron(sp.eye(2), n1)) / 2
    H[1, 2] = H[2, 1] = g
    return H


def _state(v: tuple[sp.Expr, sp.Expr, sp.Expr]) -> sp.Matrix:
    return (sp.eye(2) + v[0] * _PAULI[1] + v[1] * _PAULI[2] + v[2] * _PAULI[3]) / 2


def resolvent_system() -> tuple[list[sp.Expr], list[sp.Symbol]]:
    """The six equations (expressions equal to 0) for (r, s) from the resolvent reduction."""
    gam = p1 + p2
    s2 = 1 / sp.sqrt(2)
    W = sp.Matrix([[1, 0, 0, 0], [0, s2, s2, 0], [0, -s2, s2, 0], [0, 0, 0, 1]])
    E = [0, sp.Rational(1, 2) - g, sp.Rational(1, 2) + g, 1]
    assert sp.simplify(W.T * _hamiltonian() * W - sp.diag(*E)) == sp.zeros(4, 4)
    r = sp.symbols("r_x r_y r_z", real=True)
    s = sp.symbols("s_x s_y s_z", real=True)
    S = p1 * _kron(_state((0, 0, z1)), _state(s)) + p2 * _kron(_state(r), _state((x2, 0, 0)))
    M = W.T * S * W
    rho = W * sp.Matrix(4, 4, lambda a, b: M[a, b] / (gam + I * (E[a] - E[b]))) * W.T
    eqs = [(_kron(_PAULI[k], sp.eye(2)) * rho).trace() - r[k - 1] for k in (1, 2, 3)]
    eqs += [(_kron(sp.eye(2), _PAULI[k]) * rho).trace() - s[k - 1] for k in (1, 2, 3)]
    return [sp.expand(e) for e in eqs], list(r) + list(s)


def closed_form() -> dict[str, sp.Expr]:
    """The closed-form Bloch vectors r, s as sympy expressions, in the kernel's real arithmetic.

    Complex quantities are carried as (real, imaginary) pairs: D1 = d1r + i d1i,
    D2 = d2r + i d2i, D1 D2 = pr + i pi; ``sigma`` is the complex form of s_x + i s_y.
    """
    gam = p1 + p2
    q = g**2 - sp.Rational(1, 4)
    d1r, d1i = p1 * gam + q, (gam + p1) / 2
    d2r, d2i = p2 * gam + q, (gam + p2) / 2
    pr, pi = d1r * d2r - d1i * d2i, d1r * d2i + d1i * d2r
    n1, n2 = d1r**2 + d1i**2, d2r**2 + d2i**2
    nn = n1 * n2
    c = gam * pr + pi / 2  # Re[(gam + i/2) conj(D1 D2)]
    y = g**2 * p2**3 * x2**2
    num = (2 * g**2 + p2 * gam) * nn - y * c
    den = gam * (2 * g**2 + p1 * p2) * nn + y * d1r * n2
    rh = num / den
    cr, ci = gam + rh * d2r, sp.Rational(1, 2) + rh * d2i
    k1 = g * p1 * p2 * x2 * z1 / nn
    return {
        "r_x": k1 * (ci * pr - cr * pi), "r_y": -k1 * (cr * pr + ci * pi), "r_z": p1 * z1 * rh,
        "s_x": x2 * p2 * (p2 * (gam**2 + sp.Rational(1, 4)) + gam * g**2) / n2,
        "s_y": x2 * p2 * (d2r / 2 - gam * d2i) / n2,
        "s_z": p1 * z1 * g**2 * (2 * nn + p2**2 * x2**2 * (d1r * n2 + p1 * c)) / den,
        "sigma": x2 * p2 * (gam + I / 2) / (d2r + I * d2i),
    }


def verify_symbolic(points: int = 40) -> None:
    """Substitute the closed form into the six equations: each must vanish identically.

    Each equation becomes a rational function of (g, p1, p2, z1, x2) after the substitution;
    its numerator (degree < 40 in every variable) vanishing at 40 random rational points with
    denominators up to 10^6 makes a nonzero numerator vanishingly unlikely (Schwartz-Zippel).
    Exact rational arithmetic throughout, far faster than expanding the whole numerators.
    """
    eqs, unknowns = resolvent_system()
    cf = closed_form()
    rng = random.Random(11)
    for _ in range(points):
        vals = {v: sp.Rational(rng.randint(-10**6, 10**6), rng.randint(1, 10**6)) for v in (g, z1, x2)}
        vals.update({v: sp.Rational(rng.randint(1, 10**6), rng.randint(1, 10**6)) for v in (p1, p2)})
        sol = {u: cf[str(u)].subs(vals) for u in unknowns}
        assert sp.expand(sol[unknowns[3]] + I * sol[unknowns[4]] - cf["sigma"].subs(vals)) == 0
        for k, e in enumerate(eqs):
            value = sp.expand(e.subs(vals).subs(sol))
            assert value == 0, f"equation {k} does not vanish at {vals}: {value}"
    print(f"symbolic: the closed form solves all six resolvent equations exactly at {points} random points")


def pauli_generator(values: dict[sp.Symbol, sp.Rational]) -> sp.Matrix:
    """The real 16x16 generator in the basis sigma_a (x) sigma_b / 4 (k = 4a + b), exact."""
    H = _hamiltonian().subs(values)
    t1 = _state((0, 0, values[z1]))
    t2 = _state((values[x2], 0, 0))
    P = [_kron(_PAULI[a], _PAULI[b]) for a in range(4) for b in range(4)]

    def L(rho: sp.Matrix) -> sp.Matrix:
        rho2 = sp.Matrix(2, 2, lambda a, b: rho[a, b] + rho[2 + a, 2 + b])
        rho1 = sp.Matrix(2, 2, lambda a, b: rho[2 * a, 2 * b] + rho[2 * a + 1, 2 * b + 1])
        return (-I * (H * rho - rho * H) + values[p1] * (_kron(t1, rho2) - rho)
                + values[p2] * (_kron(rho1, t2) - rho))

    images = [L(Pk / 4) for Pk in P]
    return sp.Matrix(16, 16, lambda j, k: sp.re(sp.expand((P[j] * images[k]).trace())))


def verify_generator(points: int = 4) -> None:
    """Exact null space of the 16x16 generator at rational points against the closed form."""
    rng = random.Random(7)
    cf = closed_form()
    names = ["r_x", "r_y", "r_z", "s_x", "s_y", "s_z"]
    rows = [4, 8, 12, 1, 2, 3]
    for _ in range(points):
        vals = {g: sp.Rational(rng.randint(-9, 9), rng.randint(1, 9)),
                p1: sp.Rational(rng.randint(1, 9), rng.randint(1, 9)),
                p2: sp.Rational(rng.randint(0, 9), rng.randint(1, 9)),
                z1: sp.Rational(rng.randint(0, 9), 9), x2: sp.Rational(rng.randint(0, 9), 9)}
        if vals[g] == 0 and vals[p2] == 0:
            vals[g] = sp.Rational(1, 3)
        G = pauli_generator(vals)
        (v,) = G.nullspace()
        v = v / v[0]  # c_00 = Tr rho = 1
        for name, row in zip(names, rows, strict=True):
            assert sp.simplify(cf[name].subs(vals) - v[row]) == 0, (name, vals)
    print(f"generator: exact agreement with the 16x16 null space at {points} rational points")


def check_kernel(points: int = 300, tol: float = 2e-15) -> float:
    """The package kernel against the formulas at 50 digits; returns the largest error.

    ``tol``: a few units of rounding (the components are at most 1 and the kernel's error
    is measured at 4.5e-16 in its certified domain).
    """
    import mpmath
    import numpy as np

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from qc_reset.model.closed_form import steady_local_closed

    cf = closed_form()
    names = ["r_x", "r_y", "r_z", "s_x", "s_y", "s_z"]
    fns = [sp.lambdify((g, p1, p2, z1, x2), cf[n], modules="mpmath") for n in names]
    rng = np.random.default_rng(3)
    pts = np.stack([rng.choice([-1, 1], points) * 10 ** rng.uniform(-8, 6, points),
                    10 ** rng.uniform(-8, 6, points), 10 ** rng.uniform(-8, 6, points),
                    rng.random(points), rng.random(points)], axis=1)
    got = steady_local_closed(*(np.ascontiguousarray(pts[:, k]) for k in range(5)))
    worst = 0.0
    with mpmath.workdps(50):
        for i, pt in enumerate(pts):
            args = [mpmath.mpf(float(a)) for a in pt]
            ref = [float(f(*args)) for f in fns]
            worst = max(worst, float(np.abs(got[i] - np.array(ref)).max()))
    assert worst <= tol, f"kernel differs from the formulas by {worst:.3g}"
    print(f"kernel: largest error against the formulas at 50 digits: {worst:.2e} ({points} points)")
    return worst


def emit() -> str:
    """The formulas as plain (unscheduled) numpy code, for reading and regenerating the kernel."""
    cf = closed_form()
    lines = ["def steady_local_reference(g, p1, p2, z1, x2):", "    import numpy as np"]
    for name in ("r_x", "r_y", "r_z", "s_x", "s_y", "s_z"):
        lines.append(f"    {name} = {sp.pycode(cf[name])}")
    lines.append("    return np.stack([r_x, r_y, r_z, s_x, s_y, s_z], axis=-1)")
    return "\n".join(lines).replace("math.", "np.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emit", action="store_true", help="print the formulas as numpy code")
    args = parser.parse_args(argv)
    verify_symbolic()
    verify_generator()
    check_kernel()
    if args.emit:
        print(emit())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
