"""Baseline answering-machine detection: the energy/timing method of Asterisk ``app_amd``,
written from its documented parameters (not its code), frame by frame over raw samples.

Each 20 ms frame is silence when its mean absolute sample is below ``silence_threshold``.
Voice frames accumulate into words (a word counts once it lasts ``min_word_length``), and
silence of ``between_words_silence`` ends a word. Decisions, in order of arrival:

* initial silence longer than ``initial_silence`` → MACHINE
* silence after voice longer than ``after_greeting_silence`` → HUMAN
* more than ``maximum_number_of_words`` words → MACHINE
* voice since the first word longer than ``greeting`` → MACHINE
* one word longer than ``maximum_word_length`` → MACHINE
* ``total_analysis_time`` reached → NOTSURE
"""

from __future__ import annotations

import numpy as np


def asterisk_amd(x: np.ndarray, *, initial_silence: int = 2500, greeting: int = 1500,
                 after_greeting_silence: int = 800, total_analysis_time: int = 5000,
                 min_word_length: int = 100, between_words_silence: int = 50,
                 maximum_number_of_words: int = 2, maximum_word_length: int = 5000,
                 silence_threshold: int = 256, frame_ms: int = 20) -> tuple[str, str]:
    """Return ``(status, cause)``: status is ``"MACHINE"``, ``"HUMAN"`` or ``"NOTSURE"``."""
    n = 8 * frame_ms
    silence = 0
    voice = 0
    consecutive_voice = 0
    words = 0
    in_word = False
    in_initial_silence = True
    in_greeting = False
    total = 0
    for i in range(0, len(x) - n + 1, n):
        frame = np.asarray(x[i:i + n], dtype=float)
        total += frame_ms
        if total >= total_analysis_time:
            return "NOTSURE", f"TOOLONG-{total}"
        if np.mean(np.abs(frame)) < silence_threshold:
            silence += frame_ms
            consecutive_voice = 0
            if silence >= between_words_silence and in_word:
                in_word = False
            if in_initial_silence and silence >= initial_silence:
                return "MACHINE", f"INITIALSILENCE-{silence}-{initial_silence}"
            if silence >= after_greeting_silence and in_greeting:
                return "HUMAN", f"HUMAN-{silence}-{after_greeting_silence}"
        else:
            consecutive_voice += frame_ms
            voice += frame_ms
            if consecutive_voice >= min_word_length and not in_word:
                words += 1
                in_word = True
                in_initial_silence = False
                in_greeting = True
                if words > maximum_number_of_words:
                    return "MACHINE", f"MAXWORDS-{words}-{maximum_number_of_words}"
            if in_greeting and voice >= greeting:
                return "MACHINE", f"LONGGREETING-{voice}-{greeting}"
            if consecutive_voice >= maximum_word_length:
                return "MACHINE", f"MAXWORDLENGTH-{consecutive_voice}"
            silence = 0
    return "NOTSURE", "AUDIOENDED"
