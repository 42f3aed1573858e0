"""Execution inputs of the ecosystem: NoiseModel objects, BackendV2 devices, BaseSamplerV2 samplers.

Each path is compared with an independent one: the spec string (identical transpiled circuit and Aer
seed, so equal counts), the package's own Aer run (independent shots: a z bound on the difference), and
Aer's exact noisy density matrix of the same transpiled circuit (shot noise only).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.cli.main import main
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.run import backends
from qc_reset.run.noise import noise_model
from qc_reset.run.tomography import noisy_state, run_tomography

P = Params(0.06, 0.3, 0.3, 0.1, 0.0)  # a magic point of the paper
#: |z| bound per Bloch component: P(|z| > 4) = 6e-5 for a Gaussian; three components per test stay < 2e-4.
Z_BOUND = 4.0
#: Same circuit, same simulator seed: the density matrices agree to Aer's floating-point accuracy.
EXACT_TOL = 1e-12


def _fake(name: str):
    from qiskit_ibm_runtime import fake_provider

    return getattr(fake_provider, name)()


def test_noise_model_object_equals_the_spec_string() -> None:
    spec = "depol=2e-3,readout=0.03:0.05"
    kw = dict(shots=3000, seed=11, n_resamples=50, mitigate=True, steps=20)
    a = run_tomography(P, noise=spec, **kw)
    b = run_tomography(P, noise=noise_model(spec), **kw)
    assert b.noise == "noise_model"
    np.testing.assert_array_equal(a.counts, b.counts)  # same transpiled circuit and Aer seed
    np.testing.assert_array_equal(a.assignment, b.assignment)
    np.testing.assert_allclose(a.bloch_circuit, b.bloch_circuit, atol=EXACT_TOL)
    rho_a, n_a = noisy_state(P, spec, steps=5)
    rho_b, n_b = noisy_state(P, noise_model(spec), steps=5)
    assert n_a == n_b == 5
    np.testing.assert_allclose(rho_a, rho_b, atol=EXACT_TOL)


def test_aer_sampler_agrees_with_the_package_run() -> None:
    from qiskit_aer.primitives import SamplerV2

    shots = 20000
    a = run_tomography(P, shots=shots, seed=5, n_resamples=50)
    b = run_tomography(P, shots=shots, seed=5, n_resamples=50, sampler=SamplerV2(seed=123))
    assert not np.array_equal(a.counts, b.counts)  # independent shots
    np.testing.assert_allclose(a.bloch_circuit, b.bloch_circuit, atol=EXACT_TOL)  # same exact state
    se = np.hypot(a.result.stderr, b.result.stderr)
    z = (np.asarray(a.result.bloch) - np.asarray(b.result.bloch)) / se
    assert np.all(np.abs(z) < Z_BOUND), z
    assert b.verdict == "magic"


def test_runtime_sampler_on_a_fake_device_matches_the_noisy_density_matrix() -> None:
    from qiskit_ibm_runtime import SamplerV2

    device = _fake("FakeManilaV2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the legacy runtime SamplerV2 warns on creation
        sampler = SamplerV2(mode=device)
    sampler.options.simulator.seed_simulator = 7
    # mitigated: the readout calibration runs as two PUBs of the same sampler, so the estimate targets the
    # state before readout error, which is what the density matrix below is
    run = run_tomography(P, shots=4000, seed=2, dt=0.5, n_resamples=50, sampler=sampler, mitigate=True)
    assert run.noise == "backend:fake_manila" and run.assignment is not None
    assert 0.9 < run.assignment[0, 0] < 1 and 0.9 < run.assignment[1, 1] < 1  # Manila's readout, not ideal
    # The prediction: Aer's noisy density matrix of the same circuit and transpilation (level 3, same seed path).
    rho, n = noisy_state(P, backend=device, dt=0.5, steps=run.steps)
    r = measures.bloch_vector(rho)
    np.testing.assert_allclose(run.bloch_circuit, r, atol=1e-6)  # level-3 transpiles agree across seeds here
    z = (np.asarray(run.result.bloch) - r) / np.asarray(run.result.stderr)
    assert np.all(np.abs(z) < Z_BOUND), z


@pytest.fixture
def no_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every simulator and sampler submission fail: refusals must come before any job."""
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a job was submitted")

    monkeypatch.setattr(AerSimulator, "run", fail)
    monkeypatch.setattr(SamplerV2, "run", fail)


def test_refusals_before_submission(no_jobs: None) -> None:
    from qiskit import QuantumCircuit
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2

    kw = dict(shots=100, seed=0, steps=2)
    with pytest.raises(InputError, match="method 'statevector'.*density_matrix"):
        run_tomography(P, backend=AerSimulator(method="statevector"), **kw)
    with pytest.raises(InputError, match="method 'statevector'"):
        noisy_state(P, backend=AerSimulator(method="statevector"), steps=2)
    melbourne = _fake("FakeMelbourneV2")
    assert "reset" not in melbourne.target.operation_names
    with pytest.raises(InputError, match="does not support 'reset'"):
        run_tomography(P, backend=melbourne, **kw)
    with pytest.raises(InputError, match="does not support 'reset'"):
        run_tomography(P, sampler=SamplerV2(), backend=melbourne, **kw)
    # control flow: a circuit with if_test on a device without if_else
    qc = QuantumCircuit(2, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    with pytest.raises(InputError, match="does not support 'if_else'"):
        backends.transpile_to(qc, GenericBackendV2(5, control_flow=False, seed=1), seed=0)
    with pytest.raises(InputError, match="noise must be 'none' with backend="):
        run_tomography(P, noise="depol=1e-3", backend=_fake("FakeManilaV2"), **kw)
    with pytest.raises(InputError, match="initial_layout and pass_manager need backend="):
        run_tomography(P, noise="depol=1e-3", initial_layout=[0, 1, 2, 3], **kw)
    with pytest.raises(InputError, match="optimization_level"):
        run_tomography(P, backend=_fake("FakeManilaV2"), optimization_level=4, **kw)
    with pytest.raises(InputError, match="initial_layout must be distinct physical qubits"):
        run_tomography(P, backend=_fake("FakeManilaV2"), initial_layout=[0, 1, 2, 9], **kw)
    with pytest.raises(InputError, match="sampler must be a qiskit BaseSamplerV2"):
        run_tomography(P, sampler=object(), **kw)
    with pytest.raises(InputError, match="backend must be a qiskit BackendV2"):
        run_tomography(P, backend="FakeManilaV2", **kw)


def test_backend_path_with_layout_and_pass_manager() -> None:
    from qiskit.transpiler import generate_preset_pass_manager

    device = _fake("FakeManilaV2")
    rho_pm, _ = noisy_state(P, backend=device, steps=3,
                            pass_manager=generate_preset_pass_manager(1, backend=device, initial_layout=[4, 3, 2, 1],
                                                                      seed_transpiler=0))
    rho_l, _ = noisy_state(P, backend=device, steps=3, optimization_level=1, initial_layout=[4, 3, 2, 1])
    np.testing.assert_allclose(rho_pm, rho_l, atol=EXACT_TOL)  # the preset manager of the same options
    # the fake: spec with the same layout and level is the same device and circuit
    rho_s, _ = noisy_state(P, "fake:FakeManilaV2,layout=4-3-2-1", steps=3, optimization_level=1)
    np.testing.assert_allclose(rho_l, rho_s, atol=1e-10)


def test_fake_backend_names_are_cached() -> None:
    names = backends.fake_backend_names()
    assert "FakeManilaV2" in names and names == sorted(names)
    assert backends.fake_backend_names() == names


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    base = ["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0"]
    rc = main([*base, *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_backend_fake(capsys: pytest.CaptureFixture[str]) -> None:
    # --no-idle-noise: the library's backend= run below is unscheduled (gate and readout noise only)
    rc, out, _ = _cli(capsys, "--backend", "fake:FakeManilaV2", "--dt", "0.5", "--steps", "4", "--no-idle-noise",
                      "--json")
    assert rc == 0
    d = json.loads(out)
    assert d["noise"] == "backend:fake_manila" and d["steps"] == 4
    rho, _ = noisy_state(P, backend=_fake("FakeManilaV2"), dt=0.5, steps=4)
    np.testing.assert_allclose(d["bloch_circuit"], measures.bloch_vector(rho), atol=1e-6)


@pytest.mark.parametrize("args, msg", [
    (("--backend", "FakeManilaV2"), "backend must be fake:NAME"),
    (("--backend", "fake:Nope"), "unknown fake backend"),
    (("--backend", "fake:FakeManilaV2", "--noise", "depol=1e-3"), "--backend and --noise are exclusive"),
    (("--optimization-level", "2"), "--optimization-level needs --backend"),
    (("--backend", "fake:FakeManilaV2", "--optimization-level", "7"), "optimization_level must be"),
])
def test_cli_backend_errors(capsys: pytest.CaptureFixture[str], args: tuple[str, ...], msg: str) -> None:
    rc, _, err = _cli(capsys, *args)
    assert rc == 2
    assert msg in err and len(err.strip().splitlines()) == 1 and err.startswith("error:")
