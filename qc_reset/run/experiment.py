r"""Tomography of qubit 1 as a qiskit-experiments experiment: :class:`MagicTomography` and its analysis.

:class:`MagicTomography` is a ``BaseExperiment`` of one parameter point. Its circuits are the package's
dilated Trotter circuit (:func:`qc_reset.circuits.trotter_circuit`, ``steps="auto"`` resolved by
:func:`qc_reset.circuits.measurement.resolve_steps` to :func:`qc_reset.run.tomography.convergence_tol` of
the shots) followed by the X, Y, Z measurements of :mod:`qc_reset.circuits.measurement`; each circuit's
``metadata`` holds ``basis``, ``qubit`` (the logical measured qubit), ``physical_qubit`` (after
transpilation), ``dt``, ``order``, ``steps`` and ``params``. The collision circuit is transpiled *once*
(the experiment's transpile options, ``initial_layout`` = its physical qubits) and the native basis
rotations are appended on the final physical qubit of paper qubit 1, so the three bases share one
layout and one readout calibration, as in :func:`qc_reset.run.tomography.run_tomography`.

:class:`MagicTomographyAnalysis` is a ``BaseAnalysis``: the counts become the package's (3, 2) counts
array, analysed by :func:`qc_reset.stats.tomography.analyze` (or, with readout mitigation,
:func:`qc_reset.stats.mitigation.mitigate_estimate` and :func:`qc_reset.stats.tomography.analyze_estimate`).
Its results hold plain JSON values (floats, lists, dicts, strings), so they round-trip through
qiskit-experiments' ``ExperimentEncoder``/``ExperimentDecoder``: ``bloch`` {value, stderr, covariance},
``l1_coherence`` {value, ci}, ``magic_witness`` {value, ci, verdict, level, method}, ``magic_verdict``,
``magic_class`` (the class verdict as a dict) and ``tomography`` (the whole
:class:`~qc_reset.stats.records.TomographyResult` dict; :func:`tomography_result` reads it back).

Seeds: the experiment option ``seed`` (an integer, or ``None`` for a fresh one recorded in the
experiment data's metadata) is expanded by :func:`qc_reset.run.seeds.seed_streams` into the streams of
the simulator, the transpiler, the readout calibration and the bootstrap, as in ``run_tomography``.
Importing this module needs the ``hardware`` extra (``qiskit-experiments``): the classes subclass its
``BaseExperiment`` and ``BaseAnalysis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit import transpile
from qiskit_experiments.framework import AnalysisResultData, BaseAnalysis, BaseExperiment, Options

from .._checks import InputError, check_shots, confidence_level, int_seed, quote, resamples
from .._checks import order as check_order
from .._checks import seed as check_seed
from .._checks import steps as check_steps
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import (
    BASES,
    MEASURED_QUBIT,
    NATIVE_MEASUREMENT,
    final_layout,
    noisy_tomography_circuits,
    resolve_steps,
    tomography_circuits,
)
from ..circuits.parameters import validate_dt
from ..model.params import Params
from ..stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES, get_estimator
from ..stats.mitigation import mitigate_estimate
from ..stats.records import TomographyResult
from ..stats.tomography import analyze, analyze_estimate
from ..stats.verdict import WITNESS_METHODS
from .backends import require_instructions
from .calibration import calibrate_readout
from .noise import parse_noise
from .seeds import fresh_seed, seed_streams, stream_seed
from .tomography import convergence_tol

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.providers import Job
    from qiskit_experiments.framework import ExperimentData

__all__ = [
    "DEFAULT_SHOTS",
    "DEFAULT_DT",
    "DEFAULT_QUBITS",
    "STREAMS",
    "MagicTomography",
    "MagicTomographyAnalysis",
    "counts_of",
    "tomography_result",
]

#: Default shots per basis of :class:`MagicTomography`.
DEFAULT_SHOTS: int = 4000
#: Default Trotter step of :class:`MagicTomography` (Strang, dilated: 43 steps at the README's point).
DEFAULT_DT: float = 0.5
#: Physical qubits of the dilated circuit when none are given: system qubits 0, 1, ancillas 2, 3.
DEFAULT_QUBITS: tuple[int, ...] = (0, 1, 2, 3)
#: Order of the streams :func:`~qc_reset.run.seeds.seed_streams` expands the experiment seed into.
STREAMS: tuple[str, ...] = ("simulator", "transpiler", "calibration", "bootstrap")


def _streams(seed: int) -> dict[str, int]:
    return dict(zip(STREAMS, (stream_seed(s) for s in seed_streams(seed, len(STREAMS))), strict=True))


def _check_experiment_options(fields: dict[str, Any]) -> None:
    """Raise InputError for a bad experiment option (each named, with its allowed range)."""
    if "shots" in fields:
        check_shots(fields["shots"])
    if "dt" in fields:
        validate_dt(fields["dt"])
    if "order" in fields:
        check_order(fields["order"])
    if "steps" in fields:
        check_steps(fields["steps"])
    if "seed" in fields and fields["seed"] is not None:
        int_seed(fields["seed"])
    tol = fields.get("tol")
    if tol is not None and (isinstance(tol, bool) or not isinstance(tol, int | float) or not 0 < tol < 1):
        raise InputError(f"tol must be None or a number in (0, 1); got {quote(tol)}")


class MagicTomography(BaseExperiment):
    """X, Y, Z tomography of qubit 1 after the dilated collision circuit of one parameter point.

    Experiment options (the defaults live here only): ``shots`` (per basis, :data:`DEFAULT_SHOTS`),
    ``seed`` (integer, or ``None``: fresh, recorded), ``dt`` (:data:`DEFAULT_DT`), ``order`` (2),
    ``steps`` (``"auto"`` or an integer) and ``tol`` (``None``: :func:`~qc_reset.run.tomography.convergence_tol`
    of the shots). The analysis options (level, resamples, mitigation) are those of
    :class:`MagicTomographyAnalysis`. Runs with ``backend.run`` by default (``backend_run=True``): Aer's
    ``seed_simulator`` then fixes the counts.

    Example:
        >>> from qiskit_aer import AerSimulator
        >>> exp = MagicTomography(Params(0.06, 0.3, 0.3, 0.1, 0.02), shots=2000, seed=1)
        >>> data = exp.run(AerSimulator(method="density_matrix")).block_for_results()
        >>> data.analysis_results("magic_verdict", dataframe=True).iloc[0]["value"]
        'magic'
    """

    def __init__(
        self,
        params: Params,
        physical_qubits: Sequence[int] | None = None,
        backend: Any = None,
        *,
        backend_run: bool = True,
        **experiment_options: Any,
    ) -> None:
        self._point = Params.require(params)
        qubits = tuple(DEFAULT_QUBITS if physical_qubits is None else physical_qubits)
        if len(qubits) != len(DEFAULT_QUBITS) or len(set(qubits)) != len(qubits):
            raise InputError(f"physical_qubits must be {len(DEFAULT_QUBITS)} distinct qubits (system 0, 1, ancillas); "
                             f"got {quote(physical_qubits)}")
        for q in qubits:
            int_seed(q, "physical_qubits")  # a whole number >= 0
        super().__init__(qubits, analysis=MagicTomographyAnalysis(), backend=backend, backend_run=backend_run)
        self._run_seed: int | None = None
        if experiment_options:
            self.set_experiment_options(**experiment_options)

    @classmethod
    def _default_experiment_options(cls) -> Options:
        options: Options = super()._default_experiment_options()
        options.shots = DEFAULT_SHOTS
        options.seed = None
        options.dt = DEFAULT_DT
        options.order = 2
        options.steps = "auto"
        options.tol = None
        return options

    def set_experiment_options(self, **fields: Any) -> None:
        """Set experiment options; ``InputError`` for a bad value (``AttributeError`` for an unknown name)."""
        _check_experiment_options(fields)
        super().set_experiment_options(**fields)

    @property
    def params(self) -> Params:
        """The parameter point."""
        return self._point

    @property
    def steps(self) -> int:
        """The number of Trotter steps (``"auto"`` resolved at the shots' convergence tolerance)."""
        o = self.experiment_options
        tol = convergence_tol(o.shots) if o.tol is None else float(o.tol)
        return resolve_steps(self._point, o.dt, o.order, o.steps, tol)

    def _point_metadata(self) -> dict[str, Any]:
        o = self.experiment_options
        return {"route": "gates", "realization": "dilated", "order": int(o.order), "dt": float(o.dt),
                "steps": self.steps, "params": self._point.to_dict()}

    def circuits(self) -> list[QuantumCircuit]:
        """The logical X, Y, Z tomography circuits (not transpiled), with their metadata."""
        o = self.experiment_options
        return tomography_circuits(self._point, o.dt, steps=self.steps, order=o.order, realization="dilated",
                                   route="gates")

    def _finalize(self) -> None:
        super()._finalize()
        seed = self.experiment_options.seed
        self._run_seed = fresh_seed() if seed is None else int(seed)

    def _seeds(self) -> dict[str, int]:
        if self._run_seed is None:
            self._finalize()
        assert self._run_seed is not None
        return _streams(self._run_seed)

    def _transpiled_circuits(self) -> list[QuantumCircuit]:
        """The collision circuit transpiled once, then native X, Y, Z measurements on one physical qubit."""
        require_instructions(self.backend, {"reset", "two-qubit gate", *NATIVE_MEASUREMENT}, "MagicTomography")
        meta = self._point_metadata()
        qc = trotter_circuit(self._point, meta["dt"], meta["steps"], order=meta["order"], realization="dilated",
                             save=False)
        opts = dict(self.transpile_options.__dict__)
        opts["initial_layout"] = list(self.physical_qubits)
        opts.setdefault("seed_transpiler", self._seeds()["transpiler"])
        tqc = transpile(qc, self.backend, **opts)
        return noisy_tomography_circuits(tqc, final_layout(tqc)[MEASURED_QUBIT], meta)

    def _metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = super()._metadata()
        o = self.experiment_options
        meta.update(self._point_metadata())
        meta.update({"shots": int(o.shots), "seed": self._run_seed, "streams": list(STREAMS)})
        return meta

    def _run_jobs(self, circuits: list[QuantumCircuit], sampler: Any = None, **run_options: Any) -> list[Job]:
        shots = int(self.experiment_options.shots)
        if run_options.get("shots") not in (None, shots):
            raise InputError(f"shots are an experiment option (set_experiment_options(shots=...)); got run option "
                             f"shots={quote(run_options['shots'])} against shots={shots}")
        run_options["shots"] = shots
        run_options.setdefault("seed_simulator", self._seeds()["simulator"])
        if self._backend_run:
            run_options.pop("meas_level", None)  # BackendV2.run of Aer and the fake devices classifies anyway
        jobs: list[Job] = super()._run_jobs(circuits, sampler=sampler, **run_options)
        return jobs


def _check_analysis_options(fields: dict[str, Any]) -> None:
    """Raise InputError for a bad analysis option (each named, with its allowed range)."""
    if "level" in fields:
        confidence_level(fields["level"])
    if "n_resamples" in fields:
        resamples(fields["n_resamples"])
    if "seed" in fields:
        check_seed(fields["seed"])
    if "estimator" in fields:
        get_estimator(fields["estimator"])
    if "witness_method" in fields and fields["witness_method"] not in WITNESS_METHODS:
        raise InputError(f"witness_method must be one of {', '.join(WITNESS_METHODS)}; "
                         f"got {quote(fields['witness_method'])}")
    if fields.get("cal_shots") is not None:
        check_shots(fields["cal_shots"], "cal_shots")
    if fields.get("assignment") is not None:
        # The package's validator of assignment matrices runs inside mitigate_estimate: probe it once.
        mitigate_estimate(np.ones((3, 2)), fields["assignment"], 1)
    if fields.get("calibration") is not None:
        spec = parse_noise(fields["calibration"])
        if spec.kind == "none":
            raise InputError("calibration must be a noise spec with readout error (e.g. 'fake:FakeManilaV2'); "
                             f"got {quote(fields['calibration'])}")


class MagicTomographyAnalysis(BaseAnalysis):
    """Counts of :class:`MagicTomography` to the package's tomography record, as analysis results.

    Options: ``level`` (:data:`~qc_reset.stats.estimators.DEFAULT_LEVEL`), ``n_resamples``
    (:data:`~qc_reset.stats.estimators.DEFAULT_RESAMPLES`), ``estimator``, ``witness_method``, ``seed`` of
    the bootstrap (``None``: the experiment seed's bootstrap stream), and readout mitigation by either
    ``assignment`` (a measured 2x2 matrix :math:`A_{ij} = P(i|j)`) or ``calibration`` (a noise spec such
    as ``"fake:FakeManilaV2"``: :func:`qc_reset.run.calibration.calibrate_readout` of the measured
    physical qubit, seeded by the calibration stream), with ``cal_shots`` shots per prepared state
    (``None``: the experiment's shots).
    """

    @classmethod
    def _default_options(cls) -> Options:
        options: Options = super()._default_options()
        options.level = DEFAULT_LEVEL
        options.n_resamples = DEFAULT_RESAMPLES
        options.estimator = "linear_inversion"
        options.witness_method = "union"
        options.seed = None
        options.assignment = None
        options.calibration = None
        options.cal_shots = None
        return options

    def set_options(self, **fields: Any) -> None:
        """Set analysis options; ``InputError`` for a bad value."""
        _check_analysis_options(fields)
        merged = {**self.options.__dict__, **fields}
        if merged["assignment"] is not None and merged["calibration"] is not None:
            raise InputError("give one of the analysis options assignment and calibration, not both")
        if (merged["assignment"] is not None or merged["calibration"] is not None) and \
                merged["estimator"] != "linear_inversion":
            raise InputError("estimator must be 'linear_inversion' with readout mitigation (the mitigated estimate "
                             f"is the inverted assignment, not a likelihood fit); got {merged['estimator']!r}")
        super().set_options(**fields)

    def _run_analysis(self, experiment_data: ExperimentData) -> tuple[list[AnalysisResultData], list[Any]]:
        o = self.options
        meta = experiment_data.metadata
        counts = counts_of(experiment_data)
        seeds = _streams(int(meta["seed"])) if meta.get("seed") is not None else None
        boot_seed = o.seed if o.seed is not None else (None if seeds is None else seeds["bootstrap"])
        physical = {int(d["metadata"].get("physical_qubit", MEASURED_QUBIT)) for d in experiment_data.data()}
        mitigation: dict[str, Any] | None = None
        if o.assignment is not None or o.calibration is not None:
            m = check_shots(o.cal_shots if o.cal_shots is not None else int(meta["shots"]), "cal_shots")
            if o.assignment is not None:
                A = np.asarray(o.assignment, dtype=float)
            else:
                if len(physical) != 1:
                    raise InputError(f"the three bases were measured on different physical qubits {sorted(physical)}")
                cal_seed = 0 if seeds is None else seeds["calibration"]
                A = calibrate_readout(o.calibration, physical.pop(), shots=m, seed=cal_seed)
            bloch, cov = mitigate_estimate(counts, A, m)
            result = analyze_estimate(bloch, cov, level=o.level, n_resamples=o.n_resamples, seed=boot_seed,
                                      witness_method=o.witness_method)
            mitigation = {"assignment": A.tolist(), "cal_shots": m, "calibration": o.calibration}
        else:
            result = analyze(counts, level=o.level, n_resamples=o.n_resamples, seed=boot_seed,
                             estimator=o.estimator, witness_method=o.witness_method)
        return _results(result, counts, mitigation, meta), []


def counts_of(experiment_data: ExperimentData) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The (3, 2) counts array (bases X, Y, Z; outcomes 0, 1) of a :class:`MagicTomography` run."""
    counts = np.zeros((3, 2), dtype=np.int64)
    seen = set()
    for d in experiment_data.data():
        basis = d["metadata"].get("basis")
        if basis not in BASES:
            raise InputError(f"experiment data holds a circuit without a tomography basis (metadata {quote(d)})")
        k = BASES.index(basis)
        counts[k] += [int(d["counts"].get("0", 0)), int(d["counts"].get("1", 0))]
        seen.add(basis)
    if missing := [b for b in BASES if b not in seen]:
        raise InputError(f"experiment data lacks the bases {', '.join(missing)}")
    return counts


def _results(result: TomographyResult, counts: np.ndarray[Any, Any], mitigation: dict[str, Any] | None,
             meta: dict[str, Any]) -> list[AnalysisResultData]:
    d = result.to_dict()
    extra = {"counts": np.asarray(counts).tolist(), "mitigation": mitigation, "steps": meta.get("steps"),
             "seed": meta.get("seed")}
    components = list(meta.get("device_components", []))
    values: list[tuple[str, Any]] = [
        ("bloch", {"value": d["bloch"], "stderr": d["stderr"], "covariance": d["covariance"]}),
        ("l1_coherence", d["l1_coherence"]),
        ("magic_witness", d["magic_witness"]),
        ("magic_verdict", d["magic_witness"]["verdict"]),
    ]
    if d["magic_class"] is not None:
        values.append(("magic_class", d["magic_class"]))
    values.append(("tomography", d))
    return [AnalysisResultData(name=name, value=value, quality="good", extra=extra, device_components=components)
            for name, value in values]


def tomography_result(experiment_data: ExperimentData) -> TomographyResult:
    """The :class:`~qc_reset.stats.records.TomographyResult` of an analysed :class:`MagicTomography` run."""
    rows = experiment_data.analysis_results("tomography", dataframe=True)
    if len(rows) == 0:
        raise InputError("experiment data holds no 'tomography' analysis result (was the analysis run?)")
    return TomographyResult.from_dict(rows.iloc[-1]["value"])
