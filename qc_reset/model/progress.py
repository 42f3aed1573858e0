"""Progress of a long call: the :class:`Progress` record a ``progress_callback`` receives.

Every call of the package that can take seconds (sweeps, tomography of many points, the
gate-error threshold search, the figures) accepts ``progress_callback=None``: a callable that is
given a frozen :class:`Progress` once when the work starts (``done`` = the units already finished,
usually 0) and once after each finished unit, so ``done`` never decreases and the last call has
``done == total``. A unit is named by ``unit`` (``"points"``, ``"figures"``, ``"evaluations"``).
When the number of units is only bounded in advance (a search that may stop early), ``total`` is
that bound until the last call, which sets it to the units actually done.

The callback runs in the calling thread between units; an exception it raises propagates and
stops the call (work already written stays written). :class:`Tracker` is the small helper the
callers use to build the records; it has no dependency beyond the standard library, so every
layer may use it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .._checks import InputError, callback, quote

__all__ = ["Progress", "ProgressCallback", "Tracker"]


@dataclasses.dataclass(frozen=True)
class Progress:
    """One progress report: ``done`` of ``total`` units after ``elapsed_s`` seconds of the call."""

    done: int
    total: int
    elapsed_s: float
    unit: str = "points"

    @property
    def fraction(self) -> float:
        """``done / total`` (1 for an empty job)."""
        return self.done / self.total if self.total else 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or not {"done", "total", "elapsed_s"} <= set(data):
            raise InputError(f"progress record must be a dict with done, total, elapsed_s; got {quote(data)}")
        return cls(done=int(data["done"]), total=int(data["total"]), elapsed_s=float(data["elapsed_s"]),
                   unit=str(data.get("unit", "points")))


#: What a ``progress_callback`` is: called with each :class:`Progress`, its return value ignored.
ProgressCallback = Callable[[Progress], Any]


class Tracker:
    """Counts finished units and reports them to a callback (a no-op without one).

    ``Tracker(callback, total, unit, done=0)`` reports the starting count at once; :meth:`step`
    adds finished units and reports; :meth:`finish` makes the last report ``done == total``
    (setting ``total`` to ``done`` if the work stopped early), at most once.
    """

    def __init__(self, progress_callback: ProgressCallback | None, total: int, unit: str, done: int = 0) -> None:
        self.callback = callback(progress_callback)
        self.total, self.unit, self.done = int(total), unit, int(done)
        self._t0 = time.perf_counter()
        self._finished = False
        self._emit()

    def _emit(self) -> None:
        if self.callback is not None:
            self.callback(Progress(self.done, self.total, time.perf_counter() - self._t0, self.unit))

    def step(self, n: int = 1) -> None:
        """``n`` more units are finished."""
        self.done += int(n)
        self.total = max(self.total, self.done)
        self._emit()

    def finish(self) -> None:
        """The work is over: report ``done == total`` unless the last report already said so."""
        if self._finished:
            return
        self._finished = True
        if self.done != self.total:
            self.total = self.done
            self._emit()
