"""``qc-reset figures --out DIR [--only 2,4,5,6,7,transient,classes]``: regenerate the paper's figures.

Needs matplotlib (``pip install -e ".[figures]"``); without it the command exits 2 naming the extra.
When standard error is a terminal a progress bar of the figures is drawn on it (by ``tqdm`` if it is
installed) instead of one line per figure; ``--no-progress`` turns it off.
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
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar on stderr (drawn only when stderr is a terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Draw the figures and list the files written."""
    from ..workflows.figures import FIGURES, make_figures  # lazy: the model (scipy) loads only here
    from ..workflows.sweep.progress import terminal_bar  # lazy: with the workflows above

    only = None
    if args.only is not None:
        only = [x.strip() for x in args.only.split(",") if x.strip()]
        if not only:
            raise InputError(f"--only must list figures from {','.join(FIGURES)}; got {quote(args.only)}")
        bad = [x for x in only if x not in FIGURES]
        if bad:
            raise InputError(f"--only: unknown figure(s) {quote(','.join(bad))}; allowed: {','.join(FIGURES)}")
    bar = None if args.no_progress else terminal_bar()
    try:
        files = make_figures(args.out, only, circuit=not args.no_circuit, verbose=bar is None,
                             progress_callback=bar)
    finally:
        if bar is not None:
            bar.close()
    print(f"{len(files)} files written to {args.out}")
    return 0
