"""Timeouts (media time), host failures, slow hosts, run-time parameters, flow reload
mid-call, a flow error in one call, and the PIN kept out of every log, trace and event."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from boardlib.ivr import Params
from examples.bank_ivr.app import FLOW, BankRun

from .conftest import bank, by_start, events

ZHANG, LI, STRANGER = "13800138000", "13900139000", "13600136000"


def gaps(run: BankRun, r: Any, step: str) -> list[float]:
    """Media seconds from each listen to the no-input that followed, at ``step``."""
    recs = [e for e in events(run, r) if e["step"] == step and e["event"] in ("listen", "no_input")]
    return [round(b["t"] - a["t"], 2) for a, b in itertools.pairwise(recs)
            if a["event"] == "listen" and b["event"] == "no_input"]


def test_silent_caller_gets_no_input_after_10_s_three_times_then_goodbye() -> None:
    run = bank([{"number": STRANGER, "at": 0, "script": []}])
    r, = run.reports
    assert gaps(run, r, "ask_card") == [10.0, 10.0, 10.0]
    assert r.result == "no_input" and r.path[-1] == "goodbye"


def test_transaction_timeout_changed_at_run_time_applies_to_the_running_call() -> None:
    async def shorten(board: Any, engine: Any, host: Any) -> None:
        while board.seconds < 18.0:  # the first 10 s wait is under way
            await board.sleep(0.5)
        engine.params.transaction_timeout = 4.0

    run = bank([{"number": STRANGER, "at": 0, "script": []}], during=shorten)
    assert gaps(run, run.reports[0], "ask_card") == [10.0, 4.0, 4.0]


def test_key_just_inside_the_transaction_timeout_is_taken() -> None:
    # the card prompt listens from about 8.3 s after the call starts; a key at 9.4 s after
    # the listen is inside 10 s, one at 10.6 s is outside
    run = bank([{"number": STRANGER, "at": 0, "script": []}])
    listen = [e for e in events(run, run.reports[0], "listen")][0]["t"]
    answer = run.exchange[1]["answered"] / 8000
    inside = round(listen - answer + 9.4, 2)
    outside = round(listen - answer + 10.6, 2)
    card = "6228480044332218#"
    run = bank([{"number": STRANGER, "at": 0, "script": [f"wait {inside}", f"press {card}"]},
                {"number": STRANGER, "at": 0, "line": 5,
                 "script": [f"wait {outside}", f"press {card}"]}])
    first, second = by_start(run)
    assert [e["event"] for e in events(run, first) if e["step"] == "ask_card"
            and e["event"] in ("input", "no_input")][0] == "input"
    assert [e["event"] for e in events(run, second) if e["step"] == "ask_card"
            and e["event"] in ("input", "no_input")][0] == "no_input"


def test_invalid_keys_get_the_invalid_prompt_and_a_retry() -> None:
    run = bank([{"number": STRANGER, "at": 0, "script": [
        "wait 5", "press 6228480044332219#",  # Luhn fails: one digit off
        "wait 6", "press 12#", "wait 6", "hangup"]}])  # too short
    r, = run.reports
    inputs = [e for e in events(run, r, "input") if e["step"] == "ask_card"]
    assert [e["valid"] for e in inputs] == [False, False]
    assert r.result == "caller_hung_up"


@pytest.mark.parametrize("slow,outcome", [(4.6, "ok"), (5.1, "timeout")])
def test_host_answer_just_inside_5_s_is_taken_just_outside_fails(slow: float, outcome: str) -> None:
    def setup(host: Any) -> None:
        host.slow["lookup_by_number"] = slow

    run = bank([{"number": ZHANG, "at": 0, "script": ["wait 30", "hangup"]}], host_setup=setup)
    ans = [e for e in events(run, run.reports[0], "host_answer")][0]
    assert ans["outcome"] == outcome
    if outcome == "timeout":
        assert ans["seconds"] == pytest.approx(5.0, abs=0.03)
        assert run.reports[0].host_failures == 1 and "host_down" in run.reports[0].path


def test_link_timeout_is_a_run_time_parameter() -> None:
    def setup(host: Any) -> None:
        host.fail["lookup_by_number"] = "timeout"

    run = bank([{"number": ZHANG, "at": 0, "script": ["wait 20", "hangup"]}], host_setup=setup,
               params=Params(link_timeout=2.0))
    ans, = events(run, run.reports[0], "host_answer")
    assert ans["outcome"] == "timeout" and ans["seconds"] == pytest.approx(2.0, abs=0.03)


def test_host_error_takes_the_failure_branch_and_the_call_ends_politely() -> None:
    def setup(host: Any) -> None:
        host.fail["verify_pin"] = "error"

    run = bank([{"number": ZHANG, "at": 0, "script": ["wait 10", "press 123456#", "wait 20"]}],
               host_setup=setup)
    r, = run.reports
    assert r.path[-2:] == ["verify_pin", "host_down"]
    assert r.host_failures == 1 and r.result == "host_failed"


def test_flow_error_in_one_call_apologises_and_transfers_while_the_other_call_goes_on() -> None:
    def setup(host: Any) -> None:
        plain = host.fn_balances

        def broken(customer: str) -> dict[str, Any]:
            return {"ok": True} if customer == "C001" else plain(customer)  # no balances

        host.fn_balances = broken

    run = bank([
        {"number": ZHANG, "at": 0, "script": ["wait 10", "press 123456#", "wait 1.5", "press 1",
                                              "wait 1.5", "press 1", "wait 30"]},
        {"number": LI, "at": 0.5, "script": ["wait 10", "press 654321#", "wait 1.5", "press 2",
                                             "wait 1.5", "press 1", "wait 20", "hangup"]}],
        host_setup=setup)
    bad, good = by_start(run)
    assert bad.result == "flow_error" and "no value" in (bad.error or "")
    assert bad.attached.get("customer") == "C001"  # on_error = agent: handed over with data
    assert good.result == "caller_hung_up" and "say_balance" in good.path


def test_flow_reloaded_mid_call_running_call_keeps_its_version(tmp_path: Path) -> None:
    flow = tmp_path / "bank.toml"
    text = FLOW.read_text().replace('prompts = "prompts"',
                                    f'prompts = "{(FLOW.parent / "prompts").as_posix()}"')
    flow.write_text(text)

    async def edit(board: Any, engine: Any, host: Any) -> None:
        while board.seconds < 15.0:
            await board.sleep(0.5)
        changed = text.replace('prompts = ["welcome"]\nnext = "lookup_caller"',
                               'prompts = ["welcome"]\nnext = "goodbye"')
        assert changed != text
        flow.write_text(changed + "\n# v2\n")
        assert engine.reload(force=True) == []

    run = bank([{"number": ZHANG, "at": 0, "script": ["wait 10", "press 123456#", "wait 1.5",
                                                      "press 1", "wait 1.5", "press 1",
                                                      "wait 20", "hangup"]},
                {"number": LI, "at": 20, "script": ["wait 10", "hangup"]}],
               flow=flow, during=edit)
    first, second = by_start(run)
    assert (first.version, second.version) == (1, 2)
    assert "say_balance" in first.path
    assert second.path == ["welcome", "goodbye"]


def test_reload_of_a_broken_flow_keeps_the_running_version(tmp_path: Path) -> None:
    flow = tmp_path / "bank.toml"
    flow.write_text(FLOW.read_text().replace(
        'prompts = "prompts"', f'prompts = "{(FLOW.parent / "prompts").as_posix()}"'))
    from boardlib.ivr import Engine

    engine = Engine(flow)
    flow.write_text(flow.read_text().replace('type = "branch"', 'type = "jump"', 1))
    problems = engine.reload(force=True)
    assert len(problems) == 1 and "unknown step type 'jump'" in problems[0]
    assert f"{flow}:" in problems[0]
    assert engine.flows["bank"].version == 1


def test_pin_appears_in_no_log_trace_report_or_event(tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    old, new = "654321", "908172"
    caplog.set_level(logging.DEBUG)
    run = bank([{"number": LI, "at": 0, "script": [
        "wait 10", f"press {old}#", "wait 1.5", "press 3", "wait 1.5", "press 2", "wait 6",
        f"press {new}#", "wait 6", f"press {new}#", "wait 12", "hangup"]}],
        trace_dir=tmp_path / "traces")
    r, = run.reports
    assert "say_pin_changed" in r.path and run.host.pin_is("C002", new)
    texts = [rec.getMessage() + repr(rec.args) for rec in caplog.records
             if not rec.name.startswith("boardlib.emulator")]  # the caller's own telephone
    texts += [p.read_text() for p in (tmp_path / "traces").glob("*.jsonl")]
    texts += [json.dumps(r.as_dict()), repr(r), json.dumps(run.engine.trace_of(r.session))]
    texts += [repr(run.host.requests), repr(r.attached)]
    assert texts and len(caplog.records) > 20
    for t in texts:
        assert old not in t and new not in t
    secure = [e for e in run.engine.trace_of(r.session) if e["type"] == "collect_secure"
              and e["event"] == "input"]
    assert len(secure) == 3 and all(e["digits"] == "***" for e in secure)


def test_trace_is_off_by_default_and_json_lines_when_on(tmp_path: Path) -> None:
    run = bank([{"number": LI, "at": 0, "script": ["wait 5", "hangup"]}], trace=False)
    assert run.engine.trace_of(run.reports[0].session) == []
    run = bank([{"number": LI, "at": 0, "script": ["wait 5", "hangup"]}],
               trace_dir=tmp_path)
    lines = (tmp_path / f"{run.reports[0].session}.jsonl").read_text().splitlines()
    recs = [json.loads(x) for x in lines]
    assert recs[0]["event"] == "call" and recs[-1]["event"] == "end"


def test_monitor_shows_flow_step_and_time_in_step_while_calls_run() -> None:
    seen: list[list[dict[str, Any]]] = []

    async def watch(board: Any, engine: Any, host: Any) -> None:
        while board.seconds < 12.0:
            await board.sleep(1.0)
            seen.append(engine.monitor())

    bank([{"number": STRANGER, "at": 0, "script": []}], during=watch)
    live = [m for snap in seen for m in snap]
    assert live and {m["flow"] for m in live} == {"bank"}
    assert {m["caller"] for m in live} == {STRANGER}
    assert any(m["step"] == "ask_card" and m["time_in_step"] > 0 for m in live)



@pytest.mark.parametrize("limit", [6.0, 12.0])
def test_outbound_no_answer_timeout_bounds_the_transfer_to_an_agent(limit: float) -> None:
    run = bank([{"number": LI, "at": 0, "script": ["wait 10", "press 654321#", "wait 1.5",
                                                   "press 1", "wait 60"]}],
               params=Params(no_answer_timeout=limit), agent="no_answer")
    r, = run.reports
    start, = events(run, r, "transfer")
    failed, = events(run, r, "transfer_failed")
    assert r.result == "transfer_failed" and failed["result"] == "NO_ANSWER"
    # dial-tone wait and the four DTMF digits come before the ringing is timed
    assert limit < failed["t"] - start["t"] < limit + 2.5


def test_pin_typed_ahead_during_the_prompt_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    run = bank([{"number": LI, "at": 0, "script": ["wait 5", "press 654321#", "wait 10",
                                                   "hangup"]}])
    assert "verify_pin" in run.reports[0].path
    digits = [rec.getMessage() for rec in caplog.records
              if not rec.name.startswith("boardlib.emulator") and "digit" in rec.getMessage()]
    assert not any(f"digit {d} " in m for m in digits for d in "654321")
