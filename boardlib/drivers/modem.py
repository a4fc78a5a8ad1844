"""``modem://`` — a voice modem on a serial port as a one-line board (ITU-T V.253).

URL format::

    modem:///dev/ttyACM0?baud=115200&codec=auto&cid=1&timeout=2&speed=1

``baud``     serial speed, 300–4000000 (default 115200)
``codec``    ``auto`` (default: the best the modem offers: A-law, mu-law, 16-bit linear,
             then 8-bit unsigned linear), or one of ``alaw``, ``ulaw``, ``slin``, ``u8``
``cid``      1 (default): switch caller-ID reporting on (``AT+VCID=1``, else ``AT#CID=1``); 0: off
``timeout``  seconds to wait for the modem's answer to one command, 0.1–30 (default 2)
``speed``    pacing of frames while the modem sends no audio (on-hook, half-duplex playback):
             media seconds per wall second, 1 for real hardware (default), more for an emulated
             modem that runs faster than real time

What it does
------------
The modem gives one analog trunk (FXO) channel. Opening the board resets the modem
(``ATZ``, ``ATE0``), checks that it has a voice mode (``AT+FCLASS=?`` lists 8), enters it
(``AT+FCLASS=8``), reads the compression methods it offers (``AT+VSM=?``) and picks one,
lists its analog sources (``AT+VLS=?``), asks whether it can send and receive at once
(``AT+VTR=?``) and switches caller-ID reporting on.

``RING`` becomes a ``RING_ON`` event. The formatted caller-ID report (``DATE``, ``TIME``,
``NMBR``, ``NAME`` lines, with or without spaces around ``=``) is parsed into a
:class:`ModemCallerId`, available from :meth:`ModemDriver.caller_id`. ``Command.OFFHOOK``
answers (``AT+VLS=1``) and starts the voice data state: full duplex (``AT+VTR``) where the
modem offers it, otherwise receive (``AT+VRX``), switching to transmit (``AT+VTX``) while the
board plays something and back to receive after half a second of silence. Audio is
``<DLE>``-shielded both ways. ``Command.ONHOOK`` ends the data state and hangs up (``ATH``).

``<DLE>`` events from the modem: ``l`` (loop-current interruption), ``b`` (busy tone) and
``<DLE><ETX>`` while a call is up end it with a ``LOOP_DROP`` event; ``R`` is a ring; every
code is kept in :attr:`ModemDriver.dle_events`. DTMF digits reported while a half-duplex
modem plays (``+VTX``) become ``DIGIT`` events, since the board hears no audio then; in
receive or full-duplex mode the board detects DTMF on the audio itself.

Pacing: while the modem streams audio, the board's clock follows it (8000 samples a second,
nothing dropped): ``_read`` returns 0 until a whole frame has arrived. Otherwise frames of
silence are paced by the wall clock.

Faults: a serial port that disappears raises :class:`DriverOperationError` with code
``BL_EREMOVED`` (the board then stops); audio that stops for ``timeout`` seconds mid-call ends
the call with ``LOOP_DROP`` and re-initialises the modem (a modem that reset itself); a modem
that no longer answers raises :class:`DriverOperationError` (``BL_EIO``). Lines the driver
cannot read are logged and ignored.
"""

from __future__ import annotations

import logging
import re
import select
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np

from ..errors import (
    BoardInitializationError,
    DriverOperationError,
    InvalidUrlError,
)
from .base import Alarm, ChannelInfo, ChannelType, Command, DriverEvent, EventType

__all__ = ["ModemDriver", "ModemCallerId", "VoiceCodec", "parse_vsm", "parse_caller_id_line"]

log = logging.getLogger("boardlib.modem")

DLE = 0x10
ETX = 0x03
_FORM = "modem:///dev/ttyXXX?baud=115200&codec=auto|alaw|ulaw|slin|u8&cid=0|1&timeout=S&speed=X"
_OPTIONS = {"baud", "codec", "cid", "timeout", "speed"}
_FINAL = ("OK", "ERROR", "CONNECT", "VCON", "NO CARRIER", "BUSY", "NO DIALTONE", "NO DIAL TONE",
          "NO ANSWER")
_BL_EIO = -5
_BL_ETIMEDOUT = -7
_BL_EREMOVED = -8
_SAMPLE_RATE = 8000
#: Board codec and bytes per sample of each voice codec kind.
_KINDS = {"alaw": ("alaw", 1), "ulaw": ("ulaw", 1), "slin": ("slin", 2), "u8": ("slin", 1)}
_PREFERENCE = ("alaw", "ulaw", "slin", "u8")
_TX_HANGOVER = 25  # half-duplex: silent frames before transmit returns to receive
_CID_KEYS = ("DATE", "TIME", "NMBR", "NAME", "MESG", "DDN_NMBR")
_CID_RE = re.compile(r"^\s*(DATE|TIME|NMBR|NAME|MESG|DDN_NMBR)\s*=\s*(.*?)\s*$")


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class VoiceCodec:
    """One compression method from ``AT+VSM=?``: number, label, bits per sample, rates, and
    what the driver makes of it (``kind`` ``alaw``/``ulaw``/``slin``/``u8``, or None)."""

    number: int
    label: str
    bits: int
    rates: tuple[int, ...]
    kind: str | None


def _classify(label: str, bits: int) -> str | None:
    name = label.upper().replace("-", "").replace(" ", "").replace("_", "")
    if "ADPCM" in name or "CELP" in name:
        return None
    if "ALAW" in name and bits == 8:
        return "alaw"
    if ("ULAW" in name or "MULAW" in name) and bits == 8:
        return "ulaw"
    if bits == 16 and ("LINEAR" in name or "PCM" in name):
        return "slin"
    if bits == 8 and ("LINEAR" in name or "PCM" in name):
        return "u8"  # 8-bit linear voice data is unsigned (offset 128) on every chipset seen
    return None


def _numbers(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, _, hi = part.partition("-")
            if lo.strip().isdigit() and hi.strip().isdigit():
                a, b = int(lo), int(hi)
                out.extend(range(a, b + 1) if b - a < 64 else (a, b))
        elif part.isdigit():
            out.append(int(part))
    return tuple(out)


_VSM_RE = re.compile(r'^\s*(\d+)\s*,\s*"([^"]*)"\s*,\s*(\d+)\s*,\s*\d+\s*,\s*\(([^)]*)\)')


def parse_vsm(lines: list[str]) -> list[VoiceCodec]:
    """Parse the ``AT+VSM=?`` listing (``130,"ULAW",8,0,(8000),(0),(0)`` per line).

    Lines that do not have that shape are skipped.
    """
    found = []
    for line in lines:
        m = _VSM_RE.match(line)
        if m is None:
            continue
        number, label, bits = int(m.group(1)), m.group(2).strip(), int(m.group(3))
        rates = _numbers(m.group(4))
        found.append(VoiceCodec(number, label, bits, rates, _classify(label, bits)))
    return found


def parse_caller_id_line(line: str) -> tuple[str, str] | None:
    """``"NMBR = 5551234"`` -> ``("NMBR", "5551234")``; None for any other line."""
    m = _CID_RE.match(line)
    return (m.group(1), m.group(2)) if m else None


@dataclass(frozen=True, slots=True)
class ModemCallerId:
    """A caller-ID report as the modem printed it, with the fields the board uses.

    ``number`` is None when the modem reported ``P`` (private, ``absence_number``
    ``"private"``) or ``O`` (out of area, ``"out_of_area"``). ``lines`` keeps the report.
    """

    number: str | None = None
    name: str | None = None
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    absence_number: str | None = None
    absence_name: str | None = None
    lines: tuple[str, ...] = ()
    valid: bool = True

    @classmethod
    def from_fields(cls, fields: list[tuple[str, str]],
                    lines: list[str] | None = None) -> ModemCallerId:
        """Build from ``(key, value)`` pairs; ``lines`` are the report as printed."""
        kw: dict[str, Any] = {}
        for key, value in fields:
            if key == "DATE" and len(value) == 4 and value.isdigit():
                kw["month"], kw["day"] = int(value[:2]), int(value[2:])
            elif key == "TIME" and len(value) == 4 and value.isdigit():
                kw["hour"], kw["minute"] = int(value[:2]), int(value[2:])
            elif key == "NMBR":
                if value.upper() in ("P", "O"):
                    kw["absence_number"] = "private" if value.upper() == "P" else "out_of_area"
                elif value:
                    kw["number"] = value
            elif key == "NAME":
                if value.upper() in ("P", "O"):
                    kw["absence_name"] = "private" if value.upper() == "P" else "out_of_area"
                elif value:
                    kw["name"] = value
        shown = lines if lines is not None else [f"{k}={v}" for k, v in fields]
        return cls(lines=tuple(shown), **kw)


# --------------------------------------------------------------------------- URL


def _parse_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme != "modem":
        raise InvalidUrlError(f"not a modem:// URL: {url!r}; form: {_FORM}")
    port = unquote(parts.path)
    if parts.netloc:
        raise InvalidUrlError(f"modem:// takes a device path after three slashes, got {url!r}; "
                              f"form: {_FORM}")
    if not port or port == "/":
        raise InvalidUrlError(f"modem:// needs a serial device path, got {url!r}; form: {_FORM}")
    raw = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(raw) - _OPTIONS
    if unknown:
        raise InvalidUrlError(
            f"unknown modem:// option(s) {', '.join(sorted(unknown))}; form: {_FORM}")
    opts = {k: v[-1] for k, v in raw.items()}
    out: dict[str, Any] = {"port": port}
    if "baud" in opts:
        b = opts["baud"]
        if not b.isdigit() or not 300 <= int(b) <= 4_000_000:
            raise InvalidUrlError(
                f"modem:// option baud must be an integer in 300..4000000, got {b!r}")
        out["baud"] = int(b)
    if "codec" in opts:
        c = opts["codec"]
        if c not in ("auto", *_KINDS):
            raise InvalidUrlError(
                f"modem:// option codec must be auto, alaw, ulaw, slin or u8, got {c!r}")
        out["codec"] = c
    if "cid" in opts:
        if opts["cid"] not in ("0", "1"):
            raise InvalidUrlError(f"modem:// option cid must be 0 or 1, got {opts['cid']!r}")
        out["cid"] = opts["cid"] == "1"
    for key, lo, hi in (("timeout", 0.1, 30.0), ("speed", 0.1, 100.0)):
        if key in opts:
            try:
                value = float(opts[key])
            except ValueError:
                value = float("nan")
            if not lo <= value <= hi:
                raise InvalidUrlError(f"modem:// option {key} must be a number in {lo}..{hi}, "
                                      f"got {opts[key]!r}")
            out[key] = value
    return out


class _NoAnswer(Exception):
    def __init__(self, command: str, seen: list[str]) -> None:
        super().__init__(command)
        self.command = command
        self.seen = seen


# --------------------------------------------------------------------------- driver


class ModemDriver:
    """A V.253 voice modem as a one-channel board (see the module docstring).

    Parameters
    ----------
    port:
        Serial device path (``/dev/ttyACM0``) or any pyserial URL.
    baud, codec, cid, timeout, speed:
        As the URL options of the same names.
    """

    frame_len = 160
    tone_profile = "us"

    def __init__(self, port: str, *, baud: int = 115200, codec: str = "auto", cid: bool = True,
                 timeout: float = 2.0, speed: float = 1.0, url: str = "") -> None:
        self.name = "modem"
        self.port = port
        self.baud = baud
        self.url = url or f"modem://{port}"
        self._want_codec = codec
        self._want_cid = cid
        self.timeout = timeout
        self.speed = speed
        self._ser: Any = None
        #: What the modem said about itself while opening (command -> answer lines).
        self.capabilities: dict[str, list[str]] = {}
        self.codecs: list[VoiceCodec] = []
        self.codec: VoiceCodec | None = None
        self.duplex = False
        self.caller_id_command: str | None = None
        #: ``<DLE>`` codes received from the modem, oldest first (``(code, board sample)``).
        self.dle_events: deque[tuple[str, int]] = deque(maxlen=256)
        self._reset_state()

    def _reset_state(self) -> None:
        self._in_audio = False  # bytes from the modem are <DLE>-shielded audio
        self._expect_stream = False
        self._dle_pending = False
        self._skip_lf = False
        self._line = bytearray()
        self._rx = bytearray()
        self._results: deque[str] = deque()
        self._events: deque[DriverEvent] = deque()
        self._cid_fields: list[tuple[str, str]] = []
        self._cid_lines: list[str] = []
        self._cid_last = 0.0
        self._cid: ModemCallerId | None = None
        self._cid_fresh = False
        self._mode = "idle"  # idle, duplex, rx, tx
        self._offhook = False
        self._silent_tx = 0
        self._sample = 0
        self._due = 0.0
        self._last_audio = 0.0

    @classmethod
    def from_url(cls, url: str) -> ModemDriver:
        """Parse a ``modem://`` URL (grammar in the module docstring)."""
        opts = _parse_url(url)
        port = opts.pop("port")
        return cls(port, url=url, **opts)

    def __repr__(self) -> str:
        codec = self.codec.label if self.codec else "?"
        return f"<ModemDriver {self.port} codec={codec} duplex={self.duplex}>"

    # ------------------------------------------------------------------ serial I/O
    def _fail_removed(self, exc: BaseException, what: str) -> DriverOperationError:
        self._close_port()
        return DriverOperationError(_BL_EREMOVED, what, f"serial port {self.port} is gone: {exc}")

    def _send(self, data: bytes, what: str = "write") -> None:
        if self._ser is None:
            raise DriverOperationError(_BL_EREMOVED, what, f"serial port {self.port} is closed")
        try:
            self._ser.write(data)
        except Exception as exc:  # SerialException, OSError, termios.error
            raise self._fail_removed(exc, what) from exc

    def _pump(self, wait: float = 0.0) -> None:
        """Read what the modem sent (waiting up to ``wait`` seconds for the first byte)."""
        if self._cid_fields and time.monotonic() - self._cid_last > 0.2:
            self._finish_cid()  # the report is over when no line followed for a while
        ser = self._ser
        if ser is None:
            raise DriverOperationError(_BL_EREMOVED, "read", f"serial port {self.port} is closed")
        fd = None
        if wait > 0:
            try:
                fd = ser.fileno()  # pyserial URL handlers (socket://, rfc2217://) have none
            except Exception:
                time.sleep(min(wait, 0.005))
        try:
            if fd is not None:
                select.select([fd], [], [], wait)
            n = ser.in_waiting
            data = ser.read(n) if n else b""
        except Exception as exc:
            raise self._fail_removed(exc, "read") from exc
        if data:
            self._feed(data)

    def _feed(self, data: bytes) -> None:
        i, n = 0, len(data)
        while i < n:
            if self._dle_pending:
                self._dle_pending = False
                self._on_dle(data[i])
                i += 1
                continue
            if self._in_audio:
                if self._skip_lf:
                    self._skip_lf = False
                    if data[i] == 0x0A:
                        i += 1
                        continue
                j = data.find(DLE, i)
                if j < 0:
                    self._rx += data[i:]
                    self._last_audio = time.monotonic()
                    return
                self._rx += data[i:j]
                self._last_audio = time.monotonic()
                self._dle_pending = True
                i = j + 1
                continue
            b = data[i]
            i += 1
            if b == DLE:
                self._dle_pending = True
            elif b in (0x0D, 0x0A):
                if self._line:
                    text = self._line.decode("latin-1")
                    self._line.clear()
                    self._on_line(text)
                    if self._in_audio and b == 0x0D:
                        self._skip_lf = True  # "CONNECT\r\n": the LF is not audio
                        if i < n and data[i] == 0x0A:
                            self._skip_lf = False
                            i += 1
            else:
                self._line.append(b)
                if len(self._line) > 512:
                    log.warning("modem %s: overlong line dropped", self.port)
                    self._line.clear()

    def _on_dle(self, code: int) -> None:
        if code == DLE:
            if self._in_audio:
                self._rx.append(DLE)
            return
        if code == ETX:
            if self._in_audio:
                self._in_audio = False
                if self._mode in ("duplex", "rx") and self._offhook:
                    log.info("modem %s: the modem ended the voice data state", self.port)
                    self._mode = "idle"
                    self._far_end_gone("end of voice data")
            return
        ch = chr(code)
        self.dle_events.append((ch, self._sample))
        if ch in "0123456789*#ABCD" and self._mode == "tx":
            # Half-duplex playback: the board hears no audio, so the modem's own report is
            # the only way the key reaches it (in receive or duplex mode the board's DTMF
            # detector hears the key on the audio and the report would count it twice).
            self._events.append(DriverEvent(EventType.DIGIT, 0, self._sample, code))
        elif ch in "lb":
            log.info("modem %s: <DLE>%s: the far end cleared", self.port, ch)
            self._far_end_gone(f"<DLE>{ch}")
        elif ch == "R":
            self._events.append(DriverEvent(EventType.RING_ON, 0, self._sample))

    def _far_end_gone(self, why: str) -> None:
        if self._offhook:
            self._events.append(DriverEvent(EventType.LOOP_DROP, 0, self._sample))

    def _on_line(self, text: str) -> None:
        line = text.strip()
        if not line:
            return
        if line == "RING":
            self._finish_cid()
            self._events.append(DriverEvent(EventType.RING_ON, 0, self._sample))
            return
        cid = parse_caller_id_line(line)
        if cid is not None:
            self._cid_fields.append(cid)
            self._cid_lines.append(line)
            self._cid_last = time.monotonic()
            return
        self._finish_cid()
        if line == "CONNECT" and self._expect_stream:
            self._expect_stream = False
            self._in_audio = True
            self._last_audio = time.monotonic()
        self._results.append(line)

    def _finish_cid(self) -> None:
        if self._cid_fields:
            self._cid = ModemCallerId.from_fields(self._cid_fields, self._cid_lines)
            self._cid_fresh = True
            self._cid_fields = []
            self._cid_lines = []
            log.info("modem %s: caller ID %s", self.port,
                     self._cid.number or self._cid.absence_number)

    def _at(self, command: str, timeout: float | None = None,
            stream: bool = False) -> tuple[str, list[str]]:
        """Send ``command``; return the final result code and the lines before it.

        Raises _NoAnswer when no final result code comes in time.
        """
        limit = self.timeout if timeout is None else timeout
        self._results.clear()
        self._expect_stream = stream
        self._send(command.encode("ascii") + b"\r", command)
        deadline = time.monotonic() + limit
        seen: list[str] = []
        while True:
            while self._results:
                line = self._results.popleft()
                if line == command:  # echo
                    continue
                if line in _FINAL:
                    if line != "CONNECT":
                        self._expect_stream = False
                    return line, seen
                seen.append(line)
            left = deadline - time.monotonic()
            if left <= 0:
                self._expect_stream = False
                raise _NoAnswer(command, seen)
            self._pump(min(left, 0.05))

    # ------------------------------------------------------------------ open / close
    def _open(self) -> None:
        try:
            import serial  # pyserial
        except ImportError as exc:  # pragma: no cover - depends on the environment
            from ..errors import DriverNotAvailableError

            raise DriverNotAvailableError(
                "modem:// needs pyserial (pip install pyserial)") from exc
        self._reset_state()
        try:
            self._ser = serial.serial_for_url(self.port, baudrate=self.baud, timeout=0,
                                              write_timeout=self.timeout, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise BoardInitializationError(
                f"cannot open serial port {self.port!r} at {self.baud} baud: {exc}") from exc
        try:
            self._configure()
        except BaseException:
            self._close_port()
            raise
        self._due = time.monotonic()

    def _init_error(self, what: str, command: str, seen: list[str],
                    final: str | None) -> BoardInitializationError:
        answer = " | ".join(seen + ([final] if final else [])) or "nothing"
        return BoardInitializationError(
            f"{self.port}: {what}: sent {command!r}, the device answered {answer!r}")

    def _ask(self, command: str, what: str, *, required: bool = True,
             timeout: float | None = None) -> tuple[str, list[str]]:
        try:
            final, seen = self._at(command, timeout)
        except _NoAnswer as exc:
            raise self._init_error(f"{what} (no answer within {timeout or self.timeout} s)",
                                   command, exc.seen, None) from None
        except DriverOperationError as exc:
            raise BoardInitializationError(f"{self.port}: {what}: {exc}") from exc
        self.capabilities[command] = seen + [final]
        if required and final != "OK":
            raise self._init_error(what, command, seen, final)
        return final, seen

    def _configure(self) -> None:
        """Reset the modem and set up voice mode, codec and caller ID."""
        self._send(bytes([DLE, ord("!"), DLE, ETX]) + b"\r", "reset")
        self._pump(0.05)
        self._results.clear()
        self._ask("ATZ", "not a modem (reset)", timeout=2 * self.timeout)
        self._ask("ATE0", "cannot switch command echo off")
        final, classes = self._ask("AT+FCLASS=?", "not a modem (service classes)", required=False)
        listed = ",".join(classes).replace("(", "").replace(")", "")
        if final != "OK" or "8" not in [c.strip() for c in listed.split(",")]:
            raise self._init_error("no voice mode (class 8 not listed)", "AT+FCLASS=?",
                                   classes, final)
        self._ask("AT+FCLASS=8", "voice mode refused")
        _, vsm = self._ask("AT+VSM=?", "cannot list voice compression methods")
        self.codecs = parse_vsm(vsm)
        self.codec = self._pick_codec(vsm)
        final, _ = self._ask(f"AT+VSM={self.codec.number},8000", "voice codec refused",
                             required=False)
        if final != "OK":
            self._ask(f"AT+VSM={self.codec.number},8000,0,0", "voice codec refused")
        _, vls = self._ask("AT+VLS=?", "cannot list analog sources", required=False)
        self.sources = vls
        final, _ = self._ask("AT+VTR=?", "full duplex query", required=False)
        self.duplex = final == "OK"
        self.caller_id_command = None
        if self._want_cid:
            for command in ("AT+VCID=1", "AT#CID=1"):
                final, _ = self._ask(command, "caller ID", required=False)
                if final == "OK":
                    self.caller_id_command = command
                    break
            else:
                log.warning("modem %s: no caller-ID reporting (AT+VCID=1 and AT#CID=1 refused)",
                            self.port)
        self._ask("AT+VLS=0", "cannot put the line on-hook", required=False)
        self._mode = "idle"
        self._offhook = False

    def _pick_codec(self, listing: list[str]) -> VoiceCodec:
        usable = [c for c in self.codecs if c.kind is not None and (not c.rates or 8000 in c.rates)]
        order = _PREFERENCE if self._want_codec == "auto" else (self._want_codec,)
        for kind in order:
            for c in usable:
                if c.kind == kind:
                    return c
        offered = "; ".join(listing) or "nothing"
        raise self._init_error(
            f"no usable 8 kHz voice codec (wanted {' or '.join(order)})", "AT+VSM=?",
            [offered], None)

    def _close_port(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:  # the port may already be gone
                pass

    def _close(self) -> None:
        if self._ser is None:
            return
        try:
            if self._offhook or self._mode != "idle":
                self._hang_up()
        except (DriverOperationError, _NoAnswer):
            pass
        self._close_port()

    def close(self) -> None:
        """Close the serial port (after hanging up)."""
        self._close()

    # ------------------------------------------------------------------ call control
    def _start_audio(self, mode: str) -> None:
        """Enter a voice data state: ``duplex`` (+VTR), ``rx`` (+VRX) or ``tx`` (+VTX)."""
        command = {"duplex": "AT+VTR", "rx": "AT+VRX", "tx": "AT+VTX"}[mode]
        try:
            final, seen = self._at(command, stream=mode != "tx")
        except _NoAnswer as exc:
            raise DriverOperationError(_BL_ETIMEDOUT, command,
                                       f"no answer from the modem (saw {exc.seen!r})") from None
        if final != "CONNECT":
            raise DriverOperationError(_BL_EIO, command, f"modem answered {final!r}")
        self._mode = mode
        self._silent_tx = 0
        self._last_audio = time.monotonic()
        self._due = time.monotonic()

    def _stop_audio(self) -> None:
        """Leave the voice data state (drop what is still queued) and wait for OK."""
        mode = self._mode
        if mode == "idle":
            return
        self._mode = "idle"
        if mode == "tx":
            self._send(bytes([DLE, ETX]), "end transmit")
        else:
            self._send(bytes([DLE, ord("!")]), "abort receive")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if "OK" in self._results and not self._in_audio:
                break
            self._pump(0.02)
        self._in_audio = False
        self._rx.clear()
        self._results.clear()

    def _answer(self) -> None:
        try:
            final, seen = self._at("AT+VLS=1")
        except _NoAnswer as exc:
            raise DriverOperationError(_BL_ETIMEDOUT, "AT+VLS=1",
                                       f"no answer from the modem (saw {exc.seen!r})") from None
        if final not in ("OK", "VCON"):
            raise DriverOperationError(_BL_EIO, "AT+VLS=1", f"modem answered {final!r}")
        self._offhook = True
        self._start_audio("duplex" if self.duplex else "rx")

    def _hang_up(self) -> None:
        self._stop_audio()
        self._offhook = False
        try:
            self._at("ATH")
        except _NoAnswer as exc:
            raise DriverOperationError(_BL_ETIMEDOUT, "ATH",
                                       f"no answer from the modem (saw {exc.seen!r})") from None

    def _recover(self, why: str) -> None:
        """Audio stopped mid-call: end the call and set the modem up again."""
        log.warning("modem %s: %s; ending the call and re-initialising", self.port, why)
        was_up = self._offhook
        self._mode = "idle"
        self._in_audio = False
        self._rx.clear()
        self._offhook = False
        if was_up:  # the call is over whatever the modem answers now
            self._events.append(DriverEvent(EventType.LOOP_DROP, 0, self._sample))
        self._due = time.monotonic()
        try:
            self._send(bytes([DLE, ord("!"), DLE, ETX]) + b"\r", "reset")
            self._configure()
        except (BoardInitializationError, DriverOperationError) as exc:
            if isinstance(exc, DriverOperationError) and exc.code == _BL_EREMOVED:
                raise
            raise DriverOperationError(_BL_EIO, "recover",
                                       f"the modem stopped answering after {why}: {exc}") from exc
        self._due = time.monotonic()

    def dial(self, number: str, timeout: float = 60.0) -> str:
        """Dial ``number`` in voice mode (``ATDT<number>;``); return the modem's result code.

        ``OK``/``VCON`` leave the line off-hook in the voice data state (full duplex or
        receive); ``BUSY``, ``NO DIALTONE``, ``NO ANSWER``, ``NO CARRIER`` or ``ERROR`` leave
        it on-hook.
        """
        if not number or any(c not in "0123456789*#ABCDabcdWw,P" for c in number):
            from ..errors import SignalFormatError

            raise SignalFormatError(f"number must be dial digits 0-9 * # A-D , W, got {number!r}")
        self._stop_audio()
        try:
            final, _ = self._at(f"ATDT{number};", timeout)
        except _NoAnswer:
            try:
                self._at("ATH")
            except _NoAnswer:
                pass
            return "NO ANSWER"
        if final in ("OK", "VCON"):
            self._offhook = True
            self._start_audio("duplex" if self.duplex else "rx")
        else:
            self._offhook = False
        return final

    def caller_id(self, channel: int = 0) -> ModemCallerId | None:
        """The last caller-ID report of the line (None before any)."""
        return self._cid

    def _take_caller_id(self, channel: int) -> ModemCallerId | None:
        """The caller-ID report received since the last call of this method, if any."""
        if not self._cid_fresh:
            return None
        self._cid_fresh = False
        return self._cid

    # ------------------------------------------------------------------ Driver protocol
    def _channels(self) -> list[ChannelInfo]:
        kind = self.codec.kind if self.codec is not None and self.codec.kind else "slin"
        return [ChannelInfo(0, ChannelType.FXO, _KINDS[kind][0])]  # type: ignore[arg-type]

    @property
    def _streaming(self) -> bool:
        return self._mode in ("duplex", "rx")

    def _advance(self) -> float:
        self._pump()
        if self._streaming:
            return 0.0
        return max(0.0, self._due - time.monotonic())

    def _frame_bytes(self) -> int:
        assert self.codec is not None and self.codec.kind is not None
        return self.frame_len * _KINDS[self.codec.kind][1]

    def _silence(self, out: np.ndarray) -> None:
        kind = self.codec.kind if self.codec is not None else None
        out.fill(0xD5 if kind == "alaw" else 0xFF if kind == "ulaw" else 0)

    def _read(self, channels: np.ndarray, out: np.ndarray) -> int:
        self._pump()
        now = time.monotonic()
        if self._streaming:
            need = self._frame_bytes()
            if len(self._rx) < need:
                if self._in_audio and now - self._last_audio > self.timeout:
                    self._recover(f"no audio from the modem for {self.timeout} s")
                elif (not self._in_audio and self._mode != "idle"
                      and now - self._last_audio > self.timeout):
                    self._recover("the modem left the voice data state")
                return 0
            chunk = bytes(self._rx[:need])
            del self._rx[:need]
            self._decode(chunk, out[0])
        else:
            if now < self._due:
                return 0
            period = self.frame_len / _SAMPLE_RATE / self.speed
            self._due = max(self._due + period, now - 1.0)
            self._silence(out[0])
        self._sample += self.frame_len
        return 1

    def _decode(self, chunk: bytes, row: np.ndarray) -> None:
        assert self.codec is not None
        kind = self.codec.kind
        if kind in ("alaw", "ulaw"):
            row[:] = np.frombuffer(chunk, np.uint8)
        elif kind == "slin":
            row[:] = np.frombuffer(chunk, "<i2")
        else:
            row[:] = (np.frombuffer(chunk, np.uint8).astype(np.int16) - 128) << 8

    def _encode(self, row: np.ndarray) -> bytes:
        assert self.codec is not None
        kind = self.codec.kind
        if kind in ("alaw", "ulaw"):
            data = np.ascontiguousarray(row, np.uint8).tobytes()
        elif kind == "slin":
            data = np.ascontiguousarray(row).astype("<i2").tobytes()
        else:
            data = ((row.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
        return data.replace(b"\x10", b"\x10\x10")

    def _is_silent(self, row: np.ndarray) -> bool:
        assert self.codec is not None
        kind = self.codec.kind
        if kind == "alaw":
            return bool(np.all((row == 0xD5) | (row == 0x55)))
        if kind == "ulaw":
            return bool(np.all((row == 0xFF) | (row == 0x7F)))
        return not bool(np.any(row))

    def _write(self, channels: np.ndarray, block: np.ndarray) -> int:
        if self._mode == "idle" or not self._offhook:
            return 1
        row = block[0]
        if self._mode == "rx":
            if self._is_silent(row):
                return 1
            self._stop_audio()
            self._start_audio("tx")
        elif self._mode == "tx":
            if self._is_silent(row):
                self._silent_tx += 1
                if self._silent_tx >= _TX_HANGOVER:
                    self._stop_audio()
                    self._start_audio("rx")
                    return 1
            else:
                self._silent_tx = 0
        self._send(self._encode(row))
        return 1

    def _next_event(self, timeout_ms: int = 0) -> DriverEvent | None:
        if not self._events and timeout_ms > 0:
            self._pump(timeout_ms / 1000)
        if self._events:
            return self._events.popleft()
        return None

    def _command(self, channel: int, command: Command, argument: int = 0) -> None:
        if channel != 0:
            raise DriverOperationError(-2, "command", f"a modem has one channel (0), got {channel}")
        if command == Command.OFFHOOK:
            if not self._offhook:
                self._answer()
        elif command == Command.ONHOOK:
            self._hang_up()
        elif command in (Command.RX_GAIN, Command.TX_GAIN):
            pass
        else:
            raise DriverOperationError(-9, "command", f"a voice modem cannot {command.name}")

    def _get_alarms(self, span: int) -> Alarm:
        return Alarm.NONE

    def fileno(self) -> int:
        """The serial port's descriptor (-1 when closed or for a port without one)."""
        try:
            return int(self._ser.fileno()) if self._ser is not None else -1
        except Exception:
            return -1

    @staticmethod
    def _detect() -> list[str]:
        try:
            from serial.tools import list_ports
        except ImportError:
            return []
        return [f"modem://{p.device}" for p in list_ports.comports()]
