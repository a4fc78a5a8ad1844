"""The dependency direction of the house style, enforced by parsing every import.

* ``boardlib.dsp`` depends only on numpy and ``boardlib.errors`` (and the standard library).
* ``boardlib._cabi`` / ``boardlib.drivers.cabi`` never depend on ``dsp``.
* ``boardlib.emulator`` depends on dsp, ``boardlib.drivers.base``, ``boardlib.drivers.cabi``
  (the emulated board is a C driver behind the binding), ``boardlib.events`` and
  ``boardlib.errors`` only.
* ``boardlib.ivr`` and ``boardlib.cti`` never import dsp internals, drivers or the emulator.
* Only ``boardlib.drivers.cabi`` imports ``boardlib._cabi``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
PACKAGES = {"boardlib": ROOT / "boardlib", "boardlib.dsp": ROOT / "dsp",
            "boardlib.emulator": ROOT / "emulator"}


def module_name(package: str, base: Path, path: Path) -> str:
    rel = path.relative_to(base).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([package, *parts])


def source_files() -> list[tuple[str, Path]]:
    out = []
    for package, base in PACKAGES.items():
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".py", ".pyx") or "include" in path.parts:
                continue
            out.append((module_name(package, base, path), path))
    return out


_IMPORT_LINE = re.compile(r"^\s*(from\s+\.*[\w.]*\s+import\s|import\s+[\w.]+\s*(,|as\s|$))")


def imports_of(name: str, path: Path) -> set[str]:
    """Absolute names of every module imported by the file (Cython syntax tolerated)."""
    text = path.read_text()
    if path.suffix == ".pyx":
        # Keep only the Python-level import statements (a parenthesised one with its
        # continuation lines); cimports name .pxd declarations, and prose in docstrings that
        # happens to start with "from" or "import" is not a statement.
        lines: list[str] = []
        source = iter(text.splitlines())
        for ln in source:
            if not _IMPORT_LINE.match(ln) or " cimport " in ln:
                continue
            stmt = ln.strip()
            while stmt.endswith("(") or ("(" in stmt and ")" not in stmt):
                stmt += " " + next(source, ")").strip()
            lines.append(stmt)
        text = "\n".join(lines)
    tree = ast.parse(text, filename=str(path))
    is_pkg = path.stem == "__init__"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    found.update(f"{mod}.{a.name}" for a in node.names)
                else:
                    found.add(mod)
            else:
                found.add(node.module or "")
    return found


def top(name: str) -> str:
    return name.split(".")[0]


FILES = source_files()


def test_layering_sees_the_tree() -> None:
    names = {n for n, _ in FILES}
    assert "boardlib.errors" in names and "boardlib.dsp" in names


@pytest.mark.parametrize("name,path", [f for f in FILES if f[0].startswith("boardlib.dsp")],
                         ids=lambda v: str(v) if isinstance(v, str) else "")
def test_dsp_depends_only_on_numpy_and_errors(name: str, path: Path) -> None:
    for imp in imports_of(name, path):
        if top(imp) in STDLIB or top(imp) == "numpy":
            continue
        assert imp.startswith("boardlib.dsp") or imp == "boardlib.errors", (
            f"{path.relative_to(ROOT)} imports {imp}")


def test_only_the_cabi_driver_imports_the_cffi_module() -> None:
    for name, path in FILES:
        if name == "boardlib.drivers.cabi":
            continue
        assert not any(i == "boardlib._cabi" for i in imports_of(name, path)), name


def test_cffi_driver_does_not_depend_on_dsp() -> None:
    for name, path in FILES:
        if name.startswith("boardlib.drivers"):
            assert not any(i.startswith("boardlib.dsp") for i in imports_of(name, path)), name


def test_emulator_depends_on_dsp_driver_base_events_and_errors_only() -> None:
    # The emulated board's board side is a C driver reached through the cffi binding, so the
    # emulator also uses boardlib.drivers.cabi (its line-side functions live there).
    # The E1 far end speaks R2 with the same board-independent protocol core as the board.
    allowed = ("boardlib.dsp", "boardlib.emulator", "boardlib.drivers.base",
               "boardlib.drivers.cabi", "boardlib.events", "boardlib.errors", "boardlib._typing",
               "boardlib.r2.protocol", "boardlib.r2.register", "boardlib.states")
    for name, path in FILES:
        if not name.startswith("boardlib.emulator"):
            continue
        for imp in imports_of(name, path):
            if top(imp) in STDLIB or top(imp) == "numpy":
                continue
            assert imp.startswith(allowed), f"{path.relative_to(ROOT)} imports {imp}"


def test_ivr_and_cti_use_only_the_public_api() -> None:
    forbidden = ("boardlib.dsp._", "boardlib.drivers", "boardlib.emulator", "boardlib._cabi")
    for name, path in FILES:
        if name.startswith(("boardlib.ivr", "boardlib.cti")):
            for imp in imports_of(name, path):
                assert not imp.startswith(forbidden), f"{path.relative_to(ROOT)} imports {imp}"


def test_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from ..drivers import cabi\nimport boardlib.emulator\n")
    found = imports_of("boardlib.dsp.x", bad)
    assert "boardlib.drivers" in found and "boardlib.emulator" in found
