"""pytest-benchmark: DTMF receivers by frame size (80/160/1024) and bank size (1/32/256).

Run with ``python -m pytest benchmarks/bench_dtmf.py``. Each case feeds one ``(bank, frame)``
block of dialling audio (50 ms / 50 ms digits) to a :class:`DtmfDetectorBank`.
"""

from __future__ import annotations

import numpy as np
import pytest

from boardlib.dsp import DtmfDetector, DtmfDetectorBank
from tests.reference import signals as S

FRAMES = [80, 160, 1024]
BANKS = [1, 32, 256]


def _audio(bank: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(5)
    x = S.dtmf(S.KEYPAD * (n // 12800 + 1), rng=rng)[:n]
    return np.ascontiguousarray(np.stack([np.roll(x, 37 * ch) for ch in range(bank)]))


@pytest.fixture(params=BANKS, ids=lambda b: f"bank{b}")
def bank(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture(params=FRAMES, ids=lambda f: f"frame{f}")
def frame(request: pytest.FixtureRequest) -> int:
    return request.param


def test_dtmf_bank(benchmark, bank: int, frame: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"dtmf bank{bank}"
    audio = _audio(bank, 16 * frame)
    blocks = [np.ascontiguousarray(audio[:, i:i + frame]) for i in range(0, 16 * frame, frame)]
    det = DtmfDetectorBank(bank)
    state = {"i": 0}

    def step() -> None:
        det.process(blocks[state["i"] % 16])
        state["i"] += 1

    benchmark(step)


def test_dtmf_single(benchmark, frame: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "dtmf single"
    audio = _audio(1, 16 * frame)[0]
    frames = [audio[i:i + frame] for i in range(0, 16 * frame, frame)]
    det = DtmfDetector()
    state = {"i": 0}

    def step() -> None:
        det.process(frames[state["i"] % 16])
        state["i"] += 1

    benchmark(step)


@pytest.mark.parametrize("law", [None, "alaw"])
def test_dtmf_construction(benchmark, law: str | None) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "dtmf construction"
    benchmark(DtmfDetector, threshold_dbm0=-40.0, law=law)
