"""Call progress: realtime channels per core of the tone-detection bank.

Kernel: :class:`boardlib.dsp.ToneDetectorBank` (profile ``cn`` with the fax/modem tones, 8
Goertzel frequencies) over 256 channels × 160-sample frames of busy tone, speech-like noise
and silence. Peers on the same audio: one :class:`boardlib.dsp.ToneDetector` per channel
(the same core, one channel per call), and a plain numpy Goertzel bank (the same
frequencies, no classification or cadence).
"""

from __future__ import annotations

import numpy as np

from benchmarks.realtime import Row, channels_per_core, compare

SECTION = "Call progress"
CHANNELS = 256
FRAME = 160
FRAMES = 50  # one second of audio per run


def _audio(channels: int, frames: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    n = frames * FRAME
    t = np.arange(n) / 8000.0
    out = np.zeros((channels, n))
    for ch in range(channels):
        kind = ch % 3
        if kind == 0:  # busy tone 350/350 ms, 450 Hz at -20 dBm0
            gate = ((t * 1000 + ch * 37) % 700) < 350
            out[ch] = 2000 * np.sin(2 * np.pi * 450 * t + ch) * gate
        elif kind == 1:  # noise bursts, speech-like levels
            gate = ((t * 1000 + ch * 53) % 900) < 500
            out[ch] = rng.standard_normal(n) * 1500 * gate
        out[ch] += rng.standard_normal(n) * 20
    return np.clip(out, -32768, 32767).astype(np.int16)


def measure() -> list[Row]:
    from boardlib.dsp import ToneDetector, ToneDetectorBank

    audio = _audio(CHANNELS, FRAMES)
    frames = [np.ascontiguousarray(audio[:, i * FRAME:(i + 1) * FRAME]) for i in range(FRAMES)]
    total = CHANNELS * FRAMES * FRAME
    rows = []

    bank = ToneDetectorBank(CHANNELS, "cn")

    def run_bank() -> None:
        for f in frames:
            bank.process(f)

    rows.append(Row("tone bank 256ch x 160", "boardlib bank",
                    channels_per_core(run_bank, total)))

    singles = [ToneDetector("cn") for _ in range(16)]
    rows_single = [np.ascontiguousarray(audio[ch]) for ch in range(16)]

    def run_single() -> None:
        for det, x in zip(singles, rows_single):
            for i in range(FRAMES):
                det.process(x[i * FRAME:(i + 1) * FRAME])

    rows.append(Row("tone bank 256ch x 160", "boardlib per-channel",
                    channels_per_core(run_single, 16 * FRAMES * FRAME),
                    note="16 ToneDetector objects"))

    freqs = np.array([450, 950, 1100, 1300, 1400, 1800, 2100, 2225], dtype=float)
    coef = (2 * np.cos(2 * np.pi * freqs / 8000)).astype(np.float32)[:, None]

    def run_numpy() -> None:
        for f in frames:
            x = f.T.astype(np.float32)
            s1 = np.zeros((len(freqs), CHANNELS), np.float32)
            s2 = np.zeros_like(s1)
            for t in range(FRAME):
                s0 = x[t] + coef * s1 - s2
                s2 = s1
                s1 = s0
            _ = s1 * s1 + s2 * s2 - coef * s1 * s2

    rows.append(Row("tone bank 256ch x 160", "numpy Goertzel",
                    channels_per_core(run_numpy, total)))
    compare(rows, "boardlib bank", "numpy Goertzel")
    return rows
