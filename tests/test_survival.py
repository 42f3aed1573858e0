"""Survival maps against a direct noisy density-matrix simulation of many collisions at grid points."""

from __future__ import annotations

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.run import noise as noise_mod
from qc_reset.run.designs import collision_circuit
from qc_reset.run.noisy_fixed_point import transpile_collision
from qc_reset.run.survival import device_profile, survival_map

#: Map value vs 150 simulated collisions (Aer density matrix, its own NoiseModel and QuantumError idle):
#: the transient is < 1e-10 (contraction <= 0.8 per collision); Aer's conversion of each QuantumError loses
#: ~1e-10 per instruction (see tests/test_noisy_fixed_point.py), shifting the normalized state by < 1e-7,
#: and ||r||_1 is 1-Lipschitz in each Bloch component (3x the two-qubit trace distance at most).
DIRECT = 1e-6

OPT = Params(0.366, 0.5, 0.3, 0.0, 0.0)
T1, T2 = 150e3, 100e3


def _direct_l1(design: str, depol1: float, depol2: float, idle: float, n: int = 150) -> float:
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import thermal_relaxation_error

    spec = f"depol={float(depol1)!r},depol2={float(depol2)!r}"
    tqc = transpile_collision(collision_circuit(design, OPT, 0.5), "depol=0")
    err = thermal_relaxation_error(T1, T2, idle)
    qc = tqc.copy_empty_like()
    for _ in range(n):
        qc.compose(tqc, inplace=True)
        qc.append(err, [0])
        qc.append(err, [1])
    qc.save_density_matrix([0, 1], label="rho")
    res = AerSimulator(method="density_matrix", noise_model=noise_mod.noise_model(spec)).run(qc).result()
    rho = np.asarray(res.data(0)["rho"], dtype=complex)
    rho = rho / np.trace(rho)
    return float(measures.l1_norm(measures.bloch_vector(rho)))


def test_map_matches_direct_simulation_at_grid_points() -> None:
    lam = np.array([1e-3, 1e-2, 3e-2])
    idle = np.array([100.0, 5000.0, 40000.0])
    m = survival_map("dilated_fresh", OPT, 0.5, depol2=lam, idle_ns=idle, t1_ns=T1, t2_ns=T2, depol1=5e-4)
    assert m.l1.shape == (3, 3)
    for i, j in [(0, 0), (1, 1), (2, 2)]:
        assert m.l1[i, j] == pytest.approx(_direct_l1("dilated_fresh", 5e-4, lam[i], idle[j]), abs=DIRECT)
    # more two-qubit error, less magic, at every idle time (the map can fail: it is not constant)
    assert np.all(np.diff(m.l1, axis=0) < 0)


def test_boundary_is_where_the_map_crosses_one() -> None:
    lam = np.logspace(-3, -1, 9)
    m = survival_map("dynamic_fresh", OPT, 0.5, depol2=lam, idle_ns=np.array([100.0, 3000.0]), t1_ns=T1,
                     t2_ns=T2)
    b = m.boundary()
    assert np.all(np.isfinite(b))
    for j, x in enumerate(b):
        # refine with two more maps just below and above the interpolated boundary
        fine = survival_map("dynamic_fresh", OPT, 0.5, depol2=np.array([0.97 * x, 1.03 * x]),
                            idle_ns=np.array([m.idle_ns[j], 2 * m.idle_ns[j]]), t1_ns=T1, t2_ns=T2)
        assert fine.l1[0, 0] > 1.0 > fine.l1[1, 0]


def test_device_profile_of_a_heron() -> None:
    from qc_reset.run.backends import fake_backend

    prof = device_profile(fake_backend("FakeTorino"))
    assert prof.two_qubit_gate == "cz"
    assert 1e-3 < prof.depol2 < 2e-2 and 1e4 < prof.t1_ns < 1e6 and prof.t2_ns <= 2 * prof.t1_ns
    # the medians read straight from the target (depolarizing parameter 4/3 x the CZ error; T1 in ns)
    be = fake_backend("FakeTorino")
    t = be.target
    cz = [p.error for p in t["cz"].values() if p is not None and p.error is not None and p.error < 1]
    assert prof.depol2 == pytest.approx(4 / 3 * np.median(cz), rel=1e-12)
    t1 = np.median([be.qubit_properties(i).t1 for i in range(be.num_qubits)]) * 1e9
    assert prof.t1_ns == pytest.approx(t1, rel=1e-12)
    assert prof.to_dict()["name"] == prof.name


def test_validation() -> None:
    with pytest.raises(InputError, match="depol2 must be an increasing"):
        survival_map("dynamic_fresh", OPT, 0.5, depol2=[1e-2, 1e-3], idle_ns=[1.0, 2.0], t1_ns=T1, t2_ns=T2)
    with pytest.raises(InputError, match="idle_ns must be"):
        survival_map("dynamic_fresh", OPT, 0.5, depol2=[1e-3, 1e-2], idle_ns=[0.0, 2.0], t1_ns=T1, t2_ns=T2)
    with pytest.raises(InputError, match="t2_ns <= 2 t1_ns"):
        survival_map("dynamic_fresh", OPT, 0.5, depol2=[1e-3, 1e-2], idle_ns=[1.0, 2.0], t1_ns=1.0, t2_ns=3.0)
    with pytest.raises(InputError, match="at most"):
        survival_map("dynamic_fresh", OPT, 0.5, depol2=np.logspace(-5, -1, 101), idle_ns=np.logspace(0, 5, 101),
                     t1_ns=T1, t2_ns=T2)


def test_survival_figure_writes_png_and_csv(tmp_path) -> None:
    from qc_reset.workflows.hardware_figures import DeviceMarker, survival_figure

    m = survival_map("dynamic_fresh", OPT, 0.5, depol2=np.array([1e-3, 1e-2, 1e-1]), idle_ns=np.array([1e2, 1e4]),
                     t1_ns=T1, t2_ns=T2)
    paths = survival_figure(tmp_path, [m], [[DeviceMarker("dev", 5e-3, 3e3)]])
    assert [p.suffix for p in paths] == [".png", ".csv"] and all(p.stat().st_size > 0 for p in paths)
    text = paths[1].read_text()
    assert "dynamic_fresh: boundary" in text and "dynamic_fresh: dev" in text
    with pytest.raises(InputError, match="one list per map"):
        survival_figure(tmp_path, [m], [[], []])
