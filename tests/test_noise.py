"""Noise specs, Aer noise models, readout mitigation and the gate-error threshold.

qc_reset.run.noise, .backends, .calibration, .threshold and qc_reset.stats.mitigation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qc_reset import stats as tomo
from qc_reset.model import Params
from qc_reset.model.measures import bloch_vector, l1_norm
from qc_reset.run import backends as be
from qc_reset.run import calibration as cal
from qc_reset.run import noise as nz
from qc_reset.run import threshold as th
from qc_reset.run import tomography as em
from qc_reset.stats import mitigation as mit

#: |estimate - truth| bound in units of the standard error (two-sided normal: ~6e-5 per comparison).
N_SE = 4.0
P_MAGIC = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02)


# ------------------------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("none", "none"),
        ("  NONE ", "none"),
        ("depol=1e-3", "depol=0.001"),
        ("t1=50us,depol=1e-3", "depol=0.001,t1=50000,t2=50000"),
        ("depol=1e-3,depol2=1e-2,t1=50e3,t2=70us,gate_time=35,readout=0.02",
         "depol=0.001,depol2=0.01,t1=50000,t2=70000,gate_time=35,readout=0.02"),
        ("readout=0.01:0.03", "readout=0.01:0.03"),
        ("t1=0.1ms,t2=150us,gate_time2=0.4us", "t1=100000,t2=150000,gate_time2=400"),
        ("fake:FakeManilaV2", "fake:FakeManilaV2"),
        ("fake:FakeManilaV2,layout=4-3-2-1", "fake:FakeManilaV2,layout=4-3-2-1"),
        ("gate_time=100", "gate_time=100"),  # kept without t1: the canonical string must round-trip
        ("depol=1e-3,gate_time2=250ns", "depol=0.001,gate_time2=250"),
        ("depol=1.2345678e-3,readout=0.0123456789", "depol=0.0012345678,readout=0.0123456789"),
    ],
)
def test_parse_canonical_roundtrip(text: str, canonical: str) -> None:
    spec = nz.parse_noise(text)
    assert str(spec) == canonical
    assert nz.parse_noise(str(spec)) == spec
    assert spec.to_dict()["spec"] == canonical


def test_parse_fields() -> None:
    s = nz.parse_noise("depol=2e-3,t1=50us,t2=70us,readout=0.01:0.04")
    assert (s.kind, s.depol, s.two_qubit_depol, s.t1, s.t2, s.readout) == (
        "parametric", 2e-3, 2e-3, 50e3, 70e3, (0.01, 0.04))
    assert s.with_depol(1e-4).two_qubit_depol == 1e-4  # depol2 follows depol unless set
    assert nz.parse_noise("depol=1e-3,depol2=5e-3").with_depol(1e-4).two_qubit_depol == 5e-3
    assert nz.parse_noise("none").with_depol(1e-3).kind == "parametric"
    assert nz.parse_noise("none").is_ideal and nz.parse_noise("depol=0").is_ideal
    assert not nz.parse_noise("readout=0.01").is_ideal


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("foo", "noise must be 'none', a parametric spec"),
        ("foo=1", "unknown noise key 'foo'.*valid keys: depol, depol2, t1, t2, gate_time, gate_time2, readout"),
        ("depol=2", "depol must be in \\[0, 1\\]"),
        ("depol=x", "depol must be a number"),
        ("t1=50us,t2=120us", "t2 must satisfy t2 <= 2\\*t1"),
        ("t2=50", "t2 needs t1"),
        ("t1=-5", "t1 must be a finite time > 0"),
        ("t1=5parsecs", "t1 must be a number \\(ns; or with unit"),
        ("readout=0.6", "readout errors must be in \\[0, 0.5\\)"),
        ("depol=1e-3,depol=1e-3", "given twice"),
        ("fake:FakeNowhere", "unknown fake backend 'FakeNowhere'; valid: FakeAachen, .*, \\.\\.\\."),
        ("fake:FakeManilaV2,layout=0-1-2", "4 distinct physical qubits"),
        ("fake:FakeManilaV2,layout=0-1-1-2", "4 distinct physical qubits"),
        ("fake:FakeManilaV2,route=x", "layout=a-b-c-d"),
    ],
)
def test_parse_errors(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        nz.parse_noise(text)


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        (dict(depol="0.1"), "noise depol must be a real number"),
        (dict(depol=True), "noise depol must be a real number"),
        (dict(t1="5"), "noise t1 must be a real number"),
        (dict(gate_time=None), "noise gate_time must be a real number"),
        (dict(readout=(0.1,)), "noise readout must be a pair"),
        (dict(readout=0.1), "noise readout must be a pair"),
        (dict(readout=("a", 0.1)), "noise readout must be a real number"),
        (dict(kind=3), "noise kind must be one of"),
        (dict(kind="fake", backend=5), "noise backend must be"),
        (dict(kind="fake", backend="FakeManilaV2", layout=(0, 1, 2, "3")), "layout must be 4 distinct"),
    ],
)
def test_noise_spec_field_types(fields: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        nz.NoiseSpec(**{"kind": "parametric", **fields})


def test_noise_spec_accepts_numpy_numbers() -> None:
    s = nz.NoiseSpec(kind="parametric", depol=np.float32(0.5), t1=np.int64(1000), readout=(np.float64(0.1), 0))
    assert type(s.depol) is float and s.t1 == 1000.0 and s.readout == (0.1, 0.0)
    assert nz.parse_noise(str(s)) == s


def test_fake_backend_names_and_size() -> None:
    names = be.fake_backend_names()
    assert "FakeManilaV2" in names and len(names) > 10
    with pytest.raises(ValueError, match="need 4"):
        be.fake_backend("FakeArmonkV2")
    with pytest.raises(ValueError, match="exceeds the 5 qubits"):
        nz.transpile_for([], nz.parse_noise("fake:FakeManilaV2,layout=0-1-2-7"))


# ------------------------------------------------------------------------------------------- models
def test_noise_model_contents() -> None:
    assert nz.noise_model("none") is None
    model = nz.noise_model("depol=1e-3,t1=50us,t2=70us,readout=0.02")
    assert {"sx", "x", "cx", "measure"} <= set(model.noise_instructions)
    assert "rz" not in model.noise_instructions  # virtual Z: error-free
    assert nz.noise_model("readout=0.02").noise_instructions == ["measure"]
    fake = nz.noise_model("fake:FakeManilaV2")
    assert "cx" in fake.noise_instructions and "measure" in fake.noise_instructions


def _evolve(spec: str, build: Any, n_qubits: int = 1) -> Any:
    """Aer density matrix of a small circuit (gates of the model's basis, no transpile) under ``spec``."""
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator

    qc = QuantumCircuit(n_qubits)
    build(qc)
    qc.save_density_matrix()
    sim = AerSimulator(method="density_matrix", noise_model=nz.noise_model(spec))
    return np.asarray(sim.run(qc).result().data(0)["density_matrix"])


#: Aer's density-matrix evolution of a few gates: exact to rounding.
MODEL_TOL = 1e-10


def test_depolarizing_sx_shrinks_bloch_vector() -> None:
    """One sx on |0> gives (0, -1, 0); depol = lambda shrinks it by (1 - lambda); depol2 leaves sx alone."""
    lam = 0.1
    np.testing.assert_allclose(bloch_vector(_evolve(f"depol={lam}", lambda qc: qc.sx(0))), [0, -(1 - lam), 0],
                               atol=MODEL_TOL)
    np.testing.assert_allclose(bloch_vector(_evolve("depol2=0.2", lambda qc: qc.sx(0))), [0, -1, 0],
                               atol=MODEL_TOL)
    # x as well: |0> -> |1>, r_z = -(1 - lambda)
    np.testing.assert_allclose(bloch_vector(_evolve(f"depol={lam}", lambda qc: qc.x(0))), [0, 0, -(1 - lam)],
                               atol=MODEL_TOL)
    # rz is virtual: no error even at depol = 1
    np.testing.assert_allclose(bloch_vector(_evolve("depol=1", lambda qc: qc.rz(0.3, 0))), [0, 0, 1],
                               atol=MODEL_TOL)


@pytest.mark.parametrize(("spec", "lam"), [("depol2=0.2", 0.2), ("depol=0.1", 0.1), ("depol=0.3,depol2=0.2", 0.2)])
def test_two_qubit_depolarizing_acts_on_cx(spec: str, lam: float) -> None:
    """cx on |00> under 2-qubit depolarizing lambda: P(00) = 1 - 3 lambda / 4 (rho -> (1-l) rho + l I/4)."""
    rho = _evolve(spec, lambda qc: qc.cx(0, 1), 2)
    np.testing.assert_allclose(np.diag(rho).real, [1 - 0.75 * lam, lam / 4, lam / 4, lam / 4], atol=MODEL_TOL)


def test_thermal_relaxation_of_one_qubit_gates() -> None:
    """x on |0>: P(1) = exp(-t/T1); sx on |0>: |r_y| = exp(-t/T2), r_z = 1 - exp(-t/T1) (t = gate_time)."""
    t1, t2, tg = 1000.0, 800.0, 500.0
    spec = f"t1={t1:g},t2={t2:g},gate_time={tg:g}"
    rho = _evolve(spec, lambda qc: qc.x(0))
    assert rho[1, 1].real == pytest.approx(np.exp(-tg / t1), abs=MODEL_TOL)
    r = bloch_vector(_evolve(spec, lambda qc: qc.sx(0)))
    np.testing.assert_allclose(r, [0, -np.exp(-tg / t2), 1 - np.exp(-tg / t1)], atol=MODEL_TOL)


def test_thermal_relaxation_of_cx_acts_on_both_qubits() -> None:
    """x on q0 (gate_time 0: no decay), cx -> |11>; then each qubit decays with exp(-gate_time2/T1)."""
    t1, tg2 = 1000.0, 400.0
    rho = _evolve(f"t1={t1:g},t2={t1:g},gate_time=0,gate_time2={tg2:g}", lambda qc: (qc.x(0), qc.cx(0, 1)), 2)
    p = np.diag(rho).real  # little-endian index q1 q0
    e = np.exp(-tg2 / t1)
    np.testing.assert_allclose(p, [(1 - e) ** 2, e * (1 - e), (1 - e) * e, e * e], atol=MODEL_TOL)


# ------------------------------------------------------------------------------------------- mitigation
def test_mitigate_counts_statistics() -> None:
    """Pure statistics: mitigated pseudo-counts recover r within their (honest) standard errors."""
    r = np.array([0.3, -0.5, 0.9])
    A = np.array([[0.97, 0.06], [0.03, 0.94]])  # P(read i | prepared j)
    p0_true = 0.5 * (1 + r)
    p0_obs = A[0, 0] * p0_true + A[0, 1] * (1 - p0_true)
    reps, n, m = 400, 20000, 20000
    rng = np.random.default_rng(11)
    n0 = rng.binomial(n, p0_obs, size=(reps, 3))
    counts = np.stack([n0, n - n0], axis=-1)
    a00 = rng.binomial(m, A[0, 0], size=reps) / m
    a11 = rng.binomial(m, A[1, 1], size=reps) / m
    est, se = [], []
    for k in range(reps):
        Ak = np.array([[a00[k], 1 - a11[k]], [1 - a00[k], a11[k]]])
        mc = mit.mitigate_counts(counts[k], Ak, m)
        est.append(tomo.linear_inversion(mc))
        se.append(tomo.standard_errors(mc))
    est_a, se_a = np.array(est), np.array(se)
    np.testing.assert_allclose(est_a.mean(axis=0), r, atol=N_SE * est_a.std(axis=0).max() / np.sqrt(reps))
    # The encoded standard error matches the spread of the estimates (within 10%).
    np.testing.assert_allclose(se_a.mean(axis=0), est_a.std(axis=0), rtol=0.1)
    raw = tomo.linear_inversion(counts).mean(axis=0)
    assert abs(raw[2]) < abs(r[2]) - 0.05  # readout error pulls toward 0; mitigation undoes it


def test_mitigate_counts_rejects_singular() -> None:
    with pytest.raises(ValueError, match="singular"):
        mit.mitigate_counts([[50, 50]] * 3, [[0.5, 0.5], [0.5, 0.5]], 100)


A_OK = [[0.9, 0.1], [0.1, 0.9]]


@pytest.mark.parametrize("fn", [mit.mitigate_counts, mit.mitigate_estimate])
@pytest.mark.parametrize(
    ("counts", "A", "cal_shots", "needle"),
    [
        ([[50, 50]] * 3, A_OK, 0, "cal_shots must be an integer >= 1"),
        ([[50, 50]] * 3, A_OK, 2.5, "cal_shots must be an integer >= 1"),
        ([[50, 50]] * 3, A_OK, True, "cal_shots must be an integer >= 1"),
        ([[0, 0]] * 3, A_OK, 10, "positive total"),
        ([[50, 50]] * 3, [[0.9, 0.1]], 10, "assignment matrix A must have shape"),
        ([[50, 50]] * 3, [[1.2, 0.1], [-0.2, 0.9]], 10, "entries in \\[0, 1\\]"),
        ([[50, 50]] * 2, A_OK, 10, "shape \\(\\.\\.\\., 3, 2\\)"),
    ],
)
def test_mitigation_validation(fn: Any, counts: Any, A: Any, cal_shots: Any, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        fn(counts, A, cal_shots)


def test_calibrate_readout_validation() -> None:
    spec = nz.parse_noise("readout=0.1")
    for kw, needle in ((dict(shots=0, seed=1), "shots must be"), (dict(shots=10, seed=-1), "seed must be"),
                       (dict(shots=1.5, seed=1), "shots must be")):
        with pytest.raises(ValueError, match=needle):
            cal.calibrate_readout(spec, 1, **kw)
    with pytest.raises(ValueError, match="qubit must be a physical qubit"):
        cal.calibrate_readout(nz.parse_noise("fake:FakeManilaV2"), 5, shots=10, seed=1)
    A = cal.calibrate_readout(spec, np.int64(0), shots=np.int64(100), seed=np.int64(2))
    assert A.shape == (2, 2)


# Strong readout error (15 % / 20 %), calibration much smaller than the data: the regime in which the three
# bases' shared calibration error dominates and a per-basis (independent) error model is anti-conservative.
A_STRONG = np.array([[0.85, 0.20], [0.15, 0.80]])
MIT_REPS = 2000
ALPHA = 0.05


def _mitigated_replicates(r: Any, A: np.ndarray, shots: int, cal_shots: int, reps: int, seed: int) -> Any:
    """``reps`` independent (data, calibration) pairs -> mitigated estimates (reps, 3) and covariances."""
    rng = np.random.default_rng(seed)
    p0 = 0.5 * (1 + np.asarray(r, dtype=float))
    n0 = rng.binomial(shots, A[0, 0] * p0 + A[0, 1] * (1 - p0), size=(reps, 3))
    a00 = rng.binomial(cal_shots, A[0, 0], size=reps) / cal_shots
    a11 = rng.binomial(cal_shots, A[1, 1], size=reps) / cal_shots
    Ak = np.stack([np.stack([a00, 1 - a11], -1), np.stack([1 - a00, a11], -1)], -2)
    return mit.mitigate_estimate(np.stack([n0, shots - n0], axis=-1), Ak, cal_shots)


def test_mitigated_verdict_is_calibrated_with_shared_calibration() -> None:
    """Inside the octahedron (W = -0.001) with strong readout error, N = 1e5 > M = 2000: the false-"magic"
    rate of the mitigated union verdict is <= alpha + 3 sigma over 2000 seeded repetitions (measured 0.005; the
    former per-basis pseudo-count encoding gave 0.065), and the delta-method covariance, including the
    correlation the shared calibration induces between the bases (~0.9 here), matches the empirical one."""
    r = np.full(3, 0.333)
    est, cov = _mitigated_replicates(r, A_STRONG, 100_000, 2000, MIT_REPS, seed=101)
    _, lo, hi = tomo.gaussian_witness_interval(est, cov, 1 - ALPHA)
    w = float(l1_norm(r)) - 1.0
    allowance = 3 * np.sqrt(ALPHA * (1 - ALPHA) / MIT_REPS)
    assert np.mean(lo > w) <= ALPHA + allowance, np.mean(lo > w)
    assert np.mean(hi < w) <= ALPHA + allowance
    emp, pred = np.cov(est.T), cov.mean(axis=0)
    # sd of a sample sd over 2000 replicates: ~1.6 %; 10 % is > 6 sigma.
    np.testing.assert_allclose(np.sqrt(np.diag(pred)), np.sqrt(np.diag(emp)), rtol=0.1)
    corr_emp = emp / np.sqrt(np.outer(np.diag(emp), np.diag(emp)))
    corr_pred = pred / np.sqrt(np.outer(np.diag(pred), np.diag(pred)))
    assert corr_pred[0, 1] > 0.5  # the shared calibration dominates: strongly correlated bases
    np.testing.assert_allclose(corr_pred, corr_emp, atol=0.05)  # sd of a correlation ~ (1 - rho^2)/sqrt(n)


@pytest.mark.parametrize("rz", [0.96, 0.99, 1.0])
def test_mitigated_stderr_near_the_pole(rz: float) -> None:
    """Near |r_z| = 1 the mitigated standard error matches the empirical spread (the pseudo-count encoding
    clipped to r = 1 and reported an error 177x too large); tolerance 15 % (> 9 sigma of a sample sd)."""
    A = np.array([[0.98, 0.04], [0.02, 0.96]])
    est, cov = _mitigated_replicates([0.0, 0.0, rz], A, 100_000, 2000, MIT_REPS, seed=7)
    se = np.sqrt(cov[:, 2, 2])
    assert se.mean() == pytest.approx(est[:, 2].std(), rel=0.15)
    assert abs(est[:, 2].mean() - rz) < N_SE * est[:, 2].std() / np.sqrt(MIT_REPS)
    # The single example of the review: counts [98000, 2000] with this A is r_z = 1 exactly, stderr ~ 0.0067.
    r1, c1 = mit.mitigate_estimate([[50_000, 50_000], [50_000, 50_000], [98_000, 2_000]], A, 2000)
    assert r1[2] == pytest.approx(1.0) and 0.005 < np.sqrt(c1[2, 2]) < 0.01


def test_calibrate_readout() -> None:
    A = cal.calibrate_readout(nz.parse_noise("readout=0.02:0.06"), 1, shots=40000, seed=3)
    np.testing.assert_allclose(A, [[0.98, 0.06], [0.02, 0.94]], atol=N_SE * np.sqrt(0.06 * 0.94 / 40000))
    np.testing.assert_allclose(A.sum(axis=0), 1.0)


# ------------------------------------------------------------------------------------------- threshold
def test_max_gate_error_exact() -> None:
    res = th.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=40, rtol=0.2)
    assert res.status == "found" and res.p_max is not None and res.p_fail is not None
    assert 3e-5 < res.p_max < res.p_fail <= 1.2 * res.p_max < 1e-3
    for p, magic in ((res.p_max, True), (res.p_fail, False)):
        rho, _ = em.noisy_state(P_MAGIC, nz.NoiseSpec().with_depol(p), dt=0.5, steps=40)
        assert (float(l1_norm(bloch_vector(rho))) > 1.0) is magic
    d = res.to_dict()
    assert d["evaluations"][0]["p"] == 1e-5 and d["params"]["g"] == 0.06


def test_exact_threshold_at_dt_half_regression() -> None:
    """docs/emulation.md: p_max = 2.1e-4 at dt = 0.5 (exact, 91 steps). The exact noisy density matrix has no
    statistical error (Aer rounding ~1e-12 against margins of 4e-4 and 1.2e-3 in ||r||_1), so the two
    significant digits are checked as a sign change of ||r||_1 - 1 across [2.05e-4, 2.15e-4], and the bisection
    (rtol 0.05) must bracket the same crossing."""
    def l1(p: float) -> float:
        rho, n = em.noisy_state(P_MAGIC, nz.NoiseSpec().with_depol(p), dt=0.5)
        assert n == 91
        return float(l1_norm(bloch_vector(rho)))

    assert l1(2.05e-4) > 1.0 > l1(2.15e-4)
    res = th.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, rtol=0.05)
    assert res.status == "found" and res.p_max is not None and res.p_fail is not None
    assert res.p_max < 2.15e-4 and res.p_fail > 2.05e-4 and res.p_fail <= 1.05 * res.p_max
    assert f"{res.p_max:.2e}" == "2.05e-04" and f"{res.p_fail:.2e}" == "2.13e-04"  # the documented table row


def test_max_gate_error_seed_none_is_recorded_and_reproducible() -> None:
    kw: dict[str, Any] = dict(shots=20_000, dt=0.5, steps=10, rtol=0.5, bracket=(1e-5, 1e-3))
    a = th.max_gate_error(P_MAGIC, seed=None, **kw)
    assert isinstance(a.seed, int) and a.seed >= 0
    b = th.max_gate_error(P_MAGIC, seed=a.seed, **kw)
    assert a.to_dict() == b.to_dict()
    c = th.max_gate_error(P_MAGIC, seed=np.int64(a.seed), shots=np.int64(20_000),
                          **{k: v for k, v in kw.items() if k != "shots"})
    assert c.to_dict() == a.to_dict() and type(c.seed) is int and type(c.shots) is int


def test_max_gate_error_evaluation_cap_is_not_found() -> None:
    res = th.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=10, rtol=1e-3, max_evaluations=4)
    assert res.status == "max_evaluations" and len(res.evaluations) == 4
    assert res.p_max is not None and res.p_fail is not None and res.p_fail / res.p_max > 1 + 1e-3
    for bad in (1, 0, 2.5, 10**6):
        with pytest.raises(ValueError, match=r"max_evaluations must be a whole number in \[2, 200\]"):
            th.max_gate_error(P_MAGIC, shots=0, seed=None, max_evaluations=bad)


def test_max_gate_error_statistical_is_deterministic_and_conservative() -> None:
    kw: dict[str, Any] = dict(shots=100_000, seed=5, dt=0.5, steps=40, rtol=0.5)
    a = th.max_gate_error(P_MAGIC, **kw)
    b = th.max_gate_error(P_MAGIC, **kw)
    assert a.to_dict() == b.to_dict()
    exact = th.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=40, rtol=0.5)
    assert a.status == "found" and a.p_max is not None and exact.p_fail is not None
    assert a.p_max < exact.p_fail  # a "magic" verdict needs W > 0 with confidence


def test_max_gate_error_edges_and_errors() -> None:
    stab = Params(g=0.06, p1=0.3, p2=0.3, T1=5.0, T2=5.0)  # hot baths: no magic even without noise
    assert th.max_gate_error(stab, shots=0, seed=None, dt=0.5, steps=10).status == "below_bracket"
    top = th.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=10, bracket=(1e-7, 1e-6))
    assert top.status == "above_bracket" and top.p_max == 1e-6
    with pytest.raises(ValueError, match="bracket"):
        th.max_gate_error(P_MAGIC, shots=0, seed=None, bracket=(1e-2, 1e-3))
    with pytest.raises(ValueError, match="not a fake backend"):
        th.max_gate_error(P_MAGIC, shots=0, seed=None, noise="fake:FakeManilaV2")
    with pytest.raises(ValueError, match="shots must be"):
        th.max_gate_error(P_MAGIC, shots=-1, seed=None)
    with pytest.raises(ValueError, match=r"seed must be a whole number in \[0, "):
        th.max_gate_error(P_MAGIC, shots=10, seed=-3)
    with pytest.raises(ValueError, match="mitigate must be a bool"):
        th.max_gate_error(P_MAGIC, shots=10, seed=1, mitigate="yes")  # type: ignore[arg-type]
