"""QuTiP interop (states in and out; the Lindblad form is checked against QuTiP in test_qutip.py) and
sweep records as a pandas DataFrame, compared with the records read as dicts."""

from __future__ import annotations

import math
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

import qc_reset
from qc_reset import InputError
from qc_reset.io import flatten_record, read_results
from qc_reset.model import Params, measures
from qc_reset.run.interop import from_qobj, to_qobj, to_qutip
from qc_reset.workflows.sweep import parse_config, run_sweep

with warnings.catch_warnings():  # qutip warns at import when matplotlib is absent
    warnings.simplefilter("ignore")
    import qutip

pd = pytest.importorskip("pandas")

#: A Qobj round trip copies the matrix: exact.
EXACT = 0.0
#: QuTiP's partial trace and expectation values of a 4x4 state: a few roundings of O(1) entries.
ROUNDING = 1e-14


def test_qobj_round_trip_and_partial_trace() -> None:
    rho = qc_reset.steady_state(0.06, 0.3, 0.3, 0.1, 0.02)
    q = to_qobj(rho)
    assert q.dims == [[2, 2], [2, 2]] and q.isherm
    np.testing.assert_allclose(from_qobj(q), rho, atol=EXACT, rtol=0)
    # Second path: QuTiP's own partial trace and Pauli expectations vs the package's Bloch vector.
    r = [qutip.expect(op, q.ptrace(0)) for op in (qutip.sigmax(), qutip.sigmay(), qutip.sigmaz())]
    np.testing.assert_allclose(r, measures.bloch_vector(rho), atol=ROUNDING, rtol=0)
    one = to_qobj(measures.reduced_state(rho, 1))
    assert one.dims == [[2], [2]]
    np.testing.assert_allclose(from_qobj(one), q.ptrace(0).full(), atol=ROUNDING, rtol=0)


@pytest.mark.parametrize("bad", [qutip.basis(4, 0), qutip.qeye(4), qutip.tensor(qutip.qeye(2), qutip.qeye(3)) / 6,
                                 qutip.spre(qutip.qeye(2)), np.eye(4) / 4])
def test_from_qobj_checks_dims(bad: object) -> None:
    with pytest.raises(InputError, match="q must be"):
        from_qobj(bad)


def test_to_qobj_checks_state() -> None:
    with pytest.raises(InputError, match="rho must"):
        to_qobj(np.eye(3) / 3)
    with pytest.raises(InputError, match="unit trace"):
        to_qobj(np.eye(4))


def test_to_qutip_mesolve_relaxes_to_steady_state() -> None:
    """Second path through QuTiP: integrating the master equation from |00> for t = 200 >> 1/gap."""
    p = Params(g=0.2, p1=0.5, p2=0.4, T1=0.3, T2=0.05)
    H, c_ops = to_qutip(p)
    assert all(c.dims == [[2, 2], [2, 2]] for c in [H, *c_ops])
    assert len(c_ops) == 8  # two jumps |k><j| per eigenvalue, both eigenvalues > 0 at T > 0
    res = qutip.mesolve(H, qutip.ket2dm(qutip.tensor(qutip.basis(2, 0), qutip.basis(2, 0))), [0, 200], c_ops,
                        options={"atol": 1e-12, "rtol": 1e-10, "nsteps": 100_000})
    # The slowest mode decays at least like exp(-min(p1, p2) t / 2) ~ e^-40: the integrator's tolerance wins.
    np.testing.assert_allclose(res.states[-1].full(), qc_reset.steady_state(*p.to_dict().values()), atol=1e-8)
    assert len(to_qutip(Params(g=0.2, p1=0.5, p2=0.0, T1=0.0, T2=0.05))[1]) == 2  # zero weights dropped


SWEEP = """
[grid]
g = {start = 0.02, stop = 0.2, num = 3}
p1 = [0.1, 0.3]
p2 = 0.3
T1 = [0.1, inf]
T2 = 0.02
[outputs]
compute = ["exact", "perturbative"]
[run]
seed = 3
chunk = 4
"""


def test_read_results_as_frame_matches_records(tmp_path: Path) -> None:
    run_sweep(parse_config(tomllib.loads(SWEEP)), tmp_path, progress=False)
    records = read_results(tmp_path)
    frame = read_results(tmp_path, as_frame=True)
    assert list(frame.index) == sorted(r["index"] for r in records) == list(range(12))
    assert frame.index.name == "index"
    for col in ("exact.bloch.x", "exact.bloch.y", "exact.bloch.z", "exact.l1_norm", "perturbative.facets.0",
                "perturbative.facets.3"):
        assert col in frame.columns
    for rec in records:
        row = frame.loc[rec["index"]]
        assert row["exact.bloch.x"] == rec["exact"]["bloch"][0] and row["exact.bloch.z"] == rec["exact"]["bloch"][2]
        assert row["g"] == rec["g"] and bool(row["exact.magic"]) == rec["exact"]["magic"]
        # "inf" (strict JSON) comes back as a float infinity
        assert row["T1"] == (math.inf if rec["T1"] == "inf" else rec["T1"])
        flat = flatten_record(rec)
        assert set(flat) - {"index"} == set(frame.columns)
        for key, value in flat.items():
            if key != "index":
                assert row[key] == value
    assert (frame["T1"] == math.inf).sum() == 6


def test_flatten_record_names() -> None:
    flat = flatten_record({"index": 0, "a": {"b": [1, 2, 3], "c": [[1, 2], [3, 4], [5, 6]], "d": [7, 8]},
                           "e": None, "f": "-inf", "s": "none"})
    assert flat == {"index": 0, "a.b.x": 1, "a.b.y": 2, "a.b.z": 3, "a.c.x.0": 1, "a.c.x.1": 2, "a.c.y.0": 3,
                    "a.c.y.1": 4, "a.c.z.0": 5, "a.c.z.1": 6, "a.d.0": 7, "a.d.1": 8, "e": None, "f": -math.inf,
                    "s": "none"}


def test_read_results_without_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r'pip install -e "\.\[frames\]"'):
        read_results(tmp_path, as_frame=True)
    with pytest.raises(InputError, match="as_frame"):
        read_results(tmp_path, as_frame="yes")  # type: ignore[call-overload]
