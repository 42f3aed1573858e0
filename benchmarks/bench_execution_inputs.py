"""Cost of the ecosystem inputs of ``run_tomography`` against the package's own Aer run, side by side.

Rows: the default Aer run (baseline), ``sampler=qiskit_aer.primitives.SamplerV2`` (three PUBs) on the same
ideal point; and, for noisy runs, the ``fake:FakeManilaV2`` spec (baseline), ``backend=FakeManilaV2()``
(``AerSimulator.from_backend``, level 3) and ``sampler=qiskit_ibm_runtime.SamplerV2(mode=FakeManilaV2())``.

    python benchmarks/bench_execution_inputs.py --repeats 3
"""

from __future__ import annotations

import argparse
import warnings

from _timing import best_of

from qc_reset.model.params import Params
from qc_reset.run.tomography import run_tomography


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shots", type=int, default=4000)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from qiskit_aer.primitives import SamplerV2 as AerSampler
    from qiskit_ibm_runtime import SamplerV2 as RuntimeSampler
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    P = Params(0.06, 0.3, 0.3, 0.1, 0.0)
    kw = dict(shots=args.shots, seed=1, n_resamples=200)
    device = FakeManilaV2()
    groups = [
        ("ideal, dt 0.1", [
            ("Aer run (baseline)", lambda: run_tomography(P, **kw)),
            ("sampler=qiskit_aer SamplerV2", lambda: run_tomography(P, sampler=AerSampler(seed=2), **kw)),
        ]),
        ("FakeManilaV2, dt 0.5", [
            ("noise='fake:FakeManilaV2' (baseline, level 1)", lambda: run_tomography(P, noise="fake:FakeManilaV2",
                                                                                   dt=0.5, **kw)),
            ("backend=FakeManilaV2() (level 3)", lambda: run_tomography(P, backend=device, dt=0.5, **kw)),
            ("sampler=runtime SamplerV2(mode=device)", lambda: run_tomography(
                P, sampler=RuntimeSampler(mode=device), dt=0.5, **kw)),
        ]),
    ]
    print(f"shots per basis {args.shots}, best of {args.repeats}")
    print("| case | route | seconds | ratio |\n|---|---|---|---|")
    for name, rows in groups:
        base = None
        for label, fn in rows:
            fn()  # warm-up: imports, transpiler and simulator caches
            t, _ = best_of(fn, args.repeats)
            base = t if base is None else base
            print(f"| {name} | {label} | {t:.3f} | {t / base:.2f} |")
            name = ""


if __name__ == "__main__":
    main()
