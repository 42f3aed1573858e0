"""Records of the run layer (frozen, to_dict/from_dict round trips) and the one bound on the number of steps."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest

from qc_reset import _checks
from qc_reset._checks import InputError
from qc_reset.circuits import collision, measurement
from qc_reset.cli import main
from qc_reset.model import measures
from qc_reset.model.channels import fixed_point, trotter_step_superop
from qc_reset.model.params import Params
from qc_reset.model.steady import steady_state
from qc_reset.run import interop, simulator, tomography
from qc_reset.stats import estimators

P = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.02)
#: Steps far beyond the bound: before the bound, 10**22 on the power route gave a silently wrong (zero) state.
HUGE = 10**22
TROTTER_CIRCUIT = collision.trotter_circuit  # the real one: the nothing_built fixture replaces the attribute
#: Routes that take "auto" say so; the circuit builder takes whole numbers only.
STEPS_MESSAGE = r"^steps must be an integer >= 1( or 'auto')? \(at most 1000000000\); got 10000000000000000000000$"


def _round_trip(record: Any) -> dict[str, Any]:
    d = json.loads(json.dumps(record.to_dict()))
    again = type(record).from_dict(d)
    assert again.to_dict() == record.to_dict()
    return d


# ------------------------------------------------------------------------------------------- records
@pytest.mark.parametrize("route", ["power", "superop", "gates"])
def test_simulation_result_round_trip(route: str) -> None:
    res = simulator.simulate(P, 0.2, steps=7, route=route)
    d = _round_trip(res)
    again = simulator.SimulationResult.from_dict(d)
    np.testing.assert_array_equal(again.rho, res.rho)
    # Recomputed, not read: independent of the record's derived keys.
    np.testing.assert_allclose(again.rho_fixed, fixed_point(trotter_step_superop(P, 0.2, 2)), atol=1e-14)
    np.testing.assert_allclose(again.rho_exact, steady_state(P.g, P.p1, P.p2, P.T1, P.T2), atol=1e-14)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.steps = 8  # type: ignore[misc]


def test_simulation_result_from_bad_dict() -> None:
    d = simulator.simulate(P, 0.2, steps=3, route="power").to_dict()
    with pytest.raises(InputError, match="needs the keys rho"):
        simulator.SimulationResult.from_dict({k: v for k, v in d.items() if k != "rho"})
    with pytest.raises(InputError, match="^route must be one of"):
        simulator.SimulationResult.from_dict({**d, "route": "teleport"})
    with pytest.raises(InputError, match="^steps must be"):
        simulator.SimulationResult.from_dict({**d, "steps": HUGE})


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param(dict(), id="ideal"),
        pytest.param(dict(noise="readout=0.05", mitigate=True, cal_shots=500), id="mitigated"),
    ],
)
def test_tomography_run_round_trip(kw: dict[str, Any]) -> None:
    run = tomography.run_tomography(P, shots=400, seed=3, dt=0.5, steps=6, n_resamples=50, **kw)
    d = _round_trip(run)
    again = tomography.TomographyRun.from_dict(d)
    np.testing.assert_array_equal(again.counts, run.counts)
    assert again.verdict == run.verdict and again.seed == 3
    assert (again.assignment is None) == ("mitigate" not in kw)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.shots = 1  # type: ignore[misc]
    with pytest.raises(InputError, match="needs the keys counts"):
        tomography.TomographyRun.from_dict({k: v for k, v in d.items() if k != "counts"})


def test_measured_bases_follow_the_stats_counts_layout() -> None:
    # The circuits layer may not import stats: its basis order is its own constant, and must agree.
    assert measurement.BASES == estimators.BASES == ("X", "Y", "Z")


# ------------------------------------------------------------------------------------------- steps bound
@pytest.fixture
def nothing_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any channel, circuit or backend being made fails the test: the refusal must come first."""
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("work started before the steps were refused")

    for module in (collision, measurement, simulator, tomography):
        for name in ("trotter_step_superop", "trotter_circuit", "step_circuit", "initial_state_circuit",
                     "auto_steps", "_superop_circuit", "default_backend", "_ideal_backend"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, fail)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda n: simulator.simulate(P, 0.1, steps=n, route="power"), id="power"),
        pytest.param(lambda n: simulator.simulate(P, 0.1, steps=n, route="superop"), id="superop"),
        pytest.param(lambda n: simulator.simulate(P, 0.1, steps=n, route="gates"), id="gates"),
        pytest.param(lambda n: simulator.simulate_many([P, P], 0.1, steps=n, realization="dilated", route="gates"),
                     id="gates-dilated"),
        pytest.param(lambda n: TROTTER_CIRCUIT(P, 0.1, n), id="trotter_circuit"),
        pytest.param(lambda n: measurement.tomography_circuits(P, 0.1, steps=n, route="power"), id="tomo-circuits"),
        pytest.param(lambda n: tomography.run_tomography(P, shots=10, seed=1, steps=n), id="run_tomography"),
        pytest.param(lambda n: tomography.noisy_state(P, "depol=1e-3", steps=n), id="noisy_state"),
        pytest.param(lambda n: interop.qiskit_experiments_tomography(P, shots=10, seed=1, steps=n), id="qe"),
    ],
)
def test_huge_steps_refused_before_anything_is_built(call: Any, nothing_built: None) -> None:
    with pytest.raises(InputError, match=STEPS_MESSAGE):
        call(HUGE)
    with pytest.raises(InputError, match=r"^steps must be .*\(at most 1000000000\); got 1000000001"):
        call(_checks.MAX_STEPS + 1)


def test_cli_huge_steps_exit_2(capsys: pytest.CaptureFixture[str], nothing_built: None) -> None:
    args = ["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02"]
    for extra in ([], ["--route", "power"], ["--route", "superop"], ["--shots", "10", "--seed", "1"]):
        assert main([*args, "--steps", str(HUGE), *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: steps must be an integer >= 1"), err


def test_power_route_at_the_bound_is_a_channel() -> None:
    # The largest allowed N still gives a state (trace drift ~N eps); 10**22 used to give the zero matrix.
    res = simulator.simulate(P, 0.1, steps=_checks.MAX_STEPS, route="power")
    assert abs(np.trace(res.rho) - 1) < 1e-6
    assert res.convergence_error < 1e-6
    np.testing.assert_allclose(res.bloch, measures.bloch_vector(res.rho_fixed), atol=1e-6)
