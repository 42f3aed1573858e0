r"""Single-qubit tomography analysis: counts (or a Bloch estimate with its covariance) to a result record.

The orchestrator of the statistics layer (like qiskit-experiments' tomography analysis): it runs the
estimators (:mod:`~qc_reset.stats.estimators`), the witness interval and verdict
(:mod:`~qc_reset.stats.verdict`) and wraps them in a :class:`~qc_reset.stats.records.TomographyResult`.
Nothing here builds or runs circuits.

* :func:`analyze`: counts (3, 2) of the X, Y, Z bases; C_l1 interval by a percentile bootstrap,
  verdict by :func:`~qc_reset.stats.verdict.magic_verdict`, class verdict by
  :func:`~qc_reset.stats.verdict.class_verdict`.
* :func:`analyze_estimate`: a Bloch estimate and its full 3x3 covariance instead of counts
  (readout-mitigated data, whose three bases share one estimated assignment matrix and are therefore
  correlated): :func:`~qc_reset.stats.verdict.gaussian_witness_interval` and a parametric (Gaussian)
  bootstrap of C_l1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._checks import InputError, bloch_estimate, confidence_level, counts_array, resamples
from .._checks import seed as _valid_seed
from ..model.measures import l1_coherence
from .estimators import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    Estimator,
    SeedLike,
    bootstrap,
    confidence_interval,
    gaussian_draws,
    get_estimator,
    standard_errors,
)
from .records import Estimate, MagicVerdict, TomographyResult, classify
from .verdict import WitnessMethod, class_verdict, gaussian_witness_interval, magic_verdict

__all__ = ["analyze", "analyze_estimate"]


def analyze(
    counts: npt.ArrayLike,
    *,
    level: float = DEFAULT_LEVEL,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: SeedLike = None,
    estimator: Estimator = "linear_inversion",
    witness_method: WitnessMethod = "union",
) -> TomographyResult:
    """Estimate qubit 1's state from counts (3, 2) and wrap it in a :class:`TomographyResult`.

    The C_l1 interval is the percentile bootstrap of ``estimator`` over ``n_resamples``
    resamples (C_l1 is smooth away from 0; near C_l1 = 0 it is biased upward like any norm).
    The witness interval and verdict come from :func:`magic_verdict` with ``witness_method``.
    """
    if np.shape(counts) != (3, 2):
        raise InputError(f"counts must have shape (3, 2) for one state; got {np.shape(counts)}")
    c = counts_array(counts)
    fit = get_estimator(estimator)
    lv = confidence_level(level)
    resamples(n_resamples, c.shape[:-2])
    rng = np.random.default_rng(_valid_seed(seed))
    bloch = fit(c)
    boot = bootstrap(c, n_resamples, rng, estimator=estimator)
    lo, hi = confidence_interval(l1_coherence(boot), lv)
    verdict = magic_verdict(c, lv, method=witness_method, estimator=estimator, n_resamples=n_resamples, seed=rng)
    se = standard_errors(c)
    return TomographyResult(
        bloch=bloch,
        stderr=se,
        l1_coherence=Estimate(value=float(l1_coherence(bloch)), ci=(float(lo), float(hi))),
        magic_witness=verdict,
        level=lv,
        estimator=estimator,
        covariance=np.diag(se * se),
        magic_class=class_verdict(c, lv),
    )


def analyze_estimate(
    bloch: npt.ArrayLike,
    cov: npt.ArrayLike,
    *,
    level: float = DEFAULT_LEVEL,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: SeedLike = None,
    witness_method: WitnessMethod = "union",
) -> TomographyResult:
    r"""A :class:`TomographyResult` from one Bloch estimate (3,) and its covariance (3, 3).

    For estimates whose components are correlated, e.g. readout-mitigated tomography
    (:func:`~qc_reset.stats.mitigation.mitigate_estimate`: the three bases share one estimated assignment
    matrix). ``stderr`` is :math:`\sqrt{\mathrm{diag}\,C}`; the witness interval and verdict come
    from :func:`gaussian_witness_interval`; the C_l1 interval is the percentile interval of
    :math:`C_{l1}(r^*)` over ``n_resamples`` Gaussian draws :math:`r^* \sim N(\hat r, C)`
    (parametric bootstrap). The estimate is not constrained to the Bloch ball (like linear
    inversion); ``estimator`` is recorded as ``"linear_inversion"``.
    """
    r, C = bloch_estimate(bloch, cov)
    if r.shape != (3,) or C.shape != (3, 3):
        raise InputError(f"bloch must have shape (3,) and covariance (3, 3) for one state; got {r.shape}, {C.shape}")
    lv = confidence_level(level)
    rng = np.random.default_rng(_valid_seed(seed))
    draws = gaussian_draws(r, C, resamples(n_resamples), rng)
    lo, hi = confidence_interval(l1_coherence(draws), lv)
    value, wlo, whi = gaussian_witness_interval(r, C, lv, method=witness_method, n_resamples=n_resamples, seed=rng)
    verdict = MagicVerdict(value=float(value), ci=(float(wlo), float(whi)), verdict=str(classify(wlo, whi)),
                           level=lv, method=witness_method)
    return TomographyResult(
        bloch=r,
        stderr=np.sqrt(np.maximum(np.diag(C), 0.0)),
        l1_coherence=Estimate(value=float(l1_coherence(r)), ci=(float(lo), float(hi))),
        magic_witness=verdict,
        level=lv,
        estimator="linear_inversion",
        covariance=C,
        magic_class=class_verdict(r, lv, cov=C),
    )
