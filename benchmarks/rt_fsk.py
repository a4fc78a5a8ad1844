"""Caller ID FSK: realtime channels per core of the caller-ID receiver bank beside spandsp's
adsi_rx.

Audio: 256 channels of 2 s each, an on-hook MDMF caller-ID burst (seizure, marks, date,
number, name; Bell 202 or V.23 at -13.5 dBm0) at a different offset in each channel, over
-60 dBm0 white noise; both receivers get the same blocks of 160 samples (20 ms).
"""

from __future__ import annotations

import numpy as np

from benchmarks.realtime import Row, channels_per_core, compare
from tests.reference import fsk as ref

SECTION = "Caller ID FSK"
CHANNELS = 256
SECONDS = 2.0
FRAME = 160


def audio(standard: str, channels: int = CHANNELS, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mark, space = (1200.0, 2200.0) if standard == "bell202" else (1300.0, 2100.0)
    n = int(SECONDS * ref.FS)
    out = np.empty((channels, n), dtype=np.int16)
    msg = ref.mdmf([(1, b"11251830"), (2, b"2125551234"), (7, b"BOARDLIB TEST")])
    burst = ref.fsk(ref.burst_bits(msg), mark, space)
    for c in range(channels):
        x = ref.white_noise(n, -60.0, rng)
        off = int(rng.integers(0, n - burst.shape[0]))
        x[off:off + burst.shape[0]] += burst
        out[c] = ref.to_int16(x)
    return out


def _runner(bank, block: np.ndarray):
    """A call that resets ``bank`` and feeds it ``block`` in ``FRAME``-sample blocks."""
    frames = [np.ascontiguousarray(block[:, i:i + FRAME]) for i in range(0, block.shape[1], FRAME)]

    def run() -> None:
        bank.reset()
        for f in frames:
            bank.process(f)

    return run


def _ours(block: np.ndarray, standard: str):
    from boardlib.dsp._fsk import CallerIdReceiverBank

    return _runner(CallerIdReceiverBank(block.shape[0], standard), block)


def _decoder(block: np.ndarray, standard: str):
    from boardlib.dsp.callerid import CallerIdDecoderBank

    return _runner(CallerIdDecoderBank(block.shape[0], standard), block)


def _spandsp(block: np.ndarray, standard: str):
    from tests.reference.spandsp import AdsiRxBank

    return _runner(AdsiRxBank("class" if standard == "bell202" else "clip", block.shape[0]), block)


def measure() -> list[Row]:
    rows: list[Row] = []
    for standard in ("bell202", "v23"):
        block = audio(standard)
        total = block.size
        kernel = f"caller ID rx {standard}, bank {CHANNELS}"
        rows.append(Row(kernel, "boardlib", channels_per_core(_ours(block, standard), total),
                        note="raw messages"))
        rows.append(Row(kernel + " + parse", "boardlib",
                        channels_per_core(_decoder(block, standard), total),
                        note="CallerIdMessage"))
        try:
            rows.append(Row(kernel, "spandsp",
                            channels_per_core(_spandsp(block, standard), total)))
            rows.append(Row(kernel + " + parse", "spandsp", rows[-1].channels_per_core,
                            note="adsi_rx delivers checked bytes"))
        except Exception as exc:  # pragma: no cover - oracle missing
            rows.append(Row(kernel, "spandsp", 0.0, note=f"unavailable: {exc}"))
    compare(rows, "boardlib", "spandsp")
    return rows


def snr_sweep(messages: int = 200, snrs: tuple[int, ...] = tuple(range(16, 4, -1)),
              level: float = -14.0, seed: int = 7) -> dict[str, list[tuple[int, float, float]]]:
    """Share of MDMF messages decoded (valid, exact bytes) vs SNR, ours and spandsp's adsi_rx.

    Each message: seizure, 180 marks, date + 10-digit number + 1..15-letter name at ``level``;
    white noise over 0-4 kHz at ``level - snr``; every receiver is fresh per message.
    Returns ``{standard: [(snr_db, ours, spandsp), ...]}``.
    """
    from boardlib.dsp.callerid import CallerIdDecoder
    from tests.reference.spandsp import AdsiRx

    out: dict[str, list[tuple[int, float, float]]] = {}
    for standard in ("bell202", "v23"):
        mark, space = (1200.0, 2200.0) if standard == "bell202" else (1300.0, 2100.0)
        rows = []
        for snr in snrs:
            rng = np.random.default_rng(seed + snr)
            ours = peer = 0
            for _ in range(messages):
                number = "".join(rng.choice(list("0123456789"), 10))
                letters = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                name = "".join(rng.choice(letters, int(rng.integers(1, 16))))
                msg = ref.mdmf([(1, b"11251830"), (2, number.encode()), (7, name.encode())])
                burst = ref.fsk(ref.burst_bits(msg), mark, space, 1200.0, level,
                                float(rng.uniform(0, 6.28)))
                x = np.concatenate([np.zeros(400), burst, np.zeros(400)])
                pcm = ref.to_int16(x + ref.white_noise(x.shape[0], level - snr, rng))
                dec = CallerIdDecoder(standard)
                got = dec.process(pcm) + dec.flush()
                ours += any(m.valid and m.raw == msg for m in got)
                rx = AdsiRx("class" if standard == "bell202" else "clip")
                rx.process(pcm)
                peer += msg[:-1] in rx.messages()
            rows.append((snr, ours / messages, peer / messages))
        out[standard] = rows
    return out


def _threshold(rows: list[tuple[int, float, float]], col: int) -> int | None:
    """Highest SNR (scanning down) at which the decoded share falls below 99 %."""
    for row in rows:
        if row[col] < 0.99:
            return row[0]
    return None


if __name__ == "__main__":
    import sys

    if "--snr" in sys.argv:
        res = snr_sweep()
        for standard, rows in res.items():
            print(f"\n{standard}: SNR dB | boardlib | spandsp")
            for snr, a, b in rows:
                print(f"  {snr:3d} | {a:6.1%} | {b:6.1%}")
            print(f"  below 99 % at: boardlib {_threshold(rows, 1)} dB, "
                  f"spandsp {_threshold(rows, 2)} dB")
    else:
        from benchmarks.realtime import main

        raise SystemExit(main(["rt_fsk"]))
