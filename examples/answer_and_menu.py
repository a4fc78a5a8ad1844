"""A small IVR on an emulated board: answer, greet, read the caller ID, take a menu choice and
an account number, say goodbye and hang up.

Run it with ``python examples/answer_and_menu.py`` (or ``boardlib demo``): scripted callers
ring the emulated lines and press keys; each call's timeline and a summary are printed.
Set ``BOARDLIB_URL`` to run the same IVR on another board.

The prompts are synthetic speech-like audio (the bank IVR has recorded prompt sets); what
matters here is that they are real audio on the line, interrupted by real DTMF.
"""

from __future__ import annotations

import asyncio
from typing import Any

from boardlib import HangupError
from boardlib.board import Call
from boardlib.emulator.voices import synthetic_speech
from boardlib.media import Silence, Tone

PROMPTS = {
    "welcome": synthetic_speech(2.0, seed=11),       # "Welcome to the bank."
    "menu": synthetic_speech(2.5, seed=12),          # "For balances press 1, for an agent press 2."
    "account": synthetic_speech(2.0, seed=13),       # "Enter your account number, then #."
    "invalid": synthetic_speech(1.2, seed=14),       # "Sorry, that is not a valid choice."
    "thanks": synthetic_speech(1.5, seed=15),        # "Thank you. Goodbye."
}


async def handle_call(call: Call) -> dict[str, Any]:
    """Serve one inbound call; return what happened, for the summary."""
    ch = call.channel
    path: list[str] = []
    outcome: dict[str, Any] = {"number": call.number, "name": call.name, "path": path}
    await ch.answer()
    try:
        await ch.play([PROMPTS["welcome"], Silence(0.2), PROMPTS["menu"]], barge_in=True)
        for _attempt in range(3):
            choice = await ch.get_digits(1, terminators="", first_digit_timeout=5.0)
            if choice.digits in ("1", "2"):
                break
            path.append(f"invalid:{choice.digits or 'none'}")
            await ch.play(PROMPTS["invalid"], barge_in=True)
        else:
            path.append("gave_up")
            await ch.play(PROMPTS["thanks"])
            outcome["result"] = "no_valid_choice"
            return outcome
        path.append(f"menu:{choice.digits}")
        if choice.digits == "1":
            await ch.play(PROMPTS["account"], barge_in=True)
            account = await ch.get_digits(19, terminators="#", first_digit_timeout=8.0,
                                          inter_digit_timeout=4.0)
            outcome["account"] = account.digits
            path.append(f"account:{account.reason.value}")
        else:
            await ch.play(Tone("ringback", seconds=2.0))
            path.append("agent")
        await ch.play(PROMPTS["thanks"])
        outcome["result"] = "completed"
    except HangupError:
        outcome["result"] = "caller_hung_up"
    finally:
        await ch.hangup()
    return outcome


if __name__ == "__main__":
    from boardlib.demo import run_demo

    raise SystemExit(asyncio.run(run_demo(handle_call)))
