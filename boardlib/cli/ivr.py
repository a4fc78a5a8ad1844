"""``boardlib ivr``: check flow files before deployment, or run one on an emulated board.

``boardlib ivr check FLOW...`` prints ``file:line: error|warning: code: message`` for every
problem and exits 1 when there is an error (an unreachable step is a warning).
``boardlib ivr run FLOW --scenario CALLERS.toml`` runs the flow on
``emu://`` for the scenario's callers and prints each call's report (the host is a Python
callable named ``module:attribute``, or none: host steps then take their failure branch).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from pathlib import Path
from typing import Any

from ._output import print_json


def run_check(args: argparse.Namespace) -> int:
    from ..ivr import check_flow

    problems = 0
    report = {}
    for path in args.flows:
        issues = check_flow(path, prompts=not args.no_prompts)
        problems += sum(1 for i in issues if i.error)
        report[str(path)] = [{"line": i.line, "code": i.code, "error": i.error,
                              "message": i.message} for i in issues]
        if not args.json:
            for issue in issues:
                print(issue)
    if args.json:
        print_json({"flows": report, "problems": problems})
    elif problems == 0:
        print(f"{len(args.flows)} flow file(s) checked: no errors")
    return 1 if problems else 0


def _load_host(spec: str | None, sleep: Any) -> Any:
    """The host callable ``module:attribute``; a class is instantiated, with the board's
    media-time ``sleep`` when its constructor takes one (so simulated latency follows the
    virtual clock)."""
    if not spec:
        return None
    module, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module), attr or "host")
    if not isinstance(obj, type):
        return obj
    try:
        return obj(sleep=sleep)
    except TypeError:
        return obj()


async def _run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from ..board import open_board
    from ..ivr import Engine, Params

    scenario = Path(args.scenario).resolve()
    board = open_board(f"emu://?lines={args.lines}&scenario={scenario}")
    async with board:
        engine = Engine(args.flow, host=_load_host(args.host, board.sleep),
                        params=Params(trace=args.trace),
                        trace_dir=args.trace_dir)
        exchange = board.driver.exchange  # type: ignore[attr-defined]
        seen: list[int] = []

        def done() -> bool:
            res = exchange.results
            if res:
                seen.append(1)
            return bool(seen) and board.seconds > 5 and \
                all(r["outcome"] != "pending" for r in res.values()) and \
                all(ln.state == "idle" for ln in exchange.lines) and not engine.monitor() and \
                exchange.idle  # nothing more scheduled
        reports = await engine.serve(board, done, args.seconds)
    return [r.as_dict() for r in sorted(reports, key=lambda r: r.start)]


def run_run(args: argparse.Namespace) -> int:
    reports = asyncio.run(_run(args))
    if args.json:
        print_json({"calls": reports})
    else:
        for r in reports:
            print(f"session {r['session']} line {r['channel']} {r['caller']}: {r['result']} "
                  f"after {r['duration']} s; {' > '.join(r['choices']) or '-'}")
    return 1 if any(r["result"] == "flow_error" for r in reports) else 0


def register(sub: Any) -> None:
    p = sub.add_parser("ivr", help="check IVR flow files, or run one on an emulated board")
    isub = p.add_subparsers(dest="ivr_command", metavar="ACTION")
    c = isub.add_parser("check", help="validate flow files (file:line for each problem)")
    c.add_argument("flows", nargs="+", type=Path, metavar="FLOW")
    c.add_argument("--no-prompts", action="store_true", help="skip the prompt files check")
    c.add_argument("--json", action="store_true", help="print the problems as JSON")
    c.set_defaults(func=run_check)
    r = isub.add_parser("run", help="run a flow on emu:// for a scenario of callers")
    r.add_argument("flow", type=Path, metavar="FLOW")
    r.add_argument("--scenario", required=True, help="TOML scenario of [[caller]] entries")
    r.add_argument("--host", default=None, help="host callable as module:attribute")
    r.add_argument("--lines", type=int, default=4)
    r.add_argument("--seconds", type=float, default=600.0, help="media-time limit")
    r.add_argument("--trace", action="store_true")
    r.add_argument("--trace-dir", default=None)
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=run_run)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
