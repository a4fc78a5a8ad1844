# Goertzel filters and a windowed multi-tone correlator, shared by the tone receivers.
#
# Two tools live here:
#
# * ``goertzel_descriptor_t`` / ``goertzel_state_t``: the classic single-frequency Goertzel
#   recurrence (spandsp naming), for receivers that only need the power at a few frequencies.
# * ``bl_corr_block_*``: a 16-lane block correlator (8 complex DFT bins). A caller-built
#   table ``tab[i][lane]`` holds ``cos``/``-sin`` values (optionally window-weighted); a block
#   of samples ``x[i]`` gives ``out[lane] = sum_i tab[i][lane] * x[i]``, plus the energy of the
#   first difference ``x[i] - x[i-1]`` in integer arithmetic (squares scaled by 1/64). The lanes are
#   independent, so the loop vectorises across lanes (one AVX-512 or two AVX2 fused
#   multiply-adds per sample); four accumulators hide the add latency. The kernel is compiled three times (AVX-512, AVX2+FMA,
#   baseline) and chosen at run time with ``__builtin_cpu_supports``. A block's result depends
#   only on its samples, so receivers that buffer whole blocks give bit-identical results for
#   any chunking of their input.
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

    /* ---- 16-lane block correlator ---------------------------------------------------- */
    #define BL_CORR_LANES 16

    #define BL_VEC_TYPES(N, BYTES)                                                          \\
        typedef float bl_v##N##f __attribute__((vector_size(4 * BYTES)));                   \\
        typedef float bl_v##N##f_u __attribute__((vector_size(4 * BYTES), aligned(4), may_alias)); \\
        typedef int16_t bl_v##N##s_u __attribute__((vector_size(2 * BYTES), aligned(2), may_alias)); \\
        typedef int32_t bl_v##N##i __attribute__((vector_size(4 * BYTES)));                 \\
        typedef uint32_t bl_v##N##u __attribute__((vector_size(4 * BYTES)));
    BL_VEC_TYPES(4, 4)
    BL_VEC_TYPES(8, 8)
    BL_VEC_TYPES(16, 16)

    /* out[lane] = sum_i tab[i][lane] * x[i] over a block of n samples (n a multiple of 4),
       with vectors of N floats. Four accumulators (sample index modulo 4) hide the add
       latency; they are summed in a fixed order, so the result depends only on the block.
       bl_diff_energy: energy of the first difference x[i] - x[i-1] (x[-1] = xprev) in
       integers, each square divided by 64 (n <= 64). */
    #define BL_CORR_DEFINE(SUFFIX, ATTR, N)                                                 \\
        ATTR static void bl_corr_block_##SUFFIX(const float *tab, const int16_t *x, int n,   \\
                                                float *out) {                              \\
            bl_v##N##f a[4][16 / N], r;                                                    \\
            int i, j, k;                                                                   \\
            for (j = 0; j < 4; j++)                                                        \\
                for (k = 0; k < 16 / N; k++) a[j][k] = (bl_v##N##f) {0};                   \\
            for (i = 0; i + 4 <= n; i += 4, tab += 4 * BL_CORR_LANES) {                    \\
                for (j = 0; j < 4; j++) {                                                  \\
                    const float xv = (float) x[i + j];                                     \\
                    for (k = 0; k < 16 / N; k++)                                           \\
                        a[j][k] += *(const bl_v##N##f_u *) (tab + BL_CORR_LANES * j + N * k) * xv; \\
                }                                                                          \\
            }                                                                              \\
            for (k = 0; k < 16 / N; k++) {                                                 \\
                r = (a[0][k] + a[1][k]) + (a[2][k] + a[3][k]);                             \\
                memcpy(out + N * k, &r, sizeof(r));                                        \\
            }                                                                              \\
        }                                                                                  \\
        ATTR static uint64_t bl_diff_energy_##SUFFIX(const int16_t *x, int n, int32_t xprev) { \\
            bl_v##N##u acc = {0}, v;                                                       \\
            int32_t d = (int32_t) x[0] - xprev;                                            \\
            uint32_t e = ((uint32_t) d * (uint32_t) d) >> 6;                               \\
            int i, k;                                                                      \\
            for (i = 1; i + N <= n; i += N) {                                              \\
                v = (bl_v##N##u) (__builtin_convertvector(*(const bl_v##N##s_u *) (x + i), bl_v##N##i) \\
                                  - __builtin_convertvector(*(const bl_v##N##s_u *) (x + i - 1), bl_v##N##i)); \\
                acc += (v * v) >> 6;                                                       \\
            }                                                                              \\
            if (i < n && n > N) {                                                          \\
                /* The last N differences once more, the lanes already summed masked off. */ \\
                bl_v##N##i lane;                                                           \\
                int j = n - N;                                                             \\
                for (k = 0; k < N; k++) lane[k] = k + j;                                   \\
                v = (bl_v##N##u) (__builtin_convertvector(*(const bl_v##N##s_u *) (x + j), bl_v##N##i) \\
                                  - __builtin_convertvector(*(const bl_v##N##s_u *) (x + j - 1), bl_v##N##i)); \\
                acc += ((v * v) >> 6) & (bl_v##N##u) (lane >= i);                          \\
                i = n;                                                                     \\
            }                                                                              \\
            for (; i < n; i++) {                                                           \\
                d = (int32_t) x[i] - (int32_t) x[i - 1];                                   \\
                e += ((uint32_t) d * (uint32_t) d) >> 6;                                   \\
            }                                                                              \\
            for (i = 0; i < N; i++) e += acc[i];                                           \\
            return e;                                                                      \\
        }

    BL_CORR_DEFINE(generic, , 4)
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    BL_CORR_DEFINE(avx2, __attribute__((target("avx2,fma"))), 8)
    BL_CORR_DEFINE(avx512, __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), 16)
    #endif

    typedef void (*bl_corr_block_fn)(const float *, const int16_t *, int, float *);
    typedef uint64_t (*bl_diff_energy_fn)(const int16_t *, int, int32_t);
    typedef struct { bl_corr_block_fn corr; bl_diff_energy_fn energy; } bl_corr_kernels_t;

    /* Picks the widest kernel this CPU runs; returns 2 (AVX-512), 1 (AVX2) or 0 (baseline). */
    static int bl_corr_select(bl_corr_kernels_t *k, int max_level) {
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
        __builtin_cpu_init();
        if (max_level >= 2 && __builtin_cpu_supports("avx512f")
                && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")
                && __builtin_cpu_supports("avx512dq")) {
            k->corr = bl_corr_block_avx512; k->energy = bl_diff_energy_avx512; return 2;
        }
        if (max_level >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            k->corr = bl_corr_block_avx2; k->energy = bl_diff_energy_avx2; return 1;
        }
    #else
        (void) max_level;
    #endif
        k->corr = bl_corr_block_generic; k->energy = bl_diff_energy_generic; return 0;
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

    ctypedef void (*bl_corr_block_fn)(const float *, const int16_t *, int, float *) noexcept nogil
    ctypedef uint64_t (*bl_diff_energy_fn)(const int16_t *, int, int32_t) noexcept nogil
    ctypedef struct bl_corr_kernels_t:
        bl_corr_block_fn corr
        bl_diff_energy_fn energy
    int bl_corr_select(bl_corr_kernels_t *k, int max_level) noexcept nogil
