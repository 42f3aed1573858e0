"""``qc-reset sweep CONFIG.toml --out DIR``: a resumable parameter sweep (see qc_reset.sweep)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._checks import InputError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``sweep`` subcommand."""
    p = sub.add_parser("sweep", help="resumable parameter sweep from a TOML config",
                       description="Run a parameter sweep; every finished point is saved at once.")
    p.add_argument("config", metavar="CONFIG.toml", help="sweep configuration (see qc_reset.sweep)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--resume", action="store_true", help="skip points already saved in DIR")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="run points in this process or on a dask.distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of an existing Dask scheduler (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="workers of the default LocalCluster (default 2)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the config, run the sweep, report where the results are."""
    from ..sweep import load_config, run_sweep

    if args.workers < 1:
        raise InputError(f"--workers must be >= 1; got {args.workers}")
    cfg = load_config(args.config)
    try:
        records = run_sweep(cfg, args.out, resume=args.resume, executor=args.executor,
                            scheduler=args.scheduler, progress=not args.no_progress, n_workers=args.workers)
    except KeyboardInterrupt:
        print(f"error: interrupted; finished points are saved in {args.out}; rerun with --resume",
              file=sys.stderr)
        return 130
    print(f"{len(records)} points in {args.out}/results.jsonl and {args.out}/results.csv")
    return 0
