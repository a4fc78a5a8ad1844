"""The media engine waits on the driver's event fd between the frames of a board paced by its
own clock, through the real cffi path (loop:// with clock=realtime), and polls when the driver
has no usable fd.

Every check counts the engine's ticks and waits (``Board.stats``); wall time is only bounded
generously, never measured like a benchmark.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from boardlib.board import Board, open_board
from boardlib.drivers.base import Command
from boardlib.drivers.cabi import CabiDriver
from boardlib.errors import DriverOperationError
from boardlib.states import ChannelState

REALTIME = "loop://?channels=2&clock=realtime"


def run(board: Board, body: Callable[[Board], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with board:
            return await body(board)

    return asyncio.run(asyncio.wait_for(main(), timeout=60))


def watched(fd: int) -> bool:
    """Whether the running event loop has a reader on ``fd``."""
    selector = asyncio.get_running_loop()._selector  # type: ignore[attr-defined]
    return fd in selector.get_map()


def test_the_engine_wakes_once_a_frame_on_the_fd_not_four_times() -> None:
    async def body(board: Board) -> Any:
        fd = board.driver.fileno()
        t0 = time.monotonic()
        await board.sleep(1.0)  # 50 frames of media
        return fd, watched(fd), time.monotonic() - t0, dict(board.stats)

    fd, was_watched, wall, stats = run(open_board(REALTIME), body)
    assert was_watched
    assert wall >= 0.5  # paced by the board's clock, not run flat out
    assert 50 <= stats["ticks"] <= 52
    assert stats["polls"] == 0
    # One wait per frame; polling a quarter frame would have been about 200.
    assert stats["fd_waits"] <= stats["ticks"] + 5


def test_an_event_wakes_the_engine_between_frames() -> None:
    async def body(board: Board) -> Any:
        await board.sleep(0)  # just after a tick: the next frame is half a second away
        ticks, waits = board.stats["ticks"], board.stats["fd_waits"]
        board.driver._command(1, Command.OFFHOOK)  # the trunk side seizes the station port
        call = await board.wait_for_call(timeout=10)
        seen = board.stats["ticks"] - ticks, board.stats["fd_waits"] - waits
        board.driver._command(1, Command.ONHOOK)  # and gives up before the answer
        for _ in range(1000):
            if call.abandoned:
                break
            await asyncio.sleep(0.001)
        return call, seen, board.stats["ticks"] - ticks

    call, (ticks, waits), ticks_at_hangup = run(open_board(REALTIME + "&frame=4000"), body)
    assert call.channel.index == 0
    assert ticks == 0  # the call was offered on the event, not at the next frame
    assert waits >= 1
    assert call.abandoned and call.channel.state is ChannelState.IDLE
    assert ticks_at_hangup <= 1


def test_closing_the_board_removes_the_reader() -> None:
    async def body() -> tuple[bool, bool, Any]:
        board = open_board(REALTIME)
        await board.open()
        fd = board.driver.fileno()
        await board.sleep(0.1)
        during = watched(fd)
        await board.close()
        return during, watched(fd), board._fd_wait

    during, after, waiter = asyncio.run(asyncio.wait_for(body(), timeout=30))
    assert during and not after
    assert waiter is None


def test_an_engine_failure_removes_the_reader() -> None:
    async def body() -> tuple[bool, Any, Any]:
        board = open_board(REALTIME + "&fail=read:-8@5")  # the board goes at the 5th read
        await board.open()
        fd = board.driver.fileno()
        await asyncio.wait_for(board._dead, 10)
        still = watched(fd)
        failed = board._failed
        await board.close()
        return still, failed, board._fd_wait

    still, failed, waiter = asyncio.run(asyncio.wait_for(body(), timeout=30))
    assert not still and waiter is None
    assert isinstance(failed, DriverOperationError) and failed.code == -8


@pytest.mark.parametrize("code", [-9, -5], ids=["ENOTSUP", "EIO"])
def test_a_driver_without_an_fd_is_polled(code: int, caplog: pytest.LogCaptureFixture) -> None:
    async def body(board: Board) -> Any:
        await board.sleep(1.0)
        return dict(board.stats), board._fd_wait

    caplog.set_level(logging.DEBUG, logger="boardlib")
    stats, waiter = run(open_board(f"{REALTIME}&fail=event_fd:{code}"), body)
    assert waiter is None
    assert stats["fd_waits"] == 0
    assert 50 <= stats["ticks"] <= 52
    assert stats["polls"] >= stats["ticks"] // 2  # a quarter frame at a time
    assert "polling for frames" in caplog.text


class FdOverride:
    """A realtime loop board whose ``fileno()`` gives another descriptor: how a driver that
    breaks the fd's rules looks to the board."""

    def __init__(self, fd: int) -> None:
        self._inner = CabiDriver.loop("channels=2&clock=realtime")
        self._fd = fd
        self.name = "loop"
        self.frame_len = 160

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def fileno(self) -> int:
        return self._fd


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    os.close(r)
    os.close(w)


def test_an_fd_that_signals_no_frames_falls_back_to_polling(
    pipe: tuple[int, int], caplog: pytest.LogCaptureFixture
) -> None:
    """A version 1 driver whose fd signals events only: the engine's wait times out after two
    frame periods, finds a frame ready, and after a few of those polls instead."""

    async def body(board: Board) -> Any:
        await board.sleep(1.0)
        assert board._fd_wait is not None
        return dict(board.stats), board._fd_wait.registered, watched(pipe[0])

    stats, registered, still = run(Board(FdOverride(pipe[0]), REALTIME), body)
    assert not registered and not still
    assert stats["fd_waits"] <= 5
    assert stats["polls"] > 0
    assert 50 <= stats["ticks"] <= 52  # frames late at first, caught up
    assert "without the event fd saying so" in caplog.text


def test_an_fd_that_stays_readable_does_not_make_the_engine_spin(pipe: tuple[int, int]) -> None:
    os.write(pipe[1], b"x")  # readable for ever, with nothing to do

    async def body(board: Board) -> Any:
        await board.sleep(1.0)
        return dict(board.stats)

    stats = run(Board(FdOverride(pipe[0]), REALTIME), body)
    assert 50 <= stats["ticks"] <= 52
    # Spinning would be tens of thousands of waits; a few per frame at most is the bound.
    assert stats["fd_waits"] <= 4 * stats["ticks"] + 10
    assert stats["fd_waits"] + stats["polls"] <= 15 * stats["ticks"]


def test_a_virtual_clock_never_waits() -> None:
    async def body(board: Board) -> Any:
        await board.sleep(5.0)
        return dict(board.stats), board._fd_wait

    stats, waiter = run(open_board("loop://?channels=2"), body)
    assert stats["ticks"] >= 250
    assert stats["fd_waits"] == stats["polls"] == 0 and waiter is None
