"""Naive line-audio synthesis for the call-progress tests.

Written directly from the tone tables of the standards (frequencies, levels, on/off times),
with numpy sines and nothing shared with ``boardlib.dsp``: tones with frequency error and
cadence jitter, white noise at a given SNR, synthetic music chords, and speech from
``espeak-ng`` resampled to 8 kHz with ``sox``.

Levels follow the A-law convention: a full-scale sine (peak 32768) is +3.14 dBm0.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

RATE = 8000


def amplitude(level_dbm0: float) -> float:
    """Peak amplitude of a sine at ``level_dbm0``."""
    return 32768.0 * 10.0 ** ((level_dbm0 - 3.14) / 20.0)


def samples(ms: float) -> int:
    return int(round(ms * RATE / 1000.0))


def silence(ms: float) -> np.ndarray:
    return np.zeros(samples(ms))


def tone(freqs: Iterable[float], ms: float, level_dbm0: float = -13.0, *,
         freq_error: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
    """Sum of sines, each at ``level_dbm0``, frequencies scaled by ``1 + freq_error``,
    random start phases."""
    rng = rng or np.random.default_rng(0)
    n = samples(ms)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for f in freqs:
        out += amplitude(level_dbm0) * np.sin(2 * np.pi * f * (1 + freq_error) * t
                                              + rng.uniform(0, 2 * np.pi))
    return out


def cadence(freqs: Sequence[float], pattern_ms: Sequence[tuple[float, float]], cycles: int,
            level_dbm0: float = -13.0, *, freq_error: float = 0.0, jitter: float = 0.0,
            rng: np.random.Generator | None = None) -> np.ndarray:
    """``cycles`` repetitions of the (on, off) pattern; each duration scaled by a random
    factor in ``1 ± jitter``."""
    rng = rng or np.random.default_rng(0)
    parts = []
    for _ in range(cycles):
        for on, off in pattern_ms:
            j_on = 1 + rng.uniform(-jitter, jitter)
            j_off = 1 + rng.uniform(-jitter, jitter)
            parts.append(tone(freqs, on * j_on, level_dbm0, freq_error=freq_error, rng=rng))
            if off:
                parts.append(silence(off * j_off))
    return np.concatenate(parts)


def sequence(steps: Sequence[tuple[Sequence[float], float]], level_dbm0: float = -13.0, *,
             freq_error: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
    """Steps of (frequencies, ms) played back to back; empty frequencies for silence."""
    rng = rng or np.random.default_rng(0)
    return np.concatenate([tone(f, ms, level_dbm0, freq_error=freq_error, rng=rng) if f
                           else silence(ms) for f, ms in steps])


def answer_tone(ms: float, level_dbm0: float = -12.0, *, freq: float = 2100.0,
                reversal_ms: float = 0.0, am_hz: float = 0.0, am_depth: float = 0.0,
                rng: np.random.Generator | None = None) -> np.ndarray:
    """V.25 / V.8 answer tone: a sine with a 180 degree phase flip every ``reversal_ms``
    and amplitude modulation ``1 + am_depth * sin(2 pi am_hz t)`` (mean level kept)."""
    rng = rng or np.random.default_rng(0)
    n = samples(ms)
    t = np.arange(n) / RATE
    phase = 2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)
    if reversal_ms:
        phase += np.pi * np.floor(t * 1000.0 / reversal_ms)
    env = 1.0 + am_depth * np.sin(2 * np.pi * am_hz * t) if am_hz else np.ones(n)
    return amplitude(level_dbm0) * env * np.sin(phase)


def v21(bits: Sequence[int], level_dbm0: float = -12.0, *, baud: float = 300.0,
        mark_hz: float = 1650.0, space_hz: float = 1850.0, phase: float = 0.0) -> np.ndarray:
    """Continuous-phase FSK of ``bits`` (1 = mark): ITU-T V.21 channel 2 by default."""
    n = int(round(len(bits) * RATE / baud))
    idx = np.minimum((np.arange(n) * baud / RATE).astype(int), len(bits) - 1)
    freq = np.where(np.asarray(bits)[idx] == 1, mark_hz, space_hz)
    ph = phase + 2 * np.pi * np.cumsum(freq) / RATE
    return amplitude(level_dbm0) * np.sin(ph)


def hdlc_flags(count: int) -> list[int]:
    """``count`` HDLC flags 0x7E, least significant bit first."""
    return [(0x7E >> i) & 1 for i in range(8)] * count


def noise(n: int, level_dbm0: float, rng: np.random.Generator | None = None) -> np.ndarray:
    """White Gaussian noise whose power equals a sine at ``level_dbm0``."""
    rng = rng or np.random.default_rng(0)
    return rng.standard_normal(n) * amplitude(level_dbm0) / np.sqrt(2)


def with_noise(x: np.ndarray, level_dbm0: float, snr_db: float,
               rng: np.random.Generator | None = None) -> np.ndarray:
    """``x`` plus white noise ``snr_db`` below a sine at ``level_dbm0``."""
    return x + noise(len(x), level_dbm0 - snr_db, rng)


def chords(ms: float, level_dbm0: float = -15.0, *, seed: int = 0) -> np.ndarray:
    """Synthetic music: triads with harmonics and a decaying envelope, a new chord every
    250-500 ms, random roots from 130 to 520 Hz."""
    rng = np.random.default_rng(seed)
    out = []
    total = 0
    while total < samples(ms):
        n = samples(rng.uniform(250, 500))
        t = np.arange(n) / RATE
        root = rng.uniform(130, 520)
        seg = np.zeros(n)
        for ratio in (1.0, 1.26, 1.5):
            for h in range(1, 5):
                f = root * ratio * h
                if f < 3800:
                    seg += np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) / h
        seg *= np.exp(-t * rng.uniform(1, 4))
        seg *= amplitude(level_dbm0) / max(1e-9, np.sqrt(2 * np.mean(seg ** 2)))
        out.append(seg)
        total += n
    return np.concatenate(out)[:samples(ms)]


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


@functools.lru_cache(maxsize=64)
def _speech_cached(text: str, voice: str, speed: int) -> bytes:
    espeak = shutil.which("espeak-ng")
    sox = shutil.which("sox")
    if espeak is None or sox is None:
        raise RuntimeError("espeak-ng and sox are needed for speech test signals")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        out = Path(tmp) / "out.wav"
        subprocess.run([espeak, "-v", voice, "-s", str(speed), "-w", str(raw), text],
                       check=True, capture_output=True)
        # -D -R: no dither, fixed seeds, so the same text always gives the same samples
        subprocess.run([sox, "-D", "-R", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(out)],
                       check=True, capture_output=True)
        with wave.open(str(out)) as w:
            return w.readframes(w.getnframes())


def speech(text: str, level_dbm0: float = -18.0, *, voice: str = "en",
           speed: int = 160) -> np.ndarray:
    """Speech from espeak-ng at 8 kHz, scaled so its active part has ``level_dbm0`` power
    (leading and trailing silence trimmed)."""
    x = np.frombuffer(_speech_cached(text, voice, speed), dtype=np.int16).astype(float)
    active = np.flatnonzero(np.abs(x) > 300)
    if len(active):
        x = x[active[0]:active[-1] + 1]
    power = np.mean(x ** 2) if len(x) else 1.0
    return x * amplitude(level_dbm0) / np.sqrt(2 * power)
