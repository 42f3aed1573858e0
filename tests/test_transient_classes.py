"""Classes of qubit 1 along rho(t) and the distillable time intervals of the Transient record."""

from __future__ import annotations

import json

import numpy as np

from qc_reset.model.dynamics import Transient, evolve, transient
from qc_reset.model.magic import T_THRESHOLD_L1
from qc_reset.model.params import Params

P = Params(g=0.06, p1=0.3, p2=0.3, T1=0.05, T2=0.02)
#: Linear interpolation of a smooth margin between samples dt apart errs by O(dt^2 m''); with
#: dt = 0.1 the crossing times move by < 2e-3 against a 10x finer sampling (measured 4e-4).
CROSSING_TOL = 2e-3


def _direct_class(rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class and margin from the density matrices themselves (Pauli expectations of qubit 1)."""
    X, Y, Z = (np.array(m, complex) for m in ([[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]))
    r = np.stack([np.einsum("tij,ji->t", rho, np.kron(s, np.eye(2))).real for s in (X, Y, Z)], axis=-1)
    a = np.abs(r)
    l1, pair = a.sum(-1), a.sum(-1) - a.min(-1)
    dist = (l1 > T_THRESHOLD_L1) | (pair > 1)
    cls = np.where(dist, "distillable", np.where(l1 > 1, "magic", "stabilizer"))
    return cls, np.maximum(l1 / T_THRESHOLD_L1, pair) - 1


def test_class_along_the_trajectory_matches_rho() -> None:
    t = np.linspace(0, 40, 401)
    tr = transient(P, t)
    cls, _ = _direct_class(evolve(P, np.kron(P.tau1(), P.tau2()), t))
    assert (tr.magic_class == cls).all()
    assert {"distillable", "magic"} <= set(cls.tolist())  # the trajectory crosses the class boundary


def test_distillable_intervals_from_sign_changes() -> None:
    t = np.linspace(0, 40, 401)
    tr = transient(P, t)
    ivs = tr.distillable_intervals
    fine_t = np.linspace(0, 40, 4001)
    _, m = _direct_class(evolve(P, np.kron(P.tau1(), P.tau2()), fine_t))
    s = np.flatnonzero(np.diff(np.sign(m)) != 0)
    crossings = fine_t[s] - m[s] * (fine_t[s + 1] - fine_t[s]) / (m[s + 1] - m[s])
    ends = [x for iv in ivs for x in iv if 0 < x < 40]
    assert len(ends) == len(crossings) and np.allclose(ends, crossings, rtol=0, atol=CROSSING_TOL)
    # inside each interval the samples are distillable, between them not
    for k, tk in enumerate(t):
        inside = any(a <= tk <= b for a, b in ivs)
        assert inside == (tr.magic_class[k] == "distillable") or any(abs(tk - x) < 1e-9 for iv in ivs for x in iv)
    assert ivs[-1][1] == 40.0  # distillable in the steady state (T1 = 0.05 < T_crit,H = 0.2034): open at the end


def test_transiently_distillable_above_the_steady_class_temperature() -> None:
    """T1 = 0.3 > T_crit(distillable) = 0.2034: not distillable in the steady state, but for a while on the way."""
    tr = transient(Params(g=0.06, p1=0.3, p2=0.3, T1=0.3, T2=0.02), np.linspace(0, 20, 2001))
    (a, b), = tr.distillable_intervals
    assert 2.0 < a < b < 6.0 and tr.magic_class[-1] != "distillable"


def test_no_interval_when_never_distillable_and_round_trip() -> None:
    tr = transient(Params(g=0.06, p1=0.3, p2=0.3, T1=1.0, T2=0.02), np.linspace(0, 20, 101))
    assert tr.distillable_intervals == [] and not (tr.magic_class == "distillable").any()
    d = json.loads(json.dumps(transient(P, np.linspace(0, 20, 101)).to_dict()))
    back = Transient.from_dict(d)
    assert back.distillable_intervals == [tuple(iv) for iv in d["distillable_intervals"]]
    old = {k: v for k, v in d.items() if k not in ("magic_class", "distillable_intervals")}
    assert Transient.from_dict(old).magic_class.tolist() == d["magic_class"]
