"""Cadence tracking of ``boardlib.dsp.progress`` written in plain Python, as the detectors
ran it before it was compiled: a per-channel matcher over the run records of
:meth:`boardlib.dsp._progress.ProgressCore.process`, building the same events.

:class:`CadenceReference` takes a detector's compiled profile and runs its own core in
records mode, so ``CadenceReference(det).process(x)`` must equal ``det.process(x)`` for any
input. Test support only; never imported by boardlib.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from boardlib.dsp._progress import (
    BLOCK_SAMPLES,
    REC_TONE_LONG,
    REC_TONE_OFF,
    REC_TONE_ON,
    REC_V21,
    REC_VOICE_OFF,
    REC_VOICE_ON,
)
from boardlib.dsp.progress import (
    V21_PREAMBLE_FLAGS,
    ProgressEvent,
    ToneCadence,
    ToneOff,
    ToneOn,
    VoiceOff,
    VoiceOn,
)

_FULL_SCALE_POWER = 32768.0 ** 2 / 2.0
_DBM0_MAX = 3.14


def block_energy_to_dbm0(energy: float) -> float:
    if energy <= 0:
        return -120.0
    return round(10.0 * math.log10(energy / BLOCK_SAMPLES / _FULL_SCALE_POWER) + _DBM0_MAX, 2)


class Tracker:
    """Per-channel cadence matcher over the run records of the core."""

    def __init__(self, compiled: Any, channel: int) -> None:
        self.c = compiled
        self.channel = channel
        self.history: list[tuple[int | None, int, int, float]] = []
        self.answer = (0, 0.0)
        self.active: dict[str, int] = {}
        self.last_end: int | None = None
        self.tone_open = False
        self.voice_open = False
        self.quiet_since = 0

    def _decide(self, running: bool, out: list[ProgressEvent], now: int,
                seq: list[tuple[int | None, int, int, float]]) -> None:
        c = self.c
        newest, dur = seq[-1][0], seq[-1][1]
        length = len(seq)
        matched: set[str] = set()
        best: tuple[int, int, Any] | None = None
        best_m = 0
        for lo, hi, is_long, order, pat, idx, need in c.intervals.get(newest, ()):
            if not lo <= dur <= hi or (running and not is_long) or length < need:
                continue
            bounds = c.bounds[pat.name]
            n = len(bounds)
            for back in range(1, need):
                w = seq[-1 - back]
                el = bounds[(idx - back) % n]
                if w[0] != el[0] or not el[1] <= w[1] <= el[2]:
                    break
            else:
                matched.add(pat.name)
                key = 0 if pat.early else need
                if best is None or (key, -order) > (best[0], -best[1]):
                    best = (key, order, pat)
                    best_m = need
        if not running:
            for name in list(self.active):
                if name not in matched:
                    del self.active[name]
        if best is None:
            return
        pat = best[2]
        if pat.name in self.active:
            return
        window = seq[-best_m:]
        if window[0][0] is None:
            return
        self.active.clear()
        self.active[pat.name] = 1
        name = pat.name
        if name == "ced" and window[-1][0] == c.answer_sig:
            reversals, depth = self.answer
            am = depth >= c.ansam_depth
            if reversals:
                name = "ansam_pr" if am else "ans_pr"
            elif am:
                name = "ansam"
        start = window[0][2]
        bursts = [w for w in window if w[0] is not None]
        total = 0.0  # summed left to right, as the compiled tracker does
        for w in bursts:
            total += w[3]
        level = round(total / max(1, len(bursts)), 2)
        freqs = tuple(sorted({f for w in bursts for f in c.sigs[w[0]]}))
        out.append(ToneCadence(name, freqs, level, start, now - start, len(bursts),
                               self.channel))

    def name_for(self, sig: int) -> str | None:
        names = self.c.names_by_sig.get(sig, ())
        for name in self.active:
            if name in names:
                return name
        return self.c.sig_names[sig]

    def record(self, kind: int, sig: int, start: int, end: int, energy: float,
               out: list[ProgressEvent]) -> None:
        c = self.c
        if kind == REC_TONE_ON:
            self.tone_open = True
            if self.last_end is not None:
                gap = start - self.last_end
                prev = self.history[-1][0] if self.history else None
                if gap >= 2 * BLOCK_SAMPLES or prev == sig:
                    self.history.append((None, gap, self.last_end, 0.0))
                    for name in list(self.active):
                        if not any(b[0] is None and b[1] <= gap <= b[2]
                                   for b in c.bounds[name]):
                            del self.active[name]
            out.append(ToneOn(self.name_for(sig), c.sigs[sig], block_energy_to_dbm0(energy),
                              start, self.channel))
        elif kind == REC_TONE_OFF:
            self.tone_open = False
            self.quiet_since = max(self.quiet_since, end)
            level = block_energy_to_dbm0(energy)
            self.history.append((sig, end - start, start, level))
            if len(self.history) > 48:
                del self.history[:24]
            self.last_end = end
            self._decide(False, out, end, self.history)
            out.append(ToneOff(self.name_for(sig), c.sigs[sig], level, start, end - start,
                               self.channel))
        elif kind == REC_TONE_LONG:
            seq = self.history + [(sig, end - start, start, block_energy_to_dbm0(energy))]
            self._decide(True, out, end, seq)
        elif kind == REC_VOICE_ON:
            self.voice_open = True
            out.append(VoiceOn(start, block_energy_to_dbm0(energy), self.channel))
        elif kind == REC_V21:
            self.active.clear()
            out.append(ToneCadence("v21_preamble", (1650.0, 1850.0),
                                   block_energy_to_dbm0(energy), start, end - start,
                                   V21_PREAMBLE_FLAGS, self.channel))
        elif kind == REC_VOICE_OFF:
            self.voice_open = False
            self.quiet_since = max(self.quiet_since, end)
            out.append(VoiceOff(start, end - start, block_energy_to_dbm0(energy),
                                self.channel))


class CadenceReference:
    """The detector ``det`` (a ToneDetector or ToneDetectorBank, only its compiled profile
    is used) with the cadence tracking in Python: ``process`` takes ``int16[channels, n]``
    (or ``int16[n]`` for one channel)."""

    def __init__(self, det: Any) -> None:
        self.compiled = det._compiled
        self.channels = getattr(det, "channels", 1)
        self.core = self.compiled.core(self.channels)
        self.trackers = [Tracker(self.compiled, ch) for ch in range(self.channels)]

    def _events(self, records: np.ndarray, levels: np.ndarray) -> list[ProgressEvent]:
        out: list[ProgressEvent] = []
        for row, energy in zip(records.tolist(), levels.tolist(), strict=True):
            ch, kind, sig, start, end, reversals, depth = row
            if sig == self.compiled.answer_sig and kind != REC_TONE_ON:
                self.trackers[ch].answer = (reversals, depth / 1000.0)
            self.trackers[ch].record(kind, sig, start, end, energy, out)
        return out

    def process(self, x: np.ndarray) -> list[ProgressEvent]:
        x = np.ascontiguousarray(x, dtype=np.int16)
        return self._events(*self.core.process(x.reshape(self.channels, -1)))

    def flush(self) -> list[ProgressEvent]:
        return self._events(*self.core.flush())

    def silence_samples(self, channel: int = 0) -> int:
        t = self.trackers[channel]
        if t.tone_open or t.voice_open:
            return 0
        now = self.core.sample // BLOCK_SAMPLES * BLOCK_SAMPLES
        return max(0, now - t.quiet_since)
