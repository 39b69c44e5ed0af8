"""What every endpoint depends on: the services, and the admin key making the request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from confiance.api.auth import AdminAuthenticator
from confiance.app import Services
from confiance.config.load import LoadedConfig
from confiance.control.revisions import ApplyResult
from confiance.domain.keys import ApiKey
from confiance.domain.types import JSONObject

__all__ = ["Admin", "ApiState", "ApplyHook", "State", "author_of", "require_admin"]

# Declared for the OpenAPI document (the "Authorize" button of /api/docs); the header itself is
# checked by AdminAuthenticator, which gives more precise errors than HTTPBearer would.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminKey",
    description="An admin API key: `Authorization: Bearer cf-...`.",
)


ApplyHook = Callable[
    [LoadedConfig, str, str], Awaitable[tuple[ApplyResult | None, list[JSONObject]]]
]
"""Applies a loaded config as (author, message): the result (None when a regression gate
refused it) and the regression outcomes as JSON. Given by the gateway, which can start a
candidate gateway to run gate-mode suites before the change goes live."""


@dataclass(frozen=True, slots=True)
class ApiState:
    """Held on ``app.state.confiance`` by :func:`confiance.api.create_api`."""

    services: Services
    auth: AdminAuthenticator
    apply_change: ApplyHook | None = None


def _state(request: Request) -> ApiState:
    state: ApiState = request.app.state.confiance
    return state


async def require_admin(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> ApiKey:
    """The active admin key of the request; 401 / 403 otherwise."""
    return await _state(request).auth.admin(request.headers.get("authorization"))


State = Annotated[ApiState, Depends(_state)]
Admin = Annotated[ApiKey, Depends(require_admin)]


def author_of(key: ApiKey) -> str:
    """How a change made with ``key`` names its author in revisions and audit events."""
    return f"{key.id} ({key.name})"
