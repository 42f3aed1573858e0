"""Shared pieces of the subcommands: parameter options, argument types and output formatting.

Tables print numbers with :data:`DIGITS` significant digits (:func:`fmt`, :func:`fmt_vec`); JSON
output keeps full precision. Argument types only *parse* (text to number); ranges are checked by
the library, which raises :class:`qc_reset._checks.InputError`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._checks import quote

__all__ = [
    "DIGITS",
    "add_param_options",
    "add_json_option",
    "number",
    "whole_number",
    "print_table",
    "fmt",
    "fmt_vec",
    "fmt_ci",
    "fmt_params",
]

#: Significant digits of every number in a table.
DIGITS = 6

_HELP = {
    "g": "exchange coupling g (finite real, units of omega)",
    "p1": "heat-bath reset rate p1 (>= 0, units of omega)",
    "p2": "spin-bath reset rate p2 (>= 0, units of omega)",
    "T1": "heat-bath TEMPERATURE T1 in [0, inf], dimensionless (units of omega); not the device's "
          "relaxation time t1 of --noise",
    "T2": "spin-bath TEMPERATURE T2 in [0, inf], dimensionless (units of omega); not the device's "
          "dephasing time t2 of --noise",
}


def number(text: str) -> float:
    """argparse type: a float as Python reads it (``-1e-6``, ``-.5``, ``inf``, ``nan``)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {quote(text)}") from None


def whole_number(lo: int | None = None, hi: int | None = None, what: str = "") -> Callable[[str], int]:
    """argparse type: a whole number, optionally within ``[lo, hi]`` (``what`` explains the bound)."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {quote(text)}") from None
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            lo_s = "-inf" if lo is None else str(lo)
            hi_s = "inf" if hi is None else f"{hi:,}".replace(",", "_")
            extra = f" ({what})" if what else ""
            raise argparse.ArgumentTypeError(f"must be a whole number in [{lo_s}, {hi_s}]{extra}; got {quote(text)}")
        return n

    parse.__name__ = "whole number"  # argparse names the type in some messages
    return parse


def add_param_options(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    """Add required ``--g --p1 --p2 --T1 --T2`` style options (subset ``names``)."""
    for name in names:
        parser.add_argument(f"--{name}", dest=name, type=number, required=True, metavar=name.upper(),
                            help=_HELP[name])


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``: print machine-readable JSON (full precision) instead of a table."""
    parser.add_argument("--json", action="store_true", help="print JSON (full precision) instead of a table")


def fmt(x: object, *, signed: bool = False) -> str:
    """Format a value for tables: floats with :data:`DIGITS` significant digits, None/NaN as '-'."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if math.isnan(x):
            return "-"
        return f"{x:+.{DIGITS}g}" if signed else f"{x:.{DIGITS}g}"
    if isinstance(x, int):
        return f"{x:+d}" if signed else str(x)
    return str(x)


def fmt_vec(values: Iterable[Any], *, signed: bool = True) -> str:
    """A vector as ``(+a, -b, +c)`` (``signed``) or ``(a, b, c)`` with :data:`DIGITS` significant digits each."""
    return "(" + ", ".join(fmt(float(v), signed=signed) for v in values) + ")"


def fmt_ci(value: float, ci: Sequence[float], *, signed: bool = False) -> str:
    """``value [lo, hi]`` with :data:`DIGITS` significant digits each."""
    lo, hi = ci
    return f"{fmt(float(value), signed=signed)} [{fmt(float(lo), signed=signed)}, {fmt(float(hi), signed=signed)}]"


def fmt_params(params: dict[str, Any]) -> str:
    """``g=.., p1=.., p2=.., T1=.., T2=..`` of a parameter dict (the names present, in that order)."""
    return ", ".join(f"{k}={fmt(float(params[k]))}" for k in ("g", "p1", "p2", "T1", "T2") if k in params)


def print_table(rows: Iterable[tuple[str, object]]) -> None:
    """Print two aligned columns: name and value."""
    rows = list(rows)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {fmt(value)}")
