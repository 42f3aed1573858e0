"""Distillability classes and class critical temperatures against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model.critical import critical_temperature
from qc_reset.model.magic import (
    T_THRESHOLD_FIDELITY,
    T_THRESHOLD_L1,
    class_functional,
    critical_temperature_class,
    distillable,
    distillation_margin,
    magic_class,
    max_class_functional,
    twirled_fidelity,
    twirled_polarization,
)
from qc_reset.model.steady import steady_bloch

#: Closed forms against matrix computations on 2x2 states: a few ulps of O(1) numbers.
EXACT_TOL = 1e-12
#: The class searches agree with the existing magic search to this (both refine to ~1e-15 in F).
TCRIT_TOL = 1e-9

X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)


def _cliffords() -> list[np.ndarray]:
    """The 24 one-qubit Cliffords mod phase, by closure of {H, S} (independent of the package)."""
    H = np.array([[1, 1], [1, -1]], dtype=complex) / math.sqrt(2)
    S = np.diag([1, 1j])
    out = [np.eye(2, dtype=complex)]
    for U in out:  # grows while iterating: breadth-first closure
        for G in (H, S):
            V = G @ U
            if not any(abs(abs(np.trace(W.conj().T @ V)) - 2) < 1e-9 for W in out):
                out.append(V)
    return out


CLIFFORDS = _cliffords()


def _rho(r: np.ndarray) -> np.ndarray:
    return 0.5 * (np.eye(2) + r[0] * X + r[1] * Y + r[2] * Z)


def _ket_projector(axis: np.ndarray) -> np.ndarray:
    return _rho(axis / np.linalg.norm(axis))


def _best_fidelity(r: np.ndarray, axis: np.ndarray) -> float:
    """max over the 24 Cliffords of <m| C rho C^dag |m>, |m> the pure state on `axis`."""
    P = _ket_projector(axis)
    rho = _rho(r)
    return max(float(np.trace(P @ C @ rho @ C.conj().T).real) for C in CLIFFORDS)


def test_clifford_group_has_24_elements() -> None:
    assert len(CLIFFORDS) == 24


@pytest.mark.parametrize("seed", range(3))
def test_twirled_fidelity_is_the_clifford_maximum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rs = rng.normal(size=(20, 3))
    rs *= (rng.uniform(0, 1, 20) ** (1 / 3) / np.linalg.norm(rs, axis=1))[:, None]
    for r in rs:
        assert abs(_best_fidelity(r, np.ones(3)) - twirled_fidelity(r, "T")) < EXACT_TOL
        assert abs(_best_fidelity(r, np.array([1.0, 0, 1])) - twirled_fidelity(r, "H")) < EXACT_TOL


def test_twirl_maps_onto_the_axis_keeping_its_polarization() -> None:
    # The H twirl {I, Hadamard}: average of rho and H rho H keeps the (1,0,1)/sqrt2 component only.
    H = np.array([[1, 1], [1, -1]]) / math.sqrt(2)
    r = np.array([0.3, -0.4, 0.5])
    tw = 0.5 * (_rho(r) + H @ _rho(r) @ H)
    b = np.array([np.trace(tw @ P).real for P in (X, Y, Z)])
    np.testing.assert_allclose(b, [0.4, 0.0, 0.4], atol=EXACT_TOL)


def test_threshold_algebra() -> None:
    # F_T = (1 + sqrt(3/7))/2 <=> ||r||_1 = 3/sqrt7 on the T axis.
    r = T_THRESHOLD_L1 * np.ones(3) / 3
    assert abs(twirled_fidelity(r, "T") - T_THRESHOLD_FIDELITY) < EXACT_TOL
    assert abs(T_THRESHOLD_L1 - 1.1338934190276817) < EXACT_TOL
    assert abs(distillation_margin(r, "T")) < EXACT_TOL


KNOWN = [
    (np.ones(3) / math.sqrt(3), "distillable (T, H)"),  # T state: its pair sums 2/sqrt3 > 1 too
    (np.array([1.0, 0, 1]) / math.sqrt(2), "distillable (T, H)"),  # H state: ||r||_1 = sqrt2 > 1.134
    (np.ones(3) / 3, "stabilizer"),  # facet centre
    (np.array([0.5, 0, 0.5]), "stabilizer"),  # edge midpoint
    (np.array([0, 0, 1.0]), "stabilizer"),  # vertex
    (0.37 * np.ones(3), "magic"),  # just outside a facet: ||r||_1 = 1.11, pairs 0.74
    (np.array([0.55, 0.0, 0.5]), "distillable (H)"),  # just outside an edge
    (np.array([0.45, 0.45, 0.27]), "distillable (T)"),  # ||r||_1 = 1.17, pairs 0.9
]


def test_known_points() -> None:
    rs = np.array([r for r, _ in KNOWN])
    expected = [c for _, c in KNOWN]
    assert list(magic_class(rs)) == expected
    np.testing.assert_array_equal(distillable(rs), [c.startswith("distillable") for c in expected])


def test_vectorized_shapes_and_functionals() -> None:
    r = np.random.default_rng(1).uniform(-0.5, 0.5, size=(4, 5, 3))
    assert magic_class(r).shape == (4, 5)
    assert twirled_polarization(r, "H").shape == (4, 5)
    pair = np.max(np.abs(r)[..., [0, 0, 1]] + np.abs(r)[..., [1, 2, 2]], axis=-1)
    np.testing.assert_allclose(class_functional(r, "H"), pair, atol=EXACT_TOL)
    np.testing.assert_allclose(class_functional(r, "distillable"),
                               np.maximum(np.abs(r).sum(-1) / T_THRESHOLD_L1, pair), atol=EXACT_TOL)


def test_paper_reference_point() -> None:
    r = steady_bloch(0.06, 0.3, 0.3, 0.0, 0.02)
    assert abs(abs(r[0]) + abs(r[2]) - 1.011) < 5e-4 and abs(np.abs(r).sum() - 1.035) < 5e-4
    assert magic_class(r) == "distillable (H)"


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="protocol"):
        twirled_polarization(np.zeros(3), "Q")
    with pytest.raises(InputError, match="r must"):
        magic_class(np.zeros(2))
    with pytest.raises(InputError, match="r must"):
        magic_class([1.0, 1.0, 0.0])
    with pytest.raises(InputError, match="target"):
        class_functional(np.zeros(3), "nope")
    with pytest.raises(InputError, match="p1"):
        critical_temperature_class(-1.0, 0.3, 0.0)


CASES = [(0.3, 0.3, 0.02), (0.735, 0.0164, 0.0), (0.4724, 0.0332, 0.02), (1.0, 2.0, 0.1)]


@pytest.mark.parametrize("p1, p2, T2", CASES)
def test_magic_target_matches_critical_temperature(p1: float, p2: float, T2: float) -> None:
    T, g = critical_temperature_class(p1, p2, T2, target="magic")
    T_ref, g_ref = critical_temperature(p1, p2, T2)
    assert abs(T - T_ref) < TCRIT_TOL
    assert abs(g - g_ref) < 1e-6  # F is flat at its maximum: g is far less determined than F


#: Dense brute-force coupling grid (weak coupling plus the resonance region).
DENSE_G = np.concatenate([np.geomspace(1e-6, 1e-2, 2000), np.linspace(1e-2, 2.0, 40_001)])


@pytest.mark.parametrize("p1, p2, T2", CASES[:3])
@pytest.mark.parametrize("target", ["H", "distillable"])
def test_class_search_beats_brute_force(p1: float, p2: float, T2: float, target: str) -> None:
    M, g = max_class_functional(p1, p2, T2, target)
    brute = class_functional(steady_bloch(DENSE_G, p1, p2, 0.0, T2), target)
    assert M >= brute.max() - 1e-12  # the search never loses to the grid
    assert M - brute.max() < 1e-6  # and the grid is close to it (spacing 5e-5, F'' = O(10))
    T, _ = critical_temperature_class(p1, p2, T2, target)
    assert abs(T - 1.0 / (2 * math.atanh(1.0 / M))) < EXACT_TOL


def test_no_class_gives_nan() -> None:
    T, g = critical_temperature_class(0.3, 0.3, 0.02, target="T")  # M = 1.035 < 1.134
    assert math.isnan(T) and math.isnan(g)
