"""ToneDetector / ToneDetectorBank: national call-progress tones, fax and modem tones, voice
activity. Signals come from the naive synthesiser in tests/reference/lines.py, with the
figures of the standards written out here (not read from boardlib.dsp.specs)."""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.dsp import (
    ToneCadence,
    ToneDetector,
    ToneDetectorBank,
    ToneOn,
    VoiceOff,
    VoiceOn,
)
from boardlib.dsp.specs import ToneProfile, ToneSpec, ToneStep
from boardlib.errors import SignalFormatError
from tests.conftest import require_tool
from tests.reference import lines as L

# (profile, tone, frequencies, (on, off) cadence, cycles) from E.180 / national tables:
# China YDN (450 Hz), North America Precise Tone Plan, UK BT SIN 350.
CADENCED = [
    ("cn", "busy", [450], [(350, 350)], 3),
    ("cn", "congestion", [450], [(700, 700)], 3),
    ("cn", "ringback", [450], [(1000, 4000)], 2),
    ("cn", "vacant", [450], [(100, 100), (100, 100), (100, 100), (400, 400)], 2),
    ("us", "busy", [480, 620], [(500, 500)], 3),
    ("us", "congestion", [480, 620], [(250, 250)], 4),
    ("us", "ringback", [440, 480], [(2000, 4000)], 1),
    ("uk", "busy", [400], [(375, 375)], 3),
    ("uk", "congestion", [400], [(400, 350), (225, 525)], 2),
    ("uk", "ringback", [400, 450], [(400, 200), (400, 2000)], 2),
]
CONTINUOUS = [("cn", "dial", [450]), ("us", "dial", [350, 440]), ("uk", "dial", [350, 440]),
              ("uk", "vacant", [400])]


def run(detector, x, chunk: int | None = None):
    x = L.to_int16(x)
    if chunk is None:
        return detector.process(x) + detector.flush()
    out = []
    for i in range(0, len(x), chunk):
        out += detector.process(x[i:i + chunk])
    return out + detector.flush()


def cadences(events):
    return [e.tone for e in events if isinstance(e, ToneCadence)]


@pytest.mark.parametrize("profile,tone,freqs,pattern,cycles", CADENCED,
                         ids=[f"{c[0]}-{c[1]}" for c in CADENCED])
@pytest.mark.parametrize("level", [-5.0, -35.0])
@pytest.mark.parametrize("freq_error", [-0.02, 0.02])
def test_recognises_cadenced_tone_with_noise_error_and_jitter(profile, tone, freqs, pattern,
                                                              cycles, level, freq_error):
    rng = np.random.default_rng(zlib.crc32(f"{profile}{tone}{level}{freq_error}".encode()))
    x = L.cadence(freqs, pattern, cycles, level, freq_error=freq_error, jitter=0.1, rng=rng)
    x = np.concatenate([L.silence(240), L.with_noise(x, level, 20.0, rng)])
    events = run(ToneDetector(profile), x, chunk=160)
    assert cadences(events) == [tone]
    cad = next(e for e in events if isinstance(e, ToneCadence))
    per_tone = 10 * np.log10(len(freqs))  # the event gives the total power of the components
    assert abs(cad.level_dbm0 - per_tone - level) < 1.0
    assert abs(cad.sample - L.samples(240)) <= 160


@pytest.mark.parametrize("profile,tone,freqs", CONTINUOUS, ids=[f"{c[0]}-{c[1]}" for c in
                                                                 CONTINUOUS])
@pytest.mark.parametrize("level", [-5.0, -35.0])
def test_recognises_steady_tone(profile, tone, freqs, level):
    rng = np.random.default_rng(1)
    x = L.with_noise(L.tone(freqs, 2500, level, freq_error=0.02, rng=rng), level, 20.0, rng)
    assert cadences(run(ToneDetector(profile), x)) == [tone]


OTHER_TONES = [
    ("cn", "call_waiting", lambda: L.cadence([450], [(400, 4000)], 2, -20)),
    ("cn", "intrusion", lambda: L.cadence([450], [(200, 200), (200, 600)], 3, -20)),
    ("cn", "howler", lambda: L.tone([950], 2000, -5)),
    ("cn", "record", lambda: L.cadence([950], [(400, 10000)], 2, -20)),
    ("us", "call_waiting", lambda: L.cadence([440], [(300, 10000)], 2, -13)),
    ("us", "stutter_dial", lambda: np.concatenate([
        L.cadence([350, 440], [(100, 100)], 3, -13), L.tone([350, 440], 2000, -13)])),
    ("us", "howler", lambda: L.cadence([1400, 2060, 2450, 2600], [(100, 100)], 6, -10)),
    ("us", "record", lambda: L.cadence([1400], [(500, 15000)], 2, -13)),
    ("uk", "call_waiting", lambda: L.cadence([400], [(100, 3000)], 3, -13)),
    ("etsi", "busy", lambda: L.cadence([425], [(480, 480)], 3, -13)),
    ("etsi", "congestion", lambda: L.cadence([425], [(240, 240)], 4, -13)),
    ("etsi", "ringback", lambda: L.cadence([425], [(1000, 4000)], 2, -13)),
    ("etsi", "dial", lambda: L.tone([425], 2000, -13)),
]


@pytest.mark.parametrize("profile,tone,signal", OTHER_TONES,
                         ids=[f"{c[0]}-{c[1]}" for c in OTHER_TONES])
def test_recognises_the_other_tones_of_each_profile(profile, tone, signal):
    x = L.with_noise(signal(), -20, 20, np.random.default_rng(1))
    assert cadences(run(ToneDetector(profile), x)) == [tone]


def test_etsi_call_waiting_starts_like_congestion_and_ends_as_call_waiting():
    # 200/200 ms bursts are within the cadence tolerance of 240/240 ms congestion; only
    # the 5 s pause tells call waiting apart.
    x = L.cadence([425], [(200, 200), (200, 5000)], 2, -13)
    assert cadences(run(ToneDetector("etsi"), x))[-1] == "call_waiting"


def test_china_ringback_is_never_busy_and_busy_never_congestion():
    rng = np.random.default_rng(3)
    for seed in range(4):
        rng = np.random.default_rng(seed)
        ring = L.cadence([450], [(1000, 4000)], 3, -20, jitter=0.1, rng=rng)
        assert set(cadences(run(ToneDetector("cn"), ring))) == {"ringback"}
        busy = L.cadence([450], [(350, 350)], 8, -20, jitter=0.1, rng=rng)
        assert set(cadences(run(ToneDetector("cn"), busy))) == {"busy"}
        cong = L.cadence([450], [(700, 700)], 6, -20, jitter=0.1, rng=rng)
        assert set(cadences(run(ToneDetector("cn"), cong))) == {"congestion"}


def test_busy_is_decided_at_the_end_of_its_second_burst():
    x = L.cadence([450], [(350, 350)], 4, -12)
    cad = next(e for e in run(ToneDetector("cn"), x) if isinstance(e, ToneCadence))
    assert cad.tone == "busy"
    assert cad.sample + cad.duration <= L.samples(350 + 350 + 350 + 40)


# ------------------------------------------------------------- limits: accept / reject pairs

def test_accepts_tone_3_percent_off_nominal():
    assert cadences(run(ToneDetector("cn"), L.tone([450], 2500, -13, freq_error=0.03))) == \
        ["dial"]


def test_rejects_tone_5_percent_off_nominal():
    events = run(ToneDetector("cn"), L.tone([450], 2500, -13, freq_error=0.05))
    assert not any(isinstance(e, (ToneOn, ToneCadence)) for e in events)


def test_accepts_tone_at_minus_41_dbm0():
    assert cadences(run(ToneDetector("cn"), L.tone([450], 2500, -41.0))) == ["dial"]


def test_rejects_tone_at_minus_43_dbm0():
    events = run(ToneDetector("cn"), L.tone([450], 2500, -43.0))
    assert not any(isinstance(e, (ToneOn, ToneCadence)) for e in events)


def test_accepts_two_tone_with_6_db_twist():
    x = L.tone([480], 2500, -20) + L.tone([620], 2500, -26)
    assert cadences(run(ToneDetector("us", fax=False), np.concatenate([
        x[:4000], L.silence(500), x[:4000], L.silence(500), x[:4000]]))) == ["busy"]


def test_rejects_two_tone_with_10_db_twist():
    x = L.tone([480], 500, -20) + L.tone([620], 500, -30)
    sig = np.concatenate([x, L.silence(500)] * 3)
    assert "busy" not in cadences(run(ToneDetector("us"), sig))


def test_accepts_busy_burst_14_percent_long():
    x = L.cadence([450], [(400, 350)], 3, -13)
    assert cadences(run(ToneDetector("cn"), x)) == ["busy"]


def test_rejects_busy_burst_35_percent_long():
    x = L.cadence([450], [(470, 350)], 3, -13)
    assert "busy" not in cadences(run(ToneDetector("cn"), x))


def test_accepts_busy_burst_14_percent_short():
    x = L.cadence([450], [(300, 350)], 3, -13)
    assert cadences(run(ToneDetector("cn"), x)) == ["busy"]


def test_rejects_busy_burst_35_percent_short():
    x = L.cadence([450], [(230, 350)], 3, -13)
    assert "busy" not in cadences(run(ToneDetector("cn"), x))


@pytest.mark.parametrize("freq", [1062.0, 1138.0])
def test_accepts_cng_38_hz_off(freq):
    assert cadences(run(ToneDetector("cn"), L.cadence([freq], [(500, 3000)], 1, -11))) == \
        ["cng"]


@pytest.mark.parametrize("freq", [1030.0, 1170.0])
def test_rejects_cng_70_hz_off(freq):
    assert cadences(run(ToneDetector("cn"), L.cadence([freq], [(500, 3000)], 1, -11))) == []


def test_accepts_burst_of_80_ms_as_tone():
    events = run(ToneDetector("cn"), np.concatenate([L.silence(100), L.tone([450], 80, -13)]))
    assert any(isinstance(e, ToneOn) for e in events)


def test_rejects_burst_of_40_ms_as_tone():
    events = run(ToneDetector("cn"), np.concatenate([L.silence(100), L.tone([450], 40, -13)]))
    assert not any(isinstance(e, ToneOn) for e in events)


@pytest.mark.parametrize("freq,name", [(2085, "ced"), (2115, "ced"), (2210, "bell_ans"),
                                       (2240, "bell_ans")])
def test_accepts_answer_tone_15_hz_off(freq, name):
    assert cadences(run(ToneDetector("cn"), L.tone([freq], 3000, -12))) == [name]


@pytest.mark.parametrize("freq", [2078, 2122])
def test_rejects_answer_tone_22_hz_off(freq):
    assert "ced" not in cadences(run(ToneDetector("cn"), L.tone([freq], 3000, -12)))


def test_block_filters_match_a_naive_dft():
    det = ToneDetector("us")
    comp = det._compiled
    rng = np.random.default_rng(4)
    block = L.to_int16(L.noise(160, -20.0, rng) + L.tone([440], 20, -15, rng=rng))
    energy, powers = det._core._test_block_powers(block)
    x = block.astype(float)
    assert energy == pytest.approx(np.sum(x * x), rel=1e-5)
    for f, length, got in zip(comp.freqs, comp.sublen, powers, strict=True):
        # sine energy estimate: 2 |X(f)|^2 / L per sub-block, summed over the block
        want = 0.0
        for b in range(0, 160, length):
            seg = x[b:b + length]
            dft = np.sum(seg * np.exp(-2j * np.pi * f * np.arange(length) / 8000))
            want += 2 * abs(dft) ** 2 / length
        assert got == pytest.approx(want, rel=1e-3, abs=1e-2 * energy / 160)


# ------------------------------------------------------------------- fax, modem, SIT, speech

@pytest.mark.parametrize("signal,name", [
    (lambda: L.cadence([1100], [(500, 3000)], 2, -11, freq_error=0.03), "cng"),
    (lambda: np.concatenate([L.silence(200), L.tone([2100], 3300, -11)]), "ced"),
    (lambda: L.tone([2225], 3300, -11), "bell_ans"),
    (lambda: L.cadence([1300], [(600, 2000)], 2, -11), "v25_calling"),
    (lambda: L.sequence([([950], 330), ([1400], 330), ([1800], 330), ([], 1000)], -13,
                        freq_error=0.02), "sit"),
])
def test_recognises_fax_modem_and_sit_tones_after_speech(signal, name):
    require_tool("espeak-ng")
    require_tool("sox")
    speech = L.speech("Please hold while we connect your call.", -15)
    x = L.with_noise(np.concatenate([speech, L.silence(150), signal()]), -13, 30)
    assert cadences(run(ToneDetector("cn"), x)) == [name]


@pytest.mark.parametrize("kwargs,name", [
    ({}, "ced"),
    ({"reversal_ms": 450.0}, "ans_pr"),
    ({"am_hz": 15.0, "am_depth": 0.2}, "ansam"),
    ({"reversal_ms": 450.0, "am_hz": 15.0, "am_depth": 0.2}, "ansam_pr"),
])
@pytest.mark.parametrize("freq,level", [(2085.0, -12.0), (2115.0, -35.0)])
def test_tells_answer_tone_variants_apart(kwargs, name, freq, level):
    rng = np.random.default_rng(int(freq))
    x = L.answer_tone(3300, level, freq=freq, rng=rng, **kwargs)
    x = L.with_noise(np.concatenate([L.silence(200), x]), level, 20.0, rng)
    assert cadences(run(ToneDetector("cn"), x)) == [name]


def test_answer_tone_with_weak_modulation_is_plain_ans():
    x = L.answer_tone(3300, -12, am_hz=15.0, am_depth=0.05)
    assert cadences(run(ToneDetector("cn"), x)) == ["ced"]


def v21_burst(flags, seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([L.silence(rng.uniform(100, 300)),
                        L.v21(L.hdlc_flags(flags), -20, phase=rng.uniform(0, 6)),
                        L.v21([1, 0, 1, 1, 0, 0, 1, 0] * 2, -20), L.silence(300)])
    return L.with_noise(x, -20, 20, rng)


@pytest.mark.parametrize("seed", range(4))
def test_accepts_v21_preamble_of_5_flags(seed):
    assert cadences(run(ToneDetector("cn"), v21_burst(5, seed))) == ["v21_preamble"]


@pytest.mark.parametrize("seed", range(4))
def test_rejects_v21_preamble_of_4_flags(seed):
    assert cadences(run(ToneDetector("cn"), v21_burst(4, seed))) == []


@pytest.mark.parametrize("baud,level", [(297.0, -35.0), (303.0, -10.0)])
def test_recognises_v21_preamble_off_rate_and_level(baud, level):
    x = np.concatenate([L.silence(200), L.v21(L.hdlc_flags(40), level, baud=baud)])
    events = run(ToneDetector("us"), L.with_noise(x, level, 20))
    cad = [e for e in events if isinstance(e, ToneCadence)]
    assert [e.tone for e in cad] == ["v21_preamble"]
    assert abs(cad[0].sample - L.samples(200)) <= 80


def test_v21_data_without_flags_is_not_a_preamble():
    bits = list(np.random.default_rng(3).integers(0, 2, 600))
    assert cadences(run(ToneDetector("cn"), L.v21(bits, -12))) == []


@pytest.mark.oracle
@pytest.mark.parametrize("signal,spandsp_type,spandsp_name,ours", [
    (lambda: L.cadence([1100], [(500, 3000)], 2, -11), "cng", "cng", "cng"),
    (lambda: np.concatenate([L.silence(200), L.answer_tone(3300, -11)]), "ans", "ans", "ced"),
    (lambda: L.answer_tone(3500, -12, reversal_ms=450), "ans", "ans_pr", "ans_pr"),
    (lambda: L.answer_tone(5000, -12, am_hz=15, am_depth=0.2), "ans", "ansam", "ansam"),
    (lambda: L.answer_tone(5000, -12, am_hz=15, am_depth=0.2, reversal_ms=450), "ans",
     "ansam_pr", "ansam_pr"),
    (lambda: L.tone([2225], 3300, -11), "bell_ans", "bell_ans", "bell_ans"),
    (lambda: L.v21(L.hdlc_flags(40), -12), "ced_or_preamble", "fax_preamble",
     "v21_preamble"),
], ids=["cng", "ans", "ans_pr", "ansam", "ansam_pr", "bell", "v21"])
def test_agrees_with_spandsp_on_fax_and_modem_tones(signal, spandsp_type, spandsp_name,
                                                     ours):
    from tests.reference.spandsp_progress import connect_tone

    x = L.to_int16(L.with_noise(signal(), -12, 25))
    assert connect_tone(x, spandsp_type)[0] == spandsp_name
    assert cadences(run(ToneDetector("cn"), x)) == [ours]


def test_us_sit_is_reported_as_vacant():
    x = L.sequence([([950], 330), ([1400], 330), ([1800], 330), ([], 1000)], -13)
    assert cadences(run(ToneDetector("us"), x)) == ["vacant"]


SPEECH = [("Hello, you have reached the office of John Smith. Please leave a message after "
           "the tone.", "en"),
          ("one two three four five six seven eight nine ten", "en-us"),
          ("Thank you for calling. All of our representatives are busy.", "en"),
          ("您好，您拨打的用户暂时无法接听，请稍后再拨。", "cmn"),
          ("喂，你好，请问是哪位？", "cmn")]


@pytest.mark.parametrize("profile", ["cn", "us", "uk", "etsi"])
def test_reports_no_tone_cadence_on_speech(profile):
    require_tool("espeak-ng")
    require_tool("sox")
    for text, voice in SPEECH:
        for level in (-10.0, -25.0):
            events = run(ToneDetector(profile), L.speech(text, level, voice=voice))
            assert cadences(events) == [], (text, level)


@pytest.mark.parametrize("profile", ["cn", "us", "uk", "etsi"])
def test_reports_no_tone_on_music(profile):
    for seed in range(4):
        events = run(ToneDetector(profile), L.chords(6000, -15.0, seed=seed))
        assert not any(isinstance(e, (ToneOn, ToneCadence)) for e in events), seed


# ------------------------------------------------------------------------- voice activity

def test_voice_activity_spans_speech_and_ignores_tones_and_silence():
    require_tool("espeak-ng")
    require_tool("sox")
    sp = L.speech("Hello, who is this?", -18)
    x = np.concatenate([L.silence(500), L.cadence([450], [(350, 350)], 2, -12),
                        L.silence(300), sp, L.silence(1000)])
    x = L.with_noise(x, -18, 35)
    events = run(ToneDetector("cn"), x)
    on = [e for e in events if isinstance(e, VoiceOn)]
    off = [e for e in events if isinstance(e, VoiceOff)]
    start = L.samples(500 + 1400 + 300)
    assert on and abs(on[0].sample - start) <= 320
    end = off[-1].sample + off[-1].duration
    assert abs(end - (start + len(sp))) <= 1000
    assert all(e.sample >= start - 320 for e in on)


def test_silence_samples_counts_from_the_end_of_speech():
    require_tool("espeak-ng")
    require_tool("sox")
    sp = L.speech("Please record your message.", -15)
    det = ToneDetector("cn")
    det.process(L.to_int16(np.concatenate([L.silence(300), sp])))
    assert det.silence_samples() == 0
    det.process(L.to_int16(L.silence(1500)))
    quiet = det.silence_samples()
    assert abs(quiet - L.samples(1500)) <= L.samples(100)
    det.process(L.to_int16(L.tone([450], 500, -12)))
    assert det.silence_samples() == 0


def test_voice_activity_ignores_steady_noise_above_threshold():
    x = L.noise(L.samples(3000), -35.0)  # a noisy line, no speech
    events = run(ToneDetector("cn"), x)
    assert not any(isinstance(e, VoiceOn) for e in events[1:])


# ------------------------------------------------------------ invariants and construction

MIXED = L.to_int16(np.concatenate([
    L.with_noise(L.cadence([450], [(350, 350)], 3, -20), -20, 20),
    L.chords(700, -18), L.tone([2100], 900, -12), L.silence(300),
    L.cadence([1100], [(500, 300)], 1, -11)]))


@given(st.lists(st.integers(0, len(MIXED)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts):
    whole = run(ToneDetector("cn"), MIXED)
    det = ToneDetector("cn")
    parts = np.split(MIXED, sorted(cuts))
    events = []
    for p in parts:
        events += det.process(p)
    assert events + det.flush() == whole


def test_bank_gives_the_events_of_one_detector_per_channel():
    # 40 channels: one full vector chunk of 32 and a shorter tail take different code paths.
    rng = np.random.default_rng(11)
    sources = [MIXED, MIXED[::-1], np.zeros_like(MIXED), MIXED // 4,
               L.to_int16(L.noise(len(MIXED), -30.0, rng))]
    rows = np.stack([np.roll(sources[ch % 5], 37 * ch) for ch in range(40)])
    bank = ToneDetectorBank(40, "cn")
    events = []
    for i in range(0, rows.shape[1], 160):
        events += bank.process(np.ascontiguousarray(rows[:, i:i + 160]))
    events += bank.flush()
    busy_channels = 0
    for ch in (0, 1, 3, 4, 31, 33, 39):
        single = run(ToneDetector("cn"), np.ascontiguousarray(rows[ch]))
        got = [dataclasses.replace(e, channel=0) for e in events if e.channel == ch]
        assert got == single, ch
        busy_channels += bool(single)
    assert busy_channels >= 5


@given(st.lists(st.integers(-32768, 32767), max_size=3000), st.integers(1, 400))
def test_any_int16_input_never_crashes(values, chunk):
    det = ToneDetector("us")
    x = np.array(values, dtype=np.int16)
    for i in range(0, len(x), chunk):
        det.process(x[i:i + chunk])
    det.flush()


@given(st.lists(st.integers(-32768, 32767), min_size=0, max_size=2000))
def test_bank_never_crashes_on_any_int16_block(values):
    n = len(values) // 2
    x = np.array(values[:2 * n], dtype=np.int16).reshape(2, n)
    bank = ToneDetectorBank(2, "uk")
    bank.process(x)
    bank.flush()


def test_reset_restarts_the_timeline():
    det = ToneDetector("cn")
    first = run(det, MIXED)
    det.reset()
    assert run(det, MIXED) == first


def test_accepts_a_profile_object():
    prof = ToneProfile("x", "test", {"busy": ToneSpec.cadenced("busy", [600], [(300, 300)])})
    x = L.cadence([600], [(300, 300)], 3, -15)
    assert cadences(run(ToneDetector(prof, fax=False), x)) == ["busy"]


@pytest.mark.parametrize("tones,field", [
    ({"dial": ToneSpec.continuous("dial", [5000])}, "frequency 5000"),
    ({"dial": ToneSpec.continuous("dial", [50])}, "frequency 50"),
    ({"ring": ToneSpec.continuous("ring", [440, 450])}, "overlap"),
    ({"busy": ToneSpec.cadenced("busy", [450], [(30, 300)])}, "duration_ms"),
    ({"busy": ToneSpec.cadenced("busy", [450], [(300, 20)])}, "silence"),
])
def test_rejects_impossible_profiles_naming_the_field(tones, field):
    with pytest.raises(SignalFormatError, match=field):
        ToneDetector(ToneProfile("bad", "bad", tones))


def test_rejects_a_tone_made_of_silence_only():
    silent = ToneSpec("quiet", (ToneStep((), 500),))
    with pytest.raises(SignalFormatError, match="no tone steps"):
        ToneDetector(ToneProfile("bad", "bad", {"quiet": silent}))


def test_fillin_advances_the_timeline_like_silence():
    x = L.to_int16(L.cadence([450], [(350, 350)], 3, -13))
    a = ToneDetector("cn")
    events = a.process(x[:4000]) + a.fillin(1600) + a.process(x[5600:]) + a.flush()
    y = x.copy()
    y[4000:5600] = 0
    assert events == run(ToneDetector("cn"), y)
    assert a.sample == len(x)


def test_rejects_unknown_profile_name():
    with pytest.raises(SignalFormatError, match="unknown tone profile"):
        ToneDetector("xx")


def test_rejects_empty_profile():
    with pytest.raises(SignalFormatError):
        ToneDetector(ToneProfile("empty", "", {}))


@pytest.mark.parametrize("kwargs,name", [({"threshold_dbm0": 5}, "threshold_dbm0"),
                                         ({"fraction": 0.0}, "fraction"),
                                         ({"sample_rate": 16000}, "sample_rate"),
                                         ({"cadence_tolerance": 0.9}, "cadence_tolerance")])
def test_rejects_bad_parameters(kwargs, name):
    with pytest.raises(SignalFormatError, match=name):
        ToneDetector("cn", **kwargs)


def test_rejects_bad_frames():
    det = ToneDetector("cn")
    with pytest.raises(SignalFormatError):
        det.process(np.zeros((2, 10), dtype=np.int16))
    with pytest.raises(SignalFormatError):
        det.process(np.zeros(10, dtype=np.float32))
    bank = ToneDetectorBank(2, "cn")
    with pytest.raises(SignalFormatError):
        bank.process(np.zeros((3, 160), dtype=np.int16))
    with pytest.raises(SignalFormatError):
        ToneDetectorBank(0, "cn")
