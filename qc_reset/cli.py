"""Command-line entry point ``qc-reset``: parses arguments and dispatches to subcommands.

Each subcommand lives in its own ``qc_reset.commands.<name>`` module exposing
``register(subparsers)`` (which sets ``func`` on its parser) and is imported only when the
CLI starts, so heavy dependencies load lazily inside ``func``. Bad input exits with code 2 and
one line on stderr beginning ``error:``; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "CliError", "COMMAND_MODULES"]

#: Subcommand modules under ``qc_reset.commands``, in the order shown by ``--help``.
COMMAND_MODULES: tuple[str, ...] = ("steady", "tcrit", "simulate", "export_qasm", "sweep", "figures")


class CliError(Exception):
    """A user error; reported as one ``error:`` line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    from . import __version__

    parser = _Parser(
        prog="qc-reset",
        description="Steady coherence and magic of a heat-bath qubit coupled to a spin-bath qubit.",
    )
    parser.add_argument("--version", action="version", version=f"qc-reset {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"qc_reset.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 2 bad input, 1 other failure)."""
    try:
        parser = build_parser()
        args = parser.parse_args(list(argv) if argv is not None else None)
        result = args.func(args)
        return int(result or 0)
    except (CliError, ValueError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # files and folders named on the command line
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or _one_line(exc)}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piping into `head`
        return 0
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        print(f"error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
