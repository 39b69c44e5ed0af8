"""Browser sessions: a signed cookie holding a session id, the signed-in key's id and flashes.

The cookie never holds a key secret. It is signed (itsdangerous, HMAC-SHA1 over a key derived
from the process secret) so it cannot be forged or edited, ``HttpOnly`` (scripts cannot read
it), ``SameSite=Lax`` (not sent on cross-site POSTs), ``Secure`` on https requests (directly or
through a trusted proxy's ``X-Forwarded-Proto``), and scoped to the UI's path. A signed-in
session is valid only while its server-side record is (:mod:`confiance.web.session_records`):
sign-out, the idle timeout and the absolute lifetime end it on every worker at once.

Each session has a random id; the CSRF token of every form is an HMAC of that id under the
process secret, so it is bound to the session and changes at every sign-in (the id is rotated
then, which also defeats session fixation).

The secret comes from ``CONFIANCE_SECRET_KEY``. Without it a random secret is drawn for this
process, with a warning: sessions then end when the process restarts, and with several workers
a session only works on the worker that created it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from http.cookies import CookieError, SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confiance.errors import ConfigError
from confiance.web.session_records import Ended, SessionRecords

__all__ = [
    "COOKIE_NAME",
    "MIN_SECRET_CHARS",
    "SECRET_ENV",
    "Flash",
    "FlashLevel",
    "Session",
    "SessionCodec",
    "SessionMiddleware",
    "resolve_secret",
    "session_of",
]

log = logging.getLogger(__name__)

COOKIE_NAME = "confiance_session"
SECRET_ENV = "CONFIANCE_SECRET_KEY"  # noqa: S105 - the variable's name, not a secret
MIN_SECRET_CHARS = 32
_SCOPE_KEY = "confiance.session"
_SALT = "confiance.web.session"
_MAX_FLASHES = 5


class FlashLevel(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Flash:
    """A one-time message shown on the next page rendered."""

    level: FlashLevel
    text: str


@dataclass(slots=True)
class Session:
    """The state of one browser. ``key_id`` is ``None`` until sign-in; ``started_at`` is
    when the session (for a signed-in one: the sign-in) began."""

    sid: str
    started_at: datetime
    key_id: str | None = None
    flashes: list[Flash] = field(default_factory=list)
    modified: bool = False

    @classmethod
    def new(cls, now: datetime) -> Session:
        return cls(sid=secrets.token_urlsafe(18), started_at=now, modified=True)

    def sign_in(self, key_id: str, now: datetime) -> None:
        """Start a signed-in session for ``key_id`` under a new id (and so a new CSRF token)."""
        self.sid, self.key_id, self.started_at = secrets.token_urlsafe(18), key_id, now
        self.modified = True

    def sign_out(self, now: datetime) -> None:
        """Forget the key; the browser keeps an anonymous session (for flashes and login)."""
        self.sid, self.key_id, self.started_at = secrets.token_urlsafe(18), None, now
        self.modified = True

    def flash(self, level: FlashLevel, text: str) -> None:
        self.flashes = [*self.flashes, Flash(level, text)][-_MAX_FLASHES:]
        self.modified = True

    def pop_flashes(self) -> list[Flash]:
        flashes, self.flashes = self.flashes, []
        if flashes:
            self.modified = True
        return flashes


def session_of(scope: Scope) -> Session:
    """The session :class:`SessionMiddleware` attached to this request."""
    session: Session = scope[_SCOPE_KEY]
    return session


def resolve_secret(env: Mapping[str, str]) -> str:
    """The session secret from ``CONFIANCE_SECRET_KEY``, or a random one for this process
    (logged as a warning). Raises :class:`ConfigError` for a secret that is too short."""
    secret = env.get(SECRET_ENV, "")
    if not secret:
        log.warning(
            "%s is not set: web UI sessions are signed with a random per-process secret, so "
            "they end when the server restarts and do not work across several workers; set it "
            "to a random string of at least %d characters",
            SECRET_ENV,
            MIN_SECRET_CHARS,
        )
        return secrets.token_urlsafe(32)
    if len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"{SECRET_ENV} is {len(secret)} characters long; use at least {MIN_SECRET_CHARS} "
            "random characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return secret


class SessionCodec:
    """Signs and checks session cookies, and derives CSRF tokens, with one secret."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)
        self._csrf_key = hashlib.sha256(b"confiance.web.csrf\0" + secret.encode()).digest()

    def dumps(self, session: Session) -> str:
        payload = {
            "s": session.sid,
            "t": session.started_at.timestamp(),
            "k": session.key_id,
            "f": [[flash.level.value, flash.text] for flash in session.flashes],
        }
        return str(self._serializer.dumps(payload))

    def loads(self, token: str) -> Session | None:
        """The session in a cookie value; ``None`` when it is forged, edited or malformed."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            return None
        return _session(payload)

    def csrf_token(self, session: Session) -> str:
        return hmac.new(self._csrf_key, session.sid.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, session: Session, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)


def _session(payload: Any) -> Session | None:
    if not isinstance(payload, dict):
        return None
    sid, started, key_id, flashes = (payload.get(k) for k in ("s", "t", "k", "f"))
    if not isinstance(sid, str) or not isinstance(started, int | float):
        return None
    if key_id is not None and not isinstance(key_id, str):
        return None
    try:
        parsed = [Flash(FlashLevel(level), str(text)) for level, text in flashes or []]
    except (TypeError, ValueError):
        return None
    return Session(sid, datetime.fromtimestamp(started, UTC), key_id, parsed)


class SessionMiddleware:
    """Loads the session from the cookie into the request scope and writes it back (as a
    ``Set-Cookie`` header) when the request changed it.

    A missing, invalid or expired cookie gives a fresh anonymous session. A signed-in session
    is valid only while its server-side record is (``records``, see
    :mod:`confiance.web.session_records`): signed out, idle or past its lifetime, the browser
    gets a fresh anonymous session with a flash saying why. The cookie is ``Secure`` when the
    request came over https, directly or through one of ``trusted_proxies`` (addresses or
    networks) saying so with ``X-Forwarded-Proto``.
    """

    def __init__(
        self,
        app: ASGIApp,
        codec: SessionCodec,
        clock: Callable[[], datetime],
        records: SessionRecords,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        self.app = app
        self._codec = codec
        self._clock = clock
        self._records = records
        self._proxies = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = await self._load(scope, self._clock())
        scope[_SCOPE_KEY] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", self._cookie(scope, session, self._clock()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _load(self, scope: Scope, now: datetime) -> Session:
        token = _cookie_value(scope)
        session = self._codec.loads(token) if token else None
        if session is None:
            return Session.new(now)
        lifetime = self._records.lifetime
        if now - session.started_at >= lifetime or session.started_at > now + timedelta(minutes=5):
            return _ended(now, session, _EXPIRED_TEXT.format(_hours(lifetime)))
        if session.key_id is not None:
            ended = await self._records.check(session.sid, session.key_id)
            if ended is not None:
                return _ended(now, session, self._ended_text(ended))
        return session

    def _ended_text(self, ended: Ended) -> str:
        if ended is Ended.IDLE:
            minutes = round(self._records.idle.total_seconds() / 60)
            return f"Your session ended after {minutes} minutes without activity; sign in again."
        if ended is Ended.EXPIRED:
            return _EXPIRED_TEXT.format(_hours(self._records.lifetime))
        return "Your session has ended; sign in again."

    def _cookie(self, scope: Scope, session: Session, now: datetime) -> str:
        remaining = self._records.lifetime - (now - session.started_at)
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE_NAME] = self._codec.dumps(session)
        morsel = cookie[COOKIE_NAME]
        morsel["path"] = scope.get("root_path") or "/"
        morsel["max-age"] = str(max(int(remaining.total_seconds()), 0))
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if self._https(scope):
            morsel["secure"] = True
        return morsel.OutputString()

    def _https(self, scope: Scope) -> bool:
        """Whether the browser's request came over https: to this server, or to a trusted
        proxy that says so (``X-Forwarded-Proto`` from anyone else is ignored)."""
        if scope.get("scheme") == "https":
            return True
        client = scope.get("client")
        if not self._proxies or not client or not client[0]:
            return False
        try:
            peer = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        if not any(peer in network for network in self._proxies):
            return False
        # The nearest proxy (the trusted one) appends its value last.
        forwarded = _header(scope, b"x-forwarded-proto")
        return forwarded is not None and forwarded.split(",")[-1].strip().lower() == "https"


_EXPIRED_TEXT = "Your session expired after {} hours; sign in again."


def _hours(lifetime: timedelta) -> str:
    return f"{lifetime.total_seconds() / 3600:g}"


def _ended(now: datetime, old: Session, text: str) -> Session:
    fresh = Session.new(now)
    if old.key_id is not None:
        fresh.flash(FlashLevel.INFO, text)
    return fresh


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _cookie_value(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name != b"cookie":
            continue
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(value.decode("latin-1"))
        except CookieError:  # a malformed Cookie header counts as no cookie at all
            continue
        if COOKIE_NAME in cookie:
            return cookie[COOKIE_NAME].value
    return None
