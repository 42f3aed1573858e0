"""Noise specs, Aer noise models, readout mitigation and the gate-error threshold (qc_reset.noise)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qc_reset import emulation as em
from qc_reset import noise as nz
from qc_reset import tomography as tomo
from qc_reset.measures import bloch_vector, l1_norm
from qc_reset.model import Params

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


def test_fake_backend_names_and_size() -> None:
    names = nz.fake_backend_names()
    assert "FakeManilaV2" in names and len(names) > 10
    with pytest.raises(ValueError, match="need 4"):
        nz.fake_backend("FakeArmonkV2")
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
        mc = nz.mitigate_counts(counts[k], Ak, m)
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
        nz.mitigate_counts([[50, 50]] * 3, [[0.5, 0.5], [0.5, 0.5]], 100)


def test_calibrate_readout() -> None:
    A = nz.calibrate_readout(nz.parse_noise("readout=0.02:0.06"), 1, shots=40000, seed=3)
    np.testing.assert_allclose(A, [[0.98, 0.06], [0.02, 0.94]], atol=N_SE * np.sqrt(0.06 * 0.94 / 40000))
    np.testing.assert_allclose(A.sum(axis=0), 1.0)


# ------------------------------------------------------------------------------------------- threshold
def test_max_gate_error_exact() -> None:
    res = nz.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=40, rtol=0.2)
    assert res.status == "found" and res.p_max is not None and res.p_fail is not None
    assert 3e-5 < res.p_max < res.p_fail <= 1.2 * res.p_max < 1e-3
    for p, magic in ((res.p_max, True), (res.p_fail, False)):
        rho, _ = em.noisy_state(P_MAGIC, nz.NoiseSpec().with_depol(p), dt=0.5, steps=40)
        assert (float(l1_norm(bloch_vector(rho))) > 1.0) is magic
    d = res.to_dict()
    assert d["evaluations"][0]["p"] == 1e-5 and d["params"]["g"] == 0.06


def test_max_gate_error_statistical_is_deterministic_and_conservative() -> None:
    kw: dict[str, Any] = dict(shots=100_000, seed=5, dt=0.5, steps=40, rtol=0.5)
    a = nz.max_gate_error(P_MAGIC, **kw)
    b = nz.max_gate_error(P_MAGIC, **kw)
    assert a.to_dict() == b.to_dict()
    exact = nz.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=40, rtol=0.5)
    assert a.status == "found" and a.p_max is not None and exact.p_fail is not None
    assert a.p_max < exact.p_fail  # a "magic" verdict needs W > 0 with confidence


def test_max_gate_error_edges_and_errors() -> None:
    stab = Params(g=0.06, p1=0.3, p2=0.3, T1=5.0, T2=5.0)  # hot baths: no magic even without noise
    assert nz.max_gate_error(stab, shots=0, seed=None, dt=0.5, steps=10).status == "below_bracket"
    top = nz.max_gate_error(P_MAGIC, shots=0, seed=None, dt=0.5, steps=10, bracket=(1e-7, 1e-6))
    assert top.status == "above_bracket" and top.p_max == 1e-6
    with pytest.raises(ValueError, match="bracket"):
        nz.max_gate_error(P_MAGIC, shots=0, seed=None, bracket=(1e-2, 1e-3))
    with pytest.raises(ValueError, match="not a fake backend"):
        nz.max_gate_error(P_MAGIC, shots=0, seed=None, noise="fake:FakeManilaV2")
    with pytest.raises(ValueError, match="shots must be"):
        nz.max_gate_error(P_MAGIC, shots=-1, seed=None)
