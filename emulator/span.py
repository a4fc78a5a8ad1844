"""The far end of the emulated board's E1 spans: an exchange speaking MFC-R2.

Every E1 timeslot of ``emu://?spans=N`` has an R2 register at the exchange end, run by the
same protocol core as the board (:mod:`boardlib.r2.protocol`) but with everything crossing
the emulated line for real: ABCD bits as line-side ``CAS`` signals and board ``CAS`` events,
register signals as MF audio in the board's codec, generated and detected with
:mod:`boardlib.dsp`. The exchange end wins glare (it never yields).

Scripting (``board.driver.span``):

* :meth:`R2Span.place_call` -- the exchange seizes a timeslot and offers a call with a
  scripted calling number, called number and category; once answered it clears after
  ``hold`` seconds (or waits for the board to clear);
* :meth:`R2Span.add_callee` -- how the exchange treats a number the board dials:
  ``answer`` (free, answers after ``answer_after`` s), ``busy``, ``vacant``, ``congestion``,
  ``out_of_order`` or ``no_answer``; unknown numbers get :attr:`R2Span.default_outcome`;
* :meth:`R2Span.set_alarm` -- raise or clear span alarms (LOS, AIS, RAI...) mid-call.

``R2Span.calls`` records every call: direction, channel, numbers, outcome, the samples of
seizure, offer/accept, answer and end, and the Q.850 cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from ..drivers.base import Alarm, EventType
from ..dsp import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from ..events import Scheduler
from ..r2.protocol import (
    Accepted,
    Answered,
    Blocked,
    Cleared,
    Idle,
    Offered,
    R2Machine,
    R2Variant,
    get_variant,
)
from ..r2.register import R2Register

__all__ = ["R2Span", "SpanCall", "SpanCallee", "OUTCOMES"]

log = logging.getLogger("boardlib.emulator.span")
SAMPLE_RATE = 8000
#: What the exchange does with a number the board dials.
OUTCOMES = ("answer", "busy", "vacant", "congestion", "out_of_order", "no_answer")
_B_MEANING = {"answer": "accept_charge", "no_answer": "accept_charge", "busy": "busy",
              "vacant": "unallocated", "congestion": "congestion",
              "out_of_order": "out_of_order"}


@dataclass
class SpanCallee:
    """A number reachable through the span and what happens when the board dials it."""

    number: str
    outcome: str = "answer"
    answer_after: float = 1.0
    hold: float | None = None  #: clear back after this long answered (None: wait for the board)


@dataclass
class SpanCall:
    """One call through the span, as the exchange saw it."""

    direction: str  # "in" (exchange -> board) or "out" (board -> exchange)
    channel: int
    ani: str | None = None
    dnis: str = ""
    category: int | None = None
    outcome: str = "pending"
    cause: Any = None
    seized: int = 0
    accepted: int | None = None
    answered: int | None = None
    ended: int | None = None
    hold: float | None = None
    events: list[str] = field(default_factory=list)


class _Chan(R2Register):
    """The exchange's register on one timeslot; its surroundings are the span."""

    def __init__(self, span: R2Span, index: int, variant: R2Variant) -> None:
        self.index = index
        self.span = span
        super().__init__(R2Machine(
            variant, max_dnis=80, yield_on_glare=False,
            decide=lambda dnis, ani, cat: span._decide(self, dnis, ani, cat),
            dnis_complete=span._dnis_complete))
        self.call: SpanCall | None = None
        self.pending: list[int] = []
        self.monitoring = False

    def _set_cas(self, bits: int) -> None:
        span = self.span
        span.side.signal(self.index, EventType.CAS, bits)
        if self.machine.state != "idle":
            span._set_monitor(self, True)
            span._active.add(self)

    def _tone_started(self) -> None:
        self.span._active.add(self)

    def _now(self) -> int:
        return self.span.now

    def _schedule(self, sample: int, callback: Callable[[], None]) -> int:
        return self.span._at(sample, callback)

    def _cancel(self, handle: Any) -> None:
        self.span._sched.cancel(handle)

    def _call_event(self, ev: Any) -> None:
        self.span._event(self, ev)


class R2Span:
    """The exchange end of every E1 timeslot of the emulated board.

    Parameters
    ----------
    line_side:
        The emulated board's line side (``EmuLineSide``).
    first:
        Index of the first E1 channel (the analog lines come before).
    spans:
        Number of spans (30 timeslots each).
    law:
        The board's codec.
    variant:
        R2 variant of the exchange (default ``"CN"``).
    """

    def __init__(self, line_side: Any, first: int, spans: int, *, law: str = "alaw",
                 variant: str | R2Variant = "CN") -> None:
        self.side = line_side
        self.first = first
        self.spans = spans
        self.law = law
        self.variant = get_variant(variant)
        self.now = 0
        self.chans = [_Chan(self, first + i, self.variant) for i in range(30 * spans)]
        self.callees: dict[str, SpanCallee] = {}
        #: Outcome for numbers without a callee.
        self.default_outcome = "answer"
        self.calls: list[SpanCall] = []
        self.alarms = [0] * (spans + 1)
        self._sched = Scheduler()
        self._active: set[_Chan] = set()  # channels with tones, monitoring or a call
        self._deciding: _Chan | None = None
        self._frame = np.zeros(160, np.int16)
        self._captures: dict[int, list[np.ndarray]] = {}
        self._events: list[tuple[_Chan, int]] = []
        self._external: dict[int, Any] = {}  # board channel -> external far end
        self._ext_rx: dict[int, int] = {}
        self._ext_tx: dict[int, int] = {}
        for ch in self.chans:
            ch._apply(ch.machine.start())

    # ------------------------------------------------------------------ scripting
    def add_callee(self, number: str, outcome: str = "answer", *, answer_after: float = 1.0,
                   hold: float | None = None) -> SpanCallee:
        """Make the board's calls to ``number`` end in ``outcome`` (see :data:`OUTCOMES`)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        callee = SpanCallee(number, outcome, answer_after, hold)
        self.callees[number] = callee
        return callee

    def place_call(self, ani: str | None = "13800138000", dnis: str = "8001", *,
                   category: int = 1, at: float = 0.0, channel: int | None = None,
                   hold: float | None = None) -> SpanCall:
        """Offer a call to the board at ``at`` media seconds on ``channel`` (board channel
        index; default the first idle timeslot). Once answered the caller clears forward
        after ``hold`` seconds (None: it stays until the board clears back)."""
        call = SpanCall("in", -1, ani, dnis, category, hold=hold)
        when = max(self.now, int(round(at * SAMPLE_RATE)))
        self._at(when, lambda: self._seize(call, channel))
        return call

    def hangup(self, channel: int) -> None:
        """The exchange clears the call on board channel ``channel`` now."""
        ch = self.chans[channel - self.first]
        ch._apply(ch.machine.hangup())

    def set_alarm(self, span: int, bits: Alarm | int) -> None:
        """Raise (or clear with 0) alarms on span ``span`` (1-based) toward the board; the
        exchange's own registers on that span drop their calls too."""
        bits = int(bits)
        self.side.set_alarm(span, bits)
        down = bool(bits & (Alarm.LOS | Alarm.AIS | Alarm.LOF | Alarm.RAI))
        self.alarms[span] = bits
        for ch in self.chans[30 * (span - 1): 30 * span]:
            ch._apply(ch.machine.alarm(down))

    def attach(self, channel: int, peer: Any) -> None:
        """Let an external far end own board channel ``channel`` instead of the exchange's
        register. Every tick ``peer.exchange(rx_abcd, codes) -> (tx_abcd, codes)`` gets the
        board's ABCD bits and the frame the board sent (board codec) and returns its own."""
        ch = self.chans[channel - self.first]
        if ch.machine.state != "idle":
            raise ValueError(f"channel {channel} is busy ({ch.machine.state})")
        self._external[channel] = peer
        self._ext_rx[channel] = ch.machine.tx_bits  # as if the board sent idle
        self._ext_tx[channel] = -1
        self.side.monitor(channel, True)

    def capture(self, channel: int) -> None:
        """Keep the audio the exchange hears from the board on ``channel`` while a call is
        up (register signals included); read it with :meth:`captured`."""
        self._captures.setdefault(channel, [])

    def captured(self, channel: int) -> np.ndarray:
        """Linear audio heard on ``channel`` since :meth:`capture` (int16)."""
        parts = self._captures.get(channel, [])
        return self._decode(np.concatenate(parts)) if parts else np.zeros(0, np.int16)

    def channel_state(self, channel: int) -> str:
        """The exchange register's state on board channel ``channel``."""
        return self.chans[channel - self.first].machine.state

    # ------------------------------------------------------------------ tick
    def step(self, now: int) -> None:
        """Act at the start of the tick beginning at board sample ``now`` (after the board's
        line events were delivered with :meth:`on_board`)."""
        self.now = now
        self._sched.run_due(now)
        # the board's line signals of this tick, after the exchange's own scheduled actions:
        # a seizure from both ends in the same tick is a glare
        events, self._events = self._events, []
        for ch, bits in events:
            ch._apply(ch.machine.on_cas(bits))
        for ch in tuple(self._active):
            self._media(ch)
        for index, peer in self._external.items():
            self._external_tick(index, peer)

    def _external_tick(self, index: int, peer: Any) -> None:
        codes = self.side.receive(index, 160)
        if len(codes) < 160:
            fill = np.full(160 - len(codes), 0xD5 if self.law == "alaw" else 0xFF, codes.dtype)
            codes = np.concatenate([codes, fill]) if self.law != "slin" else \
                np.concatenate([codes, np.zeros(160 - len(codes), np.int16)])
        tx, out = peer.exchange(self._ext_rx[index], codes)
        if tx != self._ext_tx[index]:
            self._ext_tx[index] = tx
            self.side.signal(index, EventType.CAS, tx)
        self.side.send(index, out)

    def on_board(self, ev: Any) -> bool:
        """A line event from the board; True when it was for an E1 channel."""
        i = ev.channel - self.first
        if not 0 <= i < len(self.chans):
            return False
        if ev.type == EventType.CAS:
            if ev.channel in self._external:
                self._ext_rx[ev.channel] = ev.value
            else:
                self._events.append((self.chans[i], ev.value))
        return True

    def _media(self, ch: _Chan) -> None:
        m = ch.machine
        if ch.monitoring:
            codes = self.side.receive(ch.index, 8192)
            if ch.index in self._captures:
                self._captures[ch.index].append(codes)
            if m.in_mf and len(codes):
                ch._hear(self._decode(codes))
        sending = ch._sending()
        if sending:
            frame = self._frame
            frame.fill(0)
            for g in sending:
                part = g.generate(len(frame))
                frame[: len(part)] += part
            self.side.send(ch.index, self._encode(frame))
        if m.state == "idle" and not sending:
            self._set_monitor(ch, False)
            self._active.discard(ch)

    def _set_monitor(self, ch: _Chan, on: bool) -> None:
        if ch.monitoring != on:
            self.side.monitor(ch.index, on)
            ch.monitoring = on
            if not on:
                ch._reset_detectors()

    def _encode(self, pcm: np.ndarray) -> np.ndarray:
        if self.law == "alaw":
            return alaw_encode(pcm)
        if self.law == "ulaw":
            return ulaw_encode(pcm)
        return pcm.copy()

    def _decode(self, codes: np.ndarray) -> np.ndarray:
        if self.law == "alaw":
            return alaw_decode(codes)
        if self.law == "ulaw":
            return ulaw_decode(codes)
        return codes

    def _at(self, sample: int, cb: Callable[[], None]) -> int:
        return self._sched.at(sample, cb)

    # ------------------------------------------------------------------ calls
    def _seize(self, call: SpanCall, channel: int | None) -> None:
        if channel is not None:
            cands = [self.chans[channel - self.first]]
        else:
            cands = [c for c in self.chans if c.machine.state == "idle" and c.call is None
                     and c.index not in self._external]
        ch = next((c for c in cands if c.machine.state == "idle"), None)
        if ch is None:
            call.outcome = "no_circuit"
            self.calls.append(call)
            return
        call.channel = ch.index
        call.seized = self.now
        ch.call = call
        self.calls.append(call)
        ch._apply(ch.machine.make_call(call.dnis, call.ani, call.category or 1))

    def _dnis_complete(self, dnis: str) -> bool:
        return dnis in self.callees

    def _decide(self, ch: _Chan, dnis: str, ani: str, category: int | None) -> str:
        """The board called ``dnis``: record the call and pick the Group B answer."""
        callee = self.callees.get(dnis)
        outcome = callee.outcome if callee else self.default_outcome
        ch.call = SpanCall("out", ch.index, ani or None, dnis, category,
                           outcome="ringing" if outcome in ("answer", "no_answer") else outcome,
                           seized=self.now, accepted=self.now,
                           hold=callee.hold if callee else None)
        self.calls.append(ch.call)
        ch.call.events.append(outcome)
        return _B_MEANING[outcome]

    def _event(self, ch: _Chan, ev: Any) -> None:
        call = ch.call
        if isinstance(ev, Offered) and call is not None:  # the board called us: accepted
            callee = self.callees.get(ev.dnis)
            outcome = callee.outcome if callee else self.default_outcome
            if outcome == "answer":
                delay = callee.answer_after if callee else 1.0
                self._at(self.now + int(delay * SAMPLE_RATE), partial(self._answer, ch, call))
        elif isinstance(ev, Accepted) and call is not None:
            call.accepted = self.now
            call.outcome = "ringing"
        elif isinstance(ev, Answered) and call is not None:
            call.answered = self.now
            call.outcome = "answered"
            if call.hold is not None:
                self._at(self.now + int(call.hold * SAMPLE_RATE),
                         partial(self._hold_over, ch, call))
        elif isinstance(ev, Cleared):
            if call is not None and call.ended is None:
                call.ended = self.now
                call.cause = ev.cause
                if call.outcome in ("pending", "ringing", "answered"):
                    call.outcome = "cleared" if call.answered is not None else ev.reason
                call.events.append(ev.reason)
            if call is not None and call.direction == "in" and ev.reason != "local hangup":
                # the board cleared back (or failed): clear forward
                ch._apply(ch.machine.hangup())
        elif isinstance(ev, Idle):
            if call is not None and call.ended is None:
                call.ended = self.now  # a rejected call ends when the board clears forward
            ch.call = None
        elif isinstance(ev, Blocked):
            pass

    def _hold_over(self, ch: _Chan, call: SpanCall) -> None:
        """The callee's hold time is over: clear, unless the call has ended meanwhile."""
        if ch.call is call:
            self.hangup(ch.index)

    def _answer(self, ch: _Chan, call: SpanCall) -> None:
        if ch.call is call and ch.machine.state == "offered":
            ch._apply(ch.machine.answer())
