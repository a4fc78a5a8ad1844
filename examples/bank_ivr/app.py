"""The bank IVR on an emulated board: scripted callers, the flow engine, the SQLite host.

:func:`run_bank` runs callers against ``bank.toml`` on ``emu://`` and returns what happened;
:func:`run_demo` prints each call's path and a summary (calls, paths taken, host failures,
durations) and returns an exit status.

A transfer to an agent dials ``8000`` on another idle line and bridges the caller to it (no
CTI layer is attached here); the emulated exchange answers ``8000`` as an agent who talks
for a few seconds and hangs up. The call's attached data (customer, caller number, the
transactions done so far) travels on both calls' ``data``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from boardlib.board import open_board
from boardlib.ivr import Engine, Params

try:
    from .host import BankHost
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from host import BankHost  # type: ignore[no-redef]

__all__ = ["FLOW", "AGENT_NUMBER", "DEFAULT_CALLERS", "WANG", "ZHAO", "BankRun", "run_bank",
           "run_demo", "summary", "known", "demo_host_faults"]

FLOW = Path(__file__).resolve().parent / "bank.toml"
AGENT_NUMBER = "8000"

ZHANG, LI, MARY, STRANGER = "13800138000", "13900139000", "13700137000", "13600136000"
#: Customers with shortcuts: Wang Wu (C004, PIN 135790) and Zhao Liu (C005, PIN 246802).
WANG, ZHAO = "13500135000", "13300133000"
_PIN_WAIT = "wait 10"  # welcome + lookup + the PIN prompt (not interruptible) are over by then


def known(number: str, pin: str, *keys: str, at: float, tail: float = 25.0,
          label: str = "") -> dict[str, Any]:
    """A caller identified by caller ID: the PIN, then menu keys 1.5 s apart (a step that
    starts with wait/say/press is taken as it is), then ``tail`` seconds and a hang-up."""
    script: list[str] = [_PIN_WAIT, f"press {pin}#"]
    for k in keys:
        script += [k] if k.startswith(("wait", "say", "press")) else ["wait 1.5", f"press {k}"]
    script += [f"wait {tail}", "hangup"]
    return {"number": number, "at": at, "script": script, "label": label}


#: Callers of the demo, one per path of the bank IVR (times in media seconds). Mary's
#: balance request meets a host that never answers (the demo injects it: see run_demo).
#: Wang Wu hears his balance through his shortcut (key 1 of the main menu); Zhao Liu walks
#: to her balance through the menus and makes it one of her usual choices.
DEFAULT_CALLERS: list[dict[str, Any]] = [
    known(ZHANG, "123456", "1", "1", at=0.0, label="balance"),
    known(ZHANG, "123456", "1", "2", at=1.0, label="recent"),
    known(ZHANG, "123456", "3", at=2.0, label="fx rates"),
    known(ZHANG, "123456", "2", "1", "100#", "wait 3", "press 1", at=3.0, tail=30,
          label="transfer"),
    known(MARY, "112233", "4", "1", "1", at=4.0, label="lost card"),
    known(LI, "654321", "3", "2", "wait 6", "press 908172#", "wait 6", "press 908172#",
          at=5.0, label="change pin"),
    known(ZHANG, "123456", "4", "3", "wait 6.5", "say 3", "press #", at=6.0, label="complaint"),
    {"number": STRANGER, "at": 7.0, "label": "card+agent", "script": [
        "wait 5", "press 6228480044332218#", "wait 2", "press 1", "wait 12", "press 654321#",
        "wait 2", "press 1", "wait 30"]},
    {"number": STRANGER, "at": 8.0, "label": "silent", "script": []},
    known(MARY, "112233", "1", "1", at=9.0, label="host down"),
    known(WANG, "135790", "1", at=10.0, label="shortcut"),
    known(ZHAO, "246802", "2", "1", "wait 10", "press 1", at=11.0, tail=30,
          label="save shortcut"),
]


def demo_host_faults(host: BankHost) -> None:
    """The demo's injected fault: Mary's balance request is never answered."""
    host.fail["balances:C003"] = "timeout"


class BankRun:
    """The outcome of :func:`run_bank` (a plain class: this file is also loaded by path,
    outside any package)."""

    def __init__(self, reports: list[Any], exchange: dict[int, dict[str, Any]], host: BankHost,
                 engine: Engine, media_seconds: float) -> None:
        self.reports = reports
        self.exchange = exchange
        self.host = host
        self.engine = engine
        self.media_seconds = media_seconds


async def run_bank(callers: list[Any], *, url: str = "emu://?lines=4&seed=1",
                   params: Params | None = None, flow: str | Path = FLOW,
                   host_setup: Any = None, during: Any = None, trace: bool = False,
                   trace_dir: str | Path | None = None, latency: float = 0.3,
                   limit_seconds: float = 900.0, agent_seconds: float = 4.0,
                   cti: Any = None, agent: str = "human") -> BankRun:
    """Run ``callers`` (``Caller`` objects or dicts of their fields) against the bank IVR.

    ``agent`` is how the agent number answers (a callee behaviour: ``human``, ``busy``,
    ``no_answer``...); ``during(board, engine, host)`` runs beside the calls."""
    from boardlib.emulator.parties import Callee, Caller

    chosen = [c if isinstance(c, Caller) else Caller(**c) for c in callers]
    board = open_board(url)
    async with board:
        host = BankHost(sleep=board.sleep, latency=latency)
        if host_setup is not None:
            host_setup(host)
        p = params or Params()
        p.trace = p.trace or trace
        engine = Engine(flow, host=host, params=p, trace_dir=trace_dir, cti=cti,
                        spool_dir=Path(tempfile.gettempdir()) / "boardlib-bank-voicemail")
        exchange = board.driver.exchange  # type: ignore[attr-defined]
        exchange.add_callee(Callee(AGENT_NUMBER, agent, rings=1, hangup_after=agent_seconds))
        for c in chosen:
            exchange.place_call(c)
        total = len(chosen)

        def done() -> bool:
            res = exchange.results
            inbound = [r for r in res.values() if "caller" in r]
            return len(inbound) >= total and all(r["outcome"] != "pending" for r in inbound) \
                and all(ln.state == "idle" for ln in exchange.lines) and not engine.monitor()

        extra = None
        if during is not None:
            extra = asyncio.get_running_loop().create_task(during(board, engine, host))
        reports = await engine.serve(board, done, limit_seconds)
        if extra is not None:
            await extra
        return BankRun(reports, dict(exchange.results), host, engine, board.seconds)


def summary(run: BankRun) -> dict[str, Any]:
    """The demo's report as data."""
    calls = []
    for r in sorted(run.reports, key=lambda r: r.start):
        calls.append({"session": r.session, "channel": r.channel, "caller": r.caller,
                      "result": r.result, "choices": r.choices, "steps": len(r.path),
                      "host_calls": r.host_calls, "host_failures": r.host_failures,
                      "start_s": round(r.start, 2), "duration_s": round(r.duration, 2)})
    results: dict[str, int] = {}
    for c in calls:
        results[c["result"]] = results.get(c["result"], 0) + 1
    paths = sorted({ch for r in run.reports for ch in r.choices})
    return {"media_seconds": round(run.media_seconds, 2), "calls": calls,
            "results": results, "menu_choices_taken": paths,
            "host_calls": sum(c["host_calls"] for c in calls),
            "host_failures": sum(c["host_failures"] for c in calls),
            "ok": all(c["result"] != "flow_error" for c in calls) and len(calls) > 0}


async def run_demo(url: str | None = None, as_json: bool = False,
                   callers: list[Any] | None = None) -> int:
    """Run the bank IVR demo; print each call and a summary; 0 when no call hit a flow
    error."""
    run = await run_bank(callers if callers is not None else DEFAULT_CALLERS,
                         url=url or "emu://?lines=14&seed=1", host_setup=demo_host_faults)
    rep = summary(run)
    if as_json:
        json.dump(rep, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(f"{'session':>7} {'line':>4} {'caller':<12} {'start s':>7} {'dur s':>6} "
              f"{'host':>4} {'fail':>4}  {'result':<22} choices")
        for c in rep["calls"]:
            print(f"{c['session']:>7} {c['channel']:>4} {str(c['caller']):<12} {c['start_s']:>7} "
                  f"{c['duration_s']:>6} {c['host_calls']:>4} {c['host_failures']:>4}  "
                  f"{c['result']:<22} {' > '.join(c['choices'])}")
        print(f"\n{len(rep['calls'])} calls in {rep['media_seconds']} media seconds; results: "
              + ", ".join(f"{k} {v}" for k, v in sorted(rep["results"].items()))
              + f"; host calls {rep['host_calls']}, failures {rep['host_failures']}")
    return 0 if rep["ok"] else 1


def main() -> int:
    return asyncio.run(run_demo(as_json="--json" in sys.argv[1:]))
