"""The collision-model parameterization (model.collision) against independent computations.

Oracles: the Trotter step superoperator of model.channels at q = 1 - exp(-p dt); a collision written here
directly on density matrices (Kraus-free numpy: U rho U^dagger and the replacement maps); power iteration
and an eigen-solve of the 16x16 map; the continuous steady state as dt -> 0 (Lie O(dt), Strang O(dt^2));
and the q2 = 1 case derived by hand (Heisenberg picture of the partial SWAP, below).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model import measures
from qc_reset.model.channels import trotter_step_superop
from qc_reset.model.collision import (
    CollisionFixedPoint,
    CollisionParams,
    collision_fixed_point,
    collision_superop,
)
from qc_reset.model.params import Params
from qc_reset.model.steady import SteadyStateError, steady_bloch

from .helpers import EXACT_TOL, assert_cptp_superop, assert_density_matrix

POINTS = [Params(0.05, 0.3, 0.3, 0.1, 0.0), Params(0.37, 0.5, 2.0, 0.0, 0.3), Params(-0.2, 1.5, 0.1, 2.0, np.inf)]
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
I2 = np.eye(2, dtype=complex)


def _bath(T: float, axis: np.ndarray) -> np.ndarray:
    pol = 1.0 if T == 0 else math.tanh(0.5 / T)
    return 0.5 * (I2 + pol * axis)


def _direct_collision(rho: np.ndarray, cp: CollisionParams) -> np.ndarray:
    """One collision written out on a 4x4 state (qubit 1 first), without any package superoperator."""
    def unitary(r: np.ndarray, phase: float, phi: float) -> np.ndarray:
        n = np.array([0.0, 1.0, 1.0, 2.0])
        H_ex = np.zeros((4, 4), dtype=complex)
        H_ex[1, 2] = H_ex[2, 1] = 1.0
        w, v = np.linalg.eigh(H_ex)
        U = np.diag(np.exp(-0.5j * phase * n)) @ (v @ np.diag(np.exp(-1j * phi * w)) @ v.conj().T)
        return U @ r @ U.conj().T

    def resets(r: np.ndarray) -> np.ndarray:
        t = r.reshape(2, 2, 2, 2)
        r = (1 - cp.q1) * r + cp.q1 * np.kron(_bath(cp.T1, Z), np.einsum("abad->bd", t))
        t = r.reshape(2, 2, 2, 2)
        return (1 - cp.q2) * r + cp.q2 * np.kron(np.einsum("abcb->ac", t), _bath(cp.T2, X))

    if cp.order == 1:
        return resets(unitary(rho, cp.phase, cp.phi))
    half = unitary(rho, cp.phase / 2, cp.phi / 2)
    return unitary(resets(half), cp.phase / 2, cp.phi / 2)


def _random_state(rng: np.random.Generator) -> np.ndarray:
    A = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    rho = A @ A.conj().T
    return rho / np.trace(rho)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("params", POINTS, ids=["paper", "strong", "hot"])
def test_superop_is_the_trotter_step_at_mapped_q(params: Params, order: int) -> None:
    for dt in (0.05, 0.5, 3.0):
        cp = CollisionParams.from_params(params, dt, order=order)
        np.testing.assert_allclose(collision_superop(cp), trotter_step_superop(params, dt, order), atol=EXACT_TOL)


@pytest.mark.parametrize("order", [1, 2])
def test_superop_matches_a_direct_collision_including_q_one(order: int) -> None:
    rng = np.random.default_rng(7)
    for q1, q2 in ((0.3, 0.7), (1.0, 0.2), (0.0, 1.0), (1.0, 1.0)):
        cp = CollisionParams(q1=q1, q2=q2, phi=0.4, phase=0.7, T1=0.3, T2=0.8, order=order)
        S = collision_superop(cp)
        assert_cptp_superop(S)
        for _ in range(3):
            rho = _random_state(rng)
            np.testing.assert_allclose((S @ rho.reshape(16)).reshape(4, 4), _direct_collision(rho, cp),
                                       atol=EXACT_TOL)


@pytest.mark.parametrize("order", [1, 2])
def test_fixed_point_against_power_iteration_and_eigensolve(order: int) -> None:
    cp = CollisionParams(q1=0.2, q2=0.6, phi=0.35, phase=0.4, T1=0.2, T2=0.1, order=order)
    fp = collision_fixed_point(cp)
    S = collision_superop(cp)
    assert_density_matrix(fp.rho)
    # power iteration: S^(2^12) by squaring; contraction^(4096) is far below rounding
    assert fp.contraction ** 4096 < 1e-30
    P = np.linalg.matrix_power(S, 4096)
    np.testing.assert_allclose((P @ np.eye(4).reshape(16) / 4).reshape(4, 4), fp.rho, atol=EXACT_TOL)
    # eigen-solve: the eigenvector of eigenvalue 1, normalized to trace 1
    lam, vec = np.linalg.eig(S)
    k = int(np.argmin(np.abs(lam - 1)))
    rho = vec[:, k].reshape(4, 4)
    np.testing.assert_allclose(rho / np.trace(rho), fp.rho, atol=EXACT_TOL)
    lam2 = np.sort(np.abs(np.delete(lam, k)))[-1]
    assert fp.contraction == pytest.approx(lam2, abs=1e-12)


def test_dt_to_zero_approaches_the_continuous_steady_state_at_the_trotter_order() -> None:
    params = Params(0.3, 0.5, 0.8, 0.2, 0.1)
    exact = steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    for order, rate in ((1, 2.0), (2, 4.0)):
        errs = []
        for dt in (0.08, 0.04, 0.02):
            fp = collision_fixed_point(CollisionParams.from_params(params, dt, order=order))
            np.testing.assert_allclose(fp.bloch_continuous, exact, atol=1e-14)
            errs.append(np.linalg.norm(fp.bloch - exact))
        ratios = [errs[0] / errs[1], errs[1] / errs[2]]
        # halving dt divides the error by 2 (order 1) or 4 (order 2) up to the next order: 5 % at these dt
        np.testing.assert_allclose(ratios, rate, rtol=0.05)
        assert errs[-1] < (3e-3 if order == 1 else 3e-5)


def _hand_map(q1: float, phi: float, theta: float, z1: float, x2: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Qubit 1's affine Bloch map r -> A r + b of one order-1 collision with q2 = 1, derived by hand.

    Before the collision the state is rho_1 (x) tau_2 (q2 = 1 replaced qubit 2). Heisenberg picture of the
    partial SWAP exp(-i phi H), H = s1^- s2^+ + s1^+ s2^- (s^- = |0><1|): s1^- -> cos(phi) s1^- - i sin(phi)
    Z1 s2^-, and n1 -> cos^2 n1 + sin^2 n2 + i sin cos (s1^- s2^+ - s1^+ s2^-). With <s^-> = (x + i y)/2,
    <n> = (1 - z)/2 and qubit 2's (x2, 0, 0): x' = cos(phi) x, y' = cos(phi) y - sin(phi) x2 z,
    z' = cos^2(phi) z + sin(phi) cos(phi) x2 y. The free phase multiplies <s1^-> by e^{-i theta/2}; the reset
    mixes in (0, 0, z1) with weight q1.
    """
    c, s = math.cos(phi), math.sin(phi)
    ex = np.array([[c, 0, 0], [0, c, -s * x2], [0, s * c * x2, c * c]])
    ch, sh = math.cos(theta / 2), math.sin(theta / 2)
    rot = np.array([[ch, sh, 0], [-sh, ch, 0], [0, 0, 1]])
    return (1 - q1) * rot @ ex, np.array([0.0, 0.0, q1 * z1])


@pytest.mark.parametrize("q1", [1.0, 0.6, 0.05])
def test_q2_one_against_the_hand_derivation(q1: float) -> None:
    phi, theta, T1, T2 = 0.45, 0.9, 0.3, 0.25
    z1, x2 = math.tanh(0.5 / T1), math.tanh(0.5 / T2)
    A, b = _hand_map(q1, phi, theta, z1, x2)
    r_star = np.linalg.solve(np.eye(3) - A, b)
    fp = collision_fixed_point(CollisionParams(q1=q1, q2=1.0, phi=phi, phase=theta, T1=T1, T2=T2))
    np.testing.assert_allclose(fp.bloch, r_star, atol=EXACT_TOL)
    assert fp.bloch_continuous is None and fp.trace_distance_continuous is None
    # qubit 2 is the fresh bath qubit right after the collision
    np.testing.assert_allclose(measures.reduced_state(fp.rho, 2), _bath(T2, X), atol=EXACT_TOL)
    np.testing.assert_allclose(fp.rho, np.kron(measures.reduced_state(fp.rho, 1), _bath(T2, X)), atol=EXACT_TOL)


def test_both_fresh_strang_closed_form() -> None:
    """q1 = q2 = 1, order 2: rho* = U_half (tau1 (x) tau2) U_half^dagger, so by the map above
    r = (-sin(phi/2) z1 x2 sin(theta/4), -sin(phi/2) z1 x2 cos(theta/4), cos^2(phi/2) z1)."""
    phi, theta, T1, T2 = 0.7, 1.3, 0.15, 0.4
    z1, x2 = math.tanh(0.5 / T1), math.tanh(0.5 / T2)
    fp = collision_fixed_point(CollisionParams(q1=1.0, q2=1.0, phi=phi, phase=theta, T1=T1, T2=T2, order=2))
    s = math.sin(phi / 2) * z1 * x2
    np.testing.assert_allclose(fp.bloch, [-s * math.sin(theta / 4), -s * math.cos(theta / 4),
                                          math.cos(phi / 2) ** 2 * z1], atol=EXACT_TOL)


def test_parameter_map_both_directions() -> None:
    p = Params(0.2, 0.4, 1e-9, 0.5, 0.0)
    cp = CollisionParams.from_params(p, 0.25, order=2)
    assert cp.q1 == pytest.approx(1 - math.exp(-0.1), rel=1e-15) and cp.q2 == pytest.approx(2.5e-10, rel=1e-9)
    assert cp.phi == pytest.approx(0.05, rel=1e-15) and cp.dt == cp.phase == 0.25
    back = cp.to_params()
    for f in ("g", "p1", "p2", "T1", "T2"):
        assert getattr(back, f) == pytest.approx(getattr(p, f), rel=1e-12)
    fresh = CollisionParams(q1=1.0, q2=0.5, phi=0.1, phase=0.2, T1=0.0, T2=0.0)
    assert fresh.rates()["p1"] == math.inf and fresh.rates()["p2"] == pytest.approx(math.log(2) / 0.2)
    assert fresh.fresh == (True, False)
    with pytest.raises(InputError, match="q = 1 is the rate p = inf"):
        fresh.to_params()
    assert CollisionParams.from_dict(json.loads(json.dumps(cp.to_dict()))) == cp


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"q1": 1.5}, r"q1 must be a probability in \[0, 1\]"),
    ({"q2": -0.1}, r"q2 must be a probability"),
    ({"q1": 0.0, "q2": 0.0}, "must not both be 0"),
    ({"phase": 0.0}, r"phase must be a finite number in \(0"),
    ({"phi": math.nan}, "phi must be a finite number"),
    ({"T1": -1.0}, r"T1 must be a number in \[0"),
    ({"order": 3}, "order"),
])
def test_invalid_collision_params(kwargs: dict[str, float], match: str) -> None:
    base = {"q1": 0.5, "q2": 0.5, "phi": 0.1, "phase": 0.1, "T1": 0.1, "T2": 0.1}
    with pytest.raises(InputError, match=match):
        CollisionParams(**{**base, **kwargs})  # type: ignore[arg-type]


def test_no_unique_or_ill_conditioned_fixed_point_is_refused() -> None:
    with pytest.raises(SteadyStateError, match="no unique fixed point"):
        collision_fixed_point(CollisionParams(q1=0.0, q2=0.5, phi=0.0, phase=0.1, T1=0.1, T2=0.1))
    # the relaxation of qubit 1 through the exchange is ~phi^2: condition ~ 1/phi^2 ~ 1e10 here
    with pytest.raises(SteadyStateError, match="ill-conditioned"):
        collision_fixed_point(CollisionParams(q1=0.0, q2=0.5, phi=1e-5, phase=0.1, T1=0.1, T2=0.1))
    with pytest.raises(InputError, match="CollisionParams"):
        collision_superop(Params(0.1, 0.1, 0.1, 0.1, 0.1))  # type: ignore[arg-type]


def test_fixed_point_record() -> None:
    fp = collision_fixed_point(CollisionParams.from_params(POINTS[0], 0.1, order=2))
    d = json.loads(json.dumps(fp.to_dict()))
    assert d["trace_distance_continuous"] == pytest.approx(0.5 * np.linalg.norm(fp.bloch - fp.bloch_continuous))
    assert 0 < fp.error_bound < 1e-12 and fp.condition >= 1
    with pytest.raises(InputError, match="contraction"):
        CollisionFixedPoint(params=fp.params, rho=fp.rho, bloch=fp.bloch, contraction=1.0, condition=1.0,
                            error_bound=0.0, bloch_continuous=None)
