"""pytest-benchmark: call-progress tone detection by frame size (80/160/1024) and bank size
(1/32/256).

Run with ``python -m pytest benchmarks/bench_progress.py``. Each case feeds one
``(bank, frame)`` block of line audio (busy and ringback tones, noise bursts, silence; see
``benchmarks/rt_progress.py``) to a :class:`ToneDetectorBank`, or frames to one
:class:`ToneDetector`.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.rt_progress import _audio
from boardlib.dsp import ToneDetector, ToneDetectorBank

FRAMES = [80, 160, 1024]
BANKS = [1, 32, 256]
STEPS = 64


@pytest.fixture(params=BANKS, ids=lambda b: f"bank{b}")
def bank(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture(params=FRAMES, ids=lambda f: f"frame{f}")
def frame(request: pytest.FixtureRequest) -> int:
    return request.param


def _blocks(bank: int, frame: int) -> list[np.ndarray]:
    audio = _audio(bank, (STEPS * frame) // 160 + 1, "typical")
    return [np.ascontiguousarray(audio[:, i * frame:(i + 1) * frame]) for i in range(STEPS)]


def test_progress_bank(benchmark, bank: int, frame: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"progress bank{bank}"
    blocks = _blocks(bank, frame)
    det = ToneDetectorBank(bank, "cn")
    state = {"i": 0}

    def step() -> None:
        det.process(blocks[state["i"] % STEPS])
        state["i"] += 1

    benchmark(step)


def test_progress_single(benchmark, frame: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "progress single"
    frames = [b[0] for b in _blocks(1, frame)]
    det = ToneDetector("cn")
    state = {"i": 0}

    def step() -> None:
        det.process(frames[state["i"] % STEPS])
        state["i"] += 1

    benchmark(step)
