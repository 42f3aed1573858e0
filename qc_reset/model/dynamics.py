r"""Exact time evolution of the master equation: rho(t), and qubit 1's coherence and magic along it.

With the real Pauli-basis generator G of :func:`qc_reset.model.steady.generator` (dc/dt = G c), a
trajectory is one eigendecomposition of G, c(t) = V (exp(w t) * V^-1 c0), for all times at
once; near an exceptional point, where the eigenvectors are ill-conditioned, SciPy's ``expm``
is used instead. Works also where the steady state is not unique.

The :class:`Transient` record also classifies qubit 1 along the trajectory
(:mod:`qc_reset.model.magic`): ``magic_class`` at each time and the ``distillable_intervals``,
read from the sign changes of the distillation margin between samples.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, density_matrix, quote, real_array
from . import magic, measures
from .operators import ComplexArray, FloatArray
from .params import Params
from .steady import SteadyStateError, coefficients_to_rho, generator, pauli_coefficients, steady_bloch

__all__ = ["evolve", "Transient", "transient", "EIG_COND_MAX", "STATE_TOL"]


def evolve(params: Params, rho0: npt.ArrayLike, times: npt.ArrayLike) -> ComplexArray:
    """Exact rho(t) = exp(L t) rho0 for each time, shape (len(times), 4, 4).

    Diagonalizes the real 16x16 Pauli-basis generator once, G = V diag(w) V^-1, so that
    c(t) = V (exp(w t) * V^-1 c0) for all times at the cost of one product; where the
    eigenvectors are ill-conditioned (cond(V) > :data:`EIG_COND_MAX`, near an exceptional
    point) it uses SciPy's batched ``expm`` instead. Works also where the steady state is not
    unique.
    """
    params = Params.require(params)
    t = _check_times(times)
    c0 = pauli_coefficients(density_matrix("rho0", rho0, tol=STATE_TOL))  # Tr(P_k rho0)
    G = generator(params.g, params.p1, params.p2, params.T1, params.T2)
    rho = coefficients_to_rho(_propagate(G, c0, np.atleast_1d(t)))
    return rho if t.ndim else rho[0]


#: Components k = 4a of the Pauli coefficients: Tr(rho sigma_a (x) I), qubit 1's Bloch vector.
_QUBIT1_ROWS = np.array([4, 8, 12])


def _check_times(times: Any) -> FloatArray:
    t = real_array("times", times)
    if t.ndim > 1 or t.size == 0 or np.any(~np.isfinite(t)) or np.any(t < 0):
        raise InputError("times must be a 1-d array of finite numbers in [0, +inf) (or one number), not empty")
    return t


#: Largest condition number of the generator's eigenvector matrix for which :func:`evolve` uses
#: the eigenbasis: that path loses about cond(V) * eps (measured: 3e-17 * cond(V)), so 1e4 keeps
#: it below ~1e-12. Beyond it (near an exceptional point, where G has a Jordan block and no
#: eigenbasis) it falls back to SciPy's ``expm``.
EIG_COND_MAX = 1e4


def _propagate(G: FloatArray, c0: FloatArray, t: FloatArray, rows: npt.NDArray[np.intp] | None = None
               ) -> FloatArray:
    """exp(G t) c0 for each time in ``t``, shape (len(t), 16), or only the components ``rows``."""
    w, V = np.linalg.eig(G)
    if np.linalg.cond(V) <= EIG_COND_MAX:
        # The generator of a CPTP semigroup has Re w <= 0 exactly; clipping the rounding of the
        # conserved (w = 0) and slowest modes keeps them from growing as exp(1e-17 t) at long times.
        w = np.minimum(w.real, 0.0) + 1j * w.imag
        a = np.linalg.solve(V, c0.astype(complex))
        Vr = V if rows is None else V[rows]
        c: FloatArray = ((np.exp(np.outer(t, w)) * a) @ Vr.T).real
        return c
    import scipy.linalg  # only here: it is slow to import and the exact commands never need it

    out = np.asarray(scipy.linalg.expm(G[None] * t[:, None, None]) @ c0)
    return out if rows is None else out[:, rows]


#: Tolerance for accepting a user-given initial state as a density matrix.
STATE_TOL = 1e-10


@dataclasses.dataclass(frozen=True)
class Transient:
    """Qubit 1 along an exact trajectory, and the steady values to compare against.

    ``times`` has shape (n,), ``bloch`` (n, 3), ``l1_coherence`` and ``l1_norm`` (n,) and
    ``steady_bloch`` (3,); the steady fields are NaN where the steady state is not unique. The
    arrays are stored as read-only float copies, so the record cannot change after it is built.
    ``magic_class``, ``distillation_margin`` and ``distillable_intervals`` are derived from
    ``bloch`` (in :meth:`to_dict`, recomputed by :meth:`from_dict`).
    """

    times: FloatArray
    bloch: FloatArray  # (n_times, 3)
    l1_coherence: FloatArray
    l1_norm: FloatArray
    steady_bloch: FloatArray
    steady_l1_coherence: float
    steady_l1_norm: float

    def __post_init__(self) -> None:
        n = None
        for name, tail in (("times", ()), ("bloch", (3,)), ("l1_coherence", ()), ("l1_norm", ()),
                           ("steady_bloch", None)):
            arr = np.array(real_array(name, getattr(self, name)), dtype=float)
            if tail is None:
                ok = arr.shape == (3,)
            else:
                n = arr.shape[0] if n is None and arr.ndim >= 1 else n
                ok = arr.ndim == 1 + len(tail) and arr.shape == (n, *tail)
            if not ok:
                want = "(3,)" if tail is None else f"({n}{', 3' if tail else ''})"
                raise InputError(f"Transient.{name} must have shape {want}; got {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        for name in ("steady_l1_coherence", "steady_l1_norm"):
            value = real_array(name, getattr(self, name))
            if value.ndim != 0:
                raise InputError(f"Transient.{name} must be a single number; got shape {value.shape}")
            object.__setattr__(self, name, float(value))

    @property
    def coherence_overshoot(self) -> float:
        """max_t C_l1(t) - C_l1(steady); positive if transient coherence exceeds the steady value."""
        return float(np.max(self.l1_coherence) - self.steady_l1_coherence)

    @property
    def magic_overshoot(self) -> float:
        """max_t ||r(t)||_1 - ||r_steady||_1; positive if transient magic exceeds the steady value."""
        return float(np.max(self.l1_norm) - self.steady_l1_norm)

    @property
    def magic_class(self) -> npt.NDArray[np.str_]:
        """Class of qubit 1 at each time: "stabilizer", "magic" or "distillable" (:func:`.magic.coarse_class`)."""
        return magic.coarse_class(self.bloch)

    @property
    def distillation_margin(self) -> FloatArray:
        """F(r(t)) - 1 with F the ``"distillable"`` class functional (> 0: distillable by T or H), shape (n,)."""
        return magic.class_functional(self.bloch, "distillable") - magic.class_threshold("distillable")

    @property
    def distillable_intervals(self) -> list[tuple[float, float]]:
        """Time intervals (t_start, t_end) in which qubit 1 is distillable, in increasing order.

        Read from the samples: an interval starts or ends where :attr:`distillation_margin`
        changes sign between two consecutive times, at the time found by **linear interpolation**
        of the margin between those two samples (so the ends are resolved to the sampling, to
        second order in the step where the margin is smooth). An interval that is open at the
        first or last sample starts or ends there; an isolated distillable sample gives an
        interval of zero length only if the margin is exactly 0 beside it. Order of ``times``
        as given (assumed increasing).
        """
        m, t = self.distillation_margin, self.times
        inside = m > 0
        out: list[tuple[float, float]] = []
        start: float | None = float(t[0]) if inside[0] else None
        for k in range(1, t.size):
            if inside[k] == inside[k - 1]:
                continue
            cross = float(t[k - 1] + (t[k] - t[k - 1]) * m[k - 1] / (m[k - 1] - m[k]))
            if inside[k]:
                start = cross
            else:
                out.append((start if start is not None else float(t[0]), cross))
                start = None
        if start is not None:
            out.append((start, float(t[-1])))
        return out

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (lists and floats) for JSON, with the derived classes and intervals."""
        return {
            "times": self.times.tolist(),
            "bloch": self.bloch.tolist(),
            "l1_coherence": self.l1_coherence.tolist(),
            "l1_norm": self.l1_norm.tolist(),
            "steady_bloch": self.steady_bloch.tolist(),
            "steady_l1_coherence": self.steady_l1_coherence,
            "steady_l1_norm": self.steady_l1_norm,
            "magic_class": self.magic_class.tolist(),
            "distillable_intervals": [list(iv) for iv in self.distillable_intervals],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Transient:
        """Inverse of :meth:`to_dict`; also reads strict JSON (NaN as null, infinities as "inf").

        The derived keys (``magic_class``, ``distillable_intervals``) may be absent (older
        records); they are recomputed, not read.
        """
        keys = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(data, dict) or not set(keys) <= set(data) <= set(keys) | set(_DERIVED_KEYS):
            raise InputError(f"a Transient record must be a dict with the keys {', '.join(keys)}; "
                             f"got {quote(data)}")
        return cls(**{k: _number_data(k, data[k]) for k in keys})


#: Keys of :meth:`Transient.to_dict` computed from the fields (ignored by :meth:`Transient.from_dict`).
_DERIVED_KEYS = ("magic_class", "distillable_intervals")


def _number_data(name: str, value: Any) -> Any:
    """JSON data back to numbers: null -> NaN, "inf"/"-inf" -> infinities, nested lists kept."""
    if value is None:
        return np.nan
    if isinstance(value, str):
        if value in ("inf", "-inf"):
            return float(value)
        raise InputError(f"{name} must hold numbers (null for NaN, \"inf\"/\"-inf\"); got {quote(value)}")
    if isinstance(value, list):
        return [_number_data(name, v) for v in value]
    return value


def transient(params: Params, times: npt.ArrayLike, rho0: npt.ArrayLike | None = None) -> Transient:
    """Coherence and magic of qubit 1 along rho(t) from ``rho0`` (default tau1 (x) tau2).

    Where the steady state is not unique (g = 0 with p1 = 0 or p2 = 0) the steady fields are NaN.

    The default initial state is each qubit equal to its own bath state, as if both had just
    been reset, at the moment the coupling is switched on. (It is not the g = 0 steady state:
    tau2 is diagonal in X and precesses under H, so the g = 0 steady state of qubit 2 is
    x2 (4 p2^2, -2 p2, 0) / (1 + 4 p2^2) in Bloch form.)
    """
    params = Params.require(params)
    if rho0 is None:
        rho0 = np.kron(params.tau1(), params.tau2())
    t = _check_times(np.atleast_1d(real_array("times", times)))
    c0 = pauli_coefficients(density_matrix("rho0", rho0, tol=STATE_TOL))
    G = generator(params.g, params.p1, params.p2, params.T1, params.T2)
    # Qubit 1's Bloch vector is (c_4, c_8, c_12) = Tr(rho sigma_a (x) I): propagate those rows only.
    r = _propagate(G, c0, t, rows=_QUBIT1_ROWS)
    try:
        r_ss = steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    except SteadyStateError:  # the trajectory exists; the steady values do not
        r_ss = np.full(3, np.nan)
    return Transient(
        times=t,
        bloch=r,
        l1_coherence=measures.l1_coherence(r),
        l1_norm=measures.l1_norm(r),
        steady_bloch=r_ss,
        steady_l1_coherence=float(measures.l1_coherence(r_ss)),
        steady_l1_norm=float(measures.l1_norm(r_ss)),
    )
