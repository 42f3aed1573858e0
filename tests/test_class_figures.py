"""The ``classes`` figure and the distillable T_crit curves of Figs. 5-7: CSV against independent computations."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from qc_reset.cli import main
from qc_reset.model.magic import T_THRESHOLD_L1, critical_temperature_class
from qc_reset.model.steady import steady_state
from qc_reset.workflows.figures import FIGURE_PARAMS, FIGURES

#: The figure's batched golden-section search and the scalar Brent search find the same maximum
#: of a function flat at its top: T_crit agrees to ~1e-12 (measured 1e-15); 1e-9 leaves margin.
SEARCH_RTOL = 1e-9


def _read(path: Path) -> dict[str, list[tuple[float, float]]]:
    lines = [x for x in path.read_text().splitlines() if not x.startswith("#")]
    out: dict[str, list[tuple[float, float]]] = {}
    for row in csv.DictReader(lines):
        out.setdefault(row["series"], []).append((float(row["x"]), float(row["y"])))
    return out


def _class_from_rho(g: float, T1: float, p1: float, p2: float, T2: float) -> int:
    rho = steady_state(g, p1, p2, T1, T2)
    r = np.array([2 * rho[:2, 2:].trace().real, 2 * rho[:2, 2:].trace().imag * -1,
                  (rho[:2, :2].trace() - rho[2:, 2:].trace()).real])  # qubit 1 first: blocks of qubit 1
    a = np.abs(r)
    if a.sum() > T_THRESHOLD_L1 or a.sum() - a.min() > 1:
        return 2
    return 1 if a.sum() > 1 else 0


@pytest.fixture(scope="module")
def fig_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classfigs")
    assert main(["figures", "--out", str(out), "--only", "classes,7", "--no-circuit"]) == 0
    return out


def test_classes_registered_and_files(fig_dir: Path) -> None:
    assert "classes" in FIGURES
    for ext in ("png", "pdf", "csv"):
        assert (fig_dir / f"classes.{ext}").stat().st_size > 1000


def test_class_map_rows_against_the_steady_state(fig_dir: Path) -> None:
    P = FIGURE_PARAMS["classes"]
    s = _read(fig_dir / "classes.csv")
    for T1 in (0.05, 0.15, 0.2):
        row = s[f"class_code_T1={T1}_vs_g"]
        for g, code in row[::37]:
            assert code == _class_from_rho(g, T1, P["p1"], P["p2"], P["T2"]), (g, T1)
    assert {0.0, 1.0, 2.0} <= {c for _, c in s["class_code_T1=0.05_vs_g"]}  # the three classes appear


def test_class_boundaries_are_the_class_edges(fig_dir: Path) -> None:
    P = FIGURE_PARAMS["classes"]
    s = _read(fig_dir / "classes.csv")
    for target, code in (("magic", 1), ("distillable", 2)):
        pts = [(g, T) for g, T in s[f"boundary_{target}_vs_g"] if np.isfinite(T) and T > 0.02]
        assert len(pts) > 20
        for g, T in pts[:: max(1, len(pts) // 6)]:
            assert _class_from_rho(g, T * (1 - 1e-6), P["p1"], P["p2"], P["T2"]) >= code
            assert _class_from_rho(g, T * (1 + 1e-6), P["p1"], P["p2"], P["T2"]) < code


def test_distillable_tcrit_curve_in_fig7(fig_dir: Path) -> None:
    P = FIGURE_PARAMS["7"]
    s = _read(fig_dir / "fig7.csv")
    for tag, T2 in (("low_T2", P["T2_low"]), ("high_T2", P["T2_high"])):
        pts = s[f"tcrit_distillable_vs_mu_{tag}"]
        assert len(pts) == len(s[f"tcrit_exact_vs_mu_{tag}"])
        for mu, T in pts[3::40]:
            T_ref, _ = critical_temperature_class(P["p1"], mu * P["p1"], T2, target="distillable")
            assert (np.isnan(T) and np.isnan(T_ref)) or abs(T - T_ref) <= SEARCH_RTOL * T_ref, (tag, mu, T, T_ref)
        exact = dict(s[f"tcrit_exact_vs_mu_{tag}"])
        assert all(T <= exact[mu] for mu, T in pts if np.isfinite(T))  # distillable needs more than magic
