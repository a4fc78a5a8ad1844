"""Flows as data: the TOML flow format, its loader and the small expression language.

A flow file is TOML (read with the standard library's ``tomllib``: no dependency, comments
allowed, and a format operations staff can edit by hand). Its tables::

    [flow]                     name, start step, languages, prompt directory, ...
    [vars]                     variables with their initial values
    [text.zh] / [text.en]      the text each prompt fragment is recorded from
    [steps.NAME]               one step: type = "play" | "menu" | "collect" |
                               "collect_secure" | "host" | "branch" | "goto" | "set" |
                               "transfer" | "record" | "hangup"
    [shortcuts.NAME]           a deep menu item a customer can keep as a shortcut:
                               menu = "STEP" (the menu offering it), path = ["label", ...]
                               (option labels from that menu down), prompt = "fragment"
                               (optional; default: the last option's prompt)

A menu step with ``shortcuts = "profile.shortcuts"`` offers the caller's stored shortcuts
(a list of ``[shortcuts.NAME]`` names, per customer, usually from the host's profile) before
its own options: "for your usual <prompt>, press 1". The engine's rules (see
:func:`~boardlib.ivr.engine.menu_layout`): a shortcut is offered only when every option on
its path is visible to this caller (``requires``, ``when``); unknown (stale) or hidden names
are skipped and traced; an option a one-label shortcut offers is not offered twice; keys
stay contiguous from 1 and the menu at most 5 wide: when the shortcuts and the options do
not fit, the menu offers the shortcuts (at most 4) and "for other services, press N", which
leads to the menu's own options one level down.

Values starting with ``$`` are variables (``$profile.name``, ``$call.number``); conditions
(``if``, ``when``) are ``[not] OPERAND [OP OPERAND]`` with OP one of ``== != < <= > >= in``
and operands variables (without ``$``), numbers, ``'strings'``, ``true``, ``false``
(``'fx' in profile.services``: membership of a list, a table's keys or a string).

Line numbers are kept per step and per key so every problem is reported as ``file:line``.
"""

from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BoardlibError

__all__ = ["FlowError", "Step", "Shortcut", "Flow", "load_flow", "parse_flow", "STEP_TYPES",
           "INPUT_TYPES", "TERMINAL_TYPES", "BUILTIN_VARS", "resolve", "evaluate", "variables_in",
           "condition_vars"]

STEP_TYPES = ("play", "menu", "collect", "collect_secure", "host", "branch", "goto", "set",
              "transfer", "record", "hangup")
INPUT_TYPES = ("menu", "collect", "collect_secure", "record")
TERMINAL_TYPES = ("transfer", "hangup")
#: Variables every call has: ``call.number``, ``call.session``, ``call.channel``,
#: ``call.dnis``, ``call.name``; ``lang`` (the prompt language); ``last`` (the last step's
#: outcome: ``ok``, ``failed``, ``timeout``).
BUILTIN_VARS = ("call", "lang", "last")

#: Keys each step type accepts (besides ``type``, ``next``, ``log``).
STEP_KEYS: dict[str, set[str]] = {
    "play": {"prompts", "barge_in"},
    "menu": {"prompt", "options", "personal", "shortcuts", "retries", "no_input", "invalid",
             "on_fail", "timeout"},
    "collect": {"prompt", "min_digits", "max_digits", "terminator", "validate", "confirm",
                "store", "retries", "no_input", "invalid", "on_fail", "timeout"},
    "collect_secure": {"prompt", "min_digits", "max_digits", "terminator", "store", "retries",
                       "no_input", "invalid", "on_fail", "timeout"},
    "host": {"function", "send", "store", "on_fail", "timeout"},
    "branch": {"cases", "default"},
    "goto": set(),
    "set": {"var", "value", "add"},
    "transfer": {"queue", "number", "prompt", "on_fail", "attach"},
    "record": {"prompt", "max_time", "max_silence", "store", "beep"},
    "hangup": {"prompt"},
}
OPTION_KEYS = {"label", "next", "requires", "when", "key", "prompt"}
#: Keys of a ``[shortcuts.NAME]`` table.
SHORTCUT_KEYS = {"menu", "path", "prompt"}
VALIDATORS = ("luhn", "amount", "digits")


class FlowError(BoardlibError, ValueError):
    """A flow file that cannot be loaded; ``path`` and ``line`` say where."""

    def __init__(self, message: str, path: str | Path = "?", line: int = 0) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        super().__init__(f"{self.path}:{line}: {message}")


@dataclass
class Step:
    """One step of a flow: its ``name``, ``type``, raw fields and source lines."""

    name: str
    type: str
    fields: dict[str, Any]
    line: int = 0
    key_lines: dict[str, int] = field(default_factory=dict)
    option_lines: list[int] = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def targets(self) -> list[tuple[str, str]]:
        """Steps this one can go to: ``(key, step name)`` pairs."""
        out = []
        for key in ("next", "on_fail", "default"):
            if isinstance(self.fields.get(key), str):
                out.append((key, self.fields[key]))
        if self.type == "menu":
            for opt in self.fields.get("options") or []:
                if isinstance(opt, dict) and isinstance(opt.get("next"), str):
                    out.append(("options", opt["next"]))
        if self.type == "branch":
            for case in self.fields.get("cases") or []:
                if isinstance(case, dict) and isinstance(case.get("next"), str):
                    out.append(("cases", case["next"]))
        return out


@dataclass
class Shortcut:
    """A ``[shortcuts.NAME]`` entry: the option labels ``path`` from the menu step ``menu``
    down to a deep item, and the prompt fragment that names it (``None``: the last option's
    prompt)."""

    name: str
    menu: str
    path: list[str]
    prompt: str | None = None
    line: int = 0
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass
class Flow:
    """A loaded flow. ``version`` counts loads of the same file (reloads)."""

    name: str
    path: Path
    start: str
    steps: dict[str, Step]
    languages: list[str]
    prompt_dir: Path
    vars: dict[str, Any]
    texts: dict[str, dict[str, str]]
    facts: str = "profile.services"
    on_error: str | None = None
    version: int = 1
    header_line: int = 1
    mtime: float = 0.0
    #: ``[shortcuts.NAME]`` entries by name.
    shortcuts: dict[str, Shortcut] = field(default_factory=dict)
    #: The prompt fragments of this version (set by the engine when it loads the flow).
    prompt_set: Any = field(default=None, repr=False, compare=False)


_HEADER = re.compile(r"^\s*\[\s*(steps|shortcuts)\s*\.\s*\"?([A-Za-z0-9_\-]+)\"?\s*\]"
                     r"\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


class _Lines:
    """Source lines of ``[steps.NAME]`` and ``[shortcuts.NAME]`` tables, their keys and
    (for steps) their menu options."""

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[str, str], int] = {}
        self.keys: dict[tuple[str, str], dict[str, int]] = {}
        self.options: dict[tuple[str, str], list[int]] = {}
        current: tuple[str, str] | None = None
        for no, line in enumerate(text.splitlines(), 1):
            m = _HEADER.match(line)
            if m:
                current = (m.group(1), m.group(2))
                self.tables[current] = no
                self.keys[current] = {}
                self.options[current] = []
                continue
            if _ANY_HEADER.match(line):
                current = None
                continue
            if current is None:
                continue
            k = _KEY.match(line)
            if k and k.group(1) not in self.keys[current]:
                self.keys[current][k.group(1)] = no
            if re.search(r"\blabel\s*=", line):
                self.options[current].append(no)


def _toml_line(exc: tomllib.TOMLDecodeError, text: str) -> int:
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    return len(text.splitlines()) if "end of document" in str(exc) else 0


def parse_flow(text: str, path: str | Path = "<flow>", version: int = 1) -> Flow:
    """Build a :class:`Flow` from TOML text. Raises :class:`FlowError` (with the line) for
    malformed TOML, a missing ``[flow]`` table or start step, unknown step types or keys."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FlowError(f"malformed TOML: {exc}", path, _toml_line(exc, text)) from None
    lines = text.splitlines()
    header_line = next((i for i, ln in enumerate(lines, 1) if ln.strip().startswith("[flow]")), 1)
    head = data.get("flow")
    if not isinstance(head, dict):
        raise FlowError("a flow file needs a [flow] table with name and start", path, 1)
    steps_raw = data.get("steps")
    if not isinstance(steps_raw, dict) or not steps_raw:
        raise FlowError("a flow file needs [steps.NAME] tables", path, header_line)
    idx = _Lines(text)
    steps: dict[str, Step] = {}
    for name, raw in steps_raw.items():
        line = idx.tables.get(("steps", name), header_line)
        key_lines = idx.keys.get(("steps", name), {})
        olines = idx.options.get(("steps", name), [])
        if not isinstance(raw, dict):
            raise FlowError(f"step {name!r} must be a table", path, line)
        kind = raw.get("type")
        if kind not in STEP_TYPES:
            raise FlowError(f"step {name!r}: unknown step type {kind!r}; types: "
                            f"{', '.join(STEP_TYPES)}", path, key_lines.get("type", line))
        allowed = STEP_KEYS[kind] | {"type", "next", "log"}
        for key in raw:
            if key not in allowed:
                raise FlowError(f"step {name!r}: unknown key {key!r} for a {kind} step; keys: "
                                f"{', '.join(sorted(allowed))}", path, key_lines.get(key, line))
        if kind == "menu":
            opts = raw.get("options")
            if not isinstance(opts, list) or not opts:
                raise FlowError(f"menu {name!r} needs a non-empty options list", path, line)
            for i, opt in enumerate(opts):
                oline = olines[i] if i < len(olines) else line
                if not isinstance(opt, dict) or not isinstance(opt.get("label"), str) \
                        or not isinstance(opt.get("next"), str):
                    raise FlowError(f"menu {name!r} option {i + 1} needs label and next",
                                    path, oline)
                bad = set(opt) - OPTION_KEYS
                if bad:
                    raise FlowError(f"menu {name!r} option {opt['label']!r}: unknown key(s) "
                                    f"{', '.join(sorted(bad))}", path, oline)
        steps[name] = Step(name, kind, dict(raw), line, key_lines, olines)
    shortcuts = _shortcuts(data.get("shortcuts", {}), idx, path, header_line)
    start = head.get("start")
    if start not in steps:
        raise FlowError(f"[flow] start must name a step, got {start!r}", path, header_line)
    langs = head.get("languages", ["zh"])
    if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
        raise FlowError("[flow] languages must be a list such as [\"zh\", \"en\"]", path,
                        header_line)
    prompt_dir = Path(head.get("prompts", "prompts"))
    if not prompt_dir.is_absolute():
        prompt_dir = path.parent / prompt_dir
    texts = data.get("text", {})
    return Flow(name=str(head.get("name", path.stem)), path=path, start=start, steps=steps,
                languages=list(langs), prompt_dir=prompt_dir, vars=dict(data.get("vars", {})),
                texts={k: dict(v) for k, v in texts.items() if isinstance(v, dict)},
                facts=str(head.get("facts", "profile.services")),
                on_error=head.get("on_error"), version=version, header_line=header_line,
                shortcuts=shortcuts)


def _shortcuts(raw: Any, idx: _Lines, path: Path, header_line: int) -> dict[str, Shortcut]:
    """The ``[shortcuts.NAME]`` tables (their targets are checked by :func:`check_flow`)."""
    if not isinstance(raw, dict):
        raise FlowError("shortcuts must be [shortcuts.NAME] tables", path, header_line)
    out: dict[str, Shortcut] = {}
    for name, entry in raw.items():
        line = idx.tables.get(("shortcuts", name), header_line)
        key_lines = idx.keys.get(("shortcuts", name), {})
        if not isinstance(entry, dict):
            raise FlowError(f"shortcut {name!r} must be a table", path, line)
        for key in entry:
            if key not in SHORTCUT_KEYS:
                raise FlowError(f"shortcut {name!r}: unknown key {key!r}; keys: "
                                f"{', '.join(sorted(SHORTCUT_KEYS))}", path,
                                key_lines.get(key, line))
        menu, steps, prompt = entry.get("menu"), entry.get("path"), entry.get("prompt")
        if not isinstance(menu, str):
            raise FlowError(f"shortcut {name!r} needs menu = \"STEP\" (the menu offering it)",
                            path, key_lines.get("menu", line))
        if not isinstance(steps, list) or not steps or \
                not all(isinstance(x, str) for x in steps):
            raise FlowError(f"shortcut {name!r} needs path = [\"label\", ...] (option labels "
                            f"from menu {menu!r} down)", path, key_lines.get("path", line))
        if prompt is not None and not isinstance(prompt, str):
            raise FlowError(f"shortcut {name!r}: prompt must be a fragment name", path,
                            key_lines.get("prompt", line))
        out[name] = Shortcut(name, menu, list(steps), prompt, line, key_lines)
    return out


def load_flow(path: str | Path, version: int = 1) -> Flow:
    """Read and parse a flow file (see :func:`parse_flow`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError(f"cannot read flow file: {exc}", p, 0) from None
    flow = parse_flow(text, p, version)
    flow.mtime = p.stat().st_mtime
    return flow


# --------------------------------------------------------------------------- expressions

_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)")
_OPS = ("==", "!=", "<", "<=", ">", ">=", "in")
_TOKEN = re.compile(r"\s*(==|!=|<=|>=|<|>|'[^']*'|\"[^\"]*\""
                    r"|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?)")
_MISSING = object()


def resolve(path: str, scope: dict[str, Any]) -> Any:
    """Value of a dotted variable path in ``scope`` (``None`` when absent)."""
    cur: Any = scope
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part, _MISSING)
        elif isinstance(cur, (list, tuple)) and part.isdigit():
            cur = cur[int(part)] if int(part) < len(cur) else _MISSING
        else:
            cur = getattr(cur, part, _MISSING)
        if cur is _MISSING:
            return None
    return cur


def variables_in(value: Any) -> list[str]:
    """Variable paths referenced (``$x.y``) anywhere in a field value."""
    out: list[str] = []
    if isinstance(value, str):
        out += _VAR.findall(value)
    elif isinstance(value, dict):
        for v in value.values():
            out += variables_in(v)
    elif isinstance(value, list):
        for v in value:
            out += variables_in(v)
    return out


def _tokens(expr: str) -> list[str]:
    pos, out = 0, []
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise FlowError(f"cannot read condition {expr!r} at {expr[pos:]!r}")
        out.append(m.group(1))
        pos = m.end()
        while pos < len(expr) and expr[pos] == " ":
            pos += 1
    return out


def _operand(tok: str, scope: dict[str, Any] | None) -> Any:
    if tok[0] in "'\"":
        return tok[1:-1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", tok):
        return float(tok)
    if tok in ("true", "false"):
        return tok == "true"
    if tok == "none":
        return None
    return None if scope is None else resolve(tok, scope)


def _parse_condition(expr: str) -> tuple[bool, str, str | None, str | None]:
    toks = _tokens(expr)
    neg = bool(toks) and toks[0] == "not"
    if neg:
        toks = toks[1:]
    if len(toks) == 1:
        return neg, toks[0], None, None
    if len(toks) == 3 and toks[1] in _OPS:
        return neg, toks[0], toks[1], toks[2]
    raise FlowError(f"condition {expr!r} must be [not] A [OP B]")


def condition_vars(expr: str) -> list[str]:
    """Variable paths a condition reads (raises :class:`FlowError` if malformed)."""
    _, a, _, b = _parse_condition(expr)
    out = []
    for tok in (a, b):
        if tok is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", tok) \
                and tok not in ("true", "false", "none", "not", "in"):
            out.append(tok)
    return out


#: The ordering operators of conditions (``==`` and ``!=`` are handled before, with ``none``).
_ORDERING: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def evaluate(expr: str, scope: dict[str, Any]) -> bool:
    """Truth of a condition in ``scope``."""
    neg, a, op, b = _parse_condition(expr)
    left = _operand(a, scope)
    if op is None or b is None:
        result = bool(left)
    elif op == "in":
        result = _contains(_operand(b, scope), left)
    else:
        right = _operand(b, scope)
        if isinstance(right, float) and isinstance(left, str):
            try:
                left = float(left)
            except ValueError:
                pass
        if isinstance(left, (int, float)) and isinstance(right, str):
            try:
                right = float(right)
            except ValueError:
                pass
        try:
            if op == "==":
                result = bool(left == right)
            elif op == "!=":
                result = bool(left != right)
            elif left is None or right is None:
                result = False
            else:
                result = bool(_ORDERING[op](left, right))
        except TypeError:
            result = False
    return not result if neg else result


def _contains(container: Any, item: Any) -> bool:
    """``item in container`` for a list, a table (its keys) or a string; else false."""
    if isinstance(container, (list, tuple, set, frozenset, dict)):
        try:
            return item in container
        except TypeError:  # an unhashable item and a dict or set
            return False
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    return False
