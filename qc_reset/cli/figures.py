"""``qc-reset figures --out DIR [--only 2,4,5,6,7,transient,classes]``: regenerate the paper's figures.

Needs matplotlib (``pip install -e ".[figures]"``); without it the command exits 2 naming the extra.
"""

from __future__ import annotations

import argparse
from typing import Any

from .._checks import InputError, quote

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``figures`` subcommand."""
    p = sub.add_parser("figures", help="reproduce the paper's figures (PNG, PDF, CSV; needs the figures extra)",
                       description="Figures 2, 4, 5, 6, 7 of the paper and a transient figure: exact (solid), "
                                   "perturbative (dashed), circuit-emulated tomography (points).")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--only", default=None, metavar="LIST",
                   help="comma-separated subset of 2,4,5,6,7,transient,classes (default: all)")
    p.add_argument("--no-circuit", action="store_true", help="skip the circuit-emulated tomography points")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Draw the figures and list the files written."""
    from ..workflows.figures import FIGURES, make_figures  # lazy: the model (scipy) loads only here

    only = None
    if args.only is not None:
        only = [x.strip() for x in args.only.split(",") if x.strip()]
        if not only:
            raise InputError(f"--only must list figures from {','.join(FIGURES)}; got {quote(args.only)}")
        bad = [x for x in only if x not in FIGURES]
        if bad:
            raise InputError(f"--only: unknown figure(s) {quote(','.join(bad))}; allowed: {','.join(FIGURES)}")
    files = make_figures(args.out, only, circuit=not args.no_circuit)
    print(f"{len(files)} files written to {args.out}")
    return 0
