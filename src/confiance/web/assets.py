"""The UI's static files (stylesheet, script, icon), read once and served from memory.

There are three small files, so holding them is cheaper than opening files per request, and
serving only names known at start-up leaves no path to traverse. (Starlette's ``StaticFiles``
is not used: its file response polls ``receive`` for a disconnect, which spins forever under
the aiohttp ASGI bridge the gateway mounts the UI with.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Asset", "StaticAssets"]

_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


class StaticAssets:
    """Every file of ``confiance/web/static`` with a known type, by name."""

    def __init__(self) -> None:
        found: dict[str, Asset] = {}
        for entry in files("confiance.web").joinpath("static").iterdir():
            suffix = "." + entry.name.rpartition(".")[2]
            if entry.is_file() and suffix in _TYPES:
                body = entry.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
                found[entry.name] = Asset(body, _TYPES[suffix], etag)
        self._assets = MappingProxyType(found)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._assets)

    async def serve(self, request: Request) -> Response:
        """The file ``name`` (304 when the browser's copy is current); 404 for any other name."""
        asset = self._assets.get(request.path_params["name"])
        if asset is None:
            raise HTTPException(404)
        # Revalidate on each use (cheap: a 304) so a new version is picked up at once.
        headers = {"ETag": asset.etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    def route(self) -> Route:
        return Route("/static/{name}", self.serve, methods=["GET"], name="static")
