"""Scale of the board layer: ``python -m benchmarks.board_scale [--lines 480] [--seconds 60]``.

480 analog lines on ``emu://`` with the virtual clock. On every line a scripted caller calls,
the application answers, plays a prompt, collects four digits and a terminator, and hangs
up; the caller calls again a little later, for ``--seconds`` of media time. DTMF detection
runs on every channel every tick (the bank), caller ID on idle lines with signal.

Prints media seconds per wall second on one core, calls completed, and where the time went
(the DSP kernels, the emulated board and exchange, and the Python engine), from a profile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time

import numpy as np

from boardlib import HangupError
from boardlib.board import Call, open_board
from boardlib.emulator.parties import Caller

PROMPT = (np.sin(2 * np.pi * 400 * np.arange(8000) / 8000) * 3000).astype(np.int16)


async def handler(call: Call, stats: dict[str, int]) -> None:
    ch = call.channel
    try:
        await ch.answer()
        await ch.play(PROMPT, barge_in=True)
        res = await ch.get_digits(4, terminators="#", first_digit_timeout=5, inter_digit_timeout=3)
        stats["digits_ok" if res.digits == "1234" else "digits_bad"] += 1
    except HangupError:
        stats["hangups"] += 1
    finally:
        await ch.hangup()
    stats["calls"] += 1


async def scenario(lines: int, seconds: float) -> tuple[float, dict[str, int], float]:
    stats = {"calls": 0, "digits_ok": 0, "digits_bad": 0, "hangups": 0}
    async with open_board(f"emu://?lines={lines}&seed=1") as board:
        ex = board.driver.exchange
        period = 14.0  # each line: a call every 14 media seconds
        for line in range(lines):
            start = (line % 50) * 0.1
            t = start
            while t + period <= seconds:
                ex.place_call(Caller("138" + f"{line:08d}", cid="dtmf", at=t, line=line,
                                     script=["wait 1.2", "press 1234#"]))
                t += period
        tasks: set[asyncio.Task[None]] = set()
        wall = time.perf_counter()
        cpu = time.process_time()
        while board.seconds < seconds:
            try:
                call = await board.wait_for_call(timeout=1.0)
            except Exception:
                continue
            task = asyncio.get_running_loop().create_task(handler(call, stats))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        media = board.seconds
        stats["timing"] = dict(board.timing)  # type: ignore[assignment]
        stats["timing"]["wall"] = wall  # type: ignore[index]
    stats["wall_speed"] = media / wall  # type: ignore[assignment]
    return media / cpu, stats, media


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=480)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--profile", action="store_true", help="print where the time goes")
    args = p.parse_args(argv)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
    speed, stats, media = asyncio.run(scenario(args.lines, args.seconds))
    if args.profile:
        prof.disable()
    print(f"{args.lines} lines, {media:.1f} media seconds: {speed:.1f}x real time per CPU core "
          f"({stats.pop('wall_speed'):.1f}x by the wall clock); "
          f"calls {stats['calls']}, digits right {stats['digits_ok']}, "
          f"wrong {stats['digits_bad']}, "
          f"hang-ups {stats['hangups']}")
    t = stats.pop("timing")  # type: ignore[arg-type]
    wall = t["wall"]  # type: ignore[index]
    print(f"  DSP banks and codecs (compiled, GIL released)  {100 * t['dsp'] / wall:5.1f} %")
    print(f"  board driver reads/writes (C via cffi)         {100 * t['driver'] / wall:5.1f} %")
    print(f"  media engine, Python part                      "
          f"{100 * (t['tick'] - t['dsp'] - t['driver']) / wall:5.1f} %")
    print(f"  outside the engine: exchange, application, asyncio "
          f"{100 * (wall - t['tick']) / wall:5.1f} %")
    if args.profile:
        st = pstats.Stats(prof)
        st.sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
