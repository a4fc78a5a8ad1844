"""OpenR2 (libopenr2, China variant) as the far end of one emulated E1 timeslot.

``build(dir)`` compiles ``or2peer.c`` against the static ``libopenr2.a`` with the linker's
``--wrap`` so OpenR2's DAHDI device calls are answered by the helper; :class:`OpenR2Peer`
runs it as a separate process and exchanges one 20 ms tick per call of :meth:`exchange`
(the interface of ``R2Span.attach``).

:data:`CN_FORWARD_ANI` is the protocol file a calling OpenR2 needs to send the calling number
in the China variant (pass ``protocol=<file>`` to ``or2peer call``; the file says why).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LIBOPENR2 = Path("/usr/lib/x86_64-linux-gnu/libopenr2.a")
#: OpenR2 advanced protocol file: the China calling side answers A1 after KA with ANI digits.
CN_FORWARD_ANI = HERE / "cn_forward_ani.conf"
WRAPS = ("open", "close", "read", "write", "ioctl", "gettimeofday")


def build(out_dir: Path, cc: str = "gcc") -> Path:
    """Compile the helper into ``out_dir``; returns its path."""
    exe = out_dir / "or2peer"
    wraps = "-Wl," + ",".join(f"--wrap={w}" for w in WRAPS)
    subprocess.run([cc, "-O1", "-Wall", "-o", str(exe), str(HERE / "or2peer.c"), str(LIBOPENR2),
                    wraps, "-lm", "-lpthread"], check=True, capture_output=True, text=True)
    return exe


class OpenR2Peer:
    """One OpenR2 channel in its own process, ticked by the emulated span."""

    def __init__(self, exe: Path, *args: str) -> None:
        self.proc = subprocess.Popen([str(exe), *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.events: list[tuple[int, str]] = []
        self.ticks = 0

    def exchange(self, rx_bits: int, codes: np.ndarray) -> tuple[int, np.ndarray]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"T %d\n" % rx_bits + np.ascontiguousarray(codes, np.uint8).tobytes())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) != 3 or header[0] != b"F":
            raise RuntimeError(f"or2peer stopped (header {header!r})")
        for _ in range(int(header[2])):
            self.events.append((self.ticks, self.proc.stdout.readline().decode().strip()))
        audio = self.proc.stdout.read(160)
        self.ticks += 1
        return int(header[1]), np.frombuffer(audio, np.uint8).copy()

    def names(self) -> list[str]:
        return [e for _, e in self.events]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)
