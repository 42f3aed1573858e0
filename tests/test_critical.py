"""Exact critical temperature and g windows against brute-force dense grids."""

from __future__ import annotations

import numpy as np
import pytest

from qc_reset import measures
from qc_reset.critical import critical_temperature, g_window, magic_map, max_l1_norm
from qc_reset.exact import steady_bloch

#: The golden-section refinement converges F* to ~1e-15; a dense brute-force grid can only
#: *under*-estimate the true maximum, so the search must never lose to it by more than this.
SEARCH_TOL = 1e-12
EXACT_TOL = 1e-12
DENSE_G = np.concatenate([np.geomspace(1e-10, 1e-3, 20_000), np.linspace(1e-3, 4.0, 400_001)])


def _brute_F(p1: float, p2: float, T2: float) -> tuple[float, float]:
    F = measures.l1_norm(steady_bloch(DENSE_G, p1, p2, 0.0, T2))
    i = int(np.argmax(F))
    return float(F[i]), float(DENSE_G[i])


# Points chosen to include a global maximum on the non-perturbative branch near g = 1/2
# (the first two), asymmetric rates, hot spin bath, and tiny rates.
CASES = [
    (0.735, 0.0164, 0.0),
    (0.4724, 0.0332, 0.02),
    (0.3, 0.3, 0.0),
    (0.3, 0.3, 0.02),
    (1.0, 1.0, 0.1),
    (0.05, 0.5, 0.3),
    (0.01, 0.02, 0.0),
    (2.0, 0.2, 0.0),
]


@pytest.mark.parametrize(("p1", "p2", "T2"), CASES, ids=[f"p1={a}-p2={b}-T2={c}" for a, b, c in CASES])
def test_max_l1_norm_is_global(p1: float, p2: float, T2: float) -> None:
    F_star, g_opt = max_l1_norm(p1, p2, T2)
    F_brute, g_brute = _brute_F(p1, p2, T2)
    assert F_star >= F_brute - SEARCH_TOL
    # ... and it is a real value of F, attained at the reported coupling.
    F_at = float(measures.l1_norm(steady_bloch(g_opt, p1, p2, 0.0, T2)))
    # Same g, batched vs single solve: equal up to rounding of the linear algebra.
    assert F_at == pytest.approx(float(F_star), abs=EXACT_TOL)


def test_global_branch_is_not_the_perturbative_one() -> None:
    """At (0.735, 0.0164, 0) the best coupling is near the resonance g ~ 1/2, not at small g."""
    F_star, g_opt = max_l1_norm(0.735, 0.0164, 0.0)
    small = DENSE_G < 0.1
    F_small = measures.l1_norm(steady_bloch(DENSE_G[small], 0.735, 0.0164, 0.0, 0.0)).max()
    assert 0.4 < g_opt < 1.0
    assert F_star > F_small + 0.01


def test_critical_temperature_definition() -> None:
    """Just below T_crit the state at g_opt has magic; just above, no g (dense grid) does."""
    p1, p2, T2 = 0.3, 0.3, 0.02
    T_crit, g_opt = critical_temperature(p1, p2, T2)
    below = measures.l1_norm(steady_bloch(g_opt, p1, p2, T_crit * (1 - 1e-6), T2))
    assert below > 1.0
    above = measures.l1_norm(steady_bloch(DENSE_G, p1, p2, T_crit * (1 + 1e-6), T2))
    assert above.max() < 1.0


def test_critical_temperature_vectorized_matches_scalar() -> None:
    p = np.array([0.05, 0.3, 0.9, 1.5])
    T, g = critical_temperature(p, p, 0.02)
    for i, pi in enumerate(p):
        Ti, gi = critical_temperature(pi, pi, 0.02)
        assert T[i] == pytest.approx(Ti, rel=1e-12)
        assert g[i] == pytest.approx(gi, rel=1e-9)


@pytest.mark.parametrize(("p1", "p2", "T2"), [(0.3, 0.3, np.inf), (0.3, 0.0, 0.02), (0.0, 0.3, 0.02)],
                         ids=["hot-spin-bath", "p2=0", "p1=0"])
def test_no_magic_gives_nan(p1: float, p2: float, T2: float) -> None:
    """No source of coherence (tau2 = I/2, or qubit 2 never reset) or no heat-bath polarization
    of qubit 1 (p1 = 0 gives r = 0): no magic at any temperature, exactly. F = 1 + 2e-16 from
    rounding must not turn into a spurious T_crit."""
    T, g = critical_temperature(p1, p2, T2)
    assert np.isnan(T) and np.isnan(g)
    assert g_window(p1, p2, 0.0, T2).empty
    _, magic = magic_map(np.geomspace(1e-12, 1.0, 200), [0.0, 0.1], p1, p2, T2)
    assert not magic.any()


def test_bad_method_and_parameters() -> None:
    with pytest.raises(ValueError, match="method must be"):
        critical_temperature(0.3, 0.3, 0.0, method="fast")
    with pytest.raises(ValueError, match="p1"):
        critical_temperature(-0.3, 0.3, 0.0)
    with pytest.raises(ValueError, match="T2"):
        critical_temperature(0.3, 0.3, float("nan"))


@pytest.mark.parametrize(("p1", "p2", "T1", "T2"), [(0.3, 0.3, 0.15, 0.02), (0.735, 0.0164, 0.05, 0.0)],
                         ids=["symmetric", "three-windows"])
def test_g_window_matches_dense_grid(p1: float, p2: float, T1: float, T2: float) -> None:
    win = g_window(p1, p2, T1, T2)
    assert not win.empty
    g = DENSE_G
    magic = measures.l1_norm(steady_bloch(g, p1, p2, T1, T2)) > 1.0
    inside = np.array([win.contains(x) for x in g[:: 50]])
    # Away from the boundaries (resolution of the subsampled grid) the two agree exactly.
    assert np.mean(inside == magic[:: 50]) > 0.999
    for lo, hi in win.intervals:
        eps = 1e-9 * max(lo, 1e-6)
        # Just inside the interval there is magic, just outside there is none.
        assert measures.l1_norm(steady_bloch(lo + 10 * eps, p1, p2, T1, T2)) > 1.0
        if lo > 0:
            assert measures.l1_norm(steady_bloch(lo - 10 * eps, p1, p2, T1, T2)) <= 1.0 + 1e-15
        assert measures.l1_norm(steady_bloch(hi * (1 - 1e-9), p1, p2, T1, T2)) > 1.0
        assert measures.l1_norm(steady_bloch(hi * (1 + 1e-9), p1, p2, T1, T2)) <= 1.0 + 1e-15


def test_three_windows_case_has_three_windows() -> None:
    assert len(g_window(0.735, 0.0164, 0.05, 0.0).intervals) == 3


def test_window_empty_above_tcrit_and_symmetric_in_g() -> None:
    T_crit, g_opt = critical_temperature(0.3, 0.3, 0.02)
    assert g_window(0.3, 0.3, T_crit * 1.001, 0.02).empty
    win = g_window(0.3, 0.3, T_crit * 0.99, 0.02)
    assert win.contains(g_opt) and win.contains(-g_opt)
    r_plus = steady_bloch(g_opt, 0.3, 0.3, 0.1, 0.02)
    r_minus = steady_bloch(-g_opt, 0.3, 0.3, 0.1, 0.02)
    np.testing.assert_allclose(r_minus, r_plus * np.array([-1, -1, 1]), atol=1e-14)


def test_magic_map_matches_pointwise_solver() -> None:
    """The factorized map equals direct steady-state solves at every grid point."""
    g = np.linspace(0.001, 0.3, 37)
    T1 = np.linspace(0.02, 0.4, 23)
    l1, magic = magic_map(g, T1, 0.3, 0.3, 0.02)
    G, TT = np.meshgrid(g, T1)
    direct = measures.l1_norm(steady_bloch(G, 0.3, 0.3, TT, 0.02))
    np.testing.assert_allclose(l1, direct, rtol=1e-13)
    assert magic.any() and not magic.all()
    np.testing.assert_array_equal(magic, direct > 1)
    with pytest.raises(ValueError, match="1-d"):
        magic_map(G, T1, 0.3, 0.3, 0.02)


def test_bad_shapes_and_empty() -> None:
    T, g = critical_temperature(np.array([]), np.array([]), 0.0)
    assert T.shape == (0,) and g.shape == (0,)
    with pytest.raises(ValueError, match="p1 must be a scalar"):
        g_window(np.array([0.3]), 0.3, 0.1, 0.0)  # type: ignore[arg-type]


def test_perturbative_method_returns_floats_for_scalars() -> None:
    T, g = critical_temperature(0.3, 0.3, 0.02, method="perturbative")
    assert isinstance(T, float) and isinstance(g, float)
