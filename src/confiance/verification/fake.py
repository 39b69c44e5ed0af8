"""Fake vendor endpoints for the verifier: one aiohttp server on loopback that answers every
identity call of :data:`~confiance.verification.vendors.CHECKS` the way the vendor does.

Keys in ``live`` are accepted; any other key is rejected the vendor's way (401, Slack's
``invalid_auth``, Google's ``API_KEY_INVALID``, STS's ``InvalidClientTokenId``); keys in ``hang``
get no answer at all. AWS requests are checked against the SigV4 signature of the pairs in
``aws``. Every request is recorded (path and the credential it carried) so tests can check what
was sent, how often, and how many were in flight at once.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

from aiohttp import web

from confiance.verification.gcp import rs256_valid
from confiance.verification.sigv4 import sign

__all__ = ["FakeVendors", "Seen"]

_CREDENTIAL = re.compile(r"Credential=(?P<id>[A-Z0-9]+)/")


@dataclass(frozen=True, slots=True)
class Seen:
    method: str
    path: str
    credential: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class FakeVendors:
    live: set[str] = field(default_factory=set)
    hang: set[str] = field(default_factory=set)
    aws: Mapping[str, str] = field(default_factory=dict)
    gcp: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _runner: web.AppRunner | None = None

    @classmethod
    def of(cls, live: Iterable[str], hang: Iterable[str] = (), aws: Mapping[str, str] | None = None,
           gcp: Mapping[str, tuple[int, int]] | None = None) -> FakeVendors:  # fmt: skip
        return cls(live=set(live), hang=set(hang), aws=dict(aws or {}), gcp=dict(gcp or {}))

    async def start(self) -> str:
        """Serve on 127.0.0.1 on a free port; returns the base URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _credential(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        match = _CREDENTIAL.search(auth)
        if match:
            return match.group("id")
        for header in ("x-api-key", "PRIVATE-TOKEN", "x-goog-api-key"):
            if header in request.headers:
                return request.headers[header]
        return auth.removeprefix("Bearer ").strip()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        key = self._credential(request)
        self.seen.append(Seen(request.method, request.path_qs, key,
                              tuple(request.headers.items()), body))  # fmt: skip
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if key in self.hang:
                await asyncio.sleep(3600)
            await asyncio.sleep(0.02)  # long enough for concurrent requests to overlap
            return self._answer(request, key, body)
        finally:
            self.in_flight -= 1

    def _answer(self, request: web.Request, key: str, body: bytes) -> web.Response:
        path = request.path
        if path == "/" and request.method == "POST":
            return self._sts(request, key, body)
        if path == "/token":
            return self._token(body)
        ok = key in self.live
        if path == "/api/auth.test":
            return web.json_response({"ok": True} if ok else {"ok": False, "error": "invalid_auth"})
        if path == "/v1/check-api-key":
            return web.json_response({"valid": ok})
        if ok:
            return web.json_response({"data": []})
        if path.startswith("/v1beta/"):
            error = {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                               "details": [{"reason": "API_KEY_INVALID"}]}}  # fmt: skip
            return web.json_response(error, status=400)
        return web.json_response({"error": "invalid key"}, status=401)

    def _token(self, body: bytes) -> web.Response:
        """Google's token endpoint: the assertion must be signed by a key on file."""
        form = parse_qs(body.decode())
        header, claims, signature = form.get("assertion", [".."])[0].split(".")
        email = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["iss"]
        public = self.gcp.get(email)
        signed = f"{header}.{claims}".encode()
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        if public is None or not rs256_valid(*public, signed, raw):
            return web.json_response({"error": "invalid_grant"}, status=400)
        return web.json_response({"access_token": secrets.token_urlsafe(24), "expires_in": 3599})

    def _sts(self, request: web.Request, key_id: str, body: bytes) -> web.Response:
        secret = self.aws.get(key_id)
        if secret is None:
            return web.Response(status=403, text="<Code>InvalidClientTokenId</Code>")
        when = datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        content = {"Content-Type": request.headers["Content-Type"]}
        url = f"http://{request.headers['Host']}/"
        when = when.replace(tzinfo=UTC)
        expected = sign("POST", url, content, body, access_key_id=key_id, secret_key=secret,
                        region="us-east-1", service="sts", now=when)  # fmt: skip
        if expected["Authorization"] != request.headers.get("Authorization"):
            return web.Response(status=403, text="<Code>SignatureDoesNotMatch</Code>")
        return web.Response(text="<GetCallerIdentityResult><Account>1</Account>")
