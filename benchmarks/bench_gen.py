"""pytest-benchmark: tone and DTMF generation by frame size (80/160/1024).

Run with ``python -m pytest benchmarks/bench_gen.py``. Each case fills one reused frame with
``generate_into`` (no allocation). The spandsp cases (``tests/reference/spandsp.py``) run the
same tones through spandsp 0.0.6's ``tone_gen`` / ``dtmf_tx`` for side-by-side groups.
"""

from __future__ import annotations

import numpy as np
import pytest

from boardlib.dsp import DtmfGenerator, ToneGenerator

FRAMES = [80, 160, 1024]
KEYS = "1234567890*#ABCD"

TONES = {
    # name: (our generator, spandsp ToneGen arguments)
    "cn busy 450": (lambda: ToneGenerator("busy", profile="cn"), (450, -12, 0, 0, 350, 350)),
    "us dial 350+440": (lambda: ToneGenerator("dial", profile="us"),
                        (350, -13, 440, -13, 10000, 0)),
    "us howler 4 tones": (lambda: ToneGenerator("howler", profile="us"), None),
    "ansam_pr": (lambda: ToneGenerator("ans_pr"), None),
}


@pytest.fixture(params=FRAMES, ids=lambda f: f"frame{f}")
def frame(request: pytest.FixtureRequest) -> int:
    return request.param


def _spandsp():
    from tests.reference import spandsp

    if not spandsp.available():
        pytest.skip(f"spandsp peer unavailable: {spandsp.unavailable_reason()}")
    return spandsp


def _keep_busy(gen):
    into, put = gen.generate_into, gen.put

    def fill(out: np.ndarray) -> int:
        got = into(out)
        if got < out.shape[0]:
            put(KEYS)
        return got
    return fill


@pytest.mark.parametrize("tone", list(TONES))
def test_tone_generator(benchmark, tone: str, frame: int) -> None:
    g = TONES[tone][0]()
    out = np.empty(frame, np.int16)
    benchmark.group = f"tone {tone} frame{frame}"
    benchmark.extra_info["samples"] = frame
    benchmark(g.generate_into, out)


@pytest.mark.parametrize("tone", [t for t, (_, args) in TONES.items() if args is not None])
def test_spandsp_tone_gen(benchmark, tone: str, frame: int) -> None:
    g = _spandsp().ToneGen(*TONES[tone][1])
    out = np.empty(frame, np.int16)
    benchmark.group = f"tone {tone} frame{frame}"
    benchmark.extra_info["samples"] = frame
    benchmark(g.generate_into, out)


def test_dtmf_generator(benchmark, frame: int) -> None:
    g = DtmfGenerator(on_ms=50, off_ms=50)
    g.put(KEYS)
    out = np.empty(frame, np.int16)
    benchmark.group = f"dtmf continuous frame{frame}"
    benchmark.extra_info["samples"] = frame
    benchmark(_keep_busy(g), out)


def test_spandsp_dtmf_tx(benchmark, frame: int) -> None:
    g = _spandsp().DtmfTx(level_dbm0=-10, on_ms=50, off_ms=50)
    g.put(KEYS)
    out = np.empty(frame, np.int16)
    benchmark.group = f"dtmf continuous frame{frame}"
    benchmark.extra_info["samples"] = frame
    benchmark(_keep_busy(g), out)
