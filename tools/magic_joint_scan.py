"""Scan of the joint steady state: qubit-1 magic against two-qubit robustness of magic.

Run from the repository root: ``python -m tools.magic_joint_scan``. Prints the largest excess
R(rho_12) - R(rho_1), whether any point has no magic on qubit 1 (||r||_1 <= 1) but R > 1, and
whether that magic is qubit 2's own or held only jointly (no magic on either qubit).
"""

from __future__ import annotations

import itertools

import numpy as np

from qc_reset.model.joint import concurrence, robustness_two_qubit
from qc_reset.model.measures import bloch_vector, l1_norm, reduced_state
from qc_reset.model.steady import steady_state

#: Excess of R over 1 counted as two-qubit magic: far above the LP tolerance (1e-10).
MAGIC_EXCESS = 1e-8

G = [0.01, 0.03, 0.06, 0.1, 0.2, 0.3, 0.45, 0.5, 0.7, 1.0]
P = [0.01, 0.05, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0]
T1 = [0.0, 0.3, 1.0, 3.0]
T2 = [0.0, 0.3, 1.0]


def main() -> None:
    pts = np.array(list(itertools.product(G, P, P, T1, T2)))
    rho = steady_state(*pts.T)
    R1 = np.maximum(1.0, l1_norm(bloch_vector(rho)))
    R2 = np.maximum(1.0, l1_norm(bloch_vector(reduced_state(rho, 2))))
    R12 = robustness_two_qubit(rho)
    C = concurrence(rho)
    print(f"points: {len(pts)}; min R12 - R1 = {np.min(R12 - R1):.2e} (>= 0: monotonicity)")
    i = int(np.argmax(R12 - R1))
    print(f"largest R12 - R1 = {R12[i] - R1[i]:.6f} at (g, p1, p2, T1, T2) = {tuple(map(float, pts[i]))}: "
          f"R1 = {R1[i]:.6f}, R12 = {R12[i]:.6f}, C = {C[i]:.4f}")
    hidden = (R1 == 1.0) & (R12 > 1.0 + MAGIC_EXCESS)
    print(f"points with ||r||_1 <= 1 but R12 > 1: {int(hidden.sum())} of {int((R1 == 1.0).sum())}")
    if hidden.any():
        j = int(np.flatnonzero(hidden)[np.argmax(R12[hidden])])
        print(f"  largest such R12 = {R12[j]:.6f} at {tuple(map(float, pts[j]))}, ||r||_1 = "
              f"{float(l1_norm(bloch_vector(rho[j]))):.6f}, C = {C[j]:.4f}")
    print(f"  of these, qubit 2 has magic at {int((hidden & (R2 > 1.0)).sum())}; largest R12 - max(R1, R2) = "
          f"{np.max(R12 - np.maximum(R1, R2)):.6f}")
    joint_only = hidden & (R2 == 1.0)
    print(f"points with no magic on either qubit but R12 > 1: {int(joint_only.sum())}")
    if joint_only.any():
        j = int(np.flatnonzero(joint_only)[np.argmax(R12[joint_only])])
        print(f"  largest such R12 = {R12[j]:.6f} at {tuple(map(float, pts[j]))}, C = {C[j]:.4f}")
    both = R1 > 1.0
    k = int(np.argmax(np.where(both, R12 / R1, 0)))
    print(f"largest ratio R12 / R1 with qubit-1 magic: {R12[k] / R1[k]:.6f} at {tuple(map(float, pts[k]))}")
    j = int(np.argmax(R12))
    print(f"largest R12 on the scan: {R12[j]:.6f} at {tuple(map(float, pts[j]))} (R1 = {R1[j]:.6f})")


if __name__ == "__main__":
    main()
