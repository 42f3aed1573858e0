"""``qc-reset export-qasm``: write the OpenQASM 3 reference files of the dilated circuit."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``export-qasm`` subcommand."""
    p = sub.add_parser(
        "export-qasm", help="write OpenQASM 3 files of the dilated reference circuits",
        description="Write the hardware-native (dilated) Trotter circuits at the documented reference "
                    "parameters as OpenQASM 3: one step, and a full converged run, with reference.json (the expected "
                    "state) and manifest.json (each file's logical budget: two-qubit gates, depth, resets, "
                    "measurements, per collision; no device, so duration_s and estimated_success are null).",
    )
    p.add_argument("--out", default="circuits", metavar="DIR", help="output folder (default circuits/)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export and list the written files."""
    # lazy: Qiskit loads only when the command runs
    from ..circuits.qasm import export_qasm
    from ..run.budget import circuit_budget

    for path in export_qasm(args.out, budget=lambda qc, n: circuit_budget(qc, collisions=n).to_dict()):
        print(path)
    return 0
