"""What every figure shares: the :class:`SeriesLog` of plotted series (the CSV) and the drawing helpers.

Each plotted series goes through :func:`plot_curve` / :func:`plot_points` into a
:class:`SeriesLog`, written as a CSV in long format (``series, x, y, yerr``, the parameters in
``#`` header lines). The colours of the magic / stabilizer / distillable regions are fixed here so
that every figure shades them alike.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from ..io import atomic_write_text

__all__ = ["MAGIC_COLOR", "STAB_COLOR", "DISTILLABLE_COLOR", "FACET_COLORS", "SeriesLog", "plot_curve",
           "plot_points", "shade_magic"]

MAGIC_COLOR = "#fff3b0"
STAB_COLOR = "#e6e6e6"
FACET_COLORS = ("C0", "C1", "C2", "C3")
#: Shade of the region where qubit 1 is distillable (T- or H-type).
DISTILLABLE_COLOR = "#f4a259"


@dataclasses.dataclass
class SeriesLog:
    """Every plotted series of one figure, for the CSV."""

    title: str
    params: dict[str, Any]
    style: str = "Exact solid, perturbative dashed"
    rows: list[tuple[str, float, float, float]] = dataclasses.field(default_factory=list)

    def add(self, name: str, x: Any, y: Any, yerr: Any = None) -> None:
        """Record series ``name`` (arrays of equal length; yerr optional)."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        e = np.full(x.shape, np.nan) if yerr is None else np.broadcast_to(np.asarray(yerr, float), x.shape)
        self.rows.extend((name, float(a), float(b), float(c)) for a, b, c in zip(x.ravel(), y.ravel(), e.ravel(),
                                                                               strict=True))

    def write_csv(self, path: Path) -> None:
        """Write the long-format CSV with ``#`` header lines (title and parameters)."""
        lines = [f"# {self.title}", "# parameters: " + ", ".join(f"{k}={v}" for k, v in self.params.items()),
                 "series,x,y,yerr"]
        lines += [f"{n},{x:.12g},{y:.12g},{'' if np.isnan(e) else f'{e:.6g}'}" for n, x, y, e in self.rows]
        atomic_write_text(path, "\n".join(lines) + "\n")


def plot_curve(*, ax: Any, x: Any, y: Any, log: SeriesLog, name: str, style: str = "-", **kw: Any) -> None:
    """A line, recorded in ``log``."""
    ax.plot(x, y, style, **kw)
    log.add(name, x, y)


def plot_points(*, ax: Any, x: Any, y: Any, yerr: Any, log: SeriesLog, name: str, **kw: Any) -> None:
    """Points with error bars, recorded in ``log``."""
    ax.errorbar(x, y, yerr=yerr, fmt="o", ms=4, capsize=2, **kw)
    log.add(name, x, y, yerr)


def shade_magic(ax: Any, y0: float = 1.0) -> None:
    """Shade magic above ``y0`` (pale yellow) and stabilizer below it (grey) on the y axis."""
    lo, hi = ax.get_ylim()
    ax.axhspan(y0, max(hi, y0 + 1e-3), color=MAGIC_COLOR, zorder=0)
    ax.axhspan(min(lo, y0), y0, color=STAB_COLOR, zorder=0, alpha=0.5)
    ax.set_ylim(lo, hi)
