"""``boardlib dtmf FILE...``: the DTMF digits in audio files, with their times."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..audiofile import Audio
from ._files import add_file_arguments, run_per_file
from ._output import print_json


def detect(audio: Audio) -> list[dict[str, Any]]:
    """Digits in ``audio`` as ``{"digit", "start_ms", "end_ms"}`` dicts."""
    from ..dsp import DtmfDetector

    law = None if audio.encoding == "s16" else audio.encoding
    det = DtmfDetector(law=law)
    events = det.process(audio.data) + det.flush()
    ms = 1000.0 / audio.sample_rate
    return [
        {
            "digit": e.digit,
            "start_ms": round(e.sample * ms, 3),
            "end_ms": round((e.sample + e.duration) * ms, 3),
        }
        for e in events
    ]


def _show(path: Path, digits: list[dict[str, Any]]) -> None:
    print(f"{path}: {''.join(d['digit'] for d in digits) or '(no digits)'}")
    for d in digits:
        print(f"  {d['digit']}  {d['start_ms']:10.1f} ms – {d['end_ms']:10.1f} ms")


def run(args: argparse.Namespace) -> int:
    results = run_per_file(args, "dtmf", detect, _show)
    if args.json:
        print_json([{"file": f, "digits": d} for f, d in results.items()])
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("dtmf", help="decode DTMF digits in audio files")
    add_file_arguments(p)
    p.set_defaults(func=run)
