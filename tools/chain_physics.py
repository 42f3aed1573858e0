"""Coherence and magic along N-site chains from the exact steady state (the numbers of docs/chain.md).

Three studies, each printed as a Markdown table (heat-bath rate 0.3, spin-bath rate ``--p-spin``
(default 0.3), spin-bath temperature 0.02):

* ``profile``: heat (site 0) - none ... none - spin (site N-1), ``--g`` (0.2), heat-bath T ``--T-heat`` (0.05):
  per-site l1 coherence and ||r||_1 for N = 2 ... 8.
* ``tcrit``: the heat-bath qubit's critical temperature, the largest T of site 0 for which some g
  gives ||r_0||_1 > 1: for each g of a grid, T*(g) by bisection on log T (F decreasing in T is
  checked on the bracket ends), then a golden-section refinement of the best g.
* ``ends``: the heat bath in the middle of an odd chain with a spin bath at one end (none ... heat
  ... spin) or at both (spin ... heat ... spin): the largest ||r||_1 over a g grid, on the heat site
  and on any site.

    OPENBLAS_NUM_THREADS=1 python tools/chain_physics.py profile --max-n 8
    OPENBLAS_NUM_THREADS=1 python tools/chain_physics.py profile --max-n 8 --p-spin 5 --g 0.25 --T-heat 0.05
    OPENBLAS_NUM_THREADS=1 python tools/chain_physics.py tcrit --max-n 6
    OPENBLAS_NUM_THREADS=1 python tools/chain_physics.py ends --max-n 7
    OPENBLAS_NUM_THREADS=1 python tools/chain_physics.py tcrit --max-n 5 --p-spin 5
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qc_reset.model.chain import Chain, Site  # noqa: E402
from qc_reset.model.chain.exact import chain_exact_steady  # noqa: E402

P = 0.3
P_SPIN = 0.3  # the spin bath's rate (--p-spin)
T_SPIN = 0.02
G_GRID = np.geomspace(0.02, 1.0, 12)
_GOLDEN = (math.sqrt(5) - 1) / 2


def heat_spin(n: int, g: float, T_heat: float) -> Chain:
    return Chain((Site("heat", P, T_heat),) + (Site(),) * (n - 2) + (Site("spin", P_SPIN, T_SPIN),), g)


def profile(max_n: int, g: float = 0.2, T_heat: float = 0.05) -> None:
    print("| N | " + " | ".join(f"site {i}" for i in range(max_n)) + " | magic sites | residual | s |")
    print("|---" * (max_n + 4) + "|")
    for n in range(2, max_n + 1):
        res = chain_exact_steady(heat_spin(n, g, T_heat))
        cells = [f"{s.l1_coherence:.4f} / {s.l1_norm:.4f}" for s in res.sites] + [""] * (max_n - n)
        magic = ",".join(str(i) for i, s in enumerate(res.sites) if s.magic) or "none"
        print(f"| {n} | " + " | ".join(cells) + f" | {magic} | {res.details['residual']:.1e} | "
              f"{res.details['seconds']:.2f} |", flush=True)
    print(f"\ncells: l1 coherence / ||r||_1 of each site; g = {g}, heat bath T = {T_heat} on site 0, spin bath on "
          "site N-1")


def _F(n: int, g: float, T: float) -> float:
    return chain_exact_steady(heat_spin(n, g, T)).sites[0].l1_norm


def t_star(n: int, g: float, lo: float = 1e-3, hi: float = 2.0, iters: int = 14) -> float:
    """sup{T : ||r_0||_1 > 1} at coupling g (0 if even T = 0 gives no magic), bisection on log T."""
    if _F(n, g, 0.0) <= 1.0:
        return 0.0
    if _F(n, g, lo) <= 1.0:
        return lo  # below the resolution of the bracket
    if _F(n, g, hi) > 1.0:
        raise RuntimeError(f"magic at T = {hi}: widen the bracket")
    a, b = math.log(lo), math.log(hi)
    for _ in range(iters):
        m = 0.5 * (a + b)
        if _F(n, g, math.exp(m)) > 1.0:
            a = m
        else:
            b = m
    return math.exp(0.5 * (a + b))


def tcrit(max_n: int) -> None:
    print("| N | max_g ||r_0||_1 at T = 0 | g there | T_crit | g_opt | solves | s |")
    print("|---|---|---|---|---|---|---|")
    for n in range(2, max_n + 1):
        t0 = time.perf_counter()
        F0 = [_F(n, g, 0.0) for g in G_GRID]
        k = int(np.argmax(F0))
        if F0[k] <= 1.0:
            print(f"| {n} | {F0[k]:.5f} | {G_GRID[k]:.3g} | no magic at any T | - | {len(G_GRID)} | "
                  f"{time.perf_counter() - t0:.1f} |", flush=True)
            continue
        Ts = [t_star(n, g) if F > 1.0 else 0.0 for g, F in zip(G_GRID, F0, strict=True)]
        j = int(np.argmax(Ts))
        lo, hi = G_GRID[max(j - 1, 0)], G_GRID[min(j + 1, len(G_GRID) - 1)]
        a, b = math.log(lo), math.log(hi)
        c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
        tc, td = t_star(n, math.exp(c)), t_star(n, math.exp(d))
        for _ in range(6):
            if tc > td:
                b, d, td = d, c, tc
                c = b - _GOLDEN * (b - a)
                tc = t_star(n, math.exp(c))
            else:
                a, c, tc = c, d, td
                d = a + _GOLDEN * (b - a)
                td = t_star(n, math.exp(d))
        best_T, best_g = max((tc, math.exp(c)), (td, math.exp(d)), (Ts[j], G_GRID[j]))
        print(f"| {n} | {F0[k]:.5f} | {G_GRID[k]:.3g} | {best_T:.4f} | {best_g:.3g} | - | "
              f"{time.perf_counter() - t0:.1f} |", flush=True)


def ends(max_n: int) -> None:
    print("| N | spin baths | max ||r||_1 heat site | g | max ||r||_1 any site | site | g |")
    print("|---|---|---|---|---|---|---|")
    for n in range(3, max_n + 1, 2):
        mid = n // 2
        for label, first in (("one (site N-1)", Site()), ("two (sites 0, N-1)", Site("spin", P_SPIN, T_SPIN))):
            sites = [first] + [Site()] * (n - 2) + [Site("spin", P_SPIN, T_SPIN)]
            sites[mid] = Site("heat", P, 0.0)
            best_heat, best_any = (0.0, 0.0), (0.0, -1, 0.0)
            for g in G_GRID:
                res = chain_exact_steady(Chain(tuple(sites), g))
                norms = [s.l1_norm for s in res.sites]
                best_heat = max(best_heat, (norms[mid], g))
                i = int(np.argmax(norms))
                best_any = max(best_any, (norms[i], i, g))
            print(f"| {n} | {label} | {best_heat[0]:.5f} | {best_heat[1]:.3g} | {best_any[0]:.5f} | {best_any[1]} | "
                  f"{best_any[2]:.3g} |", flush=True)
    print(f"\nheat bath T = 0 on the middle site; g over {len(G_GRID)} values in [0.02, 1] (geometric)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", choices=("profile", "tcrit", "ends"))
    ap.add_argument("--max-n", type=int, default=6)
    ap.add_argument("--p-spin", type=float, default=0.3, help="reset rate of the spin bath(s) (default 0.3)")
    ap.add_argument("--g", type=float, default=0.2, help="coupling of the profile (default 0.2)")
    ap.add_argument("--T-heat", type=float, default=0.05, help="heat-bath temperature of the profile (default 0.05)")
    args = ap.parse_args()
    global P_SPIN
    P_SPIN = args.p_spin
    print(f"heat-bath rate {P}, spin-bath rate {P_SPIN}, spin-bath T {T_SPIN}\n")
    if args.study == "profile":
        profile(args.max_n, args.g, args.T_heat)
    else:
        {"tcrit": tcrit, "ends": ends}[args.study](args.max_n)


if __name__ == "__main__":
    main()
