"""Naive FSK and caller-ID signal references (numpy only), independent of boardlib.dsp.

Phase-continuous FSK: the instantaneous frequency of each sample is that of the bit it falls
in, the phase is the running sum. Caller-ID bursts are framed 8N1 (start 0, data LSB first,
stop 1) after an optional channel seizure and a mark signal.
"""

from __future__ import annotations

import numpy as np

FS = 8000


def amplitude(level_dbm0: float) -> float:
    """Peak amplitude of a sine at ``level_dbm0`` (full-scale sine = +3.14 dBm0)."""
    return 32768.0 * 10 ** ((level_dbm0 - 3.14) / 20)


def checksum(body: bytes) -> int:
    """Two's complement of the modulo-256 sum."""
    return (-sum(body)) & 0xFF


def frame_bytes(data: bytes) -> list[int]:
    bits: list[int] = []
    for b in data:
        bits.append(0)
        bits.extend((b >> i) & 1 for i in range(8))
        bits.append(1)
    return bits


def burst_bits(message: bytes, *, seizure_bits: int = 300, mark_bits: int = 180,
               postamble_bits: int = 5, gap_bits: int = 0) -> list[int]:
    """Bits of a caller-ID burst: seizure (0101...), marks, framed bytes, trailing marks."""
    bits = [i & 1 for i in range(seizure_bits)]
    bits += [1] * mark_bits
    for b in message:
        bits += frame_bytes(bytes([b]))
        bits += [1] * gap_bits
    bits += [1] * postamble_bits
    return bits


def fsk(bits, mark_hz: float = 1200.0, space_hz: float = 2200.0, baud: float = 1200.0,
        level_dbm0: float = -13.5, phase: float = 0.0) -> np.ndarray:
    """Phase-continuous FSK as float64 samples (not clipped, not rounded)."""
    bits = np.asarray(list(bits), dtype=np.int64)
    n = int(round(len(bits) * FS / baud))
    t = np.arange(n)
    idx = np.minimum((t * baud / FS).astype(np.int64), len(bits) - 1)
    freq = np.where(bits[idx] == 1, mark_hz, space_hz)
    ph = phase + 2 * np.pi * np.concatenate(([0.0], np.cumsum(freq[:-1]))) / FS
    return amplitude(level_dbm0) * np.sin(ph)


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def white_noise(n: int, level_dbm0: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise whose total power (0-4 kHz) is ``level_dbm0``."""
    rms = amplitude(level_dbm0) / np.sqrt(2)
    return rng.normal(0.0, rms, n)


def sdmf(month: int, day: int, hour: int, minute: int, number: str) -> bytes:
    body = f"{month:02d}{day:02d}{hour:02d}{minute:02d}{number}".encode()
    msg = bytes([0x04, len(body)]) + body
    return msg + bytes([checksum(msg)])


def mdmf(params: list[tuple[int, bytes]], msg_type: int = 0x80) -> bytes:
    body = b"".join(bytes([t, len(v)]) + v for t, v in params)
    msg = bytes([msg_type, len(body)]) + body
    return msg + bytes([checksum(msg)])


def tones(freqs, level_dbm0: float, n: int) -> np.ndarray:
    """Sum of sines, each at ``level_dbm0``."""
    t = np.arange(n) / FS
    return sum(amplitude(level_dbm0) * np.sin(2 * np.pi * f * t) for f in freqs)


def dtmf_string(digits: str, level_dbm0: float = -10.0, on_ms: int = 70,
                off_ms: int = 70) -> np.ndarray:
    """DTMF digits as float samples (row and column tones at ``level_dbm0`` each)."""
    rows = {"1": 697, "2": 697, "3": 697, "A": 697, "4": 770, "5": 770, "6": 770, "B": 770,
            "7": 852, "8": 852, "9": 852, "C": 852, "*": 941, "0": 941, "#": 941, "D": 941}
    cols = {"1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336,
            "0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477, "A": 1633, "B": 1633,
            "C": 1633, "D": 1633}
    on = on_ms * FS // 1000
    off = off_ms * FS // 1000
    parts = []
    for d in digits:
        parts.append(tones((rows[d], cols[d]), level_dbm0, on))
        parts.append(np.zeros(off))
    return np.concatenate(parts) if parts else np.zeros(0)
