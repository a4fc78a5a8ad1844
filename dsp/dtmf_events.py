"""The event reported by the DTMF receivers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DtmfDigit"]


@dataclass(frozen=True, slots=True)
class DtmfDigit:
    """One DTMF digit, reported when it has ended.

    Attributes
    ----------
    digit:
        One of ``"0123456789*#ABCD"``.
    sample:
        Absolute index (on the channel's timeline) of the first sample of the tone.
    duration:
        Length of the tone in samples (8 kHz).
    low_dbm0, high_dbm0:
        Measured level of the low-group (row) and high-group (column) tone, in dBm0.
    channel:
        Channel of a bank, or -1 for a single-channel detector.
    """

    digit: str
    sample: int
    duration: int
    low_dbm0: float
    high_dbm0: float
    channel: int = -1
