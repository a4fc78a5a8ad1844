"""The ``sox`` program as an independent oracle (raw audio through pipes).

sox decodes G.711 exactly as ITU-T G.191 does, for both laws, so it is an exact oracle for
decoding. Its *encoder* rounds differently from G.191 next to the decision thresholds
(about a thousand A-law and five hundred µ-law inputs, each within 4 LSB of a threshold):
compare encoders with it only away from thresholds or within one code step.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Literal

import numpy as np

from boardlib.errors import SignalFormatError

__all__ = [
    "sox_available",
    "sox_decode",
    "sox_encode",
    "sox_read_wav",
    "sox_resample",
    "sox_run",
    "sox_synth",
]

Law = Literal["alaw", "ulaw"]
_ENCODING = {"alaw": "a-law", "ulaw": "u-law"}
_RAW16 = ["-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-c", "1"]


def sox_available() -> bool:
    return shutil.which("sox") is not None


def sox_run(args: list[str], stdin: bytes | None = None, *effects: str,
            quiet: bool = True) -> bytes:
    """Run ``sox [-V1] args effects``, feeding ``stdin``; return its stdout."""
    exe = shutil.which("sox")
    if exe is None:
        raise FileNotFoundError("the sox program is not installed")
    # -D: no automatic dither, -R: repeatable (fixed seeds); both keep outputs exact.
    cmd = [exe, *(["-V1", "-D", "-R"] if quiet else []), *args, *effects]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"sox {' '.join(args)} failed ({proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def _law(law: str) -> str:
    try:
        return _ENCODING[law]
    except KeyError:
        raise SignalFormatError(f"law must be 'alaw' or 'ulaw', got {law!r}") from None


def sox_decode(codes: bytes | np.ndarray, law: Law) -> np.ndarray:
    """G.711 codes -> int16 samples, decoded by sox."""
    data = bytes(np.asarray(codes, dtype=np.uint8).tobytes()) if isinstance(codes, np.ndarray) \
        else bytes(codes)
    out = sox_run(["-t", "raw", "-e", _law(law), "-b", "8", "-r", "8000", "-c", "1", "-",
                   *_RAW16, "-"], data)
    return np.frombuffer(out, "<i2").astype(np.int16)


def sox_encode(pcm: np.ndarray, law: Law) -> bytes:
    """int16 samples -> G.711 codes (bytes), encoded by sox (not G.191-exact, see above)."""
    arr = np.asarray(pcm)
    if arr.dtype != np.int16 or arr.ndim != 1:
        raise SignalFormatError(f"pcm must be one-dimensional int16, got {arr.dtype}{arr.shape}")
    return sox_run([*_RAW16, "-r", "8000", "-",
                    "-t", "raw", "-e", _law(law), "-b", "8", "-c", "1", "-"],
                   arr.astype("<i2").tobytes())


def sox_read_wav(path: str | Path) -> tuple[int, np.ndarray]:
    """(sample rate, int16 mono samples) of any file sox reads; channels are mixed down."""
    rate = int(float(sox_run(["--i", "-r", str(path)], quiet=False).decode().strip()))
    out = sox_run([str(path), *_RAW16, "-"], None, "remix", "-")
    return rate, np.frombuffer(out, "<i2").astype(np.int16)


def sox_resample(path: str | Path, rate: int = 8000) -> np.ndarray:
    """Any audio file sox reads -> int16 mono at ``rate`` Hz (sox's high-quality ``rate``)."""
    out = sox_run([str(path), *_RAW16, "-r", str(rate), "-"], None, "remix", "-", "rate", "-h")
    return np.frombuffer(out, "<i2").astype(np.int16)


def sox_synth(seconds: float, *effects: str, rate: int = 8000) -> np.ndarray:
    """int16 mono from ``sox -n ... synth <seconds> <effects...>``.

    Example: ``sox_synth(1.0, "sine", "1000", "vol", "0.5")``.
    """
    out = sox_run(["-n", *_RAW16, "-r", str(rate), "-", "synth", str(seconds), *effects])
    return np.frombuffer(out, "<i2").astype(np.int16)
