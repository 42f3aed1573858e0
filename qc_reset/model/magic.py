r"""Magic of one qubit beyond a yes/no: distillability classes and class critical temperatures.

A qubit state with Bloch vector :math:`r = (r_x, r_y, r_z)` is a mixture of stabilizer states
iff :math:`\|r\|_1 \le 1` (the stabilizer octahedron). Outside it, whether the state is known
to be *distillable* depends on the protocol. A Clifford twirl (a uniform mixture of Clifford
conjugations, itself a stabilizer operation) maps any state onto a magic axis :math:`n`, keeping
its polarization :math:`r \cdot n` along that axis; a protocol distills the state when that
twirled polarization exceeds the protocol's threshold. The Paulis and the axis permutations of
the Clifford group let the twirl pick the best axis of each type.

* **T-type** (Bravyi & Kitaev, PRA 71, 022316 (2005), five-qubit-code protocol). Axes
  :math:`(\pm1, \pm1, \pm1)/\sqrt3`; the twirl is the order-3 Clifford rotating X -> Y -> Z
  about the axis. Best twirled polarization :math:`P_T = \|r\|_1 / \sqrt3`; fidelity with the
  nearest T state :math:`F = (1 + P_T)/2`. The protocol distills for
  :math:`F > (1 + \sqrt{3/7})/2`, i.e. :math:`P_T > \sqrt{3/7}`, i.e.
  :math:`\|r\|_1 > 3/\sqrt7 = 1.13389`.
* **H-type** (Reichardt, "Quantum universality from magic states distillation applied to CSS
  codes", Quantum Inf. Process. 4, 251 (2005), arXiv:quant-ph/0411036). Axes
  :math:`(\pm e_i \pm e_j)/\sqrt2` (the octahedron's edge directions); the twirl is the pair
  {identity, Hadamard-type Clifford exchanging the two axes i, j}, which maps
  :math:`r \mapsto ((r_i + r_j)/2)(e_i + e_j)`. Best twirled polarization
  :math:`P_H = \max_{i<j} (|r_i| + |r_j|)/\sqrt2`. Reichardt proves a *sharp* threshold along
  the Hadamard direction: states on the H axis are distillable for every polarization above
  :math:`1/\sqrt2` (the edge of the octahedron), so the criterion reads
  :math:`|r_i| + |r_j| > 1` for some pair :math:`i \ne j`. It is tight only on the H axes.

Classes (:func:`magic_class`): ``"stabilizer"`` (:math:`\|r\|_1 \le 1`), ``"magic"`` (outside
the octahedron, not distillable by either implemented protocol) and ``"distillable (T)"``,
``"distillable (H)"``, ``"distillable (T, H)"``. States outside the octahedron that neither
criterion covers may still be distillable by other protocols (e.g. Reichardt, Quantum Inf.
Comput. 9, 1030 (2009) extends the known region); "magic" means *not known distillable here*.

Class critical temperatures. The model's qubit-1 Bloch vector is exactly
:math:`r = z_1 f(g, p_1, p_2, T_2)` with :math:`z_1 = \tanh(1/2T_1)`
(:func:`qc_reset.model.steady.steady_bloch_unit`). Every class boundary here is
:math:`F(r) = \theta` with F positively homogeneous of degree 1, so the class is reached at
:math:`T_1` iff :math:`z_1 F(f) > \theta`, and

.. math::  T^\mathrm{class}_\mathrm{crit} = \frac{1}{2\,\mathrm{artanh}(\theta / M)},
           \qquad M = \max_g F(f(g)),

with no such state at any :math:`T_1` when :math:`M \le \theta`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, choice, real_number
from .critical import g_search_grid
from .measures import l1_norm
from .steady import steady_bloch_unit

__all__ = [
    "T_THRESHOLD_L1",
    "T_THRESHOLD_POLARIZATION",
    "T_THRESHOLD_FIDELITY",
    "H_THRESHOLD_PAIR",
    "H_THRESHOLD_POLARIZATION",
    "PROTOCOLS",
    "TARGETS",
    "twirled_polarization",
    "twirled_fidelity",
    "distillation_margin",
    "distillable",
    "magic_class",
    "CLASSES",
    "coarse_class",
    "distillable_protocols",
    "class_functional",
    "class_threshold",
    "max_class_functional",
    "critical_temperature_class",
    "critical_temperature_class_array",
]

FloatArray = npt.NDArray[Any]

#: T-type (Bravyi-Kitaev five-qubit protocol) threshold on the twirled polarization, sqrt(3/7).
T_THRESHOLD_POLARIZATION = math.sqrt(3.0 / 7.0)
#: The same threshold as a fidelity with the nearest T state, (1 + sqrt(3/7))/2 = 0.82733.
T_THRESHOLD_FIDELITY = 0.5 * (1.0 + T_THRESHOLD_POLARIZATION)
#: The same threshold on ||r||_1 = sqrt(3) * polarization: 3/sqrt(7) = 1.13389.
T_THRESHOLD_L1 = 3.0 / math.sqrt(7.0)
#: H-type (Reichardt 2005, sharp along the H axis) threshold on the twirled polarization, 1/sqrt(2).
H_THRESHOLD_POLARIZATION = 1.0 / math.sqrt(2.0)
#: The same threshold on the largest pair sum ``|r_i| + |r_j|`` = sqrt(2) * polarization: 1.
H_THRESHOLD_PAIR = 1.0
#: Distillation protocols implemented.
PROTOCOLS: tuple[str, ...] = ("T", "H")
#: Targets of :func:`class_functional` and :func:`critical_temperature_class`.
TARGETS: tuple[str, ...] = ("magic", "T", "H", "distillable")

#: Euclidean norms up to 1 + this are accepted as states (rounding of computed Bloch vectors).
_BLOCH_SLACK = 1e-9
_PROTOCOL_AXIS_NORM = {"T": math.sqrt(3.0), "H": math.sqrt(2.0)}
_PROTOCOL_THRESHOLD = {"T": T_THRESHOLD_POLARIZATION, "H": H_THRESHOLD_POLARIZATION}


def _bloch(r: npt.ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(r, dtype=float)
    except (TypeError, ValueError):
        raise InputError("r must be an array of real Bloch vectors of shape (..., 3)") from None
    if arr.shape[-1:] != (3,):
        raise InputError(f"r must have shape (..., 3) (Bloch vectors); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError("r must be finite")
    if np.any(np.linalg.norm(arr, axis=-1) > 1.0 + _BLOCH_SLACK):
        raise InputError("r must lie in the Bloch ball (|r|_2 <= 1)")
    return arr



def _pair_max(a: FloatArray) -> FloatArray:
    """``max_{i<j} |r_i| + |r_j|``: the l1 norm minus the smallest ``|r_i|``."""
    m = np.abs(a)
    return m.sum(axis=-1) - m.min(axis=-1)


def twirled_polarization(r: npt.ArrayLike, protocol: str) -> FloatArray:
    r"""Largest polarization along a magic axis of the given type after a Clifford twirl.

    Args:
        r: Bloch vectors, shape ``(..., 3)``.
        protocol: ``"T"`` (axes :math:`(\pm1,\pm1,\pm1)/\sqrt3`) or ``"H"`` (axes
            :math:`(\pm e_i \pm e_j)/\sqrt2`).

    Returns:
        :math:`P_T = \|r\|_1/\sqrt3` or :math:`P_H = \max_{i<j}(|r_i| + |r_j|)/\sqrt2`, shape ``(...)``.
    """
    protocol = choice("protocol", protocol, PROTOCOLS)
    a = _bloch(r)
    top = np.abs(a).sum(axis=-1) if protocol == "T" else _pair_max(a)
    return top / _PROTOCOL_AXIS_NORM[protocol]


def twirled_fidelity(r: npt.ArrayLike, protocol: str) -> FloatArray:
    r"""Fidelity with the nearest magic state of the given type, :math:`(1 + P)/2`."""
    return 0.5 * (1.0 + twirled_polarization(r, protocol))


def distillation_margin(r: npt.ArrayLike, protocol: str) -> FloatArray:
    r"""Twirled polarization minus the protocol's threshold polarization (> 0: distillable).

    T: :math:`\|r\|_1/\sqrt3 - \sqrt{3/7}`; H: :math:`\max_{i<j}(|r_i|+|r_j|)/\sqrt2 - 1/\sqrt2`.
    """
    protocol = choice("protocol", protocol, PROTOCOLS)
    return twirled_polarization(r, protocol) - _PROTOCOL_THRESHOLD[protocol]


def distillable(r: npt.ArrayLike, protocol: str | None = None) -> npt.NDArray[np.bool_]:
    """True where ``protocol`` (``"T"``, ``"H"``, or ``None`` for either) distills the state."""
    if protocol is None:
        return (distillation_margin(r, "T") > 0) | (distillation_margin(r, "H") > 0)
    return distillation_margin(r, protocol) > 0


def magic_class(r: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Class of each state: ``stabilizer``, ``magic`` or ``distillable (T|H|T, H)``; shape ``(...)``."""
    a = _bloch(r)
    t, h = distillable(a, "T"), distillable(a, "H")
    out = np.where(l1_norm(a) > 1.0, "magic", "stabilizer").astype("<U18")
    out = np.where(t & ~h, "distillable (T)", out)
    out = np.where(h & ~t, "distillable (H)", out)
    return np.where(t & h, "distillable (T, H)", out)


#: The three classes of :func:`coarse_class` (the protocol is dropped from "distillable (...)").
CLASSES: tuple[str, ...] = ("stabilizer", "magic", "distillable")


def coarse_class(r: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Class of each state among :data:`CLASSES`: :func:`magic_class` without the protocol names."""
    a = _bloch(r)
    return np.where(distillable(a), "distillable", np.where(l1_norm(a) > 1.0, "magic", "stabilizer"))


def distillable_protocols(r: npt.ArrayLike) -> list[str]:
    """The protocols of :data:`PROTOCOLS` that distill the one state ``r`` (3,), in that order."""
    a = _bloch(r)
    if a.shape != (3,):
        raise InputError(f"r must be one Bloch vector of shape (3,); got shape {a.shape}")
    return [p for p in PROTOCOLS if bool(distillable(a, p))]


def class_functional(r: npt.ArrayLike, target: str) -> FloatArray:
    r"""Positively homogeneous functional F whose excess over :func:`class_threshold` defines the class.

    ``"magic"`` and ``"T"``: :math:`\|r\|_1`; ``"H"``: :math:`\max_{i<j}(|r_i|+|r_j|)`;
    ``"distillable"``: :math:`\max(\|r\|_1 \sqrt7/3,\ \max_{i<j}(|r_i|+|r_j|))` (threshold 1),
    so F > threshold iff the state is in the class.
    """
    target = choice("target", target, TARGETS)
    a = _bloch(r)
    if target in ("magic", "T"):
        return np.abs(a).sum(axis=-1)
    if target == "H":
        return _pair_max(a)
    return np.maximum(np.abs(a).sum(axis=-1) / T_THRESHOLD_L1, _pair_max(a))


def class_threshold(target: str) -> float:
    """Threshold of :func:`class_functional`: 1, 3/sqrt(7), 1, 1 for magic, T, H, distillable."""
    target = choice("target", target, TARGETS)
    return T_THRESHOLD_L1 if target == "T" else 1.0


#: Local maxima of F over the g grid that are refined (the best few; the model has at most
#: a weak-coupling branch and branches near the resonance g = 1/2).
_N_CANDIDATES = 6
#: Absolute tolerance on g of the bounded refinement; F is flat at its maximum, so the error of
#: M is second order in it (~1e-24 relative), far below the solver's 1e-15.
_G_XATOL = 1e-12


def _F_unit(g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T2: float, target: str) -> FloatArray:
    return class_functional(steady_bloch_unit(g, p1, p2, T2), target)


def max_class_functional(p1: float, p2: float, T2: float, target: str = "distillable") -> tuple[float, float]:
    r"""Global maximum over g > 0 of F(f(g)) at T1 = 0, and the g attaining it.

    F is even in g (conjugation by Z on qubit 1 maps g to -g and flips r_x, r_y; every F here
    depends on ``|r_i|`` only). The search samples :func:`qc_reset.model.critical.g_search_grid`
    (resolving weak coupling and the resonance near g = 1/2), then refines each of the best
    grid local maxima by bounded Brent search between its grid neighbours and keeps the best.

    Args:
        p1, p2: reset rates (>= 0, finite, not both 0).
        T2: spin-bath temperature in [0, inf].
        target: one of :data:`TARGETS`.

    Returns:
        ``(M, g_opt)``.
    """
    p1 = real_number("p1", p1, lo=0.0)
    p2 = real_number("p2", p2, lo=0.0)
    T2 = real_number("T2", T2, lo=0.0, allow_inf=True)
    target = choice("target", target, TARGETS)
    if p1 + p2 == 0.0:
        raise InputError("p1 and p2 must not both be 0 (allowed: p1 >= 0, p2 >= 0, p1 + p2 > 0)")
    grid = g_search_grid(p1 + p2)
    F = _F_unit(grid, p1, p2, T2, target)
    padded = np.pad(F, 1, constant_values=-np.inf)
    is_max = (F >= padded[:-2]) & (F >= padded[2:])
    cand = np.flatnonzero(is_max)
    cand = cand[np.argsort(-F[cand])][:_N_CANDIDATES]
    best_F, best_g = float(F[cand[0]]), float(grid[cand[0]])
    from scipy.optimize import minimize_scalar  # lazy: scipy.optimize loads scipy.linalg (slow start-up)

    for i in cand.tolist():
        lo, hi = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, grid.size - 1)])
        if hi <= lo:
            continue
        res = minimize_scalar(lambda x: -float(_F_unit(x, p1, p2, T2, target)), bounds=(lo, hi),
                              method="bounded", options={"xatol": _G_XATOL * max(1.0, hi)})
        if -res.fun > best_F:
            best_F, best_g = float(-res.fun), float(res.x)
    return best_F, best_g


def critical_temperature_class(
    p1: float, p2: float, T2: float, target: str = "distillable", resolution: float = 1e-12
) -> tuple[float, float]:
    r"""Heat-bath temperature above which no coupling gives a state of the class ``target``.

    :math:`T_\mathrm{crit} = 1 / (2\,\mathrm{artanh}(\theta/M))` with :math:`M` from
    :func:`max_class_functional` and :math:`\theta` = :func:`class_threshold`.

    Args:
        p1, p2, T2: rates and spin-bath temperature (see :func:`max_class_functional`).
        target: ``"magic"``, ``"T"``, ``"H"`` or ``"distillable"`` (T or H).
        resolution: smallest relative excess :math:`M/\theta - 1` that counts (the solver's
            rounding is a few 1e-16; the default matches
            :data:`qc_reset.model.critical.MAGIC_RESOLUTION`).

    Returns:
        ``(T_crit, g_opt)``; both ``nan`` when :math:`M \le \theta (1 + \mathrm{resolution})`.
    """
    resolution = real_number("resolution", resolution, lo=0.0, hi=1.0)
    M, g = max_class_functional(p1, p2, T2, target)
    theta = class_threshold(target)
    if not M > theta * (1.0 + resolution):
        return math.nan, math.nan
    return 1.0 / (2.0 * math.atanh(theta / M)), g


_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
#: Golden-section steps of the batched refinement: the bracket shrinks by 0.618**64 ~ 4e-14.
_GOLDEN_ITERS = 64


def _golden_max(lo: FloatArray, hi: FloatArray, F: Any) -> tuple[FloatArray, FloatArray]:
    """Batched golden-section maximization of ``F(g)`` on the brackets ``[lo, hi]`` (same shape)."""
    a, b = lo.copy(), hi.copy()
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = F(c), F(d)
    for _ in range(_GOLDEN_ITERS):
        left = fc > fd  # the maximum lies in [a, d]
        b, a = np.where(left, d, b), np.where(left, a, c)
        new = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        f_new = F(new)
        c, d = np.where(left, new, d), np.where(left, c, new)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
    g = 0.5 * (a + b)
    return g, F(g)


def critical_temperature_class_array(
    p1: npt.ArrayLike, p2: npt.ArrayLike, T2: float, target: str = "distillable", resolution: float = 1e-12
) -> tuple[FloatArray, FloatArray]:
    r"""Batched :func:`critical_temperature_class` over arrays of rates (for curves): ``(T_crit, g_opt)``.

    The same construction on all points at once: F of every point's
    :func:`~qc_reset.model.critical.g_search_grid` in one call of the solver, then batched
    golden-section refinement (instead of Brent) of the best :data:`_N_CANDIDATES` grid local
    maxima between their grid neighbours. ``p1`` and ``p2`` broadcast (finite, >= 0, not both 0
    anywhere); ``T2`` is one temperature. ``nan`` where no state of the class exists.
    """
    target = choice("target", target, TARGETS)
    resolution = real_number("resolution", resolution, lo=0.0, hi=1.0)
    T2 = real_number("T2", T2, lo=0.0, allow_inf=True)
    a1, a2 = np.broadcast_arrays(np.asarray(p1, dtype=float), np.asarray(p2, dtype=float))
    shape = a1.shape
    q1, q2 = a1.ravel(), a2.ravel()
    if not (np.all(np.isfinite(q1)) and np.all(np.isfinite(q2)) and np.all(q1 >= 0) and np.all(q2 >= 0)):
        raise InputError("p1 and p2 must be finite numbers in [0, +inf)")
    if np.any(q1 + q2 == 0.0):
        raise InputError("p1 and p2 must not both be 0 (allowed: p1 >= 0, p2 >= 0, p1 + p2 > 0)")
    n = q1.size
    if n == 0:
        return np.empty(shape), np.empty(shape)
    grids = [g_search_grid(float(q1[i] + q2[i])) for i in range(n)]
    width = max(x.size for x in grids)
    G = np.array([np.pad(x, (0, width - x.size), mode="edge") for x in grids])  # (n, width)
    F = _F_unit(G, q1[:, None], q2[:, None], T2, target)
    padded = np.pad(F, ((0, 0), (1, 1)), constant_values=-np.inf)
    score = np.where((F >= padded[:, :-2]) & (F >= padded[:, 2:]), F, -np.inf)
    cand = np.argsort(-score, axis=1)[:, : min(_N_CANDIDATES, width)]
    lo = np.take_along_axis(G, np.maximum(cand - 1, 0), axis=1)
    hi = np.take_along_axis(G, np.minimum(cand + 1, width - 1), axis=1)
    g_ref, F_ref = _golden_max(lo, hi, lambda g: _F_unit(g, q1[:, None], q2[:, None], T2, target))
    F_ref = np.where(np.isfinite(np.take_along_axis(score, cand, axis=1)), F_ref, -np.inf)
    best = np.argmax(F_ref, axis=1)
    M, g_opt = F_ref[np.arange(n), best], g_ref[np.arange(n), best]
    theta = class_threshold(target)
    ok = M > theta * (1.0 + resolution)
    with np.errstate(divide="ignore", invalid="ignore"):
        T = np.where(ok, 1.0 / (2.0 * np.arctanh(np.where(ok, theta / M, 0.5))), np.nan)
    return T.reshape(shape), np.where(ok, g_opt, np.nan).reshape(shape)
