"""Naive signal synthesis for the DSP tests: sines, DTMF bursts, noise, G.711 munging.

Written for clarity, not speed, and sharing nothing with ``boardlib.dsp``: every sample is a
double-precision sine evaluated at its absolute index, rounded and clipped to int16.

Level convention: a full-scale sine (peak 32768) is +3.14 dBm0, so the peak amplitude of a
sine at ``L`` dBm0 is ``32768 * 10 ** ((L - 3.14) / 20)``; noise at ``L`` dBm0 has the mean
square of such a sine (total power over 0-4 kHz).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tests.reference import g191

SAMPLE_RATE = 8000
KEYPAD = "123A456B789C*0#D"
ROW_HZ = (697.0, 770.0, 852.0, 941.0)
COLUMN_HZ = (1209.0, 1336.0, 1477.0, 1633.0)


def amplitude(level_dbm0: float) -> float:
    """Peak amplitude of a sine at ``level_dbm0``."""
    return 32768.0 * 10.0 ** ((level_dbm0 - 3.14) / 20.0)


def mean_square(level_dbm0: float) -> float:
    """Mean square of a sine (or of noise) at ``level_dbm0``."""
    return amplitude(level_dbm0) ** 2 / 2.0


def digit_frequencies(digit: str) -> tuple[float, float]:
    """(row, column) frequencies of a keypad digit."""
    i = KEYPAD.index(digit)
    return ROW_HZ[i // 4], COLUMN_HZ[i % 4]


def sine(n: int, freq_hz: float, level_dbm0: float, phase: float = 0.0,
         start: int = 0) -> np.ndarray:
    """Float sine of ``n`` samples; sample ``k`` is evaluated at absolute index ``start + k``."""
    t = (np.arange(n, dtype=np.float64) + start) / SAMPLE_RATE
    return amplitude(level_dbm0) * np.sin(2.0 * np.pi * freq_hz * t + phase)


def to_int16(x: np.ndarray) -> np.ndarray:
    """Round and clip a float signal to int16."""
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


@dataclass(frozen=True)
class Burst:
    """One DTMF tone burst followed by silence."""

    digit: str
    on: int                      # samples of tone
    off: int                     # samples of silence after it
    low_dbm0: float = -10.0
    high_dbm0: float = -10.0
    low_offset: float = 0.0      # relative frequency error of the row tone (0.02 = +2 %)
    high_offset: float = 0.0
    low_offset_hz: float = 0.0   # absolute frequency error added to the relative one
    high_offset_hz: float = 0.0
    low_phase: float = 0.0
    high_phase: float = 0.0


def burst_float(b: Burst) -> np.ndarray:
    """Float samples of one burst (tone then silence)."""
    fr, fc = digit_frequencies(b.digit)
    fr = fr * (1.0 + b.low_offset) + b.low_offset_hz
    fc = fc * (1.0 + b.high_offset) + b.high_offset_hz
    tone = sine(b.on, fr, b.low_dbm0, b.low_phase) + sine(b.on, fc, b.high_dbm0, b.high_phase)
    return np.concatenate([tone, np.zeros(b.off)])


def bursts(items: Iterable[Burst], lead: int = 0) -> np.ndarray:
    """Float signal: ``lead`` samples of silence, then the bursts one after another."""
    parts = [np.zeros(lead)] + [burst_float(b) for b in items]
    return np.concatenate(parts)


def dtmf(digits: str, on_ms: float = 50.0, off_ms: float = 50.0, level_dbm0: float = -10.0,
         lead: int = 0, rng: np.random.Generator | None = None) -> np.ndarray:
    """int16 signal of ``digits`` at equal tone levels (random phases when ``rng`` is given)."""
    on, off = round(on_ms * 8), round(off_ms * 8)
    items = []
    for d in digits:
        lp, hp = (rng.uniform(0, 2 * np.pi, 2) if rng is not None else (0.0, 0.0))
        items.append(Burst(d, on, off, level_dbm0, level_dbm0, low_phase=lp, high_phase=hp))
    return to_int16(bursts(items, lead))


def white_noise(n: int, level_dbm0: float, rng: np.random.Generator) -> np.ndarray:
    """Float Gaussian white noise whose total power (0-4 kHz) is ``level_dbm0``."""
    return rng.standard_normal(n) * np.sqrt(mean_square(level_dbm0))


def tones(n: int, freqs: Sequence[float], level_dbm0: float, phase: float = 0.0) -> np.ndarray:
    """Float sum of continuous sines, each at ``level_dbm0`` (dial tones and the like)."""
    out = np.zeros(n)
    for i, f in enumerate(freqs):
        out += sine(n, f, level_dbm0, phase + i)
    return out


def alaw_encode(x: np.ndarray) -> np.ndarray:
    """uint8 A-law codes of an int16 signal (naive G.191 transcription)."""
    return np.array(g191.alaw_encode_list([int(v) for v in x]), dtype=np.uint8)


def ulaw_encode(x: np.ndarray) -> np.ndarray:
    """uint8 mu-law codes of an int16 signal (naive G.191 transcription)."""
    return np.array(g191.ulaw_encode_list([int(v) for v in x]), dtype=np.uint8)


def alaw_munge(x: np.ndarray) -> np.ndarray:
    """int16 signal after an A-law encode/decode round trip."""
    return np.array(g191.alaw_decode_list(alaw_encode(x).tolist()), dtype=np.int16)
