"""pytest-benchmark: G.711 kernels by frame size (80/160/1024) and bank size (1/32/256).

Run with ``python -m pytest benchmarks/bench_g711.py``. Each case converts one
``(bank, frame)`` block with the ``_into`` form (no allocation) in one call.
"""

from __future__ import annotations

import numpy as np
import pytest

from boardlib.dsp import _g711 as g711

FRAMES = [80, 160, 1024]
BANKS = [1, 32, 256]

KERNELS = {
    "alaw_encode": (g711.alaw_encode_into, np.int16, np.uint8),
    "ulaw_encode": (g711.ulaw_encode_into, np.int16, np.uint8),
    "alaw_decode": (g711.alaw_decode_into, np.uint8, np.int16),
    "ulaw_decode": (g711.ulaw_decode_into, np.uint8, np.int16),
    "alaw_to_ulaw": (g711.alaw_to_ulaw_into, np.uint8, np.uint8),
    "ulaw_to_alaw": (g711.ulaw_to_alaw_into, np.uint8, np.uint8),
}


@pytest.fixture(params=BANKS, ids=lambda b: f"bank{b}")
def bank(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture(params=FRAMES, ids=lambda f: f"frame{f}")
def frame(request: pytest.FixtureRequest) -> int:
    return request.param


def _block(dtype: type, bank: int, frame: int) -> np.ndarray:
    rng = np.random.default_rng(711)
    if dtype is np.int16:
        x = rng.laplace(0, 3000, size=(bank, frame))
        return np.clip(x, -32768, 32767).astype(np.int16)
    return rng.integers(0, 256, size=(bank, frame), dtype=np.uint8)


@pytest.mark.parametrize("name", list(KERNELS))
def test_g711(benchmark, name: str, bank: int, frame: int) -> None:
    fn, in_dtype, out_dtype = KERNELS[name]
    src = _block(in_dtype, bank, frame)
    out = np.empty((bank, frame), out_dtype)
    benchmark.group = f"g711 {name}"
    benchmark.extra_info["samples"] = bank * frame
    n = benchmark(fn, src, out)
    assert n == bank * frame
