"""MFC-R2 register tones: generator, detector and detector bank."""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

_Direction = Literal["forward", "backward"]
_Law = Literal["alaw", "ulaw"] | None
_Frame = npt.NDArray[np.int16] | npt.NDArray[np.uint8]

HALF_BLOCK: int
WINDOW: int

def _build_info() -> dict[str, object]: ...

@dataclass(frozen=True, slots=True)
class R2ToneOn:
    signal: int
    sample: int
    low_dbm0: float
    high_dbm0: float
    channel: int = -1

@dataclass(frozen=True, slots=True)
class R2ToneOff:
    signal: int
    sample: int
    duration: int
    channel: int = -1

class R2ToneDetector:
    direction: str
    threshold_dbm0: float
    max_twist_db: float
    sample_rate: int
    law: _Law
    def __init__(self, direction: _Direction = ..., *, threshold_dbm0: float = ...,
                 max_twist_db: float = ..., law: _Law = ...) -> None: ...
    def reset(self) -> None: ...
    def process(self, frame: _Frame) -> list[R2ToneOn | R2ToneOff]: ...
    def flush(self) -> list[R2ToneOn | R2ToneOff]: ...
    @property
    def current(self) -> int | None: ...
    @property
    def samples(self) -> int: ...
    def _test_window_powers(self, block: npt.NDArray[np.int16]) -> tuple[list[float], float]: ...

class R2ToneDetectorBank:
    channels: int
    direction: str
    threshold_dbm0: float
    max_twist_db: float
    law: _Law
    def __init__(self, channels: int, direction: _Direction = ..., *,
                 threshold_dbm0: float = ..., max_twist_db: float = ...,
                 law: _Law = ...) -> None: ...
    def reset(self) -> None: ...
    def process(self, block: _Frame) -> list[R2ToneOn | R2ToneOff]: ...
    def flush(self) -> list[R2ToneOn | R2ToneOff]: ...
    def current(self) -> list[int | None]: ...

class R2ToneGenerator:
    direction: str
    level_dbm0: float
    twist_db: float
    sample_rate: int
    def __init__(self, direction: _Direction = ..., level_dbm0: float = ...,
                 sample_rate: int = ..., *, twist_db: float = ...) -> None: ...
    def start(self, signal: int) -> None: ...
    def pulse(self, signal: int, ms: float) -> None: ...
    def stop(self) -> None: ...
    @property
    def current(self) -> int | None: ...
    @property
    def busy(self) -> bool: ...
    def generate_into(self, out: npt.NDArray[np.int16]) -> int: ...
    def generate(self, n: int) -> npt.NDArray[np.int16]: ...

def _test_simd_level() -> str: ...
def _test_select_simd(level: int) -> str: ...
