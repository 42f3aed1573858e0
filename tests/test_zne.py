"""Zero-noise extrapolation with mitiq: folding between resets, the coefficients, exact and shot-based runs,
and the calibration of the extrapolated witness interval."""

from __future__ import annotations

import numpy as np
import pytest
from mitiq.zne.inference import LinearFactory, RichardsonFactory
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, SuperOp

from qc_reset._checks import InputError
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.run.zne import (
    ZNEWitness,
    counted_scales,
    fold_between_resets,
    zne_coefficients,
    zne_tomography,
    zne_witness,
)
from qc_reset.stats.estimators import sample_counts
from qc_reset.stats.extrapolation import combine, combined_witness_interval, sampling_overhead

REFERENCE = Params(0.06, 0.3, 0.3, 0.1, 0.02)
#: A point without magic, noisy or ideal: the heat bath warm enough that ||r||_1 ~ 0.5.
NO_MAGIC = Params(0.06, 0.3, 0.3, 1.0, 0.02)
EXACT = 1e-10  # exact channels of circuits with ~10^2 gates (rounding ~1e-14 per gate)


def _with_resets() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.rz(0.3, 0)
    qc.sx(0)
    qc.cx(0, 1)
    qc.reset(1)
    qc.sx(1)
    qc.cx(1, 0)
    qc.rz(-1.1, 1)
    return qc


@pytest.mark.parametrize("folding", ["global", "random"])
@pytest.mark.parametrize("scale", [3.0, 5.0])
def test_folding_keeps_the_channel_and_scales_the_noisy_gates(folding: str, scale: float) -> None:
    qc = _with_resets()
    folded = fold_between_resets(qc, scale, folding=folding, seed=4)
    # The ideal channel (qiskit.quantum_info.SuperOp handles reset) is unchanged, the reset is kept
    # in place (one, unfolded) and every gate is in the noise basis.
    np.testing.assert_allclose(SuperOp(folded).data, SuperOp(qc).data, atol=EXACT)
    ops = folded.count_ops()
    assert ops["reset"] == 1 and set(ops) <= {"rz", "sx", "x", "cx", "reset"}
    # The noisy gates (sx, cx) grow by the scale factor: 2 cx -> 2 scale; 2 sx -> 2 scale.
    if folding == "global":
        assert ops["cx"] == 2 * scale and ops["sx"] == 2 * scale
    else:  # random folding reaches the scale on each segment's gate count (here exactly: odd integer scale)
        assert ops["cx"] + ops["sx"] == 4 * scale


@pytest.mark.parametrize("folding", ["global", "random"])
def test_folding_keeps_qubits_in_place_with_idle_qubits(folding: str) -> None:
    # Segments that leave qubits idle: the conversion through mitiq must not move or drop qubits.
    qc = QuantumCircuit(3)
    qc.sx(2)
    qc.rz(0.7, 2)
    qc.reset(0)
    qc.cx(2, 1)
    qc.sx(0)
    qc.reset(2)
    qc.rz(-0.4, 1)
    folded = fold_between_resets(qc, 3.0, folding=folding, seed=1)
    np.testing.assert_allclose(SuperOp(folded).data, SuperOp(qc).data, atol=EXACT)
    assert [i.operation.name for i in folded.data].count("reset") == 2


def test_folded_dilated_circuit_has_the_same_ideal_state() -> None:
    # The transpiled dilated circuit (2 Strang steps, 4 qubits, 14 resets) folded at scale 5 gives the same
    # system state on a noiseless Aer density-matrix run.
    from qc_reset.circuits.collision import trotter_circuit
    from qc_reset.circuits.measurement import with_saved_state
    from qc_reset.run.noise import parse_noise, transpile_for
    from qc_reset.run.simulator import default_backend

    tq = transpile_for(trotter_circuit(REFERENCE, 0.5, 2, order=2, realization="dilated", save=False),
                       parse_noise("depol=1e-3"))
    runs = [with_saved_state(fold_between_resets(tq, s, folding=f, seed=2)) for s, f in
            ((1.0, "global"), (5.0, "global"), (5.0, "random"))]
    rhos = [np.asarray(default_backend().run(qc).result().data(0)["rho"]) for qc in runs]
    np.testing.assert_allclose(rhos[1], rhos[0], atol=EXACT)
    np.testing.assert_allclose(rhos[2], rhos[0], atol=EXACT)


def test_mitiq_refuses_resets_which_is_why_segments_are_folded() -> None:
    from mitiq.zne.scaling import fold_global
    from mitiq.zne.scaling.folding import UnfoldableCircuitError

    with pytest.raises(UnfoldableCircuitError, match="non-invertible"):
        fold_global(_with_resets(), 3.0)
    # Without resets, one segment: the result is mitiq's own global folding.
    qc = QuantumCircuit(2)
    qc.sx(0)
    qc.cx(0, 1)
    np.testing.assert_allclose(Operator(fold_between_resets(qc, 3.0)).data, Operator(qc).data, atol=EXACT)


def test_coefficients_are_mitiqs_extrapolation() -> None:
    # Richardson at 1, 3, 5: Lagrange weights at 0, (15/8, -5/4, 3/8); the linear fit's intercept weights.
    np.testing.assert_allclose(zne_coefficients([1, 3, 5]), [15 / 8, -5 / 4, 3 / 8], atol=1e-12)
    x = np.array([1.0, 3.0, 5.0])
    lin = zne_coefficients(x, factory="linear")
    A = np.vstack([np.ones(3), x]).T
    np.testing.assert_allclose(lin, np.linalg.pinv(A)[0], atol=1e-12)
    y = np.array([0.9, 0.7, 0.55])
    assert float(lin @ y) == pytest.approx(LinearFactory.extrapolate(list(x), list(y)), abs=1e-12)
    assert float(zne_coefficients(x) @ y) == pytest.approx(RichardsonFactory.extrapolate(list(x), list(y)), abs=1e-12)


@pytest.fixture(scope="module")
def reference_zne() -> ZNEWitness:
    """Exact ZNE at the reference point, depol = 1e-3, 4 Strang steps of dt = 0.5 (few steps keep it fast)."""
    return zne_witness(REFERENCE, "depol=1e-3", dt=0.5, steps=4, seed=0)


def test_exact_zne_moves_the_noisy_witness_to_the_ideal_one(reference_zne: ZNEWitness) -> None:
    # The comparison is with the noiseless circuit of the same steps.
    w = reference_zne
    assert [c["cx"] for c in w.gate_counts] == [w.gate_counts[0]["cx"] * s for s in (1, 3, 5)]
    # At odd integer scales every gate is folded: the counted noise scale is the nominal one.
    np.testing.assert_allclose(counted_scales(w.gate_counts, "depol=1e-3"), [1, 3, 5], atol=EXACT)
    np.testing.assert_allclose(w.effective_scales, w.scales, atol=0)
    # mitiq's extrapolation equals the linear form of the coefficients (used for the error propagation).
    np.testing.assert_allclose(w.bloch_zne, combine(w.bloch_scaled, w.coefficients), atol=1e-12)
    gap_noisy = abs(w.witness_noisy - w.witness_ideal)
    assert gap_noisy > 0.05  # depol = 1e-3 on ~40 noisy gates per step is far from ideal
    assert abs(w.witness_zne - w.witness_ideal) < 0.15 * gap_noisy
    d = w.to_dict()
    assert d["witness_zne"] == w.witness_zne and d["steps"] == 4


def test_same_as_mitiqs_execute_with_zne(reference_zne: ZNEWitness) -> None:
    # mitiq's own driver, with fold_between_resets as its scale_noise and an Aer density-matrix executor of
    # <Z> on qubit 1, gives the extrapolated z component of zne_witness (same circuits, same factory).
    from mitiq import zne

    from qc_reset.circuits.collision import trotter_circuit
    from qc_reset.circuits.measurement import with_saved_state
    from qc_reset.run.noise import parse_noise, simulator, transpile_for

    spec = parse_noise("depol=1e-3")
    tq = transpile_for(trotter_circuit(REFERENCE, 0.5, 4, order=2, realization="dilated", save=False), spec, seed=0)

    def executor(qc: QuantumCircuit) -> float:
        rho = np.asarray(simulator(spec).run(with_saved_state(qc.copy())).result().data(0)["rho"])
        return float(measures.bloch_vector(rho)[2])

    value = zne.execute_with_zne(tq, executor, factory=RichardsonFactory([1.0, 3.0, 5.0]),
                                 scale_noise=lambda c, s: fold_between_resets(c, s))
    assert value == pytest.approx(reference_zne.bloch_zne[2], abs=1e-12)


def test_zne_tomography_is_within_shot_noise_of_the_exact_extrapolation(reference_zne: ZNEWitness) -> None:
    w = reference_zne
    t = zne_tomography(REFERENCE, "depol=1e-3", shots=20_000, seed=0, dt=0.5, steps=4)
    z = np.abs(t.bloch - w.bloch_zne) / t.stderr
    assert np.all(z < 4), z
    # The stderr is the combination's: sqrt(sum_k c_k^2 (1 - r_k^2) / N), per component.
    expected = np.sqrt(np.sum(t.coefficients[:, None] ** 2 * (1 - w.bloch_scaled**2), axis=0) / 20_000)
    np.testing.assert_allclose(t.stderr, expected, rtol=0.05)


def test_zne_witness_interval_false_magic_rate_without_magic() -> None:
    # At a point with no magic in the noisy, ideal or extrapolated state, counts at each scale factor are
    # drawn from Aer's exact noisy states R times; "magic" is then false and its rate must stay <= alpha
    # (3 binomial standard errors of the rate). Shots are few enough that the extrapolated estimate's
    # standard error (~sqrt(overhead) = 3.5 times one run's) is comparable to the margin 1 - ||r||_1, so
    # an interval with one run's standard error would fail: its two-sided coverage is checked too.
    w = zne_witness(NO_MAGIC, "depol=3e-3", dt=0.5, steps=6)
    for r in (*w.bloch_scaled, w.bloch_ideal, w.bloch_zne):
        assert measures.l1_norm(r) < 0.9
    truth = float(measures.l1_norm(w.bloch_zne)) - 1.0
    reps, alpha, shots = 20_000, 0.05, 400
    counts = np.stack([sample_counts(np.broadcast_to(r, (reps, 3)), shots, seed=10 + k)
                       for k, r in enumerate(w.bloch_scaled)])
    value, lo, hi = combined_witness_interval(counts, w.coefficients, 1 - alpha)
    margin = 3 * np.sqrt(alpha * (1 - alpha) / reps)
    assert float(np.mean(lo > 0)) <= alpha + margin
    coverage = float(np.mean((lo <= truth) & (truth <= hi)))
    assert coverage >= 1 - alpha - margin, coverage
    narrow = (hi - value) / np.sqrt(sampling_overhead(w.coefficients))  # one run's width, wrongly
    assert float(np.mean(np.abs(value - truth) <= narrow)) < 1 - alpha - margin


def test_validation() -> None:
    with pytest.raises(InputError, match="noise must be a parametric spec"):
        zne_witness(REFERENCE, "none", steps=2)
    with pytest.raises(InputError, match="scales must all be >= 1"):
        zne_coefficients([0.5, 1.0, 3.0])
    with pytest.raises(InputError, match="scales must be distinct"):
        zne_coefficients([1.0, 1.0])
    with pytest.raises(InputError, match="factory must be one of"):
        zne_coefficients([1.0, 3.0], factory="poly")
    with pytest.raises(InputError, match="folding must be one of"):
        fold_between_resets(_with_resets(), 3.0, folding="local")
    with pytest.raises(InputError, match="scale"):
        fold_between_resets(_with_resets(), 0.5)
    with pytest.raises(InputError, match="scale_from must be one of"):
        zne_witness(REFERENCE, "depol=1e-3", steps=2, scale_from="measured")
    with pytest.raises(InputError, match="no noisy gates"):
        counted_scales([{"sx": 0, "x": 0, "cx": 0}] * 2, "depol=1e-3")
