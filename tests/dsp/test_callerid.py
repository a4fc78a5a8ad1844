"""Caller-ID messages: parsing, building, encoder, decoder, DTMF caller ID, CAS, interop."""

from __future__ import annotations

import subprocess
import wave

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boardlib.dsp import callerid as cid
from boardlib.dsp._cidtone import CasDetector, cas_tone, dual_tone
from boardlib.dsp.callerid import (
    AbsenceReason,
    CallerIdDecoder,
    CallerIdDecoderBank,
    CallerIdEncoder,
    CallerIdFormat,
    parse_dtmf,
    parse_message,
)
from boardlib.errors import SignalFormatError
from tests.conftest import require_tool
from tests.reference import fsk as ref


def _decode(pcm, standard="bell202"):
    dec = CallerIdDecoder(standard)
    return dec.process(pcm) + dec.flush()


def _pad(x, lead=800, tail=8000):
    return np.concatenate([np.zeros(lead, np.int16), np.asarray(x, np.int16),
                           np.zeros(tail, np.int16)])


# ---------------------------------------------------------------------------------------
# byte level


def test_parses_mdmf_vector_with_checksum_ba():
    data = bytes.fromhex("8016") + b"\x01\x0803171656\x02\x0a2156430144" + b"\xba"
    m = parse_message(data)
    assert m.valid and m.format == CallerIdFormat.MDMF
    assert (m.month, m.day, m.hour, m.minute) == (3, 17, 16, 56)
    assert m.number == "2156430144" and m.datetime == "03-17 16:56"


def test_parses_sdmf_vector_with_checksum_4f():
    m = parse_message(b"\x04\x12" + b"031716562156430144" + b"\x4f")
    assert m.valid and m.format == CallerIdFormat.SDMF and m.number == "2156430144"
    assert parse_message(b"\x04\x12" + b"031716562156430144" + b"\xba").valid is False


def test_parses_every_mdmf_parameter_and_keeps_unknown_ones_raw():
    m = parse_message(ref.mdmf([
        (1, b"12312359"), (2, b"5551234"), (3, b"5550000"), (4, b"O"), (5, b"\x01"), (6, b"L"),
        (7, b"JANE"), (8, b"P"), (0x11, b"\x81"), (0x13, b"\x03"), (0x1A, b"5559999"),
        (0x0B, b"\xff"), (0x77, b"\x00\x01"),
    ]))
    assert m.valid
    assert (m.month, m.day, m.hour, m.minute) == (12, 31, 23, 59)
    assert m.number == "5551234" and m.called_number == "5550000" and m.name == "JANE"
    assert m.absence_number == AbsenceReason.OUT_OF_AREA and m.absence_name == AbsenceReason.PRIVATE
    assert m.redirection == 1 and m.call_qualifier == "L" and m.call_type == 0x81
    assert m.message_count == 3 and m.redirecting_number == "5559999" and m.message_waiting is True
    assert (0x77, b"\x00\x01") in m.params


@pytest.mark.parametrize("code,reason", [
    ("O", AbsenceReason.OUT_OF_AREA), ("P", AbsenceReason.PRIVATE), ("C", AbsenceReason.COIN),
    ("L", AbsenceReason.LONG_DISTANCE), ("S", AbsenceReason.SERVICE_CONFLICT),
    ("I", AbsenceReason.INTERNATIONAL), ("X", AbsenceReason.UNKNOWN),
])
def test_maps_absence_codes(code, reason):
    m = parse_message(ref.mdmf([(4, code.encode()), (8, code.encode())]))
    assert m.absence_number == reason and m.absence_name == reason
    s = parse_message(ref.sdmf(1, 1, 0, 0, code))
    if code in "OP":
        assert s.absence_number == reason and s.number is None


def test_parses_message_waiting_sdmf_and_mdmf():
    assert parse_message(cid.build_mwi(True)).message_waiting is True
    assert parse_message(cid.build_mwi(False)).message_waiting is False
    m = parse_message(cid.build_mwi(True, mdmf=True))
    assert m.format == CallerIdFormat.MDMF_MWI and m.message_waiting is True and m.valid
    assert parse_message(cid.build_mwi(False, mdmf=True)).message_waiting is False
    bad = parse_message(b"\x06\x03\x42\x42\x41" + bytes([cid.checksum(b"\x06\x03\x42\x42\x41")]))
    assert not bad.valid


def test_flags_length_past_the_data_and_parameter_overruns():
    good = ref.mdmf([(2, b"5551234"), (7, b"NAME")])
    longer = bytearray(good)
    longer[1] += 1
    assert not parse_message(bytes(longer)).valid
    overrun = bytes([0x80, 4, 2, 9, 0x35, 0x35])
    overrun += bytes([cid.checksum(overrun)])
    m = parse_message(overrun)
    assert not m.valid and "runs past" in m.error and m.params == ((2, b"55"),)
    assert not parse_message(b"").valid and not parse_message(b"\x80").valid


def test_keeps_non_ascii_name_bytes_and_overlong_fields():
    name = bytes(range(0x80, 0xC0))
    m = parse_message(ref.mdmf([(7, name), (2, b"1" * 150)]))
    assert m.valid and m.name.encode("latin-1") == name and len(m.number) == 150
    assert (7, name) in m.params


@settings(max_examples=200)
@given(st.binary(max_size=300), st.booleans())
def test_parser_never_raises_and_valid_means_checksum_and_length_hold(data, truncated):
    m = parse_message(data, truncated=truncated)
    if m.valid:
        assert not truncated and len(data) == data[1] + 3 and sum(data) % 256 == 0


def test_build_rejects_out_of_range_fields():
    with pytest.raises(SignalFormatError, match="month"):
        cid.build_sdmf("555", 13, 1, 0, 0)
    with pytest.raises(SignalFormatError, match="255"):
        cid.build_mdmf(name="x" * 300)


# ---------------------------------------------------------------------------------------
# encoder -> signal, decoder


def test_encoder_emits_seizure_marks_data_and_postamble_exactly():
    msg = cid.build_sdmf("5551234", 1, 2, 3, 4)
    enc = CallerIdEncoder("bell202", level_dbm0=-13.5)
    bits = enc.bits(msg)
    assert list(bits[:300]) == [i & 1 for i in range(300)]
    assert list(bits[300:480]) == [1] * 180
    assert list(bits[480:-5]) == ref.frame_bytes(msg) and list(bits[-5:]) == [1] * 5
    pcm = enc.encode(msg)
    np.testing.assert_allclose(pcm, ref.fsk(bits, 1200, 2200, 1200, -13.5), atol=1.01)
    v23 = CallerIdEncoder("v23", seizure_bits=0, mark_bits=80, level_dbm0=-20.0).encode(msg)
    np.testing.assert_allclose(v23, ref.fsk([1] * 80 + ref.frame_bytes(msg) + [1] * 5, 1300, 2100,
                                            1200, -20.0), atol=1.01)


@settings(max_examples=40)
@given(number=st.text("0123456789", min_size=1, max_size=20),
       name=st.binary(min_size=0, max_size=40),
       standard=st.sampled_from(["bell202", "v23"]),
       call_waiting=st.booleans())
def test_encoder_decoder_round_trip_with_arbitrary_fields(number, name, standard, call_waiting):
    msg = cid.build_mdmf(number=number, name=name, month=5, day=6, hour=7, minute=8)
    enc = CallerIdEncoder(standard, seizure_bits=0 if call_waiting else 300,
                          mark_bits=80 if call_waiting else 180)
    got = _decode(_pad(enc.encode(msg)), standard)
    assert len(got) == 1 and got[0].valid
    assert got[0].number == number and got[0].name.encode("latin-1") == name
    assert got[0].seizure is (not call_waiting)


def test_message_sample_is_where_the_burst_starts():
    got = _decode(_pad(cid.encode(cid.build_mwi(True)), lead=1234))
    assert got[0].format == CallerIdFormat.SDMF_MWI and abs(got[0].sample - 1234) < 10


@pytest.mark.parametrize("standard", ["bell202", "v23"])
def test_every_corrupted_checksum_or_length_is_reported_invalid(standard):
    rng = np.random.default_rng(9)
    parts, expected = [], 0
    for i in range(40):
        good = bytearray(cid.build_mdmf(number="".join(map(str, rng.integers(0, 10, 10))),
                                        name="X" * int(rng.integers(1, 12)),
                                        month=1, day=2, hour=3, minute=4))
        if i % 2:
            good[-1] ^= int(rng.integers(1, 256))          # checksum
        else:
            good[1] = (good[1] + int(rng.integers(1, 20)) * (1 if i % 4 else -1)) & 0xFF  # length
        parts.append(_pad(cid.encode(bytes(good), standard), tail=2000))
        expected += 1
    got = _decode(np.concatenate(parts), standard)
    assert len(got) == expected
    assert not any(m.valid for m in got)


def test_truncated_burst_is_reported_invalid_without_exception():
    pcm = cid.encode(cid.build_mdmf(number="5551234", name="SOMEBODY"))
    cut = _pad(pcm[: pcm.shape[0] * 3 // 4])
    got = _decode(cut)
    assert len(got) == 1 and not got[0].valid and "ended" in got[0].error
    dec = CallerIdDecoder()
    assert dec.process(pcm[: pcm.shape[0] * 3 // 4]) == []
    flushed = dec.flush()
    assert len(flushed) == 1 and not flushed[0].valid


def test_garbage_bytes_after_the_mark_signal_decode_to_nothing_or_invalid():
    rng = np.random.default_rng(4)
    for _ in range(10):
        junk = bytes(rng.integers(0, 256, 30).tolist())
        got = _decode(_pad(cid.encode(junk)))
        assert all(not m.valid or m.raw == junk for m in got)


def test_bank_decodes_each_channel():
    msgs = [cid.build_sdmf(f"55512{c:02d}", 1, 2, 3, 4) for c in range(4)]
    sig = [_pad(cid.encode(m), lead=100 * c) for c, m in enumerate(msgs)]
    n = max(s.shape[0] for s in sig)
    block = np.zeros((4, n), np.int16)
    for c, s in enumerate(sig):
        block[c, : s.shape[0]] = s
    got = CallerIdDecoderBank(4).process(block)
    assert sorted((m.channel, m.raw) for m in got) == list(enumerate(msgs))


def test_decode_file_samples_and_json_shape():
    pcm = _pad(cid.encode(cid.build_mdmf(number="5551234", name="ANN", month=1, day=2, hour=3,
                                         minute=4)))
    got = cid.decode_file_samples(pcm, "auto")
    assert len(got) == 1
    j = cid.message_to_json(got[0])
    assert j == {"valid": True, "format": "mdmf", "number": "5551234", "name": "ANN",
                 "datetime": "01-02 03:04", "absence": {"number": None, "name": None},
                 "start_ms": j["start_ms"], "error": None}
    assert 90 < j["start_ms"] < 110


def test_rejects_unknown_standard():
    with pytest.raises(SignalFormatError, match="standard"):
        CallerIdDecoder("bell999")
    with pytest.raises(SignalFormatError, match="standard"):
        CallerIdEncoder("auto")


# ---------------------------------------------------------------------------------------
# DTMF caller ID


@pytest.mark.parametrize("text,number,absence,redirect", [
    ("A12345C", "12345", None, None),
    ("A12345#", "12345", None, None),
    ("A123D456C", "123", None, "456"),
    ("AB00C", None, AbsenceReason.UNAVAILABLE, None),
    ("AB10C", None, AbsenceReason.PRIVATE, None),
    ("D1#", None, AbsenceReason.PRIVATE, None),
    ("D2#", None, AbsenceReason.INTERNATIONAL, None),
    ("D3#", None, AbsenceReason.UNAVAILABLE, None),
    ("D0281234567C", "0281234567", None, None),
    ("0281234567#", "0281234567", None, None),
    ("*13912345678#", "13912345678", None, None),
    ("B13912345678A", "13912345678", None, None),
    ("#5551234*", "5551234", None, None),
])
def test_parses_dtmf_caller_id_variants(text, number, absence, redirect):
    m = parse_dtmf(text)
    assert m.valid and m.format == CallerIdFormat.DTMF
    assert (m.number, m.absence_number, m.redirecting_number) == (number, absence, redirect)


@pytest.mark.parametrize("text", ["A12#45C", "AC", "", "A" + "1" * 40 + "C", "xyz"])
def test_flags_malformed_dtmf_strings(text):
    assert not parse_dtmf(text).valid


@pytest.mark.parametrize("text", ["A5551234C", "D1#", "A123D456B10C", "5551234#", "*5551234#",
                                  "C5551234B"])
def test_decodes_dtmf_caller_id_signal(text):
    got = _decode(_pad(cid.encode_dtmf(text, level_dbm0=-12.0)), "dtmf")
    assert len(got) == 1 and got[0].valid and got[0].raw == text.encode()


def test_unterminated_dtmf_message_times_out_invalid():
    dec = CallerIdDecoder("dtmf", dtmf_timeout_ms=1000)
    got = dec.process(_pad(cid.encode_dtmf("A5551234"), tail=12000))
    assert len(got) == 1 and not got[0].valid and got[0].number == "5551234"


def test_auto_decodes_fsk_and_dtmf_in_one_stream():
    pcm = np.concatenate([_pad(cid.encode_dtmf("A5551234C")),
                          _pad(cid.encode(cid.build_sdmf("5559876", 1, 2, 3, 4)))])
    got = _decode(pcm, "auto")
    assert sorted(m.number for m in got if m.valid) == ["5551234", "5559876"]


# ---------------------------------------------------------------------------------------
# CAS (Type II alerting tone)


@pytest.mark.parametrize("ms", [75.0, 85.0, 110.0])
def test_detects_cas_of_75_to_110_ms(ms):
    det = CasDetector()
    got = det.process(_pad(cas_tone(duration_ms=ms, level_dbm0=-20.0), lead=333))
    assert len(got) == 1 and abs(got[0].duration - ms * 8) <= 160


@pytest.mark.parametrize("ms", [40.0, 200.0])
def test_rejects_cas_of_40_or_200_ms(ms):
    assert CasDetector().process(_pad(cas_tone(duration_ms=ms))) == []


def test_cas_matches_reference_tones_and_ignores_single_tone_and_fsk():
    np.testing.assert_allclose(cas_tone(duration_ms=80, level_dbm0=-13.0),
                               ref.tones((2130, 2750), -13.0, 640), atol=1.01)
    det = CasDetector()
    assert det.process(_pad(dual_tone(2130, 0, 640, level_dbm0=-10.0)[:640])) == []
    assert det.process(_pad(cid.encode(cid.build_sdmf("5551234", 1, 2, 3, 4)))) == []


# ---------------------------------------------------------------------------------------
# interop with spandsp and minimodem


def _spandsp():
    from tests.reference import spandsp

    if not spandsp.available():
        pytest.fail(f"spandsp oracle unavailable: {spandsp.unavailable_reason()}")
    return spandsp


SP_STD = {"bell202": "class", "v23": "clip"}


@pytest.mark.oracle
@pytest.mark.parametrize("standard", ["bell202", "v23"])
def test_our_fsk_messages_decode_in_spandsp_adsi_rx(standard):
    sp = _spandsp()
    msgs = [cid.build_mdmf(number="12345678", name="CHAN DAI MAN", month=11, day=25, hour=18,
                           minute=30),
            cid.build_sdmf("6095551212", 10, 1, 17, 50), cid.build_mwi(True),
            cid.build_mwi(False, mdmf=True)]
    rx = sp.AdsiRx(SP_STD[standard])
    for m in msgs:
        rx.process(_pad(cid.encode(m, standard)))
    assert rx.messages() == [m[:-1] for m in msgs]


@pytest.mark.oracle
@pytest.mark.parametrize("standard", ["bell202", "v23"])
def test_spandsp_adsi_tx_messages_decode_in_ours(standard):
    sp = _spandsp()
    msgs = [sp.build_message(SP_STD[standard], 0x80, [(1, b"10011750"), (2, b"12345678"),
                                                       (3, b"87654321"), (7, b"Chan Dai Man")]),
            sp.build_message(SP_STD[standard], 0x04, [(0, b"10011750"), (0, b"6095551212")])]
    for m in msgs:
        tx = sp.AdsiTx(SP_STD[standard])
        tx.send(m)
        got = _decode(_pad(tx.generate_until_idle()), standard)
        assert len(got) == 1 and got[0].valid and got[0].raw[:-1] == m


@pytest.mark.oracle
def test_dtmf_caller_id_interworks_with_spandsp():
    sp = _spandsp()
    m = sp.build_message("clip_dtmf", ord("C"), [(ord("A"), b"12345678"), (ord("D"), b"1")])
    tx = sp.AdsiTx("clip_dtmf")
    tx.send(m)
    got = _decode(_pad(tx.generate_until_idle()), "dtmf")
    assert len(got) == 1 and got[0].valid and got[0].raw == m and got[0].number == "12345678"
    rx = sp.AdsiRx("clip_dtmf")
    rx.process(_pad(cid.encode_dtmf("A12345678C")))
    assert rx.messages() == [b"A12345678C"]


@pytest.mark.oracle
def test_our_bell202_output_decodes_in_minimodem(tmp_path):
    exe = require_tool("minimodem")
    pcm = _pad(cid.encode(cid.build_mdmf(number="2125551234", name="JOHN DOE", month=11, day=25,
                                         hour=18, minute=30)), lead=4000, tail=4000)
    path = tmp_path / "cid.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    out = subprocess.run([exe, "--rx", "-q", "-f", str(path), "callerid"], capture_output=True,
                         text=True, timeout=60).stdout
    phone = [line for line in out.splitlines() if line.startswith("Phone:")]
    assert phone and phone[0].split(":", 1)[1].strip().replace("-", "") == "2125551234"
    assert "JOHN DOE" in out


_AUTO = None


def _auto_stream():
    global _AUTO
    if _AUTO is None:
        _AUTO = np.concatenate([
            _pad(cid.encode_dtmf("A5551234C")),
            _pad(cid.encode(cid.build_sdmf("5559876", 1, 2, 3, 4), "v23"), tail=2000),
            _pad(cid.encode_dtmf("D3#"), tail=1000),
            _pad(cid.encode(cid.build_mdmf(number="123", name="X"), seizure_bits=0, mark_bits=80)),
        ])
    return _AUTO


@settings(max_examples=20)
@given(st.lists(st.integers(0, 4000), max_size=10))
def test_auto_decoder_output_does_not_depend_on_chunking(cuts):
    pcm = _auto_stream()
    whole = _decode(pcm, "auto")
    assert len(whole) == 4 and all(m.valid for m in whole)
    dec = CallerIdDecoder("auto")
    got, pos = [], 0
    for c in cuts:
        got += dec.process(pcm[pos:pos + c])
        pos += c
    got += dec.process(pcm[pos:]) + dec.flush()
    assert sorted(got, key=lambda m: m.sample) == sorted(whole, key=lambda m: m.sample)
