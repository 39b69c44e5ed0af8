# labels: none
"""Job runner service: execute() runs a plan object, not SQL."""

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from .auth import get_current_user
from .planner import PlanService

app = FastAPI()
service = PlanService()


class PlanRequest(BaseModel):
    steps: list[str]


@app.post("/plans")
async def run_plan(body: PlanRequest, user=Depends(get_current_user)):
    result = await service.execute(body.steps)
    return {"result": result}
