"""Chain figures: what the plot functions draw, the critical-temperature search against a closed form and the
two-qubit exact solver, and the files make_chain_figures writes."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qc_reset._checks import InputError  # noqa: E402
from qc_reset.model import measures  # noqa: E402
from qc_reset.model.chain.result import ChainResult  # noqa: E402
from qc_reset.model.chain.spec import Chain  # noqa: E402
from qc_reset.model.params import Params  # noqa: E402
from qc_reset.model.steady import steady_state  # noqa: E402
from qc_reset.workflows.chain_figures import (  # noqa: E402
    ChainTcrit,
    heat_site_tcrit,
    make_chain_figures,
    plot_chain_profile,
    plot_tcrit_vs_n,
    tcrit_chain,
)
from qc_reset.workflows.series import SeriesLog  # noqa: E402

#: Brent's method to xtol = 1e-9 in T, on a root of slope O(1).
ROOT_TOL = 1e-7

RESULT = ChainResult.from_blochs("exact", [[0.3, 0.4, 0.5], [0.1, 0.0, 0.2], [0.0, 0.6, 0.6]])


def test_profile_draws_l1_norms_and_the_threshold() -> None:
    fig, ax = plt.subplots()
    log = SeriesLog("t", {})
    plot_chain_profile(ax=ax, result=RESULT, log=log, label="exact")
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), [1.2, 0.3, 1.2])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.5, 0.1, 0.6])  # sqrt(rx^2 + ry^2)
    assert any(np.allclose(line.get_ydata(), 1.0) for line in lines[2:])  # the magic threshold
    assert [r[0] for r in log.rows[:3]] == ["exact:l1_norm"] * 3
    plt.close(fig)
    with pytest.raises(InputError, match="result must be a ChainResult"):
        plot_chain_profile(ax=ax, result=[1, 2])  # type: ignore[arg-type]


def test_tcrit_plot_leaves_out_lengths_without_magic() -> None:
    fig, ax = plt.subplots()
    plot_tcrit_vs_n(ax=ax, data=ChainTcrit((2, 3, 4), (0.5, 0.2, None)))
    y = ax.get_lines()[0].get_ydata()
    assert y[0] == 0.5 and y[1] == 0.2 and math.isnan(y[2])
    marks = ax.get_lines()[1]  # the length without magic, on the axis
    assert list(marks.get_xdata()) == [4.0] and list(marks.get_ydata()) == [0.0]
    plt.close(fig)
    with pytest.raises(InputError, match="same, non-zero length"):
        ChainTcrit((2, 3), (0.5,))


def _scaled_solver(l1_at_zero: float):
    """A solver whose site-0 ||r||_1 is l1_at_zero * tanh(1/2T): T_crit = 1 / (2 artanh(1 / l1_at_zero))."""
    def solve(chain: Chain) -> ChainResult:
        T = chain.sites[0].T
        z = 1.0 if T == 0 else math.tanh(0.5 / T)
        return ChainResult.from_blochs("exact", [[l1_at_zero * z / 3] * 3] * chain.n)
    return solve


def test_heat_site_tcrit_closed_form_and_edges() -> None:
    chain = tcrit_chain(3, g=0.2, p_heat=0.5, p_spin=2.0, T_spin=0.0)
    T = heat_site_tcrit(chain, _scaled_solver(1.5), xtol=1e-10)
    assert T == pytest.approx(1 / (2 * math.atanh(1 / 1.5)), abs=ROOT_TOL)
    assert heat_site_tcrit(chain, _scaled_solver(0.9)) is None
    assert heat_site_tcrit(chain, _scaled_solver(1.5), T_max=0.1) == 0.1


def test_heat_site_tcrit_of_the_two_site_chain_against_the_two_qubit_solver() -> None:
    """Two sites: the two-qubit exact steady state is an independent solver, and qubit 1's Bloch vector is
    proportional to tanh(1/2T1), so T_crit = 1 / (2 artanh(1 / ||r(T1 = 0)||_1))."""
    p = Params(g=0.2, p1=0.5, p2=2.0, T1=0.0, T2=0.0)

    def solve(chain: Chain) -> ChainResult:
        s0, s1 = chain.sites
        rho = steady_state(chain.g[0], s0.p, s1.p, s0.T, s1.T)
        return ChainResult.from_blochs("exact", [measures.bloch_vector(rho),
                                                 measures.bloch_vector(measures.reduced_state(rho, 2))])

    l0 = float(measures.l1_norm(measures.bloch_vector(steady_state(p.g, p.p1, p.p2, 0.0, 0.0))))
    T = heat_site_tcrit(Chain.from_params(p), solve, xtol=1e-10)
    assert T == pytest.approx(1 / (2 * math.atanh(1 / l0)), abs=ROOT_TOL)


def test_make_chain_figures_writes_png_pdf_csv(tmp_path: Path) -> None:
    files = make_chain_figures(tmp_path / "figs", profiles={"exact": RESULT},
                               tcrit=[("exact", ChainTcrit((2, 3), (0.4, 0.3)))], params={"g": 0.2})
    names = sorted(f.name for f in files)
    assert names == sorted(f"{s}.{e}" for s in ("chain_profile", "chain_tcrit") for e in ("png", "pdf", "csv"))
    assert all(f.stat().st_size > 0 for f in files)
    csv = (tmp_path / "figs" / "chain_tcrit.csv").read_text().splitlines()
    assert csv[1] == "# parameters: g=0.2" and csv[3:] == ["exact,2,0.4,", "exact,3,0.3,"]
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == names  # no temporary files left
    with pytest.raises(InputError, match="needs profiles and/or tcrit"):
        make_chain_figures(tmp_path)
