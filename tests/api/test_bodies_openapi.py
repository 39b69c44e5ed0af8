"""Bad request bodies (size, encoding, JSON, fields) and the OpenAPI document."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from confiance.api import DEFAULT_MAX_BODY_BYTES

from .conftest import Api
from .support import config_yaml

JSON = {"Content-Type": "application/json"}


async def test_an_oversized_body_is_413_and_nothing_is_stored(
    api: Api, admin: httpx.AsyncClient
) -> None:
    padding = "#" * DEFAULT_MAX_BODY_BYTES
    response = await admin.post("/config", json={"yaml": config_yaml() + padding})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert str(DEFAULT_MAX_BODY_BYTES) in error["message"]
    assert await api.services.store.revisions.latest_number() == 0


async def test_an_oversized_chunked_body_without_length_is_413(api: Api) -> None:
    """A body sent in chunks has no Content-Length: the limit counts the bytes as they come."""
    chunk = b"x" * 65536
    request = (
        b"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {api.admin_secret}\r\n".encode()
        + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    count = DEFAULT_MAX_BODY_BYTES // len(chunk) + 2
    port = int(api.base_url.split(":")[2].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        with contextlib.suppress(ConnectionError):  # the server may answer before the end
            for _ in range(count):
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        reply = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"payload_too_large" in reply


async def test_malformed_json_is_400_with_the_position(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/keys", content=b'{"name": "x",', headers=JSON)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json"
    assert "not valid JSON" in error["message"]
    assert "character" in error["message"]


async def test_invalid_utf8_is_400_naming_the_byte(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/keys", content=b'{"name": "\xff"}', headers=JSON)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_encoding"
    assert "0xff at offset 10" in error["message"]


async def test_wrong_shapes_are_422_naming_each_field(admin: httpx.AsyncClient) -> None:
    cases = [
        ("/config", [1, 2], "body"),
        ("/config", {"message": "no yaml"}, "body.yaml"),
        ("/config", {"yaml": "x", "dry_run": "perhaps"}, "body.dry_run"),
        ("/routes/support-bot/rollback", {"to": "three"}, "body.to"),
        ("/routes/support-bot/rollback", {"to": 0}, "body.to"),
        ("/routes/support-bot/rollback", {"to": 1, "force": True}, "body.force"),
    ]
    for path, body, field in cases:
        response = await admin.post(path, json=body)
        assert response.status_code == 422, (path, body, response.text)
        locations = [item["loc"] for item in response.json()["error"]["errors"]]
        assert field in locations, (body, locations)


async def test_a_bad_route_name_in_the_path_is_422(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/routes/bad%20name")
    assert response.status_code == 422
    assert response.json()["error"]["errors"][0]["loc"] == "path.name"


async def test_openapi_lists_every_path_with_tags_and_security(api: Api) -> None:
    response = await api.client(None).get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    expected = {
        "/routes": {"get"},
        "/routes/{name}": {"get"},
        "/routes/{name}/history": {"get"},
        "/routes/{name}/rollback": {"post"},
        "/revisions": {"get"},
        "/revisions/{number}": {"get"},
        "/config": {"post"},
        "/keys": {"get", "post"},
        "/keys/{key_id}": {"delete"},
        "/traces": {"get"},
        "/traces/{trace_id}": {"get"},
        "/audit": {"get"},
        "/audit/verify": {"get"},
        "/evals/runs": {"get"},
        "/evals/runs/{run_id}": {"get"},
        "/evals/runs/{run_id}/report": {"get"},
        "/evals/compare": {"get"},
    }
    paths = document["paths"]
    assert {path: set(operations) for path, operations in paths.items()} == expected
    assert document["servers"] == [{"url": "/api"}]
    assert {tag["name"] for tag in document["tags"]} == {
        "routes",
        "revisions",
        "keys",
        "traces",
        "audit",
        "evals",
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation["tags"], where
            assert operation["description"], where
            assert operation["security"] == [{"AdminKey": []}], where
            assert {"401", "403"} <= set(operation["responses"]), where
    schemas = document["components"]["schemas"]
    assert schemas["KeyIn"]["examples"][0]["role"] == "app"
    assert "ErrorBody" in schemas
