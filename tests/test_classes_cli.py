"""Distillability classes on the command line: ``steady --json`` class keys and ``tcrit --target``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qc_reset.cli import main
from qc_reset.model.magic import T_THRESHOLD_L1, critical_temperature_class
from qc_reset.model.params import Params
from qc_reset.model.report import SteadyReport, steady_report
from qc_reset.model.steady import steady_bloch, steady_bloch_unit

REF = ["--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02"]
#: Agreement of the CLI's exact T_crit with the library call it wraps: the same computation,
#: so only the JSON float round trip (exact) separates them.
SAME_CALL_RTOL = 1e-15
#: The dense grid's maximum of F is below the refined maximum by at most the curvature term
#: F'' (dg)^2 / 8; with 200 000 points on g in (0, 2] (dg = 1e-5) and |F''| < 1e3 that is < 1.3e-8
#: relative in F, i.e. < 1e-6 relative in T_crit (T_crit changes by less than 40 times F's
#: relative change at these points).
DENSE_GRID_RTOL = 1e-6


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("T1", "cls", "protocols"), [("0", "distillable", ["H"]), ("0.22", "magic", []),
                                                      ("0.5", "stabilizer", [])])
def test_steady_json_class_keys(T1: str, cls: str, protocols: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    d = _json(["steady", *REF, "--T1", T1, "--json"], capsys)
    r = np.array(d["bloch"])
    pair = np.abs(r).sum() - np.abs(r).min()  # independent: largest |r_i| + |r_j|
    expected = "distillable" if (pair > 1 or np.abs(r).sum() > T_THRESHOLD_L1) else (
        "magic" if np.abs(r).sum() > 1 else "stabilizer")
    assert d["magic_class"] == expected == cls
    assert d["distillable"] is (cls == "distillable") and d["distillable_by"] == protocols
    assert {"bloch", "l1_norm", "magic", "robustness", "facets", "rho"} <= set(d)  # existing keys kept


def test_steady_table_names_the_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steady", *REF, "--T1", "0"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("class"))
    assert "distillable" in line and "H-type, Reichardt" in line and "T-type" not in line


def test_steady_report_round_trip_and_contradiction() -> None:
    rep = steady_report(Params(g=0.06, p1=0.3, p2=0.3, T1=0.0, T2=0.02))
    d = json.loads(json.dumps(rep.to_dict()))
    assert SteadyReport.from_dict(d).to_dict() == rep.to_dict()
    old = {k: v for k, v in d.items() if k not in ("magic_class", "distillable", "distillable_by")}
    assert SteadyReport.from_dict(old).magic_class == "distillable"
    with pytest.raises(ValueError, match="magic_class"):
        SteadyReport.from_dict({**d, "magic_class": "stabilizer"})


@pytest.mark.parametrize("target", ["distillable", "T", "H"])
def test_tcrit_target_matches_library(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--p1", "1", "--p2", "2", "--T2", "0.1"]
    d = _json(["tcrit", *args, "--target", target, "--json"], capsys)
    T, g = critical_temperature_class(1.0, 2.0, 0.1, target=target)
    assert d["perturbative"] is None
    assert set(d["exact"]) == {"T_crit", "g_opt"}
    assert math.isclose(d["exact"]["T_crit"], T, rel_tol=SAME_CALL_RTOL)
    assert math.isclose(d["exact"]["g_opt"], g, rel_tol=SAME_CALL_RTOL)


def test_tcrit_distillable_against_dense_grid(capsys: pytest.CaptureFixture[str]) -> None:
    """T_crit(distillable) = 1/(2 artanh(1/M)), M the max over a dense g grid of max(||f||_1 sqrt7/3, pair)."""
    g = np.linspace(1e-5, 2.0, 200_000)
    for p1, p2, T2 in ((0.3, 0.3, 0.02), (1.0, 2.0, 0.1)):
        d = _json(["tcrit", "--p1", str(p1), "--p2", str(p2), "--T2", str(T2), "--target", "distillable", "--json"],
                  capsys)
        a = np.abs(steady_bloch_unit(g, p1, p2, T2))
        F = np.maximum(a.sum(axis=-1) / T_THRESHOLD_L1, a.sum(axis=-1) - a.min(axis=-1))
        T_grid = 1.0 / (2.0 * np.arctanh(1.0 / F.max()))
        assert d["exact"]["T_crit"] >= T_grid * (1 - 1e-12)  # the search is never beaten by the grid
        assert math.isclose(d["exact"]["T_crit"], T_grid, rel_tol=DENSE_GRID_RTOL)
        # and it is the class edge: distillable for some g just below, for none just above
        for T1, want in ((d["exact"]["T_crit"] * (1 - 1e-4), True), (d["exact"]["T_crit"] * (1 + 1e-4), False)):
            a = np.abs(steady_bloch(g, p1, p2, T1, T2))
            dist = (a.sum(-1) > T_THRESHOLD_L1) | (a.sum(-1) - a.min(-1) > 1)
            assert bool(dist.any()) is want


def test_tcrit_default_target_is_magic_and_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--json"]
    d = _json(args, capsys)
    assert set(d) == {"params", "exact", "perturbative"}  # the JSON shape of before --target
    assert d == _json([*args, "--target", "magic"], capsys)
    assert d["perturbative"]["T_crit"] is not None


def test_tcrit_perturbative_for_a_class_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--target", "distillable",
                 "--method", "perturbative"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error:") and "--target magic only" in err[0]


def test_tcrit_no_class_state_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    d = _json(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--target", "T", "--json"], capsys)
    assert d["exact"] == {"T_crit": None, "g_opt": None}  # max ||r||_1 = 1.0354 < 3/sqrt7 (docs/magic.md)
