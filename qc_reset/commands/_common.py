"""Shared pieces of the subcommands: parameter options and output formatting."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable, Sequence

__all__ = ["add_param_options", "add_json_option", "print_table", "fmt"]

_HELP = {
    "g": "exchange coupling g (finite real)",
    "p1": "heat-bath reset rate p1 (>= 0)",
    "p2": "spin-bath reset rate p2 (>= 0)",
    "T1": "heat-bath temperature T1 in [0, inf]",
    "T2": "spin-bath temperature T2 in [0, inf]",
}


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def add_param_options(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    """Add required ``--g --p1 --p2 --T1 --T2`` style options (subset ``names``)."""
    for name in names:
        parser.add_argument(f"--{name}", dest=name, type=_number, required=True, metavar=name.upper(),
                            help=_HELP[name])


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``: print machine-readable JSON instead of a table."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def fmt(x: object) -> str:
    """Format a number for tables (None/NaN as '-')."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if math.isnan(x):
            return "-"
        return f"{x:.6g}"
    return str(x)


def print_table(rows: Iterable[tuple[str, object]]) -> None:
    """Print two aligned columns: name and value."""
    rows = list(rows)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {fmt(value)}")
