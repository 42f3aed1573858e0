"""Benchmark: 1000-resample tomography bootstrap, vectorized vs per-resample Python loops.

All rows are measured in one run (best of ``--repeats``, ``time.perf_counter``) on the same
counts (10^4 shots per basis):

* ``qc_reset.tomography.bootstrap`` (one vectorized binomial draw, linear inversion), then
  the C_l1 percentile interval; the full ``analyze`` (C_l1 bootstrap + union witness
  interval); ``witness_interval(method="bootstrap")``.
* Baseline "loop/binomial": the same parametric bootstrap written as a Python loop over
  resamples (3 ``rng.binomial`` calls and the estimate per resample).
* Baseline "loop/shots": the textbook nonparametric bootstrap, redrawing the recorded shots
  of each basis with replacement (``rng.choice``) per resample.
* MLE: the vectorized constrained MLE on 1000 resamples of a near-pure state (about half of
  them leave the Bloch ball) vs a loop calling ``maximum_likelihood`` per resample, and a
  ``scipy.optimize.minimize`` (SLSQP) loop on the first ``--scipy`` resamples.

Before reporting, the script checks that the loops reproduce the vectorized bootstrap's
spread of C_l1 (same distribution) and that the MLE paths agree.

Then it prints the verdict's calibration table: the rate of "magic" calls over ``--reps``
simulated runs per state for the plug-in rule, the percentile bootstrap of W, and the two
``witness_interval`` methods, plus the two-sided coverage of the union interval.

    python benchmarks/bench_tomography.py [--repeats 5] [--resamples 1000] [--scipy 50] [--reps 2000]
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
import scipy
from _timing import best_of
from scipy.optimize import minimize
from scipy.special import xlogy

from qc_reset import tomography as tomo
from qc_reset.measures import l1_coherence, l1_norm

LEVEL = 0.95




def vectorized_cl1(counts: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, tuple[float, float]]:
    c = l1_coherence(tomo.bootstrap(counts, n, seed))
    lo, hi = tomo.confidence_interval(c, LEVEL)
    return c, (float(lo), float(hi))


def loop_binomial(counts: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, tuple[float, float]]:
    rng = np.random.default_rng(seed)
    shots = counts.sum(axis=-1)
    p0 = counts[:, 0] / shots
    out = []
    for _ in range(n):
        r = [2.0 * rng.binomial(shots[k], p0[k]) / shots[k] - 1.0 for k in range(3)]
        out.append(float(np.hypot(r[0], r[1])))
    vals = np.array(out)
    lo, hi = np.quantile(vals, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return vals, (float(lo), float(hi))


def loop_shots(counts: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, tuple[float, float]]:
    rng = np.random.default_rng(seed)
    records = [np.repeat([1.0, -1.0], counts[k]) for k in range(3)]  # +1 for outcome 0
    out = []
    for _ in range(n):
        r = [rng.choice(rec, size=rec.size, replace=True).mean() for rec in records]
        out.append(float(np.hypot(r[0], r[1])))
    vals = np.array(out)
    lo, hi = np.quantile(vals, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return vals, (float(lo), float(hi))


def nll(r: np.ndarray, c: np.ndarray) -> float:
    return float(-(xlogy(c[:, 0], (1 + r) / 2) + xlogy(c[:, 1], (1 - r) / 2)).sum())


def scipy_mle(c: np.ndarray) -> np.ndarray:
    rbar = tomo.linear_inversion(c)
    if np.linalg.norm(rbar) <= 1:
        return rbar
    res = minimize(
        nll,
        0.999 * rbar / np.linalg.norm(rbar),
        args=(c,),
        method="SLSQP",
        bounds=[(-1 + 1e-12, 1 - 1e-12)] * 3,
        constraints=[{"type": "ineq", "fun": lambda x: 1.0 - x @ x}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    return np.asarray(res.x / max(1.0, np.linalg.norm(res.x)))


#: (label, Bloch vector, shots per basis) of the calibration table; W = ||r||_1 - 1.
CALIBRATION_STATES = [
    ("inside facet", (0.33, 0.33, 0.33), 10_000),
    ("edge", (0.5, 0.5, 0.0), 1_000),
    ("near vertex", (0.005, 0.005, 0.99), 1_000),
    ("vertex |0>", (0.0, 0.0, 1.0), 1_000),
    ("outside", (0.35, 0.35, 0.35), 20_000),
]


def calibration(n_rep: int, n_resamples: int, seed: int) -> None:
    """Rate of 'magic' calls over n_rep simulated tomography runs per state (level 0.95)."""
    print(f"\nRate of 'magic' verdicts over {n_rep} repetitions, level {LEVEL} (nominal false rate {1 - LEVEL:.2f})")
    head = ("state", "W", "shots", "plug-in>0", "pct-boot", "union", "bootstrap", "cover(union)")
    print(f"{head[0]:13s} {head[1]:>6s} {head[2]:>6s} " + " ".join(f"{h:>12s}" for h in head[3:]))
    for i, (label, r, shots) in enumerate(CALIBRATION_STATES):
        r_arr = np.array(r)
        w = float(np.abs(r_arr).sum() - 1.0)
        c = tomo.sample_counts(np.broadcast_to(r_arr, (n_rep, 3)), shots, seed + i)
        plug = np.mean(l1_norm(tomo.linear_inversion(c)) > 1.0)
        pct_lo, _ = tomo.confidence_interval(l1_norm(tomo.bootstrap(c, n_resamples, seed + 100 + i)) - 1.0, LEVEL)
        _, lo_u, hi_u = tomo.witness_interval(c, LEVEL, method="union")
        _, lo_b, _ = tomo.witness_interval(c, LEVEL, method="bootstrap", n_resamples=n_resamples, seed=seed + 200 + i)
        rates = [plug, np.mean(pct_lo > 0), np.mean(lo_u > 0), np.mean(lo_b > 0), np.mean((lo_u <= w) & (w <= hi_u))]
        print(f"{label:13s} {w:6.3f} {shots:6d} " + " ".join(f"{x:12.4f}" for x in rates))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--scipy", type=int, default=50, help="resamples for the scipy.optimize MLE loop")
    ap.add_argument("--reps", type=int, default=2000, help="repetitions per state of the calibration table")
    args = ap.parse_args()
    n = args.resamples
    counts = tomo.sample_counts([0.5, 0.1, 0.8], 10_000, seed=0)
    pure = tomo.sample_counts([0.6, 0.0, 0.8], 10_000, seed=2)

    rows: list[tuple[str, float]] = []
    t_vec, (c_vec, ci_vec) = best_of(lambda: vectorized_cl1(counts, n, 1), args.repeats)
    rows.append(("bootstrap (vectorized) + C_l1 percentile CI", t_vec))
    t_boot, _ = best_of(lambda: tomo.bootstrap(counts, n, 1), args.repeats)
    rows.append(("  bootstrap() alone", t_boot))
    t_an, res = best_of(lambda: tomo.analyze(counts, n_resamples=n, seed=1), args.repeats)
    rows.append(("analyze() (C_l1 bootstrap + union witness)", t_an))
    t_am, _ = best_of(lambda: tomo.analyze(pure, n_resamples=n, seed=1, estimator="mle"), args.repeats)
    rows.append(("analyze(estimator='mle'), near-pure state", t_am))
    t_wb, _ = best_of(lambda: tomo.witness_interval(counts, method="bootstrap", n_resamples=n, seed=1), args.repeats)
    rows.append(("witness_interval(method='bootstrap')", t_wb))
    t_lb, (c_lb, ci_lb) = best_of(lambda: loop_binomial(counts, n, 1), args.repeats)
    rows.append(("baseline loop/binomial (per resample)", t_lb))
    t_ls, (c_ls, ci_ls) = best_of(lambda: loop_shots(counts, n, 1), max(1, args.repeats // 2))
    rows.append(("baseline loop/shots (rng.choice per resample)", t_ls))

    # Same distribution: sd of C_l1* agree within Monte Carlo error (~ 1/sqrt(2 n) relative).
    sds = np.array([c_vec.std(), c_lb.std(), c_ls.std()])
    assert np.ptp(sds) / sds.mean() < 5 / np.sqrt(2 * n), sds

    # MLE on a near-pure state: about half of the resamples leave the ball.
    rstar, shots = tomo.bootstrap(pure, n, 3), pure.sum(axis=-1)
    n0 = np.rint((rstar + 1.0) * shots / 2.0)
    boot_counts = np.stack([n0, shots - n0], axis=-1)
    frac_out = float(np.mean(np.linalg.norm(rstar, axis=-1) > 1))
    t_mv, r_mv = best_of(lambda: tomo.maximum_likelihood(boot_counts), args.repeats)
    t_ml, r_ml = best_of(lambda: np.array([tomo.maximum_likelihood(c) for c in boot_counts]), args.repeats)
    k = min(args.scipy, n)
    t_ms, r_ms = best_of(lambda: np.array([scipy_mle(c) for c in boot_counts[:k]]), 1)
    assert np.abs(r_mv - r_ml).max() < 1e-12 and np.abs(r_mv[:k] - r_ms).max() < 1e-6
    mle_rows = [
        ("maximum_likelihood (vectorized, batch)", t_mv, n),
        ("baseline loop: maximum_likelihood per resample", t_ml, n),
        (f"baseline loop: scipy SLSQP per resample (first {k})", t_ms, k),
    ]

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}, ", end="")
    print(f"best of {args.repeats}; {n} resamples, 10^4 shots per basis")
    print(f"{'method':52s} {'ms':>9s} {'vs vectorized':>14s}")
    for name, t in rows:
        print(f"{name:52s} {1e3 * t:9.2f} {t / t_vec:14.1f}")
    print(f"C_l1 = {res.l1_coherence.value:.4f}; 95% CI vectorized {ci_vec[0]:.4f}..{ci_vec[1]:.4f}, ", end="")
    print(f"loop/binomial {ci_lb[0]:.4f}..{ci_lb[1]:.4f}, loop/shots {ci_ls[0]:.4f}..{ci_ls[1]:.4f}")
    print(f"\nMLE on {n} resamples of r = (0.6, 0, 0.8), {100 * frac_out:.0f} % outside the ball")
    print(f"{'method':52s} {'ms':>9s} {'us/resample':>12s} {'vs vectorized':>14s}")
    for name, t, m in mle_rows:
        print(f"{name:52s} {1e3 * t:9.2f} {1e6 * t / m:12.1f} {(t / m) / (t_mv / n):14.1f}")
    calibration(args.reps, n, seed=1000)


if __name__ == "__main__":
    main()
