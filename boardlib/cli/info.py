"""``boardlib info``: what was built, what was loaded, what this machine offers."""

from __future__ import annotations

import argparse
import importlib
import importlib.machinery
import pkgutil
import platform
import sys
from typing import Any

from .._version import __version__
from ._output import print_json


def compiled_modules() -> list[dict[str, Any]]:
    """Load every compiled module of boardlib and report its file and build facts.

    A module that fails to import is listed with ``loaded: false`` and the error.
    """
    import boardlib
    import boardlib.dsp

    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    found: list[tuple[str, str]] = []
    for pkg in (boardlib, boardlib.dsp):
        for path in pkg.__path__:
            for mod in pkgutil.iter_modules([path]):
                finder_path = getattr(mod.module_finder, "path", path)
                spec = mod.module_finder.find_spec(mod.name, None)
                origin = spec.origin if spec is not None and spec.origin else ""
                if origin.endswith(suffixes):
                    found.append((f"{pkg.__name__}.{mod.name}", finder_path))
    result = []
    for name, _ in sorted(set(found)):
        entry: dict[str, Any] = {"module": name}
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            entry.update(loaded=False, error=str(exc))
        else:
            entry.update(loaded=True, file=module.__file__)
            build = getattr(module, "_build_info", None) or getattr(module, "build_info", None)
            if callable(build):
                entry["build"] = build()
            elif name.endswith("._cabi"):
                entry["build"] = {"kind": "cffi API mode"}
        result.append(entry)
    return result


def collect() -> dict[str, Any]:
    """Everything ``boardlib info`` reports, as a JSON-ready dict."""
    import numpy

    from ..drivers import available_drivers
    from ..dsp import cpu_features

    return {
        "boardlib": __version__,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "compiled_modules": compiled_modules(),
        "cpu_features": cpu_features(),
        "drivers": [
            {
                "scheme": d.scheme,
                "target": d.target,
                "origin": d.origin,
                "available": d.available,
                **({"reason": d.reason} if d.reason else {}),
            }
            for d in available_drivers()
        ],
    }


def run(args: argparse.Namespace) -> int:
    info = collect()
    if args.json:
        print_json(info)
        return 0
    print(f"boardlib {info['boardlib']}")
    print(f"Python   {info['python']} ({info['implementation']}, {info['platform']})")
    print(f"numpy    {info['numpy']}")
    print("compiled modules:")
    for m in info["compiled_modules"]:
        if m["loaded"]:
            b = m.get("build", {})
            flags = " ".join(f"{k}={v}" for k, v in b.items())
            print(f"  {m['module']:<28} loaded   {flags}")
        else:
            print(f"  {m['module']:<28} FAILED   {m['error']}")
    print("CPU SIMD features: " + (" ".join(info["cpu_features"]) or "none detected"))
    print("board drivers:")
    for d in info["drivers"]:
        state = "available" if d["available"] else f"unavailable ({d.get('reason', '')})"
        print(f"  {d['scheme'] + '://':<10} {state}  [{d['origin']}: {d['target']}]")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("info", help="report the build, the loaded modules and the drivers")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)
