# labels: CWE-611
"""Import supplier invoices uploaded as XML."""

from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)


@app.route("/invoices/import", methods=["POST"])
def import_invoice():
    parser = etree.XMLParser(resolve_entities=True)
    document = etree.fromstring(request.get_data(), parser)
    total = sum(float(line.findtext("amount")) for line in document.iter("line"))
    return jsonify({"supplier": document.findtext("supplier"), "total": total})
