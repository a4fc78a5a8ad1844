"""MFC-R2 register tones: :class:`R2ToneGenerator`, :class:`R2ToneDetector`, :class:`R2ToneDetectorBank`.

What it does
------------
MFC-R2 (ITU-T Q.441; China No.1 uses the same code) sends each register signal as two tones
out of six ("2 out of 6"), 120 Hz apart: forward signals (Groups I/II) from 1380..1980 Hz,
backward signals (Groups A/B) from 1140..540 Hz. The fifteen pairs are numbered 1..15 (see
:mod:`boardlib.dsp.r2specs`). Register signalling is *compelled*: a tone stays on until the
far end answers, so the generator sends a signal until it is stopped and the detector
reports both the start (:class:`R2ToneOn`) and the end (:class:`R2ToneOff`) of each signal.

How the detector works
----------------------
The timeline is cut into half-blocks of 64 samples (8 ms). For every half-block a
correlator computes the complex DFT value of each of the six frequencies of the chosen set
and of the six of the other direction (a table of ``cos``/``-sin`` per position, 24 lanes
that the compiler vectorises) and the exact energy of the samples. Every 8 ms the last two half-blocks are combined into one
128-sample window (16 ms; the second half's values are turned into the first half's phase
reference), so decisions come every 8 ms from 16 ms of signal. With a rectangular 128-point
window the neighbour of a tone 120 Hz away falls close to the second spectral zero
(-27 dB; -18 dB when both tones are 10 Hz off), which keeps adjacent frequencies apart.

A window carries signal ``n`` when, with ``P1 >= P2 >= P3`` the three largest tone powers:

* ``P2`` is at least ``threshold_dbm0`` (default -37 dBm0, between the -35 dBm0 that must
  operate and the -38.5 dBm0 that must not);
* ``P1 / P2`` is at most ``max_twist_db`` (default 10 dB; Q.441 asks that 5 dB between
  adjacent and 7 dB between other tones be accepted, and 20 dB be refused). A strong tone
  10 Hz off leaks into its neighbour's estimate (-18 dB), so for adjacent pairs the limit
  is blurred: 8.5 dB is always accepted, 15 dB always refused;
* ``P3`` is at least 6 dB under ``P2`` (a third tone of the set voids the signal);
* the two tones hold at least 75 % of the window's energy, not counting the power found
  at the other direction's frequencies (speech, noise and other tones fail here; so does a
  window that the tone fills only in part). Leaving the other direction out lets a signal
  be recognised while the other direction's signal is on the same path (2-wire circuits,
  echo): under a signal of the other direction at the same level for frequency errors up
  to 10 Hz, and up to 15 dB stronger at nominal frequencies.

A signal operates after two consecutive windows carrying it (the event is reported then,
dated at the start of the first window) and releases after four consecutive windows without
it (dated at the end of the last window that carried it). Consequences, for a tone in
silence:

* a burst shorter than 12 ms never operates: each of two consecutive windows must be at
  least 75 % filled, i.e. 96 samples each (Q.441: no response to bursts under 7 ms);
* a burst of 30 ms or more always operates, at any level and frequency error in range
  (Nortel: operate within 32 ms); the :class:`R2ToneOn` event leaves the detector at most
  32 ms after the tone began;
* an interruption of up to 8 ms touches at most three consecutive windows, so it never
  releases the signal (Q.441: no release on interruptions up to 7 ms);
* the :class:`R2ToneOff` event leaves the detector at most 40 ms after the tone ended, so
  operate plus release stays under Q.441's 80 ms;
* gaps of 25 ms or more always release the signal;
* the start and the end of a signal are dated to within 8 ms (weak signals, whose partly
  filled windows fall under the threshold, are dated later than strong ones).

A second signal that shows in two consecutive windows while one is on ends the first one at
once and starts the second (no intervening silence is needed).

Limits
------
8000 Hz only. Time resolution 8 ms (16 ms windows). The levels in :class:`R2ToneOn` are
within 0.5 dB for nominal frequencies (about 0.4 dB lower for tones 10 Hz off). The
correlator is compiled for AVX-512, AVX2+FMA and the baseline and chosen at import; the
kernels may differ in the last bits (fused multiply-add), never in the chunking.
"""

from dataclasses import dataclass

import numpy as np

from libc.math cimport sin, cos, M_PI, pow as cpow, log10, lround
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memset
cimport cython
from bl_types cimport int16_t, int32_t, int64_t, uint64_t
from bl_build cimport bl_build_info
from bl_check cimport bl_number

from boardlib.errors import SignalFormatError
from boardlib.dsp.r2specs import BACKWARD_HZ, FORWARD_HZ, R2_PAIRS

__all__ = [
    "R2ToneGenerator",
    "R2ToneDetector",
    "R2ToneDetectorBank",
    "R2ToneOn",
    "R2ToneOff",
    "HALF_BLOCK",
    "WINDOW",
]

DEF SAMPLE_RATE = 8000
DEF HALF = 64
DEF LANES = 32
DEF NFREQ = 6
DEF NBINS = 12

#: Samples per half-block (decisions come once per half-block).
HALF_BLOCK = HALF
#: Samples per analysis window (two half-blocks).
WINDOW = 2 * HALF

# Full-scale sine (peak 32768) is +3.14 dBm0.
cdef double DBM0_FULL_SCALE = 3.14


def _build_info():
    """Compiler, flags and Cython version of this module."""
    return bl_build_info()


cdef extern from *:
    """
    #include <string.h>
    #include <stdint.h>
    typedef float r2_v16f __attribute__((vector_size(64)));

    /* Adds in[i] * tab[pos + i][lane] to the 32 lane sums of accumulator set (pos + i) % 4
       and in[i]^2 to *energy. Four sets break the add latency chain; the set of a sample
       depends only on its position, and every set is summed in sample order, so the
       result never depends on how the input is chunked. */
    #define R2_CORR_STEP(SET, J)                                                             \\
        { r2_v16f w0, w1; float x = (float) in[J];                                           \\
          memcpy(&w0, t, sizeof(w0)); memcpy(&w1, t + 16, sizeof(w1));                       \\
          a[SET][0] += w0 * x; a[SET][1] += w1 * x; t += 32; }
    #define R2_CORR_DEFINE(SUFFIX, ATTR)                                                     \\
    ATTR static void r2_corr_##SUFFIX(float *acc, const float *tab, int pos,                 \\
                                      const int16_t *in, int n, int64_t *energy) {           \\
        r2_v16f a[4][2];                                                                     \\
        int64_t e = 0;                                                                       \\
        const float *t = tab + (size_t) pos * 32;                                            \\
        int i;                                                                               \\
        for (i = 0; i < n; i++) e += (int64_t) ((int32_t) in[i] * (int32_t) in[i]);          \\
        *energy += e;                                                                        \\
        memcpy(a, acc, sizeof(a));                                                           \\
        i = 0;                                                                               \\
        while (i < n && ((pos + i) & 3) != 0) { R2_CORR_STEP((pos + i) & 3, i); i++; }      \\
        for (; i + 4 <= n; i += 4) {                                                         \\
            R2_CORR_STEP(0, i); R2_CORR_STEP(1, i + 1);                                      \\
            R2_CORR_STEP(2, i + 2); R2_CORR_STEP(3, i + 3);                                  \\
        }                                                                                    \\
        while (i < n) { R2_CORR_STEP((pos + i) & 3, i); i++; }                               \\
        memcpy(acc, a, sizeof(a));                                                           \\
    }

    R2_CORR_DEFINE(generic, )
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    R2_CORR_DEFINE(avx2, __attribute__((target("avx2,fma"))))
    R2_CORR_DEFINE(avx512, __attribute__((target("avx512f,avx512vl,avx2,fma"))))
    #endif

    typedef void (*r2_corr_fn)(float *, const float *, int, const int16_t *, int, int64_t *);

    /* The widest kernel this CPU runs (2 AVX-512, 1 AVX2+FMA, 0 baseline), capped at max_level. */
    static int r2_corr_select(r2_corr_fn *fn, int max_level) {
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
        __builtin_cpu_init();
        if (max_level >= 2 && __builtin_cpu_supports("avx512f")
                && __builtin_cpu_supports("avx512vl")) { *fn = r2_corr_avx512; return 2; }
        if (max_level >= 1 && __builtin_cpu_supports("avx2")
                && __builtin_cpu_supports("fma")) { *fn = r2_corr_avx2; return 1; }
    #else
        (void) max_level;
    #endif
        *fn = r2_corr_generic;
        return 0;
    }
    """
    ctypedef void (*r2_corr_fn)(float *acc, const float *tab, int pos, const int16_t *inp,
                                int n, int64_t *energy) noexcept nogil
    int r2_corr_select(r2_corr_fn *fn, int max_level) noexcept nogil


cdef r2_corr_fn r2_corr
cdef int _simd_level = r2_corr_select(&r2_corr, 2)


def _test_simd_level():
    """The correlator kernel in use: "avx512", "avx2" or "generic"."""
    return ("generic", "avx2", "avx512")[_simd_level]


def _test_select_simd(level):
    """Use the widest kernel up to ``level`` (0 generic, 1 AVX2, 2 AVX-512); returns its name.
    Results may differ in the last bits between kernels (fused multiply-add)."""
    global _simd_level
    _simd_level = r2_corr_select(&r2_corr, int(level))
    return _test_simd_level()


# ------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True, slots=True)
class R2ToneOn:
    """A register signal began.

    Attributes
    ----------
    signal:
        Signal number 1..15 (see :mod:`boardlib.dsp.r2specs` for the frequency pairs).
    sample:
        Estimated first sample of the signal on the channel's timeline (within 64 samples).
    low_dbm0, high_dbm0:
        Measured level of the lower- and the higher-frequency tone, in dBm0.
    channel:
        Channel of a bank, or -1 for a single-channel detector.
    """

    signal: int
    sample: int
    low_dbm0: float
    high_dbm0: float
    channel: int = -1


@dataclass(frozen=True, slots=True)
class R2ToneOff:
    """A register signal ended.

    Attributes
    ----------
    signal:
        The signal that ended (as reported by the matching :class:`R2ToneOn`).
    sample:
        Estimated sample just after the signal's last one (within 64 samples).
    duration:
        ``sample`` minus the matching :class:`R2ToneOn`'s ``sample``.
    channel:
        Channel of a bank, or -1 for a single-channel detector.
    """

    signal: int
    sample: int
    duration: int
    channel: int = -1


# ------------------------------------------------------------------------------------------
# C-level descriptor, state and event records

ctypedef struct r2_mf_rx_descriptor_t:
    float tab[HALF * LANES]      # cos(w k n), -sin(w k n) for n < 64, lanes 2k, 2k+1; bins
                                 # 0-5 are this direction's set, 6-11 the other direction's
    double rot_re[NBINS]         # exp(-j w k 64): moves a second half onto the first's phase
    double rot_im[NBINS]
    double threshold             # minimum tone power (mean square) of the weaker tone
    double twist                 # maximum power ratio of the two tones
    double rel                   # minimum power ratio of the weaker tone to the third
    double fraction              # minimum share of the window energy in the two tones
    int signal_of[NFREQ * NFREQ] # signal number of a frequency index pair
    int lower_first[NFREQ * NFREQ]  # 1 when index i of pair (i, j) is the lower frequency
    int operate_windows
    int release_windows

ctypedef struct r2_mf_rx_state_t:
    float acc[4 * LANES]         # running correlation of the current half-block (4 sets)
    float prev[LANES]            # the previous half-block's correlation
    int64_t e_cur
    int64_t e_prev
    int pos                      # samples into the current half-block
    int have_prev
    int64_t half_start           # timeline index of the current half-block's first sample
    int cur                      # signal on (0: none)
    int64_t cur_start
    int64_t cur_end              # end of the last window that carried cur
    int miss
    int cand
    int cand_count
    int64_t cand_start

ctypedef struct r2_event_t:
    int32_t channel
    int32_t kind                 # 1 on, 0 off
    int32_t signal
    int32_t pad
    int64_t sample
    int64_t duration
    double low_dbm0
    double high_dbm0


cdef inline double _dbm0(double mean_square) noexcept nogil:
    if mean_square <= 0.0:
        return -200.0
    # sine of peak A: mean square A^2/2, level 3.14 + 20 log10(A / 32768)
    return DBM0_FULL_SCALE + 10.0 * log10(2.0 * mean_square / (32768.0 * 32768.0))


cdef inline int _emit_off(r2_mf_rx_state_t *s, r2_event_t *ev, int n_ev, int channel) noexcept nogil:
    ev[n_ev].channel = channel
    ev[n_ev].kind = 0
    ev[n_ev].signal = s.cur
    ev[n_ev].pad = 0
    ev[n_ev].sample = s.cur_end
    ev[n_ev].duration = s.cur_end - s.cur_start
    ev[n_ev].low_dbm0 = 0.0
    ev[n_ev].high_dbm0 = 0.0
    s.cur = 0
    s.miss = 0
    return n_ev + 1


@cython.boundscheck(False)
@cython.wraparound(False)
@cython.cdivision(True)
cdef int r2_mf_rx_window(r2_mf_rx_state_t *s, const r2_mf_rx_descriptor_t *d,
                         r2_event_t *ev, int n_ev, int channel) noexcept nogil:
    """Classify the window made of the previous and the current half-block; returns the
    new event count."""
    cdef double p[NBINS]
    cdef double re, im, energy, p1, p2, p3, other = 0.0
    cdef int k, i1 = -1, i2 = -1, sig = 0, pair
    cdef int64_t wstart = s.half_start - HALF
    cdef int64_t wend = s.half_start + HALF
    for k in range(NBINS):
        re = s.prev[2 * k] + s.acc[2 * k] * d.rot_re[k] - s.acc[2 * k + 1] * d.rot_im[k]
        im = s.prev[2 * k + 1] + s.acc[2 * k] * d.rot_im[k] + s.acc[2 * k + 1] * d.rot_re[k]
        # (acc[0..LANES) holds the sum of the four sets: see r2_mf_rx)
        # mean square of the sine with this DFT value: 2 |X|^2 / N^2
        p[k] = 2.0 * (re * re + im * im) / (4.0 * HALF * HALF)
    for k in range(NFREQ, NBINS):
        other += p[k]
    # Energy of the window without the other direction's tones (present on 2-wire paths).
    energy = <double>(s.e_prev + s.e_cur) / (2.0 * HALF) - other
    p1 = -1.0
    p2 = -1.0
    p3 = 0.0
    for k in range(NFREQ):
        if p[k] > p1:
            p3 = p2
            p2 = p1
            i2 = i1
            p1 = p[k]
            i1 = k
        elif p[k] > p2:
            p3 = p2
            p2 = p[k]
            i2 = k
        elif p[k] > p3:
            p3 = p[k]
    if p3 < 0.0:
        p3 = 0.0
    if (p2 >= d.threshold and p1 <= d.twist * p2 and p3 * d.rel <= p2
            and p1 + p2 >= d.fraction * energy):
        pair = i1 * NFREQ + i2
        sig = d.signal_of[pair]

    if sig != 0 and sig == s.cur:
        s.miss = 0
        s.cur_end = wend
        s.cand = 0
        s.cand_count = 0
        return n_ev
    if s.cur != 0:
        s.miss += 1
    if sig == 0:
        s.cand = 0
        s.cand_count = 0
    else:
        if sig == s.cand:
            s.cand_count += 1
        else:
            s.cand = sig
            s.cand_count = 1
            s.cand_start = wstart
        if s.cand_count >= d.operate_windows:
            if s.cur != 0:
                n_ev = _emit_off(s, ev, n_ev, channel)
            s.cur = sig
            s.cur_start = s.cand_start
            s.cur_end = wend
            s.miss = 0
            s.cand = 0
            s.cand_count = 0
            ev[n_ev].channel = channel
            ev[n_ev].kind = 1
            ev[n_ev].signal = sig
            ev[n_ev].pad = 0
            ev[n_ev].sample = s.cur_start
            ev[n_ev].duration = 0
            if d.lower_first[pair]:
                ev[n_ev].low_dbm0 = _dbm0(p[i1])
                ev[n_ev].high_dbm0 = _dbm0(p[i2])
            else:
                ev[n_ev].low_dbm0 = _dbm0(p[i2])
                ev[n_ev].high_dbm0 = _dbm0(p[i1])
            return n_ev + 1
    if s.cur != 0 and s.miss >= d.release_windows:
        n_ev = _emit_off(s, ev, n_ev, channel)
    return n_ev


cdef inline void _sum_sets(float *acc) noexcept nogil:
    """Adds the four accumulator sets into the first, in a fixed order."""
    cdef int k
    for k in range(LANES):
        acc[k] = (acc[k] + acc[LANES + k]) + (acc[2 * LANES + k] + acc[3 * LANES + k])


@cython.boundscheck(False)
@cython.wraparound(False)
cdef int r2_mf_rx(r2_mf_rx_state_t *s, const r2_mf_rx_descriptor_t *d, const int16_t *amp,
                  Py_ssize_t n, r2_event_t *ev, int channel) noexcept nogil:
    """Feed ``n`` samples; writes the events to ``ev`` and returns their count."""
    cdef Py_ssize_t i = 0
    cdef int m, k, n_ev = 0
    while i < n:
        m = HALF - s.pos
        if m > n - i:
            m = <int>(n - i)
        r2_corr(s.acc, d.tab, s.pos, amp + i, m, &s.e_cur)
        s.pos += m
        i += m
        if s.pos == HALF:
            _sum_sets(s.acc)
            if s.have_prev:
                n_ev = r2_mf_rx_window(s, d, ev, n_ev, channel)
            for k in range(LANES):
                s.prev[k] = s.acc[k]
            memset(s.acc, 0, sizeof(s.acc))
            s.e_prev = s.e_cur
            s.e_cur = 0
            s.have_prev = 1
            s.pos = 0
            s.half_start += HALF
    return n_ev


cdef int r2_mf_rx_flush(r2_mf_rx_state_t *s, r2_event_t *ev, int channel) noexcept nogil:
    """End of stream: closes a signal in progress; returns the event count (0 or 1)."""
    cdef int n_ev = 0
    if s.cur != 0:
        n_ev = _emit_off(s, ev, 0, channel)
    s.cand = 0
    s.cand_count = 0
    return n_ev


cdef void r2_mf_rx_init(r2_mf_rx_state_t *s) noexcept nogil:
    memset(s, 0, sizeof(r2_mf_rx_state_t))


cdef inline Py_ssize_t _event_bound(Py_ssize_t n) noexcept nogil:
    """Events one channel can produce from ``n`` samples (two per completed half-block)."""
    return 2 * (n // HALF + 2)


def _frequencies(direction):
    if direction == "forward":
        return FORWARD_HZ
    if direction == "backward":
        return BACKWARD_HZ
    raise SignalFormatError(f"direction must be 'forward' or 'backward', got {direction!r}")


def _law_table(law):
    """int16 value of each G.711 code (None for linear input)."""
    if law is None:
        return None
    if law not in ("alaw", "ulaw"):
        raise SignalFormatError(f"law must be None, 'alaw' or 'ulaw', got {law!r}")
    from boardlib.dsp._g711 import alaw_decode, ulaw_decode

    codes = np.arange(256, dtype=np.uint8)
    return np.ascontiguousarray((alaw_decode if law == "alaw" else ulaw_decode)(codes),
                                dtype=np.int16)


def _linear(frame, lut, int ndim, str name):
    """The frame as a C-contiguous int16 array (G.711 codes decoded through ``lut``)."""
    arr = np.asarray(frame)
    want = np.int16 if lut is None else np.uint8
    if arr.dtype != want or arr.ndim != ndim:
        kind = "int16 samples" if lut is None else "uint8 G.711 codes"
        shape = "one-dimensional" if ndim == 1 else "two-dimensional (channels, n)"
        raise SignalFormatError(f"{name} must be a {shape} array of {kind}, "
                                f"got {arr.dtype}{list(arr.shape)}")
    if lut is not None:
        return np.take(lut, arr)
    return np.ascontiguousarray(arr)


cdef void _descriptor_init(r2_mf_rx_descriptor_t *d, object hz, double threshold_dbm0,
                           double max_twist_db):
    cdef int k, n, i, j, sig
    cdef double w, amp
    bins = tuple(hz) + tuple(BACKWARD_HZ if hz == FORWARD_HZ else FORWARD_HZ)
    memset(d, 0, sizeof(r2_mf_rx_descriptor_t))
    for k in range(NBINS):
        w = 2.0 * M_PI * float(bins[k]) / SAMPLE_RATE
        for n in range(HALF):
            d.tab[n * LANES + 2 * k] = <float>cos(w * n)
            d.tab[n * LANES + 2 * k + 1] = <float>(-sin(w * n))
        d.rot_re[k] = cos(w * HALF)
        d.rot_im[k] = -sin(w * HALF)
    amp = 32768.0 * cpow(10.0, (threshold_dbm0 - DBM0_FULL_SCALE) / 20.0)
    d.threshold = amp * amp / 2.0
    d.twist = cpow(10.0, max_twist_db / 10.0)
    d.rel = cpow(10.0, 6.0 / 10.0)
    d.fraction = 0.75
    d.operate_windows = 2
    d.release_windows = 4
    for sig in range(1, 16):
        i, j = R2_PAIRS[sig - 1]
        d.signal_of[i * NFREQ + j] = sig
        d.signal_of[j * NFREQ + i] = sig
        d.lower_first[i * NFREQ + j] = 1 if hz[i] < hz[j] else 0
        d.lower_first[j * NFREQ + i] = 1 if hz[j] < hz[i] else 0


cdef list _events(r2_event_t *ev, int count):
    cdef int k
    out = []
    for k in range(count):
        if ev[k].kind == 1:
            out.append(R2ToneOn(int(ev[k].signal), int(ev[k].sample),
                                round(float(ev[k].low_dbm0), 2),
                                round(float(ev[k].high_dbm0), 2), int(ev[k].channel)))
        else:
            out.append(R2ToneOff(int(ev[k].signal), int(ev[k].sample), int(ev[k].duration),
                                 int(ev[k].channel)))
    return out


cdef class _EventBuffer:
    cdef r2_event_t *ev
    cdef Py_ssize_t capacity

    def __cinit__(self):
        self.ev = NULL
        self.capacity = 0

    def __dealloc__(self):
        free(self.ev)

    cdef int reserve(self, Py_ssize_t count) except -1:
        cdef r2_event_t *p
        if count <= self.capacity:
            return 0
        p = <r2_event_t *>realloc(self.ev, <size_t>count * sizeof(r2_event_t))
        if p == NULL:
            raise MemoryError("cannot allocate the R2 event buffer")
        self.ev = p
        self.capacity = count
        return 0


# ------------------------------------------------------------------------------------------
# Detector


cdef class R2ToneDetector:
    """Detects MFC-R2 register signals of one direction on one channel.

    Parameters
    ----------
    direction:
        ``"forward"`` (1380..1980 Hz, Groups I/II) or ``"backward"`` (1140..540 Hz, Groups A/B).
    threshold_dbm0:
        Minimum level of each tone (default -37 dBm0; range -50..-10).
    max_twist_db:
        Largest accepted level difference between the two tones (default 10 dB; range 3..18).
    law:
        None for int16 input, or ``"alaw"``/``"ulaw"`` for uint8 G.711 codes (E1 trunks carry
        A-law), decoded before analysis.

    ``process(frame)`` takes int16 frames of any length and returns the :class:`R2ToneOn` /
    :class:`R2ToneOff` events that the frame completed; any chunking of a stream yields the
    same events. See the module documentation for the timing figures.
    """

    cdef r2_mf_rx_descriptor_t desc
    cdef r2_mf_rx_state_t state
    cdef _EventBuffer buf
    cdef object _lut
    cdef readonly str direction
    cdef readonly double threshold_dbm0
    cdef readonly double max_twist_db
    cdef readonly int sample_rate
    cdef readonly object law

    def __init__(self, direction="forward", *, threshold_dbm0=-37.0, max_twist_db=10.0,
                 law=None):
        hz = _frequencies(direction)
        self._lut = _law_table(law)
        self.law = law
        self.threshold_dbm0 = bl_number(threshold_dbm0, "threshold_dbm0", -50.0, -10.0)
        self.max_twist_db = bl_number(max_twist_db, "max_twist_db", 3.0, 18.0)
        self.direction = direction
        self.sample_rate = SAMPLE_RATE
        _descriptor_init(&self.desc, hz, self.threshold_dbm0, self.max_twist_db)
        self.buf = _EventBuffer()
        r2_mf_rx_init(&self.state)

    def reset(self):
        """Clear the state; the timeline restarts at 0."""
        r2_mf_rx_init(&self.state)

    def process(self, frame):
        """Feed int16 samples (1-D, any length; uint8 codes with ``law``); returns the events
        they completed."""
        arr = _linear(frame, self._lut, 1, "frame")
        cdef const int16_t[::1] a = arr
        cdef Py_ssize_t n = a.shape[0]
        cdef int count
        if n == 0:
            return []
        self.buf.reserve(_event_bound(n))
        with nogil:
            count = r2_mf_rx(&self.state, &self.desc, &a[0], n, self.buf.ev, -1)
        return _events(self.buf.ev, count) if count else []

    def flush(self):
        """End of stream: returns the :class:`R2ToneOff` of a signal still on, if any."""
        self.buf.reserve(2)
        cdef int count = r2_mf_rx_flush(&self.state, self.buf.ev, -1)
        return _events(self.buf.ev, count)

    @property
    def current(self):
        """The signal now on (1..15), or None."""
        return int(self.state.cur) if self.state.cur else None

    @property
    def samples(self):
        """Samples processed since the start (or the last :meth:`reset`)."""
        return int(self.state.half_start + self.state.pos)

    def _test_window_powers(self, block):
        """Tone powers (dBm0, f0..f5) and energy (dBm0) of one 128-sample window, computed
        the way the detector does, without touching the state."""
        arr = np.ascontiguousarray(block, dtype=np.int16)
        if arr.ndim != 1 or arr.shape[0] != 2 * HALF:
            raise SignalFormatError(f"block must hold {2 * HALF} int16 samples, got {arr.shape}")
        cdef const int16_t[::1] a = arr
        cdef r2_mf_rx_state_t s
        cdef int k
        cdef double re, im
        r2_mf_rx_init(&s)
        r2_corr(s.acc, self.desc.tab, 0, &a[0], HALF, &s.e_prev)
        _sum_sets(s.acc)
        for k in range(LANES):
            s.prev[k] = s.acc[k]
        memset(s.acc, 0, sizeof(s.acc))
        r2_corr(s.acc, self.desc.tab, 0, &a[HALF], HALF, &s.e_cur)
        _sum_sets(s.acc)
        powers = []
        for k in range(NFREQ):
            re = s.prev[2 * k] + s.acc[2 * k] * self.desc.rot_re[k] - s.acc[2 * k + 1] * self.desc.rot_im[k]
            im = s.prev[2 * k + 1] + s.acc[2 * k] * self.desc.rot_im[k] + s.acc[2 * k + 1] * self.desc.rot_re[k]
            powers.append(_dbm0(2.0 * (re * re + im * im) / (4.0 * HALF * HALF)))
        return powers, _dbm0(<double>(s.e_prev + s.e_cur) / (2.0 * HALF))

    def __repr__(self):
        return (f"R2ToneDetector({self.direction!r}, threshold_dbm0={self.threshold_dbm0:g}, "
                f"max_twist_db={self.max_twist_db:g})")


cdef class R2ToneDetectorBank:
    """``channels`` independent :class:`R2ToneDetector` run in one call.

    ``process(block)`` takes an int16 ``(channels, n)`` block (uint8 G.711 codes when ``law`` is
    set; rows are made C-contiguous if they are not), runs every
    channel in one call with the GIL released, and returns the events of all channels
    (tagged with ``channel``; grouped by channel in ascending order, each channel's in time
    order). The events of channel ``c`` are exactly those of an :class:`R2ToneDetector` fed
    row ``c``.
    """

    cdef r2_mf_rx_descriptor_t desc
    cdef r2_mf_rx_state_t *states
    cdef _EventBuffer buf
    cdef object _lut
    cdef readonly int channels
    cdef readonly str direction
    cdef readonly double threshold_dbm0
    cdef readonly double max_twist_db
    cdef readonly object law

    def __cinit__(self, *args, **kwargs):
        self.states = NULL

    def __dealloc__(self):
        free(self.states)

    def __init__(self, channels, direction="forward", *, threshold_dbm0=-37.0,
                 max_twist_db=10.0, law=None):
        if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) \
                or not 1 <= channels <= 65536:
            raise SignalFormatError(f"channels must be an int within 1..65536, got {channels!r}")
        if self.states != NULL:
            raise SignalFormatError("R2ToneDetectorBank is already initialised")
        hz = _frequencies(direction)
        self._lut = _law_table(law)
        self.law = law
        self.threshold_dbm0 = bl_number(threshold_dbm0, "threshold_dbm0", -50.0, -10.0)
        self.max_twist_db = bl_number(max_twist_db, "max_twist_db", 3.0, 18.0)
        self.direction = direction
        self.channels = int(channels)
        _descriptor_init(&self.desc, hz, self.threshold_dbm0, self.max_twist_db)
        self.states = <r2_mf_rx_state_t *>malloc(self.channels * sizeof(r2_mf_rx_state_t))
        if self.states == NULL:
            raise MemoryError("cannot allocate the R2 detector states")
        self.buf = _EventBuffer()
        self.reset()

    def reset(self):
        """Clear every channel's state; the timelines restart at 0."""
        cdef int c
        for c in range(self.channels):
            r2_mf_rx_init(&self.states[c])

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def process(self, block):
        """Feed an int16 ``(channels, n)`` block (uint8 codes with ``law``); returns the
        events of all channels."""
        arr = _linear(block, self._lut, 2, "block")
        if arr.shape[0] != self.channels:
            raise SignalFormatError(f"block must have shape ({self.channels}, n), "
                                    f"got {list(arr.shape)}")
        cdef const int16_t[:, ::1] a = arr
        cdef Py_ssize_t n = a.shape[1]
        cdef int c, count = 0
        if n == 0:
            return []
        self.buf.reserve(self.channels * _event_bound(n))
        with nogil:
            for c in range(self.channels):
                count += r2_mf_rx(&self.states[c], &self.desc, &a[c, 0], n,
                                  self.buf.ev + count, c)
        return _events(self.buf.ev, count) if count else []

    def flush(self):
        """End of stream: the :class:`R2ToneOff` of every channel with a signal still on."""
        self.buf.reserve(self.channels)
        cdef int c, count = 0
        for c in range(self.channels):
            count += r2_mf_rx_flush(&self.states[c], self.buf.ev + count, c)
        return _events(self.buf.ev, count)

    def current(self):
        """The signal now on in each channel (1..15), or None."""
        return [int(self.states[c].cur) if self.states[c].cur else None
                for c in range(self.channels)]

    def __repr__(self):
        return f"R2ToneDetectorBank({self.channels}, {self.direction!r})"


# ------------------------------------------------------------------------------------------
# Generator

# One turn of a phase accumulator is 2**64.
cdef double PHASE_TO_RAD = 2.0 * M_PI / 18446744073709551616.0

ctypedef struct r2_mf_tx_state_t:
    int64_t k                    # samples of the current signal sent so far
    uint64_t inc1, inc2          # phase increments (one turn = 2**64)
    double w1re, w1im, w2re, w2im
    double z1re, z1im, z2re, z2im
    double a1, a2                # peak amplitudes of the lower and the higher tone


DEF TX_BLOCK = 256


@cython.boundscheck(False)
@cython.wraparound(False)
@cython.cdivision(True)
cdef Py_ssize_t r2_mf_tx(r2_mf_tx_state_t *s, int16_t *out, Py_ssize_t n) noexcept nogil:
    """Writes ``n`` samples of the two tones. Every TX_BLOCK samples of the tone's own
    timeline the phasors are set from the exact 64-bit phases; in between they turn by a
    complex multiply per sample. Output does not depend on the chunking."""
    cdef Py_ssize_t i
    cdef double v, t, ph
    for i in range(n):
        if s.k % TX_BLOCK == 0:
            ph = <double><int64_t>(s.inc1 * <uint64_t>s.k) * PHASE_TO_RAD
            s.z1re = cos(ph)
            s.z1im = sin(ph)
            ph = <double><int64_t>(s.inc2 * <uint64_t>s.k) * PHASE_TO_RAD
            s.z2re = cos(ph)
            s.z2im = sin(ph)
        v = s.a1 * s.z1im + s.a2 * s.z2im
        if v > 32767.0:
            v = 32767.0
        elif v < -32768.0:
            v = -32768.0
        out[i] = <int16_t>lround(v)
        t = s.z1re * s.w1re - s.z1im * s.w1im
        s.z1im = s.z1re * s.w1im + s.z1im * s.w1re
        s.z1re = t
        t = s.z2re * s.w2re - s.z2im * s.w2im
        s.z2im = s.z2re * s.w2im + s.z2im * s.w2re
        s.z2re = t
        s.k += 1
    return n


cdef class R2ToneGenerator:
    """Sends MFC-R2 register signals of one direction.

    Parameters
    ----------
    direction:
        ``"forward"`` (1380..1980 Hz) or ``"backward"`` (1140..540 Hz).
    level_dbm0:
        Level of each tone (default -8 dBm0; range -50..-3). Q.454 sends -11.5 dBm +-1 dB
        per tone at the register's relative level.
    twist_db:
        Level of the higher-frequency tone minus that of the lower one (default 0; range
        -20..20); the lower tone is at ``level_dbm0``.
    sample_rate:
        Output rate in Hz (default 8000; 8000..48000).

    Compelled signalling: :meth:`start` sends a signal until :meth:`stop` (or another
    :meth:`start`); :meth:`pulse` sends it for a set time. Each tone's phase is a 64-bit
    accumulator (one turn = 2**64) that sets a double-precision phasor every 256 samples;
    the phasor turns by one complex multiply per sample in between. Phase is continuous
    across :meth:`generate_into` calls (a new signal starts at phase 0; restarting the
    signal that is on keeps its phase), and the output does not depend on the chunking.
    """

    cdef readonly str direction
    cdef readonly double level_dbm0
    cdef readonly double twist_db
    cdef readonly int sample_rate
    cdef object _hz
    cdef int sig
    cdef int64_t remaining          # samples left of a pulse; -1 while continuous
    cdef r2_mf_tx_state_t tx

    def __init__(self, direction="forward", level_dbm0=-8.0, sample_rate=8000, *, twist_db=0.0):
        self._hz = _frequencies(direction)
        self.direction = direction
        self.level_dbm0 = bl_number(level_dbm0, "level_dbm0", -50.0, -3.0)
        self.twist_db = bl_number(twist_db, "twist_db", -20.0, 20.0)
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) \
                or not 8000 <= sample_rate <= 48000:
            raise SignalFormatError(f"sample_rate must be an int within 8000..48000 Hz, "
                                    f"got {sample_rate!r}")
        self.sample_rate = int(sample_rate)
        if self.level_dbm0 + max(self.twist_db, 0.0) > -3.0:
            raise SignalFormatError(f"level_dbm0 + twist_db must be at most -3 dBm0, got "
                                    f"{self.level_dbm0:g} + {self.twist_db:g}")
        self.sig = 0
        self.remaining = 0

    cdef int _set(self, object signal) except -1:
        if isinstance(signal, bool) or not isinstance(signal, (int, np.integer)) \
                or not 1 <= signal <= 15:
            raise SignalFormatError(f"signal must be an int within 1..15, got {signal!r}")
        if signal == self.sig:
            return 0
        i, j = R2_PAIRS[int(signal) - 1]
        lo, hi = sorted((float(self._hz[i]), float(self._hz[j])))
        self.tx.inc1 = <uint64_t>lround(lo / self.sample_rate * 4294967296.0) * <uint64_t>4294967296
        self.tx.inc2 = <uint64_t>lround(hi / self.sample_rate * 4294967296.0) * <uint64_t>4294967296
        self.tx.w1re = cos(<double><int64_t>self.tx.inc1 * PHASE_TO_RAD)
        self.tx.w1im = sin(<double><int64_t>self.tx.inc1 * PHASE_TO_RAD)
        self.tx.w2re = cos(<double><int64_t>self.tx.inc2 * PHASE_TO_RAD)
        self.tx.w2im = sin(<double><int64_t>self.tx.inc2 * PHASE_TO_RAD)
        self.tx.a1 = 32768.0 * cpow(10.0, (self.level_dbm0 - DBM0_FULL_SCALE) / 20.0)
        self.tx.a2 = 32768.0 * cpow(10.0, (self.level_dbm0 + self.twist_db - DBM0_FULL_SCALE) / 20.0)
        self.tx.k = 0
        self.sig = int(signal)
        return 0

    def start(self, signal):
        """Send ``signal`` (1..15) until :meth:`stop`."""
        self._set(signal)
        self.remaining = -1

    def pulse(self, signal, ms):
        """Send ``signal`` (1..15) for ``ms`` milliseconds (0 < ms <= 60000), then silence."""
        cdef double d = bl_number(ms, "ms", 0.0, 60000.0)
        cdef int64_t count = lround(d * self.sample_rate / 1000.0)
        if count <= 0:
            raise SignalFormatError(f"ms must be more than 0, got {ms!r}")
        self._set(signal)
        self.remaining = count

    def stop(self):
        """Stop sending; the following samples are silence."""
        self.sig = 0
        self.remaining = 0

    @property
    def current(self):
        """The signal being sent (1..15), or None."""
        return self.sig if self.sig else None

    @property
    def busy(self):
        """True while a signal is being sent."""
        return self.sig != 0

    def generate_into(self, out):
        """Fill all of ``out`` (a writable 1-D int16 buffer): the signal, then silence once
        it is stopped or its pulse is over. Returns the number of tone samples written (0
        when idle)."""
        cdef int16_t[::1] o
        try:
            o = out
        except (TypeError, ValueError) as exc:
            raise SignalFormatError("out must be a writable, contiguous 1-D int16 buffer") from exc
        cdef Py_ssize_t n = o.shape[0], m = 0
        if n == 0:
            return 0
        if self.sig:
            m = n
            if self.remaining >= 0 and self.remaining < m:
                m = <Py_ssize_t>self.remaining
            with nogil:
                r2_mf_tx(&self.tx, &o[0], m)
            if self.remaining >= 0:
                self.remaining -= m
                if self.remaining == 0:
                    self.sig = 0
        if m < n:
            memset(&o[m], 0, (n - m) * sizeof(int16_t))
        return int(m)

    def generate(self, n):
        """Return ``n`` samples as a new int16 array (see :meth:`generate_into`)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise SignalFormatError(f"n must be a non-negative int, got {n!r}")
        out = np.empty(int(n), dtype=np.int16)
        self.generate_into(out)
        return out

    def __repr__(self):
        return (f"R2ToneGenerator({self.direction!r}, level_dbm0={self.level_dbm0:g}, "
                f"sample_rate={self.sample_rate}, twist_db={self.twist_db:g})")
