r"""Linear extrapolation of Bloch estimates: combined estimate, its covariance, shot allocation, witness.

Both extrapolations of the package are *linear* in the measured Bloch vectors: step-size
(multi-product, Richardson) extrapolation of fixed points over step sizes :math:`dt_k`
(:mod:`qc_reset.run.extrapolation`) and zero-noise extrapolation over noise scale factors
:math:`\lambda_k` (:mod:`qc_reset.run.zne`). With coefficients :math:`c_k` (:math:`\sum_k c_k = 1`) and
independent estimates :math:`\hat r_k` of covariance :math:`C_k`,

.. math:: \hat r = \sum_k c_k \hat r_k, \qquad \mathrm{Cov}(\hat r) = \sum_k c_k^2 C_k .

For linear inversion with :math:`N_k` shots per basis, :math:`C_k = \mathrm{diag}(1 - r_{k,i}^2)/N_k`.
Every facet functional :math:`s\cdot\hat r` (:math:`s \in \{\pm1\}^3`) then has variance
:math:`\sum_k c_k^2 v_k / N_k` with :math:`v_k = \sum_i (1 - r_{k,i}^2)`. For a total of
:math:`N = \sum_k N_k` shots per basis this is smallest (Lagrange multiplier) at

.. math:: N_k = N\,\frac{|c_k|\sqrt{v_k}}{\sum_j |c_j|\sqrt{v_j}}, \qquad
          \min \mathrm{Var} = \frac{\big(\sum_k |c_k|\sqrt{v_k}\big)^2}{N},

which for equal :math:`v_k` is the single-estimate variance :math:`v/N` times the *sampling overhead*
:math:`(\sum_k |c_k|)^2` (:func:`sampling_overhead`, :func:`optimal_allocation`).

The witness :math:`W = \|r\|_1 - 1` of the combined estimate gets the union-bound interval of
:func:`qc_reset.stats.verdict.gaussian_witness_interval` with the combined covariance: each of the 8
facet deviations :math:`s\cdot(\hat r - E\hat r)` is a sum of independent binomial terms with that
variance, so the false-"magic" rate stays <= 1 - level (normal approximation) for the state
:math:`E\hat r = \sum_k c_k r_k` that the combination estimates. The extrapolation's own bias
:math:`E\hat r - r_\infty` (the uncancelled orders) is not in the interval: it is reported separately.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, confidence_level, counts_array, real_array
from .._checks import extrapolation_coefficients as check_coefficients
from ..model.operators import FloatArray
from .estimators import DEFAULT_LEVEL, linear_inversion, standard_errors
from .records import MagicVerdict, classify
from .verdict import gaussian_witness_interval

__all__ = [
    "combine",
    "combined_covariance",
    "sampling_overhead",
    "optimal_allocation",
    "combined_estimate",
    "combined_witness_interval",
    "combined_witness",
]


def combine(values: npt.ArrayLike, coefficients: npt.ArrayLike) -> FloatArray:
    r"""The combination :math:`\sum_k c_k x_k` along axis 0 of ``values`` (K, ...)."""
    v = real_array("values", values)
    c = check_coefficients(coefficients, v.shape[0] if v.ndim else None)
    return np.tensordot(c, v, axes=(0, 0))


def combined_covariance(covariances: npt.ArrayLike, coefficients: npt.ArrayLike) -> FloatArray:
    r"""Covariance :math:`\sum_k c_k^2 C_k` of the combination of independent estimates, (..., 3, 3)."""
    C = real_array("covariances", covariances)
    c = check_coefficients(coefficients, C.shape[0] if C.ndim else None)
    return np.tensordot(c * c, C, axes=(0, 0))


def sampling_overhead(coefficients: npt.ArrayLike) -> float:
    r"""The sampling overhead :math:`(\sum_k |c_k|)^2` of a linear extrapolation (>= 1)."""
    c = check_coefficients(coefficients)
    return float(np.abs(c).sum() ** 2)


def optimal_allocation(coefficients: npt.ArrayLike, total_shots: int, *,
                       variances: npt.ArrayLike | None = None) -> npt.NDArray[np.int64]:
    r"""Shots per basis :math:`N_k` (integers >= 1, summing to ``total_shots``) that minimise the variance.

    :math:`N_k \propto |c_k|\sqrt{v_k}` (module docstring), with ``variances`` the per-shot variances
    :math:`v_k` of the facet functional at each estimate (default: equal). Rounded by largest
    remainders after giving every estimate at least one shot.
    """
    c = check_coefficients(coefficients)
    n = check_shots(total_shots, "total_shots")
    if n < c.size:
        raise InputError(f"total_shots must be at least the number of estimates ({c.size}); got {n}")
    v = np.ones_like(c) if variances is None else real_array("variances", variances)
    if v.shape != c.shape or not np.all(np.isfinite(v)) or np.any(v < 0):
        raise InputError(f"variances must be {c.size} finite numbers >= 0; got {variances!r}")
    w = np.abs(c) * np.sqrt(v)
    if not np.any(w > 0):
        w = np.ones_like(c)
    ideal = (n - c.size) * w / w.sum()
    out = np.floor(ideal).astype(np.int64) + 1
    rest = n - int(out.sum())
    out[np.argsort(ideal - np.floor(ideal))[::-1][:rest]] += 1
    return out


def combined_estimate(counts: npt.ArrayLike, coefficients: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Combined linear-inversion Bloch vector (..., 3) and its covariance (..., 3, 3) from counts (K, ..., 3, 2).

    Axis 0 runs over the K estimates, further leading axes are a batch. Each estimate's covariance is
    diagonal with the Jeffreys-floored binomial variances of
    :func:`~qc_reset.stats.estimators.standard_errors` (the bases and the K runs are independent).
    """
    c = counts_array(counts)
    if c.ndim < 3:
        raise InputError(f"counts must have shape (K, ..., 3, 2), one (3, 2) array per estimate; got {c.shape}")
    coef = check_coefficients(coefficients, c.shape[0])
    se = standard_errors(c)
    cov = se[..., :, None] * np.eye(3) * se[..., None, :]
    return combine(linear_inversion(c), coef), combined_covariance(cov, coef)


def combined_witness_interval(counts: npt.ArrayLike, coefficients: npt.ArrayLike,
                              level: float = DEFAULT_LEVEL) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""``(value, lo, hi)`` of the combined witness, batched: counts (K, ..., 3, 2) give arrays of shape (...).

    :func:`~qc_reset.stats.verdict.gaussian_witness_interval` (``method="union"``) of
    :func:`combined_estimate`, i.e. :math:`\hat W \pm z_{1-\alpha/8}\max_s \mathrm{se}(s\cdot\hat r)`.
    """
    r, C = combined_estimate(counts, coefficients)
    return gaussian_witness_interval(r, C, confidence_level(level))


def combined_witness(counts: npt.ArrayLike, coefficients: npt.ArrayLike,
                     level: float = DEFAULT_LEVEL) -> MagicVerdict:
    r"""Witness, union-bound interval and verdict of the combined estimate of one state's counts (K, 3, 2).

    "magic" only when the lower bound of :func:`combined_witness_interval` is > 0.

    Example:
        >>> from qc_reset.stats import sample_counts
        >>> counts = np.stack([sample_counts([0.5, 0.5, 0.5], 4000, seed=k) for k in range(3)])
        >>> combined_witness(counts, [3.0, -3.0, 1.0]).verdict
        'magic'
    """
    if np.ndim(counts) != 3:
        raise InputError(f"counts must have shape (K, 3, 2) for one state; got {np.shape(counts)} "
                         "(use combined_witness_interval)")
    value, lo, hi = combined_witness_interval(counts, coefficients, level)
    a, b = float(lo), float(hi)
    if not (math.isfinite(a) and math.isfinite(b)):
        raise InputError("the combined witness interval is not finite")
    return MagicVerdict(value=float(value), ci=(a, b), verdict=str(classify(a, b)), level=level, method="union")
