from typing import Literal

import numpy as np
import numpy.typing as npt

from boardlib.dsp.dtmf_events import DtmfDigit

DIGITS: str
ROW_HZ: tuple[float, float, float, float]
COLUMN_HZ: tuple[float, float, float, float]

_Law = Literal["alaw", "ulaw"] | None
_Frame = npt.NDArray[np.int16] | npt.NDArray[np.uint8]

class DtmfDetector:
    law: _Law
    threshold_dbm0: float
    max_twist_db: float
    max_reverse_twist_db: float
    sample_rate: int
    def __init__(
        self,
        sample_rate: int = 8000,
        threshold_dbm0: float = -42.0,
        max_twist_db: float = 8.0,
        max_reverse_twist_db: float = 4.0,
        law: _Law = None,
    ) -> None: ...
    def process(self, frame: _Frame) -> list[DtmfDigit]: ...
    def fillin(self, n: int) -> list[DtmfDigit]: ...
    def flush(self) -> list[DtmfDigit]: ...
    def reset(self) -> None: ...
    @property
    def current(self) -> str | None: ...
    @property
    def samples(self) -> int: ...

class DtmfDetectorBank:
    channels: int
    law: _Law
    def __init__(
        self,
        channels: int,
        sample_rate: int = 8000,
        threshold_dbm0: float = -42.0,
        max_twist_db: float = 8.0,
        max_reverse_twist_db: float = 4.0,
        law: _Law = None,
    ) -> None: ...
    def process(self, block: _Frame) -> list[DtmfDigit]: ...
    def fillin(self, n: int) -> list[DtmfDigit]: ...
    def flush(self) -> list[DtmfDigit]: ...
    def reset(self) -> None: ...
    def current(self) -> list[str | None]: ...

def _build_info() -> dict[str, object]: ...
def _test_simd_level() -> str: ...
def _test_select_simd(level: int) -> str: ...
