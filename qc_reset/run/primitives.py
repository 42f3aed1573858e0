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
* :func:`counts_from_pubs`: the PUB results' ``BitArray`` s in the package's counts layout
  ``(n_points, 3, 2)`` (bases X, Y, Z; outcomes 0, 1) of qubit 1, through
  :func:`qc_reset.run.backends.pub_counts`, the one adapter of every sampler path.
* :func:`run_sweep`: PUBs, job, counts, and :func:`qc_reset.stats.tomography.analyze` per point, in a
  :class:`PubSweep` record.
* :func:`estimate_sweep`: ``<X>, <Y>, <Z>`` of qubit 1 from an ``EstimatorV2`` (default:
  ``qiskit_aer.primitives.EstimatorV2``) on the circuit without measurements, with a target
  ``precision``, in a :class:`BlochSweep` record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, int_seed, quote, real_number
from .._checks import order as check_order
from .._checks import steps as check_steps
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import BASES, MEASURED_QUBIT, append_measurement, resolve_steps
from ..circuits.parameters import CircuitParameters, check_circuit_steps, validate_dt
from ..model.operators import FloatArray
from ..model.params import Params
from ..stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES, SeedLike
from ..stats.records import TomographyResult
from ..stats.tomography import analyze
from . import backends
from .backends import pub_counts
from .budget import circuit_budget
from .pub_records import BlochSweep, PubSweep
from .pub_transpile import NEEDED_INSTRUCTIONS, device_circuits
from .seeds import fresh_seed, seed_streams, stream_seed
from .simulator import require_points
from .tomography import convergence_tol

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2, BitArray
    from qiskit.primitives.containers import PubResult
    from qiskit.providers import BackendV2

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
    "backend_sampler",
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
def _sweep_layout(counts: npt.NDArray[np.int64], what: str) -> npt.NDArray[np.int64]:
    """``(3, n_points, 2)`` of :func:`~qc_reset.run.backends.pub_counts` as the sweep's ``(n_points, 3, 2)``."""
    if counts.shape[0] != len(BASES) or counts.ndim != 3:
        raise InputError(f"{what} must hold one result per basis X, Y, Z (3) of shape (n_points,); got counts of "
                         f"shape {counts.shape[:-1]}")
    return np.moveaxis(counts, 0, 1)


def counts_from_bitarrays(arrays: Sequence[BitArray], clbit: int = 0) -> npt.NDArray[np.int64]:
    """Counts ``(n_points, 3, 2)`` of bit ``clbit`` from three ``BitArray`` s of shape ``(n_points,)``.

    ``arrays`` are the X, Y, Z bases in this order; outcome 0 counts the shots whose bit is 0. A thin view
    of :func:`qc_reset.run.backends.pub_counts`, the package's one ``BitArray`` adapter.
    """
    arrays = list(arrays)
    if len(arrays) != len(BASES):
        raise InputError(f"arrays must hold one BitArray per basis X, Y, Z (3); got {len(arrays)}")
    return _sweep_layout(pub_counts(arrays, clbit=clbit), "arrays")


def counts_from_pubs(results: Sequence[PubResult], creg: str = CREG, clbit: int = 0) -> npt.NDArray[np.int64]:
    """Counts ``(n_points, 3, 2)`` of qubit 1 from the three PUB results of :func:`sweep_pubs`.

    A thin view of :func:`qc_reset.run.backends.pub_counts` on register ``creg``.
    """
    return _sweep_layout(pub_counts(list(results), creg=creg, clbit=clbit), "results")


# ------------------------------------------------------------------------------------------- sampler runs
def _default_sampler(seed: int) -> BaseSamplerV2:
    from qiskit_aer.primitives import SamplerV2  # lazy, heavy: Aer loads only when a sweep is run

    return SamplerV2(seed=seed, options={"backend_options": dict(AER_OPTIONS)})


def backend_sampler(backend: BackendV2, *, seed: int | None = None) -> BaseSamplerV2:
    """The sampler of ``backend=`` in shot-based work: Aer's ``SamplerV2`` on the device's noise and target.

    An ``AerSimulator`` must use the density-matrix method (or ``"automatic"``); any other ``BackendV2`` is
    emulated by ``AerSimulator.from_backend(backend, method="density_matrix")``
    (:func:`qc_reset.run.backends.device_simulator`): the ``reset`` channels of the dilated circuit are then
    exact and each point is simulated once. To run on the device itself, pass its sampler instead
    (``sampler=qiskit_ibm_runtime.SamplerV2(mode=backend)``).
    """
    from qiskit_aer.primitives import SamplerV2  # lazy, heavy: Aer loads only when a sweep is run

    sim = backends.device_simulator(backend)
    smp = SamplerV2.from_backend(sim)
    if seed is not None:
        smp.options.run_options = {**smp.options.run_options, "seed_simulator": int(seed)}
    return smp


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
    backend: BackendV2 | None = None,
    optimization_level: int | None = None,
    initial_layout: Sequence[int] | None = None,
    pass_manager: Any = None,
    seed_transpiler: int | None = None,
    analysis: bool = True,
    level: float = DEFAULT_LEVEL,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> PubSweep:
    """Tomography of qubit 1 at every point: three PUBs, one sampler job, counts, and the analysis per point.

    With a device (``backend=``, or a sampler that has one, e.g. ``qiskit_ibm_runtime.SamplerV2(mode=device)``)
    the three circuits are transpiled to its target first (:func:`qc_reset.run.pub_transpile.device_circuits`:
    parameters kept, qubit 1 measured on the physical qubit the layout gives it, every needed instruction
    checked before anything is submitted); otherwise they run untranspiled. On a device the record's
    ``budget`` is :func:`qc_reset.run.budget.circuit_budget` of the transpiled Z-basis circuit on the target
    (the X and Y circuits add one or two native single-qubit gates), with ``per_collision`` values.

    Args:
        points: the parameter points (non-empty).
        shots: shots per basis and point.
        seed: integer, Generator or None (a fresh integer, recorded); expanded into the sampler's seed, the
            transpiler's seed and the per-point bootstrap streams (a given ``sampler`` samples with its own seed).
        dt: one step length, or one per point (all points share the step count).
        steps: steps, or ``"auto"`` (:func:`sweep_steps` at ``tol``, default
            :func:`~qc_reset.run.tomography.convergence_tol` of ``shots``).
        sampler: any ``BaseSamplerV2``; default Aer's ``SamplerV2`` (:data:`AER_OPTIONS`, seeded), or
            :func:`backend_sampler` of ``backend``.
        backend: any ``BackendV2``: the target to transpile to (also with a sampler), and without a sampler
            the device emulated by :func:`backend_sampler`. An ``AerSimulator`` (density-matrix method) has no
            device layout: it runs the circuits as built, with its own noise model.
        optimization_level, initial_layout, pass_manager: the transpilation for a device (level default
            :data:`~qc_reset.run.backends.DEVICE_OPTIMIZATION_LEVEL`; ``initial_layout`` lists the physical
            qubits of the circuit's four qubits; a ``pass_manager`` replaces the preset).
        seed_transpiler: the transpiler's seed (integer >= 0); default a stream of ``seed``.
        analysis: run :func:`~qc_reset.stats.tomography.analyze` per point (``results``); else only counts.

    Example:
        >>> run = run_sweep([Params(0.06, 0.3, 0.3, 0.1, 0.0)], shots=2000, seed=1, dt=0.5, steps=4,
        ...                 analysis=False)
        >>> run.counts.shape, int(run.counts[0].sum())
        ((1, 3, 2), 6000)
    """
    from qiskit.primitives.containers import BindingsArray  # lazy: qiskit primitives, only to build PUBs
    from qiskit_aer import AerSimulator  # lazy, heavy: Aer loads only when a sweep is run

    pts = require_points(points)
    shots = check_shots(shots)
    dts = sweep_dts(dt, len(pts))
    seed = fresh_seed() if seed is None else seed
    target = backend if backend is not None else (None if sampler is None else backends.sampler_backend(sampler))
    if target is not None and isinstance(target, AerSimulator):
        if sampler is None:
            backends.device_simulator(target)  # a statevector simulator is refused before any work
        target = None  # no device layout: Aer runs the circuits as built (its noise model applies to their gates)
    if target is None and (optimization_level is not None or initial_layout is not None or pass_manager is not None):
        raise InputError("optimization_level, initial_layout and pass_manager need a device: backend= or a sampler "
                         "with a backend (the default circuits run untranspiled on Aer)")
    if target is not None:
        if sampler is None:
            backends.device_simulator(target)  # refuse a non-device (or a statevector Aer) before any work
        backends.require_instructions(target, NEEDED_INSTRUCTIONS, "the PUB-sweep circuits")
    n = sweep_steps(pts, dts, order=order, steps=steps, tol=convergence_tol(shots) if tol is None else tol)
    s_run, s_boot, s_tr = seed_streams(seed, 3)
    cp = CircuitParameters.create()
    dev = None
    budget = None
    if target is None:
        circs = sweep_circuits(n, order=order, cparams=cp)
    else:
        s_t = stream_seed(s_tr) if seed_transpiler is None else int_seed(seed_transpiler, "seed_transpiler")
        dev = device_circuits(cp, n, target, order=order, seed=s_t, optimization_level=optimization_level,
                              initial_layout=initial_layout, pass_manager=pass_manager, creg=CREG)
        circs = list(dev.circuits)
        # the three circuits differ only in the basis rotation: the Z circuit's budget stands for the sweep's
        budget = circuit_budget(circs[-1], getattr(target, "target", None), collisions=n).to_dict()
    bindings = BindingsArray({tuple(cp.parameters()): sweep_values(cp, pts, dts)})
    if sampler is not None:
        smp = sampler
    elif backend is not None:
        smp = backend_sampler(backend, seed=stream_seed(s_run))
    else:
        smp = _default_sampler(stream_seed(s_run))
    result = smp.run([(qc, bindings, shots) for qc in circs], shots=shots).result()
    counts = _sweep_layout(pub_counts(list(result), creg=CREG, shots=shots), "results")
    records: tuple[TomographyResult, ...] = ()
    if analysis:
        records = tuple(analyze(c, level=level, n_resamples=n_resamples, seed=np.random.default_rng(s))
                        for c, s in zip(counts, s_boot.spawn(len(pts)), strict=True))
    return PubSweep(points=tuple(pts), dt=dts, order=check_order(order), steps=n, shots=shots,
                    seed=seed if isinstance(seed, int) else None, counts=counts, results=records,
                    backend=None if target is None else str(getattr(target, "name", type(target).__name__)),
                    measured_qubit=MEASURED_QUBIT if dev is None else dev.measured_qubit,
                    layout=None if dev is None else dev.layout,
                    optimization_level=None if dev is None else dev.optimization_level, budget=budget)


# ------------------------------------------------------------------------------------------- estimator runs
def bloch_observables(num_qubits: int, qubit: int = MEASURED_QUBIT) -> list[Any]:
    """``SparsePauliOp`` s X, Y, Z on ``qubit`` of a ``num_qubits``-qubit circuit (identity elsewhere)."""
    from qiskit.quantum_info import SparsePauliOp  # lazy: qiskit quantum_info, only for the estimator route

    return [SparsePauliOp.from_sparse_list([(b, [qubit], 1.0)], num_qubits) for b in BASES]


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
