"""Vendor keys, whole or in part, never reach the logs.

:class:`KeyScrubbingFilter` sits on the root logger's handlers (so it sees the records of every
logger that propagates there, the libraries' included) and rewrites each record's message, and
its formatted exception, with the :class:`~confiance.providers.keyscrub.KeyScrubber` of the
keys the gateway currently holds. The gateway updates the keys at every config change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from confiance.providers.keyscrub import KeyScrubber

__all__ = ["KeyScrubbingFilter"]


class KeyScrubbingFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._scrubber = KeyScrubber(())

    def update(self, keys: Iterable[str | None]) -> None:
        """Scrub ``keys`` from now on (instead of the previous ones), and make sure this filter
        is on every handler of the root logger."""
        self._scrubber = KeyScrubber(keys)
        for handler in logging.getLogger().handlers:
            if self not in handler.filters:
                handler.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        scrubber = self._scrubber
        if not scrubber:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: the handler reports it as logging always does
        scrubbed = scrubber.scrub(message)
        if scrubbed is not message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrubber.scrub(record.exc_text)
        return True
