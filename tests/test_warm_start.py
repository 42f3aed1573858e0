"""Warm start: the preparation circuit gives the intended product state, and the step counts are exact."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import DensityMatrix, partial_trace

from qc_reset._checks import InputError
from qc_reset.model.channels import fixed_point, trace_distance, trotter_step_superop
from qc_reset.model.params import Params
from qc_reset.run.simulator import default_backend
from qc_reset.run.warm_start import (
    gap_steps,
    warm_start_circuit,
    warm_start_state,
    warm_start_steps,
    warm_start_table,
    warm_start_trotter_circuit,
)

EXACT = 1e-12  # exact state preparation (rotations from an eigendecomposition; rounding ~1e-15)
POINTS = [
    Params(0.06, 0.3, 0.3, 0.1, 0.02),  # the reference point
    Params(0.2, 0.5, 1.0, 0.1, 0.05),
    Params(0.05, 0.1, 0.1, 0.3, 0.3),
    Params(0.3, 1.0, 0.3, 0.05, 0.5),
]


def _circuit_state(qc) -> np.ndarray:
    """System state (qubit 1 first) of a preparation circuit from |0000>, by qiskit.quantum_info (handles reset)."""
    rho = DensityMatrix.from_label("0" * qc.num_qubits).evolve(qc)
    # Little-endian: keeping Qiskit qubits 0 (paper qubit 2) and 1 (paper qubit 1) gives kron(rho_q1, rho_q2).
    return np.asarray(partial_trace(rho, list(range(2, qc.num_qubits))).data)


@pytest.mark.parametrize("point", POINTS[:3], ids=["reference", "strong", "warm"])
@pytest.mark.parametrize("order", [1, 2])
def test_warm_start_circuit_prepares_the_product_of_the_fixed_point_marginals(point: Params, order: int) -> None:
    S = trotter_step_superop(point, 0.3, order)
    star = fixed_point(S)
    # The target, built independently of the package's helper: partial traces by einsum.
    t = star.reshape(2, 2, 2, 2)
    target = np.kron(np.einsum("ajbj->ab", t), np.einsum("jajb->ab", t))
    np.testing.assert_allclose(warm_start_state(point, 0.3, order=order), target, atol=EXACT)
    qc = warm_start_circuit(target)
    assert set(qc.count_ops()) <= {"ry", "rz", "cx", "reset"}
    np.testing.assert_allclose(_circuit_state(qc), target, atol=EXACT)


def test_warm_start_circuit_prepares_pure_and_mixed_marginals() -> None:
    # A pure marginal needs no purifier (no reset); a maximally mixed one is ry(pi/2) + CNOT + reset.
    plus = np.array([[0.5, 0.5], [0.5, 0.5]], dtype=complex)
    target = np.kron(plus, np.eye(2) / 2)
    qc = warm_start_circuit(target)
    assert qc.count_ops().get("reset", 0) == 1
    np.testing.assert_allclose(_circuit_state(qc), target, atol=EXACT)


def _steps_by_iteration(S: np.ndarray, rho0: np.ndarray, tol: float) -> int:
    """Smallest N >= 1 with D(S^N rho0, rho_star) <= tol, by plain step-by-step iteration (numpy)."""
    star = fixed_point(S)
    v = rho0.reshape(16)
    for n in range(1, 100_000):
        v = S @ v
        if trace_distance(v.reshape(4, 4), star) <= tol:
            return n
    raise AssertionError("not converged")


@pytest.mark.parametrize("point", POINTS, ids=["reference", "strong", "warm", "hot"])
@pytest.mark.parametrize(("dt", "tol"), [(0.5, 1e-6), (0.3, 1e-3)])
def test_step_counts_are_the_smallest_reaching_tol(point: Params, dt: float, tol: float) -> None:
    w = warm_start_steps(point, dt, order=2, tol=tol)
    S = trotter_step_superop(point, dt, 2)
    star = fixed_point(S)
    starts = ((np.kron(point.tau1(), point.tau2()), w.steps_default), (warm_start_state(point, dt), w.steps_warm))
    for rho0, n in starts:
        def dist(k: int, rho0: np.ndarray = rho0) -> float:
            return trace_distance((np.linalg.matrix_power(S, k) @ rho0.reshape(16)).reshape(4, 4), star)
        assert dist(n) <= tol < dist(n - 1)
        assert n == _steps_by_iteration(S, rho0, tol)
    assert w.saved > 0 and w.d0_warm < w.d0_default


def test_warm_start_on_aer_reaches_tol_in_the_warm_steps() -> None:
    # The dilated warm-start circuit run on Aer for steps_warm steps is within tol of the fixed point
    # (two-qubit trace distance; Aer and numpy channels agree to ~1e-13).
    p, dt, tol = POINTS[0], 0.5, 1e-4
    w = warm_start_steps(p, dt, order=2, tol=tol)
    qc = warm_start_trotter_circuit(p, dt, w.steps_warm, order=2, realization="dilated")
    rho = np.asarray(default_backend().run(qc).result().data(0)["rho"])
    star = fixed_point(trotter_step_superop(p, dt, 2))
    assert trace_distance(rho, star) <= tol + 1e-12
    # and it is exactly S^N applied to the warm state (one step more or fewer would differ by ~tol)
    warm = (np.linalg.matrix_power(trotter_step_superop(p, dt, 2), w.steps_warm)
            @ warm_start_state(p, dt, order=2).reshape(16)).reshape(4, 4)
    np.testing.assert_allclose(rho, warm, atol=1e-10)


def test_table_and_validation() -> None:
    rows = warm_start_table(POINTS[:2], 0.5, tol=1e-6)
    assert [r.params for r in rows] == POINTS[:2]
    assert rows[0].to_dict()["saved"] == rows[0].steps_default - rows[0].steps_warm
    assert gap_steps(1e-9, 0.9, 1e-6) == 0
    with pytest.raises(InputError, match="lam2 must be in"):
        gap_steps(0.5, 1.0, 1e-6)
    with pytest.raises(InputError, match="tol"):
        warm_start_steps(POINTS[0], 0.5, tol=0.0)
    with pytest.raises(InputError, match="rho must be a 4x4"):
        warm_start_circuit(np.eye(2))
    with pytest.raises(InputError, match="points must be a non-empty"):
        warm_start_table([], 0.5)
