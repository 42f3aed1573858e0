r"""Closed-form steady state of the two-qubit reset model (both reduced Bloch vectors).

With :math:`\gamma = p_1 + p_2` and the complex "dressed resolvent" denominators

.. math::  D_1 = (p_1 + \tfrac i2)(\gamma + \tfrac i2) + g^2, \qquad
           D_2 = (p_2 + \tfrac i2)(\gamma + \tfrac i2) + g^2,

the steady state is (derived and checked symbolically by ``tools/derive_closed_form.py``,
formulas in ``docs/closed-form.md``)

.. math::
    s_x + i s_y &= x_2\, p_2\,(\gamma + \tfrac i2)/D_2, \\
    r_z &= z_1 p_1 \frac{(2g^2 + p_2\gamma)|D_1 D_2|^2 - g^2 p_2^3 x_2^2\,
            \mathrm{Re}[(\gamma + \tfrac i2)\overline{D_1 D_2}]}
           {\gamma(2g^2 + p_1 p_2)|D_1 D_2|^2 + g^2 p_2^3 x_2^2\,\mathrm{Re}D_1\,|D_2|^2}, \\
    r_x + i r_y &= -i g p_1 p_2 x_2 z_1\,
            \frac{(\gamma + \tfrac i2) + \hat r\, D_2}{D_1 D_2}, \qquad \hat r = r_z/(z_1 p_1), \\
    s_z &= p_1 (z_1 - r_z)/p_2 \quad\text{(total excitation balance, evaluated without the division)}.

So qubit 1's Bloch vector is :math:`z_1` times a function of :math:`(g, p_1, p_2, x_2^2)`
(odd in :math:`x_2` for the transverse part, even for :math:`r_z`), and qubit 2's transverse
part does not depend on :math:`T_1` at all.

Accuracy. Every quantity is a sum of products whose only subtractions are benign (the gap
product :math:`g^2 - 1/4 = (g - 1/2)(g + 1/2)` is formed exactly enough by Sterbenz' lemma near
:math:`g = 1/2`). Against a 250-digit evaluation on 8000 log-uniform points with
:math:`|g|, p_1, p_2 \in [10^{-40}, 10^{15}]` (plus zeros, :math:`g \approx 1/2`, :math:`x_2 = 1`)
the largest error of any Bloch component is 4.5e-16 and the normwise relative error of r is
below 7e-16. Individual *tiny* transverse components (below ~1e-20 in absolute value, e.g.
:math:`r_y` at :math:`g \to 1/2` with :math:`p_2 \to 0`) can carry relative errors up to
~1e-4, because their numerators are differences; their absolute error stays at rounding.
Outside :data:`ACCURATE_MIN` .. :data:`ACCURATE_MAX` the degree-11 products can underflow or
overflow: :func:`closed_form_is_accurate` is the guard for a fast path.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_bytes, real_array
from .operators import FloatArray, bath_polarization, validate_params

__all__ = [
    "ACCURATE_MIN",
    "ACCURATE_MAX",
    "ABS_ERROR_BOUND",
    "CHUNK_POINTS",
    "MAX_OUTPUT_BYTES",
    "closed_form_is_accurate",
    "steady_local_closed",
    "steady_bloch_closed",
]

#: Smallest nonzero ``|g|``, p1, p2 for which the kernel is certified (below it products of up to
#: eleven such factors underflow; measured accurate down to 1e-40, this keeps a margin).
ACCURATE_MIN = 1e-30
#: Largest ``|g|``, p1, p2 for which the kernel is certified (the denominator grows like the 11th
#: power of the largest scale and overflows near 1e28; measured accurate to 1e15).
ACCURATE_MAX = 1e12
#: Largest absolute error of a Bloch component inside that domain: 4.5e-16 measured, rounded
#: up by a factor ~2 for the points not sampled.
ABS_ERROR_BOUND = 1e-15
#: Points evaluated per block: 16 working arrays of this many float64 stay in L2 cache.
CHUNK_POINTS = 2**13
#: Largest output one call of :func:`steady_bloch_closed` builds.
MAX_OUTPUT_BYTES = 4 * 2**30


def closed_form_is_accurate(g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where :func:`steady_local_closed` is within :data:`ABS_ERROR_BOUND` of the exact state.

    That is where every nonzero one of ``|g|``, p1, p2 lies in [ACCURATE_MIN, ACCURATE_MAX] and the
    point has a unique steady state (p1 + p2 > 0, and g != 0 unless both rates are positive).
    """
    g_, p1_, p2_ = (np.abs(np.asarray(a, dtype=float)) for a in (g, p1, p2))
    ok = np.ones(np.broadcast_shapes(g_.shape, p1_.shape, p2_.shape), dtype=bool)
    for a in (g_, p1_, p2_):
        ok &= (a == 0) | ((a >= ACCURATE_MIN) & (a <= ACCURATE_MAX))
    ok &= (p1_ > 0) | (p2_ > 0)
    ok &= (g_ != 0) | ((p1_ > 0) & (p2_ > 0))
    return ok


def _block(g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray,
           out: FloatArray) -> None:
    """Closed form on one block of flat float64 arrays, written into ``out`` (n, 6) = (r, s).

    Each common subexpression is formed once, in place where it is last used.
    """
    mul, add, sub, div = np.multiply, np.add, np.subtract, np.divide
    gam = p1 + p2
    g2 = g * g
    q = g - 0.5
    mul(q, g + 0.5, out=q)                      # g^2 - 1/4
    d1r = p1 * gam
    add(d1r, q, out=d1r)                        # Re D1
    d1i = gam + p1
    mul(d1i, 0.5, out=d1i)                      # Im D1
    d2r = p2 * gam
    add(d2r, q, out=d2r)                        # Re D2
    d2i = gam + p2
    mul(d2i, 0.5, out=d2i)                      # Im D2
    pr = d1r * d2r
    t = d1i * d2i
    sub(pr, t, out=pr)                          # Re D1 D2
    pi = d1r * d2i
    mul(d1i, d2r, out=t)
    add(pi, t, out=pi)                          # Im D1 D2
    n1 = d1r * d1r
    mul(d1i, d1i, out=t)
    add(n1, t, out=n1)                          # |D1|^2
    n2 = d2r * d2r
    mul(d2i, d2i, out=t)
    add(n2, t, out=n2)                          # |D2|^2
    nn = n1 * n2                                # |D1 D2|^2
    x22 = x2 * x2
    y = p2 * p2
    mul(y, p2, out=y)
    mul(y, g2, out=y)
    mul(y, x22, out=y)                          # g^2 p2^3 x2^2
    c = gam * pr
    mul(pi, 0.5, out=t)
    add(c, t, out=c)                            # Re[(gam + i/2) conj(D1 D2)]
    num = p2 * gam
    add(num, g2, out=num)
    add(num, g2, out=num)                       # 2 g^2 + p2 gam
    mul(num, nn, out=num)
    mul(y, c, out=t)
    sub(num, t, out=num)                        # numerator of r_hat
    den = p1 * p2
    add(den, g2, out=den)
    add(den, g2, out=den)
    mul(den, gam, out=den)
    mul(den, nn, out=den)
    mul(y, d1r, out=t)
    mul(t, n2, out=t)
    add(den, t, out=den)                        # denominator of r_hat (> 0)
    # s_z = p1 z1 g^2 (2 |D1 D2|^2 + p2^2 x2^2 (Re D1 |D2|^2 + p1 c)) / den
    sz = out[:, 5]
    mul(p1, c, out=t)
    mul(d1r, n2, out=sz)
    add(sz, t, out=sz)
    mul(p2, p2, out=t)
    mul(t, x22, out=t)
    mul(sz, t, out=sz)
    add(sz, nn, out=sz)
    add(sz, nn, out=sz)
    mul(sz, g2, out=sz)
    mul(p1, z1, out=t)
    mul(sz, t, out=sz)
    div(sz, den, out=sz)
    rh = num
    div(num, den, out=rh)                       # r_hat = r_z / (z1 p1)
    mul(rh, t, out=out[:, 2])                   # r_z
    # qubit 2 transverse: x2 p2 (gam + i/2) conj(D2) / |D2|^2
    k2 = x2 * p2
    div(k2, n2, out=k2)
    mul(gam, gam, out=t)
    add(t, 0.25, out=t)
    mul(t, p2, out=t)
    mul(gam, g2, out=x22)                       # x22 is no longer needed
    add(t, x22, out=t)
    mul(t, k2, out=out[:, 3])                   # s_x = k2 (p2 (gam^2 + 1/4) + gam g^2)
    mul(d2i, gam, out=t)
    mul(d2r, 0.5, out=x22)
    sub(x22, t, out=x22)
    mul(x22, k2, out=out[:, 4])                 # s_y = k2 (Re D2 / 2 - gam Im D2)
    # qubit 1 transverse: -i K (cr + i ci) conj(D1 D2) / |D1 D2|^2, K = g p1 p2 x2 z1
    cr = d2r
    mul(d2r, rh, out=cr)
    add(cr, gam, out=cr)
    ci = d2i
    mul(d2i, rh, out=ci)
    add(ci, 0.5, out=ci)
    k1 = g * p1
    mul(k1, p2, out=k1)
    mul(k1, x2, out=k1)
    mul(k1, z1, out=k1)
    div(k1, nn, out=k1)
    mul(ci, pr, out=t)
    mul(cr, pi, out=x22)
    sub(t, x22, out=t)
    mul(t, k1, out=out[:, 0])                   # r_x
    mul(cr, pr, out=t)
    mul(ci, pi, out=x22)
    add(t, x22, out=t)
    mul(t, k1, out=t)
    np.negative(t, out=out[:, 1])               # r_y


def steady_local_closed(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray,
    out: FloatArray | None = None,
) -> FloatArray:
    """Raw kernel: Bloch vectors (r, s) of both qubits, shape (n, 6), from flat float64 arrays.

    No validation: the inputs are 1-d float64 arrays of equal length with a unique steady state,
    z1 = tanh(1/2T1) and x2 = tanh(1/2T2) (see :func:`closed_form_is_accurate` for where the
    result is certified). ``out`` (n, 6) float64, C-contiguous, may be given to avoid the
    allocation. Works block by block (:data:`CHUNK_POINTS`), so the working memory is bounded.
    """
    n = g.shape[0]
    if out is None:
        out = np.empty((n, 6))
    buf = np.empty((CHUNK_POINTS, 6))
    with np.errstate(all="ignore"):
        for i0 in range(0, n, CHUNK_POINTS):
            i1 = min(i0 + CHUNK_POINTS, n)
            view = buf[: i1 - i0]
            _block(g[i0:i1], p1[i0:i1], p2[i0:i1], z1[i0:i1], x2[i0:i1], view)
            out[i0:i1] = view
    return out


_NAMES = ("g", "p1", "p2", "T1", "T2")


def steady_bloch_closed(
    g: npt.ArrayLike, p1: npt.ArrayLike, p2: npt.ArrayLike, T1: npt.ArrayLike, T2: npt.ArrayLike,
    *, both: bool = False,
) -> FloatArray:
    """Qubit 1's steady Bloch vector (..., 3) in closed form; (..., 6) = (r, s) with ``both``.

    Arguments broadcast as in :func:`qc_reset.model.steady.steady_bloch`. The closed form is
    evaluated everywhere; it is certified to :data:`ABS_ERROR_BOUND` where
    :func:`closed_form_is_accurate` holds.

    Raises:
        InputError: for parameters outside their ranges (naming the parameter), for points
            without a unique steady state (g = 0 with p1 = 0 or p2 = 0), or for an output
            above :data:`MAX_OUTPUT_BYTES`.
    """
    arrays = [real_array(name, value) for name, value in zip(_NAMES, (g, p1, p2, T1, T2), strict=True)]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as exc:
        raise InputError(f"g, p1, p2, T1, T2 must broadcast to a common shape: {exc}") from None
    width = 6 if both else 3
    n = math.prod(shape)
    check_bytes(f"steady_bloch_closed of shape {shape}", 8.0 * n * width, MAX_OUTPUT_BYTES,
                "split the parameter grid into several calls")
    gv, p1v, p2v, T1v, T2v = validate_params(*arrays)
    gv, p1v, p2v = (a.reshape(-1) for a in (gv, p1v, p2v))
    bad = (gv == 0) & ((p1v == 0) | (p2v == 0))
    if np.any(bad):
        which = "p1" if p1v[np.argmax(bad)] == 0 else "p2"
        raise InputError(f"no unique steady state at g = 0 with {which} = 0 (need g != 0, or p1 > 0 and p2 > 0)")
    z1 = bath_polarization(T1v).reshape(-1)
    x2 = bath_polarization(T2v).reshape(-1)
    u = steady_local_closed(gv, p1v, p2v, z1, x2)
    return (u if both else np.ascontiguousarray(u[:, :3])).reshape(*shape, width)
