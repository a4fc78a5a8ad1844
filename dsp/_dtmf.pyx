# cython: cdivision=True
"""DTMF (ITU-T Q.23 signalling, Q.24 reception) detection: one channel and banks."""

cimport cython
from libc.stdint cimport int16_t, int64_t, uint8_t, uint32_t
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF
from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBUF_RECORDS_RO, PyBuffer_Release, PyObject_GetBuffer
from libc.stdlib cimport calloc, free
from libc.string cimport memcpy, memset

from bl_build cimport bl_build_info
from bl_goertzel cimport bl_corr_kernels_t, bl_corr_select

import dataclasses
import math

import numpy as np

from boardlib.errors import SignalFormatError
from boardlib.dsp.dtmf_events import DtmfDigit

cdef extern from *:
    """
    #include <math.h>
    #include <string.h>
    #include <stdint.h>
    #include <structmember.h>

    #define DTMF_HALF 52            /* hop: half of the 104-sample analysis window */
    #define DTMF_WIN 104
    #define DTMF_MAX_EVENTS 16      /* per channel per kernel call (calls carry <= 2048 samples) */
    #define DTMF_GTAB 512

    typedef struct {
        int16_t digit;              /* 0..15, row-major over "123A456B789C*0#D" */
        int64_t start;
        int64_t duration;
        double low_db, high_db;     /* levels of the two tones, dBm0 */
        int64_t hops;               /* duration in hops (duration = 52 hops + a constant) */
    } dtmf_event_t;

    typedef struct {
        float tab[DTMF_HALF * 16];  /* cos (lanes 0-7) and -sin (8-15) over one half-window */
        int16_t lut[256];           /* G.711 code -> linear sample */
        float rot_re_f[8], rot_im_f[8]; /* exp(-j w0 * hop) */
        float tol_rad[8];           /* accepted phase-advance error per hop */
        double min_energy;          /* windows with less first-difference energy are skipped */
        double gdiff[8];            /* |1 - exp(-j w0)|^2: tone gain of the first difference */
        double gtab[DTMF_GTAB + 1]; /* Hann power response vs phase error per hop, 0..pi */
        double ms_scale;            /* |Z|^2 -> mean square of the tone */
        double ms0;                 /* mean square of a 0 dBm0 sine */
        double e_scale;             /* windowed energy -> mean square */
        double thr_ms, twist_max, rtwist_max, twist_max_w, rtwist_max_w, purity, balance;
        float relpeak;
        float freq[8], hz_per_rad, harmonic_hz;
        int start_run, end_miss, start_offset, duration_offset;
    } dtmf_rx_descriptor_t;

    typedef struct {
        int16_t hb[2][DTMF_HALF];   /* the last two half-blocks (ring, slot = index & 1) */
        float ha[2][16];            /* their DFTs (each with its own phase origin) */
        uint64_t he[2];             /* their first-difference energies */
        int hcorr[2], hpoison[2];   /* DFT computed; half-block has lost samples */
        int32_t xprev;              /* last sample before the next one (0 after lost audio) */
        uint64_t eacc;              /* first-difference energy of the half-block being filled */
        float prev_z[16];
        int64_t half;               /* index of the half-block being filled */
        int off;                    /* samples already in it */
        int poison;
        int prev_valid, prev_digit;
        int cur;                    /* digit in progress, -1 none */
        int64_t first, last_ok;
        int miss, ns;
        double sr, sc;
        int cand, run, cns;
        int64_t cand_first;
        double csr, csc;
        int nev;
        int lost;
        dtmf_event_t ev[DTMF_MAX_EVENTS];
    } dtmf_rx_state_t;

    static void dtmf_rx_state_init(dtmf_rx_state_t *s) {
        memset(s, 0, sizeof(*s));
        s->cur = -1; s->cand = -1; s->prev_digit = -1;
        s->hpoison[0] = s->hpoison[1] = 1;
    }

    static void dtmf_emit(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t) {
        dtmf_event_t *e;
        if (s->nev >= DTMF_MAX_EVENTS) { s->lost++; return; }
        e = &s->ev[s->nev++];
        e->digit = (int16_t) s->cur;
        e->start = (int64_t) DTMF_HALF * s->first + t->start_offset;
        e->hops = s->last_ok - s->first;
        e->duration = (int64_t) DTMF_HALF * e->hops + t->duration_offset;
        e->low_db = 10.0 * log10((s->sr / s->ns) / t->ms0);
        e->high_db = 10.0 * log10((s->sc / s->ns) / t->ms0);
    }

    static void dtmf_digit_logic(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t, int64_t m,
                                 int ok, int digit, double pr, double pc) {
        if (ok && digit == s->cur) {
            s->last_ok = m; s->miss = 0;
            s->sr += pr; s->sc += pc; s->ns++;
            s->cand = -1; s->run = 0;
            return;
        }
        if (s->cur >= 0) s->miss++;
        if (ok) {
            if (digit == s->cand) {
                s->run++; s->csr += pr; s->csc += pc; s->cns++;
            } else {
                s->cand = digit; s->run = 1; s->cand_first = m - 1;
                s->csr = pr; s->csc = pc; s->cns = 1;
            }
            /* Twist is judged on the mean powers of the run: one window's figures carry the
               leakage of the other group's tone, which averages out over the windows. */
            if (s->run >= t->start_run && s->csr <= s->csc * t->twist_max
                    && s->csc <= s->csr * t->rtwist_max) {
                if (s->cur >= 0) dtmf_emit(s, t);
                s->cur = s->cand; s->first = s->cand_first; s->last_ok = m; s->miss = 0;
                s->sr = s->csr; s->sc = s->csc; s->ns = s->cns;
                s->cand = -1; s->run = 0;
                return;
            }
        } else {
            s->cand = -1; s->run = 0;
        }
        if (s->cur >= 0 && s->miss >= t->end_miss) {
            dtmf_emit(s, t);
            s->cur = -1;
        }
    }

    static double dtmf_gain(const dtmf_rx_descriptor_t *t, double dphi) {
        double x = fabs(dphi) * (DTMF_GTAB / M_PI);
        int i = (int) x;
        if (i >= DTMF_GTAB) return t->gtab[DTMF_GTAB];
        x -= i;
        return t->gtab[i] + x * (t->gtab[i + 1] - t->gtab[i]);
    }

    /* atan2 to about 1e-5 rad, without libm (cheap and the same on every path). */
    static inline float dtmf_atan2f(float y, float x) {
        float ax = fabsf(x), ay = fabsf(y);
        float mn = ax < ay ? ax : ay, mx = ax < ay ? ay : ax;
        float a = mx > 0.0f ? mn / mx : 0.0f;
        float q = a * a;
        float r = ((-0.0464964749f * q + 0.15931422f) * q - 0.327622764f) * q * a + a;
        if (ay > ax) r = 1.57079637f - r;
        if (x < 0.0f) r = 3.14159274f - r;
        return y < 0.0f ? -r : r;
    }

    /* The per-window decision runs on SSE2 vectors where available: four bins of a group
       per vector, and the two phase errors in two lanes. Every lane performs the same IEEE
       single-precision operations, in the same order, as the scalar code beside it, so both
       paths give bit-identical results. */
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #define DTMF_SSE2 1

    /* First index of the largest power of the group (the scalar loop's tie rule), and
       whether every other power is at least `relpeak` times weaker (false when all are 0). */
    static inline int dtmf_group(__m128 p, __m128 relpeak, int *idx) {
        __m128 m = _mm_max_ps(p, _mm_shuffle_ps(p, p, _MM_SHUFFLE(2, 3, 0, 1)));
        int i, big;
        m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
        i = __builtin_ctz((unsigned) _mm_movemask_ps(_mm_cmpeq_ps(p, m)) | 16u);
        /* p[i] * relpeak > p[i] whenever p[i] > 0: exactly lane i exceeds the peak. */
        big = _mm_movemask_ps(_mm_cmpgt_ps(_mm_mul_ps(p, relpeak), m));
        *idx = i & 3;
        return big == (1 << i);
    }

    /* Lane-wise dtmf_atan2f. */
    static inline __m128 dtmf_atan2_ps(__m128 y, __m128 x) {
        const __m128 sign = _mm_set1_ps(-0.0f), zero = _mm_setzero_ps();
        __m128 ax = _mm_andnot_ps(sign, x), ay = _mm_andnot_ps(sign, y);
        __m128 mn = _mm_min_ps(ax, ay), mx = _mm_max_ps(ay, ax);
        __m128 a = _mm_and_ps(_mm_cmpgt_ps(mx, zero), _mm_div_ps(mn, mx));
        __m128 q = _mm_mul_ps(a, a);
        __m128 r = _mm_add_ps(_mm_mul_ps(_mm_mul_ps(_mm_sub_ps(_mm_mul_ps(_mm_add_ps(
                        _mm_mul_ps(_mm_set1_ps(-0.0464964749f), q), _mm_set1_ps(0.15931422f)), q),
                        _mm_set1_ps(0.327622764f)), q), a), a);
        __m128 m = _mm_cmpgt_ps(ay, ax);
        r = _mm_or_ps(_mm_and_ps(m, _mm_sub_ps(_mm_set1_ps(1.57079637f), r)), _mm_andnot_ps(m, r));
        m = _mm_cmplt_ps(x, zero);
        r = _mm_or_ps(_mm_and_ps(m, _mm_sub_ps(_mm_set1_ps(3.14159274f), r)), _mm_andnot_ps(m, r));
        return _mm_xor_ps(r, _mm_and_ps(_mm_cmplt_ps(y, zero), sign));
    }
    #endif

    /* Phase advances of bins r and c from the previous window to this one, minus the
       nominal ones. */
    static inline void dtmf_phase_errors(const dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t,
                                         const float *z, int r, int c, float *dr, float *dc) {
    #ifdef DTMF_SSE2
        __m128 pr = _mm_setr_ps(s->prev_z[r], s->prev_z[c], 0.0f, 0.0f);
        __m128 pi = _mm_setr_ps(s->prev_z[8+r], s->prev_z[8+c], 0.0f, 0.0f);
        __m128 zr = _mm_setr_ps(z[r], z[c], 0.0f, 0.0f);
        __m128 zi = _mm_setr_ps(z[8+r], z[8+c], 0.0f, 0.0f);
        __m128 rr = _mm_setr_ps(t->rot_re_f[r], t->rot_re_f[c], 0.0f, 0.0f);
        __m128 ri = _mm_setr_ps(t->rot_im_f[r], t->rot_im_f[c], 0.0f, 0.0f);
        __m128 xr = _mm_add_ps(_mm_mul_ps(zr, pr), _mm_mul_ps(zi, pi));
        __m128 xi = _mm_sub_ps(_mm_mul_ps(zi, pr), _mm_mul_ps(zr, pi));
        __m128 yr = _mm_sub_ps(_mm_mul_ps(xr, rr), _mm_mul_ps(xi, ri));
        __m128 yi = _mm_add_ps(_mm_mul_ps(xr, ri), _mm_mul_ps(xi, rr));
        float out[4];
        _mm_storeu_ps(out, dtmf_atan2_ps(yi, yr));
        *dr = out[0]; *dc = out[1];
    #else
        int k, i;
        float e[2];
        for (i = 0; i < 2; i++) {
            k = i ? c : r;
            float zr = z[k] * s->prev_z[k] + z[8+k] * s->prev_z[8+k];
            float zi = z[8+k] * s->prev_z[k] - z[k] * s->prev_z[8+k];
            float yr = zr * t->rot_re_f[k] - zi * t->rot_im_f[k];
            float yi = zr * t->rot_im_f[k] + zi * t->rot_re_f[k];
            e[i] = dtmf_atan2f(yi, yr);
        }
        *dr = e[0]; *dc = e[1];
    #endif
    }

    /* One analysis window m (samples 52m .. 52m+103): a = first half, b = second half (each
       with its own phase origin). */
    static void dtmf_window(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t, int64_t m,
                            const float *a, const float *b, double energy) {
        float z[16];
        float ar, ac, dr, dc, pr0, pc0;
        double pr = 0.0, pc = 0.0, q;
        int k, r, c, valid = 0, ok = 0, digit = -1;

        if (a != NULL && energy >= t->min_energy) {
            /* Window DFT = first half + second half moved to the window's phase origin. */
    #ifdef DTMF_SSE2
            __m128 zv[4], pv[2];
            const __m128 relpeak = _mm_set1_ps(t->relpeak);
            for (k = 0; k < 2; k++) {
                __m128 rre = _mm_loadu_ps(t->rot_re_f + 4 * k), rim = _mm_loadu_ps(t->rot_im_f + 4 * k);
                __m128 bre = _mm_loadu_ps(b + 4 * k), bim = _mm_loadu_ps(b + 8 + 4 * k);
                zv[k] = _mm_add_ps(_mm_loadu_ps(a + 4 * k),
                                   _mm_sub_ps(_mm_mul_ps(rre, bre), _mm_mul_ps(rim, bim)));
                zv[2+k] = _mm_add_ps(_mm_loadu_ps(a + 8 + 4 * k),
                                     _mm_add_ps(_mm_mul_ps(rre, bim), _mm_mul_ps(rim, bre)));
                pv[k] = _mm_add_ps(_mm_mul_ps(zv[k], zv[k]), _mm_mul_ps(zv[2+k], zv[2+k]));
                _mm_storeu_ps(z + 4 * k, zv[k]);
                _mm_storeu_ps(z + 8 + 4 * k, zv[2+k]);
            }
            valid = dtmf_group(pv[0], relpeak, &r);
            valid &= dtmf_group(pv[1], relpeak, &c);
            c += 4;
            {
                float pw[8];
                _mm_storeu_ps(pw, pv[0]);
                _mm_storeu_ps(pw + 4, pv[1]);
                pr0 = pw[r]; pc0 = pw[c];
            }
    #else
            float p[8];
            for (k = 0; k < 8; k++) {
                z[k] = a[k] + (t->rot_re_f[k] * b[k] - t->rot_im_f[k] * b[8+k]);
                z[8+k] = a[8+k] + (t->rot_re_f[k] * b[8+k] + t->rot_im_f[k] * b[k]);
            }
            for (k = 0; k < 8; k++) p[k] = z[k] * z[k] + z[8+k] * z[8+k];
            r = p[1] > p[0] ? 1 : 0;
            r = p[2] > p[r] ? 2 : r;
            r = p[3] > p[r] ? 3 : r;
            c = p[5] > p[4] ? 5 : 4;
            c = p[6] > p[c] ? 6 : c;
            c = p[7] > p[c] ? 7 : c;
            /* Every other tone of each group at least 6 dB under the strongest one. */
            valid = p[r] > 0.0f && p[c] > 0.0f;
            for (k = 0; k < 4; k++)
                if (k != r && p[k] * t->relpeak > p[r]) valid = 0;
            for (k = 4; k < 8; k++)
                if (k != c && p[k] * t->relpeak > p[c]) valid = 0;
            pr0 = p[r]; pc0 = p[c];
    #endif
            digit = 4 * r + (c - 4);
            if (valid && s->prev_valid && s->prev_digit == digit) {
                /* The tone must be steady: similar power in this window and the previous. */
                ar = s->prev_z[r] * s->prev_z[r] + s->prev_z[8+r] * s->prev_z[8+r];
                ac = s->prev_z[c] * s->prev_z[c] + s->prev_z[8+c] * s->prev_z[8+c];
                if (ar * t->balance >= pr0 && pr0 * t->balance >= ar
                        && ac * t->balance >= pc0 && pc0 * t->balance >= ac) {
                    /* Frequency from the phase advance over one hop. */
                    dtmf_phase_errors(s, t, z, r, c, &dr, &dc);
                    /* A column tone at twice the row frequency is a note and its second
                       harmonic: no in-tolerance DTMF pair comes within 14 Hz of that. */
                    if (fabsf(dr) <= t->tol_rad[r] && fabsf(dc) <= t->tol_rad[c]
                            && fabsf(t->freq[c] + dc * t->hz_per_rad
                                     - 2.0f * (t->freq[r] + dr * t->hz_per_rad)) > t->harmonic_hz) {
                        pr = pr0 * t->ms_scale / dtmf_gain(t, dr);
                        pc = pc0 * t->ms_scale / dtmf_gain(t, dc);
                        q = energy * t->e_scale;
                        ok = pr >= t->thr_ms && pc >= t->thr_ms
                             && pr <= pc * t->twist_max_w && pc <= pr * t->rtwist_max_w
                             && pr * t->gdiff[r] + pc * t->gdiff[c] >= t->purity * q;
                    }
                }
            }
            memcpy(s->prev_z, z, sizeof(z));
        } else {
            valid = 0;
        }
        s->prev_valid = valid;
        s->prev_digit = digit;
        if (ok || s->cur >= 0 || s->cand >= 0)
            dtmf_digit_logic(s, t, m, ok, digit, pr, pc);
    }

    static inline void dtmf_corr(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t,
                                 const bl_corr_kernels_t *fn, int slot) {
        if (!s->hcorr[slot]) {
            fn->corr(t->tab, s->hb[slot], DTMF_HALF, s->ha[slot]);
            s->hcorr[slot] = 1;
        }
    }

    /* Half-block `half` is complete: its energy now, its DFT only when a window needs it. */
    static void dtmf_complete_half(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t,
                                   const bl_corr_kernels_t *fn) {
        int cur = (int) (s->half & 1), prv = cur ^ 1;
        uint64_t e = 0;
        s->hpoison[cur] = s->poison;
        s->hcorr[cur] = 0;
        if (!s->poison)
            e = s->eacc;
        else
            s->xprev = 0;
        s->eacc = 0;
        s->he[cur] = e;
        if (s->half >= 1) {
            if (!s->hpoison[prv] && !s->poison
                    && (double) (s->he[prv] + e) >= t->min_energy) {
                dtmf_corr(s, t, fn, prv);
                dtmf_corr(s, t, fn, cur);
                dtmf_window(s, t, s->half - 1, s->ha[prv], s->ha[cur],
                            (double) (s->he[prv] + e));
            } else {
                dtmf_window(s, t, s->half - 1, NULL, NULL, 0.0);
            }
        }
        s->half++;
        s->off = 0;
        s->poison = 0;
    }

    static void dtmf_rx_s16(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t,
                            const bl_corr_kernels_t *fn, const int16_t *amp, int64_t n) {
        int step;
        while (n > 0) {
            step = DTMF_HALF - s->off;
            if (step > n) step = (int) n;
            /* The energy is summed piece by piece, straight from the input (an integer sum:
               the same for any chunking). */
            s->eacc += fn->energy(amp, step, s->xprev);
            s->xprev = amp[step - 1];
            memcpy(&s->hb[s->half & 1][s->off], amp, (size_t) step * sizeof(int16_t));
            amp += step; n -= step; s->off += step;
            if (s->off == DTMF_HALF) dtmf_complete_half(s, t, fn);
        }
    }

    static void dtmf_rx_u8(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t,
                           const bl_corr_kernels_t *fn, const uint8_t *amp, int64_t n) {
        int step, i;
        int16_t *dst;
        while (n > 0) {
            step = DTMF_HALF - s->off;
            if (step > n) step = (int) n;
            dst = &s->hb[s->half & 1][s->off];
            for (i = 0; i < step; i++) dst[i] = t->lut[amp[i]];
            s->eacc += fn->energy(dst, step, s->xprev);
            s->xprev = dst[step - 1];
            amp += step; n -= step; s->off += step;
            if (s->off == DTMF_HALF) dtmf_complete_half(s, t, fn);
        }
    }

    /* Lost audio: advance the timeline; no window spanning the gap is analysed. */
    static void dtmf_rx_fillin(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t,
                               const bl_corr_kernels_t *fn, int64_t n) {
        int step;
        while (n > 0) {
            s->poison = 1;
            step = DTMF_HALF - s->off;
            if (step > n) step = (int) n;
            n -= step; s->off += step;
            if (s->off == DTMF_HALF) dtmf_complete_half(s, t, fn);
        }
    }

    static void dtmf_rx_flush(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t) {
        if (s->cur >= 0) dtmf_emit(s, t);
        s->cur = -1; s->cand = -1; s->run = 0; s->miss = 0;
    }

    /* ---- event objects -------------------------------------------------------------------
       DtmfDigit is a frozen slots dataclass: its generated __init__ sets each field through
       object.__setattr__, about 1 us per event. Events are built here instead by filling the
       six object slots of a freshly allocated instance (the same object __init__ would make).
       dtmf_slot_offset() accepts only writable object slots, so a class of another shape
       makes the caller fall back to calling the class. */
    #define DTMF_EVENT_FIELDS 6
    static PyTypeObject *dtmf_event_type = NULL;
    static Py_ssize_t dtmf_event_off[DTMF_EVENT_FIELDS];
    static PyObject *dtmf_digit_str[16];

    static Py_ssize_t dtmf_slot_offset(PyObject *descr) {
        PyMemberDef *m;
        if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) return -1;
        m = ((PyMemberDescrObject *) descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
        return m->offset;
    }

    /* Durations take few values (whole hops plus a constant): their int objects are made
       once and shared, one allocation less per event. */
    #define DTMF_DUR_CACHE 512
    static PyObject *dtmf_dur_obj[DTMF_DUR_CACHE];
    static int64_t dtmf_dur_val[DTMF_DUR_CACHE];

    static PyObject *dtmf_duration_obj(const dtmf_event_t *e) {
        PyObject *o;
        if (e->hops < 0 || e->hops >= DTMF_DUR_CACHE)
            return PyLong_FromLongLong((long long) e->duration);
        o = dtmf_dur_obj[e->hops];
        if (o == NULL || dtmf_dur_val[e->hops] != e->duration) {
            o = PyLong_FromLongLong((long long) e->duration);
            if (o == NULL) return NULL;
            Py_XDECREF(dtmf_dur_obj[e->hops]);
            dtmf_dur_obj[e->hops] = o;
            dtmf_dur_val[e->hops] = e->duration;
        }
        Py_INCREF(o);
        return o;
    }

    static PyObject *dtmf_event_obj(const dtmf_event_t *e, long channel) {
        PyObject *v[DTMF_EVENT_FIELDS], *o = NULL;
        int i;
        v[0] = dtmf_digit_str[e->digit & 15];
        Py_INCREF(v[0]);
        v[1] = PyLong_FromLongLong((long long) e->start);
        v[2] = dtmf_duration_obj(e);
        v[3] = PyFloat_FromDouble(e->low_db);
        v[4] = PyFloat_FromDouble(e->high_db);
        v[5] = PyLong_FromLong(channel);
        for (i = 0; i < DTMF_EVENT_FIELDS; i++)
            if (v[i] == NULL) goto fail;
        o = dtmf_event_type->tp_alloc(dtmf_event_type, 0);
        if (o == NULL) goto fail;
        for (i = 0; i < DTMF_EVENT_FIELDS; i++)
            *(PyObject **) ((char *) o + dtmf_event_off[i]) = v[i];
        return o;
    fail:
        for (i = 0; i < DTMF_EVENT_FIELDS; i++) Py_XDECREF(v[i]);
        return NULL;
    }

    /* The pending events of channels 0..nch-1 as one new list (channel -1 when `single`),
       in channel order; the channels' event queues are emptied. With `chans`, only the
       `nch` channels listed there (ascending) hold events, `total` in all. */
    static PyObject *dtmf_collect_from(dtmf_rx_state_t *st, int nch, int single,
                                       const int *chans, Py_ssize_t total) {
        Py_ssize_t k = 0;
        PyObject *list, *o;
        int j, ch, i;
        if (chans == NULL)
            for (total = 0, ch = 0; ch < nch; ch++) total += st[ch].nev;
        list = PyList_New(total);
        if (list == NULL) return NULL;
        for (j = 0; j < nch; j++) {
            ch = chans != NULL ? chans[j] : j;
            for (i = 0; i < st[ch].nev; i++) {
                o = dtmf_event_obj(&st[ch].ev[i], single ? -1 : ch);
                if (o == NULL) { Py_DECREF(list); return NULL; }
                PyList_SET_ITEM(list, k++, o);
            }
            st[ch].nev = 0;
        }
        return list;
    }

    static PyObject *dtmf_collect(dtmf_rx_state_t *st, int nch, int single) {
        return dtmf_collect_from(st, nch, single, NULL, 0);
    }
    """
    int DTMF_HALF
    int DTMF_WIN
    int DTMF_MAX_EVENTS
    int DTMF_GTAB

    ctypedef struct dtmf_event_t:
        int16_t digit
        int64_t start
        int64_t duration
        double low_db
        double high_db

    ctypedef struct dtmf_rx_descriptor_t:
        float tab[52 * 16]
        int16_t lut[256]
        float rot_re_f[8]
        float rot_im_f[8]
        float tol_rad[8]
        double min_energy
        double gdiff[8]
        double gtab[513]
        double ms_scale
        double ms0
        double e_scale
        double thr_ms
        double twist_max
        double rtwist_max
        double twist_max_w
        double rtwist_max_w
        double purity
        double balance
        float relpeak
        float freq[8]
        float hz_per_rad
        float harmonic_hz
        int start_run
        int end_miss
        int start_offset
        int duration_offset

    ctypedef struct dtmf_rx_state_t:
        int64_t half
        int off
        int cur
        int64_t first
        int64_t last_ok
        int nev
        int lost
        dtmf_event_t ev[16]

    void dtmf_rx_state_init(dtmf_rx_state_t *s) noexcept nogil
    void dtmf_rx_s16(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t, const bl_corr_kernels_t *fn,
                     const int16_t *amp, int64_t n) noexcept nogil
    void dtmf_rx_u8(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t, const bl_corr_kernels_t *fn,
                    const uint8_t *amp, int64_t n) noexcept nogil
    void dtmf_rx_fillin(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t, const bl_corr_kernels_t *fn,
                        int64_t n) noexcept nogil
    void dtmf_rx_flush(dtmf_rx_state_t *s, const dtmf_rx_descriptor_t *t) noexcept nogil

    int DTMF_EVENT_FIELDS
    PyTypeObject *dtmf_event_type
    Py_ssize_t dtmf_event_off[6]
    PyObject *dtmf_digit_str[16]
    Py_ssize_t dtmf_slot_offset(object descr)
    list dtmf_collect(dtmf_rx_state_t *st, int nch, int single)
    list dtmf_collect_from(dtmf_rx_state_t *st, int nch, int single, const int *chans,
                           Py_ssize_t total)


DIGITS = "123A456B789C*0#D"
ROW_HZ = (697.0, 770.0, 852.0, 941.0)
COLUMN_HZ = (1209.0, 1336.0, 1477.0, 1633.0)

# Mean square of a 0 dBm0 sine: a full-scale sine (peak 32768) is +3.14 dBm0.
cdef double _MS_0DBM0 = 32768.0 * 32768.0 / 2.0 / 10.0 ** 0.314
# Decision constants (see the DtmfDetector docstring).
_TOLERANCE_FRACTION = 0.025
_TOLERANCE_HZ = 1.0
_TWIST_MARGIN_DB = 1.0
_TWIST_WINDOW_MARGIN_DB = 3.0
_PURITY_DB = -2.0
_BALANCE = 3.0  # 4.8 dB
_RELATIVE_PEAK_DB = 6.0
_HARMONIC_HZ = 8.0
_START_RUN = 4
_END_MISS = 5
cdef Py_ssize_t _CHUNK = 2048
_W2_SCALE = 4096.0

cdef bl_corr_kernels_t _kern
cdef int _simd_level = bl_corr_select(&_kern, 2)


def _build_info():
    info = bl_build_info()
    info["dtmf_simd"] = ("baseline", "avx2", "avx512")[_simd_level]
    return info


def _test_simd_level() -> str:
    """The correlator kernel chosen at import: ``"avx512"``, ``"avx2"`` or ``"baseline"``."""
    return ("baseline", "avx2", "avx512")[_simd_level]


def _test_select_simd(level: int) -> str:
    """Use at most SIMD ``level`` (0 baseline, 1 AVX2, 2 AVX-512); returns the kernel chosen."""
    global _simd_level
    _simd_level = bl_corr_select(&_kern, level)
    return _test_simd_level()


def _alaw_table():
    out = np.empty(256, dtype=np.int16)
    for code in range(256):
        a = code ^ 0x55
        exponent = (a >> 4) & 7
        mantissa = a & 0x0F
        if exponent == 0:
            v = (mantissa << 4) + 8
        else:
            v = ((mantissa << 4) + 0x108) << (exponent - 1)
        out[code] = v if a & 0x80 else -v
    return out


def _ulaw_table():
    out = np.empty(256, dtype=np.int16)
    for code in range(256):
        u = ~code & 0xFF
        exponent = (u >> 4) & 7
        mantissa = u & 0x0F
        v = (((mantissa << 3) + 0x84) << exponent) - 0x84
        out[code] = -v if u & 0x80 else v
    return out


def _number(value, name, low, high):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise SignalFormatError(f"{name} must be a number in [{low}, {high}], got {value!r}") from None
    if not math.isfinite(x) or not (low <= x <= high):
        raise SignalFormatError(f"{name} must be a finite number in [{low}, {high}], got {value!r}")
    return x


cdef int _fill_descriptor(dtmf_rx_descriptor_t *t, sample_rate, threshold_dbm0, max_twist_db,
                          max_reverse_twist_db, law) except -1:
    sr = _number(sample_rate, "sample_rate", 8000, 8000)
    thr = _number(threshold_dbm0, "threshold_dbm0", -60.0, 0.0)
    tw = _number(max_twist_db, "max_twist_db", 0.0, 20.0)
    rtw = _number(max_reverse_twist_db, "max_reverse_twist_db", 0.0, 20.0)
    if law is not None and law not in ("alaw", "ulaw"):
        raise SignalFormatError(f"law must be None, 'alaw' or 'ulaw', got {law!r}")
    key = (sr, thr, tw, rtw, law)
    cdef bytes compiled = _DESCRIPTORS.get(key)
    if compiled is None:
        _compile_descriptor(t, sr, thr, tw, rtw, law)
        compiled = (<char *> t)[:sizeof(dtmf_rx_descriptor_t)]
        if len(_DESCRIPTORS) >= _DESCRIPTOR_CACHE:
            _DESCRIPTORS.pop(next(iter(_DESCRIPTORS)))
        _DESCRIPTORS[key] = compiled
    else:
        memcpy(t, <const char *> compiled, sizeof(dtmf_rx_descriptor_t))
    return 0


# Compiled descriptors (coefficients and tables) by parameter set: detectors are created
# often, and compiling one takes milliseconds.
_DESCRIPTORS = {}
_DESCRIPTOR_CACHE = 64


cdef int _compile_descriptor(dtmf_rx_descriptor_t *t, double sr, double thr, double tw,
                             double rtw, law) except -1:
    memset(t, 0, sizeof(dtmf_rx_descriptor_t))
    freqs = np.array(ROW_HZ + COLUMN_HZ)
    omega = 2.0 * np.pi * freqs / sr
    n = np.arange(DTMF_WIN)
    w = np.ones(DTMF_WIN)
    cdef int pos, f, i
    for pos in range(DTMF_HALF):
        for f in range(8):
            t.tab[pos * 16 + f] = math.cos(omega[f] * pos)
            t.tab[pos * 16 + 8 + f] = -math.sin(omega[f] * pos)
    for f in range(8):
        t.rot_re_f[f] = math.cos(omega[f] * DTMF_HALF)
        t.rot_im_f[f] = -math.sin(omega[f] * DTMF_HALF)
        t.gdiff[f] = 2.0 - 2.0 * math.cos(omega[f])
        tol_hz = _TOLERANCE_FRACTION * freqs[f] + _TOLERANCE_HZ
        t.tol_rad[f] = 2.0 * math.pi * tol_hz * DTMF_HALF / sr
    sw = float(w.sum())
    for i in range(DTMF_GTAB + 1):
        dw = (math.pi * i / DTMF_GTAB) / DTMF_HALF
        g = abs(np.sum(w * np.exp(1j * dw * n))) / sw
        t.gtab[i] = max(g * g, 1e-6)
    t.ms_scale = 2.0 / (sw * sw)
    t.ms0 = _MS_0DBM0
    t.e_scale = 64.0 / DTMF_WIN
    t.thr_ms = _MS_0DBM0 * 10.0 ** (thr / 10.0)
    t.twist_max = 10.0 ** ((tw + _TWIST_MARGIN_DB) / 10.0)
    t.rtwist_max = 10.0 ** ((rtw + _TWIST_MARGIN_DB) / 10.0)
    t.twist_max_w = 10.0 ** ((tw + _TWIST_WINDOW_MARGIN_DB) / 10.0)
    t.rtwist_max_w = 10.0 ** ((rtw + _TWIST_WINDOW_MARGIN_DB) / 10.0)
    t.purity = 10.0 ** (_PURITY_DB / 10.0)
    # Two tones at the threshold carry at least this first-difference energy in a window
    # (lowest gain of each group); windows under a quarter of it cannot hold a digit.
    t.min_energy = 0.25 * t.thr_ms * (t.gdiff[0] + t.gdiff[4]) * DTMF_WIN / 64.0
    t.balance = _BALANCE
    t.relpeak = 10.0 ** (_RELATIVE_PEAK_DB / 10.0)
    for f in range(8):
        t.freq[f] = freqs[f]
    t.hz_per_rad = sr / (2.0 * math.pi * DTMF_HALF)
    t.harmonic_hz = _HARMONIC_HZ
    t.start_run = _START_RUN
    t.end_miss = _END_MISS
    t.start_offset = 10
    t.duration_offset = 84
    if law is not None:
        table = _alaw_table() if law == "alaw" else _ulaw_table()
        for i in range(256):
            t.lut[i] = table[i]
    return 0


cdef object _event_slow(const dtmf_event_t *e, int channel):
    return DtmfDigit(DIGITS[e.digit], e.start, e.duration, e.low_db, e.high_db, channel)


cdef bint _fast_events = False


def _init_fast_events():
    """Build events by filling DtmfDigit's slots directly when the class has the expected shape."""
    global _fast_events, dtmf_event_type
    cdef int i
    cdef Py_ssize_t off
    names = ("digit", "sample", "duration", "low_dbm0", "high_dbm0", "channel")
    if tuple(f.name for f in dataclasses.fields(DtmfDigit)) != names:
        return
    if hasattr(DtmfDigit, "__post_init__"):
        return
    for i, name in enumerate(names):
        off = dtmf_slot_offset(DtmfDigit.__dict__[name])
        if off < 0:
            return
        dtmf_event_off[i] = off
    for i in range(16):
        digit = DIGITS[i]
        Py_INCREF(digit)  # kept for the life of the process
        dtmf_digit_str[i] = <PyObject *> digit
    Py_INCREF(DtmfDigit)
    dtmf_event_type = <PyTypeObject *> DtmfDigit
    _fast_events = True


_init_fast_events()




_INT16 = np.dtype(np.int16)
_UINT8 = np.dtype(np.uint8)


def _frame(frame, law, name="frame"):
    want = _UINT8 if law is not None else _INT16
    if type(frame) is np.ndarray and (<object> frame).dtype is want:
        return frame
    arr = np.asarray(frame)
    if arr.dtype != want:
        kind = "uint8 G.711 codes" if law is not None else "int16 samples"
        raise SignalFormatError(f"{name} must hold {kind} (dtype {np.dtype(want).name}), "
                                f"got dtype {arr.dtype}")
    return arr


cdef int _fast_view(object obj, Py_buffer *view, int ndim, bint law) except -1:
    """1 with ``view`` filled (to be released) when ``obj`` is a C-contiguous numpy array of
    ``ndim`` dimensions holding int16 samples (uint8 codes with ``law``); 0 otherwise, and the
    caller takes the slow path that converts or explains the problem."""
    cdef Py_ssize_t item = 1 if law else 2
    cdef const char *fmt
    if type(obj) is not np.ndarray:
        return 0
    try:
        PyObject_GetBuffer(obj, view, PyBUF_RECORDS_RO)
    except Exception:
        return 0
    fmt = view.format
    if (view.ndim == ndim and view.itemsize == item and fmt != NULL
            and fmt[0] == (c'B' if law else c'h') and fmt[1] == 0
            and view.strides[ndim - 1] == item
            and (ndim == 1 or view.strides[0] == view.shape[1] * item)):
        return 1
    PyBuffer_Release(view)
    return 0


cdef class DtmfDetector:
    """DTMF receiver for one channel (ITU-T Q.23 frequencies, Q.24 reception limits).

    What it does
    ------------
    Finds the 16 DTMF digits ("123A456B789C*0#D") in 8 kHz audio pushed in frames of any
    length. A digit is reported when it *ends* (so its duration is known), as a
    :class:`~boardlib.dsp.DtmfDigit` with its absolute start sample, duration in samples and
    the measured level of each tone in dBm0. ``current`` tells the digit in progress.

    Parameters
    ----------
    sample_rate : int
        Must be 8000.
    threshold_dbm0 : float
        Minimum level of each tone, in [-60, 0] dBm0 (default -42 dBm0: tones from -30 dBm0
        up are always detected, -55 dBm0 never).
    max_twist_db : float
        Normal twist (low-group tone louder than the high-group one) guaranteed to be
        accepted, in [0, 20] dB. Default 8 dB (Q.24 AT&T column).
    max_reverse_twist_db : float
        Reverse twist (high-group louder) guaranteed to be accepted, in [0, 20] dB.
        Default 4 dB. Each twist limit is applied with 1 dB of margin for measurement error,
        so twist beyond the limit + 1 dB is rejected (10 dB always is, with the defaults).
    law : None, "alaw" or "ulaw"
        With a law set, frames are uint8 G.711 codes, decoded inside the kernel.

    How it works
    ------------
    * DFTs at the 8 nominal frequencies over 104-sample windows (13 ms) hopped by 52
      samples. Incoming samples are buffered in half-blocks of 52; a window is two
      consecutive half-blocks, the second rotated to the window's phase origin, so
      overlapping windows cost one 16-lane correlation per sample. That correlation
      vectorises across the lanes (AVX-512, AVX2 or baseline SSE2 kernel, chosen at run time)
      and is only computed when the window's energy could hold a digit: silence and quiet
      lines cost little more than a copy and an energy sum. The per-window decision below
      runs on SSE2 vectors (group peaks by compare masks, both phase errors in one vector
      arctangent) with results bit-identical to the scalar code used elsewhere.
    * Per window: the strongest row and column tone; every other tone of each group must be
      at least 6 dB weaker.
    * Steadiness: each tone's power in this window and the previous one agree within 4.8 dB,
      so the tone fills most of both windows (this is what measures duration).
    * The frequency of each tone is measured from the phase advance of its DFT between the
      two windows (hop 52 samples: unambiguous within +-76.9 Hz). It must lie within
      +-(2.5 % + 1 Hz) of nominal: midway between the Q.24 "must operate" +-(1.5 % + 2 Hz)
      and "must not operate" +-3.5 %. A tone of the same group picked up by a neighbouring
      bin fails this test, and so does anything that is not a steady sine.
    * Tone powers are corrected for the window response at the measured offset, then checked
      against the threshold, the twist limits and a purity test: the two tones must carry at
      least 63 % (-2 dB) of the window energy, both measured on the first difference of the
      signal (this de-emphasises 350-450 Hz dial tone and low-frequency speech energy).
      A column tone at twice the row frequency (+-8 Hz) is a note and its second harmonic,
      not a digit: no in-tolerance DTMF pair comes within 14 Hz of that relation.
    * Coefficients and tables are compiled once per parameter set and kept, so creating a
      detector costs microseconds. Samples are analysed with the GIL released; the events
      of a call are then built in one pass over the channels that have any (listed during
      the analysis), so the GIL is held only to check the input and to create the
      :class:`~boardlib.dsp.DtmfDigit` objects, whatever the number of channels.
    * A digit starts after 4 consecutive windows that pass every check with the same digit
      and ends after 5 consecutive windows that do not; a shorter interruption is bridged.
      Each window is allowed 3 dB more twist than the limit (one window's powers carry the
      leakage of the other group's tone); the mean powers of the starting run must meet the
      limit + 1 dB.

    Limits
    ------
    * Tones of 38 ms or more are always detected; tones of 29 ms or less never are (Q.24:
      operate >= 40 ms, non-operate <= 23 ms). Dropouts up to 10 ms never split a digit and
      pauses of 40 ms always separate two digits. A digit is reported 35-40 ms after its end.
    * Start and duration are measured on the 52-sample hop grid: within about +-6 ms.
    * Levels are measured within +-1 dB for tones within the frequency tolerance; no
      overflow at any int16 input (two tones of 0 dBm0 each already clip, and are detected).
    * Dial tone at the level of the DTMF tones is tolerated (350+440 Hz or 450 Hz); dial tone
      6 dB louder than the digits is not reliably tolerated (no notch filter).
    * Only 8000 Hz audio is supported.
    """

    cdef dtmf_rx_descriptor_t *desc
    cdef dtmf_rx_state_t st
    cdef readonly object law
    cdef bint is_law
    cdef readonly double threshold_dbm0
    cdef readonly double max_twist_db
    cdef readonly double max_reverse_twist_db
    cdef readonly int sample_rate

    def __cinit__(self, *args, **kwargs):
        self.desc = <dtmf_rx_descriptor_t *> calloc(1, sizeof(dtmf_rx_descriptor_t))
        if self.desc == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.desc)

    def __init__(self, sample_rate=8000, threshold_dbm0=-42.0, max_twist_db=8.0,
                 max_reverse_twist_db=4.0, law=None):
        _fill_descriptor(self.desc, sample_rate, threshold_dbm0, max_twist_db,
                         max_reverse_twist_db, law)
        self.sample_rate = 8000
        self.threshold_dbm0 = float(threshold_dbm0)
        self.max_twist_db = float(max_twist_db)
        self.max_reverse_twist_db = float(max_reverse_twist_db)
        self.law = law
        self.is_law = law is not None
        dtmf_rx_state_init(&self.st)

    cdef list _collect(self):
        cdef int i
        if _fast_events:
            return dtmf_collect(&self.st, 1, 1)
        out = [_event_slow(&self.st.ev[i], -1) for i in range(self.st.nev)]
        self.st.nev = 0
        return out

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def process(self, frame):
        """Analyse one frame; return the digits that ended in it (usually none).

        ``frame`` is a 1-D int16 array (uint8 codes when ``law`` is set) of any length.
        """
        cdef Py_buffer view
        cdef Py_ssize_t n, start, step
        cdef const char *base
        if not _fast_view(frame, &view, 1, self.is_law):
            arr = _frame(frame, self.law)
            if arr.ndim != 1:
                raise SignalFormatError(f"frame must be 1-D, got shape {arr.shape}")
            arr = np.ascontiguousarray(arr)
            PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS)
        events = []
        try:
            n = view.shape[0]
            base = <const char *> view.buf
            start = 0
            while start < n:
                step = min(<Py_ssize_t> _CHUNK, n - start)
                with nogil:
                    if not self.is_law:
                        dtmf_rx_s16(&self.st, self.desc, &_kern, <const int16_t *> base + start, step)
                    else:
                        dtmf_rx_u8(&self.st, self.desc, &_kern, <const uint8_t *> base + start, step)
                if self.st.nev:
                    events.extend(self._collect())
                start += step
        finally:
            PyBuffer_Release(&view)
        return events

    def fillin(self, n):
        """Advance the timeline by ``n`` lost samples; nothing is detected across the gap."""
        count = int(n)
        if count != n or count < 0:
            raise SignalFormatError(f"n must be a non-negative integer number of samples, got {n!r}")
        dtmf_rx_fillin(&self.st, self.desc, &_kern, count)
        return self._collect()

    def flush(self):
        """End of stream: report the digit in progress, if any (it ends at the last tone)."""
        dtmf_rx_flush(&self.st, self.desc)
        return self._collect()

    def reset(self):
        """Forget all state; the timeline restarts at sample 0."""
        dtmf_rx_state_init(&self.st)

    @property
    def current(self):
        """The digit in progress (already confirmed, not yet ended), or ``None``."""
        return DIGITS[self.st.cur] if self.st.cur >= 0 else None

    @property
    def samples(self):
        """Samples consumed so far (including filled-in ones): the next sample's index."""
        return DTMF_HALF * self.st.half + self.st.off


cdef class DtmfDetectorBank:
    """``channels`` independent DTMF receivers processed together.

    ``process(block)`` takes an ``(channels, n)`` C-contiguous int16 block (uint8 codes when
    ``law`` is set) and analyses every channel in one call with the GIL released. Events carry
    their ``channel``; each channel's events are identical to those of a
    :class:`DtmfDetector` with the same parameters fed the same row. Parameters and limits are
    those of :class:`DtmfDetector`.
    """

    cdef dtmf_rx_descriptor_t *desc
    cdef dtmf_rx_state_t *st
    cdef int *pending  # channels with events after a chunk, ascending
    cdef readonly int channels
    cdef readonly object law
    cdef bint is_law

    def __cinit__(self, *args, **kwargs):
        self.desc = <dtmf_rx_descriptor_t *> calloc(1, sizeof(dtmf_rx_descriptor_t))
        if self.desc == NULL:
            raise MemoryError()
        self.st = NULL
        self.pending = NULL

    def __dealloc__(self):
        free(self.desc)
        free(self.st)
        free(self.pending)

    def __init__(self, channels, sample_rate=8000, threshold_dbm0=-42.0, max_twist_db=8.0,
                 max_reverse_twist_db=4.0, law=None):
        nch = int(_number(channels, "channels", 1, 1 << 20))
        if nch != channels:
            raise SignalFormatError(f"channels must be an integer in [1, {1 << 20}], got {channels!r}")
        _fill_descriptor(self.desc, sample_rate, threshold_dbm0, max_twist_db,
                         max_reverse_twist_db, law)
        self.st = <dtmf_rx_state_t *> calloc(nch, sizeof(dtmf_rx_state_t))
        self.pending = <int *> calloc(nch, sizeof(int))
        if self.st == NULL or self.pending == NULL:
            raise MemoryError()
        self.channels = nch
        self.law = law
        self.is_law = law is not None
        self.reset()

    cdef list _collect(self):
        cdef int ch, i
        if _fast_events:
            return dtmf_collect(self.st, self.channels, 0)
        out = []
        for ch in range(self.channels):
            if self.st[ch].nev:
                for i in range(self.st[ch].nev):
                    out.append(_event_slow(&self.st[ch].ev[i], ch))
                self.st[ch].nev = 0
        return out

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def process(self, block):
        """Analyse an ``(channels, n)`` block; return the digits that ended in it."""
        cdef Py_buffer view
        cdef Py_ssize_t n, start, step, ch, row
        cdef int nch = self.channels
        cdef int npending
        cdef Py_ssize_t total
        cdef int is_law = self.is_law
        cdef const char *base
        if not _fast_view(block, &view, 2, is_law):
            arr = _frame(block, self.law, "block")
            if arr.ndim != 2 or arr.shape[0] != self.channels:
                raise SignalFormatError(
                    f"block must have shape ({self.channels}, n), got {arr.shape}")
            if not arr.flags.c_contiguous:
                raise SignalFormatError("block must be C-contiguous (numpy.ascontiguousarray)")
            PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS)
        elif view.shape[0] != nch:
            shape = (view.shape[0], view.shape[1])
            PyBuffer_Release(&view)
            raise SignalFormatError(f"block must have shape ({self.channels}, n), got {shape}")
        events = []
        try:
            n = view.shape[1]
            row = view.strides[0]
            base = <const char *> view.buf
            start = 0
            while start < n:
                step = min(<Py_ssize_t> _CHUNK, n - start)
                npending = 0
                total = 0
                with nogil:
                    for ch in range(nch):
                        if not is_law:
                            dtmf_rx_s16(&self.st[ch], self.desc, &_kern,
                                        <const int16_t *> (base + ch * row) + start, step)
                        else:
                            dtmf_rx_u8(&self.st[ch], self.desc, &_kern,
                                       <const uint8_t *> (base + ch * row) + start, step)
                        if self.st[ch].nev:
                            self.pending[npending] = <int> ch
                            npending += 1
                            total += self.st[ch].nev
                if npending:
                    if _fast_events:
                        got = dtmf_collect_from(self.st, npending, 0, self.pending, total)
                    else:
                        got = self._collect()
                    if events:
                        events.extend(got)
                    else:
                        events = got
                start += step
        finally:
            PyBuffer_Release(&view)
        return events

    def fillin(self, n):
        """Advance every channel's timeline by ``n`` lost samples."""
        count = int(n)
        if count != n or count < 0:
            raise SignalFormatError(f"n must be a non-negative integer number of samples, got {n!r}")
        cdef int ch
        for ch in range(self.channels):
            dtmf_rx_fillin(&self.st[ch], self.desc, &_kern, count)
        return self._collect()

    def flush(self):
        """End of stream on every channel: report the digits in progress."""
        cdef int ch
        for ch in range(self.channels):
            dtmf_rx_flush(&self.st[ch], self.desc)
        return self._collect()

    def reset(self):
        """Forget all state on every channel."""
        cdef int ch
        for ch in range(self.channels):
            dtmf_rx_state_init(&self.st[ch])

    def current(self):
        """The digit in progress on each channel (``None`` where there is none)."""
        return [DIGITS[self.st[ch].cur] if self.st[ch].cur >= 0 else None
                for ch in range(self.channels)]
