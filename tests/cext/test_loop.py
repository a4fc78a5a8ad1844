"""The loop:// C driver through the real cffi path: audio, signalling, faults, bad input."""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.drivers.base import ChannelType, Command, DriverEvent, EventType
from boardlib.drivers.cabi import CabiDriver
from boardlib.errors import (
    DriverInitializationError,
    DriverOperationError,
    SignalFormatError,
)

LAWS = {"alaw": (np.uint8, 0xD5), "ulaw": (np.uint8, 0xFF), "slin": (np.int16, 0)}
DEPTH_FRAMES = 32  # receive queue of a loop channel, in frames of the board's size


def chans(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int32)


def random_frames(law: str, n: int, frame_len: int, seed: int) -> np.ndarray:
    dtype = LAWS[law][0]
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    return rng.integers(info.min, info.max, size=(n, frame_len), endpoint=True).astype(dtype)


def read(drv: CabiDriver, channels: np.ndarray, frame_len: int = 160) -> np.ndarray:
    out = np.empty((len(channels), frame_len), dtype=drv.dtype)
    assert drv._read(channels, out) == len(channels)
    return out


def drain(drv: CabiDriver) -> list[DriverEvent]:
    events = []
    while (ev := drv._next_event()) is not None:
        events.append(ev)
    return events


@pytest.fixture
def loop() -> Iterator[CabiDriver]:
    with CabiDriver.loop("channels=4") as drv:
        yield drv


@pytest.mark.parametrize("law", sorted(LAWS))
def test_pair_carries_frames_both_ways_bit_exactly(law: str) -> None:
    with CabiDriver.loop(f"channels=4&law={law}") as drv:
        assert drv.codec == law
        frames = [random_frames(law, 4, 160, seed) for seed in range(3)]
        for block in frames:
            assert drv._write(chans(0, 1, 2, 3), block) == 4
        for block in frames:
            got = read(drv, chans(1, 0, 3, 2))
            np.testing.assert_array_equal(got, block)  # row i was written on the pair of i


@pytest.mark.parametrize("law", sorted(LAWS))
def test_read_with_nothing_queued_returns_idle_code(law: str) -> None:
    dtype, idle = LAWS[law]
    with CabiDriver.loop(f"law={law}") as drv:
        got = read(drv, chans(0, 1))
        assert got.dtype == dtype
        assert (got == idle).all()


def test_short_queue_is_padded_with_idle_code(loop: CabiDriver) -> None:
    block = random_frames("alaw", 1, 100, 7)
    loop._write(chans(0), block)
    got = read(loop, chans(1), 160)
    np.testing.assert_array_equal(got[0, :100], block[0])
    assert (got[0, 100:] == 0xD5).all()


def test_queue_of_depth_frames_keeps_everything_without_overrun(loop: CabiDriver) -> None:
    blocks = random_frames("alaw", DEPTH_FRAMES, 160, 3)
    for i in range(DEPTH_FRAMES):
        loop._write(chans(0), blocks[i : i + 1])
    assert drain(loop) == []
    for i in range(DEPTH_FRAMES):
        np.testing.assert_array_equal(read(loop, chans(1))[0], blocks[i])


def test_one_frame_past_depth_drops_the_oldest_and_raises_overrun(loop: CabiDriver) -> None:
    blocks = random_frames("alaw", DEPTH_FRAMES + 1, 160, 4)
    for i in range(DEPTH_FRAMES + 1):
        loop._write(chans(0), blocks[i : i + 1])
    assert drain(loop) == [DriverEvent(EventType.OVERRUN, 1, 0, 160)]
    for i in range(1, DEPTH_FRAMES + 1):
        np.testing.assert_array_equal(read(loop, chans(1))[0], blocks[i])


def test_hook_changes_are_seen_on_the_pair_once(loop: CabiDriver) -> None:
    read(loop, chans(1))  # the pair's clock: 160 samples read
    loop._command(0, Command.OFFHOOK)
    loop._command(0, Command.OFFHOOK)  # no change, no second event
    loop._command(3, Command.OFFHOOK)
    loop._command(0, Command.ONHOOK)
    assert drain(loop) == [
        DriverEvent(EventType.OFFHOOK, 1, 160, 0),
        DriverEvent(EventType.OFFHOOK, 2, 0, 0),
        DriverEvent(EventType.ONHOOK, 1, 160, 0),
    ]


def test_ring_start_and_stop_ring_the_pair(loop: CabiDriver) -> None:
    loop._command(2, Command.RING_START)
    loop._command(2, Command.RING_STOP)
    assert [(e.type, e.channel) for e in drain(loop)] == [
        (EventType.RING_ON, 3),
        (EventType.RING_OFF, 3),
    ]


def test_flash_on_hook_is_a_state_error(loop: CabiDriver) -> None:
    with pytest.raises(DriverOperationError) as info:
        loop._command(1, Command.FLASH, 100)
    assert (info.value.code, info.value.operation) == (-4, "command")
    assert "state" in info.value.driver_message


def test_flash_off_hook_reaches_the_pair_with_its_duration(loop: CabiDriver) -> None:
    loop._command(1, Command.OFFHOOK)
    loop._command(1, Command.FLASH, 600)
    assert drain(loop)[-1] == DriverEvent(EventType.FLASH, 0, 0, 600)


def test_cas_bits_cross_the_pair_up_to_15(loop: CabiDriver) -> None:
    loop._command(0, Command.SET_CAS, 15)
    loop._command(0, Command.POLARITY, 1)
    got = [(e.type, e.value) for e in drain(loop)]
    assert got == [(EventType.CAS, 15), (EventType.POLARITY, 1)]
    with pytest.raises(DriverOperationError) as info:
        loop._command(0, Command.SET_CAS, 16)
    assert info.value.code == -1


@pytest.mark.parametrize("gain, ok", [(300, True), (301, False), (-300, True), (-301, False)])
def test_gain_is_accepted_within_30_db(loop: CabiDriver, gain: int, ok: bool) -> None:
    if ok:
        loop._command(0, Command.RX_GAIN, gain)
        loop._command(0, Command.TX_GAIN, gain)
    else:
        with pytest.raises(DriverOperationError, match="BL_EINVAL"):
            loop._command(0, Command.RX_GAIN, gain)


def test_unknown_command_is_not_supported(loop: CabiDriver) -> None:
    with pytest.raises(DriverOperationError) as info:
        loop._command(0, 99)  # type: ignore[arg-type]
    assert info.value.code == -9


def test_channel_types_alternate_exchange_and_telephone_sides(loop: CabiDriver) -> None:
    types = [c.type for c in loop._channels()]
    assert types == [ChannelType.FXS, ChannelType.FXO] * 2


def test_event_fd_is_readable_only_while_events_are_queued(loop: CabiDriver) -> None:
    fd = loop.fileno()
    assert fd >= 0
    assert select.select([fd], [], [], 0)[0] == []
    loop._command(0, Command.OFFHOOK)
    loop._command(0, Command.ONHOOK)
    assert select.select([fd], [], [], 0)[0] == [fd]
    loop._next_event()
    assert select.select([fd], [], [], 0)[0] == [fd]
    loop._next_event()
    assert select.select([fd], [], [], 0)[0] == []


def test_next_event_with_timeout_returns_a_queued_event_or_none(loop: CabiDriver) -> None:
    assert loop._next_event(1) is None
    loop._command(0, Command.OFFHOOK)
    assert loop._next_event(1000) == DriverEvent(EventType.OFFHOOK, 1, 0, 0)


def test_boards_open_at_once_are_independent() -> None:
    with CabiDriver.loop() as a, CabiDriver.loop() as b:
        a._write(chans(0), random_frames("alaw", 1, 160, 1))
        a._command(0, Command.OFFHOOK)
        assert (read(b, chans(1)) == 0xD5).all()
        assert drain(b) == []
        assert len(drain(a)) == 1


@pytest.mark.parametrize(
    "options, ok",
    [
        ("channels=2", True),
        ("channels=3", False),
        ("channels=4096", True),
        ("channels=4098", False),
        ("channels=0", False),
        ("frame=8000", True),
        ("frame=8001", False),
        ("frame=0", False),
        ("law=g722", False),
        ("colour=red", False),
        ("channels=two", False),
        ("board=0", True),
        ("clock=virtual", True),
        ("clock=realtime", True),
        ("clock=fast", False),
        ("clock=", False),
    ],
)
def test_open_validates_options(options: str, ok: bool) -> None:
    drv = CabiDriver.loop(options)
    if ok:
        drv._open()
        drv.close()
    else:
        with pytest.raises(DriverInitializationError) as info:
            drv._open()
        assert (info.value.code, info.value.operation) == (-1, "board_open")
        assert "invalid argument" in info.value.driver_message


def test_board_other_than_0_does_not_exist() -> None:
    with pytest.raises(DriverInitializationError) as info:
        CabiDriver.loop("board=1")._open()
    assert info.value.code == -2


# -- injected faults ------------------------------------------------------------------------


def test_open_fault_is_an_initialization_error_with_code_and_text() -> None:
    with pytest.raises(DriverInitializationError) as info:
        CabiDriver.loop("fail=open:-5")._open()
    err = info.value
    assert (err.code, err.operation) == (-5, "board_open")
    assert "hardware or transport failure" in err.driver_message
    assert "BL_EIO" in str(err)


def test_channel_info_fault_fails_the_channel_enumeration_while_opening() -> None:
    drv = CabiDriver.loop("fail=channel_info:-3")
    with pytest.raises(DriverInitializationError) as info:
        drv._open()
    assert (info.value.code, info.value.operation) == (-3, "channel_info")
    assert not drv.is_open  # the half-open board was released


@pytest.mark.parametrize(
    "spec, call, operation",
    [
        ("read:-5", lambda d: read(d, chans(0)), "read"),
        ("write:-11", lambda d: d._write(chans(0), np.zeros((1, 160), np.uint8)), "write"),
        ("next_event:-7", lambda d: d._next_event(), "next_event"),
        ("command:-3", lambda d: d._command(0, Command.OFFHOOK), "command"),
        ("event_fd:-5", lambda d: d.fileno(), "event_fd"),
    ],
)
def test_run_time_fault_is_an_operation_error(
    spec: str, call: Callable[[CabiDriver], object], operation: str
) -> None:
    code = int(spec.split(":")[1])
    with CabiDriver.loop(f"fail={spec}") as drv:
        with pytest.raises(DriverOperationError) as info:
            call(drv)
        assert (info.value.code, info.value.operation) == (code, operation)
        assert info.value.driver_message


def test_fault_from_the_nth_call_spares_the_earlier_ones() -> None:
    block = np.zeros((1, 160), np.uint8)
    with CabiDriver.loop("fail=write:-5@3&fail=read:-6") as drv:
        assert drv._write(chans(0), block) == 1
        assert drv._write(chans(0), block) == 1
        for _ in range(2):
            with pytest.raises(DriverOperationError, match="write failed with code -5"):
                drv._write(chans(0), block)
        with pytest.raises(DriverOperationError, match="out of memory"):
            read(drv, chans(1))


def test_close_fault_is_reported_and_the_board_is_released_anyway() -> None:
    drv = CabiDriver.loop("fail=close:-5")
    drv._open()
    with pytest.raises(DriverOperationError) as info:
        drv.close()
    assert (info.value.code, info.value.operation) == (-5, "board_close")
    assert not drv.is_open
    drv.close()  # idempotent


def test_calls_after_close_raise_instead_of_reaching_the_driver() -> None:
    drv = CabiDriver.loop()
    drv._open()
    drv.close()
    with pytest.raises(DriverOperationError, match="not open"):
        read(drv, chans(0))
    with pytest.raises(DriverInitializationError):
        drv._open()


# -- bad arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [2, 4, -1, 2**31 - 1])
def test_bad_channel_index_is_no_such_device(channel: int) -> None:
    with CabiDriver.loop() as drv:
        with pytest.raises(DriverOperationError) as info:
            read(drv, chans(channel))
        assert info.value.code == -2
        with pytest.raises(DriverOperationError):
            drv._command(channel, Command.OFFHOOK)


def test_frame_longer_than_one_second_is_rejected_and_one_second_accepted(
    loop: CabiDriver,
) -> None:
    assert read(loop, chans(0), 8000).shape == (1, 8000)
    with pytest.raises(DriverOperationError, match="BL_EINVAL"):
        read(loop, chans(0), 8001)


@pytest.mark.parametrize(
    "channels, out",
    [
        (np.array([0], np.int64), np.zeros((1, 160), np.uint8)),
        (np.array([[0]], np.int32), np.zeros((1, 160), np.uint8)),
        ([0], np.zeros((1, 160), np.uint8)),
        (chans(0), np.zeros((1, 160), np.int16)),
        (chans(0), np.zeros((2, 160), np.uint8)),
        (chans(0), np.zeros(160, np.uint8)),
        (chans(0), np.zeros((1, 0), np.uint8)),
        (chans(0), np.zeros((1, 320), np.uint8)[:, ::2]),
        (chans(0), np.frombuffer(bytes(160), np.uint8).reshape(1, 160)),
    ],
)
def test_malformed_buffers_raise_signal_format_error(
    loop: CabiDriver, channels: Any, out: np.ndarray
) -> None:
    with pytest.raises(SignalFormatError):
        loop._read(channels, out)


def test_read_only_block_can_be_written(loop: CabiDriver) -> None:
    block = np.frombuffer(bytes(range(160)), np.uint8).reshape(1, 160)
    assert loop._write(chans(0), block) == 1
    np.testing.assert_array_equal(read(loop, chans(1)), block)


@given(
    channels=st.lists(st.integers(-3, 6), max_size=8),
    rows=st.integers(0, 9),
    frame_len=st.sampled_from([0, 1, 2, 159, 160, 161, 8000, 8001]),
    dtype=st.sampled_from([np.uint8, np.int16]),
)
def test_any_channel_list_and_frame_shape_never_crashes(
    channels: list[int], rows: int, frame_len: int, dtype: type
) -> None:
    with CabiDriver.loop("channels=4") as drv:
        ch = np.array(channels, np.int32)
        block = np.zeros((rows, frame_len), dtype)
        for op in (drv._write, drv._read):
            try:
                assert op(ch, block) == len(channels)
            except SignalFormatError:
                assert rows != len(channels) or frame_len == 0 or dtype is np.int16
            except DriverOperationError as exc:
                assert exc.code in (-1, -2)


@given(options=st.text(alphabet="chanelswfir=&:@-0123456789ulbdopt", max_size=40))
def test_any_options_string_opens_or_is_refused_cleanly(options: str) -> None:
    for make in (CabiDriver.loop, CabiDriver.emu):
        drv = make(options)
        try:
            drv._open()
        except DriverInitializationError as exc:
            assert exc.code < 0 and exc.operation in ("board_open", "channel_info")
        finally:
            try:
                drv.close()
            except DriverOperationError as exc:  # an accepted fail=close:CODE
                assert exc.operation == "board_close"


def test_waiting_for_an_event_releases_the_gil_and_wakes_on_the_event(loop: CabiDriver) -> None:
    import threading

    started = threading.Event()

    def ring() -> None:
        started.wait()
        loop._command(0, Command.RING_START)

    thread = threading.Thread(target=ring)
    thread.start()
    started.set()
    try:
        event = loop._next_event(10_000)
    finally:
        thread.join()
    assert event is not None and (event.type, event.channel) == (EventType.RING_ON, 1)


def test_event_fd_fault_of_enotsup_means_no_fd() -> None:
    with CabiDriver.loop("fail=event_fd:-9") as drv:
        assert drv.fileno() == -1


# -- clock=realtime: frames paced like a hardware board, announced on the event fd ----------


def readable(fd: int, timeout: float = 0.0) -> bool:
    return select.select([fd], [], [], timeout)[0] == [fd]


def test_virtual_clock_reads_at_once_and_its_fd_stays_an_event_fd(loop: CabiDriver) -> None:
    fd = loop.fileno()
    for _ in range(100):
        read(loop, chans(0, 1, 2, 3))  # always a frame: the host runs as fast as it can
    assert not readable(fd)


def test_realtime_frames_wait_for_their_period_and_the_fd_announces_them() -> None:
    import time

    t0 = time.monotonic()
    # 0.5 s frames leave wide margins around every "not yet" below.
    with CabiDriver.loop("clock=realtime&frame=4000") as drv:
        fd = drv.fileno()
        out = np.empty((2, 4000), np.uint8)
        both = chans(0, 1)
        assert drv._read(both, out) == 0  # no frame has elapsed yet
        assert not readable(fd)
        assert readable(fd, 10.0)  # woken by the frame coming due
        assert time.monotonic() - t0 >= 0.45
        # A longer read than is due returns 0 and re-arms the fd for its own moment, so the
        # fd does not stay readable for a read that cannot be served (a host would spin).
        assert drv._read(both, np.empty((2, 8000), np.uint8)) == 0
        assert not readable(fd)
        assert drv._read(both, out) == 2
        assert (out == 0xD5).all()
        assert not readable(fd)  # the next frame is not due
        assert drv._read(both, out) == 0
        # Events make it readable between frames, and only until they are drained.
        drv._command(1, Command.OFFHOOK)
        assert readable(fd)
        assert drain(drv) == [DriverEvent(EventType.OFFHOOK, 0, 4000, 0)]
        assert not readable(fd)


def test_realtime_fd_wakes_once_per_frame_with_a_frame_every_time() -> None:
    frames = wakes = 0
    with CabiDriver.loop("clock=realtime&channels=4") as drv:
        fd = drv.fileno()
        out = np.empty((4, 160), np.uint8)
        every = chans(0, 1, 2, 3)
        sent = random_frames("alaw", 4, 160, 7)
        while frames < 20:  # 0.4 s
            assert readable(fd, 10.0)
            wakes += 1
            got = 0
            while drv._read(every, out):  # a host that fell behind catches up here
                got += 1
                drv._write(every, sent)
            assert got >= 1  # never woken for nothing
            frames += got
        assert wakes <= frames
        assert (out == sent[[1, 0, 3, 2]]).all()  # the pairs still carry the audio


def test_realtime_board_closes_its_descriptors() -> None:
    import os

    drv = CabiDriver.loop("clock=realtime")
    drv._open()
    fd = drv.fileno()
    os.fstat(fd)
    drv.close()
    with pytest.raises(OSError):
        os.fstat(fd)
