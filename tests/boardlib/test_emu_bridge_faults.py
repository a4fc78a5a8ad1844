"""Bridges, conferences, secure digit entry and faults, through the emulated board's audio."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import pytest

from boardlib import BoardOperationError, DriverOperationError, HangupError
from boardlib.board import Board, Call, open_board
from boardlib.emulator.parties import Caller
from boardlib.media import Tone
from boardlib.states import ChannelState


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=120))


async def two_calls(board: Board, script_a: list[str], script_b: list[str]) -> tuple[Call, Call]:
    ex = board.driver.exchange
    ex.place_call(Caller("13800000001", line=0, script=script_a))
    ex.place_call(Caller("13800000002", line=1, at=0.2, script=script_b))
    a = await board.wait_for_call(timeout=30)
    b = await board.wait_for_call(timeout=30)
    await a.channel.answer()
    await b.channel.answer()
    return a, b


def test_bridge_carries_one_parties_keys_to_the_other() -> None:
    async def body(board: Board) -> str:
        a, b = await two_calls(board, ["wait 3", "press 159#"], [])
        board.driver.exchange.listen(1)
        board.bridge(a.channel, b.channel)
        await board.sleep(6)
        heard = board.driver.exchange.heard(1)
        await a.channel.hangup()
        await b.channel.hangup()
        return heard

    async def main() -> str:
        async with open_board("emu://?lines=2") as board:
            return await body(board)

    assert run(main()) == "159#"


def test_secure_digits_are_not_heard_by_the_bridged_party_nor_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> tuple[str, str]:
        async with open_board("emu://?lines=2") as board:
            a, b = await two_calls(board, ["wait 3", "press 2580#"], [])
            board.driver.exchange.listen(1)
            board.bridge(a.channel, b.channel)
            pin = await a.channel.get_digits(8, terminators="#", first_digit_timeout=10,
                                             secure=True)
            await board.sleep(1)
            heard = board.driver.exchange.heard(1)
            await a.channel.hangup()
            await b.channel.hangup()
            return pin.digits, heard

    with caplog.at_level(logging.DEBUG, logger="boardlib"):
        pin, heard = run(main())
    assert pin == "2580"
    assert heard == ""
    # The emulated caller's own phone (boardlib.emulator) may know what it pressed; the board
    # side must not log it anywhere.
    board_log = "\n".join(r.getMessage() for r in caplog.records
                          if not r.name.startswith("boardlib.emulator"))
    assert board_log  # the board side did log the call
    assert "2580" not in board_log
    assert all(d not in board_log for d in ("digit 2", "digit 5", "digit 8"))


def test_conference_of_three_each_hears_the_others() -> None:
    async def main() -> tuple[str, str]:
        async with open_board("emu://?lines=3") as board:
            ex = board.driver.exchange
            ex.place_call(Caller("1", line=0, script=["wait 3", "press 7"]))
            ex.place_call(Caller("2", line=1, at=0.1))
            ex.place_call(Caller("3", line=2, at=0.2))
            calls = [await board.wait_for_call(timeout=30) for _ in range(3)]
            for c in calls:
                await c.channel.answer()
            ex.listen(1)
            ex.listen(2)
            board.bridge(*(c.channel for c in calls))
            await board.sleep(5)
            return ex.heard(1), ex.heard(2)

    assert run(main()) == ("7", "7")


def test_a_failing_driver_read_fails_the_operation_and_the_board_stays_usable() -> None:
    async def main() -> tuple[Any, str]:
        async with open_board("emu://?lines=1") as board:
            ex = board.driver.exchange
            ex.place_call(Caller("1", script=["wait 2", "press 42#"]))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            board.driver.line_side.fault("read:-5")
            with pytest.raises(DriverOperationError) as info:
                await call.channel.play(Tone("busy", seconds=5))
            board.driver.line_side.fault("read:0")  # cleared
            digits = await call.channel.get_digits(3, first_digit_timeout=5)
            await call.channel.hangup()
            return info.value, digits.digits

    err, digits = run(main())
    assert err.code == -5 and err.operation == "read"
    assert digits in ("42", "2", "")  # the board keeps working after the fault


def test_board_removed_ends_operations_and_closes_cleanly() -> None:
    async def main() -> list[ChannelState]:
        board = open_board("emu://?lines=2")
        async with board:
            ex = board.driver.exchange
            ex.place_call(Caller("1"))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            board.driver.line_side.fault("remove")
            with pytest.raises(BoardOperationError):
                await call.channel.play(Tone("busy", seconds=5))
            with pytest.raises(BoardOperationError):
                await board.wait_for_call(timeout=5)
            states = [ch.state for ch in board.channels]
        return states

    states = run(main())
    assert all(s is ChannelState.BLOCKED for s in states)


def test_far_end_hangup_at_any_moment_leaves_no_channel_stuck() -> None:
    async def main() -> list[ChannelState]:
        async with open_board("emu://?lines=4") as board:
            ex = board.driver.exchange
            for i, wait in enumerate(["0.1", "0.9", "1.7", "3.3"]):
                ex.place_call(Caller(f"1390000000{i}", line=i, at=0.1 * i,
                                     script=["wait " + wait, "press 1", "wait 0.3", "hangup"]))
            results = []

            async def serve(call: Call) -> None:
                ch = call.channel
                try:
                    await ch.answer()
                    await ch.play(Tone("ringback", seconds=1.0))
                    await ch.get_digits(5, first_digit_timeout=10, inter_digit_timeout=10)
                    await ch.play(Tone("busy", seconds=10))
                except HangupError:
                    results.append("hangup")
                finally:
                    await ch.hangup()

            calls = [await board.wait_for_call(timeout=30) for _ in range(4)]
            await asyncio.gather(*(serve(c) for c in calls))
            assert results == ["hangup"] * 4
            return [ch.state for ch in board.channels]

    assert run(main()) == [ChannelState.IDLE] * 4


def test_lost_frames_do_not_end_the_call_and_digits_still_arrive() -> None:
    async def main() -> tuple[str, int]:
        async with open_board("emu://?lines=1") as board:
            ex = board.driver.exchange
            ex.place_call(Caller("1", script=["wait 3", "press 314#"]))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            await board.sleep(0.5)
            board.driver.line_side.fault("overrun")
            res = await call.channel.get_digits(5, first_digit_timeout=10)
            await call.channel.hangup()
            return res.digits, board.stats["overruns"]

    digits, overruns = run(main())
    assert digits == "314" and overruns == 1


def test_line_cut_mid_prompt_ends_the_call_cleanly() -> None:
    async def main() -> ChannelState:
        async with open_board("emu://?lines=1&disconnect=loop") as board:
            ex = board.driver.exchange
            ex.place_call(Caller("1"))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            board.driver.exchange.hang_up(0)
            with pytest.raises(HangupError):
                await call.channel.play(Tone("ringback", seconds=10))
            await call.channel.hangup()
            return call.channel.state

    assert run(main()) is ChannelState.IDLE


def test_keys_typed_ahead_in_a_secure_section_are_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> str:
        async with open_board("emu://?lines=1") as board:
            board.driver.exchange.place_call(Caller("1", script=["wait 1", "press 7391#"]))
            call = await board.wait_for_call(timeout=30)
            ch = call.channel
            await ch.answer()
            with ch.secure():
                await ch.play(Tone("ringback", seconds=3), barge_in=True)  # caller types ahead
                pin = await ch.get_digits(6, terminators="#", secure=True)
            await ch.hangup()
            return pin.digits

    with caplog.at_level(logging.DEBUG, logger="boardlib"):
        pin = run(main())
    board_log = "\n".join(r.getMessage() for r in caplog.records
                          if not r.name.startswith("boardlib.emulator"))
    assert pin == "7391"
    assert "digit 7" not in board_log and "7391" not in board_log and "digit 3" not in board_log
