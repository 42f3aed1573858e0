r"""Exact solution of the master equation: steady states and transients.

The solver works in the real Pauli (Bloch) representation. Writing
:math:`\rho = \frac14 \sum_{ab} c_{ab}\, \sigma_a \otimes \sigma_b` with :math:`c_{00} = 1`,
the master equation becomes :math:`\dot c = G c` with a real 16x16 generator that is
*affine in the parameters*:

.. math::  G = K_0 + g K_1 + p_1 (K_2 + z_1 K_3) + p_2 (K_4 + x_2 K_5),

where :math:`z_1 = \tanh(1/2T_1)`, :math:`x_2 = \tanh(1/2T_2)` and the six :math:`K_i` are
fixed matrices built once from :mod:`qc_reset.model`. A batch of generators is therefore one
matrix product, and a transient is one eigendecomposition of G (``expm`` near exceptional
points). Steady states use the faster resolvent
reduction of :mod:`qc_reset.resolvent` (6x6 systems, exact), vectorized over any number of
parameter points.

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

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from . import model, resolvent
from ._checks import InputError, check_bytes, real_array
from .model import PAULI, ComplexArray, FloatArray, Params

__all__ = [
    "SteadyStateError",
    "generator",
    "steady_state",
    "steady_bloch",
    "steady_bloch_unit",
    "evolve",
    "Transient",
    "transient",
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
        model._commutator_superop(model.hamiltonian(0.0)),
        model._commutator_superop(model._EXCHANGE),
        model._replace_superop(half_i, 1) - eye,
        model._replace_superop(half_z, 1),
        model._replace_superop(half_i, 2) - eye,
        model._replace_superop(half_x, 2),
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
    g, p1, p2, T1, T2 = model.validate_params(g, p1, p2, T1, T2)
    return _generator_unchecked(g, p1, p2, model.bath_polarization(T1), model.bath_polarization(T2))


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


def _check_unique(g: FloatArray, p1: FloatArray, p2: FloatArray) -> None:
    if np.any(~(np.maximum(p1, p2) > MIN_RATE_SUM)):
        raise InputError("p1 and p2 must not both be 0 (allowed: p1 >= 0, p2 >= 0, p1 + p2 > 0)")
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


def _coefficients_to_rho(c: FloatArray) -> ComplexArray:
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
        g, p1, p2, T1, T2 = model.validate_params(*parts)
        _check_unique(g, p1, p2)
        return g, p1, p2, T1, T2

    bounds = [(i0, min(i0 + CHUNK_POINTS, n)) for i0 in range(0, n, CHUNK_POINTS)]
    if len(bounds) > 1:
        for i0, i1 in bounds:
            chunk(i0, i1)
    out: npt.NDArray[Any] = np.empty((n, *tail), dtype=dtype)
    for i0, i1 in bounds:
        g, p1, p2, T1, T2 = chunk(i0, i1)
        out[i0:i1] = solve(g, p1, p2, model.bath_polarization(T1), model.bath_polarization(T2))
    return out.reshape(*shape, *tail)


def steady_state(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike
) -> ComplexArray:
    """Exact steady state of the master equation, qubit 1 first.

    All arguments broadcast against each other; the result has shape ``(..., 4, 4)``, each
    state exactly Hermitian with unit trace (to rounding) and accurate to about 1e-15 (see the
    module docstring for the domain).

    Raises:
        ValueError: for parameters outside their ranges (see :func:`qc_reset.model.validate_params`),
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
    return resolvent.steady_local(g, p1, p2, z1, x2)[:, :3]


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


def evolve(params: Params, rho0: npt.ArrayLike, times: npt.ArrayLike) -> ComplexArray:
    """Exact rho(t) = exp(L t) rho0 for each time, shape (len(times), 4, 4).

    Diagonalizes the real 16x16 Pauli-basis generator once, G = V diag(w) V^-1, so that
    c(t) = V (exp(w t) * V^-1 c0) for all times at the cost of one product; where the
    eigenvectors are ill-conditioned (cond(V) > :data:`EIG_COND_MAX`, near an exceptional
    point) it uses SciPy's batched ``expm`` instead. Works also where the steady state is not
    unique.
    """
    t = _check_times(np.asarray(times, dtype=float))
    c0 = np.einsum("kba,ab->k", _P2, _check_state(rho0)).real  # Tr(P_k rho0)
    G = generator(params.g, params.p1, params.p2, params.T1, params.T2)
    rho = _coefficients_to_rho(_propagate(G, c0, np.atleast_1d(t)))
    return rho if t.ndim else rho[0]


#: Components k = 4a of the Pauli coefficients: Tr(rho sigma_a (x) I), qubit 1's Bloch vector.
_QUBIT1_ROWS = np.array([4, 8, 12])


def _check_times(t: FloatArray) -> FloatArray:
    if t.ndim > 1 or t.size == 0 or np.any(~np.isfinite(t)) or np.any(t < 0):
        raise InputError("times must be a 1-d array of finite numbers in [0, +inf) (or one number), not empty")
    return t


#: Largest condition number of the generator's eigenvector matrix for which :func:`evolve` uses
#: the eigenbasis: that path loses about cond(V) * eps (measured: 3e-17 * cond(V)), so 1e4 keeps
#: it below ~1e-12. Beyond it (near an exceptional point, where G has a Jordan block and no
#: eigenbasis) it falls back to SciPy's ``expm``.
EIG_COND_MAX = 1e4


def _propagate(G: FloatArray, c0: FloatArray, t: FloatArray, rows: npt.NDArray[np.intp] | None = None
               ) -> FloatArray:
    """exp(G t) c0 for each time in ``t``, shape (len(t), 16), or only the components ``rows``."""
    w, V = np.linalg.eig(G)
    if np.linalg.cond(V) <= EIG_COND_MAX:
        # The generator of a CPTP semigroup has Re w <= 0 exactly; clipping the rounding of the
        # conserved (w = 0) and slowest modes keeps them from growing as exp(1e-17 t) at long times.
        w = np.minimum(w.real, 0.0) + 1j * w.imag
        a = np.linalg.solve(V, c0.astype(complex))
        Vr = V if rows is None else V[rows]
        c: FloatArray = ((np.exp(np.outer(t, w)) * a) @ Vr.T).real
        return c
    import scipy.linalg  # only here: it is slow to import and the exact commands never need it

    out = np.asarray(scipy.linalg.expm(G[None] * t[:, None, None]) @ c0)
    return out if rows is None else out[:, rows]


#: Tolerance for accepting a user-given initial state as a density matrix.
STATE_TOL = 1e-10


def _check_state(rho0: npt.ArrayLike) -> ComplexArray:
    rho = np.asarray(rho0, dtype=complex)
    if rho.shape != (4, 4):
        raise InputError(f"rho0 must be a 4x4 density matrix (qubit 1 first); got shape {rho.shape}")
    if not np.all(np.isfinite(rho)) or np.abs(rho - rho.conj().T).max() > STATE_TOL:
        raise InputError("rho0 must be Hermitian (to 1e-10)")
    if abs(np.trace(rho) - 1.0) > STATE_TOL:
        raise InputError(f"rho0 must have unit trace; got {np.trace(rho).real:.6g}")
    if np.linalg.eigvalsh(0.5 * (rho + rho.conj().T)).min() < -STATE_TOL:
        raise InputError("rho0 must be positive semidefinite (to 1e-10)")
    return rho


@dataclasses.dataclass(frozen=True)
class Transient:
    """Qubit 1 along an exact trajectory, and the steady values to compare against."""

    times: FloatArray
    bloch: FloatArray  # (n_times, 3)
    l1_coherence: FloatArray
    l1_norm: FloatArray
    steady_bloch: FloatArray
    steady_l1_coherence: float
    steady_l1_norm: float

    @property
    def coherence_overshoot(self) -> float:
        """max_t C_l1(t) - C_l1(steady); positive if transient coherence exceeds the steady value."""
        return float(np.max(self.l1_coherence) - self.steady_l1_coherence)

    @property
    def magic_overshoot(self) -> float:
        """max_t ||r(t)||_1 - ||r_steady||_1; positive if transient magic exceeds the steady value."""
        return float(np.max(self.l1_norm) - self.steady_l1_norm)

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (lists and floats) for JSON."""
        return {
            "times": self.times.tolist(),
            "bloch": self.bloch.tolist(),
            "l1_coherence": self.l1_coherence.tolist(),
            "l1_norm": self.l1_norm.tolist(),
            "steady_bloch": self.steady_bloch.tolist(),
            "steady_l1_coherence": self.steady_l1_coherence,
            "steady_l1_norm": self.steady_l1_norm,
        }


def transient(params: Params, times: npt.ArrayLike, rho0: npt.ArrayLike | None = None) -> Transient:
    """Coherence and magic of qubit 1 along rho(t) from ``rho0`` (default tau1 (x) tau2).

    Where the steady state is not unique (g = 0 with p1 = 0 or p2 = 0) the steady fields are NaN.

    The default initial state is each qubit equal to its own bath state, as if both had just
    been reset, at the moment the coupling is switched on. (It is not the g = 0 steady state:
    tau2 is diagonal in X and precesses under H, so the g = 0 steady state of qubit 2 is
    x2 (4 p2^2, -2 p2, 0) / (1 + 4 p2^2) in Bloch form.)
    """
    from . import measures

    if rho0 is None:
        rho0 = np.kron(params.tau1(), params.tau2())
    t = _check_times(np.atleast_1d(np.asarray(times, dtype=float)))
    c0 = np.einsum("kba,ab->k", _P2, _check_state(rho0)).real
    G = generator(params.g, params.p1, params.p2, params.T1, params.T2)
    # Qubit 1's Bloch vector is (c_4, c_8, c_12) = Tr(rho sigma_a (x) I): propagate those rows only.
    r = _propagate(G, c0, t, rows=_QUBIT1_ROWS)
    try:
        r_ss = steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    except SteadyStateError:  # the trajectory exists; the steady values do not
        r_ss = np.full(3, np.nan)
    return Transient(
        times=np.atleast_1d(np.asarray(times, dtype=float)),
        bloch=r,
        l1_coherence=measures.l1_coherence(r),
        l1_norm=measures.l1_norm(r),
        steady_bloch=r_ss,
        steady_l1_coherence=float(measures.l1_coherence(r_ss)),
        steady_l1_norm=float(measures.l1_norm(r_ss)),
    )
