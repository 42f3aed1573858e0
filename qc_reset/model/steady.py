r"""Exact steady state of the master equation, batched over parameter arrays, and its generator.

The solver works in the real Pauli (Bloch) representation. Writing
:math:`\rho = \frac14 \sum_{ab} c_{ab}\, \sigma_a \otimes \sigma_b` with :math:`c_{00} = 1`,
the master equation becomes :math:`\dot c = G c` with a real 16x16 generator that is
*affine in the parameters*:

.. math::  G = K_0 + g K_1 + p_1 (K_2 + z_1 K_3) + p_2 (K_4 + x_2 K_5),

where :math:`z_1 = \tanh(1/2T_1)`, :math:`x_2 = \tanh(1/2T_2)` and the six :math:`K_i` are
fixed matrices built once from :mod:`qc_reset.model.operators`. A batch of generators is
therefore one matrix product; transients (:mod:`qc_reset.model.dynamics`) are one
eigendecomposition of G. Steady states use the faster resolvent reduction of the internal
:mod:`qc_reset.model.resolvent` (6x6 systems, exact), vectorized over any number of parameter
points.

Domain. :func:`steady_state`, :func:`steady_bloch` and :func:`steady_bloch_unit` accept every
finite g, finite rates p1, p2 >= 0 with p1 + p2 > 0 and temperatures in [0, inf], except the
points without a unique steady state (g = 0 with p1 = 0 or p2 = 0: SteadyStateError). Every
returned state is exactly Hermitian, has unit trace to rounding, is positive semidefinite to
1e-12 and agrees with a high-precision solve to 1e-13 or better (``docs/domain.md``). Points
the double-precision solver cannot certify are solved in high precision; a call refuses, with
an InputError naming the point, more than ``resolvent.MAX_HP_POINTS`` of them, a point that
cannot be resolved at all, and outputs above :data:`MAX_OUTPUT_BYTES`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_bytes, check_rates, real_array, validate_params
from . import closed_form, resolvent
from .operators import (
    EXCHANGE,
    PAULI,
    ComplexArray,
    FloatArray,
    bath_polarization,
    commutator_superop,
    hamiltonian,
    replace_superop,
)

__all__ = [
    "SteadyStateError",
    "generator",
    "steady_state",
    "steady_bloch",
    "steady_bloch_unit",
    "require_unique",
    "pauli_coefficients",
    "coefficients_to_rho",
    "MIN_RATE_SUM",
    "MAX_OUTPUT_BYTES",
    "CHUNK_POINTS",
]


class SteadyStateError(InputError):
    """Raised when a parameter point has no unique steady state."""


# Pauli products P_k = sigma_a (x) sigma_b with k = 4 a + b; qubit 1 first.
_P2 = np.array([np.kron(PAULI[a], PAULI[b]) for a in range(4) for b in range(4)])


def _to_pauli(S: ComplexArray) -> FloatArray:
    """Real 16x16 matrix of a (Hermiticity-preserving) superoperator in the Pauli basis."""
    images = np.einsum("ij,kj->ki", S, _P2.reshape(16, 16))  # row k: vec S(P_k)
    G = np.einsum("jba,kab->jk", _P2, images.reshape(16, 4, 4)) / 4.0  # Tr(P_j S(P_k)) / 4
    return np.ascontiguousarray(G.real)


def _build_basis() -> FloatArray:
    eye = np.eye(16)
    half_i, half_x, half_z = 0.5 * PAULI[0], 0.5 * PAULI[1], 0.5 * PAULI[3]
    # tau (x) Tr_1 rho is linear in tau, so tau1 = I/2 + z1 Z/2 splits into two pieces.
    supers = [
        commutator_superop(hamiltonian(0.0)),
        commutator_superop(EXCHANGE),
        replace_superop(half_i, 1) - eye,
        replace_superop(half_z, 1),
        replace_superop(half_i, 2) - eye,
        replace_superop(half_x, 2),
    ]
    return np.array([_to_pauli(S) for S in supers])


_K = _build_basis()  # (6, 16, 16)
_K_FLAT = _K.reshape(6, 256)


def generator(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike
) -> FloatArray:
    """Real Pauli-basis generator G of shape (..., 16, 16), with dc/dt = G c.

    Component ``k = 4a + b`` of ``c`` is :math:`\\mathrm{Tr}(\\rho\\, \\sigma_a \\otimes \\sigma_b)`.
    """
    g, p1, p2, T1, T2 = validate_params(g, p1, p2, T1, T2)
    return _generator_unchecked(g, p1, p2, bath_polarization(T1), bath_polarization(T2))


def _generator_unchecked(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> FloatArray:
    coef = np.stack([np.ones_like(g), g, p1, p1 * z1, p2, p2 * x2], axis=-1)
    return (coef.reshape(-1, 6) @ _K_FLAT).reshape(*g.shape, 16, 16)


#: Smallest total reset rate p1 + p2 the steady-state solver accepts. The solver works with
#: rate ratios (p/gamma, Delta/gamma), so any p1 + p2 > 0 is resolved; kept for callers that
#: check against it.
MIN_RATE_SUM = 0.0
#: Largest output (bytes) one call of :func:`steady_state` or :func:`steady_bloch` builds; larger
#: grids are refused before any work and should be split by the caller.
MAX_OUTPUT_BYTES = 4 * 2**30
#: Points solved together; the working memory of a chunk is about 2 kB per point (~32 MB).
CHUNK_POINTS = 2**14


def require_unique(g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike) -> None:
    """Refuse points without a unique steady state: both rates 0 (InputError), or g = 0 with
    p1 = 0 or p2 = 0 (:class:`SteadyStateError`). The arguments broadcast; their ranges are
    checked by :func:`~qc_reset._checks.validate_params`.
    """
    g, p1, p2 = np.broadcast_arrays(np.asarray(g, dtype=float), np.asarray(p1, dtype=float),
                                    np.asarray(p2, dtype=float))
    check_rates(p1, p2)
    # With g = 0 the qubits decouple, and a qubit without a bath keeps its initial state.
    bad = (g == 0) & ((p1 == 0) | (p2 == 0))
    if np.any(bad):
        idx = np.argwhere(bad)[0] if bad.ndim else ()
        which = "p1" if np.asarray(p1)[tuple(idx)] == 0 else "p2"
        qubit = 1 if which == "p1" else 2
        raise SteadyStateError(
            f"no unique steady state at g = 0 with {which} = 0: qubit {qubit} is decoupled and "
            f"has no bath (need g != 0, or p1 > 0 and p2 > 0)"
        )


def pauli_coefficients(rho: ComplexArray) -> FloatArray:
    """Coefficients c_k = Tr(rho sigma_a (x) sigma_b), k = 4a + b, of states (..., 4, 4)."""
    return np.einsum("kba,...ab->...k", _P2, rho).real


def coefficients_to_rho(c: FloatArray) -> ComplexArray:
    """Inverse of :func:`pauli_coefficients`: states (..., 4, 4) from coefficients (..., 16)."""
    shape = c.shape[:-1]
    rho = (c.reshape(-1, 16) @ _P2.reshape(16, 16)).reshape(*shape, 4, 4) / 4.0
    return rho


_NAMES = ("g", "p1", "p2", "T1", "T2")


def _batched(
    what: str, args: tuple[npt.ArrayLike, ...], tail: tuple[int, ...], dtype: type,
    solve: Callable[[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray], npt.NDArray[Any]],
) -> npt.NDArray[Any]:
    """Validate, bound the output size, then solve the flattened broadcast chunk by chunk.

    The broadcast inputs stay views: each chunk is validated and solved from copies of
    :data:`CHUNK_POINTS` points, so the peak memory is the output plus one chunk's work. Every
    chunk is validated before the first is solved, so bad input costs no solving.
    """
    arrays = [real_array(name, value) for name, value in zip(_NAMES, args, strict=True)]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as exc:
        raise InputError(f"g, p1, p2, T1, T2 must broadcast to a common shape: {exc}") from None
    n = math.prod(shape)
    item = np.dtype(dtype).itemsize * math.prod(tail)
    check_bytes(f"{what} of shape {shape}", float(n) * item, MAX_OUTPUT_BYTES,
                "split the parameter grid into several calls")
    views = [np.broadcast_to(a, shape) for a in arrays]

    def chunk(i0: int, i1: int) -> tuple[FloatArray, ...]:
        parts = [v.flat[i0:i1] if v.ndim else np.full(i1 - i0, float(v)) for v in views]
        g, p1, p2, T1, T2 = validate_params(*parts)
        require_unique(g, p1, p2)
        return g, p1, p2, T1, T2

    bounds = [(i0, min(i0 + CHUNK_POINTS, n)) for i0 in range(0, n, CHUNK_POINTS)]
    if len(bounds) > 1:
        for i0, i1 in bounds:
            chunk(i0, i1)
    out: npt.NDArray[Any] = np.empty((n, *tail), dtype=dtype)
    for i0, i1 in bounds:
        g, p1, p2, T1, T2 = chunk(i0, i1)
        out[i0:i1] = solve(g, p1, p2, bath_polarization(T1), bath_polarization(T2))
    return out.reshape(*shape, *tail)


def steady_state(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike
) -> ComplexArray:
    """Exact steady state of the master equation, qubit 1 first.

    All arguments broadcast against each other; the result has shape ``(..., 4, 4)``, each
    state exactly Hermitian with unit trace (to rounding) and accurate to about 1e-15 (see the
    module docstring for the domain).

    Raises:
        ValueError: for parameters outside their ranges (see :func:`qc_reset.validate_params`),
            an output above :data:`MAX_OUTPUT_BYTES`, or points too ill-conditioned to resolve.
        SteadyStateError: where the steady state is not unique (g = 0 with p1 = 0 or p2 = 0).

    Example:
        >>> rho = steady_state(0.05, 0.3, 0.3, 0.1, 0.0)
        >>> rho.shape
        (4, 4)
    """
    return _batched("steady_state", (g, p1, p2, T1, T2), (4, 4), complex, resolvent.steady_rho)


def steady_bloch(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike
) -> FloatArray:
    """Bloch vector (rx, ry, rz) of qubit 1 in the exact steady state, shape (..., 3).

    Same arguments, accuracy and errors as :func:`steady_state`.
    """
    return _batched("steady_bloch", (g, p1, p2, T1, T2), (3,), float, _bloch_of_qubit1)


def _bloch_of_qubit1(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> FloatArray:
    """Closed form (:mod:`.closed_form`, within 1e-15 of the exact state) where it is certified,
    the scaled resolvent solve with its high-precision fallback elsewhere."""
    fast = closed_form.closed_form_is_accurate(g, p1, p2)
    if fast.all():
        return closed_form.steady_local_closed(g, p1, p2, z1, x2)[:, :3]
    out = np.empty((g.shape[0], 3))
    if fast.any():
        out[fast] = closed_form.steady_local_closed(g[fast], p1[fast], p2[fast], z1[fast], x2[fast])[:, :3]
    slow = ~fast
    out[slow] = resolvent.steady_local(g[slow], p1[slow], p2[slow], z1[slow], x2[slow])[:, :3]
    return out


def steady_bloch_unit(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T2: npt.ArrayLike
) -> FloatArray:
    r"""Qubit 1's steady Bloch vector divided by :math:`\tanh(1/2T_1)`.

    The steady Bloch vector of qubit 1 is exactly proportional to :math:`z_1 = \tanh(1/2T_1)`
    (the heat-bath polarization enters the solution only as an overall factor on qubit 1's
    reduced state; see ``tests/test_exact.py``), so this is the Bloch vector at ``T1 = 0``.
    Magic at temperature T1 then means :math:`z_1 \|f\|_1 > 1`.
    """
    return steady_bloch(g, p1, p2, 0.0, T2)
