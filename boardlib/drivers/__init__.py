"""Board-driver registry: URL schemes mapped to driver classes, imported lazily.

Built-in schemes are listed in :data:`BACKENDS` as ``"module:Class"`` strings; third-party
drivers register under the ``boardlib.drivers`` entry-point group with the scheme as the
entry-point name. Nothing is imported until a scheme is used, so a missing vendor library
never breaks ``import boardlib``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points

from ..errors import DriverNotAvailableError, InvalidUrlError

#: Built-in schemes; each class has ``from_url(url) -> Driver``.
BACKENDS: dict[str, str] = {
    "emu": "boardlib.emulator.driver:EmuDriver",
    "loop": "boardlib.drivers.cabi:CabiDriver",
    "cabi": "boardlib.drivers.cabi:CabiDriver",
    "modem": "boardlib.drivers.modem:ModemDriver",
}

ENTRY_POINT_GROUP = "boardlib.drivers"


@dataclass(frozen=True, slots=True)
class DriverEntry:
    """One registered scheme: where its class lives and whether it can be imported here."""

    scheme: str
    target: str
    origin: str  # "builtin" or the distribution that registered the entry point
    available: bool
    reason: str = ""


def _registered() -> dict[str, tuple[str, str]]:
    found = {scheme: (target, "builtin") for scheme, target in BACKENDS.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist is not None else "unknown"
        found.setdefault(ep.name, (ep.value, dist))
    return found


def resolve(scheme: str) -> type:
    """Import and return the driver class for ``scheme``.

    Raises
    ------
    InvalidUrlError
        No driver is registered for the scheme.
    DriverNotAvailableError
        The driver is registered but its module cannot be imported here.
    """
    registry = _registered()
    if scheme not in registry:
        known = ", ".join(f"{s}://" for s in sorted(registry))
        raise InvalidUrlError(f"unknown board URL scheme {scheme!r}; known schemes: {known}")
    target = registry[scheme][0]
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls: type = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise DriverNotAvailableError(
            f"driver for {scheme}:// ({target}) cannot be loaded: {exc}"
        ) from exc
    return cls


def available_drivers() -> list[DriverEntry]:
    """Every registered scheme, with whether its driver imports on this machine."""
    entries = []
    for scheme, (target, origin) in sorted(_registered().items()):
        try:
            resolve(scheme)
        except DriverNotAvailableError as exc:
            entries.append(DriverEntry(scheme, target, origin, False, str(exc)))
        else:
            entries.append(DriverEntry(scheme, target, origin, True))
    return entries


def list_boards() -> list[str]:
    """URLs of the boards that can be opened here, as each available driver reports them
    (its ``_detect(scheme)``); drivers that cannot be imported are skipped."""
    urls: list[str] = []
    for entry in available_drivers():
        if not entry.available:
            continue
        detect = getattr(resolve(entry.scheme), "_detect", None)
        if detect is not None:
            urls.extend(u for u in detect(entry.scheme) if u not in urls)
    return urls
