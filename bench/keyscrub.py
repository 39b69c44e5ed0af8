"""Key-fragment scrubbing cost on the answer path, against baselines measured in the same run.

    python bench/keyscrub.py [--repeat 2000]

For typical answers (one stream event, a 2 KB prose chat answer, a 30 KB long answer, a
1,536-float embedding as JSON bytes) it times, per answer:

- ``replace``: the old behaviour, ``bytes.replace`` of the whole key (misses fragments);
- ``scrubber``: :class:`confiance.providers.keyscrub.KeyScrubber` (every fragment of 8+
  characters of two configured keys);
- ``naive``: an 8-gram set lookup at every position of the text (the obvious correct method);

and prints microseconds per answer and the ratios scrubber/replace and naive/scrubber. Other
processes share this machine's two cores: compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import time
from collections.abc import Callable

from confiance.providers.keyscrub import KeyScrubber

KEYS = [
    "sk-proj-"
    + "".join(random.Random(1).choice(string.ascii_letters + string.digits) for _ in range(48)),
    "".join(random.Random(2).choice("0123456789abcdef") for _ in range(32)),
]
WORDS = [
    "the",
    "gateway",
    "forwards",
    "every",
    "request",
    "to",
    "the",
    "configured",
    "vendor",
    "and",
    "records",
    "a",
    "trace",
    "with",
    "its",
    "latency",
    "tokens",
    "cost",
    "and",
    "status",
    "internationalization",
    "understanding",
    "responsibilities",
]


def _prose(size: int, rng: random.Random) -> bytes:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(WORDS))
    answer = {"choices": [{"message": {"role": "assistant", "content": " ".join(words)}}]}
    return json.dumps(answer).encode()


def _embedding(rng: random.Random) -> bytes:
    vector = [round(rng.uniform(-1, 1), 9) for _ in range(1536)]
    return json.dumps({"data": [{"embedding": vector, "index": 0}]}).encode()


def _naive(keys: list[str]) -> Callable[[bytes], list[int]]:
    grams = {k[i : i + 8] for k in keys for i in range(len(k) - 7)}

    def find(data: bytes) -> list[int]:
        text = data.decode("latin-1")
        return [i for i in range(len(text) - 7) if text[i : i + 8] in grams]

    return find


def _time(work: Callable[[bytes], object], data: bytes, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        work(data)
    return (time.perf_counter() - started) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(0)
    scrubber = KeyScrubber(KEYS)
    naive = _naive(KEYS)
    whole = KEYS[0].encode()
    event = _prose(40, rng).replace(
        b'{"choices"', b'data: {"object":"chat.completion.chunk","choices"'
    )
    cases = {
        "stream event": event + b"\n\n",
        "chat answer, 2 KB": _prose(2_000, rng),
        "long answer, 30 KB": _prose(30_000, rng),
        "embedding, 1536 floats": _embedding(rng),
    }
    print(
        f"{'answer':26} {'bytes':>8} {'replace µs':>11} {'scrubber µs':>12} {'naive µs':>10}"
        f" {'scrubber/replace':>17} {'naive/scrubber':>15}"
    )
    for name, data in cases.items():
        assert scrubber.scrub_bytes(data) is data  # nothing to find: the common case
        repeat = max(args.repeat * 2_000 // len(data), 20)
        replace = _time(lambda d: d.replace(whole, b"[redacted]"), data, repeat)
        scrub = _time(scrubber.scrub_bytes, data, repeat)
        slow = _time(naive, data, max(repeat // 10, 5))
        print(
            f"{name:26} {len(data):8} {replace:11.2f} {scrub:12.2f} {slow:10.1f}"
            f" {scrub / replace:16.1f}x {slow / scrub:14.1f}x"
        )


if __name__ == "__main__":
    main()
