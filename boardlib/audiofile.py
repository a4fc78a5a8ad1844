"""Reading and writing telephone audio files: 8 kHz mono WAV (16-bit PCM, A-law, μ-law) and raw.

Accepted
--------
* WAV (RIFF/WAVE) with format tag 1 (PCM, 16 bits), 6 (A-law, 8 bits) or 7 (μ-law, 8 bits),
  also inside ``WAVE_FORMAT_EXTENSIBLE``; one channel; 8000 samples per second.
* Raw files: ``s16`` (native-endian 16-bit linear), ``alaw`` or ``ulaw`` (one octet a sample),
  assumed to be 8 kHz mono.

Anything else raises :class:`~boardlib.errors.SignalFormatError` naming what the file is and
what is accepted: a truncated header, a data chunk shorter than it claims, another rate,
stereo, 8-bit or 24-bit PCM, float, ADPCM. G.711 files are returned as their codes, so a
caller can feed them to receivers that take codes directly, or decode them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from .errors import SignalFormatError

__all__ = ["Audio", "read_audio", "write_wav", "RAW_FORMATS", "SAMPLE_RATE"]

SAMPLE_RATE = 8000
RAW_FORMATS = ("s16", "alaw", "ulaw")
_TAGS = {1: "s16", 6: "alaw", 7: "ulaw"}
_TAG_NAMES = {
    1: "PCM",
    2: "MS ADPCM",
    3: "IEEE float",
    6: "A-law",
    7: "μ-law",
    17: "IMA ADPCM",
    49: "GSM 6.10",
    85: "MP3",
}
ACCEPTED = "8 kHz mono WAV in 16-bit PCM, A-law (tag 6) or μ-law (tag 7), or raw s16/alaw/ulaw"

Encoding = Literal["s16", "alaw", "ulaw"]


@dataclass(frozen=True, slots=True)
class Audio:
    """Samples read from a file: ``data`` is int16 for ``s16``, uint8 G.711 codes otherwise."""

    data: np.ndarray
    encoding: Encoding
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return len(self.data) / self.sample_rate

    def pcm(self) -> np.ndarray:
        """The samples as int16 linear PCM (G.711 codes decoded bit-exactly)."""
        if self.encoding == "s16":
            return self.data
        from .dsp import alaw_decode, ulaw_decode

        return alaw_decode(self.data) if self.encoding == "alaw" else ulaw_decode(self.data)


def read_audio(path: str | Path, raw: Encoding | None = None) -> Audio:
    """Read a WAV file, or a raw file when ``raw`` names its encoding.

    Raises
    ------
    SignalFormatError
        The file is not one of the accepted formats (see the module docstring), or is
        truncated; the message names the file, what it is and what is accepted.
    OSError
        The file cannot be opened.
    """
    p = Path(path)
    blob = p.read_bytes()
    if raw is not None:
        if raw not in RAW_FORMATS:
            raise SignalFormatError(
                f"raw format {raw!r} unknown; accepted: {', '.join(RAW_FORMATS)}"
            )
        if raw == "s16":
            if len(blob) % 2:
                raise SignalFormatError(
                    f"{p}: raw s16 file has an odd number of bytes ({len(blob)})"
                )
            return Audio(np.frombuffer(blob, dtype=np.int16).copy(), "s16")
        return Audio(np.frombuffer(blob, dtype=np.uint8).copy(), raw)
    return _parse_wav(p, blob)


def _parse_wav(p: Path, blob: bytes) -> Audio:
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        what = "empty" if not blob else "not a RIFF/WAVE file"
        raise SignalFormatError(f"{p}: {what}; accepted: {ACCEPTED} (use --raw for raw files)")
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    while pos + 8 <= len(blob):
        cid, size = blob[pos : pos + 4], struct.unpack_from("<I", blob, pos + 4)[0]
        body = blob[pos + 8 : pos + 8 + size]
        if cid == b"fmt ":
            if len(body) < 16:
                raise SignalFormatError(f"{p}: truncated fmt chunk ({len(body)} bytes)")
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: sub-format GUID
                tag = struct.unpack_from("<H", body, 24)[0]
            fmt = (tag, channels, rate, bits)
        elif cid == b"data":
            if fmt is None:
                raise SignalFormatError(f"{p}: data chunk before fmt chunk")
            if len(body) < size:
                raise SignalFormatError(
                    f"{p}: truncated: data chunk claims {size} bytes, file holds {len(body)}"
                )
            return _decode_body(p, fmt, body)
        pos += 8 + size + (size & 1)
    raise SignalFormatError(f"{p}: no {'fmt' if fmt is None else 'data'} chunk (truncated file?)")


def _decode_body(p: Path, fmt: tuple[int, int, int, int], body: bytes) -> Audio:
    tag, channels, rate, bits = fmt
    name = _TAG_NAMES.get(tag, f"format tag {tag}")
    if tag not in _TAGS:
        raise SignalFormatError(f"{p}: {name} WAV is not supported; accepted: {ACCEPTED}")
    enc = _TAGS[tag]
    want_bits = 16 if enc == "s16" else 8
    if bits != want_bits:
        raise SignalFormatError(f"{p}: {bits}-bit {name} is not supported; accepted: {ACCEPTED}")
    if channels != 1:
        raise SignalFormatError(f"{p}: {channels} channels; accepted: {ACCEPTED}")
    if rate != SAMPLE_RATE:
        raise SignalFormatError(f"{p}: sample rate {rate} Hz; accepted: {ACCEPTED}")
    if enc == "s16":
        if len(body) % 2:
            raise SignalFormatError(f"{p}: 16-bit data has an odd number of bytes")
        return Audio(np.frombuffer(body, dtype="<i2").astype(np.int16), "s16")
    return Audio(np.frombuffer(body, dtype=np.uint8).copy(), enc)  # type: ignore[arg-type]


def write_wav(
    path: str | Path, data: np.ndarray, encoding: Encoding = "s16", sample_rate: int = SAMPLE_RATE
) -> None:
    """Write mono ``data`` as a WAV file: int16 samples for ``s16``, uint8 codes for G.711.

    The G.711 WAV files carry the ``fact`` chunk that non-PCM WAV requires.
    """
    if encoding not in RAW_FORMATS:
        raise SignalFormatError(
            f"encoding {encoding!r} unknown; accepted: {', '.join(RAW_FORMATS)}"
        )
    arr = np.asarray(data)
    if arr.ndim != 1:
        raise SignalFormatError(f"data must be one-dimensional (mono), got shape {arr.shape}")
    want = np.int16 if encoding == "s16" else np.uint8
    if arr.dtype != want:
        raise SignalFormatError(f"{encoding} data must be {np.dtype(want).name}, got {arr.dtype}")
    tag = {"s16": 1, "alaw": 6, "ulaw": 7}[encoding]
    width = arr.dtype.itemsize
    payload = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    fmt = struct.pack("<HHIIHH", tag, 1, sample_rate, sample_rate * width, width, 8 * width)
    chunks = b"fmt " + struct.pack("<I", len(fmt) + (0 if tag == 1 else 2)) + fmt
    if tag != 1:
        chunks += b"\x00\x00" + b"fact" + struct.pack("<II", 4, len(arr))
    chunks += (
        b"data" + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")
    )
    Path(path).write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
