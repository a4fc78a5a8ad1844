"""The main job: scripted callers calling an IVR on an emulated board, with a report.

:func:`run_demo` opens ``emu://`` (or ``$BOARDLIB_URL``), schedules :data:`DEFAULT_CALLERS` on
the emulated exchange, serves every inbound call with the given handler, and prints each
call's timeline (what the exchange did on the line, what the IVR did) and a summary table
that checks the IVR received what the callers sent: caller ID and keys.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from .board import Board, Call, open_board
from .errors import BoardTimeoutError

__all__ = ["DEFAULT_CALLERS", "run_demo", "serve"]

Handler = Callable[[Call], Awaitable[dict[str, Any]]]

#: The callers of the demo: quick and slow key presses, DTMF and FSK caller ID, a withheld
#: number that never answers the menu, and a caller who hangs up halfway.
DEFAULT_CALLERS: list[dict[str, Any]] = [
    {
        "number": "13800138000",
        "name": "ZHANG SAN",
        "cid": "fsk",
        "at": 0.0,
        "script": ["wait 4.0", "press 1", "wait 2.5", "press 6222021234567890#"],
    },
    {"number": "13912345678", "cid": "dtmf", "at": 0.5, "script": ["wait 1.5", "press 2"]},
    {"number": None, "cid": "fsk", "at": 1.0, "script": []},
    {
        "number": "13700137000",
        "name": "LI SI",
        "cid": "fsk",
        "cid_standard": "v23",
        "at": 1.5,
        "script": ["wait 5.0", "press 1", "wait 2.0", "press 6222", "wait 0.5", "hangup"],
    },
    {
        "number": "13600136000",
        "name": "WANG WU",
        "cid": "dtmf",
        "at": 12.0,
        "script": ["wait 1.0", "press 9", "wait 2.0", "press 1", "wait 2.5", "press 4000123456#"],
    },
    {"number": "02112345678", "cid": "none", "at": 16.0, "script": ["wait 3", "press 2"]},
]


async def serve(
    board: Board, handler: Handler, done: Callable[[], bool], limit_seconds: float
) -> list[tuple[Call, dict[str, Any]]]:
    """Answer calls with ``handler`` until ``done()`` (checked every media second) or the
    limit; return each call with the handler's result."""
    results: list[tuple[Call, dict[str, Any]]] = []

    async def run(call: Call) -> None:
        try:
            results.append((call, await handler(call)))
        except Exception as exc:  # one failing call never takes the others down
            results.append((call, {"result": f"error: {exc}"}))

    tasks: set[asyncio.Task[None]] = set()
    while not done() and board.seconds < limit_seconds:
        try:
            call = await board.wait_for_call(timeout=1.0)
        except BoardTimeoutError:
            continue
        task = asyncio.get_running_loop().create_task(run(call))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    return results


async def run_demo(
    handler: Handler,
    url: str | None = None,
    callers: list[Any] | None = None,
    callees: list[Any] | None = None,
    as_json: bool = False,
    limit_seconds: float = 600.0,
) -> int:
    """Run the demo; print the timelines and the summary; return an exit status (0 when
    every call's caller ID and keys arrived intact).

    ``callers`` are :class:`~boardlib.emulator.parties.Caller` objects or dicts of their
    fields (default :data:`DEFAULT_CALLERS`); ``callees`` are made reachable for dialling.
    """
    from .emulator.parties import Caller

    chosen = [
        c if isinstance(c, Caller) else Caller(**c)
        for c in (callers if callers is not None else DEFAULT_CALLERS)
    ]
    board = open_board(url or "emu://?lines=4&seed=1")
    async with board:
        exchange = board.driver.exchange  # type: ignore[attr-defined]
        for callee in callees or []:
            exchange.add_callee(callee)
        for caller in chosen:
            exchange.place_call(caller)
        total = len(chosen)

        def done() -> bool:
            res = exchange.results
            return (
                len(res) >= total
                and all(r["outcome"] != "pending" for r in res.values())
                and all(ln.state == "idle" for ln in exchange.lines)
            )

        served = await serve(board, handler, done, limit_seconds)
        media_seconds = board.seconds
    report = _report(exchange, served, media_seconds)
    if as_json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        _print(report)
    return 0 if report["ok"] else 1


def _report(
    exchange: Any, served: list[tuple[Call, dict[str, Any]]], media_seconds: float
) -> dict[str, Any]:
    by_line_start: dict[int, list[tuple[Call, dict[str, Any]]]] = {}
    for call, outcome in served:
        by_line_start.setdefault(call.channel.index, []).append((call, outcome))
    calls = []
    ok = True
    for call_id, r in sorted(exchange.results.items()):
        line = r.get("line")
        entry: dict[str, Any] = {
            "call": call_id,
            "caller": r.get("caller"),
            "line": line,
            "sent_number": r.get("number"),
            "pressed": r.get("pressed", ""),
            "exchange_outcome": r["outcome"],
            "start_s": round(r.get("start", 0) / 8000, 2),
            "end_s": round(r["end"] / 8000, 2) if "end" in r else None,
            "timeline": [
                {"t": round(e.seconds, 3), "what": e.what, "detail": e.detail}
                for e in exchange.timeline
                if e.line == line and r.get("start", 0) <= e.sample <= r.get("end", 1 << 62)
            ],
        }
        match = None
        for call, outcome in by_line_start.get(line, []):
            if call.start_sample >= r.get("start", 0) and (match is None):
                if "end" not in r or call.start_sample <= r["end"]:
                    match = (call, outcome)
        if match is not None:
            call, outcome = match
            entry.update(ivr_number=call.number, ivr_name=call.name, ivr=outcome)
            checks = []
            expected = None if r.get("cid") == "none" else r.get("number")
            if expected != call.number:
                checks.append("caller ID differs")
            acct = outcome.get("account")
            if (
                acct is not None
                and not r.get("pressed", "").endswith(acct + "#")
                and acct not in r.get("pressed", "")
            ):
                checks.append("account differs")
            entry["check"] = "ok" if not checks else "; ".join(checks)
            ok = ok and not checks
        else:
            entry["check"] = (
                "not offered" if r["outcome"] not in ("abandoned", "all_lines_busy") else "ok"
            )
            ok = ok and entry["check"] == "ok"
        calls.append(entry)
    return {"media_seconds": round(media_seconds, 2), "calls": calls, "ok": ok}


def _print(report: dict[str, Any]) -> None:
    for c in report["calls"]:
        print(f"\ncall {c['call']}: {c['caller']} on line {c['line']}")
        for e in c["timeline"]:
            print(f"  {e['t']:8.2f} s  {e['what']:<12} {e['detail']}")
        if "ivr" in c:
            print(
                f"  IVR: caller ID {c['ivr_number']!r} {c.get('ivr_name') or ''}, "
                f"path {' > '.join(c['ivr'].get('path', []))}, result {c['ivr'].get('result')}"
            )
    print("\nsummary")
    head = (f"{'call':>4} {'line':>4} {'caller':<14} {'caller ID seen':<16} "
            f"{'keys pressed':<22} {'IVR result':<16} check")
    print(head)
    print("-" * len(head))
    for c in report["calls"]:
        ivr = c.get("ivr", {})
        print(
            f"{c['call']:>4} {str(c['line']):>4} {str(c['caller']):<14} "
            f"{str(c.get('ivr_number', '-')):<16} {c['pressed'] or '-':<22} "
            f"{str(ivr.get('result', c['exchange_outcome'])):<16} {c['check']}"
        )
    print(
        f"\n{len(report['calls'])} calls in {report['media_seconds']} media seconds: "
        f"{'all checks passed' if report['ok'] else 'CHECKS FAILED'}"
    )
