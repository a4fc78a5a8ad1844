"""Pure-Python transcription of the ITU-T G.191 (STL) G.711 reference algorithms.

This is the test oracle for ``boardlib.dsp`` G.711: one sample at a time, written to follow
the STL routines ``alaw_compress``, ``alaw_expand``, ``ulaw_compress`` and ``ulaw_expand``
step by step (loop to find the segment, one's complement of negative inputs), with no
tables and nothing shared with the compiled code.

Samples are Python ints in the int16 range; codes are ints 0..255 as sent on the line
(A-law with its even bits inverted, mu-law complemented).
"""

from __future__ import annotations


def alaw_compress(x: int) -> int:
    """A-law code of one int16 sample (uses the 13 most significant bits)."""
    # Negative inputs: one's complement (abs(x) - 1); then keep 12 magnitude bits.
    ix = (~x if x < 0 else x) >> 4
    if ix > 15:
        # Segments 1..7: shift down until only a leading one and 4 mantissa bits remain.
        exponent = 1
        while ix > 16 + 15:
            ix >>= 1
            exponent += 1
        ix -= 16  # drop the leading one
        ix += exponent << 4
    if x >= 0:
        ix |= 0x80  # sign bit set for positive samples
    return ix ^ 0x55  # invert the even bits


def alaw_expand(code: int) -> int:
    """int16 sample decoded from one A-law code (mid-point of the quantisation interval)."""
    ix = (code ^ 0x55) & 0x7F
    exponent = ix >> 4
    mantissa = ix & 0x0F
    if exponent > 0:
        mantissa += 16  # restore the leading one
    mantissa = (mantissa << 4) + 0x08
    if exponent > 1:
        mantissa <<= exponent - 1
    return mantissa if code > 127 else -mantissa


def ulaw_compress(x: int) -> int:
    """mu-law code of one int16 sample (uses the 14 most significant bits)."""
    # Negative inputs: one's complement before adding the bias of 33.
    absno = ((~x if x < 0 else x) >> 2) + 33
    if absno > 0x1FFF:
        absno = 0x1FFF
    i = absno >> 6
    segment = 1
    while i != 0:
        segment += 1
        i >>= 1
    high_nibble = 0x08 - segment
    low_nibble = 0x0F - ((absno >> segment) & 0x0F)
    code = (high_nibble << 4) | low_nibble
    if x >= 0:
        code |= 0x80
    return code


def ulaw_expand(code: int) -> int:
    """int16 sample decoded from one mu-law code."""
    sign = -1 if code < 0x80 else 1
    inverted = ~code
    exponent = (inverted >> 4) & 0x07
    mantissa = inverted & 0x0F
    step = 4 << (exponent + 1)
    return sign * ((0x80 << exponent) + step * mantissa + step // 2 - 4 * 33)


def alaw_encode_list(samples) -> list[int]:
    return [alaw_compress(int(x)) for x in samples]


def ulaw_encode_list(samples) -> list[int]:
    return [ulaw_compress(int(x)) for x in samples]


def alaw_decode_list(codes) -> list[int]:
    return [alaw_expand(int(c)) for c in codes]


def ulaw_decode_list(codes) -> list[int]:
    return [ulaw_expand(int(c)) for c in codes]
