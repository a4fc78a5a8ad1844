"""Scripted phones on the station ports (FXS) of the emulated board.

On a station port the board is the exchange: it rings the phone and hears its hook. The
phones here sit on the line side of the emulated board::

    stations = board.driver.exchange.stations        # emu://?lines=2&stations=2
    stations.add_station(0, Station("8001", answer_after_rings=2, script=["press 1"]))
    stations.lift(1, ["wait 0.5", "press 8001"])      # someone picks up the phone now
    stations.place(StationCall(at=3.0, port=1, script=["press 9", "hangup"]))

Ports are numbered from 0 among the stations; station port ``p`` is board channel
``lines + p`` (:meth:`Stations.channel`).

A :class:`Station` counts the ring bursts the board sends (RING_ON line events) and lifts its
handset half a second after the end of the ``answer_after_rings``-th burst (``None``: it
never answers). After lifting it follows its ``script`` with the steps of the scripted
parties (``wait S``, ``press KEYS`` as real DTMF audio toward the board, ``say S``,
``hangup``), plus ``flash`` (a 600 ms hook flash). A :class:`StationCall` lifts the handset
of a port at a given media time and follows its script: a call from the station to the
board. While off-hook a phone listens: :meth:`Stations.heard` gives the DTMF it detected in
what the board sent, :meth:`Stations.audio` the audio itself. When the board releases the
port during a call (BL_EV_LOOP_DROP) the phone hangs up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..drivers.base import EventType
from ..dsp import DtmfDetector
from ..errors import SignalFormatError
from .parties import parse_step

__all__ = ["Station", "StationCall", "StationPort", "Stations"]

SAMPLE_RATE = 8000
_LIFT_DELAY = SAMPLE_RATE // 2  # after the last ring burst counted, the handset comes up
_FLASH_MS = 600
_AUDIO_KEEP = 60 * SAMPLE_RATE  # newest minute of what the phone heard


def _steps(script: Sequence[str | Sequence[object]]) -> list[tuple[str, object]]:
    steps: list[tuple[str, object]] = []
    for step in script:
        if isinstance(step, str) and step.strip() == "flash":
            steps.append(("flash", None))
        else:
            steps.append(parse_step(step))
    return steps


@dataclass
class Station:
    """A phone on a station port that answers when the board rings it.

    ``answer_after_rings``: lift the handset after this many ring bursts (1..100), or
    ``None`` to never answer. ``script``: what to do after lifting (see the module).
    """

    extension: str = ""
    answer_after_rings: int | None = 1
    script: list[str | Sequence[object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = self.answer_after_rings
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 100):
            raise SignalFormatError(
                f"answer_after_rings must be None or an int in 1..100, got {n!r}"
            )
        self.steps = _steps(self.script)


@dataclass
class StationCall:
    """Someone lifts the handset of station ``port`` at ``at`` media seconds and follows
    ``script`` (a call from the station to the board)."""

    at: float
    port: int
    script: list[str | Sequence[object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (isinstance(self.at, (int, float)) and 0 <= self.at < 1e6):
            raise SignalFormatError(f"station call 'at' must be seconds >= 0, got {self.at!r}")
        self.steps = _steps(self.script)


@dataclass
class StationPort:
    """What the line side knows of one station port."""

    port: int
    channel: int
    station: Station | None = None
    offhook: bool = False
    ringing: bool = False
    rings: int = 0  # ring bursts since the phone was last on-hook
    #: Every ring change the board made: (board sample, "on" | "off").
    ring_log: list[tuple[int, str]] = field(default_factory=list)
    heard: str = ""
    detector: Any = None
    audio: list[np.ndarray] = field(default_factory=list)
    audio_len: int = 0
    polarity: int = 0
    pending: list[int] = field(default_factory=list)


class Stations:
    """The phones on the emulated board's station ports (``exchange.stations``)."""

    def __init__(self, exchange: Any, first: int, count: int) -> None:
        self.exchange = exchange
        self.side = exchange.side
        self.first = first
        self.ports = [StationPort(p, first + p) for p in range(count)]

    # ------------------------------------------------------------------ scripting API
    def channel(self, port: int) -> int:
        """The board channel of station ``port``."""
        return self._port(port).channel

    def add_station(self, port: int, station: Station) -> None:
        """Put ``station`` on ``port``: it answers when the board rings it."""
        if not isinstance(station, Station):
            raise SignalFormatError(f"station must be a Station, got {station!r}")
        self._port(port).station = station

    def lift(self, port: int, script: Sequence[str | Sequence[object]] = ()) -> None:
        """Lift the handset of ``port`` now and follow ``script``."""
        self.place(StationCall(self.exchange.now / SAMPLE_RATE, port, list(script)))

    def place(self, call: StationCall) -> None:
        """Schedule a :class:`StationCall`."""
        sp = self._port(call.port)
        when = max(self.exchange.now, int(round(call.at * SAMPLE_RATE)))
        self.exchange._at(when, lambda: self._lift(sp, call.steps))

    def hang_up(self, port: int) -> None:
        """Put the handset of ``port`` down now."""
        self._hangup(self._port(port))

    def heard(self, port: int) -> str:
        """DTMF keys the phone on ``port`` heard from the board while off-hook."""
        return self._port(port).heard

    def audio(self, port: int) -> np.ndarray:
        """What the phone on ``port`` heard while off-hook (linear PCM, newest minute)."""
        sp = self._port(port)
        return np.concatenate(sp.audio) if sp.audio else np.zeros(0, np.int16)

    def rings(self, port: int) -> int:
        """Ring bursts on ``port`` since its phone was last on-hook."""
        return self._port(port).rings

    def ring_log(self, port: int) -> list[tuple[int, str]]:
        """Every ring change on ``port``: (board sample, ``"on"`` or ``"off"``)."""
        return list(self._port(port).ring_log)

    def offhook(self, port: int) -> bool:
        """True while the handset of ``port`` is off-hook."""
        return self._port(port).offhook

    def _port(self, port: int) -> StationPort:
        if not isinstance(port, int) or not 0 <= port < len(self.ports):
            raise SignalFormatError(f"station port must be 0..{len(self.ports) - 1}, got {port!r}")
        return self.ports[port]

    # ------------------------------------------------------------------ exchange hooks
    def on_board(self, ev: Any) -> bool:
        """Take a line event of a station port; False when it is not one."""
        p = ev.channel - self.first
        if not 0 <= p < len(self.ports):
            return False
        sp = self.ports[p]
        ex = self.exchange
        if ev.type == EventType.RING_ON:
            sp.ringing = True
            sp.rings += 1
            sp.ring_log.append((ev.sample, "on"))
            ex.log(sp.channel, "station_ring", str(sp.rings))
        elif ev.type == EventType.RING_OFF:
            sp.ringing = False
            sp.ring_log.append((ev.sample, "off"))
            st = sp.station
            if (
                st is not None
                and st.answer_after_rings is not None
                and sp.rings >= st.answer_after_rings
                and not sp.offhook
            ):
                self._at(sp, ex.now + _LIFT_DELAY, lambda: self._answer(sp))
        elif ev.type == EventType.POLARITY:
            sp.polarity = ev.value
        elif ev.type == EventType.LOOP_DROP:
            ex.log(sp.channel, "station_released")
            self._hangup(sp)
        return True

    def step(self, now: int) -> None:
        """Listen on the off-hook phones (called by the exchange every tick)."""
        for sp in self.ports:
            if sp.detector is None:
                continue
            codes = self.side.receive(sp.channel, 8192)
            if not len(codes):
                continue
            pcm = self.exchange._pcm(codes)
            sp.audio.append(pcm)
            sp.audio_len += len(pcm)
            while sp.audio_len - len(sp.audio[0]) >= _AUDIO_KEEP:
                sp.audio_len -= len(sp.audio.pop(0))
            for d in sp.detector.process(pcm):
                sp.heard += d.digit

    # ------------------------------------------------------------------ the phone
    def _at(self, sp: StationPort, sample: int, cb: Any) -> None:
        """Schedule ``cb`` on the exchange's clock; the phone hanging up cancels it."""
        sp.pending.append(self.exchange._at(sample, cb))

    def _answer(self, sp: StationPort) -> None:
        if sp.offhook or sp.station is None:
            return
        self.exchange.log(sp.channel, "station_answer", f"after {sp.rings} rings")
        self._lift(sp, sp.station.steps)

    def _lift(self, sp: StationPort, steps: list[tuple[str, object]]) -> None:
        if sp.offhook:
            return
        ex = self.exchange
        sp.offhook, sp.ringing, sp.heard = True, False, ""
        sp.audio.clear()
        sp.audio_len = 0
        sp.detector = DtmfDetector()
        self.side.monitor(sp.channel, True)
        self.side.signal(sp.channel, EventType.OFFHOOK, 0)
        ex.log(sp.channel, "station_offhook")
        self._run(sp, steps, ex.now)

    def _hangup(self, sp: StationPort) -> None:
        ex = self.exchange
        ex._sched.cancel_all(sp.pending)
        sp.pending.clear()
        if not sp.offhook:
            return
        sp.offhook, sp.rings, sp.detector = False, 0, None
        self.side.clear(sp.channel)
        self.side.monitor(sp.channel, False)
        self.side.signal(sp.channel, EventType.ONHOOK, 0)
        ex.log(sp.channel, "station_onhook")

    def _run(self, sp: StationPort, steps: list[tuple[str, object]], start: int) -> None:
        ex = self.exchange
        t = start
        for verb, arg in steps:
            if verb == "wait":
                t += int(float(arg) * SAMPLE_RATE)  # type: ignore[arg-type]
            elif verb == "press":
                keys = str(arg)
                pcm = ex._dtmf(keys)
                self._at(sp, t, lambda pcm=pcm, keys=keys: self._press(sp, keys, pcm))
                t += len(pcm)
            elif verb == "say":
                pcm = ex._speech(float(arg))  # type: ignore[arg-type]
                self._at(sp, t, lambda pcm=pcm: self._send(sp, pcm))
                t += len(pcm)
            elif verb == "flash":
                self._at(sp, t, lambda: self._flash(sp))
                t += _FLASH_MS * SAMPLE_RATE // 1000
            elif verb == "hangup":
                self._at(sp, t, lambda: self._hangup(sp))
                return

    def _send(self, sp: StationPort, pcm: np.ndarray) -> None:
        if sp.offhook and len(pcm):
            self.side.send(sp.channel, self.exchange._codes(pcm))

    def _press(self, sp: StationPort, keys: str, pcm: np.ndarray) -> None:
        self._send(sp, pcm)
        self.exchange.log(sp.channel, "station_press", keys)

    def _flash(self, sp: StationPort) -> None:
        if sp.offhook:
            self.side.signal(sp.channel, EventType.FLASH, _FLASH_MS)
            self.exchange.log(sp.channel, "station_flash", f"{_FLASH_MS} ms")
