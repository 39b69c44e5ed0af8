"""KeyScrubber removes every piece of 8+ characters of a configured key, checked against a
brute-force oracle on random texts seeded with fragments, and leaves everything else alone."""

from __future__ import annotations

import random
import string

import pytest

from confiance.providers.keyscrub import MIN_FRAGMENT, KeyScrubber

KEY = "sk-proj-Zt4kQ9mW2xV7nB3cR8yL1pF6hJ0dS5aGuE2wX9vT"
AZURE = "7f3c9a0b2e4d4f6a8b1c3d5e7f9a0b2c"


def oracle(text: str, keys: list[str]) -> set[int]:
    """Every position of ``text`` covered by a fragment of >= 8 characters of a key that
    reaches past its published prefix, by trying every substring."""
    covered: set[int] = set()
    for key in keys:
        head = key[:20]
        public = max(head.rfind("-"), head.rfind("_")) + 1
        for i in range(len(key)):
            for j in range(i + MIN_FRAGMENT, len(key) + 1):
                if j <= public:
                    continue
                piece = key[i:j]
                start = text.find(piece)
                while start >= 0:
                    covered.update(range(start, start + len(piece)))
                    start = text.find(piece, start + 1)
    return covered


def covered_by(scrubber: KeyScrubber, text: str) -> set[int]:
    return {i for start, end in scrubber.spans(text) for i in range(start, end)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Incorrect API key provided: {KEY[:12]}****{KEY[-4:]}", "provided: [redacted]****"),
        (f"key {KEY} end", "key [redacted] end"),
        (f"middle {KEY[20:30]} bit", "middle [redacted] bit"),
        (f"x{KEY[10:18]}y", "[redacted]"),
        (f"azure said {AZURE[-9:]}.", "azure said [redacted]."),
    ],
)
def test_fragments_are_scrubbed(text: str, expected: str) -> None:
    scrubbed = KeyScrubber([KEY, AZURE]).scrub(text)
    assert expected in scrubbed, scrubbed
    assert not any(KEY[i : i + 8] in scrubbed for i in range(8, len(KEY) - 7))


@pytest.mark.parametrize(
    "text",
    [
        f"seven chars only: {KEY[20:27]}",
        "OpenAI keys look like sk-proj-…, never share them",  # the published prefix alone
        "sk-proj-",
        "an ordinary answer about understanding internationalization",
        "",
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    scrubber = KeyScrubber([KEY, AZURE])
    assert scrubber.scrub(text) is text
    assert scrubber.scrub_bytes(text.encode()) == text.encode()


def test_agrees_with_the_brute_force_oracle_on_random_texts() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "-_ .,:\n"
    keys = [KEY, AZURE, "".join(rng.choice(string.ascii_letters) for _ in range(40))]
    scrubber = KeyScrubber(keys)
    for _ in range(600):
        parts = []
        for _ in range(rng.randint(1, 6)):
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))))
            if rng.random() < 0.6:
                key = rng.choice(keys)
                start = rng.randrange(len(key) - 4)
                parts.append(key[start : start + rng.randint(4, 20)])
        text = "".join(parts)
        assert covered_by(scrubber, text) == oracle(text, keys), text
        # The vectorised first look on bytes never misses what the exact search finds.
        assert scrubber.scrub_bytes(text.encode()) == scrubber.scrub(text).encode(), text


def test_bytes_in_any_encoding_keep_their_other_bytes() -> None:
    data = f"réponse: {KEY[8:30]} — fin".encode()
    out = KeyScrubber([KEY]).scrub_bytes(data)
    assert out == "réponse: [redacted] — fin".encode()


def test_short_and_missing_keys() -> None:
    assert not KeyScrubber([None, ""])
    assert (
        KeyScrubber(["abc123"]).scrub("the key abc123 and abc12") == "the key [redacted] and abc12"
    )
