"""cffi builder of ``boardlib._cabi`` (API out-of-line mode).

The C declarations are read from ``boardlib_abi.h`` between its ``BL_CDEF`` markers, so the
header stays the one source of truth and the compiler checks the binding against it.
"""

from __future__ import annotations

import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
HEADER = HERE / "boardlib_abi.h"


def read_cdef(header: Path = HEADER) -> str:
    """Return the declarations between ``/* BL_CDEF_BEGIN */`` and ``/* BL_CDEF_END */``."""
    text = header.read_text()
    match = re.search(r"/\* BL_CDEF_BEGIN \*/(.*?)/\* BL_CDEF_END \*/", text, re.S)
    if match is None:
        raise RuntimeError(f"{header}: BL_CDEF markers not found")
    return match.group(1)


ffibuilder = FFI()
ffibuilder.cdef(read_cdef())
ffibuilder.set_source(
    "boardlib._cabi",
    '#include "boardlib_abi.h"',
    sources=[str(Path("cext") / "loader.c")],
    include_dirs=["cext"],
    libraries=["dl"],
    extra_compile_args=["-O2"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
