"""The tree passes the two checks of the README's development section: ``ruff check .`` and
``python scripts/typecheck.py`` (mypy, strict, on boardlib with dsp/ and emulator/ mapped in).

Both tools come pinned with the ``test`` and ``dev`` extras, so the README's test command runs
these checks; each test is skipped when its tool is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    exe = shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    return [exe]


def test_ruff_reports_nothing() -> None:
    proc = subprocess.run(
        [*_ruff(), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_reports_nothing() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    # No cache: a run of its own, whatever a developer's cache holds (about 6 s).
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "typecheck.py"), "--cache-dir", os.devnull],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
