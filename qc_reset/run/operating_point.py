r"""The operating point: the collision design and parameters with the largest noisy magic margin on a device.

:func:`operating_point` maximizes the noisy margin :math:`\|r\|_1 - 1` of the fixed point of one noisy
collision (:func:`qc_reset.run.noisy_fixed_point.noisy_fixed_point`, full device noise by default) over the
collision parameters :math:`q_1, q_2, \phi, \theta` of :mod:`qc_reset.model.collision` (``q2 = 1`` fixed for
the ``*_fresh`` designs; bath temperatures given) for each design, under a budget: at most
``max_two_qubit_gates`` per transpiled collision, and optionally at most ``max_collisions`` to reach the
fixed point to ``tol`` or ``max_duration_s`` for those collisions. The search is scipy's Nelder-Mead on
:math:`(\mathrm{logit}\,q_1, \phi, \ln\theta[, \mathrm{logit}\,q_2])` from the exact noise-free optimum of
:mod:`qc_reset.model.optimum` (:math:`g = (\sqrt3-1)/2`, :math:`p_1 = 1/2`, :math:`p_2\to\infty`, at
:math:`dt = 0.5` and 1), with the layout of the first transpilation kept so the landscape is smooth.

:func:`shot_verdict` turns a noisy state into the verdict the package's tomography would give: counts
drawn with the device's readout assignment error on the measured qubit, a readout calibration of
``cal_shots`` per prepared state, mitigation (:func:`qc_reset.stats.mitigation.mitigate_estimate`) and the
union-bound witness of :func:`qc_reset.stats.tomography.analyze_estimate`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, integer, quote
from ..model import optimum
from ..model.collision import CollisionParams
from ..stats.mitigation import mitigate_estimate
from ..stats.records import TomographyResult
from ..stats.tomography import analyze_estimate
from .designs import check_design, collision_circuit, design_q2_is_one
from .noisy_fixed_point import (
    NoisyFixedPoint,
    device_label,
    noisy_fixed_point,
    readout_errors,
    transpile_collision,
    two_qubit_gate_count,
)

__all__ = ["OperatingPoint", "operating_point", "shot_verdict", "verdict_of"]


@dataclasses.dataclass(frozen=True, eq=False)
class OperatingPoint:
    """The best point of one design on one device under a budget, or why there is none (``feasible``)."""

    design: str
    device: str
    fixed_point: NoisyFixedPoint | None
    collisions: int | None
    evaluations: int
    feasible: bool
    reason: str = ""

    def __post_init__(self) -> None:
        if self.feasible and self.fixed_point is None:
            raise InputError("a feasible operating point needs its fixed point")

    @property
    def margin(self) -> float:
        """Noisy :math:`\\|r\\|_1 - 1` (NaN when infeasible)."""
        return self.fixed_point.margin if self.fixed_point is not None else math.nan

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {"design": self.design, "device": self.device, "feasible": self.feasible, "reason": self.reason,
                "collisions": self.collisions, "evaluations": self.evaluations,
                "fixed_point": None if self.fixed_point is None else self.fixed_point.to_dict()}


def _logit(q: float) -> float:
    return math.log(q / (1.0 - q))


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def operating_point(
    device: Any, design: str, *, max_two_qubit_gates: int = 10, max_collisions: int | None = None,
    max_duration_s: float | None = None, T1: float = 0.0, T2: float = 0.0, tol: float = 3e-4,
    max_evaluations: int = 60, timeline: bool | None = None, seed: int = 0,
) -> OperatingPoint:
    r"""The largest noisy margin of ``design`` on ``device`` under the budget (module docstring).

    Args:
        device: a ``BackendV2`` or a noisy spec (``"fake:NAME"``, ``"depol=..."``).
        design: a design of :mod:`qc_reset.run.designs`.
        max_two_qubit_gates: budget per transpiled collision (checked at the starting point; the count
            does not depend on the angles).
        max_collisions, max_duration_s: optional budgets of the run to the fixed point (``tol``).
        T1, T2: bath temperatures of the model.
        tol: distance to the fixed point that counts as reached (default ~0.1 of the shot noise at 1e5).
        max_evaluations: noisy fixed points per start (two starts).
        timeline: passed to :func:`~qc_reset.run.noisy_fixed_point.noisy_fixed_point`.
        seed: transpiler seed.
    """
    from scipy.optimize import minimize  # lazy

    design = check_design(design)
    budget = integer("max_two_qubit_gates", max_two_qubit_gates, lo=0, hi=10_000)
    evals = integer("max_evaluations", max_evaluations, lo=1, hi=10_000)
    label = device_label(device)
    fresh = design_q2_is_one(design)
    order = 2 if design == "strang" else 1

    def collision(x: Sequence[float]) -> CollisionParams:
        q2 = 1.0 if fresh else min(max(_expit(x[3]), 1e-9), 1.0 - 1e-12)
        return CollisionParams(q1=min(max(_expit(x[0]), 1e-9), 1.0 - 1e-12), q2=q2, phi=float(x[1]),
                               phase=min(math.exp(x[2]), 50.0), T1=T1, T2=T2, order=order)

    starts = []
    for dt in (0.5, 1.0):
        q1 = -math.expm1(-optimum.P1_OPT * dt)
        x0 = [_logit(q1), optimum.G_OPT * dt, math.log(dt)] + ([] if fresh else [_logit(-math.expm1(-3.0 * dt))])
        starts.append(x0)
    first = collision(starts[0])
    tqc = transpile_collision(collision_circuit(design, first), device, seed=seed)
    n2 = two_qubit_gate_count(tqc)
    if n2 > budget:
        return OperatingPoint(design=design, device=label, fixed_point=None, collisions=None, evaluations=0,
                              feasible=False, reason=f"{n2} two-qubit gates per collision > {budget}")
    layout = list(tqc.layout.initial_index_layout()[:tqc.num_qubits]) if tqc.layout is not None else None
    n_circuit = collision_circuit(design, first).num_qubits
    layout = None if layout is None else layout[:n_circuit]
    count = 0
    best: NoisyFixedPoint | None = None

    def cost(x: Sequence[float]) -> float:
        nonlocal count, best
        count += 1
        fp = noisy_fixed_point(design, collision(x), None, device, timeline=timeline, seed=seed,
                               initial_layout=layout)
        penalty = 0.0
        n = fp.collisions_to(tol)
        if max_collisions is not None and n > max_collisions:
            penalty += (n - max_collisions) / max_collisions
        if max_duration_s is not None and n * fp.duration_s > max_duration_s:
            penalty += (n * fp.duration_s - max_duration_s) / max_duration_s
        if fp.two_qubit_gates > budget:
            penalty += 1.0
        if penalty == 0.0 and (best is None or fp.margin > best.margin):
            best = fp
        return -fp.margin + penalty

    for x0 in starts:
        minimize(cost, np.asarray(x0), method="Nelder-Mead",
                 options={"maxfev": evals, "xatol": 1e-3, "fatol": 1e-5})
    if best is None:
        return OperatingPoint(design=design, device=label, fixed_point=None, collisions=None, evaluations=count,
                              feasible=False, reason="no point met the collision or duration budget")
    return OperatingPoint(design=design, device=label, fixed_point=best, collisions=best.collisions_to(tol),
                          evaluations=count, feasible=True)


def shot_verdict(
    bloch: npt.ArrayLike, readout: tuple[float, float], *, shots: int = 100_000, cal_shots: int | None = None,
    seed: int | np.random.Generator | None = None, level: float = 0.95,
) -> TomographyResult:
    r"""The mitigated tomography verdict of a state with Bloch vector ``bloch`` read with ``readout`` errors.

    Per basis, outcome 0 is read with probability :math:`(1-e_{01})p_0 + e_{10}p_1`; the calibration draws
    :math:`A_{00}\sim\mathrm{Bin}(M, 1-e_{01})/M`, :math:`A_{11}\sim\mathrm{Bin}(M, 1-e_{10})/M` with
    :math:`M` = ``cal_shots`` (default ``shots``); then :func:`~qc_reset.stats.mitigation.mitigate_estimate`
    and :func:`~qc_reset.stats.tomography.analyze_estimate` (union-bound witness at ``level``).
    """
    r = np.asarray(bloch, dtype=float)
    if r.shape != (3,) or not np.all(np.isfinite(r)) or np.linalg.norm(r) > 1 + 1e-9:
        raise InputError(f"bloch must be 3 finite numbers in the unit ball; got {quote(bloch)}")
    n = check_shots(shots)
    m = n if cal_shots is None else check_shots(cal_shots, "cal_shots")
    e01, e10 = (float(e) for e in readout)
    if not (0 <= e01 < 0.5 and 0 <= e10 < 0.5):
        raise InputError(f"readout errors must be in [0, 0.5); got {quote(readout)}")
    rng = np.random.default_rng(seed)
    p0 = np.clip((1 - e01) * 0.5 * (1 + r) + e10 * 0.5 * (1 - r), 0.0, 1.0)
    n0 = rng.binomial(n, p0)
    counts = np.stack([n0, n - n0], axis=-1)
    a00, a11 = rng.binomial(m, 1 - e01) / m, rng.binomial(m, 1 - e10) / m
    A = np.array([[a00, 1 - a11], [1 - a00, a11]])
    est, cov = mitigate_estimate(counts, A, m)
    return analyze_estimate(est, cov, level=level, seed=rng)


def verdict_of(point: NoisyFixedPoint, device: Any, **kwargs: Any) -> TomographyResult:
    """:func:`shot_verdict` of a noisy fixed point, read on its ``measured_qubit`` of ``device``."""
    return shot_verdict(point.bloch, readout_errors(device, point.measured_qubit), **kwargs)
