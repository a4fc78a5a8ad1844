"""End to end through the emulated board's real audio: calls, caller ID, keys, prompts, hang-ups.

Every test runs on ``emu://`` with the virtual clock: the exchange rings the line and sends
caller ID as FSK or DTMF audio, scripted callers press real DTMF keys, and the board detects
them with its DSP banks. Times are media seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from boardlib import ChannelStateError, HangupError, InvalidUrlError, SignalFormatError
from boardlib.audiofile import read_audio, write_wav
from boardlib.board import Board, open_board
from boardlib.emulator.parties import Caller
from boardlib.media import Silence, Tone
from boardlib.states import ChannelState, TermReason


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=120))  # wall-clock guard only


async def with_board(url: str, body: Callable[[Board], Awaitable[Any]]) -> Any:
    async with open_board(url) as board:
        return await body(board)


def test_caller_presses_1234_hash_and_get_digits_returns_it() -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller("13800138000", script=["wait 1", "press 1234#"]))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        res = await call.channel.get_digits(10, terminators="#", first_digit_timeout=5)
        await call.channel.hangup()
        return call, res

    call, res = run(with_board("emu://?lines=2", body))
    assert res.digits == "1234"
    assert res.reason is TermReason.TERMINATOR and res.terminator == "#"


@pytest.mark.parametrize("cid,standard", [("fsk", "bell202"), ("fsk", "v23"), ("dtmf", "bell202")])
def test_caller_id_sent_on_the_line_arrives_decoded(cid: str, standard: str) -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(
            Caller("02161234567", name="ZHANG SAN", cid=cid, cid_standard=standard))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        await call.channel.hangup()
        return call

    call = run(with_board("emu://?lines=1", body))
    assert call.number == "02161234567"
    if cid == "fsk":
        assert call.name == "ZHANG SAN"
        assert call.caller_id.valid


def test_withheld_number_arrives_as_an_absence_reason() -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller(None, cid="fsk"))
        call = await board.wait_for_call(timeout=30)
        await call.channel.hangup()
        return call

    call = run(with_board("emu://?lines=1", body))
    assert call.number is None
    assert call.caller_id is not None and call.caller_id.absence_number is not None


def test_barge_in_stops_a_prompt_and_keeps_the_key() -> None:
    long_prompt = np.zeros(8000 * 20, np.int16)
    long_prompt[::7] = 3000

    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller("1", script=["wait 2", "press 5"]))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        played = await call.channel.play(long_prompt, barge_in=True)
        digits = await call.channel.get_digits(1, first_digit_timeout=1)
        await call.channel.hangup()
        return played, digits

    played, digits = run(with_board("emu://?lines=1", body))
    assert played.reason is TermReason.DIGIT and played.digit == "5"
    assert 1.5 < played.seconds < 3.5  # stopped near the key, long before the 20 s end
    assert digits.digits == "5"


def test_prompt_plays_to_the_end_without_keys() -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller("1"))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        t0 = board.seconds
        res = await call.channel.play([Tone("busy", seconds=1.4), Silence(0.6)])
        t1 = board.seconds
        await call.channel.hangup()
        return res, t1 - t0

    res, took = run(with_board("emu://?lines=1", body))
    assert res.reason is TermReason.END_OF_DATA and res.samples == 16000
    assert 1.99 <= took <= 2.1


def test_first_digit_and_inter_digit_timeouts_count_media_time() -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(
            Caller("1", script=["wait 7", "press 12", "wait 5", "press 3"]))
        call = await board.wait_for_call(timeout=30)
        ch = call.channel
        await ch.answer()
        t0 = board.seconds
        first = await ch.get_digits(4, first_digit_timeout=2.0)
        t1 = board.seconds
        second = await ch.get_digits(4, first_digit_timeout=10.0, inter_digit_timeout=2.0)
        await ch.hangup()
        return first, t1 - t0, second

    first, waited, second = run(with_board("emu://?lines=1", body))
    assert first.reason is TermReason.FIRST_DIGIT_TIMEOUT and first.digits == ""
    assert 1.99 <= waited <= 2.05
    assert second.digits == "12" and second.reason is TermReason.INTER_DIGIT_TIMEOUT


def test_far_end_hangup_mid_operation_raises_hangup_error_with_partial_result() -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(
            Caller("1", script=["wait 1", "press 12", "wait 1", "hangup"]))
        call = await board.wait_for_call(timeout=30)
        ch = call.channel
        await ch.answer()
        with pytest.raises(HangupError) as info:
            await ch.get_digits(10, terminators="#", first_digit_timeout=20, inter_digit_timeout=20)
        state = ch.state
        with pytest.raises(HangupError):
            await ch.play(Tone("busy", seconds=1))
        await ch.hangup()
        return info.value, state, ch.state

    err, state_after, final = run(with_board("emu://?lines=1", body))
    assert err.result.digits == "12"
    assert state_after is ChannelState.HUNGUP and final is ChannelState.IDLE


@pytest.mark.parametrize("disconnect", ["loop", "busy"])
def test_far_end_clear_is_reported_the_same_way_for_loop_drop_and_busy_tone(
    disconnect: str,
) -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller("1", script=["wait 1", "hangup"]))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        with pytest.raises(HangupError):
            await call.channel.play(Tone("dial", seconds=30))
        t = board.seconds
        await call.channel.hangup()
        return t

    t = run(with_board(f"emu://?lines=1&disconnect={disconnect}", body))
    assert t < 10


def test_record_stops_on_silence_and_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "msg.wav"

    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller("1", script=["wait 0.5", "say 2.0"]))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        res = await call.channel.record(out, max_time=20, max_silence=1.5)
        await call.channel.hangup()
        return res

    res = run(with_board("emu://?lines=1", body))
    assert res.reason is TermReason.MAX_SILENCE
    assert 2.0 <= res.seconds <= 3.2
    audio = read_audio(out)
    assert len(audio.data) == res.samples and np.abs(audio.data).max() > 1000


def test_operations_in_the_wrong_state_raise_channel_state_error() -> None:
    async def body(board: Board) -> None:
        ch = board.channel(0)
        with pytest.raises(ChannelStateError, match="idle"):
            await ch.play(Tone("busy", seconds=1))
        with pytest.raises(ChannelStateError):
            await ch.answer()
        with pytest.raises(SignalFormatError, match="first_digit_timeout"):
            await ch.get_digits(1, first_digit_timeout=float("nan"))
        with pytest.raises(SignalFormatError):
            await ch.get_digits(0)
        with pytest.raises(SignalFormatError, match="channel index"):
            board.channel(99)

    run(with_board("emu://?lines=1", body))


def test_invalid_urls_name_the_accepted_form() -> None:
    with pytest.raises(InvalidUrlError, match="lines"):
        open_board("emu://?lines=abc")
    with pytest.raises(InvalidUrlError, match="unknown emu:// option"):
        open_board("emu://?colour=red")
    with pytest.raises(InvalidUrlError, match="known schemes"):
        open_board("nosuch://x")
    with pytest.raises(InvalidUrlError):
        open_board("emu://?clock=sundial")


def test_play_refuses_a_wav_of_the_wrong_rate(tmp_path: Path) -> None:
    f = tmp_path / "x.wav"
    write_wav(f, np.zeros(100, np.int16), sample_rate=16000)

    async def body(board: Board) -> None:
        board.driver.exchange.place_call(Caller("1"))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        with pytest.raises(SignalFormatError, match="16000"):
            await call.channel.play(f)
        await call.channel.hangup()

    run(with_board("emu://?lines=1", body))


def test_the_same_scenario_gives_the_same_timeline_every_run() -> None:
    async def body(board: Board) -> Any:
        ex = board.driver.exchange
        ex.place_call(Caller("1", script=["wait 1", "press 42#"]))
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        res = await call.channel.get_digits(5)
        await call.channel.hangup()
        return [(e.sample, e.what, e.detail) for e in ex.timeline], res.digits, board.now

    url = "emu://?lines=1&seed=3"
    assert run(with_board(url, body)) == run(with_board(url, body))


def test_unanswered_caller_abandons_and_answer_reports_it() -> None:
    async def body(board: Board) -> Any:
        board.driver.exchange.place_call(Caller("1", max_rings=2))
        call = await board.wait_for_call(timeout=30)
        await board.sleep(20)
        with pytest.raises(HangupError):
            await call.channel.answer()
        return call.channel.state

    assert run(with_board("emu://?lines=1", body)) is ChannelState.IDLE
