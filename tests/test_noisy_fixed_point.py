"""The noisy fixed point (one exact noisy superoperator + its fixed point) against independent computations.

Oracles: the exact step channels of qc_reset.model.channels (noise-free), Aer's density-matrix simulation
of many repeated noisy collisions with Aer's own NoiseModel (independent noise attachment), the package's
noisy_state path (whole circuit transpiled at level 0), and a closed form for readout error on the
measured reset.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model.channels import fixed_point, second_eigenvalue, trace_distance, trotter_step_superop
from qc_reset.model.collision import CollisionParams
from qc_reset.model.collision import collision_superop as model_collision
from qc_reset.model.params import Params
from qc_reset.run import noise as noise_mod
from qc_reset.run.designs import DESIGNS, collision_circuit
from qc_reset.run.noisy_fixed_point import (
    Idle,
    collision_superop,
    noisy_fixed_point,
    transpile_collision,
    two_qubit_gate_count,
)
from qc_reset.run.tomography import noisy_state

#: Exact linear algebra (16x16 products, one SVD): rounding only.
EXACT = 1e-12
#: Fixed point vs N repeated noisy collisions simulated by Aer's density-matrix method with a NoiseModel:
#: the transient is <= C |lambda_2|^N D_0 < 1e-10 (|lambda_2| <= 0.85, N = 150), but Aer converts each
#: QuantumError of a NoiseModel with an error of ~1e-10 (measured against quantum_info.SuperOp), so its state
#: loses ~1e-8 of trace per collision. Compared after normalizing the trace, what is left is the
#: non-uniform part of that error, shifted through the fixed point: <~ 1e-8 / (1 - |lambda_2|) ~ 5e-8.
CONVERGED = 1e-7

REF = Params(0.06, 0.3, 0.3, 0.1, 0.02)
OPT = Params(0.366, 0.5, 0.3, 0.0, 0.0)
P2_INF = 1e4  # exp(-1e4 * 0.5) underflows to 0: q2 = 1 exactly, the fresh designs' reset


def _ideal(design: str, p: Params, dt: float) -> np.ndarray:
    order = 2 if design == "strang" else 1
    if design.endswith("_fresh"):
        p = Params(p.g, p.p1, P2_INF, p.T1, p.T2)
    return trotter_step_superop(p, dt, order)


@pytest.mark.parametrize("design", DESIGNS)
def test_noise_free_superop_is_the_model_collision(design: str) -> None:
    for p in (REF, OPT):
        res = noisy_fixed_point(design, p, 0.5, "depol=0")
        np.testing.assert_allclose(res.superop, _ideal(design, p, 0.5), atol=EXACT)
        np.testing.assert_allclose(res.rho, fixed_point(_ideal(design, p, 0.5)), atol=1e-10)


def _repeated_density_matrix(tqc, n: int, noise_model, rho_sys_qubits) -> np.ndarray:
    from qiskit_aer import AerSimulator

    qc = tqc.copy_empty_like()
    for _ in range(n):
        qc.compose(tqc, inplace=True)
    qc.save_density_matrix(list(rho_sys_qubits), label="rho")
    res = AerSimulator(method="density_matrix", noise_model=noise_model).run(qc).result()
    rho = np.asarray(res.data(0)["rho"], dtype=complex)
    assert abs(np.trace(rho) - 1) < 1e-5  # Aer's conversion loss (see CONVERGED), not a lost state
    return rho / np.trace(rho)


@pytest.mark.parametrize("design", ["strang", "dilated_fresh"])
def test_parametric_noise_matches_many_simulated_collisions(design: str) -> None:
    spec = "depol=1e-3,depol2=5e-3,t1=50us,t2=70us"
    p = OPT
    tqc = transpile_collision(collision_circuit(design, p, 0.5), spec, optimization_level=1)
    res = noisy_fixed_point(design, p, 0.5, spec, transpiled=tqc)
    assert res.contraction < 0.85
    # the collision starts from |0000>; 150 collisions reach the fixed point (no routing: qubits stay put)
    rho = _repeated_density_matrix(tqc, 150, noise_mod.noise_model(spec), (0, 1))
    assert trace_distance(rho, res.rho) < CONVERGED
    # and the noise matters at this level (the test could fail): ||r||_1 moved by far more than CONVERGED
    assert abs(res.l1_norm - noisy_fixed_point(design, p, 0.5, "depol=0").l1_norm) > 1e-2


def test_strang_matches_the_noisy_state_path() -> None:
    """Level 0 translates gate by gate, so the whole N-step circuit is N copies of one collision."""
    spec = "depol=2e-4,t1=100us,t2=80us"
    res = noisy_fixed_point("strang", REF, 0.5, spec, optimization_level=0)
    rho, n = noisy_state(REF, spec, dt=0.5, order=2, steps=150, optimization_level=0)
    assert n == 150 and res.contraction ** 150 < 1e-9
    assert trace_distance(rho / np.trace(rho), res.rho) < CONVERGED


def test_fake_backend_matches_many_simulated_collisions() -> None:
    from qiskit_aer.noise import NoiseModel

    from qc_reset.run.backends import fake_backend

    be = fake_backend("FakeManilaV2")
    tqc = transpile_collision(collision_circuit("dilated_fresh", OPT, 0.5), be, seed=0)
    initial, final = tqc.layout.initial_index_layout()[:2], tqc.layout.final_index_layout()[:2]
    assert list(initial) == list(final)  # this seed's routing leaves the system in place: repeatable
    # timeline=False: the errors NoiseModel.from_backend attaches to an unscheduled circuit, as Aer runs it
    res = noisy_fixed_point("dilated_fresh", OPT, 0.5, be, transpiled=tqc, timeline=False)
    rho = _repeated_density_matrix(tqc, 150, NoiseModel.from_backend(be), initial)
    assert trace_distance(rho, res.rho) < CONVERGED
    assert res.two_qubit_gates == two_qubit_gate_count(tqc) > 2


def test_readout_error_on_the_measured_reset_is_a_biased_coin() -> None:
    """With readout flips P(1|0) = e01 and P(0|1) = e10, the measured reset fires with
    q' = q(1 - e10) + (1 - q) e01: closed form (asymmetric, so swapped flips would fail)."""
    e01, e10, dt = 0.01, 0.05, 0.5
    res = noisy_fixed_point("dynamic_fresh", OPT, dt, f"readout={e01}:{e10}")
    q = -math.expm1(-OPT.p1 * dt)
    q_eff = q * (1 - e10) + (1 - q) * e01
    p1_eff = -math.log1p(-q_eff) / dt
    ref = trotter_step_superop(Params(OPT.g, p1_eff, P2_INF, 0.0, 0.0), dt, 1)
    np.testing.assert_allclose(res.superop, ref, atol=EXACT)


def test_idle_relaxation_composes_after_the_collision() -> None:
    from qiskit.quantum_info import SuperOp
    from qiskit_aer.noise import thermal_relaxation_error

    from qc_reset.model.channels import from_qiskit_superop

    idle = Idle(time=2000.0, t1=50e3, t2=40e3)
    plain = noisy_fixed_point("dynamic_fresh", OPT, 0.5, "depol=1e-3")
    with_idle = noisy_fixed_point("dynamic_fresh", OPT, 0.5, "depol=1e-3", idle=idle)
    err = thermal_relaxation_error(idle.t1, idle.t2, idle.time)
    two = from_qiskit_superop(SuperOp(err.expand(err)).data)
    np.testing.assert_allclose(with_idle.superop, two @ plain.superop, atol=EXACT)
    assert with_idle.margin < plain.margin


def test_collision_params_path_and_the_model_collision() -> None:
    """A CollisionParams point (q2 < 1 with measured resets; T > 0 with dephasing measurements) against
    model.collision's own superoperator: the deferred measurements of both baths and their scratch bits."""
    cp = CollisionParams(q1=0.4, q2=0.7, phi=0.2, phase=0.5, T1=0.3, T2=0.0)
    res = noisy_fixed_point("dynamic", cp, None, "depol=0")
    np.testing.assert_allclose(res.superop, model_collision(cp), atol=EXACT)
    cp_t = CollisionParams(q1=0.4, q2=1.0, phi=0.2, phase=0.5, T1=0.3, T2=0.2)
    res = noisy_fixed_point("dilated_fresh", cp_t, None, "depol=0")
    np.testing.assert_allclose(res.superop, model_collision(cp_t), atol=EXACT)


def test_contraction_and_collisions() -> None:
    res = noisy_fixed_point("trotter", REF, 0.5, "depol=1e-3")
    assert res.contraction == pytest.approx(second_eigenvalue(res.superop), abs=EXACT)
    n = res.collisions_to(1e-6)
    assert res.contraction**n <= 1e-6 < res.contraction ** (n - 1)
    d = res.to_dict()
    assert d["magic"] == (d["l1_norm"] > 1) and d["two_qubit_gates"] == res.two_qubit_gates


def test_validation() -> None:
    with pytest.raises(InputError, match="design must be one of"):
        noisy_fixed_point("swap", REF, 0.5, "depol=1e-3")
    with pytest.raises(InputError, match="must be noisy"):
        noisy_fixed_point("strang", REF, 0.5, "none")
    with pytest.raises(InputError, match="idle needs"):
        Idle(time=-1.0, t1=1.0, t2=1.0)
    with pytest.raises(InputError, match="unbound parameters"):
        from qc_reset.circuits import designs as circuit_designs
        from qc_reset.circuits.parameters import CircuitParameters

        collision_superop(circuit_designs.collision_circuit(CircuitParameters.create(), "dilated"), "depol=1e-3")
    with pytest.raises(InputError, match="tol must be"):
        noisy_fixed_point("dynamic_fresh", REF, 0.5, "depol=1e-3").collisions_to(0.0)


def test_timeline_relaxes_a_qubit_that_waits() -> None:
    """Qubit 1 waits while qubit 0 is reset: as late as possible, it relaxes before its sx, for the reset's
    duration minus the sx's, with its own T1, T2 from the target."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SuperOp
    from qiskit_aer.noise import thermal_relaxation_error

    from qc_reset.model.channels import from_qiskit_superop
    from qc_reset.run.backends import fake_backend

    be = fake_backend("FakeTorino")
    qc = QuantumCircuit(2)
    qc.reset(0)
    qc.sx(1)
    plain = collision_superop(qc, be, timeline=False)
    timed = collision_superop(qc, be, timeline=True)
    t_reset = be.target["reset"][(0,)].duration * 1e9
    t_sx = be.target["sx"][(1,)].duration * 1e9
    qp = be.qubit_properties(1)
    t1, t2 = qp.t1 * 1e9, min(qp.t2 * 1e9, 2 * qp.t1 * 1e9)
    wait = thermal_relaxation_error(t1, t2, t_reset - t_sx)  # ALAP: qubit 1 idles, then its sx ends with the reset
    ident = thermal_relaxation_error(1.0, 1.0, 0.0)
    before = from_qiskit_superop(SuperOp(ident.expand(wait)).data)  # Qiskit qubit 1 = paper 1 (first factor)
    np.testing.assert_allclose(timed, plain @ before, atol=EXACT)
    with pytest.raises(InputError, match="timeline needs a device"):
        collision_superop(qc, "depol=1e-3", timeline=True)


def test_timeline_equals_the_alap_scheduled_device_simulation() -> None:
    """Full device noise against an independent path: Qiskit's ALAP schedule padded with delays
    (run.device_noise.schedule_alap) and Aer's NoiseModel.from_backend, whose RelaxationNoisePass relaxes every
    delay, over 120 repeated collisions."""
    from qiskit_aer.noise import NoiseModel

    from qc_reset.run.backends import fake_backend
    from qc_reset.run.device_noise import schedule_alap

    be = fake_backend("FakeManilaV2")
    p = Params(0.366, 0.5, 5.0, 0.0, 0.0)
    tqc = transpile_collision(collision_circuit("dilated_fresh", p, 0.5), be, seed=0)
    initial = tqc.layout.initial_index_layout()[:2]
    assert list(initial) == list(tqc.layout.final_index_layout()[:2])
    res = noisy_fixed_point("dilated_fresh", p, 0.5, be, transpiled=tqc)  # timeline=True by default
    assert res.contraction**120 < 1e-20
    rho = _repeated_density_matrix(schedule_alap(tqc, be.target), 120, NoiseModel.from_backend(be), initial)
    assert trace_distance(rho, res.rho) < CONVERGED
    # the idle time matters here (5.5 us resets on Manila): the gate-only fixed point is far away
    gate_only = noisy_fixed_point("dilated_fresh", p, 0.5, be, transpiled=tqc, timeline=False)
    assert trace_distance(rho, gate_only.rho) > 1e-2


@pytest.mark.parametrize("design", ["dynamic", "dynamic_fresh"])
def test_dynamic_designs_under_gate_noise_equal_their_branch_channel(design: str) -> None:
    """Gate errors inside and outside the if_else blocks: the circuit with every gate's depolarizing error
    appended explicitly, its channel computed by enumerating measurement branches (run.dynamic)."""
    from qiskit_aer.noise import depolarizing_error

    from qc_reset.run import dynamic as dyn

    spec = "depol=1e-3,depol2=3e-2"
    tqc = transpile_collision(collision_circuit(design, OPT, 0.5), spec)
    e1, e2 = depolarizing_error(1e-3, 1), depolarizing_error(3e-2, 2)

    def noisy(qc):  # type: ignore[no-untyped-def]
        out = qc.copy_empty_like()
        for inst in qc.data:
            op = inst.operation
            if getattr(op, "blocks", None):
                out.append(op.replace_blocks([noisy(b) for b in op.blocks]), inst.qubits, inst.clbits)
                continue
            out.append(op, inst.qubits, inst.clbits)
            if op.name in ("sx", "x"):
                out.append(e1, inst.qubits)
            elif op.name == "cx":
                out.append(e2, inst.qubits)
        return out

    res = noisy_fixed_point(design, OPT, 0.5, spec, transpiled=tqc)
    np.testing.assert_allclose(res.superop, dyn.branch_channel(noisy(tqc)), atol=EXACT)
    assert np.abs(res.superop - dyn.branch_channel(tqc)).max() > 1e-3  # the noise is really there
