"""One R2 register: the protocol core with its MF tones and timers.

:class:`R2Register` carries out the actions of an :class:`~boardlib.r2.protocol.R2Machine`
for one E1 channel: it owns a :class:`~boardlib.dsp.R2ToneGenerator` and an
:class:`~boardlib.dsp.R2ToneDetector` for each signal set (the machine's direction picks
which one sends and which one listens), feeds what the detector hears back to the machine,
and keeps the machine's named timers. What depends on the surroundings -- setting the ABCD
bits, the clock and scheduler, the call events -- is left to the subclass, so the board's
engine (:class:`boardlib.r2.R2Signalling`) and the emulated exchange end run the same
register code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from ..dsp import R2ToneDetector, R2ToneGenerator, R2ToneOn
from .protocol import R2Machine, SendTone, SetCas, StartTimer, StopTimer, StopTone

__all__ = ["MF_LEVEL_DBM0", "R2Register"]

#: Level of each of the two tones of an MF signal (Q.441: -11.5 dBm0 +/- 1 dB).
MF_LEVEL_DBM0 = -11.5
_Set = Literal["forward", "backward"]
_SETS: tuple[_Set, _Set] = ("forward", "backward")


class R2Register:
    """An :class:`R2Machine` with its tones and timers (see the module docstring).

    Subclasses provide :meth:`_set_cas`, :meth:`_now`, :meth:`_schedule`, :meth:`_cancel`
    and :meth:`_call_event`, and may override :meth:`_tone_started`.
    """

    def __init__(self, machine: R2Machine, level_dbm0: float = MF_LEVEL_DBM0) -> None:
        self.machine = machine
        self._gen = {d: R2ToneGenerator(d, level_dbm0) for d in _SETS}
        self._det = {d: R2ToneDetector(d) for d in _SETS}
        self._timers: dict[str, Any] = {}

    # ------------------------------------------------------------------ tones
    @property
    def _tx_dir(self) -> _Set:
        return "forward" if self.machine.direction == "out" else "backward"

    @property
    def _rx_dir(self) -> _Set:
        return "backward" if self.machine.direction == "out" else "forward"

    def _sending(self) -> list[R2ToneGenerator]:
        """The generators with a signal to send."""
        return [g for g in self._gen.values() if g.busy]

    def _hear(self, pcm: np.ndarray) -> None:
        """Run the detector of the incoming set over ``pcm`` and tell the machine."""
        for ev in self._det[self._rx_dir].process(pcm):
            signal = ev.signal if isinstance(ev, R2ToneOn) else None
            self._apply(self.machine.on_tone(signal))

    def _reset_detectors(self) -> None:
        for det in self._det.values():
            det.reset()

    # ------------------------------------------------------------------ actions
    def _apply(self, actions: list[Any]) -> None:
        for act in actions:
            if isinstance(act, SetCas):
                self._set_cas(act.bits)
            elif isinstance(act, SendTone):
                for d, g in self._gen.items():
                    if d != self._tx_dir:
                        g.stop()
                self._gen[self._tx_dir].start(act.signal)
                self._tone_started()
            elif isinstance(act, StopTone):
                for g in self._gen.values():
                    g.stop()
            elif isinstance(act, StartTimer):
                self._start_timer(act.name, act.ms)
            elif isinstance(act, StopTimer):
                handle = self._timers.pop(act.name, None)
                if handle is not None:
                    self._cancel(handle)
            else:
                self._call_event(act)

    def _start_timer(self, name: str, ms: int) -> None:
        old = self._timers.pop(name, None)
        if old is not None:
            self._cancel(old)

        def fire() -> None:
            if self._timers.get(name) == handle:
                del self._timers[name]
                self._apply(self.machine.on_timer(name))

        handle = self._schedule(self._now() + ms * 8, fire)
        self._timers[name] = handle

    # ------------------------------------------------------------------ surroundings
    def _set_cas(self, bits: int) -> None:
        raise NotImplementedError

    def _tone_started(self) -> None:
        """Called after a register signal starts."""

    def _now(self) -> int:
        raise NotImplementedError

    def _schedule(self, sample: int, callback: Callable[[], None]) -> Any:
        """Run ``callback`` at ``sample``; return a handle for :meth:`_cancel`."""
        raise NotImplementedError

    def _cancel(self, handle: Any) -> None:
        raise NotImplementedError

    def _call_event(self, ev: Any) -> None:
        raise NotImplementedError
