# labels: CWE-285
"""Order details for logged-in customers."""

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy.orm import Session

from .auth import get_current_user
from .database import get_db
from .models import Order

app = FastAPI()


@app.get("/orders/{order_id}")
def read_order(order_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):
    order = db.query(Order).filter(Order.id == order_id).first()
    if order is None:
        raise HTTPException(status_code=404)
    return order
