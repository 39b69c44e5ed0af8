"""The model-name grammar."""

from __future__ import annotations

import pytest

from confiance.providers.simulated import DIRECTIVES, Behaviour, DirectiveError, parse_model_name
from confiance.providers.simulated.behaviour import FlakyMode


def behaviour(model: str) -> Behaviour:
    return Behaviour.model_validate(dict(parse_model_name(model).updates))


def test_plain_names_have_no_directives() -> None:
    for name in ("gpt-4o-mini", "claude-3-5-haiku-latest", "echo-service", "fail-safe-model"):
        parsed = parse_model_name(name)
        assert parsed.base == name
        assert parsed.directives == ()
        assert parsed.updates == {}


def test_a_name_may_be_only_directives() -> None:
    parsed = parse_model_name("fail-500")
    assert parsed.base == ""
    assert parsed.directives == ("fail-500",)
    assert behaviour("fail-500").error_rate == 1.0


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("m+latency-50ms", {"latency": {"distribution": "fixed", "ms": 50.0}}),
        ("m+latency-1.5s", {"latency": {"distribution": "fixed", "ms": 1500.0}}),
        ("m+latency-20", {"latency": {"distribution": "fixed", "ms": 20.0}}),
        (
            "m+latency-20ms-0.1s",
            {"latency": {"distribution": "uniform", "low_ms": 20.0, "high_ms": 100.0}},
        ),
        (
            "m+latency-normal-200ms-30ms",
            {"latency": {"distribution": "normal", "mean_ms": 200.0, "stddev_ms": 30.0}},
        ),
        (
            "m+latency-lognormal-300ms-0.5",
            {"latency": {"distribution": "lognormal", "median_ms": 300.0, "sigma": 0.5}},
        ),
        ("m+ttft-200ms+tps-50", {"ttft_ms": 200.0, "tokens_per_s": 50.0}),
        ("m+fail-503-30pct", {"error_status": 503, "error_rate": 0.3}),
        ("m+fail-first-2", {"fail_first": 2}),
        ("m+fail-first-2-429", {"fail_first": 2, "error_status": 429}),
        ("m+retry-after-2", {"retry_after_s": 2.0}),
        ("m+retry-after-50ms", {"retry_after_s": 0.05}),
        ("m+hang", {"hang": True}),
        ("m+reset-10pct", {"reset_rate": 0.1}),
        ("m+malformed", {"malformed_rate": 1.0}),
        ("m+stall-after-3+break-after-5", {"stall_after": 3, "break_after": 5}),
        ("m+echo+leak-system", {"echo": True, "leak_system_prompt": True}),
        ("m+follow-injections+invalid-json", {"follow_injections": True, "invalid_json": True}),
        ("m+flaky", {"flaky": FlakyMode.ALTERNATE}),
        ("m+flaky-25pct", {"flaky": FlakyMode.RANDOM, "flaky_rate": 0.25}),
        ("m+answer-as-gpt-4o-2024-08-06", {"answer_model": "gpt-4o-2024-08-06"}),
        ("m+words-5", {"reply_words": 5}),
        ("m+LATENCY-5MS", {"latency": {"distribution": "fixed", "ms": 5.0}}),
    ],
)
def test_each_directive(model: str, expected: dict) -> None:
    parsed = parse_model_name(model)
    assert parsed.base == "m"
    assert dict(parsed.updates) == expected
    Behaviour.model_validate(dict(parsed.updates))


def test_later_directives_win() -> None:
    assert behaviour("m+latency-5ms+latency-9ms").latency.ms == 9  # type: ignore[union-attr]
    assert behaviour("m+fail-429+fail-first-1").error_status == 429


@pytest.mark.parametrize(
    ("model", "fragment"),
    [
        ("m+latncy-5ms", "'latncy-5ms' is not a simulator directive"),
        ("m+fail-418", "status 418 is not one vendors send"),
        ("m+reset-120pct", "120pct is over 100pct"),
        ("m+", "'' is not a simulator directive"),
    ],
)
def test_bad_directives_are_named(model: str, fragment: str) -> None:
    with pytest.raises(DirectiveError, match=fragment):
        parse_model_name(model)


def test_every_directive_example_parses_to_a_valid_behaviour() -> None:
    for spec in DIRECTIVES:
        parsed = parse_model_name(f"m+{spec.example}")
        assert parsed.directives == (spec.example,)
        Behaviour.model_validate(dict(parsed.updates))
