"""Shot-based tomography on Aer (qc_reset.emulation): estimators vs exact states, noise, CLI, interop."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from qc_reset import circuits
from qc_reset import noise as nz
from qc_reset.circuits import measurement
from qc_reset.cli import main
from qc_reset.model import Params, measures
from qc_reset.run import backends, interop
from qc_reset.run import tomography as em
from qc_reset.workflows.sweep import evaluate_chunk, tomography_records

#: |estimate - circuit state| bound per Bloch component, in standard errors (fixed seeds).
N_SE = 4.0
#: Agreement of two linear-inversion computations on identical counts.
SAME_COUNTS_TOL = 1e-12
P_MAGIC = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02)
P_GENERIC = Params(g=0.4, p1=0.2, p2=0.5, T1=0.7, T2=0.3)
COARSE: dict[str, Any] = dict(dt=0.5, order=2)


def assert_within_se(run: em.TomographyRun, n_se: float = N_SE) -> None:
    """Every component of the estimate is within ``n_se`` standard errors of the circuit state."""
    dev = np.abs(run.result.bloch - run.bloch_circuit)
    assert np.all(dev < n_se * run.result.stderr), (dev, run.result.stderr)


# ------------------------------------------------------------------------------------------- circuits
def test_tomography_circuits_metadata_and_rotations() -> None:
    qcs = measurement.tomography_circuits(P_GENERIC, 0.5, steps=3, realization="kraus")
    assert [qc.metadata["basis"] for qc in qcs] == ["X", "Y", "Z"]
    assert all(qc.metadata["qubit"] == measurement.MEASURED_QUBIT == circuits.PAPER_TO_QISKIT[1] for qc in qcs)
    assert all(qc.metadata["steps"] == 3 and qc.num_clbits == 1 for qc in qcs)
    measured = [[q._index for inst in qc.data if inst.operation.name == "measure" for q in inst.qubits]
                for qc in qcs]
    assert measured == [[1], [1], [1]]
    tail = [[inst.operation.name for inst in qc.data[-3:]] for qc in qcs]
    assert tail[0][-2:] == ["h", "measure"] and tail[1] == ["sdg", "h", "measure"] and tail[2][-1] == "measure"
    power = measurement.tomography_circuits(P_GENERIC, 0.5, steps=3, route="power")
    assert [inst.operation.name for inst in power[2].data] == ["set_density_matrix", "superop", "measure"]
    with pytest.raises(ValueError, match="route must be one of gates, power"):
        measurement.tomography_circuits(P_GENERIC, 0.5, steps=3, route="superop")


@pytest.mark.parametrize(
    ("params", "kw"),
    [
        (P_MAGIC, dict(route="power", dt=0.1)),
        (P_GENERIC, dict(route="power", dt=0.1)),
        (P_GENERIC, dict(route="gates", realization="kraus", **COARSE)),
        (P_GENERIC, dict(route="gates", realization="dilated", steps=25, **COARSE)),
    ],
    ids=["power-magic", "power-generic", "gates-kraus", "gates-dilated"],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_ideal_estimates_within_standard_errors(params: Params, kw: dict[str, Any], seed: int) -> None:
    run = em.run_tomography(params, shots=20000, seed=seed, n_resamples=200, **kw)
    assert_within_se(run)
    # The circuit state is the exact steady state up to Trotter and convergence error (tol = 0.1/sqrt(shots)
    # for steps="auto"; 25 fixed steps at dt = 0.5 leave a ~4e-3 transient).
    assert run.trace_distance < (1e-2 if kw["dt"] == 0.5 else 1e-3)


def test_ideal_gates_and_power_measure_the_same_state() -> None:
    a = em.run_tomography(P_GENERIC, shots=1000, seed=3, route="power", steps=25, **COARSE)
    b = em.run_tomography(P_GENERIC, shots=1000, seed=3, route="gates", steps=25, **COARSE)
    np.testing.assert_allclose(a.bloch_circuit, b.bloch_circuit, atol=1e-12)
    # The noisy path with a noiseless parametric model reproduces the ideal state through Aer.
    rho, n = em.noisy_state(P_GENERIC, "depol=0", steps=25, **COARSE)
    np.testing.assert_allclose(measures.bloch_vector(rho), a.bloch_circuit, atol=1e-10)


def test_run_is_deterministic_and_dict_has_design_keys() -> None:
    a = em.run_tomography(P_MAGIC, shots=100_000, seed=42, n_resamples=300)
    b = em.run_tomography(P_MAGIC, shots=100_000, seed=42, n_resamples=300)
    c = em.run_tomography(P_MAGIC, shots=100_000, seed=43, n_resamples=300)
    assert a.to_dict() == b.to_dict() and not np.array_equal(a.counts, c.counts)
    d = json.loads(json.dumps(a.to_dict()))
    for key in ("bloch_exact", "bloch_circuit", "trace_distance", "steps", "noise", "counts", "tomography"):
        assert key in d
    t = d["tomography"]
    assert {"bloch", "stderr", "l1_coherence", "magic_witness"} <= set(t)
    assert set(t["l1_coherence"]) >= {"value", "ci"} and set(t["magic_witness"]) >= {"value", "ci", "verdict"}
    assert a.counts.shape == (3, 2) and int(a.counts.sum()) == 300_000
    assert a.verdict == "magic"  # W = 0.035 > union half-width ~0.015 at 1e5 shots/basis


def test_tomography_points_batch_and_per_point_seeds() -> None:
    pts = [P_MAGIC, P_GENERIC, Params(g=0.1, p1=0.3, p2=0.3, T1=0.2, T2=0.05)]
    bloch, se = em.tomography_points(pts, dt=0.1, order=2, shots=20000, seed=9)
    assert bloch.shape == se.shape == (3, 3)
    for k, p in enumerate(pts):
        n = measurement.resolve_steps(p, 0.1, 2, "auto", em.convergence_tol(20000))
        r = measures.bloch_vector(em.ideal_state(p, 0.1, 2, n))
        assert np.all(np.abs(bloch[k] - r) < N_SE * se[k])
    b0, _ = em.tomography_points(pts[:1], dt=0.1, order=2, shots=20000, seed=9)
    np.testing.assert_array_equal(b0[0], bloch[0])  # point 0 does not depend on the rest of the batch
    # Point k depends only on (seed, k): changing the other points leaves points 1 and 2 unchanged...
    other = Params(g=0.2, p1=0.5, p2=0.1, T1=1.0, T2=2.0)
    b_other, _ = em.tomography_points([other, pts[1], pts[2]], dt=0.1, order=2, shots=20000, seed=9)
    np.testing.assert_array_equal(b_other[1:], bloch[1:])
    assert not np.array_equal(b_other[0], bloch[0])
    # ...while point 1 at index 0 gets index 0's stream (different counts for the same state).
    b1_first, _ = em.tomography_points([pts[1]], dt=0.1, order=2, shots=20000, seed=9)
    assert not np.array_equal(b1_first[0], bloch[1])


# ------------------------------------------------------------------------------------------- interop
@pytest.mark.parametrize("realization", ["dilated", "kraus"])
def test_qiskit_experiments_linear_inversion_agrees(realization: str) -> None:
    from qc_reset import stats as tomo

    counts, bloch_qe = interop.qiskit_experiments_tomography(P_GENERIC, shots=8000, seed=4, dt=0.5, steps=25,
                                                         realization=realization)
    assert counts.sum(axis=-1).tolist() == [8000, 8000, 8000]
    np.testing.assert_allclose(tomo.linear_inversion(counts), bloch_qe, atol=SAME_COUNTS_TOL)
    r = measures.bloch_vector(em.ideal_state(P_GENERIC, 0.5, 2, 25))
    assert np.all(np.abs(bloch_qe - r) < N_SE * tomo.standard_errors(counts))


# ------------------------------------------------------------------------------------------- noise
def test_depolarizing_noise_degrades_coherence_and_l1_norm_monotonically() -> None:
    rows = em.degradation_table(P_MAGIC, [0.0, 1e-4, 1e-3, 1e-2], steps=40, **COARSE)
    l1 = [r["l1_norm"] for r in rows]
    coh = [r["l1_coherence"] for r in rows]
    assert rows[0]["magic"] and not rows[-1]["magic"]
    assert all(a > b for a, b in zip(l1, l1[1:], strict=False))
    assert all(a > b for a, b in zip(coh, coh[1:], strict=False))


def test_readout_error_biases_z_and_mitigation_removes_it() -> None:
    kw: dict[str, Any] = dict(shots=40000, seed=8, noise="readout=0.05", steps=25, n_resamples=200, **COARSE)
    raw = em.run_tomography(P_MAGIC, **kw)
    mit = em.run_tomography(P_MAGIC, mitigate=True, **kw)
    # Readout error leaves the state alone: the circuit state is the ideal one.
    np.testing.assert_allclose(raw.bloch_circuit, measures.bloch_vector(em.ideal_state(P_MAGIC, 0.5, 2, 25)),
                               atol=1e-10)
    rz, z_hat, se_z = raw.bloch_circuit[2], raw.result.bloch[2], raw.result.stderr[2]
    assert z_hat < rz - 10 * se_z and abs(z_hat - 0.9 * rz) < N_SE * se_z  # pulled toward 0 by 1 - 2e
    assert_within_se(mit)
    assert mit.assignment is not None and mit.to_dict()["mitigation"]["assignment"][0][0] == pytest.approx(0.95,
                                                                                                       abs=0.005)


def test_ideal_mitigation_is_identity() -> None:
    run = em.run_tomography(P_GENERIC, shots=2000, seed=1, mitigate=True, steps=5, n_resamples=50, **COARSE)
    raw = em.run_tomography(P_GENERIC, shots=2000, seed=1, steps=5, n_resamples=50, **COARSE)
    np.testing.assert_array_equal(run.counts, raw.counts)
    np.testing.assert_array_equal(run.assignment, np.eye(2))
    np.testing.assert_allclose(run.result.bloch, raw.result.bloch, atol=SAME_COUNTS_TOL)
    # A calibration of 2000 shots cannot prove perfect readout: the error bars only grow.
    assert np.all(run.result.stderr >= raw.result.stderr)
    cov = run.result.covariance
    assert cov is not None and np.allclose(cov, cov.T) and cov[0, 1] > 0  # shared calibration: correlated
    assert run.to_dict()["mitigation"] == {"assignment": [[1.0, 0.0], [0.0, 1.0]], "cal_shots": 2000, "qubit": 1}


def test_noisy_parametric_run_estimates_noisy_state() -> None:
    run = em.run_tomography(P_GENERIC, shots=20000, seed=2, noise="depol=3e-3,t1=50us,t2=70us", steps=20,
                            n_resamples=100, **COARSE)
    assert_within_se(run)
    ideal = measures.bloch_vector(em.ideal_state(P_GENERIC, 0.5, 2, 20))
    assert np.linalg.norm(run.bloch_circuit) < np.linalg.norm(ideal) - 0.05


def _manila_readout(q: int) -> tuple[float, float]:
    """(P(1|0), P(0|1)) of FakeManilaV2's physical qubit q, as NoiseModel.from_backend reads its target."""
    prop = backends.fake_backend("FakeManilaV2").target["measure"][(q,)]
    return (getattr(prop, "prob_meas1_prep0", prop.error), getattr(prop, "prob_meas0_prep1", prop.error))


def test_fake_backend_run_with_layout() -> None:
    kw: dict[str, Any] = dict(shots=4000, seed=6, steps=6, n_resamples=50, mitigate=True, **COARSE)
    run = em.run_tomography(P_GENERIC, noise="fake:FakeManilaV2,layout=4-3-2-1", **kw)
    assert_within_se(run, n_se=5.0)  # mitigation: delta-method error bars
    assert run.noise == "fake:FakeManilaV2,layout=4-3-2-1"
    again = em.run_tomography(P_GENERIC, noise="fake:FakeManilaV2,layout=4-3-2-1", **kw)
    assert again.to_dict() == run.to_dict()
    # One transpile: the measured physical qubit is paper qubit 1's final position in the state circuit...
    spec = nz.parse_noise("fake:FakeManilaV2,layout=4-3-2-1")
    tqc, phys = em._transpiled_state(P_GENERIC, spec, 0.5, 2, 6, 0)
    qcs = measurement.noisy_tomography_circuits(tqc, phys, {"steps": 6})
    assert {backends.measured_physical_qubit(qc) for qc in qcs} == {phys}
    assert [qc.layout.final_index_layout() for qc in qcs] == [tqc.layout.final_index_layout()] * 3
    # ...and the calibration is that qubit's readout error (routing moves paper qubit 1 from its initial
    # physical qubit 3 to a final one). Manila's errors are 1.4-9.6 %, at least 0.33 % apart; with 2e5
    # calibration shots (sd <= 3.3e-4 for errors <= 2.2 %) N_SE sd on each side separates every pair, so
    # calibrating any other qubit fails.
    m = 200_000
    cal = em.run_tomography(P_GENERIC, noise="fake:FakeManilaV2,layout=4-3-2-1", cal_shots=m,
                            **{k: v for k, v in kw.items() if k != "shots"}, shots=200)
    q = cal.measured_qubit
    assert q == phys
    e01, e10 = _manila_readout(q)
    tol = N_SE * np.sqrt(max(e01, e10) * (1 - min(e01, e10)) / m)
    assert cal.assignment is not None
    np.testing.assert_allclose(cal.assignment, [[1 - e01, e10], [e01, 1 - e10]], atol=tol)
    for k in range(5):  # the test's power: every other qubit's expected matrix is outside the tolerance
        if k != q:
            ek = _manila_readout(k)[0]
            assert abs(ek - e01) > tol + N_SE * np.sqrt(ek * (1 - ek) / m)
    assert cal.to_dict()["measured_qubit"] == q and cal.to_dict()["mitigation"]["qubit"] == q


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        (dict(shots=0, seed=1), "shots must be an integer >= 1"),
        (dict(shots=10, seed=-1), r"seed must be a whole number in \[0, "),
        (dict(shots=10, seed=1, noise="depol=1e-3", realization="kraus"), "route must be 'gates' and realization"),
        (dict(shots=10, seed=1, noise="depol=1e-3", route="power"), "route must be 'gates'"),
        (dict(shots=10, seed=1, noise="bogus"), "noise must be 'none'"),
        (dict(shots=10, seed=1.5), r"seed must be a whole number in \[0, "),
        (dict(shots=10, seed=1, mitigate=True, cal_shots=0), "cal_shots must be an integer >= 1"),
        (dict(shots=10, seed=1, mitigate="yes"), "mitigate must be a bool"),
        (dict(shots=10, seed=1, noise="readout=0.1", mitigate=True, estimator="mle"),
         "estimator must be 'linear_inversion' with mitigate=True"),
    ],
)
def test_run_tomography_errors(kw: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        em.run_tomography(P_GENERIC, steps=2, **kw)


def test_seed_none_is_recorded_and_numpy_seeds_accepted() -> None:
    kw: dict[str, Any] = dict(shots=500, steps=3, n_resamples=20, noise="depol=1e-3", **COARSE)
    a = em.run_tomography(P_GENERIC, seed=None, **kw)
    assert isinstance(a.seed, int) and a.seed >= 0
    assert em.run_tomography(P_GENERIC, seed=a.seed, **kw).to_dict() == a.to_dict()
    b = em.run_tomography(P_GENERIC, seed=np.int64(a.seed), shots=np.int64(500),
                          **{k: v for k, v in kw.items() if k != "shots"})
    assert type(b.seed) is int and b.to_dict() == a.to_dict()


def test_other_api_validation() -> None:
    with pytest.raises(ValueError, match=r"seed must be a whole number in \[0, "):
        em.noisy_state(P_GENERIC, "depol=1e-3", steps=2, seed=-1, **COARSE)
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="depols must be numbers in \\[0, 1\\]"):
            em.degradation_table(P_GENERIC, [0.0, bad], steps=2, **COARSE)
    with pytest.raises(ValueError, match="depol must be a real number"):
        em.degradation_table(P_GENERIC, ["0.1"], steps=2, **COARSE)  # type: ignore[list-item]
    rho, _ = em.noisy_state(P_GENERIC, "depol=1e-3", steps=2, seed=np.int64(3), **COARSE)
    assert rho.shape == (4, 4)


# ------------------------------------------------------------------------------------------- sweep records
def test_sweep_records_deterministic() -> None:
    pts = [dict(g=0.4, p1=0.2, p2=0.5, T1=0.7, T2=0.3, dt=0.5, shots=3000, noise=nz_spec)
           for nz_spec in ("none", "depol=1e-3")]
    opts = {"order": 2, "n_resamples": 50}
    a = evaluate_chunk(list(enumerate(pts)), ["circuit", "tomography"], 7, opts)
    b = evaluate_chunk(list(enumerate(pts)), ["circuit", "tomography"], 7, opts)
    assert json.dumps(a) == json.dumps(b)
    for rec in a:
        assert {"bloch_circuit", "trace_distance", "steps"} <= set(rec["circuit"])
        assert {"bloch", "stderr", "l1_coherence", "magic_witness", "verdict"} <= set(rec["tomography"])
    assert a[1]["circuit"]["noise"] == "depol=0.001"
    with pytest.raises(ValueError, match="grid.shots >= 1"):
        tomography_records([{**pts[0], "shots": 0}], [1], {})


# ------------------------------------------------------------------------------------------- CLI
SIM = ["simulate", "--g", "0.4", "--p1", "0.2", "--p2", "0.5", "--T1", "0.7", "--T2", "0.3"]


def test_cli_fake_backend_noisy_tomography(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*SIM, "--dt", "0.5", "--steps", "6", "--shots", "2000", "--noise", "fake:FakeManilaV2",
                 "--seed", "1", "--resamples", "50", "--mitigate", "--json"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    # simulate turns the device's idle noise on (an unset idle= of the spec) and says so in the label
    assert d["noise"] == "fake:FakeManilaV2,idle=on" and d["shots"] == 2000 and d["steps"] == 6
    assert d["idle_noise"] is True and d["budget"]["measurements"] == 1  # the tomography circuit's readout
    assert {"bloch", "stderr", "l1_coherence", "magic_witness"} <= set(d["tomography"])
    assert d["tomography"]["magic_witness"]["verdict"] in ("magic", "stabilizer", "inconclusive")
    assert d["mitigation"] is not None


def test_cli_ideal_tomography_table_and_noisy_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*SIM, "--shots", "5000", "--seed", "3", "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "magic witness" in out and "verdict" in out and "route power" in out
    assert main([*SIM, "--dt", "0.5", "--steps", "10", "--noise", "depol=1e-3", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["noise"] == "depol=0.001" and "tomography" not in d and d["realization"] == "dilated"


def test_cli_max_gate_error(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02",
            "--dt", "0.5", "--steps", "20", "--max-gate-error", "--json"]
    assert main(argv) == 0
    m = json.loads(capsys.readouterr().out)["max_gate_error"]
    assert m["status"] == "found" and 1e-5 < m["p_max"] < m["p_fail"] < 1e-2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--noise", "bogus"], "noise must be 'none', a parametric spec"),
        (["--noise", "depol=1e-3,x=2"], "valid keys: depol, depol2"),
        (["--noise", "fake:FakeNowhere"], "valid: FakeAachen"),
        (["--shots", "-5"], "shots must be a whole number"),
        (["--shots", "10", "--seed", "-1"], "seed must be"),
        (["--noise", "depol=1e-3", "--route", "power"], "--route must be gates"),
        (["--noise", "fake:FakeManilaV2", "--max-gate-error"], "not a fake backend"),
        (["--noise", "readout=0.1", "--mitigate"], "--mitigate needs --shots"),
        (["--shots", "100", "--mitigate"], "--mitigate needs a --noise model"),
        (["--shots", "100", "--noise", "none", "--mitigate"], "--mitigate needs a --noise model"),
        (["--level", "0.9"], "--level applies to shot-based tomography only"),
        (["--resamples", "10"], "--resamples applies to shot-based tomography only"),
        (["--noise", "depol=1e-3", "--level", "0.9", "--max-gate-error"], "--level applies to shot-based"),
        (["--shots", "100", "--route", "power", "--realization", "dilated"], "--realization applies to --route"),
        (["--route", "power", "--realization", "kraus"], "--realization applies to --route gates only"),
        (["--seed", "3"], "--seed is unused without --shots or --noise"),
    ],
)
def test_cli_bad_noise_input(capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    assert main([*SIM, "--steps", "2", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and needle in err and err.count("\n") == 1


def test_noise_spec_passthrough() -> None:
    spec = nz.parse_noise("depol=1e-3")
    run = em.run_tomography(P_GENERIC, shots=100, seed=0, noise=spec, steps=2, n_resamples=10, **COARSE)
    assert run.noise == str(spec)
