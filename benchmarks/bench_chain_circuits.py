"""Benchmark: Aer time per Trotter step of chain collision circuits against N, side by side in one run (not a test).

Chains: heat bath (p = 0.5, T = 0.1) on site 0, spin bath (p = 2, T = 0) on site N - 1, no bath between,
g = 0.2, dt = 0.1, Strang. For each N and realization, ``chain_circuit_steady(..., steps=S)`` runs S fixed
steps on ``AerSimulator(method="density_matrix")`` (in chunks of ``CHUNK_STEPS``, continued through
``set_density_matrix``); the time per step is (t(S) - t(S0)) / (S - S0), which removes the fixed cost of
building and assembling. The baseline, measured in the same process, is the two-site chain (the paper's
two-qubit circuit); columns: seconds per step, ratio to the baseline, the package's estimate
(``estimate_step_seconds``, which bounds runs before work) and measured / estimate.

    nice -n 10 python benchmarks/bench_chain_circuits.py [--max-n 10] [--max-n-dilated 8] [--repeats 2]
"""

from __future__ import annotations

import argparse
import platform

import qiskit
import qiskit_aer
from _timing import best_of

from qc_reset.run.chain import chain_circuit_steady, estimate_step_seconds
from qc_reset.workflows.chain_figures import tcrit_chain


def per_step(n: int, realization: str, repeats: int, s0: int, s1: int) -> float:
    chain = tcrit_chain(n, g=0.2, p_heat=0.5, p_spin=2.0, T_spin=0.0, T_heat=0.1)

    def run(steps: int) -> None:
        chain_circuit_steady(chain, dt=0.1, realization=realization, steps=steps, max_seconds=1e5)

    t0, _ = best_of(lambda: run(s0), repeats)
    t1, _ = best_of(lambda: run(s1), repeats)
    return max(t1 - t0, 0.0) / (s1 - s0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=10)
    ap.add_argument("--max-n-dilated", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    print(f"# qiskit {qiskit.__version__}, qiskit-aer {qiskit_aer.__version__}, {platform.machine()}, "
          f"python {platform.python_version()}")
    print(f"{'realization':>11} {'N':>3} {'qubits':>6} {'s/step':>10} {'x baseline':>10} {'estimate':>10} "
          f"{'meas/est':>8}")
    for realization, n_max in (("kraus", args.max_n), ("dilated", args.max_n_dilated)):
        base = None
        for n in range(2, n_max + 1, 2):
            s0, s1 = (10, 60) if n <= 6 else (5, 25)
            t = per_step(n, realization, args.repeats, s0, s1)
            base = t if base is None else base
            chain = tcrit_chain(n, g=0.2, p_heat=0.5, p_spin=2.0, T_spin=0.0)
            est = estimate_step_seconds(chain, realization=realization)
            nq = n + (2 if realization == "dilated" else 0)
            print(f"{realization:>11} {n:>3} {nq:>6} {t:>10.3g} {t / base:>10.3g} {est:>10.3g} {t / est:>8.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
