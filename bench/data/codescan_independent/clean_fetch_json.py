# labels: none
"""Weather widget calling a fixed API."""

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/weather")
def weather():
    city = request.args.get("city", "Paris")
    response = requests.get("https://api.weather.example/v1/now", params={"q": city}, timeout=5)
    return jsonify(response.json())
