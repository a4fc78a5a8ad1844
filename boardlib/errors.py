"""The exceptions boardlib raises, in one tree.

Every module of the library raises from this hierarchy; foreign errors are chained with
``from``. Outcomes are not errors: a busy callee, a ``get_digits`` that ended on its
timeout or a caller-ID message with a bad checksum are returned as values.

::

    BoardlibError
    ├── InvalidUrlError(BoardlibError, ValueError)      board URL or URL option not accepted
    ├── SignalFormatError(BoardlibError, ValueError)    sample buffer, parameter or file invalid
    ├── BoardInitializationError
    │   ├── DriverNotAvailableError                     library missing, ABI version mismatch
    │   └── DriverInitializationError(DriverError, …)   vendor code during open/configure
    ├── BoardOperationError
    │   ├── ChannelStateError                           operation invalid in the channel's state
    │   ├── HangupError                                 far end hung up during an operation
    │   └── DriverOperationError(DriverError, …)        vendor code at run time
    └── BoardTimeoutError(BoardlibError, TimeoutError)

``DriverError`` is a mix-in carried by both driver-code exceptions: it holds ``.code`` (the
negative ``BL_E*`` value the driver returned), ``.operation`` (the ABI call that failed) and
``.driver_message`` (the driver's own ``strerror`` text).
"""

from __future__ import annotations

__all__ = [
    "BoardlibError",
    "InvalidUrlError",
    "SignalFormatError",
    "BoardInitializationError",
    "DriverNotAvailableError",
    "DriverError",
    "DriverInitializationError",
    "BoardOperationError",
    "ChannelStateError",
    "HangupError",
    "DriverOperationError",
    "BoardTimeoutError",
]


class BoardlibError(Exception):
    """Base class of every exception raised by boardlib."""


class InvalidUrlError(BoardlibError, ValueError):
    """A board URL, its scheme or one of its query options is not accepted.

    The message restates the accepted form of the URL.
    """


class SignalFormatError(BoardlibError, ValueError):
    """A sample buffer, a signal parameter or an audio file is not acceptable.

    Raised for a wrong dtype or shape, a non-contiguous or read-only output array, NaN or
    infinite parameters, frequencies at or above Nyquist, negative durations, unknown
    profile names, and truncated or mislabelled audio files. The message names the argument
    and the accepted range.
    """


class BoardInitializationError(BoardlibError):
    """A board could not be opened or configured."""


class DriverNotAvailableError(BoardInitializationError):
    """The driver library is missing, cannot be loaded, or speaks another ABI version."""


class DriverError(BoardlibError):
    """Mix-in for errors that carry a driver's return code.

    Parameters
    ----------
    code:
        The negative ``BL_E*`` code the driver returned.
    operation:
        The ABI operation that failed (``"board_open"``, ``"read"``, ...).
    driver_message:
        The driver's own text for the code (its ``strerror``).
    """

    def __init__(self, code: int, operation: str, driver_message: str = "") -> None:
        self.code = code
        self.operation = operation
        self.driver_message = driver_message
        text = f"{operation} failed with code {code}"
        if driver_message:
            text += f": {driver_message}"
        super().__init__(text)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.code, self.operation, self.driver_message))


class DriverInitializationError(DriverError, BoardInitializationError):
    """The driver returned an error code while opening or configuring the board."""


class BoardOperationError(BoardlibError):
    """An operation on an open board or channel failed."""


class ChannelStateError(BoardOperationError):
    """The operation is not valid in the channel's current state (answering an idle line)."""


class HangupError(BoardOperationError):
    """The far end hung up while the operation was in progress."""


class DriverOperationError(DriverError, BoardOperationError):
    """The driver returned an error code at run time."""


class BoardTimeoutError(BoardlibError, TimeoutError):
    """A board operation did not complete within its time limit (counted in media time)."""
