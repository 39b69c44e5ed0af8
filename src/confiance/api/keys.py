"""``/keys``: list, create (the secret is answered once) and revoke API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from confiance.api.deps import Admin, State, author_of
from confiance.api.errors import error_responses
from confiance.domain.keys import ApiKey, Role

__all__ = ["router"]

router = APIRouter(prefix="/keys", tags=["keys"], responses=error_responses(401, 403))


class KeyOut(BaseModel):
    """A stored key: never its secret, never the secret's hash."""

    id: str = Field(examples=["key_0f3a9c2e1b7d4a60"])
    name: str = Field(examples=["support-backend"])
    prefix: str = Field(description="The public start of the secret.", examples=["cf-1a2b3c4d"])
    role: Role
    routes: list[str] = Field(description="Routes it may call; empty: all its role allows.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool = Field(description="Neither revoked nor expired.")

    @classmethod
    def of(cls, key: ApiKey, now: datetime) -> KeyOut:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            role=key.role,
            routes=list(key.routes),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            active=key.is_active(now),
        )


class KeyList(BaseModel):
    keys: list[KeyOut] = Field(description="In creation order.")


class KeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "support-backend",
                    "role": "app",
                    "routes": ["support-bot"],
                    "expires_at": "2030-01-01T00:00:00Z",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=100, description="Who or what uses the key.")
    role: Role
    routes: list[str] = Field(
        default_factory=list, max_length=1000, description="Routes it may call; empty: all."
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When it stops working (with a time zone); null: never."
    )


class CreatedKeyOut(BaseModel):
    key: KeyOut
    secret: str = Field(
        description="The key itself. Shown this once and never stored: keep it now.",
        examples=["cf-1a2b3c4d-<43 characters>"],
    )
    warnings: list[str] = Field(
        default_factory=list, description="E.g. routes the latest config does not define."
    )


@router.get("", summary="List API keys")
async def list_keys(
    state: State,
    include_revoked: Annotated[bool, Query(description="Include revoked keys.")] = False,
) -> KeyList:
    """Keys in creation order (revoked ones only with ``include_revoked=true``)."""
    keys = await state.services.keys.list(include_revoked=include_revoked)
    now = state.services.clock()
    return KeyList(keys=[KeyOut.of(key, now) for key in keys])


@router.post(
    "",
    summary="Create an API key",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 413, 422),
)
async def create_key(body: KeyIn, state: State, admin: Admin) -> CreatedKeyOut:
    """Create a key and answer its secret. The secret is in this response only."""
    service = state.services.keys
    created = await service.create(
        body.name, body.role, body.routes, body.expires_at, author=author_of(admin)
    )
    unknown = await service.unknown_routes(body.routes)
    warnings = [
        f"route {route!r} is not defined in the latest config (the key can call it once it is)"
        for route in unknown
    ]
    key = KeyOut.of(created.key, state.services.clock())
    return CreatedKeyOut(key=key, secret=created.secret, warnings=warnings)


@router.delete(
    "/{key_id}",
    summary="Revoke an API key",
    responses=error_responses(404, 409),
)
async def revoke_key(
    key_id: Annotated[str, Path(description="The key's id or its public prefix (cf-…).")],
    state: State,
    admin: Admin,
) -> KeyOut:
    """Revoke a key now: it stops working at once, here and on the gateway. 409 when it was
    already revoked. Keys are never deleted, so the audit trail keeps naming them."""
    key = await state.services.keys.revoke(key_id, author=author_of(admin))
    return KeyOut.of(key, state.services.clock())
