"""Per-customer shortcuts in menus: stored by the host, offered first ("for your usual X,
press 1"), never behind a hidden option, keys contiguous from 1 and at most 5 per level;
stale names skipped and traced; checked by ``boardlib ivr check`` with file and line.

The calls run end to end on the emulated board: the callers' keys are DTMF audio detected
by the board, the prompts are audio on the line, time is the virtual media clock.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.ivr import Engine, FlowError, check_flow, load_flow
from boardlib.ivr.engine import OTHER_SERVICES, MenuEntry, menu_layout
from boardlib.ivr.flow import evaluate
from boardlib.ivr.prompts import menu_fragments, shortcut_fragments
from examples.bank_ivr.app import FLOW, WANG, ZHANG, ZHAO, BankRun, known

from .conftest import bank, by_start, events
from .test_check import BYE, codes, line_of, write

PIN = {WANG: "135790", ZHAO: "246802", ZHANG: "123456"}


def caller(number: str, *keys: str, at: float = 0.0, tail: float = 25.0) -> dict[str, Any]:
    return known(number, PIN[number], *keys, at=at, tail=tail)


def menus(run: BankRun, r: Any, step: str = "main") -> list[dict[str, Any]]:
    return [e for e in events(run, r, "menu") if e["step"] == step]


def skipped(run: BankRun, r: Any) -> list[tuple[Any, str]]:
    """The stored shortcuts a call's menus skipped, and why (each once: menus repeat)."""
    return list(dict.fromkeys((e["shortcut"], e["why"])
                              for e in events(run, r, "shortcut_skipped")))


# ------------------------------------------------------------------ end to end


def test_shortcut_key_goes_straight_to_the_deep_item_and_is_traced() -> None:
    run = bank([caller(WANG, "2", "100#", "wait 3", "press 1", tail=30)])
    r, = run.reports
    first = menus(run, r)[0]
    # two shortcuts and five options do not fit in 5: the options are one key down
    assert first["options"] == ["shortcut:balance", "shortcut:to_savings", "other_services"]
    taken, = events(run, r, "shortcut")
    assert (taken["shortcut"], taken["path"], taken["next"]) == \
        ("to_savings", ["transfer", "current_to_savings"], "from_current")
    assert r.choices[0] == "main:shortcut:to_savings"
    assert "transfer_menu" not in r.path and "say_transfer_done" in r.path
    assert Decimal(run.host.balance("C004", "current")) == Decimal("7200.25")
    assert Decimal(run.host.balance("C004", "savings")) == Decimal("15100")


def test_other_services_lead_to_the_usual_menu_one_key_down() -> None:
    run = bank([caller(WANG, "3", "3")])
    r, = run.reports
    first, other = menus(run, r)[:2]
    assert first["options"][-1] == "other_services"
    assert other["level"] == "other_services"
    assert other["options"] == ["accounts", "transfer", "fx_rates", "card_services", "agent"]
    assert r.choices[0] == "main:fx_rates" and "say_fx" in r.path


def test_keys_typed_ahead_go_through_both_levels() -> None:
    run = bank([caller(WANG, "press 312")])  # other services, accounts, recent: no pauses
    r, = run.reports
    assert r.choices[:2] == ["main:accounts", "accounts_menu:recent"]
    assert "say_recent" in r.path


def test_shortcut_behind_a_hidden_option_is_never_offered_and_keys_close_up() -> None:
    run = bank([caller(ZHAO, "1")])  # Zhao Liu keeps "fx" but has no FX trading
    r, = run.reports
    assert skipped(run, r) == [("fx", "hidden")]
    assert menus(run, r)[0]["options"] == \
        ["shortcut:recent", "accounts", "transfer", "card_services", "agent"]
    assert r.choices[0] == "main:shortcut:recent" and "say_recent" in r.path
    assert all(e["function"] != "fx_rates" for e in events(run, r, "host_answer"))


def test_shortcut_appears_once_the_service_behind_it_is_subscribed() -> None:
    def subscribe(host: Any) -> None:
        host.db.execute("UPDATE customers SET services=? WHERE id='C005'",
                        (json.dumps(["shortcuts", "fx_trading"]),))

    run = bank([caller(ZHAO, "1"), caller(ZHAO, "3", at=1.0)], host_setup=subscribe)
    r, other = by_start(run)
    assert skipped(run, r) == []
    assert menus(run, r)[0]["options"] == ["shortcut:fx", "shortcut:recent", "other_services"]
    assert r.choices[0] == "main:shortcut:fx" and "say_fx" in r.path
    # the FX option her one-label shortcut already offers is not offered twice
    assert menus(run, other)[1]["options"] == ["accounts", "transfer", "card_services", "agent"]


def test_stale_shortcut_of_a_target_removed_from_the_flow_is_skipped_not_a_crash(
        tmp_path: Path) -> None:
    text = FLOW.read_text().replace('prompts = "prompts"',
                                    f'prompts = "{(FLOW.parent / "prompts").as_posix()}"')
    removed = ('[shortcuts.to_savings]\nmenu = "main"\npath = ["transfer", '
               '"current_to_savings"]\nprompt = "usual_to_savings"\n')
    assert removed in text
    flow = tmp_path / "bank.toml"
    flow.write_text(text.replace(removed, ""))
    assert [i for i in check_flow(flow) if i.error] == []

    def stale(host: Any) -> None:  # also a name no flow ever had
        host.set_shortcuts("C004", ["to_savings", "balance", "gold_price"])

    run = bank([caller(WANG, "1")], flow=flow, host_setup=stale)
    r, = run.reports
    assert r.result == "caller_hung_up" and r.error is None
    assert skipped(run, r) == [("to_savings", "unknown"), ("gold_price", "unknown")]
    assert menus(run, r)[0]["options"] == ["shortcut:balance", "other_services"]
    assert r.choices[0] == "main:shortcut:balance" and "say_balance" in r.path


@pytest.mark.parametrize("stored,offered,why", [
    (["balance", "balance"], ["shortcut:balance"], [("balance", "duplicate")]),
    ([42, None, "balance"], ["shortcut:balance"], [(42, "unknown"), (None, "unknown")]),
    ("balance", [], [("balance", "not_a_list")]),
    (None, [], []),
])
def test_malformed_stored_shortcuts_from_a_host_are_skipped_and_traced(
        stored: Any, offered: list[str], why: list[tuple[Any, str]]) -> None:
    def other_host(host: Any) -> None:  # a host that keeps them in its own way
        plain = host.fn_lookup_by_number
        host.fn_lookup_by_number = lambda number: {**plain(number), "shortcuts": stored}

    run = bank([caller(ZHAO, tail=5)], host_setup=other_host)
    r, = run.reports
    assert r.error is None and skipped(run, r) == why
    assert menus(run, r)[0]["options"] == \
        offered + ["accounts", "transfer", "card_services", "agent"]


def test_making_a_shortcut_stores_it_and_the_menu_offers_it_at_once() -> None:
    run = bank([caller(ZHAO, "2", "1", "wait 10", "press 1", tail=25)])
    r, = run.reports
    assert r.choices == ["main:accounts", "accounts_menu:balance", "ask_shortcut:make_shortcut"]
    assert run.host.shortcuts_of("C005") == ["fx", "recent", "balance"]
    saved = [e for e in events(run, r, "host_answer") if e["function"] == "save_shortcut"]
    assert saved[0]["answer"]["ok"] is True
    before, after = menus(run, r)[0], menus(run, r)[-1]
    assert before["options"][0] == "shortcut:recent"
    assert after["options"] == ["shortcut:recent", "shortcut:balance", "other_services"]


def test_full_shortcut_list_is_refused_and_left_unchanged() -> None:
    kept = ["fx", "recent", "to_savings", "gold_price"]

    def full(host: Any) -> None:
        host.set_shortcuts("C005", kept)

    # other services (3), accounts (1), balance (1), then "make it usual" (1)
    run = bank([caller(ZHAO, "3", "1", "1", "wait 10", "press 1", tail=20)], host_setup=full)
    r, = run.reports
    assert menus(run, r)[0]["options"] == \
        ["shortcut:recent", "shortcut:to_savings", "other_services"]
    assert skipped(run, r) == [("fx", "hidden"), ("gold_price", "unknown")]
    assert "say_shortcuts_full" in r.path
    assert run.host.shortcuts_of("C005") == kept


def test_no_offer_for_customers_without_the_service_or_for_a_shortcut_already_kept() -> None:
    run = bank([caller(ZHANG, "1", "1"), caller(WANG, "1", at=1.0)])
    zhang, wang = by_start(run)
    assert "say_balance" in zhang.path and "ask_shortcut" not in zhang.path
    assert menus(run, zhang)[0]["options"] == \
        ["accounts", "transfer", "fx_rates", "card_services", "agent"]
    assert "say_balance" in wang.path and "ask_shortcut" not in wang.path


def test_host_reads_and_saves_shortcuts_in_sqlite() -> None:
    import asyncio

    from examples.bank_ivr.host import MAX_SHORTCUTS, BankHost

    host = BankHost(latency=0.0)

    def ask(function: str, **payload: Any) -> dict[str, Any]:
        return asyncio.run(host(function, payload))

    assert ask("lookup_by_number", number=WANG)["shortcuts"] == ["balance", "to_savings"]
    assert ask("lookup_by_number", number=ZHANG)["shortcuts"] == []
    assert ask("shortcuts", customer="C005") == {"ok": True, "shortcuts": ["fx", "recent"]}
    assert ask("save_shortcut", customer="C005", shortcut="recent")["shortcuts"] == \
        ["fx", "recent"]  # kept once
    assert ask("save_shortcut", customer="C005", shortcut="balance")["ok"] is True
    assert ask("save_shortcut", customer="C005", shortcut="x y")["reason"] == "bad_name"
    ask("save_shortcut", customer="C005", shortcut="fx2")
    assert len(host.shortcuts_of("C005")) == MAX_SHORTCUTS
    assert ask("save_shortcut", customer="C005", shortcut="more")["reason"] == "full"


def test_every_seeded_shortcut_but_the_hidden_one_names_a_target_of_the_flow() -> None:
    from examples.bank_ivr.host import CUSTOMERS

    flow = load_flow(FLOW)
    for c in CUSTOMERS:
        for name in c.get("shortcuts", []):
            assert name in flow.shortcuts, (c["id"], name)


# ------------------------------------------------------------------ the layout rule

_E = st.integers(min_value=0, max_value=9)


@given(_E, st.integers(min_value=0, max_value=5))
def test_layout_keeps_every_option_and_at_most_5_keys_per_level(n_cuts: int,
                                                                n_opts: int) -> None:
    cuts = [MenuEntry("shortcut", f"s{i}", f"s{i}", "x") for i in range(n_cuts)]
    opts = [MenuEntry("option", f"o{i}", f"o{i}", "x") for i in range(n_opts)]
    first, other, left_out = menu_layout(cuts, opts)
    assert 1 <= len(first) <= 5 or n_cuts + n_opts == 0
    assert len(other) <= 5
    # every option stays reachable, in its order
    assert [e for e in first + other if e.kind == "option"] == opts
    # shortcuts come first, in the stored order; those left out are the last stored
    offered = [e for e in first if e.kind == "shortcut"]
    assert offered + left_out == cuts and first[:len(offered)] == offered
    assert (OTHER_SERVICES in first) == bool(other)
    if n_cuts + n_opts <= 5:
        assert first == cuts + opts and not other and not left_out


def test_layout_examples() -> None:
    s = [MenuEntry("shortcut", n, n, "x") for n in ("a", "b", "c", "d", "e", "f")]
    o = [MenuEntry("option", n, n, "x") for n in ("p", "q", "r", "t", "u")]
    assert menu_layout(s[:2], o[:3]) == (s[:2] + o[:3], [], [])
    assert menu_layout(s[:2], o) == (s[:2] + [OTHER_SERVICES], o, [])
    assert menu_layout(s[:6], o[:1]) == (s[:4] + o[:1], [], s[4:])  # no one-option level
    assert menu_layout(s[:6], o[:2]) == (s[:4] + [OTHER_SERVICES], o[:2], s[4:])
    assert menu_layout(s[:6], []) == (s[:5], [], s[5:])


def test_shortcut_is_said_like_an_option_function_before_the_key() -> None:
    assert shortcut_fragments("balance", 1, "en") == ["for", "usual", "balance", "press", "n1"]
    assert shortcut_fragments("balance", 2, "zh") == ["usual", "balance", "press", "n2"]
    assert menu_fragments("other_services", 3, "en") == \
        ["for", "other_services", "press", "n3"]


# ------------------------------------------------------------------ conditions


@pytest.mark.parametrize("expr,truth", [
    ("offer in profile.shortcuts", True),
    ("not offer in profile.shortcuts", False),
    ("'fx' in profile.shortcuts", False),
    ("'shortcuts' in profile.services", True),
    ("offer in profile.missing", False),
    ("'bal' in offer", True),
    ("offer in profile", False),
    ("'services' in profile", True),
    ("2 in numbers", True),
])
def test_in_tests_membership_of_a_list_a_table_or_a_string(expr: str, truth: bool) -> None:
    scope = {"offer": "balance", "numbers": [1, 2],
             "profile": {"shortcuts": ["balance"], "services": ["shortcuts"]}}
    assert evaluate(expr, scope) is truth


# ------------------------------------------------------------------ the checker

HEAD = "[vars]\nprofile = {}\n"
MENUS = '''[steps.a]
type = "menu"
shortcuts = "profile.shortcuts"
options = [
  { label = "accounts", next = "m2" },
  { label = "agent", next = "bye" },
]
[steps.m2]
type = "menu"
options = [
  { label = "balance", next = "bye" },
  { label = "recent", next = "p" },
]
[steps.p]
type = "play"
prompts = ["welcome"]
next = "bye"
''' + BYE


def shortcut(menu: str = "a", path: str = '["accounts", "balance"]', extra: str = "") -> str:
    return f'[shortcuts.usual]\nmenu = "{menu}"\npath = {path}\n{extra}'


def test_a_flow_with_shortcuts_is_accepted(tmp_path: Path) -> None:
    assert codes(write(tmp_path, MENUS + shortcut(), head=HEAD)) == []
    assert codes(write(tmp_path, MENUS + shortcut(path='["agent"]'), head=HEAD)) == []


@pytest.mark.parametrize("entry,code,at", [
    (shortcut(path='["accounts", "balanse"]'), "shortcut", "path ="),
    (shortcut(path='["acounts", "balance"]'), "shortcut", "path ="),
    (shortcut(path='["accounts", "recent", "more"]'), "shortcut", "path ="),
    (shortcut(menu="nowhere"), "unknown-step", 'menu = "nowhere"'),
    (shortcut(menu="p"), "shortcut", 'menu = "p"'),
    (shortcut(menu="m2", path='["balance"]'), "shortcut", 'menu = "m2"'),
])
def test_unknown_shortcut_targets_are_reported_at_their_line(tmp_path: Path, entry: str,
                                                             code: str, at: str) -> None:
    p = write(tmp_path, MENUS + entry, head=HEAD)
    # (a shortcut of another step also leaves menu a with none: reported at a's line)
    found = [c for c in codes(p) if c != ("shortcut", line_of(p, "shortcuts ="))]
    assert found == [(code, line_of(p, at))]


def test_menu_taking_shortcuts_without_any_is_reported(tmp_path: Path) -> None:
    p = write(tmp_path, MENUS, head=HEAD)
    assert codes(p) == [("shortcut", line_of(p, "shortcuts ="))]


def test_unknown_variable_for_the_stored_shortcuts_is_reported(tmp_path: Path) -> None:
    p = write(tmp_path, MENUS + shortcut())
    assert codes(p) == [("unknown-variable", line_of(p, "shortcuts ="))]


def test_missing_shortcut_prompt_is_reported_at_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, MENUS + shortcut(extra='prompt = "no_such_prompt"\n'), head=HEAD)
    assert codes(p) == [("prompt", line_of(p, "no_such_prompt"))] * 2  # zh and en


@pytest.mark.parametrize("entry,message", [
    ('[shortcuts.usual]\nmenu = "a"\n', "needs path"),
    ('[shortcuts.usual]\npath = ["agent"]\n', "needs menu"),
    ('[shortcuts.usual]\nmenu = "a"\npath = []\n', "needs path"),
    ('[shortcuts.usual]\nmenu = "a"\npath = ["agent"]\ncolour = "red"\n', "unknown key"),
])
def test_malformed_shortcut_tables_are_refused_at_load(tmp_path: Path, entry: str,
                                                       message: str) -> None:
    p = write(tmp_path, MENUS + entry, head=HEAD)
    with pytest.raises(FlowError, match=message) as err:
        load_flow(p)
    assert line_of(p, "[shortcuts.usual]") <= err.value.line
    with pytest.raises(FlowError):
        Engine(p)


def test_a_menu_with_shortcuts_counts_two_levels_deep(tmp_path: Path) -> None:
    def chain(n: int) -> str:
        names = [f"m{i}" for i in range(n)]
        out = ""
        for i, name in enumerate(names):
            nxt = names[i + 1] if i + 1 < n else "bye"
            extra = 'shortcuts = "profile.shortcuts"\n' if i == 0 else ""
            out += (f'[steps.{name}]\ntype = "menu"\n{extra}'
                    f'options = [{{ label = "balance", next = "{nxt}" }}]\n')
        return out.replace("[steps.m0]", "[steps.a]").replace('"m0"', '"a"') + BYE + \
            '[shortcuts.s]\nmenu = "a"\npath = ["balance"]\n'

    assert codes(write(tmp_path, chain(4), head=HEAD)) == []
    assert [c for c, _ in codes(write(tmp_path, chain(5), head=HEAD))] == ["depth"]


def test_cli_check_prints_the_unknown_shortcut_target_with_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from boardlib.cli import ivr

    parser = argparse.ArgumentParser()
    ivr.register(parser.add_subparsers())
    p = write(tmp_path, MENUS + shortcut(path='["accounts", "balanse"]'), head=HEAD)
    args = parser.parse_args(["ivr", "check", str(p)])
    assert args.func(args) == 1
    out = capsys.readouterr().out
    assert f"{p}:{line_of(p, 'path =')}: error: shortcut: shortcut 'usual': 'balanse' is " \
           f"not an option of menu 'm2'" in out
