"""Package hygiene: the public top level, and light imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import qc_reset


def test_design_entry_points_at_top_level() -> None:
    rho = qc_reset.steady_state(np.array([0.05, 0.06]), 0.3, 0.3, 0.1, 0.02)
    assert rho.shape == (2, 4, 4)
    T, g = qc_reset.critical_temperature(0.3, 0.3, 0.02, method="exact")
    Tp, gp = qc_reset.critical_temperature(0.3, 0.3, 0.02, method="perturbative")
    assert 0 < Tp < T < 1 and g > 0 and gp > 0  # p = 0.3: perturbative 0.8 % low (docs/comparison.md)


def test_core_import_loads_no_heavy_optional_packages() -> None:
    """The exact core must not pull in Qiskit, Aer, matplotlib, Dask or QuTiP at import time."""
    code = ("import sys, qc_reset, qc_reset.critical, qc_reset.perturbative, qc_reset.sweep, qc_reset.cli; "
            "heavy = [m for m in ('qiskit', 'qiskit_aer', 'matplotlib', 'dask', 'qutip') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == ""
