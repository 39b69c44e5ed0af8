# labels: CWE-730
"""Search product names with a user-supplied pattern."""

import re

from fastapi import FastAPI

app = FastAPI()
PRODUCTS = ["red shoe", "blue shoe", "green hat", "yellow scarf"]


@app.get("/products/search")
def search(pattern: str):
    matcher = re.compile(pattern, re.IGNORECASE)
    return {"results": [p for p in PRODUCTS if matcher.search(p)]}
