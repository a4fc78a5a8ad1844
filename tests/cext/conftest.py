"""Fixtures of the C driver tests: driver libraries compiled with gcc at test time."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CEXT = Path(__file__).resolve().parents[2] / "cext"
COMMON = [str(CEXT / "drvcommon.c"), str(CEXT / "loopdrv.c")]
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-fPIC", "-shared", f"-I{CEXT}"]

# Shims turning the built-in loop driver into a vendor library exporting bl_driver_entry.
SHIMS = {
    "good": """
#include "emu_line.h"
const bl_driver_v1_t *bl_driver_entry(void) { return bl_loop_driver_entry(); }
""",
    "wrong_abi": """
#include "emu_line.h"
static bl_driver_v1_t table;
const bl_driver_v1_t *bl_driver_entry(void)
{
    table = *bl_loop_driver_entry();
    table.abi_version = 2;
    return &table;
}
""",
    "short_table": """
#include "emu_line.h"
static bl_driver_v1_t table;
const bl_driver_v1_t *bl_driver_entry(void)
{
    table = *bl_loop_driver_entry();
    table.struct_size = 16;
    return &table;
}
""",
    "no_symbol": """
#include "emu_line.h"
const bl_driver_v1_t *some_other_entry(void) { return bl_loop_driver_entry(); }
""",
}


def _gcc() -> str:
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        pytest.fail("a C compiler (gcc) is needed to build the test driver libraries")
    return gcc


@pytest.fixture(scope="session")
def driver_libs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Shared libraries built from the loop driver: good, wrong_abi, short_table, no_symbol."""
    out = tmp_path_factory.mktemp("drivers")
    gcc = _gcc()
    libs = {}
    for name, shim in SHIMS.items():
        src = out / f"{name}.c"
        src.write_text(shim)
        lib = out / f"{name}.so"
        subprocess.run(
            [gcc, *CFLAGS, "-o", str(lib), str(src), *COMMON, "-lpthread"],
            check=True,
            capture_output=True,
            text=True,
        )
        libs[name] = lib
    return libs
