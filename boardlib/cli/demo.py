"""``boardlib demo``: scripted callers calling the example IVR on an emulated board."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
from pathlib import Path
from typing import Any

from ..errors import BoardlibError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "answer_and_menu.py"


def load_handler(path: Path = EXAMPLE) -> Any:
    """The ``handle_call`` coroutine of the example IVR in the source tree's examples/."""
    if not path.is_file():
        raise BoardlibError(f"the demo IVR {path} is missing (the demo runs from a source checkout)")
    spec = importlib.util.spec_from_file_location("boardlib_demo_ivr", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handle_call


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    return asyncio.run(run_demo(load_handler(), url=args.url, as_json=args.json))


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="scripted callers calling the example IVR on emu://")
    p.add_argument("--url", default=None, help="board URL (default emu://?lines=4&seed=1)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)
