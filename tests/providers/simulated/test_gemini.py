"""The Gemini wire format over plain HTTP (aiohttp), as the REST API is documented."""

from __future__ import annotations

import json

import aiohttp
import jsonschema
from tests.providers.simulated.conftest import post_json

from confiance.providers.simulated import RunningSimulator

CONTENTS = [{"role": "user", "parts": [{"text": "Name three rivers in Europe."}]}]
FORECAST = {
    "name": "forecast",
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "city": {"type": "STRING"},
            "days": {"type": "INTEGER", "minimum": 2},
            "hourly": {"type": "BOOLEAN"},
        },
        "required": ["city", "days"],
    },
}


def lowered(schema: object) -> object:
    """Gemini's upper-case OpenAPI types, as JSON Schema for ``jsonschema``."""
    if isinstance(schema, dict):
        return {k: (v.lower() if k == "type" else lowered(v)) for k, v in schema.items()}
    return schema


def url(sim: RunningSimulator, model: str, method: str = "generateContent") -> str:
    return f"{sim.base_url}/v1beta/models/{model}:{method}"


async def test_generate_content_shape(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    body = {"contents": CONTENTS, "systemInstruction": {"parts": [{"text": "Be terse."}]}}
    status, answer, _ = await post_json(http, url(sim, "gemini-2.0-flash"), body)
    assert status == 200
    (candidate,) = answer["candidates"]
    assert candidate["finishReason"] == "STOP"
    assert candidate["content"]["role"] == "model"
    text = candidate["content"]["parts"][0]["text"]
    assert "rivers in Europe" in text
    usage = answer["usageMetadata"]
    assert usage["candidatesTokenCount"] >= len(text.split())
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]
    assert answer["modelVersion"] == "gemini-2.0-flash"
    _, plain, _ = await post_json(http, url(sim, "gemini-2.0-flash"), {"contents": CONTENTS})
    assert plain["usageMetadata"]["promptTokenCount"] < usage["promptTokenCount"]


async def test_generation_config(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    _, full, _ = await post_json(http, url(sim, "g"), {"contents": CONTENTS})
    text = full["candidates"][0]["content"]["parts"][0]["text"]
    config = {"maxOutputTokens": 3, "candidateCount": 2}
    _, cut, _ = await post_json(
        http, url(sim, "g"), {"contents": CONTENTS, "generationConfig": config}
    )
    assert [c["finishReason"] for c in cut["candidates"]] == ["MAX_TOKENS", "MAX_TOKENS"]
    assert text.startswith(cut["candidates"][0]["content"]["parts"][0]["text"])
    assert cut["usageMetadata"]["candidatesTokenCount"] == 6
    stop = text.split()[3]
    body = {"contents": CONTENTS, "generation_config": {"stop_sequences": [stop]}}
    _, stopped, _ = await post_json(http, url(sim, "g"), body)
    assert stop not in stopped["candidates"][0]["content"]["parts"][0]["text"]
    schema = {"type": "OBJECT", "properties": {"river": {"type": "STRING"}}, "required": ["river"]}
    config = {"responseMimeType": "application/json", "responseSchema": schema}
    _, structured, _ = await post_json(
        http, url(sim, "g"), {"contents": CONTENTS, "generationConfig": config}
    )
    document = json.loads(structured["candidates"][0]["content"]["parts"][0]["text"])
    jsonschema.validate(document, lowered(schema))  # type: ignore[arg-type]


async def test_function_calls_validate(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    body = {
        "contents": CONTENTS,
        "tools": [{"functionDeclarations": [FORECAST]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
    }
    _, answer, _ = await post_json(http, url(sim, "g"), body)
    (part,) = answer["candidates"][0]["content"]["parts"]
    call = part["functionCall"]
    assert call["name"] == "forecast"
    jsonschema.validate(call["args"], lowered(FORECAST["parameters"]))  # type: ignore[arg-type]
    replied = {
        **body,
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "contents": [
            *CONTENTS,
            {"role": "model", "parts": [part]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "forecast", "response": {"t": 3}}}],
            },
        ],
    }
    _, after, _ = await post_json(http, url(sim, "g"), replied)
    assert "text" in after["candidates"][0]["content"]["parts"][0]


async def test_streams_sse_and_json_array(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    _, whole, _ = await post_json(http, url(sim, "g"), {"contents": CONTENTS})
    expected = whole["candidates"][0]["content"]["parts"][0]["text"]
    stream_url = url(sim, "g", "streamGenerateContent")
    async with http.post(stream_url + "?alt=sse", json={"contents": CONTENTS}) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        events = [
            json.loads(line.removeprefix("data: "))
            for line in (await response.text()).split("\r\n\r\n")
            if line.startswith("data: ")
        ]
    async with http.post(stream_url, json={"contents": CONTENTS}) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        array = json.loads(await response.text())
    for chunks in (events, array):
        text = "".join(
            p.get("text", "") for c in chunks for p in c["candidates"][0]["content"]["parts"]
        )
        assert text == expected
        assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
        assert chunks[-1]["usageMetadata"] == whole["usageMetadata"]
    assert len(events) > 5


async def test_errors_in_gemini_shape(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    status, body, _ = await post_json(http, url(sim, "g"), {"contents": []})
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert body["error"]["code"] == 400
    status, body, _ = await post_json(http, url(sim, "g", "predict"), {"contents": CONTENTS})
    assert status == 400
    assert "generateContent" in body["error"]["message"]
    status, body, response = await post_json(
        http, url(sim, "g+fail-429+retry-after-2s"), {"contents": CONTENTS}
    )
    assert status == 429
    assert body["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert response.headers["Retry-After"] == "2"
    status, body, _ = await post_json(http, url(sim, "g+fail-503"), {"contents": CONTENTS})
    assert status == 503
    assert body["error"]["status"] == "UNAVAILABLE"
