"""Step-size (multi-product) extrapolation: exactness on polynomial error models, the exact steady state,
the shot allocation and the calibration of the combined witness interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import ndtri

from qc_reset._checks import InputError
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.model.steady import steady_bloch
from qc_reset.run.extrapolation import extrapolate_fixed_points, extrapolated_tomography, mpf_coefficients
from qc_reset.stats.estimators import sample_counts
from qc_reset.stats.extrapolation import (
    combine,
    combined_estimate,
    combined_witness,
    combined_witness_interval,
    optimal_allocation,
    sampling_overhead,
)

REFERENCE = Params(0.06, 0.3, 0.3, 0.1, 0.02)
EXACT = 1e-12  # exact linear algebra on O(1) numbers (the solves are 2x2 to 4x4, well conditioned here)


def _powers(order: int, k: int) -> list[int]:
    """The error powers of a Lie-Trotter (1, 2, 3, ...) or Strang (2, 4, 6, ...) fixed point."""
    return [order + (2 if order == 2 else 1) * j for j in range(k)]


@pytest.mark.parametrize("order", [1, 2], ids=["lie", "strang"])
@pytest.mark.parametrize("dts", [[0.5, 0.25], [1.0, 0.5, 1 / 3], [0.8, 0.6, 0.4, 0.3]], ids=["K2", "K3", "K4"])
def test_coefficients_cancel_polynomial_orders_exactly(order: int, dts: list[float]) -> None:
    # A vector-valued error model a_0 + sum_j a_j dt^{p_j} with the first K - 1 powers is extrapolated
    # exactly; the next power is not (its residual is a_K sum_k c_k dt_k^{p_K}, checked to be nonzero).
    rng = np.random.default_rng(7)
    k = len(dts)
    c = mpf_coefficients(dts, order=order)
    x = np.array(dts)
    a = rng.normal(size=(k + 1, 3))
    powers = _powers(order, k)
    f = a[0] + sum(a[j + 1] * x[:, None] ** p for j, p in enumerate(powers[:-1]))
    np.testing.assert_allclose(combine(f, c), a[0], atol=EXACT, rtol=0)
    assert abs(c.sum() - 1.0) < EXACT
    moment = float(c @ x ** powers[-1])
    assert abs(moment) > 1e-6  # the first uncancelled order survives: the powers are the right ones
    g = f + a[k][None, :] * x[:, None] ** powers[-1]
    np.testing.assert_allclose(combine(g, c), a[0] + a[k] * moment, atol=EXACT, rtol=0)


def test_two_point_richardson_by_hand() -> None:
    # Strang, dt and dt/2: c = (-1/3, 4/3) cancels dt^2; Lie-Trotter: c = (-1, 2) cancels dt.
    np.testing.assert_allclose(mpf_coefficients([0.5, 0.25], order=2), [-1 / 3, 4 / 3], atol=EXACT)
    np.testing.assert_allclose(mpf_coefficients([0.5, 0.25], order=1), [-1.0, 2.0], atol=EXACT)
    # Only the ratios matter, and the order of the nodes is the order of the coefficients.
    np.testing.assert_allclose(mpf_coefficients([0.2, 0.1], order=2), [-1 / 3, 4 / 3], atol=EXACT)
    np.testing.assert_allclose(mpf_coefficients([0.25, 0.5], order=2), [4 / 3, -1 / 3], atol=EXACT)


@pytest.mark.parametrize(("order", "dts", "rate"), [(2, [1.0, 0.5, 1 / 3], 64.0), (1, [1.0, 0.5, 1 / 3, 0.25], 16.0)],
                         ids=["strang3", "lie4"])
def test_extrapolated_fixed_point_converges_to_exact_steady_state(order: int, dts: list[float], rate: float) -> None:
    # Against the exact continuous steady state (resolvent solver, independent of the step channels): the
    # combination removes orders, and halving every step size shrinks its error by 2^(order of the
    # first uncancelled term): 2^6 for three Strang points, 2^4 for four Lie-Trotter points. Asymptotic,
    # so within a factor 1.5 at these step sizes.
    ex = extrapolate_fixed_points(REFERENCE, dts, order=order)
    half = extrapolate_fixed_points(REFERENCE, np.array(dts) / 2, order=order)
    np.testing.assert_allclose(ex.bloch_exact, steady_bloch(0.06, 0.3, 0.3, 0.1, 0.02), atol=1e-13)
    assert ex.combined_max_error < 1e-3 * ex.max_errors.min()
    ratio = ex.combined_max_error / half.combined_max_error
    assert rate / 1.5 < ratio < rate * 1.5, ratio
    # Each single fixed point converges at the formula's own order (dt^2 Strang, dt Lie-Trotter).
    single = ex.max_errors[0] / half.max_errors[0]
    assert (4.0 if order == 2 else 2.0) / 1.2 < single < (4.0 if order == 2 else 2.0) * 1.2


def test_overhead_and_allocation() -> None:
    c = mpf_coefficients([1.0, 0.5, 1 / 3], order=2)
    assert sampling_overhead(c) == pytest.approx(np.abs(c).sum() ** 2, rel=EXACT)
    n = optimal_allocation(c, 100_000)
    assert n.sum() == 100_000 and n.min() >= 1
    np.testing.assert_allclose(n / n.sum(), np.abs(c) / np.abs(c).sum(), atol=1e-4)
    # The optimum's variance (equal per-shot variances) is (sum |c|)^2 / N: the sampling overhead
    # times a single estimate's variance; an equal split is worse.
    var = lambda m: float(np.sum(c**2 / m))  # noqa: E731
    assert var(n) == pytest.approx(sampling_overhead(c) / 100_000, rel=1e-3)
    assert var(optimal_allocation(np.full(3, 1 / 3), 100_000)) > 1.5 * var(n)
    # Per-estimate variances shift shots towards the noisier estimates (N_k ~ |c_k| sqrt(v_k)).
    m = optimal_allocation([0.5, 0.5], 10_000, variances=[1.0, 4.0])
    assert m.tolist() == [3334, 6666] or m.tolist() == [3333, 6667]


def _facet_point() -> Params:
    """A stabilizer point on the facet -rx + ry + rz = 1 of the exact steady state (the reference point with
    the heat bath warmed until ||r||_1 = 1; ||r||_1 decreases with T1)."""
    def l1(T1: float) -> float:
        return float(measures.l1_norm(steady_bloch(0.06, 0.3, 0.3, T1, 0.02))) - 1.0
    return Params(0.06, 0.3, 0.3, brentq(l1, 0.1, 1.0, xtol=1e-14), 0.02)


def test_combined_witness_false_magic_rate_on_the_facet() -> None:
    # At a point on the octahedron's facet (W = 0 for the continuous steady state; the extrapolated
    # mean differs by the uncancelled order, < 1e-7, against a standard error ~1e-2), counts of each
    # step size's fixed point are drawn R times with the optimal allocation. "magic" is a false verdict
    # there: its rate must stay <= alpha (the union bound gives about alpha/8 inside one facet);
    # tolerance 3 binomial standard errors of the rate. The two-sided coverage must reach the level.
    p = _facet_point()
    ex = extrapolate_fixed_points(p, [1.0, 0.5, 1 / 3], order=2)
    truth = float(measures.l1_norm(ex.bloch_combined)) - 1.0
    assert abs(truth) < 1e-7
    reps, alpha = 20_000, 0.05
    shots = optimal_allocation(ex.coefficients, 30_000)
    counts = np.stack([sample_counts(np.broadcast_to(r, (reps, 3)), int(n), seed=100 + k)
                       for k, (r, n) in enumerate(zip(ex.bloch, shots, strict=True))])
    value, lo, hi = combined_witness_interval(counts, ex.coefficients, 1 - alpha)
    margin = 3 * np.sqrt(alpha * (1 - alpha) / reps)
    false_magic = float(np.mean(lo > 0))
    assert false_magic <= alpha + margin, false_magic
    coverage = float(np.mean((lo <= truth) & (truth <= hi)))
    assert coverage >= 1 - alpha - margin, coverage
    # The interval is the combination's: its half-width is z_{1-a/8} sqrt(sum_k c_k^2 sum_i (1 - r_ki^2)/N_k),
    # about sqrt(overhead) times a single run of all the shots (not the single-run width).
    expected = ndtri(1 - alpha / 8) * np.sqrt(np.sum(ex.coefficients**2 * (1 - ex.bloch**2).sum(axis=1) / shots))
    assert np.median(hi - value) == pytest.approx(expected, rel=0.02)
    # A single run's interval at the same total shots would be sqrt(overhead) ~ 3x narrower: the
    # combination's variance is not the single-run one.
    assert expected > 2.5 * ndtri(1 - alpha / 8) * np.sqrt((1 - ex.bloch[2] ** 2).sum() / 30_000)


def test_combined_witness_on_aer_tomography() -> None:
    # Shot-based runs on Aer at three Strang step sizes: the combined estimate is within 4 standard errors
    # of the exact combination of fixed points (runs converged to a tenth of the shot noise).
    run = extrapolated_tomography(REFERENCE, [1.0, 0.5, 1 / 3], total_shots=40_000, seed=3)
    assert run.shots.sum() == 40_000
    z = np.abs(run.bloch - run.exact.bloch_combined) / run.stderr
    assert np.all(z < 4), z
    r, C = combined_estimate(run.counts, run.exact.coefficients)
    np.testing.assert_allclose(r, run.bloch, atol=EXACT)
    assert combined_witness(run.counts, run.exact.coefficients).to_dict() == run.witness.to_dict()
    # the reported standard errors are the binomial formula of the combination, not just self-consistent:
    # sqrt(sum_k c_k^2 (1 - r_k^2) / N_k) with the exact fixed points r_k (measured ratio 0.97-1.00)
    c = run.exact.coefficients
    expected = np.sqrt(np.sum(c[:, None] ** 2 * (1 - run.exact.bloch**2) / run.shots[:, None], axis=0))
    np.testing.assert_allclose(run.stderr, expected, rtol=0.05)
    d = run.to_dict()
    assert d["magic_witness"]["verdict"] == run.witness.verdict and len(d["steps"]) == 3


def test_validation() -> None:
    with pytest.raises(InputError, match="dts must be distinct"):
        mpf_coefficients([0.5, 0.5])
    with pytest.raises(InputError, match="dts must be a list of 2 to 8"):
        mpf_coefficients([0.5])
    with pytest.raises(InputError, match="dts must all be > 0"):
        mpf_coefficients([0.5, -0.1])
    with pytest.raises(InputError, match="order must be one of"):
        mpf_coefficients([0.5, 0.25], order=3)
    with pytest.raises(InputError, match="coefficients must sum to 1"):
        combine(np.ones((2, 3)), [0.5, 0.6])
    with pytest.raises(InputError, match="one entry per estimate"):
        combine(np.ones((3, 3)), [0.5, 0.5])
    with pytest.raises(InputError, match="total_shots must be at least"):
        optimal_allocation([2.0, -1.0, 0.0], 2)
    with pytest.raises(InputError, match="allocation must be one of"):
        extrapolated_tomography(REFERENCE, [1.0, 0.5], total_shots=100, seed=1, allocation="best")
    with pytest.raises(InputError, match=r"counts must have shape \(K, 3, 2\) for one state"):
        combined_witness(np.ones((2, 4, 3, 2)), [2.0, -1.0])
