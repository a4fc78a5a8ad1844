"""Compiled core of call-progress analysis (Goertzel bank, block classification, runs,
cadence tracking)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

REC_TONE_ON: int
REC_TONE_OFF: int
REC_TONE_LONG: int
REC_VOICE_ON: int
REC_VOICE_OFF: int
REC_V21: int
BLOCK_SAMPLES: int

def _build_info() -> dict[str, object]: ...
def _use_events(tone_on: type, tone_off: type, tone_cadence: type, voice_on: type,
                voice_off: type) -> None: ...
def _test_round2(x: float) -> float: ...

class ProgressCore:
    channels: int
    def __init__(self, channels: int, coef: Sequence[float], sublen: Sequence[int],
                 signatures: Sequence[Sequence[int]], min_on: Sequence[int],
                 long_blocks: Sequence[int], min_comp: float, fraction: float, twist: float,
                 hangover: int, voice_min: float, voice_on_blocks: int,
                 voice_hangover: int, relaxed: Sequence[bool] | None = ...,
                 answer_index: int = ..., answer_signature: int = ...,
                 v21_index: int = ...) -> None: ...
    @property
    def sample(self) -> int: ...
    def reset(self) -> None: ...
    def process(self, x: npt.NDArray[np.int16]
                ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
    def flush(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
    def cadence(self, names: tuple[str, ...],
                patterns: Sequence[tuple[int, bool, Sequence[tuple[int, float, float]]]],
                intervals: Sequence[tuple[int, float, float, bool, int, int, int]],
                sig_names: Sequence[int], ced: int, variants: Sequence[int],
                ansam_depth: float, sig_freqs: tuple[tuple[float, ...], ...]) -> None: ...
    def process_events(self, x: npt.NDArray[np.int16]) -> list[Any]: ...
    def flush_events(self) -> list[Any]: ...
    def silence_samples(self, channel: int) -> int: ...
    def _test_block_powers(self, block: npt.NDArray[np.int16]) -> tuple[float, list[float]]: ...
