"""Every path of the bank IVR end to end through the emulated board's real audio.

Callers are scripted parties of the emulated exchange: their keys are DTMF audio on the
line, detected by the board; the IVR's prompts are audio on the line; media time runs on
the virtual clock. One run serves many callers at once (staggered, on 8 lines).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from examples.bank_ivr.app import DEFAULT_CALLERS, STRANGER, BankRun, demo_host_faults, summary

from .conftest import bank, by_start, events

CALLERS = DEFAULT_CALLERS  # the demo's callers: one per path


@pytest.fixture(scope="module")
def run() -> BankRun:
    return bank(CALLERS, host_setup=demo_host_faults, url="emu://?lines=14&seed=1")


def report(run: BankRun, i: int) -> Any:
    return by_start(run)[i]


def test_every_caller_was_served_without_a_flow_error(run: BankRun) -> None:
    assert len(run.reports) == len(CALLERS)
    assert all(r.result != "flow_error" for r in run.reports), [r.error for r in run.reports]
    rep = summary(run)
    assert rep["ok"] and rep["host_failures"] == 1
    assert rep["results"] == {"caller_hung_up": 9, "transferred:8000": 1, "no_input": 1,
                              "host_failed": 1}


def test_silent_caller_ends_with_no_input(run: BankRun) -> None:
    assert report(run, 8).result == "no_input"


def test_host_that_never_answers_fails_the_transaction_after_the_link_timeout(run: BankRun) -> None:
    r = report(run, 9)
    ans = [e for e in events(run, r, "host_answer") if e["function"] == "balances"]
    assert ans[0]["outcome"] == "timeout" and ans[0]["seconds"] == pytest.approx(5.0, abs=0.03)
    assert r.path[-1] == "host_down" and r.host_failures == 1


def test_balance_path_reads_both_balances_from_the_host(run: BankRun) -> None:
    r = report(run, 0)
    assert r.choices[:2] == ["main:accounts", "accounts_menu:balance"]
    answers = [e for e in events(run, r, "host_answer") if e["function"] == "balances"]
    assert answers and answers[0]["answer"]["current"] == "12345.67"
    assert "say_balance" in r.path


def test_recent_transactions_path(run: BankRun) -> None:
    r = report(run, 1)
    assert r.choices[:2] == ["main:accounts", "accounts_menu:recent"]
    assert "say_recent" in r.path


def test_fx_rates_path_for_a_customer_with_fx_trading(run: BankRun) -> None:
    r = report(run, 2)
    assert r.choices[0] == "main:fx_rates" and "say_fx" in r.path


def test_transfer_between_own_accounts_after_confirmation_moves_the_money(run: BankRun) -> None:
    r = report(run, 3)
    assert r.choices[:2] == ["main:transfer", "transfer_menu:current_to_savings"]
    assert "say_transfer_done" in r.path
    assert Decimal(run.host.balance("C001", "current")) == Decimal("12245.67")
    assert Decimal(run.host.balance("C001", "savings")) == Decimal("50100")


def test_lost_card_report_blocks_the_card(run: BankRun) -> None:
    r = report(run, 4)
    assert r.choices == ["main:card_services", "services_menu:lost_card",
                         "confirm_lost:confirm_lost"]
    assert run.host.card_status("6217001122334455") == "lost"


def test_english_customer_hears_the_english_prompt_set(run: BankRun) -> None:
    r = report(run, 4)
    assert any(e["event"] == "enter" and e["step"] == "set_language" for e in events(run, r))
    # the language switch is visible to the flow: the rest of the call is in English
    assert r.result == "caller_hung_up"


def test_change_pin_twice_entered_changes_the_stored_hash(run: BankRun) -> None:
    r = report(run, 5)
    assert r.choices == ["main:card_services", "services_menu:change_pin"]
    assert "say_pin_changed" in r.path
    assert run.host.pin_is("C002", "908172") and not run.host.pin_is("C002", "654321")


def test_complaint_is_recorded_to_voice_mail_and_filed(run: BankRun) -> None:
    r = report(run, 6)
    assert r.choices == ["main:card_services", "services_menu:complaint"]
    (customer, path, seconds), = run.host.complaints()
    assert customer == "C001" and path.endswith(".wav")
    assert 2.5 <= seconds <= 6.0


def test_card_identification_with_read_back_then_agent_with_attached_data(run: BankRun) -> None:
    r = report(run, 7)
    assert [e["valid"] for e in events(run, r, "input") if e["step"] == "ask_card"] == [True, True]
    assert r.choices == ["main:agent"]
    assert r.result == "transferred:8000"
    data = r.attached
    assert data["caller"] == STRANGER and data["customer"] == "C002"
    assert [t["function"] for t in data["transactions"]] == \
        ["lookup_by_number", "lookup_by_card", "verify_pin"]


def test_hidden_menu_option_closes_the_gap_and_personal_order_applies(run: BankRun) -> None:
    zhang = [e["options"] for e in events(run, report(run, 0), "menu") if e["step"] == "main"][0]
    li = [e["options"] for e in events(run, report(run, 5), "menu") if e["step"] == "main"][0]
    assert zhang == ["accounts", "transfer", "fx_rates", "card_services", "agent"]
    # Li Si has no FX trading (hidden) and his own order: keys 1..4 stay contiguous
    assert li == ["agent", "accounts", "card_services", "transfer"]


def test_a_stored_shortcut_reaches_a_deep_item_with_one_key(run: BankRun) -> None:
    r = report(run, 10)
    assert r.choices[0] == "main:shortcut:balance"
    assert r.path[r.path.index("main") + 1] == "get_balance"  # no accounts menu on the way


def test_an_item_reached_through_the_menus_is_made_a_shortcut(run: BankRun) -> None:
    r = report(run, 11)
    assert r.choices[:3] == ["main:accounts", "accounts_menu:balance", "ask_shortcut:make_shortcut"]
    assert run.host.shortcuts_of("C005") == ["fx", "recent", "balance"]


def test_live_state_is_empty_after_every_call_ended(run: BankRun) -> None:
    assert run.engine.monitor() == []


def test_demo_entry_point_loaded_by_path_prints_a_summary(
        capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    import importlib.util
    import json

    from examples.bank_ivr.app import FLOW

    spec = importlib.util.spec_from_file_location("bank_ivr_demo", FLOW.parent / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert asyncio.run(module.run_demo(as_json=True)) == 0
    rep = json.loads(capsys.readouterr().out)
    assert len(rep["calls"]) == len(DEFAULT_CALLERS) and rep["host_failures"] == 1
    assert {"main:fx_rates", "services_menu:complaint", "main:agent"} <= \
        set(rep["menu_choices_taken"])
