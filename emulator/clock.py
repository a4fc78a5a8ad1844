"""The media clock: how the emulated board's 20 ms ticks map onto wall time.

``virtual``: no pacing at all; the board runs as fast as the CPU allows and every run of a
scenario gives the same result. ``realtime``: ticks are paced like hardware, optionally
sped up (``speed=4`` runs four media seconds per wall second).
"""

from __future__ import annotations

import math
import time
from typing import Literal

from ..errors import InvalidUrlError

ClockMode = Literal["virtual", "realtime"]


class MediaClock:
    """Pacing of a board clock counted in samples.

    ``TIME`` is the wall-clock source (a class attribute, so tests can swap it).
    """

    TIME = staticmethod(time.monotonic)

    def __init__(self, mode: str = "virtual", speed: float = 1.0, sample_rate: int = 8000) -> None:
        if mode not in ("virtual", "realtime"):
            raise InvalidUrlError(f"clock must be 'virtual' or 'realtime', got {mode!r}")
        if not (isinstance(speed, (int, float)) and math.isfinite(speed) and 0 < speed <= 1000):
            raise InvalidUrlError(f"speed must be a number in (0, 1000], got {speed!r}")
        self.mode: ClockMode = mode  # type: ignore[assignment]
        self.speed = float(speed)
        self.sample_rate = sample_rate
        self._start: float | None = None

    def delay(self, samples: int) -> float:
        """Wall seconds to wait before the frame starting at board sample ``samples``."""
        if self.mode == "virtual":
            return 0.0
        now = self.TIME()
        if self._start is None:
            self._start = now
        due = self._start + samples / self.sample_rate / self.speed
        return max(0.0, due - now)
