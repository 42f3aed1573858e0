"""Frozen records of the statistics and noise layers: ``to_dict``/``from_dict`` round trips through JSON."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest

from qc_reset import stats
from qc_reset._checks import InputError
from qc_reset.model import Params
from qc_reset.run.noise import NoiseSpec, parse_noise
from qc_reset.run.threshold import GateErrorThreshold
from qc_reset.stats import Estimate, MagicVerdict, TomographyResult


def _json(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(d, allow_nan=False))
    return out


def test_estimate_round_trip_and_frozen() -> None:
    e = Estimate(value=0.25, ci=(0.1, 0.4))
    back = Estimate.from_dict(_json(e.to_dict()))
    assert back == e and back.to_dict() == e.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.value = 1.0  # type: ignore[misc]
    with pytest.raises(InputError, match="needs the key 'ci'"):
        Estimate.from_dict({"value": 1.0})
    with pytest.raises(InputError, match="ci must be a pair"):
        Estimate.from_dict({"value": 1.0, "ci": [1.0]})


@pytest.mark.parametrize(("ci", "verdict"), [((0.01, 0.2), "magic"), ((-0.3, -0.1), "stabilizer"),
                                             ((-0.1, 0.1), "inconclusive")])
def test_magic_verdict_round_trip(ci: tuple[float, float], verdict: str) -> None:
    v = MagicVerdict(value=sum(ci) / 2, ci=ci, verdict=verdict, level=0.9, method="bootstrap")
    back = MagicVerdict.from_dict(_json(v.to_dict()))
    assert back == v and back.to_dict() == v.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.verdict = "magic"  # type: ignore[misc]
    wrong = {**v.to_dict(), "verdict": "stabilizer" if verdict != "stabilizer" else "magic"}
    with pytest.raises(InputError, match="contradicts ci"):
        MagicVerdict.from_dict(wrong)


def test_tomography_result_round_trip_counts_and_estimate() -> None:
    counts = stats.sample_counts([0.5, 0.2, 0.6], 3000, seed=4)
    for res in (stats.analyze(counts, level=0.9, seed=1, n_resamples=200, witness_method="bootstrap"),
                stats.analyze_estimate([0.5, 0.2, 0.6], np.diag([1e-4, 2e-4, 3e-4]) + 1e-5, seed=2,
                                       n_resamples=200)):
        d = res.to_dict()
        back = TomographyResult.from_dict(_json(d))
        assert back.to_dict() == d
        with pytest.raises(dataclasses.FrozenInstanceError):
            res.level = 0.5  # type: ignore[misc]
        with pytest.raises(ValueError, match="read-only"):
            back.bloch[0] = 0.0


@pytest.mark.parametrize("text", ["none", "depol=1e-3", "depol=1e-3,depol2=2e-2,t1=50us,t2=70us,gate_time=35",
                                  "readout=0.01:0.03", "fake:FakeManilaV2,layout=0-1-2-3", "fake:FakeManilaV2"])
def test_noise_spec_round_trip(text: str) -> None:
    spec = parse_noise(text)
    d = spec.to_dict()
    back = NoiseSpec.from_dict(_json(d))
    assert back == spec and str(back) == d["spec"]
    assert NoiseSpec.from_dict({"spec": d["spec"]}) == spec
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.depol = 0.5  # type: ignore[misc]


def test_noise_spec_from_dict_refuses_inconsistent_records() -> None:
    d = parse_noise("depol=1e-3").to_dict()
    with pytest.raises(InputError, match="differs from its fields"):
        NoiseSpec.from_dict({**d, "spec": "depol=0.002"})
    with pytest.raises(InputError, match="unknown keys"):
        NoiseSpec.from_dict({**d, "colour": "red"})
    with pytest.raises(InputError, match="must be a dict"):
        NoiseSpec.from_dict("depol=1e-3")  # type: ignore[arg-type]


def test_gate_error_threshold_round_trip() -> None:
    t = GateErrorThreshold(p_max=1e-3, p_fail=1.05e-3, status="found",
                           params=Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02), noise="depol=0",
                           shots=1000, seed=7, level=0.95, dt=0.1, order=2, steps=12,
                           evaluations=((1e-5, "magic", 0.2), (0.1, "stabilizer", -0.4)))
    d = t.to_dict()
    back = GateErrorThreshold.from_dict(_json(d))
    assert back == t and back.to_dict() == d
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.p_max = 0.0  # type: ignore[misc]
    with pytest.raises(InputError, match="needs the keys"):
        GateErrorThreshold.from_dict({k: v for k, v in d.items() if k != "status"})
    with pytest.raises(InputError, match="evaluations must be a list"):
        GateErrorThreshold.from_dict({**d, "evaluations": [{"p": 1.0}]})
