"""DTMF detection: realtime channels per core of the DTMF receivers, beside spandsp.

Kernels, all fed 160-sample (20 ms) frames:

* one :class:`boardlib.dsp.DtmfDetector` (one channel);
* :class:`boardlib.dsp.DtmfDetectorBank` over 256 channels;
* two banks in two Python threads, 128 channels each (the same 256 channels split) and 256
  channels each (wall-clock throughput, compared with the same two banks run one after the
  other in one thread: the ratio shows the GIL is released);
* spandsp's ``dtmf_rx`` over the same 256 channels (``tests.reference.spandsp.DtmfRxBank``).

Two audio mixes: ``dialling`` (every channel dials 50 ms / 50 ms digits all the time: the
worst case, one event per channel every 100 ms) and ``typical`` (a quarter each of dialling,
speech-like noise bursts, dial tone and near-silence). The notes also give false digits per
hour of each receiver on the speech-and-music talk-off corpus.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from benchmarks.realtime import SAMPLE_RATE, Row, channels_per_core, compare

SECTION = "DTMF detection"
CHANNELS = 256
FRAME = 160
SECONDS = 2


def _dialling(n: int, rng: np.random.Generator) -> np.ndarray:
    from tests.reference import signals as S

    digits = "".join(rng.choice(list(S.KEYPAD), size=n // 800 + 1))
    x = S.dtmf(digits, on_ms=50, off_ms=50, level_dbm0=float(rng.uniform(-25, -5)), rng=rng,
               lead=int(rng.integers(0, 400)))
    return x[:n]


def _audio(channels: int, n: int, mix: str) -> np.ndarray:
    rng = np.random.default_rng(24)
    t = np.arange(n) / SAMPLE_RATE
    out = np.zeros((channels, n), dtype=np.int16)
    for ch in range(channels):
        kind = 0 if mix == "dialling" else ch % 4
        if kind == 0:
            out[ch] = _dialling(n, rng)
            continue
        if kind == 1:  # speech-like noise bursts
            x = rng.standard_normal(n) * 1500 * (((t * 1000 + ch * 53) % 900) < 500)
        elif kind == 2:  # dial tone 450 Hz at -10 dBm0
            x = 7219 * np.sin(2 * np.pi * 450 * t + ch)
        else:  # near silence
            x = rng.standard_normal(n) * 10
        out[ch] = np.clip(np.rint(x), -32768, 32767).astype(np.int16)
    return out


def _frames(audio: np.ndarray) -> list[np.ndarray]:
    return [np.ascontiguousarray(audio[:, i:i + FRAME])
            for i in range(0, audio.shape[1] - FRAME + 1, FRAME)]


def _wall_rate(run, samples: int, min_seconds: float = 1.0) -> float:  # type: ignore[no-untyped-def]
    run()
    best = 0.0
    for _ in range(3):
        calls, start = 0, time.perf_counter()
        while True:
            run()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        best = max(best, calls * samples / elapsed / SAMPLE_RATE)
    return best


def thread_scaling(audio: np.ndarray, per_bank: int) -> tuple[float, float]:
    """Wall-clock realtime channels of two banks of ``per_bank`` channels: one thread, then two.

    With ``per_bank`` half the channels the two banks split the same 256 channels; with
    ``per_bank`` all of them each thread runs a 256-channel bank of its own (512 channels).
    """
    from boardlib.dsp import DtmfDetectorBank

    if per_bank == audio.shape[0]:
        parts = [_frames(audio), _frames(audio.copy())]
    else:
        parts = [_frames(np.ascontiguousarray(audio[:per_bank])),
                 _frames(np.ascontiguousarray(audio[per_bank:2 * per_bank]))]
    banks = [DtmfDetectorBank(per_bank), DtmfDetectorBank(per_bank)]
    repeats = 10  # long runs, so that starting the threads does not count
    total = 2 * per_bank * len(parts[0]) * FRAME * repeats

    def feed(i: int) -> None:
        for _ in range(repeats):
            for f in parts[i]:
                banks[i].process(f)

    def one_thread() -> None:
        feed(0)
        feed(1)

    def two_threads() -> None:
        threads = [threading.Thread(target=feed, args=(i,)) for i in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

    return _wall_rate(one_thread, total), _wall_rate(two_threads, total)


def false_digits_per_hour(seconds: int = 600) -> tuple[float, float] | None:
    """False digits per hour of speech and music: ours, spandsp (None without the corpus)."""
    from boardlib.dsp import DtmfDetector
    from tests.reference import spandsp, talkoff

    try:
        audio = talkoff.speech_and_music(seconds, 11)
    except Exception:  # pragma: no cover - corpus tools missing
        return None
    det = DtmfDetector()
    ours = len(det.process(audio) + det.flush())
    rx = spandsp.DtmfRx()
    rx.process(audio)
    peer = len(rx.digits())
    return ours * 3600 / seconds, peer * 3600 / seconds


def measure() -> list[Row]:
    from boardlib.dsp import DtmfDetector, DtmfDetectorBank
    from boardlib.dsp._dtmf import _test_simd_level
    from tests.reference import spandsp

    rows: list[Row] = []
    n = SECONDS * SAMPLE_RATE
    simd = _test_simd_level()
    for mix in ("dialling", "typical"):
        audio = _audio(CHANNELS, n, mix)
        frames = _frames(audio)
        total = CHANNELS * len(frames) * FRAME

        single = DtmfDetector()
        row0 = [np.ascontiguousarray(f[0]) for f in frames]

        def run_single(row0=row0, single=single) -> None:
            for f in row0:
                single.process(f)

        bank = DtmfDetectorBank(CHANNELS)

        def run_bank(frames=frames, bank=bank) -> None:
            for f in frames:
                bank.process(f)

        peer = spandsp.DtmfRxBank(CHANNELS)

        def run_peer(frames=frames, peer=peer) -> None:
            for f in frames:
                peer.process(f)

        kernel = f"bank 256ch x 160, {mix}"
        rows.append(Row(f"single channel x 160, {mix}", "boardlib",
                        channels_per_core(run_single, len(row0) * FRAME), note=simd))
        rows.append(Row(kernel, "boardlib", channels_per_core(run_bank, total), note=simd))
        rows.append(Row(kernel, "spandsp", channels_per_core(run_peer, total),
                        note="dtmf_rx, one C loop over the channels"))
        for per_bank in (CHANNELS // 2, CHANNELS):
            one, two = thread_scaling(audio, per_bank)
            kernel = f"2 banks x {per_bank}ch, {mix}, wall clock"
            rows.append(Row(kernel, "boardlib 1 thread", one))
            rows.append(Row(kernel, "boardlib 2 threads", two,
                            note=f"{two / one:.2f}x the 1-thread figure"))
    compare(rows, "boardlib", "spandsp")
    talk = false_digits_per_hour()
    if talk is not None:
        rows[-1].note += (f"; talk-off on 10 min of speech and music: boardlib "
                          f"{talk[0]:.0f} false digits/h, spandsp {talk[1]:.0f}/h")
    return rows
