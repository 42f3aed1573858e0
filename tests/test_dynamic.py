"""Dynamic and fresh collision designs: structure, the exact channel by branch enumeration, Aer with shots,
device checks and budgets.

Oracles: model.channels' Trotter step and model.collision's collision superoperator (independent of the
circuits; to 1e-12 exact linear algebra), quantum_info's SuperOp of the gate-only dilated design, and the
exact state S^n rho0 for shot-based tomography on Aer (within a named number of standard errors).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, qasm3
from qiskit.circuit import IfElseOp
from qiskit.providers.fake_provider import GenericBackendV2

from qc_reset import circuits as C
from qc_reset._checks import InputError
from qc_reset.model import Params
from qc_reset.model.channels import trace_distance, trotter_step_superop
from qc_reset.model.collision import CollisionParams, collision_superop
from qc_reset.run import dynamic as D
from qc_reset.run.simulator import simulate, system_channel

from .helpers import EXACT_TOL, assert_cptp_superop

POINTS = [Params(0.35, 0.3, 0.7, 0.4, 0.8), Params(-0.2, 1.5, 0.1, 0.0, math.inf), Params(0.6, 0.2, 2.0, math.inf, 0.0)]
#: Shot-noise bound: each Bloch component within Z_BOUND standard errors (fixed seeds; 3 components per
#: check, two-sided normal tail 6e-5 each).
Z_BOUND = 4.0


def _control_flow_depth(qc: QuantumCircuit) -> int:
    depths = [1 + max(_control_flow_depth(b) for b in inst.operation.blocks)
              for inst in qc.data if getattr(inst.operation, "blocks", None)]
    return max(depths, default=0)


# ------------------------------------------------------------------------------------------ structure
def test_dynamic_collision_is_one_level_of_if_test_and_no_loops() -> None:
    cp = CollisionParams(q1=0.3, q2=0.6, phi=0.2, phase=0.5, T1=0.4, T2=0.7, order=2)
    qc = C.collision_circuit(cp, "dynamic")
    ops = qc.count_ops()
    assert ops["if_else"] == 2 and _control_flow_depth(qc) == 1
    assert not {"for_loop", "while_loop", "switch_case", "ccx", "cswap"} & set(ops)
    assert [r.name for r in qc.cregs] == ["which", "bath"] and qc.num_qubits == 4
    for inst in qc.data:  # the condition is on the which bit of the bath's own ancilla
        if isinstance(inst.operation, IfElseOp):
            assert len(inst.operation.blocks) == 1 and inst.operation.condition[1] == 1
    assert "if (" in qasm3.dumps(qc)
    assert qc.metadata["system_qubits"] == [0, 1] and qc.metadata["paper_to_qiskit"] == {1: 1, 2: 0}


def test_fresh_collision_has_no_ancilla_and_no_control_flow() -> None:
    cp = CollisionParams(q1=1.0, q2=1.0, phi=0.2, phase=0.5, T1=0.4, T2=0.0)
    qc = C.collision_circuit(cp, "fresh")
    ops = qc.count_ops()
    assert qc.num_qubits == 2 and "if_else" not in ops and ops["reset"] == 2
    assert ops["measure"] == 1  # qubit 1 at T1 > 0 is dephased; qubit 2 at T2 = 0 needs no measurement
    with pytest.raises(InputError, match="design 'fresh' needs q1 = q2 = 1"):
        C.collision_circuit(CollisionParams(q1=1.0, q2=0.5, phi=0.2, phase=0.5, T1=0.4, T2=0.0), "fresh")
    with pytest.raises(InputError, match="design must be one of dilated, dynamic, fresh"):
        C.collision_circuit(cp, "analog")


# ------------------------------------------------------------------------------ exact channel by branches
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("params", POINTS, ids=["generic", "T=0,inf", "T=inf,0"])
def test_dynamic_step_channel_by_branch_enumeration(params: Params, order: int) -> None:
    dt = 0.3
    S = D.branch_channel(C.step_circuit(params, dt, order=order, realization="dynamic"))
    assert_cptp_superop(S)
    np.testing.assert_allclose(S, trotter_step_superop(params, dt, order), atol=EXACT_TOL, rtol=0)


CASES = [(d, q) for d in ("dilated", "dynamic") for q in ((1.0, 0.4), (0.25, 1.0), (1.0, 1.0), (0.0, 0.5))]


@pytest.mark.parametrize(("design", "q"), [*CASES, ("fresh", (1.0, 1.0))])
def test_collision_circuits_equal_the_collision_superop(design: str, q: tuple[float, float]) -> None:
    for order in (1, 2):
        cp = CollisionParams(q1=q[0], q2=q[1], phi=0.45, phase=0.9, T1=0.3, T2=0.6, order=order)
        qc = C.collision_circuit(cp, design)
        got = system_channel(qc) if design == "dilated" else D.branch_channel(qc)
        np.testing.assert_allclose(got, collision_superop(cp), atol=EXACT_TOL, rtol=0)


@pytest.mark.parametrize("design", ["dilated", "dynamic"])
def test_collision_circuit_from_params_and_symbols(design: str) -> None:
    P, dt = POINTS[0], 0.3
    channel = system_channel if design == "dilated" else D.branch_channel
    np.testing.assert_allclose(channel(C.collision_circuit(P, design, 2, dt=dt)), trotter_step_superop(P, dt, 2),
                               atol=EXACT_TOL)
    cp = C.CircuitParameters.create()
    qc = C.collision_circuit(cp, design, 1)
    np.testing.assert_allclose(channel(qc.assign_parameters(cp.values(P, dt))), trotter_step_superop(P, dt, 1),
                               atol=EXACT_TOL)
    with pytest.raises(InputError, match="dt must be given"):
        C.collision_circuit(P, design)


def test_branch_probabilities_are_the_reset_probabilities() -> None:
    """The which bits are classical coins: P(which_k = 1) = q_k on any system input, independently."""
    cp = CollisionParams(q1=0.3, q2=0.8, phi=0.45, phase=0.9, T1=0.3, T2=0.6)
    branches = D.branch_superops(C.collision_circuit(cp, "dynamic"))
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    sys = a @ a.conj().T
    anc = np.zeros((4, 4))
    anc[0, 0] = 1.0  # ancillas (Qiskit 2, 3: the most significant bits) in |00>
    rho = np.kron(anc, sys / np.trace(sys))
    prob: dict[tuple[str, str], float] = {}
    for bits, S in branches.items():  # bits: bath1 bath0 which1 which0
        key = (bits[3], bits[2])
        out = (np.asarray(S.data) @ rho.reshape(-1, order="F")).reshape(16, 16, order="F")
        prob[key] = prob.get(key, 0.0) + float(np.real(np.trace(out)))
    for (w1, w2), expected in {("0", "0"): 0.7 * 0.2, ("1", "0"): 0.3 * 0.2, ("0", "1"): 0.7 * 0.8,
                               ("1", "1"): 0.3 * 0.8}.items():
        assert prob[(w1, w2)] == pytest.approx(expected, abs=EXACT_TOL)


def test_symbolic_dynamic_step_binds_to_the_exact_channel() -> None:
    cp = C.CircuitParameters.create()
    qc = C.step_circuit(cp, realization="dynamic", order=2)
    assert {p.name for p in qc.parameters} == {"g", "p1", "p2", "T1", "T2", "dt"}
    P = POINTS[0]
    bound = qc.assign_parameters(cp.values(P, 0.4))
    np.testing.assert_allclose(D.branch_channel(bound), trotter_step_superop(P, 0.4, 2), atol=1e-12)
    with pytest.raises(InputError, match="parameters bound"):
        D.branch_channel(qc)


def test_branch_enumeration_refuses_what_it_does_not_handle() -> None:
    qc = QuantumCircuit(2, 1)
    with qc.for_loop(range(2)):
        qc.x(0)
    with pytest.raises(InputError, match="measure and if_else only; got 'for_loop'"):
        D.branch_superops(qc)
    with pytest.raises(InputError, match="1 to 5 qubits"):
        D.branch_superops(QuantumCircuit(6))


# ---------------------------------------------------------------------------------------- Aer with shots
def test_aer_tomography_of_dynamic_steps_within_shot_noise() -> None:
    from qiskit_aer import AerSimulator

    P, dt, n, shots = Params(0.35, 0.3, 0.7, 0.2, 0.3), 0.5, 3, 4000
    S = trotter_step_superop(P, dt, 2)
    rho = (np.linalg.matrix_power(S, n) @ np.kron(P.tau1(), P.tau2()).reshape(16)).reshape(4, 4)
    pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    rho1 = np.einsum("abcb->ac", rho.reshape(2, 2, 2, 2))
    exact = np.array([np.real(np.trace(rho1 @ p)) for p in pauli])
    base = C.trotter_circuit(P, dt, n, order=2, realization="dynamic", save=False)
    circs = []
    for basis in "XYZ":
        qc = base.copy()
        meas = ClassicalRegister(1, "meas")
        qc.add_register(meas)
        if basis == "X":
            qc.h(C.PAPER_TO_QISKIT[1])
        elif basis == "Y":
            qc.sdg(C.PAPER_TO_QISKIT[1])
            qc.h(C.PAPER_TO_QISKIT[1])
        qc.measure(C.PAPER_TO_QISKIT[1], meas[0])
        circs.append(qc)
    result = AerSimulator(method="density_matrix").run(circs, shots=shots, seed_simulator=11).result()
    for k in range(3):
        counts = result.get_counts(k)
        ones = sum(v for key, v in counts.items() if key.split()[0] == "1")  # the meas register prints first
        est = 1.0 - 2.0 * ones / shots
        stderr = math.sqrt(max(1.0 - est**2, 1.0 / shots) / shots)
        assert abs(est - exact[k]) <= Z_BOUND * stderr, (k, est, exact[k], stderr)


def test_run_tomography_of_dynamic_circuits_reads_the_meas_register() -> None:
    """The package's tomography run on the dynamic circuit (which has mid-circuit bits of its own)."""
    from qc_reset.run.tomography import ideal_state, run_tomography

    P, dt, n = Params(0.35, 0.3, 0.7, 0.2, 0.3), 0.5, 3
    res = run_tomography(P, dt=dt, steps=n, order=2, realization="dynamic", route="gates", shots=3000, seed=5)
    d = res.to_dict()
    rho = ideal_state(P, dt, 2, n)
    pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    rho1 = np.einsum("abcb->ac", rho.reshape(2, 2, 2, 2))
    exact = np.array([np.real(np.trace(rho1 @ p)) for p in pauli])
    tomo = d["tomography"]
    assert np.all(np.abs(np.asarray(tomo["bloch"]) - exact) <= Z_BOUND * np.asarray(tomo["stderr"]))


def test_simulate_gates_route_with_dynamic_is_a_shot_average() -> None:
    """Aer's density-matrix method samples mid-circuit measurements: the saved state of a dynamic circuit is
    the average of its 1024 (default) shots, near but not equal to the exact state."""
    P, dt, n = Params(0.35, 0.3, 0.7, 0.2, 0.3), 0.5, 3
    from qiskit_aer import AerSimulator

    backend = AerSimulator(method="density_matrix", seed_simulator=7)
    res = simulate(P, dt, steps=n, order=2, realization="dynamic", route="gates", backend=backend)
    exact = (np.linalg.matrix_power(trotter_step_superop(P, dt, 2), n)
             @ np.kron(P.tau1(), P.tau2()).reshape(16)).reshape(4, 4)
    d = trace_distance(res.rho, exact)
    # Measured at 1024 shots: d = 0.0034-0.0044 over 20 seeds, falling as the shots grow (0.0017 at 16384,
    # 0.0009 at 131072), so sampling, not bias; the bound is 4x the largest seen.
    assert 1e-6 < d < 0.018


# ------------------------------------------------------------------------------------ devices and budget
def test_device_check_names_what_is_missing() -> None:
    no_flow = GenericBackendV2(4, seed=1)
    with pytest.raises(InputError, match=r"does not support 'if_else', needed by the dynamic collision"):
        D.require_dynamic_support(no_flow)
    D.require_dynamic_support(no_flow, "fresh")  # measure and reset suffice
    D.require_dynamic_support(GenericBackendV2(4, control_flow=True, seed=1))
    from qiskit_ibm_runtime.fake_provider import FakeMelbourneV2

    with pytest.raises(InputError, match=r"'if_else', 'reset'"):
        D.collision_budget(FakeMelbourneV2(), CollisionParams(0.2, 0.2, 0.1, 0.1, 0.1, 0.1))
    with pytest.raises(InputError, match="design must be one of"):
        D.require_dynamic_support(no_flow, "analog")


def test_budget_counts_on_a_generic_device() -> None:
    backend = GenericBackendV2(4, control_flow=True, seed=1, coupling_map=[[0, 1], [1, 2], [2, 3], [1, 0],
                                                                          [2, 1], [3, 2]])
    cp = CollisionParams(q1=0.3, q2=0.6, phi=0.2, phase=0.5, T1=0.4, T2=0.0)
    dyn = D.collision_budget(backend, cp, design="dynamic")
    # the partial SWAP's two CNOTs are the only two-qubit gates; one reset per system qubit and ancilla
    assert dyn["two_qubit_gates"] == 2 and dyn["if_else"] == 2 and dyn["resets"] == 4
    assert dyn["measurements"] == 3  # two which bits and the dephasing of qubit 1 (T2 = 0 needs none)
    dil = D.collision_budget(backend, cp, design="dilated")
    assert dil["two_qubit_gates"] > 10 * dyn["two_qubit_gates"] and dil["measurements"] == 0


def test_cli_simulate_runs_the_dynamic_realization(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from qc_reset.cli import main

    args = ["simulate", "--g", "0.35", "--p1", "0.3", "--p2", "0.7", "--T1", "0.2", "--T2", "0.3", "--dt", "0.5",
            "--steps", "3", "--realization", "dynamic", "--json"]
    assert main(args) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["realization"] == "dynamic" and d["route"] == "gates" and d["steps"] == 3
    assert main([*args[:-1], "--shots", "500", "--seed", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tomography"]["bloch"][2] > 0.5
