"""Every kind of config error, each reported as ``file:line:col: key.path: what (what to do)``."""

from __future__ import annotations

import textwrap

import pytest

from confiance.config.load import parse_config
from confiance.config.problems import InvalidConfig
from confiance.errors import ConfigError

PROVIDERS = """\
providers:
  sim:
    kind: simulated
    base_url: http://127.0.0.1:9000/v1
"""


def problems(text: str) -> list[str]:
    """The problem lines of the error ``text`` raises, as the user reads them."""
    with pytest.raises(InvalidConfig) as caught:
        parse_config(textwrap.dedent(text), "c.yaml")
    lines = [str(problem) for problem in caught.value.problems]
    assert caught.value.message.splitlines()[1:] == [f"  {line}" for line in lines]
    assert isinstance(caught.value, ConfigError)
    assert caught.value.exit_code == 2
    return lines


def test_yaml_syntax_error_has_line_and_column() -> None:
    assert problems("version: 1\nroutes: [a, b\nproviders: {}\n") == [
        "c.yaml:3:10: YAML syntax error: while parsing a flow sequence started on line 2: "
        "expected ',' or ']', but got ':' (check indentation and quoting)"
    ]


def test_bad_indentation() -> None:
    [line] = problems("routes:\n  a:\n    target: x\n   kind: chat\n")
    assert line.startswith("c.yaml:4:4: YAML syntax error:")


def test_duplicate_keys_are_errors_not_silently_dropped() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
        routes:
          bot:
            target: sim/a
          bot:
            target: sim/b
            target: sim/c
        """
    )
    assert problems(text) == [
        "c.yaml:8:3: routes.bot: duplicate key 'bot', first defined on line 6 "
        "(YAML would silently keep only the last one: merge the two or remove one)",
        "c.yaml:10:5: routes.bot.target: duplicate key 'target', first defined on line 9 "
        "(YAML would silently keep only the last one: merge the two or remove one)",
    ]


def test_unknown_key_points_at_the_key_and_suggests() -> None:
    text = PROVIDERS + "    timeout: 3\nroutes:\n  bot: {target: sim/a, fallback: [sim/b]}\n"
    assert problems(text) == [
        "c.yaml:5:5: providers.sim.timeout: unknown key 'timeout' (did you mean 'timeouts'? "
        "allowed keys: kind, base_url, api_key_env, api_version, azure, headers, timeouts, "
        "max_connections, circuit_breaker)",
        "c.yaml:7:24: routes.bot.fallback: unknown key 'fallback' (did you mean 'fallbacks'? "
        "allowed keys: kind, description, target, fallbacks, params, system_prompt, timeouts, "
        "retry, limits, retention, redact, trace_durability, trace_overflow, regression)",
    ]


def test_unknown_top_level_section() -> None:
    [line] = problems("version: 1\nrouts: {}\n")
    assert line.startswith("c.yaml:2:1: routs: unknown key 'routs' (did you mean 'routes'?")


def test_wrong_types() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
            max_connections: many
            azure: perhaps
        routes:
          bot:
            target: sim/a
            fallbacks: sim/b
        """
    )
    assert problems(text) == [
        "c.yaml:5:22: providers.sim.max_connections: Input should be a valid integer, unable to "
        "parse string as an integer, got 'many' (write a whole number)",
        "c.yaml:6:12: providers.sim.azure: Input should be a valid boolean, unable to interpret "
        "input, got 'perhaps' (write true or false)",
        "c.yaml:10:16: routes.bot.fallbacks: Input should be a valid tuple, got 'sim/b' "
        "(write a list (`[a, b]` or `- a` lines))",
    ]


def test_section_of_the_wrong_shape_points_at_its_key() -> None:
    assert problems("routes:\n  - a\n  - b\n") == [
        "c.yaml:1:1: routes: Input should be a valid dictionary, got a list "
        "(write a mapping of `key: value` lines)"
    ]


def test_values_out_of_range() -> None:
    text = textwrap.dedent(
        """\
        retry:
          max_attempts: 0
        timeouts: {connect: -1}
        server:
          trace_batch_size: 1000000
        """
    )
    assert problems(text) == [
        "c.yaml:2:17: retry.max_attempts: Input should be greater than or equal to 1, got 0 "
        "(use a value inside the allowed range)",
        "c.yaml:3:21: timeouts.connect: Input should be greater than 0, got -1 "
        "(use a value inside the allowed range)",
        "c.yaml:5:21: server.trace_batch_size: Input should be less than or equal to 100000, "
        "got 1000000 (use a value inside the allowed range)",
    ]


def test_model_level_rule_points_at_the_section() -> None:
    assert problems("timeouts:\n  attempt: 30\n  total: 10\n") == [
        "c.yaml:1:1: timeouts: total (10.0s) must be at least attempt (30.0s)"
    ]


def test_missing_required_key_points_at_its_parent() -> None:
    text = PROVIDERS + "routes:\n  bot:\n    description: no target\n"
    assert problems(text) == [
        "c.yaml:6:3: routes.bot: missing required key 'target' (add `target:` to routes.bot)"
    ]


def test_enum_and_literal_values() -> None:
    text = textwrap.dedent(
        """\
        version: 2
        providers:
          x: {kind: openia, base_url: "https://example.com"}
        roles:
          superuser: {}
        """
    )
    assert problems(text) == [
        "c.yaml:1:10: version: Input should be 1, got 2 (use one of the listed values)",
        "c.yaml:3:13: providers.x.kind: Input should be 'openai', 'anthropic', 'gemini' or "
        "'simulated', got 'openia' (use one of the listed values)",
        "c.yaml:5:3: roles.superuser: invalid name: Input should be 'app', 'admin' or "
        "'reviewer', got 'superuser' (use one of the listed values)",
    ]


def test_invalid_route_name_points_at_the_name() -> None:
    text = PROVIDERS + 'routes:\n  ok: {target: sim/a}\n  "has space": {target: sim/a}\n'
    assert problems(text) == [
        "c.yaml:7:3: routes[\"has space\"]: name 'has space' must match "
        "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (use up to 64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit)"
    ]


def test_bad_names_are_reported_with_other_problems() -> None:
    text = PROVIDERS + "routes:\n  -bad: {target: sim/a}\n  ok: {description: no target}\n"
    lines = problems(text)
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["c.yaml:6:3", "routes.-bad"],
        ["c.yaml:7:3", "routes.ok"],
    ]


def test_secret_in_api_key_env_is_never_echoed() -> None:
    secret = "sk-proj-abcdefghijklmnop"
    text = "providers:\n  o:\n    kind: openai\n    base_url: https://x.test\n"
    text += f"    api_key_env: {secret}\n"
    [line] = problems(text)
    assert secret not in line
    assert line.startswith("c.yaml:5:18: providers.o.api_key_env: String should match pattern")
    assert "name the environment variable holding the key" in line


def test_secret_header_is_refused_without_echoing_it() -> None:
    text = PROVIDERS + '    headers: {X-Team: core, Authorization: "Bearer sk-live-123"}\n'
    [line] = problems(text)
    assert "sk-live-123" not in line
    assert line == (
        "c.yaml:5:29: providers.sim.headers.Authorization: header 'Authorization' carries a "
        "secret: use api_key_env instead of a literal"
    )


def test_dangling_references_and_kind_mismatch() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
        routes:
          bot:
            target: openai/gpt-4o
            fallbacks: [nowhere, sim/]
          emb:
            kind: embedding
            target: sim/e
            fallbacks: [bot]
        prices:
          other/m: {input: 1, output: 1}
        """
    )
    hint = "(name provider/model with a defined provider, or a route of the same kind)"
    assert problems(text) == [
        f"c.yaml:7:13: routes.bot.target: unknown provider 'openai' (known: sim) {hint}",
        f"c.yaml:8:17: routes.bot.fallbacks[0]: 'nowhere' is neither provider/model nor a "
        f"known route {hint}",
        f"c.yaml:8:26: routes.bot.fallbacks[1]: 'sim/' names no model after the provider {hint}",
        f"c.yaml:12:17: routes.emb.fallbacks[0]: route 'bot' is a chat route {hint}",
        "c.yaml:14:3: prices.other/m: price key must be provider/model with a known provider "
        "(write provider/model with a provider defined under providers:)",
    ]


def test_route_cycle() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
        routes:
          a: {target: b}
          b:
            target: sim/x
            fallbacks: [c]
          c: {target: sim/y, fallbacks: [a]}
        """
    )
    assert problems(text) == [
        "c.yaml:6:3: routes.a.fallbacks: route cycle: a -> b -> c -> a "
        "(remove one of these routes from the loop)"
    ]


def test_every_problem_is_listed_in_line_order() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
            bogus: 1
        routes:
          a: {target: sim/x, retry: {max_attempts: 99}}
          a: {target: sim/x}
        limits: {max_concurrency: 0}
        """
    )
    lines = problems(text)
    assert [line.split(": ")[0] for line in lines] == [
        "c.yaml:5:5",
        "c.yaml:8:3",
        "c.yaml:9:27",
    ]


def test_empty_file() -> None:
    assert problems("# only a comment\n") == [
        "c.yaml:1:1: the file is empty (add at least `version: 1`)"
    ]


def test_top_level_must_be_a_mapping() -> None:
    assert problems("- providers\n- routes\n") == [
        "c.yaml:1:1: the top level must be a mapping of sections, got a list "
        "(start with keys such as `version: 1`, `providers:` and `routes:`)"
    ]


def test_several_documents_are_refused() -> None:
    [line] = problems("version: 1\n---\nversion: 1\n")
    assert line == (
        "c.yaml:2:1: YAML syntax error: expected a single document in the stream started on "
        "line 1: but found another document (check indentation and quoting)"
    )


def test_unknown_tag_is_refused() -> None:
    [line] = problems("version: !!python/object:os.system 1\n")
    assert line.startswith("c.yaml:1:10: YAML syntax error: could not determine a constructor")


def test_recursive_alias() -> None:
    assert problems("routes: &r\n  a: *r\n") == [
        "c.yaml:1:9: recursive alias: this node contains itself "
        "(remove the alias that refers back to its own anchor)"
    ]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    [line] = problems("\n".join(lines) + "\n")
    assert "expands to" in line
    assert "through aliases" in line


def test_merge_keys_work_and_locate_the_merged_value() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
        routes:
          base: &base
            target: sim/x
            retry: {max_attempts: 50}
          other:
            <<: *base
            description: shares the base
        """
    )
    assert problems(text) == [
        "c.yaml:8:27: routes.base.retry.max_attempts: Input should be less than or equal to "
        "10, got 50 (use a value inside the allowed range)",
        "c.yaml:8:27: routes.other.retry.max_attempts: Input should be less than or equal to "
        "10, got 50 (use a value inside the allowed range)",
    ]


def test_merge_keys_override_without_duplicate_error() -> None:
    text = PROVIDERS + textwrap.dedent(
        """\
        routes:
          base: &base {target: sim/x, description: base}
          other:
            <<: *base
            description: overrides the merged one
        """
    )
    loaded = parse_config(text, "c.yaml")
    assert loaded.config.routes["other"].description == "overrides the merged one"
    assert loaded.config.routes["other"].target == "sim/x"


def test_yaml_booleans_as_keys_are_explained() -> None:
    [line] = problems("version: 1\non: 1\n")
    assert line.startswith("c.yaml:2:1: ")
    assert "Keys should be strings, got True" in line
    assert "quote the key" in line


def test_route_named_by_a_yaml_boolean() -> None:
    text = PROVIDERS + "routes:\n  yes: {target: sim/x}\n"
    assert problems(text) == [
        "c.yaml:6:3: routes[1]: invalid name: Input should be a valid string, got True "
        "(write a string (quote it if needed))"
    ]


def test_non_finite_numbers_in_params_are_refused() -> None:
    text = PROVIDERS + "routes:\n  a:\n    target: sim/x\n    params: {t: .nan, u: [1, -.inf]}\n"
    assert problems(text) == [
        "c.yaml:8:17: routes.a.params.t: nan is not a finite number (write a finite number)",
        "c.yaml:8:30: routes.a.params.u[1]: -inf is not a finite number (write a finite number)",
    ]
