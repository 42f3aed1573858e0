"""MagicTomography / MagicTomographyAnalysis: qiskit-experiments runs against the package's own analysis.

Reference paths: the counts are read back from ``ExperimentData.data()`` directly (not through the
module's helper) and fed to :func:`qc_reset.stats.analyze` with the bootstrap seed recomputed from
the experiment seed, which must reproduce every number exactly; the Bloch vector of an Aer run is
compared with the exact state of the same Trotter circuit from :func:`qc_reset.run.simulator.simulate`
(same dt, steps, order) within shot noise.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

pytest.importorskip("qiskit_experiments")
pytest.importorskip("qiskit_ibm_runtime")

from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_experiments.framework import ExperimentDecoder, ExperimentEncoder  # noqa: E402

from qc_reset import InputError  # noqa: E402
from qc_reset.model.params import Params  # noqa: E402
from qc_reset.run.backends import measured_physical_qubit  # noqa: E402
from qc_reset.run.calibration import calibrate_readout  # noqa: E402
from qc_reset.run.experiment import MagicTomography, counts_of, tomography_result  # noqa: E402
from qc_reset.run.seeds import seed_streams, stream_seed  # noqa: E402
from qc_reset.run.simulator import simulate  # noqa: E402
from qc_reset.stats import CLASS_VERDICTS, VERDICTS, analyze, analyze_estimate, mitigate_estimate  # noqa: E402

P = Params(0.06, 0.3, 0.3, 0.1, 0.02)  # the README's point: magic in the steady state
SHOTS = 4000
SEED = 11
RESAMPLES = 300  # bootstrap size: enough for the intervals, cheap
#: Bound on |r_hat - r| per component in standard errors: a 3-component false failure rate ~ 2e-5.
Z_BOUND = 4.5


def _stream(seed: int, name: str) -> int:
    """The experiment's named seed stream, recomputed independently (order: simulator, transpiler, cal, boot)."""
    k = ("simulator", "transpiler", "calibration", "bootstrap").index(name)
    return stream_seed(seed_streams(seed, 4)[k])


def _raw_counts(data) -> np.ndarray:
    out = np.zeros((3, 2), dtype=np.int64)
    for d in data.data():
        k = "XYZ".index(d["metadata"]["basis"])
        out[k] = [d["counts"].get("0", 0), d["counts"].get("1", 0)]
    return out


def _values(data) -> dict:
    df = data.analysis_results(dataframe=True)
    return dict(zip(df["name"], df["value"], strict=True))


def _run(exp, backend):
    with warnings.catch_warnings():  # qiskit-experiments' note that a fake device's jobs come from Aer
        warnings.simplefilter("ignore")
        data = exp.run(backend).block_for_results()
    assert data.analysis_errors() == "" or not data.analysis_errors()
    return data


@pytest.fixture(scope="module")
def aer_data():
    exp = MagicTomography(P, shots=SHOTS, seed=SEED)
    exp.analysis.set_options(n_resamples=RESAMPLES)
    return exp, _run(exp, AerSimulator(method="density_matrix"))


def test_circuits_and_metadata(aer_data) -> None:
    exp, data = aer_data
    qcs = exp.circuits()
    assert [qc.metadata["basis"] for qc in qcs] == ["X", "Y", "Z"]
    for qc in qcs:
        m = qc.metadata
        assert m["qubit"] == 1 and m["dt"] == 0.5 and m["order"] == 2 and m["steps"] == exp.steps
        assert Params.from_dict(m["params"]) == P
    assert data.metadata["seed"] == SEED and data.metadata["shots"] == SHOTS
    assert {d["metadata"]["physical_qubit"] for d in data.data()} == {1}
    assert sum(_raw_counts(data).sum(axis=1) == SHOTS) == 3


def test_numbers_equal_the_package_analysis(aer_data) -> None:
    _, data = aer_data
    counts = _raw_counts(data)
    np.testing.assert_array_equal(counts_of(data), counts)
    ref = analyze(counts, n_resamples=RESAMPLES, seed=_stream(SEED, "bootstrap")).to_dict()
    v = _values(data)
    assert v["tomography"] == ref  # exact: same counts, same seed, same code path
    assert v["bloch"]["value"] == ref["bloch"] and v["bloch"]["stderr"] == ref["stderr"]
    assert v["l1_coherence"] == ref["l1_coherence"]
    assert v["magic_witness"] == ref["magic_witness"]
    assert v["magic_verdict"] == ref["magic_witness"]["verdict"]
    assert v["magic_class"] == ref["magic_class"]
    assert tomography_result(data).to_dict() == ref


def test_aer_run_within_shot_noise_of_the_exact_trotter_state(aer_data) -> None:
    exp, data = aer_data
    exact = simulate(P, dt=0.5, steps=exp.steps, order=2, realization="dilated", route="gates").bloch
    v = _values(data)["bloch"]
    z = (np.array(v["value"]) - exact) / np.maximum(v["stderr"], 1e-12)
    assert np.all(np.abs(z) < Z_BOUND), z
    # The exact witness (W = 0.035 here) and C_l1 lie in their 95% intervals (seeded run).
    w = _values(data)["magic_witness"]["ci"]
    c = _values(data)["l1_coherence"]["ci"]
    assert w[0] <= np.abs(exact).sum() - 1 <= w[1]
    assert c[0] <= np.hypot(exact[0], exact[1]) <= c[1]


def test_analysis_results_round_trip_json(aer_data) -> None:
    _, data = aer_data
    df = data.analysis_results(dataframe=True)
    # The extras (counts, mitigation, steps, seed) are columns of the results table.
    for _, row in df.iterrows():
        name = row["name"]
        for obj in (row["value"], row["counts"], row["mitigation"], row["steps"], row["seed"]):
            text = json.dumps(obj, cls=ExperimentEncoder)
            assert json.loads(text, cls=ExperimentDecoder) == obj, name
    back = json.loads(json.dumps(_values(data)["tomography"], cls=ExperimentEncoder), cls=ExperimentDecoder)
    assert tomography_result(data).to_dict() == back


def test_assignment_option_equals_the_mitigation_math(aer_data) -> None:
    exp, data = aer_data
    A = np.array([[0.97, 0.05], [0.03, 0.95]])
    analysis = exp.analysis.copy()
    analysis.set_options(assignment=A.tolist(), cal_shots=8000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        redone = analysis.run(data, replace_results=False).block_for_results()
    r, C = mitigate_estimate(_raw_counts(data), A, 8000)
    ref = analyze_estimate(r, C, n_resamples=RESAMPLES, seed=_stream(SEED, "bootstrap")).to_dict()
    assert _values(redone)["tomography"] == ref


def test_fake_manila_run_with_calibration() -> None:
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    exp = MagicTomography(P, shots=1000, seed=5)
    exp.analysis.set_options(calibration="fake:FakeManilaV2", cal_shots=1000, n_resamples=RESAMPLES)
    backend = FakeManilaV2()
    data = _run(exp, backend)
    v = _values(data)
    assert v["magic_verdict"] in VERDICTS and v["magic_class"]["verdict"] in CLASS_VERDICTS
    physical = {d["metadata"]["physical_qubit"] for d in data.data()}
    assert len(physical) == 1
    # The transpiled circuits measure exactly that physical qubit (one layout for the three bases).
    exp2 = exp.copy()
    exp2.backend = backend
    exp2._finalize()
    assert {measured_physical_qubit(qc) for qc in exp2._transpiled_circuits()} == physical
    A = calibrate_readout("fake:FakeManilaV2", physical.pop(), shots=1000, seed=_stream(5, "calibration"))
    r, C = mitigate_estimate(_raw_counts(data), A, 1000)
    assert v["tomography"] == analyze_estimate(r, C, n_resamples=RESAMPLES, seed=_stream(5, "bootstrap")).to_dict()
    assert data.analysis_results("tomography", dataframe=True).iloc[0]["mitigation"]["assignment"] == A.tolist()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"shots": 0}, "shots"),
        ({"shots": 2.5}, "shots"),
        ({"dt": -1.0}, "dt"),
        ({"order": 3}, "order"),
        ({"steps": 0}, "steps"),
        ({"seed": -1}, "seed"),
        ({"tol": 2.0}, "tol"),
    ],
)
def test_bad_experiment_options(options: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        MagicTomography(P, **options)
    exp = MagicTomography(P)
    with pytest.raises(InputError, match=match):
        exp.set_experiment_options(**options)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"level": 1.5}, "level"),
        ({"n_resamples": 0}, "n_resamples"),
        ({"estimator": "bayes"}, "estimator"),
        ({"witness_method": "vote"}, "witness_method"),
        ({"seed": -3}, "seed"),
        ({"cal_shots": 0}, "cal_shots"),
        ({"assignment": [[0.5, 0.5], [0.5, 0.5]]}, "singular"),
        ({"assignment": [[1.2, 0.0], [0.0, 1.0]]}, "assignment"),
        ({"calibration": "none"}, "calibration"),
        ({"calibration": "fake:NoSuchDevice"}, "NoSuchDevice"),
        ({"assignment": [[0.9, 0.1], [0.1, 0.9]], "calibration": "fake:FakeManilaV2"}, "not both"),
        ({"assignment": [[0.9, 0.1], [0.1, 0.9]], "estimator": "mle"}, "linear_inversion"),
    ],
)
def test_bad_analysis_options(options: dict, match: str) -> None:
    exp = MagicTomography(P)
    with pytest.raises(InputError, match=match):
        exp.analysis.set_options(**options)


def test_bad_constructor_and_run_arguments() -> None:
    with pytest.raises(InputError, match="physical_qubits"):
        MagicTomography(P, physical_qubits=[0, 1, 2])
    with pytest.raises(InputError, match="physical_qubits"):
        MagicTomography(P, physical_qubits=[0, 1, 1, 2])
    with pytest.raises(InputError, match="params"):
        MagicTomography({"g": 0.06})
    with pytest.raises(InputError, match="shots"):
        MagicTomography(P, shots=100, seed=1).run(AerSimulator(method="density_matrix"), shots=200)


def test_fresh_seed_is_recorded_and_reproduces_the_run() -> None:
    backend = AerSimulator(method="density_matrix")
    exp = MagicTomography(P, shots=300, steps=5)  # seed None: a fresh seed, recorded in the metadata
    exp.analysis.set_options(n_resamples=50)
    first = _run(exp, backend)
    seed = first.metadata["seed"]
    assert isinstance(seed, int) and exp.experiment_options.seed is None  # the experiment is not modified
    again = MagicTomography(P, shots=300, steps=5, seed=seed)
    again.analysis.set_options(n_resamples=50)
    second = _run(again, backend)
    np.testing.assert_array_equal(_raw_counts(first), _raw_counts(second))
    assert _values(first)["tomography"] == _values(second)["tomography"]
