"""spandsp 0.0.6 as the benchmark peer: rows ready for ``benchmarks/realtime.py`` sections.

Each function measures one spandsp kernel on the caller's data and returns a
:class:`benchmarks.realtime.Row` whose ``implementation`` is :data:`PEER`, so a section can
put it beside its own rows and call ``compare(rows, ours, PEER)``. The loops over samples and
channels run in C (see ``tests/reference/spandsp.py``); Python is entered once per block.

``python -m benchmarks.peer_spandsp`` prints the peer's figures on standard inputs.
"""

from __future__ import annotations

import numpy as np

from benchmarks.realtime import Row, channels_per_core
from tests.reference import spandsp

__all__ = ["PEER", "adsi_rx", "dtmf_rx", "dtmf_tx", "g711", "standard_inputs"]

PEER = "spandsp 0.0.6"


def g711(pcm: np.ndarray) -> list[Row]:
    """Encode and decode of ``pcm`` (int16) for both laws, with the ``_into`` forms."""
    codes = np.empty(pcm.shape[0], np.uint8)
    back = np.empty(pcm.shape[0], np.int16)
    alaw = spandsp.alaw_encode(pcm)
    ulaw = spandsp.ulaw_encode(pcm)
    n = pcm.shape[0]
    return [
        Row("alaw_encode", PEER,
            channels_per_core(lambda: spandsp.alaw_encode_into(pcm, codes), n)),
        Row("alaw_decode", PEER,
            channels_per_core(lambda: spandsp.alaw_decode_into(alaw, back), n)),
        Row("ulaw_encode", PEER,
            channels_per_core(lambda: spandsp.ulaw_encode_into(pcm, codes), n)),
        Row("ulaw_decode", PEER,
            channels_per_core(lambda: spandsp.ulaw_decode_into(ulaw, back), n)),
        Row("alaw_to_ulaw", PEER,
            channels_per_core(lambda: spandsp.alaw_to_ulaw_into(alaw, codes), n)),
    ]


def dtmf_rx(block: np.ndarray, kernel: str = "dtmf_rx_bank") -> Row:
    """A :class:`~tests.reference.spandsp.DtmfRxBank` over ``block`` (int16[channels, n])."""
    bank = spandsp.DtmfRxBank(block.shape[0])
    return Row(kernel, PEER, channels_per_core(lambda: bank.process(block), block.size),
               note=f"{block.shape[0]} ch x {block.shape[1]}")


def dtmf_tx(kernel: str = "dtmf_tx") -> Row:
    """Generation of 16 digits (50 ms on, 50 ms off: 12 800 samples) into a reused buffer."""
    tx = spandsp.DtmfTx(on_ms=50, off_ms=50)
    samples = 16 * 800
    out = np.empty(samples, np.int16)

    def run() -> None:
        tx.put("1234567890*#ABCD")
        tx.generate_into(out)

    return Row(kernel, PEER, channels_per_core(run, samples))


def adsi_rx(block: np.ndarray, standard: str = "class", kernel: str = "") -> Row:
    """An :class:`~tests.reference.spandsp.AdsiRxBank` over ``block`` (int16[channels, n])."""
    bank = spandsp.AdsiRxBank(standard, block.shape[0])
    return Row(kernel or f"adsi_rx_{standard}", PEER,
               channels_per_core(lambda: bank.process(block), block.size),
               note=f"{block.shape[0]} ch x {block.shape[1]}")


def standard_inputs(channels: int = 32, n: int = 160, seed: int = 1) -> dict[str, np.ndarray]:
    """Deterministic inputs: 1 s of speech-like noise for G.711, a DTMF block, an FSK block."""
    rng = np.random.default_rng(seed)
    pcm = np.clip(rng.normal(0, 3000, 8000), -32768, 32767).astype(np.int16)
    tx = spandsp.DtmfTx()
    tx.put("1234567890*#ABCD" * 4)
    digits = tx.generate(channels * n)
    dtmf = np.resize(digits, (channels, n)).copy()
    msg = spandsp.build_message("class", 0x80, [(0x01, b"01011230"), (0x02, b"5551212")])
    atx = spandsp.AdsiTx("class")
    atx.send(msg)
    fsk = np.resize(atx.generate_until_idle(), (channels, n)).copy()
    return {"pcm": pcm, "dtmf": dtmf, "fsk": fsk}


def measure() -> list[Row]:
    inputs = standard_inputs()
    return [*g711(inputs["pcm"]), dtmf_rx(inputs["dtmf"]), dtmf_tx(),
            adsi_rx(inputs["fsk"], "class")]


if __name__ == "__main__":
    for row in measure():
        note = f" ({row.note})" if row.note else ""
        print(f"{row.kernel:14s} {row.implementation}{note}: "
              f"{row.channels_per_core:,.0f} channels/core")
