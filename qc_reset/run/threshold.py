r"""The gate-error threshold: the largest depolarizing error at which tomography still says "magic".

A workflow of the execution layer: :func:`max_gate_error` bisects the depolarizing parameter of a
parametric noise spec, running the dilated circuit's tomography (:mod:`qc_reset.run.tomography`) at
each trial, and returns a frozen :class:`GateErrorThreshold`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any

import numpy as np

from .._checks import InputError, check_shots, confidence_level, integer, quote
from ..circuits.measurement import NATIVE_MEASUREMENT, resolve_steps
from ..model import Params
from ..model.measures import bloch_vector, l1_norm
from ..model.progress import ProgressCallback, Tracker
from ..stats.estimators import DEFAULT_LEVEL
from . import backends, tomography
from .noise import NoiseSpec, parse_noise

__all__ = [
    "DEFAULT_BRACKET",
    "DEFAULT_RTOL",
    "DEFAULT_MAX_EVALUATIONS",
    "MAX_EVALUATIONS",
    "THRESHOLD_STATUSES",
    "GateErrorThreshold",
    "device_trial_simulator",
    "max_gate_error",
]

#: Default ``(p_lo, p_hi)`` bracket of the depolarizing parameter.
DEFAULT_BRACKET: tuple[float, float] = (1e-5, 1e-1)
#: Default relative width of the final bracket.
DEFAULT_RTOL: float = 0.05
#: Default cap on circuit runs.
DEFAULT_MAX_EVALUATIONS: int = 24
#: Bisections of ``log p`` to ``rtol`` need ``log2(log(p_hi/p_lo)/log(1+rtol))`` runs: < 60 even for
#: ``[1e-300, 1]`` at ``rtol = 1e-15``; more evaluations than this are a mistake, not a finer answer.
MAX_EVALUATIONS = 200
#: Possible ``status`` values of a :class:`GateErrorThreshold`.
THRESHOLD_STATUSES: tuple[str, ...] = ("found", "max_evaluations", "above_bracket", "below_bracket")


@dataclasses.dataclass(frozen=True)
class GateErrorThreshold:
    """Result of :func:`max_gate_error`: the largest depolarizing ``p`` with a "magic" verdict.

    ``status`` is ``"found"`` (``p_max`` is the lower end of a final bracket of relative width
    ``rtol``), ``"max_evaluations"`` (the evaluation cap was hit first: ``[p_max, p_fail]`` is the
    last, wider bracket), ``"above_bracket"`` (magic even at the bracket's top; ``p_max`` = top) or
    ``"below_bracket"`` (not magic at the bottom; ``p_max`` is None). ``evaluations`` lists
    ``(p, verdict, witness)`` in the order evaluated. ``seed`` is the seed every trial used (drawn
    and recorded when none was given with ``shots > 0``; unused for ``shots=0``, which has no randomness).
    """

    p_max: float | None
    p_fail: float | None
    status: str
    params: Params
    noise: str
    shots: int
    seed: int | None
    level: float
    dt: float
    order: int
    steps: int
    evaluations: tuple[tuple[float, str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = dataclasses.asdict(self)
        d["params"] = self.params.to_dict()
        d["evaluations"] = [{"p": p, "verdict": v, "witness": w} for p, v, w in self.evaluations]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GateErrorThreshold:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict):
            raise InputError(f"gate-error threshold record must be a dict; got {quote(data)}")
        names = [f.name for f in dataclasses.fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise InputError(f"gate-error threshold record needs the keys {quote(missing)}")
        fields = {n: data[n] for n in names}
        if not isinstance(fields["params"], dict):
            raise InputError(f"gate-error threshold params must be a dict; got {quote(fields['params'])}")
        fields["params"] = Params(**fields["params"])
        try:
            fields["evaluations"] = tuple((float(e["p"]), str(e["verdict"]), float(e["witness"]))
                                          for e in fields["evaluations"])
        except (TypeError, KeyError, ValueError):
            raise InputError("gate-error threshold evaluations must be a list of {p, verdict, witness}; got "
                             f"{quote(fields['evaluations'])}") from None
        return cls(**fields)


def _trial_device(backend: Any, sampler: Any, noise: Any) -> Any:
    """The device of a threshold search (``backend`` or the sampler's), checked before any job; or None."""
    if sampler is not None:
        dev = backends.sampler_backend(sampler)
        if dev is None:
            raise InputError("max_gate_error scans an emulated gate error: a sampler needs a device behind it "
                             "(e.g. qiskit_ibm_runtime.SamplerV2(mode=device)), whose noise model and target the "
                             "trials emulate on Aer's density-matrix method; pass backend= instead")
        backend = dev if backend is None else backend
    if backend is None:
        return None
    if not (isinstance(noise, str | NoiseSpec) and parse_noise(noise).kind == "none"):
        raise InputError(f"noise must be 'none' with a device: the trials add the scanned depolarizing error to the "
                         f"device's own noise model; got noise={quote(noise)}")
    backends.device_simulator(backend)  # a BackendV2 with a target (or a density-matrix AerSimulator)
    backends.require_instructions(backend, ("reset", "two-qubit gate", *NATIVE_MEASUREMENT), "the threshold trials")
    return backend


def device_trial_simulator(backend: Any, p: float) -> Any:
    """``AerSimulator`` (density matrix) with ``backend``'s target and noise plus depolarizing ``p`` on every gate.

    The device's noise model (``NoiseModel.from_backend``) keeps its errors; a ``depolarizing_error(p, k)`` is
    composed onto every ``k``-qubit gate instruction of the target (measure, reset and delays excluded).
    """
    from qiskit.circuit import Gate  # lazy: Aer and Qiskit load only for device trials
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel, depolarizing_error

    nm = NoiseModel.from_backend(backend)
    target = backend.target
    log = logging.getLogger("qiskit_aer.noise.noise_model")
    quiet = log.level
    log.setLevel(logging.ERROR)  # composing onto the device's errors is the intent, not a warning
    try:
        for name in target.operation_names:
            op = target.operation_from_name(name)
            if isinstance(op, type) or not isinstance(op, Gate) or op.num_qubits not in (1, 2):
                continue
            for qargs in target.qargs_for_operation_name(name) or ():
                nm.add_quantum_error(depolarizing_error(p, op.num_qubits), name, list(qargs))
    finally:
        log.setLevel(quiet)
    return AerSimulator.from_backend(backend, method="density_matrix", noise_model=nm)


def max_gate_error(
    params: Params,
    *,
    shots: int,
    seed: int | None,
    level: float = DEFAULT_LEVEL,
    noise: str | NoiseSpec = "none",
    bracket: tuple[float, float] = DEFAULT_BRACKET,
    rtol: float = DEFAULT_RTOL,
    dt: float = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
    mitigate: bool = False,
    progress_callback: ProgressCallback | None = None,
    backend: Any = None,
    sampler: Any = None,
) -> GateErrorThreshold:
    r"""Largest depolarizing gate error :math:`p` at which the magic verdict is still "magic".

    Bisection on :math:`\log p` over ``bracket``: the depolarizing parameter of every one- and
    two-qubit gate is set to :math:`p` (``depol2`` follows ``depol`` unless ``noise`` fixes it; other
    errors of ``noise``, e.g. ``t1``, ``readout``, stay), the dilated circuit runs at each trial
    :math:`p` and the verdict (:func:`qc_reset.stats.verdict.magic_verdict`, union interval at ``level``)
    decides the half. With ``shots > 0`` this is a *statistical* statement: the verdict of a finite
    sample, whose false-"magic" rate is at most ``1 - level`` at each :math:`p`; every trial reuses the
    same ``seed`` (common random numbers, so the verdict is monotone in :math:`p` up to rare crossings),
    which makes the result deterministic. ``shots=0`` uses the exact noisy density matrix (no shot noise,
    no readout error): the asymptotic threshold :math:`\|r\|_1 = 1`.

    Args:
        params: the parameter point (should have magic without noise).
        shots: shots per basis (0 = exact density matrix).
        seed: seed of every trial (integer >= 0). ``None`` with ``shots > 0`` draws one integer seed
            from fresh OS entropy, uses it for every trial and records it in the result, so the run can
            be repeated exactly.
        level: confidence level of the verdict.
        noise: base spec (``none`` or parametric) whose ``depol`` is scanned.
        bracket: ``(p_lo, p_hi)`` with ``0 < p_lo < p_hi <= 1``.
        rtol: stop when ``p_hi / p_lo <= 1 + rtol``.
        dt, order, steps: Trotter step, order and steps (``"auto"``: converged to the shot-noise scale).
        max_evaluations: hard cap on circuit runs (>= 2); hitting it gives status ``"max_evaluations"``.
        mitigate: readout mitigation of each trial (:func:`qc_reset.stats.mitigation.mitigate_estimate`);
            ignored for ``shots=0``.
        progress_callback: called with a :class:`~qc_reset.model.progress.Progress` (unit ``"evaluations"``)
            at the start and after each circuit run; ``total`` is the most runs the bisection can need
            (capped by ``max_evaluations``) until the last call, which has ``done == total``.
        backend: a device (any ``BackendV2``, checked before any job): the threshold is then the largest
            depolarizing error *added* to every gate of the device's own noise model
            (:func:`device_trial_simulator`), each trial transpiled to the device's target and run on Aer's
            density-matrix method (its exact state serves ``shots=0``). ``noise`` must then be ``"none"``.
        sampler: a sampler with a device (``qiskit_ibm_runtime.SamplerV2(mode=device)``) stands for that
            device, as ``backend``. The scanned error exists only in emulation, so a sampler without a device
            is refused with an ``InputError``.
    """
    device = _trial_device(backend, sampler, noise)
    base = parse_noise(noise)
    if base.kind == "fake":
        raise InputError("max_gate_error scans a parametric depolarizing error; noise must be 'none' or "
                         "a parametric spec, not a fake backend")
    lo, hi = (float(x) for x in bracket)
    if not 0 < lo < hi <= 1:
        raise InputError(f"bracket must satisfy 0 < p_lo < p_hi <= 1; got {quote(bracket)}")
    shots = check_shots(shots, allow_zero=True)  # 0 = exact density matrix
    if not rtol > 0:
        raise InputError(f"rtol must be > 0; got {quote(rtol)}")
    max_evaluations = integer("max_evaluations", max_evaluations, lo=2, hi=MAX_EVALUATIONS)
    if not isinstance(mitigate, bool | np.bool_):
        raise InputError(f"mitigate must be a bool; got {quote(mitigate)}")
    params = Params.require(params)
    if seed is not None:
        seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    elif shots > 0:
        seed = tomography.fresh_seed()
    level = confidence_level(level)
    n_steps = resolve_steps(params, dt, order, steps, tomography.convergence_tol(shots))
    evals: list[tuple[float, str, float]] = []
    need = 2 + max(0, math.ceil(math.log2(math.log(hi / lo) / math.log1p(rtol)))) if hi / lo > 1 + rtol else 2
    tracker = Tracker(progress_callback, min(need, max_evaluations), "evaluations")

    def verdict(p: float) -> bool:
        spec: Any = base.with_depol(p)
        sim = None if device is None else device_trial_simulator(device, p)
        if sim is not None:
            spec = "none"
        if shots == 0:
            rho, _ = tomography.noisy_state(params, spec, dt=dt, order=order, steps=n_steps, backend=sim)
            w = float(l1_norm(bloch_vector(rho))) - 1.0
            v = "magic" if w > 0 else "stabilizer"
        else:
            run = tomography.run_tomography(params, shots=shots, seed=seed, noise=spec, dt=dt, order=order,
                                           steps=n_steps, level=level, n_resamples=1, mitigate=mitigate,
                                           backend=sim)
            w, v = run.result.magic_witness.value, run.result.magic_witness.verdict
        evals.append((p, v, w))
        tracker.step()
        return v == "magic"

    def done(p_max: float | None, p_fail: float | None, status: str) -> GateErrorThreshold:
        tracker.finish()
        label = str(base) if device is None else f"backend:{getattr(device, 'name', type(device).__name__)}+depol"
        return GateErrorThreshold(p_max=p_max, p_fail=p_fail, status=status, params=params, noise=label,
                                  shots=shots, seed=seed, level=level, dt=float(dt), order=int(order),
                                  steps=n_steps, evaluations=tuple(evals))

    if not verdict(lo):
        return done(None, lo, "below_bracket")
    if verdict(hi):
        return done(hi, None, "above_bracket")
    while hi / lo > 1 + rtol:
        if len(evals) >= max_evaluations:
            return done(lo, hi, "max_evaluations")
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if verdict(mid) else (lo, mid)
    return done(lo, hi, "found")

