"""The management API application: FastAPI, admin keys only, mounted by the gateway at ``/api``.

    api = create_api(services)
    resource = ASGIResource(api, root_path="/api")   # paths inside are /routes, /keys, ...

The app is served at ``/api/openapi.json`` and ``/api/docs`` once mounted (those two need no
key); every other endpoint needs an admin key.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from confiance import __version__
from confiance.api import audit, evals, keys, revisions, routes, traces
from confiance.api.auth import AdminAuthenticator
from confiance.api.deps import ApiState, ApplyHook, require_admin
from confiance.api.docs_page import ApiDocs
from confiance.api.errors import install_error_handlers
from confiance.api.guard import RequestGuard
from confiance.app import Services

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_api"]

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
"""Room for the largest config a revision may hold (1 MiB) once JSON-escaped."""

_DESCRIPTION = """\
Manage a Confiance gateway: its routes and config revisions, API keys, the traces of requests,
and the tamper-evident audit trail.

Every endpoint needs an **admin** key: `Authorization: Bearer cf-...` (create one with
`confiance keys create --role admin`). Errors answer
`{"error": {"message": ..., "type": ..., "code": ...}}` with the matching HTTP status.
"""

_TAGS = [
    {"name": "routes", "description": "Routes of the latest revision, history and rollback."},
    {"name": "revisions", "description": "Stored config revisions; apply a new config."},
    {"name": "keys", "description": "API keys: create (secret shown once), list, revoke."},
    {"name": "traces", "description": "One record per gateway request, newest first."},
    {"name": "audit", "description": "The hash-chained audit trail and its verification."},
    {"name": "evals", "description": "Eval runs, their reports, and comparisons of two runs."},
]


def create_api(
    services: Services,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    apply_change: ApplyHook | None = None,
) -> FastAPI:
    """The management API over ``services`` (which the caller opens and closes).

    Request bodies over ``max_body_bytes`` are refused with 413. ``apply_change`` applies a
    config with its routes' regression suites (the gateway provides it); without it,
    ``POST /config`` stores the revision directly.
    """
    api = FastAPI(
        title="Confiance management API",
        version=__version__,
        description=_DESCRIPTION,
        openapi_tags=_TAGS,
        dependencies=[Depends(require_admin)],
        # FastAPI's own pages load their scripts from a public CDN: ours come from the package.
        docs_url=None,
        redoc_url=None,
    )
    # Plain routes: the app-wide admin dependency applies to FastAPI routes only.
    api.router.routes.extend(ApiDocs(api.title).routes())
    auth = AdminAuthenticator(services.store, services.clock)
    api.state.confiance = ApiState(services=services, auth=auth, apply_change=apply_change)
    install_error_handlers(api)
    for module in (routes, revisions, keys, traces, audit, evals):
        api.include_router(module.router)
    api.add_middleware(RequestGuard, max_body_bytes=max_body_bytes)
    return api
