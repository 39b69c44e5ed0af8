"""A public API without any authentication: nothing to compare with, no finding (except admin)."""
from fastapi import FastAPI

app = FastAPI()


@app.get("/weather/{city}")
def weather(city: str):
    return {"city": city}


@app.post("/feedback")
def feedback(text: str):  # ok: CF-PY-MISSING-AUTH
    return {"thanks": True}


@app.get("/admin")
def admin_home():  # expect: CF-PY-MISSING-AUTH
    return {}
