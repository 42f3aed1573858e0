r"""Per-collision budget of the dilated, dynamic and fresh collision designs on IBM fake devices.

Transpiles ONE collision of each design (:func:`qc_reset.circuits.collision_circuit`) to each device at
optimization level 3 with several transpiler seeds and prints the two-qubit gates (an ``if_else`` counted
at its costlier block), depth (each ``if_else`` one operation), measurements, resets and ``if_else``
blocks; a range ``a-b`` is over the seeds::

    python tools/design_budget.py                                   # FakeTorino, FakeFez; orders 1, 2
    python tools/design_budget.py --devices FakeManilaV2 --seeds 3

The collision is the Trotter step of ``--g --p1 --p2 --T1 --T2 --dt`` (default: the paper's reference
point g = 0.05, p1 = p2 = 0.3, T1 = 0.1, T2 = 0, dt = 0.5); the fresh design is the same angles with
q1 = q2 = 1 (a different collision model: a fresh bath qubit every collision). Needs qiskit-ibm-runtime.
"""

from __future__ import annotations

import argparse
import dataclasses

from qc_reset.model.collision import CollisionParams
from qc_reset.model.params import Params
from qc_reset.run.dynamic import collision_budget

KEYS = ("two_qubit_gates", "depth", "measurements", "resets", "if_else")


def _span(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def main(argv: list[str] | None = None) -> int:
    """Print the budget table (Markdown)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", default="FakeTorino,FakeFez")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--level", type=int, default=3)
    for name, default in (("g", 0.05), ("p1", 0.3), ("p2", 0.3), ("T1", 0.1), ("T2", 0.0), ("dt", 0.5)):
        ap.add_argument(f"--{name}", type=float, default=default)
    args = ap.parse_args(argv)
    from qiskit_ibm_runtime import fake_provider

    point = Params(args.g, args.p1, args.p2, args.T1, args.T2)
    print("| device | design | order | " + " | ".join(KEYS) + " |")
    print("|---" * (3 + len(KEYS)) + "|")
    for dev_name in args.devices.split(","):
        device = getattr(fake_provider, dev_name)()
        for order in (1, 2):
            cp = CollisionParams.from_params(point, args.dt, order=order)
            for design in ("dilated", "dynamic", "fresh"):
                this = dataclasses.replace(cp, q1=1.0, q2=1.0) if design == "fresh" else cp
                rows = [collision_budget(device, this, design=design, optimization_level=args.level,
                                         seed_transpiler=s) for s in range(args.seeds)]
                cells = [_span([r[k] for r in rows]) for k in KEYS]
                print(f"| {dev_name} | {design} | {order} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
