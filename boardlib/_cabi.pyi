"""Stub of the cffi module ``boardlib._cabi``, built from ``cext/`` by cext/build_cabi.py.

cffi generates ``ffi`` and ``lib`` from the C declarations of ``cext/boardlib_abi.h`` and
``cext/emu_line.h``: their attributes are C functions, constants and types, which have no
static Python types (cffi ships no type information either).
"""

from typing import Any

ffi: Any
lib: Any
