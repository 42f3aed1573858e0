"""Start-up cost of the exact commands: what a fresh interpreter loads to run them.

A structural check, not a timing one: the exact commands (``steady``, ``tcrit``) need numpy
alone, so running them in a fresh interpreter must not load the circuit stack, the plotting
stack or SciPy's dense linear algebra (SciPy's import chain alone costs more than numpy's).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Modules the exact commands must not load (each costs tens to hundreds of ms to import).
HEAVY = ("qiskit", "qiskit_aer", "matplotlib", "scipy.linalg", "scipy.optimize", "scipy.special", "dask",
         "qutip", "mpmath")

EXACT_COMMANDS = {
    "steady": ["steady", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02", "--json"],
    "steady_table": ["steady", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02"],
    "tcrit": ["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--json"],
    "tcrit_all": ["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--method", "all", "--json"],
}


def _loaded_after(argv: list[str], preamble: str = "") -> tuple[int, list[str], str]:
    """Run ``main(argv)`` in a fresh interpreter; exit code, heavy modules loaded, its stdout."""
    code = (
        f"{preamble}\n"
        "import contextlib, io, json, sys\n"
        "from qc_reset.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        f"    rc = main({argv!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'rc': rc, 'heavy': heavy, 'out': buf.getvalue()}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    return res["rc"], res["heavy"], res["out"]


@pytest.mark.parametrize("name", sorted(EXACT_COMMANDS))
def test_exact_commands_load_no_heavy_modules(name: str) -> None:
    rc, heavy, out = _loaded_after(EXACT_COMMANDS[name])
    assert rc == 0 and out.strip(), out
    assert heavy == [], f"{name} loaded {heavy}"


def test_the_probe_sees_a_heavy_import() -> None:
    """The probe reports a heavy module that was loaded (so an empty list above means something)."""
    rc, heavy, _ = _loaded_after(EXACT_COMMANDS["steady"], preamble="import scipy.linalg")
    assert rc == 0 and heavy == ["scipy.linalg"]
