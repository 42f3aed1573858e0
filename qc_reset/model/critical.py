r"""Exact critical heat-bath temperature and coupling windows for magic.

Qubit 1's steady Bloch vector is exactly :math:`r = \tanh(1/2T_1)\, f(g, p_1, p_2, T_2)`
(:func:`qc_reset.model.steady.steady_bloch_unit`), so with :math:`F(g) = \|f(g)\|_1` the state has
magic iff :math:`\tanh(1/2T_1) F(g) > 1`. Hence

.. math::  T_\mathrm{crit} = \frac{1}{2\,\mathrm{artanh}(1/F^*)}, \qquad F^* = \max_g F(g),

and the g window at a given :math:`T_1` is :math:`\{g : F(g) > \coth(1/2T_1)\}`. F is even in
g (conjugating by Z on qubit 1 maps g to -g and (rx, ry) to (-rx, -ry)), so only g > 0 is
searched and windows are reported for g > 0.

F can have several local maxima: the perturbative one at g of the order of the rates, and
non-perturbative ones near the resonance g = 1/2 where the exchange splitting closes the gap
1/2 - g of H. A local search started at the perturbative optimum misses the latter, so the
search evaluates F on a grid that resolves both regions (scaled by gamma = p1 + p2 and dense
around g = 1/2), then refines every grid local maximum by golden-section search and keeps the
best. ``tests/test_critical.py`` checks the result against brute-force dense grids.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, quote, validate_params
from .operators import FloatArray, bath_polarization
from .perturbative import critical_temperature_perturbative
from .steady import steady_bloch_unit

__all__ = [
    "critical_temperature",
    "g_window",
    "max_l1_norm",
    "GWindow",
    "g_search_grid",
    "magic_map",
    "MAGIC_RESOLUTION",
]

#: Smallest excess of ||r||_1 over 1 that counts as magic. The exact solver is accurate to a few
#: 1e-16, so a smaller excess is rounding (e.g. p2 = 0 gives F = 1 + 2e-16, no magic at all). The
#: exact T_crit is therefore resolved only where max_g F - 1 > 1e-12, i.e. for rates p1 + p2
#: above about 1e-3 at T2 = 0; below that use ``method="perturbative"``, which is exact there.
MAGIC_RESOLUTION = 1e-12
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_GOLDEN_ITERS = 64  # bracket shrinks by 0.618**64 ~ 4e-14
_N_CANDIDATES = 4  # grid local maxima refined per point


def g_search_grid(gamma: float) -> FloatArray:
    """Positive couplings on which F is sampled before refinement, for rate sum ``gamma``."""
    gamma = min(gamma, np.finfo(float).max)  # p1 + p2 may overflow; the grid needs only its scale
    with np.errstate(over="ignore"):
        rel = gamma * np.logspace(-9, 2.5, 460)  # the weak-coupling optimum scales like gamma**3
    absolute = np.logspace(-9, 3, 240)
    offsets = min(gamma, 0.5) * np.logspace(-3, 1.5, 120)
    g = np.concatenate([rel, absolute, 0.5 - offsets, 0.5 + offsets, [0.5]])
    # Sort and drop repeats by hand: np.unique imports numpy.ma on first use (~8 ms of start-up).
    g = np.sort(g[np.isfinite(g) & (g > 0)])
    return g[np.concatenate(([True], g[1:] != g[:-1]))] if g.size else g


def _F(g: FloatArray, p1: FloatArray, p2: FloatArray, T2: FloatArray) -> FloatArray:
    return np.abs(steady_bloch_unit(g, p1, p2, T2)).sum(axis=-1)


def _refine_max(
    lo: FloatArray, hi: FloatArray, p1: FloatArray, p2: FloatArray, T2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Vectorized golden-section maximization of F on brackets [lo, hi]."""
    a, b = lo.copy(), hi.copy()
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = _F(c, p1, p2, T2), _F(d, p1, p2, T2)
    for _ in range(_GOLDEN_ITERS):
        left = fc > fd  # maximum lies in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - _GOLDEN * (b - a)
        new_d = a + _GOLDEN * (b - a)
        c_next = np.where(left, new_c, d)
        d_next = np.where(left, c, new_d)
        f_new = _F(np.where(left, new_c, new_d), p1, p2, T2)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_next, d_next
    g = 0.5 * (a + b)
    return g, _F(g, p1, p2, T2)


def _validate_rates(p1: npt.ArrayLike, p2: npt.ArrayLike, T2: npt.ArrayLike) -> tuple[FloatArray, ...]:
    _, p1a, p2a, _, T2a = validate_params(1.0, p1, p2, 1.0, T2)
    return p1a, p2a, T2a


def max_l1_norm(
    p1: npt.ArrayLike, p2: npt.ArrayLike, T2: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Global maximum over g of F(g) = ||r||_1 / tanh(1/2T1), and the g > 0 attaining it.

    Arguments broadcast; returns arrays ``(F_star, g_opt)`` of the broadcast shape.
    """
    p1a, p2a, T2a = _validate_rates(p1, p2, T2)
    shape = p1a.shape
    p1f, p2f, T2f = p1a.ravel(), p2a.ravel(), T2a.ravel()
    n = p1f.size
    if n == 0:
        return np.empty(shape), np.empty(shape)
    grids = [g_search_grid(float(p1f[i]) + float(p2f[i])) for i in range(n)]
    width = max(len(x) for x in grids)
    G = np.array([np.pad(x, (0, width - len(x)), mode="edge") for x in grids])  # (n, width)
    F = _F(G, p1f[:, None], p2f[:, None], T2f[:, None])
    # Local maxima of the sampled F (interior and ends), best few per point.
    padded = np.pad(F, ((0, 0), (1, 1)), constant_values=-np.inf)
    is_max = (F >= padded[:, :-2]) & (F >= padded[:, 2:])
    score = np.where(is_max, F, -np.inf)
    k = min(_N_CANDIDATES, width)
    cand = np.argsort(-score, axis=1)[:, :k]  # (n, k)
    lo = np.take_along_axis(G, np.maximum(cand - 1, 0), axis=1)
    hi = np.take_along_axis(G, np.minimum(cand + 1, width - 1), axis=1)
    rep = (slice(None), None)
    g_ref, F_ref = _refine_max(lo, hi, p1f[rep], p2f[rep], T2f[rep])
    F_ref = np.where(np.isfinite(np.take_along_axis(score, cand, axis=1)), F_ref, -np.inf)
    best = np.argmax(F_ref, axis=1)
    F_star = F_ref[np.arange(n), best]
    g_opt = g_ref[np.arange(n), best]
    return F_star.reshape(shape), g_opt.reshape(shape)


def critical_temperature(
    p1: npt.ArrayLike,
    p2: npt.ArrayLike,
    T2: npt.ArrayLike,
    method: str = "exact",
) -> tuple[FloatArray | float, FloatArray | float]:
    r"""Critical heat-bath temperature above which no coupling g gives magic.

    Args:
        p1, p2: reset rates (>= 0, not both 0).
        T2: spin-bath temperature in [0, inf].
        method: ``"exact"`` (global search over the exact steady state) or ``"perturbative"``
            (the paper's weak-coupling result, :mod:`qc_reset.perturbative`).

    Returns:
        ``(T_crit, g_opt)``: floats for scalar input, arrays for array input. Where no g gives
        magic even at T1 = 0 (or the excess of ||r||_1 over 1 stays below
        :data:`MAGIC_RESOLUTION`), both are ``nan``.

    Example:
        >>> T, g = critical_temperature(0.3, 0.3, 0.0)
    """
    if method == "perturbative":
        _validate_rates(p1, p2, T2)  # same messages and ranges as the exact method
        Tp, gp = critical_temperature_perturbative(p1, p2, T2)
        if np.ndim(Tp) == 0:
            return float(Tp), float(gp)
        return Tp, gp
    if method != "exact":
        raise InputError(f"method must be 'exact' or 'perturbative'; got {method!r}")
    F_star, g_opt = max_l1_norm(p1, p2, T2)
    magic = F_star > 1.0 + MAGIC_RESOLUTION
    with np.errstate(divide="ignore", invalid="ignore"):
        T = np.where(magic, 1.0 / (2.0 * np.arctanh(np.where(magic, 1.0 / F_star, 0.5))), np.nan)
    g_out = np.where(magic, g_opt, np.nan)
    if T.ndim == 0:
        return float(T), float(g_out)
    return T, g_out


@dataclasses.dataclass(frozen=True)
class GWindow:
    """Couplings g > 0 giving magic at one (p1, p2, T1, T2): a union of open intervals."""

    intervals: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        try:
            ivs = tuple((float(lo), float(hi)) for lo, hi in self.intervals)
        except (TypeError, ValueError):
            raise InputError(f"GWindow.intervals must be pairs (lo, hi) of numbers; "
                             f"got {quote(self.intervals)}") from None
        ends = [x for iv in ivs for x in iv]
        if any(math.isnan(x) for x in ends) or any(b < a for a, b in zip(ends, ends[1:], strict=False)) or \
                (ends and ends[0] < 0):
            raise InputError(f"GWindow.intervals must be disjoint open intervals (lo, hi) in [0, +inf], in "
                             f"increasing order; got {quote(self.intervals)}")
        object.__setattr__(self, "intervals", ivs)

    @property
    def empty(self) -> bool:
        """True when no coupling gives magic."""
        return not self.intervals

    def contains(self, g: float) -> bool:
        """Whether ``|g|`` lies in the window (F is even in g)."""
        return any(lo < abs(g) < hi for lo, hi in self.intervals)

    def to_dict(self) -> dict[str, object]:
        """Plain-data form."""
        return {"intervals": [list(iv) for iv in self.intervals]}

    @classmethod
    def from_dict(cls, data: Any) -> GWindow:
        """Inverse of :meth:`to_dict`; also reads strict JSON (an unbounded end as "inf")."""
        if not isinstance(data, dict) or set(data) != {"intervals"} or not isinstance(data["intervals"], list):
            raise InputError(f"a GWindow record must be a dict {{'intervals': [[lo, hi], ...]}}; got {quote(data)}")
        ivs = []
        for iv in data["intervals"]:
            if not isinstance(iv, list | tuple) or len(iv) != 2 or \
                    any(isinstance(x, bool) or not isinstance(x, int | float | str) for x in iv):
                raise InputError(f"GWindow intervals must be pairs [lo, hi] of numbers; got {quote(iv)}")
            try:
                ivs.append((float(iv[0]), float(iv[1])))
            except ValueError:
                raise InputError(f"GWindow intervals must be pairs [lo, hi] of numbers; got {quote(iv)}") from None
        return cls(tuple(ivs))


def _bisect_crossing(
    g_in: float, g_out: float, threshold: float, p1: float, p2: float, T2: float, iters: int = 60
) -> float:
    """Point between g_in (F > threshold) and g_out (F <= threshold) where F crosses threshold."""
    a, b = g_in, g_out
    for _ in range(iters):
        m = 0.5 * (a + b)
        if float(_F(np.asarray(m), np.asarray(p1), np.asarray(p2), np.asarray(T2))) > threshold:
            a = m
        else:
            b = m
    return 0.5 * (a + b)


def g_window(p1: float, p2: float, T1: float, T2: float) -> GWindow:
    """Exact window of couplings g > 0 for which qubit 1's steady state has magic at T1.

    Found from the exact steady state: sampled on :func:`g_search_grid`, every local maximum
    refined (so narrow windows between grid points are not missed), and every boundary
    located by bisection to ~1e-15 relative.
    """
    for name, value in (("p1", p1), ("p2", p2), ("T1", T1), ("T2", T2)):
        if np.ndim(value) != 0:
            raise InputError(f"{name} must be a scalar for g_window; got shape {np.shape(value)}")
    validate_params(1.0, p1, p2, T1, T2)
    z1 = float(bath_polarization(T1))
    if z1 == 0.0:
        return GWindow(())
    threshold = max(1.0 / z1, 1.0 + MAGIC_RESOLUTION)
    P1, P2, TT2 = (np.asarray(float(x)) for x in (p1, p2, T2))
    G = g_search_grid(float(p1 + p2))
    F = _F(G, P1, P2, TT2)
    if p1 > 0:  # at g = 0 qubit 1 is exactly tau1, so F(0) = 1 <= threshold
        G, F = np.concatenate([[0.0], G]), np.concatenate([[1.0], F])
    # Refine all grid local maxima; add their peaks to the sample so narrow windows show up.
    padded = np.pad(F, 1, constant_values=-np.inf)
    peaks = np.flatnonzero((F >= padded[:-2]) & (F >= padded[2:]))
    lo = G[np.maximum(peaks - 1, 0)]
    hi = G[np.minimum(peaks + 1, len(G) - 1)]
    g_pk, F_pk = _refine_max(lo, hi, P1, P2, TT2)
    G = np.concatenate([G, g_pk])
    F = np.concatenate([F, F_pk])
    order = np.argsort(G)
    G, F = G[order], F[order]
    above = F > threshold
    intervals: list[tuple[float, float]] = []
    i = 0
    while i < len(G):
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(G) and above[j + 1]:
            j += 1
        left = 0.0 if i == 0 else _bisect_crossing(G[i], G[i - 1], threshold, p1, p2, T2)
        right = np.inf if j == len(G) - 1 else _bisect_crossing(G[j], G[j + 1], threshold, p1, p2, T2)
        intervals.append((float(left), float(right)))
        i = j + 1
    return GWindow(tuple(intervals))


def magic_map(
    g: npt.ArrayLike, T1: npt.ArrayLike, p1: float, p2: float, T2: float
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    r"""Exact ||r||_1 of qubit 1 on the (T1, g) grid, and where it exceeds 1 (magic).

    Uses the exact factorization :math:`\|r\|_1 = \tanh(1/2T_1)\, F(g)`: one steady-state
    solve per g value instead of one per grid point, so a 1000 x 1000 map costs 1000 solves.

    Returns:
        ``(l1_norm, magic)`` of shape ``(len(T1), len(g))``; magic means
        ||r||_1 > 1 + :data:`MAGIC_RESOLUTION`.
    """
    g_arr = np.atleast_1d(np.asarray(g, dtype=float))
    T1_arr = np.atleast_1d(np.asarray(T1, dtype=float))
    if g_arr.ndim != 1 or T1_arr.ndim != 1:
        raise InputError("g and T1 must be 1-d arrays of grid values")
    validate_params(g_arr, p1, p2, 1.0, T2)
    validate_params(1.0, p1, p2, T1_arr, T2)
    F = _F(g_arr, np.asarray(float(p1)), np.asarray(float(p2)), np.asarray(float(T2)))
    l1 = bath_polarization(T1_arr)[:, None] * F[None, :]
    return l1, l1 > 1.0 + MAGIC_RESOLUTION
