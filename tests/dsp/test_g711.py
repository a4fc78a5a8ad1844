"""G.711 codecs: bit-exact to ITU-T G.191, G.711 transcoding tables, buffer handling.

Oracles: ``tests/reference/g191.py`` (a plain transcription of the G.191 routines), sox
(decoding exact; encoding only away from decision thresholds) and spandsp (A-law encoding,
decoding and the G.711 transcoding tables). The compiled module never checks itself.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from boardlib.dsp import _g711 as g711
from boardlib.errors import SignalFormatError
from tests.conftest import require_tool
from tests.reference import g191

ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = np.arange(256, dtype=np.uint8)

# Oracle tables, from the pure-Python G.191 transcription.
REF_ALAW_ENC = np.array(g191.alaw_encode_list(ALL_PCM), dtype=np.uint8)
REF_ULAW_ENC = np.array(g191.ulaw_encode_list(ALL_PCM), dtype=np.uint8)
REF_ALAW_DEC = np.array(g191.alaw_decode_list(ALL_CODES), dtype=np.int16)
REF_ULAW_DEC = np.array(g191.ulaw_decode_list(ALL_CODES), dtype=np.int16)


def ref_encode(law: str, pcm: np.ndarray) -> np.ndarray:
    table = REF_ALAW_ENC if law == "alaw" else REF_ULAW_ENC
    return table[pcm.astype(np.int32) + 32768]


def ref_decode(law: str, codes: np.ndarray) -> np.ndarray:
    return (REF_ALAW_DEC if law == "alaw" else REF_ULAW_DEC)[codes]


ENCODE = {"alaw": g711.alaw_encode, "ulaw": g711.ulaw_encode}
DECODE = {"alaw": g711.alaw_decode, "ulaw": g711.ulaw_decode}


def magnitude_number(law: str, codes: np.ndarray) -> np.ndarray:
    """Position of each code in order of increasing decoded value (0..255)."""
    order = np.argsort(ref_decode(law, ALL_CODES), kind="stable")
    rank = np.empty(256, dtype=np.int64)
    rank[order] = np.arange(256)
    return rank[codes]


KERNELS = ["avx2", "ssse3", "sse2", "table"]


@pytest.fixture(params=KERNELS)
def kernel(request: pytest.FixtureRequest):
    """Run a test on each kernel this build and CPU can run (the others are skipped)."""
    before = g711._test_kernel()
    chosen = g711._test_select_kernel(request.param)
    if chosen != request.param:
        g711._test_select_kernel(before)
        pytest.skip(f"the {request.param} kernel is not available on this CPU or build")
    yield request.param
    g711._test_select_kernel(before)


# --- bit-exactness with G.191 -------------------------------------------------------------


def test_alaw_encoder_matches_g191_for_every_int16_input(kernel: str) -> None:
    np.testing.assert_array_equal(g711.alaw_encode(ALL_PCM), REF_ALAW_ENC)


def test_ulaw_encoder_matches_g191_for_every_int16_input(kernel: str) -> None:
    np.testing.assert_array_equal(g711.ulaw_encode(ALL_PCM), REF_ULAW_ENC)


def test_decoders_match_g191_for_every_code(kernel: str) -> None:
    np.testing.assert_array_equal(g711.alaw_decode(ALL_CODES), REF_ALAW_DEC)
    np.testing.assert_array_equal(g711.ulaw_decode(ALL_CODES), REF_ULAW_DEC)


@pytest.mark.parametrize("n", list(range(0, 70)) + [4095, 4096, 4097])
def test_every_length_and_tail_is_exact(kernel: str, n: int) -> None:
    pcm = ALL_PCM[(np.arange(n) * 7919) % 65536]
    codes = ALL_CODES[(np.arange(n) * 37) % 256]
    for law in ("alaw", "ulaw"):
        np.testing.assert_array_equal(ENCODE[law](pcm), ref_encode(law, pcm))
        np.testing.assert_array_equal(DECODE[law](codes), ref_decode(law, codes))


def test_import_time_tables_hold_the_g191_values() -> None:
    t = g711._test_tables()
    np.testing.assert_array_equal(t["alaw_decode"], REF_ALAW_DEC)
    np.testing.assert_array_equal(t["ulaw_decode"], REF_ULAW_DEC)
    # encoder tables are indexed by the sample's 16 bits
    np.testing.assert_array_equal(t["alaw_encode"][ALL_PCM.view(np.uint16)], REF_ALAW_ENC)
    np.testing.assert_array_equal(t["ulaw_encode"][ALL_PCM.view(np.uint16)], REF_ULAW_ENC)


def test_reference_values_of_the_standard() -> None:
    enc_a = g711.alaw_encode(np.array([0, -1, 32767, -32768], dtype=np.int16))
    enc_u = g711.ulaw_encode(np.array([0, -1, 32767, -32768], dtype=np.int16))
    assert enc_a.tolist() == [0xD5, 0x55, 0xAA, 0x2A]
    assert enc_u.tolist() == [0xFF, 0x7F, 0x80, 0x00]
    dec_a = g711.alaw_decode(np.array([0xD5, 0xAA, 0x2A, 0x55], dtype=np.uint8))
    dec_u = g711.ulaw_decode(np.array([0x00, 0x80, 0xFF, 0x7F], dtype=np.uint8))
    assert dec_a.tolist() == [8, 32256, -32256, -8]
    assert dec_u.tolist() == [-32124, 32124, 0, 0]


def test_decoded_value_sets() -> None:
    a = g711.alaw_decode(ALL_CODES)
    u = g711.ulaw_decode(ALL_CODES)
    assert len(set(a.tolist())) == 256 and 0 not in a
    assert np.abs(a).min() == 8 and np.abs(a).max() == 32256
    assert len(set(u.tolist())) == 255 and np.abs(u).max() == 32124
    # mu-law segment 0 decodes to 0, 8, 16 ... 120 (thresholds at 4, 12, 20 ...)
    assert sorted(set(np.abs(u).tolist()))[:3] == [0, 8, 16]


# --- decision thresholds: one input just below, one at the threshold ----------------------

ALAW_THRESHOLDS = [16 * k for k in range(1, 16)] + [
    256 << s for s in range(0, 7)] + [(256 << s) + (16 << s) * k
                                     for s in range(0, 7) for k in range(1, 16)]
ALAW_THRESHOLDS = sorted(set(ALAW_THRESHOLDS))


def test_alaw_has_127_positive_thresholds_where_the_code_changes() -> None:
    assert len(ALAW_THRESHOLDS) == 127 and ALAW_THRESHOLDS[0] == 16
    assert ALAW_THRESHOLDS[-3:] == [29696, 30720, 31744]
    t = np.array(ALAW_THRESHOLDS, dtype=np.int16)
    below = g711.alaw_encode(t - 1)
    at = g711.alaw_encode(t)
    assert (below != at).all()
    # away from the thresholds the code does not change
    changes = np.flatnonzero(np.diff(g711.alaw_encode(ALL_PCM[32768:]).astype(int))) + 1
    assert changes.tolist() == ALAW_THRESHOLDS


def test_ulaw_has_127_positive_thresholds_4_12_20_and_so_on() -> None:
    changes = np.flatnonzero(np.diff(g711.ulaw_encode(ALL_PCM[32768:]).astype(int))) + 1
    assert len(changes) == 127
    assert changes[:4].tolist() == [4, 12, 20, 28]
    assert changes[-3:].tolist() == [29564, 30588, 31612]


@pytest.mark.parametrize(("x", "code"), [(-31612, 0x01), (-31613, 0x00),
                                         (-30588, 0x02), (-30589, 0x01),
                                         (-4, 0x7F), (-5, 0x7E)])
def test_ulaw_negative_thresholds_follow_g191_ones_complement(x: int, code: int) -> None:
    # audioop and spandsp put these one LSB (or more) away; G.191 is the reference
    assert g711.ulaw_encode(np.array([x], dtype=np.int16))[0] == code


@pytest.mark.parametrize(("x", "code"), [(-16, 0x55), (-17, 0x54), (15, 0xD5), (16, 0xD4)])
def test_alaw_first_threshold_pair(x: int, code: int) -> None:
    assert g711.alaw_encode(np.array([x], dtype=np.int16))[0] == code


# --- invariants (reference section 4.3) ---------------------------------------------------


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_decode_encode_decode_is_stable_for_every_code(law: str, kernel: str) -> None:
    dec = DECODE[law](ALL_CODES)
    np.testing.assert_array_equal(DECODE[law](ENCODE[law](dec)), dec)


def test_encode_of_decode_returns_the_code_except_ulaw_negative_zero(kernel: str) -> None:
    np.testing.assert_array_equal(g711.alaw_encode(g711.alaw_decode(ALL_CODES)), ALL_CODES)
    back = g711.ulaw_encode(g711.ulaw_decode(ALL_CODES))
    assert np.flatnonzero(back != ALL_CODES).tolist() == [0x7F]
    assert back[0x7F] == 0xFF


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_second_tandem_round_trip_changes_nothing(law: str, kernel: str) -> None:
    once = DECODE[law](ENCODE[law](ALL_PCM))
    np.testing.assert_array_equal(DECODE[law](ENCODE[law](once)), once)


def test_largest_round_trip_errors() -> None:
    x = ALL_PCM.astype(np.int32)
    err_a = np.abs(x - g711.alaw_decode(g711.alaw_encode(ALL_PCM)))
    err_u = np.abs(x - g711.ulaw_decode(g711.ulaw_encode(ALL_PCM)))
    assert err_a.max() == 512 and x[err_a.argmax()] == -32768
    assert err_u.max() == 644


@pytest.mark.parametrize(("law", "small", "small_err"), [("alaw", 140, 15), ("ulaw", 40, 4)])
def test_quantisation_error_within_ten_percent(law: str, small: int, small_err: int) -> None:
    x = ALL_PCM.astype(np.int64)
    y = DECODE[law](ENCODE[law](ALL_PCM)).astype(np.int64)
    big = np.abs(x) > small
    assert (np.abs(y - x)[big] <= 0.10 * np.abs(x)[big]).all()
    assert (np.abs(y - x)[~big] <= small_err).all()


# --- digital milliwatt ---------------------------------------------------------------------

DMW = {
    "alaw": (bytes.fromhex("34 21 21 34 B4 A1 A1 B4"), [8960, 20992, 20992, 8960], 3.14, 32768),
    "ulaw": (bytes.fromhex("1E 0B 0B 1E 9E 8B 8B 9E"), [8828, 20860, 20860, 8828], 3.17,
             32636),
}


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_digital_milliwatt_is_0_dbm0_within_0_1_db(law: str, kernel: str) -> None:
    octets, half, max_sine_dbm0, max_peak = DMW[law]
    pcm = DECODE[law](octets * 100)
    assert pcm[:8].tolist() == [-v for v in half] + half
    rms = math.sqrt(np.mean(pcm.astype(np.float64) ** 2))
    level = 20 * math.log10(rms * math.sqrt(2) / max_peak) + max_sine_dbm0
    assert abs(level) <= 0.1
    # and the sequence encodes back to itself
    assert ENCODE[law](pcm).tobytes() == octets * 100


# --- transcoding (G.711 Tables 3 and 4) ----------------------------------------------------


@pytest.mark.parametrize(("fn", "code", "expected"), [
    (g711.ulaw_to_alaw, 47, 26), (g711.ulaw_to_alaw, 175, 154),
    (g711.alaw_to_ulaw, 26, 47), (g711.alaw_to_ulaw, 154, 175),
    (g711.alaw_to_ulaw, 0xD5, 0xFE), (g711.ulaw_to_alaw, 0xFF, 0xD5),
    (g711.ulaw_to_alaw, 0x7F, 0x55), (g711.alaw_to_ulaw, 0xAA, 0x80),
])
def test_transcoding_table_entries(fn, code: int, expected: int) -> None:
    assert fn(np.array([code], dtype=np.uint8))[0] == expected


def test_transcoding_keeps_the_sign() -> None:
    a = g711.alaw_decode(ALL_CODES)
    u = g711.ulaw_decode(g711.alaw_to_ulaw(ALL_CODES))
    assert (np.sign(u) == np.sign(a)).all()
    u2 = g711.ulaw_decode(ALL_CODES)
    a2 = g711.alaw_decode(g711.ulaw_to_alaw(ALL_CODES))
    assert ((np.sign(a2) == np.sign(u2)) | (u2 == 0)).all()


def test_transcoding_round_trips_return_the_code_or_a_neighbour() -> None:
    a_back = g711.ulaw_to_alaw(g711.alaw_to_ulaw(ALL_CODES))
    u_back = g711.alaw_to_ulaw(g711.ulaw_to_alaw(ALL_CODES))
    da = np.abs(magnitude_number("alaw", a_back) - magnitude_number("alaw", ALL_CODES))
    du = np.abs(magnitude_number("ulaw", u_back) - magnitude_number("ulaw", ALL_CODES))
    assert da.max() <= 1
    assert du.max() <= 1


def test_transcoding_is_within_one_step_of_the_g191_composition() -> None:
    # G.711 tables are not decode-then-encode; they differ from it by at most one code step
    via_a = np.array([g191.ulaw_compress(g191.alaw_expand(c)) for c in range(256)])
    via_u = np.array([g191.alaw_compress(g191.ulaw_expand(c)) for c in range(256)])
    da = magnitude_number("ulaw", g711.alaw_to_ulaw(ALL_CODES)) - magnitude_number("ulaw", via_a)
    du = magnitude_number("alaw", g711.ulaw_to_alaw(ALL_CODES)) - magnitude_number("alaw", via_u)
    assert np.abs(da).max() <= 1 and np.abs(du).max() <= 1
    assert (da == 0).sum() > 200 and (du == 0).sum() > 180


@pytest.mark.parametrize("n", [0, 1, 31, 32, 33, 64, 255, 4097])
def test_transcoders_give_the_table_value_on_every_kernel_and_length(kernel: str, n: int) -> None:
    t = g711._test_tables()
    codes = ALL_CODES[(np.arange(n) * 101 + 7) % 256]
    np.testing.assert_array_equal(g711.alaw_to_ulaw(codes), t["alaw_to_ulaw"][codes])
    np.testing.assert_array_equal(g711.ulaw_to_alaw(codes), t["ulaw_to_alaw"][codes])


def test_the_best_kernel_the_cpu_offers_is_used() -> None:
    import platform

    from boardlib.dsp import cpu_features

    features = cpu_features()
    x86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")
    expected = ("avx2" if x86 and "avx2" in features
                else "ssse3" if x86 and "ssse3" in features
                else "sse2" if x86 and "sse2" in features
                else "table")
    assert g711._test_kernel() == expected
    info = g711._build_info()
    assert info["g711_kernel"] == expected
    assert info["g711_transcode"] == (expected if expected in ("avx2", "ssse3") else "table")


def test_selecting_a_kernel_falls_back_to_the_best_one_below_it() -> None:
    before = g711._test_kernel()
    try:
        assert g711._test_select_kernel("table") == "table"
        assert g711._test_kernel() == "table"
        order = ["table", "sse2", "ssse3", "avx2"]
        for name in order:
            got = g711._test_select_kernel(name)
            assert order.index(got) <= order.index(name)
        assert g711._test_select_kernel("avx2") == before
        with pytest.raises(ValueError, match="neon"):
            g711._test_select_kernel("neon")
    finally:
        g711._test_select_kernel(before)


def test_transcoders_work_in_place(kernel: str) -> None:
    t = g711._test_tables()
    buf = np.concatenate([ALL_CODES, ALL_CODES[:45]])
    assert g711.alaw_to_ulaw_into(buf, buf) == 301
    np.testing.assert_array_equal(buf[:256], t["alaw_to_ulaw"])
    assert g711.ulaw_to_alaw_into(buf, buf) == 301
    np.testing.assert_array_equal(buf[:256], t["ulaw_to_alaw"][t["alaw_to_ulaw"]])


# x86 <fenv.h> rounding modes (they set the SSE control register as well as the x87 one)
_X86_ROUNDING = {"downward": 0x400, "upward": 0x800, "toward zero": 0xC00}


@pytest.mark.parametrize("mode", sorted(_X86_ROUNDING))
def test_float_based_kernels_are_exact_in_every_rounding_mode(kernel: str, mode: str) -> None:
    # the SSE2 encoders and decoders convert integers to float and back; those conversions
    # are exact, so the rounding mode a caller may have set must not change any code
    import ctypes
    import ctypes.util
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("x86 rounding-mode constants")
    name = ctypes.util.find_library("m")
    if name is None:
        pytest.skip("no C maths library to set the rounding mode with")
    libm = ctypes.CDLL(name)
    before = libm.fegetround()
    assert libm.fesetround(_X86_ROUNDING[mode]) == 0
    try:
        enc_a, enc_u = g711.alaw_encode(ALL_PCM), g711.ulaw_encode(ALL_PCM)
        dec_a, dec_u = g711.alaw_decode(ALL_CODES), g711.ulaw_decode(ALL_CODES)
    finally:
        libm.fesetround(before)
    np.testing.assert_array_equal(enc_a, REF_ALAW_ENC)
    np.testing.assert_array_equal(enc_u, REF_ULAW_ENC)
    np.testing.assert_array_equal(dec_a, REF_ALAW_DEC)
    np.testing.assert_array_equal(dec_u, REF_ULAW_DEC)


# --- external oracles -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def spandsp():
    from tests.reference import spandsp

    if not spandsp.available():
        pytest.fail(f"spandsp oracle unavailable: {spandsp.unavailable_reason()}")
    return spandsp


@pytest.mark.oracle
def test_transcoding_tables_equal_spandsp_g711_tables(spandsp, kernel: str) -> None:
    codes = np.concatenate([ALL_CODES, ALL_CODES[::-1], ALL_CODES[:45]])
    np.testing.assert_array_equal(g711.alaw_to_ulaw(codes), spandsp.alaw_to_ulaw(codes))
    np.testing.assert_array_equal(g711.ulaw_to_alaw(codes), spandsp.ulaw_to_alaw(codes))


@pytest.mark.oracle
def test_alaw_encoding_and_decoding_equal_spandsp(spandsp) -> None:
    np.testing.assert_array_equal(g711.alaw_encode(ALL_PCM), spandsp.alaw_encode(ALL_PCM))
    np.testing.assert_array_equal(g711.alaw_decode(ALL_CODES), spandsp.alaw_decode(ALL_CODES))
    np.testing.assert_array_equal(g711.ulaw_decode(ALL_CODES), spandsp.ulaw_decode(ALL_CODES))


@pytest.mark.oracle
def test_ulaw_differs_from_spandsp_exactly_at_its_127_negative_thresholds(spandsp) -> None:
    diff = ALL_PCM[g711.ulaw_encode(ALL_PCM) != spandsp.ulaw_encode(ALL_PCM)]
    assert len(diff) == 127 and (diff < 0).all()
    positive = np.flatnonzero(np.diff(g711.ulaw_encode(ALL_PCM[32768:]).astype(int))) + 1
    assert sorted((-diff).tolist()) == positive.tolist()


@pytest.mark.oracle
def test_alaw_matches_audioop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    a = np.frombuffer(audioop.lin2alaw(ALL_PCM.tobytes(), 2), dtype=np.uint8)
    np.testing.assert_array_equal(g711.alaw_encode(ALL_PCM), a)


@pytest.mark.oracle
@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_decoding_equals_sox(law: str) -> None:
    require_tool("sox")
    from tests.reference.sox import sox_decode

    np.testing.assert_array_equal(DECODE[law](ALL_CODES), sox_decode(ALL_CODES, law))


@pytest.mark.oracle
@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_encoding_agrees_with_sox_away_from_decision_thresholds(law: str) -> None:
    require_tool("sox")
    from tests.reference.sox import sox_encode

    ours = ENCODE[law](ALL_PCM)
    theirs = np.frombuffer(sox_encode(ALL_PCM, law), dtype=np.uint8)
    # thresholds (both signs) of the G.191 quantiser
    change = np.flatnonzero(np.diff(ref_encode(law, ALL_PCM).astype(int))) + 1
    near = np.zeros(ALL_PCM.size, dtype=bool)
    for d in range(-4, 5):
        near[np.clip(change + d, 0, ALL_PCM.size - 1)] = True
    np.testing.assert_array_equal(ours[~near], theirs[~near])
    steps = np.abs(magnitude_number(law, ours) - magnitude_number(law, theirs))
    assert steps.max() <= 1


# --- buffers, shapes and the _into twins ----------------------------------------------------


def test_output_has_the_input_shape_for_any_shape() -> None:
    pcm = ALL_PCM[:2 * 3 * 5].reshape(2, 3, 5)
    assert g711.alaw_encode(pcm).shape == (2, 3, 5)
    assert g711.ulaw_decode(ALL_CODES[:24].reshape(4, 6)).shape == (4, 6)
    assert g711.alaw_encode(np.int16(5) * np.ones((), np.int16)).shape == ()
    assert g711.alaw_encode(np.zeros((0, 3), np.int16)).shape == (0, 3)


def test_non_contiguous_and_byte_swapped_input_is_copied_not_rejected() -> None:
    bank = ALL_PCM.reshape(256, 256)
    view = bank[::3, 1::2]
    np.testing.assert_array_equal(g711.ulaw_encode(view), ref_encode("ulaw", view))
    swapped = ALL_PCM.astype(">i2")
    np.testing.assert_array_equal(g711.alaw_encode(swapped), REF_ALAW_ENC)
    np.testing.assert_array_equal(g711.alaw_decode(ALL_CODES[::-1]), REF_ALAW_DEC[::-1])


def test_bytes_like_inputs() -> None:
    raw = ALL_PCM[:100].tobytes()
    expected = REF_ALAW_ENC[:100]
    for src in (raw, bytearray(raw), memoryview(raw), memoryview(ALL_PCM[:100])):
        np.testing.assert_array_equal(g711.alaw_encode(src), expected)
    codes = bytes(range(256))
    for src in (codes, bytearray(codes), memoryview(codes)):
        np.testing.assert_array_equal(g711.ulaw_decode(src), REF_ULAW_DEC)
        np.testing.assert_array_equal(g711.ulaw_to_alaw(src), g711.ulaw_to_alaw(ALL_CODES))


def test_into_writes_the_caller_array_and_returns_the_count() -> None:
    out8 = np.zeros((16, 10), np.uint8)
    assert g711.alaw_encode_into(ALL_PCM[:160], out8) == 160
    np.testing.assert_array_equal(out8.ravel(), REF_ALAW_ENC[:160])
    out16 = np.zeros(256, np.int16)
    assert g711.ulaw_decode_into(ALL_CODES, out16) == 256
    np.testing.assert_array_equal(out16, REF_ULAW_DEC)
    assert g711.ulaw_encode_into(ALL_PCM[:0], np.zeros(0, np.uint8)) == 0
    out = np.zeros(256, np.uint8)
    assert g711.alaw_to_ulaw_into(bytes(range(256)), out) == 256


def test_decoding_into_a_buffer_that_overlaps_the_codes_is_still_exact() -> None:
    store = np.zeros(1024, np.uint8)
    store[:256] = ALL_CODES
    out = store.view(np.int16)[:256]  # overlaps the codes it is decoded from
    g711.alaw_decode_into(store[:256], out)
    np.testing.assert_array_equal(out, REF_ALAW_DEC)


@pytest.mark.parametrize("fn", [g711.alaw_encode, g711.ulaw_encode])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint16, np.uint8])
def test_encoders_reject_non_int16_arrays(fn, dtype) -> None:
    with pytest.raises(SignalFormatError, match="src.*int16"):
        fn(np.zeros(8, dtype=dtype))


@pytest.mark.parametrize("fn", [g711.alaw_decode, g711.ulaw_decode, g711.alaw_to_ulaw,
                                g711.ulaw_to_alaw])
@pytest.mark.parametrize("dtype", [np.int16, np.int8, np.float64, np.uint16])
def test_decoders_and_transcoders_reject_non_uint8_arrays(fn, dtype) -> None:
    with pytest.raises(SignalFormatError, match="src.*uint8"):
        fn(np.zeros(8, dtype=dtype))


def test_rejects_odd_length_bytes_for_an_encoder_and_accepts_even() -> None:
    assert g711.alaw_encode(b"\x00\x01").shape == (1,)
    with pytest.raises(SignalFormatError, match="src.*odd"):
        g711.alaw_encode(b"\x00\x01\x02")


@pytest.mark.parametrize("bad", [[1, 2, 3], 5, "abc", None, memoryview(b"abcd").cast("i")])
def test_rejects_objects_that_are_not_sample_buffers(bad) -> None:
    with pytest.raises(SignalFormatError, match="src"):
        g711.ulaw_encode(bad)


def test_into_rejects_unusable_outputs() -> None:
    src = ALL_PCM[:10]
    with pytest.raises(SignalFormatError, match="out.*uint8"):
        g711.alaw_encode_into(src, np.zeros(10, np.int16))
    with pytest.raises(SignalFormatError, match="out.*contiguous"):
        g711.alaw_encode_into(src, np.zeros(20, np.uint8)[::2])
    ro = np.zeros(10, np.uint8)
    ro.flags.writeable = False
    with pytest.raises(SignalFormatError, match="out.*writable"):
        g711.alaw_encode_into(src, ro)
    with pytest.raises(SignalFormatError, match="out.*9.*10"):
        g711.alaw_encode_into(src, np.zeros(9, np.uint8))
    with pytest.raises(SignalFormatError, match="out.*11.*10"):
        g711.alaw_encode_into(src, np.zeros(11, np.uint8))
    with pytest.raises(SignalFormatError, match="out.*bytearray"):
        g711.alaw_encode_into(src, bytearray(10))
    with pytest.raises(SignalFormatError, match="out.*int16"):
        g711.ulaw_decode_into(ALL_CODES[:10], np.zeros(10, np.uint16))


# --- properties -----------------------------------------------------------------------------

shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=40)


@given(hnp.arrays(np.int16, shapes), st.sampled_from(["alaw", "ulaw"]))
def test_any_int16_array_encodes_like_g191_and_round_trips(pcm: np.ndarray, law: str) -> None:
    codes = ENCODE[law](pcm)
    assert codes.shape == pcm.shape and codes.dtype == np.uint8
    np.testing.assert_array_equal(codes, ref_encode(law, pcm))
    once = DECODE[law](codes)
    np.testing.assert_array_equal(DECODE[law](ENCODE[law](once)), once)


@given(hnp.arrays(np.uint8, shapes), st.sampled_from(["alaw", "ulaw"]))
def test_any_code_array_decodes_like_g191(codes: np.ndarray, law: str) -> None:
    pcm = DECODE[law](codes)
    assert pcm.shape == codes.shape and pcm.dtype == np.int16
    np.testing.assert_array_equal(pcm, ref_decode(law, codes))


@given(hnp.arrays(np.int16, st.integers(0, 600)), st.lists(st.integers(0, 600), max_size=6))
def test_encoding_in_chunks_equals_encoding_the_whole(pcm: np.ndarray, cuts: list[int]) -> None:
    for law in ("alaw", "ulaw"):
        whole = ENCODE[law](pcm)
        pieces = [ENCODE[law](p) for p in np.split(pcm, sorted(c % (pcm.size + 1) for c in cuts))]
        np.testing.assert_array_equal(np.concatenate(pieces), whole)
