"""Talk-off material: speech and music that a tone detector must not mistake for signalling.

``speech_and_music(seconds, seed)`` returns int16 audio at 8 kHz built from

* speech synthesised by espeak-ng (English and Mandarin, several voices, speeds and pitches),
  resampled to 8 kHz by sox, at an active speech level between -20 and -15 dBm0;
* synthetic music: a random melody over random chords of harmonic notes with vibrato and
  note envelopes, between -25 and -15 dBm0 (flute-like notes with few harmonics included,
  since those come closest to dual tones);
* speech over music (music 8 to 14 dB under the speech), and short low-level pauses.

Levels follow the library's convention: a sine of L dBm0 has peak 32768 * 10^((L-3.14)/20),
so a signal's level is 20*log10(rms * sqrt(2) / 32768) + 3.14 dBm0. Speech levels are
*active* levels (measured over the 20 ms frames within 40 dB of the loudest one).

The output depends only on ``seconds`` and ``seed`` (and on the espeak-ng and sox
installed). The utterance pool and each generated corpus are cached under ``build/oracles/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from .sox import _RAW16, sox_run
from .spandsp import build_lock, cache_dir

__all__ = [
    "RATE",
    "Segment",
    "TalkoffCorpus",
    "active_level_dbm0",
    "corpus",
    "level_dbm0",
    "music",
    "speech_and_music",
    "speech_pool",
]

RATE = 8000
_VERSION = "1"
_FULL_SCALE_RMS = 32768.0 / np.sqrt(2.0)  # rms of a full-scale sine, +3.14 dBm0

_ENGLISH = [
    "Please hold the line, your call is important to us and will be answered shortly.",
    "The meeting has been moved to half past nine on Thursday morning, in room four.",
    "Could you read me the number again, slowly, one digit at a time?",
    "Seven bright kites drifted over the harbour while the ferry sounded its horn.",
    "I think we should check the invoice before we send the payment on Monday.",
    "Nobody expected the quiet violinist to win the competition that evening.",
    "Press star to return to the main menu, or stay on the line for an operator.",
    "Hello? Hello, can you hear me? The signal keeps dropping out.",
    "She sang a long high note, and the whole choir joined in on the chorus.",
    "Eight, nine, ten: all the boxes are counted and ready for the lorry.",
    "Which way to the station? Straight ahead, then left at the lights.",
    "Whistling softly, he tuned the old guitar and played a gentle waltz.",
]

_MANDARIN = [
    "请您稍等，电话正在为您转接。",
    "今天天气很好，我们一起去公园散步吧。",
    "您拨打的电话暂时无法接通，请稍后再拨。",
    "明天上午九点半在四楼会议室开会。",
    "请再说一遍您的号码，一个数字一个数字地说。",
    "她唱了一首很长的歌，大家都跟着一起唱。",
    "八九十，所有的箱子都已经数好了。",
    "火车站怎么走？一直往前，然后在红绿灯左转。",
]

_EN_VOICES = ["en-us", "en-gb+f3", "en-us+m3", "en-gb-scotland+f2", "en-us+f4", "en+m7",
              "en-gb-x-rp+f1", "en-029+m2"]
_CMN_VOICES = ["cmn", "cmn+f3", "cmn+m3", "cmn+f2", "cmn+m1"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of the corpus: ``kind`` is speech, music, mix or pause."""

    start: int
    end: int
    kind: str
    level_dbm0: float  # target: active speech level (speech, mix), music level (music)


@dataclass(frozen=True)
class TalkoffCorpus:
    pcm: np.ndarray
    segments: tuple[Segment, ...]


def level_dbm0(pcm: np.ndarray) -> float:
    """Level of ``pcm`` in dBm0 (power over all samples)."""
    x = np.asarray(pcm, dtype=np.float64)
    rms = float(np.sqrt(np.mean(x * x))) if x.size else 0.0
    return -np.inf if rms == 0 else 20 * np.log10(rms / _FULL_SCALE_RMS) + 3.14


def active_level_dbm0(pcm: np.ndarray, frame: int = 160, window_db: float = 40.0) -> float:
    """Active level in dBm0: power over the frames within ``window_db`` of the loudest."""
    x = np.asarray(pcm, dtype=np.float64)
    n = x.size // frame
    if n == 0:
        return level_dbm0(x)
    p = np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)
    if p.max() == 0:
        return -np.inf
    keep = p >= p.max() * 10 ** (-window_db / 10)
    rms = np.sqrt(p[keep].mean())
    return float(20 * np.log10(rms / _FULL_SCALE_RMS) + 3.14)


def _espeak(voice: str, speed: int, pitch: int, text: str) -> np.ndarray:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise FileNotFoundError("the espeak-ng program is not installed")
    wav = subprocess.run([exe, "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout",
                          text], capture_output=True, check=True).stdout
    raw = sox_run(["-t", "wav", "-", *_RAW16, "-r", str(RATE), "-"], wav,
                  "remix", "-", "rate", "-h")
    return np.frombuffer(raw, "<i2").astype(np.int16)


def _pool_spec() -> list[tuple[str, int, int, str]]:
    spec = []
    for i, text in enumerate(_ENGLISH):
        spec.append((_EN_VOICES[i % len(_EN_VOICES)], 120 + (i * 37) % 90, 25 + (i * 23) % 60,
                     text))
    for i, text in enumerate(_MANDARIN):
        spec.append((_CMN_VOICES[i % len(_CMN_VOICES)], 110 + (i * 41) % 80,
                     30 + (i * 29) % 50, text))
    return spec


def speech_pool() -> list[np.ndarray]:
    """The synthesised utterances (int16, 8 kHz), built once and cached."""
    spec = _pool_spec()
    key = hashlib.sha256(repr((_VERSION, spec)).encode()).hexdigest()[:12]
    path = cache_dir() / f"talkoff_pool_{key}.npz"
    if not path.exists():
        with build_lock("talkoff"):
            if not path.exists():
                clips = {f"u{i:02d}": _espeak(*s) for i, s in enumerate(spec)}
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
                np.savez(tmp, **clips)
                tmp.replace(path)
    with np.load(path) as data:
        return [data[f"u{i:02d}"] for i in range(len(spec))]


def _trim(x: np.ndarray) -> np.ndarray:
    """Drop leading/trailing near-silence (below -50 dBm0 over 10 ms)."""
    a = np.abs(x.astype(np.int32))
    thr = 32768 * 10 ** ((-50 - 3.14) / 20)
    idx = np.nonzero(a > thr)[0]
    return x[max(idx[0] - 40, 0): idx[-1] + 40] if idx.size else x[:0]


def _scale_to(x: np.ndarray, target_dbm0: float, active: bool) -> np.ndarray:
    current = active_level_dbm0(x) if active else level_dbm0(x)
    return x.astype(np.float64) * 10 ** ((target_dbm0 - current) / 20)


_SCALE = [0, 2, 4, 5, 7, 9, 11]  # major scale degrees, semitones


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of synthetic music (float64, unscaled): melody plus chords."""
    out = np.zeros(n, np.float64)
    t_all = np.arange(n) / RATE
    root = int(rng.integers(52, 65))  # MIDI note of the key
    flute = rng.random() < 0.4  # few harmonics: the hardest case for tone detectors

    def note(midi: float, start: int, length: int, amp: float, harmonics: int) -> None:
        length = min(length, n - start)
        if length <= 0:
            return
        t = t_all[:length]
        f0 = 440.0 * 2 ** ((midi - 69) / 12)
        vib_rate = rng.uniform(4.5, 6.5)
        vib_depth = rng.uniform(0.002, 0.01)
        inst = f0 * (1 + vib_depth * np.sin(2 * np.pi * vib_rate * t + rng.uniform(0, 6.3)))
        phase = 2 * np.pi * np.cumsum(inst) / RATE
        wave = np.zeros(length)
        tilt = rng.uniform(0.8, 1.6)
        for k in range(1, harmonics + 1):
            if k * f0 > 3800:
                break
            wave += np.sin(k * phase + rng.uniform(0, 6.3)) / k**tilt
        attack = min(length, int(0.02 * RATE))
        release = min(length - attack, int(0.06 * RATE))
        env = np.ones(length)
        env[:attack] = np.linspace(0, 1, attack, endpoint=False)
        if release:
            env[length - release:] = np.linspace(1, 0, release)
        env *= np.exp(-t * rng.uniform(0.0, 1.5))
        out[start: start + length] += amp * wave * env

    # melody
    pos = 0
    degree = int(rng.integers(0, 7))
    while pos < n:
        dur = int(RATE * rng.choice([0.15, 0.2, 0.3, 0.4, 0.6]))
        degree = int(np.clip(degree + rng.integers(-3, 4), -7, 14))
        midi = root + 12 + 12 * (degree // 7) + _SCALE[degree % 7]
        note(midi, pos, dur, 1.0, 2 if flute else int(rng.integers(3, 8)))
        pos += dur
    # chords
    pos = 0
    while pos < n:
        dur = int(RATE * rng.uniform(0.6, 1.6))
        base = int(rng.integers(0, 7))
        for step in (0, 2, 4)[: int(rng.integers(2, 4))]:
            d = base + step
            midi = root - 12 + 12 * (d // 7) + _SCALE[d % 7]
            note(midi, pos, dur, 0.5, int(rng.integers(2, 6)))
        pos += dur
    return out


def corpus(seconds: float, seed: int, cache: bool = True) -> TalkoffCorpus:
    """The corpus with its segment list (cached by ``seconds`` and ``seed`` unless
    ``cache`` is False; the utterance pool is always cached)."""
    n = int(round(seconds * RATE))
    if n <= 0:
        raise ValueError(f"seconds must be > 0, got {seconds}")
    pool = [_trim(u) for u in speech_pool()]
    key = hashlib.sha256(repr((_VERSION, n, seed, [len(u) for u in pool])).encode())
    path = cache_dir() / f"talkoff_{n}_{seed}_{key.hexdigest()[:10]}.npz"
    if cache and path.exists():
        with np.load(path) as data:
            segs = tuple(Segment(int(a), int(b), str(k), float(lv))
                         for a, b, k, lv in zip(data["starts"], data["ends"], data["kinds"],
                                                data["levels"], strict=True))
            return TalkoffCorpus(data["pcm"], segs)

    rng = np.random.default_rng(seed)
    out = np.zeros(n, np.float64)
    segments: list[Segment] = []
    pos = 0
    while pos < n:
        kind = str(rng.choice(["speech", "music", "mix", "pause"], p=[0.45, 0.25, 0.2, 0.1]))
        if kind == "pause":
            length = min(int(RATE * rng.uniform(0.1, 0.5)), n - pos)
            noise = rng.normal(0, 1, length)
            seg = _scale_to(noise, float(rng.uniform(-65, -55)), active=False)
            out[pos: pos + length] = seg
            segments.append(Segment(pos, pos + length, kind, level_dbm0(seg)))
            pos += length
            continue
        if kind == "music":
            length = min(int(RATE * rng.uniform(2.0, 6.0)), n - pos)
            level = float(rng.uniform(-25, -15))
            out[pos: pos + length] = _scale_to(music(length, rng), level, active=False)
        else:
            utt = pool[int(rng.integers(0, len(pool)))].astype(np.float64)
            length = min(utt.size, n - pos)
            level = float(rng.uniform(-20, -15))
            speech = _scale_to(utt, level, active=True)[:length]
            out[pos: pos + length] = speech
            if kind == "mix":
                bed = _scale_to(music(length, rng), level - float(rng.uniform(8, 14)),
                                active=False)
                out[pos: pos + length] += bed
        segments.append(Segment(pos, pos + length, kind, level))
        pos += length

    pcm = np.clip(np.rint(out), -32768, 32767).astype(np.int16)
    if not cache:
        return TalkoffCorpus(pcm, tuple(segments))
    with build_lock("talkoff_corpus"):
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, pcm=pcm, starts=[s.start for s in segments], ends=[s.end for s in segments],
                 kinds=[s.kind for s in segments], levels=[s.level_dbm0 for s in segments])
        tmp.replace(path)
    return TalkoffCorpus(pcm, tuple(segments))


def speech_and_music(seconds: float, seed: int) -> np.ndarray:
    """int16 talk-off audio at 8 kHz, deterministic for ``(seconds, seed)``."""
    return corpus(seconds, seed).pcm
