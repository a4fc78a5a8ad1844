"""pytest-benchmark: DTMF banks on 1 and 2 threads (the bank releases the GIL).

Run with ``python -m pytest benchmarks/bench_threads.py``. Both cases process the same two
128-channel banks for one second of 160-sample frames; with the GIL released, the 2-thread
case should take about half the wall-clock time of the 1-thread case on a 2-core machine.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from boardlib.dsp import DtmfDetectorBank
from tests.reference import signals as S

CHANNELS = 128
FRAME = 160


@pytest.fixture(scope="module")
def parts() -> list[list[np.ndarray]]:
    rng = np.random.default_rng(9)
    x = S.dtmf(S.KEYPAD * 5, rng=rng)[:8000]
    out = []
    for k in range(2):
        block = np.stack([np.roll(x, 31 * ch + k) for ch in range(CHANNELS)])
        out.append([np.ascontiguousarray(block[:, i:i + FRAME]) for i in range(0, 8000, FRAME)])
    return out


@pytest.mark.parametrize("threads", [1, 2])
def test_dtmf_banks_threads(benchmark, parts, threads: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "dtmf 2 x 128 channels, 1 s"
    banks = [DtmfDetectorBank(CHANNELS) for _ in parts]

    def feed(i: int) -> None:
        for f in parts[i]:
            banks[i].process(f)

    def run() -> None:
        if threads == 1:
            feed(0)
            feed(1)
            return
        ts = [threading.Thread(target=feed, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    benchmark(run)
