"""The flow checker and the loader: every problem found before deployment, with file and
line; bad flows are refused at load and by ``boardlib ivr check``."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardlib.audiofile import write_wav
from boardlib.ivr import Engine, FlowError, check_flow, load_flow, parse_flow
from boardlib.ivr.flow import evaluate
from examples.bank_ivr.app import FLOW

PROMPTS = (FLOW.parent / "prompts").as_posix()


def write(tmp: Path, steps: str, prompts: str = PROMPTS, head: str = "") -> Path:
    path = tmp / "f.toml"
    path.write_text(f'[flow]\nname = "t"\nstart = "a"\nlanguages = ["zh", "en"]\n'
                    f'prompts = "{prompts}"\n{head}\n{steps}')
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if text in ln)


def codes(path: Path) -> list[tuple[str, int]]:
    return [(i.code, i.line) for i in check_flow(path)]


def menu(name: str, n: int, nxt: str = "bye", keys: list[int] | None = None) -> str:
    labels = ["balance", "recent", "transfer", "agent", "back", "accounts"]
    opts = []
    for i in range(n):
        key = f", key = {keys[i]}" if keys else ""
        opts.append(f'  {{ label = "{labels[i]}", next = "{nxt}"{key} }},')
    return f'[steps.{name}]\ntype = "menu"\noptions = [\n' + "\n".join(opts) + '\n]\n'


BYE = '[steps.bye]\ntype = "hangup"\n'


def test_the_bank_flow_has_no_problem() -> None:
    assert check_flow(FLOW) == []


def test_menu_of_5_options_is_accepted(tmp_path: Path) -> None:
    assert codes(write(tmp_path, menu("a", 5) + BYE)) == []


def test_menu_of_6_options_is_rejected_at_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, menu("a", 6) + BYE)
    assert codes(p) == [("width", line_of(p, "options ="))]


def chain(depth: int) -> str:
    names = [chr(ord("a") + i) for i in range(depth)]
    return "".join(menu(n, 1, names[i + 1] if i + 1 < depth else "bye")
                   for i, n in enumerate(names)) + BYE


def test_menus_5_deep_are_accepted(tmp_path: Path) -> None:
    assert codes(write(tmp_path, chain(5))) == []


def test_menus_6_deep_are_rejected(tmp_path: Path) -> None:
    assert [c for c, _ in codes(write(tmp_path, chain(6)))] == ["depth"]


def test_keys_not_contiguous_from_1_are_rejected(tmp_path: Path) -> None:
    p = write(tmp_path, menu("a", 2, keys=[1, 3]) + BYE)
    assert codes(p) == [("keys", line_of(p, "options ="))]
    assert codes(write(tmp_path, menu("a", 2, keys=[1, 2]) + BYE)) == []


def test_unreachable_step_is_a_warning_with_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "play"\nprompts = ["welcome"]\nnext = "bye"\n' + BYE +
              '[steps.lost]\ntype = "hangup"\n')
    issues = check_flow(p)
    assert [(i.code, i.line, i.error) for i in issues] == \
        [("unreachable", line_of(p, "[steps.lost]"), False)]
    Engine(p)  # a warning does not stop the flow from loading


def test_dead_end_and_unknown_target_are_reported(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "play"\nprompts = ["welcome"]\nnext = "b"\n'
              '[steps.b]\ntype = "play"\nprompts = ["welcome"]\nnext = "nowhere"\n'
              '[steps.c]\ntype = "play"\nprompts = ["welcome"]\n')
    found = codes(p)
    assert ("unknown-step", line_of(p, 'next = "nowhere"')) in found
    assert ("dead-end", line_of(p, "[steps.c]")) in found


def test_cycle_without_input_is_rejected_and_one_through_a_menu_is_not(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "play"\nprompts = ["welcome"]\nnext = "b"\n'
              '[steps.b]\ntype = "host"\nfunction = "f"\nnext = "a"\n')
    assert [c for c, _ in codes(p)] == ["cycle"]
    p = write(tmp_path, '[steps.a]\ntype = "play"\nprompts = ["welcome"]\nnext = "m"\n'
              + menu("m", 2, "a"))
    assert codes(p) == []


def test_missing_prompt_is_reported_at_the_line_that_uses_it(tmp_path: Path) -> None:
    p = write(tmp_path,
              '[steps.a]\ntype = "play"\nprompts = ["no_such_prompt"]\nnext = "bye"\n' + BYE)
    found = check_flow(p)
    assert {(i.code, i.line) for i in found} == {("prompt", line_of(p, "no_such_prompt"))}
    assert len(found) == 2  # missing in zh and in en
    with pytest.raises(FlowError, match=r"f\.toml:\d+: prompt: prompt 'no_such_prompt' missing"):
        Engine(p)


def test_prompt_in_the_wrong_format_is_rejected(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS, prompts)
    write_wav(prompts / "en" / "welcome.wav", np.zeros(1600, np.int16), sample_rate=16000)
    p = write(tmp_path, '[steps.a]\ntype = "play"\nprompts = ["welcome"]\nnext = "bye"\n' + BYE,
              prompts=prompts.as_posix())
    issues = check_flow(p)
    assert len(issues) == 1 and "wrong format" in issues[0].message and "16000" in issues[0].message


def test_unknown_variable_is_reported(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "play"\n'
              'prompts = [{ say = "money", value = "$nope.amount" }]\nnext = "bye"\n' + BYE)
    assert codes(p) == [("unknown-variable", line_of(p, "$nope"))]


@pytest.mark.parametrize("use", [
    'type = "play"\nprompts = [{ say = "digits", value = "$pin" }]',
    'type = "play"\nprompts = ["welcome"]\nlog = "entered $pin"',
    'type = "set"\nvar = "copy"\nvalue = "$pin"',
])
def test_secure_value_flowing_into_a_prompt_log_or_copy_is_rejected(tmp_path: Path,
                                                                   use: str) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "collect_secure"\nprompt = ["enter_pin"]\n'
              'min_digits = 6\nmax_digits = 6\nstore = "pin"\nnext = "b"\n'
              f'[steps.b]\n{use}\nnext = "bye"\n' + BYE)
    assert [c for c, _ in codes(p)] == ["secure-leak"]


def test_secure_value_sent_to_the_host_is_allowed(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "collect_secure"\nprompt = ["enter_pin"]\n'
              'min_digits = 6\nmax_digits = 6\nstore = "pin"\nnext = "b"\n'
              '[steps.b]\ntype = "host"\nfunction = "verify_pin"\nsend = { pin = "$pin" }\n'
              'next = "bye"\n' + BYE)
    assert codes(p) == []


def test_malformed_toml_is_refused_at_load_with_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = hangup\n' + BYE)
    with pytest.raises(FlowError) as err:
        load_flow(p)
    assert err.value.line == line_of(p, "type = hangup")
    assert str(err.value).startswith(f"{p}:{err.value.line}: malformed TOML")
    assert [(i.code, i.line) for i in check_flow(p)] == [("load", err.value.line)]
    p = write(tmp_path, '[steps.a]\ntype = "hangup"\nprompt = ["goodbye"\n')
    with pytest.raises(FlowError) as err:
        load_flow(p)
    assert err.value.line == len(p.read_text().splitlines())  # unclosed at the end


def test_unknown_step_type_and_unknown_key_are_refused_with_their_lines(tmp_path: Path) -> None:
    p = write(tmp_path, '[steps.a]\ntype = "dance"\n')
    with pytest.raises(FlowError, match="unknown step type 'dance'") as err:
        load_flow(p)
    assert err.value.line == line_of(p, 'type = "dance"')
    p = write(tmp_path, '[steps.a]\ntype = "hangup"\ncolour = "red"\n')
    with pytest.raises(FlowError, match="unknown key 'colour'") as err:
        load_flow(p)
    assert err.value.line == line_of(p, "colour")


def test_cli_check_prints_file_and_line_and_exits_1(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from boardlib.cli import ivr

    parser = argparse.ArgumentParser()
    ivr.register(parser.add_subparsers())
    p = write(tmp_path, menu("a", 6) + BYE)
    args = parser.parse_args(["ivr", "check", str(p)])
    assert args.func(args) == 1
    assert f"{p}:{line_of(p, 'options =')}: error: width:" in capsys.readouterr().out
    args = parser.parse_args(["ivr", "check", str(FLOW)])
    assert args.func(args) == 0


_PIECES = st.sampled_from([
    "[flow]\n", 'name = "x"\n', 'start = "a"\n', "[steps.a]\n", 'type = "menu"\n',
    'type = "play"\n', 'next = "a"\n', "options = []\n", 'options = [{ label = "x" }]\n',
    'prompts = ["welcome"]\n', "[steps.b]\n", "type = 3\n", 'languages = "zh"\n', "= =\n",
    '[[steps]]\n', 'cases = [{ if = "a ==" }]\n', 'type = "branch"\n', "[text.zh]\n",
    "[shortcuts.s]\n", 'menu = "a"\n', 'path = ["x"]\n', 'shortcuts = "v"\n', "[shortcuts]\n",
    "s = 1\n", 'options = [{ label = "x", next = "a" }]\n'])


@given(st.lists(_PIECES, max_size=12))
def test_any_flow_text_loads_or_fails_with_a_flow_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        flow = parse_flow(text, "fuzz.toml")
    except FlowError as exc:
        assert exc.path == "fuzz.toml" and exc.line >= 0
        return
    for issue in check_flow(flow, prompts=False):
        assert issue.path == "fuzz.toml"


@given(st.text(max_size=30), st.dictionaries(st.sampled_from(["a", "b", "x"]),
                                             st.one_of(st.integers(), st.text(max_size=3),
                                                       st.none(), st.booleans())))
def test_conditions_evaluate_or_fail_with_a_flow_error(expr: str, scope: dict[str, object]) -> None:
    try:
        assert evaluate(expr, scope) in (True, False)
    except FlowError:
        pass
