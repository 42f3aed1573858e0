"""``qc-reset tcrit``: critical heat-bath temperature for magic, exact and/or perturbative.

``--json`` prints ``params`` ({p1, p2, T2}) and, per method, ``{"T_crit", "g_opt"}``; both are
``null`` when no coupling gives magic at any heat-bath temperature (the table says ``none``).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from ..io import to_json
from ._common import add_json_option, add_param_options, fmt

__all__ = ["register", "run"]

#: Table entry (and legend) for a method that finds no magic at any T1.
NONE_TEXT = "none"


def register(sub: Any) -> None:
    """Add the ``tcrit`` subcommand."""
    p = sub.add_parser("tcrit", help="critical heat-bath temperature T_crit and the optimal g",
                       description="Critical heat-bath temperature T_crit (units of omega) above which no "
                                   "coupling g gives magic, and the g > 0 that reaches it.")
    add_param_options(p, ("p1", "p2", "T2"))
    p.add_argument("--method", choices=("exact", "perturbative", "all"), default="all",
                   help="which result to compute (default: all)")
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print (table or JSON with keys ``params``, ``exact`` / ``perturbative``)."""
    from ..model.critical import critical_temperature  # lazy: scipy loads only when the command runs

    methods = ("exact", "perturbative") if args.method == "all" else (args.method,)
    out: dict[str, Any] = {"params": {"p1": args.p1, "p2": args.p2, "T2": args.T2}}
    for m in methods:
        T, g = critical_temperature(args.p1, args.p2, args.T2, method=m)
        out[m] = {"T_crit": float(T), "g_opt": float(g)}  # NaN (no magic) -> null in JSON
    if args.json:
        print(to_json(out))
        return 0
    print(f"p1={fmt(args.p1)}, p2={fmt(args.p2)}, T2={fmt(args.T2)} (T2, T_crit: bath temperatures, units of omega)")
    print(f"{'method':<14}{'T_crit':>14}{'g_opt':>14}")
    for m in methods:
        T, g = out[m]["T_crit"], out[m]["g_opt"]
        if math.isnan(T):
            print(f"{m:<14}{NONE_TEXT:>14}{NONE_TEXT:>14}")
        else:
            print(f"{m:<14}{fmt(T):>14}{fmt(g):>14}")
    if any(math.isnan(out[m]["T_crit"]) for m in methods):
        print(f"{NONE_TEXT}: no magic at any T1 (not even T1 = 0) for these p1, p2, T2")
    return 0
