"""``confiance simulate`` and ``python -m confiance.providers.simulated``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from confiance.cli.simulate import register

# The command registered on an app of its own, as the main CLI will register it.
CLI_SCRIPT = """
import typer
from confiance.cli.simulate import register
app = typer.Typer()
@app.callback()
def root() -> None: pass
register(app)
app()
"""


def cli_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root."""

    register(app)
    return app


def wait_healthy(base_url: str, process: subprocess.Popen[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{base_url} never answered")


def chat(base_url: str, key: str | None = None) -> tuple[int, dict]:
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"{base_url}/v1/chat/completions", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.terminate()
    out, err = process.communicate(timeout=20)
    return out, err


def test_help_teaches_the_grammar() -> None:
    result = CliRunner().invoke(cli_app(), ["simulate", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for needle in ("fail-first-2", "latency-50ms", "stall-after-3", "--config", "--api-key-env"):
        assert needle in result.output
    assert "confiance simulate --port 9000" in result.output


def test_config_errors_exit_2_with_the_location(tmp_path: Path) -> None:
    path = tmp_path / "sim.yaml"
    path.write_text("models:\n  x:\n    fail_frist: 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app(), ["simulate", "--port", "0", "--config", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3" in result.output
    assert "fail_frist" in result.output


def test_unset_api_key_variable_exits_2() -> None:
    result = CliRunner().invoke(
        cli_app(), ["simulate", "--port", "0", "--api-key-env", "CONFIANCE_TEST_NO_SUCH_VAR"]
    )
    assert result.exit_code == 2
    assert "CONFIANCE_TEST_NO_SUCH_VAR" in result.output


def test_cli_serves_until_terminated(unused_port: int, tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text("models:\n  canned:\n    fixed_content: Configured.\n", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI_SCRIPT,
            "simulate",
            "--port",
            str(unused_port),
            "-c",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "150"},
    )
    base_url = f"http://127.0.0.1:{unused_port}"
    try:
        wait_healthy(base_url, process)
        status, body = chat(base_url)
        assert status == 200
        assert body["choices"][0]["message"]["content"]
    finally:
        out, err = stop(process)
    assert process.returncode == 0, err
    assert f"confiance simulator listening on {base_url}" in out
    assert "fail-first-N" in out
    assert "configured models: canned" in out


def test_module_entry_point_with_a_key_and_port_zero() -> None:
    env = {**os.environ, "SIM_TEST_KEY": "sk-entry-point-key"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "confiance.providers.simulated",
            "--port",
            "0",
            "--api-key-env",
            "SIM_TEST_KEY",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("confiance simulator listening on http://127.0.0.1:")
        base_url = first.split(" on ")[1].strip()
        wait_healthy(base_url, process)
        status, body = chat(base_url)
        assert status == 401
        assert body["error"]["code"] == "invalid_api_key"
        assert chat(base_url, "sk-entry-point-key")[0] == 200
    finally:
        out, err = stop(process)
    assert process.returncode == 0, err
    assert "sk-entry-point-key" not in out + err


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--config", "/nonexistent/sim.yaml"]])
def test_module_entry_point_rejects_bad_options(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "confiance.providers.simulated", *argv],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")


def test_cli_json_line_names_the_chosen_port() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", CLI_SCRIPT, "simulate", "--port", "0", "--json", "--seed", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready["openai_base_url"] == ready["base_url"] + "/v1"
        assert ready["port"] > 0
        wait_healthy(ready["base_url"], process)
        assert chat(ready["base_url"])[0] == 200
    finally:
        stop(process)
    assert process.returncode == 0
