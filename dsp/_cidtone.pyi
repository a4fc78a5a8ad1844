from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__: list[str]

CAS_LOW_HZ: float
CAS_HIGH_HZ: float

def _build_info() -> dict[str, object]: ...
def dual_tone(
    f1: float, f2: float, n: int, *, level_dbm0: float = ...
) -> npt.NDArray[np.int16]: ...
def cas_tone(*, duration_ms: float = ..., level_dbm0: float = ...) -> npt.NDArray[np.int16]: ...

@dataclass(frozen=True, slots=True)
class CasTone:
    sample: int
    duration: int

class CasDetector:
    def __init__(
        self,
        *,
        threshold_dbm0: float = ...,
        min_ms: float = ...,
        max_ms: float = ...,
        max_twist_db: float = ...,
    ) -> None: ...
    def reset(self) -> None: ...
    def process(self, frame: Any) -> list[CasTone]: ...
    def flush(self) -> list[CasTone]: ...
