"""MFC-R2 (China No.1 by default) signalling for E1 channels.

:class:`R2Signalling` is the board's :class:`~boardlib.board.LineSignalling` engine for E1
timeslots: the board creates one per E1 channel. It runs the protocol core of
:mod:`boardlib.r2.protocol` on the channel: ABCD bits through the driver's ``SET_CAS``
command and ``CAS`` events, MF register signals as real audio with
:class:`~boardlib.dsp.R2ToneGenerator` and :class:`~boardlib.dsp.R2ToneDetector`, timers on
the board's sample clock.

For the application an E1 channel behaves like any other:

* ``await board.wait_for_call()`` returns calls with ``number`` (the calling number, ANI),
  ``dnis`` and ``data["category"]`` (the calling-party category, Group II signal number);
* ``await channel.dial("12345", ani="13800138000", category=1)`` seizes the timeslot, runs
  the compelled register signalling and returns a :class:`~boardlib.board.DialResult` whose
  ``result`` is a :class:`~boardlib.dsp.progress.CallResult` (answered, busy, congestion,
  no answer, SIT for an unallocated number) and whose ``evidence`` is the protocol's last
  word (an :class:`~boardlib.r2.protocol.Answered` or :class:`~boardlib.r2.protocol.Cleared`
  with its Q.850 cause);
* ``channel.hangup()`` clears forward on an outbound call and clears back on an inbound one.

Span alarms (LOS, AIS, LOF, RAI) end the calls of the span with
``HangupCause.NETWORK_OUT_OF_ORDER`` and keep its channels :attr:`ChannelState.BLOCKED`
until the alarm clears.

The variant is :data:`DEFAULT_VARIANT` (``"CN"``) unless the board's driver names one in an
``r2_variant`` attribute; :data:`DEFAULT_MAX_DNIS` is how many called digits an inbound call
collects before asking for the caller (fewer arrive when the far end stops sending).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..drivers.base import Alarm, Command, DriverEvent, EventType
from ..errors import ChannelStateError, SignalFormatError
from ..states import ChannelState, HangupCause
from .protocol import (
    VARIANTS,
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
from .register import MF_LEVEL_DBM0, R2Register

if TYPE_CHECKING:
    from ..board import Channel, DialResult

__all__ = ["R2Signalling", "DEFAULT_VARIANT", "DEFAULT_MAX_DNIS", "VARIANTS", "R2Variant",
           "R2Machine", "get_variant"]

log = logging.getLogger("boardlib.r2")

#: Variant used when the board does not name one.
DEFAULT_VARIANT = "CN"
#: Called-number digits an inbound call collects at most.
DEFAULT_MAX_DNIS = 20
_SERVICE_ALARMS = Alarm.LOS | Alarm.AIS | Alarm.LOF | Alarm.RAI

_RESULT_OF_CAUSE = {
    HangupCause.USER_BUSY: "BUSY",
    HangupCause.NO_ANSWER: "NO_ANSWER",
    HangupCause.UNALLOCATED_NUMBER: "SIT",
    HangupCause.DESTINATION_OUT_OF_ORDER: "SIT",
    HangupCause.NORMAL_UNSPECIFIED: "SIT",
}


class R2Signalling(R2Register):
    """The MFC-R2 engine of one E1 channel (see the module docstring).

    Parameters
    ----------
    channel:
        The board's E1 channel.
    variant:
        Variant name or :class:`R2Variant` (default: the driver's ``r2_variant``, else
        :data:`DEFAULT_VARIANT`).
    max_dnis:
        Called digits an inbound call collects at most (default :data:`DEFAULT_MAX_DNIS`).
    """

    def __init__(self, channel: Channel, variant: str | R2Variant | None = None,
                 max_dnis: int | None = None) -> None:
        self.channel = channel
        self.board = channel.board
        chosen = variant or getattr(self.board.driver, "r2_variant", None) or DEFAULT_VARIANT
        self.variant = get_variant(chosen)
        super().__init__(R2Machine(self.variant, max_dnis=max_dnis or DEFAULT_MAX_DNIS,
                                   yield_on_glare=True), MF_LEVEL_DBM0)
        self._scratch = np.zeros(160, np.int16)
        self._dial: asyncio.Future[Any] | None = None
        self._dial_start = 0
        self._idle: asyncio.Future[None] | None = None
        self._alarm = False
        self.last: Any = None  #: the last call event (Offered, Answered, Cleared ...)
        self._apply(self.machine.start())

    def __repr__(self) -> str:
        return f"<R2Signalling ch={self.channel.index} {self.variant.name} {self.machine.state}>"

    # ------------------------------------------------------------------ media hooks
    @property
    def rx(self) -> bool:
        return self.machine.in_mf

    @property
    def tx(self) -> bool:
        return self._gen["forward"].busy or self._gen["backward"].busy

    def on_rx(self, pcm: np.ndarray, sample: int) -> None:
        if self.machine.in_mf:
            self._hear(pcm)

    def fill(self, out: np.ndarray) -> None:
        for gen in self._gen.values():
            if gen.busy:
                if len(self._scratch) < len(out):
                    self._scratch = np.zeros(len(out), np.int16)
                s = self._scratch[: len(out)]
                s.fill(0)
                gen.generate_into(s)
                acc = out.astype(np.int32) + s
                np.clip(acc, -32768, 32767, out=acc)
                out[:] = acc

    def on_event(self, ev: DriverEvent) -> None:
        if ev.type == EventType.CAS:
            self._apply(self.machine.on_cas(ev.value))
        elif ev.type == EventType.ALARM:
            self._on_alarm()

    @property
    def out_of_service(self) -> bool:
        """True while the channel cannot carry calls (span alarm, or blocked by the far end)."""
        return self._alarm or self.machine.state in ("blocked", "alarm")

    def _on_alarm(self) -> None:
        try:
            bits = Alarm(self.board.driver._get_alarms(self.channel.info.span))
        except Exception as exc:  # a driver without per-span alarms: trust the event
            log.debug("channel %d: alarm query failed: %r", self.channel.index, exc)
            return
        down = bool(bits & _SERVICE_ALARMS)
        if down == self._alarm:
            return
        self._alarm = down
        log.info("channel %d: span alarm %s", self.channel.index, bits.name if down else "cleared")
        self._apply(self.machine.alarm(down))
        ch = self.channel
        if down and ch.state is ChannelState.IDLE:
            ch.state = ChannelState.BLOCKED
        elif not down and ch.state is ChannelState.BLOCKED:
            ch.state = ChannelState.IDLE

    # ------------------------------------------------------------------ register hooks
    def _set_cas(self, bits: int) -> None:
        try:
            self.board._command(self.channel, Command.SET_CAS, bits)
        except Exception as exc:
            log.warning("channel %d: cannot set CAS bits: %r", self.channel.index, exc)

    def _tone_started(self) -> None:
        self.board._ops_changed(self.channel)

    def _now(self) -> int:
        return self.board.now

    def _schedule(self, sample: int, callback: Callable[[], None]) -> Any:
        return self.board._call_at(sample, callback)

    def _cancel(self, handle: Any) -> None:
        self.board._cancel(handle)

    def _call_event(self, ev: Any) -> None:
        ch = self.channel
        self.last = ev
        if isinstance(ev, Offered):
            self._reset_detectors()
            data = {"category": ev.category, "kd": ev.kd, "variant": self.variant.name,
                    "ani_restricted": ev.ani_restricted}
            self.board._offer(ch, number=ev.ani or None, dnis=ev.dnis, data=data)
        elif isinstance(ev, Accepted):
            if ch.state is ChannelState.OFFHOOK:
                ch.state = ChannelState.DIALING
        elif isinstance(ev, Answered):
            if self.machine.direction == "out":
                self._finish_dial("ANSWERED_HUMAN", 1.0, ev)
        elif isinstance(ev, Cleared):
            if ev.reason == "local hangup":
                return
            if ev.direction == "out" and self._dial is not None and not self._dial.done():
                name = _RESULT_OF_CAUSE.get(ev.cause, "CONGESTION")
                self._finish_dial(name, 1.0, ev)
            elif ch.state in (ChannelState.CONNECTED, ChannelState.RINGING,
                              ChannelState.DIALING, ChannelState.OFFHOOK):
                ch._far_end_cleared(ev.cause)
        elif isinstance(ev, Idle):
            self._reset_detectors()
            if self._idle is not None and not self._idle.done():
                self._idle.set_result(None)
        elif isinstance(ev, Blocked):
            if ev.blocked and ch.state is ChannelState.IDLE:
                ch.state = ChannelState.BLOCKED
            elif not ev.blocked and ch.state is ChannelState.BLOCKED and not self._alarm:
                ch.state = ChannelState.IDLE

    def _finish_dial(self, result: str, confidence: float, evidence: Any) -> None:
        from ..board import DialResult
        from ..dsp.progress import CallResult

        fut = self._dial
        if fut is not None and not fut.done():
            fut.set_result(DialResult(CallResult[result], confidence,
                                      self.board.now - self._dial_start, evidence))

    # ------------------------------------------------------------------ channel operations
    async def answer(self) -> None:
        if self.machine.state != "offered":
            raise ChannelStateError(f"channel {self.channel.index}: no offered R2 call to answer "
                                    f"(R2 state {self.machine.state})")
        self._apply(self.machine.answer())

    async def hangup(self) -> None:
        self._apply(self.machine.hangup())
        if self.machine.state in ("idle", "blocked", "alarm", "local_blocked"):
            return
        # wait for the far end to complete the release (bounded by the protocol's timers)
        self._idle = self.board._loop.create_future()
        try:
            await self.board._wait(self._idle)
        finally:
            self._idle = None

    async def dial(self, number: str, *, ani: str | None = None, category: int | str = 1,
                   answer_timeout: float | None = None, **options: Any) -> DialResult:
        """Place an R2 call to ``number`` (digits 0-9) from ``ani`` with ``category``."""
        from ..board import Call

        if options:
            raise SignalFormatError(f"unknown R2 dial option(s) {', '.join(sorted(options))}; "
                                    "options: ani, category, answer_timeout")
        if answer_timeout is not None:
            t = float(answer_timeout)
            if not 0 < t <= 3600:
                raise SignalFormatError(f"answer_timeout must be in (0, 3600] seconds, got {t}")
            self.machine.answer_ms = int(t * 1000)
        else:
            self.machine.answer_ms = None
        ch = self.channel
        if self.machine.state in ("clear_fwd_sent", "release_guard", "wait_clear_fwd",
                                  "clear_back_sent"):
            self._idle = self.board._loop.create_future()
            await self.board._wait(self._idle)
            self._idle = None
        actions = self.machine.make_call(number, ani, category)  # validates first
        self._dial = self.board._loop.create_future()
        self._dial_start = self.board.now
        ch.state = ChannelState.OFFHOOK
        ch.call = Call(ch, "outbound", number=ani, dnis=number, start_sample=self.board.now)
        ch.call.data["category"] = category
        self._apply(actions)
        if self._dial is not None and not self._dial.done() and self.machine.state == "idle":
            self._finish_dial("CONGESTION", 1.0, self.last)
        try:
            result: DialResult = await self.board._wait(self._dial)
        except BaseException:
            self._apply(self.machine.hangup())
            ch._reset_idle()
            raise
        finally:
            self._dial = None
        if result.connected:
            ch.state = ChannelState.CONNECTED
        else:
            if self.machine.direction == "out" and \
                    self.machine.state not in ("idle", "blocked", "alarm"):
                await self.hangup()  # (after glare the machine carries the inbound call)
            ch._reset_idle()
            if self._alarm or self.machine.state == "blocked":
                ch.state = ChannelState.BLOCKED
        return result
