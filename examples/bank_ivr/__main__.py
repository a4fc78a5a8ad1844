"""``python -m examples.bank_ivr`` (or ``python examples/bank_ivr``): the bank IVR demo."""

import sys
from pathlib import Path

if __package__:
    from .app import main
else:  # python examples/bank_ivr
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from app import main  # type: ignore[no-redef]

raise SystemExit(main())
