"""The ``boardlib`` command-line tool: version, info, JSON output, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from boardlib import __version__
from boardlib.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "boardlib", *args],
                          capture_output=True, text=True, check=False)


def test_version_flag_prints_the_library_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"boardlib {__version__}"


def test_info_lists_the_compiled_modules_it_loaded() -> None:
    proc = run("info")
    assert proc.returncode == 0, proc.stderr
    assert "boardlib.dsp._buildinfo" in proc.stdout
    assert "boardlib._cabi" in proc.stdout
    assert "FAILED" not in proc.stdout


def test_info_json_reports_the_same_facts() -> None:
    proc = run("info", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["boardlib"] == __version__
    assert info["python"] == sys.version.split()[0]
    modules = {m["module"]: m for m in info["compiled_modules"]}
    assert modules["boardlib.dsp._buildinfo"]["loaded"] is True
    assert modules["boardlib._cabi"]["loaded"] is True
    assert all(m["loaded"] for m in info["compiled_modules"])
    assert isinstance(info["cpu_features"], list)
    assert any(d["scheme"] == "cabi" for d in info["drivers"])


def test_no_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


def test_unknown_subcommand_exits_with_usage_status() -> None:
    proc = run("no-such-command")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr
