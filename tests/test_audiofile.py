"""Audio files: WAV PCM / A-law / μ-law written by sox (an independent writer) and by us."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from boardlib.audiofile import read_audio, write_wav
from boardlib.errors import SignalFormatError
from tests.conftest import require_tool

RNG = np.random.default_rng(7)
PCM = (RNG.standard_normal(4000) * 3000).astype(np.int16)


def sox(*args: str) -> None:
    """Run sox; callers pass -D (no dither) so two conversions of one input agree."""
    subprocess.run([require_tool("sox"), *args], check=True, capture_output=True)


@pytest.fixture
def raw_s16(tmp_path: Path) -> Path:
    f = tmp_path / "in.raw"
    f.write_bytes(PCM.astype("<i2").tobytes())
    return f


def to_wav(raw: Path, out: Path, *fmt: str) -> Path:
    sox("-D", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "8000", "-c", "1", str(raw),
        *fmt, str(out))
    return out


def test_reads_16_bit_pcm_wav_written_by_sox(raw_s16: Path, tmp_path: Path) -> None:
    audio = read_audio(to_wav(raw_s16, tmp_path / "a.wav", "-e", "signed-integer", "-b", "16"))
    assert audio.encoding == "s16" and audio.sample_rate == 8000
    np.testing.assert_array_equal(audio.data, PCM)


@pytest.mark.parametrize("law,enc", [("alaw", "a-law"), ("ulaw", "u-law")])
def test_reads_g711_wav_written_by_sox_as_codes(raw_s16: Path, tmp_path: Path, law: str,
                                               enc: str) -> None:
    wav = to_wav(raw_s16, tmp_path / "g.wav", "-e", enc, "-b", "8")
    sox_raw = tmp_path / "g.raw"
    sox("-D", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "8000", "-c", "1",
        str(raw_s16), "-t", "raw", "-e", enc, "-b", "8", str(sox_raw))
    audio = read_audio(wav)
    assert audio.encoding == law
    np.testing.assert_array_equal(audio.data, np.frombuffer(sox_raw.read_bytes(), np.uint8))


@pytest.mark.parametrize("encoding", ["s16", "alaw", "ulaw"])
def test_our_wav_files_are_read_back_by_sox(tmp_path: Path, encoding: str) -> None:
    data = PCM if encoding == "s16" else RNG.integers(0, 256, 1001).astype(np.uint8)
    f = tmp_path / "ours.wav"
    write_wav(f, data, encoding)  # type: ignore[arg-type]
    out = subprocess.run([require_tool("soxi"), str(f)], capture_output=True, text=True, check=True)
    assert "Sample Rate    : 8000" in out.stdout and "Channels       : 1" in out.stdout
    again = read_audio(f)
    np.testing.assert_array_equal(again.data, data)


@pytest.mark.parametrize("fmt,match", [
    (("-r", "16000", "-e", "signed-integer", "-b", "16"), "sample rate 16000"),
    (("-c", "2", "-e", "signed-integer", "-b", "16"), "2 channels"),
    (("-e", "floating-point", "-b", "32"), "IEEE float"),
    (("-e", "signed-integer", "-b", "24"), "24-bit"),
    (("-e", "ima-adpcm", "-b", "4"), "IMA ADPCM"),
])
def test_other_rates_and_formats_are_refused_naming_what_is_accepted(
        raw_s16: Path, tmp_path: Path, fmt: tuple[str, ...], match: str) -> None:
    wav = to_wav(raw_s16, tmp_path / "x.wav", *fmt)
    with pytest.raises(SignalFormatError, match=match) as info:
        read_audio(wav)
    assert "8 kHz mono" in str(info.value)


def test_truncated_wav_is_refused(raw_s16: Path, tmp_path: Path) -> None:
    wav = to_wav(raw_s16, tmp_path / "t.wav", "-e", "signed-integer", "-b", "16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(wav.read_bytes()[:1000])
    with pytest.raises(SignalFormatError, match="truncated"):
        read_audio(cut)
    head = tmp_path / "head.wav"
    head.write_bytes(wav.read_bytes()[:20])
    with pytest.raises(SignalFormatError):
        read_audio(head)


def test_mislabelled_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "fake.wav"
    f.write_bytes(b"ID3\x03" + bytes(100))
    with pytest.raises(SignalFormatError, match="not a RIFF/WAVE"):
        read_audio(f)


def test_raw_files_in_each_encoding(tmp_path: Path) -> None:
    f = tmp_path / "r.raw"
    f.write_bytes(PCM.tobytes())
    np.testing.assert_array_equal(read_audio(f, raw="s16").data, PCM)
    assert read_audio(f, raw="alaw").data.dtype == np.uint8
    f.write_bytes(b"\x00\x01\x02")
    with pytest.raises(SignalFormatError, match="odd"):
        read_audio(f, raw="s16")


def test_extensible_wav_is_understood(tmp_path: Path) -> None:
    body = PCM[:100].astype("<i2").tobytes()
    guid = struct.pack("<H", 1) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, 8000, 16000, 2, 16, 22, 16, 4) + guid
    blob = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", len(body)) + body
    f = tmp_path / "ext.wav"
    f.write_bytes(b"RIFF" + struct.pack("<I", len(blob)) + blob)
    np.testing.assert_array_equal(read_audio(f).data, PCM[:100])


def test_writer_refuses_wrong_dtype_and_shape(tmp_path: Path) -> None:
    with pytest.raises(SignalFormatError, match="int16"):
        write_wav(tmp_path / "a.wav", PCM.astype(np.int32))
    with pytest.raises(SignalFormatError, match="mono"):
        write_wav(tmp_path / "a.wav", np.zeros((2, 10), np.int16))
