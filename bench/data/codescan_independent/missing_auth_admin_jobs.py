# labels: CWE-306
"""Maintenance endpoints for the ops team."""

import subprocess

from fastapi import FastAPI

app = FastAPI()


@app.post("/maintenance/clear-cache")
def clear_cache():
    subprocess.run(["redis-cli", "FLUSHALL"], check=True)
    return {"cleared": True}
