# labels: none
"""Orders scoped to their owner."""

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy.orm import Session

from .auth import get_current_user
from .database import get_db
from .models import Order

app = FastAPI()


@app.get("/my/orders/{order_id}")
def read_my_order(order_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):
    order = db.query(Order).filter(Order.id == order_id, Order.owner_id == user.id).first()
    if order is None:
        raise HTTPException(status_code=404)
    return order
