r"""Channel math of the Trotterized model in plain numpy: the exact step channel, its fixed point and
spectral gap, convergence steps, Kraus operators and the conversion to Qiskit's superoperator layout.

Superoperators are 16x16 arrays on the row-major vectorization ``rho.reshape(16)``, qubit 1 first
(:mod:`qc_reset.model.operators`). One Trotter step of length :math:`dt` is built from
:func:`~qc_reset.model.operators.step_channels`: with :math:`U = e^{-iH dt}` and :math:`R = R_2 R_1`,

.. math::  S_1(dt) = R(dt)\,U(dt) \quad\text{(Lie-Trotter)}, \qquad
           S_2(dt) = U(dt/2)\,R(dt)\,U(dt/2) \quad\text{(Strang)}.

``steps="auto"`` of the circuit layers is :func:`auto_steps`: the smallest :math:`N` with
:math:`D(S^N\rho_0, \rho_\star) \le \mathrm{tol}`, :math:`\rho_\star` the fixed point of :math:`S`
and :math:`D` the trace distance. Qiskit's ``SuperOp`` (and Aer's ``superop`` instruction) stack
columns; :func:`to_qiskit_superop` converts (no Qiskit is imported here).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, interval_number
from .._checks import order as check_order
from .operators import ComplexArray, step_channels
from .params import Params
from .steady import SteadyStateError

__all__ = [
    "DEFAULT_TOL",
    "MIN_TOL",
    "MAX_AUTO_STEPS",
    "check_tol",
    "trotter_step_superop",
    "to_qiskit_superop",
    "from_qiskit_superop",
    "reset_kraus",
    "replace_kraus",
    "trace_distance",
    "fixed_point",
    "second_eigenvalue",
    "auto_steps",
]

#: Default convergence tolerance (trace distance to the step channel's fixed point).
DEFAULT_TOL = 1e-10
#: Smallest tolerance accepted: rounding in S^N (repeated squaring) and in the fixed point is ~1e-13.
MIN_TOL = 1e-12
#: Most steps :func:`auto_steps` searches before giving up.
MAX_AUTO_STEPS = 10_000_000


def check_tol(tol: Any) -> float:
    """A convergence tolerance in ``[MIN_TOL, 1)``."""
    return interval_number("tol", tol, lo=MIN_TOL, hi=1.0, hi_open=True)


def trotter_step_superop(params: Params, dt: float, order: int = 1) -> ComplexArray:
    r"""Exact 16x16 row-major superoperator of one Trotter step (qubit 1 first).

    :math:`S_1 = R_2 R_1 U(dt)`, :math:`S_2 = U(dt/2) R_2 R_1 U(dt/2)`, from
    :func:`~qc_reset.model.operators.step_channels`; ``dt`` must be a number (not a circuit parameter).
    """
    params = Params.require(params)
    dt = interval_number("dt", dt, lo=0.0, hi=math.inf, lo_open=True, hi_open=True)
    order = check_order(order)
    full = step_channels(params, dt)
    R = full["reset2"] @ full["reset1"]
    if order == 1:
        return R @ full["free"] @ full["exchange"]
    half = step_channels(params, 0.5 * dt)
    U_half = half["free"] @ half["exchange"]
    return U_half @ R @ U_half


def to_qiskit_superop(S: npt.ArrayLike) -> ComplexArray:
    """Row-major (package) 16x16 superoperator -> Qiskit/Aer column-stacking ``SuperOp`` data.

    With the qubit mapping of :mod:`qc_reset.circuits` (paper qubit 1 on Qiskit qubit 1) the operator
    index order already agrees, so only the vectorization differs: ``S_col[(j,i),(l,k)] = S_row[(i,j),(k,l)]``.
    """
    arr = np.asarray(S, dtype=complex)
    d = int(round(math.sqrt(arr.shape[0])))
    return np.ascontiguousarray(arr.reshape(d, d, d, d).transpose(1, 0, 3, 2).reshape(d * d, d * d))


def from_qiskit_superop(S: npt.ArrayLike) -> ComplexArray:
    """Inverse of :func:`to_qiskit_superop` (the permutation is an involution)."""
    return to_qiskit_superop(S)


def _eig_kraus(rho: ComplexArray, dim: int) -> list[ComplexArray]:
    """Kraus operators sqrt(lambda_k)|psi_k><j| of rho -> Tr(rho_in) rho (replace channel)."""
    lam, vec = np.linalg.eigh(0.5 * (rho + rho.conj().T))
    ops = []
    for k in range(dim):
        if lam[k] > 1e-15:
            for j in range(dim):
                ops.append(math.sqrt(lam[k]) * np.outer(vec[:, k], np.eye(dim)[j]))
    return ops


def reset_kraus(tau: ComplexArray, q: float) -> list[ComplexArray]:
    r"""Single-qubit Kraus operators of :math:`\rho\mapsto(1-q)\rho + q\,\tau\,\mathrm{Tr}\rho`."""
    ops = [math.sqrt(q) * K for K in _eig_kraus(np.asarray(tau, dtype=complex), 2)]
    return ([math.sqrt(1.0 - q) * np.eye(2, dtype=complex)] if q < 1.0 else []) + ops


def replace_kraus(rho: npt.ArrayLike) -> list[ComplexArray]:
    """Two-qubit Kraus operators of the channel that prepares ``rho`` (4x4, qubit 1 first) from any state."""
    return _eig_kraus(np.asarray(rho, dtype=complex), 4)


def trace_distance(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    r"""Trace distance :math:`\tfrac12\|a - b\|_1` of two Hermitian matrices."""
    diff = np.asarray(a, dtype=complex) - np.asarray(b, dtype=complex)
    return float(0.5 * np.abs(np.linalg.eigvalsh(0.5 * (diff + diff.conj().T))).sum())


def fixed_point(S: npt.ArrayLike) -> ComplexArray:
    r"""The state :math:`\rho_\star` with :math:`S\rho_\star = \rho_\star` (row-major 16x16 ``S``), trace 1."""
    arr = np.asarray(S, dtype=complex)
    _, _, vh = np.linalg.svd(arr - np.eye(arr.shape[0]))
    d = int(round(math.sqrt(arr.shape[0])))
    rho = vh[-1].conj().reshape(d, d)
    rho = rho / np.trace(rho)
    return 0.5 * (rho + rho.conj().T)


def second_eigenvalue(S: npt.ArrayLike) -> float:
    r""":math:`|\lambda_2|`, the largest eigenvalue modulus of ``S`` apart from the eigenvalue 1.

    The spectral gap of the step channel is :math:`1 - |\lambda_2|`; distances to the fixed point
    shrink asymptotically like :math:`|\lambda_2|^N`.
    """
    lam = np.linalg.eigvals(np.asarray(S, dtype=complex))
    one = int(np.argmin(np.abs(lam - 1.0)))
    return float(np.max(np.abs(np.delete(lam, one))))


def auto_steps(S: npt.ArrayLike, rho0: npt.ArrayLike, tol: float = DEFAULT_TOL) -> int:
    r"""Smallest :math:`N` with :math:`D(S^N\rho_0, \rho_\star) \le \mathrm{tol}` (trace distance).

    The spectral gap gives the first guess :math:`N_0 = \lceil\ln(\mathrm{tol}/D_0)/\ln|\lambda_2|\rceil`.
    Because a channel contracts the trace distance, :math:`D(S^N\rho_0, \rho_\star)` does not increase
    with :math:`N`; so the guess is enlarged until the bound holds (exact numpy ``matrix_power``; non-normal
    transients can need more than :math:`N_0`) and then bisected down to the smallest such :math:`N`.

    Raises:
        SteadyStateError: if :math:`|\lambda_2| = 1` (no unique fixed point).
        InputError: if ``tol`` is outside :math:`[10^{-12}, 1)` or the bound is not reached.
    """
    tol = check_tol(tol)
    S_arr = np.asarray(S, dtype=complex)
    rho0_arr = np.asarray(rho0, dtype=complex)
    star = fixed_point(S_arr)
    v0 = rho0_arr.reshape(-1)

    def dist(n: int) -> float:
        return trace_distance((np.linalg.matrix_power(S_arr, n) @ v0).reshape(rho0_arr.shape), star)

    d0 = trace_distance(rho0_arr, star)
    if d0 <= tol:
        return 1
    lam2 = second_eigenvalue(S_arr)
    if lam2 >= 1.0 - 1e-14:
        raise SteadyStateError("the step channel has no unique fixed point (spectral gap 0)")
    hi = max(1, math.ceil(math.log(tol / d0) / math.log(lam2))) if lam2 > 0 else 1
    limit = min(MAX_AUTO_STEPS, 16 * hi)  # far beyond any transient; failing here means rounding dominates
    lo = 0  # invariant: dist(lo) > tol (dist(0) = d0), dist(hi) <= tol once found
    while dist(hi) > tol:
        lo, hi = hi, math.ceil(1.25 * hi) + 1
        if hi > limit:
            raise InputError(f"steps: no N <= {limit} reaches tol = {tol:g} (rounding or a tiny spectral "
                             "gap); use a larger tol or dt")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if dist(mid) <= tol else (mid, hi)
    return hi
