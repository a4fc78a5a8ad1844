"""Presets taken from the standards: tone profiles of national networks, fax and modem tones.

A tone is data, not code. A :class:`ToneSpec` is a sequence of :class:`ToneStep` pieces —
one or two (or more) frequencies at a level for a duration, or silence — repeated a number of
times or forever; a :class:`ToneProfile` names the tones of one network (dial, busy,
ringback, ...) and the ring cadence. The same objects drive :class:`~boardlib.dsp.ToneGenerator`
and the call-progress detectors.

Profiles: ``"cn"`` (China, the default), ``"us"`` (North America, Precise Tone Plan),
``"uk"`` (BT SIN 350) and ``"etsi"`` (the ETSI 425 Hz recommendation, as used in Germany).
Fax and modem tones that do not depend on the network are in :data:`SPECIAL_TONES`.

Sources: ITU-T E.180 supplement and national tables as collected by Asterisk's
``indications.conf`` and spandsp's ``global-tones.xml``; ITU-T T.30 (CNG), V.25 (ANS, ANS/),
V.8 (ANSam); Telcordia SR-2275 and ITU-T E.180 (SIT). Figures per tone are in the comments.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import SignalFormatError

__all__ = [
    "ToneStep",
    "ToneSpec",
    "ToneProfile",
    "PROFILES",
    "SPECIAL_TONES",
    "DEFAULT_PROFILE",
    "get_profile",
    "MAX_LEVEL_DBM0",
]

#: The loudest sine G.711 carries without clipping (A-law basis): +3.14 dBm0.
MAX_LEVEL_DBM0 = 3.14
DEFAULT_PROFILE = "cn"


def _finite(name: str, value: float, *, low: float | None = None, high: float | None = None,
            low_open: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise SignalFormatError(f"{name} must be a number, got {value!r}") from exc
    if not math.isfinite(v):
        raise SignalFormatError(f"{name} must be finite, got {value!r}")
    if low is not None and (v <= low if low_open else v < low):
        rel = ">" if low_open else ">="
        raise SignalFormatError(f"{name} must be {rel} {low}, got {v}")
    if high is not None and v > high:
        raise SignalFormatError(f"{name} must be <= {high}, got {v}")
    return v


@dataclass(frozen=True, slots=True)
class ToneStep:
    """One piece of a tone: frequencies at a level for a duration, or silence.

    Parameters
    ----------
    frequencies_hz:
        The frequencies summed in this piece, in Hz; empty for silence.
    duration_ms:
        How long the piece lasts; ``None`` means until the generator is stopped (only
        allowed as the last step of a tone that does not repeat).
    level_dbm0:
        Level of each frequency in dBm0 (one value for all, or one per frequency).
    am_hz, am_depth:
        Amplitude modulation of the sum (ANSam: 15 Hz, depth 0.2); 0 for none.
    reversal_ms:
        Phase reversal (180°) every this many ms (V.25 ANS/, V.8 ANSam/); 0 for none.
    """

    frequencies_hz: tuple[float, ...] = ()
    duration_ms: float | None = None
    level_dbm0: float | tuple[float, ...] = -13.0
    am_hz: float = 0.0
    am_depth: float = 0.0
    reversal_ms: float = 0.0

    def __post_init__(self) -> None:
        freqs = tuple(_finite("frequency", f, low=0.0, low_open=True) for f in self.frequencies_hz)
        object.__setattr__(self, "frequencies_hz", freqs)
        if self.duration_ms is not None:
            duration = _finite("duration_ms", self.duration_ms, low=0.0)
            object.__setattr__(self, "duration_ms", duration)
        levels = self.levels()
        for lv in levels:
            _finite("level_dbm0", lv, high=MAX_LEVEL_DBM0 + 0.05)
        _finite("am_hz", self.am_hz, low=0.0)
        _finite("am_depth", self.am_depth, low=0.0, high=1.0)
        _finite("reversal_ms", self.reversal_ms, low=0.0)

    def levels(self) -> tuple[float, ...]:
        """The level of each frequency, in dBm0."""
        if isinstance(self.level_dbm0, tuple):
            if len(self.level_dbm0) != len(self.frequencies_hz):
                raise SignalFormatError(
                    f"level_dbm0 has {len(self.level_dbm0)} values for "
                    f"{len(self.frequencies_hz)} frequencies")
            return self.level_dbm0
        return (float(self.level_dbm0),) * len(self.frequencies_hz)

    @property
    def silent(self) -> bool:
        return not self.frequencies_hz


@dataclass(frozen=True, slots=True)
class ToneSpec:
    """A named tone: steps played in order, the whole repeated ``repeat`` times.

    ``repeat=None`` repeats forever; a tone whose last step has no duration is continuous.
    Use :meth:`continuous` and :meth:`cadenced` for the common shapes.
    """

    name: str
    steps: tuple[ToneStep, ...]
    repeat: int | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise SignalFormatError("tone name must not be empty")
        steps = tuple(self.steps)
        object.__setattr__(self, "steps", steps)
        if not steps:
            raise SignalFormatError(f"tone {self.name!r} has no steps")
        for i, step in enumerate(steps):
            if step.duration_ms is None and i != len(steps) - 1:
                raise SignalFormatError(
                    f"tone {self.name!r}: only the last step may last until stopped (step {i})")
        if self.repeat is not None and (not isinstance(self.repeat, int) or self.repeat < 1):
            raise SignalFormatError(
                f"tone {self.name!r}: repeat must be a positive int or None, got {self.repeat!r}")
        if self.period_ms is not None and self.period_ms <= 0:
            raise SignalFormatError(f"tone {self.name!r}: cadence has zero total duration")

    @property
    def period_ms(self) -> float | None:
        """Duration of one pass over the steps, or ``None`` for a continuous tone."""
        if any(s.duration_ms is None for s in self.steps):
            return None
        return sum(s.duration_ms or 0.0 for s in self.steps)

    @property
    def frequencies_hz(self) -> tuple[float, ...]:
        """Every frequency the tone uses, sorted, without repeats."""
        return tuple(sorted({f for s in self.steps for f in s.frequencies_hz}))

    @classmethod
    def continuous(cls, name: str, frequencies_hz: Iterable[float],
                   level_dbm0: float | tuple[float, ...] = -13.0, **step: Any) -> ToneSpec:
        """A steady tone that lasts until stopped (dial tone)."""
        return cls(name, (ToneStep(tuple(frequencies_hz), None, level_dbm0, **step),))

    @classmethod
    def cadenced(cls, name: str, frequencies_hz: Iterable[float],
                 cadence_ms: Iterable[tuple[float, float]],
                 level_dbm0: float | tuple[float, ...] = -13.0, repeat: int | None = None,
                 **step: Any) -> ToneSpec:
        """A tone switched on and off: ``cadence_ms`` lists ``(on_ms, off_ms)`` pairs."""
        freqs = tuple(frequencies_hz)
        steps: list[ToneStep] = []
        for on, off in cadence_ms:
            steps.append(ToneStep(freqs, on, level_dbm0, **step))
            if off:
                steps.append(ToneStep((), off))
        return cls(name, tuple(steps), repeat)

    def to_dict(self) -> dict[str, Any]:
        """A plain-data form, accepted back by :meth:`from_dict`."""
        out: dict[str, Any] = {"steps": []}
        for s in self.steps:
            d: dict[str, Any] = {"frequencies_hz": list(s.frequencies_hz)}
            if s.duration_ms is not None:
                d["duration_ms"] = s.duration_ms
            if s.frequencies_hz:
                d["level_dbm0"] = list(s.level_dbm0) if isinstance(s.level_dbm0, tuple) \
                    else s.level_dbm0
            for k in ("am_hz", "am_depth", "reversal_ms"):
                if getattr(s, k):
                    d[k] = getattr(s, k)
            out["steps"].append(d)
        if self.repeat is not None:
            out["repeat"] = self.repeat
        return out

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> ToneSpec:
        """Build a tone from plain data.

        Two forms are accepted::

            {"frequencies_hz": [450], "cadence_ms": [[350, 350]], "level_dbm0": -12}
            {"steps": [{"frequencies_hz": [950], "duration_ms": 330}, ...], "repeat": 1}

        A form with ``frequencies_hz`` and no ``cadence_ms`` is a continuous tone.
        """
        if not isinstance(data, Mapping):
            raise SignalFormatError(f"tone {name!r}: expected a table, got {type(data).__name__}")
        known = {"frequencies_hz", "cadence_ms", "level_dbm0", "repeat", "steps", "am_hz",
                 "am_depth", "reversal_ms"}
        unknown = set(data) - known
        if unknown:
            raise SignalFormatError(
                f"tone {name!r}: unknown field(s) {sorted(unknown)}; accepted: {sorted(known)}")
        repeat = data.get("repeat")
        if "steps" in data:
            steps = []
            for i, raw in enumerate(data["steps"]):
                if not isinstance(raw, Mapping):
                    raise SignalFormatError(f"tone {name!r}: step {i} is not a table")
                level = raw.get("level_dbm0", -13.0)
                steps.append(ToneStep(
                    tuple(raw.get("frequencies_hz", ())), raw.get("duration_ms"),
                    tuple(level) if isinstance(level, list) else level,
                    raw.get("am_hz", 0.0), raw.get("am_depth", 0.0), raw.get("reversal_ms", 0.0)))
            return cls(name, tuple(steps), repeat)
        if "frequencies_hz" not in data:
            raise SignalFormatError(f"tone {name!r}: needs 'frequencies_hz' or 'steps'")
        level = data.get("level_dbm0", -13.0)
        level = tuple(level) if isinstance(level, list) else level
        extra = {k: data[k] for k in ("am_hz", "am_depth", "reversal_ms") if k in data}
        if "cadence_ms" in data:
            pairs = [tuple(p) for p in data["cadence_ms"]]
            if not pairs or any(len(p) != 2 for p in pairs):
                raise SignalFormatError(
                    f"tone {name!r}: cadence_ms must be a list of [on_ms, off_ms] pairs")
            return cls.cadenced(name, data["frequencies_hz"], pairs, level, repeat, **extra)
        return cls.continuous(name, data["frequencies_hz"], level, **extra)


@dataclass(frozen=True)
class ToneProfile:
    """The call-progress tones and ring cadence of one network.

    Index it by tone name (``profile["busy"]``); unknown names raise
    :class:`~boardlib.errors.SignalFormatError` listing the known ones.
    """

    name: str
    description: str
    tones: Mapping[str, ToneSpec]
    ring_cadence_ms: tuple[tuple[float, float], ...] = ((1000.0, 4000.0),)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.tones:
            raise SignalFormatError(f"profile {self.name!r} defines no tones")
        object.__setattr__(self, "tones", MappingProxyType(dict(self.tones)))
        for on, off in self.ring_cadence_ms:
            _finite("ring on_ms", on, low=0.0, low_open=True)
            _finite("ring off_ms", off, low=0.0)

    def __getitem__(self, tone: str) -> ToneSpec:
        try:
            return self.tones[tone]
        except KeyError:
            raise SignalFormatError(
                f"profile {self.name!r} has no tone {tone!r}; known: {', '.join(self.tones)}"
            ) from None

    def __contains__(self, tone: object) -> bool:
        return tone in self.tones

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> ToneProfile:
        """Build a profile from plain data:
        ``{"description", "ring_cadence_ms", "tones": {...}}``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("tones"), Mapping):
            raise SignalFormatError(f"profile {name!r}: needs a 'tones' table")
        tones = {t: ToneSpec.from_dict(t, d) for t, d in data["tones"].items()}
        ring = tuple(tuple(p) for p in data.get("ring_cadence_ms", ((1000.0, 4000.0),)))
        return cls(name, str(data.get("description", "")), tones, ring)

    @classmethod
    def from_toml(cls, path: str | Path) -> ToneProfile:
        """Load a profile from a TOML file (same shape as :meth:`from_dict`; the name is
        the ``name`` key, else the file's stem)."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SignalFormatError(f"cannot read tone profile {p}: {exc}") from exc
        return cls.from_dict(str(data.get("name", p.stem)), data)


_C = ToneSpec.continuous
_K = ToneSpec.cadenced

#: China (YDN / GF 002-9002 national tones; 450 Hz at −12 dBm0 is the network standard).
CN = ToneProfile("cn", "China", {
    "dial": _C("dial", [450], -12.0),
    "second_dial": _C("second_dial", [450], -12.0),
    "ringback": _K("ringback", [450], [(1000, 4000)], -12.0),
    "busy": _K("busy", [450], [(350, 350)], -12.0),
    "congestion": _K("congestion", [450], [(700, 700)], -12.0),
    "vacant": _K("vacant", [450], [(100, 100), (100, 100), (100, 100), (400, 400)], -12.0),
    "call_waiting": _K("call_waiting", [450], [(400, 4000)], -12.0),
    "intrusion": _K("intrusion", [450], [(200, 200), (200, 600)], -12.0),
    "howler": _C("howler", [950], 0.0),
    "record": _K("record", [950], [(400, 10000)], -12.0),
}, ((1000.0, 4000.0),))

#: North America (Precise Tone Plan).
US = ToneProfile("us", "North America (Precise Tone Plan)", {
    "dial": _C("dial", [350, 440], -13.0),
    "ringback": _K("ringback", [440, 480], [(2000, 4000)], -19.0),
    "busy": _K("busy", [480, 620], [(500, 500)], -24.0),
    "congestion": _K("congestion", [480, 620], [(250, 250)], -24.0),
    "call_waiting": _K("call_waiting", [440], [(300, 10000)], -13.0),
    "stutter_dial": ToneSpec("stutter_dial", (
        *[s for _ in range(3) for s in (ToneStep((350, 440), 100, -13.0), ToneStep((), 100))],
        ToneStep((350, 440), None, -13.0))),
    "vacant": ToneSpec("vacant", (ToneStep((950,), 330, -13.0), ToneStep((1400,), 330, -13.0),
                                  ToneStep((1800,), 330, -13.0), ToneStep((), 1000)), 1),
    "howler": _K("howler", [1400, 2060, 2450, 2600], [(100, 100)], -10.0),
    "record": _K("record", [1400], [(500, 15000)], -13.0),
}, ((2000.0, 4000.0),))

#: United Kingdom (BT SIN 350).
UK = ToneProfile("uk", "United Kingdom (BT SIN 350)", {
    "dial": _C("dial", [350, 440], -13.0),
    "ringback": _K("ringback", [400, 450], [(400, 200), (400, 2000)], -19.0),
    "busy": _K("busy", [400], [(375, 375)], -13.0),
    "congestion": _K("congestion", [400], [(400, 350), (225, 525)], -13.0),
    "call_waiting": _K("call_waiting", [400], [(100, 3000)], -13.0),
    "vacant": _C("vacant", [400], -13.0),
}, ((400.0, 200.0), (400.0, 2000.0)))

#: ETSI recommendation (425 Hz; cadences as used in Germany).
ETSI = ToneProfile("etsi", "ETSI 425 Hz (Germany)", {
    "dial": _C("dial", [425], -13.0),
    "ringback": _K("ringback", [425], [(1000, 4000)], -13.0),
    "busy": _K("busy", [425], [(480, 480)], -13.0),
    "congestion": _K("congestion", [425], [(240, 240)], -13.0),
    "call_waiting": _K("call_waiting", [425], [(200, 200), (200, 5000)], -13.0),
    "vacant": ToneSpec("vacant", (ToneStep((950,), 330, -13.0), ToneStep((1400,), 330, -13.0),
                                  ToneStep((1800,), 330, -13.0), ToneStep((), 1000))),
}, ((1000.0, 4000.0),))

PROFILES: Mapping[str, ToneProfile] = MappingProxyType(
    {p.name: p for p in (CN, US, UK, ETSI)})

#: Tones that do not depend on the network: fax, modem and special information tones.
SPECIAL_TONES: Mapping[str, ToneSpec] = MappingProxyType({
    # T.30 calling tone: 1100 Hz, 0.5 s on / 3 s off.
    "cng": _K("cng", [1100], [(500, 3000)], -11.0),
    # V.25 answer tone: 2100 Hz for 3.3 s after 0.2 s of silence.
    "ced": ToneSpec("ced", (ToneStep((), 200), ToneStep((2100,), 3300, -11.0)), 1),
    # V.25 ANS with phase reversals every 450 ms.
    "ans_pr": ToneSpec("ans_pr", (ToneStep((2100,), 3500, -12.0, reversal_ms=450.0),), 1),
    # V.8 ANSam: 2100 Hz amplitude-modulated at 15 Hz, depth 20 %.
    "ansam": ToneSpec("ansam", (ToneStep((2100,), 5000, -12.0, am_hz=15.0, am_depth=0.2),), 1),
    # V.8 ANSam/: ANSam with phase reversals every 450 ms.
    "ansam_pr": ToneSpec("ansam_pr", (ToneStep((2100,), 5000, -12.0, am_hz=15.0, am_depth=0.2,
                                               reversal_ms=450.0),), 1),
    # Bell 103/212 answer tone.
    "bell_ans": ToneSpec("bell_ans", (ToneStep((2225,), 3300, -11.0),), 1),
    # V.25 calling tone: 1300 Hz, 0.6 s on / 2 s off.
    "v25_calling": _K("v25_calling", [1300], [(600, 2000)], -11.0),
    # Special information tone (ITU-T E.180 / Q.35): 950, 1400, 1800 Hz, 330 ms each.
    "sit": ToneSpec("sit", (ToneStep((950,), 330, -13.0), ToneStep((1400,), 330, -13.0),
                            ToneStep((1800,), 330, -13.0), ToneStep((), 1000)), 1),
})


def get_profile(profile: str | ToneProfile) -> ToneProfile:
    """Return a built-in profile by name (``"cn"``, ``"us"``, ``"uk"``, ``"etsi"``), or the
    given :class:`ToneProfile` unchanged."""
    if isinstance(profile, ToneProfile):
        return profile
    try:
        return PROFILES[profile]
    except (KeyError, TypeError):
        raise SignalFormatError(
            f"unknown tone profile {profile!r}; built-in profiles: {', '.join(PROFILES)}"
        ) from None
