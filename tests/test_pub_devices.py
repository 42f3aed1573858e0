"""PUB sweeps on devices: transpiled to a sampler's target, against Aer's noisy density matrix of the same circuits.

The prediction is independent of the sampler: the same transpiled circuits, bound point by point, run on
``AerSimulator(method="density_matrix", noise_model=NoiseModel.from_backend(device))`` with the measured
qubit's density matrix saved after the basis rotation, and the device's readout error (the noise model's
assignment matrix of that qubit) applied to its populations. What is left is shot noise, bounded in
standard errors.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.circuits.parameters import CircuitParameters
from qc_reset.model.params import Params
from qc_reset.run import primitives as pr
from qc_reset.run.pub_records import FRAME_COLUMNS
from qc_reset.run.pub_transpile import device_circuits

#: |z| bound: 2 points x 3 bases; P(any |z| > 4.5) < 6 * 6.8e-6 ~ 4e-5 for Gaussian shot noise.
Z_BOUND = 4.5
POINTS = [Params(0.06, 0.3, 0.3, 0.1, 0.0), Params(0.1, 0.2, 0.5, 2.0, 0.3)]
DT, STEPS, SHOTS, TSEED = 0.5, 6, 2000, 5


def _manila():  # type: ignore[no-untyped-def]
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    return FakeManilaV2()


def _runtime_sampler(device):  # type: ignore[no-untyped-def]
    from qiskit_ibm_runtime import SamplerV2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the legacy runtime SamplerV2 warns on creation
        sampler = SamplerV2(mode=device)
    sampler.options.simulator.seed_simulator = 7
    return sampler


def _predicted_bloch(device, circuits, points, readout: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Aer's noisy density matrix of each bound circuit before its measurement, then the readout error.

    ``readout``: ``"properties"``, the asymmetric assignment matrix of the device's calibration properties
    (what a fake device's own ``run`` applies, so what the runtime sampler in local mode samples), or
    ``"target"``, the symmetric one of its target's measure error (what ``AerSimulator.from_backend`` applies).
    """
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel
    from qiskit_aer.noise.device.models import basic_device_readout_errors as readout_errors

    from qc_reset.run.backends import measured_physical_qubit

    nm = NoiseModel.from_backend(device)
    sim = AerSimulator(method="density_matrix", noise_model=nm)
    cp = CircuitParameters.create()
    values = pr.sweep_values(cp, points, DT)
    out = np.zeros((len(points), 3))
    for b, qc in enumerate(circuits):
        q = measured_physical_qubit(qc)
        source = {"properties": device.properties()} if readout == "properties" else {"target": device.target}
        ro = [e for e in readout_errors(**source) if tuple(e[0]) == (q,)]
        assert len(ro) == 1  # Manila has a readout error on every qubit
        A = np.asarray(ro[0][1].probabilities)  # A[i, j] = P(read j | state i)
        body = qc.remove_final_measurements(inplace=False)
        body.save_density_matrix([q], label="rho")
        for k in range(len(points)):
            by_name = {p.name: v for p, v in zip(cp.parameters(), values[k], strict=True)}
            bound = body.assign_parameters({p: by_name[p.name] for p in body.parameters})
            rho = np.asarray(sim.run(bound).result().data(0)["rho"])
            p = np.real(np.diag(rho)) @ A
            out[k, b] = p[0] - p[1]
    return out


@pytest.fixture(scope="module")
def runtime_sweep() -> tuple[pr.PubSweep, object]:
    device = _manila()
    run = pr.run_sweep(POINTS, shots=SHOTS, seed=3, dt=DT, steps=STEPS, sampler=_runtime_sampler(device),
                       seed_transpiler=TSEED, n_resamples=50)
    return run, device


def test_runtime_sampler_on_fake_manila_matches_the_noisy_density_matrix(runtime_sweep) -> None:  # type: ignore[no-untyped-def]
    run, device = runtime_sweep
    assert run.backend == "fake_manila" and run.optimization_level == 3 and run.layout is not None
    dev = device_circuits(CircuitParameters.create(), STEPS, device, seed=TSEED, creg=pr.CREG)
    assert dev.layout == run.layout and dev.measured_qubit == run.measured_qubit
    want = _predicted_bloch(device, dev.circuits, POINTS, "properties")
    z = (run.bloch - want) / run.stderr
    assert np.all(np.abs(z) < Z_BOUND), np.round(z, 2)
    # the device's noise is visible: the ideal circuit's state is many standard errors away at point 0
    ideal = pr.run_sweep(POINTS[:1], shots=SHOTS, seed=3, dt=DT, steps=STEPS, analysis=False)
    assert np.max(np.abs(ideal.bloch[0] - want[0]) / run.stderr[0]) > Z_BOUND


def test_device_circuits_keep_parameters_and_measure_the_final_qubit() -> None:
    device = _manila()
    cp = CircuitParameters.create()
    dev = device_circuits(cp, 4, device, seed=1, optimization_level=1, initial_layout=[4, 3, 2, 1])
    assert dev.layout == (4, 3, 2, 1) and dev.optimization_level == 1
    names = set(device.target.operation_names)
    for qc in dev.circuits:
        assert sorted(p.name for p in qc.parameters) == sorted(pr.PARAMETER_NAMES)
        assert {inst.operation.name for inst in qc.data} <= names | {"barrier"}  # ISA: the device's instructions
        assert qc.num_qubits == device.num_qubits
    assert dev.measured_qubit == dev.final[1]


def test_backend_wrapped_in_aer_sampler_matches_the_noisy_density_matrix(runtime_sweep) -> None:  # type: ignore[no-untyped-def]
    run, device = runtime_sweep
    aer = pr.run_sweep(POINTS, shots=SHOTS, seed=4, dt=DT, steps=STEPS, backend=device, seed_transpiler=TSEED,
                       analysis=False)
    assert aer.layout == run.layout
    dev = device_circuits(CircuitParameters.create(), STEPS, device, seed=TSEED, creg=pr.CREG)
    want = _predicted_bloch(device, dev.circuits, POINTS, "target")
    z = (aer.bloch - want) / aer.stderr
    assert np.all(np.abs(z) < Z_BOUND), np.round(z, 2)


def test_to_frame_and_record(runtime_sweep) -> None:  # type: ignore[no-untyped-def]
    run, _ = runtime_sweep
    frame = run.to_frame()
    assert list(frame.columns) == ["g", "p1", "p2", "T1", "T2", "dt", *FRAME_COLUMNS] and len(frame) == 2
    np.testing.assert_array_equal(frame[["rx", "ry", "rz"]].to_numpy(), run.bloch)
    np.testing.assert_array_equal(frame[["stderr_x", "stderr_y", "stderr_z"]].to_numpy(), run.stderr)
    assert list(frame["verdict"]) == [r.magic_witness.verdict for r in run.results]
    l1 = np.abs(run.bloch).sum(axis=1) - 1  # the witness of linear inversion, computed here from the Bloch vectors
    np.testing.assert_allclose(frame["magic_witness"], l1, atol=1e-12)
    assert np.all(frame["magic_witness_lo"] <= frame["magic_witness_hi"])
    # the budget's counts against Qiskit's own counts of the same circuit
    dev = device_circuits(CircuitParameters.create(), STEPS, _manila(), seed=TSEED, creg=pr.CREG)
    ops = dev.circuits[2].count_ops()
    assert run.budget is not None and run.budget["collisions"] == STEPS
    assert run.budget["two_qubit_gates"] == ops.get("cx", 0) and run.budget["resets"] == ops.get("reset", 0)
    assert run.budget["depth"] == dev.circuits[2].depth()
    back = pr.PubSweep.from_dict(json.loads(json.dumps(run.to_dict())))
    assert back.to_dict() == run.to_dict()
    with pytest.raises(InputError, match="analysis=True"):
        pr.run_sweep(POINTS[:1], shots=10, seed=1, dt=DT, steps=2, analysis=False).to_frame()


def test_device_refusals_before_any_job(monkeypatch: pytest.MonkeyPatch) -> None:
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2
    from qiskit_ibm_runtime.fake_provider import FakeMelbourneV2

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a job was submitted")

    monkeypatch.setattr(AerSimulator, "run", fail)
    monkeypatch.setattr(SamplerV2, "run", fail)
    kw = dict(shots=10, seed=1, dt=DT, steps=2)
    with pytest.raises(InputError, match="does not support 'reset'"):
        pr.run_sweep(POINTS, backend=FakeMelbourneV2(), **kw)
    with pytest.raises(InputError, match="does not support 'reset'"):
        pr.run_sweep(POINTS, sampler=SamplerV2(), backend=FakeMelbourneV2(), **kw)
    with pytest.raises(InputError, match="need a device"):
        pr.run_sweep(POINTS, optimization_level=1, **kw)
    with pytest.raises(InputError, match="method 'statevector'"):
        pr.run_sweep(POINTS, backend=AerSimulator(method="statevector"), **kw)
    with pytest.raises(InputError, match="optimization_level"):
        pr.run_sweep(POINTS, backend=_manila(), optimization_level=5, **kw)
    with pytest.raises(InputError, match="initial_layout must be distinct"):
        pr.run_sweep(POINTS, backend=_manila(), initial_layout=[0, 1, 2, 9], **kw)


def test_aer_simulator_backend_runs_the_circuits_as_built() -> None:
    from qiskit_aer import AerSimulator

    from qc_reset.model import measures
    from qc_reset.run.tomography import ideal_state

    run = pr.run_sweep(POINTS, shots=SHOTS, seed=2, dt=DT, steps=STEPS, backend=AerSimulator(method="density_matrix"),
                       analysis=False)
    assert run.layout is None and run.budget is None  # no device layout to transpile to
    for k, p in enumerate(POINTS):
        exact = measures.bloch_vector(ideal_state(p, DT, 2, STEPS))
        assert np.all(np.abs((run.bloch[k] - exact) / run.stderr[k]) < Z_BOUND)
