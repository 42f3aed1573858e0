r"""Collision circuits of N-site chains: builders only (running is in :mod:`qc_reset.run.chain`).

One Trotter step follows :func:`qc_reset.model.chain.trotter.step_layers` layer by layer: free phases
``p(-omega_i h/2)`` on every site, the partial SWAPs :math:`e^{-i g_i h (XX+YY)/2}` of the even bonds, then
of the odd bonds, and the reset channel of every bath site with :math:`q_i = 1 - e^{-p_i dt}`; Lie-Trotter
(first order) or Strang (second order, the layers mirrored around the resets). The splitting error of the
fixed point is :math:`O(dt)` or :math:`O(dt^2)`.

Realizations of the resets (as in :mod:`qc_reset.circuits.collision`):

* ``"kraus"``: one ``Kraus`` instruction per bath site (Aer's density-matrix method; no ancillas).
* ``"dilated"``: standard gates and ``reset`` only. **One pair of ancillas serves every bath in turn**:
  for each bath site a "which" control ``ry(theta_q)``, a bath ancilla ``ry(theta_tau)`` dephased by a CNOT
  into the control (then reset), ``h`` for a spin bath, a controlled swap into the site (``cx . ccx . cx``)
  and ``reset`` of both ancillas, which leaves them in :math:`|00\rangle` for the next bath. The circuit has
  N + 2 qubits however many baths the chain has.

**Qubit mapping.** Site :math:`i` of an N-site chain is Qiskit qubit :math:`N-1-i` (:func:`chain_qubits`);
the ancillas are qubits N and N + 1. Qiskit is little-endian, so the system density matrix of qubits
``0..N-1`` is then ``kron(rho_0, rho_1, ...)``, site 0 first, as in :mod:`qc_reset.model.chain`; for two
sites this is the two-qubit mapping :data:`qc_reset.circuits.parameters.PAPER_TO_QISKIT`. Saved states:
``"pair_i"`` is the reduced state of sites ``(i, i+1)`` (4x4, site i first), ``"rho"`` the whole system.
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.quantum_info import Kraus

from .._checks import InputError
from .._checks import steps as check_steps
from ..model.chain.spec import Chain
from ..model.chain.trotter import Layer, bath_state, chain_initial_state, reset_probability, step_layers
from ..model.channels import reset_kraus
from .designs import dilated_reset, exchange
from .parameters import EXCHANGE_GATES, bath_angle, reset_angle, validate_dt, validate_order, validate_realization

__all__ = ["chain_qubits", "chain_ancillas", "chain_num_qubits", "pair_label", "chain_step_circuit",
           "chain_initial_circuit", "chain_trotter_circuit", "add_chain_saves"]


def chain_qubits(n: int) -> tuple[int, ...]:
    """Qiskit qubit of each site of an n-site chain: site i on qubit n - 1 - i (site 0 most significant)."""
    return tuple(n - 1 - i for i in range(n))


def chain_ancillas(n: int) -> tuple[int, int]:
    """The dilated realization's two shared ancillas (the "which" control, the bath qubit): qubits n, n + 1."""
    return (n, n + 1)


def chain_num_qubits(n: int, realization: str) -> int:
    """Qubits of an n-site chain circuit: n (``kraus``) or n + 2 (``dilated``)."""
    return n + 2 if validate_realization(realization) == "dilated" else n


def pair_label(i: int) -> str:
    """Save label of the reduced state of sites (i, i + 1)."""
    return f"pair_{i}"


def _append_layer(qc: QuantumCircuit, chain: Chain, layer: Layer, realization: str, gate: str) -> None:
    qubits = chain_qubits(chain.n)
    if layer.kind == "free":
        for i in layer.sites:
            qc.p(-chain.sites[i].omega * layer.dt / 2, qubits[i])
    elif layer.kind == "bonds":
        for i in layer.sites:
            exchange(qc, qubits[i], qubits[i + 1], chain.g[i] * layer.dt, gate)
    else:
        for i in layer.sites:
            site = chain.sites[i]
            if realization == "dilated":
                dilated_reset(qc, qubits[i], float(reset_angle(site.p, layer.dt)), float(bath_angle(site.T)),
                              x_basis=site.bath == "spin", ancillas=chain_ancillas(chain.n))
            else:
                q = reset_probability(chain, i, layer.dt)
                qc.append(Kraus(reset_kraus(bath_state(chain, i), q)), [qubits[i]])


def chain_step_circuit(chain: Chain, dt: float, *, order: int = 2, realization: str = "kraus",
                       exchange_gate: str | None = None) -> QuantumCircuit:
    """One Trotter step of ``chain`` on N (``kraus``) or N + 2 (``dilated``) qubits.

    Its channel on the sites (ancillas from :math:`|00\\rangle`, traced out) is
    :func:`qc_reset.model.chain.trotter.chain_step_superop`.

    Args:
        chain: the chain.
        dt: step length (> 0).
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"kraus"`` or ``"dilated"``.
        exchange_gate: ``"rxx_ryy"`` (default for kraus), ``"cnot2"`` (default for dilated) or
            ``"xx_plus_yy"`` (must be transpiled for Aer).
    """
    chain = Chain.require(chain)
    validate_dt(dt)
    realization = validate_realization(realization)
    order = validate_order(order)
    gate = exchange_gate or ("cnot2" if realization == "dilated" else "rxx_ryy")
    if gate not in EXCHANGE_GATES:
        raise InputError(f"exchange_gate must be one of {', '.join(EXCHANGE_GATES)}; got {gate!r}")
    qc = QuantumCircuit(chain_num_qubits(chain.n, realization), name=f"chain{chain.n}_trotter{order}_step")
    for layer in step_layers(chain, float(dt), order):
        _append_layer(qc, chain, layer, realization, gate)
    return qc


def chain_initial_circuit(chain: Chain, *, realization: str = "kraus") -> QuantumCircuit:
    r"""Prepares :func:`~qc_reset.model.chain.trotter.chain_initial_state` from :math:`|0\ldots0\rangle`:
    :math:`\tau_i` on bath sites, :math:`|0\rangle` elsewhere (``kraus``: a replace Kraus channel per bath
    site; ``dilated``: ``ry`` and a CNOT into an ancilla that is reset, ``h`` for a spin bath)."""
    chain = Chain.require(chain)
    realization = validate_realization(realization)
    n = chain.n
    qubits = chain_qubits(n)
    qc = QuantumCircuit(chain_num_qubits(n, realization), name="prepare")
    states = chain_initial_state(chain)
    for i, site in enumerate(chain.sites):
        if site.bath == "none":
            continue
        if realization == "kraus":
            qc.append(Kraus(reset_kraus(states[i], 1.0)), [qubits[i]])
        else:
            anc = chain_ancillas(n)[0]
            qc.ry(float(bath_angle(site.T)), qubits[i])
            qc.cx(qubits[i], anc)
            qc.reset(anc)
            if site.bath == "spin":
                qc.h(qubits[i])
    return qc


def add_chain_saves(qc: QuantumCircuit, n: int, *, pairs: bool = True, full: bool = False, suffix: str = "") -> None:
    """Append Aer saves: each neighbouring pair's reduced state (``pair_i``) and/or the system (``rho``).

    ``save_density_matrix(qubits)`` is little-endian in ``qubits``, so listing site i + 1's qubit first makes
    the saved 4x4 matrix ``kron``-ordered with site i first.
    """
    import qiskit_aer  # noqa: F401  (lazy, heavy: registers QuantumCircuit.save_density_matrix)

    qubits = chain_qubits(n)
    if pairs:
        for i in range(n - 1):
            qc.save_density_matrix([qubits[i + 1], qubits[i]], label=pair_label(i) + suffix)
    if full:
        qc.save_density_matrix(list(range(n)), label="rho" + suffix)


def chain_trotter_circuit(chain: Chain, dt: float, steps: int = 1, *, order: int = 2, realization: str = "kraus",
                          exchange_gate: str | None = None, prepare: bool = True, pairs: bool = True,
                          full: bool = False) -> QuantumCircuit:
    """``prepare`` the initial state, then ``steps`` Trotter steps, then the saves of :func:`add_chain_saves`.

    With ``prepare=False`` the circuit starts from whatever state it is given (the runner prepends an Aer
    ``SetDensityMatrix`` to continue a run); with neither saves it is a plain circuit for export.
    """
    chain = Chain.require(chain)
    n_steps = check_steps(steps, allow_auto=False)
    assert isinstance(n_steps, int)
    step = chain_step_circuit(chain, dt, order=order, realization=realization, exchange_gate=exchange_gate)
    qc = (chain_initial_circuit(chain, realization=realization) if prepare
          else QuantumCircuit(step.num_qubits))
    qc.name = f"chain{chain.n}_trotter{order}_{realization}_{n_steps}"
    for _ in range(n_steps):
        qc.compose(step, inplace=True)
    if pairs or full:
        add_chain_saves(qc, chain.n, pairs=pairs, full=full)
    qc.metadata = {"sites": chain.n, "order": order, "realization": realization, "steps": n_steps}
    return qc
