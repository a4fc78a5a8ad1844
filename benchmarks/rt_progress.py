"""Call progress: realtime channels per core of the tone-detection bank.

Kernel: :class:`boardlib.dsp.ToneDetectorBank` (profile ``cn`` with the fax/modem tones: 9
Goertzel filters, the V.21 band included) over 256 channels × 160-sample frames, on two mixes
of line audio (see ``_audio``). Also measured on the same audio:
:class:`boardlib.dsp.DtmfDetectorBank` over the same 256 channels, printed beside the tone bank
with the cost ratio (the tone bank's CPU time per channel over the DTMF bank's: a server runs
both on every channel, and the target is at most 2), the compiled core alone (no cadence
matching or event objects), one
:class:`boardlib.dsp.ToneDetector` per channel, a plain numpy Goertzel bank over the same
frequencies (powers only), and the peer: spandsp's ``super_tone_rx`` (one receiver per
channel, looped in C, China tone set; it covers only the four national tones, not the
fax/modem tones or voice activity).
"""

from __future__ import annotations

import numpy as np

from benchmarks.realtime import Row, channels_per_core, compare
from tests.reference.spandsp_progress import SuperToneBank

PEER = "spandsp 0.0.6"

SECTION = "Call progress"
CHANNELS = 256
FRAME = 160
FRAMES = 50  # one second of audio per run


def _audio(channels: int, frames: int, mix: str) -> np.ndarray:
    """``busy``: every channel switches every 350-500 ms (busy tone or noise bursts), the
    worst case for the event layer. ``typical``: a quarter each of ringback, speech-like
    noise bursts, silence and busy tone."""
    rng = np.random.default_rng(7)
    n = frames * FRAME
    t = np.arange(n) / 8000.0
    out = np.zeros((channels, n))
    for ch in range(channels):
        kind = ch % 3 if mix == "busy" else ch % 4
        phase = (t * 1000 + ch * 37)
        if kind == 0:  # busy tone 350/350 ms, 450 Hz at -20 dBm0
            out[ch] = 2000 * np.sin(2 * np.pi * 450 * t + ch) * ((phase % 700) < 350)
        elif kind == 1:  # noise bursts at speech-like levels
            out[ch] = rng.standard_normal(n) * 1500 * (((t * 1000 + ch * 53) % 900) < 500)
        elif kind == 3:  # ringback 1 s / 4 s
            out[ch] = 2000 * np.sin(2 * np.pi * 450 * t + ch) * ((phase % 5000) < 1000)
        out[ch] += rng.standard_normal(n) * 20
    return np.clip(out, -32768, 32767).astype(np.int16)


def measure() -> list[Row]:
    from boardlib.dsp import DtmfDetectorBank, ToneDetector, ToneDetectorBank

    rows = []
    total = CHANNELS * FRAMES * FRAME
    freqs = np.array(ToneDetectorBank(1, "cn")._compiled.freqs, dtype=float)
    coef = (2 * np.cos(2 * np.pi * freqs / 8000)).astype(np.float32)[:, None]
    for mix in ("typical", "busy"):
        kernel = f"tone bank 256ch x 160, {mix} mix"
        audio = _audio(CHANNELS, FRAMES, mix)
        frames = [np.ascontiguousarray(audio[:, i * FRAME:(i + 1) * FRAME])
                  for i in range(FRAMES)]
        bank = ToneDetectorBank(CHANNELS, "cn")

        def run_bank(frames=frames, bank=bank) -> None:
            for f in frames:
                bank.process(f)

        tone_rate = channels_per_core(run_bank, total)
        rows.append(Row(kernel, "boardlib bank", tone_rate))
        dtmf = DtmfDetectorBank(CHANNELS)

        def run_dtmf(frames=frames, dtmf=dtmf) -> None:
            for f in frames:
                dtmf.process(f)

        dtmf_rate = channels_per_core(run_dtmf, total)
        rows.append(Row(kernel, "boardlib DTMF bank", dtmf_rate,
                        note=f"DtmfDetectorBank on the same audio; the tone bank costs "
                             f"{dtmf_rate / tone_rate:.2f}x its CPU time per channel "
                             f"(target at most 2x)"))
        core = ToneDetectorBank(CHANNELS, "cn")._core

        def run_core(frames=frames, core=core) -> None:
            for f in frames:
                core.process(f)

        rows.append(Row(kernel, "boardlib core only", channels_per_core(run_core, total),
                        note="Goertzel, classification and runs; no cadence or events"))

        def run_numpy(frames=frames) -> None:
            for f in frames:
                x = f.T.astype(np.float32)
                s1 = np.zeros((len(freqs), CHANNELS), np.float32)
                s2 = np.zeros_like(s1)
                for t in range(FRAME):
                    s0 = x[t] + coef * s1 - s2
                    s2 = s1
                    s1 = s0
                _ = s1 * s1 + s2 * s2 - coef * s1 * s2

        rows.append(Row(kernel, "numpy Goertzel", channels_per_core(run_numpy, total),
                        note=f"{len(freqs)} frequencies, powers only"))
        peer = SuperToneBank(CHANNELS)

        def run_peer(frames=frames, peer=peer) -> None:
            for f in frames:
                peer.process(f)

        rows.append(Row(kernel, PEER, channels_per_core(run_peer, total),
                        note="super_tone_rx per channel, China dial/busy/congestion/ringback"))
        if mix == "typical":
            singles = [ToneDetector("cn") for _ in range(16)]
            per_channel = [np.ascontiguousarray(audio[ch]) for ch in range(16)]

            def run_single(singles=singles, per_channel=per_channel) -> None:
                for det, x in zip(singles, per_channel, strict=True):
                    for i in range(FRAMES):
                        det.process(x[i * FRAME:(i + 1) * FRAME])

            rows.append(Row(kernel, "boardlib per-channel",
                            channels_per_core(run_single, 16 * FRAMES * FRAME),
                            note="one ToneDetector per channel, 160-sample frames"))
    compare(rows, "boardlib bank", PEER)
    compare(rows, "boardlib core only", PEER)
    return rows
