"""The IVR engine: runs flows on calls of any board through the public channel API.

:class:`Engine` holds the flows (reloadable while calls run: a call finishes on the version
it started with), the run-time parameters (:class:`Params`: transaction timeout, host link
timeout, outbound no-answer timeout, retries, trace switch), the host link, the live state of
every channel, and the per-call traces. :meth:`Engine.handle` serves one call;
:meth:`Engine.serve` answers calls on a board until told to stop.

Every time is media time (the board's sample clock), so an emulated board with a virtual
clock runs a call's 10 s timeout in a few milliseconds.

A step that fails for any reason other than the caller hanging up (a flow error, a bad host
answer, an unexpected exception) ends that call politely: the apology prompt, then the
flow's ``on_error`` step if it names a transfer, else a hang-up. Other calls go on.

Menus are built per caller: options whose ``requires`` facts the caller lacks (or whose
``when`` is false) are hidden and the keys close up; ``personal`` reorders them; a menu with
``shortcuts`` first offers the caller's stored shortcuts, deep items reached in one key
("for your usual balances, press 1"), never one behind a hidden option, with keys
contiguous from 1 and at most 5 per level (:func:`menu_layout`). Stored shortcuts the
menu cannot offer are skipped and traced (``shortcut_skipped``), never an error.

Secure input (``collect_secure``) is taken with ``get_digits(secure=True)``, kept in the
call's variables as a :class:`~boardlib.ivr.host.Secret`, sent only to the host, and written
to no log, trace, report or attached data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from ..board import Board, Call, Channel
from ..errors import BoardOperationError, BoardTimeoutError, HangupError
from ..media import Silence
from ..states import ChannelState, TermReason
from .check import MAX_WIDTH, check_flow
from .flow import Flow, FlowError, Step, evaluate, load_flow, resolve
from .host import Host, HostError, Secret
from .prompts import PromptSet, menu_fragments, shortcut_fragments
from .say import say

__all__ = ["Params", "Engine", "CallReport", "luhn_ok", "Cti", "MenuEntry", "menu_layout",
           "OTHER_SERVICES"]

log = logging.getLogger("boardlib.ivr")
_MAX_STEPS = 2000  # a call that runs this many steps is in a loop: a flow error


@dataclass
class Params:
    """Run-time parameters; change them on :attr:`Engine.params` while calls run."""

    transaction_timeout: float = 10.0  #: no key for this long: "no input" (then hang up)
    link_timeout: float = 5.0  #: no host answer for this long: the transaction failed
    no_answer_timeout: float = 30.0  #: outbound (transfer) calls not answered by then fail
    inter_digit_timeout: float = 5.0
    retries: int = 3  #: tries of a menu or a collection before its on_fail
    trace: bool = False  #: write a JSON-lines trace of every step of every call


@dataclass
class CallReport:
    """What happened on one call (for summaries; holds no secure value)."""

    session: int
    channel: int
    caller: str | None
    flow: str
    version: int
    path: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    result: str = "running"
    host_calls: int = 0
    host_failures: int = 0
    transactions: list[dict[str, Any]] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0
    error: str | None = None
    attached: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.end - self.start

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["duration"] = round(self.duration, 3)
        return d


class Cti:
    """What the engine needs of a CTI layer to queue a call for agents (duck-typed)."""

    async def transfer(self, call: Call, queue: str,
                       data: dict[str, Any]) -> str:  # pragma: no cover
        raise NotImplementedError


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _amount(digits: str) -> Decimal | None:
    text = digits.replace("*", ".")
    if text.count(".") > 1 or not text.strip(".") or len(text.partition(".")[2]) > 2:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value > 0 else None


def _target(step: Step, key: str) -> str | None:
    """The name of the step that ``key`` (``next``, ``default``) of ``step`` leads to."""
    name: str | None = step.get(key)
    return name


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """What one key of a menu does: ``kind`` is ``option`` (an option of the menu),
    ``shortcut`` (a stored shortcut: ``label`` is its ``[shortcuts.NAME]``) or ``other`` (the
    menu's own options, one level down); ``prompt`` is the fragment said before the key and
    ``next`` the step the key leads to."""

    kind: str
    label: str
    prompt: str
    next: str | None = None
    option: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def trace_label(self) -> str:
        return f"shortcut:{self.label}" if self.kind == "shortcut" else self.label


#: The entry that leads to a menu's own options when they do not fit beside the shortcuts.
OTHER_SERVICES = MenuEntry("other", "other_services", "other_services")


def menu_layout(shortcuts: list[MenuEntry], options: list[MenuEntry], width: int = MAX_WIDTH
                ) -> tuple[list[MenuEntry], list[MenuEntry], list[MenuEntry]]:
    """Keys of a menu with shortcuts: ``(first level, other services, shortcuts left out)``.

    Shortcuts come first, in the stored order, then the options; keys run from 1 and no
    level is wider than ``width``. When both do not fit, the first level offers the first
    ``width - 1`` shortcuts and :data:`OTHER_SERVICES`, and the options make up the second
    level (in their usual order, so the usual keys are one key further); a single option
    stays on the first level instead. An option is never dropped (it may be the only way to
    a service, such as reporting a lost card): shortcuts beyond the room are left out,
    the last stored first."""
    if len(shortcuts) + len(options) <= width:
        return shortcuts + options, [], []
    if len(options) <= 1:
        room = width - len(options)
        return shortcuts[:room] + options, [], shortcuts[room:]
    room = width - 1
    return shortcuts[:room] + [OTHER_SERVICES], list(options), shortcuts[room:]


class _Ended(Exception):
    """The call is over (hung up by the flow)."""


class Engine:
    """Runs flows. ``flows`` are flow files (the first is the default flow).

    ``host`` is the host link (see :mod:`boardlib.ivr.host`); ``cti`` a CTI layer with
    ``transfer(call, queue, data)`` (optional); ``trace_dir`` receives one ``SESSION.jsonl``
    per call while :attr:`Params.trace` is on (traces are also kept in memory, see
    :meth:`trace_of`); ``spool_dir`` receives voice-mail recordings; ``tts(text, lang)``
    returns int16 PCM for ``text`` prompt items (default: espeak-ng when installed).
    """

    def __init__(self, flows: str | Path | list[str | Path], *, host: Host | None = None,
                 cti: Any = None, params: Params | None = None,
                 trace_dir: str | Path | None = None, spool_dir: str | Path | None = None,
                 tts: Callable[[str, str], np.ndarray] | None = None,
                 check_prompts: bool = True) -> None:
        paths = flows if isinstance(flows, list) else [flows]
        if not paths:
            raise FlowError("an engine needs at least one flow file")
        self.paths = [Path(p) for p in paths]
        self.host = host
        self.cti = cti
        self.params = params or Params()
        self.trace_dir = None if trace_dir is None else Path(trace_dir)
        self.spool_dir = Path(spool_dir) if spool_dir is not None else \
            Path(tempfile.gettempdir()) / "boardlib-voicemail"
        self.tts = tts or espeak_tts
        self.check_prompts = check_prompts
        self.flows: dict[str, Flow] = {}
        self._live: dict[int, dict[str, Any]] = {}
        self._traces: dict[int, list[dict[str, Any]]] = {}
        self.reports: list[CallReport] = []
        self.default = ""
        for p in self.paths:
            flow = self._load(p, 1)
            self.flows[flow.name] = flow
            self.default = self.default or flow.name

    # ------------------------------------------------------------------ flows
    def _load(self, path: Path, version: int) -> Flow:
        flow = load_flow(path, version)
        # a fresh prompt set per load: a reload picks up re-recorded prompts, and calls in
        # progress keep the fragments of the version they started with
        prompts = PromptSet(flow.prompt_dir)
        issues = [i for i in check_flow(flow, prompts=self.check_prompts, prompt_set=prompts)
                  if i.error]
        if issues:
            first = issues[0]
            more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
            raise FlowError(f"{first.code}: {first.message}{more}", first.path, first.line)
        flow.prompt_set = prompts
        return flow

    def reload(self, force: bool = False) -> list[str]:
        """Load flow files that changed (all with ``force``). A file that fails to load or
        check keeps its running version; the problems are returned as ``file:line: ...``.
        Calls in progress finish on the version they started with."""
        problems = []
        for p in self.paths:
            old = next((f for f in self.flows.values() if f.path == p), None)
            try:
                if old is not None and not force and p.stat().st_mtime == old.mtime:
                    continue
                flow = self._load(p, (old.version + 1) if old else 1)
            except (FlowError, OSError) as exc:
                problems.append(str(exc))
                log.error("flow %s not reloaded: %s", p, exc)
                continue
            self.flows[flow.name] = flow
            log.info("flow %s version %d loaded", flow.name, flow.version)
        return problems

    # ------------------------------------------------------------------ monitoring
    def monitor(self, board: Board | None = None) -> list[dict[str, Any]]:
        """Live state of every channel in a call: flow, version, step, seconds in the step,
        caller, session."""
        out = []
        for _channel, st in sorted(self._live.items()):
            entry = dict(st)
            now = st["board"].seconds
            entry.pop("board")
            entry["time_in_step"] = round(now - st["since"], 3)
            entry.pop("since")
            out.append(entry)
        return out

    def trace_of(self, session: int) -> list[dict[str, Any]]:
        """The trace records of a call (empty when tracing was off)."""
        return list(self._traces.get(session, []))

    # ------------------------------------------------------------------ serving
    async def serve(self, board: Board, done: Callable[[], bool] | None = None,
                    limit_seconds: float | None = None,
                    flow: str | None = None) -> list[CallReport]:
        """Answer every inbound call with ``flow`` until ``done()`` (checked every media
        second) or ``limit_seconds`` of media time; wait for the calls in progress; return
        their reports."""
        tasks: set[asyncio.Task[CallReport]] = set()
        reports: list[CallReport] = []

        def finished(task: asyncio.Task[CallReport]) -> None:
            tasks.discard(task)
            reports.append(task.result())

        while not (done is not None and done()) and \
                (limit_seconds is None or board.seconds < limit_seconds):
            try:
                call = await board.wait_for_call(timeout=1.0)
            except BoardTimeoutError:
                continue
            task = asyncio.get_running_loop().create_task(self.handle(call, flow))
            tasks.add(task)
            task.add_done_callback(finished)
        if tasks:
            await asyncio.gather(*tasks)
        return reports

    async def handle(self, call: Call, flow: str | None = None) -> CallReport:
        """Answer ``call`` (if ringing) and run ``flow`` (default: the first flow) on it."""
        fl = self.flows[flow or self.default]
        session = _Session(self, fl, call)
        report = await session.run()
        self.reports.append(report)
        return report


class _Session:
    """One call running one version of one flow."""

    def __init__(self, engine: Engine, flow: Flow, call: Call) -> None:
        self.engine = engine
        self.flow = flow
        self.call = call
        self.ch: Channel = call.channel
        self.board = call.channel.board
        self.prompts: PromptSet = flow.prompt_set
        self.scope: dict[str, Any] = dict(flow.vars)
        self.scope.update(
            call={"number": call.number, "name": call.name, "dnis": call.dnis,
                  "session": call.session, "channel": call.channel.index},
            lang=flow.languages[0], last="ok")
        self.report = CallReport(call.session, call.channel.index, call.number, flow.name,
                                 flow.version)
        self.trace: list[dict[str, Any]] | None = None
        self.failure = "no_input"
        self.handed_over = False  # a CTI layer took the call: the engine leaves it up

    # ---- helpers
    @property
    def params(self) -> Params:
        return self.engine.params

    @property
    def lang(self) -> str:
        lang = self.scope.get("lang")
        return lang if lang in self.flow.languages else self.flow.languages[0]

    def emit(self, event: str, step: Step | None = None, **detail: Any) -> None:
        if not self.params.trace:
            return
        rec = {"t": round(self.board.seconds, 3), "session": self.call.session,
               "channel": self.ch.index, "flow": self.flow.name, "version": self.flow.version,
               "step": step.name if step else None, "type": step.type if step else None,
               "event": event, **detail}
        if self.trace is None:
            self.trace = self.engine._traces.setdefault(self.call.session, [])
        self.trace.append(rec)
        if self.engine.trace_dir is not None:
            self.engine.trace_dir.mkdir(parents=True, exist_ok=True)
            with open(self.engine.trace_dir / f"{self.call.session}.jsonl", "a",
                      encoding="utf-8") as fh:
                fh.write(json.dumps(rec, ensure_ascii=False, default=_redact) + "\n")

    def value(self, raw: Any, reveal: bool = False) -> Any:
        """A field value with ``$var`` references resolved (a whole ``$x`` keeps its type)."""
        if isinstance(raw, str) and raw.startswith("$") and " " not in raw:
            v = resolve(raw[1:], self.scope)
            return v.reveal() if reveal and isinstance(v, Secret) else v
        if isinstance(raw, dict):
            return {k: self.value(v, reveal) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.value(v, reveal) for v in raw]
        return raw

    def store(self, name: str, value: Any) -> None:
        parts = name.split(".")
        cur = self.scope
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = value

    def playable(self, items: Any) -> list[Any]:
        if items is None:
            return []
        if not isinstance(items, list):
            items = [items]
        lang = self.lang
        out: list[Any] = []
        for item in items:
            if isinstance(item, str):
                out.append(self.prompts.pcm(lang, item))
            elif isinstance(item, dict) and "say" in item:
                v = self.value(item.get("value"))
                if isinstance(v, Secret):
                    raise FlowError(f"a secure value cannot be said ({self.flow.path})")
                if v is None:
                    raise FlowError(f"say {item.get('value')!r}: the variable has no value")
                out += [self.prompts.pcm(lang, f) for f in say(item["say"], v, lang)]
            elif isinstance(item, dict) and "silence" in item:
                out.append(Silence(float(item["silence"])))
            elif isinstance(item, dict) and "text" in item:
                out.append(self.engine.tts(str(self.value(item["text"])), lang))
            else:
                raise FlowError(f"bad prompt item {item!r}")
        return out

    async def play(self, items: Any, barge_in: bool = True) -> Any:
        parts = self.playable(items)
        if not parts:
            return None
        return await self.ch.play(parts, barge_in=barge_in)

    def set_live(self, step: Step) -> None:
        self.engine._live[self.ch.index] = {
            "channel": self.ch.index, "session": self.call.session, "caller": self.call.number,
            "flow": self.flow.name, "version": self.flow.version, "step": step.name,
            "type": step.type, "since": self.board.seconds, "board": self.board}

    # ---- the call
    async def run(self) -> CallReport:
        rep = self.report
        rep.start = self.board.seconds
        log.info("session %d: channel %d: flow %s v%d", self.call.session, self.ch.index,
                 self.flow.name, self.flow.version)
        self.emit("call", None, caller=self.call.number)
        step: Step | None = None
        try:
            if self.ch.state is ChannelState.RINGING:
                await self.ch.answer()
            step = self.flow.steps[self.flow.start]
            count = 0
            while step is not None:
                count += 1
                if count > _MAX_STEPS:
                    raise FlowError(f"more than {_MAX_STEPS} steps in one call: a loop",
                                    self.flow.path, step.line)
                rep.path.append(step.name)
                self.set_live(step)
                self.emit("enter", step)
                if isinstance(step.get("log"), str):
                    self.emit("log", step, message=_fill(step.get("log"), self))
                nxt = await getattr(self, "_" + step.type)(step)
                step = self.flow.steps[nxt] if nxt else None
            if rep.result == "running":
                rep.result = "completed"
        except HangupError:
            rep.result = "caller_hung_up"
        except _Ended:
            pass
        except asyncio.CancelledError:
            rep.result = "cancelled"
            raise
        except Exception as exc:  # a flow error ends this call politely, never others
            rep.result = "flow_error"
            rep.error = f"{type(exc).__name__}: {exc}"
            where = f" at step {step.name!r} ({self.flow.path}:{step.line})" if step else ""
            log.error("session %d: flow error%s: %s", self.call.session, where, rep.error)
            self.emit("error", step, error=rep.error)
            await self._apologise()
            rep.result = "flow_error"
        finally:
            rep.end = self.board.seconds
            self.engine._live.pop(self.ch.index, None)
            self.emit("end", None, result=rep.result)
            try:
                if not self.handed_over and self.ch.state is not ChannelState.IDLE and \
                        self.ch.call is self.call:
                    await self.ch.hangup()
            except Exception:  # the board may be closing
                pass
        return rep

    async def _apologise(self) -> None:
        try:
            if self.ch.state is ChannelState.CONNECTED:
                await self.ch.stop()
                await self.play(["apology"], barge_in=False)
            target = self.flow.steps.get(self.flow.on_error or "")
            if target is not None and target.type == "transfer" and \
                    self.ch.state is ChannelState.CONNECTED:
                await self._transfer(target, apologised=True)
        except Exception:
            pass

    # ---- input with retries
    async def ask(self, step: Step, prompt: list[Any], max_digits: int, terminators: str,
                  check: Callable[[str], bool], secure: bool = False, min_digits: int = 1,
                  barge_in: bool = True) -> str | None:
        retries = int(step.get("retries", self.params.retries))
        for attempt in range(max(1, retries)):
            # read at every try: a parameter changed at run time applies to running calls
            timeout = float(step.get("timeout", self.params.transaction_timeout))
            await self.play(prompt, barge_in=barge_in)
            self.emit("listen", step, attempt=attempt + 1)
            # with a terminator, one more key is allowed so that "123456#" ends on the '#'
            # (and does not leave it in the type-ahead for the next step)
            res = await self.ch.get_digits(
                max_digits + (1 if terminators else 0), terminators=terminators,
                first_digit_timeout=timeout,
                inter_digit_timeout=self.params.inter_digit_timeout, secure=secure)
            digits = res.digits
            if not digits and res.reason in (TermReason.FIRST_DIGIT_TIMEOUT, TermReason.MAX_TIME):
                self.failure = "no_input"
                self.emit("no_input", step, attempt=attempt + 1)
                await self.play(step.get("no_input", ["no_input"]))
                continue
            ok = min_digits <= len(digits) <= max_digits and check(digits)
            self.emit("input", step, attempt=attempt + 1, valid=ok,
                      digits="***" if secure else digits)
            if ok:
                return digits
            self.failure = "invalid_input"
            self.ch.clear_digits()
            await self.play(step.get("invalid", ["invalid"]))
        return None

    async def give_up(self, step: Step) -> str | None:
        target = step.get("on_fail")
        self.emit("give_up", step, next=target, why=self.failure)
        self.report.result = self.failure
        if target:
            return str(target)
        await self.play(["goodbye"], barge_in=False)
        raise _Ended()

    # ---- steps
    async def _play(self, step: Step) -> str | None:
        await self.play(step.get("prompts"), barge_in=bool(step.get("barge_in", True)))
        return _target(step, "next")

    def facts(self) -> set[str]:
        """The caller's facts (``[flow] facts``, by default ``profile.services``)."""
        facts = self.value("$" + self.flow.facts) or []
        return set(facts) if isinstance(facts, (list, tuple, set)) else set()

    def visible(self, opt: dict[str, Any], facts: set[str]) -> bool:
        """Whether a menu option is offered to this caller (``requires`` and ``when``)."""
        req = opt.get("requires")
        reqs = [req] if isinstance(req, str) else (req or [])
        if any(r not in facts for r in reqs):
            return False
        return "when" not in opt or evaluate(opt["when"], self.scope)

    def menu_options(self, step: Step, facts: set[str] | None = None) -> list[dict[str, Any]]:
        """Visible options of a menu for this caller, in the caller's order."""
        facts = self.facts() if facts is None else facts
        visible = [opt for opt in step.get("options") if self.visible(opt, facts)]
        personal = step.get("personal")
        if personal:
            order = self.value("$" + personal.lstrip("$"))
            if isinstance(order, list):
                rank = {lab: i for i, lab in enumerate(order)}
                visible.sort(key=lambda o: rank.get(o["label"], len(rank)))
        return visible

    def menu_shortcuts(self, step: Step, facts: set[str]) -> list[MenuEntry]:
        """The caller's stored shortcuts that this menu can offer, in the stored order.

        A stored name is skipped, and traced as ``shortcut_skipped`` with the reason, when
        it is not a ``[shortcuts.NAME]`` of this flow (``unknown``: stale data, say a
        target removed from the flow), belongs to another menu (``other_menu``), repeats an
        earlier one (``duplicate``) or passes an option hidden from this caller
        (``hidden``: ``requires`` or ``when``)."""
        var = step.get("shortcuts")
        if not isinstance(var, str):
            return []
        stored = self.value("$" + var.lstrip("$"))
        if stored is None:
            return []
        if not isinstance(stored, list):
            self.emit("shortcut_skipped", step, shortcut=stored, why="not_a_list")
            return []
        out: list[MenuEntry] = []
        for name in stored:
            why, entry = self._shortcut(step, name, facts, {e.label for e in out})
            if entry is None:
                self.emit("shortcut_skipped", step, shortcut=name, why=why)
                if why == "unknown":
                    log.info("session %d: stored shortcut %r is not in flow %s: skipped",
                             self.call.session, name, self.flow.name)
                continue
            out.append(entry)
        return out

    def _shortcut(self, step: Step, name: Any, facts: set[str],
                  taken: set[str]) -> tuple[str, MenuEntry | None]:
        sc = self.flow.shortcuts.get(name) if isinstance(name, str) else None
        if sc is None:
            return "unknown", None
        if sc.menu != step.name:
            return "other_menu", None
        if name in taken:
            return "duplicate", None
        menu: Step | None = step
        opt: dict[str, Any] | None = None
        for i, label in enumerate(sc.path):
            if menu is None or menu.type != "menu":
                return "unknown", None
            opt = next((o for o in menu.get("options") if o["label"] == label), None)
            if opt is None:
                return "unknown", None
            if not self.visible(opt, facts):
                return "hidden", None
            if i + 1 < len(sc.path):
                menu = self.flow.steps.get(opt["next"])
        if opt is None:  # an empty path (the loader refuses them)
            return "unknown", None
        prompt = sc.prompt or str(opt.get("prompt", opt["label"]))
        return "", MenuEntry("shortcut", sc.name, prompt, str(opt["next"]),
                             opt if len(sc.path) == 1 else None)

    async def _menu(self, step: Step) -> str | None:
        facts = self.facts()
        cuts = self.menu_shortcuts(step, facts)
        # an option a shortcut already offers (a one-label path) is not offered twice
        offered = {id(c.option) for c in cuts if c.option is not None}
        opts = [MenuEntry("option", o["label"], str(o.get("prompt", o["label"])),
                          str(o["next"]), o)
                for o in self.menu_options(step, facts) if id(o) not in offered]
        first, other, no_room = menu_layout(cuts, opts)
        for c in no_room:
            self.emit("shortcut_skipped", step, shortcut=c.label, why="no_room")
        if not first:
            raise FlowError(f"menu {step.name!r} has no option for this caller",
                            self.flow.path, step.line)
        self.emit("menu", step, options=[e.trace_label for e in first])
        chosen = await self._choose(step, list(step.get("prompt") or []), first)
        if chosen is not None and chosen.kind == "other":
            self.emit("menu", step, options=[e.trace_label for e in other],
                      level="other_services")
            chosen = await self._choose(step, [], other)
        if chosen is None:
            return await self.give_up(step)
        self.report.result = "running"
        if chosen.kind == "shortcut":
            sc = self.flow.shortcuts[chosen.label]
            self.emit("shortcut", step, shortcut=sc.name, path=list(sc.path), next=chosen.next)
            self.report.choices.append(f"{step.name}:shortcut:{sc.name}")
        else:
            self.report.choices.append(f"{step.name}:{chosen.label}")
        return chosen.next

    async def _choose(self, step: Step, intro: list[Any],
                      entries: list[MenuEntry]) -> MenuEntry | None:
        """Say ``entries`` ("for X, press N", keys from 1) after ``intro``; the entry the
        caller picks, or None when the tries ran out."""
        prompt = list(intro)
        for i, e in enumerate(entries, 1):
            prompt += shortcut_fragments(e.prompt, i, self.lang) if e.kind == "shortcut" \
                else menu_fragments(e.prompt, i, self.lang)
        keys = {str(i) for i in range(1, len(entries) + 1)}
        got = await self.ask(step, prompt, 1, "", lambda d: d in keys)
        return None if got is None else entries[int(got) - 1]

    async def _collect(self, step: Step, secure: bool = False) -> str | None:
        lo = int(step.get("min_digits", 1))
        hi = int(step.get("max_digits", lo))
        term = str(step.get("terminator", "#"))
        kind = step.get("validate")

        def check(d: str) -> bool:
            if kind == "luhn":
                return luhn_ok(d)
            if kind == "amount":
                return _amount(d) is not None
            return d.isdigit()

        prompt = step.get("prompt")
        for _round in range(max(1, int(step.get("retries", self.params.retries)))):
            # keys typed ahead during a secure prompt are secure too, when the board offers
            # a secure section (Channel.secure(), a context manager)
            guard = getattr(self.ch, "secure", None) if secure else None
            with guard() if callable(guard) else contextlib.nullcontext():
                got = await self.ask(step, prompt, hi, term, check, secure=secure,
                                     min_digits=lo, barge_in=not secure)
            if got is None:
                return await self.give_up(step)
            if secure:
                self.store(step.get("store"), Secret(got))
                return _target(step, "next")
            value: Any = str(_amount(got)) if kind == "amount" else got
            if step.get("confirm"):
                said = {"say": "money" if kind == "amount" else "digits", "value": value}
                self.scope["_readback"] = value
                said["value"] = "$_readback"
                ans = await self.ask(step, ["you_entered", said, "confirm_keys"], 1, "",
                                     lambda d: d in "12")
                if ans is None:
                    return await self.give_up(step)
                if ans == "2":
                    self.emit("reenter", step)
                    prompt = step.get("prompt")
                    continue
            self.store(step.get("store"), value)
            return _target(step, "next")
        return await self.give_up(step)

    async def _collect_secure(self, step: Step) -> str | None:
        return await self._collect(step, secure=True)

    async def _host(self, step: Step) -> str | None:
        eng = self.engine
        function = str(step.get("function"))
        payload = self.value(step.get("send") or {}, reveal=True)
        shown = {k: ("***" if isinstance(self.value(v), Secret) else self.value(v))
                 for k, v in (step.get("send") or {}).items()}
        timeout = float(step.get("timeout", self.params.link_timeout))
        self.emit("host_request", step, function=function, send=shown)
        self.report.host_calls += 1
        t0 = self.board.seconds
        outcome, result = "ok", None
        if eng.host is None:
            outcome = "failed"
        else:
            task = asyncio.ensure_future(eng.host(function, payload))
            timer = asyncio.ensure_future(self.board.sleep(timeout))
            try:
                await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                timer.cancel()
            if not task.done():
                task.cancel()
                outcome = "timeout"
            elif task.exception() is not None:
                outcome = "failed"
                exc = task.exception()
                log.warning("session %d: host %s failed: %s", self.call.session, function,
                            type(exc).__name__)
            else:
                result = task.result()
                if not isinstance(result, dict):
                    raise HostError(f"host {function} answered {type(result).__name__}")
        del payload
        took = round(self.board.seconds - t0, 3)
        self.scope["last"] = outcome
        self.report.transactions.append({"function": function, "outcome": outcome,
                                         "ok": bool(result.get("ok", True)) if result else False,
                                         "t": round(t0, 3)})
        self.emit("host_answer", step, function=function, outcome=outcome, seconds=took,
                  answer=_redacted(result))
        if outcome != "ok":
            self.report.host_failures += 1
            self.report.result = "host_failed"  # unless the caller goes on to a menu choice
            target = step.get("on_fail")
            if target:
                return str(target)
            await self.play(["host_failed"], barge_in=False)
            return _target(step, "next")
        if step.get("store"):
            self.store(step.get("store"), result)
        return _target(step, "next")

    async def _branch(self, step: Step) -> str | None:
        for case in step.get("cases") or []:
            if evaluate(case["if"], self.scope):
                self.emit("branch", step, taken=case["if"])
                return str(case["next"])
        return _target(step, "default")

    async def _goto(self, step: Step) -> str | None:
        return _target(step, "next")

    async def _set(self, step: Step) -> str | None:
        name = str(step.get("var"))
        if "add" in step.fields:
            cur = resolve(name, self.scope) or 0
            self.store(name, cur + step.get("add"))
        else:
            self.store(name, self.value(step.get("value")))
        return _target(step, "next")

    async def _record(self, step: Step) -> str | None:
        await self.play(step.get("prompt"), barge_in=False)
        if step.get("beep", True):
            await self.play(["beep"], barge_in=False)
        self.engine.spool_dir.mkdir(parents=True, exist_ok=True)
        path = self.engine.spool_dir / f"{self.flow.name}-{self.call.session}-{step.name}.wav"
        res = await self.ch.record(path, max_time=float(step.get("max_time", 60.0)),
                                   max_silence=float(step.get("max_silence", 5.0)),
                                   stop_digits="#")
        self.emit("recorded", step, seconds=round(res.seconds, 2), reason=res.reason.value)
        if step.get("store"):
            self.store(step.get("store"), {"path": str(path), "seconds": res.seconds})
        self.report.transactions.append({"function": "voicemail", "outcome": "ok", "ok": True,
                                         "seconds": round(res.seconds, 2),
                                         "t": round(self.board.seconds, 3)})
        return _target(step, "next")

    async def _hangup(self, step: Step) -> str | None:
        await self.play(step.get("prompt", ["goodbye"]), barge_in=False)
        if self.report.result == "running":
            self.report.result = "completed"
        await self.ch.hangup()
        raise _Ended()

    async def _transfer(self, step: Step, apologised: bool = False) -> str | None:
        if not apologised:
            await self.play(step.get("prompt", ["transferring"]), barge_in=False)
        data = self.call.data
        data.update({"caller": self.call.number, "session": self.call.session,
                     "flow": self.flow.name,
                     "transactions": [dict(t) for t in self.report.transactions]})
        for k, v in (self.value(step.get("attach") or {})).items():
            if not isinstance(v, Secret):
                data[k] = v
        self.report.attached = dict(data)
        queue, number = step.get("queue"), step.get("number")
        self.emit("transfer", step, queue=queue, number=number)
        if self.engine.cti is not None and queue:
            how = await self.engine.cti.transfer(self.call, str(queue), data)
            self.handed_over = True
            self.report.result = f"queued:{queue}" if how is None else str(how)
            raise _Ended()
        if number:
            try:
                out = self.board.idle_channel()
            except Exception:
                out = None
            if out is not None:
                res = await out.dial(str(number), no_answer_ms=self.params.no_answer_timeout * 1000)
                if res.connected:
                    if out.call is not None:
                        out.call.data.update(data)
                    self.board.bridge(self.ch, out)
                    self.report.result = f"transferred:{number}"
                    self.emit("bridged", step, channel=out.index)
                    try:
                        while self.ch.state is ChannelState.CONNECTED and \
                                out.state is ChannelState.CONNECTED:
                            await self.board.sleep(0.5)
                    finally:
                        try:
                            await out.hangup()
                        except BoardOperationError:
                            pass
                    raise _Ended()
                self.emit("transfer_failed", step, result=str(getattr(res.result, "name", "")))
            else:
                self.emit("transfer_failed", step, result="no idle channel")
            target = step.get("on_fail")
            self.report.result = "transfer_failed"
            if target:
                return str(target)
            await self.play(["host_failed", "goodbye"], barge_in=False)
            raise _Ended()
        # no CTI layer and no number: a recorded hand-off to the queue
        data["handoff_queue"] = queue
        self.report.result = f"handoff:{queue}"
        raise _Ended()


def _fill(template: str, session: _Session) -> str:
    import re

    def sub(m: re.Match[str]) -> str:
        v = resolve(m.group(1), session.scope)
        return "***" if isinstance(v, Secret) else str(v)

    return re.sub(r"\$([A-Za-z_][A-Za-z0-9_.]*)", sub, template)


def _redact(obj: Any) -> Any:
    if isinstance(obj, Secret):
        return "***"
    return str(obj)


_SECRET_KEYS = ("pin", "password", "new_pin")


def _redacted(result: Any) -> Any:
    if isinstance(result, dict):
        return {k: ("***" if k.lower() in _SECRET_KEYS else _redacted(v))
                for k, v in result.items()}
    if isinstance(result, list):
        return [_redacted(v) for v in result]
    if isinstance(result, Secret):
        return "***"
    return result


_TTS_CACHE: dict[tuple[str, str], np.ndarray] = {}


def espeak_tts(text: str, lang: str) -> np.ndarray:
    """Speak ``text`` with espeak-ng (Mandarin ``cmn`` or English ``en``) as 8 kHz int16,
    cached per text. Raises :class:`FlowError` when espeak-ng or sox is not installed."""
    key = (lang, text)
    if key in _TTS_CACHE:
        return _TTS_CACHE[key]
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        raise FlowError("text prompts need espeak-ng and sox (or an Engine tts= function)")
    from ..audiofile import read_audio

    with tempfile.TemporaryDirectory() as tmp:
        raw, wav = Path(tmp) / "a.wav", Path(tmp) / "b.wav"
        subprocess.run(["espeak-ng", "-v", "cmn" if lang == "zh" else "en", "-w", str(raw), text],
                       check=True, capture_output=True, timeout=30)
        subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(wav)],
                       check=True, capture_output=True, timeout=30)
        pcm = np.ascontiguousarray(read_audio(wav).pcm(), dtype=np.int16)
    _TTS_CACHE[key] = pcm
    return pcm

