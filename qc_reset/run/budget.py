r"""The resource budget of a circuit: gate, reset and measurement counts, depth, duration and estimated success.

:func:`circuit_budget` reads a circuit (logical, or transpiled to a device) and returns a frozen
:class:`CircuitBudget`. Without a ``Target`` it counts only; with one (a transpiled circuit on the
device's physical qubits) it also gives the scheduled duration and an estimated success probability:

.. math::

    P_{\rm success} \approx \prod_{\text{instructions } k} (1 - \epsilon_k)
    \prod_{\text{qubits } q}\prod_{\text{idle periods } t} \bar F_{q}(t),
    \qquad \bar F_q(t) = \frac{3 + e^{-t/T_{1,q}} + 2 e^{-t/T_{2,q}}}{6},

with :math:`\epsilon_k` the ``error`` of instruction :math:`k` on its qubits in the target (gates, ``reset``,
``measure``; none given counts as 0) -- the estimated success probability of error-aware compilation -- and
:math:`\bar F_q(t)` the average gate fidelity of the zero-temperature thermal-relaxation channel of qubit
:math:`q` idling for time :math:`t` (amplitude damping :math:`e^{-t/T_1}`, coherence decay :math:`e^{-t/T_2}`;
entanglement fidelity :math:`(1 + e^{-t/T_1} + 2e^{-t/T_2})/4`, and :math:`\bar F = (2F_e + 1)/3`). The device's
gate errors are average gate infidelities from randomized benchmarking, so the idle factor is the same kind of
number for the same kind of channel. It is a heuristic (errors do not simply multiply, and a collision
model forgets old errors), meant for comparing circuits and devices, not for predicting a result.

Timing is the as-late-as-possible (ALAP) schedule of the circuit with the target's durations, the schedule
:mod:`qc_reset.run.device_noise` pads with delays: the duration is the longest path through the circuit's
qubits and classical bits, and the idle periods of a qubit are the gaps between its operations, from its
first operation to its last (before the first one the qubit is in :math:`|0\rangle`, which does not decay at
zero temperature; after the last one its state is not used). Delays already in the circuit are idle time.

Control flow: a ``for`` loop counts as its body repeated (unrolled, so counts and depth are exact); an
``if``/``else`` or ``switch`` counts as its costliest branch (each count its maximum, the success its
minimum), as one block on the wires it touches; a ``while`` loop has no bound and is refused.
Barriers and Aer's ``save_*`` instructions are not counted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .._checks import InputError, integer, quote

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

__all__ = ["COUNT_KEYS", "MIN_ESTIMATED_SUCCESS", "CircuitBudget", "circuit_budget", "idle_fidelity"]

#: Keys of :meth:`CircuitBudget.to_dict` that are also reported per collision.
COUNT_KEYS: tuple[str, ...] = ("two_qubit_gates", "multi_qubit_gates", "depth", "resets", "measurements",
                               "duration_s", "estimated_success")
#: Below this estimated success probability ``qc-reset simulate`` warns that the device run is dominated by
#: noise: fewer than one run in ten would pass every instruction without an error.
MIN_ESTIMATED_SUCCESS: float = 0.1
_SKIPPED = ("barrier",)
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12}


@dataclasses.dataclass(frozen=True)
class CircuitBudget:
    """What one circuit costs: counts, depth and, with a device target, duration and estimated success.

    ``two_qubit_gates`` counts gates on exactly two qubits, ``multi_qubit_gates`` gates on three or more (a
    logical circuit's Toffolis; 0 on a device); ``measurements`` every ``measure`` (``mid_circuit_measurements``
    those followed by another operation on the qubit). ``duration_s``, ``idle_s`` (summed over qubits) and
    ``estimated_success`` are None without a target. ``collisions`` (None: not given) is the number of
    collisions (Trotter steps) the circuit realizes; :attr:`per_collision` divides by it.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2, 1); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.reset(1); _ = qc.measure(0, 0)
        >>> circuit_budget(qc, collisions=1).to_dict()["per_collision"]["two_qubit_gates"]
        1.0
    """

    two_qubit_gates: int
    multi_qubit_gates: int
    depth: int
    resets: int
    measurements: int
    mid_circuit_measurements: int
    duration_s: float | None = None
    idle_s: float | None = None
    estimated_success: float | None = None
    collisions: int | None = None

    def __post_init__(self) -> None:
        for name in ("two_qubit_gates", "multi_qubit_gates", "depth", "resets", "measurements",
                     "mid_circuit_measurements"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise InputError(f"budget {name} must be an integer >= 0; got {quote(v)}")
        if self.mid_circuit_measurements > self.measurements:
            raise InputError("budget mid_circuit_measurements cannot exceed measurements")
        if (self.duration_s is None) != (self.estimated_success is None) or (
                (self.duration_s is None) != (self.idle_s is None)):
            raise InputError("budget duration_s, idle_s and estimated_success are all given (with a target) or "
                             "all None")
        for name in ("duration_s", "idle_s"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise InputError(f"budget {name} must be a finite time >= 0 (s); got {quote(v)}")
        if self.estimated_success is not None and not 0.0 <= self.estimated_success <= 1.0:
            raise InputError(f"budget estimated_success must be in [0, 1]; got {quote(self.estimated_success)}")
        if self.collisions is not None:
            integer("collisions", self.collisions, lo=1, hi=2**62)

    @property
    def per_collision(self) -> dict[str, float | None] | None:
        r"""The :data:`COUNT_KEYS` per collision (None without ``collisions``).

        Counts, depth and duration are divided by the number of collisions :math:`n`; the success probability,
        a product, becomes its per-collision factor :math:`P^{1/n}` (whose :math:`n`-th power is the total).
        """
        n = self.collisions
        if n is None:
            return None
        out: dict[str, float | None] = {}
        for key in COUNT_KEYS:
            v = getattr(self, key)
            out[key] = None if v is None else (v ** (1.0 / n) if key == "estimated_success" else v / n)
        return out

    def low_success(self, level: float = MIN_ESTIMATED_SUCCESS) -> bool:
        """True when the estimated success is known and below ``level`` (:data:`MIN_ESTIMATED_SUCCESS`)."""
        return self.estimated_success is not None and self.estimated_success < level

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields plus ``per_collision`` (the same count keys per collision, or None)."""
        return {**dataclasses.asdict(self), "per_collision": self.per_collision}


def idle_fidelity(t: float, t1: float | None, t2: float | None) -> float:
    r"""Average gate fidelity :math:`(3 + e^{-t/T_1} + 2e^{-t/T_2})/6` of a qubit idling for ``t`` seconds.

    The zero-temperature thermal-relaxation channel (``qiskit_aer.noise.thermal_relaxation_error``); a
    missing ``t1`` or ``t2`` (None) is infinite.
    """
    a = 1.0 if t1 is None else math.exp(-t / t1)
    b = 1.0 if t2 is None else math.exp(-t / t2)
    return (3.0 + a + 2.0 * b) / 6.0


@dataclasses.dataclass
class _Item:
    """One scheduled unit: an instruction, or a control-flow block summarized by its costliest branch."""

    wires: tuple[int, ...]  # qubit indices, then num_qubits + clbit indices
    qubits: tuple[int, ...]
    depth: int
    duration: float
    success: float
    counts: dict[str, int]
    idle: bool = False  # a delay: time passes, the qubit idles


def _flatten(circuit: QuantumCircuit, qmap: Sequence[int], cmap: Sequence[int]) -> Iterator[tuple[Any, tuple[int, ...],
                                                                                                 tuple[int, ...]]]:
    """Instructions with outer qubit/clbit indices; ``for`` loops unrolled."""
    for inst in circuit.data:
        op = inst.operation
        qs = tuple(qmap[circuit.find_bit(q).index] for q in inst.qubits)
        cs = tuple(cmap[circuit.find_bit(c).index] for c in inst.clbits)
        if op.name == "for_loop":
            indexset, loop_param, body = op.params
            for value in indexset:
                block = body if loop_param is None else body.assign_parameters({loop_param: value})
                yield from _flatten(block, qs, cs)
        else:
            yield op, qs, cs


def _items(circuit: QuantumCircuit, qmap: Sequence[int], cmap: Sequence[int], target: Target | None,
           nq: int) -> list[_Item]:
    items = []
    for op, qs, cs in _flatten(circuit, qmap, cmap):
        name = op.name
        if name in _SKIPPED or name.startswith("save_"):
            continue
        wires = qs + tuple(nq + c for c in cs)
        if name == "while_loop":
            raise InputError("circuit_budget needs a bounded circuit: a while loop has no iteration count")
        if getattr(op, "blocks", None):  # if_else, switch_case: the costliest branch, as one block
            branches = [_summary(b, qs, cs, target, nq) for b in op.blocks]
            if name == "if_else" and len(op.blocks) == 1:
                branches.append(_Item(wires, qs, 0, 0.0, 1.0, {}))
            keys = {k for b in branches for k in b.counts}
            items.append(_Item(wires, qs, max(b.depth for b in branches), max(b.duration for b in branches),
                               min(b.success for b in branches),
                               {k: max(b.counts.get(k, 0) for b in branches) for k in keys}))
            continue
        duration, error = _timing(op, qs, target)
        counts = {}
        if name == "reset":
            counts["resets"] = 1
        elif name == "measure":
            counts["measurements"] = 1
        elif name != "delay" and len(qs) == 2:
            counts["two_qubit_gates"] = 1
        elif name != "delay" and len(qs) > 2:
            counts["multi_qubit_gates"] = 1
        items.append(_Item(wires, qs, 0 if name == "delay" else 1, duration, 1.0 - error, counts,
                           idle=name == "delay"))
    return items


def _timing(op: Any, qubits: tuple[int, ...], target: Target | None) -> tuple[float, float]:
    """Duration (s) and error of one instruction on physical ``qubits`` of ``target`` (0, 0 without one)."""
    if op.name == "delay":
        if op.unit == "dt":
            if target is None or target.dt is None:
                return 0.0, 0.0
            return float(op.duration) * float(target.dt), 0.0
        return float(op.duration) * _TIME_UNITS[op.unit], 0.0
    if target is None:
        return 0.0, 0.0
    if op.name not in target.operation_names or not target.instruction_supported(op.name, qubits):
        raise InputError(f"instruction {op.name!r} on qubits {list(qubits)} is not in the target: transpile the "
                         "circuit to the device first (its budget reads the target's durations and errors)")
    props = target[op.name].get(qubits) if target[op.name] is not None else None
    if props is None:
        return 0.0, 0.0
    return float(props.duration or 0.0), float(props.error or 0.0)


def _summary(circuit: QuantumCircuit, qmap: Sequence[int], cmap: Sequence[int], target: Target | None,
             nq: int) -> _Item:
    """A block (branch) as one item: its depth, ASAP duration, success and counts; idle inside is ignored."""
    items = _items(circuit, qmap, cmap, target, nq)
    level: dict[int, int] = {}
    clock: dict[int, float] = {}
    success, counts = 1.0, dict[str, int]()
    for it in items:
        d = max((level.get(w, 0) for w in it.wires), default=0) + it.depth
        t = max((clock.get(w, 0.0) for w in it.wires), default=0.0) + it.duration
        for w in it.wires:
            level[w], clock[w] = d, t
        success *= it.success
        for k, v in it.counts.items():
            counts[k] = counts.get(k, 0) + v
    wires = tuple(qmap) + tuple(nq + c for c in cmap)
    return _Item(wires, tuple(qmap), max(level.values(), default=0), max(clock.values(), default=0.0), success,
                 counts)


def circuit_budget(circuit: QuantumCircuit, target: Target | None = None, *,
                   collisions: int | None = None) -> CircuitBudget:
    """The :class:`CircuitBudget` of ``circuit``, on ``target`` when given (see the module docstring).

    Args:
        circuit: any bounded circuit; with ``target`` it must be transpiled to it (instructions of the
            target on physical qubits), as ``transpile(circuit, backend)`` returns it.
        target: a device ``Target`` (``backend.target``) for durations, errors and T1/T2; None counts only.
        collisions: number of collisions (Trotter steps) the circuit realizes, for ``per_collision``.

    Raises:
        InputError: an instruction that is not in the target on its qubits, a while loop, bad ``collisions``.
    """
    from qiskit import QuantumCircuit  # lazy: Qiskit loads only when a budget is computed

    if not isinstance(circuit, QuantumCircuit):
        raise InputError(f"circuit must be a qiskit QuantumCircuit; got {quote(circuit)}")
    if target is not None and not hasattr(target, "instruction_supported"):
        raise InputError(f"target must be a qiskit Target (backend.target) or None; got {quote(target)}")
    if collisions is not None:
        collisions = integer("collisions", collisions, lo=1, hi=2**62)
    nq = circuit.num_qubits
    if target is not None and target.num_qubits is not None and nq > target.num_qubits:
        raise InputError(f"circuit has {nq} qubits; the target has {target.num_qubits}: transpile it to the "
                         "device first")
    items = _items(circuit, range(nq), range(circuit.num_clbits), target, nq)
    block = _summary(circuit, range(nq), range(circuit.num_clbits), target, nq)
    last_use: dict[int, int] = {}
    mid = 0
    for i in range(len(items) - 1, -1, -1):  # a measurement is mid-circuit if a later item touches its qubit
        it = items[i]
        if it.counts.get("measurements") and not it.idle:
            mid += sum(1 for q in it.qubits if q in last_use) if len(it.qubits) == 1 else 0
        if not it.idle:
            for q in it.qubits:
                last_use.setdefault(q, i)
    c = block.counts
    fields: dict[str, Any] = {
        "two_qubit_gates": c.get("two_qubit_gates", 0), "multi_qubit_gates": c.get("multi_qubit_gates", 0),
        "depth": block.depth, "resets": c.get("resets", 0), "measurements": c.get("measurements", 0),
        "mid_circuit_measurements": min(mid, c.get("measurements", 0)), "collisions": collisions,
    }
    if target is not None:
        idle, idle_success = _alap_idle(items, nq, target)
        fields.update(duration_s=block.duration, idle_s=idle,
                      estimated_success=min(1.0, max(0.0, block.success * idle_success)))
    return CircuitBudget(**fields)


def _alap_idle(items: list[_Item], nq: int, target: Target) -> tuple[float, float]:
    """Total idle time of the ALAP schedule between each qubit's first and last operation, and its fidelity."""
    tail: dict[int, float] = {}  # time from a wire's earliest scheduled start to the end of the circuit
    spans: dict[int, list[tuple[float, float]]] = {}  # per qubit: (time-to-end at start, at finish), reversed
    for it in reversed(items):
        end = max((tail.get(w, 0.0) for w in it.wires), default=0.0)
        start = end + it.duration
        for w in it.wires:
            tail[w] = start
        if not it.idle:
            for q in it.qubits:
                spans.setdefault(q, []).append((start, end))
    props = target.qubit_properties
    total, success = 0.0, 1.0
    for q, sp in spans.items():  # sp is in reverse time order: (start, end) counted from the circuit's end
        t1 = t2 = None
        if props is not None and q < len(props) and props[q] is not None:
            t1, t2 = props[q].t1, props[q].t2
        for (later_start, _), (_, earlier_end) in zip(sp, sp[1:], strict=False):
            gap = earlier_end - later_start
            if gap > 1e-15:
                total += gap
                success *= idle_fidelity(gap, t1, t2)
    return total, success
