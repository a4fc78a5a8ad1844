"""CAS (CPE alerting signal of Type II / call-waiting caller ID): every limit with an accept
and a reject case, talk-down (CAS under near-end speech), talk-off, chunking and bad input.

Figures. The CAS is 2130 Hz + 2750 Hz for 75-85 ms (Telcordia GR-30 / SR-TSV-002476; the
test categories recognition, talk-down and talk-off come from the same documents). The
receiver figures below are the GR-30 ones as commonly quoted; the primary text was not
available, so they are marked as such and the reject values are chosen here:

* frequency of each tone +-0.5 % [unverified]: accepted at +-0.5 % and at the detector's
  documented +-1 %; rejected at +-1.6 % (just beyond its documented +-1.5 %) and at +-3.5 %,
  the must-not-operate figure of dual-tone receivers (ITU-T Q.24, MT8870), also with 6 dB of
  twist (the case where a window's spectral leakage could stand in for the shifted tone);
* level -14 to -32 dBm0 per tone [unverified]: accepted across it; rejected at -38 dBm0
  (3 dB under the default -35 dBm0 threshold) and below;
* twist up to 6 dB [unverified]: accepted both ways at both ends of the level range;
  rejected at 10 dB (limit 8 dB + 2);
* duration 75-85 ms: accepted at every sample alignment, as are the detector's documented
  62-126 ms (BT SIN 227 sends 88-110 ms); bursts of 58 ms or less (GR-30 gives no figure:
  half the CAS and less) and tones of 130 ms or more, up to continuous, rejected;
* S/N 20 dB [unverified]: white noise (0-4 kHz) 20 dB under each tone, at the top and at the
  bottom of the level range;
* near-end speech: no level is given; the talk-off corpus's speech (-20 to -15 dBm0 active
  level, English and Mandarin, some over music) is used, the CAS at -14 and -20 dBm0 per
  tone, i.e. the speech 0-6 dB above each tone at -20 dBm0;
* talk-off: no false CAS on 30 minutes of speech and music, on DTMF (all 16 keys, levels and
  timings) and on FSK caller ID.

spandsp 0.0.6 only generates the CAS (``adsi_tx_send_alert_tone``); it has no CAS receiver to
compare with, so the oracle test checks that its alert tone is found.

Every signal comes from ``tests.reference.signals``; nothing is made by the code under test.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.dsp import callerid as cid
from boardlib.dsp._cidtone import CasDetector, CasTone, cas_tone, dual_tone
from boardlib.errors import SignalFormatError
from tests.reference import signals as S

LOW, HIGH = 2130.0, 2750.0
GAP = 3200  # 400 ms of silence after each burst


def detect(x: np.ndarray, **kwargs: object) -> list[CasTone]:
    det = CasDetector(**kwargs)  # type: ignore[arg-type]
    pcm = x if x.dtype == np.int16 else S.to_int16(x)
    return det.process(pcm) + det.flush()


def cas_float(ms: float, low_dbm0: float = -20.0, high_dbm0: float = -20.0,
              low_rel: float = 0.0, high_rel: float = 0.0,
              phases: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    n = round(ms * 8)
    return (S.sine(n, LOW * (1 + low_rel), low_dbm0, phases[0])
            + S.sine(n, HIGH * (1 + high_rel), high_dbm0, phases[1]))


def train(rng: np.random.Generator, count: int, ms: float = 80.0,
          **tone: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``count`` bursts, each after a random 0..79-sample lead-in with random phases, then
    silence; returns the float signal and the (start, length) of each burst."""
    parts, truth, pos = [], [], 0
    for _ in range(count):
        lead = int(rng.integers(0, 80))
        burst = cas_float(ms, phases=tuple(rng.uniform(0, 2 * np.pi, 2)), **tone)  # type: ignore[arg-type]
        parts += [np.zeros(lead), burst, np.zeros(GAP)]
        truth.append((pos + lead, burst.size))
        pos += lead + burst.size + GAP
    return np.concatenate(parts), truth


def aligned(ms: float, step: int = 1) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """One burst at each lead-in 0, step, ... < 80 samples (with step 1, every alignment to
    the detector's 5 ms hop and 10 ms window)."""
    parts, truth, pos = [], [], 0
    for lead in range(0, 80, step):
        burst = cas_float(ms, phases=(0.1 * lead, 0.3 * lead))
        parts += [np.zeros(lead), burst, np.zeros(GAP)]
        truth.append((pos + lead, burst.size))
        pos += lead + burst.size + GAP
    return np.concatenate(parts), truth


def assert_matches(events: list[CasTone], truth: list[tuple[int, int]],
                   tolerance: int = 16) -> None:
    """One event per burst, start and duration within ``tolerance`` samples (2 ms)."""
    assert len(events) == len(truth)
    for e, (start, length) in zip(events, truth, strict=True):
        assert abs(e.sample - start) <= tolerance
        assert abs(e.duration - length) <= tolerance


# --- duration -----------------------------------------------------------------------------


@pytest.mark.parametrize("ms", [75.0, 85.0])
def test_detects_the_gr30_durations_at_every_alignment(ms: float) -> None:
    x, truth = aligned(ms)
    assert_matches(detect(x), truth)


@pytest.mark.parametrize("ms", [62.0, 110.0, 126.0])
def test_detects_the_documented_62_to_126_ms_at_every_alignment(ms: float) -> None:
    x, truth = aligned(ms)
    assert_matches(detect(x), truth)


@pytest.mark.parametrize("ms", [20.0, 40.0, 50.0, 58.0])
def test_rejects_short_bursts_at_every_alignment(ms: float) -> None:
    x, _ = aligned(ms)
    assert detect(x) == []


@pytest.mark.parametrize("ms", [130.0, 140.0, 200.0, 1000.0])
def test_rejects_overlong_tones_at_many_alignments(ms: float) -> None:
    x, _ = aligned(ms, step=7)
    assert detect(x) == []


def test_rejects_a_continuous_tone() -> None:
    assert detect(cas_float(10_000.0)) == []


def test_duration_limits_are_configurable() -> None:
    x, truth = aligned(85.0, step=9)
    assert_matches(detect(x, min_ms=83.0, max_ms=87.0), truth)
    assert detect(x, min_ms=87.5) == []
    assert detect(x, max_ms=82.5) == []


# --- frequency ----------------------------------------------------------------------------


@pytest.mark.parametrize("rel", [-0.01, -0.005, 0.005, 0.01])
@pytest.mark.parametrize("tone", ["low", "high"])
def test_detects_each_tone_off_nominal_within_tolerance(tone: str, rel: float) -> None:
    rng = np.random.default_rng(100 + int(rel * 1000) + (tone == "high"))
    x, truth = train(rng, 12, **{f"{tone}_rel": rel})
    assert_matches(detect(x), truth)


@pytest.mark.parametrize("twist", [-6.0, 0.0, 6.0])
@pytest.mark.parametrize("rel", [-0.035, -0.016, 0.016, 0.035])
@pytest.mark.parametrize("tone", ["low", "high"])
def test_rejects_each_tone_off_nominal_beyond_tolerance(tone: str, rel: float,
                                                         twist: float) -> None:
    # twist > 0: the shifted tone is the louder one.
    rng = np.random.default_rng(200 + int(rel * 1000) + (tone == "high") + int(twist))
    other = "high" if tone == "low" else "low"
    levels = {f"{tone}_dbm0": -20.0 + twist / 2, f"{other}_dbm0": -20.0 - twist / 2}
    x, _ = train(rng, 12, **{f"{tone}_rel": rel}, **levels)
    assert detect(x) == []


def test_ignores_each_tone_alone_and_other_pairs() -> None:
    rng = np.random.default_rng(3)
    x, _ = train(rng, 6, low_dbm0=-10.0, high_dbm0=-80.0)
    y, _ = train(rng, 6, low_dbm0=-80.0, high_dbm0=-10.0)
    assert detect(x) == [] and detect(y) == []
    pairs = [(2100.0, 2800.0), (2000.0, 2600.0), (2200.0, 2850.0), (1400.0, 2130.0)]
    z = np.concatenate([np.concatenate([S.tones(640, p, -15.0), np.zeros(GAP)]) for p in pairs])
    assert detect(z) == []


# --- level and twist ----------------------------------------------------------------------


@pytest.mark.parametrize("level", [-8.0, -14.0, -20.0, -26.0, -32.0])
def test_detects_levels_across_the_range(level: float) -> None:
    rng = np.random.default_rng(300 + int(-level))
    x, truth = train(rng, 12, low_dbm0=level, high_dbm0=level)
    assert_matches(detect(x), truth)


@pytest.mark.parametrize("level", [-38.0, -45.0, -60.0])
def test_rejects_levels_below_the_threshold(level: float) -> None:
    rng = np.random.default_rng(400 + int(-level))
    x, _ = train(rng, 12, low_dbm0=level, high_dbm0=level)
    assert detect(x) == []


def test_threshold_is_configurable() -> None:
    rng = np.random.default_rng(5)
    x, truth = train(rng, 8, low_dbm0=-29.0, high_dbm0=-29.0)
    assert_matches(detect(x, threshold_dbm0=-30.0), truth)
    y, _ = train(rng, 8, low_dbm0=-33.0, high_dbm0=-33.0)
    assert detect(y, threshold_dbm0=-30.0) == []


@pytest.mark.parametrize(("low", "high"), [(-14.0, -20.0), (-20.0, -14.0), (-26.0, -32.0),
                                           (-32.0, -26.0)])
def test_detects_6_db_twist_either_way(low: float, high: float) -> None:
    rng = np.random.default_rng(500 + int(-low - high))
    x, truth = train(rng, 12, low_dbm0=low, high_dbm0=high)
    assert_matches(detect(x), truth)


@pytest.mark.parametrize(("low", "high"), [(-14.0, -24.0), (-24.0, -14.0), (-20.0, -30.0),
                                           (-30.0, -20.0)])
def test_rejects_10_db_twist_either_way(low: float, high: float) -> None:
    rng = np.random.default_rng(600 + int(-low - high))
    x, _ = train(rng, 12, low_dbm0=low, high_dbm0=high)
    assert detect(x) == []


def test_twist_limit_is_configurable() -> None:
    rng = np.random.default_rng(7)
    x, truth = train(rng, 8, low_dbm0=-20.0, high_dbm0=-22.0)
    assert_matches(detect(x, max_twist_db=4.0), truth)
    y, _ = train(rng, 8, low_dbm0=-20.0, high_dbm0=-26.0)
    assert detect(y, max_twist_db=4.0) == []
    assert len(detect(y)) == 8


# --- noise --------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [-14.0, -32.0])
def test_detects_every_cas_at_20_db_snr_in_white_noise(level: float) -> None:
    rng = np.random.default_rng(800 + int(-level))
    x, truth = train(rng, 20, low_dbm0=level, high_dbm0=level)
    noisy = x + S.white_noise(x.size, level - 20.0, rng)
    assert_matches(detect(noisy), truth, tolerance=40)


def test_noise_alone_gives_no_cas() -> None:
    rng = np.random.default_rng(9)
    assert detect(S.white_noise(8000 * 20, -10.0, rng)) == []
    assert detect(S.white_noise(8000 * 20, -40.0, rng)) == []


# --- near-end speech (talk-down) ----------------------------------------------------------


def _talkdown(level: float) -> tuple[int, int, int]:
    """CAS of 75-85 ms at ``level`` per tone laid over near-end speech: 200 one-second
    excerpts. Returns (CAS found, trials, detections outside the CAS)."""
    from tests.reference import talkoff

    corpus = talkoff.corpus(600, 11)
    speech = [s for s in corpus.segments
              if s.kind in ("speech", "mix") and s.end - s.start >= 8000]
    rng = np.random.default_rng(int(-level))
    found = stray = 0
    trials = 200
    for k in range(trials):
        seg = speech[k % len(speech)]
        mid = int(rng.integers(seg.start + 400, seg.end - 400))
        a = min(max(mid - 4000, 0), corpus.pcm.size - 8000)
        x = corpus.pcm[a:a + 8000].astype(np.float64)
        start = 3600 + int(rng.integers(0, 80))
        burst = cas_float(float(rng.uniform(75.0, 85.0)), level, level,
                          phases=tuple(rng.uniform(0, 2 * np.pi, 2)))  # type: ignore[arg-type]
        x[start:start + burst.size] += burst
        events = detect(x)
        hit = [e for e in events
               if e.sample < start + burst.size and e.sample + e.duration > start]
        found += len(hit) == 1
        stray += len(events) - len(hit)
    return found, trials, stray


def test_detects_cas_at_minus_14_dbm0_under_near_end_speech() -> None:
    found, trials, stray = _talkdown(-14.0)
    assert found >= 0.99 * trials and stray == 0


def test_detects_cas_at_minus_20_dbm0_under_near_end_speech() -> None:
    found, trials, stray = _talkdown(-20.0)
    assert found >= 0.95 * trials and stray == 0


# --- talk-off -----------------------------------------------------------------------------


def test_no_false_cas_on_30_minutes_of_speech_and_music() -> None:
    from tests.reference import talkoff

    audio = talkoff.speech_and_music(1800, 21)
    det = CasDetector()
    events: list[CasTone] = []
    for i in range(0, audio.size, 8000 * 60):
        events += det.process(audio[i:i + 8000 * 60])
    assert events + det.flush() == []


@pytest.mark.parametrize(("level", "on_ms", "off_ms"), [(-3.0, 50, 50), (-10.0, 40, 40),
                                                       (-25.0, 100, 60), (-10.0, 200, 50)])
def test_no_false_cas_on_dtmf_digits(level: float, on_ms: float, off_ms: float) -> None:
    rng = np.random.default_rng(int(-level) + int(on_ms))
    x = S.dtmf(S.KEYPAD * 8, on_ms=on_ms, off_ms=off_ms, level_dbm0=level, rng=rng)
    assert detect(x) == []


@pytest.mark.parametrize("standard", ["bell202", "v23"])
def test_no_false_cas_on_fsk_caller_id(standard: str) -> None:
    msg = cid.build_mdmf(number="5551234567", name="JOHN SMITH", month=1, day=2, hour=3,
                         minute=4)
    x = np.concatenate([cid.encode(msg, standard), np.zeros(800, np.int16)])
    assert detect(x) == []


# --- stream handling ----------------------------------------------------------------------


def test_flush_reports_a_cas_at_the_end_of_the_stream_and_reset_restarts() -> None:
    det = CasDetector()
    x = S.to_int16(np.concatenate([np.zeros(400), cas_float(80.0)]))
    assert det.process(x) == []
    got = det.flush()
    assert_matches(got, [(400, 640)])
    assert det.flush() == []
    det.process(S.to_int16(cas_float(40.0)))
    det.reset()
    assert_matches(det.process(x) + det.flush(), [(400, 640)])


def test_accepts_empty_frames() -> None:
    det = CasDetector()
    assert det.process(np.zeros(0, np.int16)) == []
    assert det.flush() == []


_CLEAN = np.concatenate([
    np.zeros(57), cas_float(75.0, -14.0, -14.0), np.zeros(GAP),
    cas_float(85.0, -32.0, -32.0, phases=(1.0, 2.0)), np.zeros(GAP + 13),
    cas_float(110.0, -20.0, -26.0, low_rel=0.005), np.zeros(GAP),
    cas_float(50.0), np.zeros(GAP),
    cas_float(200.0), np.zeros(GAP + 31),
    cas_float(80.0, -26.0, -20.0, high_rel=-0.005, phases=(2.0, 0.5)), np.zeros(GAP),
])
_STREAM = S.to_int16(_CLEAN + S.white_noise(_CLEAN.size, -50.0, np.random.default_rng(10)))
_STREAM_EVENTS = detect(_STREAM)


def test_reference_stream_gives_four_cas() -> None:
    assert len(_STREAM_EVENTS) == 4
    for e, ms in zip(_STREAM_EVENTS, [75, 85, 110, 80], strict=True):
        assert abs(e.duration - 8 * ms) <= 16


@given(st.lists(st.integers(0, len(_STREAM)), max_size=25))
def test_events_do_not_depend_on_chunking(cuts: list[int]) -> None:
    det = CasDetector()
    events: list[CasTone] = []
    for a, b in itertools.pairwise([0, *sorted(cuts), len(_STREAM)]):
        events += det.process(_STREAM[a:b])
    assert events + det.flush() == _STREAM_EVENTS


@given(st.lists(st.integers(-32768, 32767), max_size=3000), st.integers(1, 500))
def test_any_int16_input_never_crashes(samples: list[int], chunk: int) -> None:
    x = np.array(samples, dtype=np.int16)
    det = CasDetector()
    events: list[CasTone] = []
    for i in range(0, len(x), chunk):
        events += det.process(x[i:i + chunk])
    events += det.flush()
    for e in events:
        assert 0 <= e.sample and 480 <= e.duration <= 1024 and e.sample + e.duration <= len(x) + 80


@given(st.integers(0, 79), st.floats(62.0, 126.0), st.floats(-32.0, -14.0),
       st.floats(-6.0, 6.0), st.floats(-0.005, 0.005), st.floats(-0.005, 0.005),
       st.floats(0.0, 2 * math.pi), st.floats(0.0, 2 * math.pi))
def test_any_cas_within_the_figures_is_found_once(lead: int, ms: float, level: float,
                                                  twist: float, low_rel: float,
                                                  high_rel: float, ph1: float,
                                                  ph2: float) -> None:
    high = min(max(level + twist, -32.0), -14.0)
    burst = cas_float(ms, level, high, low_rel, high_rel, (ph1, ph2))
    assert_matches(detect(np.concatenate([np.zeros(lead), burst, np.zeros(800)])),
                   [(lead, burst.size)])


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("duration", [math.nan, -1.0, -0.001, math.inf, 10_001.0, "long", None])
def test_generator_rejects_bad_durations(duration: object) -> None:
    with pytest.raises(SignalFormatError, match="duration_ms"):
        cas_tone(duration_ms=duration)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [math.nan, math.inf, 3.2, -81.0, "loud"])
def test_generator_rejects_bad_levels(level: object) -> None:
    with pytest.raises(SignalFormatError, match="level_dbm0"):
        cas_tone(level_dbm0=level)  # type: ignore[arg-type]
    with pytest.raises(SignalFormatError, match="level_dbm0"):
        dual_tone(LOW, HIGH, 80, level_dbm0=level)  # type: ignore[arg-type]


@pytest.mark.parametrize(("f1", "f2", "n"), [(math.nan, HIGH, 80), (LOW, -1.0, 80),
                                             (LOW, 4000.0, 80), ("x", HIGH, 80),
                                             (LOW, HIGH, -1), (LOW, HIGH, 1.5)])
def test_dual_tone_rejects_bad_frequencies_and_lengths(f1: object, f2: object,
                                                       n: object) -> None:
    with pytest.raises(SignalFormatError):
        dual_tone(f1, f2, n)  # type: ignore[arg-type]


def test_generator_limits_are_inclusive() -> None:
    assert cas_tone(duration_ms=0.0).size == 0
    assert cas_tone(duration_ms=75.0, level_dbm0=-80.0).size == 600
    assert np.abs(cas_tone(duration_ms=85.0, level_dbm0=3.14).astype(np.int32)).max() >= 32767


@pytest.mark.parametrize("kwargs", [
    {"threshold_dbm0": math.nan}, {"threshold_dbm0": 4.0}, {"threshold_dbm0": "low"},
    {"min_ms": math.nan}, {"min_ms": 5.0}, {"min_ms": -60.0}, {"max_ms": 2000.0},
    {"max_ms": "x"}, {"min_ms": 90.0, "max_ms": 80.0},
    {"max_twist_db": -1.0}, {"max_twist_db": 21.0}, {"max_twist_db": math.nan},
])
def test_detector_rejects_bad_parameters(kwargs: dict[str, object]) -> None:
    with pytest.raises(SignalFormatError):
        CasDetector(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("frame", [np.zeros(80), np.zeros((2, 80), np.int16),
                                   np.zeros(80, np.int32), [0] * 80])
def test_detector_rejects_frames_that_are_not_1d_int16(frame: object) -> None:
    with pytest.raises(SignalFormatError, match="int16"):
        CasDetector().process(frame)


# --- oracle -------------------------------------------------------------------------------


@pytest.mark.oracle
def test_finds_the_alert_tone_spandsp_sends() -> None:
    from tests.reference import spandsp

    if not spandsp.available():
        pytest.fail(f"spandsp oracle unavailable: {spandsp.unavailable_reason()}")
    tx = spandsp.AdsiTx("class", alert_tone=True)
    x = np.concatenate([np.zeros(333, np.int16), tx.generate(4000)])
    events = detect(x)
    # spandsp sends 110 ms (BT SIN 227's 88-110 ms)
    assert len(events) == 1 and abs(events[0].duration - 880) <= 16
