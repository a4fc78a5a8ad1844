"""``cabi://`` and ``loop://`` — boards reached through the vendor-neutral C board ABI.

URL grammar::

    cabi:///path/to/vendor_driver.so[?board=N[&key=value...]]
    loop://[?channels=N][&law=alaw|ulaw|slin][&frame=N][&clock=virtual|realtime]
           [&fail=OP:CODE[@N]...]

``cabi://``
    Loads a vendor driver library with ``dlopen``, checks its ``bl_driver_entry()`` table
    (ABI version, table size) and opens a board with the URL's query string passed to the
    driver's ``board_open`` unchanged. ``board`` (default 0) must be a non-negative integer;
    ``frame`` (default 160), when given, is the frame length used for reads and writes. Every
    other option is the driver's own.
``loop://``
    The built-in loop board: channels wired in pairs (0<->1, 2<->3, ...), a frame written on
    one channel is read on the other, and a command on one side is seen as an event on the
    other (OFFHOOK -> OFFHOOK, RING_START -> RING_ON, ...). ``channels`` is even (default 2,
    at most 4096), ``law`` the codec of frames (default ``alaw``), ``frame`` the samples per
    frame (1..8000, default 160). A channel's receive queue holds 32 frames; one more drops
    the oldest audio and raises OVERRUN; an empty queue reads as idle code (0xD5 A-law, 0xFF
    mu-law, 0 slin). ``clock`` is ``virtual`` (default: a read always has a frame, so the
    board runs as fast as the CPU allows) or ``realtime`` (frames arrive every frame period of
    the monotonic clock, as from a hardware board, and :meth:`CabiDriver.fileno` becomes
    readable when the next frame is due as well as while events are queued).
    ``fail=OP:CODE[@N]`` (repeatable) makes every call of OP (open, close, read, write,
    next_event, command, channel_info, event_fd) fail with the negative BL_E* CODE (-11..-1),
    or only the N-th call and later.

The emulated board (``CabiDriver.emu()``) is driven from its line side by
:class:`EmuLineSide`; its ``emu://`` URL belongs to ``boardlib.emulator``.

This module is the only one that imports the compiled cffi module ``boardlib._cabi``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from ..errors import (
    DriverInitializationError,
    DriverNotAvailableError,
    DriverOperationError,
    InvalidUrlError,
    SignalFormatError,
)
from .base import (
    CODEC_DTYPE,
    CODEC_FROM_C,
    Alarm,
    ChannelInfo,
    ChannelType,
    Codec,
    Command,
    DriverEvent,
    EventType,
)

try:
    from .. import _cabi
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "boardlib._cabi is not built: run `python -m pip install -e .` in the source tree"
    ) from exc

__all__ = [
    "ABI_VERSION",
    "CabiDriver",
    "EmuLineSide",
    "LoadedDriver",
    "error_name",
]

ffi = _cabi.ffi
lib = _cabi.lib

#: The ABI version this build of boardlib speaks (``BL_ABI_VERSION`` in boardlib_abi.h).
ABI_VERSION = 1

#: ``BL_E*`` code -> name, for messages.
ERROR_NAMES = {
    0: "BL_OK",
    -1: "BL_EINVAL",
    -2: "BL_ENODEV",
    -3: "BL_EBUSY",
    -4: "BL_ESTATE",
    -5: "BL_EIO",
    -6: "BL_ENOMEM",
    -7: "BL_ETIMEDOUT",
    -8: "BL_EREMOVED",
    -9: "BL_ENOTSUP",
    -10: "BL_EOVERRUN",
    -11: "BL_EUNDERRUN",
}

_ENODEV = -2
_ENOTSUP = -9
_INT_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1

_LOOP_OPTIONS = ("channels", "law", "frame", "clock", "fail")
_FAIL_OPS = (
    "open", "close", "read", "write", "next_event", "command", "channel_info", "event_fd"
)
_FAIL_RE = re.compile("^(" + "|".join(_FAIL_OPS) + r"):(-[0-9]{1,2})(?:@([0-9]{1,18}))?$")


def error_name(code: int) -> str:
    """The ``BL_E*`` name of a driver return code (``"BL_EIO"``), or ``"code N"``."""
    return ERROR_NAMES.get(code, f"code {code}")


def _int_arg(name: str, value: object, lo: int, hi: int) -> int:
    """An integer argument within [lo, hi], else SignalFormatError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SignalFormatError(f"{name} must be an integer in {lo}..{hi}, got {value!r}")
    v = int(value)
    if not lo <= v <= hi:
        raise SignalFormatError(f"{name} must be in {lo}..{hi}, got {v}")
    return v


class LoadedDriver:
    """A driver library opened with ``dlopen`` and its validated function table.

    Parameters
    ----------
    path:
        File system path of the shared library.

    Raises
    ------
    DriverNotAvailableError
        The library cannot be loaded, lacks ``bl_driver_entry``, or speaks another ABI
        version; the message is the loader's.
    """

    def __init__(self, path: str) -> None:
        table = ffi.new("const bl_driver_v1_t **")
        handle = ffi.new("void **")
        errbuf = ffi.new("char[]", 1024)
        rc = lib.bl_loader_open(str(path).encode(), table, handle, errbuf, len(errbuf))
        if rc < 0:
            raise DriverNotAvailableError(ffi.string(errbuf).decode(errors="replace"))
        self.path = str(path)
        self.table: Any = table[0]
        self._handle: Any = handle[0]
        self.name = ffi.string(self.table.name).decode(errors="replace")

    def close(self) -> None:
        """Unload the library. Safe to call twice."""
        if self._handle is not None:
            lib.bl_loader_close(self._handle)
            self._handle = None

    def __enter__(self) -> LoadedDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handle:
    """What the finalizer needs to release a board without holding its driver alive."""

    __slots__ = ("table", "board", "library")

    def __init__(self, table: Any, library: LoadedDriver | None) -> None:
        self.table = table
        self.board: Any = None
        self.library = library


def _release(handle: _Handle) -> int:
    """Close the board (if open) and unload the library (if any); returns board_close's code."""
    rc = 0
    if handle.board is not None:
        board, handle.board = handle.board, None
        rc = int(handle.table.board_close(board))
    if handle.library is not None:
        handle.library.close()
        handle.library = None
    return rc


class _ParsedUrl(Protocol):
    """What the URL parsers read of a :func:`urllib.parse.urlsplit` result."""

    @property
    def scheme(self) -> str: ...
    @property
    def netloc(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str: ...


class CabiDriver:
    """A board behind a ``bl_driver_v1_t`` function table, as a :class:`~.base.Driver`.

    Parameters
    ----------
    table:
        A cffi ``const bl_driver_v1_t *``.
    options:
        The string passed to the driver's ``board_open`` (``"channels=4&law=ulaw"``).
    name:
        Name reported for the driver; default: the table's name.

    The board is opened by :meth:`_open` (or by entering the context manager) and released
    by :meth:`close`. Every driver code becomes a :class:`DriverInitializationError` while
    opening and enumerating channels, a :class:`DriverOperationError` afterwards, carrying
    the code, the ABI operation and the driver's ``strerror`` text.
    """

    name: str
    frame_len: int

    def __init__(
        self,
        table: Any,
        options: str = "",
        name: str | None = None,
        *,
        library: LoadedDriver | None = None,
    ) -> None:
        if table is None or table == ffi.NULL:
            raise DriverNotAvailableError("driver table is NULL")
        if not isinstance(options, str):
            raise SignalFormatError(f"options must be a str, got {type(options).__name__}")
        self._table = table
        self.options = options
        self.name = name if name is not None else ffi.string(table.name).decode(errors="replace")
        self.frame_len = _frame_option(options)
        self._handle = _Handle(table, library)
        self._finalizer = weakref.finalize(self, _release, self._handle)
        self._infos: list[ChannelInfo] = []
        self._dtype: np.dtype[Any] = np.dtype(np.uint8)
        self._codec = "alaw"

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def loop(cls, options: str = "") -> CabiDriver:
        """The built-in loop board (channels wired in pairs), not yet opened."""
        return cls(lib.bl_loop_driver_entry(), options)

    @classmethod
    def emu(cls, options: str = "") -> CabiDriver:
        """The built-in emulated board, not yet opened; drive its line with EmuLineSide."""
        return cls(lib.bl_emu_driver_entry(), options)

    @classmethod
    def from_library(cls, path: str, options: str = "") -> CabiDriver:
        """A vendor driver library loaded with ``dlopen``, not yet opened.

        Raises
        ------
        DriverNotAvailableError
            Missing library, missing ``bl_driver_entry`` or ABI mismatch (loader's text).
        """
        library = LoadedDriver(path)
        try:
            return cls(library.table, options, library=library)
        except BaseException:
            library.close()
            raise

    @classmethod
    def _detect(cls, scheme: str = "loop") -> list[str]:
        """Boards this class can open without hardware discovery: ``loop://`` always;
        ``cabi://`` libraries are not enumerable and list nothing."""
        return ["loop://?channels=2"] if scheme == "loop" else []

    @classmethod
    def from_url(cls, url: str | _ParsedUrl) -> CabiDriver:
        """A driver for a ``loop://`` or ``cabi://`` URL (grammar in the module docstring).

        Raises
        ------
        InvalidUrlError
            Unknown scheme or option, or an option value out of range.
        DriverNotAvailableError
            ``cabi://``: the library cannot be loaded.
        """
        parts: _ParsedUrl = urlsplit(url) if isinstance(url, str) else url
        scheme = parts.scheme.lower()
        if scheme == "loop":
            return cls.loop(_loop_options(parts))
        if scheme == "cabi":
            path, options = _cabi_options(parts)
            return cls.from_library(path, options)
        raise InvalidUrlError(
            f"{scheme}:// is not handled here; accepted: loop://?channels=2&law=alaw&frame=160"
            "&clock=virtual&fail=OP:CODE[@N], cabi:///path/to/driver.so?board=0"
        )

    # -- lifetime --------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True between a successful :meth:`_open` and :meth:`close`."""
        return self._handle.board is not None

    def _open(self) -> None:
        """Open the board and enumerate its channels (no-op when already open)."""
        if self._handle.board is not None:
            return
        if not self._finalizer.alive:
            raise DriverInitializationError(_ENODEV, "board_open", "the driver was closed")
        out = ffi.new("bl_board_t **")
        rc = self._table.board_open(self.options.encode(), out)
        self._check(rc, "board_open", "init")
        self._handle.board = out[0]
        try:
            self._infos = self._channels()
        except BaseException:
            board, self._handle.board = self._handle.board, None
            self._table.board_close(board)
            raise
        self._codec = self._infos[0].codec if self._infos else "alaw"
        self._dtype = np.dtype(CODEC_DTYPE[self._codec])

    def _close(self) -> None:
        """Close the board (the library stays loaded until :meth:`close`)."""
        board = self._handle.board
        if board is None:
            return
        self._handle.board = None
        self._check(self._table.board_close(board), "board_close", "run")

    def close(self) -> None:
        """Close the board and unload the driver library. Safe to call twice.

        Raises
        ------
        DriverOperationError
            The driver reported an error while closing; the board is released anyway.
        """
        try:
            self._close()
        finally:
            self._finalizer()

    def __enter__(self) -> CabiDriver:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"<CabiDriver {self.name!r} options={self.options!r} {state}>"

    # -- errors ----------------------------------------------------------------------------

    def _strerror(self, code: int) -> str:
        text = self._table.strerror(code)
        return "" if text == ffi.NULL else ffi.string(text).decode(errors="replace")

    def _check(self, rc: int, operation: str, phase: str = "run") -> int:
        """Return rc when it is 0 or more; else raise the phase's DriverError subclass."""
        if rc >= 0:
            return rc
        cls = DriverInitializationError if phase == "init" else DriverOperationError
        raise cls(int(rc), operation, f"{error_name(int(rc))}: {self._strerror(int(rc))}")

    def _require(self, operation: str) -> Any:
        board = self._handle.board
        if board is None:
            raise DriverOperationError(_ENODEV, operation, "the board is not open")
        return board

    # -- the Driver protocol ---------------------------------------------------------------

    @property
    def codec(self) -> str:
        """Codec of the frames read and written (``"alaw"``, ``"ulaw"``, ``"slin"``)."""
        return self._codec

    @property
    def dtype(self) -> np.dtype[Any]:
        """numpy dtype of one frame unit."""
        return self._dtype

    def _channels(self) -> list[ChannelInfo]:
        """Every channel as the driver describes it."""
        board = self._handle.board
        if board is None:
            raise DriverInitializationError(_ENODEV, "channel_count", "the board is not open")
        count = self._check(self._table.channel_count(board), "channel_count", "init")
        info = ffi.new("bl_channel_info_t *")
        infos = []
        for index in range(count):
            self._check(self._table.channel_info(board, index, info), "channel_info", "init")
            try:
                ctype = ChannelType(info.type)
                codec: Codec = CODEC_FROM_C[info.codec]  # type: ignore[assignment]
            except (ValueError, KeyError):
                raise DriverInitializationError(
                    -1, "channel_info", f"channel {index}: unknown type {info.type} or codec "
                    f"{info.codec}"
                ) from None
            infos.append(ChannelInfo(index, ctype, codec, int(info.span), int(info.timeslot)))
        return infos

    def _frames_args(
        self, operation: str, channels: np.ndarray, frames: np.ndarray, writable: bool
    ) -> tuple[Any, Any, int, int]:
        if not isinstance(channels, np.ndarray) or channels.dtype != np.int32:
            raise SignalFormatError("channels must be a numpy int32 array of channel indices")
        if channels.ndim != 1 or not channels.flags.c_contiguous:
            raise SignalFormatError(
                f"channels must be one-dimensional and C-contiguous, got shape {channels.shape}"
            )
        what = "out" if writable else "block"
        if not isinstance(frames, np.ndarray) or frames.dtype != self._dtype:
            raise SignalFormatError(
                f"{what} must be a numpy {self._dtype} array (board codec {self._codec})"
            )
        if frames.ndim != 2 or frames.shape[0] != channels.shape[0]:
            raise SignalFormatError(
                f"{what} must have shape (len(channels), frame_len) = ({channels.shape[0]}, n),"
                f" got {frames.shape}"
            )
        if not 1 <= frames.shape[1] <= _INT_MAX or channels.shape[0] > _INT_MAX:
            raise SignalFormatError(f"{what} frame length must be 1..{_INT_MAX}")
        if not frames.flags.c_contiguous:
            raise SignalFormatError(f"{what} must be C-contiguous")
        if writable and not frames.flags.writeable:
            raise SignalFormatError("out must be writable")
        board = self._require(operation)
        ch = ffi.from_buffer("int32_t[]", channels)
        return board, ch, int(channels.shape[0]), int(frames.shape[1])

    def _read(self, channels: np.ndarray, out: np.ndarray) -> int:
        """Read one frame per channel into ``out`` (shape ``(len(channels), frame_len)``).

        Returns the number of frames read (0 when the driver has none ready yet).
        """
        board, ch, n, frame_len = self._frames_args("read", channels, out, True)
        buf = ffi.from_buffer(out, require_writable=True)
        return self._check(self._table.read(board, ch, n, buf, frame_len), "read")

    def _write(self, channels: np.ndarray, block: np.ndarray) -> int:
        """Write one frame per channel from ``block``; returns the frames written."""
        board, ch, n, frame_len = self._frames_args("write", channels, block, False)
        buf = ffi.from_buffer(block)
        return self._check(self._table.write(board, ch, n, buf, frame_len), "write")

    def _next_event(self, timeout_ms: int = 0) -> DriverEvent | None:
        """The next event, waiting up to ``timeout_ms`` (0: poll); None when there is none.

        Events of a type this library does not know are skipped.
        """
        timeout = _int_arg("timeout_ms", timeout_ms, 0, _INT_MAX)
        board = self._require("next_event")
        event = ffi.new("bl_event_t *")
        while True:
            rc = self._check(self._table.next_event(board, timeout, event), "next_event")
            if rc == 0:
                return None
            try:
                etype = EventType(event.type)
            except ValueError:
                timeout = 0
                continue
            return DriverEvent(etype, int(event.channel), int(event.sample), int(event.value))

    def _command(self, channel: int, command: Command, argument: int = 0) -> None:
        """Execute a command (``Command``) on a channel."""
        ch = _int_arg("channel", channel, -(2**31), _INT_MAX)
        cmd = _int_arg("command", command, -(2**31), _INT_MAX)
        arg = _int_arg("argument", argument, -(2**63), _INT64_MAX)
        board = self._require("command")
        self._check(self._table.command(board, ch, cmd, arg), "command")

    def _get_alarms(self, span: int) -> Alarm:
        """The span's alarm bits."""
        s = _int_arg("span", span, -(2**31), _INT_MAX)
        board = self._require("get_alarms")
        return Alarm(self._check(self._table.get_alarms(board, s), "get_alarms"))

    def fileno(self) -> int:
        """The board's event fd (``event_fd``), or -1 when the driver has none (BL_ENOTSUP).

        It is readable while events are queued and, on a board paced by its own clock, while
        a frame is ready on every channel (the ABI's rules, in ``boardlib_abi.h``). It belongs
        to the driver: poll it, never read or close it.

        Raises
        ------
        DriverOperationError
            The driver returned another error code.
        """
        board = self._require("event_fd")
        rc = int(self._table.event_fd(board))
        if rc == _ENOTSUP:
            return -1
        return self._check(rc, "event_fd")


def _frame_option(options: str) -> int:
    for key, value in parse_qsl(options, keep_blank_values=True):
        if key == "frame":
            try:
                frame = int(value)
            except ValueError:
                return 160
            return frame if frame > 0 else 160
    return 160


def _loop_options(parts: _ParsedUrl) -> str:
    accepted = (
        "loop://?channels=N(even)&law=alaw|ulaw|slin&frame=1..8000&clock=virtual|realtime"
        "&fail=OP:CODE[@N]"
    )
    if parts.netloc or parts.path not in ("", "/"):
        raise InvalidUrlError(f"loop:// takes no host or path; accepted form: {accepted}")
    items: list[str] = []
    seen: set[str] = set()
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise InvalidUrlError(f"malformed loop:// query {parts.query!r}: {accepted}") from exc
    for key, value in pairs:
        if key not in _LOOP_OPTIONS:
            raise InvalidUrlError(
                f"unknown loop:// option {key!r}; accepted: {', '.join(_LOOP_OPTIONS)} ({accepted})"
            )
        if key in seen and key != "fail":
            raise InvalidUrlError(f"loop:// option {key!r} is given twice")
        seen.add(key)
        if key == "channels":
            if not value.isdigit() or int(value) < 2 or int(value) > 4096 or int(value) % 2:
                raise InvalidUrlError(
                    f"loop:// channels must be an even integer 2..4096, got {value!r}"
                )
        elif key == "frame":
            if not value.isdigit() or not 1 <= int(value) <= 8000:
                raise InvalidUrlError(f"loop:// frame must be an integer 1..8000, got {value!r}")
        elif key == "law":
            if value not in ("alaw", "ulaw", "slin"):
                raise InvalidUrlError(f"loop:// law must be alaw, ulaw or slin, got {value!r}")
        elif key == "clock":
            if value not in ("virtual", "realtime"):
                raise InvalidUrlError(
                    f"loop:// clock must be virtual or realtime, got {value!r}"
                )
        else:
            m = _FAIL_RE.match(value)
            bad_n = m is not None and m.group(3) is not None and int(m.group(3)) < 1
            if m is None or not -11 <= int(m.group(2)) <= -1 or bad_n:
                raise InvalidUrlError(
                    f"loop:// fail must be OP:CODE[@N] with OP one of {', '.join(_FAIL_OPS)}, "
                    f"CODE -11..-1 and N >= 1, got {value!r}"
                )
        items.append(f"{key}={value}")
    return "&".join(items)


def _cabi_options(parts: _ParsedUrl) -> tuple[str, str]:
    accepted = "cabi:///path/to/driver.so?board=0[&driver options]"
    if parts.netloc not in ("", "localhost"):
        raise InvalidUrlError(f"cabi:// takes a local path, not host {parts.netloc!r}: {accepted}")
    if not parts.path or parts.path == "/":
        raise InvalidUrlError(f"cabi:// needs the driver library path: {accepted}")
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "board" and not value.isdigit():
            raise InvalidUrlError(f"cabi:// board must be a non-negative integer, got {value!r}")
        if key == "frame" and (not value.isdigit() or int(value) < 1):
            raise InvalidUrlError(f"cabi:// frame must be a positive integer, got {value!r}")
    return parts.path, parts.query


class EmuLineSide:
    """The line side of an emulated board (``CabiDriver.emu()``): what the exchange drives.

    Audio is in the board's codec units (numpy ``uint8`` for A-law/mu-law, ``int16`` for
    slin). Every call raises :class:`DriverOperationError` on a driver code (``BL_EREMOVED``
    after the board was removed, ``BL_ENODEV`` for a bad channel).

    Parameters
    ----------
    driver:
        An opened emulated board.
    """

    def __init__(self, driver: CabiDriver) -> None:
        if not isinstance(driver, CabiDriver) or driver._table != lib.bl_emu_driver_entry():
            raise TypeError("EmuLineSide needs a board made by CabiDriver.emu()")
        driver._require("bl_emu_line")
        self._driver = driver

    def _board(self, operation: str) -> Any:
        return self._driver._require(operation)

    def _check(self, rc: int, operation: str) -> int:
        return self._driver._check(int(rc), operation)

    def _audio(self, name: str, data: object) -> np.ndarray:
        dtype = self._driver.dtype
        if not isinstance(data, np.ndarray) or data.dtype != dtype or data.ndim != 1:
            raise SignalFormatError(
                f"{name} must be a one-dimensional numpy {dtype} array (board codec "
                f"{self._driver.codec})"
            )
        if data.size > _INT_MAX:
            raise SignalFormatError(f"{name} is longer than {_INT_MAX} units")
        return np.ascontiguousarray(data)

    @staticmethod
    def _ch(ch: int) -> int:
        return _int_arg("ch", ch, -(2**31), _INT_MAX)

    def tick(self) -> int:
        """Advance the board clock by one frame; returns the new clock (samples)."""
        return self._check(lib.bl_emu_tick(self._board("bl_emu_tick")), "bl_emu_tick")

    def now(self) -> int:
        """The board clock (samples)."""
        return self._check(lib.bl_emu_now(self._board("bl_emu_now")), "bl_emu_now")

    def send(self, ch: int, data: np.ndarray) -> int:
        """Queue audio the board will read on channel ``ch``; returns the units queued."""
        c = self._ch(ch)
        arr = self._audio("data", data)
        board = self._board("bl_emu_line_send")
        buf = ffi.from_buffer(arr) if arr.size else ffi.NULL
        return self._check(lib.bl_emu_line_send(board, c, buf, arr.size), "bl_emu_line_send")

    def send_many(self, channels: Iterable[int], arrays: Sequence[np.ndarray]) -> None:
        """``send(ch, a)`` for each pair of ``zip(channels, arrays)``."""
        chans = list(channels)
        if len(chans) != len(arrays):
            raise SignalFormatError(
                f"channels and arrays must have the same length ({len(chans)} != {len(arrays)})"
            )
        for ch, data in zip(chans, arrays, strict=True):
            self.send(ch, data)

    def clear(self, ch: int) -> None:
        """Drop the audio still queued for channel ``ch``."""
        c = self._ch(ch)
        self._check(lib.bl_emu_line_clear(self._board("bl_emu_line_clear"), c), "bl_emu_line_clear")

    def queued(self, ch: int) -> int:
        """Units still queued for the board on channel ``ch``."""
        c = self._ch(ch)
        board = self._board("bl_emu_line_queued")
        return self._check(lib.bl_emu_line_queued(board, c), "bl_emu_line_queued")

    def set_loop(self, ch: int, data: np.ndarray | None) -> None:
        """Repeat ``data`` on channel ``ch`` while nothing is queued; None removes it."""
        c = self._ch(ch)
        board = self._board("bl_emu_line_set_loop")
        if data is None or (isinstance(data, np.ndarray) and data.size == 0):
            rc = lib.bl_emu_line_set_loop(board, c, ffi.NULL, 0)
        else:
            arr = self._audio("data", data)
            rc = lib.bl_emu_line_set_loop(board, c, ffi.from_buffer(arr), arr.size)
        self._check(rc, "bl_emu_line_set_loop")

    def receive(self, ch: int, max_units: int | None = None) -> np.ndarray:
        """The audio the board wrote on ``ch`` (monitoring on), oldest first.

        ``max_units`` bounds the count; None takes everything captured.
        """
        c = self._ch(ch)
        board = self._board("bl_emu_line_receive")
        if max_units is not None:
            limit = _int_arg("max_units", max_units, 0, _INT_MAX)
            out = np.empty(limit, dtype=self._driver.dtype)
            buf = ffi.from_buffer(out, require_writable=True) if limit else ffi.NULL
            got = self._check(lib.bl_emu_line_receive(board, c, buf, limit), "bl_emu_line_receive")
            return out[:got]
        chunks = []
        while True:
            out = np.empty(8000, dtype=self._driver.dtype)
            buf = ffi.from_buffer(out, require_writable=True)
            got = self._check(lib.bl_emu_line_receive(board, c, buf, 8000), "bl_emu_line_receive")
            chunks.append(out[:got])
            if got < 8000:
                break
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

    def monitor(self, ch: int, on: bool = True) -> None:
        """Keep (on) or discard (off) what the board writes on channel ``ch``."""
        c = self._ch(ch)
        board = self._board("bl_emu_line_monitor")
        self._check(lib.bl_emu_line_monitor(board, c, 1 if on else 0), "bl_emu_line_monitor")

    def signal(self, ch: int, type: EventType, value: int = 0) -> None:
        """Raise a board event on channel ``ch`` (ring, polarity, loop drop, hook, CAS)."""
        c = self._ch(ch)
        t = _int_arg("type", type, -(2**31), _INT_MAX)
        v = _int_arg("value", value, -(2**31), _INT_MAX)
        board = self._board("bl_emu_line_signal")
        self._check(lib.bl_emu_line_signal(board, c, t, v), "bl_emu_line_signal")

    def next_event(self) -> DriverEvent | None:
        """What the board did to the line (hook, flash, CAS), oldest first; None if nothing."""
        board = self._board("bl_emu_line_next_event")
        event = ffi.new("bl_event_t *")
        rc = self._check(lib.bl_emu_line_next_event(board, event), "bl_emu_line_next_event")
        if rc == 0:
            return None
        return DriverEvent(
            EventType(event.type), int(event.channel), int(event.sample), int(event.value)
        )

    def hook(self, ch: int) -> bool:
        """True when the board holds channel ``ch`` off-hook."""
        c = self._ch(ch)
        board = self._board("bl_emu_line_hook")
        return bool(self._check(lib.bl_emu_line_hook(board, c), "bl_emu_line_hook"))

    def set_alarm(self, span: int, bits: Alarm | int) -> None:
        """Set an E1 span's alarms (spans count from 1; 0 clears); raises BL_EV_ALARM."""
        s = _int_arg("span", span, -(2**31), _INT_MAX)
        b = _int_arg("bits", int(bits), -(2**31), _INT_MAX)
        board = self._board("bl_emu_set_alarm")
        self._check(lib.bl_emu_set_alarm(board, s, b), "bl_emu_set_alarm")

    def fault(self, spec: str) -> None:
        """Inject a fault: ``"read:-5"``, ``"write:-5@3"``, ``"overrun"``, ``"remove"``."""
        if not isinstance(spec, str) or "\0" in spec:
            raise SignalFormatError(f"spec must be a fault string, got {spec!r}")
        board = self._board("bl_emu_fault")
        self._check(lib.bl_emu_fault(board, spec.encode()), "bl_emu_fault")
