r"""The most magic this mechanism gives qubit 1: the spin-bath-dominated limit, solved exactly.

**Effective model.** For :math:`p_2 \to \infty` qubit 2 is reset to :math:`\tau_2` faster than
anything else happens, so it stays in :math:`\tau_2` (Bloch vector :math:`(x_2, 0, 0)`,
:math:`x_2 = \tanh(1/2T_2)`). The exchange :math:`g(|01\rangle\langle10| + |10\rangle\langle01|)
= (g/2)(XX + YY)` then acts on qubit 1 as its mean field, and qubit 1 sees

.. math::  H_\mathrm{eff} = \tfrac12 |1\rangle\langle1| + \tfrac{g x_2}{2} X
           = \mathrm{const} + \tfrac12\,\omega\cdot\sigma, \qquad \omega = (g x_2, 0, -\tfrac12),

with reset to :math:`\tau_1` (Bloch vector :math:`z_1 e_z`) at rate :math:`p_1`:
:math:`\dot r = \omega \times r - p_1 (r - z_1 e_z)`. Its unique steady state (for
:math:`p_1 > 0`) is, with :math:`G = g x_2`,

.. math::  r = \frac{z_1}{4G^2 + 4p_1^2 + 1}\,(-2G,\ -4 G p_1,\ 4p_1^2 + 1)

(``tools/magic_optimum.py`` derives it with sympy; corrections are O(1/p2), tested against the
exact two-qubit solver).

**Exact supremum of** :math:`\|r\|_1`. With :math:`a = 2|G|`, :math:`b = 2p_1`, :math:`z_1 = 1`
and :math:`v = (1, a, b)`,

.. math::  \|r\|_1 = \frac{1 + a + ab + b^2}{1 + a^2 + b^2} = \frac{v^T A v}{v^T v}, \qquad
           A = \begin{pmatrix} 1 & 1/2 & 0 \\ 1/2 & 0 & 1/2 \\ 0 & 1/2 & 1 \end{pmatrix},

a Rayleigh quotient, bounded by the largest eigenvalue of A, :math:`(1 + \sqrt3)/2`, with
eigenvector :math:`(1, \sqrt3 - 1, 1)`, which has :math:`v_0 \ne 0` and positive entries. So
:math:`\max \|r\|_1 = (1+\sqrt3)/2 = 1.36603` **exactly**, at :math:`g = (\sqrt3 - 1)/2 = 0.36603`,
:math:`p_1 = 1/2`, :math:`T_1 = T_2 = 0`. The same argument gives the pair sums (the H-type
functional): :math:`|r_x| + |r_z|` has A-block eigenvalue :math:`(1+\sqrt2)/2` at
:math:`a = \sqrt2 - 1, b = 0` (reached as :math:`p_1 \to 0^+`), :math:`|r_y| + |r_z|` the same
value with :math:`v_0 = 0` (reached as :math:`g, p_1 \to \infty` with
:math:`p_1/g = 1 + \sqrt2`), :math:`|r_x| + |r_y| \le 1/\sqrt2`: so
:math:`\sup \max_{i<j}(|r_i| + |r_j|) = (1+\sqrt2)/2 = 1.20711`, not attained.

What is proven and what is numerical: the effective-model optimum above is exact. That it is
the supremum over the *full* two-qubit model (all g, p1, p2, T1, T2) is numerical: r scales
with :math:`z_1 \le 1` exactly, and unconstrained optimization of the exact solver drives
:math:`p_2 \to \infty` and reaches :math:`(1+\sqrt3)/2` (``docs/magic.md``).

**Bounded coupling.** For fixed :math:`a`, :math:`\partial_b \|r\|_1 = 0` gives
:math:`b^*(a) = a - 1 + \sqrt{2 - 2a + 2a^2}`; for :math:`|g| \le g_\mathrm{max} < (\sqrt3-1)/2`
the effective optimum sits at :math:`|g| = g_\mathrm{max}` (numerically: the profile
:math:`\max_b \|r\|_1` increases on :math:`0 < a < \sqrt3 - 1`, tested on a dense grid).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, real_array, real_number

__all__ = [
    "SUP_L1",
    "G_OPT",
    "P1_OPT",
    "SUP_PAIR",
    "effective_bloch",
    "effective_l1",
    "optimal_p1",
    "best_l1_bounded",
]

FloatArray = npt.NDArray[Any]

#: Exact supremum of ||r||_1 of qubit 1 in the p2 -> inf limit: (1 + sqrt 3)/2.
SUP_L1 = 0.5 * (1.0 + math.sqrt(3.0))
#: Coupling of the optimum, (sqrt 3 - 1)/2.
G_OPT = 0.5 * (math.sqrt(3.0) - 1.0)
#: Heat-bath reset rate of the optimum.
P1_OPT = 0.5
#: Supremum (not attained) of the H-type functional ``max_{i<j} |r_i| + |r_j|``: (1 + sqrt 2)/2.
SUP_PAIR = 0.5 * (1.0 + math.sqrt(2.0))


def _polarization(name: str, T: FloatArray) -> FloatArray:
    if np.any(np.isnan(T) | (T < 0)):
        raise InputError(f"{name} must be a number in [0, +inf]; got a value below 0 or nan")
    with np.errstate(divide="ignore", over="ignore"):
        return np.tanh(np.where(T > 0, 0.5 / np.where(T > 0, T, 1.0), np.inf))


def effective_bloch(
    g: npt.ArrayLike, p1: npt.ArrayLike, T1: npt.ArrayLike = 0.0, T2: npt.ArrayLike = 0.0
) -> FloatArray:
    r"""Qubit 1's steady Bloch vector in the p2 -> inf limit, shape ``(..., 3)``.

    .. math:: r = \frac{z_1}{4G^2 + 4p_1^2 + 1}(-2G, -4Gp_1, 4p_1^2 + 1), \quad G = g\tanh(1/2T_2),
              \ z_1 = \tanh(1/2T_1).

    Args:
        g: exchange coupling (finite).
        p1: heat-bath reset rate, finite and > 0 (at 0 the steady state is not unique).
        T1, T2: bath temperatures in [0, inf].
    """
    g_a, p_a = real_array("g", g), real_array("p1", p1)
    if not np.all(np.isfinite(g_a)):
        raise InputError("g must be a finite real number")
    if np.any(~np.isfinite(p_a) | ~(p_a > 0)):
        raise InputError("p1 must be a finite number in (0, +inf) (the p2 -> inf limit needs p1 > 0)")
    z1 = _polarization("T1", real_array("T1", T1))
    G = g_a * _polarization("T2", real_array("T2", T2))
    den = 4.0 * G**2 + 4.0 * p_a**2 + 1.0
    r = np.stack(np.broadcast_arrays(-2.0 * G, -4.0 * G * p_a, 4.0 * p_a**2 + 1.0), axis=-1)
    return (z1 / den)[..., None] * r


def effective_l1(g: npt.ArrayLike, p1: npt.ArrayLike) -> FloatArray:
    r""":math:`\|r\|_1 = (2|g| + 4|g|p_1 + 4p_1^2 + 1)/(4g^2 + 4p_1^2 + 1)` at T1 = T2 = 0, p2 -> inf."""
    return np.abs(effective_bloch(g, p1)).sum(axis=-1)


def optimal_p1(g: npt.ArrayLike) -> FloatArray:
    r"""Reset rate maximizing :func:`effective_l1` at fixed g.

    :math:`p_1^* = b^*/2` with :math:`b^* = a - 1 + \sqrt{2 - 2a + 2a^2}`, :math:`a = 2|g|` (the
    positive root of the numerator of :math:`\partial_b \|r\|_1`).
    """
    a = 2.0 * np.abs(real_array("g", g))
    return 0.5 * (a - 1.0 + np.sqrt(2.0 - 2.0 * a + 2.0 * a * a))


def best_l1_bounded(g_max: float) -> tuple[float, float, float]:
    r"""Largest ||r||_1 of the effective model with :math:`|g| \le g_\mathrm{max}`: ``(value, g, p1)``.

    For :math:`g_\mathrm{max} \ge` :data:`G_OPT` this is the global optimum; below, the optimum
    is at :math:`|g| = g_\mathrm{max}`, :math:`p_1 =` :func:`optimal_p1`.
    """
    g_max = real_number("g_max", g_max, lo=0.0, lo_open=True)
    if g_max >= G_OPT:
        return SUP_L1, G_OPT, P1_OPT
    p1 = float(optimal_p1(g_max))
    return float(effective_l1(g_max, p1)), g_max, p1
