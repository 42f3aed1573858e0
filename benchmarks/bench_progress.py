"""Benchmark: the cost of progress callbacks and of reading a sweep as a pandas DataFrame.

All rows are measured side by side in one run (best of ``--repeats``, ``time.perf_counter``):

* ``run_sweep`` of an exact-only grid of ``--points`` points (chunks of 256) into a fresh folder,
  without a callback (the baseline) and with a callback that stores every ``Progress`` record.
* ``tomography_points`` of ``--tomo`` points (1000 shots per basis): one Aer run (the baseline)
  against one Aer run per point, which a ``progress_callback`` selects (identical counts; checked).
* ``read_results`` of that sweep as a list of dicts (the baseline) and with ``as_frame=True``.

    python benchmarks/bench_progress.py [--repeats 3] [--points 20000] [--tomo 20]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import tomllib
from pathlib import Path

import numpy as np
from _timing import best_of

from qc_reset.io import read_results
from qc_reset.model import Params
from qc_reset.run.tomography import tomography_points
from qc_reset.workflows.sweep import parse_config, run_sweep

GRID = """
[grid]
g = {{start = 0.01, stop = 0.3, num = {n}}}
p1 = [0.1, 0.3]
p2 = 0.3
T1 = 0.1
T2 = 0.02
[outputs]
compute = ["exact"]
[run]
seed = 1
chunk = 256
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--points", type=int, default=20000)
    ap.add_argument("--tomo", type=int, default=20)
    args = ap.parse_args()
    cfg = parse_config(tomllib.loads(GRID.format(n=args.points // 2)))
    rows: list[tuple[str, str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**9))

        def sweep(callback: object = None) -> object:
            return run_sweep(cfg, Path(tmp) / f"s{next(counter)}", progress=False,
                             progress_callback=callback)  # type: ignore[arg-type]

        seen: list[object] = []
        base, _ = best_of(sweep, args.repeats)
        t_cb, _ = best_of(lambda: sweep(seen.append), args.repeats)
        rows += [("run_sweep", "no callback", base, 1.0), ("run_sweep", "callback", t_cb, t_cb / base)]

        pts = [Params(g=g, p1=0.3, p2=0.3, T1=0.1, T2=0.02) for g in np.linspace(0.01, 0.2, args.tomo)]
        kw = {"dt": 0.5, "order": 2, "shots": 1000, "seed": 3}
        t_one, ref = best_of(lambda: tomography_points(pts, **kw), args.repeats)  # type: ignore[arg-type]
        t_each, got = best_of(lambda: tomography_points(pts, **kw, progress_callback=seen.append),  # type: ignore[arg-type]
                              args.repeats)
        assert all(np.array_equal(a, b) for a, b in zip(ref, got, strict=True)), "counts differ"
        rows += [("tomography_points", "one Aer run", t_one, 1.0),
                 ("tomography_points", "callback: a run per point", t_each, t_each / t_one)]

        folder = Path(tmp) / "s0"
        t_list, recs = best_of(lambda: read_results(folder), args.repeats)
        t_frame, frame = best_of(lambda: read_results(folder, as_frame=True), args.repeats)
        assert len(recs) == len(frame) == len(cfg)
        rows += [("read_results", "list of dicts", t_list, 1.0), ("read_results", "as_frame=True", t_frame,
                                                                  t_frame / t_list)]
    print(f"Python {platform.python_version()}, {len(cfg)} sweep points, {args.tomo} tomography points, "
          f"best of {args.repeats}")
    print(f"{'call':<20} {'case':<28} {'seconds':>9} {'ratio':>7}")
    for call, case, t, ratio in rows:
        print(f"{call:<20} {case:<28} {t:9.4f} {ratio:7.2f}")


if __name__ == "__main__":
    main()
