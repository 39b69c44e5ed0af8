"""The HTTP seam every adapter shares: the pooled session, upstream calls and error mapping.

One :class:`aiohttp.ClientSession` per provider (built by :func:`create_session`) keeps
connections alive and pooled. :class:`Upstream` makes the calls and translates every failure into
the :mod:`confiance.errors` tree the gateway's retry and fallback logic reads:

=============================================  ==========================
what happened                                  raised
=============================================  ==========================
answer with a non-2xx status                   ``ProviderHTTPError``
connection refused, reset, dropped mid-body    ``ProviderConnectionError``
no answer (or no next stream chunk) in time    ``ProviderTimeout``
2xx whose body is not the promised format      ``ProviderProtocolError``
=============================================  ==========================

Messages name the provider and quote the vendor's own error message; the API key, and any
piece of 8 or more characters of it, is scrubbed from every message, body excerpt and answer,
whatever the vendor echoes back (:mod:`confiance.providers.keyscrub`).

Redirects are never followed (``allow_redirects=False`` on every call): a 3xx answer is a
``ProviderHTTPError`` that is not retried, so no credential header (``Authorization``,
``x-api-key``, ``api-key``, ``x-goog-api-key``) is ever sent to an address other than the
configured ``base_url``.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import cast
from urllib.parse import urlsplit

import aiohttp
import orjson

from confiance import __version__
from confiance.config.schema import ProviderConfig, TimeoutConfig
from confiance.domain.types import JSONObject
from confiance.errors import (
    ProviderConnectionError,
    ProviderError,
    ProviderHTTPError,
    ProviderProtocolError,
    ProviderTimeout,
)
from confiance.providers.base import StreamItem
from confiance.providers.keyscrub import KeyScrubber
from confiance.providers.sse import ChunkTranslator, SSEDecoder, VendorStreamError

__all__ = [
    "ERROR_BODY_LIMIT",
    "Upstream",
    "create_session",
    "one_at_a_time",
    "parse_retry_after",
    "vendor_message",
]

ERROR_BODY_LIMIT = 2048
"""Bytes of an error body kept on ``ProviderHTTPError.body``."""

_USER_AGENT = f"confiance/{__version__}"
_DNS_CACHE_SECONDS = 300
_KEEPALIVE_SECONDS = 30.0
_MESSAGE_LIMIT = 500
_GOOGLE_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def create_session(
    config: ProviderConfig, *, connect_timeout: float | None = None
) -> aiohttp.ClientSession:
    """The one pooled session a provider's adapter uses. Call inside the running event loop;
    the caller owns it and closes it at shutdown.

    ``max_connections`` bounds the pool; the TCP connect timeout comes from ``connect_timeout``,
    else the provider's ``timeouts.connect``. No total timeout is set here: each call carries
    its own deadline (the gateway's per-attempt timeout).
    """
    if connect_timeout is None:
        connect_timeout = (config.timeouts or TimeoutConfig()).connect
    connector = aiohttp.TCPConnector(
        limit=config.max_connections,
        limit_per_host=0,
        ttl_dns_cache=_DNS_CACHE_SECONDS,
        keepalive_timeout=_KEEPALIVE_SECONDS,
    )
    # sock_connect bounds the handshake only; `connect` would also count the wait for a free
    # pooled connection, which is the attempt deadline's business.
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout)
    # One session serves every caller of the provider: a cookie a vendor (or a balancer in front
    # of it) sets on one caller's answer must never ride along on the next caller's request.
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=timeout,
        headers={"user-agent": _USER_AGENT},
        raise_for_status=False,
    )


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait before retrying, from ``retry-after-ms`` (OpenAI, Azure) or
    ``Retry-After`` (delay-seconds or HTTP-date). ``headers`` must look names up
    case-insensitively (aiohttp's do). None when absent or unreadable."""
    millis = _finite(headers.get("retry-after-ms"))
    if millis is not None:
        return max(0.0, millis / 1000.0)
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _finite(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def vendor_message(body: bytes) -> str:
    """The human-readable error message in a vendor error body (OpenAI, Anthropic, Gemini,
    FastAPI-style ``detail``, plain text), shortened to one line."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace")
        return _one_line(text) if text.strip() else "(empty body)"
    message = _find_message(data)
    return _one_line(message if message is not None else body.decode("utf-8", "replace"))


def _find_message(data: object) -> str | None:
    if isinstance(data, list) and data:
        return _find_message(data[0])  # Gemini wraps stream errors in an array
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return None
    for key in ("error", "message", "detail"):
        value = data.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and (found := _find_message(value)) is not None:
            return found
        if key == "detail" and isinstance(value, list) and value:
            first = value[0]
            return str(first.get("msg", first)) if isinstance(first, dict) else str(first)
    return None


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "…"


def _retry_after_from_body(body: bytes) -> float | None:
    """Google APIs put the delay in the body (``RetryInfo.retryDelay: "30s"``), not a header."""
    if b"retryDelay" not in body:
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    error = (data[0] if isinstance(data, list) and data else data) or {}
    details = error.get("error", {}).get("details", []) if isinstance(error, dict) else []
    for detail in details if isinstance(details, list) else []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        if isinstance(delay, str) and (match := _GOOGLE_DELAY.match(delay)):
            return float(match.group(1))
    return None


async def one_at_a_time(batches: AsyncIterator[list[StreamItem]]) -> AsyncIterator[JSONObject]:
    """The chunks of :meth:`Upstream.batches` one by one (for ``Provider.stream``; the
    translator must not be a raw one, so every chunk is parsed)."""
    try:
        async for batch in batches:
            for chunk in batch:
                yield cast(JSONObject, chunk)
    finally:
        await batches.aclose()  # type: ignore[attr-defined]


class Upstream:
    """One provider's calls over its shared session.

    ``name`` labels every error message. Every substring of 8 or more characters of
    ``secret`` (the API key) is scrubbed from error messages and bodies and from the answers
    themselves (each body, each read of a stream), whatever the vendor echoes back.
    """

    __slots__ = ("_scrubber", "_session", "name")

    def __init__(self, name: str, session: aiohttp.ClientSession, secret: str | None) -> None:
        self.name = name
        self._session = session
        self._scrubber = KeyScrubber([secret])

    async def post_json(
        self, url: str, payload: bytes, headers: Mapping[str, str], timeout: float
    ) -> JSONObject:
        """POSTs ``payload`` and returns the JSON object answered, all within ``timeout``."""
        try:
            async with (
                asyncio.timeout(timeout),
                self._session.post(
                    url, data=payload, headers=headers, allow_redirects=False
                ) as response,
            ):
                body = await response.read()
        except TimeoutError as error:
            raise ProviderTimeout(f"{self.name}: no answer within {timeout:g}s") from error
        except (aiohttp.ClientError, OSError) as error:
            raise self.transport_error(error) from error
        if not 200 <= response.status < 300:
            raise self.http_error(response.status, response.headers, body)
        return self.parse_object(self._scrubber.scrub_bytes(body), response.status)

    async def batches(
        self,
        url: str,
        payload: bytes,
        headers: Mapping[str, str],
        timeout: float,
        translator: ChunkTranslator,
    ) -> AsyncIterator[list[StreamItem]]:
        """POSTs ``payload`` and yields the translated chunks of the event stream answered, one
        non-empty list per read from the network (so the relay makes one write of them).

        ``timeout`` bounds the wait for the first chunk and every gap between chunks (time the
        consumer spends between chunks does not count). Closing the iterator early (``aclose``,
        or a cancelled consumer) closes the upstream connection so the vendor stops generating.
        A read whose events end in an error yields the chunks before the error first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        response: aiohttp.ClientResponse | None = None
        yielded = False
        complete = False
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._session.post(
                    url, data=payload, headers=headers, allow_redirects=False
                )
                if not 200 <= response.status < 300:
                    body = await response.read()
                    raise self.http_error(response.status, response.headers, body)
            decoder = SSEDecoder()
            content = response.content
            finished = False
            while not finished:
                async with asyncio.timeout_at(deadline):
                    data = self._scrubber.scrub_bytes(await content.readany())
                batch: list[StreamItem] = []
                try:
                    for event in decoder.feed(data) if data else decoder.close():
                        batch += translator.feed(event)
                        if translator.done:
                            break
                    finished = translator.done or not data
                    if finished:
                        batch += translator.finish()
                except (VendorStreamError, ValueError):
                    if batch:
                        yield batch
                    raise
                if batch:
                    yielded = True
                    yield batch
                    deadline = loop.time() + timeout
            complete = True
        except TimeoutError as error:
            what = "stalled: no chunk for" if yielded else "sent no first chunk within"
            raise ProviderTimeout(f"{self.name}: stream {what} {timeout:g}s") from error
        except VendorStreamError as error:
            body = self._scrub_bytes(error.body[:ERROR_BODY_LIMIT])
            message = f"{self.name}: error in stream: {self._scrub(error.message)}"
            raise ProviderHTTPError(message, status=error.status, body=body) from error
        except ValueError as error:  # SSEFormatError, JSON decoding: the vendor sent garbage
            message = f"{self.name}: malformed event stream: {self._scrub(str(error))}"
            raise ProviderProtocolError(message) from error
        except (aiohttp.ClientError, OSError) as error:
            raise self.transport_error(error) from error
        finally:
            if response is not None:
                # A fully read body returns its connection to the pool; anything else (early
                # close, error) must drop the connection so the upstream sees the disconnect.
                response.release() if complete else response.close()

    def http_error(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderHTTPError:
        """The error for a non-2xx answer: status, parsed Retry-After, first 2KB of the body."""
        if 300 <= status < 400:
            return self._redirect_error(status, headers)
        retry_after = parse_retry_after(headers)
        if retry_after is None and status == 429:
            retry_after = _retry_after_from_body(body)
        message = self._scrub(vendor_message(body))
        return ProviderHTTPError(
            f"{self.name} answered HTTP {status}: {message}",
            status=status,
            retry_after=retry_after,
            body=self._scrub_bytes(body[:ERROR_BODY_LIMIT]),
        )

    def _redirect_error(self, status: int, headers: Mapping[str, str]) -> ProviderHTTPError:
        """A redirect is never followed: the request (and its key) would go to wherever the
        vendor, or whoever sits in front of it, points. Names only the target's origin."""
        target = urlsplit(headers.get("location", ""))
        where = f" to {target.scheme}://{target.netloc.rpartition('@')[2]}" if target.netloc else ""
        message = (
            f"{self.name} answered HTTP {status} (a redirect{where}); redirects are not "
            "followed, so the API key is never sent elsewhere: set the provider's base_url to "
            "the address that answers"
        )
        return ProviderHTTPError(self._scrub(message), status=status)

    def transport_error(self, error: BaseException) -> ProviderError:
        """Maps an aiohttp/OS failure (no usable HTTP answer) to the error tree."""
        detail = self._scrub(str(error) or type(error).__name__)
        if isinstance(error, TimeoutError):
            return ProviderTimeout(f"{self.name}: timed out connecting: {detail}")
        if isinstance(error, aiohttp.ClientPayloadError):
            return ProviderConnectionError(f"{self.name}: connection dropped mid-answer: {detail}")
        if isinstance(error, aiohttp.ClientResponseError):
            return ProviderProtocolError(f"{self.name}: answer is not valid HTTP: {detail}")
        if isinstance(error, aiohttp.ServerDisconnectedError):
            return ProviderConnectionError(f"{self.name}: server closed the connection: {detail}")
        return ProviderConnectionError(f"{self.name}: connection failed: {detail}")

    def parse_object(self, body: bytes, status: int) -> JSONObject:
        """Decodes a success body that must be one JSON object."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            preview = self._scrub(_one_line(body[:200].decode("utf-8", "replace")))
            raise ProviderProtocolError(
                f"{self.name} answered HTTP {status} with a body that is not JSON: {preview!r}"
            ) from error
        if not isinstance(data, dict):
            raise ProviderProtocolError(
                f"{self.name} answered HTTP {status} with JSON that is not an object "
                f"({type(data).__name__})"
            )
        return data

    def protocol_error(self, what: str) -> ProviderProtocolError:
        """A 2xx body that parsed but is not the vendor's documented shape."""
        return ProviderProtocolError(f"{self.name}: unexpected answer: {self._scrub(what)}")

    def _scrub(self, text: str) -> str:
        return self._scrubber.scrub(text)

    def _scrub_bytes(self, data: bytes) -> bytes:
        return self._scrubber.scrub_bytes(data)
