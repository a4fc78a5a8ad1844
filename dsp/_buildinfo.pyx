"""Build and CPU facts of the compiled DSP core (used by ``boardlib info``)."""

from bl_build cimport bl_build_info

cdef extern from *:
    """
    static int bl_cpu_has(const char *name) {
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
        __builtin_cpu_init();
        if (!__builtin_strcmp(name, "sse2")) return __builtin_cpu_supports("sse2");
        if (!__builtin_strcmp(name, "ssse3")) return __builtin_cpu_supports("ssse3");
        if (!__builtin_strcmp(name, "sse4.1")) return __builtin_cpu_supports("sse4.1");
        if (!__builtin_strcmp(name, "sse4.2")) return __builtin_cpu_supports("sse4.2");
        if (!__builtin_strcmp(name, "avx")) return __builtin_cpu_supports("avx");
        if (!__builtin_strcmp(name, "avx2")) return __builtin_cpu_supports("avx2");
        if (!__builtin_strcmp(name, "fma")) return __builtin_cpu_supports("fma");
        if (!__builtin_strcmp(name, "avx512f")) return __builtin_cpu_supports("avx512f");
        if (!__builtin_strcmp(name, "avx512bw")) return __builtin_cpu_supports("avx512bw");
        return 0;
    #elif defined(__aarch64__)
        return !__builtin_strcmp(name, "neon");
    #else
        (void)name;
        return 0;
    #endif
    }
    """
    int bl_cpu_has(const char *name) nogil

_FEATURES = ("sse2", "ssse3", "sse4.1", "sse4.2", "avx", "avx2", "fma", "avx512f", "avx512bw",
             "neon")


def cpu_features() -> list:
    """The SIMD instruction-set extensions this CPU offers, as detected at run time."""
    return [f for f in _FEATURES if bl_cpu_has(f.encode())]


def build_info() -> dict:
    """Compiler, flags and Cython version this module was built with."""
    return bl_build_info()
