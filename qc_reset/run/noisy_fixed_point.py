r"""The noisy fixed point of a collision design on a device: one exact superoperator, then its fixed point.

A noisy collision is still a channel :math:`S` on the two system qubits (ancillas start in
:math:`|0\rangle` and are reset; they are traced out), so the state that :math:`N\to\infty` noisy
collisions reach is its fixed point :math:`S\rho_\star = \rho_\star`
(:func:`qc_reset.model.channels.fixed_point`), no matter how many steps a direct simulation would need.
The noise shifts it by about (noise per collision) / (contraction per collision)
:math:`1 - |\lambda_2(S)|`.

**How** :math:`S` **is computed.** The collision of :mod:`qc_reset.run.designs` is transpiled once to the
device (a fake IBM backend, or the parametric basis of a :class:`~qc_reset.run.noise.NoiseSpec`); the
qubits it touches become a compact circuit in which every instruction is followed by *its* error, the
same errors Aer's ``NoiseModel.from_backend`` attaches (``qiskit_aer.noise.device.basic_device_gate_errors``
of the device target) or :func:`qc_reset.run.noise.noise_model` builds for a spec, each as an exact
``Kraus`` instruction. Only the 16 system columns of its superoperator are needed (ancillas start in
:math:`|0\rangle`), so 16 product inputs (:math:`|0\rangle, |1\rangle, |+\rangle, |{+i}\rangle` per system
qubit) run as ONE Aer density-matrix job, each saving the system's output on its final physical qubits
(routing may move them), and :math:`S = \mathrm{Out}\,\mathrm{In}^{-1}` is the package's row-major 16x16
channel (Aer's ``superop`` method would need :math:`16^n` entries for :math:`n` touched qubits).
Mid-circuit measurements are deferred exactly: ``measure a -> c`` with ``c`` read by an ``if_test``
becomes a noise-free CNOT from ``a`` into an extra qubit for ``c`` followed by the readout error as a
classical flip of that qubit, and an ``if_test`` body becomes a Kraus instruction controlled on it
(:math:`\{P_0\otimes I\} \cup \{P_1\otimes K_j\}`, the body's noisy Kraus operators); a measurement
whose result is never read is a Z dephasing.
An optional idle relaxation (:math:`T_1, T_2` for a time :math:`t` on both system qubits) models the
collision's exposure beyond gate-attached errors (:mod:`qc_reset.run.survival`).

What is not modelled: relaxation of qubits that idle while others are gated (no scheduling; use the
idle term), and noise left on the ancillas from one collision into the next (every collision starts
them in :math:`|0\rangle`; the designs reset them before reuse).
This module is one concept: the exact noisy collision channel and its fixed point.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from .._checks import InputError, integer, quote
from ..model import measures
from ..model.channels import fixed_point, second_eigenvalue
from ..model.collision import CollisionParams
from ..model.operators import ComplexArray, FloatArray
from ..model.params import Params
from . import noise as noise_mod
from .backends import transpile_to
from .designs import DYNAMIC_DESIGNS, check_design, collision_circuit, collision_params

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Instruction
    from qiskit.providers import BackendV2
    from qiskit_aer.noise import QuantumError

__all__ = [
    "MAX_COMPACT_QUBITS",
    "ErrorTable",
    "Idle",
    "error_table",
    "readout_errors",
    "transpile_collision",
    "two_qubit_gate_count",
    "collision_duration",
    "collision_superop",
    "NoisyFixedPoint",
    "device_label",
    "noisy_fixed_point",
]

#: Most qubits (touched physical qubits plus one per measured clbit) of a compact noisy collision.
MAX_COMPACT_QUBITS = 10

#: ``(instruction name, physical qubits) -> QuantumError or None``: the error after each instruction.
ErrorTable: TypeAlias = "Callable[[str, tuple[int, ...]], QuantumError | None]"


@dataclasses.dataclass(frozen=True)
class Idle:
    r"""Idle relaxation of both system qubits for ``time`` per collision (ns), device :math:`T_1, T_2` (ns)."""

    time: float
    t1: float
    t2: float

    def __post_init__(self) -> None:
        for name in ("time", "t1", "t2"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float | np.floating | np.integer) or not math.isfinite(v):
                raise InputError(f"idle {name} must be a finite number (ns); got {quote(v)}")
            object.__setattr__(self, name, float(v))
        if self.time < 0 or self.t1 <= 0 or self.t2 <= 0 or self.t2 > 2 * self.t1 * (1 + 1e-12):
            raise InputError(f"idle needs time >= 0, t1 > 0, 0 < t2 <= 2 t1 (ns); got {self}")


# ------------------------------------------------------------------------------------------ noise tables
@functools.cache
def _device_errors(backend: BackendV2) -> dict[tuple[str, tuple[int, ...]], QuantumError]:
    from qiskit_aer.noise.device import basic_device_gate_errors  # lazy: Aer loads only for noisy runs

    return {(name, tuple(qubits)): err for name, qubits, err in basic_device_gate_errors(target=backend.target)}


@functools.cache
def _spec_errors(spec: noise_mod.NoiseSpec) -> ErrorTable:
    """The errors of :func:`qc_reset.run.noise.noise_model` for a parametric spec (same construction)."""
    from qiskit_aer.noise import depolarizing_error, thermal_relaxation_error  # lazy

    err1 = depolarizing_error(spec.depol, 1) if spec.depol > 0 else None
    err2 = depolarizing_error(spec.two_qubit_depol, 2) if spec.two_qubit_depol > 0 else None
    if spec.t1 is not None:
        assert spec.t2 is not None
        th1 = thermal_relaxation_error(spec.t1, spec.t2, spec.gate_time)
        th2 = thermal_relaxation_error(spec.t1, spec.t2, spec.gate_time2)
        err1 = th1 if err1 is None else err1.compose(th1)
        err2 = th2.expand(th2) if err2 is None else err2.compose(th2.expand(th2))
    table = {"sx": err1, "x": err1, "cx": err2}
    return lambda name, qubits: table.get(name)


def _resolve(device: Any) -> Any:
    """A ``fake:NAME`` spec as its backend; other specs parsed; backends as they are."""
    if isinstance(device, str | noise_mod.NoiseSpec):
        spec = noise_mod.parse_noise(device)
        if spec.kind == "fake":
            from .backends import fake_backend

            return fake_backend(str(spec.backend))
        return spec
    return device


def error_table(device: Any) -> ErrorTable:
    """The per-instruction errors of ``device``: a fake/real ``BackendV2`` or a parametric noise spec."""
    if isinstance(device, str | noise_mod.NoiseSpec):
        spec = noise_mod.parse_noise(device)
        if spec.kind == "fake":
            from .backends import fake_backend

            device = fake_backend(str(spec.backend))
        else:
            return _spec_errors(spec)
    if getattr(device, "target", None) is None:
        raise InputError(f"device must be a BackendV2 or a parametric noise spec; got {quote(device)}")
    errs = _device_errors(device)
    return lambda name, qubits: errs.get((name, qubits))


def readout_errors(device: Any, qubit: int) -> tuple[float, float]:
    """``(P(1|0), P(0|1))`` of ``qubit``: the spec's readout, or the target's symmetric measure error."""
    if isinstance(device, str | noise_mod.NoiseSpec):
        spec = noise_mod.parse_noise(device)
        if spec.kind != "fake":
            return spec.readout
        from .backends import fake_backend

        device = fake_backend(str(spec.backend))
    props = device.target["measure"].get((qubit,)) if "measure" in device.target else None
    e = float(props.error) if props is not None and props.error is not None else 0.0
    return e, e


# ------------------------------------------------------------------------------------------ transpiling
def transpile_collision(
    circuit: QuantumCircuit, device: Any, *, seed: int = 0, optimization_level: int = 3,
    initial_layout: Sequence[int] | None = None,
) -> QuantumCircuit:
    """``circuit`` transpiled for ``device`` (a ``BackendV2``: its target; a parametric spec: its basis)."""
    from qiskit import transpile  # lazy: the transpiler loads only when circuits are transpiled

    level = integer("optimization_level", optimization_level, lo=0, hi=3)
    if isinstance(device, str | noise_mod.NoiseSpec):
        spec = noise_mod.parse_noise(device)
        if spec.kind == "none":
            raise InputError("device must be noisy (a parametric spec or a backend); got 'none'")
        if spec.kind == "parametric":
            if initial_layout is not None:
                raise InputError("initial_layout needs a device backend (the parametric basis has no coupling map)")
            basis = [*noise_mod.BASIS_GATES, "if_else"]
            return transpile(circuit, basis_gates=basis, optimization_level=level, seed_transpiler=seed)
        from .backends import fake_backend

        device = fake_backend(str(spec.backend))
    return transpile_to(circuit, device, seed=seed, optimization_level=level, initial_layout=initial_layout)


def _ops(circuit: QuantumCircuit) -> list[tuple[Any, tuple[int, ...], tuple[int, ...]]]:
    """Flat (operation, qubit indices, clbit indices) of ``circuit``, control-flow bodies kept whole."""
    return [(inst.operation, tuple(circuit.find_bit(q).index for q in inst.qubits),
             tuple(circuit.find_bit(c).index for c in inst.clbits)) for inst in circuit.data]


def two_qubit_gate_count(circuit: QuantumCircuit) -> int:
    """Two-qubit gates of ``circuit``, counting those inside ``if_test`` bodies once."""
    n = 0
    for op, qubits, _ in _ops(circuit):
        if op.name == "if_else":
            n += sum(two_qubit_gate_count(b) for b in op.blocks if b is not None)
        elif len(qubits) == 2 and op.name not in ("barrier", "measure"):
            n += 1
    return n


def collision_duration(circuit: QuantumCircuit, device: Any, *, qubits: Sequence[int] | None = None) -> float:
    """Critical-path duration (s) of a transpiled collision: instruction durations of the target.

    A parametric spec gives ``gate_time`` (``sx``, ``x``), ``gate_time2`` (``cx``) and 0 for the rest
    (it has no reset or measurement durations); an ``if_test`` lasts as its longest branch. ``qubits``: the
    physical qubits of the circuit's qubits (default: the circuit's own indices, as after transpiling).
    """
    if isinstance(device, str | noise_mod.NoiseSpec):
        spec = noise_mod.parse_noise(device)
        if spec.kind == "parametric":
            times = {"sx": spec.gate_time * 1e-9, "x": spec.gate_time * 1e-9, "cx": spec.gate_time2 * 1e-9}

            def duration(name: str, qubits: tuple[int, ...]) -> float:
                return times.get(name, 0.0)
        else:
            from .backends import fake_backend

            device = fake_backend(str(spec.backend))
    if not isinstance(device, str | noise_mod.NoiseSpec):
        target = device.target

        def duration(name: str, qubits: tuple[int, ...]) -> float:
            if name not in target:
                return 0.0
            props = target[name].get(qubits) if target[name] else None
            return float(props.duration) if props is not None and props.duration else 0.0

    def walk(qc: QuantumCircuit, qmap: Sequence[int], clock: dict[Any, float]) -> None:
        for op, qubits, clbits in _ops(qc):
            phys = tuple(qmap[q] for q in qubits)
            keys = [("q", p) for p in phys] + [("c", c) for c in clbits]
            start = max((clock.get(k, 0.0) for k in keys), default=0.0)
            if op.name == "if_else":
                ends = []
                for body in op.blocks:
                    if body is None:
                        continue
                    sub = {("q", p): start for p in phys}
                    walk(body, phys, sub)
                    ends.append(max(sub.values(), default=start))
                end = max(ends, default=start)
            else:
                end = start + duration(op.name, phys)
            for k in keys:
                clock[k] = end

    clock: dict[Any, float] = {}
    walk(circuit, list(range(circuit.num_qubits)) if qubits is None else list(qubits), clock)
    return max(clock.values(), default=0.0)


# ------------------------------------------------------------------------------------------ the channel
def _layout(tqc: QuantumCircuit) -> tuple[list[int], list[int]]:
    lay = tqc.layout
    if lay is None:
        n = tqc.num_qubits
        return list(range(n)), list(range(n))
    return list(lay.initial_index_layout()), list(lay.final_index_layout())


_EXACT: dict[int, tuple[Any, Instruction]] = {}


def _exact(err: QuantumError) -> Instruction:
    """A ``Kraus`` instruction of ``err`` (exact; Aer's own conversion of a ``QuantumError`` has an error of
    ~1e-10 per instruction, which shifts a slowly contracting fixed point), cached per error object."""
    from qiskit.quantum_info import Kraus, SuperOp

    hit = _EXACT.get(id(err))
    if hit is not None and hit[0] is err:
        return hit[1]
    inst = Kraus(SuperOp(err)).to_instruction()
    if len(_EXACT) > 4096:
        _EXACT.clear()
    _EXACT[id(err)] = (err, inst)
    return inst


def _controlled_kraus(body_kraus: Sequence[ComplexArray], n_body: int) -> list[ComplexArray]:
    """Kraus operators of 'if the control qubit (most significant) is 1, apply the body channel'."""
    d = 2**n_body
    P0 = np.kron(np.diag([1.0, 0.0]), np.eye(d))
    return [P0.astype(complex)] + [np.kron(np.diag([0.0, 1.0]), K) for K in body_kraus]


def _timeline(device: Any) -> tuple[Callable[[str, tuple[int, ...]], float], Callable[[int], tuple[float, float]]]:
    """Durations (ns) of the target's instructions and each qubit's (T1, T2) in ns (T2 capped at 2 T1)."""
    target = device.target

    def duration(name: str, qubits: tuple[int, ...]) -> float:
        props = target[name].get(qubits) if name in target and target[name] else None
        return float(props.duration) * 1e9 if props is not None and props.duration else 0.0

    def times(q: int) -> tuple[float, float]:
        qp = device.qubit_properties(q)
        t1 = float(qp.t1) * 1e9 if qp is not None and qp.t1 else math.inf
        t2 = float(qp.t2) * 1e9 if qp is not None and qp.t2 else t1
        return t1, min(t2, 2 * t1)

    return duration, times


def _noisy_compact(tqc: QuantumCircuit, errors: ErrorTable, device: Any, idle: Idle | None,
                   system_out: Sequence[int], timeline: bool) -> tuple[QuantumCircuit, dict[int, int]]:
    """The compact noisy circuit (touched qubits, then one qubit per clbit) and the physical -> compact map.

    With ``timeline`` (a device target), every qubit that waits -- for an instruction on other qubits, for
    the measurement an ``if_test`` reads, or from the collision's start to its first instruction -- relaxes
    with its own T1, T2 for that time, on the as-late-as-possible schedule of the collision (the target's
    durations; Qiskit's ``ALAPScheduleAnalysis`` gives the same schedule to circuits without control flow).
    """
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Kraus, SuperOp
    from qiskit_aer.noise import thermal_relaxation_error

    def touched(qc: QuantumCircuit, qmap: Sequence[int]) -> set[int]:
        out: set[int] = set()
        for op, qubits, _ in _ops(qc):
            out |= {qmap[q] for q in qubits}
            if op.name == "if_else":
                for b in op.blocks:
                    if b is not None:
                        out |= touched(b, [qmap[q] for q in qubits])
        return out

    phys = sorted(touched(tqc, list(range(tqc.num_qubits))) | set(system_out))
    # a record qubit only for the clbits that an if_test reads; other measurements just dephase
    clbits = sorted({tqc.find_bit(op.condition[0]).index for op, _, _ in _ops(tqc) if op.name == "if_else"})
    n = len(phys) + len(clbits)
    if n > MAX_COMPACT_QUBITS:
        raise InputError(f"the transpiled collision touches {len(phys)} qubits and {len(clbits)} clbits; at most "
                         f"{MAX_COMPACT_QUBITS} in all are supported (density matrices of 4^n entries)")
    index = {p: i for i, p in enumerate(phys)}
    cindex = {c: len(phys) + i for i, c in enumerate(clbits)}
    out = QuantumCircuit(n)
    duration, times = _timeline(device) if timeline else (None, None)
    clock: dict[Any, float] = {}

    def wait(target: QuantumCircuit, p: int, until: float) -> None:
        gap = until - clock.get(("q", p), 0.0)
        if times is not None and gap > 0:
            t1, t2 = times(p)
            if math.isfinite(t1):
                target.append(_exact(thermal_relaxation_error(t1, t2, gap)), [index[p]])
        clock[("q", p)] = max(until, clock.get(("q", p), 0.0))

    def span_of(op: Any, pq: tuple[int, ...]) -> float:
        assert duration is not None
        if op.name == "if_else":
            return 1e9 * max((collision_duration(b, device, qubits=pq) for b in op.blocks if b is not None),
                             default=0.0)  # s -> ns
        return duration(op.name, pq)

    def keys_of(op: Any, pq: tuple[int, ...], cl: Sequence[int]) -> list[Any]:
        keys: list[Any] = [("q", p) for p in pq] + [("c", c) for c in cl]
        if op.name == "if_else":
            keys.append(("c", tqc.find_bit(op.condition[0]).index))
        return keys

    # as late as possible (the schedule Qiskit's ALAPScheduleAnalysis gives IBM devices): a backward pass
    alap: dict[int, float] = {}
    if duration is not None:
        top_ops = _ops(tqc)
        total = 1e9 * collision_duration(tqc, device)  # ns, like the target durations of _timeline
        nxt: dict[Any, float] = {}
        for i in reversed(range(len(top_ops))):
            op, qubits, cl = top_ops[i]
            if op.name == "barrier":
                continue
            keys = keys_of(op, qubits, cl)
            alap[i] = min(nxt.get(k, total) for k in keys) - span_of(op, qubits)
            for k in keys:
                nxt[k] = alap[i]

    def schedule(target: QuantumCircuit, i: int, op: Any, pq: tuple[int, ...], cl: Sequence[int]) -> None:
        """Idle the qubits of ``op`` up to its ALAP start; advance their clocks (and its clbits') to its end."""
        if duration is None:
            return
        keys = keys_of(op, pq, cl)
        start = max([alap[i]] + [clock.get(k, 0.0) for k in keys])
        for p in pq:
            wait(target, p, start)
        end = start + span_of(op, pq)
        for k in keys:
            clock[k] = end

    def emit(qc: QuantumCircuit, target: QuantumCircuit, qmap: Sequence[int], idx: dict[int, int],
             top: bool) -> None:
        for i, (op, qubits, cl) in enumerate(_ops(qc)):
            pq = tuple(qmap[q] for q in qubits)
            loc = [idx[p] for p in pq]
            if op.name == "barrier":
                continue
            if op.name == "if_else" and not top:
                raise InputError("nested 'if_else' inside an if_test body is not supported in a collision")
            if top:
                schedule(target, i, op, pq, cl)
            if op.name == "measure":
                err = errors(op.name, pq)
                if err is not None:
                    target.append(_exact(err), loc)  # relaxation during the measurement
                if not top or cl[0] not in cindex:  # result never read: a Z dephasing
                    target.append(Kraus([np.diag([1.0, 0.0]).astype(complex), np.diag([0.0, 1.0]).astype(complex)]),
                                  loc)
                    continue
                e01, e10 = readout_errors(device, pq[0])
                c = cindex[cl[0]]
                target.cx(loc[0], c)  # deferred measurement: the record qubit copies the Z value
                flip = [np.diag([math.sqrt(1 - e01), math.sqrt(1 - e10)]).astype(complex),
                        np.array([[0, math.sqrt(e10)], [math.sqrt(e01), 0]], dtype=complex)]
                target.append(Kraus(flip), [c])
                continue
            if op.name == "if_else":
                bit, value = op.condition
                c = cindex[qc.find_bit(bit).index]
                if int(value) not in (0, 1):
                    raise InputError(f"if_test conditions must be on one clbit; got value {quote(value)}")
                blocks = list(op.blocks) + [None] * (2 - len(op.blocks))
                true_b, false_b = (blocks[0], blocks[1]) if int(value) == 1 else (blocks[1], blocks[0])
                k = len(loc)
                for branch, want in ((true_b, 1), (false_b, 0)):
                    if branch is None:
                        continue
                    sub = QuantumCircuit(k)
                    emit(branch, sub, list(pq), {p: i for i, p in enumerate(pq)}, False)
                    ops = _controlled_kraus(Kraus(SuperOp(sub)).data, k)
                    ctrl = [loc[i] for i in range(k)] + [c]  # little-endian: control most significant
                    if want == 0:
                        target.x(c)
                    target.append(Kraus(ops), ctrl)
                    if want == 0:
                        target.x(c)
                continue
            if cl:
                raise InputError(f"instruction {op.name!r} with clbits is not supported in a collision")
            target.append(op, loc)
            err = errors(op.name, pq)
            if err is not None:
                target.append(_exact(err), loc)

    emit(tqc, out, list(range(tqc.num_qubits)), index, True)
    if duration is not None:
        end = max(clock.values(), default=0.0)
        for p in phys:
            wait(out, p, end)
    if idle is not None and idle.time > 0:
        err = thermal_relaxation_error(idle.t1, idle.t2, idle.time)
        for p in system_out:
            out.append(_exact(err), [index[p]])
    return out, index


def collision_superop(
    tqc: QuantumCircuit, device: Any, *, idle: Idle | None = None, errors: ErrorTable | None = None,
    timeline: bool | None = None,
) -> ComplexArray:
    """Row-major 16x16 noisy channel of a transpiled collision on the system (qubit 1 first).

    Args:
        tqc: the collision transpiled by :func:`transpile_collision` (or any circuit whose qubits 0 and 1
            are the system: Qiskit 0 = paper qubit 2, 1 = paper qubit 1), numeric (bound) angles.
        device: the ``BackendV2`` or parametric spec whose errors are attached.
        idle: optional idle relaxation of the system qubits after the collision.
        errors: a precomputed :func:`error_table` of ``device`` (for repeated calls).
        timeline: relaxation of waiting qubits from the target's durations and T1, T2 (see
            :func:`noisy_fixed_point`); default True for a device backend, and refused for a parametric spec.
    """
    if tqc.parameters:
        raise InputError(f"the collision circuit has unbound parameters {sorted(p.name for p in tqc.parameters)}")
    errors = error_table(device) if errors is None else errors
    initial, final = _layout(tqc)
    sys_in, sys_out = (initial[0], initial[1]), (final[0], final[1])
    device = _resolve(device)
    is_spec = isinstance(device, noise_mod.NoiseSpec)
    if timeline and is_spec:
        raise InputError("timeline needs a device backend (a parametric spec has no instruction durations)")
    qc, index = _noisy_compact(tqc, errors, device, idle, sys_out, (not is_spec) if timeline is None else timeline)
    return _system_channel(qc, [index[p] for p in sys_in], [index[p] for p in sys_out])


#: Tomographically complete one-qubit inputs (Qiskit labels) whose products probe the 16x16 channel.
_PROBES = ("0", "1", "+", "r")


def _system_channel(qc: QuantumCircuit, sys_in: Sequence[int], sys_out: Sequence[int]) -> ComplexArray:
    r"""Package 16x16 channel of a compact circuit: input on ``sys_in`` (rest |0>), output on ``sys_out``.

    ``sys_in``, ``sys_out``: compact indices of (Qiskit qubit 0 = paper 2, Qiskit qubit 1 = paper 1). Only the
    system's 16 columns of the full superoperator are needed, so the 16 product inputs of :data:`_PROBES`
    are evolved as one batch of density matrices (memory :math:`16\cdot 4^n`, not :math:`16^n`), and
    :math:`S = \mathrm{Out}\,\mathrm{In}^{-1}` (condition number of In: 10.4, rounding ~1e-15). The batch is
    evolved with numpy (each instruction's superoperator from ``qiskit.quantum_info``, contracted on its
    qubits by one ``einsum``) rather than as 16 Aer circuits: Aer's Python-side assembly of the 16 copies
    cost about a second per collision here, the contraction milliseconds (``benchmarks/bench_hardware.py``).
    """
    from qiskit.quantum_info import DensityMatrix, Statevector

    n = qc.num_qubits
    states, inputs = [], []
    for a in _PROBES:  # paper qubit 1
        for b in _PROBES:  # paper qubit 2
            label = ["0"] * n
            label[n - 1 - sys_in[1]], label[n - 1 - sys_in[0]] = a, b
            states.append(DensityMatrix(Statevector.from_label("".join(label))).data)
            s1, s2 = (DensityMatrix(Statevector.from_label(x)).data for x in (a, b))
            inputs.append(np.kron(s1, s2).reshape(16))
    rho = np.stack(states).reshape((16,) + (2,) * (2 * n))
    for inst in qc.data:
        loc = [qc.find_bit(q).index for q in inst.qubits]
        rho = _apply(rho, _superop_tensor(inst.operation), loc, n)
    # trace out all but sys_out: row axis of qubit q is 1 + (n-1-q), column axis 1 + n + (n-1-q)
    sub = [0] * (1 + 2 * n)
    for q in range(n):
        keep = q in sys_out
        sub[1 + n - 1 - q] = 1 + q if keep else 1 + 2 * n + q
        sub[1 + 2 * n - 1 - q] = 1 + n + q if keep else 1 + 2 * n + q
    o1, o0 = sys_out[1], sys_out[0]
    out = np.einsum(rho, sub, [0, 1 + o1, 1 + o0, 1 + n + o1, 1 + n + o0]).reshape(16, 16)
    return out.T @ np.linalg.inv(np.stack(inputs, axis=1))


_TENSORS: dict[int, tuple[Any, ComplexArray]] = {}


def _superop_tensor(op: Any) -> ComplexArray:
    """The channel of ``op`` as a tensor ``[r'..., c'..., r..., c...]`` (qubits big-endian), cached per object."""
    from qiskit.quantum_info import Operator

    hit = _TENSORS.get(id(op))
    if hit is not None and hit[0] is op:
        return hit[1]
    k = op.num_qubits
    if op.name == "reset":  # Kraus |0><0|, |0><1|
        kraus = (np.array([[1, 0], [0, 0]], complex), np.array([[0, 1], [0, 0]], complex))
        S = sum(np.kron(K.conj(), K) for K in kraus)
    elif op.name == "delay":
        S = np.eye(4, dtype=complex)
    elif op.name == "kraus":
        S = sum(np.kron(np.asarray(K, dtype=complex).conj(), np.asarray(K, dtype=complex)) for K in op.params)
    else:
        U = Operator(op).data
        S = np.kron(U.conj(), U)  # column stacking: vec(U rho U^+) = (U* (x) U) vec(rho)
    d = 2**k
    T = np.asarray(S).reshape(d, d, d, d)  # [c', r', c, r], little-endian indices of the k qubits
    T = T.transpose(1, 0, 3, 2).reshape((2,) * (4 * k))  # [r' bits, c' bits, r bits, c bits], big-endian bits
    if len(_TENSORS) > 4096:
        _TENSORS.clear()
    _TENSORS[id(op)] = (op, T)
    return T


def _apply(rho: ComplexArray, T: ComplexArray, loc: Sequence[int], n: int) -> ComplexArray:
    """Apply the channel tensor ``T`` of a k-qubit instruction on compact qubits ``loc`` to the batch ``rho``."""
    k = len(loc)
    labels = list(range(1 + 2 * n))
    out = list(labels)
    # big-endian within the instruction: bit i of its index is loc[i], so the axis order is loc[k-1], ..., loc[0]
    rows = [1 + n - 1 - loc[i] for i in reversed(range(k))]
    cols = [1 + 2 * n - 1 - loc[i] for i in reversed(range(k))]
    new = list(range(1 + 2 * n, 1 + 2 * n + 2 * k))
    for a, b in zip(rows + cols, new, strict=True):
        out[a] = b
    return np.einsum(T, new + rows + cols, rho, labels, out)


# ------------------------------------------------------------------------------------------ the record
@dataclasses.dataclass(frozen=True, eq=False)
class NoisyFixedPoint:
    r"""The fixed point of one noisy collision of ``design`` repeated forever, and the cost of a collision.

    ``superop``: the 16x16 noisy collision (row-major, qubit 1 first); ``rho``: its fixed point;
    ``contraction``: :math:`|\lambda_2(S)|`; ``two_qubit_gates`` and ``duration_s`` of one transpiled
    collision; ``measured_qubit``: the physical qubit holding paper qubit 1 after it (where tomography
    reads); ``margin`` :math:`= \|r\|_1 - 1` (magic iff > 0).
    """

    design: str
    collision: CollisionParams
    device: str
    superop: ComplexArray
    rho: ComplexArray
    contraction: float
    two_qubit_gates: int
    duration_s: float
    measured_qubit: int = 1

    def __post_init__(self) -> None:
        if np.shape(self.superop) != (16, 16) or np.shape(self.rho) != (4, 4):
            raise InputError("superop must be 16x16 and rho 4x4")
        if not 0.0 <= self.contraction <= 1.0 + 1e-9:
            raise InputError(f"contraction must be in [0, 1]; got {self.contraction}")

    @property
    def bloch(self) -> FloatArray:
        """Qubit 1's Bloch vector in the noisy fixed point."""
        return measures.bloch_vector(self.rho)

    @property
    def l1_norm(self) -> float:
        """:math:`\\|r\\|_1` of qubit 1 in the noisy fixed point."""
        return float(measures.l1_norm(self.bloch))

    @property
    def margin(self) -> float:
        """:math:`\\|r\\|_1 - 1`: positive iff the noisy fixed point has magic."""
        return self.l1_norm - 1.0

    def collisions_to(self, tol: float) -> int:
        r"""Collisions for the distance to the fixed point to shrink by ``tol``: :math:`\ln tol/\ln|\lambda_2|`."""
        if not 0 < tol < 1:
            raise InputError(f"tol must be in (0, 1); got {quote(tol)}")
        lam = self.contraction
        return 1 if lam <= 0 else (10**9 if lam >= 1 else max(1, math.ceil(math.log(tol) / math.log(lam))))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no superoperator)."""
        return {"design": self.design, "collision": self.collision.to_dict(), "device": self.device,
                "bloch": self.bloch.tolist(), "l1_norm": self.l1_norm, "margin": self.margin,
                "magic": self.margin > 0, "contraction": self.contraction,
                "two_qubit_gates": self.two_qubit_gates, "duration_s": self.duration_s,
                "measured_qubit": self.measured_qubit}


def device_label(device: Any) -> str:
    """A short name of a device (spec string or backend name)."""
    if isinstance(device, str | noise_mod.NoiseSpec):
        return str(noise_mod.parse_noise(device))
    return str(getattr(device, "name", type(device).__name__))


def noisy_fixed_point(
    design: str, params: Params | CollisionParams, dt: float | None, device: Any, *, idle: Idle | None = None,
    timeline: bool | None = None, seed: int = 0, optimization_level: int = 3,
    initial_layout: Sequence[int] | None = None, transpiled: QuantumCircuit | None = None,
) -> NoisyFixedPoint:
    """The noisy fixed point of ``design`` at ``params``, ``dt`` on ``device`` (see the module docstring).

    Args:
        design: one of :data:`qc_reset.run.designs.DESIGNS`.
        params: model parameters :class:`~qc_reset.model.Params` (with ``dt``) or a
            :class:`~qc_reset.model.collision.CollisionParams` (``dt`` None); ``q2 = 1`` for the ``*_fresh``
            designs (:func:`qc_reset.run.designs.collision_params`).
        dt: collision length (model time) for :class:`Params`.
        device: a ``BackendV2`` (e.g. a fake IBM device) or a noisy spec (``"depol=1e-3"``, ``"fake:NAME"``).
        idle: optional idle relaxation per collision.
        timeline: for a device backend (default True): the qubits that wait for other instructions, for a
            measurement an ``if_test`` reads, or for the collision's end relax with their own T1, T2 (full
            device noise: gates, readout, reset and measurement durations, idle time). False: gate-attached
            errors and readout only, as ``NoiseModel.from_backend`` on an unscheduled circuit.
        seed, optimization_level, initial_layout: transpilation of the collision.
        transpiled: an already transpiled (and bound) collision, to skip building and transpiling.
    """
    design = check_design(design)
    cp = collision_params(design, params, dt)
    if transpiled is None:
        qc = collision_circuit(design, cp)
        transpiled = transpile_collision(qc, device, seed=seed, optimization_level=optimization_level,
                                         initial_layout=initial_layout)
    elif design in DYNAMIC_DESIGNS and not transpiled.num_clbits:
        raise InputError(f"the transpiled circuit of design {design!r} must keep its measured clbit")
    S = collision_superop(transpiled, device, idle=idle, timeline=timeline)
    lam = min(second_eigenvalue(S), 1.0)
    return NoisyFixedPoint(design=design, collision=cp, device=device_label(device), superop=S,
                           rho=fixed_point(S), contraction=lam, two_qubit_gates=two_qubit_gate_count(transpiled),
                           duration_s=collision_duration(transpiled, device),
                           measured_qubit=_layout(transpiled)[1][1])
