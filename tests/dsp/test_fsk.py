"""FSK physical layer and caller-ID receiver: accuracy sweeps, limits, robustness, banks.

Signals come from the naive phase-continuous modulator in ``tests/reference/fsk.py``.
SNR is the signal power over the total white-noise power in 0-4 kHz.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boardlib.dsp._fsk import (
    FSK_BELL103_ORIGINATE,
    FSK_V21_CH1,
    FSK_V23,
    FSK_V23_BACKWARD,
    CallerIdReceiver,
    CallerIdReceiverBank,
    FskDemodulator,
    FskDemodulatorBank,
    FskSpec,
    fsk_modulate,
)
from boardlib.dsp.callerid import CallerIdDecoder
from boardlib.errors import SignalFormatError
from tests.reference import fsk as ref

TONES = {"bell202": (1200.0, 2200.0), "v23": (1300.0, 2100.0)}


def _burst(msg: bytes, standard: str = "bell202", level: float = -13.5, *, freq_err: float = 0.0,
           baud_err: float = 0.0, seizure_bits: int = 300, mark_bits: int = 180, gap_bits: int = 0,
           lead: int = 800, tail: int = 800, phase: float = 0.0) -> np.ndarray:
    mark, space = TONES[standard]
    bits = ref.burst_bits(msg, seizure_bits=seizure_bits, mark_bits=mark_bits, gap_bits=gap_bits)
    x = ref.fsk(bits, mark * (1 + freq_err), space * (1 + freq_err), 1200.0 * (1 + baud_err),
                level, phase)
    return np.concatenate([np.zeros(lead), x, np.zeros(tail)])


def _random_message(rng: np.random.Generator) -> bytes:
    number = "".join(rng.choice(list("0123456789"), int(rng.integers(7, 16))))
    name = "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ "), int(rng.integers(1, 16))))
    date = (f"{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"
            f"{rng.integers(0, 24):02d}{rng.integers(0, 60):02d}")
    if rng.integers(0, 2):
        return ref.sdmf(int(date[:2]), int(date[2:4]), int(date[4:6]), int(date[6:]), number)
    return ref.mdmf([(1, date.encode()), (2, number.encode()), (7, name.encode())])


def _decode(pcm: np.ndarray, standard: str = "bell202"):
    dec = CallerIdDecoder(standard)
    return dec.process(pcm) + dec.flush()


# ---------------------------------------------------------------------------------------
# accuracy sweep

OFFSETS = [(-0.01, -0.01), (-0.01, 0.01), (0.01, -0.01), (0.01, 0.01)]


@pytest.mark.parametrize("standard", ["bell202", "v23"])
@pytest.mark.parametrize("level", [-5.0, -10.0, -15.0, -20.0, -25.0, -30.0, -35.0])
def test_decodes_every_message_at_15db_snr_with_1_percent_frequency_and_rate_error(standard, level):
    rng = np.random.default_rng(int(-level) * 7 + len(standard))
    parts, sent = [], []
    for i, (fe, be) in enumerate(OFFSETS * 2):
        msg = _random_message(rng)
        sent.append(msg)
        parts.append(_burst(msg, standard, level, freq_err=fe, baud_err=be,
                            seizure_bits=300 if i % 2 else 0, mark_bits=180 if i % 2 else 80,
                            phase=float(rng.uniform(0, 6.28)), lead=int(rng.integers(400, 1200))))
    clean = np.concatenate(parts)
    noise = ref.white_noise(clean.shape[0], level - 15.0, rng)
    got = _decode(ref.to_int16(clean + noise), standard)
    assert [m.raw for m in got] == sent
    assert all(m.valid for m in got)


def test_one_receiver_decodes_both_bell202_and_v23():
    msg = ref.sdmf(1, 2, 3, 4, "5551234")
    for standard in ("bell202", "v23"):
        for rx in ("bell202", "v23"):
            got = _decode(ref.to_int16(_burst(msg, standard)), rx)
            assert [m.raw for m in got] == [msg]


# ---------------------------------------------------------------------------------------
# spec limits: one case just inside, one just outside


def test_accepts_level_just_above_carrier_threshold():
    msg = ref.sdmf(1, 2, 3, 4, "5551234")
    assert [m.raw for m in _decode(ref.to_int16(_burst(msg, level=-41.0)))] == [msg]


def test_ignores_level_below_carrier_threshold():
    msg = ref.sdmf(1, 2, 3, 4, "5551234")
    assert _decode(ref.to_int16(_burst(msg, level=-47.0))) == []


def test_accepts_shortest_call_waiting_mark_signal_of_55_bits():
    msg = ref.mdmf([(2, b"5551234")])
    got = _decode(ref.to_int16(_burst(msg, seizure_bits=0, mark_bits=55)))
    assert [m.raw for m in got] == [msg]
    assert got[0].seizure is False


def test_rejects_mark_signal_of_30_bits():
    msg = ref.mdmf([(2, b"5551234")])
    assert _decode(ref.to_int16(_burst(msg, seizure_bits=0, mark_bits=30))) == []


def test_accepts_inter_character_gap_of_16_7_ms():
    msg = ref.mdmf([(1, b"01020304"), (2, b"5551234")])
    got = _decode(ref.to_int16(_burst(msg, gap_bits=20)))
    assert [m.raw for m in got] == [msg] and got[0].valid


def test_reports_truncated_when_gap_exceeds_40_bits():
    msg = ref.mdmf([(1, b"01020304"), (2, b"5551234")])
    bits = [1] * 180 + ref.frame_bytes(msg[:6]) + [1] * 50 + ref.frame_bytes(msg[6:]) + [1] * 5
    got = _decode(ref.to_int16(np.concatenate([np.zeros(400), ref.fsk(bits), np.zeros(400)])))
    assert got and not got[0].valid and got[0].raw == msg[:6]
    assert "ended" in got[0].error


@pytest.mark.parametrize("err", [-0.01, 0.01])
def test_accepts_bit_rate_1_percent_off(err):
    msg = ref.mdmf([(1, b"01020304"), (2, b"5551234567"), (7, b"SOME NAME HERE")])
    got = _decode(ref.to_int16(_burst(msg, baud_err=err)))
    assert [m.raw for m in got] == [msg] and got[0].valid


@pytest.mark.parametrize("err", [-0.1, 0.1])
def test_rejects_bit_rate_10_percent_off(err):
    msg = ref.mdmf([(1, b"01020304"), (2, b"5551234567"), (7, b"SOME NAME HERE")])
    got = _decode(ref.to_int16(_burst(msg, baud_err=err)))
    assert not any(m.valid for m in got)


@pytest.mark.parametrize("err", [-0.01, 0.01])
@pytest.mark.parametrize("standard", ["bell202", "v23"])
def test_accepts_tones_1_percent_off_nominal(standard, err):
    msg = ref.mdmf([(2, b"5551234567"), (7, b"NAME")])
    got = _decode(ref.to_int16(_burst(msg, standard, freq_err=err)), standard)
    assert [m.raw for m in got] == [msg] and got[0].valid


# ---------------------------------------------------------------------------------------
# nothing from things that are not caller ID


@pytest.mark.parametrize("level", [-40.0, -20.0, -5.0])
def test_decodes_nothing_from_white_noise(level):
    rng = np.random.default_rng(5)
    pcm = ref.to_int16(ref.white_noise(8000 * 10, level, rng))
    assert _decode(pcm) == [] and _decode(pcm, "v23") == []


def test_decodes_nothing_from_ringing():
    t = np.arange(8000 * 6) / 8000
    on = (t % 6.0) < 2.0
    ring = 30000 * np.sin(2 * np.pi * 25 * t) * on
    assert _decode(ref.to_int16(ring)) == []


def test_decodes_nothing_from_dtmf_alone():
    rng = np.random.default_rng(2)
    digits = "".join(rng.choice(list("0123456789ABCD*#"), 60))
    for on_ms in (50, 200):
        pcm = ref.to_int16(ref.dtmf_string(digits, -5.0, on_ms, 50))
        assert _decode(pcm) == [] and _decode(pcm, "v23") == []


def test_decodes_nothing_from_speech(tmp_path):
    from tests.conftest import require_tool

    espeak = require_tool("espeak-ng")
    sox = require_tool("sox")
    import subprocess

    wav = tmp_path / "s.wav"
    raw = tmp_path / "s.raw"
    text = ("The quick brown fox jumps over the lazy dog. One two three four five six seven eight "
            "nine ten. Please hold the line, your call is important to us. Hello, hello, hello.")
    subprocess.run([espeak, "-w", str(wav), text], check=True, capture_output=True)
    subprocess.run([sox, str(wav), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed", str(raw),
                    "gain", "-n", "-3"], check=True, capture_output=True)
    pcm = np.fromfile(raw, dtype=np.int16)
    assert pcm.shape[0] > 8000
    assert _decode(pcm) == [] and _decode(pcm, "v23") == []


# ---------------------------------------------------------------------------------------
# byte level demodulator


def test_demodulates_8n1_characters_with_gaps():
    data = bytes(range(0, 256, 7))
    bits = [1] * 30
    for i, b in enumerate(data):
        bits += ref.frame_bytes(bytes([b])) + [1] * (i % 5)
    bits += [1] * 10
    pcm = ref.to_int16(np.concatenate([np.zeros(100), ref.fsk(bits), np.zeros(100)]))
    got = FskDemodulator().process(pcm)
    assert bytes(b.value for b in got) == data
    assert not any(b.framing_error for b in got)
    assert all(a.sample < b.sample for a, b in itertools.pairwise(got))


def test_message_with_one_bad_stop_bit_but_right_checksum_stays_valid():
    msg = ref.mdmf([(2, b"5551234"), (7, b"NAME")])
    bits = [1] * 180
    for i, b in enumerate(msg):
        f = ref.frame_bytes(bytes([b]))
        if i == 4:
            f[-1] = 0
            f += [1, 1]
        bits += f
    x = np.concatenate([np.zeros(400), ref.fsk(bits + [1] * 5), np.zeros(400)])
    got = _decode(ref.to_int16(x))
    assert len(got) == 1 and got[0].valid and got[0].raw == msg


def test_flags_framing_error_when_stop_bit_is_space():
    bits = [1] * 30 + [0] + [1, 0, 1, 0, 1, 0, 1, 0] + [0] + [0, 0, 1] + [1] * 20
    got = FskDemodulator().process(ref.to_int16(ref.fsk(bits)))
    assert got and got[0].value == 0x55 and got[0].framing_error


@pytest.mark.parametrize("spec", [FSK_V21_CH1, FSK_BELL103_ORIGINATE, FSK_V23_BACKWARD])
def test_demodulates_75_and_300_bit_per_second_presets(spec):
    data = b"Hello 300"
    bits = [1] * 20 + ref.frame_bytes(data) + [1] * 10
    pcm = ref.to_int16(ref.fsk(bits, spec.mark_hz, spec.space_hz, spec.baud, -15.0))
    assert bytes(b.value for b in FskDemodulator(spec).process(pcm)) == data


def test_modulator_output_decodes_with_reference_framing():
    data = b"\x80\x01\x02"
    bits = [1] * 40 + ref.frame_bytes(data) + [1] * 5
    pcm = fsk_modulate(bits, FSK_V23, level_dbm0=-20.0)
    assert pcm.shape[0] == round(len(bits) * 8000 / 1200)
    np.testing.assert_allclose(pcm, ref.fsk(bits, 1300, 2100, 1200, -20.0), atol=1.01)


def test_spec_rejects_out_of_range_figures():
    with pytest.raises(SignalFormatError, match="baud"):
        FskSpec("x", 1200, 2200, 2400)
    with pytest.raises(SignalFormatError, match="mark_hz"):
        FskSpec("x", 4200, 2200)
    with pytest.raises(SignalFormatError, match="spec"):
        FskDemodulator("bell999")


def test_rejects_bad_buffers():
    rx = CallerIdReceiver()
    with pytest.raises(SignalFormatError, match="int16"):
        rx.process(np.zeros(10, dtype=np.float32))
    with pytest.raises(SignalFormatError, match="one-dimensional"):
        rx.process(np.zeros((2, 10), dtype=np.int16))
    with pytest.raises(SignalFormatError, match="shape"):
        CallerIdReceiverBank(4).process(np.zeros((3, 10), dtype=np.int16))
    with pytest.raises(SignalFormatError, match="channels"):
        CallerIdReceiverBank(0)
    assert rx.process(np.zeros(0, dtype=np.int16)) == []


# ---------------------------------------------------------------------------------------
# chunking invariance, fuzz, banks

_STREAM = None


def _stream() -> np.ndarray:
    global _STREAM
    if _STREAM is None:
        rng = np.random.default_rng(11)
        parts = [_burst(_random_message(rng), level=-25.0, seizure_bits=s) for s in (300, 0, 300)]
        clean = np.concatenate(parts)
        _STREAM = ref.to_int16(clean + ref.white_noise(clean.shape[0], -45.0, rng))
    return _STREAM


@settings(max_examples=25)
@given(st.lists(st.integers(0, 3000), min_size=0, max_size=12))
def test_receiver_output_does_not_depend_on_chunking(cuts):
    pcm = _stream()
    whole = CallerIdReceiver().process(pcm)
    assert len(whole) == 3
    rx = CallerIdReceiver()
    got, pos = [], 0
    for c in cuts:
        got += rx.process(pcm[pos:pos + c])
        pos += c
    got += rx.process(pcm[pos:])
    assert got == whole
    demod = FskDemodulator()
    pieces, pos = [], 0
    for c in cuts:
        pieces += demod.process(pcm[pos:pos + c])
        pos += c
    pieces += demod.process(pcm[pos:])
    assert pieces == FskDemodulator().process(pcm)


@settings(max_examples=40)
@given(st.lists(st.integers(-32768, 32767), max_size=3000),
       st.sampled_from(["bell202", "v23", "auto"]))
def test_any_int16_input_never_crashes(samples, standard):
    pcm = np.asarray(samples, dtype=np.int16)
    dec = CallerIdDecoder(standard)
    for m in dec.process(pcm) + dec.flush():
        assert isinstance(m.valid, bool)
    FskDemodulator().process(pcm)


def test_bank_matches_single_channel_receivers():
    rng = np.random.default_rng(3)
    n = 8000 * 2
    block = np.zeros((5, n), dtype=np.int16)
    for c in range(5):
        b = _burst(_random_message(rng), "bell202", -10.0 - 5 * c, lead=int(rng.integers(0, 3000)))
        x = np.zeros(n)
        x[:min(n, b.shape[0])] = b[:n]
        block[c] = ref.to_int16(x + ref.white_noise(n, -50.0, rng))
    bank = CallerIdReceiverBank(5)
    got = []
    for i in range(0, n, 160):
        got += bank.process(block[:, i:i + 160])
    for c in range(5):
        single = CallerIdReceiver().process(block[c])
        mine = [(r.data, r.sample) for r in got if r.channel == c]
        assert mine == [(r.data, r.sample) for r in single]
        assert len(single) == 1
    dbank = FskDemodulatorBank(5)
    chars = dbank.process(block)
    for c in range(5):
        alone = FskDemodulator().process(block[c])
        assert [b.value for b in chars if b.channel == c] == [b.value for b in alone]
