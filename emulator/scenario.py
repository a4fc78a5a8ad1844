"""Scenarios as data: callers and callees of the emulated exchange in a TOML file.

Example::

    [[caller]]
    at = 0.5                      # media seconds from the start
    number = "13800138000"
    name = "ZHANG SAN"
    cid = "fsk"                   # fsk (between first and second ring), dtmf (before), none
    script = ["wait 3", "press 1", "wait 2", "press 6222021234567890#", "wait 4", "hangup"]

    [[callee]]
    number = "95588"
    behaviour = "busy"            # human, machine, busy, no_answer, congestion, vacant, fax, modem

Unknown keys and bad values raise :class:`~boardlib.errors.SignalFormatError` naming the file,
the entry and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import SignalFormatError
from .parties import Callee, Caller

__all__ = ["Scenario", "load_scenario"]


@dataclass
class Scenario:
    """Callers to place and callees to make reachable."""

    callers: list[Caller] = field(default_factory=list)
    callees: list[Callee] = field(default_factory=list)

    def install(self, exchange: Any) -> None:
        """Schedule the callers and register the callees on an exchange."""
        for callee in self.callees:
            exchange.add_callee(callee)
        for caller in self.callers:
            exchange.place_call(caller)


def _build(cls: type, entry: Any, where: str) -> Any:
    if not isinstance(entry, dict):
        raise SignalFormatError(f"{where}: expected a table")
    known = {f.name for f in fields(cls)}
    unknown = set(entry) - known
    if unknown:
        raise SignalFormatError(
            f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(known)}"
        )
    try:
        return cls(**entry)
    except SignalFormatError as exc:
        raise SignalFormatError(f"{where}: {exc}") from exc
    except TypeError as exc:
        raise SignalFormatError(f"{where}: {exc}") from exc


def scenario_from_dict(data: dict[str, Any], source: str = "scenario") -> Scenario:
    """Build a :class:`Scenario` from parsed TOML (or any dict of the same shape)."""
    unknown = set(data) - {"caller", "callee", "board"}
    if unknown:
        raise SignalFormatError(
            f"{source}: unknown table(s) {sorted(unknown)}; known: caller, callee"
        )
    callers = [
        _build(Caller, e, f"{source}: caller #{i + 1}")
        for i, e in enumerate(data.get("caller", []))
    ]
    callees = [
        _build(Callee, e, f"{source}: callee #{i + 1}")
        for i, e in enumerate(data.get("callee", []))
    ]
    return Scenario(callers, callees)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text())
    except OSError as exc:
        raise SignalFormatError(f"cannot read scenario {p}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SignalFormatError(f"{p}: {exc}") from exc
    return scenario_from_dict(data, str(p))
