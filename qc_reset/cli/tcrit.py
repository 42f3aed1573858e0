"""``qc-reset tcrit``: critical heat-bath temperature for magic (or a distillability class), exact and/or perturbative.

``--json`` prints ``params`` ({p1, p2, T2}) and, per method, ``{"T_crit", "g_opt"}``;
both are ``null`` when no coupling gives a state of the target class at any heat-bath temperature
(the table says ``none``). ``--target`` (default ``magic``) is ``magic``, ``distillable`` (T- or
H-type), ``T`` or ``H`` (:func:`qc_reset.model.magic.critical_temperature_class`). The
perturbative formula exists for magic only: for another target ``--method all`` reports
``"perturbative": null`` and ``--method perturbative`` is bad input (exit 2).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from .._checks import InputError
from ..io import to_json
from ._common import add_json_option, add_param_options, fmt

__all__ = ["register", "run"]

#: Values of ``--target`` (the order of :data:`qc_reset.model.magic.TARGETS`, magic first).
TARGETS = ("magic", "distillable", "T", "H")

#: Table entry (and legend) for a method that finds no magic at any T1.
NONE_TEXT = "none"


def register(sub: Any) -> None:
    """Add the ``tcrit`` subcommand."""
    p = sub.add_parser("tcrit", help="critical heat-bath temperature T_crit and the optimal g",
                       description="Critical heat-bath temperature T_crit (units of omega) above which no "
                                   "coupling g gives magic, and the g > 0 that reaches it.")
    add_param_options(p, ("p1", "p2", "T2"))
    p.add_argument("--method", choices=("exact", "perturbative", "all"), default="all",
                   help="which result to compute (default: all; perturbative only for --target magic)")
    p.add_argument("--target", choices=TARGETS, default="magic",
                   help="class whose T_crit is computed: magic (||r||_1 > 1), distillable (T- or H-type), "
                        "T (Bravyi-Kitaev, ||r||_1 > 3/sqrt7) or H (Reichardt, |r_i|+|r_j| > 1) (default: magic)")
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print (table or JSON with keys ``params``, ``exact`` / ``perturbative``)."""
    # lazy: scipy loads only when the command runs
    from ..model.critical import critical_temperature
    from ..model.magic import critical_temperature_class

    target = args.target
    if target != "magic" and args.method == "perturbative":
        raise InputError(f"method 'perturbative' is defined for --target magic only; got target {target!r} "
                         "(use --method exact)")
    methods = ("exact", "perturbative") if args.method == "all" else (args.method,)
    out: dict[str, Any] = {"params": {"p1": args.p1, "p2": args.p2, "T2": args.T2}}
    for m in methods:
        if target == "magic":
            T, g = critical_temperature(args.p1, args.p2, args.T2, method=m)
        elif m == "exact":
            T, g = critical_temperature_class(args.p1, args.p2, args.T2, target=target)
        else:
            out[m] = None  # no perturbative formula for this class
            continue
        out[m] = {"T_crit": float(T), "g_opt": float(g)}  # NaN (no such state) -> null in JSON
    if args.json:
        print(to_json(out))
        return 0
    print(f"p1={fmt(args.p1)}, p2={fmt(args.p2)}, T2={fmt(args.T2)}, target {target} "
          "(T2, T_crit: bath temperatures, units of omega)")
    print(f"{'method':<14}{'T_crit':>14}{'g_opt':>14}")
    shown = tuple(m for m in methods if out[m] is not None)
    for m in shown:
        T, g = out[m]["T_crit"], out[m]["g_opt"]
        if math.isnan(T):
            print(f"{m:<14}{NONE_TEXT:>14}{NONE_TEXT:>14}")
        else:
            print(f"{m:<14}{fmt(T):>14}{fmt(g):>14}")
    if any(math.isnan(out[m]["T_crit"]) for m in shown):
        what = "magic" if target == "magic" else f"{target}-class state"
        print(f"{NONE_TEXT}: no {what} at any T1 (not even T1 = 0) for these p1, p2, T2")
    if args.method == "all" and target != "magic":
        print("perturbative: not defined for this target (the weak-coupling formula is for magic only)")
    return 0
