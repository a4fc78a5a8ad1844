"""Speech-like audio for scripted parties: synthetic by default, espeak-ng when installed.

The synthetic voice is a glottal pulse train with a moving pitch, shaped by three formant
resonators that change every syllable, with syllable envelopes and pauses between words. It
is not intelligible, but to a detector it looks like speech: harmonics that glide, energy
that comes and goes, no steady tones.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SAMPLE_RATE = 8000
_VOWELS = [
    (730, 1090, 2440),
    (270, 2290, 3010),
    (300, 870, 2240),
    (530, 1840, 2480),
    (640, 1190, 2390),
    (490, 1350, 1690),
    (400, 2000, 2550),
]


def _resonate(x: np.ndarray, freq: float, bw: float) -> np.ndarray:
    r = np.exp(-np.pi * bw / SAMPLE_RATE)
    a1 = -2 * r * np.cos(2 * np.pi * freq / SAMPLE_RATE)
    a2 = r * r
    y = np.zeros_like(x)
    y1 = y2 = 0.0
    for i, v in enumerate(x):  # short signals only (syllables)
        y0 = v - a1 * y1 - a2 * y2
        y[i] = y0
        y2, y1 = y1, y0
    return y


def synthetic_speech(
    seconds: float, seed: int = 0, level_dbm0: float = -18.0, pitch_hz: float = 140.0
) -> np.ndarray:
    """About ``seconds`` of speech-like int16 audio (words of 2–4 syllables with pauses)."""
    rng = np.random.default_rng(seed)
    total = int(seconds * SAMPLE_RATE)
    out = np.zeros(total, np.float64)
    pos = 0
    while pos < total:
        for _ in range(int(rng.integers(2, 5))):
            n = int(rng.uniform(0.12, 0.25) * SAMPLE_RATE)
            if pos + n > total:
                n = total - pos
            if n <= 0:
                break
            f0 = pitch_hz * rng.uniform(0.85, 1.2) * np.linspace(1.0, rng.uniform(0.8, 1.15), n)
            phase = np.cumsum(f0 / SAMPLE_RATE)
            pulses = np.diff(np.floor(phase), prepend=0.0)
            src = pulses + 0.02 * rng.standard_normal(n)
            f1, f2, f3 = _VOWELS[int(rng.integers(len(_VOWELS)))]
            syl = (
                _resonate(src, f1, 90)
                + 0.5 * _resonate(src, f2, 110)
                + 0.25 * _resonate(src, f3, 160)
            )
            env = np.sin(np.linspace(0, np.pi, n)) ** 0.7
            out[pos : pos + n] = syl * env
            pos += n
        pos += int(rng.uniform(0.08, 0.3) * SAMPLE_RATE)
    rms = np.sqrt(np.mean(out**2)) or 1.0
    target: float = 32768 * 10 ** ((level_dbm0 - 3.14) / 20) / np.sqrt(2)
    return np.clip(out * (target / rms), -32768, 32767).astype(np.int16)


def espeak(text: str, voice: str = "en", level_dbm0: float = -18.0) -> np.ndarray | None:
    """``text`` spoken by espeak-ng at 8 kHz, or ``None`` when espeak-ng or sox is missing."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        wav, raw = Path(tmp) / "s.wav", Path(tmp) / "s.raw"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-w", str(wav), text], check=True, capture_output=True
        )
        subprocess.run(
            [
                "sox",
                "-D",
                str(wav),
                "-r",
                "8000",
                "-c",
                "1",
                "-b",
                "16",
                "-e",
                "signed-integer",
                "-t",
                "raw",
                str(raw),
            ],
            check=True,
            capture_output=True,
        )
        pcm = np.frombuffer(raw.read_bytes(), np.int16).astype(np.float64)
    rms = np.sqrt(np.mean(pcm**2)) or 1.0
    target: float = 32768 * 10 ** ((level_dbm0 - 3.14) / 20) / np.sqrt(2)
    return np.clip(pcm * (target / rms), -32768, 32767).astype(np.int16)


def speech(
    seconds: float,
    seed: int = 0,
    text: str | None = None,
    voice: str = "en",
    use_espeak: bool = False,
    level_dbm0: float = -18.0,
) -> np.ndarray:
    """Speech for a scripted party: espeak-ng saying ``text`` when asked and available,
    else synthetic speech of ``seconds``."""
    if use_espeak and text:
        pcm = espeak(text, voice, level_dbm0)
        if pcm is not None:
            return pcm
    return synthetic_speech(seconds, seed, level_dbm0)
