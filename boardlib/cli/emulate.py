"""``boardlib emulate SCENARIO.toml``: run a scenario's callers against the example IVR on an
emulated board and print every call's timeline (``--json`` for machines)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo
    from ..emulator.scenario import load_scenario
    from .demo import load_handler

    scenario = load_scenario(args.scenario)
    url = f"emu://?lines={args.lines}&seed={args.seed}&profile={args.profile}"
    return asyncio.run(
        run_demo(
            load_handler(),
            url=url,
            callers=scenario.callers,
            callees=scenario.callees,
            as_json=args.json,
            limit_seconds=args.limit,
        )
    )


def register(sub: Any) -> None:
    p = sub.add_parser("emulate", help="run a scenario file of scripted callers on emu://")
    p.add_argument("scenario", type=Path, help="TOML scenario ([[caller]] and [[callee]] tables)")
    p.add_argument("--lines", type=int, default=4, help="analog lines of the emulated board")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", default="cn", help="tone profile of the exchange")
    p.add_argument("--limit", type=float, default=600.0, help="media seconds at most")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)
