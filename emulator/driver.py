"""``emu://`` — an emulated voice board with a telephone exchange behind it.

URL format::

    emu://?lines=4&stations=0&spans=0&law=alaw&profile=cn&clock=virtual&speed=1&seed=0
          &disconnect=both&espeak=0&scenario=calls.toml

``lines``       analog trunk (FXO) lines, 0–480 (default 4)
``stations``    analog station ports (FXS) after the lines, 0–480 (default 0): scripted
                phones (``board.driver.exchange.stations``, see :mod:`.stations`)
``spans``       E1 spans of 30 timeslots each after the lines and stations, 0–16 (default 0)
``law``         ``alaw`` (default), ``ulaw`` or ``slin``: the board's frame codec
``profile``     tone profile of the exchange: ``cn`` (default), ``us``, ``uk``, ``etsi``
``clock``       ``virtual`` (default: as fast as the CPU allows) or ``realtime``
``speed``       with ``clock=realtime``: media seconds per wall second (default 1)
``seed``        seed of every random choice of the scripted parties (default 0)
``disconnect``  how a far-end clear shows: ``loop`` drop, ``busy`` tone, or ``both`` (default)
``espeak``      1: scripted parties speak with espeak-ng when installed (default 0: synthetic)
``scenario``    a TOML scenario file of callers and callees (see :mod:`.scenario`)
``r2``          MFC-R2 variant of the E1 spans, both ends: ``CN`` (default), ``ITU``, ``BR``

The board side is the C driver ``bl_emu_driver_entry`` reached through cffi exactly as a
vendor board is; the exchange drives its line side. Access the exchange as
``board.driver.exchange`` to place calls and add callees from Python.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

from ..drivers.base import Alarm, ChannelInfo, Command, DriverEvent
from ..drivers.cabi import CabiDriver, EmuLineSide
from ..errors import InvalidUrlError
from .clock import MediaClock
from .exchange import Exchange

__all__ = ["EmuDriver"]

_FORM = (
    "emu://?lines=N&stations=N&spans=N&law=alaw|ulaw|slin&profile=cn|us|uk|etsi&clock=virtual|realtime"
    "&speed=X&seed=N&disconnect=loop|busy|both&espeak=0|1&scenario=FILE&r2=CN|ITU|BR"
)
_OPTIONS = {
    "lines",
    "stations",
    "spans",
    "law",
    "profile",
    "clock",
    "speed",
    "seed",
    "disconnect",
    "espeak",
    "scenario",
    "r2",
}


def _int(opts: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = opts.get(key)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidUrlError(
            f"emu:// option {key} must be an integer, got {raw!r}; form: {_FORM}"
        ) from None
    if not low <= value <= high:
        raise InvalidUrlError(f"emu:// option {key} must be in {low}..{high}, got {value}")
    return value


class EmuDriver:
    """The emulated board: the C driver's board side plus the exchange on its line side."""

    def __init__(
        self,
        *,
        lines: int = 4,
        spans: int = 0,
        stations: int = 0,
        law: str = "alaw",
        profile: str = "cn",
        clock: str = "virtual",
        speed: float = 1.0,
        seed: int = 0,
        disconnect: str = "both",
        espeak: bool = False,
        scenario: str | None = None,
        r2: str = "CN",
        url: str = "emu://",
    ) -> None:
        if law not in ("alaw", "ulaw", "slin"):
            raise InvalidUrlError(f"emu:// option law must be alaw, ulaw or slin, got {law!r}")
        if disconnect not in ("loop", "busy", "both"):
            raise InvalidUrlError(
                f"emu:// option disconnect must be loop, busy or both, got {disconnect!r}"
            )
        if lines + stations + 30 * spans < 1:
            raise InvalidUrlError("emu:// needs at least one line or span")
        from ..dsp.specs import PROFILES

        if profile not in PROFILES:
            raise InvalidUrlError(
                f"emu:// option profile must be one of {', '.join(PROFILES)}, got {profile!r}"
            )
        from ..r2.protocol import VARIANTS

        if r2 not in VARIANTS:
            raise InvalidUrlError(
                f"emu:// option r2 must be one of {', '.join(VARIANTS)}, got {r2!r}"
            )
        #: MFC-R2 variant of the E1 spans (the board's R2 engine reads it too).
        self.r2_variant = r2
        self.url = url
        self.name = "emu"
        #: The tone profile of the exchange (the board's call-progress detection uses it).
        self.tone_profile = profile
        self.frame_len = 160
        self.lines = lines
        self.spans = spans
        #: Analog station ports (FXS), channels ``lines`` .. ``lines + stations - 1``.
        self.stations = stations
        #: The E1 spans' far end (``emulator.span.R2Span``) once open, when ``spans`` > 0.
        self.span: Any = None
        self.clock = MediaClock(clock, speed)
        self._board = CabiDriver.emu(
            f"channels={lines}&stations={stations}&spans={spans}&law={law}&frame=160"
        )
        self.line_side: EmuLineSide | None = None
        self.exchange: Exchange = None  # type: ignore[assignment]
        self._law = law
        self._profile = profile
        self._disconnect = disconnect
        self._seed = seed
        self._espeak = espeak
        self._scenario = scenario

    @classmethod
    def from_url(cls, url: str) -> EmuDriver:
        """Parse an ``emu://`` URL (grammar in the module docstring)."""
        parts = urlsplit(url)
        if parts.scheme != "emu":
            raise InvalidUrlError(f"not an emu:// URL: {url!r}")
        if parts.netloc or parts.path not in ("", "/"):
            raise InvalidUrlError(f"emu:// takes only query options, got {url!r}; form: {_FORM}")
        raw = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
        unknown = set(raw) - _OPTIONS
        if unknown:
            raise InvalidUrlError(
                f"unknown emu:// option(s) {', '.join(sorted(unknown))}; form: {_FORM}"
            )
        opts = {k: v[-1] for k, v in raw.items()}
        try:
            speed = float(opts.get("speed", "1"))
        except ValueError:
            raise InvalidUrlError(
                f"emu:// option speed must be a number, got {opts['speed']!r}"
            ) from None
        espeak = opts.get("espeak", "0")
        if espeak not in ("0", "1"):
            raise InvalidUrlError(f"emu:// option espeak must be 0 or 1, got {espeak!r}")
        return cls(
            lines=_int(opts, "lines", 4, 0, 480),
            spans=_int(opts, "spans", 0, 0, 16),
            stations=_int(opts, "stations", 0, 0, 480),
            law=opts.get("law", "alaw"),
            profile=opts.get("profile", "cn"),
            clock=opts.get("clock", "virtual"),
            speed=speed,
            seed=_int(opts, "seed", 0, 0, 2**31 - 1),
            disconnect=opts.get("disconnect", "both"),
            espeak=espeak == "1",
            scenario=opts.get("scenario"),
            r2=opts.get("r2", "CN").upper(),
            url=url,
        )

    # ---- Driver protocol
    def _open(self) -> None:
        self._board._open()
        self.line_side = EmuLineSide(self._board)
        self.exchange = Exchange(
            self.line_side,
            self.lines,
            law=self._law,
            profile=self._profile,
            disconnect=self._disconnect,
            seed=self._seed,
            espeak=self._espeak,
        )
        if self.stations:  # the phones on the station ports
            from .stations import Stations

            self.exchange.stations = Stations(self.exchange, self.lines, self.stations)
        if self.spans:
            from .span import R2Span

            self.span = self.exchange.span = R2Span(
                self.line_side,
                self.lines + self.stations,
                self.spans,
                law=self._law,
                variant=self.r2_variant,
            )
        if self._scenario:
            from .scenario import load_scenario

            load_scenario(self._scenario).install(self.exchange)

    def _close(self) -> None:
        self._board._close()

    def _channels(self) -> list[ChannelInfo]:
        return self._board._channels()

    def _advance(self) -> float:
        """Run the exchange for the coming tick and advance the board clock one frame;
        return how long to wait (wall seconds) before the frame is due."""
        assert self.line_side is not None
        now = self.line_side.now()
        self.exchange.step(now)
        self.line_side.tick()
        return self.clock.delay(now)

    def _read(self, channels: np.ndarray, out: np.ndarray) -> int:
        return self._board._read(channels, out)

    def _write(self, channels: np.ndarray, block: np.ndarray) -> int:
        return self._board._write(channels, block)

    def _next_event(self, timeout_ms: int = 0) -> DriverEvent | None:
        return self._board._next_event(timeout_ms)

    def _command(self, channel: int, command: Command, argument: int = 0) -> None:
        self._board._command(channel, command, argument)

    def _get_alarms(self, span: int) -> Alarm:
        return self._board._get_alarms(span)

    def fileno(self) -> int:
        return self._board.fileno()

    @staticmethod
    def _detect(scheme: str = "emu") -> list[str]:
        return ["emu://?lines=4"]
