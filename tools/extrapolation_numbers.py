"""The numbers of ``docs/extrapolation.md`` (run: ``python -m tools.extrapolation_numbers [mpf|calibration|warm|zne]``).

1. ``mpf``: multi-product (step-size) extrapolation of the exact fixed points at the reference point
   against the exact continuous steady state, for several step-size sets (Strang and Lie-Trotter).
2. ``calibration``: the combined witness interval's false-"magic" rate and coverage on the facet
   ||r||_1 = 1 (the reference point with T1 raised until the steady state is on the facet), for the
   optimal and the equal shot split; and one run on Aer at the reference point.
3. ``warm``: steps to a tolerance from the default and the warm-start state at four points.
4. ``zne``: exact (density-matrix) zero-noise extrapolation of the witness under ``depol=1e-3`` at the
   reference point, converged Strang runs at dt = 0.5 and 0.1, Richardson and linear factories, global
   and (dt = 0.5) random folding; and one shot-based run.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.optimize import brentq

from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.model.steady import steady_bloch
from qc_reset.run.extrapolation import extrapolate_fixed_points, extrapolated_tomography
from qc_reset.run.warm_start import warm_start_table
from qc_reset.run.zne import zne_tomography, zne_witness
from qc_reset.stats.estimators import sample_counts
from qc_reset.stats.extrapolation import combined_witness_interval, optimal_allocation

#: The reference point of docs/emulation.md; circuits.qasm.REFERENCE_PARAMS has T2 = 0, the same state to 1e-22.
REFERENCE = Params(0.06, 0.3, 0.3, 0.1, 0.02)


def mpf() -> None:
    print("g     order  dts                         errors of rx+ry+rz per dt            combined   overhead  "
          "coefficients")
    sets = [(2, [1.0, 0.5, 1 / 3]), (2, [2.0, 1.0, 2 / 3]), (2, [0.5, 0.25, 1 / 6]), (2, [1.0, 0.5]),
            (1, [1.0, 0.5, 1 / 3, 0.25]), (1, [2.0, 1.0, 2 / 3, 0.5]), (1, [0.5, 0.25]), (1, [1.0, 0.5, 1 / 3])]
    # g = 0.05 (T2 = 0): the point docs/designs.md uses; (1.8, 0.9, 0.6) starts from a Strang error of 3.6e-4.
    other = Params(0.05, 0.3, 0.3, 0.1, 0.0)
    rows = [(REFERENCE, o, d) for o, d in sets] + [(other, 2, [1.8, 0.9, 0.6]), (other, 2, [2.0, 1.0, 2 / 3]),
                                                   (other, 1, [2.0, 1.0, 2 / 3, 0.5])]
    for point, order, dts in rows:
        ex = extrapolate_fixed_points(point, dts, order=order)
        print(f"{point.g:<5} {order:>5}  {', '.join(f'{d:.4g}' for d in dts):<27} "
              f"{' '.join(f'{e:.2e}' for e in ex.errors):<36} {ex.combined_error:.2e}   {ex.overhead:8.1f}  "
              f"{np.round(ex.coefficients, 4).tolist()}")


def _facet_point() -> Params:
    def l1(T1: float) -> float:
        return float(measures.l1_norm(steady_bloch(0.06, 0.3, 0.3, T1, 0.02))) - 1.0
    return Params(0.06, 0.3, 0.3, brentq(l1, 0.1, 1.0, xtol=1e-14), 0.02)


def calibration() -> None:
    p = _facet_point()
    print(f"facet point: T1 = {p.T1:.6f} (g, p1, p2, T2 = 0.06, 0.3, 0.3, 0.02)")
    reps, alpha = 100_000, 0.05
    for dts in ([1.0, 0.5, 1 / 3], [2.0, 1.0, 2 / 3]):
        ex = extrapolate_fixed_points(p, dts, order=2)
        truth = float(measures.l1_norm(ex.bloch_combined)) - 1.0
        for total in (3_000, 30_000, 300_000):
            for name, shots in (("optimal", optimal_allocation(ex.coefficients, total)),
                                ("equal", optimal_allocation(np.full(3, 1 / 3), total))):
                counts = np.stack([sample_counts(np.broadcast_to(r, (reps, 3)), int(n), seed=100 + k)
                                   for k, (r, n) in enumerate(zip(ex.bloch, shots, strict=True))])
                value, lo, hi = combined_witness_interval(counts, ex.coefficients, 1 - alpha)
                print(f"dts {np.round(dts, 3).tolist()} N = {total:>7} {name:<8} shots {shots.tolist()}: "
                      f"false magic {np.mean(lo > 0):.4f}, coverage {np.mean((lo <= truth) & (truth <= hi)):.4f}, "
                      f"median half-width {np.median(hi - value):.4f}")
    # ZNE: a point without magic (T1 = 1), depol = 3e-3, 6 Strang steps of dt = 0.5, Richardson at 1, 3, 5.
    w = zne_witness(Params(0.06, 0.3, 0.3, 1.0, 0.02), "depol=3e-3", dt=0.5, steps=6)
    truth = float(measures.l1_norm(w.bloch_zne)) - 1.0
    print(f"ZNE point without magic: W per scale {[round(float(measures.l1_norm(r)) - 1, 4) for r in w.bloch_scaled]}, "
          f"ideal {w.witness_ideal:+.4f}, extrapolated {truth:+.4f}")
    for shots in (100, 400, 4000):
        counts = np.stack([sample_counts(np.broadcast_to(r, (reps, 3)), shots, seed=10 + k)
                           for k, r in enumerate(w.bloch_scaled)])
        value, lo, hi = combined_witness_interval(counts, w.coefficients, 1 - alpha)
        narrow = (hi - value) / np.sqrt(np.abs(w.coefficients).sum() ** 2)
        print(f"  {shots:>5} shots per basis and scale: false magic {np.mean(lo > 0):.4f}, coverage "
              f"{np.mean((lo <= truth) & (truth <= hi)):.4f}; with one run's width: coverage "
              f"{np.mean(np.abs(value - truth) <= narrow):.4f}, false magic {np.mean(value - narrow > 0):.4f}")
    t = time.perf_counter()
    run = extrapolated_tomography(REFERENCE, [1.0, 0.5, 1 / 3], total_shots=300_000, seed=1)
    print(f"Aer, reference point, dts 1, 1/2, 1/3, 300,000 shots per basis: shots {run.shots.tolist()}, steps "
          f"{list(run.steps)}, bloch {np.round(run.bloch, 4).tolist()} +- {np.round(run.stderr, 4).tolist()}, "
          f"witness {run.witness.value:.4f} {np.round(run.witness.ci, 4).tolist()} {run.witness.verdict} "
          f"(exact combined {measures.l1_norm(run.exact.bloch_combined) - 1:.4f}); {time.perf_counter() - t:.1f} s")


def warm() -> None:
    points = [REFERENCE, Params(0.2, 0.5, 1.0, 0.1, 0.05), Params(0.05, 0.1, 0.1, 0.3, 0.3),
              Params(0.3, 1.0, 0.3, 0.05, 0.5)]
    print("g     p1   p2   T1    T2    dt   tol    |lam2|   D0 default  D0 warm   steps default  warm  saved  "
          "(gap estimates)")
    for dt in (0.1, 0.5):
        for tol in (1e-3, 1e-6, 1e-10):
            for w in warm_start_table(points, dt, order=2, tol=tol):
                q = w.params
                print(f"{q.g:<5} {q.p1:<4} {q.p2:<4} {q.T1:<5} {q.T2:<5} {dt:<4} {tol:<6.0e} {w.lam2:.5f}  "
                      f"{w.d0_default:.3e}   {w.d0_warm:.3e}  {w.steps_default:>13} {w.steps_warm:>5} {w.saved:>6}  "
                      f"({w.gap_default}, {w.gap_warm})")


def zne() -> None:
    runs = [(0.5, "richardson", "global", (1, 3, 5), "nominal"), (0.5, "linear", "global", (1, 3, 5), "nominal"),
            (0.5, "richardson", "random", (1, 3, 5), "nominal"), (0.5, "richardson", "random", (1, 2, 3), "nominal"),
            (0.5, "richardson", "random", (1, 1.5, 2), "counted"), (0.5, "richardson", "global", (1, 2, 3), "nominal"),
            (0.1, "richardson", "global", (1, 3, 5), "nominal"), (0.1, "richardson", "random", (1, 1.5, 2), "counted"),
            (0.1, "richardson", "global", (1, 1.5, 2), "nominal")]
    for dt, factory, folding, scales, scale_from in runs:
        t = time.perf_counter()
        w = zne_witness(REFERENCE, "depol=1e-3", dt=dt, order=2, steps="auto", tol=1e-6, factory=factory,
                        folding=folding, scales=scales, scale_from=scale_from, seed=0)
        print(f"dt {dt} ({w.steps} steps), {factory}, {folding}, scales {scales} ({scale_from}: "
              f"{np.round(w.effective_scales, 3).tolist()}): noisy W {w.witness_noisy:+.4f}, "
              "ZNE W "
              f"{w.witness_zne:+.4f}, ideal W {w.witness_ideal:+.4f}, exact steady "
              f"{measures.l1_norm(w.bloch_exact) - 1:+.4f}; per-scale W "
              f"{[round(float(measures.l1_norm(r)) - 1, 4) for r in w.bloch_scaled]}; cx "
              f"{[c['cx'] for c in w.gate_counts]}; coefficients {np.round(w.coefficients, 4).tolist()}; "
              f"{time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    z = zne_tomography(REFERENCE, "depol=1e-3", shots=100_000, seed=1, dt=0.5, steps="auto", tol=1e-6)
    print(f"shots: 100,000 per basis and scale, dt 0.5 ({z.steps} steps): bloch {np.round(z.bloch, 4).tolist()} +- "
          f"{np.round(z.stderr, 4).tolist()}, witness {z.witness.value:+.4f} {np.round(z.witness.ci, 4).tolist()} "
          f"{z.witness.verdict}; {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    parts = {"mpf": mpf, "calibration": calibration, "warm": warm, "zne": zne}
    for name in sys.argv[1:] or list(parts):
        print(f"== {name}")
        parts[name]()
