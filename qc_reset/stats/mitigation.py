r"""Readout-error mitigation of tomography counts: numpy math on a measured 2x2 assignment matrix.

:math:`A_{ij} = P(\text{read } i\,|\,\text{prepared } j)` of the measured physical qubit (the one-qubit
case of qiskit-experiments' ``LocalReadoutError``; measured by
:func:`qc_reset.run.calibration.calibrate_readout`). :func:`mitigate_estimate` inverts it and returns the
mitigated Bloch estimate with its full covariance (the three bases share one calibration), the input of
:func:`~qc_reset.stats.tomography.analyze_estimate`; :func:`mitigate_counts` encodes it as per-basis
pseudo-counts for display.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, counts_array, real_array

__all__ = ["mitigate_estimate", "mitigate_counts"]


def _assignment(A: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Validate an assignment matrix (..., 2, 2): entries in [0, 1], ``A00 + A11 - 1 > 0.05``."""
    a = real_array("A", A)
    if a.shape[-2:] != (2, 2) or not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
        raise InputError(f"assignment matrix A must have shape (..., 2, 2) with entries in [0, 1]; got {a.shape}")
    s = a[..., 0, 0] + a[..., 1, 1] - 1.0
    if not np.all(s > 0.05):
        raise InputError(f"readout assignment matrix is too close to singular (A00 + A11 - 1 = {np.min(s):.3g}; "
                         "need > 0.05)")
    return a


def mitigate_estimate(
    counts: npt.ArrayLike, A: npt.ArrayLike, cal_shots: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    r"""Readout-mitigated Bloch estimate (..., 3) and its full covariance (..., 3, 3).

    Per basis :math:`k`, :math:`\hat r_k = (r_{obs,k} - (a_0 - a_1)) / s` with :math:`a_0 = A_{00}`,
    :math:`a_1 = A_{11}`, :math:`s = a_0 + a_1 - 1` (the inverse of the assignment matrix; not clipped,
    like linear inversion). All three bases share the *same* estimated :math:`a_0, a_1` (``cal_shots``
    :math:`= M` shots per prepared state), so their errors are correlated. Delta method, with
    :math:`\partial\hat r_k/\partial a_0 = -(1 + \hat r_k)/s` and
    :math:`\partial\hat r_k/\partial a_1 = (1 - \hat r_k)/s`:

    .. math:: C_{jk} = \Big[\delta_{jk}\frac{1 - r_{obs,k}^2}{N_k}
              + (1 + \hat r_j)(1 + \hat r_k)\frac{a_0(1 - a_0)}{M}
              + (1 - \hat r_j)(1 - \hat r_k)\frac{a_1(1 - a_1)}{M}\Big] / s^2.

    Binomial variances are floored as in :func:`~qc_reset.stats.estimators.standard_errors` (half a
    pseudo-count in an unseen outcome), so an exact-looking calibration (:math:`a_0 = 1` from
    :math:`M` shots) still carries its :math:`O(1/M)` uncertainty. Feed the result to
    :func:`~qc_reset.stats.tomography.analyze_estimate`. Vectorized over leading axes of ``counts``
    (..., 3, 2) and ``A`` (..., 2, 2).
    """
    c = counts_array(counts)
    a = _assignment(A)
    m = check_shots(cal_shots, "cal_shots")
    a0, a1 = a[..., 0, 0, None], a[..., 1, 1, None]
    s = a0 + a1 - 1.0
    n = c.sum(axis=-1)
    r_obs = (c[..., 0] - c[..., 1]) / n
    r = (r_obs - (a0 - a1)) / s
    v_obs = np.maximum(1.0 - r_obs**2, np.minimum(1.0, 2.0 / n)) / n
    floor = min(0.25, 0.5 / m)
    v0 = np.maximum(a0 * (1 - a0), floor) / m
    v1 = np.maximum(a1 * (1 - a1), floor) / m
    up, dn = 1.0 + r, 1.0 - r
    cov = (up[..., :, None] * up[..., None, :] * v0[..., None] + dn[..., :, None] * dn[..., None, :] * v1[..., None])
    cov = cov + v_obs[..., :, None] * np.eye(3)
    cov = cov / (s[..., None] ** 2)
    return r, cov


def mitigate_counts(counts: npt.ArrayLike, A: npt.ArrayLike, cal_shots: int) -> npt.NDArray[np.int64]:
    r"""Per-basis readout-mitigated pseudo-counts (3, 2): for display only, **not** for the magic verdict.

    Encodes each basis's mitigated estimate and its *marginal* delta-method variance
    (:func:`mitigate_estimate`) as an effective shot number :math:`N_{eff} = (1 - \hat r^2)/\mathrm{Var}`
    with :math:`n_0 = N_{eff}(1 + \hat r)/2` (estimate clipped to [-1, 1]). This loses the correlation
    between the bases (they share one calibration), which makes the union-bound verdict on such
    counts anti-conservative, and breaks down near :math:`|\hat r| = 1`; :func:`qc_reset.run.tomography.run_tomography`
    therefore analyses :func:`mitigate_estimate` with :func:`~qc_reset.stats.tomography.analyze_estimate`.
    """
    r_full, cov = mitigate_estimate(counts, A, cal_shots)
    c = np.asarray(counts, dtype=float)
    if c.shape != (3, 2):
        raise InputError(f"counts must have shape (3, 2); got {c.shape}")
    n = c.sum(axis=-1)
    r = np.clip(r_full, -1.0, 1.0)
    var = np.maximum(np.diag(cov), 1.0 / (n * n))
    n_eff = np.maximum(np.rint(np.maximum(1 - r * r, 1.0 / n) / var), 1.0)
    n0 = np.rint(n_eff * (1 + r) / 2)
    return np.stack([n0, n_eff - n0], axis=-1).astype(np.int64)
