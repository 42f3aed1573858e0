r"""Exact states of the tomography circuits of qubit 1: the ideal :math:`S^N\rho_0`, the devices of noisy runs.

:func:`ideal_state` is the state of ``n`` ideal Trotter steps from the step superoperator;
:func:`noisy_state` the density matrix Aer saves on the noisy dilated circuit, transpiled once for the
device that :func:`resolve_device` makes of ``noise=`` (a spec or a ``NoiseModel``) or ``backend=`` (any
``BackendV2``, checked before anything is built). :func:`transpiled_state` gives that transpiled circuit and
the physical qubit of paper qubit 1, which the tomography runs of :mod:`qc_reset.run.tomography_run` measure.
:func:`convergence_tol` is the default ``tol`` of ``steps="auto"`` at a number of shots.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit import QuantumCircuit

from .._checks import InputError, int_seed, quote
from .._checks import order as check_order
from ..circuits.collision import trotter_circuit, trotter_step_superop
from ..circuits.measurement import MEASURED_QUBIT, final_layout, resolve_steps, with_saved_state
from ..model.operators import ComplexArray
from ..model.params import Params
from . import backends
from . import noise as noise_mod

if TYPE_CHECKING:
    from qiskit.providers import BackendV2
    from qiskit.result import Result
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel

__all__ = [
    "convergence_tol",
    "ideal_state",
    "ideal_backend",
    "aer_counts",
    "Device",
    "resolve_device",
    "transpiled_state",
    "noisy_state",
]


# ------------------------------------------------------------------------------------------- helpers
def convergence_tol(shots: int) -> float:
    r"""Default ``tol`` for ``steps="auto"``: :math:`0.1/\sqrt{N_{shots}}` in [1e-10, 1e-3]; 1e-6 for no shots."""
    if shots <= 0:
        return 1e-6
    return float(np.clip(0.1 / np.sqrt(shots), 1e-10, 1e-3))


def ideal_state(params: Params, dt: float, order: int, n: int) -> ComplexArray:
    r"""The exact two-qubit state :math:`S^N(\tau_1\otimes\tau_2)` of ``n`` ideal Trotter steps (qubit 1 first)."""
    S = trotter_step_superop(params, dt, order)
    rho0 = np.kron(params.tau1(), params.tau2())
    return (np.linalg.matrix_power(S, n) @ rho0.reshape(16)).reshape(4, 4)


@functools.cache
def ideal_backend() -> AerSimulator:
    """Aer density-matrix simulator of the ideal path (cached); one thread: its pool costs ~40 ms per run here."""
    from qiskit_aer import AerSimulator  # lazy, heavy: Aer loads when a circuit is first run

    return AerSimulator(method="density_matrix", max_parallel_threads=1)


def aer_counts(result: Result, i: int) -> list[int]:
    """Counts ``[n0, n1]`` of qubit 1's ``meas`` register in circuit ``i`` of an Aer result (other registers summed)."""
    out = [0, 0]
    for key, n in result.get_counts(i).items():
        out[int(key.split()[0])] += int(n)  # the "meas" register, added last, is printed first
    return out


@dataclasses.dataclass(frozen=True)
class Device:
    """Where a noisy run executes: its record label, Aer simulator, transpile and pre-build device check."""

    label: str
    make_sim: Callable[[], AerSimulator]  # built only when a job is run, after every check
    transpile: Callable[[QuantumCircuit, int, Sequence[str]], QuantumCircuit]
    check: Callable[[Sequence[str]], None]
    spec: noise_mod.NoiseSpec = noise_mod.NoiseSpec()
    device: BackendV2 | None = None

    @property
    def sim(self) -> AerSimulator:
        """The Aer density-matrix simulator of the run; built on first use."""
        return self.make_sim()


def resolve_device(
    noise: Any, backend: Any = None, optimization_level: int | None = None,
    initial_layout: Sequence[int] | None = None, pass_manager: Any = None,
) -> Device | None:
    """Resolve ``noise`` / ``backend`` and the transpilation options; None for the ideal path."""
    # lazy: Aer loads only when a noisy run is prepared
    from qiskit import transpile
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel

    device_opts = initial_layout is not None or pass_manager is not None
    if backend is not None:
        if not (isinstance(noise, str | noise_mod.NoiseSpec) and noise_mod.parse_noise(noise).kind == "none"):
            raise InputError("noise must be 'none' with backend=: the backend brings its own noise model; got "
                             f"noise={quote(noise)}")
        sim = backends.device_simulator(backend)
        target = sim if isinstance(backend, AerSimulator) else backend
        return Device(
            label=f"backend:{getattr(backend, 'name', type(backend).__name__)}", make_sim=lambda: sim,
            transpile=lambda qc, seed, extra: backends.transpile_to(
                qc, target, seed=seed, optimization_level=optimization_level, initial_layout=initial_layout,
                pass_manager=pass_manager, extra=extra),
            check=lambda needed: backends.require_instructions(target, needed, "the tomography circuits"),
            device=None if isinstance(backend, AerSimulator) else backend)
    if device_opts:
        raise InputError("initial_layout and pass_manager need backend= (a device target); with noise= use "
                         "optimization_level or a 'fake:<Backend>,layout=a-b-c-d' spec")
    level = 1 if optimization_level is None else optimization_level
    if isinstance(noise, NoiseModel):
        basis = sorted({*noise.basis_gates, "reset", "measure"})
        return Device(label="noise_model",
                       make_sim=functools.cache(lambda: AerSimulator(method="density_matrix", noise_model=noise)),
                       transpile=lambda qc, seed, extra: transpile(qc, basis_gates=basis, optimization_level=level,
                                                                   seed_transpiler=seed),
                       check=lambda needed: None)
    spec = noise_mod.parse_noise(noise)
    if spec.kind == "none":
        if optimization_level is not None:
            raise InputError("optimization_level needs noise= or backend= (the ideal circuits are not transpiled)")
        return None
    return Device(label=str(spec), make_sim=lambda: noise_mod.simulator(spec), spec=spec,
                   transpile=lambda qc, seed, extra: noise_mod.transpile_for(qc, spec, seed=seed, extra=extra,
                                                                             optimization_level=level),
                   check=lambda needed: noise_mod.check_device(spec, needed))


def transpiled_state(
    params: Params, dev: Device | noise_mod.NoiseSpec, dt: float, order: int, n: int, seed: int,
    extra: Sequence[str] = (),
) -> tuple[QuantumCircuit, int]:
    """The noisy dilated circuit of ``n`` steps transpiled once, and the physical qubit of paper qubit 1.

    ``dev``: the resolved device (or a noisy spec); ``extra``: native instructions appended afterwards,
    checked in the device's target beforehand.
    """
    if not isinstance(dev, Device):
        resolved = resolve_device(dev)
        if resolved is None:
            raise InputError("the transpiled noisy state needs a noisy spec; got 'none'")
        dev = resolved
    # The dilated circuit resets its ancillas and entangles: check the device before building anything.
    dev.check(("reset", "two-qubit gate", *extra))
    qc = trotter_circuit(params, dt, n, order=order, realization="dilated", save=False)
    tqc = dev.transpile(qc, seed, extra)
    return tqc, final_layout(tqc)[MEASURED_QUBIT]


def noisy_state(
    params: Params,
    noise_spec: str | noise_mod.NoiseSpec | NoiseModel = "none",
    *,
    dt: float = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    tol: float = 1e-6,
    seed: int = 0,
    backend: BackendV2 | None = None,
    optimization_level: int | None = None,
    initial_layout: Sequence[int] | None = None,
    pass_manager: Any = None,
) -> tuple[ComplexArray, int]:
    """Exact (no shot noise, no readout error) system state of the noisy dilated circuit, and its steps.

    Returns the 4x4 density matrix (qubit 1 first; ancillas traced out) after ``steps`` noisy steps,
    from Aer's ``save_density_matrix`` on the transpiled circuit. ``seed`` (integer >= 0) fixes the
    transpiler. ``noise_spec`` is a spec or a ``NoiseModel``; ``backend`` and the transpilation options are
    those of :func:`run_tomography`, so the same arguments give the state its tomography measures.
    """
    params = Params.require(params)
    dev = resolve_device(noise_spec, backend, optimization_level, initial_layout, pass_manager)
    seed = int_seed(seed)
    order = check_order(order)
    n = resolve_steps(params, dt, order, steps, tol)
    if dev is None:
        return ideal_state(params, dt, order, n), n
    tq, _ = transpiled_state(params, dev, dt, order, n, seed)
    result = dev.sim.run(with_saved_state(tq)).result()
    return np.asarray(result.data(0)["rho"], dtype=complex), n
