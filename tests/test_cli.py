"""The CLI contract: output keys, exit codes, one-line errors (docs/cli.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from qc_reset import measures
from qc_reset.cli import main
from qc_reset.critical import critical_temperature
from qc_reset.exact import steady_bloch, steady_state

STEADY = ["steady", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02"]


def test_steady_json_keys_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*STEADY, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for key in ("bloch", "l1_coherence", "l1_norm", "magic", "robustness", "facets", "rho"):
        assert key in d
    rho = np.array(d["rho"]["re"]) + 1j * np.array(d["rho"]["im"])
    np.testing.assert_allclose(rho, steady_state(0.06, 0.3, 0.3, 0.1, 0.02), atol=1e-15)
    r = np.array(d["bloch"])
    # The reported Bloch vector is qubit 1's: recompute from the 4x4 (qubit 1 first) by hand.
    rho1 = rho.reshape(2, 2, 2, 2).trace(axis1=1, axis2=3)
    np.testing.assert_allclose(r, [2 * rho1[0, 1].real, -2 * rho1[0, 1].imag, (rho1[0, 0] - rho1[1, 1]).real],
                               atol=1e-15)
    assert d["l1_norm"] == pytest.approx(np.abs(r).sum(), abs=1e-15)
    assert d["magic"] is bool(np.abs(r).sum() > 1)
    assert set(d["facets"]) == set(measures.FACET_LABELS)
    assert d["facets"]["-rx+ry+rz"] == pytest.approx(-r[0] + r[1] + r[2], abs=1e-15)


def test_steady_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(STEADY) == 0
    out = capsys.readouterr().out
    r = measures.bloch_vector(steady_state(0.06, 0.3, 0.3, 0.1, 0.02))
    rows = dict(line.split(None, 1) if not line.startswith(("bloch", "l1 ", "||", "facet", "stabilizer"))
                else (line[:21].strip(), line[21:].strip()) for line in out.splitlines())
    assert float(rows["||r||_1"]) == pytest.approx(float(measures.l1_norm(r)), rel=1e-5)
    assert float(rows["l1 coherence"]) == pytest.approx(float(measures.l1_coherence(r)), rel=1e-5)
    assert rows["magic"] == "yes"


def test_tcrit_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) == {"exact", "perturbative"}
    for method in ("exact", "perturbative"):
        T, g = critical_temperature(0.3, 0.3, 0.02, method=method)
        assert d[method] == {"T_crit": pytest.approx(T, rel=1e-14), "g_opt": pytest.approx(g, rel=1e-14)}
    # T_crit is the temperature, g_opt the coupling: at (T_crit, g_opt) ||r||_1 = 1 exactly.
    r = steady_bloch(d["exact"]["g_opt"], 0.3, 0.3, d["exact"]["T_crit"], 0.02)
    assert np.abs(r).sum() == pytest.approx(1.0, abs=1e-9)


def test_tcrit_single_method(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--method", "perturbative", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"perturbative"}


def test_tcrit_null_when_no_magic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "inf", "--method", "exact", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["exact"] == {"T_crit": None, "g_opt": None}


BAD = [
    (["steady", "--g", "0.1", "--p1", "-1", "--p2", "0.3", "--T1", "0.1", "--T2", "0"], "p1"),
    (["steady", "--g", "nan", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0"], "g must be"),
    (["steady", "--g", "0.1", "--p1", "0", "--p2", "0", "--T1", "0.1", "--T2", "0"], "p1 and p2"),
    (["steady", "--g", "0", "--p1", "0", "--p2", "0.3", "--T1", "0.1", "--T2", "0"], "no unique steady"),
    (["steady", "--g", "abc", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0"], "not a number"),
    (["steady", "--g", "0.1"], "required"),
    (["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "-2"], "T2"),
    (["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0", "--method", "magic"], "invalid choice"),
    (["nonsense"], "invalid choice"),
]


@pytest.mark.parametrize(("argv", "match"), BAD, ids=[m for _, m in BAD])
def test_bad_input_exit_2_one_line(argv: list[str], match: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and match in err
    assert err.count("\n") == 1


def test_console_script_has_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qc_reset.cli", "steady", "--g", "0", "--p1", "0", "--p2", "1",
         "--T1", "1", "--T2", "1"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
