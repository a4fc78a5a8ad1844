"""``boardlib progress FILE...``: what is on the line — the call-progress result of recordings
taken from the end of dialling (busy, ringback then answer, SIT, fax, answering machine...).

``--plot out.png FILE`` draws the detected tones and voice over a spectrogram (needs
matplotlib: ``pip install boardlib[plot]``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..audiofile import Audio
from ..errors import BoardlibError
from ._files import add_file_arguments, run_per_file
from ._output import print_json


def _analyser(profile: str) -> Any:
    def analyse(audio: Audio) -> dict[str, Any]:
        from ..dsp.progress import analyze_samples

        result, confidence, events = analyze_samples(audio.pcm(), profile)
        return {"result": result.value, "confidence": round(float(confidence), 3), "events": events}

    return analyse


def _show(path: Path, r: dict[str, Any]) -> None:
    print(f"{path}: {r['result']} (confidence {r['confidence']:.2f})")
    for e in r["events"]:
        print(f"  {e['start_ms']:9.0f} – {e['end_ms']:9.0f} ms  {e['tone']}")


def plot(pcm: np.ndarray, result: dict[str, Any], out: Path, title: str) -> None:
    """Timeline of the detected events over a spectrogram of ``pcm``, written to ``out``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise BoardlibError("--plot needs matplotlib: pip install 'boardlib[plot]'") from exc
    fig, (ax_spec, ax_ev) = plt.subplots(
        2, 1, figsize=(11, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    # A little dither keeps digital silence finite in dB; the colour scale starts above it
    # and above int16 quantisation noise, so only what is really on the line shows.
    x = pcm.astype(np.float64) + np.random.default_rng(0).normal(0.0, 0.3, len(pcm))
    ax_spec.specgram(x, NFFT=256, Fs=8000, noverlap=192, cmap="magma", vmin=0.0)
    ax_spec.set_ylabel("Hz")
    ax_spec.set_ylim(0, 4000)
    ax_spec.set_title(f"{title}: {result['result']} (confidence {result['confidence']:.2f})")
    names = sorted({e["tone"] for e in result["events"]})
    rows = {n: i for i, n in enumerate(names)}
    for e in result["events"]:
        start, end = e["start_ms"] / 1000, e["end_ms"] / 1000
        ax_ev.broken_barh(
            [(start, max(end - start, 0.01))],
            (rows[e["tone"]] - 0.4, 0.8),
            color="tab:green" if e["tone"] == "voice" else "tab:blue",
        )
    ax_ev.set_yticks(range(len(names)), names)
    ax_ev.set_xlabel("seconds")
    ax_ev.set_xlim(0, len(pcm) / 8000)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    analyse = _analyser(args.profile)
    if args.plot is not None:
        if len(args.files) != 1:
            raise BoardlibError("--plot draws one file: give exactly one FILE")
        from ..audiofile import read_audio

        audio = read_audio(args.files[0], raw=args.raw)
        result = analyse(audio)
        plot(audio.pcm(), result, args.plot, str(args.files[0].name))
        if args.json:
            print_json([{"file": str(args.files[0]), **result}])
        else:
            _show(args.files[0], result)
            print(f"plot written to {args.plot}")
        return 0
    results = run_per_file(args, "progress", analyse, _show)
    if args.json:
        print_json([{"file": f, **r} for f, r in results.items()])
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "progress", help="call-progress analysis of recordings (busy, SIT, fax, ...)"
    )
    add_file_arguments(p)
    p.add_argument("--profile", default="cn", help="tone profile: cn (default), us, uk, etsi")
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="PNG",
        help="draw the detected events over a spectrogram into this PNG file",
    )
    p.set_defaults(func=run)
