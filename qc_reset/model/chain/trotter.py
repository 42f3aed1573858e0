r"""The Trotter step of an N-site collision chain: its layer sequence, and its exact superoperator for small N.

The generator splits into the free part, the even bonds, the odd bonds and the resets,

.. math::

    \mathcal L = \mathcal F + \mathcal E + \mathcal O + \mathcal R, \qquad
    \mathcal F = -i[\textstyle\sum_i \tfrac{\omega_i}{2}|1\rangle\langle1|_i, \cdot\,], \quad
    \mathcal E = -i[\textstyle\sum_{i\ \mathrm{even}} g_i X_{i,i+1}, \cdot\,], \quad
    \mathcal O = -i[\textstyle\sum_{i\ \mathrm{odd}} g_i X_{i,i+1}, \cdot\,],

with :math:`X_{i,i+1} = |01\rangle\langle10| + |10\rangle\langle01|` on bond :math:`(i, i+1)`. The bonds of
one parity act on disjoint pairs, so each of :math:`e^{\mathcal E t}`, :math:`e^{\mathcal O t}` is a product
of exact two-qubit partial SWAPs :math:`e^{-i g_i t (XX+YY)/2}`; the free part is a product of phases; the
resets of different sites commute, and each integrates exactly to
:math:`\rho\mapsto(1-q_i)\rho + q_i\,\tau_i\otimes\mathrm{Tr}_i\rho`, :math:`q_i = 1-e^{-p_i dt}`. The step is

.. math::

    S_1 = e^{\mathcal R dt} e^{\mathcal O dt} e^{\mathcal E dt} e^{\mathcal F dt} \quad\text{(Lie-Trotter)},

    S_2 = e^{\mathcal F h} e^{\mathcal E h} e^{\mathcal O h}\, e^{\mathcal R dt}\,
          e^{\mathcal O h} e^{\mathcal E h} e^{\mathcal F h}, \ h = dt/2 \quad\text{(Strang)}

(operators right to left in time). The local error per step is :math:`O(dt^2)` (Lie-Trotter) or
:math:`O(dt^3)` (Strang), so the fixed point of :math:`S` differs from the steady state by :math:`O(dt)` or
:math:`O(dt^2)`. For two sites there are no odd bonds and, the sites being resonant, the free phases commute
with the exchange, so :math:`S_1, S_2` are exactly the two-qubit steps of
:func:`qc_reset.model.channels.trotter_step_superop`.

:func:`step_layers` is the one description of that sequence; the circuit builders of
:mod:`qc_reset.circuits.chain` and :func:`chain_step_superop` both follow it. The dense superoperator is
:math:`4^N\times4^N` (row-major vectorization ``rho.reshape(-1)``, site 0 the first tensor factor), so it is
offered up to :data:`MAX_SUPEROP_SITES` sites, for checks and the spectral-gap step count.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..._checks import InputError, interval_number
from ..._checks import order as check_order
from ..channels import check_tol, reset_kraus, trace_distance
from ..operators import ComplexArray, exchange_unitary, tau1, tau2
from .spec import Chain

__all__ = ["LAYER_KINDS", "MAX_SUPEROP_SITES", "Layer", "step_layers", "trotter_error_order", "bath_state",
           "reset_probability", "chain_initial_state", "chain_step_superop", "product_state",
           "steps_to_fixed_point"]

#: The kinds of layer of a step: free phases, bond exchanges, reset channels.
LAYER_KINDS = ("free", "bonds", "resets")
#: Most sites of :func:`chain_step_superop`: :math:`4^5 = 1024`, a 16 MiB superoperator.
MAX_SUPEROP_SITES = 5


@dataclasses.dataclass(frozen=True)
class Layer:
    """One layer of a Trotter step: ``kind`` in :data:`LAYER_KINDS`, acting for ``dt`` on ``sites``.

    For ``"bonds"``, ``sites`` are the left sites :math:`i` of the bonds :math:`(i, i+1)`; for ``"resets"``
    the bath sites; for ``"free"`` every site.
    """

    kind: str
    sites: tuple[int, ...]
    dt: float

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            raise InputError(f"kind must be one of {', '.join(LAYER_KINDS)}; got {self.kind!r}")


def _check_dt(dt: object) -> float:
    return interval_number("dt", dt, lo=0.0, hi=math.inf, lo_open=True, hi_open=True)


def step_layers(chain: Chain, dt: float, order: int = 2) -> tuple[Layer, ...]:
    """The layers of one Trotter step of ``chain``, in time order (see the module docstring).

    An empty bond parity (two sites have no odd bond) is left out.
    """
    chain = Chain.require(chain)
    dt = _check_dt(dt)
    order = check_order(order)
    n = chain.n
    even = tuple(range(0, n - 1, 2))
    odd = tuple(range(1, n - 1, 2))
    baths = tuple(i for i, s in enumerate(chain.sites) if s.bath != "none")
    h = dt if order == 1 else 0.5 * dt
    parts = [Layer("free", tuple(range(n)), h), Layer("bonds", even, h)]
    if odd:
        parts.append(Layer("bonds", odd, h))
    resets = Layer("resets", baths, dt)
    if order == 1:
        return (*parts, resets)
    return (*parts, resets, *reversed(parts))


def trotter_error_order(order: int) -> int:
    """The power of ``dt`` of the fixed point's error: 1 (Lie-Trotter) or 2 (Strang)."""
    return check_order(order)


def bath_state(chain: Chain, site: int) -> ComplexArray:
    """The 2x2 bath state :math:`\\tau_i` of a bath site (thermal in Z for heat, in X for spin)."""
    s = chain.sites[site]
    if s.bath == "none":
        raise InputError(f"site[{site}] has no bath")
    return tau1(s.T) if s.bath == "heat" else tau2(s.T)


def reset_probability(chain: Chain, site: int, dt: float) -> float:
    """:math:`q_i = 1 - e^{-p_i dt}`, the probability that one step resets site ``site``."""
    return -math.expm1(-chain.sites[site].p * _check_dt(dt))


def chain_initial_state(chain: Chain) -> list[ComplexArray]:
    r"""The default initial state as one 2x2 matrix per site: :math:`\tau_i` on bath sites, :math:`|0\rangle`
    elsewhere (for two sites :math:`\tau_1\otimes\tau_2`, as in the two-qubit runs)."""
    ground = np.diag([1.0, 0.0]).astype(complex)
    return [bath_state(chain, i) if s.bath != "none" else ground for i, s in enumerate(chain.sites)]


def _embed(op: ComplexArray, first: int, n: int) -> ComplexArray:
    """``op`` (on sites first, first+1, ...) as an operator on n sites, site 0 first."""
    k = int(round(math.log2(op.shape[0])))
    return np.kron(np.kron(np.eye(2**first), op), np.eye(2 ** (n - first - k)))


def _layer_superop(chain: Chain, layer: Layer) -> ComplexArray:
    n = chain.n
    if layer.kind == "free":
        bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1  # site 0 most significant
        energy = bits @ np.array([0.5 * s.omega for s in chain.sites])
        u = np.exp(-1j * layer.dt * energy)
        return np.diag(np.kron(u, u.conj()))
    if layer.kind == "bonds":
        U = np.eye(2**n, dtype=complex)
        for i in layer.sites:
            U = _embed(exchange_unitary(chain.g[i], layer.dt), i, n) @ U
        return np.kron(U, U.conj())
    S = np.eye(4**n, dtype=complex)
    for i in layer.sites:
        ops = [_embed(K, i, n) for K in reset_kraus(bath_state(chain, i), reset_probability(chain, i, layer.dt))]
        S = sum((np.kron(K, K.conj()) for K in ops), np.zeros((4**n, 4**n), dtype=complex)) @ S
    return S


def chain_step_superop(chain: Chain, dt: float, order: int = 2) -> ComplexArray:
    r"""Exact :math:`4^N\times4^N` superoperator of one Trotter step (row-major, site 0 first).

    Built layer by layer from :func:`step_layers` (dense numpy: partial SWAPs, phases, the Kraus operators of
    :func:`qc_reset.model.channels.reset_kraus`), for :math:`N \le` :data:`MAX_SUPEROP_SITES`. It is the
    independent reference for the circuits, and its spectral gap gives the step count of ``steps="auto"``.
    """
    layers = step_layers(chain, dt, order)
    if chain.n > MAX_SUPEROP_SITES:
        raise InputError(f"chain.n must be at most {MAX_SUPEROP_SITES} for the dense step superoperator "
                         f"(4^N x 4^N); got {chain.n}")
    S = np.eye(4**chain.n, dtype=complex)
    for layer in layers:
        S = _layer_superop(chain, layer) @ S
    return S


def product_state(states: list[ComplexArray]) -> ComplexArray:
    """``kron`` of per-site 2x2 states, site 0 first."""
    out = np.ones((1, 1), dtype=complex)
    for state in states:
        out = np.kron(out, state)
    return out


def steps_to_fixed_point(S: ComplexArray, rho0: ComplexArray, star: ComplexArray, tol: float, *,
                         max_steps: int = 10**6) -> int:
    r"""Smallest :math:`n \ge 1` with trace distance :math:`D(S^n\rho_0, \rho_\star) \le \mathrm{tol}`.

    The same rule as :func:`qc_reset.model.channels.auto_steps`, found by stepping the state vector
    (:math:`O(n\,16^N)` work instead of a bisection over matrix powers): a channel contracts the trace
    distance, so the first :math:`n` that meets the bound is the smallest. The trace distance is computed only
    once the Hilbert-Schmidt bounds :math:`\|\Delta\|_2/2 \le D \le \sqrt{d}\,\|\Delta\|_2/2` cannot decide.

    Raises:
        InputError: ``tol`` outside :math:`[10^{-12}, 1)`, or the bound not met within ``max_steps``.
    """
    tol = check_tol(tol)
    d = rho0.shape[0]
    v, target = rho0.reshape(-1).astype(complex), star.reshape(-1)
    for n in range(1, max_steps + 1):
        v = S @ v
        hs = 0.5 * float(np.linalg.norm(v - target))
        if hs * math.sqrt(d) <= tol or (hs <= tol and trace_distance(v.reshape(d, d), star) <= tol):
            return n
    raise InputError(f"steps: no n <= {max_steps} reaches tol = {tol:g}; use a larger tol or dt")
