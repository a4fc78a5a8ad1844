"""The compiled cadence trackers of ToneDetector / ToneDetectorBank give exactly the events of
the plain-Python tracking they replaced (tests/reference/progress_cadence.py) on varied line
audio: every profile's tones as the ToneGenerator plays them, mixes of busy, ringback,
speech-like noise and silence over many channels, answer-tone variants, V.21 preambles."""

from __future__ import annotations

import numpy as np
import pytest

from boardlib.dsp import ToneDetector, ToneDetectorBank, ToneGenerator
from boardlib.dsp.specs import PROFILES, SPECIAL_TONES
from tests.reference import lines as L
from tests.reference.progress_cadence import CadenceReference


def feed(det, ref, x: np.ndarray, chunks: list[int]) -> None:
    """Same chunks to both; events and silence counters must agree after each."""
    bank = x.ndim == 2
    n = x.shape[-1]
    i = k = 0
    while i < n:
        c = chunks[k % len(chunks)]
        k += 1
        part = np.ascontiguousarray(x[..., i:i + c])
        i += c
        assert det.process(part) == ref.process(part)
        channels = range(x.shape[0]) if bank else [0]
        assert [det.silence_samples(ch) for ch in channels] == \
            [ref.silence_samples(ch) for ch in channels]
    assert det.flush() == ref.flush()


def line_mix(channels: int, seconds: float, seed: int) -> np.ndarray:
    """Busy tone, ringback, speech-like noise bursts and silence, a quarter each."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 8000)
    t = np.arange(n) / 8000.0
    out = np.zeros((channels, n))
    for ch in range(channels):
        ms = t * 1000 + ch * 37
        kind = ch % 4
        if kind == 0:
            out[ch] = 2000 * np.sin(2 * np.pi * 450 * t + ch) * ((ms % 700) < 350)
        elif kind == 1:
            out[ch] = rng.standard_normal(n) * 1500 * (((t * 1000 + ch * 53) % 900) < 500)
        elif kind == 3:
            out[ch] = 2000 * np.sin(2 * np.pi * 450 * t + ch) * ((ms % 5000) < 1000)
        out[ch] += rng.standard_normal(n) * 20
    return L.to_int16(out)


@pytest.mark.parametrize("chunks", [[160], [100, 237, 1, 0, 480]])
def test_bank_on_a_line_mix(chunks):
    x = line_mix(40, 7.0, 7)
    det = ToneDetectorBank(40, "cn")
    feed(det, CadenceReference(det), x, chunks)


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("fax", [True, False])
def test_every_tone_of_every_profile(profile, fax):
    rng = np.random.default_rng(len(profile) + fax)
    names = [*PROFILES[profile].tones, *SPECIAL_TONES]
    rows = []
    for name in names:
        x = ToneGenerator(name, profile).generate(8000 * 11)
        lead = np.zeros(int(rng.integers(0, 800)))
        rows.append(np.concatenate([lead, x, np.zeros(4000)])
                    + rng.standard_normal(len(lead) + len(x) + 4000) * 30)
    n = max(len(r) for r in rows)
    x = L.to_int16(np.stack([np.pad(r, (0, n - len(r))) for r in rows]))
    det = ToneDetectorBank(len(names), profile, fax=fax)
    feed(det, CadenceReference(det), x, [160, 80, 320])


def test_answer_tones_v21_and_speech_one_channel():
    rng = np.random.default_rng(3)
    parts = [L.answer_tone(3000, -12), L.silence(300),
             L.answer_tone(3000, -20, reversal_ms=450), L.silence(300),
             L.answer_tone(3000, -12, am_hz=15, am_depth=0.2), L.silence(300),
             L.answer_tone(3000, -30, reversal_ms=450, am_hz=15, am_depth=0.2),
             L.silence(300), L.v21(L.hdlc_flags(8), -20), L.silence(500),
             L.v21(L.hdlc_flags(4), -20), L.silence(500), L.chords(2000, -15),
             L.noise(8000, -25.0, rng), L.silence(400)]
    x = L.to_int16(L.with_noise(np.concatenate(parts), -15, 30, rng))
    det = ToneDetector("cn")
    feed(det, CadenceReference(det), x, [160, 33, 999])


def test_compiled_rounding_of_levels_is_round_to_2_decimals():
    import math

    from boardlib.dsp._progress import _test_round2

    rng = np.random.default_rng(5)
    values = list(rng.uniform(-130.0, 20.0, 100_000))
    values += [k / 8.0 for k in range(-1000, 200)]             # exact ties: 0.125, -32.625
    values += [k / 1000.0 for k in range(-130_000, 20_000, 7)]  # x.xx5 written in decimal
    values += [math.nextafter(v, d) for v in values[-2000:] for d in (-math.inf, math.inf)]
    values += [0.0, -0.0, 0.004, -0.004, -0.005, 0.005, -0.001, 1e-300, -120.0]
    for v in values:
        got = _test_round2(v)
        assert got == round(v, 2) and math.copysign(1.0, got) == math.copysign(1.0, round(v, 2)), v


def test_events_of_classes_the_core_cannot_fill_directly():
    """Event classes of another shape are called instead; the events carry the same values."""
    import dataclasses

    from boardlib.dsp import _progress, progress

    classes = (progress.ToneOn, progress.ToneOff, progress.ToneCadence, progress.VoiceOn,
               progress.VoiceOff)
    plain = [dataclasses.make_dataclass(c.__name__, [f.name for f in dataclasses.fields(c)])
             for c in classes]
    x = line_mix(8, 3.0, 1)
    det = ToneDetectorBank(8, "cn")
    fast = det.process(x) + det.flush()
    _progress._use_events(*plain)
    try:
        det.reset()
        slow = det.process(x) + det.flush()
    finally:
        _progress._use_events(*classes)
    assert len(slow) == len(fast) > 10
    assert all(type(b) in plain for b in slow)
    assert [dataclasses.astuple(a) for a in fast] == [dataclasses.astuple(b) for b in slow]
