"""``boardlib callerid FILE...``: caller-ID messages (FSK Bell 202 / V.23, or DTMF) in audio
files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..audiofile import Audio
from ._files import add_file_arguments, run_per_file
from ._output import print_json


def _decoder(standard: str) -> Any:
    def decode(audio: Audio) -> list[dict[str, Any]]:
        from ..dsp.callerid import decode_file_samples, message_to_json

        return [message_to_json(m) for m in decode_file_samples(audio.pcm(), standard)]

    return decode


def _show(path: Path, messages: list[dict[str, Any]]) -> None:
    if not messages:
        print(f"{path}: (no caller ID)")
    for m in messages:
        state = "valid" if m["valid"] else f"INVALID ({m.get('error') or 'checksum'})"
        who = m["number"] or f"withheld ({m['absence']['number']})"
        name = m["name"] or (f"({m['absence']['name']})" if m["absence"]["name"] else "")
        when = f" {m['datetime']}" if m["datetime"] else ""
        print(f"{path}: {m['start_ms']:9.1f} ms  {m['format']:<5} {who} {name}{when}  {state}")


def run(args: argparse.Namespace) -> int:
    results = run_per_file(args, "callerid", _decoder(args.standard), _show)
    if args.json:
        print_json([{"file": f, "messages": m} for f, m in results.items()])
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("callerid", help="decode caller ID (FSK or DTMF) in audio files")
    add_file_arguments(p)
    p.add_argument("--standard", choices=("auto", "bell202", "v23", "dtmf"), default="auto")
    p.set_defaults(func=run)
