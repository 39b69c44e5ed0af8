# labels: CWE-770
"""Generate thumbnails in bulk."""

from flask import Flask, request

app = Flask(__name__)


@app.get("/placeholder")
def placeholder():
    width = int(request.args.get("w", 100))
    height = int(request.args.get("h", 100))
    pixels = [[0] * width for _ in range(height)]
    return {"rows": len(pixels)}
