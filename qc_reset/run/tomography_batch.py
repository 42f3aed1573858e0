"""Tomography of many points: :func:`tomography_points` (one Aer job, or one run per point on a sampler or
device) and :func:`degradation_table` (coherence and magic of the exact noisy state against a depolarizing error).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import InputError, check_shots, quote, real_scalar
from ..circuits.measurement import tomography_circuits
from ..model import measures
from ..model.operators import FloatArray
from ..model.params import Params
from ..model.progress import ProgressCallback, Tracker
from ..stats.estimators import linear_inversion, standard_errors
from . import backends, simulator
from . import noise as noise_mod
from .seeds import fresh_seed, seed_streams, stream_seed
from .tomography_run import run_tomography
from .tomography_states import aer_counts, convergence_tol, ideal_backend, noisy_state

if TYPE_CHECKING:
    from qiskit.providers import BackendV2

__all__ = ["tomography_points", "degradation_table"]


def tomography_points(
    points: Sequence[Params], *, dt: float, order: int, shots: int, seed: int | None,
    progress_callback: ProgressCallback | None = None, sampler: Any = None, backend: BackendV2 | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Ideal-path tomography of many points in one Aer run: linear-inversion ``bloch`` and ``stderr``, (n, 3).

    Each point is converged with ``steps="auto"`` at :func:`convergence_tol` and runs on the ``"power"``
    route. Aer gives circuit ``i`` of a job the seed ``seed_simulator + 2113 i``, so point ``k``'s counts
    depend only on ``(seed, k)``, not on the other points. With a ``progress_callback`` (called with a
    :class:`~qc_reset.model.progress.Progress` of unit ``"points"`` at the start and after each point) every
    point is its own Aer run, seeded ``seed_simulator + 2113 i`` of its first circuit: the same counts.

    With ``sampler=`` (any ``BaseSamplerV2``) or ``backend=`` (any ``BackendV2``, checked and transpiled to
    its target as in :func:`run_tomography`) each point is one :func:`run_tomography` on the gate-level dilated
    circuit through that sampler or device, seeded by its own stream of ``seed``.
    """
    pts = simulator.require_points(points)
    shots = check_shots(shots)
    tol = convergence_tol(shots)
    if sampler is not None or backend is not None:
        if sampler is not None:
            backends.sampler_backend(sampler)  # refuse a non-sampler before any work
        if backend is not None:
            backends.device_simulator(backend)  # refuse a non-device before any work
        streams = seed_streams(fresh_seed() if seed is None else seed, len(pts))
        tracker = Tracker(progress_callback, len(pts), "points")
        runs = []
        for p, ss in zip(pts, streams, strict=True):
            runs.append(run_tomography(p, shots=shots, seed=stream_seed(ss), dt=dt, order=order, route="gates",
                                       realization="dilated", tol=tol, n_resamples=1, sampler=sampler,
                                       backend=backend))
            tracker.step()
        tracker.finish()
        return (np.array([r.result.bloch for r in runs], dtype=float),
                np.array([r.result.stderr for r in runs], dtype=float))
    circs = [qc for p in pts for qc in tomography_circuits(p, dt, order=order, route="power", tol=tol)]
    aer_seed = stream_seed(seed_streams(seed, 1)[0])
    tracker = Tracker(progress_callback, len(pts), "points")
    jobs = [range(len(circs))] if progress_callback is None else [range(3 * k, 3 * k + 3) for k in range(len(pts))]
    rows = []
    for job in jobs:
        result = ideal_backend().run([circs[i] for i in job], shots=shots, seed_simulator=aer_seed + 2113 * job[0]
                                      ).result()
        rows += [aer_counts(result, i) for i in range(len(job))]
        tracker.step(len(job) // 3)
    tracker.finish()
    counts = np.array(rows, dtype=np.int64).reshape(len(pts), 3, 2)
    return linear_inversion(counts), standard_errors(counts)


def degradation_table(
    params: Params,
    depols: Sequence[float],
    *,
    base: str = "none",
    dt: float = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    tol: float = 1e-6,
) -> list[dict[str, Any]]:
    """C_l1 and ||r||_1 of qubit 1 from the exact noisy density matrix, for each depolarizing ``p``.

    ``p = 0`` rows use the ideal circuit. ``base`` is a parametric spec whose ``depol`` is replaced.
    """
    params = Params.require(params)
    spec0 = noise_mod.parse_noise(base)
    if isinstance(depols, (str, bytes, dict)) or not isinstance(depols, Sequence | np.ndarray):
        raise InputError(f"depols must be a sequence of numbers in [0, 1]; got {quote(depols)}")
    ps = [real_scalar("depol", p) for p in depols]
    bad = [p for p in ps if not 0.0 <= p <= 1.0]
    if bad:
        raise InputError(f"depols must be numbers in [0, 1]; got {bad[0]!r}")
    rows = []
    for p in ps:
        spec = spec0.with_depol(p) if p > 0 else spec0
        rho, n = noisy_state(params, spec, dt=dt, order=order, steps=steps, tol=tol)
        r = measures.bloch_vector(rho)
        rows.append({"depol": float(p), "noise": str(spec), "steps": n, "bloch": r.tolist(),
                     "l1_coherence": float(measures.l1_coherence(r)), "l1_norm": float(measures.l1_norm(r)),
                     "magic": bool(measures.has_magic(r))})
    return rows
