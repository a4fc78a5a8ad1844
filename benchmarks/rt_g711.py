"""G.711 encode/decode/transcode: realtime channels per core, ours against peers.

Two shapes of work, on the same random audio for every implementation:

* ``bank``: one call on a 256 x 160 block (256 channels, one 20 ms frame each);
* ``frame``: 256 separate calls on 160-sample frames (the per-call cost of a channel loop).

Peers: spandsp 0.0.6 (``tests/reference/spandsp.py``, a C loop over ``linear_to_alaw`` etc.),
CPython's ``audioop`` (one call per 160-sample frame; deprecated module), and a numpy
lookup table (``table[codes]``, ``table[pcm >> 3]``). ``boardlib`` is the kernel chosen at
run time; ``boardlib-KERNEL`` rows measure the other kernels this CPU can run, forced, one row
per distinct code (the note names every kernel that runs it): ``ssse3`` (x86-64 CPUs without
AVX2) runs the ``sse2`` encoders and decoders and its own transcoders, ``sse2`` (the x86-64
baseline) the ``table`` transcoders, and ``table`` is the portable C, the only kernel on other
architectures. Ratios are against spandsp.
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks.realtime import Row, channels_per_core, compare
from boardlib.dsp import _g711 as g711

SECTION = "G.711"

CHANNELS = 256
FRAME = 160
# all 256 frames, not a few repeated: a short repeated input lets the branch predictor learn
# the data, which flatters branchy peers (audioop's segment search) by about 3x
FRAMES_PER_RUN = CHANNELS
MIN_SECONDS = 0.25
KERNELS = ("avx2", "ssse3", "sse2", "table")


def _same_code(kernel: str, transcoder: bool) -> str:
    """The kernel whose code ``kernel`` runs for this operation."""
    if transcoder:
        return "table" if kernel == "sse2" else kernel
    return "sse2" if kernel == "ssse3" else kernel


def _audioop():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop
        except ImportError:  # Python >= 3.13
            return None
    return audioop


def _numpy_tables() -> dict[str, np.ndarray]:
    from tests.reference import g191

    return {
        "alaw_enc": np.array([g191.alaw_compress(((i ^ 0x1000) - 0x1000) << 3)
                              for i in range(8192)], np.uint8),
        "ulaw_enc": np.array([g191.ulaw_compress(((i ^ 0x2000) - 0x2000) << 2)
                              for i in range(16384)], np.uint8),
        "alaw_dec": np.array([g191.alaw_expand(c) for c in range(256)], np.int16),
        "ulaw_dec": np.array([g191.ulaw_expand(c) for c in range(256)], np.int16),
        "alaw_to_ulaw": g711.alaw_to_ulaw(np.arange(256, dtype=np.uint8)),
        "ulaw_to_alaw": g711.ulaw_to_alaw(np.arange(256, dtype=np.uint8)),
    }


def measure() -> list[Row]:
    rng = np.random.default_rng(711)
    # speech-like magnitudes: mostly small, some loud (uniform int16 would be all segment 7)
    pcm = np.clip(rng.laplace(0, 3000, size=(CHANNELS, FRAME)), -32768, 32767).astype(np.int16)
    codes = rng.integers(0, 256, size=(CHANNELS, FRAME), dtype=np.uint8)
    out8 = np.empty((CHANNELS, FRAME), np.uint8)
    out16 = np.empty((CHANNELS, FRAME), np.int16)
    pcm_rows = [pcm[i] for i in range(FRAMES_PER_RUN)]
    code_rows = [codes[i] for i in range(FRAMES_PER_RUN)]
    out8_rows = [out8[i] for i in range(FRAMES_PER_RUN)]
    out16_rows = [out16[i] for i in range(FRAMES_PER_RUN)]
    pcm_bytes = [r.tobytes() for r in pcm_rows]
    code_bytes = [r.tobytes() for r in code_rows]
    pcm_bank_bytes = [pcm[i].tobytes() for i in range(CHANNELS)]
    code_bank_bytes = [codes[i].tobytes() for i in range(CHANNELS)]
    tables = _numpy_tables()
    audioop = _audioop()
    try:
        from tests.reference import spandsp
        if not spandsp.available():
            spandsp = None
    except ImportError:
        spandsp = None

    bank_n = CHANNELS * FRAME
    frame_n = FRAMES_PER_RUN * FRAME

    # kernel -> (our function, input kind, output bank, peer names)
    kernels = {
        "alaw encode": ("alaw_encode", "pcm", out8, "lin2alaw", (tables["alaw_enc"], 3)),
        "ulaw encode": ("ulaw_encode", "pcm", out8, "lin2ulaw", (tables["ulaw_enc"], 2)),
        "alaw decode": ("alaw_decode", "codes", out16, "alaw2lin", (tables["alaw_dec"], 0)),
        "ulaw decode": ("ulaw_decode", "codes", out16, "ulaw2lin", (tables["ulaw_dec"], 0)),
        "alaw to ulaw": ("alaw_to_ulaw", "codes", out8, None, (tables["alaw_to_ulaw"], 0)),
        "ulaw to alaw": ("ulaw_to_alaw", "codes", out8, None, (tables["ulaw_to_alaw"], 0)),
    }

    rows: list[Row] = []
    kernel_before = g711._test_kernel()
    available = [k for k in KERNELS[KERNELS.index(kernel_before):]
                 if g711._test_select_kernel(k) == k]
    g711._test_select_kernel(kernel_before)
    impls: list[str] = []
    try:
        for kernel, (name, kind, out_bank, audioop_name, (table, shift)) in kernels.items():
            src_bank = pcm if kind == "pcm" else codes
            src_rows = pcm_rows if kind == "pcm" else code_rows
            out_rows = out8_rows if out_bank is out8 else out16_rows
            ours = getattr(g711, name + "_into")

            def bank(fn=ours, s=src_bank, o=out_bank):
                fn(s, o)

            def frames(fn=ours, ss=src_rows, oo=out_rows):
                for s, o in zip(ss, oo, strict=True):
                    fn(s, o)

            transcoder = kind == "codes" and out_bank is out8
            codes_run = dict.fromkeys(_same_code(k, transcoder) for k in available)
            for code in codes_run:
                runs = [k for k in available if _same_code(k, transcoder) == code]
                impl = "boardlib" if kernel_before in runs else f"boardlib-{code}"
                if impl not in impls:
                    impls.append(impl)
                g711._test_select_kernel(code)
                note = ", also ".join([code] + [k for k in runs if k != code])
                rows.append(Row(f"{kernel} {CHANNELS}x{FRAME}", impl,
                                channels_per_core(bank, bank_n, MIN_SECONDS), note=note))
                rows.append(Row(f"{kernel} {FRAME} frame", impl,
                                channels_per_core(frames, frame_n, MIN_SECONDS), note=note))
            g711._test_select_kernel(kernel_before)

            if spandsp is not None:
                sp = getattr(spandsp, name + "_into")
                flat_s, flat_o = src_bank.reshape(-1), out_bank.reshape(-1)

                def sp_bank(fn=sp, s=flat_s, o=flat_o):
                    fn(s, o)

                def sp_frames(fn=sp, ss=src_rows, oo=out_rows):
                    for s, o in zip(ss, oo, strict=True):
                        fn(s, o)

                rows.append(Row(f"{kernel} {CHANNELS}x{FRAME}", "spandsp",
                                channels_per_core(sp_bank, bank_n, MIN_SECONDS),
                                note="cffi, C loop"))
                rows.append(Row(f"{kernel} {FRAME} frame", "spandsp",
                                channels_per_core(sp_frames, frame_n, MIN_SECONDS),
                                note="cffi, C loop"))

            if audioop is not None and audioop_name is not None:
                fn = getattr(audioop, audioop_name)
                bank_bytes = pcm_bank_bytes if kind == "pcm" else code_bank_bytes
                frame_bytes = pcm_bytes if kind == "pcm" else code_bytes

                def ao_bank(fn=fn, bb=bank_bytes):
                    for b in bb:
                        fn(b, 2)

                def ao_frames(fn=fn, bb=frame_bytes):
                    for b in bb:
                        fn(b, 2)

                rows.append(Row(f"{kernel} {CHANNELS}x{FRAME}", "audioop",
                                channels_per_core(ao_bank, bank_n, MIN_SECONDS),
                                note="one call per frame"))
                rows.append(Row(f"{kernel} {FRAME} frame", "audioop",
                                channels_per_core(ao_frames, frame_n, MIN_SECONDS)))

            if shift:
                def np_bank(t=table, s=src_bank, k=shift):
                    t[s >> k]

                def np_frames(t=table, ss=src_rows, k=shift):
                    for s in ss:
                        t[s >> k]
                np_note = f"table[pcm >> {shift}]"
            else:
                def np_bank(t=table, s=src_bank):
                    t[s]

                def np_frames(t=table, ss=src_rows):
                    for s in ss:
                        t[s]
                np_note = "table[codes]"
            rows.append(Row(f"{kernel} {CHANNELS}x{FRAME}", "numpy",
                            channels_per_core(np_bank, bank_n, MIN_SECONDS), note=np_note))
            rows.append(Row(f"{kernel} {FRAME} frame", "numpy",
                            channels_per_core(np_frames, frame_n, MIN_SECONDS), note=np_note))
    finally:
        g711._test_select_kernel(kernel_before)

    for impl in impls:
        compare(rows, impl, "spandsp")
    return rows


if __name__ == "__main__":
    for r in measure():
        print(r)
