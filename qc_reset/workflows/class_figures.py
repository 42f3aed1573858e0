r"""The ``classes`` figure: stabilizer / magic / distillable regions of qubit 1 over (g, T1), exact.

At the reference rates p1 = p2 = 0.3, T2 = 0.02 (:data:`CLASS_FIGURE_PARAMS`). Qubit 1's steady
Bloch vector is exactly :math:`r = z_1 f(g)` with :math:`z_1 = \tanh(1/2T_1)`
(:func:`qc_reset.model.steady.steady_bloch_unit`), so the map is one solve over g times z1,
classified by :func:`qc_reset.model.magic.coarse_class`. Every class functional F is positively
homogeneous, so each class is bounded in T1 from above: the state at g is in the class iff
:math:`T_1 < T_1^\mathrm{class}(g) = 1/(2\,\mathrm{artanh}(\theta/F(f(g))))` (no T1 where
:math:`F(f(g)) \le \theta`). Left panel: the map, with these exact boundaries drawn; right panel:
the class functionals at T1 = 0 against their thresholds.

CSV series: ``boundary_<target>_vs_g`` (:math:`T_1^\mathrm{class}(g)` for magic, distillable, T
and H; NaN where the class is never reached), ``class_code_T1=<T1>_vs_g`` (the map's class code,
0 stabilizer, 1 magic, 2 distillable, along :data:`LOGGED_T1` rows) and ``F_<target>_vs_g`` (the
right panel, T1 = 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..model.magic import CLASSES, class_functional, class_threshold, coarse_class
from ..model.steady import steady_bloch_unit
from .series import DISTILLABLE_COLOR, MAGIC_COLOR, STAB_COLOR, SeriesLog, plot_curve

__all__ = ["CLASS_FIGURE_PARAMS", "LOGGED_T1", "class_codes", "class_boundary_T1", "figure_classes"]

#: Reference rates of the map (the paper's reference point) and its (g, T1) ranges and grid sizes.
CLASS_FIGURE_PARAMS: dict[str, Any] = {"p1": 0.3, "p2": 0.3, "T2": 0.02, "g_max": 0.25, "T1_max": 0.3,
                                       "n_g": 500, "n_T1": 300}
#: Rows of the map written to the CSV (the map itself is drawn at full resolution).
LOGGED_T1: tuple[float, ...] = (0.02, 0.05, 0.1, 0.15, 0.2, 0.25)
_TARGETS = ("magic", "distillable", "T", "H")


def class_codes(g: np.ndarray, T1: np.ndarray, p1: float, p2: float, T2: float) -> np.ndarray:
    """Class code (index in :data:`~qc_reset.model.magic.CLASSES`) on the grid T1 x g, shape (len(T1), len(g))."""
    f = steady_bloch_unit(g, p1, p2, T2)  # (n_g, 3)
    z1 = np.tanh(0.5 / np.asarray(T1, float))
    names = coarse_class(z1[:, None, None] * f[None])
    return np.select([names == c for c in CLASSES], list(range(len(CLASSES))), -1)


def class_boundary_T1(g: np.ndarray, p1: float, p2: float, T2: float, target: str) -> np.ndarray:
    r"""Largest T1 with a state of class ``target`` at each g: :math:`1/(2\,\mathrm{artanh}(\theta/F))`, NaN if none."""
    F = class_functional(steady_bloch_unit(g, p1, p2, T2), target)
    theta = class_threshold(target)
    ok = F > theta
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, 1.0 / (2.0 * np.arctanh(np.where(ok, theta / F, 0.5))), np.nan)


def figure_classes(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """Class map over (g, T1) at p1 = p2 = 0.3, T2 = 0.02 (left); class functionals at T1 = 0 (right)."""
    P = CLASS_FIGURE_PARAMS
    log = SeriesLog("Distillability classes of qubit 1 over (g, T1)", P,
                    style="Shaded: stabilizer grey, magic yellow, distillable orange; lines: exact class boundaries")
    p1, p2, T2 = P["p1"], P["p2"], P["T2"]
    g = np.linspace(P["g_max"] / P["n_g"], P["g_max"], P["n_g"])
    T1 = np.linspace(P["T1_max"] / P["n_T1"], P["T1_max"], P["n_T1"])
    codes = class_codes(g, T1, p1, p2, T2)
    from matplotlib.colors import ListedColormap  # lazy: the figures extra

    ax = axes[0]
    # imshow (one raster image), not pcolormesh: 180 000 vector quads make the PDF slow to write.
    dg, dT = g[1] - g[0], T1[1] - T1[0]
    ax.imshow(codes, origin="lower", aspect="auto", interpolation="nearest",
              extent=(g[0] - dg / 2, g[-1] + dg / 2, T1[0] - dT / 2, T1[-1] + dT / 2),
              cmap=ListedColormap([STAB_COLOR, MAGIC_COLOR, DISTILLABLE_COLOR]), vmin=-0.5, vmax=2.5)
    for T in LOGGED_T1:
        row = class_codes(g, np.array([T]), p1, p2, T2)[0]
        log.add(f"class_code_T1={T}_vs_g", g, row)
    for target, style, color in (("magic", "-", "k"), ("distillable", "-", "C3"), ("T", ":", "C0"),
                                 ("H", "--", "C2")):
        plot_curve(ax=ax, x=g, y=class_boundary_T1(g, p1, p2, T2, target), log=log, name=f"boundary_{target}_vs_g",
                   style=style, color=color, lw=1.2, label=f"{target} boundary")
    ax.set_xlim(0, P["g_max"])
    ax.set_ylim(0, P["T1_max"])
    ax.set_xlabel("coupling $g$")
    ax.set_ylabel("heat-bath temperature $T_1$")
    ax.legend(fontsize=7)
    f = steady_bloch_unit(g, p1, p2, T2)
    for target, color in zip(_TARGETS, ("k", "C3", "C0", "C2"), strict=True):
        plot_curve(ax=axes[1], x=g, y=class_functional(f, target) / class_threshold(target), log=log,
                   name=f"F_{target}_vs_g", color=color, label=f"$F_{{{target}}}/\\theta$ at $T_1 = 0$")
    axes[1].axhline(1.0, color="0.4", lw=0.8)
    axes[1].set_xlabel("coupling $g$")
    axes[1].set_ylabel(r"class functional / threshold ($>1$: in the class)")
    axes[1].legend(fontsize=7)
    return log
