# Build facts compiled into every boardlib.dsp module (macros set by setup.py).
cdef extern from *:
    """
    #ifndef BOARDLIB_BUILD_CFLAGS
    #define BOARDLIB_BUILD_CFLAGS "unknown"
    #endif
    #ifndef BOARDLIB_CYTHON_VERSION
    #define BOARDLIB_CYTHON_VERSION "unknown"
    #endif
    #if defined(__clang__)
    #define BL_COMPILER "clang " __clang_version__
    #elif defined(__GNUC__)
    #define BL_COMPILER "gcc " __VERSION__
    #else
    #define BL_COMPILER "unknown"
    #endif
    #if defined(CYTHON_TRACE_NOGIL) && CYTHON_TRACE_NOGIL
    #define BL_TRACE 1
    #else
    #define BL_TRACE 0
    #endif
    """
    const char *BOARDLIB_BUILD_CFLAGS
    const char *BOARDLIB_CYTHON_VERSION
    const char *BL_COMPILER
    const int BL_TRACE


cdef inline dict bl_build_info():
    """The build facts of the calling module, for ``boardlib info``."""
    return {
        "cflags": BOARDLIB_BUILD_CFLAGS.decode(),
        "cython": BOARDLIB_CYTHON_VERSION.decode(),
        "compiler": BL_COMPILER.decode(),
        "linetrace": bool(BL_TRACE),
    }
