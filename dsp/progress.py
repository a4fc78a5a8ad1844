"""Call-progress analysis: tone and cadence detection, voice activity, and the outbound
call-progress state machine with answering-machine detection.

* :class:`ToneDetector` / :class:`ToneDetectorBank` recognise the tones of a
  :class:`~boardlib.dsp.specs.ToneProfile` (dial, busy, ringback, congestion, ...) and the fax
  and modem tones of :data:`~boardlib.dsp.specs.SPECIAL_TONES` (CNG; the 2100 Hz answer tone
  as ANS, ANS/, ANSam or ANSam/; Bell answer; V.25 calling; SIT), the V.21 fax preamble, and
  report voice activity. Events: :class:`ToneOn`, :class:`ToneOff`, :class:`ToneCadence`,
  :class:`VoiceOn`, :class:`VoiceOff`.
* :class:`CallProgressAnalyzer` runs after dialling and decides a :class:`CallResult`
  (answered by a human or a machine, busy, no answer, SIT, fax, ...).
* :func:`analyze_samples` is the one-call form over a whole recording.

The sample work (Goertzel bank, block classification, run tracking) and the cadence
matching are compiled (``boardlib.dsp._progress``); this module compiles a profile into the
core's tables and gets back the events.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SignalFormatError
from ._progress import BLOCK_SAMPLES, ProgressCore, _use_events
from .specs import SPECIAL_TONES, ToneProfile, ToneSpec, get_profile

__all__ = [
    "ToneOn",
    "ToneOff",
    "ToneCadence",
    "VoiceOn",
    "VoiceOff",
    "ToneDetector",
    "ToneDetectorBank",
    "CallResult",
    "ProgressResult",
    "CallProgressAnalyzer",
    "analyze_samples",
]

SAMPLE_RATE = 8000
#: HDLC flags in a row that make a V.21 preamble (as spandsp's threshold).
V21_PREAMBLE_FLAGS = 5
_FULL_SCALE_POWER = 32768.0 ** 2 / 2.0  # mean square of a full-scale sine
_DBM0_MAX = 3.14                          # level of that sine in dBm0 (A-law basis)
_MIN_FREQ_HZ = 100.0
_MAX_FREQ_HZ = 3800.0
_MIN_SEPARATION_HZ = 25.0
_MIN_ON_MS = 60.0
_MIN_OFF_MS = 40.0


def _dbm0_to_block_energy(level_dbm0: float) -> float:
    """Energy (sum of squares) of one block of a sine at ``level_dbm0``."""
    energy: float = BLOCK_SAMPLES * _FULL_SCALE_POWER * 10.0 ** ((level_dbm0 - _DBM0_MAX) / 10.0)
    return energy


# ---------------------------------------------------------------------------------- events

@dataclass(frozen=True, slots=True)
class ToneOn:
    """A tone started. ``tone`` is its name when the frequencies alone identify it (or its
    cadence is already established), else ``None``; ``level_dbm0`` is the total power of
    the frequency components over the first blocks; ``sample`` the absolute start."""

    tone: str | None
    frequencies_hz: tuple[float, ...]
    level_dbm0: float
    sample: int
    channel: int = 0


@dataclass(frozen=True, slots=True)
class ToneOff:
    """A tone ended: ``sample`` is where it started, ``duration`` its length in samples."""

    tone: str | None
    frequencies_hz: tuple[float, ...]
    level_dbm0: float
    sample: int
    duration: int
    channel: int = 0


@dataclass(frozen=True, slots=True)
class ToneCadence:
    """A named tone recognised by frequencies and cadence. ``sample`` is the start of the
    first burst that matched; ``duration`` runs from there to the decision; ``cycles`` is
    the number of tone bursts that matched."""

    tone: str
    frequencies_hz: tuple[float, ...]
    level_dbm0: float
    sample: int
    duration: int
    cycles: int = 1
    channel: int = 0


@dataclass(frozen=True, slots=True)
class VoiceOn:
    """Energy above the voice threshold not explained by a tone (speech, music, noise)."""

    sample: int
    level_dbm0: float
    channel: int = 0


@dataclass(frozen=True, slots=True)
class VoiceOff:
    """End of voice activity: ``sample`` is where it started, ``duration`` its length."""

    sample: int
    duration: int
    level_dbm0: float
    channel: int = 0


ProgressEvent = ToneOn | ToneOff | ToneCadence | VoiceOn | VoiceOff
# The compiled trackers build these (level_dbm0: the mean block energy in dBm0, rounded to
# 2 decimals as round() does; a cadence's level is the mean of its bursts' levels).
_use_events(ToneOn, ToneOff, ToneCadence, VoiceOn, VoiceOff)


# ------------------------------------------------------------------------ profile compiler

@dataclass(frozen=True, slots=True)
class _Element:
    sig: int | None          # signature index, None for silence
    samples: int | None      # nominal duration, None for "long" (continuous) elements


@dataclass(frozen=True, slots=True)
class _Pattern:
    name: str
    elements: tuple[_Element, ...]
    cyclic: bool
    early: bool               # a single burst of its own signature identifies it


def _sublen_for(freq: float, tolerance_hz: float) -> int:
    """Longest sub-block whose Goertzel pass band still covers ``tolerance_hz``."""
    for length in (160, 80, 40, 20):
        if tolerance_hz * length / SAMPLE_RATE <= 0.35:
            return length
    return 20


# Frequency tolerance of the fax and modem tones (V.25, T.30, Bell 103): ±15 Hz, CNG ±38 Hz.
_SPECIAL_TOLERANCE_HZ = {"cng": 38.0, "ced": 15.0, "ans_pr": 15.0, "ansam": 15.0,
                         "ansam_pr": 15.0, "bell_ans": 15.0, "v25_calling": 15.0}
_FAX_TONES = ("cng", "ced", "bell_ans", "v25_calling", "sit")
_V21_CENTER_HZ = 1750.0


class _Compiled:
    """A profile compiled into the core's tables and the cadence patterns."""

    def __init__(self, profile: ToneProfile, *, fax: bool, threshold_dbm0: float,
                 frequency_tolerance: float, cadence_tolerance: float,
                 fraction: float, max_twist_db: float, voice_threshold_dbm0: float,
                 voice_hangover_ms: float) -> None:
        if not isinstance(profile, ToneProfile):
            raise SignalFormatError(f"profile must be a name or a ToneProfile, got {profile!r}")
        _check("threshold_dbm0", threshold_dbm0, -70.0, 0.0)
        _check("frequency_tolerance", frequency_tolerance, 0.0, 0.1)
        _check("cadence_tolerance", cadence_tolerance, 0.0, 0.5)
        _check("fraction", fraction, 0.1, 1.0)
        _check("max_twist_db", max_twist_db, 0.0, 30.0)
        _check("voice_threshold_dbm0", voice_threshold_dbm0, -70.0, 0.0)
        _check("voice_hangover_ms", voice_hangover_ms, 20.0, 2000.0)
        self.profile = profile
        self.cadence_tolerance = cadence_tolerance
        tones: dict[str, ToneSpec] = dict(profile.tones)
        tolerance_hz: dict[float, float] = {}
        if not tones:
            raise SignalFormatError(f"profile {profile.name!r}: tones is empty")
        for spec in tones.values():
            for f in spec.frequencies_hz:
                tolerance_hz[f] = max(tolerance_hz.get(f, 0.0), f * frequency_tolerance)
        if fax:
            known = {_signature_key(s) for s in tones.values()}
            for name in _FAX_TONES:
                spec = SPECIAL_TONES[name]
                if name in tones or _signature_key(spec) in known:
                    continue  # same tone already in the profile (US vacant is the SIT)
                tones[name] = spec
                for f in spec.frequencies_hz:
                    tol = _SPECIAL_TOLERANCE_HZ.get(name, f * frequency_tolerance)
                    tolerance_hz[f] = max(tolerance_hz.get(f, 0.0), tol)
            # V.21 channel 2 band (1650-1850 Hz): a 20-sample filter at its centre gates
            # the preamble demodulator; it belongs to no tone.
            tolerance_hz.setdefault(_V21_CENTER_HZ, 60.0)
        for name, spec in tones.items():
            for f in spec.frequencies_hz:
                if not _MIN_FREQ_HZ <= f <= _MAX_FREQ_HZ:
                    raise SignalFormatError(
                        f"profile {profile.name!r} tone {name!r}: frequency {f} Hz is outside "
                        f"the detectable range {_MIN_FREQ_HZ:g}..{_MAX_FREQ_HZ:g} Hz")
        # Frequencies closer than the block resolution share one Goertzel filter at their
        # mean, its pass band widened to cover both (UK 440 and 450 Hz).
        groups: list[list[float]] = []
        for f in sorted(tolerance_hz):
            if groups and f - groups[-1][-1] < _MIN_SEPARATION_HZ:
                groups[-1].append(f)
            else:
                groups.append([f])
        if len(groups) > 16:
            raise SignalFormatError(
                f"profile {profile.name!r}: {len(groups)} distinct frequencies, at most 16")
        index: dict[float, int] = {}
        self.freqs = []
        group_tol = []
        for g in groups:
            center = (g[0] + g[-1]) / 2.0
            self.freqs.append(center)
            group_tol.append((g[-1] - g[0]) / 2.0 + max(tolerance_hz[f] for f in g))
            for f in g:
                index[f] = len(self.freqs) - 1
        for name, spec in tones.items():
            for i, step in enumerate(spec.steps):
                used = [index[f] for f in step.frequencies_hz]
                if len(set(used)) != len(used):
                    raise SignalFormatError(
                        f"profile {profile.name!r} tone {name!r}: steps[{i}] frequencies_hz "
                        f"{step.frequencies_hz} overlap (components closer than "
                        f"{_MIN_SEPARATION_HZ:g} Hz cannot be told apart)")
        self.sigs: list[tuple[float, ...]] = []
        sig_index: dict[tuple[int, ...], int] = {}
        self._index = index
        for name, spec in tones.items():
            for i, step in enumerate(spec.steps):
                if step.silent:
                    if step.duration_ms is not None and 0 < step.duration_ms < _MIN_OFF_MS:
                        raise SignalFormatError(
                            f"profile {profile.name!r} tone {name!r}: steps[{i}] silence of "
                            f"{step.duration_ms:g} ms is shorter than {_MIN_OFF_MS:g} ms")
                    continue
                if len(step.frequencies_hz) > 4:
                    raise SignalFormatError(
                        f"profile {profile.name!r} tone {name!r}: steps[{i}] has "
                        f"{len(step.frequencies_hz)} frequencies, at most 4")
                if step.duration_ms is not None and step.duration_ms < _MIN_ON_MS:
                    raise SignalFormatError(
                        f"profile {profile.name!r} tone {name!r}: steps[{i}] duration_ms "
                        f"{step.duration_ms:g} is shorter than {_MIN_ON_MS:g} ms")
                key = self._key(step.frequencies_hz)
                if key not in sig_index:
                    sig_index[key] = len(self.sigs)
                    self.sigs.append(tuple(sorted(step.frequencies_hz)))
        if len(self.sigs) > 32:
            raise SignalFormatError(f"profile {profile.name!r}: more than 32 frequency sets")
        # Which tones use each signature.
        users: dict[int, set[str]] = {i: set() for i in range(len(self.sigs))}
        for name, spec in tones.items():
            for step in spec.steps:
                if not step.silent:
                    users[sig_index[self._key(step.frequencies_hz)]].add(name)
        self.sig_names: list[str | None] = [
            next(iter(users[i])) if len(users[i]) == 1 else None for i in range(len(self.sigs))]
        # Longest finite burst per signature of tones that are not "long".
        long_sigs: set[int] = set()
        max_burst: dict[int, float] = {i: 0.0 for i in range(len(self.sigs))}
        self.patterns: list[_Pattern] = []
        seen: dict[tuple[Any, ...], str] = {}
        for name, spec in tones.items():
            elements = self._elements(spec, sig_index)
            if all(sig is None for sig, _ in elements):
                raise SignalFormatError(f"profile {profile.name!r} tone {name!r}: no tone steps "
                                        "(steps must have frequencies_hz)")
            cyclic = spec.repeat != 1 and spec.period_ms is not None
            if not cyclic:
                while elements and elements[-1][0] is None:
                    elements.pop()
                while elements and elements[0][0] is None:
                    elements.pop(0)
                # A one-shot tone made of one long burst (CED, Bell answer) is recognised
                # once that burst has lasted long enough.
                if len(elements) == 1 and (elements[0][1] or 0) >= 2000:
                    elements[0] = (elements[0][0], None)
            for sig, ms in elements:
                if sig is None:
                    continue
                if ms is None:
                    long_sigs.add(sig)
                else:
                    max_burst[sig] = max(max_burst[sig], ms)
            shape = (tuple(elements), cyclic)
            if shape in seen:
                continue  # an alias (cn second_dial = dial): the first name is reported
            seen[shape] = name
            own = {sig for sig, _ in elements if sig is not None}
            early = (len(own) == 1 and all(len(users[s]) == 1 for s in own)
                     and all(ms is None or ms >= 400 for s, ms in elements if s is not None))
            self.patterns.append(_Pattern(
                name, tuple(_Element(s, None if ms is None else round(ms * 8)) for s, ms in
                            elements), cyclic, early))
        self.by_sig: dict[int | None, list[tuple[int, _Pattern]]] = {}
        for order, pat in enumerate(self.patterns):
            for sig in {e.sig for e in pat.elements}:
                self.by_sig.setdefault(sig, []).append((order, pat))
        self.names_by_sig = {sig: {p.name for _, p in pats} for sig, pats in self.by_sig.items()}
        self.long_ms = {}
        for s in long_sigs:
            self.long_ms[s] = max(600.0, max_burst[s] * (1 + cadence_tolerance) + 60.0)
            if self.sigs[s] == (2100.0,):
                # Long enough to see two V.25 phase reversals (450 ms apart) or 15 cycles of
                # the V.8 modulation.
                self.long_ms[s] = max(self.long_ms[s], 1000.0)
        #: V.8 ANSam is modulated to 20 %; plain ANS measures a few percent.
        self.ansam_depth = 0.1
        # Accepted duration range of each element, in samples.
        self.bounds: dict[str, list[tuple[int | None, float, float, bool]]] = {}
        for pat in self.patterns:
            rows = []
            for e in pat.elements:
                if e.samples is None:
                    lo = self.long_ms.get(e.sig, 600.0) * 8 if e.sig is not None else 0.0
                    rows.append((e.sig, lo, math.inf, True))
                else:
                    tol = cadence_tolerance * e.samples + 240
                    rows.append((e.sig, e.samples - tol, e.samples + tol, False))
            self.bounds[pat.name] = rows
        # Per signature: (lo, hi, is_long, order, pattern, element index, entries needed)
        # of every element a burst or gap of that signature can be.
        self.intervals: dict[int | None, list[tuple[float, float, bool, int, _Pattern, int,
                                                    int]]] = {}
        for order, pat in enumerate(self.patterns):
            rows = self.bounds[pat.name]
            n = len(rows)
            need = 1 if pat.early else max(3, n + 1) if pat.cyclic else n
            for idx, (sig, lo, hi, is_long) in enumerate(rows):
                if not pat.cyclic and not pat.early and idx != n - 1:
                    continue  # a one-shot tone is decided on its last element
                self.intervals.setdefault(sig, []).append((lo, hi, is_long, order, pat, idx,
                                                           need))
        ms_per_block = 1000.0 * BLOCK_SAMPLES / SAMPLE_RATE
        self.min_on = [3] * len(self.sigs)
        self.long_blocks = [math.ceil(self.long_ms[s] / ms_per_block) if s in self.long_ms
                            else 0 for s in range(len(self.sigs))]
        self.coef = [2.0 * math.cos(2.0 * math.pi * f / SAMPLE_RATE) for f in self.freqs]
        self.sublen = [20 if f == _V21_CENTER_HZ else _sublen_for(f, tol)
                       for f, tol in zip(self.freqs, group_tol, strict=True)]
        self.v21_index = self.freqs.index(_V21_CENTER_HZ) if fax and \
            _V21_CENTER_HZ in self.freqs else -1
        self.sig_indices = [self._key(sig) for sig in self.sigs]
        self.min_comp = _dbm0_to_block_energy(threshold_dbm0)
        self.fraction = fraction
        self.twist = 10.0 ** (max_twist_db / 10.0)
        self.voice_min = _dbm0_to_block_energy(voice_threshold_dbm0)
        self.voice_hangover = max(1, round(voice_hangover_ms / ms_per_block))
        # The 2100 Hz answer tone: its variants (ANS/, ANSam, ANSam/) are told apart by
        # phase reversals and 15 Hz modulation measured in the core.
        self.answer_index = -1
        self.answer_sig = -1
        for i, f in enumerate(self.freqs):
            if abs(f - 2100.0) < 1.0 and self.sublen[i] == BLOCK_SAMPLES:
                self.answer_index = i
                for j, key in enumerate(self.sig_indices):
                    if key == (i,):
                        self.answer_sig = j
        if self.answer_sig < 0:
            self.answer_index = -1
        self.relaxed = []
        for key in self.sig_indices:
            close = False
            for i in key:
                for j in key:
                    if i < j:
                        width = SAMPLE_RATE / min(self.sublen[i], self.sublen[j])
                        close |= abs(self.freqs[i] - self.freqs[j]) < 1.5 * width
            self.relaxed.append(close)
        self.tone_names = list(tones)

    def _key(self, freqs: Iterable[float]) -> tuple[int, ...]:
        return tuple(sorted({self._index[f] for f in freqs}))

    def _elements(self, spec: ToneSpec, sig_index: dict[tuple[int, ...], int]
                  ) -> list[tuple[int | None, float | None]]:
        """Steps merged into runs: (signature or None, duration ms or None)."""
        out: list[tuple[int | None, float | None]] = []
        for step in spec.steps:
            sig = None if step.silent else sig_index[self._key(step.frequencies_hz)]
            if step.duration_ms == 0:
                continue
            if out and out[-1][0] == sig and out[-1][1] is not None:
                dur = None if step.duration_ms is None else out[-1][1] + step.duration_ms
                out[-1] = (sig, dur)
            else:
                out.append((sig, step.duration_ms))
        if spec.repeat != 1 and spec.period_ms is not None and len(out) > 1 \
                and out[0][0] == out[-1][0]:
            first = out.pop(0)
            out[-1] = (first[0], (out[-1][1] or 0) + (first[1] or 0))
        return out

    def core(self, channels: int) -> ProgressCore:
        core = ProgressCore(channels, self.coef, self.sublen, self.sig_indices, self.min_on,
                            self.long_blocks, self.min_comp, self.fraction, self.twist, 2,
                            self.voice_min, 2, self.voice_hangover, self.relaxed,
                            self.answer_index, self.answer_sig, self.v21_index)
        # Cadence tables: tone names by code (the patterns' first), each pattern's elements
        # (signature or -1 for a gap, accepted duration range) and the intervals of each
        # signature in match order.
        names = [p.name for p in self.patterns]

        def code(name: str | None) -> int:
            if name is None:
                return -1
            if name not in names:
                names.append(name)
            return names.index(name)

        patterns = [(order, pat.early,
                     [(-1 if sig is None else sig, lo, hi)
                      for sig, lo, hi, _ in self.bounds[pat.name]])
                    for order, pat in enumerate(self.patterns)]
        intervals = [(sig, lo, hi, is_long, order, idx, need)
                     for sig in range(len(self.sigs))
                     for lo, hi, is_long, order, _, idx, need in self.intervals.get(sig, ())]
        sig_names = [code(name) for name in self.sig_names]
        ced = next((i for i, p in enumerate(self.patterns) if p.name == "ced"), -1)
        variants = [code(name) for name in ("ans_pr", "ansam", "ansam_pr", "v21_preamble")]
        core.cadence(tuple(names), patterns, intervals, sig_names, ced, variants,
                     self.ansam_depth, tuple(self.sigs))
        return core


def _signature_key(spec: ToneSpec) -> tuple[Any, ...]:
    return tuple((tuple(sorted(s.frequencies_hz)), s.duration_ms) for s in spec.steps
                 if s.frequencies_hz)


def _check(name: str, value: float, low: float, high: float) -> None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SignalFormatError(f"{name} must be a number in {low}..{high}, got {value!r}") \
            from None
    if not (math.isfinite(v) and low <= v <= high):
        raise SignalFormatError(f"{name} must be in {low}..{high}, got {value!r}")


# ----------------------------------------------------------------------------- detectors

def _as_frame(frame: Any) -> np.ndarray:
    if type(frame) is np.ndarray and frame.dtype == np.int16 and frame.ndim == 1 \
            and frame.flags.c_contiguous:
        return frame
    arr = np.asarray(frame)
    if arr.ndim != 1:
        raise SignalFormatError(f"frame must be one-dimensional, got shape {arr.shape}")
    if arr.dtype != np.int16:
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise SignalFormatError(f"frame must be int16 samples, got dtype {arr.dtype}")
        if arr.size and (arr.min() < -32768 or arr.max() > 32767):
            raise SignalFormatError("frame samples must be in -32768..32767")
        arr = arr.astype(np.int16)
    return np.ascontiguousarray(arr)


class _DetectorBase:
    _compiled: _Compiled
    _core: ProgressCore
    _channels: int

    def _setup(self, profile: str | ToneProfile, channels: int, fax: bool,
               threshold_dbm0: float, frequency_tolerance: float, cadence_tolerance: float,
               fraction: float, max_twist_db: float, voice_threshold_dbm0: float,
               voice_hangover_ms: float, sample_rate: int) -> None:
        if sample_rate != SAMPLE_RATE:
            raise SignalFormatError(f"sample_rate must be 8000 Hz, got {sample_rate!r}")
        self._compiled = _Compiled(
            get_profile(profile), fax=fax, threshold_dbm0=threshold_dbm0,
            frequency_tolerance=frequency_tolerance, cadence_tolerance=cadence_tolerance,
            fraction=fraction, max_twist_db=max_twist_db,
            voice_threshold_dbm0=voice_threshold_dbm0, voice_hangover_ms=voice_hangover_ms)
        self._core = self._compiled.core(channels)
        self._channels = channels

    @property
    def profile(self) -> ToneProfile:
        """The tone profile the detector was built from."""
        return self._compiled.profile

    @property
    def tones(self) -> tuple[str, ...]:
        """Names of every tone the detector recognises (profile and fax/modem tones)."""
        names = tuple(p.name for p in self._compiled.patterns)
        if self._compiled.v21_index >= 0:
            names += ("v21_preamble",)
        return names

    @property
    def sample(self) -> int:
        """Samples consumed so far (per channel)."""
        return int(self._core.sample)

    def silence_samples(self, channel: int = 0) -> int:
        """Samples since the line last carried voice or a tone (0 while it does), up to the
        last complete block: a recorder stops when this passes its silence limit."""
        return self._core.silence_samples(channel)

    def fillin(self, samples: int) -> list[ProgressEvent]:
        """A lost frame: advance the timeline by ``samples`` of silence (a gap longer than
        the hangover ends a tone, as the line would)."""
        if not isinstance(samples, int) or samples < 0:
            raise SignalFormatError(f"samples must be an int >= 0, got {samples!r}")
        return self._core.process_events(np.zeros((self._channels, samples), np.int16))

    def flush(self) -> list[ProgressEvent]:
        """End of stream: close a tone or voice run in progress and return its events."""
        return self._core.flush_events()

    def reset(self) -> None:
        """Forget all state (the compiled profile stays); the timeline restarts at 0."""
        self._core.reset()


class ToneDetector(_DetectorBase):
    """Call-progress tone, cadence and voice-activity detector for one channel.

    What it does
        Recognises the tones of a national profile (``"cn"`` by default, ``"us"``, ``"uk"``,
        ``"etsi"`` or any :class:`~boardlib.dsp.specs.ToneProfile`) by frequency and cadence,
        the fax and modem tones (T.30 CNG 1100 Hz; the 2100 Hz answer tone as V.25 ANS
        ``"ced"``, ANS with phase reversals ``"ans_pr"``, V.8 ANSam ``"ansam"`` and
        ANSam/ ``"ansam_pr"``; Bell 2225 Hz; V.25 calling 1300 Hz; the T.30 V.21 preamble
        of HDLC flags ``"v21_preamble"``, for fax machines that send no CED) and the E.180
        special information tone, and reports voice activity (energy not explained by a
        tone).
    How it works
        20 ms blocks (160 samples). A Goertzel filter per frequency — run over shorter
        sub-blocks for higher frequencies, so ±2.5 % (fax tones: their V.25/T.30 tolerance)
        stays inside the pass band — estimates each component's energy. A block carries a
        tone when every component is above ``threshold_dbm0``, the twist is at most
        ``max_twist_db`` and the components hold ``fraction`` of the block energy. Three
        blocks start a tone, two missing blocks end it. Bursts and gaps are matched against
        the profile's cadences with ``cadence_tolerance`` (relative) plus 30 ms: a repeating
        cadence needs one full period plus one burst (busy is decided at the end of its
        second burst), a steady tone must outlast the longest burst of any cadenced tone
        with the same frequencies, a tone whose frequencies no other tone uses is named
        after its first burst. The 2100 Hz answer tone is named after 1 s: a phase
        reversal is a jump of more than 90 degrees in the two-block phase advance of its
        DFT value; ANSam is a 15 Hz envelope component of at least 10 % (V.8: 20 %).
        Blocks whose energy lies in the V.21 band (1650/1850 Hz) are demodulated sample by
        sample (two sliding one-bit correlators, a bit clock pulled to the transitions);
        five 0x7E flags exactly 8 bits apart make a preamble.
    Limits
        8000 Hz only. Timing resolution is one block (20 ms). Cadence steps shorter than
        60 ms (tone) or 40 ms (silence) are rejected at construction, as are frequencies
        outside 100..3800 Hz within one tone (closer frequencies of different tones share
        one filter). Voice activity is energy
        based: steady voiced sounds can briefly give a :class:`ToneOn`, never a cadence
        in the speech tests.

    Parameters
    ----------
    profile:
        Profile name or object.
    fax:
        Also detect the fax/modem tones and SIT of ``SPECIAL_TONES``.
    threshold_dbm0:
        Minimum level of each tone component.
    """

    def __init__(self, profile: str | ToneProfile = "cn", *, sample_rate: int = 8000,
                 fax: bool = True, threshold_dbm0: float = -42.0,
                 frequency_tolerance: float = 0.025, cadence_tolerance: float = 0.15,
                 fraction: float = 0.7, max_twist_db: float = 8.0,
                 voice_threshold_dbm0: float = -40.0, voice_hangover_ms: float = 60.0) -> None:
        self._setup(profile, 1, fax, threshold_dbm0, frequency_tolerance, cadence_tolerance,
                    fraction, max_twist_db, voice_threshold_dbm0, voice_hangover_ms,
                    sample_rate)

    def process(self, frame: Any) -> list[ProgressEvent]:
        """Feed int16 samples (any length, 0 included); return the events they complete."""
        arr = _as_frame(frame)
        return self._core.process_events(arr[np.newaxis])


class ToneDetectorBank(_DetectorBase):
    """``channels`` :class:`ToneDetector` s in one object: :meth:`process` takes an
    ``int16[channels, n]`` block and runs the Goertzel bank, the run tracking and the cadence
    matching of all channels in one call with the GIL released; event objects are then made
    for the channels that have events only. Events carry ``channel``; they equal those of one
    detector per channel."""

    def __init__(self, channels: int, profile: str | ToneProfile = "cn", *,
                 sample_rate: int = 8000, fax: bool = True, threshold_dbm0: float = -42.0,
                 frequency_tolerance: float = 0.025, cadence_tolerance: float = 0.15,
                 fraction: float = 0.7, max_twist_db: float = 8.0,
                 voice_threshold_dbm0: float = -40.0, voice_hangover_ms: float = 60.0) -> None:
        if not isinstance(channels, int) or not 1 <= channels <= 65536:
            raise SignalFormatError(f"channels must be an int in 1..65536, got {channels!r}")
        self.channels = channels
        self._setup(profile, channels, fax, threshold_dbm0, frequency_tolerance,
                    cadence_tolerance, fraction, max_twist_db, voice_threshold_dbm0,
                    voice_hangover_ms, sample_rate)

    def process(self, block: Any) -> list[ProgressEvent]:
        """Feed ``int16[channels, n]``; return the events of all channels."""
        if type(block) is np.ndarray and block.dtype == np.int16 and block.ndim == 2 \
                and block.shape[0] == self.channels and block.flags.c_contiguous:
            return self._core.process_events(block)
        arr = np.asarray(block)
        if arr.ndim != 2 or arr.shape[0] != self.channels:
            raise SignalFormatError(
                f"block must have shape ({self.channels}, n), got {arr.shape}")
        if arr.dtype != np.int16:
            raise SignalFormatError(f"block must be int16, got dtype {arr.dtype}")
        return self._core.process_events(np.ascontiguousarray(arr))


# ------------------------------------------------------------------- call-progress analysis

class CallResult(enum.Enum):
    """Outcome of an outbound call attempt (values are the JSON/CLI spelling)."""

    ANSWERED_HUMAN = "answered_human"
    ANSWERING_MACHINE = "answering_machine"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    NO_RINGBACK = "no_ringback"
    NO_DIALTONE = "no_dialtone"
    SIT = "sit"
    CONGESTION = "congestion"
    FAX = "fax"
    MODEM = "modem"


@dataclass(frozen=True, slots=True)
class ProgressResult:
    """The decision of a :class:`CallProgressAnalyzer`.

    ``sample`` is where it was taken (samples since the analyzer started), ``confidence``
    in 0..1, ``reason`` a short cause in the manner of Asterisk's ``AMDCAUSE``
    (``"cadence busy"``, ``"greeting 3.2 s"``), ``rings`` the ringback bursts heard and
    ``events`` the detector events that led to it.
    """

    result: CallResult
    confidence: float
    sample: int
    reason: str
    rings: int = 0
    events: tuple[ProgressEvent, ...] = ()


_TONE_RESULTS = {
    "busy": (CallResult.BUSY, 0.95),
    "congestion": (CallResult.CONGESTION, 0.95),
    "vacant": (CallResult.SIT, 0.9),
    "sit": (CallResult.SIT, 0.95),
    "cng": (CallResult.FAX, 0.95),
    "ced": (CallResult.FAX, 0.8),
    "ans_pr": (CallResult.FAX, 0.7),
    "ansam": (CallResult.MODEM, 0.7),
    "ansam_pr": (CallResult.MODEM, 0.7),
    "bell_ans": (CallResult.MODEM, 0.9),
    "v25_calling": (CallResult.MODEM, 0.85),
    "v21_preamble": (CallResult.FAX, 0.9),
}


class CallProgressAnalyzer:
    """Outbound call-progress state machine, started when dialling ends.

    What it does
        Feeds the line audio to a :class:`ToneDetector` and decides a :class:`CallResult`:
        busy, congestion and special information (SIT / vacant number) from their cadences;
        fax (CNG, CED) and modem (Bell, V.25 calling) tones; no answer after ``max_rings``
        ringback bursts or ``no_answer_ms``; no ringback when nothing is heard for
        ``no_ringback_ms``; and, once voice is heard, a human or an answering machine.
        With ``wait_dial_tone=True`` it first checks for dial tone
        (:attr:`CallResult.NO_DIALTONE` if none within ``dial_tone_ms``), then waits for
        :meth:`dialling_done`.
    How it works (answering-machine detection)
        Voice runs (20 ms blocks, adaptive noise floor) are merged into one greeting across
        pauses shorter than ``after_greeting_silence_ms``. A *human* answers briefly
        ("hello?") and then waits for the caller: the greeting ends with that much silence
        before it spans ``machine_greeting_ms``. A *machine* plays a greeting that spans
        ``machine_greeting_ms`` without such a pause; a line that stays silent after
        ringing stops for longer than ``initial_silence_ms`` (and a ring period) is also
        taken for a machine. At ``total_analysis_ms`` the voiced share decides, with low
        confidence. Asterisk ``app_amd`` (100 ms words, at most 2 words, 1500 ms of voice,
        800 ms after-greeting silence) is the baseline this improves on: the span of the
        greeting does not depend on how the syllables of one "hello, who is it?" fall into
        words.
    Limits
        Decisions are taken at 20 ms resolution. A human who speaks a long sentence
        without pausing is taken for a machine. The 2100 Hz answer tone is reported as
        fax (ANS, ANS/) or modem (ANSam, ANSam/ of V.8), though V.34 fax also sends ANSam.
    """

    def __init__(self, profile: str | ToneProfile = "cn", *, max_rings: int = 6,
                 no_answer_ms: float | None = None, no_ringback_ms: float = 12000.0,
                 wait_dial_tone: bool = False, dial_tone_ms: float = 3000.0,
                 amd: bool = True, initial_silence_ms: float = 2500.0,
                 machine_greeting_ms: float = 2000.0, after_greeting_silence_ms: float = 700.0,
                 total_analysis_ms: float = 5000.0, **detector: Any) -> None:
        if not isinstance(max_rings, int) or max_rings < 1:
            raise SignalFormatError(f"max_rings must be an int >= 1, got {max_rings!r}")
        for name, value in (("no_ringback_ms", no_ringback_ms), ("dial_tone_ms", dial_tone_ms),
                            ("initial_silence_ms", initial_silence_ms),
                            ("machine_greeting_ms", machine_greeting_ms),
                            ("after_greeting_silence_ms", after_greeting_silence_ms),
                            ("total_analysis_ms", total_analysis_ms)):
            _check(name, value, 20.0, 600000.0)
        self.detector = ToneDetector(profile, **detector)
        prof = self.detector.profile
        ring_period = sum(on + off for on, off in prof.ring_cadence_ms)
        if no_answer_ms is None:
            no_answer_ms = max_rings * ring_period + 1000.0
        _check("no_answer_ms", no_answer_ms, 20.0, 3600000.0)
        self.max_rings = max_rings
        self._ms = {"no_answer": no_answer_ms, "no_ringback": no_ringback_ms,
                    "dial_tone": dial_tone_ms, "initial_silence": initial_silence_ms,
                    "machine": machine_greeting_ms, "after": after_greeting_silence_ms,
                    "total": total_analysis_ms}
        self.amd = amd
        ring = prof.tones.get("ringback")
        self._ring_freqs = ring.frequencies_hz if ring is not None else ()
        self._ring_on = [s.duration_ms for s in ring.steps if s.frequencies_hz and
                         s.duration_ms] if ring is not None else []
        self._wait_dial = wait_dial_tone
        self._ring_gap = 0.5 * max(off for _, off in prof.ring_cadence_ms) * 8
        self.reset()

    def reset(self) -> None:
        """Start a new analysis (the profile and limits stay)."""
        self.detector.reset()
        self.result: ProgressResult | None = None
        self.events: list[ProgressEvent] = []
        self.rings = 0
        self.dial_tone: ToneCadence | None = None
        self._stage = "dial_tone" if self._wait_dial else "progress"
        self._origin = 0            # sample where the current stage started
        self._ring_end: int | None = None
        self._answer: int | None = None
        self._voice: list[tuple[int, int]] = []     # closed voice runs (start, end)
        self._voice_open: int | None = None
        self._tone_open = False

    def dialling_done(self) -> None:
        """Start the post-dial stage now (after dial tone was found and digits were sent)."""
        self._stage = "progress"
        self._origin = self.detector.sample
        self._ring_end = None

    @property
    def sample(self) -> int:
        return self.detector.sample

    def process(self, frame: Any) -> ProgressResult | None:
        """Feed line audio; return the :class:`ProgressResult` once decided, else ``None``.
        After a decision further audio is ignored and the same result is returned."""
        if self.result is not None:
            return self.result
        for ev in self.detector.process(frame):
            self._event(ev)
            if self.result is not None:
                return self.result
        self._timers(self.detector.sample)
        return self.result

    def finish(self) -> ProgressResult:
        """End of audio: decide with the evidence so far."""
        if self.result is None:
            for ev in self.detector.flush():
                self._event(ev)
                if self.result is not None:
                    return self.result
            now = self.detector.sample
            self._timers(now)
            if self.result is None:
                if self._stage == "dial_tone":
                    self._decide(CallResult.NO_DIALTONE, 0.6, now, "no dial tone")
                elif self._answer is not None:
                    self._amd_deadline(now)
                elif self.rings:
                    self._decide(CallResult.NO_ANSWER, 0.5, now,
                                 f"{self.rings} rings, audio ended")
                else:
                    self._decide(CallResult.NO_RINGBACK, 0.5, now, "nothing heard")
        assert self.result is not None
        return self.result

    # -- internals --------------------------------------------------------------------
    def _decide(self, result: CallResult, confidence: float, sample: int, reason: str) -> None:
        self.result = ProgressResult(result, round(min(1.0, max(0.0, confidence)), 3),
                                     sample, reason, self.rings, tuple(self.events))

    def _is_ring_burst(self, ev: ToneOff) -> bool:
        if ev.tone == "ringback":
            return True
        if tuple(sorted(ev.frequencies_hz)) != tuple(sorted(self._ring_freqs)):
            return False
        ms = ev.duration / 8.0
        return any(abs(ms - on) <= 0.2 * on + 40 for on in self._ring_on)

    def _event(self, ev: ProgressEvent) -> None:
        self.events.append(ev)
        if self._stage == "dial_tone":
            if isinstance(ev, ToneCadence) and ev.tone in ("dial", "second_dial", "stutter_dial"):
                self.dial_tone = ev
                self._stage = "dialling"
            return
        if self._stage != "progress":
            return
        if isinstance(ev, ToneCadence):
            if ev.tone in _TONE_RESULTS:
                result, conf = _TONE_RESULTS[ev.tone]
                self._decide(result, conf, ev.sample + ev.duration, f"cadence {ev.tone}")
            return
        if isinstance(ev, ToneOn):
            self._tone_open = True
            if self._voice_open is not None:
                self._voice.append((self._voice_open, ev.sample))
                self._voice_open = None
        elif isinstance(ev, ToneOff):
            self._tone_open = False
            if self._is_ring_burst(ev):
                # Bursts closer than half the longest ring pause belong to one ring
                # (UK: 0.4 on, 0.2 off, 0.4 on, 2.0 off is one ring).
                if self._ring_end is None or ev.sample - self._ring_end > self._ring_gap:
                    self.rings += 1
                self._ring_end = ev.sample + ev.duration
                self._answer = None
                self._voice.clear()
                if self.rings >= self.max_rings:
                    self._decide(CallResult.NO_ANSWER, 0.9, self._ring_end,
                                 f"{self.rings} rings")
        elif isinstance(ev, VoiceOn):
            if self._answer is None:
                self._answer = ev.sample
            self._voice_open = ev.sample
            self._amd(ev.sample)
        elif isinstance(ev, VoiceOff):
            if self._answer is None:
                self._answer = ev.sample
            self._voice.append((ev.sample, ev.sample + ev.duration))
            self._voice_open = None
            self._amd(ev.sample + ev.duration)

    def _timers(self, now: int) -> None:
        if self.result is not None:
            return
        ms = (now - self._origin) / 8.0
        if self._stage == "dial_tone":
            if ms >= self._ms["dial_tone"]:
                self._decide(CallResult.NO_DIALTONE, 0.9, now, "no dial tone")
            return
        if self._stage != "progress":
            return
        if self._answer is not None:
            self._amd(now)
            return
        if self._tone_open:
            return
        if self.rings and ms >= self._ms["no_answer"]:
            self._decide(CallResult.NO_ANSWER, 0.8, now, f"{self.rings} rings, time limit")
        elif self.rings and self._ring_end is not None and self.amd:
            # Ringing stopped and the line stays silent: answered, nobody speaks.
            period = max(on + off for on, off in self.detector.profile.ring_cadence_ms)
            silent = (now - self._ring_end) / 8.0
            if silent >= max(period * 1.3, self._ms["initial_silence"] + 1000):
                self._decide(CallResult.ANSWERING_MACHINE, 0.5, now,
                             f"silence {silent / 1000:.1f} s after ringing")
        elif not self.rings and ms >= self._ms["no_ringback"]:
            self._decide(CallResult.NO_RINGBACK, 0.85, now, "no ringback")

    def _greeting(self, now: int) -> tuple[int, int, bool, int]:
        """First utterance since the answer, voice runs merged across pauses shorter than
        the after-greeting silence: (start, end, still open, voiced samples in total)."""
        runs = list(self._voice)
        if self._voice_open is not None:
            runs.append((self._voice_open, now))
        pause = self._ms["after"] * 8
        start, end = runs[0]
        voiced = 0
        for s, e in runs:
            voiced += e - s
            if s - end >= pause:
                return start, end, False, voiced
            end = max(end, e)
        still_open = self._voice_open is not None or now - end < pause
        return start, end, still_open, voiced

    def _amd(self, now: int) -> None:
        if self.result is not None or self._answer is None:
            return
        if not self.amd:
            self._decide(CallResult.ANSWERED_HUMAN, 0.6, self._answer, "voice")
            return
        if not self._voice and self._voice_open is None:
            return
        start, end, still_open, voiced = self._greeting(now)
        span = (now if self._voice_open is not None else end) - start
        machine = self._ms["machine"] * 8
        if span >= machine:
            self._decide(CallResult.ANSWERING_MACHINE, 0.9, int(start + machine),
                         f"greeting longer than {machine / 8000:.1f} s")
            return
        if not still_open:
            conf = 0.7 + 0.25 * min(1.0, (machine - span) / machine)
            self._decide(CallResult.ANSWERED_HUMAN, conf, now,
                         f"answer {span / 8000:.1f} s then silence")
            return
        if (now - self._answer) / 8.0 >= self._ms["total"]:
            self._amd_deadline(now)

    def _amd_deadline(self, now: int) -> None:
        voiced = sum(e - s for s, e in self._voice)
        if self._voice_open is not None:
            voiced += now - self._voice_open
        span = max(1, now - (self._answer or 0))
        share = voiced / span
        if share >= 0.5:
            self._decide(CallResult.ANSWERING_MACHINE, 0.5 + 0.3 * (share - 0.5), now,
                         f"voice {share:.0%} of analysis time")
        else:
            self._decide(CallResult.ANSWERED_HUMAN, 0.5 + 0.3 * (0.5 - share), now,
                         f"voice {share:.0%} of analysis time")


def analyze_samples(samples: Any, profile: str | ToneProfile = "cn", **options: Any
                    ) -> tuple[CallResult, float, list[dict[str, Any]]]:
    """Run a :class:`CallProgressAnalyzer` over a whole recording (int16 samples at 8 kHz,
    starting when dialling ended).

    Returns ``(result, confidence, events)`` where ``events`` are JSON-ready dicts
    ``{"tone", "start_ms", "end_ms"}`` — one per tone burst (``tone`` is its name, or its
    frequencies such as ``"450Hz"`` when the cadence named none) and per voice run
    (``tone`` is ``"voice"``). The analysis stops at the decision.
    """
    arr = _as_frame(samples)
    cpa = CallProgressAnalyzer(profile, **options)
    result = cpa.process(arr)
    if result is None:
        result = cpa.finish()
    out: list[dict[str, Any]] = []
    for ev in result.events:
        if isinstance(ev, ToneOff):
            name = ev.tone or "+".join(f"{f:g}Hz" for f in ev.frequencies_hz)
            out.append({"tone": name, "start_ms": ev.sample / 8.0,
                        "end_ms": (ev.sample + ev.duration) / 8.0})
        elif isinstance(ev, VoiceOff):
            out.append({"tone": "voice", "start_ms": ev.sample / 8.0,
                        "end_ms": (ev.sample + ev.duration) / 8.0})
        elif isinstance(ev, ToneCadence):
            out.append({"tone": ev.tone, "start_ms": ev.sample / 8.0,
                        "end_ms": (ev.sample + ev.duration) / 8.0})
    return result.result, result.confidence, out
