"""Events on a media clock: :class:`Scheduler` runs callbacks when a sample count is reached.

The board's media engine, the emulated exchange and the E1 far end all count time in samples
of the board clock, never in wall time; each keeps one scheduler and runs what is due at the
start of every tick.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable

__all__ = ["Scheduler"]


class Scheduler:
    """Callbacks due at sample times; :meth:`at` returns a handle that :meth:`cancel` takes.

    Callbacks due at the same sample run in the order they were scheduled; a callback may
    schedule another one for the same sample, which then runs in the same :meth:`run_due`.
    """

    __slots__ = ("_heap", "_cancelled", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Callable[[], None]]] = []
        self._cancelled: set[int] = set()
        self._seq = itertools.count()

    def at(self, sample: int, callback: Callable[[], None]) -> int:
        """Run ``callback`` once the clock reaches ``sample``; return its handle."""
        handle = next(self._seq)
        heapq.heappush(self._heap, (sample, handle, callback))
        return handle

    def cancel(self, handle: int) -> None:
        """Forget a scheduled callback (a handle that already ran is ignored)."""
        self._cancelled.add(handle)

    def cancel_all(self, handles: Iterable[int]) -> None:
        self._cancelled.update(handles)

    def run_due(self, now: int) -> None:
        """Run, in order, every callback due at or before ``now``."""
        heap = self._heap
        cancelled = self._cancelled
        while heap and heap[0][0] <= now:
            _, handle, callback = heapq.heappop(heap)
            if handle in cancelled:
                cancelled.discard(handle)
                continue
            callback()

    def __len__(self) -> int:
        return len(self._heap)
