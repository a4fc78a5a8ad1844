"""MFC-R2 register tones: generator, detector and bank against the ITU-T Q.441 receiver figures.

Test signals are naive double-precision sines (``tests.reference.signals``); the R2 frequency
table is written out here from the standard, independently of ``boardlib.dsp.r2specs``.
Every limit has a case just inside (recognised) and one just outside (never recognised).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boardlib.dsp import (
    R2ToneDetector,
    R2ToneDetectorBank,
    R2ToneGenerator,
    R2ToneOff,
    R2ToneOn,
    r2specs,
)
from boardlib.errors import SignalFormatError
from tests.reference import signals as ref
from tests.reference import spandsp

# ITU-T Q.441 table 5: signal -> frequency pair, forward and backward sets.
FORWARD = {
    1: (1380, 1500), 2: (1380, 1620), 3: (1500, 1620), 4: (1380, 1740), 5: (1500, 1740),
    6: (1620, 1740), 7: (1380, 1860), 8: (1500, 1860), 9: (1620, 1860), 10: (1740, 1860),
    11: (1380, 1980), 12: (1500, 1980), 13: (1620, 1980), 14: (1740, 1980), 15: (1860, 1980),
}
BACKWARD = {
    1: (1020, 1140), 2: (900, 1140), 3: (900, 1020), 4: (780, 1140), 5: (780, 1020),
    6: (780, 900), 7: (660, 1140), 8: (660, 1020), 9: (660, 900), 10: (660, 780),
    11: (540, 1140), 12: (540, 1020), 13: (540, 900), 14: (540, 780), 15: (540, 660),
}
TABLE = {"forward": FORWARD, "backward": BACKWARD}
DIRECTIONS = ("forward", "backward")
MS = 8  # samples per millisecond


def pair(signal: int, direction: str, n: int, low_dbm0: float = -20.0,
         high_dbm0: float | None = None, low_offset_hz: float = 0.0,
         high_offset_hz: float = 0.0, phase: float = 0.3) -> np.ndarray:
    """Float samples of an R2 signal: the lower tone at ``low_dbm0``, the higher one at
    ``high_dbm0`` (default: the same), each shifted by its offset in Hz."""
    lo, hi = TABLE[direction][signal]
    high_dbm0 = low_dbm0 if high_dbm0 is None else high_dbm0
    return (ref.sine(n, lo + low_offset_hz, low_dbm0, phase)
            + ref.sine(n, hi + high_offset_hz, high_dbm0, 2 * phase + 1.0))


def framed(tone: np.ndarray, lead: int = 400, tail: int = 800) -> np.ndarray:
    """int16: silence, the float signal, silence."""
    return ref.to_int16(np.concatenate([np.zeros(lead), tone, np.zeros(tail)]))


def detect(pcm: np.ndarray, direction: str, chunk: int | None = None,
           **kwargs: float) -> list[R2ToneOn | R2ToneOff]:
    det = R2ToneDetector(direction, **kwargs)
    if chunk is None:
        events = det.process(pcm)
    else:
        events = []
        for i in range(0, len(pcm), chunk):
            events += det.process(pcm[i:i + chunk])
    return events + det.flush()


def ons(events: list[R2ToneOn | R2ToneOff]) -> list[int]:
    return [e.signal for e in events if isinstance(e, R2ToneOn)]


def sequence(direction: str, items: list[tuple[int, int, int]],
             **kwargs: float) -> np.ndarray:
    """int16 stream of (signal, on samples, off samples) items, after 200 samples of silence."""
    parts = [np.zeros(200)]
    for sig, on, off in items:
        parts.append(pair(sig, direction, on, **kwargs))
        parts.append(np.zeros(off))
    return ref.to_int16(np.concatenate(parts))


# ------------------------------------------------------------------------------------------
# Signal tables


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_signal_table_is_the_q441_two_out_of_six_code(direction: str) -> None:
    for sig, freqs in TABLE[direction].items():
        assert r2specs.r2_frequencies(sig, direction) == tuple(float(f) for f in freqs)
    i, j = r2specs.R2_PAIRS[9]
    assert r2specs.r2_signal(j, i) == 10


def test_signal_table_rejects_unknown_signals_and_directions() -> None:
    with pytest.raises(SignalFormatError, match="signal"):
        r2specs.r2_frequencies(16, "forward")
    with pytest.raises(SignalFormatError, match="direction"):
        r2specs.r2_frequencies(1, "sideways")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Level range: operate from -35 to -5 dBm0 per tone, never at -38.5 dBm0


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("level", [-5.0, -20.0, -35.0])
def test_operates_for_every_signal_within_the_level_range(direction: str, level: float) -> None:
    pcm = sequence(direction, [(s, 60 * MS, 60 * MS) for s in range(1, 16)], low_dbm0=level)
    events = detect(pcm, direction)
    assert ons(events) == list(range(1, 16))
    assert [e.signal for e in events if isinstance(e, R2ToneOff)] == list(range(1, 16))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("low", "high"), [(-35.0, -35.0), (-35.0, -30.1), (-30.1, -35.0)])
def test_operates_with_each_tone_at_minus_35_dbm0(direction: str, low: float,
                                                  high: float) -> None:
    pcm = sequence(direction, [(s, 40 * MS, 40 * MS) for s in range(1, 16)],
                   low_dbm0=low, high_dbm0=high)
    assert ons(detect(pcm, direction)) == list(range(1, 16))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("low", "high"),
                         [(-38.5, -35.0), (-35.0, -38.5), (-38.5, -30.0), (-30.0, -38.5),
                          (-38.5, -38.5), (-45.0, -45.0)])
def test_never_operates_with_a_tone_at_minus_38_5_dbm0(direction: str, low: float,
                                                       high: float) -> None:
    pcm = sequence(direction, [(s, 200 * MS, 40 * MS) for s in range(1, 16)],
                   low_dbm0=low, high_dbm0=high)
    assert detect(pcm, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_reports_tone_levels_within_half_a_db(direction: str) -> None:
    for sig in (1, 6, 15):
        pcm = framed(pair(sig, direction, 80 * MS, low_dbm0=-12.0, high_dbm0=-16.0))
        on = detect(pcm, direction)[0]
        assert isinstance(on, R2ToneOn)
        assert on.low_dbm0 == pytest.approx(-12.0, abs=0.5)
        assert on.high_dbm0 == pytest.approx(-16.0, abs=0.5)


# ------------------------------------------------------------------------------------------
# Frequency tolerance: +-10 Hz on both tones


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("d_low", "d_high"), [(10, 10), (-10, -10), (10, -10), (-10, 10)])
@pytest.mark.parametrize("level", [-5.0, -35.0])
def test_accepts_10_hz_offset_on_both_tones_for_every_signal(direction: str, d_low: int,
                                                             d_high: int, level: float) -> None:
    pcm = sequence(direction, [(s, 40 * MS, 40 * MS) for s in range(1, 16)], low_dbm0=level,
                   low_offset_hz=d_low, high_offset_hz=d_high)
    assert ons(detect(pcm, direction)) == list(range(1, 16))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("d_low", "d_high"), [(60, 0), (0, -60), (60, 60), (-60, -60)])
def test_rejects_tones_60_hz_off_nominal(direction: str, d_low: int, d_high: int) -> None:
    # Nortel's XMFC receiver refuses +-60 Hz, halfway to the neighbouring frequency.
    pcm = sequence(direction, [(s, 100 * MS, 40 * MS) for s in range(1, 16)],
                   low_offset_hz=d_low, high_offset_hz=d_high)
    assert detect(pcm, direction) == []


# ------------------------------------------------------------------------------------------
# Level difference between the two tones


ADJACENT = [1, 3, 6, 10, 15]          # signals made of neighbouring frequencies
NON_ADJACENT = [2, 4, 7, 11, 13, 14]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize(("strong", "weak"), [(-30.1, -35.0), (-5.0, -9.9)])
def test_accepts_4_9_db_between_adjacent_tones(direction: str, sign: int, strong: float,
                                               weak: float) -> None:
    lo, hi = (strong, weak) if sign > 0 else (weak, strong)
    pcm = sequence(direction, [(s, 40 * MS, 40 * MS) for s in ADJACENT],
                   low_dbm0=lo, high_dbm0=hi, low_offset_hz=10 * sign, high_offset_hz=-10 * sign)
    assert ons(detect(pcm, direction)) == ADJACENT


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("sign", [1, -1])
def test_accepts_6_9_db_between_non_adjacent_tones(direction: str, sign: int) -> None:
    lo, hi = (-13.1, -20.0) if sign > 0 else (-20.0, -13.1)
    pcm = sequence(direction, [(s, 40 * MS, 40 * MS) for s in NON_ADJACENT],
                   low_dbm0=lo, high_dbm0=hi, low_offset_hz=10, high_offset_hz=10)
    assert ons(detect(pcm, direction)) == NON_ADJACENT


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("sign", [1, -1])
def test_never_recognises_20_db_between_the_tones(direction: str, sign: int) -> None:
    lo, hi = (-10.0, -30.0) if sign > 0 else (-30.0, -10.0)
    pcm = sequence(direction, [(s, 200 * MS, 40 * MS) for s in range(1, 16)],
                   low_dbm0=lo, high_dbm0=hi)
    assert detect(pcm, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("sign", [1, -1])
def test_twist_limit_accepts_8_5_db_and_refuses_15_db(direction: str, sign: int) -> None:
    # The default limit is 10 dB; a strong tone 10 Hz off leaks into a weak neighbour's
    # estimate (-18 dB), which blurs the limit to 8.5..15 dB for adjacent pairs.
    for d_low, d_high in ((10, -10), (-10, 10), (0, 0)):
        lo, hi = (-10.0, -18.5) if sign > 0 else (-18.5, -10.0)
        inside = sequence(direction, [(s, 40 * MS, 40 * MS) for s in range(1, 16)],
                          low_dbm0=lo, high_dbm0=hi, low_offset_hz=d_low,
                          high_offset_hz=d_high)
        assert ons(detect(inside, direction)) == list(range(1, 16))
        lo, hi = (-5.0, -20.0) if sign > 0 else (-20.0, -5.0)
        outside = sequence(direction, [(s, 200 * MS, 40 * MS) for s in range(1, 16)],
                           low_dbm0=lo, high_dbm0=hi, low_offset_hz=d_low,
                           high_offset_hz=d_high)
        assert detect(outside, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_smaller_twist_limit_refuses_what_the_default_accepts(direction: str) -> None:
    pcm = sequence(direction, [(s, 200 * MS, 40 * MS) for s in NON_ADJACENT],
                   low_dbm0=-10.0, high_dbm0=-18.0)
    assert ons(detect(pcm, direction)) == NON_ADJACENT
    assert detect(pcm, direction, max_twist_db=6.0) == []


# ------------------------------------------------------------------------------------------
# Timing: short bursts, operate, interruptions, release


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_never_detects_a_burst_shorter_than_7_ms_at_minus_5_dbm0(direction: str) -> None:
    # Every alignment of the burst against the detector's 64-sample half-blocks.
    for offset in range(64):
        pcm = framed(pair(9, direction, 7 * MS - 1, low_dbm0=-5.0), lead=offset)
        assert detect(pcm, direction) == [], offset


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_never_detects_a_burst_shorter_than_12_ms(direction: str) -> None:
    for offset in range(0, 64, 3):
        pcm = framed(pair(4, direction, 12 * MS - 1, low_dbm0=-5.0), lead=offset)
        assert detect(pcm, direction) == [], offset


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("level", "d_low", "d_high"),
                         [(-5.0, 0, 0), (-35.0, 10, -10), (-35.0, -10, 10)])
def test_always_detects_a_30_ms_signal(direction: str, level: float, d_low: int,
                                       d_high: int) -> None:
    for sig, offset in itertools.product((1, 8, 15), range(64)):
        pcm = framed(pair(sig, direction, 30 * MS, low_dbm0=level, low_offset_hz=d_low,
                          high_offset_hz=d_high), lead=offset)
        events = detect(pcm, direction)
        assert [(type(e), e.signal) for e in events] == [(R2ToneOn, sig), (R2ToneOff, sig)], \
            (sig, offset)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("level", "d_low", "d_high"),
                         [(-5.0, 0, 0), (-35.0, 10, -10), (-35.0, -10, 10)])
def test_reports_operate_within_32_ms_and_release_within_40_ms(
        direction: str, level: float, d_low: int, d_high: int) -> None:
    lead, on = 500, 200 * MS
    for sig, offset in itertools.product((1, 12), range(0, 64, 5)):
        pcm = framed(pair(sig, direction, on, level, low_offset_hz=d_low,
                          high_offset_hz=d_high), lead=lead + offset, tail=1000)
        det = R2ToneDetector(direction)
        emitted = {}
        for i in range(0, len(pcm), 4):  # when does each event leave (to 4 samples)?
            for e in det.process(pcm[i:i + 4]):
                emitted[type(e)] = (i + 4, e)
        t_on, ev_on = emitted[R2ToneOn]
        t_off, ev_off = emitted[R2ToneOff]
        start, end = lead + offset, lead + offset + on
        assert t_on - start <= 32 * MS
        assert t_off - end <= 40 * MS
        assert (t_on - start) + (t_off - end) <= 80 * MS   # Q.441 operate + release
        assert abs(ev_on.sample - start) <= 64
        assert abs(ev_off.sample - end) <= 64
        assert ev_off.duration == ev_off.sample - ev_on.sample


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("restart_phase", [False, True])
def test_an_interruption_of_7_ms_does_not_release(direction: str, restart_phase: bool) -> None:
    for offset in range(0, 64, 2):
        first = 100 * MS + offset
        tone = pair(11, direction, 300 * MS, low_dbm0=-20.0)
        if restart_phase:  # the far end restarts its oscillators after the gap
            tone[first + 7 * MS:] = pair(11, direction, len(tone) - first - 7 * MS,
                                         phase=2.1)
        tone[first:first + 7 * MS] = 0.0
        events = detect(framed(tone), direction)
        assert [(type(e), e.signal) for e in events] == [(R2ToneOn, 11), (R2ToneOff, 11)], offset


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_an_interruption_of_25_ms_releases(direction: str) -> None:
    for offset in range(0, 64, 2):
        first = 100 * MS + offset
        tone = pair(11, direction, 300 * MS, low_dbm0=-20.0)
        tone[first:first + 25 * MS] = 0.0
        events = detect(framed(tone), direction)
        assert [type(e) for e in events] == [R2ToneOn, R2ToneOff] * 2, offset


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_new_signal_without_a_gap_ends_the_previous_one(direction: str) -> None:
    tone = np.concatenate([pair(3, direction, 100 * MS), pair(5, direction, 100 * MS)])
    events = detect(framed(tone), direction)
    assert [(type(e), e.signal) for e in events] == [
        (R2ToneOn, 3), (R2ToneOff, 3), (R2ToneOn, 5), (R2ToneOff, 5)]
    assert abs(events[1].sample - (400 + 100 * MS)) <= 64


# ------------------------------------------------------------------------------------------
# Invalid signals and other audio


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_three_tones_of_the_set_are_not_a_signal(direction: str) -> None:
    freqs = sorted({f for p in TABLE[direction].values() for f in p})
    parts = []
    for trio in itertools.combinations(freqs, 3):
        parts.append(ref.tones(100 * MS, trio, -20.0))
        parts.append(np.zeros(40 * MS))
    assert detect(ref.to_int16(np.concatenate(parts)), direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_single_tone_of_the_set_is_not_a_signal(direction: str) -> None:
    freqs = sorted({f for p in TABLE[direction].values() for f in p})
    parts = [np.concatenate([ref.sine(100 * MS, f, -10.0), np.zeros(40 * MS)]) for f in freqs]
    assert detect(ref.to_int16(np.concatenate(parts)), direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_dial_tone_dtmf_and_noise_are_not_signals(direction: str) -> None:
    rng = np.random.default_rng(5)
    parts = [ref.tones(2000 * MS, [450.0], -10.0),           # China dial tone
             ref.tones(2000 * MS, [350.0, 440.0], -13.0),    # precise dial tone
             ref.tones(1000 * MS, [480.0, 620.0], -13.0),    # busy
             ref.tones(1000 * MS, [950.0], -10.0),           # SIT segments
             ref.tones(1000 * MS, [1400.0], -10.0),
             ref.tones(1000 * MS, [1800.0], -10.0),
             ref.tones(1000 * MS, [2100.0], -10.0)]          # answer tone
    for digit in ref.KEYPAD:
        for low, high in ((-10.0, -10.0), (-6.0, -10.0), (-10.0, -6.0)):
            parts.append(ref.burst_float(ref.Burst(digit, 80 * MS, 40 * MS, low, high)))
    for level in (-5.0, -15.0, -30.0):
        parts.append(ref.white_noise(2000 * MS, level, rng))
    pcm = ref.to_int16(np.concatenate(parts))
    assert detect(pcm, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_signals_of_the_other_direction_are_not_recognised(direction: str) -> None:
    other = "backward" if direction == "forward" else "forward"
    pcm = sequence(other, [(s, 60 * MS, 40 * MS) for s in range(1, 16)], low_dbm0=-5.0)
    assert detect(pcm, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("offset", [0, 10, -10])
def test_signals_of_the_other_direction_at_any_frequency_error_are_not_recognised(
        direction: str, offset: int) -> None:
    other = "backward" if direction == "forward" else "forward"
    pcm = sequence(other, [(s, 100 * MS, 40 * MS) for s in range(1, 16)], low_dbm0=-5.0,
                   low_offset_hz=offset, high_offset_hz=-offset)
    assert detect(pcm, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("own", "offset"), [(-20.0, 10), (-35.0, -10), (-20.0, 0)])
def test_recognises_signals_under_the_other_direction_at_the_same_level(
        direction: str, own: float, offset: int) -> None:
    # On a 2-wire path both directions of a compelled cycle are on the line at once.
    other = "backward" if direction == "forward" else "forward"
    for other_signal in (1, 9, 15):
        clean = sequence(direction, [(s, 60 * MS, 40 * MS) for s in range(1, 16)],
                         low_dbm0=own, low_offset_hz=offset, high_offset_hz=-offset)
        mixed = clean + pair(other_signal, other, len(clean), own, low_offset_hz=offset,
                             high_offset_hz=offset)
        assert ons(detect(ref.to_int16(mixed), direction)) == list(range(1, 16))


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_recognises_signals_under_the_other_direction_15_db_stronger(direction: str) -> None:
    other = "backward" if direction == "forward" else "forward"
    clean = sequence(direction, [(s, 60 * MS, 40 * MS) for s in range(1, 16)], low_dbm0=-25.0)
    mixed = clean + pair(4, other, len(clean), -10.0)
    assert ons(detect(ref.to_int16(mixed), direction)) == list(range(1, 16))


def test_speech_and_music_are_not_signals() -> None:
    from tests.reference import talkoff

    audio = talkoff.speech_and_music(180, 3)
    for direction in DIRECTIONS:
        assert detect(audio, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_detects_signals_in_noise_at_20_db_snr(direction: str) -> None:
    rng = np.random.default_rng(11)
    clean = sequence(direction, [(s, 60 * MS, 60 * MS) for s in range(1, 16)], low_dbm0=-20.0)
    noisy = ref.to_int16(clean + ref.white_noise(len(clean), -37.0, rng))  # 17+3 dB under the pair
    assert ons(detect(noisy, direction)) == list(range(1, 16))


# ------------------------------------------------------------------------------------------
# Generator


def _spectrum_levels(x: np.ndarray, freqs: tuple[float, float]) -> list[float]:
    """Level (dBm0) of each frequency, by direct correlation over a whole number of cycles."""
    n = np.arange(len(x))
    out = []
    for f in freqs:
        c = np.dot(x, np.exp(-2j * np.pi * f * n / 8000)) * 2 / len(x)
        out.append(20 * np.log10(abs(c) / 32768) + 3.14)
    return out


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_generator_sends_the_q441_pair_at_the_set_levels(direction: str) -> None:
    gen = R2ToneGenerator(direction, level_dbm0=-11.5, twist_db=3.0)
    for sig in range(1, 16):
        gen.start(sig)
        x = gen.generate(8000).astype(np.float64)
        lo, hi = TABLE[direction][sig]
        low, high = _spectrum_levels(x, (lo, hi))
        assert low == pytest.approx(-11.5, abs=0.02)
        assert high == pytest.approx(-8.5, abs=0.02)
        # nothing else: the residual after removing both tones is at quantisation level
        n = np.arange(8000)
        fit = np.column_stack([np.sin(2 * np.pi * f * n / 8000) for f in (lo, hi)]
                              + [np.cos(2 * np.pi * f * n / 8000) for f in (lo, hi)])
        resid = x - fit @ np.linalg.lstsq(fit, x, rcond=None)[0]
        assert np.sqrt(np.mean(resid ** 2)) < 0.5


def test_generator_output_does_not_depend_on_chunking() -> None:
    whole = R2ToneGenerator("backward")
    whole.start(13)
    ref_out = whole.generate(4000)
    parts = R2ToneGenerator("backward")
    parts.start(13)
    chunks = [parts.generate(k) for k in (1, 7, 160, 33, 999, 2800)]
    assert np.array_equal(np.concatenate(chunks), ref_out)
    parts.start(13)  # the same signal again keeps its phase
    assert not np.array_equal(parts.generate(64), ref_out[:64])


def test_generator_fills_the_buffer_with_silence_when_stopped() -> None:
    gen = R2ToneGenerator("forward")
    out = np.full(160, 99, np.int16)
    assert gen.generate_into(out) == 0 and not out.any()
    assert gen.current is None and not gen.busy
    gen.start(7)
    assert gen.current == 7 and gen.busy
    assert gen.generate_into(out) == 160 and out.any()
    gen.stop()
    out[:] = 99
    assert gen.generate_into(out) == 0 and not out.any()


def test_generator_pulse_lasts_exactly_the_requested_time() -> None:
    gen = R2ToneGenerator("forward", level_dbm0=-5.0)
    gen.pulse(15, 150)
    out = np.full(1000, 99, np.int16)
    assert gen.generate_into(out) == 1000
    assert gen.current == 15
    assert gen.generate_into(out) == 200
    assert out[:200].any() and not out[200:].any()
    assert gen.current is None


def test_generator_rejects_bad_parameters() -> None:
    with pytest.raises(SignalFormatError, match="direction"):
        R2ToneGenerator("up")  # type: ignore[arg-type]
    with pytest.raises(SignalFormatError, match="level_dbm0"):
        R2ToneGenerator("forward", level_dbm0=3.0)
    gen = R2ToneGenerator("forward")
    for bad in (0, 16, 1.5, True, "3"):
        with pytest.raises(SignalFormatError, match="signal"):
            gen.start(bad)  # type: ignore[arg-type]
    with pytest.raises(SignalFormatError, match="ms"):
        gen.pulse(1, 0)
    with pytest.raises(SignalFormatError, match="out"):
        gen.generate_into(np.zeros(10, np.float32))


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(1, 15), st.integers(30, 120), st.integers(30, 100)),
                min_size=1, max_size=6),
       st.sampled_from(DIRECTIONS), st.floats(-35.0, -5.0))
def test_generated_signals_are_detected_as_sent(items: list[tuple[int, int, int]],
                                                direction: str, level: float) -> None:
    gen = R2ToneGenerator(direction, level_dbm0=level)
    parts = [gen.generate(333)]
    for sig, on_ms, off_ms in items:
        gen.pulse(sig, on_ms)
        parts.append(gen.generate(on_ms * MS + off_ms * MS))
    events = detect(np.concatenate(parts), direction)
    assert ons(events) == [s for s, _, _ in items]
    assert len(events) == 2 * len(items)


# ------------------------------------------------------------------------------------------
# Streaming invariants, bank, input validation


@settings(max_examples=40)
@given(st.lists(st.integers(0, 700), min_size=1, max_size=30), st.sampled_from(DIRECTIONS),
       st.integers(0, 2**32 - 1))
def test_any_chunking_gives_the_same_events(cuts: list[int], direction: str,
                                            seed: int) -> None:
    rng = np.random.default_rng(seed)
    items = [(int(rng.integers(1, 16)), int(rng.integers(20, 90)) * MS,
              int(rng.integers(5, 60)) * MS) for _ in range(4)]
    pcm = sequence(direction, items, low_dbm0=float(rng.uniform(-35, -5)))
    pcm = ref.to_int16(pcm + rng.normal(0, 30, len(pcm)))
    whole = detect(pcm, direction)
    det = R2ToneDetector(direction)
    events: list[R2ToneOn | R2ToneOff] = []
    pos = 0
    for c in cuts:
        events += det.process(pcm[pos:pos + c])
        pos += c
    events += det.process(pcm[pos:]) + det.flush()
    assert events == whole


@settings(max_examples=40)
@given(st.binary(min_size=0, max_size=6000), st.integers(1, 400))
def test_any_int16_input_never_crashes(data: bytes, chunk: int) -> None:
    pcm = np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16)
    for direction in DIRECTIONS:
        det = R2ToneDetector(direction)
        events = []
        for i in range(0, len(pcm), chunk):
            events += det.process(pcm[i:i + chunk])
        events += det.flush()
        assert all(1 <= e.signal <= 15 for e in events)
        assert det.samples == len(pcm)


def test_extreme_inputs_never_crash() -> None:
    n = 4000
    for pcm in (np.full(n, 32767, np.int16), np.full(n, -32768, np.int16),
                np.tile(np.array([32767, -32768], np.int16), n // 2)):
        for direction in DIRECTIONS:
            assert detect(pcm, direction) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("frame", [40, 160, 333])
def test_bank_equals_one_detector_per_channel(direction: str, frame: int) -> None:
    rng = np.random.default_rng(frame)
    channels = 9
    rows = []
    for _ in range(channels):
        items = [(int(rng.integers(1, 16)), int(rng.integers(25, 90)) * MS,
                  int(rng.integers(10, 50)) * MS) for _ in range(3)]
        rows.append(sequence(direction, items, low_dbm0=float(rng.uniform(-35, -5)))[:4000])
    rows[3][:] = 0                                   # a silent channel
    rows[5] = ref.to_int16(rng.normal(0, 3000, 4000))  # a noisy one
    block = np.stack([np.pad(r, (0, 4000 - len(r))) for r in rows])
    bank = R2ToneDetectorBank(channels, direction)
    got: list[R2ToneOn | R2ToneOff] = []
    for i in range(0, 4000, frame):
        got += bank.process(np.ascontiguousarray(block[:, i:i + frame]))
    got += bank.flush()
    for ch in range(channels):
        singles = detect(block[ch], direction)
        mine = [e for e in got if e.channel == ch]
        assert [(type(e), e.signal, e.sample) for e in mine] == \
            [(type(e), e.signal, e.sample) for e in singles]
        assert all(e.channel == -1 for e in singles)
    assert sum(isinstance(e, R2ToneOn) for e in got) >= 10
    assert bank.current() == [None] * channels


def test_bank_reports_signals_in_progress() -> None:
    bank = R2ToneDetectorBank(2, "backward")
    block = np.zeros((2, 800), np.int16)
    block[1] = ref.to_int16(pair(6, "backward", 800))
    on = bank.process(block)
    assert [(e.channel, e.signal) for e in on] == [(1, 6)]
    assert bank.current() == [None, 6]
    off = bank.flush()
    assert [(type(e), e.channel, e.signal) for e in off] == [(R2ToneOff, 1, 6)]


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_g711_codes_are_detected_like_linear_samples(law: str) -> None:
    pcm = sequence("backward", [(s, 50 * MS, 30 * MS) for s in range(1, 16)], low_dbm0=-30.0)
    codes = ref.alaw_encode(pcm) if law == "alaw" else ref.ulaw_encode(pcm)
    det = R2ToneDetector("backward", law=law)
    events = det.process(codes) + det.flush()
    assert ons(events) == list(range(1, 16))
    bank = R2ToneDetectorBank(2, "backward", law=law)
    got = bank.process(np.stack([codes, codes])) + bank.flush()
    assert [(type(e), e.signal, e.sample) for e in got if e.channel == 1] == \
        [(type(e), e.signal, e.sample) for e in events]
    with pytest.raises(SignalFormatError, match="uint8"):
        det.process(pcm)
    with pytest.raises(SignalFormatError, match="law"):
        R2ToneDetector("forward", law="g722")  # type: ignore[arg-type]


def test_detector_rejects_bad_frames_and_parameters() -> None:
    det = R2ToneDetector("forward")
    with pytest.raises(SignalFormatError, match="frame"):
        det.process(np.zeros(10, np.float64))
    with pytest.raises(SignalFormatError, match="frame"):
        det.process(np.zeros((2, 10), np.int16))
    with pytest.raises(SignalFormatError, match="direction"):
        R2ToneDetector("both")  # type: ignore[arg-type]
    with pytest.raises(SignalFormatError, match="threshold_dbm0"):
        R2ToneDetector("forward", threshold_dbm0=0.0)
    with pytest.raises(SignalFormatError, match="channels"):
        R2ToneDetectorBank(0, "forward")
    bank = R2ToneDetectorBank(3, "forward")
    with pytest.raises(SignalFormatError, match="shape"):
        bank.process(np.zeros((2, 160), np.int16))
    assert det.process(np.zeros(0, np.int16)) == []


def test_reset_restarts_the_timeline() -> None:
    det = R2ToneDetector("forward")
    pcm = framed(pair(2, "forward", 50 * MS))
    first = det.process(pcm) + det.flush()
    det.reset()
    assert det.samples == 0
    assert det.process(pcm) + det.flush() == first


def test_window_powers_hook_measures_each_frequency() -> None:
    det = R2ToneDetector("backward")
    powers, energy = det._test_window_powers(ref.to_int16(pair(15, "backward", 128, -10.0)))
    assert powers[4] == pytest.approx(-10.0, abs=0.5)     # 660 Hz
    assert powers[5] == pytest.approx(-10.0, abs=0.5)     # 540 Hz
    assert max(powers[:4]) < -30.0
    assert energy == pytest.approx(-7.0, abs=0.3)


def test_every_correlator_kernel_finds_the_same_signals() -> None:
    from boardlib.dsp import _r2

    best = _r2._test_simd_level()
    pcm = sequence("forward", [(s, 40 * MS, 30 * MS) for s in range(1, 16)], low_dbm0=-30.0)
    results = []
    try:
        for level in (0, 1, 2):
            _r2._test_select_simd(level)
            results.append([(type(e), e.signal, e.sample) for e in detect(pcm, "forward")])
    finally:
        _r2._test_select_simd({"generic": 0, "avx2": 1, "avx512": 2}[best])
    assert results[0] == results[1] == results[2]
    assert len(results[0]) == 30


# ------------------------------------------------------------------------------------------
# spandsp 0.0.6 as the external oracle: its R2 MF transmitter and receiver


@pytest.mark.oracle
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_detects_every_signal_sent_by_spandsp(direction: str) -> None:
    out = spandsp.R2MfTx(direction == "forward").pulses(spandsp.R2_CODES, 60 * MS, 40 * MS)
    events = detect(out, direction)
    assert ons(events) == list(range(1, 16))
    for e in events:
        if isinstance(e, R2ToneOn):   # spandsp sends -11 dBm0 per tone
            assert e.low_dbm0 == pytest.approx(-11.0, abs=0.6)
            assert e.high_dbm0 == pytest.approx(-11.0, abs=0.6)


@pytest.mark.oracle
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_spandsp_recognises_every_generated_signal(direction: str) -> None:
    gen = R2ToneGenerator(direction, level_dbm0=-11.5)
    parts = []
    for sig in range(1, 16):
        gen.pulse(sig, 60)
        parts.append(gen.generate(100 * MS))
    pcm = np.concatenate(parts)
    assert spandsp.R2MfRx(direction == "forward").recognise(pcm) == spandsp.R2_CODES
