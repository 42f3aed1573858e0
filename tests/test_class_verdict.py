"""Calibration of the shot-based class verdict (stabilizer / magic / distillable / inconclusive)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import norm

from qc_reset.model.magic import T_THRESHOLD_L1, coarse_class
from qc_reset.stats import (
    CLASS_PIECES,
    ClassVerdict,
    TomographyResult,
    analyze,
    analyze_estimate,
    class_intervals,
    class_verdict,
    classify_class,
    sample_counts,
    witness_interval,
)

LEVEL = 0.95
ALPHA = 1.0 - LEVEL
REPS = 4000  # repetitions per point, vectorized (all in one sample_counts call)
#: Allowed excess of an observed error rate over alpha: 3 binomial standard errors at REPS.
SLACK = 3.0 * math.sqrt(ALPHA * (1.0 - ALPHA) / REPS)
A = T_THRESHOLD_L1 - 1.0  # 0.13389: the T facet (+,+,+) meets the H facets where r_k = A
#: Points ON the boundary of the distillable region (not distillable, margin exactly 0), with the
#: number of the K = 20 linear pieces active there.
BOUNDARY = {
    "T facet centre (1 piece)": np.full(3, T_THRESHOLD_L1 / 3),
    "T facet meets an H facet: edge (2 pieces)": np.array([A, 0.4, 0.6]),
    "T facet meets two H facets: vertex (3 pieces)": np.array([A, A, 1.0 - A]),
    "H facet |r_x| + |r_z| = 1 (1 piece)": np.array([0.5, 0.0, 0.5]),
    "H vertex |+> (4 pieces)": np.array([1.0, 0.0, 0.0]),
}


def _verdicts(r: np.ndarray, shots: int, seed: int) -> np.ndarray:
    w, t, h = class_intervals(sample_counts(np.broadcast_to(r, (REPS, 3)), shots, seed=seed), LEVEL)
    return classify_class(w[1:], t[1:], h[1:])


def test_boundary_points_are_on_the_boundary() -> None:
    """The distillable functional is 1 at each point, to rounding (one ulp may put it just outside)."""
    for name, r in BOUNDARY.items():
        assert coarse_class(0.999 * r) != "distillable", name
        a = np.abs(r)
        assert math.isclose(max(a.sum() / T_THRESHOLD_L1, a.sum() - a.min()), 1.0, abs_tol=1e-15), name


@pytest.mark.parametrize("shots", [100, 3000])
@pytest.mark.parametrize("name", list(BOUNDARY))
def test_false_distillable_rate_on_the_boundary(name: str, shots: int) -> None:
    rate = float(np.mean(_verdicts(BOUNDARY[name], shots, seed=11) == "distillable"))
    assert rate <= ALPHA + SLACK, (name, shots, rate)


def test_false_T_claim_on_a_T_edge() -> None:
    """On the scaled octahedron's edge (0.567, 0.567, 0) (two T facets active) the T margin's lower
    bound exceeds 0 at rate <= alpha (the state is H-distillable, so only the T claim is false)."""
    r = np.array([T_THRESHOLD_L1 / 2, T_THRESHOLD_L1 / 2, 0.0])
    _, t, _ = class_intervals(sample_counts(np.broadcast_to(r, (REPS, 3)), 1000, seed=5), LEVEL)
    assert float(np.mean(t[1] > 0)) <= ALPHA + SLACK


def test_power_at_a_clearly_distillable_state() -> None:
    """r = 0.9 (1, 1, 1)/sqrt3 (||r||_1 = 1.559): "distillable" at rate 0.98 with 300 shots per basis
    (measured 0.9795 at seed 3; 0.52 at 100 shots, 1.0 at 1000)."""
    r = 0.9 * np.ones(3) / math.sqrt(3.0)
    assert float(np.mean(_verdicts(r, 300, seed=3) == "distillable")) >= 0.9


def test_stabilizer_and_magic_verdicts() -> None:
    """False "stabilizer" at a facet of the octahedron <= alpha; the centre is called "stabilizer";
    0.37 (1, 1, 1) (magic, not distillable) is called "magic" and never "distillable" beyond alpha."""
    on_facet = _verdicts(np.full(3, 1.0 / 3.0), 1000, seed=2)
    assert float(np.mean(on_facet == "magic")) <= ALPHA + SLACK
    assert float(np.mean(_verdicts(np.zeros(3), 1000, seed=2) == "stabilizer")) == 1.0
    m = _verdicts(0.37 * np.ones(3), 100_000, seed=2)
    assert float(np.mean(m == "magic")) >= 0.9 and float(np.mean(m == "distillable")) <= ALPHA + SLACK


def test_intervals_use_the_stated_union_bounds() -> None:
    c = sample_counts([0.3, -0.2, 0.5], 500, seed=1)
    w, t, h = class_intervals(c, LEVEL)
    value, lo, hi = witness_interval(c, LEVEL)
    assert np.allclose([w[0], w[1], w[2]], [value, lo, hi], rtol=0, atol=1e-15)  # the witness is unchanged
    n = c.sum(axis=-1)
    r = (c[:, 0] - c[:, 1]) / n
    se = np.sqrt(np.maximum(1 - r * r, np.minimum(1.0, 2.0 / n)) / n)  # independent: binomial, Jeffreys floor
    zk = norm.ppf(1 - ALPHA / 20)
    assert CLASS_PIECES == 20 and math.isclose(zk, 2.807, abs_tol=1e-3)
    assert math.isclose(float(t[1]), abs(r).sum() - T_THRESHOLD_L1 - zk * np.linalg.norm(se), abs_tol=1e-14)
    pairs = [(0, 1), (0, 2), (1, 2)]
    lo_h = max(abs(r[i]) + abs(r[j]) - zk * math.hypot(se[i], se[j]) for i, j in pairs) - 1
    assert math.isclose(float(h[1]), lo_h, abs_tol=1e-14)


def test_record_round_trip_and_old_json() -> None:
    res = analyze(sample_counts([0.55, 0.0, 0.8], 20000, seed=1), seed=0)
    assert res.magic_class is not None and res.magic_class.verdict == "distillable"
    assert res.magic_class.protocols == ["T", "H"]
    d = json.loads(json.dumps(res.to_dict()))
    back = TomographyResult.from_dict(d)
    assert back.magic_class == res.magic_class and back.to_dict() == res.to_dict()
    d.pop("magic_class")
    assert TomographyResult.from_dict(d).magic_class is None  # records written before the field
    bad = {**res.magic_class.to_dict(), "verdict": "magic"}
    with pytest.raises(ValueError, match="contradicts"):
        ClassVerdict.from_dict(bad)
    v = class_verdict(sample_counts([0.0, 0.0, 0.2], 2000, seed=4))
    assert v.verdict == "stabilizer" and v.protocols == []


def test_estimate_with_covariance() -> None:
    C = np.diag([1e-4, 1e-4, 1e-4])
    res = analyze_estimate([0.0, 0.5, 0.8], C, seed=0)
    assert res.magic_class is not None and res.magic_class.verdict == "distillable"
    assert res.magic_class.protocols == ["T", "H"]
    assert class_verdict([0.0, 0.5, 0.8], cov=C) == res.magic_class
