"""Exit codes of the CLI: 2 for every bad input and only for bad input, one ``error:`` line.

In-process ``main([...])`` calls check the exit code, that stderr is exactly one line starting with
``error:``, that it names the parameter and that no quoted user value is longer than the quote limit.
A few real subprocesses check what only a process shows: the closed pipe, the absent traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qc_reset._checks import QUOTE_LIMIT, InputError
from qc_reset.cli import EXIT_BROKEN_PIPE, CliError, main
from qc_reset.cli import steady as steady_cmd
from qc_reset.model.steady import steady_bloch

P = ["--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02"]
STEADY = ["steady", "--g", "0.06", *P]
SIM = ["simulate", "--g", "0.06", *P]
LONG = "7" * 500  # a user value far longer than the quote limit
# Longest error line allowed: the fixed text of the longest message plus at most QUOTE_LIMIT
# characters of each quoted value (a 500-character value must not be echoed whole).
MAX_LINE = 400

# (argv, text the message must contain: the parameter's name). Every row fails before any long
# computation, so the table stays fast.
BAD: list[tuple[list[str], str]] = [
    (["steady", "--g", "abc", *P], "--g"),
    (["steady", "--g", LONG + "x", *P], "--g"),
    (["steady", "--g", "-inf", *P], "g must"),
    (["steady", "--g", "nan", *P], "g must"),
    (["steady", "--g", "0.1", "--p1", "-1e-6", *P[2:]], "p1"),
    (["steady", "--g", "0.1", "--p1", "-.5", *P[2:]], "p1"),
    (["steady", "--g", "0.1", "--p1", "-1E+3", *P[2:]], "p1"),
    (["steady", "--g", "0.1", *P[:-2], "--T2", "-inf"], "T2"),
    (["steady", "--g", "0.1", *P, "--T1", "-0.1"], "T1"),
    (["steady", "--g", "0"], "required"),
    (["steady", "--g=", *P], "--g"),
    (["tcrit", "--p1=--", "--p2", "0.3", "--T2", "0.02"], "--p1"),
    (["tcrit", "--p1", "--", "--p2", "0.3", "--T2", "0.02"], "--p1"),
    (["tcrit", "--p1", "0.3", "--p2", "-1e-3", "--T2", "0.02"], "p2"),
    (["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--method", LONG], "--method"),
    (["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--method="], "--method"),
    ([*SIM, "--dt", "-1e-3"], "dt"),
    ([*SIM, "--dt", "0"], "dt"),
    ([*SIM, "--steps", "0"], "steps"),
    ([*SIM, "--steps", LONG + "x"], "steps"),
    ([*SIM, "--order", "3"], "order"),
    ([*SIM, "--realization", "foo"], "realization"),
    ([*SIM, "--realization="], "--realization"),
    ([*SIM, "--route", "foo"], "route"),
    ([*SIM, "--route="], "--route"),
    ([*SIM, "--tol", "-1e-6"], "tol"),
    ([*SIM, "--noise", "bogus"], "noise"),
    ([*SIM, "--noise", ""], "--noise"),
    ([*SIM, "--noise", "depol=2"], "depol"),
    ([*SIM, "--shots", "-1"], "--shots"),
    ([*SIM, "--shots", "1.5"], "--shots"),
    ([*SIM, "--shots", "1" + "0" * 22], "shots"),
    ([*SIM, "--shots", "100", "--seed", "-1"], "seed"),
    ([*SIM, "--shots", "100", "--seed", "1" + "0" * 30], "seed"),
    ([*SIM, "--shots", "100", "--level", "1.5"], "level"),
    ([*SIM, "--shots", "100", "--resamples", "0"], "resamples"),
    ([*SIM, "--shots", "100", "--route", "superop"], "route"),
    ([*SIM, "--shots", "100", "--noise", "depol=1e-3", "--route", "power"], "route"),
    ([*SIM, "--level", "0.9"], "--level"),
    ([*SIM, "--seed", "3"], "--seed"),
    ([*SIM, "--realization", "dilated", "--route", "power"], "--realization"),
    ([*SIM, "--noise", "depol=1e-3", "--realization", "kraus"], "--realization"),
    (["export-qasm", "--out", ""], "--out"),
    (["figures", "--out", ""], "--out"),
    (["figures", "--out", "unused", "--only", ","], "--only"),
    (["sweep", "", "--out", "x"], "CONFIG"),
    (["sweep", "does-not-exist.toml", "--out", ""], "--out"),
    (["sweep", "does-not-exist.toml", "--out", "x"], "does-not-exist.toml"),
    (["nonsense"], "invalid choice"),
    ([], "required"),
]


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(("argv", "name"), BAD, ids=[" ".join(a[:1] + a[-2:])[:60] for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(argv: list[str], name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert name in line
    assert LONG not in line and len(line) <= MAX_LINE


def test_long_argparse_quote_is_cut_to_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0", "--method", LONG]) == 2
    line = _one_error_line(capsys)
    quoted = line.split("'")[1]  # the first quoted value is the user's
    assert quoted.startswith("777") and len(quoted) + 2 <= QUOTE_LIMIT


def test_cli_error_is_the_input_error() -> None:
    assert issubclass(CliError, InputError) and issubclass(InputError, ValueError)


@pytest.mark.parametrize("text", ["-1e-6", "-1E-6", "-.5", "-0.5", "-3", "-2.5e+1"])
def test_negative_numbers_of_any_spelling_parse(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steady", "--g", text, *P, "--json"]) == 0
    r = np.array(json.loads(capsys.readouterr().out)["bloch"])
    g = float(text)
    # Independent of the parser: Z (x) I conjugation maps g -> -g and (rx, ry, rz) -> (-rx, -ry, rz).
    mirrored = steady_bloch(-g, 0.3, 0.3, 0.1, 0.02) * np.array([-1.0, -1.0, 1.0])
    np.testing.assert_allclose(r, mirrored, atol=1e-14)


@pytest.mark.parametrize("text", ["-inf", "-Infinity", "-nan"])
def test_negative_specials_reach_the_library_check(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Parsed as a value (not "expected one argument"), then refused by the range check of g.
    assert main(["steady", "--g", text, *P]) == 2
    assert "g must be" in _one_error_line(capsys)


def test_help_and_version_return_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["simulate", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    # The bath temperature --T1 (model units) and the device time t1= of --noise (ns) are told apart.
    assert "heat-bath TEMPERATURE T1" in help_text and "units of omega" in help_text
    assert "relaxation/dephasing TIMES (ns" in help_text


# ------------------------------------------------------------------- anything else is a bug: exit 1
def _failing_run(exc: BaseException) -> Any:
    def run(args: Any) -> int:
        raise exc

    return run


def test_internal_error_exits_1_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(steady_cmd, "run", _failing_run(TypeError("unsupported operand")))
    assert main(STEADY) == 1
    line = _one_error_line(capsys)
    assert line == "error: internal error (please report): TypeError: unsupported operand"


def test_plain_value_error_is_a_bug_not_bad_input(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # Only InputError means bad input; a ValueError from deep inside (e.g. numpy) is a bug.
    monkeypatch.setattr(steady_cmd, "run", _failing_run(ValueError("operands could not be broadcast")))
    assert main(STEADY) == 1
    assert "internal error (please report): ValueError" in _one_error_line(capsys)


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(where: str, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(steady_cmd, "run", _failing_run(TypeError("unsupported operand")))
    argv = ["--debug", *STEADY] if where == "before" else [*STEADY, "--debug"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "TypeError: unsupported operand" in err
    assert err.splitlines()[-1] == "error: internal error (please report): TypeError: unsupported operand"


def test_keyboard_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(steady_cmd, "run", _failing_run(KeyboardInterrupt()))
    assert main(STEADY) == 130
    assert _one_error_line(capsys) == "error: interrupted"


def test_user_path_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path.joinpath(*["d" * 200] * 30)  # 6000 characters: longer than PATH_MAX
    assert main(["export-qasm", "--out", str(deep)]) == 2
    line = _one_error_line(capsys)
    assert "File name too long" in line and len(line) <= MAX_LINE
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["export-qasm", "--out", str(blocker / "sub")]) == 2
    assert str(blocker) in _one_error_line(capsys)


# --------------------------------------------------------------------------- optional packages
EXTRAS = [("matplotlib", "figures"), ("dask", "dask"), ("distributed", "dask"),
          ("qiskit_ibm_runtime", "hardware"), ("qiskit_experiments", "hardware")]


@pytest.mark.parametrize(("module", "extra"), EXTRAS)
def test_missing_optional_package_names_the_extra(module: str, extra: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def run(args: Any) -> int:
        __import__(f"{module}.submodule")  # what a lazy import inside a command does
        return 0

    monkeypatch.setitem(sys.modules, module, None)  # import of `module` now raises ModuleNotFoundError
    monkeypatch.setattr(steady_cmd, "run", run)
    assert main(STEADY) == 2
    line = _one_error_line(capsys)
    assert module in line and f'pip install -e ".[{extra}]"' in line


def test_figures_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["figures", "--out", str(tmp_path), "--only", "2", "--no-circuit"]) == 2
    assert 'pip install -e ".[figures]"' in _one_error_line(capsys)


def test_missing_required_package_is_exit_1(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(steady_cmd, "run", _failing_run(ModuleNotFoundError("No module named 'scipy'",
                                                                            name="scipy")))
    assert main(STEADY) == 1
    assert "scipy" in _one_error_line(capsys)


# ------------------------------------------------------------------------------ closed stdout
class _ClosedPipe:
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_in_process_is_quiet(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main([*STEADY, "--json"]) == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_broken_pipe_subprocess_is_quiet() -> None:
    # The reading end is closed before the child has imported numpy, so its first write fails.
    r, w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "qc_reset.cli", *STEADY, "--json"], stdout=w,
                            stderr=subprocess.PIPE, text=True, env=_env())
    os.close(w)
    os.close(r)
    _, err = proc.communicate(timeout=120)
    assert err == "" and proc.returncode == EXIT_BROKEN_PIPE


def test_internal_error_subprocess_has_no_traceback() -> None:
    code = ("import sys\nimport qc_reset.cli.steady as s\nfrom qc_reset.cli import main\n"
            "def run(args):\n    return 1 + None\n"
            "s.run = run\nsys.exit(main(sys.argv[1:]))\n")
    proc = subprocess.run([sys.executable, "-c", code, *STEADY], capture_output=True, text=True, timeout=120,
                          env=_env())
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("error: internal error (please report): TypeError")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
