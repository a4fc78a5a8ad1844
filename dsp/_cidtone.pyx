"""Tones around caller ID: the CPE alerting signal (CAS) of call-waiting caller ID, and tone pairs.

What it does
------------
:func:`cas_tone` generates the CAS (2130 Hz + 2750 Hz, Telcordia GR-30 / SR-TSV-002476:
75-85 ms; BT SIN 227 sends 88-110 ms); :class:`CasDetector` finds it, also under near-end
speech, and reports each tone that lasted 60-128 ms; :func:`dual_tone` makes any
two-frequency burst (DTMF caller ID).

How it works
------------
The detector takes 10 ms DFT windows at both tones, hopped by 5 ms. Windows where the two
tones carry most of the energy above 1.8 kHz, within the twist limit, form runs; a run is one
CAS when its tones reach ``threshold_dbm0``, its duration (placed within a few samples from
the fill of its first and last windows) is within the limits and both frequencies, measured
from the phase advance between windows, are within +-1.2 % (see :class:`CasDetector`).

Limits
------
8000 Hz only. Start and duration within +-2 ms without interference.
"""

from dataclasses import dataclass

import numpy as np

from libc.math cimport sin, cos, sqrt, atan2, fabs, M_PI, pow as cpow, lround
from libc.string cimport memset
cimport cython
from bl_types cimport int16_t, int64_t
from bl_build cimport bl_build_info
from bl_check cimport bl_number

from boardlib.errors import SignalFormatError

__all__ = ["CasTone", "CasDetector", "cas_tone", "dual_tone", "CAS_LOW_HZ", "CAS_HIGH_HZ"]

DEF SAMPLE_RATE = 8000
DEF HALF = 40      # hop of the CAS detector's analysis windows (5 ms)
DEF WINDOW = 80    # its window (10 ms)

CAS_LOW_HZ = 2130.0
CAS_HIGH_HZ = 2750.0


def _build_info():
    """Compiler, flags and Cython version of this module."""
    return bl_build_info()


cdef inline double _level(object v, str name) except? -1e300:
    return bl_number(v, name, -80.0, 3.14, "dBm0")


def dual_tone(f1, f2, n, *, level_dbm0=-10.0):
    """``n`` samples of two sines (``f1`` and ``f2`` Hz, each at ``level_dbm0``), int16.

    Raises :class:`~boardlib.errors.SignalFormatError` unless both frequencies are numbers
    within 0..4000 Hz, ``n`` a non-negative int and the level a number within -80..3.14 dBm0.
    """
    cdef double a = 32768.0 * cpow(10.0, (_level(level_dbm0, "level_dbm0") - 3.14) / 20.0)
    cdef double w1, w2
    try:
        w1 = 2.0 * M_PI * float(f1) / SAMPLE_RATE
        w2 = 2.0 * M_PI * float(f2) / SAMPLE_RATE
    except (TypeError, ValueError) as exc:
        raise SignalFormatError(f"f1 and f2 must be numbers, got {f1!r}, {f2!r}") from exc
    if not (0 <= float(f1) < 4000 and 0 <= float(f2) < 4000):
        raise SignalFormatError(f"f1 and f2 must be within 0..4000 Hz, got {f1!r}, {f2!r}")
    if not isinstance(n, int) or n < 0:
        raise SignalFormatError(f"n must be a non-negative int, got {n!r}")
    out = np.empty(n, dtype=np.int16)
    cdef int16_t[::1] o = out
    cdef Py_ssize_t i
    cdef double v
    for i in range(n):
        v = a * (sin(w1 * i) + sin(w2 * i))
        if v > 32767.0:
            v = 32767.0
        elif v < -32768.0:
            v = -32768.0
        o[i] = <int16_t>lround(v)
    return out


def cas_tone(*, duration_ms=80.0, level_dbm0=-13.0):
    """The CAS: 2130 Hz + 2750 Hz for ``duration_ms`` (GR-30: 75-85 ms), each tone at ``level_dbm0``.

    Raises :class:`~boardlib.errors.SignalFormatError` unless ``duration_ms`` is a number
    within 0..10000 and ``level_dbm0`` one within -80..3.14 dBm0.
    """
    cdef double d = bl_number(duration_ms, "duration_ms", 0.0, 10000.0)
    return dual_tone(CAS_LOW_HZ, CAS_HIGH_HZ, int(round(d * SAMPLE_RATE / 1000.0)), level_dbm0=level_dbm0)


@dataclass(frozen=True, slots=True)
class CasTone:
    """A CAS was heard: ``sample`` where it started and ``duration``, both in samples
    (within +-2 ms without interference)."""

    sample: int
    duration: int


# Butterworth high-pass, 4th order, -3 dB at 1800 Hz (two RBJ biquads with the Butterworth
# pole Qs: together the bilinear transform of the analogue prototype).
DEF HP_HZ = 1800.0
# Frequency tolerance of each tone, on the run's mean phase advance.
DEF FREQ_TOL = 0.012
# Purity: the two tones carry at least this share of the energy above 1.8 kHz (-4 dB).
DEF PURITY = 0.4
# A window joins a run with each tone down to 12 dB under the threshold (partly filled
# windows at the ends); the run's median power must reach the threshold.
DEF EDGE = 0.0625
DEF RUNCAP = 256   # windows whose powers are kept (more than max_ms allows)

ctypedef struct cas_rx_desc_t:
    double cre[2][HALF]     # cos(w n), n = 0..HALF-1, for each tone
    double cim[2][HALF]     # -sin(w n)
    double rot_re[2]        # exp(-j w HALF): moves a half to its window's phase origin
    double rot_im[2]
    double tol[2]           # largest accepted mean phase advance error per hop, radians
    double hp[2][5]         # biquads: b0, b1, b2, a1, a2
    double th               # minimum mean square of each tone
    double twist            # largest power ratio between the tones
    double min_len, max_len # accepted durations, samples


ctypedef struct cas_rx_state_t:
    double z[2][2]          # biquad states (transposed direct form II)
    double acc_re[2]        # the half being filled
    double acc_im[2]
    double acc_e
    int count
    bint have_prev          # the previous half is complete
    double prev_re[2]
    double prev_im[2]
    double prev_e
    double win_re[2]        # the last qualifying window
    double win_im[2]
    double adv_re[2]        # sum over the run of W(k+1) * conj(W(k)) * rot
    double adv_im[2]
    int64_t run             # qualifying windows in a row
    double power[2][RUNCAP] # their tone powers
    int64_t run_start
    int64_t half_start      # first sample of the half being filled


cdef void _hp_coeffs(double *c, double q) noexcept nogil:
    cdef double w0 = 2.0 * M_PI * HP_HZ / SAMPLE_RATE
    cdef double alpha = sin(w0) / (2.0 * q)
    cdef double a0 = 1.0 + alpha
    c[0] = (1.0 + cos(w0)) / 2.0 / a0
    c[1] = -(1.0 + cos(w0)) / a0
    c[2] = c[0]
    c[3] = -2.0 * cos(w0) / a0
    c[4] = (1.0 - alpha) / a0


cdef double _median(const double *p, int n) noexcept nogil:
    """Median of ``p[0..n-1]`` (n <= RUNCAP), by insertion sort of a copy."""
    cdef double tmp[RUNCAP]
    cdef double v
    cdef int i, j
    for i in range(n):
        v = p[i]
        j = i
        while j > 0 and tmp[j - 1] > v:
            tmp[j] = tmp[j - 1]
            j -= 1
        tmp[j] = v
    return tmp[n // 2] if n % 2 else 0.5 * (tmp[n // 2 - 1] + tmp[n // 2])


cdef inline double _fill(const cas_rx_state_t *s, int i, const double *med) noexcept nogil:
    """Share of window ``i`` of the run that the tone fills: its amplitude over the median."""
    cdef double f = 0.5 * (sqrt(s.power[0][i] / med[0]) + sqrt(s.power[1][i] / med[1]))
    return f if f < 1.0 else 1.0


cdef int _end_run(cas_rx_state_t *s, const cas_rx_desc_t *d, int64_t *ev,
                  int nev) noexcept nogil:
    """Closes the run; appends (start, duration) to ``ev`` when it was a CAS."""
    cdef int n = <int>s.run if s.run <= RUNCAP else RUNCAP + 1
    cdef int k
    cdef double med[2]
    cdef double onset, end
    cdef bint ok = 3 <= n <= RUNCAP
    if ok:
        for k in range(2):
            med[k] = _median(s.power[k], n)
            if med[k] < d.th:
                ok = False
    if ok:
        # The tone fills the end of the first window and the start of the last one.
        onset = (1.0 - _fill(s, 0, med)) * WINDOW
        end = (n - 1) * HALF + _fill(s, n - 1, med) * WINDOW
        ok = d.min_len <= end - onset <= d.max_len
    if ok:
        for k in range(2):
            if fabs(atan2(s.adv_im[k], s.adv_re[k])) > d.tol[k]:
                ok = False
    if ok:
        ev[2 * nev] = s.run_start + lround(onset)
        ev[2 * nev + 1] = lround(end) - lround(onset)
        nev += 1
    s.run = 0
    return nev


@cython.boundscheck(False)
@cython.wraparound(False)
@cython.cdivision(True)
cdef int _cas_rx(cas_rx_state_t *s, const cas_rx_desc_t *d, const int16_t *x, Py_ssize_t n,
                 int64_t *ev) noexcept nogil:
    """Analyses ``n`` samples; writes the CAS that ended as (start, duration) pairs."""
    cdef Py_ssize_t i
    cdef int k, j, nev = 0
    cdef double v, y, t, re, im, e
    cdef double pk[2]
    cdef double wre[2]
    cdef double wim[2]
    for i in range(n):
        v = x[i]
        j = s.count
        for k in range(2):
            s.acc_re[k] += v * d.cre[k][j]
            s.acc_im[k] += v * d.cim[k][j]
        # high-pass for the purity test (two biquads)
        y = v
        for k in range(2):
            t = d.hp[k][0] * y + s.z[k][0]
            s.z[k][0] = d.hp[k][1] * y - d.hp[k][3] * t + s.z[k][1]
            s.z[k][1] = d.hp[k][2] * y - d.hp[k][4] * t
            y = t
        s.acc_e += y * y
        s.count = j + 1
        if s.count < HALF:
            continue
        if s.have_prev:
            # The window is the previous half and this one, phase origin at its start.
            for k in range(2):
                wre[k] = s.prev_re[k] + s.acc_re[k] * d.rot_re[k] - s.acc_im[k] * d.rot_im[k]
                wim[k] = s.prev_im[k] + s.acc_re[k] * d.rot_im[k] + s.acc_im[k] * d.rot_re[k]
                # |X|^2 -> mean square of the sine: 2 |X|^2 / N^2
                pk[k] = 2.0 * (wre[k] * wre[k] + wim[k] * wim[k]) / (WINDOW * WINDOW)
            e = (s.prev_e + s.acc_e) / WINDOW
            if (pk[0] >= EDGE * d.th and pk[1] >= EDGE * d.th and pk[0] + pk[1] >= PURITY * e
                    and pk[0] <= d.twist * pk[1] and pk[1] <= d.twist * pk[0]):
                if s.run == 0:
                    s.run_start = s.half_start - HALF
                    for k in range(2):
                        s.adv_re[k] = 0.0
                        s.adv_im[k] = 0.0
                else:
                    for k in range(2):
                        # W(k+1) conj(W(k)), turned back by the nominal advance
                        re = wre[k] * s.win_re[k] + wim[k] * s.win_im[k]
                        im = wim[k] * s.win_re[k] - wre[k] * s.win_im[k]
                        s.adv_re[k] += re * d.rot_re[k] - im * d.rot_im[k]
                        s.adv_im[k] += re * d.rot_im[k] + im * d.rot_re[k]
                for k in range(2):
                    s.win_re[k] = wre[k]
                    s.win_im[k] = wim[k]
                    if s.run < RUNCAP:
                        s.power[k][s.run] = pk[k]
                s.run += 1
            elif s.run:
                nev = _end_run(s, d, ev, nev)
        for k in range(2):
            s.prev_re[k] = s.acc_re[k]
            s.prev_im[k] = s.acc_im[k]
            s.acc_re[k] = 0.0
            s.acc_im[k] = 0.0
        s.prev_e = s.acc_e
        s.acc_e = 0.0
        s.have_prev = True
        s.count = 0
        s.half_start += HALF
    return nev


cdef class CasDetector:
    """Detects the CPE alerting signal (2130 + 2750 Hz) of call-waiting caller ID.

    What it does
    ------------
    Finds the CAS in 8 kHz audio pushed in frames of any length, also while the near end
    talks (Type II caller ID arrives during a call). Each CAS is reported when it ends, as a
    :class:`CasTone` with its start sample and duration. The result does not depend on how
    the audio is cut into frames.

    Parameters
    ----------
    threshold_dbm0:
        Minimum level of each tone, in [-80, 3.14] dBm0 (default -35 dBm0; GR-30 receive
        range -14 to -32 dBm0 per tone).
    min_ms, max_ms:
        Accepted measured durations, 10 <= min_ms <= max_ms <= 1000 (defaults 60 and 128 ms:
        GR-30 sends 75-85 ms, BT SIN 227 88-110 ms).
    max_twist_db:
        Largest level difference between the two tones, in [0, 20] dB (default 8 dB; GR-30
        allows up to 6 dB).

    Raises :class:`~boardlib.errors.SignalFormatError` for a parameter that is not a number
    or lies outside its range, and for a frame that is not one-dimensional int16.

    How it works
    ------------
    * DFTs at 2130 and 2750 Hz over 80-sample windows (10 ms) hopped by 40 samples. The
      samples are correlated in half-windows of 40; a window is two consecutive halves, the
      second turned to the window's phase origin.
    * A window joins a run when both tones are above the threshold - 12 dB, within the
      twist limit of each other, and together carry at least 40 % (-4 dB) of the window's
      energy above 1.8 kHz (4th-order Butterworth high-pass): near-end speech, whose energy
      lies mostly below that, leaves the CAS measurable.
    * When the run ends it is a CAS if the median power of each tone over the run reaches
      the threshold, its duration is within ``min_ms``..``max_ms`` and the frequency of each
      tone is within +-1.2 % of nominal (GR-30 sends +-0.5 %; a note's 3rd and 4th
      harmonics next to the CAS pair need +-1.6 %).
    * Duration: a window's amplitude over the run's median is the share of it that the tone
      fills, so the first and last windows of the run place the start and the end within a
      few samples, whatever the level.
    * Frequency: the mean phase advance of each tone's DFT from window to window over the
      run (unambiguous within +-100 Hz).
    * The samples are analysed with the GIL released; only the reported tones are objects.

    Limits
    ------
    * Without interference the start and the duration are measured within +-2 ms, so tones
      lasting from ``min_ms`` + 2 to ``max_ms`` - 2 ms are always reported and those outside
      ``min_ms`` - 2 .. ``max_ms`` + 2 ms never (defaults: 62-126 ms always, up to 58 ms and
      from 130 ms never).
    * Each tone within +-1 % of nominal is accepted, beyond +-1.5 % never.
    * Tones within +-1 % from 1 dB above the threshold up are accepted, 3 dB below it never;
      twist up to the limit - 2 dB always is, beyond the limit + 2 dB never.
    * With near-end speech at -20 to -15 dBm0 (active level), about 99 % of CAS at -20 dBm0
      per tone are found, 90 % at -26 dBm0.
    * 8000 Hz only.
    """

    cdef cas_rx_desc_t d
    cdef cas_rx_state_t s

    def __init__(self, *, threshold_dbm0=-35.0, min_ms=60.0, max_ms=128.0, max_twist_db=8.0):
        cdef double t = _level(threshold_dbm0, "threshold_dbm0")
        cdef double lo = bl_number(min_ms, "min_ms", 10.0, 1000.0, "ms")
        cdef double hi = bl_number(max_ms, "max_ms", 10.0, 1000.0, "ms")
        cdef double tw = bl_number(max_twist_db, "max_twist_db", 0.0, 20.0, "dB")
        cdef double amp = 32768.0 * cpow(10.0, (t - 3.14) / 20.0)
        cdef double w
        cdef int k, i
        if lo > hi:
            raise SignalFormatError(f"min_ms must not exceed max_ms, got {min_ms!r} > {max_ms!r}")
        self.d.th = amp * amp / 2.0
        self.d.twist = cpow(10.0, tw / 10.0)
        self.d.min_len = lo * SAMPLE_RATE / 1000.0
        self.d.max_len = hi * SAMPLE_RATE / 1000.0
        for k in range(2):
            f = CAS_LOW_HZ if k == 0 else CAS_HIGH_HZ
            w = 2.0 * M_PI * f / SAMPLE_RATE
            for i in range(HALF):
                self.d.cre[k][i] = cos(w * i)
                self.d.cim[k][i] = -sin(w * i)
            self.d.rot_re[k] = cos(w * HALF)
            self.d.rot_im[k] = -sin(w * HALF)
            self.d.tol[k] = 2.0 * M_PI * FREQ_TOL * f * HALF / SAMPLE_RATE
        _hp_coeffs(self.d.hp[0], 0.5 / cos(M_PI / 8.0))
        _hp_coeffs(self.d.hp[1], 0.5 / cos(3.0 * M_PI / 8.0))
        self.reset()

    def reset(self):
        """Clear the state; the timeline restarts at 0."""
        memset(&self.s, 0, sizeof(cas_rx_state_t))

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef list _events(self, const int64_t[::1] ev, int nev):
        return [CasTone(int(ev[2 * i]), int(ev[2 * i + 1])) for i in range(nev)]

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def process(self, frame):
        """Feed int16 samples; returns the :class:`CasTone` that ended in them."""
        arr = np.asarray(frame)
        if arr.dtype != np.int16 or arr.ndim != 1:
            raise SignalFormatError(f"frame must be one-dimensional int16, got {arr.dtype}{list(arr.shape)}")
        arr = np.ascontiguousarray(arr)
        cdef const int16_t[::1] a = arr
        cdef Py_ssize_t n = a.shape[0]
        if n == 0:
            return []
        ev_arr = np.empty(2 * (n // HALF + 2), dtype=np.int64)
        cdef int64_t[::1] ev = ev_arr
        cdef int nev
        with nogil:
            nev = _cas_rx(&self.s, &self.d, &a[0], n, &ev[0])
        return self._events(ev, nev) if nev else []

    def flush(self):
        """End of stream: a tone still in progress is reported if it qualifies."""
        cdef int64_t ev[2]
        cdef int nev = 0
        if self.s.run:
            nev = _end_run(&self.s, &self.d, ev, 0)
        return [CasTone(int(ev[0]), int(ev[1]))] if nev else []
