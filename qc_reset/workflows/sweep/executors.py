"""Sweep executors: evaluate blocks of point indices in this process or on a Dask cluster.

:func:`executor` yields a runner (blocks of indices -> an iterable of finished chunks of records).
Dask: ``scheduler`` takes ``tcp://``, ``tls://`` or ``inproc://`` addresses (or bare ``host:port``);
connecting gives up after ``connect_timeout`` and waiting for a first worker after
``worker_timeout``, each with a message, before the caller touches the store.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..._checks import InputError, quote
from ..._version import install_hint
from .config import SweepConfig
from .kinds import evaluate_chunk

__all__ = ["executor", "check_scheduler", "Runner", "EXECUTORS", "SCHEMES"]

#: Where the points run.
EXECUTORS: tuple[str, ...] = ("local", "dask")
#: Address schemes of a Dask scheduler.
SCHEMES: tuple[str, ...] = ("tcp", "tls", "inproc")

#: A runner: blocks of point indices -> finished chunks of records (in completion order).
Runner = Callable[[list[range]], Iterable[list[dict[str, Any]]]]


def check_scheduler(scheduler: str) -> None:
    """Refuse a scheduler address that is empty or has a scheme other than :data:`SCHEMES`."""
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise InputError(f"scheduler must be an address such as tcp://host:8786; got {quote(scheduler)}")
    scheme = scheduler.split("://", 1)[0] if "://" in scheduler else "tcp"
    if scheme not in SCHEMES:
        raise InputError(f"scheduler {quote(scheduler)}: unsupported scheme {quote(scheme)}; allowed: "
                         f"{', '.join(s + '://' for s in SCHEMES)} or host:port")


@contextlib.contextmanager
def executor(config: SweepConfig, kind: str, scheduler: str | None, n_workers: int,
              connect_timeout: float, worker_timeout: float, devices: dict[str, Any] | None = None) -> Iterator[Runner]:
    """Yield a function that evaluates blocks of point indices, in this process or on Dask.

    The Dask cluster is connected (and has a worker) before the store is touched, so a failed
    connection leaves no half-created sweep behind. ``devices`` (the ``sampler`` / ``device`` objects of
    :func:`~qc_reset.workflows.sweep.runner.run_sweep`) are passed to each chunk, on the local executor only.
    Points are built per block, never all at once.
    """

    def task(block: range) -> tuple[list[tuple[int, dict[str, Any]]], Sequence[str], int, dict[str, Any]]:
        return [(i, config.point(i)) for i in block], config.outputs, config.seed, config.options

    if kind == "local":
        yield lambda blocks: (evaluate_chunk(*task(b), devices) for b in blocks)
        return
    if devices:
        raise InputError("sampler= and backend= objects run with executor='local'; on Dask name the device in the "
                         "config (run.backend = 'fake:NAME')")
    try:
        from dask.distributed import Client, LocalCluster, as_completed  # lazy: the optional dask extra
    except ImportError:
        raise InputError(f"executor 'dask' needs the dask extra: {install_hint('dask')}") from None
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            address = cluster.scheduler_address
        else:
            address = scheduler
        try:
            client = stack.enter_context(Client(address, timeout=connect_timeout))
        except (OSError, TimeoutError) as exc:
            raise InputError(f"could not connect to the Dask scheduler at {quote(address)} within "
                             f"{connect_timeout:g} s ({type(exc).__name__}); check --scheduler") from None
        try:
            client.wait_for_workers(1, timeout=worker_timeout)
        except TimeoutError:
            raise InputError(f"the Dask scheduler at {quote(address)} has no worker after "
                             f"{worker_timeout:g} s; start workers or raise --worker-timeout") from None

        def run(blocks: list[range]) -> Iterator[list[dict[str, Any]]]:
            if not blocks:
                return
            # A bounded window of tasks in flight keeps the client's memory independent of the grid.
            window = max(4 * len(client.scheduler_info().get("workers", {})), 8)
            pending = iter(blocks)
            queue = as_completed([client.submit(evaluate_chunk, *task(b), pure=False)
                                  for b in itertools.islice(pending, window)])
            for fut in queue:
                for b in itertools.islice(pending, 1):
                    queue.add(client.submit(evaluate_chunk, *task(b), pure=False))
                yield fut.result()

        yield run
