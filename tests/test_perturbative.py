"""The paper's perturbative formulas (qc_reset.perturbative) against the exact solver.

Taylor coefficients of the exact facets in g are extracted by symmetric differences with one
Richardson step (facet(g) = 1 + a g + b g^2 + ..., at tanh(1/2T1) = 1), then compared with each
printed formula in its own regime. See docs/perturbative.md for the discrepancies found.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from qc_reset import perturbative as P
from qc_reset.exact import steady_bloch, steady_bloch_unit
from qc_reset.measures import facets, l1_coherence, l1_norm

#: Step of the coefficient extraction, times min(1, p1 + p2) (the radius of convergence in g
#: shrinks with the rates): truncation after Richardson <~ 1e-8 relative, rounding <~ 1e-10.
H = 1e-3
#: Extracted exact a, b versus a formula (a typo changes a coefficient by O(1)).
COEF_RTOL = 1e-6
#: O(g) coefficient at T2 = 1e6: it is ~1e-7, so rounding of the odd part costs ~1e-6.
HIGH_T2_RTOL = 1e-5
#: Exact identities between two closed forms (double-precision rounding).
ALGEBRA_RTOL = 1e-12
#: g^3 residual ratio for g -> g/2 must be 8 to within this (next order is O(g) relative).
RATIO_TOL = 0.1

T2_HIGH = 1e6


def exact_coefficients(p1, p2, T2):
    """(a, b) of the four package facets of the exact steady state (tanh(1/2T1) = 1)."""
    p1, p2, T2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (p1, p2, T2)))
    h = H * np.minimum(1.0, p1 + p2)
    F = facets(steady_bloch_unit(np.stack([h, 2 * h, -h, -2 * h]), p1, p2, T2))
    h = h[..., None]
    odd = ((F[0] - F[2]) / (2 * h), (F[1] - F[3]) / (4 * h))
    even = ((F[0] + F[2] - 2) / (2 * h * h), (F[1] + F[3] - 2) / (8 * h * h))
    return (4 * odd[0] - odd[1]) / 3, ((4 * even[0] - even[1]) / 3)[..., 0]


def formula_coefficients(fn, *args, **kwargs):
    """(a, b) of a quadratic-in-g facet formula, read off at g = +-1 and tanh(1/2T1) = 1."""
    Fp, Fm = fn(1.0, *args, **kwargs), fn(-1.0, *args, **kwargs)
    return (Fp - Fm) / 2, ((Fp + Fm) / 2 - 1)[..., 0]


def assert_coefficients(a, b, a_ref, b_ref, rtol_a=COEF_RTOL, rtol_b=COEF_RTOL):
    scale = np.max(np.abs(a_ref), axis=-1, keepdims=True)
    np.testing.assert_array_less(np.abs(a - a_ref) / scale, rtol_a)
    np.testing.assert_array_less(np.abs(b - b_ref) / np.abs(b_ref), rtol_b)


def exact_tcrit(p1, p2, T2):
    """Exact T_crit from max_g ||f(g)||_1 at tanh(1/2T1) = 1 (dense log grid + refinement)."""
    g = np.geomspace(1e-12, 100.0, 4001)
    i = int(np.argmax(l1_norm(steady_bloch_unit(g, p1, p2, T2))))
    res = minimize_scalar(lambda x: -float(l1_norm(steady_bloch_unit(x, p1, p2, T2))),
                          bounds=(g[max(i - 1, 0)], g[min(i + 1, g.size - 1)]), method="bounded",
                          options={"xatol": 1e-13 * g[i]})
    return 1.0 / (2.0 * np.arctanh(1.0 / -res.fun)), res.x


@pytest.fixture(scope="module")
def random_points():
    rng = np.random.default_rng(20240611)
    n = 200
    return (rng.uniform(0.05, 3.0, n), rng.uniform(0.05, 3.0, n),
            rng.choice([0.0, 0.05, 0.3, 1.0, 3.0, 10.0], n), rng.uniform(0.1, 3.0, n))


@pytest.fixture(scope="module")
def high_T2_points():
    """p, mu for the T2 -> inf limits. There a ~ 1/T2 is tiny next to b ~ 1/p^2, and reading a
    off a formula's values (1 + a g + b g^2) loses |b|/a * 1e-16; p >= 0.2 keeps that < 1e-7."""
    rng = np.random.default_rng(7)
    return rng.uniform(0.2, 3.0, 100), rng.uniform(0.3, 3.0, 100)


# --------------------------------------------------------------------------- Eq. (7), (9)
def test_eq9_matches_exact_expansion(random_points):
    p1, p2, T2, _ = random_points
    a_ex, b_ex = exact_coefficients(p1, p2, T2)
    a, b = P.expansion_coefficients(p1, p2, T2)
    assert_coefficients(a_ex, b_ex, a, b)
    assert_coefficients(*formula_coefficients(P.facets_eq9, p1, p2, 0.0, T2), a, b,
                        ALGEBRA_RTOL, ALGEBRA_RTOL)


@pytest.mark.parametrize(("p1", "p2", "T2"), [(0.3, 0.3, 0.0), (0.2, 1.5, 0.4), (2.0, 0.7, 5.0)],
                         ids=["p=0.3,T2=0", "p1=0.2,p2=1.5,T2=0.4", "p1=2,p2=0.7,T2=5"])
def test_eq9_residual_is_cubic(p1, p2, T2):
    T1 = 0.2
    g = np.array([4e-4, 2e-4])  # small enough that the O(g^4) part of rz is < 2% of O(g^3)
    resid = facets(steady_bloch(g, p1, p2, T1, T2)) - P.facets_eq9(g, p1, p2, T1, T2)
    ratio = resid[0] / resid[1]
    np.testing.assert_allclose(ratio, 8.0, rtol=RATIO_TOL)


def test_eq9_printed_labels_are_package_facets_with_flipped_rx_ry(random_points):
    p1, p2, T2, _ = random_points
    ours = P.facets_eq9(0.05, p1, p2, 0.3, T2)
    printed = P.facets_eq9(0.05, p1, p2, 0.3, T2, printed=True)
    np.testing.assert_allclose(printed, ours[..., list(P.PAPER_FACET_INDEX)], rtol=ALGEBRA_RTOL)


def test_eq9_printed_labels_mislabel_package_facets(random_points):
    """The discrepancy: the paper's 'rx+ry+rz' is NOT the package's +rx+ry+rz (O(g) sign flips)."""
    p1, p2, T2, _ = random_points
    a_ex, _ = exact_coefficients(p1, p2, T2)
    a_printed, _ = formula_coefficients(P.facets_eq9, p1, p2, 0.0, T2, printed=True)
    same_label = [0, 1, 2]  # package +rx+ry+rz, +rx-ry+rz, -rx+ry+rz
    np.testing.assert_allclose(a_printed, -a_ex[..., same_label], rtol=1e-5, atol=1e-9)
    big = np.abs(a_printed) > 1e-3
    assert np.all(np.abs(a_printed - a_ex[..., same_label])[big] > 1.9 * np.abs(a_printed[big]))


@pytest.mark.parametrize(("p1", "p2", "T1", "T2"), [(0.3, 0.3, 0.1, 0.0), (0.1, 2.0, 0.5, 0.7),
                                                    (1.5, 0.4, 0.0, 2.0)],
                         ids=["sym,T2=0", "p2>p1", "T1=0"])
def test_eq7_l1_coherence(p1, p2, T1, T2):
    g = np.array([1e-3, 5e-4])
    c_ex = l1_coherence(steady_bloch(g, p1, p2, T1, T2))
    rel = c_ex / P.l1_coherence_eq7(g, p1, p2, T1, T2) - 1
    assert np.all(np.abs(rel) < 1e-4)
    np.testing.assert_allclose(rel[0] / rel[1], 4.0, rtol=RATIO_TOL)  # relative error O(g^2)


# --------------------------------------------------------------------------- limits
def test_eq10_low_T2_symmetric(random_points):
    p = random_points[0]
    a_ex, b_ex = exact_coefficients(p, p, 0.0)
    assert_coefficients(a_ex, b_ex, *formula_coefficients(P.facets_eq10, p, 0.0))


def test_eq16_high_T2_symmetric(high_T2_points):
    p = high_T2_points[0]
    a_ex, b_ex = exact_coefficients(p, p, T2_HIGH)
    assert_coefficients(a_ex, b_ex, *formula_coefficients(P.facets_eq16, p, 0.0, T2_HIGH),
                        rtol_a=HIGH_T2_RTOL)


def test_eq19_21_low_T2_asymmetric(random_points):
    p, _, _, mu = random_points
    a_ex, b_ex = exact_coefficients(p, mu * p, 0.0)
    assert_coefficients(a_ex, b_ex, *formula_coefficients(P.facets_eq19_21, p, mu, 0.0))


def test_eq22_24_high_T2_asymmetric(high_T2_points):
    p, mu = high_T2_points
    a_ex, b_ex = exact_coefficients(p, mu * p, T2_HIGH)
    assert_coefficients(a_ex, b_ex, *formula_coefficients(P.facets_eq22_24, p, mu, 0.0, T2_HIGH),
                        rtol_a=HIGH_T2_RTOL)


@pytest.mark.parametrize("fn, args", [
    (P.facets_eq10, (0.4, 0.2)),
    (P.facets_eq16, (0.4, 0.2, 50.0)),
    (P.facets_eq19_21, (0.4, 1.7, 0.2)),
    (P.facets_eq22_24, (0.4, 1.7, 0.2, 50.0)),
], ids=["eq10", "eq16", "eq19-21", "eq22-24"])
def test_limit_printed_order_and_third_facet(fn, args):
    g = np.linspace(-0.1, 0.1, 5)
    ours, printed = fn(g, *args), fn(g, *args, printed=True)
    np.testing.assert_allclose(printed, ours[..., list(P.PAPER_FACET_INDEX)], rtol=ALGEBRA_RTOL)


def test_limits_are_limits_of_eq9():
    p, mu, g = np.linspace(0.1, 2, 7), 1.8, 0.03
    np.testing.assert_allclose(P.facets_eq10(g, p, 0.2), P.facets_eq9(g, p, p, 0.2, 0.0), rtol=ALGEBRA_RTOL)
    np.testing.assert_allclose(P.facets_eq19_21(g, p, mu, 0.2), P.facets_eq9(g, p, mu * p, 0.2, 0.0),
                               rtol=ALGEBRA_RTOL)
    T2 = 1e7  # next order in 1/T2 is 1e-14 relative
    np.testing.assert_allclose(P.facets_eq16(g, p, 0.2, T2), P.facets_eq9(g, p, p, 0.2, T2), rtol=1e-12)
    np.testing.assert_allclose(P.facets_eq22_24(g, p, mu, 0.2, T2), P.facets_eq9(g, p, mu * p, 0.2, T2),
                               rtol=1e-12)


# --------------------------------------------------------------------------- T_crit, windows
def test_tcrit_from_exact_coefficients(random_points):
    """T_crit of Eq. (9) equals the one built from the extracted exact Taylor coefficients."""
    p1, p2, T2, _ = random_points
    a_ex, b_ex = exact_coefficients(p1, p2, T2)
    a_max = a_ex.max(axis=-1)
    T_ex = 1.0 / (2.0 * np.arctanh(1.0 / (1.0 + a_max**2 / (-4.0 * b_ex))))
    T, g_opt = P.critical_temperature_perturbative(p1, p2, T2)
    np.testing.assert_allclose(T, T_ex, rtol=10 * COEF_RTOL)
    np.testing.assert_allclose(g_opt, a_max / (-2.0 * b_ex), rtol=10 * COEF_RTOL)


@pytest.mark.parametrize(("p", "rtol"), [(0.02, 1e-7), (0.05, 1e-6), (0.1, 1e-4)],
                         ids=["p=0.02", "p=0.05", "p=0.1"])
def test_tcrit_converges_to_exact_at_weak_optimum(p, rtol):
    """g_opt -> 0 as p -> 0, so perturbative and exact T_crit must merge there."""
    T_ex, g_ex = exact_tcrit(p, p, 0.0)
    T, g_opt = P.critical_temperature_perturbative(p, p, 0.0)
    assert abs(T / T_ex - 1) < rtol
    # The maximum is flat: rounding of F (~1e-16) locates g only to ~sqrt(1e-16/|b|) ~ 1e-5 g_opt
    # at p = 0.02, so the coupling is compared no tighter than 1e-4.
    assert abs(g_opt / g_ex - 1) < max(100 * rtol, 1e-4)


@pytest.mark.parametrize(("p", "within"), [(0.2, True), (0.3, True), (0.6, False), (2.0, False)],
                         ids=["p=0.2", "p=0.3", "p=0.6", "p=2"])
def test_tcrit_one_percent_range_in_docs(p, within):
    """docs/perturbative.md: within 1% of exact for p <= 0.324 (T2 = 0), not e.g. at 0.6 or 2."""
    T_ex, _ = exact_tcrit(p, p, 0.02)
    T, _ = P.critical_temperature_perturbative(p, p, 0.02)
    assert (abs(T / T_ex - 1) < 0.01) == within


def test_eq15_is_general_tcrit_at_low_T2():
    p = np.geomspace(0.01, 10, 25)
    np.testing.assert_allclose(P.tcrit_eq15(p), P.critical_temperature_perturbative(p, p, 0.0)[0],
                               rtol=ALGEBRA_RTOL)
    per = P.tcrit_eq15(p, per_facet=True)
    np.testing.assert_allclose(per[..., 1], per[..., 2], rtol=ALGEBRA_RTOL)  # h1 = -g1


def test_eq15_other_reading_is_wrong():
    """Reading Eq. (15) as f2/(2 f1)^2 instead of f2/(2 f1^2) would miss by > 5%."""
    p = np.array([0.3, 1.0, 3.0])
    q = (1 + 4 * p**2) ** 2
    k = np.maximum(np.abs(p * (4 * p**2 + 4 * p - 1)), np.abs(p * (1 + 4 * p - 4 * p**2))) / q
    f2 = (1 + 6 * p**2 + 24 * p**4) / (p**2 * q)
    wrong = 1.0 / np.log1p(f2 / (2 * k) ** 2)
    assert np.all(np.abs(wrong / P.tcrit_eq15(p) - 1) > 0.05)


@pytest.mark.parametrize("T2", [10.0, 100.0], ids=["T2=10", "T2=100"])
def test_eq18_corrected_vs_printed(T2):
    """Corrected Eq. (18) approaches the exact T_crit as T2 grows; the printed one misses by > 4%."""
    p = 0.3
    T_ex, _ = exact_tcrit(p, p, T2)
    corrected = float(P.tcrit_eq18(p, T2))
    printed = float(P.tcrit_eq18(p, T2, printed=True))
    assert abs(corrected / T_ex - 1) < 0.05 / T2**2  # O(1/T2^2) corrections
    assert printed / T_ex - 1 > 0.04


def test_eq18_corrected_is_general_tcrit_at_high_T2():
    p = np.geomspace(0.01, 10, 25)
    np.testing.assert_allclose(P.tcrit_eq18(p, T2_HIGH), P.critical_temperature_perturbative(p, p, T2_HIGH)[0],
                               rtol=1e-9)
    assert np.all(P.tcrit_eq18(p, T2_HIGH, printed=True) > P.tcrit_eq18(p, T2_HIGH))


@pytest.mark.parametrize(("p1", "p2", "T2"), [(0.05, 0.05, 0.0), (0.05, 0.1, 0.5), (0.08, 0.03, 0.0)],
                         ids=["p=0.05,T2=0", "p1=0.05,p2=0.1,T2=0.5", "p1>p2"])
def test_g_window_edges_are_exact_magic_threshold(p1, p2, T2):
    T_c, g_opt = P.critical_temperature_perturbative(p1, p2, T2)
    T1 = 0.8 * float(T_c)
    lo, hi = P.g_window_perturbative(p1, p2, T1, T2)
    assert 0 < lo < g_opt < hi
    excess_opt = l1_norm(steady_bloch(g_opt, p1, p2, T1, T2)) - 1
    edges = l1_norm(steady_bloch(np.array([lo, hi]), p1, p2, T1, T2)) - 1
    assert excess_opt > 0
    # At the edges the exact excess is the O(g^3) remainder: relative to the peak excess (O(g^2))
    # it is O(g_hi) ~ 1e-3 here; a wrong window would be off by O(1).
    assert np.all(np.abs(edges) < 2e-3 * excess_opt)


def test_g_windows_eq13_eq17_and_empty():
    p = np.linspace(0.1, 2.0, 9)
    T1 = 0.9 * P.tcrit_eq15(p)
    np.testing.assert_allclose(P.g_window_eq13(p, T1), P.g_window_perturbative(p, p, T1, 0.0), rtol=1e-10)
    T1 = 0.9 * P.tcrit_eq18(p, T2_HIGH)
    np.testing.assert_allclose(P.g_window_eq17(p, T1, T2_HIGH), P.g_window_perturbative(p, p, T1, T2_HIGH),
                               rtol=1e-6)
    lo, hi = P.g_window_perturbative(p, p, 1.01 * P.tcrit_eq15(p), 0.0)
    assert np.all(np.isnan(lo)) and np.all(np.isnan(hi))
    lo, hi = P.g_window_perturbative(0.3, 0.3, 0.0, 0.0)  # T1 = 0: window starts at 0
    assert lo == 0.0 and hi > 0


def test_no_magic_is_nan():
    T, g = P.critical_temperature_perturbative([0.3, 0.3], [0.0, 0.3], [0.0, np.inf])
    assert np.all(np.isnan(T)) and np.all(np.isnan(g))
    assert np.all(np.isnan(P.g_window_perturbative(0.3, 0.0, 0.0, 0.0)))


def test_broadcasting_shapes():
    g = np.linspace(0, 0.1, 3)[:, None]
    p = np.array([0.2, 0.5])
    assert P.facets_eq9(g, p, p, 0.1, 0.0).shape == (3, 2, 4)
    assert P.facets_eq9(g, p, p, 0.1, 0.0, printed=True).shape == (3, 2, 3)
    assert P.tcrit_eq18(p[:, None], np.array([1.0, 10.0, 100.0]), per_facet=True).shape == (2, 3, 3)
    T, g_opt = P.critical_temperature_perturbative(0.3, 0.3, 0.0)
    assert T.shape == () and g_opt.shape == ()


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(("call", "match"), [
    (lambda: P.facets_eq9(0.1, 0.0, 0.3, 0.1, 0.0), r"p1 must be a number in \(0, \+inf\)"),
    (lambda: P.facets_eq9(0.1, 0.3, -1.0, 0.1, 0.0), r"p2 must be a number in \[0, \+inf\)"),
    (lambda: P.facets_eq9(np.inf, 0.3, 0.3, 0.1, 0.0), r"g must be a number"),
    (lambda: P.facets_eq9(0.1, 0.3, 0.3, -0.1, 0.0), r"T1 must be a number in \[0, \+inf\]"),
    (lambda: P.l1_coherence_eq7(0.1, 0.3, 0.3, 0.1, np.nan), r"T2 must be a number in \[0, \+inf\]"),
    (lambda: P.facets_eq16(0.1, 0.3, 0.1, 0.0), r"T2 must be a number in \(0, \+inf\]"),
    (lambda: P.facets_eq19_21(0.1, 0.3, -0.5, 0.1), r"mu must be a number in \[0, \+inf\)"),
    (lambda: P.tcrit_eq15(0.0), r"p must be a number in \(0, \+inf\)"),
    (lambda: P.tcrit_eq18(0.3, 0.0), r"T2 must be a number"),
    (lambda: P.critical_temperature_perturbative([0.1, 0.2], [0.1, 0.2, 0.3], 0.0), r"broadcast"),
    (lambda: P.g_window_perturbative(0.3, 0.3, np.nan, 0.0), r"T1 must be"),
], ids=["p1=0", "p2<0", "g=inf", "T1<0", "T2=nan", "eq16 T2=0", "mu<0", "eq15 p=0", "eq18 T2=0",
        "shapes", "window T1=nan"])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_tcrit_at_p1_zero_is_the_p1_to_zero_limit():
    """b ~ 1/p1, so the perturbative T_crit falls to 0 as p1 -> 0+; at p1 = 0 it is nan (no magic),
    matching the exact solution, where p1 = 0 gives r = 0."""
    T, g = P.critical_temperature_perturbative(np.array([0.0, 1e-6, 1e-3]), 0.3, 0.02)
    assert np.isnan(T[0]) and np.isnan(g[0])
    assert 0 < T[1] < T[2] < 0.1
