"""Progress bars on a stream: progress callbacks that draw :class:`~qc_reset.model.progress.Progress` records.

:class:`ProgressBar` is the package's own one-line bar (``[####------] 3/10 points  1.2 s``);
:func:`terminal_bar` gives a bar only when the stream is a terminal, drawn by ``tqdm`` if it is
installed (it is not a dependency) and by :class:`ProgressBar` otherwise. Each is a
``progress_callback`` for :func:`qc_reset.workflows.sweep.run_sweep`,
:func:`qc_reset.workflows.figures.make_figures` and the other long calls; call ``close()`` when
the work is over.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from ...model.progress import Progress

__all__ = ["ProgressBar", "TqdmBar", "terminal_bar"]


class ProgressBar:
    """Draws each :class:`Progress` it is called with on one line of ``stream`` (default stderr)."""

    width = 30

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        frac = min(max(progress.fraction, 0.0), 1.0)
        bar = "#" * int(self.width * frac) + "-" * (self.width - int(self.width * frac))
        self.stream.write(f"\r[{bar}] {progress.done}/{progress.total} {progress.unit}  {progress.elapsed_s:6.1f} s")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line (nothing if it never drew)."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _terminal_sized(stream: IO[str]) -> bool:
    """Whether the terminal behind ``stream`` reports a size (columns and lines both > 0)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return size.columns > 0 and size.lines > 0


class TqdmBar:
    """The same callback drawn by a ``tqdm`` bar on ``stream`` (tqdm is optional: see :func:`terminal_bar`)."""

    def __init__(self, tqdm: Any, stream: IO[str] | None = None) -> None:
        self._tqdm, self.stream = tqdm, sys.stderr if stream is None else stream
        self._bar: Any = None

    def __call__(self, progress: Progress) -> None:
        if self._bar is None:
            # A terminal that reports no size (a fresh pseudo-terminal, some CI consoles) makes tqdm
            # draw nothing at all: fall back to 80 x 24 there.
            sized = _terminal_sized(self.stream)
            self._bar = self._tqdm(total=progress.total, initial=progress.done, unit=f" {progress.unit}",
                                   file=self.stream, dynamic_ncols=sized,
                                   ncols=None if sized else 80, nrows=None if sized else 24)
        self._bar.total = progress.total
        self._bar.n = progress.done
        self._bar.refresh()

    def close(self) -> None:
        """Close the tqdm bar (nothing if it never drew)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def terminal_bar(stream: IO[str] | None = None) -> ProgressBar | TqdmBar | None:
    """A progress bar on ``stream`` (default stderr) if it is a terminal, else None (no bar in logs or pipes).

    Drawn by ``tqdm`` when it is installed, by :class:`ProgressBar` otherwise.
    """
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        tty = bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):  # a closed or detached stream
        tty = False
    if not tty:
        return None
    try:
        from tqdm import tqdm  # lazy, optional: a nicer bar when tqdm is installed; never required
    except ImportError:
        return ProgressBar(stream)
    return TqdmBar(tqdm, stream)
