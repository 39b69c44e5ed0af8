# labels: CWE-22
"""Show log files to operators."""

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse

from .security import require_operator

app = FastAPI()
LOG_ROOT = "/var/log/app/"


@app.get("/logs/{name}", response_class=PlainTextResponse)
def read_log(name: str, operator=Depends(require_operator)):
    with open(LOG_ROOT + name) as handle:
        return handle.read()[-10000:]
