"""Cross-check against QuTiP 5 with the reset dissipators written in Lindblad form.

p (tau (x) Tr_1 rho - rho) is exactly the Lindblad dissipator of the jump
operators sqrt(p lambda_k) |k><j| (x) I (all j, k) in tau's eigenbasis {|k>}, eigenvalues
lambda_k. qc_reset.run.interop.to_qutip builds H and these operators from the package's matrices;
QuTiP's steady state and Liouvillian of them are compared with qc_reset's own solver, and the same
model built here from QuTiP's primitives (a second, independent construction) must give the same
Liouvillian. QuTiP's tensor order is qutip.tensor(A, B) = kron(A, B), i.e. qubit 1 first like qc_reset.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import qc_reset
from qc_reset import model
from qc_reset.run.interop import to_qutip

with warnings.catch_warnings():  # qutip warns at import when matplotlib is absent
    warnings.simplefilter("ignore")
    import qutip

#: QuTiP's sparse direct / SVD steady-state solvers agree with exact linear algebra to ~1e-14.
QUTIP_TOL = 1e-10


def qutip_model(g: float, p1: float, p2: float, T1: float, T2: float) -> tuple[qutip.Qobj, list[qutip.Qobj]]:
    """H and the Lindblad jump operators of the model, built from QuTiP primitives."""
    n = qutip.num(2)  # |1><1|
    eye = qutip.qeye(2)
    sm = qutip.destroy(2)  # |0><1|
    H = 0.5 * qutip.tensor(n, eye) + 0.5 * qutip.tensor(eye, n)
    H += g * (qutip.tensor(sm, sm.dag()) + qutip.tensor(sm.dag(), sm))  # |01><10| + |10><01|

    def weights(T: float) -> tuple[float, float]:
        w = 0.0 if T == 0 else math.exp(-1.0 / T)
        return 1.0 / (1.0 + w), w / (1.0 + w)

    c_ops = []
    z_basis = [qutip.basis(2, 0), qutip.basis(2, 1)]
    x_basis = [(qutip.basis(2, 0) + qutip.basis(2, 1)).unit(), (qutip.basis(2, 0) - qutip.basis(2, 1)).unit()]
    for k, lam in enumerate(weights(T1)):
        for j in range(2):
            if p1 * lam > 0:
                c_ops.append(math.sqrt(p1 * lam) * qutip.tensor(z_basis[k] * z_basis[j].dag(), eye))
    for k, lam in enumerate(weights(T2)):
        for j in range(2):
            if p2 * lam > 0:
                c_ops.append(math.sqrt(p2 * lam) * qutip.tensor(eye, x_basis[k] * x_basis[j].dag()))
    return H, c_ops


def random_points(n: int, seed: int) -> list[tuple[float, float, float, float, float]]:
    rng = np.random.default_rng(seed)
    g = rng.uniform(-2, 2, n)
    p1, p2 = 10 ** rng.uniform(-1.3, 0.7, (2, n))
    T1, T2 = 10 ** rng.uniform(-1.5, 1.5, (2, n))
    pts = [tuple(float(v) for v in pt) for pt in zip(g, p1, p2, T1, T2, strict=True)]
    # Edge cases: one rate zero (g != 0), zero and infinite temperatures.
    pts += [(0.4, 0.0, 0.8, 0.2, 0.3), (-0.9, 1.2, 0.0, 0.5, 0.1), (0.25, 0.5, 0.5, 0.0, 0.0)]
    pts += [(0.6, 0.3, 0.7, math.inf, 0.2), (0.0, 0.3, 0.7, 0.4, 0.6)]
    return pts


POINTS = random_points(20, seed=31)
IDS = ["g{:.3g}-p{:.3g}-{:.3g}-T{:.3g}-{:.3g}".format(*pt) for pt in POINTS]


@pytest.mark.parametrize("pt", POINTS, ids=IDS)
@pytest.mark.parametrize("method", ["direct", "svd"])
def test_steady_state_matches_qutip(pt: tuple[float, ...], method: str) -> None:
    H, c_ops = to_qutip(model.Params(*pt))
    rho_q = qutip.steadystate(H, c_ops, method=method)
    np.testing.assert_allclose(qc_reset.steady_state(*pt), rho_q.full(), atol=QUTIP_TOL, rtol=0)
    rho1 = rho_q.ptrace(0)  # qubit 1
    r_q = [qutip.expect(op, rho1) for op in (qutip.sigmax(), qutip.sigmay(), qutip.sigmaz())]
    np.testing.assert_allclose(qc_reset.steady_bloch(*pt), r_q, atol=QUTIP_TOL, rtol=0)


@pytest.mark.parametrize("pt", POINTS[::4], ids=IDS[::4])
def test_liouvillian_matches_qutip(pt: tuple[float, ...]) -> None:
    """QuTiP stacks columns; qc_reset stacks rows. The two differ by the transpose permutation."""
    H, c_ops = to_qutip(model.Params(*pt))
    Lq = qutip.liouvillian(H, c_ops).full()
    perm = np.arange(16).reshape(4, 4).T.reshape(16)  # row-major index -> column-major index
    np.testing.assert_allclose(model.liouvillian(*pt), Lq[np.ix_(perm, perm)], atol=1e-12)
    # The package's Lindblad form against the one built from QuTiP's primitives (matrix products of
    # O(1) entries: rounding ~1e-16).
    Lp = qutip.liouvillian(*qutip_model(*pt)).full()
    np.testing.assert_allclose(Lq, Lp, atol=1e-12)
