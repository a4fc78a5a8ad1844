"""The emulated board's C driver and its line side, through the real cffi path."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.drivers.base import Alarm, ChannelType, Command, DriverEvent, EventType
from boardlib.drivers.cabi import CabiDriver, EmuLineSide
from boardlib.errors import DriverOperationError, SignalFormatError

Emu = tuple[CabiDriver, EmuLineSide]
E1_TIMESLOTS = list(range(1, 16)) + list(range(17, 32))


def chans(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int32)


def ramp(n: int, start: int = 0) -> np.ndarray:
    return (np.arange(start, start + n) % 256).astype(np.uint8)


def read(drv: CabiDriver, channels: np.ndarray) -> np.ndarray:
    out = np.empty((len(channels), drv.frame_len), dtype=drv.dtype)
    assert drv._read(channels, out) == len(channels)
    return out


def board_events(drv: CabiDriver) -> list[DriverEvent]:
    events = []
    while (ev := drv._next_event()) is not None:
        events.append(ev)
    return events


def line_events(line: EmuLineSide) -> list[DriverEvent]:
    events = []
    while (ev := line.next_event()) is not None:
        events.append(ev)
    return events


@pytest.fixture
def emu() -> Iterator[Emu]:
    with CabiDriver.emu("channels=4&spans=2") as drv:
        yield drv, EmuLineSide(drv)


def test_lines_come_first_then_e1_spans_numbered_from_1() -> None:
    with CabiDriver.emu("channels=2&spans=2") as drv:
        infos = drv._channels()
    assert len(infos) == 62
    assert [(c.type, c.span, c.timeslot) for c in infos[:2]] == [(ChannelType.FXO, 0, 0)] * 2
    for span in (1, 2):
        slots = infos[2 + 30 * (span - 1) : 2 + 30 * span]
        assert {c.type for c in slots} == {ChannelType.E1}
        assert {c.span for c in slots} == {span}
        assert [c.timeslot for c in slots] == E1_TIMESLOTS
    assert [c.index for c in infos] == list(range(62))


def test_default_board_has_four_a_law_lines() -> None:
    with CabiDriver.emu() as drv:
        infos = drv._channels()
    assert [(c.type, c.codec) for c in infos] == [(ChannelType.FXO, "alaw")] * 4


def test_clock_moves_one_frame_per_tick_only(emu: Emu) -> None:
    drv, line = emu
    assert line.now() == 0
    read(drv, chans(0))
    assert line.now() == 0
    assert line.tick() == 160
    assert line.tick() == 320
    assert line.now() == 320


def test_board_reads_silence_before_the_first_tick_and_when_idle(emu: Emu) -> None:
    drv, line = emu
    assert (read(drv, chans(0, 1, 4)) == 0xD5).all()
    line.tick()
    assert (read(drv, chans(3, 63)) == 0xD5).all()


def test_queued_audio_is_read_frame_by_frame_then_padded(emu: Emu) -> None:
    drv, line = emu
    audio = ramp(400)
    assert line.send(2, audio) == 400
    assert line.queued(2) == 400
    got = []
    for _ in range(3):
        line.tick()
        got.append(read(drv, chans(2))[0])
    assert line.queued(2) == 0
    np.testing.assert_array_equal(np.concatenate(got)[:400], audio)
    assert (np.concatenate(got)[400:] == 0xD5).all()


def test_reading_twice_in_one_tick_gives_the_same_frame(emu: Emu) -> None:
    drv, line = emu
    line.send(0, ramp(320))
    line.tick()
    first = read(drv, chans(0))
    np.testing.assert_array_equal(read(drv, chans(0)), first)
    line.tick()
    np.testing.assert_array_equal(read(drv, chans(0))[0], ramp(160, 160))


def test_loop_buffer_repeats_while_nothing_is_queued(emu: Emu) -> None:
    drv, line = emu
    tone = ramp(100, 7)
    line.set_loop(1, tone)
    line.send(1, np.full(80, 1, np.uint8))
    got = []
    for _ in range(4):
        line.tick()
        got.append(read(drv, chans(1))[0])
    stream = np.concatenate(got)
    assert (stream[:80] == 1).all()
    np.testing.assert_array_equal(stream[80:], np.resize(tone, 640 - 80))
    line.set_loop(1, None)
    line.tick()
    assert (read(drv, chans(1)) == 0xD5).all()


def test_clear_drops_the_queue(emu: Emu) -> None:
    drv, line = emu
    line.send(0, ramp(1000))
    line.clear(0)
    assert line.queued(0) == 0
    line.tick()
    assert (read(drv, chans(0)) == 0xD5).all()


def test_board_writes_are_captured_only_while_monitoring(emu: Emu) -> None:
    drv, line = emu
    line.monitor(0)
    block = np.stack([ramp(160), ramp(160, 50)])
    drv._write(chans(0, 1), block)
    assert line.receive(0).size == 0  # receivable after the tick
    line.tick()
    np.testing.assert_array_equal(line.receive(0), block[0])
    assert line.receive(1).size == 0  # channel 1 not monitored


def test_capture_stays_aligned_with_the_clock(emu: Emu) -> None:
    drv, line = emu
    line.monitor(3)
    line.tick()  # the board wrote nothing: idle code
    drv._write(chans(3), ramp(160)[None, :])
    drv._write(chans(3), ramp(160, 9)[None, :])  # the last write of a tick wins
    line.tick()
    got = line.receive(3)
    assert got.size == 320
    assert (got[:160] == 0xD5).all()
    np.testing.assert_array_equal(got[160:], ramp(160, 9))
    line.tick()
    assert line.receive(3, 100).size == 100
    assert line.receive(3, 100).size == 60


def test_monitor_off_discards_the_capture(emu: Emu) -> None:
    drv, line = emu
    line.monitor(0)
    line.tick()
    line.monitor(0, False)
    line.tick()
    assert line.receive(0).size == 0


@pytest.mark.parametrize("law, dtype", [("slin", np.int16), ("ulaw", np.uint8)])
def test_other_codecs_carry_their_units(law: str, dtype: type) -> None:
    with CabiDriver.emu(f"law={law}&frame=80&channels=1") as drv:
        line = EmuLineSide(drv)
        audio = np.arange(-40, 40).astype(dtype)
        line.send(0, audio)
        line.tick()
        np.testing.assert_array_equal(read(drv, chans(0))[0], audio)
        line.monitor(0)
        drv._write(chans(0), audio[None, ::-1].copy())
        assert line.tick() == 160  # the second frame of 80 samples
        np.testing.assert_array_equal(line.receive(0), audio[::-1])


def test_line_signals_reach_the_board_stamped_with_its_clock(emu: Emu) -> None:
    drv, line = emu
    line.tick()
    line.signal(0, EventType.RING_ON)
    line.tick()
    line.signal(0, EventType.RING_OFF)
    line.signal(4, EventType.CAS, 0b1101)
    line.signal(1, EventType.LOOP_DROP)
    assert board_events(drv) == [
        DriverEvent(EventType.RING_ON, 0, 160, 0),
        DriverEvent(EventType.RING_OFF, 0, 320, 0),
        DriverEvent(EventType.CAS, 4, 320, 13),
        DriverEvent(EventType.LOOP_DROP, 1, 320, 0),
    ]


@pytest.mark.parametrize("value, ok", [(15, True), (16, False), (0, True), (-1, False)])
def test_line_cas_bits_are_checked(emu: Emu, value: int, ok: bool) -> None:
    _, line = emu
    if ok:
        line.signal(4, EventType.CAS, value)
    else:
        with pytest.raises(DriverOperationError, match="BL_EINVAL"):
            line.signal(4, EventType.CAS, value)


@pytest.mark.parametrize("etype", [EventType.ALARM, EventType.OVERRUN, EventType.REMOVED, 0, 99])
def test_line_cannot_raise_board_only_events(emu: Emu, etype: int) -> None:
    _, line = emu
    with pytest.raises(DriverOperationError) as info:
        line.signal(0, etype)  # type: ignore[arg-type]
    assert info.value.code == -1


def test_board_hook_and_flash_reach_the_line(emu: Emu) -> None:
    drv, line = emu
    assert not line.hook(1)
    drv._command(1, Command.OFFHOOK)
    assert line.hook(1)
    line.tick()
    drv._command(1, Command.FLASH, 250)
    drv._command(1, Command.ONHOOK)
    assert not line.hook(1)
    assert line_events(line) == [
        DriverEvent(EventType.OFFHOOK, 1, 0, 0),
        DriverEvent(EventType.FLASH, 1, 160, 250),
        DriverEvent(EventType.ONHOOK, 1, 160, 0),
    ]


def test_cas_is_for_e1_channels_and_ringing_for_stations(emu: Emu) -> None:
    drv, line = emu
    drv._command(4, Command.SET_CAS, 0b1001)
    assert line_events(line) == [DriverEvent(EventType.CAS, 4, 0, 9)]
    for ch, cmd in [(0, Command.SET_CAS), (0, Command.RING_START), (4, Command.POLARITY)]:
        with pytest.raises(DriverOperationError) as info:
            drv._command(ch, cmd, 1)
        assert info.value.code == -9
    with pytest.raises(DriverOperationError, match="BL_EINVAL"):
        drv._command(4, Command.SET_CAS, 16)
    with pytest.raises(DriverOperationError, match="BL_ESTATE"):
        drv._command(0, Command.FLASH, 100)


def test_alarms_are_per_span_and_raise_a_board_event(emu: Emu) -> None:
    drv, line = emu
    line.tick()
    line.set_alarm(2, Alarm.LOS | Alarm.LOF)
    assert drv._get_alarms(2) == Alarm.LOS | Alarm.LOF
    assert drv._get_alarms(1) == Alarm.NONE
    assert drv._get_alarms(0) == Alarm.NONE  # the analog lines
    line.set_alarm(2, 0)
    assert board_events(drv) == [
        DriverEvent(EventType.ALARM, -1, 160, 9),
        DriverEvent(EventType.ALARM, -1, 160, 0),
    ]
    assert drv._get_alarms(2) == Alarm.NONE


@pytest.mark.parametrize("span, bits, code", [(3, 1, -2), (0, 1, -2), (1, 16, -1), (1, -1, -1)])
def test_alarm_on_a_missing_span_or_with_unknown_bits_is_refused(
    emu: Emu, span: int, bits: int, code: int
) -> None:
    drv, line = emu
    with pytest.raises(DriverOperationError) as info:
        line.set_alarm(span, bits)
    assert info.value.code == code
    line.set_alarm(1, 15)  # just inside


def test_get_alarms_of_a_missing_span_is_no_such_device(emu: Emu) -> None:
    drv, _ = emu
    with pytest.raises(DriverOperationError, match="get_alarms"):
        drv._get_alarms(3)


@pytest.mark.parametrize(
    "spec, call, operation, code",
    [
        ("read:-5", lambda d: read(d, chans(0)), "read", -5),
        ("write:-5", lambda d: d._write(chans(0), np.zeros((1, 160), np.uint8)), "write", -5),
        ("command:-4", lambda d: d._command(0, Command.OFFHOOK), "command", -4),
        ("next_event:-7", lambda d: d._next_event(), "next_event", -7),
    ],
)
def test_line_side_faults_fail_the_board_operation(
    emu: Emu, spec: str, call: Callable[[CabiDriver], object], operation: str, code: int
) -> None:
    drv, line = emu
    line.fault(spec)
    with pytest.raises(DriverOperationError) as info:
        call(drv)
    assert (info.value.code, info.value.operation) == (code, operation)


def test_write_fault_from_the_third_call() -> None:
    with CabiDriver.emu() as drv:
        EmuLineSide(drv).fault("write:-5@3")
        block = np.zeros((1, 160), np.uint8)
        drv._write(chans(0), block)
        drv._write(chans(0), block)
        with pytest.raises(DriverOperationError, match="hardware"):
            drv._write(chans(0), block)


@pytest.mark.parametrize("spec", ["read", "read:5", "read:-12", "explode:-5", "write:-5@0", ""])
def test_malformed_fault_spec_is_invalid(emu: Emu, spec: str) -> None:
    _, line = emu
    with pytest.raises(DriverOperationError) as info:
        line.fault(spec)
    assert info.value.code == -1


def test_overrun_fault_fails_the_next_read_once_with_an_event(emu: Emu) -> None:
    drv, line = emu
    line.tick()
    line.fault("overrun")
    with pytest.raises(DriverOperationError) as info:
        read(drv, chans(0))
    assert (info.value.code, info.value.operation) == (-10, "read")
    assert board_events(drv) == [DriverEvent(EventType.OVERRUN, -1, 160, 0)]
    read(drv, chans(0))


def test_removed_board_reports_removal_then_refuses_everything_and_closes(
    emu: Emu,
) -> None:
    drv, line = emu
    line.signal(0, EventType.RING_ON)
    line.fault("remove")
    events = board_events_until_error(drv)
    assert [e.type for e in events] == [EventType.RING_ON, EventType.REMOVED]
    calls = [
        lambda: read(drv, chans(0)),
        lambda: drv._write(chans(0), np.zeros((1, 160), np.uint8)),
        lambda: drv._command(0, Command.OFFHOOK),
        lambda: drv._get_alarms(0),
        lambda: drv._next_event(),
        lambda: drv.fileno(),
        line.tick,
        line.now,
        lambda: line.send(0, ramp(10)),
        lambda: line.fault("remove"),
    ]
    for call in calls:
        with pytest.raises(DriverOperationError) as info:
            call()
        assert info.value.code == -8
        assert "removed" in info.value.driver_message
    drv.close()
    assert not drv.is_open


def board_events_until_error(drv: CabiDriver) -> list[DriverEvent]:
    events = []
    while True:
        try:
            ev = drv._next_event()
        except DriverOperationError as exc:
            assert exc.code == -8
            return events
        assert ev is not None
        events.append(ev)


def test_read_and_write_need_exactly_the_board_frame(emu: Emu) -> None:
    drv, _ = emu
    for frame_len in (159, 161):
        with pytest.raises(DriverOperationError, match="BL_EINVAL"):
            drv._read(chans(0), np.zeros((1, frame_len), np.uint8))


def test_line_side_rejects_other_boards_and_wrong_audio(emu: Emu) -> None:
    _, line = emu
    with CabiDriver.loop() as loop, pytest.raises(TypeError):
        EmuLineSide(loop)
    with pytest.raises(SignalFormatError):
        line.send(0, np.zeros(10, np.int16))
    with pytest.raises(SignalFormatError):
        line.send(0, np.zeros((2, 10), np.uint8))
    with pytest.raises(DriverOperationError) as info:
        line.send(64, ramp(10))
    assert info.value.code == -2
    assert line.send(0, ramp(0)) == 0


def test_all_channels_move_in_one_call_each_way() -> None:
    with CabiDriver.emu("channels=0&spans=16") as drv:
        line = EmuLineSide(drv)
        everyone = np.arange(480, dtype=np.int32)
        for ch in range(0, 480, 97):
            line.send(ch, ramp(160, ch))
            line.monitor(ch)
        line.tick()
        frames = read(drv, everyone)
        for ch in range(0, 480, 97):
            np.testing.assert_array_equal(frames[ch], ramp(160, ch))
        assert drv._write(everyone, frames[::-1].copy()) == 480
        line.tick()
        captured = line.receive(97)  # monitoring began before the first tick: idle, then data
        assert (captured[:160] == 0xD5).all()
        np.testing.assert_array_equal(captured[160:], frames[480 - 1 - 97])


@given(
    channels=st.lists(st.integers(-2, 70), max_size=6),
    rows=st.integers(0, 7),
    frame_len=st.sampled_from([0, 1, 159, 160, 161]),
    line_ch=st.integers(-3, 70),
    units=st.integers(0, 500),
)
def test_random_calls_on_both_sides_never_crash(
    channels: list[int], rows: int, frame_len: int, line_ch: int, units: int
) -> None:
    with CabiDriver.emu("channels=4&spans=2") as drv:
        line = EmuLineSide(drv)
        ch = np.array(channels, np.int32)
        for call in (
            lambda: drv._read(ch, np.zeros((rows, frame_len), np.uint8)),
            lambda: drv._write(ch, np.zeros((rows, frame_len), np.uint8)),
            lambda: line.send(line_ch, ramp(units)),
            lambda: line.set_loop(line_ch, ramp(units)),
            lambda: line.monitor(line_ch),
            line.tick,
            lambda: line.receive(line_ch, units),
            lambda: drv._command(line_ch, Command.OFFHOOK, units),
            lambda: drv._get_alarms(line_ch),
            lambda: line.set_alarm(line_ch, units),
        ):
            try:
                call()
            except SignalFormatError:
                pass
            except DriverOperationError as exc:
                assert exc.code in (-1, -2, -9)


@given(spec=st.text(alphabet="readwitcomnxv_:@-0123456789", max_size=24))
def test_any_fault_spec_is_accepted_or_refused_as_invalid(spec: str) -> None:
    with CabiDriver.emu() as drv:
        line = EmuLineSide(drv)
        try:
            line.fault(spec)
        except DriverOperationError as exc:
            assert exc.code == -1
