# labels: none
"""Basket with validated quantities."""

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()
PRICES = {"sku-1": 1999, "sku-2": 4999}


class Line(BaseModel):
    sku: str = Field(pattern=r"^sku-\d+$")
    quantity: int = Field(gt=0, le=20)


@app.post("/basket/lines")
def add_line(line: Line):
    return {"total": PRICES.get(line.sku, 0) * line.quantity}
