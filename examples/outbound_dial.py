"""Outbound calls with call-progress analysis: an automatic callback list.

A bank calls back customers whose calls failed (the seed's automatic callback): for each
number the board seizes a line, dials in DTMF and listens to the line until it knows what
happened — a person answered, an answering machine, busy, no answer, a vacant number (SIT),
congestion, a fax machine. A person hears a short message; a machine gets a message after
the beep; everything else is rescheduled.

On ``emu://`` the exchange's scripted callees stand behind the numbers. Run it with
``python examples/outbound_dial.py``; ``BOARDLIB_URL`` picks another board.
"""

from __future__ import annotations

import asyncio
import os

from boardlib.board import open_board
from boardlib.dsp.progress import CallResult
from boardlib.emulator.parties import Callee
from boardlib.emulator.voices import synthetic_speech
from boardlib.media import Silence

CALLBACKS = {
    "13800138000": "human",
    "13912345678": "machine",
    "13700137000": "busy",
    "13600136000": "no_answer",
    "02112345678": "vacant",
    "01087654321": "fax",
    "02588888888": "congestion",
}
MESSAGE = synthetic_speech(2.0, seed=21)  # "This is your bank calling back about your request."


async def main() -> int:
    url = os.environ.get("BOARDLIB_URL") or "emu://?lines=2&seed=3"
    retry = []
    async with open_board(url) as board:
        if url.startswith("emu://"):
            for number, behaviour in CALLBACKS.items():
                board.driver.exchange.add_callee(Callee(number, behaviour, rings=2))
        for number in CALLBACKS:
            ch = board.idle_channel()
            outcome = await ch.dial(number, max_rings=4)
            took = outcome.samples / 8000
            print(f"{number:<12} {outcome.result.value:<18} confidence {outcome.confidence:.2f} "
                  f"after {took:5.1f} s")
            if outcome.result is CallResult.ANSWERED_HUMAN:
                await ch.play(MESSAGE)
            elif outcome.result is CallResult.ANSWERING_MACHINE:
                await ch.play([Silence(1.5), MESSAGE])  # after the greeting and its beep
            else:
                retry.append(number)
            if ch.state.value != "idle":
                await ch.hangup()
        print(f"\nto call again later: {', '.join(retry) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
