r"""Parameter sweeps as primitive PUBs: three sampler PUBs for a whole sweep, and an estimator route.

A sweep over points :math:`(g, p_1, p_2, T_1, T_2)` and step lengths ``dt`` at one fixed number of Trotter
steps :math:`N` is the *parametric* dilated collision circuit
(:func:`qc_reset.circuits.collision.trotter_circuit` with :class:`~qc_reset.circuits.parameters.CircuitParameters`)
measured on qubit 1 in X, Y and Z (:func:`qc_reset.circuits.measurement.append_measurement`). So it is
**three PUBs**, one per basis, each carrying a ``BindingsArray`` of shape ``(n_points,)`` built from the
package's clipped bindings (:meth:`CircuitParameters.binds`: a raw ``T = 0`` would bind to NaN), submitted
as **one job** to any ``BaseSamplerV2`` (default: ``qiskit_aer.primitives.SamplerV2`` on the density-matrix
method, seeded).

* :func:`sweep_circuits`, :func:`sweep_values`, :func:`sweep_pubs`: the PUBs (nothing is run).
* :func:`sweep_steps`: ``steps="auto"`` as one :math:`N` converging *every* point: the largest over the
  points of :func:`~qc_reset.model.channels.auto_steps` of the ideal step channel, to the tolerance
  :func:`qc_reset.run.tomography.convergence_tol` of the shots.
* :func:`counts_from_pubs`: the one adapter from the PUB results' ``BitArray`` s to the package's counts
  layout ``(n_points, 3, 2)`` (bases X, Y, Z; outcomes 0, 1) of qubit 1, vectorized over the packed
  shot bytes.
* :func:`run_sweep`: PUBs, job, counts, and :func:`qc_reset.stats.tomography.analyze` per point, in a
  :class:`PubSweep` record.
* :func:`estimate_sweep`: ``<X>, <Y>, <Z>`` of qubit 1 from an ``EstimatorV2`` (default:
  ``qiskit_aer.primitives.EstimatorV2``) on the circuit without measurements, with a target
  ``precision``, in a :class:`BlochSweep` record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, quote, real_number
from .._checks import order as check_order
from .._checks import steps as check_steps
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import BASES, MEASURED_QUBIT, append_measurement, resolve_steps
from ..circuits.parameters import CircuitParameters, check_circuit_steps, validate_dt
from ..model.operators import FloatArray
from ..model.params import Params
from ..stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES, SeedLike, linear_inversion, standard_errors
from ..stats.records import TomographyResult
from ..stats.tomography import analyze
from .backends import bit_counts
from .seeds import fresh_seed, seed_streams, stream_seed
from .simulator import require_points
from .tomography import convergence_tol

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2, BitArray
    from qiskit.primitives.containers import PubResult

__all__ = [
    "CREG",
    "PARAMETER_NAMES",
    "AER_OPTIONS",
    "DtLike",
    "sweep_dts",
    "sweep_steps",
    "sweep_circuits",
    "sweep_values",
    "sweep_pubs",
    "counts_from_bitarrays",
    "counts_from_pubs",
    "PubSweep",
    "run_sweep",
    "bloch_observables",
    "BlochSweep",
    "estimate_sweep",
]

#: Classical register of the sweep circuits (one bit: qubit 1's outcome); ``pub_result.data.meas``.
CREG: str = "meas"
#: Circuit parameters of a sweep, in the column order of :func:`sweep_values`.
PARAMETER_NAMES: tuple[str, ...] = ("g", "p1", "p2", "T1", "T2", "dt")
#: Aer options of the default primitives. Density matrix: the resets of the dilated circuit are exact and
#: the final measurement is sampled once per point; the bound points run in parallel over all cores (a
#: 4-qubit density matrix gains nothing from parallel state updates).
AER_OPTIONS: dict[str, Any] = {"method": "density_matrix", "max_parallel_experiments": 0}
#: Step lengths of a sweep: one number, or one per point.
DtLike: TypeAlias = "float | Sequence[float] | FloatArray"


# ------------------------------------------------------------------------------------------- building
def sweep_dts(dt: DtLike, n_points: int) -> FloatArray:
    """``dt`` as one step length per point: a number (shared) or a sequence of ``n_points`` numbers > 0."""
    if isinstance(dt, (str, bytes, dict)):
        raise InputError(f"dt must be a number or have one entry per point; got {quote(dt)}")
    arr = np.asarray(dt, dtype=object)
    values: list[Any] = [dt] * n_points if arr.ndim == 0 else list(arr.ravel())
    if arr.ndim > 1 or len(values) != n_points:
        raise InputError(f"dt must be a number or have one entry per point ({n_points}); got shape {arr.shape}")
    for x in values:
        validate_dt(x)
    return np.array([float(x) for x in values])


def sweep_steps(points: Sequence[Params], dt: DtLike, *, order: int = 2,
                steps: int | str = "auto", tol: float = 1e-6) -> int:
    """One step count for the whole sweep: ``steps``, or for ``"auto"`` the largest per-point auto count.

    Each point's count is :func:`~qc_reset.circuits.measurement.resolve_steps` (the ideal step channel
    converged to trace distance ``tol`` of its fixed point), so every point of the sweep is converged.
    """
    pts = require_points(points)
    n = check_steps(steps)
    if n != "auto":
        return int(n)
    order = check_order(order)
    dts = sweep_dts(dt, len(pts))
    return max(resolve_steps(p, float(d), order, "auto", tol) for p, d in zip(pts, dts, strict=True))


def _base_circuit(cp: CircuitParameters, steps: int, order: int) -> QuantumCircuit:
    n = check_steps(steps, allow_auto=False)
    assert isinstance(n, int)
    check_circuit_steps(n, "dilated")
    return trotter_circuit(cp, steps=n, order=check_order(order), realization="dilated", save=False)


def sweep_circuits(steps: int, *, order: int = 2, cparams: CircuitParameters | None = None) -> list[QuantumCircuit]:
    """The X, Y, Z tomography circuits of qubit 1 on the parametric dilated circuit of ``steps`` steps.

    Each has one classical bit in register :data:`CREG`; ``metadata`` holds ``basis``, ``qubit``
    (:data:`MEASURED_QUBIT`), ``creg``, ``clbits``, ``parameters`` (:data:`PARAMETER_NAMES`),
    ``realization``, ``order`` and ``steps``.

    Example:
        >>> qcs = sweep_circuits(2)
        >>> [qc.metadata["basis"] for qc in qcs], sorted(p.name for p in qcs[0].parameters)
        (['X', 'Y', 'Z'], ['T1', 'T2', 'dt', 'g', 'p1', 'p2'])
    """
    from qiskit import ClassicalRegister  # lazy: qiskit is needed only once circuits are built

    cp = cparams if cparams is not None else CircuitParameters.create()
    base = _base_circuit(cp, steps, order)
    out = []
    for b in BASES:
        qc = base.copy(name=f"sweep_{b}_{base.metadata['steps']}")
        qc.add_register(ClassicalRegister(1, CREG))
        append_measurement(qc, b, MEASURED_QUBIT)
        qc.metadata = {"basis": b, "qubit": MEASURED_QUBIT, "creg": CREG, "clbits": [0],
                       "parameters": list(PARAMETER_NAMES), "realization": "dilated",
                       "order": base.metadata["order"], "steps": base.metadata["steps"]}
        out.append(qc)
    return out


def sweep_values(cp: CircuitParameters, points: Sequence[Params], dt: DtLike) -> FloatArray:
    """Parameter values ``(n_points, 6)`` in the order of ``cp.parameters()`` (temperatures clipped)."""
    pts = require_points(points)
    binds = cp.binds(pts, list(sweep_dts(dt, len(pts))))
    return np.column_stack([np.asarray(binds[p], dtype=float) for p in cp.parameters()])


def sweep_pubs(points: Sequence[Params], dt: DtLike, *, steps: int, order: int = 2,
               shots: int | None = None) -> list[tuple[Any, ...]]:
    """Three sampler PUBs ``(circuit, BindingsArray, shots)`` (bases X, Y, Z) covering every point."""
    from qiskit.primitives.containers import BindingsArray  # lazy: qiskit primitives, only to build PUBs

    cp = CircuitParameters.create()
    values = sweep_values(cp, points, dt)
    bindings = BindingsArray({tuple(cp.parameters()): values})
    circs = sweep_circuits(steps, order=order, cparams=cp)
    return [(qc, bindings) if shots is None else (qc, bindings, check_shots(shots)) for qc in circs]


# ------------------------------------------------------------------------------------------- adapter
def counts_from_bitarrays(arrays: Sequence[BitArray], clbit: int = 0) -> npt.NDArray[np.int64]:
    """Counts ``(n_points, 3, 2)`` of bit ``clbit`` from three ``BitArray`` s of shape ``(n_points,)``.

    ``arrays`` are the X, Y, Z bases in this order; outcome 0 counts the shots whose bit is 0.
    """
    arrays = list(arrays)
    if len(arrays) != len(BASES):
        raise InputError(f"arrays must hold one BitArray per basis X, Y, Z (3); got {len(arrays)}")
    shapes = {tuple(a.shape) for a in arrays}
    if len(shapes) != 1 or len(next(iter(shapes))) != 1:
        raise InputError(f"the BitArrays must share one shape (n_points,); got {[tuple(a.shape) for a in arrays]}")
    return np.stack([bit_counts(a, clbit) for a in arrays], axis=1)


def counts_from_pubs(results: Sequence[PubResult], creg: str = CREG, clbit: int = 0) -> npt.NDArray[np.int64]:
    """Counts ``(n_points, 3, 2)`` of qubit 1 from the three PUB results of :func:`sweep_pubs`."""
    arrays = []
    for i, res in enumerate(results):
        if not hasattr(res.data, creg):
            raise InputError(f"results[{i}] has no classical register {creg!r}; it has {list(res.data.keys())}")
        arrays.append(getattr(res.data, creg))
    return counts_from_bitarrays(arrays, clbit)


# ------------------------------------------------------------------------------------------- sampler runs
def _default_sampler(seed: int) -> BaseSamplerV2:
    from qiskit_aer.primitives import SamplerV2  # lazy, heavy: Aer loads only when a sweep is run

    return SamplerV2(seed=seed, options={"backend_options": dict(AER_OPTIONS)})


def _record(d: Any, keys: tuple[str, ...], what: str) -> tuple[list[Params], int]:
    """The points and steps of a record dict with ``keys``; ``InputError`` naming the record otherwise."""
    if not isinstance(d, dict) or [k for k in keys if k not in d]:
        raise InputError(f"a {what} record must be a dict with the keys {', '.join(keys)}; got {quote(d)}")
    steps = check_steps(d["steps"], allow_auto=False)
    assert isinstance(steps, int)
    return [Params.from_dict(p) for p in d["points"]], steps


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare to_dict() instead
class PubSweep:
    """A sampled sweep: counts ``(n, 3, 2)``, linear-inversion ``bloch``/``stderr`` ``(n, 3)``, per-point records."""

    points: tuple[Params, ...]
    dt: FloatArray
    order: int
    steps: int
    shots: int
    seed: int | None
    counts: npt.NDArray[np.int64]
    results: tuple[TomographyResult, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.points)
        if np.shape(self.counts) != (n, 3, 2) or np.shape(self.dt) != (n,):
            raise InputError(f"counts must have shape ({n}, 3, 2) and dt ({n},) for {n} points; "
                             f"got {np.shape(self.counts)} and {np.shape(self.dt)}")
        if self.results and len(self.results) != n:
            raise InputError(f"results must be empty or hold one record per point ({n}); got {len(self.results)}")

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
                "results": [r.to_dict() for r in self.results]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PubSweep:
        """The record of :meth:`to_dict`."""
        pts, steps = _record(d, ("points", "dt", "order", "steps", "shots", "seed", "counts", "results"), "PubSweep")
        return cls(points=tuple(pts), dt=np.asarray(d["dt"], dtype=float),
                   order=check_order(d["order"]), steps=steps, shots=check_shots(d["shots"]),
                   seed=None if d["seed"] is None else int(d["seed"]),
                   counts=np.asarray(d["counts"], dtype=np.int64),
                   results=tuple(TomographyResult.from_dict(r) for r in d["results"]))


def run_sweep(
    points: Sequence[Params],
    *,
    shots: int,
    seed: SeedLike,
    dt: DtLike = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    tol: float | None = None,
    sampler: BaseSamplerV2 | None = None,
    analysis: bool = True,
    level: float = DEFAULT_LEVEL,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> PubSweep:
    """Tomography of qubit 1 at every point: three PUBs, one sampler job, counts, and the analysis per point.

    Args:
        points: the parameter points (non-empty).
        shots: shots per basis and point.
        seed: integer, Generator or None (a fresh integer, recorded); expanded into the sampler's seed and
            the per-point bootstrap streams (ignored by a given ``sampler``'s own sampling).
        dt: one step length, or one per point (all points share the step count).
        steps: steps, or ``"auto"`` (:func:`sweep_steps` at ``tol``, default
            :func:`~qc_reset.run.tomography.convergence_tol` of ``shots``).
        sampler: any ``BaseSamplerV2``; default Aer's ``SamplerV2`` (:data:`AER_OPTIONS`, seeded).
        analysis: run :func:`~qc_reset.stats.tomography.analyze` per point (``results``); else only counts.

    Example:
        >>> run = run_sweep([Params(0.06, 0.3, 0.3, 0.1, 0.0)], shots=2000, seed=1, dt=0.5, steps=4,
        ...                 analysis=False)
        >>> run.counts.shape, int(run.counts[0].sum())
        ((1, 3, 2), 6000)
    """
    pts = require_points(points)
    shots = check_shots(shots)
    dts = sweep_dts(dt, len(pts))
    seed = fresh_seed() if seed is None else seed
    n = sweep_steps(pts, dts, order=order, steps=steps, tol=convergence_tol(shots) if tol is None else tol)
    s_run, s_boot = seed_streams(seed, 2)
    pubs = sweep_pubs(pts, dts, steps=n, order=order, shots=shots)
    smp = sampler if sampler is not None else _default_sampler(stream_seed(s_run))
    result = smp.run(pubs, shots=shots).result()
    counts = counts_from_pubs(list(result))
    records: tuple[TomographyResult, ...] = ()
    if analysis:
        records = tuple(analyze(c, level=level, n_resamples=n_resamples, seed=np.random.default_rng(s))
                        for c, s in zip(counts, s_boot.spawn(len(pts)), strict=True))
    return PubSweep(points=tuple(pts), dt=dts, order=check_order(order), steps=n, shots=shots,
                    seed=seed if isinstance(seed, int) else None, counts=counts, results=records)


# ------------------------------------------------------------------------------------------- estimator runs
def bloch_observables(num_qubits: int, qubit: int = MEASURED_QUBIT) -> list[Any]:
    """``SparsePauliOp`` s X, Y, Z on ``qubit`` of a ``num_qubits``-qubit circuit (identity elsewhere)."""
    from qiskit.quantum_info import SparsePauliOp  # lazy: qiskit quantum_info, only for the estimator route

    return [SparsePauliOp.from_sparse_list([(b, [qubit], 1.0)], num_qubits) for b in BASES]


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


def estimate_sweep(
    points: Sequence[Params],
    *,
    precision: float,
    seed: int | None = None,
    dt: DtLike = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    tol: float | None = None,
    estimator: BaseEstimatorV2 | None = None,
) -> BlochSweep:
    """``<X>, <Y>, <Z>`` of qubit 1 at every point: one estimator PUB (observables ``(3, 1)`` x points ``(n,)``).

    Args:
        precision: target standard error of each expectation value, in ``[0, 1]`` (0: exact on Aer).
        seed: the default Aer ``EstimatorV2``'s seed (its Gaussian precision noise).
        steps: steps, or ``"auto"`` (:func:`sweep_steps` at ``tol``, default ``precision / 10`` or 1e-6).
        estimator: any ``BaseEstimatorV2``; default Aer's ``EstimatorV2`` (:data:`AER_OPTIONS`).
    """
    from qiskit.primitives.containers import BindingsArray  # lazy: qiskit primitives, only to build PUBs

    pts = require_points(points)
    prec = real_number("precision", precision, lo=0.0, hi=1.0)
    dts = sweep_dts(dt, len(pts))
    tol = tol if tol is not None else (prec / 10 if prec > 0 else 1e-6)
    n = sweep_steps(pts, dts, order=order, steps=steps, tol=tol)
    cp = CircuitParameters.create()
    qc = _base_circuit(cp, n, order)
    qc.metadata = {**qc.metadata, "qubit": MEASURED_QUBIT, "parameters": list(PARAMETER_NAMES)}
    bindings = BindingsArray({tuple(cp.parameters()): sweep_values(cp, pts, dts)})
    obs = [[o] for o in bloch_observables(qc.num_qubits)]  # shape (3, 1): broadcast against the points (n,)
    if estimator is None:
        from qiskit_aer.primitives import EstimatorV2  # lazy, heavy: Aer loads only when a sweep is run

        run_options = {} if seed is None else {"seed_simulator": int(seed)}
        estimator = EstimatorV2(options={"backend_options": dict(AER_OPTIONS), "run_options": run_options})
    res = estimator.run([(qc, obs, bindings, prec)]).result()[0]
    evs = np.asarray(res.data.evs, dtype=float).reshape(3, len(pts)).T
    stds = np.asarray(res.data.stds, dtype=float).reshape(3, len(pts)).T
    return BlochSweep(points=tuple(pts), dt=dts, order=check_order(order), steps=n, precision=prec,
                      bloch=evs, stds=stds)
