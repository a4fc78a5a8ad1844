"""Every example runs to completion on the emulated board (its default)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p.name for p in (ROOT / "examples").glob("*.py"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOARDLIB_URL"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False, env=env)


def test_there_are_examples() -> None:
    assert {"answer_and_menu.py", "outbound_dial.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_on_the_emulator(script: str) -> None:
    text = (ROOT / "examples" / script).read_text()
    assert text.lstrip().startswith('"""'), "every example starts with a docstring"
    proc = run(str(ROOT / "examples" / script))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()


def test_outbound_example_reaches_every_call_result() -> None:
    out = run(str(ROOT / "examples" / "outbound_dial.py")).stdout
    for result in ("answered_human", "answering_machine", "busy", "no_answer", "sit", "fax",
                   "congestion"):
        assert result in out


def test_bank_ivr_runs_as_a_module() -> None:
    proc = run("-m", "examples.bank_ivr")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "calls in" in proc.stdout
