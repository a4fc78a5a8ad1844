"""Build script for the parts of boardlib that cannot be declarative.

* The Cython extensions of ``dsp/`` (imported as ``boardlib.dsp``): one Extension per
  ``dsp/_*.pyx`` module, all cimporting shared C-level declarations from ``dsp/include/``.
* The cffi module ``boardlib._cabi`` built from ``cext/``.
* The ``package_dir`` mapping that puts ``dsp/`` and ``emulator/`` under the one import root.

Environment toggles:

``BOARDLIB_CYTHON_TRACE=1``     line tracing (coverage of Cython code, ``CYTHON_TRACE_NOGIL``)
``BOARDLIB_CYTHON_ANNOTATE=1``  HTML annotation next to the generated C in ``build/cython/``
``BOARDLIB_DEBUG=1``            ``-O0 -g`` and bounds checks left to Cython's defaults
``BOARDLIB_EXTENSIONS=a,b``     build only these dsp modules (``_g711,_dtmf``), for quick rebuilds
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.extension import Extension

HERE = Path(__file__).resolve().parent


def _missing(what: str, pip_name: str) -> None:
    sys.stderr.write(
        f"\nboardlib: building needs {what}, which is not installed.\n"
        f"  Install it with:  python -m pip install '{pip_name}'\n"
        "  (a normal `pip install -e .` installs the build requirements of pyproject.toml by"
        " itself;\n   this message means the build runs without build isolation)\n\n"
    )
    raise SystemExit(1)


try:
    from Cython.Build import cythonize
except ImportError:  # pragma: no cover - depends on the build environment
    _missing("Cython 3", "Cython>=3.0,<4")
try:
    import cffi  # noqa: F401
except ImportError:  # pragma: no cover
    _missing("cffi", "cffi>=1.17")

TRACE = os.environ.get("BOARDLIB_CYTHON_TRACE") == "1"
ANNOTATE = os.environ.get("BOARDLIB_CYTHON_ANNOTATE") == "1"
DEBUG = os.environ.get("BOARDLIB_DEBUG") == "1"
ONLY = {n.strip() for n in os.environ.get("BOARDLIB_EXTENSIONS", "").split(",") if n.strip()}

# Portable baseline: x86-64-v2 (SSE4.2) code everywhere; kernels that gain from wider SIMD
# say so in their own ``extra_compile_args`` and dispatch at run time (see dsp/_buildinfo.pyx).
if DEBUG:
    CFLAGS = ["-O0", "-g"]
else:
    CFLAGS = ["-O3", "-fno-math-errno", "-fno-trapping-math"]
MACROS: list[tuple[str, str | None]] = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
if TRACE:
    MACROS += [("CYTHON_TRACE", "1"), ("CYTHON_TRACE_NOGIL", "1")]
MACROS.append(("BOARDLIB_BUILD_CFLAGS", '"' + " ".join(CFLAGS) + '"'))
MACROS.append(("BOARDLIB_CYTHON_VERSION", '"' + __import__("Cython").__version__ + '"'))


def dsp_extensions() -> list[Extension]:
    """One Extension per ``dsp/_*.pyx``; the list is the directory, sorted."""
    exts = []
    for pyx in sorted((HERE / "dsp").glob("_*.pyx")):
        name = pyx.stem
        if ONLY and name not in ONLY:
            continue
        exts.append(
            Extension(
                f"boardlib.dsp.{name}",
                [f"dsp/{pyx.name}"],
                include_dirs=["dsp/include"],
                define_macros=MACROS,
                extra_compile_args=CFLAGS,
            )
        )
    return exts


directives = {
    "language_level": 3,
    "embedsignature": True,
    "linetrace": TRACE,
}

ext_modules = cythonize(
    dsp_extensions(),
    build_dir="build/cython",
    include_path=["dsp/include"],
    compiler_directives=directives,
    annotate=ANNOTATE,
    quiet=True,
)

setup(
    # boardlib/ and its subpackages, plus the two mapped directories.
    packages=["boardlib", *(f"boardlib.{p}" for p in find_packages("boardlib")),
              "boardlib.dsp", "boardlib.emulator"],
    package_dir={
        "boardlib": "boardlib",
        "boardlib.dsp": "dsp",
        "boardlib.emulator": "emulator",
    },
    package_data={
        "boardlib": ["py.typed", "_cabi.pyi"],
        "boardlib.dsp": ["*.pyi", "include/*.pxd"],
    },
    ext_modules=ext_modules,
    cffi_modules=[] if ONLY else ["cext/build_cabi.py:ffibuilder"],
    zip_safe=False,
)
