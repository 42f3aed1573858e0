"""Parameter sweeps that stream results to disk, resume after interruption and scale out on Dask.

A sweep is a Cartesian grid over ``g, p1, p2, T1, T2, dt, shots, noise`` read from a TOML file::

    [grid]
    g  = {start = 0.01, stop = 0.2, num = 20}   # linspace; or {geomspace = [a, b, n]}
    p1 = [0.1, 0.3, 1.0]                         # explicit list; or a single number
    p2 = "p1"                                     # tie to another model parameter (p1 = p2 sweeps)
    T1 = 0.1
    T2 = 0.02

    [outputs]
    compute = ["exact", "perturbative"]          # also "circuit", "tomography"

    [run]
    seed = 1234          # each point gets its own stream from (seed, point index)
    chunk = 256          # points per task
    # backend = "fake:FakeManilaV2"   # circuit kinds on a fake device (exclusive with grid.noise)

Devices: ``run.backend = "fake:NAME"`` runs the ``circuit`` and ``tomography`` kinds on that fake device
(its noise and target, on Aer's density-matrix method); in Python, :func:`run_sweep` also takes
``sampler=`` (any ``BaseSamplerV2``, for the ``tomography`` kind) and ``backend=`` (any ``BackendV2``) objects
on the local executor.

Limits, checked before anything is expanded (:mod:`.parse`): the config file is at most 1 MiB of
UTF-8 TOML (nesting too deep for the parser is an input error); the grid has at most
:data:`MAX_POINTS` points, computed from the axis lengths; physical ranges are checked once per
axis (and for the few value combinations that matter, e.g. g = 0 with a zero rate), never per
point. Ties exist only between the model parameters ``g, p1, p2, T1, T2``.

Output kinds (:mod:`.kinds`). ``exact``: ``bloch``, ``l1_coherence``, ``l1_norm`` (||r||_1), ``magic``.
``perturbative``: ``l1_coherence`` (Eq. 7), ``facets`` (Eq. 9, the four facets of
:data:`qc_reset.model.measures.FACET_LABELS`), ``max_facet`` (their maximum), ``l1_norm`` (the
O(g^2) estimate of ``||r||_1 = max |facet|``, since the eight octahedron facets are the four
and their negatives) and ``magic`` (``l1_norm > 1``). Records written before schema 2 stored
the maximum facet under ``l1_norm``, which could be negative.

The store ``OUT/`` (:mod:`.store`) and its guarantees:

- ``OUT/.lock``: an exclusive ``flock`` held for the whole run (it holds the pid). A second
  writer on the same folder is refused at once; the lock dies with its process. It is a
  POSIX ``flock``: reliable on local file systems, on network ones only if the server honours it.
- ``OUT/sweep.json``: written once, atomically, when the sweep is created, never rewritten:
  the record ``schema``, package version, number of points, outputs and the ``fingerprint``,
  a hash of everything that changes the records (axis values, ties, outputs, seed, chunk, run
  options, record schema). ``--resume`` requires it and an equal fingerprint; a new sweep
  refuses a folder that already has one.
- ``OUT/results.jsonl``: one JSON object per point (``index``, ``seed``, the grid values and
  one object per output kind), appended chunk by chunk in one write, flushed and fsynced, so
  an interrupted sweep loses at most the points in flight. On resume every line is
  validated: UTF-8 JSON object, ``index`` an integer in range, grid values and seed equal to
  that index's, every output kind present, no repeated index. A damaged line is reported by
  file and line, appended to ``OUT/results.quarantine.jsonl`` (before ``results.jsonl`` is
  atomically rewritten without it) and its point recomputed; a
  complete last record that only lacks its newline is kept (the newline is added).
- ``OUT/results.csv``: all records sorted by index, flattened, written atomically when the
  sweep completes.

Because each point's random stream is derived from the sweep seed and the point index only,
and chunks are fixed blocks of consecutive indices, a resumed or distributed sweep gives
bit-identical records to an uninterrupted serial one. Every file is written through
:mod:`qc_reset.io` (temporary file, fsync, rename) except the append-only JSONL.

The package: :mod:`.config` (the :class:`SweepConfig` record), :mod:`.parse` (TOML to a config),
:mod:`.kinds` (output kinds), :mod:`.store`, :mod:`.executors` (local, Dask), :mod:`.runner`
(:func:`run_sweep`) and :mod:`.progress` (progress bars drawing the ``progress_callback`` records of
:mod:`qc_reset.model.progress`); this module re-exports their public names.

Dask (:mod:`.executors`): ``--scheduler`` takes ``tcp://``, ``tls://`` or ``inproc://`` addresses (or bare
``host:port``); connecting gives up after ``connect_timeout`` (10 s) and waiting for a first
worker after ``worker_timeout`` (30 s), each with a message, before the store is created.
"""

from __future__ import annotations

from ...io import read_results
from .config import AXES, MAX_CONFIG_BYTES, MAX_POINTS, MODEL_AXES, RECORD_SCHEMA, SweepConfig, point_seed
from .executors import EXECUTORS, SCHEMES, check_scheduler
from .kinds import KIND_NAMES, OUTPUT_KINDS, circuit_records, evaluate_chunk, resolve_kind, tomography_records
from .parse import load_config, parse_config
from .progress import ProgressBar, TqdmBar, terminal_bar
from .runner import run_sweep

__all__ = [
    "SweepConfig",
    "load_config",
    "parse_config",
    "evaluate_chunk",
    "point_seed",
    "run_sweep",
    "read_results",
    "OUTPUT_KINDS",
    "KIND_NAMES",
    "AXES",
    "MODEL_AXES",
    "MAX_POINTS",
    "MAX_CONFIG_BYTES",
    "RECORD_SCHEMA",
    "EXECUTORS",
    "SCHEMES",
    "check_scheduler",
    "resolve_kind",
    "circuit_records",
    "tomography_records",
    "ProgressBar",
    "TqdmBar",
    "terminal_bar",
]
