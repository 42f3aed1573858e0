"""sampler= and backend= on the multi-point tomography and the gate-error threshold, against independent runs."""

from __future__ import annotations

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model import measures
from qc_reset.model.params import Params
from qc_reset.run.threshold import device_trial_simulator, max_gate_error
from qc_reset.run.tomography import noisy_state, tomography_points

P = Params(0.06, 0.3, 0.3, 0.1, 0.0)
#: |z| bound per Bloch component: 2 points x 3 components, P(any |z| > 4.5) < 4e-5.
Z_BOUND = 4.5
#: Same circuit, same transpiler seed, same noise model: equal to Aer's round-off.
EXACT_TOL = 1e-12


def _manila():  # type: ignore[no-untyped-def]
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    return FakeManilaV2()


def test_tomography_points_through_a_sampler_agree_with_the_aer_run() -> None:
    from qiskit_aer.primitives import SamplerV2

    pts = [P, Params(0.1, 0.2, 0.5, 2.0, 0.3)]
    a_b, a_s = tomography_points(pts, dt=0.5, order=2, shots=1000, seed=1)
    b_b, b_s = tomography_points(pts, dt=0.5, order=2, shots=1000, seed=2, sampler=SamplerV2(seed=9))
    z = (a_b - b_b) / np.hypot(a_s, b_s)
    assert np.all(np.abs(z) < Z_BOUND), np.round(z, 2)


def test_device_trials_add_depolarizing_error_to_the_device_noise() -> None:
    dev = _manila()
    kw = dict(dt=0.5, steps=2, seed=3, optimization_level=1)
    r_dev, _ = noisy_state(P, backend=dev, **kw)
    r_0, _ = noisy_state(P, backend=device_trial_simulator(dev, 0.0), **kw)
    np.testing.assert_allclose(r_0, r_dev, atol=EXACT_TOL)  # p = 0: the device's own noise model
    r_p, _ = noisy_state(P, backend=device_trial_simulator(dev, 0.05), **kw)
    l1 = [measures.l1_norm(measures.bloch_vector(r)) for r in (r_dev, r_p)]
    assert l1[1] < l1[0] - 0.01  # more gate error, closer to the maximally mixed state


def test_threshold_on_a_device() -> None:
    dev = _manila()
    res = max_gate_error(P, shots=0, seed=1, backend=dev, dt=0.5, steps=3, bracket=(1e-4, 1e-1), max_evaluations=2)
    assert res.noise == "backend:fake_manila+depol" and res.steps == 3
    # Manila's own noise already removes the magic of this point at 3 coarse steps: below the bracket
    r, _ = noisy_state(P, backend=dev, dt=0.5, steps=3, seed=0)
    assert measures.l1_norm(measures.bloch_vector(r)) < 1
    assert res.status == "below_bracket" and res.evaluations[0][1] == "stabilizer"


def test_threshold_device_refusals() -> None:
    from qiskit_aer.primitives import SamplerV2
    from qiskit_ibm_runtime.fake_provider import FakeMelbourneV2

    kw = dict(shots=0, seed=1, steps=2)
    with pytest.raises(InputError, match="a sampler needs a device"):
        max_gate_error(P, sampler=SamplerV2(), **kw)
    with pytest.raises(InputError, match="noise must be 'none' with a device"):
        max_gate_error(P, backend=_manila(), noise="depol=1e-3", **kw)
    with pytest.raises(InputError, match="does not support 'reset'"):
        max_gate_error(P, backend=FakeMelbourneV2(), **kw)
    with pytest.raises(InputError, match="sampler must be a qiskit BaseSamplerV2"):
        tomography_points([P], dt=0.5, order=2, shots=10, seed=1, sampler=object())
