"""``qc-reset simulate``: Trotterized collision circuit on Aer vs the exact steady state (no shots)."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_json_option, add_param_options, print_table

__all__ = ["register", "run", "parse_steps"]


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser(
        "simulate", help="Trotter circuit on Aer (density matrix) vs the exact steady state",
        description="Run the Trotterized collision circuit to convergence on AerSimulator(method="
                    "'density_matrix') and compare qubit 1 with the exact steady state.",
    )
    add_param_options(p, ("g", "p1", "p2", "T1", "T2"))
    p.add_argument("--dt", type=float, default=0.1, help="Trotter step length (> 0; default 0.1)")
    p.add_argument("--steps", default="auto", metavar="N|auto",
                   help="number of steps, or 'auto' for convergence to --tol (default auto)")
    p.add_argument("--order", default="2", metavar="1|2", help="1 Lie-Trotter, 2 Strang (default 2)")
    p.add_argument("--realization", default="kraus", metavar="kraus|dilated",
                   help="reset channels as Kraus instructions or hardware-native ancilla circuits")
    p.add_argument("--route", default="gates", metavar="gates|superop|power",
                   help="what Aer runs: the gate-level circuit (default), one superop per step, "
                        "or one superop for all steps")
    p.add_argument("--tol", type=float, default=1e-10,
                   help="trace-distance tolerance to the step channel's fixed point for --steps auto")
    add_json_option(p)
    p.set_defaults(func=run)


def parse_steps(text: str) -> int | str:
    """``"auto"`` or a positive integer; ``ValueError`` naming ``steps`` otherwise."""
    if text == "auto":
        return "auto"
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"steps must be an integer >= 1 or 'auto'; got {text!r}") from None
    if n < 1:
        raise ValueError(f"steps must be an integer >= 1 or 'auto'; got {text!r}")
    return n


def run(args: argparse.Namespace) -> int:
    """Simulate and print (table or JSON)."""
    from ..model import Params
    from ..records import to_json
    from ..simulate import simulate

    res = simulate(
        Params(g=args.g, p1=args.p1, p2=args.p2, T1=args.T1, T2=args.T2), args.dt,
        steps=parse_steps(args.steps), order=args.order, realization=args.realization, route=args.route,
        tol=args.tol,
    )
    d = res.to_dict()
    if args.json:
        print(to_json(d))
        return 0

    def vec(r: list[float]) -> str:
        return "(" + ", ".join(f"{x:+.8f}" for x in r) + ")"

    rows: list[tuple[str, object]] = [
        ("circuit", f"{d['realization']}, order {d['order']}, dt {d['dt']:g}, route {d['route']}"),
        ("steps", d["steps"]),
        ("bloch circuit (rx, ry, rz)", vec(d["bloch_circuit"])),
        ("bloch exact   (rx, ry, rz)", vec(d["bloch_exact"])),
        ("trace distance (qubit 1)", d["trace_distance"]),
        ("trotter error (fixed point)", d["trotter_error"]),
        ("convergence error", d["convergence_error"]),
        ("l1 coherence", d["l1_coherence"]),
        ("||r||_1", d["l1_norm"]),
        ("magic", d["magic"]),
        ("robustness", d["robustness"]),
    ]
    print_table(rows)
    return 0
