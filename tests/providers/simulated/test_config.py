"""Simulator config: files with located errors, the Python API, and how a model name resolves."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import pytest
from pydantic import ValidationError

from confiance.errors import ConfigError
from confiance.providers.simulated import (
    Behaviour,
    DirectiveError,
    FixedLatency,
    LognormalLatency,
    NormalLatency,
    SimulatorConfig,
    UniformLatency,
    load_config,
)
from confiance.providers.simulated.simulator import Simulator

GOOD = """\
seed: 7
default:
  latency: 5
models:
  gpt-4o-mini:
    latency: {distribution: lognormal, median_ms: 300, sigma: 0.4}
    error_rate: 0.05
    error_status: 503
  "claude-*":
    fail_first: 2
    retry_after_s: 0.5
  canned:
    fixed_content: "Hello."
"""


def write(tmp_path: Path, text: str, name: str = "sim.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.seed == 7
    assert config.default.latency == FixedLatency(ms=5)
    mini = config.models["gpt-4o-mini"]
    assert mini.latency == LognormalLatency(median_ms=300, sigma=0.4)
    assert mini.error_status == 503
    assert config.behaviour_for("claude-3-haiku").fail_first == 2
    assert config.behaviour_for("unknown") is config.default
    assert config.listed_models() == ["gpt-4o-mini", "canned"]


def test_json_files_load_too(tmp_path: Path) -> None:
    path = write(tmp_path, '{"models": {"x": {"hang": true}}}', "sim.json")
    assert load_config(path).models["x"].hang is True


def test_empty_file_is_the_default(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == SimulatorConfig()


@pytest.mark.parametrize(
    ("text", "location", "fragment"),
    [
        (
            "models:\n  x:\n    latncy: 5\n",
            ":3",
            "models.x.latncy: unknown key; allowed keys: answer_model",
        ),
        ("sed: 1\n", ":1", "sed: unknown key; allowed keys: default, embedding_dimensions"),
        (
            "models:\n  x:\n    error_rate: 2\n",
            ":3",
            "models.x.error_rate: Input should be less than",
        ),
        ("models:\n  x:\n    error_status: 418\n", ":3", "418 is not an error status vendors send"),
        (
            "models:\n  x:\n    latency: {distribution: uniform, low_ms: 9, high_ms: 3}\n",
            ":3",
            "high_ms (3.0) must be at least low_ms (9.0)",
        ),
        (
            "models:\n  x:\n    latency: {distribution: normal, mean_ms: 9, sd: 3}\n",
            ":3",
            "models.x.latency.sd: unknown key; allowed keys: distribution, mean_ms, stddev_ms",
        ),
        ("models:\n  x:\n    echo: true\n    fixed_content: hi\n", ":2", "set only one"),
        ("models:\n  a+b:\n    hang: true\n", ":2", "contains '+'"),
        ("models:\n  x: {hang: true}\n  x: {echo: true}\n", ":3", "key 'x' appears twice"),
        ("models: [\n", ":2", "not valid YAML/JSON"),
        ("- 1\n- 2\n", ":1", "top level must be a mapping"),
    ],
)
def test_errors_name_the_key_and_line(
    tmp_path: Path, text: str, location: str, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.location == f"{path}{location}"
    assert fragment in caught.value.message
    assert caught.value.exit_code == 2


def test_several_errors_are_all_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "models:\n  x:\n    hang: maybe\n  y:\n    reply_words: 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.location == f"{path}:3"
    assert f"{path}:5: models.y.reply_words" in caught.value.message


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read simulator config"):
        load_config(tmp_path / "absent.yaml")


def test_python_api_validates_strictly() -> None:
    assert Behaviour(latency=40).latency == FixedLatency(ms=40)
    assert Behaviour(latency={"ms": 40}).latency == FixedLatency(ms=40)
    with pytest.raises(ValidationError, match="error_rat"):
        Behaviour(error_rat=0.5)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Behaviour(reset_rate=-0.1)
    assert Behaviour(error_status=429).retry_after == 1.0
    assert Behaviour(error_status=500).retry_after is None
    assert Behaviour(error_status=500, retry_after_s=2).retry_after == 2


def test_exact_names_beat_patterns_and_patterns_keep_their_order() -> None:
    config = SimulatorConfig(
        models={
            "gpt-*": Behaviour(reply_words=1),
            "gpt-4*": Behaviour(reply_words=2),
            "gpt-4o": Behaviour(reply_words=3),
        }
    )
    assert config.behaviour_for("gpt-4o").reply_words == 3
    assert config.behaviour_for("gpt-4-turbo").reply_words == 1
    assert config.behaviour_for("claude").reply_words == 20


def test_directives_apply_over_the_configured_behaviour() -> None:
    config = SimulatorConfig(
        models={"slow": Behaviour(latency=100, error_status=503, reply_words=5)}
    )
    sim = Simulator(config)
    resolved = sim.resolve("slow+fail-first-1+words-9")
    assert resolved.base == "slow"
    behaviour = resolved.behaviour
    assert behaviour.latency == FixedLatency(ms=100)
    assert behaviour.fail_first == 1
    assert behaviour.error_status == 503
    assert behaviour.reply_words == 9
    assert sim.resolve("slow+fail-first-1+words-9") is resolved
    with pytest.raises(DirectiveError, match="directives conflict"):
        Simulator(SimulatorConfig(models={"c": Behaviour(fixed_content="x")})).resolve("c+echo")


def test_latency_distributions_sample_as_described() -> None:
    rng = random.Random(1)
    uniform = [UniformLatency(low_ms=10, high_ms=20).sample(rng) for _ in range(2000)]
    assert min(uniform) >= 0.010
    assert max(uniform) <= 0.020
    normal = [NormalLatency(mean_ms=50, stddev_ms=5).sample(rng) for _ in range(2000)]
    assert statistics.mean(normal) == pytest.approx(0.050, abs=0.001)
    assert statistics.stdev(normal) == pytest.approx(0.005, abs=0.0005)
    lognormal = [LognormalLatency(median_ms=100, sigma=0.5).sample(rng) for _ in range(2000)]
    assert statistics.median(lognormal) == pytest.approx(0.100, rel=0.08)
    assert statistics.mean(lognormal) > statistics.median(lognormal)
    never_negative = [NormalLatency(mean_ms=1, stddev_ms=50).sample(rng) for _ in range(200)]
    assert min(never_negative) == 0.0
