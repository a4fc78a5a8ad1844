"""Tone and DTMF generators: :class:`ToneGenerator`, :class:`DtmfGenerator`, dtmf_frequencies.

Both generators follow the transmit side of spandsp: the caller owns the buffer,
``generate_into(out)`` fills it and returns the number of samples written (0 once there is
nothing left to send), ``generate(n)`` is the allocating convenience form, ``busy`` tells
whether anything is still pending.

How the oscillators work
------------------------
Every frequency has a 64-bit phase accumulator (one turn = 2**64), so the frequency error is
below 1e-15 Hz and the phase never drifts, however long the tone lasts. Samples are produced
in blocks of 512 aligned on the tone's own timeline: at the start of a block the exact phase
is turned into a phasor with one ``sin``/``cos`` pair (in double), and the samples of the
block come from a single-precision table of ``cos(j w), sin(j w)`` (``j < 512``) built once
at construction, so each sample is a few multiply-adds that the compiler vectorises. Single
precision costs a few hundredths of an LSB before rounding; nothing accumulates from block to
block. The arithmetic for a given sample never depends on how the output was chunked, so any
sequence of ``generate_into`` calls gives bit-identical output to one large call.
"""

from libc.math cimport sin, cos, copysignf, pow, M_PI
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memset, memmove
from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBUF_WRITABLE,
                             PyBUF_FORMAT, PyBUF_C_CONTIGUOUS)
cimport cython
from bl_types cimport int16_t, int32_t, int64_t, uint64_t
from bl_build cimport bl_build_info

import math

import numpy as np

from ..errors import SignalFormatError
from .specs import DEFAULT_PROFILE, MAX_LEVEL_DBM0, SPECIAL_TONES, ToneSpec, get_profile

__all__ = ["ToneGenerator", "DtmfGenerator", "dtmf_frequencies", "DTMF_DIGITS"]

#: The DTMF keys in keypad order (ITU-T Q.23): rows 697/770/852/941 Hz, columns
#: 1209/1336/1477/1633 Hz.
DTMF_DIGITS = "123A456B789C*0#D"
_DTMF_ROWS = (697.0, 770.0, 852.0, 941.0)
_DTMF_COLS = (1209.0, 1336.0, 1477.0, 1633.0)

cdef enum:
    BL_TONE_MAX_FREQS = 8       # frequencies summed in one step
    BL_TONE_BLOCK = 512         # samples per phasor block (table length)

# One turn of a phase accumulator is 2**64; this turns a signed phase into radians.
cdef double PHASE_TO_RAD = 2.0 * M_PI / 18446744073709551616.0


def _build_info():
    return bl_build_info()


# ------------------------------------------------------------------------------------------
# C-level descriptor and state


ctypedef struct tone_step_t:
    int64_t length                      # samples; -1 = until stopped
    int64_t reversal                    # samples between 180 degree phase reversals; 0 = none
    int32_t nfreq                       # 0 = silence
    int32_t am_table                    # table of the AM frequency; -1 = no AM
    double am_depth
    uint64_t am_inc
    int32_t am_keep                     # AM phase continues from the previous step
    int32_t table[BL_TONE_MAX_FREQS]    # table of each frequency
    uint64_t inc[BL_TONE_MAX_FREQS]     # phase increment per sample (2**64 = one turn)
    double amp[BL_TONE_MAX_FREQS]       # peak amplitude
    int32_t keep[BL_TONE_MAX_FREQS]     # phase continues from the previous step's same slot


ctypedef struct tone_gen_descriptor_t:
    tone_step_t *steps
    int32_t nsteps
    int64_t repeat                      # passes over the steps; -1 = forever
    float *tables                       # [table][cos | sin][BL_TONE_BLOCK]


ctypedef struct tone_gen_state_t:
    int32_t step
    int64_t pos                         # sample index inside the current step
    int64_t passes                      # completed passes over the steps
    int32_t done
    uint64_t phase[BL_TONE_MAX_FREQS]   # phase of each slot at the start of the step
    uint64_t am_phase


ctypedef struct dtmf_entry_t:
    int32_t digit                       # index into DTMF_DIGITS
    int64_t on                          # samples
    int64_t off


ctypedef struct dtmf_tx_state_t:
    dtmf_entry_t *queue
    int64_t head
    int64_t count
    int64_t capacity
    int32_t active                      # a digit (tone or its gap) is being sent
    int32_t in_gap
    int64_t gap_left
    tone_step_t step                    # the current digit's tone
    tone_gen_state_t tone


cdef void tone_table_fill(float *table, uint64_t inc) noexcept nogil:
    cdef int j
    cdef uint64_t ph = 0
    cdef double a
    for j in range(BL_TONE_BLOCK):
        a = <double>(<int64_t>ph) * PHASE_TO_RAD
        table[j] = <float>cos(a)
        table[BL_TONE_BLOCK + j] = <float>sin(a)
        ph += inc


cdef inline int16_t _sat16(float x) noexcept nogil:
    """Round to nearest (halves away from zero) and saturate; written so loops vectorise."""
    x = 32767.0 if x > 32767.0 else x
    x = -32768.0 if x < -32768.0 else x
    return <int16_t>(<int32_t>(x + copysignf(0.5, x)))


@cython.boundscheck(False)
@cython.wraparound(False)
@cython.cdivision(True)
cdef void tone_step_render(const tone_step_t *st, const tone_gen_state_t *s,
                           const float *tables, int16_t *out, int64_t pos,
                           int64_t n) noexcept nogil:
    """Write ``n`` samples of step ``st`` starting at sample ``pos`` of the step."""
    cdef float buf[BL_TONE_BLOCK]
    cdef float sa[BL_TONE_MAX_FREQS]
    cdef float ca[BL_TONE_MAX_FREQS]
    cdef const float *tc[BL_TONE_MAX_FREQS]
    cdef const float *ts[BL_TONE_MAX_FREQS]
    cdef int64_t written = 0, anchor, next_flip
    cdef int j0, cnt, j, i, jend
    cdef uint64_t ph
    cdef double a
    cdef float d, sign, am_s, am_c
    cdef const float *amc
    cdef const float *ams
    cdef int16_t *o
    cdef int plain = st.am_table < 0 and st.reversal == 0
    while written < n:
        j0 = <int>(pos % BL_TONE_BLOCK)
        cnt = BL_TONE_BLOCK - j0
        if cnt > n - written:
            cnt = <int>(n - written)
        jend = j0 + cnt
        anchor = pos - j0
        o = out + written - j0
        # Phasor of each frequency at the block's anchor:
        # sin(a + j w) = sin(a) cos(j w) + cos(a) sin(j w)
        for i in range(st.nfreq):
            ph = s.phase[i] + st.inc[i] * <uint64_t>anchor
            if ph == 0:     # every burst's first block (DTMF digits never need more)
                sa[i] = 0.0
                ca[i] = <float>st.amp[i]
            else:
                a = <double>(<int64_t>ph) * PHASE_TO_RAD
                sa[i] = <float>(st.amp[i] * sin(a))
                ca[i] = <float>(st.amp[i] * cos(a))
            tc[i] = tables + st.table[i] * 2 * BL_TONE_BLOCK
            ts[i] = tc[i] + BL_TONE_BLOCK
        if plain and st.nfreq == 1:
            for j in range(j0, jend):
                o[j] = _sat16(sa[0] * tc[0][j] + ca[0] * ts[0][j])
        elif plain and st.nfreq == 2:
            for j in range(j0, jend):
                o[j] = _sat16(sa[0] * tc[0][j] + ca[0] * ts[0][j]
                              + sa[1] * tc[1][j] + ca[1] * ts[1][j])
        else:
            for j in range(j0, jend):
                buf[j] = sa[0] * tc[0][j] + ca[0] * ts[0][j]
            for i in range(1, st.nfreq):
                for j in range(j0, jend):
                    buf[j] += sa[i] * tc[i][j] + ca[i] * ts[i][j]
            if st.am_table >= 0:
                ph = s.am_phase + st.am_inc * <uint64_t>anchor
                a = <double>(<int64_t>ph) * PHASE_TO_RAD
                d = <float>st.am_depth
                am_s = <float>(st.am_depth * sin(a))
                am_c = <float>(st.am_depth * cos(a))
                amc = tables + st.am_table * 2 * BL_TONE_BLOCK
                ams = amc + BL_TONE_BLOCK
                for j in range(j0, jend):
                    buf[j] *= 1.0 + am_s * amc[j] + am_c * ams[j]
            if st.reversal > 0:
                # Sample k of the step is inverted (k // reversal) times.
                sign = -1.0 if ((pos // st.reversal) & 1) else 1.0
                next_flip = (pos // st.reversal + 1) * st.reversal
                for j in range(j0, jend):
                    if anchor + j == next_flip:
                        sign = -sign
                        next_flip += st.reversal
                    buf[j] *= sign
            for j in range(j0, jend):
                o[j] = _sat16(buf[j])
        written += cnt
        pos += cnt


cdef void tone_gen_advance(const tone_gen_descriptor_t *desc, tone_gen_state_t *s) noexcept nogil:
    """Move past finished steps (and passes) until one has samples left, or the tone ends."""
    cdef const tone_step_t *prev
    cdef const tone_step_t *nxt
    cdef int32_t k, i
    while not s.done:
        prev = &desc.steps[s.step]
        if prev.length < 0 or s.pos < prev.length:
            return
        k = s.step + 1
        if k == desc.nsteps:
            s.passes += 1
            if desc.repeat >= 0 and s.passes >= desc.repeat:
                s.done = 1
                return
            k = 0
        nxt = &desc.steps[k]
        for i in range(nxt.nfreq):
            if nxt.keep[i]:
                s.phase[i] = s.phase[i] + prev.inc[i] * <uint64_t>prev.length
            else:
                s.phase[i] = 0
        if nxt.am_keep:
            s.am_phase = s.am_phase + prev.am_inc * <uint64_t>prev.length
        else:
            s.am_phase = 0
        s.step = k
        s.pos = 0


cdef int64_t tone_gen(const tone_gen_descriptor_t *desc, tone_gen_state_t *s,
                      int16_t *amp, int64_t n) noexcept nogil:
    """Generate up to ``n`` samples into ``amp``; return how many were written."""
    cdef int64_t written = 0, avail
    cdef const tone_step_t *st
    while written < n and not s.done:
        st = &desc.steps[s.step]
        avail = n - written
        if st.length >= 0 and st.length - s.pos < avail:
            avail = st.length - s.pos
        if avail > 0:
            if st.nfreq == 0:
                memset(amp + written, 0, <size_t>avail * sizeof(int16_t))
            else:
                tone_step_render(st, s, desc.tables, amp + written, s.pos, avail)
            s.pos += avail
            written += avail
        tone_gen_advance(desc, s)
    return written


cdef int64_t dtmf_tx(dtmf_tx_state_t *s, const float *tables, const uint64_t *incs,
                     const double *amps, int16_t *amp, int64_t n) noexcept nogil:
    """Send queued digits into ``amp``; return how many samples were written."""
    cdef int64_t written = 0, avail
    cdef dtmf_entry_t e
    while written < n:
        if not s.active:
            if s.count == 0:
                break
            e = s.queue[s.head]
            s.head += 1
            s.count -= 1
            s.step.length = e.on
            s.step.table[0] = e.digit // 4
            s.step.table[1] = 4 + e.digit % 4
            s.step.inc[0] = incs[s.step.table[0]]
            s.step.inc[1] = incs[s.step.table[1]]
            s.step.amp[0] = amps[0]
            s.step.amp[1] = amps[1]
            s.tone.phase[0] = 0
            s.tone.phase[1] = 0
            s.tone.pos = 0
            s.gap_left = e.off
            s.in_gap = 0
            s.active = 1
        if not s.in_gap:
            avail = s.step.length - s.tone.pos
            if avail > n - written:
                avail = n - written
            if avail > 0:
                tone_step_render(&s.step, &s.tone, tables, amp + written, s.tone.pos, avail)
                s.tone.pos += avail
                written += avail
            if s.tone.pos >= s.step.length:
                s.in_gap = 1
        else:
            avail = s.gap_left
            if avail > n - written:
                avail = n - written
            if avail > 0:
                memset(amp + written, 0, <size_t>avail * sizeof(int16_t))
                s.gap_left -= avail
                written += avail
        if s.in_gap and s.gap_left == 0:
            s.active = 0
    return written


# ------------------------------------------------------------------------------------------
# Python-level helpers


cdef double _amplitude(double level_dbm0):
    """Peak amplitude of a sine of ``level_dbm0`` (+3.14 dBm0 = 32768 peak)."""
    return 32768.0 * pow(10.0, (level_dbm0 - MAX_LEVEL_DBM0) / 20.0)


cdef uint64_t _increment(double freq_hz, int sample_rate):
    return <uint64_t>int(round(freq_hz / sample_rate * 18446744073709551616.0))


def _samples(value, str name, int sample_rate):
    """Milliseconds -> samples, rounded to the nearest sample (halves up)."""
    return int(math.floor(float(value) * sample_rate / 1000.0 + 0.5))


def _check_rate(sample_rate):
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) \
            or not 1000 <= sample_rate <= 192000:
        raise SignalFormatError(
            f"sample_rate must be an int between 1000 and 192000 Hz, got {sample_rate!r}")
    return int(sample_rate)


def _check_number(name, value, low=None, high=None, low_open=False):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SignalFormatError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise SignalFormatError(f"{name} must be finite, got {value!r}")
    if low is not None and (v <= low if low_open else v < low):
        raise SignalFormatError(f"{name} must be {'>' if low_open else '>='} {low}, got {v}")
    if high is not None and v > high:
        raise SignalFormatError(f"{name} must be <= {high}, got {v}")
    return v


cdef int _out_buffer(object out, Py_buffer *view) except -1:
    """Acquire ``out`` as a writable, contiguous, one-dimensional int16 buffer.

    The caller releases ``view`` with ``PyBuffer_Release`` once it returns 0.
    """
    cdef const char *fmt
    try:
        PyObject_GetBuffer(out, view, PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)
    except (BufferError, TypeError, ValueError) as exc:
        dtype = getattr(out, "dtype", type(out).__name__)
        raise SignalFormatError(
            f"out must be a writable, C-contiguous, one-dimensional int16 array, got {dtype} "
            f"({exc})") from exc
    fmt = view.format
    if fmt != NULL and (fmt[0] == b'=' or fmt[0] == b'@' or fmt[0] == b'<'):
        fmt += 1
    if view.ndim != 1 or view.itemsize != 2 or fmt == NULL or fmt[0] != b'h' or fmt[1] != 0:
        shape = getattr(out, "shape", None)
        dtype = getattr(out, "dtype", (<bytes>view.format).decode() if view.format else "?")
        PyBuffer_Release(view)
        raise SignalFormatError(
            f"out must be a writable, C-contiguous, one-dimensional int16 array, got "
            f"{dtype} with shape {shape}")
    return 0


def _resolve_tone(tone, profile):
    if isinstance(tone, ToneSpec):
        return tone
    if not isinstance(tone, str):
        raise SignalFormatError(
            f"tone must be a ToneSpec or a tone name, got {type(tone).__name__}")
    prof = get_profile(profile)
    if tone in prof:
        return prof[tone]
    if tone in SPECIAL_TONES:
        return SPECIAL_TONES[tone]
    raise SignalFormatError(
        f"unknown tone {tone!r}: profile {prof.name!r} has {', '.join(prof.tones)}; "
        f"special tones are {', '.join(SPECIAL_TONES)}")


# ------------------------------------------------------------------------------------------
# ToneGenerator


cdef class ToneGenerator:
    """Generate a tone described by a :class:`~boardlib.dsp.specs.ToneSpec`.

    Parameters
    ----------
    tone:
        A :class:`ToneSpec`, or a tone name looked up first in ``profile`` (``"busy"``,
        ``"dial"``, ...) and then in :data:`~boardlib.dsp.specs.SPECIAL_TONES` (``"cng"``,
        ``"ced"``, ``"ansam"``, ``"sit"``, ...).
    profile:
        A profile name (``"cn"``, ``"us"``, ``"uk"``, ``"etsi"``) or a :class:`ToneProfile`.
    sample_rate:
        Samples per second (8000 for telephony).

    What it does
        Sums up to 8 sines per step, each at its own level (a sine of L dBm0 has the peak
        ``32768 * 10**((L - 3.14) / 20)``, G.711's A-law basis), optionally amplitude-
        modulated (``am_hz``, ``am_depth``: V.8 ANSam is 15 Hz at depth 0.2, so the envelope
        swings between 0.8 and 1.2 of the carrier) and with 180 degree phase reversals every
        ``reversal_ms`` (V.25 ANS/ reverses every 450 ms). Steps follow one another; the set is
        repeated ``repeat`` times or forever; a last step without duration lasts until the
        generator is dropped. The level of a step is that of the unmodulated carrier.

    How it works
        Durations are turned into sample counts once, at construction, by rounding
        ``ms * sample_rate / 1000`` to the nearest sample (halves up); every step therefore
        starts and ends on an exact sample, and a cadence never accumulates rounding. Each
        step's sines start at phase 0 (the first sample is 0), except that a frequency which
        sounds in the previous step too (same slot, same frequency) continues its phase
        without a jump. Phase reversals are counted from the start of their step: sample
        ``k`` of the step is inverted ``k // reversal`` times. Oscillators are 64-bit phase
        accumulators read through a per-block phasor (see the module docstring), so the
        frequency is exact to 1e-15 Hz and does not drift over hours. Samples are rounded
        to the nearest integer (halves away from zero) and saturate at -32768 / +32767 when
        the levels add up past full scale.

    Limits
        Frequencies must be below ``sample_rate / 2``; at most 8 frequencies per step; a
        tone that repeats forever must last at least one sample per pass. One generator
        serves one stream: it releases the GIL while it computes, so do not share it
        between threads without a lock.
    """

    cdef tone_gen_descriptor_t desc
    cdef tone_gen_state_t state
    cdef readonly object tone
    cdef readonly int sample_rate
    cdef readonly tuple step_samples
    cdef readonly object period_samples
    cdef readonly object total_samples
    cdef int64_t _generated

    def __cinit__(self, *args, **kwargs):
        self.desc.steps = NULL
        self.desc.tables = NULL
        self.desc.nsteps = 0

    def __init__(self, tone, profile=DEFAULT_PROFILE, sample_rate=8000):
        if self.desc.steps != NULL:
            raise RuntimeError("ToneGenerator is already initialised; make a new one")
        cdef int rate = _check_rate(sample_rate)
        spec = _resolve_tone(tone, profile)
        steps = spec.steps
        nyquist = rate / 2.0
        compiled = []
        incs = []
        table_of = {}
        for k, step in enumerate(steps):
            where = f"tone {spec.name!r} step {k}"
            freqs = tuple(step.frequencies_hz)
            if len(freqs) > BL_TONE_MAX_FREQS:
                raise SignalFormatError(
                    f"{where}: frequencies_hz has {len(freqs)} values, at most "
                    f"{BL_TONE_MAX_FREQS} are accepted")
            for f in freqs:
                _check_number(f"{where}: frequencies_hz", f, low=0.0, low_open=True)
                if f >= nyquist:
                    raise SignalFormatError(
                        f"{where}: frequencies_hz must be below {nyquist:g} Hz (half of "
                        f"sample_rate {rate}), got {f}")
            levels = step.levels() if freqs else ()
            for lv in levels:
                _check_number(f"{where}: level_dbm0", lv, high=MAX_LEVEL_DBM0 + 0.05)
            if step.duration_ms is None:
                length = -1
            else:
                _check_number(f"{where}: duration_ms", step.duration_ms, low=0.0)
                length = _samples(step.duration_ms, "duration_ms", rate)
            am_hz = _check_number(f"{where}: am_hz", step.am_hz, low=0.0)
            am_depth = _check_number(f"{where}: am_depth", step.am_depth, low=0.0, high=1.0)
            if am_hz >= nyquist:
                raise SignalFormatError(
                    f"{where}: am_hz must be below {nyquist:g} Hz, got {am_hz}")
            rev_ms = _check_number(f"{where}: reversal_ms", step.reversal_ms, low=0.0)
            reversal = _samples(rev_ms, "reversal_ms", rate) if rev_ms > 0 else 0
            if rev_ms > 0 and reversal < 1:
                raise SignalFormatError(
                    f"{where}: reversal_ms must last at least one sample, got {rev_ms}")
            finc = []
            for f in freqs:
                inc = _increment(f, rate)
                finc.append(inc)
                table_of.setdefault(inc, len(table_of))
            am = bool(freqs) and am_hz > 0 and am_depth > 0
            am_inc = _increment(am_hz, rate) if am else 0
            if am:
                table_of.setdefault(am_inc, len(table_of))
            compiled.append((length, reversal if freqs else 0, finc,
                             [_amplitude(lv) for lv in levels], am, am_inc, am_depth))
        nsteps = len(compiled)
        if spec.period_ms is not None or spec.repeat is not None:
            period = sum(c[0] for c in compiled if c[0] >= 0)
        else:
            period = None
        if spec.period_ms is not None and period == 0:
            raise SignalFormatError(
                f"tone {spec.name!r}: the steps last less than one sample in total")

        self.desc.steps = <tone_step_t *>malloc(nsteps * sizeof(tone_step_t))
        self.desc.tables = <float *>malloc(max(1, len(table_of)) * 2 * BL_TONE_BLOCK
                                           * sizeof(float))
        if self.desc.steps == NULL or self.desc.tables == NULL:
            raise MemoryError()
        memset(self.desc.steps, 0, nsteps * sizeof(tone_step_t))
        self.desc.nsteps = nsteps
        self.desc.repeat = -1 if spec.repeat is None else spec.repeat
        for inc, t in table_of.items():
            tone_table_fill(self.desc.tables + <Py_ssize_t>t * 2 * BL_TONE_BLOCK, <uint64_t>inc)
        cdef tone_step_t *st
        for k, (length, reversal, finc, amps, am, am_inc, am_depth) in enumerate(compiled):
            st = &self.desc.steps[k]
            st.length = length
            st.reversal = reversal
            st.nfreq = len(finc)
            st.am_table = table_of[am_inc] if am else -1
            st.am_inc = am_inc
            st.am_depth = am_depth if am else 0.0
            # The previous step in playing order (the last one when a pass wraps around).
            prev = compiled[k - 1] if k > 0 else compiled[-1]
            prev_sounds = prev[0] > 0 and len(prev[2]) > 0
            for i in range(len(finc)):
                st.table[i] = table_of[finc[i]]
                st.inc[i] = finc[i]
                st.amp[i] = amps[i]
                st.keep[i] = 1 if (prev_sounds and i < len(prev[2])
                                   and prev[2][i] == finc[i]) else 0
            st.am_keep = 1 if (am and prev_sounds and prev[4] and prev[5] == am_inc) else 0

        self.tone = spec
        self.sample_rate = rate
        self.step_samples = tuple(c[0] if c[0] >= 0 else None for c in compiled)
        self.period_samples = period if spec.period_ms is not None else None
        if spec.repeat is not None and self.period_samples is not None:
            self.total_samples = self.period_samples * spec.repeat
        elif spec.repeat is not None:
            self.total_samples = None   # a repeated tone that ends in a continuous step
        else:
            self.total_samples = None
        self.reset()

    def __dealloc__(self):
        free(self.desc.steps)
        free(self.desc.tables)

    def reset(self):
        """Start the tone again from its first sample."""
        memset(&self.state, 0, sizeof(tone_gen_state_t))
        self._generated = 0
        tone_gen_advance(&self.desc, &self.state)

    @property
    def busy(self):
        """True while the tone has samples left to send (always, for endless tones)."""
        return not self.state.done

    @property
    def done(self):
        """True once a finite tone has sent its last sample."""
        return bool(self.state.done)

    @property
    def sample(self):
        """Samples generated since construction or the last :meth:`reset`."""
        return self._generated

    def generate_into(self, out):
        """Fill ``out`` (a writable, contiguous int16 buffer) from its start; return the
        number of samples written.

        Fewer than ``len(out)`` are written only when a finite tone ends; 0 once it has ended.
        """
        cdef Py_buffer view
        cdef int64_t n, got = 0
        _out_buffer(out, &view)
        n = view.shape[0]
        if n > 0:
            with nogil:
                got = tone_gen(&self.desc, &self.state, <int16_t *>view.buf, n)
        PyBuffer_Release(&view)
        self._generated += got
        return got

    def generate(self, n):
        """Return up to ``n`` samples as a new int16 array (shorter when the tone ends)."""
        cdef Py_ssize_t count = _check_count(n)
        out = np.empty(count, dtype=np.int16)
        if count == 0:
            return out
        got = self.generate_into(out)
        return out[:got] if got < count else out

    def __repr__(self):
        return (f"ToneGenerator({self.tone.name!r}, sample_rate={self.sample_rate}, "
                f"steps={self.step_samples}, repeat={self.tone.repeat})")


def _check_count(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise SignalFormatError(f"n must be a non-negative int, got {n!r}")
    return int(n)


# ------------------------------------------------------------------------------------------
# DTMF


def dtmf_frequencies(digit):
    """The ``(low_hz, high_hz)`` pair of a DTMF key (ITU-T Q.23); ``a``-``d`` are accepted."""
    if not isinstance(digit, str) or len(digit) != 1:
        raise SignalFormatError(f"digit must be one character of {DTMF_DIGITS!r}, got {digit!r}")
    k = DTMF_DIGITS.find(digit.upper())
    if k < 0:
        raise SignalFormatError(
            f"digit {digit!r} is not a DTMF key; accepted: 0-9 * # A-D (a-d)")
    return (_DTMF_ROWS[k // 4], _DTMF_COLS[k % 4])


cdef class DtmfGenerator:
    """Send DTMF digits (ITU-T Q.23 frequencies).

    Parameters
    ----------
    level_dbm0:
        Level of the low-group tone, in dBm0 (-10 by default, as spandsp).
    twist_db:
        High-group level minus low-group level, in dB (0 by default).
    on_ms, off_ms:
        Default tone and gap durations per digit; :meth:`put` can override them for the
        digits it queues.
    sample_rate:
        Samples per second.

    What it does
        ``put("123#")`` queues digits; :meth:`generate_into` sends each as its two tones for
        ``on_ms`` followed by ``off_ms`` of silence, then the next one. Each digit starts both
        tones at phase 0, as a telephone keypad does.

    How it works
        Same oscillators as :class:`ToneGenerator` (64-bit phase accumulators, 512-sample
        phasor blocks); durations are rounded to the nearest sample (halves up) when the
        digit is queued.

    Limits
        Each tone's level must be between -90 and +3.14 dBm0 (so ``level_dbm0 + twist_db``
        too); ``on_ms`` must last at least one sample; ``off_ms`` may be 0.
    """

    cdef dtmf_tx_state_t state
    cdef float *tables
    cdef double amps[2]
    cdef uint64_t incs[8]
    cdef readonly double level_dbm0
    cdef readonly double twist_db
    cdef readonly double on_ms
    cdef readonly double off_ms
    cdef readonly int sample_rate
    cdef int64_t on_samples
    cdef int64_t off_samples

    def __cinit__(self, *args, **kwargs):
        self.tables = NULL
        memset(&self.state, 0, sizeof(dtmf_tx_state_t))

    def __init__(self, level_dbm0=-10.0, twist_db=0.0, on_ms=50.0, off_ms=50.0,
                 sample_rate=8000):
        cdef int rate = _check_rate(sample_rate)
        level = _check_number("level_dbm0", level_dbm0, low=-90.0, high=MAX_LEVEL_DBM0)
        twist = _check_number("twist_db", twist_db)
        if not -90.0 <= level + twist <= MAX_LEVEL_DBM0:
            raise SignalFormatError(
                f"level_dbm0 + twist_db (the high-group level) must be between -90 and "
                f"{MAX_LEVEL_DBM0} dBm0, got {level + twist:g}")
        self.sample_rate = rate
        self.on_samples, self.off_samples = self._timing(on_ms, off_ms)
        self.level_dbm0 = level
        self.twist_db = twist
        self.on_ms = float(on_ms)
        self.off_ms = float(off_ms)
        self.amps[0] = _amplitude(level)
        self.amps[1] = _amplitude(level + twist)
        if self.tables == NULL:
            self.tables = <float *>malloc(8 * 2 * BL_TONE_BLOCK * sizeof(float))
            if self.tables == NULL:
                raise MemoryError()
        for i, f in enumerate(_DTMF_ROWS + _DTMF_COLS):
            self.incs[i] = _increment(f, rate)
            tone_table_fill(self.tables + <Py_ssize_t>i * 2 * BL_TONE_BLOCK, self.incs[i])
        # The digit's tone step: two frequencies, no AM, no reversal, phase 0 at the start.
        memset(&self.state.step, 0, sizeof(tone_step_t))
        self.state.step.nfreq = 2
        self.state.step.am_table = -1
        self.reset()

    def _timing(self, on_ms, off_ms):
        on = _check_number("on_ms", on_ms, low=0.0, low_open=True)
        off = _check_number("off_ms", off_ms, low=0.0)
        on_n = _samples(on, "on_ms", self.sample_rate)
        if on_n < 1:
            raise SignalFormatError(f"on_ms must last at least one sample, got {on}")
        return on_n, _samples(off, "off_ms", self.sample_rate)

    def __dealloc__(self):
        free(self.state.queue)
        free(self.tables)

    def put(self, digits, on_ms=None, off_ms=None):
        """Queue ``digits`` (0-9 * # A-D, a-d accepted) to be sent after any already queued.

        ``on_ms``/``off_ms`` override the generator's timing for these digits only.
        """
        if not isinstance(digits, str):
            raise SignalFormatError(f"digits must be a str, got {type(digits).__name__}")
        codes = []
        for pos, ch in enumerate(digits):
            k = DTMF_DIGITS.find(ch.upper()) if len(ch.upper()) == 1 else -1
            if k < 0:
                raise SignalFormatError(
                    f"digits[{pos}] = {ch!r} is not a DTMF key; accepted: 0-9 * # A-D (a-d)")
            codes.append(k)
        on_n, off_n = self._timing(self.on_ms if on_ms is None else on_ms,
                                   self.off_ms if off_ms is None else off_ms)
        if not codes:
            return
        cdef dtmf_tx_state_t *s = &self.state
        cdef int64_t need = s.count + len(codes)
        cdef dtmf_entry_t *q
        if s.head > 0 and s.count > 0:
            memmove(s.queue, s.queue + s.head, <size_t>s.count * sizeof(dtmf_entry_t))
        s.head = 0
        if need > s.capacity:
            q = <dtmf_entry_t *>realloc(s.queue, <size_t>max(need, 2 * s.capacity, 16)
                                        * sizeof(dtmf_entry_t))
            if q == NULL:
                raise MemoryError()
            s.queue = q
            s.capacity = max(need, 2 * s.capacity, 16)
        for k in codes:
            s.queue[s.count].digit = k
            s.queue[s.count].on = on_n
            s.queue[s.count].off = off_n
            s.count += 1

    def reset(self):
        """Drop the queued digits and any digit being sent."""
        self.state.head = 0
        self.state.count = 0
        self.state.active = 0
        self.state.in_gap = 0
        self.state.gap_left = 0

    @property
    def busy(self):
        """True while a digit is being sent or digits are queued."""
        return bool(self.state.active or self.state.count)

    @property
    def pending(self):
        """Digits queued and not started yet."""
        return "".join(DTMF_DIGITS[self.state.queue[self.state.head + i].digit]
                       for i in range(self.state.count))

    def generate_into(self, out):
        """Fill ``out`` (a writable, contiguous int16 buffer) from its start; return the
        number of samples written (0 when idle)."""
        cdef Py_buffer view
        cdef int64_t n, got = 0
        _out_buffer(out, &view)
        n = view.shape[0]
        if n > 0 and (self.state.active or self.state.count):
            # The GIL stays held: put() may grow the queue, and a frame takes well under
            # a microsecond.
            got = dtmf_tx(&self.state, self.tables, self.incs, self.amps,
                          <int16_t *>view.buf, n)
        PyBuffer_Release(&view)
        return got

    def generate(self, n):
        """Return up to ``n`` samples as a new int16 array (empty when idle)."""
        cdef Py_ssize_t count = _check_count(n)
        out = np.empty(count, dtype=np.int16)
        if count == 0:
            return out
        got = self.generate_into(out)
        return out[:got] if got < count else out

    def render(self, digits, on_ms=None, off_ms=None):
        """Queue ``digits`` and return all their samples at once (each digit's tone and the
        pause after it), as a new int16 array. Digits already queued come first."""
        self.put(digits, on_ms, off_ms)
        parts = []
        while True:
            block = self.generate(8000)
            if block.shape[0] == 0:
                break
            parts.append(block)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def __repr__(self):
        return (f"DtmfGenerator(level_dbm0={self.level_dbm0:g}, twist_db={self.twist_db:g}, "
                f"on_ms={self.on_ms:g}, off_ms={self.off_ms:g}, sample_rate={self.sample_rate})")
