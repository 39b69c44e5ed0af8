"""The README's examples run: the three-line config is valid, and the tour runs top to bottom as
a user types it: ``confiance serve --demo`` in a fresh folder, the ``export`` line it prints, both
SDK snippets, then every listed command in a shell, after which the demo still answers."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from confiance.config.load import parse_config

README = (Path(__file__).parents[2] / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_the_three_line_real_vendor_config_is_valid() -> None:
    (printf,) = re.findall(r"printf '(.*?)' > confiance.yaml", README)
    loaded = parse_config(printf.replace("\\n", "\n"), "README")
    assert loaded.config.routes["chat"].target == "openai/gpt-4o-mini"
    assert loaded.config.providers["openai"].api_key_env == "OPENAI_API_KEY"


def test_the_two_set_up_commands_are_the_ones_ci_runs() -> None:
    install_and_serve, install_and_test = blocks("bash")[:2]
    assert install_and_serve.strip().endswith("confiance serve --demo")
    assert install_and_test.strip().endswith("python -m pytest")
    ci = (Path(__file__).parents[2] / ".ci" / "run").read_text()
    assert "pip install -q -e '.[dev]'" in ci
    assert "python -m pytest" in ci


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Demo:
    """``confiance serve --demo`` running in a fresh folder, as the tour starts it."""

    process: subprocess.Popen[str]
    folder: Path
    port: int
    env: dict[str, str]
    lines: list[str]

    def output(self) -> str:
        return "\n".join(self.lines)

    def shell(self, line: str) -> subprocess.CompletedProcess[str]:
        """One tour line, typed into a shell in the demo's folder."""
        return subprocess.run(
            ["bash", "-c", line],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The demo as a user starts it (its port moved off 8080 through CONFIANCE_PORT, so tests
    can run side by side), with the environment of a fresh shell: no CONFIANCE_* variables."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIANCE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "160"
    (serve_line,) = [b.strip() for b in blocks("bash") if b.strip() == "confiance serve --demo"]
    process = subprocess.Popen(
        ["bash", "-c", serve_line],
        cwd=tmp_path,
        env={**env, "CONFIANCE_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C goes to the whole group, as in a terminal
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Gateway listening on" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(90), "\n".join(lines)
        yield Demo(process, tmp_path, port, env, lines)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def enter_the_export_line(demo: Demo) -> None:
    """Paste the ``export`` line the demo printed into the second terminal's environment."""
    exported = [line.strip() for line in demo.lines if line.strip().startswith("export ")]
    if exported:
        for word in shlex.split(exported[0])[1:]:
            name, _, value = word.partition("=")
            demo.env[name] = value
    else:  # a demo that prints only the keys
        (key,) = re.findall(r"App key \(shown once\):\s+(\S+)", demo.output())
        demo.env["KEY"] = key
    assert demo.env.get("KEY"), demo.output()


def run_snippets(demo: Demo) -> None:
    snippets = blocks("python")
    assert len(snippets) == 2
    for code in snippets:
        code = code.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{demo.port}")
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=demo.folder,
            env=demo.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert 'About "Hello"' in result.stdout, result.stdout


def newest_trace_id(demo: Demo) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        result = demo.shell("confiance traces tail --json")
        rows = json.loads(result.stdout)["traces"] if result.returncode == 0 else []
        if rows:
            trace_id: str = rows[-1]["id"]
            return trace_id
        time.sleep(0.3)
    raise AssertionError(f"no trace stored: {result.stdout} {result.stderr}")


# Each CLI command is a fresh Python process (a few seconds each on a loaded machine).
@pytest.mark.timeout(600)
def test_the_tour_runs_top_to_bottom_and_leaves_the_demo_working(demo: Demo) -> None:
    enter_the_export_line(demo)
    run_snippets(demo)
    trace_id = newest_trace_id(demo)
    (tour,) = [b for b in blocks("bash") if "confiance traces tail" in b]
    outputs: dict[str, str] = {}
    for line in (raw.strip() for raw in tour.splitlines()):
        if not line:
            continue
        typed = line.replace("TRACE_ID", trace_id)
        result = demo.shell(typed)
        assert result.returncode == 0, f"{typed}\n{result.stdout}\n{result.stderr}"
        outputs[line.split("#")[0].strip()] = result.stdout
    assert "resilient" in outputs["confiance traces tail"]
    assert "latency-300ms" in outputs["confiance config diff -c demo.yaml"]
    assert "revision 2" in outputs["confiance apply -c demo.yaml --yes"]
    assert "revision 4" in outputs["confiance config rollback --to 2 --yes"]
    # The demo still answers, on both SDKs, after every change the tour made.
    run_snippets(demo)
    routes = demo.shell("confiance routes show chat --json")
    assert "latency-300ms" in routes.stdout, routes.stdout
    assert demo.process.poll() is None, demo.output()
