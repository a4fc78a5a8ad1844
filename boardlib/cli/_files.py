"""Shared argument handling for subcommands that analyse audio files."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..audiofile import ACCEPTED, RAW_FORMATS, Audio, read_audio
from ._output import progress


def add_file_arguments(p: argparse.ArgumentParser) -> None:
    """FILE..., --raw and --json, the same for every analysing subcommand."""
    p.add_argument("files", nargs="+", metavar="FILE", type=Path, help=f"audio files: {ACCEPTED}")
    p.add_argument(
        "--raw",
        choices=RAW_FORMATS,
        default=None,
        help="the files are raw 8 kHz mono audio in this encoding",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")


def each_file(args: argparse.Namespace, label: str) -> Iterator[tuple[Path, Audio]]:
    """Read each file in turn (progress bar on a terminal); errors propagate with the name."""
    for path in progress(args.files, len(args.files), label):
        yield path, read_audio(path, raw=args.raw)


def run_per_file(
    args: argparse.Namespace,
    label: str,
    analyse: Callable[[Audio], Any],
    show: Callable[[Path, Any], None],
) -> dict[str, Any]:
    """Analyse every file; print each result with ``show`` unless ``--json``; return all."""
    results: dict[str, Any] = {}
    for path, audio in each_file(args, label):
        result = analyse(audio)
        results[str(path)] = result
        if not args.json:
            show(path, result)
    return results
