r"""The chain's channels in the orthonormal Pauli basis: the real transfer matrices the tensor-network
path applies, and reduced states read from a Pauli-basis vector.

A density matrix of N qubits is the real vector :math:`v` of its coefficients in the orthonormal
basis :math:`B_{\mu_0}\otimes\cdots\otimes B_{\mu_{N-1}}`, :math:`B_\mu = P_\mu/\sqrt2`,
:math:`P = (I, X, Y, Z)`:

.. math::

    \rho = \sum_\mu v_\mu\, B_{\mu_0}\otimes\cdots\otimes B_{\mu_{N-1}}, \qquad
    v_\mu = \mathrm{Tr}(B_\mu\rho) \in \mathbb R, \qquad \|v\|_2^2 = \mathrm{Tr}\,\rho^2 \le 1 .

A Hermiticity-preserving map :math:`\Phi` acts on :math:`v` by its real Pauli transfer matrix
:math:`T_{ab} = \mathrm{Tr}(B_a\,\Phi(B_b))`; the trace is :math:`\sqrt2^{\,N} v_{0\cdots0}` and site
i's Bloch component :math:`a` is :math:`v_{0\cdots a\cdots0}/v_{0\cdots0}`. The site's local
generator (free phase :math:`-i[\tfrac{\omega}{2}|1\rangle\langle1|, \cdot]` plus the reset
:math:`p(\tau\,\mathrm{Tr}\rho - \rho)`) is a 4x4 real matrix and the bond's exchange
:math:`-ig[|01\rangle\langle10| + |10\rangle\langle01|, \cdot]` a 16x16 one; both are exponentiated
exactly (:func:`scipy.linalg.expm`).

The reduced states are contractions of an MPS of this vector with the trace vector
:math:`e_0` on the other sites (:func:`site_blochs`, :func:`pair_states`): a few lines of numpy over
the MPS arrays, written here because quimb's partial traces are those of a state vector
:math:`|\psi\rangle\langle\psi|`, not of a vectorized density matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.linalg

from ..operators import EXCHANGE, PAULI, ComplexArray, FloatArray, bath_polarization
from .spec import Site

__all__ = [
    "PAULI_BASIS",
    "transfer_matrix",
    "bath_bloch",
    "local_generator",
    "bond_generator",
    "local_channel",
    "bond_channel",
    "pauli_vector",
    "site_blochs",
    "pair_states",
]

#: The orthonormal single-qubit basis :math:`P_\mu/\sqrt2`, :math:`\mu = I, X, Y, Z`.
PAULI_BASIS: tuple[ComplexArray, ...] = tuple(P / math.sqrt(2.0) for P in PAULI)


def _basis(n: int) -> list[ComplexArray]:
    out: list[ComplexArray] = [np.ones((1, 1), dtype=complex)]
    for _ in range(n):
        out = [np.kron(a, b) for a in out for b in PAULI_BASIS]
    return out


def transfer_matrix(phi: Callable[[ComplexArray], ComplexArray], n: int) -> FloatArray:
    r"""Real :math:`4^n\times4^n` transfer matrix :math:`T_{ab} = \mathrm{Tr}(B_a\Phi(B_b))` of a linear,
    Hermiticity-preserving map ``phi`` on :math:`2^n\times2^n` matrices (site 0 the first factor)."""
    basis = _basis(n)
    images = [phi(b) for b in basis]
    T = np.array([[np.trace(a @ im) for im in images] for a in basis])
    if np.abs(T.imag).max() > 1e-12 * max(1.0, np.abs(T).max()):
        raise ValueError("the map does not preserve Hermiticity: its Pauli transfer matrix is not real")
    return np.ascontiguousarray(T.real)


def bath_bloch(site: Site) -> FloatArray:
    r"""The Bloch vector of the site's bath state: :math:`(0, 0, \tanh(1/2T))` (heat),
    :math:`(\tanh(1/2T), 0, 0)` (spin), 0 (no bath)."""
    x = float(bath_polarization(site.T)) if site.bath != "none" else 0.0
    return np.array([x, 0.0, 0.0]) if site.bath == "spin" else np.array([0.0, 0.0, x if site.bath == "heat" else 0.0])


def local_generator(site: Site) -> FloatArray:
    r"""4x4 transfer matrix of the site's generator
    :math:`-i[\tfrac{\omega}{2}|1\rangle\langle1|,\rho] + p(\tau\,\mathrm{Tr}\rho - \rho)`."""
    H = np.diag([0.0, 0.5 * site.omega]).astype(complex)
    r = bath_bloch(site)
    tau = 0.5 * (PAULI[0] + r[0] * PAULI[1] + r[1] * PAULI[2] + r[2] * PAULI[3])

    def phi(X: ComplexArray) -> ComplexArray:
        return -1j * (H @ X - X @ H) + site.p * (tau * np.trace(X) - X)

    return transfer_matrix(phi, 1)


def bond_generator(g: float) -> FloatArray:
    r"""16x16 transfer matrix of the bond generator :math:`-ig[|01\rangle\langle10| + |10\rangle\langle01|, \rho]`."""

    def phi(X: ComplexArray) -> ComplexArray:
        return -1j * g * (EXCHANGE @ X - X @ EXCHANGE)

    return transfer_matrix(phi, 2)


def local_channel(site: Site, t: float) -> FloatArray:
    """:math:`e^{t\\mathcal L_i}` of the site's local generator (exact, 4x4 real)."""
    return np.asarray(scipy.linalg.expm(t * local_generator(site)))


def bond_channel(g: float, t: float) -> FloatArray:
    """:math:`e^{t\\mathcal L_b}` of the bond's exchange (the partial SWAP channel, exact, 16x16 real)."""
    return np.asarray(scipy.linalg.expm(t * bond_generator(g)))


def pauli_vector(bloch: npt.ArrayLike) -> FloatArray:
    r"""One site's Pauli-basis vector :math:`(1, r_x, r_y, r_z)/\sqrt2` of the state with Bloch vector ``bloch``."""
    r = np.asarray(bloch, dtype=float).reshape(3)
    return np.concatenate(([1.0], r)) / math.sqrt(2.0)


def _site_arrays(arrays: Sequence[Any]) -> list[FloatArray]:
    """MPS site arrays as (left, right, phys) with bond 1 at the ends (quimb's 'lrp' order)."""
    n = len(arrays)
    out = []
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        if n == 1:
            a = a.reshape(1, 1, -1)
        elif i == 0:
            a = a[None, :, :]
        elif i == n - 1:
            a = a[:, None, :]
        out.append(a)
    return out


def _environments(A: list[FloatArray]) -> tuple[list[FloatArray], list[FloatArray]]:
    """Left and right trace environments, each rescaled to unit max (the Bloch ratios do not see the scale)."""
    n = len(A)
    left: list[FloatArray] = [np.ones(1)]
    for i in range(n - 1):
        v = left[-1] @ A[i][:, :, 0]
        left.append(v / max(np.abs(v).max(), 1e-300))
    right: list[FloatArray] = [np.ones(1)]
    for i in range(n - 1, 0, -1):
        v = A[i][:, :, 0] @ right[-1]
        right.append(v / max(np.abs(v).max(), 1e-300))
    right.reverse()
    return left, right


def site_blochs(arrays: Sequence[Any]) -> FloatArray:
    r"""Per-site Bloch vectors, shape (N, 3), of an MPS of the Pauli-basis vector (site arrays in
    quimb's ``'lrp'`` order): :math:`r^{(i)}_a = v_{0..a..0}/v_{0..0}`."""
    A = _site_arrays(arrays)
    left, right = _environments(A)
    out = np.empty((len(A), 3))
    for i, a in enumerate(A):
        c = np.einsum("l,lrp,r->p", left[i], a, right[i])
        out[i] = c[1:] / c[0]
    return out


def pair_states(arrays: Sequence[Any]) -> ComplexArray:
    r"""Two-site reduced density matrices of neighbours (i, i+1), shape (N - 1, 4, 4), site i first:
    :math:`\rho = \tfrac14\sum_{ab} c_{ab} P_a\otimes P_b` with :math:`c_{ab} = v_{..ab..}/v_{0..0}`."""
    A = _site_arrays(arrays)
    left, right = _environments(A)
    paulis = np.array([np.kron(a, b) for a in PAULI for b in PAULI])
    out = np.empty((len(A) - 1, 4, 4), dtype=complex)
    for i in range(len(A) - 1):
        c = np.einsum("l,lrp,rsq,s->pq", left[i], A[i], A[i + 1], right[i + 1]).reshape(16)
        out[i] = 0.25 * np.tensordot(c / c[0], paulis, axes=1)
    return out
