"""E1 calls with China No.1 signalling end to end on ``emu://?lines=0&spans=1``.

The emulated span's exchange speaks R2 on the line side: ABCD bits cross as CAS signals and
board CAS commands, register signals as MF audio in A-law that both ends detect with their
own detectors. Times are media seconds on the virtual clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest

from boardlib import ChannelStateError, HangupError
from boardlib.board import Board, open_board
from boardlib.drivers.base import Alarm, ChannelType
from boardlib.dsp.progress import CallResult
from boardlib.r2 import DEFAULT_VARIANT, R2Signalling
from boardlib.states import ChannelState, HangupCause

URL = "emu://?lines=0&spans=1"


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=120))  # wall-clock guard only


async def with_board(body: Callable[[Board], Awaitable[Any]], url: str = URL) -> Any:
    async with open_board(url) as board:
        return await body(board)


def engines_idle(board: Board) -> list[int]:
    """Channels whose R2 engine or exchange register is not idle (should be none)."""
    span = board.driver.span
    stuck = []
    for ch in board.channels:
        sig = ch.signalling
        assert isinstance(sig, R2Signalling)
        if sig.machine.state != "idle" or span.channel_state(ch.index) != "idle" \
                or ch.state is not ChannelState.IDLE:
            stuck.append(ch.index)
    return stuck


def test_e1_channels_get_the_china_r2_engine_by_default() -> None:
    async def body(board: Board) -> Any:
        sigs = [ch.signalling for ch in board.channels]
        return [(ch.type, type(s).__name__, s.variant.name)  # type: ignore[union-attr]
                for ch, s in zip(board.channels, sigs, strict=True)]

    kinds = run(with_board(body))
    assert len(kinds) == 30 and DEFAULT_VARIANT == "CN"
    assert set(kinds) == {(ChannelType.E1, "R2Signalling", "CN")}


@pytest.mark.parametrize("ani,dnis,category", [
    ("13800138000", "8001", 1),
    ("02161234567", "95588123", 5),
])
def test_inbound_call_arrives_with_ani_dnis_and_category_through_mf_audio(
        ani: str, dnis: str, category: int) -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.place_call(ani, dnis, category=category, at=0.2)
        call = await board.wait_for_call(timeout=30)
        assert call.channel.state is ChannelState.RINGING
        await call.channel.answer()
        await board.sleep(0.2)
        answered = span.calls[0].answered
        await call.channel.hangup()
        await board.sleep(0.5)
        return call, answered, span.calls[0], engines_idle(board)

    call, answered, record, stuck = run(with_board(body))
    assert (call.number, call.dnis, call.data["category"]) == (ani, dnis, category)
    assert call.direction == "inbound" and call.data["variant"] == "CN"
    assert answered is not None
    assert record.outcome == "cleared" and record.cause is HangupCause.NORMAL_CLEARING
    assert stuck == []


def test_board_mf_tones_are_real_forward_r2_frequencies_at_q441_level() -> None:
    """The board's first register signal, captured on the line and analysed by a naive
    DFT, is DNIS digit 8 = 1500 + 1860 Hz at about -11.5 dBm0 per tone."""

    async def body(board: Board) -> Any:
        span = board.driver.span
        span.capture(3)  # keep everything the exchange hears on channel 3
        span.add_callee("8123", "busy")
        await board.channels[3].dial("8123", ani="1")
        return span.captured(3)

    pcm = run(with_board(body)).astype(np.float64)
    loud = np.flatnonzero(np.abs(pcm) > 500)
    seg = pcm[loud[0] + 80: loud[0] + 80 + 400]  # 50 ms inside the first signal
    freqs = np.fft.rfftfreq(len(seg), 1 / 8000)
    mag = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    top = sorted(freqs[np.argsort(mag)[-2:]])
    assert top == pytest.approx([1500, 1860], abs=20)
    amp = np.sqrt(2 * np.mean(seg ** 2) / 2)  # rms per tone -> peak amplitude per tone
    level = 20 * np.log10(amp / 32768) + 3.14
    assert -12.5 <= level <= -10.5


@pytest.mark.parametrize("outcome,result,cause", [
    ("answer", CallResult.ANSWERED_HUMAN, None),
    ("busy", CallResult.BUSY, HangupCause.USER_BUSY),
    ("vacant", CallResult.SIT, HangupCause.UNALLOCATED_NUMBER),
    ("congestion", CallResult.CONGESTION, HangupCause.SWITCH_CONGESTION),
    ("out_of_order", CallResult.SIT, HangupCause.DESTINATION_OUT_OF_ORDER),
    ("no_answer", CallResult.NO_ANSWER, HangupCause.NO_ANSWER),
])
def test_outbound_call_reports_the_exchange_outcome(outcome: str, result: CallResult,
                                                   cause: HangupCause | None) -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.add_callee("12345", outcome, answer_after=0.5)
        ch = board.channels[7]
        res = await ch.dial("12345", ani="02161234567", category=1, answer_timeout=3)
        state = ch.state
        if res.connected:
            await ch.hangup()
        await board.sleep(0.5)
        return res, state, span.calls[-1], engines_idle(board)

    res, state, record, stuck = run(with_board(body))
    assert res.result is result
    assert (record.ani, record.dnis, record.category) == ("02161234567", "12345", 1)
    if cause is None:
        assert res.connected and state is ChannelState.CONNECTED
        assert record.answered is not None
    else:
        assert not res.connected and state is ChannelState.IDLE
        assert res.evidence.cause is cause
    assert stuck == []


def test_far_end_clear_forward_hangs_up_the_inbound_call() -> None:
    async def body(board: Board) -> Any:
        board.driver.span.place_call("555", "8001", hold=1.0)
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        with pytest.raises(HangupError) as err:
            await call.channel.get_digits(4, first_digit_timeout=10)
        state = call.channel.state
        await call.channel.hangup()
        await board.sleep(0.5)
        return err.value, state, engines_idle(board)

    err, state, stuck = run(with_board(body))
    assert err.cause is HangupCause.NORMAL_CLEARING  # type: ignore[attr-defined]
    assert state is ChannelState.HUNGUP and stuck == []


def test_far_end_clear_back_hangs_up_the_outbound_call() -> None:
    async def body(board: Board) -> Any:
        board.driver.span.add_callee("777", "answer", answer_after=0.2, hold=1.0)
        ch = board.channels[0]
        res = await ch.dial("777", ani="1")
        with pytest.raises(HangupError):
            await ch.get_digits(4, first_digit_timeout=10)
        await ch.hangup()
        await board.sleep(0.5)
        return res, board.driver.span.calls[-1], engines_idle(board)

    res, record, stuck = run(with_board(body))
    assert res.connected
    assert record.events[-1] == "local hangup" and stuck == []


def test_caller_giving_up_before_answer_is_abandoned() -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.place_call("555", "8001")
        call = await board.wait_for_call(timeout=30)
        span.hangup(call.channel.index)
        await board.sleep(0.5)
        with pytest.raises(HangupError):
            await call.channel.answer()
        return call, engines_idle(board)

    call, stuck = run(with_board(body))
    assert call.abandoned and stuck == []


def test_span_alarm_mid_call_ends_the_call_blocks_the_span_and_it_recovers() -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.place_call("555", "8001")
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        span.set_alarm(1, Alarm.LOS)
        with pytest.raises(HangupError) as err:
            await call.channel.get_digits(4, first_digit_timeout=10)
        other = board.channels[10]
        during = (call.channel.state, other.state)
        await call.channel.hangup()
        hung_up = call.channel.state  # still out of service: the alarm is on
        with pytest.raises(ChannelStateError, match="blocked"):
            await other.dial("123", ani="1")
        with pytest.raises(ChannelStateError, match="blocked"):
            await call.channel.dial("123", ani="1")
        span.set_alarm(1, 0)
        await board.sleep(0.2)
        after = [ch.state for ch in board.channels]
        span.add_callee("123", "answer", answer_after=0.2)
        res = await other.dial("123", ani="1")
        await other.hangup()
        await board.sleep(0.5)
        return err.value, during, hung_up, after, res, engines_idle(board)

    err, during, hung_up, after, res, stuck = run(with_board(body))
    assert err.cause is HangupCause.NETWORK_OUT_OF_ORDER  # type: ignore[attr-defined]
    assert during == (ChannelState.HUNGUP, ChannelState.BLOCKED)
    assert hung_up is ChannelState.BLOCKED
    assert set(after) == {ChannelState.IDLE}
    assert res.connected and stuck == []


@pytest.mark.parametrize("bits", [Alarm.AIS, Alarm.RAI])
def test_ais_and_rai_alarms_also_end_calls(bits: Alarm) -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.add_callee("42", "answer", answer_after=0.2)
        ch = board.channels[2]
        await ch.dial("42", ani="1")
        span.set_alarm(1, bits)
        await board.sleep(0.1)
        state = ch.state
        await ch.hangup()
        span.set_alarm(1, 0)
        await board.sleep(0.5)
        return state, engines_idle(board)

    state, stuck = run(with_board(body))
    assert state is ChannelState.HUNGUP and stuck == []


def test_thirty_channels_set_up_calls_concurrently_and_none_stays_stuck() -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        for i in range(15):
            span.place_call(f"1380013{i:04d}", f"80{i:02d}", category=1 + i % 2)
        for i in range(15, 30):
            span.add_callee(f"6{i:03d}", "answer", answer_after=0.3)

        async def inbound() -> Any:
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            return call

        async def outbound(i: int) -> Any:
            ch = board.channels[i]
            return ch, await ch.dial(f"6{i:03d}", ani=f"2{i:03d}")

        got = await asyncio.gather(*[inbound() for _ in range(15)],
                                   *[outbound(i) for i in range(15, 30)])
        connected = [ch.state for ch in board.channels]
        await asyncio.gather(*[ch.hangup() for ch in board.channels])
        await board.sleep(0.5)
        return got, connected, board.seconds, engines_idle(board)

    got, connected, seconds, stuck = run(with_board(body))
    inbound, outbound = got[:15], got[15:]
    assert sorted(c.dnis for c in inbound) == [f"80{i:02d}" for i in range(15)]
    assert {c.number[-4:]: c.data["category"] for c in inbound} == \
        {f"{i:04d}": 1 + i % 2 for i in range(15)}
    assert all(res.connected for _, res in outbound)
    assert set(connected) == {ChannelState.CONNECTED}
    assert stuck == []
    assert seconds < 20


def test_dial_rejects_non_digit_numbers_and_unknown_options() -> None:
    from boardlib import SignalFormatError

    async def body(board: Board) -> Any:
        with pytest.raises(SignalFormatError, match="dnis"):
            await board.channels[0].dial("12*4")
        with pytest.raises(SignalFormatError, match="unknown R2 dial option"):
            await board.channels[0].dial("1234", colour="red")
        with pytest.raises(SignalFormatError, match="answer_timeout"):
            await board.channels[0].dial("1234", answer_timeout=0)
        return engines_idle(board)

    assert run(with_board(body)) == []


def test_glare_on_a_timeslot_the_board_yields_and_takes_the_inbound_call() -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.add_callee("999", "answer")
        ch = board.channels[5]
        span.place_call("555", "8001", channel=5)  # the exchange seizes the same tick
        res = await ch.dial("999", ani="1")
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        await call.channel.hangup()
        await board.sleep(0.5)
        return res, call, engines_idle(board)

    res, call, stuck = run(with_board(body))
    assert not res.connected
    assert res.evidence.cause is HangupCause.NO_CIRCUIT_AVAILABLE and res.evidence.reason == "glare"
    assert call.channel.index == 5 and call.number == "555"
    assert stuck == []


def test_board_refusing_a_ringing_call_releases_the_timeslot_at_once() -> None:
    async def body(board: Board) -> Any:
        span = board.driver.span
        span.place_call("555", "8001")
        call = await board.wait_for_call(timeout=30)
        t0 = board.seconds
        await call.channel.hangup()
        return board.seconds - t0, span.calls[0], engines_idle(board)

    took, record, stuck = run(with_board(body))
    assert took < 1.0
    assert record.answered is None and record.ended is not None
    assert stuck == []


@pytest.mark.parametrize("variant", ["ITU", "BR"])
def test_the_r2_url_option_selects_the_variant_at_both_ends(variant: str) -> None:
    import asyncio

    from boardlib.board import open_board

    async def main() -> tuple[str, str, str | None]:
        async with open_board(f"emu://?lines=0&spans=1&r2={variant}") as board:
            ch = board.channels[0]
            return (ch.signalling.machine.variant.name, board.driver.span.variant.name,
                    board.driver.r2_variant)

    assert asyncio.run(main()) == (variant, variant, variant)


def test_an_unknown_r2_variant_is_an_invalid_url() -> None:
    from boardlib import InvalidUrlError
    from boardlib.board import open_board

    with pytest.raises(InvalidUrlError, match="r2"):
        open_board("emu://?lines=0&spans=1&r2=XX")
