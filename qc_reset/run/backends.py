"""Devices the circuits can run on: the fake IBM backend registry and checks of a device's instructions.

* :func:`fake_backend_names`, :func:`fake_backend`: the ``BackendV2`` fake devices of
  ``qiskit_ibm_runtime.fake_provider`` (the ``fake:<Backend>`` noise specs of :mod:`qc_reset.run.noise`).
* :func:`require_instructions`: refuse a backend whose ``target`` lacks an instruction the circuits
  need, before anything is transpiled or submitted.
* :func:`measured_physical_qubit`: the physical qubit a transpiled tomography circuit measures.
* :func:`device_simulator`, :func:`transpile_to`, :func:`sampler_backend`, :func:`sampler_counts`: any
  ``BackendV2`` or ``BaseSamplerV2`` as the target of a shot-based run. A device runs on
  ``AerSimulator.from_backend(device, method="density_matrix")`` (its noise model and target), so the
  saved density matrix, the readout calibration and the magic verdict stay available; a sampler gets the
  three basis circuits as PUBs and its ``BitArray`` results become the (3, 2) counts.
* :func:`pub_counts` (over :func:`bit_counts`): the one adapter from a sampler's ``BitArray`` results to
  the package's counts arrays, for single circuits, readout calibrations and PUB sweeps alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, integer, quote

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.primitives import BitArray
    from qiskit.providers import BackendV2
    from qiskit_aer import AerSimulator

__all__ = [
    "MIN_QUBITS",
    "fake_backend_names",
    "fake_backend",
    "check_fake_name",
    "require_instructions",
    "measured_physical_qubit",
    "DEVICE_OPTIMIZATION_LEVEL",
    "device_simulator",
    "transpile_to",
    "sampler_backend",
    "bit_counts",
    "pub_counts",
    "sampler_counts",
]

#: Transpiler optimization level for device targets (``backend=`` and ``--backend fake:NAME``).
DEVICE_OPTIMIZATION_LEVEL = 3

#: Qubits of the dilated circuits (paper qubits 2 and 1, two ancillas): smaller devices are refused.
MIN_QUBITS = 4


def fake_backend_names() -> list[str]:
    """Names of the fake IBM devices (``BackendV2``) in ``qiskit_ibm_runtime.fake_provider``."""
    return list(_fake_names())


@functools.lru_cache(maxsize=1)
def _fake_names() -> tuple[str, ...]:
    # lazy: qiskit_ibm_runtime is an optional dependency (extra "hardware"), loaded only for fake: specs
    import warnings

    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    with warnings.catch_warnings():  # some fake devices warn that their properties are not typical
        warnings.simplefilter("ignore")
        return tuple(sorted(type(b).__name__ for b in FakeProviderForBackendV2().backends()))


def check_fake_name(name: str) -> str:
    """``name`` if it is one of :func:`fake_backend_names`; ``InputError`` listing some otherwise."""
    names = _fake_names()
    if name not in names:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise InputError(f"unknown fake backend {quote(name)}; valid: {shown} ({len(names)} in "
                         "qiskit_ibm_runtime.fake_provider, e.g. fake:FakeManilaV2)")
    return name


@functools.cache
def fake_backend(name: str) -> BackendV2:
    """An instance of ``qiskit_ibm_runtime.fake_provider.<name>`` (cached)."""
    # lazy: qiskit_ibm_runtime is an optional dependency (extra "hardware"), loaded only for fake: specs
    from qiskit_ibm_runtime import fake_provider

    if name not in _fake_names():
        raise InputError(f"unknown fake backend {quote(name)}; valid: {', '.join(_fake_names()[:10])}, ...")
    backend: BackendV2 = getattr(fake_provider, name)()
    if backend.num_qubits < MIN_QUBITS:
        raise InputError(f"fake backend {name} has {backend.num_qubits} qubits; the dilated circuits need "
                         f"{MIN_QUBITS}")
    return backend


def _backend_name(backend: Any) -> str:
    name = getattr(backend, "name", None)
    return f"{type(backend).__name__}" + (f" ({name})" if isinstance(name, str) and name else "")


def require_instructions(backend: BackendV2, needed: Iterable[str], purpose: str) -> None:
    """Raise ``InputError`` unless ``backend.target`` has every instruction name in ``needed``.

    Checked before transpiling or submitting: a device without ``reset`` (FakeMelbourneV2, FakeBerlin,
    FakeMiami) would otherwise fail deep in the transpiler, and one without the native ``rz``/``sx`` the
    tomography appends would run those gates without their noise. ``"two-qubit gate"`` in ``needed``
    asks for any two-qubit gate (the transpiler translates the circuit's gates into the target's).
    """
    needed = set(needed)
    target = getattr(backend, "target", None)
    if target is None:
        raise InputError(f"backend {_backend_name(backend)} has no target (a BackendV2 is needed) for {purpose}")
    have = set(target.operation_names)
    missing = sorted(n for n in needed - {"two-qubit gate", "barrier"} if n not in have)
    ops = [target.operation_from_name(n) for n in have]  # control flow is stored as a class: no num_qubits
    if "two-qubit gate" in needed and not any(getattr(op, "num_qubits", 0) == 2 for op in ops
                                              if not isinstance(op, type)):
        missing.append("a two-qubit gate")
    if missing:
        shown = ", ".join(repr(m) for m in missing)
        raise InputError(f"backend {_backend_name(backend)} does not support {shown}, needed by {purpose}; its "
                         f"instructions: {', '.join(sorted(have))[:200]}")


def measured_physical_qubit(circuit: QuantumCircuit) -> int:
    """The (single) qubit index measured in a transpiled circuit."""
    qubits = {circuit.find_bit(q).index for inst in circuit.data if inst.operation.name == "measure"
              for q in inst.qubits}
    if len(qubits) != 1:
        raise InputError(f"expected one measured qubit; got {sorted(qubits)}")
    return qubits.pop()


def device_simulator(backend: Any) -> AerSimulator:
    """The density-matrix simulator of a shot-based run on ``backend`` (any ``BackendV2``).

    An ``AerSimulator`` is used as it is and must use ``method="density_matrix"`` (or ``"automatic"``, which
    is then set to it): the run saves the exact state, which a statevector simulator would sample as one
    trajectory of the ``reset`` channels. Any other ``BackendV2`` becomes
    ``AerSimulator.from_backend(backend, method="density_matrix")``: its noise model and target.
    """
    from qiskit.providers import BackendV2  # lazy: Qiskit and Aer load only when a device run is prepared
    from qiskit_aer import AerSimulator

    if isinstance(backend, AerSimulator):
        method = backend.options.method
        if method not in ("density_matrix", "automatic"):
            raise InputError(f"backend {_backend_name(backend)} uses method {method!r}; shot-based runs save the "
                             "exact density matrix and need AerSimulator(method='density_matrix')")
        if method == "automatic":
            backend = AerSimulator(method="density_matrix", noise_model=backend.options.noise_model)
        return backend
    if not isinstance(backend, BackendV2):
        raise InputError(f"backend must be a qiskit BackendV2 (e.g. a fake device of qiskit_ibm_runtime."
                         f"fake_provider or an AerSimulator); got {quote(backend)}")
    require_instructions(backend, (), "a shot-based run")  # a target is needed
    return AerSimulator.from_backend(backend, method="density_matrix")


def transpile_to(
    circuits: Any, backend: BackendV2, *, seed: int, optimization_level: int | None = None,
    initial_layout: Sequence[int] | None = None, pass_manager: Any = None, extra: Iterable[str] = (),
) -> Any:
    """Transpile ``circuits`` for ``backend`` after checking its target; ``pass_manager`` replaces the preset.

    The target must hold every non-gate instruction of the circuits (``reset``, ``measure``, control flow
    such as ``if_else``), a two-qubit gate and the native instructions ``extra`` appended afterwards
    (:func:`require_instructions`), so a device that cannot run them fails before any job.
    ``optimization_level`` defaults to :data:`DEVICE_OPTIMIZATION_LEVEL`; ``initial_layout`` lists the
    physical qubits of the circuit's qubits.
    """
    from qiskit import transpile  # lazy: the transpiler loads only when circuits are transpiled
    from qiskit.circuit import Gate

    level = integer("optimization_level", DEVICE_OPTIMIZATION_LEVEL if optimization_level is None
                    else optimization_level, lo=0, hi=3)
    qcs = circuits if isinstance(circuits, list | tuple) else [circuits]
    needed = {"two-qubit gate", *extra}
    for qc in qcs:
        needed |= {inst.operation.name for inst in qc.data if not isinstance(inst.operation, Gate)} - {"barrier"}
    require_instructions(backend, needed, f"the circuits on {_backend_name(backend)}")
    if initial_layout is not None:
        layout = [int(q) for q in initial_layout]
        if len(set(layout)) != len(layout) or min(layout) < 0 or max(layout) >= backend.num_qubits:
            raise InputError(f"initial_layout must be distinct physical qubits of {_backend_name(backend)} "
                             f"(0..{backend.num_qubits - 1}); got {quote(initial_layout)}")
    if pass_manager is not None:
        if not callable(getattr(pass_manager, "run", None)):
            raise InputError(f"pass_manager must be a qiskit PassManager (with .run); got {quote(pass_manager)}")
        return pass_manager.run(circuits)
    return transpile(circuits, backend=backend, optimization_level=level, seed_transpiler=seed,
                     initial_layout=None if initial_layout is None else layout)


def sampler_backend(sampler: Any) -> BackendV2 | None:
    """The ``BackendV2`` a sampler runs on (``qiskit_ibm_runtime.SamplerV2(mode=backend)``), or None (Aer's)."""
    from qiskit.primitives import BaseSamplerV2  # lazy: Qiskit's primitives load only for sampler runs
    from qiskit.providers import BackendV2

    if not isinstance(sampler, BaseSamplerV2):
        raise InputError(f"sampler must be a qiskit BaseSamplerV2 (e.g. qiskit_aer.primitives.SamplerV2 or "
                         f"qiskit_ibm_runtime.SamplerV2); got {quote(sampler)}")
    get = getattr(sampler, "backend", None)
    backend = get() if callable(get) else None
    return backend if isinstance(backend, BackendV2) else None


def bit_counts(bits: BitArray, clbit: int = 0) -> npt.NDArray[np.int64]:
    """Counts ``(..., 2)`` of outcomes 0 and 1 of bit ``clbit`` in a ``BitArray`` of any shape.

    Vectorized over the packed bytes: ``BitArray.array`` is ``(..., shots, bytes)``, big-endian over
    bytes, so bit i is bit ``i % 8`` of byte ``-1 - i // 8``.
    """
    if not 0 <= clbit < bits.num_bits:
        raise InputError(f"clbit must be in [0, {bits.num_bits - 1}] for a BitArray of {bits.num_bits} bits; "
                         f"got {quote(clbit)}")
    byte = np.asarray(bits.array)[..., bits.array.shape[-1] - 1 - clbit // 8]
    ones = np.count_nonzero(byte & np.uint8(1 << (clbit % 8)), axis=-1).astype(np.int64)
    return np.stack([bits.num_shots - ones, ones], axis=-1)


def pub_counts(
    results: Sequence[Any], *, creg: str | None = None, clbit: int = 0, shots: int | None = None,
) -> npt.NDArray[np.int64]:
    """The one adapter from sampler results to counts: ``(len(results), *pub_shape, 2)`` of bit ``clbit``.

    ``results`` are the ``PubResult`` s of one ``BaseSamplerV2`` job (or their ``BitArray`` s directly);
    each must hold the classical register ``creg`` (default: its only register), and all must share one
    PUB shape (``()`` for an unbound circuit, ``(n_points,)`` for a sweep's bindings). With ``shots`` every
    count is checked to sum to it (a sampler that returns fewer shots is an error, not a silent bias).
    Outcome 0 counts the shots whose bit is 0. Every sampler path of the package (one-bit tomography
    circuits, readout calibrations, PUB sweeps) goes through this function and :func:`bit_counts`.
    """
    from qiskit.primitives import BitArray  # lazy: Qiskit's primitives load only for sampler results

    arrays = []
    for i, res in enumerate(results):
        if isinstance(res, BitArray):
            arrays.append(res)
            continue
        data = getattr(res, "data", None)
        if data is None or not callable(getattr(data, "keys", None)):
            raise InputError(f"results[{i}] must be a sampler PubResult or a BitArray; got {quote(res)}")
        fields = list(data.keys())
        if creg is None and len(fields) != 1:
            raise InputError(f"results[{i}] has classical registers {fields}; one was measured (name it with creg)")
        name = fields[0] if creg is None else creg
        if name not in fields:
            raise InputError(f"results[{i}] has no classical register {name!r}; it has {fields}")
        arrays.append(data[name])
    shapes = {tuple(a.shape) for a in arrays}
    if len(shapes) > 1:
        raise InputError(f"the results must share one PUB shape; got {[tuple(a.shape) for a in arrays]}")
    if not arrays:
        raise InputError("results must hold at least one sampler result")
    counts = np.stack([bit_counts(a, clbit) for a in arrays])
    if shots is not None and np.any(counts.sum(axis=-1) != shots):
        raise RuntimeError(f"the sampler returned {sorted(set(counts.sum(axis=-1).ravel().tolist()))} shots; "
                           f"asked {shots}")
    return counts


def sampler_counts(sampler: Any, circuits: Sequence[QuantumCircuit], shots: int) -> npt.NDArray[np.int64]:
    """Run one-bit ``circuits`` as PUBs of one sampler job; counts (len(circuits), 2) of outcomes 0 and 1.

    A thin wrapper: one job, then :func:`pub_counts` (each circuit measures one classical register).
    """
    return pub_counts(list(sampler.run([(qc,) for qc in circuits], shots=shots).result()), shots=shots)
