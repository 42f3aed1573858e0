r"""The joint two-qubit state: entanglement, correlations and two-qubit robustness of magic.

Functions take two-qubit density matrices of shape ``(..., 4, 4)`` (qubit 1 first).

* Concurrence (Wootters, PRL 80, 2245 (1998)):
  :math:`C = \max(0, \lambda_1 - \lambda_2 - \lambda_3 - \lambda_4)`, :math:`\lambda_i` the
  decreasing square roots of the eigenvalues of :math:`\rho\,(Y\otimes Y)\rho^*(Y\otimes Y)`.
* Negativity: :math:`N = (\|\rho^{T_2}\|_1 - 1)/2`, the sum of the moduli of the negative eigenvalues of the
  partial transpose.
* Mutual information (bits): :math:`I = S(\rho_1) + S(\rho_2) - S(\rho)`, von Neumann, base 2.
* Robustness of magic (Howard & Campbell, PRL 118, 090501 (2017)):
  :math:`R(\rho) = \min \{\|x\|_1 : \sum_i x_i |s_i\rangle\langle s_i| = \rho\}` over the 60
  two-qubit stabilizer states, solved as a linear program (16 real equations in the Pauli
  basis, :math:`x = x^+ - x^-`, HiGHS). R = 1 exactly on stabilizer mixtures, and
  :math:`R(\rho_{12}) \ge R(\rho_1)` always (the partial trace is a stabilizer operation and R
  is monotone under them).

The 60 stabilizer states are the 36 products of the six one-qubit stabilizer states and the 24
maximally entangled states :math:`(I \otimes C)|\Phi^+\rangle`, C running over the 24
one-qubit Cliffords modulo phase.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError

__all__ = [
    "one_qubit_stabilizer_states",
    "one_qubit_cliffords",
    "two_qubit_stabilizer_states",
    "pauli_coefficients",
    "concurrence",
    "negativity",
    "mutual_information",
    "robustness_lp",
    "robustness_two_qubit",
    "LP_TOL",
]

ComplexArray = npt.NDArray[Any]
FloatArray = npt.NDArray[Any]

#: Feasibility tolerance asked of HiGHS for the robustness LP; R is accurate to about this.
LP_TOL = 1e-10
#: Eigenvalues below this are dropped from entropies (0 log 0 = 0); states are accurate to ~1e-15.
_EIG_FLOOR = 1e-14

_I = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_PAULIS = (_I, _X, _Y, _Z)
_YY = np.kron(_Y, _Y)


def _states(rho: npt.ArrayLike, dim: int = 4) -> ComplexArray:
    try:
        r = np.asarray(rho, dtype=complex)
    except (TypeError, ValueError):
        raise InputError(f"rho must be an array of {dim}x{dim} density matrices") from None
    if r.shape[-2:] != (dim, dim):
        raise InputError(f"rho must have shape (..., {dim}, {dim}); got {r.shape}")
    if not np.all(np.isfinite(r)):
        raise InputError("rho must be finite")
    return r


def one_qubit_stabilizer_states() -> ComplexArray:
    """Kets of ``|0>, |1>, |+>, |->, |+i>, |-i>``, shape (6, 2)."""
    s = 1.0 / np.sqrt(2.0)
    return np.array([[1, 0], [0, 1], [s, s], [s, -s], [s, 1j * s], [s, -1j * s]], dtype=complex)


def _canonical(U: ComplexArray) -> bytes:
    """Key of U up to a global phase: divide by the phase of its first sizeable entry, round."""
    flat = U.reshape(-1)
    k = int(np.argmax(np.abs(flat) > 1e-9))
    V = flat * (abs(flat[k]) / flat[k])
    V = np.round(V.real, 9) + 1j * np.round(V.imag, 9) + 0.0  # + 0.0 turns -0.0 into 0.0
    return V.tobytes()


@functools.lru_cache(maxsize=1)
def _cliffords() -> ComplexArray:
    H = np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2.0)
    S = np.diag([1.0, 1j])
    found = {_canonical(_I): _I}
    frontier = [_I]
    while frontier:
        nxt = []
        for U in frontier:
            for G in (H, S):
                V = G @ U
                key = _canonical(V)
                if key not in found:
                    found[key] = V
                    nxt.append(V)
        frontier = nxt
    return np.array(list(found.values()))


def one_qubit_cliffords() -> ComplexArray:
    """The 24 one-qubit Clifford unitaries modulo phase, generated from H and S; shape (24, 2, 2)."""
    return _cliffords().copy()


@functools.lru_cache(maxsize=1)
def _stabilizer_kets() -> ComplexArray:
    one = one_qubit_stabilizer_states()
    products = [np.kron(a, b) for a, b in itertools.product(one, one)]
    phi = np.array([1, 0, 0, 1], dtype=complex) / np.sqrt(2.0)
    entangled = [np.kron(_I, C) @ phi for C in _cliffords()]
    return np.array(products + entangled)


def two_qubit_stabilizer_states() -> ComplexArray:
    """The 60 two-qubit stabilizer kets (36 products, then 24 entangled), shape (60, 4)."""
    return _stabilizer_kets().copy()


@functools.lru_cache(maxsize=1)
def _pauli_basis2() -> ComplexArray:
    return np.array([np.kron(a, b) for a in _PAULIS for b in _PAULIS])  # k = 4a + b


def pauli_coefficients(rho: npt.ArrayLike) -> FloatArray:
    r"""Real coefficients :math:`c_{ab} = \mathrm{Tr}(\rho\,\sigma_a\otimes\sigma_b)`, shape (..., 16), k = 4a + b."""
    r = _states(rho)
    return np.einsum("kji,...ij->...k", _pauli_basis2(), r).real


@functools.lru_cache(maxsize=1)
def _stabilizer_matrix() -> FloatArray:
    kets = _stabilizer_kets()
    proj = np.einsum("ni,nj->nij", kets, kets.conj())
    return pauli_coefficients(proj).T  # (16, 60)


def concurrence(rho: npt.ArrayLike) -> FloatArray:
    r"""Wootters concurrence of two-qubit states, shape (...)."""
    r = _states(rho)
    tilde = _YY @ r.conj() @ _YY
    ev = np.linalg.eigvals(r @ tilde)
    lam = np.sort(np.sqrt(np.clip(ev.real, 0.0, None)), axis=-1)[..., ::-1]
    return np.maximum(0.0, lam[..., 0] - lam[..., 1] - lam[..., 2] - lam[..., 3])


def negativity(rho: npt.ArrayLike) -> FloatArray:
    """Negativity (||rho^T2||_1 - 1)/2 of two-qubit states, shape (...)."""
    r = _states(rho)
    pt = r.reshape(*r.shape[:-2], 2, 2, 2, 2).swapaxes(-3, -1).reshape(r.shape)
    ev = np.linalg.eigvalsh(0.5 * (pt + np.swapaxes(pt, -1, -2).conj()))
    return -np.minimum(ev, 0.0).sum(axis=-1)


def _entropy_bits(rho: ComplexArray) -> FloatArray:
    ev = np.linalg.eigvalsh(0.5 * (rho + np.swapaxes(rho, -1, -2).conj()))
    ev = np.where(ev > _EIG_FLOOR, ev, 1.0)  # log2(1) = 0 drops them
    return -(ev * np.log2(ev)).sum(axis=-1)


def mutual_information(rho: npt.ArrayLike) -> FloatArray:
    """Quantum mutual information S(1) + S(2) - S(12) in bits, shape (...)."""
    r = _states(rho)
    t = r.reshape(*r.shape[:-2], 2, 2, 2, 2)
    r1 = np.einsum("...abcb->...ac", t)
    r2 = np.einsum("...abad->...bd", t)
    return _entropy_bits(r1) + _entropy_bits(r2) - _entropy_bits(r)


def robustness_lp(coefficients: npt.ArrayLike, stabilizers: npt.ArrayLike) -> float:
    r"""min ||x||_1 subject to ``stabilizers @ x = coefficients`` (one LP, HiGHS).

    Args:
        coefficients: Pauli coefficients of the state, shape (m,).
        stabilizers: Pauli coefficients of the stabilizer states as columns, shape (m, n).

    Raises:
        InputError: if the shapes disagree or the state is not in the span (infeasible LP).
    """
    b = np.asarray(coefficients, dtype=float)
    A = np.asarray(stabilizers, dtype=float)
    if A.ndim != 2 or b.shape != (A.shape[0],):
        raise InputError(f"coefficients must have shape ({A.shape[0] if A.ndim == 2 else '?'},); got {b.shape}")
    n = A.shape[1]
    from scipy.optimize import linprog  # lazy: scipy.optimize loads scipy.linalg (slow start-up)
    res = linprog(np.ones(2 * n), A_eq=np.hstack([A, -A]), b_eq=b, bounds=(0, None), method="highs",
                  options={"primal_feasibility_tolerance": LP_TOL, "dual_feasibility_tolerance": LP_TOL})
    if res.status != 0:
        raise InputError(f"robustness LP failed: {res.message}")
    return float(res.fun)


def robustness_two_qubit(rho: npt.ArrayLike) -> FloatArray:
    """Two-qubit robustness of magic, one LP per state, shape (...)."""
    c = pauli_coefficients(rho)
    A = _stabilizer_matrix()
    flat = c.reshape(-1, 16)
    out = np.array([robustness_lp(ci, A) for ci in flat])
    return out.reshape(c.shape[:-1])
