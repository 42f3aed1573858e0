"""Seeds of a run: one integer or Generator expanded into independent streams, and fresh recorded seeds.

An integer ``seed`` is expanded with ``numpy.random.SeedSequence`` into independent streams (Aer's
sampler, the transpiler, the readout calibration, the bootstrap), so a run is a deterministic function of
its arguments; ``seed=None`` is replaced by :func:`fresh_seed`, which the caller records.
"""

from __future__ import annotations

import numpy as np

from .._checks import seed as check_seed
from ..stats.estimators import SeedLike

__all__ = ["fresh_seed", "seed_streams", "stream_seed"]


def fresh_seed() -> int:
    """One integer seed in [0, 2**63) from fresh OS entropy (recorded wherever ``seed=None`` was given)."""
    return int(np.random.default_rng().integers(2**63))


def seed_streams(seed: SeedLike, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent seed sequences from ``seed`` (checked by :func:`qc_reset._checks.seed`)."""
    seed = check_seed(seed)
    if isinstance(seed, np.random.Generator):
        return [np.random.SeedSequence(int(seed.integers(2**63))) for _ in range(n)]
    return np.random.SeedSequence(seed).spawn(n)


def stream_seed(ss: np.random.SeedSequence) -> int:
    """The 32-bit integer seed of one stream (for Aer's ``seed_simulator`` and the transpiler)."""
    return int(ss.generate_state(1, dtype=np.uint32)[0])
