# labels: CWE-918
"""Let customers test their webhook endpoint."""

import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from .auth import get_current_user

app = FastAPI()


class WebhookTest(BaseModel):
    target: str


@app.post("/webhooks/test")
async def test_webhook(body: WebhookTest, user=Depends(get_current_user)):
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(body.target, json={"event": "ping"})
    return {"status": response.status_code}
