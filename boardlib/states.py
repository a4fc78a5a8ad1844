"""Closed sets of the channel API: channel states, termination reasons, hang-up causes.

Termination reasons follow Dialogic's ``TM_*`` vocabulary (the first condition met ends an
operation and is reported); hang-up causes carry their ITU-T Q.850 numbers. Call-progress
results (:class:`CallResult`) come from :mod:`boardlib.dsp.progress` and are re-exported.
"""

from __future__ import annotations

import enum

__all__ = ["ChannelState", "TermReason", "HangupCause"]


class ChannelState(enum.Enum):
    """Where a channel is in a call (FreeTDM's state names)."""

    IDLE = "idle"  #: on-hook, no call
    RINGING = "ringing"  #: an inbound call is ringing the channel
    OFFHOOK = "offhook"  #: seized, no call established yet (outbound, before dialling)
    DIALING = "dialing"  #: sending digits / analysing call progress
    CONNECTED = "connected"  #: a call is up: media operations allowed
    HUNGUP = "hungup"  #: the far end cleared; the application must hang up to free the channel
    BLOCKED = "blocked"  #: out of service (span alarm, board removed)


class TermReason(enum.Enum):
    """Why a media operation ended (Dialogic ``TM_*``)."""

    END_OF_DATA = "end_of_data"  #: the prompt ended (TM_EOD)
    MAX_DIGITS = "max_digits"  #: the requested number of digits arrived (TM_MAXDTMF)
    TERMINATOR = "terminator"  #: a terminator key was pressed (TM_DIGIT)
    DIGIT = "digit"  #: a digit interrupted a prompt (barge-in, TM_DIGIT)
    FIRST_DIGIT_TIMEOUT = "first_digit_timeout"  #: nothing pressed in time
    INTER_DIGIT_TIMEOUT = "inter_digit_timeout"  #: the gap after a digit was too long (TM_IDDTIME)
    MAX_TIME = "max_time"  #: the operation's overall limit (TM_MAXTIME)
    MAX_SILENCE = "max_silence"  #: silence lasted too long while recording (TM_MAXSIL)
    STOPPED = "stopped"  #: stopped by the application (TM_USRSTOP)
    HANGUP = "hangup"  #: the far end hung up (TM_LCOFF); reported by raising HangupError


class HangupCause(enum.IntEnum):
    """Why a call ended, numbered as ITU-T Q.850 does."""

    UNALLOCATED_NUMBER = 1
    NORMAL_CLEARING = 16
    USER_BUSY = 17
    NO_USER_RESPONSE = 18
    NO_ANSWER = 19
    CALL_REJECTED = 21
    DESTINATION_OUT_OF_ORDER = 27
    NORMAL_UNSPECIFIED = 31
    NO_CIRCUIT_AVAILABLE = 34
    NETWORK_OUT_OF_ORDER = 38
    TEMPORARY_FAILURE = 41
    SWITCH_CONGESTION = 42
    RECOVERY_ON_TIMER_EXPIRY = 102
    PROTOCOL_ERROR = 111
