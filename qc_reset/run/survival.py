r"""Where magic survives on a device: noisy steady :math:`\|r\|_1` over two-qubit error and idle time.

For one collision design at one model point, :func:`survival_map` gives qubit 1's :math:`\|r\|_1` in
the noisy fixed point (:mod:`qc_reset.run.noisy_fixed_point`) on a grid of

* the depolarizing parameter :math:`\lambda_2` of every two-qubit gate (Qiskit's
  ``depolarizing_error(lambda, 2)``: average gate infidelity :math:`3\lambda_2/4`), with a fixed one-qubit
  parameter :math:`\lambda_1`, and
* the idle time :math:`t` per collision: thermal relaxation (:math:`T_1, T_2` of the device class,
  :func:`device_profile`) of both system qubits for :math:`t` after every collision, standing for the
  collision's duration (gates, resets, measurements) on the device.

The magic boundary is :math:`\|r\|_1 = 1`; :meth:`SurvivalMap.boundary` gives, per idle time, the largest
:math:`\lambda_2` that keeps magic (log-linear interpolation between grid points). A device sits on the map
at its median two-qubit :math:`\lambda_2` and its scheduled collision duration (:func:`device_profile`,
:func:`qc_reset.run.noisy_fixed_point.collision_duration`).

Cost: the collision is transpiled once to the parametric basis (``rz, sx, x, cx``); each :math:`\lambda_2`
is one noisy channel :math:`S_g(\lambda_2)` (one Aer job), and the idle relaxation composes after it in
numpy, :math:`S = I_t\,S_g`, so a map costs one job per :math:`\lambda_2` plus 16x16 algebra.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, quote
from ..model import measures
from ..model.channels import fixed_point, from_qiskit_superop
from ..model.collision import CollisionParams
from ..model.operators import ComplexArray, FloatArray
from ..model.params import Params
from .designs import check_design, collision_circuit, collision_params
from .noisy_fixed_point import collision_duration, collision_superop, transpile_collision, two_qubit_gate_count

__all__ = [
    "MAX_GRID",
    "DeviceProfile",
    "device_profile",
    "idle_superop",
    "SurvivalMap",
    "survival_map",
]

#: Most grid points (depolarizing parameters x idle times) of one map.
MAX_GRID = 10_000


@dataclasses.dataclass(frozen=True)
class DeviceProfile:
    r"""Median noise figures of a device: what places it on a survival map.

    ``depol2``/``depol1``: depolarizing parameters of the median two-qubit and ``sx`` gate
    (:math:`\lambda_2 = 4r_2/3`, :math:`\lambda_1 = 2r_1` from the target's average gate errors :math:`r`);
    ``t1_ns``, ``t2_ns``: median relaxation and dephasing times; ``readout``: median assignment error;
    ``two_qubit_gate``: its name; ``gate2_ns``, ``measure_ns``, ``reset_ns``: median durations.
    """

    name: str
    two_qubit_gate: str
    depol2: float
    depol1: float
    t1_ns: float
    t2_ns: float
    readout: float
    gate2_ns: float
    measure_ns: float
    reset_ns: float

    def __post_init__(self) -> None:
        for f in ("depol2", "depol1", "readout"):
            if not 0.0 <= getattr(self, f) <= 1.0:
                raise InputError(f"{f} must be in [0, 1]; got {quote(getattr(self, f))}")
        if not (self.t1_ns > 0 and 0 < self.t2_ns <= 2 * self.t1_ns * (1 + 1e-9)):
            raise InputError(f"need t1 > 0 and 0 < t2 <= 2 t1; got t1 = {self.t1_ns}, t2 = {self.t2_ns} ns")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return dataclasses.asdict(self)


def _median(values: Sequence[float | None]) -> float:
    vals = [float(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    return float(np.median(vals)) if vals else 0.0


def device_profile(backend: Any) -> DeviceProfile:
    """The :class:`DeviceProfile` of a ``BackendV2`` from its target and qubit properties.

    Two-qubit errors of 1 (gates the calibration marks as broken) are left out of the median; T2 is
    capped at 2 T1 (some calibrations report more).
    """
    target = getattr(backend, "target", None)
    if target is None:
        raise InputError(f"backend must be a BackendV2 with a target; got {quote(backend)}")
    gate2 = next((n for n in ("cz", "ecr", "cx") if n in target), None)
    if gate2 is None:
        raise InputError(f"backend {getattr(backend, 'name', '?')} has no cz, ecr or cx gate")

    def props(name: str, attr: str) -> list[float | None]:
        if name not in target:
            return []
        return [getattr(p, attr, None) for p in target[name].values() if p is not None]

    err2 = [e for e in props(gate2, "error") if e is not None and e < 1.0]
    qp = [backend.qubit_properties(i) for i in range(backend.num_qubits)]
    t1 = _median([getattr(q, "t1", None) for q in qp]) * 1e9
    t2 = min(_median([getattr(q, "t2", None) for q in qp]) * 1e9, 2 * t1)
    return DeviceProfile(
        name=str(getattr(backend, "name", type(backend).__name__)), two_qubit_gate=gate2,
        depol2=min(1.0, 4.0 * _median(err2) / 3.0), depol1=min(1.0, 2.0 * _median(props("sx", "error"))),
        t1_ns=t1, t2_ns=t2, readout=_median(props("measure", "error")),
        gate2_ns=_median(props(gate2, "duration")) * 1e9, measure_ns=_median(props("measure", "duration")) * 1e9,
        reset_ns=_median(props("reset", "duration")) * 1e9)


def idle_superop(time_ns: float, t1_ns: float, t2_ns: float) -> ComplexArray:
    """Row-major 16x16 thermal relaxation of both system qubits for ``time_ns`` (Aer's ``thermal_relaxation_error``)."""
    from qiskit.quantum_info import SuperOp  # lazy: Qiskit's channels load only for noisy maps
    from qiskit_aer.noise import thermal_relaxation_error

    err = thermal_relaxation_error(t1_ns, t2_ns, time_ns)
    return from_qiskit_superop(SuperOp(err.expand(err)).data)


@dataclasses.dataclass(frozen=True, eq=False)
class SurvivalMap:
    r"""Noisy steady :math:`\|r\|_1` of qubit 1 on a grid: ``l1[i, j]`` at ``depol2[i]``, ``idle_ns[j]``."""

    design: str
    collision: CollisionParams
    depol1: float
    depol2: FloatArray
    idle_ns: FloatArray
    t1_ns: float
    t2_ns: float
    l1: FloatArray
    two_qubit_gates: int
    gate_duration_s: float

    def __post_init__(self) -> None:
        if np.shape(self.l1) != (len(self.depol2), len(self.idle_ns)):
            raise InputError(f"l1 must have shape (len(depol2), len(idle_ns)); got {np.shape(self.l1)}")

    def boundary(self) -> FloatArray:
        r"""Per idle time, the largest :math:`\lambda_2` with :math:`\|r\|_1 \ge 1` (log-interpolated).

        NaN where even the smallest grid :math:`\lambda_2` has no magic; the largest grid value where all
        of the column has magic.
        """
        out = np.full(len(self.idle_ns), np.nan)
        x = np.log(self.depol2)
        for j in range(len(self.idle_ns)):
            m = self.l1[:, j] - 1.0
            if m[0] < 0:
                continue
            k = int(np.argmax(m < 0)) if np.any(m < 0) else -1
            if k < 0:
                out[j] = self.depol2[-1]
                continue
            out[j] = math.exp(x[k - 1] + (x[k] - x[k - 1]) * m[k - 1] / (m[k - 1] - m[k]))
        return out

    def at(self, depol2: float, idle_ns: float) -> float:
        """:math:`\\|r\\|_1` bilinearly interpolated in (log depol2, log idle) inside the grid."""
        from scipy.interpolate import RegularGridInterpolator  # lazy

        f = RegularGridInterpolator((np.log(self.depol2), np.log(self.idle_ns)), self.l1)
        return float(f([[math.log(depol2), math.log(idle_ns)]])[0])

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {"design": self.design, "collision": self.collision.to_dict(), "depol1": self.depol1,
                "depol2": self.depol2.tolist(), "idle_ns": self.idle_ns.tolist(), "t1_ns": self.t1_ns,
                "t2_ns": self.t2_ns, "l1": self.l1.tolist(), "boundary": self.boundary().tolist(),
                "two_qubit_gates": self.two_qubit_gates, "gate_duration_s": self.gate_duration_s}


def _grid(name: str, values: npt.ArrayLike, hi: float) -> FloatArray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size < 2 or not np.all(np.isfinite(arr)) or np.any(arr <= 0) or np.any(arr > hi) \
            or np.any(np.diff(arr) <= 0):
        raise InputError(f"{name} must be an increasing 1-D grid of at least 2 numbers in (0, {hi:g}]; "
                         f"got {quote(values)}")
    return arr


def survival_map(
    design: str, params: Params | CollisionParams, dt: float | None = None, *, depol2: npt.ArrayLike,
    idle_ns: npt.ArrayLike, t1_ns: float, t2_ns: float, depol1: float = 0.0, seed: int = 0,
) -> SurvivalMap:
    r"""The noisy steady :math:`\|r\|_1` of ``design`` over ``depol2`` x ``idle_ns`` (module docstring).

    Args:
        design: a design of :mod:`qc_reset.run.designs`.
        params, dt: the model point (:class:`Params` with ``dt``, or :class:`CollisionParams`).
        depol2: increasing two-qubit depolarizing parameters in (0, 1].
        idle_ns: increasing idle times per collision in (0, 1e9] ns.
        t1_ns, t2_ns: the device class's relaxation times (ns), :math:`0 < T_2 \le 2T_1`.
        depol1: one-qubit depolarizing parameter of every ``sx``/``x``.
        seed: transpiler seed.
    """
    design = check_design(design)
    cp = collision_params(design, params, dt)
    lam = _grid("depol2", depol2, 1.0)
    idle = _grid("idle_ns", idle_ns, 1e9)
    if lam.size * idle.size > MAX_GRID:
        raise InputError(f"the grid has {lam.size * idle.size} points; at most {MAX_GRID}")
    if not (t1_ns > 0 and 0 < t2_ns <= 2 * t1_ns * (1 + 1e-12)) or not (0 <= depol1 <= 1):
        raise InputError(f"need t1_ns > 0, 0 < t2_ns <= 2 t1_ns and depol1 in [0, 1]; got {t1_ns}, {t2_ns}, "
                         f"{depol1}")
    tqc = transpile_collision(collision_circuit(design, cp), "depol=0", seed=seed)
    idles = [idle_superop(t, t1_ns, t2_ns) for t in idle]
    l1 = np.empty((lam.size, idle.size))
    for i, x in enumerate(lam):
        S = collision_superop(tqc, f"depol={float(depol1)!r},depol2={float(x)!r}")
        for j, I_t in enumerate(idles):
            l1[i, j] = float(measures.l1_norm(measures.bloch_vector(fixed_point(I_t @ S))))
    return SurvivalMap(design=design, collision=cp, depol1=float(depol1), depol2=lam, idle_ns=idle,
                       t1_ns=float(t1_ns), t2_ns=float(t2_ns), l1=l1, two_qubit_gates=two_qubit_gate_count(tqc),
                       gate_duration_s=collision_duration(tqc, "depol=0"))
