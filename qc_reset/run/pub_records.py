"""Records of PUB sweeps: :class:`PubSweep` (sampled counts and their analysis) and :class:`BlochSweep` (estimator).

Both are frozen, check their shapes in ``__post_init__`` and round-trip through ``to_dict`` / ``from_dict``.
:meth:`PubSweep.to_frame` gives one pandas row per point (pandas is the optional ``frames`` extra).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, quote
from .._checks import order as check_order
from .._checks import steps as check_steps
from .._version import install_hint
from ..circuits.measurement import MEASURED_QUBIT
from ..model.operators import FloatArray
from ..model.params import Params
from ..stats.estimators import linear_inversion, standard_errors
from ..stats.records import TomographyResult

__all__ = ["PubSweep", "BlochSweep", "FRAME_COLUMNS"]

#: Columns of :meth:`PubSweep.to_frame` after the point's parameters ``g, p1, p2, T1, T2, dt``.
FRAME_COLUMNS: tuple[str, ...] = (
    "rx", "ry", "rz", "stderr_x", "stderr_y", "stderr_z",
    "l1_coherence", "l1_coherence_lo", "l1_coherence_hi",
    "magic_witness", "magic_witness_lo", "magic_witness_hi", "verdict",
)


def _record(d: Any, keys: tuple[str, ...], what: str) -> tuple[list[Params], int]:
    """The points and steps of a record dict with ``keys``; ``InputError`` naming the record otherwise."""
    if not isinstance(d, dict) or [k for k in keys if k not in d]:
        raise InputError(f"a {what} record must be a dict with the keys {', '.join(keys)}; got {quote(d)}")
    steps = check_steps(d["steps"], allow_auto=False)
    assert isinstance(steps, int)
    return [Params.from_dict(p) for p in d["points"]], steps


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare to_dict() instead
class PubSweep:
    """A sampled sweep: counts ``(n, 3, 2)``, linear-inversion ``bloch``/``stderr`` ``(n, 3)``, per-point records.

    ``backend`` names the device the circuits were transpiled to (None: the untranspiled circuits of an
    Aer sampler); ``measured_qubit`` is the physical qubit that held qubit 1 when it was measured,
    ``layout`` the physical qubits of the circuit's four qubits at the start, ``optimization_level`` the
    transpiler level (None without a device or with a user pass manager). ``budget`` is the resource budget
    of the transpiled circuits when it was computed (two-qubit gates, depth, resets, ...), else None.
    """

    points: tuple[Params, ...]
    dt: FloatArray
    order: int
    steps: int
    shots: int
    seed: int | None
    counts: npt.NDArray[np.int64]
    results: tuple[TomographyResult, ...] = ()
    backend: str | None = None
    measured_qubit: int = MEASURED_QUBIT
    layout: tuple[int, ...] | None = None
    optimization_level: int | None = None
    budget: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        n = len(self.points)
        if np.shape(self.counts) != (n, 3, 2) or np.shape(self.dt) != (n,):
            raise InputError(f"counts must have shape ({n}, 3, 2) and dt ({n},) for {n} points; "
                             f"got {np.shape(self.counts)} and {np.shape(self.dt)}")
        if self.results and len(self.results) != n:
            raise InputError(f"results must be empty or hold one record per point ({n}); got {len(self.results)}")
        if self.layout is not None and len(self.layout) != 4:
            raise InputError(f"layout must list the physical qubits of the 4 circuit qubits; got {quote(self.layout)}")

    @property
    def bloch(self) -> FloatArray:
        """Linear-inversion Bloch vectors ``(n, 3)``."""
        return linear_inversion(self.counts)

    @property
    def stderr(self) -> FloatArray:
        """Their standard errors ``(n, 3)``."""
        return standard_errors(self.counts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``results`` as :meth:`TomographyResult.to_dict` records)."""
        return {"points": [p.to_dict() for p in self.points], "dt": self.dt.tolist(), "order": self.order,
                "steps": self.steps, "shots": self.shots, "seed": self.seed, "counts": self.counts.tolist(),
                "results": [r.to_dict() for r in self.results], "backend": self.backend,
                "measured_qubit": self.measured_qubit,
                "layout": None if self.layout is None else list(self.layout),
                "optimization_level": self.optimization_level, "budget": self.budget}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PubSweep:
        """The record of :meth:`to_dict` (records without the device keys load as untranspiled runs)."""
        pts, steps = _record(d, ("points", "dt", "order", "steps", "shots", "seed", "counts", "results"), "PubSweep")
        layout = d.get("layout")
        level = d.get("optimization_level")
        return cls(points=tuple(pts), dt=np.asarray(d["dt"], dtype=float),
                   order=check_order(d["order"]), steps=steps, shots=check_shots(d["shots"]),
                   seed=None if d["seed"] is None else int(d["seed"]),
                   counts=np.asarray(d["counts"], dtype=np.int64),
                   results=tuple(TomographyResult.from_dict(r) for r in d["results"]),
                   backend=d.get("backend"), measured_qubit=int(d.get("measured_qubit", MEASURED_QUBIT)),
                   layout=None if layout is None else tuple(int(q) for q in layout),
                   optimization_level=None if level is None else int(level), budget=d.get("budget"))

    def to_frame(self) -> Any:
        """One pandas ``DataFrame`` row per point: parameters, Bloch vector, errors, coherence, witness, verdict.

        Columns ``g, p1, p2, T1, T2, dt`` then :data:`FRAME_COLUMNS`: the linear-inversion Bloch vector
        ``rx, ry, rz`` and its standard errors, the l1 coherence with its interval (``_lo``, ``_hi``), the magic
        witness :math:`\\|r\\|_1 - 1` with its interval and the verdict ("magic", "stabilizer", "inconclusive").
        Needs the per-point analysis (``run_sweep(..., analysis=True)``) and pandas (the ``frames`` extra).
        """
        if not self.results:
            raise InputError("to_frame needs the per-point analysis: run the sweep with analysis=True")
        try:
            import pandas as pd  # lazy: optional (the frames extra), needed only for frames
        except ImportError:
            raise ImportError(f"PubSweep.to_frame needs pandas: {install_hint('pandas')}") from None
        bloch, stderr = self.bloch, self.stderr
        rows = []
        for k, (p, res) in enumerate(zip(self.points, self.results, strict=True)):
            c, w = res.l1_coherence, res.magic_witness
            rows.append({"g": p.g, "p1": p.p1, "p2": p.p2, "T1": p.T1, "T2": p.T2, "dt": float(self.dt[k]),
                         "rx": bloch[k, 0], "ry": bloch[k, 1], "rz": bloch[k, 2],
                         "stderr_x": stderr[k, 0], "stderr_y": stderr[k, 1], "stderr_z": stderr[k, 2],
                         "l1_coherence": c.value, "l1_coherence_lo": c.ci[0], "l1_coherence_hi": c.ci[1],
                         "magic_witness": w.value, "magic_witness_lo": w.ci[0], "magic_witness_hi": w.ci[1],
                         "verdict": w.verdict})
        return pd.DataFrame.from_records(rows, columns=["g", "p1", "p2", "T1", "T2", "dt", *FRAME_COLUMNS])


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare to_dict() instead
class BlochSweep:
    """Estimated Bloch vectors ``(n, 3)`` of qubit 1 and their standard errors ``stds`` ``(n, 3)``."""

    points: tuple[Params, ...]
    dt: FloatArray
    order: int
    steps: int
    precision: float
    bloch: FloatArray
    stds: FloatArray

    def __post_init__(self) -> None:
        n = len(self.points)
        if np.shape(self.bloch) != (n, 3) or np.shape(self.stds) != (n, 3) or np.shape(self.dt) != (n,):
            raise InputError(f"bloch and stds must have shape ({n}, 3) and dt ({n},) for {n} points")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"points": [p.to_dict() for p in self.points], "dt": self.dt.tolist(), "order": self.order,
                "steps": self.steps, "precision": self.precision, "bloch": self.bloch.tolist(),
                "stds": self.stds.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BlochSweep:
        """The record of :meth:`to_dict`."""
        pts, steps = _record(d, ("points", "dt", "order", "steps", "precision", "bloch", "stds"), "BlochSweep")
        return cls(points=tuple(pts), dt=np.asarray(d["dt"], dtype=float),
                   order=check_order(d["order"]), steps=steps, precision=float(d["precision"]),
                   bloch=np.asarray(d["bloch"], dtype=float), stds=np.asarray(d["stds"], dtype=float))
