"""Numbers of docs/hardware.md: device profiles, designs at the reference point and at the operating point,
survival maps with the magic boundary, and the survival figure.

Run from the repository root (a few minutes on 2 cores)::

    nice -n 10 python tools/hardware_table.py --out docs/figures/hardware

Prints the tables of docs/hardware.md and writes ``hardware.json``, ``survival.png`` and ``survival.csv``
into ``--out``. Every run is deterministic (transpiler seed 0, shot seed 2024).
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from pathlib import Path

import numpy as np

from qc_reset.io import atomic_write_text
from qc_reset.model import optimum
from qc_reset.model.params import Params
from qc_reset.run.backends import fake_backend
from qc_reset.run.designs import DESIGNS
from qc_reset.run.noisy_fixed_point import noisy_fixed_point
from qc_reset.run.operating_point import operating_point, verdict_of
from qc_reset.run.survival import device_profile, survival_map
from qc_reset.workflows.hardware_figures import DeviceMarker, survival_figure

BACKENDS = ("FakeManilaV2", "FakeBrisbane", "FakeTorino", "FakeFez")
REF = Params(0.06, 0.3, 0.3, 0.1, 0.02)  # the paper's reference point (docs/emulation.md)
# model.optimum's p2 -> inf optimum; p2 = 5 (q2 = 0.918 at dt = 0.5) for the designs with q2 < 1, unused by *_fresh
OPT = Params(optimum.G_OPT, optimum.P1_OPT, 5.0, 0.0, 0.0)
DT = 0.5
TOL = 3e-4  # distance to the fixed point that counts as reached: ~0.1 of the shot noise at 1e5 shots per basis
SHOTS = 100_000
SEED = 2024
MAP_DESIGNS = ("strang", "dilated_fresh", "dynamic_fresh")


def _row(kind: str, backend: str, fp, verdict) -> dict:
    d = fp.to_dict()
    n = fp.collisions_to(TOL)
    w = verdict.magic_witness
    return {"kind": kind, "backend": backend, "design": fp.design, "two_qubit_gates": fp.two_qubit_gates,
            "collisions": n, "duration_us": fp.duration_s * 1e6, "run_us": n * fp.duration_s * 1e6,
            "l1_norm": fp.l1_norm, "contraction": fp.contraction, "collision": d["collision"],
            "l1_noise_free": noisy_fixed_point(fp.design, fp.collision, None, "depol=0").l1_norm,
            "verdict": w.verdict, "witness": w.value, "witness_ci": list(w.ci), "measured_qubit": fp.measured_qubit}


def _print_rows(rows: list[dict]) -> None:
    print(f"{'backend':14s} {'design':14s} {'2q/coll':>7s} {'coll':>5s} {'us/coll':>8s} {'run us':>8s} "
          f"{'||r||_1':>8s} {'ideal':>7s} {'W [95% CI]':>26s} verdict")
    for r in rows:
        lo, hi = r["witness_ci"]
        print(f"{r['backend']:14s} {r['design']:14s} {r['two_qubit_gates']:7d} {r['collisions']:5d} "
              f"{r['duration_us']:8.3f} {r['run_us']:8.1f} {r['l1_norm']:8.4f} {r['l1_noise_free']:7.4f} "
              f"{r['witness']:+8.4f} [{lo:+.4f}, {hi:+.4f}] {r['verdict']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/figures/hardware")
    parser.add_argument("--evaluations", type=int, default=60, help="noisy fixed points per search start")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # fake devices warn that some properties are not typical
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    record: dict = {"profiles": {}, "rows": [], "maps": {}, "required_depol2": {}}

    print("## device profiles (medians)")
    for name in BACKENDS:
        prof = device_profile(fake_backend(name))
        record["profiles"][name] = prof.to_dict()
        print(f"{name:14s} {prof.two_qubit_gate:4s} lambda2 {prof.depol2:.2e} lambda1 {prof.depol1:.2e} "
              f"T1 {prof.t1_ns / 1e3:.0f} us T2 {prof.t2_ns / 1e3:.0f} us readout {prof.readout:.4f} "
              f"2q {prof.gate2_ns:.0f} ns measure {prof.measure_ns:.0f} ns reset {prof.reset_ns:.0f} ns")

    for kind, point in (("reference", REF), ("optimum-start", OPT)):
        print(f"\n## every design at the {kind} point (dt = {DT}), full device noise")
        rows = []
        for name in BACKENDS:
            be = fake_backend(name)
            for design in DESIGNS:
                fp = noisy_fixed_point(design, point, DT, be)
                rows.append(_row(kind, name, fp, verdict_of(fp, be, shots=SHOTS, seed=SEED)))
        _print_rows(rows)
        record["rows"] += rows

    print("\n## operating point per backend (<= 10 two-qubit gates per collision), full device noise")
    rows = []
    for name in BACKENDS:
        be = fake_backend(name)
        for design in DESIGNS:
            op = operating_point(be, design, max_two_qubit_gates=10, tol=TOL, max_evaluations=args.evaluations)
            if not op.feasible:
                print(f"{name:14s} {design:14s} infeasible: {op.reason}")
                continue
            assert op.fixed_point is not None
            row = _row("operating", name, op.fixed_point, verdict_of(op.fixed_point, be, shots=SHOTS, seed=SEED))
            row["evaluations"] = op.evaluations
            rows.append(row)
            c = row["collision"]
            print(f"{name:14s} {design:14s} q1 {c['q1']:.4f} q2 {c['q2']:.4f} phi {c['phi']:.4f} "
                  f"theta {c['phase']:.4f} ({op.evaluations} evaluations)")
    _print_rows(rows)
    record["rows"] += rows

    print("\n## survival maps at the optimum start (Heron class: FakeTorino medians); boundary lambda2 per idle")
    heron = record["profiles"]["FakeTorino"]
    lam = np.logspace(-4, -1, 16)
    idle = np.logspace(1, 5, 13)
    maps, markers = [], []
    for design in MAP_DESIGNS:
        m = survival_map(design, OPT, DT, depol2=lam, idle_ns=idle, t1_ns=heron["t1_ns"], t2_ns=heron["t2_ns"],
                         depol1=heron["depol1"])
        maps.append(m)
        record["maps"][design] = m.to_dict()
        mk = []
        for name in BACKENDS:
            prof = record["profiles"][name]
            fp = noisy_fixed_point(design, OPT, DT, fake_backend(name))
            mk.append(DeviceMarker(name.removeprefix("Fake"), prof["depol2"], fp.duration_s * 1e9))
            need = float(np.interp(math.log(fp.duration_s * 1e9), np.log(m.idle_ns), m.boundary()))
            record["required_depol2"][f"{design}@{name}"] = {"idle_ns": fp.duration_s * 1e9, "depol2_needed": need,
                                                             "depol2_median": prof["depol2"]}
            print(f"{design:14s} {name:14s} collision {fp.duration_s * 1e9:8.0f} ns: magic needs lambda2 <= "
                  f"{need:.2e} (median {prof['depol2']:.2e}, ratio {prof['depol2'] / need:.2f})")
        markers.append(mk)
    paths = survival_figure(out, maps, markers)
    atomic_write_text(out / "hardware.json", json.dumps(record, indent=1, default=float) + "\n")
    print(f"\nwrote {', '.join(str(p) for p in [*paths, out / 'hardware.json'])} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
