r"""Dynamic collision circuits: their exact channel by branch enumeration, device checks and gate budgets.

**What Aer does with them.** ``AerSimulator(method="density_matrix")`` runs circuits with mid-circuit
``measure`` and ``if_test``, but it *samples* each measurement outcome per shot: a ``save_density_matrix``
at the end is the average over the shots of the sampled branches (checked on Aer 0.18: one shot returns one
branch's state, 1024 shots, the default, a 1024-sample average), an unbiased estimate with
:math:`O(1/\sqrt{\text{shots}})` error, not the exact state. Its ``superop`` method refuses ``if_else``.
So :func:`qc_reset.run.simulator.simulate` with ``realization="dynamic"`` (route ``gates``) returns that
shot average, and the exact state of the same channel comes from the ``superop`` or ``power`` routes, whose
step channel :func:`branch_channel` proves equal to the dynamic circuit's.

**Branch enumeration.** :func:`branch_superops` walks the circuit once, keeping one completely positive,
trace non-increasing map per assignment of the classical bits: a ``measure`` splits every branch by the
projectors :math:`|0\rangle\langle0|`, :math:`|1\rangle\langle1|` on the measured qubit, an ``if_else`` applies
its true (or false) block to the branches whose bits satisfy the condition, and every other instruction
composes its ``qiskit.quantum_info.SuperOp``. The branch maps sum to the circuit's channel
(:func:`branch_channel`). Written here because ``quantum_info.SuperOp(circuit)`` refuses measurements and
control flow; it is exact (no sampling) and costs :math:`O(2^{\text{bits}})` maps at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ClassicalRegister, Clbit, IfElseOp
from qiskit.quantum_info import Kraus, SuperOp

from .._checks import InputError, quote
from ..circuits.designs import DESIGNS, collision_circuit
from ..model.channels import from_qiskit_superop
from ..model.collision import CollisionParams
from ..model.operators import ComplexArray
from .backends import require_instructions

__all__ = [
    "MAX_BRANCH_QUBITS",
    "DYNAMIC_INSTRUCTIONS",
    "branch_superops",
    "branch_channel",
    "require_dynamic_support",
    "two_qubit_gate_count",
    "collision_budget",
]

#: Largest circuit :func:`branch_superops` accepts (a superoperator of n qubits has 16**n entries).
MAX_BRANCH_QUBITS = 5
#: What a device must run for the ``dynamic`` design (``fresh`` needs ``measure`` and ``reset`` only).
DYNAMIC_INSTRUCTIONS: tuple[str, ...] = ("measure", "reset", "if_else")
_PROJ = (np.diag([1.0, 0.0]).astype(complex), np.diag([0.0, 1.0]).astype(complex))
_SKIP = {"barrier", "delay"}


def _condition_holds(cond: Any, bits: tuple[int, ...], cmap: Sequence[int], circuit: QuantumCircuit) -> bool:
    target, value = cond
    if isinstance(target, Clbit):
        return bits[cmap[circuit.find_bit(target).index]] == int(value)
    if isinstance(target, ClassicalRegister):
        reg = sum(bits[cmap[circuit.find_bit(b).index]] << k for k, b in enumerate(target))
        return reg == int(value)
    raise InputError(f"branch enumeration handles conditions on a clbit or register; got {quote(cond)}")


def _walk(circuit: QuantumCircuit, qmap: Sequence[int], cmap: Sequence[int], n: int,
          branches: dict[tuple[int, ...], SuperOp]) -> dict[tuple[int, ...], SuperOp]:
    for inst in circuit.data:
        op = inst.operation
        qargs = [qmap[circuit.find_bit(q).index] for q in inst.qubits]
        cargs = [cmap[circuit.find_bit(c).index] for c in inst.clbits]
        if op.name in _SKIP or op.name.startswith("save_"):
            continue
        if op.name == "measure":
            split: dict[tuple[int, ...], SuperOp] = {}
            for bits, S in branches.items():
                for m in (0, 1):
                    new = list(bits)
                    new[cargs[0]] = m
                    key = tuple(new)
                    part = S.compose(SuperOp(Kraus([_PROJ[m]])), qargs=qargs)
                    split[key] = part if key not in split else split[key] + part
            branches = split
        elif isinstance(op, IfElseOp):
            true_body, false_body = op.blocks[0], (op.blocks[1] if len(op.blocks) > 1 else None)
            yes = {b: S for b, S in branches.items() if _condition_holds(op.condition, b, cmap, circuit)}
            no = {b: S for b, S in branches.items() if b not in yes}
            out = _walk(true_body, qargs, cargs, n, yes) if yes else {}
            rest = _walk(false_body, qargs, cargs, n, no) if (no and false_body is not None) else no
            for b, S in rest.items():
                out[b] = S if b not in out else out[b] + S
            branches = out
        elif op.name in ("for_loop", "while_loop", "switch_case"):
            raise InputError(f"branch enumeration handles measure and if_else only; got {op.name!r}")
        else:
            one = QuantumCircuit(len(qargs))
            one.append(op, range(len(qargs)))
            G = SuperOp(one)
            branches = {b: S.compose(G, qargs=qargs) for b, S in branches.items()}
    return branches


def branch_superops(circuit: QuantumCircuit) -> dict[str, SuperOp]:
    r"""The channel of each classical outcome of ``circuit``: ``{bitstring: SuperOp}`` on all its qubits.

    Bit strings are Qiskit's (clbit 0 rightmost); bits never written stay 0. Each map is completely
    positive and trace non-increasing; they sum to the circuit's channel (module docstring).
    """
    if not isinstance(circuit, QuantumCircuit):
        raise InputError(f"circuit must be a QuantumCircuit; got {type(circuit).__name__} {quote(circuit, 40)}")
    n = circuit.num_qubits
    if not 1 <= n <= MAX_BRANCH_QUBITS:
        raise InputError(f"circuit must have 1 to {MAX_BRANCH_QUBITS} qubits for branch enumeration; got {n}")
    if circuit.parameters:
        raise InputError("circuit must have all parameters bound for branch enumeration; unbound: "
                         + ", ".join(sorted(p.name for p in circuit.parameters)))
    start = {tuple([0] * circuit.num_clbits): SuperOp(np.eye(4**n, dtype=complex))}
    out = _walk(circuit, list(range(n)), list(range(circuit.num_clbits)), n, start)
    return {"".join(str(b) for b in reversed(bits)): S for bits, S in sorted(out.items())}


def branch_channel(circuit: QuantumCircuit) -> ComplexArray:
    """Exact 16x16 row-major channel of ``circuit`` on the system qubits 0, 1 (qubit 1 first, as the model's),
    ancillas starting in ``|0>`` and traced out, classical outcomes summed (:func:`branch_superops`)."""
    total = sum((S.data for S in branch_superops(circuit).values()), np.zeros((4**circuit.num_qubits,) * 2))
    na = 2 ** (circuit.num_qubits - 2)
    # Column stacking, little-endian, ancillas most significant: [ja, js, ia, is] for out and in.
    T = np.asarray(total).reshape(na, 4, na, 4, na, 4, na, 4)[:, :, :, :, 0, :, 0, :]
    return from_qiskit_superop(np.einsum("aiajkl->ijkl", T).reshape(16, 16))


def require_dynamic_support(backend: Any, design: str = "dynamic") -> None:
    """Refuse, before any job, a backend whose target cannot run ``design``: ``dynamic`` needs ``measure``,
    ``reset`` and ``if_else`` (non-nested ``if_test``), ``fresh`` ``measure`` and ``reset``, ``dilated``
    ``reset``; each also a two-qubit gate. Raises ``InputError`` naming what is missing."""
    if design not in DESIGNS:
        raise InputError(f"design must be one of {', '.join(DESIGNS)}; got {quote(design)}")
    needed = {"dynamic": DYNAMIC_INSTRUCTIONS, "fresh": ("measure", "reset"), "dilated": ("reset",)}[design]
    require_instructions(backend, {*needed, "two-qubit gate"}, f"the {design} collision circuits")


def two_qubit_gate_count(circuit: QuantumCircuit) -> int:
    """Two-qubit gates of ``circuit``, counting inside control-flow blocks (an ``if_else`` counts its
    costlier block: the most a shot can run)."""
    total = 0
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, IfElseOp):
            total += max(two_qubit_gate_count(b) for b in op.blocks)
        elif getattr(op, "blocks", None):
            raise InputError(f"two_qubit_gate_count counts if_else blocks only; got {op.name!r}")
        elif len(inst.qubits) == 2 and op.name not in _SKIP and not op.name.startswith("save_"):
            total += 1
    return total


def collision_budget(
    backend: Any,
    params: CollisionParams,
    *,
    design: str = "dynamic",
    optimization_level: int = 3,
    seed_transpiler: int = 0,
) -> dict[str, Any]:
    """One collision of ``design`` transpiled to ``backend``: ``two_qubit_gates``, ``depth``, ``measurements``,
    ``resets`` and ``if_else`` (counts include ``if_else`` blocks at their costlier branch, except ``depth``,
    which is Qiskit's with each block one operation). The target is checked first."""
    from qiskit import transpile  # the transpiler loads only when a budget is asked for

    require_dynamic_support(backend, design)
    if optimization_level not in (0, 1, 2, 3):
        raise InputError(f"optimization_level must be 0, 1, 2 or 3; got {quote(optimization_level)}")
    qc = transpile(collision_circuit(params, design), backend=backend, optimization_level=optimization_level,
                   seed_transpiler=seed_transpiler)
    ops = _flat_counts(qc)
    return {"design": design, "order": params.order, "two_qubit_gates": two_qubit_gate_count(qc),
            "depth": int(qc.depth()), "measurements": ops.get("measure", 0), "resets": ops.get("reset", 0),
            "if_else": ops.get("if_else", 0)}


def _flat_counts(circuit: QuantumCircuit) -> dict[str, int]:
    counts: dict[str, int] = {}
    for inst in circuit.data:
        op = inst.operation
        counts[op.name] = counts.get(op.name, 0) + 1
        if isinstance(op, IfElseOp):
            inner = [_flat_counts(b) for b in op.blocks]
            for name in {k for c in inner for k in c}:
                counts[name] = counts.get(name, 0) + max(c.get(name, 0) for c in inner)
    return counts
