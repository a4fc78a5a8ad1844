"""Scale of the IVR: ``python -m benchmarks.ivr_scale [--calls 480] [--profile]``.

N concurrent bank-IVR calls on ``emu://`` (one line each, the virtual clock, one core): every
caller is identified by caller ID, enters the PIN, asks for the balances (host lookups on the
SQLite simulator, prompts built from recorded fragments, say of money amounts), hears them
and hangs up. Prints media seconds per wall second, channel-seconds per wall second, the
calls' results, and with ``--profile`` where the time goes (cProfile, top entries).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from examples.bank_ivr.app import run_bank  # noqa: E402

NUMBERS = [("13800138000", "123456"), ("13900139000", "654321"), ("13700137000", "112233")]
_KEYS = {"13800138000": "1", "13900139000": "2", "13700137000": "1"}  # accounts in each order


def callers(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        number, pin = NUMBERS[i % 3]
        out.append({"number": number, "cid": "dtmf", "at": round((i % 100) * 0.05, 2),
                    "line": i, "script": ["wait 10", f"press {pin}#", "wait 1.5",
                                          f"press {_KEYS[number]}", "wait 1.5", "press 1",
                                          "wait 22", "hangup"]})
    return out


def measure(n: int, profile: bool = False) -> dict[str, Any]:
    lines = n + 2
    wall = time.perf_counter()
    cpu = time.process_time()
    prof = cProfile.Profile() if profile else None
    if prof is not None:
        prof.enable()
    run = asyncio.run(run_bank(callers(n), url=f"emu://?lines={min(lines, 480)}&seed=1",
                               latency=0.3, limit_seconds=600))
    if prof is not None:
        prof.disable()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    results: dict[str, int] = {}
    for r in run.reports:
        results[r.result] = results.get(r.result, 0) + 1
    balance_heard = sum(1 for r in run.reports if "say_balance" in r.path)
    out = {"calls": n, "served": len(run.reports), "balance_heard": balance_heard,
           "results": results, "media_s": round(run.media_seconds, 1), "wall_s": round(wall, 2),
           "cpu_s": round(cpu, 2), "media_per_wall": round(run.media_seconds / wall, 2),
           "media_per_cpu": round(run.media_seconds / cpu, 2),
           "channel_s_per_wall": round(sum(r.duration for r in run.reports) / wall, 1)}
    if prof is not None:
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("tottime").print_stats(18)
        total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
        shares: dict[str, float] = {}
        for (path, _, _), v in stats.stats.items():  # type: ignore[attr-defined]
            key = next((k for k in ("boardlib/ivr", "bank_ivr", "emulator", "dsp", "boardlib")
                        if k in path), "other")
            shares[key] = shares.get(key, 0.0) + v[2]
        out["time_share"] = {k: f"{100 * v / total:.1f} %" for k, v in
                             sorted(shares.items(), key=lambda kv: -kv[1])}
        out["profile"] = buf.getvalue()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=480)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    if args.calls > 478:
        print("emu:// has at most 480 lines; the last calls share lines with the agent line",
              file=sys.stderr)
    res = measure(args.calls, args.profile)
    prof = res.pop("profile", None)
    for k, v in res.items():
        print(f"{k:>20}: {v}")
    if prof:
        print(prof)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
