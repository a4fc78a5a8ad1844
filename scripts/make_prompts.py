"""Regenerate a flow's prompt sets with espeak-ng: one 8 kHz 16-bit WAV per fragment.

    python scripts/make_prompts.py examples/bank_ivr/bank.toml [--only-missing]

Fragments come from the flow's ``[text.LANG]`` tables, the engine's own words (those of
menus with shortcuts too) and the say vocabulary (digits, 十/百/千/万, hundred/thousand,
yuan, months...). Mandarin is spoken with ``espeak-ng -v cmn``, English with ``-v en``; sox
resamples to 8 kHz and trims the silence around each fragment. The generated set is
committed, so running an IVR needs no TTS.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from boardlib.audiofile import write_wav
from boardlib.ivr.flow import load_flow
from boardlib.ivr.prompts import ENGINE_WORDS, SHORTCUT_WORDS
from boardlib.ivr.say import VOCABULARY

VOICES = {"zh": ("cmn", "170"), "en": ("en", "175")}


def fragments(flow_path: Path) -> dict[str, dict[str, str]]:
    flow = load_flow(flow_path)
    out: dict[str, dict[str, str]] = {}
    for lang in flow.languages:
        texts = dict(VOCABULARY[lang])
        texts.update(ENGINE_WORDS[lang])
        texts.update(SHORTCUT_WORDS[lang])
        texts.update(flow.texts.get(lang, {}))
        out[lang] = texts
    return out


def speak(text: str, lang: str, tmp: Path) -> np.ndarray:
    voice, speed = VOICES[lang]
    raw, out = tmp / "raw.wav", tmp / "out.raw"
    subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-w", str(raw), text], check=True,
                   capture_output=True)
    subprocess.run(["sox", "-D", "-R", str(raw), "-t", "raw", "-e", "signed-integer", "-b", "16",
                    "-c", "1", "-r", "8000", str(out), "norm", "-6",
                    "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%",
                    "reverse"], check=True, capture_output=True)
    pcm = np.frombuffer(out.read_bytes(), dtype="<i2").astype(np.int16)
    pad = np.zeros(240, np.int16)  # 30 ms either side keeps fragments apart
    return np.concatenate([pad, pcm, pad])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("flow", type=Path)
    ap.add_argument("--only-missing", action="store_true")
    args = ap.parse_args(argv)
    flow = load_flow(args.flow)
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for lang, texts in fragments(args.flow).items():
            folder = flow.prompt_dir / lang
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in sorted(texts.items()):
                path = folder / f"{name}.wav"
                if args.only_missing and path.exists():
                    continue
                write_wav(path, speak(text, lang, Path(tmp)))
                total += path.stat().st_size
    print(f"wrote {total / 1e6:.2f} MB of prompts under {flow.prompt_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
