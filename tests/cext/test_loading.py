"""Driver libraries loaded with dlopen, board URLs, and the C sources' hygiene."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from boardlib.drivers import resolve
from boardlib.drivers.base import Driver
from boardlib.drivers.cabi import CabiDriver
from boardlib.errors import (
    DriverInitializationError,
    DriverNotAvailableError,
    InvalidUrlError,
)
from tests.cext.conftest import CEXT, _gcc


def test_vendor_library_is_opened_through_a_cabi_url(driver_libs: dict[str, Path]) -> None:
    url = f"cabi://{driver_libs['good']}?board=0&channels=4&law=ulaw"
    with CabiDriver.from_url(url) as drv:
        assert drv.name == "loop"
        assert drv.codec == "ulaw"
        block = np.arange(320, dtype=np.uint8).reshape(2, 160)
        drv._write(np.array([0, 2], np.int32), block)
        out = np.empty_like(block)
        drv._read(np.array([1, 3], np.int32), out)
        np.testing.assert_array_equal(out, block)


def test_every_built_in_board_implements_the_driver_protocol() -> None:
    for drv in (CabiDriver.loop(), CabiDriver.emu()):
        with drv:
            assert isinstance(drv, Driver)


def test_vendor_board_that_does_not_exist_fails_to_open(driver_libs: dict[str, Path]) -> None:
    drv = CabiDriver.from_url(f"cabi://{driver_libs['good']}?board=1")
    with pytest.raises(DriverInitializationError) as info:
        drv._open()
    assert (info.value.code, info.value.operation) == (-2, "board_open")
    drv.close()


def test_library_can_be_loaded_again_after_close(driver_libs: dict[str, Path]) -> None:
    for _ in range(2):
        drv = CabiDriver.from_library(str(driver_libs["good"]), "frame=80")
        with drv:
            assert drv.frame_len == 80
        drv.close()


def test_other_abi_version_is_refused_naming_both_versions(driver_libs: dict[str, Path]) -> None:
    with pytest.raises(DriverNotAvailableError, match="ABI version 2, this boardlib speaks 1"):
        CabiDriver.from_library(str(driver_libs["wrong_abi"]))


def test_truncated_function_table_is_refused(driver_libs: dict[str, Path]) -> None:
    with pytest.raises(DriverNotAvailableError, match="table is 16 bytes"):
        CabiDriver.from_url(f"cabi://{driver_libs['short_table']}")


def test_library_without_the_entry_symbol_is_refused(driver_libs: dict[str, Path]) -> None:
    with pytest.raises(DriverNotAvailableError, match="does not export bl_driver_entry"):
        CabiDriver.from_url(f"cabi://{driver_libs['no_symbol']}")


def test_missing_library_is_refused_with_the_dlopen_text(tmp_path: Path) -> None:
    with pytest.raises(DriverNotAvailableError, match="cannot load .*nothing_here.so"):
        CabiDriver.from_url(f"cabi://{tmp_path}/nothing_here.so?board=0")


def test_cabi_scheme_resolves_to_a_class_building_drivers_from_urls(
    driver_libs: dict[str, Path],
) -> None:
    cls = resolve("cabi")
    drv = cls.from_url(f"cabi://{driver_libs['good']}")
    with drv:
        assert len(drv._channels()) == 2


@pytest.mark.parametrize(
    "url",
    [
        "loop://",
        "loop://?channels=2",
        "loop://?channels=4096&law=slin&frame=8000",
        "loop://?frame=1&law=ulaw",
        "loop://?fail=read:-11&fail=write:-1@1",
        "loop://?fail=channel_info:-5@99",
        "loop://?clock=virtual",
        "loop://?clock=realtime&frame=80",
        "loop://?fail=event_fd:-9",
    ],
)
def test_loop_url_accepts_options_in_range(url: str) -> None:
    with CabiDriver.from_url(url) as drv:
        assert drv.name == "loop"


@pytest.mark.parametrize(
    "url, message",
    [
        ("loop://?channels=3", "even integer"),
        ("loop://?channels=4098", "even integer"),
        ("loop://?channels=0", "even integer"),
        ("loop://?channels=two", "even integer"),
        ("loop://?frame=8001", "1..8000"),
        ("loop://?frame=0", "1..8000"),
        ("loop://?law=g729", "alaw, ulaw or slin"),
        ("loop://?fail=read:-12", "CODE -11..-1"),
        ("loop://?fail=read:0", "OP:CODE"),
        ("loop://?fail=fly:-5", "OP one of open, close"),
        ("loop://?fail=read:-5@0", "N >= 1"),
        ("loop://?speed=2", "accepted: channels, law, frame, clock, fail"),
        ("loop://?clock=fast", "virtual or realtime"),
        ("loop://?clock=realtime&clock=virtual", "given twice"),
        ("loop://?channels=2&channels=4", "given twice"),
        ("loop://host/path", "no host or path"),
        ("loop://?channels", "malformed"),
        ("cabi://", "library path"),
        ("cabi://server/lib.so", "local path"),
        ("cabi:///lib.so?board=-1", "non-negative integer"),
        ("cabi:///lib.so?frame=x", "positive integer"),
        ("emu://", "not handled here"),
    ],
)
def test_url_with_a_bad_option_names_what_is_accepted(url: str, message: str) -> None:
    with pytest.raises(InvalidUrlError, match=message):
        CabiDriver.from_url(url)


def test_loop_url_passes_faults_to_the_driver() -> None:
    drv = CabiDriver.from_url("loop://?fail=open:-3")
    with pytest.raises(DriverInitializationError) as info:
        drv._open()
    assert (info.value.code, info.value.operation) == (-3, "board_open")
    assert "resource in use" in info.value.driver_message


def test_driver_sources_compile_cleanly_as_strict_c99() -> None:
    gcc = _gcc()
    for source in ("drvcommon.c", "loopdrv.c", "emudrv.c"):
        result = subprocess.run(
            [gcc, "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Werror",
             "-fsyntax-only", f"-I{CEXT}", str(CEXT / source)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_a_board_dropped_without_close_is_released_by_the_finalizer() -> None:
    import gc
    import os

    drv = CabiDriver.loop()
    drv._open()
    fd = drv.fileno()
    os.fstat(fd)
    del drv
    gc.collect()
    with pytest.raises(OSError):
        os.fstat(fd)  # the board's eventfd was closed with the board
