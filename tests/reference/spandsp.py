"""spandsp 0.0.6 as an independent oracle for tests and benchmarks.

A cffi API-mode module is compiled against the system's ``libspandsp`` on first use and cached
under ``build/oracles/`` (its name carries a hash of the C source, so it is rebuilt only when
that source changes). Small C helpers run the per-sample and per-channel loops, so that a
benchmark of the oracle measures spandsp and not Python.

Everything here is test support, not library code: it is never imported by ``boardlib``.

API overview
------------
``available()``, ``unavailable_reason()``
    Whether the oracle could be built and loaded, and why not.
``alaw_encode/alaw_decode/ulaw_encode/ulaw_decode/alaw_to_ulaw/ulaw_to_alaw`` (+ ``_into``)
    spandsp's G.711 routines applied over whole numpy buffers.
``DtmfRx``, ``DtmfRxBank``, ``DtmfTx``, ``ToneGen``
    DTMF receiver (one channel, and N channels processed in one C call), DTMF generator and
    cadenced tone generator.
``AdsiRx``, ``AdsiRxBank``, ``AdsiTx``, ``build_message``
    Caller-ID (ADSI) receiver and transmitter for the standards of :data:`ADSI_STANDARDS`.
``FskRx``, ``frame_8n1``
    Bare FSK demodulator (Bell 202, V.23 channel 1, ...) delivering bits, and 8N1 framing.
``R2MfTx``, ``R2MfRx``, ``R2MfRxBank``
    MFC-R2 register-signal transmitter and receiver (forward or backward set), and N
    receivers run over ``int16[channels, n]`` blocks in one C call.
``build_extension``
    Compile and cache any other cffi module against ``libspandsp`` the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from boardlib.errors import SignalFormatError

__all__ = [
    "ADSI_STANDARDS",
    "AdsiRx",
    "AdsiRxBank",
    "AdsiTx",
    "DtmfRx",
    "DtmfRxBank",
    "DtmfTx",
    "FskRx",
    "R2MfRx",
    "R2MfRxBank",
    "R2MfTx",
    "R2_CODES",
    "ToneGen",
    "alaw_decode",
    "alaw_decode_into",
    "alaw_encode",
    "alaw_encode_into",
    "alaw_to_ulaw",
    "alaw_to_ulaw_into",
    "available",
    "build_extension",
    "build_message",
    "frame_8n1",
    "cache_dir",
    "ulaw_decode",
    "ulaw_decode_into",
    "ulaw_encode",
    "ulaw_encode_into",
    "ulaw_to_alaw",
    "ulaw_to_alaw_into",
    "unavailable_reason",
]

REPO_ROOT = Path(__file__).resolve().parents[2]

#: spandsp's ``ADSI_STANDARD_*`` codes by name.
ADSI_STANDARDS: dict[str, int] = {
    "class": 1,
    "clip": 2,
    "aclip": 3,
    "jclip": 4,
    "clip_dtmf": 5,
    "tdd": 6,
}

#: spandsp's ``preset_fsk_specs`` indices by name.
FSK_SPECS: dict[str, int] = {
    "v21ch1": 0,
    "v21ch2": 1,
    "v23ch1": 2,
    "v23ch2": 3,
    "bell103ch1": 4,
    "bell103ch2": 5,
    "bell202": 6,
}

# Declarations visible from Python: only the helpers below plus a few spandsp entry points
# whose 0.0.6 signatures are checked against the real header when the module is compiled.
_CDEF = r"""
typedef struct dtmf_rx_state_s dtmf_rx_state_t;
typedef struct dtmf_tx_state_s dtmf_tx_state_t;
typedef struct adsi_tx_state_s adsi_tx_state_t;

uint8_t alaw_to_ulaw(uint8_t alaw);
uint8_t ulaw_to_alaw(uint8_t ulaw);
void dtmf_rx_parms(dtmf_rx_state_t *s, int filter_dialtone, int twist, int reverse_twist,
                   int threshold);
int dtmf_rx_status(dtmf_rx_state_t *s);
dtmf_tx_state_t *dtmf_tx_init(dtmf_tx_state_t *s);
int dtmf_tx(dtmf_tx_state_t *s, int16_t amp[], int max_samples);
int dtmf_tx_put(dtmf_tx_state_t *s, const char *digits, int len);
void dtmf_tx_set_level(dtmf_tx_state_t *s, int level, int twist);
void dtmf_tx_set_timing(dtmf_tx_state_t *s, int on_time, int off_time);
int dtmf_tx_free(dtmf_tx_state_t *s);
adsi_tx_state_t *adsi_tx_init(adsi_tx_state_t *s, int standard);
int adsi_tx(adsi_tx_state_t *s, int16_t amp[], int max_len);
int adsi_tx_put_message(adsi_tx_state_t *s, const uint8_t *msg, int len);
void adsi_tx_send_alert_tone(adsi_tx_state_t *s);
void adsi_tx_set_preamble(adsi_tx_state_t *s, int preamble_len, int preamble_ones_len,
                          int postamble_ones_len, int stop_bits);
int adsi_add_field(adsi_tx_state_t *s, uint8_t *msg, int len, uint8_t field_type,
                   uint8_t const *field_body, int field_len);
int adsi_tx_free(adsi_tx_state_t *s);
const char *adsi_standard_to_str(int standard);

void or_alaw_encode(const int16_t *src, uint8_t *dst, size_t n);
void or_ulaw_encode(const int16_t *src, uint8_t *dst, size_t n);
void or_alaw_decode(const uint8_t *src, int16_t *dst, size_t n);
void or_ulaw_decode(const uint8_t *src, int16_t *dst, size_t n);
void or_alaw_to_ulaw(const uint8_t *src, uint8_t *dst, size_t n);
void or_ulaw_to_alaw(const uint8_t *src, uint8_t *dst, size_t n);

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} or_buf_t;

typedef struct {
    dtmf_rx_state_t *s;
    or_buf_t digits;
    ...;
} or_dtmf_rx_t;
or_dtmf_rx_t *or_dtmf_rx_new(int filter_dialtone, int twist, int reverse_twist, int threshold);
int or_dtmf_rx_reset(or_dtmf_rx_t *r);
void or_dtmf_rx_delete(or_dtmf_rx_t *r);
int or_dtmf_rx_process(or_dtmf_rx_t *r, const int16_t *amp, int n);
int or_dtmf_rx_bank_process(or_dtmf_rx_t **rs, int channels, const int16_t *block, int n);

typedef struct tone_gen_state_s tone_gen_state_t;
typedef struct or_tone_gen_s or_tone_gen_t;
or_tone_gen_t *or_tone_gen_new(int f1, int l1, int f2, int l2, int d1, int d2, int d3, int d4,
                               int repeat);
void or_tone_gen_delete(or_tone_gen_t *g);
int or_tone_gen(or_tone_gen_t *g, int16_t *amp, int n);

typedef struct {
    or_buf_t msgs;
    int count;
    ...;
} or_adsi_rx_t;
or_adsi_rx_t *or_adsi_rx_new(int standard);
void or_adsi_rx_delete(or_adsi_rx_t *r);
int or_adsi_rx_reset(or_adsi_rx_t *r);
int or_adsi_rx_process(or_adsi_rx_t *r, const int16_t *amp, int n);
int or_adsi_rx_bank_process(or_adsi_rx_t **rs, int channels, const int16_t *block, int n);

typedef struct {
    or_buf_t out;
    int carrier_ups;
    int carrier_downs;
    ...;
} or_fsk_rx_t;
or_fsk_rx_t *or_fsk_rx_new(int spec, int baud_x100, int framing_mode);
void or_fsk_rx_delete(or_fsk_rx_t *r);
int or_fsk_rx_process(or_fsk_rx_t *r, const int16_t *amp, int n);
"""

_SOURCE = r"""
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <spandsp.h>

/* ---- G.711 over buffers ---- */
void or_alaw_encode(const int16_t *src, uint8_t *dst, size_t n)
{ for (size_t i = 0; i < n; i++) dst[i] = linear_to_alaw(src[i]); }
void or_ulaw_encode(const int16_t *src, uint8_t *dst, size_t n)
{ for (size_t i = 0; i < n; i++) dst[i] = linear_to_ulaw(src[i]); }
void or_alaw_decode(const uint8_t *src, int16_t *dst, size_t n)
{ for (size_t i = 0; i < n; i++) dst[i] = alaw_to_linear(src[i]); }
void or_ulaw_decode(const uint8_t *src, int16_t *dst, size_t n)
{ for (size_t i = 0; i < n; i++) dst[i] = ulaw_to_linear(src[i]); }
void or_alaw_to_ulaw(const uint8_t *src, uint8_t *dst, size_t n)
{ for (size_t i = 0; i < n; i++) dst[i] = alaw_to_ulaw(src[i]); }
void or_ulaw_to_alaw(const uint8_t *src, uint8_t *dst, size_t n)
{ for (size_t i = 0; i < n; i++) dst[i] = ulaw_to_alaw(src[i]); }

/* ---- growable byte buffer filled by the callbacks ---- */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} or_buf_t;

static void or_buf_append(or_buf_t *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void or_buf_free(or_buf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

/* ---- DTMF receiver: digits collected through the callback ---- */
typedef struct {
    dtmf_rx_state_t *s;
    or_buf_t digits;
    int filter_dialtone, twist, reverse_twist, threshold;
} or_dtmf_rx_t;

static void or_dtmf_rx_digits(void *user_data, const char *digits, int len)
{
    if (len > 0)
        or_buf_append(&((or_dtmf_rx_t *) user_data)->digits, digits, (size_t) len);
}

int or_dtmf_rx_reset(or_dtmf_rx_t *r)
{
    r->s = dtmf_rx_init(r->s, or_dtmf_rx_digits, r);
    if (r->s == NULL)
        return -1;
    dtmf_rx_parms(r->s, r->filter_dialtone, r->twist, r->reverse_twist, r->threshold);
    r->digits.len = 0;
    r->digits.failed = 0;
    return 0;
}

or_dtmf_rx_t *or_dtmf_rx_new(int filter_dialtone, int twist, int reverse_twist, int threshold)
{
    or_dtmf_rx_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->filter_dialtone = filter_dialtone;
    r->twist = twist;
    r->reverse_twist = reverse_twist;
    r->threshold = threshold;
    if (or_dtmf_rx_reset(r) < 0) {
        free(r);
        return NULL;
    }
    return r;
}

void or_dtmf_rx_delete(or_dtmf_rx_t *r)
{
    if (r == NULL)
        return;
    dtmf_rx_free(r->s);
    or_buf_free(&r->digits);
    free(r);
}

int or_dtmf_rx_process(or_dtmf_rx_t *r, const int16_t *amp, int n)
{
    return dtmf_rx(r->s, amp, n);
}

int or_dtmf_rx_bank_process(or_dtmf_rx_t **rs, int channels, const int16_t *block, int n)
{
    for (int c = 0; c < channels; c++)
        dtmf_rx(rs[c]->s, block + (size_t) c * (size_t) n, n);
    return 0;
}

/* ---- cadenced tone generator ---- */
typedef struct or_tone_gen_s {
    tone_gen_descriptor_t *d;
    tone_gen_state_t *s;
} or_tone_gen_t;

or_tone_gen_t *or_tone_gen_new(int f1, int l1, int f2, int l2, int d1, int d2, int d3, int d4,
                               int repeat)
{
    or_tone_gen_t *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    g->d = tone_gen_descriptor_init(NULL, f1, l1, f2, l2, d1, d2, d3, d4, repeat);
    if (g->d != NULL)
        g->s = tone_gen_init(NULL, g->d);
    if (g->s == NULL) {
        if (g->d != NULL)
            tone_gen_descriptor_free(g->d);
        free(g);
        return NULL;
    }
    return g;
}

void or_tone_gen_delete(or_tone_gen_t *g)
{
    if (g == NULL)
        return;
    tone_gen_free(g->s);
    tone_gen_descriptor_free(g->d);
    free(g);
}

int or_tone_gen(or_tone_gen_t *g, int16_t *amp, int n)
{
    return tone_gen(g->s, amp, n);
}

/* ---- ADSI receiver: each message stored as a native int length, then its bytes ---- */
typedef struct {
    adsi_rx_state_t *s;
    or_buf_t msgs;
    int count;
    int standard;
} or_adsi_rx_t;

static void or_adsi_rx_msg(void *user_data, const uint8_t *msg, int len)
{
    or_adsi_rx_t *r = (or_adsi_rx_t *) user_data;
    or_buf_append(&r->msgs, &len, sizeof(len));
    if (len > 0)
        or_buf_append(&r->msgs, msg, (size_t) len);
    r->count++;
}

int or_adsi_rx_reset(or_adsi_rx_t *r)
{
    r->s = adsi_rx_init(r->s, r->standard, or_adsi_rx_msg, r);
    r->msgs.len = 0;
    r->msgs.failed = 0;
    r->count = 0;
    return r->s == NULL ? -1 : 0;
}

or_adsi_rx_t *or_adsi_rx_new(int standard)
{
    or_adsi_rx_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->standard = standard;
    if (or_adsi_rx_reset(r) < 0) {
        free(r);
        return NULL;
    }
    return r;
}

void or_adsi_rx_delete(or_adsi_rx_t *r)
{
    if (r == NULL)
        return;
    adsi_rx_free(r->s);
    or_buf_free(&r->msgs);
    free(r);
}

int or_adsi_rx_process(or_adsi_rx_t *r, const int16_t *amp, int n)
{
    return adsi_rx(r->s, amp, n);
}

int or_adsi_rx_bank_process(or_adsi_rx_t **rs, int channels, const int16_t *block, int n)
{
    for (int c = 0; c < channels; c++)
        adsi_rx(rs[c]->s, block + (size_t) c * (size_t) n, n);
    return 0;
}

/* ---- bare FSK receiver: bits (or characters) stored one per byte ---- */
typedef struct {
    fsk_rx_state_t *s;
    fsk_spec_t spec;
    or_buf_t out;
    int carrier_ups;
    int carrier_downs;
} or_fsk_rx_t;

static void or_fsk_rx_put(void *user_data, int bit)
{
    or_fsk_rx_t *r = (or_fsk_rx_t *) user_data;
    if (bit < 0) {
        if (bit == SIG_STATUS_CARRIER_UP)
            r->carrier_ups++;
        else if (bit == SIG_STATUS_CARRIER_DOWN)
            r->carrier_downs++;
        return;
    }
    uint8_t b = (uint8_t) bit;
    or_buf_append(&r->out, &b, 1);
}

or_fsk_rx_t *or_fsk_rx_new(int spec, int baud_x100, int framing_mode)
{
    or_fsk_rx_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->spec = preset_fsk_specs[spec];
    if (baud_x100 > 0)
        r->spec.baud_rate = baud_x100;
    r->s = fsk_rx_init(NULL, &r->spec, framing_mode, or_fsk_rx_put, r);
    if (r->s == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void or_fsk_rx_delete(or_fsk_rx_t *r)
{
    if (r == NULL)
        return;
    fsk_rx_free(r->s);
    or_buf_free(&r->out);
    free(r);
}

int or_fsk_rx_process(or_fsk_rx_t *r, const int16_t *amp, int n)
{
    return fsk_rx(r->s, amp, n);
}
"""

_state: dict[str, Any] = {}


def cache_dir() -> Path:
    """Directory holding compiled oracles and generated corpora (``build/oracles/``)."""
    path = REPO_ROOT / "build" / "oracles"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def build_lock(name: str):  # type: ignore[no-untyped-def]
    """Exclusive lock in the cache directory, so concurrent test runs build once."""
    with open(cache_dir() / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _find_built(directory: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def build_extension(name: str, cdef: str, source: str,
                    libraries: tuple[str, ...] = ("spandsp",),
                    extra_compile_args: tuple[str, ...] = ("-O3", "-Wno-unused-function"),
                    ) -> ModuleType:
    """Compile the cffi API-mode module ``cdef``/``source`` once and load it.

    The module is cached in :func:`cache_dir` as ``{name}_{hash}``, the hash covering the C
    text and the Python version, so it is rebuilt only when the source changes; concurrent
    runs build it once under :func:`build_lock`. Errors (compiler, header or library
    missing) propagate.
    """
    digest = hashlib.sha256((cdef + source + sys.version).encode()).hexdigest()[:12]
    full = f"{name}_{digest}"
    directory = cache_dir()
    built = _find_built(directory, full)
    if built is None:
        with build_lock(name.lstrip("_")):
            built = _find_built(directory, full)
            if built is None:
                import cffi

                ffi = cffi.FFI()
                ffi.cdef(cdef)
                ffi.set_source(full, source, libraries=list(libraries),
                               extra_compile_args=list(extra_compile_args))
                tmp = directory / f"{full}.tmp"
                tmp.mkdir(exist_ok=True)
                so = Path(ffi.compile(tmpdir=str(tmp), verbose=False))
                os.replace(so, directory / so.name)
                shutil.rmtree(tmp, ignore_errors=True)
                built = directory / so.name
    spec = importlib.util.spec_from_file_location(full, built)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load() -> ModuleType:
    if "module" in _state:
        return _state["module"]  # type: ignore[no-any-return]
    if "error" in _state:
        raise RuntimeError(_state["error"])
    try:
        module = build_extension("_spandsp_oracle", _CDEF, _SOURCE)
    except Exception as exc:  # compiler, header or library missing
        _state["error"] = f"spandsp oracle could not be built: {type(exc).__name__}: {exc}"
        raise RuntimeError(_state["error"]) from exc
    _state["module"] = module
    return module


def _lib() -> tuple[Any, Any]:
    module = _load()
    return module.ffi, module.lib


def available() -> bool:
    """True when libspandsp and its header are present and the oracle module loads."""
    try:
        _load()
    except RuntimeError:
        return False
    return True


def unavailable_reason() -> str | None:
    """Why :func:`available` is False (``None`` when it is True)."""
    return None if available() else str(_state.get("error"))


# --------------------------------------------------------------------------------------------
# buffer checks


def _pcm(pcm: Any, name: str = "pcm") -> np.ndarray:
    arr = np.asarray(pcm)
    if arr.dtype != np.int16:
        raise SignalFormatError(f"{name} must be int16 samples, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise SignalFormatError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _codes(codes: Any, name: str = "codes") -> np.ndarray:
    if isinstance(codes, (bytes, bytearray, memoryview)):
        return np.frombuffer(codes, dtype=np.uint8)
    arr = np.asarray(codes)
    if arr.dtype != np.uint8:
        raise SignalFormatError(f"{name} must be uint8 G.711 codes, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise SignalFormatError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _out(out: Any, dtype: type, n: int) -> np.ndarray:
    if not isinstance(out, np.ndarray) or out.dtype != dtype or out.ndim != 1:
        raise SignalFormatError(f"out must be a one-dimensional {np.dtype(dtype).name} array")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise SignalFormatError("out must be C-contiguous and writeable")
    if out.shape[0] != n:
        raise SignalFormatError(f"out has {out.shape[0]} elements, the input has {n}")
    return out


def _block(block: Any, channels: int) -> np.ndarray:
    arr = np.asarray(block)
    if arr.dtype != np.int16 or arr.ndim != 2 or arr.shape[0] != channels:
        raise SignalFormatError(
            f"block must be int16[{channels}, n], got {arr.dtype}{list(arr.shape)}")
    if not arr.flags.c_contiguous:
        raise SignalFormatError("block must be C-contiguous")
    return arr


def _ptr(ffi: Any, ctype: str, arr: np.ndarray) -> Any:
    return ffi.from_buffer(ctype, arr)


# --------------------------------------------------------------------------------------------
# G.711


_CTYPES = {np.dtype(np.int16): "int16_t[]", np.dtype(np.uint8): "uint8_t[]"}


def _codec(fn_name: str, src: np.ndarray, out: Any, dtype: type) -> int:
    """Run the C loop ``fn_name`` over ``src`` into ``out`` (checked: ``dtype``, same length)."""
    out = _out(out, dtype, src.shape[0])
    ffi, lib = _lib()
    if src.shape[0]:
        getattr(lib, fn_name)(_ptr(ffi, _CTYPES[src.dtype], src),
                              _ptr(ffi, _CTYPES[out.dtype], out), src.shape[0])
    return int(src.shape[0])


def _codec_new(fn_name: str, src: np.ndarray, dtype: type) -> np.ndarray:
    out = np.empty(src.shape[0], dtype)
    _codec(fn_name, src, out, dtype)
    return out


def alaw_encode_into(pcm: Any, out: np.ndarray) -> int:
    """spandsp ``linear_to_alaw`` over ``pcm`` into ``out`` (uint8, same length)."""
    return _codec("or_alaw_encode", _pcm(pcm), out, np.uint8)


def ulaw_encode_into(pcm: Any, out: np.ndarray) -> int:
    """spandsp ``linear_to_ulaw`` over ``pcm`` into ``out`` (uint8, same length)."""
    return _codec("or_ulaw_encode", _pcm(pcm), out, np.uint8)


def alaw_decode_into(codes: Any, out: np.ndarray) -> int:
    """spandsp ``alaw_to_linear`` over ``codes`` into ``out`` (int16, same length)."""
    return _codec("or_alaw_decode", _codes(codes), out, np.int16)


def ulaw_decode_into(codes: Any, out: np.ndarray) -> int:
    """spandsp ``ulaw_to_linear`` over ``codes`` into ``out`` (int16, same length)."""
    return _codec("or_ulaw_decode", _codes(codes), out, np.int16)


def alaw_to_ulaw_into(codes: Any, out: np.ndarray) -> int:
    """spandsp ``alaw_to_ulaw`` (G.711 transcoding table) into ``out``."""
    return _codec("or_alaw_to_ulaw", _codes(codes), out, np.uint8)


def ulaw_to_alaw_into(codes: Any, out: np.ndarray) -> int:
    """spandsp ``ulaw_to_alaw`` (G.711 transcoding table) into ``out``."""
    return _codec("or_ulaw_to_alaw", _codes(codes), out, np.uint8)


def alaw_encode(pcm: Any) -> np.ndarray:
    """int16 samples -> A-law codes (uint8), spandsp ``linear_to_alaw``."""
    return _codec_new("or_alaw_encode", _pcm(pcm), np.uint8)


def ulaw_encode(pcm: Any) -> np.ndarray:
    """int16 samples -> µ-law codes (uint8), spandsp ``linear_to_ulaw``."""
    return _codec_new("or_ulaw_encode", _pcm(pcm), np.uint8)


def alaw_decode(codes: Any) -> np.ndarray:
    """A-law codes (uint8 array or bytes) -> int16, spandsp ``alaw_to_linear``."""
    return _codec_new("or_alaw_decode", _codes(codes), np.int16)


def ulaw_decode(codes: Any) -> np.ndarray:
    """µ-law codes (uint8 array or bytes) -> int16, spandsp ``ulaw_to_linear``."""
    return _codec_new("or_ulaw_decode", _codes(codes), np.int16)


def alaw_to_ulaw(codes: Any) -> np.ndarray:
    """A-law codes -> µ-law codes, spandsp ``alaw_to_ulaw``."""
    return _codec_new("or_alaw_to_ulaw", _codes(codes), np.uint8)


def ulaw_to_alaw(codes: Any) -> np.ndarray:
    """µ-law codes -> A-law codes, spandsp ``ulaw_to_alaw``."""
    return _codec_new("or_ulaw_to_alaw", _codes(codes), np.uint8)


# --------------------------------------------------------------------------------------------
# DTMF


def _int_param(value: float | None, name: str, unset: int) -> int:
    if value is None:
        return unset
    if float(value) != int(value):
        raise SignalFormatError(f"{name} must be a whole number of dB for spandsp, got {value}")
    return int(value)


class DtmfRx:
    """spandsp ``dtmf_rx`` on one channel; digits gathered from its callback.

    ``None`` parameters keep spandsp's defaults (twist 8 dB, reverse twist 4 dB, threshold
    -42 dBm0 in 0.0.6). spandsp takes whole dB values only.
    """

    def __init__(self, normal_twist_db: float | None = None,
                 reverse_twist_db: float | None = None,
                 threshold_dbm0: float | None = None, filter_dialtone: bool = False) -> None:
        self._ffi, self._lib = _lib()
        raw = self._lib.or_dtmf_rx_new(
            1 if filter_dialtone else 0,
            _int_param(normal_twist_db, "normal_twist_db", -1),
            _int_param(reverse_twist_db, "reverse_twist_db", -1),
            _int_param(threshold_dbm0, "threshold_dbm0", -99),
        )
        if raw == self._ffi.NULL:
            raise MemoryError("dtmf_rx_init failed")
        self._rx = self._ffi.gc(raw, self._lib.or_dtmf_rx_delete)

    def process(self, pcm: Any) -> None:
        """Feed int16 samples (any length)."""
        src = _pcm(pcm)
        if src.shape[0]:
            self._lib.or_dtmf_rx_process(self._rx, _ptr(self._ffi, "int16_t[]", src),
                                         src.shape[0])

    def digits(self) -> str:
        """Every digit reported so far, in order."""
        buf = self._rx.digits
        if buf.failed:
            raise MemoryError("digit buffer allocation failed")
        return self._ffi.unpack(buf.data, buf.len).decode("ascii") if buf.len else ""

    def status(self) -> str:
        """``dtmf_rx_status``: the digit being received, ``'x'`` for maybe, ``''`` for none."""
        code = self._lib.dtmf_rx_status(self._rx.s)
        return chr(code) if code else ""

    def reset(self) -> None:
        """Re-initialise the detector (same parameters) and forget the digits."""
        if self._lib.or_dtmf_rx_reset(self._rx) < 0:
            raise MemoryError("dtmf_rx_init failed")


class DtmfRxBank:
    """``channels`` spandsp DTMF receivers fed by one C loop per ``process(block)`` call."""

    def __init__(self, channels: int, normal_twist_db: float | None = None,
                 reverse_twist_db: float | None = None,
                 threshold_dbm0: float | None = None, filter_dialtone: bool = False) -> None:
        if channels < 1:
            raise SignalFormatError(f"channels must be >= 1, got {channels}")
        self._rxs = [DtmfRx(normal_twist_db, reverse_twist_db, threshold_dbm0, filter_dialtone)
                     for _ in range(channels)]
        self._ffi, self._lib = _lib()
        self._ptrs = self._ffi.new("or_dtmf_rx_t *[]", [r._rx for r in self._rxs])
        self.channels = channels

    def process(self, block: Any) -> None:
        """Feed an ``int16[channels, n]`` C-contiguous block."""
        arr = _block(block, self.channels)
        if arr.shape[1]:
            self._lib.or_dtmf_rx_bank_process(self._ptrs, self.channels,
                                              _ptr(self._ffi, "int16_t[]", arr), arr.shape[1])

    def digits(self, ch: int) -> str:
        """Digits reported so far on channel ``ch``."""
        return self._rxs[ch].digits()

    def reset(self) -> None:
        for r in self._rxs:
            r.reset()


class _Generator:
    """Shared ``generate``/``generate_into`` of the spandsp signal generators."""

    def _fill(self, out: Any) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def generate_into(self, out: np.ndarray) -> int:
        """Fill ``out`` (int16, C-contiguous) from the start; return the samples written
        (fewer than ``len(out)`` when the generator runs out, 0 when idle)."""
        if not isinstance(out, np.ndarray) or out.dtype != np.int16 or out.ndim != 1:
            raise SignalFormatError("out must be a one-dimensional int16 array")
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise SignalFormatError("out must be C-contiguous and writeable")
        if out.shape[0] == 0:
            return 0
        return self._fill(out)

    def generate(self, n: int) -> np.ndarray:
        """Up to ``n`` samples (shorter when the generator runs out)."""
        if n < 0:
            raise SignalFormatError(f"n must be >= 0, got {n}")
        out = np.zeros(n, np.int16)
        return out[: self.generate_into(out)]


class DtmfTx(_Generator):
    """spandsp ``dtmf_tx``: ``level_dbm0`` is the low tone's level, the high tone is
    ``twist_db`` above it (whole dB); ``on_ms``/``off_ms`` per digit."""

    _CHUNK = 100  # spandsp queues at most 128 digits

    def __init__(self, level_dbm0: int = -10, on_ms: int = 50, off_ms: int = 55,
                 twist_db: int = 0) -> None:
        self._ffi, self._lib = _lib()
        raw = self._lib.dtmf_tx_init(self._ffi.NULL)
        if raw == self._ffi.NULL:
            raise MemoryError("dtmf_tx_init failed")
        self._tx = self._ffi.gc(raw, self._lib.dtmf_tx_free)
        self._lib.dtmf_tx_set_level(self._tx, int(level_dbm0), int(twist_db))
        self._lib.dtmf_tx_set_timing(self._tx, int(on_ms), int(off_ms))
        self._pending = ""

    def put(self, digits: str) -> None:
        """Queue digits (0-9, A-D, *, #); any length."""
        bad = set(digits) - set("0123456789ABCDabcd*#")
        if bad:
            raise SignalFormatError(f"digits must be in 0-9A-D*#, got {sorted(bad)}")
        self._pending += digits

    def _fill(self, out: np.ndarray) -> int:
        ptr = _ptr(self._ffi, "int16_t[]", out)
        n = out.shape[0]
        done = 0
        while done < n:
            got = self._lib.dtmf_tx(self._tx, ptr + done, n - done)
            done += got
            if done >= n:
                break
            if not self._pending:
                break
            # spandsp ran dry exactly at a digit boundary: queue the next chunk and go on.
            chunk, self._pending = self._pending[: self._CHUNK], self._pending[self._CHUNK:]
            self._lib.dtmf_tx_put(self._tx, chunk.encode("ascii"), len(chunk))
        return done


class ToneGen(_Generator):
    """spandsp ``tone_gen`` from ``tone_gen_descriptor_init`` (whole Hz, dBm0 and ms).

    ``f2 < 0`` asks spandsp for AM at ``-f2`` Hz with ``level2_dbm0`` as depth in percent.
    The cadence is ``on_ms``/``off_ms`` then optionally ``on2_ms``/``off2_ms``; with
    ``repeat=False`` it plays once and then the generator runs out.
    """

    def __init__(self, f1: int, level1_dbm0: int, f2: int = 0, level2_dbm0: int = 0,
                 on_ms: int = 1000, off_ms: int = 0, on2_ms: int = 0, off2_ms: int = 0,
                 repeat: bool = True) -> None:
        self._ffi, self._lib = _lib()
        raw = self._lib.or_tone_gen_new(int(f1), int(level1_dbm0), int(f2), int(level2_dbm0),
                                        int(on_ms), int(off_ms), int(on2_ms), int(off2_ms),
                                        1 if repeat else 0)
        if raw == self._ffi.NULL:
            raise MemoryError("tone_gen_init failed")
        self._gen = self._ffi.gc(raw, self._lib.or_tone_gen_delete)

    def _fill(self, out: np.ndarray) -> int:
        return int(self._lib.or_tone_gen(self._gen, _ptr(self._ffi, "int16_t[]", out),
                                         out.shape[0]))


# --------------------------------------------------------------------------------------------
# ADSI / caller ID


def _standard(standard: str) -> int:
    try:
        return ADSI_STANDARDS[standard]
    except KeyError:
        raise SignalFormatError(
            f"standard must be one of {sorted(ADSI_STANDARDS)}, got {standard!r}") from None


class AdsiRx:
    """spandsp ``adsi_rx`` for ``standard``; messages as handed to its ``put_msg`` callback.

    For the FSK standards (class, clip, aclip) a message is type, length and body, without
    the checksum, delivered only when the checksum was right; jclip messages keep their DLE
    framing minus the CRC; clip_dtmf messages are the digit strings.
    """

    def __init__(self, standard: str) -> None:
        self.standard = standard
        self._ffi, self._lib = _lib()
        raw = self._lib.or_adsi_rx_new(_standard(standard))
        if raw == self._ffi.NULL:
            raise MemoryError("adsi_rx_init failed")
        self._rx = self._ffi.gc(raw, self._lib.or_adsi_rx_delete)

    def process(self, pcm: Any) -> None:
        src = _pcm(pcm)
        if src.shape[0]:
            self._lib.or_adsi_rx_process(self._rx, _ptr(self._ffi, "int16_t[]", src),
                                         src.shape[0])

    def messages(self) -> list[bytes]:
        """Every message delivered so far, each with the length the callback was given."""
        return _unpack_messages(self._ffi, self._rx.msgs)

    def reset(self) -> None:
        if self._lib.or_adsi_rx_reset(self._rx) < 0:
            raise MemoryError("adsi_rx_init failed")


def _unpack_messages(ffi: Any, buf: Any) -> list[bytes]:
    if buf.failed:
        raise MemoryError("message buffer allocation failed")
    raw = ffi.unpack(buf.data, buf.len) if buf.len else b""
    size = ffi.sizeof("int")
    out: list[bytes] = []
    pos = 0
    while pos < len(raw):
        n = int.from_bytes(raw[pos: pos + size], sys.byteorder, signed=True)
        pos += size
        n = max(n, 0)
        out.append(raw[pos: pos + n])
        pos += n
    return out


class AdsiRxBank:
    """``channels`` spandsp ADSI receivers fed by one C loop per ``process(block)`` call."""

    def __init__(self, standard: str, channels: int) -> None:
        if channels < 1:
            raise SignalFormatError(f"channels must be >= 1, got {channels}")
        self._rxs = [AdsiRx(standard) for _ in range(channels)]
        self._ffi, self._lib = _lib()
        self._ptrs = self._ffi.new("or_adsi_rx_t *[]", [r._rx for r in self._rxs])
        self.channels = channels

    def process(self, block: Any) -> None:
        """Feed an ``int16[channels, n]`` C-contiguous block."""
        arr = _block(block, self.channels)
        if arr.shape[1]:
            self._lib.or_adsi_rx_bank_process(self._ptrs, self.channels,
                                              _ptr(self._ffi, "int16_t[]", arr), arr.shape[1])

    def messages(self, ch: int) -> list[bytes]:
        return self._rxs[ch].messages()

    def reset(self) -> None:
        for r in self._rxs:
            r.reset()


class AdsiTx(_Generator):
    """spandsp ``adsi_tx`` for ``standard``.

    ``send(msg)`` queues a message in spandsp's own format (see :func:`build_message`; for
    the FSK standards spandsp fixes the length octet and appends the checksum). Messages
    queued while one is being sent wait and follow it.
    """

    def __init__(self, standard: str, alert_tone: bool = False) -> None:
        self.standard = standard
        self._ffi, self._lib = _lib()
        raw = self._lib.adsi_tx_init(self._ffi.NULL, _standard(standard))
        if raw == self._ffi.NULL:
            raise MemoryError("adsi_tx_init failed")
        self._tx = self._ffi.gc(raw, self._lib.adsi_tx_free)
        self._pending: list[bytes] = []
        # spandsp starts its modem at init; nothing is sent until a message or tone is asked.
        self._started = False
        if alert_tone:
            self.send_alert_tone()

    def send_alert_tone(self) -> None:
        """``adsi_tx_send_alert_tone``: the CAS (2130 + 2750 Hz) before the next message."""
        self._lib.adsi_tx_send_alert_tone(self._tx)
        self._started = True

    def set_preamble(self, preamble_len: int = -1, preamble_ones_len: int = -1,
                     postamble_ones_len: int = -1, stop_bits: int = -1) -> None:
        """``adsi_tx_set_preamble`` (bit counts; -1 keeps the standard's default)."""
        self._lib.adsi_tx_set_preamble(self._tx, preamble_len, preamble_ones_len,
                                       postamble_ones_len, stop_bits)

    def send(self, msg: bytes) -> None:
        """Queue ``msg`` (bytes) for transmission."""
        if not isinstance(msg, (bytes, bytearray)) or not msg:
            raise SignalFormatError("msg must be non-empty bytes")
        if len(msg) > 255:
            raise SignalFormatError(f"msg must be at most 255 bytes, got {len(msg)}")
        self._pending.append(bytes(msg))
        self._started = True
        self._push()

    def _push(self) -> None:
        while self._pending:
            msg = self._pending[0]
            rc = self._lib.adsi_tx_put_message(self._tx, msg, len(msg))
            if rc < 0:
                self._pending.pop(0)
                raise SignalFormatError(f"spandsp refused the message ({len(msg)} bytes)")
            if rc == 0:
                return  # a message is still going out
            self._pending.pop(0)
            return

    def _fill(self, out: np.ndarray) -> int:
        if not self._started:
            return 0
        ptr = _ptr(self._ffi, "int16_t[]", out)
        n = out.shape[0]
        done = 0
        while done < n:
            got = self._lib.adsi_tx(self._tx, ptr + done, n - done)
            done += max(got, 0)
            if done >= n or not self._pending:
                break
            before = len(self._pending)
            self._push()
            if len(self._pending) == before:
                break
        return done

    def generate_until_idle(self, max_samples: int = 8000 * 30) -> np.ndarray:
        """Everything left to send, queued messages included (at most ``max_samples``)."""
        chunks = []
        total = 0
        while total < max_samples:
            want = min(1024, max_samples - total)
            block = self.generate(want)
            chunks.append(block)
            total += block.shape[0]
            if block.shape[0] < want:  # spandsp ran dry and nothing more could be queued
                break
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


def build_message(standard: str, msg_type: int, fields: list[tuple[int, bytes]],
                  set_length: bool = True) -> bytes:
    """A message assembled by spandsp's ``adsi_add_field``.

    The header call gets ``msg_type`` (for clip_dtmf: the terminator character code, ``'C'``
    or ``'#'``), then one call per ``(field_type, body)``; field type 0 appends a bare body
    (SDMF). spandsp 0.0.6 leaves the length octet at 0 (its transmitter fills it in); with
    ``set_length`` (class, clip, aclip, jclip) it is set to ``len - 2`` here, so the result
    equals what :class:`AdsiRx` delivers for class, clip and aclip.
    """
    ffi, lib = _lib()
    tx = ffi.gc(lib.adsi_tx_init(ffi.NULL, _standard(standard)), lib.adsi_tx_free)
    worst = 2 + sum(2 * (2 + len(body)) for _, body in fields)
    if worst > 255:
        raise SignalFormatError(f"fields too long for one message ({worst} > 255 bytes)")
    buf = ffi.new("uint8_t[]", 512)
    length = lib.adsi_add_field(tx, buf, -1, int(msg_type), ffi.NULL, 0)
    for field_type, body in fields:
        length = lib.adsi_add_field(tx, buf, length, int(field_type), bytes(body), len(body))
    msg = bytearray(ffi.buffer(buf, length))
    if set_length and standard in ("class", "clip", "aclip", "jclip") and length >= 2:
        msg[1] = length - 2
    return bytes(msg)


# --------------------------------------------------------------------------------------------
# FSK


class FskRx:
    """spandsp ``fsk_rx`` (asynchronous bit mode) with one of the preset modems.

    ``bits()`` gives the demodulated bits, one per bit period; ``data()`` frames them as 8N1
    characters (start bit 0, eight data bits LSB first, stop bit 1) after at least
    ``min_marks`` mark bits, which is how caller-ID data is sent.
    """

    def __init__(self, spec: str, baud: float | None = None) -> None:
        if spec not in FSK_SPECS:
            raise SignalFormatError(f"spec must be one of {sorted(FSK_SPECS)}, got {spec!r}")
        self._ffi, self._lib = _lib()
        baud_x100 = 0 if baud is None else int(round(baud * 100))
        raw = self._lib.or_fsk_rx_new(FSK_SPECS[spec], baud_x100, 0)
        if raw == self._ffi.NULL:
            raise MemoryError("fsk_rx_init failed")
        self._rx = self._ffi.gc(raw, self._lib.or_fsk_rx_delete)

    def process(self, pcm: Any) -> None:
        src = _pcm(pcm)
        if src.shape[0]:
            self._lib.or_fsk_rx_process(self._rx, _ptr(self._ffi, "int16_t[]", src),
                                        src.shape[0])

    def bits(self) -> np.ndarray:
        """Received bits (0/1, uint8), in order."""
        buf = self._rx.out
        if buf.failed:
            raise MemoryError("bit buffer allocation failed")
        raw = self._ffi.unpack(buf.data, buf.len) if buf.len else b""
        return np.frombuffer(raw, np.uint8).copy()

    def data(self, min_marks: int = 1) -> bytes:
        """The bits framed as 8N1 characters (characters with a bad stop bit are dropped)."""
        return frame_8n1(self.bits(), min_marks)

    @property
    def carrier_ups(self) -> int:
        return int(self._rx.carrier_ups)

    @property
    def carrier_downs(self) -> int:
        return int(self._rx.carrier_downs)


def frame_8n1(bits: np.ndarray, min_marks: int = 1) -> bytes:
    """Asynchronous 8N1 characters from a bit stream (start 0, 8 data bits LSB first, stop 1).

    A start bit is looked for only after ``min_marks`` consecutive 1 bits or right after a
    stop bit; a character whose stop bit is 0 is dropped and the search starts again.
    """
    out = bytearray()
    marks = 0
    i = 0
    n = len(bits)
    after_stop = False
    while i < n:
        if bits[i]:
            marks += 1
            after_stop = False
            i += 1
            continue
        if (marks >= min_marks or after_stop) and i + 9 < n:
            value = 0
            for k in range(8):
                value |= int(bits[i + 1 + k]) << k
            if bits[i + 9]:
                out.append(value)
                i += 10
                marks = 0
                after_stop = True
                continue
        marks = 0
        after_stop = False
        i += 1
    return bytes(out)


# --------------------------------------------------------------------------------------------
# MFC-R2 register signals (a module of its own, so the main oracle keeps its cache entry)

#: spandsp's characters for R2 signals 1..15.
R2_CODES = "1234567890BCDEF"

_R2_CDEF = """
int or_r2_tx(int fwd, const char *codes, int on, int off, int16_t *out);
int or_r2_rx(int fwd, const int16_t *in, int n, char *codes);
typedef struct or_r2_bank_s or_r2_bank_t;
or_r2_bank_t *or_r2_bank_new(int channels, int fwd);
void or_r2_bank_free(or_r2_bank_t *b);
long long or_r2_bank_process(or_r2_bank_t *b, const int16_t *block, int n);
"""

_R2_SOURCE = r"""
#include <stdlib.h>
#include <string.h>
#include <spandsp.h>

/* Each code for `on` samples then `off` samples of silence; returns the samples written. */
int or_r2_tx(int fwd, const char *codes, int on, int off, int16_t *out)
{
    r2_mf_tx_state_t *s = r2_mf_tx_init(NULL, fwd);
    int pos = 0, k;
    for (k = 0; codes[k]; k++) {
        r2_mf_tx_put(s, codes[k]);
        pos += r2_mf_tx(s, out + pos, on);
        memset(out + pos, 0, (size_t) off * sizeof(int16_t));
        pos += off;
        r2_mf_tx_put(s, 0);
    }
    r2_mf_tx_free(s);
    return pos;
}

/* The codes recognised, each once per run of blocks reporting it (80-sample feeds). */
int or_r2_rx(int fwd, const int16_t *in, int n, char *codes)
{
    r2_mf_rx_state_t *s = r2_mf_rx_init(NULL, fwd, NULL, NULL);
    int i, last = 0, k = 0, d;
    for (i = 0; i + 80 <= n; i += 80) {
        r2_mf_rx(s, in + i, 80);
        d = r2_mf_rx_get(s);
        if (d != last && d)
            codes[k++] = (char) d;
        last = d;
    }
    codes[k] = 0;
    r2_mf_rx_free(s);
    return k;
}

typedef struct or_r2_bank_s {
    int channels;
    r2_mf_rx_state_t **s;
    int *last;
} or_r2_bank_t;

or_r2_bank_t *or_r2_bank_new(int channels, int fwd)
{
    or_r2_bank_t *b = calloc(1, sizeof(*b));
    int c;
    if (b == NULL)
        return NULL;
    b->channels = channels;
    b->s = calloc(channels, sizeof(*b->s));
    b->last = calloc(channels, sizeof(int));
    if (b->s == NULL || b->last == NULL) {
        free(b->s);
        free(b->last);
        free(b);
        return NULL;
    }
    for (c = 0; c < channels; c++)
        b->s[c] = r2_mf_rx_init(NULL, fwd, NULL, NULL);
    return b;
}

void or_r2_bank_free(or_r2_bank_t *b)
{
    int c;
    for (c = 0; c < b->channels; c++)
        r2_mf_rx_free(b->s[c]);
    free(b->s);
    free(b->last);
    free(b);
}

/* Runs every channel over its row of the block; returns the number of digit changes. */
long long or_r2_bank_process(or_r2_bank_t *b, const int16_t *block, int n)
{
    long long changes = 0;
    int c, d;
    for (c = 0; c < b->channels; c++) {
        r2_mf_rx(b->s[c], block + (size_t) c * n, n);
        d = r2_mf_rx_get(b->s[c]);
        if (d != b->last[c]) {
            changes++;
            b->last[c] = d;
        }
    }
    return changes;
}
"""

_r2_state: dict[str, Any] = {}


def _r2_lib() -> tuple[Any, Any]:
    if "module" not in _r2_state:
        _r2_state["module"] = build_extension("_spandsp_r2", _R2_CDEF, _R2_SOURCE)
    module = _r2_state["module"]
    return module.ffi, module.lib


class R2MfTx:
    """spandsp ``r2_mf_tx`` for the forward (``forward=True``) or backward signal set."""

    def __init__(self, forward: bool) -> None:
        self.forward = bool(forward)
        self._ffi, self._lib = _r2_lib()

    def pulses(self, codes: str, on: int, off: int) -> np.ndarray:
        """Each of ``codes`` (characters of :data:`R2_CODES`) for ``on`` samples, then
        ``off`` samples of silence."""
        bad = set(codes) - set(R2_CODES)
        if bad:
            raise SignalFormatError(f"codes must be in {R2_CODES}, got {sorted(bad)}")
        if on < 0 or off < 0:
            raise SignalFormatError(f"on and off must be >= 0, got {on} and {off}")
        out = np.zeros(len(codes) * (on + off), np.int16)
        n = self._lib.or_r2_tx(self.forward, codes.encode("ascii"), on, off,
                               _ptr(self._ffi, "int16_t[]", out))
        return out[:n]


class R2MfRx:
    """spandsp ``r2_mf_rx`` for the forward (``forward=True``) or backward signal set."""

    def __init__(self, forward: bool) -> None:
        self.forward = bool(forward)
        self._ffi, self._lib = _r2_lib()

    def recognise(self, pcm: Any) -> str:
        """The codes a fresh receiver recognises in ``pcm`` fed in 80-sample blocks, each
        once per run of blocks reporting it."""
        src = _pcm(pcm)
        codes = self._ffi.new("char[]", src.shape[0] // 80 + 1)
        self._lib.or_r2_rx(self.forward, _ptr(self._ffi, "int16_t[]", src), src.shape[0],
                           codes)
        return self._ffi.string(codes).decode("ascii")  # type: ignore[no-any-return]


class R2MfRxBank:
    """``channels`` spandsp ``r2_mf_rx`` receivers fed by one C loop per ``process(block)``."""

    def __init__(self, channels: int, forward: bool) -> None:
        if channels < 1:
            raise SignalFormatError(f"channels must be >= 1, got {channels}")
        self._ffi, self._lib = _r2_lib()
        raw = self._lib.or_r2_bank_new(channels, bool(forward))
        if raw == self._ffi.NULL:
            raise MemoryError("r2_mf_rx_init failed")
        self._bank = self._ffi.gc(raw, self._lib.or_r2_bank_free)
        self.channels = channels

    def process(self, block: Any) -> int:
        """Feed an ``int16[channels, n]`` C-contiguous block; return how many channels
        changed the signal they report."""
        arr = _block(block, self.channels)
        return int(self._lib.or_r2_bank_process(self._bank, _ptr(self._ffi, "int16_t[]", arr),
                                                arr.shape[1]))
