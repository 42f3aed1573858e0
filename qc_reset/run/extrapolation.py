r"""Step-size extrapolation of the collision model's fixed points (multi-product formulas), exact and with shots.

The fixed point :math:`\rho_\star(dt)` of one Trotter step (:func:`qc_reset.model.channels.fixed_point`) is a
smooth function of the step size with :math:`\rho_\star(0) = \rho_{ss}`, the continuous-time steady state:

.. math:: \rho_\star(dt) = \rho_{ss} + \sum_{j\ge1} a_j\, dt^{\,\chi + s(j-1)},

with :math:`\chi = 1, s = 1` for Lie-Trotter and :math:`\chi = 2, s = 2` for Strang (a symmetric formula:
its effective generator has only even powers of :math:`dt`, so its fixed point too). With :math:`K` step sizes
:math:`dt_k`, the coefficients :math:`c_k` of qiskit-addon-mpf's static linear system
(``qiskit_addon_mpf.static.setup_static_lse`` with Trotter steps :math:`k_j \propto 1/dt_j`, solved exactly by
its ``LSE.solve``) satisfy :math:`\sum_k c_k = 1` and :math:`\sum_k c_k\, dt_k^{\,p} = 0` for the first
:math:`K - 1` powers :math:`p`, so :math:`\sum_k c_k \rho_\star(dt_k) = \rho_{ss} + O(dt^{\,\chi + s(K-1)})`:
a few long collisions reach the continuous-time steady state. The price is the sampling overhead
:math:`(\sum_k |c_k|)^2` when the fixed points are measured (:mod:`qc_reset.stats.extrapolation`).

* :func:`mpf_coefficients`: the coefficients; :func:`extrapolate_fixed_points`: exact fixed points (numpy)
  and their combination against the exact steady state, as a :class:`StepExtrapolation` record.
* :func:`extrapolated_tomography`: one tomography run per step size (:func:`qc_reset.run.tomography.run_tomography`,
  shots split by :func:`~qc_reset.stats.extrapolation.optimal_allocation`), the combined estimate, its
  covariance and the union-bound witness verdict, as an :class:`ExtrapolatedTomography` record.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, choice, extrapolation_nodes
from .._checks import order as check_order
from .._version import install_hint
from ..model import measures
from ..model import steady as exact
from ..model.channels import fixed_point, trotter_step_superop
from ..model.operators import FloatArray
from ..model.params import Params
from ..stats.estimators import DEFAULT_LEVEL, SeedLike
from ..stats.extrapolation import combine, combined_estimate, combined_witness, optimal_allocation, sampling_overhead
from ..stats.records import MagicVerdict
from .seeds import fresh_seed, seed_streams, stream_seed
from .tomography import run_tomography

__all__ = [
    "ALLOCATIONS",
    "mpf_coefficients",
    "StepExtrapolation",
    "extrapolate_fixed_points",
    "ExtrapolatedTomography",
    "extrapolated_tomography",
]

#: Shot allocations of :func:`extrapolated_tomography`.
ALLOCATIONS: tuple[str, ...] = ("optimal", "equal")


def mpf_coefficients(dts: npt.ArrayLike, *, order: int = 2) -> FloatArray:
    r"""Static multi-product coefficients :math:`c_k` of the step sizes ``dts`` (2 to 8 distinct, > 0).

    From ``qiskit_addon_mpf.static.setup_static_lse(k, order=order, symmetric=(order == 2))`` with
    :math:`k_j = \min(dt)/dt_j` (only ratios matter: row :math:`i` of the system is
    :math:`k_j^{-p_i}`, and scaling all :math:`k_j` scales each row) and its exact ``LSE.solve``.

    Example:
        >>> mpf_coefficients([0.5, 0.25], order=2).round(6).tolist()
        [-0.333333, 1.333333]
    """
    x = extrapolation_nodes("dts", dts, lo=0.0, lo_open=True)
    order = check_order(order)
    try:
        from qiskit_addon_mpf.static import setup_static_lse  # lazy, heavy (cvxpy)
    except ImportError as exc:  # pragma: no cover - the hardware extra is installed in CI
        raise ImportError(f"mpf_coefficients needs qiskit-addon-mpf: {install_hint('qiskit_addon_mpf')}") from exc
    lse = setup_static_lse(list(x.min() / x), order=order, symmetric=(order == 2))
    return np.asarray(lse.solve(), dtype=float)


@dataclasses.dataclass(frozen=True, eq=False)  # array fields
class StepExtrapolation:
    r"""Exact fixed points of several step sizes, their multi-product combination and the exact steady state.

    ``bloch`` (K, 3): qubit 1's Bloch vector of each fixed point; ``coefficients`` (K,); ``bloch_combined``
    :math:`\sum_k c_k r_\star(dt_k)`; ``bloch_exact`` the continuous steady state. ``errors`` and
    ``combined_error`` compare :math:`r_x + r_y + r_z` with the exact value; ``max_errors`` and
    ``combined_max_error`` the largest component.
    """

    params: Params
    order: int
    dts: FloatArray
    coefficients: FloatArray
    bloch: FloatArray
    bloch_combined: FloatArray
    bloch_exact: FloatArray

    def __post_init__(self) -> None:
        k = len(self.dts)
        if np.shape(self.coefficients) != (k,) or np.shape(self.bloch) != (k, 3):
            raise InputError("coefficients and bloch must have one entry per step size")
        if np.shape(self.bloch_combined) != (3,) or np.shape(self.bloch_exact) != (3,):
            raise InputError("bloch_combined and bloch_exact must have shape (3,)")

    @property
    def overhead(self) -> float:
        r"""Sampling overhead :math:`(\sum_k |c_k|)^2`."""
        return sampling_overhead(self.coefficients)

    @property
    def errors(self) -> FloatArray:
        r""":math:`|\sum_i (r_{\star,i}(dt_k) - r_{ss,i})|` per step size, (K,)."""
        return np.abs((self.bloch - self.bloch_exact).sum(axis=-1))

    @property
    def combined_error(self) -> float:
        r""":math:`|\sum_i (\hat r_i - r_{ss,i})|` of the combination."""
        return float(abs((self.bloch_combined - self.bloch_exact).sum()))

    @property
    def max_errors(self) -> FloatArray:
        """Largest component error per step size, (K,)."""
        return np.abs(self.bloch - self.bloch_exact).max(axis=-1)

    @property
    def combined_max_error(self) -> float:
        """Largest component error of the combination."""
        return float(np.abs(self.bloch_combined - self.bloch_exact).max())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields and the derived errors."""
        return {
            "params": self.params.to_dict(), "order": self.order, "dts": self.dts.tolist(),
            "coefficients": self.coefficients.tolist(), "overhead": self.overhead,
            "bloch": self.bloch.tolist(), "bloch_combined": self.bloch_combined.tolist(),
            "bloch_exact": self.bloch_exact.tolist(), "errors": self.errors.tolist(),
            "combined_error": self.combined_error, "max_errors": self.max_errors.tolist(),
            "combined_max_error": self.combined_max_error,
            "l1_norm_combined": float(measures.l1_norm(self.bloch_combined)),
            "l1_norm_exact": float(measures.l1_norm(self.bloch_exact)),
        }


def _fixed_bloch(params: Params, dts: FloatArray, order: int) -> FloatArray:
    return np.array([measures.bloch_vector(fixed_point(trotter_step_superop(params, float(d), order))) for d in dts])


def extrapolate_fixed_points(params: Params, dts: npt.ArrayLike, *, order: int = 2) -> StepExtrapolation:
    """Exact multi-product extrapolation of the step channels' fixed points to ``dt -> 0``.

    Example:
        >>> ex = extrapolate_fixed_points(Params(0.06, 0.3, 0.3, 0.1, 0.02), [2.0, 1.0, 2 / 3], order=2)
        >>> bool(ex.combined_error < 1e-3 * ex.errors.min())
        True
    """
    params = Params.require(params)
    order = check_order(order)
    x = extrapolation_nodes("dts", dts, lo=0.0, lo_open=True)
    c = mpf_coefficients(x, order=order)
    r = _fixed_bloch(params, x, order)
    rss = measures.bloch_vector(exact.steady_state(params.g, params.p1, params.p2, params.T1, params.T2))
    return StepExtrapolation(params=params, order=order, dts=x, coefficients=c, bloch=r,
                             bloch_combined=combine(r, c), bloch_exact=np.asarray(rss, dtype=float))


@dataclasses.dataclass(frozen=True, eq=False)  # array fields
class ExtrapolatedTomography:
    r"""Tomography at several step sizes combined by multi-product coefficients, with its witness verdict.

    ``shots`` (K,) per basis at each step size; ``counts`` (K, 3, 2); ``bloch`` and ``cov`` the combined
    estimate :math:`\sum_k c_k \hat r_k` and its covariance :math:`\sum_k c_k^2 C_k`; ``witness`` the
    union-bound interval and verdict of :math:`\|\hat r\|_1 - 1`; ``exact`` the noiseless record
    (:class:`StepExtrapolation`) of the same step sizes; ``steps`` the Trotter steps run at each step size.
    """

    exact: StepExtrapolation
    shots: npt.NDArray[np.int64]
    steps: tuple[int, ...]
    counts: npt.NDArray[np.int64]
    bloch: FloatArray
    cov: FloatArray
    witness: MagicVerdict
    noise: str
    seed: int | None

    def __post_init__(self) -> None:
        k = len(self.exact.dts)
        if np.shape(self.counts) != (k, 3, 2) or np.shape(self.shots) != (k,) or len(self.steps) != k:
            raise InputError("counts, shots and steps must have one entry per step size")

    @property
    def stderr(self) -> FloatArray:
        """Standard errors of the combined Bloch components, (3,)."""
        return np.sqrt(np.diag(self.cov))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"exact": self.exact.to_dict(), "shots": self.shots.tolist(), "steps": list(self.steps),
                "counts": self.counts.tolist(), "bloch": self.bloch.tolist(), "stderr": self.stderr.tolist(),
                "cov": self.cov.tolist(), "magic_witness": self.witness.to_dict(), "noise": self.noise,
                "seed": self.seed}


def extrapolated_tomography(
    params: Params,
    dts: npt.ArrayLike,
    *,
    total_shots: int,
    seed: SeedLike,
    order: int = 2,
    allocation: str = "optimal",
    noise: str = "none",
    level: float = DEFAULT_LEVEL,
    steps: int | str = "auto",
) -> ExtrapolatedTomography:
    r"""Measure qubit 1 at each step size and combine: the shot-based multi-product estimate and its verdict.

    Args:
        params: the parameter point.
        dts: step sizes (2 to 8 distinct, > 0).
        total_shots: shots per basis summed over the step sizes; split by ``allocation``: ``"optimal"``
            (:math:`N_k \propto |c_k|`, the minimum-variance split for nearly equal states) or ``"equal"``.
        seed: integer, Generator or None; step size :math:`k` runs with the :math:`k`-th of independent streams.
        order: 1 (Lie-Trotter) or 2 (Strang).
        noise: a noise spec of :func:`qc_reset.run.noise.parse_noise` (the noisy fixed point is then what is
            extrapolated; the noise is not removed).
        level: confidence level of the witness interval.
        steps: Trotter steps per run, or ``"auto"`` (converged to a tenth of each run's shot noise).
    """
    ex = extrapolate_fixed_points(params, dts, order=order)
    allocation = choice("allocation", allocation, ALLOCATIONS)
    n = check_shots(total_shots, "total_shots")
    k = len(ex.dts)
    if allocation == "optimal":
        shots = optimal_allocation(ex.coefficients, n)
    else:
        shots = optimal_allocation(np.full(k, 1.0 / k), n)
    recorded = fresh_seed() if seed is None else (seed if isinstance(seed, int) else None)
    streams = [stream_seed(ss) for ss in seed_streams(recorded if seed is None else seed, k)]
    runs = [run_tomography(ex.params, shots=int(s), seed=st, noise=noise, dt=float(d), order=ex.order,
                           steps=steps, n_resamples=1)
            for s, st, d in zip(shots, streams, ex.dts, strict=True)]
    counts = np.stack([r.counts for r in runs]).astype(np.int64)
    r, C = combined_estimate(counts, ex.coefficients)
    return ExtrapolatedTomography(exact=ex, shots=shots, steps=tuple(int(run.steps) for run in runs), counts=counts,
                                  bloch=r, cov=C, witness=combined_witness(counts, ex.coefficients, level),
                                  noise=str(runs[0].noise), seed=recorded)
