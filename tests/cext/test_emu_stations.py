"""Station ports (FXS) of the emulated board's C driver, through the real cffi path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boardlib.drivers.base import ChannelType, Command, DriverEvent, EventType
from boardlib.drivers.cabi import CabiDriver, EmuLineSide
from boardlib.errors import DriverError, DriverOperationError

Emu = tuple[CabiDriver, EmuLineSide]
BL_ESTATE, BL_ENOTSUP, BL_EINVAL = -4, -9, -1
STATION = 1  # channel of the first station with one line before it


def drain(source: object) -> list[tuple[EventType, int, int]]:
    out = []
    pop = getattr(source, "next_event", None) or source._next_event  # type: ignore[attr-defined]
    while (ev := pop()) is not None:
        assert isinstance(ev, DriverEvent)
        out.append((ev.type, ev.channel, ev.value))
    return out


@pytest.fixture
def emu() -> Iterator[Emu]:
    with CabiDriver.emu("channels=1&stations=2&spans=1") as drv:
        yield drv, EmuLineSide(drv)


def code(exc: pytest.ExceptionInfo[DriverOperationError]) -> int:
    return exc.value.code


def test_stations_come_after_the_lines_and_before_the_e1_spans() -> None:
    with CabiDriver.emu("channels=2&stations=3&spans=1") as drv:
        infos = drv._channels()
    assert len(infos) == 2 + 3 + 30
    assert [c.type for c in infos[:5]] == [ChannelType.FXO] * 2 + [ChannelType.FXS] * 3
    assert [(c.span, c.timeslot) for c in infos[2:5]] == [(0, 0)] * 3
    assert {c.type for c in infos[5:]} == {ChannelType.E1}
    assert (infos[5].span, infos[5].timeslot) == (1, 1)


def test_stations_option_accepts_0_and_480_and_rejects_481() -> None:
    with CabiDriver.emu("channels=1&stations=0") as drv:
        assert len(drv._channels()) == 1
    with CabiDriver.emu("channels=0&stations=480") as drv:
        assert {c.type for c in drv._channels()} == {ChannelType.FXS}
    for bad in ("stations=481", "stations=-1", "stations=x", "stations="):
        with pytest.raises(DriverError):
            with CabiDriver.emu(f"channels=1&{bad}"):
                pass


def test_a_board_of_stations_only_is_valid() -> None:
    with CabiDriver.emu("channels=0&stations=1") as drv:
        assert [c.type for c in drv._channels()] == [ChannelType.FXS]


def test_ring_start_and_stop_reach_the_line_side_on_changes_only(emu: Emu) -> None:
    drv, line = emu
    drv._command(STATION, Command.RING_START)
    drv._command(STATION, Command.RING_START)  # already ringing: no second event
    line.tick()
    drv._command(STATION, Command.RING_STOP)
    drv._command(STATION, Command.RING_STOP)
    events = []
    while (ev := line.next_event()) is not None:
        events.append((ev.type, ev.channel, ev.sample))
    assert events == [(EventType.RING_ON, STATION, 0), (EventType.RING_OFF, STATION, 160)]


def test_ring_commands_on_a_line_or_timeslot_are_not_supported(emu: Emu) -> None:
    drv, _ = emu
    for ch in (0, 3):
        for cmd in (Command.RING_START, Command.RING_STOP, Command.POLARITY):
            with pytest.raises(DriverOperationError) as exc:
                drv._command(ch, cmd)
            assert code(exc) == BL_ENOTSUP


def test_station_lifting_the_handset_trips_the_ringing_and_reaches_the_board(emu: Emu) -> None:
    drv, line = emu
    drv._command(STATION, Command.RING_START)
    line.signal(STATION, EventType.OFFHOOK)
    assert drain(drv) == [(EventType.OFFHOOK, STATION, 0)]
    assert drain(line) == [(EventType.RING_ON, STATION, 0)]
    drv._command(STATION, Command.RING_STOP)  # already tripped: nothing more
    assert drain(line) == []


def test_ringing_an_off_hook_station_is_a_state_error(emu: Emu) -> None:
    drv, line = emu
    line.signal(STATION, EventType.OFFHOOK)
    with pytest.raises(DriverOperationError) as exc:
        drv._command(STATION, Command.RING_START)
    assert code(exc) == BL_ESTATE
    line.signal(STATION, EventType.ONHOOK)
    drv._command(STATION, Command.RING_START)
    assert drain(line) == [(EventType.RING_ON, STATION, 0)]


def test_the_board_cannot_go_off_hook_or_flash_on_a_station_port(emu: Emu) -> None:
    drv, line = emu
    for cmd, arg in ((Command.OFFHOOK, 0), (Command.FLASH, 600)):
        with pytest.raises(DriverOperationError) as exc:
            drv._command(STATION, cmd, arg)
        assert code(exc) == BL_ESTATE
    with pytest.raises(DriverOperationError) as exc:
        drv._command(STATION, Command.SET_CAS, 1)
    assert code(exc) == BL_ENOTSUP
    assert drain(line) == []


def test_on_hook_releases_a_station_port(emu: Emu) -> None:
    drv, line = emu
    drv._command(STATION, Command.ONHOOK)  # idle port: nothing to tell
    assert drain(line) == []
    drv._command(STATION, Command.RING_START)
    drv._command(STATION, Command.ONHOOK)  # ringing: the ringing stops
    assert drain(line) == [(EventType.RING_ON, STATION, 0), (EventType.RING_OFF, STATION, 0)]
    line.signal(STATION, EventType.OFFHOOK)
    drv._command(STATION, Command.ONHOOK)  # in a call: the station is told
    assert drain(line) == [(EventType.LOOP_DROP, STATION, 0)]


def test_polarity_takes_0_or_1_and_rejects_2(emu: Emu) -> None:
    drv, line = emu
    drv._command(STATION, Command.POLARITY, 1)
    drv._command(STATION, Command.POLARITY, 0)
    assert drain(line) == [(EventType.POLARITY, STATION, 1), (EventType.POLARITY, STATION, 0)]
    for bad in (2, -1):
        with pytest.raises(DriverOperationError) as exc:
            drv._command(STATION, Command.POLARITY, bad)
        assert code(exc) == BL_EINVAL


def test_station_gains_are_accepted_within_30_db(emu: Emu) -> None:
    drv, _ = emu
    drv._command(STATION, Command.RX_GAIN, 300)
    with pytest.raises(DriverOperationError) as exc:
        drv._command(STATION, Command.TX_GAIN, 301)
    assert code(exc) == BL_EINVAL


def test_station_hook_flash_reaches_the_board(emu: Emu) -> None:
    drv, line = emu
    line.signal(STATION + 1, EventType.OFFHOOK)
    line.signal(STATION + 1, EventType.FLASH, 500)
    assert drain(drv) == [
        (EventType.OFFHOOK, STATION + 1, 0),
        (EventType.FLASH, STATION + 1, 500),
    ]
