"""Mass assignment of request data into models."""
from fastapi import FastAPI
from flask import Flask, request
from pydantic import BaseModel, ConfigDict

from .db import Session, User

app = Flask(__name__)
api = FastAPI()


@app.post("/users")
def create_user():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    user = User(**request.json)  # expect: CF-PY-MASS-ASSIGNMENT
    Session().add(user)
    return "created"


@app.post("/users/<int:user_id>")
def update_user(user_id):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    user = Session().get(User, user_id)
    user.__dict__.update(request.form)  # expect: CF-PY-MASS-ASSIGNMENT
    for key, value in request.json.items():
        setattr(user, key, value)  # expect: CF-PY-MASS-ASSIGNMENT
    User.objects.filter(id=user_id).update(**request.get_json())  # expect: CF-PY-MASS-ASSIGNMENT
    return "updated"


@app.post("/users/explicit")
def create_explicit():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    data = request.json
    user = User(name=data["name"], email=data["email"])  # ok: CF-PY-MASS-ASSIGNMENT
    Session().add(user)
    return "created"


class UserIn(BaseModel):
    name: str
    email: str


class StrictUserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    email: str


@api.post("/api/users")
def api_create(payload: UserIn):
    return User(**payload.model_dump())  # expect: CF-PY-MASS-ASSIGNMENT


@api.post("/api/users/strict")
def api_create_strict(payload: StrictUserIn):
    return User(**payload.model_dump())  # ok: CF-PY-MASS-ASSIGNMENT


@app.post("/validate")
def validate():
    checked = UserIn(**request.json)  # ok: CF-PY-MASS-ASSIGNMENT
    return {"name": checked.name}
