"""spandsp 0.0.6 call-progress receivers as an independent oracle and benchmark peer.

* :func:`connect_tone` runs spandsp's ``modem_connect_tones_rx`` (CNG, ANS, ANS/, ANSam,
  ANSam/, Bell answer, V.21 preamble) over a buffer and returns what it reported.
* :class:`SuperToneBank` runs one ``super_tone_rx`` per channel over ``int16[channels, n]``
  blocks in one C call, with the China tone set (dial, busy, congestion, ringback) described
  as spandsp segment trees; it serves as the benchmark peer of ``ToneDetectorBank``.

The cffi module is compiled against the system ``libspandsp`` on first use and cached beside
the other spandsp oracle (``build/oracles/``). Test support only; never imported by boardlib.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from tests.reference.spandsp import build_extension

_CDEF = """
int bl_connect_tone(int tone_type, const int16_t *amp, int n, int chunk, int *first_sample);
typedef struct bl_stone_bank bl_stone_bank_t;
bl_stone_bank_t *bl_stone_bank_new(int channels);
void bl_stone_bank_free(bl_stone_bank_t *b);
int bl_stone_bank_rx(bl_stone_bank_t *b, const int16_t *block, int n);
int bl_stone_bank_code(bl_stone_bank_t *b, int channel);
int bl_stone_bank_reports(bl_stone_bank_t *b, int channel);
"""

_SOURCE = r"""
#include <stdlib.h>
#include <string.h>
#include <spandsp.h>

typedef struct { int code; int sample; int now; } bl_ct_result_t;

static void bl_ct_cb(void *user, int code, int level, int delay) {
    bl_ct_result_t *r = (bl_ct_result_t *) user;
    (void) level; (void) delay;
    if (code > 0 && r->code <= 0) { r->code = code; r->sample = r->now; }
}

int bl_connect_tone(int tone_type, const int16_t *amp, int n, int chunk, int *first_sample) {
    bl_ct_result_t r = {0, -1, 0};
    modem_connect_tones_rx_state_t *s = modem_connect_tones_rx_init(NULL, tone_type,
                                                                     bl_ct_cb, &r);
    for (int i = 0; i < n; i += chunk) {
        int m = n - i < chunk ? n - i : chunk;
        r.now = i + m;
        modem_connect_tones_rx(s, amp + i, m);
    }
    if (r.code <= 0) {
        int got = modem_connect_tones_rx_get(s);
        if (got > 0) { r.code = got; r.sample = n; }
    }
    modem_connect_tones_rx_free(s);
    *first_sample = r.sample;
    return r.code;
}

typedef struct { int code; int reports; } bl_stone_ch_t;

typedef struct bl_stone_bank {
    int channels;
    super_tone_rx_descriptor_t *desc;
    super_tone_rx_state_t **rx;
    bl_stone_ch_t *ch;
} bl_stone_bank_t;

static void bl_stone_cb(void *user, int code, int level, int delay) {
    bl_stone_ch_t *c = (bl_stone_ch_t *) user;
    (void) level; (void) delay;
    c->code = code;
    c->reports++;
}

bl_stone_bank_t *bl_stone_bank_new(int channels) {
    bl_stone_bank_t *b = calloc(1, sizeof(*b));
    int t;
    b->channels = channels;
    b->desc = super_tone_rx_make_descriptor(NULL);
    /* China: dial 450 Hz steady; busy 350/350; congestion 700/700; ringback 1000/4000. */
    t = super_tone_rx_add_tone(b->desc);
    super_tone_rx_add_element(b->desc, t, 450, 0, 1500, 0);
    t = super_tone_rx_add_tone(b->desc);
    super_tone_rx_add_element(b->desc, t, 450, 0, 280, 420);
    super_tone_rx_add_element(b->desc, t, 0, 0, 280, 420);
    super_tone_rx_add_element(b->desc, t, 450, 0, 280, 420);
    super_tone_rx_add_element(b->desc, t, 0, 0, 280, 420);
    t = super_tone_rx_add_tone(b->desc);
    super_tone_rx_add_element(b->desc, t, 450, 0, 560, 840);
    super_tone_rx_add_element(b->desc, t, 0, 0, 560, 840);
    super_tone_rx_add_element(b->desc, t, 450, 0, 560, 840);
    super_tone_rx_add_element(b->desc, t, 0, 0, 560, 840);
    t = super_tone_rx_add_tone(b->desc);
    super_tone_rx_add_element(b->desc, t, 450, 0, 800, 1200);
    super_tone_rx_add_element(b->desc, t, 0, 0, 3200, 4800);
    b->rx = calloc(channels, sizeof(*b->rx));
    b->ch = calloc(channels, sizeof(*b->ch));
    for (int c = 0; c < channels; c++) {
        b->ch[c].code = -1;
        b->rx[c] = super_tone_rx_init(NULL, b->desc, bl_stone_cb, &b->ch[c]);
    }
    return b;
}

void bl_stone_bank_free(bl_stone_bank_t *b) {
    for (int c = 0; c < b->channels; c++) super_tone_rx_free(b->rx[c]);
    super_tone_rx_free_descriptor(b->desc);
    free(b->rx);
    free(b->ch);
    free(b);
}

int bl_stone_bank_rx(bl_stone_bank_t *b, const int16_t *block, int n) {
    for (int c = 0; c < b->channels; c++) super_tone_rx(b->rx[c], block + (long) c * n, n);
    return n;
}

int bl_stone_bank_code(bl_stone_bank_t *b, int channel) { return b->ch[channel].code; }
int bl_stone_bank_reports(bl_stone_bank_t *b, int channel) { return b->ch[channel].reports; }
"""

#: spandsp's ``MODEM_CONNECT_TONES_*`` codes.
CONNECT_TONES = {"none": 0, "cng": 1, "ans": 2, "ans_pr": 3, "ansam": 4, "ansam_pr": 5,
                 "fax_preamble": 6, "ced_or_preamble": 7, "bell_ans": 8, "calling_tone": 9}
#: Tone numbers of :class:`SuperToneBank`.
SUPER_TONES = {0: "dial", 1: "busy", 2: "congestion", 3: "ringback"}

_state: dict[str, Any] = {}


def _load() -> ModuleType:
    if "module" not in _state:
        _state["module"] = build_extension("_spandsp_progress", _CDEF, _SOURCE)
    return _state["module"]  # type: ignore[no-any-return]


def connect_tone(x: np.ndarray, tone_type: str, chunk: int = 160) -> tuple[str, int]:
    """Run ``modem_connect_tones_rx`` looking for ``tone_type`` (``"cng"``, ``"ans"``,
    ``"ced_or_preamble"``, ``"bell_ans"``, ...); return the reported tone name and the
    sample at the end of the chunk where it was reported (``("none", -1)`` if nothing)."""
    m = _load()
    x = np.ascontiguousarray(x, dtype=np.int16)
    first = m.ffi.new("int *")
    code = m.lib.bl_connect_tone(CONNECT_TONES[tone_type],
                                 m.ffi.from_buffer("int16_t[]", x), len(x), chunk, first)
    names = {v: k for k, v in CONNECT_TONES.items()}
    return names.get(code, f"code{code}"), int(first[0])


class SuperToneBank:
    """``channels`` spandsp ``super_tone_rx`` receivers with the China tone set."""

    def __init__(self, channels: int) -> None:
        self._m = _load()
        self.channels = channels
        self._b = self._m.ffi.gc(self._m.lib.bl_stone_bank_new(channels),
                                 self._m.lib.bl_stone_bank_free)

    def process(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=np.int16)
        assert block.shape[0] == self.channels
        self._m.lib.bl_stone_bank_rx(self._b, self._m.ffi.from_buffer("int16_t[]", block),
                                     block.shape[1])

    def tone(self, channel: int) -> str | None:
        """The last tone reported on ``channel`` (``None`` for "tone ended" or nothing)."""
        return SUPER_TONES.get(self._m.lib.bl_stone_bank_code(self._b, channel))
