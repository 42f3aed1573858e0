"""The ``qc-reset`` command line: :func:`main` and one module per subcommand.

The names of :mod:`.main` are re-exported, so ``qc_reset.cli.main`` (the console-script entry
point) and ``from qc_reset.cli import main`` keep working.
"""

from __future__ import annotations

from .main import *  # noqa: F403
from .main import __all__ as _main_all

__all__ = list(_main_all)
