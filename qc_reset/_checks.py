"""Input validation shared by the whole package: one error type, one message style.

Every validator raises :class:`InputError` (a :class:`ValueError` subclass) whose message names
the parameter and its allowed range, quoting at most :data:`QUOTE_LIMIT` characters of the
value that was given. The command line maps exactly this type to exit code 2; any other
exception is a bug and exits 1.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

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


def _size(nbytes: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} B"
