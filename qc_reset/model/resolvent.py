r"""Fast batched steady state through the Hamiltonian resolvent (6x6 systems instead of 16x16).

Internal to :mod:`qc_reset.model`: callers use :mod:`qc_reset.model.steady`, which validates the
inputs. This module is one concept: one linear system, built from coefficient tables computed
at import, solved in double precision with a per-point error bound, and the same system solved
again in high precision where that bound is too large. The double and high-precision solves
read the same private tables (gaps, coefficients, term lists), which is why they live together.

Setting the right-hand side of the master equation to zero and moving the loss terms
:math:`-(p_1+p_2)\rho` to the left gives, with :math:`\gamma = p_1 + p_2 > 0`,

.. math::  \rho = \mathcal R(S), \qquad
           \mathcal R = (\gamma + i[H,\cdot\,])^{-1}, \qquad
           S = p_1\,\tau_1\otimes\rho_2 + p_2\,\rho_1\otimes\tau_2,

where :math:`\rho_{1,2}` are the (unknown) reduced states. The eigenvectors of H do not depend
on g (``|00>, (|01> -+ |10>)/sqrt2, |11>`` with energies 0, 1/2 -+ g, 1), so in that fixed basis
:math:`\mathcal R` divides element (a, b) by :math:`\gamma + i(E_a - E_b)`. Taking the partial
traces of :math:`\rho = \mathcal R(S)` gives a closed *6x6 real* linear system for the two
Bloch vectors (r, s); :math:`\rho` then follows from one elementwise division.

Every entry of the 6x6 system is a fixed linear combination of nine functions of
:math:`(g, \gamma)`: :math:`1/\gamma`, :math:`\gamma/(\gamma^2+\Delta^2)` and
:math:`\Delta/(\gamma^2+\Delta^2)` for the four nonzero gaps
:math:`\Delta \in \{1/2-g,\ 1/2+g,\ 1,\ 2g\}`. The combination coefficients are computed once
at import from the Pauli matrices, so nothing here is typed in by hand. This path is exact (no
truncation); ``tests/test_exact.py`` checks it against the null space of the 16x16 Liouvillian
built independently in :mod:`qc_reset.model`, ``tests/test_exact_extremes.py`` against an
mpmath solve at the corners of the domain.

Accuracy where the system is ill-conditioned. The system is solved in scaled form, with
:math:`w_i = p_i/\gamma` and :math:`t = \Delta/\gamma` only (no overflow for any finite
input), and written so that the cancellations that used to destroy it happen exactly:

* a function :math:`1/(1+t^2)` close to 1 is written :math:`1 - t^2/(1+t^2)`, and its 1 joins
  exact constant tables that cancel against the identity, so :math:`1 - p_2/\gamma` is
  :math:`p_1/\gamma` to full relative precision (small p1) and :math:`(g/\gamma)^2` survives
  next to 1 (the gap :math:`g^2/p_1` at p2 = 0);
* the gaps :math:`1/2 \mp g` enter through their mean and their half difference, the latter
  in closed form (it is proportional to g and would otherwise be lost at small g).

Each point then carries Skeel's first-order error bound
:math:`\epsilon\,|A^{-1}|(|A||u| + |b|)`, with :math:`|A|` the magnitudes of the terms each
entry is summed from (plus the smallest normal number, for underflow). Points whose bound
exceeds :data:`TRUST_BOUND` are solved again in high precision (mpmath, exact inputs and
coefficients, increasing digits until two precisions agree) -- none on 2e5 log-uniform points
with rates and couplings in [1e-12, 1e3], but the far corners (rate ratios beyond ~1e-290,
subnormal weights). At p2 = 0 (g != 0) the exact answer tau1 (x) tau1 is returned directly.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .._checks import InputError
from .operators import PAULI, ComplexArray, FloatArray

__all__ = ["steady_local", "steady_rho"]

_S2 = 1.0 / np.sqrt(2.0)
# Columns: eigenvectors of H (qubit 1 first), energies 0, 1/2 - g, 1/2 + g, 1.
_W = np.array([[1, 0, 0, 0], [0, _S2, _S2, 0], [0, -_S2, _S2, 0], [0, 0, 0, 1]], dtype=float)
_E_CONST = np.array([0.0, 0.5, 0.5, 1.0])
_E_G = np.array([0.0, -1.0, 1.0, 0.0])
# The four nonzero gaps Delta = alpha + beta g (up to sign), as (alpha, beta).
_GAPS = ((0.5, -1.0), (0.5, 1.0), (1.0, 0.0), (0.0, 2.0))


def _classify_pairs() -> tuple[np.ndarray, np.ndarray]:
    """For each eigen-pair (a, b): which gap class (-1 for zero) and the sign of E_a - E_b."""
    cls = np.full((4, 4), -1, dtype=int)
    sign = np.zeros((4, 4))
    for a in range(4):
        for b in range(4):
            alpha, beta = _E_CONST[a] - _E_CONST[b], _E_G[a] - _E_G[b]
            if alpha == 0 and beta == 0:
                continue
            for m, (al, be) in enumerate(_GAPS):
                if (alpha, beta) == (al, be):
                    cls[a, b], sign[a, b] = m, 1.0
                elif (alpha, beta) == (-al, -be):
                    cls[a, b], sign[a, b] = m, -1.0
            if cls[a, b] < 0:
                raise AssertionError("unclassified energy gap")  # pragma: no cover
    return cls, sign


_CLASS, _SIGN = _classify_pairs()
_PT = np.array([_W.T @ np.kron(PAULI[a], PAULI[b]) @ _W for a in range(4) for b in range(4)])
_LOCAL = (4, 8, 12, 1, 2, 3)  # XI, YI, ZI, IX, IY, IZ  (index 4a + b)


def _phi_coefficients(outputs: tuple[int, ...], inputs: tuple[int, ...]) -> FloatArray:
    r"""C[o, i, m] with Re Tr(P_o R(P_i))/4 = sum_m C[o, i, m] phi_m(g, gamma).

    phi = (1/gamma, gamma/(gamma^2 + D_m^2) for m < 4, D_m/(gamma^2 + D_m^2) for m < 4).
    """
    C = np.zeros((len(outputs), len(inputs), 9))
    for io, o in enumerate(outputs):
        for ii, i in enumerate(inputs):
            T = 0.25 * _PT[o].T * _PT[i]  # T_ab = Q~_ba P~_ab / 4 ; Tr(Q R(P))/4 = sum T_ab D_ab
            for a in range(4):
                for b in range(4):
                    m = _CLASS[a, b]
                    if m < 0:
                        C[io, ii, 0] += T[a, b].real
                    else:  # Re D = gamma/(..), Im D = -sign Delta/(..)
                        C[io, ii, 1 + m] += T[a, b].real
                        C[io, ii, 5 + m] += _SIGN[a, b] * T[a, b].imag
    return C


def _idx(a: int, b: int) -> int:
    return 4 * a + b


# Inputs of the self-consistency equations, grouped as they enter S (k = x, y, z -> 1, 2, 3).
_IN_KI = tuple(_idx(k, 0) for k in (1, 2, 3))
_IN_KX = tuple(_idx(k, 1) for k in (1, 2, 3))
_IN_IK = tuple(_idx(0, k) for k in (1, 2, 3))
_IN_ZK = tuple(_idx(3, k) for k in (1, 2, 3))
_INPUTS = _IN_KI + _IN_KX + _IN_IK + _IN_ZK + (_idx(3, 0), _idx(0, 1))
# The coefficients are multiples of 1/2; snapping them removes the rounding of the 1/sqrt2
# products, so that the constant parts below cancel exactly (see _TABLES).
_C = np.round(8.0 * _phi_coefficients(_LOCAL, _INPUTS).reshape(6 * len(_INPUTS), 9).T) / 8.0
_N_IN = len(_INPUTS)

#: Componentwise error bound (in units of the Bloch components, which are at most 1) above
#: which the double-precision solve of a point is not trusted and the point is solved again in
#: high precision. 1e-13 keeps every returned state positive semidefinite to 1e-12.
TRUST_BOUND = 1e-13
#: High-precision working digits: :data:`HP_BASE_DIGITS` plus :data:`HP_DIGITS_PER_DECADE`
#: per decade spanned by the inputs (g, p1, p2, p1 + p2 and the gaps 1/2 -+ g, all within
#: 10^+-L). Two precisions agreeing is not enough on its own: both can drop the same tiny term
#: (1 + 1e-210 is 1 at 100 digits), so the digits must exceed the scales of the problem; the
#: slowest relaxation relative to the fastest (e.g. g^2/p1 against p1) is at worst about
#: 10^-4L. The result must agree with a solve at twice the digits to :data:`HP_AGREE`.
HP_BASE_DIGITS = 30
HP_DIGITS_PER_DECADE = 5
HP_AGREE = 1e-15
#: Most points one call solves in high precision (each takes a few milliseconds).
MAX_HP_POINTS = 2000
_EPS = np.finfo(float).eps
_TINY = float(np.finfo(float).tiny) / _EPS  # per-entry underflow error, in units of eps (below)
# Backward error of forming one entry (a sum of up to 13 rounded terms) and of LU on 6x6, in eps.
_ERROR_FACTOR = 32.0


def _tables() -> tuple[FloatArray, ...]:
    r"""Constant parts of the 6x6 system for each choice of representation of the four gaps.

    With :math:`t = \Delta/\gamma`, the function :math:`a = 1/(1+t^2)` is close to 1 when
    :math:`|t| < 1` and is then written as :math:`1 - c` with :math:`c = t^2/(1+t^2)`: its
    constant 1 joins the other constants and cancels against the identity *exactly*, so small
    rates (1 - p2/gamma = p1/gamma) and small gaps (g^2/p1 at p2 = 0) are not lost to rounding.
    Bit m of the table index says that gap m uses the 1 - c form.
    """
    C = _C.reshape(9, 6, _N_IN)
    k = np.empty((16, 6, _N_IN))
    for code in range(16):
        k[code] = C[0] + sum(C[1 + m] for m in range(4) if code >> m & 1)
    eye_r = np.zeros((6, 3))
    eye_r[:3] = np.eye(3)
    eye_s = np.zeros((6, 3))
    eye_s[3:] = np.eye(3)
    # Columns for r (scaled by w2) and for s (scaled by w1): identity minus constants, exactly.
    return eye_r - k[:, :, 0:3], k[:, :, 3:6], eye_s - k[:, :, 6:9], k[:, :, 9:12], k[:, :, 12], k[:, :, 13]


_KR, _KRX, _KS, _KSZ, _KB1, _KB2 = _tables()
_EYE_R = np.eye(6)[:, :3]
_EYE_S = np.eye(6)[:, 3:]


def _weights(p1: FloatArray, p2: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """w1 = p1/gamma, w2 = p2/gamma and 1/gamma scaled by max(p1, p2), free of overflow."""
    m = np.maximum(p1, p2)
    q1, q2 = p1 / m, p2 / m
    s = q1 + q2  # in [1, 2]
    return q1 / s, q2 / s, m * (0.5 * s)


def _gap_ratios(g: FloatArray, half_gamma: FloatArray) -> FloatArray:
    """t_m = Delta_m / gamma for the four gaps, shape (4, n); huge ratios become inf, never NaN."""
    t = np.empty((4, g.size))
    with np.errstate(over="ignore"):
        for m, (al, be) in enumerate(_GAPS):
            # (Delta/2) / (gamma/2) keeps Delta/2 finite for any finite g; Delta = 0 gives 0.
            num = 0.5 * al + (0.5 * be) * g
            t[m] = np.where(num == 0, 0.0, num / np.where(half_gamma > 0, half_gamma, 1.0))
            t[m] = np.where((half_gamma == 0) & (num != 0), np.copysign(np.inf, num), t[m])
    return t


def _gap_functions(t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """a = 1/(1+t^2), b = t/(1+t^2), c = t^2/(1+t^2) and the mask |t| < 1, without overflow."""
    small = np.abs(t) < 1.0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        a_small = 1.0 / (1.0 + t * t)
        b_large = 1.0 / (t + 1.0 / t)  # |t| = inf gives 0
        b = np.where(small, t * a_small, b_large)
        a = np.where(small, a_small, b_large / np.where(small, 1.0, t))
        c = np.where(small, t * b, 1.0 - a)
    return a, b, c, small


def _pair_basis() -> FloatArray:
    """Coefficients (8, 6*14) of the variable functions in the basis used by :func:`_system`.

    The gaps 1/2 - g and 1/2 + g enter through their mean and half difference: at small g the
    two functions nearly cancel, and their difference (proportional to g) is computed in closed
    form instead of by subtraction. The other two gaps keep their own functions.
    """
    C = _C[1:]
    return np.stack([C[0] + C[1], C[1] - C[0], C[2], C[3], C[4] + C[5], C[5] - C[4], C[6], C[7]])


_CV = _pair_basis()


def _slots() -> dict[str, tuple[npt.NDArray[np.intp], FloatArray]]:
    """For each group of entries of the system: which variable function and which coefficient.

    Every entry depends on at most one of the eight variable functions (checked here), so the
    product with :data:`_CV` is a selection; index 8 is a zero function for entries with none.
    """
    cv = _CV.reshape(8, 6, _N_IN)
    groups = {"r": (slice(0, 3), 6), "rx": (slice(3, 6), 6), "s": (slice(6, 9), 6),
              "sz": (slice(9, 12), 6), "b1": (slice(12, 13), 1), "b2": (slice(13, 14), 1)}
    out = {}
    for name, (cols, _) in groups.items():
        block = cv[:, :, cols].reshape(8, -1)  # entries (o, j) in row-major order
        if np.any(np.count_nonzero(block, axis=0) > 1):
            raise AssertionError("an entry depends on several variable functions")  # pragma: no cover
        idx = np.where(np.any(block != 0, axis=0), np.argmax(np.abs(block), axis=0), 8)
        coef = np.where(idx < 8, block[np.minimum(idx, 7), np.arange(block.shape[1])], 0.0)
        out[name] = (idx, coef[:, None])
    return out


_SLOTS = _slots()


def _active() -> dict[str, npt.NDArray[np.intp]]:
    """Entries of the r and s column blocks that are not zero for every parameter point."""
    out = {}
    for v, vx, k, kx, eye in (("r", "rx", "_KR", "_KRX", "_EYE_R"), ("s", "sz", "_KS", "_KSZ", "_EYE_S")):
        nz = (_SLOTS[v][0] < 8) | (_SLOTS[vx][0] < 8) | (globals()[eye].reshape(-1) != 0)
        nz |= np.any(globals()[k].reshape(16, -1) != 0, axis=0) | np.any(globals()[kx].reshape(16, -1) != 0, axis=0)
        out[v] = np.flatnonzero(nz)
    return out


_ACTIVE = _active()


def _variable_functions(t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Functions (8, n) multiplying :data:`_CV`, their representation mask (4, n), their sizes.

    Gap m uses c = 1 - a (its constant moved to the exact tables) where the mask is set; the
    pair (1/2 -+ g) shares one mask so that its half difference is that of a or of c alike.
    """
    a, b, c, small = _gap_functions(t)
    pair = small[0] & small[1]
    small = np.stack([pair, pair, small[2], small[3]])
    v = np.where(small, -c, a)
    with np.errstate(over="ignore", invalid="ignore"):
        # a(t1) - a(t0) = -(t1 - t0)(t1 + t0) a0 a1 with t1 - t0 = t_2g and t1 + t0 = t_1.
        da = -(t[3] * a[0]) * (t[2] * a[1])
        # b(t1) -+ b(t0) = (t1 -+ t0)(1 +- t0 t1) a0 a1 = (t1 -+ t0)(a0 a1 +- b0 b1): the sum
        # too, since at g >> 1/2 the two nearly cancel and leave t_1 = 1/gamma.
        ab, bb = a[0] * a[1], b[0] * b[1]
        db = t[3] * (ab - bb)
        sb = t[2] * (ab + bb)
        db_size = np.abs(t[3]) * (ab + np.abs(bb))
        sb_size = np.abs(t[2]) * (ab + np.abs(bb))
    fallback = ~(np.isfinite(db) & np.isfinite(sb))
    da = np.where(np.isfinite(da), da, a[1] - a[0])
    db = np.where(fallback, b[1] - b[0], db)
    sb = np.where(fallback, b[0] + b[1], sb)
    db_size = np.where(fallback, np.abs(b[0]) + np.abs(b[1]), db_size)
    sb_size = np.where(fallback, np.abs(b[0]) + np.abs(b[1]), sb_size)
    # -c1 + c0 = a1 - a0 too, so the half difference does not depend on the mask.
    funcs = np.stack([0.5 * (v[0] + v[1]), 0.5 * da, v[2], v[3], 0.5 * sb, 0.5 * db, b[2], b[3]])
    # Magnitudes bounding each function's rounding (the value itself, except where a sum of
    # terms of both signs was formed).
    sizes = np.abs(funcs)
    sizes[4], sizes[5] = 0.5 * sb_size, 0.5 * db_size
    return funcs, small, sizes


def _system(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The 6x6 system A u = b in scaled form, and entrywise magnitudes bounding its rounding.

    Entries are computed as (entry, point) arrays: the r columns are
    w1 delta + w2 [(K - x2 K') - (V + x2 V')] with exact constants K, K' (see :func:`_tables`),
    the s columns the same with (w1, w2, x2) -> (w2, w1, z1). z1, x2 >= 0.
    """
    w1, w2, half_gamma = _weights(p1, p2)
    funcs, small, sizes = _variable_functions(_gap_ratios(g, half_gamma))
    code = (small * (1 << np.arange(4))[:, None]).sum(axis=0)
    funcs = np.concatenate([funcs, np.zeros((1, g.size))])
    sizes = np.concatenate([sizes, np.zeros((1, g.size))])

    def var(name: str, active: npt.NDArray[np.intp]) -> FloatArray:
        idx, coef = _SLOTS[name]
        return funcs[idx[active]] * coef[active]

    def size(name: str, active: npt.NDArray[np.intp]) -> FloatArray:
        idx, coef = _SLOTS[name]
        return sizes[idx[active]] * np.abs(coef[active])

    n = g.size
    A: FloatArray = np.zeros((36, n))
    A_abs: FloatArray = np.zeros((36, n))
    for k, kx, v, vx, y, w_id, w, eye, cols in (
        (_KR, _KRX, "r", "rx", x2, w1, w2, _EYE_R, slice(0, 3)),
        (_KS, _KSZ, "s", "sz", z1, w2, w1, _EYE_S, slice(3, 6)),
    ):
        act = _ACTIVE[v]
        e = eye.reshape(-1)[act, None]
        K, KX = k.reshape(16, -1).T[act][:, code], kx.reshape(16, -1).T[act][:, code]
        V, VX = var(v, act), var(vx, act)
        rows = np.arange(36).reshape(6, 6)[:, cols].reshape(-1)[act]
        A[rows] = e * w_id + w * ((K - y * KX) - (V + y * VX))
        A_abs[rows] = e * w_id + w * ((np.abs(K) + y * np.abs(KX)) + (size(v, act) + y * size(vx, act)))
    every = np.arange(6)
    K1, K2 = _KB1.T[:, code], _KB2.T[:, code]
    V1, V2 = var("b1", every), var("b2", every)
    c1, c2 = w1 * z1, w2 * x2
    rhs = c1 * (K1 + V1) + c2 * (K2 + V2)
    rhs_abs = c1 * (np.abs(K1) + size("b1", every)) + c2 * (np.abs(K2) + size("b2", every))
    A = A.T.reshape(n, 6, 6)
    A_abs = A_abs.T.reshape(n, 6, 6)
    return np.ascontiguousarray(A), rhs.T, A_abs, rhs_abs.T


def _solve_double(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Solution u (n, 6) in double precision and a first-order componentwise error bound (n,).

    The bound is Skeel's: |du| <~ eps |A^-1| (|A| |u| + |b|), with |A| and |b| the magnitudes of
    the terms each entry is summed from, so it covers the rounding of forming the system as well
    as of solving it. NaN (a singular or overflowing point) counts as untrusted.
    """
    A, rhs, A_abs, rhs_abs = _system(g, p1, p2, z1, x2)
    # Terms that underflowed carry an absolute error up to the smallest normal number; rows are
    # then scaled by powers of 2 (exact, and the bound is invariant under it) so that tiny rows
    # neither lose the inverse to overflow nor hide that error.
    A_abs = A_abs + _TINY
    rhs_abs = rhs_abs + _TINY
    _, expo = np.frexp(np.maximum(A_abs.max(axis=2), rhs_abs))
    scale = np.ldexp(1.0, -expo)
    A, rhs = A * scale[:, :, None], rhs * scale
    A_abs, rhs_abs = A_abs * scale[:, :, None], rhs_abs * scale
    n = g.size
    rhs_eye = np.concatenate([rhs[:, :, None], np.broadcast_to(np.eye(6), (n, 6, 6))], axis=2)
    with np.errstate(all="ignore"):
        try:
            sol = np.linalg.solve(A, rhs_eye)
        except np.linalg.LinAlgError:  # an exactly singular point: solve one by one below
            sol = np.full((n, 6, 7), np.nan)
            for i in range(n):
                try:
                    sol[i] = np.linalg.solve(A[i], rhs_eye[i])
                except np.linalg.LinAlgError:
                    pass
        u = sol[:, :, 0]
        size = np.einsum("nij,nj->ni", A_abs, np.abs(u)) + rhs_abs
        bound = _ERROR_FACTOR * _EPS * np.einsum("nij,nj->ni", np.abs(sol[:, :, 1:]), size).max(axis=1)
    bound = np.where(np.isfinite(u).all(axis=1), bound, np.inf)
    return u, bound


def _hp_digits(g: float, p1: float, p2: float) -> int:
    """Working digits for one point, from the decades its inputs span."""
    values = [abs(g), p1, p2, p1 + p2, abs(0.5 - g), abs(0.5 + g)]
    decades = max(abs(math.log10(v)) for v in values if 0 < v < math.inf)
    return int(HP_BASE_DIGITS + HP_DIGITS_PER_DECADE * decades)


def _solve_high_precision(g: float, p1: float, p2: float, z1: float, x2: float) -> FloatArray | None:
    """The same 6x6 system in high precision (see :data:`HP_BASE_DIGITS`); None if unresolved.

    The inputs are taken as exact binary numbers and the coefficients are exact, so the only
    errors are those of the working precision.
    """
    import mpmath

    digits = _hp_digits(g, p1, p2)
    results = []
    for d in (digits, 2 * digits):
        with mpmath.workdps(d):
            try:
                results.append(_mp_solve(mpmath, g, p1, p2, z1, x2))
            except ZeroDivisionError:  # singular at this precision
                return None
    if np.abs(results[0] - results[1]).max() <= HP_AGREE:
        return results[1]
    return None


# Nonzero (function, coefficient) terms of each entry of R, for the high-precision solve.
_MP_TERMS = [[[(k, float(_C[k, o * _N_IN + i])) for k in range(9) if _C[k, o * _N_IN + i] != 0]
              for i in range(_N_IN)] for o in range(6)]


def _mp_solve(mp: object, g: float, p1: float, p2: float, z1: float, x2: float) -> FloatArray:
    mpf, matrix, lu_solve = mp.mpf, mp.matrix, mp.lu_solve  # type: ignore[attr-defined]
    gamma = mpf(p1) + mpf(p2)
    w1, w2 = mpf(p1) / gamma, mpf(p2) / gamma
    phi = [mpf(1)]
    ts = [(mpf(al) + mpf(be) * mpf(g)) / gamma for al, be in _GAPS]
    phi += [1 / (1 + t * t) for t in ts] + [t / (1 + t * t) for t in ts]
    R = [[sum((mpf(c) * phi[k] for k, c in _MP_TERMS[o][i]), mpf(0)) for i in range(_N_IN)]
         for o in range(6)]
    Z1, X2 = mpf(z1), mpf(x2)
    A, rhs = matrix(6, 6), matrix(6, 1)
    for o in range(6):
        for j in range(3):
            A[o, j] = (1 if o == j else 0) - w2 * (R[o][j] + X2 * R[o][3 + j])
            A[o, 3 + j] = (1 if o == 3 + j else 0) - w1 * (R[o][6 + j] + Z1 * R[o][9 + j])
        rhs[o] = w1 * Z1 * R[o][12] + w2 * X2 * R[o][13]
    x = lu_solve(A, rhs)
    return np.array([float(x[k]) for k in range(6)])


def steady_local(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> FloatArray:
    """Bloch vectors of both qubits in the steady state, shape (..., 6) = (r, s).

    Inputs are validated, broadcast arrays with p1 + p2 > 0 and a unique steady state; z1 and
    x2 are the bath polarizations tanh(1/2T). Points whose double-precision error bound exceeds
    :data:`TRUST_BOUND` are solved again in high precision; at p2 = 0 (g != 0) the exact answer
    is tau1 (x) tau1 (qubit 2 thermalizes through the exchange) and is returned directly.

    Raises:
        InputError: more than :data:`MAX_HP_POINTS` points need high precision, or a point
            cannot be resolved in high precision.
    """
    shape = g.shape
    g, p1, p2, z1, x2 = (np.ascontiguousarray(a, dtype=float).reshape(-1) for a in (g, p1, p2, z1, x2))
    u, bound = _solve_double(g, p1, p2, z1, x2)
    product = (p2 == 0) & (g != 0)
    if np.any(product):
        u[product] = 0.0
        u[product, 2] = u[product, 5] = z1[product]
    hard = np.flatnonzero(~(bound <= TRUST_BOUND) & ~product)
    if hard.size > MAX_HP_POINTS:
        i = hard[0]
        raise InputError(
            f"{hard.size} parameter points are too ill-conditioned for double precision (the first at "
            f"g={g[i]!r}, p1={p1[i]!r}, p2={p2[i]!r}); at most {MAX_HP_POINTS} per call are solved in "
            f"high precision: pass fewer such points per call")
    for i in hard:
        hp = _solve_high_precision(float(g[i]), float(p1[i]), float(p2[i]), float(z1[i]), float(x2[i]))
        if hp is None:
            raise InputError(
                f"no accurate steady state at g={g[i]!r}, p1={p1[i]!r}, p2={p2[i]!r}: the point is "
                f"numerically indistinguishable from one without a unique steady state")
        u[i] = hp
    return u.reshape(*shape, 6)


def steady_rho(
    g: FloatArray, p1: FloatArray, p2: FloatArray, z1: FloatArray, x2: FloatArray
) -> ComplexArray:
    """Steady state (..., 4, 4), qubit 1 first, from :func:`steady_local` and one resolvent.

    The state is made exactly Hermitian and normalized to trace 1 (both hold to rounding before).
    """
    shape = g.shape
    g, p1, p2, z1, x2 = (np.ascontiguousarray(a, dtype=float).reshape(-1) for a in (g, p1, p2, z1, x2))
    u = steady_local(g, p1, p2, z1, x2)
    n = u.shape[0]
    r, s = u[:, :3], u[:, 3:]
    rho1 = _bloch_to_state(r)
    rho2 = _bloch_to_state(s)
    zeros = np.zeros(n)
    tau1 = _bloch_to_state(np.stack([zeros, zeros, z1], axis=-1))
    tau2 = _bloch_to_state(np.stack([x2, zeros, zeros], axis=-1))
    w1, w2, half_gamma = _weights(p1, p2)
    S = w1[:, None, None] * _kron(tau1, rho2) + w2[:, None, None] * _kron(rho1, tau2)
    # Resolvent gamma / (gamma + i (E_a - E_b)) = a - i sign b, with a, b of t = Delta/gamma.
    a, b, _, _ = _gap_functions(_gap_ratios(g, half_gamma))
    D = np.ones((n, 4, 4), dtype=complex)
    for i in range(4):
        for j in range(4):
            m = _CLASS[i, j]
            if m >= 0:
                D[:, i, j] = a[m] - 1j * _SIGN[i, j] * b[m]
    rho = _W @ ((_W.T @ S @ _W) * D) @ _W.T
    rho = 0.5 * (rho + np.conj(np.swapaxes(rho, -1, -2)))
    rho /= np.trace(rho, axis1=-2, axis2=-1).real[:, None, None]
    return rho.reshape(*shape, 4, 4)


def _bloch_to_state(v: FloatArray) -> ComplexArray:
    out = np.empty((v.shape[0], 2, 2), dtype=complex)
    out[:, 0, 0] = 0.5 * (1 + v[:, 2])
    out[:, 1, 1] = 0.5 * (1 - v[:, 2])
    out[:, 0, 1] = 0.5 * (v[:, 0] - 1j * v[:, 1])
    out[:, 1, 0] = 0.5 * (v[:, 0] + 1j * v[:, 1])
    return out


def _kron(a: ComplexArray, b: ComplexArray) -> ComplexArray:
    return np.einsum("nab,ncd->nacbd", a, b).reshape(-1, 4, 4)
