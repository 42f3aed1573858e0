"""``qc-reset steady``: the exact steady state at one parameter point."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_json_option, add_param_options, print_table

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``steady`` subcommand."""
    p = sub.add_parser("steady", help="exact steady state, coherence and magic of qubit 1",
                       description="Exact steady state of the model at one parameter point.")
    add_param_options(p, ("g", "p1", "p2", "T1", "T2"))
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Solve and print (table or JSON)."""
    from ..model import Params
    from ..records import steady_report, to_json

    rep = steady_report(Params(g=args.g, p1=args.p1, p2=args.p2, T1=args.T1, T2=args.T2))
    d = rep.to_dict()
    if args.json:
        print(to_json(d))
        return 0
    rx, ry, rz = d["bloch"]
    rows: list[tuple[str, object]] = [
        ("bloch (rx, ry, rz)", f"({rx:+.6f}, {ry:+.6f}, {rz:+.6f})"),
        ("l1 coherence", d["l1_coherence"]),
        ("||r||_1", d["l1_norm"]),
        ("magic", d["magic"]),
        ("robustness", d["robustness"]),
        ("stabilizer distance", d["stabilizer_distance"]),
    ]
    rows += [(f"facet {k}", v) for k, v in d["facets"].items()]
    print_table(rows)
    return 0
