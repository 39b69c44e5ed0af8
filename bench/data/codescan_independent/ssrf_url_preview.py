# labels: CWE-918
"""Link previews for the chat app."""

import requests
from bs4 import BeautifulSoup
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/preview")
def preview():
    url = request.json["url"]
    page = requests.get(url, timeout=5)
    soup = BeautifulSoup(page.text, "html.parser")
    return jsonify({"title": soup.title.string if soup.title else url})
