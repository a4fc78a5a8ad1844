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
    from ._g711 import (
        alaw_decode,
        alaw_decode_into,
        alaw_encode,
        alaw_encode_into,
        alaw_to_ulaw,
        alaw_to_ulaw_into,
        ulaw_decode,
        ulaw_decode_into,
        ulaw_encode,
        ulaw_encode_into,
        ulaw_to_alaw,
        ulaw_to_alaw_into,
    )
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "boardlib.dsp is not built: run `python -m pip install -e .` in the source tree "
        f"(or `python setup.py build_ext --inplace`). Original error: {exc}"
    ) from exc

from ._cidtone import CasDetector, CasTone, cas_tone
from ._dtmf import DtmfDetector, DtmfDetectorBank
from ._fsk import (
    FSK_BELL202,
    FSK_V23,
    FskByte,
    FskDemodulator,
    FskDemodulatorBank,
    FskSpec,
    fsk_modulate,
)
from ._r2 import R2ToneDetector, R2ToneDetectorBank, R2ToneGenerator, R2ToneOff, R2ToneOn
from ._tone import DtmfGenerator, ToneGenerator, dtmf_frequencies
from .callerid import (
    AbsenceReason,
    CallerIdDecoder,
    CallerIdDecoderBank,
    CallerIdEncoder,
    CallerIdFormat,
    CallerIdMessage,
)
from .dtmf_events import DtmfDigit
from .progress import (
    CallProgressAnalyzer,
    CallResult,
    ProgressResult,
    ToneCadence,
    ToneDetector,
    ToneDetectorBank,
    ToneOff,
    ToneOn,
    VoiceOff,
    VoiceOn,
    analyze_samples,
)

__all__ = [
    "R2ToneGenerator",
    "R2ToneDetector",
    "R2ToneDetectorBank",
    "R2ToneOn",
    "R2ToneOff",
    "build_info",
    "cpu_features",
    "ToneGenerator",
    "DtmfGenerator",
    "dtmf_frequencies",
    "DtmfDetector",
    "DtmfDetectorBank",
    "DtmfDigit",
    "CallerIdDecoder",
    "CallerIdEncoder",
    "CallerIdMessage",
    "CallerIdDecoderBank",
    "CallerIdFormat",
    "AbsenceReason",
    "FskSpec",
    "FSK_BELL202",
    "FSK_V23",
    "FskByte",
    "FskDemodulator",
    "FskDemodulatorBank",
    "fsk_modulate",
    "CasDetector",
    "CasTone",
    "cas_tone",
    "ToneDetector",
    "ToneDetectorBank",
    "ToneOn",
    "ToneOff",
    "ToneCadence",
    "VoiceOn",
    "VoiceOff",
    "CallProgressAnalyzer",
    "CallResult",
    "ProgressResult",
    "analyze_samples",
    "alaw_decode",
    "alaw_decode_into",
    "alaw_encode",
    "alaw_encode_into",
    "alaw_to_ulaw",
    "alaw_to_ulaw_into",
    "ulaw_decode",
    "ulaw_decode_into",
    "ulaw_encode",
    "ulaw_encode_into",
    "ulaw_to_alaw",
    "ulaw_to_alaw_into",
]
