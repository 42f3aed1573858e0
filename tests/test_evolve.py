"""dynamics.evolve against scipy.linalg.expm of the complex 16x16 Liouvillian, at generic and degenerate points.

The reference shares no code with the solver: it exponentiates ``model.liouvillian`` (the
row-major complex superoperator, not the real Pauli-basis generator) with SciPy's Pade
``expm``. The points include the degenerate ones where eigenvalues
coincide (g = 0, p1 = p2, T = 0 or inf) and an exceptional point (g = p1/2, where the
generator has a Jordan block and no eigenbasis), on which the solver must fall back to ``expm``.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from qc_reset import exact
from qc_reset.model import Params, dynamics

from .helpers import assert_density_matrix

#: The eigenbasis path loses about cond(V) * eps; it is used only for cond(V) <= dynamics.EIG_COND_MAX
#: (1e4), so its error is <= 1e4 * 2.2e-16 * (a few) ~ 1e-11 in the worst accepted case, and
#: ~1e-14 at the typical cond(V) ~ 100. The Pade reference itself is good to ~1e-14.
EVOLVE_TOL = 1e-11

X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)


def _state(r1: tuple[float, float, float], r2: tuple[float, float, float], entangle: float = 0.0) -> np.ndarray:
    def one(r: tuple[float, float, float]) -> np.ndarray:
        return 0.5 * (np.eye(2) + r[0] * X + r[1] * Y + r[2] * Z)

    rho = np.kron(one(r1), one(r2))
    # A small real XX + YY correlation keeps the state positive and populates the two-qubit block.
    return rho + entangle * 0.25 * (np.kron(X, X) + np.kron(Y, Y))


RHO0 = _state((0.3, -0.5, 0.6), (0.1, 0.7, -0.2), entangle=0.05)
TIMES = np.array([0.0, 0.05, 0.3, 1.7, 6.0, 25.0, 130.0])

CASES = {
    "generic": Params(0.06, 0.3, 0.3, 0.1, 0.02),
    "strong-g": Params(1.3, 0.2, 0.9, 0.4, 3.0),
    "g=0": Params(0.0, 0.3, 0.5, 0.1, 0.02),
    "g=0,p1=p2,T1=0,T2=inf": Params(0.0, 0.3, 0.3, 0.0, np.inf),
    "p1=p2,T1=T2=0": Params(0.2, 0.7, 0.7, 0.0, 0.0),
    "T1=T2=inf": Params(0.4, 0.5, 0.2, np.inf, np.inf),
    "p2=0": Params(-0.8, 0.6, 0.0, 0.2, 1.0),
    "g=0,p1=0 (no unique steady state)": Params(0.0, 0.0, 0.8, 0.3, 0.1),
    "exceptional g=p1/2": Params(0.15, 0.3, 0.5, 0.1, 0.02),
    # cond(V) ~ 2 / sqrt(g - p1/2) ~ 6e3 here: the eigenbasis path close to its acceptance limit.
    "near exceptional": Params(0.15 + 1e-7, 0.3, 0.5, 0.1, 0.02),
}


def expm_reference(params: Params, rho0: np.ndarray, times: np.ndarray) -> np.ndarray:
    L = params.liouvillian()
    return (scipy.linalg.expm(L[None] * times[:, None, None]) @ rho0.reshape(16)).reshape(-1, 4, 4)


@pytest.mark.parametrize("params", list(CASES.values()), ids=list(CASES))
def test_evolve_matches_expm(params: Params) -> None:
    rho_t = dynamics.evolve(params, RHO0, TIMES)
    np.testing.assert_allclose(rho_t, expm_reference(params, RHO0, TIMES), atol=EVOLVE_TOL, rtol=0)
    assert_density_matrix(rho_t, atol=EVOLVE_TOL)


def test_dense_grid_of_the_transient_figure() -> None:
    """The figure's grid (801 times on [0, 40]) at its own parameters, every point checked."""
    times = np.linspace(0.0, 40.0, 801)
    params = Params(0.06, 0.3, 0.3, 0.3, 0.02)
    rho0 = np.kron(params.tau1(), params.tau2())
    np.testing.assert_allclose(dynamics.evolve(params, rho0, times), expm_reference(params, rho0, times),
                               atol=EVOLVE_TOL, rtol=0)


def test_long_times_reach_the_steady_state_without_growth() -> None:
    """Rounding must not make a decaying or conserved mode grow over very long times."""
    params = Params(0.4, 0.5, 0.6, 0.1, 0.3)
    rho_t = dynamics.evolve(params, RHO0, np.array([1e4, 1e8]))
    steady = exact.steady_state(0.4, 0.5, 0.6, 0.1, 0.3)
    np.testing.assert_allclose(rho_t, np.stack([steady, steady]), atol=EVOLVE_TOL, rtol=0)


class _CountingExpm:
    def __init__(self) -> None:
        self.calls = 0
        self._expm = scipy.linalg.expm

    def __call__(self, A: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self._expm(A)


@pytest.mark.parametrize(("name", "uses_expm"), [("generic", False), ("g=0,p1=p2,T1=0,T2=inf", False),
                                                  ("near exceptional", False), ("exceptional g=p1/2", True)])
def test_expm_only_where_the_eigenbasis_is_ill_conditioned(monkeypatch: pytest.MonkeyPatch, name: str,
                                                           uses_expm: bool) -> None:
    counter = _CountingExpm()
    monkeypatch.setattr(scipy.linalg, "expm", counter)
    dynamics.evolve(CASES[name], RHO0, TIMES)
    assert (counter.calls > 0) == uses_expm
