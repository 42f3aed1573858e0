"""Chain collision circuits: the step against an independent dense Liouvillian, the two-site chain against the
two-qubit circuits, Aer runs against the exact step channel, the size guards and the MPS empty-result guard."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla
from qiskit.quantum_info import SuperOp

from qc_reset._checks import InputError
from qc_reset.circuits.chain import chain_qubits, chain_step_circuit, chain_trotter_circuit
from qc_reset.model import measures
from qc_reset.model.chain.spec import Chain, Site
from qc_reset.model.chain.trotter import chain_step_superop, step_layers
from qc_reset.model.channels import fixed_point, from_qiskit_superop
from qc_reset.model.params import Params
from qc_reset.run.chain import ChainRunError, chain_circuit_steady, require_saved
from qc_reset.run.chain_trajectories import chain_trajectories
from qc_reset.run.simulator import simulate

#: Exact linear algebra on matrices of size <= 1024: rounding of a few hundred products.
EXACT_TOL = 1e-12
#: Aer's density-matrix run against numpy's S^n: ~1e-14 per step, a few hundred steps.
AER_TOL = 1e-11
#: Trajectory means against the density-matrix run, in standard errors (3N components; 4.5 sigma keeps
#: the family-wise false-alarm rate below 1e-4 with fixed seeds anyway).
Z_SHOTS = 4.5

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_SM = np.array([[0, 1], [0, 0]], dtype=complex)  # |0><1|


def _op(single: np.ndarray, i: int, n: int) -> np.ndarray:
    return np.kron(np.kron(np.eye(2**i), single), np.eye(2 ** (n - i - 1)))


def _liouvillian(chain: Chain) -> np.ndarray:
    """Dense Lindblad generator written from the master equation (row-major vec, site 0 first)."""
    n, d = chain.n, 2**chain.n
    H = sum(0.5 * s.omega * _op(np.diag([0.0, 1.0]), i, n) for i, s in enumerate(chain.sites))
    for i, g in enumerate(chain.g):
        hop = _op(_SM, i, n) @ _op(_SM.conj().T, i + 1, n)
        H = H + g * (hop + hop.conj().T)
    L = -1j * (np.kron(H, np.eye(d)) - np.kron(np.eye(d), H.T))
    for i, s in enumerate(chain.sites):
        if s.bath == "none":
            continue
        x = np.tanh(0.5 / s.T) if s.T > 0 else 1.0
        tau = 0.5 * (np.eye(2) + x * (_Z if s.bath == "heat" else _X))
        R = np.zeros((d * d, d * d), dtype=complex)
        for k in range(d * d):
            e = np.zeros(d * d, dtype=complex)
            e[k] = 1
            t = e.reshape((2,) * (2 * n))
            reduced = np.trace(t, axis1=i, axis2=n + i)  # Tr_i, the other indices in order
            out = np.multiply.outer(reduced, tau)  # indices: rows\i, cols\i, a, b
            out = np.moveaxis(out, (2 * n - 2, 2 * n - 1), (i, n + i))
            R[:, k] = out.reshape(-1)
        L = L + s.p * (R - np.eye(d * d))
    return L


def _steady(L: np.ndarray) -> np.ndarray:
    d = int(round(np.sqrt(L.shape[0])))
    _, _, vh = np.linalg.svd(L)
    rho = vh[-1].conj().reshape(d, d)
    return rho / np.trace(rho)


def _site_blochs(rho: np.ndarray, n: int) -> np.ndarray:
    out = []
    for i in range(n):
        r1 = rho.reshape((2,) * (2 * n))
        for j in reversed([k for k in range(n) if k != i]):
            r1 = np.trace(r1, axis1=j, axis2=j + r1.ndim // 2)
        out.append([np.trace(r1 @ P).real for P in (_X, _Y, _Z)])
    return np.array(out)


CHAIN3 = Chain((Site("heat", 0.4, 0.2), Site(omega=1.2), Site("spin", 0.7, 0.5)), (0.3, -0.2))
CHAIN4 = Chain((Site("heat", 0.5, 0.1), Site(), Site("spin", 0.6, 0.3), Site("heat", 0.3, 1.0)), (0.4, 0.25, 0.3))


def _circuit_channel(qc, n: int) -> np.ndarray:
    """Channel of a circuit on the n sites (ancillas from |0>, traced out), package convention."""
    S = np.asarray(SuperOp(qc).data)
    ds, na = 2**n, 2 ** (qc.num_qubits - n)
    T = S.reshape(na, ds, na, ds, na, ds, na, ds)[:, :, :, :, 0, :, 0, :]
    return from_qiskit_superop(np.einsum("aiajkl->ijkl", T).reshape(ds * ds, ds * ds))


@pytest.mark.parametrize("realization", ["kraus", "dilated"])
@pytest.mark.parametrize("order", [1, 2])
def test_step_circuit_is_the_step_channel(realization: str, order: int) -> None:
    qc = chain_step_circuit(CHAIN3, 0.2, order=order, realization=realization)
    assert qc.num_qubits == (3 if realization == "kraus" else 5)  # one ancilla pair for both baths
    np.testing.assert_allclose(_circuit_channel(qc, 3), chain_step_superop(CHAIN3, 0.2, order), atol=EXACT_TOL)


@pytest.mark.parametrize("order, power", [(1, 2), (2, 3)])
def test_step_error_order_against_dense_liouvillian(order: int, power: int) -> None:
    """Local error ||S(dt) - exp(L dt)|| ~ dt^(order + 1): halving dt divides it by 2^(order+1)."""
    L = _liouvillian(CHAIN4)
    errs = [np.abs(chain_step_superop(CHAIN4, dt, order) - sla.expm(L * dt)).max() for dt in (0.04, 0.02)]
    assert errs[0] / errs[1] == pytest.approx(2**power, rel=0.1)


def test_fixed_point_error_order_against_dense_liouvillian() -> None:
    """The step's fixed point misses the steady state by O(dt) (Lie) and O(dt^2) (Strang)."""
    star = _site_blochs(_steady(_liouvillian(CHAIN3)), 3)
    for order, power in ((1, 1), (2, 2)):
        errs = [np.abs(_site_blochs(fixed_point(chain_step_superop(CHAIN3, dt, order)), 3) - star).max()
                for dt in (0.1, 0.05)]
        assert errs[0] / errs[1] == pytest.approx(2**power, rel=0.15)


def test_layers_even_then_odd_and_mirrored() -> None:
    kinds = [(la.kind, la.sites) for la in step_layers(CHAIN4, 0.1, 2)]
    assert kinds == [("free", (0, 1, 2, 3)), ("bonds", (0, 2)), ("bonds", (1,)), ("resets", (0, 2, 3)),
                     ("bonds", (1,)), ("bonds", (0, 2)), ("free", (0, 1, 2, 3))]
    assert chain_qubits(4) == (3, 2, 1, 0)


@pytest.mark.parametrize("realization", ["kraus", "dilated"])
@pytest.mark.parametrize("order", [1, 2])
def test_two_site_chain_equals_two_qubit_circuit(realization: str, order: int) -> None:
    params = Params(g=0.3, p1=0.4, p2=0.7, T1=0.2, T2=0.5)
    res = chain_circuit_steady(Chain.from_params(params), dt=0.1, order=order, realization=realization, steps=150)
    ref = simulate(params, 0.1, steps=150, order=order, realization=realization, route="gates")
    q2 = measures.bloch_vector(measures.reduced_state(ref.rho, 2))
    np.testing.assert_allclose(res.blochs, np.array([ref.bloch, q2]), atol=EXACT_TOL)
    assert res.concurrence is not None
    assert res.concurrence[0] == pytest.approx(float(np.asarray(_concurrence(ref.rho))), abs=EXACT_TOL)
    assert res.details["steps"] == 150  # two chunks of CHUNK_STEPS = 100 and 50: continuation is exact


def _concurrence(rho: np.ndarray) -> float:
    """Wootters' formula, written out here."""
    yy = np.kron(_Y, _Y)
    ev = np.sort(np.sqrt(np.clip(np.linalg.eigvals(rho @ yy @ rho.conj() @ yy).real, 0, None)))[::-1]
    return max(0.0, ev[0] - ev[1] - ev[2] - ev[3])


@pytest.mark.parametrize("realization", ["kraus", "dilated"])
def test_run_matches_power_of_the_step_channel(realization: str) -> None:
    n_steps = 130
    S = chain_step_superop(CHAIN3, 0.15, 2)
    rho0 = np.kron(np.kron(0.5 * (np.eye(2) + np.tanh(2.5) * _Z), np.diag([1.0, 0.0])),
                   0.5 * (np.eye(2) + np.tanh(1.0) * _X))
    rho = (np.linalg.matrix_power(S, n_steps) @ rho0.reshape(-1)).reshape(8, 8)
    res = chain_circuit_steady(CHAIN3, dt=0.15, realization=realization, steps=n_steps)
    np.testing.assert_allclose(res.blochs, _site_blochs(rho, 3), atol=AER_TOL)


def test_auto_steps_reach_the_fixed_point_and_trotter_error_is_stated() -> None:
    res = chain_circuit_steady(CHAIN4, dt=0.1, tol=1e-9)
    star = _site_blochs(fixed_point(chain_step_superop(CHAIN4, 0.1, 2)), 4)
    assert np.abs(res.blochs - star).max() <= 2e-9  # |dr| <= 2 D for each site
    assert res.details["convergence_error"] == pytest.approx(np.abs(res.blochs - star).max(), abs=1e-12)
    exact = _site_blochs(_steady(_liouvillian(CHAIN4)), 4)
    assert res.error == pytest.approx(np.abs(res.blochs - exact).max(), abs=1e-10)
    assert res.details["trotter_error"] == pytest.approx(np.abs(star - exact).max(), abs=1e-10)
    assert 1e-5 < res.details["trotter_error"] < 1e-2  # the O(dt^2) Trotter error, not convergence
    assert res.details["trotter_error_order"] == 2 and res.details["convergence"] == "spectral"
    alone = chain_circuit_steady(CHAIN4, dt=0.1, tol=1e-9, compare_exact=False)
    assert alone.error == alone.details["convergence_error"] and alone.details["trotter_error"] is None


def test_bloch_rule_lands_on_the_fixed_point() -> None:
    """The chunked Bloch-change rule (the default beyond four sites), checked where the fixed point is known."""
    res = chain_circuit_steady(CHAIN3, dt=0.2, tol=1e-8, rule="bloch")
    assert res.details["convergence"] == "bloch"
    star = _site_blochs(fixed_point(chain_step_superop(CHAIN3, 0.2, 2)), 3)
    assert np.abs(res.blochs - star).max() < 1e-7
    with pytest.raises(InputError, match="rule 'spectral' needs at most 4 sites"):
        chain_circuit_steady(Chain((Site("heat", 1.0, 0.2),) + (Site(),) * 4, 0.5), rule="spectral")


def test_two_site_auto_steps_equal_the_two_qubit_rule() -> None:
    params = Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.1)
    res = chain_circuit_steady(Chain.from_params(params), dt=0.1, tol=1e-9)
    assert res.details["steps"] == simulate(params, 0.1, tol=1e-9, route="power").steps


def test_guards_before_work() -> None:
    with pytest.raises(InputError, match="realization must be one of 'kraus', 'dilated'"):
        chain_circuit_steady(CHAIN3, realization="dynamic")
    big = Chain((Site("heat", 0.3, 0.1),) + (Site(),) * 13, 0.1)
    with pytest.raises(InputError, match="would need about .* above the limit"):
        chain_circuit_steady(big, steps=1)
    ten = Chain((Site("heat", 0.3, 0.1),) + (Site(),) * 9, 0.1)
    with pytest.raises(InputError, match="would take about .* s by the package's estimate"):
        chain_circuit_steady(ten, steps=100_000)
    with pytest.raises(InputError, match=r"tol must be a number in \[1e-12, 1\)"):
        chain_circuit_steady(CHAIN3, tol=0.0)
    with pytest.raises(InputError, match="chain must be a qc_reset.model.chain.Chain"):
        chain_circuit_steady({"sites": []})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="shots must be an integer >= 2"):
        chain_trajectories(CHAIN3, shots=1, steps=5)


class _EmptyResult:
    """What Aer's MPS method returned on large circuits: success, and no saved data."""

    success = True
    status = "COMPLETED"

    def __init__(self, data: dict[str, object]) -> None:
        self._data = data

    def data(self, experiment: int = 0) -> dict[str, object]:
        return self._data


def test_empty_result_guard() -> None:
    with pytest.raises(ChainRunError, match="reported success but returned no saved data"):
        require_saved(_EmptyResult({}), ["X0", "Y0"])
    with pytest.raises(ChainRunError, match="per-shot values"):
        require_saved(_EmptyResult({"X0": [1.0, -1.0]}), ["X0"], shots=3)
    failed = _EmptyResult({})
    failed.success = False  # type: ignore[misc]
    with pytest.raises(ChainRunError, match="Aer run failed"):
        require_saved(failed, ["X0"])
    assert require_saved(_EmptyResult({"X0": [1.0]}), ["X0"], shots=1) == {"X0": [1.0]}


def test_mps_trajectories_match_density_matrix_within_shot_noise() -> None:
    shots, n_steps = 400, 40
    traj = chain_trajectories(CHAIN3, dt=0.2, steps=n_steps, shots=shots, seed=11)
    dm = chain_circuit_steady(CHAIN3, dt=0.2, steps=n_steps)
    stderr = np.asarray(traj.details["stderr"])
    assert np.all(stderr > 0) and traj.details["shots"] == shots
    # per-shot Bloch components lie in [-1, 1], so the standard error of their mean is at most
    # sqrt((1 - mean^2) / (shots - 1)): an inflated stderr (which would make the z-test vacuous) fails here
    assert np.all(stderr <= np.sqrt((1 - traj.blochs**2) / (shots - 1)) + 1e-12)
    assert np.all(np.abs(traj.blochs - dm.blochs) <= Z_SHOTS * stderr + 1e-12)
    again = chain_trajectories(CHAIN3, dt=0.2, steps=n_steps, shots=shots, seed=11)
    np.testing.assert_array_equal(again.blochs, traj.blochs)  # seeded: reproducible


def test_export_circuit_without_saves() -> None:
    qc = chain_trotter_circuit(CHAIN3, 0.1, 2, pairs=False)
    assert "save_density_matrix" not in qc.count_ops()
    assert qc.metadata == {"sites": 3, "order": 2, "realization": "kraus", "steps": 2}
