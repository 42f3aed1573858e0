"""Aer runs: routes agree, convergence to the fixed point, Trotter order, results, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
from qiskit import transpile

from qc_reset import circuits as C
from qc_reset.cli import main
from qc_reset.model import Params, measures
from qc_reset.model.steady import SteadyStateError, steady_state
from qc_reset.run import simulator as sm

#: Different routes run the same N steps of the same channel; they differ by rounding over
#: ~N * 20 double-precision operations (~1e-13); 1e-10 leaves a wide margin.
AGREE_TOL = 1e-10
#: Fitted log-log slope of the Trotter error vs dt: exact slopes 1 and 2, with O(dt) corrections of a
#: few percent at the dt used (the local slopes are 0.96-0.995 and 1.99-2.0).
SLOPE_TOL = 0.1

P_GENERIC = Params(g=0.35, p1=0.3, p2=0.7, T1=0.4, T2=0.8)
POINTS = [P_GENERIC, Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.1), Params(g=-0.2, p1=1.5, p2=0.1, T1=0.0,
                                                                              T2=math.inf)]


@pytest.mark.parametrize("order", C.ORDERS)
def test_routes_agree(order: int) -> None:
    kwargs = {"steps": 25, "order": order}
    ref = np.array([r.rho for r in sm.simulate_many(POINTS, 0.2, route="power", **kwargs)])  # type: ignore[arg-type]
    for route, realization in (("superop", "kraus"), ("gates", "kraus"), ("gates", "dilated")):
        res = sm.simulate_many(POINTS, 0.2, route=route, realization=realization, **kwargs)
        assert [r.steps for r in res] == [25] * len(POINTS)
        np.testing.assert_allclose([r.rho for r in res], ref, atol=AGREE_TOL, rtol=0, err_msg=route)
    # ... and equal to the numpy iteration of the exact step channel.
    for P, rho in zip(POINTS, ref, strict=True):
        S = C.trotter_step_superop(P, 0.2, order)
        v = np.kron(P.tau1(), P.tau2()).reshape(16)
        for _ in range(25):
            v = S @ v
        np.testing.assert_allclose(rho, v.reshape(4, 4), atol=AGREE_TOL, rtol=0)


def test_naive_route_agrees() -> None:
    """Gate-by-gate XXPlusYYGate + Kraus, transpiled: the benchmark's baseline."""
    P, n = P_GENERIC, 20
    qc = C.trotter_circuit(P, 0.1, n, order=2, realization="kraus", exchange_gate="xx_plus_yy")
    backend = sm.default_backend()
    rho = np.asarray(backend.run(transpile(qc, backend)).result().data()["rho"])
    fast = sm.simulate(P, 0.1, steps=n, order=2, route="power")
    np.testing.assert_allclose(rho, fast.rho, atol=AGREE_TOL, rtol=0)


def test_auto_steps_is_smallest_converged_n() -> None:
    for P in POINTS:
        for order in C.ORDERS:
            S = C.trotter_step_superop(P, 0.1, order)
            rho0 = np.kron(P.tau1(), P.tau2())
            star = sm.fixed_point(S)
            n = sm.auto_steps(S, rho0, 1e-8)

            def dist(k: int, S: np.ndarray = S, rho0: np.ndarray = rho0, star: np.ndarray = star) -> float:
                return sm.trace_distance((np.linalg.matrix_power(S, k) @ rho0.reshape(16)).reshape(4, 4), star)

            assert dist(n) <= 1e-8 < dist(n - 1)
            # The gap estimate is within a few steps of it (D0 <= 1 and the slow mode dominates).
            gap_n = math.log(1e-8) / math.log(sm.second_eigenvalue(S))
            assert 0.5 * gap_n < n < 1.5 * gap_n


def _strang_step_from_scratch(p: Params, dt: float) -> np.ndarray:
    """Strang step U(dt/2) R2 R1 U(dt/2) as a 16x16 row-major map, built from kets and partial traces.

    Independent of ``qc_reset.model`` and ``qc_reset.circuits``: H from its matrix elements, thermal
    states from their Bloch vectors, resets rho -> (1-q) rho + q tau (x) Tr rho written out.
    """
    H = np.diag([0.0, 0.5, 0.5, 1.0]).astype(complex)
    H[1, 2] = H[2, 1] = p.g  # g(|01><10| + |10><01|), qubit 1 first
    U = scipy.linalg.expm(-0.5j * dt * H)
    z1, x2 = math.tanh(0.5 / p.T1), math.tanh(0.5 / p.T2)
    tau1 = 0.5 * np.array([[1 + z1, 0], [0, 1 - z1]], dtype=complex)
    tau2 = 0.5 * np.array([[1, x2], [x2, 1]], dtype=complex)
    q1, q2 = 1 - math.exp(-p.p1 * dt), 1 - math.exp(-p.p2 * dt)

    def step(rho: np.ndarray) -> np.ndarray:
        rho = U @ rho @ U.conj().T
        r4 = rho.reshape(2, 2, 2, 2)  # [i1, i2, j1, j2]
        rho = (1 - q1) * rho + q1 * np.kron(tau1, np.einsum("abad->bd", r4))
        r4 = rho.reshape(2, 2, 2, 2)
        rho = (1 - q2) * rho + q2 * np.kron(np.einsum("abcb->ac", r4), tau2)
        return U @ rho @ U.conj().T

    basis = np.eye(16).reshape(16, 4, 4)
    return np.array([step(e).reshape(16) for e in basis]).T


def test_auto_converges_on_aer() -> None:
    """The Aer state after ``steps="auto"`` is within tol of an independently computed fixed point, and
    N is the smallest such step count (checked by iterating a step channel built from scratch)."""
    tol, dt = 1e-9, 0.1
    res = sm.simulate(P_GENERIC, dt, order=2, route="gates", realization="kraus", tol=tol)
    S = _strang_step_from_scratch(P_GENERIC, dt)
    # Fixed point: the eigenvalue-1 right eigenvector, normalised to unit trace.
    w, v = np.linalg.eig(S)
    fixed = v[:, np.argmin(np.abs(w - 1))].reshape(4, 4)
    fixed = fixed / np.trace(fixed)
    np.testing.assert_allclose(res.rho_fixed, fixed, atol=AGREE_TOL)

    def dist(a: np.ndarray, b: np.ndarray) -> float:
        return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())

    assert dist(res.rho, fixed) <= tol + AGREE_TOL
    # Minimality: one step fewer from tau1 (x) tau2 (the default initial state) is not yet converged.
    z1, x2 = math.tanh(0.5 / P_GENERIC.T1), math.tanh(0.5 / P_GENERIC.T2)
    rho0 = np.kron(0.5 * np.array([[1 + z1, 0], [0, 1 - z1]]), 0.5 * np.array([[1, x2], [x2, 1]]))
    before = (np.linalg.matrix_power(S, res.steps - 1) @ rho0.reshape(16)).reshape(4, 4)
    assert dist(before, fixed) > tol


@pytest.mark.parametrize(("order", "slope"), [(1, 1.0), (2, 2.0)])
def test_trotter_error_order(order: int, slope: float) -> None:
    dts = np.array([0.2, 0.1, 0.05, 0.025])
    res = [sm.simulate(P_GENERIC, float(dt), order=order, route="power", tol=1e-12) for dt in dts]
    err = np.array([sm.trace_distance(r.rho, r.rho_exact) for r in res])  # Aer state vs exact steady state
    fit = np.polyfit(np.log(dts), np.log(err), 1)[0]
    assert fit == pytest.approx(slope, abs=SLOPE_TOL)
    np.testing.assert_allclose(err, [r.trotter_error for r in res], rtol=1e-6)


def test_result_fields_and_measures() -> None:
    res = sm.simulate(Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0), 0.05, order=2, route="power")
    np.testing.assert_allclose(res.rho_exact, steady_state(0.06, 0.3, 0.3, 0.1, 0.0), atol=1e-15)
    np.testing.assert_allclose(res.rho1, measures.reduced_state(res.rho, 1), atol=0)
    np.testing.assert_allclose(res.bloch, res.bloch_exact, atol=1e-5)  # Strang at dt = 0.05
    d = res.to_dict()
    for key in ("bloch_exact", "bloch_circuit", "trace_distance", "steps", "l1_coherence", "l1_norm", "magic",
                "robustness", "facets", "stabilizer_distance", "trotter_error", "convergence_error"):
        assert key in d
    assert d["magic"] is True  # this reference point has steady magic, and the circuit finds it
    assert d["l1_norm"] == pytest.approx(float(np.abs(res.bloch).sum()), abs=1e-15)
    json.dumps(d)


def test_initial_state_of_choice() -> None:
    ground = np.zeros(4)
    ground[0] = 1.0
    a = sm.simulate(P_GENERIC, 0.1, steps=5, route="gates", initial_state=ground)
    b = sm.simulate(P_GENERIC, 0.1, steps=5, route="power", initial_state=ground)
    c = sm.simulate(P_GENERIC, 0.1, steps=5, route="power")
    np.testing.assert_allclose(a.rho, b.rho, atol=AGREE_TOL)
    assert sm.trace_distance(a.rho, c.rho) > 1e-3
    # Converged runs forget the initial state.
    a = sm.simulate(P_GENERIC, 0.1, route="power", initial_state=ground)
    c = sm.simulate(P_GENERIC, 0.1, route="power")
    np.testing.assert_allclose(a.rho, c.rho, atol=3e-10)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="route must be one of gates, superop, power"):
        sm.simulate(P_GENERIC, route="fast")
    with pytest.raises(ValueError, match="tol must be a number in"):
        sm.simulate(P_GENERIC, tol=0.0)
    with pytest.raises(ValueError, match=r"dt must be a finite number in \(0, \+inf\)"):
        sm.simulate(P_GENERIC, 0.0)
    with pytest.raises(ValueError, match="steps must be an integer >= 1 or 'auto'"):
        sm.simulate(P_GENERIC, steps=0)
    with pytest.raises(ValueError, match="order must be one of 1"):
        sm.simulate(P_GENERIC, order=4)
    with pytest.raises(ValueError, match="realization must be one of kraus, dilated"):
        sm.simulate(P_GENERIC, realization="exact")
    with pytest.raises(ValueError, match="points must be a non-empty sequence of Params"):
        sm.simulate_many([])
    with pytest.raises(SteadyStateError):
        sm.simulate(Params(g=0.0, p1=0.3, p2=0.0, T1=0.1, T2=0.1))


# ------------------------------------------------------------------------------------------------- CLI
SIM = ["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.0"]


@pytest.mark.parametrize("extra", [[], ["--realization", "dilated", "--order", "1", "--steps", "40"]])
def test_cli_simulate_json(capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    assert main([*SIM, "--dt", "0.2", *extra, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for key in ("bloch_exact", "bloch_circuit", "trace_distance", "steps"):
        assert key in d
    np.testing.assert_allclose(d["bloch_exact"], measures.bloch_vector(steady_state(0.06, 0.3, 0.3, 0.1, 0.0)),
                               atol=1e-15)
    assert d["steps"] == (40 if extra else sm.simulate(Params(0.06, 0.3, 0.3, 0.1, 0.0), 0.2).steps)
    rho1 = np.array(d["bloch_circuit"])
    assert d["trace_distance"] == pytest.approx(0.5 * np.linalg.norm(rho1 - d["bloch_exact"]), abs=1e-15)


def test_cli_simulate_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*SIM, "--steps", "10"]) == 0
    out = capsys.readouterr().out
    assert "trace distance" in out and "bloch exact" in out and "steps" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--dt", "0"], "dt must be"),
        (["--dt", "-1"], "dt must be"),
        (["--steps", "0"], "steps must be"),
        (["--steps", "many"], "steps must be"),
        (["--order", "3"], "order must be one of 1"),
        (["--realization", "analog"], "realization must be one of kraus, dilated"),
        (["--route", "x"], "route must be one of"),
    ],
)
def test_cli_simulate_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    assert main([*SIM, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and needle in err and err.count("\n") == 1


def test_cli_export_qasm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qiskit import qasm3

    assert main(["export-qasm", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dilated_run.qasm", "dilated_step.qasm", "manifest.json",
                                                          "reference.json"]
    assert "dilated_run.qasm" in capsys.readouterr().out
    # the manifest's logical budgets, against counts read back from the written files
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    steps = json.loads((tmp_path / "reference.json").read_text())["steps"]
    step = qasm3.loads((tmp_path / "dilated_step.qasm").read_text())
    b = manifest["files"]["dilated_step.qasm"]["budget"]
    ops = step.count_ops()
    assert (b["two_qubit_gates"], b["multi_qubit_gates"], b["resets"], b["measurements"], b["depth"]) == (
        ops["cx"], ops["ccx"], ops["reset"], 0, step.depth())
    assert b["duration_s"] is None and b["estimated_success"] is None
    run = manifest["files"]["dilated_run.qasm"]
    assert run["collisions"] == steps
    flat = C.trotter_circuit(C.REFERENCE_PARAMS, C.REFERENCE_DT, steps, order=C.REFERENCE_ORDER,
                             realization="dilated", save=False)  # the loop of the file, unrolled
    assert (run["budget"]["two_qubit_gates"], run["budget"]["resets"]) == (flat.count_ops()["cx"],
                                                                          flat.count_ops()["reset"])
    assert run["budget"]["per_collision"]["resets"] == pytest.approx(flat.count_ops()["reset"] / steps)
    # ... and the committed folder is what the command writes
    repo = Path(__file__).resolve().parent.parent / "circuits"
    assert (tmp_path / "manifest.json").read_bytes() == (repo / "manifest.json").read_bytes()


# ------------------------------------------------------------------------------- device budget in simulate
DEVICE = [*SIM, "--dt", "0.5", "--backend", "fake:FakeManilaV2", "--seed", "5"]


def test_cli_device_budget_json_and_warning(capsys: pytest.CaptureFixture[str]) -> None:
    from qc_reset.run.backends import fake_backend
    from qc_reset.run.budget import MIN_ESTIMATED_SUCCESS

    assert main([*DEVICE, "--steps", "3", "--json"]) == 0
    out, err = capsys.readouterr()
    d = json.loads(out)
    b = d["budget"]
    for key in ("two_qubit_gates", "depth", "resets", "measurements", "duration_s", "estimated_success"):
        assert key in b and key in b["per_collision"]
    # independently: the same circuit transpiled by Qiskit at level 3 with the run's transpiler seed
    device = fake_backend("FakeManilaV2")
    qc = C.trotter_circuit(Params(0.06, 0.3, 0.3, 0.1, 0.0), 0.5, 3, order=2, realization="dilated", save=False)
    tq = transpile(qc, backend=device, optimization_level=3, seed_transpiler=5)
    ops = tq.count_ops()
    assert (b["two_qubit_gates"], b["resets"], b["measurements"], b["depth"]) == (ops["cx"], ops["reset"], 0,
                                                                                  tq.depth())
    assert b["duration_s"] == pytest.approx(tq.estimate_duration(device.target, unit="s"), rel=1e-9)
    assert b["per_collision"]["two_qubit_gates"] == pytest.approx(ops["cx"] / 3)
    assert d["idle_noise"] is True and "idle period" in d["noise_scope"]
    # three steps on FakeManilaV2: below the warning level, one stderr line
    assert b["estimated_success"] < MIN_ESTIMATED_SUCCESS
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning:") and "estimated success" in lines[0]


def test_cli_device_budget_table_and_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*DEVICE, "--steps", "1"]) == 0
    out, err = capsys.readouterr()
    assert "budget: two-qubit gates" in out and "per step" in out and "idle noise" in out
    assert "warning:" not in err


def test_cli_no_idle_noise(capsys: pytest.CaptureFixture[str]) -> None:
    from qc_reset.run.backends import fake_backend
    from qc_reset.run.device_noise import device_pass_manager
    from qc_reset.run.tomography import noisy_state

    assert main([*DEVICE, "--steps", "2", "--json"]) == 0
    on = json.loads(capsys.readouterr().out)
    assert main([*DEVICE, "--steps", "2", "--no-idle-noise", "--json"]) == 0
    off = json.loads(capsys.readouterr().out)
    assert off["idle_noise"] is False and off["budget"] == on["budget"]
    device = fake_backend("FakeManilaV2")
    rho, _ = noisy_state(Params(0.06, 0.3, 0.3, 0.1, 0.0), backend=device, dt=0.5, steps=2,
                         pass_manager=device_pass_manager(device, seed=5))
    np.testing.assert_allclose(on["bloch_circuit"], measures.bloch_vector(rho), atol=1e-12)
    assert main([*SIM, "--noise", "depol=1e-3", "--no-idle-noise"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--no-idle-noise applies to device noise" in err


def test_dynamic_circuit_state_is_labelled_a_shot_average(capsys: pytest.CaptureFixture[str]) -> None:
    """Aer samples a dynamic circuit's mid-circuit measurements per shot: the saved state is an average
    over DYNAMIC_SHOTS shots, and the record and the CLI say so (exact routes record None)."""
    p = Params(0.06, 0.3, 0.3, 0.1, 0.02)
    dyn = sm.simulate(p, 0.5, steps=4, realization="dynamic")
    exact = sm.simulate(p, 0.5, steps=4, route="power")
    assert dyn.state_shots == sm.DYNAMIC_SHOTS and exact.state_shots is None
    assert sm.SimulationResult.from_dict(json.loads(json.dumps(dyn.to_dict()))).state_shots == sm.DYNAMIC_SHOTS
    # The average is close to, but not equal to, the exact state of the same channel: each shot's state has
    # Bloch components in [-1, 1], so the mean's standard error is at most 1/sqrt(shots); allow 6 of those.
    diff = np.abs(dyn.bloch - exact.bloch).max()
    assert 0 < diff < 6 / math.sqrt(sm.DYNAMIC_SHOTS)
    assert main(["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02",
                 "--dt", "0.5", "--steps", "4", "--realization", "dynamic"]) == 0
    assert "average over 1024 shots" in capsys.readouterr().out
