r"""Figures of N-site chains: profiles along the chain and the heat-bath site's critical temperature against N.

:func:`plot_chain_profile` draws per-site :math:`\|r\|_1` and the l1 coherence :math:`C_{l1}` of one
:class:`~qc_reset.model.chain.ChainResult` with the magic threshold :math:`\|r\|_1 = 1` (the stabilizer
octahedron); :func:`plot_tcrit_vs_n` draws :math:`T_{\mathrm{crit}}(N)` of the heat-bath site 0, the
temperature above which that site has no magic (:func:`heat_site_tcrit`, for any chain solver).
:func:`make_chain_figures` writes both figures as PNG, PDF and CSV (through :func:`qc_reset.io.atomic_path`
and :class:`~qc_reset.workflows.series.SeriesLog`), from data computed elsewhere, so the figures need no
solver of their own.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import InputError, interval_number, quote
from ..io import atomic_path
from ..model.chain.result import ChainResult
from ..model.chain.spec import Chain, Site
from .series import SeriesLog, shade_magic

__all__ = ["CHAIN_FIGURE_NAMES", "ChainTcrit", "plot_chain_profile", "plot_tcrit_vs_n", "heat_site_tcrit",
           "tcrit_chain", "make_chain_figures"]

#: The files (stems) :func:`make_chain_figures` writes.
CHAIN_FIGURE_NAMES = ("chain_profile", "chain_tcrit")


@dataclasses.dataclass(frozen=True)
class ChainTcrit:
    """Critical temperatures of the heat-bath site against the chain length.

    Attributes:
        n: chain lengths.
        T_crit: the critical temperature for each length, or None where site 0 has no magic even at T = 0.
        params: the parameters of the chain family (for the caption and the CSV).
    """

    n: tuple[int, ...]
    T_crit: tuple[float | None, ...]
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        n = tuple(int(x) for x in self.n)
        T = tuple(None if t is None else float(t) for t in self.T_crit)
        if len(n) != len(T) or not n:
            raise InputError(f"n and T_crit must have the same, non-zero length; got {len(n)} and {len(T)}")
        if any(t is not None and not t >= 0 for t in T):
            raise InputError(f"T_crit must hold numbers >= 0 or None; got {quote(self.T_crit)}")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "T_crit", T)

    def to_dict(self) -> dict[str, Any]:
        """``{"n": [...], "T_crit": [...], "params": {...}}``."""
        return {"n": list(self.n), "T_crit": list(self.T_crit), "params": dict(self.params)}


def plot_chain_profile(*, ax: Any, result: ChainResult, log: SeriesLog | None = None, label: str = "",
                       coherence: bool = True, threshold: bool = True, style: str = "o-",
                       color: str | None = None) -> None:
    r"""Per-site :math:`\|r\|_1` (and :math:`C_{l1}`) of ``result`` along the chain, on ``ax``.

    Error bars are the result's ``error`` where it is finite and nonzero (a circuit's convergence or shot
    error); ``threshold`` draws the magic threshold :math:`\|r\|_1 = 1` and shades the magic side.
    """
    if not isinstance(result, ChainResult):
        raise InputError(f"result must be a ChainResult; got {quote(result)}")
    x = np.arange(len(result.sites))
    l1n = np.array([s.l1_norm for s in result.sites])
    coh = np.array([s.l1_coherence for s in result.sites])
    err = result.error if result.error is not None and math.isfinite(result.error) and result.error > 0 else None
    name = label or result.method
    if err is None:
        ax.plot(x, l1n, style, ms=4, color=color, label=rf"{name}: $\|r\|_1$")
    else:
        ax.errorbar(x, l1n, yerr=err, fmt=style, ms=4, capsize=2, color=color, label=rf"{name}: $\|r\|_1$")
    if coherence:
        ax.plot(x, coh, "s--", ms=3, color=color, label=rf"{name}: $C_{{l1}}$")
    if log is not None:
        log.add(f"{name}:l1_norm", x, l1n, err)
        if coherence:
            log.add(f"{name}:l1_coherence", x, coh)
    if threshold:
        ax.axhline(1.0, color="k", ls=":", lw=1)
        shade_magic(ax)
    ax.set_xlabel("site i (0: heat bath)")
    ax.set_ylabel(r"$\|r\|_1$, $C_{l1}$")
    ax.set_xticks(x)
    ax.legend(fontsize=7)


def plot_tcrit_vs_n(*, ax: Any, data: ChainTcrit, log: SeriesLog | None = None, label: str = "",
                    style: str = "o-") -> None:
    """:math:`T_{\\mathrm{crit}}` of the heat-bath site against N (lengths without magic are left out)."""
    if not isinstance(data, ChainTcrit):
        raise InputError(f"data must be a ChainTcrit; got {quote(data)}")
    n = np.array(data.n, dtype=float)
    T = np.array([np.nan if t is None else t for t in data.T_crit])
    line = ax.plot(n, T, style, ms=4, label=label or r"$T_{\mathrm{crit}}$ of site 0")[0]
    none = np.isnan(T)
    if none.any():
        ax.plot(n[none], np.zeros(int(none.sum())), "x", ms=7, color=line.get_color(), clip_on=False,
                label=f"{label + ': ' if label else ''}no magic at T = 0")
    if log is not None:
        log.add(label or "T_crit", n, T)
    ax.set_xlabel("chain length N")
    ax.set_ylabel(r"$T_{\mathrm{crit}}$ (heat-bath site)")
    ax.set_xticks(n)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)


def tcrit_chain(n: int, *, g: float, p_heat: float, p_spin: float, T_spin: float, T_heat: float = 0.0) -> Chain:
    """The chain family of the T_crit figure: heat bath on site 0, spin bath on site N - 1, no bath between."""
    middle = (Site(),) * (int(n) - 2)
    return Chain((Site("heat", p_heat, T_heat), *middle, Site("spin", p_spin, T_spin)), (float(g),) * (int(n) - 1))


def heat_site_tcrit(chain: Chain, solve: Callable[[Chain], ChainResult], *, T_max: float = 100.0,
                    xtol: float = 1e-6) -> float | None:
    r"""The temperature of site 0's heat bath above which site 0 has no magic, for the solver ``solve``.

    The root in :math:`T_0` of :math:`\|r_0\|_1 - 1` by Brent's method (scipy) on :math:`[0, T_{\max}]`: None
    if site 0 has no magic at :math:`T_0 = 0`, ``T_max`` if it has magic there too. ``solve`` is any chain
    method returning a :class:`ChainResult` (the exact solver, or ``chain_circuit_steady``); it is called
    about :math:`\log_2(T_{\max}/\mathrm{xtol})` times.
    """
    from scipy.optimize import brentq

    if not isinstance(chain, Chain) or chain.sites[0].bath != "heat":
        raise InputError("chain must be a Chain whose site 0 has a heat bath")
    T_max = interval_number("T_max", T_max, lo=0.0, hi=1e6, lo_open=True)
    xtol = interval_number("xtol", xtol, lo=1e-12, hi=1.0)
    s0 = chain.sites[0]

    def excess(T: float) -> float:
        sites = (Site("heat", s0.p, T, s0.omega), *chain.sites[1:])
        return solve(Chain(sites, chain.g)).sites[0].l1_norm - 1.0

    if excess(0.0) <= 0:
        return None
    if excess(T_max) > 0:
        return T_max
    return float(brentq(excess, 0.0, T_max, xtol=xtol))


def _write(fig: Any, log: SeriesLog, stem: Path) -> list[Path]:
    written = []
    for ext in ("png", "pdf"):
        with atomic_path(stem.with_suffix(f".{ext}")) as tmp:  # never a truncated figure
            fig.savefig(tmp, dpi=130, format=ext)
        written.append(stem.with_suffix(f".{ext}"))
    log.write_csv(stem.with_suffix(".csv"))
    return [*written, stem.with_suffix(".csv")]


def make_chain_figures(out: str | Path, *, profiles: Mapping[str, ChainResult] | None = None,
                       tcrit: Sequence[tuple[str, ChainTcrit]] | None = None,
                       params: Mapping[str, Any] | None = None) -> list[Path]:
    """Write ``chain_profile`` (every result of ``profiles``, by label) and ``chain_tcrit`` (each labelled
    series of ``tcrit``) as PNG, PDF and CSV into ``out``; returns the files written.

    Either figure is skipped when its data is not given (at least one is required).
    """
    if not profiles and not tcrit:
        raise InputError("make_chain_figures needs profiles and/or tcrit data")
    import matplotlib  # lazy: the optional figures extra loads only when figures are drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    caption = dict(params or {})
    written: list[Path] = []
    if profiles:
        fig, ax = plt.subplots(figsize=(5.5, 4.2))
        log = SeriesLog("Per-site ||r||_1 and l1 coherence along the chain", caption, style="one series per method")
        for k, (label, result) in enumerate(profiles.items()):
            plot_chain_profile(ax=ax, result=result, log=log, label=label, threshold=k == len(profiles) - 1,
                               style=("o-", "x:", "^-.", "v--")[k % 4], color=f"C{k}")
        fig.tight_layout()
        written += _write(fig, log, folder / CHAIN_FIGURE_NAMES[0])
        plt.close(fig)
    if tcrit:
        fig, ax = plt.subplots(figsize=(5.5, 4.2))
        log = SeriesLog("Critical temperature of the heat-bath site against the chain length", caption,
                        style="one series per method")
        for k, (label, data) in enumerate(tcrit):
            plot_tcrit_vs_n(ax=ax, data=data, log=log, label=label, style=("o-", "x:", "^-.", "v--")[k % 4])
        fig.tight_layout()
        written += _write(fig, log, folder / CHAIN_FIGURE_NAMES[1])
        plt.close(fig)
    return written
