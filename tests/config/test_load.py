"""Loading confiance.yaml: valid files, the canonical document and digest, file-level errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from confiance.config.load import (
    MAX_CONFIG_BYTES,
    check_environment,
    load_config,
    load_document,
    parse_config,
)
from confiance.config.problems import InvalidConfig
from confiance.config.references import Target, resolve_chain
from confiance.errors import ConfigError

VALID = textwrap.dedent(
    """\
    version: 1
    providers:
      openai:
        kind: openai
        base_url: https://api.openai.com/v1/
        api_key_env: OPENAI_API_KEY
      sim:
        kind: simulated
        base_url: http://127.0.0.1:9000/v1
    routes:
      support-bot:
        target: openai/gpt-4o-mini
        fallbacks: [backup]
        params: {temperature: 0.2}
      backup:
        target: sim/echo
        fallbacks: [openai/gpt-4o-mini]
    prices:
      openai/gpt-4o-mini: {input: 0.15, output: 0.6}
    """
)


def test_valid_config_gives_model_document_and_digest() -> None:
    loaded = parse_config(VALID, "confiance.yaml")
    assert loaded.source == "confiance.yaml"
    assert loaded.config.providers["openai"].base_url == "https://api.openai.com/v1"
    assert resolve_chain(loaded.config, "support-bot") == (
        Target("openai", "gpt-4o-mini"),
        Target("sim", "echo"),
    )
    route = loaded.document["routes"]["support-bot"]
    assert route["fallbacks"] == ["backup"]
    # defaults are written out, so a stored revision says exactly what ran
    assert route["retention"] == "metadata"
    assert set(loaded.document["roles"]) == {"app", "admin", "reviewer"}
    assert len(loaded.digest) == 64


def test_digest_ignores_formatting_and_order_but_not_content() -> None:
    reordered = textwrap.dedent(
        """\
        # the same config, written differently
        prices: {"openai/gpt-4o-mini": {output: 0.6, input: 0.15}}
        routes:
          backup: {target: sim/echo, fallbacks: [openai/gpt-4o-mini]}
          support-bot: {params: {temperature: 0.2}, target: openai/gpt-4o-mini, fallbacks: [backup]}
        providers:
          sim: {base_url: "http://127.0.0.1:9000/v1", kind: simulated}
          openai: {kind: openai, api_key_env: OPENAI_API_KEY, base_url: "https://api.openai.com/v1"}
        """
    )
    first = parse_config(VALID, "a.yaml")
    assert parse_config(reordered, "b.yaml").digest == first.digest
    changed = parse_config(VALID.replace("0.2", "0.3"), "a.yaml")
    assert changed.digest != first.digest


def test_load_document_round_trips_a_stored_document() -> None:
    loaded = parse_config(VALID, "confiance.yaml")
    again = load_document(loaded.document, "revision 3")
    assert again.digest == loaded.digest
    assert again.config == loaded.config


def test_load_document_reports_paths_without_lines() -> None:
    document = parse_config(VALID, "x").document
    document["routes"]["backup"]["target"] = "gone/model"
    with pytest.raises(InvalidConfig) as caught:
        load_document(document, "revision 3")
    assert [str(p) for p in caught.value.problems] == [
        "revision 3: routes.backup.target: unknown provider 'gone' (known: openai, sim) "
        "(name provider/model with a defined provider, or a route of the same kind)"
    ]


def test_load_config_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "confiance.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_config(path).digest == parse_config(VALID, "other").digest


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_config(path).config.routes["backup"].target == "sim/echo"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found: .*nope\.yaml \(create it"):
        load_config(tmp_path / "nope.yaml")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a file"):
        load_config(tmp_path)


def test_file_over_one_mebibyte(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("version: 1\n" + "#" * MAX_CONFIG_BYTES, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"may be at most 1048576 bytes"):
        load_config(path)


def test_text_over_one_mebibyte() -> None:
    with pytest.raises(ConfigError, match=r"big\.yaml: a config may be at most"):
        parse_config("version: 1\n" + "#" * MAX_CONFIG_BYTES, "big.yaml")


def test_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\nroutes:\n  caf\xe9: {}\n".encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.message == (
        f"{path}:3:6: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
    )


def test_check_environment_warns_for_unset_key_variables() -> None:
    loaded = parse_config(VALID, "x")
    warnings = check_environment(loaded.config, {"OPENAI_API_KEY": ""})
    assert len(warnings) == 1
    assert "provider 'openai'" in warnings[0]
    assert "OPENAI_API_KEY is not set" in warnings[0]
    assert check_environment(loaded.config, {"OPENAI_API_KEY": "sk-value"}) == []


def test_check_environment_never_repeats_the_value() -> None:
    loaded = parse_config(VALID, "x")
    secret = "sk-do-not-print-me"
    assert all(secret not in w for w in check_environment(loaded.config, {"X": secret}))
