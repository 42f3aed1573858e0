"""Records of the model layer: frozen, validated, and round-tripping through to_dict/from_dict and strict JSON."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.io import json_safe
from qc_reset.model import Params, critical, perturbative
from qc_reset.model.critical import GWindow, g_search_grid, g_window
from qc_reset.model.dynamics import Transient, transient
from qc_reset.model.measures import bloch_trace_distance, bloch_vector, reduced_state
from qc_reset.model.report import SteadyReport, steady_report

P = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0)


def _strict(d: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = json.loads(json.dumps(json_safe(d), allow_nan=False))
    return out


def test_params_round_trip_with_infinite_temperature() -> None:
    p = Params(g=-0.2, p1=0.0, p2=1.5, T1=math.inf, T2=0.0)
    assert Params.from_dict(_strict(p.to_dict())) == p
    with pytest.raises(InputError, match="keys g, p1, p2, T1, T2"):
        Params.from_dict({"g": 0.1})


def test_steady_report_round_trip_and_frozen() -> None:
    rep = steady_report(P)
    back = SteadyReport.from_dict(_strict(rep.to_dict()))
    assert back.params == rep.params
    np.testing.assert_array_equal(back.rho, rep.rho)
    assert back.to_dict() == rep.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        rep.rho = np.eye(4) / 4  # type: ignore[misc]
    with pytest.raises(ValueError):
        rep.rho[0, 0] = 1.0  # read-only array
    with pytest.raises(InputError, match="rho must be positive semidefinite"):
        SteadyReport(P, np.diag([1.5, -0.5, 0.0, 0.0]))
    with pytest.raises(InputError, match="SteadyReport record"):
        SteadyReport.from_dict({"params": P.to_dict()})


def test_transient_round_trip_with_nan_steady_fields() -> None:
    for params in (P, Params(g=0.0, p1=0.3, p2=0.0, T1=0.1, T2=0.2)):  # the second: no unique steady state
        tr = transient(params, np.linspace(0.0, 5.0, 6))
        back = Transient.from_dict(_strict(tr.to_dict()))
        for f in dataclasses.fields(Transient):
            np.testing.assert_array_equal(getattr(back, f.name), getattr(tr, f.name))
        assert back.to_dict().keys() == tr.to_dict().keys()
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.times = np.zeros(6)  # type: ignore[misc]
    with pytest.raises(ValueError):
        tr.bloch[0, 0] = 2.0
    with pytest.raises(InputError, match=r"Transient.bloch must have shape \(6, 3\)"):
        dataclasses.replace(tr, bloch=np.zeros((5, 3)))


def test_gwindow_round_trip_with_unbounded_end() -> None:
    w = g_window(0.3, 0.3, 0.1, 0.0)
    assert not w.empty and GWindow.from_dict(_strict(w.to_dict())) == w
    unbounded = GWindow(((0.0, 0.1), (0.4, math.inf)))
    assert GWindow.from_dict(_strict(unbounded.to_dict())) == unbounded
    assert GWindow.from_dict({"intervals": []}).empty
    with pytest.raises(InputError, match="disjoint open intervals"):
        GWindow(((0.2, 0.1),))
    with pytest.raises(InputError, match="pairs"):
        GWindow.from_dict({"intervals": [[0.1]]})


def test_g_search_grid_is_sorted_unique_without_numpy_ma() -> None:
    for gamma in (1e-12, 0.6, 3.0, 1e308):
        g = g_search_grid(gamma)
        assert np.all(np.diff(g) > 0) and np.all(g > 0) and np.all(np.isfinite(g))
    code = ("import sys; from qc_reset.model.critical import critical_temperature; "
            "critical_temperature(0.3, 0.3, 0.0); print('numpy.ma' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # np.unique would load numpy.ma (~8 ms of start-up)


@pytest.mark.parametrize(("p1", "p2"), [(1e308, 1e308), (1e-300, 1.0), (1.0, 1e300), (1e-41, 1e-41)])
def test_perturbative_tcrit_at_extreme_rates_is_finite_without_warnings(p1: float, p2: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T, g = perturbative.critical_temperature_perturbative(p1, p2, 0.02)
    assert np.isfinite(T) and T > 0 and np.isfinite(g) and g > 0
    # continuous across the switch to high precision (rates 1e+-40)
    lo, hi = (perturbative.critical_temperature_perturbative(s * 1e40, s * 1e40, 0.02)[0] for s in (0.99, 1.01))
    assert lo == pytest.approx(hi, rel=1e-12)


def test_tcrit_huge_rates_agree_with_exact() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T_pt, _ = critical.critical_temperature(1e308, 1e308, 0.02, method="perturbative")
        T_ex, _ = critical.critical_temperature(1e308, 1e308, 0.02, method="exact")
    assert T_pt == pytest.approx(T_ex, rel=0.05)


def test_bloch_trace_distance_is_the_qubit_trace_distance() -> None:
    rng = np.random.default_rng(3)
    for _ in range(5):
        a, b = rng.normal(size=(2, 4, 4)) + 1j * rng.normal(size=(2, 4, 4))
        rhos = [m @ m.conj().T / np.trace(m @ m.conj().T) for m in (a, b)]
        diff = reduced_state(rhos[0]) - reduced_state(rhos[1])
        expected = 0.5 * np.abs(np.linalg.eigvalsh(diff)).sum()
        got = bloch_trace_distance(bloch_vector(rhos[0]), bloch_vector(rhos[1]))
        assert float(got) == pytest.approx(expected, abs=1e-14)
