"""Interop with OpenR2 (libopenr2 1.3, China variant) on timeslots of the emulated span.

A helper process links the static ``libopenr2.a`` with its device calls wrapped
(``tests/oracles/openr2``): OpenR2 believes it drives a DAHDI CAS channel, while its ABCD
bits and A-law audio travel to the emulated span, which hands them to the board. Both
directions of China No.1 calls run between OpenR2 and the board's R2 engine, several
timeslots at once, and both ends must agree on each call's calling number, called number,
category, outcome, answer and clear.

A calling OpenR2 loads ``cn_forward_ani.conf`` (:data:`CN_FORWARD_ANI`): stock OpenR2 1.3
takes every A1 as "next DNIS digit", so in China, where A1 after the category (KA) asks for
the next calling-number digit, it never sends the calling number. The file only changes
how OpenR2 tracks that state, not a signal on the line; the stock behaviour is pinned down
below, against OpenR2 itself and against the board.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from boardlib import HangupError
from boardlib.board import Board, Call, Channel, open_board
from boardlib.dsp.progress import CallResult
from boardlib.states import ChannelState, HangupCause
from tests.conftest import require_tool
from tests.oracles.openr2.peer import CN_FORWARD_ANI, LIBOPENR2, OpenR2Peer, build

URL = "emu://?lines=0&spans=1"
PROTOCOL = f"protocol={CN_FORWARD_ANI}"
#: OpenR2 category name -> (Group II signal, the name OpenR2 reports)
CATEGORIES = {
    "NATIONAL_SUBSCRIBER": (1, "National Subscriber"),
    "NATIONAL_PRIORITY_SUBSCRIBER": (2, "National Priority Subscriber"),
    "INTERNATIONAL_SUBSCRIBER": (7, "International Subscriber"),
    "INTERNATIONAL_PRIORITY_SUBSCRIBER": (9, "International Priority Subscriber"),
}
HOLD = 0.8  # seconds between the answer and the clear


@pytest.fixture(scope="module")
def or2peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc = require_tool("gcc")
    if not LIBOPENR2.exists():
        message = f"{LIBOPENR2} is missing (apt-get install libopenr2-dev)"
        if os.environ.get("BOARDLIB_ALLOW_MISSING_ORACLES") == "1":
            pytest.skip(message)
        pytest.fail(message)
    return build(tmp_path_factory.mktemp("openr2"), cc)


def run(peers: dict[int, OpenR2Peer], body: Callable[[Board], Awaitable[Any]]) -> Any:
    """Open the board, put each OpenR2 peer on its timeslot, run ``body``, close the peers."""
    async def main() -> Any:
        async with open_board(URL) as board:
            for ch, peer in peers.items():
                board.driver.span.attach(ch, peer)
            try:
                return await body(board)
            finally:
                for peer in peers.values():
                    peer.close()

    return asyncio.run(asyncio.wait_for(main(), timeout=120))


def machine_state(board: Board, index: int) -> str:
    state: str = board.channels[index].signalling.machine.state  # type: ignore[union-attr]
    return state


# --------------------------------------------------------------------------- OpenR2 calls

#: (ANI or "-" for restricted, DNIS, OpenR2 category, who clears after the answer)
INBOUND = [
    ("13800138000", "8001", "NATIONAL_SUBSCRIBER", "openr2"),
    ("7", "5", "NATIONAL_PRIORITY_SUBSCRIBER", "board"),
    ("02161234567", "95588123", "INTERNATIONAL_SUBSCRIBER", "openr2"),
    ("-", "112", "NATIONAL_SUBSCRIBER", "board"),
    ("", "10086", "NATIONAL_SUBSCRIBER", "openr2"),
    ("861065529988123", "12345678901234567890", "INTERNATIONAL_PRIORITY_SUBSCRIBER", "board"),
    ("98765432109876543210", "0", "NATIONAL_SUBSCRIBER", "openr2"),
    ("2", "4006", "NATIONAL_PRIORITY_SUBSCRIBER", "board"),
]


async def hold_and_clear(board: Board, ch: Channel, clear: str | None) -> Any:
    """After the answer: wait for OpenR2 to clear back (``"openr2"``: the channel's state and
    the hang-up cause) or hold the call and clear from the board (``"board"``: the state and
    None); a call that was never answered (``None``) is only hung up. The board hangs up."""
    far: Any = None
    if clear == "openr2":
        with pytest.raises(HangupError) as err:
            await ch.get_digits(4, first_digit_timeout=10)
        far = (ch.state, err.value.cause)  # type: ignore[attr-defined]
    elif clear == "board":
        await board.sleep(HOLD)
        far = (ch.state, None)
    await ch.hangup()
    return far


def test_openr2_places_china_calls_and_the_board_agrees_on_every_one(or2peer: Path) -> None:
    """Eight OpenR2 channels call the board at once: calling numbers of 0 (none), 1, 2, 11,
    15 and 20 digits and a restricted one; called numbers of 1 to 20 digits (20 is the
    board's limit, the others end on its time-out, China having no end-of-DNIS signal); four
    categories; either end clears."""
    channels = list(range(2, 2 + len(INBOUND)))
    hold = {"openr2": f"{HOLD * 1000:.0f}", "board": "-1"}
    peers = {ch: OpenR2Peer(or2peer, "call", ani, dnis, hold[clear], f"category={cat}", PROTOCOL)
             for ch, (ani, dnis, cat, clear) in zip(channels, INBOUND, strict=True)}
    clears = {ch: case[3] for ch, case in zip(channels, INBOUND, strict=True)}

    async def take(board: Board, call: Call) -> tuple[Call, Any]:
        ch = call.channel
        await ch.answer()
        far = await hold_and_clear(board, ch, clears[ch.index])
        return call, far

    async def body(board: Board) -> Any:
        tasks = []
        for _ in peers:
            call = await board.wait_for_call(timeout=30)
            tasks.append(asyncio.ensure_future(take(board, call)))
        done = await asyncio.gather(*tasks)
        await board.sleep(0.5)
        return done, {ch: machine_state(board, ch) for ch in peers}

    done, states = run(peers, body)
    got = {call.channel.index: (call, far) for call, far in done}
    assert sorted(got) == channels
    for ch, (ani, dnis, cat, clear) in zip(channels, INBOUND, strict=True):
        call, (state, cause) = got[ch]
        assert call.direction == "inbound"
        assert call.dnis == dnis, ch
        assert call.number == (ani if ani not in ("-", "") else None), ch
        assert call.data["ani_restricted"] is (ani == "-"), ch
        assert call.data["category"] == call.data["kd"] == CATEGORIES[cat][0], ch
        names = peers[ch].names()
        assert "answered" in names, (ch, names)
        if clear == "openr2":  # clear forward: the board hears it
            assert "hangup" in names and state is ChannelState.HUNGUP, (ch, names)
            assert cause is HangupCause.NORMAL_CLEARING
        else:  # clear back: OpenR2 hears it
            assert "disconnect Normal Clearing" in names and state is ChannelState.CONNECTED
        assert names[-1] == "end" and "protocol_error" not in " ".join(names), (ch, names)
    assert set(states.values()) == {"idle"}


def test_stock_openr2_never_sends_the_calling_number_and_the_board_goes_on(
        or2peer: Path) -> None:
    """Without the protocol file OpenR2 answers the board's A1 after KA with nothing (its
    DNIS is spent): the board waits out the register cycle, carries on without a calling
    number and completes the call."""
    ch = 4
    peer = OpenR2Peer(or2peer, "call", "13800138000", "8001", "1000")

    async def body(board: Board) -> Any:
        call = await board.wait_for_call(timeout=30)
        await call.channel.answer()
        with pytest.raises(HangupError) as err:
            await call.channel.get_digits(4, first_digit_timeout=10)
        await call.channel.hangup()
        await board.sleep(0.5)
        return call, err.value, machine_state(board, ch)

    call, err, state = run({ch: peer}, body)
    assert call.channel.index == ch
    assert call.dnis == "8001" and call.data["category"] == 1
    assert call.number is None and call.data["ani_restricted"]
    assert err.cause is HangupCause.NORMAL_CLEARING
    names = peer.names()
    assert "answered" in names and names[-1] == "end"
    assert state == "idle"


# --------------------------------------------------------------------------- board calls

#: (DNIS, ANI or None, category, OpenR2 get_ani_first, OpenR2 outcome, who clears)
OUTBOUND = [
    ("8001", "13800138000", 1, 1, "answer", "board"),
    ("5", "7", 2, 0, "answer", "openr2"),
    ("95588123", "02161234567", 7, 0, "answer", "board"),
    ("112", None, 1, 1, "answer", "openr2"),
    ("10086", "", 9, 0, "answer", "board"),
    ("12345678901234567890", "861065529988123", 1, 1, "busy", None),
    ("0", "98765432109876543210", 2, 0, "unallocated", None),
    ("4006", "2", 1, 1, "congestion", None),
]
RESULTS = {"answer": CallResult.ANSWERED_HUMAN, "busy": CallResult.BUSY,
           "unallocated": CallResult.SIT, "congestion": CallResult.CONGESTION}


def test_board_places_china_calls_and_openr2_agrees_on_every_one(or2peer: Path) -> None:
    """The board calls eight OpenR2 channels at once, which ask for the calling number
    after the first called digit (OpenR2's China default) or after the whole called number;
    they answer (either end clears) or refuse the call as busy, unallocated or congested."""
    channels = list(range(2, 2 + len(OUTBOUND)))
    hold = {"openr2": f"hold={HOLD * 1000:.0f}", "board": "hold=-1", None: "hold=-1"}
    peers = {ch: OpenR2Peer(or2peer, "answer", str(len(dnis)), f"ani_first={first}",
                            f"outcome={outcome}", hold[clear])
             for ch, (dnis, _, _, first, outcome, clear) in zip(channels, OUTBOUND, strict=True)}

    async def place(board: Board, index: int, dnis: str, ani: str | None, cat: int,
                    clear: str | None) -> tuple[Any, Any]:
        ch = board.channels[index]
        res = await ch.dial(dnis, ani=ani, category=cat, answer_timeout=10)
        far = await hold_and_clear(board, ch, clear)
        return res, far

    async def body(board: Board) -> Any:
        await board.sleep(0.1)
        done = await asyncio.gather(*(
            place(board, ch, dnis, ani, cat, clear)
            for ch, (dnis, ani, cat, _, _, clear) in zip(channels, OUTBOUND, strict=True)))
        await board.sleep(0.5)
        return done, {ch: machine_state(board, ch) for ch in peers}

    done, states = run(peers, body)
    for ch, (dnis, ani, cat, _, outcome, clear), (res, far) in zip(channels, OUTBOUND, done,
                                                                      strict=True):
        names = peers[ch].names()
        name = next(label for sig, label in CATEGORIES.values() if sig == cat)
        shown = "-" if ani is None else ani
        assert f"offered ani={shown} dnis={dnis} category={name}" in names, (ch, names)
        assert res.result is RESULTS[outcome], (ch, res)
        if outcome == "answer":
            assert "answering" in names
            state, cause = far
            if clear == "openr2":  # clear back: the board hears it
                assert "hangup" in names and state is ChannelState.HUNGUP, (ch, names)
                assert cause is HangupCause.NORMAL_CLEARING
            else:  # clear forward: OpenR2 hears it
                assert state is ChannelState.CONNECTED
                assert "disconnect Normal Clearing" in names, (ch, names)
        else:
            assert "answering" not in names, (ch, names)
        assert names[-1] == "end" and "protocol_error" not in " ".join(names), (ch, names)
    assert set(states.values()) == {"idle"}


# --------------------------------------------------------------------------- OpenR2 alone

def pair(exe: Path, call: list[str], answer: list[str], ticks: int = 500) -> tuple[list[str],
                                                                                   list[str]]:
    """Two OpenR2 channels wired back to back for ``ticks`` 20 ms ticks."""
    a = OpenR2Peer(exe, "call", *call)
    b = OpenR2Peer(exe, "answer", *answer)
    silence = np.full(160, 0xD5, np.uint8)
    a_bits, a_audio, b_bits, b_audio = 0xB, silence, 0xB, silence
    try:
        for _ in range(ticks):
            next_a = a.exchange(b_bits, b_audio)
            b_bits, b_audio = b.exchange(a_bits, a_audio)
            a_bits, a_audio = next_a
    finally:
        a.close()
        b.close()
    return a.names(), b.names()


@pytest.mark.parametrize("ani_first", ["1", "0"])
def test_openr2_needs_the_protocol_file_to_complete_a_china_call_with_itself(
        or2peer: Path, ani_first: str) -> None:
    """The protocol file is what lets OpenR2's calling side follow China No.1, not a bend
    toward the board: a stock OpenR2 receiver fails a stock OpenR2 caller (the calling
    number never comes), and takes the call from a caller with the file."""
    call = ["13800138000", "8001", "500"]
    answer = ["4", f"ani_first={ani_first}"]
    caller, callee = pair(or2peer, call, answer)
    assert any(n.startswith("protocol_error") for n in callee), callee
    assert not any(n.startswith("offered") for n in callee), callee
    caller, callee = pair(or2peer, call + [PROTOCOL], answer)
    assert "offered ani=13800138000 dnis=8001 category=National Subscriber" in callee, callee
    assert "answered" in caller and caller[-1] == "end" and callee[-1] == "end"
    assert not any(n.startswith("protocol_error") for n in caller + callee)
