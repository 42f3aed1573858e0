"""Exact chain steady states: qc_reset.model.chain.exact against qutip.steadystate, side by side.

For chains heat - none ... none - spin (p = 0.3 at both ends, T = 0.1 and 0.02, one coupling g on every
bond) of N = 4, 6, 8 sites, one process times

* ``solve_steady(chain)`` (solver "auto": sparse LU up to N = 4, preconditioned GMRES beyond), the
  Liouvillian build included;
* ``qutip.steadystate(H, c_ops)`` with its default method (``"direct"``) and with ``"power"`` (the
  fastest of direct, power, eigen, svd and the ILU-preconditioned iterative methods at N = 4 and 6);
  H and the jump operators are built before timing, so only the solver (its Liouvillian included) is timed.

Every result's residual ||L rho||_2 is computed with the package's sparse Liouvillian, and the states
are compared (max abs difference). A QuTiP call runs in a child process with a time limit
(``--limit`` seconds): a call that does not finish is reported as ``> limit`` (its ratio is then a
lower bound). Run with one BLAS thread for both sides (``OPENBLAS_NUM_THREADS=1``): on a shared
2-core machine threaded BLAS calls inside SuperLU and the dense products are slower, not faster.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_chain_exact.py --sizes 4 6 8 --g 0.2 --limit 600
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qc_reset.model.chain import Chain, Site  # noqa: E402
from qc_reset.model.chain.exact import solve_steady  # noqa: E402
from qc_reset.model.chain.liouvillian import liouvillian  # noqa: E402


def chain_of(n: int, g: float) -> Chain:
    return Chain((Site("heat", 0.3, 0.1),) + (Site(),) * (n - 2) + (Site("spin", 0.3, 0.02),), g)


def qutip_model(chain: Chain) -> tuple[Any, list[Any]]:
    """H and the Lindblad jump operators sqrt(p lambda_k)|k><j| in each bath state's eigenbasis."""
    import qutip

    eye = qutip.qeye(2)

    def on(ops: dict[int, Any]) -> Any:
        return qutip.tensor([ops.get(i, eye) for i in range(chain.n)])

    H = sum(0.5 * s.omega * on({i: qutip.num(2)}) for i, s in enumerate(chain.sites))
    sm = qutip.destroy(2)
    for i, g in enumerate(chain.g):
        H += g * (on({i: sm, i + 1: sm.dag()}) + on({i: sm.dag(), i + 1: sm}))
    c_ops = []
    for i, s in enumerate(chain.sites):
        if s.bath == "none":
            continue
        w = 0.0 if s.T == 0 else math.exp(-1.0 / s.T)
        lam = [1 / (1 + w), w / (1 + w)]
        b0, b1 = qutip.basis(2, 0), qutip.basis(2, 1)
        basis = [b0, b1] if s.bath == "heat" else [(b0 + b1).unit(), (b0 - b1).unit()]
        c_ops += [math.sqrt(s.p * lam[k]) * on({i: basis[k] * basis[j].dag()})
                  for k in range(2) for j in range(2) if lam[k] > 0]
    return H, c_ops


def _qutip_child(n: int, g: float, method: str, queue: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import qutip

        H, c_ops = qutip_model(chain_of(n, g))
        t0 = time.perf_counter()
        rho = qutip.steadystate(H, c_ops, method=method).full()
        queue.put((time.perf_counter() - t0, rho))


def time_qutip(n: int, g: float, method: str, limit: float) -> tuple[float | None, np.ndarray | None]:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_qutip_child, args=(n, g, method, queue))
    proc.start()
    try:
        seconds, rho = queue.get(timeout=limit)
    except Exception:  # noqa: BLE001 - queue.Empty on the time limit, or the child died
        proc.kill()
        proc.join()
        return None, None
    proc.join()
    return seconds, rho


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[4, 6, 8])
    ap.add_argument("--g", type=float, default=0.2)
    ap.add_argument("--limit", type=float, default=600.0, help="seconds allowed to one QuTiP call")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs of the package's solver")
    args = ap.parse_args()
    import qutip
    import scipy

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, qutip {qutip.__version__}, Python "
          f"{sys.version.split()[0]}; chain heat-none...-spin, p = 0.3, T = 0.1 / 0.02, g = {args.g}")
    head = (f"{'N':>2} {'solver':>9} {'iters':>5} {'qc_reset s':>10} {'residual':>9} | {'qutip direct s':>14} "
            f"{'residual':>9} {'ratio':>7} | {'qutip power s':>14} {'residual':>9} {'ratio':>7} | {'max |diff|':>10}")
    print(head)
    for n in args.sizes:
        chain = chain_of(n, args.g)
        L = liouvillian(chain)
        best = math.inf
        for _ in range(max(1, args.repeats if n < 8 else 1)):
            res = solve_steady(chain)
            best = min(best, res.seconds)
        cells = []
        diff: float | None = None
        for method in ("direct", "power"):
            seconds, rho = time_qutip(n, args.g, method, args.limit)
            if seconds is None or rho is None:
                over = f"> {args.limit:g}"
                cells.append(f"{over:>14} {'-':>9} {'> ' + format(args.limit / best, '.3g'):>7}")
                continue
            resid = float(np.linalg.norm(L @ rho.reshape(-1)))
            diff = max(diff or 0.0, float(np.abs(rho - res.rho).max()))
            cells.append(f"{seconds:14.3f} {resid:9.1e} {seconds / best:7.1f}")
        print(f"{n:2d} {res.solver:>9} {res.iterations:5d} {best:10.3f} {res.residual:9.1e} | {cells[0]} | "
              f"{cells[1]} | {'-' if diff is None else format(diff, '.1e'):>10}", flush=True)


if __name__ == "__main__":
    main()
