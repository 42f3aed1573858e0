r"""The magic witness :math:`W = \|r\|_1 - 1` of a tomography estimate, its interval and the verdict.

:math:`W > 0` iff the state lies outside the stabilizer octahedron. Why the interval is not a
percentile bootstrap: the plug-in :math:`\|\hat r\|_1 = \max_s s\cdot\hat r` over the 8 sign
patterns is biased upward (:math:`E|x| \ge |Ex|`), worst at the octahedron's edges and vertices,
where a percentile interval of :math:`\|r^*\|_1 - 1` can exclude the truth almost always (see
``docs/tomography.md``). Instead every method uses the reverse triangle inequality

.. math:: |\hat W - W| = \big|\|\hat r\|_1 - \|r\|_1\big| \le \|\hat r - r\|_1
          = \max_s s\cdot(\hat r - r),

so :math:`\hat W \pm q` covers :math:`W` whenever :math:`q` bounds the level-quantile of
:math:`\|\hat r - r\|_1` by a union (Bonferroni) bound over the 8 facets,
:math:`q = z_{1-\alpha/8}\,\max_s \mathrm{se}(s\cdot\hat r)`: ``method="union"`` takes the
standard errors of the estimate (binomial for counts, :math:`\sqrt{s^T C s}` for an estimate with a
covariance), ``method="bootstrap"`` the spread of resamples (binomial for counts, Gaussian draws
for an estimate with a covariance).

:func:`witness_interval` works on counts, :func:`gaussian_witness_interval` on a Bloch estimate
and its full covariance (readout-mitigated data); :func:`magic_verdict` is the three-way verdict of
one state's counts.

**Class verdict** (:func:`class_verdict`, :func:`class_intervals`, :func:`gaussian_class_intervals`):
"stabilizer" | "magic" | "distillable" | "inconclusive" (classes of :mod:`qc_reset.model.magic`).
The class boundary replaces the facet. The T-type region :math:`\|r\|_1 > 3/\sqrt7` is the
outside of a scaled octahedron, 8 facets :math:`s\cdot r = 3/\sqrt7`; the H-type region
:math:`|r_i| + |r_j| > 1` is the union over the 3 pairs and 4 sign patterns of the 12 facets
:math:`\pm r_i \pm r_j = 1`. A state is distillable iff one of these K = 20 linear pieces
:math:`\ell_k(r) = a_k\cdot r` exceeds its threshold :math:`\theta_k`. The verdict is
"distillable" iff the lower bound :math:`a_k\cdot\hat r - z_{1-\alpha/K}\,\mathrm{se}(a_k\cdot\hat r)`
of some piece exceeds :math:`\theta_k`. At a non-distillable state (every
:math:`a_k\cdot r \le \theta_k`) that needs :math:`a_k\cdot(\hat r - r) > z_{1-\alpha/K}\,\mathrm{se}_k`
for some k, and the union bound over the K pieces gives a false-"distillable" rate <= K α/K = α
(normal approximation of the binomials). Correction: :math:`z_{1-\alpha/K}` with K = 20 (2.807 at
α = 0.05) instead of :math:`z_{1-\alpha/8}` (2.498) for magic. "stabilizer" iff the magic
witness's upper bound (:func:`witness_interval`, union over 8) is < 0; "magic" iff its lower bound
is > 0 and the upper bounds of both distillation margins are < 0 (each a union bound, so every
wrong verdict has rate <= α).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from .._checks import InputError, bloch_estimate, confidence_level, counts_array, covariance, resamples
from .._checks import seed as _valid_seed
from ..model.magic import H_THRESHOLD_PAIR, T_THRESHOLD_L1
from ..model.measures import l1_norm
from ..model.operators import FloatArray
from .estimators import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    Estimator,
    SeedLike,
    gaussian_draws,
    get_estimator,
    resample_linear_inversion,
    standard_errors,
)
from .records import ClassVerdict, Estimate, MagicVerdict, classify, classify_class

__all__ = [
    "FACET_SIGNS",
    "WITNESS_METHODS",
    "WitnessMethod",
    "witness_interval",
    "facet_standard_errors",
    "gaussian_witness_interval",
    "magic_verdict",
    "H_PAIRS",
    "H_FACETS",
    "CLASS_PIECES",
    "class_intervals",
    "gaussian_class_intervals",
    "class_verdict",
]

WitnessMethod = Literal["union", "bootstrap"]
#: Names accepted by every ``method=``/``witness_method=`` argument.
WITNESS_METHODS: tuple[str, ...] = ("union", "bootstrap")
#: The 8 sign patterns s of the octahedron's facets s . r <= 1, shape (8, 3).
FACET_SIGNS: FloatArray = np.array([[a, b, c] for a in (1, -1) for b in (1, -1) for c in (1, -1)], dtype=float)


#: The coordinate pairs (i, j) of the H-type pair sums ``|r_i| + |r_j|``.
H_PAIRS: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2))
#: The 12 H-type facets +-r_i +-r_j = 1 as rows a (a . r = 1), shape (12, 3), pair by pair (4 signs each).
H_FACETS: FloatArray = np.array([[(a if k == i else b if k == j else 0.0) for k in range(3)]
                                 for i, j in H_PAIRS for a in (1.0, -1.0) for b in (1.0, -1.0)])
#: K of the class verdict's union bound: the 8 T-type facets and the 12 H-type facets.
CLASS_PIECES = FACET_SIGNS.shape[0] + H_FACETS.shape[0]

Interval = tuple[FloatArray, FloatArray, FloatArray]


def _piece_se(A: FloatArray, C: FloatArray) -> FloatArray:
    """Standard errors sqrt(a^T C a) of the pieces a . r (rows of A), shape (..., len(A))."""
    return np.sqrt(np.maximum(np.einsum("ki,...ij,kj->...k", A, C, A), 0.0))


def gaussian_class_intervals(
    bloch: npt.ArrayLike, cov: npt.ArrayLike, level: float = DEFAULT_LEVEL
) -> tuple[Interval, Interval, Interval]:
    r"""``(value, lo, hi)`` of the witness, the T margin and the H margin from an estimate and its covariance.

    * witness :math:`\|\hat r\|_1 - 1 \pm z_{1-\alpha/8} \max_s \mathrm{se}_s` (as
      :func:`gaussian_witness_interval`, ``method="union"``);
    * T margin :math:`\|\hat r\|_1 - 3/\sqrt7 \pm z_{1-\alpha/K} \max_s \mathrm{se}_s` over the 8 facets;
    * H margin :math:`\max_{i<j}(|\hat r_i| + |\hat r_j| \mp q_{ij}) - 1` with
      :math:`q_{ij} = z_{1-\alpha/K}` times the largest standard error of the pair's 4 facets.

    K = :data:`CLASS_PIECES` (20). Vectorized over leading axes of ``bloch`` (..., 3) and ``cov`` (..., 3, 3).
    """
    r, C = bloch_estimate(bloch, cov)
    alpha = 1.0 - confidence_level(level)
    r, C = np.broadcast_to(r, np.broadcast_shapes(r.shape, C.shape[:-1])), C
    l1 = l1_norm(r)
    se_t = _piece_se(FACET_SIGNS, C).max(axis=-1)
    z8, zk = ndtri(1.0 - alpha / 8.0), ndtri(1.0 - alpha / CLASS_PIECES)
    m = np.abs(r)
    pair = np.stack([m[..., i] + m[..., j] for i, j in H_PAIRS], axis=-1)  # (..., 3)
    q = zk * _piece_se(H_FACETS, C).reshape(*C.shape[:-2], len(H_PAIRS), 4).max(axis=-1)
    witness = (l1 - 1.0, l1 - 1.0 - z8 * se_t, l1 - 1.0 + z8 * se_t)
    t_val = l1 - T_THRESHOLD_L1
    t_margin = (t_val, t_val - zk * se_t, t_val + zk * se_t)
    h_margin = (pair.max(axis=-1) - H_THRESHOLD_PAIR, (pair - q).max(axis=-1) - H_THRESHOLD_PAIR,
                (pair + q).max(axis=-1) - H_THRESHOLD_PAIR)
    return witness, t_margin, h_margin


def class_intervals(counts: npt.ArrayLike, level: float = DEFAULT_LEVEL) -> tuple[Interval, Interval, Interval]:
    """:func:`gaussian_class_intervals` of counts (..., 3, 2): linear inversion and its binomial standard errors.

    The bases are independent, so the covariance is diagonal, with the Jeffreys-floored variances
    of :func:`~qc_reset.stats.estimators.standard_errors`; the witness interval is then exactly
    :func:`witness_interval`'s ``method="union"`` one.
    """
    c = counts_array(counts)
    se = standard_errors(c)
    C = se[..., :, None] * np.eye(3) * se[..., None, :]
    return gaussian_class_intervals(get_estimator("linear_inversion")(c), C, level)


def class_verdict(counts: npt.ArrayLike, level: float = DEFAULT_LEVEL, *,
                  cov: npt.ArrayLike | None = None) -> ClassVerdict:
    """Class verdict of one state: counts (3, 2), or with ``cov`` given, a Bloch estimate (3,) and its covariance.

    "distillable" only when a distillation margin's lower bound is > 0 (false-"distillable" rate
    <= 1 - level: union bound over the K = 20 class facets, module docstring); "stabilizer" /
    "magic" as described there; else "inconclusive".
    """
    if cov is None:
        if np.shape(counts) != (3, 2):
            raise InputError(f"counts must have shape (3, 2) for one state; got {np.shape(counts)} "
                             "(use class_intervals)")
        w, t, h = class_intervals(counts, level)
    else:
        if np.shape(counts) != (3,) or np.shape(cov) != (3, 3):
            raise InputError(f"with cov, give one Bloch estimate (3,) and covariance (3, 3); "
                             f"got {np.shape(counts)}, {np.shape(cov)}")
        w, t, h = gaussian_class_intervals(counts, cov, level)
    est = [Estimate(value=float(v), ci=(float(lo), float(hi))) for v, lo, hi in (w, t, h)]
    verdict = str(classify_class(est[0].ci, est[1].ci, est[2].ci))
    return ClassVerdict(verdict=verdict, witness=est[0], t_margin=est[1], h_margin=est[2],
                        level=confidence_level(level), n_pieces=CLASS_PIECES)


def _method(method: str) -> str:
    if method not in WITNESS_METHODS:
        raise InputError(f"method must be one of ['bootstrap', 'union']; got {method!r}")
    return method


def witness_interval(
    counts: npt.ArrayLike,
    level: float = DEFAULT_LEVEL,
    *,
    method: WitnessMethod = "union",
    estimator: Estimator = "linear_inversion",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: SeedLike = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Plug-in witness :math:`\hat W = \|\hat r\|_1 - 1` and an interval ``(value, lo, hi)``, shape (...).

    The interval is :math:`\hat W \pm q` with :math:`q` a level-quantile bound of
    :math:`\|\hat r - r\|_1 = \max_s s\cdot(\hat r - r)` over the 8 sign patterns. Since
    :math:`|\hat W - W| \le \|\hat r - r\|_1`, it covers :math:`W` with probability >= ``level``
    at *every* state (normal approximation of the binomials; for ``"bootstrap"``,
    asymptotically), and each one-sided error :math:`P(lo > W)`, :math:`P(hi < W)` is at most
    ``1 - level``: the verdict's false-"magic" and false-"stabilizer" rates are <= ``1 - level``.

    * ``"union"`` (default; deterministic): :math:`q = z_{1-\alpha/8}\,\|\mathrm{se}\|_2`. Each
      facet deviation :math:`s\cdot(\hat r - r)` has standard error :math:`\|\mathrm{se}\|_2`
      (independent bases, :math:`s_k^2 = 1`), and a union bound over the 8 one-sided events
      gives total error <= :math:`\alpha`. Conservative by at least 2x for the false-"magic"
      rate: at most 4 facets meet at a boundary point (a vertex), so the false-"magic" rate is
      <= :math:`\alpha/2` there, and about :math:`\alpha/8` inside a facet.
    * ``"bootstrap"``: the same union bound with resampled standard errors,
      :math:`q = z_{1-\alpha/8}\,\max_s \mathrm{sd}^*(s\cdot r^*)` over ``n_resamples``
      linear-inversion resamples (each basis's variance floored like :func:`standard_errors`'),
      so the binomial formula is replaced by the resamples' spread and covariance. It keeps the
      union bound's margin: the former quantile construction (:math:`q` = level-quantile of
      :math:`\|r^* - \hat r\|_1`) has no margin at a vertex, where
      :math:`\hat W - W = \|\hat r - r\|_1`, and its resampled spread :math:`(1 - \hat r_k^2)/N_k`
      is smallest exactly when :math:`|\hat r_x| + |\hat r_y|` is large, so it called "magic"
      at ``|0>`` with rate 0.084 at 10 shots per basis and 0.054-0.057 at 30-1000 (nominal
      0.05). Measured rates for both methods: ``docs/tomography.md``.

    The deviations are always those of linear inversion. With ``estimator="mle"`` the interval
    is centred on the MLE's witness instead, which is never larger
    (:math:`|r_k^{MLE}| \le |\bar r_k|`) and is >= 0 whenever the MLE differs from linear
    inversion (it is then on the sphere, where :math:`\|r\|_1 \ge |r|_2 = 1`). So lo can only
    decrease and "stabilizer" is only called when the two estimators agree: neither verdict
    error grows (the coverage statement above is for linear inversion).
    """
    c = counts_array(counts)
    alpha = 1.0 - confidence_level(level)
    _method(method)
    value = l1_norm(get_estimator(estimator)(c)) - 1.0
    if method == "union":
        q = ndtri(1.0 - alpha / 8.0) * np.linalg.norm(standard_errors(c), axis=-1)
    else:
        n = c.sum(axis=-1)
        rstar, _ = resample_linear_inversion(c, resamples(n_resamples, c.shape[:-2]), seed)
        q = ndtri(1.0 - alpha / 8.0) * _resampled_facet_se(rstar, np.minimum(1.0, 2.0 / n) / n)
    return value, value - q, value + q


def _resampled_facet_se(rstar: FloatArray, var_floor: FloatArray | float = 0.0) -> FloatArray:
    r"""Largest resampled standard error of the 8 facet functionals, :math:`\max_s \mathrm{sd}^*(s\cdot r^*)`, (...).

    From the resamples' 3x3 covariance, its diagonal floored at ``var_floor`` (..., 3); for counts
    that is :func:`~qc_reset.stats.estimators.standard_errors`' Jeffreys floor :math:`\min(1, 2/N_k)/N_k`
    (a basis with a zero count has zero bootstrap spread).
    """
    d = rstar - rstar.mean(axis=0)
    cov = np.einsum("b...i,b...j->...ij", d, d) / max(rstar.shape[0] - 1, 1)
    diag = np.einsum("...ii->...i", cov)  # a writable view of the diagonal
    diag[...] = np.maximum(diag, var_floor)
    var = np.einsum("si,...ij,sj->...s", FACET_SIGNS, cov, FACET_SIGNS)
    return np.sqrt(np.maximum(var.max(axis=-1), 0.0))


def facet_standard_errors(cov: npt.ArrayLike) -> FloatArray:
    r"""Standard errors :math:`\sqrt{s^T C s}` of the 8 facet functionals :math:`s\cdot\hat r`, shape (..., 8).

    Order of :data:`FACET_SIGNS`. For a diagonal covariance (independent bases) all eight equal
    :math:`\|\mathrm{se}\|_2`.
    """
    C = covariance(cov)
    var = np.einsum("si,...ij,sj->...s", FACET_SIGNS, C, FACET_SIGNS)
    return np.sqrt(np.maximum(var, 0.0))


def gaussian_witness_interval(
    bloch: npt.ArrayLike,
    cov: npt.ArrayLike,
    level: float = DEFAULT_LEVEL,
    *,
    method: WitnessMethod = "union",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: SeedLike = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Witness interval ``(value, lo, hi)`` from an (approximately normal) estimate and its covariance.

    The same construction as :func:`witness_interval` (:math:`\hat W \pm q` with :math:`q` a
    union bound over the 8 facets of the level-quantile of
    :math:`\|\hat r - r\|_1 = \max_s s\cdot(\hat r - r)`), for correlated components:

    * ``"union"``: :math:`q = z_{1-\alpha/8}\,\max_s \sqrt{s^T C s}`, i.e. each of the 8 facet
      deviations gets its own standard error from the full covariance (:func:`facet_standard_errors`)
      and the union bound over the 8 one-sided events :math:`s\cdot(\hat r - r) > q` (each of
      probability <= :math:`\alpha/8` since :math:`q \ge z_{1-\alpha/8}\,\mathrm{se}_s`) gives
      total error <= :math:`\alpha`. Reduces to :func:`witness_interval`'s union bound for a
      diagonal covariance.
    * ``"bootstrap"``: the same union bound with the resampled spread,
      :math:`q = z_{1-\alpha/8}\,\max_s \mathrm{sd}^*(s\cdot r^*)` over ``n_resamples`` Gaussian
      draws :math:`r^* \sim N(\hat r, C)` (parametric bootstrap), as for counts. (The former
      construction, :math:`q` = level-quantile of :math:`\|r^* - \hat r\|_1`, has no margin at a
      vertex of the octahedron, where :math:`\hat W - W = \|\hat r - r\|_1` up to the sign of one
      component, and the estimated covariance is smallest where :math:`|\hat r_x| + |\hat r_y|`
      is large: it called "magic" too often there.)

    Vectorized over leading axes of ``bloch`` (..., 3) and ``cov`` (..., 3, 3).
    """
    r, C = bloch_estimate(bloch, cov)
    alpha = 1.0 - confidence_level(level)
    _method(method)
    value = l1_norm(r) - 1.0
    if method == "union":
        q = ndtri(1.0 - alpha / 8.0) * facet_standard_errors(C).max(axis=-1)
    else:
        rng = np.random.default_rng(_valid_seed(seed))
        batch = np.broadcast_shapes(r.shape[:-1], C.shape[:-2])
        rstar = gaussian_draws(r, C, resamples(n_resamples, batch), rng)
        q = ndtri(1.0 - alpha / 8.0) * _resampled_facet_se(rstar)
    value, q = np.broadcast_arrays(value, q)
    return value, value - q, value + q


def magic_verdict(
    counts: npt.ArrayLike,
    level: float = DEFAULT_LEVEL,
    *,
    method: WitnessMethod = "union",
    estimator: Estimator = "linear_inversion",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: SeedLike = None,
) -> MagicVerdict:
    """Three-way magic verdict for one state's counts (3, 2); see :func:`witness_interval`.

    "magic" only when the lower bound of W is > 0 (false-"magic" rate <= 1 - level),
    "stabilizer" only when the upper bound is < 0, else "inconclusive". ``n_resamples`` and
    ``seed`` are used by ``method="bootstrap"`` only.
    """
    if np.shape(counts) != (3, 2):
        raise InputError(f"counts must have shape (3, 2) for one state; got {np.shape(counts)} (use witness_interval)")
    value, lo, hi = witness_interval(
        counts, level, method=method, estimator=estimator, n_resamples=n_resamples, seed=seed
    )
    return MagicVerdict(
        value=float(value), ci=(float(lo), float(hi)), verdict=str(classify(lo, hi)), level=level, method=method
    )
