"""DtmfGenerator and dtmf_frequencies: Q.23 frequencies, levels and twist, timing, queue.

Measured with numpy FFT peaks and least-squares sine fits; the waveform is compared with a
naive float64 rendering; sox (G.711 A-law and mu-law round trip) is the external oracle.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.dsp._tone import DtmfGenerator, dtmf_frequencies
from boardlib.errors import SignalFormatError
from tests.conftest import require_tool

FS = 8000
KEYPAD = "123A456B789C*0#D"
ROWS = (697.0, 770.0, 852.0, 941.0)
COLS = (1209.0, 1336.0, 1477.0, 1633.0)
Q23 = {d: (ROWS[k // 4], COLS[k % 4]) for k, d in enumerate(KEYPAD)}


def amplitude_of(level_dbm0: float) -> float:
    return 32768.0 * 10.0 ** ((level_dbm0 - 3.14) / 20.0)


def dbm0_of_amplitude(peak: float) -> float:
    return 20.0 * math.log10(peak / 32768.0) + 3.14


def naive_dtmf(digits: str, level: float = -10.0, twist: float = 0.0, on: int = 400,
               off: int = 400) -> np.ndarray:
    """Each digit: both Q.23 sines from phase 0 for ``on`` samples, then ``off`` zeros."""
    t = np.arange(on)
    parts = []
    for d in digits:
        lo, hi = Q23[d.upper()]
        x = amplitude_of(level) * np.sin(2 * np.pi * lo * t / FS) \
            + amplitude_of(level + twist) * np.sin(2 * np.pi * hi * t / FS)
        parts += [np.clip(np.rint(x), -32768, 32767), np.zeros(off)]
    return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, np.int16)


def peak_frequencies(x: np.ndarray, count: int) -> list[float]:
    n = len(x)
    nfft = 1 << int(math.ceil(math.log2(n * 16)))
    spec = np.abs(np.fft.rfft(x * np.hanning(n), nfft))
    logs = np.log(spec + 1e-12)
    is_peak = (spec[1:-1] > spec[:-2]) & (spec[1:-1] >= spec[2:])
    idx = np.nonzero(is_peak)[0] + 1
    idx = idx[np.argsort(spec[idx])[::-1][:count]]
    out = []
    for k in idx:
        a, b, c = logs[k - 1], logs[k], logs[k + 1]
        out.append((k + 0.5 * (a - c) / (a - 2 * b + c)) * FS / nfft)
    return sorted(out)


def fitted_amplitudes(x: np.ndarray, freqs: tuple[float, ...]) -> np.ndarray:
    t = np.arange(len(x)) / FS
    cols = []
    for f in freqs:
        cols += [np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)]
    coef, *_ = np.linalg.lstsq(np.column_stack(cols), x.astype(np.float64), rcond=None)
    return np.hypot(coef[0::2], coef[1::2])


def sounding_runs(x: np.ndarray) -> list[tuple[int, int]]:
    nz = x != 0
    sound = nz | np.concatenate([nz[1:], [False]])
    edges = np.diff(np.concatenate([[0], sound.astype(np.int8), [0]]))
    return [(int(s), int(e - s)) for s, e in
            zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0], strict=True)]


def drain(g: DtmfGenerator, block: int = 1000) -> np.ndarray:
    parts = []
    while True:
        x = g.generate(block)
        if len(x) == 0:
            break
        parts.append(x)
    return np.concatenate(parts) if parts else np.zeros(0, np.int16)


# ------------------------------------------------------------------------------------------
# Frequencies, levels, twist


@pytest.mark.parametrize("digit", list(KEYPAD))
def test_each_digit_is_exactly_its_two_q23_frequencies_at_the_requested_level(digit: str) -> None:
    g = DtmfGenerator(level_dbm0=-7.0, on_ms=500, off_ms=0)
    g.put(digit)
    x = g.generate(FS)
    assert len(x) == 4000
    assert peak_frequencies(x, 2) == pytest.approx(list(Q23[digit]), abs=0.1)
    levels = [dbm0_of_amplitude(a) for a in fitted_amplitudes(x, Q23[digit])]
    assert levels == pytest.approx([-7.0, -7.0], abs=0.1)
    # nothing but the two tones
    lo, hi = fitted_amplitudes(x, Q23[digit])
    assert np.std(x) == pytest.approx(math.sqrt((lo * lo + hi * hi) / 2), rel=0.005)


@pytest.mark.parametrize("twist", [-6.0, -2.0, 2.0, 4.0])
def test_twist_sets_the_high_group_level_relative_to_the_low_group(twist: float) -> None:
    g = DtmfGenerator(level_dbm0=-12.0, twist_db=twist, on_ms=400, off_ms=0)
    g.put("5")
    x = g.generate(FS)
    lo, hi = (dbm0_of_amplitude(a) for a in fitted_amplitudes(x, Q23["5"]))
    assert lo == pytest.approx(-12.0, abs=0.1)
    assert hi == pytest.approx(-12.0 + twist, abs=0.1)


def test_dtmf_frequencies_gives_the_q23_pair_for_every_key() -> None:
    for d, pair in Q23.items():
        assert dtmf_frequencies(d) == pair
        if d in "ABCD":
            assert dtmf_frequencies(d.lower()) == pair


@pytest.mark.parametrize("bad", ["E", "", "12", " ", "+", 1])
def test_dtmf_frequencies_rejects_anything_but_one_key(bad: object) -> None:
    with pytest.raises(SignalFormatError, match="digit"):
        dtmf_frequencies(bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Timing and waveform


def test_default_timing_is_50_ms_on_50_ms_off_per_digit() -> None:
    g = DtmfGenerator()
    g.put("1234567890*#ABCD")
    x = drain(g)
    assert len(x) == 16 * 800
    assert sounding_runs(x) == [(k * 800, 400) for k in range(16)]


def test_waveform_matches_a_naive_rendering_to_one_lsb() -> None:
    g = DtmfGenerator(level_dbm0=-4.0, twist_db=2.0)
    g.put("147*2580369#ABCDabcd")
    want = naive_dtmf("147*2580369#ABCDabcd", -4.0, 2.0)
    got = drain(g, 777)
    assert len(got) == len(want)
    assert np.max(np.abs(got.astype(np.int32) - want)) <= 1


def test_every_digit_starts_at_phase_zero() -> None:
    g = DtmfGenerator(on_ms=30, off_ms=17.5)   # 240 on, 140 off: no whole cycles
    g.put("11")
    x = drain(g)
    assert np.array_equal(x[:240], x[380:620])
    assert x[0] == 0 and x[380] == 0


def test_per_digit_timing_overrides_apply_only_to_those_digits() -> None:
    g = DtmfGenerator(on_ms=50, off_ms=50)
    g.put("12", on_ms=70, off_ms=30)
    g.put("3")
    x = drain(g)
    assert sounding_runs(x) == [(0, 560), (800, 560), (1600, 400)]
    assert len(x) == 2400


def test_durations_round_to_the_nearest_sample() -> None:
    g = DtmfGenerator(on_ms=40.0625, off_ms=40.06)   # 320.5 -> 321, 320.48 -> 320
    g.put("9")
    x = drain(g)
    assert len(x) == 641 and sounding_runs(x) == [(0, 321)]


def test_zero_off_time_sends_digits_back_to_back() -> None:
    g = DtmfGenerator(on_ms=40, off_ms=0)
    g.put("159")
    x = drain(g)
    assert len(x) == 960
    for k, d in enumerate("159"):
        assert peak_frequencies(x[k * 320:(k + 1) * 320], 2) == pytest.approx(
            list(Q23[d]), abs=1.0)


# ------------------------------------------------------------------------------------------
# Queue and state


def test_idle_generator_writes_nothing() -> None:
    g = DtmfGenerator()
    buf = np.full(100, 5, np.int16)
    assert g.generate_into(buf) == 0 and np.all(buf == 5)
    assert not g.busy and g.generate(160).size == 0


def test_busy_until_the_last_gap_is_sent() -> None:
    g = DtmfGenerator()
    g.put("7")
    assert g.busy and g.pending == "7"
    assert len(g.generate(799)) == 799 and g.busy and g.pending == ""
    assert len(g.generate(1000)) == 1 and not g.busy


def test_digits_put_while_sending_follow_without_a_glitch() -> None:
    g = DtmfGenerator()
    g.put("12")
    a = g.generate(1000)
    g.put("3")
    rest = drain(g, 160)
    whole = DtmfGenerator()
    whole.put("123")
    assert np.array_equal(np.concatenate([a, rest]), drain(whole))


def test_reset_drops_queued_digits_and_the_digit_in_progress() -> None:
    g = DtmfGenerator()
    g.put("123")
    g.generate(100)
    g.reset()
    assert not g.busy and g.generate(100).size == 0
    g.put("4")
    assert np.array_equal(drain(g), naive_dtmf("4"))


def test_a_long_queue_is_sent_in_full() -> None:
    digits = "0123456789*#ABCD" * 40
    g = DtmfGenerator(on_ms=40, off_ms=40)
    g.put(digits)
    assert g.pending == digits.upper()
    x = drain(g, 4096)
    assert len(x) == len(digits) * 640
    assert len(sounding_runs(x)) == len(digits)


@given(digits=st.text(alphabet=KEYPAD + "abcd", min_size=1, max_size=12),
       chunks=st.lists(st.integers(min_value=0, max_value=1200), min_size=1, max_size=30))
def test_any_chunking_gives_bit_identical_output(digits: str, chunks: list[int]) -> None:
    g = DtmfGenerator(on_ms=45, off_ms=55)
    g.put(digits)
    parts = [g.generate(n) for n in chunks]
    parts.append(drain(g))
    whole = DtmfGenerator(on_ms=45, off_ms=55)
    whole.put(digits)
    assert np.array_equal(np.concatenate(parts), drain(whole))


# ------------------------------------------------------------------------------------------
# Limits and bad input


@pytest.mark.parametrize("bad", ["E", "1 2", "+", ",", "\u0661", "e"])
def test_put_rejects_characters_outside_the_keypad_naming_them(bad: str) -> None:
    g = DtmfGenerator()
    with pytest.raises(SignalFormatError, match="accepted: 0-9 \\* # A-D") as info:
        g.put(bad)
    offending = next(c for c in bad if c.upper() not in KEYPAD)
    assert repr(offending) in str(info.value)
    assert not g.busy


def test_put_rejects_non_strings() -> None:
    with pytest.raises(SignalFormatError, match="digits must be a str"):
        DtmfGenerator().put(b"123")  # type: ignore[arg-type]


def test_accepts_full_scale_level_and_rejects_just_above() -> None:
    DtmfGenerator(level_dbm0=3.14)
    with pytest.raises(SignalFormatError, match="level_dbm0"):
        DtmfGenerator(level_dbm0=3.15)


def test_accepts_high_group_at_full_scale_and_rejects_just_above() -> None:
    DtmfGenerator(level_dbm0=-1.0, twist_db=4.14)
    with pytest.raises(SignalFormatError, match="twist_db"):
        DtmfGenerator(level_dbm0=-1.0, twist_db=4.15)


def test_accepts_a_one_sample_tone_and_rejects_shorter() -> None:
    g = DtmfGenerator(on_ms=0.0625, off_ms=0)
    g.put("1")
    assert len(drain(g)) == 1
    with pytest.raises(SignalFormatError, match="on_ms"):
        DtmfGenerator(on_ms=0.06)


@pytest.mark.parametrize(("kw", "field"), [({"on_ms": 0}, "on_ms"), ({"off_ms": -1}, "off_ms"),
                                           ({"level_dbm0": float("nan")}, "level_dbm0"),
                                           ({"twist_db": float("inf")}, "twist_db"),
                                           ({"level_dbm0": -91.0}, "level_dbm0"),
                                           ({"sample_rate": 8000.5}, "sample_rate")])
def test_rejects_bad_parameters_naming_them(kw: dict[str, float], field: str) -> None:
    with pytest.raises(SignalFormatError, match=field):
        DtmfGenerator(**kw)  # type: ignore[arg-type]


def test_put_rejects_bad_timing_overrides() -> None:
    g = DtmfGenerator()
    with pytest.raises(SignalFormatError, match="off_ms"):
        g.put("1", off_ms=-5)
    assert not g.busy


def test_rejects_bad_output_buffer() -> None:
    g = DtmfGenerator()
    g.put("1")
    with pytest.raises(SignalFormatError, match="out must be"):
        g.generate_into(np.zeros(10, np.float32))


# ------------------------------------------------------------------------------------------
# External oracle: G.711 through sox


@pytest.mark.oracle
@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_g711_round_trip_through_sox_keeps_frequencies_and_levels(law: str) -> None:
    require_tool("sox")
    from tests.reference.sox import sox_decode, sox_encode

    g = DtmfGenerator(level_dbm0=-10.0, twist_db=2.0, on_ms=250, off_ms=0)
    g.put("0D")
    x = drain(g)
    y = sox_decode(sox_encode(x, law), law)
    assert len(y) == len(x)
    for k, d in enumerate("0D"):
        seg = y[k * 2000:(k + 1) * 2000]
        assert peak_frequencies(seg, 2) == pytest.approx(list(Q23[d]), abs=0.1)
        lo, hi = (dbm0_of_amplitude(a) for a in fitted_amplitudes(seg, Q23[d]))
        assert lo == pytest.approx(-10.0, abs=0.15)
        assert hi == pytest.approx(-8.0, abs=0.15)


# ------------------------------------------------------------------------------------------
# Generate -> detect identity (the library's own receiver)


@given(digits=st.text(alphabet=KEYPAD, min_size=1, max_size=10),
       level=st.floats(min_value=-30.0, max_value=-3.0),
       twist=st.floats(min_value=-6.0, max_value=3.0),
       on_ms=st.integers(min_value=45, max_value=120),
       off_ms=st.integers(min_value=50, max_value=120))
def test_generated_digits_are_detected_exactly(digits: str, level: float, twist: float,
                                               on_ms: int, off_ms: int) -> None:
    from boardlib.dsp import DtmfDetector

    g = DtmfGenerator(level_dbm0=level, twist_db=twist, on_ms=on_ms, off_ms=off_ms)
    g.put(digits)
    x = np.concatenate([drain(g, 160), np.zeros(800, np.int16)])
    det = DtmfDetector()
    events = []
    for k in range(0, len(x), 160):
        events += det.process(x[k:k + 160])
    events += det.flush()
    assert "".join(e.digit for e in events) == digits
    period = (on_ms + off_ms) * 8
    for k, e in enumerate(events):
        assert abs(e.sample - k * period) <= 160
        assert e.low_dbm0 == pytest.approx(level, abs=1.5)
        assert e.high_dbm0 == pytest.approx(level + twist, abs=1.5)


def test_render_returns_exactly_what_generate_would_give() -> None:
    a = DtmfGenerator(level_dbm0=-7.0, on_ms=60, off_ms=40)
    b = DtmfGenerator(level_dbm0=-7.0, on_ms=60, off_ms=40)
    rendered = a.render("19#")
    b.put("19#")
    pieces = []
    while len(block := b.generate(333)):
        pieces.append(block)
    np.testing.assert_array_equal(rendered, np.concatenate(pieces))
    assert len(rendered) == 3 * (480 + 320) and not a.busy
