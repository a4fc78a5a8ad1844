"""MFC-R2 call control as data-driven state machines, with no board, audio or clock.

Overview
--------
An :class:`R2Variant` describes one national flavour of R2 as *data*: the ABCD line-signal
patterns (ITU-T Q.421), the meaning of every register signal in Groups I, II, A and B
(Q.441), the protocol timers and the digit limits. :data:`VARIANTS` holds China No.1
(``"CN"``, the default), the ITU base (``"ITU"``) and Brazil (``"BR"``), the last two built
from the ITU base with the national overrides that OpenR2 documents.

An :class:`R2Machine` is one E1 channel's call control. It plays the *forward* (outgoing
register) role when the application makes a call and the *backward* (incoming register)
role when the far end seizes the line. It is driven by inputs only:

* :meth:`R2Machine.on_cas` -- the ABCD bits received;
* :meth:`R2Machine.on_tone` -- an MF register signal started (1..15) or stopped (``None``);
* :meth:`R2Machine.on_timer` -- a timer the machine started has expired;
* :meth:`R2Machine.make_call`, :meth:`~R2Machine.answer`, :meth:`~R2Machine.hangup`,
  :meth:`~R2Machine.block`, :meth:`~R2Machine.alarm` -- what the application or the span does.

Every input returns a list of *actions* (frozen dataclasses) for the caller to carry out:
:class:`SetCas`, :class:`SendTone`, :class:`StopTone`, :class:`StartTimer`,
:class:`StopTimer`, and call events :class:`Offered`, :class:`Accepted`, :class:`Answered`,
:class:`Cleared`, :class:`Idle`, :class:`Blocked`. The machine never reads a clock and never
touches audio, so a whole call can be unit-tested by feeding the inputs of the far end.

Compelled signalling (forward side = F, backward side = B)::

    F: seize (AB 00)            B: seize ack (AB 11)
    F: DNIS digit on            B: A-signal on (A1 next digit, A6/A5 category, A3 go to B)
    F: off                      B: off            ... one cycle per signal ...
    F: Group II category (KD)   B: Group B on (B1 free, B2 busy, ...)
    F: off                      B: off
                                B: answer (AB 01)
    F: clear forward (AB 10)    B: idle (AB 10) after the release guard

When the forward side runs out of DNIS digits and its variant has no "end of DNIS" signal
(China), it stays silent; the backward side, after ``mf_back_cycle``, sends the next request
as a pulse (``mf_back_resume_cycle``) and the cycle resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ..errors import SignalFormatError
from ..states import HangupCause

__all__ = [
    "R2Variant",
    "VARIANTS",
    "get_variant",
    "R2Machine",
    "SetCas",
    "SendTone",
    "StopTone",
    "StartTimer",
    "StopTimer",
    "Offered",
    "Accepted",
    "Answered",
    "Cleared",
    "Idle",
    "Blocked",
    "Action",
    "TIMERS",
    "digit_signal",
    "signal_digit",
]

#: Names of the machine's timers (keys of :attr:`R2Variant.timers`, milliseconds).
TIMERS = ("seize_ack", "mf_fwd", "mf_back", "pulse", "answer", "clear_forward", "clear_back",
          "release_guard")


def _ro(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


# --------------------------------------------------------------------------- variants


@dataclass(frozen=True)
class R2Variant:
    """One national MFC-R2 variant, as data.

    Line signals are the A and B bits as a 2-bit number (``0b10`` = A 1, B 0); the C and D
    bits are the constant :attr:`cd_bits`. Register-signal tables map a *meaning* to a signal
    number 1..15, or ``None`` when the variant does not use that meaning.
    """

    name: str
    country: str
    cd_bits: int
    forward_line: Mapping[str, int]
    backward_line: Mapping[str, int]
    group_i: Mapping[str, int | None]
    group_ii: Mapping[str, int | None]
    group_a: Mapping[str, int | None]
    group_b: Mapping[str, int | None]
    timers: Mapping[str, int]
    max_dnis: int = 20
    max_ani: int = 20
    #: Backward side asks for the category and ANI after the first DNIS digit.
    ani_first: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.cd_bits <= 3:
            raise SignalFormatError(f"cd_bits must be 0..3, got {self.cd_bits}")
        for key in TIMERS:
            if key not in self.timers or int(self.timers[key]) <= 0:
                raise SignalFormatError(f"variant {self.name}: timer {key} must be > 0 ms")
        for table in (self.group_i, self.group_ii, self.group_a, self.group_b):
            for meaning, sig in table.items():
                if sig is not None and not 1 <= sig <= 15:
                    raise SignalFormatError(f"variant {self.name}: {meaning} must be a signal "
                                            f"1..15 or None, got {sig}")

    def line(self, direction: str, name: str) -> int:
        """Four ABCD bits to transmit for line signal ``name`` in ``direction``."""
        table = self.forward_line if direction == "forward" else self.backward_line
        return (table[name] << 2) | self.cd_bits

    def with_timers(self, **timers: int) -> R2Variant:
        """A copy with some timers changed (milliseconds)."""
        unknown = set(timers) - set(TIMERS)
        if unknown:
            raise SignalFormatError(f"unknown R2 timer(s) {sorted(unknown)}; timers: {TIMERS}")
        return replace(self, timers=_ro({**self.timers, **timers}))

    def with_overrides(self, **fields: Any) -> R2Variant:
        """A copy with fields replaced; tables are merged key by key."""
        out: dict[str, Any] = {}
        for key, value in fields.items():
            current = getattr(self, key)
            if isinstance(current, Mapping):
                out[key] = _ro({**current, **value})
            else:
                out[key] = value
        return replace(self, **out)


_FORWARD_LINE = {"idle": 0b10, "seize": 0b00, "clear_forward": 0b10}
_BACKWARD_LINE = {"idle": 0b10, "seize_ack": 0b11, "answer": 0b01, "clear_back": 0b11,
                  "blocked": 0b11, "forced_release": 0b00}

ITU = R2Variant(
    name="ITU",
    country="ITU-T Q.421/Q.441",
    cd_bits=0b01,
    forward_line=_ro(_FORWARD_LINE),
    backward_line=_ro(_BACKWARD_LINE),
    group_i=_ro({"no_more_dnis": 15, "no_more_ani": 15, "ani_restricted": 12}),
    group_ii=_ro({"national_subscriber": 1, "national_priority": 2, "test_equipment": 3,
                  "operator": 5, "data": 6, "international_subscriber": 7,
                  "international_priority": 9}),
    group_a=_ro({"next_dnis": 1, "dnis_minus_1": 2, "dnis_minus_2": 7, "dnis_minus_3": 8,
                 "next_ani": 5, "category": 5, "change_to_b": 3,
                 "address_complete_charge": 6, "congestion": 4}),
    group_b=_ro({"accept_charge": 6, "accept_no_charge": 7, "busy": 3, "congestion": 4,
                 "unallocated": 5, "out_of_order": 8, "special_info": 2}),
    timers=_ro({"seize_ack": 2000, "mf_fwd": 30000, "mf_back": 2000, "pulse": 150,
                "answer": 60000, "clear_forward": 3000, "clear_back": 30000,
                "release_guard": 200}),
)

#: China No.1: C = D = 1, A1 asks for the next ANI digit, A6 for the category (KA) and
#: the calling number, B1 = free (charge), B2 = busy, no "end of DNIS" signal.
CN = replace(ITU.with_overrides(
    group_a={"next_ani": 1, "category": 6, "address_complete_charge": None},
    group_b={"accept_charge": 1, "busy": 2, "special_info": None},
    group_i={"no_more_dnis": None}), name="CN", country="China No.1", cd_bits=0b11)

#: Brazil (ITU base with the Brazilian overrides: A9 = DNIS n-1, B1 free with charge,
#: B2 busy, B5 free without charge, B7 unallocated, B6 special information).
BR = replace(ITU.with_overrides(
    group_i={"no_more_dnis": None, "ani_restricted": 12},
    group_a={"address_complete_charge": None, "dnis_minus_1": 9},
    group_b={"accept_charge": 1, "busy": 2, "accept_no_charge": 5, "special_info": 6,
             "unallocated": 7}), name="BR", country="Brazil")

VARIANTS: Mapping[str, R2Variant] = _ro({"CN": CN, "ITU": ITU, "BR": BR})


def get_variant(variant: str | R2Variant) -> R2Variant:
    """The variant named ``variant`` (``CN``, ``ITU``, ``BR``), or ``variant`` itself."""
    if isinstance(variant, R2Variant):
        return variant
    if not isinstance(variant, str) or variant.upper() not in VARIANTS:
        raise SignalFormatError(f"R2 variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    return VARIANTS[variant.upper()]


def digit_signal(digit: str) -> int:
    """Group I signal of a decimal digit: 1..9, and 10 for ``0``."""
    if len(digit) != 1 or digit not in "0123456789":
        raise SignalFormatError(f"R2 digits must be 0-9, got {digit!r}")
    return 10 if digit == "0" else int(digit)


def signal_digit(signal: int) -> str:
    """Decimal digit of a Group I signal 1..10."""
    return "0" if signal == 10 else str(signal)


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class SetCas:
    """Transmit these ABCD bits (0..15)."""

    bits: int


@dataclass(frozen=True, slots=True)
class SendTone:
    """Start sending MF register signal ``signal`` (replacing any signal being sent)."""

    signal: int


@dataclass(frozen=True, slots=True)
class StopTone:
    """Stop sending the MF register signal."""


@dataclass(frozen=True, slots=True)
class StartTimer:
    """(Re)start timer ``name``; call :meth:`R2Machine.on_timer` after ``ms`` milliseconds."""

    name: str
    ms: int


@dataclass(frozen=True, slots=True)
class StopTimer:
    """Cancel timer ``name``."""

    name: str


@dataclass(frozen=True, slots=True)
class Offered:
    """Inbound call: the register signalling completed and the call was accepted."""

    ani: str
    dnis: str
    category: int | None
    kd: int | None
    ani_restricted: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    """Outbound call: the far end accepted (``outcome`` is the Group B/A meaning)."""

    outcome: str


@dataclass(frozen=True, slots=True)
class Answered:
    """The call is answered (outbound: the far end sent answer; inbound: we did)."""


@dataclass(frozen=True, slots=True)
class Cleared:
    """The call ended (``direction`` "in" or "out") with a Q.850 cause and a reason."""

    cause: HangupCause
    reason: str
    direction: str


@dataclass(frozen=True, slots=True)
class Idle:
    """The channel is idle again and may place or receive a call."""


@dataclass(frozen=True, slots=True)
class Blocked:
    """The far end blocked (``True``) or unblocked (``False``) the channel."""

    blocked: bool


Action = SetCas | SendTone | StopTone | StartTimer | StopTimer | Offered | Accepted | Answered \
    | Cleared | Idle | Blocked

_B_CAUSES = {
    "busy": HangupCause.USER_BUSY,
    "congestion": HangupCause.SWITCH_CONGESTION,
    "unallocated": HangupCause.UNALLOCATED_NUMBER,
    "out_of_order": HangupCause.DESTINATION_OUT_OF_ORDER,
    "special_info": HangupCause.NORMAL_UNSPECIFIED,
}

# --------------------------------------------------------------------------- machine

#: Machine states.
STATES = (
    "idle", "blocked", "local_blocked", "alarm",
    # forward (outbound)
    "seize_sent", "fwd_mf", "accepted", "answered_out", "clear_back_rxd", "clear_fwd_sent",
    # backward (inbound)
    "back_mf", "offered", "answered_in", "clear_back_sent", "wait_clear_fwd", "release_guard",
)
_FORWARD_STATES = {"seize_sent", "fwd_mf", "accepted", "answered_out", "clear_back_rxd",
                   "clear_fwd_sent"}


@dataclass
class _Call:
    direction: str
    dnis: str = ""
    ani: str = ""
    category: int | None = None
    kd: int | None = None
    ani_restricted: bool = False
    cleared: bool = False
    # forward side
    dnis_idx: int = 0
    ani_idx: int = 0
    phase: str = "dnis"
    category_sent: bool = False
    ani_done: bool = False
    group: str = "A"
    pending: int | None = None  # backward signal received, acted on at its end
    # backward side
    expect: str = "dnis"
    reply: int | None = None
    dnis_done: bool = False
    tone_on: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


class R2Machine:
    """One E1 channel's MFC-R2 call control (both directions). See the module docstring.

    Parameters
    ----------
    variant:
        An :class:`R2Variant` or its name (default ``"CN"``).
    max_dnis, max_ani:
        Digits the backward side collects before it stops asking (default: the variant's).
    collect_ani:
        The backward side asks for the category and calling number (default True).
    yield_on_glare:
        When both ends seize at once, this end gives up its outbound call and takes the
        inbound one (default True; one end of a trunk must say False).
    accept:
        Group B meaning the backward side answers a complete call with (``accept_charge``).
    decide:
        Optional ``decide(dnis, ani, category) -> meaning``: the Group B meaning for each
        complete inbound call (``accept_charge``, ``busy``, ``unallocated``, ...), for
        exchanges that reject calls; the default accepts every call with ``accept``.
    dnis_complete:
        Optional ``dnis_complete(dnis) -> bool``: the backward side stops asking for called
        digits as soon as it returns True (a numbering plan), before ``max_dnis``.
    """

    def __init__(self, variant: str | R2Variant = "CN", *, max_dnis: int | None = None,
                 max_ani: int | None = None, collect_ani: bool = True,
                 yield_on_glare: bool = True, accept: str = "accept_charge",
                 decide: Callable[[str, str, int | None], str] | None = None,
                 dnis_complete: Callable[[str], bool] | None = None) -> None:
        self.variant = get_variant(variant)
        v = self.variant
        self.max_dnis = v.max_dnis if max_dnis is None else int(max_dnis)
        self.max_ani = v.max_ani if max_ani is None else int(max_ani)
        if not 1 <= self.max_dnis <= 80 or not 0 <= self.max_ani <= 80:
            raise SignalFormatError(f"max_dnis must be 1..80 and max_ani 0..80, got "
                                    f"{self.max_dnis} and {self.max_ani}")
        if v.group_b.get(accept) is None or not accept.startswith("accept"):
            raise SignalFormatError(f"accept must be a Group B acceptance of variant {v.name} "
                                    f"(accept_charge, accept_no_charge), got {accept!r}")
        self.collect_ani = collect_ani
        self.yield_on_glare = yield_on_glare
        self.accept = accept
        self.decide = decide
        self.dnis_complete = dnis_complete
        self.state = "idle"
        self.call: _Call | None = None
        self.rx_ab = v.backward_line["idle"]
        self.tx_bits = v.line("forward", "idle")
        self._timers: set[str] = set()
        self._out: list[Any] = []
        self.protocol_errors = 0
        #: Override of the answer timer for the current outbound call (ms).
        self.answer_ms: int | None = None

    # ------------------------------------------------------------------ helpers
    def __repr__(self) -> str:
        return f"<R2Machine {self.variant.name} {self.state}>"

    @property
    def direction(self) -> str | None:
        return None if self.call is None else self.call.direction

    @property
    def in_mf(self) -> bool:
        """True while register signalling runs (MF tones must be detected)."""
        return self.state in ("fwd_mf", "back_mf") or (
            self.state in ("accepted", "offered") and self.call is not None and self.call.tone_on)

    def _flush(self) -> list[Any]:
        out, self._out = self._out, []
        return out

    def _cas(self, direction: str, name: str) -> None:
        bits = self.variant.line(direction, name)
        self.tx_bits = bits
        self._out.append(SetCas(bits))

    def _start(self, name: str, ms: int | None = None) -> None:
        self._timers.add(name)
        self._out.append(StartTimer(name, int(self.variant.timers[name] if ms is None else ms)))

    def _stop(self, name: str) -> None:
        if name in self._timers:
            self._timers.discard(name)
            self._out.append(StopTimer(name))

    def _stop_all(self) -> None:
        for name in sorted(self._timers):
            self._out.append(StopTimer(name))
        self._timers.clear()

    def _tone(self, signal: int) -> None:
        assert self.call is not None
        self.call.tone_on = True
        self._out.append(SendTone(signal))

    def _tone_off(self) -> None:
        if self.call is not None and self.call.tone_on:
            self.call.tone_on = False
            self._out.append(StopTone())

    def _clear(self, cause: HangupCause, reason: str) -> None:
        """Report the end of the current call once."""
        call = self.call
        if call is not None and not call.cleared:
            call.cleared = True
            if cause is HangupCause.PROTOCOL_ERROR:
                self.protocol_errors += 1
            self._out.append(Cleared(cause, reason, call.direction))

    def _to_idle(self) -> None:
        self._stop_all()
        self._tone_off()
        self.call = None
        self.state = "idle"
        self._out.append(Idle())
        # the far end may have blocked or seized meanwhile
        if self.rx_ab == 0b11:
            self.state = "blocked"
            self._out.append(Blocked(True))

    # ------------------------------------------------------------------ application inputs
    def start(self) -> list[Any]:
        """The actions that put the channel in service (transmit idle)."""
        self._cas("forward", "idle")
        return self._flush()

    def make_call(self, dnis: str, ani: str | None = None, category: int | str = 1) -> list[Any]:
        """Seize the line and place a call to ``dnis`` from ``ani`` with ``category``.

        ``category`` is a Group II signal number or a meaning of the variant's Group II
        (``"national_subscriber"``...). When the line is not idle the call fails at once
        with a :class:`Cleared` action.
        """
        if not dnis or any(c not in "0123456789" for c in dnis) or len(dnis) > 80:
            raise SignalFormatError(f"dnis must be 1..80 digits 0-9, got {dnis!r}")
        if ani is not None and (any(c not in "0123456789" for c in ani) or len(ani) > 80):
            raise SignalFormatError(f"ani must be up to 80 digits 0-9 or None, got {ani!r}")
        cat = self._category(category)
        if self.state != "idle":
            busy = _Call("out")
            cause = HangupCause.NETWORK_OUT_OF_ORDER if self.state == "alarm" \
                else HangupCause.NO_CIRCUIT_AVAILABLE
            return [Cleared(cause, f"channel is {self.state}", busy.direction)]
        self.call = _Call("out", dnis=dnis, ani=ani or "", category=cat,
                          ani_restricted=ani is None)
        self.state = "seize_sent"
        self._cas("forward", "seize")
        self._start("seize_ack")
        return self._flush()

    def _category(self, category: int | str) -> int:
        if isinstance(category, str):
            sig = self.variant.group_ii.get(category)
            if sig is None:
                names = ", ".join(k for k, s in self.variant.group_ii.items() if s)
                raise SignalFormatError(f"category must be a Group II signal 1..15 or one of "
                                        f"{names}, got {category!r}")
            return sig
        if isinstance(category, bool) or not isinstance(category, int) or not 1 <= category <= 15:
            raise SignalFormatError(f"category must be a Group II signal 1..15, got {category!r}")
        return category

    def answer(self) -> list[Any]:
        """Answer the offered inbound call (transmit answer)."""
        if self.state != "offered":
            return []
        self._tone_off()
        self._stop("mf_back")
        self.state = "answered_in"
        self._cas("backward", "answer")
        self._out.append(Answered())
        return self._flush()

    def hangup(self, cause: HangupCause = HangupCause.NORMAL_CLEARING) -> list[Any]:
        """Clear the call in the right direction: clear-forward for an outbound call,
        clear-back for an answered inbound one; an inbound call not yet answered is
        released (backward idle), which the forward side sees. Nothing happens when already
        clearing or idle."""
        st = self.state
        if st in _FORWARD_STATES and st != "clear_fwd_sent":
            self._clear(cause, "local hangup")
            self._stop_all()
            self._tone_off()
            self.state = "clear_fwd_sent"
            self._cas("forward", "clear_forward")
            self._start("clear_forward")
        elif st in ("back_mf", "offered"):
            # before the answer, clear-back would look like seize-ack: release instead
            self._clear(cause, "local hangup")
            self._back_abort()
        elif st == "answered_in":
            self._clear(cause, "local hangup")
            self._stop_all()
            self._tone_off()
            self.state = "clear_back_sent"
            self._cas("backward", "clear_back")
            self._start("clear_back")
        return self._flush()

    def block(self, on: bool = True) -> list[Any]:
        """Take the idle channel out of service toward the far end (transmit blocking)."""
        if on and self.state == "idle":
            self.state = "local_blocked"
            self._cas("backward", "blocked")
        elif not on and self.state == "local_blocked":
            self.state = "idle"
            self._cas("forward", "idle")
            self._on_idle_rx()
        return self._flush()

    def alarm(self, on: bool) -> list[Any]:
        """The span lost (``on``) or regained its signal: calls end, the channel waits."""
        if on:
            if self.state != "alarm":
                self._clear(HangupCause.NETWORK_OUT_OF_ORDER, "span alarm")
                self._stop_all()
                self._tone_off()
                self.call = None
                self.state = "alarm"
        elif self.state == "alarm":
            self.state = "idle"
            self._cas("forward", "idle")
            self._out.append(Idle())
            self._on_idle_rx()
        return self._flush()

    def _on_idle_rx(self) -> None:
        if self.rx_ab == 0b00:
            self._seized()
        elif self.rx_ab == 0b11 and self.state == "idle":
            self.state = "blocked"
            self._out.append(Blocked(True))

    # ------------------------------------------------------------------ line signals
    def on_cas(self, bits: int) -> list[Any]:
        """ABCD bits received (only A and B carry R2 line signals)."""
        ab = (int(bits) >> 2) & 0b11
        if ab == self.rx_ab:
            return []
        self.rx_ab = ab
        st = self.state
        if st == "alarm" or st == "local_blocked":
            pass
        elif st == "idle":
            if ab == 0b00:
                self._seized()
            elif ab == 0b11:
                self.state = "blocked"
                self._out.append(Blocked(True))
        elif st == "blocked":
            if ab == 0b10:
                self.state = "idle"
                self._out.append(Blocked(False))
            elif ab == 0b00:
                self._seized()
        elif st in _FORWARD_STATES:
            self._forward_cas(ab)
        else:
            self._backward_cas(ab)
        return self._flush()

    def _seized(self) -> None:
        self.call = _Call("in", expect="dnis")
        self.state = "back_mf"
        self._cas("backward", "seize_ack")
        self._start("mf_back")

    def _forward_cas(self, ab: int) -> None:
        st = self.state
        bl = self.variant.backward_line
        if st == "clear_fwd_sent":
            if ab == bl["idle"]:
                self._to_idle()
            return
        if st == "seize_sent":
            if ab == bl["seize_ack"]:
                self._stop("seize_ack")
                self.state = "fwd_mf"
                self._send_next_dnis()
            elif ab == 0b00:  # the far end seized too: glare
                self._glare()
            else:
                self._fail_out(HangupCause.PROTOCOL_ERROR, f"line bits {ab:02b} while seizing")
            return
        if ab == bl["answer"] and st in ("fwd_mf", "accepted"):
            self._tone_off()
            self._stop_all()
            self.state = "answered_out"
            self._out.append(Answered())
        elif ab == bl["clear_back"] and st == "answered_out":
            self.state = "clear_back_rxd"
            self._clear(HangupCause.NORMAL_CLEARING, "clear back")
        elif ab == bl["answer"] and st == "clear_back_rxd":
            self.state = "answered_out"  # re-answer: the called party picked up again
        elif ab == bl["idle"]:
            # the far end released without waiting for our clear-forward
            self._clear(HangupCause.NORMAL_UNSPECIFIED, "far end went idle")
            self._cas("forward", "clear_forward")
            self._to_idle()
        elif ab == bl["forced_release"]:
            self._fail_out(HangupCause.NORMAL_UNSPECIFIED, "forced release")
        else:
            self._fail_out(HangupCause.PROTOCOL_ERROR, f"line bits {ab:02b} in {st}")

    def _glare(self) -> None:
        assert self.call is not None
        if not self.yield_on_glare:
            return  # keep seizing: the far end yields and acknowledges
        self._stop_all()
        self._clear(HangupCause.NO_CIRCUIT_AVAILABLE, "glare")
        self._seized()

    def _fail_out(self, cause: HangupCause, reason: str) -> None:
        self._clear(cause, reason)
        self._stop_all()
        self._tone_off()
        self.state = "clear_fwd_sent"
        self._cas("forward", "clear_forward")
        self._start("clear_forward")

    def _backward_cas(self, ab: int) -> None:
        st = self.state
        fl = self.variant.forward_line
        if ab == fl["clear_forward"]:
            if st in ("back_mf", "offered", "answered_in"):
                self._clear(HangupCause.NORMAL_CLEARING, "clear forward")
            self._stop_all()
            self._tone_off()
            self.state = "release_guard"
            self._start("release_guard")
        elif st in ("release_guard", "wait_clear_fwd", "clear_back_sent"):
            pass  # only the clear-forward matters here; a new seizure waits for the guard
        else:
            self._clear(HangupCause.PROTOCOL_ERROR, f"line bits {ab:02b} in {st}")
            self._back_abort()

    def _back_abort(self) -> None:
        """Give up an inbound call: go idle toward the far end and wait for its clear."""
        self._stop_all()
        self._tone_off()
        self.state = "wait_clear_fwd"
        self._cas("backward", "idle")
        self._start("clear_back")

    # ------------------------------------------------------------------ timers
    def on_timer(self, name: str) -> list[Any]:
        """Timer ``name`` expired (ignored when the machine has stopped it meanwhile)."""
        if name not in self._timers:
            return []
        self._timers.discard(name)
        st = self.state
        TE = HangupCause.RECOVERY_ON_TIMER_EXPIRY
        if name == "seize_ack":
            self._clear(TE, "no seize acknowledgement")
            self._cas("forward", "clear_forward")
            self._to_idle()
        elif name == "mf_fwd":
            self._fail_out(TE, "register signalling stalled (forward)")
        elif name == "answer":
            self._fail_out(HangupCause.NO_ANSWER, "no answer")
        elif name == "clear_forward":
            self._to_idle()
        elif name == "clear_back":
            if st == "clear_back_sent":
                self._cas("backward", "idle")
            self._to_idle()
        elif name == "release_guard":
            self._cas("forward", "idle")
            self._to_idle()
            if self.rx_ab == 0b00:
                self._seized()
        elif name == "pulse":
            self._tone_off()
            self._start("mf_back")
        elif name == "mf_back":
            self._back_timeout()
        return self._flush()

    def _back_timeout(self) -> None:
        call = self.call
        assert call is not None
        if self.state == "back_mf" and not call.tone_on and call.expect == "dnis" and call.dnis:
            # the forward side ran out of digits and has no end-of-DNIS signal: resume the
            # cycle with a pulsed request
            call.dnis_done = True
            sig = self._after_dnis()
            if sig is not None:
                self._tone(sig)
                self._start("pulse")
                return
        if self.state == "back_mf" and not call.tone_on and call.expect == "ani":
            # the forward side has no calling number to give (some stacks fall silent instead
            # of sending I-15): carry on without it
            call.ani_done = True
            call.ani_restricted = not call.ani
            sig, nxt = self._after_ani()
            if sig is not None:
                call.expect = nxt
                self._tone(sig)
                self._start("pulse")
                return
        if self.state == "offered":
            return
        self._clear(HangupCause.RECOVERY_ON_TIMER_EXPIRY, "register signalling stalled (backward)")
        self._back_abort()

    # ------------------------------------------------------------------ MF signals
    def on_tone(self, signal: int | None) -> list[Any]:
        """An MF register signal from the far end started (1..15) or ended (None)."""
        if signal is not None and not 1 <= int(signal) <= 15:
            raise SignalFormatError(f"signal must be 1..15 or None, got {signal!r}")
        if self.state in ("fwd_mf", "accepted") and self.call is not None:
            self._forward_tone(signal)
        elif self.state in ("back_mf", "offered") and self.call is not None:
            self._backward_tone(signal)
        return self._flush()

    # forward (outgoing register)
    def _send_next_dnis(self) -> None:
        call = self.call
        assert call is not None
        if call.dnis_idx < len(call.dnis):
            self._tone(digit_signal(call.dnis[call.dnis_idx]))
            call.dnis_idx += 1
        else:
            end = self.variant.group_i.get("no_more_dnis")
            if end is not None:
                self._tone(end)
            # else stay silent: the backward side times out and pulses its next request
        self._start("mf_fwd")

    def _send_next_ani(self) -> None:
        call = self.call
        assert call is not None
        gi = self.variant.group_i
        if call.ani_restricted and call.ani_idx == 0 and gi.get("ani_restricted"):
            self._tone(gi["ani_restricted"])  # type: ignore[arg-type]
            call.ani_done = True
        elif call.ani_idx < len(call.ani):
            self._tone(digit_signal(call.ani[call.ani_idx]))
            call.ani_idx += 1
        else:
            self._tone(gi.get("no_more_ani") or 15)
            call.ani_done = True
        self._start("mf_fwd")

    def _forward_tone(self, signal: int | None) -> None:
        call = self.call
        assert call is not None
        if signal is not None:
            # the backward side answered our signal (or pulsed a request): stop ours
            self._tone_off()
            call.pending = signal
            self._start("mf_fwd")
            return
        sig, call.pending = call.pending, None
        if sig is None:
            return
        if self.state == "accepted":
            return
        if call.group == "B":
            self._group_b(sig)
        else:
            self._group_a(sig)

    def _group_a(self, sig: int) -> None:
        call = self.call
        assert call is not None
        ga = self.variant.group_a
        if call.phase == "ani" and sig == ga.get("next_ani"):
            self._send_next_ani()
            if call.ani_done:
                call.phase = "dnis"
        elif sig == ga.get("category") and not call.category_sent:
            call.category_sent = True
            call.phase = "ani"
            self._tone(call.category or 1)
            self._start("mf_fwd")
        elif sig == ga.get("next_ani") and call.category_sent and not call.ani_done:
            call.phase = "ani"
            self._send_next_ani()
        elif sig == ga.get("next_dnis"):
            self._send_next_dnis()
        elif sig in (ga.get("dnis_minus_1"), ga.get("dnis_minus_2"), ga.get("dnis_minus_3")):
            back = {ga.get("dnis_minus_1"): 2, ga.get("dnis_minus_2"): 3,
                    ga.get("dnis_minus_3"): 4}[sig]
            call.dnis_idx = max(0, call.dnis_idx - back)
            self._send_next_dnis()
        elif sig == ga.get("change_to_b"):
            call.group = "B"
            self._tone(call.category or 1)  # KD: the calling category again, Group II
            self._start("mf_fwd")
        elif sig == ga.get("address_complete_charge"):
            self._accepted("address_complete_charge")
        elif sig == ga.get("congestion"):
            self._fail_out(HangupCause.SWITCH_CONGESTION, "congestion (Group A)")
        else:
            self._fail_out(HangupCause.PROTOCOL_ERROR, f"unexpected Group A signal {sig}")

    def _group_b(self, sig: int) -> None:
        meaning = next((m for m, s in self.variant.group_b.items() if s == sig), None)
        if meaning is None:
            self._fail_out(HangupCause.PROTOCOL_ERROR, f"unexpected Group B signal {sig}")
        elif meaning.startswith("accept"):
            self._accepted(meaning)
        else:
            self._fail_out(_B_CAUSES[meaning], meaning.replace("_", " "))

    def _accepted(self, outcome: str) -> None:
        self._stop("mf_fwd")
        self._tone_off()
        self.state = "accepted"
        self._out.append(Accepted(outcome))
        self._start("answer", self.answer_ms)

    # backward (incoming register)
    def _reply(self, sig: int | None, expect: str) -> None:
        call = self.call
        assert call is not None
        if sig is None:
            self._clear(HangupCause.PROTOCOL_ERROR, f"variant {self.variant.name} has no "
                        f"signal to ask for {expect}")
            self._back_abort()
            return
        call.expect = expect
        call.reply = sig
        self._tone(sig)

    def _after_dnis(self) -> int | None:
        """The request that follows a complete DNIS; sets what is expected next."""
        call = self.call
        assert call is not None
        ga = self.variant.group_a
        if self.collect_ani and not call.ani_done and call.category is None:
            call.expect = "category"
            return ga.get("category")
        call.expect = "kd"
        return ga.get("change_to_b")

    def _after_ani(self) -> tuple[int | None, str]:
        call = self.call
        assert call is not None
        ga = self.variant.group_a
        if call.dnis_done:
            return ga.get("change_to_b"), "kd"
        return ga.get("next_dnis"), "dnis"

    def _backward_tone(self, signal: int | None) -> None:
        call = self.call
        assert call is not None
        if signal is None:
            # the forward side ended its signal: end our reply, wait for the next one
            if call.expect == "done":
                self._tone_off()
                self._stop("mf_back")
                self._finish_b()
                return
            self._tone_off()
            self._start("mf_back")
            return
        if call.tone_on:
            # a forward signal while we still send a pulse: the pulse is answered
            self._stop("pulse")
            self._tone_off()
        self._start("mf_back")
        gi = self.variant.group_i
        ga = self.variant.group_a
        exp = call.expect
        if exp == "dnis":
            if 1 <= signal <= 10:
                call.dnis += signal_digit(signal)
                if self.variant.ani_first and self.collect_ani and len(call.dnis) == 1 \
                        and not call.ani_done:
                    self._reply(ga.get("category"), "category")
                elif len(call.dnis) >= self.max_dnis or (
                        self.dnis_complete is not None and self.dnis_complete(call.dnis)):
                    call.dnis_done = True
                    self._reply(self._after_dnis(), call.expect)
                else:
                    self._reply(ga.get("next_dnis"), "dnis")
            elif signal == gi.get("no_more_dnis"):
                call.dnis_done = True
                self._reply(self._after_dnis(), call.expect)
            else:
                self._bad_signal(signal)
        elif exp == "category":
            call.category = signal
            if self.max_ani == 0:
                call.ani_done = True
                sig, nxt = self._after_ani()
                self._reply(sig, nxt)
            else:
                self._reply(ga.get("next_ani"), "ani")
        elif exp == "ani":
            if 1 <= signal <= 10:
                call.ani += signal_digit(signal)
                if len(call.ani) >= self.max_ani:
                    call.ani_done = True
                    sig, nxt = self._after_ani()
                    self._reply(sig, nxt)
                else:
                    self._reply(ga.get("next_ani"), "ani")
            elif signal in (gi.get("no_more_ani"), gi.get("ani_restricted")):
                call.ani_done = True
                call.ani_restricted = signal == gi.get("ani_restricted") and not call.ani
                sig, nxt = self._after_ani()
                self._reply(sig, nxt)
            else:
                self._bad_signal(signal)
        elif exp == "kd":
            call.kd = signal
            call.meta["b"] = self._decide_b()
            self._reply(self.variant.group_b[call.meta["b"]], "done")
        else:
            self._bad_signal(signal)

    def _decide_b(self) -> str:
        """Group B meaning for a complete call."""
        call = self.call
        assert call is not None
        if self.decide is None:
            return self.accept
        meaning = self.decide(call.dnis, call.ani, call.category)
        if self.variant.group_b.get(meaning) is None:
            meaning = "congestion"
        return meaning

    def _finish_b(self) -> None:
        call = self.call
        assert call is not None
        meaning = call.meta["b"]
        if meaning.startswith("accept"):
            self.state = "offered"
            if not call.cleared:
                self._out.append(Offered(call.ani, call.dnis, call.category, call.kd,
                                         call.ani_restricted))
        else:
            # rejected: keep seize-ack until the forward side clears
            call.cleared = True
            self.state = "wait_clear_fwd"
            self._start("clear_back")

    def _bad_signal(self, signal: int) -> None:
        self._clear(HangupCause.PROTOCOL_ERROR, f"unexpected forward signal {signal} "
                    f"(expecting {self.call.expect if self.call else '?'})")
        self._back_abort()
