"""Tones around caller ID: the CPE alerting signal (CAS) of call-waiting caller ID, and tone pairs.

What it does
------------
:func:`cas_tone` generates the CAS (2130 Hz + 2750 Hz, Telcordia GR-30 / SR-TSV-002476:
75-85 ms; BT SIN 227 sends 88-110 ms); :class:`CasDetector` finds it and reports each tone
that lasted 60-128 ms; :func:`dual_tone` makes any two-frequency burst (DTMF caller ID).

How it works
------------
The detector cuts the timeline into 10 ms blocks (80 samples) and runs a Goertzel filter
per tone on each. A block qualifies when both tones are above ``threshold_dbm0`` and together
hold at least 70 % of the block's energy, each at least 15 %. A run of 6 to 16 qualifying
blocks is one CAS.

Limits
------
8000 Hz only. Duration resolution is one block (10 ms).
"""

from dataclasses import dataclass

import numpy as np

from libc.math cimport sin, cos, M_PI, pow as cpow, lround
cimport cython
from bl_types cimport int16_t, int64_t
from bl_build cimport bl_build_info
from bl_check cimport bl_number

from boardlib.errors import SignalFormatError

__all__ = ["CasTone", "CasDetector", "cas_tone", "dual_tone", "CAS_LOW_HZ", "CAS_HIGH_HZ"]

DEF SAMPLE_RATE = 8000
DEF BLOCK = 80

CAS_LOW_HZ = 2130.0
CAS_HIGH_HZ = 2750.0


def _build_info():
    """Compiler, flags and Cython version of this module."""
    return bl_build_info()


cdef inline double _level(object v, str name) except? -1e300:
    return bl_number(v, name, -80.0, 3.14, "dBm0")


def dual_tone(f1, f2, n, *, level_dbm0=-10.0):
    """``n`` samples of two sines (``f1`` and ``f2`` Hz, each at ``level_dbm0``), int16."""
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
    """The CAS: 2130 Hz + 2750 Hz for ``duration_ms`` (GR-30: 75-85 ms), each tone at ``level_dbm0``."""
    cdef double d = bl_number(duration_ms, "duration_ms", 0.0, 10000.0)
    return dual_tone(CAS_LOW_HZ, CAS_HIGH_HZ, int(round(d * SAMPLE_RATE / 1000.0)), level_dbm0=level_dbm0)


@dataclass(frozen=True, slots=True)
class CasTone:
    """A CAS was heard: ``sample`` where it started (block resolution), ``duration`` in samples."""

    sample: int
    duration: int


ctypedef struct cas_rx_state_t:
    double s1a, s2a, s1b, s2b
    double energy
    int count
    int run
    int64_t run_start
    int64_t block_start


cdef class CasDetector:
    """Detects the CPE alerting signal (2130 + 2750 Hz) of call-waiting caller ID.

    Parameters
    ----------
    threshold_dbm0:
        Minimum level of each tone (default -35 dBm0).
    min_ms, max_ms:
        Accepted tone durations (defaults 60 and 128 ms; GR-30 sends 75-85 ms, BT 88-110 ms).
    """

    cdef cas_rx_state_t s
    cdef double ca, cb, th
    cdef int min_blocks, max_blocks

    def __init__(self, *, threshold_dbm0=-35.0, min_ms=60.0, max_ms=128.0):
        cdef double t = _level(threshold_dbm0, "threshold_dbm0")
        cdef double amp = 32768.0 * cpow(10.0, (t - 3.14) / 20.0)
        self.th = amp * amp / 2.0
        self.ca = 2.0 * cos(2.0 * M_PI * CAS_LOW_HZ / SAMPLE_RATE)
        self.cb = 2.0 * cos(2.0 * M_PI * CAS_HIGH_HZ / SAMPLE_RATE)
        if not (10.0 <= float(min_ms) <= float(max_ms) <= 1000.0):
            raise SignalFormatError(f"min_ms and max_ms must satisfy 10 <= min_ms <= max_ms <= 1000, "
                                    f"got {min_ms!r}, {max_ms!r}")
        self.min_blocks = int(round(float(min_ms) / 10.0))
        self.max_blocks = int(round(float(max_ms) / 10.0))
        self.reset()

    def reset(self):
        """Clear the state; the timeline restarts at 0."""
        self.s = cas_rx_state_t(0, 0, 0, 0, 0, 0, 0, 0, 0)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def process(self, frame):
        """Feed int16 samples; returns the :class:`CasTone` that ended in them."""
        arr = np.asarray(frame)
        if arr.dtype != np.int16 or arr.ndim != 1:
            raise SignalFormatError(f"frame must be one-dimensional int16, got {arr.dtype}{list(arr.shape)}")
        arr = np.ascontiguousarray(arr)
        cdef const int16_t[::1] a = arr
        cdef Py_ssize_t i, n = a.shape[0]
        cdef double x, t, pa, pb, e
        out = []
        for i in range(n):
            x = a[i]
            t = x + self.ca * self.s.s1a - self.s.s2a
            self.s.s2a = self.s.s1a
            self.s.s1a = t
            t = x + self.cb * self.s.s1b - self.s.s2b
            self.s.s2b = self.s.s1b
            self.s.s1b = t
            self.s.energy += x * x
            self.s.count += 1
            if self.s.count < BLOCK:
                continue
            # |X|^2 -> power of the sine: 2 |X|^2 / N^2
            pa = 2.0 * (self.s.s1a * self.s.s1a + self.s.s2a * self.s.s2a
                        - self.ca * self.s.s1a * self.s.s2a) / (BLOCK * BLOCK)
            pb = 2.0 * (self.s.s1b * self.s.s1b + self.s.s2b * self.s.s2b
                        - self.cb * self.s.s1b * self.s.s2b) / (BLOCK * BLOCK)
            e = self.s.energy / BLOCK
            if pa >= self.th and pb >= self.th and pa + pb >= 0.7 * e and pa >= 0.15 * e \
                    and pb >= 0.15 * e:
                if self.s.run == 0:
                    self.s.run_start = self.s.block_start
                self.s.run += 1
            else:
                if self.min_blocks <= self.s.run <= self.max_blocks:
                    out.append(CasTone(int(self.s.run_start), int(self.s.run * BLOCK)))
                self.s.run = 0
            self.s.s1a = self.s.s2a = self.s.s1b = self.s.s2b = 0.0
            self.s.energy = 0.0
            self.s.count = 0
            self.s.block_start += BLOCK
        return out

    def flush(self):
        """End of stream: a tone still in progress is reported if its length fits."""
        out = []
        if self.min_blocks <= self.s.run <= self.max_blocks:
            out.append(CasTone(int(self.s.run_start), int(self.s.run * BLOCK)))
        self.s.run = 0
        return out
