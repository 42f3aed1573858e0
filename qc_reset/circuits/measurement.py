r"""Tomography circuits of qubit 1: basis measurements appended to the collision circuits (nothing is run).

The X, Y and Z basis measurements of the heat-bath qubit (paper qubit 1 = Qiskit qubit 1) use the
rotations ``h`` (X) and ``sdg; h`` (Y), or their native ``rz``/``sx`` forms on transpiled circuits, so
outcome 0 is always the +1 eigenstate, as the (3, 2) counts arrays of :mod:`qc_reset.stats` expect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.quantum_info import DensityMatrix

from .._checks import InputError, quote
from .._checks import steps as check_steps
from ..model.channels import auto_steps
from ..model.params import Params
from .collision import superop_instruction, trotter_circuit, trotter_step_superop
from .parameters import PAPER_TO_QISKIT, SYSTEM_QUBITS, validate_dt, validate_order, validate_realization

if TYPE_CHECKING:
    from qiskit.circuit import Clbit

__all__ = [
    "BASES",
    "MEASURED_QUBIT",
    "TOMOGRAPHY_ROUTES",
    "NATIVE_MEASUREMENT",
    "resolve_steps",
    "append_measurement",
    "append_native_measurement",
    "tomography_circuits",
    "final_layout",
    "with_saved_state",
    "noisy_tomography_circuits",
]

#: Measured bases, in the order of the rows of the counts arrays of :mod:`qc_reset.stats`.
BASES: tuple[str, ...] = ("X", "Y", "Z")
#: Qiskit index of the measured qubit (paper qubit 1, the heat-bath qubit).
MEASURED_QUBIT: int = PAPER_TO_QISKIT[1]
#: Routes of :func:`tomography_circuits`: the gate-level circuit, or one ``superop`` :math:`S^N`.
TOMOGRAPHY_ROUTES: tuple[str, ...] = ("gates", "power")
#: Native instructions :func:`append_native_measurement` adds (checked in a device's target beforehand).
NATIVE_MEASUREMENT: tuple[str, ...] = ("rz", "sx", "measure")


def resolve_steps(params: Params, dt: float, order: int, steps: int | str, tol: float) -> int:
    """``steps`` as an int: ``"auto"`` is :func:`~qc_reset.model.channels.auto_steps` of the ideal step channel."""
    params = Params.require(params)
    n = check_steps(steps)
    if n != "auto":
        return int(n)
    S = trotter_step_superop(params, dt, order)
    return auto_steps(S, np.kron(params.tau1(), params.tau2()), tol)


def append_native_measurement(qc: QuantumCircuit, basis: str, qubit: int, clbit: int | Clbit = 0) -> None:
    """Basis rotation in the native ``rz``/``sx`` gates (``h`` and ``sdg; h`` up to phase), then measure."""
    if basis == "X":
        qc.rz(np.pi / 2, qubit)
        qc.sx(qubit)
        qc.rz(np.pi / 2, qubit)
    elif basis == "Y":
        qc.sx(qubit)
        qc.rz(np.pi / 2, qubit)
    qc.measure(qubit, clbit)


def append_measurement(qc: QuantumCircuit, basis: str, qubit: int, clbit: int | Clbit = 0) -> None:
    """Basis rotation ``h`` (X) or ``sdg; h`` (Y), then measure ``qubit`` into ``clbit``."""
    if basis == "X":
        qc.h(qubit)
    elif basis == "Y":
        qc.sdg(qubit)
        qc.h(qubit)
    qc.measure(qubit, clbit)


def tomography_circuits(
    params: Params,
    dt: float = 0.1,
    *,
    steps: int | str = "auto",
    order: int = 2,
    realization: str = "dilated",
    route: str = "gates",
    tol: float = 1e-6,
) -> list[QuantumCircuit]:
    """The X, Y, Z tomography circuits of qubit 1 for one point (logical, not transpiled).

    Each measures into its own one-bit register ``meas`` (added last; a ``dynamic`` circuit keeps its
    mid-circuit bits in the registers before it); ``metadata`` holds ``basis``, ``qubit`` (:data:`MEASURED_QUBIT`),
    ``clbits``, ``route``, ``realization``, ``order``, ``dt``, ``steps`` and ``params``.

    Args:
        params: the parameter point.
        dt: Trotter step length.
        steps: number of steps or ``"auto"`` (to trace distance ``tol`` of the fixed point).
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"dilated"`` (hardware-native), ``"kraus"`` or ``"dynamic"``; for ``route="gates"``.
        route: ``"gates"`` (the gate-level collision circuit) or ``"power"`` (one ``superop`` :math:`S^N`).

    Example:
        >>> qcs = tomography_circuits(Params(0.06, 0.3, 0.3, 0.1, 0.0), 0.5, steps=3)
        >>> [qc.metadata["basis"] for qc in qcs], qcs[0].metadata["qubit"]
        (['X', 'Y', 'Z'], 1)
    """
    params = Params.require(params)
    validate_dt(dt)
    order = validate_order(order)
    realization = validate_realization(realization)
    if route not in TOMOGRAPHY_ROUTES:
        raise InputError(f"route must be one of {', '.join(TOMOGRAPHY_ROUTES)}; got {quote(route)}")
    n = resolve_steps(params, dt, order, steps, tol)
    if route == "power":
        from qiskit_aer.library import SetDensityMatrix  # lazy, heavy: Aer loads only for this route

        base = QuantumCircuit(2)
        base.append(SetDensityMatrix(DensityMatrix(np.kron(params.tau1(), params.tau2()))), list(SYSTEM_QUBITS))
        S_n = np.linalg.matrix_power(trotter_step_superop(params, dt, order), n)
        base.append(superop_instruction(S_n), list(SYSTEM_QUBITS))
    else:
        base = trotter_circuit(params, dt, n, order=order, realization=realization, save=False)
    out = []
    for b in BASES:
        qc = base.copy(name=f"tomo_{b}_{route}_{n}")
        meas = ClassicalRegister(1, "meas")
        qc.add_register(meas)
        append_measurement(qc, b, MEASURED_QUBIT, meas[0])  # its own bit (dynamic circuits have others)
        qc.metadata = {"basis": b, "qubit": MEASURED_QUBIT, "clbits": [0], "route": route,
                       "realization": realization, "order": order, "dt": float(dt), "steps": n,
                       "params": params.to_dict()}
        out.append(qc)
    return out


def final_layout(qc: QuantumCircuit) -> list[int]:
    """``final[q]``: the physical qubit holding logical qubit ``q`` at the end of a transpiled circuit."""
    layout = qc.layout
    return list(layout.final_index_layout()) if layout is not None else list(range(qc.num_qubits))


def with_saved_state(qc: QuantumCircuit) -> QuantumCircuit:
    """``qc`` (transpiled) with ``save_density_matrix`` on the final positions of the system qubits."""
    import qiskit_aer  # noqa: F401  (lazy, heavy: registers QuantumCircuit.save_density_matrix)

    final = final_layout(qc)
    qc.save_density_matrix([final[q] for q in SYSTEM_QUBITS], label="rho")
    return qc


def noisy_tomography_circuits(tqc: QuantumCircuit, physical: int, metadata: dict[str, Any]) -> list[QuantumCircuit]:
    """X, Y, Z native measurements of physical qubit ``physical`` appended to copies of one transpiled circuit.

    ``metadata`` (it must hold ``steps``) is added to each circuit's ``basis``, ``qubit``,
    ``physical_qubit`` and ``clbits``.
    """
    out = []
    for b in BASES:
        qc = tqc.copy(name=f"tomo_{b}_noisy_{metadata['steps']}")
        qc.add_register(ClassicalRegister(1, "meas"))
        append_native_measurement(qc, b, physical)
        qc.metadata = {"basis": b, "qubit": MEASURED_QUBIT, "physical_qubit": physical, "clbits": [0], **metadata}
        out.append(qc)
    return out

