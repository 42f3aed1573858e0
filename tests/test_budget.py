"""Circuit budgets (qc_reset.run.budget) against counts, depths and schedules read independently from Qiskit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile

from qc_reset._checks import InputError
from qc_reset.circuits.collision import step_circuit, trotter_circuit
from qc_reset.circuits.qasm import REFERENCE_DT, REFERENCE_PARAMS
from qc_reset.run import budget as bg
from qc_reset.run.backends import fake_backend

#: Durations are sums of a few hundred floats of ~1e-7 s: relative rounding only.
TIME_RTOL = 1e-9
SEED = 11


def _seconds(inst, circuit, backend) -> float:  # type: ignore[no-untyped-def]
    """Duration of one scheduled instruction: a delay's own (in dt), else the target's."""
    op = inst.operation
    if op.name == "delay":
        assert op.unit == "dt"
        return float(op.duration) * backend.dt
    qubits = tuple(circuit.find_bit(q).index for q in inst.qubits)
    return float(backend.target[op.name][qubits].duration or 0.0)


@pytest.fixture(scope="module")
def manila():  # type: ignore[no-untyped-def]
    return fake_backend("FakeManilaV2")


@pytest.fixture(scope="module")
def step_on_manila(manila):  # type: ignore[no-untyped-def]
    qc = step_circuit(REFERENCE_PARAMS, REFERENCE_DT, order=2, realization="dilated")
    return transpile(qc, backend=manila, optimization_level=3, seed_transpiler=SEED)


def test_counts_and_depth_match_qiskit_on_a_transpiled_step(manila, step_on_manila) -> None:  # type: ignore[no-untyped-def]
    tq = step_on_manila
    b = bg.circuit_budget(tq, manila.target, collisions=1)
    ops = tq.count_ops()
    assert b.two_qubit_gates == ops["cx"] == sum(1 for i in tq.data if len(i.qubits) == 2)
    assert b.resets == ops["reset"] and b.measurements == 0 and b.multi_qubit_gates == 0
    assert b.depth == tq.depth()
    # duration: Qiskit's own longest path and its ALAP schedule (in units of the device's dt)
    assert b.duration_s == pytest.approx(tq.estimate_duration(manila.target, unit="s"), rel=TIME_RTOL)
    sched = transpile(tq, backend=manila, optimization_level=0, scheduling_method="alap")
    for q in range(sched.num_qubits):  # the padded schedule fills every qubit's line to the full duration
        line = [i for i in sched.data if any(sched.find_bit(x).index == q for x in i.qubits)]
        assert sum(_seconds(i, sched, manila) for i in line) == pytest.approx(b.duration_s, rel=TIME_RTOL)


def test_idle_time_is_the_delays_of_the_alap_schedule(manila, step_on_manila) -> None:  # type: ignore[no-untyped-def]
    sched = transpile(step_on_manila, backend=manila, optimization_level=0, scheduling_method="alap")
    # delays strictly between the first and the last non-delay operation of each qubit
    idle = 0.0
    for q in range(sched.num_qubits):
        seq = [(i.operation.name, _seconds(i, sched, manila)) for i in sched.data
               if any(sched.find_bit(x).index == q for x in i.qubits)]
        ops = [k for k, (name, _) in enumerate(seq) if name != "delay"]
        if ops:
            idle += sum(d for name, d in seq[ops[0]:ops[-1]] if name == "delay")
    b = bg.circuit_budget(step_on_manila, manila.target)
    assert idle > 0
    assert b.idle_s == pytest.approx(idle, rel=TIME_RTOL)


def test_idle_fidelity_is_the_average_gate_fidelity_of_thermal_relaxation() -> None:
    from qiskit.quantum_info import average_gate_fidelity
    from qiskit_aer.noise import thermal_relaxation_error

    for t, t1, t2 in ((1e-6, 100e-6, 80e-6), (30e-6, 50e-6, 20e-6), (5e-6, 200e-6, 400e-6)):
        channel = thermal_relaxation_error(t1, t2, t).to_quantumchannel()
        assert bg.idle_fidelity(t, t1, t2) == pytest.approx(average_gate_fidelity(channel), abs=1e-12)
    assert bg.idle_fidelity(1.0, None, None) == 1.0


def test_estimated_success_by_hand(manila) -> None:  # type: ignore[no-untyped-def]
    # cx(0,1), reset(1), cx(0,1), measure(0): qubit 0 idles exactly for the reset of qubit 1.
    qc = QuantumCircuit(5, 1)
    qc.cx(0, 1)
    qc.reset(1)
    qc.cx(0, 1)
    qc.measure(0, 0)
    t = manila.target
    e_cx, e_m = t["cx"][(0, 1)].error, t["measure"][(0,)].error
    d_cx, d_r, d_m = t["cx"][(0, 1)].duration, t["reset"][(1,)].duration, t["measure"][(0,)].duration
    q0 = t.qubit_properties[0]
    idle = d_r
    expected = (1 - e_cx) ** 2 * (1 - e_m) * (3 + math.exp(-idle / q0.t1) + 2 * math.exp(-idle / q0.t2)) / 6
    b = bg.circuit_budget(qc, t, collisions=2)
    assert b.duration_s == pytest.approx(2 * d_cx + d_r + d_m, rel=TIME_RTOL)
    assert b.idle_s == pytest.approx(idle, rel=TIME_RTOL)
    assert b.estimated_success == pytest.approx(expected, rel=1e-12)
    assert (b.two_qubit_gates, b.resets, b.measurements, b.mid_circuit_measurements) == (2, 1, 1, 0)
    per = b.per_collision
    assert per is not None and per["two_qubit_gates"] == 1.0
    assert per["duration_s"] == pytest.approx((2 * d_cx + d_r + d_m) / 2, rel=TIME_RTOL)
    assert per["estimated_success"] == pytest.approx(math.sqrt(expected), rel=1e-12)


def test_for_loop_counts_as_its_unrolled_body() -> None:
    n = 7
    looped = trotter_circuit(REFERENCE_PARAMS, REFERENCE_DT, n, order=2, realization="dilated", loop=True, save=False)
    flat = trotter_circuit(REFERENCE_PARAMS, REFERENCE_DT, n, order=2, realization="dilated", save=False)
    b, ops = bg.circuit_budget(looped, collisions=n), flat.count_ops()
    assert b.depth == flat.depth()
    assert (b.two_qubit_gates, b.multi_qubit_gates, b.resets) == (ops["cx"], ops["ccx"], ops["reset"])
    assert b.duration_s is None and b.estimated_success is None and b.idle_s is None
    assert b.per_collision is not None and b.per_collision["resets"] == ops["reset"] / n


def test_if_else_counts_its_costliest_branch_and_mid_circuit_measurements() -> None:
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)) as else_:
        qc.cx(0, 1)
        qc.cx(0, 1)
    with else_:
        qc.reset(1)
    qc.measure(1, 0)
    b = bg.circuit_budget(qc)
    assert (b.two_qubit_gates, b.resets, b.measurements, b.mid_circuit_measurements) == (2, 1, 2, 1)
    assert b.depth == 1 + 1 + 2 + 1  # h, measure, the if/else block (its deeper branch), measure


def test_record_and_json_keys(manila, step_on_manila) -> None:  # type: ignore[no-untyped-def]
    d = bg.circuit_budget(step_on_manila, manila.target, collisions=1).to_dict()
    for key in ("two_qubit_gates", "depth", "resets", "measurements", "duration_s", "estimated_success",
                "per_collision"):
        assert key in d
    assert set(bg.COUNT_KEYS) <= set(d["per_collision"])
    assert bg.circuit_budget(step_on_manila).to_dict()["per_collision"] is None
    low = bg.CircuitBudget(1, 0, 1, 0, 0, 0, duration_s=1e-6, idle_s=0.0, estimated_success=0.05)
    assert low.low_success() and not low.low_success(0.01)
    assert not bg.CircuitBudget(1, 0, 1, 0, 0, 0).low_success()


def test_refusals(manila) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc.h(0)
    with pytest.raises(InputError, match="not in the target: transpile"):
        bg.circuit_budget(qc, manila.target)
    with pytest.raises(InputError, match="collisions must be"):
        bg.circuit_budget(qc, collisions=0)
    with pytest.raises(InputError, match="QuantumCircuit"):
        bg.circuit_budget("qc")
    w = QuantumCircuit(1, 1)
    with w.while_loop((w.clbits[0], 0)):
        w.x(0)
    with pytest.raises(InputError, match="while loop"):
        bg.circuit_budget(w)
    with pytest.raises(InputError, match="estimated_success must be in"):
        bg.CircuitBudget(1, 0, 1, 0, 0, 0, duration_s=0.0, idle_s=0.0, estimated_success=1.5)
    with pytest.raises(InputError, match="all None"):
        bg.CircuitBudget(1, 0, 1, 0, 0, 0, duration_s=1.0)
    assert np.isfinite(bg.MIN_ESTIMATED_SUCCESS)
