r"""The model's operators: Hamiltonian, bath states, superoperators, Liouvillian and one-step channels.

This module only *builds* physics objects from numbers (the validated point is
:class:`qc_reset.model.params.Params`); solving happens in :mod:`qc_reset.model.steady` and
:mod:`qc_reset.model.dynamics`.

Two qubits, qubit 1 in a heat bath at temperature :math:`T_1` (energy basis Z), qubit 2 in
a spin bath at temperature :math:`T_2` that exchanges spin along X. Units
:math:`\omega = \hbar = k_B = 1`.

.. math::

    H = \tfrac12 |1\rangle\langle 1| \otimes I + I \otimes \tfrac12 |1\rangle\langle 1|
        + g\,(|01\rangle\langle 10| + |10\rangle\langle 01|),

    \dot\rho = -i[H, \rho] + p_1(\tau_1 \otimes \mathrm{Tr}_1\rho - \rho)
               + p_2(\mathrm{Tr}_2\rho \otimes \tau_2 - \rho),

with :math:`\tau_1` thermal in Z (Bloch vector :math:`(0, 0, \tanh(1/2T_1))`) and
:math:`\tau_2` "thermal" in X (Bloch vector :math:`(\tanh(1/2T_2), 0, 0)`).

Conventions (used throughout the package):

* Two-qubit states are 4x4 arrays with **qubit 1 (heat bath) as the first tensor factor**,
  i.e. ``rho = kron(rho_q1, rho_q2)`` for product states; ``|0>`` is the +z ground state.
* Superoperators are 16x16 arrays acting on the **row-major** vectorization
  ``rho.reshape(16)``, so that ``vec(A @ rho @ B) = kron(A, B.T) @ vec(rho)``.
  (Qiskit's ``SuperOp`` stacks columns and orders qubits little-endian; the circuit layer
  converts.)
* Temperatures may be 0 (the ground-state limit) or ``inf`` (maximally mixed).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .._checks import interval_number, qubit_index, validate_params

__all__ = [
    "FloatArray",
    "ComplexArray",
    "PAULI",
    "EXCHANGE",
    "bath_polarization",
    "hamiltonian",
    "tau1",
    "tau2",
    "unitary_superop",
    "commutator_superop",
    "replace_superop",
    "reset_superop",
    "liouvillian",
    "free_unitary",
    "exchange_unitary",
    "StepPoint",
    "step_channels",
]

# Array aliases name the dtype for readers; numpy's stubs do not track float64 vs. generic
# floating through ufuncs, so the annotations stay at NDArray[Any] precision for mypy.
FloatArray = npt.NDArray[Any]
ComplexArray = npt.NDArray[Any]

_I2 = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.array([[1, 0], [0, -1]], dtype=complex)
#: Single-qubit Pauli matrices ``(I, X, Y, Z)``.
PAULI: tuple[ComplexArray, ...] = (_I2, _X, _Y, _Z)
_N1 = np.diag([0.0, 1.0]).astype(complex)  # |1><1|
#: The exchange operator ``|01><10| + |10><01| = (XX + YY)/2`` of the coupling g (qubit 1 first).
EXCHANGE = np.zeros((4, 4), dtype=complex)
EXCHANGE[1, 2] = EXCHANGE[2, 1] = 1.0  # |01><10| + |10><01| = (XX + YY)/2
_H0 = 0.5 * (np.kron(_N1, _I2) + np.kron(_I2, _N1))


def bath_polarization(T: npt.ArrayLike) -> FloatArray:
    r"""Polarization :math:`\tanh(1/(2T))` of a bath state, safe at ``T = 0`` and ``T = inf``.

    Returns 1 at ``T = 0`` and 0 at ``T = inf`` without warnings or overflow.
    """
    T_arr = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):  # T subnormal: 0.5/T overflows to inf
        beta_half = np.where(T_arr > 0, 0.5 / np.where(T_arr > 0, T_arr, 1.0), np.inf)
    return np.tanh(beta_half)


def hamiltonian(g: float) -> ComplexArray:
    """The 4x4 Hamiltonian H for coupling ``g`` (qubit 1 first)."""
    return _H0 + float(g) * EXCHANGE


def tau1(T1: float) -> ComplexArray:
    """Heat-bath state ``(|0><0| + e^{-1/T1}|1><1|)/(1 + e^{-1/T1})``; Bloch vector (0, 0, z1)."""
    z = float(bath_polarization(T1))
    return 0.5 * (_I2 + z * _Z)


def tau2(T2: float) -> ComplexArray:
    """Spin-bath state ``(|+><+| + e^{-1/T2}|-><-|)/(1 + e^{-1/T2})``; Bloch vector (x2, 0, 0)."""
    x = float(bath_polarization(T2))
    return 0.5 * (_I2 + x * _X)


def unitary_superop(U: ComplexArray) -> ComplexArray:
    """Superoperator of rho -> U rho U^dagger in the row-major convention."""
    return np.kron(U, U.conj())


def commutator_superop(H: ComplexArray) -> ComplexArray:
    """Superoperator of rho -> -i[H, rho] in the row-major convention."""
    eye = np.eye(H.shape[0])
    return -1j * (np.kron(H, eye) - np.kron(eye, H.T))


def replace_superop(tau: ComplexArray, qubit: int) -> ComplexArray:
    """Superoperator of rho -> tau (x) Tr_1 rho (qubit=1) or Tr_2 rho (x) tau (qubit=2)."""
    S = np.zeros((16, 16), dtype=complex)
    for k in range(16):
        basis = np.zeros(16, dtype=complex)
        basis[k] = 1.0
        r = basis.reshape(2, 2, 2, 2)  # r[a, b, c, d] = rho_{ab, cd}
        if qubit == 1:
            out = np.kron(tau, np.einsum("abad->bd", r))
        else:
            out = np.kron(np.einsum("abcb->ac", r), tau)
        S[:, k] = out.reshape(16)
    return S


def reset_superop(tau: ComplexArray, qubit: int, q: float) -> ComplexArray:
    r"""Exact channel of the reset dissipator over one step: with probability ``q`` the
    qubit is replaced by ``tau``.

    :math:`\rho \mapsto (1-q)\rho + q\,\tau\otimes\mathrm{Tr}_1\rho` for qubit 1 (likewise for
    qubit 2). Integrating :math:`p(\tau\otimes\mathrm{Tr}\rho - \rho)` over ``dt`` gives exactly
    this map with :math:`q = 1 - e^{-p\,dt}`.
    """
    qubit_index(qubit)
    interval_number("q", q, lo=0.0, hi=1.0, what="a probability")
    return (1.0 - q) * np.eye(16, dtype=complex) + q * replace_superop(tau, qubit)


def liouvillian(g: float, p1: float, p2: float, T1: float, T2: float) -> ComplexArray:
    """The 16x16 Liouvillian of the master equation at one parameter point."""
    validate_params(g, p1, p2, T1, T2)
    eye = np.eye(16)
    return (
        commutator_superop(hamiltonian(g))
        + p1 * (replace_superop(tau1(T1), 1) - eye)
        + p2 * (replace_superop(tau2(T2), 2) - eye)
    )


def free_unitary(dt: float) -> ComplexArray:
    """exp(-i H0 dt) with ``H0 = (1/2)(|1><1| (x) I + I (x) |1><1|)``: diagonal phases."""
    n = np.array([0.0, 1.0, 1.0, 2.0])
    return np.diag(np.exp(-0.5j * dt * n))


def exchange_unitary(g: float, dt: float) -> ComplexArray:
    """The partial SWAP exp(-i g dt (XX + YY)/2) on the two qubits."""
    th = g * dt
    U = np.eye(4, dtype=complex)
    U[1, 1] = U[2, 2] = math.cos(th)
    U[1, 2] = U[2, 1] = -1j * math.sin(th)
    return U


class StepPoint(Protocol):
    """What :func:`step_channels` reads from a parameter point (a :class:`~qc_reset.model.params.Params`)."""

    @property
    def g(self) -> float: ...
    @property
    def p1(self) -> float: ...
    @property
    def p2(self) -> float: ...
    @property
    def T1(self) -> float: ...
    @property
    def T2(self) -> float: ...


def step_channels(params: StepPoint, dt: float) -> dict[str, ComplexArray]:
    """Exact 16x16 channels of the pieces of one time step of length ``dt``.

    Returns a dict with keys ``"free"`` (exp(-i H0 dt)), ``"exchange"`` (partial SWAP),
    ``"reset1"`` and ``"reset2"`` (q_i = 1 - exp(-p_i dt)). Because H0 commutes with the
    exchange term, ``free @ exchange`` is exactly the unitary part exp(-i H dt).
    """
    interval_number("dt", dt, lo=0.0, hi=math.inf, lo_open=True, hi_open=True)
    q1 = -math.expm1(-params.p1 * dt)
    q2 = -math.expm1(-params.p2 * dt)
    return {
        "free": unitary_superop(free_unitary(dt)),
        "exchange": unitary_superop(exchange_unitary(params.g, dt)),
        "reset1": reset_superop(tau1(params.T1), 1, q1),
        "reset2": reset_superop(tau2(params.T2), 2, q2),
    }
