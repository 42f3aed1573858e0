r"""The model: parameters, operators and exact one-step channels.

This module only *builds* physics objects; solving happens in :mod:`qc_reset.exact`.

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

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import InputError, quote, real_array

__all__ = [
    "Params",
    "validate_params",
    "bath_polarization",
    "hamiltonian",
    "tau1",
    "tau2",
    "liouvillian",
    "reset_superop",
    "unitary_superop",
    "free_unitary",
    "exchange_unitary",
    "step_channels",
    "PAULI",
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
_EXCHANGE = np.zeros((4, 4), dtype=complex)
_EXCHANGE[1, 2] = _EXCHANGE[2, 1] = 1.0  # |01><10| + |10><01| = (XX + YY)/2
_H0 = 0.5 * (np.kron(_N1, _I2) + np.kron(_I2, _N1))


def _check_array(name: str, value: Any, *, lo: float, lo_open: bool, allow_inf: bool) -> FloatArray:
    arr = real_array(name, value)  # complex, strings, dicts, ragged lists, datetimes: InputError naming `name`
    bad = np.isnan(arr) | (arr < lo) | ((arr == lo) if lo_open else False)
    if not allow_inf:
        bad |= ~np.isfinite(arr)
    if np.any(bad):
        first = float(arr[bad].flat[0])
        bracket = "(" if lo_open else "["
        upper = "+inf]" if allow_inf else "+inf)"
        raise InputError(f"{name} must be a number in {bracket}{lo:g}, {upper}; got {first!r}")
    return arr


def validate_params(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Check model parameters and broadcast them to a common shape.

    Args:
        g: exchange coupling, any finite real number.
        p1, p2: reset rates, finite and >= 0, not both 0 at the same point.
        T1, T2: bath temperatures in ``[0, +inf]`` (0 is the ground-state limit).

    Returns:
        The five parameters as float arrays of the broadcast shape.

    Raises:
        InputError: (a ``ValueError``) naming the offending parameter and its allowed range; also for
            values that are not real numbers (complex, strings, dicts, ``None``, datetimes, ragged lists).
    """
    g_arr = real_array("g", g)
    if np.any(~np.isfinite(g_arr)):
        raise InputError(f"g must be a finite real number; got {float(g_arr[~np.isfinite(g_arr)].flat[0])!r}")
    p1_arr = _check_array("p1", p1, lo=0.0, lo_open=False, allow_inf=False)
    p2_arr = _check_array("p2", p2, lo=0.0, lo_open=False, allow_inf=False)
    T1_arr = _check_array("T1", T1, lo=0.0, lo_open=False, allow_inf=True)
    T2_arr = _check_array("T2", T2, lo=0.0, lo_open=False, allow_inf=True)
    try:
        out = np.broadcast_arrays(g_arr, p1_arr, p2_arr, T1_arr, T2_arr)
    except ValueError as exc:
        raise InputError(f"g, p1, p2, T1, T2 must broadcast to a common shape: {exc}") from None
    if np.any((out[1] == 0) & (out[2] == 0)):
        raise InputError("p1 and p2 must not both be 0 (allowed: p1 >= 0, p2 >= 0, p1 + p2 > 0)")
    return tuple(np.array(a, dtype=float) for a in out)  # type: ignore[return-value]


def bath_polarization(T: npt.ArrayLike) -> FloatArray:
    r"""Polarization :math:`\tanh(1/(2T))` of a bath state, safe at ``T = 0`` and ``T = inf``.

    Returns 1 at ``T = 0`` and 0 at ``T = inf`` without warnings or overflow.
    """
    T_arr = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):  # T subnormal: 0.5/T overflows to inf
        beta_half = np.where(T_arr > 0, 0.5 / np.where(T_arr > 0, T_arr, 1.0), np.inf)
    return np.tanh(beta_half)


@dataclasses.dataclass(frozen=True)
class Params:
    r"""One validated parameter point (g, p1, p2, T1, T2) of the model.

    .. math:: \dot\rho = -i[H,\rho] + p_1(\tau_1\otimes\mathrm{Tr}_1\rho - \rho)
              + p_2(\mathrm{Tr}_2\rho\otimes\tau_2 - \rho)

    Example:
        >>> Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.0).z1
        0.9999999092...
    """

    g: float
    p1: float
    p2: float
    T1: float
    T2: float

    def __post_init__(self) -> None:
        names = ("g", "p1", "p2", "T1", "T2")
        for field in names:
            # real_array first: np.ndim of a dict or a symbolic Parameter is 0, which would pass here
            if real_array(field, getattr(self, field)).ndim != 0:
                raise InputError(f"{field} must be a scalar for Params; use the batched functions for arrays")
        checked = validate_params(self.g, self.p1, self.p2, self.T1, self.T2)
        for field, value in zip(names, checked, strict=True):
            object.__setattr__(self, field, float(value))

    @classmethod
    def require(cls, value: Any, name: str = "params") -> Params:
        """``value`` if it is a :class:`Params`; otherwise an ``InputError`` naming ``name``.

        Entry points that need numbers call this first, so that symbolic
        :class:`~qc_reset.circuits.CircuitParameters`, dicts or tuples fail with a message instead of an
        ``AttributeError`` deep inside.
        """
        if isinstance(value, cls):
            return value
        hint = ""
        if type(value).__name__ == "CircuitParameters":
            hint = ("; CircuitParameters are symbolic (build a circuit with qc_reset.circuits.trotter_circuit "
                    "and bind numbers with CircuitParameters.values)")
        elif isinstance(value, dict):
            hint = "; use Params(**d)"
        raise InputError(f"{name} must be a qc_reset.Params(g, p1, p2, T1, T2) of numbers; got "
                         f"{type(value).__name__} {quote(value, 60)}{hint}")

    @property
    def z1(self) -> float:
        """Bloch z component of tau1, tanh(1/(2 T1))."""
        return float(bath_polarization(self.T1))

    @property
    def x2(self) -> float:
        """Bloch x component of tau2, tanh(1/(2 T2))."""
        return float(bath_polarization(self.T2))

    def to_dict(self) -> dict[str, float]:
        """The parameters as a plain dict (JSON-ready)."""
        return dataclasses.asdict(self)

    def hamiltonian(self) -> ComplexArray:
        """The 4x4 Hamiltonian H."""
        return hamiltonian(self.g)

    def tau1(self) -> ComplexArray:
        """Heat-bath state tau1 (2x2)."""
        return tau1(self.T1)

    def tau2(self) -> ComplexArray:
        """Spin-bath state tau2 (2x2)."""
        return tau2(self.T2)

    def liouvillian(self) -> ComplexArray:
        """The 16x16 Liouvillian (row-major vectorization, qubit 1 first)."""
        return liouvillian(self.g, self.p1, self.p2, self.T1, self.T2)


def hamiltonian(g: float) -> ComplexArray:
    """The 4x4 Hamiltonian H for coupling ``g`` (qubit 1 first)."""
    return _H0 + float(g) * _EXCHANGE


def tau1(T1: float) -> ComplexArray:
    """Heat-bath state (|0><0| + e^{-1/T1}|1><1|)/(1 + e^{-1/T1}); Bloch vector (0, 0, z1)."""
    z = float(bath_polarization(T1))
    return 0.5 * (_I2 + z * _Z)


def tau2(T2: float) -> ComplexArray:
    """Spin-bath state (|+><+| + e^{-1/T2}|-><-|)/(1 + e^{-1/T2}); Bloch vector (x2, 0, 0)."""
    x = float(bath_polarization(T2))
    return 0.5 * (_I2 + x * _X)


def unitary_superop(U: ComplexArray) -> ComplexArray:
    """Superoperator of rho -> U rho U^dagger in the row-major convention."""
    return np.kron(U, U.conj())


def _commutator_superop(H: ComplexArray) -> ComplexArray:
    eye = np.eye(H.shape[0])
    return -1j * (np.kron(H, eye) - np.kron(eye, H.T))


def _replace_superop(tau: ComplexArray, qubit: int) -> ComplexArray:
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
    if qubit not in (1, 2):
        raise InputError(f"qubit must be 1 or 2; got {qubit!r}")
    if not 0.0 <= q <= 1.0:
        raise InputError(f"q must be a probability in [0, 1]; got {q!r}")
    return (1.0 - q) * np.eye(16, dtype=complex) + q * _replace_superop(tau, qubit)


def liouvillian(g: float, p1: float, p2: float, T1: float, T2: float) -> ComplexArray:
    """The 16x16 Liouvillian of the master equation at one parameter point."""
    validate_params(g, p1, p2, T1, T2)
    eye = np.eye(16)
    return (
        _commutator_superop(hamiltonian(g))
        + p1 * (_replace_superop(tau1(T1), 1) - eye)
        + p2 * (_replace_superop(tau2(T2), 2) - eye)
    )


def free_unitary(dt: float) -> ComplexArray:
    """exp(-i H0 dt) with H0 = (1/2)(|1><1| (x) I + I (x) |1><1|): diagonal phases."""
    n = np.array([0.0, 1.0, 1.0, 2.0])
    return np.diag(np.exp(-0.5j * dt * n))


def exchange_unitary(g: float, dt: float) -> ComplexArray:
    """The partial SWAP exp(-i g dt (XX + YY)/2) on the two qubits."""
    th = g * dt
    U = np.eye(4, dtype=complex)
    U[1, 1] = U[2, 2] = math.cos(th)
    U[1, 2] = U[2, 1] = -1j * math.sin(th)
    return U


def step_channels(params: Params, dt: float) -> dict[str, ComplexArray]:
    """Exact 16x16 channels of the pieces of one time step of length ``dt``.

    Returns a dict with keys ``"free"`` (exp(-i H0 dt)), ``"exchange"`` (partial SWAP),
    ``"reset1"`` and ``"reset2"`` (q_i = 1 - exp(-p_i dt)). Because H0 commutes with the
    exchange term, ``free @ exchange`` is exactly the unitary part exp(-i H dt).
    """
    if not (math.isfinite(dt) and dt > 0):
        raise InputError(f"dt must be a finite number in (0, +inf); got {dt!r}")
    q1 = -math.expm1(-params.p1 * dt)
    q2 = -math.expm1(-params.p2 * dt)
    return {
        "free": unitary_superop(free_unitary(dt)),
        "exchange": unitary_superop(exchange_unitary(params.g, dt)),
        "reset1": reset_superop(params.tau1(), 1, q1),
        "reset2": reset_superop(params.tau2(), 2, q2),
    }
