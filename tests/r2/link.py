"""Two R2 machines wired back to back on a virtual millisecond clock (test harness).

Line signals arrive after ``cas_delay`` ms, MF signals are recognised ``tone_delay`` ms after
they start or stop: the compelled cycle then runs as it does over a real trunk, without audio.
"""

from __future__ import annotations

import heapq
import itertools
from typing import Any

from boardlib.r2.protocol import R2Machine, SendTone, SetCas, StartTimer, StopTimer, StopTone


class Link:
    def __init__(self, a: R2Machine, b: R2Machine, *, cas_delay: int = 5,
                 tone_delay: int = 30) -> None:
        self.m = {"a": a, "b": b}
        self.now = 0
        self.q: list[tuple[int, int, Any]] = []
        self.seq = itertools.count()
        self.timer_gen: dict[tuple[str, str], int] = {}
        self.events: dict[str, list[Any]] = {"a": [], "b": []}
        self.trace: list[tuple[int, str, Any]] = []
        self.cas_delay = cas_delay
        self.tone_delay = tone_delay
        self.drop_tones: set[str] = set()  # sides whose MF tones never arrive
        self.deaf_cas: set[str] = set()  # sides whose line signals never arrive

    def _at(self, t: int, fn: Any) -> None:
        heapq.heappush(self.q, (t, next(self.seq), fn))

    def feed(self, side: str, actions: list[Any]) -> None:
        other = "b" if side == "a" else "a"
        for act in actions:
            self.trace.append((self.now, side, act))
            if isinstance(act, SetCas):
                if side not in self.deaf_cas:
                    self._at(self.now + self.cas_delay,
                             lambda o=other, bits=act.bits: self.feed(o, self.m[o].on_cas(bits)))
            elif isinstance(act, SendTone):
                if side not in self.drop_tones:
                    self._at(self.now + self.tone_delay,
                             lambda o=other, s=act.signal: self.feed(o, self.m[o].on_tone(s)))
            elif isinstance(act, StopTone):
                if side not in self.drop_tones:
                    self._at(self.now + self.tone_delay,
                             lambda o=other: self.feed(o, self.m[o].on_tone(None)))
            elif isinstance(act, StartTimer):
                key = (side, act.name)
                gen = self.timer_gen[key] = self.timer_gen.get(key, 0) + 1
                self._at(self.now + act.ms, lambda k=key, g=gen: self._fire(k, g))
            elif isinstance(act, StopTimer):
                self.timer_gen[(side, act.name)] = self.timer_gen.get((side, act.name), 0) + 1
            else:
                self.events[side].append(act)

    def _fire(self, key: tuple[str, str], gen: int) -> None:
        if self.timer_gen.get(key) == gen:
            side, name = key
            self.feed(side, self.m[side].on_timer(name))

    def run(self, for_ms: int = 20000) -> None:
        """Deliver everything due in the next ``for_ms`` milliseconds."""
        until = self.now + for_ms
        while self.q and self.q[0][0] <= until:
            t, _, fn = heapq.heappop(self.q)
            self.now = t
            fn()
        self.now = until

    def kinds(self, side: str) -> list[str]:
        return [type(e).__name__ for e in self.events[side]]
