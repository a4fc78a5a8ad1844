"""What a channel can play: WAV files, PCM arrays, tones, and lists of these back to back.

A *source* yields 16-bit PCM frame by frame on the board's timeline. :func:`as_source`
turns what the application passes to :meth:`Channel.play` into one:

* a path (``str`` or :class:`~pathlib.Path`) to an 8 kHz mono WAV file (16-bit PCM, A-law or
  μ-law), read and checked when ``play`` is called, so a bad file fails before any audio;
* a one-dimensional int16 numpy array;
* a :class:`~boardlib.dsp.specs.ToneSpec`, or the :class:`Tone` helper naming a tone of a
  profile (``Tone("busy", profile="cn", seconds=3)``);
* :class:`Silence` of a given length;
* a list or tuple of any of the above, played back to back (prompt concatenation: "your
  balance is", digits, "yuan").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audiofile import read_audio
from .errors import SignalFormatError

__all__ = ["Tone", "Silence", "Source", "as_source", "Playable"]

SAMPLE_RATE = 8000


@dataclass(frozen=True, slots=True)
class Tone:
    """A tone of a country profile (or a fax/modem/SIT tone) for ``seconds`` (``None``:
    until the tone's own end, or until the operation stops it if it never ends)."""

    name: str
    profile: str = "cn"
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Silence:
    """``seconds`` of silence."""

    seconds: float


Playable = str | Path | np.ndarray | Tone | Silence | object | Sequence[object]


class Source:
    """Frames of int16 PCM from a list of parts; ``fill(out) -> int`` writes up to len(out).

    A part is a PCM array, or a tone generator with an optional sample budget.
    """

    def __init__(self, parts: list[tuple[object, int | None]]) -> None:
        self._parts = parts
        self._index = 0
        self._pos = 0

    @property
    def done(self) -> bool:
        return self._index >= len(self._parts)

    def fill(self, out: np.ndarray) -> int:
        """Write up to ``len(out)`` samples; return how many (less only at the very end)."""
        written = 0
        n = len(out)
        while written < n and self._index < len(self._parts):
            part, budget = self._parts[self._index]
            if isinstance(part, np.ndarray):
                take = min(n - written, len(part) - self._pos)
                out[written : written + take] = part[self._pos : self._pos + take]
                self._pos += take
                written += take
                if self._pos >= len(part):
                    self._next()
            else:  # a tone generator; _pos counts the samples it gave
                want = n - written
                if budget is not None:
                    want = min(want, budget - self._pos)
                got = part.generate_into(out[written : written + want]) if want > 0 else 0  # type: ignore[attr-defined]
                written += got
                self._pos += got
                if got == 0 or (budget is not None and self._pos >= budget):
                    self._next()
        return written

    def _next(self) -> None:
        self._index += 1
        self._pos = 0


def _tone_part(spec: object, profile: str, seconds: float | None) -> tuple[object, int | None]:
    from .dsp import ToneGenerator
    from .dsp.specs import SPECIAL_TONES, ToneSpec, get_profile

    if isinstance(spec, str):
        prof = get_profile(profile)
        spec = prof[spec] if spec in prof or spec not in SPECIAL_TONES else SPECIAL_TONES[spec]
    assert isinstance(spec, ToneSpec)
    if seconds is None:
        if spec.repeat is None or spec.period_ms is None:
            raise SignalFormatError(f"tone {spec.name!r} never ends: give Tone(..., seconds=...)")
        return ToneGenerator(spec), None
    if not np.isfinite(seconds) or seconds < 0:
        raise SignalFormatError(f"tone seconds must be >= 0 and finite, got {seconds}")
    return ToneGenerator(spec), int(round(seconds * SAMPLE_RATE))


def _parts(item: object, out: list[tuple[object, int | None]]) -> None:
    from .dsp.specs import ToneSpec

    if isinstance(item, (str, Path)):
        audio = read_audio(item)
        out.append((np.ascontiguousarray(audio.pcm(), dtype=np.int16), None))
    elif isinstance(item, np.ndarray):
        if item.dtype != np.int16 or item.ndim != 1:
            raise SignalFormatError(
                f"PCM to play must be a one-dimensional int16 array, got {item.dtype} {item.shape}"
            )
        out.append((np.ascontiguousarray(item), None))
    elif isinstance(item, Silence):
        if not np.isfinite(item.seconds) or item.seconds < 0:
            raise SignalFormatError(f"silence seconds must be >= 0 and finite, got {item.seconds}")
        out.append((np.zeros(int(round(item.seconds * SAMPLE_RATE)), np.int16), None))
    elif isinstance(item, Tone):
        out.append(_tone_part(item.name, item.profile, item.seconds))
    elif isinstance(item, ToneSpec):
        out.append(_tone_part(item, "cn", None))
    elif isinstance(item, (list, tuple)):
        for sub in item:
            _parts(sub, out)
    else:
        raise SignalFormatError(
            f"cannot play {type(item).__name__}: give a WAV path, an int16 array, a Tone, "
            "a ToneSpec, Silence, or a list of these"
        )


def as_source(item: Playable) -> Source:
    """Check ``item`` and turn it into a :class:`Source` (files are read now)."""
    parts: list[tuple[object, int | None]] = []
    _parts(item, parts)
    return Source(parts)
