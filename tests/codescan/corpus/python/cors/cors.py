"""CORS with any origin and credentials."""
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from flask import Flask
from flask_cors import CORS

api = FastAPI()
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)  # expect: CF-PY-CORS-CREDENTIALS
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)  # ok: CF-PY-CORS-CREDENTIALS
api.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)  # expect: CF-PY-CORS-CREDENTIALS
api.add_middleware(
    CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True  # ok: CF-PY-CORS-CREDENTIALS
)

app = Flask(__name__)
CORS(app, supports_credentials=True)  # expect: CF-PY-CORS-CREDENTIALS
CORS(app, origins=["https://app.example.com"], supports_credentials=True)  # ok: CF-PY-CORS-CREDENTIALS
CORS(app, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)  # expect: CF-PY-CORS-CREDENTIALS


@app.after_request
def add_headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"  # expect: CF-PY-CORS-CREDENTIALS
    response.headers["Access-Control-Allow-Credentials"] = "true"
    return response


CORS_ALLOW_ALL_ORIGINS = True  # expect: CF-PY-CORS-CREDENTIALS
CORS_ALLOW_CREDENTIALS = True
