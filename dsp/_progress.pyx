# cython: cdivision=True
"""Compiled core of call-progress analysis: a Goertzel bank with block classification,
tone run tracking and voice activity, for one channel or a bank of channels.

The public detectors (:class:`~boardlib.dsp.ToneDetector`, :class:`~boardlib.dsp.ToneDetectorBank`)
live in ``boardlib.dsp.progress``; they compile a tone profile into the tables this core takes
and turn its run records into events and cadences. This module works in 20 ms blocks
(160 samples at 8 kHz), aligned on each channel's absolute timeline, so any chunking of the
input gives the same records.

Per block and channel the kernel computes the block energy and, for each frequency, the energy
of the matching sine estimated by a Goertzel filter. A frequency may use shorter sub-blocks
(80, 40 or 20 samples, their powers summed) to widen its pass band for higher frequencies. The
Goertzel recursion runs over channels in a structure-of-arrays layout (samples transposed to
``[t][channel]``) so the compiler vectorises it across channels.

A block belongs to a *signature* (a set of frequencies) when every component reaches the
minimum level, the strongest and weakest components differ by at most the twist limit, and
the components hold at least the given fraction of the block energy. Of the signatures that
pass, the one with most components wins. Runs of equal signatures are debounced (minimum
on-blocks, hangover) and reported as records: tone on, tone off, tone long, voice on, voice off.
"""

from libc.stdint cimport int16_t, int32_t, int64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memset
from libc.math cimport acos, atan2, cos, fabs, sin, sqrt, M_PI
cimport cython
import numpy as np

from bl_build cimport bl_build_info
from bl_check cimport bl_channels

from boardlib.errors import SignalFormatError

cdef extern from *:
    """
    #include <stdint.h>
    /* No fused multiply-add contraction: the vector (bank) and scalar (one channel) paths
       must round alike so a bank gives exactly the events of single detectors. */
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC optimize ("fp-contract=off")
    #endif
    #define BL_PROGRESS_BLOCK 160
    #define BL_PROGRESS_CHUNK 32
    #if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__)) && defined(__linux__)
    #define BL_PROGRESS_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
    #else
    #define BL_PROGRESS_CLONES
    #endif
    /* Energy and Goertzel powers of one 160-sample block for C channels.
       x: [160][C] floats (transposed block); power: [nf][C]; energy: [C].
       s1, s2: scratch of BL_PROGRESS_CHUNK floats. */
    /* One sub-block of L samples for exactly BL_PROGRESS_CHUNK channels: fixed trip counts
       let the compiler keep the filter state in vector registers. */
    static inline __attribute__((always_inline)) void
    bl_progress_goertzel_chunk(const float *x, long stride, int L, float k, float *acc,
                               float *re, float *im, float cw, float sw)
    {
        float s1[BL_PROGRESS_CHUNK] = {0}, s2[BL_PROGRESS_CHUNK] = {0};
        for (int t = 0; t < L; t++) {
            const float *xt = x + (long)t * stride;
            for (int c = 0; c < BL_PROGRESS_CHUNK; c++) {
                float s0 = (xt[c] - s2[c]) + k * s1[c];
                s2[c] = s1[c];
                s1[c] = s0;
            }
        }
        const float scale = 2.0f / (float)L;
        for (int c = 0; c < BL_PROGRESS_CHUNK; c++)
            acc[c] += scale * (s1[c] * s1[c] + s2[c] * s2[c] - k * s1[c] * s2[c]);
        if (re) {
            for (int c = 0; c < BL_PROGRESS_CHUNK; c++) {
                re[c] = s1[c] - s2[c] * cw;
                im[c] = s2[c] * sw;
            }
        }
    }

    /* Copy x[c][i .. i+take) (rows of row_stride samples) into xbuf[fill + t][c]. */
    static void bl_progress_transpose(const int16_t *x, long row_stride, int C, long i,
                                      int take, float *xbuf, int fill)
    {
        for (int c0 = 0; c0 < C; c0 += 16) {
            int nc = C - c0 < 16 ? C - c0 : 16;
            for (int t0 = 0; t0 < take; t0 += 16) {
                int nt = take - t0 < 16 ? take - t0 : 16;
                for (int c = 0; c < nc; c++) {
                    const int16_t *src = x + (long)(c0 + c) * row_stride + i + t0;
                    float *dst = xbuf + (long)(fill + t0) * C + c0 + c;
                    for (int t = 0; t < nt; t++) dst[(long)t * C] = (float)src[t];
                }
            }
        }
    }

    #define BL_PROGRESS_MAXF 16
    /* All filters of one channel (x with the given stride), the filters side by side so
       their independent recursions overlap (a single channel has no other parallelism).
       Sub-blocks of every length are multiples of 20 samples. Same arithmetic, in the
       same order per filter, as the chunk kernel. */
    static inline void
    bl_progress_channel(const float *x, long stride, int nf, const float *coef,
                        const int *sublen, float *power, long pstride, int cf, float cw,
                        float sw, float *cre, float *cim)
    {
        float s1[BL_PROGRESS_MAXF] = {0}, s2[BL_PROGRESS_MAXF] = {0};
        float acc[BL_PROGRESS_MAXF] = {0}, k[BL_PROGRESS_MAXF] = {0};
        for (int f = 0; f < nf; f++) k[f] = coef[f];
        for (int b = 0; b < BL_PROGRESS_BLOCK; b += 20) {
            for (int t = b; t < b + 20; t++) {
                const float xv = x[(long)t * stride];
                for (int f = 0; f < BL_PROGRESS_MAXF; f++) {
                    float s0 = (xv - s2[f]) + k[f] * s1[f];
                    s2[f] = s1[f];
                    s1[f] = s0;
                }
            }
            for (int f = 0; f < nf; f++) {
                const int L = sublen[f];
                if ((b + 20) % L)
                    continue;
                const float scale = 2.0f / (float)L;
                acc[f] += scale * (s1[f] * s1[f] + s2[f] * s2[f] - k[f] * s1[f] * s2[f]);
                if (f == cf && b + 20 == BL_PROGRESS_BLOCK) {
                    *cre = s1[f] - s2[f] * cw;
                    *cim = s2[f] * sw;
                }
                s1[f] = 0.0f;
                s2[f] = 0.0f;
            }
        }
        for (int f = 0; f < nf; f++) power[(long)f * pstride] = acc[f];
    }

    BL_PROGRESS_CLONES
    static void bl_progress_block(const float *x, int C, int nf, const float *coef,
                                  const int *sublen, float *power, float *energy,
                                  float min_energy, int cf, float cw, float sw,
                                  float *cre, float *cim)
    {
        float acc[BL_PROGRESS_CHUNK];
        for (int c0 = 0; c0 < C; c0 += BL_PROGRESS_CHUNK) {
            int n = C - c0 < BL_PROGRESS_CHUNK ? C - c0 : BL_PROGRESS_CHUNK;
            for (int c = 0; c < n; c++) acc[c] = 0.0f;
            for (int t = 0; t < BL_PROGRESS_BLOCK; t++) {
                const float *xt = x + (long)t * C + c0;
                for (int c = 0; c < n; c++) acc[c] += xt[c] * xt[c];
            }
            int loud = 0;
            for (int c = 0; c < n; c++) {
                energy[c0 + c] = acc[c];
                loud |= acc[c] >= min_energy;
            }
            if (!loud) {
                /* No channel of this chunk could hold a tone: skip its filters. */
                for (int f = 0; f < nf; f++)
                    for (int c = 0; c < n; c++) power[(long)f * C + c0 + c] = 0.0f;
                if (cf >= 0)
                    for (int c = 0; c < n; c++) { cre[c0 + c] = 0.0f; cim[c0 + c] = 0.0f; }
                continue;
            }
            if (n < BL_PROGRESS_CHUNK) {
                /* A short chunk (one channel, or the tail of a bank): channel by channel. */
                for (int c = 0; c < n; c++)
                    bl_progress_channel(x + c0 + c, C, nf, coef, sublen, power + c0 + c, C,
                                        cf, cw, sw, cre + c0 + c, cim + c0 + c);
                continue;
            }
            for (int f = 0; f < nf; f++) {
                const int L = sublen[f];
                float *p = power + (long)f * C + c0;
                for (int c = 0; c < BL_PROGRESS_CHUNK; c++) acc[c] = 0.0f;
                for (int b = 0; b < BL_PROGRESS_BLOCK; b += L) {
                    int last = f == cf && b + L == BL_PROGRESS_BLOCK;
                    bl_progress_goertzel_chunk(x + (long)b * C + c0, C, L, coef[f], acc,
                                               last ? cre + c0 : NULL,
                                               last ? cim + c0 : NULL, cw, sw);
                }
                for (int c = 0; c < BL_PROGRESS_CHUNK; c++) p[c] = acc[c];
            }
        }
    }
    """
    void bl_progress_block(const float *x, int C, int nf, const float *coef,
                           const int *sublen, float *power, float *energy,
                           float min_energy, int cf, float cw, float sw,
                           float *cre, float *cim) noexcept nogil
    void bl_progress_transpose(const int16_t *x, long row_stride, int C, long i, int take,
                               float *xbuf, int fill) noexcept nogil

DEF MAXF = 16
DEF MAXSIG = 32
DEF MAXCOMP = 4
DEF BLOCK = 160
DEF V21_WIN = 27          # one V.21 bit (8000 / 300 = 26.7 samples)
DEF V21_FLAGS = 5         # flags in a row that make a preamble (as spandsp)

# Record kinds (column 1 of the record array).
cdef enum:
    K_TONE_ON = 1
    K_TONE_OFF = 2
    K_TONE_LONG = 3
    K_VOICE_ON = 4
    K_VOICE_OFF = 5
    K_V21 = 6

REC_TONE_ON = K_TONE_ON
REC_TONE_OFF = K_TONE_OFF
REC_TONE_LONG = K_TONE_LONG
REC_VOICE_ON = K_VOICE_ON
REC_VOICE_OFF = K_VOICE_OFF
REC_V21 = K_V21

#: Samples per analysis block.
BLOCK_SAMPLES = BLOCK

_NO_RECORDS = (np.zeros((0, 7), dtype=np.int64), np.zeros(0, dtype=np.float64))
_NO_RECORDS[0].flags.writeable = False
_NO_RECORDS[1].flags.writeable = False


def _build_info():
    return bl_build_info()


ctypedef struct progress_descriptor_t:
    int nf
    float coef[MAXF]
    int sublen[MAXF]
    int nsig
    int sig_n[MAXSIG]
    int sig_f[MAXSIG][MAXCOMP]
    int min_on[MAXSIG]
    int long_blocks[MAXSIG]
    float sig_fraction[MAXSIG]
    int ans_f                # frequency index of the 2100 Hz answer tone, -1 for none
    int v21_f                # frequency index of the V.21 channel 2 band filter, -1 for none
    float v21_mark_re[BLOCK]  # e^{-j w n} over one block, 1650 Hz (mark, "1")
    float v21_mark_im[BLOCK]
    float v21_space_re[BLOCK]  # 1850 Hz (space, "0")
    float v21_space_im[BLOCK]
    float v21_mark_wr         # e^{j w N}: the phasor N samples back, relative to now
    float v21_mark_wi
    float v21_space_wr
    float v21_space_wi
    int ans_sig              # its signature index, -1 for none
    float ans_cos
    float ans_sin
    float sig_twist[MAXSIG]
    float min_comp
    float fraction
    float twist
    int hangover
    float voice_min
    int voice_on_blocks
    int voice_hangover


ctypedef struct progress_rx_state_t:
    int64_t block            # index of the next block on this channel
    int cur                  # established tone (signature index + 1), 0 for none
    int64_t cur_start        # first block of the established tone
    int64_t cur_end          # one past the last block of the established tone
    double cur_energy        # summed component energy over the run
    int cur_long             # long record already sent for this run
    int gap                  # blocks since cur_end
    int cand                 # candidate signature + 1
    int64_t cand_start
    int cand_count
    double cand_energy
    double cand_prev         # component energy of the previous candidate block
    int voice                # voice established
    int64_t voice_start
    int64_t voice_end
    double voice_energy
    int voice_count          # consecutive voiced blocks before establishment
    int64_t vcand_start
    double vcand_energy
    int voice_gap
    double floor             # tracked noise floor (block energy)
    int ans_n                # blocks of the current answer-tone run
    int ans_miss             # blocks since the last answer-tone block
    double ans_ph1           # phase of the previous block
    double ans_ph2           # phase two blocks back
    double ans_dref          # expected phase advance over two blocks
    int ans_refr             # blocks left before another reversal may count
    int ans_rev              # phase reversals in the run
    double am_sum            # envelope sums for the 15 Hz modulation (V.8 ANSam)
    double am_c
    double am_s
    double am_wc
    double am_ws
    double am_last
    float v21_ring[V21_WIN]  # last V21_WIN samples
    int v21_pos
    float mark_re, mark_im, space_re, space_im  # sliding one-bit correlations
    float v21_clock          # position in the bit, samples
    int v21_last             # last hard decision
    int v21_reg              # received bits, newest in bit 7
    int v21_since            # bits since the last flag
    int v21_flags            # consecutive flags, 8 bits apart
    int v21_reported
    int v21_miss
    int64_t v21_first        # sample of the first flag of the run


cdef inline double _wrap(double x) noexcept nogil:
    while x > M_PI:
        x -= 2 * M_PI
    while x < -M_PI:
        x += 2 * M_PI
    return x


cdef class ProgressCore:
    """Goertzel bank and run tracker over ``channels`` channels (see the module docstring).

    Parameters are the compiled tables: ``coef`` (2 cos w per frequency), ``sublen``
    (sub-block length per frequency, one of 160, 80, 40, 20), ``signatures`` (a list of
    tuples of frequency indices), ``min_on`` and ``long_blocks`` per signature (blocks),
    and energy thresholds in sample-squared units summed over a block. ``relaxed`` flags the
    signatures whose components are too close to be measured apart (their fraction is
    lowered by 30 %).
    """

    cdef progress_descriptor_t desc
    cdef progress_rx_state_t *st
    cdef float *xbuf          # [BLOCK][channels]
    cdef float *power         # [nf][channels]
    cdef float *energy        # [channels]
    cdef float *cre           # [channels] answer-tone DFT value, real part
    cdef float *cim           # [channels] imaginary part
    cdef int fill
    cdef readonly int channels
    cdef object _rec
    cdef object _lev

    def __cinit__(self, int channels, coef, sublen, signatures, min_on, long_blocks,
                  double min_comp, double fraction, double twist, int hangover,
                  double voice_min, int voice_on_blocks, int voice_hangover,
                  relaxed=None, int answer_index=-1, int answer_signature=-1,
                  int v21_index=-1):
        cdef int i, j
        bl_channels(channels)
        if len(coef) < 1 or len(coef) > MAXF or len(sublen) != len(coef):
            raise SignalFormatError(f"frequencies: 1..{MAXF} allowed, got {len(coef)}")
        if len(signatures) < 1 or len(signatures) > MAXSIG:
            raise SignalFormatError(f"signatures: 1..{MAXSIG} allowed, got {len(signatures)}")
        self.channels = channels
        self.desc.nf = len(coef)
        for i in range(self.desc.nf):
            self.desc.coef[i] = coef[i]
            if sublen[i] not in (20, 40, 80, 160):
                raise SignalFormatError(f"sublen must be 20, 40, 80 or 160, got {sublen[i]}")
            self.desc.sublen[i] = sublen[i]
        self.desc.nsig = len(signatures)
        for i in range(self.desc.nsig):
            sig = tuple(signatures[i])
            if not 1 <= len(sig) <= MAXCOMP:
                raise SignalFormatError(f"signature {i}: 1..{MAXCOMP} frequencies allowed")
            self.desc.sig_n[i] = len(sig)
            for j in range(len(sig)):
                if not 0 <= sig[j] < self.desc.nf:
                    raise SignalFormatError(f"signature {i}: frequency index out of range")
                self.desc.sig_f[i][j] = sig[j]
            self.desc.min_on[i] = max(1, int(min_on[i]))
            self.desc.long_blocks[i] = max(0, int(long_blocks[i]))
            self.desc.sig_fraction[i] = fraction
            self.desc.sig_twist[i] = twist
            if relaxed is not None and relaxed[i]:
                # Components closer than 1.5 filter bandwidths beat inside each other's
                # filter: their estimates swing with the relative phase.
                self.desc.sig_fraction[i] = 0.7 * fraction
        self.desc.min_comp = min_comp
        if not -1 <= answer_index < self.desc.nf or not -1 <= answer_signature < self.desc.nsig:
            raise SignalFormatError("answer_index/answer_signature out of range")
        self.desc.ans_f = answer_index
        if not -1 <= v21_index < self.desc.nf:
            raise SignalFormatError("v21_index out of range")
        self.desc.v21_f = v21_index
        for i in range(BLOCK):
            self.desc.v21_mark_re[i] = cos(2 * M_PI * 1650.0 * i / 8000.0)
            self.desc.v21_mark_im[i] = -sin(2 * M_PI * 1650.0 * i / 8000.0)
            self.desc.v21_space_re[i] = cos(2 * M_PI * 1850.0 * i / 8000.0)
            self.desc.v21_space_im[i] = -sin(2 * M_PI * 1850.0 * i / 8000.0)
        self.desc.v21_mark_wr = cos(2 * M_PI * 1650.0 * V21_WIN / 8000.0)
        self.desc.v21_mark_wi = sin(2 * M_PI * 1650.0 * V21_WIN / 8000.0)
        self.desc.v21_space_wr = cos(2 * M_PI * 1850.0 * V21_WIN / 8000.0)
        self.desc.v21_space_wi = sin(2 * M_PI * 1850.0 * V21_WIN / 8000.0)
        self.desc.ans_sig = answer_signature
        if answer_index >= 0:
            w = acos(max(-1.0, min(1.0, self.desc.coef[answer_index] / 2.0)))
            self.desc.ans_cos = cos(w)
            self.desc.ans_sin = sin(w)
            if self.desc.sublen[answer_index] != BLOCK:
                raise SignalFormatError("the answer-tone frequency needs 160-sample blocks")
        self.desc.fraction = fraction
        self.desc.twist = twist
        self.desc.hangover = max(1, hangover)
        self.desc.voice_min = voice_min
        self.desc.voice_on_blocks = max(1, voice_on_blocks)
        self.desc.voice_hangover = max(1, voice_hangover)
        self.st = <progress_rx_state_t *> calloc(channels, sizeof(progress_rx_state_t))
        self.xbuf = <float *> calloc(BLOCK * channels, sizeof(float))
        self.power = <float *> calloc(self.desc.nf * channels, sizeof(float))
        self.energy = <float *> calloc(channels, sizeof(float))
        self.cre = <float *> calloc(channels, sizeof(float))
        self.cim = <float *> calloc(channels, sizeof(float))
        if (not self.st or not self.xbuf or not self.power or not self.energy or not self.cre
                or not self.cim):
            raise MemoryError()
        self.fill = 0
        self._rec = np.zeros((max(64, 4 * channels), 7), dtype=np.int64)
        self._lev = np.zeros(max(64, 4 * channels), dtype=np.float64)

    def __dealloc__(self):
        free(self.st)
        free(self.xbuf)
        free(self.power)
        free(self.energy)
        free(self.cre)
        free(self.cim)

    def reset(self):
        """Clear every channel's state and the partial block (the tables stay)."""
        cdef int i
        for i in range(self.channels * BLOCK):
            self.xbuf[i] = 0.0
        memset(self.st, 0, self.channels * sizeof(progress_rx_state_t))
        self.fill = 0

    @property
    def sample(self):
        """Samples consumed so far on each channel's timeline."""
        return int(self.st[0].block) * BLOCK + self.fill

    def process(self, const int16_t[:, ::1] x):
        """Feed ``x[channels, n]``; return ``(records int64[k, 6], levels float64[k])``.

        Record columns: channel, kind, signature (0-based, -1 for voice), start sample,
        end sample, and for the answer tone the phase reversals seen and the 15 Hz
        modulation depth in permille. ``levels`` holds the mean energy per block.
        """
        if x.shape[0] != self.channels:
            raise SignalFormatError(
                f"block must have {self.channels} rows (channels), got {x.shape[0]}")
        cdef Py_ssize_t n = x.shape[1]
        cdef Py_ssize_t need = (self.fill + n) // BLOCK
        cdef Py_ssize_t cap = 4 * self.channels * (need + 1) + 16
        if self._rec.shape[0] < cap:
            self._rec = np.zeros((cap, 7), dtype=np.int64)
            self._lev = np.zeros(cap, dtype=np.float64)
        cdef int64_t[:, ::1] rec = self._rec
        cdef double[::1] lev = self._lev
        cdef Py_ssize_t k
        with nogil:
            k = self._feed(x, rec, lev)
        if k == 0:
            return _NO_RECORDS
        return self._rec[:k].copy(), self._lev[:k].copy()

    def flush(self):
        """Close open tone and voice runs at the current sample; return records."""
        cdef int64_t[:, ::1] rec = self._rec
        cdef double[::1] lev = self._lev
        cdef Py_ssize_t k = 0
        cdef int c
        cdef progress_rx_state_t *s
        for c in range(self.channels):
            s = &self.st[c]
            if s.cur:
                k = self._emit(rec, lev, k, c, K_TONE_OFF, s.cur - 1, s.cur_start * BLOCK,
                               s.cur_end * BLOCK, s.cur_energy / max(1, s.cur_end - s.cur_start))
                s.cur = 0
                s.cand = 0
                s.cand_count = 0
            if s.voice:
                k = self._emit(rec, lev, k, c, K_VOICE_OFF, -1, s.voice_start * BLOCK,
                               s.voice_end * BLOCK,
                               s.voice_energy / max(1, s.voice_end - s.voice_start))
                s.voice = 0
                s.voice_count = 0
        return self._rec[:k].copy(), self._lev[:k].copy()

    def _test_block_powers(self, const int16_t[::1] block):
        """Energy and per-frequency powers of one 160-sample block (channel 0 scratch)."""
        if block.shape[0] != BLOCK:
            raise SignalFormatError(f"block must have {BLOCK} samples")
        cdef int t
        cdef float *xb = <float *> calloc(BLOCK, sizeof(float))
        cdef float *pw = <float *> calloc(self.desc.nf, sizeof(float))
        cdef float en = 0
        for t in range(BLOCK):
            xb[t] = block[t]
        cdef float cre = 0, cim = 0
        bl_progress_block(xb, 1, self.desc.nf, self.desc.coef, self.desc.sublen, pw, &en, 0.0,
                          -1, 0.0, 0.0, &cre, &cim)
        out = [pw[t] for t in range(self.desc.nf)]
        free(xb)
        free(pw)
        return en, out

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef inline Py_ssize_t _emit(self, int64_t[:, ::1] rec, double[::1] lev, Py_ssize_t k,
                                 int c, int kind, int sig, int64_t start, int64_t end,
                                 double level) noexcept nogil:
        rec[k, 0] = c
        rec[k, 1] = kind
        rec[k, 2] = sig
        rec[k, 3] = start
        rec[k, 4] = end
        rec[k, 5] = 0
        rec[k, 6] = 0
        lev[k] = level
        return k + 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef inline void _answer_features(self, progress_rx_state_t *s, int64_t[:, ::1] rec,
                                      Py_ssize_t k) noexcept nogil:
        """Phase reversals and 15 Hz modulation depth (permille) of the answer tone."""
        cdef double mean, re, im, depth = 0
        rec[k, 5] = s.ans_rev
        if s.ans_n >= 10 and s.am_sum > 0:
            mean = s.am_sum / s.ans_n
            re = s.am_c - mean * s.am_wc
            im = s.am_s - mean * s.am_ws
            # 20 ms block averages pass 15 Hz at sinc(0.3) = 0.858.
            depth = 2.0 * sqrt(re * re + im * im) / s.am_sum / 0.858
        rec[k, 6] = <int64_t>(depth * 1000.0)

    cdef inline void _answer_tone(self, int c, bint present) noexcept nogil:
        """Track the 2100 Hz answer tone: V.25 phase reversals (180 degrees every 450 ms),
        seen in the block-to-block phase of its DFT value, and the V.8 ANSam 15 Hz
        envelope."""
        cdef progress_rx_state_t *s = &self.st[c]
        cdef double ph, dev, a, ang
        if not present:
            s.ans_miss += 1
            if s.ans_miss > 2:
                s.ans_n = 0
                s.ans_rev = 0
                s.ans_refr = 0
                s.am_sum = s.am_c = s.am_s = s.am_wc = s.am_ws = 0
            return
        s.ans_miss = 0
        ph = atan2(self.cim[c], self.cre[c])
        a = sqrt(self.power[self.desc.ans_f * self.channels + c])
        if s.ans_refr > 0:
            s.ans_refr -= 1
            a = s.am_last  # a reversal dents the envelope: hold it
        elif s.ans_n >= 2:
            dev = _wrap(ph - s.ans_ph2 - s.ans_dref)
            if s.ans_n >= 4 and fabs(dev) > M_PI / 2:
                s.ans_rev += 1
                s.ans_refr = 3
                a = s.am_last
            elif s.ans_n == 2:
                s.ans_dref = _wrap(ph - s.ans_ph2)
            else:
                s.ans_dref = _wrap(s.ans_dref + 0.25 * dev)
        ang = 0.6 * M_PI * s.ans_n  # 15 Hz over 20 ms blocks
        s.am_sum += a
        s.am_c += a * cos(ang)
        s.am_s += a * sin(ang)
        s.am_wc += cos(ang)
        s.am_ws += sin(ang)
        s.am_last = a
        s.ans_ph2 = s.ans_ph1
        s.ans_ph1 = ph
        s.ans_n += 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    @cython.cdivision(True)
    cdef Py_ssize_t _v21(self, int c, float e, int64_t[:, ::1] rec, double[::1] lev,
                         Py_ssize_t k) noexcept nogil:
        """V.21 channel 2 (T.30) preamble: HDLC flags 0x7E at 300 bit/s, 1650 Hz = 1,
        1850 Hz = 0. Runs only on blocks whose energy lies in the V.21 band: two sliding
        one-bit correlators, a hard decision per sample, a bit clock pulled to the
        decision transitions, and a count of flags exactly 8 bits apart."""
        cdef progress_descriptor_t *d = &self.desc
        cdef progress_rx_state_t *s = &self.st[c]
        cdef int C = self.channels, t, bit, dec
        cdef float x, old, dr, di, mr, mi, mag_mark, mag_space
        cdef float half = 8000.0 / 300.0 / 2.0, period = 8000.0 / 300.0
        if e < d.min_comp or self.power[d.v21_f * C + c] < 0.6 * e:
            s.v21_miss += 1
            if s.v21_miss > 1:
                s.v21_flags = 0
                s.v21_since = 0
                s.mark_re = s.mark_im = s.space_re = s.space_im = 0
                for t in range(V21_WIN):
                    s.v21_ring[t] = 0
            if s.v21_miss > 25:
                s.v21_reported = 0
            return k
        s.v21_miss = 0
        for t in range(BLOCK):
            x = self.xbuf[t * C + c]
            old = s.v21_ring[s.v21_pos]
            s.v21_ring[s.v21_pos] = x
            s.v21_pos += 1
            if s.v21_pos == V21_WIN:
                s.v21_pos = 0
            # acc += p(n) * (x(n) - x(n - N) * e^{j w N}), p(n) = e^{-j w n}
            dr = x - old * d.v21_mark_wr
            di = -old * d.v21_mark_wi
            mr = d.v21_mark_re[t]
            mi = d.v21_mark_im[t]
            s.mark_re += mr * dr - mi * di
            s.mark_im += mr * di + mi * dr
            dr = x - old * d.v21_space_wr
            di = -old * d.v21_space_wi
            mr = d.v21_space_re[t]
            mi = d.v21_space_im[t]
            s.space_re += mr * dr - mi * di
            s.space_im += mr * di + mi * dr
            mag_mark = s.mark_re * s.mark_re + s.mark_im * s.mark_im
            mag_space = s.space_re * s.space_re + s.space_im * s.space_im
            dec = 1 if mag_mark > mag_space else 0
            if dec != s.v21_last:
                # The decision flips half a bit after the line did: pull the clock so
                # that bits are taken half a bit from here.
                s.v21_clock -= 0.4 * (s.v21_clock - half)
                s.v21_last = dec
            s.v21_clock += 1.0
            if s.v21_clock >= period:
                s.v21_clock -= period
                bit = dec
                s.v21_reg = ((s.v21_reg >> 1) | (bit << 7)) & 0xFF
                s.v21_since += 1
                if s.v21_reg == 0x7E:
                    if s.v21_since == 8 and s.v21_flags > 0:
                        s.v21_flags += 1
                    else:
                        s.v21_flags = 1
                        s.v21_first = s.block * BLOCK + t - 8 * <int64_t>period
                    s.v21_since = 0
                    if s.v21_flags >= V21_FLAGS and not s.v21_reported:
                        s.v21_reported = 1
                        k = self._emit(rec, lev, k, c, K_V21, -1, s.v21_first,
                                       s.block * BLOCK + t + 1, e)
                elif s.v21_since > 8:
                    s.v21_flags = 0
        # Keep the sliding sums from drifting: recompute them from the ring buffer.
        s.mark_re = s.mark_im = s.space_re = s.space_im = 0
        for t in range(V21_WIN):
            x = s.v21_ring[(s.v21_pos + t) % V21_WIN]
            # sample BLOCK - V21_WIN + t of this block
            s.mark_re += x * d.v21_mark_re[BLOCK - V21_WIN + t]
            s.mark_im += x * d.v21_mark_im[BLOCK - V21_WIN + t]
            s.space_re += x * d.v21_space_re[BLOCK - V21_WIN + t]
            s.space_im += x * d.v21_space_im[BLOCK - V21_WIN + t]
        return k

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef Py_ssize_t _feed(self, const int16_t[:, ::1] x, int64_t[:, ::1] rec,
                          double[::1] lev) noexcept nogil:
        cdef Py_ssize_t n = x.shape[1], i = 0, take, t, c
        cdef int C = self.channels
        cdef Py_ssize_t k = 0
        while i < n:
            take = BLOCK - self.fill
            if take > n - i:
                take = n - i
            if n > 0:
                bl_progress_transpose(&x[0, 0], n, C, i, <int>take, self.xbuf, self.fill)
            self.fill += take
            i += take
            if self.fill == BLOCK:
                bl_progress_block(self.xbuf, C, self.desc.nf, self.desc.coef,
                                  self.desc.sublen, self.power, self.energy, self.desc.min_comp,
                                  self.desc.ans_f, self.desc.ans_cos, self.desc.ans_sin,
                                  self.cre, self.cim)
                for c in range(C):
                    k = self._track(<int>c, rec, lev, k)
                self.fill = 0
        return k

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef Py_ssize_t _track(self, int c, int64_t[:, ::1] rec, double[::1] lev,
                           Py_ssize_t k) noexcept nogil:
        cdef progress_descriptor_t *d = &self.desc
        cdef progress_rx_state_t *s = &self.st[c]
        cdef int C = self.channels
        cdef float e = self.energy[c]
        cdef int best = 0, best_n = 0, j, sig, ok
        cdef float best_sum = 0, p, pmin, pmax, total
        cdef int64_t b = s.block
        # Classify the block (a block quieter than one component cannot hold a tone).
        for sig in range(d.nsig if e >= d.min_comp else 0):
            total = 0
            pmin = 1e30
            pmax = 0
            ok = 1
            for j in range(d.sig_n[sig]):
                p = self.power[d.sig_f[sig][j] * C + c]
                if p < d.min_comp:
                    ok = 0
                    break
                total += p
                if p < pmin:
                    pmin = p
                if p > pmax:
                    pmax = p
            if not ok or total < d.sig_fraction[sig] * e or pmax > d.sig_twist[sig] * pmin:
                continue
            if d.sig_n[sig] > best_n or (d.sig_n[sig] == best_n and total > best_sum):
                best = sig + 1
                best_n = d.sig_n[sig]
                best_sum = total
        if d.ans_sig >= 0:
            self._answer_tone(c, best == d.ans_sig + 1)
        if d.v21_f >= 0:
            k = self._v21(c, e, rec, lev, k)
        # Candidate run of the block's class.
        if best:
            if best == s.cand and not (
                    best_sum < 0.5 * s.cand_prev
                    or (s.cand_count >= 2 and best_sum > 2.0 * s.cand_prev)):
                s.cand_count += 1
                s.cand_energy += best_sum
                s.cand_prev = best_sum
            else:
                s.cand = best
                s.cand_start = b
                s.cand_count = 1
                s.cand_energy = best_sum
                s.cand_prev = best_sum
        else:
            s.cand = 0
            s.cand_count = 0
        # Established tone run.
        if s.cur:
            if best == s.cur:
                s.cur_end = b + 1
                s.cur_energy += best_sum
                s.gap = 0
                if (not s.cur_long and d.long_blocks[s.cur - 1]
                        and s.cur_end - s.cur_start >= d.long_blocks[s.cur - 1]):
                    s.cur_long = 1
                    k = self._emit(rec, lev, k, c, K_TONE_LONG, s.cur - 1,
                                   s.cur_start * BLOCK, s.cur_end * BLOCK,
                                   s.cur_energy / (s.cur_end - s.cur_start))
                    if s.cur - 1 == d.ans_sig:
                        self._answer_features(s, rec, k - 1)
            else:
                s.gap += 1
                if s.gap >= d.hangover or (best and s.cand_count >= d.min_on[best - 1]):
                    k = self._emit(rec, lev, k, c, K_TONE_OFF, s.cur - 1,
                                   s.cur_start * BLOCK, s.cur_end * BLOCK,
                                   s.cur_energy / (s.cur_end - s.cur_start))
                    if s.cur - 1 == d.ans_sig:
                        self._answer_features(s, rec, k - 1)
                    s.cur = 0
        if not s.cur and s.cand and s.cand_count >= d.min_on[s.cand - 1]:
            s.cur = s.cand
            s.cur_start = s.cand_start
            s.cur_end = b + 1
            s.cur_energy = s.cand_energy
            s.cur_long = 0
            s.gap = 0
            k = self._emit(rec, lev, k, c, K_TONE_ON, s.cur - 1, s.cur_start * BLOCK,
                           s.cur_end * BLOCK, s.cur_energy / (s.cur_end - s.cur_start))
            if s.voice and s.voice_end > s.cur_start:
                s.voice_end = s.cur_start
        # Noise floor: follows minima at once, rises 0.1 dB per block (5 dB/s).
        if b == 0 or e < s.floor:
            s.floor = e
        else:
            s.floor *= 1.0233
        # Voice activity: energy not explained by an established tone, above the voice
        # threshold and 9 dB above the noise floor.
        if (e >= d.voice_min and e >= 8.0 * s.floor and not (s.cur and best == s.cur)
                and not s.cand):
            if s.voice:
                s.voice_end = b + 1
                s.voice_energy += e
                s.voice_gap = 0
            else:
                if s.voice_count == 0:
                    s.vcand_start = b
                    s.vcand_energy = 0
                s.voice_count += 1
                s.vcand_energy += e
                if s.voice_count >= d.voice_on_blocks:
                    s.voice = 1
                    s.voice_start = s.vcand_start
                    s.voice_end = b + 1
                    s.voice_energy = s.vcand_energy
                    s.voice_gap = 0
                    k = self._emit(rec, lev, k, c, K_VOICE_ON, -1, s.voice_start * BLOCK,
                                   s.voice_end * BLOCK,
                                   s.voice_energy / (s.voice_end - s.voice_start))
        else:
            s.voice_count = 0
            if s.voice:
                s.voice_gap += 1
                if s.voice_gap >= d.voice_hangover:
                    k = self._emit(rec, lev, k, c, K_VOICE_OFF, -1, s.voice_start * BLOCK,
                                   s.voice_end * BLOCK,
                                   s.voice_energy / max(1, s.voice_end - s.voice_start))
                    s.voice = 0
        s.block = b + 1
        return k
