"""The chain description (qc_reset.model.chain.spec) and its shared result record."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model import Params
from qc_reset.model.chain import Chain, ChainResult, Site


def test_two_site_chain_is_the_paper_model() -> None:
    chain = Chain.from_params(Params(g=0.05, p1=0.3, p2=0.7, T1=0.1, T2=math.inf))
    assert chain.n == 2 and chain.g == (0.05,)
    assert chain.sites == (Site("heat", 0.3, 0.1), Site("spin", 0.7, math.inf))


def test_round_trip_and_bond_list() -> None:
    data = {"sites": [{"bath": "heat", "p": 0.3, "T": 0.1}, {"bath": "none"},
                      {"bath": "spin", "p": 0.3, "T": 0.02, "omega": 1.1}], "g": [0.06, 0.04]}
    chain = Chain.from_dict(data)
    assert chain.g == (0.06, 0.04) and chain.sites[2].omega == 1.1
    assert Chain.from_dict(chain.to_dict()) == chain
    assert Chain.from_dict({**data, "g": 0.06}).g == (0.06, 0.06)


@pytest.mark.parametrize(("data", "match"), [
    ({"sites": [{"bath": "hot"}, {"bath": "spin", "p": 1, "T": 0}], "g": 0.1}, r"site\[0\]\.bath must be one of"),
    ({"sites": [{"bath": "heat", "p": 0, "T": 1}, {}], "g": 0.1}, r"site\[0\]\.p must be"),
    ({"sites": [{}, {"bath": "spin", "p": 1, "T": -1}], "g": 0.1}, r"site\[1\]\.T must be a number in \[0, \+inf\]"),
    ({"sites": [{"bath": "none", "p": 0.2}, {"bath": "spin", "p": 1, "T": 0}], "g": 0.1}, r"site\[0\]\.p must be 0"),
    ({"sites": [{"bath": "heat", "p": 1, "T": 1}, {}], "g": [0.1, 0.2]}, r"list of N - 1 = 1"),
    ({"sites": [{"bath": "heat", "p": 1, "T": 1}, {}], "g": float("nan")}, r"g\[0\] must be a finite number"),
    ({"sites": [{"bath": "heat", "p": 1, "T": 1}, {}]}, r"g \(the bond coupling"),
    ({"sites": [{}, {}], "g": 0.1}, r"at least one site with a bath"),
    ({"sites": [{"bath": "heat", "p": 1, "T": 1, "rate": 2}, {}], "g": 0.1}, r"unknown key\(s\) 'rate'"),
    ({"sites": [{"bath": "heat", "p": 1, "T": 1}], "g": 0.1}, r"at least 2 site tables"),
    ({"sites": [{"bath": "heat", "p": 1, "T": 1}, {}], "g": 0.1, "extra": 1}, r"unknown chain key"),
])
def test_bad_chains_name_the_site_or_bond(data: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        Chain.from_dict(data)


def test_chain_length_is_bounded_before_work() -> None:
    with pytest.raises(InputError, match=r"number of sites must be a whole number in \[2, 1000\]"):
        Chain(tuple(Site("heat", 1.0, 0.1) for _ in range(1001)), 0.1)


def test_result_record_measures_follow_the_bloch_vectors() -> None:
    res = ChainResult.from_blochs("exact", [[0.6, 0.0, 0.6], [0.3, 0.4, 0.0]], concurrence=[0.0])
    first, second = res.sites
    assert first.l1_norm == pytest.approx(1.2, abs=1e-15) and first.magic
    assert second.l1_coherence == pytest.approx(0.5, abs=1e-15) and not second.magic
    assert second.magic_class == "stabilizer"
    np.testing.assert_array_equal(res.blochs, [[0.6, 0.0, 0.6], [0.3, 0.4, 0.0]])
    assert res.to_dict()["sites"][0]["magic"] is True
    with pytest.raises(InputError, match="ball"):
        ChainResult.from_blochs("exact", [[1.0, 1.0, 0.0], [0, 0, 0]])
    with pytest.raises(InputError, match="method must be one of"):
        ChainResult.from_blochs("mps", [[0, 0, 0], [0, 0, 0]])


def test_every_chain_method_refuses_a_non_chain_with_one_message() -> None:
    from qc_reset.circuits.chain import chain_step_circuit
    from qc_reset.model.chain.exact import chain_exact_steady
    from qc_reset.model.chain.tn import chain_tn_steady
    from qc_reset.run.chain import chain_circuit_steady

    data = Chain.from_params(Params(0.05, 0.3, 0.3, 0.1, 0.0)).to_dict()
    for method in (chain_exact_steady, chain_tn_steady, chain_circuit_steady):
        with pytest.raises(InputError, match=r"chain must be a qc_reset\.model\.chain\.Chain; got dict .*from_dict"):
            method(data)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"chain must be a qc_reset\.model\.chain\.Chain; got list"):
        chain_step_circuit([1, 2], 0.1)  # type: ignore[arg-type]
    chain = Chain.from_dict(data)
    assert Chain.require(chain) is chain
