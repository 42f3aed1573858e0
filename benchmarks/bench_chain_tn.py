"""Tensor-network chain steady states: qc_reset.model.chain.tn against the exact solver, and a long chain.

Two parts, in one process:

* ``--exact-sizes`` (default 6 8): chains where the exact sparse solver (``model.chain.exact``) still
  runs; for each N the tensor-network result (default options) and the exact one are timed side by side,
  with the true max abs error of the Bloch components next to the error the method reports
  (``ratio`` = true / reported: it must stay below 1).
* ``--long`` (default 50): the long chain alone, with its estimated error, bond dimension and steps.

The chain is the paper's pair repeated: heat baths (p = 0.3, T = 0.1) on even sites, spin baths
(p = 0.3, T = 0) on odd sites, one coupling g on every bond. Wall and CPU (process) times are both
printed: on a shared machine the wall time depends on the load, the CPU time much less. Run with one
BLAS thread (threaded BLAS on these 64-256 wide SVDs is slower, badly so on a loaded machine):

    OPENBLAS_NUM_THREADS=1 nice -n 10 python benchmarks/bench_chain_tn.py --exact-sizes 6 8 --long 50
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qc_reset.model.chain import Chain, Site  # noqa: E402
from qc_reset.model.chain.tn import chain_tn_steady  # noqa: E402


def chain_of(n: int, g: float) -> Chain:
    sites = tuple(Site("heat", 0.3, 0.1) if i % 2 == 0 else Site("spin", 0.3, 0.0) for i in range(n))
    return Chain(sites, g)


def timed(fn):  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exact-sizes", type=int, nargs="*", default=[6, 8])
    ap.add_argument("--long", type=int, nargs="*", default=[50])
    ap.add_argument("--g", type=float, default=0.2)
    ap.add_argument("--max-bond", type=int, default=32)
    ap.add_argument("--dt", type=float, default=0.2)
    args = ap.parse_args()
    import quimb
    import scipy

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, quimb {quimb.__version__}, Python "
          f"{sys.version.split()[0]}; chain heat/spin alternating, p = 0.3, T = 0.1 / 0, g = {args.g}, "
          f"max_bond = {args.max_bond}, dt = {args.dt} (Strang, extrapolated with dt/2)")
    if args.exact_sizes:
        from qc_reset.model.chain.exact import chain_exact_steady

        print(f"{'N':>3} | {'exact wall s':>12} {'cpu s':>7} | {'tn wall s':>9} {'cpu s':>7} {'cpu ratio':>9} | "
              f"{'true err':>9} {'reported':>9} {'ratio':>6} | {'trunc':>8} {'trotter':>8} {'conv':>8}")
        for n in args.exact_sizes:
            chain = chain_of(n, args.g)
            ex, ew, ec = timed(lambda chain=chain: chain_exact_steady(chain))
            res, tw, tc = timed(lambda chain=chain: chain_tn_steady(chain, max_bond=args.max_bond, dt=args.dt))
            err = float(np.abs(res.blochs - ex.blochs).max())
            est = res.details["tn"]["estimates"]
            print(f"{n:3d} | {ew:12.2f} {ec:7.2f} | {tw:9.2f} {tc:7.2f} {tc / ec:9.2f} | {err:9.1e} "
                  f"{res.error:9.1e} {err / res.error:6.3f} | {est['truncation']:8.1e} {est['trotter']:8.1e} "
                  f"{est['convergence']:8.1e}", flush=True)
    for n in args.long:
        chain = chain_of(n, args.g)
        res, tw, tc = timed(lambda chain=chain: chain_tn_steady(chain, max_bond=args.max_bond, dt=args.dt))
        d = res.details["tn"]
        steps = {k: v["steps"] for k, v in d["stages"].items()}
        print(f"N = {n}: wall {tw:.1f} s, cpu {tc:.1f} s, estimated error {res.error:.2e} (convergence "
              f"{d['estimates']['convergence']:.1e}, truncation {d['estimates']['truncation']:.1e}, Trotter "
              f"{d['estimates']['trotter']:.1e}), max bond {max(d['bond_dimensions'])}, steps {steps}, "
              f"converged {d['converged']}", flush=True)
        mid = n // 2
        print(f"  site 0 bloch {np.round(res.blochs[0], 6).tolist()}, site {mid} bloch "
              f"{np.round(res.blochs[mid], 6).tolist()}, max ||r||_1 {max(s.l1_norm for s in res.sites):.6f}")


if __name__ == "__main__":
    main()
