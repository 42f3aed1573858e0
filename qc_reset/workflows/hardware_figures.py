r"""Figures of where magic survives on devices: survival maps with the fake IBM backends placed on them.

The numbers come from :mod:`qc_reset.run.survival` (no matplotlib there); this module only draws. A panel
(:func:`plot_survival_map`) shows :math:`\|r\|_1` of the noisy fixed point over the two-qubit
depolarizing parameter and the idle time per collision, the magic boundary :math:`\|r\|_1 = 1` as a thick
contour, and each device as a marker at its median two-qubit :math:`\lambda_2` and its collision duration.
:func:`survival_figure` draws one panel per map and writes PNG and CSV (through :mod:`qc_reset.io`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import InputError, quote
from .._version import install_hint
from ..io import atomic_path
from ..run.survival import SurvivalMap
from .series import SeriesLog

__all__ = ["DeviceMarker", "plot_survival_map", "survival_figure"]


@dataclasses.dataclass(frozen=True)
class DeviceMarker:
    """A device on a survival map: its median two-qubit ``depol2`` and its collision duration ``idle_ns``."""

    label: str
    depol2: float
    idle_ns: float

    def __post_init__(self) -> None:
        if not (self.depol2 > 0 and self.idle_ns > 0):
            raise InputError(f"a device marker needs depol2 > 0 and idle_ns > 0; got {quote(self)}")


def plot_survival_map(*, ax: Any, survival: SurvivalMap, markers: Sequence[DeviceMarker] = (),
                      log: SeriesLog | None = None, title: str | None = None) -> None:
    r"""Draw ``survival`` on ``ax``: filled contours of :math:`\|r\|_1`, the boundary 1, the device markers.

    ``log`` records the boundary and the markers (for the figure's CSV).
    """
    X, Y = np.meshgrid(survival.depol2, survival.idle_ns, indexing="ij")
    levels = np.linspace(min(0.5, float(survival.l1.min())), max(1.4, float(survival.l1.max())), 19)
    cs = ax.contourf(X, Y, survival.l1, levels=levels, cmap="viridis")
    if survival.l1.min() < 1.0 < survival.l1.max():
        ax.contour(X, Y, survival.l1, levels=[1.0], colors="w", linewidths=2.0)
    ax.figure.colorbar(cs, ax=ax, label=r"noisy $\|r\|_1$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"two-qubit depolarizing parameter $\lambda_2$")
    ax.set_ylabel("idle time per collision (ns)")
    for k, m in enumerate(markers):
        ax.plot(m.depol2, m.idle_ns, marker="os^Dv"[k % 5], color="C3", mec="k", ms=8, ls="none")
        ax.annotate(m.label, (m.depol2, m.idle_ns), textcoords="offset points", xytext=(6, 4), fontsize=7,
                    color="w")
        if log is not None:
            log.add(f"{survival.design}: {m.label}", m.depol2, m.idle_ns)
    if log is not None:
        log.add(f"{survival.design}: boundary", survival.idle_ns, survival.boundary())
    ax.set_title(title or f"{survival.design} ({survival.two_qubit_gates} two-qubit gates per collision)",
                 fontsize=9)


def survival_figure(out: str | Path, maps: Sequence[SurvivalMap],
                    markers: Sequence[Sequence[DeviceMarker]] | None = None, *, name: str = "survival") -> list[Path]:
    """One panel per map with its markers (a list per map: a design's duration differs per device); writes
    ``<out>/<name>.png`` and ``.csv`` and returns the paths."""
    try:
        import matplotlib  # lazy: the optional figures extra loads only when figures are drawn
    except ImportError as exc:  # pragma: no cover - the figures extra is installed in CI
        raise ImportError(f"survival_figure needs matplotlib: {install_hint('matplotlib')}") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not maps:
        raise InputError("maps must hold at least one SurvivalMap")
    per_map = [[] for _ in maps] if markers is None else [list(m) for m in markers]
    if len(per_map) != len(maps):
        raise InputError(f"markers must hold one list per map ({len(maps)}); got {len(per_map)}")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, len(maps), figsize=(5.2 * len(maps), 4.2), squeeze=False)
    log = SeriesLog(title="Noisy steady ||r||_1 of qubit 1: magic boundary (x = idle ns, y = depol2) and devices "
                    "(x = depol2, y = idle ns)", params={"t1_ns": maps[0].t1_ns, "t2_ns": maps[0].t2_ns},
                    style="boundary white contour")
    for ax, m, mk in zip(axes[0], maps, per_map, strict=True):
        plot_survival_map(ax=ax, survival=m, markers=mk, log=log)
    fig.tight_layout()
    png = folder / f"{name}.png"
    with atomic_path(png) as tmp:
        fig.savefig(tmp, dpi=130, format="png")
    plt.close(fig)
    csv = folder / f"{name}.csv"
    log.write_csv(csv)
    return [png, csv]
