r"""Fast batched steady state through the Hamiltonian resolvent (6x6 systems instead of 16x16).

Setting the right-hand side of the master equation to zero and moving the loss terms
:math:`-(p_1+p_2)\rho` to the left gives, with :math:`\gamma = p_1 + p_2 > 0`,

.. math::  \rho = \mathcal R(S), \qquad
           \mathcal R = (\gamma + i[H,\cdot\,])^{-1}, \qquad
           S = p_1\,\tau_1\otimes\rho_2 + p_2\,\rho_1\otimes\tau_2,

where :math:`\rho_{1,2}` are the (unknown) reduced states. The eigenvectors of H do not depend
on g (|00>, (|01> -+ |10>)/sqrt2, |11> with energies 0, 1/2 -+ g, 1), so in that fixed basis
:math:`\mathcal R` divides element (a, b) by :math:`\gamma + i(E_a - E_b)`. Taking the partial
traces of :math:`\rho = \mathcal R(S)` gives a closed *6x6 real* linear system for the two
Bloch vectors (r, s); :math:`\rho` then follows from one elementwise division.

Every entry of the 6x6 system is a fixed linear combination of nine functions of
:math:`(g, \gamma)`: :math:`1/\gamma`, :math:`\gamma/(\gamma^2+\Delta^2)` and
:math:`\Delta/(\gamma^2+\Delta^2)` for the four nonzero gaps
:math:`\Delta \in \{1/2-g,\ 1/2+g,\ 1,\ 2g\}`. The combination coefficients are computed once
at import from the Pauli matrices, so nothing here is typed in by hand. This path is exact (no
truncation), and faster per point than a batched 16x16 complex solve, more so for Bloch vectors alone
(``benchmarks/bench_exact.py`` measures both side by side; see docs/benchmarks.md); ``tests/test_exact.py``
checks it against the null space of the 16x16 Liouvillian built independently in
:mod:`qc_reset.model`.
"""

from __future__ import annotations

import numpy as np

from .model import PAULI, ComplexArray, FloatArray

__all__ = ["steady_local", "steady_rho"]

_S2 = 1.0 / np.sqrt(2.0)
# Columns: eigenvectors of H (qubit 1 first), energies 0, 1/2 - g, 1/2 + g, 1.
_W = np.array([[1, 0, 0, 0], [0, _S2, _S2, 0], [0, -_S2, _S2, 0], [0, 0, 0, 1]], dtype=float)
_E_CONST = np.array([0.0, 0.5, 0.5, 1.0])
_E_G = np.array([0.0, -1.0, 1.0, 0.0])
# The four nonzero gaps Delta = alpha + beta g (up to sign), as (alpha, beta).
_GAPS = ((0.5, -1.0), (0.5, 1.0), (1.0, 0.0), (0.0, 2.0))


def _classify_pairs() -> tuple[np.ndarray, np.ndarray]:
    """For each eigen-pair (a, b): which gap class (-1 for zero) and the sign of E_a - E_b."""
    cls = np.full((4, 4), -1, dtype=int)
    sign = np.zeros((4, 4))
    for a in range(4):
        for b in range(4):
            alpha, beta = _E_CONST[a] - _E_CONST[b], _E_G[a] - _E_G[b]
            if alpha == 0 and beta == 0:
                continue
            for m, (al, be) in enumerate(_GAPS):
                if (alpha, beta) == (al, be):
                    cls[a, b], sign[a, b] = m, 1.0
                elif (alpha, beta) == (-al, -be):
                    cls[a, b], sign[a, b] = m, -1.0
            if cls[a, b] < 0:
                raise AssertionError("unclassified energy gap")  # pragma: no cover
    return cls, sign


_CLASS, _SIGN = _classify_pairs()
_PT = np.array([_W.T @ np.kron(PAULI[a], PAULI[b]) @ _W for a in range(4) for b in range(4)])
_LOCAL = (4, 8, 12, 1, 2, 3)  # XI, YI, ZI, IX, IY, IZ  (index 4a + b)


def _phi_coefficients(outputs: tuple[int, ...], inputs: tuple[int, ...]) -> FloatArray:
    r"""C[o, i, m] with Re Tr(P_o R(P_i))/4 = sum_m C[o, i, m] phi_m(g, gamma).

    phi = (1/gamma, gamma/(gamma^2 + D_m^2) for m < 4, D_m/(gamma^2 + D_m^2) for m < 4).
    """
    C = np.zeros((len(outputs), len(inputs), 9))
    for io, o in enumerate(outputs):
        for ii, i in enumerate(inputs):
            T = 0.25 * _PT[o].T * _PT[i]  # T_ab = Q~_ba P~_ab / 4 ; Tr(Q R(P))/4 = sum T_ab D_ab
            for a in range(4):
                for b in range(4):
                    m = _CLASS[a, b]
                    if m < 0:
                        C[io, ii, 0] += T[a, b].real
                    else:  # Re D = gamma/(..), Im D = -sign Delta/(..)
                        C[io, ii, 1 + m] += T[a, b].real
                        C[io, ii, 5 + m] += _SIGN[a, b] * T[a, b].imag
    return C


def _idx(a: int, b: int) -> int:
    return 4 * a + b


# Inputs of the self-consistency equations, grouped as they enter S (k = x, y, z -> 1, 2, 3).
_IN_KI = tuple(_idx(k, 0) for k in (1, 2, 3))
_IN_KX = tuple(_idx(k, 1) for k in (1, 2, 3))
_IN_IK = tuple(_idx(0, k) for k in (1, 2, 3))
_IN_ZK = tuple(_idx(3, k) for k in (1, 2, 3))
_INPUTS = _IN_KI + _IN_KX + _IN_IK + _IN_ZK + (_idx(3, 0), _idx(0, 1))
_C = _phi_coefficients(_LOCAL, _INPUTS).reshape(6 * len(_INPUTS), 9).T.copy()  # (9, 6*14)
_N_IN = len(_INPUTS)


def _phi(g: FloatArray, gamma: FloatArray) -> FloatArray:
    """The nine functions of (g, gamma), written with t = Delta/gamma so that neither huge
    rates nor huge couplings overflow (gamma/(gamma^2 + Delta^2) = (1/gamma)/(1 + t^2))."""
    out = np.empty((9, g.size))
    inv = 1.0 / gamma.reshape(-1)
    gg = g.reshape(-1)
    out[0] = inv
    for m, (al, be) in enumerate(_GAPS):
        t = (al + be * gg) * inv
        a = inv / (1.0 + t * t)
        out[1 + m] = a
        out[5 + m] = t * a
    return out


def steady_local(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> FloatArray:
    """Bloch vectors of both qubits in the steady state, shape (..., 6) = (r, s).

    Inputs are validated, broadcast arrays with p1 + p2 > 0; z1 and x2 are the bath
    polarizations tanh(1/2T). Uniqueness is the caller's check.
    """
    shape = g.shape
    gamma = (p1 + p2).reshape(-1)
    with np.errstate(over="ignore"):  # huge g or rates: 1/(gamma^2 + Delta^2) -> 0 is the right limit
        phi = _phi(g, p1 + p2)
    R = (_C.T @ phi).T.reshape(-1, 6, _N_IN)  # R[n, out, in]
    P1, P2 = p1.reshape(-1, 1, 1), p2.reshape(-1, 1, 1)
    Z1, X2 = z1.reshape(-1, 1, 1), x2.reshape(-1, 1, 1)
    A = np.empty((gamma.size, 6, 6))
    A[:, :, :3] = -P2 * (R[:, :, 0:3] + X2 * R[:, :, 3:6])
    A[:, :, 3:] = -P1 * (R[:, :, 6:9] + Z1 * R[:, :, 9:12])
    A[:, [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]] += 1.0
    b = P1[:, :, 0] * Z1[:, :, 0] * R[:, :, 12] + P2[:, :, 0] * X2[:, :, 0] * R[:, :, 13]
    u = np.linalg.solve(A, b[:, :, None])[:, :, 0]
    return u.reshape(*shape, 6)


def steady_rho(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> ComplexArray:
    """Steady state (..., 4, 4), qubit 1 first, from :func:`steady_local` and one resolvent."""
    shape = g.shape
    u = steady_local(g, p1, p2, z1, x2).reshape(-1, 6)
    n = u.shape[0]
    r, s = u[:, :3], u[:, 3:]
    # Reduced states and bath states as 2x2 arrays.
    rho1 = _bloch_to_state(r)
    rho2 = _bloch_to_state(s)
    zeros = np.zeros(n)
    tau1 = _bloch_to_state(np.stack([zeros, zeros, z1.reshape(-1)], axis=-1))
    tau2 = _bloch_to_state(np.stack([x2.reshape(-1), zeros, zeros], axis=-1))
    S = p1.reshape(-1, 1, 1) * _kron(tau1, rho2) + p2.reshape(-1, 1, 1) * _kron(rho1, tau2)
    E = _E_CONST + g.reshape(-1, 1) * _E_G  # (n, 4)
    with np.errstate(over="ignore", invalid="ignore"):
        D = 1.0 / ((p1 + p2).reshape(-1, 1, 1) + 1j * (E[:, :, None] - E[:, None, :]))
    rho = _W @ ((_W.T @ S @ _W) * D) @ _W.T
    return rho.reshape(*shape, 4, 4)


def _bloch_to_state(v: FloatArray) -> ComplexArray:
    out = np.empty((v.shape[0], 2, 2), dtype=complex)
    out[:, 0, 0] = 0.5 * (1 + v[:, 2])
    out[:, 1, 1] = 0.5 * (1 - v[:, 2])
    out[:, 0, 1] = 0.5 * (v[:, 0] - 1j * v[:, 1])
    out[:, 1, 0] = 0.5 * (v[:, 0] + 1j * v[:, 1])
    return out


def _kron(a: ComplexArray, b: ComplexArray) -> ComplexArray:
    return np.einsum("nab,ncd->nacbd", a, b).reshape(-1, 4, 4)
