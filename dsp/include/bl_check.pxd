# Argument checks shared by the boardlib.dsp modules. Each raises
# boardlib.errors.SignalFormatError (imported on the error path only, so a check that passes
# costs no lookup) with a message naming the argument and the accepted range.

cdef enum:
    BL_MAX_CHANNELS = 65536


cdef inline double bl_number(object v, str name, double lo, double hi,
                             str unit=None) except? -1e300:
    """``float(v)``, which must lie within ``lo..hi`` (``unit`` is named in the message)."""
    cdef double x
    try:
        x = float(v)
    except (TypeError, ValueError) as exc:
        from boardlib.errors import SignalFormatError
        raise SignalFormatError(f"{name} must be a number, got {v!r}") from exc
    if not (lo <= x <= hi):
        from boardlib.errors import SignalFormatError
        suffix = f" {unit}" if unit else ""
        raise SignalFormatError(f"{name} must be within {lo:g}..{hi:g}{suffix}, got {v!r}")
    return x


cdef inline int bl_channels(long channels) except -1:
    """A bank's channel count, 1..BL_MAX_CHANNELS."""
    if channels < 1 or channels > BL_MAX_CHANNELS:
        from boardlib.errors import SignalFormatError
        raise SignalFormatError(
            f"channels must be within 1..{BL_MAX_CHANNELS}, got {channels}")
    return <int>channels
