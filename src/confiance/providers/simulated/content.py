"""Deterministic text: the simulator's tokenizer, generated replies and injected instructions.

Everything here is a pure function of its arguments, so the same request always gets the same
answer. The tokenizer counts a word or a punctuation mark (with the spaces before it) as one
token: close to the ~1.3 tokens per English word real tokenizers give, and exact to split, since
the pieces join back to the text.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "REFUSAL",
    "count_tokens",
    "digest_key",
    "find_injection",
    "generated_reply",
    "split_tokens",
]

REFUSAL = "I'm sorry, but I can't help with that request."
"""The bad answer of a flaky model: plausible, well-formed, and wrong for any eval."""

_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])|\s+")
_DIGEST_WORDS = 8

_WORD_TEXT = (
    "able about above access across action actual add address adjust after again agent ahead "
    "allow almost alone along already also always amount answer appear apply approach area "
    "argue around arrive article aspect assume attempt audit author avoid balance base basic "
    "become before begin behind belief benefit better between beyond black blend board border "
    "branch brief bring broad budget build burden call capture careful carry case cause center "
    "certain change chapter check choice circle claim clear close common compare complete "
    "concept concern confirm connect consider contain context continue control correct cost "
    "count course cover create credit current cycle data debate decide define degree deliver "
    "depend design detail develop differ direct discuss domain draft early effect effort "
    "element enable energy ensure entire equal error event evidence exact example expect "
    "explain extend factor feature field figure final finding focus follow force format "
    "forward frame function future gather general giving global goal ground group growth guide "
    "handle happen health height help history hold honest human idea image impact improve "
    "include increase index inform input insight intent issue item journey judge keep kind "
    "label layer learn level limit linear listen local logic manage margin market matter "
    "measure method middle minor model modern moment motion narrow native nature network "
    "neutral normal notice number object offer open option order origin outcome output "
    "partner pattern people period phase place plain point policy portion practice precise "
    "prepare present primary process produce project proper provide purpose quality question "
    "quick range rapid rather reason record reduce region relate remain report result review "
    "right route sample scale scope season second select sense series shape share signal simple "
    "single source space stable stage standard state steady step store strong structure study "
    "subject support system table target team term test theory third topic total track trend "
    "value version view vital whole window within world yield"
)
# 256 words: one hash byte picks one word with no bias.
_WORDS = _WORD_TEXT.split()[:256]


def split_tokens(text: str) -> list[str]:
    """The simulator's tokens of ``text``; ``"".join(split_tokens(t)) == t``."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    """How many tokens :func:`split_tokens` would give, without building the list."""
    return sum(1 for _ in _TOKEN.finditer(text))


def digest_key(*parts: str) -> bytes:
    """A 32-byte key naming one reply: a hash of everything that should change it."""
    hasher = hashlib.blake2b(digest_size=32)
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x1e")
    return hasher.digest()


def filler_words(key: bytes, count: int) -> list[str]:
    """``count`` words drawn deterministically from ``key``."""
    words: list[str] = []
    block = 0
    while len(words) < count:
        stream = hashlib.blake2b(key + block.to_bytes(4, "big"), digest_size=64).digest()
        words.extend(_WORDS[byte % len(_WORDS)] for byte in stream)
        block += 1
    return words[:count]


def generated_reply(key: bytes, last_user: str, words: int) -> str:
    """A reply that names the question and goes on for ``words`` filler words.

    ``"About <first words of the question>: Filler filler ... filler."``
    """
    question = last_user.split()
    shown = " ".join(question[:_DIGEST_WORDS])
    if len(question) > _DIGEST_WORDS:
        shown += " ..."
    lead = f'About "{shown}": ' if shown else "About your request: "
    filler = filler_words(key, words)
    filler[0] = filler[0].capitalize()
    return lead + " ".join(filler) + "."


_TARGET = r"""\s*:?\s*(?:"([^"\n]+)"|'([^'\n]+)'|“([^”\n]+)”|([^\n]+?))\s*(?:[.!]\s*)?(?:\n|$)"""
_INJECTIONS = (
    re.compile(
        r"\bignore\s+(?:all\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
        r"(?:previous|prior|above|earlier|preceding|system)\s+"
        r"(?:instructions?|prompts?|rules|directions)\b[\s,.;:!-]*(?:and\s+|then\s+)?"
        r"(?:instead\s+)?(?:just\s+)?"
        r"(?:say|reply\s+with|respond\s+with|answer\s+with|output|print|write)" + _TARGET,
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:reply|respond|answer)\s+(?:only\s+)?with" + _TARGET, re.IGNORECASE),
)


def find_injection(texts: list[str]) -> str | None:
    """The payload ``X`` of the latest "ignore previous instructions and say X" or "reply with X"
    found in ``texts`` (latest last), or ``None``. Quotes around ``X`` are dropped."""
    for text in reversed(texts):
        for pattern in _INJECTIONS:
            match = pattern.search(text)
            if match is not None:
                return next(group for group in match.groups() if group)
    return None
