"""``boardlib gen dtmf DIGITS -o out.wav`` and ``boardlib gen tone NAME -o out.wav``."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..audiofile import SAMPLE_RATE, write_wav


def _encode(pcm: np.ndarray, encoding: str) -> np.ndarray:
    if encoding == "s16":
        return pcm
    from ..dsp import alaw_encode, ulaw_encode

    return alaw_encode(pcm) if encoding == "alaw" else ulaw_encode(pcm)


def _seconds(value: str) -> float:
    try:
        s = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not math.isfinite(s) or s <= 0 or s > 3600:
        raise argparse.ArgumentTypeError(f"seconds must be in (0, 3600], got {value}")
    return s


def run_dtmf(args: argparse.Namespace) -> int:
    from ..dsp import DtmfGenerator

    gen = DtmfGenerator(
        level_dbm0=args.level, twist_db=args.twist, on_ms=args.on_ms, off_ms=args.off_ms
    )
    pcm = gen.render(args.digits)
    write_wav(args.output, _encode(pcm, args.encoding), args.encoding)
    print(f"{args.output}: {len(args.digits)} digits, {len(pcm) / SAMPLE_RATE:.3f} s")
    return 0


def run_tone(args: argparse.Namespace) -> int:
    from ..dsp import ToneGenerator

    gen = ToneGenerator(args.name, profile=args.profile)
    pcm = gen.generate(int(round(args.seconds * SAMPLE_RATE)))
    write_wav(args.output, _encode(pcm, args.encoding), args.encoding)
    print(f"{args.output}: {args.name} ({args.profile}), {len(pcm) / SAMPLE_RATE:.3f} s")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("gen", help="generate DTMF or call-progress tones into a WAV file")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)

    d = kinds.add_parser("dtmf", help="DTMF digits (0-9 * # A-D)")
    d.add_argument("digits")
    d.add_argument("--level", type=float, default=-10.0, help="dBm0 per tone (default -10)")
    d.add_argument("--twist", type=float, default=0.0, help="high minus low group level, dB")
    d.add_argument("--on-ms", type=float, default=50.0)
    d.add_argument("--off-ms", type=float, default=50.0)
    d.set_defaults(func=run_dtmf)

    t = kinds.add_parser("tone", help="a tone of a country profile, or a fax/modem/SIT tone")
    t.add_argument("name", help="dial, busy, ringback, congestion, ... or cng, ced, sit, ...")
    t.add_argument("--profile", default="cn", help="cn (default), us, uk, etsi")
    t.add_argument("--seconds", type=_seconds, default=5.0)
    t.set_defaults(func=run_tone)

    for q in (d, t):
        q.add_argument("-o", "--output", type=Path, required=True, help="WAV file to write")
        q.add_argument("--encoding", choices=("s16", "alaw", "ulaw"), default="s16")
