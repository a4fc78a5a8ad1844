"""Every compiled module builds, imports and reports its build facts."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DSP_MODULES = sorted(p.stem for p in (ROOT / "dsp").glob("_*.pyx"))


def test_there_are_compiled_dsp_modules() -> None:
    assert "_buildinfo" in DSP_MODULES


@pytest.mark.parametrize("name", DSP_MODULES)
def test_every_dsp_module_is_compiled_and_imports(name: str) -> None:
    module = importlib.import_module(f"boardlib.dsp.{name}")
    assert module.__file__ is not None
    assert not module.__file__.endswith((".py", ".pyx")), "extension was not compiled"


@pytest.mark.parametrize("name", DSP_MODULES)
def test_every_dsp_module_has_a_type_stub(name: str) -> None:
    assert (ROOT / "dsp" / f"{name}.pyi").is_file()


def test_cffi_binding_imports() -> None:
    from boardlib import _cabi

    assert _cabi.lib.BL_OK == 0
    assert _cabi.lib.BL_EINVAL < 0


def test_no_generic_top_level_names_are_importable_from_the_tree() -> None:
    # dsp/ and emulator/ live under boardlib only.
    import boardlib.dsp
    import boardlib.emulator

    assert boardlib.dsp.__name__ == "boardlib.dsp"
    assert boardlib.emulator.__name__ == "boardlib.emulator"
    for generic in ("dsp", "emulator"):
        spec = importlib.util.find_spec(generic)
        assert spec is None or "boardlib" not in (spec.origin or "")


def test_build_info_names_compiler_and_flags() -> None:
    from boardlib.dsp import build_info

    info = build_info()
    assert info["cflags"] != "unknown"
    assert info["cython"].startswith("3.")
    assert info["compiler"] != "unknown"
