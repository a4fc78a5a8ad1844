"""The flow checker: everything that can be found before a flow is deployed.

:func:`check_flow` reports, each with file and line: malformed files and unknown step types
(from the loader), menus wider than 5 or deeper than 5, keys not contiguous from 1, steps
that go nowhere or to unknown steps, unreachable steps, cycles that never wait for input,
missing prompts or prompts in the wrong format, unknown variables, bad conditions, a
``collect_secure`` value that flows into a prompt, a ``set`` or a ``log``, and shortcuts
(``[shortcuts.NAME]``) whose targets do not exist: an unknown menu, a menu that takes no
shortcuts, a label that is not an option of its menu, a path that leaves the menus before
its last label. A menu that takes shortcuts counts two levels deep (its own options may be
one level down, behind "other services").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .flow import (
    BUILTIN_VARS,
    INPUT_TYPES,
    TERMINAL_TYPES,
    VALIDATORS,
    Flow,
    FlowError,
    Step,
    condition_vars,
    load_flow,
    variables_in,
)
from .prompts import ENGINE_WORDS, SHORTCUT_WORDS, PromptSet
from .say import KINDS, VOCABULARY

__all__ = ["Issue", "check_flow", "MAX_WIDTH", "MAX_DEPTH"]

MAX_WIDTH = 5
MAX_DEPTH = 5
_PROMPT_KEYS = ("prompts", "prompt", "no_input", "invalid")
#: Issue codes that are warnings: the flow still loads.
WARNINGS = ("unreachable",)


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: ``path:line: code: message``. Warnings (``unreachable``) do not stop a
    flow from loading; everything else does."""

    path: str
    line: int
    code: str
    message: str

    @property
    def error(self) -> bool:
        return self.code not in WARNINGS

    def __str__(self) -> str:
        kind = "error" if self.error else "warning"
        return f"{self.path}:{self.line}: {kind}: {self.code}: {self.message}"


def check_flow(flow: Flow | str | Path, *, prompts: bool = True,
               prompt_set: PromptSet | None = None) -> list[Issue]:
    """Check a flow (a loaded :class:`Flow` or a path); return the problems, empty if none.
    ``prompt_set`` is the set to check (and fill) instead of a fresh one."""
    if not isinstance(flow, Flow):
        try:
            flow = load_flow(flow)
        except FlowError as exc:
            return [Issue(exc.path, exc.line, "load", exc.reason)]
    return _Checker(flow, prompts, prompt_set).run()


class _Checker:
    def __init__(self, flow: Flow, prompts: bool, prompt_set: PromptSet | None) -> None:
        self.flow = flow
        self.prompt_set = prompt_set
        self.check_prompts = prompts
        self.issues: list[Issue] = []
        self.path = str(flow.path)

    def add(self, line: int, code: str, message: str) -> None:
        self.issues.append(Issue(self.path, line, code, message))

    def run(self) -> list[Issue]:
        f = self.flow
        defined = set(BUILTIN_VARS) | set(f.vars)
        secure: set[str] = set()
        for st in f.steps.values():
            if isinstance(st.get("store"), str):
                defined.add(st.get("store").split(".")[0])
                if st.type == "collect_secure":
                    secure.add(st.get("store").split(".")[0])
            if st.type == "set" and isinstance(st.get("var"), str):
                defined.add(st.get("var").split(".")[0])
        self.defined, self.secure = defined, secure
        for st in f.steps.values():
            self.step(st)
        self.shortcuts()
        self.graph()
        if self.check_prompts:
            self.prompt_files()
        self.issues.sort(key=lambda i: (i.line, i.code))
        return self.issues

    # ---- per step
    def step(self, st: Step) -> None:
        for key, target in st.targets():
            if target not in self.flow.steps:
                self.add(st.line_of(key), "unknown-step",
                         f"step {st.name!r}: {key} goes to unknown step {target!r}")
        if not st.targets() and st.type not in TERMINAL_TYPES:
            self.add(st.line, "dead-end", f"step {st.name!r} ({st.type}) has no next step")
        for key, value in st.fields.items():
            for var in variables_in(value):
                self.var(st, key, var)
        if isinstance(st.get("log"), str):
            for var in variables_in(st.get("log")):
                if var.split(".")[0] in self.secure:
                    self.add(st.line_of("log"), "secure-leak",
                             f"step {st.name!r}: secure value ${var} written to the log")
        for key in _PROMPT_KEYS:
            for var in variables_in(st.get(key)):
                if var.split(".")[0] in self.secure:
                    self.add(st.line_of(key), "secure-leak",
                             f"step {st.name!r}: secure value ${var} would be played")
        if st.type == "set":
            for var in variables_in(st.get("value")):
                if var.split(".")[0] in self.secure:
                    self.add(st.line_of("value"), "secure-leak",
                             f"step {st.name!r}: secure value ${var} copied into "
                             f"{st.get('var')!r}")
            if not isinstance(st.get("var"), str):
                self.add(st.line, "bad-field", f"set step {st.name!r} needs var")
        if st.type == "menu":
            self.menu(st)
        if st.type in ("collect", "collect_secure"):
            lo, hi = st.get("min_digits", 1), st.get("max_digits", 1)
            if not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi <= 32):
                self.add(st.line_of("max_digits"), "bad-field",
                         f"step {st.name!r}: need 1 <= min_digits <= max_digits <= 32")
            v = st.get("validate")
            if v is not None and v not in VALIDATORS:
                self.add(st.line_of("validate"), "bad-field",
                         f"step {st.name!r}: validate must be one of {', '.join(VALIDATORS)}")
            if not isinstance(st.get("store"), str):
                self.add(st.line, "bad-field", f"step {st.name!r} needs store = \"NAME\"")
        if st.type == "host" and not isinstance(st.get("function"), str):
            self.add(st.line, "bad-field", f"host step {st.name!r} needs function = \"NAME\"")
        if st.type == "transfer" and not (st.get("queue") or st.get("number")):
            self.add(st.line, "bad-field", f"transfer step {st.name!r} needs queue or number")
        for key in ("timeout", "max_time", "max_silence"):
            v = st.get(key)
            if v is not None and not (isinstance(v, (int, float)) and 0 < v <= 3600):
                self.add(st.line_of(key), "bad-field",
                         f"step {st.name!r}: {key} must be seconds in (0, 3600]")
        if st.type == "branch":
            for case in st.get("cases") or []:
                cond = case.get("if") if isinstance(case, dict) else None
                self.condition(st, "cases", cond)
            if not isinstance(st.get("default"), str):
                self.add(st.line, "dead-end", f"branch {st.name!r} needs a default")
        for item in self.prompt_items(st):
            if isinstance(item, dict):
                if "say" in item and item["say"] not in KINDS:
                    self.add(st.line, "bad-prompt",
                             f"step {st.name!r}: say must be one of {', '.join(KINDS)}")
                if not ({"say", "text", "silence"} & set(item)):
                    self.add(st.line, "bad-prompt",
                             f"step {st.name!r}: a prompt item is a name, say, text or silence")
            elif not isinstance(item, str):
                self.add(st.line, "bad-prompt", f"step {st.name!r}: bad prompt item {item!r}")
            elif item.startswith("$"):
                self.add(st.line, "bad-prompt", f"step {st.name!r}: say a variable with "
                         f"{{say = \"digits\", value = \"{item}\"}}, not a bare {item}")

    def var(self, st: Step, key: str, var: str) -> None:
        if var.split(".")[0] not in self.defined:
            self.add(st.line_of(key), "unknown-variable",
                     f"step {st.name!r}: unknown variable ${var} in {key}")

    def condition(self, st: Step, key: str, cond: Any) -> None:
        if not isinstance(cond, str):
            self.add(st.line_of(key), "bad-condition", f"step {st.name!r}: condition missing")
            return
        try:
            names = condition_vars(cond)
        except FlowError as exc:
            self.add(st.line_of(key), "bad-condition", f"step {st.name!r}: {exc.reason}")
            return
        for n in names:
            self.var(st, key, n)

    def menu(self, st: Step) -> None:
        opts = st.get("options")
        if len(opts) > MAX_WIDTH:
            self.add(st.line_of("options"), "width",
                     f"menu {st.name!r} has {len(opts)} options; at most {MAX_WIDTH}")
        keys = [o.get("key") for o in opts]
        if any(k is not None for k in keys):
            if any(k is None for k in keys) or sorted(keys) != list(range(1, len(opts) + 1)):
                self.add(st.line_of("options"), "keys",
                         f"menu {st.name!r}: keys {keys} are not contiguous from 1")
            elif any("requires" in o or "when" in o for o in opts):
                self.add(st.line_of("options"), "keys",
                         f"menu {st.name!r}: fixed keys cannot stay contiguous when options hide")
        for i, o in enumerate(opts):
            if "when" in o:
                self.condition(st, "options", o["when"])
            req = o.get("requires")
            if req is not None and not (isinstance(req, str) or (
                    isinstance(req, list) and all(isinstance(r, str) for r in req))):
                line = st.option_lines[i] if i < len(st.option_lines) else st.line
                self.add(line, "bad-field", f"menu {st.name!r}: requires must be names")
        personal = st.get("personal")
        if personal is not None:
            if not isinstance(personal, str):
                self.add(st.line_of("personal"), "bad-field", "personal must be a variable path")
            else:
                self.var(st, "personal", personal.lstrip("$"))
        stored = st.get("shortcuts")
        if stored is not None:
            if not isinstance(stored, str):
                self.add(st.line_of("shortcuts"), "bad-field",
                         "shortcuts must be a variable path (the caller's stored shortcuts)")
            else:
                self.var(st, "shortcuts", stored.lstrip("$"))
            if not any(sc.menu == st.name for sc in self.flow.shortcuts.values()):
                self.add(st.line_of("shortcuts"), "shortcut",
                         f"menu {st.name!r} takes shortcuts but no [shortcuts.NAME] table has "
                         f"menu = {st.name!r}")

    def shortcuts(self) -> None:
        """Every ``[shortcuts.NAME]`` leads through menus to an option that exists."""
        steps = self.flow.steps
        for sc in self.flow.shortcuts.values():
            menu = steps.get(sc.menu)
            if menu is None:
                self.add(sc.line_of("menu"), "unknown-step",
                         f"shortcut {sc.name!r}: menu {sc.menu!r} is not a step")
                continue
            if menu.type != "menu":
                self.add(sc.line_of("menu"), "shortcut",
                         f"shortcut {sc.name!r}: step {sc.menu!r} is a {menu.type} step, "
                         f"not a menu")
                continue
            if menu.get("shortcuts") is None:
                self.add(sc.line_of("menu"), "shortcut",
                         f"shortcut {sc.name!r}: menu {sc.menu!r} takes no shortcuts "
                         f"(it needs shortcuts = \"VARIABLE\")")
                continue
            for i, label in enumerate(sc.path):
                opts = [o for o in menu.get("options") if isinstance(o, dict)]
                opt = next((o for o in opts if o.get("label") == label), None)
                if opt is None:
                    self.add(sc.line_of("path"), "shortcut",
                             f"shortcut {sc.name!r}: {label!r} is not an option of menu "
                             f"{menu.name!r} (options: "
                             f"{', '.join(str(o.get('label')) for o in opts)})")
                    break
                if i + 1 == len(sc.path):
                    break
                nxt = steps.get(str(opt.get("next")))
                if nxt is None or nxt.type != "menu":
                    what = "an unknown step" if nxt is None else f"a {nxt.type} step"
                    self.add(sc.line_of("path"), "shortcut",
                             f"shortcut {sc.name!r}: option {label!r} of menu {menu.name!r} "
                             f"leads to {opt.get('next')!r}, {what}, not a menu; the labels "
                             f"after it cannot be reached")
                    break
                menu = nxt

    def prompt_items(self, st: Step) -> list[Any]:
        out: list[Any] = []
        for key in _PROMPT_KEYS:
            v = st.get(key)
            if v is None:
                continue
            out += v if isinstance(v, list) else [v]
        return out

    # ---- the whole graph
    def graph(self) -> None:
        f = self.flow
        edges = {n: [t for _, t in st.targets() if t in f.steps] for n, st in f.steps.items()}
        seen = {f.start}
        todo = [f.start]
        while todo:
            for t in edges[todo.pop()]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        if f.on_error in f.steps:
            seen.add(f.on_error)
        for n, st in f.steps.items():
            if n not in seen:
                self.add(st.line, "unreachable", f"step {n!r} cannot be reached from {f.start!r}")
        # cycles of steps none of which waits for the caller
        quiet = {n for n, st in f.steps.items() if st.type not in INPUT_TYPES}
        for comp in _sccs({n: [t for t in edges[n] if t in quiet] for n in quiet}):
            if len(comp) > 1 or comp[0] in edges[comp[0]]:
                first = min(comp, key=lambda n: f.steps[n].line)
                self.add(f.steps[first].line, "cycle",
                         f"steps {' -> '.join(sorted(comp))} loop without waiting for input")
        # menu depth along paths from the start (cycles cut)
        depth: dict[str, int] = {}
        on_path: set[str] = set()

        def walk(n: str) -> int:
            if n in depth:
                return depth[n]
            on_path.add(n)
            best = 0
            for t in edges[n]:
                if t not in on_path:
                    best = max(best, walk(t))
            on_path.discard(n)
            depth[n] = best + _levels(f.steps[n])
            return depth[n]

        d = walk(f.start)
        if d > MAX_DEPTH:
            deepest = max((n for n in depth if f.steps[n].type == "menu"),
                          key=lambda n: (depth[n], -f.steps[n].line))
            self.add(f.steps[f.start].line, "depth",
                     f"menus nest {d} deep from {f.start!r} (at most {MAX_DEPTH}); "
                     f"deepest chain starts near {deepest!r}")

    def prompt_files(self) -> None:
        f = self.flow
        ps = self.prompt_set or PromptSet(f.prompt_dir)
        needed: dict[str, int] = {}
        shortcut_line: int | None = None  # of the first menu that takes shortcuts
        uses_say = False
        for st in f.steps.values():
            for key in _PROMPT_KEYS:
                v = st.get(key)
                for item in (v if isinstance(v, list) else [v] if v is not None else []):
                    if isinstance(item, str) and not item.startswith("$"):
                        needed.setdefault(item, st.line_of(key))
                    elif isinstance(item, dict) and "say" in item:
                        uses_say = True
            if st.type == "menu":
                for i, o in enumerate(st.get("options")):
                    line = st.option_lines[i] if i < len(st.option_lines) else st.line
                    needed.setdefault(str(o.get("prompt", o["label"])), line)
                uses_say = True
                if st.get("shortcuts") is not None and shortcut_line is None:
                    shortcut_line = st.line_of("shortcuts")
        for sc in f.shortcuts.values():
            if sc.prompt is not None:
                needed.setdefault(sc.prompt, sc.line_of("prompt"))
        for lang in f.languages:
            if lang not in ENGINE_WORDS:
                self.add(f.header_line, "language", f"language {lang!r} unknown; "
                         f"known: {', '.join(ENGINE_WORDS)}")
                continue
            names = dict(needed)
            for w in ENGINE_WORDS[lang]:
                names.setdefault(w, f.header_line)
            if uses_say:
                for w in VOCABULARY[lang]:
                    names.setdefault(w, f.header_line)
            if shortcut_line is not None:
                for w in SHORTCUT_WORDS.get(lang, {}):
                    names.setdefault(w, shortcut_line)
            for name, line in names.items():
                problem = ps.problem(lang, name)
                if problem is not None:
                    self.add(line, "prompt", problem)


def _levels(st: Step) -> int:
    """Menu levels a step adds to a path: a menu with shortcuts may put its own options one
    level down (behind "other services")."""
    if st.type != "menu":
        return 0
    return 2 if st.get("shortcuts") is not None else 1


def _sccs(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for t in it:
                if t not in index:
                    index[t] = low[t] = counter
                    counter += 1
                    stack.append(t)
                    on.add(t)
                    work.append((t, iter(graph[t])))
                    advanced = True
                    break
                if t in on:
                    low[node] = min(low[node], index[t])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == node:
                        break
                out.append(comp)
    return out
