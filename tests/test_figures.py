"""Figure generation: files, CSV content and the CLI (without circuit points, for speed)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from qc_reset import measures
from qc_reset.cli import main
from qc_reset.exact import steady_bloch
from qc_reset.figures import FIGURE_PARAMS, make_figures


def _read(path: Path) -> tuple[list[str], dict[str, list[tuple[float, float, str]]]]:
    lines = path.read_text().splitlines()
    header = [x for x in lines if x.startswith("#")]
    series: dict[str, list[tuple[float, float, str]]] = {}
    for row in csv.DictReader(x for x in lines if not x.startswith("#")):
        series.setdefault(row["series"], []).append((float(row["x"]), float(row["y"]), row["yerr"]))
    return header, series


@pytest.fixture(scope="module")
def fig_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("figs")
    make_figures(out, ["2", "5"], circuit=False, verbose=False)
    return out


def test_files_written(fig_dir: Path) -> None:
    for stem in ("fig2", "fig5"):
        for ext in ("png", "pdf", "csv"):
            f = fig_dir / f"{stem}.{ext}"
            assert f.exists() and f.stat().st_size > 1000
    assert (fig_dir / "fig2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_csv_header_states_parameters(fig_dir: Path) -> None:
    header, series = _read(fig_dir / "fig2.csv")
    assert any("g=0.05" in h and "p1=0.3" in h for h in header)
    assert {"exact_vs_T1", "eq7_vs_T1", "exact_vs_p2", "eq7_vs_p2"} <= set(series)


def test_fig5_tcrit_series_is_the_exact_tcrit(fig_dir: Path) -> None:
    """The plotted T_crit(p): magic for some g just below it, for no g just above (dense g grid)."""
    _, series = _read(fig_dir / "fig5.csv")
    pts = series["tcrit_exact_vs_p"]
    T2 = FIGURE_PARAMS["5"]["T2"]
    g = np.concatenate([np.geomspace(1e-8, 0.05, 3000), np.linspace(0.05, 2.0, 40_000)])
    for p, T, _ in pts[5::40]:
        below = measures.l1_norm(steady_bloch(g, p, p, T * (1 - 1e-4), T2)).max()
        above = measures.l1_norm(steady_bloch(g, p, p, T * (1 + 1e-4), T2)).max()
        assert below > 1.0 > above, (p, T, below, above)
    # The perturbative series is a different curve (it misses the g ~ 1/2 branch at p ~ 0.5).
    pert = {x: y for x, y, _ in series["tcrit_perturbative_vs_p"]}
    exact = {x: y for x, y, _ in pts}
    x05 = min(exact, key=lambda x: abs(x - 0.5))
    assert exact[x05] - pert[x05] > 0.02


def test_unknown_figure() -> None:
    with pytest.raises(ValueError, match="unknown figure"):
        make_figures("/nonexistent", ["3"], circuit=False)


def test_cli_only_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures", "--out", str(tmp_path), "--only", "2,3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "allowed" in err


def test_cli_writes_one_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures", "--out", str(tmp_path), "--only", "7", "--no-circuit"]) == 0
    assert (tmp_path / "fig7.png").exists() and (tmp_path / "fig7.csv").exists()


def test_fig2_circuit_points_and_error_bars(tmp_path: Path) -> None:
    """Circuit tomography points lie within 4 of their error bars of the exact C_l1, and the bars
    have the binomial size: for small rx, ry the l1 coherence has s.e. ~ 1/sqrt(shots)."""
    from qc_reset.figures import CIRCUIT

    make_figures(tmp_path, ["2"], circuit=True, verbose=False)
    _, series = _read(tmp_path / "fig2.csv")
    P = FIGURE_PARAMS["2"]
    for name, args in (("circuit_vs_T1", lambda x: (P["g"], P["p1"], P["p2"], x, P["T2"])),
                       ("circuit_vs_p2", lambda x: (P["g"], P["p1"], x, P["T1_right"], P["T2"]))):
        pts = series[name]
        assert len(pts) >= 4
        for x, y, yerr in pts:
            err = float(yerr)
            assert 0.5 < err * np.sqrt(CIRCUIT["shots"]) < 1.5
            exact = float(measures.l1_coherence(steady_bloch(*args(x))))
            assert abs(y - exact) < 4 * err, (name, x, y, exact, err)
