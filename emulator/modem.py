"""An emulated voice modem on a pseudo-terminal, on a line of the emulated exchange.

:class:`EmulatedModem` owns the master side of a pseudo-terminal; a driver opens the slave
(``modem.port``) as it would open ``/dev/ttyACM0``. Behind the modem is one analog line of an
emulated board (``emu://?lines=1``) with its :class:`~boardlib.emulator.exchange.Exchange`, so
calls ring, carry caller ID, audio and keys both ways, and end with a loop drop, exactly as on
the emulated board. A thread steps the exchange 20 ms at a time, paced to the wall clock
(``speed`` media seconds per wall second), and speaks V.253 on the terminal:

* command state: ``AT``, ``ATZ``, ``ATE0/1``, ``ATI``, ``ATH``, ``ATDT<number>;``,
  ``AT+FCLASS=?/=n``, ``AT+VSM=?/=cml,vsr[,..]``, ``AT+VLS=?/=0/=1``, ``AT+VTR[=?]``,
  ``AT+VRX``, ``AT+VTX``, ``AT+VCID=0/1`` or ``AT#CID=0/1`` (by chipset), and other
  ``AT+V...=`` settings accepted; ``RING`` and the formatted caller-ID report (decoded from
  the FSK on the line with ``boardlib.dsp``);
* voice data state: ``<DLE>``-shielded audio in the chipset's codec, ``<DLE>`` events
  (DTMF digits detected on the line, ``l`` loop-current interruption, ``R`` ring), ended by
  ``<DLE><ETX>`` or ``<DLE>!`` from the DTE.

Chipsets (:data:`CHIPSETS`) differ as the real ones do: ``usr`` (U.S. Robotics: 131 ULAW,
132 ALAW, 133 LINEAR, half duplex, ``AT+VCID``, ``DATE = 0101`` with spaces), ``intel``
(MD566x numbering: 140 8-bit A-law, 129 16-bit linear, full duplex, ``AT#CID``, no spaces),
``conexant`` (8-bit unsigned PCM and ADPCM only, full duplex, ``AT+VCID``, no spaces) and
``data`` (a data/fax modem without voice class 8).

Faults: :meth:`EmulatedModem.reset` (the modem resets itself mid-call: line on-hook, command
state, factory settings, nothing said), :meth:`EmulatedModem.freeze` (the modem hangs and
never answers again), :meth:`EmulatedModem.garble` (raw bytes on the
terminal), :meth:`EmulatedModem.unplug` (the port disappears) and ``overrides`` (a command's
answer replaced by given text).
"""

from __future__ import annotations

import os
import threading
import tty
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..drivers.base import Command, EventType
from ..dsp import (
    CallerIdDecoder,
    DtmfDetector,
    DtmfGenerator,
    alaw_decode,
    alaw_encode,
    ulaw_decode,
    ulaw_encode,
)
from .driver import EmuDriver
from .parties import Callee, Caller

__all__ = ["EmulatedModem", "Chipset", "CHIPSETS"]

DLE, ETX = 0x10, 0x03
FRAME = 160


@dataclass(frozen=True)
class Chipset:
    """What an emulated modem answers: identity, service classes, ``+VSM`` listing
    (number, label, bits, rates), duplex, caller-ID command and report style."""

    name: str
    identity: str
    classes: tuple[str, ...]
    codecs: tuple[tuple[int, str, int, tuple[int, ...]], ...]
    duplex: bool
    cid_command: str  # "+VCID" or "#CID"
    cid_spaces: bool


_R3 = (7200, 8000, 11025)
CHIPSETS: dict[str, Chipset] = {
    "usr": Chipset("usr", "U.S. Robotics 56K Voice Faxmodem", ("0", "1", "1.0", "2", "8"),
                   ((1, "UNSIGNED PCM", 8, _R3), (128, "8-BIT LINEAR", 8, _R3),
                    (129, "ADPCM", 4, _R3), (130, "UNSIGNED PCM", 8, _R3),
                    (131, "ULAW", 8, (8000,)), (132, "ALAW", 8, (8000,)),
                    (133, "LINEAR", 16, (8000,))),
                   duplex=False, cid_command="+VCID", cid_spaces=True),
    "intel": Chipset("intel", "Intel MD566x", ("0", "1", "2", "8"),
                     ((0, "8-BIT LINEAR", 8, (8000,)), (1, "16-BIT LINEAR", 16, (8000,)),
                      (2, "4-BIT ADPCM", 4, (8000,)), (128, "8-BIT LINEAR", 8, (8000,)),
                      (129, "16-BIT LINEAR", 16, (8000,)), (132, "4-BIT ADPCM", 4, (8000,)),
                      (140, "8-BIT A-LAW", 8, (8000,)), (141, "3-BIT ADPCM", 3, (8000,))),
                     duplex=True, cid_command="#CID", cid_spaces=False),
    "conexant": Chipset("conexant", "Conexant HSF 56K", ("0", "1", "1.0", "8"),
                        ((1, "8-BIT UNSIGNED PCM", 8, _R3), (129, "IMA ADPCM", 4, _R3),
                         (130, "UNSIGNED PCM", 8, _R3), (140, "2-BIT ADPCM", 2, (8000,)),
                         (141, "4-BIT ADPCM", 4, (8000,))),
                        duplex=True, cid_command="+VCID", cid_spaces=False),
    "data": Chipset("data", "Generic V.90 data/fax modem", ("0", "1", "2"), (),
                    duplex=False, cid_command="+VCID", cid_spaces=False),
}


def _kind(label: str, bits: int) -> str | None:
    name = label.upper().replace("-", "").replace(" ", "")
    if "ADPCM" in name:
        return None
    if "ALAW" in name:
        return "alaw"
    if "ULAW" in name:
        return "ulaw"
    return "slin" if bits == 16 else "u8"


class EmulatedModem:
    """A voice modem on a pseudo-terminal with the emulated exchange behind it.

    Parameters
    ----------
    chipset:
        A key of :data:`CHIPSETS`.
    speed:
        Media seconds per wall second (1 is real time).
    profile:
        Tone profile of the exchange (ring cadence and tones).
    overrides:
        ``{command: answer}``: the modem answers ``command`` (upper case, as typed) with the
        given text instead (``"ERROR"``, garbage, or ``""`` for no answer at all).
    """

    def __init__(self, chipset: str = "usr", *, speed: float = 1.0, profile: str = "us",
                 seed: int = 0, overrides: dict[str, str] | None = None) -> None:
        if chipset not in CHIPSETS:
            raise ValueError(f"chipset must be one of {', '.join(CHIPSETS)}, got {chipset!r}")
        self.chipset = CHIPSETS[chipset]
        self.overrides = {k.upper(): v for k, v in (overrides or {}).items()}
        self.board = EmuDriver(lines=1, law="alaw", profile=profile, clock="realtime",
                               speed=speed, seed=seed)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        #: The serial device path a driver opens.
        self.port = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._calls: deque[Callable[[], None]] = deque()
        self._out = bytearray()
        self._frozen = False
        #: Commands received, in order (for tests and logs).
        self.commands: list[str] = []
        self.error: BaseException | None = None
        self._factory()

    # ------------------------------------------------------------------ public
    @property
    def exchange(self) -> Any:
        """The exchange behind the modem's line (use :meth:`place_call` from other threads)."""
        return self.board.exchange

    def start(self) -> EmulatedModem:
        """Open the emulated line and start the modem's thread."""
        self.board._open()
        self._thread = threading.Thread(target=self._run, name="emulated modem", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and release the terminal and the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        for fd in (self._master, self._slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = -1
        try:
            self.board._close()
        except Exception:
            pass

    def __enter__(self) -> EmulatedModem:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def place_call(self, caller: Caller) -> None:
        """Have ``caller`` ring the modem's line (``caller.at`` counts from now)."""
        def go() -> None:
            caller.at = self.exchange.now / 8000 + caller.at
            self.exchange.place_call(caller)
        self._later(go)

    def add_callee(self, callee: Callee) -> None:
        """Make ``callee`` reachable when the modem dials."""
        self._later(lambda: self.exchange.add_callee(callee))

    def listen(self) -> None:
        """Let the far party detect the DTMF the modem sends on the line (see :meth:`heard`)."""
        self._later(lambda: self.exchange.listen(0))

    def heard(self) -> str:
        """DTMF digits the far party has heard from the modem since :meth:`listen`."""
        return str(self.exchange.heard(0))

    def reset(self) -> None:
        """The modem resets itself: on-hook, command state, factory settings, silently."""
        self._later(self._do_reset)

    def freeze(self) -> None:
        """The modem hangs: it ignores the DTE and sends nothing more (the line stays as is)."""
        def go() -> None:
            self._out.clear()
            self._frozen = True
        self._later(go)

    def garble(self, data: bytes) -> None:
        """Send raw bytes to the DTE (line noise, a glitching UART)."""
        self._later(lambda: self._say_raw(data))

    def unplug(self) -> None:
        """The device disappears: the terminal hangs up."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self._master = self._slave = -1

    def results(self) -> dict[int, dict[str, Any]]:
        """The exchange's per-call outcomes (caller, keys pressed, answered, ...)."""
        with self._lock:
            return {k: dict(v) for k, v in self.exchange.results.items()}

    # ------------------------------------------------------------------ state
    def _factory(self) -> None:
        self.echo = True
        self.fclass = "0"
        self.codec: tuple[int, str, int, tuple[int, ...]] | None = None
        self.kind: str | None = None
        self.cid = False
        self.mode = "command"  # command, rx, tx, duplex, drain
        self.offhook = False
        self._cmd = bytearray()
        self._dle = False
        self._tx = bytearray()
        self._ringing = 0  # ticks left during which caller ID may arrive
        self._cid_dec: Any = None
        self._dtmf = DtmfDetector()
        self._dial: DtmfGenerator | None = None
        self._dial_wait = 0

    def _later(self, fn: Callable[[], None]) -> None:
        with self._lock:
            self._calls.append(fn)

    def _do_reset(self) -> None:
        if self.offhook:
            self.board._command(0, Command.ONHOOK)
        self._out.clear()
        self._factory()

    # ------------------------------------------------------------------ terminal
    def _say_raw(self, data: bytes) -> None:
        if self._frozen:
            return
        self._out += data
        if len(self._out) > 64000:  # the DTE is not reading: the oldest bytes are lost
            del self._out[: len(self._out) - 64000]

    def _say(self, *lines: str) -> None:
        self._say_raw(b"".join(b"\r\n" + ln.encode("latin-1") + b"\r\n" for ln in lines))

    def _flush(self) -> None:
        if not self._out or self._master < 0:
            return
        try:
            n = os.write(self._master, bytes(self._out[:4096]))
        except BlockingIOError:
            return
        del self._out[:n]

    def _input(self) -> bytes:
        try:
            return os.read(self._master, 65536)
        except (BlockingIOError, OSError):
            return b""

    def _feed(self, data: bytes) -> None:
        for b in data:
            if self._dle:
                self._dle = False
                self._dle_code(b)
            elif b == DLE:
                self._dle = True
            elif self.mode in ("tx", "duplex"):
                self._tx.append(b)
            elif self.mode == "command":
                if b in (0x0D, 0x0A):
                    if self._cmd:
                        line = self._cmd.decode("latin-1")
                        self._cmd.clear()
                        if self.echo:
                            self._say_raw(line.encode("latin-1") + b"\r")
                        self._execute(line.strip())
                elif len(self._cmd) < 256:
                    self._cmd.append(b)

    def _dle_code(self, b: int) -> None:
        if self.mode in ("tx", "duplex") and b == DLE:
            self._tx.append(DLE)
        elif b == ETX and self.mode == "tx":
            self.mode = "drain"
        elif b in (ETX, ord("!")) and self.mode in ("rx", "duplex", "tx"):
            if self.mode != "tx":
                self._say_raw(bytes([DLE, ETX]))
            self.mode = "command"
            self._tx.clear()
            self._say("OK")

    # ------------------------------------------------------------------ commands
    def _execute(self, line: str) -> None:
        self.commands.append(line)
        up = line.upper()
        if up in self.overrides:
            answer = self.overrides[up]
            if answer:
                self._say(*answer.split("\n"))
            return
        if not up.startswith("AT"):
            return
        body = up[2:]
        reply = self._command(body, line[2:])
        if reply is not None:
            self._say(*reply)

    def _command(self, body: str, raw: str) -> list[str] | None:
        chip = self.chipset
        ok, err = ["OK"], ["ERROR"]
        if body in ("", "E0", "E1", "Z", "I", "I0", "I3", "V1", "Q0", "+FCLASS?"):
            if body == "Z":
                if self.offhook:
                    self.board._command(0, Command.ONHOOK)
                self._factory()
            elif body in ("E0", "E1"):
                self.echo = body == "E1"
            elif body.startswith("I"):
                return [chip.identity, "OK"]
            elif body == "+FCLASS?":
                return [self.fclass, "OK"]
            return ok
        if body in ("H", "H0"):
            self._hook(False)
            return ok
        if body.startswith("+FCLASS="):
            arg = body[8:]
            if arg == "?":
                return [",".join(chip.classes), "OK"]
            if arg in chip.classes:
                self.fclass = arg
                return ok
            return err
        if body.startswith(("#CID=", "+VCID=")):
            want = "#CID" if body.startswith("#") else "+VCID"
            if want != chip.cid_command or body.split("=")[1] not in ("0", "1"):
                return err
            self.cid = body.endswith("1")
            return ok
        if self.fclass != "8":
            return err
        if body.startswith("D"):
            return self._dial_command(body[1:])
        if body == "+VSM=?":
            return [f'{n},"{label}",{bits},0,({",".join(map(str, rates))}),(0),(0)'
                    for n, label, bits, rates in chip.codecs] + ["OK"]
        if body.startswith("+VSM="):
            parts = body[5:].split(",")
            try:
                number, rate = int(parts[0]), int(parts[1]) if len(parts) > 1 else 8000
            except ValueError:
                return err
            for c in chip.codecs:
                if c[0] == number and rate in c[3] and _kind(c[1], c[2]) is not None:
                    self.codec, self.kind = c, _kind(c[1], c[2])
                    return ok
            return err
        if body == "+VLS=?":
            return ["0,1,2,3,4,5,6,7", "OK"]
        if body.startswith("+VLS="):
            if body[5:] not in ("0", "1"):
                return err
            self._hook(body[5:] == "1")
            return ok
        if body == "+VTR=?":
            return ok if chip.duplex else err
        if body in ("+VTR", "+VRX", "+VTX"):
            if not self.offhook or self.codec is None or (body == "+VTR" and not chip.duplex):
                return err
            self.mode = {"+VTR": "duplex", "+VRX": "rx", "+VTX": "tx"}[body]
            self._tx.clear()
            return ["CONNECT"]
        if body.startswith("+V") and "=" in body:
            return ok
        return err

    def _hook(self, off: bool) -> None:
        if off == self.offhook:
            return
        self.offhook = off
        self.board._command(0, Command.OFFHOOK if off else Command.ONHOOK)
        self._ringing = 0
        self._cid_dec = None
        self._dial = None
        if not off:
            self.mode = "command"
            self._tx.clear()

    def _dial_command(self, rest: str) -> list[str] | None:
        number = rest[1:] if rest[:1] in ("T", "P") else rest
        if not number.endswith(";"):
            return ["NO CARRIER"]  # data calls are not emulated
        digits = "".join(c for c in number[:-1] if c in "0123456789*#ABCD")
        if not digits:
            return ["ERROR"]
        self._hook(True)
        self._dial = DtmfGenerator(level_dbm0=-8.0, on_ms=80.0, off_ms=80.0)
        self._dial.put(digits)
        self._dial_wait = 25  # half a second of dial tone first
        return None  # OK once the digits are out

    # ------------------------------------------------------------------ audio
    def _to_bytes(self, pcm: np.ndarray) -> bytes:
        if self.kind == "alaw":
            data = alaw_encode(pcm).tobytes()
        elif self.kind == "ulaw":
            data = ulaw_encode(pcm).tobytes()
        elif self.kind == "slin":
            data = pcm.astype("<i2").tobytes()
        else:
            data = ((pcm.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
        return data.replace(b"\x10", b"\x10\x10")

    def _width(self) -> int:
        return 2 if self.kind == "slin" else 1

    def _from_bytes(self, data: bytes) -> np.ndarray:
        if self.kind == "alaw":
            return alaw_decode(np.frombuffer(data, np.uint8))
        if self.kind == "ulaw":
            return ulaw_decode(np.frombuffer(data, np.uint8))
        if self.kind == "slin":
            return np.frombuffer(data, "<i2").astype(np.int16)
        return ((np.frombuffer(data, np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)

    def _event(self, ev: Any) -> None:
        if ev.type == EventType.RING_ON and not self.offhook:
            self._ringing = 8 * 50
            if self.mode == "command":
                self._say("RING")
        elif ev.type == EventType.LOOP_DROP and self.offhook:
            self._say_raw(bytes([DLE, ord("l")]))

    def _caller_id(self, pcm: np.ndarray) -> None:
        if self._cid_dec is None:
            self._cid_dec = CallerIdDecoder(standard="auto")
        for msg in self._cid_dec.process(pcm):
            if not getattr(msg, "valid", False):
                continue  # modems print nothing on a checksum error
            eq = " = " if self.chipset.cid_spaces else "="
            lines = []
            if msg.month is not None and msg.hour is not None:
                lines.append(f"DATE{eq}{msg.month:02d}{msg.day:02d}")
                lines.append(f"TIME{eq}{msg.hour:02d}{msg.minute:02d}")
            if msg.number:
                lines.append(f"NMBR{eq}{msg.number}")
            elif msg.absence_number is not None:
                lines.append(f"NMBR{eq}{'P' if 'PRIV' in str(msg.absence_number).upper() else 'O'}")
            if msg.name:
                lines.append(f"NAME{eq}{msg.name}")
            if lines and self.mode == "command":
                text = b"\r\n".join(ln.encode("latin-1") for ln in lines)
                self._say_raw(b"\r\n" + text + b"\r\n")

    def _tick(self, rx: np.ndarray, tx: np.ndarray, idx: np.ndarray) -> None:
        drv = self.board
        delay = drv._advance()
        if delay > 0:
            self._stop.wait(delay)
        with self._lock:
            calls = list(self._calls)
            self._calls.clear()
        for fn in calls:
            fn()
        data = self._input()
        if data and not self._frozen:
            self._feed(data)
        while True:
            ev = drv._next_event(0)
            if ev is None:
                break
            self._event(ev)
        got = drv._read(idx, rx)
        pcm = alaw_decode(rx[0]) if got > 0 else np.zeros(FRAME, np.int16)
        if self._ringing and not self.offhook:
            self._ringing -= 1
            if self.cid:
                self._caller_id(pcm)
        if self.offhook:
            for d in self._dtmf.process(pcm):
                if self.mode != "command":
                    self._say_raw(bytes([DLE, ord(d.digit)]))
            if self.mode in ("rx", "duplex"):
                self._say_raw(self._to_bytes(pcm))
        out = np.zeros(FRAME, np.int16)
        if self.mode in ("tx", "duplex", "drain"):
            need = FRAME * self._width()
            if len(self._tx) >= need:
                out = self._from_bytes(bytes(self._tx[:need]))
                del self._tx[:need]
            elif self.mode == "drain":
                self.mode = "command"
                self._say("OK")
            if len(self._tx) > 16000 * self._width():  # transmit overrun: drop the oldest
                del self._tx[: len(self._tx) - 8000 * self._width()]
        elif self._dial is not None:
            if self._dial_wait:
                self._dial_wait -= 1
            else:
                n = self._dial.generate_into(out)
                if n == 0:
                    self._dial = None
                    self._say("OK")
        tx[0] = alaw_encode(out)
        drv._write(idx, tx)
        self._flush()

    def _run(self) -> None:
        rx = np.zeros((1, FRAME), np.uint8)
        tx = np.zeros((1, FRAME), np.uint8)
        idx = np.zeros(1, np.int32)
        try:
            while not self._stop.is_set():
                self._tick(rx, tx, idx)
        except BaseException as exc:  # reported to the test through .error
            self.error = exc
