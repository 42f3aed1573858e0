"""``qc-reset chain CONFIG.toml``: good configs against the library, bad ones exit 2 with one ``error:`` line.

The JSON is compared with the two-qubit solver (``qc_reset.steady_bloch``) for the paper's model written
as a two-site chain config, and with ``ChainResult.to_dict`` of the library call otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import qc_reset
from qc_reset.cli import chain as chain_cmd
from qc_reset.cli import main
from qc_reset.model.chain import Chain, Site
from qc_reset.model.chain.exact import chain_exact_steady

THREE = """
[[site]]
bath = "heat"
p = 0.3
T = 0.1
[[site]]
bath = "none"
[[site]]
bath = "spin"
p = 0.3
T = 0.02
[bonds]
g = 0.06
"""

PAPER = """
[[site]]
bath = "heat"
p = 0.3
T = 0.1
[[site]]
bath = "spin"
p = 0.5
T = 0.0
[bonds]
g = [0.2]
"""


def _write(tmp_path: Path, text: str, name: str = "chain.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_json_is_the_library_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", _write(tmp_path, THREE), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    ref = chain_exact_steady(Chain((Site("heat", 0.3, 0.1), Site(), Site("spin", 0.3, 0.02)), 0.06)).to_dict()
    assert d["method"] == "exact" and d["error"] is None and d["solver"] == "direct"
    assert set(d["sites"][0]) >= {"bloch", "l1_coherence", "l1_norm", "magic", "magic_class"}
    np.testing.assert_allclose([s["bloch"] for s in d["sites"]], [s["bloch"] for s in ref["sites"]], atol=1e-14)
    np.testing.assert_allclose(d["concurrence"], ref["concurrence"], atol=1e-14)
    assert d["residual"] < 1e-12


def test_two_site_config_is_the_paper_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", _write(tmp_path, PAPER), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(d["sites"][0]["bloch"], qc_reset.steady_bloch(0.2, 0.3, 0.5, 0.1, 0.0), atol=1e-12)


def test_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", _write(tmp_path, THREE)]) == 0
    out = capsys.readouterr().out
    assert "site 0 (heat p=0.3 T=0.1)" in out and "site 1 (no bath)" in out and "concurrence" in out
    assert "residual" in out


def test_circuit_method_on_a_tiny_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Aer collision circuits agree with the exact state within their own error estimate."""
    assert main(["chain", _write(tmp_path, PAPER), "--method", "circuit", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["method"] == "circuit"
    rho = qc_reset.steady_state(0.2, 0.3, 0.5, 0.1, 0.0).reshape(2, 2, 2, 2)
    paulis = (np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0]))
    exact = [[float(np.real(np.trace(r @ p))) for p in paulis]
             for r in (np.einsum("abcb->ac", rho), np.einsum("abad->bd", rho))]
    # Strang steps at dt = 0.1 on these rates: measured 1.5e-4 from the exact steady state (both sites)
    np.testing.assert_allclose([s["bloch"] for s in d["sites"]], exact, atol=1e-3)


def test_tn_method_on_a_tiny_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The tensor-network result lies within its own error estimate of the exact state."""
    assert main(["chain", _write(tmp_path, PAPER), "--method", "tn", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["method"] == "tn" and 0 < d["error"] < 1e-3
    exact = chain_exact_steady(Chain((Site("heat", 0.3, 0.1), Site("spin", 0.5, 0.0)), 0.2)).blochs
    assert np.abs(np.array([s["bloch"] for s in d["sites"]]) - exact).max() <= d["error"]


def test_unavailable_method_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(chain_cmd.METHODS, "tn", ("qc_reset.model.chain.no_such_module", "chain_tn_steady"))
    assert main(["chain", _write(tmp_path, THREE), "--method", "tn"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --method tn is not available")
    monkeypatch.setitem(chain_cmd.METHODS, "tn", ("qc_reset.model.chain.exact", "no_such_function"))
    assert main(["chain", _write(tmp_path, THREE), "--method", "tn"]) == 2
    assert "not available" in capsys.readouterr().err


BAD = [
    (THREE + "[extra]\nx = 1\n", "unknown table(s) or key(s) 'extra'"),
    (THREE.replace("g = 0.06", "g = 0.06\nh = 1"), "bonds.h"),
    (THREE.replace('bath = "none"', 'bath = "none"\nq = 1'), "site[1] has unknown key(s) 'q'"),
    (THREE.replace('bath = "none"', 'bath = "cold"'), "site[1].bath must be one of"),
    (THREE.replace("p = 0.3\nT = 0.1", "p = -0.3\nT = 0.1"), "site[0].p"),
    (THREE.replace("T = 0.02", "T = -1"), "site[2].T"),
    (THREE.replace('bath = "none"', 'bath = "none"\np = 0.2'), "site[1].p must be 0"),
    (THREE.replace("g = 0.06", "g = [0.1]"), "N - 1 = 2"),
    (THREE.replace("g = 0.06", "g = 0.0"), "site[1] has no bath and no nonzero bond"),
    (THREE.replace("[bonds]\ng = 0.06", ""), "missing [bonds]"),
    ('[[site]]\nbath = "heat"\np = 1\nT = 1\n[bonds]\ng = 0.1\n', "between 2 and"),
    ("[bonds]\ng = 0.1\n", "missing [[site]]"),
    ('site = "x"\n[bonds]\ng = 1\n', "array of tables"),
    ("[[site]\n", "invalid TOML"),
    ('[[site]]\nbath = "none"\n[[site]]\nbath = "none"\n[bonds]\ng = 0.1\n', "at least one site with a bath"),
    ('[[site]]\nbath = "heat"\np = 0.3\nT = 0.1\n' + '[[site]]\n' * 11 + "[bonds]\ng = 0.1\n", "memory"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=range(len(BAD)))
def test_bad_config_exit_2(text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", _write(tmp_path, text)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert message in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_bad_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", str(tmp_path / "missing.toml")]) == 2
    assert "chain config file not found" in capsys.readouterr().err
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (1 << 20) + "\n")
    assert main(["chain", str(big)]) == 2
    assert "at most" in capsys.readouterr().err
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe")
    assert main(["chain", str(binary)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["chain", _write(tmp_path, THREE), "--method", "mps"]) == 2
    assert "--method" in capsys.readouterr().err


def test_example_config_tn_agrees_with_exact_within_its_error(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's example chain: the tensor-network method converges at its defaults (it once stopped
    at its step cap with the trivial error 2) and lies within its reported error of the exact solver."""
    example = str(Path(__file__).resolve().parents[1] / "examples" / "chain.toml")
    assert main(["chain", example, "--json"]) == 0
    exact = json.loads(capsys.readouterr().out)
    assert main(["chain", example, "--method", "tn", "--json"]) == 0
    tn = json.loads(capsys.readouterr().out)
    assert len(exact["sites"]) == len(tn["sites"]) == 3
    assert tn["error"] < 1e-3
    for a, b in zip(exact["sites"], tn["sites"], strict=True):
        np.testing.assert_allclose(b["bloch"], a["bloch"], rtol=0, atol=tn["error"])
