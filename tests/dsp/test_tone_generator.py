"""ToneGenerator: frequencies, levels, cadences, reversals, AM, chunking, limits.

The output is checked against measurements that do not use the generator's method: numpy
FFT peaks (Hann window, zero padding, parabolic interpolation), least-squares sine fits at
known frequencies, RMS, and a naive float64 rendering of the documented behaviour.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.dsp import specs
from boardlib.dsp._tone import ToneGenerator
from boardlib.dsp.specs import PROFILES, SPECIAL_TONES, ToneSpec, ToneStep
from boardlib.errors import SignalFormatError

FS = 8000


# ------------------------------------------------------------------------------------------
# Independent measurement and a naive rendering


def amplitude_of(level_dbm0: float) -> float:
    return 32768.0 * 10.0 ** ((level_dbm0 - 3.14) / 20.0)


def dbm0_of_amplitude(peak: float) -> float:
    return 20.0 * math.log10(peak / 32768.0) + 3.14


def ms_to_samples(ms: float, fs: int = FS) -> int:
    return int(math.floor(ms * fs / 1000.0 + 0.5))


def naive_render(spec: ToneSpec, limit: int, fs: int = FS) -> np.ndarray:
    """The tone as documented, sample by sample in float64 (not the generator's method).

    Each step's sines start at phase 0, except a frequency that also sounds in the same slot
    of the step played just before, which continues; reversal: sample k of a step is
    inverted k // reversal times; AM envelope 1 + depth*sin(2 pi am_hz t).
    """
    out: list[np.ndarray] = []
    total = 0
    prev: ToneStep | None = None
    prev_len = 0
    phases: list[float] = []     # cycles, at the start of the current step
    am_phase = 0.0
    passes = 0
    while total < limit:
        for step in spec.steps:
            length = limit - total if step.duration_ms is None \
                else ms_to_samples(step.duration_ms, fs)
            length = min(length, limit - total)
            sounding_prev = prev is not None and prev.frequencies_hz and prev_len > 0
            new_phases = []
            for i, f in enumerate(step.frequencies_hz):
                if sounding_prev and i < len(prev.frequencies_hz) and prev.frequencies_hz[i] == f:
                    new_phases.append((phases[i] + f * prev_len / fs) % 1.0)
                else:
                    new_phases.append(0.0)
            am_on = bool(step.frequencies_hz) and step.am_hz > 0 and step.am_depth > 0
            prev_am = sounding_prev and prev.am_hz > 0 and prev.am_depth > 0
            if am_on and prev_am and prev.am_hz == step.am_hz:
                am_phase = (am_phase + prev.am_hz * prev_len / fs) % 1.0
            else:
                am_phase = 0.0
            t = np.arange(length, dtype=np.float64)
            x = np.zeros(length)
            for f, lv, ph in zip(step.frequencies_hz, step.levels(), new_phases, strict=True):
                x += amplitude_of(lv) * np.sin(2 * np.pi * (ph + f * t / fs))
            if am_on:
                x *= 1.0 + step.am_depth * np.sin(2 * np.pi * (am_phase + step.am_hz * t / fs))
            if step.reversal_ms and step.frequencies_hz:
                r = ms_to_samples(step.reversal_ms, fs)
                x *= np.where((np.arange(length) // r) % 2 == 1, -1.0, 1.0)
            out.append(np.clip(np.rint(x), -32768, 32767))
            total += length
            phases, prev, prev_len = new_phases, step, length
            if total >= limit:
                break
        passes += 1
        if spec.repeat is not None and passes >= spec.repeat:
            break
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


def silent_mask(spec: ToneSpec, n: int, fs: int = FS) -> np.ndarray:
    """True on samples that belong to silent steps."""
    mask = np.zeros(n, bool)
    pos = 0
    while pos < n:
        for step in spec.steps:
            length = n - pos if step.duration_ms is None else ms_to_samples(step.duration_ms, fs)
            if step.silent:
                mask[pos:pos + length] = True
            pos += length
            if pos >= n:
                break
        if spec.repeat is not None:
            break
    return mask[:n]


def peak_frequencies(x: np.ndarray, count: int, fs: int = FS) -> list[float]:
    """The ``count`` strongest spectral peaks, by Hann-windowed, 16x zero-padded FFT with
    parabolic interpolation on the log magnitude."""
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
        delta = 0.5 * (a - c) / (a - 2 * b + c)
        out.append((k + delta) * fs / nfft)
    return sorted(out)


def fitted_amplitudes(x: np.ndarray, freqs: list[float], fs: int = FS) -> np.ndarray:
    """Least-squares amplitude of each known frequency in ``x``."""
    t = np.arange(len(x)) / fs
    cols = []
    for f in freqs:
        cols += [np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)]
    coef, *_ = np.linalg.lstsq(np.column_stack(cols), x.astype(np.float64), rcond=None)
    return np.hypot(coef[0::2], coef[1::2])


def sounding_runs(x: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each burst: a sample sounds if it or the next one is non-zero
    (the first sample of a burst is sin(0) = 0)."""
    nz = x != 0
    sound = nz | np.concatenate([nz[1:], [False]])
    edges = np.diff(np.concatenate([[0], sound.astype(np.int8), [0]]))
    starts = np.nonzero(edges == 1)[0]
    ends = np.nonzero(edges == -1)[0]
    return [(int(s), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def expected_runs(spec: ToneSpec, n: int, fs: int = FS) -> list[tuple[int, int]]:
    """Bursts from the spec's figures (consecutive sounding steps merge into one burst)."""
    runs: list[tuple[int, int]] = []
    pos = 0
    cur: list[int] | None = None
    passes = 0
    while pos < n:
        for step in spec.steps:
            length = n - pos if step.duration_ms is None else ms_to_samples(step.duration_ms, fs)
            length = min(length, n - pos)
            if step.silent:
                if cur:
                    runs.append((cur[0], cur[1]))
                    cur = None
            elif cur is None:
                cur = [pos, length]
            else:
                cur[1] += length
            pos += length
            if pos >= n:
                break
        passes += 1
        if spec.repeat is not None and passes >= spec.repeat:
            break
    if cur:
        runs.append((cur[0], cur[1]))
    return runs


ALL_TONES = [(p, name) for p, prof in PROFILES.items() for name in prof.tones] + \
    [("cn", name) for name in SPECIAL_TONES]


def tone_spec(profile: str, name: str) -> ToneSpec:
    prof = PROFILES[profile]
    return prof[name] if name in prof else SPECIAL_TONES[name]


def render_length(spec: ToneSpec) -> int:
    period = spec.period_ms
    if period is None:
        return 3 * FS + 123
    passes = spec.repeat if spec.repeat is not None else 2
    return ms_to_samples(period) * passes + (0 if spec.repeat is not None else 777)


# ------------------------------------------------------------------------------------------
# Cadences and waveform, for every built-in tone


@pytest.mark.parametrize(("profile", "name"), ALL_TONES, ids=[f"{p}-{n}" for p, n in ALL_TONES])
def test_every_builtin_tone_matches_its_naive_rendering_to_one_lsb(profile: str, name: str) -> None:
    spec = tone_spec(profile, name)
    n = render_length(spec)
    want = naive_render(spec, n)
    got = ToneGenerator(name, profile=profile).generate(n)
    assert len(got) == len(want)
    assert np.max(np.abs(got.astype(np.int32) - want)) <= 1
    # silence is exact silence
    assert not np.any(got[silent_mask(spec, len(got))])


@pytest.mark.parametrize(("profile", "name"), ALL_TONES, ids=[f"{p}-{n}" for p, n in ALL_TONES])
def test_cadence_on_and_off_times_are_exact_to_the_sample(profile: str, name: str) -> None:
    spec = tone_spec(profile, name)
    n = render_length(spec)
    got = ToneGenerator(name, profile=profile).generate(n)
    assert sounding_runs(got) == expected_runs(spec, len(got))


def test_ced_starts_with_200_ms_of_silence_then_3300_ms_of_2100_hz() -> None:
    x = ToneGenerator("ced").generate(10 * FS)
    assert len(x) == 3500 * 8
    assert sounding_runs(x) == [(1600, 3300 * 8)]
    assert peak_frequencies(x[1600:], 1) == pytest.approx([2100.0], abs=0.1)


def test_sit_sends_three_330_ms_segments_then_one_second_of_silence_and_ends() -> None:
    g = ToneGenerator("sit")
    x = g.generate(10 * FS)
    assert len(x) == 3 * 2640 + 8000 and g.done and not g.busy
    for k, f in enumerate((950.0, 1400.0, 1800.0)):
        seg = x[k * 2640:(k + 1) * 2640]
        assert peak_frequencies(seg, 1) == pytest.approx([f], abs=0.1)
        assert dbm0_of_amplitude(fitted_amplitudes(seg, [f])[0]) == pytest.approx(-13.0, abs=0.1)
    assert not x[3 * 2640:].any()
    assert g.generate(100).size == 0 and g.generate_into(np.zeros(10, np.int16)) == 0


def test_cng_repeats_half_second_bursts_every_three_and_a_half_seconds() -> None:
    x = ToneGenerator("cng").generate(8 * FS)
    assert sounding_runs(x) == [(0, 4000), (28000, 4000), (56000, 4000)]


def test_step_durations_round_to_the_nearest_sample_halves_up() -> None:
    spec = ToneSpec("t", (ToneStep((1000,), 10.0625), ToneStep((), 10.06), ToneStep((), 0.06)), 1)
    g = ToneGenerator(spec)
    assert g.step_samples == (81, 80, 0)
    assert len(g.generate(1000)) == 161


# ------------------------------------------------------------------------------------------
# Frequency and level


FREQ_CASES = [
    ("cn", "dial", [450.0], [-12.0]),
    ("us", "dial", [350.0, 440.0], [-13.0, -13.0]),
    ("uk", "dial", [350.0, 440.0], [-13.0, -13.0]),
    ("etsi", "dial", [425.0], [-13.0]),
    ("us", "ringback", [440.0, 480.0], [-19.0, -19.0]),
    ("us", "busy", [480.0, 620.0], [-24.0, -24.0]),
    ("uk", "ringback", [400.0, 450.0], [-19.0, -19.0]),
    ("us", "howler", [1400.0, 2060.0, 2450.0, 2600.0], [-10.0] * 4),
    ("cn", "howler", [950.0], [0.0]),
    ("cn", "bell_ans", [2225.0], [-11.0]),
    ("cn", "v25_calling", [1300.0], [-11.0]),
]


@pytest.mark.parametrize(("profile", "name", "freqs", "levels"), FREQ_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in FREQ_CASES])
def test_frequencies_within_a_tenth_of_a_hertz_and_levels_within_a_tenth_of_a_db(
        profile: str, name: str, freqs: list[float], levels: list[float]) -> None:
    x = ToneGenerator(name, profile=profile).generate(2 * FS)
    first = sounding_runs(x)[0]
    burst = x[first[0]:first[0] + first[1]]
    assert peak_frequencies(burst, len(freqs)) == pytest.approx(freqs, abs=0.1)
    got = [dbm0_of_amplitude(a) for a in fitted_amplitudes(burst, freqs)]
    assert got == pytest.approx(levels, abs=0.1)


def test_single_tone_rms_gives_the_requested_dbm0() -> None:
    x = ToneGenerator("dial", profile="cn").generate(FS).astype(np.float64)
    rms = math.sqrt(np.mean(x * x))
    assert dbm0_of_amplitude(rms * math.sqrt(2.0)) == pytest.approx(-12.0, abs=0.1)


def test_non_integer_frequency_is_exact() -> None:
    spec = ToneSpec.continuous("odd", [1234.567], -10.0)
    x = ToneGenerator(spec).generate(4 * FS)
    assert peak_frequencies(x, 1) == pytest.approx([1234.567], abs=0.01)


def test_no_phase_drift_after_an_hour_of_tone() -> None:
    f1, f2 = 1234.567, 3011.25
    spec = ToneSpec.continuous("long", [f1, f2], (-10.0, -16.0))
    g = ToneGenerator(spec)
    buf = np.empty(80_000, np.int16)
    for _ in range(3600 * FS // len(buf)):
        assert g.generate_into(buf) == len(buf)
    assert g.sample == 3600 * FS
    last = g.generate(FS).astype(np.float64)
    n = np.arange(3600 * FS, 3601 * FS, dtype=np.float64)
    want = amplitude_of(-10.0) * np.sin(2 * np.pi * ((f1 * n / FS) % 1.0)) \
        + amplitude_of(-16.0) * np.sin(2 * np.pi * ((f2 * n / FS) % 1.0))
    assert np.max(np.abs(last - np.rint(want))) <= 1


def test_levels_per_frequency_are_independent() -> None:
    spec = ToneSpec.continuous("two", [600.0, 1800.0], (-6.0, -20.0))
    x = ToneGenerator(spec).generate(FS)
    got = [dbm0_of_amplitude(a) for a in fitted_amplitudes(x, [600.0, 1800.0])]
    assert got == pytest.approx([-6.0, -20.0], abs=0.1)


# ------------------------------------------------------------------------------------------
# Phase reversals and amplitude modulation


def block_phases(x: np.ndarray, f: float, block: int) -> np.ndarray:
    """Phase (radians) of ``f`` fitted by least squares in each block, on absolute time."""
    nblocks = len(x) // block
    out = np.empty(nblocks)
    for b in range(nblocks):
        n = np.arange(b * block, (b + 1) * block)
        cols = np.column_stack([np.sin(2 * np.pi * f * n / FS), np.cos(2 * np.pi * f * n / FS)])
        (s, c), *_ = np.linalg.lstsq(cols, x[n].astype(np.float64), rcond=None)
        out[b] = math.atan2(c, s)
    return out


@pytest.mark.parametrize("name", ["ans_pr", "ansam_pr"])
def test_phase_reverses_by_180_degrees_every_450_ms_and_nowhere_else(name: str) -> None:
    x = ToneGenerator(name).generate(10 * FS)
    block = 40
    phases = block_phases(x, 2100.0, block)
    jumps = np.degrees(np.angle(np.exp(1j * np.diff(phases))))
    boundaries = (np.arange(1, len(phases)) * block)
    at = boundaries % 3600 == 0
    assert at.sum() == len(x) // 3600
    # AM makes the per-block fit slightly noisier; 2 degrees still separates 0 from 180.
    assert np.all(np.abs(np.abs(jumps[at]) - 180.0) < 2.0)
    assert np.all(np.abs(jumps[~at]) < 2.0)


@pytest.mark.parametrize("name", ["ansam", "ansam_pr"])
def test_ansam_is_15_hz_am_of_depth_0_2_on_2100_hz_at_minus_12_dbm0(name: str) -> None:
    x = ToneGenerator(name).generate(5 * FS)
    assert len(x) == 5 * FS
    seg = x[:3600] if name == "ansam_pr" else x[:FS]   # before the first reversal
    seg = seg[: len(seg) // 1200 * 1200] if name == "ansam_pr" else seg
    freqs = [2100.0, 2085.0, 2115.0]
    carrier, lower, upper = fitted_amplitudes(seg, freqs)
    assert (lower + upper) / carrier == pytest.approx(0.2, abs=0.01)
    assert lower == pytest.approx(upper, rel=0.05)
    assert dbm0_of_amplitude(carrier) == pytest.approx(-12.0, abs=0.1)
    # nothing else: the three components carry all the power
    assert np.std(seg) == pytest.approx(
        math.sqrt((carrier ** 2 + lower ** 2 + upper ** 2) / 2), rel=0.01)


def test_ansam_envelope_swings_between_0_8_and_1_2_of_the_carrier() -> None:
    x = ToneGenerator("ansam").generate(2 * FS).astype(np.float64)
    a = amplitude_of(-12.0)
    # peak of each 2100 Hz half-period bunch: 80 samples ~ 4 carrier cycles, 1/6.7 of 15 Hz
    peaks = np.abs(x[: len(x) // 20 * 20]).reshape(-1, 20).max(axis=1) / a
    assert peaks.max() == pytest.approx(1.2, abs=0.02)
    assert peaks.min() == pytest.approx(0.8, abs=0.03)


# ------------------------------------------------------------------------------------------
# Chunking and state


CHUNK_TONES = [("cn", "ansam_pr"), ("us", "stutter_dial"), ("cn", "sit"), ("uk", "ringback"),
               ("cn", "vacant"), ("us", "howler"), ("cn", "ced")]


@given(tone=st.sampled_from(CHUNK_TONES),
       chunks=st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=40))
def test_any_chunking_gives_bit_identical_output(tone: tuple[str, str], chunks: list[int]) -> None:
    profile, name = tone
    whole = ToneGenerator(name, profile=profile).generate(sum(chunks))
    g = ToneGenerator(name, profile=profile)
    parts = [g.generate(n) for n in chunks]
    assert np.array_equal(np.concatenate(parts), whole)


def test_one_sample_at_a_time_equals_one_call() -> None:
    g = ToneGenerator("ansam_pr")
    one = np.concatenate([g.generate(1) for _ in range(1000)])
    assert np.array_equal(one, ToneGenerator("ansam_pr").generate(1000))


def test_generate_into_fills_from_the_start_and_returns_the_count() -> None:
    g = ToneGenerator("sit")
    buf = np.full(20000, 7, np.int16)
    assert g.generate_into(buf) == 15920
    assert np.all(buf[15920:] == 7)
    assert g.generate_into(buf) == 0


def test_reset_starts_the_tone_again() -> None:
    g = ToneGenerator("busy", profile="us")
    first = g.generate(9000)
    g.generate(1234)
    g.reset()
    assert g.sample == 0
    assert np.array_equal(g.generate(9000), first)


def test_continuous_tone_is_always_busy_and_never_runs_short() -> None:
    g = ToneGenerator("dial", profile="us")
    for _ in range(10):
        assert len(g.generate(4321)) == 4321
    assert g.busy and not g.done and g.total_samples is None


def test_finite_tone_reports_done_right_after_its_last_sample() -> None:
    g = ToneGenerator("ced")
    assert g.total_samples == 28000
    assert len(g.generate(27999)) == 27999 and g.busy
    assert len(g.generate(1)) == 1 and g.done


def test_profile_object_and_spec_are_accepted() -> None:
    g = ToneGenerator("busy", profile=PROFILES["etsi"])
    assert g.period_samples == 2 * 480 * 8
    g2 = ToneGenerator(specs.get_profile("etsi")["busy"])
    assert np.array_equal(g.generate(10000), g2.generate(10000))


def test_profile_tone_names_shadow_special_tones_and_specials_are_found_anywhere() -> None:
    assert ToneGenerator("cng", profile="uk").tone is SPECIAL_TONES["cng"]
    assert ToneGenerator("busy", profile="uk").tone is PROFILES["uk"]["busy"]


# ------------------------------------------------------------------------------------------
# Saturation


def test_levels_summing_past_full_scale_saturate_instead_of_wrapping() -> None:
    spec = ToneSpec.continuous("loud", [500.0, 700.0, 900.0, 1100.0], 3.14)
    x = ToneGenerator(spec).generate(FS)
    t = np.arange(FS)
    raw = sum(amplitude_of(3.14) * np.sin(2 * np.pi * f * t / FS) for f in (500, 700, 900, 1100))
    assert np.max(np.abs(x.astype(np.int32) - np.clip(np.rint(raw), -32768, 32767))) <= 1
    assert np.all(x[raw > 32768.5] == 32767)
    assert np.all(x[raw < -32769.5] == -32768)
    assert x.max() == 32767 and x.min() == -32768


def test_full_scale_single_tone_is_accepted_and_touches_the_rails() -> None:
    x = ToneGenerator(ToneSpec.continuous("max", [1000.0], 3.14)).generate(FS)
    assert x.max() >= 32766 and x.min() <= -32767


# ------------------------------------------------------------------------------------------
# Limits and bad input


def test_accepts_frequency_just_below_nyquist() -> None:
    g = ToneGenerator(ToneSpec.continuous("hi", [3999.9], -20.0))
    assert len(g.generate(100)) == 100


def test_rejects_frequency_at_nyquist() -> None:
    with pytest.raises(SignalFormatError, match="frequencies_hz.*4000"):
        ToneGenerator(ToneSpec.continuous("hi", [4000.0], -20.0))


def test_nyquist_follows_the_sample_rate() -> None:
    spec = ToneSpec.continuous("hi", [4000.0], -20.0)
    x = ToneGenerator(spec, sample_rate=16000).generate(16000)
    assert peak_frequencies(x, 1, fs=16000) == pytest.approx([4000.0], abs=0.1)


def test_rejects_am_frequency_at_nyquist() -> None:
    spec = ToneSpec.continuous("am", [1000.0], -20.0, am_hz=4000.0, am_depth=0.1)
    with pytest.raises(SignalFormatError, match="am_hz"):
        ToneGenerator(spec)


def test_rejects_nan_frequency_naming_the_field() -> None:
    with pytest.raises(SignalFormatError, match="frequency"):
        ToneGenerator(ToneSpec.continuous("nan", [float("nan")], -20.0))


def test_rejects_negative_duration_naming_the_field() -> None:
    with pytest.raises(SignalFormatError, match="duration_ms"):
        ToneGenerator(ToneSpec("neg", (ToneStep((400.0,), -5.0),)))


def test_accepts_level_at_full_scale_and_rejects_just_above() -> None:
    ToneGenerator(ToneSpec.continuous("ok", [1000.0], specs.MAX_LEVEL_DBM0))
    with pytest.raises(SignalFormatError, match="level_dbm0"):
        ToneGenerator(ToneSpec.continuous("loud", [1000.0], specs.MAX_LEVEL_DBM0 + 0.1))


def test_accepts_eight_frequencies_and_rejects_nine() -> None:
    ToneGenerator(ToneSpec.continuous("eight", [300.0 + 100 * k for k in range(8)], -30.0))
    with pytest.raises(SignalFormatError, match="at most 8"):
        ToneGenerator(ToneSpec.continuous("nine", [300.0 + 100 * k for k in range(9)], -30.0))


def test_rejects_an_endless_cadence_shorter_than_one_sample() -> None:
    with pytest.raises(SignalFormatError, match="less than one sample"):
        ToneGenerator(ToneSpec("tiny", (ToneStep((1000.0,), 0.05), ToneStep((), 0.01))))


def test_unknown_tone_name_lists_the_known_names() -> None:
    with pytest.raises(SignalFormatError, match="busy.*cng"):
        ToneGenerator("bussy", profile="cn")


def test_unknown_profile_lists_the_profiles() -> None:
    with pytest.raises(SignalFormatError, match="cn, us, uk, etsi"):
        ToneGenerator("busy", profile="fr")


@pytest.mark.parametrize("rate", [0, 999, 192001, 8000.0, "8000", True])
def test_rejects_bad_sample_rates(rate: object) -> None:
    with pytest.raises(SignalFormatError, match="sample_rate"):
        ToneGenerator("busy", sample_rate=rate)  # type: ignore[arg-type]


def test_rejects_a_tone_that_is_neither_name_nor_spec() -> None:
    with pytest.raises(SignalFormatError, match="tone must be"):
        ToneGenerator(450)  # type: ignore[arg-type]


@pytest.mark.parametrize("out", [np.zeros(10, np.float64), np.zeros(10, np.int32),
                                 np.zeros((2, 5), np.int16), np.zeros(20, np.int16)[::2],
                                 None, b"\x00" * 20])
def test_rejects_bad_output_buffers(out: object) -> None:
    with pytest.raises(SignalFormatError, match="out must be"):
        ToneGenerator("busy").generate_into(out)


def test_rejects_read_only_output_buffer() -> None:
    buf = np.zeros(10, np.int16)
    buf.flags.writeable = False
    with pytest.raises(SignalFormatError, match="out must be"):
        ToneGenerator("busy").generate_into(buf)


@pytest.mark.parametrize("n", [-1, 1.5, "10", None])
def test_generate_rejects_bad_counts(n: object) -> None:
    with pytest.raises(SignalFormatError, match="n must be"):
        ToneGenerator("busy").generate(n)  # type: ignore[arg-type]


def test_generate_zero_returns_an_empty_array() -> None:
    x = ToneGenerator("busy").generate(0)
    assert x.dtype == np.int16 and x.shape == (0,)


@pytest.mark.parametrize(("profile", "name"), [("us", "dial"), ("us", "howler"), ("cn", "howler")])
def test_samples_are_the_exact_waveform_rounded_unless_within_a_twentieth_of_a_tie(
        profile: str, name: str) -> None:
    spec = tone_spec(profile, name)
    step = spec.steps[0]
    n = ms_to_samples(step.duration_ms) if step.duration_ms else FS
    t = np.arange(n)
    exact = sum(amplitude_of(lv) * np.sin(2 * np.pi * f * t / FS)
                for f, lv in zip(step.frequencies_hz, step.levels(), strict=True))
    got = ToneGenerator(name, profile=profile).generate(n).astype(np.float64)
    clear = np.abs(np.abs(exact - np.floor(exact)) - 0.5) > 0.05
    assert np.array_equal(got[clear], np.round(exact[clear]))
    assert np.max(np.abs(got - exact)) < 0.55


def test_refuses_to_be_initialised_twice() -> None:
    g = ToneGenerator("busy")
    with pytest.raises(RuntimeError, match="already initialised"):
        g.__init__("dial")
    assert g.period_samples == 5600


CUSTOM = {
    # consecutive sounding steps sharing a frequency: the phase goes on without a jump
    "level_steps": ToneSpec("level_steps", (ToneStep((450.0,), 37.3, -12.0),
                                            ToneStep((450.0,), 41.1, -6.0),
                                            ToneStep((), 20.0)), None),
    "slot_change": ToneSpec("slot_change", (ToneStep((350.0, 440.0), 33.0, -13.0),
                                            ToneStep((350.0, 620.0), 29.0, -13.0),
                                            ToneStep((620.0, 350.0), 31.0, -13.0))),
    # one sounding step repeated without a gap: continuous across passes
    "gapless": ToneSpec("gapless", (ToneStep((1234.0,), 12.3, -10.0),)),
    # reversals and AM away from zero crossings, non-integer sample durations
    "rev_am": ToneSpec("rev_am", (ToneStep((1234.0,), 250.0, -9.0, am_hz=31.0, am_depth=0.3,
                                           reversal_ms=10.0625),
                                  ToneStep((1234.0,), 100.0, -9.0, am_hz=31.0, am_depth=0.3),
                                  ToneStep((), 50.0)), 2),
}


@pytest.mark.parametrize("name", list(CUSTOM))
def test_custom_tones_match_their_naive_rendering(name: str) -> None:
    spec = CUSTOM[name]
    n = 5 * FS
    want = naive_render(spec, n)
    got = ToneGenerator(spec).generate(n)
    assert len(got) == len(want)
    assert np.max(np.abs(got.astype(np.int32) - want)) <= 1


def test_a_frequency_sounding_in_consecutive_steps_keeps_its_phase() -> None:
    x = ToneGenerator(CUSTOM["gapless"]).generate(FS).astype(np.float64)
    t = np.arange(FS)
    assert np.max(np.abs(x - amplitude_of(-10.0) * np.sin(2 * np.pi * 1234.0 * t / FS))) <= 0.55
    y = ToneGenerator(CUSTOM["level_steps"]).generate(ms_to_samples(37.3 + 41.1))
    n1 = ms_to_samples(37.3)
    a1, a2 = amplitude_of(-12.0), amplitude_of(-6.0)
    ref = np.sin(2 * np.pi * 450.0 * np.arange(len(y)) / FS)
    want = np.where(np.arange(len(y)) < n1, a1, a2) * ref
    assert np.max(np.abs(y - want)) <= 0.55


def test_reversal_inverts_from_the_exact_sample() -> None:
    spec = ToneSpec.continuous("rev", [1234.0], -9.0, reversal_ms=10.0625)   # 81 samples
    x = ToneGenerator(spec).generate(1000).astype(np.float64)
    k = np.arange(1000)
    want = amplitude_of(-9.0) * np.sin(2 * np.pi * 1234.0 * k / FS) * np.where((k // 81) % 2, -1, 1)
    assert np.max(np.abs(x - want)) <= 0.55


@given(name=st.sampled_from(sorted(CUSTOM)),
       chunks=st.lists(st.integers(min_value=0, max_value=1100), min_size=1, max_size=30))
def test_any_chunking_of_custom_tones_gives_bit_identical_output(name: str,
                                                                 chunks: list[int]) -> None:
    whole = ToneGenerator(CUSTOM[name]).generate(sum(chunks))
    g = ToneGenerator(CUSTOM[name])
    out = np.empty(1100, np.int16)
    parts = []
    for n in chunks:
        got = g.generate_into(out[:n])
        parts.append(out[:got].copy())
    assert np.array_equal(np.concatenate(parts), whole)
