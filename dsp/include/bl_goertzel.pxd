# Goertzel filters and a windowed multi-tone correlator, shared by the tone receivers.
#
# Two tools live here:
#
# * ``goertzel_descriptor_t`` / ``goertzel_state_t``: the classic single-frequency Goertzel
#   recurrence (spandsp naming), for receivers that only need the power at a few frequencies.
# * ``bl_corr_*``: a 16-lane correlator (8 complex DFT bins). A caller-built table
#   ``tab[pos][lane]`` holds ``cos``/``-sin`` values (optionally window-weighted); every input
#   sample ``x`` at position ``pos`` of the current block adds ``tab[pos][lane] * x`` to each
#   of the 16 accumulators, and the energy of the first difference ``x[n] - x[n-1]`` is kept
#   beside them in exact integer arithmetic. The lanes are independent, so the loop
#   vectorises across lanes (one AVX-512 or two AVX2 fused multiply-adds per sample); four
#   accumulator sets, chosen by position modulo 4, hide the add latency. The kernel is compiled three times (AVX-512, AVX2+FMA,
#   baseline) and chosen at run time with ``__builtin_cpu_supports``. The order of the
#   floating-point operations does not depend on how the input is chunked, so results are
#   bit-identical for any chunking within one process.
from libc.stdint cimport int16_t, int32_t, uint8_t, uint32_t, uint64_t

cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <string.h>

    /* ---- classic Goertzel ------------------------------------------------------------ */
    typedef struct { float fac; int samples; } goertzel_descriptor_t;
    typedef struct { float v2, v3, fac; int samples, current_sample; } goertzel_state_t;

    static inline void goertzel_descriptor_init(goertzel_descriptor_t *t, double freq_hz,
                                         double sample_rate, int samples) {
        t->fac = (float) (2.0 * cos(2.0 * M_PI * freq_hz / sample_rate));
        t->samples = samples;
    }
    static inline void goertzel_init(goertzel_state_t *s, const goertzel_descriptor_t *t) {
        s->v2 = s->v3 = 0.0f; s->fac = t->fac; s->samples = t->samples; s->current_sample = 0;
    }
    static inline void goertzel_reset(goertzel_state_t *s) {
        s->v2 = s->v3 = 0.0f; s->current_sample = 0;
    }
    /* Feed up to the end of the block; returns the number of samples consumed. */
    static inline int goertzel_update(goertzel_state_t *s, const int16_t *amp, int n) {
        int i;
        float v1;
        if (n > s->samples - s->current_sample) n = s->samples - s->current_sample;
        for (i = 0; i < n; i++) {
            v1 = s->v2; s->v2 = s->v3;
            s->v3 = s->fac * s->v2 - v1 + (float) amp[i];
        }
        s->current_sample += n;
        return n;
    }
    /* Squared magnitude of the block's DFT at the filter frequency; resets the state. */
    static inline float goertzel_result(goertzel_state_t *s) {
        float v1 = s->v2, v2 = s->v3;
        float p = v1 * v1 + v2 * v2 - v1 * v2 * s->fac;
        goertzel_reset(s);
        return p;
    }

    /* ---- 32-lane windowed correlator -------------------------------------------------- */
    #define BL_CORR_LANES 16

    /* Four accumulator sets, chosen by sample position modulo 4, break the add latency
       chain; they are summed in a fixed order when the half-block completes. The energies
       are exact integers, so neither depends on how the input was chunked. */
    typedef struct {
        float acc[4][BL_CORR_LANES];
        uint64_t e;                 /* energy of the first difference (exact) */
        int32_t xprev;              /* previous sample, for the first difference */
    } bl_corr_state_t;

    typedef float bl_v16f __attribute__((vector_size(64)));

    static inline bl_v16f bl_v16f_load(const float *p) {
        bl_v16f v;
        memcpy(&v, p, sizeof(v));
        return v;
    }

    #define BL_CORR_BODY(LD)                                                                \\
        bl_v16f a[4], b0, b1, b2, b3;                                                      \\
        uint64_t e0 = 0;                                                                   \\
        const float *t;                                                                    \\
        int i;                                                                             \\
        if (n <= 0) return;                                                                \\
        {                                                                                  \\
            int32_t d = (int32_t) (LD(0)) - s->xprev;                                      \\
            e0 += (uint64_t) ((uint32_t) d * (uint32_t) d);                                \\
        }                                                                                  \\
        for (i = 1; i < n; i++) {                                                          \\
            int32_t d = (int32_t) (LD(i)) - (int32_t) (LD(i - 1));                         \\
            e0 += (uint64_t) ((uint32_t) d * (uint32_t) d);                                \\
        }                                                                                  \\
        s->e += e0;                                                                        \\
        s->xprev = (int32_t) (LD(n - 1));                                                  \\
        memcpy(a, s->acc, sizeof(a));                                                      \\
        t = tab + (size_t) pos * BL_CORR_LANES;                                            \\
        i = 0;                                                                             \\
        while (i < n && ((pos + i) & 3) != 0) {                                            \\
            a[(pos + i) & 3] += bl_v16f_load(t) * (float) (LD(i));                         \\
            t += BL_CORR_LANES; i++;                                                       \\
        }                                                                                  \\
        if (i + 4 <= n) {                                                                  \\
            b0 = a[0]; b1 = a[1]; b2 = a[2]; b3 = a[3];                                    \\
            for (; i + 4 <= n; i += 4, t += 4 * BL_CORR_LANES) {                           \\
                b0 += bl_v16f_load(t) * (float) (LD(i));                                   \\
                b1 += bl_v16f_load(t + BL_CORR_LANES) * (float) (LD(i + 1));               \\
                b2 += bl_v16f_load(t + 2 * BL_CORR_LANES) * (float) (LD(i + 2));           \\
                b3 += bl_v16f_load(t + 3 * BL_CORR_LANES) * (float) (LD(i + 3));           \\
            }                                                                              \\
            a[0] = b0; a[1] = b1; a[2] = b2; a[3] = b3;                                    \\
        }                                                                                  \\
        while (i < n) {                                                                    \\
            a[(pos + i) & 3] += bl_v16f_load(t) * (float) (LD(i));                         \\
            t += BL_CORR_LANES; i++;                                                       \\
        }                                                                                  \\
        memcpy(s->acc, a, sizeof(a));

    #define BL_CORR_DEFINE(SUFFIX, ATTR)                                                    \\
        ATTR static void bl_corr_run_s16_##SUFFIX(bl_corr_state_t *s, const float *tab,     \\
                int pos, const int16_t *in,      \\
                int n, const int16_t *lut) {                                               \\
            (void) lut;                                                                    \\
            BL_CORR_BODY(BL_LOAD_S16)                                                      \\
        }                                                                                  \\
        ATTR static void bl_corr_run_u8_##SUFFIX(bl_corr_state_t *s, const float *tab,      \\
                int pos, const uint8_t *in,      \\
                int n, const int16_t *lut) {                                               \\
            BL_CORR_BODY(BL_LOAD_U8)                                                       \\
        }

    #define BL_LOAD_S16(j) in[(j)]
    #define BL_LOAD_U8(j) lut[in[(j)]]

    BL_CORR_DEFINE(generic, )
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    BL_CORR_DEFINE(avx2, __attribute__((target("avx2,fma"))))
    BL_CORR_DEFINE(avx512, __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))))
    #endif

    typedef void (*bl_corr_run_s16_fn)(bl_corr_state_t *, const float *, int,
                                       const int16_t *, int, const int16_t *);
    typedef void (*bl_corr_run_u8_fn)(bl_corr_state_t *, const float *, int,
                                      const uint8_t *, int, const int16_t *);

    /* Picks the widest kernel this CPU runs; returns 2 (AVX-512), 1 (AVX2) or 0 (baseline). */
    static int bl_corr_select(bl_corr_run_s16_fn *s16, bl_corr_run_u8_fn *u8, int max_level) {
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
        __builtin_cpu_init();
        if (max_level >= 2 && __builtin_cpu_supports("avx512f")
                && __builtin_cpu_supports("avx512vl")) {
            *s16 = bl_corr_run_s16_avx512; *u8 = bl_corr_run_u8_avx512; return 2;
        }
        if (max_level >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            *s16 = bl_corr_run_s16_avx2; *u8 = bl_corr_run_u8_avx2; return 1;
        }
    #else
        (void) max_level;
    #endif
        *s16 = bl_corr_run_s16_generic; *u8 = bl_corr_run_u8_generic; return 0;
    }

    static inline void bl_corr_clear(bl_corr_state_t *s) {
        int j, k;
        for (j = 0; j < 4; j++) for (k = 0; k < BL_CORR_LANES; k++) s->acc[j][k] = 0.0f;
        s->e = 0;
    }
    /* The half-block's correlator sums, added in a fixed order. */
    static inline void bl_corr_sum(const bl_corr_state_t *s, float *out) {
        int k;
        for (k = 0; k < BL_CORR_LANES; k++)
            out[k] = (s->acc[0][k] + s->acc[1][k]) + (s->acc[2][k] + s->acc[3][k]);
    }
    """
    int BL_CORR_LANES

    ctypedef struct goertzel_descriptor_t:
        float fac
        int samples
    ctypedef struct goertzel_state_t:
        float v2
        float v3
        float fac
        int samples
        int current_sample
    void goertzel_descriptor_init(goertzel_descriptor_t *t, double freq_hz, double sample_rate,
                                  int samples) noexcept nogil
    void goertzel_init(goertzel_state_t *s, const goertzel_descriptor_t *t) noexcept nogil
    void goertzel_reset(goertzel_state_t *s) noexcept nogil
    int goertzel_update(goertzel_state_t *s, const int16_t *amp, int n) noexcept nogil
    float goertzel_result(goertzel_state_t *s) noexcept nogil

    ctypedef struct bl_corr_state_t:
        float acc[4][16]
        uint64_t e
        int32_t xprev
    ctypedef void (*bl_corr_run_s16_fn)(bl_corr_state_t *, const float *, int,
                                        const int16_t *, int, const int16_t *) noexcept nogil
    ctypedef void (*bl_corr_run_u8_fn)(bl_corr_state_t *, const float *, int,
                                       const uint8_t *, int, const int16_t *) noexcept nogil
    int bl_corr_select(bl_corr_run_s16_fn *s16, bl_corr_run_u8_fn *u8, int max_level) noexcept nogil
    void bl_corr_clear(bl_corr_state_t *s) noexcept nogil
    void bl_corr_sum(const bl_corr_state_t *s, float *out) noexcept nogil
