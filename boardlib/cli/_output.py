"""Helpers shared by the subcommands: JSON output and progress on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def print_json(obj: Any) -> None:
    """Write ``obj`` as indented JSON to stdout."""
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield ``items``, drawing a progress bar on stderr when stderr is a terminal.

    Nothing is drawn for a single item or when stderr is redirected, so piped and JSON
    output stay clean.
    """
    show = total > 1 and sys.stderr.isatty()
    width = 30
    for i, item in enumerate(items):
        if show:
            done = int(width * i / total)
            sys.stderr.write(f"\r{label} [{'#' * done}{'.' * (width - done)}] {i}/{total}")
            sys.stderr.flush()
        yield item
    if show:
        sys.stderr.write(f"\r{label} [{'#' * width}] {total}/{total}\n")
        sys.stderr.flush()
