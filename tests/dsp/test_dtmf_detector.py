"""DTMF receiver: ITU-T Q.24 (AT&T column) limits, each with an accept and a reject case.

Every signal comes from the naive generators in ``tests.reference.signals``; nothing here is
produced by the code under test.
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.dsp._dtmf import DtmfDetector, DtmfDetectorBank, _test_select_simd
from boardlib.dsp.dtmf_events import DtmfDigit
from boardlib.errors import SignalFormatError
from tests.reference import g191
from tests.reference import signals as S

KEYPAD = S.KEYPAD
# One digit per tone: row tones with column 1209, column tones with row 697 (and the
# Mitel digits 1, 5, 9, D for the twist cases).
TONE_DIGITS = {
    ("low", 697.0): "1", ("low", 770.0): "4", ("low", 852.0): "7", ("low", 941.0): "*",
    ("high", 1209.0): "1", ("high", 1336.0): "2", ("high", 1477.0): "3", ("high", 1633.0): "A",
}


def detect(x: np.ndarray, **kwargs: object) -> list[DtmfDigit]:
    det = DtmfDetector(**kwargs)
    return det.process(S.to_int16(x) if x.dtype != np.int16 else x) + det.flush()


def digits_of(events: list[DtmfDigit]) -> str:
    return "".join(e.digit for e in events)


def burst_train(rng: np.random.Generator, count: int, **burst: object) -> np.ndarray:
    """``count`` bursts with random phases, each after a random 0..101-sample lead-in."""
    parts = []
    for _ in range(count):
        lead = int(rng.integers(0, 102))
        phases = rng.uniform(0, 2 * np.pi, 2)
        b = S.Burst(low_phase=phases[0], high_phase=phases[1], **burst)  # type: ignore[arg-type]
        parts.append(S.bursts([b], lead))
    return np.concatenate(parts)


# --- basic decoding -----------------------------------------------------------------------


def test_decodes_all_16_digits_with_start_duration_and_levels() -> None:
    rng = np.random.default_rng(1)
    lead = 333
    x = S.dtmf(KEYPAD, on_ms=50, off_ms=50, level_dbm0=-10.0, lead=lead, rng=rng)
    events = detect(x)
    assert digits_of(events) == KEYPAD
    for i, e in enumerate(events):
        assert e.channel == -1
        assert abs(e.sample - (lead + i * 800)) <= 48          # +-6 ms
        assert abs(e.duration - 400) <= 64                      # +-8 ms
        assert abs(e.low_dbm0 + 10.0) <= 1.0
        assert abs(e.high_dbm0 + 10.0) <= 1.0


@pytest.mark.parametrize("low, high", [(-4.0, -4.0), (-20.0, -17.0), (-25.0, -30.0)])
def test_reports_each_tone_level_within_1_db(low: float, high: float) -> None:
    rng = np.random.default_rng(2)
    x = burst_train(rng, 8, digit="5", on=480, off=400, low_dbm0=low, high_dbm0=high)
    events = detect(x)
    assert len(events) == 8
    for e in events:
        assert abs(e.low_dbm0 - low) <= 1.0
        assert abs(e.high_dbm0 - high) <= 1.0


def test_digit_is_reported_when_it_ends_and_current_shows_it_meanwhile() -> None:
    x = S.dtmf("7", on_ms=200, off_ms=0)
    det = DtmfDetector()
    assert det.process(x) == []
    assert det.current == "7"
    assert [e.digit for e in det.process(np.zeros(800, np.int16))] == ["7"]
    assert det.current is None


def test_flush_closes_a_digit_in_progress_at_end_of_stream() -> None:
    det = DtmfDetector()
    assert det.process(S.dtmf("#", on_ms=120, off_ms=0)) == []
    events = det.flush()
    assert digits_of(events) == "#"
    assert abs(events[0].duration - 960) <= 64
    assert det.flush() == []


def test_reset_restarts_the_timeline() -> None:
    det = DtmfDetector()
    det.process(S.dtmf("1", on_ms=60, off_ms=60))
    det.reset()
    assert det.samples == 0
    events = det.process(S.dtmf("2", on_ms=60, off_ms=60, lead=160))
    assert digits_of(events) == "2" and abs(events[0].sample - 160) <= 48


def test_accepts_frames_of_length_zero() -> None:
    det = DtmfDetector()
    assert det.process(np.zeros(0, np.int16)) == []
    assert det.samples == 0


# --- frequency tolerance ------------------------------------------------------------------


def _tone_burst(group: str, freq: float, rel: float, hz: float) -> dict[str, object]:
    digit = TONE_DIGITS[(group, freq)]
    if group == "low":
        return dict(digit=digit, low_offset=rel, low_offset_hz=hz)
    return dict(digit=digit, high_offset=rel, high_offset_hz=hz)


@pytest.mark.parametrize("sign", [+1, -1])
@pytest.mark.parametrize("group, freq", list(TONE_DIGITS))
def test_detects_every_tone_at_1_5_percent_plus_2_hz_off(group: str, freq: float,
                                                         sign: int) -> None:
    rng = np.random.default_rng(int(freq) * 2 + (sign > 0))
    burst = _tone_burst(group, freq, sign * 0.015, sign * 2.0)
    x = burst_train(rng, 10, on=400, off=400, low_dbm0=-17.0, high_dbm0=-17.0, **burst)
    assert digits_of(detect(x)) == burst["digit"] * 10


@pytest.mark.parametrize("sign", [+1, -1])
@pytest.mark.parametrize("group, freq", list(TONE_DIGITS))
def test_rejects_every_tone_3_5_percent_off_nominal(group: str, freq: float, sign: int) -> None:
    rng = np.random.default_rng(int(freq) * 2 + (sign > 0) + 7)
    burst = _tone_burst(group, freq, sign * 0.035, 0.0)
    x = burst_train(rng, 10, on=400, off=400, low_dbm0=-17.0, high_dbm0=-17.0, **burst)
    assert detect(x) == []


# --- twist --------------------------------------------------------------------------------


@pytest.mark.parametrize("digit", "159D")
def test_detects_low_group_8_db_louder(digit: str) -> None:
    rng = np.random.default_rng(3)
    x = burst_train(rng, 10, digit=digit, on=400, off=400, low_dbm0=-10.0, high_dbm0=-18.0)
    assert digits_of(detect(x)) == digit * 10


@pytest.mark.parametrize("digit", "159D")
def test_detects_high_group_4_db_louder(digit: str) -> None:
    rng = np.random.default_rng(4)
    x = burst_train(rng, 10, digit=digit, on=400, off=400, low_dbm0=-14.0, high_dbm0=-10.0)
    assert digits_of(detect(x)) == digit * 10


@pytest.mark.parametrize("digit", "159D")
@pytest.mark.parametrize("louder", ["low", "high"])
def test_rejects_10_db_twist_either_way(digit: str, louder: str) -> None:
    rng = np.random.default_rng(5)
    low, high = (-10.0, -20.0) if louder == "low" else (-20.0, -10.0)
    x = burst_train(rng, 10, digit=digit, on=400, off=400, low_dbm0=low, high_dbm0=high)
    assert detect(x) == []


def test_twist_limits_are_configurable() -> None:
    rng = np.random.default_rng(6)
    x = burst_train(rng, 5, digit="5", on=400, off=400, low_dbm0=-10.0, high_dbm0=-16.0)
    assert digits_of(detect(x)) == "55555"
    assert detect(x, max_twist_db=4.0) == []


# --- level --------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [3.0, 0.0])
def test_detects_tones_up_to_plus_3_dbm0_each_even_clipped(level: float) -> None:
    # Two tones at 0 dBm0 each already exceed full scale together: the signal clips.
    rng = np.random.default_rng(7)
    x = burst_train(rng, 10, digit="0", on=400, off=400, low_dbm0=level, high_dbm0=level)
    assert digits_of(detect(x)) == "0" * 10


@pytest.mark.parametrize("level", [-3.5, -10.0, -25.0, -30.0])
def test_detects_and_measures_tones_down_to_minus_30_dbm0(level: float) -> None:
    rng = np.random.default_rng(7)
    x = burst_train(rng, 10, digit="0", on=400, off=400, low_dbm0=level, high_dbm0=level)
    events = detect(x)
    assert digits_of(events) == "0" * 10
    assert all(abs(e.low_dbm0 - level) <= 1.0 for e in events)
    assert all(abs(e.high_dbm0 - level) <= 1.0 for e in events)


def test_detects_just_above_the_minus_42_dbm0_threshold() -> None:
    rng = np.random.default_rng(8)
    x = burst_train(rng, 10, digit="8", on=400, off=400, low_dbm0=-40.0, high_dbm0=-40.0)
    assert digits_of(detect(x)) == "8" * 10


@pytest.mark.parametrize("level", [-44.0, -55.0, -70.0])
def test_rejects_tones_below_the_threshold(level: float) -> None:
    rng = np.random.default_rng(9)
    x = burst_train(rng, 10, digit="8", on=400, off=400, low_dbm0=level, high_dbm0=level)
    assert detect(x) == []


def test_threshold_is_configurable() -> None:
    rng = np.random.default_rng(10)
    x = burst_train(rng, 5, digit="8", on=400, off=400, low_dbm0=-30.0, high_dbm0=-30.0)
    assert digits_of(detect(x)) == "88888"
    assert detect(x, threshold_dbm0=-28.0) == []


# --- timing -------------------------------------------------------------------------------


def test_detects_40_ms_tones_at_every_block_alignment() -> None:
    x = np.concatenate([S.bursts([S.Burst("5", 320, 400, -10.0, -10.0)], lead)
                        for lead in range(0, 102, 3)])
    assert digits_of(detect(x)) == "5" * 34


def test_rejects_23_ms_tones_at_every_block_alignment() -> None:
    x = np.concatenate([S.bursts([S.Burst("5", 184, 400, -10.0, -10.0)], lead)
                        for lead in range(0, 102, 3)])
    assert detect(x) == []


def test_a_40_ms_pause_separates_two_identical_digits() -> None:
    rng = np.random.default_rng(11)
    for lead in range(0, 102, 17):
        ph = rng.uniform(0, 2 * np.pi, 2)
        x = S.bursts([S.Burst("9", 400, 320, low_phase=ph[0], high_phase=ph[1]),
                      S.Burst("9", 400, 400, low_phase=ph[1], high_phase=ph[0])], lead)
        assert digits_of(detect(x)) == "99"


def test_a_10_ms_dropout_never_splits_a_digit() -> None:
    rng = np.random.default_rng(12)
    for lead in range(0, 102, 7):
        ph = rng.uniform(0, 2 * np.pi, 2)
        tone = S.burst_float(S.Burst("9", 1000, 400, low_phase=ph[0], high_phase=ph[1]))
        cut = 400 + lead
        tone[cut:cut + 80] = 0.0
        assert digits_of(detect(np.concatenate([np.zeros(lead), tone]))) == "9"


def test_fillin_advances_the_timeline_without_detecting_across_the_gap() -> None:
    det = DtmfDetector()
    # 30 ms of tone, a lost 20 ms frame, 30 ms more: too little tone on either side.
    tone = S.dtmf("3", on_ms=80, off_ms=0)
    events = det.process(tone[:240]) + det.fillin(160) + det.process(tone[400:])
    events += det.process(np.zeros(800, np.int16)) + det.flush()
    assert events == []
    assert det.samples == 640 + 800
    events = det.process(S.dtmf("4", on_ms=60, off_ms=60)) + det.flush()
    assert digits_of(events) == "4" and abs(events[0].sample - 1440) <= 48


def test_fillin_ends_a_digit_in_progress() -> None:
    det = DtmfDetector()
    events = det.process(S.dtmf("6", on_ms=100, off_ms=0)) + det.fillin(4000)
    assert digits_of(events) == "6"


# --- interference -------------------------------------------------------------------------


@pytest.mark.parametrize("dial_tone", [(450.0,), (350.0, 440.0)], ids=["china", "north-america"])
def test_detects_digits_over_dial_tone_at_equal_level(dial_tone: tuple[float, ...]) -> None:
    rng = np.random.default_rng(13)
    x = S.dtmf(KEYPAD, on_ms=50, off_ms=50, level_dbm0=-15.0, rng=rng)
    x = x.astype(float) + S.tones(len(x), dial_tone, -15.0)
    assert digits_of(detect(x)) == KEYPAD


@pytest.mark.parametrize("third_hz", [500.0, 1000.0, 1800.0, 2500.0, 3300.0])
def test_detects_digits_with_a_third_tone_16_db_down(third_hz: float) -> None:
    rng = np.random.default_rng(14)
    x = S.dtmf(KEYPAD, on_ms=50, off_ms=50, level_dbm0=-10.0, rng=rng)
    x = x.astype(float) + S.tones(len(x), [third_hz], -26.0)
    assert digits_of(detect(x)) == KEYPAD


def test_detects_every_digit_at_15_db_snr_in_white_noise() -> None:
    rng = np.random.default_rng(15)
    x = S.dtmf(KEYPAD * 6, on_ms=50, off_ms=50, level_dbm0=-10.0, rng=rng)
    noisy = x.astype(float) + S.white_noise(len(x), -25.0, rng)
    assert digits_of(detect(noisy)) == KEYPAD * 6


def test_noise_alone_gives_no_digits() -> None:
    rng = np.random.default_rng(16)
    assert detect(S.white_noise(8000 * 20, -10.0, rng)) == []


def test_few_false_digits_on_speech_and_music() -> None:
    from tests.reference import talkoff

    audio = talkoff.speech_and_music(180, 3)
    assert len(detect(audio)) <= 1


# --- G.711 --------------------------------------------------------------------------------


def test_detects_digits_after_an_alaw_round_trip() -> None:
    rng = np.random.default_rng(17)
    x = S.dtmf(KEYPAD, on_ms=50, off_ms=50, level_dbm0=-20.0, rng=rng)
    assert digits_of(detect(S.alaw_munge(x))) == KEYPAD


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_law_input_decodes_inside_the_kernel(law: str) -> None:
    rng = np.random.default_rng(18)
    x = S.dtmf(KEYPAD, on_ms=50, off_ms=50, level_dbm0=-10.0, rng=rng)
    if law == "alaw":
        codes = S.alaw_encode(x)
        linear = np.array(g191.alaw_decode_list(codes.tolist()), np.int16)
    else:
        codes = S.ulaw_encode(x)
        linear = np.array(g191.ulaw_decode_list(codes.tolist()), np.int16)
    det = DtmfDetector(law=law)
    from_codes = det.process(codes) + det.flush()
    assert digits_of(from_codes) == KEYPAD
    assert from_codes == detect(linear)


# --- chunking, banks, SIMD paths ----------------------------------------------------------

_STREAM = S.to_int16(
    S.bursts([S.Burst(d, 320 + 40 * (i % 5), 330 + 17 * i, -12.0 - i % 4, -12.0 - i % 3)
              for i, d in enumerate("0123456789*#ABCD")], 57)
    + S.white_noise(13777, -40.0, np.random.default_rng(19))[:1]
)
_STREAM_EVENTS = detect(_STREAM)


def test_reference_stream_decodes() -> None:
    assert digits_of(_STREAM_EVENTS) == "0123456789*#ABCD"


@given(st.lists(st.integers(0, len(_STREAM)), max_size=25))
def test_events_do_not_depend_on_chunking(cuts: list[int]) -> None:
    det = DtmfDetector()
    events: list[DtmfDigit] = []
    bounds = [0, *sorted(cuts), len(_STREAM)]
    for a, b in itertools.pairwise(bounds):
        events += det.process(_STREAM[a:b])
    assert events + det.flush() == _STREAM_EVENTS


@given(st.lists(st.integers(-32768, 32767), max_size=3000), st.integers(1, 500))
def test_any_int16_input_never_crashes(samples: list[int], chunk: int) -> None:
    x = np.array(samples, dtype=np.int16)
    det = DtmfDetector()
    for i in range(0, len(x), chunk):
        for e in det.process(x[i:i + chunk]):
            assert e.digit in KEYPAD
    det.flush()


@given(st.binary(max_size=3000))
def test_any_law_codes_never_crash(codes: bytes) -> None:
    det = DtmfDetector(law="ulaw")
    det.process(np.frombuffer(codes, dtype=np.uint8))
    det.flush()


def test_bank_matches_separate_detectors() -> None:
    rng = np.random.default_rng(20)
    channels = 5
    rows = [np.roll(_STREAM, int(rng.integers(0, len(_STREAM)))) for _ in range(channels)]
    rows[3] = S.to_int16(S.white_noise(len(_STREAM), -20.0, rng))
    block = np.ascontiguousarray(np.stack(rows))
    bank = DtmfDetectorBank(channels=channels)
    got: list[DtmfDigit] = []
    for start in range(0, block.shape[1], 160):
        got += bank.process(np.ascontiguousarray(block[:, start:start + 160]))
        if start == 8000:
            got += bank.fillin(240)
    got += bank.flush()
    for ch in range(channels):
        det = DtmfDetector()
        want: list[DtmfDigit] = []
        for start in range(0, block.shape[1], 160):
            want += det.process(block[ch, start:start + 160])
            if start == 8000:
                want += det.fillin(240)
        want += det.flush()
        assert [e for e in got if e.channel == ch] == [
            dataclasses.replace(e, channel=ch) for e in want]
    assert bank.current() == [None] * channels


def test_alaw_bank_matches_separate_detectors() -> None:
    codes = np.stack([S.alaw_encode(_STREAM[:6000]), S.alaw_encode(_STREAM[6000:12000])])
    bank = DtmfDetectorBank(2, law="alaw")
    got = bank.process(codes) + bank.flush()
    for ch in range(2):
        det = DtmfDetector(law="alaw")
        want = det.process(codes[ch]) + det.flush()
        assert [e for e in got if e.channel == ch] == [
            dataclasses.replace(e, channel=ch) for e in want]
    assert len(got) > 0


@pytest.mark.parametrize("level", [0, 1, 2])
def test_every_simd_path_decodes_the_same_digits(level: int) -> None:
    try:
        _test_select_simd(level)
        events = detect(_STREAM)
    finally:
        _test_select_simd(2)
    assert digits_of(events) == digits_of(_STREAM_EVENTS)
    for a, b in zip(events, _STREAM_EVENTS, strict=True):
        assert abs(a.sample - b.sample) <= 51 and abs(a.low_dbm0 - b.low_dbm0) < 0.1


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 2])
def test_busy_bank_matches_separate_detectors_on_every_simd_path(level: int) -> None:
    # 37 channels (not a multiple of any vector width): most dial all the time, some now and
    # then, some carry noise; odd chunk lengths and a lost stretch of audio.
    rng = np.random.default_rng(21)
    n = 24000
    rows = []
    for ch in range(37):
        if ch % 5 == 4:
            rows.append(S.to_int16(S.white_noise(n, -20.0, rng)))
            continue
        gap = 50 if ch % 5 else 900
        x = S.dtmf(KEYPAD, on_ms=50, off_ms=gap, level_dbm0=float(rng.uniform(-30, -5)),
                   lead=int(rng.integers(0, 400)), rng=rng)
        rows.append(np.resize(x, n))
    block = np.ascontiguousarray(np.stack(rows))
    cuts = [0, *sorted(int(c) for c in rng.integers(0, n, 12)), n]
    try:
        _test_select_simd(level)
        bank = DtmfDetectorBank(37)
        got: list[DtmfDigit] = []
        for a, b in itertools.pairwise(cuts):
            got += bank.process(np.ascontiguousarray(block[:, a:b]))
            if a == cuts[5]:
                got += bank.fillin(77)
        got += bank.flush()
        for ch in range(37):
            det = DtmfDetector()
            want: list[DtmfDigit] = []
            for a, b in itertools.pairwise(cuts):
                want += det.process(block[ch, a:b])
                if a == cuts[5]:
                    want += det.fillin(77)
            want += det.flush()
            assert [e for e in got if e.channel == ch] == [
                dataclasses.replace(e, channel=ch) for e in want]
    finally:
        _test_select_simd(2)
    assert len(got) > 37 * 16


@pytest.mark.parametrize("frame", [
    np.zeros(160, np.float32), np.zeros(160, np.int32), np.zeros(160, np.uint8),
    np.zeros((2, 80), np.int16), [0.5] * 10,
])
def test_rejects_frames_of_the_wrong_type_or_shape(frame: object) -> None:
    with pytest.raises(SignalFormatError, match="frame"):
        DtmfDetector().process(frame)


def test_law_detector_rejects_int16_frames() -> None:
    with pytest.raises(SignalFormatError, match="uint8"):
        DtmfDetector(law="alaw").process(np.zeros(10, np.int16))


@pytest.mark.parametrize("kwargs, name", [
    ({"threshold_dbm0": float("nan")}, "threshold_dbm0"),
    ({"threshold_dbm0": 5.0}, "threshold_dbm0"),
    ({"max_twist_db": float("inf")}, "max_twist_db"),
    ({"max_twist_db": -1.0}, "max_twist_db"),
    ({"max_reverse_twist_db": -0.5}, "max_reverse_twist_db"),
    ({"sample_rate": 16000}, "sample_rate"),
    ({"law": "gsm"}, "law"),
])
def test_rejects_bad_parameters(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(SignalFormatError, match=name):
        DtmfDetector(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [-1, 2.5])
def test_rejects_bad_fillin_counts(n: float) -> None:
    with pytest.raises(SignalFormatError, match="n must"):
        DtmfDetector().fillin(n)  # type: ignore[arg-type]


@pytest.mark.parametrize("channels", [0, -3, 2.5])
def test_bank_rejects_bad_channel_counts(channels: float) -> None:
    with pytest.raises(SignalFormatError, match="channels"):
        DtmfDetectorBank(channels)  # type: ignore[arg-type]


@pytest.mark.parametrize("block", [
    np.zeros((3, 160), np.int16), np.zeros(160, np.int16), np.zeros((4, 160), np.float64),
    np.zeros((160, 4), np.int16).T,
])
def test_bank_rejects_blocks_of_the_wrong_type_shape_or_layout(block: np.ndarray) -> None:
    with pytest.raises(SignalFormatError, match="block"):
        DtmfDetectorBank(4).process(block)


# --- construction, events, input layouts --------------------------------------------------


def test_detectors_behave_the_same_whatever_was_built_before() -> None:
    # More parameter sets than are kept compiled, so some are compiled twice.
    for k in range(80):
        DtmfDetector(threshold_dbm0=-60.0 + 0.5 * k, max_twist_db=k % 20,
                     max_reverse_twist_db=(k * 7) % 20, law=(None, "alaw", "ulaw")[k % 3])
    assert detect(_STREAM) == _STREAM_EVENTS
    assert detect(_STREAM, threshold_dbm0=-42, max_twist_db=8, max_reverse_twist_db=4.0) \
        == _STREAM_EVENTS


def test_a_rebuilt_detector_keeps_its_own_threshold() -> None:
    x = S.bursts([S.Burst("5", 400, 400, -30.0, -30.0)], 100)
    for _ in range(2):
        assert digits_of(detect(x, threshold_dbm0=-31.0)) == "5"
        assert digits_of(detect(x, threshold_dbm0=-29.0)) == ""


def test_events_are_ordinary_frozen_digits() -> None:
    bank = DtmfDetectorBank(2)
    block = np.ascontiguousarray(np.stack([_STREAM, _STREAM]))
    for e in (_STREAM_EVENTS[0], (bank.process(block) + bank.flush())[-1]):
        twin = DtmfDigit(e.digit, e.sample, e.duration, e.low_dbm0, e.high_dbm0, e.channel)
        assert type(e) is DtmfDigit
        assert e == twin and hash(e) == hash(twin) and repr(e) == repr(twin)
        assert pickle.loads(pickle.dumps(e)) == e
        assert dataclasses.replace(e, channel=7).channel == 7
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.digit = "0"  # type: ignore[misc]


def test_strided_and_read_only_frames_decode_like_contiguous_ones() -> None:
    strided = np.stack([_STREAM, -_STREAM], axis=1)[:, 0]
    assert not strided.flags.c_contiguous
    read_only = _STREAM.copy()
    read_only.flags.writeable = False
    assert detect(strided) == _STREAM_EVENTS
    assert detect(read_only) == _STREAM_EVENTS
    bank = DtmfDetectorBank(1)
    block = _STREAM[np.newaxis, :].copy()
    block.flags.writeable = False
    assert bank.process(block) + bank.flush() == [
        dataclasses.replace(e, channel=0) for e in _STREAM_EVENTS]


def test_rejects_byte_swapped_samples() -> None:
    with pytest.raises(SignalFormatError, match="frame"):
        DtmfDetector().process(np.zeros(160, ">i2"))
    with pytest.raises(SignalFormatError, match="block"):
        DtmfDetectorBank(2).process(np.zeros((2, 160), ">i2"))
