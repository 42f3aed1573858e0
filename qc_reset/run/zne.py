r"""Zero-noise extrapolation (mitiq) of qubit 1's Bloch vector and magic witness on noisy collision circuits.

**Folding around resets.** mitiq's unitary folding (``mitiq.zne.scaling.fold_global``,
``fold_gates_at_random``) refuses a circuit with non-invertible operations other than terminal
measurements (``UnfoldableCircuitError``: "Circuit contains non-invertible channels which are not
terminal measurements"), and the dilated collision circuit resets its ancillas several times per step.
The noise is scaled instead on the *unitary layers between them*: the transpiled circuit is cut at
every non-gate instruction (``reset``, ``measure``) into maximal gate segments, mitiq folds each segment
(:math:`U \to U (U^\dagger U)^n` for ``fold_global`` at odd integer scale :math:`2n + 1`; randomly chosen
gates for ``fold_gates_at_random``), and the folded segments are put back between the unchanged resets.
The ideal channel is unchanged (tested) and the number of noisy gates grows by the scale factor, while
resets and measurements (ideal in the package's parametric noise) are never folded. The folded inverses
(``sxdg``, ``rz(-a)``) are translated back to the noise basis by Qiskit's ``BasisTranslator`` alone (no
optimization, which would cancel the folds), so each ``sxdg`` becomes one noisy ``sx``.

**Extrapolation.** mitiq's ``RichardsonFactory`` or ``LinearFactory`` (``Factory.extrapolate``) maps the
values at scale factors :math:`\lambda_k` to :math:`\lambda = 0`. Both are linear in the values, so the
extrapolation is :math:`\hat r = \sum_k c_k \hat r(\lambda_k)` with :math:`c_k` the factory's extrapolation
of the unit vectors (:func:`zne_coefficients`). The witness interval of shot-based runs propagates the
per-scale standard errors through these coefficients (:mod:`qc_reset.stats.extrapolation`), as for
step-size extrapolation; it is calibrated for :math:`\sum_k c_k r(\lambda_k)`, not for the ideal state.

Only the parametric noise specs of :mod:`qc_reset.run.noise` are supported: their basis
(``rz, sx, x, cx``) is what the folded circuits are translated back to without re-routing.

One concept, kept in one module of a little over 400 lines: zero-noise extrapolation of the witness, whose
folding, coefficients, exact and shot-based runs and their two records share the same scaled circuits.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from qiskit import QuantumCircuit
from qiskit.circuit import Gate

from .._checks import InputError, check_shots, choice, extrapolation_nodes, int_seed, interval_number
from .._checks import order as check_order
from .._version import install_hint
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import final_layout, noisy_tomography_circuits, resolve_steps, with_saved_state
from ..circuits.parameters import SYSTEM_QUBITS, validate_dt
from ..model import measures
from ..model import steady as exact
from ..model.operators import FloatArray
from ..model.params import Params
from ..stats.estimators import DEFAULT_LEVEL, SeedLike
from ..stats.extrapolation import combined_estimate, combined_witness
from ..stats.records import MagicVerdict
from . import noise as noise_mod
from .seeds import fresh_seed, seed_streams, stream_seed
from .tomography import ideal_state

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

__all__ = [
    "FACTORIES",
    "FOLDINGS",
    "DEFAULT_SCALES",
    "SCALE_SOURCES",
    "fold_between_resets",
    "counted_scales",
    "zne_coefficients",
    "ZNEWitness",
    "zne_witness",
    "ZNETomography",
    "zne_tomography",
]

#: mitiq factories by name.
FACTORIES: tuple[str, ...] = ("richardson", "linear")
#: mitiq folding functions by name: ``fold_global`` and ``fold_gates_at_random``.
FOLDINGS: tuple[str, ...] = ("global", "random")
#: Where the extrapolation's scale factors come from: the requested (nominal) ones, or the noisy gates counted
#: in each folded circuit, weighted by the spec's error per gate (:func:`counted_scales`).
SCALE_SOURCES: tuple[str, ...] = ("nominal", "counted")
#: Default noise scale factors (odd integers: ``fold_global`` scales every segment exactly).
DEFAULT_SCALES: tuple[float, ...] = (1.0, 3.0, 5.0)


def _mitiq() -> Any:
    try:
        from mitiq import zne  # lazy, heavy (cirq)
    except ImportError as exc:  # pragma: no cover - the hardware extra is installed in CI
        raise ImportError(f"zero-noise extrapolation needs mitiq: {install_hint('mitiq')}") from exc
    return zne


def fold_between_resets(circuit: QuantumCircuit, scale: float, *, folding: str = "global",
                        seed: int = 0) -> QuantumCircuit:
    r"""``circuit`` with every maximal gate segment between non-gate instructions folded by mitiq to ``scale``.

    ``folding`` is ``"global"`` (``fold_global``; identical segments are folded once and reused) or
    ``"random"`` (``fold_gates_at_random``, segment :math:`j` with seed ``seed + j``). ``scale = 1`` returns a
    copy. The result has the circuit's qubits, clbits and non-gate instructions in their places, with
    ``sxdg`` and other inverses translated to the parametric noise basis (:data:`~qc_reset.run.noise.BASIS_GATES`).

    Each distinct segment is converted to mitiq's internal (Cirq) form once, with ``mitiq.interface.mitiq_qiskit``'s
    ``from_qiskit`` (identities on its idle qubits keep every qubit in the conversion), folded there and converted
    back with ``to_qiskit``; the identities are dropped again. The conversion is what costs (tens of ms per
    segment through OpenQASM 2), and the dilated circuit repeats a handful of distinct segments per step.
    """
    zne = _mitiq()
    from mitiq.interface.mitiq_qiskit import from_qiskit, to_qiskit

    folding = choice("folding", folding, FOLDINGS)
    scale = interval_number("scale", scale, lo=1.0, hi=math.inf, hi_open=True)
    seed = int_seed(seed)
    n = circuit.num_qubits
    out = circuit.copy_empty_like()
    if scale == 1.0:
        out.compose(circuit, inplace=True)
        return out
    from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
    from qiskit.transpiler.passes import BasisTranslator

    translate = BasisTranslator(SessionEquivalenceLibrary, list(noise_mod.BASIS_GATES))
    internal: dict[tuple[Any, ...], Any] = {}  # distinct segment -> its mitiq (Cirq) circuit
    folded_cache: dict[tuple[Any, ...], QuantumCircuit] = {}
    segment: list[tuple[Gate, list[int]]] = []
    count = 0

    def back(folded_internal: Any) -> QuantumCircuit:
        qc = to_qiskit(folded_internal)
        if qc.num_qubits != n:  # pragma: no cover - the identities keep every qubit
            raise RuntimeError("mitiq changed the number of qubits of a folded segment")
        clean = QuantumCircuit(n)
        for inst in qc.data:
            if inst.operation.name != "id":
                clean.append(inst.operation, [qc.find_bit(q).index for q in inst.qubits])
        return translate(clean)

    def flush() -> None:
        nonlocal count
        if not segment:
            return
        key = tuple((g.name, tuple(float(p) for p in g.params), tuple(q)) for g, q in segment)
        folded = folded_cache.get(key)
        if folded is None:
            if key not in internal:
                seg = QuantumCircuit(n)
                for g, q in segment:
                    seg.append(g, q)
                for idle in sorted(set(range(n)) - {i for _, qs in segment for i in qs}):
                    seg.id(idle)
                internal[key] = from_qiskit(seg)
            if folding == "global":
                folded = folded_cache[key] = back(zne.scaling.fold_global(internal[key], scale))
            else:
                folded = back(zne.scaling.fold_gates_at_random(internal[key], scale, seed=seed + count))
        out.compose(folded, qubits=list(range(n)), inplace=True)
        count += 1
        segment.clear()

    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, Gate):
            segment.append((op, [circuit.find_bit(q).index for q in inst.qubits]))
        else:
            flush()
            out.append(inst)
    flush()
    return out


def zne_coefficients(scales: npt.ArrayLike = DEFAULT_SCALES, *, factory: str = "richardson") -> FloatArray:
    r"""Coefficients :math:`c_k` with mitiq's extrapolation :math:`= \sum_k c_k y_k` (the unit vectors' values).

    Example:
        >>> zne_coefficients([1, 3, 5]).round(6).tolist()
        [1.875, -1.25, 0.375]
    """
    zne = _mitiq()
    x = extrapolation_nodes("scales", scales, lo=1.0, lo_open=False)
    cls = {"richardson": zne.inference.RichardsonFactory, "linear": zne.inference.LinearFactory}[
        choice("factory", factory, FACTORIES)]
    return np.array([float(cls.extrapolate(list(x), list(e))) for e in np.eye(x.size)])


def _extrapolate(scales: FloatArray, values: FloatArray, factory: str) -> FloatArray:
    """mitiq's extrapolation of each Bloch component, values (K, 3) -> (3,)."""
    zne = _mitiq()
    cls = zne.inference.RichardsonFactory if factory == "richardson" else zne.inference.LinearFactory
    return np.array([float(cls.extrapolate(list(scales), list(values[:, i]))) for i in range(3)])


def _parametric(noise: Any) -> noise_mod.NoiseSpec:
    spec = noise_mod.parse_noise(noise)
    if spec.kind != "parametric":
        raise InputError(f"noise must be a parametric spec (e.g. 'depol=1e-3') for zero-noise extrapolation; got "
                         f"{str(spec)!r} (fake devices need routing, which the folded circuits do not redo)")
    return spec


def _scaled_circuits(params: Params, spec: noise_mod.NoiseSpec, dt: float, order: int, n: int, scales: FloatArray,
                     folding: str, seed: int) -> list[QuantumCircuit]:
    qc = trotter_circuit(params, dt, n, order=order, realization="dilated", save=False)
    tq = noise_mod.transpile_for(qc, spec, seed=seed)
    if final_layout(tq)[: len(SYSTEM_QUBITS)] != list(SYSTEM_QUBITS):  # pragma: no cover - no coupling map
        raise RuntimeError("the parametric transpilation moved the system qubits")
    return [fold_between_resets(tq, float(s), folding=folding, seed=seed) for s in scales]


def _noisy_ops(qc: QuantumCircuit) -> dict[str, int]:
    ops = qc.count_ops()
    return {k: int(ops.get(k, 0)) for k in ("sx", "x", "cx")}


def counted_scales(gate_counts: Sequence[dict[str, int]], spec: str | noise_mod.NoiseSpec) -> FloatArray:
    r"""Scale factors counted on the folded circuits: :math:`E_k/E_1`, :math:`E = w_1 (n_{sx} + n_x) + w_2 n_{cx}`.

    The weights are the spec's depolarizing parameters (``depol``, ``depol2``), or, without depolarizing
    error, the gate durations (the relaxation exposure). At odd integer scales of ``fold_global`` they equal
    the nominal ones; at fractional scales mitiq folds whole gates of each short segment, so the counted
    factor differs from the requested one (e.g. 1.82 for 2 on the dilated circuit).
    """
    s = _parametric(spec)
    w1, w2 = (s.depol, s.two_qubit_depol) if s.depol or s.two_qubit_depol else (s.gate_time, s.gate_time2)
    e = np.array([w1 * (c["sx"] + c["x"]) + w2 * c["cx"] for c in gate_counts], dtype=float)
    if e[0] <= 0:
        raise InputError("the unscaled circuit has no noisy gates to count")
    return e / e[0]


def _witness(r: FloatArray) -> float:
    return float(measures.l1_norm(r)) - 1.0


@dataclasses.dataclass(frozen=True, eq=False)  # array fields
class ZNEWitness:
    r"""Exact (density-matrix) zero-noise extrapolation of qubit 1's Bloch vector and the witness.

    ``bloch_scaled`` (K, 3): Aer's noisy state at each scale factor; ``bloch_zne`` mitiq's extrapolation;
    ``bloch_ideal`` the noiseless circuit state (:math:`S^N\rho_0`, same steps); ``bloch_exact`` the
    continuous steady state; ``gate_counts`` the noisy gates (``sx``, ``x``, ``cx``) of each folded circuit;
    ``effective_scales`` the scale factors of the extrapolation (``scales``, or :func:`counted_scales`) and
    ``coefficients`` its linear weights at them.
    """

    params: Params
    dt: float
    order: int
    steps: int
    noise: str
    scales: FloatArray
    effective_scales: FloatArray
    factory: str
    folding: str
    coefficients: FloatArray
    bloch_scaled: FloatArray
    bloch_zne: FloatArray
    bloch_ideal: FloatArray
    bloch_exact: FloatArray
    gate_counts: tuple[dict[str, int], ...]

    def __post_init__(self) -> None:
        k = len(self.scales)
        if (np.shape(self.bloch_scaled) != (k, 3) or np.shape(self.coefficients) != (k,)
                or np.shape(self.effective_scales) != (k,) or len(self.gate_counts) != k):
            raise InputError("bloch_scaled, coefficients, effective_scales and gate_counts must have one entry per "
                             "scale factor")

    @property
    def witness_noisy(self) -> float:
        """:math:`\\|r\\|_1 - 1` of the unscaled noisy circuit (the first scale factor)."""
        return _witness(self.bloch_scaled[0])

    @property
    def witness_zne(self) -> float:
        """:math:`\\|r\\|_1 - 1` of the extrapolated Bloch vector."""
        return _witness(self.bloch_zne)

    @property
    def witness_ideal(self) -> float:
        """:math:`\\|r\\|_1 - 1` of the noiseless circuit state."""
        return _witness(self.bloch_ideal)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields and the three witnesses."""
        return {
            "params": self.params.to_dict(), "dt": self.dt, "order": self.order, "steps": self.steps,
            "noise": self.noise, "scales": self.scales.tolist(), "effective_scales": self.effective_scales.tolist(),
            "factory": self.factory, "folding": self.folding,
            "coefficients": self.coefficients.tolist(), "bloch_scaled": self.bloch_scaled.tolist(),
            "bloch_zne": self.bloch_zne.tolist(), "bloch_ideal": self.bloch_ideal.tolist(),
            "bloch_exact": self.bloch_exact.tolist(), "gate_counts": list(self.gate_counts),
            "witness_noisy": self.witness_noisy, "witness_zne": self.witness_zne, "witness_ideal": self.witness_ideal,
        }


def _setup(params: Params, noise: Any, dt: float, order: int, steps: int | str, tol: float, scales: Any,
           factory: str, folding: str, scale_from: str) -> tuple[Params, noise_mod.NoiseSpec, int, int, FloatArray]:
    params = Params.require(params)
    spec = _parametric(noise)
    validate_dt(dt)
    order = check_order(order)
    x = extrapolation_nodes("scales", scales, lo=1.0, lo_open=False)
    choice("folding", folding, FOLDINGS)
    choice("factory", factory, FACTORIES)
    choice("scale_from", scale_from, SCALE_SOURCES)
    return params, spec, order, resolve_steps(params, dt, order, steps, tol), x


def _effective(x: FloatArray, counts: Sequence[dict[str, int]], spec: noise_mod.NoiseSpec, scale_from: str,
               factory: str) -> tuple[FloatArray, FloatArray]:
    """The scale factors of the extrapolation and its coefficients there."""
    eff = x if scale_from == "nominal" else counted_scales(counts, spec)
    return eff, zne_coefficients(eff, factory=factory)


def zne_witness(
    params: Params,
    noise: str | noise_mod.NoiseSpec = "depol=1e-3",
    *,
    dt: float = 0.5,
    order: int = 2,
    steps: int | str = "auto",
    tol: float = 1e-6,
    scales: Sequence[float] = DEFAULT_SCALES,
    factory: str = "richardson",
    folding: str = "global",
    scale_from: str = "nominal",
    seed: int = 0,
) -> ZNEWitness:
    """Zero-noise extrapolation with exact expectation values: Aer density matrices of the folded noisy circuits.

    ``steps="auto"`` converges the ideal step channel to ``tol``; ``seed`` fixes the transpiler and random folding;
    ``scale_from="counted"`` extrapolates in the noisy-gate counts of the folded circuits (:func:`counted_scales`)
    instead of the requested ``scales``.
    """
    params, spec, order, n, x = _setup(params, noise, dt, order, steps, tol, scales, factory, folding, scale_from)
    seed = int_seed(seed)
    circuits = _scaled_circuits(params, spec, float(dt), order, n, x, folding, seed)
    counts = tuple(_noisy_ops(qc) for qc in circuits)
    eff, c = _effective(x, counts, spec, scale_from, factory)
    sim: AerSimulator = noise_mod.simulator(spec)
    result = sim.run([with_saved_state(qc.copy()) for qc in circuits]).result()
    r = np.array([measures.bloch_vector(np.asarray(result.data(i)["rho"])) for i in range(len(circuits))])
    rss = measures.bloch_vector(exact.steady_state(params.g, params.p1, params.p2, params.T1, params.T2))
    return ZNEWitness(params=params, dt=float(dt), order=order, steps=n, noise=str(spec), scales=x,
                      effective_scales=eff, factory=factory, folding=folding, coefficients=c, bloch_scaled=r,
                      bloch_zne=_extrapolate(eff, r, factory),
                      bloch_ideal=measures.bloch_vector(ideal_state(params, float(dt), order, n)),
                      bloch_exact=np.asarray(rss, dtype=float), gate_counts=counts)


@dataclasses.dataclass(frozen=True, eq=False)  # array fields
class ZNETomography:
    r"""Shot-based zero-noise extrapolation: counts (K, 3, 2) at each scale factor and the combined verdict.

    ``bloch`` and ``cov``: :math:`\sum_k c_k \hat r_k` and :math:`\sum_k c_k^2 C_k`; ``witness`` its union-bound
    interval and verdict; ``shots`` per basis at each scale factor.
    """

    params: Params
    dt: float
    order: int
    steps: int
    noise: str
    scales: FloatArray
    effective_scales: FloatArray
    factory: str
    coefficients: FloatArray
    shots: int
    counts: npt.NDArray[np.int64]
    bloch: FloatArray
    cov: FloatArray
    witness: MagicVerdict
    seed: int | None

    def __post_init__(self) -> None:
        if np.shape(self.counts) != (len(self.scales), 3, 2):
            raise InputError("counts must have shape (K, 3, 2), one (3, 2) array per scale factor")

    @property
    def stderr(self) -> FloatArray:
        """Standard errors of the extrapolated Bloch components, (3,)."""
        return np.sqrt(np.diag(self.cov))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"params": self.params.to_dict(), "dt": self.dt, "order": self.order, "steps": self.steps,
                "noise": self.noise, "scales": self.scales.tolist(),
                "effective_scales": self.effective_scales.tolist(), "factory": self.factory,
                "coefficients": self.coefficients.tolist(), "shots": self.shots, "counts": self.counts.tolist(),
                "bloch": self.bloch.tolist(), "stderr": self.stderr.tolist(), "cov": self.cov.tolist(),
                "magic_witness": self.witness.to_dict(), "seed": self.seed}


def zne_tomography(
    params: Params,
    noise: str | noise_mod.NoiseSpec = "depol=1e-3",
    *,
    shots: int,
    seed: SeedLike,
    dt: float = 0.5,
    order: int = 2,
    steps: int | str = "auto",
    tol: float = 1e-6,
    scales: Sequence[float] = DEFAULT_SCALES,
    factory: str = "richardson",
    folding: str = "global",
    scale_from: str = "nominal",
    level: float = DEFAULT_LEVEL,
) -> ZNETomography:
    """Zero-noise extrapolation from shots: X, Y, Z measurements of qubit 1 on each folded circuit (Aer).

    ``shots`` per basis and scale factor; ``seed`` (int, Generator or None, recorded) seeds the transpiler,
    the random folding and Aer's sampler. The witness interval propagates each scale's binomial standard
    errors through the extrapolation coefficients (:func:`qc_reset.stats.extrapolation.combined_witness`).
    """
    params, spec, order, n, x = _setup(params, noise, dt, order, steps, tol, scales, factory, folding, scale_from)
    shots = check_shots(shots)
    recorded = fresh_seed() if seed is None else (seed if isinstance(seed, int) else None)
    s_transpile, s_sim = (stream_seed(ss) for ss in seed_streams(recorded if seed is None else seed, 2))
    circuits = _scaled_circuits(params, spec, float(dt), order, n, x, folding, s_transpile)
    eff, c = _effective(x, [_noisy_ops(qc) for qc in circuits], spec, scale_from, factory)
    tomo = [qc for k, sc in enumerate(circuits)
            for qc in noisy_tomography_circuits(sc, SYSTEM_QUBITS[1], {"steps": n, "scale": float(x[k])})]
    result = noise_mod.simulator(spec).run(tomo, shots=shots, seed_simulator=s_sim).result()
    counts = np.array([[[result.get_counts(3 * k + b).get(o, 0) for o in ("0", "1")] for b in range(3)]
                       for k in range(len(x))], dtype=np.int64)
    r, C = combined_estimate(counts, c)
    return ZNETomography(params=params, dt=float(dt), order=order, steps=n, noise=str(spec), scales=x,
                         effective_scales=eff, factory=factory, coefficients=c, shots=shots, counts=counts,
                         bloch=r, cov=C, witness=combined_witness(counts, c, level), seed=recorded)

