"""The detectors added for the gaps a careful operator found: AWS secret access keys,
``password: …`` pairs, IBANs (checksum verified), phone numbers without separators, short
``sk-`` keys, credentials under secret-named JSON keys, and the scanner's shared formats.
Each case has a known answer, including near misses that must be left alone."""

from __future__ import annotations

import pytest

from codescan.test_secretformats import CASES, fill
from confiance.codescan.secretformats import find_secrets
from confiance.observability.redaction import PiiKind, detect, redact_json, redact_text

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3Kk9wQpL"  # 40 characters, the real shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # AWS secret access keys: by name, or right after the key id.
        (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_access_key = [REDACTED:secret]"),
        (f'"SecretAccessKey": "{AWS_SECRET}"', '"SecretAccessKey": "[REDACTED:secret]"'),
        (
            f"AKIAZ3MHALQ6XNDW4EXP {AWS_SECRET}",
            "[REDACTED:secret] [REDACTED:secret]",
        ),
        # password pairs, in several languages and forms
        ("password: hunter2", "password: [REDACTED:secret]"),
        ("login with pwd=s3cr3t! please", "login with pwd=[REDACTED:secret] please"),
        ("my password is Tr0ub4dor&3, ok", "my password is [REDACTED:secret], ok"),
        ("mot de passe : soleil42", "mot de passe : [REDACTED:secret]"),
        ("PASSWORD='p@ss w0rd'", "PASSWORD='[REDACTED:secret] w0rd'"),
        # IBANs with a valid checksum, spaced or not
        ("pay GB82 WEST 1234 5698 7654 32 now", "pay [REDACTED:iban] now"),
        ("IBAN DE89370400440532013000.", "IBAN [REDACTED:iban]."),
        ("FR14 2004 1010 0505 0001 3M02 606", "[REDACTED:iban]"),
        # phone numbers without separators
        ("appelle-moi au 0612345678 demain", "appelle-moi au [REDACTED:phone] demain"),
        ("ring +33612345678", "ring [REDACTED:phone]"),
        ("ring 0033612345678", "ring [REDACTED:phone]"),
        ("call me on 4155552671 tonight", "call me on [REDACTED:phone] tonight"),
        ("phone: 5552671", "phone: [REDACTED:phone]"),
        # sk- keys under 20 characters
        ("use sk-abc123def", "use [REDACTED:secret]"),
        ("key=sk-proj-7f3k", "key=[REDACTED:secret]"),
        ("sk-ant-abcdefghijklmnop", "[REDACTED:secret]"),
    ],
)
def test_the_gaps_are_redacted(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "commit da39a3ee5e6b4b0d3255bfef95601890afd80709 landed",  # 40 hex, no AWS context
        "we use sk-learn and scikit-learn",
        "the password is required and the password field is empty",
        "order 4155552671 shipped",  # ten digits, no trunk 0, no word saying it is a phone
        "timestamp 1733300000 and 1733300000123",
        "max tokens: 512",
        "the token: a word about tokens",
    ],
)
def test_near_misses_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    "text", ["GB82 WEST 1234 5698 7654 33", "IBAN DE89370400440532013001", "XX00 1234 5678 90"]
)
def test_an_iban_with_a_wrong_checksum_is_not_an_iban(text: str) -> None:
    # (Its digit groups may still look like a phone number to the phone detector.)
    assert PiiKind.IBAN not in {d.kind for d in detect(text)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_format_of_the_scanners_catalogue_is_redacted(name: str) -> None:
    # The scanner's catalogue ships a true positive per format (its own test fixtures):
    # redaction catches each one, so a format added for the scanner protects traces too.
    text = fill(CASES[name][0], seed=len(name))
    (match,) = find_secrets(text)
    assert match.value not in redact_text(text)
    assert PiiKind.SECRET in {d.kind for d in detect(text)}


def test_credentials_under_secret_named_keys_are_redacted_whole() -> None:
    body = {
        "user": "alice.smith@example.com",
        "password": "correct horse battery staple",
        "client_secret": "x",
        "metadata": {"api_key": "anything at all", "auth": "abc", "max_tokens": 10},
        "tokens": "many",
        "prompt_tokens": 12,
    }
    assert redact_json(body) == {
        "user": "[REDACTED:email]",
        "password": "[REDACTED:secret]",
        "client_secret": "[REDACTED:secret]",
        "metadata": {"api_key": "[REDACTED:secret]", "auth": "[REDACTED:secret]", "max_tokens": 10},
        "tokens": "many",
        "prompt_tokens": 12,
    }
