"""MFC-R2 call set-up on emulated E1 spans: ``python -m benchmarks.r2_setup [--json]``.

Options: ``--spans N ...`` (default 1 16), ``--openr2 CALLS`` (the OpenR2 peer below).

Every timeslot of the board sets up a call at the same moment: half of them receive a call
from the emulated exchange (11-digit calling number, 8-digit called number, category), the
other half dial the exchange (8 digits, 11-digit calling number), China No.1 variant. Each
call is answered and cleared. Reported per span count:

* media time per set-up: seizure to answer, mean and worst, in media seconds (what a caller
  waits; set by the compelled MF cycle, not by the CPU). Inbound calls include China's
  end-of-number time-out (the exchange sends no "end of DNIS" signal; the board's register
  waits ``mf_back`` = 2 s before it pulses A6); outbound calls end the number on the
  exchange's numbering plan;
* CPU time per set-up: this process's CPU seconds for the whole run divided by the calls.
  It includes both ends (the board's R2 engines *and* the emulated exchange's registers,
  MF generation and detection in both directions, G.711) and the board's other per-tick work;
* realtime factor: media seconds simulated per CPU second (>= 1 means a single core keeps up
  with the span count in real time).

Peer (``--openr2``, needs gcc and libopenr2-dev): one timeslot's calls are placed by the
board and answered by OpenR2 1.3 (China) running in a helper process on that timeslot
(``tests/oracles/openr2``). Compared per set-up: the CPU of the board's R2 engine of that
channel alone (its CAS, timers, MF generation and detection) and the CPU of the OpenR2
process (its whole channel stack, including the pipe it is driven through, so OpenR2's
figure is an upper bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

SAMPLE_RATE = 8000


async def _setup_all(spans: int) -> dict[str, Any]:
    from boardlib.board import open_board

    async with open_board(f"emu://?lines=0&spans={spans}") as board:
        span = board.driver.span
        n = len(board.channels)
        half = n // 2
        for i in range(half):
            span.place_call(f"138{i:08d}", f"9{i:07d}", category=1)
        for i in range(half, n):
            span.add_callee(f"8{i:07d}", "answer", answer_after=0.0)
        t0 = board.now
        setup_in: list[float] = []

        async def inbound() -> None:
            call = await board.wait_for_call(timeout=120)
            await call.channel.answer()
            setup_in.append((board.now - t0) / SAMPLE_RATE)

        async def outbound(i: int) -> float:
            res = await board.channels[i].dial(f"8{i:07d}", ani=f"021{i:08d}", category=1)
            assert res.connected, res
            return res.samples / SAMPLE_RATE

        cpu = time.process_time()
        got = await asyncio.gather(*[inbound() for _ in range(half)],
                                   *[outbound(i) for i in range(half, n)])
        await asyncio.gather(*[ch.hangup() for ch in board.channels])
        cpu = time.process_time() - cpu
        media = (board.now - t0) / SAMPLE_RATE
        setup_out = [g for g in got if g is not None]
        setups = setup_in + setup_out
        return {"spans": spans, "calls": n, "media_s": round(media, 2),
                "inbound_mean_s": round(sum(setup_in) / len(setup_in), 3),
                "outbound_mean_s": round(sum(setup_out) / len(setup_out), 3),
                "setup_mean_s": round(sum(setups) / len(setups), 3),
                "setup_max_s": round(max(setups), 3),
                "cpu_s": round(cpu, 3), "cpu_ms_per_setup": round(1000 * cpu / n, 3),
                "realtime_factor": round(media / cpu, 2)}


async def _openr2_peer(calls: int) -> dict[str, Any]:
    import resource
    import tempfile
    from pathlib import Path

    from boardlib.board import open_board
    from tests.oracles.openr2.peer import OpenR2Peer, build

    exe = build(Path(tempfile.mkdtemp(prefix="or2peer")))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    async with open_board("emu://?lines=0&spans=1") as board:
        peer = OpenR2Peer(exe, "answer", "8")
        board.driver.span.attach(4, peer)
        ch = board.channels[4]
        sig = ch.signalling
        spent = [0.0]

        def timed(fn: Any) -> Any:
            def run(*args: Any) -> Any:
                t = time.process_time()
                try:
                    return fn(*args)
                finally:
                    spent[0] += time.process_time() - t
            return run

        for name in ("on_rx", "fill", "on_event", "_apply"):
            setattr(sig, name, timed(getattr(sig, name)))
        media = 0.0
        await board.sleep(0.1)  # OpenR2 reads the idle line first
        for i in range(calls):
            res = await ch.dial(f"8{i:07d}", ani="13800138000", answer_timeout=10)
            assert res.connected, res
            media += res.samples / SAMPLE_RATE
            await ch.hangup()
            await board.sleep(0.3)
        peer.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peer_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    ours = 1000 * spent[0] / calls
    theirs = 1000 * peer_cpu / calls
    return {"calls": calls, "setup_mean_s": round(media / calls, 3),
            "boardlib_engine_cpu_ms_per_setup": round(ours, 3),
            "openr2_cpu_ms_per_setup": round(theirs, 3),
            "ratio_openr2_over_boardlib": round(theirs / ours, 2) if ours else None}


def measure(span_counts: tuple[int, ...] = (1, 16)) -> list[dict[str, Any]]:
    return [asyncio.run(_setup_all(s)) for s in span_counts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--spans", type=int, nargs="*", default=[1, 16])
    parser.add_argument("--openr2", type=int, default=0, metavar="CALLS",
                        help="also set up CALLS calls against OpenR2 on one timeslot")
    args = parser.parse_args(argv)
    rows = measure(tuple(args.spans))
    peer = asyncio.run(_openr2_peer(args.openr2)) if args.openr2 else None
    if args.json:
        print(json.dumps({"spans": rows, "openr2": peer}, indent=2))
        return 0
    print(f"{'spans':>5} {'calls':>5} {'set-up mean/max (media s)':>26} {'in/out mean':>12} "
          f"{'CPU ms/set-up':>14} {'media s':>8} {'CPU s':>7} {'x realtime':>10}")
    for r in rows:
        print(f"{r['spans']:>5} {r['calls']:>5} {r['setup_mean_s']:>15.3f} / "
              f"{r['setup_max_s']:<8.3f}"
              f" {r['inbound_mean_s']:>5.2f}/{r['outbound_mean_s']:<5.2f}"
              f" {r['cpu_ms_per_setup']:>14.2f} {r['media_s']:>8.2f} {r['cpu_s']:>7.2f} "
              f"{r['realtime_factor']:>10.2f}")
    if peer:
        print(f"\nagainst OpenR2 on one timeslot, {peer['calls']} calls, set-up "
              f"{peer['setup_mean_s']:.2f} media s: R2 engine CPU per set-up "
              f"{peer['boardlib_engine_cpu_ms_per_setup']:.2f} ms (boardlib) vs "
              f"{peer['openr2_cpu_ms_per_setup']:.2f} ms (OpenR2 process), "
              f"ratio OpenR2/boardlib {peer['ratio_openr2_over_boardlib']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
