"""Interop with OpenR2 (libopenr2 1.3, China variant) on one timeslot of the emulated span.

A helper process links the static ``libopenr2.a`` with its device calls wrapped
(``tests/oracles/openr2``): OpenR2 believes it drives a DAHDI CAS channel, while its ABCD
bits and A-law audio travel to the emulated span, which hands them to the board. Both
directions of a China No.1 call run between OpenR2 and the board's R2 engine.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from boardlib import HangupError
from boardlib.board import Board, open_board
from boardlib.dsp.progress import CallResult
from boardlib.states import ChannelState, HangupCause
from tests.conftest import require_tool
from tests.oracles.openr2.peer import LIBOPENR2, OpenR2Peer, build

URL = "emu://?lines=0&spans=1"
CH = 4


@pytest.fixture(scope="module")
def or2peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc = require_tool("gcc")
    if not LIBOPENR2.exists():
        message = f"{LIBOPENR2} is missing (apt-get install libopenr2-dev)"
        if os.environ.get("BOARDLIB_ALLOW_MISSING_ORACLES") == "1":
            pytest.skip(message)
        pytest.fail(message)
    return build(tmp_path_factory.mktemp("openr2"), cc)


def run(body: Callable[[Board], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with open_board(URL) as board:
            return await body(board)

    return asyncio.run(asyncio.wait_for(main(), timeout=120))


def test_openr2_calls_the_board_with_dnis_and_category_and_clears_forward(or2peer: Path) -> None:
    peer = OpenR2Peer(or2peer, "call", "13800138000", "8001", "1000")

    async def body(board: Board) -> Any:
        board.driver.span.attach(CH, peer)
        try:
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            with pytest.raises(HangupError) as err:
                await call.channel.get_digits(4, first_digit_timeout=10)
            await call.channel.hangup()
            await board.sleep(0.5)
            sig: Any = board.channels[CH].signalling
            return call, err.value, sig.machine.state
        finally:
            peer.close()

    call, err, state = run(body)
    assert call.channel.index == CH
    assert call.dnis == "8001" and call.data["category"] == 1
    # OpenR2 1.3 takes the China A1 after the category as "next DNIS digit" and falls
    # silent, so the calling number never crosses; the board carries on without it.
    assert call.number is None and call.data["ani_restricted"]
    assert err.cause is HangupCause.NORMAL_CLEARING  # type: ignore[attr-defined]
    names = peer.names()
    assert "answered" in names and names[-1] == "end"
    assert state == "idle"


def test_board_calls_openr2_which_gets_ani_dnis_category_and_answers(or2peer: Path) -> None:
    peer = OpenR2Peer(or2peer, "answer", "4")

    async def body(board: Board) -> Any:
        board.driver.span.attach(CH, peer)
        try:
            await board.sleep(0.1)
            ch = board.channels[CH]
            res = await ch.dial("8001", ani="13800138000", category=1, answer_timeout=10)
            state = ch.state
            await ch.hangup()
            await board.sleep(0.5)
            return res, state, ch.signalling.machine.state  # type: ignore[union-attr]
        finally:
            peer.close()

    res, connected, machine = run(body)
    assert res.result is CallResult.ANSWERED_HUMAN and connected is ChannelState.CONNECTED
    names = peer.names()
    assert "offered ani=13800138000 dnis=8001 category=National Subscriber" in names
    assert "disconnect Normal Clearing" in names and names[-1] == "end"
    assert machine == "idle"
