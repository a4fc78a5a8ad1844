"""Host links: how a flow's ``host`` steps reach the core-banking (or any) host.

A host is an async callable ``host(function, payload) -> dict``. :class:`HttpHost` is one that
POSTs the payload as JSON to ``<base url>/<function>`` and returns the JSON answer. The engine
bounds every call by the link timeout (media time), whatever the host.

The link timeout counts media time: on a board with a virtual clock (an emulated board
running as fast as the CPU allows) a host that takes wall time, such as :class:`HttpHost`,
will usually exceed it; use such hosts with real boards or ``clock=realtime``.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Host", "HttpHost", "Secret", "HostError"]

Host = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class HostError(Exception):
    """The host answered with an error (the step's ``on_fail`` branch is taken)."""


class Secret:
    """A value taken with ``collect_secure``: shown as ``***`` everywhere; ``reveal()`` is
    used only to send it to the host."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "***"

    def __reduce__(self) -> Any:  # never pickled or copied out in clear
        raise TypeError("a Secret cannot be pickled")


class HttpHost:
    """A host reached over HTTP: ``POST <base>/<function>`` with a JSON body.

    The request runs in a worker thread; ``wall_timeout`` bounds it in wall seconds (the
    engine's link timeout bounds it in media time).
    """

    def __init__(self, base_url: str, wall_timeout: float = 30.0,
                 headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.wall_timeout = wall_timeout
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    async def __call__(self, function: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(self._post, function, payload)

    def _post(self, function: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        req = urllib.request.Request(f"{self.base_url}/{function}", data=body,
                                     headers=self.headers, method="POST")
        with urllib.request.urlopen(req, timeout=self.wall_timeout) as resp:  # noqa: S310
            answer = json.loads(resp.read().decode() or "{}")
        if not isinstance(answer, dict):
            raise HostError(f"host answered {type(answer).__name__}, not an object")
        return answer
