"""modem:// through a real pseudo-terminal: the driver speaks V.253 with pyserial to an
emulated voice modem whose line is on the emulated exchange (audio both ways).

The emulated modem runs four media seconds per wall second; every wait is bounded by the
board's media clock or by asyncio.wait_for as a wall-clock guard only.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import tty
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.board import Board
from boardlib.drivers.base import ChannelType, Command, EventType
from boardlib.drivers.modem import (
    DLE,
    ETX,
    ModemCallerId,
    ModemDriver,
    parse_caller_id_line,
    parse_vsm,
)
from boardlib.emulator.modem import CHIPSETS, EmulatedModem
from boardlib.emulator.parties import Callee, Caller
from boardlib.errors import (
    BoardInitializationError,
    BoardOperationError,
    DriverOperationError,
    HangupError,
    InvalidUrlError,
)
from boardlib.states import ChannelState

SPEED = 4


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=60))  # wall-clock guard only


@pytest.fixture
def modem(request: pytest.FixtureRequest) -> Iterator[EmulatedModem]:
    chipset = getattr(request, "param", "intel")
    m = EmulatedModem(chipset, speed=SPEED)
    m.start()
    yield m
    m.stop()


def driver_for(m: EmulatedModem, **options: Any) -> ModemDriver:
    # timeout: how long audio may stall before the driver gives the call up (wall seconds)
    query = "&".join(f"{k}={v}" for k, v in {"timeout": 1.0, "speed": SPEED, **options}.items())
    return ModemDriver.from_url(f"modem://{m.port}?{query}")


def prompt() -> np.ndarray:
    """A 0.4 s 440 Hz prompt, synthesised independently of the library."""
    t = np.arange(3200) / 8000
    return (4000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)


CALLER = dict(number="13800138000", name="ZHANG SAN")


# --------------------------------------------------------------------------- a whole call


@pytest.mark.parametrize("chipset,codec,board_codec,duplex", [
    ("intel", "auto", "alaw", True),
    ("conexant", "auto", "slin", True),
    ("usr", "auto", "alaw", False),
    ("usr", "slin", "slin", False),
])
def test_call_rings_answers_plays_collects_keys_records_and_ends_on_far_hangup(
        chipset: str, codec: str, board_codec: str, duplex: bool) -> None:
    async def scenario() -> dict[str, Any]:
        with EmulatedModem(chipset, speed=SPEED) as m:
            drv = driver_for(m, codec=codec)
            async with Board(drv, "modem://emulated") as board:
                assert board.channels[0].type == ChannelType.FXO
                assert board.codec == board_codec and drv.duplex is duplex
                m.listen()
                script = ["wait 2.0", "press 42#", "say 1.0", "hangup"]
                m.place_call(Caller(**CALLER, script=script))
                call = await board.wait_for_call(timeout=30)
                ch = call.channel
                await ch.answer()
                played = await ch.play(prompt())
                sent = await ch.send_digits("159", on_ms=80, off_ms=80)
                got = await ch.get_digits(max_digits=5, terminators="#", first_digit_timeout=5)
                with pytest.raises(HangupError) as hung:
                    await ch.record(max_time=5, max_silence=None)
                state = ch.state
                await ch.hangup()
                return dict(cid=drv.caller_id(), dle=list(drv.dle_events), played=played,
                            sent=sent, got=got,
                            rec=hung.value.result, state=state, heard=m.heard(),
                            results=m.results(), error=m.error, errors=list(board.errors))

    out = run(scenario())
    cid = out["cid"]
    assert cid.number == "13800138000" and cid.name == "ZHANG SAN"
    assert (cid.month, cid.day) == (1, 1) and cid.hour is not None
    assert out["played"].samples == 3200
    assert out["heard"] == "159"  # the board's DTMF crossed the modem onto the line
    assert out["got"].digits == "42" and out["got"].terminator == "#"
    # the modem's own DTMF reports (<DLE>4 ...) are kept too
    assert "".join(c for c, _ in out["dle"] if c in "0123456789#") == "42#"
    rec = out["rec"]
    assert rec.samples > 4000 and np.abs(rec.pcm.astype(np.int32)).max() > 1000  # the caller spoke
    assert out["state"] is ChannelState.HUNGUP
    (result,) = out["results"].values()
    assert result["outcome"] == "caller_hung_up" and result["pressed"] == "42#"
    assert out["error"] is None and out["errors"] == []


def test_board_hangs_up_and_the_modem_goes_on_hook(modem: EmulatedModem) -> None:
    async def scenario() -> dict[str, Any]:
        drv = driver_for(modem)
        async with Board(drv, "modem://emulated") as board:
            modem.place_call(Caller(**CALLER, script=["say 5"]))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            await board.sleep(0.3)
            await call.channel.hangup()
            await board.sleep(0.3)
            return modem.results()

    (result,) = run(scenario()).values()
    assert result["outcome"] == "board_hung_up"


@pytest.mark.skipif("_take_caller_id" not in inspect.getsource(Board),
                    reason="Board does not take caller ID from the driver yet")
def test_offered_call_carries_the_modems_caller_id(modem: EmulatedModem) -> None:
    async def scenario() -> Any:
        async with Board(driver_for(modem), "modem://emulated") as board:
            modem.place_call(Caller(**CALLER))
            return await board.wait_for_call(timeout=30)

    call = run(scenario())
    assert call.number == "13800138000" and call.name == "ZHANG SAN"


# --------------------------------------------------------------------------- chipsets


@pytest.mark.parametrize("chipset,codec,number,label", [
    ("usr", "auto", 132, "ALAW"),
    ("usr", "ulaw", 131, "ULAW"),
    ("usr", "slin", 133, "LINEAR"),
    ("usr", "u8", 1, "UNSIGNED PCM"),
    ("intel", "auto", 140, "8-BIT A-LAW"),
    ("intel", "slin", 1, "16-BIT LINEAR"),
    ("conexant", "auto", 1, "8-BIT UNSIGNED PCM"),
])
def test_picks_the_codec_the_chipset_numbers(chipset: str, codec: str, number: int,
                                             label: str) -> None:
    with EmulatedModem(chipset, speed=SPEED) as m:
        drv = driver_for(m, codec=codec)
        drv._open()
        try:
            assert drv.codec is not None
            assert (drv.codec.number, drv.codec.label) == (number, label)
            assert f"AT+VSM={number},8000" in m.commands
        finally:
            drv._close()


@pytest.mark.parametrize("chipset,command", [("usr", "AT+VCID=1"), ("intel", "AT#CID=1"),
                                             ("conexant", "AT+VCID=1")])
def test_switches_caller_id_on_with_the_chipsets_command(chipset: str, command: str) -> None:
    with EmulatedModem(chipset, speed=SPEED) as m:
        drv = driver_for(m)
        drv._open()
        drv._close()
    assert drv.caller_id_command == command


def test_refuses_a_codec_the_modem_does_not_offer() -> None:
    with EmulatedModem("intel", speed=SPEED) as m:
        with pytest.raises(BoardInitializationError,
                           match=r"no usable 8 kHz voice codec \(wanted ulaw\)"):
            driver_for(m, codec="ulaw")._open()


def test_parses_vsm_listings_and_skips_lines_of_other_shapes() -> None:
    codecs = parse_vsm(['128,"8-BIT LINEAR",8,0,(7200,8000,11025),(0),(0)',
                        '131,"ULAW",8,0,(8000),(0),(0)', "garbage ### 12",
                        '129,"ADPCM",4,0,(8000),(0),(0)', '140,"8-BIT A-LAW",8,0,(8000),(0),(0)',
                        '1,"16-BIT LINEAR",16,0,(8000),(0),(0)'])
    assert [(c.number, c.kind) for c in codecs] == [(128, "u8"), (131, "ulaw"), (129, None),
                                                    (140, "alaw"), (1, "slin")]
    assert codecs[0].rates == (7200, 8000, 11025)


@pytest.mark.parametrize("line,expected", [
    ("DATE = 0805", ("DATE", "0805")), ("DATE=0801", ("DATE", "0801")),
    ("NMBR = 5551234", ("NMBR", "5551234")), ("NAME=JOHN DOE", ("NAME", "JOHN DOE")),
    ("RING", None), ("OK", None), ("NMBRX=1", None),
])
def test_reads_caller_id_lines_with_and_without_spaces(line: str, expected: Any) -> None:
    assert parse_caller_id_line(line) == expected


def test_caller_id_private_and_out_of_area_numbers() -> None:
    private = ModemCallerId.from_fields([("DATE", "1231"), ("TIME", "2359"), ("NMBR", "P"),
                                         ("NAME", "O")])
    assert private.number is None and private.absence_number == "private"
    assert private.absence_name == "out_of_area" and (private.month, private.minute) == (12, 59)
    assert ModemCallerId.from_fields([("NMBR", "O")]).absence_number == "out_of_area"


@pytest.mark.parametrize("modem", ["usr"], indirect=True)
def test_reads_the_report_with_spaces_from_a_usr_modem(modem: EmulatedModem) -> None:
    drv = driver_for(modem)
    drv._open()
    try:
        modem.place_call(Caller(**CALLER))
        for _ in range(1200):  # at most 60 s of wall time; the report comes after ~0.5 s
            drv._next_event(50)
            if drv.caller_id() is not None:
                break
    finally:
        drv._close()
    cid = drv.caller_id()
    assert cid is not None and cid.number == "13800138000"
    assert cid.lines[:1] == ("DATE = 0101",)


# --------------------------------------------------------------------------- faults


def test_modem_reset_mid_call_ends_the_call_and_the_next_call_works(modem: EmulatedModem) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        drv = driver_for(modem, timeout=0.5)
        async with Board(drv, "modem://emulated") as board:
            modem.place_call(Caller(**CALLER, script=["say 10"]))
            call = await board.wait_for_call(timeout=30)
            ch = call.channel
            await ch.answer()
            await board.sleep(0.2)
            modem.reset()
            with pytest.raises(HangupError):
                await ch.record(max_time=20, max_silence=None)
            await ch.hangup()
            modem.place_call(Caller(number="13900139000", script=["press 7"]))
            second = await board.wait_for_call(timeout=30)
            await second.channel.answer()
            got = await second.channel.get_digits(max_digits=1, first_digit_timeout=5)
            await second.channel.hangup()
            return drv.caller_id(), got, board.errors

    cid, got, errors = run(scenario())
    assert cid.number == "13900139000"  # caller ID came through the re-initialised modem
    assert got.digits == "7"
    assert errors == []


def test_modem_that_stops_answering_mid_call_fails_the_operation_naming_it(
        modem: EmulatedModem) -> None:
    async def scenario() -> tuple[BaseException, BaseException, Any]:
        drv = driver_for(modem, timeout=0.5)
        async with Board(drv, "modem://emulated") as board:
            modem.place_call(Caller(**CALLER, script=["say 10"]))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            modem.freeze()
            with pytest.raises(DriverOperationError) as during:
                await call.channel.record(max_time=20, max_silence=None)
            await board.sleep(0.1)
            state = call.channel.state
            with pytest.raises(DriverOperationError) as hanging_up:
                await call.channel.hangup()
            return during.value, hanging_up.value, state

    during, hanging_up, state = run(scenario())
    assert during.code == -5 and "stopped answering" in str(during)  # BL_EIO
    assert state is ChannelState.HUNGUP  # the call ended as well
    assert hanging_up.code == -7 and hanging_up.operation == "ATH"  # BL_ETIMEDOUT


def test_garbled_lines_from_the_modem_are_ignored(modem: EmulatedModem) -> None:
    async def scenario() -> Any:
        drv = driver_for(modem)
        async with Board(drv, "modem://emulated") as board:
            modem.garble(b"\r\n\xff\xfe#@!~\x00garbage\r\nOK\r\n\x10")
            modem.place_call(Caller(**CALLER, script=["press 5"]))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            got = await call.channel.get_digits(max_digits=1, first_digit_timeout=5)
            await call.channel.hangup()
            return drv.caller_id(), got

    cid, got = run(scenario())
    assert cid.number == "13800138000" and got.digits == "5"


def test_garbled_answer_while_opening_names_command_and_answer() -> None:
    with EmulatedModem("usr", speed=SPEED, overrides={"AT+VSM=?": "\x7f#~noise"}) as m:
        with pytest.raises(BoardInitializationError, match=r"AT\+VSM=\?.*noise"):
            driver_for(m)._open()


def test_serial_port_that_disappears_mid_call_stops_the_board_with_removed(
        modem: EmulatedModem) -> None:
    async def scenario() -> tuple[BaseException, Any]:
        drv = driver_for(modem)
        async with Board(drv, "modem://emulated") as board:
            modem.place_call(Caller(**CALLER, script=["say 10"]))
            call = await board.wait_for_call(timeout=30)
            await call.channel.answer()
            modem.unplug()
            with pytest.raises(BoardOperationError) as err:
                await call.channel.record(max_time=20, max_silence=None)
            return err.value, call.channel.state

    err, state = run(scenario())
    cause = err if isinstance(err, DriverOperationError) else err.__cause__
    assert isinstance(cause, DriverOperationError) and cause.code == -8  # BL_EREMOVED
    assert "is gone" in str(cause)
    assert state is ChannelState.BLOCKED


# --------------------------------------------------------------------------- dialling


def test_dials_in_voice_mode_and_reports_the_result_code(modem: EmulatedModem) -> None:
    modem.add_callee(Callee("5551234", "human"))
    drv = driver_for(modem)
    drv._open()
    try:
        assert drv.dial("5551234", timeout=10) == "OK"
        assert drv._offhook and drv._mode == "duplex"
        drv._command(0, Command.ONHOOK)
    finally:
        drv._close()
    (result,) = modem.results().values()
    assert result["number"] == "5551234" and result["behaviour"] == "human"


@pytest.mark.parametrize("behaviour,expected", [("human", "ANSWERED_HUMAN"), ("busy", "BUSY")])
def test_board_dials_through_the_modem_and_analyses_call_progress(
        modem: EmulatedModem, behaviour: str, expected: str) -> None:
    modem.add_callee(Callee("5551234", behaviour, rings=1))

    async def scenario() -> Any:
        async with Board(driver_for(modem), "modem://emulated") as board:
            ch = board.channel(0)
            result = await ch.dial("5551234", profile="us")
            if result.connected:
                await ch.hangup()
            return result

    result = run(scenario())
    assert result.result.name == expected
    (call,) = modem.results().values()
    assert call["number"] == "5551234"  # dialled in DTMF through the modem's audio path


# --------------------------------------------------------------------------- bad input


def test_device_that_does_not_exist_is_named(tmp_path: Any) -> None:
    path = tmp_path / "ttyNOPE"
    with pytest.raises(BoardInitializationError, match="cannot open serial port.*ttyNOPE"):
        ModemDriver.from_url(f"modem://{path}")._open()


def test_device_that_never_answers_is_not_a_modem() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        drv = ModemDriver.from_url(f"modem://{os.ttyname(slave)}?timeout=0.2")
        with pytest.raises(BoardInitializationError, match=r"not a modem.*'ATZ'.*nothing"):
            drv._open()
    finally:
        os.close(master)
        os.close(slave)


def test_data_only_modem_is_refused_naming_its_classes() -> None:
    with EmulatedModem("data", speed=SPEED) as m:
        with pytest.raises(BoardInitializationError, match=r"no voice mode.*AT\+FCLASS=\?.*0,1,2"):
            driver_for(m)._open()


def test_modem_that_rejects_voice_class_is_refused() -> None:
    with EmulatedModem("usr", speed=SPEED, overrides={"AT+FCLASS=8": "ERROR"}) as m:
        with pytest.raises(BoardInitializationError,
                           match=r"voice mode refused.*AT\+FCLASS=8.*ERROR"):
            driver_for(m)._open()


@pytest.mark.parametrize("query", [
    "baud=300", "baud=4000000", "timeout=0.1", "timeout=30", "speed=0.1", "speed=100",
    "codec=auto", "codec=alaw", "codec=u8", "cid=0",
])
def test_accepts_url_options_at_their_limits(query: str) -> None:
    ModemDriver.from_url(f"modem:///dev/ttyACM0?{query}")


@pytest.mark.parametrize("url", [
    "modem:///dev/ttyACM0?baud=299", "modem:///dev/ttyACM0?baud=4000001",
    "modem:///dev/ttyACM0?baud=fast", "modem:///dev/ttyACM0?timeout=0.09",
    "modem:///dev/ttyACM0?timeout=30.1", "modem:///dev/ttyACM0?speed=100.1",
    "modem:///dev/ttyACM0?speed=0.09", "modem:///dev/ttyACM0?codec=gsm",
    "modem:///dev/ttyACM0?cid=2", "modem:///dev/ttyACM0?parity=E", "modem://",
    "modem://host/dev/ttyACM0", "emu:///dev/ttyACM0",
])
def test_rejects_bad_urls_naming_the_form(url: str) -> None:
    with pytest.raises(InvalidUrlError, match="modem://"):
        ModemDriver.from_url(url)


# --------------------------------------------------------------------------- <DLE> framing


def _unshield(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] == DLE:
            assert data[i + 1] == DLE
            out.append(DLE)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


@given(st.binary(min_size=160, max_size=160))
def test_transmit_shielding_doubles_every_dle(payload: bytes) -> None:
    drv = ModemDriver("/dev/null")
    drv.codec = parse_vsm(['132,"ALAW",8,0,(8000),(0),(0)'])[0]
    row = np.frombuffer(payload, np.uint8)
    assert _unshield(drv._encode(row)) == payload


@given(st.binary(max_size=2000), st.lists(st.integers(0, 2000), max_size=8),
       st.sampled_from("0123456789#*lbRsd"))
def test_received_audio_is_unshielded_whatever_the_chunking(payload: bytes, cuts: list[int],
                                                            code: str) -> None:
    drv = ModemDriver("/dev/null")
    drv._in_audio = True
    drv._offhook = True
    stream = payload.replace(b"\x10", b"\x10\x10") + bytes([DLE, ord(code)]) + b"\x01\x02"
    stream += bytes([DLE, ETX]) + b"\r\nOK\r\n"
    points = sorted({min(c, len(stream)) for c in cuts})
    for a, b in itertools.pairwise([0, *points, len(stream)]):
        drv._feed(stream[a:b])
    assert bytes(drv._rx) == payload + b"\x01\x02"
    assert [c for c, _ in drv.dle_events] == [code]
    assert list(drv._results) == ["OK"] and not drv._in_audio
    events = [e.type for e in drv._events]
    if code in "lb":
        assert EventType.LOOP_DROP in events


def test_chipset_table_lists_every_family_of_the_reference() -> None:
    assert {c[0] for c in CHIPSETS["usr"].codecs} >= {131, 132, 133}
    assert 140 in {c[0] for c in CHIPSETS["intel"].codecs}
    assert CHIPSETS["usr"].cid_spaces and not CHIPSETS["intel"].cid_spaces
    assert "8" not in CHIPSETS["data"].classes


@pytest.mark.parametrize("modem", ["usr"], indirect=True)
def test_half_duplex_modem_reports_keys_pressed_during_a_prompt(modem: EmulatedModem) -> None:
    """While a half-duplex modem plays (+VTX) the board hears no audio; the modem's own
    <DLE> digit reports reach the board as DIGIT events, so barge-in still works."""
    async def scenario() -> tuple[Any, Any, list[str]]:
        drv = driver_for(modem)
        async with Board(drv, "modem://emulated") as board:
            modem.place_call(Caller(**CALLER, script=["wait 1.5", "press 7"]))
            call = await board.wait_for_call(timeout=30)
            ch = call.channel
            await ch.answer()
            long_prompt = (3000 * np.sin(2 * np.pi * 500 * np.arange(8000 * 8) / 8000)).astype(
                np.int16)
            played = await ch.play(long_prompt, barge_in=True)
            got = await ch.get_digits(1, first_digit_timeout=3)
            await ch.hangup()
            return played, got, [c for c, _ in drv.dle_events]

    played, got, dle = run(scenario())
    assert "7" in dle
    assert played.reason.name == "DIGIT" and played.digit == "7"
    assert played.samples < 8000 * 6  # stopped long before the 8 s end
    assert got.digits == "7"
