"""Helpers of the IVR tests: run the bank IVR on emu:// and read its traces."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from examples.bank_ivr.app import BankRun, run_bank


def bank(callers: list[dict[str, Any]], **kw: Any) -> BankRun:
    kw.setdefault("url", "emu://?lines=10&seed=3")
    kw.setdefault("trace", True)
    return asyncio.run(asyncio.wait_for(run_bank(callers, **kw), timeout=120))


def by_start(run: BankRun) -> list[Any]:
    return sorted(run.reports, key=lambda r: r.start)


def events(run: BankRun, report: Any, event: str | None = None) -> list[dict[str, Any]]:
    recs = run.engine.trace_of(report.session)
    return [r for r in recs if event is None or r["event"] == event]


@pytest.fixture
def bank_run() -> Any:
    return bank
