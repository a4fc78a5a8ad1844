"""boardlib: telephone voice boards for computer-telephony products.

Overview
--------
``boardlib.dsp``
    The compiled signal-processing core: G.711 codecs, tone and DTMF generation, DTMF
    detection, in single-channel streaming form and in banks of many channels.
``boardlib.errors``
    The exception hierarchy every module raises from.
``boardlib.drivers``
    The board-driver registry (URL schemes), and the cffi binding of the C board ABI.
``boardlib.emulator``
    A software board and telephone exchange that stand in for hardware.

The command-line tool is ``boardlib`` (also ``python -m boardlib``); ``boardlib info``
reports what was built and loaded.
"""

from __future__ import annotations

from ._version import __version__
from .errors import (
    BoardInitializationError,
    BoardlibError,
    BoardOperationError,
    BoardTimeoutError,
    ChannelStateError,
    DriverError,
    DriverInitializationError,
    DriverNotAvailableError,
    DriverOperationError,
    HangupError,
    InvalidUrlError,
    SignalFormatError,
)

__all__ = [
    "__version__",
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
