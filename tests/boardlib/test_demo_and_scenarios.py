"""The main job and scenario files: `boardlib demo`, `boardlib emulate`, scenario validation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from boardlib.emulator.parties import Callee, Caller, parse_step
from boardlib.emulator.scenario import load_scenario
from boardlib.errors import SignalFormatError

ROOT = Path(__file__).resolve().parents[2]


def boardlib(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "boardlib", *args], capture_output=True,
                          text=True, check=False, timeout=300)


def test_simple_demo_serves_every_scripted_caller_and_all_checks_pass() -> None:
    proc = boardlib("demo", "--simple", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is True
    calls = report["calls"]
    assert len(calls) == 6
    first = calls[0]
    assert first["ivr_number"] == "13800138000" and first["ivr_name"] == "ZHANG SAN"
    assert first["ivr"]["account"] == "6222021234567890"
    assert any(c["ivr"]["result"] == "caller_hung_up" for c in calls if "ivr" in c)


def test_emulate_runs_a_scenario_file_and_prints_timelines() -> None:
    proc = boardlib("emulate", str(ROOT / "examples" / "scenarios" / "morning_rush.toml"))
    assert proc.returncode == 0, proc.stderr
    assert "caller_id" in proc.stdout and "all checks passed" in proc.stdout


def test_scenario_with_an_unknown_key_names_file_entry_and_key(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('[[caller]]\nnumber = "1"\ncolour = "red"\n')
    with pytest.raises(SignalFormatError, match=r"bad.toml: caller #1: unknown key.*colour"):
        load_scenario(f)
    proc = boardlib("emulate", str(f))
    assert proc.returncode == 1 and "colour" in proc.stderr


@pytest.mark.parametrize("step", ["jump 3", "press X", "wait soon", "say -1", ""])
def test_bad_script_steps_are_refused(step: str) -> None:
    with pytest.raises(SignalFormatError):
        parse_step(step)


def test_parties_validate_their_fields() -> None:
    with pytest.raises(SignalFormatError, match="cid"):
        Caller("1", cid="smoke")
    with pytest.raises(SignalFormatError, match="digits"):
        Caller("12ab")
    with pytest.raises(SignalFormatError, match="behaviour"):
        Callee("95588", "grumpy")
    assert parse_step("press 12#") == ("press", "12#")
    assert parse_step(("wait", 2)) == ("wait", 2.0)


def test_the_main_job_runs_the_bank_ivr_to_a_summary() -> None:
    proc = boardlib("demo", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is True and len(report["calls"]) >= 10
    assert report["host_calls"] > 0
