"""``cabi://`` — a vendor board driver loaded from a shared library through the C ABI.

URL format: ``cabi:///path/to/vendor_driver.so?board=0``

This module is the only one that imports the compiled cffi module ``boardlib._cabi``.
"""

from __future__ import annotations

from typing import Any

from ..errors import DriverNotAvailableError

try:
    from .. import _cabi
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "boardlib._cabi is not built: run `python -m pip install -e .` in the source tree"
    ) from exc

ffi = _cabi.ffi
lib = _cabi.lib

#: The ABI version this build of boardlib speaks (``BL_ABI_VERSION`` in boardlib_abi.h).
ABI_VERSION = 1


class LoadedDriver:
    """A driver library opened with ``dlopen`` and its validated function table.

    Parameters
    ----------
    path:
        File system path of the shared library.

    Raises
    ------
    DriverNotAvailableError
        The library cannot be loaded, lacks ``bl_driver_entry``, or speaks another ABI
        version; the message is the loader's.
    """

    def __init__(self, path: str) -> None:
        table = ffi.new("const bl_driver_v1_t **")
        handle = ffi.new("void **")
        errbuf = ffi.new("char[]", 512)
        rc = lib.bl_loader_open(path.encode(), table, handle, errbuf, len(errbuf))
        if rc < 0:
            raise DriverNotAvailableError(ffi.string(errbuf).decode(errors="replace"))
        self.path = path
        self.table: Any = table[0]
        self._handle: Any = handle[0]
        self.name = ffi.string(self.table.name).decode(errors="replace")

    def close(self) -> None:
        """Unload the library. Safe to call twice."""
        if self._handle is not None:
            lib.bl_loader_close(self._handle)
            self._handle = None

    def __enter__(self) -> LoadedDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CabiDriver:
    """Driver class registered for ``cabi://``; boards open through :class:`LoadedDriver`."""

    loader = LoadedDriver
