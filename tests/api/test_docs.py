"""docs/api.md is complete (every endpoint) and its curl examples work against a real server."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from confiance.domain.trace import TraceStatus

from .conftest import Api
from .support import trace

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_PARAMETER = re.compile(r"\{[^}]*\}")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text("utf-8"), re.M | re.S)


async def test_every_endpoint_is_documented(api: Api) -> None:
    document = json.loads(await (await api.client(None).get("/openapi.json")).aread())
    text = DOC.read_text("utf-8")
    for path, operations in document["paths"].items():
        for method in operations:
            pattern = re.escape(f"`{method.upper()} /api{_PARAMETER.sub('{}', path)}`")
            # Path parameters may have friendlier names in the docs ({id} for {key_id}).
            pattern = pattern.replace(r"\{\}", r"\{[a-z_]+\}")
            assert re.search(pattern, text), f"{method.upper()} /api{path} is not in docs/api.md"


async def test_the_curl_examples_run(api: Api, tmp_path: Path) -> None:
    await api.services.store.traces.add_many(
        [trace(1), trace(2, status=TraceStatus.ERROR), trace(3, route="backup")]
    )
    script = "\n".join(_blocks("bash"))
    assert script.count("curl") >= 15
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "CONFIANCE_URL": api.base_url.removesuffix("/api"),
        "ADMIN_KEY": api.admin_secret,
    }
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-euo",
        "pipefail",
        "-c",
        script,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    output = stdout.decode()
    assert process.returncode == 0, f"{output}\n{stderr.decode()}"
    assert '"code":"invalid_api_key"' in output
    assert '"loc": "body.role"' in output
    assert '"applied": true' in output
    assert '"sim/fast"' in output
    assert "checkout app active=true" in output
    assert '"ids": [\n    "tr_0002"\n  ]' in output
    assert '"ok": true' in output
    assert "tampered" not in output
    assert await api.services.store.revisions.latest_number() == 1
    revoked = [key for key in await api.services.keys.list(True) if key.name == "checkout"]
    assert revoked[0].revoked_at is not None
