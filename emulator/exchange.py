"""The telephone exchange on the line side of the emulated board.

It owns the far end of every analog line: it rings lines with the profile's cadence, sends
caller ID (FSK between the first and second ring, or DTMF before ringing), plays scripted
callers' keys and speech, drops loop current and sends busy tone when they hang up, and, when
the board seizes a line, gives dial tone, listens to the DTMF the board dials (with the
detector of ``boardlib.dsp``), routes the number to a scripted callee and plays what that
callee does: ringback, busy, special information tone, a greeting, fax tones.

Everything reaches the board as G.711 audio and line signals through the emulated board's C
line-side functions; nothing takes a shortcut around the audio path. Time is the board's
sample clock: the exchange acts at the start of each 20 ms tick.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from ..drivers.base import EventType
from ..dsp import (
    DtmfDetector,
    DtmfGenerator,
    ToneGenerator,
    alaw_decode,
    alaw_encode,
    ulaw_decode,
    ulaw_encode,
)
from ..dsp.callerid import build_mdmf, encode
from ..dsp.specs import SPECIAL_TONES, ToneProfile, ToneSpec, get_profile
from ..events import Scheduler
from .parties import Callee, Caller
from .voices import speech

log = logging.getLogger("boardlib.emulator")
SAMPLE_RATE = 8000
_INTERDIGIT = int(2.0 * SAMPLE_RATE)  # end of dialling: this long after the last digit


@dataclass
class TimelineEntry:
    """One thing that happened on a line, for the scenario's timeline."""

    sample: int
    line: int
    what: str
    detail: str = ""

    @property
    def seconds(self) -> float:
        return self.sample / SAMPLE_RATE


@dataclass
class LineState:
    index: int
    state: str = "idle"  # idle, ringing, talking, dialtone, dialling, routed, cleared
    caller: Caller | None = None
    callee: Callee | None = None
    call_id: int = 0
    rings: int = 0
    dialled: str = ""
    detector: Any = None
    last_digit: int = 0
    offhook: bool = False
    pending: list[int] = field(default_factory=list)  # scheduled actions to cancel
    heard: str = ""  # DTMF the far party heard from the board (when listening)


class Exchange:
    """Scripted far ends of the emulated board's analog lines.

    Parameters
    ----------
    line_side:
        The emulated board's line-side functions (``EmuLineSide``).
    lines:
        How many analog lines (the first channels of the board).
    law:
        The board's codec (``alaw``, ``ulaw`` or ``slin``).
    profile:
        Tone profile of the exchange (ring cadence, dial/busy/ringback tones).
    disconnect:
        How a far-end clear shows on the line: ``"loop"`` (loop-current drop),
        ``"busy"`` (busy tone only, as many Chinese exchanges do), or ``"both"``.
    """

    def __init__(
        self,
        line_side: Any,
        lines: int,
        *,
        law: str = "alaw",
        profile: str | ToneProfile = "cn",
        disconnect: str = "both",
        seed: int = 0,
        espeak: bool = False,
    ) -> None:
        self.side = line_side
        self.law = law
        self.profile = get_profile(profile)
        self.disconnect = disconnect
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.espeak = espeak
        self.lines = [LineState(i) for i in range(lines)]
        self.callees: dict[str, Callee] = {}
        self.timeline: list[TimelineEntry] = []
        self.now = 0
        self._sched = Scheduler()
        self._calls = itertools.count(1)
        self._listening: set[int] = set()
        self._tone_cache: dict[str, np.ndarray] = {}
        self._speech_cache: dict[tuple[int, int], np.ndarray] = {}
        self.results: dict[int, dict[str, Any]] = {}
        #: Lines whose exchange gives no dial tone (a dead or faulty line).
        self.no_dial_tone: set[int] = set()
        #: The far end of the E1 spans (``emulator.span.R2Span``), when the board has spans.
        self.span: Any = None
        #: The phones on the station ports (``emulator.stations.Stations``), when the board
        #: has station ports.
        self.stations: Any = None

    # ------------------------------------------------------------------ scripting API
    def add_callee(self, callee: Callee) -> None:
        """Make ``callee.number`` reachable when the board dials it."""
        self.callees[callee.number] = callee

    def place_call(self, caller: Caller) -> None:
        """Schedule ``caller`` to call the board at ``caller.at`` media seconds."""
        when = max(self.now, int(round(caller.at * SAMPLE_RATE)))
        self._at(when, lambda: self._start_inbound(caller))

    def listen(self, line: int) -> None:
        """Let the far party on ``line`` detect the DTMF the board sends it (``heard``)."""
        ln = self.lines[line]
        ln.detector = DtmfDetector()
        self.side.monitor(line, True)
        self._listening.add(line)

    def hang_up(self, line: int) -> None:
        """The far party on ``line`` hangs up now (loop drop and/or busy tone)."""
        ln = self.lines[line]
        if ln.state != "idle":
            self._far_clear(ln)

    def heard(self, line: int) -> str:
        """DTMF digits the far party on ``line`` has heard since :meth:`listen`."""
        return self.lines[line].heard

    def log(self, line: int, what: str, detail: str = "") -> None:
        self.timeline.append(TimelineEntry(self.now, line, what, detail))
        log.debug("line %d %.2f s %s %s", line, self.now / SAMPLE_RATE, what, detail)

    # ------------------------------------------------------------------ tick
    def step(self, now: int) -> None:
        """Act at the start of the tick beginning at board sample ``now``."""
        self.now = now
        while True:
            ev = self.side.next_event()
            if ev is None:
                break
            self._on_board(ev)
        if self._listening:
            self._listen()
        self._sched.run_due(now)
        if self.span is not None:
            self.span.step(now)
        if self.stations is not None:
            self.stations.step(now)

    def _at(self, sample: int, cb: Callable[[], None], line: LineState | None = None) -> int:
        handle = self._sched.at(sample, cb)
        if line is not None:
            line.pending.append(handle)
        return handle

    def _cancel_line(self, ln: LineState) -> None:
        self._sched.cancel_all(ln.pending)
        ln.pending.clear()

    @property
    def idle(self) -> bool:
        """True when nothing more is scheduled on the exchange."""
        return not self._sched

    # ------------------------------------------------------------------ audio helpers
    def _codes(self, pcm: np.ndarray) -> np.ndarray:
        if self.law == "alaw":
            return alaw_encode(pcm)
        if self.law == "ulaw":
            return ulaw_encode(pcm)
        return pcm

    def _pcm(self, codes: np.ndarray) -> np.ndarray:
        if self.law == "alaw":
            return alaw_decode(codes)
        if self.law == "ulaw":
            return ulaw_decode(codes)
        return codes

    def send(self, ln: LineState, pcm: np.ndarray) -> None:
        """Queue audio from the far end toward the board on ``ln``."""
        if len(pcm):
            self.side.send(ln.index, self._codes(pcm))

    def _tone(self, name: str) -> np.ndarray:
        """One loopable period of a profile tone (1 s of a continuous one)."""
        if name not in self._tone_cache:
            spec = self.profile[name] if name in self.profile else SPECIAL_TONES[name]
            period = spec.period_ms
            n = SAMPLE_RATE if period is None else int(round(period * SAMPLE_RATE / 1000))
            gen = ToneGenerator(ToneSpec(spec.name, spec.steps, None))
            pcm = gen.generate(n)
            self._tone_cache[name] = self._codes(pcm)
        return self._tone_cache[name]

    def _loop_tone(self, ln: LineState, name: str | None) -> None:
        if name is None:
            self.side.set_loop(ln.index, np.zeros(0, self._tone("dial").dtype))
        else:
            self.side.set_loop(ln.index, self._tone(name))

    def _finite(self, spec: ToneSpec, seconds: float | None = None) -> np.ndarray:
        gen = ToneGenerator(spec)
        n = int((seconds if seconds is not None else (spec.period_ms or 1000) / 1000) * SAMPLE_RATE)
        return gen.generate(n)

    def _speech(self, seconds: float, text: str | None = None) -> np.ndarray:
        key = (int(seconds * 10), int(self.rng.integers(0, 4)))
        if key not in self._speech_cache:
            self._speech_cache[key] = speech(
                seconds, seed=self.seed * 31 + key[1], text=text, use_espeak=self.espeak
            )
        return self._speech_cache[key]

    @staticmethod
    def _dtmf(keys: str) -> np.ndarray:
        return DtmfGenerator(level_dbm0=-8.0, on_ms=100.0, off_ms=100.0).render(keys)

    # ------------------------------------------------------------------ inbound
    def _free_line(self, wanted: int | None) -> LineState | None:
        if wanted is not None:
            if not 0 <= wanted < len(self.lines):
                return None
            ln = self.lines[wanted]
            return ln if ln.state == "idle" and not ln.offhook else None
        for ln in self.lines:
            if ln.state == "idle" and not ln.offhook:
                return ln
        return None

    def _start_inbound(self, caller: Caller) -> None:
        ln = self._free_line(caller.line)
        call_id = next(self._calls)
        self.results[call_id] = {
            "caller": caller.label,
            "number": caller.number,
            "cid": caller.cid,
            "line": None,
            "outcome": "pending",
            "pressed": "",
            "start": self.now,
        }
        if ln is None:
            self.results[call_id]["outcome"] = "all_lines_busy"
            self.log(-1, "blocked", f"{caller.label}: no free line")
            return
        ln.state, ln.caller, ln.call_id, ln.rings = "ringing", caller, call_id, 0
        self.results[call_id]["line"] = ln.index
        self.log(ln.index, "call", f"from {caller.number or 'withheld'} ({caller.cid} caller ID)")
        start = self.now
        if caller.cid == "dtmf":
            text = "A" + caller.number + "C" if caller.number else "D3C"
            pcm = encode(text, "dtmf", level_dbm0=-8.0)
            self.send(ln, pcm)
            self.log(ln.index, "caller_id", f"DTMF {text}")
            start += len(pcm) + int(0.4 * SAMPLE_RATE)
        self._at(start, lambda: self._ring(ln, call_id), ln)

    def _ring(self, ln: LineState, call_id: int) -> None:
        if ln.call_id != call_id or ln.state != "ringing":
            return
        caller = ln.caller
        assert caller is not None
        if ln.rings >= caller.max_rings:
            self.log(ln.index, "abandon", f"after {ln.rings} rings")
            self.results[call_id]["outcome"] = "abandoned"
            self._idle(ln)
            return
        cadence = self.profile.ring_cadence_ms
        t = self.now
        for on, off in cadence:
            on_s, off_s = int(on * SAMPLE_RATE / 1000), int(off * SAMPLE_RATE / 1000)
            self._at(t, lambda: self.side.signal(ln.index, EventType.RING_ON, 0), ln)
            self._at(t + on_s, lambda: self.side.signal(ln.index, EventType.RING_OFF, 0), ln)
            t += on_s + off_s
        ln.rings += 1
        self.log(ln.index, "ring", str(ln.rings))
        if ln.rings == 1 and caller.cid == "fsk":
            first_on = int(cadence[0][0] * SAMPLE_RATE / 1000)
            self._at(self.now + first_on + int(0.5 * SAMPLE_RATE), lambda: self._send_fsk(ln), ln)
        self._at(t, lambda: self._ring(ln, call_id), ln)

    def _send_fsk(self, ln: LineState) -> None:
        caller = ln.caller
        if caller is None or ln.state != "ringing":
            return
        import datetime as _dt

        when = _dt.datetime(2026, 1, 1) + _dt.timedelta(seconds=self.now / SAMPLE_RATE)
        msg = build_mdmf(
            number=caller.number,
            name=caller.name,
            month=when.month,
            day=when.day,
            hour=when.hour,
            minute=when.minute,
            absence_number=None if caller.number else "private",
            absence_name=None if caller.name else ("out_of_area" if caller.number else "private"),
        )
        self.send(ln, encode(msg, caller.cid_standard))
        self.log(
            ln.index,
            "caller_id",
            f"FSK {caller.cid_standard} MDMF {caller.number} {caller.name or ''}",
        )

    def _answered_inbound(self, ln: LineState) -> None:
        self._cancel_line(ln)
        self.side.clear(ln.index)
        self.side.signal(ln.index, EventType.RING_OFF, 0)
        ln.state = "talking"
        self.results[ln.call_id]["outcome"] = "answered"
        self.results[ln.call_id]["answered"] = self.now
        self.log(ln.index, "answer", f"after {ln.rings} rings")
        assert ln.caller is not None
        self._run_script(ln, ln.caller.steps, self.now)

    def _run_script(self, ln: LineState, steps: list[tuple[str, object]], start: int) -> None:
        t = start
        for verb, arg in steps:
            if verb == "wait":
                t += int(float(arg) * SAMPLE_RATE)  # type: ignore[arg-type]
            elif verb == "press":
                keys = str(arg)
                pcm = self._dtmf(keys)
                self._at(t, partial(self._press, ln, keys, pcm), ln)
                t += len(pcm)
            elif verb == "say":
                pcm = self._speech(float(arg))  # type: ignore[arg-type]
                self._at(t, partial(self.send, ln, pcm), ln)
                t += len(pcm)
            elif verb == "hangup":
                self._at(t, lambda: self._far_clear(ln), ln)
                return

    def _press(self, ln: LineState, keys: str, pcm: np.ndarray) -> None:
        self.send(ln, pcm)
        if ln.call_id in self.results:
            self.results[ln.call_id]["pressed"] += keys
        self.log(ln.index, "press", keys)

    def _far_clear(self, ln: LineState) -> None:
        """The far party hangs up: loop-current drop and/or busy tone, as configured."""
        self._cancel_line(ln)
        self.side.clear(ln.index)
        ln.state = "cleared"
        if ln.call_id in self.results:
            self.results[ln.call_id]["outcome"] = "caller_hung_up"
            self.results[ln.call_id]["end"] = self.now
        self.log(ln.index, "far_clear", self.disconnect)
        if self.disconnect in ("loop", "both"):
            self.side.signal(ln.index, EventType.LOOP_DROP, 0)
        if self.disconnect in ("busy", "both"):
            self._loop_tone(ln, "busy")

    def _idle(self, ln: LineState) -> None:
        self._cancel_line(ln)
        self.side.clear(ln.index)
        self._loop_tone(ln, None)
        self._listening.discard(ln.index)
        self.side.monitor(ln.index, False)
        ln.state, ln.caller, ln.callee, ln.dialled, ln.detector = "idle", None, None, "", None

    # ------------------------------------------------------------------ board actions
    def _on_board(self, ev: Any) -> None:
        if self.span is not None and self.span.on_board(ev):
            return
        if self.stations is not None and self.stations.on_board(ev):
            return
        if not 0 <= ev.channel < len(self.lines):
            return
        ln = self.lines[ev.channel]
        if ev.type == EventType.OFFHOOK:
            ln.offhook = True
            if ln.state == "ringing":
                self._answered_inbound(ln)
            elif ln.state == "idle":
                self._seized(ln)
        elif ev.type == EventType.ONHOOK:
            ln.offhook = False
            if ln.state != "idle":
                if ln.call_id in self.results and self.results[ln.call_id].get("outcome") in (
                    "answered",
                    "pending",
                    "connected",
                ):
                    self.results[ln.call_id]["outcome"] = (
                        "board_hung_up"
                        if self.results[ln.call_id]["outcome"] != "pending"
                        else "pending"
                    )
                    self.results[ln.call_id]["end"] = self.now
                self.log(ln.index, "board_onhook")
                self._idle(ln)
        elif ev.type == EventType.FLASH:
            self.log(ln.index, "flash", f"{ev.value} ms")

    # ------------------------------------------------------------------ outbound
    def _seized(self, ln: LineState) -> None:
        ln.state = "dialtone"
        ln.call_id = next(self._calls)
        self.results[ln.call_id] = {
            "caller": "board",
            "line": ln.index,
            "outcome": "dialling",
            "start": self.now,
        }
        self.log(ln.index, "seize")
        if ln.index not in self.no_dial_tone:
            self._loop_tone(ln, "dial")
        ln.detector = DtmfDetector()
        self.side.monitor(ln.index, True)
        self._listening.add(ln.index)

    def _listen(self) -> None:
        for idx in tuple(self._listening):
            ln = self.lines[idx]
            codes = self.side.receive(idx, 8192)
            if ln.detector is None:
                continue
            pcm = self._pcm(codes)
            for d in ln.detector.process(pcm):
                if ln.state not in ("dialtone", "dialling"):
                    ln.heard += d.digit
                    continue
                if ln.state == "dialtone":
                    self._loop_tone(ln, None)
                    ln.state = "dialling"
                ln.dialled += d.digit
                ln.last_digit = self.now
                if ln.dialled in self.callees:
                    self._route(ln)
                    break
            if ln.state == "dialling" and self.now - ln.last_digit >= _INTERDIGIT:
                self._route(ln)

    def _route(self, ln: LineState) -> None:
        self._listening.discard(ln.index)
        self.side.monitor(ln.index, False)
        ln.detector = None
        number = ln.dialled
        callee = self.callees.get(number) or Callee(number or "0", "vacant")
        ln.callee, ln.state = callee, "routed"
        self.results[ln.call_id].update(number=number, behaviour=callee.behaviour)
        self.log(ln.index, "dialled", f"{number} -> {callee.behaviour}")
        b = callee.behaviour
        t = self.now + int(0.3 * SAMPLE_RATE)
        if b == "busy":
            self._at(t, lambda: self._loop_tone(ln, "busy"), ln)
        elif b == "congestion":
            self._at(t, lambda: self._loop_tone(ln, "congestion"), ln)
        elif b == "vacant":
            sit = self._finite(SPECIAL_TONES["sit"], 2.0)
            self._at(t, lambda: self.send(ln, np.concatenate([sit, sit, sit])), ln)
        elif b == "no_answer":
            self._at(t, lambda: self._loop_tone(ln, "ringback"), ln)
        else:
            self._at(t, lambda: self._loop_tone(ln, "ringback"), ln)
            ring_period = sum(on + off for on, off in self.profile.ring_cadence_ms)
            if "ringback" in self.profile and self.profile["ringback"].period_ms:
                ring_period = self.profile["ringback"].period_ms or ring_period
            answer_at = (
                t
                + int(max(callee.rings, 0) * ring_period * SAMPLE_RATE / 1000)
                + int(0.5 * SAMPLE_RATE)
            )
            self._at(answer_at, lambda: self._callee_answers(ln), ln)

    def _callee_answers(self, ln: LineState) -> None:
        callee = ln.callee
        assert callee is not None
        self._loop_tone(ln, None)
        self.side.clear(ln.index)
        ln.state = "talking"
        self.results[ln.call_id]["outcome"] = "connected"
        self.results[ln.call_id]["answered"] = self.now
        self.log(ln.index, "far_answer", callee.behaviour)
        self.side.signal(ln.index, EventType.POLARITY, 1)
        b = callee.behaviour
        t = self.now + int(0.2 * SAMPLE_RATE)
        if b == "human":
            hello = self._speech(0.6, "hello?")
            self._at(t, lambda: self.send(ln, hello), ln)
            t += len(hello)
        elif b == "machine":
            greeting = self._speech(
                callee.greeting_seconds,
                "Hello, you have reached the Zhang family. Please leave a message after the tone.",
            )
            beep = self._finite(ToneSpec.continuous("beep", [1000], -10.0), 0.5)
            silence = np.zeros(int(0.3 * SAMPLE_RATE), np.int16)
            self._at(t, lambda: self.send(ln, np.concatenate([greeting, silence, beep])), ln)
            t += len(greeting) + len(silence) + len(beep)
        elif b == "fax":
            ced = self._finite(SPECIAL_TONES["ced"], 3.5)
            self._at(t, lambda: self.send(ln, ced), ln)
            t += len(ced)
        elif b == "modem":
            ans = self._finite(SPECIAL_TONES["ansam"], 5.0)
            self._at(t, lambda: self.send(ln, ans), ln)
            t += len(ans)
        if callee.steps:
            self._run_script(ln, callee.steps, t)
        elif callee.hangup_after is not None:
            self._at(
                self.now + int(callee.hangup_after * SAMPLE_RATE), lambda: self._far_clear(ln), ln
            )
