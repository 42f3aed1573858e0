"""Command-line entry point ``qc-reset``: parses arguments and dispatches to subcommands.

Each subcommand lives in its own ``qc_reset.cli.<name>`` module exposing
``register(subparsers)`` (which sets ``func`` on its parser) and is imported only when the
CLI starts, so heavy dependencies load lazily inside ``func``.

Exit codes:

* 0: success.
* 2: bad input. Argument errors and every :class:`qc_reset._checks.InputError` raised by the
  library, files or folders named on the command line that cannot be read or written
  (``OSError``), and a missing optional package (the message names the extra to install).
  One line on stderr beginning ``error:``; never a traceback.
* 1: any other exception. That is a bug in the package: one ``error: internal error (please
  report): ...`` line, and the traceback only with the global ``--debug`` flag.
* 130: interrupted (Ctrl-C).
* 141: standard output closed early by its reader (``qc-reset ... --json | head -1``). No
  message; 141 = 128 + SIGPIPE is what a tool killed by SIGPIPE reports.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

from .._checks import QUOTE_LIMIT, InputError
from .._version import OPTIONAL_EXTRAS, __version__, install_hint

__all__ = ["main", "build_parser", "CliError", "COMMAND_MODULES", "OPTIONAL_EXTRAS", "EXIT_BROKEN_PIPE"]

#: Subcommand modules under ``qc_reset.cli``, in the order shown by ``--help``.
COMMAND_MODULES: tuple[str, ...] = ("steady", "tcrit", "simulate", "export_qasm", "sweep", "figures", "chain")

#: Exit code when the reader of standard output goes away (128 + SIGPIPE, as for C tools).
EXIT_BROKEN_PIPE = 141

# argparse (3.11) takes only ``-5`` and ``-.5`` for negative numbers and treats ``-1e-6`` or
# ``-inf`` as an unknown option; accept everything ``float()`` reads. No option of this CLI
# looks like a negative number, so the wider pattern cannot hide an option.
_NEGATIVE_NUMBER = re.compile(
    r"^-(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE
)
# A quoted value in argparse's own messages ('invalid choice: ...') longer than the quote limit.
_LONG_QUOTE = re.compile(rf"'[^']{{{QUOTE_LIMIT - 1},}}'")


class CliError(InputError):
    """An argument error; reported like every :class:`InputError` (exit 2, one ``error:`` line)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message: str) -> NoReturn:
        message = _LONG_QUOTE.sub(lambda m: m.group(0)[: QUOTE_LIMIT - 4] + "...'", message)
        raise CliError(f"{self.prog}: {message}")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        ns, extras = super().parse_known_args(args, namespace)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) or action.nargs is not None:
                continue
            value = getattr(ns, action.dest, None)
            name = "/".join(action.option_strings) or str(action.metavar or action.dest)
            # ``--p1=--``: argparse drops a '--' value and stores an empty list.
            if isinstance(value, list):
                self.error(f"argument {name}: expected one value")
            # ``--out ''`` or ``--route=``: an empty value would silently mean the default.
            if isinstance(value, str) and value == "":
                self.error(f"argument {name}: must not be empty")
        return ns, extras


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = _Parser(
        prog="qc-reset",
        description="Steady coherence and magic of a heat-bath qubit coupled to a spin-bath qubit. "
                    "Model units: omega = hbar = k_B = 1 (bath temperatures --T1, --T2 in units of omega).",
    )
    parser.add_argument("--version", action="version", version=f"qc-reset {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an error (for bug reports)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"qc_reset.cli.{name}").register(sub)
    for subparser in sub.choices.values():  # ``--debug`` also after the command name
        subparser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                               help="show the traceback of an error (for bug reports)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (see the module docstring)."""
    argv = list(argv) if argv is not None else sys.argv[1:]
    debug = "--debug" in argv  # known before parsing, so a failing parser is debuggable too
    try:
        args = build_parser().parse_args(argv)
        debug = bool(getattr(args, "debug", False))
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe fails here, inside the handler, not at interpreter exit
        return code
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _report("interrupted", debug)
        return 130
    except InputError as exc:
        _report(_one_line(exc), debug)
        return 2
    except ModuleNotFoundError as exc:
        top = (exc.name or "").split(".")[0]
        if top not in OPTIONAL_EXTRAS:  # a required dependency: a broken installation
            _report(f"the required package {top or exc.name} is not installed; reinstall: pip install -e .",
                    debug)
            return 1
        _report(f"this needs the optional package {top}, which is not installed: {install_hint(top)}", debug)
        return 2
    except OSError as exc:  # files and folders named on the command line
        where = f": {_quote_path(exc.filename)}" if exc.filename else ""
        _report(f"{exc.strerror or _one_line(exc)}{where}", debug)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, the traceback only on request
        _report(f"internal error (please report): {type(exc).__name__}: {_one_line(exc)}", debug)
        return 1


def _report(message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    print(f"error: {message}", file=sys.stderr)


def _silence_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's final flush cannot fail again.

    This is the recipe of the Python documentation (signal module, "Note on SIGPIPE").
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a non-file object (tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _quote_path(path: object) -> str:
    text = str(path)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 3] + "..."


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
