r"""PUB-sweep circuits on a device: the parametric dilated circuit transpiled to a ``Target``, step by step.

A sampler with a device (``qiskit_ibm_runtime.SamplerV2(mode=FakeManilaV2())``, or ``backend=``) accepts
only circuits in the device's instructions and on its physical qubits (ISA circuits). :func:`device_circuits`
builds them from the parametric circuit of :mod:`qc_reset.run.primitives` and keeps its six ``Parameter`` s,
so one ``BindingsArray`` still covers every point.

Why step by step: transpiling the unrolled parametric circuit costs time that grows much faster than its
length (on FakeManilaV2 at level 3: 4 steps 0.2 s, 8 steps more than 5 minutes, 43 steps did not finish in
10 minutes), while one step transpiles in a fraction of a second. So the initial state and the first step
are transpiled once (this fixes the layout: ``initial_layout`` or the preset's choice, at
``optimization_level``, default :data:`~qc_reset.run.backends.DEVICE_OPTIMIZATION_LEVEL`), and each further
step is transpiled with its ``initial_layout`` set to where the previous one left the qubits (one transpile
per distinct layout, cached: a routed step may permute them), then composed on the device's wires. Gates are
not merged across step boundaries; a user ``pass_manager`` instead runs on the whole unrolled circuit, as given.

The basis measurement of qubit 1 is appended afterwards in the native ``rz``/``sx`` gates
(:func:`qc_reset.circuits.measurement.append_native_measurement`) on the physical qubit that holds it at the
end, read from the layouts and checked against the measured qubit of the final circuits. Every instruction
the circuits need (``reset``, a two-qubit gate, ``rz``, ``sx``, ``measure``) is checked in the target
(:func:`qc_reset.run.backends.require_instructions`) before anything is transpiled or submitted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._checks import InputError, integer
from .._checks import order as check_order
from .._checks import steps as check_steps
from ..circuits.collision import initial_state_circuit, step_circuit
from ..circuits.measurement import BASES, MEASURED_QUBIT, NATIVE_MEASUREMENT, append_native_measurement
from ..circuits.parameters import CircuitParameters, check_circuit_steps
from . import backends

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.providers import BackendV2

__all__ = ["DeviceCircuits", "device_circuits", "NEEDED_INSTRUCTIONS"]

#: Instructions the device must have for the dilated sweep circuits and their native measurement.
NEEDED_INSTRUCTIONS: tuple[str, ...] = ("reset", "two-qubit gate", *NATIVE_MEASUREMENT)
_SYSTEM = 4  # qubits of the dilated circuit


@dataclasses.dataclass(frozen=True)
class DeviceCircuits:
    """The X, Y, Z sweep circuits transpiled to a device, with where qubit 1 was measured.

    ``layout`` lists the physical qubits of the circuit's four qubits at the start, ``final`` at the end;
    ``measured_qubit`` is ``final[1]`` (qubit 1), the qubit every circuit measures.
    """

    circuits: tuple[Any, ...]
    layout: tuple[int, ...]
    final: tuple[int, ...]
    measured_qubit: int
    optimization_level: int | None
    transpiles: int

    def __post_init__(self) -> None:
        if len(self.circuits) != len(BASES) or len(self.layout) != _SYSTEM or len(self.final) != _SYSTEM:
            raise InputError("DeviceCircuits needs three circuits and layouts of the four circuit qubits")
        if self.measured_qubit != self.final[MEASURED_QUBIT]:
            raise InputError(f"measured_qubit {self.measured_qubit} is not the final position {self.final} of "
                             f"qubit {MEASURED_QUBIT}")


def _layouts(tqc: QuantumCircuit) -> tuple[tuple[int, ...], tuple[int, ...]]:
    layout = tqc.layout
    if layout is None:  # a pass manager without layout stage: the circuit is on the given qubits
        ident = tuple(range(_SYSTEM))
        return ident, ident
    return (tuple(int(q) for q in layout.initial_index_layout()[:_SYSTEM]),
            tuple(int(q) for q in layout.final_index_layout()[:_SYSTEM]))


def device_circuits(
    cparams: CircuitParameters,
    steps: int,
    backend: BackendV2,
    *,
    order: int = 2,
    seed: int = 0,
    optimization_level: int | None = None,
    initial_layout: Sequence[int] | None = None,
    pass_manager: Any = None,
    creg: str = "meas",
) -> DeviceCircuits:
    """The three sweep circuits of ``steps`` steps, transpiled to ``backend``'s target, parameters kept.

    Args:
        cparams: the circuit parameters (:meth:`CircuitParameters.create`) the PUBs bind.
        steps: Trotter steps (>= 1).
        backend: the device (any ``BackendV2`` with a ``target``).
        order: Trotter order (1, 2).
        seed: the transpiler's seed.
        optimization_level: 0-3, default :data:`~qc_reset.run.backends.DEVICE_OPTIMIZATION_LEVEL`.
        initial_layout: physical qubits of the circuit's four qubits (paper qubit 2, qubit 1, ancillas).
        pass_manager: a user ``PassManager`` run on the whole unrolled circuit instead.
        creg: name of the one-bit classical register each circuit measures into.
    """
    from qiskit import ClassicalRegister, QuantumCircuit  # lazy: Qiskit loads only once circuits are built

    n = check_steps(steps, allow_auto=False)
    assert isinstance(n, int)
    check_circuit_steps(n, "dilated")
    order = check_order(order)
    backends.require_instructions(backend, NEEDED_INSTRUCTIONS, "the PUB-sweep circuits")
    level = integer("optimization_level", backends.DEVICE_OPTIMIZATION_LEVEL if optimization_level is None
                    else optimization_level, lo=0, hi=3)
    step = step_circuit(cparams, order=order, realization="dilated")
    head = initial_state_circuit(cparams, realization="dilated")
    head.compose(step, inplace=True)

    def run(qc: QuantumCircuit, layout: Sequence[int] | None) -> QuantumCircuit:
        return backends.transpile_to(qc, backend, seed=seed, optimization_level=level, initial_layout=layout,
                                     pass_manager=pass_manager)

    transpiles = 1
    if pass_manager is not None:
        for _ in range(n - 1):
            head.compose(step, inplace=True)
        full = run(head, initial_layout)
        start, end = _layouts(full)
    else:
        full = run(head, initial_layout)
        start, end = _layouts(full)
        cache: dict[tuple[int, ...], tuple[QuantumCircuit, tuple[int, ...]]] = {}
        for _ in range(n - 1):
            if end not in cache:
                tstep = run(step, end)
                got, nxt = _layouts(tstep)
                if got != end:  # a post-layout pass moved the step: it would not continue the circuit
                    raise RuntimeError(f"the transpiled step starts on {got}, not on the given layout {end}")
                cache[end] = (tstep, nxt)
                transpiles += 1
            tstep, nxt = cache[end]
            full.compose(tstep, inplace=True)
            end = nxt
    names = sorted(p.name for p in full.parameters)
    want = sorted(p.name for p in cparams.parameters())
    if names != want:
        raise RuntimeError(f"transpiling lost circuit parameters: kept {names}, need {want}")
    physical = end[MEASURED_QUBIT]
    out = []
    for b in BASES:
        qc = QuantumCircuit(*full.qregs, name=f"sweep_{b}_{n}_device")
        qc.compose(full, inplace=True)
        qc.add_register(ClassicalRegister(1, creg))
        append_native_measurement(qc, b, physical)
        if backends.measured_physical_qubit(qc) != physical:
            raise RuntimeError(f"the {b} circuit does not measure physical qubit {physical}")
        out.append(qc)
    return DeviceCircuits(circuits=tuple(out), layout=start, final=end, measured_qubit=int(physical),
                          optimization_level=None if pass_manager is not None else level, transpiles=transpiles)

