"""One conformance suite for every board URL: the same calls and media operations must behave
the same on the emulated board and on the C loopback driver (channels wired in pairs), the
latter also paced by the wall clock like a hardware board (``clock=realtime``: the engine then
sleeps on the driver's event fd between frames).

``BOARDLIB_TEST_URL`` adds a real board (it must offer a call on channel 1's pair the way the
loop driver does, i.e. a station channel wired to a trunk channel).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest

from boardlib import HangupError
from boardlib.board import Board, Call, Channel, open_board
from boardlib.emulator.parties import Caller
from boardlib.states import ChannelState, TermReason

URLS = ["emu://?lines=2", "loop://?channels=2", "loop://?channels=2&clock=realtime"]
if os.environ.get("BOARDLIB_TEST_URL"):
    URLS.append(os.environ["BOARDLIB_TEST_URL"])


async def _call_with_keys(board: Board, keys: str) -> tuple[Call, Channel | None]:
    """Get an inbound call whose far end then sends ``keys``; return it and, on loop://, the
    channel acting as the far end."""
    if board.url.startswith("emu://"):
        board.driver.exchange.place_call(Caller("13800138000", script=["wait 1", f"press {keys}"]))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        return call, None
    far = board.channel(1)  # the trunk side seizes the station side (channel 0)
    far_task = asyncio.ensure_future(far.dial(keys, analyze=False, dial_tone_wait=0.5))
    call = await board.wait_for_call(timeout=30)
    await call.channel.answer()
    await far_task
    return call, far


def run(url: str, body: Callable[[Board], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with open_board(url) as board:
            return await body(board)
    return asyncio.run(asyncio.wait_for(main(), timeout=120))


@pytest.mark.parametrize("url", URLS)
def test_keys_from_the_far_end_arrive_through_get_digits(url: str) -> None:
    async def body(board: Board) -> Any:
        call, _ = await _call_with_keys(board, "2468#")
        res = await call.channel.get_digits(8, terminators="#", first_digit_timeout=10)
        await call.channel.hangup()
        return res, call.channel.state

    res, state = run(url, body)
    assert res.digits == "2468" and res.reason is TermReason.TERMINATOR
    assert state is ChannelState.IDLE


@pytest.mark.parametrize("url", URLS)
def test_play_lasts_exactly_its_length_in_media_time(url: str) -> None:
    async def body(board: Board) -> Any:
        call, _ = await _call_with_keys(board, "1")
        await call.channel.get_digits(1, first_digit_timeout=10)
        t0 = board.now
        res = await call.channel.play(np.full(12000, 500, np.int16))
        took = board.now - t0
        await call.channel.hangup()
        return res, took

    res, took = run(url, body)
    assert res.reason is TermReason.END_OF_DATA and res.samples == 12000
    assert 12000 <= took <= 12000 + 2 * 160


@pytest.mark.parametrize("url", URLS)
def test_far_end_hangup_raises_hangup_error_and_frees_the_channel(url: str) -> None:
    async def body(board: Board) -> Any:
        call, far = await _call_with_keys(board, "5")
        await call.channel.get_digits(1, first_digit_timeout=10)
        if far is not None:
            await far.hangup()
        else:
            board.driver.exchange.hang_up(call.channel.index)
        with pytest.raises(HangupError):
            await call.channel.get_digits(4, first_digit_timeout=20)
        await call.channel.hangup()
        return call.channel.state

    assert run(url, body) is ChannelState.IDLE


@pytest.mark.parametrize("url", URLS)
def test_operations_validate_their_arguments_the_same_way(url: str) -> None:
    from boardlib import ChannelStateError, SignalFormatError

    async def body(board: Board) -> None:
        ch = board.channel(0)
        with pytest.raises(ChannelStateError):
            await ch.get_digits(1)
        with pytest.raises(SignalFormatError):
            await ch.play(np.zeros(10, np.float32))
        with pytest.raises(SignalFormatError):
            await ch.record(max_time=-1)

    run(url, body)


def test_a_driver_error_on_close_is_reported_and_the_board_is_released() -> None:
    from boardlib import DriverOperationError

    async def main() -> bool:
        board = open_board("loop://?channels=2&fail=close:-5")
        with pytest.raises(DriverOperationError, match="close"):
            async with board:
                pass
        await board.close()  # a second close is a no-op
        return board.is_open

    assert asyncio.run(main()) is False
