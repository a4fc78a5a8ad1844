"""The engine's links: an HTTP host, a CTI layer for agent queues, text-to-speech prompts,
and ``boardlib ivr run`` on a scenario file."""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np

from boardlib.ivr import HttpHost, Secret
from boardlib.ivr.engine import espeak_tts
from examples.bank_ivr.app import FLOW
from tests.conftest import require_tool

from .conftest import bank, events


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        out = json.dumps({"function": self.path.strip("/"), "got": body}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


def test_http_host_posts_json_to_the_function_url_and_returns_the_answer() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host = HttpHost(f"http://127.0.0.1:{server.server_address[1]}/bank", wall_timeout=10)
        answer = asyncio.run(host("balances", {"customer": "C001"}))
    finally:
        server.shutdown()
        server.server_close()
    assert answer == {"function": "bank/balances", "got": {"customer": "C001"}}


class FakeCti:
    def __init__(self) -> None:
        self.queued: list[tuple[str, dict[str, Any]]] = []

    async def transfer(self, call: Any, queue: str, data: dict[str, Any]) -> str:
        self.queued.append((queue, json.loads(json.dumps(data))))
        self.state_at_handover = call.channel.state.value
        await call.channel.hangup()  # the agent's side ends the call (the IVR leaves it up)
        return f"queued:{queue}"


def test_transfer_goes_to_the_agent_queue_of_a_cti_layer_with_the_attached_data() -> None:
    cti = FakeCti()
    run = bank([{"number": "13900139000", "at": 0,
                 "script": ["wait 10", "press 654321#", "wait 1.5", "press 1", "wait 10"]}],
               cti=cti)
    r, = run.reports
    assert r.result == "queued:agents"
    (queue, data), = cti.queued
    assert queue == "agents" and data["customer"] == "C002" and data["caller"] == "13900139000"
    assert [t["function"] for t in data["transactions"]] == ["lookup_by_number", "verify_pin"]
    assert "654321" not in json.dumps(data)
    assert cti.state_at_handover == "connected"
    assert any(e["event"] == "transfer" for e in events(run, r))


def test_secret_never_shows_its_value() -> None:
    s = Secret("654321")
    assert "654321" not in f"{s} {s!r} {s:>10} {[s]} {({'pin': s})}"
    assert s.reveal() == "654321" and len(s) == 6


def test_text_prompt_is_spoken_by_espeak_ng_at_8_khz() -> None:
    require_tool("espeak-ng")
    require_tool("sox")
    pcm = espeak_tts("thank you", "en")
    assert pcm.dtype == np.int16 and 0.3 < len(pcm) / 8000 < 3.0
    assert np.abs(pcm.astype(np.int32)).max() > 1000


def test_cli_run_serves_a_scenario_of_callers(tmp_path: Path,
                                              capsys: Any) -> None:
    from boardlib.cli import ivr

    scenario = tmp_path / "calls.toml"
    scenario.write_text('[[caller]]\nat = 0.0\nnumber = "13800138000"\ncid = "dtmf"\n'
                        'script = ["wait 3", "hangup"]\n')
    parser = argparse.ArgumentParser()
    ivr.register(parser.add_subparsers())
    args = parser.parse_args(["ivr", "run", str(FLOW), "--scenario", str(scenario), "--json",
                              "--lines", "2"])
    assert args.func(args) == 0
    calls = json.loads(capsys.readouterr().out)["calls"]
    assert len(calls) == 1 and calls[0]["caller"] == "13800138000"
    assert calls[0]["result"] == "caller_hung_up"
