"""Every compiled module's ``.pyi`` stub matches the module: the same public names, and for
functions and methods the same parameter names (compiled with ``embedsignature``/binding, so
``inspect.signature`` reads them)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUBS = sorted((ROOT / "dsp").glob("_*.pyi"))


def stub_items(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text())
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if not node.target.id.startswith("_"):
                out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and not t.id.startswith("_"):
                    out[t.id] = node
    return out


def params(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    return [n for n in names if n not in ("self", "cls")]


def runtime_params(obj: object) -> list[str] | None:
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return [p.name for p in sig.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in ("self", "cls")]


def test_every_compiled_module_has_a_stub() -> None:
    assert {p.stem for p in STUBS} == {p.stem for p in (ROOT / "dsp").glob("_*.pyx")}


@pytest.mark.parametrize("stub", STUBS, ids=lambda p: p.stem)
def test_stub_names_exist_in_the_module(stub: Path) -> None:
    module = importlib.import_module(f"boardlib.dsp.{stub.stem}")
    missing = [name for name in stub_items(stub) if not hasattr(module, name)]
    assert not missing, f"{stub.name} declares names the module lacks: {missing}"


@pytest.mark.parametrize("stub", STUBS, ids=lambda p: p.stem)
def test_stub_signatures_match_the_module(stub: Path) -> None:
    module = importlib.import_module(f"boardlib.dsp.{stub.stem}")
    problems = []
    for name, node in stub_items(stub).items():
        obj = getattr(module, name, None)
        if obj is None:
            continue
        if isinstance(node, ast.FunctionDef):
            got = runtime_params(obj)
            if got is not None and got != params(node):
                problems.append(f"{name}: stub {params(node)} != module {got}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                if item.name.startswith("_") and item.name != "__init__":
                    continue
                if any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list):
                    if not hasattr(obj, item.name):
                        problems.append(f"{name}.{item.name}: property missing")
                    continue
                target = obj if item.name == "__init__" else getattr(obj, item.name, None)
                if target is None:
                    problems.append(f"{name}.{item.name}: missing in the module")
                    continue
                got = runtime_params(target)
                if got is not None and got != params(item):
                    problems.append(f"{name}.{item.name}: stub {params(item)} != module {got}")
    assert not problems, "\n".join(problems)


def test_the_signature_check_reads_most_compiled_signatures() -> None:
    """Guard against the check above silently comparing nothing."""
    readable = 0
    for stub in STUBS:
        module = importlib.import_module(f"boardlib.dsp.{stub.stem}")
        for name, node in stub_items(stub).items():
            if isinstance(node, ast.FunctionDef):
                readable += runtime_params(getattr(module, name)) is not None
    assert readable >= 15
