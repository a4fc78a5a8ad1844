"""boardlib.dsp: the compiled signal-processing core.

Everything that touches samples is Cython (``_*.pyx`` modules, private); this package
re-exports the public names. Receivers take frames of any length and return events;
generators fill caller buffers; banks process ``(channels, samples)`` blocks in one call
with the GIL released.

If the extension modules are missing (the package was not built), importing this package
raises ``ImportError`` naming the build command: there is no pure-Python fallback.
"""

from __future__ import annotations

try:
    from ._buildinfo import build_info, cpu_features
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "boardlib.dsp is not built: run `python -m pip install -e .` in the source tree "
        f"(or `python setup.py build_ext --inplace`). Original error: {exc}"
    ) from exc

__all__ = [
    "build_info",
    "cpu_features",
]
