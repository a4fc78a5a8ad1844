"""Boards and channels: the asyncio API every application uses, whatever the board.

Overview
--------
:func:`open_board` turns a URL into a :class:`Board`; ``async with`` opens and closes it.
A board has :class:`Channel` objects; :meth:`Board.wait_for_call` hands out inbound
:class:`Call` objects; a channel's operations (:meth:`~Channel.answer`,
:meth:`~Channel.play`, :meth:`~Channel.record`, :meth:`~Channel.get_digits`,
:meth:`~Channel.send_digits`, :meth:`~Channel.dial`, :meth:`~Channel.flash`,
:meth:`~Channel.ring` (a station port), :meth:`~Channel.hangup`) are coroutines;
:meth:`Board.bridge` connects channels (two: full duplex; more: a conference).

How it works
------------
One *media engine* task per board runs the board's 20 ms tick: it pulls the driver's events,
reads one frame of every channel in one driver call, decodes the whole block, runs the DTMF
detector bank over all channels in one call with the GIL released, feeds the per-channel
receivers that are active (caller ID while idle or ringing, call progress while dialling),
steps the channel operations (which fill the transmit block), mixes bridges and conferences,
encodes the block and writes it in one driver call. Every time and timeout is counted in
board samples, never in wall time: on an emulated board with a virtual clock a test runs as
fast as the CPU allows and gives the same result every time.

Between frames of a board paced by its own clock the engine sleeps on the driver's event
file descriptor (``event_fd`` of the C ABI: readable while events are queued or when the next
frame is ready) through the event loop's ``add_reader``, so it wakes once per frame or event;
a driver without one is polled every quarter of a frame. A board with a virtual clock always
has the next frame and never waits.

Hang-ups
--------
When the far end clears during an operation, the operation raises :class:`HangupError`; its
``result`` attribute holds what the operation had gathered (digits, recorded samples). The
channel is then in :attr:`ChannelState.HUNGUP` until the application calls
:meth:`Channel.hangup`, which frees it. This is the same on every board.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import numpy as np

from .drivers import resolve
from .drivers.base import (
    CODEC_DTYPE,
    ChannelInfo,
    ChannelType,
    Command,
    Driver,
    DriverEvent,
    EventType,
)
from .errors import (
    BoardOperationError,
    BoardTimeoutError,
    ChannelStateError,
    DriverOperationError,
    HangupError,
    InvalidUrlError,
    SignalFormatError,
)
from .events import Scheduler
from .media import Playable, Source, as_source
from .states import ChannelState, HangupCause, TermReason

__all__ = [
    "open_board",
    "LineSignalling",
    "Board",
    "Channel",
    "Call",
    "PlayResult",
    "DigitsResult",
    "RecordResult",
    "DialResult",
]

log = logging.getLogger("boardlib")
SAMPLE_RATE = 8000
_DIGITS = set("0123456789*#ABCD")
# A frame is "quiet" below this peak (about -45 dBm0): used for caller-ID gating and
# recording's silence limit.
_QUIET_PEAK = 100
_RING_GAP_SAMPLES = 8 * SAMPLE_RATE  # rings stopping this long means the caller gave up
_CID_HANGOVER = SAMPLE_RATE // 4  # an FSK burst is continuous: 250 ms after it, flush
# Driver codes the engine treats specially (boardlib_abi.h).
_perf_counter = time.perf_counter  # engine self-timing only; media time never uses it
_BL_EREMOVED = -8  # the board was removed
_BL_EOVERRUN = -10  # received frames were lost
_BL_EUNDERRUN = -11  # the transmit queue ran dry
_FD_STRIKES = 3  # see _EventFdWait


def open_board(url: str | None = None, **options: Any) -> Board:
    """Make a :class:`Board` for ``url`` (else ``$BOARDLIB_URL``, else ``emu://``).

    ``options`` are added to the URL's query (``open_board("emu://", lines=8)``). The board
    is opened by ``async with`` or :meth:`Board.open`.

    Raises
    ------
    InvalidUrlError
        Unknown scheme or option; the message names the accepted forms.
    DriverNotAvailableError
        The scheme's driver cannot be loaded here.
    """
    if url is None:
        url = os.environ.get("BOARDLIB_URL") or "emu://"
    if not isinstance(url, str) or "://" not in url:
        raise InvalidUrlError(f"board URL must look like scheme://..., got {url!r}")
    if options:
        sep = "&" if "?" in url else "?"
        url = url + sep + "&".join(f"{k}={v}" for k, v in options.items())
    scheme = urlsplit(url).scheme
    cls = resolve(scheme)
    driver: Driver = cls.from_url(url)  # type: ignore[attr-defined]
    return Board(driver, url)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class PlayResult:
    """How a :meth:`Channel.play` ended; ``digit`` is the key that interrupted it, if any."""

    reason: TermReason
    samples: int
    digit: str | None = None

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class DigitsResult:
    """What :meth:`Channel.get_digits` collected and why it stopped.

    ``digits`` excludes the terminator, which is in ``terminator``.
    """

    digits: str
    reason: TermReason
    terminator: str | None = None

    def __repr__(self) -> str:  # never shows secure digits by accident in logs
        return f"DigitsResult(len={len(self.digits)}, reason={self.reason.name})"


@dataclass(frozen=True, slots=True)
class RecordResult:
    """A finished recording: the file written (if any), its samples and why it stopped."""

    reason: TermReason
    samples: int
    path: Path | None
    pcm: np.ndarray = field(repr=False)
    digit: str | None = None

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class DialResult:
    """The outcome of :meth:`Channel.dial`: a :class:`~boardlib.dsp.progress.CallResult`, the
    analyser's confidence, and the media time dialling and analysis took."""

    result: Any
    confidence: float
    samples: int
    evidence: Any = None

    @property
    def connected(self) -> bool:
        """True when a person or a machine answered (the channel is then connected)."""
        return self.result is not None and self.result.name in (
            "ANSWERED_HUMAN",
            "ANSWERING_MACHINE",
        )


# --------------------------------------------------------------------------- calls


_session_ids = itertools.count(1)


@dataclass(eq=False)
class Call:
    """A call on a channel, inbound or outbound.

    ``session`` is a number unique in this process for the call's whole life (the call
    centre's session number); ``data`` is the application's attached data, carried with the
    call from the IVR to agents.
    """

    channel: Channel
    direction: str
    number: str | None = None
    name: str | None = None
    dnis: str | None = None
    caller_id: Any = None
    start_sample: int = 0
    session: int = field(default_factory=lambda: next(_session_ids))
    data: dict[str, Any] = field(default_factory=dict)
    abandoned: bool = False

    def __repr__(self) -> str:
        return (
            f"Call(session={self.session}, channel={self.channel.index}, "
            f"direction={self.direction!r}, number={self.number!r})"
        )


# --------------------------------------------------------------------------- signalling


class LineSignalling(Protocol):
    """A per-channel protocol engine for digital trunks (E1 CAS with MFC-R2, ...).

    The board creates one per E1 channel with the factory registered in
    :data:`SIGNALLING` (``signalling(channel)``) and drives it from the media engine:

    * ``on_event(ev)`` for every driver event of the channel (CAS bits, alarms);
    * ``on_rx(pcm, sample)`` every tick while ``rx`` is true (MF tones received);
    * ``fill(out)`` every tick while ``tx`` is true: add the tones to send into ``out``.

    Toward the board it uses ``channel.board._offer(channel, number=..., dnis=..., data=...)``
    for an inbound call, ``channel._far_end_cleared(cause)`` when the far end clears,
    ``channel.board._command(channel, Command.SET_CAS, bits)`` and
    ``channel.board._call_at(sample, callback)`` for timers. The channel's ``answer``,
    ``hangup`` and ``dial`` call the engine's coroutines of the same names.
    """

    rx: bool
    tx: bool

    def on_event(self, ev: DriverEvent) -> None: ...
    def on_rx(self, pcm: np.ndarray, sample: int) -> None: ...
    def fill(self, out: np.ndarray) -> None: ...
    async def answer(self) -> None: ...
    async def hangup(self) -> None: ...
    async def dial(self, number: str, **options: Any) -> DialResult: ...


#: Signalling engines by channel type: ``ChannelType -> "module:factory"``, imported lazily
#: when a board with such channels opens. E1 channels get MFC-R2 (China No.1 by default).
SIGNALLING: dict[ChannelType, str] = {ChannelType.E1: "boardlib.r2:R2Signalling"}


def _signalling_factory(kind: ChannelType) -> Callable[[Channel], LineSignalling] | None:
    target = SIGNALLING.get(kind)
    if target is None:
        return None
    import importlib

    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        log.warning("no signalling engine for %s channels (%s not available)", kind.name, target)
        return None


# --------------------------------------------------------------------------- operations


class _Op:
    """A media operation in progress on a channel; the engine steps it every tick."""

    tx = False  # fills the transmit frame
    rx = False  # wants the received frame

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.future: asyncio.Future[Any] = channel.board._loop.create_future()
        self.start = channel.board.now
        self.timers: list[int] = []

    # hooks, all optional
    def on_start(self) -> None: ...
    def on_digit(self, digit: str, sample: int) -> None: ...
    def fill(self, out: np.ndarray) -> None: ...
    def on_rx(self, pcm: np.ndarray, sample: int) -> None: ...
    def partial(self) -> Any:
        return None

    def finish(self, result: Any) -> None:
        self.channel._end_op(self)
        shown = getattr(result, "reason", None) if self.channel._secure else result
        log.debug(
            "channel %d: %s ended: %r", self.channel.index, type(self).__name__[1:-2].lower(), shown
        )
        if not self.future.done():
            self.future.set_result(result)

    def fail(self, exc: BaseException) -> None:
        self.channel._end_op(self)
        if not self.future.done():
            self.future.set_exception(exc)

    def after(self, seconds: float | None, callback: Callable[[], None]) -> None:
        if seconds is not None:
            self.timers.append(
                self.channel.board._call_at(
                    self.channel.board.now + _samples(seconds), self._guard(callback)
                )
            )

    def _guard(self, callback: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            if self.channel._op is self:
                callback()

        return run


class _PlayOp(_Op):
    tx = True

    def __init__(
        self, channel: Channel, source: Source, stop_digits: str, max_time: float | None
    ) -> None:
        super().__init__(channel)
        self.source = source
        self.stop_digits = stop_digits
        self.played = 0
        self.max_time = max_time

    def on_start(self) -> None:
        if self.stop_digits and any(d in self.stop_digits for d in self.channel._digits):
            digit = next(d for d in self.channel._digits if d in self.stop_digits)
            self.finish(PlayResult(TermReason.DIGIT, 0, digit))
            return
        self.after(self.max_time, lambda: self.finish(PlayResult(TermReason.MAX_TIME, self.played)))

    def fill(self, out: np.ndarray) -> None:
        got = self.source.fill(out)
        self.played += got
        if self.source.done:
            self.finish(PlayResult(TermReason.END_OF_DATA, self.played))

    def on_digit(self, digit: str, sample: int) -> None:
        if digit in self.stop_digits:
            self.finish(PlayResult(TermReason.DIGIT, self.played, digit))

    def partial(self) -> Any:
        return PlayResult(TermReason.HANGUP, self.played)


class _DigitsOp(_Op):
    def __init__(
        self,
        channel: Channel,
        max_digits: int,
        terminators: str,
        first_digit_timeout: float | None,
        inter_digit_timeout: float | None,
        timeout: float | None,
        digit_mask: str | None,
        secure: bool,
    ) -> None:
        super().__init__(channel)
        self.max_digits = max_digits
        self.terminators = terminators
        self.first = first_digit_timeout
        self.inter = inter_digit_timeout
        self.timeout = timeout
        self.mask = digit_mask
        self.secure = secure
        self.got: list[str] = []
        self._inter_timer: int | None = None

    def on_start(self) -> None:
        self.after(self.timeout, lambda: self._done(TermReason.MAX_TIME))
        buffered = list(self.channel._digits)
        self.channel._digits.clear()
        for d in buffered:
            if self.channel._op is not self:
                self.channel._digits.append(d)  # keep what we did not consume
                continue
            self.on_digit(d, self.channel.board.now)
        if self.channel._op is self and not self.got:
            self.after(self.first, lambda: self._done(TermReason.FIRST_DIGIT_TIMEOUT))

    def on_digit(self, digit: str, sample: int) -> None:
        if digit in self.terminators:
            self._done(TermReason.TERMINATOR, digit)
            return
        if self.mask is not None and digit not in self.mask:
            return
        self.got.append(digit)
        if len(self.got) >= self.max_digits:
            self._done(TermReason.MAX_DIGITS)
            return
        if self.inter is not None:
            if self._inter_timer is not None:
                self.channel.board._cancel(self._inter_timer)
            self._inter_timer = self.channel.board._call_at(
                self.channel.board.now + _samples(self.inter),
                self._guard(lambda: self._done(TermReason.INTER_DIGIT_TIMEOUT)),
            )
            self.timers.append(self._inter_timer)

    def _done(self, reason: TermReason, terminator: str | None = None) -> None:
        self.finish(DigitsResult("".join(self.got), reason, terminator))

    def partial(self) -> Any:
        return DigitsResult("".join(self.got), TermReason.HANGUP)


class _RecordOp(_Op):
    rx = True

    def __init__(
        self,
        channel: Channel,
        path: Path | None,
        max_time: float | None,
        max_silence: float | None,
        stop_digits: str,
    ) -> None:
        super().__init__(channel)
        self.path = path
        self.max_time = max_time
        self.max_silence = None if max_silence is None else _samples(max_silence)
        self.stop_digits = stop_digits
        self.chunks: list[np.ndarray] = []
        self.samples = 0
        self.quiet = 0
        self.heard = False

    def on_start(self) -> None:
        self.after(self.max_time, lambda: self._done(TermReason.MAX_TIME))

    def on_rx(self, pcm: np.ndarray, sample: int) -> None:
        self.chunks.append(pcm.copy())
        self.samples += len(pcm)
        if int(np.abs(pcm.astype(np.int32)).max(initial=0)) < _QUIET_PEAK:
            self.quiet += len(pcm)
        else:
            self.quiet = 0
            self.heard = True
        if self.max_silence is not None and self.quiet >= self.max_silence:
            self._done(TermReason.MAX_SILENCE)

    def on_digit(self, digit: str, sample: int) -> None:
        if digit in self.stop_digits:
            self._done(TermReason.TERMINATOR, digit)

    def _pcm(self) -> np.ndarray:
        pcm = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
        if self.max_silence is not None and self.quiet >= self.max_silence:
            pcm = pcm[: len(pcm) - self.quiet]  # the trailing silence is not part of the message
        return pcm

    def _result(self, reason: TermReason, digit: str | None = None) -> RecordResult:
        pcm = self._pcm()
        if self.path is not None:
            from .audiofile import write_wav

            write_wav(self.path, pcm)
        return RecordResult(reason, len(pcm), self.path, pcm, digit)

    def _done(self, reason: TermReason, digit: str | None = None) -> None:
        try:
            result = self._result(reason, digit)
        except OSError as exc:
            self.fail(BoardOperationError(f"cannot write recording {self.path}: {exc}"))
            return
        self.finish(result)

    def partial(self) -> Any:
        try:
            return self._result(TermReason.HANGUP)
        except OSError:
            return None


class _DialOp(_Op):
    """Seize, wait for dial tone, send the digits as DTMF, analyse call progress."""

    tx = True
    rx = True

    def __init__(
        self, channel: Channel, number: str, analyzer: Any, dial_tone_wait: float, generator: Any
    ) -> None:
        super().__init__(channel)
        self.number = number
        self.analyzer = analyzer
        self.gen = generator
        self.wait = _samples(dial_tone_wait)
        self.phase = "wait"

    def fill(self, out: np.ndarray) -> None:
        if self.phase == "wait":
            waited = self.channel.board.now - self.start
            heard = self.analyzer is None or self.analyzer.dial_tone is not None
            if heard and waited >= self.wait:
                self.phase = "digits"
                self.channel.state = ChannelState.DIALING
                self.gen.put(self.number)
            else:
                return
        if self.phase == "digits":
            got = self.gen.generate_into(out)
            if got < len(out):
                self.phase = "analyse"
                if self.analyzer is None:
                    self.finish(DialResult(None, 0.0, self.channel.board.now - self.start))
                else:
                    self.analyzer.dialling_done()

    def on_rx(self, pcm: np.ndarray, sample: int) -> None:
        if self.analyzer is None or self.phase == "digits":
            return
        outcome = self.analyzer.process(pcm)
        if outcome is not None:
            self.finish(
                DialResult(
                    outcome.result, outcome.confidence, self.channel.board.now - self.start, outcome
                )
            )

    def partial(self) -> Any:
        return None


class _RingOp(_Op):
    """Ringing a station (FXS): RING_START / RING_STOP on the media clock, with the cadence
    (on, off) pairs in samples, until the station lifts its handset or the timeout."""

    def __init__(self, channel: Channel, cadence: list[tuple[int, int]], timeout: float) -> None:
        super().__init__(channel)
        self.cadence = cadence
        self.timeout = timeout
        self.rings = 0
        self.ringing = False
        self._step = 0

    def on_start(self) -> None:
        self.after(self.timeout, self._timed_out)
        self._ring_on()

    def _command(self, command: Command) -> bool:
        try:
            self.channel.board._command(self.channel, command)
        except DriverOperationError as exc:
            self.fail(exc)
            return False
        return True

    def _at(self, delay: int, callback: Callable[[], None]) -> None:
        board = self.channel.board
        self.timers.append(board._call_at(board.now + delay, self._guard(callback)))

    def _ring_on(self) -> None:
        if not self._command(Command.RING_START):
            return
        self.ringing = True
        self.rings += 1
        self._at(self.cadence[self._step % len(self.cadence)][0], self._ring_off)

    def _ring_off(self) -> None:
        self.ringing = False
        if not self._command(Command.RING_STOP):
            return
        self._at(self.cadence[self._step % len(self.cadence)][1], self._ring_on)
        self._step += 1

    def stop_ringing(self) -> None:
        if self.ringing:
            self.ringing = False
            with contextlib.suppress(DriverOperationError):
                self.channel.board._command(self.channel, Command.RING_STOP)

    def _timed_out(self) -> None:
        self.stop_ringing()
        self.fail(
            BoardTimeoutError(
                f"channel {self.channel.index}: the station did not answer within "
                f"{self.timeout} s ({self.rings} rings)"
            )
        )

    def answered(self) -> None:
        self.stop_ringing()  # the station's off-hook trips the ringing; make sure it stops
        self.finish(self.channel.call)


def _samples(seconds: float) -> int:
    return int(round(seconds * SAMPLE_RATE))


def _resolve(fut: asyncio.Future[None]) -> None:
    """Complete ``fut`` with ``None`` unless it is already done (a timer's callback)."""
    if not fut.done():
        fut.set_result(None)


def _check_time(name: str, value: float | None, allow_none: bool = True) -> float | None:
    if value is None:
        if allow_none:
            return None
        raise SignalFormatError(f"{name} is required")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SignalFormatError(f"{name} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise SignalFormatError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    return v


def _check_keys(name: str, keys: str | None) -> str:
    if keys is None:
        return ""
    if not isinstance(keys, str) or any(k not in _DIGITS for k in keys.upper()):
        raise SignalFormatError(f"{name} must be a string of 0-9 * # A-D, got {keys!r}")
    return keys.upper()


# --------------------------------------------------------------------------- channel


class Channel:
    """One line, station or E1 timeslot of a board. Obtain channels from the board."""

    def __init__(self, board: Board, info: ChannelInfo) -> None:
        self.board = board
        self.info = info
        self.index = info.index
        self._state = ChannelState.IDLE
        self.call: Call | None = None
        self._op: _Op | None = None
        self._digits: deque[str] = deque(maxlen=64)  # type-ahead buffer
        self._secure = 0
        self._rings = 0
        self._last_ring = -_RING_GAP_SAMPLES
        self._offered = False
        self._muted = False
        self._cid_message: Any = None
        self._cid_sample = 0
        self._abandoned: Call | None = None
        #: Hook flashes a station (FXS) made on this channel.
        self.flashes = 0
        #: Protocol engine of a digital trunk channel (E1 CAS/R2), set by the board; analog
        #: channels have none. See :class:`LineSignalling`.
        self.signalling: LineSignalling | None = None

    def __repr__(self) -> str:
        return f"<Channel {self.index} {self.info.type.name} {self.state.value}>"

    @property
    def type(self) -> ChannelType:
        return self.info.type

    @property
    def state(self) -> ChannelState:
        """Where the channel is in a call."""
        return self._state

    @state.setter
    def state(self, value: ChannelState) -> None:
        self._state = value
        self.board._state_changed(self)

    # ---- state helpers
    def _require(self, op: str, *states: ChannelState) -> None:
        if self.state is ChannelState.HUNGUP and ChannelState.HUNGUP not in states:
            raise HangupError(f"channel {self.index}: {op}: the far end has hung up")
        if self.state not in states:
            allowed = ", ".join(s.value for s in states)
            raise ChannelStateError(
                f"channel {self.index}: cannot {op} while {self.state.value} (allowed: {allowed})"
            )
        if self._op is not None:
            raise ChannelStateError(
                f"channel {self.index}: cannot {op} while {type(self._op).__name__[1:-2].lower()} "
                "is in progress"
            )

    async def _run(self, op: _Op) -> Any:
        self._op = op
        self.board._ops_changed(self)
        op.on_start()
        try:
            return await op.future
        except asyncio.CancelledError:
            if self._op is op:
                self._end_op(op)
            raise

    def _end_op(self, op: _Op) -> None:
        if self._op is op:
            self._op = None
            for t in op.timers:
                self.board._cancel(t)
            self.board._ops_changed(self)

    def _on_digit(self, digit: str, sample: int) -> None:
        if not self._secure:
            log.debug("channel %d: digit %s at %d", self.index, digit, sample)
        op = self._op
        if op is not None and isinstance(op, _DigitsOp):
            op.on_digit(digit, sample)
        else:
            self._digits.append(digit)
            if op is not None:
                op.on_digit(digit, sample)

    def _far_end_cleared(self, cause: HangupCause = HangupCause.NORMAL_CLEARING) -> None:
        if self.state in (ChannelState.IDLE, ChannelState.HUNGUP):
            return
        if self.state is ChannelState.RINGING:
            if self.call is not None:
                self.call.abandoned = True
                self._abandoned = self.call
            self._reset_idle()
            return
        self.state = ChannelState.HUNGUP
        log.info("channel %d: far end cleared (%s)", self.index, cause.name)
        op = self._op
        if op is not None:
            err = HangupError(f"channel {self.index}: the far end hung up")
            err.result = op.partial()  # type: ignore[attr-defined]
            err.cause = cause  # type: ignore[attr-defined]
            op.fail(err)

    def _reset_idle(self) -> None:
        self._rings = 0
        self._offered = False
        self.state = ChannelState.IDLE
        self._digits.clear()
        self.call = None
        self._muted = False

    # ---- public operations
    async def answer(self) -> Call:
        """Take the ringing call (go off-hook). Returns the channel's :class:`Call`.

        Raises :class:`HangupError` if the caller has already given up.
        """
        if self.state is ChannelState.IDLE and self._abandoned is not None:
            self._abandoned = None
            raise HangupError(f"channel {self.index}: the caller hung up before the answer")
        self._require("answer", ChannelState.RINGING)
        if self.signalling is not None:
            await self.signalling.answer()
        elif self.type != ChannelType.FXS:  # a station's call is already off-hook
            self.board._command(self, Command.OFFHOOK)
        self.state = ChannelState.CONNECTED
        log.info("channel %d: answered", self.index)
        self._digits.clear()
        if self.call is None:
            self.call = Call(self, "inbound", start_sample=self.board.now)
        await self.board._yield_tick()
        return self.call

    async def hangup(self) -> None:
        """End the call and free the channel (go on-hook). Safe in any state but idle."""
        if self._op is not None:
            op = self._op
            op.fail(BoardOperationError(f"channel {self.index}: hung up by the application"))
        if self.state is ChannelState.IDLE:
            return
        if self.signalling is not None:
            await self.signalling.hangup()
        elif self.state is not ChannelState.RINGING or self.type == ChannelType.FXS:
            self.board._command(self, Command.ONHOOK)
        self.board._unbridge(self)
        self._reset_idle()
        if self.signalling is not None and getattr(self.signalling, "out_of_service", False):
            self.state = ChannelState.BLOCKED  # the span is still in alarm, or blocked
        log.info("channel %d: hung up", self.index)
        await self.board._yield_tick()

    async def play(
        self,
        source: Playable,
        *,
        barge_in: bool = False,
        stop_digits: str | None = None,
        max_time: float | None = None,
    ) -> PlayResult:
        """Play a prompt (a WAV path, int16 array, :class:`~boardlib.media.Tone`, ``Silence``,
        ``ToneSpec`` or a list of these, back to back).

        With ``barge_in`` any key stops the prompt (or only ``stop_digits``); the key stays in
        the type-ahead buffer for the next :meth:`get_digits`.
        """
        src = as_source(source)
        stops = (
            _check_keys("stop_digits", stop_digits)
            if stop_digits
            else ("0123456789*#ABCD" if barge_in else "")
        )
        limit = _check_time("max_time", max_time)
        self._require("play", ChannelState.CONNECTED)
        result: PlayResult = await self._run(_PlayOp(self, src, stops, limit))
        return result

    async def get_digits(
        self,
        max_digits: int = 1,
        *,
        terminators: str | None = "#",
        first_digit_timeout: float | None = 5.0,
        inter_digit_timeout: float | None = 3.0,
        timeout: float | None = None,
        digit_mask: str | None = None,
        secure: bool = False,
    ) -> DigitsResult:
        """Collect keys: the first condition met ends it (max digits, a terminator, the
        first-digit, inter-digit or overall timeout). Keys pressed earlier (type-ahead,
        barge-in) count. ``digit_mask`` ignores keys outside it. ``secure=True`` keeps the
        digits out of every log and trace and mutes this channel's audio toward bridged
        parties while collecting (a PIN is never heard by an agent).
        """
        if not isinstance(max_digits, int) or isinstance(max_digits, bool) or max_digits < 1:
            raise SignalFormatError(f"max_digits must be an int >= 1, got {max_digits!r}")
        terms = _check_keys("terminators", terminators)
        mask = None if digit_mask is None else _check_keys("digit_mask", digit_mask)
        first = _check_time("first_digit_timeout", first_digit_timeout)
        inter = _check_time("inter_digit_timeout", inter_digit_timeout)
        total = _check_time("timeout", timeout)
        self._require("get digits", ChannelState.CONNECTED)
        op = _DigitsOp(self, max_digits, terms, first, inter, total, mask, secure)
        with self.secure() if secure else contextlib.nullcontext():
            result: DigitsResult = await self._run(op)
        return result

    async def record(
        self,
        path: str | Path | None = None,
        *,
        max_time: float | None = 60.0,
        max_silence: float | None = 5.0,
        stop_digits: str | None = "#",
    ) -> RecordResult:
        """Record what the far end says into a WAV file (8 kHz 16-bit), ending on the first
        of ``max_time``, ``max_silence`` (trailing silence is cut) or a stop key."""
        limit = _check_time("max_time", max_time)
        silence = _check_time("max_silence", max_silence)
        stops = _check_keys("stop_digits", stop_digits)
        self._require("record", ChannelState.CONNECTED)
        self._digits.clear()
        result: RecordResult = await self._run(
            _RecordOp(self, None if path is None else Path(path), limit, silence, stops)
        )
        return result

    async def send_digits(
        self, digits: str, *, level_dbm0: float = -10.0, on_ms: float = 80.0, off_ms: float = 80.0
    ) -> PlayResult:
        """Send DTMF digits on the connected call."""
        from .dsp import DtmfGenerator

        keys = _check_keys("digits", digits)
        pcm = DtmfGenerator(level_dbm0=level_dbm0, on_ms=on_ms, off_ms=off_ms).render(keys)
        return await self.play(pcm)

    async def dial(
        self,
        number: str,
        *,
        analyze: bool = True,
        profile: str = "cn",
        dial_tone_wait: float = 0.5,
        **limits: Any,
    ) -> DialResult:
        """Seize the line, dial ``number`` in DTMF and analyse call progress.

        Returns a :class:`DialResult` whose ``result`` is a
        :class:`~boardlib.dsp.progress.CallResult` (busy, no answer, answered by a person or a
        machine, fax, ...). When the far end answered, the channel is connected and
        ``channel.call`` is the outbound call; otherwise the channel is back on-hook.
        ``limits`` go to the call-progress analyser (ring counts, time limits).
        """
        from .dsp import DtmfGenerator

        keys = _check_keys("number", number)
        if not keys:
            raise SignalFormatError("number must not be empty")
        self._require("dial", ChannelState.IDLE)
        if self.signalling is not None:
            return await self.signalling.dial(keys, **limits)
        analyzer = None
        if analyze:
            from .dsp.progress import CallProgressAnalyzer

            analyzer = CallProgressAnalyzer(profile, wait_dial_tone=True, **limits)
        self.board._command(self, Command.OFFHOOK)
        self.state = ChannelState.OFFHOOK
        self.call = Call(self, "outbound", dnis=keys, start_sample=self.board.now)
        gen = DtmfGenerator(level_dbm0=-8.0, on_ms=80.0, off_ms=80.0)
        try:
            result: DialResult = await self._run(_DialOp(self, keys, analyzer, dial_tone_wait, gen))
        except BaseException:
            await self.hangup()
            raise
        if result.result is None or result.connected:
            self.state = ChannelState.CONNECTED
        else:
            await self.hangup()
        return result

    async def ring(
        self, cadence: list[tuple[float, float]] | None = None, timeout: float = 30.0
    ) -> Call:
        """Ring the station on this station port (FXS) until it lifts its handset.

        ``cadence`` is a list of (on, off) milliseconds pairs, repeated (default: the tone
        profile's ring cadence); ``timeout`` counts media seconds from the first ring. Returns
        the outbound :class:`Call` to the station, the channel connected.

        Raises
        ------
        ChannelStateError
            The channel is not a station port, or it is not idle (the station is busy).
        BoardTimeoutError
            Nobody answered within ``timeout``: the ringing stopped, the channel is idle.
        """
        if self.type != ChannelType.FXS:
            raise ChannelStateError(
                f"channel {self.index}: ring needs a station port (FXS), this is {self.type.name}"
            )
        if cadence is None:
            from .dsp.specs import get_profile

            cadence = list(get_profile(self.board.tone_profile).ring_cadence_ms)
        if not isinstance(cadence, (list, tuple)) or not cadence:
            raise SignalFormatError(
                f"cadence must be a list of (on_ms, off_ms) pairs, got {cadence!r}"
            )
        steps = []
        for pair in cadence:
            try:
                on, off = (float(v) for v in pair)
            except (TypeError, ValueError):
                raise SignalFormatError(
                    f"cadence must be a list of (on_ms, off_ms) pairs, got {cadence!r}"
                ) from None
            if not (100.0 <= on <= 10000.0 and 100.0 <= off <= 10000.0):
                raise SignalFormatError(
                    f"cadence on and off times must be 100..10000 ms, got {pair!r}"
                )
            steps.append((_samples(on / 1000), _samples(off / 1000)))
        limit = _check_time("timeout", timeout, allow_none=False)
        self._require("ring", ChannelState.IDLE)
        self.state = ChannelState.DIALING
        self.call = Call(self, "outbound", start_sample=self.board.now)
        assert limit is not None  # allow_none=False
        op = _RingOp(self, steps, limit)
        try:
            call: Call = await self._run(op)
        except BaseException as exc:
            op.stop_ringing()
            if self.state is ChannelState.DIALING:
                self._reset_idle()
            if isinstance(exc, DriverOperationError) and exc.code == -4:  # BL_ESTATE
                raise ChannelStateError(
                    f"channel {self.index}: the station is busy (off-hook)"
                ) from exc
            raise
        self.state = ChannelState.CONNECTED
        log.info("channel %d: station answered after %d rings", self.index, op.rings)
        await self.board._yield_tick()
        return call

    async def flash(self, ms: int = 600) -> None:
        """Hook-flash (analog transfer, call waiting): on-hook for ``ms`` milliseconds."""
        if not isinstance(ms, int) or not 50 <= ms <= 2000:
            raise SignalFormatError(f"flash ms must be an int in 50..2000, got {ms!r}")
        self._require("flash", ChannelState.CONNECTED)
        self.board._command(self, Command.FLASH, ms)
        await self.board.sleep(ms / 1000)

    def secure(self) -> contextlib.AbstractContextManager[None]:
        """A section of the call in which keys are private: ``with channel.secure(): ...``.

        Inside it no digit is logged or traced (keys typed ahead during a PIN prompt
        included), and this channel's audio is muted toward bridged parties. Sections nest;
        ``get_digits(secure=True)`` opens one for its own duration.
        """

        @contextlib.contextmanager
        def section() -> Any:
            self._secure += 1
            try:
                yield
            finally:
                self._secure -= 1

        return section()

    def clear_digits(self) -> None:
        """Forget keys pressed so far (the type-ahead buffer)."""
        self._digits.clear()

    async def stop(self) -> None:
        """Stop the operation in progress; it returns with :attr:`TermReason.STOPPED`."""
        op = self._op
        if op is None:
            return
        if isinstance(op, _PlayOp):
            op.finish(PlayResult(TermReason.STOPPED, op.played))
        elif isinstance(op, _DigitsOp):
            op.finish(DigitsResult("".join(op.got), TermReason.STOPPED))
        elif isinstance(op, _RecordOp):
            op._done(TermReason.STOPPED)
        else:
            op.fail(BoardOperationError(f"channel {self.index}: stopped"))


# --------------------------------------------------------------------------- board


class _EventFdWait:
    """The media engine's wait for the next frame of a board paced by its own clock: on the
    driver's event fd (``event_fd`` in boardlib_abi.h: readable while events are queued or a
    frame is ready) through ``loop.add_reader``, instead of polling.

    The reader is registered once and stays until :meth:`close` (the engine's end). Two
    guards keep a driver that breaks the fd's rules from costing more than polling:

    * a wait ends after two frame periods even if the fd stays quiet; when a frame turned out
      to be ready after such a timeout three times running, the fd signals events only (a
      version 1 driver older than the rule): the reader is removed and the engine polls;
    * an fd that wakes the engine three times running with nothing to do (no event, no frame)
      is not waited on until the engine has found something again, so it cannot spin.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int, period: float, url: str) -> None:
        self.fd = fd
        self.url = url
        self._loop = loop
        self._timeout = 2 * period
        self._fut: asyncio.Future[bool] | None = None
        self._last: bool | None = None  # how the last wait ended: True fd, False timeout
        self._strikes = 0  # frames found right after a timeout, running
        self._empty = 0  # fd wakeups with nothing to do, running
        loop.add_reader(fd, self._wake, True)
        self.registered = True

    @property
    def usable(self) -> bool:
        """Whether the engine should wait on the fd now (else it polls)."""
        return self.registered and self._empty < _FD_STRIKES

    def _wake(self, by_fd: bool) -> None:
        fut = self._fut
        if fut is not None and not fut.done():
            fut.set_result(by_fd)

    def wake(self) -> None:
        """End the current wait at once (the board is closing)."""
        self._wake(True)

    async def wait(self) -> None:
        """Until the fd is readable, two frame periods at most."""
        fut: asyncio.Future[bool] = self._loop.create_future()
        self._fut = fut
        timer = self._loop.call_later(self._timeout, self._wake, False)
        try:
            self._last = await fut
        finally:
            timer.cancel()
            self._fut = None

    def ticked(self, got_frame: bool, got_events: bool) -> None:
        """What the tick after a wait found."""
        last, self._last = self._last, None
        if got_frame or got_events:
            self._empty = 0
        elif last:
            self._empty += 1
        if not got_frame or last is None:
            return
        if last:
            self._strikes = 0
            return
        self._strikes += 1
        if self._strikes >= _FD_STRIKES:
            log.warning(
                "board %s: frames are ready without the event fd saying so; polling instead",
                self.url,
            )
            self.close()

    def close(self) -> None:
        """Remove the reader. Safe to call twice."""
        if self.registered:
            self.registered = False
            self._loop.remove_reader(self.fd)


class Board:
    """A voice board: its channels, its media engine and its inbound calls.

    Use ``async with open_board(url) as board:``. Times given to the board's operations are
    media seconds, counted on the board's sample clock.
    """

    def __init__(self, driver: Driver, url: str = "") -> None:
        self.url = url
        self._driver = driver
        self.channels: list[Channel] = []
        self.now = 0  # board sample clock at the start of the next frame
        self._loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._open = False
        self._timers = Scheduler()
        self._incoming: asyncio.Queue[Call] | None = None
        self._active_tx: set[Channel] = set()
        self._active_rx: set[Channel] = set()
        self._bridges: list[tuple[int, ...]] = []
        self.errors: list[BaseException] = []
        #: Counters: media ``ticks``, receive ``overruns``, ``driver_errors``, driver
        #: ``events`` handled, and the engine's waits for a frame: ``fd_waits`` on the
        #: driver's event fd, ``polls`` of a quarter frame (a driver without an fd).
        self.stats = {
            "ticks": 0,
            "overruns": 0,
            "driver_errors": 0,
            "events": 0,
            "fd_waits": 0,
            "polls": 0,
        }
        self._fd_wait: _EventFdWait | None = None
        #: Seconds spent in the media engine's ticks (``tick``), of which in the DSP banks and
        #: codecs (``dsp``) and in driver reads and writes (``driver``).
        self.timing = {"tick": 0.0, "dsp": 0.0, "driver": 0.0}
        self._failed: BaseException | None = None

    def __repr__(self) -> str:
        return f"<Board {self.url} channels={len(self.channels)}>"

    @property
    def is_open(self) -> bool:
        """True between :meth:`open` and :meth:`close`."""
        return self._open

    @property
    def driver(self) -> Driver:
        """The driver object, for driver-specific features (the emulator's exchange)."""
        return self._driver

    # ---- lifecycle
    async def open(self) -> Board:
        """Open the driver, enumerate channels and start the media engine."""
        from .dsp import DtmfDetectorBank

        if self._open:
            return self
        self._loop = asyncio.get_running_loop()
        self._driver._open()
        self._open = True
        infos = self._driver._channels()
        self.channels = [Channel(self, info) for info in infos]
        n = len(infos)
        factories: dict[ChannelType, Any] = {}
        for ch in self.channels:
            if ch.type in SIGNALLING:
                if ch.type not in factories:
                    factories[ch.type] = _signalling_factory(ch.type)
                if factories[ch.type] is not None:
                    ch.signalling = factories[ch.type](ch)
        self._signalled = [ch for ch in self.channels if ch.signalling is not None]
        self.frame_len = self._driver.frame_len
        codec = infos[0].codec if infos else "alaw"
        self.codec = codec
        self._idx = np.arange(n, dtype=np.int32)
        self._rx = np.zeros((n, self.frame_len), CODEC_DTYPE[codec])
        self._tx = np.zeros((n, self.frame_len), CODEC_DTYPE[codec])
        self._rx_pcm = np.zeros((n, self.frame_len), np.int16)
        self._tx_pcm = np.zeros((n, self.frame_len), np.int16)
        self._dtmf = DtmfDetectorBank(channels=max(n, 1))
        from .dsp.progress import ToneDetectorBank

        # Far-end clear by tone (busy / congestion after the far end hangs up, as many
        # exchanges signal it) is watched on every channel by one bank call per tick.
        self.tone_profile = getattr(self._driver, "tone_profile", "cn")
        self._tones = ToneDetectorBank(max(n, 1), self.tone_profile, fax=False)
        # Analog trunks that may receive caller ID now (idle or ringing, call not yet offered).
        self._fxo = np.array([i.type == ChannelType.FXO for i in infos], dtype=bool)
        self._cid_eligible = self._fxo.copy()
        self._cid_active: dict[int, int] = {}  # channel -> sample until which to keep feeding
        self._cid_decoders: dict[int, Any] = {}  # FSK caller-ID receivers, reused per channel
        # DTMF caller ID is framed from the digits of the board's own DTMF bank.
        self._cid_framers: dict[int, Any] = {}
        self._cid_framing: set[int] = set()  # framers holding part of a message
        self._incoming = asyncio.Queue()
        self._dead = self._loop.create_future()  # resolved when the engine stops
        self._task = self._loop.create_task(self._engine(), name=f"boardlib engine {self.url}")
        return self

    async def close(self) -> None:
        """Hang up every channel, stop the engine and close the driver. Safe to call twice."""
        if not self._open:
            return
        self._closing = True
        if self._fd_wait is not None:
            self._fd_wait.wake()
        for ch in self.channels:
            if ch._op is not None:
                ch._op.fail(BoardOperationError("board closed"))
        if self._task is not None:
            try:
                await self._task
            except Exception as exc:  # already reported to waiting operations
                log.debug("engine ended with %r", exc)
        for ch in self.channels:
            if ch.state not in (ChannelState.IDLE, ChannelState.RINGING, ChannelState.BLOCKED):
                try:
                    self._driver._command(ch.index, Command.ONHOOK)
                except DriverOperationError:
                    pass
        try:
            self._driver._close()  # an error here is reported; the board is released anyway
        finally:
            self._open = False

    async def __aenter__(self) -> Board:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- public
    def channel(self, index: int) -> Channel:
        """The channel with this index."""
        try:
            return self.channels[index]
        except (IndexError, TypeError):
            raise SignalFormatError(
                f"channel index must be 0..{len(self.channels) - 1}, got {index!r}"
            ) from None

    @property
    def seconds(self) -> float:
        """The board clock in media seconds."""
        return self.now / SAMPLE_RATE

    async def wait_for_call(self, timeout: float | None = None) -> Call:
        """Wait for an inbound call (ringing, with caller ID when the line sends it).

        Raises :class:`BoardTimeoutError` after ``timeout`` media seconds.
        """
        limit = _check_time("timeout", timeout)
        self._check_running()
        assert self._incoming is not None
        if limit is None:
            call: Call = await self._wait(self._incoming.get())
            return call
        getter = self._loop.create_task(self._incoming.get())
        deadline = self._loop.create_future()
        handle = self._call_at(self.now + _samples(limit), lambda: _resolve(deadline))
        try:
            done, _ = await asyncio.wait(
                {getter, deadline, self._dead}, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            self._cancel(handle)
        if getter in done:
            return getter.result()
        getter.cancel()
        self._check_running()
        if self._dead.done():
            raise BoardOperationError("the board closed while waiting for a call")
        raise BoardTimeoutError(f"no call within {limit} s")

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of media time."""
        s = _check_time("seconds", seconds)
        self._check_running()
        fut: asyncio.Future[None] = self._loop.create_future()
        self._call_at(self.now + _samples(s or 0.0), lambda: _resolve(fut))
        await self._wait(fut)

    def idle_channel(self, type: ChannelType | None = None) -> Channel:
        """An idle channel (of ``type``, if given) for an outbound call."""
        for ch in self.channels:
            if (
                ch.state is ChannelState.IDLE
                and ch._op is None
                and (type is None or ch.type == type)
            ):
                return ch
        raise ChannelStateError("no idle channel" + (f" of type {type.name}" if type else ""))

    def bridge(self, *channels: Channel) -> None:
        """Connect two channels full duplex (three or more: a conference in which each hears
        the sum of the others). Undone by :meth:`unbridge` or a hang-up."""
        if len(channels) < 2:
            raise SignalFormatError("bridge needs at least two channels")
        for ch in channels:
            if ch.board is not self:
                raise SignalFormatError(f"{ch!r} belongs to another board")
            if ch.state is not ChannelState.CONNECTED:
                raise ChannelStateError(f"channel {ch.index} is {ch.state.value}, not connected")
            self._unbridge(ch)
        self._bridges.append(tuple(ch.index for ch in channels))

    def unbridge(self, channel: Channel) -> None:
        """Take ``channel`` out of its bridge or conference."""
        self._unbridge(channel)

    # ---- engine internals
    def _check_running(self) -> None:
        if not self._open or self._closing:
            raise BoardOperationError("the board is not open")
        if self._failed is not None:
            raise BoardOperationError(
                f"the board's media engine stopped: {self._failed}"
            ) from self._failed

    async def _wait(self, awaitable: Any) -> Any:
        """Await ``awaitable``, or raise if the media engine dies meanwhile."""
        task = asyncio.ensure_future(awaitable)
        done, _ = await asyncio.wait({task, self._dead}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        task.cancel()
        self._check_running()
        raise BoardOperationError("the board closed while waiting")

    async def _yield_tick(self) -> None:
        await asyncio.sleep(0)

    def _command(self, ch: Channel, command: Command, argument: int = 0) -> None:
        self._driver._command(ch.index, command, argument)

    def _call_at(self, sample: int, callback: Callable[[], None]) -> int:
        return self._timers.at(sample, callback)

    def _cancel(self, handle: int) -> None:
        self._timers.cancel(handle)

    def _state_changed(self, ch: Channel) -> None:
        if not self.channels or len(self._cid_eligible) <= ch.index:
            return
        self._cid_eligible[ch.index] = (
            bool(self._fxo[ch.index])
            and not ch._offered
            and ch._state in (ChannelState.IDLE, ChannelState.RINGING)
        )
        if not self._cid_eligible[ch.index]:
            self._cid_active.pop(ch.index, None)

    def _ops_changed(self, ch: Channel) -> None:
        op = ch._op
        (self._active_tx.add if op is not None and op.tx else self._active_tx.discard)(ch)
        (self._active_rx.add if op is not None and op.rx else self._active_rx.discard)(ch)

    def _unbridge(self, ch: Channel) -> None:
        self._bridges = [b for b in self._bridges if ch.index not in b]
        self._bridges = [b for b in self._bridges if len(b) >= 2]

    async def _engine(self) -> None:
        advance = getattr(self._driver, "_advance", None)
        # A driver pacing itself in _advance is never waited on; another one's event fd is
        # looked up the first time no frame is ready (a virtual clock never gets there).
        fd_checked = advance is not None
        poll = self.frame_len / SAMPLE_RATE / 4
        stats = self.stats
        try:
            while not self._closing:
                delay = advance() if advance is not None else 0.0
                if delay:
                    await asyncio.sleep(delay)
                events = stats["events"]
                got = self._tick()
                fdw = self._fd_wait
                if fdw is not None:
                    fdw.ticked(got, stats["events"] != events)
                if got:
                    await asyncio.sleep(0)
                    await asyncio.sleep(0)
                    continue
                if not fd_checked:
                    fd_checked = True
                    fdw = self._fd_wait = self._open_fd_wait()
                if fdw is not None and fdw.usable:
                    stats["fd_waits"] += 1
                    await fdw.wait()
                else:
                    stats["polls"] += 1
                    await asyncio.sleep(poll)
            if not self._dead.done():
                self._dead.set_result(None)
        except BaseException as exc:
            self._failed = exc
            if isinstance(exc, DriverOperationError) and exc.code == _BL_EREMOVED:
                for ch in self.channels:
                    ch.state = ChannelState.BLOCKED
            if not self._dead.done():
                self._dead.set_result(exc)
            log.error("board %s: media engine stopped: %r", self.url, exc)
            for ch in self.channels:
                if ch._op is not None:
                    err = BoardOperationError(f"board {self.url}: media engine stopped: {exc}")
                    err.__cause__ = exc
                    ch._op.fail(err)
            if not isinstance(exc, Exception):
                raise
        finally:
            if self._fd_wait is not None:
                self._fd_wait.close()
                self._fd_wait = None

    def _open_fd_wait(self) -> _EventFdWait | None:
        """A wait on the driver's event fd, or None to poll: the driver has no fd (no
        ``fileno``, -1, an error from ``event_fd``) or the event loop cannot watch one."""
        fileno = getattr(self._driver, "fileno", None)
        if fileno is None:
            return None
        try:
            fd = fileno()
        except DriverOperationError as exc:
            log.warning("board %s: no event fd (%s): polling for frames", self.url, exc)
            return None
        if isinstance(fd, bool) or not isinstance(fd, int) or fd < 0:
            log.debug("board %s: the driver has no event fd: polling for frames", self.url)
            return None
        try:
            return _EventFdWait(self._loop, fd, self.frame_len / SAMPLE_RATE, self.url)
        except (NotImplementedError, OSError, ValueError) as exc:
            log.warning(
                "board %s: cannot watch event fd %d (%r): polling for frames", self.url, fd, exc
            )
            return None

    def _tick(self) -> bool:
        drv = self._driver
        clock = _perf_counter
        timing = self.timing
        t_start = clock()
        while True:
            try:
                ev = drv._next_event(0)
            except DriverOperationError as exc:
                self._driver_error(exc)
                if exc.code == _BL_EREMOVED:
                    raise
                break
            if ev is None:
                break
            self.stats["events"] += 1
            self._on_event(ev)
        t = clock()
        try:
            got = drv._read(self._idx, self._rx)
        except DriverOperationError as exc:
            if exc.code == _BL_EOVERRUN:
                # Frames were lost (the driver also raised an OVERRUN event, counted there):
                # the timeline moves on over a silent frame, the detectors are told of the
                # gap, operations carry on.
                got = -1
            else:
                self._driver_error(exc)
                if exc.code == _BL_EREMOVED:  # the board is gone
                    raise
                got = -1
        timing["driver"] += clock() - t
        if got == 0:
            return False
        t0 = self.now
        self.now += self.frame_len
        self.stats["ticks"] += 1
        if got > 0:
            t = clock()
            self._decode()
            digits = self._dtmf.process(self._rx_pcm)
            tones = self._tones.process(self._rx_pcm)
            timing["dsp"] += clock() - t
            eligible = self._cid_eligible
            for dig in digits:
                if eligible[dig.channel]:
                    self._cid_digit(dig.channel, dig.digit, dig.sample, dig.sample + dig.duration)
                self.channels[dig.channel]._on_digit(dig.digit, dig.sample)
            for tev in tones:
                tone = getattr(tev, "tone", None)
                if tone in ("busy", "congestion") and type(tev).__name__ == "ToneCadence":
                    ch = self.channels[tev.channel]
                    if ch.state is ChannelState.CONNECTED:
                        log.info("channel %d: %s tone: the far end cleared", ch.index, tone)
                        ch._far_end_cleared()
            self._caller_id(t0)
            for ch in tuple(self._active_rx):
                if ch._op is not None:
                    ch._op.on_rx(self._rx_pcm[ch.index], t0)
            for ch in self._signalled:
                sig = ch.signalling
                if sig is not None and sig.rx:
                    sig.on_rx(self._rx_pcm[ch.index], t0)
        else:
            self._rx_pcm.fill(0)
            self._dtmf.fillin(self.frame_len)
            self._tones.process(self._rx_pcm)
        tx = self._tx_pcm
        tx.fill(0)
        for ch in tuple(self._active_tx):
            if ch._op is not None:
                ch._op.fill(tx[ch.index])
        for ch in self._signalled:
            sig = ch.signalling
            if sig is not None and sig.tx:
                sig.fill(tx[ch.index])
        if self._bridges:
            self._mix_bridges()
        t = clock()
        self._encode()
        t1 = clock()
        timing["dsp"] += t1 - t
        try:
            drv._write(self._idx, self._tx)
        except DriverOperationError as exc:
            if exc.code == _BL_EUNDERRUN:
                self.stats["underruns"] = self.stats.get("underruns", 0) + 1
            else:
                self._driver_error(exc)
            if exc.code == _BL_EREMOVED:
                raise
        timing["driver"] += clock() - t1
        self._run_timers()
        timing["tick"] += clock() - t_start
        return True

    def _decode(self) -> None:
        from .dsp import alaw_decode_into, ulaw_decode_into

        if self.codec == "alaw":
            alaw_decode_into(self._rx, self._rx_pcm)
        elif self.codec == "ulaw":
            ulaw_decode_into(self._rx, self._rx_pcm)
        else:
            np.copyto(self._rx_pcm, self._rx)

    def _encode(self) -> None:
        from .dsp import alaw_encode_into, ulaw_encode_into

        if self.codec == "alaw":
            alaw_encode_into(self._tx_pcm, self._tx)
        elif self.codec == "ulaw":
            ulaw_encode_into(self._tx_pcm, self._tx)
        else:
            np.copyto(self._tx, self._tx_pcm)

    def _mix_bridges(self) -> None:
        rx = self._rx_pcm
        for group in self._bridges:
            parts = [i for i in group if not (self.channels[i]._secure or self.channels[i]._muted)]
            for i in group:
                others = [j for j in parts if j != i]
                if not others:
                    continue
                acc = self._tx_pcm[i].astype(np.int32)
                for j in others:
                    acc += rx[j]
                np.clip(acc, -32768, 32767, out=acc)
                self._tx_pcm[i] = acc

    def _run_timers(self) -> None:
        self._timers.run_due(self.now)

    def _driver_error(self, exc: DriverOperationError) -> None:
        self.stats["driver_errors"] += 1
        self.errors.append(exc)
        del self.errors[:-16]
        log.warning("board %s: %s", self.url, exc)
        for ch in self.channels:
            if ch._op is not None:
                ch._op.fail(exc)

    # ---- events
    def _on_event(self, ev: DriverEvent) -> None:
        if ev.type == EventType.OVERRUN:
            self.stats["overruns"] += 1
            return
        if ev.type == EventType.REMOVED:
            for ch in self.channels:
                ch.state = ChannelState.BLOCKED
            return
        if ev.type == EventType.ALARM:
            self._on_alarm(ev)
            return
        if not 0 <= ev.channel < len(self.channels):
            return
        ch = self.channels[ev.channel]
        if ch.signalling is not None:
            ch.signalling.on_event(ev)
            return
        if ev.type == EventType.DIGIT:
            key = chr(ev.value) if 0 <= ev.value < 128 else ""
            if key in _DIGITS:
                ch._on_digit(key, ev.sample)
            return
        if ev.type == EventType.RING_ON:
            # A driver that decodes caller ID itself (a voice modem's reports) hands it over.
            take = getattr(self._driver, "_take_caller_id", None)
            msg = take(ev.channel) if take is not None else None
            if msg is not None:
                ch._cid_message, ch._cid_sample = msg, self.now
            self._on_ring(ch, ev.sample)
        elif ev.type == EventType.LOOP_DROP:
            ch._far_end_cleared()
        elif ev.type == EventType.ONHOOK and ch.type == ChannelType.FXS:
            ch._far_end_cleared()
        elif ev.type == EventType.OFFHOOK and ch.type == ChannelType.FXS:
            # A station lifted its handset: the answer of a station being rung, else an
            # inbound call from the station.
            if isinstance(ch._op, _RingOp):
                ch._op.answered()
            elif ch.state is ChannelState.IDLE:
                self._offer(ch, direction="station")
        elif ev.type == EventType.FLASH and ch.type == ChannelType.FXS:
            ch.flashes += 1  # a station's hook flash: counted for the application
            log.info("channel %d: hook flash from the station (%d ms)", ch.index, ev.value)

    def _on_alarm(self, ev: DriverEvent) -> None:
        log.warning("board %s: span alarm bits %#x", self.url, ev.value)
        for ch in self._signalled:  # the engines end their calls and block their channels
            if ch.signalling is not None:
                ch.signalling.on_event(ev)

    def _on_ring(self, ch: Channel, sample: int) -> None:
        if ch.state is ChannelState.IDLE:
            ch._abandoned = None
            ch.state = ChannelState.RINGING
            ch._rings = 0
            self._schedule_ring_watch(ch)
        elif ch.state is not ChannelState.RINGING:
            return
        ch._rings += 1
        ch._last_ring = sample
        fresh_cid = ch._cid_message is not None and self.now - ch._cid_sample < 10 * SAMPLE_RATE
        if not fresh_cid:
            ch._cid_message = None
        if (ch._rings >= 2 or fresh_cid) and not ch._offered:
            self._offer(ch)

    def _schedule_ring_watch(self, ch: Channel) -> None:
        def watch() -> None:
            if ch.state is not ChannelState.RINGING:
                return
            if self.now - ch._last_ring >= _RING_GAP_SAMPLES:
                ch._far_end_cleared()
            else:
                self._call_at(self.now + SAMPLE_RATE, watch)

        self._call_at(self.now + SAMPLE_RATE, watch)

    def _offer(self, ch: Channel, message: Any = None, **fields: Any) -> None:
        """Hand an inbound call to :meth:`wait_for_call`. ``fields`` set :class:`Call`
        attributes directly (a signalling engine gives ``number``, ``dnis``, ``data``)."""
        ch._offered = True
        if ch.state is ChannelState.IDLE:
            ch.state = ChannelState.RINGING
        self._state_changed(ch)
        call = Call(ch, "inbound", start_sample=self.now)
        msg = message if message is not None else ch._cid_message
        for key, value in fields.items():
            setattr(call, key, value)
        if msg is not None:
            call.caller_id = msg
            call.number = getattr(msg, "number", None)
            call.name = getattr(msg, "name", None)
            call.dnis = getattr(msg, "called_number", None) or getattr(msg, "dnis", None)
        ch.call = call
        ch._cid_message = None
        log.info("channel %d: inbound call from %s", ch.index, call.number or "withheld number")
        assert self._incoming is not None
        self._incoming.put_nowait(call)

    def _caller_id(self, t0: int) -> None:
        """Caller ID on idle and ringing analog trunks.

        FSK: which channels are eligible and which carry signal is found with whole-array
        operations; a channel's FSK receiver runs only while a burst is on its line. DTMF
        caller ID needs no receiver of its own: the board's DTMF bank already hears the
        digits (:meth:`_cid_digit`); here unterminated DTMF messages time out.
        """
        if self._cid_framing:
            for i in tuple(self._cid_framing):
                framer = self._cid_framers[i]
                self._cid_messages(i, framer.expire(t0, i), t0)
                if not framer.active:
                    self._cid_framing.discard(i)
        eligible = self._cid_eligible
        if not eligible.any():
            return
        rows = np.flatnonzero(eligible)
        peaks = np.abs(self._rx_pcm[rows]).max(axis=1)  # int16 abs: -32768 stays negative
        loud = rows[(peaks >= _QUIET_PEAK) | (peaks < 0)]
        active = self._cid_active
        for i in loud.tolist():
            active[i] = t0 + _CID_HANGOVER  # keep feeding a little past the last signal
        for i in list(active):
            dec = self._cid_decoders.get(i)
            if dec is None:
                from .dsp import CallerIdDecoder

                # One receiver demodulates Bell 202 and V.23 alike.
                dec = self._cid_decoders[i] = CallerIdDecoder(standard="bell202")
            msgs = dec.process(self._rx_pcm[i])
            if t0 >= active[i]:
                msgs = msgs + dec.flush()
                dec.reset()
                del active[i]
            self._cid_messages(i, msgs, t0)

    def _cid_digit(self, i: int, digit: str, start: int, end: int) -> None:
        framer = self._cid_framers.get(i)
        if framer is None:
            from .dsp.callerid import DtmfCallerIdFramer

            framer = self._cid_framers[i] = DtmfCallerIdFramer(2 * SAMPLE_RATE)
        self._cid_messages(i, framer.digit(digit, start, end, i), start)
        if framer.active:
            self._cid_framing.add(i)

    def _cid_messages(self, i: int, msgs: list[Any], t0: int) -> None:
        ch = self.channels[i]
        for msg in msgs:
            if not getattr(msg, "valid", False):
                log.info("channel %d: invalid caller-ID message ignored", i)
                continue
            ch._cid_message = msg
            ch._cid_sample = t0
            if ch.state is ChannelState.RINGING and not ch._offered:
                self._offer(ch, msg)
