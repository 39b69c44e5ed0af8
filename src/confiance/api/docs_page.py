"""The interactive API documentation at ``/api/docs``: Swagger UI served from the package.

FastAPI's own docs page loads Swagger UI from a public CDN and starts it with an inline script,
on the page where admins paste their key. Here every byte comes from this server: the Swagger UI
bundle and stylesheet from the ``swagger-ui-py`` package (a Swagger UI 5 release, which reads
the OpenAPI 3.1 documents FastAPI writes; Apache-2.0, the licence ships beside the files), and a
small start-up script of ours, so the page's Content Security Policy names no origin
but its own and allows no inline script. The files are read once and served from memory (only
names known at start-up, so there is no path to traverse).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["DOCS_CSP", "ApiDocs"]

DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The docs page's policy: its own origin only, no inline script or style."""

_HEADERS = {
    "Content-Security-Policy": DOCS_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

_VENDOR_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}

# The page's script: start Swagger UI on the document this server describes. The validator
# badge is off (it would send the document to a public validator service).
_INIT_JS = b"""\
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="{root}/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{root}/openapi.json"></div>
<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{root}/docs/assets/init.js"></script>
</body>
</html>
"""


@dataclass(frozen=True, slots=True)
class _Asset:
    body: bytes
    media_type: str
    etag: str


def _asset(body: bytes, media_type: str) -> _Asset:
    return _Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _release() -> Traversable:
    """The Swagger UI release the ``swagger-ui-py`` package ships."""
    return files("swagger_ui").joinpath("static")


class ApiDocs:
    """The docs page and its assets, for the API titled ``title``."""

    def __init__(self, title: str) -> None:
        self._title = title
        release = _release()
        assets = {
            name: _asset(release.joinpath(name).read_bytes(), media)
            for name, media in _VENDOR_FILES.items()
        }
        assets["init.js"] = _asset(_INIT_JS, "text/javascript; charset=utf-8")
        self._assets = MappingProxyType(assets)

    async def page(self, request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        body = _PAGE.format(title=escape(self._title), root=escape(root))
        return HTMLResponse(body, headers={**_HEADERS, "Cache-Control": "no-cache"})

    async def asset(self, request: Request) -> Response:
        """One asset (304 when the browser's copy is current); 404 for any other name."""
        asset = self._assets.get(request.path_params["name"])
        if asset is None:
            raise HTTPException(404)
        headers = {**_HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/docs", self.page, methods=["GET"], include_in_schema=False),
            Route("/docs/assets/{name}", self.asset, methods=["GET"], include_in_schema=False),
        ]
