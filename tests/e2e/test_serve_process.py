"""`confiance serve` as a user runs it: a real process (here two workers on one port), config
applied at start, graceful shutdown on SIGTERM with every trace flushed to the store."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import openai

from confiance.providers.simulated import RunningSimulator

CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
  chat: {{target: sim/echo}}
  broken: {{target: sim/does-not-exist, fallbacks: []}}
"""


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "confiance", *args], env=env, capture_output=True, text=True
    )


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


async def test_serve_with_workers_applies_config_and_flushes_traces_on_sigterm(
    tmp_path: Path, sim: RunningSimulator, unused_port: int
) -> None:
    env = {**os.environ, "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 's.db'}"}
    config = tmp_path / "confiance.yaml"
    config.write_text(CONFIG.format(sim=sim.base_url))
    created = run_cli("keys", "create", "--role", "app", "--name", "t", "--json", env=env)
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["secret"]
    port = unused_port
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "confiance",
            "serve",
            "-c",
            str(config),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_port(port)
        client = openai.AsyncOpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0
        )
        replies = await asyncio.gather(
            *(
                client.chat.completions.create(
                    model="chat", messages=[{"role": "user", "content": f"n{i}"}]
                )
                for i in range(40)
            )
        )
        await client.close()
        assert sorted(r.choices[0].message.content or "" for r in replies) == sorted(
            f"n{i}" for i in range(40)
        )
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert "applied revision 1" in stderr
    listed = run_cli("traces", "tail", "--limit", "100", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    traces = json.loads(listed.stdout)["traces"]
    assert len(traces) == 40, "every answered request was traced before the workers exited"


def test_serve_refuses_a_bad_config_with_exit_code_2(tmp_path: Path, unused_port: int) -> None:
    env = {**os.environ, "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 's.db'}"}
    config = tmp_path / "confiance.yaml"
    config.write_text("version: 1\nroutes:\n  chat:\n    target: nowhere/model\n    colour: red\n")
    result = run_cli("serve", "-c", str(config), "--port", str(unused_port), env=env)
    assert result.returncode == 2
    assert "confiance.yaml:5:5: routes.chat.colour: unknown key 'colour'" in result.stderr
    config.write_text("version: 1\nroutes:\n  chat:\n    target: nowhere/model\n")
    result = run_cli("serve", "-c", str(config), "--port", str(unused_port), env=env)
    assert result.returncode == 2
    assert "confiance.yaml:4:13: routes.chat.target: unknown provider 'nowhere'" in result.stderr
