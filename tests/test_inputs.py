"""Library inputs: types named in errors, bounded circuit sizes and shots, one seed validator, checked backends.

Every refusal here must happen before any heavy work. The tests make slowness impossible rather than
timing it: the functions that would build circuits, transpile or run Aer are replaced by ones that fail
the test if they are ever called.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from qc_reset import _checks as checks
from qc_reset import circuits as C
from qc_reset import emulation as em
from qc_reset import noise as nz
from qc_reset import simulate as sm
from qc_reset._checks import InputError
from qc_reset.cli import main
from qc_reset.model import Params, validate_params
from qc_reset.run import backends, calibration, interop, threshold

P = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02)
GOOD = {"g": 0.06, "p1": 0.3, "p2": 0.3, "T1": 0.1, "T2": 0.02}
#: Aer against numpy for a few steps of the same channel: rounding only (~1e-14).
FIXED_POINT_TOL = 1e-10
#: S^N by repeated squaring: the eigenvalue 1 carries a relative rounding error of about eps per
#: multiplication of the chain it stands for, (1 + eps)^N - 1 ~ N eps (2.2e-8 at N = 1e8; measured 3e-9).
POWER_STEPS = 10**8
POWER_TOL = 4 * POWER_STEPS * float(np.finfo(float).eps)
TRANSPILE_FOR = nz.transpile_for  # the real one: the no_work fixture replaces the module attribute
SEED_MESSAGE = r"seed must be a whole number in \[0, 9223372036854775807\]"
SIM = ["simulate", *[x for k, v in GOOD.items() for x in (f"--{k}", str(v))]]


def _forbid(monkeypatch: pytest.MonkeyPatch, obj: Any, name: str) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name} was called: the input should have been refused before any work")

    monkeypatch.setattr(obj, name, fail)


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building circuits, transpiling and running Aer all fail the test."""
    # The modules that define and call these (the compatibility modules only re-export them).
    from qc_reset.circuits import collision
    from qc_reset.run import noise, simulator, tomography_batch, tomography_run

    _forbid(monkeypatch, collision, "step_circuit")
    _forbid(monkeypatch, simulator, "_superop_circuit")
    _forbid(monkeypatch, simulator, "default_backend")
    _forbid(monkeypatch, tomography_run, "ideal_backend")  # the modules that call it import it by name
    _forbid(monkeypatch, tomography_batch, "ideal_backend")
    _forbid(monkeypatch, noise, "simulator")
    _forbid(monkeypatch, noise, "transpile_for")


# --------------------------------------------------------------------------------- Python API types
BAD_VALUES = [
    pytest.param(0.1 + 0.2j, "must be real, not complex", id="complex"),
    pytest.param(np.array([0.1, 0.2 + 1e-3j]), "must be real, not complex", id="complex-array"),
    pytest.param({"x": 1.0}, "must be a real number", id="dict"),
    pytest.param("0.1", "must be a real number", id="str"),
    pytest.param([[0.1, 0.2], [0.3]], "must be a real number or a rectangular array", id="ragged"),
    pytest.param(np.datetime64("2026-01-01"), "must be a real number", id="datetime64"),
    pytest.param(None, "must be a real number", id="None"),
]


@pytest.mark.parametrize("name", list(GOOD))
@pytest.mark.parametrize(("value", "needle"), BAD_VALUES)
def test_validate_params_names_bad_types(name: str, value: Any, needle: str) -> None:
    with pytest.raises(InputError, match=f"^{name} {needle}"):
        validate_params(**{**GOOD, name: value})


@pytest.mark.parametrize("name", list(GOOD))
@pytest.mark.parametrize(("value", "needle"), BAD_VALUES)
def test_params_names_bad_types(name: str, value: Any, needle: str) -> None:
    with pytest.raises(InputError, match=f"^{name} "):
        Params(**{**GOOD, name: value})


def test_params_scalar_and_real_values_still_accepted() -> None:
    p = Params(g=np.float32(0.25), p1=np.int64(1), p2=True, T1=0.0, T2=math.inf)
    assert (p.g, p.p1, p.p2, p.T1, p.T2) == (0.25, 1.0, 1.0, 0.0, math.inf)
    with pytest.raises(InputError, match="g must be a scalar for Params"):
        Params(g=[0.1, 0.2], p1=0.3, p2=0.3, T1=0.1, T2=0.1)


SYMBOLIC = C.CircuitParameters.create()
NEEDS_NUMBERS = [
    pytest.param(lambda q: em.tomography_circuits(q, 0.1, steps=3), id="tomography_circuits"),
    pytest.param(lambda q: em.run_tomography(q, shots=10, seed=1, steps=3), id="run_tomography"),
    pytest.param(lambda q: em.noisy_state(q, "depol=1e-3", steps=3), id="noisy_state"),
    pytest.param(lambda q: em.resolve_steps(q, 0.1, 2, "auto", 1e-6), id="resolve_steps"),
    pytest.param(lambda q: em.degradation_table(q, [0.0], steps=3), id="degradation_table"),
    pytest.param(lambda q: interop.qiskit_experiments_tomography(q, shots=10, seed=1, steps=3), id="qe_tomography"),
    pytest.param(lambda q: sm.simulate(q, 0.1, steps=3), id="simulate"),
    pytest.param(lambda q: threshold.max_gate_error(q, shots=0, seed=None, steps=3), id="max_gate_error"),
    pytest.param(lambda q: C.trotter_step_superop(q, 0.1), id="trotter_step_superop"),
    pytest.param(lambda q: SYMBOLIC.values(q, 0.1), id="CircuitParameters.values"),
]


@pytest.mark.parametrize("call", NEEDS_NUMBERS)
def test_symbolic_parameters_where_numbers_are_needed(call: Any, no_work: None) -> None:
    with pytest.raises(InputError, match=r"^params must be a qc_reset.Params.*CircuitParameters are symbolic"):
        call(SYMBOLIC)


@pytest.mark.parametrize("call", NEEDS_NUMBERS)
def test_dict_where_params_are_needed(call: Any, no_work: None) -> None:
    with pytest.raises(InputError, match=r"^params must be a qc_reset.Params.*use Params\(\*\*d\)"):
        call(dict(GOOD))


def test_sequences_of_points_are_checked_per_entry(no_work: None) -> None:
    with pytest.raises(InputError, match=r"^points\[1\] must be a qc_reset.Params"):
        sm.simulate_many([P, SYMBOLIC], 0.1, steps=3)
    with pytest.raises(InputError, match=r"^points must be a non-empty sequence of Params; got Params"):
        sm.simulate_many(P, 0.1, steps=3)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^points\[0\] must be a qc_reset.Params"):
        em.tomography_points([(0.06, 0.3, 0.3, 0.1, 0.02)], dt=0.1, order=2, shots=10, seed=1)  # type: ignore[list-item]


def test_builders_name_bad_params_and_states() -> None:
    with pytest.raises(InputError, match=r"^params must be a qc_reset.Params \(numbers\) or circuits.Circuit"):
        C.step_circuit(dict(GOOD), 0.1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^params must be"):
        C.trotter_circuit((0.06, 0.3, 0.3, 0.1, 0.02), 0.1, 2)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^params must be"):
        C.initial_state_circuit(None)  # type: ignore[arg-type]
    for state in ("rho", {"re": 1}, [[1, 0], [0]]):
        with pytest.raises(InputError, match="^initial_state must be a 4x4 density matrix or a 4-vector"):
            C.trotter_circuit(P, 0.1, 2, initial_state=state)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="^dt must be a number or have one entry per point"):
        SYMBOLIC.binds([P], "0.1")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- bounded resources
@pytest.mark.parametrize(
    ("kw", "kind"),
    [
        pytest.param(dict(route="gates", realization="kraus"), "kraus", id="gates-kraus"),
        pytest.param(dict(route="gates", realization="dilated"), "dilated", id="gates-dilated"),
        pytest.param(dict(route="superop"), "superop", id="superop"),
    ],
)
def test_huge_steps_refused_before_building(kw: dict[str, Any], kind: str, no_work: None) -> None:
    with pytest.raises(InputError, match=rf"^steps = 100000000 on the unrolled {kind} circuit would need about "
                                         r"[0-9.]+ TiB of memory, above the limit of 4 GiB; at most \d+ steps"):
        sm.simulate(P, 0.1, steps=10**8, **kw)


def test_huge_steps_refused_by_the_builder(no_work: None) -> None:
    for loop in (False, True):  # a for loop is compact, but Aer expands it: same budget
        with pytest.raises(InputError, match=r"^steps = 100000000 on the unrolled dilated circuit.*route 'power'"):
            C.trotter_circuit(P, 0.1, 10**8, realization="dilated", loop=loop)


def test_step_budget_is_per_run_and_scales_with_the_circuit() -> None:
    # The budget holds one run: a batch adds up; the dilated circuit (4x the instructions) allows fewer.
    n_kraus = int(C.MEMORY_LIMIT // C.STEP_MEMORY["kraus"])
    C.check_circuit_steps(n_kraus, "kraus")
    with pytest.raises(InputError, match=r"^\d+ steps in total over 2 circuits"):
        C.check_circuit_steps([n_kraus // 2 + 1, n_kraus // 2 + 1], "kraus")
    with pytest.raises(InputError, match=f"steps = {n_kraus} on the unrolled dilated circuit"):
        C.check_circuit_steps(n_kraus, "dilated")
    # A converged dt = 0.001 Strang run (about 22,400 steps at the reference point) still fits every route.
    for kind in ("kraus", "dilated", "superop"):
        C.check_circuit_steps(25_000, kind)


def test_power_route_is_constant_in_steps() -> None:
    res = sm.simulate(P, 0.1, steps=POWER_STEPS, route="power")
    S = C.trotter_step_superop(P, 0.1, 2)
    # Independent fixed point: the null vector of S - 1 from numpy's SVD, normalized to trace 1.
    _, _, vh = np.linalg.svd(S - np.eye(16))
    star = vh[-1].conj().reshape(4, 4)
    star = star / np.trace(star)
    assert res.steps == POWER_STEPS
    np.testing.assert_allclose(res.rho, star, atol=POWER_TOL, rtol=0)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: em.run_tomography(P, shots=10**12, seed=1, steps=3), id="run_tomography"),
        pytest.param(lambda: em.run_tomography(P, shots=10**12, seed=1, steps=3, noise="depol=1e-3"), id="noisy"),
        pytest.param(lambda: em.tomography_points([P], dt=0.1, order=2, shots=10**12, seed=1), id="points"),
        pytest.param(lambda: interop.qiskit_experiments_tomography(P, shots=10**12, seed=1, steps=3), id="qe"),
        pytest.param(lambda: threshold.max_gate_error(P, shots=10**12, seed=1), id="max_gate_error"),
        pytest.param(lambda: calibration.calibrate_readout("readout=0.1", 0, shots=10**12, seed=1), id="calibrate"),
    ],
)
def test_huge_shots_refused_before_running(call: Any, no_work: None) -> None:
    with pytest.raises(InputError, match=r"^shots = 1000000000000 per circuit would need about [0-9.]+ TiB of "
                                         r"memory, above the limit of 4 GiB; Aer keeps about 128 B per shot"):
        call()


def test_cal_shots_and_shot_limit_edges(no_work: None) -> None:
    assert checks.check_shots(checks.MAX_SHOTS) == checks.MAX_SHOTS == 2**25
    assert checks.check_shots(np.int64(0), allow_zero=True) == 0
    with pytest.raises(InputError, match=rf"^shots = {checks.MAX_SHOTS + 1} per circuit"):
        checks.check_shots(checks.MAX_SHOTS + 1)
    with pytest.raises(InputError, match=r"^cal_shots = 1000000000000 per circuit"):
        em.run_tomography(P, shots=10, seed=1, steps=3, noise="readout=0.1", mitigate=True, cal_shots=10**12)
    with pytest.raises(InputError, match=r"^shots must be an integer >= 1 \(at most 33554432\); got '10'"):
        checks.check_shots("10")


def test_other_size_like_arguments(no_work: None) -> None:
    with pytest.raises(InputError, match=r"^max_evaluations must be a whole number in \[2, 200\]"):
        threshold.max_gate_error(P, shots=0, seed=None, max_evaluations=10**9)
    # A parametric readout calibration builds a circuit with qubit + 1 qubits: bounded.
    with pytest.raises(InputError, match=r"^qubit must be a whole number in \[0, 1023\]"):
        calibration.calibrate_readout("readout=0.1", 10**9, shots=10, seed=1)


def test_cli_refuses_huge_steps(capsys: pytest.CaptureFixture[str], no_work: None) -> None:
    for extra in ([], ["--route", "superop"], ["--realization", "dilated"]):
        assert main([*SIM, "--steps", "100000000", *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and "steps = 100000000" in err and err.count("\n") == 1


# --------------------------------------------------------------------------------- seeds
SEEDED = [
    pytest.param(lambda s: em.run_tomography(P, shots=10, seed=s, steps=3), id="run_tomography"),
    pytest.param(lambda s: em.noisy_state(P, "depol=1e-3", steps=3, seed=s), id="noisy_state"),
    pytest.param(lambda s: em.tomography_points([P], dt=0.1, order=2, shots=10, seed=s), id="points"),
    pytest.param(lambda s: interop.qiskit_experiments_tomography(P, shots=10, seed=s, steps=3), id="qe"),
    pytest.param(lambda s: threshold.max_gate_error(P, shots=10, seed=s), id="max_gate_error"),
    pytest.param(lambda s: calibration.calibrate_readout("readout=0.1", 0, shots=10, seed=s), id="calibrate"),
    pytest.param(lambda s: TRANSPILE_FOR([], nz.parse_noise("depol=1e-3"), seed=s), id="transpile_for"),
]


@pytest.mark.parametrize("call", SEEDED)
@pytest.mark.parametrize("bad", [-1, 2**63, 1.5, "1", True], ids=["negative", "2**63", "float", "str", "bool"])
def test_one_seed_message_everywhere(call: Any, bad: Any, no_work: None) -> None:
    with pytest.raises(InputError, match=f"^{SEED_MESSAGE}"):
        call(bad)


def test_private_seed_checks_are_gone() -> None:
    assert not hasattr(em, "_check_seed") and not hasattr(nz, "_positive_int")


# --------------------------------------------------------------------------------- backends
def test_statevector_and_device_backends_refused(no_work: None) -> None:
    from qiskit_aer import AerSimulator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    for backend in (AerSimulator(method="statevector"), AerSimulator()):
        with pytest.raises(InputError, match=r"^backend must be an AerSimulator\(method='density_matrix'\).*"
                                             r"got AerSimulator\(method='(statevector|automatic)'\)"):
            sm.simulate(P, 0.1, steps=3, backend=backend)
    with pytest.raises(InputError, match=r"^backend must be .*got FakeManilaV2 .*noise='fake:NAME'"):
        sm.simulate(P, 0.1, steps=3, backend=FakeManilaV2())


def test_aer_from_device_lacks_the_instructions() -> None:
    from qiskit_aer import AerSimulator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    backend = AerSimulator.from_backend(FakeManilaV2(), method="density_matrix")
    with pytest.raises(InputError, match=r"does not support 'kraus', .*'save_density_matrix', needed by the simulated"):
        sm.simulate(P, 0.1, steps=3, backend=backend)
    with pytest.raises(InputError, match=r"does not support 'save_density_matrix', 'set_density_matrix', 'superop'"):
        sm.simulate(P, 0.1, steps=3, route="power", backend=backend)


def test_explicit_density_matrix_backend_runs() -> None:
    from qiskit_aer import AerSimulator

    res = sm.simulate(P, 0.1, steps=3, backend=AerSimulator(method="density_matrix"))
    S = C.trotter_step_superop(P, 0.1, 2)
    expected = (np.linalg.matrix_power(S, 3) @ np.kron(P.tau1(), P.tau2()).reshape(16)).reshape(4, 4)
    np.testing.assert_allclose(res.rho, expected, atol=FIXED_POINT_TOL, rtol=0)


@pytest.mark.parametrize("name", ["FakeMelbourneV2", "FakeBerlin", "FakeMiami"])
def test_fake_backend_without_reset(name: str, no_work: None) -> None:
    with pytest.raises(InputError, match=rf"^backend {name} \(.*\) does not support 'reset', needed by the circuits "
                                         rf"on fake:{name}"):
        em.noisy_state(P, f"fake:{name}", steps=2)


def test_fake_backend_without_native_rotations_refused_for_tomography(no_work: None) -> None:
    # FakeAlmadenV2's basis is u1, u2, u3, cx: the tomography's native rz/sx would run without noise.
    with pytest.raises(InputError, match=r"^backend FakeAlmadenV2 .* does not support 'rz', 'sx'"):
        em.run_tomography(P, shots=10, seed=1, steps=2, noise="fake:FakeAlmadenV2")


def test_cli_fake_backend_without_reset(capsys: pytest.CaptureFixture[str], no_work: None) -> None:
    assert main([*SIM, "--steps", "2", "--noise", "fake:FakeMelbourneV2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "does not support 'reset'" in err and err.count("\n") == 1


def test_fake_backend_names_match_the_provider() -> None:
    import warnings

    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one fake device warns that its error values are made up
        listed = sorted(type(b).__name__ for b in FakeProviderForBackendV2().backends())
    assert backends.fake_backend_names() == listed
