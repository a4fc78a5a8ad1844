"""Caller ID: message parsing and building (SDMF/MDMF, DTMF), the decoder and the encoder.

What it does
------------
* :func:`parse_message` turns the bytes of one FSK caller-ID message (type, length, data,
  checksum) into a :class:`CallerIdMessage`; it never raises: a bad checksum, a length that
  does not match, a parameter running past the data or a truncated burst give
  ``valid=False`` with the reason in ``error``, and whatever could be read is kept.
* :func:`build_sdmf`, :func:`build_mdmf`, :func:`build_mwi` build message bytes (checksum
  included); :class:`CallerIdEncoder` / :func:`encode` turn them into the exact signal
  (channel seizure, mark signal, 8N1 characters, post-amble) or into DTMF caller-ID strings.
* :class:`CallerIdDecoder` takes int16 frames and returns messages: FSK (Bell 202 / V.23,
  with or without channel seizure) and DTMF caller ID (all the variants below).

Message types (Telcordia GR-30, ETSI EN 300 659-3): 0x04 SDMF caller ID (MMDDHHMM +
number), 0x06 SDMF message waiting (0x42 x 3 on, 0x6F x 3 off), 0x80 MDMF caller ID, 0x82
MDMF message waiting, 0x86 charge, 0x89 SMS. MDMF parameters: 0x01 date/time, 0x02 calling
number, 0x03 called number, 0x04 reason for absence of number, 0x05 redirection, 0x06 call
qualifier, 0x07 name, 0x08 reason for absence of name, 0x0B visual indicator, 0x11 call
type, 0x13 number of messages, 0x1A redirecting number; unknown parameters are kept raw in
``params``. The checksum is the two's complement of the modulo-256 sum of all bytes before it.

DTMF caller ID (spandsp's variants, and China's):

* ``A<number>[D<redirected>][B<info>]C`` — info ``00`` number unavailable, ``10`` private;
* ``A<number>#``; ``D1#`` private, ``D2#`` international, ``D3#`` unavailable;
* ``D<number>C`` (Taiwan, Kuwait); ``<number>#`` (no start character);
* China: start character any of ``A B C D * #``, end character any of those, number only.

A DTMF message without its end character is closed after ``dtmf_timeout_ms`` of silence
and returned with ``valid=False``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SignalFormatError
from ._fsk import (
    FSK_BELL202,
    FSK_V23,
    CallerIdReceiver,
    CallerIdReceiverBank,
    FskSpec,
    RawMessage,
    fsk_modulate,
)

__all__ = [
    "CallerIdFormat",
    "AbsenceReason",
    "CallerIdMessage",
    "CallerIdDecoder",
    "CallerIdDecoderBank",
    "CallerIdEncoder",
    "DtmfCallerIdFramer",
    "encode",
    "encode_dtmf",
    "parse_message",
    "parse_dtmf",
    "build_sdmf",
    "build_mdmf",
    "build_mwi",
    "checksum",
    "decode_file_samples",
    "message_to_json",
]

SAMPLE_RATE = 8000


class CallerIdFormat(enum.IntEnum):
    """Message type byte (the DTMF form has no byte: 0x100)."""

    SDMF = 0x04
    SDMF_MWI = 0x06
    MDMF = 0x80
    MDMF_MWI = 0x82
    MDMF_CHARGE = 0x86
    MDMF_SMS = 0x89
    DTMF = 0x100


# Not enum.StrEnum (ruff UP042): str() and format() of a member would give its value instead
# of "AbsenceReason.NAME", a change seen by callers.
class AbsenceReason(str, enum.Enum):  # noqa: UP042
    """Why a number or name is not delivered."""

    OUT_OF_AREA = "out_of_area"      # 'O' (GR-30, ETSI); overseas
    PRIVATE = "private"              # 'P'; DTMF B10, D1
    COIN = "coin"                    # 'C' coin / call box
    LONG_DISTANCE = "long_distance"  # 'L'
    SERVICE_CONFLICT = "service_conflict"  # 'S'
    INTERNATIONAL = "international"  # 'I'; DTMF D2
    UNAVAILABLE = "unavailable"      # DTMF B00, D3
    UNKNOWN = "unknown"              # any other code


_ABSENCE_CODES = {
    "O": AbsenceReason.OUT_OF_AREA,
    "P": AbsenceReason.PRIVATE,
    "C": AbsenceReason.COIN,
    "L": AbsenceReason.LONG_DISTANCE,
    "S": AbsenceReason.SERVICE_CONFLICT,
    "I": AbsenceReason.INTERNATIONAL,
}
_ABSENCE_LETTERS = {v: k for k, v in _ABSENCE_CODES.items()}

P_DATETIME = 0x01
P_NUMBER = 0x02
P_CALLED = 0x03
P_ABSENCE_NUMBER = 0x04
P_REDIRECTION = 0x05
P_QUALIFIER = 0x06
P_NAME = 0x07
P_ABSENCE_NAME = 0x08
P_VISUAL_INDICATOR = 0x0B
P_CALL_TYPE = 0x11
P_MESSAGE_COUNT = 0x13
P_REDIRECTING_NUMBER = 0x1A


@dataclass(frozen=True, slots=True)
class CallerIdMessage:
    """One caller-ID message, FSK or DTMF.

    ``valid`` is False when the checksum or the structure is wrong (``error`` says why);
    fields are filled from whatever could be read. ``params`` holds every MDMF parameter
    as ``(type, bytes)`` in order, unknown ones included; ``raw`` the message bytes (or,
    for DTMF, the digit string encoded as ASCII). ``sample`` is where the burst or the
    first digit started; ``seizure`` whether a channel seizure preceded the mark signal.
    """

    format: CallerIdFormat | int
    valid: bool
    number: str | None = None
    name: str | None = None
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    absence_number: AbsenceReason | None = None
    absence_name: AbsenceReason | None = None
    called_number: str | None = None
    redirecting_number: str | None = None
    redirection: int | None = None
    call_type: int | None = None
    call_qualifier: str | None = None
    message_waiting: bool | None = None
    message_count: int | None = None
    params: tuple[tuple[int, bytes], ...] = ()
    raw: bytes = b""
    error: str | None = None
    sample: int = 0
    channel: int = 0
    seizure: bool = False

    @property
    def datetime(self) -> str | None:
        """``"MM-DD HH:MM"`` when a date/time was delivered."""
        if None in (self.month, self.day, self.hour, self.minute):
            return None
        return f"{self.month:02d}-{self.day:02d} {self.hour:02d}:{self.minute:02d}"


def checksum(body: bytes) -> int:
    """The caller-ID checksum of ``body`` (type, length and data): two's complement of the sum."""
    return (-sum(body)) & 0xFF


def _text(b: bytes) -> str:
    return b.decode("latin-1")


def _absence(b: bytes) -> AbsenceReason:
    if len(b) != 1:
        return AbsenceReason.UNKNOWN
    return _ABSENCE_CODES.get(_text(b[:1]), AbsenceReason.UNKNOWN)


def _datetime(b: bytes) -> dict[str, int]:
    if len(b) != 8 or not b.isdigit():
        return {}
    mo, d, h, mi = int(b[0:2]), int(b[2:4]), int(b[4:6]), int(b[6:8])
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59):
        return {}
    return {"month": mo, "day": d, "hour": h, "minute": mi}


def parse_message(data: bytes, *, sample: int = 0, channel: int = 0, truncated: bool = False,
                  framing_errors: int = 0, seizure: bool = False) -> CallerIdMessage:
    """Parse the bytes of one FSK caller-ID message (type, length, data, checksum).

    Never raises for any byte content: problems give ``valid=False`` and ``error``.
    """
    data = bytes(data)
    errors: list[str] = []
    if truncated:
        errors.append("burst ended before the message did")
    if len(data) < 3:
        errors.append("shorter than type, length and checksum")
        if framing_errors:
            errors.append(f"{framing_errors} framing error(s)")
        mtype = data[0] if data else 0
        return CallerIdMessage(_fmt(mtype), False, raw=data, error="; ".join(errors),
                               sample=sample, channel=channel, seizure=seizure)
    mtype, length = data[0], data[1]
    if length + 3 != len(data):
        errors.append(f"length byte says {length} data bytes, {len(data) - 3} present")
    elif sum(data) & 0xFF:
        errors.append("checksum mismatch")
    body = data[2:2 + length]
    fields: dict[str, Any] = {}
    params: list[tuple[int, bytes]] = []
    if mtype == CallerIdFormat.SDMF:
        fields.update(_datetime(body[:8]))
        if len(body) < 8 or not fields:
            errors.append("SDMF date/time is not 8 digits")
        rest = body[8:]
        if len(rest) == 1 and _text(rest) in _ABSENCE_CODES:
            fields["absence_number"] = _absence(rest)
        elif rest:
            fields["number"] = _text(rest)
    elif mtype == CallerIdFormat.SDMF_MWI:
        if body == b"\x42\x42\x42":
            fields["message_waiting"] = True
        elif body == b"\x6f\x6f\x6f":
            fields["message_waiting"] = False
        else:
            errors.append("SDMF message-waiting data is neither 0x42 x 3 nor 0x6F x 3")
    elif mtype in (CallerIdFormat.MDMF, CallerIdFormat.MDMF_MWI, CallerIdFormat.MDMF_CHARGE,
                   CallerIdFormat.MDMF_SMS):
        pos = 0
        while pos < len(body):
            if pos + 2 > len(body):
                errors.append("parameter header runs past the data")
                break
            ptype, plen = body[pos], body[pos + 1]
            value = body[pos + 2: pos + 2 + plen]
            if pos + 2 + plen > len(body):
                errors.append(f"parameter 0x{ptype:02X} runs past the data")
                params.append((ptype, value))
                break
            params.append((ptype, value))
            pos += 2 + plen
        for ptype, value in params:
            _mdmf_field(fields, ptype, value)
    else:
        errors.append(f"unknown message type 0x{mtype:02X}")
    if errors and framing_errors:
        # a noisy stop bit alone does not spoil a message whose checksum holds
        errors.append(f"{framing_errors} framing error(s)")
    return CallerIdMessage(_fmt(mtype), not errors, params=tuple(params), raw=data,
                           error="; ".join(errors) or None, sample=sample, channel=channel,
                           seizure=seizure, **fields)


_FORMATS = {int(f): f for f in CallerIdFormat}


def _fmt(mtype: int) -> CallerIdFormat | int:
    return _FORMATS.get(mtype, mtype)


def _mdmf_field(fields: dict[str, Any], ptype: int, value: bytes) -> None:
    if ptype == P_DATETIME:
        fields.update(_datetime(value))
    elif ptype == P_NUMBER:
        fields["number"] = _text(value)
    elif ptype == P_CALLED:
        fields["called_number"] = _text(value)
    elif ptype == P_ABSENCE_NUMBER:
        fields["absence_number"] = _absence(value)
    elif ptype == P_NAME:
        fields["name"] = _text(value)
    elif ptype == P_ABSENCE_NAME:
        fields["absence_name"] = _absence(value)
    elif ptype == P_REDIRECTION and len(value) == 1:
        fields["redirection"] = value[0]
    elif ptype == P_QUALIFIER:
        fields["call_qualifier"] = _text(value)
    elif ptype == P_VISUAL_INDICATOR and len(value) == 1:
        fields["message_waiting"] = value[0] != 0
    elif ptype == P_CALL_TYPE and len(value) == 1:
        fields["call_type"] = value[0]
    elif ptype == P_MESSAGE_COUNT and len(value) == 1:
        fields["message_count"] = value[0]
    elif ptype == P_REDIRECTING_NUMBER:
        fields["redirecting_number"] = _text(value)


# ---------------------------------------------------------------------------------------
# Building messages


def _bytes_field(name: str, value: str | bytes) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise SignalFormatError(f"{name} must be latin-1 text, got {value!r}") from exc
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise SignalFormatError(f"{name} must be str or bytes, got {type(value).__name__}")


def _finish(mtype: int, body: bytes) -> bytes:
    if len(body) > 255:
        raise SignalFormatError(f"message data must be at most 255 bytes, got {len(body)}")
    msg = bytes([mtype, len(body)]) + body
    return msg + bytes([checksum(msg)])


def _date_bytes(month: int, day: int, hour: int, minute: int) -> bytes:
    for name, v, lo, hi in (("month", month, 1, 12), ("day", day, 1, 31), ("hour", hour, 0, 23),
                            ("minute", minute, 0, 59)):
        if not isinstance(v, int) or not lo <= v <= hi:
            raise SignalFormatError(f"{name} must be an int within {lo}..{hi}, got {v!r}")
    return f"{month:02d}{day:02d}{hour:02d}{minute:02d}".encode()


def build_sdmf(number: str | bytes | None, month: int, day: int, hour: int, minute: int, *,
               absence: AbsenceReason | str | None = None) -> bytes:
    """SDMF caller ID (0x04): MMDDHHMM then the number, or 'O'/'P' when absent."""
    if number is None:
        reason = AbsenceReason(absence) if absence is not None else AbsenceReason.OUT_OF_AREA
        tail = _ABSENCE_LETTERS.get(reason, "O").encode()
    else:
        tail = _bytes_field("number", number)
    return _finish(0x04, _date_bytes(month, day, hour, minute) + tail)


def build_mdmf(*, number: str | bytes | None = None, name: str | bytes | None = None,
               month: int | None = None, day: int | None = None, hour: int | None = None,
               minute: int | None = None, absence_number: AbsenceReason | str | None = None,
               absence_name: AbsenceReason | str | None = None,
               called_number: str | bytes | None = None,
               redirecting_number: str | bytes | None = None, call_type: int | None = None,
               extra: tuple[tuple[int, bytes], ...] = (), msg_type: int = 0x80) -> bytes:
    """MDMF message (0x80 by default) with the given parameters, in GR-30 order."""
    params: list[tuple[int, bytes]] = []
    if month is not None or day is not None or hour is not None or minute is not None:
        params.append((P_DATETIME, _date_bytes(month, day, hour, minute)))  # type: ignore[arg-type]
    if number is not None:
        params.append((P_NUMBER, _bytes_field("number", number)))
    if absence_number is not None:
        letter = _ABSENCE_LETTERS.get(AbsenceReason(absence_number), "O")
        params.append((P_ABSENCE_NUMBER, letter.encode()))
    if called_number is not None:
        params.append((P_CALLED, _bytes_field("called_number", called_number)))
    if name is not None:
        params.append((P_NAME, _bytes_field("name", name)))
    if absence_name is not None:
        letter = _ABSENCE_LETTERS.get(AbsenceReason(absence_name), "O")
        params.append((P_ABSENCE_NAME, letter.encode()))
    if call_type is not None:
        params.append((P_CALL_TYPE, bytes([call_type])))
    if redirecting_number is not None:
        params.append(
            (P_REDIRECTING_NUMBER, _bytes_field("redirecting_number", redirecting_number))
        )
    params.extend(extra)
    body = b""
    for ptype, value in params:
        if not 0 <= ptype <= 255 or len(value) > 255:
            raise SignalFormatError(
                f"parameter 0x{ptype:02X} must be at most 255 bytes, got {len(value)}"
            )
        body += bytes([ptype, len(value)]) + value
    return _finish(msg_type, body)


def build_mwi(active: bool, *, mdmf: bool = False) -> bytes:
    """Message waiting: SDMF 0x06 (0x42 x 3 / 0x6F x 3) or MDMF 0x82 (visual indicator)."""
    if mdmf:
        return _finish(0x82, bytes([P_VISUAL_INDICATOR, 1, 0xFF if active else 0x00]))
    return _finish(0x06, b"\x42\x42\x42" if active else b"\x6f\x6f\x6f")


def message_bytes(message: CallerIdMessage | bytes) -> bytes:
    """The FSK bytes of a message: ``raw`` if present, else rebuilt from the fields."""
    if isinstance(message, (bytes, bytearray)):
        return bytes(message)
    if message.raw and message.format != CallerIdFormat.DTMF:
        return message.raw
    if message.format == CallerIdFormat.SDMF:
        return build_sdmf(message.number, message.month or 1, message.day or 1, message.hour or 0,
                          message.minute or 0, absence=message.absence_number)
    if message.format in (CallerIdFormat.SDMF_MWI, CallerIdFormat.MDMF_MWI):
        return build_mwi(bool(message.message_waiting),
                         mdmf=message.format == CallerIdFormat.MDMF_MWI)
    return build_mdmf(number=message.number, name=message.name, month=message.month,
                      day=message.day, hour=message.hour, minute=message.minute,
                      absence_number=message.absence_number, absence_name=message.absence_name,
                      called_number=message.called_number,
                      redirecting_number=message.redirecting_number, call_type=message.call_type)


# ---------------------------------------------------------------------------------------
# DTMF caller ID

_DTMF_START = frozenset("ABCD*#")
_DTMF_ALL = frozenset("0123456789ABCD*#")
MAX_DTMF_DIGITS = 32


def parse_dtmf(digits: str, *, sample: int = 0, channel: int = 0,
               complete: bool = True) -> CallerIdMessage:
    """Parse a whole DTMF caller-ID string, start and end characters included.

    Never raises: an unrecognised framing gives ``valid=False`` with the digits kept.
    """
    s = str(digits)
    raw = s.encode("latin-1", "replace")
    errors: list[str] = []
    fields: dict[str, Any] = {}
    if not complete:
        errors.append("no end character before the timeout")
    if any(c not in _DTMF_ALL for c in s):
        errors.append("not a DTMF string")
    if len(s) > MAX_DTMF_DIGITS + 2:
        errors.append(f"longer than {MAX_DTMF_DIGITS} digits")
    body = s
    if s[:1] in _DTMF_START:
        start, body = s[0], s[1:]
    else:
        start = ""
    end = ""
    if complete and body and body[-1] in _DTMF_START:
        end, body = body[-1], body[:-1]
    elif complete:
        errors.append("no end character")
    if start == "D" and end == "#" and body in ("1", "2", "3"):
        fields["absence_number"] = {"1": AbsenceReason.PRIVATE, "2": AbsenceReason.INTERNATIONAL,
                                    "3": AbsenceReason.UNAVAILABLE}[body]
    elif start == "A" and end in ("C", "#") and any(c in body for c in "BD"):
        # A<number>[D<redirected>][B<info>]C
        number, rest = _split_at(body, "BD")
        fields["number"] = number or None
        while rest:
            tag, rest = rest[0], rest[1:]
            value, rest = _split_at(rest, "BD")
            if tag == "D":
                fields["redirecting_number"] = value
            elif value == "00":
                fields["absence_number"] = AbsenceReason.UNAVAILABLE
            elif value == "10":
                fields["absence_number"] = AbsenceReason.PRIVATE
            else:
                fields["call_qualifier"] = value
        if not any(c.isdigit() for c in number) and "absence_number" not in fields:
            errors.append("no number")
    else:
        if body and not body.isdigit():
            errors.append("number holds non-digit characters")
        if not body:
            errors.append("no number")
        fields["number"] = body or None
        if not start and end not in ("#", "C", ""):
            errors.append("no start character")
    return CallerIdMessage(CallerIdFormat.DTMF, not errors, raw=raw,
                           error="; ".join(errors) or None, sample=sample, channel=channel,
                           **fields)


def _split_at(s: str, stops: str) -> tuple[str, str]:
    for i, c in enumerate(s):
        if c in stops:
            return s[:i], s[i:]
    return s, ""


class DtmfCallerIdFramer:
    """Collects DTMF digits into caller-ID messages: start character, number, end character.

    For a receiver that already detects DTMF (a board's detector bank): feed each digit with
    :meth:`digit` (its start and end sample), call :meth:`expire` as time passes, and
    :meth:`flush` at the end. ``timeout`` is the silence, in samples, after which an
    unterminated message is closed (invalid).
    """

    def __init__(self, timeout: int) -> None:
        self.timeout = timeout
        self.reset()

    def reset(self) -> None:
        self.digits = ""
        self.start = 0
        self.last = 0

    def _end_set(self) -> frozenset[str]:
        first = self.digits[0]
        if first in "AD":   # B and D (after A) separate fields; A...A / D...D are China's forms
            return frozenset("C#" + first)
        if first in _DTMF_START:
            return _DTMF_START
        return frozenset("#C")

    @property
    def active(self) -> bool:
        """True while a message is being collected."""
        return bool(self.digits)

    def digit(self, d: str, sample: int, end: int, channel: int = 0) -> list[CallerIdMessage]:
        """Add a digit; return the messages it completes (or times out)."""
        out = self.expire(sample, channel)
        if not self.digits:
            self.digits = d
            self.start = sample
            self.last = end
            return out
        self.digits += d
        self.last = end
        if d in self._end_set() and len(self.digits) >= 2:
            out.append(parse_dtmf(self.digits, sample=self.start, channel=channel))
            self.reset()
        elif len(self.digits) > MAX_DTMF_DIGITS + 2:
            out.append(parse_dtmf(self.digits, sample=self.start, channel=channel, complete=False))
            self.reset()
        return out

    def expire(self, now: int, channel: int = 0) -> list[CallerIdMessage]:
        """Close a message whose last digit is older than the timeout at sample ``now``."""
        if self.digits and now - self.last > self.timeout:
            msg = parse_dtmf(self.digits, sample=self.start, channel=channel, complete=False)
            self.reset()
            return [msg]
        return []

    def flush(self, channel: int = 0) -> list[CallerIdMessage]:
        """End of stream: return a message in progress (invalid: no end character)."""
        if self.digits:
            msg = parse_dtmf(self.digits, sample=self.start, channel=channel, complete=False)
            self.reset()
            return [msg]
        return []


# ---------------------------------------------------------------------------------------
# Decoder

_STANDARDS = ("bell202", "v23", "dtmf", "auto")


def _fsk_spec(standard: str) -> FskSpec:
    return FSK_V23 if standard == "v23" else FSK_BELL202


def _check_standard(standard: str) -> str:
    if not isinstance(standard, str) or standard.lower() not in _STANDARDS:
        raise SignalFormatError(f"standard must be one of {_STANDARDS}, got {standard!r}")
    return standard.lower()


def _from_raw(r: RawMessage) -> CallerIdMessage:
    return parse_message(r.data, sample=r.sample, channel=r.channel, truncated=r.truncated,
                         framing_errors=r.framing_errors, seizure=r.seizure)


class CallerIdDecoder:
    """Caller-ID receiver: int16 frames in, :class:`CallerIdMessage` out.

    What it does: decodes FSK caller ID (Bell 202 / GR-30 CLASS or V.23 / ETSI CLIP, on-hook
    with channel seizure or off-hook without it) and DTMF caller ID; ``"auto"`` runs both
    (one FSK receiver serves Bell 202 and V.23: both centre on 1700 Hz).
    How it works: :class:`~boardlib.dsp._fsk.CallerIdReceiver` assembles the bytes, then
    :func:`parse_message` checks and parses them; DTMF digits come from
    :class:`boardlib.dsp.DtmfDetector` and are framed by start/end characters.
    Limits: FSK from -43 dBm0 (carrier threshold); a mark signal of at least 50 bits.

    Parameters
    ----------
    standard:
        ``"bell202"``, ``"v23"``, ``"dtmf"`` or ``"auto"``.
    threshold_dbm0:
        FSK carrier-detect level.
    dtmf_timeout_ms:
        Silence after which an unterminated DTMF message is closed (invalid).
    """

    def __init__(self, standard: str = "bell202", *, threshold_dbm0: float = -43.0,
                 dtmf_timeout_ms: float = 2000.0) -> None:
        self.standard = _check_standard(standard)
        self._fsk = None
        self._dtmf = None
        if self.standard != "dtmf":
            self._fsk = CallerIdReceiver(_fsk_spec(self.standard), threshold_dbm0=threshold_dbm0)
        if self.standard in ("dtmf", "auto"):
            try:
                from ._dtmf import DtmfDetector  # sibling compiled module
            except ImportError as exc:
                raise SignalFormatError(
                    "standard 'dtmf' needs boardlib.dsp.DtmfDetector, which is not built") from exc
            if not (0 < float(dtmf_timeout_ms) <= 60000):
                raise SignalFormatError(
                    f"dtmf_timeout_ms must be within 0..60000, got {dtmf_timeout_ms!r}")
            self._dtmf = DtmfDetector()
            self._framer = DtmfCallerIdFramer(int(dtmf_timeout_ms * SAMPLE_RATE / 1000))
        self._sample = 0

    def reset(self) -> None:
        """Clear all state; the timeline restarts at sample 0."""
        if self._fsk is not None:
            self._fsk.reset()
        if self._dtmf is not None:
            self._dtmf.reset()
            self._framer.reset()
        self._sample = 0

    def process(self, frame: Any) -> list[CallerIdMessage]:
        """Decode one int16 frame of any length; returns the messages that ended in it."""
        out: list[CallerIdMessage] = []
        if self._fsk is not None:
            out.extend(_from_raw(r) for r in self._fsk.process(frame))
        if self._dtmf is not None:
            pcm = np.asarray(frame)
            for d in self._dtmf.process(frame):
                out.extend(
                    self._framer.digit(d.digit, int(d.sample), int(d.sample + d.duration), 0))
            self._sample += int(pcm.shape[0]) if pcm.ndim == 1 else 0
            out.extend(self._framer.expire(self._sample, 0))
        return out

    def flush(self) -> list[CallerIdMessage]:
        """End of stream: messages in progress are returned (invalid, truncated)."""
        out: list[CallerIdMessage] = []
        if self._fsk is not None:
            out.extend(_from_raw(r) for r in self._fsk.flush())
        if self._dtmf is not None:
            for d in self._dtmf.flush():
                out.extend(
                    self._framer.digit(d.digit, int(d.sample), int(d.sample + d.duration), 0))
            out.extend(self._framer.flush(0))
        return out


class CallerIdDecoderBank:
    """FSK caller ID on many channels: ``process(int16[channels, n])`` in one nogil call."""

    def __init__(self, channels: int, standard: str = "bell202", *,
                 threshold_dbm0: float = -43.0) -> None:
        self.standard = _check_standard(standard)
        if self.standard not in ("bell202", "v23", "auto"):
            raise SignalFormatError("CallerIdDecoderBank standard must be 'bell202', 'v23' or "
                                    f"'auto', got {standard!r}")
        self._bank = CallerIdReceiverBank(channels, _fsk_spec(self.standard),
                                          threshold_dbm0=threshold_dbm0)
        self.channels = channels

    def reset(self) -> None:
        self._bank.reset()

    def process(self, block: Any) -> list[CallerIdMessage]:
        """Decode an ``int16[channels, n]`` block; messages carry their ``channel``."""
        return [_from_raw(r) for r in self._bank.process(block)]


def decode_file_samples(samples: Any, standard: str = "auto", *,
                        chunk: int = 8000) -> list[CallerIdMessage]:
    """Decode a whole recording (int16, 8000 Hz) and flush; for the command line."""
    dec = CallerIdDecoder(standard)
    pcm = np.asarray(samples)
    if pcm.dtype != np.int16 or pcm.ndim != 1:
        raise SignalFormatError(
            f"samples must be one-dimensional int16, got {pcm.dtype}{list(pcm.shape)}")
    out: list[CallerIdMessage] = []
    for i in range(0, pcm.shape[0], chunk):
        out.extend(dec.process(pcm[i:i + chunk]))
    out.extend(dec.flush())
    return out


def message_to_json(m: CallerIdMessage) -> dict[str, Any]:
    """The JSON shape: valid, format, number, name, datetime, absence, start_ms (and error)."""
    if isinstance(m.format, CallerIdFormat):
        fmt = m.format.name.lower()
    else:
        fmt = f"0x{int(m.format):02x}"
    return {
        "valid": m.valid,
        "format": fmt,
        "number": m.number,
        "name": m.name,
        "datetime": m.datetime,
        "absence": {
            "number": m.absence_number.value if m.absence_number else None,
            "name": m.absence_name.value if m.absence_name else None,
        },
        "start_ms": m.sample * 1000 / SAMPLE_RATE,
        "error": m.error,
    }


# ---------------------------------------------------------------------------------------
# Encoder


def _frame_bits(data: bytes, stop_bits: int = 1) -> list[int]:
    bits: list[int] = []
    for b in data:
        bits.append(0)
        bits.extend((b >> i) & 1 for i in range(8))
        bits.extend([1] * stop_bits)
    return bits


class CallerIdEncoder:
    """Caller-ID transmitter: message in, the exact int16 signal out.

    FSK: channel seizure (``seizure_bits`` alternating bits starting with 0; 0 for call
    waiting), ``mark_bits`` marks, the message as 8N1 characters, ``postamble_bits`` marks,
    phase-continuous at ``level_dbm0``. GR-30 on-hook defaults: 300 seizure bits, 180 marks.
    DTMF: the digit string as tone pairs (``level_dbm0`` per tone, ``on_ms``/``off_ms``).
    """

    def __init__(self, standard: str = "bell202", *, level_dbm0: float = -13.5,
                 seizure_bits: int = 300, mark_bits: int = 180, postamble_bits: int = 5,
                 on_ms: int = 70, off_ms: int = 70) -> None:
        self.standard = _check_standard(standard)
        if self.standard == "auto":
            raise SignalFormatError(
                "standard must be 'bell202', 'v23' or 'dtmf' for encoding, got 'auto'")
        for name, v, hi in (("seizure_bits", seizure_bits, 10000), ("mark_bits", mark_bits, 10000),
                            ("postamble_bits", postamble_bits, 10000), ("on_ms", on_ms, 1000),
                            ("off_ms", off_ms, 1000)):
            if not isinstance(v, int) or not 0 <= v <= hi:
                raise SignalFormatError(f"{name} must be an int within 0..{hi}, got {v!r}")
        if not -60.0 <= float(level_dbm0) <= 3.14:
            raise SignalFormatError(f"level_dbm0 must be within -60..3.14, got {level_dbm0!r}")
        self.level_dbm0 = float(level_dbm0)
        self.seizure_bits = seizure_bits
        self.mark_bits = mark_bits
        self.postamble_bits = postamble_bits
        self.on_ms = on_ms
        self.off_ms = off_ms

    def bits(self, message: CallerIdMessage | bytes) -> np.ndarray:
        """The FSK bit sequence (1 = mark) of the whole burst."""
        data = message_bytes(message)
        bits = [i & 1 for i in range(self.seizure_bits)]
        bits += [1] * self.mark_bits
        bits += _frame_bits(data)
        bits += [1] * self.postamble_bits
        return np.asarray(bits, dtype=np.uint8)

    def encode(self, message: CallerIdMessage | bytes | str) -> np.ndarray:
        """The int16 signal of one message (a DTMF string for the ``"dtmf"`` standard)."""
        if self.standard == "dtmf":
            text = message if isinstance(message, str) else _dtmf_text(message)
            return encode_dtmf(text, level_dbm0=self.level_dbm0, on_ms=self.on_ms,
                               off_ms=self.off_ms)
        if isinstance(message, str):
            raise SignalFormatError("message must be a CallerIdMessage or bytes for FSK standards")
        return fsk_modulate(self.bits(message), _fsk_spec(self.standard),
                            level_dbm0=self.level_dbm0)


def _dtmf_text(message: CallerIdMessage | bytes) -> str:
    if isinstance(message, (bytes, bytearray)):
        return bytes(message).decode("ascii")
    if message.format == CallerIdFormat.DTMF and message.raw:
        return message.raw.decode("ascii")
    if message.number:
        return "A" + message.number + "C"
    if message.absence_number == AbsenceReason.PRIVATE:
        return "D1#"
    return "D3#"


def encode(message: CallerIdMessage | bytes | str, standard: str = "bell202",
           **options: Any) -> np.ndarray:
    """One-shot :class:`CallerIdEncoder` ``(standard, **options).encode(message)``."""
    return CallerIdEncoder(standard, **options).encode(message)


def encode_dtmf(digits: str, *, level_dbm0: float = -10.0, on_ms: int = 70,
                off_ms: int = 70) -> np.ndarray:
    """A DTMF caller-ID string (start and end characters included) as int16 samples."""
    from ._tone import DtmfGenerator

    if not isinstance(digits, str):
        raise SignalFormatError(f"digits must be a string of 0-9, A-D, * and #, got {digits!r}")
    return DtmfGenerator(level_dbm0=level_dbm0, on_ms=on_ms, off_ms=off_ms).render(digits)
