"""Figure generation: files, CSV content and the CLI (without circuit points, for speed)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from qc_reset.cli import main
from qc_reset.model import measures
from qc_reset.model.steady import steady_bloch
from qc_reset.workflows.figures import FIGURE_PARAMS, make_figures


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
    from qc_reset.workflows.figures import CIRCUIT

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


@pytest.fixture(scope="module")
def two_ways(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Path], list[Path]]:
    """Figs. 2 and transient (the cheapest two) written by one process and by two worker processes."""
    seq, par = tmp_path_factory.mktemp("seq"), tmp_path_factory.mktemp("par")
    files_seq = make_figures(seq, ["transient", "2"], circuit=False, verbose=False, jobs=1)
    files_par = make_figures(par, ["transient", "2"], circuit=False, verbose=False, jobs=2)
    return seq, par, files_seq, files_par


def test_parallel_figures_equal_sequential(two_ways: tuple[Path, Path, list[Path], list[Path]]) -> None:
    seq, par, files_seq, files_par = two_ways
    assert [f.relative_to(seq) for f in files_seq] == [f.relative_to(par) for f in files_par]
    assert [f.name for f in files_seq] == ["transient.png", "transient.pdf", "transient.csv", "fig2.png",
                                           "fig2.pdf", "fig2.csv"]
    for f in files_seq:
        assert f.exists() and (par / f.name).exists()
        if f.suffix == ".csv":
            assert f.read_bytes() == (par / f.name).read_bytes()


@pytest.mark.parametrize("jobs", [0, -1, 1.5, "2", True])
def test_jobs_validation(tmp_path: Path, jobs: object) -> None:
    with pytest.raises(ValueError, match=r"^jobs must be a whole number in \[1, "):
        make_figures(tmp_path, ["7"], circuit=False, verbose=False, jobs=jobs)  # type: ignore[arg-type]


#: The transient series against an independent trajectory: powers of one propagator, SciPy's
#: (Pade) expm of the complex 16x16 Liouvillian over the grid step (no eigenbasis), applied 800
#: times (rounding grows to ~1e-13); the CSV keeps 12 significant digits, so 1e-10 on values ~1.
TRANSIENT_CSV_TOL = 1e-10


def test_transient_series_match_expm(two_ways: tuple[Path, Path, list[Path], list[Path]]) -> None:
    import scipy.linalg

    from qc_reset.model import Params

    _, series = _read(two_ways[0] / "transient.csv")
    P = FIGURE_PARAMS["transient"]
    t = np.linspace(0.0, 40.0, 801)

    def l1_norm_of_trajectory(T1: float) -> np.ndarray:
        pt = Params(g=P["g"], p1=P["p1"], p2=P["p2"], T1=T1, T2=P["T2"])
        step = scipy.linalg.expm(pt.liouvillian() * (t[1] - t[0]))
        vecs = [np.kron(pt.tau1(), pt.tau2()).reshape(16)]
        for _ in t[1:]:
            vecs.append(step @ vecs[-1])
        rho = np.array(vecs).reshape(-1, 2, 2, 2, 2)
        rho1 = np.einsum("tabcb->tac", rho)
        r = np.stack([2 * rho1[:, 0, 1].real, -2 * rho1[:, 0, 1].imag, (rho1[:, 0, 0] - rho1[:, 1, 1]).real], -1)
        return np.abs(r).sum(-1)

    for T1 in (0.1, 0.3):
        xy = np.array([(x, y) for x, y, _ in series[f"l1_norm_T1={T1}"]])
        np.testing.assert_allclose(xy[:, 0], t, atol=TRANSIENT_CSV_TOL, rtol=0)
        np.testing.assert_allclose(xy[:, 1], l1_norm_of_trajectory(T1), atol=TRANSIENT_CSV_TOL, rtol=0)
    peaks = {x: y for x, y, _ in series["peak_l1_norm_vs_T1"]}
    for T1 in (min(peaks), max(peaks)):
        assert peaks[T1] == pytest.approx(l1_norm_of_trajectory(T1).max(), abs=TRANSIENT_CSV_TOL)


def test_worker_error_reaches_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure failing in a worker process raises the same error type and message here."""
    import multiprocessing

    from qc_reset._checks import InputError
    from qc_reset.workflows import figures

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the patched builder reaches the workers only through fork")

    def broken(axes: object, circuit: bool) -> figures.SeriesLog:
        raise InputError("broken figure")

    monkeypatch.setitem(figures.FIGURES, "7", broken)
    with pytest.raises(InputError, match="^broken figure$"):
        make_figures(tmp_path, ["7", "transient"], circuit=False, verbose=False, jobs=2)
