"""Tone and DTMF generation: realtime channels per core, ours against spandsp 0.0.6.

Same tones for both: China busy (450 Hz at -12 dBm0, 350/350 ms), North American dial tone
(350 + 440 Hz at -13 dBm0, continuous) and continuous DTMF (the 16 keys over and over,
50 ms on / 50 ms off, -10 dBm0). Two shapes of work:

* ``frame``: 64 separate calls filling 160-sample frames (20 ms, one channel's packet);
* ``block``: one call filling 8000 samples (the oscillator cost without per-call overhead).

The peer is ``tests/reference/spandsp.py`` (``ToneGen``, ``DtmfTx``: spandsp's C loop behind a
cffi call and a small Python wrapper that checks the buffer). ``spandsp 0.0.6 (bare cffi)``
calls the C function straight through cffi with a pointer made once, the lowest per-call
cost spandsp can have from Python. Ratios are against the wrapper; see the bare rows too.
"""

from __future__ import annotations

import numpy as np

from benchmarks.realtime import Row, channels_per_core, compare
from boardlib.dsp import DtmfGenerator, ToneGenerator

SECTION = "Tone and DTMF generation"

OURS = "boardlib"
PEER = "spandsp 0.0.6"
BARE = "spandsp 0.0.6 (bare cffi)"
FRAME = 160
FRAMES_PER_RUN = 64
BLOCK = 8000
KEYS = "1234567890*#ABCD"


def _spandsp():
    try:
        from tests.reference import spandsp
    except ImportError:
        return None
    return spandsp if spandsp.available() else None


def _frames_runner(fill, frames):
    def run() -> None:
        for f in frames:
            fill(f)
    return run


def _dtmf_filler(gen):
    """``generate_into`` that keeps the generator busy: re-queues the keys when it runs dry."""
    put = gen.put
    into = gen.generate_into

    def fill(out: np.ndarray) -> None:
        if into(out) < out.shape[0]:
            put(KEYS)
    return fill


def measure() -> list[Row]:
    frames = [np.empty(FRAME, np.int16) for _ in range(FRAMES_PER_RUN)]
    block = np.empty(BLOCK, np.int16)
    frame_n = FRAME * FRAMES_PER_RUN
    spandsp = _spandsp()
    rows: list[Row] = []

    tones = {
        "tone cn busy 450 Hz": (lambda: ToneGenerator("busy", profile="cn"),
                                lambda: spandsp.ToneGen(450, -12, 0, 0, 350, 350)),
        "tone us dial 350+440 Hz": (lambda: ToneGenerator("dial", profile="us"),
                                    lambda: spandsp.ToneGen(350, -13, 440, -13, 10000, 0)),
    }
    for name, (ours, peer) in tones.items():
        g = ours()
        rows.append(Row(f"{name}, frame", OURS, channels_per_core(
            _frames_runner(g.generate_into, frames), frame_n)))
        rows.append(Row(f"{name}, block", OURS, channels_per_core(
            lambda g=g: g.generate_into(block), BLOCK)))
        if spandsp is not None:
            p = peer()
            rows.append(Row(f"{name}, frame", PEER, channels_per_core(
                _frames_runner(p.generate_into, frames), frame_n)))
            rows.append(Row(f"{name}, block", PEER, channels_per_core(
                lambda p=p: p.generate_into(block), BLOCK)))
            lib, ffi, gen = p._lib, p._ffi, p._gen
            ptrs = [ffi.from_buffer("int16_t[]", f) for f in frames]
            fn = lib.or_tone_gen

            def bare(ptrs=ptrs, fn=fn, gen=gen) -> None:
                for q in ptrs:
                    fn(gen, q, FRAME)
            rows.append(Row(f"{name}, frame", BARE, channels_per_core(bare, frame_n)))

    g = DtmfGenerator(on_ms=50, off_ms=50)
    g.put(KEYS)
    rows.append(Row("dtmf continuous, frame", OURS, channels_per_core(
        _frames_runner(_dtmf_filler(g), frames), frame_n)))
    fill_block = _dtmf_filler(g)
    rows.append(Row("dtmf continuous, block", OURS, channels_per_core(
        lambda: fill_block(block), BLOCK)))
    if spandsp is not None:
        p = spandsp.DtmfTx(level_dbm0=-10, on_ms=50, off_ms=50)
        p.put(KEYS)
        rows.append(Row("dtmf continuous, frame", PEER, channels_per_core(
            _frames_runner(_dtmf_filler(p), frames), frame_n)))
        pfill_block = _dtmf_filler(p)
        rows.append(Row("dtmf continuous, block", PEER, channels_per_core(
            lambda: pfill_block(block), BLOCK)))
        lib, ffi, tx = p._lib, p._ffi, p._tx
        ptrs = [ffi.from_buffer("int16_t[]", f) for f in frames]
        fn, put = lib.dtmf_tx, lib.dtmf_tx_put
        keys = KEYS.encode()

        def bare_dtmf(ptrs=ptrs) -> None:
            for q in ptrs:
                if fn(tx, q, FRAME) < FRAME:
                    put(tx, keys, len(keys))
        rows.append(Row("dtmf continuous, frame", BARE, channels_per_core(bare_dtmf, frame_n)))

    compare(rows, OURS, PEER)
    return rows


if __name__ == "__main__":
    from benchmarks.realtime import main

    raise SystemExit(main(["rt_gen"]))
