"""The OpenQASM 3 reference files of the dilated circuits: the reference point, its circuits, their export.

``qc-reset export-qasm --out circuits/`` writes them, with ``manifest.json`` (each file's logical budget,
:func:`qc_reset.run.budget.circuit_budget` without a device target); regenerating is byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, qasm3

from ..io import atomic_write_text
from ..model.channels import auto_steps
from ..model.params import Params
from .collision import step_circuit, trotter_circuit, trotter_step_superop
from .parameters import ANCILLAS, PAPER_TO_QISKIT

__all__ = [
    "REFERENCE_PARAMS",
    "REFERENCE_DT",
    "REFERENCE_ORDER",
    "REFERENCE_TOL",
    "reference_circuits",
    "export_qasm",
]


#: Reference point of the OpenQASM 3 files in ``circuits/`` (qubit 1 has steady magic here).
REFERENCE_PARAMS = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0)
REFERENCE_DT = 0.1
REFERENCE_ORDER = 2
REFERENCE_TOL = 1e-10


def reference_circuits() -> tuple[dict[str, QuantumCircuit], dict[str, Any]]:
    r"""The dilated reference circuits (numeric angles, no save instruction) and their metadata.

    Returns ``({"dilated_step": one Strang step, "dilated_run": tau1 (x) tau2 then N steps in a for loop},
    metadata)``, with ``N = auto_steps`` to :data:`REFERENCE_TOL` and the expected final state
    :math:`S^N(\tau_1\otimes\tau_2)` (numpy, qubit 1 first) in the metadata.
    """
    P, dt, order = REFERENCE_PARAMS, REFERENCE_DT, REFERENCE_ORDER
    S = trotter_step_superop(P, dt, order)
    rho0 = np.kron(P.tau1(), P.tau2())
    n = auto_steps(S, rho0, REFERENCE_TOL)
    rho_n = (np.linalg.matrix_power(S, n) @ rho0.reshape(16)).reshape(4, 4)
    step = step_circuit(P, dt, order=order, realization="dilated")
    run = trotter_circuit(P, dt, n, order=order, realization="dilated", loop=True, save=False)
    meta = {
        "params": P.to_dict(), "dt": dt, "order": order, "steps": n, "tol": REFERENCE_TOL,
        "qubits": {"paper_qubit_1": PAPER_TO_QISKIT[1], "paper_qubit_2": PAPER_TO_QISKIT[2],
                   "ancillas": list(ANCILLAS)},
        # Rounded so that regenerating is byte-identical across BLAS builds (5e-14 << the 1e-10 checks).
        "rho_expected": {"re": np.round(rho_n.real, 13).tolist(), "im": np.round(rho_n.imag, 13).tolist()},
        "note": "rho_expected = S^N (tau1 x tau2), qubit 1 first, on Qiskit qubits [0, 1] with ancillas "
                "traced out; regenerate with `qc-reset export-qasm --out circuits/`.",
    }
    return {"dilated_step": step, "dilated_run": run}, meta


def export_qasm(out: str | Path, *, budget: Callable[[QuantumCircuit, int], dict[str, Any]] | None = None
                ) -> list[Path]:
    """Write ``dilated_step.qasm``, ``dilated_run.qasm`` and ``reference.json`` into ``out``.

    With ``budget`` (called with each circuit and its number of collisions, returning a JSON-ready dict, e.g.
    ``circuit_budget(qc, collisions=n).to_dict()`` of :mod:`qc_reset.run.budget`) also ``manifest.json``: per
    file its description, collisions and budget. The output is deterministic: regenerating gives
    byte-identical files.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    circs, meta = reference_circuits()
    what = {
        "dilated_step": "one Trotter step (the channel S)",
        "dilated_run": f"tau1 (x) tau2, then {meta['steps']} steps (converged to tol={meta['tol']:g})",
    }
    paths = []
    for name, qc in circs.items():
        header = (
            f"// qc_reset dilated Trotter circuit, written by `qc-reset export-qasm`: {what[name]}.\n"
            "// Hardware-native: stdgates.inc gates and reset only. Reference point: g={g}, p1={p1}, "
            "p2={p2},\n// T1={T1}, T2={T2}; dt={dt}, order={order} (Strang). Paper qubit 1 = q[1], "
            "qubit 2 = q[0],\n// ancillas q[2], q[3]. See reference.json for the expected final state.\n"
        ).format(**meta["params"], dt=meta["dt"], order=meta["order"])
        path = folder / f"{name}.qasm"
        atomic_write_text(path, header + qasm3.dumps(qc) + "\n")
        paths.append(path)
    path = folder / "reference.json"
    atomic_write_text(path, json.dumps(meta, indent=1) + "\n")
    paths.append(path)
    if budget is not None:
        collisions = {"dilated_step": 1, "dilated_run": int(meta["steps"])}
        files = {f"{name}.qasm": {"description": what[name], "collisions": collisions[name],
                                  "budget": budget(qc, collisions[name])} for name, qc in circs.items()}
        path = folder / "manifest.json"
        atomic_write_text(path, json.dumps({"files": files, "reference": "reference.json"}, indent=1) + "\n")
        paths.append(path)
    return paths
