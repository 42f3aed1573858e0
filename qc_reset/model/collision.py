r"""The collision model in its own parameters: per-collision reset probabilities and angles, its exact map
to the continuous-time model, the superoperator of one collision and that map's exact fixed point.

A *collision* acts on the two system qubits (qubit 1 first, as everywhere in the package) with

* the free evolution :math:`U_0 = e^{-i\theta H_0}`, :math:`H_0 = \tfrac12(|1\rangle\langle1|\otimes I
  + I\otimes|1\rangle\langle1|)`, of *free phase* :math:`\theta` (the gate ``p(-theta/2)`` on each qubit),
* the partial SWAP :math:`U_\phi = e^{-i\phi(XX+YY)/2}` of *exchange angle* :math:`\phi`,
* the resets :math:`R_i:\rho\mapsto(1-q_i)\rho + q_i\,\tau_i\otimes\mathrm{Tr}_i\rho` with probability
  :math:`q_i\in[0, 1]`; :math:`q_i = 1` is "a fresh bath qubit every collision" (the reset is certain).

With :math:`U = U_0 U_\phi` (they commute) and :math:`R = R_2R_1` (the resets commute) the collision is

.. math::  C_1 = R\,U(\theta, \phi) \quad\text{(order 1)}, \qquad
           C_2 = U(\theta/2, \phi/2)\,R\,U(\theta/2, \phi/2) \quad\text{(order 2)}.

**Map to continuous time.** A Trotter step of length :math:`dt` of the master equation is exactly this
collision with

.. math::  q_i = 1 - e^{-p_i\,dt}, \qquad \phi = g\,dt, \qquad \theta = dt \;(\omega = 1),

and back :math:`dt = \theta`, :math:`g = \phi/\theta`, :math:`p_i = -\ln(1-q_i)/\theta` (:math:`p_i = \infty`
for :math:`q_i = 1`, which no finite rate reaches: the continuous model has no counterpart there).

**The fixed point is a prediction of its own.** The repeated collision is a *collision model*: a system
that meets a fresh (or, with probability :math:`1-q`, no) bath qubit at discrete times. Its fixed point
:math:`C\rho_\star = \rho_\star` is the steady state of that discrete process, physical in its own right, not
only an approximation of the continuous steady state; the two agree as :math:`dt\to0` to
:math:`O(dt)` (order 1) or :math:`O(dt^2)` (order 2), and differ at finite :math:`dt` and at :math:`q = 1`.

The fixed point is solved exactly in the real Pauli representation: with :math:`\rho = \tfrac14\sum_a c_a
P_a` the collision is affine, :math:`c\mapsto Mc + t` on the 15 non-identity coefficients, so
:math:`c_\star = (I - M)^{-1}t`. It is unique iff :math:`1` is not an eigenvalue of :math:`M`; the spectral
radius of :math:`M` (the contraction per collision) and the condition number of :math:`I - M` are reported,
and points whose rounding error bound :math:`\kappa\,\varepsilon` exceeds :data:`MAX_FIXED_POINT_ERROR` are
refused rather than answered wrongly.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .._checks import InputError, interval_number, quote, real_number
from .._checks import order as check_order
from . import measures
from .operators import (
    PAULI,
    ComplexArray,
    FloatArray,
    exchange_unitary,
    free_unitary,
    reset_superop,
    tau1,
    tau2,
    unitary_superop,
)
from .params import Params
from .steady import SteadyStateError, steady_state

__all__ = [
    "MAX_FIXED_POINT_ERROR",
    "CollisionParams",
    "collision_superop",
    "CollisionFixedPoint",
    "collision_fixed_point",
]

#: Largest accepted rounding bound :math:`\kappa(I - M)\,\varepsilon` of the fixed point (see module docs).
MAX_FIXED_POINT_ERROR = 1e-8
_EPS = float(np.finfo(float).eps)
#: Spectral radius of M above which the collision map is taken to have no unique fixed point.
_UNIT_RADIUS = 1.0 - 1e-13


@dataclasses.dataclass(frozen=True)
class CollisionParams:
    r"""One collision: reset probabilities, exchange angle, free phase, bath temperatures and ordering.

    Args:
        q1: reset probability of qubit 1 (heat bath) per collision, in :math:`[0, 1]`.
        q2: reset probability of qubit 2 (spin bath) per collision, in :math:`[0, 1]`; not both 0.
        phi: exchange angle :math:`\phi = g\,dt` (any finite real).
        phase: free phase :math:`\theta = \omega\,dt > 0` (finite): :math:`U_0 = e^{-i\theta H_0}`.
        T1: heat-bath temperature in :math:`[0, \infty]`.
        T2: spin-bath temperature in :math:`[0, \infty]`.
        order: 1 (:math:`C_1 = RU`) or 2 (:math:`C_2 = U_{1/2}RU_{1/2}`).

    Example:
        >>> cp = CollisionParams.from_params(Params(0.05, 0.3, 0.3, 0.1, 0.0), dt=0.1)
        >>> round(cp.q1, 12), round(cp.phi, 12), cp.phase
        (0.029554466451, 0.005, 0.1)
    """

    q1: float
    q2: float
    phi: float
    phase: float
    T1: float
    T2: float
    order: int = 1

    def __post_init__(self) -> None:
        for name in ("q1", "q2"):
            value = getattr(self, name)
            object.__setattr__(self, name, interval_number(name, value, lo=0.0, hi=1.0, what="a probability"))
        if self.q1 == 0.0 and self.q2 == 0.0:
            raise InputError("q1 and q2 must not both be 0 (no bath: no unique fixed point); got q1 = q2 = 0")
        object.__setattr__(self, "phi", real_number("phi", self.phi))
        object.__setattr__(self, "phase", real_number("phase", self.phase, lo=0.0, lo_open=True))
        for name in ("T1", "T2"):
            object.__setattr__(self, name, real_number(name, getattr(self, name), lo=0.0, allow_inf=True))
        object.__setattr__(self, "order", check_order(self.order))

    @classmethod
    def from_params(cls, params: Params, dt: float, *, order: int = 1) -> CollisionParams:
        r"""The collision of one Trotter step of length ``dt``: :math:`q_i = 1-e^{-p_i dt}`, :math:`\phi = g\,dt`."""
        params = Params.require(params)
        dt = interval_number("dt", dt, lo=0.0, hi=math.inf, lo_open=True, hi_open=True)
        return cls(q1=-math.expm1(-params.p1 * dt), q2=-math.expm1(-params.p2 * dt), phi=params.g * dt,
                   phase=dt, T1=params.T1, T2=params.T2, order=order)

    @property
    def dt(self) -> float:
        r"""The step length :math:`dt = \theta/\omega` of the equivalent Trotter step."""
        return self.phase

    @property
    def fresh(self) -> tuple[bool, bool]:
        """Whether each bath qubit is replaced with certainty (``q == 1``): the ``fresh`` design."""
        return (self.q1 == 1.0, self.q2 == 1.0)

    def rates(self) -> dict[str, float]:
        r"""Continuous-time ``g, p1, p2, dt``: :math:`p_i = -\ln(1-q_i)/dt` (``inf`` at :math:`q_i = 1`)."""
        dt = self.phase
        p = [math.inf if q == 1.0 else -math.log1p(-q) / dt for q in (self.q1, self.q2)]
        return {"g": self.phi / dt, "p1": p[0], "p2": p[1], "dt": dt}

    def to_params(self) -> Params:
        """The continuous-time point (finite rates only: refused when a ``q`` is 1, i.e. ``p = inf``)."""
        r = self.rates()
        if not (math.isfinite(r["p1"]) and math.isfinite(r["p2"])):
            raise InputError(f"q1 = {self.q1:g}, q2 = {self.q2:g}: q = 1 is the rate p = inf, which the "
                             "continuous-time model (finite p1, p2) does not have")
        return Params(g=r["g"], p1=r["p1"], p2=r["p2"], T1=self.T1, T2=self.T2)

    def tau1(self) -> ComplexArray:
        """Heat-bath state of qubit 1."""
        return tau1(self.T1)

    def tau2(self) -> ComplexArray:
        """Spin-bath state of qubit 2."""
        return tau2(self.T2)

    def to_dict(self) -> dict[str, float]:
        """Plain data (JSON-ready)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: Any) -> CollisionParams:
        """The record of :meth:`to_dict`."""
        names = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(data, dict) or not set(names[:-1]) <= set(data) or not set(data) <= set(names):
            raise InputError(f"a CollisionParams record must be a dict with keys {', '.join(names)}; "
                             f"got {quote(data)}")
        return cls(**data)


def _unitary(phase: float, phi: float) -> ComplexArray:
    """Superoperator of U = exp(-i phase H0) exp(-i phi (XX+YY)/2)."""
    return unitary_superop(free_unitary(phase) @ exchange_unitary(phi, 1.0))


def collision_superop(params: CollisionParams) -> ComplexArray:
    r"""Exact 16x16 row-major superoperator of one collision (qubit 1 first).

    :math:`C_1 = R_2R_1\,U(\theta,\phi)` or :math:`C_2 = U(\theta/2,\phi/2)\,R_2R_1\,U(\theta/2,\phi/2)`.
    At :math:`q_i = 1-e^{-p_i dt}`, :math:`\phi = g\,dt`, :math:`\theta = dt` it is
    :func:`qc_reset.model.channels.trotter_step_superop`.
    """
    if not isinstance(params, CollisionParams):
        raise InputError(f"params must be a CollisionParams; got {type(params).__name__} {quote(params, 60)}")
    R = reset_superop(params.tau2(), 2, params.q2) @ reset_superop(params.tau1(), 1, params.q1)
    if params.order == 1:
        return R @ _unitary(params.phase, params.phi)
    half = _unitary(0.5 * params.phase, 0.5 * params.phi)
    return half @ R @ half


_PAULI2 = [np.kron(a, b) for a in PAULI for b in PAULI]  # index 4 a + b: sigma_a (x) sigma_b, qubit 1 first


def _pauli_transfer(S: ComplexArray) -> FloatArray:
    """Real Pauli transfer matrix T[a, b] = Tr(P_a S(P_b)) / 4 of a Hermiticity-preserving 16x16 map."""
    T = np.empty((16, 16))
    for b, Pb in enumerate(_PAULI2):
        out = (S @ Pb.reshape(16)).reshape(4, 4)
        for a, Pa in enumerate(_PAULI2):
            T[a, b] = 0.25 * float(np.real(np.trace(Pa @ out)))
    return T


@dataclasses.dataclass(frozen=True)
class CollisionFixedPoint:
    r"""The fixed point of one collision map, beside the continuous-time steady state.

    ``rho`` is the two-qubit fixed point (qubit 1 first; the state right after a collision), ``bloch`` qubit
    1's Bloch vector there. ``contraction`` is the spectral radius of the affine part :math:`M` (distances to
    the fixed point shrink like ``contraction**N``), ``condition`` the 2-norm condition number of
    :math:`I - M` and ``error_bound`` :math:`\kappa\,\varepsilon` the rounding bound of ``rho``.
    ``bloch_continuous`` is the steady state of the master equation at the mapped rates
    (:func:`qc_reset.model.steady.steady_state`), ``None`` when a ``q`` is 1 (no finite rate).
    """

    params: CollisionParams
    rho: ComplexArray
    bloch: FloatArray
    contraction: float
    condition: float
    error_bound: float
    bloch_continuous: FloatArray | None

    def __post_init__(self) -> None:
        if np.shape(self.rho) != (4, 4) or np.shape(self.bloch) != (3,):
            raise InputError("rho must be 4x4 and bloch of length 3")
        if not 0.0 <= self.contraction < 1.0:
            raise InputError(f"contraction must be in [0, 1) for a unique fixed point; got {self.contraction}")
        if self.bloch_continuous is not None and np.shape(self.bloch_continuous) != (3,):
            raise InputError("bloch_continuous must be of length 3 or None")

    @property
    def trace_distance_continuous(self) -> float | None:
        """Qubit 1's trace distance between the collision fixed point and the continuous steady state."""
        if self.bloch_continuous is None:
            return None
        return float(0.5 * np.linalg.norm(self.bloch - self.bloch_continuous))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "params": self.params.to_dict(),
            "bloch": self.bloch.tolist(),
            "contraction": self.contraction,
            "condition": self.condition,
            "error_bound": self.error_bound,
            "bloch_continuous": None if self.bloch_continuous is None else self.bloch_continuous.tolist(),
            "trace_distance_continuous": self.trace_distance_continuous,
            "rho": {"re": self.rho.real.tolist(), "im": self.rho.imag.tolist()},
        }


def collision_fixed_point(params: CollisionParams, *, continuous: bool = True) -> CollisionFixedPoint:
    r"""Exact fixed point :math:`C\rho_\star = \rho_\star` of one collision, with its conditioning.

    Solves :math:`(I - M)c_\star = t` in the real Pauli representation (module docstring) and, with
    ``continuous``, the continuous-time steady state at the mapped rates for comparison.

    Raises:
        SteadyStateError: if :math:`M` has spectral radius 1 (no unique fixed point, e.g. ``phi = 0`` with a
            ``q`` of 0), or if the rounding bound :math:`\kappa(I-M)\,\varepsilon` exceeds
            :data:`MAX_FIXED_POINT_ERROR` (too ill-conditioned to answer in double precision).
    """
    T = _pauli_transfer(collision_superop(params))
    M, t = T[1:, 1:], T[1:, 0]
    radius = float(np.max(np.abs(np.linalg.eigvals(M))))
    if radius >= _UNIT_RADIUS:
        raise SteadyStateError(f"the collision map has no unique fixed point (contraction {radius:.16g}; "
                               f"q1 = {params.q1:g}, q2 = {params.q2:g}, phi = {params.phi:g})")
    A = np.eye(15) - M
    cond = float(np.linalg.cond(A))
    bound = cond * _EPS
    if bound > MAX_FIXED_POINT_ERROR:
        raise SteadyStateError(f"the collision fixed point is too ill-conditioned for double precision "
                               f"(condition number {cond:.3g}, error bound {bound:.2g} > {MAX_FIXED_POINT_ERROR:g}); "
                               f"q1 = {params.q1:g}, q2 = {params.q2:g}, phi = {params.phi:g}")
    c = np.linalg.solve(A, t)
    c += np.linalg.solve(A, t - A @ c)  # one step of iterative refinement
    coeffs = np.concatenate([[1.0], c])
    rho = 0.25 * np.einsum("a,aij->ij", coeffs, np.asarray(_PAULI2))
    rho = 0.5 * (rho + rho.conj().T)
    bloch_c = None
    if continuous and params.q1 < 1.0 and params.q2 < 1.0:
        p = params.to_params()
        bloch_c = measures.bloch_vector(steady_state(p.g, p.p1, p.p2, p.T1, p.T2))
    return CollisionFixedPoint(params=params, rho=rho, bloch=measures.bloch_vector(rho), contraction=radius,
                               condition=cond, error_bound=bound, bloch_continuous=bloch_c)
