"""The Python face of a board driver: one method per entry of the C ABI's function table.

:class:`Driver` is what ``Board`` talks to. Every built-in scheme (``loop://``, ``emu://``,
``cabi://``) implements it over the C ABI through cffi; a pure-Python driver (for example a
voice modem on a serial port) implements it directly. Names mirror ``bl_driver_v1_t``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "ChannelType",
    "Codec",
    "EventType",
    "Command",
    "Alarm",
    "ChannelInfo",
    "DriverEvent",
    "Driver",
    "CODEC_DTYPE",
]


class ChannelType(enum.IntEnum):
    """What sits on a channel (``bl_chan_type_t``)."""

    FXO = 1  #: analog trunk: the board is the telephone
    FXS = 2  #: analog station: the board is the exchange
    E1 = 3  #: E1 timeslot with CAS


Codec = Literal["alaw", "ulaw", "slin"]
#: numpy dtype of one frame unit per codec.
CODEC_DTYPE: dict[str, type[np.generic]] = {"alaw": np.uint8, "ulaw": np.uint8, "slin": np.int16}
CODEC_FROM_C = {8: "alaw", 0x100: "ulaw", 0: "slin"}


class EventType(enum.IntEnum):
    """Events a driver reports (``bl_event_type_t``)."""

    RING_ON = 1
    RING_OFF = 2
    OFFHOOK = 3
    ONHOOK = 4
    FLASH = 5
    POLARITY = 6
    CAS = 7
    ALARM = 8
    OVERRUN = 9
    UNDERRUN = 10
    REMOVED = 11
    LOOP_DROP = 12
    DIGIT = 13  #: value = the key's ASCII code, detected by the hardware


class Command(enum.IntEnum):
    """Commands a driver executes (``bl_command_t``)."""

    OFFHOOK = 1
    ONHOOK = 2
    FLASH = 3
    RING_START = 4
    RING_STOP = 5
    SET_CAS = 6
    RX_GAIN = 7
    TX_GAIN = 8
    POLARITY = 9


class Alarm(enum.IntFlag):
    """E1 span alarms (``BL_ALARM_*``)."""

    NONE = 0
    LOS = 1
    AIS = 2
    RAI = 4
    LOF = 8


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """One channel as the driver describes it."""

    index: int
    type: ChannelType
    codec: Codec
    span: int = 0
    timeslot: int = 0


@dataclass(frozen=True, slots=True)
class DriverEvent:
    """One event pulled from a driver; ``sample`` is the board's sample clock."""

    type: EventType
    channel: int
    sample: int
    value: int = 0


@runtime_checkable
class Driver(Protocol):
    """A board as the library sees it, mirroring the C function table one to one.

    Frames are ``(n_channels, frame_len)`` C-contiguous arrays in the board's codec
    (``CODEC_DTYPE``). Every method raises a :class:`~boardlib.errors.DriverError`
    subclass when the driver returns an error code. ``_read`` returns 0 when no frame is
    ready yet; the board then waits on ``fileno()`` until it is readable and asks again, or,
    when ``fileno()`` is -1 or raises, asks again every quarter of a frame.

    ``fileno()`` follows the C ABI's ``event_fd`` (boardlib_abi.h): a descriptor readable
    while events are queued and, when ``_read`` can return 0, while the next frame is ready;
    the driver owns it (the board only watches it, with ``loop.add_reader``) and keeps it
    until ``_close``. The board does not wait on it for a driver that has ``_advance``.

    Optional methods the board uses when a driver has them:

    ``_advance() -> float``
        Called once per tick before ``_read``: prepare the next frame, return the wall
        seconds to wait before reading it (the emulated board's media clock).
    ``_take_caller_id(channel) -> CallerIdMessage | None``
        Caller ID the driver decoded itself (a voice modem's reports), taken at a ring.
    ``_detect(scheme) -> list[str]``
        URLs of the boards of this kind that can be opened here (``list_boards``).
    """

    name: str
    frame_len: int

    def _open(self) -> None: ...
    def _close(self) -> None: ...
    def _channels(self) -> list[ChannelInfo]: ...
    def _read(self, channels: np.ndarray, out: np.ndarray) -> int: ...
    def _write(self, channels: np.ndarray, block: np.ndarray) -> int: ...
    def _next_event(self, timeout_ms: int = 0) -> DriverEvent | None: ...
    def _command(self, channel: int, command: Command, argument: int = 0) -> None: ...
    def _get_alarms(self, span: int) -> Alarm: ...
    def fileno(self) -> int: ...
