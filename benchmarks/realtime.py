"""Realtime channels per core: ``python -m benchmarks.realtime [--json] [SECTION...]``.

For each kernel and each peer, on the same audio and in the same run, prints how many 8 kHz
channels one CPU core processes in real time (samples per CPU-second / 8000) and the ratio to
the peer. Sections live in ``benchmarks/rt_*.py``; each exposes ``SECTION`` (a title) and
``measure() -> list[Row]``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLE_RATE = 8000


@dataclass
class Row:
    """One measured kernel: channels per core, and the peer it is compared with."""

    kernel: str
    implementation: str
    channels_per_core: float
    peer: str = ""
    ratio: float | None = None
    note: str = ""


def channels_per_core(run: Callable[[], object], samples_per_call: int,
                      min_seconds: float = 0.4, repeats: int = 3) -> float:
    """Best-of-``repeats`` realtime channels per core of ``run``.

    ``run`` processes ``samples_per_call`` samples in total (all channels summed). CPU time of
    this process (``time.process_time``) is used, so the figure is per core even when the
    machine is busy; a ``run`` that uses threads must be measured with ``threaded=True``
    callers dividing by thread count themselves.
    """
    run()  # warm up
    best = 0.0
    for _ in range(repeats):
        calls = 0
        start = time.process_time()
        while True:
            run()
            calls += 1
            elapsed = time.process_time() - start
            if elapsed >= min_seconds:
                break
        rate = calls * samples_per_call / elapsed / SAMPLE_RATE
        best = max(best, rate)
    return best


def compare(rows: list[Row], ours: str, peer: str) -> None:
    """Fill ``ratio`` of every row of implementation ``ours`` against ``peer``'s same kernel."""
    by_kernel = {(r.kernel, r.implementation): r for r in rows}
    for r in rows:
        if r.implementation == ours and (r.kernel, peer) in by_kernel:
            p = by_kernel[(r.kernel, peer)]
            r.peer = peer
            r.ratio = r.channels_per_core / p.channels_per_core


def sections() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("rt_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", help=f"subset of: {' '.join(sections())}")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    chosen = args.sections or sections()
    report = {}
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        rows = module.measure()
        report[module.SECTION] = [asdict(r) for r in rows]
        if not args.json:
            print(f"\n## {module.SECTION}\n")
            print("| kernel | implementation | channels/core | vs peer |")
            print("|---|---|---:|---|")
            for r in rows:
                ratio = f"{r.ratio:.2f}x {r.peer}" if r.ratio is not None else ""
                note = f" ({r.note})" if r.note else ""
                print(f"| {r.kernel} | {r.implementation}{note} "
                      f"| {r.channels_per_core:,.0f} | {ratio} |")
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
