"""PUB sweeps (qc_reset.run.primitives) against per-point runs, hand-built BitArrays and exact density matrices."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit.primitives import BitArray

from qc_reset._checks import InputError
from qc_reset.circuits.measurement import resolve_steps
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.run import primitives as pr
from qc_reset.run.simulator import simulate
from qc_reset.run.tomography import convergence_tol, ideal_state, run_tomography

#: |z| bound for shot-noise comparisons: over <= 12 components, P(any |z| > 4.5) < 12 * 6.8e-6 ~ 1e-4.
Z_BOUND = 4.5
#: Agreement of the estimator at precision 0 with Aer's density matrix of the same circuit (round-off).
EXACT_TOL = 1e-10
DT = 0.5  # a coarse step keeps the unrolled circuits short (tens of steps); exactness is per circuit
SHOTS = 4000

POINTS = [Params(0.06, 0.3, 0.3, 0.0, 0.0), Params(0.06, 0.3, 0.3, 0.5, 0.0),
          Params(0.1, 0.2, 0.5, 2.0, 0.3), Params(0.03, 0.4, 0.1, 0.1, 1.0)]


@pytest.fixture(scope="module")
def sweep() -> pr.PubSweep:
    return pr.run_sweep(POINTS, shots=SHOTS, seed=11, dt=DT, n_resamples=50)


def test_auto_steps_converge_every_point(sweep: pr.PubSweep) -> None:
    per_point = [resolve_steps(p, DT, 2, "auto", convergence_tol(SHOTS)) for p in POINTS]
    assert sweep.steps == max(per_point)
    assert len(set(per_point)) > 1  # the points need different counts; the sweep takes the largest


def test_sweep_equals_per_point_runs(sweep: pr.PubSweep) -> None:
    assert sweep.counts.shape == (4, 3, 2) and np.all(sweep.counts.sum(axis=-1) == SHOTS)
    z = []
    for k, p in enumerate(POINTS):
        one = run_tomography(p, shots=SHOTS, seed=100 + k, dt=DT, steps=sweep.steps, route="gates",
                             realization="dilated", n_resamples=50)
        se = np.hypot(sweep.stderr[k], one.result.stderr)
        z.append((sweep.bloch[k] - one.result.bloch) / se)
        # and against the exact state of the same circuit, S^N rho_0 (no shot noise)
        exact = measures.bloch_vector(ideal_state(p, DT, 2, sweep.steps))
        z.append((sweep.bloch[k] - exact) / sweep.stderr[k])
    assert np.all(np.abs(z) < Z_BOUND), np.round(z, 2)


def test_sweep_records(sweep: pr.PubSweep) -> None:
    assert len(sweep.results) == 4
    np.testing.assert_array_equal([r.bloch for r in sweep.results], sweep.bloch)
    back = pr.PubSweep.from_dict(json.loads(json.dumps(sweep.to_dict())))
    assert back.to_dict() == sweep.to_dict()


def test_per_point_dt_at_fixed_steps() -> None:
    dts = [0.3, 0.6]
    pts = POINTS[:2]
    run = pr.run_sweep(pts, shots=SHOTS, seed=3, dt=dts, steps=12, analysis=False)
    assert run.steps == 12 and run.results == ()
    for k, p in enumerate(pts):
        exact = measures.bloch_vector(ideal_state(p, dts[k], 2, 12))
        assert np.all(np.abs((run.bloch[k] - exact) / run.stderr[k]) < Z_BOUND)


def test_circuits_and_bindings() -> None:
    qcs = pr.sweep_circuits(3, order=1)
    assert [qc.metadata["basis"] for qc in qcs] == ["X", "Y", "Z"]
    for qc in qcs:
        assert qc.metadata["qubit"] == 1 and qc.metadata["creg"] == pr.CREG and qc.metadata["steps"] == 3
        assert qc.metadata["parameters"] == list(pr.PARAMETER_NAMES)
        assert [qc.find_bit(q).index for q in qc.data[-1].qubits] == [1]  # the measurement is on qubit 1
    pubs = pr.sweep_pubs(POINTS, DT, steps=2, shots=10)
    assert len(pubs) == 3 and pubs[0][1].shape == (4,) and pubs[0][2] == 10
    from qc_reset.circuits.parameters import CircuitParameters

    cp = CircuitParameters.create()
    vals = pr.sweep_values(cp, POINTS, DT)
    assert vals.shape == (4, 6) and np.all(np.isfinite(vals)) and vals[0, 3] > 0  # T1 = 0 clipped, not NaN
    sweep_qc = pr.sweep_circuits(2, cparams=cp)[0]
    bound = sweep_qc.assign_parameters(dict(zip(cp.parameters(), vals[0], strict=True)))
    assert not bound.parameters


def test_adapter_against_hand_built_bitarrays() -> None:
    # Two classical bits; bit 0 is the rightmost character. Point 0 / point 1 per basis, 10 shots each.
    raw = {
        "X": [{"00": 5, "01": 3, "10": 2}, {"11": 10}],
        "Y": [{"01": 7, "11": 3}, {"00": 1, "10": 9}],
        "Z": [{"10": 6, "00": 4}, {"01": 2, "11": 8}],
    }
    arrays = [BitArray.from_counts(raw[b], num_bits=2) for b in "XYZ"]
    got0 = pr.counts_from_bitarrays(arrays, clbit=0)
    got1 = pr.counts_from_bitarrays(arrays, clbit=1)

    def expected(bit: int) -> np.ndarray:
        out = np.zeros((2, 3, 2), dtype=np.int64)
        for j, b in enumerate("XYZ"):
            for k, c in enumerate(raw[b]):
                for s, m in c.items():
                    out[k, j, int(s[::-1][bit])] += m
        return out

    np.testing.assert_array_equal(got0, expected(0))
    np.testing.assert_array_equal(got1, expected(1))
    np.testing.assert_array_equal(got0[0], [[7, 3], [0, 10], [10, 0]])  # by hand
    # a bit beyond the first byte, against BitArray's own marginal counts
    wide = [BitArray.from_counts([{1 << 9: 3, 1: 7}, {(1 << 9) | 2: 10}], num_bits=10)] * 3
    marg = [[wide[0].slice_bits([9]).get_counts(k).get(s, 0) for s in "01"] for k in range(2)]
    np.testing.assert_array_equal(pr.counts_from_bitarrays(wide, clbit=9)[:, 0], marg)
    np.testing.assert_array_equal(marg, [[7, 3], [0, 10]])


def test_estimator_exact_and_at_precision() -> None:
    steps = 20
    ex = pr.estimate_sweep(POINTS, precision=0.0, dt=DT, steps=steps)
    rho = [simulate(p, dt=DT, steps=steps, order=2, realization="dilated", route="gates").rho for p in POINTS]
    want = np.array([measures.bloch_vector(r) for r in rho])
    np.testing.assert_allclose(ex.bloch, want, atol=EXACT_TOL)
    prec = 0.02
    noisy = pr.estimate_sweep(POINTS, precision=prec, seed=5, dt=DT, steps=steps)
    np.testing.assert_allclose(noisy.stds, prec)
    assert np.all(np.abs((noisy.bloch - want) / prec) < Z_BOUND)
    back = pr.BlochSweep.from_dict(json.loads(json.dumps(noisy.to_dict())))
    assert back.to_dict() == noisy.to_dict()
    # "auto" converges every point to a tenth of the precision
    auto = pr.estimate_sweep(POINTS, precision=prec, seed=5, dt=DT)
    assert auto.steps == max(resolve_steps(p, DT, 2, "auto", prec / 10) for p in POINTS)


@pytest.mark.parametrize(("call", "word"), [
    (lambda: pr.run_sweep(POINTS, shots=0, seed=1, steps=2), "shots"),
    (lambda: pr.run_sweep([], shots=10, seed=1, steps=2), "points"),
    (lambda: pr.run_sweep(POINTS, shots=10, seed=1, dt=[0.1, 0.2], steps=2), "dt"),
    (lambda: pr.run_sweep(POINTS, shots=10, seed=1, dt=-1.0, steps=2), "dt"),
    (lambda: pr.run_sweep(POINTS, shots=10, seed=1, steps=0), "steps"),
    (lambda: pr.estimate_sweep(POINTS, precision=-0.1, steps=2), "precision"),
    (lambda: pr.counts_from_bitarrays([BitArray.from_counts([{"0": 1}] * 2)] * 2), "arrays"),
    (lambda: pr.counts_from_bitarrays([BitArray.from_counts([{"0": 1}] * 2), BitArray.from_counts([{"0": 1}] * 3),
                                       BitArray.from_counts([{"0": 1}] * 2)]), "shape"),
    (lambda: pr.counts_from_bitarrays([BitArray.from_counts([{"0": 1}] * 2, num_bits=1)] * 3, clbit=1), "clbit"),
])
def test_bad_inputs(call, word: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=word):
        call()


def test_counts_from_pubs_needs_the_register() -> None:
    class _Res:
        class data:  # noqa: N801  (mimics a DataBin without the register)
            @staticmethod
            def keys() -> list[str]:
                return ["c"]

    with pytest.raises(InputError, match="register 'meas'"):
        pr.counts_from_pubs([_Res()] * 3)


def test_records_check_shapes() -> None:
    with pytest.raises(InputError, match="counts"):
        pr.PubSweep(points=tuple(POINTS), dt=np.full(4, DT), order=2, steps=1, shots=1, seed=None,
                    counts=np.zeros((3, 3, 2), dtype=np.int64))
    with pytest.raises(InputError, match="bloch"):
        pr.BlochSweep(points=tuple(POINTS), dt=np.full(4, DT), order=2, steps=1, precision=0.0,
                      bloch=np.zeros((4, 2)), stds=np.zeros((4, 3)))
    with pytest.raises(InputError, match="PubSweep record"):
        pr.PubSweep.from_dict({"points": []})
    with pytest.raises(InputError, match="BlochSweep record"):
        pr.BlochSweep.from_dict([])  # type: ignore[arg-type]
