"""The audio subcommands: `boardlib gen`, `boardlib dtmf`, `boardlib callerid`, with their
errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from boardlib.audiofile import read_audio, write_wav
from boardlib.dsp import alaw_encode
from boardlib.dsp.callerid import build_mdmf, encode
from tests.conftest import require_tool


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "boardlib", *args], capture_output=True,
                          text=True, check=False, timeout=120)


@pytest.mark.parametrize("encoding", ["s16", "alaw", "ulaw"])
def test_generated_dtmf_decodes_back_with_times(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "d.wav"
    gen = cli("gen", "dtmf", "159#*0D", "--on-ms", "60", "--off-ms", "60", "--encoding", encoding,
              "-o", str(f))
    assert gen.returncode == 0, gen.stderr
    out = cli("dtmf", "--json", str(f))
    assert out.returncode == 0, out.stderr
    digits = json.loads(out.stdout)[0]["digits"]
    assert "".join(d["digit"] for d in digits) == "159#*0D"
    for i, d in enumerate(digits):
        assert abs(d["start_ms"] - 120 * i) <= 10
        assert abs((d["end_ms"] - d["start_ms"]) - 60) <= 12


def test_generated_busy_tone_has_the_requested_length(tmp_path: Path) -> None:
    f = tmp_path / "busy.wav"
    proc = cli("gen", "tone", "busy", "--profile", "cn", "--seconds", "5", "-o", str(f))
    assert proc.returncode == 0, proc.stderr
    audio = read_audio(f)
    assert len(audio.data) == 40000
    # 350 ms on / 350 ms off: the first 2800 samples sound, the next 2800 are silent.
    assert np.abs(audio.data[:2800]).max() > 1000 and not audio.data[2800:5600].any()


def test_sox_sees_our_generated_file_as_8khz_mono(tmp_path: Path) -> None:
    f = tmp_path / "dial.wav"
    assert cli("gen", "tone", "dial", "--seconds", "1", "-o", str(f)).returncode == 0
    info = subprocess.run([require_tool("soxi"), "-r", str(f)], capture_output=True, text=True)
    assert info.stdout.strip() == "8000"


def test_callerid_decodes_fsk_and_dtmf_files(tmp_path: Path) -> None:
    fsk = tmp_path / "fsk.wav"
    msg = build_mdmf(number="13800138000", name="ZHANG SAN", month=11, day=25, hour=9, minute=30)
    write_wav(fsk, np.concatenate([np.zeros(4000, np.int16), encode(msg, "v23"),
                                   np.zeros(4000, np.int16)]))
    dtmf = tmp_path / "dtmf.raw"
    dtmf.write_bytes(alaw_encode(np.concatenate([encode("A13912345678C", "dtmf"),
                                                 np.zeros(8000, np.int16)])).tobytes())
    a = json.loads(cli("callerid", "--json", str(fsk)).stdout)[0]["messages"]
    assert [(m["number"], m["name"], m["valid"], m["datetime"]) for m in a] == [
        ("13800138000", "ZHANG SAN", True, "11-25 09:30")]
    b = json.loads(cli("callerid", "--json", "--raw", "alaw", str(dtmf)).stdout)[0]["messages"]
    assert [(m["number"], m["format"], m["valid"]) for m in b] == [("13912345678", "dtmf", True)]


@pytest.mark.parametrize("args,message", [
    (("gen", "tone", "wail", "-o", "x.wav"), "wail"),
    (("gen", "tone", "busy", "--profile", "mars", "-o", "x.wav"), "mars"),
    (("gen", "dtmf", "12x", "-o", "x.wav"), "x"),
])
def test_generation_errors_name_the_bad_value(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    proc = subprocess.run([sys.executable, "-m", "boardlib", *args], capture_output=True, text=True,
                          cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_seconds_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    proc = cli("gen", "tone", "busy", "--seconds", "nan", "-o", str(tmp_path / "x.wav"))
    assert proc.returncode == 2 and "seconds" in proc.stderr


def test_analysers_refuse_other_rates_naming_what_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "wide.wav"
    write_wav(f, np.zeros(1600, np.int16), sample_rate=16000)
    for cmd in ("dtmf", "callerid"):
        proc = cli(cmd, str(f))
        assert proc.returncode == 1
        assert "16000" in proc.stderr and "8 kHz mono" in proc.stderr


def test_missing_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    proc = cli("dtmf", str(tmp_path / "nope.wav"))
    assert proc.returncode == 1 and "nope.wav" in proc.stderr and "Traceback" not in proc.stderr


def _line_audio(tmp_path: Path, kind: str) -> Path:
    from boardlib.dsp import ToneGenerator

    f = tmp_path / f"{kind}.wav"
    if kind == "busy":
        pcm = np.concatenate([np.zeros(4000, np.int16), ToneGenerator("busy").generate(32000)])
    else:  # SIT after a moment of silence
        pcm = np.concatenate([np.zeros(4000, np.int16), ToneGenerator("sit").generate(24000)] * 2)
    write_wav(f, pcm)
    return f


def test_progress_reports_the_result_and_events_as_json(tmp_path: Path) -> None:
    busy, sit = _line_audio(tmp_path, "busy"), _line_audio(tmp_path, "sit")
    proc = cli("progress", "--json", str(busy), str(sit))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [r["result"] for r in out] == ["busy", "sit"]
    assert all(0 < r["confidence"] <= 1 for r in out)
    assert any(e["tone"] == "busy" and e["start_ms"] == pytest.approx(500, abs=25)
               for e in out[0]["events"])


def test_progress_plot_writes_a_png_of_the_timeline(tmp_path: Path) -> None:
    png = tmp_path / "busy.png"
    proc = cli("progress", "--plot", str(png), str(_line_audio(tmp_path, "busy")))
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000


def test_progress_plot_takes_one_file(tmp_path: Path) -> None:
    f = _line_audio(tmp_path, "busy")
    proc = cli("progress", "--plot", str(tmp_path / "x.png"), str(f), str(f))
    assert proc.returncode == 1 and "exactly one" in proc.stderr
