"""Every path of the bank IVR end to end through the emulated board's real audio.

Callers are scripted parties of the emulated exchange: their keys are DTMF audio on the
line, detected by the board; the IVR's prompts are audio on the line; media time runs on
the virtual clock. One run serves many callers at once (staggered, on 8 lines).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from examples.bank_ivr.app import BankRun

from .conftest import bank, by_start, events

ZHANG, LI, MARY, STRANGER = "13800138000", "13900139000", "13700137000", "13600136000"
LI_CARD = "6228480044332218"
PIN_WAIT = "wait 10"  # welcome + lookup + the PIN prompt (not interruptible) are over by then


def known(number: str, pin: str, *keys: str, at: float, tail: float = 25.0) -> dict[str, Any]:
    script: list[str] = [PIN_WAIT, f"press {pin}#"]
    for k in keys:
        script += [k] if k.startswith(("wait", "say", "press")) else ["wait 1.5", f"press {k}"]
    script += [f"wait {tail}", "hangup"]
    return {"number": number, "at": at, "script": script}


CALLERS = [
    known(ZHANG, "123456", "1", "1", at=0.0),                       # balance
    known(ZHANG, "123456", "1", "2", at=1.0),                       # recent transactions
    known(ZHANG, "123456", "3", at=2.0),                            # FX rates
    known(ZHANG, "123456", "2", "1", "100#", "wait 3", "press 1", at=3.0, tail=30),  # transfer
    known(MARY, "112233", "4", "1", "1", at=4.0),                   # lost card (English)
    known(LI, "654321", "3", "2", "wait 6", "press 908172#", "wait 6", "press 908172#",
          at=5.0),                                                  # change PIN
    known(ZHANG, "123456", "4", "3", "wait 6.5", "say 3", "press #", at=6.0),  # complaint
    {"number": STRANGER, "at": 7.0, "script": [                     # card, then agent
        "wait 5", f"press {LI_CARD}#", "wait 2", "press 1", "wait 12", "press 654321#",
        "wait 2", "press 1", "wait 30"]},
]


@pytest.fixture(scope="module")
def run() -> BankRun:
    return bank(CALLERS)


def report(run: BankRun, i: int) -> Any:
    return by_start(run)[i]


def test_every_caller_was_served_without_a_flow_error(run: BankRun) -> None:
    assert len(run.reports) == len(CALLERS)
    assert all(r.result != "flow_error" for r in run.reports), [r.error for r in run.reports]


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


def test_live_state_is_empty_after_every_call_ended(run: BankRun) -> None:
    assert run.engine.monitor() == []
