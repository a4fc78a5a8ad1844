"""MFC-R2 tones: realtime channels per core of the R2 register-signal detector bank.

Kernel: :class:`boardlib.dsp.R2ToneDetectorBank` (forward set) over 480 channels x 160-sample
frames (sixteen E1 spans), on a mix of compelled signalling (every channel sends R2 signal
pulses of 60-150 ms with 40-100 ms pauses, at -5 to -30 dBm0, over low noise). Also measured
on the same audio: one :class:`boardlib.dsp.R2ToneDetector` per channel (on 48 channels), and
the generator. A second mix has one channel in eight signalling (the others carry low
noise), closer to a trunk where register signalling only happens at call set-up; building
the event objects (about 1 us each) is a large share of the busy mix.

Peer: spandsp 0.0.6 ``r2_mf_rx`` (133-sample Goertzel blocks, one report per block, no event
timing), driven by ``tests.reference.spandsp.R2MfRxBank`` (cffi against the system
``libspandsp``) whose C loop runs every channel of a block in one call, as the bank does.
The peer does less work per signal (no operate/release timing, no level report), so the
ratio flatters it.
"""

from __future__ import annotations

import numpy as np

from benchmarks.realtime import Row, channels_per_core, compare

SECTION = "MFC-R2 tones"
CHANNELS = 480
FRAME = 160
FRAMES = 50  # one second of audio per run
PEER = "spandsp 0.0.6"

FORWARD = {1: (1380, 1500), 2: (1380, 1620), 3: (1500, 1620), 4: (1380, 1740),
           5: (1500, 1740), 6: (1620, 1740), 7: (1380, 1860), 8: (1500, 1860),
           9: (1620, 1860), 10: (1740, 1860), 11: (1380, 1980), 12: (1500, 1980),
           13: (1620, 1980), 14: (1740, 1980), 15: (1860, 1980)}


def _audio(channels: int, frames: int, busy_every: int = 1) -> np.ndarray:
    """Low noise on every channel; R2 pulses on every ``busy_every``-th channel."""
    rng = np.random.default_rng(3)
    n = frames * FRAME
    t = np.arange(n) / 8000.0
    out = rng.standard_normal((channels, n)) * 10.0
    for ch in range(0, channels, busy_every):
        pos = int(rng.integers(0, 800))
        while pos < n:
            on = int(rng.integers(60, 151)) * 8
            off = int(rng.integers(40, 101)) * 8
            lo, hi = FORWARD[int(rng.integers(1, 16))]
            amp = 32768.0 * 10 ** ((float(rng.uniform(-30, -5)) - 3.14) / 20)
            end = min(pos + on, n)
            seg = t[pos:end]
            out[ch, pos:end] += amp * (np.sin(2 * np.pi * lo * seg) + np.sin(2 * np.pi * hi * seg))
            pos = end + off
    return np.clip(np.rint(out), -32768, 32767).astype(np.int16)


def measure() -> list[Row]:
    from boardlib.dsp import R2ToneDetector, R2ToneDetectorBank, R2ToneGenerator

    rows: list[Row] = []
    total = CHANNELS * FRAMES * FRAME
    quiet = _audio(CHANNELS, FRAMES, busy_every=8)
    quiet_frames = [np.ascontiguousarray(quiet[:, i * FRAME:(i + 1) * FRAME])
                    for i in range(FRAMES)]
    quiet_bank = R2ToneDetectorBank(CHANNELS, "forward")

    def run_quiet() -> None:
        for f in quiet_frames:
            quiet_bank.process(f)

    audio = _audio(CHANNELS, FRAMES)
    frames = [np.ascontiguousarray(audio[:, i * FRAME:(i + 1) * FRAME]) for i in range(FRAMES)]
    kernel = f"R2 detector bank {CHANNELS}ch x {FRAME}"
    bank = R2ToneDetectorBank(CHANNELS, "forward")

    def run_bank() -> None:
        for f in frames:
            bank.process(f)

    rows.append(Row(kernel, "boardlib bank", channels_per_core(run_bank, total),
                    note="every channel signalling: ~11 events/s each"))
    rows.append(Row(f"{kernel}, 1 channel in 8 signalling", "boardlib bank",
                    channels_per_core(run_quiet, total)))

    singles = [R2ToneDetector("forward") for _ in range(48)]
    per_channel = [np.ascontiguousarray(audio[ch]) for ch in range(48)]

    def run_single() -> None:
        for det, x in zip(singles, per_channel, strict=True):
            for i in range(FRAMES):
                det.process(x[i * FRAME:(i + 1) * FRAME])

    rows.append(Row(kernel, "boardlib per-channel",
                    channels_per_core(run_single, 48 * FRAMES * FRAME),
                    note="one R2ToneDetector per channel, 160-sample frames"))

    try:
        from tests.reference.spandsp import R2MfRxBank

        peer = R2MfRxBank(CHANNELS, forward=True)
        quiet_peer = R2MfRxBank(CHANNELS, forward=True)
    except Exception as exc:  # no compiler, header or library: report and go on
        rows.append(Row(kernel, PEER, 0.0, note=f"unavailable: {type(exc).__name__}: {exc}"))
    else:
        def run_peer() -> None:
            for f in frames:
                peer.process(f)

        rows.append(Row(kernel, PEER, channels_per_core(run_peer, total),
                        note="r2_mf_rx per channel, C loop over the bank"))

        def run_peer_quiet() -> None:
            for f in quiet_frames:
                quiet_peer.process(f)

        rows.append(Row(f"{kernel}, 1 channel in 8 signalling", PEER,
                        channels_per_core(run_peer_quiet, total)))

    gen = R2ToneGenerator("forward")
    gen.start(5)
    out = np.empty(FRAME, np.int16)

    def run_gen() -> None:
        for _ in range(FRAMES):
            gen.generate_into(out)

    rows.append(Row(f"R2 generator, {FRAME}-sample frames", "boardlib",
                    channels_per_core(run_gen, FRAMES * FRAME)))
    compare(rows, "boardlib bank", PEER)
    compare(rows, "boardlib per-channel", PEER)
    return rows


if __name__ == "__main__":
    for row in measure():
        print(row)
