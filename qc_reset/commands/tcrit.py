"""``qc-reset tcrit``: critical heat-bath temperature for magic, exact and/or perturbative."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_json_option, add_param_options, fmt

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``tcrit`` subcommand."""
    p = sub.add_parser("tcrit", help="critical heat-bath temperature T_crit and the optimal g",
                       description="Critical heat-bath temperature above which no g gives magic.")
    add_param_options(p, ("p1", "p2", "T2"))
    p.add_argument("--method", choices=("exact", "perturbative", "all"), default="all",
                   help="which result to compute (default: all)")
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print (table or JSON with keys ``exact`` / ``perturbative``)."""
    from ..critical import critical_temperature
    from ..records import to_json

    methods = ("exact", "perturbative") if args.method == "all" else (args.method,)
    out: dict[str, dict[str, float | None]] = {}
    for m in methods:
        T, g = critical_temperature(args.p1, args.p2, args.T2, method=m)
        out[m] = {"T_crit": float(T), "g_opt": float(g)}
    if args.json:
        print(to_json(out))
        return 0
    print(f"{'method':<14}{'T_crit':>14}{'g_opt':>14}")
    for m, v in out.items():
        print(f"{m:<14}{fmt(v['T_crit']):>14}{fmt(v['g_opt']):>14}")
    return 0
