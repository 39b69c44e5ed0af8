"""The packaged catalog: every row parses with a source; lookups match ids as code writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from confiance.catalog import Catalog, CatalogFormatError, Lifecycle, Platform

TODAY = dt.date(2026, 11, 25)
HEADER = "provider,model,announced,retired_or_shutdown,replacement,source\n"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_packaged_catalog_has_every_row_with_a_source(catalog: Catalog) -> None:
    assert len(catalog) == 288
    assert all(fact.source.startswith("https://") for fact in catalog.facts)
    assert all(fact.ids for fact in catalog.facts)
    assert Catalog.load() is catalog  # parsed once per process


@pytest.mark.parametrize(
    ("written", "state", "shutdown", "provider"),
    [
        ("gpt-4-0613", Lifecycle.RETIRED, "2026-10-23", "OpenAI"),
        ("gpt-4", Lifecycle.RETIRED, "2026-10-23", "OpenAI"),  # alias retired with the snapshot
        ("o1", Lifecycle.RETIRED, "2026-10-23", "OpenAI"),
        ("GPT-4-Turbo-Preview", Lifecycle.RETIRED, "2026-03-26", "OpenAI"),  # "incl." alias
        ("openai/gpt-4o-2024-05-13", Lifecycle.RETIRED, "2026-10-23", "OpenAI"),
        ("azure/gpt-4o-2024-05-13", Lifecycle.RETIRED, "2026-03-31", "Azure OpenAI"),
        ("gpt-35-turbo-0613", Lifecycle.RETIRED, "2025-02-13", "Azure OpenAI"),
        ("models/gemini-2.0-flash", Lifecycle.RETIRED, "2026-06-01", "Google Gemini API"),
        ("gemini-2.5-pro", Lifecycle.RETIRING, "2026-12-01", "Google Gemini API"),
        ("vertex_ai/gemini-2.5-pro", Lifecycle.RETIRED, "2026-10-16", "Google Vertex AI"),
        (
            "claude-3-7-sonnet@20250219",
            Lifecycle.RETIRED,
            "2026-05-11",
            "Google Vertex AI (Anthropic)",
        ),
        ("claude-3-7-sonnet-latest", Lifecycle.RETIRED, "2026-02-19", "Anthropic"),
        (
            "us.anthropic.claude-3-haiku-20240307-v1:0",
            Lifecycle.RETIRED,
            "2026-09-10",
            "AWS Bedrock (Anthropic)",
        ),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", Lifecycle.RETIRING, "2027-01-14", "OpenAI"),
        ("gpt-5.1", Lifecycle.DEPRECATED, "2027-04-01", "OpenAI"),
    ],
)
def test_lookup_matches_ids_as_written(
    catalog: Catalog, written: str, state: Lifecycle, shutdown: str, provider: str
) -> None:
    status = catalog.lookup(written, TODAY)
    assert status is not None
    assert (status.state, status.shutdown, status.fact.provider) == (
        state,
        dt.date.fromisoformat(shutdown),
        provider,
    )
    assert status.source.startswith("https://")


def test_models_without_facts_are_unknown(catalog: Catalog) -> None:
    for model in ("gpt-4o", "gpt-4.1", "claude-sonnet-4-5", "my-router", "", "openai/"):
        assert catalog.lookup(model, TODAY) is None
    assert "gpt-4o" not in catalog
    assert "o1" in catalog


def test_state_depends_on_the_day(catalog: Catalog) -> None:
    before_notice = catalog.lookup("gpt-4-0613", dt.date(2025, 1, 1))
    in_window = catalog.lookup("gpt-4-0613", dt.date(2026, 9, 1))
    beyond_window = catalog.lookup("gpt-4-0613", dt.date(2026, 5, 1))
    assert before_notice is not None
    assert before_notice.state is Lifecycle.ACTIVE
    assert in_window is not None
    assert in_window.state is Lifecycle.RETIRING
    assert in_window.days_left == 52
    assert beyond_window is not None
    assert beyond_window.state is Lifecycle.DEPRECATED
    narrow = catalog.lookup("gpt-4-0613", dt.date(2026, 9, 1), window_days=30)
    assert narrow is not None
    assert narrow.state is Lifecycle.DEPRECATED


def test_conflicting_rows_give_the_earliest_shutdown(catalog: Catalog) -> None:
    # The OpenAI page lists gpt-4-1106-preview in two batches; both rows are kept.
    rows = [f for f in catalog.facts if "gpt-4-1106-preview" in f.ids and f.platform.first_party]
    assert len(rows) == 2
    status = catalog.lookup("gpt-4-1106-preview", TODAY)
    assert status is not None
    assert status.shutdown == min(r.shutdown for r in rows if r.shutdown)


def test_describe_names_date_replacement_and_source(catalog: Catalog) -> None:
    status = catalog.lookup("o1", TODAY)
    assert status is not None
    text = status.describe()
    assert "retired on 2026-10-23" in text
    assert "gpt-5.6-sol" in text
    assert "https://developers.openai.com/api/docs/deprecations" in text


def test_custom_csv_and_alias_parsing() -> None:
    text = HEADER + (
        "Azure OpenAI,gpt-4 / gpt-4-32k (0314),,2025-06-06,gpt-4o,https://example.org/a\n"
        "AWS Bedrock (Meta),meta.llama3-1-405b-instruct-v1:0,2026-01-07,2026-07-07,,https://example.org/b\n"
        'Mistral,"codestral-2405 (alias codestral-old, codestral-legacy)",,2025-06-16,,https://example.org/c\n'
    )
    catalog = Catalog.from_csv(text)
    assert catalog.facts[0].ids == ("gpt-4-0314", "gpt-4-32k-0314")
    assert catalog.facts[0].platform is Platform.AZURE
    assert catalog.facts[2].ids == ("codestral-2405", "codestral-old", "codestral-legacy")
    status = catalog.lookup("bedrock/meta.llama3-1-405b-instruct-v1:0", TODAY)
    assert status is not None
    assert status.state is Lifecycle.RETIRED
    assert catalog.lookup("codestral-legacy", TODAY) is not None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Acme,model-x,,2025-01-01,,https://example.org", "line 2: unknown provider 'Acme'"),
        ("OpenAI,model-x,,2025-13-01,,https://example.org", "line 2: column 'retired_or_shutdown'"),
        ("OpenAI,model-x,,2025-01-01,,ftp://example.org", "line 2: column 'source'"),
        ("OpenAI,,,2025-01-01,,https://example.org", "line 2: column 'model' is empty"),
    ],
)
def test_malformed_rows_are_named(row: str, message: str) -> None:
    with pytest.raises(CatalogFormatError, match=message):
        Catalog.from_csv(HEADER + row + "\n")


def test_wrong_header_is_rejected() -> None:
    with pytest.raises(CatalogFormatError, match="line 1: header"):
        Catalog.from_csv("model,provider\nx,y\n")
