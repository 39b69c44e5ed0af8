"""Scrubbing vendor keys, whole or in part, from what vendors send back and from logs.

A vendor that echoes a key back rarely echoes all of it: "Incorrect API key provided:
sk-proj-abcd…wxyz" shows a prefix and a suffix. :class:`KeyScrubber` replaces every substring
of at least :data:`MIN_FRAGMENT` (8) characters of any configured key, except one lying wholly
inside the key's published format prefix (``sk-proj-``, ``sk-ant-api03-``), which every key of
that vendor shares and which answers quote in ordinary documentation.

It sits on the answer path, so it must cost next to nothing when there is nothing to find. An
occurrence of 8 or more key characters always contains a whole 4-character chunk starting at a
multiple of 4 from any fixed origin (a window of 8 consecutive positions holds one such start
with 3 more positions after it). So, for bytes (answers, stream reads):

1. the data is viewed as little-endian uint32 chunks at offsets 0, 4, 8… (no copy), each chunk
   hashed to 16 bits and looked up in a bitmap of the keys' 4-grams, all vectorised (numpy);
   the few candidates are checked exactly against the set of 4-grams. For almost every answer
   nothing is left and the bytes are returned as they are;
2. otherwise (a real fragment, or a rare collision), the exact search runs: the runs of key
   characters of length ≥ 8 (one regex), every 4th 4-gram of each run looked up in a dict, and
   each hit extended both ways against the key, kept when it reaches 8 characters.

Text (log records, error messages) goes straight to step 2. No Python-level work per byte, no
giant alternation of every fragment; ``bench/keyscrub.py`` measures it against
``bytes.replace`` of the whole key and against an 8-gram lookup at every position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

__all__ = ["MIN_FRAGMENT", "REPLACEMENT", "KeyScrubber"]

MIN_FRAGMENT = 8
"""The shortest piece of a key that is scrubbed: shorter ones (``sk-proj-`` is 8) say nothing."""
REPLACEMENT = "[redacted]"
_GRAM = 4
_VECTOR_FROM = 512


class KeyScrubber:
    """Replaces every substring of at least 8 characters of any of ``keys`` by ``[redacted]``
    (except pieces of a key's published prefix alone). Keys shorter than 8 characters are
    scrubbed only whole."""

    __slots__ = ("_bitmap", "_gram_ints", "_grams", "_keys", "_run", "_short")

    def __init__(self, keys: Iterable[str | None]) -> None:
        unique = sorted({k for k in keys if k}, key=len, reverse=True)
        self._keys = tuple(k for k in unique if len(k) >= MIN_FRAGMENT)
        self._short = tuple(k for k in unique if len(k) < MIN_FRAGMENT)
        self._grams: dict[str, list[tuple[str, int, int]]] = {}
        for key in self._keys:
            public = _public_prefix(key)
            for offset in range(len(key) - _GRAM + 1):
                gram = key[offset : offset + _GRAM]
                self._grams.setdefault(gram, []).append((key, offset, public))
        alphabet = "".join(sorted({ch for key in self._keys for ch in key}))
        self._run = re.compile(f"[{re.escape(alphabet) or 'a'}]{{{MIN_FRAGMENT},}}")
        # The bytes filter: each 4-gram as a little-endian uint32, and a 64 Ki-entry bitmap of
        # their 16-bit hashes for the vectorised first look.
        self._gram_ints = frozenset(
            int.from_bytes(g.encode("latin-1"), "little") for g in self._grams if g.isascii()
        )
        self._bitmap = np.zeros(1 << 16, dtype=np.bool_)
        for value in self._gram_ints:
            self._bitmap[_hash16(value)] = True

    def __bool__(self) -> bool:
        return bool(self._keys or self._short)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The merged ``(start, end)`` spans of key fragments in ``text``, in order."""
        found: list[tuple[int, int]] = []
        if self._keys:
            for run in self._run.finditer(text):
                found += self._in_run(run.group(), run.start())
        for key in self._short:
            start = text.find(key)
            while start >= 0:
                found.append((start, start + len(key)))
                start = text.find(key, start + 1)
        return _merged(found)

    def _in_run(self, run: str, base: int) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        grams = self._grams
        for at in range(0, len(run) - _GRAM + 1, _GRAM):
            hits = grams.get(run[at : at + _GRAM])
            if hits is None:
                continue
            for key, offset, public in hits:
                left = _common_suffix(run, at, key, offset)
                right = _common_prefix(run, at + _GRAM, key, offset + _GRAM)
                # A piece of the vendor's published prefix alone ("sk-proj-") is no secret.
                beyond_prefix = offset + _GRAM + right > public
                if left + _GRAM + right >= MIN_FRAGMENT and beyond_prefix:
                    found.append((base + at - left, base + at + _GRAM + right))
        return found

    def may_contain(self, data: bytes) -> bool:
        """False when ``data`` holds no fragment for sure (the common case, decided without
        a Python-level loop over the data); True when :meth:`scrub_bytes` must look closer."""
        if self._short:
            return True
        if not self._keys:
            return False
        chunks = np.frombuffer(data, dtype="<u4", count=len(data) // _GRAM)
        candidates = chunks[self._bitmap[(chunks ^ (chunks >> 16)) & 0xFFFF]]
        return any(int(value) in self._gram_ints for value in candidates)

    def scrub(self, text: str) -> str:
        """``text`` with every key fragment replaced (``text`` itself when there is none)."""
        spans = self.spans(text) if self else []
        if not spans:
            return text
        parts: list[str] = []
        cursor = 0
        for start, end in spans:
            parts += (text[cursor:start], REPLACEMENT)
            cursor = end
        parts.append(text[cursor:])
        return "".join(parts)

    def scrub_bytes(self, data: bytes) -> bytes:
        """The same for bytes (``data`` itself when there is nothing). Keys are ASCII, so
        Latin-1 maps each byte to one character and back, whatever the encoding of the rest."""
        if not self or len(data) < MIN_FRAGMENT:
            return data
        # A small read (a stream event) costs less to search than the vectorised look's setup.
        if len(data) >= _VECTOR_FROM and not self.may_contain(data):
            return data
        text = data.decode("latin-1")
        scrubbed = self.scrub(text)
        return data if scrubbed is text else scrubbed.encode("latin-1")


def _hash16(value: int) -> int:
    return (value ^ (value >> 16)) & 0xFFFF


def _public_prefix(key: str) -> int:
    """The length of the format prefix vendors publish (``sk-proj-``, ``sk-ant-api03-``,
    ``cf-1a2b3c4d-``): up to the last ``-`` or ``_`` in the first 20 characters."""
    head = key[:20]
    return max(head.rfind("-"), head.rfind("_")) + 1


def _common_suffix(text: str, end: int, key: str, key_end: int) -> int:
    """How many characters before ``text[end]`` equal those before ``key[key_end]``."""
    n = 0
    while n < end and n < key_end and text[end - n - 1] == key[key_end - n - 1]:
        n += 1
    return n


def _common_prefix(text: str, start: int, key: str, key_start: int) -> int:
    n = 0
    while (
        start + n < len(text)
        and key_start + n < len(key)
        and (text[start + n] == key[key_start + n])
    ):
        n += 1
    return n


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
