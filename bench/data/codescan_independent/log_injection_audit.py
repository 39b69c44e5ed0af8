# labels: CWE-117
"""Audit trail for failed logins."""

import logging

from fastapi import FastAPI, Form

app = FastAPI()
audit = logging.getLogger("audit")


@app.post("/auth/login")
def login(username: str = Form(...), password: str = Form(...)):
    audit.warning("Failed login for user " + username)
    return {"error": "invalid credentials"}
