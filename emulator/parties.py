"""Scripted parties on the emulated exchange: callers that ring the board, callees it dials.

A :class:`Caller` rings a line, sends its caller ID (FSK between the first and second ring,
or DTMF before ringing), waits to be answered, then follows its ``script``: a list of steps,
each one a string or a tuple::

    "wait 2.5"        wait 2.5 media seconds
    "press 1234#"     press keys (real DTMF audio on the line)
    "say 1.5"         talk for 1.5 s (speech-like audio)
    "hangup"          hang up (the exchange drops loop current and/or sends busy tone)

A caller that is never answered gives up after ``max_rings`` rings (``abandon`` in the
timeline). When the script ends without ``hangup`` the caller stays on the line until the
board hangs up.

A :class:`Callee` answers (or not) a number the board dials: ``behaviour`` is one of
``human`` (rings ``rings`` times, answers with a short "hello?"), ``machine`` (answers with a
long greeting and a beep), ``busy``, ``no_answer`` (ringback forever), ``congestion``,
``vacant`` (special information tone), ``fax`` (answers with CED then V.21 flags),
``modem`` (answers with ANSam).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import SignalFormatError

__all__ = ["Caller", "Callee", "BEHAVIOURS", "parse_step"]

BEHAVIOURS = ("human", "machine", "busy", "no_answer", "congestion", "vacant", "fax", "modem")
_KEYS = set("0123456789*#ABCD")
_CID = ("fsk", "dtmf", "none")


def parse_step(step: str | Sequence[object]) -> tuple[str, object]:
    """Check one script step; return ``(verb, argument)``."""
    if isinstance(step, str):
        verb, _, arg = step.strip().partition(" ")
        arg = arg.strip()
    elif isinstance(step, Sequence) and step:
        verb, arg = str(step[0]), (step[1] if len(step) > 1 else "")  # type: ignore[assignment]
    else:
        raise SignalFormatError(f"script step must be a string such as 'press 1', got {step!r}")
    if verb in ("wait", "say"):
        try:
            seconds = float(arg)
        except (TypeError, ValueError):
            raise SignalFormatError(f"script step {step!r}: {verb} needs seconds") from None
        if not 0 <= seconds <= 3600:
            raise SignalFormatError(f"script step {step!r}: seconds must be in 0..3600")
        return verb, seconds
    if verb == "press":
        keys = str(arg).upper()
        if not keys or any(k not in _KEYS for k in keys):
            raise SignalFormatError(f"script step {step!r}: press needs keys from 0-9 * # A-D")
        return verb, keys
    if verb == "hangup":
        return verb, None
    raise SignalFormatError(
        f"unknown script step {step!r}; steps: 'wait S', 'press KEYS', 'say S', 'hangup'"
    )


@dataclass
class Caller:
    """A person calling the board. ``at`` is when, in media seconds from the start."""

    number: str | None = "13800138000"
    name: str | None = None
    at: float = 0.0
    script: list[str | Sequence[object]] = field(default_factory=list)
    cid: str = "fsk"
    cid_standard: str = "bell202"
    line: int | None = None
    max_rings: int = 8
    label: str = ""

    def __post_init__(self) -> None:
        if self.cid not in _CID:
            raise SignalFormatError(f"cid must be one of {_CID}, got {self.cid!r}")
        if self.number is not None and (
            not self.number or not self.number.isdigit() or len(self.number) > 20
        ):
            raise SignalFormatError(f"caller number must be 1-20 digits, got {self.number!r}")
        if not (isinstance(self.at, (int, float)) and 0 <= self.at < 1e6):
            raise SignalFormatError(f"caller 'at' must be seconds >= 0, got {self.at!r}")
        if not isinstance(self.max_rings, int) or self.max_rings < 1:
            raise SignalFormatError(f"max_rings must be an int >= 1, got {self.max_rings!r}")
        self.steps = [parse_step(s) for s in self.script]
        if not self.label:
            self.label = self.number or "anonymous"


@dataclass
class Callee:
    """A party the board can dial: ``number`` and how it responds."""

    number: str
    behaviour: str = "human"
    rings: int = 2
    greeting_seconds: float = 4.0
    hangup_after: float | None = None
    script: list[str | Sequence[object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.behaviour not in BEHAVIOURS:
            raise SignalFormatError(
                f"callee behaviour must be one of {', '.join(BEHAVIOURS)}, got {self.behaviour!r}"
            )
        if not self.number or any(k not in _KEYS for k in self.number):
            raise SignalFormatError(f"callee number must be DTMF keys, got {self.number!r}")
        if not isinstance(self.rings, int) or self.rings < 0:
            raise SignalFormatError(f"rings must be an int >= 0, got {self.rings!r}")
        self.steps = [parse_step(s) for s in self.script]
