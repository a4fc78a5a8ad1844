"""FSK modems for on-line data: Bell 202 and ITU-T V.23 at 1200 bit/s (caller ID), with async framing.

What it does
------------
:class:`FskDemodulator` turns int16 audio into the characters of an asynchronous 8N1 stream
(one start bit, eight data bits LSB first, one stop bit, any idle mark between characters);
:class:`CallerIdReceiver` adds the caller-ID message layer of Telcordia GR-30 / ETSI
EN 300 659 (mark signal, type byte, length byte, data, checksum) and returns the raw message
bytes; the ``*Bank`` forms run many channels in one call with the GIL released.
:func:`fsk_modulate` is the phase-continuous transmitter.

How it works
------------
The signal is mixed down to complex baseband around the centre of the two tones
((mark + space) / 2: 1700 Hz for both Bell 202 and V.23), low-pass filtered by a boxcar of
about one bit (exact integer arithmetic, no drift), and the sign of the phase step
``Im(w[n] conj(w[n-1]))`` says mark or space: mark lies below the centre for both standards,
so one receiver decodes both. A start bit is a mark-to-space edge confirmed by integrating
the discriminator over the middle half of the bit; each data bit is decided the same way on
a fractional (Q24) bit clock started at the edge. The in-band power after the filter gates
the receiver (carrier detect with 3 dB hysteresis).

Limits
------
Sample rate 8000 Hz. Bit rates up to 1200 bit/s. Messages need a mark signal of at least
``min_mark_bits`` (default 50; GR-30 sends 180, or 80 +/- 25 on call waiting) before the type
byte; a gap of more than ``max_gap_bits`` (default 40; the standards allow 16.7 ms = 20 bits)
or a loss of carrier ends a message early, and it is returned marked truncated.
"""

from dataclasses import dataclass

import numpy as np

from libc.math cimport sin, cos, M_PI, pow as cpow, lround, floor
from libc.stdlib cimport malloc, realloc, free, calloc
from libc.string cimport memset, memcpy
cimport cython
from bl_types cimport int16_t, int32_t, int64_t, uint8_t, uint32_t
from bl_build cimport bl_build_info
from bl_check cimport bl_channels, bl_number

from boardlib.errors import SignalFormatError

__all__ = [
    "FskSpec",
    "FSK_BELL202",
    "FSK_V23",
    "FSK_V23_BACKWARD",
    "FSK_V21_CH1",
    "FSK_V21_CH2",
    "FSK_BELL103_ORIGINATE",
    "FSK_BELL103_ANSWER",
    "FskByte",
    "FskDemodulator",
    "FskDemodulatorBank",
    "CallerIdReceiver",
    "CallerIdReceiverBank",
    "RawMessage",
    "fsk_modulate",
]

DEF SAMPLE_RATE = 8000
DEF TAB_BITS = 10
DEF TAB_SIZE = 1024
DEF RING_MAX = 64
DEF MSG_MAX = 260
DEF Q24 = 16777216


def _build_info():
    """Compiler, flags and Cython version of this module."""
    return bl_build_info()


@dataclass(frozen=True, slots=True)
class FskSpec:
    """A binary FSK channel: the two tones, the bit rate and the standard they come from.

    Parameters
    ----------
    name:
        The preset's name.
    mark_hz, space_hz:
        Frequencies of binary 1 (mark) and 0 (space), in Hz.
    baud:
        Bit rate in bit/s (at most 1200).
    clause:
        Where the figures come from.
    """

    name: str
    mark_hz: float
    space_hz: float
    baud: float = 1200.0
    clause: str = ""

    def __post_init__(self):
        for label, v in (("mark_hz", self.mark_hz), ("space_hz", self.space_hz)):
            if not (50.0 <= float(v) <= 3800.0):
                raise SignalFormatError(f"{label} must be within 50..3800 Hz, got {v!r}")
        if abs(float(self.mark_hz) - float(self.space_hz)) < 20.0:
            raise SignalFormatError(
                f"mark_hz and space_hz must differ by at least 20 Hz, got {self.mark_hz} and {self.space_hz}")
        if not (40.0 <= float(self.baud) <= 1200.0):
            raise SignalFormatError(f"baud must be within 40..1200 bit/s, got {self.baud!r}")


#: Telcordia GR-30 (CLASS) / Bell 202: mark 1200 +/- 12 Hz, space 2200 +/- 22 Hz, 1200 bit/s.
FSK_BELL202 = FskSpec("bell202", 1200.0, 2200.0, 1200.0, "Telcordia GR-30-CORE; Bell 202")
#: ITU-T V.23 forward channel mode 2 (ETSI EN 300 659-2 CLIP): mark 1300 Hz, space 2100 Hz.
FSK_V23 = FskSpec("v23", 1300.0, 2100.0, 1200.0, "ITU-T V.23 mode 2; ETSI EN 300 659-2")
#: ITU-T V.23 backward channel: 390 Hz mark, 450 Hz space, 75 bit/s.
FSK_V23_BACKWARD = FskSpec("v23_backward", 390.0, 450.0, 75.0, "ITU-T V.23 backward channel")
#: ITU-T V.21 channel 1: mark 980 Hz, space 1180 Hz, 300 bit/s.
FSK_V21_CH1 = FskSpec("v21_ch1", 980.0, 1180.0, 300.0, "ITU-T V.21 channel 1")
#: ITU-T V.21 channel 2: mark 1650 Hz, space 1850 Hz, 300 bit/s.
FSK_V21_CH2 = FskSpec("v21_ch2", 1650.0, 1850.0, 300.0, "ITU-T V.21 channel 2")
#: Bell 103 originate: mark 1270 Hz, space 1070 Hz, 300 bit/s.
FSK_BELL103_ORIGINATE = FskSpec("bell103_originate", 1270.0, 1070.0, 300.0, "Bell 103")
#: Bell 103 answer: mark 2225 Hz, space 2025 Hz, 300 bit/s.
FSK_BELL103_ANSWER = FskSpec("bell103_answer", 2225.0, 2025.0, 300.0, "Bell 103")


@dataclass(frozen=True, slots=True)
class FskByte:
    """One character of an async 8N1 stream.

    ``sample`` is the index of the start bit's leading edge on the channel's timeline;
    ``framing_error`` is True when the stop bit was a space.
    """

    value: int
    sample: int
    framing_error: bool = False
    channel: int = 0


@dataclass(frozen=True, slots=True)
class RawMessage:
    """The bytes of one caller-ID message as received (type, length, data, checksum).

    ``truncated`` is True when the burst ended (carrier loss or a long gap) before the
    length byte's count was reached; ``seizure`` tells whether a channel seizure
    (alternating bits) preceded the mark signal; ``sample`` is where the burst began.
    """

    data: bytes
    sample: int
    truncated: bool
    framing_errors: int
    seizure: bool
    channel: int = 0


# ---------------------------------------------------------------------------------------
# C level: descriptor (compiled from an FskSpec once) and per-channel state

cdef int16_t COS_TAB[TAB_SIZE]
cdef int16_t SIN_TAB[TAB_SIZE]


cdef void _init_tables() noexcept:
    cdef int i
    for i in range(TAB_SIZE):
        COS_TAB[i] = <int16_t>lround(16383.0 * cos(2.0 * M_PI * i / TAB_SIZE))
        SIN_TAB[i] = <int16_t>lround(16383.0 * sin(2.0 * M_PI * i / TAB_SIZE))


_init_tables()


ctypedef struct fsk_descriptor_t:
    uint32_t phase_inc      # mixer step (DDS, 32-bit phase)
    int L                   # boxcar length in samples
    uint32_t bit_inc        # bit clock step, Q24 bits per sample
    uint32_t win_lo         # integration window inside a bit, Q24
    uint32_t win_hi
    int pll                 # bit clock correction at transitions: shift of the phase error (0 off)
    double sign             # +1 when mark lies below the centre
    double beta             # extra smoothing of the discriminator (1: none)
    double on_th            # carrier on/off thresholds on the smoothed |w|^2
    double off_th
    double alpha            # power smoothing
    int64_t min_mark        # samples of mark before a type byte
    int64_t max_gap         # samples of idle inside a message
    uint8_t types[256]      # accepted message type bytes


ctypedef struct fsk_rx_state_t:
    uint32_t phase
    int pos
    int32_t ring_re[RING_MAX]
    int32_t ring_im[RING_MAX]
    int64_t acc_re
    int64_t acc_im
    double prev_re
    double prev_im
    double prev_soft
    double smooth
    double power
    double psum
    int carrier
    int last_bit
    int receiving
    uint32_t bit_phase
    int bit_index
    double bit_acc
    int byte_val
    int64_t sample           # samples consumed so far
    int64_t start_sample     # leading edge of the byte being received
    int64_t idle_since       # where the line last went idle (mark)
    int64_t carrier_start
    int64_t mark_start       # idle_since as it was when the current byte started
    int armed                # byte being received followed a long mark


ctypedef struct cid_rx_state_t:
    fsk_rx_state_t fsk
    int msg_state            # 0 none, 1 have type, 2 collecting
    int nbuf
    int expected
    int framing_errors
    int seizure_bytes
    int burst_used
    int seizure
    int ready                # 1 complete, 2 truncated
    int64_t msg_start
    uint8_t buf[MSG_MAX]


ctypedef struct msg_record_t:
    int channel
    int kind
    int n
    int framing_errors
    int seizure
    int64_t sample
    uint8_t data[MSG_MAX]


cdef double _TUNE_L = 0.75
cdef double _TUNE_WIN = 0.3
cdef int _TUNE_PLL = 1


def _test_tune(L=None, win=None, pll=None):
    """Test hook: boxcar length factor, integration window margin, clock correction shift."""
    global _TUNE_L, _TUNE_WIN, _TUNE_PLL
    if L is not None:
        _TUNE_L = L
    if win is not None:
        _TUNE_WIN = win
    if pll is not None:
        _TUNE_PLL = pll


cdef double _boxcar_gain(int L, double df) noexcept:
    """|sum_{k<L} e^{j 2 pi df k / fs}| / L."""
    cdef double re = 0.0, im = 0.0
    cdef int k
    for k in range(L):
        re += cos(2.0 * M_PI * df * k / SAMPLE_RATE)
        im += sin(2.0 * M_PI * df * k / SAMPLE_RATE)
    return (re * re + im * im) ** 0.5 / L


cdef int _compile_spec(fsk_descriptor_t *d, object spec, double threshold_dbm0,
                       double min_mark_bits, double max_gap_bits) except -1:
    cdef double mark = float(spec.mark_hz), space = float(spec.space_hz), baud = float(spec.baud)
    cdef double centre = 0.5 * (mark + space)
    cdef double spb = SAMPLE_RATE / baud
    cdef int L = <int>lround(spb * _TUNE_L)
    if L > RING_MAX:
        L = RING_MAX
    if L < 2:
        L = 2
    memset(d, 0, sizeof(fsk_descriptor_t))
    d.phase_inc = <uint32_t>(<int64_t>lround(centre / SAMPLE_RATE * 4294967296.0) & 0xFFFFFFFF)
    d.L = L
    d.bit_inc = <uint32_t>lround(baud / SAMPLE_RATE * Q24)
    d.win_lo = <uint32_t>(Q24 * _TUNE_WIN)
    d.win_hi = <uint32_t>(Q24 * (1.0 - _TUNE_WIN))
    d.pll = _TUNE_PLL
    d.sign = 1.0 if mark < space else -1.0
    d.beta = 1.0 if spb <= 8.0 else 4.0 / spb
    # |w|^2 of a tone at the threshold: amplitude A gives |acc| = A/2 * 16383 * L * gain
    cdef double g = _boxcar_gain(L, 0.5 * (space - mark))
    cdef double amp = 32768.0 * cpow(10.0, (threshold_dbm0 - 3.14) / 20.0)
    cdef double w = 0.5 * amp * 16383.0 * L * g
    d.on_th = w * w
    d.off_th = w * w * 0.5  # 3 dB hysteresis
    d.alpha = 1.0 - (15.0 / 16.0) ** 4   # per 4 samples: 1/16 per sample
    d.min_mark = <int64_t>(min_mark_bits * spb)
    d.max_gap = <int64_t>(max_gap_bits * spb)
    for t in (0x04, 0x06, 0x80, 0x82, 0x86, 0x89):
        d.types[t] = 1
    return 0


cdef void fsk_rx_init(fsk_rx_state_t *s) noexcept nogil:
    memset(s, 0, sizeof(fsk_rx_state_t))
    s.last_bit = 1


cdef void cid_rx_init(cid_rx_state_t *s) noexcept nogil:
    memset(s, 0, sizeof(cid_rx_state_t))
    s.fsk.last_bit = 1


# Result codes of one sample step.
DEF EV_NONE = -1
DEF EV_CARRIER_OFF = -2
DEF EV_IDLE_GAP = -3      # only reported while idle
# A byte event is value | framing << 8 | armed << 9


ctypedef struct fe_t:
    # hot front-end state, copied into the kernel's locals so that it lives in registers
    uint32_t phase
    int pos
    int64_t acc_re
    int64_t acc_im
    double psum
    double power
    int64_t sample
    int carrier
    double prev_re
    double prev_im
    double prev_soft
    double smooth
    int receiving
    int last_bit
    uint32_t bit_phase
    int bit_index
    double bit_acc


cdef inline void fe_load(fe_t *fe, const fsk_rx_state_t *s) noexcept nogil:
    fe.phase = s.phase
    fe.pos = s.pos
    fe.acc_re = s.acc_re
    fe.acc_im = s.acc_im
    fe.psum = s.psum
    fe.power = s.power
    fe.sample = s.sample
    fe.carrier = s.carrier
    fe.prev_re = s.prev_re
    fe.prev_im = s.prev_im
    fe.prev_soft = s.prev_soft
    fe.smooth = s.smooth
    fe.receiving = s.receiving
    fe.last_bit = s.last_bit
    fe.bit_phase = s.bit_phase
    fe.bit_index = s.bit_index
    fe.bit_acc = s.bit_acc


cdef inline void fe_store(const fe_t *fe, fsk_rx_state_t *s) noexcept nogil:
    s.phase = fe.phase
    s.pos = fe.pos
    s.acc_re = fe.acc_re
    s.acc_im = fe.acc_im
    s.psum = fe.psum
    s.power = fe.power
    s.sample = fe.sample
    s.prev_re = fe.prev_re
    s.prev_im = fe.prev_im
    s.prev_soft = fe.prev_soft
    s.smooth = fe.smooth
    s.receiving = fe.receiving
    s.last_bit = fe.last_bit
    s.bit_phase = fe.bit_phase
    s.bit_index = fe.bit_index
    s.bit_acc = fe.bit_acc
    s.carrier = fe.carrier


@cython.cdivision(True)
cdef inline int fsk_rx_sample(fsk_rx_state_t *s, const fsk_descriptor_t *d, fe_t *fe, int x) noexcept nogil:
    """One sample: mixer, boxcar and power on the locals; the rest only with a carrier."""
    cdef uint32_t idx = fe.phase >> (32 - TAB_BITS)
    fe.phase += d.phase_inc
    cdef int32_t zr = x * COS_TAB[idx]
    cdef int32_t zi = -x * SIN_TAB[idx]
    cdef int p = fe.pos
    fe.acc_re += zr - s.ring_re[p]
    fe.acc_im += zi - s.ring_im[p]
    s.ring_re[p] = zr
    s.ring_im[p] = zi
    p += 1
    if p == d.L:
        p = 0
    fe.pos = p
    cdef double ar = <double>fe.acc_re
    cdef double ai = <double>fe.acc_im
    cdef int64_t now = fe.sample
    fe.sample = now + 1
    # carrier power: smoothed every 4th sample (on the absolute timeline, so chunking does
    # not matter)
    fe.psum += ar * ar + ai * ai
    cdef int upd = (now & 3) == 3
    if upd:
        fe.power += (fe.psum * 0.25 - fe.power) * d.alpha
        fe.psum = 0.0
    if not fe.carrier and not (upd and fe.power > d.on_th):
        fe.prev_re = ar
        fe.prev_im = ai
        return EV_NONE
    return fsk_rx_back(s, d, fe, ar, ai, upd, fe.power, now)


@cython.cdivision(True)
cdef inline int fsk_rx_back(fsk_rx_state_t *s, const fsk_descriptor_t *d, fe_t *fe, double ar, double ai, int upd,
                            double power, int64_t now) noexcept nogil:
    """Carrier detection, discriminator and async framing for one sample."""
    cdef uint32_t k, f
    cdef int ev = EV_NONE
    if not fe.carrier:
        fe.prev_re = ar
        fe.prev_im = ai
        if upd and power > d.on_th:
            fe.carrier = 1
            s.carrier_start = now
            s.idle_since = now
            fe.receiving = 0
            fe.last_bit = 1
            fe.prev_soft = 0.0
            fe.smooth = 0.0
        return EV_NONE
    cdef double soft = (ar * fe.prev_im - ai * fe.prev_re) * d.sign   # > 0: mark
    fe.prev_re = ar
    fe.prev_im = ai
    cdef double sm = soft + fe.prev_soft
    fe.prev_soft = soft
    if d.beta < 1.0:        # slow modes: smooth over a quarter bit as well
        fe.smooth += (sm - fe.smooth) * d.beta
        sm = fe.smooth
    cdef int bit = sm > 0.0
    if upd and power < d.off_th:
        fe.carrier = 0
        fe.receiving = 0
        fe.last_bit = 1
        return EV_CARRIER_OFF
    if not fe.receiving:
        if bit == 0 and fe.last_bit == 1 and ar * ar + ai * ai > d.off_th:
            fe.receiving = 1
            fe.bit_phase = d.bit_inc >> 1
            fe.bit_index = 0
            fe.bit_acc = 0.0
            s.byte_val = 0
            s.start_sample = now
        fe.last_bit = bit
        return EV_NONE
    cdef int32_t err
    if d.pll and bit != fe.last_bit:
        f = fe.bit_phase & (Q24 - 1)
        err = <int32_t>f if f < (Q24 >> 1) else <int32_t>f - Q24
        if -(Q24 >> 2) < err < (Q24 >> 2):
            fe.bit_phase = <uint32_t>(<int32_t>fe.bit_phase - (err >> d.pll))
    fe.last_bit = bit
    fe.bit_phase += d.bit_inc
    k = fe.bit_phase >> 24
    if <int>k < fe.bit_index:
        return EV_NONE
    if <int>k == fe.bit_index:
        f = fe.bit_phase & (Q24 - 1)
        if f < d.win_lo:
            return EV_NONE
        if f < d.win_hi:
            fe.bit_acc += sm
            return EV_NONE
    # decide bit bit_index (normally at the end of its window; at once if the clock skipped it)
    k = fe.bit_index
    if k == 0:
        if fe.bit_acc >= 0.0:          # not a start bit after all
            fe.receiving = 0
            return EV_NONE
        s.armed = (s.start_sample - s.idle_since) >= d.min_mark
        s.mark_start = s.idle_since
    elif k <= 8:
        if fe.bit_acc > 0.0:
            s.byte_val |= 1 << (k - 1)
    else:
        fe.receiving = 0
        s.idle_since = now
        ev = s.byte_val | ((fe.bit_acc <= 0.0) << 8) | (s.armed << 9)
        fe.last_bit = 1 if fe.bit_acc > 0.0 else 0
        return ev
    fe.bit_index = k + 1
    fe.bit_acc = 0.0
    return EV_NONE


@cython.boundscheck(False)
@cython.wraparound(False)
cdef int fsk_rx(fsk_rx_state_t *s, const fsk_descriptor_t *d, const int16_t *amp, int n,
                int32_t *values, int64_t *starts, int cap) noexcept nogil:
    """Demodulate n samples into at most cap characters; returns the count."""
    cdef int i, ev, count = 0
    cdef fe_t fe
    fe_load(&fe, s)
    for i in range(n):
        ev = fsk_rx_sample(s, d, &fe, amp[i])
        if ev >= 0:
            if count < cap:
                values[count] = ev & 0x1FF
                starts[count] = s.start_sample
                count += 1
    fe_store(&fe, s)
    return count


cdef inline void _cid_finish(cid_rx_state_t *s, int kind) noexcept nogil:
    s.ready = kind
    s.msg_state = 0
    s.seizure_bytes = 0
    s.burst_used = 1


cdef inline void cid_put_byte(cid_rx_state_t *s, const fsk_descriptor_t *d, int ev) noexcept nogil:
    cdef int value = ev & 0xFF
    cdef int framing = (ev >> 8) & 1
    cdef int armed = (ev >> 9) & 1
    if armed:
        if s.msg_state >= 2:   # cannot happen (the gap closes it first); be safe
            s.msg_state = 0
        if d.types[value] and not framing:
            s.buf[0] = <uint8_t>value
            s.nbuf = 1
            s.msg_state = 1
            s.framing_errors = 0
            s.seizure = s.seizure_bytes >= 3
            if s.burst_used:
                s.msg_start = s.fsk.mark_start
            else:
                s.msg_start = s.fsk.carrier_start
        else:
            s.msg_state = 0
        return
    if s.msg_state == 0:
        if value == 0x55 or value == 0xAA:
            s.seizure_bytes += 1
        return
    s.framing_errors += framing
    if s.msg_state == 1:
        s.buf[1] = <uint8_t>value
        s.nbuf = 2
        s.expected = value + 3
        s.msg_state = 2
        return
    s.buf[s.nbuf] = <uint8_t>value
    s.nbuf += 1
    if s.nbuf >= s.expected:
        _cid_finish(s, 1)


@cython.boundscheck(False)
@cython.wraparound(False)
cdef int cid_rx(cid_rx_state_t *s, const fsk_descriptor_t *d, const int16_t *amp, int n) noexcept nogil:
    """Run until a message is ready or the samples are used up; returns samples consumed."""
    cdef int i, ev
    cdef fe_t fe
    fe_load(&fe, &s.fsk)
    for i in range(n):
        ev = fsk_rx_sample(&s.fsk, d, &fe, amp[i])
        if ev == EV_NONE:
            if s.msg_state != 0 and fe.carrier and not fe.receiving and \
                    fe.sample - s.fsk.idle_since > d.max_gap:
                if s.msg_state >= 2:
                    _cid_finish(s, 2)
                    fe_store(&fe, &s.fsk)
                    return i + 1
                s.msg_state = 0
            continue
        if ev == EV_CARRIER_OFF:
            s.burst_used = 0
            s.seizure_bytes = 0
            if s.msg_state >= 2:
                _cid_finish(s, 2)
                s.burst_used = 0
                fe_store(&fe, &s.fsk)
                return i + 1
            s.msg_state = 0
            continue
        cid_put_byte(s, d, ev)
        if s.ready:
            fe_store(&fe, &s.fsk)
            return i + 1
    fe_store(&fe, &s.fsk)
    return n


# ---------------------------------------------------------------------------------------
# Python wrappers

cdef object _as_pcm(object frame, str name="frame"):
    try:
        arr = np.asarray(frame)
    except Exception as exc:
        raise SignalFormatError(f"{name} must be an int16 buffer, got {type(frame).__name__}") from exc
    if arr.dtype != np.int16:
        raise SignalFormatError(f"{name} must have dtype int16, got {arr.dtype}")
    if arr.ndim != 1:
        raise SignalFormatError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


cdef object _as_block(object block, int channels):
    try:
        arr = np.asarray(block)
    except Exception as exc:
        raise SignalFormatError(f"block must be an int16 array, got {type(block).__name__}") from exc
    if arr.dtype != np.int16:
        raise SignalFormatError(f"block must have dtype int16, got {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] != channels:
        raise SignalFormatError(
            f"block must have shape (channels={channels}, samples), got {arr.shape}")
    return np.ascontiguousarray(arr)


cdef object _check_spec(object spec):
    if isinstance(spec, str):
        try:
            return _PRESETS[spec.lower()]
        except KeyError:
            raise SignalFormatError(
                f"spec must be an FskSpec or one of {sorted(_PRESETS)}, got {spec!r}") from None
    if not isinstance(spec, FskSpec):
        raise SignalFormatError(f"spec must be an FskSpec or a preset name, got {spec!r}")
    return spec


_PRESETS = {s.name: s for s in (FSK_BELL202, FSK_V23, FSK_V23_BACKWARD, FSK_V21_CH1,
                                 FSK_V21_CH2, FSK_BELL103_ORIGINATE, FSK_BELL103_ANSWER)}


cdef class FskDemodulator:
    """Binary FSK receiver with async 8N1 framing: int16 frames in, :class:`FskByte` out.

    What it does: demodulates Bell 202, V.23 or any :class:`FskSpec` and frames characters
    (start bit, 8 data bits LSB first, stop bit; inter-character gaps allowed).
    How it works: see the module documentation (complex mixer, one-bit boxcar, phase-step
    discriminator, edge-started Q24 bit clock with mid-bit integration).
    Limits: 8000 Hz; signals below ``threshold_dbm0`` (default -43 dBm0) are ignored.

    Parameters
    ----------
    spec:
        An :class:`FskSpec` or a preset name (``"bell202"``, ``"v23"``, ...).
    threshold_dbm0:
        Carrier-detect level (on), with 3 dB hysteresis for off.
    """

    cdef fsk_descriptor_t d
    cdef fsk_rx_state_t s
    cdef readonly object spec

    def __init__(self, spec=FSK_BELL202, *, threshold_dbm0=-43.0):
        self.spec = _check_spec(spec)
        _compile_spec(&self.d, self.spec, bl_number(threshold_dbm0, "threshold_dbm0", -70.0, 0.0),
                      50.0, 40.0)
        fsk_rx_init(&self.s)

    def reset(self):
        """Clear the receiver state (the timeline restarts at sample 0)."""
        fsk_rx_init(&self.s)

    @property
    def carrier(self):
        """True while a carrier above the threshold is present."""
        return bool(self.s.carrier)

    @property
    def sample(self):
        """Samples processed so far."""
        return self.s.sample

    def process(self, frame):
        """Demodulate one int16 frame of any length; returns the characters completed in it."""
        pcm = _as_pcm(frame)
        cdef const int16_t[::1] a = pcm
        cdef int n = a.shape[0]
        if n == 0:
            return []
        cdef int cap = n // 40 + 2
        values = np.empty(cap, dtype=np.int32)
        starts = np.empty(cap, dtype=np.int64)
        cdef int32_t[::1] vv = values
        cdef int64_t[::1] ss = starts
        cdef int count
        with nogil:
            count = fsk_rx(&self.s, &self.d, &a[0], n, &vv[0], &ss[0], cap)
        return [FskByte(int(vv[i]) & 0xFF, int(ss[i]), bool(vv[i] >> 8)) for i in range(count)]

    def flush(self):
        """End of stream: a character in progress is dropped; returns []."""
        self.s.receiving = 0
        return []


cdef class FskDemodulatorBank:
    """Many :class:`FskDemodulator` channels in one nogil call over an ``int16[channels, n]`` block."""

    cdef fsk_descriptor_t d
    cdef fsk_rx_state_t *s
    cdef readonly int channels
    cdef readonly object spec

    def __cinit__(self, int channels=1, *args, **kwargs):
        bl_channels(channels)
        self.s = <fsk_rx_state_t *>calloc(channels, sizeof(fsk_rx_state_t))
        if self.s == NULL:
            raise MemoryError()
        self.channels = channels

    def __dealloc__(self):
        free(self.s)

    def __init__(self, int channels=1, spec=FSK_BELL202, *, threshold_dbm0=-43.0):
        self.spec = _check_spec(spec)
        _compile_spec(&self.d, self.spec, bl_number(threshold_dbm0, "threshold_dbm0", -70.0, 0.0),
                      50.0, 40.0)
        self.reset()

    def reset(self):
        """Clear every channel's state."""
        cdef int c
        for c in range(self.channels):
            fsk_rx_init(&self.s[c])

    def process(self, block):
        """Demodulate an ``int16[channels, n]`` block; returns :class:`FskByte` with ``channel`` set."""
        arr = _as_block(block, self.channels)
        cdef const int16_t[:, ::1] a = arr
        cdef int n = a.shape[1]
        if n == 0:
            return []
        cdef int cap = n // 40 + 2
        values = np.empty((self.channels, cap), dtype=np.int32)
        starts = np.empty((self.channels, cap), dtype=np.int64)
        counts = np.zeros(self.channels, dtype=np.int32)
        cdef int32_t[:, ::1] vv = values
        cdef int64_t[:, ::1] ss = starts
        cdef int32_t[::1] cc = counts
        cdef int c
        with nogil:
            for c in range(self.channels):
                cc[c] = fsk_rx(&self.s[c], &self.d, &a[c, 0], n, &vv[c, 0], &ss[c, 0], cap)
        out = []
        for c in range(self.channels):
            for i in range(cc[c]):
                out.append(FskByte(int(vv[c, i]) & 0xFF, int(ss[c, i]), bool(vv[c, i] >> 8), c))
        return out


cdef object _record(cid_rx_state_t *s, int channel):
    return RawMessage(bytes(s.buf[:s.nbuf]), int(s.msg_start), s.ready == 2,
                      int(s.framing_errors), bool(s.seizure), channel)


cdef class CallerIdReceiver:
    """FSK caller-ID message receiver: int16 frames in, :class:`RawMessage` out.

    What it does: finds the mark signal (with or without a channel seizure before it),
    takes the next character as the message type (0x04, 0x06, 0x80, 0x82, 0x86, 0x89), the
    following one as the length, and collects length + 1 more bytes (data and checksum).
    Bytes are returned raw; :mod:`boardlib.dsp.callerid` checks and parses them.
    Limits: see the module documentation (``min_mark_bits``, ``max_gap_bits``).
    """

    cdef fsk_descriptor_t d
    cdef cid_rx_state_t s
    cdef readonly object spec

    def __init__(self, spec=FSK_BELL202, *, threshold_dbm0=-43.0, min_mark_bits=50, max_gap_bits=40):
        self.spec = _check_spec(spec)
        _compile_spec(&self.d, self.spec, bl_number(threshold_dbm0, "threshold_dbm0", -70.0, 0.0),
                      bl_number(min_mark_bits, "min_mark_bits", 10, 1000),
                      bl_number(max_gap_bits, "max_gap_bits", 10, 1000))
        cid_rx_init(&self.s)

    def reset(self):
        """Clear the receiver state (the timeline restarts at sample 0)."""
        cid_rx_init(&self.s)

    @property
    def sample(self):
        """Samples processed so far."""
        return self.s.fsk.sample

    def process(self, frame):
        """Receive one int16 frame of any length; returns the messages that ended in it."""
        pcm = _as_pcm(frame)
        cdef const int16_t[::1] a = pcm
        cdef int n = a.shape[0]
        cdef int pos = 0, used
        out = []
        while pos < n:
            with nogil:
                used = cid_rx(&self.s, &self.d, &a[pos], n - pos)
            pos += used
            if self.s.ready:
                out.append(_record(&self.s, 0))
                self.s.ready = 0
        return out

    def flush(self):
        """End of stream: a message in progress (length byte received) is returned truncated."""
        out = []
        if self.s.msg_state >= 2:
            _cid_finish(&self.s, 2)
            out.append(_record(&self.s, 0))
        self.s.ready = 0
        self.s.msg_state = 0
        self.s.fsk.receiving = 0
        return out


cdef class CallerIdReceiverBank:
    """Many :class:`CallerIdReceiver` channels in one nogil call over ``int16[channels, n]``."""

    cdef fsk_descriptor_t d
    cdef cid_rx_state_t *s
    cdef msg_record_t *rec
    cdef int rec_cap
    cdef readonly int channels
    cdef readonly object spec

    def __cinit__(self, int channels=1, *args, **kwargs):
        bl_channels(channels)
        self.s = <cid_rx_state_t *>calloc(channels, sizeof(cid_rx_state_t))
        self.rec_cap = 4 * channels
        self.rec = <msg_record_t *>malloc(self.rec_cap * sizeof(msg_record_t))
        if self.s == NULL or self.rec == NULL:
            raise MemoryError()
        self.channels = channels

    def __dealloc__(self):
        free(self.s)
        free(self.rec)

    def __init__(self, int channels=1, spec=FSK_BELL202, *, threshold_dbm0=-43.0, min_mark_bits=50,
                 max_gap_bits=40):
        self.spec = _check_spec(spec)
        _compile_spec(&self.d, self.spec, bl_number(threshold_dbm0, "threshold_dbm0", -70.0, 0.0),
                      bl_number(min_mark_bits, "min_mark_bits", 10, 1000),
                      bl_number(max_gap_bits, "max_gap_bits", 10, 1000))
        self.reset()

    def reset(self):
        """Clear every channel's state."""
        cdef int c
        for c in range(self.channels):
            cid_rx_init(&self.s[c])

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def process(self, block):
        """Receive an ``int16[channels, n]`` block; returns :class:`RawMessage` with ``channel`` set."""
        arr = _as_block(block, self.channels)
        cdef const int16_t[:, ::1] a = arr
        cdef int n = a.shape[1]
        if n == 0:
            return []
        # every message needs >= 10 mark bits + 2 characters, i.e. > 150 samples at 1200 bit/s
        cdef int64_t need = <int64_t>self.channels * (n // 150 + 2)
        cdef msg_record_t *grown
        if need > self.rec_cap:
            grown = <msg_record_t *>realloc(self.rec, need * sizeof(msg_record_t))
            if grown == NULL:
                raise MemoryError()
            self.rec = grown
            self.rec_cap = need
        cdef int c, pos, used, nrec = 0, cap = self.rec_cap
        cdef cid_rx_state_t *st
        cdef msg_record_t *r
        with nogil:
            for c in range(self.channels):
                st = &self.s[c]
                pos = 0
                while pos < n:
                    used = cid_rx(st, &self.d, &a[c, pos], n - pos)
                    pos += used
                    if st.ready:
                        if nrec < cap:
                            r = &self.rec[nrec]
                            r.channel = c
                            r.kind = st.ready
                            r.n = st.nbuf
                            r.framing_errors = st.framing_errors
                            r.seizure = st.seizure
                            r.sample = st.msg_start
                            memcpy(r.data, st.buf, st.nbuf)
                            nrec += 1
                        st.ready = 0
        out = []
        cdef int i
        for i in range(nrec):
            r = &self.rec[i]
            out.append(RawMessage(bytes(r.data[:r.n]), int(r.sample), r.kind == 2,
                                  int(r.framing_errors), bool(r.seizure), int(r.channel)))
        return out


# ---------------------------------------------------------------------------------------
# Transmitter

def fsk_modulate(bits, spec=FSK_BELL202, *, level_dbm0=-13.5, phase=0.0):
    """Phase-continuous FSK of a bit sequence (1 = mark), at 8000 Hz.

    Bit ``k`` occupies samples ``[round(k * 8000 / baud), round((k + 1) * 8000 / baud))``, so
    the bit clock does not drift. Returns int16 samples.
    """
    spec = _check_spec(spec)
    b = np.asarray(bits)
    if b.ndim != 1:
        raise SignalFormatError(f"bits must be one-dimensional, got shape {b.shape}")
    cdef double level = bl_number(level_dbm0, "level_dbm0", -80.0, 3.14)
    cdef double amp = 32768.0 * cpow(10.0, (level - 3.14) / 20.0)
    cdef double spb = SAMPLE_RATE / float(spec.baud)
    cdef double wm = 2.0 * M_PI * float(spec.mark_hz) / SAMPLE_RATE
    cdef double ws = 2.0 * M_PI * float(spec.space_hz) / SAMPLE_RATE
    cdef Py_ssize_t nbits = b.shape[0]
    cdef Py_ssize_t total = <Py_ssize_t>lround(nbits * spb)
    out = np.empty(total, dtype=np.int16)
    cdef int16_t[::1] o = out
    bb = np.ascontiguousarray(b != 0, dtype=np.uint8)
    cdef const uint8_t[::1] bv = bb
    cdef double ph = float(phase)
    cdef Py_ssize_t i, k = 0
    cdef double v
    cdef double baud = float(spec.baud)
    with nogil:
        for i in range(total):
            k = <Py_ssize_t>floor(i * baud / SAMPLE_RATE)
            if k >= nbits:
                k = nbits - 1
            v = amp * sin(ph)
            ph += wm if bv[k] else ws
            if ph > 2.0 * M_PI:
                ph -= 2.0 * M_PI
            o[i] = <int16_t>lround(v if -32768.0 <= v <= 32767.0 else (32767.0 if v > 0 else -32768.0))
    return out
