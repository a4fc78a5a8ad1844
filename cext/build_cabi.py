"""cffi builder of ``boardlib._cabi`` (API out-of-line mode).

The module holds the driver loader and the two built-in drivers (``loop`` and the emulated
board ``emu`` with its line side). The C declarations are read from ``boardlib_abi.h`` and
``emu_line.h`` between their ``BL_CDEF`` markers, so the headers stay the one source of truth
and the compiler checks the binding against them.

Quick in-place rebuild from the source tree::

    python cext/build_cabi.py --inplace
"""

from __future__ import annotations

import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
HEADER = HERE / "boardlib_abi.h"
HEADERS = (HEADER, HERE / "emu_line.h")
SOURCES = ("loader.c", "drvcommon.c", "loopdrv.c", "emudrv.c")


def read_cdef(header: Path = HEADER) -> str:
    """Return the declarations between ``/* BL_CDEF_BEGIN */`` and ``/* BL_CDEF_END */``."""
    text = header.read_text()
    match = re.search(r"/\* BL_CDEF_BEGIN \*/(.*?)/\* BL_CDEF_END \*/", text, re.S)
    if match is None:
        raise RuntimeError(f"{header}: BL_CDEF markers not found")
    return match.group(1)


def make_builder(root: Path | None = None) -> FFI:
    """The builder; paths are relative to the source tree unless ``root`` is given."""
    base = Path("cext") if root is None else root / "cext"
    builder = FFI()
    builder.cdef("\n".join(read_cdef(h) for h in HEADERS))
    builder.set_source(
        "boardlib._cabi",
        '#include "boardlib_abi.h"\n#include "emu_line.h"\n',
        sources=[str(base / name) for name in SOURCES],
        include_dirs=[str(base)],
        libraries=["dl", "pthread"],
        extra_compile_args=["-O2"],
    )
    return builder


ffibuilder = make_builder()

if __name__ == "__main__":
    import os
    import shutil
    import sys

    if "--inplace" in sys.argv:
        # Build in build/cffi and copy the module next to boardlib/__init__.py, under the
        # stable-ABI name that setuptools gives it.
        root = HERE.parent
        built = Path(make_builder(root).compile(tmpdir=str(root / "build" / "cffi")))
        target = root / "boardlib" / "_cabi.abi3.so"
        shutil.copy2(built, target.with_suffix(".tmp"))
        os.replace(target.with_suffix(".tmp"), target)
        print(target)
    else:
        ffibuilder.compile(verbose=True)
