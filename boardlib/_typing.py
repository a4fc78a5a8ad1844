"""Type aliases shared across boardlib's public API."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Pcm16: TypeAlias = npt.NDArray[np.int16]
"""Linear 16-bit samples, 8 kHz unless stated."""

G711Codes: TypeAlias = npt.NDArray[np.uint8]
"""G.711 code octets (A-law or μ-law), as they travel on the line."""

Law: TypeAlias = Literal["alaw", "ulaw"]

BufferLike: TypeAlias = bytes | bytearray | memoryview | npt.NDArray[np.generic]
"""Anything exposing the buffer protocol: numpy arrays, bytes, bytearray, memoryview."""
