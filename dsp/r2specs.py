"""MFC-R2 register signals as data: the two frequency sets and the 2-out-of-6 code.

ITU-T Q.441 (and China No.1 signalling, which uses the same frequencies): each register
signal is two tones out of a set of six, spaced 120 Hz apart.

* Forward signals (Groups I and II, from the outgoing register): 1380, 1500, 1620, 1740,
  1860, 1980 Hz.
* Backward signals (Groups A and B, from the incoming register): 1140, 1020, 900, 780,
  660, 540 Hz.

The fifteen combinations are numbered 1..15 in the standard's order. Frequencies are
listed here by their index ``f0..f5`` in the set (``f0`` is 1380 Hz forward and 1140 Hz
backward); signal ``n`` uses ``f_i + f_j`` with ``i < j`` taken in the order
(0,1) (0,2) (1,2) (0,3) (1,3) (2,3) (0,4) (1,4) (2,4) (3,4) (0,5) (1,5) (2,5) (3,5) (4,5).

This module carries only the physical code. What a signal *means* (digits, categories,
"send next digit", "subscriber busy", ...) depends on the group and the national variant
and belongs to the signalling engine.

China's backward set uses only the four frequencies 1140/1020/900/780 Hz (``f0..f3``), i.e.
signals 1-6 (A1-A6, B1-B6): see :data:`CHINA_BACKWARD_SIGNALS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from boardlib.errors import SignalFormatError

__all__ = [
    "BACKWARD_HZ",
    "CHINA_BACKWARD_SIGNALS",
    "FORWARD_HZ",
    "R2_PAIRS",
    "R2_SIGNAL_CODES",
    "R2Direction",
    "R2ReceiverSpec",
    "R2_RECEIVER_Q441",
    "r2_frequencies",
    "r2_signal",
]

R2Direction = Literal["forward", "backward"]

#: Forward (Group I/II) frequencies f0..f5 in Hz.
FORWARD_HZ: tuple[float, ...] = (1380.0, 1500.0, 1620.0, 1740.0, 1860.0, 1980.0)
#: Backward (Group A/B) frequencies f0..f5 in Hz (descending: f0 is the highest).
BACKWARD_HZ: tuple[float, ...] = (1140.0, 1020.0, 900.0, 780.0, 660.0, 540.0)

#: Index pair (i, j) of the frequencies of signal n, at position n - 1.
R2_PAIRS: tuple[tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3), (0, 4), (1, 4), (2, 4), (3, 4),
    (0, 5), (1, 5), (2, 5), (3, 5), (4, 5),
)

#: Character codes used by common R2 stacks for signals 1..15 (signal 10 is '0', no 'A').
R2_SIGNAL_CODES = "1234567890BCDEF"

#: Backward signals usable on Chinese trunks (four frequencies 1140/1020/900/780 Hz).
CHINA_BACKWARD_SIGNALS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)


def _direction(direction: object) -> tuple[float, ...]:
    if direction == "forward":
        return FORWARD_HZ
    if direction == "backward":
        return BACKWARD_HZ
    raise SignalFormatError(f"direction must be 'forward' or 'backward', got {direction!r}")


def r2_frequencies(signal: int, direction: R2Direction) -> tuple[float, float]:
    """The two frequencies (Hz, lower first) of ``signal`` 1..15 in ``direction``."""
    hz = _direction(direction)
    if not isinstance(signal, int) or isinstance(signal, bool) or not 1 <= signal <= 15:
        raise SignalFormatError(f"signal must be an int within 1..15, got {signal!r}")
    i, j = R2_PAIRS[signal - 1]
    a, b = hz[i], hz[j]
    return (a, b) if a < b else (b, a)


def r2_signal(i: int, j: int) -> int:
    """The signal number (1..15) of the frequency indices ``i`` and ``j`` (0..5, distinct)."""
    key = (min(i, j), max(i, j))
    if key not in R2_PAIRS:
        raise SignalFormatError(f"i and j must be distinct indices within 0..5, got {i!r}, {j!r}")
    return R2_PAIRS.index(key) + 1


@dataclass(frozen=True, slots=True)
class R2ReceiverSpec:
    """Receiver figures of ITU-T Q.441 (section 4.3, multifrequency receiving equipment).

    Attributes
    ----------
    operate_min_dbm0, operate_max_dbm0:
        Each tone must be recognised anywhere in this range (-35 .. -5 dBm0).
    reject_dbm0:
        A tone at or below this level must never be recognised (-38.5 dBm0 is the figure
        used by receiver makers; Q.441 asks for a 3.5 dB margin under the operate range).
    frequency_tolerance_hz:
        Accepted deviation of each tone (+/- 10 Hz).
    twist_adjacent_db, twist_non_adjacent_db:
        Level difference between the two tones that must be accepted (< 5 dB for adjacent
        frequencies, < 7 dB otherwise).
    twist_reject_db:
        Level difference at or above which the pair must not be recognised (20 dB).
    min_reject_ms:
        Two-tone bursts shorter than this are never recognised (7 ms).
    max_gap_ms:
        Interruptions up to this length must not release a recognised signal (7 ms).
    max_operate_release_ms:
        Operate time plus release time (80 ms).
    """

    operate_min_dbm0: float = -35.0
    operate_max_dbm0: float = -5.0
    reject_dbm0: float = -38.5
    frequency_tolerance_hz: float = 10.0
    twist_adjacent_db: float = 5.0
    twist_non_adjacent_db: float = 7.0
    twist_reject_db: float = 20.0
    min_reject_ms: float = 7.0
    max_gap_ms: float = 7.0
    max_operate_release_ms: float = 80.0


R2_RECEIVER_Q441 = R2ReceiverSpec()
