"""``qc-reset sweep CONFIG.toml --out DIR``: a resumable parameter sweep (see qc_reset.sweep).

The output folder is locked for the run: a second sweep on it exits 2 at once, naming the
folder and the running sweep's pid. When standard error is a terminal a progress bar of the points
is drawn on it (by ``tqdm`` if it is installed, else the package's own bar); in a pipe or a log
file nothing is drawn; ``--no-progress`` turns it off everywhere.
"""

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
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for the Dask scheduler to answer (default 10)")
    p.add_argument("--worker-timeout", type=float, default=30.0, metavar="S",
                   help="seconds to wait for a first Dask worker (default 30)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar on stderr (drawn only when stderr is a terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the config, run the sweep, report where the results are."""
    from ..workflows.sweep import load_config, run_sweep  # lazy: the model (scipy) loads only here
    from ..workflows.sweep.progress import terminal_bar  # lazy: with the sweep above

    if not 1 <= args.workers <= 1024:
        raise InputError(f"--workers must be an integer in [1, 1024]; got {args.workers}")
    cfg = load_config(args.config)
    bar = None if args.no_progress else terminal_bar()
    try:
        records = run_sweep(cfg, args.out, resume=args.resume, executor=args.executor,
                            scheduler=args.scheduler, progress=False, n_workers=args.workers,
                            connect_timeout=args.connect_timeout, worker_timeout=args.worker_timeout,
                            progress_callback=bar)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(f"error: interrupted; finished points are saved in {args.out}; rerun with --resume",
              file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    print(f"{len(records)} points in {args.out}/results.jsonl and {args.out}/results.csv")
    return 0
