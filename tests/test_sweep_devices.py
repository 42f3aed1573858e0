"""The sweep engine on devices: run.backend = "fake:NAME" in TOML, sampler=/backend= objects in Python."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.run.summary import simulate_summary
from qc_reset.workflows.sweep import parse_config, run_sweep

#: |z| bound per Bloch component: 2 points x 3 components, P(any |z| > 4.5) < 4e-5.
Z_BOUND = 4.5


def _cfg(compute: str, run: str = "", shots: int = 0, noise: str = "none",  # type: ignore[no-untyped-def]
         t1: str = "[0.1, 0.5]"):
    import tomllib

    text = f"""
[grid]
g = 0.06
p1 = 0.3
p2 = 0.3
T1 = {t1}
T2 = 0.0
dt = 0.5
shots = {shots}
noise = "{noise}"
[outputs]
compute = [{compute}]
[run]
seed = 3
chunk = 2
{run}
"""
    return parse_config(tomllib.loads(text))


def test_toml_backend_runs_the_circuit_kind_on_the_device(tmp_path: Path) -> None:
    cfg = _cfg('"circuit"', 'backend = "fake:FakeManilaV2"', t1="0.1")  # one point: device runs are slow
    recs = run_sweep(cfg, tmp_path / "out", progress=False)
    for r in recs:
        # the same point through the one-point summary on the same device and seed (an independent call)
        one = simulate_summary(Params(r["g"], r["p1"], r["p2"], r["T1"], r["T2"]), dt=0.5, seed=r["seed"],
                               backend=_manila())
        np.testing.assert_allclose(r["circuit"]["bloch_circuit"], one["bloch_circuit"], atol=1e-10)
        assert r["circuit"]["noise"] == "backend:fake_manila"
        ideal = measures.bloch_vector(np.asarray(simulate_summary(Params(r["g"], r["p1"], r["p2"], r["T1"], r["T2"]),
                                                                  dt=0.5, realization="dilated")["rho"]["re"]))
        assert measures.bloch_trace_distance(ideal, np.asarray(one["bloch_circuit"])) > 1e-3  # the device's noise


def _manila():  # type: ignore[no-untyped-def]
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    return FakeManilaV2()


def test_sampler_object_runs_the_tomography_kind(tmp_path: Path) -> None:
    from qiskit_aer.primitives import SamplerV2

    cfg = _cfg('"tomography"', shots=1500)
    a = run_sweep(cfg, tmp_path / "a", progress=False)
    b = run_sweep(cfg, tmp_path / "b", progress=False, sampler=SamplerV2(seed=5))
    for ra, rb in zip(a, b, strict=True):
        ta, tb = ra["tomography"], rb["tomography"]
        z = (np.array(ta["bloch"]) - tb["bloch"]) / np.hypot(ta["stderr"], tb["stderr"])
        assert np.all(np.abs(z) < Z_BOUND), np.round(z, 2)
    # the device enters the fingerprint: resuming b without the sampler is refused
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(cfg, tmp_path / "b", progress=False, resume=True)


@pytest.mark.parametrize(("run", "noise", "compute", "match"), [
    ('backend = "FakeManilaV2"', "none", '"circuit"', "run.backend must be 'fake:NAME'"),
    ('backend = "fake:Nope"', "none", '"circuit"', "unknown fake backend"),
    ('backend = "fake:FakeManilaV2"', "depol=1e-3", '"circuit"', "exclusive"),
    ('backend = "fake:FakeManilaV2"\nrealization = "kraus"', "none", '"circuit"', "realization must be 'dilated'"),
])
def test_toml_backend_errors(run: str, noise: str, compute: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        _cfg(compute, run, noise=noise)


def test_python_device_refusals(tmp_path: Path) -> None:
    from qiskit_aer.primitives import SamplerV2
    from qiskit_ibm_runtime.fake_provider import FakeMelbourneV2

    with pytest.raises(InputError, match="needs exact density matrices"):
        run_sweep(_cfg('"circuit"'), tmp_path / "a", progress=False, sampler=SamplerV2())
    with pytest.raises(InputError, match="does not support 'reset'"):
        run_sweep(_cfg('"circuit"'), tmp_path / "b", progress=False, backend=FakeMelbourneV2())
    with pytest.raises(InputError, match="executor='local'"):
        run_sweep(_cfg('"tomography"', shots=10), tmp_path / "c", progress=False, executor="dask",
                  sampler=SamplerV2(), n_workers=1)
    assert not (tmp_path / "a" / "sweep.json").exists()  # refused before the store
