r"""Device noise that includes time: ALAP schedules padded with delays, relaxation while idle, reset and measurement.

``NoiseModel.from_backend(device)`` attaches to every gate its depolarizing error and the thermal relaxation
of its duration, to ``reset`` the relaxation of its duration, to ``measure`` the readout assignment error,
and it carries a ``RelaxationNoisePass`` for ``delay`` instructions. An unscheduled circuit has no delays, so
the time a qubit waits -- for a 5 us reset or measurement of another qubit, or for a two-qubit gate
elsewhere -- costs nothing. Here (the default for device targets, ``idle_noise=True``):

* the transpiled circuit is scheduled as late as possible (``scheduling_method="alap"`` of Qiskit's preset
  pass managers: ``ALAPScheduleAnalysis`` and ``PadDelay`` with the target's durations), so every idle period
  is a ``delay`` and Aer's ``RelaxationNoisePass`` of the noise model applies the thermal relaxation of the
  qubit's :math:`T_1, T_2` (from ``target.qubit_properties``) for that time;
* after every ``measure`` the measured qubit relaxes for the measurement's duration
  (``RelaxationNoisePass(op_types=Measure)``; it matters for mid-circuit measurements, as the readout error of
  a final one is already the device's calibrated assignment error);
* after every ``reset`` whose target entry has an ``error`` :math:`\epsilon`, the qubit is left in
  :math:`|1\rangle` with probability :math:`\epsilon` (an ``X`` with that probability; the IBM fake devices give
  reset durations but no reset errors).

A qubit that idles for :math:`t` at zero temperature undergoes amplitude damping and dephasing:
:math:`\rho_{11}\to\rho_{11}e^{-t/T_1}`, :math:`\rho_{01}\to\rho_{01}e^{-t/T_2}` (Aer's
``thermal_relaxation_error``, with :math:`T_2\le 2T_1`). The devices' excited-state population is taken as
zero (``from_backend``'s default temperature).

Circuits with control flow cannot be scheduled by Qiskit's scheduling stage: with ``idle_noise=True`` they
are refused (``InputError``), with ``idle_noise=False`` they run with gate and readout noise only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import InputError, integer, quote
from .backends import DEVICE_OPTIMIZATION_LEVEL, require_instructions

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.providers import BackendV2
    from qiskit.transpiler import Target

__all__ = [
    "DEVICE_NOISE_SCOPE",
    "GATE_NOISE_SCOPE",
    "has_timing",
    "relaxation_times",
    "measurement_and_reset_passes",
    "DevicePassManager",
    "device_pass_manager",
    "schedule_alap",
]

#: What device noise covers with ``idle_noise=True`` (reported as ``noise_scope`` with every such result).
DEVICE_NOISE_SCOPE = (
    "device noise with time: gate errors and relaxation during gates (NoiseModel.from_backend), readout "
    "assignment errors, thermal relaxation (T1, T2) during resets, after mid-circuit measurements and during "
    "every idle period of the ALAP schedule padded with delays (the waits for resets, measurements and gates "
    "of other qubits), reset errors where the target gives them; not modelled: crosstalk, leakage, coherent "
    "and non-Markovian errors, drift, thermal excitation, control-flow latency")
#: What gate-attached noise covers (parametric specs, and device noise with ``idle_noise=False``).
GATE_NOISE_SCOPE = ("gate and readout errors only: idle time, reset and measurement durations are not "
                    "modelled, so a device would do worse")


def has_timing(target: Target) -> bool:
    """True if ``target`` has durations for ``reset`` or ``measure`` and :math:`T_1` of some qubit.

    Without them there is nothing to schedule or relax (``AerSimulator()``'s generic target, for example).
    """
    props = target.qubit_properties
    if not props or not any(p is not None and p.t1 is not None for p in props):
        return False
    for name in ("reset", "measure"):
        inst = target.get(name) if name in target.operation_names else None
        if inst and any(p is not None and p.duration for p in inst.values()):
            return True
    return False


def relaxation_times(target: Target) -> tuple[list[float], list[float]]:
    """Per-qubit :math:`T_1` and :math:`T_2` (s) of ``target``, ``inf`` where unknown, :math:`T_2\\le 2T_1`."""
    props = target.qubit_properties or [None] * int(target.num_qubits or 0)
    t1s = [np.inf if p is None or p.t1 is None else float(p.t1) for p in props]
    t2s = [np.inf if p is None or p.t2 is None else float(p.t2) for p in props]
    return t1s, [min(t2, 2.0 * t1) for t1, t2 in zip(t1s, t2s, strict=True)]


def measurement_and_reset_passes(target: Target) -> list[Any]:
    """Aer noise passes for what ``from_backend`` leaves out: relaxation after ``measure``, reset errors.

    Returns ``[RelaxationNoisePass(op_types=Measure, target=target)]``, plus a ``LocalNoisePass`` that appends
    ``pauli_error([("X", e), ("I", 1 - e)])`` after each ``reset`` whose target ``error`` ``e`` is set.
    """
    # lazy: Aer loads only when a device circuit is prepared
    from qiskit.circuit import Measure, Reset
    from qiskit_aer.noise import pauli_error
    from qiskit_aer.noise.passes import LocalNoisePass, RelaxationNoisePass

    t1s, t2s = relaxation_times(target)
    passes: list[Any] = [RelaxationNoisePass(t1s, t2s, dt=target.dt, op_types=Measure, target=target)]
    reset = target.get("reset") if "reset" in target.operation_names else None
    errors = {q: float(p.error) for q, p in (reset or {}).items() if p is not None and p.error}
    if errors:
        def flip(op: Any, qubits: Sequence[int]) -> Any:
            e = errors.get(tuple(qubits))
            return None if e is None else pauli_error([("X", e), ("I", 1.0 - e)]).to_instruction()

        passes.append(LocalNoisePass(flip, op_types=Reset, method="append"))
    return passes


def _has_control_flow(circuit: QuantumCircuit) -> bool:
    return any(getattr(inst.operation, "blocks", None) for inst in circuit.data)


@dataclasses.dataclass(frozen=True)
class DevicePassManager:
    """Transpiles for a device and, with ``idle_noise``, schedules ALAP and inserts the time-dependent noise.

    ``run(circuits)`` is what ``backend=``/``pass_manager=`` runs expect (:func:`qc_reset.run.backends.transpile_to`);
    :meth:`transpile_only` gives the same circuits (same preset stages and seed) without the scheduling stage,
    for budgets. Built by :func:`device_pass_manager`.
    """

    backend: Any
    optimization_level: int
    seed: int
    initial_layout: tuple[int, ...] | None
    idle_noise: bool

    def _preset(self, scheduled: bool) -> Any:
        from qiskit.transpiler import PassManager, generate_preset_pass_manager  # lazy: the transpiler

        pm = generate_preset_pass_manager(
            optimization_level=self.optimization_level, backend=self.backend, seed_transpiler=self.seed,
            initial_layout=None if self.initial_layout is None else list(self.initial_layout),
            scheduling_method="alap" if scheduled else None)
        if scheduled:
            pm.post_scheduling = PassManager(measurement_and_reset_passes(self.backend.target))
        return pm

    def run(self, circuits: Any) -> Any:
        """Transpile (and with ``idle_noise`` schedule and add the noise passes); refuses control flow then."""
        qcs = circuits if isinstance(circuits, list | tuple) else [circuits]
        if self.idle_noise and any(_has_control_flow(qc) for qc in qcs):
            raise InputError("idle noise needs an ALAP schedule, which Qiskit cannot make for circuits with control "
                             "flow (if_else, for_loop); use idle_noise=False (CLI --no-idle-noise)")
        return self._preset(self.idle_noise).run(circuits)

    def transpile_only(self, circuits: Any) -> Any:
        """The same transpilation without scheduling or noise passes (the circuit a budget is read from)."""
        return self._preset(False).run(circuits)


def device_pass_manager(
    backend: BackendV2, *, optimization_level: int | None = None, seed: int = 0,
    initial_layout: Sequence[int] | None = None, idle_noise: bool = True,
) -> DevicePassManager:
    """A :class:`DevicePassManager` for ``backend`` (any ``BackendV2`` whose target has durations and T1).

    Args:
        backend: the device (``backend.target`` gives the basis, coupling map, durations and T1/T2).
        optimization_level: preset level, default :data:`qc_reset.run.backends.DEVICE_OPTIMIZATION_LEVEL` (3).
        seed: ``seed_transpiler`` of the preset pass manager (integer >= 0).
        initial_layout: physical qubits of the circuit's qubits.
        idle_noise: schedule ALAP with delays and add the measurement and reset noise passes.

    Raises:
        InputError: a backend without a target, or (with ``idle_noise``) whose target has no durations or
            T1 (:func:`has_timing`).
    """
    if not isinstance(idle_noise, bool):
        raise InputError(f"idle_noise must be a bool; got {quote(idle_noise)}")
    require_instructions(backend, (), "device noise")  # a target is needed
    level = integer("optimization_level", DEVICE_OPTIMIZATION_LEVEL if optimization_level is None
                    else optimization_level, lo=0, hi=3)
    seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    if idle_noise and not has_timing(backend.target):
        raise InputError(f"idle noise needs instruction durations and T1/T2 in the target of {backend.name!r}; "
                         "it has none: use idle_noise=False (CLI --no-idle-noise)")
    layout = None if initial_layout is None else tuple(int(q) for q in initial_layout)
    return DevicePassManager(backend=backend, optimization_level=level, seed=seed, initial_layout=layout,
                             idle_noise=idle_noise)


def schedule_alap(circuit: QuantumCircuit, target: Target) -> QuantumCircuit:
    """``circuit`` (transpiled to ``target``) scheduled ALAP with its idle periods padded by ``delay``."""
    from qiskit.transpiler import PassManager  # lazy: the transpiler loads only when a circuit is scheduled
    from qiskit.transpiler.passes import ALAPScheduleAnalysis, PadDelay

    if _has_control_flow(circuit):
        raise InputError("schedule_alap needs a circuit without control flow (Qiskit cannot schedule it)")
    return PassManager([ALAPScheduleAnalysis(target=target), PadDelay(target=target)]).run(circuit)
