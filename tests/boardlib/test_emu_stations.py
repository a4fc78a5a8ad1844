"""Station ports (FXS) end to end on the emulated board: the board rings scripted phones, the
phones lift their handsets, dial with real DTMF and hear what the board sends them.

Every time is media time on the board's virtual clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest

from boardlib import (
    BoardTimeoutError,
    ChannelStateError,
    HangupError,
    InvalidUrlError,
    SignalFormatError,
)
from boardlib.board import Board, open_board
from boardlib.drivers.base import ChannelType
from boardlib.emulator.driver import EmuDriver
from boardlib.emulator.parties import Caller
from boardlib.emulator.stations import Station, StationCall
from boardlib.media import Tone
from boardlib.states import ChannelState, TermReason

URL = "emu://?lines=1&stations=2"
STATION = 1  # board channel of station port 0 (one trunk line before it)
S = 8000  # samples per second


def run(url: str, body: Callable[[Board], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with open_board(url) as board:
            return await body(board)

    return asyncio.run(asyncio.wait_for(main(), timeout=120))  # wall-clock guard only


def stations(board: Board) -> Any:
    return board.driver.exchange.stations  # type: ignore[attr-defined]


def tone_power(pcm: np.ndarray, hz: float) -> float:
    """Power of pcm at hz, by a direct correlation (no library DSP)."""
    t = np.arange(len(pcm)) / S
    x = pcm.astype(np.float64)
    return float(abs(np.dot(x, np.exp(-2j * np.pi * hz * t))) ** 2 / len(pcm))


# ---------------------------------------------------------------------- the board rings


def test_station_answering_after_2_rings_hears_the_profile_cadence() -> None:
    async def body(board: Board) -> Any:
        st = stations(board)
        st.add_station(0, Station("8001", answer_after_rings=2))
        start = board.now
        call = await board.channel(STATION).ring()
        return start, board.now, call, board.channel(STATION).state, st.ring_log(0), st.rings(0)

    start, end, call, state, log, rings = run(URL, body)
    assert start == 0
    # cn cadence: 1 s on, 4 s off; the phone lifts 0.5 s after the second burst.
    assert log == [(0, "on"), (1 * S, "off"), (5 * S, "on"), (6 * S, "off")]
    assert rings == 2
    assert 6.5 * S <= end <= 6.5 * S + 2 * 160
    assert call.direction == "outbound" and call.channel.index == STATION
    assert state is ChannelState.CONNECTED


def test_ring_takes_a_cadence_of_its_own() -> None:
    async def body(board: Board) -> Any:
        stations(board).add_station(0, Station(answer_after_rings=3))
        await board.channel(STATION).ring(cadence=[(400, 200), (400, 2000)])
        return stations(board).ring_log(0)

    log = run(URL, body)
    # Edges of a UK-style double ring (0.4 on, 0.2 off, 0.4 on, 2.0 off): the phone lifts
    # 0.5 s after its third burst, during the fourth, which its off-hook trips (no "off").
    assert log == [
        (0, "on"),
        (3200, "off"),
        (4800, "on"),
        (8000, "off"),
        (24000, "on"),
        (27200, "off"),
        (28800, "on"),
    ]


@pytest.mark.parametrize("timeout,answered", [(11.6, True), (11.4, False)])
def test_ring_timeout_just_after_the_answer_succeeds_and_just_before_fails(
    timeout: float, answered: bool
) -> None:
    # A phone answering after 3 cn rings lifts at 10 + 1 + 0.5 = 11.5 s.
    async def body(board: Board) -> Any:
        stations(board).add_station(0, Station(answer_after_rings=3))
        ch = board.channel(STATION)
        try:
            await ch.ring(timeout=timeout)
        except BoardTimeoutError:
            return False, ch.state
        return True, ch.state

    ok, state = run(URL, body)
    assert ok is answered
    assert state is (ChannelState.CONNECTED if answered else ChannelState.IDLE)


def test_ring_times_out_when_nobody_answers_and_stops_ringing() -> None:
    async def body(board: Board) -> Any:
        st = stations(board)
        st.add_station(0, Station(answer_after_rings=None))
        ch = board.channel(STATION)
        with pytest.raises(BoardTimeoutError):
            await ch.ring(timeout=12.0)
        at = board.now
        await board.sleep(6.0)  # no ringing after the timeout
        return at, ch.state, st.ring_log(0), st.offhook(0)

    at, state, log, offhook = run(URL, body)
    assert 12 * S <= at <= 12 * S + 160
    assert state is ChannelState.IDLE and not offhook
    assert [w for _, w in log] == ["on", "off"] * 3  # bursts at 0, 5 and 10 s
    assert log[-1] == (11 * S, "off")


def test_ring_on_a_trunk_line_raises_channel_state_error() -> None:
    async def body(board: Board) -> None:
        with pytest.raises(ChannelStateError, match="FXS"):
            await board.channel(0).ring()
        assert board.channel(0).state is ChannelState.IDLE

    run(URL, body)


def test_ring_on_a_busy_station_raises_channel_state_error() -> None:
    async def body(board: Board) -> None:
        stations(board).lift(0)
        call = await board.wait_for_call(timeout=2)
        assert call.direction == "station"
        with pytest.raises(ChannelStateError):
            await board.channel(STATION).ring()

    run(URL, body)


@pytest.mark.parametrize("cadence", [[(99, 4000)], [(1000, 10001)], [], [(1000,)]])
def test_ring_rejects_a_bad_cadence(cadence: Any) -> None:
    async def body(board: Board) -> None:
        with pytest.raises(SignalFormatError):
            await board.channel(STATION).ring(cadence=cadence)
        assert board.channel(STATION).state is ChannelState.IDLE

    run(URL, body)


def test_ring_accepts_100_ms_bursts() -> None:
    async def body(board: Board) -> Any:
        stations(board).add_station(0, Station(answer_after_rings=1))
        call = await board.channel(STATION).ring(cadence=[(100, 100)])
        return stations(board).ring_log(0), call.channel.state

    log, state = run(URL, body)
    assert log[:4] == [(0, "on"), (800, "off"), (1600, "on"), (2400, "off")]
    assert state is ChannelState.CONNECTED


# ---------------------------------------------------------------------- the station calls


def test_station_dials_8001_after_dial_tone_and_the_board_hangs_up() -> None:
    async def body(board: Board) -> Any:
        st = stations(board)
        st.lift(0, ["wait 1.0", "press 8001"])
        call = await board.wait_for_call(timeout=2)
        ch = call.channel
        assert (call.direction, ch.index) == ("station", STATION)
        await ch.answer()
        played = await ch.play(Tone("dial", seconds=10.0), barge_in=True)
        digits = await ch.get_digits(4, terminators=None, first_digit_timeout=5)
        heard = st.audio(0)
        await ch.hangup()
        await board.sleep(0.1)
        return played, digits, heard, st.offhook(0), ch.state

    played, digits, heard, offhook, state = run(URL, body)
    assert played.reason is TermReason.DIGIT
    assert digits.digits == "8001"
    assert not offhook and state is ChannelState.IDLE  # the phone was released
    # The phone heard the cn dial tone (450 Hz) before it dialled.
    tone = heard[160 : int(0.9 * S)]
    assert tone_power(tone, 450) > 1000 * tone_power(tone, 1000)


def test_station_hanging_up_mid_prompt_raises_hangup_error() -> None:
    async def body(board: Board) -> Any:
        stations(board).place(StationCall(at=0.5, port=1, script=["wait 1.0", "hangup"]))
        call = await board.wait_for_call(timeout=2)
        ch = call.channel
        await ch.answer()
        with pytest.raises(HangupError):
            await ch.play(Tone("dial", seconds=5.0))
        at, state = board.seconds, ch.state
        await ch.hangup()
        return ch.index, at, state, ch.state

    index, at, state, final = run(URL, body)
    assert index == STATION + 1
    assert 1.5 <= at <= 1.6
    assert state is ChannelState.HUNGUP and final is ChannelState.IDLE


def test_station_hook_flash_is_counted_on_the_channel() -> None:
    async def body(board: Board) -> Any:
        stations(board).lift(0, ["wait 0.5", "flash"])
        call = await board.wait_for_call(timeout=2)
        await call.channel.answer()
        await board.sleep(1.5)
        return call.channel.flashes, call.channel.state

    assert run(URL, body) == (1, ChannelState.CONNECTED)


# ---------------------------------------------------------------------- trunk to station


def test_trunk_caller_bridged_to_an_agent_station_is_heard_both_ways() -> None:
    async def body(board: Board) -> Any:
        ex = board.driver.exchange  # type: ignore[attr-defined]
        st = stations(board)
        st.add_station(0, Station("8001", answer_after_rings=1, script=["wait 1.5", "press 9"]))
        ex.place_call(Caller("13800138000", cid="none", line=0, script=["wait 4", "press 123#"]))
        call = await board.wait_for_call(timeout=30)
        trunk = call.channel
        await trunk.answer()
        ex.listen(0)
        agent = await board.channel(STATION).ring()
        board.bridge(trunk, agent.channel)
        await board.sleep(5.0)
        return st.heard(0), ex.heard(0)

    station_heard, caller_heard = run(URL, body)
    assert station_heard == "123#"
    assert caller_heard == "9"


# ---------------------------------------------------------------------- the URL


def test_stations_option_takes_0_to_480() -> None:
    assert EmuDriver.from_url("emu://?lines=0&stations=480").stations == 480
    assert EmuDriver.from_url("emu://?lines=1").stations == 0
    with pytest.raises(InvalidUrlError):
        EmuDriver.from_url("emu://?stations=481")
    with pytest.raises(InvalidUrlError):
        EmuDriver.from_url("emu://?stations=-1")


def test_stations_sit_between_the_lines_and_the_e1_spans() -> None:
    async def body(board: Board) -> Any:
        return [c.type for c in board.channels[:4]], board.driver.span.first  # type: ignore[attr-defined]

    types, first_e1 = run("emu://?lines=1&stations=2&spans=1", body)
    assert types == [ChannelType.FXO, ChannelType.FXS, ChannelType.FXS, ChannelType.E1]
    assert first_e1 == 3
