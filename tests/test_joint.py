"""Joint two-qubit measures and the 60-state robustness LP against independent constructions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model.joint import (
    concurrence,
    mutual_information,
    negativity,
    one_qubit_stabilizer_states,
    robustness_lp,
    robustness_two_qubit,
    two_qubit_stabilizer_states,
)
from qc_reset.model.measures import bloch_vector, l1_norm
from qc_reset.model.steady import steady_state

#: Dense linear algebra on 4x4 matrices.
EXACT_TOL = 1e-12
#: HiGHS is asked for 1e-10 feasibility; robustness values are compared to this.
LP_TOL = 1e-8

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)
PAULIS = [np.kron(a, b) for a in (I2, X, Y, Z) for b in (I2, X, Y, Z)]


def _rho1(r: np.ndarray) -> np.ndarray:
    return 0.5 * (I2 + r[0] * X + r[1] * Y + r[2] * Z)


def _bfs_stabilizer_states() -> list[np.ndarray]:
    """All two-qubit stabilizer kets mod phase: closure of |00> under H_i, S_i, CNOT."""
    H = np.array([[1, 1], [1, -1]]) / math.sqrt(2)
    S = np.diag([1, 1j])
    CX = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
    gates = [np.kron(H, I2), np.kron(I2, H), np.kron(S, I2), np.kron(I2, S), CX]
    out = [np.array([1, 0, 0, 0], dtype=complex)]
    for v in out:
        for G in gates:
            w = G @ v
            if not any(abs(abs(np.vdot(u, w)) - 1) < 1e-9 for u in out):
                out.append(w)
    return out


def test_sixty_stabilizer_states_match_a_clifford_closure() -> None:
    kets = two_qubit_stabilizer_states()
    assert kets.shape == (60, 4)
    bfs = _bfs_stabilizer_states()
    assert len(bfs) == 60
    overlaps = np.abs(np.array(bfs).conj() @ kets.T)
    assert np.all(np.sum(np.abs(overlaps - 1) < 1e-9, axis=1) == 1)  # a bijection
    assert np.all(np.sum(np.abs(overlaps - 1) < 1e-9, axis=0) == 1)


def test_each_state_is_stabilized_by_four_commuting_paulis() -> None:
    for v in two_qubit_stabilizer_states():
        assert abs(np.linalg.norm(v) - 1) < EXACT_TOL
        expect = np.array([np.vdot(v, P @ v).real for P in PAULIS])
        group = np.abs(np.abs(expect) - 1) < 1e-9
        assert group.sum() == 4  # a stabilizer group of order 4 (identity included)
        assert np.all((np.abs(expect) < 1e-9) | group)  # every other Pauli has zero mean
    prods = two_qubit_stabilizer_states()[:36]
    ent = two_qubit_stabilizer_states()[36:]

    def purity(v: np.ndarray) -> float:  # of qubit 1's reduced state: 1 for products, 1/2 for Bell-like
        m = v.reshape(2, 2)
        r1 = m @ m.conj().T
        return float(np.trace(r1 @ r1).real)

    assert all(abs(purity(v) - 1) < 1e-9 for v in prods)
    assert all(abs(purity(v) - 0.5) < 1e-9 for v in ent)


def test_one_qubit_lp_is_max_one_l1() -> None:
    kets = one_qubit_stabilizer_states()
    A = np.array([[np.vdot(k, P @ k).real for k in kets] for P in (I2, X, Y, Z)])
    rng = np.random.default_rng(0)
    for r in rng.uniform(-0.6, 0.6, size=(20, 3)):
        assert abs(robustness_lp(np.concatenate([[1.0], r]), A) - max(1.0, np.abs(r).sum())) < LP_TOL


T_FACE = _rho1(np.ones(3) / math.sqrt(3))  # Bravyi-Kitaev T-type (face) state
H_EDGE = _rho1(np.array([1.0, 0.0, 1.0]) / math.sqrt(2))  # H-type (edge) state, Clifford-equivalent to T|+>
ZERO = _rho1(np.array([0.0, 0.0, 1.0]))


def test_known_robustness_values() -> None:
    assert abs(robustness_two_qubit(np.eye(4) / 4) - 1) < LP_TOL
    assert abs(robustness_two_qubit(np.kron(T_FACE, ZERO)) - math.sqrt(3)) < LP_TOL
    assert abs(robustness_two_qubit(np.kron(ZERO, H_EDGE)) - math.sqrt(2)) < LP_TOL
    ff = float(robustness_two_qubit(np.kron(T_FACE, T_FACE)))
    hh = float(robustness_two_qubit(np.kron(H_EDGE, H_EDGE)))
    assert abs(ff - (0.5 + math.sqrt(3))) < LP_TOL and ff < 3.0  # submultiplicative
    assert abs(hh - 1.7475469) < 1e-6 and hh < 2.0
    for v in two_qubit_stabilizer_states()[[0, 17, 40, 59]]:
        assert abs(robustness_two_qubit(np.outer(v, v.conj())) - 1) < LP_TOL


def test_entanglement_measures_on_known_states() -> None:
    phi = np.array([1, 0, 0, 1]) / math.sqrt(2)
    bell = np.outer(phi, phi)
    assert abs(concurrence(bell) - 1) < EXACT_TOL
    assert abs(negativity(bell) - 0.5) < EXACT_TOL
    assert abs(mutual_information(bell) - 2) < EXACT_TOL
    for w in (0.2, 0.5, 0.9):  # Werner states: C = max(0, (3w - 1)/2)
        rho = w * bell + (1 - w) * np.eye(4) / 4
        assert abs(concurrence(rho) - max(0.0, (3 * w - 1) / 2)) < EXACT_TOL
        assert abs(negativity(rho) - max(0.0, (3 * w - 1) / 4)) < EXACT_TOL
    prod = np.kron(T_FACE, ZERO)
    assert concurrence(prod) < EXACT_TOL and negativity(prod) < EXACT_TOL
    assert abs(mutual_information(prod)) < EXACT_TOL


def test_steady_state_pair_robustness_dominates_qubit_one() -> None:
    pts = list(itertools.product([0.06, 0.5], [0.3, 1.0], [0.3], [0.0, 0.5], [0.02]))
    rho = steady_state(*np.array(pts).T)
    R1 = np.maximum(1.0, l1_norm(bloch_vector(rho)))
    R12 = robustness_two_qubit(rho)
    assert R12.shape == (len(pts),)
    assert np.all(R12 >= R1 - LP_TOL)  # the partial trace is a stabilizer operation
    assert np.all(concurrence(rho) >= 0) and np.all(negativity(rho) >= 0)


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="rho"):
        concurrence(np.eye(2))
    with pytest.raises(InputError, match="coefficients"):
        robustness_lp(np.ones(3), np.ones((16, 60)))
