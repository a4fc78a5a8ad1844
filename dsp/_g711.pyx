"""G.711 A-law and mu-law companding, bit-exact to the ITU-T G.191 reference routines.

What it does
    ``alaw_encode``/``ulaw_encode`` compress int16 samples to 8-bit codes,
    ``alaw_decode``/``ulaw_decode`` expand codes to int16, and ``alaw_to_ulaw``/
    ``ulaw_to_alaw`` convert codes between the laws with the conversion tables of
    ITU-T G.711 (Tables 3 and 4). Every function has an ``_into(src, out)`` twin that writes
    into a caller's array and returns the number of samples written.

How it works
    Codes are the octets sent on the line: A-law with its even bits inverted (XOR 0x55),
    mu-law complemented. Encoding follows G.191 ``alaw_compress``/``ulaw_compress``: A-law
    keeps the 13 most significant bits of the sample, mu-law 14, and negative samples are
    one's-complemented (``abs(x) - 1``) before quantisation. Decoding returns the mid-point
    of each quantisation interval (G.191 ``alaw_expand``/``ulaw_expand``).

    All tables are computed once when the module is imported, from the G.191 algorithms:
    decoders and transcoders use 256-entry tables, each encoder a 65536-entry table indexed
    by the sample's 16 bits. Four kernels, the best one the CPU offers chosen at import
    (``boardlib info`` shows it as ``g711_kernel``, and the transcoders' as ``g711_transcode``):

    * ``table``: the table loops in portable C, four samples a step; the only kernel on
      non-x86 builds.
    * ``sse2`` (x86 baseline, no run-time check on x86-64): encoders and decoders 8 int16
      lanes at a time, segment and mantissa read from the bits of the magnitude converted to
      float (exact: integers below 2**24, never denormal); transcoders by table.
    * ``ssse3`` (run-time check): as ``sse2``, and transcoders looking up 16 codes at a time
      in the 128-entry half of their table with eight ``pshufb`` (the sign bit passes through).
    * ``avx2`` (run-time check): the G.191 arithmetic on 16 int16 lanes, per-lane shifts done
      as multiplications by powers of two picked with ``pshufb``; transcoders 32 codes at a time.

    A kernel leaves the tail of a buffer that does not fill its vectors to the next one down.
    The tests run every kernel the CPU has against the oracles over every input.

Limits
    Inputs of any shape are accepted (the output has the same shape); non-contiguous arrays
    are copied first. The GIL is released for inputs of 4096 samples or more.
"""

from cpython.buffer cimport (
    PyBUF_C_CONTIGUOUS, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer,
)
from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport int16_t, uint8_t, uint16_t, uintptr_t
from libc.string cimport memcpy

from bl_build cimport bl_build_info

import numpy as np

from boardlib.errors import SignalFormatError

cdef extern from *:
    """
    #include <stdint.h>
    #include <stddef.h>

    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    #define BL_G711_X86 1
    #include <immintrin.h>
    #else
    #define BL_G711_X86 0
    #endif

    /* Kernels, in order of preference; each one may use those below it for its tails. */
    enum { BL_G711_TABLE = 0, BL_G711_SSE2 = 1, BL_G711_SSSE3 = 2, BL_G711_AVX2 = 3 };

    /* Whether this build and this CPU can run kernel k. SSE2 is part of the x86-64 baseline
       (__SSE2__ is defined), so it is only checked at run time on 32-bit x86 builds. */
    static int bl_g711_kernel_ok(int k) {
        if (k == BL_G711_TABLE) return 1;
    #if BL_G711_X86
        __builtin_cpu_init();
        if (k == BL_G711_SSE2) {
    #if defined(__SSE2__)
            return 1;
    #else
            return __builtin_cpu_supports("sse2");
    #endif
        }
        if (k == BL_G711_SSSE3)
            return bl_g711_kernel_ok(BL_G711_SSE2) && __builtin_cpu_supports("ssse3");
        if (k == BL_G711_AVX2)
            return bl_g711_kernel_ok(BL_G711_SSSE3) && __builtin_cpu_supports("avx2");
    #endif
        return 0;
    }

    /* The best kernel this build and CPU can run, at most k. */
    static int bl_g711_select(int k) {
        if (k > BL_G711_AVX2) k = BL_G711_AVX2;
        while (k > BL_G711_TABLE && !bl_g711_kernel_ok(k)) k--;
        return k < BL_G711_TABLE ? BL_G711_TABLE : k;
    }

    /* Portable kernels: table look-ups, four samples a step (loads first, then the stores,
       which compilers merge into one word store on either byte order). The encoders index a
       65536-entry table by the sample's 16 bits: no shift, no mask. On banks this is about
       1.5x the 8192/16384-entry tables indexed by x >> 3 / x >> 2 with speech-like levels,
       and no slower on full-scale noise, which touches the whole 64 KiB. */
    static void bl_encode_table(const int16_t *in, uint8_t *out, size_t n, const uint8_t *table) {
        size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            uint8_t a = table[(uint16_t)in[i]], b = table[(uint16_t)in[i + 1]];
            uint8_t c = table[(uint16_t)in[i + 2]], d = table[(uint16_t)in[i + 3]];
            out[i] = a; out[i + 1] = b; out[i + 2] = c; out[i + 3] = d;
        }
        for (; i < n; i++) out[i] = table[(uint16_t)in[i]];
    }

    static void bl_decode_table(const uint8_t *in, int16_t *out, size_t n, const int16_t *table) {
        size_t i;
        for (i = 0; i < n; i++) out[i] = table[in[i]];
    }

    /* in may equal out (in-place transcoding): each group is read before it is written. */
    static void bl_transcode_table(const uint8_t *in, uint8_t *out, size_t n, const uint8_t *table) {
        size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            uint8_t a = table[in[i]], b = table[in[i + 1]], c = table[in[i + 2]], d = table[in[i + 3]];
            out[i] = a; out[i + 1] = b; out[i + 2] = c; out[i + 3] = d;
        }
        for (; i < n; i++) out[i] = table[in[i]];
    }

    #if BL_G711_X86
    /* SSE2, 8 int16 lanes. Segment and mantissa come from converting the magnitude to float:
       for 0 < v < 2**24, bits 19..30 of the float hold (biased exponent << 4) | the four bits
       after the leading one, which is the G.711 segment/mantissa pair up to a constant. The
       conversions are exact (integers below 2**24; results are never denormal), so neither
       the rounding mode nor flush-to-zero settings matter. */

    /* The 8 lanes of v (0..65535) as floats: their bits >> 19, packed back to int16 lanes */
    __attribute__((target("sse2")))
    static inline __m128i bl_float_hi12(__m128i v) {
        const __m128i z = _mm_setzero_si128();
        __m128i lo = _mm_castps_si128(_mm_cvtepi32_ps(_mm_unpacklo_epi16(v, z)));
        __m128i hi = _mm_castps_si128(_mm_cvtepi32_ps(_mm_unpackhi_epi16(v, z)));
        return _mm_packs_epi32(_mm_srli_epi32(lo, 19), _mm_srli_epi32(hi, 19));
    }

    /* A-law, 7-bit magnitude code (segment << 4 | mantissa) of 8 samples, before the sign and
       the line inversion. m = (x or ~x) >> 4 in 0..2047: code m for m < 32 (segments 0 and 1
       are linear), else float bits >> 19 minus (127 + 3) << 4. The float form is below m for
       m < 16 and equals it for 16..31, and m > 31 gives codes >= 32: hence max(float, min(m, 31)). */
    __attribute__((target("sse2")))
    static inline __m128i bl_alaw_mag8_sse2(__m128i x) {
        __m128i m = _mm_srli_epi16(_mm_xor_si128(x, _mm_srai_epi16(x, 15)), 4);
        __m128i f = _mm_sub_epi16(bl_float_hi12(m), _mm_set1_epi16(130 << 4));
        return _mm_max_epi16(f, _mm_min_epi16(m, _mm_set1_epi16(31)));
    }

    /* mu-law: G.191 quantises a = ((x or ~x) >> 2) + 33 capped at 0x1FFF (33..8191, bit
       length 6..13); for a's float, bits >> 19 minus (127 + 5) << 4 = (segment - 1) << 4 |
       the four bits after the leading one, and the code before the sign is 0x7F minus that.
       4a + (low bits) = (x or ~x) + 132 has the same leading five bits as a, one exponent
       step of 2 higher, and the cap is the int16 saturation of that sum: no shift, no min. */
    __attribute__((target("sse2")))
    static inline __m128i bl_ulaw_mag8_sse2(__m128i x) {
        __m128i a4 = _mm_adds_epi16(_mm_xor_si128(x, _mm_srai_epi16(x, 15)), _mm_set1_epi16(132));
        return _mm_sub_epi16(_mm_set1_epi16((134 << 4) + 0x7F), bl_float_hi12(a4));
    }

    /* Bytes 0x80 where the sample (of a, then b) is >= 0; packs keeps the sign of int16. */
    __attribute__((target("sse2")))
    static inline __m128i bl_pos_bits16(__m128i a, __m128i b) {
        return _mm_andnot_si128(_mm_packs_epi16(a, b), _mm_set1_epi8((char)0x80));
    }

    __attribute__((target("sse2")))
    static void bl_alaw_encode_sse2(const int16_t *in, uint8_t *out, size_t n, size_t *done) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(in + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(in + i + 8));
            __m128i c = _mm_packus_epi16(bl_alaw_mag8_sse2(a), bl_alaw_mag8_sse2(b));
            c = _mm_or_si128(_mm_xor_si128(c, _mm_set1_epi8(0x55)), bl_pos_bits16(a, b));
            _mm_storeu_si128((__m128i *)(out + i), c);
        }
        *done = i;
    }

    __attribute__((target("sse2")))
    static void bl_ulaw_encode_sse2(const int16_t *in, uint8_t *out, size_t n, size_t *done) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(in + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(in + i + 8));
            __m128i c = _mm_packus_epi16(bl_ulaw_mag8_sse2(a), bl_ulaw_mag8_sse2(b));
            _mm_storeu_si128((__m128i *)(out + i), _mm_or_si128(c, bl_pos_bits16(a, b)));
        }
        *done = i;
    }

    /* Decoding builds the float directly: value = (1 + mant/16 + 1/32) * 2**e for the codes'
       exponent e, an integer, converted back exactly with truncation. */
    __attribute__((target("sse2")))
    static inline __m128i bl_float_from_hi12(__m128i v, int bias) {
        const __m128i z = _mm_setzero_si128();
        const __m128i b = _mm_set1_epi32(bias);
        __m128i lo = _mm_add_epi32(_mm_slli_epi32(_mm_unpacklo_epi16(v, z), 19), b);
        __m128i hi = _mm_add_epi32(_mm_slli_epi32(_mm_unpackhi_epi16(v, z), 19), b);
        return _mm_packs_epi32(_mm_cvttps_epi32(_mm_castsi128_ps(lo)),
                               _mm_cvttps_epi32(_mm_castsi128_ps(hi)));
    }

    /* Negate the lanes whose code (0..255 in int16 lanes) is below 0x80. */
    __attribute__((target("sse2")))
    static inline __m128i bl_apply_sign(__m128i mag, __m128i c) {
        __m128i neg = _mm_cmpgt_epi16(_mm_set1_epi16(0x80), c);
        return _mm_sub_epi16(_mm_xor_si128(mag, neg), neg);
    }

    /* A-law: ix = segment << 4 | mantissa; segment s >= 1 gives (mant*16 + 264) << (s - 1),
       the float (1 + mant/16 + 1/32) * 2**(s + 7); segment 0 is segment 1 less 256. */
    __attribute__((target("sse2")))
    static inline __m128i bl_alaw_dec8_sse2(__m128i c) {
        __m128i ix = _mm_and_si128(_mm_xor_si128(c, _mm_set1_epi16(0x55)), _mm_set1_epi16(0x7F));
        __m128i seg0 = _mm_cmpgt_epi16(_mm_set1_epi16(16), ix);
        __m128i mag = bl_float_from_hi12(_mm_or_si128(ix, _mm_and_si128(seg0, _mm_set1_epi16(16))),
                                         (134 << 23) | (1 << 18));
        mag = _mm_add_epi16(mag, _mm_and_si128(seg0, _mm_set1_epi16(-256)));
        return bl_apply_sign(mag, c);
    }

    /* mu-law: inv = 0x7F ^ low 7 bits = e << 4 | mant; ((mant << 3) + 132) << e minus 132 */
    __attribute__((target("sse2")))
    static inline __m128i bl_ulaw_dec8_sse2(__m128i c) {
        __m128i inv = _mm_andnot_si128(c, _mm_set1_epi16(0x7F));
        __m128i mag = _mm_sub_epi16(bl_float_from_hi12(inv, (134 << 23) | (1 << 18)),
                                    _mm_set1_epi16(132));
        return bl_apply_sign(mag, c);
    }

    /* One decode loop for both laws: 16 codes a step, widened to int16 lanes for DEC8. */
    #define BL_DECODE_SSE2(NAME, DEC8)                                                       \
    __attribute__((target("sse2")))                                                          \
    static void NAME(const uint8_t *in, int16_t *out, size_t n, size_t *done) {              \
        const __m128i z = _mm_setzero_si128();                                               \
        size_t i = 0;                                                                        \
        for (; i + 16 <= n; i += 16) {                                                       \
            __m128i v = _mm_loadu_si128((const __m128i *)(in + i));                          \
            _mm_storeu_si128((__m128i *)(out + i), DEC8(_mm_unpacklo_epi8(v, z)));           \
            _mm_storeu_si128((__m128i *)(out + i + 8), DEC8(_mm_unpackhi_epi8(v, z)));       \
        }                                                                                    \
        *done = i;                                                                           \
    }
    BL_DECODE_SSE2(bl_alaw_decode_sse2, bl_alaw_dec8_sse2)
    BL_DECODE_SSE2(bl_ulaw_decode_sse2, bl_ulaw_dec8_sse2)

    /* SSSE3 transcoding (out = half[c & 0x7F] | (c & 0x80), half[] < 128): eight pshufb
       look-ups in tables d[h] = half block h XOR half block h - 1, at index (c & 0x7F) - 16h;
       a negative index gives 0, so the XOR of the look-ups telescopes to half block c >> 4. */
    __attribute__((target("ssse3")))
    static void bl_lut128_sign_ssse3(const uint8_t *half, const uint8_t *in, uint8_t *out, size_t n,
                                     size_t *done) {
        __m128i d[8];
        __m128i prev = _mm_setzero_si128();
        int h;
        for (h = 0; h < 8; h++) {
            __m128i t = _mm_loadu_si128((const __m128i *)(half + 16 * h));
            d[h] = _mm_xor_si128(t, prev);
            prev = t;
        }
        const __m128i low7 = _mm_set1_epi8(0x7F);
        const __m128i step = _mm_set1_epi8(16);
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(in + i));
            __m128i idx = _mm_and_si128(x, low7);
            __m128i r = _mm_andnot_si128(low7, x);
            for (h = 0; h < 8; h++) {
                r = _mm_xor_si128(r, _mm_shuffle_epi8(d[h], idx));
                idx = _mm_sub_epi8(idx, step);
            }
            _mm_storeu_si128((__m128i *)(out + i), r);
        }
        *done = i;
    }

    /* AVX2. Lanes are int16. Arithmetic forms of the G.191 algorithms; the per-lane shifts are
       multiplications by powers of two looked up with pshufb from the segment number. */

    /* Segment (0..7) of a 7-bit value v (bits 0..6, upper bits zero): its bit length. */
    __attribute__((target("avx2")))
    static inline __m256i bl_bitlen7(__m256i v) {
        const __m256i lo_len = _mm256_setr_epi8(0,1,2,2,3,3,3,3,4,4,4,4,4,4,4,4,
                                                0,1,2,2,3,3,3,3,4,4,4,4,4,4,4,4);
        const __m256i hi_len = _mm256_setr_epi8(0,5,6,6,7,7,7,7,0,0,0,0,0,0,0,0,
                                                0,5,6,6,7,7,7,7,0,0,0,0,0,0,0,0);
        __m256i lo = _mm256_shuffle_epi8(lo_len, _mm256_and_si256(v, _mm256_set1_epi16(15)));
        __m256i hi = _mm256_shuffle_epi8(hi_len, _mm256_srli_epi16(v, 4));
        return _mm256_max_epi16(lo, hi);
    }

    /* Per int16 lane: byte idx (0..15) of a 16-byte table (repeated in both 128-bit halves). */
    __attribute__((target("avx2")))
    static inline __m256i bl_lookup16(__m256i table, __m256i idx) {
        return _mm256_and_si256(_mm256_shuffle_epi8(table, idx), _mm256_set1_epi16(0xFF));
    }

    /* Pack two vectors of int16 codes (each in 0..255) into 32 bytes in order. */
    __attribute__((target("avx2")))
    static inline __m256i bl_pack_codes(__m256i a, __m256i b) {
        return _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8);
    }

    __attribute__((target("avx2")))
    static inline __m256i bl_alaw_enc16(__m256i x) {
        __m256i neg = _mm256_srai_epi16(x, 15);                 /* -1 for x < 0 */
        __m256i m = _mm256_srli_epi16(_mm256_xor_si256(x, neg), 4);  /* ~x for negatives; 0..2047 */
        __m256i seg = bl_bitlen7(_mm256_srli_epi16(m, 4));      /* 0 for m < 16, else 1..7 */
        /* mantissa: (m >> max(seg - 1, 0)) & 15, as a multiply-high by 2**(16 - shift) */
        const __m256i mul_tab = _mm256_setr_epi8(0,0,(char)0x80,0x40,0x20,0x10,0x08,0x04,0,0,0,0,0,0,0,0,
                                                 0,0,(char)0x80,0x40,0x20,0x10,0x08,0x04,0,0,0,0,0,0,0,0);
        __m256i mul = _mm256_slli_epi16(bl_lookup16(mul_tab, seg), 8);   /* 2**(16-shift) for seg>=2 */
        __m256i shifted = _mm256_mulhi_epu16(m, mul);
        __m256i small = _mm256_cmpgt_epi16(_mm256_set1_epi16(2), seg);   /* seg 0 or 1: no shift */
        shifted = _mm256_blendv_epi8(shifted, m, small);
        __m256i code = _mm256_or_si256(_mm256_and_si256(shifted, _mm256_set1_epi16(15)),
                                       _mm256_slli_epi16(seg, 4));
        code = _mm256_or_si256(code, _mm256_andnot_si256(neg, _mm256_set1_epi16(0x80)));
        return _mm256_xor_si256(code, _mm256_set1_epi16(0x55));
    }

    __attribute__((target("avx2")))
    static inline __m256i bl_ulaw_enc16(__m256i x) {
        __m256i neg = _mm256_srai_epi16(x, 15);
        __m256i a = _mm256_add_epi16(_mm256_srli_epi16(_mm256_xor_si256(x, neg), 2),
                                     _mm256_set1_epi16(33));       /* 33 .. 8224 */
        a = _mm256_min_epi16(a, _mm256_set1_epi16(0x1FFF));
        __m256i seg = bl_bitlen7(_mm256_srli_epi16(a, 6));          /* segment - 1: 0..7 */
        /* low nibble: (a >> (seg + 1)) & 15 == mulhi(a, 2**(15 - seg)) & 15 */
        const __m256i mul_tab = _mm256_setr_epi8((char)0x80,0x40,0x20,0x10,0x08,0x04,0x02,0x01,0,0,0,0,0,0,0,0,
                                                 (char)0x80,0x40,0x20,0x10,0x08,0x04,0x02,0x01,0,0,0,0,0,0,0,0);
        __m256i mul = _mm256_slli_epi16(bl_lookup16(mul_tab, seg), 8);
        __m256i low = _mm256_and_si256(_mm256_mulhi_epu16(a, mul), _mm256_set1_epi16(15));
        __m256i code = _mm256_or_si256(_mm256_slli_epi16(seg, 4), low);
        /* complement: positive -> 0xFF ^ (seg<<4 | low); negative -> 0x7F ^ (...) */
        __m256i mask = _mm256_or_si256(_mm256_set1_epi16(0x7F), _mm256_andnot_si256(neg, _mm256_set1_epi16(0x80)));
        return _mm256_xor_si256(code, mask);
    }

    /* One encode loop for both laws: 32 samples a step through ENC16. */
    #define BL_ENCODE_AVX2(NAME, ENC16)                                                      \
    __attribute__((target("avx2")))                                                          \
    static void NAME(const int16_t *in, uint8_t *out, size_t n, size_t *done) {              \
        size_t i = 0;                                                                        \
        for (; i + 32 <= n; i += 32) {                                                       \
            __m256i a = _mm256_loadu_si256((const __m256i *)(in + i));                       \
            __m256i b = _mm256_loadu_si256((const __m256i *)(in + i + 16));                  \
            _mm256_storeu_si256((__m256i *)(out + i), bl_pack_codes(ENC16(a), ENC16(b)));    \
        }                                                                                    \
        *done = i;                                                                           \
    }
    BL_ENCODE_AVX2(bl_alaw_encode_avx2, bl_alaw_enc16)
    BL_ENCODE_AVX2(bl_ulaw_encode_avx2, bl_ulaw_enc16)

    /* A-law expand of 16 codes held as int16 lanes 0..255. */
    __attribute__((target("avx2")))
    static inline __m256i bl_alaw_dec16(__m256i c) {
        __m256i ix = _mm256_xor_si256(c, _mm256_set1_epi16(0x55));
        __m256i seg = _mm256_and_si256(_mm256_srli_epi16(ix, 4), _mm256_set1_epi16(7));
        __m256i mant = _mm256_and_si256(ix, _mm256_set1_epi16(15));
        /* seg 0: mant*16 + 8; seg >= 1: (mant*16 + 264) << (seg - 1) */
        const __m256i add_tab = _mm256_setr_epi8(8,8,8,8,8,8,8,8,0,0,0,0,0,0,0,0,
                                                 8,8,8,8,8,8,8,8,0,0,0,0,0,0,0,0);
        const __m256i add_hi = _mm256_setr_epi8(0,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,
                                                0,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0);
        const __m256i mul_tab = _mm256_setr_epi8(1,1,2,4,8,16,32,64,0,0,0,0,0,0,0,0,
                                                 1,1,2,4,8,16,32,64,0,0,0,0,0,0,0,0);
        __m256i base = _mm256_add_epi16(_mm256_slli_epi16(mant, 4),
                                        _mm256_or_si256(bl_lookup16(add_tab, seg),
                                                        _mm256_slli_epi16(bl_lookup16(add_hi, seg), 8)));
        __m256i mag = _mm256_mullo_epi16(base, bl_lookup16(mul_tab, seg));
        __m256i pos = _mm256_cmpgt_epi16(c, _mm256_set1_epi16(127));
        return _mm256_blendv_epi8(_mm256_sub_epi16(_mm256_setzero_si256(), mag), mag, pos);
    }

    /* mu-law expand of 16 codes held as int16 lanes 0..255. */
    __attribute__((target("avx2")))
    static inline __m256i bl_ulaw_dec16(__m256i c) {
        __m256i inv = _mm256_xor_si256(c, _mm256_set1_epi16(0xFF));
        __m256i e = _mm256_and_si256(_mm256_srli_epi16(inv, 4), _mm256_set1_epi16(7));
        __m256i mant = _mm256_and_si256(inv, _mm256_set1_epi16(15));
        /* ((mant << 3) + 132) << e  - 132 */
        const __m256i mul_tab = _mm256_setr_epi8(1,2,4,8,16,32,64,(char)128,0,0,0,0,0,0,0,0,
                                                 1,2,4,8,16,32,64,(char)128,0,0,0,0,0,0,0,0);
        __m256i base = _mm256_add_epi16(_mm256_slli_epi16(mant, 3), _mm256_set1_epi16(132));
        __m256i mag = _mm256_sub_epi16(_mm256_mullo_epi16(base, bl_lookup16(mul_tab, e)),
                                       _mm256_set1_epi16(132));
        __m256i pos = _mm256_cmpgt_epi16(c, _mm256_set1_epi16(127));
        return _mm256_blendv_epi8(_mm256_sub_epi16(_mm256_setzero_si256(), mag), mag, pos);
    }

    /* One decode loop for both laws: 16 codes a step, widened to int16 lanes for DEC16. */
    #define BL_DECODE_AVX2(NAME, DEC16)                                                      \
    __attribute__((target("avx2")))                                                          \
    static void NAME(const uint8_t *in, int16_t *out, size_t n, size_t *done) {              \
        size_t i = 0;                                                                        \
        for (; i + 16 <= n; i += 16) {                                                       \
            __m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(in + i)));    \
            _mm256_storeu_si256((__m256i *)(out + i), DEC16(c));                             \
        }                                                                                    \
        *done = i;                                                                           \
    }
    BL_DECODE_AVX2(bl_alaw_decode_avx2, bl_alaw_dec16)
    BL_DECODE_AVX2(bl_ulaw_decode_avx2, bl_ulaw_dec16)

    /* 256-entry byte table whose entries keep bit 7 of the index: out = half[c & 0x7F] | (c & 0x80),
       with half[] < 128 (true of both G.711 transcoding tables). Eight 16-entry pshufb lookups,
       each kept where the index's high nibble selects it. */
    __attribute__((target("avx2")))
    static void bl_lut128_sign_avx2(const uint8_t *half, const uint8_t *in, uint8_t *out, size_t n,
                                    size_t *done) {
        __m256i t[8];
        int h;
        for (h = 0; h < 8; h++)
            t[h] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(half + 16 * h)));
        const __m256i nib = _mm256_set1_epi8(15);
        const __m256i sign = _mm256_set1_epi8((char)0x80);
        size_t i = 0;
        for (; i + 32 <= n; i += 32) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(in + i));
            __m256i lo = _mm256_and_si256(x, nib);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), _mm256_set1_epi8(7));
            __m256i r = _mm256_and_si256(x, sign);
            for (h = 0; h < 8; h++) {
                __m256i sel = _mm256_cmpeq_epi8(hi, _mm256_set1_epi8((char)h));
                r = _mm256_or_si256(r, _mm256_and_si256(_mm256_shuffle_epi8(t[h], lo), sel));
            }
            _mm256_storeu_si256((__m256i *)(out + i), r);
        }
        *done = i;
    }
    #else
    /* Not x86 (or not GCC-compatible): only the portable kernels are selectable. */
    #define BL_G711_NO_SIMD(NAME, IN, OUT)                                  \
        static void NAME(const IN *in, OUT *out, size_t n, size_t *done) { \
            (void)in; (void)out; (void)n; *done = 0;                        \
        }
    BL_G711_NO_SIMD(bl_alaw_encode_avx2, int16_t, uint8_t)
    BL_G711_NO_SIMD(bl_ulaw_encode_avx2, int16_t, uint8_t)
    BL_G711_NO_SIMD(bl_alaw_decode_avx2, uint8_t, int16_t)
    BL_G711_NO_SIMD(bl_ulaw_decode_avx2, uint8_t, int16_t)
    BL_G711_NO_SIMD(bl_alaw_encode_sse2, int16_t, uint8_t)
    BL_G711_NO_SIMD(bl_ulaw_encode_sse2, int16_t, uint8_t)
    BL_G711_NO_SIMD(bl_alaw_decode_sse2, uint8_t, int16_t)
    BL_G711_NO_SIMD(bl_ulaw_decode_sse2, uint8_t, int16_t)
    static void bl_lut128_sign_avx2(const uint8_t *half, const uint8_t *in, uint8_t *out, size_t n,
                                    size_t *done) { (void)half; (void)in; (void)out; (void)n; *done = 0; }
    static void bl_lut128_sign_ssse3(const uint8_t *half, const uint8_t *in, uint8_t *out, size_t n,
                                     size_t *done) { (void)half; (void)in; (void)out; (void)n; *done = 0; }
    #endif
    """
    enum:
        BL_G711_TABLE
        BL_G711_SSE2
        BL_G711_SSSE3
        BL_G711_AVX2
    int bl_g711_kernel_ok(int k) nogil
    int bl_g711_select(int k) nogil
    void bl_encode_table(const int16_t *inp, uint8_t *out, size_t n,
                         const uint8_t *table) noexcept nogil
    void bl_decode_table(const uint8_t *inp, int16_t *out, size_t n,
                         const int16_t *table) noexcept nogil
    void bl_transcode_table(const uint8_t *inp, uint8_t *out, size_t n,
                            const uint8_t *table) noexcept nogil
    void bl_alaw_encode_sse2(const int16_t *inp, uint8_t *out, size_t n, size_t *done) noexcept nogil
    void bl_ulaw_encode_sse2(const int16_t *inp, uint8_t *out, size_t n, size_t *done) noexcept nogil
    void bl_alaw_decode_sse2(const uint8_t *inp, int16_t *out, size_t n, size_t *done) noexcept nogil
    void bl_ulaw_decode_sse2(const uint8_t *inp, int16_t *out, size_t n, size_t *done) noexcept nogil
    void bl_lut128_sign_ssse3(const uint8_t *half, const uint8_t *inp, uint8_t *out, size_t n,
                              size_t *done) noexcept nogil
    void bl_alaw_encode_avx2(const int16_t *inp, uint8_t *out, size_t n, size_t *done) noexcept nogil
    void bl_ulaw_encode_avx2(const int16_t *inp, uint8_t *out, size_t n, size_t *done) noexcept nogil
    void bl_alaw_decode_avx2(const uint8_t *inp, int16_t *out, size_t n, size_t *done) noexcept nogil
    void bl_ulaw_decode_avx2(const uint8_t *inp, int16_t *out, size_t n, size_t *done) noexcept nogil
    void bl_lut128_sign_avx2(const uint8_t *half, const uint8_t *inp, uint8_t *out, size_t n,
                             size_t *done) noexcept nogil


# ---------------------------------------------------------------------------------------
# Tables, computed at import from the G.191 algorithms (never lazily in nogil code).

cdef int16_t _alaw_dec[256]
cdef int16_t _ulaw_dec[256]
cdef uint8_t _alaw_enc[65536]    # index: the sample's 16 bits, (uint16_t)x
cdef uint8_t _ulaw_enc[65536]
cdef uint8_t _alaw_to_ulaw[256]
cdef uint8_t _ulaw_to_alaw[256]
cdef uint8_t _alaw_to_ulaw_half[128]   # _alaw_to_ulaw[c] == _alaw_to_ulaw_half[c & 0x7F] | (c & 0x80)
cdef uint8_t _ulaw_to_alaw_half[128]
cdef bint _halves_ok = False
cdef int _kernel = BL_G711_TABLE
_KERNEL_NAMES = ("table", "sse2", "ssse3", "avx2")


cdef int _g191_alaw_compress(int x) noexcept nogil:
    cdef int ix = ((~x) if x < 0 else x) >> 4
    cdef int exponent
    if ix > 15:
        exponent = 1
        while ix > 31:
            ix >>= 1
            exponent += 1
        ix = (ix - 16) + (exponent << 4)
    if x >= 0:
        ix |= 0x80
    return ix ^ 0x55


cdef int _g191_alaw_expand(int code) noexcept nogil:
    cdef int ix = (code ^ 0x55) & 0x7F
    cdef int exponent = ix >> 4
    cdef int mant = ix & 0x0F
    if exponent > 0:
        mant += 16
    mant = (mant << 4) + 8
    if exponent > 1:
        mant <<= exponent - 1
    return mant if code > 127 else -mant


cdef int _g191_ulaw_compress(int x) noexcept nogil:
    cdef int absno = (((~x) if x < 0 else x) >> 2) + 33
    cdef int i, segment, code
    if absno > 0x1FFF:
        absno = 0x1FFF
    i = absno >> 6
    segment = 1
    while i != 0:
        segment += 1
        i >>= 1
    code = ((8 - segment) << 4) | (15 - ((absno >> segment) & 15))
    if x >= 0:
        code |= 0x80
    return code


cdef int _g191_ulaw_expand(int code) noexcept nogil:
    cdef int inv = (~code) & 0xFF
    cdef int exponent = (inv >> 4) & 7
    cdef int mant = inv & 15
    cdef int step = 4 << (exponent + 1)
    cdef int mag = (0x80 << exponent) + step * mant + step // 2 - 4 * 33
    return mag if code >= 0x80 else -mag


# G.711 Table 3 (mu-law to A-law) and Table 4 (A-law to mu-law), on magnitude numbers
# 0..127 (position of the code in order of increasing decoded magnitude; the sign is kept).
# Each entry is (first magnitude number, last, formula) and reads: for n in first..last.
cdef int _u2a_magnitude(int n) noexcept nogil:
    if n <= 15:
        return n >> 1
    if n <= 31:
        return n - 8
    if n <= 35:
        return 24 + 2 * (n - 32)
    if n <= 47:
        return n - 4
    if n <= 49:
        return 45 + 2 * (n - 48)
    if n <= 63:
        return n - 2
    if n == 64:
        return 63
    if n <= 80:
        return n - 1
    return n


cdef int _a2u_magnitude(int n) noexcept nogil:
    if n <= 7:
        return 2 * n + 1
    if n <= 23:
        return n + 8
    if n <= 31:
        return 32 + ((n - 24) >> 1)
    if n <= 43:
        return n + 4
    if n <= 47:
        return 48 + ((n - 44) >> 1)
    if n <= 61:
        return n + 2
    if n <= 63:
        return 64
    if n <= 79:
        return n + 1
    return n


cdef void _build_tables() noexcept:
    global _kernel, _halves_ok
    cdef int i, c, n, pos
    for c in range(256):
        _alaw_dec[c] = <int16_t>_g191_alaw_expand(c)
        _ulaw_dec[c] = <int16_t>_g191_ulaw_expand(c)
    for i in range(65536):
        # index i holds the sample whose 16 bits are i (sign-extended back to int)
        _alaw_enc[i] = <uint8_t>_g191_alaw_compress((i ^ 0x8000) - 0x8000)
        _ulaw_enc[i] = <uint8_t>_g191_ulaw_compress((i ^ 0x8000) - 0x8000)
    for c in range(256):
        # A-law: magnitude number = low 7 bits after removing the line inversion; sign = bit 7.
        n = (c ^ 0x55) & 0x7F
        pos = c & 0x80
        _alaw_to_ulaw[c] = <uint8_t>((~_a2u_magnitude(n) & 0x7F) | pos)
        # mu-law: magnitude number = complement of the low 7 bits; sign = bit 7.
        n = (~c) & 0x7F
        pos = c & 0x80
        _ulaw_to_alaw[c] = <uint8_t>((_u2a_magnitude(n) | pos) ^ 0x55)
    # The transcoding tables keep the sign bit and map the other seven: the SIMD transcoder
    # relies on it, so it is checked here rather than assumed.
    _halves_ok = True
    for c in range(256):
        _alaw_to_ulaw_half[c & 0x7F] = _alaw_to_ulaw[c & 0x7F]
        _ulaw_to_alaw_half[c & 0x7F] = _ulaw_to_alaw[c & 0x7F]
    for c in range(256):
        if (_alaw_to_ulaw[c] != (_alaw_to_ulaw_half[c & 0x7F] | (c & 0x80))
                or _ulaw_to_alaw[c] != (_ulaw_to_alaw_half[c & 0x7F] | (c & 0x80))
                or _alaw_to_ulaw_half[c & 0x7F] >= 0x80 or _ulaw_to_alaw_half[c & 0x7F] >= 0x80):
            _halves_ok = False
    _kernel = bl_g711_select(BL_G711_AVX2)


_build_tables()


# ---------------------------------------------------------------------------------------
# Kernels.

cdef enum:
    K_ALAW_ENC = 0
    K_ULAW_ENC = 1
    K_ALAW_DEC = 2
    K_ULAW_DEC = 3
    K_A2U = 4
    K_U2A = 5

cdef Py_ssize_t _NOGIL_MIN = 4096


cdef void _run(int kind, const void *inp, void *out, size_t n, int kernel) noexcept nogil:
    """Convert n samples with ``kernel`` (or the best one below it for its tail)."""
    cdef size_t done = 0, more = 0
    cdef const int16_t *pcm = <const int16_t *>inp
    cdef const uint8_t *codes = <const uint8_t *>inp
    if kind == K_ALAW_ENC:
        if kernel >= BL_G711_AVX2:
            bl_alaw_encode_avx2(pcm, <uint8_t *>out, n, &done)
        if kernel >= BL_G711_SSE2:
            bl_alaw_encode_sse2(pcm + done, <uint8_t *>out + done, n - done, &more)
        done += more
        bl_encode_table(pcm + done, <uint8_t *>out + done, n - done, _alaw_enc)
    elif kind == K_ULAW_ENC:
        if kernel >= BL_G711_AVX2:
            bl_ulaw_encode_avx2(pcm, <uint8_t *>out, n, &done)
        if kernel >= BL_G711_SSE2:
            bl_ulaw_encode_sse2(pcm + done, <uint8_t *>out + done, n - done, &more)
        done += more
        bl_encode_table(pcm + done, <uint8_t *>out + done, n - done, _ulaw_enc)
    elif kind == K_ALAW_DEC:
        if kernel >= BL_G711_AVX2:
            bl_alaw_decode_avx2(codes, <int16_t *>out, n, &done)
        if kernel >= BL_G711_SSE2:
            bl_alaw_decode_sse2(codes + done, <int16_t *>out + done, n - done, &more)
        done += more
        bl_decode_table(codes + done, <int16_t *>out + done, n - done, _alaw_dec)
    elif kind == K_ULAW_DEC:
        if kernel >= BL_G711_AVX2:
            bl_ulaw_decode_avx2(codes, <int16_t *>out, n, &done)
        if kernel >= BL_G711_SSE2:
            bl_ulaw_decode_sse2(codes + done, <int16_t *>out + done, n - done, &more)
        done += more
        bl_decode_table(codes + done, <int16_t *>out + done, n - done, _ulaw_dec)
    elif kind == K_A2U:
        if kernel >= BL_G711_AVX2 and _halves_ok:
            bl_lut128_sign_avx2(_alaw_to_ulaw_half, codes, <uint8_t *>out, n, &done)
        if kernel >= BL_G711_SSSE3 and _halves_ok:
            bl_lut128_sign_ssse3(_alaw_to_ulaw_half, codes + done, <uint8_t *>out + done,
                                 n - done, &more)
        done += more
        bl_transcode_table(codes + done, <uint8_t *>out + done, n - done, _alaw_to_ulaw)
    else:
        if kernel >= BL_G711_AVX2 and _halves_ok:
            bl_lut128_sign_avx2(_ulaw_to_alaw_half, codes, <uint8_t *>out, n, &done)
        if kernel >= BL_G711_SSSE3 and _halves_ok:
            bl_lut128_sign_ssse3(_ulaw_to_alaw_half, codes + done, <uint8_t *>out + done,
                                 n - done, &more)
        done += more
        bl_transcode_table(codes + done, <uint8_t *>out + done, n - done, _ulaw_to_alaw)


# ---------------------------------------------------------------------------------------
# Python-visible wrappers.

# C-level references (no module-dict lookups on the per-call path)
cdef object _INT16 = np.dtype(np.int16)
cdef object _UINT8 = np.dtype(np.uint8)
cdef object _ndarray = np.ndarray
cdef object _empty = np.empty


cdef object _as_input(object src, bint encoder):
    """``src`` as a C-contiguous ndarray of the kernel's input dtype (no cast of values)."""
    cdef object want = _INT16 if encoder else _UINT8
    if type(src) is _ndarray:
        dt = src.dtype
        if dt is want:
            if src.flags.c_contiguous:
                return src
            return np.ascontiguousarray(src)
        if dt == want or (encoder and dt.kind == "i" and dt.itemsize == 2) or (
                not encoder and dt.kind == "u" and dt.itemsize == 1):
            return np.ascontiguousarray(src, dtype=want)
        raise SignalFormatError(
            f"src: dtype {dt} is not accepted; expected "
            + ("int16 samples" if encoder else "uint8 codes")
            + " (numpy array, bytes, bytearray or memoryview)")
    if isinstance(src, (_ndarray, np.generic)):
        return _as_input(np.asarray(src), encoder)
    if isinstance(src, (bytes, bytearray, memoryview)):
        mv = memoryview(src)
        if mv.format.lstrip("@=") not in ("B", "b", "c"):
            # a typed buffer (e.g. format 'h'): take it as an array and check its dtype
            return _as_input(np.asarray(mv), encoder)
        data = mv if mv.c_contiguous else mv.tobytes()
        if encoder:
            if mv.nbytes % 2:
                raise SignalFormatError(
                    f"src: {mv.nbytes} bytes is an odd length; bytes given to an encoder"
                    " hold native int16 samples, so the length must be even")
            return np.frombuffer(data, dtype=np.int16)
        return np.frombuffer(data, dtype=np.uint8).reshape(mv.shape)
    raise SignalFormatError(
        f"src: {type(src).__name__} is not accepted; expected a numpy array of "
        + ("int16" if encoder else "uint8")
        + ", bytes, bytearray or memoryview")


cdef inline bint _is_decoder(int kind) noexcept:
    return kind == K_ALAW_DEC or kind == K_ULAW_DEC


cdef inline bint _is_encoder(int kind) noexcept:
    return kind == K_ALAW_ENC or kind == K_ULAW_ENC


cdef int _run_buffers(int kind, Py_buffer *bin, Py_buffer *bout) except -1:
    """Run kernel ``kind`` between two C-contiguous buffers holding the same sample count."""
    cdef size_t n = <size_t>(bin.len // bin.itemsize)
    cdef uintptr_t a0, a1, b0, b1
    cdef const void *src_copy
    cdef int kernel = _kernel
    if n == 0:
        return 0
    a0 = <uintptr_t>bin.buf
    a1 = a0 + <uintptr_t>bin.len
    b0 = <uintptr_t>bout.buf
    b1 = b0 + <uintptr_t>bout.len
    if a0 < b1 and b0 < a1 and not (kind >= K_A2U and a0 == b0):
        # Input and output overlap (other than a transcoder working in place): read a copy.
        copy = PyBytes_FromStringAndSize(<char *>bin.buf, bin.len)
        src_copy = <const void *><char *>copy
        with nogil:
            _run(kind, src_copy, bout.buf, n, kernel)
        return 0
    if n >= <size_t>_NOGIL_MIN:
        with nogil:
            _run(kind, bin.buf, bout.buf, n, kernel)
    else:
        _run(kind, bin.buf, bout.buf, n, kernel)
    return 0


cdef object _convert(int kind, object src):
    cdef Py_buffer bin, bout
    want_in = _INT16 if _is_encoder(kind) else _UINT8
    want_out = _INT16 if _is_decoder(kind) else _UINT8
    if not (type(src) is _ndarray and src.dtype is want_in):
        src = _as_input(src, _is_encoder(kind))
    try:
        PyObject_GetBuffer(src, &bin, PyBUF_C_CONTIGUOUS)
    except (BufferError, ValueError):
        src = np.ascontiguousarray(src)
        PyObject_GetBuffer(src, &bin, PyBUF_C_CONTIGUOUS)
    try:
        out = _empty(src.shape, want_out)
        PyObject_GetBuffer(out, &bout, PyBUF_C_CONTIGUOUS)
        try:
            _run_buffers(kind, &bin, &bout)
        finally:
            PyBuffer_Release(&bout)
    finally:
        PyBuffer_Release(&bin)
    return out


cdef _check_out(object out, object want):
    """Raise the SignalFormatError that says why ``out`` is not a usable output array."""
    if not isinstance(out, _ndarray):
        raise SignalFormatError(
            f"out: {type(out).__name__} is not accepted; expected a writable C-contiguous"
            f" numpy array of {want}")
    if out.dtype != want:
        raise SignalFormatError(f"out: dtype {out.dtype} is not accepted; expected {want}")
    if not out.flags.c_contiguous:
        raise SignalFormatError("out: must be C-contiguous")
    if not out.flags.writeable:
        raise SignalFormatError("out: must be writable")


cdef Py_ssize_t _convert_into(int kind, object src, object out) except -1:
    cdef Py_buffer bin, bout
    cdef Py_ssize_t n
    want_in = _INT16 if _is_encoder(kind) else _UINT8
    want_out = _INT16 if _is_decoder(kind) else _UINT8
    if not (type(out) is _ndarray and out.dtype is want_out):
        _check_out(out, want_out)
    try:
        PyObject_GetBuffer(out, &bout, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE)
    except (BufferError, ValueError) as exc:
        _check_out(out, want_out)
        raise SignalFormatError(f"out: not usable as an output buffer ({exc})") from exc
    try:
        if not (type(src) is _ndarray and src.dtype is want_in):
            src = _as_input(src, _is_encoder(kind))
        try:
            PyObject_GetBuffer(src, &bin, PyBUF_C_CONTIGUOUS)
        except (BufferError, ValueError):
            src = np.ascontiguousarray(src)
            PyObject_GetBuffer(src, &bin, PyBUF_C_CONTIGUOUS)
        try:
            n = bin.len // bin.itemsize
            if bout.len // bout.itemsize != n:
                raise SignalFormatError(
                    f"out: holds {bout.len // bout.itemsize} elements; expected exactly {n}"
                    " (the size of src)")
            _run_buffers(kind, &bin, &bout)
        finally:
            PyBuffer_Release(&bin)
    finally:
        PyBuffer_Release(&bout)
    return n


def alaw_encode(src):
    """Encode int16 samples to A-law codes (G.191 ``alaw_compress``).

    Parameters
    ----------
    src : numpy.ndarray of int16 (any shape), or bytes, bytearray, memoryview
        Linear samples. Bytes-like input holds native-endian int16 (even length).

    Returns
    -------
    numpy.ndarray of uint8
        The A-law codes, same shape as ``src`` (1-D for bytes-like input).
    """
    return _convert(K_ALAW_ENC, src)


def ulaw_encode(src):
    """Encode int16 samples to mu-law codes (G.191 ``ulaw_compress``).

    Same arguments and result as :func:`alaw_encode`.
    """
    return _convert(K_ULAW_ENC, src)


def alaw_decode(src):
    """Decode A-law codes to int16 samples (G.191 ``alaw_expand``).

    Parameters
    ----------
    src : numpy.ndarray of uint8 (any shape), or bytes, bytearray, memoryview
        A-law codes as sent on the line.

    Returns
    -------
    numpy.ndarray of int16
        Samples, same shape as ``src``.
    """
    return _convert(K_ALAW_DEC, src)


def ulaw_decode(src):
    """Decode mu-law codes to int16 samples (G.191 ``ulaw_expand``).

    Same arguments and result as :func:`alaw_decode`.
    """
    return _convert(K_ULAW_DEC, src)


def alaw_to_ulaw(src):
    """Convert A-law codes to mu-law codes with the table of ITU-T G.711 (Table 4).

    Parameters
    ----------
    src : numpy.ndarray of uint8 (any shape), or bytes, bytearray, memoryview

    Returns
    -------
    numpy.ndarray of uint8
        mu-law codes, same shape as ``src``.
    """
    return _convert(K_A2U, src)


def ulaw_to_alaw(src):
    """Convert mu-law codes to A-law codes with the table of ITU-T G.711 (Table 3).

    Same arguments and result as :func:`alaw_to_ulaw`.
    """
    return _convert(K_U2A, src)


def alaw_encode_into(src, out):
    """Encode ``src`` (as :func:`alaw_encode`) into ``out`` and return the sample count.

    ``out`` must be a C-contiguous, writable uint8 array with as many elements as ``src``
    (its shape may differ); anything else raises :class:`SignalFormatError`.
    """
    return _convert_into(K_ALAW_ENC, src, out)


def ulaw_encode_into(src, out):
    """Encode ``src`` (as :func:`ulaw_encode`) into ``out`` (uint8) and return the count."""
    return _convert_into(K_ULAW_ENC, src, out)


def alaw_decode_into(src, out):
    """Decode ``src`` (as :func:`alaw_decode`) into ``out`` and return the sample count.

    ``out`` must be a C-contiguous, writable int16 array with as many elements as ``src``.
    """
    return _convert_into(K_ALAW_DEC, src, out)


def ulaw_decode_into(src, out):
    """Decode ``src`` (as :func:`ulaw_decode`) into ``out`` (int16) and return the count."""
    return _convert_into(K_ULAW_DEC, src, out)


def alaw_to_ulaw_into(src, out):
    """Transcode ``src`` (as :func:`alaw_to_ulaw`) into ``out`` (uint8); returns the count.

    ``out`` may be ``src`` itself (in-place conversion).
    """
    return _convert_into(K_A2U, src, out)


def ulaw_to_alaw_into(src, out):
    """Transcode ``src`` (as :func:`ulaw_to_alaw`) into ``out`` (uint8); returns the count.

    ``out`` may be ``src`` itself (in-place conversion).
    """
    return _convert_into(K_U2A, src, out)


def _test_kernel():
    """Test hook: the name of the kernel in use ("avx2", "ssse3", "sse2" or "table")."""
    return _KERNEL_NAMES[_kernel]


def _test_select_kernel(name):
    """Test hook: use the best kernel this build and CPU can run, at most ``name`` (one of
    "table", "sse2", "ssse3", "avx2"); returns the name of the kernel chosen."""
    global _kernel
    if name not in _KERNEL_NAMES:
        raise ValueError(f"unknown G.711 kernel {name!r}; expected one of {_KERNEL_NAMES}")
    _kernel = bl_g711_select(_KERNEL_NAMES.index(name))
    return _KERNEL_NAMES[_kernel]


def _test_tables():
    """Test hook: the import-time tables, as a dict of numpy arrays."""
    return {
        "alaw_decode": np.array([_alaw_dec[i] for i in range(256)], dtype=np.int16),
        "ulaw_decode": np.array([_ulaw_dec[i] for i in range(256)], dtype=np.int16),
        "alaw_encode": np.array(<uint8_t[:65536]>_alaw_enc, dtype=np.uint8),
        "ulaw_encode": np.array(<uint8_t[:65536]>_ulaw_enc, dtype=np.uint8),
        "alaw_to_ulaw": np.array([_alaw_to_ulaw[i] for i in range(256)], dtype=np.uint8),
        "ulaw_to_alaw": np.array([_ulaw_to_alaw[i] for i in range(256)], dtype=np.uint8),
    }


def _build_info():
    """Compiler, flags and Cython version this module was built with."""
    info = bl_build_info()
    info["g711_kernel"] = _KERNEL_NAMES[_kernel]
    # transcoders: pshufb look-ups (SSSE3 and up), else the table
    info["g711_transcode"] = (_KERNEL_NAMES[_kernel] if _kernel >= BL_G711_SSSE3 and _halves_ok
                              else "table")
    return info
