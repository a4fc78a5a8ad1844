"""``boardlib demo``: scripted callers calling the bank IVR (``examples/bank_ivr``) on an
emulated board; ``--simple`` runs the small answer-and-menu IVR instead."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
from pathlib import Path
from typing import Any

from ..errors import BoardlibError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "answer_and_menu.py"
BANK = EXAMPLES / "bank_ivr" / "app.py"


def _load(path: Path, name: str) -> Any:
    if not path.is_file():
        raise BoardlibError(
            f"the demo IVR {path} is missing (the demo runs from a source checkout)"
        )
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_handler(path: Path = EXAMPLE) -> Any:
    """The ``handle_call`` coroutine of the small example IVR in the source tree's examples/."""
    return _load(path, "boardlib_demo_ivr").handle_call


def run(args: argparse.Namespace) -> int:
    if args.simple:
        from ..demo import run_demo

        return asyncio.run(run_demo(load_handler(), url=args.url, as_json=args.json))
    bank = _load(BANK, "boardlib_bank_ivr")
    return int(asyncio.run(bank.run_demo(url=args.url, as_json=args.json)))


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="scripted callers calling the bank IVR on emu://")
    p.add_argument(
        "--simple",
        action="store_true",
        help="run the small answer-and-menu IVR instead of the bank IVR",
    )
    p.add_argument(
        "--url",
        default=None,
        help="board URL (default emu://?lines=14&seed=1; --simple: emu://?lines=4&seed=1)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)
