"""Outbound calls on the emulated board: every call-progress outcome through real line audio.

The exchange gives dial tone, detects the DTMF the board dials, and plays what the scripted
callee does (ringback, busy tone, SIT, a greeting, fax tones); the board's call-progress
analyser decides from the audio alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from boardlib.board import open_board
from boardlib.dsp.progress import CallResult
from boardlib.emulator.parties import Callee
from boardlib.states import ChannelState


def dial(callee: Callee | None, number: str, url: str = "emu://?lines=1", **limits: Any) -> Any:
    async def main() -> Any:
        async with open_board(url) as board:
            ex = board.driver.exchange
            if callee is not None:
                ex.add_callee(callee)
            if number == "deadline":
                ex.no_dial_tone.add(0)
            ch = board.channel(0)
            res = await ch.dial("8613800000000" if number == "deadline" else number, **limits)
            state = ch.state
            dialled = next((r.get("number") for r in ex.results.values() if "number" in r), None)
            if ch.state is not ChannelState.IDLE:
                await ch.hangup()
            return res, state, dialled, ch.state

    return asyncio.run(asyncio.wait_for(main(), timeout=120))


@pytest.mark.parametrize("behaviour,expected", [
    ("human", CallResult.ANSWERED_HUMAN),
    ("machine", CallResult.ANSWERING_MACHINE),
    ("busy", CallResult.BUSY),
    ("congestion", CallResult.CONGESTION),
    ("vacant", CallResult.SIT),
    ("fax", CallResult.FAX),
    ("no_answer", CallResult.NO_ANSWER),
])
def test_each_callee_gives_its_call_result(behaviour: str, expected: CallResult) -> None:
    res, state, dialled, final = dial(Callee("95588", behaviour, rings=2), "95588", max_rings=4)
    assert dialled == "95588"  # the exchange decoded the board's DTMF
    assert res.result is expected, res.evidence
    if expected in (CallResult.ANSWERED_HUMAN, CallResult.ANSWERING_MACHINE):
        assert state is ChannelState.CONNECTED
    else:
        assert state is ChannelState.IDLE  # the board released the line by itself
    assert final is ChannelState.IDLE


def test_unknown_number_is_vacant() -> None:
    res, *_ = dial(None, "12345")
    assert res.result is CallResult.SIT


def test_a_line_without_dial_tone_is_reported_as_no_dialtone() -> None:
    res, state, _, _ = dial(None, "deadline")
    assert res.result is CallResult.NO_DIALTONE
    assert state is ChannelState.IDLE


def test_busy_is_decided_within_two_cadence_cycles() -> None:
    res, *_ = dial(Callee("95588", "busy"), "95588")
    # dial tone wait + 5 digits of 160 ms + routing + two busy cycles of 0.7 s, with margin
    assert res.samples / 8000 < 0.5 + 5 * 0.16 + 2.3 + 2 * 0.7 + 1.0
