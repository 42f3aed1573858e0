r"""The paper's weak-coupling (small g) results, checked and corrected against the exact solver.

Every function is vectorized (array arguments broadcast) and returns float arrays (0-d for
scalar input). The facet combinations of qubit 1's Bloch vector expand as

.. math::  \pm r_x \pm r_y + r_z = \tanh\tfrac{1}{2T_1}\,\bigl(1 + a\,g + b\,g^2\bigr) + O(g^3),

because qubit 1's steady Bloch vector is exactly proportional to :math:`\tanh(1/2T_1)`,
:math:`r_x, r_y` are odd in g and :math:`r_z` is even in g (conjugation by :math:`Z\otimes I`
maps g to -g and :math:`(r_x, r_y)` to :math:`(-r_x, -r_y)`). The O(g^2) term ``b < 0`` is
common to all facets (it comes from :math:`r_z`).

Conventions and corrections (details and numbers in ``docs/perturbative.md``):

* **Facet labels.** The paper's :math:`(r_x, r_y)` are *minus* the package's (equivalently, its
  formulas are ours at -g). Its printed "rx+ry+rz", "rx-ry+rz", "-rx+ry+rz" are the package's
  facets ``-rx-ry+rz``, ``-rx+ry+rz``, ``+rx-ry+rz``: :data:`PAPER_FACET_INDEX`. Functions
  return the four facets in the order of :data:`qc_reset.measures.FACET_LABELS` by default, and
  the paper's three printed combinations (in its order and labels) with ``printed=True``.
* **Eq. (18)** misses a factor 2: :math:`1/\ln(1 + F_2/F_1^2)` must read
  :math:`1/\ln(1 + 2F_2/F_1^2)` (it contradicts the paper's own Eqs. 16-17).
  ``tcrit_eq18(..., printed=True)`` gives the printed version.
* Eqs. (7), (9), (10), (13), (15), (16), (17), (19)-(24) agree with the exact expansion.

Sign of g: windows and optimal couplings are reported for **g > 0**; the g < 0 ones are their
mirror images. For g > 0 the facet intervals are nested (common b), so their union is one
interval.

This module is one concept: the paper's weak-coupling expansion. Every function is a formula
of the same O(g^2) expansion (its coefficients, the facet values built from them, and the
T_crit and window formulas that follow from a quadratic in g), and they share the coefficient
helpers, the validation specs and the facet convention; splitting them would only make those
helpers public across modules. Rates beyond 1e+-40 (:data:`FAR`) are evaluated in high
precision, so the results stay finite and warning-free up to the largest doubles.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import bounded_array, broadcast
from .operators import FloatArray, bath_polarization

__all__ = [
    "PAPER_FACET_INDEX",
    "PAPER_FACET_LABELS",
    "l1_coherence_eq7",
    "expansion_coefficients",
    "facets_eq9",
    "facets_eq10",
    "facets_eq16",
    "facets_eq19_21",
    "facets_eq22_24",
    "tcrit_eq15",
    "tcrit_eq18",
    "g_window_eq13",
    "g_window_eq17",
    "critical_temperature_perturbative",
    "g_window_perturbative",
]

#: Labels of the paper's three printed facet combinations (its sign convention), in its order.
PAPER_FACET_LABELS: tuple[str, ...] = ("rx+ry+rz", "rx-ry+rz", "-rx+ry+rz")
#: Index into :func:`qc_reset.measures.facets` of each printed combination of the paper.
PAPER_FACET_INDEX: tuple[int, ...] = (3, 2, 1)


# --------------------------------------------------------------------------- validation
_arr = bounded_array  # one validator for the package: same ranges, same messages


_SPECS: dict[str, dict[str, Any]] = {
    "g": {"lo": -np.inf, "lo_open": True, "allow_inf": False},
    "p1": {"lo": 0.0, "lo_open": True, "allow_inf": False},  # b ~ 1/p1: no expansion at p1 = 0
    "p2": {"lo": 0.0, "lo_open": False, "allow_inf": False},
    "p": {"lo": 0.0, "lo_open": True, "allow_inf": False},
    "mu": {"lo": 0.0, "lo_open": False, "allow_inf": False},
    "T1": {"lo": 0.0, "lo_open": False, "allow_inf": True},
    "T2": {"lo": 0.0, "lo_open": False, "allow_inf": True},
    "T2_high": {"lo": 0.0, "lo_open": True, "allow_inf": True},  # 1/T2 must exist
}


def _validate(**kwargs: npt.ArrayLike) -> list[FloatArray]:
    """Check each keyword (spec by name; ``T2_high`` reports as T2) and broadcast them."""
    arrays = []
    for key, val in kwargs.items():
        arrays.append(_arr(key.removesuffix("_high"), val, **_SPECS[key]))
    return broadcast(", ".join(k.removesuffix("_high") for k in kwargs), *arrays)


def _coth_minus_one(T1: FloatArray) -> FloatArray:
    r""":math:`\lambda = \coth(1/2T_1) - 1 = 2/(e^{1/T_1} - 1)`: 0 at T1 = 0, inf at T1 = inf."""
    with np.errstate(divide="ignore", over="ignore"):
        return 2.0 / np.expm1(1.0 / T1)


def _facets(aplus: FloatArray, aminus: FloatArray, b: FloatArray, g: FloatArray, z1: FloatArray,
            printed: bool, a3: FloatArray | None = None) -> FloatArray:
    """Facet values from the paper's (rx+ry) and (rx-ry) O(g) coefficients and the O(g^2) one."""
    quad = b * g * g
    if printed:
        third = -aminus if a3 is None else a3
        vals = [1 + aplus * g + quad, 1 + aminus * g + quad, 1 + third * g + quad]
    else:  # package convention: (rx, ry) -> -(rx, ry) relative to the paper
        vals = [1 - aplus * g + quad, 1 - aminus * g + quad, 1 + aminus * g + quad, 1 + aplus * g + quad]
    return z1[..., None] * np.stack(vals, axis=-1)


# --------------------------------------------------------------------------- Eq. (7), (9)
def l1_coherence_eq7(g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike,
                     T2: npt.ArrayLike) -> FloatArray:
    r"""Steady l1 coherence of qubit 1 to first order in g, Eq. (7).

    .. math:: C_{l_1} \approx \frac{4|g|p_2}{\sqrt{(1+4p_1^2)(1+4p_2^2)}}
              \left|\tanh\tfrac{1}{2T_1}\tanh\tfrac{1}{2T_2}\right|

    Args:
        g: coupling (finite; ``|g|`` is used so the formula holds for either sign).
        p1: heat-bath reset rate in (0, inf). p2: spin-bath reset rate in [0, inf).
        T1, T2: bath temperatures in [0, inf].

    Returns:
        C_l1 to O(g), broadcast shape. Exact to this order (relative error O(g^2)).
    """
    g_, p1_, p2_, T1_, T2_ = _validate(g=g, p1=p1, p2=p2, T1=T1, T2=T2)
    D = (1 + 4 * p1_**2) * (1 + 4 * p2_**2)
    return 4 * np.abs(g_) * p2_ / np.sqrt(D) * bath_polarization(T1_) * bath_polarization(T2_)


#: Rates outside [1/FAR, FAR] make the polynomials of Eq. (9) (degree up to 6 in the rates)
#: overflow or underflow in double precision; such points are evaluated in high precision.
FAR = 1e40
_MP_DIGITS = 40


def _eq9_terms(p1: Any, p2: Any, x2: Any) -> tuple[Any, ...]:
    """Eq. (9)'s (aplus, aminus, a3, b) in the arithmetic of the inputs (numpy arrays or mpmath numbers)."""
    s = 0.5 * (1 - x2 * x2)  # = 1/(1 + cosh(1/T2)), overflow-safe at T2 -> 0
    D = (1 + 4 * p1**2) * (1 + 4 * p2**2)
    aplus = 4 * p2 * (-1 + 2 * p2 + 2 * p1 + 4 * p1 * p2) * x2 / D
    aminus = 4 * p2 * (1 + 2 * p2 + 2 * p1 - 4 * p1 * p2) * x2 / D
    a3 = 4 * p2 * (-1 - 2 * p2 - 2 * p1 + 4 * p1 * p2) * x2 / D
    num = -1 - 2 * p2**2 - 4 * p1 * (p1 + 4 * p1 * p2**2 + 2 * p2**3) + 4 * p2**2 * (4 * p1 * p2 - 1) * s
    b = 2 * num / (p1 * (p1 + p2) * D)
    return aplus, aminus, a3, b


def _far(p1: FloatArray, p2: FloatArray) -> npt.NDArray[np.bool_]:
    """Points whose Eq. (9) polynomials leave the double-precision range (see :data:`FAR`)."""
    out: npt.NDArray[np.bool_] = np.zeros(p1.shape, dtype=bool)
    for p in (p1, p2):
        out |= (p > FAR) | ((p > 0) & (p < 1.0 / FAR))
    return out


def _eq9_high_precision(p1: float, p2: float, x2: float, what: str) -> tuple[float, ...]:
    """One far point in high precision: Eq. (9)'s coefficients, or ``what="tcrit"``: (T_crit, g_opt)."""
    import mpmath  # heavy, and needed only at rates beyond 1e+-40 (as in the resolvent's fallback)

    with mpmath.workdps(_MP_DIGITS):
        aplus, aminus, a3, b = _eq9_terms(mpmath.mpf(p1), mpmath.mpf(p2), mpmath.mpf(x2))
        if what != "tcrit":
            return tuple(float(v) for v in (aplus, aminus, a3, b))
        a = max(abs(aplus), abs(aminus))  # largest O(g) coefficient of the four package facets
        if a == 0:
            return math.nan, math.nan
        return float(1 / mpmath.log1p(8 * abs(b) / (a * a))), float(a / (2 * abs(b)))


def _eq9_coefficients(p1: FloatArray, p2: FloatArray, T2: FloatArray) -> tuple[FloatArray, ...]:
    x2 = bath_polarization(T2)
    far = _far(p1, p2)
    with np.errstate(all="ignore"):  # far points are replaced below
        out = [np.array(v, dtype=float) for v in _eq9_terms(p1, p2, x2)]
    for idx in zip(*np.nonzero(np.atleast_1d(far)), strict=True):
        idx = idx[-far.ndim:] if far.ndim else ()
        for arr, v in zip(out, _eq9_high_precision(float(p1[idx]), float(p2[idx]), float(x2[idx]), "a, b"),
                          strict=True):
            arr[idx] = v
    return tuple(out)


def expansion_coefficients(p1: npt.ArrayLike, p2: npt.ArrayLike, T2: npt.ArrayLike
                           ) -> tuple[FloatArray, FloatArray]:
    r"""Coefficients of Eq. (9): facet :math:`= \tanh(1/2T_1)(1 + a g + b g^2) + O(g^3)`.

    Args:
        p1: in (0, inf). p2: in [0, inf). T2: in [0, inf].

    Returns:
        ``(a, b)``: ``a`` of shape (..., 4) for the package's facets in the order of
        :data:`qc_reset.measures.FACET_LABELS`, and the common ``b`` (< 0) of shape (...).
    """
    p1_, p2_, T2_ = _validate(p1=p1, p2=p2, T2=T2)
    aplus, aminus, _, b = _eq9_coefficients(p1_, p2_, T2_)
    return np.stack([-aplus, -aminus, aminus, aplus], axis=-1), b


def facets_eq9(g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike,
               T2: npt.ArrayLike, *, printed: bool = False) -> FloatArray:
    r"""Facet combinations to O(g^2) for general p1, p2, T2, Eq. (9).

    With :math:`D = (1+4p_1^2)(1+4p_2^2)`, :math:`x_2 = \tanh(1/2T_2)`, the paper's
    rx+ry+rz has :math:`a = 4p_2(-1+2p_2+2p_1+4p_1p_2)x_2/D`, rx-ry+rz has
    :math:`a = 4p_2(1+2p_2+2p_1-4p_1p_2)x_2/D`, and all share
    :math:`b = 2[-1-2p_2^2-4p_1(p_1+4p_1p_2^2+2p_2^3) + 4p_2^2(4p_1p_2-1)/(1+\cosh(1/T_2))]
    / [p_1(p_1+p_2)D]`, with :math:`1/(1+\cosh(1/T_2)) = (1-x_2^2)/2` (safe at T2 = 0).
    Verified against the exact solver: relative error of a and b below 1e-8.

    Args:
        g: finite coupling. p1: in (0, inf). p2: in [0, inf). T1, T2: in [0, inf].
        printed: if True, return the paper's three combinations in its labels and order
            (:data:`PAPER_FACET_LABELS`); else the four package facets (``FACET_LABELS``).

    Returns:
        Array of shape (..., 4), or (..., 3) with ``printed=True``.
    """
    g_, p1_, p2_, T1_, T2_ = _validate(g=g, p1=p1, p2=p2, T1=T1, T2=T2)
    aplus, aminus, a3, b = _eq9_coefficients(p1_, p2_, T2_)
    return _facets(aplus, aminus, b, g_, bath_polarization(T1_), printed, a3)


# --------------------------------------------------------------------------- limits
def _eq10_coefficients(p: FloatArray) -> tuple[FloatArray, ...]:
    q = (1 + 4 * p**2) ** 2
    f1 = p * (4 * p**2 + 4 * p - 1) / q
    g1 = p * (1 + 4 * p - 4 * p**2) / q
    h1 = p * (4 * p**2 - 4 * p - 1) / q
    f2 = (1 + 6 * p**2 + 24 * p**4) / (p**2 * q)
    return f1, g1, h1, f2


def facets_eq10(g: npt.ArrayLike, p: npt.ArrayLike, T1: npt.ArrayLike, *, printed: bool = False
                ) -> FloatArray:
    r"""Eq. (10) and its two companions: T2 -> 0, p1 = p2 = p.

    .. math:: r_x + r_y + r_z \approx \tanh\tfrac{1}{2T_1}\Bigl[1 + 4g\,f_1 - g^2 f_2\Bigr],\quad
              f_1 = \frac{p(4p^2+4p-1)}{(1+4p^2)^2},\ f_2 = \frac{1+6p^2+24p^4}{p^2(1+4p^2)^2},

    and rx-ry+rz, -rx+ry+rz with f1 replaced by g1 = p(1+4p-4p^2)/(1+4p^2)^2 and
    h1 = p(4p^2-4p-1)/(1+4p^2)^2 (paper labels). Agrees with the exact expansion.

    Args:
        g: finite. p: in (0, inf). T1: in [0, inf].
        printed: paper's three combinations (its labels) instead of the package's four facets.

    Returns:
        Shape (..., 4), or (..., 3) with ``printed=True``.
    """
    g_, p_, T1_ = _validate(g=g, p=p, T1=T1)
    f1, g1, h1, f2 = _eq10_coefficients(p_)
    return _facets(4 * f1, 4 * g1, -f2, g_, bath_polarization(T1_), printed, 4 * h1)


def _eq16_coefficients(p: FloatArray, T2: FloatArray) -> tuple[FloatArray, ...]:
    f1, g1, h1, _ = _eq10_coefficients(p)
    inv_T2 = 1.0 / T2
    return f1 * inv_T2, g1 * inv_T2, h1 * inv_T2, 1.0 / p**2  # F1, G1, H1, F2


def facets_eq16(g: npt.ArrayLike, p: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike, *,
                printed: bool = False) -> FloatArray:
    r"""Eq. (16) and companions: T2 -> inf (leading order in 1/T2), p1 = p2 = p.

    .. math:: r_x + r_y + r_z \approx \tanh\tfrac{1}{2T_1}\Bigl[1 + 2g\,F_1 - g^2 F_2\Bigr],\quad
              F_1 = \frac{p(4p^2+4p-1)}{T_2(1+4p^2)^2},\ F_2 = \frac{1}{p^2},

    and G1 = p(1+4p-4p^2)/(T2(1+4p^2)^2), H1 = p(4p^2-4p-1)/(T2(1+4p^2)^2) for rx-ry+rz and
    -rx+ry+rz (paper labels). The coefficient 2g (not 4g) is right: tanh(1/2T2) ~ 1/(2T2).

    Args:
        g: finite. p: in (0, inf). T1: in [0, inf]. T2: in (0, inf].
        printed: paper's three combinations (its labels) instead of the package's four facets.

    Returns:
        Shape (..., 4), or (..., 3) with ``printed=True``.
    """
    g_, p_, T1_, T2_ = _validate(g=g, p=p, T1=T1, T2_high=T2)
    F1, G1, H1, F2 = _eq16_coefficients(p_, T2_)
    return _facets(2 * F1, 2 * G1, -F2, g_, bath_polarization(T1_), printed, 2 * H1)


def _mu_coefficients(p: FloatArray, mu: FloatArray) -> tuple[FloatArray, ...]:
    D = (1 + 4 * p**2) * (1 + 4 * mu**2 * p**2)
    c1 = mu * p * (4 * mu * p**2 + 2 * mu * p + 2 * p - 1) / D
    c2 = mu * p * (1 + 2 * mu * p + 2 * p - 4 * mu * p**2) / D
    c3 = mu * p * (4 * mu * p**2 - 2 * mu * p - 2 * p - 1) / D
    return c1, c2, c3


def facets_eq19_21(g: npt.ArrayLike, p: npt.ArrayLike, mu: npt.ArrayLike, T1: npt.ArrayLike, *,
                   printed: bool = False) -> FloatArray:
    r"""Eqs. (19)-(21): T2 -> 0 with p1 = p, p2 = mu p.

    .. math:: r_x + r_y + r_z \approx \tanh\tfrac{1}{2T_1}\Bigl[1
              + 4g\mu p\,\frac{4\mu p^2+2\mu p+2p-1}{(1+4p^2)(1+4\mu^2p^2)}
              - 2g^2\,\frac{1+2\mu^2p^2+4p^2+16\mu^2p^4+8\mu^3p^4}{p^2(1+\mu)(1+4p^2)(1+4\mu^2p^2)}
              \Bigr]

    (numerators 1+2mu p+2p-4mu p^2 and 4mu p^2-2mu p-2p-1 for rx-ry+rz, -rx+ry+rz; paper
    labels). Agrees with the exact expansion.

    Args:
        g: finite. p: in (0, inf). mu: in [0, inf). T1: in [0, inf].
        printed: paper's three combinations (its labels) instead of the package's four facets.

    Returns:
        Shape (..., 4), or (..., 3) with ``printed=True``.
    """
    g_, p_, mu_, T1_ = _validate(g=g, p=p, mu=mu, T1=T1)
    c1, c2, c3 = _mu_coefficients(p_, mu_)
    D = (1 + 4 * p_**2) * (1 + 4 * mu_**2 * p_**2)
    num = 1 + 2 * mu_**2 * p_**2 + 4 * p_**2 + 16 * mu_**2 * p_**4 + 8 * mu_**3 * p_**4
    b = -2 * num / (p_**2 * (1 + mu_) * D)
    return _facets(4 * c1, 4 * c2, b, g_, bath_polarization(T1_), printed, 4 * c3)


def facets_eq22_24(g: npt.ArrayLike, p: npt.ArrayLike, mu: npt.ArrayLike, T1: npt.ArrayLike,
                   T2: npt.ArrayLike, *, printed: bool = False) -> FloatArray:
    r"""Eqs. (22)-(24): T2 -> inf (leading order in 1/T2) with p1 = p, p2 = mu p.

    .. math:: r_x + r_y + r_z \approx \tanh\tfrac{1}{2T_1}\Bigl[1
              + 2g\mu p\,\frac{4\mu p^2+2\mu p+2p-1}{T_2(1+4p^2)(1+4\mu^2p^2)}
              - \frac{2g^2}{p^2(1+\mu)}\Bigr]

    (and the analogues of Eqs. 20-21). Agrees with the exact expansion.

    Args:
        g: finite. p: in (0, inf). mu: in [0, inf). T1: in [0, inf]. T2: in (0, inf].
        printed: paper's three combinations (its labels) instead of the package's four facets.

    Returns:
        Shape (..., 4), or (..., 3) with ``printed=True``.
    """
    g_, p_, mu_, T1_, T2_ = _validate(g=g, p=p, mu=mu, T1=T1, T2_high=T2)
    c1, c2, c3 = _mu_coefficients(p_, mu_)
    k = 2.0 / T2_
    b = -2.0 / (p_**2 * (1 + mu_))
    return _facets(k * c1, k * c2, b, g_, bath_polarization(T1_), printed, k * c3)


# --------------------------------------------------------------------------- T_crit, windows
def _tcrit_from(a: FloatArray, b_abs: FloatArray) -> FloatArray:
    r"""1/ln(1 + 8|b|/a^2) = 1/(2 artanh(1/(1 + a^2/4|b|))); nan where a = 0 (no magic)."""
    with np.errstate(divide="ignore"):
        T = 1.0 / np.log1p(8.0 * b_abs / (a * a))
    return np.where(a == 0, np.nan, T)


def _window(a: FloatArray, b_abs: FloatArray, lam: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Roots of |b| g^2 - a g + lam = 0 (g > 0 side); nan where the interval is empty."""
    with np.errstate(invalid="ignore", over="ignore"):
        disc = a * a - 4 * b_abs * lam
        ok = (a > 0) & (disc > 0)
        root = np.sqrt(np.where(ok, disc, 0.0))
        hi = np.where(ok, (a + root) / (2 * b_abs), np.nan)
        lo = np.where(ok, 2 * lam / np.where(ok, a + root, 1.0), np.nan)  # stable small root
    return lo, hi


def tcrit_eq15(p: npt.ArrayLike, *, per_facet: bool = False) -> FloatArray:
    r"""Critical heat-bath temperature for T2 -> 0, p1 = p2 = p: Eqs. (14)-(15).

    .. math:: T^1_\mathrm{crit} = \frac{1}{\ln(1 + f_2/(2f_1^2))},\quad
              T^2_\mathrm{crit} = \frac{1}{\ln(1 + f_2/(2g_1^2))},\quad
              T^3_\mathrm{crit} = \frac{1}{\ln(1 + f_2/(2h_1^2))},

    :math:`T_\mathrm{crit} = \max_k T^k_\mathrm{crit}` (Eq. 14). Correct as printed when read
    as :math:`f_2/(2f_1^2)`; the reading :math:`f_2/(2f_1)^2` would be wrong. Since
    :math:`h_1 = -g_1`, :math:`T^2 = T^3`.

    Args:
        p: in (0, inf).
        per_facet: return the three per-facet temperatures (paper order, shape (..., 3)).

    Returns:
        T_crit (shape of p), or per-facet values; nan where a facet's O(g) coefficient vanishes
        (no magic from it at any temperature).
    """
    (p_,) = _validate(p=p)
    f1, g1, h1, f2 = _eq10_coefficients(p_)
    with np.errstate(divide="ignore"):
        T = np.stack([np.where(k == 0, np.nan, 1.0 / np.log1p(f2 / (2 * k * k)))
                      for k in (f1, g1, h1)], axis=-1)
    return T if per_facet else np.fmax.reduce(T, axis=-1)


def tcrit_eq18(p: npt.ArrayLike, T2: npt.ArrayLike, *, printed: bool = False,
               per_facet: bool = False) -> FloatArray:
    r"""Critical heat-bath temperature for T2 -> inf, p1 = p2 = p: Eq. (18), corrected.

    Printed: :math:`1/\ln(1 + F_2/K^2)` for K in (F1, G1, H1). From Eq. (16) (a = 2K,
    ``|b| = F2``), or from the paper's own window (17), the threshold is
    :math:`\coth(1/2T) - 1 = K^2/F_2`, i.e. the **corrected**
    :math:`T^K_\mathrm{crit} = 1/\ln(1 + 2F_2/K^2)`. The printed form overestimates T_crit.

    Args:
        p: in (0, inf). T2: in (0, inf].
        printed: use the printed (wrong) formula.
        per_facet: return the three per-facet temperatures (paper order, shape (..., 3)).

    Returns:
        max over facets (Eq. 14), or per-facet values; nan where no magic is possible.
    """
    p_, T2_ = _validate(p=p, T2_high=T2)
    F1, G1, H1, F2 = _eq16_coefficients(p_, T2_)
    factor = 1.0 if printed else 2.0
    with np.errstate(divide="ignore"):
        T = np.stack([np.where(K == 0, np.nan, 1.0 / np.log1p(factor * F2 / (K * K)))
                      for K in (F1, G1, H1)], axis=-1)
    return T if per_facet else np.fmax.reduce(T, axis=-1)


def _best_window(ks: tuple[FloatArray, ...], scale: float, b_abs: FloatArray, T1: FloatArray
                 ) -> tuple[FloatArray, FloatArray]:
    # Facet windows on g > 0 are nested (common b), so the union is the largest-a facet's one.
    a = scale * np.max(np.stack(ks, axis=-1), axis=-1)
    return _window(a, b_abs, _coth_minus_one(T1))


def g_window_eq13(p: npt.ArrayLike, T1: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""Allowed coupling window for T2 -> 0, p1 = p2 = p: Eq. (13) and its companions.

    .. math:: \Bigl(g - 2\frac{f_1}{f_2}\Bigr)^2 < 4\frac{f_1^2}{f_2^2} - \frac{\lambda}{f_2},\quad
              \lambda = \coth\tfrac{1}{2T_1} - 1,

    united over f1 -> g1, h1 (the other facets) and restricted to g > 0.

    Args:
        p: in (0, inf). T1: in [0, inf].

    Returns:
        ``(g_lo, g_hi)``; ``(nan, nan)`` where no g > 0 gives magic (T1 >= T_crit).
    """
    p_, T1_ = _validate(p=p, T1=T1)
    f1, g1, h1, f2 = _eq10_coefficients(p_)
    return _best_window((f1, g1, h1), 4.0, f2, T1_)


def g_window_eq17(p: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike
                  ) -> tuple[FloatArray, FloatArray]:
    r"""Allowed coupling window for T2 -> inf, p1 = p2 = p: Eq. (17) and its companions.

    .. math:: \Bigl(g - \frac{F_1}{F_2}\Bigr)^2 < \frac{F_1^2}{F_2^2} - \frac{\lambda}{F_2}

    united over F1 -> G1, H1 and restricted to g > 0. Consistent with Eq. (16).

    Args:
        p: in (0, inf). T1: in [0, inf]. T2: in (0, inf].

    Returns:
        ``(g_lo, g_hi)``; ``(nan, nan)`` where no g > 0 gives magic.
    """
    p_, T1_, T2_ = _validate(p=p, T1=T1, T2_high=T2)
    F1, G1, H1, F2 = _eq16_coefficients(p_, T2_)
    return _best_window((F1, G1, H1), 2.0, F2, T1_)


def critical_temperature_perturbative(p1: npt.ArrayLike, p2: npt.ArrayLike, T2: npt.ArrayLike
                                      ) -> tuple[FloatArray, FloatArray]:
    r"""Perturbative critical heat-bath temperature and optimal coupling from Eq. (9).

    Each facet is :math:`\tanh(1/2T_1)(1 + a g + b g^2)` with b < 0, maximal at
    :math:`g = a/(2|b|)` with value :math:`\tanh(1/2T_1)(1 + a^2/4|b|)`. Magic is possible iff
    this exceeds 1, so with the largest a over facets

    .. math:: T_\mathrm{crit} = \frac{1}{2\,\mathrm{artanh}\bigl(1/(1 + a^2/4|b|)\bigr)}
              = \frac{1}{\ln(1 + 8|b|/a^2)}.

    It reduces to Eq. (15) for T2 -> 0, p1 = p2 and to the *corrected* Eq. (18) for T2 -> inf.

    Args:
        p1: in [0, inf). p2: in [0, inf). T2: in [0, inf].

    Returns:
        ``(T_crit, g_opt)`` with g_opt > 0 (the mirror -g_opt is equivalent). Both are
        ``nan`` where no facet grows at O(g) (p2 = 0 or T2 = inf): no magic at any
        temperature, not even T1 = 0. At p1 = 0 they are ``nan`` too: b ~ 1/p1 diverges, so
        T_crit -> 0 as p1 -> 0+, as in the exact solution (p1 = 0 gives r = 0).
    """
    p1_arr = _arr("p1", p1, lo=0.0, lo_open=False, allow_inf=False)
    zero = p1_arr == 0
    p1_, p2_, T2_ = _validate(p1=np.where(zero, 1.0, p1_arr), p2=p2, T2=T2)
    zero = np.broadcast_to(zero, p1_.shape)
    far = _far(p1_, p2_)
    near = np.where(far, 1.0, p1_), np.where(far, 1.0, p2_)  # far points: high precision below
    a, b = expansion_coefficients(near[0], near[1], T2_)
    a_max = np.max(a, axis=-1)
    T = np.where(zero, np.nan, _tcrit_from(a_max, -b))
    g_opt = np.where(zero | ~(a_max > 0), np.nan, a_max / (-2 * b))
    x2 = bath_polarization(T2_)
    for idx in zip(*np.nonzero(np.atleast_1d(far & ~zero)), strict=True):
        idx = idx[-far.ndim:] if far.ndim else ()
        T[idx], g_opt[idx] = _eq9_high_precision(float(p1_[idx]), float(p2_[idx]), float(x2[idx]), "tcrit")
    return T, g_opt


def g_window_perturbative(p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike,
                          T2: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""Interval of g > 0 where some facet of Eq. (9) exceeds 1 at heat-bath temperature T1.

    Solves :math:`|b|g^2 - a g + \lambda < 0` with :math:`\lambda = \coth(1/2T_1) - 1`. All
    facets share b, so their g > 0 intervals are nested and the union is the interval of the
    facet with the largest a (it contains the optimum :math:`a/2|b|`); the g < 0 interval is the
    mirror image.

    Args:
        p1: in (0, inf). p2: in [0, inf). T1, T2: in [0, inf].

    Returns:
        ``(g_lo, g_hi)``, or ``(nan, nan)`` where empty (T1 >= T_crit).
    """
    p1_, p2_, T1_, T2_ = _validate(p1=p1, p2=p2, T1=T1, T2=T2)
    a, b = expansion_coefficients(p1_, p2_, T2_)
    return _window(np.max(a, axis=-1), -b, _coth_minus_one(T1_))
