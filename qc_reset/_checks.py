"""Input validation shared by the whole package: one error type, one message style.

One concept: every rule about what an input may be is stated here once, in sections by the
layer that first needs it (model, circuits, stats, run), so that the layers share one wording.

Every validator raises :class:`InputError` (a :class:`ValueError` subclass) whose message names
the parameter and its allowed range, quoting at most :data:`QUOTE_LIMIT` characters of the
value that was given. The command line maps exactly this type to exit code 2; any other
exception is a bug and exits 1.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "InputError",
    "QUOTE_LIMIT",
    "quote",
    "real_array",
    "real_number",
    "integer",
    "choice",
    "seed",
    "check_bytes",
    "check_seconds",
    "MAX_STEPS",
    "order",
    "steps",
    "two_qubit_state",
    "int_seed",
    "interval_number",
    "bounded_array",
    "broadcast",
    "qubit_index",
    "density_matrix",
    "validate_params",
    "check_rates",
    "callback",
    "MAX_TN_BOND",
    "MAX_TN_STEPS",
    "MAX_TN_SITES",
    "chain_tn_options",
    "MAX_CHAIN_SITES",
    "CHAIN_BATHS",
    "chain_site",
    "chain_bonds",
    "CHAIN_EXACT_SOLVERS",
    "chain_exact_solver",
    "chain_unique",
]

#: At most this many characters of a user value appear in an error message.
QUOTE_LIMIT = 80


class InputError(ValueError):
    """Bad input: names the parameter and its allowed range (CLI exit code 2)."""


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters (with ``...`` where it was cut)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: max(limit - 3, 1)] + "..."
    return text


def real_array(name: str, value: Any) -> npt.NDArray[np.float64]:
    """``value`` as a float64 array of real numbers (bool, int, float or arrays of them).

    Rejects complex numbers, strings, dicts, ``None``, datetimes, ragged sequences and objects
    that are not plain numbers, naming ``name``. NaN and infinities pass through: range checks
    are the caller's.
    """
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise InputError(f"{name} must be a real number or an array of real numbers; got {quote(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise InputError(f"{name} must be a real number or a rectangular array of real numbers; "
                         f"got {quote(value)}") from None
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "c":
            raise InputError(f"{name} must be real, not complex; got {quote(value)}")
        raise InputError(f"{name} must be a real number or an array of real numbers; got {quote(value)}")
    with np.errstate(over="ignore"):
        return np.asarray(arr, dtype=np.float64)


def real_number(name: str, value: Any, *, lo: float = -math.inf, hi: float = math.inf,
                lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False) -> float:
    """One real number within ``[lo, hi]`` (open ends as asked); NaN always rejected."""
    arr = real_array(name, value)
    if arr.ndim != 0:
        raise InputError(f"{name} must be a single real number; got an array of shape {arr.shape}")
    x = float(arr)
    lo_b, hi_b = ("(" if lo_open else "["), (")" if hi_open else "]")
    ok = not math.isnan(x) and (allow_inf or math.isfinite(x))
    ok = ok and (x > lo if lo_open else x >= lo) and (x < hi if hi_open else x <= hi)
    if not ok:
        what = "a number" if allow_inf else "a finite number"
        raise InputError(f"{name} must be {what} in {lo_b}{lo:g}, {hi:g}{hi_b}; got {quote(value)}")
    return x


def integer(name: str, value: Any, *, lo: int, hi: int) -> int:
    """A whole number in ``[lo, hi]`` (bools are refused, integral floats accepted)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, float, np.floating)):
        raise InputError(f"{name} must be a whole number in [{lo}, {hi}]; got {quote(value)}")
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or value != int(value):
            raise InputError(f"{name} must be a whole number in [{lo}, {hi}]; got {quote(value)}")
    n = int(value)
    if not lo <= n <= hi:
        raise InputError(f"{name} must be a whole number in [{lo}, {hi}]; got {quote(value)}")
    return n


def choice(name: str, value: Any, allowed: Sequence[Any]) -> Any:
    """``value`` if it is one of ``allowed`` (compared by equality and type family)."""
    for option in allowed:
        if type(value) is type(option) and value == option:
            return value
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and \
                isinstance(option, int) and not isinstance(option, bool) and value == option:
            return option
    listed = ", ".join(repr(a) for a in allowed)
    raise InputError(f"{name} must be one of {listed}; got {quote(value)}")


def seed(value: Any, name: str = "seed") -> int | np.random.Generator | None:
    """A seed for ``np.random.default_rng``: ``None``, an integer in ``[0, 2**63 - 1]``, or a Generator."""
    if value is None or isinstance(value, np.random.Generator):
        return value
    return integer(name, value, lo=0, hi=2**63 - 1)


def check_bytes(what: str, nbytes: float, limit: float, hint: str = "") -> None:
    """Refuse work whose estimated memory ``nbytes`` exceeds ``limit`` (both in bytes)."""
    if nbytes > limit:
        extra = f"; {hint}" if hint else ""
        raise InputError(f"{what} would need about {_size(nbytes)} of memory, above the limit of "
                         f"{_size(limit)}{extra}")


def check_seconds(what: str, seconds: float, limit: float, hint: str = "") -> None:
    """Refuse work whose estimated run time ``seconds`` exceeds ``limit`` (both in seconds)."""
    if seconds > limit:
        extra = f"; {hint}" if hint else ""
        raise InputError(f"{what} would take about {seconds:.3g} s by the package's estimate, above the "
                         f"limit of {limit:.3g} s{extra}")


def _size(nbytes: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} B"


# --- model ---
def interval_number(name: str, value: Any, *, lo: float, hi: float, lo_open: bool = False,
                    hi_open: bool = False, what: str = "") -> float:
    """One real number (not a bool, string or array) in the interval from ``lo`` to ``hi``.

    The message reads ``"<name> must be a number in [lo, hi); got <value>"`` (``"a finite
    number"`` when an end is infinite, ``what`` replacing ``"a number"`` if given); NaN is refused.
    """
    lo_b, hi_b = ("(" if lo_open else "["), (")" if hi_open else "]")
    kind = what or ("a finite number" if math.isinf(lo) or math.isinf(hi) else "a number")
    text = f"{name} must be {kind} in {lo_b}{_bound(lo)}, {_bound(hi)}{hi_b}; got {quote(value)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(text)
    x = float(value)
    ok = math.isfinite(x) and (x > lo if lo_open else x >= lo) and (x < hi if hi_open else x <= hi)
    if not ok:
        raise InputError(text)
    return x


def bounded_array(name: str, value: Any, *, lo: float, lo_open: bool = False,
                  allow_inf: bool = False) -> npt.NDArray[np.float64]:
    """:func:`real_array` whose entries are all ``>= lo`` (``> lo`` if ``lo_open``), not NaN, finite
    unless ``allow_inf``; the message quotes the first offending entry."""
    arr = real_array(name, value)
    bad = np.isnan(arr) | (arr < lo) | ((arr == lo) if lo_open else False)
    if not allow_inf:
        bad |= ~np.isfinite(arr)
    if np.any(bad):
        first = float(arr[bad].flat[0])
        bracket = "(" if lo_open else "["
        upper = "+inf]" if allow_inf else "+inf)"
        raise InputError(f"{name} must be a number in {bracket}{_bound(lo)}, {upper}; got {first!r}")
    return arr


def broadcast(names: str, *arrays: npt.NDArray[Any]) -> list[npt.NDArray[np.float64]]:
    """The arrays broadcast to their common shape (as float copies); ``names`` lists them for the message."""
    try:
        return [np.array(a, dtype=float) for a in np.broadcast_arrays(*arrays)]
    except ValueError as exc:
        raise InputError(f"{names} must broadcast to a common shape: {exc}") from None


def qubit_index(value: Any) -> int:
    """1 (the heat-bath qubit) or 2 (the spin-bath qubit) of the model."""
    if isinstance(value, bool) or value not in (1, 2):
        raise InputError(f"qubit must be 1 or 2 (1: heat-bath qubit, 2: spin-bath qubit); got {quote(value)}")
    return int(value)


def density_matrix(name: str, value: Any, *, dim: int = 4, tol: float = 1e-10) -> npt.NDArray[np.complex128]:
    """A ``dim`` x ``dim`` density matrix (qubit 1 first): finite, Hermitian, unit trace and positive
    semidefinite, each to ``tol``; returned as a complex array (not symmetrized)."""
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise InputError(f"{name} must be a {dim}x{dim} density matrix (qubit 1 first); got {quote(value)}")
    try:
        rho = np.asarray(value, dtype=complex)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a {dim}x{dim} density matrix (qubit 1 first) of numbers; "
                         f"got {quote(value)}") from None
    if rho.shape != (dim, dim):
        raise InputError(f"{name} must be a {dim}x{dim} density matrix (qubit 1 first); got shape {rho.shape}")
    if not np.all(np.isfinite(rho)) or np.abs(rho - rho.conj().T).max() > tol:
        raise InputError(f"{name} must be Hermitian (to {tol:g})")
    if abs(np.trace(rho) - 1.0) > tol:
        raise InputError(f"{name} must have unit trace; got {np.trace(rho).real:.6g}")
    if np.linalg.eigvalsh(0.5 * (rho + rho.conj().T)).min() < -tol:
        raise InputError(f"{name} must be positive semidefinite (to {tol:g})")
    return rho


def validate_params(
    g: Any, p1: Any, p2: Any, T1: Any, T2: Any
) -> tuple[npt.NDArray[np.float64], ...]:
    """Check the model's parameters and broadcast them to a common shape (float arrays).

    g: any finite real number; p1, p2: finite and >= 0, not both 0 at the same point; T1, T2 in
    ``[0, +inf]`` (0 is the ground-state limit). Also refuses values that are not real numbers
    (complex, strings, dicts, ``None``, datetimes, ragged lists), naming the parameter.
    """
    g_arr = real_array("g", g)
    if np.any(~np.isfinite(g_arr)):
        raise InputError(f"g must be a finite real number; got {float(g_arr[~np.isfinite(g_arr)].flat[0])!r}")
    p1_arr = bounded_array("p1", p1, lo=0.0)
    p2_arr = bounded_array("p2", p2, lo=0.0)
    T1_arr = bounded_array("T1", T1, lo=0.0, allow_inf=True)
    T2_arr = bounded_array("T2", T2, lo=0.0, allow_inf=True)
    out = broadcast("g, p1, p2, T1, T2", g_arr, p1_arr, p2_arr, T1_arr, T2_arr)
    check_rates(out[1], out[2])
    return tuple(out)


def check_rates(p1: Any, p2: Any) -> None:
    """Refuse points where both reset rates are 0 (their ranges are checked by the caller)."""
    if np.any((np.asarray(p1) == 0) & (np.asarray(p2) == 0)):
        raise InputError("p1 and p2 must not both be 0 (allowed: p1 >= 0, p2 >= 0, p1 + p2 > 0)")


def _bound(x: float) -> str:
    return ("+inf" if x > 0 else "-inf") if math.isinf(x) else f"{x:g}"


def callback(value: Any, name: str = "progress_callback") -> Any:
    """None or a callable (a progress callback, called with a :class:`qc_reset.model.progress.Progress`)."""
    if value is not None and not callable(value):
        raise InputError(f"{name} must be a callable taking a Progress record, or None; got {quote(value)}")
    return value



#: Longest chain any method accepts (each method bounds its own size further: exact and circuit
#: paths by memory, the tensor-network path by time).
MAX_CHAIN_SITES = 1000
#: The bath kinds of a chain site: "heat" (thermal in Z), "spin" (thermal in X) or "none".
CHAIN_BATHS = ("heat", "spin", "none")


def chain_site(index: int, bath: Any, p: Any, T: Any, omega: Any) -> tuple[str, float, float, float]:
    """One site of a collision chain: ``bath`` in :data:`CHAIN_BATHS`; for a bath site the rate
    ``p`` in ``(0, +inf)`` and the temperature ``T`` in ``[0, +inf]``; for ``"none"`` both must
    be 0 (nothing to reset to); ``omega`` (the site frequency: ``omega/2`` times the projector on
    the excited state) finite."""
    name = f"site[{index}]"
    if not isinstance(bath, str) or bath not in CHAIN_BATHS:
        raise InputError(f"{name}.bath must be one of {', '.join(repr(b) for b in CHAIN_BATHS)}; got {quote(bath)}")
    w = interval_number(f"{name}.omega", omega, lo=-math.inf, hi=math.inf)
    if bath == "none":
        for key, value in (("p", p), ("T", T)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or float(value) != 0.0:
                raise InputError(f"{name}.{key} must be 0 (or left out) on a site without a bath; got {quote(value)}")
        return bath, 0.0, 0.0, w
    rate = interval_number(f"{name}.p", p, lo=0.0, hi=math.inf, lo_open=True)
    if isinstance(T, bool) or not isinstance(T, numbers.Real) or math.isnan(float(T)) or float(T) < 0:
        raise InputError(f"{name}.T must be a number in [0, +inf]; got {quote(T)}")
    return bath, rate, float(T), w


def chain_bonds(g: Any, n_sites: int) -> tuple[float, ...]:
    """The N - 1 bond couplings of an N-site chain: one finite number for every bond, or a list
    of N - 1 finite numbers; the chain length is checked against :data:`MAX_CHAIN_SITES`."""
    integer("number of sites", n_sites, lo=2, hi=MAX_CHAIN_SITES)
    if isinstance(g, (list, tuple, np.ndarray)):
        values = list(g)
        if len(values) != n_sites - 1:
            raise InputError(f"g must be one number or a list of N - 1 = {n_sites - 1} numbers (one per bond); "
                             f"got {len(values)}")
    else:
        values = [g] * (n_sites - 1)
    return tuple(interval_number(f"g[{i}]", v, lo=-math.inf, hi=math.inf) for i, v in enumerate(values))


#: Steady-state solvers of the exact chain method: sparse LU, preconditioned GMRES, or the choice by size.
CHAIN_EXACT_SOLVERS = ("auto", "direct", "iterative")


def chain_exact_solver(value: Any, name: str = "solver") -> str:
    """One of :data:`CHAIN_EXACT_SOLVERS`."""
    if not isinstance(value, str) or value not in CHAIN_EXACT_SOLVERS:
        raise InputError(f"{name} must be one of {', '.join(repr(s) for s in CHAIN_EXACT_SOLVERS)}; got {quote(value)}")
    return value


def chain_unique(baths: Sequence[str], g: Sequence[float]) -> None:
    """Refuse a chain with a group of sites joined by nonzero bonds in which no site has a bath
    (e.g. a bath-less site whose bonds all have g = 0): such sites keep their initial state, so
    the chain has no unique steady state."""
    start = 0
    for i in range(len(baths)):
        if i == len(baths) - 1 or g[i] == 0.0:
            group = range(start, i + 1)
            if all(baths[j] == "none" for j in group):
                which = f"site[{start}]" if len(group) == 1 else f"sites[{start}..{i}]"
                raise InputError(f"{which} has no bath and no nonzero bond to a site with a bath: the chain "
                                 "has no unique steady state (give it a bath or a nonzero g)")
            start = i + 1


#: Largest bond dimension of the tensor-network chain method (a two-site split costs ~ (4 chi)^3).
MAX_TN_BOND = 256
#: Most steps of one stage of the tensor-network chain method.
MAX_TN_STEPS = 10**6
#: Longest chain of the tensor-network chain method: its time grows linearly in N (about 5 ms per
#: bond and step at chi = 32 on one core), so longer chains are refused before the work starts.
MAX_TN_SITES = 400


def chain_tn_options(n_sites: Any, dt: Any, order_: Any, max_bond: Any, tol: Any, max_steps: Any,
                     max_time_s: Any) -> tuple[float, int, int, float, int, float | None]:
    """Options of the tensor-network chain method: the chain length N in [2, MAX_TN_SITES], ``dt`` in
    (0, 1], ``order`` 1 or 2, ``max_bond`` in [4, MAX_TN_BOND], ``tol`` in [1e-10, 1e-2], ``max_steps``
    in [10, MAX_TN_STEPS], ``max_time_s`` None or in (0, +inf)."""
    integer("number of sites", n_sites, lo=2, hi=MAX_TN_SITES)
    step = interval_number("dt", dt, lo=0.0, hi=1.0, lo_open=True)
    k = order(order_)
    bond = integer("max_bond", max_bond, lo=4, hi=MAX_TN_BOND)
    target = interval_number("tol", tol, lo=1e-10, hi=1e-2)
    steps_ = integer("max_steps", max_steps, lo=10, hi=MAX_TN_STEPS)
    budget = None if max_time_s is None else interval_number("max_time_s", max_time_s, lo=0.0, hi=math.inf,
                                                               lo_open=True, hi_open=True)
    return step, k, bond, target, steps_, budget


# --- circuits ---
#: Largest number of Trotter steps on any route. The ``power`` route forms S^N by repeated squaring
#: (O(log N) products), but its rounding grows like N eps: the trace of S^N rho drifts by 6e-9 at
#: N = 1e8 and 6e-5 at 1e12 (measured), and beyond 2**63 numpy's ``matrix_power`` silently returned a
#: zero channel. 1e9 keeps the drift below 1e-6, far past any convergence (``auto`` stops at 1e7).
#: The unrolled routes have a far smaller memory budget (:func:`qc_reset.circuits.check_circuit_steps`).
MAX_STEPS: int = 10**9


def order(value: Any, name: str = "order") -> int:
    """The Trotter order: 1 (Lie-Trotter) or 2 (Strang); ints and the strings ``"1"``, ``"2"`` accepted."""
    if isinstance(value, (numbers.Integral, str)) and not isinstance(value, bool) and str(value) in ("1", "2"):
        return int(value)
    raise InputError(f"{name} must be one of 1 (Lie-Trotter), 2 (Strang); got {quote(value)}")


def steps(value: Any, name: str = "steps", *, allow_auto: bool = True) -> int | Literal["auto"]:
    """A number of Trotter steps: a whole number in ``[1, MAX_STEPS]``, or ``"auto"`` (``allow_auto``).

    The bound holds on every route; how many steps an unrolled circuit may have is lower and depends
    on how it is run (:func:`qc_reset.circuits.check_circuit_steps`).
    """
    if allow_auto and isinstance(value, str) and value == "auto":
        return "auto"
    allowed = "an integer >= 1" + (" or 'auto'" if allow_auto else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= int(value) <= MAX_STEPS:
        raise InputError(f"{name} must be {allowed} (at most {MAX_STEPS}); got {quote(value)}")
    return int(value)


def two_qubit_state(value: Any, name: str = "initial_state") -> npt.NDArray[np.complex128]:
    """A two-qubit state, qubit 1 first: a normalized 4-vector (returned as its projector) or a 4x4
    :func:`density_matrix` (returned exactly Hermitian)."""
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise InputError(f"{name} must be a 4x4 density matrix or a 4-vector; got {quote(value)}")
    try:
        arr = np.asarray(value, dtype=complex)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a 4x4 density matrix or a 4-vector of numbers; got "
                         f"{quote(value)}") from None
    if arr.shape == (4,):
        norm = np.linalg.norm(arr)
        if not np.isfinite(norm) or abs(norm - 1.0) > 1e-8:
            raise InputError(f"{name} must be a normalized 4-vector; got norm {quote(norm)}")
        return np.outer(arr, arr.conj())
    if arr.shape != (4, 4):
        raise InputError(f"{name} must be a 4x4 density matrix or a 4-vector; got shape {arr.shape}")
    rho = density_matrix(name, arr)
    return 0.5 * (rho + rho.conj().T)


# --- stats ---
#: Aer keeps every shot's outcome before it counts them: measured ~120 bytes per shot (10^7 shots of one
#: density-matrix circuit peak at 1.15 GB, 30 million at 3.4 GB; Aer 0.18), rounded up.
SHOT_MEMORY: int = 128
#: Memory budget of the shots of one circuit.
SHOT_MEMORY_LIMIT: int = 4 * 2**30
#: Largest number of shots of one circuit: ``SHOT_MEMORY_LIMIT // SHOT_MEMORY`` = 2**25 (about 3.4e7,
#: ~40 s of sampling per circuit); more shots are better taken as several seeded runs whose counts add.
MAX_SHOTS: int = SHOT_MEMORY_LIMIT // SHOT_MEMORY
#: Memory limit of one bootstrap draw (resamples x states); larger requests raise InputError up front.
MAX_RESAMPLE_BYTES: float = 2.0**31
#: Peak bytes per resample and state: the int64 counts and float64 Bloch draws (3 each) plus the
#: deviations and their temporaries, 4 arrays of 3 float64.
BYTES_PER_RESAMPLE: int = 4 * 3 * 8


def check_shots(shots: Any, name: str = "shots", *, allow_zero: bool = False) -> int:
    """Shots of one circuit: a whole number in ``[1, MAX_SHOTS]`` (``[0, ...]`` with ``allow_zero``).

    The upper limit is memory: Aer holds :data:`SHOT_MEMORY` bytes per shot before counting, so the
    message gives that estimate against :data:`SHOT_MEMORY_LIMIT`.
    """
    lo = 0 if allow_zero else 1
    if isinstance(shots, bool | np.bool_) or not isinstance(shots, int | np.integer):
        raise InputError(f"{name} must be an integer >= {lo} (at most {MAX_SHOTS}); got {quote(shots)}")
    n = int(shots)
    if n < lo:
        raise InputError(f"{name} must be an integer >= {lo} (at most {MAX_SHOTS}); got {n}")
    check_bytes(f"{name} = {n} per circuit", float(n) * SHOT_MEMORY, SHOT_MEMORY_LIMIT,
                f"Aer keeps about {SHOT_MEMORY} B per shot before counting; at most {MAX_SHOTS} {name} per "
                "circuit (add the counts of several seeded runs for more)")
    return n


def counts_array(counts: Any) -> npt.NDArray[np.float64]:
    """A tomography counts array (..., 3, 2) (bases X, Y, Z; outcomes 0, 1) as float with integral values."""
    c = real_array("counts", counts)  # strings, complex, ragged, None: InputError naming counts
    if np.asarray(counts).dtype.kind == "b":
        raise InputError(f"counts must be non-negative integers, not booleans; got {quote(counts)}")
    if c.ndim < 2 or c.shape[-2:] != (3, 2):
        raise InputError(f"counts must have shape (..., 3, 2) (bases X, Y, Z; outcomes 0, 1); got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.round(c)):
        raise InputError(f"counts must be non-negative integers (finite, >= 0, integral); got {quote(counts)}")
    if np.any(c.sum(axis=-1) <= 0):
        raise InputError(f"counts must have a positive total (>= 1 shot) in every basis; got {quote(counts)}")
    return c


def confidence_level(level: Any, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    return real_number(name, level, lo=0.0, hi=1.0, lo_open=True, hi_open=True)


def resamples(n_resamples: Any, batch: tuple[int, ...] = ()) -> int:
    """``n_resamples`` >= 1, refused before allocating when one draw would exceed :data:`MAX_RESAMPLE_BYTES`."""
    n = integer("n_resamples", n_resamples, lo=1, hi=2**62)
    states = math.prod(batch)
    check_bytes(
        f"n_resamples = {n} for {states} state{'s' if states != 1 else ''}",
        float(n) * states * BYTES_PER_RESAMPLE,
        MAX_RESAMPLE_BYTES,
        hint=f"use n_resamples <= {max(1, int(MAX_RESAMPLE_BYTES // (BYTES_PER_RESAMPLE * max(states, 1))))}",
    )
    return n


def covariance(cov: Any) -> npt.NDArray[np.float64]:
    """A Bloch covariance (..., 3, 3): finite, symmetric, positive semidefinite (to rounding)."""
    C = np.array(real_array("covariance", cov), dtype=float)
    if C.shape[-2:] != (3, 3) or not np.all(np.isfinite(C)):
        raise InputError(f"covariance must be finite with shape (..., 3, 3); got shape {C.shape}")
    scale = float(np.max(np.abs(C))) if C.size else 0.0
    if not np.allclose(C, np.swapaxes(C, -1, -2), rtol=0.0, atol=1e-12 * max(scale, 1e-300)):
        raise InputError("covariance must be symmetric")
    if scale > 0 and np.min(np.linalg.eigvalsh(C)) < -1e-10 * scale:
        raise InputError("covariance must be positive semidefinite")
    return C


def bloch_estimate(bloch: Any, cov: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A Bloch estimate (..., 3) and its covariance (..., 3, 3) with compatible batch shapes."""
    r = np.asarray(real_array("bloch", bloch), dtype=float)
    if r.shape[-1:] != (3,) or not np.all(np.isfinite(r)):
        raise InputError(f"bloch must be finite with shape (..., 3); got shape {r.shape}")
    C = covariance(cov)
    try:
        np.broadcast_shapes(r.shape[:-1], C.shape[:-2])
    except ValueError:
        raise InputError(f"bloch {r.shape} and covariance {C.shape} have incompatible batch shapes") from None
    return r, C



#: Most nodes (step sizes or noise scale factors) of one extrapolation: the Vandermonde-type systems
#: of more nodes are too ill-conditioned to be useful (coefficients, and so the sampling overhead, explode).
MAX_EXTRAPOLATION_NODES: int = 8


def extrapolation_nodes(name: str, values: Any, *, lo: float, lo_open: bool) -> npt.NDArray[np.float64]:
    """Nodes of a linear extrapolation (step sizes, noise scale factors): 2 to
    :data:`MAX_EXTRAPOLATION_NODES` distinct finite numbers, each ``> lo`` (``>= lo`` unless ``lo_open``)."""
    if isinstance(values, (str, bytes, dict)) or np.ndim(values) != 1:
        raise InputError(f"{name} must be a list of 2 to {MAX_EXTRAPOLATION_NODES} distinct numbers; "
                         f"got {quote(values)}")
    x = real_array(name, values)
    bound = f"> {lo:g}" if lo_open else f">= {lo:g}"
    if not 2 <= x.size <= MAX_EXTRAPOLATION_NODES or not np.all(np.isfinite(x)):
        raise InputError(f"{name} must be a list of 2 to {MAX_EXTRAPOLATION_NODES} distinct finite numbers; "
                         f"got {quote(values)}")
    if np.any(x <= lo) if lo_open else np.any(x < lo):
        raise InputError(f"{name} must all be {bound}; got {quote(values)}")
    if np.unique(x).size != x.size:
        raise InputError(f"{name} must be distinct; got {quote(values)}")
    return x


def extrapolation_coefficients(coefficients: Any, n: int | None = None) -> npt.NDArray[np.float64]:
    """Coefficients of a linear extrapolation: finite, 1-d (``n`` entries if given), summing to 1 (to 1e-9
    relative to their absolute sum: an extrapolation must reproduce a constant)."""
    c = real_array("coefficients", coefficients)
    if c.ndim != 1 or c.size < 1 or not np.all(np.isfinite(c)):
        raise InputError(f"coefficients must be a finite 1-d array; got shape {c.shape}")
    if n is not None and c.size != n:
        raise InputError(f"coefficients must have one entry per estimate ({n}); got {c.size}")
    if abs(float(c.sum()) - 1.0) > 1e-9 * max(1.0, float(np.abs(c).sum())):
        raise InputError("coefficients must sum to 1 (an extrapolation reproduces constants); "
                         f"got sum {float(c.sum())!r}")
    return c


# --- run ---
def int_seed(value: Any, name: str = "seed") -> int:
    """An integer seed (one to record, or a transpiler's): :func:`seed` without ``None`` or a Generator."""
    if value is None or isinstance(value, np.random.Generator):
        raise InputError(f"{name} must be a whole number in [0, {2**63 - 1}]; got {quote(value)}")
    out = seed(value, name)
    assert isinstance(out, int)
    return out


def real_scalar(name: str, value: Any) -> float:
    """A real number (int or float, numpy included; not bool or str) as float.

    NaN and infinities pass: range checks are the caller's.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be a real number; got {quote(value)}")
    return float(value)


# --- workflows ---


# --- cli ---
