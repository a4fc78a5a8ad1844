# cython: cdivision=True
"""Compiled core of call-progress analysis: a Goertzel bank with block classification,
tone run tracking and voice activity, for one channel or a bank of channels.

The public detectors (:class:`~boardlib.dsp.ToneDetector`, :class:`~boardlib.dsp.ToneDetectorBank`)
live in ``boardlib.dsp.progress``; they compile a tone profile into the tables this core takes
(signatures, and the cadence patterns) and get events back. This module works in 20 ms blocks
(160 samples at 8 kHz), aligned on each channel's absolute timeline, so any chunking of the
input gives the same records.

Per block and channel the kernel computes the block energy and, for each frequency, the energy
of the matching sine estimated by a Goertzel filter. A frequency may use shorter sub-blocks
(80, 40 or 20 samples, their powers summed) to widen its pass band for higher frequencies.
Block energies are summed over channels side by side (8 x 8 sample transposes). A channel whose
block is quieter than one tone component cannot hold a tone and skips the filters; the loud
channels are gathered 32 at a time into a structure-of-arrays copy (samples transposed to
``[t][lane]``) so the compiler vectorises the Goertzel recursion across channels. Every path
rounds alike, so a bank gives exactly the events of single detectors.

A block belongs to a *signature* (a set of frequencies) when every component reaches the
minimum level, the strongest and weakest components differ by at most the twist limit, and
the components hold at least the given fraction of the block energy. Of the signatures that
pass, the one with most components wins. Runs of equal signatures are debounced (minimum
on-blocks, hangover) and reported as records: tone on, tone off, tone long, voice on, voice off.

A cadence tracker per channel (a C struct with a short ring of the last bursts and gaps) takes
those records in the same nogil pass: it matches the history against the patterns the newest
burst can end (indexed by signature and duration range), keeps the tone recognised, names bursts
and writes compact event records. Only then, with the GIL, are event objects built, for the
records there are: a block where nothing starts or ends costs no Python work.
"""

from libc.stdint cimport int16_t, int32_t, int64_t, uint32_t
from cpython.object cimport PyObject, PyTypeObject
from libc.stdlib cimport calloc, free
from libc.string cimport memcpy, memset
from libc.math cimport acos, atan2, cos, fabs, log10, sin, sqrt, M_PI
cimport cython
import dataclasses

import numpy as np

from bl_build cimport bl_build_info
from bl_check cimport bl_channels

from boardlib.errors import SignalFormatError

cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <structmember.h>
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

    /* 8 rows of 8 int16 samples (row j: one channel, samples t0..t0+7) transposed in place:
       r[t] then holds sample t0+t of the 8 channels. */
    #if defined(__SSE2__) && defined(__GNUC__)
    #include <emmintrin.h>
    #define BL_PROGRESS_SIMD 1
    typedef short bl_v8hi __attribute__((vector_size(16)));
    typedef int bl_v8si __attribute__((vector_size(32)));
    typedef float bl_v8sf __attribute__((vector_size(32)));
    static inline __attribute__((always_inline)) void bl_progress_tr8(__m128i *r)
    {
        __m128i a0 = _mm_unpacklo_epi16(r[0], r[1]), a1 = _mm_unpacklo_epi16(r[2], r[3]);
        __m128i a2 = _mm_unpacklo_epi16(r[4], r[5]), a3 = _mm_unpacklo_epi16(r[6], r[7]);
        __m128i a4 = _mm_unpackhi_epi16(r[0], r[1]), a5 = _mm_unpackhi_epi16(r[2], r[3]);
        __m128i a6 = _mm_unpackhi_epi16(r[4], r[5]), a7 = _mm_unpackhi_epi16(r[6], r[7]);
        __m128i b0 = _mm_unpacklo_epi32(a0, a1), b1 = _mm_unpacklo_epi32(a2, a3);
        __m128i b2 = _mm_unpackhi_epi32(a0, a1), b3 = _mm_unpackhi_epi32(a2, a3);
        __m128i b4 = _mm_unpacklo_epi32(a4, a5), b5 = _mm_unpacklo_epi32(a6, a7);
        __m128i b6 = _mm_unpackhi_epi32(a4, a5), b7 = _mm_unpackhi_epi32(a6, a7);
        r[0] = _mm_unpacklo_epi64(b0, b1); r[1] = _mm_unpackhi_epi64(b0, b1);
        r[2] = _mm_unpacklo_epi64(b2, b3); r[3] = _mm_unpackhi_epi64(b2, b3);
        r[4] = _mm_unpacklo_epi64(b4, b5); r[5] = _mm_unpackhi_epi64(b4, b5);
        r[6] = _mm_unpacklo_epi64(b6, b7); r[7] = _mm_unpackhi_epi64(b6, b7);
    }
    #define bl_progress_v8sf(v) \
        __builtin_convertvector(__builtin_convertvector((bl_v8hi) (v), bl_v8si), bl_v8sf)
    #endif

    /* Block energy of every channel: the sum over t of x[c][t]^2, accumulated in float in
       t order (the rounding every path shares). x: rows of `stride` samples. */
    BL_PROGRESS_CLONES
    static void bl_progress_energy(const int16_t *x, long stride, int C, float *energy)
    {
        int c0 = 0;
    #ifdef BL_PROGRESS_SIMD
        for (; c0 + 8 <= C; c0 += 8) {
            bl_v8sf acc = {0};
            const int16_t *row = x + (long)c0 * stride;
            for (int t0 = 0; t0 < BL_PROGRESS_BLOCK; t0 += 8) {
                __m128i r[8];
                for (int j = 0; j < 8; j++)
                    r[j] = _mm_loadu_si128((const __m128i *)(row + (long)j * stride + t0));
                bl_progress_tr8(r);
                for (int t = 0; t < 8; t++) {
                    bl_v8sf v = bl_progress_v8sf(r[t]);
                    acc += v * v;
                }
            }
            __builtin_memcpy(energy + c0, &acc, sizeof acc);
        }
    #endif
        for (; c0 < C; c0++) {
            const int16_t *row = x + (long)c0 * stride;
            float acc = 0.0f;
            for (int t = 0; t < BL_PROGRESS_BLOCK; t++) {
                const float v = (float)row[t];
                acc += v * v;
            }
            energy[c0] = acc;
        }
    }

    /* The blocks of the n (at most BL_PROGRESS_CHUNK) channels listed in `chans`, as floats
       transposed to xc[t][lane]; lanes past n are zero. */
    static const int16_t bl_progress_zeros[BL_PROGRESS_BLOCK] = {0};
    static inline __attribute__((always_inline)) void
    bl_progress_gather(const int16_t *x, long stride, const int *chans, int n, float *xc)
    {
    #ifdef BL_PROGRESS_SIMD
        for (int l0 = 0; l0 < BL_PROGRESS_CHUNK; l0 += 8) {
            const int16_t *rows[8];
            for (int j = 0; j < 8; j++)
                rows[j] = l0 + j < n ? x + (long)chans[l0 + j] * stride : bl_progress_zeros;
            for (int t0 = 0; t0 < BL_PROGRESS_BLOCK; t0 += 8) {
                __m128i r[8];
                for (int j = 0; j < 8; j++)
                    r[j] = _mm_loadu_si128((const __m128i *)(rows[j] + t0));
                bl_progress_tr8(r);
                for (int t = 0; t < 8; t++) {
                    bl_v8sf v = bl_progress_v8sf(r[t]);
                    __builtin_memcpy(xc + (long)(t0 + t) * BL_PROGRESS_CHUNK + l0, &v,
                                     sizeof v);
                }
            }
        }
    #else
        for (int l = 0; l < BL_PROGRESS_CHUNK; l++) {
            const int16_t *row = l < n ? x + (long)chans[l] * stride : bl_progress_zeros;
            for (int t = 0; t < BL_PROGRESS_BLOCK; t++)
                xc[(long)t * BL_PROGRESS_CHUNK + l] = (float)row[t];
        }
    #endif
    }

    /* Goertzel powers of the n channels listed in `chans` (ascending): power[f][c] and, for
       the answer-tone filter cf, the DFT value at the end of the block (cre, cim). Channels
       not listed keep whatever their entries held. Full chunks of BL_PROGRESS_CHUNK
       channels run the vector kernel on a transposed copy; a short remainder runs channel
       by channel (same arithmetic per filter), unless it is long enough that one padded
       chunk is cheaper. xc: scratch of BL_PROGRESS_BLOCK * BL_PROGRESS_CHUNK floats. */
    #define BL_PROGRESS_PAD_MIN 8
    BL_PROGRESS_CLONES
    static void bl_progress_powers(const int16_t *x, long stride, const int *chans, int n,
                                   int C, int nf, const float *coef, const int *sublen,
                                   float *power, int cf, float cw, float sw, float *cre,
                                   float *cim, float *xc)
    {
        float acc[BL_PROGRESS_CHUNK], re[BL_PROGRESS_CHUNK], im[BL_PROGRESS_CHUNK];
        for (int j0 = 0; j0 < n; j0 += BL_PROGRESS_CHUNK) {
            const int m = n - j0 < BL_PROGRESS_CHUNK ? n - j0 : BL_PROGRESS_CHUNK;
            if (m < BL_PROGRESS_PAD_MIN) {
                for (int j = j0; j < n; j++) {
                    const int c = chans[j];
                    const int16_t *row = x + (long)c * stride;
                    for (int t = 0; t < BL_PROGRESS_BLOCK; t++) xc[t] = (float)row[t];
                    bl_progress_channel(xc, 1, nf, coef, sublen, power + c, C, cf, cw, sw,
                                        cre + c, cim + c);
                }
                break;
            }
            bl_progress_gather(x, stride, chans + j0, m, xc);
            for (int f = 0; f < nf; f++) {
                const int L = sublen[f];
                for (int l = 0; l < BL_PROGRESS_CHUNK; l++) acc[l] = 0.0f;
                for (int b = 0; b < BL_PROGRESS_BLOCK; b += L) {
                    int last = f == cf && b + L == BL_PROGRESS_BLOCK;
                    bl_progress_goertzel_chunk(xc + (long)b * BL_PROGRESS_CHUNK,
                                               BL_PROGRESS_CHUNK, L, coef[f], acc,
                                               last ? re : NULL, last ? im : NULL, cw, sw);
                }
                float *p = power + (long)f * C;
                for (int l = 0; l < m; l++) p[chans[j0 + l]] = acc[l];
            }
            if (cf >= 0)
                for (int l = 0; l < m; l++) {
                    cre[chans[j0 + l]] = re[l];
                    cim[chans[j0 + l]] = im[l];
                }
        }
    }

    /* One block of C channels: energies of all, and the powers of the channels loud enough
       to hold a tone (energy >= min_energy), listed in `loud`; returns their count. */
    static int bl_progress_block(const int16_t *x, long stride, int C, int nf,
                                 const float *coef, const int *sublen, float *power,
                                 float *energy, float min_energy, int cf, float cw, float sw,
                                 float *cre, float *cim, int *loud, float *xc)
    {
        int n = 0;
        bl_progress_energy(x, stride, C, energy);
        for (int c = 0; c < C; c++) {
            loud[n] = c;
            n += energy[c] >= min_energy;
        }
        bl_progress_powers(x, stride, loud, n, C, nf, coef, sublen, power, cf, cw, sw, cre,
                           cim, xc);
        return n;
    }

    /* Python's round(x, 2): the exact value of x to the nearest multiple of 0.01 (ties to
       even), then the double nearest that decimal. x * 100 = p + err exactly (fma). */
    static double bl_progress_round2(double x)
    {
        double p, err, k, d, q;
        if (!isfinite(x)) return x;
        p = x * 100.0;
        err = fma(x, 100.0, -p);
        k = floor(p);
        if (p == k && err < 0.0) k -= 1.0;      /* now k <= 100 x < k + 1 */
        d = (p - (k + 0.5)) + err;              /* the sign of 100 x - (k + 1/2) */
        if (d > 0.0) q = k + 1.0;
        else if (d < 0.0) q = k;
        else q = fmod(k, 2.0) == 0.0 ? k : k + 1.0;
        if (q == 0.0) return copysign(0.0, x);
        return q / 100.0;
    }

    /* Events are frozen slots dataclasses. As for DtmfDigit (dsp/_dtmf.pyx), a new instance
       gets its object slots filled directly instead of through the generated __init__
       (about 1 us per event): v holds the n field values in declaration order (borrowed),
       off their slot offsets. */
    static PyObject *bl_progress_event(PyTypeObject *tp, const Py_ssize_t *off, int n,
                                       PyObject **v)
    {
        PyObject *o = tp->tp_alloc(tp, 0);
        int i;
        if (o == NULL) return NULL;
        for (i = 0; i < n; i++) {
            Py_INCREF(v[i]);
            *(PyObject **) ((char *) o + off[i]) = v[i];
        }
        return o;
    }

    /* Offset of a writable object slot, -1 for any other attribute. */
    static Py_ssize_t bl_progress_slot_offset(PyObject *descr)
    {
        PyMemberDef *m;
        if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) return -1;
        m = ((PyMemberDescrObject *) descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
        return m->offset;
    }
    """
    int bl_progress_block(const int16_t *x, long stride, int C, int nf, const float *coef,
                          const int *sublen, float *power, float *energy, float min_energy,
                          int cf, float cw, float sw, float *cre, float *cim, int *loud,
                          float *xc) noexcept nogil
    double bl_progress_round2(double x) noexcept nogil
    object bl_progress_event(PyTypeObject *tp, const Py_ssize_t *off, int n, PyObject **v)
    Py_ssize_t bl_progress_slot_offset(object descr)

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

# Event kinds of the cadence trackers.
cdef enum:
    EV_TONE_ON = 0
    EV_TONE_OFF = 1
    EV_CADENCE = 2
    EV_VOICE_ON = 3
    EV_VOICE_OFF = 4
    EV_V21 = 5               # a ToneCadence "v21_preamble"

DEF NCLASS = 5               # event classes: ToneOn, ToneOff, ToneCadence, VoiceOn, VoiceOff
DEF MAXFIELD = 7
DEF MAXHIST = 64             # history entries kept per channel, at most
DEF HIST_TRIM = 48           # the history drops its oldest TRIM_BY entries past this length
DEF HIST_TRIM_BY = 24
DEF FULL_SCALE_POWER = 536870912.0   # mean square of a full-scale sine, 32768 ** 2 / 2
DEF DBM0_MAX = 3.14                   # level of that sine in dBm0 (A-law basis)

_NO_RECORDS = (np.zeros((0, 7), dtype=np.int64), np.zeros(0, dtype=np.float64))
_NO_RECORDS[0].flags.writeable = False
_NO_RECORDS[1].flags.writeable = False

_EVENT_FIELDS = (
    ("tone", "frequencies_hz", "level_dbm0", "sample", "channel"),
    ("tone", "frequencies_hz", "level_dbm0", "sample", "duration", "channel"),
    ("tone", "frequencies_hz", "level_dbm0", "sample", "duration", "cycles", "channel"),
    ("sample", "level_dbm0", "channel"),
    ("sample", "duration", "level_dbm0", "channel"),
)
cdef tuple _event_classes = None
cdef PyTypeObject *_event_type[NCLASS]
cdef Py_ssize_t _event_off[NCLASS][MAXFIELD]
cdef bint _fast_events = False


def _use_events(tone_on, tone_off, tone_cadence, voice_on, voice_off):
    """The event classes the cores build (``boardlib.dsp.progress`` passes its own). When
    every one is a slots dataclass with the expected fields, events are made by filling
    their slots; otherwise by calling the class."""
    global _event_classes, _fast_events
    cdef int i, j
    cdef Py_ssize_t off
    classes = (tone_on, tone_off, tone_cadence, voice_on, voice_off)
    _event_classes = classes
    _fast_events = False
    for i, cls in enumerate(classes):
        names = _EVENT_FIELDS[i]
        if (not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__")
                or tuple(f.name for f in dataclasses.fields(cls)) != names):
            return
        for j, name in enumerate(names):
            off = bl_progress_slot_offset(cls.__dict__.get(name))
            if off < 0:
                return
            _event_off[i][j] = off
    for i in range(NCLASS):
        _event_type[i] = <PyTypeObject *> classes[i]
    _fast_events = True


def _test_round2(double x):
    """The compiled ``round(x, 2)`` used for event levels."""
    return bl_progress_round2(x)


cdef int _name_code(tuple names, code) except -2:
    if not -1 <= code < len(names):
        raise SignalFormatError(f"name code {code} out of range")
    return code


cdef inline double _dbm0(double energy) noexcept nogil:
    """Level in dBm0 of a mean block energy: Python's
    ``round(10 * math.log10(energy / 160 / FULL_SCALE_POWER) + 3.14, 2)``, -120 for none."""
    if energy <= 0:
        return -120.0
    return bl_progress_round2(10.0 * log10(energy / BLOCK / FULL_SCALE_POWER) + DBM0_MAX)


def _build_info():
    return bl_build_info()


ctypedef struct progress_record_t:
    int64_t channel
    int64_t kind
    int64_t sig              # signature index, -1 for voice and V.21
    int64_t start            # first sample
    int64_t end              # one past the last sample
    int64_t reversals        # answer tone: phase reversals seen
    int64_t depth            # answer tone: 15 Hz modulation depth, permille
    double level             # mean energy per block


ctypedef struct progress_event_t:
    int kind                 # EV_*
    int channel
    int name                 # name code, -1 for None
    int sig                  # tone on/off: the signature
    uint32_t sigs            # cadence: signatures of its bursts
    int cycles
    int64_t sample
    int64_t duration
    double level             # dBm0


ctypedef struct cadence_element_t:     # one element of a pattern: burst or gap
    int sig                  # -1 for a gap
    double lo                # accepted duration, samples
    double hi


ctypedef struct cadence_interval_t:    # an element a burst of one signature can be
    double lo
    double hi
    int is_long
    int pat
    int idx                  # its element index
    int need                 # history entries that make a decision


ctypedef struct cadence_pattern_t:
    int first                # elements elem[first .. first + n)
    int n
    int early                # decided on its first burst
    int name                 # name code
    uint32_t sigs            # signatures of its bursts


ctypedef struct cadence_entry_t:       # one burst or gap of a channel's history
    int64_t start
    int64_t dur
    double level
    int sig                  # -1 for a gap


ctypedef struct cadence_state_t:
    int64_t length           # entries in the history (the ring keeps the newest)
    int head                 # ring slot of the next entry
    int active               # pattern recognised and still going on, -1 for none
    int has_last
    int64_t last_end         # end of the last burst
    int tone_open
    int voice_open
    int64_t quiet_since
    int64_t ans_rev          # answer-tone features of its last record
    int64_t ans_depth


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

    :meth:`process` and :meth:`flush` return the run records. With the cadence tables
    (:meth:`cadence`), :meth:`process_events` and :meth:`flush_events` run the records
    through a cadence tracker per channel in the same nogil pass and return the events;
    Python objects are built only for the events, in one pass after the nogil section.
    """

    cdef progress_descriptor_t desc
    cdef progress_rx_state_t *st
    cdef int16_t *raw         # [channels][BLOCK]: the block being filled
    cdef const int16_t *src   # rows of the block being analysed (raw, or the input)
    cdef Py_ssize_t src_stride
    cdef float *xc            # [BLOCK][32] transposed chunk scratch
    cdef int *loud            # [channels] channels loud enough for a tone, this block
    cdef float *power         # [nf][channels]
    cdef float *energy        # [channels]
    cdef float *cre           # [channels] answer-tone DFT value, real part
    cdef float *cim           # [channels] imaginary part
    cdef int fill
    cdef readonly int channels
    cdef progress_record_t *rec     # run records of one pass
    cdef progress_record_t *scratch  # run records of one channel and block
    cdef Py_ssize_t rec_cap
    cdef int pass_blocks            # blocks per nogil pass
    # cadence tracking
    cdef int npat
    cdef cadence_pattern_t *pat
    cdef cadence_element_t *elem
    cdef cadence_interval_t *iv
    cdef int iv_first[MAXSIG + 1]   # intervals of signature s: iv[iv_first[s] .. iv_first[s+1])
    cdef int sig_name[MAXSIG]       # name code of a burst no recognised tone claims
    cdef int ced                    # pattern of the 2100 Hz answer tone "ced", -1 for none
    cdef int name_ans_pr, name_ansam, name_ansam_pr, name_v21
    cdef double ansam_depth
    cdef int hist_size              # ring entries per channel (a power of two)
    cdef cadence_state_t *ts        # [channels]
    cdef cadence_entry_t *hist      # [channels][hist_size]
    cdef progress_event_t *ev
    cdef Py_ssize_t nev
    cdef Py_ssize_t ev_cap
    cdef tuple names
    cdef tuple sig_freqs
    cdef dict sigs_freqs            # signature mask -> frequencies of a cadence

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
        self.raw = <int16_t *> calloc(BLOCK * channels, sizeof(int16_t))
        self.xc = <float *> calloc(BLOCK * 32, sizeof(float))
        self.loud = <int *> calloc(channels, sizeof(int))
        self.power = <float *> calloc(self.desc.nf * channels, sizeof(float))
        self.energy = <float *> calloc(channels, sizeof(float))
        self.cre = <float *> calloc(channels, sizeof(float))
        self.cim = <float *> calloc(channels, sizeof(float))
        if (not self.st or not self.raw or not self.xc or not self.loud or not self.power
                or not self.energy or not self.cre or not self.cim):
            raise MemoryError()
        self.fill = 0
        # At most 4 records and 5 events per channel and block (V.21 preamble; tone off and
        # its cadence, or tone long; tone on; voice on or off), 3 events at the end.
        self.pass_blocks = max(1, min(50, 1024 // channels))
        self.rec_cap = 4 * channels * self.pass_blocks + 8
        self.ev_cap = 5 * channels * self.pass_blocks + 8
        self.rec = <progress_record_t *> calloc(self.rec_cap, sizeof(progress_record_t))
        self.scratch = <progress_record_t *> calloc(8, sizeof(progress_record_t))
        self.ev = <progress_event_t *> calloc(self.ev_cap, sizeof(progress_event_t))
        self.ts = <cadence_state_t *> calloc(channels, sizeof(cadence_state_t))
        if not self.rec or not self.scratch or not self.ev or not self.ts:
            raise MemoryError()
        self.npat = 0
        self.ced = -1
        self._reset_cadence()

    def __dealloc__(self):
        free(self.rec)
        free(self.scratch)
        free(self.ev)
        free(self.ts)
        free(self.hist)
        free(self.pat)
        free(self.elem)
        free(self.iv)
        free(self.st)
        free(self.raw)
        free(self.xc)
        free(self.loud)
        free(self.power)
        free(self.energy)
        free(self.cre)
        free(self.cim)

    def reset(self):
        """Clear every channel's state and the partial block (the tables stay)."""
        memset(self.raw, 0, self.channels * BLOCK * sizeof(int16_t))
        memset(self.st, 0, self.channels * sizeof(progress_rx_state_t))
        self.fill = 0
        self._reset_cadence()

    cdef void _reset_cadence(self) noexcept:
        cdef int c
        memset(self.ts, 0, self.channels * sizeof(cadence_state_t))
        for c in range(self.channels):
            self.ts[c].active = -1
        self.nev = 0

    def cadence(self, tuple names, patterns, intervals, sig_names, int ced, variants,
                double ansam_depth, tuple sig_freqs):
        """Load the cadence tables (once). ``names``: the tone names events carry, indexed
        by name code. ``patterns``: per pattern ``(name code, early, elements)``, elements
        ``(signature or -1, lo, hi)`` in samples. ``intervals``: ``(signature, lo, hi,
        is_long, pattern, element index, entries needed)`` of every element a burst can be,
        grouped by signature in match order. ``sig_names``: name code per signature (-1 for
        none). ``ced``: the pattern of the 2100 Hz answer tone, -1 for none; ``variants``:
        name codes of ``ans_pr``, ``ansam``, ``ansam_pr`` and ``v21_preamble``.
        ``sig_freqs``: the frequencies of each signature."""
        cdef int i, j, n, first, need, longest = 1
        cdef uint32_t sigs
        if self.npat:
            raise RuntimeError("the cadence tables are already loaded")
        nsig = self.desc.nsig
        if len(sig_names) != nsig or len(sig_freqs) != nsig or len(variants) != 4:
            raise SignalFormatError("cadence tables do not match the signatures")
        if not patterns or not -1 <= ced < len(patterns):
            raise SignalFormatError("cadence patterns: at least one, ced in range")
        nelem = sum(len(p[2]) for p in patterns)
        self.pat = <cadence_pattern_t *> calloc(len(patterns), sizeof(cadence_pattern_t))
        self.elem = <cadence_element_t *> calloc(max(1, nelem), sizeof(cadence_element_t))
        self.iv = <cadence_interval_t *> calloc(max(1, len(intervals)),
                                                sizeof(cadence_interval_t))
        if not self.pat or not self.elem or not self.iv:
            raise MemoryError()
        first = 0
        for i, (name, early, elements) in enumerate(patterns):
            sigs = 0
            for j, (sig, lo, hi) in enumerate(elements):
                if not -1 <= sig < nsig:
                    raise SignalFormatError(f"pattern {i}: signature {sig} out of range")
                self.elem[first + j].sig = sig
                self.elem[first + j].lo = lo
                self.elem[first + j].hi = hi
                if sig >= 0:
                    sigs |= 1u << sig
            self.pat[i].first = first
            self.pat[i].n = len(elements)
            self.pat[i].early = bool(early)
            self.pat[i].name = _name_code(names, name)
            self.pat[i].sigs = sigs
            if self.pat[i].n < 1:
                raise SignalFormatError(f"pattern {i}: no elements")
            first += len(elements)
        n = 0
        for i in range(nsig + 1):
            self.iv_first[i] = n
            while n < len(intervals) and intervals[n][0] == i:
                sig, lo, hi, is_long, pat, idx, need = intervals[n]
                if not (0 <= pat < len(patterns) and 0 <= idx < self.pat[pat].n
                        and need >= 1):
                    raise SignalFormatError(f"cadence interval {n} out of range")
                self.iv[n].lo = lo
                self.iv[n].hi = hi
                self.iv[n].is_long = bool(is_long)
                self.iv[n].pat = pat
                self.iv[n].idx = idx
                self.iv[n].need = need
                longest = max(longest, min(need, MAXHIST))
                n += 1
        if n != len(intervals):
            raise SignalFormatError("cadence intervals must be grouped by signature, ascending")
        for i in range(nsig):
            self.sig_name[i] = _name_code(names, sig_names[i])
        self.ced = ced
        self.name_ans_pr = _name_code(names, variants[0])
        self.name_ansam = _name_code(names, variants[1])
        self.name_ansam_pr = _name_code(names, variants[2])
        self.name_v21 = _name_code(names, variants[3])
        self.ansam_depth = ansam_depth
        # A window never reaches further back than its entries needed; longer windows than
        # the ring never match (the history holds fewer entries than MAXHIST).
        self.hist_size = 2
        while self.hist_size < longest:
            self.hist_size *= 2
        self.hist = <cadence_entry_t *> calloc(self.channels * self.hist_size,
                                               sizeof(cadence_entry_t))
        if not self.hist:
            raise MemoryError()
        self.names = names
        self.sig_freqs = sig_freqs
        self.sigs_freqs = {}
        self.npat = len(patterns)

    def silence_samples(self, int channel):
        """Samples since the channel last carried voice or a tone (0 while it does), up to
        the last complete block."""
        if channel < 0:
            channel += self.channels
        if not 0 <= channel < self.channels:
            raise IndexError("channel out of range")
        cdef cadence_state_t *t = &self.ts[channel]
        if t.tone_open or t.voice_open:
            return 0
        return max(0, int(self.st[0].block) * BLOCK - t.quiet_since)

    @property
    def sample(self):
        """Samples consumed so far on each channel's timeline."""
        return int(self.st[0].block) * BLOCK + self.fill

    def process(self, const int16_t[:, ::1] x):
        """Feed ``x[channels, n]``; return ``(records int64[k, 7], levels float64[k])``.

        Record columns: channel, kind, signature (0-based, -1 for voice), start sample,
        end sample, and for the answer tone the phase reversals seen and the 15 Hz
        modulation depth in permille. ``levels`` holds the mean energy per block.
        """
        if x.shape[0] != self.channels:
            raise SignalFormatError(
                f"block must have {self.channels} rows (channels), got {x.shape[0]}")
        cdef Py_ssize_t n = x.shape[1], i = 0, step, k
        parts = []
        while i < n:
            step = min(n - i, self.pass_blocks * BLOCK - self.fill)
            with nogil:
                k = self._feed(x, i, i + step, self.rec, False)
            i += step
            if k:
                parts.append(self._records(k))
        if not parts:
            return _NO_RECORDS
        if len(parts) == 1:
            return parts[0]
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))

    cdef tuple _records(self, Py_ssize_t k):
        cdef Py_ssize_t i
        out = np.empty((k, 7), dtype=np.int64)
        levels = np.empty(k, dtype=np.float64)
        cdef int64_t[:, ::1] o = out
        cdef double[::1] lv = levels
        for i in range(k):
            o[i, 0] = self.rec[i].channel
            o[i, 1] = self.rec[i].kind
            o[i, 2] = self.rec[i].sig
            o[i, 3] = self.rec[i].start
            o[i, 4] = self.rec[i].end
            o[i, 5] = self.rec[i].reversals
            o[i, 6] = self.rec[i].depth
            lv[i] = self.rec[i].level
        return out, levels

    def process_events(self, const int16_t[:, ::1] x):
        """Feed ``x[channels, n]``; return the events (a new list) the cadence trackers
        make of the run records."""
        if x.shape[0] != self.channels:
            raise SignalFormatError(
                f"block must have {self.channels} rows (channels), got {x.shape[0]}")
        if not self.npat:
            raise RuntimeError("load the cadence tables first")
        cdef Py_ssize_t n = x.shape[1], i = 0, step
        cdef list out = []
        while i < n:
            step = min(n - i, self.pass_blocks * BLOCK - self.fill)
            with nogil:
                self._feed(x, i, i + step, NULL, True)
            i += step
            if self.nev:
                self._collect(out)
        return out

    def flush_events(self):
        """Close open tone and voice runs at the current sample; return their events."""
        if not self.npat:
            raise RuntimeError("load the cadence tables first")
        cdef Py_ssize_t k = self._close(self.rec), j
        for j in range(k):
            self._cadence(&self.rec[j])
        cdef list out = []
        self._collect(out)
        return out

    def flush(self):
        """Close open tone and voice runs at the current sample; return records."""
        cdef Py_ssize_t k = self._close(self.rec)
        return self._records(k) if k else _NO_RECORDS

    cdef Py_ssize_t _close(self, progress_record_t *rec) noexcept:
        cdef Py_ssize_t k = 0
        cdef int c
        cdef progress_rx_state_t *s
        for c in range(self.channels):
            s = &self.st[c]
            if s.cur:
                k = self._emit(rec, k, c, K_TONE_OFF, s.cur - 1, s.cur_start * BLOCK,
                               s.cur_end * BLOCK, s.cur_energy / max(1, s.cur_end - s.cur_start))
                s.cur = 0
                s.cand = 0
                s.cand_count = 0
            if s.voice:
                k = self._emit(rec, k, c, K_VOICE_OFF, -1, s.voice_start * BLOCK,
                               s.voice_end * BLOCK,
                               s.voice_energy / max(1, s.voice_end - s.voice_start))
                s.voice = 0
                s.voice_count = 0
        return k

    def _test_block_powers(self, const int16_t[::1] block):
        """Energy and per-frequency powers of one 160-sample block (channel 0 scratch)."""
        if block.shape[0] != BLOCK:
            raise SignalFormatError(f"block must have {BLOCK} samples")
        cdef int t, one = 0
        cdef float *xc = <float *> calloc(BLOCK * 32, sizeof(float))
        cdef float *pw = <float *> calloc(self.desc.nf, sizeof(float))
        cdef float en = 0
        cdef float cre = 0, cim = 0
        bl_progress_block(&block[0], BLOCK, 1, self.desc.nf, self.desc.coef, self.desc.sublen,
                          pw, &en, 0.0, -1, 0.0, 0.0, &cre, &cim, &one, xc)
        out = [pw[t] for t in range(self.desc.nf)]
        free(xc)
        free(pw)
        return en, out

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef inline Py_ssize_t _emit(self, progress_record_t *rec, Py_ssize_t k, int c, int kind,
                                 int sig, int64_t start, int64_t end,
                                 double level) noexcept nogil:
        rec[k].channel = c
        rec[k].kind = kind
        rec[k].sig = sig
        rec[k].start = start
        rec[k].end = end
        rec[k].reversals = 0
        rec[k].depth = 0
        rec[k].level = level
        return k + 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef inline void _answer_features(self, progress_rx_state_t *s,
                                      progress_record_t *r) noexcept nogil:
        """Phase reversals and 15 Hz modulation depth (permille) of the answer tone."""
        cdef double mean, re, im, depth = 0
        r.reversals = s.ans_rev
        if s.ans_n >= 10 and s.am_sum > 0:
            mean = s.am_sum / s.ans_n
            re = s.am_c - mean * s.am_wc
            im = s.am_s - mean * s.am_ws
            # 20 ms block averages pass 15 Hz at sinc(0.3) = 0.858.
            depth = 2.0 * sqrt(re * re + im * im) / s.am_sum / 0.858
        r.depth = <int64_t>(depth * 1000.0)

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
    cdef Py_ssize_t _v21(self, int c, float e, progress_record_t *rec,
                         Py_ssize_t k) noexcept nogil:
        """V.21 channel 2 (T.30) preamble: HDLC flags 0x7E at 300 bit/s, 1650 Hz = 1,
        1850 Hz = 0. Runs only on blocks whose energy lies in the V.21 band: two sliding
        one-bit correlators, a hard decision per sample, a bit clock pulled to the
        decision transitions, and a count of flags exactly 8 bits apart."""
        cdef progress_descriptor_t *d = &self.desc
        cdef progress_rx_state_t *s = &self.st[c]
        cdef int C = self.channels, t, bit, dec
        cdef const int16_t *row = self.src + c * self.src_stride
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
            x = row[t]
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
                        k = self._emit(rec, k, c, K_V21, -1, s.v21_first,
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
    cdef Py_ssize_t _feed(self, const int16_t[:, ::1] x, Py_ssize_t i, Py_ssize_t n,
                          progress_record_t *rec, bint events) noexcept nogil:
        """Samples ``i .. n`` of ``x``: run records into ``rec`` (their count is returned),
        or with ``events`` through the cadence trackers into the event buffer."""
        cdef Py_ssize_t take, c, j, m
        cdef int C = self.channels
        cdef Py_ssize_t k = 0
        while i < n:
            take = BLOCK - self.fill
            if take > n - i:
                take = n - i
            if take == BLOCK:
                # A whole block in the input: analysed where it lies.
                self.src = &x[0, i]
                self.src_stride = x.shape[1]
            else:
                for c in range(C):
                    memcpy(&self.raw[c * BLOCK + self.fill], &x[c, i], take * sizeof(int16_t))
                self.src = self.raw
                self.src_stride = BLOCK
            self.fill += take
            i += take
            if self.fill == BLOCK:
                bl_progress_block(self.src, self.src_stride, C, self.desc.nf, self.desc.coef,
                                  self.desc.sublen, self.power, self.energy, self.desc.min_comp,
                                  self.desc.ans_f, self.desc.ans_cos, self.desc.ans_sin,
                                  self.cre, self.cim, self.loud, self.xc)
                if events:
                    for c in range(C):
                        m = self._track(<int>c, self.scratch, 0)
                        for j in range(m):
                            self._cadence(&self.scratch[j])
                else:
                    for c in range(C):
                        k = self._track(<int>c, rec, k)
                self.fill = 0
        return k

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef Py_ssize_t _track(self, int c, progress_record_t *rec,
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
            k = self._v21(c, e, rec, k)
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
                    k = self._emit(rec, k, c, K_TONE_LONG, s.cur - 1,
                                   s.cur_start * BLOCK, s.cur_end * BLOCK,
                                   s.cur_energy / (s.cur_end - s.cur_start))
                    if s.cur - 1 == d.ans_sig:
                        self._answer_features(s, &rec[k - 1])
            else:
                s.gap += 1
                if s.gap >= d.hangover or (best and s.cand_count >= d.min_on[best - 1]):
                    k = self._emit(rec, k, c, K_TONE_OFF, s.cur - 1,
                                   s.cur_start * BLOCK, s.cur_end * BLOCK,
                                   s.cur_energy / (s.cur_end - s.cur_start))
                    if s.cur - 1 == d.ans_sig:
                        self._answer_features(s, &rec[k - 1])
                    s.cur = 0
        if not s.cur and s.cand and s.cand_count >= d.min_on[s.cand - 1]:
            s.cur = s.cand
            s.cur_start = s.cand_start
            s.cur_end = b + 1
            s.cur_energy = s.cand_energy
            s.cur_long = 0
            s.gap = 0
            k = self._emit(rec, k, c, K_TONE_ON, s.cur - 1, s.cur_start * BLOCK,
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
                    k = self._emit(rec, k, c, K_VOICE_ON, -1, s.voice_start * BLOCK,
                                   s.voice_end * BLOCK,
                                   s.voice_energy / (s.voice_end - s.voice_start))
        else:
            s.voice_count = 0
            if s.voice:
                s.voice_gap += 1
                if s.voice_gap >= d.voice_hangover:
                    k = self._emit(rec, k, c, K_VOICE_OFF, -1, s.voice_start * BLOCK,
                                   s.voice_end * BLOCK,
                                   s.voice_energy / max(1, s.voice_end - s.voice_start))
                    s.voice = 0
        s.block = b + 1
        return k

    # -- cadence tracking (per channel, over the run records) --------------------------

    cdef inline cadence_entry_t *_entry(self, int c, cadence_entry_t *extra,
                                        int back) noexcept nogil:
        """History entry ``back`` places before the newest (``extra`` is the newest when
        given)."""
        if extra != NULL:
            if back == 0:
                return extra
            back -= 1
        return &self.hist[c * self.hist_size
                          + (<unsigned int>(self.ts[c].head - 1 - back) & (self.hist_size - 1))]

    cdef inline void _push(self, int c, int sig, int64_t dur, int64_t start,
                           double level) noexcept nogil:
        cdef cadence_state_t *t = &self.ts[c]
        cdef cadence_entry_t *e = &self.hist[c * self.hist_size + t.head]
        e.sig = sig
        e.dur = dur
        e.start = start
        e.level = level
        t.head = (t.head + 1) & (self.hist_size - 1)
        t.length += 1

    cdef inline int _name_for(self, cadence_state_t *t, int sig) noexcept nogil:
        """The recognised tone when it has bursts of ``sig``, else the one tone using it."""
        if t.active >= 0 and (self.pat[t.active].sigs >> sig) & 1:
            return self.pat[t.active].name
        return self.sig_name[sig]

    cdef inline void _event(self, int kind, int c, int name, int sig, uint32_t sigs,
                            int cycles, int64_t sample, int64_t duration,
                            double level) noexcept nogil:
        cdef progress_event_t *e
        if self.nev >= self.ev_cap:
            return  # cannot happen: a pass holds at most 5 events per channel and block
        e = &self.ev[self.nev]
        self.nev += 1
        e.kind = kind
        e.channel = c
        e.name = name
        e.sig = sig
        e.sigs = sigs
        e.cycles = cycles
        e.sample = sample
        e.duration = duration
        e.level = level

    cdef void _cadence(self, progress_record_t *r) noexcept nogil:
        """One run record of a channel: events, and the cadence decisions it allows."""
        cdef int c = <int>r.channel, sig = <int>r.sig, kind = <int>r.kind, prev, j
        cdef cadence_state_t *t = &self.ts[c]
        cdef cadence_pattern_t *p
        cdef cadence_element_t *el
        cdef cadence_entry_t newest
        cdef int64_t gap
        cdef double level
        cdef bint fits
        if sig == self.desc.ans_sig and kind != K_TONE_ON:
            t.ans_rev = r.reversals
            t.ans_depth = r.depth
        if kind == K_TONE_ON:
            t.tone_open = 1
            if t.has_last:
                gap = r.start - t.last_end
                prev = self._entry(c, NULL, 0).sig if t.length else -1
                if gap >= 2 * BLOCK or prev == sig:
                    self._push(c, -1, gap, t.last_end, 0.0)
                    # A window ending on a gap starts on one too (bursts and gaps
                    # alternate), so no new decision can come from it: only check that the
                    # recognised tone goes on.
                    if t.active >= 0:
                        p = &self.pat[t.active]
                        fits = False
                        for j in range(p.n):
                            el = &self.elem[p.first + j]
                            if el.sig < 0 and el.lo <= gap <= el.hi:
                                fits = True
                                break
                        if not fits:
                            t.active = -1
            self._event(EV_TONE_ON, c, self._name_for(t, sig), sig, 0, 0, r.start, 0,
                        _dbm0(r.level))
        elif kind == K_TONE_OFF:
            t.tone_open = 0
            if r.end > t.quiet_since:
                t.quiet_since = r.end
            level = _dbm0(r.level)
            self._push(c, sig, r.end - r.start, r.start, level)
            if t.length > HIST_TRIM:
                t.length -= HIST_TRIM_BY  # the longest window is far shorter
            t.has_last = 1
            t.last_end = r.end
            self._decide(c, False, r.end, NULL)
            self._event(EV_TONE_OFF, c, self._name_for(t, sig), sig, 0, 0, r.start,
                        r.end - r.start, level)
        elif kind == K_TONE_LONG:
            newest.sig = sig
            newest.dur = r.end - r.start
            newest.start = r.start
            newest.level = _dbm0(r.level)
            self._decide(c, True, r.end, &newest)
        elif kind == K_VOICE_ON:
            t.voice_open = 1
            self._event(EV_VOICE_ON, c, -1, -1, 0, 0, r.start, 0, _dbm0(r.level))
        elif kind == K_V21:
            t.active = -1
            self._event(EV_V21, c, self.name_v21, -1, 0, V21_FLAGS, r.start, r.end - r.start,
                        _dbm0(r.level))
        elif kind == K_VOICE_OFF:
            t.voice_open = 0
            if r.end > t.quiet_since:
                t.quiet_since = r.end
            self._event(EV_VOICE_OFF, c, -1, -1, 0, 0, r.start, r.end - r.start,
                        _dbm0(r.level))

    cdef void _decide(self, int c, bint running, int64_t now,
                      cadence_entry_t *extra) noexcept nogil:
        """Match the history (plus ``extra``, the tone still running) against every
        pattern the newest burst can end; report the best match not already reported."""
        cdef cadence_state_t *t = &self.ts[c]
        cdef cadence_entry_t *newest = self._entry(c, extra, 0)
        cdef cadence_entry_t *w
        cdef cadence_interval_t *v
        cdef cadence_pattern_t *p
        cdef cadence_element_t *el
        cdef int64_t length = t.length + (1 if extra != NULL else 0), start
        cdef double dur = <double>newest.dur, total = 0
        cdef int i, back, e, key, best = -1, best_key = 0, best_need = 0, name, bursts = 0
        cdef bint ok, active_matched = False, am
        cdef uint32_t sigs = 0
        # Elements of every tone the newest entry can be (its signature, its duration);
        # the rest of each tone is checked backwards from there.
        for i in range(self.iv_first[newest.sig], self.iv_first[newest.sig + 1]):
            v = &self.iv[i]
            if not v.lo <= dur <= v.hi or (running and not v.is_long) or length < v.need:
                continue
            p = &self.pat[v.pat]
            ok = True
            for back in range(1, v.need):
                w = self._entry(c, extra, back)
                e = (v.idx - back) % p.n
                if e < 0:
                    e += p.n
                el = &self.elem[p.first + e]
                if w.sig != el.sig or not el.lo <= w.dur <= el.hi:
                    ok = False
                    break
            if not ok:
                continue
            if v.pat == t.active:
                active_matched = True
            key = 0 if p.early else v.need
            # The longest evidence wins (stutter dial over dial; vacant over busy), then
            # the first pattern.
            if best < 0 or key > best_key or (key == best_key and v.pat < best):
                best = v.pat
                best_key = key
                best_need = v.need
        if not running and not active_matched:
            t.active = -1
        if best < 0 or best == t.active:
            return
        w = self._entry(c, extra, best_need - 1)
        if w.sig < 0:
            return  # a new decision starts on a tone burst
        t.active = best
        name = self.pat[best].name
        if best == self.ced and newest.sig == self.desc.ans_sig:
            am = <double>t.ans_depth / 1000.0 >= self.ansam_depth
            if t.ans_rev:
                name = self.name_ansam_pr if am else self.name_ans_pr
            elif am:
                name = self.name_ansam
        for back in range(best_need - 1, -1, -1):
            w = self._entry(c, extra, back)
            if w.sig >= 0:
                total += w.level
                bursts += 1
                sigs |= 1u << w.sig
        start = self._entry(c, extra, best_need - 1).start
        self._event(EV_CADENCE, c, name, -1, sigs, bursts, start, now - start,
                    bl_progress_round2(total / max(1, bursts)))

    cdef void _collect(self, list out) except *:
        """Append the events of the buffer to ``out`` as objects; empty the buffer."""
        cdef Py_ssize_t i
        cdef progress_event_t *e
        cdef int cls
        cdef PyObject *v[MAXFIELD]
        cdef object name, freqs, level, sample, duration, cycles, channel
        try:
            for i in range(self.nev):
                e = &self.ev[i]
                name = None if e.name < 0 else self.names[e.name]
                level = e.level
                sample = e.sample
                channel = e.channel
                if e.kind == EV_TONE_ON or e.kind == EV_TONE_OFF:
                    freqs = self.sig_freqs[e.sig]
                elif e.kind == EV_CADENCE:
                    freqs = self.sigs_freqs.get(e.sigs)
                    if freqs is None:
                        freqs = tuple(sorted({f for j, fs in enumerate(self.sig_freqs)
                                              if (e.sigs >> j) & 1 for f in fs}))
                        self.sigs_freqs[e.sigs] = freqs
                elif e.kind == EV_V21:
                    freqs = (1650.0, 1850.0)
                cls = EV_CADENCE if e.kind == EV_V21 else e.kind
                if cls == EV_TONE_ON:
                    v[0] = <PyObject *> name
                    v[1] = <PyObject *> freqs
                    v[2] = <PyObject *> level
                    v[3] = <PyObject *> sample
                    v[4] = <PyObject *> channel
                elif cls == EV_TONE_OFF:
                    duration = e.duration
                    v[0] = <PyObject *> name
                    v[1] = <PyObject *> freqs
                    v[2] = <PyObject *> level
                    v[3] = <PyObject *> sample
                    v[4] = <PyObject *> duration
                    v[5] = <PyObject *> channel
                elif cls == EV_CADENCE:
                    duration = e.duration
                    cycles = e.cycles
                    v[0] = <PyObject *> name
                    v[1] = <PyObject *> freqs
                    v[2] = <PyObject *> level
                    v[3] = <PyObject *> sample
                    v[4] = <PyObject *> duration
                    v[5] = <PyObject *> cycles
                    v[6] = <PyObject *> channel
                elif cls == EV_VOICE_ON:
                    v[0] = <PyObject *> sample
                    v[1] = <PyObject *> level
                    v[2] = <PyObject *> channel
                else:
                    duration = e.duration
                    v[0] = <PyObject *> sample
                    v[1] = <PyObject *> duration
                    v[2] = <PyObject *> level
                    v[3] = <PyObject *> channel
                # The fields in the dataclass's order, in v[]: the slots are filled directly
                # when the classes have the expected shape, else the classes are called.
                if _fast_events:
                    out.append(bl_progress_event(_event_type[cls], _event_off[cls],
                                                 len(_EVENT_FIELDS[cls]), v))
                else:
                    out.append(_event_classes[cls](
                        *[<object> v[k] for k in range(len(_EVENT_FIELDS[cls]))]))
        finally:
            self.nev = 0
