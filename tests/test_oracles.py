"""The oracle layer itself: spandsp, sox and the talk-off corpus behave as documented.

These tests prove that the oracles other tests compare against are sound: spandsp's G.711
against a short independent transcription of the ITU-T G.191 rules, sox's decoder against
spandsp's, spandsp's DTMF and caller-ID transmitters against its receivers, and the talk-off
corpus for determinism and level.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import require_tool
from tests.reference import spandsp, talkoff
from tests.reference.sox import sox_decode, sox_encode

pytestmark = pytest.mark.oracle

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int32)
ALL_CODES = np.arange(256, dtype=np.uint8)


@pytest.fixture(scope="module", autouse=True)
def _spandsp_present() -> None:
    if not spandsp.available():
        message = f"spandsp oracle unavailable: {spandsp.unavailable_reason()}"
        if os.environ.get("BOARDLIB_ALLOW_MISSING_ORACLES") == "1":
            pytest.skip(message)
        pytest.fail(message)


# ---- an independent transcription of the G.191 compression rules (one sample at a time) ----


def g191_alaw_compress(x: int) -> int:
    """G.191 A-law: 13-bit magnitude (one's complement for negatives), segments, XOR 0x55."""
    mag = (~x if x < 0 else x) >> 4
    if mag > 15:
        seg = 1
        while mag > 31:
            mag >>= 1
            seg += 1
        mag = (seg << 4) | (mag - 16)
    return (mag | (0x80 if x >= 0 else 0)) ^ 0x55


def g191_ulaw_compress(x: int) -> int:
    """G.191 µ-law: 14-bit magnitude (one's complement for negatives) + 33, inverted code."""
    mag = min(((~x if x < 0 else x) >> 2) + 33, 0x1FFF)
    seg = 1
    rest = mag >> 6
    while rest:
        seg += 1
        rest >>= 1
    code = ((8 - seg) << 4) | (15 - ((mag >> seg) & 15))
    return code | (0x80 if x >= 0 else 0)


def g191_alaw_expand(code: int) -> int:
    c = code ^ 0x55
    seg = (c >> 4) & 7
    mag = ((c & 15) << 4) + 8
    if seg:
        mag = (mag + 0x100) << (seg - 1)
    return mag if c & 0x80 else -mag


def g191_ulaw_expand(code: int) -> int:
    c = ~code & 0xFF
    seg = (c >> 4) & 7
    mag = ((((c & 15) << 3) + 0x84) << seg) - 0x84
    return -mag if c & 0x80 else mag


@pytest.fixture(scope="module")
def g191_tables() -> dict[str, np.ndarray]:
    return {
        "alaw": np.array([g191_alaw_compress(int(x)) for x in ALL_INT16], np.uint8),
        "ulaw": np.array([g191_ulaw_compress(int(x)) for x in ALL_INT16], np.uint8),
    }


def thresholds(table: np.ndarray) -> np.ndarray:
    """The int16 inputs x at which the G.191 code differs from the code of x - 1."""
    return ALL_INT16[1:][table[1:] != table[:-1]]


def test_transcription_matches_published_g711_vectors() -> None:
    assert [g191_alaw_compress(v) for v in (0, -1)] == [0xD5, 0x55]
    assert [g191_ulaw_compress(v) for v in (0, -1)] == [0xFF, 0x7F]
    assert (g191_alaw_expand(0xD5), g191_alaw_expand(0xAA)) == (8, 32256)
    assert (g191_ulaw_expand(0x00), g191_ulaw_expand(0x80)) == (-32124, 32124)
    # digital milliwatt, A-law: 34 21 21 34 B4 A1 A1 B4
    assert [g191_alaw_expand(c) for c in (0x34, 0x21, 0xB4, 0xA1)] == [-8960, -20992, 8960, 20992]


def test_spandsp_alaw_encode_equals_g191_on_all_int16(g191_tables: dict[str, np.ndarray]) -> None:
    got = spandsp.alaw_encode(ALL_INT16.astype(np.int16))
    assert np.array_equal(got, g191_tables["alaw"])


def test_spandsp_ulaw_encode_differs_from_g191_exactly_at_the_127_negative_thresholds(
        g191_tables: dict[str, np.ndarray]) -> None:
    table = g191_tables["ulaw"]
    got = spandsp.ulaw_encode(ALL_INT16.astype(np.int16))
    differs = ALL_INT16[got != table]
    positive = thresholds(table)
    positive = positive[positive > 0]
    assert len(positive) == 127
    assert len(differs) == 127
    assert np.array_equal(np.sort(-differs), positive)  # -31612, -30588, ..., -12, -4
    # and each is off by exactly one code step (spandsp rounds the tie the other way)
    assert np.all(np.abs(got[differs + 32768].astype(int) - table[differs + 32768]) == 1)


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_spandsp_decode_equals_g191_for_all_codes(law: str) -> None:
    expand = g191_alaw_expand if law == "alaw" else g191_ulaw_expand
    want = np.array([expand(c) for c in range(256)], np.int16)
    assert np.array_equal(getattr(spandsp, f"{law}_decode")(ALL_CODES), want)


def test_spandsp_transcoding_tables_hold_known_entries() -> None:
    assert spandsp.ulaw_to_alaw(np.array([47, 175], np.uint8)).tolist() == [26, 154]
    assert spandsp.alaw_to_ulaw(np.array([26, 154], np.uint8)).tolist() == [47, 175]
    # round trips land on the same or the neighbouring code (A-law compared without its
    # 0x55 line mask, where neighbouring levels have neighbouring codes)
    a2u2a = spandsp.ulaw_to_alaw(spandsp.alaw_to_ulaw(ALL_CODES)) ^ 0x55
    u2a2u = spandsp.alaw_to_ulaw(spandsp.ulaw_to_alaw(ALL_CODES))
    assert np.all(np.abs(a2u2a.astype(int) - (ALL_CODES ^ 0x55)) <= 1)
    assert np.all(np.abs(u2a2u.astype(int) - ALL_CODES) <= 1)


def test_into_variants_write_the_caller_buffer() -> None:
    pcm = np.array([0, -1, 1000, -32768, 32767], np.int16)
    codes = np.empty(5, np.uint8)
    assert spandsp.alaw_encode_into(pcm, codes) == 5
    assert np.array_equal(codes, spandsp.alaw_encode(pcm))
    back = np.empty(5, np.int16)
    assert spandsp.ulaw_decode_into(codes, back) == 5
    assert np.array_equal(back, spandsp.ulaw_decode(codes))


def test_codec_wrappers_reject_wrong_dtypes_and_sizes() -> None:
    with pytest.raises(ValueError, match="int16"):
        spandsp.alaw_encode(np.zeros(4, np.int32))
    with pytest.raises(ValueError, match="uint8"):
        spandsp.alaw_decode(np.zeros(4, np.int16))
    with pytest.raises(ValueError, match="elements"):
        spandsp.alaw_encode_into(np.zeros(4, np.int16), np.empty(3, np.uint8))


@given(st.lists(st.integers(-32768, 32767), max_size=300))
def test_spandsp_codecs_take_any_int16_input(values: list[int]) -> None:
    pcm = np.array(values, np.int16)
    for law in ("alaw", "ulaw"):
        codes = getattr(spandsp, f"{law}_encode")(pcm)
        assert codes.shape == pcm.shape
        decoded = getattr(spandsp, f"{law}_decode")(codes)
        assert np.array_equal(getattr(spandsp, f"{law}_decode")(
            getattr(spandsp, f"{law}_encode")(decoded)), decoded)


# ---- sox ----


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_sox_decodes_all_256_codes_like_spandsp(law: str) -> None:
    require_tool("sox")
    got = sox_decode(ALL_CODES.tobytes(), law)  # type: ignore[arg-type]
    assert np.array_equal(got, getattr(spandsp, f"{law}_decode")(ALL_CODES))


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_sox_encoder_differs_from_g191_only_next_to_thresholds(
        law: str, g191_tables: dict[str, np.ndarray]) -> None:
    require_tool("sox")
    table = g191_tables[law]
    got = np.frombuffer(sox_encode(ALL_INT16.astype(np.int16), law), np.uint8)  # type: ignore[arg-type]
    differs = ALL_INT16[got != table]
    assert 0 < len(differs) < 2000
    bounds = thresholds(table)
    distance = np.min(np.abs(differs[:, None] - bounds[None, :]), axis=1)
    assert distance.max() <= 4
    expand = spandsp.alaw_decode if law == "alaw" else spandsp.ulaw_decode
    ranks = {int(v): i for i, v in enumerate(np.unique(expand(ALL_CODES)))}
    step = [abs(ranks[int(a)] - ranks[int(b)]) for a, b in
            zip(expand(got[differs + 32768]), expand(table[differs + 32768]), strict=True)]
    assert max(step) == 1  # neighbouring quantisation level


# ---- DTMF and tones ----

ALL_DIGITS = "123A456B789C*0#D"


def test_spandsp_dtmf_round_trip_of_all_sixteen_digits() -> None:
    tx = spandsp.DtmfTx(level_dbm0=-10, on_ms=50, off_ms=55)
    tx.put(ALL_DIGITS)
    signal = tx.generate(8000 * 5)
    assert signal.shape[0] == len(ALL_DIGITS) * (50 + 55) * 8
    assert tx.generate(160).shape[0] == 0  # idle afterwards
    rx = spandsp.DtmfRx()
    rx.process(signal)
    assert rx.digits() == ALL_DIGITS


def test_dtmf_tx_keeps_going_past_spandsps_128_digit_queue() -> None:
    digits = ALL_DIGITS * 10
    tx = spandsp.DtmfTx(on_ms=40, off_ms=40)
    tx.put(digits)
    out = np.zeros(len(digits) * 640 + 1000, np.int16)
    assert tx.generate_into(out) == len(digits) * 640
    rx = spandsp.DtmfRx()
    rx.process(out)
    assert rx.digits() == digits


def test_dtmf_tx_level_is_the_low_tone_level() -> None:
    tx = spandsp.DtmfTx(level_dbm0=-10, on_ms=200, off_ms=0)
    tx.put("1")
    tone = tx.generate(1600).astype(np.float64)
    n = np.arange(tone.size)

    def amplitude(freq: float) -> float:  # projection on the exact frequency
        return float(2 * np.abs(np.sum(tone * np.exp(-2j * np.pi * freq * n / 8000))) / n.size)

    low, high = amplitude(697), amplitude(1209)
    assert abs(low - 7219) < 0.03 * 7219  # -10 dBm0
    assert abs(20 * np.log10(high / low)) < 0.3
    # two equal sines of -10 dBm0: peak 2 * 7219 at most
    assert 13800 < np.abs(tone).max() <= 2 * 7219 + 20


@given(st.lists(st.integers(1, 900), min_size=1, max_size=12))
def test_spandsp_dtmf_rx_digits_do_not_depend_on_chunking(cuts: list[int]) -> None:
    tx = spandsp.DtmfTx()
    tx.put("19#")
    signal = tx.generate(8000)
    rx = spandsp.DtmfRx()
    edges = np.cumsum([0, *cuts])
    edges = np.unique(np.clip(np.append(edges, signal.size), 0, signal.size))
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        rx.process(signal[a:b])
    rx.process(signal[edges[-1]:])
    assert rx.digits() == "19#"


def test_dtmf_rx_bank_matches_single_receivers_and_reset_clears() -> None:
    block = np.zeros((3, 4000), np.int16)
    for ch, digits in enumerate(["1", "2*", ""]):
        tx = spandsp.DtmfTx()
        tx.put(digits)
        sig = tx.generate(4000)
        block[ch, : sig.size] = sig
    bank = spandsp.DtmfRxBank(3)
    for start in range(0, 4000, 160):
        bank.process(np.ascontiguousarray(block[:, start: start + 160]))
    assert [bank.digits(ch) for ch in range(3)] == ["1", "2*", ""]
    bank.reset()
    assert bank.digits(1) == ""
    with pytest.raises(ValueError, match="int16"):
        bank.process(np.zeros((2, 160), np.int16))


def test_dtmf_rx_threshold_parameter_reaches_spandsp() -> None:
    tx = spandsp.DtmfTx(level_dbm0=-30)
    tx.put("5")
    sig = tx.generate(1600)
    default = spandsp.DtmfRx()
    default.process(sig)
    deaf = spandsp.DtmfRx(threshold_dbm0=-20)
    deaf.process(sig)
    assert (default.digits(), deaf.digits()) == ("5", "")


def test_tone_gen_plays_its_cadence_at_the_asked_level() -> None:
    gen = spandsp.ToneGen(1000, -10, on_ms=100, off_ms=100, repeat=False)
    out = gen.generate(8000)
    assert out.shape[0] == 1600
    assert abs(int(np.abs(out[:800]).max()) - 7219) < 40  # -10 dBm0 peak
    assert not out[800:].any()


# ---- caller ID ----


def _round_trip(standard: str, msgs: list[bytes]) -> list[bytes]:
    tx = spandsp.AdsiTx(standard)
    for m in msgs:
        tx.send(m)
    signal = tx.generate_until_idle(8000 * 10)
    rx = spandsp.AdsiRx(standard)
    silence = np.zeros(800, np.int16)
    rx.process(np.concatenate([silence, signal, silence]))
    return rx.messages()


def test_spandsp_class_caller_id_round_trip_mdmf_and_sdmf() -> None:
    mdmf = spandsp.build_message("class", 0x80, [(0x01, b"10011750"), (0x02, b"6095551212"),
                                                 (0x07, b"JOE BLOGGS")])
    assert mdmf[:2] == bytes([0x80, len(mdmf) - 2])
    sdmf = spandsp.build_message("class", 0x04, [(0, b"10011750"), (0, b"6095551212")])
    assert sdmf == b"\x04\x12" + b"10011750" + b"6095551212"
    assert _round_trip("class", [mdmf, sdmf]) == [mdmf, sdmf]


@pytest.mark.parametrize("standard", ["clip", "aclip"])
def test_spandsp_clip_caller_id_round_trip(standard: str) -> None:
    msg = spandsp.build_message(standard, 0x80, [(0x01, b"01011230"), (0x02, b"0123456789"),
                                               (0x07, b"NAME"), (0x11, b"\x81")])
    assert _round_trip(standard, [msg]) == [msg]


def test_spandsp_dtmf_caller_id_round_trip() -> None:
    msg = spandsp.build_message("clip_dtmf", ord("C"), [(ord("A"), b"12345678")])
    assert msg == b"A12345678C"
    assert _round_trip("clip_dtmf", [msg]) == [msg]


def test_fsk_rx_frames_the_caller_id_bytes_with_checksum() -> None:
    msg = spandsp.build_message("class", 0x04, [(0, b"01011230"), (0, b"5551212")])
    tx = spandsp.AdsiTx("class")
    tx.send(msg)
    signal = tx.generate_until_idle()
    fsk = spandsp.FskRx("bell202")
    fsk.process(signal)
    # the alternating seizure never shows 10 marks in a row: framing starts after the marks
    checksum = (-sum(msg)) & 0xFF
    assert fsk.data(min_marks=10) == msg + bytes([checksum])
    assert fsk.carrier_ups == 1


def test_adsi_rx_bank_delivers_per_channel() -> None:
    msg = spandsp.build_message("clip", 0x80, [(0x02, b"0123456789")])
    tx = spandsp.AdsiTx("clip")
    tx.send(msg)
    sig = tx.generate_until_idle()
    block = np.zeros((2, sig.size + 400), np.int16)
    block[1, : sig.size] = sig
    bank = spandsp.AdsiRxBank("clip", 2)
    bank.process(block)
    assert (bank.messages(0), bank.messages(1)) == ([], [msg])


# ---- talk-off corpus ----


def test_talkoff_corpus_is_deterministic_for_a_seed() -> None:
    require_tool("espeak-ng")
    require_tool("sox")
    a = talkoff.corpus(20, seed=3, cache=False)
    b = talkoff.corpus(20, seed=3, cache=False)
    c = talkoff.corpus(20, seed=4, cache=False)
    assert a.pcm.dtype == np.int16 and a.pcm.shape == (160000,)
    assert np.array_equal(a.pcm, b.pcm)
    assert not np.array_equal(a.pcm, c.pcm)
    assert np.array_equal(talkoff.speech_and_music(20, 3), a.pcm)


def test_talkoff_corpus_segments_are_at_their_intended_levels() -> None:
    require_tool("espeak-ng")
    corpus = talkoff.corpus(60, seed=11)
    kinds = {s.kind for s in corpus.segments}
    assert {"speech", "music", "mix"} <= kinds
    assert corpus.segments[-1].end == corpus.pcm.size
    for seg in corpus.segments:
        part = corpus.pcm[seg.start: seg.end]
        if seg.kind == "speech":
            assert -20.0 <= seg.level_dbm0 <= -15.0
            assert abs(talkoff.active_level_dbm0(part) - seg.level_dbm0) < 0.3
        elif seg.kind == "music":
            assert -25.0 <= seg.level_dbm0 <= -15.0
            assert abs(talkoff.level_dbm0(part) - seg.level_dbm0) < 0.3
        elif seg.kind == "pause":
            assert seg.level_dbm0 < -50
    assert np.count_nonzero(np.abs(corpus.pcm.astype(np.int32)) >= 32767) == 0


def test_level_convention_matches_the_reference_sine() -> None:
    t = np.arange(8000)
    amplitude = 32768 * 10 ** ((-10 - 3.14) / 20)  # 7219
    sine = np.rint(amplitude * np.sin(2 * np.pi * 1000 * t / 8000 + 0.3)).astype(np.int16)
    assert abs(talkoff.level_dbm0(sine) + 10) < 0.01
