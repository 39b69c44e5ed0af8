"""Objects loaded by a client-chosen id without an ownership check."""
from flask import Flask, abort
from flask_login import current_user, login_required

app = Flask(__name__)


class Invoice:
    query = None


@app.get("/invoices/<int:invoice_id>")
@login_required
def invoice(invoice_id):
    found = Invoice.query.get(invoice_id)  # expect: CF-PY-IDOR
    return {"total": found.total}


@app.get("/own-invoices/<int:invoice_id>")
@login_required
def own_invoice(invoice_id):
    found = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()  # ok: CF-PY-IDOR
    return {"total": found.total}


@app.delete("/invoices/<int:invoice_id>")
@login_required
def delete_invoice(invoice_id):
    found = Invoice.query.get_or_404(invoice_id)  # ok: CF-PY-IDOR
    if found.owner_id != current_user.id:
        abort(404)
    found.delete()
    return {"deleted": invoice_id}


@app.post("/invoices/<int:invoice_id>/pay")
@login_required
def pay_invoice(invoice_id):
    found = Invoice.query.get_or_404(invoice_id)  # expect: CF-PY-IDOR
    found.paid = True
    return {"paid": invoice_id}


@app.get("/public/<int:page_id>")
def public_page(page_id):
    return {"page": page_id}  # ok: CF-PY-IDOR
