"""Data and files of the chain figures: profiles along the chain (circuit against exact) and T_crit(N).

The chain family is :func:`qc_reset.workflows.chain_figures.tcrit_chain`: heat bath (p_heat, T_heat) on
site 0, spin bath (p_spin, T_spin) on site N - 1, no bath between, uniform g. The profile compares the
collision circuit on Aer (``chain_circuit_steady``, Strang, ``--dt``) with the exact steady state; the
critical temperature of site 0 is found with :func:`~qc_reset.workflows.chain_figures.heat_site_tcrit`
for each N with the chosen solver. Writes ``chain_profile`` and ``chain_tcrit`` (PNG, PDF, CSV) and prints
the numbers.

    python tools/chain_figures.py --out docs/figures [--profile-n 4] [--n 2 3 4 5] [--solver exact|circuit]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from qc_reset.model.chain.result import ChainResult
from qc_reset.model.chain.spec import Chain
from qc_reset.run.chain import chain_circuit_steady
from qc_reset.workflows.chain_figures import ChainTcrit, heat_site_tcrit, make_chain_figures, tcrit_chain

FAMILY = {"g": 0.2, "p_heat": 0.5, "p_spin": 2.0, "T_spin": 0.0}


def solver(name: str, dt: float) -> Callable[[Chain], ChainResult]:
    if name == "circuit":
        return lambda chain: chain_circuit_steady(chain, dt=dt, tol=1e-8)
    from qc_reset.model.chain.exact import chain_exact_steady

    return lambda chain: chain_exact_steady(chain)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile-n", type=int, default=4)
    ap.add_argument("--T-heat", type=float, default=0.1)
    ap.add_argument("--n", type=int, nargs="+", default=[2, 3, 4, 5])
    ap.add_argument("--solver", choices=("exact", "circuit"), default="exact")
    ap.add_argument("--dt", type=float, default=0.1)
    args = ap.parse_args()
    chain = tcrit_chain(args.profile_n, T_heat=args.T_heat, **FAMILY)
    t0 = time.perf_counter()
    circ = chain_circuit_steady(chain, dt=args.dt)
    print(f"circuit N={chain.n}: {circ.details['steps']} steps in {time.perf_counter() - t0:.2f} s")
    profiles = {f"circuit dt={args.dt}": circ}
    if args.solver == "exact":
        profiles["exact"] = solver("exact", args.dt)(chain)
    for label, res in profiles.items():
        print(label, "||r||_1:", " ".join(f"{s.l1_norm:.6f}" for s in res.sites))
    solve = solver(args.solver, args.dt)
    Ts = []
    for n in args.n:
        t0 = time.perf_counter()
        T = heat_site_tcrit(tcrit_chain(n, **FAMILY), solve, xtol=1e-5)
        Ts.append(T)
        print(f"N={n}: T_crit = {T} ({time.perf_counter() - t0:.1f} s, {args.solver})")
    files = make_chain_figures(args.out, profiles=profiles,
                               tcrit=[(args.solver, ChainTcrit(tuple(args.n), tuple(Ts), dict(FAMILY)))],
                               params={**FAMILY, "T_heat (profile)": args.T_heat, "dt": args.dt})
    print("wrote", ", ".join(str(f) for f in files))


if __name__ == "__main__":
    main()
