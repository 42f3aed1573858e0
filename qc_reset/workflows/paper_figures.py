r"""The paper's figures (2, 4, 5, 6, 7) and a transient figure as data: each builder computes and draws its series.

Each ``figure_*`` function computes its series, draws them on the axes it is given through
``plot_*(*, ax, ...)`` helpers, and records every plotted series in a :class:`SeriesLog` (written
as a CSV in long format: ``series, x, y, yerr``, with the parameters in ``#`` header lines).
:data:`FIGURES` maps each figure's name to its builder; :mod:`qc_reset.workflows.figures` turns
them into files.

The paper gives no parameter values for its figures; the values used are in
:data:`FIGURE_PARAMS`, printed in every caption and CSV header. Line styles: exact solid,
perturbative dashed, circuit-emulated tomography as points with error bars (one standard
error), magic region pale yellow; the T_crit panels (Figs. 5-7) add the exact T_crit of the
distillable class (T- or H-type, :func:`qc_reset.model.magic.critical_temperature_class_array`) as
the dash-dot series ``tcrit_distillable_vs_*``. The ``classes`` figure is in :mod:`.class_figures`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..model import measures, perturbative
from ..model.critical import critical_temperature, magic_map
from ..model.dynamics import transient
from ..model.magic import critical_temperature_class_array
from ..model.params import Params
from ..model.steady import steady_bloch
from .class_figures import CLASS_FIGURE_PARAMS, figure_classes
from .series import FACET_COLORS, MAGIC_COLOR, STAB_COLOR, SeriesLog, plot_curve, plot_points, shade_magic

__all__ = [
    "FIGURE_PARAMS",
    "CIRCUIT",
    "PANELS",
    "FIGURES",
    "SeriesLog",
    "CircuitFn",
    "plot_curve",
    "plot_points",
    "figure_2",
    "figure_4",
    "figure_5",
    "figure_6",
    "figure_7",
    "figure_transient",
    "figure_classes",
]

#: Parameter values of every figure (the paper states none).
FIGURE_PARAMS: dict[str, dict[str, Any]] = {
    "2": {"g": 0.05, "p1": 0.3, "p2": 0.5, "T2": 0.02, "T1_right": 0.1},
    "4": {"g": 0.06, "T2": 0.02, "T1_left": 0.1, "p_right": 0.3},
    "5": {"T2": 0.0, "p_right": 0.3},
    "6": {"T2": 5.0, "p_right": 0.3},
    "7": {"p1": 0.3, "T2_low": 0.0, "T2_high": 5.0},
    "transient": {"p1": 0.3, "p2": 0.3, "T2": 0.02, "g": 0.06},
    "classes": CLASS_FIGURE_PARAMS,
}
#: Tomography settings of the circuit-emulated points.
CIRCUIT: dict[str, Any] = {"dt": 0.1, "order": 2, "shots": 100000, "seed": 2024, "level": 0.95}


# --------------------------------------------------------------------------- circuit points
CircuitFn = Callable[[Sequence[Params]], tuple[np.ndarray, np.ndarray]]


def _circuit_points(points: Sequence[Params]) -> tuple[np.ndarray, np.ndarray]:
    """Tomography estimates (bloch, stderr) of qubit 1 from Aer circuit emulation with shots."""
    from ..run.tomography import tomography_points  # lazy: Qiskit and Aer load only for circuit points

    return tomography_points(points, dt=CIRCUIT["dt"], order=CIRCUIT["order"], shots=CIRCUIT["shots"],
                             seed=CIRCUIT["seed"])


def _facet_stderr(stderr: np.ndarray) -> np.ndarray:
    """Standard error of each facet s.r from independent per-basis errors."""
    return np.sqrt((stderr**2).sum(axis=-1))[..., None] * np.ones(4)


# --------------------------------------------------------------------------- figures
def figure_2(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """Steady l1 coherence of qubit 1 against T1 (left) and against p2 (right)."""
    P = FIGURE_PARAMS["2"]
    log = SeriesLog("Fig. 2: steady l1 coherence of qubit 1", P)
    g, p1, p2, T2 = P["g"], P["p1"], P["p2"], P["T2"]
    T1 = np.linspace(0.02, 2.0, 300)
    p2s = np.geomspace(0.005, 5.0, 300)
    for ax, x, args, xlabel, tag in (
        (axes[0], T1, (g, p1, p2, T1, T2), "heat-bath temperature $T_1$", "T1"),
        (axes[1], p2s, (g, p1, p2s, P["T1_right"], T2), "spin-bath reset rate $p_2$", "p2"),
    ):
        exact = measures.l1_coherence(steady_bloch(*args))
        pert = perturbative.l1_coherence_eq7(*args)
        plot_curve(ax=ax, x=x, y=exact, log=log, name=f"exact_vs_{tag}", color="k", label="exact")
        plot_curve(ax=ax, x=x, y=pert, log=log, name=f"eq7_vs_{tag}", style="--", color="C3", label="Eq. (7)")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("$C_{l_1}$ of qubit 1")
    axes[1].set_xscale("log")
    if circuit:
        T1_pts = np.array([0.05, 0.2, 0.5, 1.0, 1.6])
        p2_pts = np.array([0.02, 0.1, 0.5, 2.0])
        pts = [Params(g=g, p1=p1, p2=p2, T1=t, T2=T2) for t in T1_pts]
        pts += [Params(g=g, p1=p1, p2=q, T1=P["T1_right"], T2=T2) for q in p2_pts]
        bloch, se = _circuit_points(pts)
        coh = measures.l1_coherence(bloch)
        coh_se = np.sqrt((bloch[:, 0] * se[:, 0]) ** 2 + (bloch[:, 1] * se[:, 1]) ** 2) / np.maximum(coh, 1e-12)
        n = len(T1_pts)
        plot_points(ax=axes[0], x=T1_pts, y=coh[:n], yerr=coh_se[:n], log=log, name="circuit_vs_T1",
                    color="C0", label="circuit tomography")
        plot_points(ax=axes[1], x=p2_pts, y=coh[n:], yerr=coh_se[n:], log=log, name="circuit_vs_p2",
                    color="C0", label="circuit tomography")
    for ax in axes:
        ax.legend(fontsize=8)
    return log


def figure_4(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """Facet values of qubit 1 against p = p1 = p2 (left) and against T1 (right)."""
    P = FIGURE_PARAMS["4"]
    log = SeriesLog("Fig. 4: facets +-rx+-ry+rz of qubit 1 (magic where one exceeds 1)", P)
    g, T2 = P["g"], P["T2"]
    p = np.linspace(0.02, 2.0, 300)
    T1 = np.linspace(0.02, 0.6, 300)
    cases = (
        (axes[0], p, (g, p, p, P["T1_left"], T2), "reset rate $p = p_1 = p_2$", "p"),
        (axes[1], T1, (g, P["p_right"], P["p_right"], T1, T2), "heat-bath temperature $T_1$", "T1"),
    )
    for ax, x, args, xlabel, tag in cases:
        exact = measures.facets(steady_bloch(*args))
        pert = perturbative.facets_eq9(*args)
        for k, label in enumerate(measures.FACET_LABELS):
            # The paper's (rx, ry) are minus ours: name its label too, so the panel reads against its Fig. 4.
            paper = dict(zip(perturbative.PAPER_FACET_INDEX, perturbative.PAPER_FACET_LABELS, strict=True)).get(k)
            plot_curve(ax=ax, x=x, y=exact[..., k], log=log, name=f"exact_{label}_vs_{tag}", color=FACET_COLORS[k],
                       label=f"{label} exact" + (f" (paper: {paper})" if paper else " (not in the paper)"))
            plot_curve(ax=ax, x=x, y=pert[..., k], log=log, name=f"eq9_{label}_vs_{tag}", style="--",
                       color=FACET_COLORS[k], lw=1)
        # The expansion diverges where g is not small against the rates: keep the exact range.
        lo, hi = float(exact.min()), float(exact.max())
        ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("facet value (dashed: Eq. 9)")
    if circuit:
        p_pts = np.array([0.1, 0.3, 0.8, 1.5])
        T1_pts = np.array([0.05, 0.15, 0.3, 0.5])
        pts = [Params(g=g, p1=q, p2=q, T1=P["T1_left"], T2=T2) for q in p_pts]
        pts += [Params(g=g, p1=P["p_right"], p2=P["p_right"], T1=t, T2=T2) for t in T1_pts]
        bloch, se = _circuit_points(pts)
        fac = measures.facets(bloch)
        fse = _facet_stderr(se)
        n = len(p_pts)
        exact_pts = measures.facets(steady_bloch(np.array([pt.g for pt in pts]), np.array([pt.p1 for pt in pts]),
                                                 np.array([pt.p2 for pt in pts]), np.array([pt.T1 for pt in pts]),
                                                 T2))
        # At each point show the facet that is largest there (the one that decides magic).
        for sl, ax, x, tag in ((slice(0, n), axes[0], p_pts, "p"), (slice(n, None), axes[1], T1_pts, "T1")):
            best = np.argmax(exact_pts[sl], axis=-1)
            for k in np.unique(best):
                m = best == k
                plot_points(ax=ax, x=x[m], y=fac[sl][m, k], yerr=fse[sl][m, k], log=log,
                            name=f"circuit_{measures.FACET_LABELS[k]}_vs_{tag}", color=FACET_COLORS[k],
                            label=f"{measures.FACET_LABELS[k]} circuit")
    for ax in axes:
        shade_magic(ax)
        ax.legend(fontsize=7, loc="lower left")
    return log


def _tcrit_panel(ax: Any, log: SeriesLog, x: np.ndarray, p1: np.ndarray, p2: np.ndarray, T2: float,
                 extra: dict[str, np.ndarray], tag: str, xlabel: str) -> None:
    T_ex, _ = critical_temperature(p1, p2, T2)
    T_pt, _ = perturbative.critical_temperature_perturbative(p1, p2, T2)
    ax.fill_between(x, 0, np.nan_to_num(np.asarray(T_ex)), color=MAGIC_COLOR, zorder=0)
    plot_curve(ax=ax, x=x, y=T_ex, log=log, name=f"tcrit_exact_vs_{tag}", color="k", label="exact")
    plot_curve(ax=ax, x=x, y=T_pt, log=log, name=f"tcrit_perturbative_vs_{tag}", style="--", color="C3",
               label="perturbative (from Eq. 9)")
    T_di, _ = critical_temperature_class_array(p1, p2, T2, "distillable")
    plot_curve(ax=ax, x=x, y=T_di, log=log, name=f"tcrit_distillable_vs_{tag}", style="-.", color="C2",
               label="exact, distillable (T or H)")
    for i, (label, y) in enumerate(extra.items()):
        slug = "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_")
        while "__" in slug:
            slug = slug.replace("__", "_")
        plot_curve(ax=ax, x=x, y=y, log=log, name=f"tcrit_{slug}_vs_{tag}", style=":",
                   color=f"C{i + 4}", label=label)
    top = np.nanmax(np.concatenate([np.atleast_1d(T_ex), np.atleast_1d(T_pt), np.atleast_1d(T_di),
                                    *map(np.atleast_1d, extra.values())]))
    ax.set_ylim(0, 1.1 * top)
    ax.set_facecolor(STAB_COLOR)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("$T_{crit}$")
    ax.legend(fontsize=7)


def _window_panel(ax: Any, log: SeriesLog, p: float, T2: float, tag: str) -> None:
    T_ex, g_opt = critical_temperature(p, p, T2)
    T1 = np.linspace(0.01, 1.15 * float(T_ex), 800)
    g_max = 3.0 * float(g_opt) if np.isfinite(g_opt) else 1.0
    g = np.linspace(g_max / 1000, g_max, 1000)
    G, _ = np.meshgrid(g, T1)
    _, magic = magic_map(g, T1, p, p, T2)
    ax.contourf(T1, g, magic.T.astype(float), levels=[0.5, 1.5], colors=[MAGIC_COLOR])
    ax.contour(T1, g, magic.T.astype(float), levels=[0.5], colors="k", linewidths=1.2)
    lo_ex = np.where(magic.any(axis=1), np.where(magic, G, np.inf).min(axis=1), np.nan)
    hi_ex = np.where(magic.any(axis=1), np.where(magic, G, -np.inf).max(axis=1), np.nan)
    # Edges read off the map, so resolved to one grid step (g_max/1000); a lower edge equal to the
    # first grid value means "at or below it". qc_reset.critical.g_window gives them to 1e-15.
    log.add(f"window_exact_lower_grid_vs_T1_{tag}", T1, lo_ex)
    log.add(f"window_exact_upper_grid_vs_T1_{tag}", T1, hi_ex)
    lo, hi = perturbative.g_window_perturbative(p, p, T1, T2)
    plot_curve(ax=ax, x=T1, y=lo, log=log, name=f"window_perturbative_lower_vs_T1_{tag}", style="--", color="C3",
               label="perturbative boundary")
    plot_curve(ax=ax, x=T1, y=hi, log=log, name=f"window_perturbative_upper_vs_T1_{tag}", style="--", color="C3")
    ax.plot([], [], color="k", label="exact boundary (magic shaded)")
    ax.set_facecolor("#d9c3a5")
    ax.set_xlabel("heat-bath temperature $T_1$")
    ax.set_ylabel("coupling $g$")
    ax.set_ylim(0, g_max)
    ax.legend(fontsize=7)


def figure_5(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """Low spin-bath temperature: T_crit against p (left), g window against T1 (right)."""
    P = FIGURE_PARAMS["5"]
    log = SeriesLog("Fig. 5: magic for low spin-bath temperature", P)
    p = np.linspace(0.01, 2.0, 160)
    _tcrit_panel(axes[0], log, p, p, p, P["T2"], {"Eq. (15)": perturbative.tcrit_eq15(p)}, "p",
                 "reset rate $p = p_1 = p_2$")
    _window_panel(axes[1], log, P["p_right"], P["T2"], "low_T2")
    return log


def figure_6(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """High spin-bath temperature: T_crit against p (left), g window against T1 (right)."""
    P = FIGURE_PARAMS["6"]
    log = SeriesLog("Fig. 6: magic for high spin-bath temperature", P)
    p = np.linspace(0.01, 2.0, 160)
    extra = {"Eq. (18) corrected": perturbative.tcrit_eq18(p, P["T2"]),
             "Eq. (18) as printed": perturbative.tcrit_eq18(p, P["T2"], printed=True)}
    _tcrit_panel(axes[0], log, p, p, p, P["T2"], extra, "p", "reset rate $p = p_1 = p_2$")
    _window_panel(axes[1], log, P["p_right"], P["T2"], "high_T2")
    return log


def figure_7(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """Asymmetry p2 = mu p1: T_crit against mu for low (left) and high (right) T2."""
    P = FIGURE_PARAMS["7"]
    log = SeriesLog("Fig. 7: critical temperature against the asymmetry mu = p2/p1", P)
    mu = np.geomspace(0.05, 20.0, 160)
    p1 = np.full_like(mu, P["p1"])
    for ax, T2, tag in ((axes[0], P["T2_low"], "low_T2"), (axes[1], P["T2_high"], "high_T2")):
        _tcrit_panel(ax, log, mu, p1, mu * p1, T2, {}, f"mu_{tag}", r"asymmetry $\mu = p_2/p_1$")
        ax.set_xscale("log")
        ax.set_title(f"$T_2$ = {T2:g}", fontsize=9)
    return log


def figure_transient(axes: Sequence[Any], circuit: bool) -> SeriesLog:
    """Transient vs steady: ||r(t)||_1 from tau1 (x) tau2 (left); peak vs steady ||r||_1 (middle) and
    C_l1 (right) against T1."""
    P = FIGURE_PARAMS["transient"]
    log = SeriesLog("Transient vs steady magic and coherence of qubit 1, starting from tau1 (x) tau2", P,
                    style="Solid: transient (maximum over t in [0, 40]); dashed: steady state")
    t = np.linspace(0.0, 40.0, 801)
    T_crit, _ = critical_temperature(P["p1"], P["p2"], P["T2"])
    for i, T1 in enumerate((0.1, 0.3)):
        tr = transient(Params(g=P["g"], p1=P["p1"], p2=P["p2"], T1=T1, T2=P["T2"]), t)
        plot_curve(ax=axes[0], x=t, y=tr.l1_norm, log=log, name=f"l1_norm_T1={T1}", color=f"C{i}",
                   label=f"$\\|r(t)\\|_1$, $T_1$={T1}")
        plot_curve(ax=axes[0], x=t[[0, -1]], y=[tr.steady_l1_norm] * 2, log=log, name=f"l1_norm_steady_T1={T1}",
                   style="--", color=f"C{i}", lw=1)
    axes[0].set_xlabel("time $t$")
    axes[0].set_ylabel(r"$\|r\|_1$ of qubit 1")
    shade_magic(axes[0])
    axes[0].legend(fontsize=7)
    T1s = np.linspace(0.02, 0.6, 60)
    peak_l1, ss_l1, peak_c, ss_c = (np.empty_like(T1s) for _ in range(4))
    for j, T1 in enumerate(T1s):
        tr = transient(Params(g=P["g"], p1=P["p1"], p2=P["p2"], T1=T1, T2=P["T2"]), t)
        peak_l1[j], ss_l1[j] = tr.l1_norm.max(), tr.steady_l1_norm
        peak_c[j], ss_c[j] = tr.l1_coherence.max(), tr.steady_l1_coherence
    plot_curve(ax=axes[1], x=T1s, y=peak_l1, log=log, name="peak_l1_norm_vs_T1", color="C0",
               label=r"max$_t \|r(t)\|_1$")
    plot_curve(ax=axes[1], x=T1s, y=ss_l1, log=log, name="steady_l1_norm_vs_T1", style="--", color="C0",
               label=r"steady $\|r\|_1$")
    axes[1].axvline(float(T_crit), color="k", lw=0.8)
    axes[1].text(float(T_crit), 0.5, r" steady $T_{crit}$", transform=axes[1].get_xaxis_transform(), fontsize=8)
    axes[1].set_xlabel("heat-bath temperature $T_1$")
    axes[1].set_ylabel(r"$\|r\|_1$ of qubit 1")
    shade_magic(axes[1])
    axes[1].legend(fontsize=7)
    plot_curve(ax=axes[2], x=T1s, y=peak_c, log=log, name="peak_l1_coherence_vs_T1", color="C2",
               label=r"max$_t C_{l_1}(t)$")
    plot_curve(ax=axes[2], x=T1s, y=ss_c, log=log, name="steady_l1_coherence_vs_T1", style="--", color="C2",
               label=r"steady $C_{l_1}$")
    axes[2].set_xlabel("heat-bath temperature $T_1$")
    axes[2].set_ylabel("$C_{l_1}$ of qubit 1")
    axes[2].set_ylim(bottom=0)
    axes[2].legend(fontsize=7)
    return log


#: Number of panels of each figure (default 2).
PANELS = {"transient": 3}


#: Figure name -> builder(axes, circuit) -> SeriesLog.
FIGURES: dict[str, Callable[[Sequence[Any], bool], SeriesLog]] = {
    "2": figure_2,
    "4": figure_4,
    "5": figure_5,
    "6": figure_6,
    "7": figure_7,
    "transient": figure_transient,
    "classes": figure_classes,
}
