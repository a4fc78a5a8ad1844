"""Prompt sets: one directory per language of 8 kHz WAV fragments, loaded once and shared.

``<prompt dir>/<lang>/<name>.wav``; a prompt item in a flow is a fragment name, a ``say``
item (``{say = "money", value = "$balance"}``), ``{silence = 0.3}`` or ``{text = "..."}``
(spoken by the engine's text-to-speech hook at run time).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from ..audiofile import read_audio
from ..errors import SignalFormatError

__all__ = ["ENGINE_WORDS", "SHORTCUT_WORDS", "PromptSet", "menu_fragments",
           "shortcut_fragments"]

#: The engine's own fragments (menu composition, retries, confirmation, apologies).
ENGINE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "press": "请按", "no_input": "对不起，您没有输入。", "invalid": "对不起，您的输入有误。",
        "apology": "对不起，系统暂时无法为您服务，请稍后再拨。",
        "goodbye": "谢谢您的来电，再见。", "you_entered": "您输入的是",
        "confirm_keys": "确认请按一，重新输入请按二。",
        "transferring": "正在为您转接人工服务，请稍候。",
        "host_failed": "对不起，交易暂时无法完成。", "beep": "嘀",
    },
    "en": {
        "for": "for", "press": "press", "no_input": "Sorry, I did not hear a key.",
        "invalid": "Sorry, that is not a valid entry.",
        "apology": "Sorry, we cannot serve you right now. Please call again later.",
        "goodbye": "Thank you for calling. Goodbye.", "you_entered": "You entered",
        "confirm_keys": "To confirm, press 1. To enter again, press 2.",
        "transferring": "Please hold while we transfer you to an agent.",
        "host_failed": "Sorry, the transaction could not be completed.", "beep": "beep",
    },
}


#: The fragments of menus with shortcuts ("for your usual X, press 1"; "for other services,
#: press N"), needed only by flows with such a menu.
SHORTCUT_WORDS: dict[str, dict[str, str]] = {
    "zh": {"usual": "您常用的", "other_services": "其他服务"},
    "en": {"usual": "your usual", "other_services": "other services"},
}


def menu_fragments(label_prompt: str, key: int, lang: str) -> list[str]:
    """"For <function>, press <key>": the function is said before the key."""
    if lang == "zh":
        return [label_prompt, "press", f"n{key}"]
    return ["for", label_prompt, "press", f"n{key}"]


def shortcut_fragments(prompt: str, key: int, lang: str) -> list[str]:
    """"For your usual <item>, press <key>": a stored shortcut, said like an option."""
    if lang == "zh":
        return ["usual", prompt, "press", f"n{key}"]
    return ["for", "usual", prompt, "press", f"n{key}"]


class PromptSet:
    """The fragments of one prompt directory, read on first use and kept as PCM arrays."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def path(self, lang: str, name: str) -> Path:
        return self.root / lang / f"{name}.wav"

    def exists(self, lang: str, name: str) -> bool:
        return self.path(lang, name).is_file()

    def problem(self, lang: str, name: str) -> str | None:
        """Why ``name`` cannot be played in ``lang`` (missing, wrong format), else None."""
        p = self.path(lang, name)
        if not p.is_file():
            return f"prompt {name!r} missing for language {lang!r} ({p.name} not in {p.parent})"
        try:
            self.pcm(lang, name)
        except (SignalFormatError, OSError) as exc:
            return f"prompt {name!r} ({lang}) has the wrong format: {exc}"
        return None

    def pcm(self, lang: str, name: str) -> np.ndarray:
        key = (lang, name)
        got = self._cache.get(key)
        if got is None:
            audio = read_audio(self.path(lang, name))
            if audio.sample_rate != 8000:
                raise SignalFormatError(f"{self.path(lang, name)}: prompts must be 8 kHz")
            got = np.ascontiguousarray(audio.pcm(), dtype=np.int16)
            got.setflags(write=False)
            with self._lock:
                self._cache[key] = got
        return got
