"""The CLI contract: output keys, exit codes, one-line errors (docs/cli.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from qc_reset.cli import main
from qc_reset.model import measures, perturbative
from qc_reset.model.critical import critical_temperature
from qc_reset.model.steady import steady_bloch, steady_state

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


def _table(out: str) -> dict[str, str]:
    """Rows of a two-column table (name, value separated by two or more spaces)."""
    rows = {}
    for line in out.splitlines():
        if "  " in line:
            name, value = line.split("  ", 1)
            rows[name.strip()] = value.strip()
    return rows


# Tables print 6 significant digits: relative rounding error at most 5e-6.
TABLE_RTOL = 5e-6


def test_steady_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(STEADY) == 0
    out = capsys.readouterr().out
    r = measures.bloch_vector(steady_state(0.06, 0.3, 0.3, 0.1, 0.02))
    rows = _table(out)
    assert float(rows["||r||_1"]) == pytest.approx(float(measures.l1_norm(r)), rel=TABLE_RTOL)
    assert float(rows["l1 coherence"]) == pytest.approx(float(measures.l1_coherence(r)), rel=TABLE_RTOL)
    assert rows["magic"] == "yes"
    assert "bath temperatures" in rows["parameters"]


def test_steady_table_names_the_papers_facets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(STEADY) == 0
    out = capsys.readouterr().out
    r = measures.bloch_vector(steady_state(0.06, 0.3, 0.3, 0.1, 0.02))
    # The paper's (rx, ry) are minus the package's: its facet s_x rx + s_y ry + rz is ours at -s_x, -s_y.
    paper = {"rx+ry+rz": -r[0] - r[1] + r[2], "rx-ry+rz": -r[0] + r[1] + r[2], "-rx+ry+rz": r[0] - r[1] + r[2]}
    rows = _table(out)
    for label in perturbative.PAPER_FACET_LABELS:
        (name,) = [k for k in rows if k.endswith(f"(paper {label})")]
        assert float(rows[name]) == pytest.approx(paper[label], rel=TABLE_RTOL)
        # and the package label beside it is the one PAPER_FACET_INDEX gives
        k = perturbative.PAPER_FACET_INDEX[perturbative.PAPER_FACET_LABELS.index(label)]
        assert name.startswith(f"facet {measures.FACET_LABELS[k]} ")
    assert "paper's rx+ry+rz is the package's -rx-ry+rz" in out.splitlines()[-1]


def test_tcrit_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) == {"params", "exact", "perturbative"}
    assert d["params"] == {"p1": 0.3, "p2": 0.3, "T2": 0.02}
    for method in ("exact", "perturbative"):
        T, g = critical_temperature(0.3, 0.3, 0.02, method=method)
        assert d[method] == {"T_crit": pytest.approx(T, rel=1e-14), "g_opt": pytest.approx(g, rel=1e-14)}
    # T_crit is the temperature, g_opt the coupling: at (T_crit, g_opt) ||r||_1 = 1 exactly.
    r = steady_bloch(d["exact"]["g_opt"], 0.3, 0.3, d["exact"]["T_crit"], 0.02)
    assert np.abs(r).sum() == pytest.approx(1.0, abs=1e-9)


def test_tcrit_single_method(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--method", "perturbative", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"params", "perturbative"}


def test_tcrit_null_when_no_magic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "inf", "--method", "exact", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["exact"] == {"T_crit": None, "g_opt": None}
    assert d["params"]["T2"] == "inf"


def test_tcrit_table_says_none_with_a_legend(capsys: pytest.CaptureFixture[str]) -> None:
    # T2 = inf: the spin bath is maximally mixed, qubit 1 has no coherence, no magic at any T1.
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "inf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["exact", "none", "none"] and lines[3].split() == ["perturbative", "none", "none"]
    assert lines[-1].startswith("none: no magic at any T1")
    assert all(line.strip() != "-" and " - " not in line for line in lines)


def test_tcrit_table_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--method", "exact"]) == 0
    lines = capsys.readouterr().out.splitlines()
    T, g = critical_temperature(0.3, 0.3, 0.02)
    name, t_text, g_text = lines[2].split()
    assert name == "exact" and float(t_text) == pytest.approx(T, rel=TABLE_RTOL)
    assert float(g_text) == pytest.approx(g, rel=TABLE_RTOL)
    assert not lines[-1].startswith("none")


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


SIM_FAST = ["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02",
            "--dt", "0.5", "--steps", "4", "--shots", "200", "--seed", "7"]
# Both realizations equal the exact step channel to ~1e-14 (docs/circuits.md); Aer's density matrix adds
# rounding of the same order over 4 steps.
CHANNEL_ATOL = 1e-10


def test_simulate_dilated_shots_runs_gates_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*SIM_FAST, "--realization", "dilated", "--json"]) == 0
    gates = json.loads(capsys.readouterr().out)
    assert (gates["realization"], gates["route"]) == ("dilated", "gates")
    assert main([*SIM_FAST, "--json"]) == 0
    power = json.loads(capsys.readouterr().out)
    assert power["route"] == "power"
    # The dilated gates run the same channel as the exact step channel of route power.
    np.testing.assert_allclose(gates["bloch_circuit"], power["bloch_circuit"], atol=CHANNEL_ATOL)
    assert main([*SIM_FAST, "--realization", "dilated"]) == 0
    assert _table(capsys.readouterr().out)["circuit"].startswith("dilated gates, order 2, dt 0.5, route gates")
    assert main(SIM_FAST) == 0
    label = _table(capsys.readouterr().out)["circuit"]
    assert label.startswith("exact step channel") and "dilated" not in label and "route power" in label


def test_simulate_table_rounds_to_six_digits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SIM_FAST) == 0
    rows = _table(capsys.readouterr().out)
    for value in rows.values():
        for token in value.replace(",", " ").replace("(", " ").replace(")", " ").replace("[", " ").split():
            digits = token.lstrip("+-").split("e")[0].replace(".", "").lstrip("0")
            if digits.isdigit() and "." in token:
                assert len(digits) <= 6, token


def test_noise_times_print_with_units() -> None:
    from qc_reset.cli.simulate import describe_noise
    from qc_reset.run.noise import parse_noise

    text = describe_noise(parse_noise("depol=1e-3,t1=50us,t2=70000,readout=0.02132"))
    assert "t1=50 us" in text and "t2=70 us" in text and "relaxation" in text
    assert "readout=0.02132" in text and "gate times 50 ns (1q), 300 ns (2q)" in text


def test_fmt_rounds_floats() -> None:
    from qc_reset.cli._common import fmt, fmt_vec

    assert fmt(0.021320000000000006) == "0.02132"
    assert fmt(1 / 3) == "0.333333" and fmt(float("nan")) == "-" and fmt(None) == "-"
    assert fmt_vec([0.1 + 0.2, -1e-7, 1.0]) == "(+0.3, -1e-07, +1)"


def test_noisy_simulate_says_what_its_noise_leaves_out(capsys: pytest.CaptureFixture[str]) -> None:
    # Emulated device noise has no idle relaxation: every noisy result must say so, ideal ones not.
    import json

    from qc_reset.run.summary import NOISE_SCOPE

    base = ["simulate", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02",
            "--dt", "0.5", "--json"]
    assert main([*base, "--noise", "depol=1e-4"]) == 0
    noisy = json.loads(capsys.readouterr().out)
    assert noisy["noise_scope"] == NOISE_SCOPE and "idle" in noisy["noise_scope"]
    assert main(base) == 0
    assert "noise_scope" not in json.loads(capsys.readouterr().out)
