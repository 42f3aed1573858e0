"""The p2 -> inf effective model and the supremum of qubit-1 magic, against the exact solver."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from qc_reset._checks import InputError
from qc_reset.model.optimum import (
    G_OPT,
    P1_OPT,
    SUP_L1,
    SUP_PAIR,
    best_l1_bounded,
    effective_bloch,
    effective_l1,
    optimal_p1,
)
from qc_reset.model.steady import steady_bloch

#: Closed forms evaluated in double precision.
EXACT_TOL = 1e-12


def test_constants() -> None:
    assert abs(SUP_L1 - 1.3660254037844386) < EXACT_TOL
    assert abs(SUP_PAIR - 1.2071067811865475) < EXACT_TOL
    assert abs(effective_l1(G_OPT, P1_OPT) - SUP_L1) < EXACT_TOL


def test_effective_steady_state_solves_its_bloch_equation() -> None:
    rng = np.random.default_rng(0)
    for g, p1, T1, T2 in rng.uniform([-1, 0.01, 0, 0], [1, 3, 2, 2], size=(20, 4)):
        z1, x2 = math.tanh(0.5 / T1), math.tanh(0.5 / T2)
        r = effective_bloch(g, p1, T1, T2)
        w = np.array([g * x2, 0.0, -0.5])
        np.testing.assert_allclose(np.cross(w, r) - p1 * (r - [0, 0, z1]), 0.0, atol=EXACT_TOL)


@pytest.mark.parametrize("g, p1, T2", [(0.2, 0.3, 0.0), (G_OPT, P1_OPT, 0.0), (0.05, 1.0, 0.7)])
def test_exact_solver_approaches_effective_model(g: float, p1: float, T2: float) -> None:
    ref = effective_bloch(g, p1, 0.0, T2)
    errs = [np.max(np.abs(steady_bloch(g, p1, p2, 0.0, T2) - ref)) for p2 in (1e3, 1e4, 1e5)]
    assert errs[-1] < 1e-4
    # O(1/p2) convergence: each decade of p2 divides the error by about 10.
    assert errs[1] < 0.2 * errs[0] and errs[2] < 0.2 * errs[1]


def test_sup_is_the_optimum_of_the_exact_solver_at_large_p2() -> None:
    p2 = 1e9  # corrections are O(1/p2): below 1e-8 here
    res = minimize(lambda x: -float(np.abs(steady_bloch(x[0], x[1], p2, 0.0, 0.0)).sum()), [0.3, 0.6],
                   method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-14})
    assert -res.fun <= SUP_L1 + 1e-12
    assert SUP_L1 - (-res.fun) < 1e-7
    np.testing.assert_allclose(res.x, [G_OPT, P1_OPT], atol=1e-3)


def test_sup_is_not_beaten_by_a_grid_of_the_exact_solver() -> None:
    G = np.linspace(0.02, 1.0, 50)
    P = np.geomspace(1e-2, 1e2, 40)
    F = np.abs(steady_bloch(G[:, None, None], P[None, :, None], P[None, None, :], 0.0, 0.0)).sum(-1)
    assert F.max() < SUP_L1


def test_optimal_p1_and_bounded_coupling_against_brute_force() -> None:
    P = np.linspace(1e-3, 3.0, 300_001)
    for g_max in (0.05, 0.1, 0.2, 0.3):
        value, g, p1 = best_l1_bounded(g_max)
        G = np.linspace(g_max / 200, g_max, 200)
        brute = effective_l1(G[:, None], P[::100][None, :])
        assert value >= brute.max() - 1e-12 and value - brute.max() < 1e-5
        assert abs(p1 - P[np.argmax(effective_l1(g_max, P))]) < 1e-4
    assert best_l1_bounded(1.0) == (SUP_L1, G_OPT, P1_OPT)
    np.testing.assert_allclose(optimal_p1(G_OPT), P1_OPT, atol=EXACT_TOL)


@pytest.mark.parametrize("g_max, expected", [(0.05, 1.11134), (0.1, 1.20155), (0.2, 1.31601)])
def test_bounded_coupling_matches_exact_solver(g_max: float, expected: float) -> None:
    value, g, p1 = best_l1_bounded(g_max)
    assert abs(value - expected) < 1e-5
    exact = float(np.abs(steady_bloch(g, p1, 1e9, 0.0, 0.0)).sum())
    assert abs(exact - value) < 1e-8


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="p1"):
        effective_bloch(0.1, 0.0)
    with pytest.raises(InputError, match="T2"):
        effective_bloch(0.1, 0.5, 0.0, -1.0)
    with pytest.raises(InputError, match="g_max"):
        best_l1_bounded(0.0)
