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
                    "parameters as OpenQASM 3: one step, and a full converged run.",
    )
    p.add_argument("--out", default="circuits", metavar="DIR", help="output folder (default circuits/)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export and list the written files."""
    from ..circuits.qasm import export_qasm  # lazy: Qiskit loads only when the command runs

    for path in export_qasm(args.out):
        print(path)
    return 0
