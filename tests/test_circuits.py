"""Circuit builders: qubit mapping, one-step channels against the exact Trotter step, QASM files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3, transpile
from qiskit.quantum_info import DensityMatrix, Kraus, Operator, SuperOp, partial_trace, random_unitary

from qc_reset import circuits as C
from qc_reset import model
from qc_reset.circuits import collision
from qc_reset.model import Params
from qc_reset.run.simulator import default_backend, system_channel

from .helpers import assert_cptp_superop, assert_density_matrix

#: One-step channel of a circuit vs the exact Trotter step. Both are products of ~20 exact 16x16
#: double-precision factors, so agreement is ~1e-14; the issue asks for 1e-10.
CHANNEL_TOL = 1e-10
#: Loaded-back QASM run vs the stored expected state (rounded to 13 decimals in reference.json).
QASM_STATE_TOL = 1e-10
REPO = Path(__file__).resolve().parents[1]

POINTS = {
    "generic": Params(g=0.35, p1=0.3, p2=0.7, T1=0.4, T2=0.8),
    "weak": Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.1),
    "T=0,inf": Params(g=-0.2, p1=1.5, p2=0.1, T1=0.0, T2=math.inf),
    "T=inf,0": Params(g=0.6, p1=0.2, p2=2.0, T1=math.inf, T2=0.0),
}


def _dm(qc: QuantumCircuit) -> np.ndarray:
    """System density matrix (qubits [0, 1], ancillas traced out) of a save-free circuit."""
    state = DensityMatrix(qc)
    if qc.num_qubits > 2:
        state = partial_trace(state, list(range(2, qc.num_qubits)))
    return np.asarray(state.data)


# ------------------------------------------------------------------------------------- qubit mapping
def test_qubit_mapping_paper_qubit1_is_qiskit_qubit1() -> None:
    qc = QuantumCircuit(2)
    qc.x(C.PAPER_TO_QISKIT[1])  # excite paper qubit 1 only
    np.testing.assert_allclose(_dm(qc), np.kron(np.diag([0, 1]), np.diag([1, 0])), atol=1e-15)


@pytest.mark.parametrize("realization", C.REALIZATIONS)
def test_default_initial_state_is_tau1_tau2(realization: str) -> None:
    P = Params(g=0.1, p1=0.3, p2=0.3, T1=0.3, T2=0.7)  # asymmetric: Z-thermal x X-thermal
    rho = _dm(C.initial_state_circuit(P, realization=realization))
    np.testing.assert_allclose(rho, np.kron(P.tau1(), P.tau2()), atol=1e-14)


@pytest.mark.parametrize("realization", C.REALIZATIONS)
def test_user_initial_states(realization: str) -> None:
    P = POINTS["generic"]
    rng = np.random.default_rng(7)
    a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    mixed = a @ a.conj().T
    mixed /= np.trace(mixed)
    psi = random_unitary(4, seed=3).data[:, 0]
    rank2 = 0.3 * np.outer(psi, psi.conj()) + 0.7 * np.kron(np.diag([0, 1]), np.diag([1, 0]))
    for target in (mixed, rank2, np.outer(psi, psi.conj())):
        rho = _dm(C.initial_state_circuit(P, target, realization=realization))
        np.testing.assert_allclose(rho, target, atol=1e-12)
    np.testing.assert_allclose(_dm(C.initial_state_circuit(P, psi, realization=realization)),
                               np.outer(psi, psi.conj()), atol=1e-12)


def test_aer_saved_state_is_qubit1_first() -> None:
    # g = 0: the qubits stay a product; qubit 1 stays tau1 (Z-diagonal) while qubit 2's X polarization
    # precesses into Y, so a swapped qubit order would show up at once.
    P = Params(g=0.0, p1=0.3, p2=0.4, T1=0.3, T2=0.7)
    S = C.trotter_step_superop(P, 0.2, 2)
    expected = (np.linalg.matrix_power(S, 2) @ np.kron(P.tau1(), P.tau2()).reshape(16)).reshape(4, 4)
    rho1, rho2 = np.trace(expected.reshape(2, 2, 2, 2), axis1=1, axis2=3), expected.reshape(2, 2, 2, 2)
    np.testing.assert_allclose(rho1, P.tau1(), atol=1e-15)
    np.testing.assert_allclose(expected, np.kron(rho1, np.einsum("abad->bd", rho2)), atol=1e-15)
    for realization in C.REALIZATIONS:
        qc = C.trotter_circuit(P, 0.2, 2, order=2, realization=realization)
        rho = np.asarray(default_backend().run(qc).result().data()["rho"])
        np.testing.assert_allclose(rho, expected, atol=1e-13)


# ------------------------------------------------------------------------------ conversions and gates
def test_superop_conversion_matches_qiskit() -> None:
    U = random_unitary(4, seed=11).data
    np.testing.assert_allclose(C.to_qiskit_superop(model.unitary_superop(U)), SuperOp(Operator(U)).data,
                               atol=1e-14)
    # A non-unitary, qubit-asymmetric channel: reset paper qubit 1 (Qiskit qubit 1) to tau1.
    P = POINTS["generic"]
    R1 = model.reset_superop(P.tau1(), 1, 0.4)
    qc = QuantumCircuit(2)
    qc.append(Kraus(C.reset_kraus(P.tau1(), 0.4)), [C.PAPER_TO_QISKIT[1]])
    np.testing.assert_allclose(C.to_qiskit_superop(R1), SuperOp(qc).data, atol=1e-14)
    np.testing.assert_allclose(C.from_qiskit_superop(C.to_qiskit_superop(R1)), R1, atol=0)


@pytest.mark.parametrize("gate", C.EXCHANGE_GATES)
def test_exchange_gates(gate: str) -> None:
    qc = QuantumCircuit(2)
    collision._unitary_block(qc, 0.37, 0.8, gate)
    U = model.free_unitary(0.8) @ model.exchange_unitary(0.37, 0.8)
    M = Operator(qc).data
    phase = M[0, 0] / U[0, 0]
    np.testing.assert_allclose(M, phase * U, atol=1e-14)


def test_reset_kraus_is_the_model_channel() -> None:
    for tau in (model.tau1(0.4), model.tau2(0.0), model.tau1(math.inf)):
        ops = C.reset_kraus(tau, 0.3)
        np.testing.assert_allclose(sum(K.conj().T @ K for K in ops), np.eye(2), atol=1e-15)
        rho = np.array([[0.7, 0.2 - 0.1j], [0.2 + 0.1j, 0.3]])
        np.testing.assert_allclose(sum(K @ rho @ K.conj().T for K in ops), 0.7 * rho + 0.3 * tau, atol=1e-15)


def test_angles() -> None:
    q = 1 - math.exp(-0.3 * 0.1)
    assert math.sin(C.reset_angle(0.3, 0.1) / 2) ** 2 == pytest.approx(q, abs=1e-16)
    assert C.bath_angle(0.0) == 0.0 and C.bath_angle(math.inf) == pytest.approx(math.pi / 2, abs=1e-15)
    assert math.cos(C.bath_angle(0.4)) == pytest.approx(math.tanh(1 / 0.8), abs=1e-15)


# ------------------------------------------------------------------------------- one-step channels
@pytest.mark.parametrize("order", C.ORDERS)
@pytest.mark.parametrize("realization", C.REALIZATIONS)
@pytest.mark.parametrize("name", list(POINTS))
def test_one_step_channel_is_exact(name: str, realization: str, order: int) -> None:
    P, dt = POINTS[name], 0.3
    S = C.trotter_step_superop(P, dt, order)
    assert_cptp_superop(S)
    got = system_channel(C.step_circuit(P, dt, order=order, realization=realization))
    np.testing.assert_allclose(got, S, atol=CHANNEL_TOL, rtol=0)


@pytest.mark.parametrize("realization", C.REALIZATIONS)
def test_one_step_channel_through_aer_superop_method(realization: str) -> None:
    from qiskit_aer import AerSimulator

    P, dt = POINTS["generic"], 0.25
    sim = AerSimulator(method="superop")
    qc = transpile(C.step_circuit(P, dt, order=2, realization=realization), sim)
    qc.save_superop()
    full = np.asarray(sim.run(qc).result().data()["superop"])
    na = 2 ** (qc.num_qubits - 2)
    sub = full.reshape(na, 4, na, 4, na, 4, na, 4)[:, :, :, :, 0, :, 0, :]
    got = C.from_qiskit_superop(np.einsum("aiajkl->ijkl", sub).reshape(16, 16))
    np.testing.assert_allclose(got, C.trotter_step_superop(P, dt, 2), atol=CHANNEL_TOL, rtol=0)


@pytest.mark.parametrize("order", C.ORDERS)
def test_symbolic_dilated_step_binds_to_exact_channel(order: int) -> None:
    cp = C.CircuitParameters.create()
    qc = C.step_circuit(cp, order=order, realization="dilated")
    assert {p.name for p in qc.parameters} == {"g", "p1", "p2", "T1", "T2", "dt"}
    for P in POINTS.values():
        bound = qc.assign_parameters(cp.values(P, 0.2))
        np.testing.assert_allclose(system_channel(bound), C.trotter_step_superop(P, 0.2, order),
                                   atol=CHANNEL_TOL, rtol=0)


def test_dilated_uses_only_standard_gates_and_reset() -> None:
    qc = C.trotter_circuit(POINTS["generic"], 0.2, 2, order=2, realization="dilated", save=False)
    stdgates = {"p", "s", "sdg", "ry", "h", "cx", "ccx", "reset"}  # all in stdgates.inc
    assert {inst.operation.name for inst in qc.data} <= stdgates


def test_parameter_binds_shape() -> None:
    cp = C.CircuitParameters.create()
    pts = [POINTS["generic"], POINTS["T=0,inf"]]
    b = cp.binds(pts, 0.1)
    assert b[cp.T1] == [0.4, 1 / 700] and b[cp.T2] == [0.8, 1e300] and b[cp.dt] == [0.1, 0.1]
    with pytest.raises(ValueError, match="dt must be a number or have one entry per point"):
        cp.binds(pts, [0.1])


# ------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("dt", [0.0, -0.1, math.nan, math.inf, "0.1", True])
def test_bad_dt(dt: object) -> None:
    with pytest.raises(ValueError, match=r"dt must be a finite number in \(0, \+inf\)"):
        C.step_circuit(POINTS["weak"], dt)


@pytest.mark.parametrize("steps", [0, -3, 1.5, "auto", "3", True])
def test_bad_steps(steps: object) -> None:
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        C.trotter_circuit(POINTS["weak"], 0.1, steps)  # type: ignore[arg-type]


def test_bad_order_realization_gate() -> None:
    with pytest.raises(ValueError, match=r"order must be one of 1 \(Lie-Trotter\), 2 \(Strang\); got 3"):
        C.step_circuit(POINTS["weak"], 0.1, order=3)
    with pytest.raises(ValueError, match="realization must be one of kraus, dilated, dynamic; got 'exact'"):
        C.step_circuit(POINTS["weak"], 0.1, realization="exact")
    with pytest.raises(ValueError, match="exchange_gate must be one of"):
        C.step_circuit(POINTS["weak"], 0.1, exchange_gate="iswap")
    with pytest.raises(ValueError, match="needs numeric parameters"):
        C.step_circuit(C.CircuitParameters.create(), realization="kraus")
    with pytest.raises(ValueError, match="dt must be given"):
        C.step_circuit(POINTS["weak"])
    with pytest.raises(ValueError, match="initial_state must have unit trace"):
        C.initial_state_circuit(POINTS["weak"], np.diag([1.0, 1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="initial_state must be a 4x4"):
        C.initial_state_circuit(POINTS["weak"], np.eye(2) / 2)


# ---------------------------------------------------------------------------------- OpenQASM 3 files
def test_export_is_reproducible(tmp_path: Path) -> None:
    written = C.export_qasm(tmp_path)
    assert {p.name for p in written} == {"dilated_step.qasm", "dilated_run.qasm", "reference.json"}
    for path in written:
        assert path.read_bytes() == (REPO / "circuits" / path.name).read_bytes(), path.name


def test_qasm_step_file_loads_to_the_exact_channel() -> None:
    qc = qasm3.loads((REPO / "circuits" / "dilated_step.qasm").read_text())
    assert {inst.operation.name for inst in qc.data} <= {"p", "s", "sdg", "ry", "h", "cx", "ccx", "reset"}
    meta = json.loads((REPO / "circuits" / "reference.json").read_text())
    P = Params(**meta["params"])
    np.testing.assert_allclose(system_channel(qc), C.trotter_step_superop(P, meta["dt"], meta["order"]),
                               atol=CHANNEL_TOL, rtol=0)


def test_qasm_run_file_reproduces_the_state() -> None:
    from qc_reset.run.simulator import simulate

    qc = qasm3.loads((REPO / "circuits" / "dilated_run.qasm").read_text())
    qc.save_density_matrix([0, 1], label="rho")
    rho = np.asarray(default_backend().run(qc).result().data()["rho"])
    meta = json.loads((REPO / "circuits" / "reference.json").read_text())
    expected = np.array(meta["rho_expected"]["re"]) + 1j * np.array(meta["rho_expected"]["im"])
    assert_density_matrix(rho, atol=1e-12)
    np.testing.assert_allclose(rho, expected, atol=QASM_STATE_TOL, rtol=0)
    # ... and the same as the package's own converged run at the reference point.
    res = simulate(C.REFERENCE_PARAMS, C.REFERENCE_DT, order=C.REFERENCE_ORDER, route="power",
                   tol=C.REFERENCE_TOL)
    assert res.steps == meta["steps"]
    np.testing.assert_allclose(rho, res.rho, atol=QASM_STATE_TOL, rtol=0)
