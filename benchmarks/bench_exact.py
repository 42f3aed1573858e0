"""Benchmark of the exact core: steady states per point, side by side in one run.

Measures (best of ``--repeats``, ``time.perf_counter``):

(a) ``qc_reset.steady_state`` batched over ``--n`` random parameter points (6x6 resolvent path);
(b) baseline: plain batched ``np.linalg.solve`` of the 16x16 complex Liouvillian systems for the
    same points (Liouvillians built vectorized here, one row replaced by the trace condition);
(c) ``qutip.steadystate`` per call (default direct method and ``method="svd"``) on
    ``--n-qutip`` points, with H and the Lindblad jump operators built beforehand;
(d) ``qc_reset.steady_bloch`` alone (qubit 1's Bloch vector, no 4x4 state);
(e) if ``qc_reset.critical.critical_temperature`` exists: exact T_crit for 50 values of p.

All results are checked against each other (max deviation printed) before timing is reported.

    python benchmarks/bench_exact.py [--n 100000] [--n-qutip 20] [--repeats 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import importlib
import math
import platform
import warnings
from typing import Any

import numpy as np
from _timing import best_of

import qc_reset
from qc_reset import measures

_I2 = np.eye(2)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_N1 = np.diag([0.0, 1.0]).astype(complex)


def _commutator(H: np.ndarray) -> np.ndarray:
    """-i[H, .] on the row-major vectorization: vec(A rho B) = kron(A, B.T) vec(rho)."""
    return -1j * (np.kron(H, np.eye(4)) - np.kron(np.eye(4), H.T))


def _replace(tau: np.ndarray, qubit: int) -> np.ndarray:
    """rho -> tau (x) Tr_1 rho (qubit 1) or Tr_2 rho (x) tau (qubit 2), as a 16x16 matrix."""
    d = np.eye(2)
    if qubit == 1:  # out[a b, c d] = tau[a, c] sum_e rho[e b, e d]
        S = np.einsum("ac,ef,bg,dh->abcdegfh", tau, d, d, d)
    else:  # out[a b, c d] = sum_e rho[a e, c e] tau[b, d]
        S = np.einsum("ae,cg,fh,bd->abcdefgh", d, d, d, tau)
    return S.reshape(16, 16)


def liouvillian_basis() -> np.ndarray:
    """B_i with L = B0 + g B1 + p1 (B2 + z1 B3) + p2 (B4 + x2 B5); shape (6, 16, 16)."""
    exchange = np.zeros((4, 4), dtype=complex)
    exchange[1, 2] = exchange[2, 1] = 1.0
    H0 = 0.5 * (np.kron(_N1, _I2) + np.kron(_I2, _N1))
    eye = np.eye(16)
    return np.array(
        [
            _commutator(H0),
            _commutator(exchange),
            _replace(_I2 / 2, 1) - eye,
            _replace(_Z / 2, 1),
            _replace(_I2 / 2, 2) - eye,
            _replace(_X / 2, 2),
        ]
    )


_BASIS = liouvillian_basis().reshape(6, 256)
_VEC_I = np.eye(4).reshape(16)


def baseline_solve(g: np.ndarray, p1: np.ndarray, p2: np.ndarray, T1: np.ndarray, T2: np.ndarray) -> np.ndarray:
    """Steady states from batched 16x16 complex solves with row 0 replaced by Tr rho = 1."""
    z1 = np.tanh(0.5 / T1)  # the sample has 0 < T < inf
    x2 = np.tanh(0.5 / T2)
    coef = np.stack([np.ones_like(g), g, p1, p1 * z1, p2, p2 * x2], axis=-1).astype(complex)
    L = (coef @ _BASIS).reshape(-1, 16, 16)
    L[:, 0, :] = _VEC_I
    b = np.zeros((g.size, 16, 1), dtype=complex)
    b[:, 0, 0] = 1.0
    return np.linalg.solve(L, b)[:, :, 0].reshape(-1, 4, 4)


def qutip_model(qutip: Any, g: float, p1: float, p2: float, T1: float, T2: float) -> tuple[Any, list[Any]]:
    """H and jump operators sqrt(p lambda_k) |k><j| (x) I in each bath state's eigenbasis."""
    eye, sm = qutip.qeye(2), qutip.destroy(2)
    H = 0.5 * qutip.tensor(qutip.num(2), eye) + 0.5 * qutip.tensor(eye, qutip.num(2))
    H += g * (qutip.tensor(sm, sm.dag()) + qutip.tensor(sm.dag(), sm))
    zb = [qutip.basis(2, 0), qutip.basis(2, 1)]
    xb = [(zb[0] + zb[1]).unit(), (zb[0] - zb[1]).unit()]
    c_ops = []
    for p, T, basis, first in ((p1, T1, zb, True), (p2, T2, xb, False)):
        w = math.exp(-1.0 / T)
        for k, lam in enumerate((1 / (1 + w), w / (1 + w))):
            for j in range(2):
                op = math.sqrt(p * lam) * basis[k] * basis[j].dag()
                c_ops.append(qutip.tensor(op, eye) if first else qutip.tensor(eye, op))
    return H, c_ops




def sample(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    g = rng.uniform(-2.0, 2.0, n)
    p1, p2 = 10 ** rng.uniform(-1.3, 0.7, (2, n))
    T1, T2 = 10 ** rng.uniform(-1.5, 1.5, (2, n))
    return g, p1, p2, T1, T2


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="points for the batched methods")
    ap.add_argument("--n-qutip", type=int, default=20, help="points for the per-call QuTiP solvers")
    ap.add_argument("--repeats", type=int, default=5, help="timing repeats (best is reported)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    with warnings.catch_warnings():  # qutip warns at import when matplotlib is absent
        warnings.simplefilter("ignore")
        import qutip

    pts = sample(args.n, args.seed)
    rows: list[tuple[str, float]] = []

    t_ss, rho = best_of(lambda: qc_reset.steady_state(*pts), args.repeats)
    t_base, rho_base = best_of(lambda: baseline_solve(*pts), args.repeats)
    t_bloch, r = best_of(lambda: qc_reset.steady_bloch(*pts), args.repeats)
    dev_base = float(np.abs(rho - rho_base).max())
    dev_bloch = float(np.abs(r - measures.bloch_vector(rho)).max())
    assert dev_base < 1e-10, f"steady_state vs 16x16 solve: {dev_base:.2e}"
    assert dev_bloch < 1e-10, f"steady_bloch vs bloch_vector(steady_state): {dev_bloch:.2e}"

    nq = min(args.n_qutip, args.n)
    models = [qutip_model(qutip, *(float(a[i]) for a in pts)) for i in range(nq)]
    dev_qutip = 0.0
    t_qutip = {}
    for method in ("direct", "svd"):
        t, out = best_of(lambda m=method: [qutip.steadystate(H, c, method=m) for H, c in models], args.repeats)
        t_qutip[method] = t / nq
        dev_qutip = max(dev_qutip, max(float(np.abs(o.full() - rho[i]).max()) for i, o in enumerate(out)))
    assert dev_qutip < 1e-10, f"qutip vs steady_state: {dev_qutip:.2e}"

    base_us = 1e6 * t_base / args.n
    rows = [
        ("qc_reset.steady_state (6x6 resolvent, batched)", 1e6 * t_ss / args.n),
        ("np.linalg.solve, 16x16 complex L (batched)", base_us),
        ("qc_reset.steady_bloch (batched)", 1e6 * t_bloch / args.n),
        ('qutip.steadystate (default "direct", per call)', 1e6 * t_qutip["direct"]),
        ('qutip.steadystate (method="svd", per call)', 1e6 * t_qutip["svd"]),
    ]
    print(
        f"numpy {np.__version__}, qutip {qutip.__version__}, Python {platform.python_version()}, "
        f"best of {args.repeats}; batched n = {args.n}, qutip n = {nq}"
    )
    print(f"{'method':<50}{'us/point':>12}{'vs solve':>11}")
    for name, us in rows:
        print(f"{name:<50}{us:>12.3f}{us / base_us:>11.3f}")
    print(
        f"max |diff|: steady_state vs 16x16 solve {dev_base:.1e}, vs qutip {dev_qutip:.1e}; "
        f"steady_bloch vs bloch_vector(steady_state) {dev_bloch:.1e}"
    )

    try:
        critical = importlib.import_module("qc_reset.critical")
        critical_temperature = critical.critical_temperature
    except (ImportError, AttributeError):
        return 0
    p = np.geomspace(0.02, 2.0, 50)
    T2 = 0.02
    t_tc, (T_c, _) = best_of(lambda: critical_temperature(p, p, T2, method="exact"), args.repeats)
    n_magic = int(np.isfinite(T_c).sum())
    print(
        f"exact T_crit for 50 values of p (p1 = p2 = p in [0.02, 2], T2 = {T2}): "
        f"{t_tc * 1e3:.1f} ms total, {t_tc * 1e3 / 50:.2f} ms per value ({n_magic} with magic); "
        "brute-force comparison: benchmarks/bench_critical.py"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
