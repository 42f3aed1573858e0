"""Device noise that includes time (qc_reset.run.device_noise) against hand-computed thermal relaxation.

A qubit idling for t at zero temperature: rho_11 -> rho_11 exp(-t/T1), rho_01 -> rho_01 exp(-t/T2).
Each test compares one run with and one without the idle period, so the gate errors cancel.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import InstructionProperties, PassManager

from qc_reset._checks import InputError
from qc_reset.model import Params
from qc_reset.run import device_noise as dn
from qc_reset.run import noise as nz
from qc_reset.run.backends import fake_backend
from qc_reset.run.summary import simulate_summary

#: Aer's density-matrix arithmetic on a few hundred instructions.
STATE_TOL = 1e-10
SPEC = "fake:FakeManilaV2,layout=0-1-2-3,idle=on"


def _relaxed(rho: np.ndarray, t: float, t1: float, t2: float) -> np.ndarray:
    """Amplitude damping and dephasing of a one-qubit state for time t (zero temperature), by hand."""
    p1 = rho[1, 1].real * math.exp(-t / t1)
    c = rho[0, 1] * math.exp(-t / t2)
    return np.array([[1 - p1, c], [np.conj(c), p1]])


def _state(qc: QuantumCircuit, spec: str) -> np.ndarray:
    """Physical qubit 0's state after ``qc`` transpiled to the spec's device (its noise model and passes)."""
    s = nz.parse_noise(spec)
    tq = nz.transpile_for(qc, s, seed=1, optimization_level=0)
    tq.save_density_matrix([0], label="rho")
    return np.asarray(nz.simulator(s).run(tq).result().data(0)["rho"])


def _prepared(*, wait_for_reset: bool) -> QuantumCircuit:
    qc = QuantumCircuit(4)
    qc.ry(1.1, 0)
    qc.rz(0.4, 0)
    qc.barrier()
    if wait_for_reset:
        qc.reset(1)  # qubit 0 idles for exactly the reset of qubit 1
    qc.barrier()
    return qc


def test_a_qubit_idling_during_a_reset_relaxes_as_t1_t2_say() -> None:
    target = fake_backend("FakeManilaV2").target
    t, q0 = target["reset"][(1,)].duration, target.qubit_properties[0]
    before = _state(_prepared(wait_for_reset=False), SPEC)
    after = _state(_prepared(wait_for_reset=True), SPEC)
    assert abs(before[0, 1]) > 0.3 and 0.1 < before[1, 1].real < 0.9  # populations and coherence to check
    np.testing.assert_allclose(after, _relaxed(before, t, q0.t1, q0.t2), atol=STATE_TOL, rtol=0)
    # without idle noise the wait is free
    off = _state(_prepared(wait_for_reset=True), SPEC.replace("idle=on", "idle=off"))
    np.testing.assert_allclose(off, before, atol=STATE_TOL, rtol=0)


def test_a_circuit_with_a_known_delay() -> None:
    q0 = fake_backend("FakeManilaV2").target.qubit_properties[0]
    qc = _prepared(wait_for_reset=False)
    before = _state(qc, SPEC)
    qc.delay(20.0, 0, unit="us")
    after = _state(qc, SPEC)
    np.testing.assert_allclose(after, _relaxed(before, 20e-6, q0.t1, q0.t2), atol=STATE_TOL, rtol=0)


def _target_copy():  # type: ignore[no-untyped-def]
    import copy

    return copy.deepcopy(fake_backend("FakeManilaV2").target)


def test_measurement_relaxation_and_reset_error_passes() -> None:
    from qiskit_aer import AerSimulator

    target = _target_copy()
    d_r = target["reset"][(0,)].duration
    target.update_instruction_properties("reset", (0,), InstructionProperties(duration=d_r, error=0.125))
    passes = PassManager(dn.measurement_and_reset_passes(target))
    qc = QuantumCircuit(5, 1)
    qc.x(0)
    qc.measure(0, 0)  # |1>, then it relaxes for the measurement's duration
    qc.save_density_matrix([0], label="m")
    qc.reset(0)  # then it is left in |1> with the reset's error
    qc.save_density_matrix([0], label="r")
    data = AerSimulator(method="density_matrix").run(passes.run(qc)).result().data(0)
    t1 = target.qubit_properties[0].t1
    assert np.asarray(data["m"])[1, 1].real == pytest.approx(math.exp(-target["measure"][(0,)].duration / t1),
                                                            abs=STATE_TOL)
    assert np.asarray(data["r"])[1, 1].real == pytest.approx(0.125, abs=STATE_TOL)


def test_rz_after_five_steps_drops_with_idle_noise() -> None:
    # The dilated circuit on FakeManilaV2, level 1 as in the earlier default: idle relaxation during the
    # ancilla resets pulls qubit 1 toward the maximally mixed state (rz ~0.19 instead of ~0.40).
    p = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0)
    kw = {"dt": 0.1, "steps": 5, "noise": "fake:FakeManilaV2", "optimization_level": 1, "seed": 0}
    on = simulate_summary(p, **kw)  # type: ignore[arg-type]
    off = simulate_summary(p, idle_noise=False, **kw)  # type: ignore[arg-type]
    assert on["idle_noise"] and not off["idle_noise"]
    assert on["noise_scope"] == dn.DEVICE_NOISE_SCOPE and off["noise_scope"] == dn.GATE_NOISE_SCOPE
    assert off["bloch_circuit"][2] > 0.35 and on["bloch_circuit"][2] < 0.25
    assert on["budget"] == off["budget"]  # the budget is the device circuit's, not the emulation's


def test_spec_idle_option_and_refusals() -> None:
    s = nz.parse_noise("fake:FakeManilaV2,idle=off,layout=0-1-2-3")
    assert not s.idle and str(s) == "fake:FakeManilaV2,layout=0-1-2-3,idle=off"
    assert nz.parse_noise(str(s)) == s and nz.NoiseSpec.from_dict(s.to_dict()) == s
    assert nz.parse_noise("fake:FakeManilaV2,idle=on").idle and nz.parse_noise("fake:FakeManilaV2").idle is None
    with pytest.raises(InputError, match="idle must be on or off"):
        nz.parse_noise("fake:FakeManilaV2,idle=no")
    with pytest.raises(InputError, match="options are layout"):
        nz.parse_noise("fake:FakeManilaV2,idle=on,idle=off")
    with pytest.raises(InputError, match="a bool for a fake device"):
        nz.NoiseSpec(kind="parametric", depol=1e-3, idle=False)
    with pytest.raises(InputError, match="idle_noise applies to device noise"):
        simulate_summary(Params(0.06, 0.3, 0.3, 0.1, 0.0), steps=1, noise="depol=1e-3", idle_noise=False)
    from qiskit_aer import AerSimulator

    with pytest.raises(InputError, match="needs instruction durations"):
        dn.device_pass_manager(AerSimulator())
    pm = dn.device_pass_manager(fake_backend("FakeManilaV2"))
    flow = QuantumCircuit(1, 1)
    flow.measure(0, 0)
    with flow.if_test((flow.clbits[0], 1)):
        flow.x(0)
    with pytest.raises(InputError, match="control flow"):
        pm.run(flow)
    assert dn.has_timing(fake_backend("FakeManilaV2").target) and not dn.has_timing(AerSimulator().target)


def test_the_budget_circuit_is_the_scheduled_circuit_without_delays_and_noise() -> None:
    # budgets are read on transpile_only: it must be the circuit that runs, minus the schedule and noise passes
    from qc_reset.circuits.collision import trotter_circuit

    p = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0)
    qc = trotter_circuit(p, 0.1, 2, order=2, realization="dilated", save=False)
    pm = dn.device_pass_manager(fake_backend("FakeBrisbane"), seed=3)
    run, plain = pm.run(qc), pm.transpile_only(qc)
    kept = [(i.operation.name, tuple(run.find_bit(q).index for q in i.qubits), tuple(i.operation.params))
            for i in run.data if i.operation.name not in ("delay", "quantum_channel")]
    assert kept == [(i.operation.name, tuple(plain.find_bit(q).index for q in i.qubits), tuple(i.operation.params))
                    for i in plain.data]
    assert run.count_ops().get("delay", 0) > 0


def test_spec_and_backend_routes_give_one_state_and_budget() -> None:
    p = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0)
    spec = simulate_summary(p, dt=0.5, steps=2, noise="fake:FakeManilaV2", seed=4)
    dev = simulate_summary(p, dt=0.5, steps=2, backend=fake_backend("FakeManilaV2"), seed=4)
    np.testing.assert_allclose(spec["bloch_circuit"], dev["bloch_circuit"], atol=STATE_TOL, rtol=0)
    assert spec["budget"] == dev["budget"] and spec["idle_noise"] and dev["idle_noise"]
