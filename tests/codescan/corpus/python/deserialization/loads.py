"""Insecure deserialization and unsafe YAML."""
import json
import marshal
import pickle
import socket

import joblib
import torch
import yaml
from flask import Flask, request

app = Flask(__name__)


@app.post("/session")
def restore_session():
    state = pickle.loads(request.data)  # expect: CF-PY-DESERIALIZATION
    data = json.loads(request.data)  # ok: CF-PY-DESERIALIZATION
    config = yaml.safe_load(request.data)  # ok: CF-PY-UNSAFE-YAML
    print(state, data, config)
    return "ok"


@app.post("/import")
def import_settings():
    settings = yaml.load(request.files["cfg"].read(), Loader=yaml.Loader)  # expect: CF-PY-UNSAFE-YAML
    other = yaml.load(request.data, Loader=yaml.SafeLoader)  # ok: CF-PY-UNSAFE-YAML
    blob = marshal.loads(request.get_data())  # expect: CF-PY-DESERIALIZATION
    print(settings, other, blob)
    return "ok"


def listen(sock: socket.socket):
    payload = sock.recv(4096)
    return pickle.loads(payload)  # expect: CF-PY-DESERIALIZATION


def load_model(path):
    with open(path, "rb") as handle:
        model = pickle.load(handle)  # expect: CF-PY-DESERIALIZATION
    weights = torch.load(path, weights_only=True)  # ok: CF-PY-DESERIALIZATION
    return model, weights


def load_checkpoint(checkpoint_file):
    return torch.load(checkpoint_file)  # expect: CF-PY-DESERIALIZATION


def cached(cache_file):
    return joblib.load(cache_file)  # expect: CF-PY-DESERIALIZATION


def read_config(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=yaml.FullLoader)  # expect: CF-PY-UNSAFE-YAML


def read_unsafe(text):
    return yaml.unsafe_load(text)  # expect: CF-PY-UNSAFE-YAML


def read_all(stream):
    return list(yaml.load_all(stream, Loader=yaml.UnsafeLoader))  # expect: CF-PY-UNSAFE-YAML


DEFAULTS = yaml.load("retries: 3", Loader=yaml.Loader)  # ok: CF-PY-UNSAFE-YAML
FIXTURE = pickle.loads(b"\x80\x04K\x01.")  # ok: CF-PY-DESERIALIZATION
