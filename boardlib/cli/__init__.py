"""The ``boardlib`` command-line tool.

Each subcommand lives in its own module of this package and exposes ``register(sub)``, which
adds its parser to the argparse sub-parser collection and sets ``func`` to the function that
runs it. A ``func`` returns the process exit status. Every subcommand that reports something
accepts ``--json``.

Exit statuses: 0 success, 1 a failure reported by boardlib (bad or missing input file, ...),
2 a usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import BoardlibError

#: Modules of this package that provide subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = ("info", "demo", "emulate", "dtmf", "callerid", "progress", "gen", "ivr")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="boardlib",
        description="Telephone voice boards, DSP and emulator tools.",
    )
    parser.add_argument("--version", action="version", version=f"boardlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        status: int = args.func(args)
    except BoardlibError as exc:
        print(f"boardlib {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file that cannot be read or written
        print(f"boardlib {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and closed
        return 0
    return status
