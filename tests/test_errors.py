"""The documented exception hierarchy and the C loader's errors through the real cffi path."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import boardlib.errors as E
from boardlib.drivers import available_drivers, resolve


def test_hierarchy_matches_the_documented_tree() -> None:
    assert issubclass(E.InvalidUrlError, (E.BoardlibError, ValueError))
    assert issubclass(E.SignalFormatError, E.BoardlibError)
    assert issubclass(E.SignalFormatError, ValueError)
    assert issubclass(E.DriverNotAvailableError, E.BoardInitializationError)
    assert issubclass(E.DriverInitializationError, E.DriverError)
    assert issubclass(E.DriverInitializationError, E.BoardInitializationError)
    assert issubclass(E.DriverOperationError, E.DriverError)
    assert issubclass(E.DriverOperationError, E.BoardOperationError)
    assert issubclass(E.ChannelStateError, E.BoardOperationError)
    assert issubclass(E.HangupError, E.BoardOperationError)
    assert issubclass(E.BoardTimeoutError, TimeoutError)
    for name in E.__all__:
        assert issubclass(getattr(E, name), E.BoardlibError)
        assert name in E.__doc__  # every class is drawn in the module docstring


def test_driver_errors_carry_code_operation_and_text_and_pickle() -> None:
    err = E.DriverOperationError(-5, "read", "DMA timeout")
    assert (err.code, err.operation, err.driver_message) == (-5, "read", "DMA timeout")
    assert "read" in str(err) and "-5" in str(err) and "DMA timeout" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert (again.code, again.operation, str(again)) == (-5, "read", str(err))


def test_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(E.InvalidUrlError, match="cabi://"):
        resolve("nosuchboard")


def test_cabi_driver_is_registered_and_available() -> None:
    assert any(d.scheme == "cabi" and d.available for d in available_drivers())


def test_missing_driver_library_raises_driver_not_available(tmp_path: Path) -> None:
    from boardlib.drivers.cabi import LoadedDriver

    missing = tmp_path / "no_such_driver.so"
    with pytest.raises(E.DriverNotAvailableError, match="no_such_driver.so"):
        LoadedDriver(str(missing))


def test_library_without_entry_symbol_is_refused() -> None:
    import boardlib.drivers.cabi as cabi
    from boardlib.drivers.cabi import LoadedDriver

    # The cffi module itself is a real shared library that exports no bl_driver_entry.
    with pytest.raises(E.DriverNotAvailableError, match="bl_driver_entry"):
        LoadedDriver(cabi._cabi.__file__)
